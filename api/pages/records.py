"""The secretariat's records in the browser: the audit log with its chain check, the e-mail outbox with retry, and
the round-wide list of works (search, filters, pages, spreadsheet, bulk actions). Queries live in the read models
(award.records, judging.worklists); handlers load, call and render."""

from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from award import audit, jobs, outbox, permissions as award_permissions, records
from award.entry_status import AT_CENTRE
from award.errors import AwardError
from award.models import AuditEvent, Entry, EntryStatus, Role, Round, User
from award.outbox import OutboxStatus
from award.rules import MEDIA_TYPES
from judging import panels, worklists
from api.deps import NowDep, SessionDep, WebUser, load_round, web_role
from api.forms import redirect, submit
from api.openapi import Id
from api.queries import Choice, IdOrBlank, ObjectId, refuse_query
from api.routers.records import work_filters
from api.security import verify_csrf
from api.settings import get_settings
from api.templating import phase_notes, render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
SECRETARIAT = [web_role(Role.secretariat)]


def page_links(base: dict, page: int, pages: int) -> list[tuple[int, str | None]]:
    """[(page number, query string or None for the current page)], with a gap (0) in long runs."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links, last = [], 0
    for p in shown:
        if p - last > 1:
            links.append((0, None))
        links.append((p, None if p == page else "?" + urlencode({**{k: v for k, v in base.items() if v}, "page": p})))
        last = p
    return links


# --- the audit log -----------------------------------------------------------------------------------------

@router.get("/admin/audit", name="records:audit", dependencies=SECRETARIAT)
def audit_page(request: Request, session: SessionDep, user: WebUser,
               entity: Choice(records.ENTITY_LABELS) = "",
               entity_id: ObjectId = "",
               person: Annotated[str, Query(max_length=200)] = "",
               action: Annotated[str, Query(max_length=64)] = "",
               since: Annotated[str, Query(max_length=10)] = "",
               until: Annotated[str, Query(max_length=10)] = "",
               page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    values = {"entity": entity, "entity_id": entity_id.strip(), "person": person.strip(), "action": action,
              "since": since, "until": until}
    actions = records.known_actions(session)
    if action and action not in actions:
        refuse_query("action", action)  # the actions the log holds, as the filter offers them
    errors, bounds = {}, {}
    for name, end in (("since", False), ("until", True)):
        try:
            bounds[name] = records.parse_day_or_instant(values[name], field=name, end=end)
        except AwardError as exc:
            errors[name] = exc.message
            bounds[name] = None
    if bounds["since"] and bounds["until"] and bounds["until"] < bounds["since"]:
        errors["until"] = "“Đến ngày” không được trước “Từ ngày”."
    rows, total = [], 0
    if not errors:
        filters = records.AuditFilters(entity=entity or None, entity_id=values["entity_id"] or None,
                                       person=values["person"] or None, action=action or None, **bounds)
        rows, total = records.audit_events(session, filters, page=page)
        if not rows and page > 1 and total:  # a page past the end (a stale or edited link): the last one
            page = -(-total // records.PER_PAGE)
            rows, total = records.audit_events(session, filters, page=page)
    pages = max(1, -(-total // records.PER_PAGE))
    return render(request, "admin/audit.html", {
        "rows": rows, "openable": _openable_entries(session, user, rows),
        "total": total, "page": page, "pages": pages, "links": page_links(values, page, pages),
        "values": values, "errors": errors, "entities": records.ENTITY_LABELS,
        "actions": [(a, records.ACTION_LABELS.get(a, a)) for a in actions]},
        400 if errors else 200)


def _openable_entries(session: Session, user: User, rows) -> set[str]:
    """The ids of the works among the events that `user` may open (award.permissions.can_view_entry): the log
    names drafts and works still at their unit too, which the secretariat's link would answer 404; those stay
    plain text."""
    ids = {int(r.object_id) for r in rows if r.object_type == "entry" and r.object_id.isdigit() and len(r.object_id) < 10}
    if not ids:
        return set()
    return {str(e.id) for e in session.exec(select(Entry).where(Entry.id.in_(ids)))
            if award_permissions.can_view_entry(user, e)}


@router.get("/admin/audit/verify", name="records:audit_verify", dependencies=SECRETARIAT)
def audit_verify_page(request: Request, session: SessionDep):
    result = audit.verify(session)
    bad = None
    if not result.ok:
        event = session.get(AuditEvent, result.first_bad_id)
        bad = {"id": result.first_bad_id, "at": records.utc(event.at) if event else None,
               "action": records.ACTION_LABELS.get(event.action, event.action) if event else "",
               "object_type": event.object_type if event else "", "object_id": event.object_id if event else ""}
    return render(request, "admin/audit_verify.html", {"result": result, "bad": bad})


# --- the outbox --------------------------------------------------------------------------------------------

STATUS_TABS = [("", "Tất cả"), ("pending", "Chờ gửi"), ("failed", "Gửi lỗi"), ("sent", "Đã gửi")]


@router.get("/admin/outbox", name="records:outbox", dependencies=SECRETARIAT)
def outbox_page(request: Request, session: SessionDep, now: NowDep,
                status: Choice(OutboxStatus.__members__, max_length=16) = "",
                page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    rows, total = records.outbox_messages(session, status=OutboxStatus(status) if status else None, now=now, page=page)
    settings = get_settings()
    pages = max(1, -(-total // records.PER_PAGE))
    return render(request, "admin/outbox.html", {
        "rows": rows, "total": total, "page": page, "pages": pages, "status": status, "tabs": STATUS_TABS,
        "links": page_links({"status": status}, page, pages), "health": records.mail_health(session, now=now),
        "labels": records.STATUS_LABELS, "max_attempts": outbox.MAX_ATTEMPTS,
        # what each refusal of the mail server means, in the words the worker's command prints (award.outbox)
        "reasons": {m.id: outbox.explain(m.last_error, host=settings.smtp_host, port=settings.smtp_port)
                    for m in rows if m.last_error},
        # background jobs (award/jobs.py): what is waiting, running, or failed for good
        "jobs": jobs.list_jobs(session, statuses=(jobs.JobStatus.failed, jobs.JobStatus.running, jobs.JobStatus.pending)),
        "job_counts": jobs.counts(session), "job_labels": jobs.JOB_LABELS, "job_status_labels": jobs.STATUS_LABELS})


def _run_again(session, back: str, retry, said) -> Response:
    """Back to the outbox page saying what was queued again, or why it was not (a warning, nothing written)."""
    try:
        row = retry()
    except AwardError as exc:
        session.rollback()
        return redirect(back, exc.message, "warning")
    return redirect(back, said(row))


@router.post("/admin/outbox/{message_id}/retry", name="records:outbox_retry", dependencies=SECRETARIAT)
def outbox_retry(message_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                 status: Annotated[str, Query(max_length=16)] = ""):
    back = str(request.url_for("records:outbox")) + (f"?status={status}" if status in OutboxStatus.__members__ else "")
    return _run_again(session, back, lambda: outbox.retry(session, message_id=message_id, actor_id=user.id, now=now),
                      lambda row: f"Đã đưa thư #{row.id} gửi {row.recipient} vào hàng chờ gửi lại.")


@router.post("/admin/jobs/{job_id}/retry", name="records:job_retry", dependencies=SECRETARIAT)
def job_retry(job_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    back = str(request.url_for("records:outbox")) + "#viec-nen"
    return _run_again(session, back, lambda: jobs.retry(session, job_id=job_id, actor_id=user.id, now=now),
                      lambda job: f"Đã đưa việc nền #{job.id} ({jobs.JOB_LABELS.get(job.kind, job.kind)}) "
                                  "vào hàng chờ chạy lại.")


# --- the round's works -------------------------------------------------------------------------------------

def _works_context(request: Request, session: Session, user: User, round_: Round, now, params: dict,
                   page: int) -> dict:
    filters = work_filters(params["q"], params["status"], params["media_type"],
                           int(params["unit_id"]) if params["unit_id"].isdigit() else None, params["panel"])
    result = worklists.works(session, user=user, round_id=round_.id, filters=filters, page=page)
    round_panels = panels.panels_of(round_)
    export = {k: v for k, v in params.items() if k != "panel" and v}
    return {
        "round": round_, "result": result, "params": params, "links": page_links(params, result.page, result.pages),
        "panels": round_panels, "panel_names": {p.code: p.name for p in round_panels},
        "units": worklists.round_units(session, round_id=round_.id),
        "statuses": list(AT_CENTRE),  # what the secretariat may see (award.permissions.entry_filter)
        "export_url": str(request.url_for("api:entries:xlsx", round_id=round_.id))
        + ("?" + urlencode(export) if export else ""),
        "bulk_actions": worklists.BULK_ACTIONS,
        "phase_notes": phase_notes(round_, now, "central.receipt", "preliminary.setup"),
        "back": "?" + urlencode({k: v for k, v in params.items() if v} | {"page": result.page}),
    }


def _params(q: str, status: str, media_type: str, unit_id: str, panel: str) -> dict:
    return {"q": q.strip(), "status": status, "media_type": media_type, "unit_id": unit_id, "panel": panel}


@router.get("/admin/rounds/{round_id}/entries", name="records:works", dependencies=SECRETARIAT)
def works_page(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
               q: Annotated[str, Query(max_length=200)] = "",
               status: Choice(EntryStatus.__members__) = "",
               media_type: Choice(MEDIA_TYPES, max_length=16) = "",
               unit_id: IdOrBlank = "",
               panel: Annotated[str, Query(max_length=32)] = "",
               page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    round_ = load_round(round_id, session)
    if panel and panel not in {p.code for p in panels.panels_of(round_)}:
        refuse_query("panel", panel)  # the round's own subpanels: known once the round is loaded
    return render(request, "admin/works.html",
                  _works_context(request, session, user, round_, now, _params(q, status, media_type, unit_id, panel), page))


@router.post("/admin/rounds/{round_id}/entries/bulk", name="records:works_bulk", dependencies=SECRETARIAT)
async def works_bulk(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    form = await request.form()
    ids = [int(v) for v in form.getlist("entry_id") if str(v).isdigit() and len(str(v)) < 10]
    action = str(form.get("action") or "")
    panel_code = str(form.get("panel_code") or "") or None  # whole: a code that is not the round's is refused
    back = str(form.get("back") or "")
    back = back if back.startswith("?") and len(back) < 1000 else ""
    round_ = load_round(round_id, session)
    target = str(request.url_for("records:works", round_id=round_id)) + back

    def redisplay(errors: dict[str, str], status: int):
        query = dict(parse_qsl(back.lstrip("?")))
        params = _params(*(query.get(k, "") for k in ("q", "status", "media_type", "unit_id", "panel")))
        page = int(query["page"]) if query.get("page", "").isdigit() and len(query["page"]) < 6 else 1
        context = _works_context(request, session, user, session.get(Round, round_id), now, params, page)
        return render(request, "admin/works.html",
                      context | {"errors": errors, "checked": set(ids), "chosen_action": action}, status)

    label = worklists.BULK_ACTIONS.get(action, ("", ""))[1]
    return submit(request, session,
                  lambda: worklists.bulk(session, round_=round_, action=action, entry_ids=ids, actor=user, now=now,
                                         panel_code=panel_code),
                  redisplay=redisplay, success=target, default_field="entry_id",
                  message=lambda n: f"Đã {label} {n} tác phẩm.")

