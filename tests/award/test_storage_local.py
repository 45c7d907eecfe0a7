"""The local directory store: streaming writer, direct multipart parts, and keys that cannot escape."""

import hashlib
import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from award import storage
from award.errors import Invalid, NotFound
from award.storage import MIN_PART_SIZE, Completed, LocalFileStore

KEY = "entries/9/1/0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(tmp_path):
    return LocalFileStore(tmp_path / "files", part_url=lambda key, upload_id, n, ttl: f"/up/{upload_id}/{n}?t={ttl}")


def files_on_disk(store: LocalFileStore) -> list[str]:
    return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file())


# -- whole objects -------------------------------------------------------------------------------


def test_writer_commit_renames_the_part_file(store):
    writer = store.writer(KEY, "application/pdf")
    writer.write(b"%PDF-1.7 ")
    assert files_on_disk(store) == [KEY + ".part"]
    writer.write(b"rest")
    stored = writer.commit()
    assert (stored.key, stored.size, stored.sha256) == (KEY, 13, hashlib.sha256(b"%PDF-1.7 rest").hexdigest())
    assert files_on_disk(store) == [KEY]
    assert store.read_head(KEY, 4) == b"%PDF" and store.size(KEY) == 13


def test_writer_abort_leaves_nothing(store):
    writer = store.writer(KEY, "video/mp4")
    writer.write(b"x" * 10_000)
    writer.abort()
    assert files_on_disk(store) == []
    assert not store.exists(KEY)


def test_put_and_reading_back(store, tmp_path):
    data = bytes(range(256)) * 5000  # over one read chunk
    stored = store.put(KEY, io.BytesIO(data), "application/octet-stream")
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(store.open(KEY)) == data
    assert store.sha256(KEY) == stored.sha256
    store.download_to(KEY, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data
    assert list(store.keys("entries/")) == [KEY]
    store.delete(KEY)
    assert not store.exists(KEY)


def test_missing_object(store):
    with pytest.raises(FileNotFoundError):
        store.size(KEY)


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "entries/../../etc/passwd", "entries/..", "/etc/passwd", "Entries/x", "entries//x",
     "entries/x/", ".multipart/x", "entries/x.part", "entries/ x", "entries/bài"],
)
def test_keys_that_could_escape_or_collide_are_refused(store, key):
    with pytest.raises(ValueError):
        store.writer(key, "application/pdf")
    with pytest.raises(ValueError):
        store.put(key, io.BytesIO(b"x"), "application/pdf")
    with pytest.raises(ValueError):
        store.start_multipart(key, "video/mp4", size=1, part_size=1)
    assert files_on_disk(store) == []


# -- direct multipart, written in place ----------------------------------------------------------

PART = MIN_PART_SIZE


def pattern(size: int, seed: int = 0) -> bytes:
    block = bytes((i * 7 + seed) % 251 for i in range(4096))
    return (block * (size // len(block) + 1))[:size]


def start(store, data: bytes, part_size: int = PART) -> tuple[str, dict[int, bytes]]:
    """An upload planned for `data`, and its parts as the plan cuts them."""
    upload_id = store.start_multipart(KEY, "video/mp4", size=len(data), part_size=part_size)
    parts = {n + 1: data[i:i + part_size] for n, i in enumerate(range(0, len(data), part_size))}
    return upload_id, parts


def in_chunks(data: bytes, size: int = 65536):
    return (data[i:i + size] for i in range(0, len(data), size))


def in_place_file(store, upload_id) -> Path:
    return store.root / store.MULTIPART_DIR / upload_id / store.DATA


def test_parts_in_any_order_are_written_in_place_and_completion_renames_the_file(store):
    data = pattern(2 * PART + 1234)
    upload_id, parts = start(store, data)
    assert store.part_urls(KEY, upload_id, [1, 2], 600) == {1: f"/up/{upload_id}/1?t=600",
                                                            2: f"/up/{upload_id}/2?t=600"}
    etags = {n: store.write_part(KEY, upload_id, n, in_chunks(parts[n])) for n in (3, 1, 2)}
    assert store.list_parts(KEY, upload_id) == {n: (etags[n], len(parts[n])) for n in (1, 2, 3)}
    assert list(store.keys()) == []  # an upload in progress is not an object
    inode = in_place_file(store, upload_id).stat().st_ino

    assert store.complete_multipart(KEY, upload_id, sorted(etags.items())) == Completed(len(data), None)  # small
    assert store._path(KEY).stat().st_ino == inode  # the very file the parts went into: no copy
    assert store.head_and_sha256(KEY, 10) == (data[:10], hashlib.sha256(data).hexdigest(), len(data))
    assert files_on_disk(store) == [KEY]  # the upload's directory is gone
    with pytest.raises(NotFound):
        store.list_parts(KEY, upload_id)


def test_a_resent_part_overwrites_its_own_range(store):
    data = pattern(PART + 10)
    upload_id, parts = start(store, data)
    first = store.write_part(KEY, upload_id, 1, [pattern(PART, seed=3)])  # garbage the first time
    last = store.write_part(KEY, upload_id, 2, [parts[2]])
    again = store.write_part(KEY, upload_id, 1, [parts[1]])
    assert again != first and store.list_parts(KEY, upload_id)[1] == (again, PART)
    with pytest.raises(Invalid) as stale:
        store.complete_multipart(KEY, upload_id, [(1, first), (2, last)])
    assert stale.value.code == "invalid_parts"
    store.complete_multipart(KEY, upload_id, [(1, again), (2, last)])
    assert b"".join(store.open(KEY)) == data


@pytest.mark.parametrize("extra", [1, 70_000])
def test_a_part_longer_than_its_share_is_refused_before_a_byte_lands_outside_it(store, extra):
    data = pattern(PART + 10)
    upload_id, parts = start(store, data)
    store.write_part(KEY, upload_id, 2, [parts[2]])
    with pytest.raises(Invalid) as refused:
        store.write_part(KEY, upload_id, 1, in_chunks(parts[1] + b"\xff" * extra))
    assert refused.value.code == "part_too_large" and "Phần 1 dài hơn" in refused.value.message
    with pytest.raises(Invalid) as refused:
        store.write_part(KEY, upload_id, 2, [parts[2] + b"\xff"])
    assert refused.value.code == "part_too_large"
    on_disk = in_place_file(store, upload_id).read_bytes()
    assert len(on_disk) == len(data) and on_disk[PART:] == parts[2]  # part 2 untouched, the file no longer
    assert list(store.list_parts(KEY, upload_id)) == []  # both refused parts are unlisted until resent


def test_a_part_outside_the_plan_or_cut_short_is_refused(store):
    data = pattern(PART + 10)
    upload_id, parts = start(store, data)
    with pytest.raises(Invalid) as beyond:
        store.write_part(KEY, upload_id, 3, [b"x"])
    assert beyond.value.code == "invalid_parts" and "ngoài kế hoạch" in beyond.value.message
    with pytest.raises(Invalid) as short:
        store.write_part(KEY, upload_id, 1, [parts[1][:-1]])
    assert short.value.code == "part_size_mismatch" and "phải dài đúng" in short.value.message
    assert in_place_file(store, upload_id).stat().st_size == len(data)
    assert store.list_parts(KEY, upload_id) == {}


def test_parts_recorded_before_the_machine_restarted_count_as_missing(store, monkeypatch):
    """Parts are flushed once, at completion: after a restart their bytes may never have reached the disk."""
    data = pattern(PART + 3)
    upload_id, parts = start(store, data)
    before = {n: store.write_part(KEY, upload_id, n, [parts[n]]) for n in (1, 2)}
    monkeypatch.setattr(storage, "_boot_id", lambda: "after-a-restart")
    assert store.list_parts(KEY, upload_id) == {}
    with pytest.raises(Invalid) as refused:
        store.complete_multipart(KEY, upload_id, sorted(before.items()))
    assert refused.value.code == "invalid_parts"
    again = {n: store.write_part(KEY, upload_id, n, [parts[n]]) for n in (2, 1)}
    assert store.complete_multipart(KEY, upload_id, sorted(again.items())).size == len(data)
    assert b"".join(store.open(KEY)) == data


def test_a_part_cut_off_midway_is_not_listed(store):
    upload_id, _ = start(store, pattern(PART))

    def dropped_connection():
        yield b"x" * 1000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.write_part(KEY, upload_id, 1, dropped_connection())
    assert store.list_parts(KEY, upload_id) == {}
    assert [name for name in files_on_disk(store) if name.endswith(".tmp")] == []


def test_complete_without_every_part_or_with_a_wrong_etag_is_refused_and_the_upload_stays(store):
    data = pattern(PART + 4)
    upload_id, parts = start(store, data)
    etag1 = store.write_part(KEY, upload_id, 1, [parts[1]])
    for listed in ([(1, etag1)], [(1, etag1), (2, etag1)], [(1, '"' + "0" * 32 + '"')]):
        with pytest.raises(Invalid) as refused:
            store.complete_multipart(KEY, upload_id, listed)
        assert refused.value.code == "invalid_parts"
        assert "hãy gửi lại phần đó" in refused.value.message
    assert not store.exists(KEY)
    etag2 = store.write_part(KEY, upload_id, 2, [parts[2]])
    assert store.complete_multipart(KEY, upload_id, [(1, etag1.strip('"')), (2, etag2)]).size == len(data)  # unquoted


@pytest.mark.parametrize("parts", [[], [(2, "x"), (1, "y")], [(1, "x"), (1, "x")], [(0, "x")], [(10_001, "x")]])
def test_complete_refuses_a_bad_part_list(store, parts):
    upload_id, _ = start(store, pattern(PART + 1))
    with pytest.raises(Invalid):
        store.complete_multipart(KEY, upload_id, parts)


def test_a_plan_with_parts_under_5_mib_is_refused_as_on_s3(store):
    with pytest.raises(ValueError):
        store.start_multipart(KEY, "video/mp4", size=PART, part_size=PART - 1)
    assert files_on_disk(store) == []
    assert store.start_multipart(KEY, "video/mp4", size=10, part_size=10)  # a single small part is fine


def test_a_part_written_after_completion_or_abort_is_refused(store):
    upload_id, parts = start(store, b"tiny", part_size=4)
    etag = store.write_part(KEY, upload_id, 1, [b"tiny"])
    store.complete_multipart(KEY, upload_id, [(1, etag)])
    with pytest.raises(NotFound):
        store.write_part(KEY, upload_id, 1, [b"evil"])
    assert b"".join(store.open(KEY)) == b"tiny"

    other, _ = start(store, b"data", part_size=4)
    store.abort_multipart(KEY, other)
    with pytest.raises(NotFound):
        store.write_part(KEY, other, 1, [b"late"])


def test_abort_removes_the_in_place_file(store):
    upload_id, parts = start(store, pattern(PART))
    store.write_part(KEY, upload_id, 1, [parts[1]])
    store.abort_multipart(KEY, upload_id)
    store.abort_multipart(KEY, upload_id)  # idempotent
    assert files_on_disk(store) == []


@pytest.mark.parametrize("upload_id", ["../../entries", "..", "0" * 31, "A" * 32, "/etc"])
def test_upload_ids_are_checked_before_any_path_is_built(store, upload_id):
    with pytest.raises(NotFound):
        store.write_part(KEY, upload_id, 1, [b"x"])
    assert files_on_disk(store) == []


def test_an_upload_belongs_to_its_key(store):
    upload_id, _ = start(store, b"x", part_size=1)
    with pytest.raises(NotFound):
        store.write_part("entries/9/1/other", upload_id, 1, [b"x"])
    with pytest.raises(NotFound):
        store.part_urls("entries/9/1/other", upload_id, [1], 60)


def test_part_numbers_are_checked(store):
    upload_id, _ = start(store, b"x", part_size=1)
    for number in (0, 10_001):
        with pytest.raises(Invalid):
            store.write_part(KEY, upload_id, number, [b"x"])
        with pytest.raises(Invalid):
            store.part_urls(KEY, upload_id, [number], 60)


def test_part_urls_need_the_web_layer(tmp_path):
    store = LocalFileStore(tmp_path)
    upload_id = store.start_multipart(KEY, "video/mp4", size=1, part_size=1)
    with pytest.raises(RuntimeError):
        store.part_urls(KEY, upload_id, [1], 60)


def test_stale_multipart(store):
    upload_id, _ = start(store, b"x", part_size=1)
    assert store.stale_multipart(timedelta(hours=1)) == []
    assert store.stale_multipart(timedelta(0)) == [(KEY, upload_id)]


# -- the follower: the SHA-256 computed while parts arrive ----------------------------------------


@pytest.fixture
def followed(monkeypatch):
    monkeypatch.setattr(storage, "FOLLOW_FROM", 0)  # every upload is followed, not only those from 64 MiB


def test_the_follower_hashes_parts_as_they_arrive_in_any_order(store, followed):
    data = pattern(3 * PART + 99)
    upload_id, parts = start(store, data)
    etags = {n: store.write_part(KEY, upload_id, n, in_chunks(parts[n])) for n in (2, 4, 1, 3)}
    done = store.complete_multipart(KEY, upload_id, sorted(etags.items()))
    assert done == Completed(len(data), hashlib.sha256(data).hexdigest())
    assert files_on_disk(store) == [KEY]


def test_a_part_rewritten_after_it_was_hashed_is_never_trusted(store, followed):
    data = pattern(2 * PART + 5)
    upload_id, parts = start(store, data)
    etags = {n: store.write_part(KEY, upload_id, n, [parts[n]]) for n in (1, 2, 3)}
    other = pattern(PART, seed=9)
    etags[1] = store.write_part(KEY, upload_id, 1, [other])  # the same part again, other bytes
    done = store.complete_multipart(KEY, upload_id, sorted(etags.items()))
    final = other + parts[2] + parts[3]
    # Either the follower saw the rewrite and hashed it, or its digest no longer matches and is dropped.
    assert done.sha256 in (None, hashlib.sha256(final).hexdigest())
    assert store.head_and_sha256(KEY, 4) == (final[:4], hashlib.sha256(final).hexdigest(), len(final))


def test_a_follower_ends_when_its_upload_is_aborted(store, followed):
    upload_id, parts = start(store, pattern(2 * PART))
    store.write_part(KEY, upload_id, 2, [parts[2]])  # the follower waits for part 1
    store.abort_multipart(KEY, upload_id)
    followers = [t for t in threading.enumerate() if t.name == f"upload-follower-{upload_id}"]
    for thread in followers:
        thread.join(timeout=10)
    assert not any(t.is_alive() for t in followers)
    assert files_on_disk(store) == []


def _write_first_part_and_stay(root: str, upload_id: str, part: bytes, written, leave) -> None:
    """In another process (as another app worker): write part 1, so its follower runs here, then wait."""
    storage.FOLLOW_FROM = 0
    LocalFileStore(Path(root)).write_part(KEY, upload_id, 1, [part])
    written.set()
    leave.wait(60)


def test_the_follower_of_another_process_serves_the_completion(store, followed):
    import multiprocessing

    data = pattern(2 * PART + 17)
    upload_id, parts = start(store, data)
    spawn = multiprocessing.get_context("spawn")
    written, leave = spawn.Event(), spawn.Event()
    worker = spawn.Process(target=_write_first_part_and_stay,
                           args=(str(store.root), upload_id, parts[1], written, leave))
    worker.start()
    try:
        assert written.wait(60)
        etags = {n: store.write_part(KEY, upload_id, n, [parts[n]]) for n in (3, 2)}  # this process: no follower
        etags[1] = store.list_parts(KEY, upload_id)[1][0]
        assert store.complete_multipart(KEY, upload_id, sorted(etags.items())) == Completed(
            len(data), hashlib.sha256(data).hexdigest())
    finally:
        leave.set()
        worker.join(60)
    assert worker.exitcode == 0
