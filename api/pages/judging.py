"""Judging pages: a judge's queue and score sheet; the unit manager's jury, assignment and ranking."""

from types import SimpleNamespace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlmodel import Session, select

from award import entries, entry_files, rounds as rounds_domain
from award.calendar import STAGE_ACTIONS, refusal
from award.errors import AwardError, Invalid, NotFound, field_errors
from award.models import Entry, Role, Round, Unit, User
from judging import juries, permissions, plans, sheets, stages
from judging.models import Assignment, AssignmentPlan, JudgeMembership, Stage
from judging.reminders import scoring_deadline
from api.deps import NowDep, SessionDep, WebUser, web_role
from api.errors import status_of
from api.forms import form_int, redirect
from api.openapi import Id
from api.queries import Choice, PlanId
from api.security import verify_csrf
from api.templating import file_kind, phase_notes, points, render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
STAGE_NAMES = {Stage.local: "Sơ tuyển", Stage.preliminary: "Sơ khảo", Stage.final: "Chung khảo"}
METHOD_LABELS = {"mean": "Trung bình", "median": "Trung vị", "trimmed": "Trung bình bỏ cao nhất, thấp nhất",
                 "zscore": "Chuẩn hóa theo từng giám khảo (z-score)"}


def _own_sheet(session: Session, user: User, assignment_id: Id) -> Assignment:
    row = session.get(Assignment, assignment_id)
    if row is None or not permissions.can_see_sheet(user, row):
        raise NotFound("Không tìm thấy phiếu chấm.")
    return row


def viewer_files(files, *, blind: bool, url) -> list[dict]:
    """The work's files as templates/judging/_viewer.html shows them: under their neutral names ("Tệp 1.pdf")
    when the viewer may not see who wrote the work; `url(file)` is where the browser fetches the bytes."""
    return [{"id": f.id, "kind": f.kind, "pdf": f.content_type == "application/pdf", "url": url(f),
             "name": entry_files.neutral_name(i, f.filename) if blind else f.filename,
             "kind_label": file_kind(f.kind, f.content_type)} for i, f in enumerate(files, start=1)]


def _sheet_context(session: Session, user: User, row: Assignment, now) -> dict:
    """What the sheet page shows; who wrote the work only when judging.permissions.can_see_authors lets
    this judge see it (a blind stage: no authors, outlets, links or file names)."""
    entry = session.get(Entry, row.entry_id)
    round_ = session.get(Round, row.round_id)
    stage = Stage(row.stage)
    show_authors = permissions.can_see_authors(
        user, round_, stages=permissions.judged_stages(session, user=user, entries_=[entry])[entry.id])
    authors, parts = entries.children(session, entry)
    rubric = sheets.sheet_rubric(stages.rubric_for(session, round_, stage, entry.unit_id), entry)
    total, base, bonus = sheets.running_total(row.scores, rubric)
    files = viewer_files(entry_files.live_files(session, entry_id=entry.id), blind=not show_authors,
                         url=lambda f: f"/api/v1/entries/{entry.id}/files/{f.id}?inline=true")
    return {
        "a": row, "entry": entry, "round": round_, "stage_label": STAGE_NAMES[stage],
        "rubric": rubric, "total": total, "base_total": base, "bonus_total": bonus,
        "blind": not show_authors, "authors": authors if show_authors else [], "parts": parts, "files": files,
        "next_sheet": sheets.next_open_sheet(session, judge_id=user.id, current_id=row.id),
        "deadline": scoring_deadline(round_, stage),
        "closed": not permissions.stage_scoring_open(round_, stage, now),
        "closed_reason": refusal(round_, now, STAGE_ACTIONS[stage.value][1]) or "Ban Thư ký đã đóng vòng chấm này.",
        "can_score": permissions.can_score(user, row, round_, now), "errors": {},
        "others": sheets.others_sheets(session, assignment=row) if stages.stage_settings(round_, stage).share_scores
        else []}


@router.get("/judging", name="judging:queue", dependencies=[web_role(Role.judge, Role.local_judge)])
def queue(request: Request, session: SessionDep, user: WebUser):
    return render(request, "judging/queue.html", {"groups": sheets.judge_queue(session, judge=user),
                                                  "stage_names": STAGE_NAMES})


@router.get("/judging/{assignment_id}", name="judging:sheet", dependencies=[web_role(Role.judge, Role.local_judge)])
def sheet(assignment_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    row = _own_sheet(session, user, assignment_id)
    return render(request, "judging/sheet.html", _sheet_context(session, user, row, now))


@router.post("/judging/{assignment_id}", name="judging:save", dependencies=[web_role(Role.judge, Role.local_judge)])
async def save(assignment_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    form = await request.form()
    row = _own_sheet(session, user, assignment_id)
    round_ = session.get(Round, row.round_id)
    entry = session.get(Entry, row.entry_id)
    rubric = sheets.sheet_rubric(stages.rubric_for(session, round_, Stage(row.stage), entry.unit_id), entry)
    values = {c.code: str(form.get(f"score-{c.code}") or "").strip() or None for c in rubric}
    submit = form.get("action") == "submit"
    # What the sheet shows again if refused: a plain copy, never the stored row (the request commits at its
    # end, and a refused sheet, e.g. sent after its phase ended, must keep what was stored).
    shown = SimpleNamespace(id=row.id, entry_id=row.entry_id, stage=row.stage, submitted_at=row.submitted_at,
                            scores={k: v for k, v in values.items() if v is not None},
                            comment=str(form.get("comment") or ""))
    try:
        sheets.save_score(session, assignment=row, judge=user, scores=values, comment=str(form.get("comment") or ""),
                           submit=submit, now=now)
    except AwardError as exc:
        session.rollback()
        context = _sheet_context(session, user, row, now)
        context["a"] = shown  # what was typed, shown again; the stored sheet is left as it was
        context["submitting"] = submit  # "Chưa nộp được…" for a refused submit, "Chưa lưu được…" for a draft
        errors = {(f or "form").replace("scores.", "score-"): m for f, m in field_errors(exc).items()}
        return render(request, "judging/sheet.html", {**context, "errors": errors},
                      422 if isinstance(exc, Invalid) else 409)
    if not submit:
        # back at the score sheet itself: on a phone it is below the work and its viewer, a screen or two down
        return redirect(str(request.url_for("judging:sheet", assignment_id=row.id)) + "#cham-diem",
                        "Đã lưu nháp phiếu chấm.")
    following = sheets.next_open_sheet(session, judge_id=user.id, current_id=row.id)
    total = sheets.running_total(row.scores, rubric)[0]
    message = f"Đã nộp phiếu chấm “{entry.title}” ({points(total)} điểm); phiếu đã khóa."
    if following is None:
        return redirect(request.url_for("judging:queue"), message + " Anh/chị đã nộp hết các phiếu được phân công.")
    return redirect(request.url_for("judging:sheet", assignment_id=following.id), message + " Đây là tác phẩm tiếp theo.")


def _unit_round(session: Session, user: User, round_id: Id | None, now) -> tuple[Round, Unit]:
    round_ = session.get(Round, round_id) if round_id else rounds_domain.current_round(session, now, "local.jury")
    if round_ is None:
        raise NotFound("Không tìm thấy đợt giải.")
    return round_, session.get(Unit, user.unit_id)


def _jury_page(request, session, user, now, round_id, plan=None, errors=None, method="mean", k=None, status=200):
    round_, unit = _unit_round(session, user, round_id, now)
    memberships = session.exec(select(JudgeMembership, User).join(User, JudgeMembership.user_id == User.id).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage == Stage.local, JudgeMembership.unit_id == unit.id)
        .order_by(JudgeMembership.id)).all()
    members = [u for _m, u in memberships]
    candidates = session.exec(select(User).where(User.role == Role.local_judge, User.unit_id == unit.id)).all()
    submitted, total = stages.progress(session, round_=round_, stage=Stage.local, unit_id=unit.id)
    ranked = stages.ranking(session, round_=round_, stage=Stage.local, method=method, unit_id=unit.id)
    titles = {e.id: e.title for e in session.exec(select(Entry).where(Entry.round_id == round_.id, Entry.unit_id == unit.id))}
    names = {u.id: u.full_name for u in members}
    notes = phase_notes(round_, now, "local.jury")
    return render(request, "judging/unit.html", {
        "phase_notes": notes, "jury_open": notes["local.jury"] is None,
        "round": round_, "unit": unit, "members": members, "memberships": memberships,
        "candidates": [c for c in candidates if c not in members],
        "plan": plan, "errors": errors or {}, "k": k, "submitted": submitted, "total": total, "ranked": ranked,
        "titles": titles, "names": names, "method": method, "methods": METHOD_LABELS}, status)


@router.get("/unit/judging", name="judging:unit", dependencies=[web_role(Role.unit_manager)])
def unit_judging(request: Request, session: SessionDep, user: WebUser, now: NowDep, round_id: Id | None = None,
                 method: Choice(METHOD_LABELS) = "mean", plan_id: PlanId = ""):
    plan = session.get(AssignmentPlan, plan_id) if plan_id else None
    if plan is not None and not permissions.can_manage_stage(user, plan.stage, plan.unit_id):
        plan = None
    return _jury_page(request, session, user, now, round_id, plan=plan, method=method or "mean")


@router.post("/unit/judging/judges", name="judging:add_judge", dependencies=[web_role(Role.unit_manager)])
def add_judge(request: Request, session: SessionDep, user: WebUser, now: NowDep,
              round_id: Annotated[int, Form()], user_id: Annotated[int, Form()]):
    round_, unit = _unit_round(session, user, round_id, now)
    judge = session.get(User, user_id)
    if judge is None or not permissions.can_add_judge(user, judge, Stage.local):
        raise NotFound("Không tìm thấy giám khảo.")
    juries.add_judge(session, round_=round_, user=judge, stage=Stage.local, panel_code=None, actor=user, now=now)
    return redirect(str(request.url_for("judging:unit")) + f"?round_id={round_.id}",
                    f"Đã thêm {judge.full_name} vào ban giám khảo của đơn vị.")


@router.post("/unit/judging/judges/{membership_id}/remove", name="judging:remove_judge",
             dependencies=[web_role(Role.unit_manager)])
def remove_judge(membership_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    """Takes a local judge off this round's jury of the manager's unit (their account stays, for other rounds);
    refused with the reason once they submitted a score sheet."""
    membership = juries.membership(session, membership_id)
    if membership.stage != Stage.local or not permissions.can_remove_judge(user, membership):
        raise NotFound("Không tìm thấy giám khảo trong hội đồng.")
    name = session.get(User, membership.user_id).full_name
    # a refusal (sheets submitted, the jury's dates over) goes back to the page with its reason (api/errors.py)
    juries.remove_judge(session, membership=membership, actor=user, now=now)
    return redirect(str(request.url_for("judging:unit")) + f"?round_id={membership.round_id}",
                    f"Đã rút {name} khỏi hội đồng sơ tuyển của đơn vị.")


def propose_from_form(session: Session, *, round_: Round, stage: Stage, unit_id: int | None, judges_per_entry: str,
                      actor: User, now) -> AssignmentPlan:
    """A propose form's plan (the unit's jury, the central subpanels): the stage's setup phase checked first (a
    closed phase's form is not shown, so its refusal must not hide behind a bad number), then "Số giám khảo chấm
    mỗi tác phẩm" as typed (1-20, blank = 3; Invalid under its field), then judging.plans.propose_plan."""
    stages.require_setup(round_, stage, now)
    k = form_int(judges_per_entry, field="judges_per_entry", ge=1, le=20, default=3)
    return plans.propose_plan(session, round_=round_, stage=stage, k=k, unit_id=unit_id, actor=actor, now=now)


@router.post("/unit/judging/propose", name="judging:propose", dependencies=[web_role(Role.unit_manager)])
def propose(request: Request, session: SessionDep, user: WebUser, now: NowDep,
            round_id: Annotated[int, Form()], judges_per_entry: Annotated[str, Form(max_length=12)] = ""):
    round_, unit = _unit_round(session, user, round_id, now)
    try:
        plan = propose_from_form(session, round_=round_, stage=Stage.local, unit_id=unit.id,
                                 judges_per_entry=judges_per_entry, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        # a bad number under its field (focused), a refusal of the plan (no works, no judges) above the form
        errors = {"judges_per_entry" if exc.field == "judges_per_entry" else "plan": exc.message}
        return _jury_page(request, session, user, now, round_id, errors=errors, k=judges_per_entry,
                          status=status_of(exc))
    return redirect(str(request.url_for("judging:unit")) + f"?round_id={round_.id}&plan_id={plan.id}#phuong-an",
                    plans.proposed_message(plan), "info" if plan.assignments else "warning")


@router.post("/unit/judging/apply", name="judging:apply", dependencies=[web_role(Role.unit_manager)])
def apply(request: Request, session: SessionDep, user: WebUser, now: NowDep, plan_id: Annotated[str, Form(max_length=32)]):
    plan = session.get(AssignmentPlan, plan_id)
    if plan is None or not permissions.can_manage_stage(user, plan.stage, plan.unit_id):
        raise NotFound("Không tìm thấy phương án phân công.")
    try:
        plans.apply_plan(session, plan=plan, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _jury_page(request, session, user, now, plan.round_id, errors={"plan": exc.message},
                          status=status_of(exc))
    return redirect(str(request.url_for("judging:unit")) + f"?round_id={plan.round_id}",
                    f"Đã áp dụng phương án: {len(plan.assignments)} lượt chấm đã giao cho giám khảo.")
