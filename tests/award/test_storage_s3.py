"""The S3 store against a real SeaweedFS: streaming writer, presigned direct multipart, and outages."""

import hashlib
import io
import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from award.errors import Invalid, NotFound
from award.files import FileTooLarge, SizeCaps, UploadSink
from award.storage import MIN_PART_SIZE, PART_SIZE, S3FileStore, StorageUnavailable
from tests.support.s3server import start_seaweedfs

pytestmark = pytest.mark.s3

KEY = "entries/9/1/0123456789abcdef0123456789abcdef"
MiB = 1024 * 1024


def pattern(size: int) -> bytes:
    """Bytes that differ from part to part, so a swapped or repeated part changes the hash."""
    block = hashlib.sha256(str(size).encode()).digest() * (MiB // 32)
    return (bytes(range(256)) * 4 + block)[:MiB] * (size // MiB) + b"z" * (size % MiB)


def in_chunks(data: bytes, size: int):
    return (data[at:at + size] for at in range(0, len(data), size))


def uploads_in_progress(store: S3FileStore) -> list:
    return store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])


def put_parts(urls: dict[int, str], parts: dict[int, bytes]) -> dict[int, str]:
    """What a browser does: PUT each part to its presigned URL and keep the ETag it answers."""
    etags = {}
    for number, body in parts.items():
        response = httpx.put(urls[number], content=body)
        assert response.status_code == 200, response.text
        etags[number] = response.headers["etag"]
    return etags


# -- streaming writer ----------------------------------------------------------------------------


def test_writer_small_file_is_one_put(s3_store):
    writer = s3_store.writer(KEY, "application/pdf")
    writer.write(b"%PDF-1.7 ")
    writer.write(b"small")
    stored = writer.commit()
    assert (stored.size, stored.sha256) == (14, hashlib.sha256(b"%PDF-1.7 small").hexdigest())
    head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=KEY)
    assert head["ContentType"] == "application/pdf"
    assert "-" not in head["ETag"]  # a single PUT, not a multipart upload
    assert s3_store.read_head(KEY, 4) == b"%PDF" and s3_store.size(KEY) == 14


def test_writer_17_mib_goes_up_in_8_mib_parts(s3_store, tmp_path):
    data = pattern(17 * MiB)
    writer = s3_store.writer(KEY, "video/mp4")
    for chunk in in_chunks(data, 3 * MiB + 1):  # chunks that do not line up with parts
        writer.write(chunk)
        assert len(writer.buffer) <= PART_SIZE
    stored = writer.commit()
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=KEY)
    assert head["ETag"].endswith('-3"') and head["ContentType"] == "video/mp4"
    assert s3_store.sha256(KEY) == stored.sha256
    s3_store.download_to(KEY, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data
    assert uploads_in_progress(s3_store) == []


def test_writer_of_exactly_one_part_is_still_one_put(s3_store):
    writer = s3_store.writer(KEY, "video/mp4")
    writer.write(bytes(PART_SIZE))
    writer.commit()
    assert "-" not in s3_store.client.head_object(Bucket=s3_store.bucket, Key=KEY)["ETag"]


def test_writer_abort_removes_everything(s3_store):
    writer = s3_store.writer(KEY, "video/mp4")
    writer.write(pattern(17 * MiB))  # two parts are up already
    assert len(uploads_in_progress(s3_store)) == 1
    writer.abort()
    assert uploads_in_progress(s3_store) == []
    assert not s3_store.exists(KEY) and list(s3_store.keys()) == []


def test_put_keeps_working(s3_store):
    stored = s3_store.put(KEY, io.BytesIO(b"hello"), "text/plain")
    assert stored.size == 5 and b"".join(s3_store.open(KEY)) == b"hello"
    assert list(s3_store.keys("entries/")) == [KEY]
    s3_store.delete(KEY)
    assert not s3_store.exists(KEY)


def test_missing_and_empty_objects(s3_store):
    with pytest.raises(FileNotFoundError):
        s3_store.size(KEY)
    s3_store.put(KEY, io.BytesIO(b""), "text/plain")
    assert s3_store.read_head(KEY, 8192) == b""


# -- the upload sink on S3 -----------------------------------------------------------------------


def test_sink_streams_a_video_to_s3(s3_store, samples):
    data = samples.ftyp(b"isom", size=17 * MiB)
    sink = UploadSink(s3_store, KEY, SizeCaps())
    for chunk in in_chunks(data, MiB):
        sink.write(chunk)
    stored = sink.finish()
    assert (stored.kind, stored.mime, stored.size) == ("video", "video/mp4", len(data))
    assert s3_store.sha256(KEY) == stored.sha256 == hashlib.sha256(data).hexdigest()


def test_sink_over_the_cap_aborts_the_multipart_upload(s3_store, samples):
    sink = UploadSink(s3_store, KEY, SizeCaps(video=20 * MiB))
    with pytest.raises(FileTooLarge):
        for chunk in in_chunks(samples.ftyp(b"isom", size=30 * MiB), MiB):
            sink.write(chunk)
    assert uploads_in_progress(s3_store) == [] and not s3_store.exists(KEY)


def test_sink_verifies_a_docx_before_it_is_visible(s3_store, samples):
    stored = UploadSink(s3_store, KEY)
    stored.write(samples.docx())
    assert stored.finish().ext == "docx" and s3_store.exists(KEY)


# -- presigned direct multipart ------------------------------------------------------------------


def test_presigned_multipart_upload(s3_store):
    parts = {1: pattern(5 * MiB), 2: pattern(MIN_PART_SIZE + 7), 3: b"the last part may be small"}
    upload_id = s3_store.start_multipart(KEY, "video/mp4")
    urls = s3_store.part_urls(KEY, upload_id, list(parts), ttl_seconds=600)
    etags = put_parts(urls, parts)
    assert etags == {n: f'"{hashlib.md5(body).hexdigest()}"' for n, body in parts.items()}

    size = s3_store.complete_multipart(KEY, upload_id, sorted(etags.items())).size
    whole = b"".join(parts[n] for n in sorted(parts))
    assert size == len(whole)
    assert s3_store.sha256(KEY) == hashlib.sha256(whole).hexdigest()
    assert s3_store.client.head_object(Bucket=s3_store.bucket, Key=KEY)["ContentType"] == "video/mp4"
    with pytest.raises(NotFound):
        s3_store.list_parts(KEY, upload_id)


def test_a_tampered_signature_is_refused(s3_store):
    upload_id = s3_store.start_multipart(KEY, "video/mp4")
    url = s3_store.part_urls(KEY, upload_id, [1], ttl_seconds=600)[1]
    scheme, netloc, path, query, _ = urlsplit(url)
    params = dict(parse_qsl(query))
    signature = params["X-Amz-Signature"]
    params["X-Amz-Signature"] = ("0" if signature[0] != "0" else "1") + signature[1:]
    tampered = urlunsplit((scheme, netloc, path, urlencode(params), ""))
    assert httpx.put(tampered, content=b"part").status_code == 403
    other_part = url.replace("partNumber=1", "partNumber=2")  # a signed parameter changed
    assert httpx.put(other_part, content=b"part").status_code == 403
    assert s3_store.list_parts(KEY, upload_id) == {}


def test_an_expired_part_url_is_refused(s3_store):
    upload_id = s3_store.start_multipart(KEY, "video/mp4")
    url = s3_store.part_urls(KEY, upload_id, [1], ttl_seconds=1)[1]
    time.sleep(2)
    response = httpx.put(url, content=b"part")
    assert response.status_code == 403 and "expired" in response.text


def test_an_interrupted_upload_resumes_from_list_parts(s3_store):
    parts = {1: pattern(5 * MiB), 2: pattern(5 * MiB + 1), 3: pattern(2 * MiB)}
    upload_id = s3_store.start_multipart(KEY, "video/mp4")
    urls = s3_store.part_urls(KEY, upload_id, [1, 2, 3], ttl_seconds=600)
    put_parts(urls, {1: parts[1], 2: parts[2]})  # ... and the connection drops

    # A new page load: ask what arrived, send only what is missing, with fresh URLs.
    arrived = s3_store.list_parts(KEY, upload_id)
    assert {n: size for n, (_, size) in arrived.items()} == {1: len(parts[1]), 2: len(parts[2])}
    missing = [n for n in parts if n not in arrived]
    fresh = s3_store.part_urls(KEY, upload_id, missing, ttl_seconds=600)
    etags = {n: etag for n, (etag, _) in arrived.items()} | put_parts(fresh, {n: parts[n] for n in missing})

    assert s3_store.complete_multipart(KEY, upload_id, sorted(etags.items())).size == sum(map(len, parts.values()))
    assert s3_store.sha256(KEY) == hashlib.sha256(parts[1] + parts[2] + parts[3]).hexdigest()


def test_complete_with_a_wrong_etag_or_small_part_is_invalid(s3_store):
    upload_id = s3_store.start_multipart(KEY, "video/mp4")
    urls = s3_store.part_urls(KEY, upload_id, [1, 2], ttl_seconds=600)
    etags = put_parts(urls, {1: b"too small", 2: b"last"})
    with pytest.raises(Invalid) as refused:
        s3_store.complete_multipart(KEY, upload_id, [(1, '"' + "0" * 32 + '"')])
    assert refused.value.code == "invalid_parts"
    with pytest.raises(Invalid) as refused:
        s3_store.complete_multipart(KEY, upload_id, sorted(etags.items()))
    assert refused.value.code == "part_too_small"


def test_abort_and_stale_multipart(s3_store):
    upload_id = s3_store.start_multipart(KEY, "video/mp4")
    assert s3_store.stale_multipart(timedelta(hours=1)) == []
    time.sleep(0.01)
    assert (KEY, upload_id) in s3_store.stale_multipart(timedelta(0))
    s3_store.abort_multipart(KEY, upload_id)
    s3_store.abort_multipart(KEY, upload_id)  # idempotent
    assert uploads_in_progress(s3_store) == []
    with pytest.raises(NotFound):
        s3_store.list_parts(KEY, upload_id)


def test_presign_client_signs_for_the_public_address(s3_server, s3_store):
    public = s3_server.client()  # a second client, as the app builds one for the public endpoint
    store = S3FileStore(s3_store.client, s3_store.bucket, presign_client=public)
    upload_id = store.start_multipart(KEY, "video/mp4")
    url = store.part_urls(KEY, upload_id, [1], ttl_seconds=60)[1]
    assert url.startswith(s3_server.endpoint_url + "/") and httpx.put(url, content=b"x").status_code == 200


# -- outage --------------------------------------------------------------------------------------


def test_storage_unavailable_while_the_server_is_down(tmp_path):
    """A private server (the shared one must stay up), crashed rather than stopped: the client sees the
    same refused connections, and a graceful stop of `weed mini` costs two seconds each time."""
    server = start_seaweedfs(tmp_path / "private", reuse=False)
    try:
        client = server.client(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1})
        client.create_bucket(Bucket="outage")
        store = S3FileStore(client, "outage")
        store.put(KEY, io.BytesIO(b"kept"), "text/plain")
        server.kill()
        for call in (store.check, lambda: store.size(KEY), lambda: store.start_multipart(KEY, "video/mp4"),
                     lambda: list(store.keys()), lambda: store.stale_multipart(timedelta(0))):
            with pytest.raises(StorageUnavailable):
                call()
        writer = store.writer(KEY + "2", "text/plain")
        writer.write(b"lost")
        with pytest.raises(StorageUnavailable):
            writer.commit()
        server.start()
        store.check()
        assert b"".join(store.open(KEY)) == b"kept"
    finally:
        server.kill()
        server.stop()  # only removes the sockets weed leaves in /tmp
