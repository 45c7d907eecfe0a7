"""The append-only audit log, hash-chained so that an edited or deleted row is detected."""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import event as sa_event, text
from sqlmodel import Session, select

from award.models import AuditEvent

log = logging.getLogger(__name__)

GENESIS = "0" * 64


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": event.at.isoformat(timespec="microseconds"),
            "actor": event.actor_id,
            "action": event.action,
            "object": [event.object_type, event.object_id],
            "data": event.data,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


_PENDING = "audit_pending"  # session.info key: (transaction, event) pairs waiting for the commit


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: object,
    now: datetime,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the caller's transaction. It is chained and written when the transaction
    commits (`_chain_on_commit`); a rolled-back transaction or savepoint leaves nothing."""
    event = AuditEvent(
        at=now.astimezone(UTC),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash="",
        hash="",
    )
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, event))
    log.info("audit.recorded action=%s object=%s:%s", action, object_type, object_id)
    return event


def changed_fields(before: dict, after: dict) -> list[str]:
    """The names whose value differs between two snapshots of a record, sorted: what a save changed."""
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def record_update(session: Session, *, before: dict, after: dict, data: dict | None = None, **event) -> list[str]:
    """Record the update of a record as `record` does (``event``: its actor_id, action, object_type, object_id,
    now), naming the changed fields (`fields`), or write nothing when the save changed nothing (the same form
    saved again): the history lists changes only. Returns the changed fields."""
    changed = changed_fields(before, after)
    if changed:
        record(session, data={"fields": changed, **(data or {})}, **event)
    return changed


@sa_event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    """Chain the transaction's events to the last committed one, in the commit itself.

    On PostgreSQL an advisory lock serialises the appenders across processes until commit. Taken
    here, at the very end, it is held for milliseconds: taken when the event was recorded, it was held
    across the request's later steps, and at a deadline surge every worker thread waited on it
    while its holder waited for a thread (bench/surge.py)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(7242001)"))
    last = session.exec(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev = last or GENESIS
    for _, item in pending:
        item.prev_hash = prev
        item.hash = prev = _digest(prev, item)
        session.add(item)
    session.flush()


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction) -> None:
    """Events recorded inside a transaction or savepoint that rolled back are dropped with it."""
    pending = session.info.get(_PENDING)
    if not pending:
        return

    def inside(transaction) -> bool:
        while transaction is not None:
            if transaction is previous_transaction:
                return True
            transaction = transaction.parent
        return False

    session.info[_PENDING] = [(t, e) for t, e in pending if not inside(t)]


@dataclass
class Verification:
    ok: bool
    events: int
    first_bad_id: int | None = None


def verify(session: Session) -> Verification:
    """Recompute the chain from the first event; report the first row that does not fit."""
    prev = GENESIS
    count = 0
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(populate_existing=True)
    for event in session.exec(query).yield_per(1000):
        if event.prev_hash != prev or _digest(prev, event) != event.hash:
            return Verification(ok=False, events=count, first_bad_id=event.id)
        prev = event.hash
        count += 1
    return Verification(ok=True, events=count)
