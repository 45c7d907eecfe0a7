"""The "scores due" reminder: before a stage's scoring deadline (Vietnam time), one mail a day to each
judge who still has unsubmitted sheets, delivered by the outbox worker to a real SMTP server."""

from contextlib import nullcontext
from datetime import datetime

from sqlmodel import select

from award.models import Role
from award.outbox import OutboxMessage, SmtpSender, deliver_due
from judging.reminders import queue_scores_due
from tests.factories import api_login, make_entry, make_user, round_by_number

QUEUE = "https://bualiemvang.vn/judging"


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def remind(session, iso: str):
    return queue_scores_due(session, now=at(iso), queue_url=QUEUE)


def deliver(session, server, iso: str):
    sender = SmtpSender(host=server.host, port=server.port, sender="no-reply@bualiemvang.vn", timeout=5)
    return deliver_due(lambda: nullcontext(session), sender, now=at(iso))


def reminders(session, judges):
    emails = {j.email for j in judges}
    return [m for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "scores_due")
                                    .order_by(OutboxMessage.id)).all() if m.recipient in emails]


SHEET = {"content": 25, "discovery": 20, "form": 20, "effect": 15, "hardship": 0}


def preliminary(client, session, clock):
    """Round IX's preliminary stage: a judge with 2 of 3 sheets left (one half done), one who finished,
    one without any work. The deadline is the end of the preliminary judging in the calendar: 5 Dec 2024."""
    clock.set("2024-11-20T09:00:00+07:00")
    round_ = round_by_number(session, "IX")
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    late = make_user(session, role=Role.judge, email="gk.cham@bualiemvang.vn", full_name="Phạm Thị Chậm")
    done = make_user(session, role=Role.judge, email="gk.xong@bualiemvang.vn", full_name="Lê Văn Xong")
    idle = make_user(session, role=Role.judge, email="gk.ranh@bualiemvang.vn", full_name="Đỗ Văn Rảnh")
    works = [make_entry(session, status="eligible") for _ in range(3)]
    sheets = {}
    for judge in (late, done):
        for work in works:
            answer = client.post(f"/api/v1/rounds/{round_.id}/stages/preliminary/assignments", headers=secretariat,
                                 json={"entry_id": work.id, "judge_id": judge.id})
            assert answer.status_code == 201, answer.text
            sheets[judge.id, work.id] = answer.json()["id"]
    for judge, plan in ((late, [True, False, None]), (done, [True, True, True])):
        headers = api_login(client, judge)
        for work, submit in zip(works, plan):
            if submit is None:
                continue
            scores = SHEET if submit else {"content": 20}
            answer = client.put(f"/api/v1/judging/assignments/{sheets[judge.id, work.id]}/score", headers=headers,
                                json={"scores": scores, "submit": submit})
            assert answer.status_code == 200, answer.text
    return round_, secretariat, (late, done, idle)


def test_a_judge_with_unscored_works_is_reminded_once_and_the_mail_arrives_once(client, session, clock, smtp_server):
    round_, _, (late, done, idle) = preliminary(client, session, clock)
    assert remind(session, "2024-12-01T08:00:00+07:00").queued >= 0  # four days before: not yet
    assert reminders(session, [late, done, idle]) == []

    first = remind(session, "2024-12-02T08:00:00+07:00")  # three days before
    assert "IX/preliminary" in first.stages
    [mail] = reminders(session, [late, done, idle])
    assert mail.recipient == "gk.cham@bualiemvang.vn"
    assert mail.subject == "Nhắc hạn chấm điểm: còn 2 tác phẩm chưa chấm (vòng sơ khảo, hạn 05/12/2024)"
    assert mail.body.startswith("Kính gửi Phạm Thị Chậm,\n\n")
    assert (f"Ban Thư ký {round_.name} trân trọng nhắc: hạn nộp phiếu chấm vòng sơ khảo là 23 giờ 59 phút "
            "ngày 05/12/2024 (giờ Việt Nam), còn 3 ngày.") in mail.body
    assert "Anh/chị còn 2 tác phẩm được phân công chưa nộp phiếu chấm, trong đó 1 phiếu đã chấm dở chưa nộp." in mail.body
    assert f"Danh sách tác phẩm cần chấm: {QUEUE}\n" in mail.body

    again = remind(session, "2024-12-02T21:00:00+07:00")  # the same day (cron ran twice): nothing more
    assert reminders(session, [late, done, idle]) == [mail]
    assert again.already >= 1

    assert deliver(session, smtp_server, "2024-12-02T21:00:00+07:00").sent >= 1
    assert deliver(session, smtp_server, "2024-12-02T21:01:00+07:00").claimed == 0
    due = [m for m in smtp_server.messages if str(m["Subject"]).startswith("Nhắc hạn chấm")]  # not the assignment mails
    received = [m for m in due if m["To"] == "gk.cham@bualiemvang.vn"]
    assert len(received) == 1
    assert str(received[0]["Subject"]) == mail.subject
    text = received[0].get_content()
    assert "còn 2 tác phẩm được phân công chưa nộp phiếu chấm" in text and QUEUE in text
    assert not [m for m in due if m["To"] in ("gk.xong@bualiemvang.vn", "gk.ranh@bualiemvang.vn")]


def test_one_reminder_a_day_until_the_deadline_in_vietnam_time_and_none_after(client, session, clock):
    _, _, judges = preliminary(client, session, clock)
    for iso in ("2024-12-03T07:00:00+07:00", "2024-12-04T07:00:00+07:00", "2024-12-04T23:00:00+07:00",
                "2024-12-05T16:30:00+00:00"):  # the last is 23:30 on 5 December in Vietnam
        remind(session, iso)
    mails = reminders(session, judges)
    assert [m.key.rsplit(":", 1)[1] for m in mails] == ["2024-12-03", "2024-12-04", "2024-12-05"]
    assert mails[-1].body.count("hôm nay là ngày cuối") == 1
    # 00:30 on 6 December in Vietnam is still 5 December in UTC: past the deadline all the same
    remind(session, "2024-12-05T17:30:00+00:00")
    remind(session, "2024-12-06T09:00:00+07:00")
    assert len(reminders(session, judges)) == 3


def test_no_reminder_once_the_judge_has_finished_or_the_stage_is_closed(client, session, clock):
    round_, secretariat, (late, done, idle) = preliminary(client, session, clock)
    headers = api_login(client, late)
    for sheet in client.get("/api/v1/judging/assignments", headers=headers).json():
        if sheet["submitted_at"] is None:
            assert client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=headers,
                              json={"scores": SHEET, "submit": True}).status_code == 200
    remind(session, "2024-12-04T09:00:00+07:00")
    assert reminders(session, [late, done, idle]) == []

    # reopened by the secretariat: one sheet due again, until the stage is closed
    assert client.post(f"/api/v1/judging/assignments/{sheet['id']}/reopen", headers=secretariat).status_code == 200
    remind(session, "2024-12-04T10:00:00+07:00")
    [mail] = reminders(session, [late, done, idle])
    assert "còn 1 tác phẩm chưa chấm" in mail.subject
    stages = {**round_.rules["stages"], "preliminary": {**round_.rules["stages"]["preliminary"], "closed": True}}
    assert client.patch(f"/api/v1/rounds/{round_.id}", headers=secretariat,
                        json={"rules": {"stages": stages}}).status_code == 200
    remind(session, "2024-12-05T09:00:00+07:00")
    assert reminders(session, [late, done, idle]) == [mail]


def test_the_deadline_in_the_rounds_calendar_decides(client, session, clock):
    round_, secretariat, judges = preliminary(client, session, clock)
    # The secretariat moves the end of the preliminary judging to 28 November in the round's calendar and
    # has judges reminded one day before (the rules say how early to remind, never a second deadline).
    stages = {**round_.rules["stages"], "preliminary": {**round_.rules["stages"]["preliminary"], "remind_days": 1}}
    answer = client.patch(f"/api/v1/rounds/{round_.id}", headers=secretariat,
                          json={"calendar": {"preliminary_ends": "2024-11-28"}, "rules": {"stages": stages}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["calendar"]["preliminary_ends"] == "2024-11-28"
    remind(session, "2024-11-26T09:00:00+07:00")  # two days before, one reminder day only: not yet
    assert reminders(session, judges) == []
    remind(session, "2024-11-27T09:00:00+07:00")
    [mail] = reminders(session, judges)
    assert "hạn 28/11/2024" in mail.subject and "còn 1 ngày" in mail.body
    remind(session, "2024-12-02T09:00:00+07:00")  # the default date (5 December) no longer applies
    assert reminders(session, judges) == [mail]
