"""Public results pages: a round's published prize list, one page per winning work, and the round's
statistics. Before publication, and under an embargo, they answer 404 to everyone (the statistics
excepted for the secretariat and the steering committee), so nobody outside can tell a list exists."""

from collections import Counter
from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, select

from award import permissions
from award.errors import NotFound
from award.models import Entry
from award.rules import MEDIA_TYPES, PRIZE_LEVELS
from judging import publication, statistics
from judging.models import ResultCorrection, ResultList
from judging.publication import Prize
from api.deps import NowDep, OptionalWebUser, SessionDep, load_round
from api.openapi import Id
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

THEMATIC = "thematic"


def _published(session: Session, round_id: Id, now: datetime) -> ResultList:
    row = publication.result_list(session, round_id)
    if not publication.is_public(row, now):
        raise NotFound("Kết quả đợt giải chưa được công bố.")
    return row


def _corrections(session: Session, round_id: Id, entry_id: Id | None = None) -> list[dict]:
    query = select(ResultCorrection, Entry.title).join(Entry, Entry.id == ResultCorrection.entry_id).where(
        ResultCorrection.round_id == round_id)
    if entry_id is not None:
        query = query.where(ResultCorrection.entry_id == entry_id)
    return [{"entry_id": c.entry_id, "title": title, "at": c.corrected_at, "reason": c.reason,
             "old": _prize_text(c.old_level, c.old_thematic), "new": _prize_text(c.new_level, c.new_thematic)}
            for c, title in session.exec(query.order_by(ResultCorrection.corrected_at, ResultCorrection.id))]


def _prize_text(level: str | None, thematic: str | None) -> str:
    parts = [PRIZE_LEVELS.get(level, level)] if level else []
    if thematic:
        parts.append(thematic)
    return "; ".join(parts) or "Không có giải"


def _groups(prizes: list[Prize]) -> list[dict]:
    """Levels highest first, then the thematic prizes (a work with both is listed in each)."""
    groups = []
    for level, label in PRIZE_LEVELS.items():
        rows = [p for p in prizes if p.level == level]
        if rows:
            groups.append({"key": level, "label": label, "prizes": rows})
    thematic = sorted((p for p in prizes if p.thematic), key=lambda p: (p.thematic, p.title))
    if thematic:
        groups.append({"key": THEMATIC, "label": "Giải chuyên đề", "prizes": thematic})
    return groups


@router.get("/rounds/{round_id}/results", name="results:round")
def results_page(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: OptionalWebUser,
                 media_type: str | None = Query(default=None, max_length=16)):
    round_ = load_round(round_id, session)
    row = _published(session, round_id, now)
    everything = publication.prizes(session, round_id=round_id)
    per_media = Counter(p.media_type for p in everything)
    chosen = media_type if media_type in per_media or media_type in MEDIA_TYPES else None
    shown = [p for p in everything if chosen is None or p.media_type == chosen]
    filters = [{"key": m, "label": MEDIA_TYPES.get(m, m), "count": per_media[m]}
               for m in [*MEDIA_TYPES, *sorted(set(per_media) - set(MEDIA_TYPES))] if per_media[m]]
    return render(request, "results/round.html", {
        "round": round_, "list": row, "groups": _groups(shown), "shown": len(shown), "total": len(everything),
        "filters": filters, "media_type": chosen, "corrections": _corrections(session, round_id)})


@router.get("/rounds/{round_id}/results/{entry_id}", name="results:work")
def work_page(round_id: Id, entry_id: Id, request: Request, session: SessionDep, now: NowDep,
              user: OptionalWebUser):
    round_ = load_round(round_id, session)
    row = _published(session, round_id, now)
    found = publication.prizes(session, round_id=round_id, entry_id=entry_id)
    if not found:
        raise NotFound("Tác phẩm này không có trong danh sách giải đã công bố.")
    return render(request, "results/work.html", {
        "round": round_, "list": row, "prize": found[0], "corrections": _corrections(session, round_id, entry_id)})


@router.get("/rounds/{round_id}/statistics", name="results:stats")
def statistics_page(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: OptionalWebUser):
    round_ = load_round(round_id, session)
    row = publication.result_list(session, round_id)
    public = publication.is_public(row, now)
    if not public and not permissions.can_see_statistics_early(user):
        raise NotFound("Kết quả đợt giải chưa được công bố.")
    stats = statistics.round_statistics(session, round_id=round_id)
    return render(request, "results/statistics.html", {"round": round_, "stats": stats, "public": public})
