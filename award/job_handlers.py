"""What each kind of background job does (award.jobs runs them). Every handler may run twice (a worker
killed after the work and before the commit): each one either writes its result and its completion in
one transaction (`ctx.done_in`) or recomputes from scratch."""

import logging

from sqlmodel import Session

from award import entry_files, jobs, suggestions, themes
from award.jobs import JobContext, handler
from award.models import READ_ONLY, Entry, EntryFile
from award.sandbox import MAX_TEXT
from award.textextract import EXTRACTOR_VERSION

log = logging.getLogger(__name__)


def _read_session(ctx: JobContext):
    """A session that only reads: on SQLite it begins deferred, so a slow computation that follows does
    not hold the write lock the site's requests wait for (api/db.py)."""
    import sqlalchemy as sa

    if isinstance(ctx.bind, sa.Engine):
        return Session(ctx.bind.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
    return ctx.open_session()


@handler("entry.extract_text")
def extract_text(ctx: JobContext) -> None:
    """Text (and pages) of a PDF or DOCX file added to a work, kept on the file's row with the
    EXTRACTOR_VERSION that read it (set, never appended: run twice, the text is there once); the work's text
    derived again from its current files (entry_files.refresh_extracted_text), then its suggestions queued.
    Payload: {"entry_id", "file_id"}. A file removed meanwhile is skipped."""
    store = ctx.services["store"]
    with _read_session(ctx) as session:
        row = session.get(EntryFile, ctx.payload["file_id"])
        if row is None or row.removed_at is not None:
            return
        key = row.key
    text, pages = entry_files.extract_file_text(store, key=key, entry_id=ctx.payload["entry_id"])
    with ctx.open_session() as session:
        row = session.get(EntryFile, ctx.payload["file_id"])
        entry = session.get(Entry, ctx.payload["entry_id"])
        if row is None or entry is None:
            ctx.done_in(session)
            session.commit()
            return
        row.pages, row.text, row.extractor_version = pages, text[:MAX_TEXT], EXTRACTOR_VERSION
        session.add(row)
        entry_files.refresh_extracted_text(session, entry=entry)
        # the version in the cause: a file read again after an upgrade is ranked again, even while the job
        # of its first reading is still kept
        jobs.enqueue_suggest(session, entry_id=entry.id, cause=f"file{row.id}:v{EXTRACTOR_VERSION}", now=ctx.now)
        ctx.done_in(session)
        session.commit()
    log.info("entry.file_text entry_id=%s file_id=%s chars=%s pages=%s", ctx.payload["entry_id"],
             ctx.payload["file_id"], len(text), pages)


@handler("entry.suggest")
def suggest(ctx: JobContext) -> None:
    """Rank the round's themes for a work and store the ranking. Payload: {"entry_id"}."""
    cache = ctx.services["cache"]
    with _read_session(ctx) as session:
        entry = session.get(Entry, ctx.payload["entry_id"])
        result = suggestions.rank(session, entry=entry, cache=cache) if entry is not None else None
    with ctx.open_session() as session:
        entry = session.get(Entry, ctx.payload["entry_id"])
        if entry is not None and result is not None:
            themes.store_suggestions(session, entry=entry, result=result, now=ctx.now)
        ctx.done_in(session)
        session.commit()
    themes.flush_cache(cache)


@handler("round.retag")
def retag(ctx: JobContext) -> None:
    """Every work of a round, with progress on its RetagJob row (the page /retag-jobs/{id} reads it).
    Payload: {"round_id", "retag_job_id"}. Run again, it starts over."""
    themes.retag_round(ctx.bind, round_id=ctx.payload["round_id"], job_id=ctx.payload["retag_job_id"],
                       cache=ctx.services["cache"], now=ctx.now)


@handler("round.relearn")
def relearn(ctx: JobContext) -> None:
    """After themes were confirmed or retracted in a round, the works whose ranking those change are ranked
    again with what is confirmed now (award.themes.relearn_round), then stored in one write.
    Payload: {"round_id"}.

    A confirmation committed while the pass read (its request saw this job still waiting, so it queued none)
    is not lost: the write compares the round's confirmations with those the pass saw and queues the next pass."""
    cache = ctx.services["cache"]
    round_id = ctx.payload["round_id"]
    with _read_session(ctx) as session:
        done = themes.relearn_round(session, round_id=round_id, cache=cache)
    with ctx.open_session() as session:
        themes.store_relearned(session, round_id=round_id, done=done, now=ctx.now)
        ctx.done_in(session)
        session.commit()
    themes.flush_cache(cache)
    log.info("relearn.finished round_id=%s works=%s", round_id, len(done.ranked))
