"""The records in the API (docs/API.md "Round administration"): the audit log filtered and paged, the outbox listed
and retried, the round's works as a spreadsheet (the filter's rows, a unit manager's own unit, text stays text)."""

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlmodel import select

from award import audit
from award.models import AuditEvent, Role, Unit
from award.outbox import OutboxMessage, OutboxStatus
from tests.factories import api_login, make_entry, make_user, round_by_number

T0 = datetime(2024, 9, 20, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam


def _events(session, n: int, *, object_id: str, actor_id=None, start=T0, action="test.event"):
    for i in range(n):
        audit.record(session, actor_id=actor_id, action=action, object_type="entry", object_id=object_id,
                     now=start + timedelta(hours=i), data={"n": i})
    session.commit()


def test_audit_list_filters_by_object_actor_and_since_newest_first_and_pages(client, session):
    sec = make_user(session, role=Role.secretariat, full_name="Phạm Thư Ký")
    other = make_user(session, role=Role.secretariat)
    _events(session, 55, object_id="880001", actor_id=sec.id)
    _events(session, 3, object_id="880002", actor_id=other.id)
    headers = api_login(client, sec)

    first = client.get("/api/v1/audit", params={"entity": "entry", "entity_id": "880001"}, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["total"] == 55 and len(body["items"]) == 50
    assert [i["data"]["n"] for i in body["items"][:3]] == [54, 53, 52]  # newest first
    assert body["items"][0]["actor"] == "Phạm Thư Ký" and body["items"][0]["actor_id"] == sec.id
    second = client.get("/api/v1/audit", params={"entity": "entry", "entity_id": "880001", "page": 2},
                        headers=headers).json()
    assert [i["data"]["n"] for i in second["items"]] == [4, 3, 2, 1, 0]

    by_actor = client.get("/api/v1/audit", params={"actor_id": other.id, "entity": "entry"}, headers=headers).json()
    assert by_actor["total"] == 3 and {i["object_id"] for i in by_actor["items"]} == {"880002"}
    # since a day in Vietnam: events at 09:00 on 20/9 plus i hours; from 21/9 00:00 (+07) on
    since = client.get("/api/v1/audit", params={"entity_id": "880001", "since": "2024-09-21"}, headers=headers).json()
    assert since["total"] == 55 - 15  # 09:00 + 15 h = 00:00 on the 21st
    bad = client.get("/api/v1/audit", params={"since": "hôm qua"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "since"


def _mail(session, status: OutboxStatus, *, created=T0, attempts=0, error=None, n=1) -> OutboxMessage:
    row = OutboxMessage(key=f"test:{status}:{n}:{created.isoformat()}", kind="test", recipient=f"nhabao{n}@example.vn",
                        subject=f"Thư số {n}", body="Nội dung", status=status, created_at=created,
                        next_attempt_at=created, attempts=attempts, last_error=error,
                        sent_at=created if status == OutboxStatus.sent else None)
    session.add(row)
    session.commit()
    return row


def test_outbox_lists_by_status_and_retries_a_failed_mail_but_not_a_sent_one(client, session, clock):
    clock.set("2024-09-20T10:00:00+07:00")
    sec = make_user(session, role=Role.secretariat)
    failed = _mail(session, OutboxStatus.failed, attempts=12, error="connect: ConnectionRefusedError", n=1)
    sent = _mail(session, OutboxStatus.sent, n=2)
    stuck = _mail(session, OutboxStatus.pending, n=3)  # due at 09:00, unsent at 10:00
    fresh = _mail(session, OutboxStatus.pending, created=T0 + timedelta(minutes=55), n=4)  # due 5 minutes ago
    headers = api_login(client, sec)

    listed = client.get("/api/v1/outbox", params={"status": "failed"}, headers=headers).json()
    assert [i["id"] for i in listed["items"]] == [failed.id] and listed["total"] == 1
    assert listed["items"][0]["last_error"] == "connect: ConnectionRefusedError"
    pending = {i["id"]: i["stuck"] for i in client.get("/api/v1/outbox", params={"status": "pending"},
                                                        headers=headers).json()["items"]}
    assert pending == {stuck.id: True, fresh.id: False}
    assert client.get("/api/v1/outbox", params={"status": "lost"}, headers=headers).status_code == 422

    retried = client.post(f"/api/v1/outbox/{failed.id}/retry", headers=headers)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    session.expire_all()
    assert session.get(OutboxMessage, failed.id).status == OutboxStatus.pending
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).one()
    assert (event.object_id, event.actor_id, event.data["from"]) == (str(failed.id), sec.id, "failed")
    assert client.post(f"/api/v1/outbox/{stuck.id}/retry", headers=headers).status_code == 200

    for row in (sent, fresh):
        refused = client.post(f"/api/v1/outbox/{row.id}/retry", headers=headers)
        assert refused.status_code == 409 and refused.json()["detail"]["code"] == "not_retryable"
    session.expire_all()
    assert session.get(OutboxMessage, sent.id).status == OutboxStatus.sent
    assert client.post("/api/v1/outbox/999999/retry", headers=headers).status_code == 404


def _sheet(response) -> list[list]:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_entries_xlsx_holds_the_filters_rows_and_a_unit_manager_only_their_units(client, session):
    round_ = round_by_number(session, "IX")
    a = make_entry(session, title="Người giữ lửa ở bản Mông", status="eligible")
    b = make_entry(session, title="=HYPERLINK(\"http://x\")", status="received")
    c = make_entry(session, title="Người giữ lửa Nghệ An", unit_code="nghe-an", status="eligible",
                   media_type="tv", genre="phóng sự")
    session.commit()
    sec = make_user(session, role=Role.secretariat)
    headers = api_login(client, sec)
    url = f"/api/v1/rounds/{round_.id}/entries.xlsx"

    rows = _sheet(client.get(url, params={"q": "nguoi giu lua"}, headers=headers))
    # named as every other document names the round (the results export, the PDFs): "lần thứ IX – năm 2024"
    assert rows[0][0] == "Tác phẩm dự Giải Búa liềm vàng lần thứ IX – năm 2024"
    assert rows[1][:2] == ["Mã", "Tên tác phẩm"]
    assert sorted(r[0] for r in rows[2:]) == sorted([a.id, c.id])
    tv = _sheet(client.get(url, params={"q": "nguoi giu lua", "media_type": "tv"}, headers=headers))
    assert [r[0] for r in tv[2:]] == [c.id] and tv[2][4] == "Nghệ An"
    assert tv[2][2:4] == ["Truyền hình", "Phóng sự"]  # as the pages show them (award.rules.genre_label)
    received = _sheet(client.get(url, params={"status": "received"}, headers=headers))
    formula = [r for r in received[2:] if r[0] == b.id][0]
    assert formula[1] == "'=HYPERLINK(\"http://x\")"  # text, not a formula the spreadsheet would run

    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    mine = api_login(client, manager)
    own = _sheet(client.get(url, params={"q": "nguoi giu lua"}, headers=mine))
    assert [r[0] for r in own[2:]] == [a.id]
    assert own[0][0] == "Tác phẩm dự Giải Búa liềm vàng lần thứ IX – năm 2024 – Hà Tĩnh"
    nghe_an = session.exec(select(Unit.id).where(Unit.code == "nghe-an")).one()
    other = client.get(url, params={"unit_id": nghe_an}, headers=mine)
    assert other.status_code == 403 and other.json()["detail"]["code"] == "not_your_unit"
    judge = api_login(client, make_user(session, role=Role.local_judge))
    assert client.get(url, headers=judge).status_code == 403
    assert client.get("/api/v1/rounds/999999/entries.xlsx", headers=headers).status_code == 404
