"""E-mail outbox: messages are rows written in the same transaction as the change they report, and a
worker sends them to an SMTP server, retrying with back-off. A change that rolls back sends nothing; a
committed change is never forgotten, even if the SMTP server or the worker is down for a while.

Delivery is at-least-once: a worker killed between the SMTP server's acceptance and the row's update
sends that message again after its lease expires. Every message carries a Message-ID derived from its
key, so mail systems can recognise the repeat.
"""

import hashlib
import logging
import smtplib
import socket
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from award import audit
from award.errors import Conflict, NotFound
from award.models import enum_column, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claimed message is not claimed again before this (worker died?)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 12  # about 8 hours of retries, then the message is marked failed for a person to see


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(SQLModel, table=True):
    """One e-mail to send. `key` makes enqueueing idempotent (one message per event and recipient)."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=64, index=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: OutboxStatus = Field(default=OutboxStatus.pending,
                                 sa_column=enum_column(OutboxStatus, "outbox_status", nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)


def enqueue(session: Session, *, to: str, subject: str, body: str, kind: str, key: str,
            now: datetime | None = None, not_before: datetime | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; the same key twice gives one message.
    `not_before` holds it back (results under embargo)."""
    key = key[:200]
    existing = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
    if existing is not None:
        return existing
    at = now or utcnow()
    row = OutboxMessage(key=key, kind=kind[:64], recipient=to.strip()[:254], subject=" ".join(subject.split())[:300],
                        body=body, created_at=at, next_attempt_at=max(at, not_before) if not_before else at)
    try:
        with session.begin_nested():  # another process may enqueue the same key at the same moment
            session.add(row)
            session.flush()
    except IntegrityError:
        return session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
    log.info("outbox.enqueued message_id=%s kind=%s", row.id, row.kind)
    return row


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, as plain values: the sender works outside any transaction."""

    id: int
    key: str
    recipient: str
    subject: str
    body: str


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at one hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def claim_due(session: Session, *, now: datetime, limit: int = 20, lease: timedelta = LEASE) -> list[Outgoing]:
    """Take up to `limit` due messages for this worker. On PostgreSQL the rows are locked with
    SKIP LOCKED, so concurrent workers take different messages; on SQLite the transaction holds the
    write lock from BEGIN IMMEDIATE. Pushing `next_attempt_at` past the lease keeps the claim after
    the commit, while the message is being sent."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + lease
        session.add(row)
        claimed.append(Outgoing(row.id, row.key, row.recipient, row.subject, row.body))
    session.flush()
    return claimed


def mark_sent(session: Session, *, message_id: int, now: datetime) -> None:
    row = session.get(OutboxMessage, message_id)
    row.status, row.sent_at, row.last_error = OutboxStatus.sent, now, None
    session.add(row)
    log.info("outbox.sent message_id=%s attempts=%s", row.id, row.attempts)


def mark_failed(session: Session, *, message_id: int, error: str, now: datetime,
                max_attempts: int = MAX_ATTEMPTS) -> None:
    """Schedule a retry with back-off, or give up after `max_attempts`."""
    row = session.get(OutboxMessage, message_id)
    row.last_error = error[:500]
    if row.attempts >= max_attempts:
        row.status = OutboxStatus.failed
        log.warning("outbox.gave_up message_id=%s attempts=%s", row.id, row.attempts)
    else:
        row.next_attempt_at = now + backoff(row.attempts)
        log.info("outbox.retry message_id=%s attempts=%s", row.id, row.attempts)
    session.add(row)


STUCK_AFTER = timedelta(minutes=15)  # a message not sent this long after it was due needs a person


def stuck_clause(now: datetime, after: timedelta = STUCK_AFTER):
    """Pending messages that should have gone by now: due for `after` and still unsent, or written that long
    ago and already refused by the mail server at least once (waiting in back-off). A message held back
    under an embargo (due later, never tried) is not stuck."""
    limit = (now - after).astimezone(UTC)  # stored as UTC (SQLite keeps no zone)
    return (OutboxMessage.status == OutboxStatus.pending) & (OutboxMessage.created_at <= limit) & (
        (OutboxMessage.next_attempt_at <= limit) | (OutboxMessage.attempts > 0))


class NotRetryable(Conflict):
    code = "not_retryable"


def retry(session: Session, *, message_id: int, actor_id: int, now: datetime) -> OutboxMessage:
    """A person sends a failed (or stuck pending) message again: it becomes pending, due now, with its
    attempts counted afresh. A sent message, or one still waiting its turn, is refused (409)."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("Không tìm thấy thư.", code="message_not_found")
    stuck = session.exec(select(OutboxMessage.id).where(OutboxMessage.id == message_id, stuck_clause(now))).first()
    if row.status != OutboxStatus.failed and stuck is None:
        state = "đã gửi" if row.status == OutboxStatus.sent else "đang chờ gửi theo lịch"
        raise NotRetryable(f"Thư #{row.id} {state}, không cần gửi lại.", field="message")
    before = {"from": str(row.status), "attempts": row.attempts, "last_error": row.last_error}
    row.status, row.next_attempt_at, row.attempts = OutboxStatus.pending, now.astimezone(UTC), 0
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor_id, action="outbox.retried", object_type="outbox", object_id=row.id,
                 now=now, data={**before, "recipient": row.recipient})
    log.info("outbox.retried message_id=%s", row.id)
    return row


def message_id_for(key: str, domain: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


@dataclass
class SmtpSender:
    """Sends over one SMTP connection per batch (smtplib), optionally with STARTTLS and a login."""

    host: str
    port: int
    sender: str
    timeout: float = 30.0
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    domain: str = field(default="bualiemvang.vn")

    def build(self, message: Outgoing) -> MIMEText:
        # The legacy Header API: the modern generator (3.11) drops spaces when it folds long
        # Vietnamese subjects into several encoded words.
        mail = MIMEText(message.body, "plain", "utf-8")
        name, address = parseaddr(self.sender)
        mail["From"] = formataddr((name, address), charset="utf-8") if name else address
        mail["To"] = message.recipient
        mail["Subject"] = Header(message.subject, "utf-8")
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = message_id_for(message.key, self.domain)
        return mail

    def send_many(self, messages: Iterable[Outgoing]) -> dict[int, str | None]:
        """Message id → None when the server accepted it, else the error (to retry later)."""
        messages = list(messages)
        if not messages:
            return {}
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            return {m.id: f"connect: {type(exc).__name__}: {exc}" for m in messages}
        results: dict[int, str | None] = {}
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            for m in messages:
                try:
                    smtp.send_message(self.build(m))
                    results[m.id] = None
                except smtplib.SMTPServerDisconnected as exc:
                    results[m.id] = f"{type(exc).__name__}: {exc}"
                    break
                except (smtplib.SMTPException, OSError) as exc:
                    results[m.id] = f"{type(exc).__name__}: {exc}"
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            for m in messages:
                results.setdefault(m.id, f"{type(exc).__name__}: {exc}")
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
        for m in messages:
            results.setdefault(m.id, "not sent: connection lost")
        return results


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # each distinct error (as in last_error) → messages

    @property
    def claimed(self) -> int:
        return self.sent + self.failed


def explain(error: str, *, host: str, port: int) -> str:
    """What an SMTP error recorded in `last_error` means, in Vietnamese, for the person running the worker."""
    server = f"{host}:{port}"
    if "SMTPAuthenticationError" in error:
        return (f"Máy chủ thư {server} từ chối đăng nhập: kiểm tra AWARD_SMTP_USERNAME và AWARD_SMTP_PASSWORD.")
    if "STARTTLS extension not supported" in error:
        return f"Máy chủ thư {server} không hỗ trợ STARTTLS: đặt AWARD_SMTP_STARTTLS=false hoặc dùng máy chủ khác."
    if "SMTPSenderRefused" in error:
        return f"Máy chủ thư {server} từ chối địa chỉ người gửi: kiểm tra AWARD_MAIL_FROM."
    if "SMTPRecipientsRefused" in error:
        return f"Máy chủ thư {server} từ chối địa chỉ người nhận (địa chỉ sai hoặc không được chuyển tiếp)."
    if error.startswith("connect:"):
        if "gaierror" in error or "Name or service not known" in error or "not known" in error:
            return f"Không tìm thấy máy chủ thư {host}: kiểm tra tên máy trong AWARD_SMTP_HOST."
        if "ConnectionRefusedError" in error:
            return (f"Máy chủ thư {server} từ chối kết nối: máy chủ chưa chạy hoặc sai cổng "
                    "(AWARD_SMTP_HOST, AWARD_SMTP_PORT).")
        if "timeout" in error.lower() or "timed out" in error:
            return f"Máy chủ thư {server} không trả lời (quá thời gian chờ AWARD_SMTP_TIMEOUT)."
        return f"Không kết nối được máy chủ thư {server}."
    if "timed out" in error or "timeout" in error.lower():
        return f"Máy chủ thư {server} ngừng trả lời giữa chừng (quá thời gian chờ AWARD_SMTP_TIMEOUT)."
    if "SMTPServerDisconnected" in error or "connection lost" in error:
        return f"Máy chủ thư {server} ngắt kết nối giữa chừng."
    return f"Máy chủ thư {server} không nhận thư."


def deliver_due(open_session: Callable[[], AbstractContextManager[Session]], sender, *, now: datetime,
                limit: int = 20, lease: timedelta = LEASE, max_attempts: int = MAX_ATTEMPTS) -> DeliveryReport:
    """One pass of the worker: claim (commit), send outside any transaction, record outcomes (commit)."""
    with open_session() as session:
        batch = claim_due(session, now=now, limit=limit, lease=lease)
        session.commit()
    if not batch:
        return DeliveryReport()
    outcomes = sender.send_many(batch)
    report = DeliveryReport()
    with open_session() as session:
        for message in batch:
            error = outcomes.get(message.id)
            if error is None:
                mark_sent(session, message_id=message.id, now=now)
                report.sent += 1
            else:
                mark_failed(session, message_id=message.id, error=error, now=now, max_attempts=max_attempts)
                report.failed += 1
                report.errors[error] = report.errors.get(error, 0) + 1
        session.commit()
    return report
