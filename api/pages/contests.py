"""Contest pages: the unit's screening and forwarding, the signed list, the secretariat's receipt desk."""

import re
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session, select

from award import permissions, rounds as rounds_domain
from award.errors import AwardError, NotFound
from award.models import Entry, EntryAuthor, EntryStatus, Role, Round, Unit, User
from award.text import fold
from judging import contests, permissions as judging_permissions, stages, worklists
from judging.forwarding_list import forwarding_list_pdf
from judging.models import Assignment, ForwardingBatch, Screening, Stage
from api.deps import NowDep, SessionDep, WebUser, web_role
from api.errors import form_status
from api.forms import redirect
from api.openapi import Id
from api.pages.records import page_links
from api.security import verify_csrf
from api.templating import phase_notes, render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _current_round(session: Session, round_id: Id | None, now) -> Round:
    round_ = session.get(Round, round_id) if round_id else rounds_domain.current_round(session, now, "local.forward")
    if round_ is None:
        raise NotFound("Không tìm thấy đợt giải.")
    return round_


def _entry_if(session: Session, user: User, entry_id: Id, rule) -> Entry:
    """The entry when `rule(user, entry)` (an award.permissions predicate) holds, else 404."""
    entry = judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    if not rule(user, entry):
        raise NotFound("Không tìm thấy tác phẩm.")
    return entry


def _authors(session: Session, ids: list[int]) -> dict[int, list[EntryAuthor]]:
    result: dict[int, list[EntryAuthor]] = {}
    if ids:
        for a in session.exec(select(EntryAuthor).where(EntryAuthor.entry_id.in_(ids)).order_by(EntryAuthor.position)):
            result.setdefault(a.entry_id, []).append(a)
    return result


def criterion_code(label: str, taken: set[str]) -> str:
    """The code of a criterion a unit adds, made from its Vietnamese name (“Tính mới” → ``tinh_moi``): the code
    keys the scores and is never shown; a name that folds to another criterion's code gets a number."""
    base = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")[:28] or "tieu_chi"
    base = base if base[0].isalpha() else "tc_" + base[:25]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def _rubric_rows(session, round_, unit) -> list[dict]:
    from judging.models import Stage as JStage
    from judging.stages import rubric_for

    rows = [c.model_dump(mode="json") for c in rubric_for(session, round_, JStage.local, unit.id)]
    return rows + [{"code": "", "label": "", "max_points": "", "weight": "1", "bonus": False} for _ in range(2)]


def _contest_page(request, session, user, now, round_id, errors=None, status=200):
    round_ = _current_round(session, round_id, now)
    unit = session.get(Unit, user.unit_id)
    rows = session.exec(select(Entry).where(
        Entry.round_id == round_.id, Entry.unit_id == unit.id,
        Entry.status.notin_((EntryStatus.draft, EntryStatus.withdrawn))).order_by(Entry.id)).all()
    ids = [e.id for e in rows]
    decisions = {s.entry_id: s for s in session.exec(select(Screening).where(
        Screening.entry_id.in_(ids), Screening.stage == Stage.local))} if ids else {}
    batches = session.exec(select(ForwardingBatch).where(ForwardingBatch.round_id == round_.id,
                                                         ForwardingBatch.unit_id == unit.id)
                           .order_by(ForwardingBatch.id)).all()
    # Where the unit runs a jury, forwarding shows each work's local rank and flags the works not yet scored.
    has_jury = session.exec(select(Assignment.id).join(Entry, Entry.id == Assignment.entry_id).where(
        Assignment.round_id == round_.id, Assignment.stage == Stage.local, Entry.unit_id == unit.id).limit(1)).first()
    ranks = {r.entry_id: r for r in stages.ranking(session, round_=round_, stage=Stage.local, method="mean",
                                                     unit_id=unit.id)} if has_jury else {}
    return render(request, "contests/unit.html", {
        "has_jury": has_jury is not None, "ranks": ranks,
        "phase_notes": phase_notes(round_, now, "local.screen", "local.return", "local.forward", "local.prize"),
        "rubric_note": phase_notes(round_, now, "local.jury")["local.jury"],
        "round": round_, "unit": unit, "entries": rows, "authors": _authors(session, ids), "decisions": decisions,
        "summary": contests.summary(session, round_=round_, unit=unit, now=now), "batches": batches,
        "reasons": contests.REASONS, "errors": errors or {}, "levels": contests.LOCAL_LEVELS,
        "prizes": {p.entry_id: p.level for p, _ in contests.local_prizes(session, round_id=round_.id, unit_id=unit.id)},
        "rubric": _rubric_rows(session, round_, unit),
        "rounds": rounds_domain.visible_rounds(session, user)}, status)


@router.get("/unit/contest", name="contests:unit", dependencies=[web_role(Role.unit_manager)])
def unit_contest(request: Request, session: SessionDep, user: WebUser, now: NowDep, round_id: Id | None = None):
    return _contest_page(request, session, user, now, round_id)


@router.post("/unit/entries/{entry_id}/screening", name="contests:screen", dependencies=[web_role(Role.unit_manager)])
def screen(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
           eligible: Annotated[str, Form(max_length=5)] = "yes",
           reason_code: Annotated[str, Form(max_length=32)] = "", note: Annotated[str, Form(max_length=2000)] = ""):
    entry = _entry_if(session, user, entry_id, permissions.can_screen)
    try:
        contests.screen_locally(session, entry=entry, eligible=eligible == "yes", reason_code=reason_code or None,
                                note=note, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _contest_page(request, session, user, now, entry.round_id, {f"entry-{entry_id}": exc.message},
                             form_status(exc, 400))
    verdict = "đủ điều kiện" if eligible == "yes" else "không đủ điều kiện"
    return redirect(str(request.url_for("contests:unit")) + f"?round_id={entry.round_id}#tp-{entry_id}",
                    f"Đã xét “{entry.title}”: {verdict}.")


@router.post("/unit/entries/{entry_id}/return", name="contests:return", dependencies=[web_role(Role.unit_manager)])
def return_to_author(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                     note: Annotated[str, Form(max_length=2000)] = ""):
    entry = _entry_if(session, user, entry_id, permissions.can_screen)
    try:
        contests.return_to_author(session, entry=entry, note=note, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _contest_page(request, session, user, now, entry.round_id, {f"entry-{entry_id}": exc.message},
                             form_status(exc, 422))
    return redirect(str(request.url_for("contests:unit")) + f"?round_id={entry.round_id}#tp-{entry_id}",
                    f"Đã trả “{entry.title}” cho tác giả bổ sung; tác giả nhận thư kèm ghi chú của đơn vị.")


@router.post("/unit/entries/{entry_id}/local-prize", name="contests:local_prize",
             dependencies=[web_role(Role.unit_manager)])
def local_prize(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                level: Annotated[str, Form(max_length=16)] = ""):
    entry = _entry_if(session, user, entry_id, permissions.can_award_local_prize)
    try:
        contests.award_local_prize(session, entry=entry, level=level or None, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _contest_page(request, session, user, now, entry.round_id, {f"entry-{entry_id}": exc.message},
                             form_status(exc, 400))
    return redirect(str(request.url_for("contests:unit")) + f"?round_id={entry.round_id}#tp-{entry_id}",
                    f"Đã ghi giải cơ sở {level} cho “{entry.title}”." if level else f"Đã bỏ giải cơ sở của “{entry.title}”.")


@router.post("/unit/rubric", name="contests:rubric", dependencies=[web_role(Role.unit_manager)])
async def unit_rubric(request: Request, session: SessionDep, user: WebUser, now: NowDep):
    form = await request.form()
    round_id = int(str(form.get("round_id") or 0) or 0)
    round_ = _current_round(session, round_id, now)
    unit = session.get(Unit, user.unit_id)
    criteria, taken = [], {str(form.get(f"c-{i}-code") or "").strip() for i in range(20)}
    for i in range(20):
        code = str(form.get(f"c-{i}-code") or "").strip()  # a criterion the rubric has: its code, never shown
        label = str(form.get(f"c-{i}-label") or "").strip()
        if form.get(f"c-{i}-remove") == "on" or not (code or label):
            continue
        if not code:  # a new criterion, named in Vietnamese: its code is made from the name
            code = criterion_code(label, taken)
            taken.add(code)
        criteria.append({"code": code, "label": label or code,
                         "max_points": str(form.get(f"c-{i}-max_points") or "0").replace(",", "."),
                         "weight": str(form.get(f"c-{i}-weight") or "1").replace(",", "."),
                         "bonus": form.get(f"c-{i}-bonus") == "on"})
    try:
        contests.set_unit_rubric(session, round_=round_, unit=unit, criteria=criteria, actor=user, now=now)
    except (AwardError, ValidationError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, AwardError) else (
            "Tiêu chí không hợp lệ: mỗi tiêu chí cần tên, điểm tối đa lớn hơn 0 (tối đa 1.000) và hệ số từ 0 đến 100.")
        return _contest_page(request, session, user, now, round_.id, {"rubric": message},
                             form_status(exc, 422) if isinstance(exc, AwardError) else 422)
    return redirect(str(request.url_for("contests:unit")) + f"?round_id={round_.id}#thang-diem",
                    f"Đã lưu thang điểm của đơn vị ({len(criteria)} tiêu chí).")


@router.post("/unit/contest/forward", name="contests:forward", dependencies=[web_role(Role.unit_manager)])
def forward(request: Request, session: SessionDep, user: WebUser, now: NowDep,
            round_id: Annotated[int, Form()], entry_ids: Annotated[list[int], Form()] = []):  # noqa: B006
    round_ = _current_round(session, round_id, now)
    unit = session.get(Unit, user.unit_id)
    try:
        batch = contests.forward(session, round_=round_, unit=unit, entry_ids=entry_ids, actor=user, now=now)
    except AwardError as exc:
        session.rollback()
        return _contest_page(request, session, user, now, round_id, {"forward": exc.message}, 409)
    return redirect(request.url_for("contests:batch", batch_id=batch.id),
                    f"Đã gửi {len(batch.entry_ids)} tác phẩm về Trung ương (danh sách số {batch.id}).")


def _visible_batch(session: Session, user: User, batch_id: Id) -> ForwardingBatch:
    batch = session.get(ForwardingBatch, batch_id)
    if batch is None or not permissions.can_view_batch(user, batch.unit_id):
        raise NotFound("Không tìm thấy danh sách gửi.")
    return batch


def _batch_parts(session, batch):
    rows = {e.id: e for e in session.exec(select(Entry).where(Entry.id.in_(batch.entry_ids)))}
    ordered = [rows[i] for i in batch.entry_ids if i in rows]
    return (ordered, _authors(session, batch.entry_ids), session.get(Round, batch.round_id),
            session.get(Unit, batch.unit_id), session.get(User, batch.forwarded_by))


@router.get("/batches/{batch_id}", name="contests:batch")
def batch_page(batch_id: Id, request: Request, session: SessionDep, user: WebUser):
    batch = _visible_batch(session, user, batch_id)
    ordered, authors, round_, unit, sender = _batch_parts(session, batch)
    return render(request, "contests/batch.html", {"batch": batch, "entries": ordered, "authors": authors,
                                                   "round": round_, "unit": unit, "sender": sender})


@router.get("/batches/{batch_id}/danh-sach.pdf", name="contests:batch_pdf")
def batch_pdf(batch_id: Id, session: SessionDep, user: WebUser):
    batch = _visible_batch(session, user, batch_id)
    ordered, authors, round_, unit, sender = _batch_parts(session, batch)
    pdf = forwarding_list_pdf(batch=batch, round_=round_, unit=unit, sender=sender, entries=ordered, authors=authors)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="danh-sach-gui-{batch.id}.pdf"'})


@router.get("/secretariat/batches", name="contests:desk", dependencies=[web_role(Role.secretariat)])
def receipt_desk(request: Request, session: SessionDep, user: WebUser, now: NowDep, round_id: Id | None = None,
                 unit_id: Id | None = None, page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    round_ = _current_round(session, round_id, now)
    desk = worklists.desk_batches(session, round_id=round_.id, unit_id=unit_id, page=page)
    base = {"round_id": round_.id, "unit_id": unit_id or ""}
    return render(request, "contests/desk.html", {
        "phase_notes": phase_notes(round_, now, "central.receipt"),
        "round": round_, "desk": desk, "batches": desk.batches, "units": desk.units, "works": desk.works,
        "reasons": contests.REASONS, "unit_id": unit_id, "unit_options": worklists.desk_units(session, round_id=round_.id),
        "links": page_links(base, desk.page, desk.pages),
        "rounds": session.exec(select(Round).order_by(Round.year.desc())).all()})


@router.post("/secretariat/batches/{batch_id}/receipt", name="contests:receipt", dependencies=[web_role(Role.secretariat)])
def receipt(batch_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
            postmark_date: Annotated[str, Form(max_length=10)] = ""):
    batch = _visible_batch(session, user, batch_id)
    try:
        postmark = date.fromisoformat(postmark_date) if postmark_date else None
    except ValueError:
        postmark = None
    contests.record_receipt(session, batch=batch, actor=user, now=now, postmark_date=postmark)
    return redirect(_desk_url(request, batch.round_id),
                    f"Đã ghi nhận tiếp nhận danh sách số {batch.id} ({len(batch.entry_ids)} tác phẩm).")


@router.post("/secretariat/entries/{entry_id}/eligibility", name="contests:eligibility",
             dependencies=[web_role(Role.secretariat)])
def eligibility(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                eligible: Annotated[str, Form(max_length=5)] = "yes",
                reason_code: Annotated[str, Form(max_length=32)] = "", note: Annotated[str, Form(max_length=2000)] = ""):
    entry = _entry_if(session, user, entry_id, permissions.can_rule_eligibility)
    contests.rule_eligibility(session, entry=entry, eligible=eligible == "yes", reason_code=reason_code or None,
                              note=note, actor=user, now=now)
    verdict = "đủ điều kiện dự giải" if eligible == "yes" else "không đủ điều kiện"
    return redirect(_desk_url(request, entry.round_id), f"Đã xét “{entry.title}”: {verdict}.")


def _desk_url(request: Request, round_id: int) -> str:
    """Back to the desk's page and unit filter the form was sent from (they travel in its action's query)."""
    kept = {k: v for k in ("unit_id", "page") if (v := request.query_params.get(k, "")).isdigit() and len(v) < 10}
    return str(request.url_for("contests:desk")) + "?" + urlencode({"round_id": round_id, **kept})
