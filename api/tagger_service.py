"""The tagger service: the one process that holds the model, the round taggers and the embedding cache,
so the web processes stay free of numpy (api/suggestions.py is its client).

    award tagging serve --host 127.0.0.1 --port 8765      # then AWARD_TAGGER_URL=http://127.0.0.1:8765

POST /suggest  {"round_id": 3, "units": [[code, title, [point, ...]], ...], "title": str, "summary": str,
                "body": str, "limit": int | null, "transient": bool, "key": int | null}
    200 {"weak": bool, "off_outline": bool, "items": [[code, title, score, why], ...]}  best first, score in [0, 1]

The ranking learns from the confirmed works of the round and its predecessors as the worker's does
(award.tagging_learn), read from the database once per round and kept until a theme is confirmed or
retracted (award.themes.live_examples); `key` is the saved work's id (never its own neighbour), null for
a draft. Without a database (`create_app(cache)` alone) it ranks against the outline only.
    409 {"code": "no_outline"}                                  no units
    422 {"code": "invalid"}                                     not that shape
GET /health    200 {"ok": true, "taggers": n}

It listens on the loopback only and trusts its callers (the web processes on the same host): no
authentication, no user data beyond the text being tagged. Vectors of saved entries are written to the
`embedding_cache` table after each answer is sent (`transient` ones, typed in the entry form, are not).
One process: the engine spreads each call over every core already (award/embeddings.py).
"""

from __future__ import annotations

import logging
from typing import Callable

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from award.embedding_cache import flush_cache
from award.errors import Conflict
from award.tagging_units import EntryText, TaggingUnit
from api.suggestions import compute, result_body

log = logging.getLogger(__name__)


def _parse(body: dict) -> tuple[int, list[TaggingUnit], EntryText, int | None, bool, int | None]:
    units = [TaggingUnit(str(code), str(title), tuple(str(p) for p in points)) for code, title, points in body["units"]]
    text = EntryText(str(body.get("title") or ""), str(body.get("summary") or ""), str(body.get("body") or ""))
    limit = body.get("limit")
    key = body.get("key")
    return (int(body["round_id"]), units, text, (int(limit) if limit is not None else None), bool(body.get("transient")),
            int(key) if key is not None else None)


def create_app(cache, sessions: Callable[[], Session] | None = None) -> Starlette:
    """The service over `cache` (a DbEmbeddingCache in production, a MemoryEmbeddingCache in tests);
    `sessions()` opens a reading session on the application's database, where the confirmed works are."""

    def answer(body: dict) -> JSONResponse:
        try:
            round_id, units, text, limit, transient, key = _parse(body)
        except (KeyError, TypeError, ValueError):
            return JSONResponse({"code": "invalid"}, status_code=422)
        try:
            if sessions is None:
                result = compute(units, round_id=round_id, text=text, cache=cache, limit=limit, transient=transient)
            else:
                with sessions() as session:
                    result = compute(units, round_id=round_id, text=text, cache=cache, limit=limit,
                                     transient=transient, session=session, key=key)
        except Conflict as exc:
            return JSONResponse({"code": exc.code}, status_code=409)
        # Vectors are written after the answer is sent: the web process that asked may hold SQLite's write
        # lock until it has the answer (it stores the ranking in the same transaction).
        return JSONResponse(result_body(result), background=None if transient else BackgroundTask(flush_cache, cache))

    async def suggest(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"code": "invalid"}, status_code=422)
        if not isinstance(body, dict):
            return JSONResponse({"code": "invalid"}, status_code=422)
        return await run_in_threadpool(answer, body)

    async def health(request: Request) -> JSONResponse:
        from award import themes

        return JSONResponse({"ok": True, "taggers": len(themes._taggers)})

    return Starlette(routes=[Route("/suggest", suggest, methods=["POST"]), Route("/health", health)])


def app() -> Starlette:
    """uvicorn factory for `award tagging serve`: the embedding cache in the application's database, the
    model loaded and the taggers of the rounds taking entries built before the first request, so that request
    is not the one that waits (a round's outline embedded cold takes seconds to minutes on a busy machine;
    from the database cache, well under a second)."""
    from sqlmodel import Session, select

    from award import calendar, embeddings, themes
    from award.embedding_cache import DbEmbeddingCache
    from award.models import READ_ONLY, Round
    from api.clock import now
    from api.db import get_engine

    embeddings.embed_one("khởi động", "query")
    cache = DbEmbeddingCache(get_engine())
    with Session(get_engine()) as session:
        for round_ in session.exec(select(Round)).all():
            if calendar.allows(round_, now(), "entry.edit"):
                tagger = themes.tagger_for(session, round_.id, cache)
                if tagger is not None:
                    tagger.reference_cosine  # noqa: B018  (the outline fit's 52 phrases, ~0.8 s cold: now, not in a request)
    flush_cache(cache)
    log.info("tagger.started model=%s taggers=%s", embeddings.MODEL_NAME, len(themes._taggers))
    reader = get_engine().execution_options(**{READ_ONLY: True})  # never waits for SQLite's write lock
    return create_app(cache, sessions=lambda: Session(reader))
