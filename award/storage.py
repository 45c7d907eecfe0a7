"""Where entry files live: a local directory (embedded default) or an S3-compatible bucket.

Keys are made by the server (`entries/{round_id}/{entry_id}/{uuid}`); a client's filename never
becomes part of a path.

Three ways in:
- `put(key, fileobj)`: a whole file object (small files, tests);
- `writer(key, content_type)`: push-based streaming (the app receives the bytes and checks them on the fly);
- direct multipart (`start_multipart` … `complete_multipart`): the browser sends the parts itself, to
  presigned S3 URLs or, for the local store, to URLs of the app made by the `part_url` callable, which
  writes each part in place in the final file (completion is a rename, not a copy).
"""

import fcntl
import functools
import hashlib
import json
import logging
import math
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol

from award.errors import Invalid, NotFound

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,250}$")
PART_SIZE = 8 * 1024 * 1024  # the streaming writer's S3 part; also its memory bound
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's minimum for every part but the last; the local store enforces it too
MAX_PART_NUMBER = 10_000  # S3's limit
UPLOAD_ID_RE = re.compile(r"^[0-9a-f]{32}$")  # local upload ids (they come back to us inside URLs)

# The part-URL maker the web layer gives the local store: (key, upload_id, part number, ttl seconds) -> URL.
PartUrl = Callable[[str, str, int, int], str]


class StorageUnavailable(Exception):
    """The store did not answer; callers answer 503 and change nothing."""


@dataclass
class Stored:
    key: str
    size: int
    sha256: str


@dataclass
class Completed:
    """A finished multipart upload: its size, and its SHA-256 when the store already knows it from the
    bytes as they were written (the local store's follower), else None (read the object to know it)."""
    size: int
    sha256: str | None = None


def new_key(prefix: str) -> str:
    key = f"{prefix.strip('/')}/{uuid.uuid4().hex}"
    check_key(key)
    return key


def check_key(key: str) -> str:
    """Refuse a key that could leave the store's root or collide with its bookkeeping names."""
    if not KEY_RE.match(key) or ".." in key or "//" in key or key.endswith(("/", ".part")):
        raise ValueError(f"bad storage key {key!r}")
    return key


class Writer(Protocol):
    def write(self, data: bytes) -> None: ...
    def commit(self) -> Stored: ...
    def abort(self) -> None: ...


class FileStore(Protocol):
    def put(self, key: str, fileobj: BinaryIO, content_type: str) -> Stored: ...
    def writer(self, key: str, content_type: str) -> Writer: ...
    def open(self, key: str) -> Iterator[bytes]: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def keys(self, prefix: str = "") -> Iterator[str]: ...
    def check(self) -> None: ...
    def size(self, key: str) -> int: ...
    def age(self, key: str) -> timedelta: ...
    def read_head(self, key: str, n: int) -> bytes: ...
    def sha256(self, key: str) -> str: ...
    def head_and_sha256(self, key: str, n: int) -> tuple[bytes, str, int]: ...
    def download_to(self, key: str, path: Path) -> None: ...
    def start_multipart(self, key: str, content_type: str, *, size: int, part_size: int) -> str: ...
    def part_urls(self, key: str, upload_id: str, numbers: list[int], ttl_seconds: int,
                  sizes: dict[int, int] | None = None) -> dict[int, str]: ...
    def list_parts(self, key: str, upload_id: str) -> dict[int, tuple[str, int]]: ...
    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> Completed: ...
    def abort_multipart(self, key: str, upload_id: str) -> None: ...
    def stale_multipart(self, older_than: timedelta) -> list[tuple[str, str]]: ...


# -- shared helpers ------------------------------------------------------------------------------


class _Digest:
    """Size and SHA-256 of the bytes that went through, so no store has to read an object back."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes) -> None:
        self.sha.update(data)
        self.size += len(data)

    def stored(self, key: str) -> Stored:
        return Stored(key=key, size=self.size, sha256=self.sha.hexdigest())


def _put_with_writer(store: "FileStore", key: str, fileobj: BinaryIO, content_type: str) -> Stored:
    writer = store.writer(key, content_type)
    try:
        while chunk := fileobj.read(CHUNK):
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.commit()


def _sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _head_and_sha256(chunks: Iterable[bytes], n: int) -> tuple[bytes, str, int]:
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    for chunk in chunks:
        if len(head) < n:
            head += chunk[:n - len(head)]
        digest.update(chunk)
        size += len(chunk)
    return bytes(head), digest.hexdigest(), size


def _quoted_md5(hexdigest: str) -> str:
    return f'"{hexdigest}"'  # S3 sends ETags quoted; clients echo them back as they got them


def _unquoted(etag: str) -> str:
    return etag.strip().strip('"').lower()


def _check_part_numbers(numbers: Iterable[int]) -> None:
    for number in numbers:
        if not 1 <= number <= MAX_PART_NUMBER:
            raise Invalid(f"Số thứ tự phần phải từ 1 đến {MAX_PART_NUMBER}.", field="parts", code="invalid_parts")


def _check_completion_order(parts: list[tuple[int, str]]) -> None:
    """S3 wants at least one part, numbers strictly ascending; the local store wants the same."""
    numbers = [number for number, _ in parts]
    _check_part_numbers(numbers)
    if not numbers or any(a >= b for a, b in zip(numbers, numbers[1:])):
        raise Invalid("Danh sách các phần phải tăng dần và không trùng.", field="parts", code="invalid_parts")


def _upload_not_found() -> NotFound:
    return NotFound("Phiên tải lên không tồn tại, đã hết hạn hoặc đã kết thúc.", field="upload_id",
                    code="upload_not_found")


def _fsync_dir(path: Path) -> None:
    """A rename is durable only once the directory entry is on disk too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- local directory -----------------------------------------------------------------------------


class _LocalWriter:
    """Writes `<key>.part`, then fsync and rename on commit: a reader never sees half a file."""

    def __init__(self, key: str, path: Path):
        self.key = key
        self.path = path
        self.tmp = path.with_name(path.name + ".part")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.tmp, "wb")
        self.digest = _Digest()

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.digest.update(data)

    def commit(self) -> Stored:
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.replace(self.tmp, self.path)
            _fsync_dir(self.path.parent)
        except BaseException:
            self.abort()
            raise
        return self.digest.stored(self.key)

    def abort(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)


class LocalFileStore:
    """Files under one directory; multipart uploads in progress under `<root>/.multipart/<upload_id>/`."""

    MULTIPART_DIR = ".multipart"
    META = "upload.json"

    def __init__(self, root: Path, part_url: PartUrl | None = None):
        self.root = Path(root)
        self.part_url = part_url

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    # -- whole objects

    def put(self, key: str, fileobj: BinaryIO, content_type: str) -> Stored:
        return _put_with_writer(self, key, fileobj, content_type)

    def writer(self, key: str, content_type: str) -> _LocalWriter:
        return _LocalWriter(key, self._path(key))

    def open(self, key: str) -> Iterator[bytes]:
        with open(self._path(key), "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def remove_stale_partials(self, older_than: timedelta) -> int:
        """Delete unfinished `<key>.part` files older than `older_than` (their writer died); returns how many."""
        removed = 0
        if not self.root.exists():
            return 0
        cutoff = datetime.now(UTC).timestamp() - older_than.total_seconds()
        for path in self.root.rglob("*.part"):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and not key.startswith(".") and path.stat().st_mtime <= cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root
        if not base.exists():
            return
        for path in base.rglob("*"):
            key = path.relative_to(base).as_posix()
            # Dot-names are bookkeeping (multipart parts, readiness probes), `.part` files are unfinished.
            if path.is_file() and not key.startswith(".") and not key.endswith(".part") and key.startswith(prefix):
                yield key

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def age(self, key: str) -> timedelta:
        return datetime.now(UTC) - datetime.fromtimestamp(self._path(key).stat().st_mtime, UTC)

    def read_head(self, key: str, n: int) -> bytes:
        with open(self._path(key), "rb") as f:
            return f.read(n)

    def sha256(self, key: str) -> str:
        return _sha256_of(self.open(key))

    def download_to(self, key: str, path: Path) -> None:
        shutil.copyfile(self._path(key), path)

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".ready-{uuid.uuid4().hex}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def disk_free(self) -> int:
        return shutil.disk_usage(self.root).free

    # -- direct multipart, written in place: `<root>/.multipart/<upload_id>/` holds `upload.json` (key, type,
    # declared size, part size), `data` (the file itself, sparse at the declared size, each part written at
    # its offset) and `<n>.etag` for every part fully written and flushed. Completion renames `data` to the
    # key: no second copy. `data` is locked shared by part writers and exclusive by completion, so no part
    # can still be writing once the file has been renamed and verified (flock works across processes).

    DATA = "data"

    def _upload_dir(self, key: str, upload_id: str) -> tuple[Path, dict]:
        """The upload's directory and plan, after checking that the id is ours and belongs to this key."""
        check_key(key)
        if not UPLOAD_ID_RE.match(upload_id):
            raise _upload_not_found()
        folder = self.root / self.MULTIPART_DIR / upload_id
        try:
            meta = json.loads((folder / self.META).read_text())
        except (OSError, ValueError) as exc:
            raise _upload_not_found() from exc
        if meta.get("key") != key:
            raise _upload_not_found()
        return folder, meta

    def start_multipart(self, key: str, content_type: str, *, size: int, part_size: int) -> str:
        """Open an upload of exactly `size` bytes in parts of `part_size` (the last one what is left).
        The file is created sparse: disk space is taken as parts arrive, not for a size merely declared."""
        check_key(key)
        if size < 0 or part_size < 1 or (size > part_size and part_size < MIN_PART_SIZE):
            raise ValueError(f"bad multipart plan size={size} part_size={part_size}")
        if math.ceil(size / part_size) > MAX_PART_NUMBER:
            raise ValueError(f"bad multipart plan: more than {MAX_PART_NUMBER} parts")
        upload_id = uuid.uuid4().hex
        folder = self.root / self.MULTIPART_DIR / upload_id
        folder.mkdir(parents=True)
        with open(folder / self.DATA, "wb") as data:
            data.truncate(size)
        meta = {"key": key, "content_type": content_type, "initiated": datetime.now(UTC).isoformat(),
                "size": size, "part_size": part_size}
        _write_atomically(folder / self.META, json.dumps(meta))
        return upload_id

    def part_urls(self, key: str, upload_id: str, numbers: list[int], ttl_seconds: int,
                  sizes: dict[int, int] | None = None) -> dict[int, str]:
        """URLs on the app (the web layer signs them); with `sizes`, each URL takes exactly that many bytes."""
        if self.part_url is None:
            raise RuntimeError("LocalFileStore needs part_url (from the web layer) to hand out part URLs")
        self._upload_dir(key, upload_id)
        _check_part_numbers(numbers)
        if sizes is None:
            return {n: self.part_url(key, upload_id, n, ttl_seconds) for n in numbers}
        return {n: self.part_url(key, upload_id, n, ttl_seconds, sizes[n]) for n in numbers}

    def write_part(self, key: str, upload_id: str, number: int, chunks: Iterable[bytes]) -> str:
        """Write one part at its offset in the upload's file and return its ETag. Parts may come in any
        order and again (a resent part overwrites its own range). A part must be exactly its share of the
        declared size: a byte over is refused before it is written, so nothing lands outside the part's
        range; a part cut short stays unlisted. The ETag names this write (a fresh random tag, since the
        whole file's SHA-256 is checked on completion, hashing each part too would only cost time). It is
        recorded once the bytes are written, not flushed: flushing each part cost the disk most of the
        upload's time, so completion flushes the file once, and a restart of the machine in between makes
        the parts recorded before it count as missing (`_recorded_etag`).

        Raises NotFound (upload unknown, aborted or completed), Invalid `invalid_parts` (number outside
        the plan), `part_too_large` / `part_size_mismatch` (not exactly the part's length)."""
        folder, meta = self._upload_dir(key, upload_id)
        expected = _plan_sizes(meta).get(number)
        if expected is None:
            _check_part_numbers([number])
            raise Invalid(f"Phần {number} nằm ngoài kế hoạch tải lên của tệp.", field="parts", code="invalid_parts")
        offset = (number - 1) * meta["part_size"]
        try:
            fd = os.open(folder / self.DATA, os.O_WRONLY)
        except FileNotFoundError as exc:  # completed or aborted a moment ago
            raise _upload_not_found() from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            if not _same_file(fd, folder / self.DATA):  # completion renamed it while we waited for the lock
                raise _upload_not_found()
            # Unlisted while it is rewritten: a crash or a cut-off body leaves it missing, never mislabelled.
            (folder / f"{number}.etag").unlink(missing_ok=True)
            written = 0
            for chunk in chunks:
                if written + len(chunk) > expected:
                    raise Invalid(f"Phần {number} dài hơn {expected} byte đã định cho nó.", field="file",
                                  code="part_too_large")
                view = memoryview(chunk)
                while view:
                    n = os.pwrite(fd, view, offset + written)
                    written += n
                    view = view[n:]
            if written != expected:
                raise Invalid(f"Phần {number} phải dài đúng {expected} byte (nhận được {written}).", field="file",
                              code="part_size_mismatch")
            etag = _quoted_md5(uuid.uuid4().hex)
            _write_atomically(folder / f"{number}.etag", f"{etag} {_boot_id()}")
        except FileNotFoundError as exc:  # aborted (or collected) while the part was being written
            raise _upload_not_found() from exc
        finally:
            os.close(fd)  # also releases the lock
        if meta["size"] >= FOLLOW_FROM:
            _start_follower(folder, meta)
        return etag

    def list_parts(self, key: str, upload_id: str) -> dict[int, tuple[str, int]]:
        folder, meta = self._upload_dir(key, upload_id)
        sizes = _plan_sizes(meta)
        parts = {}
        for etag_file in folder.glob("*.etag"):
            number = int(etag_file.stem)
            try:
                etag = _recorded_etag(etag_file)
            except FileNotFoundError:  # being rewritten: the client will resend it
                continue
            if etag is not None:
                parts[number] = (etag, sizes[number])
        return dict(sorted(parts.items()))

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> Completed:
        """Make the upload's file the object under `key` (a rename, no copy) once every part of the plan is
        listed with the ETag of its last write. Waits for parts still being written, and for the upload's
        follower (`_follow_parts`): its SHA-256 is returned when it covered exactly these writes, else None
        and the caller reads the file once (`head_and_sha256`). The caller deletes the object if wrong.

        Raises Invalid `invalid_parts` (a part missing, unknown or with a stale ETag; the upload stays open
        so the client can resend it), NotFound (upload unknown)."""
        folder, meta = self._upload_dir(key, upload_id)
        _check_completion_order(parts)
        if [number for number, _ in parts] != list(_plan_sizes(meta)):
            raise _invalid_part()
        try:
            fd = os.open(folder / self.DATA, os.O_RDONLY)
        except FileNotFoundError as exc:
            raise _upload_not_found() from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # no part writer inside the file from here on
            if not _same_file(fd, folder / self.DATA):
                raise _upload_not_found()
            stored = {}
            for number, etag in parts:
                stored[number] = _read_etag(folder / f"{number}.etag")
                if stored[number] is None or stored[number] != _unquoted(etag):
                    raise _invalid_part()
            sha256 = _followed_digest(folder, stored)
            os.fsync(fd)  # the one flush of the parts' bytes (write_part leaves it to here)
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(folder / self.DATA, path)
            _fsync_dir(path.parent)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        return Completed(size, sha256)

    def head_and_sha256(self, key: str, n: int) -> tuple[bytes, str, int]:
        """The first `n` bytes, the SHA-256 and the size of an object, in one read of the file."""
        digest = hashlib.sha256()
        buffer = bytearray(8 * CHUNK)
        view = memoryview(buffer)
        head = b""
        size = 0
        with open(self._path(key), "rb", buffering=0) as f:
            while got := f.readinto(buffer):
                if size < n:
                    head += bytes(view[:min(got, n - size)])
                digest.update(view[:got])  # hashlib lets go of the GIL on big buffers
                size += got
        return head, digest.hexdigest(), size

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            folder, _ = self._upload_dir(key, upload_id)
        except NotFound:
            return  # already gone: aborting is idempotent
        shutil.rmtree(folder, ignore_errors=True)

    def stale_multipart(self, older_than: timedelta) -> list[tuple[str, str]]:
        cutoff = datetime.now(UTC) - older_than
        stale = []
        for meta_file in (self.root / self.MULTIPART_DIR).glob(f"*/{self.META}"):
            try:
                meta = json.loads(meta_file.read_text())
            except (OSError, ValueError):
                continue
            if datetime.fromisoformat(meta["initiated"]) < cutoff:
                stale.append((meta["key"], meta_file.parent.name))
        return stale


def _plan_sizes(meta: dict) -> dict[int, int]:
    """Each part's exact length under an upload's plan: the part size, the last part what is left."""
    size, part_size = meta["size"], meta["part_size"]
    return {n: min(part_size, size - (n - 1) * part_size) for n in range(1, math.ceil(size / part_size) + 1)}


def _same_file(fd: int, path: Path) -> bool:
    """Whether `path` still names the file open as `fd` (not renamed away or removed meanwhile)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


# The follower: while parts arrive, one thread (in whichever app process holds the upload's `hash.lock`)
# hashes the file in order, each part as soon as its ETag is recorded, reading it back from the page cache.
# It writes `digest.json` (the SHA-256 and the ETag of every part it hashed) when it reaches the end, so the
# completion, in any process, need not read the whole file again. It is only a shortcut: it gives up when a
# part it hashed is rewritten, or after FOLLOW_IDLE without a new part, and then completion reads the file.
FOLLOW_FROM = 64 * 1024 * 1024  # smaller files are hashed at completion in a moment
FOLLOW_IDLE = 15 * 60.0  # seconds: a paused upload; the next part starts a new follower from the start
HASH_LOCK = "hash.lock"
DIGEST = "digest.json"


def _start_follower(folder: Path, meta: dict) -> None:
    """Start the upload's follower unless one runs already (in this process or another)."""
    try:
        lock = os.open(folder / HASH_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:
        return  # completed or aborted meanwhile
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return
    threading.Thread(target=_follow_parts, args=(lock, folder, meta), daemon=True,
                     name=f"upload-follower-{folder.name}").start()


def _follow_parts(lock: int, folder: Path, meta: dict) -> None:
    try:
        if (folder / DIGEST).exists():
            return  # a follower finished already; a part rewritten since is caught at completion
        digest = hashlib.sha256()
        hashed: dict[int, str] = {}
        data = os.open(folder / LocalFileStore.DATA, os.O_RDONLY)
        try:
            for number, length in _plan_sizes(meta).items():
                etag = _wait_for_etag(folder / f"{number}.etag")
                if etag is None:
                    return
                offset = (number - 1) * meta["part_size"]
                done = 0
                while done < length:
                    chunk = os.pread(data, min(CHUNK, length - done), offset + done)
                    if not chunk:
                        return
                    digest.update(chunk)
                    done += len(chunk)
                if _read_etag(folder / f"{number}.etag") != etag:  # rewritten while we read it
                    return
                hashed[number] = etag
        finally:
            os.close(data)
        _write_atomically(folder / DIGEST, json.dumps({"sha256": digest.hexdigest(), "etags": hashed}))
    except OSError:
        return  # completed, aborted or collected meanwhile: nothing to follow any more
    except Exception:  # a shortcut must never hurt an upload: completion reads the file instead
        log.exception("storage.follower_failed upload=%s", folder.name)
    finally:
        os.close(lock)


@functools.cache
def _boot_id() -> str:
    """Changes when the machine restarts (Linux); parts recorded before a restart are not trusted."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "-"


def _recorded_etag(path: Path) -> str | None:
    """A part's ETag as handed out, if it was recorded since the machine last started: its bytes were
    written but not flushed (completion flushes the file once), so a part recorded before a crash or a
    restart may never have reached the disk and counts as missing (the widget resends it)."""
    etag, _, boot = path.read_text().partition(" ")
    return etag if boot == _boot_id() else None


def _read_etag(path: Path) -> str | None:
    """`_recorded_etag`, unquoted, or None when it is missing."""
    try:
        etag = _recorded_etag(path)
    except FileNotFoundError:
        return None
    return _unquoted(etag) if etag is not None else None


def _wait_for_etag(path: Path) -> str | None:
    """The part's ETag once it is recorded; None after FOLLOW_IDLE without it. Polls the directory
    (a stat every 10 ms, backing off to four a second while nothing comes)."""
    deadline = time.monotonic() + FOLLOW_IDLE
    pause = 0.01
    while (etag := _read_etag(path)) is None:
        if time.monotonic() > deadline or not path.parent.exists():
            return None
        time.sleep(pause)
        pause = min(pause * 2, 0.25)
    return etag


def _followed_digest(folder: Path, etags: dict[int, str]) -> str | None:
    """The follower's SHA-256 if it hashed exactly these part writes (waits for a follower still running)."""
    try:
        lock = os.open(folder / HASH_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return None  # no follower ever started (a small file)
    try:
        fcntl.flock(lock, fcntl.LOCK_SH)  # it ends soon: every part is there and none can change now
        found = json.loads((folder / DIGEST).read_text())
    except (OSError, ValueError):
        return None
    finally:
        os.close(lock)
    if {int(n): e for n, e in found.get("etags", {}).items()} != etags:
        return None
    return found.get("sha256")


def _invalid_part() -> Invalid:
    return Invalid("Một phần của tệp bị thiếu hoặc không khớp mã kiểm tra (ETag); hãy gửi lại phần đó.",
                   field="parts", code="invalid_parts")


def _part_too_small() -> Invalid:
    return Invalid("Mỗi phần (trừ phần cuối) phải từ 5 MiB trở lên.", field="parts", code="part_too_small")


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# -- S3-compatible bucket ------------------------------------------------------------------------


class _S3Writer:
    """Streams into one object holding at most one part (8 MiB) in memory.

    A file smaller than a part becomes a single `put_object` on commit; a larger one opens a multipart
    upload when the first part is full *and* more bytes arrive, so an object of exactly 8 MiB is still
    one PUT and the last part is never empty."""

    def __init__(self, store: "S3FileStore", key: str, content_type: str):
        self.store = store
        self.key = key
        self.content_type = content_type
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict] = []
        self.digest = _Digest()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        view = memoryview(data)
        while view:
            if len(self.buffer) == PART_SIZE:
                self._send_part()
            take = PART_SIZE - len(self.buffer)
            self.buffer += view[:take]
            view = view[take:]

    def _send_part(self) -> None:
        if self.upload_id is None:
            self.upload_id = self.store._call(self.store.client.create_multipart_upload, Key=self.key,
                                              ContentType=self.content_type)["UploadId"]
        number = len(self.parts) + 1
        answer = self.store._call(self.store.client.upload_part, Key=self.key, UploadId=self.upload_id,
                                  PartNumber=number, Body=self.buffer)
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self.buffer = bytearray()

    def commit(self) -> Stored:
        try:
            if self.upload_id is None:
                self.store._call(self.store.client.put_object, Key=self.key, Body=self.buffer,
                                 ContentType=self.content_type)
            else:
                self._send_part()
                self.store._call(self.store.client.complete_multipart_upload, Key=self.key,
                                 UploadId=self.upload_id, MultipartUpload={"Parts": self.parts})
        except BaseException:
            self.abort()
            raise
        self.buffer = bytearray()
        return self.digest.stored(self.key)

    def abort(self) -> None:
        """Best effort: if the store is down the upload stays behind and `stale_multipart` finds it."""
        self.buffer = bytearray()
        if self.upload_id is not None:
            try:
                self.store.abort_multipart(self.key, self.upload_id)
            except StorageUnavailable:
                log.warning("storage.abort_failed key=%s", self.key)
            self.upload_id = None


class S3FileStore:
    """An S3-compatible bucket through boto3 (SigV4, path-style addressing).

    `presign_client` signs the URLs browsers use: SigV4 signs the Host header, so it must be built with
    the public endpoint when that differs from the one the app reaches the store at."""

    def __init__(self, client, bucket: str, presign_client=None):
        self.client = client
        self.bucket = bucket
        self.presign_client = presign_client or client

    def _call(self, fn, **kw):
        """One S3 call; connection failures and 5xx become StorageUnavailable, 4xx stay ClientError."""
        try:
            return fn(Bucket=self.bucket, **kw)
        except Exception as exc:
            _raise_unavailable_if_down(exc)
            raise

    def _pages(self, operation: str, **kw) -> Iterator[dict]:
        """A paginated listing; pages are fetched while iterating, so errors are translated here."""
        try:
            yield from self.client.get_paginator(operation).paginate(Bucket=self.bucket, **kw)
        except Exception as exc:
            _raise_unavailable_if_down(exc)
            raise

    def _object_call(self, fn, key: str, **kw):
        """A call on one object; a missing object is FileNotFoundError, as for the local store."""
        from botocore.exceptions import ClientError

        try:
            return self._call(fn, Key=check_key(key), **kw)
        except ClientError as exc:
            if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(key) from exc
            raise

    def _upload_call(self, fn, key: str, upload_id: str, **kw):
        """A call on one multipart upload; an unknown upload is NotFound, refused parts are Invalid."""
        from botocore.exceptions import ClientError

        try:
            return self._call(fn, Key=check_key(key), UploadId=upload_id, **kw)
        except ClientError as exc:
            code = _error_code(exc)
            if code == "NoSuchUpload":
                raise _upload_not_found() from exc
            if code in ("InvalidPart", "InvalidPartOrder"):
                raise _invalid_part() from exc
            if code == "EntityTooSmall":
                raise _part_too_small() from exc
            raise

    # -- whole objects

    def put(self, key: str, fileobj: BinaryIO, content_type: str) -> Stored:
        return _put_with_writer(self, key, fileobj, content_type)

    def writer(self, key: str, content_type: str) -> _S3Writer:
        return _S3Writer(self, check_key(key), content_type)

    def open(self, key: str) -> Iterator[bytes]:
        body = self._object_call(self.client.get_object, key)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        except Exception as exc:  # the connection can drop in the middle of the body too
            _raise_unavailable_if_down(exc)
            raise
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self._call(self.client.delete_object, Key=check_key(key))

    def exists(self, key: str) -> bool:
        try:
            self._object_call(self.client.head_object, key)
            return True
        except FileNotFoundError:
            return False

    def keys(self, prefix: str = "") -> Iterator[str]:
        for page in self._pages("list_objects_v2", Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"]

    def age(self, key: str) -> timedelta:
        head = self._object_call(self.client.head_object, key)
        return datetime.now(UTC) - head["LastModified"]

    def presigned_get(self, key: str, ttl_seconds: int, *, content_type: str, disposition: str) -> str:
        """A short-lived download URL for the browser: S3 serves ranges (seeking) itself."""
        return self.presign_client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": check_key(key), "ResponseContentType": content_type,
                    "ResponseContentDisposition": disposition},
            ExpiresIn=ttl_seconds,
        )

    def size(self, key: str) -> int:
        return self._object_call(self.client.head_object, key)["ContentLength"]

    def read_head(self, key: str, n: int) -> bytes:
        from botocore.exceptions import ClientError

        if n <= 0:
            return b""
        try:
            body = self._object_call(self.client.get_object, key, Range=f"bytes=0-{n - 1}")["Body"]
        except ClientError as exc:
            if _error_code(exc) == "InvalidRange":  # the object is empty
                return b""
            raise
        with body:
            return body.read()

    def sha256(self, key: str) -> str:
        return _sha256_of(self.open(key))

    def head_and_sha256(self, key: str, n: int) -> tuple[bytes, str, int]:
        """The first `n` bytes, the SHA-256 and the size of an object, in one GET."""
        return _head_and_sha256(self.open(key), n)

    def download_to(self, key: str, path: Path) -> None:
        with open(path, "wb") as out:
            for chunk in self.open(key):
                out.write(chunk)

    def check(self) -> None:
        self._call(self.client.head_bucket)

    def allow_browser_uploads(self, origins: list[str]) -> None:
        """CORS for direct uploads: browsers on our pages may PUT parts and read the ETag back.
        (Without a rule some S3 servers allow every origin; this names ours.)"""
        self._call(self.client.put_bucket_cors, CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": origins, "AllowedMethods": ["GET", "PUT", "HEAD"], "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3600}]})

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    # -- direct multipart

    def start_multipart(self, key: str, content_type: str, *, size: int | None = None,
                        part_size: int | None = None) -> str:
        """The bucket needs no plan: each presigned part URL signs its own Content-Length (`part_urls`)."""
        return self._call(self.client.create_multipart_upload, Key=check_key(key),
                          ContentType=content_type)["UploadId"]

    def part_urls(self, key: str, upload_id: str, numbers: list[int], ttl_seconds: int,
                  sizes: dict[int, int] | None = None) -> dict[int, str]:
        """Presigned `UploadPart` URLs. Signing is local (no request), so an unknown upload id only shows
        when the browser uses the URL (404 NoSuchUpload). With `sizes`, Content-Length is part of the
        signature: the bucket refuses a part of any other length (403), so a URL cannot store more."""
        check_key(key)
        _check_part_numbers(numbers)
        return {
            n: self.presign_client.generate_presigned_url(
                "upload_part",
                Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": n}
                | ({"ContentLength": sizes[n]} if sizes is not None else {}),
                ExpiresIn=ttl_seconds,
            )
            for n in numbers
        }

    def list_parts(self, key: str, upload_id: str) -> dict[int, tuple[str, int]]:
        parts: dict[int, tuple[str, int]] = {}
        marker = 0
        while True:
            page = self._upload_call(self.client.list_parts, key, upload_id, PartNumberMarker=marker)
            for part in page.get("Parts", []):
                parts[part["PartNumber"]] = (part["ETag"], part["Size"])
            if not page.get("IsTruncated"):
                return parts
            marker = page["NextPartNumberMarker"]

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> int:
        _check_completion_order(parts)
        listing = [{"PartNumber": number, "ETag": etag} for number, etag in parts]
        self._upload_call(self.client.complete_multipart_upload, key, upload_id,
                          MultipartUpload={"Parts": listing})
        return Completed(self.size(key))

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self._upload_call(self.client.abort_multipart_upload, key, upload_id)
        except NotFound:
            pass  # already gone: aborting is idempotent

    def stale_multipart(self, older_than: timedelta) -> list[tuple[str, str]]:
        cutoff = datetime.now(UTC) - older_than
        return [
            (upload["Key"], upload["UploadId"])
            for page in self._pages("list_multipart_uploads")
            for upload in page.get("Uploads", [])
            if upload["Initiated"] < cutoff
        ]


def _raise_unavailable_if_down(exc: Exception) -> None:
    """Connection failures, timeouts and 5xx mean "the store is down"; a 4xx or a bad parameter is
    an answer (or our bug) and is left as it is."""
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    down = (isinstance(exc, BotoCoreError) and not isinstance(exc, ParamValidationError)) or (
        isinstance(exc, ClientError) and _http_status(exc) >= 500
    )
    if down:
        raise StorageUnavailable(str(exc)) from exc


def _http_status(exc) -> int:
    return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)


def _error_code(exc) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
