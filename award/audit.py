"""The append-only audit log, hash-chained so that an edited or deleted row is detected."""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
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
    """Append one event in the caller's transaction, chained to the last one."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders across processes until commit, so two events never share a predecessor.
        session.exec(text("SELECT pg_advisory_xact_lock(7242001)"))
    last = session.exec(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev = last or GENESIS
    event = AuditEvent(
        at=now.astimezone(UTC),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=prev,
        hash="",
    )
    event.hash = _digest(prev, event)
    session.add(event)
    session.flush()
    log.info("audit.recorded action=%s object=%s:%s", action, object_type, object_id)
    return event


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
