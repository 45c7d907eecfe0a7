"""Theme suggestions of a saved work: the one call to the tagger, and the stored ranking when it is current.

`rank` is the only place that asks the tagger for a saved work (the worker's `entry.suggest` job, and a
request that finds no current stored ranking): swapping the tagger for a separate service changes it alone.
"""

from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from award import jobs, themes
from award.models import Entry, ThemeSuggestion
from award.tagging_units import TAGGER_VERSION, Suggestion, SuggestionResult

WAITS_FOR = {"entry.extract_text": "Đang đọc văn bản tệp…", "entry.suggest": "Đang tính gợi ý chủ đề…"}


def rank(session: Session, *, entry: Entry, cache) -> SuggestionResult | None:
    """The round's themes ranked for the work (title, summary, transcript, extracted text); None when the
    round has no outline. Reads only; `themes.store_suggestions` keeps the result."""
    tagger = themes.tagger_for(session, entry.round_id, cache)
    if tagger is None:
        return None
    # learns from the works already confirmed (award.tagging_learn), the work itself left out
    examples = themes.learned_examples(session, round_id=entry.round_id, tagger=tagger)
    return tagger.suggest_many([themes.entry_text(entry)], learned=examples, keys=[entry.id])[0]


def weak_note(entry: Entry) -> str:
    """Why a ranking flagged weak (little text beyond the title, award.tagging `is_weak`) is a guess, said from
    the text the work has: no summary nor file text at all, or some that is short. The flag is about the amount
    of text, so "no summary" would be untrue of a work with a short one."""
    text = themes.entry_text(entry)
    if not (text.summary or "").strip() and not (text.body or "").strip():
        return "Tác phẩm chưa có tóm tắt hay nội dung: gợi ý chỉ dựa trên tên, độ tin cậy thấp."
    return ("Tóm tắt và nội dung của tác phẩm còn ngắn: gợi ý dựa trên ít chữ, độ tin cậy thấp. Viết tóm tắt "
            "đầy đủ hơn (vài câu) hoặc tải lên tệp văn bản để gợi ý sát hơn.")


#: The same caution in the entry form's live box, whose draft route reads the title and the summary only (files
#: are added after saving, the transcript is not sent): (no summary typed, a short one). theme-suggest.js shows
#: one of them when the API's items say `weak`.
DRAFT_WEAK_NOTES = ("Chưa có tóm tắt: gợi ý chỉ dựa trên tên, độ tin cậy thấp. Viết vài câu tóm tắt để gợi ý "
                    "sát hơn.",
                    "Tên và tóm tắt còn ngắn: gợi ý dựa trên ít chữ, độ tin cậy thấp. Viết tóm tắt đầy đủ hơn "
                    "(vài câu) để gợi ý sát hơn.")


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def waiting_for(session: Session, *, entry: Entry) -> list[str]:
    """What the work's page waits for, in Vietnamese ("Đang đọc văn bản tệp…"), from its unfinished jobs."""
    return waiting(session, entry=entry)[0]


def waiting(session: Session, *, entry: Entry) -> tuple[list[str], datetime | None]:
    """`waiting_for` and since when (UTC) the oldest of those jobs has been queued, or None."""
    kinds = jobs.pending_kinds(session, entry_id=entry.id)
    labels = [label for kind, label in WAITS_FOR.items() if kind in kinds]
    since = min((at for kind, at in kinds.items() if kind in WAITS_FOR), default=None)
    return labels, since


def current(session: Session, *, entry: Entry) -> SuggestionResult | None:
    """The stored ranking when it is current: computed by this release's tagger (TAGGER_VERSION) after the
    work's last change, and no text extraction or suggestion job of the work is still to run. None otherwise."""
    if waiting_for(session, entry=entry):
        return None
    computed, oldest = session.exec(select(func.min(ThemeSuggestion.computed_at),
                                           func.min(ThemeSuggestion.tagger_version))
                                    .where(ThemeSuggestion.entry_id == entry.id)).one()
    if computed is None or _utc(computed) < _utc(entry.updated_at) or oldest != TAGGER_VERSION:
        return None
    # Confirmations elsewhere in the round do not make it stale here: the worker's `round.relearn` job ranks
    # the round's works again after them (award.themes.relearn_round), so a page view never has to.
    return last_stored(session, entry=entry)


def last_stored(session: Session, *, entry: Entry) -> SuggestionResult | None:
    """The ranking stored last for the work, whatever made it and whenever (its flags as stored), or None when
    it was never ranked: what `current` returns once it knows it is current, and what the page shows while the
    work is ranked again or the tagger is down."""
    rows = themes.stored_suggestions(session, entry=entry)
    if not rows:
        return None
    return SuggestionResult(items=[Suggestion(code, title, score, why) for code, title, score, _, why, _ in rows],
                            weak=any(row[3] for row in rows), off_outline=any(row[5] for row in rows))

