"""E-mails of the process: written to the outbox in the request's own transaction, then delivered once
by the worker to a real SMTP server."""

from contextlib import nullcontext

from sqlmodel import select

from award.models import Entry, Role, User
from award.outbox import OutboxMessage, OutboxStatus, SmtpSender, deliver_due
from tests.api.test_contests_api import manager, submitted_entries
from tests.api.test_judging_api import setup_local
from tests.factories import IX_PHASE_AT, api_login, entry_payload, make_user, round_by_number


def outbox(session, kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return session.exec(query).all()


def deliver(session, server, now):
    sender = SmtpSender(host=server.host, port=server.port, sender="no-reply@bualiemvang.vn", timeout=5)
    return deliver_due(lambda: nullcontext(session), sender, now=now)


def test_submitting_an_entry_queues_one_receipt_mail(client, session, clock):
    user = make_user(session, email="tacgia@baohatinh.vn", full_name="Trần Văn Bút")
    headers = api_login(client, user)
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    assert outbox(session) == []  # a draft is not news
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200
    again = client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers)
    assert again.status_code == 409
    [mail] = outbox(session)
    title = session.get(Entry, entry_id).title
    assert (mail.kind, mail.recipient, mail.subject) == ("entry_submitted", "tacgia@baohatinh.vn",
                                                         f"Đã nhận tác phẩm “{title}”")
    assert "Kính gửi Trần Văn Bút" in mail.body and f"mã số {entry_id}" in mail.body


def test_a_refused_submission_queues_nothing(client, session, clock):
    clock.set("2024-10-10T20:00:00+07:00")
    headers = api_login(client, make_user(session))
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    clock.set("2024-10-11T09:00:00+07:00")  # after the local deadline: the request rolls back
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 409
    assert outbox(session) == []


def test_forwarding_eligibility_and_assignment_mails_arrive_once(client, session, clock, smtp_server):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 2)
    forwarded = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=manager(client, session),
                            json={"entry_ids": ids})
    assert forwarded.status_code == 200
    batch_id = forwarded.json()["batch_id"]
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    client.post(f"/api/v1/entries/{ids[0]}/eligibility", headers=secretariat, json={"eligible": True})
    client.post(f"/api/v1/entries/{ids[1]}/eligibility", headers=secretariat,
                json={"eligible": False, "reason_code": "prior_national_award"})
    owners = [session.get(User, session.get(Entry, i).owner_id).email for i in ids]
    assert [(m.recipient, m.key) for m in outbox(session, "entry_forwarded")] == [
        (owners[0], f"entry_forwarded:{batch_id}:{ids[0]}:{owners[0]}"),
        (owners[1], f"entry_forwarded:{batch_id}:{ids[1]}:{owners[1]}")]
    eligibility = outbox(session, "eligibility")
    assert [m.recipient for m in eligibility] == owners
    assert "đủ điều kiện dự giải." in eligibility[0].body
    assert "không đủ điều kiện dự giải.\nLý do: Đã đoạt Giải Báo chí Quốc gia." in eligibility[1].body

    report = deliver(session, smtp_server, clock.now)
    expected = len(outbox(session))
    assert (report.sent, report.failed) == (expected, 0) and expected == 2 + 2 + 2  # submitted, forwarded, ruled
    assert deliver(session, smtp_server, clock.now).claimed == 0
    received = smtp_server.messages
    assert len(received) == expected
    assert sorted((m["To"], m["Subject"]) for m in received) == sorted((m.recipient, m.subject) for m in outbox(session))
    assert {m.status for m in outbox(session)} == {OutboxStatus.sent}


def test_applying_a_plan_mails_each_judge_once(client, session, clock):
    round_, unit_id, ids, manager_headers, judges = setup_local(client, session, n_entries=2)
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager_headers,
                       json={"judges_per_entry": 2}).json()
    client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager_headers,
                json={"plan_id": plan["plan_id"]})
    mails = outbox(session, "judge_assigned")
    per_judge = {}
    for a in plan["assignments"]:
        per_judge.setdefault(a["judge_id"], []).append(a["entry_id"])
    emails = {j.id: j.email for j in judges}
    assert sorted((m.recipient, m.subject) for m in mails) == sorted(
        (emails[j], f"Anh/chị được phân công chấm {len(e)} tác phẩm (vòng chấm cấp cơ sở)") for j, e in per_judge.items())


def test_winners_are_mailed_when_the_list_becomes_public_not_before(client, session, clock, smtp_server):
    from datetime import datetime

    from tests.api.test_central_api import council_round, secretariat, vote

    clock.set(IX_PHASE_AT["final"])  # the council votes in the final phase
    round_, sec, works, judges = council_round(client, session, clock, members=3, finalists=2)
    a, b = works
    for work, level in ((a, "A"), (b, "none")):
        for _, token in judges:
            assert vote(client, round_, token, work, level).status_code == 200
    clock.set(IX_PHASE_AT["approval"])  # the list is proposed, approved and published in the approval phase
    sec = secretariat(client, session)  # weeks later: a fresh log-in
    assert client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec, json={}).status_code == 200
    approver = api_login(client, make_user(session, role=Role.approver))
    assert client.post(f"/api/v1/rounds/{round_.id}/results/approve", headers=approver).status_code == 200
    embargo = "2025-02-03T09:00:00+07:00"
    published = client.post(f"/api/v1/rounds/{round_.id}/results/publish", headers=sec, json={"publish_at": embargo})
    assert published.status_code == 200, published.text

    [mail] = outbox(session, "results_published")
    owner = session.get(User, a.owner_id)
    assert (mail.recipient, mail.subject) == (owner.email, f"Chúc mừng: “{a.title}” đoạt Giải A")
    assert round_.name in mail.body
    assert mail.next_attempt_at == datetime.fromisoformat(embargo)
    assert deliver(session, smtp_server, clock.now).claimed == 0  # under embargo: not yet
    assert deliver(session, smtp_server, datetime.fromisoformat(embargo)).sent == 1
    assert [m["Subject"] for m in smtp_server.messages] == [f"Chúc mừng: “{a.title}” đoạt Giải A"]
