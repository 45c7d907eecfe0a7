"""Entry files through the API, on local disk and on S3 (SeaweedFS): streamed and direct uploads."""

import hashlib
import os
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from award.errors import NotFound
from award.models import AuditEvent, Entry, EntryFile, Upload
from award.storage import LocalFileStore
from tests.factories import api_login, entry_payload, make_user
from tests.support.jobs import run_jobs

MiB = 1024 * 1024


def draft(client, session):
    user = make_user(session)
    headers = api_login(client, user)
    entry = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()
    return user, headers, entry["id"]


def test_pdf_upload_keeps_name_as_data_and_records_checksum(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    pdf = samples.pdf()
    name = "Bài dự thi – Kỳ 1 🇻🇳.pdf"
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": (name, pdf, "image/jpeg")})  # the browser's claim is ignored
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["filename"], body["size"], body["content_type"]) == (name, len(pdf), "application/pdf")
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest()
    row = session.get(EntryFile, body["id"])
    assert row.key.startswith("entries/") and name not in row.key and ".." not in row.key
    assert store.sha256(row.key) == body["sha256"]
    download = client.get(f"/api/v1/entries/{entry_id}/files/{row.id}", headers=headers, follow_redirects=False)
    if download.status_code == 307:  # S3: a short-lived presigned URL carrying the original name
        download = httpx.get(download.headers["location"])
    assert download.status_code == 200
    assert download.content == pdf
    assert "filename*=UTF-8''B%C3%A0i%20d%E1%BB%B1%20thi" in download.headers["content-disposition"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "entry.file_added")).all()[-1]
    assert event.data["sha256"] == body["sha256"]


def test_renamed_executable_is_refused_with_415_and_nothing_stored(client, session, clock, store):
    _, headers, entry_id = draft(client, session)
    exe = b"MZ\x90\x00" + os.urandom(5000)
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("bai-du-thi.pdf", exe, "application/pdf")})
    assert response.status_code == 415
    assert response.json()["detail"]["field"] == "file"
    assert "PDF" in response.json()["detail"]["message"]
    assert list(store.keys("entries/")) == []
    assert session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).all() == []


def test_empty_file_is_422(client, session, clock, store):
    _, headers, entry_id = draft(client, session)
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("rong.pdf", b"", "application/pdf")})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_file_over_the_cap_is_413(client, session, clock, store, samples, monkeypatch):
    from award.files import SizeCaps
    from api import deps

    monkeypatch.setattr(deps, "size_caps", lambda: SizeCaps(image=1000))
    import api.routers.files as files_router
    monkeypatch.setattr(files_router, "size_caps", lambda: SizeCaps(image=1000))
    _, headers, entry_id = draft(client, session)
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("anh.png", samples.png(padding=5000), "image/png")})
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "too_large"
    assert list(store.keys("entries/")) == []


def test_path_traversal_and_long_names_are_only_data(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    long_name = "../../etc/" + "Tác phẩm dự thi " * 30 + ".png"
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": (long_name, samples.png(), "image/png")})
    assert response.status_code == 201
    filename = response.json()["filename"]
    assert "/" not in filename and ".." not in filename.split(".png")[0][:2] and filename.endswith(".png")
    assert len(filename) <= 200


def test_same_file_in_another_entry_of_the_round_is_refused(client, session, clock, store, samples):
    _, headers, first = draft(client, session)
    pdf = samples.pdf()
    assert client.post(f"/api/v1/entries/{first}/files", headers=headers,
                       files={"file": ("a.pdf", pdf, "application/pdf")}).status_code == 201
    _, other, second = draft(client, session)
    response = client.post(f"/api/v1/entries/{second}/files", headers=other, files={"file": ("b.pdf", pdf, "application/pdf")})
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "duplicate_file"
    # the other work is a draft: "already in another work", not "already submitted"
    assert response.json()["detail"]["message"] == "Tệp này đã có trong một tác phẩm khác của đợt giải."
    assert len(list(store.keys("entries/"))) == 1


def test_another_journalist_cannot_upload_or_download(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    file_id = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                          files={"file": ("a.png", samples.png(), "image/png")}).json()["id"]
    stranger = api_login(client, make_user(session))
    assert client.post(f"/api/v1/entries/{entry_id}/files", headers=stranger,
                       files={"file": ("x.png", samples.png(padding=10), "image/png")}).status_code == 404
    assert client.get(f"/api/v1/entries/{entry_id}/files/{file_id}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/entries/{entry_id}/files/{file_id}").status_code == 401


def test_docx_text_is_extracted_for_tagging(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("bai.docx", samples.docx("Chi bộ bản Mồ Sì San giữ vững kỷ cương"),
                                           "application/octet-stream")})
    assert response.status_code == 201
    session.expire_all()
    assert not session.get(Entry, entry_id).extracted_text  # read by the worker, not in the upload request
    assert run_jobs(session).done == 3  # the draft's suggestions, the file's text, the suggestions it feeds
    assert "Chi bộ bản Mồ Sì San giữ vững kỷ cương" in session.get(Entry, entry_id).extracted_text


def _direct(client, headers, entry_id, data: bytes, content_type="video/mp4", name="phong-su.mp4", sha=None):
    return client.post(f"/api/v1/entries/{entry_id}/uploads", headers=headers, json={
        "filename": name, "size": len(data), "content_type": content_type,
        "sha256": sha or hashlib.sha256(data).hexdigest()})


def _put(client, url, data):
    # Local parts are on the app itself; S3 parts go to the bucket with no app credentials at all.
    if url.startswith("http://testserver"):
        return client.put(url, content=data)
    return httpx.put(url, content=data)


def video_bytes(samples, size):
    head = samples.ftyp(b"isom", size=0)
    return head + os.urandom(size - len(head))


def test_direct_multipart_upload_resumes_and_verifies_checksum(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 17 * MiB + 123)
    plan = _direct(client, headers, entry_id, data)
    assert plan.status_code == 201, plan.text
    plan = plan.json()
    size = plan["part_size"]
    assert [p["number"] for p in plan["parts"]] == [1, 2, 3]
    etags = {}
    first = _put(client, plan["parts"][0]["url"], data[:size])  # then the line drops
    assert first.status_code == 200
    etags[1] = first.headers["etag"]
    status = client.get(f"/api/v1/entries/{entry_id}/uploads/{plan['upload_id']}", headers=headers).json()
    assert [p["number"] for p in status["parts_done"]] == [1]
    assert [p["number"] for p in status["parts"]] == [2, 3]
    for part in status["parts"]:
        n = part["number"]
        response = _put(client, part["url"], data[(n - 1) * size: n * size])
        etags[n] = response.headers["etag"]
    done = client.post(f"/api/v1/entries/{entry_id}/uploads/{plan['upload_id']}/complete", headers=headers,
                       json={"parts": [{"number": n, "etag": e} for n, e in sorted(etags.items())]})
    assert done.status_code == 201, done.text
    assert done.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert done.json()["content_type"] == "video/mp4"
    assert session.get(Upload, plan["upload_id"]) is None


def test_direct_upload_with_wrong_checksum_leaves_no_file(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 6 * MiB)
    plan = _direct(client, headers, entry_id, data, sha="0" * 64).json()
    etag = _put(client, plan["parts"][0]["url"], data).headers["etag"]
    done = client.post(f"/api/v1/entries/{entry_id}/uploads/{plan['upload_id']}/complete", headers=headers,
                       json={"parts": [{"number": 1, "etag": etag}]})
    assert done.status_code == 422
    assert done.json()["detail"][0]["loc"] == ["body", "sha256"]
    assert session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).all() == []
    assert list(store.keys("entries/")) == []
    assert session.get(Upload, plan["upload_id"]) is None


def test_direct_upload_declared_type_must_match_content(client, session, clock, store):
    _, headers, entry_id = draft(client, session)
    data = b"MZ" + os.urandom(6 * MiB)
    plan = _direct(client, headers, entry_id, data).json()
    etag = _put(client, plan["parts"][0]["url"], data).headers["etag"]
    done = client.post(f"/api/v1/entries/{entry_id}/uploads/{plan['upload_id']}/complete", headers=headers,
                       json={"parts": [{"number": 1, "etag": etag}]})
    assert done.status_code == 415
    assert list(store.keys("entries/")) == []


def test_tampered_part_url_is_refused(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 1 * MiB)
    url = _direct(client, headers, entry_id, data).json()["parts"][0]["url"]
    tampered = url.replace("token=", "token=x") if "token=" in url else url.replace("Signature=", "Signature=0")
    assert _put(client, tampered, data).status_code == 403


def test_declared_video_over_the_cap_is_refused_before_any_byte(client, session, clock, store):
    _, headers, entry_id = draft(client, session)
    response = client.post(f"/api/v1/entries/{entry_id}/uploads", headers=headers, json={
        "filename": "phim.mp4", "size": 5 * 1024 ** 3, "content_type": "video/mp4", "sha256": "a" * 64})
    assert response.status_code == 413
    assert session.exec(select(Upload).where(Upload.entry_id == entry_id)).all() == []


def test_gc_removes_orphans_and_expired_uploads(client, session, clock, store, samples):
    from award.entry_files import collect_garbage

    _, headers, entry_id = draft(client, session)
    kept = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                       files={"file": ("a.png", samples.png(), "image/png")}).json()
    plan = _direct(client, headers, entry_id, video_bytes(samples, 1 * MiB)).json()
    orphan = f"entries/{entry_id}/orphan-0001"
    import io
    store.put(orphan, io.BytesIO(b"left behind by a crash"), "application/octet-stream")
    report = collect_garbage(session, store, now=clock.now + timedelta(days=2), grace=timedelta(0))
    assert (report.expired_uploads, report.orphan_objects) == (1, 1)
    assert session.get(Upload, plan["upload_id"]) is None
    assert list(store.keys("entries/")) == [session.get(EntryFile, kept["id"]).key]


# --- large uploads to local disk: parts written in place (issue 18 item 4), the same answers on S3 ----------


def _complete(client, headers, entry_id, upload_id, etags: dict[int, str]):
    return client.post(f"/api/v1/entries/{entry_id}/uploads/{upload_id}/complete", headers=headers,
                       json={"parts": [{"number": n, "etag": e} for n, e in sorted(etags.items())]})


@pytest.fixture
def followed(monkeypatch):
    """Local disk hashes parts as they arrive from 64 MiB on; these tests' smaller files are followed too."""
    from award import storage

    monkeypatch.setattr(storage, "FOLLOW_FROM", 0)


def test_parts_out_of_order_and_a_part_resent_make_the_declared_file(client, session, clock, store, samples,
                                                                     followed):
    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 16 * MiB + 5)
    plan = _direct(client, headers, entry_id, data).json()
    size = plan["part_size"]
    urls = {p["number"]: p["url"] for p in plan["parts"]}
    share = {n: data[(n - 1) * size: n * size] for n in urls}
    etags = {}
    for n in (3, 1, 2):
        response = _put(client, urls[n], share[n])
        assert response.status_code == 200
        etags[n] = response.headers["etag"]
    garbled = bytearray(share[2])
    garbled[1000] ^= 0xFF
    stale = _put(client, urls[2], bytes(garbled)).headers["etag"]  # sent twice: the later body counts...
    etags[2] = _put(client, urls[2], share[2]).headers["etag"]      # ... and here it is right again
    refused = _complete(client, headers, entry_id, plan["upload_id"], etags | {2: stale})
    # Local disk refuses the stale ETag; SeaweedFS assembles the version it names, which fails the checksum.
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] in (["body", "parts"], ["body", "sha256"])
    assert session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).all() == []
    plan = _direct(client, headers, entry_id, data).json()  # the refused completion ended that session
    etags = {p["number"]: _put(client, p["url"], share[p["number"]]).headers["etag"] for p in reversed(plan["parts"])}
    done = _complete(client, headers, entry_id, plan["upload_id"], etags)
    assert done.status_code == 201, done.text
    row = session.get(EntryFile, done.json()["id"])
    assert (row.size, row.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert b"".join(store.open(row.key)) == data


@pytest.mark.parametrize("follow", [False, True], ids=["read-once", "followed"])
def test_a_part_damaged_on_the_way_is_caught_by_the_checksum_and_nothing_counts(client, session, clock, store,
                                                                                  samples, monkeypatch, follow):
    from award import storage

    if follow:
        monkeypatch.setattr(storage, "FOLLOW_FROM", 0)
    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 8 * MiB + 77)
    plan = _direct(client, headers, entry_id, data).json()
    size = plan["part_size"]
    damaged = bytearray(data)
    damaged[size + 10] ^= 0x01  # one bit in the last part, of the right length
    etags = {p["number"]: _put(client, p["url"], bytes(damaged[(p["number"] - 1) * size: p["number"] * size]))
             .headers["etag"] for p in plan["parts"]}
    done = _complete(client, headers, entry_id, plan["upload_id"], etags)
    assert done.status_code == 422 and done.json()["detail"][0]["loc"] == ["body", "sha256"]
    assert "SHA-256 không khớp" in done.json()["detail"][0]["msg"]
    assert session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).all() == []
    assert list(store.keys("entries/")) == []
    assert session.get(Upload, plan["upload_id"]) is None


def test_complete_without_every_part_is_refused(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 8 * MiB + 77)
    plan = _direct(client, headers, entry_id, data).json()
    first = _put(client, plan["parts"][0]["url"], data[:plan["part_size"]]).headers["etag"]
    done = _complete(client, headers, entry_id, plan["upload_id"], {1: first})
    # Local disk knows the plan (every part must be listed); S3 assembles what is listed, too short.
    assert done.status_code == 422, done.text
    assert done.json()["detail"][0]["loc"] == ["body", "parts"]
    assert session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).all() == []
    assert list(store.keys("entries/")) == []


def test_gc_removes_an_abandoned_upload_and_its_bytes(client, session, clock, store, samples):
    from award.entry_files import collect_garbage

    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 8 * MiB + 77)
    plan = _direct(client, headers, entry_id, data).json()
    assert _put(client, plan["parts"][0]["url"], data[:plan["part_size"]]).status_code == 200  # then abandoned
    upload = session.get(Upload, plan["upload_id"])
    key, storage_id = upload.key, upload.storage_upload_id
    report = collect_garbage(session, store, now=clock.now + timedelta(hours=7), grace=timedelta(hours=1))
    assert report.expired_uploads == 1
    with pytest.raises(NotFound):
        store.list_parts(key, storage_id)
    if isinstance(store, LocalFileStore):
        assert [p for p in store.root.rglob("*") if p.is_file()] == []  # the in-place file is gone too
