"""Theme tags of entries: suggestions from the text, confirmed tags, and coverage of a round.

Suggestions come from `award.tagging.RoundTagger` (BM25 over syllables + multilingual embeddings).
One tagger per round and outline is kept per process; embeddings are cached in the database so that
every process, and every re-tagging, computes a text's embedding once.

Importing this module loads neither numpy nor the model: web processes use its database side (confirmed
tags, coverage, stored suggestions) and ask api.suggestions for rankings; `tagger_for` loads award.tagging
when a process actually computes one.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from award import audit, jobs
from award.calendar import require_phase
from award.embedding_cache import DbEmbeddingCache, flush_cache, transient_embeddings  # noqa: F401  (re-exported)
from award.entry_status import ACTIVE
from award.errors import Conflict, Invalid
from award.models import (
    AuditEvent,
    Entry,
    EntryTheme,
    OutlineNode,
    Round,
    RoundSignalWeights,
    TagSource,
    ThemeSuggestion,
    Unit,
    User,
)
from award.outlines import outline_tree
from award.permissions import entry_filter
from award.rules import RoundRules
from award.tagging_units import TAGGER_VERSION, EntryText, SuggestionResult, TaggingUnit, tagging_units

if TYPE_CHECKING:
    from award.tagging import RoundTagger

log = logging.getLogger(__name__)
# Works that count for coverage: everything sent to a contest, not drafts or withdrawn ones.
COUNTED = ACTIVE
FEW = 3  # a theme with fewer confirmed works than this is flagged as thinly covered


_taggers: dict[tuple[int, str], RoundTagger] = {}
_taggers_lock = threading.Lock()


def round_units(session: Session, round_id: int) -> list[TaggingUnit]:
    return tagging_units(outline_tree(session, round_id=round_id))


def _fingerprint(units: list[TaggingUnit]) -> str:
    return hashlib.sha256(repr([(u.code, u.title, u.points) for u in units]).encode()).hexdigest()


def tagger_for(session: Session, round_id: int, cache) -> RoundTagger | None:
    """The round's tagger, rebuilt only when its outline changed. None when it has no outline.
    Loads numpy and the model (award.tagging) on first use: only processes that compute suggestions
    call this (the tagger service, workers, or a web process without AWARD_TAGGER_URL)."""
    return tagger_for_units(round_id, round_units(session, round_id), cache)


def tagger_for_units(round_id: int, units: list[TaggingUnit], cache) -> RoundTagger | None:
    """The tagger of `units` (the round's live outline, `round_units`), kept per round and rebuilt when
    they change; None when there are none. The tagger service builds it from the units a web process sends."""
    from award.tagging import RoundTagger

    if not units:
        return None
    key = (round_id, _fingerprint(units))
    with _taggers_lock:
        tagger = _taggers.get(key)
        if tagger is None:
            tagger = RoundTagger(units, cache=cache)
            for stale in [k for k in _taggers if k[0] == round_id]:
                del _taggers[stale]
            _taggers[key] = tagger
    return tagger


def entry_text(entry: Entry) -> EntryText:
    body = "\n".join(t for t in (entry.transcript, entry.extracted_text) if t)
    return EntryText(entry.title, entry.summary, body)


def _node_ids(session: Session, round_id: int, *, include_retired: bool) -> dict[str, int]:
    query = select(OutlineNode.code, OutlineNode.id).where(OutlineNode.round_id == round_id)
    if not include_retired:
        query = query.where(OutlineNode.retired == False)  # noqa: E712
    return dict(session.exec(query).all())


def learned_examples(session: Session, *, round_id: int, tagger: RoundTagger, budget: int | None = 32):
    """The confirmed works suggestions learn from (award.tagging_learn.round_examples): the round's
    and its predecessors' (their themes mapped onto this round's), with the round's stored signal weights
    (`stored_signal_weights`). Imported lazily: numpy work."""
    from award.tagging_learn import round_examples

    return round_examples(session, round_id=round_id, tagger=tagger, budget=budget,
                          tagger_for=lambda rid: tagger_for(session, rid, tagger.cache),
                          signal_weights=stored_signal_weights(session, round_id=round_id))


#: The relearning pass stores a round's newly fitted signal weights (and ranks the whole round again) only when one
#: of them moved this much from the stored ones: a confirmation among hundreds moves them by 0.01-0.02, so the round is
#: not ranked again for each; the first fits (8 confirmed works and up) move them by 0.1-0.5.
WEIGHT_STEP = 0.05


def stored_signal_weights(session: Session, *, round_id: int):
    """(3,) numpy array: the round's weights of the tagger's signals (`RoundSignalWeights`), None: the tagger's own."""
    import numpy as np

    row = session.get(RoundSignalWeights, round_id)
    return None if row is None else np.array([row.outline, row.press, row.meaning], dtype=np.float64)


@dataclass(frozen=True)
class LearnedWeights:
    """What the coverage page says of a round's learnt signal weights: each as a multiple of the tagger's own."""
    examples: int  # confirmed works they were fitted on (0: back to the tagger's own)
    outline: float  # × the outline's words' default weight
    press: float  # × the example press pieces'
    meaning: float  # × meaning's (e5)
    fitted_at: datetime


def learned_weights(session: Session, *, round_id: int) -> LearnedWeights | None:
    """The round's stored signal weights against the tagger's defaults (award.tagging.TaggerConfig), or None when
    the relearning pass has not fitted any (fewer than 8 confirmed works so far)."""
    from award.tagging import DEFAULT_CONFIG as cfg

    row = session.get(RoundSignalWeights, round_id)
    if row is None or not row.examples:
        return None
    return LearnedWeights(row.examples, row.outline / cfg.lex_weight, row.press / cfg.press_weight,
                          row.meaning / cfg.sem_weight, row.fitted_at)


_signals_memo: "weakref.WeakKeyDictionary[RoundTagger, dict[tuple[int, str], object]]" = weakref.WeakKeyDictionary()
_signals_lock = threading.Lock()


def work_signals(session: Session, *, tagger: RoundTagger, entry_ids: list[int]) -> dict[int, object]:
    """entry id -> the work's (3, units) signals (award.tagging.RoundTagger._components: what the round's
    weights are fitted on), kept in this process per tagger and text; a work is ranked (without learning)
    only when its text is new here."""
    out: dict[int, object] = {}
    todo: list[tuple[EntryText, tuple[int, str]]] = []
    with _signals_lock:
        memo = _signals_memo.setdefault(tagger, {})
    for start in range(0, len(entry_ids), 500):
        for entry in session.exec(select(Entry).where(Entry.id.in_(entry_ids[start:start + 500]))).all():
            text = entry_text(entry)
            digest = hashlib.sha256("\x00".join((text.title or "", text.summary or "", text.body or ""))
                                    .encode("utf-8")).hexdigest()
            key = (entry.id, digest)
            hit = memo.get(key)
            if hit is not None:
                out[entry.id] = hit
            else:
                todo.append((text, key))
    for start in range(0, len(todo), 32):
        batch = todo[start:start + 32]
        for (_, key), result in zip(batch, tagger.suggest_many([text for text, _ in batch])):
            if result.signals is not None:
                out[key[0]] = memo[key] = result.signals
    with _signals_lock:
        if len(memo) > 50_000:  # texts edited many times over: start again rather than grow
            memo.clear()
    return out


_live: dict[int, tuple[object, tuple, object]] = {}
_live_lock = threading.Lock()


def confirmations_marker(session: Session) -> tuple[int, int]:
    """(how many, largest id) of all `entry.themes` audit rows: changes with every confirmation or retraction
    anywhere (a past round's count too), even one committed late with a smaller id."""
    count, top = session.exec(select(func.count(AuditEvent.id), func.max(AuditEvent.id))
                              .where(AuditEvent.action == "entry.themes")).one()
    return int(count or 0), int(top or 0)


def live_examples(session: Session, *, round_id: int, tagger: RoundTagger):
    """The examples suggestions learn from while someone types (the draft endpoint), read once per round and
    kept in this process until a theme is confirmed or retracted anywhere (`confirmations_marker`, one
    indexed query per call) or the outline changes (another tagger). A set some of whose vectors were left
    to a later call (`budget`) is not kept, so the next call completes it."""
    # the stored signal weights change only in a relearning pass, which follows a confirmation; a process may
    # read the examples between the confirmation and the pass, so they are part of the marker
    weights = stored_signal_weights(session, round_id=round_id)
    marker = confirmations_marker(session) + ((None if weights is None else tuple(weights.tolist())),)
    with _live_lock:
        hit = _live.get(round_id)
    if hit is not None and hit[0] is tagger and hit[1] == marker:
        return hit[2]
    examples = learned_examples(session, round_id=round_id, tagger=tagger)
    if not examples.left_out:
        with _live_lock:
            _live[round_id] = (tagger, marker, examples)
    return examples


def suggest_for_entry(session: Session, *, entry: Entry, tagger: RoundTagger, now: datetime) -> SuggestionResult:
    """Rank the round's themes for the entry and keep the ranking beside the confirmed tags.
    Learns from the works already confirmed (the entry itself left out); each item's `why` says why."""
    examples = learned_examples(session, round_id=entry.round_id, tagger=tagger)
    result = tagger.suggest_many([entry_text(entry)], learned=examples, keys=[entry.id])[0]
    store_suggestions(session, entry=entry, result=result, now=now)
    return result


def store_suggestions(session: Session, *, entry: Entry, result: SuggestionResult, now: datetime) -> None:
    ids = _node_ids(session, entry.round_id, include_retired=False)
    session.exec(delete(ThemeSuggestion).where(ThemeSuggestion.entry_id == entry.id))
    for rank, item in enumerate(result.items, start=1):
        if item.code in ids:
            session.add(ThemeSuggestion(entry_id=entry.id, outline_node_id=ids[item.code], rank=rank,
                                        score=float(item.score), weak=result.weak, computed_at=now,
                                        why=(item.why or "")[:500], tagger_version=TAGGER_VERSION,
                                        off_outline=result.off_outline))
    session.flush()


def stored_suggestions(session: Session, *, entry: Entry) -> list[tuple[str, str, float, bool, str, bool]]:
    """(code, title, score, weak, why, off_outline) of the ranking last stored for the entry, best first."""
    rows = session.exec(
        select(OutlineNode.code, OutlineNode.title, ThemeSuggestion.score, ThemeSuggestion.weak, ThemeSuggestion.why,
               ThemeSuggestion.off_outline)
        .join(OutlineNode, OutlineNode.id == ThemeSuggestion.outline_node_id)
        .where(ThemeSuggestion.entry_id == entry.id).order_by(ThemeSuggestion.rank)
    ).all()
    return [tuple(r) for r in rows]


def entry_theme_codes(session: Session, *, entry_id: int) -> list[str]:
    return list(session.exec(
        select(OutlineNode.code).join(EntryTheme, EntryTheme.outline_node_id == OutlineNode.id)
        .where(EntryTheme.entry_id == entry_id).order_by(OutlineNode.position, OutlineNode.id)
    ).all())


MAX_TAGS = 5


def _sources(session: Session, entry_id: int) -> set[str]:
    """Who confirmed the entry's themes (author, secretariat): the secretariat confirming the author's own
    choice is a change (it weighs more as an example, award.tagging_learn), the same choice saved again is not."""
    return {str(getattr(s, "value", s)) for s in session.exec(
        select(EntryTheme.source).where(EntryTheme.entry_id == entry_id)).all()}


def set_entry_themes(session: Session, *, entry: Entry, codes: list[str], actor: User, source: TagSource,
                     now: datetime) -> list[str]:
    """Replace the entry's confirmed themes. Codes must be tagging units of the round's live outline
    (a retired theme already on the entry may stay). The author tags while the work is editable; the
    secretariat curates until the round is closed."""
    from award.entries import require_editable  # entries imports nothing of themes; kept local all the same

    round_ = session.get(Round, entry.round_id)
    if source == TagSource.author:
        require_editable(entry, round_, now)
    else:
        require_phase(round_, now, "themes.curate")
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if len(codes) > MAX_TAGS:
        raise Invalid(f"Chọn tối đa {MAX_TAGS} chủ đề.", field="codes", code="too_many_themes")
    units = {u.code for u in round_units(session, entry.round_id)}
    current = set(entry_theme_codes(session, entry_id=entry.id))
    unknown = [c for c in codes if c not in units and c not in current]
    if unknown:
        raise Invalid(f"Mã chủ đề không có trong đề cương của đợt giải: {', '.join(unknown)}.", field="codes",
                      code="unknown_theme")
    if set(codes) == current and _sources(session, entry.id) <= {str(getattr(source, "value", source))}:
        return codes  # nothing changes: no row written, nothing in the history, nothing to learn again
    ids = _node_ids(session, entry.round_id, include_retired=True)
    session.exec(delete(EntryTheme).where(EntryTheme.entry_id == entry.id))
    for code in codes:
        session.add(EntryTheme(entry_id=entry.id, outline_node_id=ids[code], source=source, confirmed_by=actor.id,
                               created_at=now))
    session.flush()
    audit.record(session, actor_id=actor.id, action="entry.themes", object_type="entry", object_id=entry.id, now=now,
                 data={"codes": codes, "removed": sorted(current - set(codes)), "source": source})
    # the round's other works learn from it, and the next rounds' (award.tagging_learn): the worker ranks them again
    from award.tagging_learn import learning_rounds

    for round_id in learning_rounds(session, entry.round_id):
        queue_relearn(session, round_id=round_id, now=now)
    return codes


# --- coverage ------------------------------------------------------------------------------------

@dataclass
class Coverage:
    units: list[TaggingUnit]
    by_media: dict[str, Counter] = field(default_factory=dict)  # code -> media_type -> count
    by_unit: dict[str, Counter] = field(default_factory=dict)  # code -> unit name -> count
    totals: Counter = field(default_factory=Counter)
    media_types: list[str] = field(default_factory=list)
    unit_names: list[str] = field(default_factory=list)
    entries_counted: int = 0
    untagged: int = 0
    # code -> counted works whose top (rank-1) suggestion is this theme but that are not confirmed on it (a work
    # off the outline is not counted: its first theme is only the least unlikely)
    suggested_only: Counter = field(default_factory=Counter)
    # counted works whose stored ranking says they hardly touch the outline (theme_suggestion.off_outline)
    off_outline: int = 0

    @property
    def max_cell(self) -> int:
        cells = [n for c in self.by_media.values() for n in c.values()] + [n for c in self.by_unit.values() for n in c.values()]
        return max(cells, default=0)

    def thin(self) -> list[TaggingUnit]:
        return [u for u in self.units if self.totals[u.code] < FEW]


def coverage(session: Session, *, round_id: int) -> Coverage:
    """Confirmed tags of the round's counted works, themes × media type and themes × unit.
    Three grouped queries whatever the number of entries."""
    report = Coverage(units=round_units(session, round_id))
    counted = (Entry.round_id == round_id, Entry.status.in_(COUNTED))
    # Grouped by unit id, not name: fewer joins, and 25,000 works answer in ~20 ms (bench/scale.py).
    rows = session.exec(
        select(OutlineNode.code, Entry.media_type, Entry.unit_id, func.count())
        .join(EntryTheme, EntryTheme.outline_node_id == OutlineNode.id)
        .join(Entry, Entry.id == EntryTheme.entry_id)
        .where(*counted)
        .group_by(OutlineNode.code, Entry.media_type, Entry.unit_id)
    ).all()
    names = dict(session.exec(select(Unit.id, Unit.name).where(Unit.id.in_({r[2] for r in rows}))).all()) if rows else {}
    by_media: dict[str, Counter] = defaultdict(Counter)
    by_unit: dict[str, Counter] = defaultdict(Counter)
    for code, media, unit_id, n in rows:
        by_media[code][media] += n
        by_unit[code][names[unit_id]] += n
        report.totals[code] += n
    report.by_media, report.by_unit = dict(by_media), dict(by_unit)
    rules = RoundRules.model_validate(session.get(Round, round_id).rules)
    seen = {m for c in by_media.values() for m in c}
    report.media_types = [m for m in rules.media_types] + sorted(seen - set(rules.media_types))
    report.unit_names = sorted({u for c in by_unit.values() for u in c})
    # Works counted and works with a theme, in one pass over the round.
    report.entries_counted, tagged = session.exec(
        select(func.count(func.distinct(Entry.id)), func.count(func.distinct(EntryTheme.entry_id)))
        .select_from(Entry).outerjoin(EntryTheme, EntryTheme.entry_id == Entry.id).where(*counted)).one()
    report.untagged = report.entries_counted - tagged
    report.suggested_only = Counter(dict(session.exec(
        select(OutlineNode.code, func.count())
        .join(ThemeSuggestion, ThemeSuggestion.outline_node_id == OutlineNode.id)
        .join(Entry, Entry.id == ThemeSuggestion.entry_id)
        .where(*counted, ThemeSuggestion.rank == 1, ThemeSuggestion.off_outline == False,  # noqa: E712
               ~_confirmed_on(ThemeSuggestion.outline_node_id))
        .group_by(OutlineNode.code)).all()))
    report.off_outline = session.exec(
        select(func.count()).select_from(ThemeSuggestion).join(Entry, Entry.id == ThemeSuggestion.entry_id)
        .where(*counted, ThemeSuggestion.rank == 1, ThemeSuggestion.off_outline == True)).one()  # noqa: E712
    return report


def _confirmed_on(node_id):
    """EXISTS: the row's entry is confirmed on `node_id`."""
    return (select(EntryTheme.entry_id)
            .where(EntryTheme.entry_id == Entry.id, EntryTheme.outline_node_id == node_id).exists())


DISAGREEMENTS_SHOWN = 100


@dataclass
class Disagreement:
    entry_id: int
    title: str
    confirmed: list[str]  # confirmed theme codes, in outline order
    suggested_code: str  # the rank-1 suggestion, which is none of the confirmed ones
    suggested_title: str


@dataclass
class Disagreements:
    total: int
    items: list[Disagreement]


@dataclass
class OffOutlineWork:
    entry_id: int
    title: str
    confirmed: list[str]  # confirmed theme codes, in outline order (may be none)


@dataclass
class OffOutlineWorks:
    total: int
    items: list[OffOutlineWork]


def _confirmed_codes(session: Session, entry_ids: list[int]) -> dict[int, list[str]]:
    """entry id -> its confirmed theme codes in outline order (entries without any are absent). One query."""
    confirmed: dict[int, list[str]] = defaultdict(list)
    for entry_id, code in session.exec(
            select(EntryTheme.entry_id, OutlineNode.code)
            .join(OutlineNode, OutlineNode.id == EntryTheme.outline_node_id)
            .where(EntryTheme.entry_id.in_(entry_ids))
            .order_by(OutlineNode.position, OutlineNode.id)).all():
        confirmed[entry_id].append(code)
    return confirmed


def suggestion_disagreements(session: Session, *, round_id: int, user: User,
                             limit: int = DISAGREEMENTS_SHOWN) -> Disagreements:
    """Counted works of the round that `user` may see (award.permissions.entry_filter) that have
    confirmed themes while their top suggestion is none of them: for the secretariat to review.
    The first `limit` by work id and how many there are, in three queries whatever their number.
    A work off the outline is not listed here (its first theme means little) but by `off_outline_works`."""
    conditions = (Entry.round_id == round_id, Entry.status.in_(COUNTED), entry_filter(user),
                  ThemeSuggestion.rank == 1, ThemeSuggestion.off_outline == False,  # noqa: E712
                  select(EntryTheme.entry_id).where(EntryTheme.entry_id == Entry.id).exists(),
                  ~_confirmed_on(ThemeSuggestion.outline_node_id))
    joined = (select(Entry.id, Entry.title, OutlineNode.code, OutlineNode.title)
              .join(ThemeSuggestion, ThemeSuggestion.entry_id == Entry.id)
              .join(OutlineNode, OutlineNode.id == ThemeSuggestion.outline_node_id)
              .where(*conditions))
    total = session.exec(select(func.count()).select_from(joined.subquery())).one()
    if not total:
        return Disagreements(total=0, items=[])
    rows = session.exec(joined.order_by(Entry.id).limit(limit)).all()
    confirmed = _confirmed_codes(session, [r[0] for r in rows])
    return Disagreements(total=total, items=[
        Disagreement(entry_id=i, title=title, confirmed=confirmed[i], suggested_code=code, suggested_title=node_title)
        for i, title, code, node_title in rows])


def off_outline_works(session: Session, *, round_id: int, user: User,
                      limit: int = DISAGREEMENTS_SHOWN) -> OffOutlineWorks:
    """Counted works of the round that `user` may see whose stored ranking says they hardly touch the outline
    (`theme_suggestion.off_outline`, README "Off the outline"), with their confirmed themes if any: a work
    that may not belong in the award, or whose themes deserve a second look. The first `limit` by work id and
    how many there are, in three queries whatever their number."""
    joined = (select(Entry.id, Entry.title).join(ThemeSuggestion, ThemeSuggestion.entry_id == Entry.id)
              .where(Entry.round_id == round_id, Entry.status.in_(COUNTED), entry_filter(user),
                     ThemeSuggestion.rank == 1, ThemeSuggestion.off_outline == True))  # noqa: E712
    total = session.exec(select(func.count()).select_from(joined.subquery())).one()
    if not total:
        return OffOutlineWorks(total=0, items=[])
    rows = session.exec(joined.order_by(Entry.id).limit(limit)).all()
    confirmed = _confirmed_codes(session, [r[0] for r in rows])
    return OffOutlineWorks(total=total, items=[OffOutlineWork(entry_id=i, title=title, confirmed=confirmed.get(i, []))
                                               for i, title in rows])


def works_for_theme(session: Session, *, round_id: int, code: str) -> list[Entry]:
    return list(session.exec(
        select(Entry).join(EntryTheme, EntryTheme.entry_id == Entry.id)
        .join(OutlineNode, OutlineNode.id == EntryTheme.outline_node_id)
        .where(Entry.round_id == round_id, OutlineNode.code == code, Entry.status.in_(COUNTED))
        .order_by(Entry.id)
    ).all())


def retag_round(engine: Engine, *, round_id: int, job_id: int, cache, now: datetime, batch: int = 32) -> None:
    """Recompute suggestions for every entry of a round, in batches, recording progress on the job.
    Runs outside any request, with its own sessions."""
    from award.models import RetagJob

    # expire_on_commit off: the next batch's works are read (and sent to the model) before this batch's
    # suggestions are committed (RoundTagger.suggest_batches), and must not be read again after it
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(RetagJob, job_id)
        tagger = tagger_for(session, round_id, cache)
        ids = list(session.exec(select(Entry.id).where(Entry.round_id == round_id).order_by(Entry.id)).all())
        job.status, job.total, job.done = "running", len(ids), 0
        session.add(job)
        session.commit()
        try:
            if tagger is None:
                raise Conflict("Đợt giải chưa có đề cương.", code="no_outline")
            # every confirmed work's vector now (those are re-tagged below anyway, from the cache)
            examples = learned_examples(session, round_id=round_id, tagger=tagger, budget=None)
            for ranked in tagger.suggest_batches(_entry_batches(session, ids, batch), text=entry_text,
                                                 key=_entry_id, learned=examples):
                for entry, result in ranked:
                    store_suggestions(session, entry=entry, result=result, now=now)
                job.done += len(ranked)
                session.add(job)
                session.commit()
                flush_cache(cache)
            job.status = "done"
        except Exception as exc:  # the job records the failure; the page shows it
            session.rollback()
            job = session.get(RetagJob, job_id)
            job.status, job.error = "failed", str(exc)[:500]
            log.exception("retag.failed round_id=%s job_id=%s", round_id, job_id)
        job.finished_at = now
        session.add(job)
        session.commit()
        log.info("retag.finished round_id=%s job_id=%s done=%s", round_id, job_id, job.done)


def _posix(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _confirmation_events(session: Session, round_id: int) -> list[tuple[int, int, datetime]]:
    """(audit id, entry id, time) of the `entry.themes` rows (confirmations and retractions) of the works whose
    confirmed themes teach the round: its own and its predecessors' (award.tagging_learn.example_rounds).
    Read by the action's index and filtered here: joining `audit_event.object_id` to the entry by a cast took
    ~20 s on PostgreSQL at 25,000 works (no index can serve it)."""
    from award.tagging_learn import example_rounds

    ids = set(session.exec(select(Entry.id).where(Entry.round_id.in_(example_rounds(session, round_id)))).all())
    rows = session.exec(select(AuditEvent.id, AuditEvent.object_id, AuditEvent.at)
                        .where(AuditEvent.action == "entry.themes", AuditEvent.object_type == "entry")).all()
    return [(audit_id, int(obj), at) for audit_id, obj, at in rows if obj.isdigit() and int(obj) in ids]


def confirmations_seen(session: Session, *, round_id: int) -> dict[int, datetime]:
    """audit id -> time of the `entry.themes` rows that teach the round (every confirmation or retraction of
    its works and of its predecessors')."""
    return {audit_id: at for audit_id, _, at in _confirmation_events(session, round_id)}


def stale_after_confirmations(session: Session, *, round_id: int, tagger: RoundTagger, examples=None) -> list[int]:
    """The works of a round whose stored ranking a fresh one would change because of a confirmation or
    retraction of themes (audit `entry.themes`) made at or after it was computed, and the works with no
    ranking: what `relearn_round` ranks again, in id order.

    Proportional to what changed (award.tagging_learn.touched_by): a change on work C matters to work W
    only if C is, or would be, among W's ten nearest confirmed works; ~100 works per confirmation when a
    tenth of a round is confirmed, not the whole round. A change on a work of an earlier round whose
    confirmed works teach this one (at half weight) counts the same way. `examples`: the round's learned
    examples, if read."""
    from award.tagging_learn import round_work_vectors, touched_by

    changed: dict[int, float] = {}
    for _, entry_id, at in _confirmation_events(session, round_id):
        changed[entry_id] = max(changed.get(entry_id, 0.0), _posix(at))
    ranked_at = {e: _posix(at) for e, at in session.exec(
        select(ThemeSuggestion.entry_id, func.min(ThemeSuggestion.computed_at))
        .join(Entry, Entry.id == ThemeSuggestion.entry_id)
        .where(Entry.round_id == round_id, ThemeSuggestion.tagger_version == TAGGER_VERSION)  # older: unranked
        .group_by(ThemeSuggestion.entry_id)).all()}
    all_ids = list(session.exec(select(Entry.id).where(Entry.round_id == round_id)).all())
    unranked = {e for e in all_ids if e not in ranked_at}
    # a change older than every stored ranking is in all of them already
    changed = {e: at for e, at in changed.items() if ranked_at and at >= min(ranked_at.values())}
    if not changed:
        return sorted(unranked)
    if examples is None:
        examples = learned_examples(session, round_id=round_id, tagger=tagger, budget=None)
    own = set(all_ids)
    vectors = round_work_vectors(session, round_id=round_id, tagger=tagger,
                                 entry_ids=sorted(e for e in changed if e not in own))
    return sorted(unranked | touched_by(examples, vectors, changed, ranked_at))


def queue_relearn(session: Session, *, round_id: int, now: datetime) -> None:
    """Queue the round's relearning pass (job `round.relearn`, award.job_handlers) unless one is waiting to start:
    that one will read whatever made this call."""
    jobs.enqueue_unless_waiting(session, kind="round.relearn", scope=str(round_id), payload={"round_id": round_id},
                                now=now)


def queue_outdated_rankings(session: Session, *, now: datetime) -> list[int]:
    """Queue the relearning pass (`round.relearn`, which ranks again the works whose stored ranking another
    TAGGER_VERSION made, as if unranked) of every round holding such rankings; run by `award migrate` after
    an upgrade, so the coverage page and the review of disagreements stop showing the old ones. Returns the
    rounds' ids. A round's pass already waiting covers it."""
    rounds = sorted(session.exec(select(Entry.round_id).distinct()
                                 .join(ThemeSuggestion, ThemeSuggestion.entry_id == Entry.id)
                                 .where(ThemeSuggestion.tagger_version != TAGGER_VERSION)).all())
    for round_id in rounds:
        queue_relearn(session, round_id=round_id, now=now)
    return rounds


@dataclass
class RelearnPass:
    ranked: list[tuple[Entry, SuggestionResult]]
    seen: set[int]  # the audit ids of confirmations_seen when the pass began reading
    # the round's new signal weights and how many confirmed works they were fitted on, when they changed (the
    # whole round was then ranked with them); None: the stored ones stand
    weights: tuple[list[float], int] | None = None


def refit_signal_weights(session: Session, *, round_id: int, tagger: RoundTagger, examples) -> tuple[list[float], int] | None:
    """The round's signal weights fitted on its own confirmed works (award.tagging_learn.fit_signal_weights: the
    tagger's own below 8 of them), with how many were used, if one of them differs from those in use (stored, else
    the tagger's own) by ``WEIGHT_STEP`` or more; else None. Sets ``examples``' weights to what the round's
    rankings must use from now."""
    import numpy as np

    # the newest of the round's own confirmed works, as many as the fit reads (LearnConfig.weight_max_examples)
    own = [k for k in examples.keys if k in examples.own][-examples.config.weight_max_examples:]
    signals = work_signals(session, tagger=tagger, entry_ids=own)
    fitted = examples.fit_weights(signals=[signals.get(k) if k in examples.own else None for k in examples.keys])
    used = sum(1 for k in own if k in signals)
    prior = tagger.signal_weights()
    target = prior if fitted is None else fitted
    current = prior if examples.stored_weights is None else examples.stored_weights
    if float(np.max(np.abs(target - current))) < WEIGHT_STEP:
        examples.stored_weights = current
        return None
    stored = [round(float(w), 4) for w in target]  # as the database keeps them, so a fresh ranking is the same
    examples.stored_weights = np.array(stored, dtype=np.float64)
    return stored, used if fitted is not None else 0


def relearn_round(session: Session, *, round_id: int, cache) -> RelearnPass:
    """After themes were confirmed or retracted in a round (job `round.relearn`, queued by set_entry_themes):
    the works whose stored ranking those changed (`stale_after_confirmations`), ranked again with what is
    confirmed now. Reads only: the caller stores the results (award.job_handlers, in one short write), so a
    long pass over a round does not hold SQLite's write lock. Run again, it ranks only what is still stale.
    `seen` lets the caller tell whether a confirmation was committed while the pass read."""
    seen = set(confirmations_seen(session, round_id=round_id))
    tagger = tagger_for(session, round_id, cache)
    if tagger is None:
        return RelearnPass([], seen)
    examples = learned_examples(session, round_id=round_id, tagger=tagger, budget=None)
    weights = refit_signal_weights(session, round_id=round_id, tagger=tagger, examples=examples)
    if weights is not None:  # every ranking of the round weighs the signals anew
        ids = sorted(session.exec(select(Entry.id).where(Entry.round_id == round_id)).all())
    else:
        ids = stale_after_confirmations(session, round_id=round_id, tagger=tagger, examples=examples)
    ranked: list[tuple[Entry, SuggestionResult]] = []
    for batch in tagger.suggest_batches(_entry_batches(session, ids, 32), text=entry_text, key=_entry_id,
                                        learned=examples):
        ranked += batch
    return RelearnPass(ranked, seen, weights)


def _entry_batches(session: Session, ids: list[int], size: int) -> Iterator[list[Entry]]:
    """The works ``ids``, ``size`` at a time, each batch loaded when RoundTagger.suggest_batches asks for it."""
    for start in range(0, len(ids), size):
        yield list(session.exec(select(Entry).where(Entry.id.in_(ids[start:start + size]))).all())


def _entry_id(entry: Entry) -> int:
    return entry.id


def store_relearned(session: Session, *, round_id: int, done: RelearnPass, now: datetime) -> None:
    """Store a relearning pass's rankings (in the caller's transaction). A confirmation committed while the
    pass read (by a request that saw the pass's job still waiting, so queued none; its time may be earlier
    than the pass's start) is one the pass did not see: the rankings are stamped no later than it, so they
    stay stale with respect to it, and the next pass is queued."""
    unseen = [_posix(at) for i, at in confirmations_seen(session, round_id=round_id).items() if i not in done.seen]
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    stamp = min(now, datetime.fromtimestamp(min(unseen), UTC)) if unseen else now
    for entry, result in done.ranked:
        current = session.get(Entry, entry.id)
        if current is not None:
            store_suggestions(session, entry=current, result=result, now=stamp)
    if done.weights is not None:
        (outline, press, meaning), used = done.weights
        row = session.get(RoundSignalWeights, round_id) or RoundSignalWeights(round_id=round_id, outline=0.0,
                                                                              press=0.0, meaning=0.0, examples=0)
        row.outline, row.press, row.meaning, row.examples, row.fitted_at = outline, press, meaning, used, now
        session.add(row)
    if unseen:
        queue_relearn(session, round_id=round_id, now=now)


def link_thematic_prizes(session: Session, *, round_: Round, links: dict[int, list[str]], actor: User,
                         now: datetime) -> RoundRules:
    """Tie each thematic prize (by its position) to outline themes of the round: part of the round's rules."""
    require_phase(round_, now, "round.settings")
    rules = RoundRules.model_validate(round_.rules)
    units = {u.code for u in round_units(session, round_.id)}
    for index, codes in links.items():
        if not 0 <= index < len(rules.thematic_prizes):
            raise Invalid("Giải chuyên đề không tồn tại.", field=f"thematic_prizes.{index}", code="unknown_prize")
        unknown = [c for c in codes if c not in units]
        if unknown:
            raise Invalid(f"Mã chủ đề không có trong đề cương: {', '.join(unknown)}.",
                          field=f"thematic_prizes.{index}.themes", code="unknown_theme")
        rules.thematic_prizes[index].themes = list(dict.fromkeys(codes))
    round_.rules = rules.model_dump(mode="json")
    session.add(round_)
    audit.record(session, actor_id=actor.id, action="round.thematic_prizes", object_type="round",
                 object_id=round_.id, now=now, data={"links": {str(k): v for k, v in links.items()}})
    return rules
