"""Themes: suggestions for an entry, confirmed tags, coverage of a round, background re-tagging."""

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends
from pydantic import BaseModel, Field
from sqlmodel import select

from award import entries, jobs, permissions, suggestions as stored, themes
from award.errors import NotFound
from award.models import Entry, RetagJob, Role, TagSource
from award.tagging_units import EntryText, match_level
from judging import permissions as judging_permissions
from api import suggestions
from api.db import get_engine
from api.deps import ApiUser, NowDep, SessionDep, api_role, load_round
from api.openapi import API_ERRORS, Id, errors

router = APIRouter(prefix="/api/v1", tags=["themes"], responses=API_ERRORS)
# The two rankings are computed by the tagger service when there is one (api/suggestions.py): 503 if it is down.
SUGGEST_ERRORS = errors(503)


@lru_cache
def _db_cache():
    return themes.DbEmbeddingCache(get_engine())


def get_embedding_cache():
    return _db_cache()


CacheDep = Annotated[object, Depends(get_embedding_cache)]


class SuggestionOut(BaseModel):
    code: str
    title: str
    score: float  # relative: the round's best unit for this work is 1.0, its worst 0.0
    # The score in words, as the entry page and the form show it (award.tagging_units.match_level); "ít liên quan"
    # for every theme when off_outline, "tạm đoán" for every theme when weak.
    level: str
    # Why it is suggested (Vietnamese), for the best five; absent otherwise.
    why: str | None = None
    # The work hardly touches the round's outline at all (award.tagging, SuggestionResult.off_outline), the same on
    # every item: the best theme is only the least far (its score is still 1.0), and the form says so.
    off_outline: bool = False
    # The work has too little text to tell (fewer than 25 content syllables: SuggestionResult.weak), the same on
    # every item: the order is a guess (never judged off the outline), and the form shows the short-text note.
    weak: bool = False


def _out(s, result) -> SuggestionOut:
    """One suggestion of `result` (a SuggestionResult), its level decided by match_level from the result's flags."""
    return SuggestionOut(code=s.code, title=s.title, score=round(s.score, 4),
                         level=match_level(s.score, result.off_outline, result.weak), why=s.why or None,
                         off_outline=result.off_outline, weak=result.weak)


class ThemesIn(BaseModel):
    codes: list[str] = Field(max_length=20)


class ThemesOut(BaseModel):
    codes: list[str]


DRAFT_CHARS = 2000


class DraftText(BaseModel):
    title: str = Field(default="", max_length=500)
    summary: str = Field(default="", max_length=10000)


class RetagOut(BaseModel):
    id: int
    round_id: Id
    status: str
    total: int
    done: int
    error: str | None = None


def _entry_for_tags(session, user, entry_id: Id) -> Entry:
    """The author of the work, or the secretariat for any work it can see (award.themes decides when)."""
    if permissions.curates_themes(user):
        return judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    return entries.get_own_entry(session, user=user, entry_id=entry_id)


@router.get("/entries/{entry_id}/theme-suggestions", response_model=list[SuggestionOut], name="api:themes:suggest",
            responses=SUGGEST_ERRORS)
def entry_suggestions(entry_id: Id, session: SessionDep, user: ApiUser, now: NowDep, cache: CacheDep,
                      background: BackgroundTasks):
    background.add_task(themes.flush_cache, cache)  # after the request's own commit
    entry = judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    result = stored.current(session, entry=entry)  # stored by the worker's entry.suggest job
    if result is None:  # that job has not run yet
        result = suggestions.for_entry(session, entry=entry, cache=cache)
        themes.store_suggestions(session, entry=entry, result=result, now=now)
    return [_out(s, result) for s in result.items]


@router.put("/entries/{entry_id}/themes", response_model=ThemesOut, name="api:themes:set")
def set_themes(entry_id: Id, body: ThemesIn, session: SessionDep, user: ApiUser, now: NowDep):
    entry = _entry_for_tags(session, user, entry_id)
    source = TagSource.secretariat if permissions.curates_themes(user) else TagSource.author
    codes = themes.set_entry_themes(session, entry=entry, codes=body.codes, actor=user, source=source, now=now)
    return ThemesOut(codes=codes)


@router.get("/entries/{entry_id}/themes", response_model=ThemesOut, name="api:themes:get")
def get_themes(entry_id: Id, session: SessionDep, user: ApiUser):
    entry = judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    return ThemesOut(codes=themes.entry_theme_codes(session, entry_id=entry.id))


@router.post("/rounds/{round_id}/theme-suggestions", response_model=list[SuggestionOut], name="api:themes:draft",
             responses=SUGGEST_ERRORS, dependencies=[api_role(Role.journalist, Role.secretariat)])
def draft_suggestions(round_id: Id, body: DraftText, session: SessionDep, cache: CacheDep):
    """While a journalist types the summary: nothing is stored, not even the embedding."""
    load_round(round_id, session)
    # The opening of the summary is enough while typing, and bounds the work one request can cost
    # (10,000 characters embedded window by window took seconds; the fuzzer found it). The stored
    # suggestions of a saved entry read its whole text.
    result = suggestions.suggest(session, round_id=round_id, text=EntryText(body.title, body.summary[:DRAFT_CHARS]),
                                 cache=cache, limit=5, transient=True)
    # learned from the round's confirmed works too, saying so ("giống 4 tác phẩm đã xác nhận chủ đề 2.3")
    return [_out(s, result) for s in result.items]


@router.get("/rounds/{round_id}/coverage", name="api:themes:coverage",
            dependencies=[api_role(Role.secretariat, Role.approver)])
def round_coverage(round_id: Id, session: SessionDep):
    load_round(round_id, session)
    report = themes.coverage(session, round_id=round_id)
    return {
        "entries": report.entries_counted, "untagged": report.untagged, "off_outline": report.off_outline,
        "themes": [{"code": u.code, "title": u.title, "total": report.totals[u.code],
                    "suggested_only": report.suggested_only[u.code],
                    "by_media_type": dict(report.by_media.get(u.code, {})),
                    "by_unit": dict(report.by_unit.get(u.code, {})),
                    "thin": report.totals[u.code] < themes.FEW} for u in report.units],
    }


def queue_retag(session, *, round_id: Id, user, now) -> RetagJob:
    """One job per round at a time, run by `award worker` (job kind round.retag) once this request commits."""
    load_round(round_id, session)
    running = session.exec(select(RetagJob).where(RetagJob.round_id == round_id,
                                                  RetagJob.status.in_(("queued", "running")))).first()
    if running is not None:
        return running
    job = RetagJob(round_id=round_id, started_by=user.id, created_at=now)
    session.add(job)
    session.flush()
    jobs.enqueue(session, kind="round.retag", key=f"round.retag:{job.id}", now=now,
                 payload={"round_id": round_id, "retag_job_id": job.id})
    return job


@router.post("/rounds/{round_id}/retag", status_code=202, response_model=RetagOut, name="api:themes:retag",
             dependencies=[api_role(Role.secretariat)])
def start_retag(round_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    job = queue_retag(session, round_id=round_id, user=user, now=now)
    return RetagOut.model_validate(job, from_attributes=True)


@router.get("/retag-jobs/{job_id}", response_model=RetagOut, name="api:themes:retag_status",
            dependencies=[api_role(Role.secretariat)])
def retag_status(job_id: Id, session: SessionDep):
    job = session.get(RetagJob, job_id)
    if job is None:
        raise NotFound("Không tìm thấy lượt gắn lại chủ đề.", code="job_not_found")
    return RetagOut.model_validate(job, from_attributes=True)
