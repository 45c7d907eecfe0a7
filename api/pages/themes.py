"""Theme pages: the coverage of a round (heat maps), works per theme, and tagging an entry."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from award import entries, permissions, suggestions as stored, themes
from award.errors import AwardError, NotFound
from award.models import RetagJob, Role, Round, TagSource
from award.rules import MEDIA_TYPES, RoundRules
from award.tagging_units import OFF_OUTLINE_NOTE, Suggestion
from judging import permissions as judging_permissions
from api import suggestions
from api.deps import NowDep, SessionDep, WebUser, load_round, web_role
from api.forms import redirect
from api.openapi import Id
from api.routers.themes import queue_retag
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

HEAT_LEVELS = 6


def heat(n: int, top: int) -> int:
    """Cell shade 0..5, relative to the busiest cell, so a heat map reads at a glance."""
    if n <= 0 or top <= 0:
        return 0
    return max(1, min(HEAT_LEVELS - 1, round(n / top * (HEAT_LEVELS - 1))))


@router.get("/rounds/{round_id}/coverage", name="themes:coverage",
            dependencies=[web_role(Role.secretariat, Role.approver)])
def coverage_page(round_id: Id, request: Request, session: SessionDep, user: WebUser):
    from award.tagging_learn import DEFAULT_LEARN  # numpy: loaded with the first page that learns

    round_ = load_round(round_id, session)
    report = themes.coverage(session, round_id=round_id)
    top = report.max_cell
    # (count, shade) per cell, computed here: a macro call per cell cost ~40 ms for 85 units × 30 themes.
    by_media = {u.code: [(n, heat(n, top)) for n in (report.by_media.get(u.code, {}).get(m, 0) for m in report.media_types)]
                for u in report.units}
    by_unit = {u.code: [(n, heat(n, top)) for n in (report.by_unit.get(u.code, {}).get(name, 0) for name in report.unit_names)]
               for u in report.units}
    return render(request, "themes/coverage.html", {
        "round": round_, "report": report, "by_media": by_media, "by_unit": by_unit, "few": themes.FEW,
        "media_labels": MEDIA_TYPES, "prizes": RoundRules.model_validate(round_.rules).thematic_prizes,
        "can_link": permissions.can_link_thematic_prizes(user),
        "disagreements": themes.suggestion_disagreements(session, round_id=round_id, user=user),
        "off_outline": themes.off_outline_works(session, round_id=round_id, user=user),
        "learned": themes.learned_weights(session, round_id=round_id), "min_examples": DEFAULT_LEARN.weight_min_examples})


@router.post("/rounds/{round_id}/thematic-prizes", name="themes:link_prizes", dependencies=[web_role(Role.secretariat)])
async def link_prizes(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    round_ = load_round(round_id, session)
    form = await request.form()
    links: dict[int, list[str]] = {}
    for key, value in form.multi_items():
        if key.startswith("prize-") and key[6:].isdigit() and isinstance(value, str):
            links.setdefault(int(key[6:]), []).append(value)
    rules = RoundRules.model_validate(round_.rules)
    for index in range(len(rules.thematic_prizes)):
        links.setdefault(index, [])
    themes.link_thematic_prizes(session, round_=round_, links=links, actor=user, now=now)
    return redirect(str(request.url_for("themes:coverage", round_id=round_id)) + "#giai-chuyen-de",
                    "Đã lưu chủ đề của các giải chuyên đề.")


@router.get("/rounds/{round_id}/themes/{code}", name="themes:works",
            dependencies=[web_role(Role.secretariat, Role.approver)])
def theme_works(round_id: Id, code: str, request: Request, session: SessionDep, user: WebUser):
    round_ = session.get(Round, round_id)
    unit = next((u for u in themes.round_units(session, round_id) if u.code == code), None) if round_ else None
    if unit is None:
        raise NotFound("Không tìm thấy chủ đề.")
    return render(request, "themes/works.html", {
        "round": round_, "unit": unit, "works": themes.works_for_theme(session, round_id=round_id, code=code)})


@router.post("/entries/{entry_id}/themes", name="themes:save")
def save_entry_themes(entry_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep,
                      codes: Annotated[list[str], Form()] = []):  # noqa: B006 - FastAPI form default
    if permissions.curates_themes(user):
        entry = judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    else:
        entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    source = TagSource.secretariat if permissions.curates_themes(user) else TagSource.author
    had = themes.entry_theme_codes(session, entry_id=entry.id)
    codes = themes.set_entry_themes(session, entry=entry, codes=codes, actor=user, source=source, now=now)
    return redirect(str(request.url_for("entries:detail", entry_id=entry.id)) + "#chu-de",
                    f"Đã lưu {len(codes)} chủ đề cho tác phẩm." if codes else
                    "Đã bỏ hết chủ đề của tác phẩm." if had else "Chưa chọn chủ đề nào: tác phẩm vẫn chưa gắn chủ đề.")


@router.post("/rounds/{round_id}/retag", name="themes:retag", dependencies=[web_role(Role.secretariat)])
def retag(round_id: Id, request: Request, session: SessionDep, user: WebUser, now: NowDep):
    job = queue_retag(session, round_id=round_id, user=user, now=now)
    return redirect(request.url_for("themes:retag_job", job_id=job.id),
                    "Đã bắt đầu tính lại gợi ý chủ đề cho mọi tác phẩm; trang này cho biết tiến độ.", "info")


@router.get("/retag-jobs/{job_id}", name="themes:retag_job", dependencies=[web_role(Role.secretariat)])
def retag_job(job_id: Id, request: Request, session: SessionDep, user: WebUser):
    job = session.get(RetagJob, job_id)
    if job is None:
        raise NotFound("Không tìm thấy lượt gắn lại chủ đề.")
    return render(request, "themes/retag.html", {"job": job, "round": session.get(Round, job.round_id)})


def entry_theme_panel(session, entry, cache, now) -> dict:
    """Ranked suggestions with the confirmed ones ticked, for the entry page: the stored ranking when it is
    current; while the worker still reads the work's files or ranks it (the page says so), the ranking
    stored last time marked as being recomputed (`updating`: its levels are the previous ranking's, its
    notes, said of the text it read, not shown), or nothing when there is none yet; else ranked now
    (api/suggestions.for_entry). When the tagger service is down the page still opens, with the ranking
    stored last time and a note saying suggestions are paused.

    Keys: suggestions, confirmed (codes), weak (the short-text note, or a flag when updating), off_outline
    (the caution, or a flag when updating), updating, unavailable, unranked; the page's levels come from
    award.tagging_units.match_level(score, off_outline, weak)."""
    confirmed = themes.entry_theme_codes(session, entry_id=entry.id)
    if stored.waiting_for(session, entry=entry):
        last = stored.last_stored(session, entry=entry)
        # the previous ranking, marked so, rather than a list that vanished each time the work was read or ranked again
        if last is None:
            return {"suggestions": [], "weak": False, "off_outline": False, "confirmed": confirmed, "updating": False}
        return {"suggestions": last.items, "weak": last.weak, "off_outline": last.off_outline,
                "confirmed": confirmed, "updating": True}
    result = stored.current(session, entry=entry)
    if result is None:
        try:
            result = suggestions.for_entry(session, entry=entry, cache=cache)
        except suggestions.TaggerUnavailable as exc:
            last = stored.last_stored(session, entry=entry)
            if last is not None:
                return {"suggestions": last.items, "weak": stored.weak_note(entry) if last.weak else None,
                        "off_outline": OFF_OUTLINE_NOTE if last.off_outline else None, "confirmed": confirmed,
                        "unavailable": exc.message}
            # never ranked: the outline's themes in their order, so the author can still choose
            return {"suggestions": [Suggestion(u.code, u.title, 0.0)
                                    for u in themes.round_units(session, entry.round_id)],
                    "weak": False, "confirmed": confirmed, "unavailable": exc.message, "unranked": True}
        except AwardError:  # no outline
            return {"suggestions": [], "weak": False, "confirmed": confirmed}
        themes.store_suggestions(session, entry=entry, result=result, now=now)
    # off the outline: a caution above the list, and no theme called "rất phù hợp" (match_level)
    return {"suggestions": result.items, "weak": stored.weak_note(entry) if result.weak else None,
            "off_outline": OFF_OUTLINE_NOTE if result.off_outline else None, "confirmed": confirmed}
