"""The entry lifecycle: every allowed move of a work's status, and the one function that makes it.

    draft ─submit→ submitted ─screen→ screened ─forward→ forwarded ─receive→ received ─rule→ eligible
    eligible ─advance→ finalist ─publish→ awarded | no_prize
    submitted ─screen→ ineligible_local; forwarded/received ─rule→ ineligible
    submitted/screened ─return→ returned ─resubmit→ submitted (the unit sends it back for completion)
    submitted/returned/screened ─withdraw→ withdrawn (by the author, before the unit forwards it)

Nothing else writes `Entry.status` (grep "\\.status =" finds only `apply` and the forwarding batch, which
checks every move against this table before its guarded UPDATE). Each move is an audit event.
What the author may change in each state is AUTHOR_EDITABLE (../shared/API.md "Entry lifecycle").
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from award import audit
from award.errors import Conflict
from award.models import ENTRY_STATUS_LABELS, Entry, EntryStatus, User

log = logging.getLogger(__name__)

S = EntryStatus


@dataclass(frozen=True)
class Move:
    """Who makes the move (for messages and the README's table) and the process action it belongs to
    (award.calendar.ACTIONS names its phases)."""

    by: str
    action: str


TRANSITIONS: dict[tuple[EntryStatus, EntryStatus], Move] = {
    (S.draft, S.submitted): Move("tác giả", "entry.submit"),
    (S.returned, S.submitted): Move("tác giả", "entry.submit"),
    (S.submitted, S.withdrawn): Move("tác giả", "entry.withdraw"),
    (S.returned, S.withdrawn): Move("tác giả", "entry.withdraw"),
    (S.screened, S.withdrawn): Move("tác giả", "entry.withdraw"),
    (S.submitted, S.screened): Move("đơn vị", "local.screen"),
    (S.submitted, S.ineligible_local): Move("đơn vị", "local.screen"),
    (S.submitted, S.returned): Move("đơn vị", "local.return"),
    (S.screened, S.ineligible_local): Move("đơn vị", "local.screen"),
    (S.screened, S.returned): Move("đơn vị", "local.return"),
    (S.ineligible_local, S.screened): Move("đơn vị", "local.screen"),
    (S.ineligible_local, S.returned): Move("đơn vị", "local.return"),
    (S.screened, S.forwarded): Move("đơn vị", "local.forward"),
    (S.forwarded, S.received): Move("Ban Thư ký", "central.receipt"),
    (S.forwarded, S.eligible): Move("Ban Thư ký", "central.receipt"),
    (S.forwarded, S.ineligible): Move("Ban Thư ký", "central.receipt"),
    (S.received, S.eligible): Move("Ban Thư ký", "central.receipt"),
    (S.received, S.ineligible): Move("Ban Thư ký", "central.receipt"),
    (S.eligible, S.ineligible): Move("Ban Thư ký", "central.receipt"),
    (S.ineligible, S.eligible): Move("Ban Thư ký", "central.receipt"),
    (S.eligible, S.finalist): Move("Ban Thư ký", "preliminary.advance"),
    (S.finalist, S.eligible): Move("Ban Thư ký", "preliminary.advance"),
    (S.finalist, S.awarded): Move("Ban Thư ký", "results.decide"),
    (S.finalist, S.no_prize): Move("Ban Thư ký", "results.decide"),
    (S.awarded, S.no_prize): Move("Ban Thư ký", "results.correct"),
    (S.no_prize, S.awarded): Move("Ban Thư ký", "results.correct"),
}

# While the round takes entries, the author edits a draft, a work the unit has not yet screened, and a
# work the unit returned for completion. From screening on, what the unit and the centre judged is frozen.
AUTHOR_EDITABLE = (S.draft, S.submitted, S.returned)
# Counted in its contest (duplicates, per-author limits): submitted and every state after it but the ends.
ACTIVE = (S.submitted, S.returned, S.screened, S.forwarded, S.received, S.eligible, S.finalist, S.awarded, S.no_prize)
AT_CENTRE = (S.forwarded, S.received, S.eligible, S.ineligible, S.finalist, S.awarded, S.no_prize)
FINALISTS = (S.finalist, S.awarded, S.no_prize)


class InvalidTransition(Conflict):
    code = "invalid_transition"


def allowed(old: EntryStatus, new: EntryStatus) -> bool:
    return (EntryStatus(old), EntryStatus(new)) in TRANSITIONS


def check(entry_id: int | None, old: EntryStatus, new: EntryStatus) -> Move:
    """The move from `old` to `new`, or InvalidTransition (409 `invalid_transition`) naming both states."""
    move = TRANSITIONS.get((EntryStatus(old), EntryStatus(new)))
    if move is None:
        raise InvalidTransition(
            f"Tác phẩm #{entry_id} đang ở trạng thái “{ENTRY_STATUS_LABELS[EntryStatus(old)]}”, không thể chuyển "
            f"sang “{ENTRY_STATUS_LABELS[EntryStatus(new)]}”.", field="status")
    return move


def apply(session: Session, *, entry: Entry, to: EntryStatus, actor: User, now: datetime,
          data: dict | None = None) -> Move:
    """Move `entry` to `to` if the table allows it, bump its version and write the audit event."""
    old = entry.status
    move = check(entry.id, old, to)
    entry.status = to
    entry.updated_at = now
    entry.version += 1
    session.add(entry)
    session.flush()
    record(session, entry_id=entry.id, old=old, new=to, actor=actor, now=now, data=data)
    return move


def record(session: Session, *, entry_id: int, old: EntryStatus, new: EntryStatus, actor: User, now: datetime,
           data: dict | None = None) -> None:
    """The audit event of a move already made by a checked bulk UPDATE (forwarding a batch)."""
    audit.record(session, actor_id=actor.id, action="entry.status", object_type="entry", object_id=entry_id, now=now,
                 data={"from": old, "to": new, **(data or {})})
    log.info("entry.status entry_id=%s from=%s to=%s", entry_id, old, new)
