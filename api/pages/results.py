"""Public results pages: a round's published prize list, one page per winning work, and the round's
statistics. Before publication, and under an embargo, they answer 404 to everyone (the statistics
excepted for the secretariat and the steering committee), so nobody outside can tell a list exists."""

import hashlib
from collections import Counter
from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from award import permissions
from award.errors import NotFound
from award.models import Entry
from award.rules import MEDIA_TYPES, PRIZE_LEVELS
from award.text import fold
from judging import publication, statistics
from judging.models import ResultCorrection, ResultList
from judging.publication import Prize
from api.deps import NowDep, OptionalWebUser, SessionDep, load_round
from api.forms import FLASH_COOKIE
from api.openapi import Id
from api.queries import refuse_query
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


def matches(prize: Prize, words: list[str]) -> bool:
    """Whether every word of a search is in the work's title, an author's name or pen name, an outlet or the
    unit, ignoring case, diacritics and Unicode form (award.text.fold, as every search of the product)."""
    haystack = fold(" ".join([prize.title, prize.unit, *prize.outlets,
                              *(f"{a['full_name']} {a['pen_name'] or ''}" for a in prize.authors)]))
    return all(word in haystack for word in words)


def cacheable(request: Request, render_page, *, list_row: ResultList, user) -> Response:
    """A public results page with an ETag and Cache-Control, for the ceremony night's crowd: a repeat visit
    answers 304 without rendering. The tag covers the list's version and checksum (a correction changes
    both), the query and who is looking (the menu differs); anonymous copies may be kept by shared caches
    for a minute, a signed-in person's only privately."""
    key = f"{list_row.round_id}:{list_row.version}:{list_row.checksum}:{request.url.query}:{user.id if user else '-'}"
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    control = "public, max-age=60, must-revalidate" if user is None else "private, max-age=0, must-revalidate"
    headers = {"ETag": etag, "Cache-Control": control, "Vary": "Cookie"}
    sent = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if (etag in sent or "*" in sent) and FLASH_COOKIE not in request.cookies:  # a pending message must show
        return Response(status_code=304, headers=headers)
    response = render_page()
    if "set-cookie" in response.headers:  # a page carrying a cookie is never one to share
        headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.headers.update(headers)
    return response


@router.get("/rounds/{round_id}/results", name="results:round")
def results_page(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: OptionalWebUser,
                 media_type: str | None = Query(default=None, max_length=16),
                 q: str = Query(default="", max_length=200)):
    round_ = load_round(round_id, session)
    row = _published(session, round_id, now)

    def page():
        everything = publication.prizes(session, round_id=round_id)
        per_media = Counter(p.media_type for p in everything)
        chosen = media_type if media_type in per_media or media_type in MEDIA_TYPES else None
        if media_type and chosen is None:
            refuse_query("media_type", media_type)  # an old round may list a medium no longer offered
        words = fold(q).split()
        shown = [p for p in everything if (chosen is None or p.media_type == chosen) and matches(p, words)]
        filters = [{"key": m, "label": MEDIA_TYPES.get(m, m), "count": per_media[m]}
                   for m in [*MEDIA_TYPES, *sorted(set(per_media) - set(MEDIA_TYPES))] if per_media[m]]
        return render(request, "results/round.html", {
            "round": round_, "list": row, "groups": _groups(shown), "shown": len(shown), "total": len(everything),
            "filters": filters, "media_type": chosen, "q": q.strip(), "corrections": _corrections(session, round_id)})

    return cacheable(request, page, list_row=row, user=user)


@router.get("/rounds/{round_id}/results/verify", name="results:verify")
def verify_page(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: OptionalWebUser):
    """The integrity check as a page: the list's checksum recomputed from the data and compared with the one
    recorded in the audit log when it was published or last corrected (judging.publication.verify)."""
    round_ = load_round(round_id, session)
    row = _published(session, round_id, now)
    result = publication.verify(session, round_id=round_id)
    titles = dict(session.exec(select(Entry.id, Entry.title).where(Entry.id.in_(result.mismatched or [0]))).all())
    return render(request, "results/verify.html", {"round": round_, "list": row, "result": result,
                                                   "mismatched": [(i, titles.get(i, "")) for i in result.mismatched]})


@router.get("/rounds/{round_id}/results/{entry_id}", name="results:work")
def work_page(round_id: Id, entry_id: Id, request: Request, session: SessionDep, now: NowDep,
              user: OptionalWebUser):
    round_ = load_round(round_id, session)
    row = _published(session, round_id, now)

    def page():
        found = publication.prizes(session, round_id=round_id, entry_id=entry_id)
        if not found:
            raise NotFound("Tác phẩm này không có trong danh sách giải đã công bố.")
        return render(request, "results/work.html", {
            "round": round_, "list": row, "prize": found[0],
            "corrections": _corrections(session, round_id, entry_id)})

    return cacheable(request, page, list_row=row, user=user)


@router.get("/rounds/{round_id}/statistics", name="results:stats")
def statistics_page(round_id: Id, request: Request, session: SessionDep, now: NowDep, user: OptionalWebUser):
    round_ = load_round(round_id, session)
    row = publication.result_list(session, round_id)
    public = publication.is_public(row, now)
    if not public and not permissions.can_see_statistics_early(user):
        raise NotFound("Kết quả đợt giải chưa được công bố.")
    stats = statistics.round_statistics(session, round_id=round_id)
    return render(request, "results/statistics.html", {"round": round_, "stats": stats, "public": public})
