"""Background work seen from the site: an upload no longer reads the document's text, the worker does; the
work's page says what it waits for; the stored suggestions are served once current; a failed job is
shown to the secretariat, who can run it again."""

from datetime import UTC, datetime

from sqlmodel import select

from award.jobs import Job, JobStatus
from award.models import Entry, EntryFile, Role, ThemeSuggestion
from tests.api.test_files_api import draft
from tests.factories import csrf_from, make_user, web_login
from tests.support.jobs import run_jobs

TEXT = "Chi bộ bản Mồ Sì San giữ vững kỷ cương, kỷ luật đảng, phòng chống tham nhũng tiêu cực"
WORKER_TIME = datetime(2024, 9, 20, 3, 0, tzinfo=UTC)  # after the test clock's 09:00 +07 (02:00 UTC)


def test_the_worker_reads_an_uploaded_document_and_ranks_its_themes(client, session, clock, store, samples):
    user, headers, entry_id = draft(client, session)
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("bai.docx", samples.docx(TEXT), "application/octet-stream")})
    assert response.status_code == 201
    session.expire_all()
    assert not session.get(Entry, entry_id).extracted_text  # the upload request did not read it
    queued = session.exec(select(Job.kind).where(Job.entry_id == entry_id, Job.status == JobStatus.pending)).all()
    assert sorted(queued) == ["entry.extract_text", "entry.suggest"]

    web_login(client, user)
    waiting = client.get(f"/entries/{entry_id}")
    assert "Đang đọc văn bản tệp…" in waiting.text and 'http-equiv="refresh"' in waiting.text
    assert 'data-refresh-after="3"' in waiting.text  # static/js/refresh.js: never under the reader's hands
    clock.set("2024-09-20T09:06:00+07:00")  # no worker for six minutes: the page stops reloading itself
    late = client.get(f"/entries/{entry_id}")
    assert "chậm hơn thường lệ" in late.text and 'http-equiv="refresh"' not in late.text
    assert "data-refresh-after" not in late.text
    # the API keeps its contract meanwhile: computed in the request, as before the worker
    early = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers)
    assert early.status_code == 200 and len(early.json()) > 3

    assert run_jobs(session, now=WORKER_TIME).done == 3  # the draft's ranking, the file's text, its ranking
    assert TEXT in session.get(Entry, entry_id).extracted_text
    stored = session.exec(select(ThemeSuggestion).where(ThemeSuggestion.entry_id == entry_id)
                          .order_by(ThemeSuggestion.rank)).all()
    assert stored and {s.computed_at.replace(tzinfo=UTC) for s in stored} == {WORKER_TIME}

    page = client.get(f"/entries/{entry_id}")
    assert "Đang đọc văn bản tệp…" not in page.text and "Đang tính gợi ý chủ đề…" not in page.text
    assert 'name="codes"' in page.text
    served = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers).json()
    assert [s["score"] for s in served] == sorted((s["score"] for s in served), reverse=True)
    assert len(served) == len(stored)
    session.expire_all()
    again = session.exec(select(ThemeSuggestion.computed_at).where(ThemeSuggestion.entry_id == entry_id)).all()
    assert {c.replace(tzinfo=UTC) for c in again} == {WORKER_TIME}  # served from the table, not recomputed


def test_a_refused_upload_queues_nothing(client, session, clock, store, samples):
    _, headers, first = draft(client, session)
    pdf = samples.pdf()
    assert client.post(f"/api/v1/entries/{first}/files", headers=headers,
                       files={"file": ("a.pdf", pdf, "application/pdf")}).status_code == 201
    _, other, second = draft(client, session)
    refused = client.post(f"/api/v1/entries/{second}/files", headers=other,
                          files={"file": ("b.pdf", pdf, "application/pdf")})
    assert refused.status_code == 409
    assert session.exec(select(Job).where(Job.entry_id == second, Job.kind == "entry.extract_text")).first() is None
    assert run_jobs(session).failed == 0
    assert session.exec(select(EntryFile.pages).where(EntryFile.entry_id == first)).one() == 1


def test_a_failed_job_is_listed_for_the_secretariat_who_runs_it_again(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                files={"file": ("bai.docx", samples.docx(TEXT), "application/octet-stream")})
    row = session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).one()
    store.delete(row.key)  # the stored file is gone: reading it fails every time
    job = session.exec(select(Job).where(Job.kind == "entry.extract_text", Job.entry_id == entry_id)).one()
    job.max_attempts = 1
    session.add(job)
    assert run_jobs(session).failed == 1
    session.refresh(job)
    assert job.status == JobStatus.failed and job.last_error

    web_login(client, make_user(session, role=Role.secretariat))
    dashboard = client.get("/dashboard")
    assert "Việc nền bị lỗi:" in dashboard.text and "1 việc" in dashboard.text
    page = client.get("/admin/outbox")
    assert "Việc nền" in page.text and "Đọc văn bản tệp" in page.text and f'id="viec-{job.id}"' in page.text
    assert "Chạy lại" in page.text
    done = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 200 and f"Đã đưa việc nền #{job.id}" in done.text
    session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.pending, 0)
    again = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": csrf_from(page.text)})
    assert "không cần chạy lại" in again.text
    assert "Việc nền bị lỗi:" not in client.get("/dashboard").text
