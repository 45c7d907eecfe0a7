"""Where entry files live: a local directory (embedded default) or an S3-compatible bucket.

Keys are made by the server (`entries/{round_id}/{entry_id}/{uuid}`); a client's filename never
becomes part of a path.
"""

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,250}$")


class StorageUnavailable(Exception):
    """The store did not answer; callers answer 503 and change nothing."""


@dataclass
class Stored:
    key: str
    size: int
    sha256: str


def new_key(prefix: str) -> str:
    key = f"{prefix.strip('/')}/{uuid.uuid4().hex}"
    if not KEY_RE.match(key) or ".." in key:
        raise ValueError(f"bad storage key {key!r}")
    return key


class FileStore(Protocol):
    def put(self, key: str, fileobj: BinaryIO, content_type: str) -> Stored: ...
    def open(self, key: str) -> Iterator[bytes]: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def keys(self, prefix: str = "") -> Iterator[str]: ...
    def check(self) -> None: ...


class LocalFileStore:
    """Files under one directory, written in chunks to a temporary name and renamed when complete."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key) or ".." in key:
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key

    def put(self, key: str, fileobj: BinaryIO, content_type: str) -> Stored:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        digest = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "wb") as out:
                while chunk := fileobj.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Stored(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> Iterator[bytes]:
        with open(self._path(key), "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root
        if not base.exists():
            return
        for path in base.rglob("*"):
            if path.is_file() and not path.name.endswith(".part"):
                key = path.relative_to(base).as_posix()
                if key.startswith(prefix):
                    yield key

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


class S3FileStore:
    """An S3-compatible bucket through boto3 (SigV4, path-style addressing)."""

    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def _call(self, fn, **kw):
        from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

        try:
            return fn(Bucket=self.bucket, **kw)
        except (EndpointConnectionError, BotoCoreError) as exc:
            raise StorageUnavailable(str(exc)) from exc
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500) >= 500:
                raise StorageUnavailable(str(exc)) from exc
            raise

    def put(self, key: str, fileobj: BinaryIO, content_type: str) -> Stored:
        hashing = _HashingReader(fileobj)
        try:
            self.client.upload_fileobj(hashing, self.bucket, key, ExtraArgs={"ContentType": content_type})
        except Exception as exc:  # boto3's transfer wraps errors in several types
            from botocore.exceptions import ClientError

            if isinstance(exc, ClientError) and exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500) < 500:
                raise
            raise StorageUnavailable(str(exc)) from exc
        return Stored(key=key, size=hashing.size, sha256=hashing.digest.hexdigest())

    def open(self, key: str) -> Iterator[bytes]:
        body = self._call(self.client.get_object, Key=key)["Body"]
        yield from body.iter_chunks(CHUNK)

    def delete(self, key: str) -> None:
        self._call(self.client.delete_object, Key=key)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call(self.client.head_object, Key=key)
            return True
        except ClientError:
            return False

    def keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"]

    def check(self) -> None:
        self._call(self.client.head_bucket)

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)


class _HashingReader:
    """Wraps a file object so that the SHA-256 and size are computed while it streams."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.raw.read(n)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk
