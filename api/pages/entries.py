"""Entry pages: the journalist's form and entry page, and the unit's list of entries."""

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, select

from award import entries, entry_files, permissions, rounds as rounds_domain, suggestions, themes, units as units_domain
from award.calendar import refusal
from award.errors import AwardError, NotFound, field_errors
from award.models import ENTRY_STATUS_LABELS, AuditEvent, Entry, EntryStatus, Role, Round, Unit, User
from award.rules import MEDIA_TYPES, RoundRules
from judging import contests, permissions as judging_permissions, publication, worklists
from judging.models import Screening
from api.deps import NowDep, SessionDep, WebUser, web_role
from api.errors import form_status, status_of
from api.forms import redirect
from api.openapi import Id
from api.pages import entry_form as ef
from api.pages.records import page_links
from api.pages.themes import entry_theme_panel
from api.queries import Choice
from api.routers.records import work_filters
from api.routers.themes import CacheDep
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _form_context(session: Session, round_: Round, values: dict, errors: dict, **extra) -> dict:
    rules = RoundRules.model_validate(round_.rules)
    offered = units_domain.units_for_round(session, round_)  # only the units taking part in the round
    return {"round": round_, "rules": rules, "values": ef.ensure_min_rows(values), "errors": errors,
            "unit_options": [(u.id, u.name) for u in offered],
            # genre → the media types that admit it (rules.media_genres): the form offers only those
            "genre_media": {g: " ".join(m for m in rules.media_types if g in rules.genres_for(m)) for g in rules.genres},
            "max_rows": {"authors": rules.max_authors_local, "parts": rules.max_parts, "prior_awards": 10},
            **extra}


def _open_round(session: Session, round_id: Id | None, now) -> Round:
    round_ = session.get(Round, round_id) if round_id else rounds_domain.current_round(session, now, "entry.create")
    if round_ is None:
        raise NotFound("Không có đợt giải nào đang nhận tác phẩm.")
    return round_


@router.get("/entries/new", name="entries:new", dependencies=[web_role(Role.journalist)])
def new_entry(request: Request, session: SessionDep, user: WebUser, now: NowDep, round_id: Id | None = None):
    round_ = _open_round(session, round_id, now)
    unit_id = units_domain.suggested_unit(session, user, round_)  # the last entry's unit, else the account's
    values = {"unit_id": str(unit_id or ""), "title": "", "media_type": "", "genre": "", "summary": "",
              "hardship": False, "hardship_note": "", "transcript": "",
              "authors": [{"full_name": user.full_name, "pen_name": "", "email": user.email, "outlet": user.outlet or ""}],
              "parts": [], "prior_awards": []}
    return render(request, "entries/form.html", _form_context(
        session, round_, values, {}, client_token=uuid.uuid4().hex, entry=None, **_closed(round_, None, now)))


async def _form(request: Request):
    return await request.form()


@router.post("/entries/new", name="entries:create", dependencies=[web_role(Role.journalist)])
def create_entry(request: Request, session: SessionDep, user: WebUser, now: NowDep, form=Depends(_form)):
    round_ = _open_round(session, int(form.get("round_id") or 0) or None, now)
    values = ef.values_from_form(form)
    context = dict(client_token=str(form.get("client_token") or "")[:64], entry=None, **_closed(round_, None, now))
    rules = RoundRules.model_validate(round_.rules)
    if ef.apply_row_action(values, str(form.get("action") or ""), {"authors": rules.max_authors_local,
                                                                    "parts": rules.max_parts, "prior_awards": 10}):
        return render(request, "entries/form.html", _form_context(session, round_, values, {}, **context))
    data, errors = ef.entry_input(values)
    status = 400
    if errors:  # a date that is not one: the rest of the form is checked too, to show every problem at once
        errors = {**ef.checked(session, round_, data), **errors}
    else:
        try:
            entry = entries.create_entry(session, owner=user, round_=round_, data=data, now=now,
                                         client_token=context["client_token"] or None)
            # files are what a new draft usually lacks; an author already at the contest's limit is not fixed
            # by uploading, and the page says so under "Chưa nộp được" (the two must not contradict each other)
            blocked = entries.author_limit_problems(session, entry=entry, round_=round_)
            return redirect(request.url_for("entries:detail", entry_id=entry.id),
                            "Đã lưu bản nháp. Tác phẩm chưa nộp được: xem lý do bên dưới." if blocked else
                            "Đã lưu bản nháp. Tải tệp lên rồi bấm “Nộp tác phẩm” khi hồ sơ đã đủ.")
        except AwardError as exc:
            session.rollback()
            # a refusal of the whole form (the round no longer takes entries) answers with its own status
            errors, status = ef.form_errors(exc), form_status(exc, 400)
    return render(request, "entries/form.html", _form_context(session, round_, values, errors, **context), status)


@router.get("/entries/{entry_id}", name="entries:detail")
def entry_page(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep, cache: CacheDep,
               background: BackgroundTasks):
    background.add_task(themes.flush_cache, cache)  # embeddings are stored after the request commits
    entry = judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    return render(request, "entries/detail.html", _detail_context(session, user, entry, now, cache))


def _decision_notice(session: Session, entry: Entry) -> str | None:
    """What the unit or the centre said when it returned or rejected the work (its note and reason)."""
    stage = {EntryStatus.returned: "local", EntryStatus.ineligible_local: "local",
             EntryStatus.ineligible: "preliminary"}.get(EntryStatus(entry.status))
    if stage is None:
        return None
    row = session.exec(select(Screening).where(Screening.entry_id == entry.id, Screening.stage == stage)).first()
    if row is None:
        return None
    who = "Đơn vị" if stage == "local" else "Ban Thư ký"
    if entry.status == EntryStatus.returned:
        return f"{who} trả lại tác phẩm để bổ sung: {row.note}"
    reason = contests.REASONS.get(row.reason_code or "", "")
    return f"{who} xét không đủ điều kiện: {reason}" + (f" – {row.note}" if row.note else "") + "."


def refusal_lines(exc: AwardError) -> list[str]:
    """Every problem of a refused action on the work's page, each naming where it is (Kỳ 2, Tác giả 1) since
    the page has no fields to put them next to."""
    lines = []
    for field, message in field_errors(exc).items():
        parts = field.split(".")
        where = {"parts": "Kỳ", "authors": "Tác giả", "prior_awards": "Giải thưởng đã đạt"}.get(parts[0])
        lines.append(f"{where} {int(parts[1]) + 1}: {message}" if where and len(parts) > 1 and parts[1].isdigit()
                     else message)
    return lines


def _detail_context(session: Session, user: User, entry: Entry, now, cache, error: list[str] | None = None) -> dict:
    round_ = session.get(Round, entry.round_id)
    authors, parts = entries.children(session, entry)
    files = entry_files.live_files(session, entry_id=entry.id)
    history = [e for e in session.exec(select(AuditEvent).where(AuditEvent.object_type == "entry",
                                                                 AuditEvent.object_id == str(entry.id))
                                       .order_by(AuditEvent.id)).all()
               if permissions.can_see_history_event(user, entry, e.action, e.data or {})]
    show_authors = entry.id not in judging_permissions.authors_hidden(session, user=user, entries_=[entry])
    can_tag = permissions.can_tag_entry(user, entry, round_, now)
    panel = entry_theme_panel(session, entry, cache, now) if can_tag and cache is not None else {
        "suggestions": [], "weak": False, "confirmed": themes.entry_theme_codes(session, entry_id=entry.id)}
    can_edit = permissions.can_edit_entry(user, entry, round_, now)
    can_submit = permissions.can_submit_entry(user, entry, round_, now)
    owner = entry.owner_id == user.id
    locked = None  # why the author can no longer change the work
    if owner and not can_edit and entry.status != EntryStatus.withdrawn:
        locked = (refusal(round_, now, "entry.edit") if entry.status in entries.EDITABLE else
                  "Đơn vị đã xét tác phẩm: từ đây hồ sơ được giữ nguyên như khi được xét.")
    return {
        "error": error, "notice": _decision_notice(session, entry) if owner or user.role != Role.journalist else None,
        "outcome": publication.outcome(session, entry=entry, round_=round_, now=now) if owner else None,
        "locked": locked,
        "missing": _missing(session, entry, round_, error) if can_submit else None,
        "can_tag": can_tag, "themes": panel, "show_authors": show_authors,
        **_waiting(session, entry, now, show=owner or can_tag),
        "entry": entry, "round": round_, "authors": authors if show_authors else [], "parts": parts,
        "files": [(f, f.filename if show_authors else entry_files.neutral_name(i, f.filename))
                  for i, f in enumerate(files, start=1)],
        "history": history,
        "unit": session.get(Unit, entry.unit_id), "status_label": ENTRY_STATUS_LABELS[entry.status],
        "can_edit": can_edit, "can_submit": can_submit,
        "can_withdraw": permissions.can_withdraw_entry(user, entry, round_, now),
        "can_delete": permissions.can_delete_entry(user, entry),
        "deadline": entries.local_deadline_at(round_),
        "works_list": _works_list(user, entry),
    }


def _works_list(user: User, entry: Entry) -> str | None:
    """Which list of works the page's crumbs lead back to, for the roles that may open one: the round's works
    (the secretariat), the unit's (its manager and local judges, for a work of their unit); none otherwise (an
    author finds their works on the dashboard, the first crumb)."""
    if user.role == Role.secretariat:
        return "round"
    if user.role in (Role.unit_manager, Role.local_judge) and user.unit_id == entry.unit_id:
        return "unit"
    return None


def _missing(session: Session, entry: Entry, round_: Round, error: list[str] | None) -> list[str]:
    """What stands between the work and its submission, said before the author presses "Nộp tác phẩm": what it
    still lacks for its media type, and each author who already has the contest's number of works there. A line
    the refusal shown above already says is left out (each requirement is shown once)."""
    lines = [entries.missing_for_submission(session, entry=entry, round_=round_)]
    lines += [message for _, message in entries.author_limit_problems(session, entry=entry, round_=round_)]
    return [line for line in lines if line and not any(line in shown for shown in error or [])]


SLOW_JOBS = 300  # seconds: past this, the page stops reloading itself and says the background work is late


def _waiting(session: Session, entry: Entry, now, *, show: bool) -> dict:
    """What the page waits for from the worker (text of a file, the theme ranking), and whether to keep
    reloading: not once the oldest job has waited `SLOW_JOBS` (no worker runs?), so a page is not reloaded
    forever."""
    if not show:
        return {"waiting": [], "waiting_slow": False}
    labels, since = suggestions.waiting(session, entry=entry)
    return {"waiting": labels, "waiting_slow": since is not None and (now - since).total_seconds() > SLOW_JOBS}


def _closed(round_: Round, entry: Entry | None, now) -> dict:
    """Whether the form can be saved, and if not why (the phase and its dates, or the work's state)."""
    reason = refusal(round_, now, "entry.create" if entry is None else "entry.edit")
    if reason is None and entry is not None and entry.status not in entries.EDITABLE:
        reason = "Đơn vị đã xét tác phẩm hoặc tác phẩm đã rút: hồ sơ không còn sửa được."
    return {"open": reason is None, "closed_reason": reason}


@router.get("/entries/{entry_id}/edit", name="entries:edit", dependencies=[web_role(Role.journalist)])
def edit_form(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    round_ = session.get(Round, entry.round_id)
    authors, parts = entries.children(session, entry)
    return render(request, "entries/form.html", _form_context(
        session, round_, ef.values_from_entry(entry, authors, parts), {}, entry=entry, client_token="",
        **_closed(round_, entry, now)))


@router.post("/entries/{entry_id}/edit", name="entries:update", dependencies=[web_role(Role.journalist)])
def update_entry(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep, form=Depends(_form)):
    entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    round_ = session.get(Round, entry.round_id)
    values = ef.values_from_form(form)
    context = dict(entry=entry, client_token="", **_closed(round_, entry, now))
    rules = RoundRules.model_validate(round_.rules)
    if ef.apply_row_action(values, str(form.get("action") or ""), {"authors": rules.max_authors_local,
                                                                    "parts": rules.max_parts, "prior_awards": 10}):
        return render(request, "entries/form.html", _form_context(session, round_, values, {}, **context))
    data, errors = ef.entry_input(values)
    version = form.get("version")
    status = 400
    if errors:
        errors = {**ef.checked(session, round_, data, exclude_entry_id=entry.id), **errors}
    else:
        try:
            saved = entry.version
            entries.update_entry(session, entry=entry, actor=user, data=data, now=now,
                                 expected_version=int(version) if str(version or "").isdigit() else None)
            return redirect(request.url_for("entries:detail", entry_id=entry.id),
                            "Đã lưu thay đổi." if entry.version != saved else "Không có thay đổi nào.")
        except AwardError as exc:
            session.rollback()
            # a form loaded before the deadline and sent after it: 409 with the phase and its dates
            errors, status = ef.form_errors(exc), form_status(exc, 400)
    return render(request, "entries/form.html", _form_context(session, round_, values, errors, **context), status)


def _action(request: Request, session: Session, user: User, entry_id: Id, fn, now, message: str) -> RedirectResponse:
    entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    try:
        fn(session, entry=entry, actor=user, now=now)
    except AwardError as exc:  # the work's own page, with the reason, rather than a bare error page
        session.rollback()
        entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
        return render(request, "entries/detail.html", _detail_context(session, user, entry, now, None, refusal_lines(exc)),
                      status_of(exc))
    return redirect(request.url_for("entries:detail", entry_id=entry.id), message)


@router.post("/entries/{entry_id}/submit", name="entries:submit", dependencies=[web_role(Role.journalist)])
def submit(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    return _action(request, session, user, entry_id, entries.submit_entry, now,
                   "Đã nộp tác phẩm cho đơn vị. Anh/chị sẽ nhận thư khi đơn vị xét tác phẩm.")


@router.post("/entries/{entry_id}/withdraw", name="entries:withdraw", dependencies=[web_role(Role.journalist)])
def withdraw(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    return _action(request, session, user, entry_id, entries.withdraw_entry, now, "Đã rút tác phẩm khỏi cuộc thi.")


@router.post("/entries/{entry_id}/delete", name="entries:delete", dependencies=[web_role(Role.journalist)])
def delete(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    title = entry.title
    entries.delete_draft(session, entry=entry, actor=user, now=now)
    return redirect(request.url_for("pages:dashboard"), f"Đã xóa bản nháp “{title}” cùng các tệp.")


@router.post("/entries/{entry_id}/files/{file_id}/remove", name="entries:remove_file",
             dependencies=[web_role(Role.journalist)])
def remove_file(entry_id: Id, file_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    entry_files.check_can_attach(session, entry=entry, now=now)
    entry_files.remove_file(session, entry=entry, file_id=file_id, actor=user, now=now)
    return redirect(request.url_for("entries:detail", entry_id=entry.id), "Đã gỡ tệp khỏi hồ sơ.")


@router.get("/unit/entries", name="entries:unit_list", dependencies=[web_role(Role.unit_manager, Role.local_judge)])
def unit_entries(
    request: Request,
    session: SessionDep,
    user: WebUser,
    now: NowDep,
    round_id: Id | None = None,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Choice(EntryStatus.__members__) = "",
    media_type: Choice(MEDIA_TYPES, max_length=16) = "",
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
):
    """The unit's works (a local judge: those assigned to them), searched as the secretariat's round-wide list
    is (judging.worklists), with the spreadsheet of the same filter for the unit manager."""
    rounds = rounds_domain.visible_rounds(session, user)
    current = rounds_domain.current_round(session, now, "local.screen")
    round_id = round_id or (current.id if current else (rounds[0].id if rounds else None))
    params = {"round_id": round_id or "", "q": q.strip(), "status": status, "media_type": media_type}
    result = worklists.works(session, user=user, round_id=round_id or 0, page=page,
                             filters=work_filters(q, status, media_type, user.unit_id if user.unit_id else None))
    export = {k: v for k, v in params.items() if v and k != "round_id"}
    can_export = user.role == Role.unit_manager and round_id is not None
    return render(request, "entries/unit_list.html", {
        "result": result, "links": page_links(params, result.page, result.pages), "rounds": rounds,
        "round_id": round_id, "params": params, "unit": session.get(Unit, user.unit_id),
        "export_url": (str(request.url_for("api:entries:xlsx", round_id=round_id))
                       + ("?" + urlencode(export) if export else "")) if can_export else None,
        "ENTRY_STATUS_LABELS": ENTRY_STATUS_LABELS, "statuses": [s for s in EntryStatus if s != EntryStatus.draft]})
