"""The secretariat's records in the API: the audit log, the e-mail outbox (with retry) and the round's list of works
as a spreadsheet (unit managers: their unit's)."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from award import outbox, records
from award.errors import Forbidden
from award.models import EntryStatus, Role, Unit
from award.outbox import OutboxStatus
from judging import panels, worklists
from api.deps import ApiUser, NowDep, SessionDep, api_role, load_round
from api.openapi import API_ERRORS, Id, binary

router = APIRouter(prefix="/api/v1", tags=["records"], responses=API_ERRORS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    data: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    total: int


@router.get("/audit", response_model=AuditPage, name="api:audit:list", dependencies=[api_role(Role.secretariat)])
def audit_list(session: SessionDep,
               entity: Annotated[str, Query(max_length=32)] = "",
               entity_id: Annotated[str, Query(max_length=64)] = "",
               actor_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
               since: Annotated[str, Query(max_length=40, description="YYYY-MM-DD (giờ Việt Nam) hoặc thời điểm ISO")] = "",
               page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    """Audit events, newest first, 50 a page."""
    filters = records.AuditFilters(entity=entity or None, entity_id=entity_id or None, actor_id=actor_id,
                                   since=records.parse_day_or_instant(since, field="since"))
    rows, total = records.audit_events(session, filters, page=page)
    return AuditPage(items=[AuditEventOut(id=r.id, at=r.at, actor_id=r.actor_id, actor=r.actor, action=r.action,
                                          action_label=r.action_label, object_type=r.object_type,
                                          object_id=r.object_id, data=r.data) for r in rows], total=total)


class MailOut(BaseModel):
    id: int
    kind: str
    recipient: str
    subject: str
    status: OutboxStatus
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str | None
    stuck: bool


class MailPage(BaseModel):
    items: list[MailOut]
    total: int


def _mail(r: records.MailRow) -> MailOut:
    return MailOut(id=r.id, kind=r.kind, recipient=r.recipient, subject=r.subject, status=r.status,
                   created_at=r.created_at, next_attempt_at=r.next_attempt_at, sent_at=r.sent_at, attempts=r.attempts,
                   last_error=r.last_error, stuck=r.stuck)


@router.get("/outbox", response_model=MailPage, name="api:outbox:list", dependencies=[api_role(Role.secretariat)])
def outbox_list(session: SessionDep, now: NowDep, status: Literal["pending", "sent", "failed"] | None = None,
                page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    """E-mails of the outbox, newest first, 50 a page; `stuck` marks a pending mail that should have gone."""
    rows, total = records.outbox_messages(session, status=OutboxStatus(status) if status else None, now=now, page=page)
    return MailPage(items=[_mail(r) for r in rows], total=total)


@router.post("/outbox/{message_id}/retry", response_model=MailOut, name="api:outbox:retry",
             dependencies=[api_role(Role.secretariat)])
def outbox_retry(message_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    """A failed (or stuck pending) mail goes back to pending, due now; 409 `not_retryable` otherwise."""
    row = outbox.retry(session, message_id=message_id, actor_id=user.id, now=now)
    return MailOut(id=row.id, kind=row.kind, recipient=row.recipient, subject=row.subject,
                   status=OutboxStatus(row.status), created_at=records.utc(row.created_at),
                   next_attempt_at=records.utc(row.next_attempt_at), sent_at=records.utc(row.sent_at),
                   attempts=row.attempts, last_error=row.last_error, stuck=False)


def work_filters(q: str, status: str, media_type: str, unit_id: int | None, panel: str = "") -> worklists.WorkFilters:
    """The list's filters from query strings; an unknown status or media type filters nothing."""
    from award.rules import MEDIA_TYPES

    return worklists.WorkFilters(q=q.strip(), status=EntryStatus(status) if status in EntryStatus.__members__ else None,
                                 media_type=media_type if media_type in MEDIA_TYPES else None, unit_id=unit_id,
                                 panel=panel or None)


@router.get("/rounds/{round_id}/entries.xlsx", name="api:entries:xlsx", response_class=Response,
            dependencies=[api_role(Role.secretariat, Role.unit_manager)],
            responses=binary(XLSX, "Danh sách tác phẩm theo bộ lọc (XLSX)."))
def entries_xlsx(round_id: Id, session: SessionDep, user: ApiUser,
                 unit_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                 status: Annotated[str, Query(max_length=32)] = "",
                 media_type: Annotated[str, Query(max_length=16)] = "",
                 q: Annotated[str, Query(max_length=200)] = ""):
    """The round's works matching the filters, every page; a unit manager gets only their unit's."""
    round_ = load_round(round_id, session)
    if user.role == Role.unit_manager:
        if unit_id is not None and unit_id != user.unit_id:
            raise Forbidden("Chỉ xuất được danh sách tác phẩm của đơn vị mình.", code="not_your_unit")
        unit_id = user.unit_id
    unit = session.get(Unit, unit_id) if unit_id else None
    body = worklists.works_xlsx(session, user=user, round_=round_, filters=work_filters(q, status, media_type, unit_id),
                                panel_names={p.code: p.name for p in panels.panels_of(round_)},
                                unit_name=unit.name if unit else None)
    suffix = "-" + re.sub(r"[^a-z0-9-]", "", unit.code.lower()) if unit else ""
    name = f"tac-pham-lan-{round_.number}-{round_.year}{suffix}.xlsx"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
