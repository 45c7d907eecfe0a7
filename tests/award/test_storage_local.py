"""The local directory store: streaming writer, direct multipart parts, and keys that cannot escape."""

import hashlib
import io
from datetime import timedelta

import pytest

from award.errors import Invalid, NotFound
from award.storage import MIN_PART_SIZE, LocalFileStore

KEY = "entries/9/1/0123456789abcdef0123456789abcdef"


@pytest.fixture
def store(tmp_path):
    return LocalFileStore(tmp_path / "files", part_url=lambda key, upload_id, n, ttl: f"/up/{upload_id}/{n}?t={ttl}")


def files_on_disk(store: LocalFileStore) -> list[str]:
    return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file())


def quoted_md5(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


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
        store.start_multipart(key, "video/mp4")
    assert files_on_disk(store) == []


# -- direct multipart ----------------------------------------------------------------------------


def test_multipart_parts_list_and_complete(store):
    first, last = b"a" * MIN_PART_SIZE, b"the end"
    upload_id = store.start_multipart(KEY, "video/mp4")
    assert store.part_urls(KEY, upload_id, [1, 2], 600) == {1: f"/up/{upload_id}/1?t=600",
                                                            2: f"/up/{upload_id}/2?t=600"}
    etag2 = store.write_part(KEY, upload_id, 2, iter([last]))
    etag1 = store.write_part(KEY, upload_id, 1, (first[i:i + 65536] for i in range(0, len(first), 65536)))
    assert (etag1, etag2) == (quoted_md5(first), quoted_md5(last))
    assert store.list_parts(KEY, upload_id) == {1: (etag1, len(first)), 2: (etag2, len(last))}
    assert list(store.keys()) == []  # parts in progress are not objects

    assert store.complete_multipart(KEY, upload_id, [(1, etag1), (2, etag2)]) == len(first) + len(last)
    assert store.sha256(KEY) == hashlib.sha256(first + last).hexdigest()
    assert files_on_disk(store) == [KEY]  # the part directory is gone
    with pytest.raises(NotFound):
        store.list_parts(KEY, upload_id)


def test_a_resent_part_replaces_the_earlier_one(store):
    upload_id = store.start_multipart(KEY, "audio/mpeg")
    store.write_part(KEY, upload_id, 1, [b"first try"])
    etag = store.write_part(KEY, upload_id, 1, [b"second"])
    assert store.list_parts(KEY, upload_id) == {1: (etag, 6)}
    store.complete_multipart(KEY, upload_id, [(1, etag)])
    assert b"".join(store.open(KEY)) == b"second"


def test_a_part_cut_off_midway_is_not_listed(store):
    upload_id = store.start_multipart(KEY, "video/mp4")

    def dropped_connection():
        yield b"x" * 1000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.write_part(KEY, upload_id, 1, dropped_connection())
    assert store.list_parts(KEY, upload_id) == {}
    assert [name for name in files_on_disk(store) if name.endswith(".tmp")] == []


def test_complete_refuses_a_wrong_etag_and_keeps_the_upload(store):
    upload_id = store.start_multipart(KEY, "video/mp4")
    etag = store.write_part(KEY, upload_id, 1, [b"data"])
    with pytest.raises(Invalid) as refused:
        store.complete_multipart(KEY, upload_id, [(1, quoted_md5(b"other"))])
    assert refused.value.code == "invalid_parts"
    with pytest.raises(Invalid):
        store.complete_multipart(KEY, upload_id, [(1, etag), (2, etag)])  # part 2 never sent
    assert not store.exists(KEY) and not any(name.endswith(".part") for name in files_on_disk(store))
    assert store.complete_multipart(KEY, upload_id, [(1, etag.strip('"'))]) == 4  # unquoted is fine too


@pytest.mark.parametrize("parts", [[], [(2, "x"), (1, "y")], [(1, "x"), (1, "x")], [(0, "x")], [(10_001, "x")]])
def test_complete_refuses_a_bad_part_list(store, parts):
    upload_id = store.start_multipart(KEY, "video/mp4")
    with pytest.raises(Invalid):
        store.complete_multipart(KEY, upload_id, parts)


def test_parts_before_the_last_must_be_at_least_5_mib_as_on_s3(store):
    upload_id = store.start_multipart(KEY, "video/mp4")
    parts = [(n, store.write_part(KEY, upload_id, n, [b"small"])) for n in (1, 2)]
    with pytest.raises(Invalid) as refused:
        store.complete_multipart(KEY, upload_id, parts)
    assert refused.value.code == "part_too_small"


def test_abort_removes_the_parts(store):
    upload_id = store.start_multipart(KEY, "video/mp4")
    store.write_part(KEY, upload_id, 1, [b"data"])
    store.abort_multipart(KEY, upload_id)
    store.abort_multipart(KEY, upload_id)  # idempotent
    assert files_on_disk(store) == []
    with pytest.raises(NotFound):
        store.write_part(KEY, upload_id, 2, [b"late"])


@pytest.mark.parametrize("upload_id", ["../../entries", "..", "0" * 31, "A" * 32, "/etc"])
def test_upload_ids_are_checked_before_any_path_is_built(store, upload_id):
    with pytest.raises(NotFound):
        store.write_part(KEY, upload_id, 1, [b"x"])
    assert files_on_disk(store) == []


def test_an_upload_belongs_to_its_key(store):
    upload_id = store.start_multipart(KEY, "video/mp4")
    with pytest.raises(NotFound):
        store.write_part("entries/9/1/other", upload_id, 1, [b"x"])
    with pytest.raises(NotFound):
        store.part_urls("entries/9/1/other", upload_id, [1], 60)


def test_part_numbers_are_checked(store):
    upload_id = store.start_multipart(KEY, "video/mp4")
    for number in (0, 10_001):
        with pytest.raises(Invalid):
            store.write_part(KEY, upload_id, number, [b"x"])
        with pytest.raises(Invalid):
            store.part_urls(KEY, upload_id, [number], 60)


def test_part_urls_need_the_web_layer(tmp_path):
    store = LocalFileStore(tmp_path)
    upload_id = store.start_multipart(KEY, "video/mp4")
    with pytest.raises(RuntimeError):
        store.part_urls(KEY, upload_id, [1], 60)


def test_stale_multipart(store):
    upload_id = store.start_multipart(KEY, "video/mp4")
    assert store.stale_multipart(timedelta(hours=1)) == []
    assert store.stale_multipart(timedelta(0)) == [(KEY, upload_id)]
