"""A round's public statistics: works that reached the centre by media type, unit and theme, and how
many of the eligible works reached the final and won a prize.

Four grouped queries whatever the number of works (a round may have 25,000); no per-work queries.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from award.entry_status import AT_CENTRE, FINALISTS
from award.models import Entry, EntryStatus, EntryTheme, OutlineNode, Unit
from award.rules import MEDIA_TYPES
from judging.models import ResultItem

# Derived from the lifecycle's groups, so a finalist the published list gives no prize (no_prize) still counts.
# Works the secretariat received, whatever it ruled on them afterwards (forwarded ones are still on their way).
CENTRAL = tuple(s for s in AT_CENTRE if s != EntryStatus.forwarded)
ELIGIBLE = (EntryStatus.eligible, *FINALISTS)  # ruled eligible (and beyond)
FINALIST = FINALISTS  # reached the final judging
TOP_UNITS = 15


@dataclass
class Count:
    key: str
    label: str
    value: int
    title: str = ""  # a longer description (a theme's wording)


@dataclass
class MediaRates:
    media_type: str
    label: str
    central: int
    eligible: int
    finalists: int
    prizes: int

    @property
    def shortlist_rate(self) -> float | None:
        return self.finalists / self.eligible if self.eligible else None

    @property
    def prize_rate(self) -> float | None:
        return self.prizes / self.eligible if self.eligible else None


@dataclass
class RoundStatistics:
    total: int
    by_media: list[Count]
    by_unit: list[Count]  # the TOP_UNITS largest, then one "other units" row if any
    units: int  # how many units sent works
    by_theme: list[Count]
    untagged: int
    rates: list[MediaRates] = field(default_factory=list)

    @property
    def totals(self) -> MediaRates:
        return MediaRates("all", "Tổng", sum(r.central for r in self.rates), sum(r.eligible for r in self.rates),
                          sum(r.finalists for r in self.rates), sum(r.prizes for r in self.rates))


def _code_key(code: str) -> tuple:
    """Outline codes in reading order: 2.9 before 2.10."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\s]+", code) if p)


def round_statistics(session: Session, *, round_id: int) -> RoundStatistics:
    """The round's statistics, counted over the works that reached the centre."""
    in_round = (Entry.round_id == round_id, Entry.status.in_(CENTRAL))

    # One pass groups by media type, status and unit; both the rates and the units come from it.
    by_status: dict[str, dict[str, int]] = {}
    per_unit: Counter = Counter()
    for media_type, status, unit_id, n in session.exec(
            select(Entry.media_type, Entry.status, Entry.unit_id, func.count(Entry.id))
            .where(*in_round).group_by(Entry.media_type, Entry.status, Entry.unit_id)):
        counts = by_status.setdefault(media_type, {})
        counts[EntryStatus(status)] = counts.get(EntryStatus(status), 0) + n
        per_unit[unit_id] += n
    names = dict(session.exec(select(Unit.id, Unit.name).where(Unit.id.in_(per_unit))).all()) if per_unit else {}
    unit_rows = [(uid, names[uid], n) for uid, n in per_unit.items()]

    prizes = dict(session.exec(select(Entry.media_type, func.count(ResultItem.id))
                               .join(Entry, Entry.id == ResultItem.entry_id)
                               .where(ResultItem.round_id == round_id).group_by(Entry.media_type)).all())

    theme_rows = session.exec(select(OutlineNode.code, OutlineNode.title, func.count(func.distinct(Entry.id)))
                              .join(EntryTheme, EntryTheme.outline_node_id == OutlineNode.id)
                              .join(Entry, Entry.id == EntryTheme.entry_id)
                              .where(*in_round).group_by(OutlineNode.id, OutlineNode.code, OutlineNode.title)).all()
    tagged = session.exec(select(func.count(func.distinct(EntryTheme.entry_id)))
                          .join(Entry, Entry.id == EntryTheme.entry_id).where(*in_round)).one()

    media_order = list(MEDIA_TYPES) + sorted(set(by_status) - set(MEDIA_TYPES))
    rates = []
    for m in media_order:
        counts = by_status.get(m, {})
        if not counts and not prizes.get(m):
            continue
        rates.append(MediaRates(m, MEDIA_TYPES.get(m, m), central=sum(counts.values()),
                                eligible=sum(counts.get(s, 0) for s in ELIGIBLE),
                                finalists=sum(counts.get(s, 0) for s in FINALIST), prizes=prizes.get(m, 0)))
    total = sum(r.central for r in rates)

    units = sorted(unit_rows, key=lambda r: (-r[2], r[1]))
    by_unit = [Count(str(uid), name, n) for uid, name, n in units[:TOP_UNITS]]
    rest = units[TOP_UNITS:]
    if rest:
        by_unit.append(Count("other", f"Các đơn vị khác ({len(rest)} đơn vị)", sum(r[2] for r in rest)))

    by_theme = [Count(code, code, n, title) for code, title, n in sorted(theme_rows, key=lambda r: _code_key(r[0]))]
    return RoundStatistics(total=total, by_media=[Count(r.media_type, r.label, r.central) for r in rates],
                           by_unit=by_unit, units=len(units), by_theme=by_theme, untagged=total - tagged, rates=rates)
