"""Central judging pages: the secretariat's desk (subpanels, judges, assignment), a subpanel's ranking
and shortlist, the council's tally with the prize list from proposal to publication (the approver
approves or sends it back there), and a council member's ballots."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select

from award import entry_files
from award.errors import AwardError, Invalid, NotFound
from award.models import Entry, EntryPart, Role, User
from award.rules import MEDIA_TYPES, PRIZE_LEVELS, RoundRules
from award.timezone import VN_TZ
from judging import council, juries, panels, permissions as judging_permissions, plans, publication, stages
from judging.models import AssignmentPlan, JudgeMembership, ResultStatus, Stage
from api.deps import FileStoreDep, NowDep, SessionDep, WebUser, load_round, web_role
from api.errors import status_of
from api.forms import redirect
from api.openapi import Id
from api.pages.judging import METHOD_LABELS, propose_from_form, viewer_files
from api.queries import Choice, PlanId
from api.routers.files import file_response
from api.security import verify_csrf
from api.templating import phase_notes, render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
VOTE_LABELS = {**PRIZE_LEVELS, "none": "Không trao giải"}
FLAG_LABELS = {"tie": "bằng phiếu ở ranh giới", "moved_down": "chuyển xuống mức dưới", "no_quorum": "chưa đủ phiếu"}


def _to(request: Request, name: str, anchor: str = "", message: str | None = None, **params) -> RedirectResponse:
    """303 to a page of the desk (an anchor on it), with what happened as a flash message."""
    return redirect(str(request.url_for(name, **params)) + anchor, message)


# --- the secretariat's desk ------------------------------------------------------------------------

def _desk(request, session, user, round_, now, *, plan=None, error=None, errors=None, k=None, status=200):
    members = session.exec(select(JudgeMembership, User).join(User, User.id == JudgeMembership.user_id).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage.in_((Stage.preliminary, Stage.final)))
        .order_by(JudgeMembership.stage, JudgeMembership.panel_code, User.full_name)).all()
    judges = session.exec(select(User).where(User.role == Role.judge, User.is_active == True)  # noqa: E712
                          .order_by(User.full_name)).all()
    titles, names = {}, {}
    if plan is not None:
        ids = {p["entry_id"] for p in plan.assignments} | {u["entry_id"] for u in plan.unassignable}
        titles = dict(session.exec(select(Entry.id, Entry.title).where(Entry.id.in_(ids))).all())
        names = {u.id: u.full_name for u in judges}
    submitted, total = stages.progress(session, round_=round_, stage=Stage.preliminary)
    return render(request, "central/desk.html", {
        "phase_notes": phase_notes(round_, now, "preliminary.setup"),
        "setup_open": phase_notes(round_, now, "preliminary.setup")["preliminary.setup"] is None,
        "final_setup_open": phase_notes(round_, now, "final.setup")["final.setup"] is None,
        "round": round_, "overview": panels.overview(session, round_=round_),
        "unrouted": panels.unrouted(session, round_id=round_.id), "members": members, "judges": judges,
        "panels": panels.panels_of(round_), "plan": plan, "titles": titles, "names": names, "error": error,
        "errors": errors or {}, "k": k,
        "submitted": submitted, "total": total,
        "finalists": len(council.finalists(session, round_id=round_.id))}, status)


@router.get("/central/{round_id}", name="central:desk", dependencies=[web_role(Role.secretariat)])
def desk(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep, plan_id: PlanId = ""):
    round_ = load_round(round_id, session)
    plan = session.get(AssignmentPlan, plan_id) if plan_id else None
    if plan is not None and (plan.round_id != round_.id or plan.stage != Stage.preliminary):
        plan = None
    return _desk(request, session, user, round_, now, plan=plan)


@router.post("/central/{round_id}/route", name="central:route", dependencies=[web_role(Role.secretariat)])
def route(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    routed = panels.route_round(session, round_=load_round(round_id, session), actor=user, now=now)
    return _to(request, "central:desk", "#tieu-ban", round_id=round_id,
               message=f"Đã xếp {sum(routed.values())} tác phẩm vào các tiểu ban theo loại hình và thể loại.")


@router.post("/central/{round_id}/judges", name="central:add_judge", dependencies=[web_role(Role.secretariat)])
def add_judge(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
              user_id: Annotated[int, Form()], place: Annotated[str, Form(max_length=40)]):
    """`place` is a panel code (the preliminary stage) or "final" (the council)."""
    round_ = load_round(round_id, session)
    judge = session.get(User, user_id)
    if judge is None:
        raise NotFound("Không tìm thấy giám khảo.")
    stage, panel = (Stage.final, None) if place == "final" else (Stage.preliminary, place)
    try:
        if panel is not None and panel not in {p.code for p in panels.panels_of(round_)}:
            raise Invalid("Tiểu ban không có trong đợt giải này.", field="place")
        juries.add_judge(session, round_=round_, user=judge, stage=stage, panel_code=panel, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _desk(request, session, user, load_round(round_id, session), now, error=exc.message, status=status_of(exc))
    where = "Hội đồng chung khảo" if panel is None else f"tiểu ban {panel}"
    return _to(request, "central:desk", "#giam-khao", round_id=round_id, message=f"Đã thêm {judge.full_name} vào {where}.")


@router.post("/central/{round_id}/members/{membership_id}/remove", name="central:remove_judge",
             dependencies=[web_role(Role.secretariat)])
def remove_judge(round_id: Id, membership_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    """Takes a judge off a subpanel or the council; refused with the reason once they submitted a sheet
    (a ballot, for the council)."""
    round_ = load_round(round_id, session)
    membership = juries.membership(session, membership_id)
    if membership.round_id != round_.id or membership.stage == Stage.local:
        raise NotFound("Không tìm thấy giám khảo trong hội đồng.")
    name = session.get(User, membership.user_id).full_name
    try:
        juries.remove_judge(session, membership=membership, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _desk(request, session, user, load_round(round_id, session), now, error=exc.message, status=status_of(exc))
    return redirect(str(request.url_for("central:desk", round_id=round_id)) + "#giam-khao",
                    f"Đã rút {name} khỏi {'hội đồng chung khảo' if membership.stage == Stage.final else 'tiểu ban'}.")


@router.post("/central/{round_id}/propose", name="central:propose", dependencies=[web_role(Role.secretariat)])
def propose_assignments(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                        judges_per_entry: Annotated[str, Form(max_length=12)] = ""):
    round_ = load_round(round_id, session)
    try:
        plan = propose_from_form(session, round_=round_, stage=Stage.preliminary, unit_id=None,
                                 judges_per_entry=judges_per_entry, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        if exc.field == "judges_per_entry":  # under the field, focused (static/js/form-errors.js)
            return _desk(request, session, user, load_round(round_id, session), now, status=status_of(exc),
                         errors={"judges_per_entry": exc.message}, k=judges_per_entry)
        return _desk(request, session, user, load_round(round_id, session), now, error=exc.message, status=status_of(exc))
    return redirect(str(request.url_for("central:desk", round_id=round_id)) + f"?plan_id={plan.id}#phan-cong",
                    plans.proposed_message(plan), "info" if plan.assignments else "warning")


@router.post("/central/{round_id}/apply", name="central:apply", dependencies=[web_role(Role.secretariat)])
def apply_assignments(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                      plan_id: Annotated[str, Form(max_length=32)]):
    plan = session.get(AssignmentPlan, plan_id)
    if plan is None or plan.round_id != round_id or plan.stage != Stage.preliminary:
        raise NotFound("Không tìm thấy phương án phân công.")
    try:
        plans.apply_plan(session, plan=plan, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _desk(request, session, user, load_round(round_id, session), now, error=exc.message, status=status_of(exc))
    return _to(request, "central:desk", "#tieu-ban", round_id=round_id,
               message=f"Đã áp dụng phương án: {len(plan.assignments)} lượt chấm đã giao cho giám khảo.")


# --- one subpanel: ranking, shortlist, moves -------------------------------------------------------

PANEL_PAGE_ROWS = 100  # a subpanel may judge thousands of works; the shortlist is at the top


def _panel_page(request, session, round_, code, now, *, method="mean", page=1, error=None, status=200):
    rules = RoundRules.model_validate(round_.rules)
    panel = next((p for p in rules.panels if p.code == code), None)
    if panel is None:
        raise NotFound("Không tìm thấy tiểu ban.")
    # One page of rows: the works with judges in ranking order (cut by the database), then the works no judge
    # has yet; a finalist leaves the list and a gap in the ranks. Only the page's titles are loaded.
    still = stages.STAGE_ENTRIES[Stage.preliminary]
    unranked = stages.unassigned_entry_ids(session, round_=round_, stage=Stage.preliminary, panel=code)

    def rows_from(offset: int, limit: int):
        return stages.ranking_page(session, round_=round_, stage=Stage.preliminary, method=method, offset=offset,
                                   limit=limit, panel=code, statuses=still)

    page = max(1, page)
    shown_ranked, n_ranked = rows_from((page - 1) * PANEL_PAGE_ROWS, PANEL_PAGE_ROWS)
    pages = max(1, -(-(n_ranked + len(unranked)) // PANEL_PAGE_ROWS))
    if page > pages:  # past the end (a stale link): the last page
        page = pages
        shown_ranked, n_ranked = rows_from((page - 1) * PANEL_PAGE_ROWS, PANEL_PAGE_ROWS)
    start, stop = (page - 1) * PANEL_PAGE_ROWS, page * PANEL_PAGE_ROWS
    shown_unranked = unranked[max(0, start - n_ranked):max(0, stop - n_ranked)]
    placed = council.finalist_panels(session, round_id=round_.id)
    finalists = [e for e in council.finalists(session, round_id=round_.id) if placed.get(e.id) == code]
    target = rules.shortlist_targets.get(code)
    room = max(0, (target or 0) - len(finalists))
    # The top of the ranking fills what the target still leaves: ticked where it is on this page (a work no judge
    # has scored yet has no rank and is never ticked).
    suggested = {r.entry_id for i, r in enumerate(shown_ranked, start=start) if i < room and r.rank is not None}
    ids = [r.entry_id for r in shown_ranked] + shown_unranked
    entries = {row.id: row for row in session.exec(select(Entry.id, Entry.title, Entry.media_type, Entry.genre)
                                                  .where(Entry.id.in_(ids))).all()} if ids else {}
    return render(request, "central/panel.html", {
        "phase_notes": (notes := phase_notes(round_, now, "preliminary.advance")),
        "advance_open": notes["preliminary.advance"] is None,
        "round": round_, "panel": panel, "panels": rules.panels, "ranked": shown_ranked, "entries": entries,
        "unranked": shown_unranked, "total": n_ranked + len(unranked), "page": page, "pages": pages, "finalists": finalists,
        "target": target, "suggested": suggested, "method": method, "methods": METHOD_LABELS, "error": error,
        "media": MEDIA_TYPES}, status)


@router.get("/central/{round_id}/panels/{code}", name="central:panel", dependencies=[web_role(Role.secretariat)])
def panel_page(round_id: Id, code: str, request: Request, session: SessionDep, user: WebUser, now: NowDep,
               method: Choice(METHOD_LABELS) = "mean",
               page: Annotated[int, Query(ge=1, le=100000)] = 1):
    return _panel_page(request, session, load_round(round_id, session), code, now, method=method or "mean", page=page)


@router.post("/central/{round_id}/panels/{code}/advance", name="central:advance",
             dependencies=[web_role(Role.secretariat)])
async def advance(round_id: Id, code: str, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    form = await request.form()
    ids = [int(v) for v in form.getlist("entry_id") if str(v).isdigit()]
    round_ = load_round(round_id, session)
    try:
        if not ids:
            raise Invalid("Hãy chọn ít nhất một tác phẩm.", field="entry_id")
        council.advance(session, round_=round_, entry_ids=ids, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _panel_page(request, session, load_round(round_id, session), code, now, error=exc.message, status=status_of(exc))
    return _to(request, "central:panel", round_id=round_id, code=code,
               message=f"Đã đưa {len(ids)} tác phẩm vào vòng chung khảo.")


@router.post("/central/{round_id}/panels/{code}/withdraw", name="central:withdraw",
             dependencies=[web_role(Role.secretariat)])
def withdraw(round_id: Id, code: str, request: Request, session: SessionDep, user: WebUser, now: NowDep,
             entry_id: Annotated[int, Form()]):
    try:
        council.withdraw(session, round_=load_round(round_id, session), entry_ids=[entry_id], actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _panel_page(request, session, load_round(round_id, session), code, now, error=exc.message, status=status_of(exc))
    return _to(request, "central:panel", round_id=round_id, code=code,
               message=f"Đã rút tác phẩm #{entry_id} khỏi vòng chung khảo.")


@router.post("/central/{round_id}/panels/{code}/move", name="central:move", dependencies=[web_role(Role.secretariat)])
def move(round_id: Id, code: str, request: Request, session: SessionDep, user: WebUser, now: NowDep,
         entry_id: Annotated[int, Form()], panel_code: Annotated[str, Form(max_length=32)]):
    round_ = load_round(round_id, session)
    entry = session.get(Entry, entry_id)
    if entry is None or entry.round_id != round_id:
        raise NotFound("Không tìm thấy tác phẩm.")
    try:
        panels.move(session, entry=entry, round_=round_, panel_code=panel_code, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _panel_page(request, session, load_round(round_id, session), code, now, error=exc.message, status=status_of(exc))
    return _to(request, "central:panel", round_id=round_id, code=code,
               message=f"Đã chuyển “{entry.title}” sang tiểu ban {panel_code}.")


# --- the council's tally and the prize list ---------------------------------------------------------

def _council_page(request, session, user, round_, now, *, error=None, status=200):
    state = council.state(session, round_=round_)
    row = publication.result_list(session, round_.id)
    prizes = publication.prizes(session, round_id=round_.id) if row and row.status != ResultStatus.returned else []
    list_status = ResultStatus(row.status) if row else None
    notes = phase_notes(round_, now, "results.correct" if round_.results_published_at else "results.decide")
    deciding, correcting = notes.get("results.decide", "x") is None, notes.get("results.correct", "x") is None
    return render(request, "central/council.html", {
        "phase_notes": notes,
        "can_open_desk": judging_permissions.can_run_central_desk(user),
        "can_propose": deciding and judging_permissions.can_propose_results(user, list_status),
        "can_decide": deciding and judging_permissions.can_decide_results(user, list_status),
        "can_publish": deciding and judging_permissions.can_publish_results(user, list_status),
        "can_correct": correcting and judging_permissions.can_correct_results(user, list_status),
        "round": round_, "state": state, "titles": {e.id: e for e in state.finalists},
        "placed": council.finalist_panels(session, round_id=round_.id), "row": row, "prizes": prizes,
        "status_labels": publication.STATUS_LABELS, "levels": VOTE_LABELS, "flags": FLAG_LABELS,
        "media": MEDIA_TYPES, "error": error, "is_public": publication.is_public(row, now),
        "thematic_names": [t.name for t in RoundRules.model_validate(round_.rules).thematic_prizes]}, status)


@router.get("/central/{round_id}/council", name="central:council",
            dependencies=[web_role(Role.secretariat, Role.approver)])
def council_page(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    return _council_page(request, session, user, load_round(round_id, session), now)


def _act(request, session, user, round_id, now, action, message: str):
    """Run one step of the list's life; on a refusal show the page again with the reason; else say what
    happened."""
    try:
        action(load_round(round_id, session))
    except AwardError as exc:
        session.rollback()
        return _council_page(request, session, user, load_round(round_id, session), now, error=exc.message,
                             status=status_of(exc))
    return _to(request, "central:council", "#danh-sach", round_id=round_id, message=message)


@router.post("/central/{round_id}/council/propose", name="central:results_propose",
             dependencies=[web_role(Role.secretariat)])
async def results_propose(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    form = await request.form()
    overrides = {int(k.removeprefix("level-")): str(v) for k, v in form.multi_items()
                 if k.startswith("level-") and k.removeprefix("level-").isdigit() and v}
    thematic = {str(k).removeprefix("thematic-"): int(v) for k, v in form.multi_items()
                if k.startswith("thematic-") and str(v).isdigit()}
    return _act(request, session, user, round_id, now, lambda r: publication.propose(
        session, round_=r, actor=user, now=now, overrides=overrides, thematic_overrides=thematic,
        note=str(form.get("note") or "")), "Đã trình danh sách giải lên Ban Chỉ đạo phê duyệt.")


@router.post("/central/{round_id}/council/approve", name="central:results_approve",
             dependencies=[web_role(Role.approver)])
def results_approve(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    return _act(request, session, user, round_id, now, lambda r: publication.approve(session, round_=r, actor=user, now=now),
                "Đã phê duyệt danh sách giải. Ban Thư ký có thể công bố.")


@router.post("/central/{round_id}/council/return", name="central:results_return", dependencies=[web_role(Role.approver)])
def results_return(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                   note: Annotated[str, Form(max_length=2000)] = ""):
    return _act(request, session, user, round_id, now,
                lambda r: publication.send_back(session, round_=r, note=note, actor=user, now=now),
                "Đã trả lại danh sách cho Ban Thư ký kèm ghi chú.")


@router.post("/central/{round_id}/council/publish", name="central:results_publish",
             dependencies=[web_role(Role.secretariat)])
def results_publish(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                    publish_at: Annotated[str, Form(max_length=32)] = ""):
    def step(round_):
        at = None
        if publish_at.strip():
            try:  # a datetime-local field: Vietnam time, as every deadline
                at = datetime.fromisoformat(publish_at.strip()).replace(tzinfo=VN_TZ)
            except ValueError as exc:
                raise Invalid("Thời điểm công bố không hợp lệ.", field="publish_at") from exc
            if at <= now:  # a time already past would publish at once: say so rather than do it silently
                raise Invalid(f"Thời điểm công bố {at:%H:%M ngày %d/%m/%Y} đã qua. Để công bố ngay, hãy để trống ô "
                              "này; nếu không, chọn một thời điểm sau bây giờ.", field="publish_at")
        publication.publish(session, round_=round_, actor=user, now=now, publish_at=at)
    when = publish_at.strip().replace("T", " ")
    return _act(request, session, user, round_id, now, step,
                f"Đã hẹn công bố danh sách giải lúc {when} (giờ Việt Nam); đến giờ đó trang kết quả mới mở."
                if publish_at.strip() else "Đã công bố danh sách giải. Trang kết quả đã mở cho mọi người.")


@router.post("/central/{round_id}/council/correct", name="central:results_correct",
             dependencies=[web_role(Role.secretariat)])
def results_correct(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                    entry_id: Annotated[int, Form()], reason: Annotated[str, Form(max_length=2000)] = "",
                    level: Annotated[str, Form(max_length=8)] = "", thematic: Annotated[str, Form(max_length=300)] = ""):
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound("Không tìm thấy tác phẩm.")
    return _act(request, session, user, round_id, now, lambda r: publication.correct(
        session, round_=r, entry=entry, level=level or None, thematic=thematic or None, reason=reason, actor=user,
        now=now), f"Đã ghi đính chính cho “{entry.title}”; danh sách công bố đã cập nhật và lý do được công khai.")


# --- a council member's ballots ---------------------------------------------------------------------

def _ballots_page(request, session, user, round_, now, *, error=None, status=200):
    if not council.is_member(session, round_id=round_.id, user=user):
        raise NotFound("Anh/chị không thuộc Hội đồng chung khảo của đợt giải này.")
    entries = council.finalists(session, round_id=round_.id)
    blocked = council.conflicts(session, members=[user], entries=entries)
    row = publication.result_list(session, round_.id)
    closed = stages.stage_settings(round_, Stage.final).closed or (row is not None and row.status != ResultStatus.returned)
    visible = [e for e in entries if (user.id, e.id) not in blocked]
    parts: dict[int, list[EntryPart]] = {e.id: [] for e in visible}
    for part in session.exec(select(EntryPart).where(EntryPart.entry_id.in_(list(parts))).order_by(EntryPart.position)):
        parts[part.entry_id].append(part)
    hidden = judging_permissions.authors_hidden(session, user=user, entries_=visible)
    stored = entry_files.live_files_of_many(session, entry_ids=list(parts))
    files = {e.id: viewer_files(stored[e.id], blind=e.id in hidden, url=lambda f, e=e: str(request.url_for(
        "central:ballot_file", round_id=round_.id, entry_id=e.id, file_id=f.id))) for e in visible}
    return render(request, "central/ballots.html", {
        "phase_notes": phase_notes(round_, now, "final.score"),
        "round": round_, "entries": visible, "parts": parts, "show_authors": {e.id: e.id not in hidden for e in visible},
        "conflicted": len(blocked), "mine": council.my_ballots(session, round_id=round_.id, judge=user),
        "levels": VOTE_LABELS, "media": MEDIA_TYPES, "closed": closed, "error": error,
        "placed": council.finalist_panels(session, round_id=round_.id), "files": files,
        "dossiers": council.dossiers(session, round_=round_, entries=visible),
        "thematic_names": [t.name for t in RoundRules.model_validate(round_.rules).thematic_prizes]}, status)


@router.get("/ballots/{round_id}", name="central:ballots", dependencies=[web_role(Role.judge)])
def ballots(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    return _ballots_page(request, session, user, load_round(round_id, session), now)


@router.get("/ballots/{round_id}/{entry_id}/files/{file_id}", name="central:ballot_file",
            dependencies=[web_role(Role.judge)])
def ballot_file(round_id: Id, entry_id: Id, file_id: Id, session: SessionDep, user: WebUser, store: FileStoreDep):
    """A finalist's file for a council member who may vote on it (no conflict of interest), in the page's viewer;
    under its neutral name when the final stage is blind."""
    round_ = load_round(round_id, session)
    entry = session.get(Entry, entry_id)
    if (entry is None or entry.round_id != round_.id or entry.status not in council.FINALIST
            or not council.is_member(session, round_id=round_.id, user=user)
            or council.conflicts(session, members=[user], entries=[entry])):
        raise NotFound("Không tìm thấy tác phẩm.")
    live = entry_files.live_files(session, entry_id=entry.id)
    position = next((i for i, f in enumerate(live, start=1) if f.id == file_id), None)
    if position is None:
        raise NotFound("Không tìm thấy tệp.", code="file_not_found")
    f = live[position - 1]
    blind = entry.id in judging_permissions.authors_hidden(session, user=user, entries_=[entry])
    return file_response(store, f, entry_files.neutral_name(position, f.filename) if blind else f.filename, inline=True)


@router.post("/ballots/{round_id}/{entry_id}", name="central:cast", dependencies=[web_role(Role.judge)])
def cast(round_id: Id, entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
         level: Annotated[str, Form(max_length=8)], thematic: Annotated[str, Form(max_length=300)] = ""):
    round_ = load_round(round_id, session)
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound("Không tìm thấy tác phẩm.")
    try:
        council.cast(session, round_=round_, entry=entry, judge=user, level=level, thematic=thematic or None, now=now)
    except AwardError as exc:
        session.rollback()
        return _ballots_page(request, session, user, load_round(round_id, session), now, error=exc.message, status=status_of(exc))
    choice = VOTE_LABELS.get(level, level) + (f", đề cử {thematic}" if thematic else "")
    return redirect(str(request.url_for("central:ballots", round_id=round_id)) + f"#tp-{entry_id}",
                    f"Đã lưu phiếu bầu cho “{entry.title}”: {choice}. Anh/chị có thể sửa cho đến khi danh sách được trình.")
