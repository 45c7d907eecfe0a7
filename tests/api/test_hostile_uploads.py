"""Hostile uploads through the API: refused with a Vietnamese message and nothing stored, or accepted
within the extraction caps while the app keeps answering other requests."""

import threading
import time

from sqlmodel import select

import award.sandbox
from award.models import Entry, EntryFile, Role
from tests.api.test_files_api import draft
from tests.award.test_hostile_files import CPU_BOMB_OPS
from tests.factories import api_login, make_user


def test_a_pdf_that_would_take_minutes_to_read_is_stored_without_text_within_the_cap(
        client, session, clock, store, samples, monkeypatch):
    monkeypatch.setattr(award.sandbox, "TIMEOUT", 2.0)
    _, headers, entry_id = draft(client, session)
    answered = []

    def health_while_uploading():
        time.sleep(0.5)
        t = time.monotonic()
        answered.append((client.get("/healthz").status_code, time.monotonic() - t))

    probe = threading.Thread(target=health_while_uploading)
    probe.start()
    started = time.monotonic()
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("vong-lap.pdf", samples.pdf_with_streams([CPU_BOMB_OPS]), "application/pdf")})
    elapsed = time.monotonic() - started
    probe.join()
    assert response.status_code == 201, response.text
    assert elapsed < 8
    assert answered and answered[0][0] == 200 and answered[0][1] < 1.5  # served while the child worked
    row = session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).one()
    assert (row.content_type, row.pages) == ("application/pdf", None)
    assert not session.get(Entry, entry_id).extracted_text


def test_an_image_declaring_160_megapixels_is_refused_and_nothing_kept(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("anh.png", samples.png_header(16_000, 10_000), "image/png")})
    assert response.status_code == 415
    assert response.json()["detail"] == {
        "code": "image_too_large", "field": "file",
        "message": "Ảnh quá lớn về kích thước điểm ảnh (16000 × 10000; tối đa 150 triệu điểm ảnh)."}
    assert session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).all() == []
    assert list(store.keys("entries/")) == []


def test_a_pdf_html_polyglot_is_only_ever_served_as_a_pdf(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    polyglot = samples.pdf() + b"\n<html><script>alert(document.cookie)</script></html>\n"
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("trang.html", polyglot, "text/html")})
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "application/pdf"
    download = client.get(f"/api/v1/entries/{entry_id}/files/{response.json()['id']}?inline=true", headers=headers,
                          follow_redirects=False)
    if download.status_code == 307:  # S3 answers with the type the app signed for
        assert "response-content-type=application%2Fpdf" in download.headers["location"]
    else:
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["x-content-type-options"] == "nosniff"
        assert "script-src 'self'" in download.headers["content-security-policy"]


def test_an_outline_that_would_take_minutes_to_read_is_refused_in_vietnamese(client, session, samples, monkeypatch):
    monkeypatch.setattr(award.sandbox, "TIMEOUT", 2.0)
    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.post("/api/v1/outlines/parse", headers=headers,
                           files={"file": ("de-cuong.pdf", samples.pdf_with_streams([CPU_BOMB_OPS]), "application/pdf")})
    assert response.status_code == 415
    assert response.json()["detail"]["message"] == \
        "Tệp “de-cuong.pdf”: tài liệu cần quá nhiều thời gian để đọc nội dung (nghi là tệp độc hại)."
