"""Who scores what: conflicts of interest and the "propose" step of judge assignment (pure).

Conflicts (`conflict_reason`) — a judge may not score an entry when, checked in this order and the
first reason returned:
    1. the judge is one of its authors, by e-mail (case-insensitive) or by name key (folded):
       "Giám khảo là tác giả";
    2. same unit (both unit ids set and equal): "Cùng đơn vị";
    3. same press outlet: outlet_key(judge.outlet) ∈ {outlet_key(k) for k in entry.outlet_keys}:
       "Cùng cơ quan báo chí";
    4. declared by someone — (judge_id, entry_id) in `declared`: "Đã khai báo xung đột lợi ích".

Outlet key (`outlet_key`) — lower case, no diacritics (NFD, combining marks dropped, đ → d), every
character that is not a letter or a digit becomes a space, spaces collapsed. Nothing else: no prefix
such as "báo " / "tạp chí " / "đài " is stripped, so "Báo Nhân Dân" and "Nhân Dân" are different
outlets; matching is exact after folding. An empty key never matches.

Propose (`propose`) — greedy, deterministic (same input → same plan):
    * hard constraints: never a conflict, never above a judge's capacity (a number of entries, not a
      load; None = unlimited), never the same judge twice on an entry;
    * `existing` assignments count toward each entry's k and toward the judges' load and capacity
      (an existing entry absent from `entries` weighs 1.0); they are not repeated in the plan;
    * entries are processed most constrained first: fewest eligible judges (non-conflicting, not
      already on the entry, capacity left at the start), then heavier load first, then lower id;
    * each entry takes the judges it still needs among the eligible ones with the least current
      load, then fewer assignments, then lower id.
    Balance bound: with no conflicts and unlimited capacity, after every step
    max(load) − min(load) ≤ max(initial spread, largest entry load) — the k least loaded judges
    each receive the same load l, so the new maximum is either the old one or (a_k + l), and
    a_k + l − min(a_1 + l, a_{k+1}) ≤ max(a_k − a_1, l). Starting from no assignments the spread
    never exceeds the largest entry load. With equal unit loads and equal capacities the same bound
    (1 entry) holds, since a full judge is then never among the least loaded unless all are full.
    Entries that cannot get k judges keep those they can get and are listed in `unassignable`.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from award.text import fold

__all__ = [
    "AssignmentConflict",
    "Conflict",
    "EntryInfo",
    "JudgeInfo",
    "Plan",
    "Proposed",
    "Unassignable",
    "check_assignment",
    "conflict_reason",
    "declared_pairs",
    "name_key",
    "outlet_key",
    "propose",
]

REASON_AUTHOR = "Giám khảo là tác giả"
REASON_UNIT = "Cùng đơn vị"
REASON_OUTLET = "Cùng cơ quan báo chí"
REASON_DECLARED = "Đã khai báo xung đột lợi ích"
EXISTING_UNKNOWN_LOAD = 1.0


@dataclass(frozen=True)
class JudgeInfo:
    id: int
    unit_id: int | None
    outlet: str | None
    email: str
    name_key: str
    capacity: int | None = None  # most entries this judge may be given; None = no limit


@dataclass(frozen=True)
class EntryInfo:
    id: int
    unit_id: int | None
    outlet_keys: frozenset[str] = frozenset()
    author_emails: frozenset[str] = frozenset()
    author_name_keys: frozenset[str] = frozenset()
    load: float = 1.0  # work units: 1 + minutes of audio/video / 10 + pages / 10 (computed by the caller)


@dataclass(frozen=True)
class Conflict:
    """A declared conflict of interest."""

    judge_id: int
    entry_id: int
    reason: str = ""


@dataclass(frozen=True)
class Proposed:
    entry_id: int
    judge_id: int


@dataclass(frozen=True)
class Unassignable:
    entry_id: int
    reason_vi: str
    got: int  # judges the entry has after the plan (existing + proposed)


@dataclass
class Plan:
    assignments: list[Proposed] = field(default_factory=list)  # new proposals only
    unassignable: list[Unassignable] = field(default_factory=list)
    load_by_judge: dict[int, float] = field(default_factory=dict)  # existing + proposed, every judge


class AssignmentConflict(ValueError):
    def __init__(self, reason_vi: str):
        super().__init__(reason_vi)
        self.reason_vi = reason_vi


# ---------------------------------------------------------------------------------------------------
# Normalisation


def _fold(text: str) -> str:
    # The one comparison form (award.text.fold): a conflict of interest is found whatever the case,
    # diacritics, Unicode form or invisible characters of either name.
    return fold(text.replace("Ð", "D"))


def outlet_key(text: str | None) -> str:
    """"Báo  Tuổi Trẻ (TP.HCM)" → "bao tuoi tre tp hcm". Idempotent; "" for None or blank."""
    if not text:
        return ""
    folded = _fold(text)
    cleaned = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in folded)
    return " ".join(cleaned.split())


def name_key(text: str | None) -> str:
    """Folded name (lower, no diacritics, single spaces) as used for author/judge matching."""
    # Cut as entry_author.name_key is stored (200): compatibility forms (ﷺ) fold to many letters.
    return " ".join(_fold(text).split())[:200] if text else ""


def _email(text: str | None) -> str:
    return (text or "").strip().casefold()


def declared_pairs(declared: Iterable[tuple[int, int] | Conflict]) -> frozenset[tuple[int, int]]:
    """{(judge_id, entry_id)} from tuples or `Conflict` objects."""
    pairs = set()
    for item in declared:
        if isinstance(item, Conflict):
            pairs.add((item.judge_id, item.entry_id))
        else:
            judge_id, entry_id = item
            pairs.add((judge_id, entry_id))
    return frozenset(pairs)


# ---------------------------------------------------------------------------------------------------
# Conflicts


def _reason(judge: JudgeInfo, entry: EntryInfo, declared: Collection[tuple[int, int]]) -> str | None:
    email = _email(judge.email)
    if email and email in {_email(e) for e in entry.author_emails}:
        return REASON_AUTHOR
    key = name_key(judge.name_key)
    if key and key in {name_key(n) for n in entry.author_name_keys}:
        return REASON_AUTHOR
    if judge.unit_id is not None and judge.unit_id == entry.unit_id:
        return REASON_UNIT
    outlet = outlet_key(judge.outlet)
    if outlet and outlet in {outlet_key(o) for o in entry.outlet_keys}:
        return REASON_OUTLET
    if (judge.id, entry.id) in declared:
        return REASON_DECLARED
    return None


def conflict_reason(judge: JudgeInfo, entry: EntryInfo,
                    declared: Iterable[tuple[int, int] | Conflict] = frozenset()) -> str | None:
    """The Vietnamese reason why `judge` may not score `entry`, or None (order in the module doc)."""
    return _reason(judge, entry, declared_pairs(declared))


def check_assignment(judge: JudgeInfo, entry: EntryInfo,
                     declared: Iterable[tuple[int, int] | Conflict] = frozenset()) -> None:
    """Raise `AssignmentConflict(reason_vi)` when the judge may not score the entry — used when an
    assignment is added by hand and again when a score is saved."""
    reason = conflict_reason(judge, entry, declared)
    if reason is not None:
        raise AssignmentConflict(reason)


# ---------------------------------------------------------------------------------------------------
# Propose


def propose(entries: Sequence[EntryInfo], judges: Sequence[JudgeInfo], k: int,
            declared: Iterable[tuple[int, int] | Conflict] = frozenset(),
            existing: Iterable[Proposed] = ()) -> Plan:
    """Propose judges so that every entry has k distinct non-conflicting judges where possible."""
    if k < 0:
        raise ValueError("k must be ≥ 0")
    judges = sorted(judges, key=lambda j: j.id)
    entries = sorted(entries, key=lambda e: e.id)
    if len({j.id for j in judges}) != len(judges):
        raise ValueError("duplicate judge id")
    if len({e.id for e in entries}) != len(entries):
        raise ValueError("duplicate entry id")
    for entry in entries:
        if not entry.load >= 0:
            raise ValueError(f"entry {entry.id}: load must be ≥ 0")
    pairs = declared_pairs(declared)
    entry_by_id = {e.id: e for e in entries}
    judge_ids = {j.id for j in judges}

    load: dict[int, float] = {j.id: 0.0 for j in judges}
    count: dict[int, int] = {j.id: 0 for j in judges}
    on_entry: dict[int, set[int]] = defaultdict(set)
    for item in existing:
        if item.judge_id in on_entry[item.entry_id]:
            continue
        on_entry[item.entry_id].add(item.judge_id)
        if item.judge_id in judge_ids:
            entry = entry_by_id.get(item.entry_id)
            load[item.judge_id] += entry.load if entry is not None else EXISTING_UNKNOWN_LOAD
            count[item.judge_id] += 1

    def has_room(judge: JudgeInfo) -> bool:
        return judge.capacity is None or count[judge.id] < judge.capacity

    free = {e.id: [j for j in judges if _reason(j, e, pairs) is None] for e in entries}

    def eligible_at_start(entry: EntryInfo) -> int:
        return sum(1 for j in free[entry.id] if j.id not in on_entry[entry.id] and has_room(j))

    order = sorted(entries, key=lambda e: (eligible_at_start(e), -e.load, e.id))
    plan = Plan()
    for entry in order:
        need = k - len(on_entry[entry.id])
        if need <= 0:
            continue
        candidates = [j for j in free[entry.id] if j.id not in on_entry[entry.id] and has_room(j)]
        candidates.sort(key=lambda j: (load[j.id], count[j.id], j.id))
        for judge in candidates[:need]:
            plan.assignments.append(Proposed(entry.id, judge.id))
            on_entry[entry.id].add(judge.id)
            load[judge.id] += entry.load
            count[judge.id] += 1
        got = len(on_entry[entry.id])
        if got < k:
            available = len({j.id for j in free[entry.id]} | on_entry[entry.id])
            if available < k and got == available:
                reason = f"Chỉ có {available}/{k} giám khảo không xung đột lợi ích"
            else:
                reason = (f"Chỉ phân công được {got}/{k} giám khảo: các giám khảo không xung đột "
                          f"lợi ích còn lại đã đủ số bài tối đa")
            plan.unassignable.append(Unassignable(entry.id, reason, got))
    plan.unassignable.sort(key=lambda u: u.entry_id)
    plan.load_by_judge = dict(load)
    return plan
