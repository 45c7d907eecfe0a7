"""What the tagger reads of a work's files is the text of the documents it has now: each document's text is
kept on its own row, and the work's text is derived from its current files (award.entry_files
.refresh_extracted_text), so a removed document stops feeding the suggestions and a job run twice reads once."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlmodel import select

from award.jobs import Job, JobStatus
from award.models import Entry, EntryFile, ThemeSuggestion
from award.textextract import EXTRACTOR_VERSION
from tests.api.test_files_api import draft
from tests.factories import csrf_from, web_login
from tests.support.jobs import run_jobs

FIRST = "Kỳ 1: Ban Tuyên giáo bác bỏ tin bịa đặt, luận điệu xuyên tạc trên mạng xã hội về công tác cán bộ"
SECOND = "Kỳ 2: Chi bộ bản Mồ Sì San kết nạp đảng viên mới là người dân tộc thiểu số, giữ vững sinh hoạt chi bộ"
WORKER_TIME = datetime(2024, 9, 20, 3, 0, tzinfo=UTC)  # after the test clock's 09:00 +07 (02:00 UTC)


def _upload(client, headers, entry_id, name, docx) -> int:
    response = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": (name, docx, "application/octet-stream")})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _text(session, entry_id) -> str:
    session.expire_all()
    return session.get(Entry, entry_id).extracted_text


def _waiting(session, entry_id, kind) -> list[Job]:
    return list(session.exec(select(Job).where(Job.entry_id == entry_id, Job.kind == kind,
                                               Job.status == JobStatus.pending)).all())


def _whys(session, entry_id) -> str:
    return " ".join(w or "" for w in session.exec(select(ThemeSuggestion.why)
                                                  .where(ThemeSuggestion.entry_id == entry_id)).all())


def test_a_removed_document_no_longer_feeds_the_work_s_suggestions(client, session, clock, store, samples):
    user, headers, entry_id = draft(client, session)
    first = _upload(client, headers, entry_id, "ky-1.docx", samples.docx(FIRST))
    _upload(client, headers, entry_id, "ky-2.docx", samples.docx(SECOND))
    assert run_jobs(session, now=WORKER_TIME).failed == 0
    assert _text(session, entry_id) == f"{FIRST}\n\n{SECOND}"
    assert "“xuyên tạc”" in _whys(session, entry_id)  # the first document's words explain a theme

    web_login(client, user)
    page = client.get(f"/entries/{entry_id}")
    removed = client.post(f"/entries/{entry_id}/files/{first}/remove", data={"csrf_token": csrf_from(page.text)})
    assert removed.status_code == 200 and "Đã gỡ tệp khỏi hồ sơ." in removed.text
    assert _text(session, entry_id) == SECOND
    assert _waiting(session, entry_id, "entry.suggest")  # ranked again, without the removed document
    assert "Đang tính gợi ý chủ đề…" in client.get(f"/entries/{entry_id}").text

    later = WORKER_TIME + timedelta(hours=1)
    assert run_jobs(session, now=later).failed == 0
    computed = session.exec(select(ThemeSuggestion.computed_at).where(ThemeSuggestion.entry_id == entry_id)).all()
    assert computed and {c.replace(tzinfo=UTC) for c in computed} == {later}
    assert "xuyên tạc" not in _whys(session, entry_id)
    assert "Đang tính gợi ý chủ đề…" not in client.get(f"/entries/{entry_id}").text


def test_removing_a_file_without_text_keeps_the_ranking_current(client, session, clock, store, samples):
    user, headers, entry_id = draft(client, session)
    _upload(client, headers, entry_id, "ky-2.docx", samples.docx(SECOND))
    image = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                        files={"file": ("anh.png", samples.png(), "image/png")}).json()["id"]
    run_jobs(session, now=WORKER_TIME)
    assert client.delete(f"/api/v1/entries/{entry_id}/files/{image}", headers=headers).status_code == 204
    assert _text(session, entry_id) == SECOND and not _waiting(session, entry_id, "entry.suggest")
    web_login(client, user)
    assert "Đang tính gợi ý chủ đề…" not in client.get(f"/entries/{entry_id}").text


def test_the_text_extraction_run_twice_keeps_the_text_once(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    file_id = _upload(client, headers, entry_id, "ky-2.docx", samples.docx(SECOND))
    run_jobs(session, now=WORKER_TIME)
    # a worker killed after reading and before its commit: the job is claimed and run again
    job = session.exec(select(Job).where(Job.kind == "entry.extract_text", Job.entry_id == entry_id)).one()
    job.status = JobStatus.pending
    session.add(job)
    assert run_jobs(session, now=WORKER_TIME + timedelta(minutes=1)).done >= 1
    assert _text(session, entry_id) == SECOND
    row = session.get(EntryFile, file_id)
    assert (row.text, row.extractor_version) == (SECOND, EXTRACTOR_VERSION)


@pytest.mark.parametrize("store", ["local"], indirect=True)
def test_the_work_s_text_is_always_its_current_documents_texts_in_upload_order(client, session, clock, store,
                                                                              samples):
    """Any sequence of uploads, removals, extraction jobs run again and worker passes on a work (Hypothesis,
    a new work per sequence): after each step the work's text is the texts of its current documents the
    worker has read, in the order they were uploaded."""
    serial = itertools.count()  # every upload's bytes differ: the same file twice in a round is refused

    class Files(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            _, self.headers, self.entry_id = draft(client, session)
            self.files: list[dict] = []  # the model: id, text, removed, read, due (its extraction job waits)

        def live(self) -> list[dict]:
            return [f for f in self.files if not f["removed"]]

        @precondition(lambda self: len(self.live()) < 3)
        @rule(text=st.sampled_from([FIRST, SECOND]))
        def upload(self, text):
            text = f"Bài {next(serial)}. {text}"
            file_id = _upload(client, self.headers, self.entry_id, "bai.docx", samples.docx(text))
            self.files.append({"id": file_id, "text": text, "removed": False, "read": False, "due": True})

        @precondition(lambda self: self.live())
        @rule(data=st.data())
        def remove(self, data):
            f = data.draw(st.sampled_from(self.live()))
            response = client.delete(f"/api/v1/entries/{self.entry_id}/files/{f['id']}", headers=self.headers)
            assert response.status_code == 204
            f["removed"] = True

        @precondition(lambda self: any(not f["due"] for f in self.files))
        @rule(data=st.data())
        def extraction_runs_again(self, data):  # a worker killed before its commit, the file removed since or not
            f = data.draw(st.sampled_from([f for f in self.files if not f["due"]]))
            job = session.exec(select(Job).where(Job.key == f"entry.extract_text:{f['id']}:v{EXTRACTOR_VERSION}")).one()
            job.status, f["due"] = JobStatus.pending, True
            session.add(job)
            session.flush()  # before the invariant's expire_all, which would drop the change

        @precondition(lambda self: any(f["due"] for f in self.files))
        @rule()
        def worker(self):
            assert run_jobs(session, now=WORKER_TIME).failed == 0
            for f in self.files:
                f["read"], f["due"] = f["read"] or not f["removed"], False

        @invariant()
        def the_text_is_the_current_documents(self):
            expected = "\n\n".join(f["text"] for f in self.files if f["read"] and not f["removed"])
            assert _text(session, self.entry_id) == expected

    run_state_machine_as_test(Files, settings=settings(max_examples=12, stateful_step_count=8, deadline=None,
                                                       database=None, suppress_health_check=list(HealthCheck)))


def test_the_work_s_page_says_when_a_document_has_no_text_to_read(client, session, clock, store, samples):
    """A scan without a text layer is accepted (the judges read it), but nothing of it feeds the suggestions:
    once the worker has read it, its row on the work's page says so; a document with text says nothing."""
    user, headers, entry_id = draft(client, session)
    _upload(client, headers, entry_id, "ban-scan.pdf", samples.pdf())  # a blank page: no text layer
    _upload(client, headers, entry_id, "ky-2.docx", samples.docx(SECOND))
    web_login(client, user)
    note = "Không đọc được chữ trong tệp này (có thể là bản scan)"
    assert note not in client.get(f"/entries/{entry_id}").text  # not read yet: nothing to say
    assert run_jobs(session, now=WORKER_TIME).failed == 0
    page = client.get(f"/entries/{entry_id}").text
    assert page.count(note) == 1
    row = page[page.index("ban-scan.pdf"):page.index("</tr>", page.index("ban-scan.pdf"))]
    assert note in row
