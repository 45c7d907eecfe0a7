"""The outbox worker against a real SMTP server: every message arrives once, and a message that could
not be sent while the server was down is sent once it is back."""

import threading
import uuid
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, delete, select

from award.outbox import OutboxMessage, OutboxStatus, SmtpSender, backoff, deliver_due, enqueue

T0 = datetime(2024, 10, 1, 8, 0, tzinfo=UTC)


def sender_for(server) -> SmtpSender:
    return SmtpSender(host=server.host, port=server.port, sender="Giải Búa liềm vàng <no-reply@bualiemvang.vn>",
                      timeout=5)


def in_test_session(session):
    return lambda: nullcontext(session)


def test_enqueue_is_idempotent_by_key(session):
    first = enqueue(session, to="a@example.vn", subject="Chào", body="Nội dung", kind="test", key="k:1", now=T0)
    again = enqueue(session, to="a@example.vn", subject="Chào", body="Nội dung", kind="test", key="k:1", now=T0)
    assert again.id == first.id
    assert session.exec(select(OutboxMessage).where(OutboxMessage.key == "k:1")).all() == [first]


def test_worker_delivers_each_message_exactly_once(session, smtp_server):
    for i in range(3):
        enqueue(session, to=f"nhabao{i}@example.vn", subject=f"Đã nhận tác phẩm “Bài số {i}”",
                body=f"Kính gửi anh/chị,\n\nTác phẩm số {i} đã được nộp.", kind="entry_submitted", key=f"t:{i}", now=T0)
    report = deliver_due(in_test_session(session), sender_for(smtp_server), now=T0)
    assert (report.sent, report.failed) == (3, 0)
    again = deliver_due(in_test_session(session), sender_for(smtp_server), now=T0 + timedelta(hours=2))
    assert again.claimed == 0
    received = smtp_server.messages
    assert sorted((m["To"], m["Subject"]) for m in received) == [
        (f"nhabao{i}@example.vn", f"Đã nhận tác phẩm “Bài số {i}”") for i in range(3)]
    assert received[0].get_content().startswith("Kính gửi anh/chị,")
    assert received[0]["From"] == "Giải Búa liềm vàng <no-reply@bualiemvang.vn>"
    assert len({m["Message-ID"] for m in received}) == 3
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.status, r.attempts, r.sent_at) for r in rows] == [(OutboxStatus.sent, 1, T0)] * 3


def test_worker_retries_with_back_off_after_the_smtp_server_was_down(session, smtp_server):
    enqueue(session, to="bithu@example.vn", subject="Kết quả xét điều kiện", body="Đủ điều kiện dự giải.",
            kind="eligibility", key="retry:1", now=T0)
    smtp_server.stop()
    down = deliver_due(in_test_session(session), sender_for(smtp_server), now=T0)
    assert (down.sent, down.failed) == (0, 1)
    row = session.exec(select(OutboxMessage).where(OutboxMessage.key == "retry:1")).one()
    assert (row.status, row.attempts, row.next_attempt_at) == (OutboxStatus.pending, 1, T0 + backoff(1))
    assert row.last_error.startswith("connect:")

    smtp_server.start()
    early = deliver_due(in_test_session(session), sender_for(smtp_server), now=T0 + timedelta(seconds=10))
    assert early.claimed == 0  # still backing off
    later = deliver_due(in_test_session(session), sender_for(smtp_server), now=T0 + timedelta(seconds=31))
    assert (later.sent, later.failed) == (1, 0)
    assert [m["Subject"] for m in smtp_server.messages] == ["Kết quả xét điều kiện"]
    session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.sent, 2, None)


def test_back_off_doubles_and_gives_up_after_max_attempts(session, smtp_server):
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == timedelta(hours=1)
    enqueue(session, to="x@example.vn", subject="S", body="B", kind="test", key="giveup:1", now=T0)
    smtp_server.stop()
    now = T0
    for _ in range(3):
        deliver_due(in_test_session(session), sender_for(smtp_server), now=now, max_attempts=3)
        now += timedelta(hours=2)
    row = session.exec(select(OutboxMessage).where(OutboxMessage.key == "giveup:1")).one()
    assert (row.status, row.attempts) == (OutboxStatus.failed, 3)
    assert deliver_due(in_test_session(session), sender_for(smtp_server), now=now + timedelta(days=1)).claimed == 0


def test_concurrent_workers_send_each_message_once(engine, smtp_server):
    """Two workers, each with its own connections to the database, claim different messages."""
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as s:
        for i in range(30):
            enqueue(s, to=f"n{i}@example.vn", subject=f"Thư {tag} {i}", body="…", kind="test", key=f"{tag}:{i}", now=T0)
        s.commit()
    reports = []

    def work():
        while True:
            r = deliver_due(lambda: Session(engine, expire_on_commit=False), sender_for(smtp_server), now=T0, limit=4)
            reports.append(r)
            if not r.claimed:
                return

    try:
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        subjects = sorted(m["Subject"] for m in smtp_server.messages)
        assert subjects == sorted(f"Thư {tag} {i}" for i in range(30))
        assert sum(r.sent for r in reports) == 30
    finally:
        with Session(engine) as s:
            s.exec(delete(OutboxMessage).where(OutboxMessage.key.startswith(f"{tag}:")))
            s.commit()
