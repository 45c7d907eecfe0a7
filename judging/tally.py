"""The final council's vote (pure): ballots → proposed levels → prizes allocated within the round's
counts, and the thematic prizes.

Proposed level — a ballot says special, A, B, C, KK or none. A work's support at a level is the number
of its ballots at that level or higher. It is proposed at the highest level whose support is MORE than
`threshold` × ballots cast (with 0.5: the level a majority puts it at or above), else "none".

Allocation — levels are filled from the top. The candidates for a level are the works proposed at it
plus those moved down from the level above; they are ordered by vote strength: support at this level,
then the mean ballot (special 5 … KK 1, none 0), then entry id (so the result is deterministic). The
first `counts[level]` take the level; the rest move down one level. After KK they get no prize. A work
is never placed above its proposed level. When the last work that takes a level and the first that
moves down have the same strength, every work of that strength is flagged "tie" for the council.

Quorum — a work needs ballots from at least `quorum` × (council members without a conflict on it),
and at least one; a work without quorum is not allocated and blocks proposing the list.

Thematic prizes — each goes to the work nominated for it on the most ballots; equal tops are a tie.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

LEVELS = ("special", "A", "B", "C", "KK")
VOTE_LEVELS = (*LEVELS, "none")
POINTS = {"special": 5, "A": 4, "B": 3, "C": 2, "KK": 1, "none": 0}
NO_PRIZE = "none"


@dataclass(frozen=True)
class Vote:
    judge_id: int
    entry_id: int
    level: str
    thematic: str | None = None


@dataclass
class WorkTally:
    entry_id: int
    voters: int  # council members without a conflict on the work
    counts: dict[str, int]  # ballots per level, "none" included
    cast: int
    quorum_met: bool
    proposed: str | None  # None while without quorum
    mean: Fraction
    allocated: str | None = None
    flags: set[str] = field(default_factory=set)  # "tie", "moved_down", "no_quorum"

    def support(self, level: str) -> int:
        """Ballots at `level` or higher."""
        return sum(self.counts[lv] for lv in VOTE_LEVELS[:VOTE_LEVELS.index(level) + 1])

    def strength(self, level: str) -> tuple[int, Fraction]:
        return self.support(level), self.mean


@dataclass
class ThematicResult:
    name: str
    nominations: dict[int, int]  # entry id → ballots nominating it
    winner: int | None
    tie: list[int]


@dataclass
class Tally:
    works: list[WorkTally]
    thematic: list[ThematicResult]
    counts: dict[str, int]

    @property
    def without_quorum(self) -> list[int]:
        return [w.entry_id for w in self.works if not w.quorum_met]

    @property
    def ties(self) -> list[int]:
        return [w.entry_id for w in self.works if "tie" in w.flags]

    def allocated(self) -> dict[int, str]:
        return {w.entry_id: w.allocated for w in self.works if w.allocated}


def needed(voters: int, quorum: Decimal) -> int:
    """Ballots a work needs: the quorum share of its possible voters, rounded up, at least one."""
    return max(1, math.ceil(Fraction(quorum) * voters))


def proposed_level(counts: Mapping[str, int], threshold: Decimal) -> str:
    cast = sum(counts.values())
    support = 0
    for level in LEVELS:
        support += counts.get(level, 0)
        if cast and Fraction(support) > Fraction(threshold) * cast:
            return level
    return NO_PRIZE


def _work(entry_id: int, votes: Sequence[Vote], voters: int, quorum: Decimal, threshold: Decimal) -> WorkTally:
    counts = {level: 0 for level in VOTE_LEVELS}
    for v in votes:
        counts[v.level] += 1
    cast = len(votes)
    quorum_met = cast >= needed(voters, quorum)
    mean = Fraction(sum(POINTS[v.level] for v in votes), cast) if cast else Fraction(0)
    work = WorkTally(entry_id=entry_id, voters=voters, counts=counts, cast=cast, quorum_met=quorum_met,
                     proposed=proposed_level(counts, threshold) if quorum_met else None, mean=mean)
    if not quorum_met:
        work.flags.add("no_quorum")
    return work


def allocate(works: list[WorkTally], counts: Mapping[str, int]) -> None:
    """Fill the levels from the top within `counts` (see the module docstring); sets `allocated`."""
    carried: list[WorkTally] = []
    for level in LEVELS:
        candidates = carried + [w for w in works if w.proposed == level]
        candidates.sort(key=lambda w: (-w.support(level), -w.mean, w.entry_id))
        room = max(0, counts.get(level, 0))
        taken, carried = candidates[:room], candidates[room:]
        if taken and carried and taken[-1].strength(level) == carried[0].strength(level):
            boundary = taken[-1].strength(level)
            for w in candidates:
                if w.strength(level) == boundary:
                    w.flags.add("tie")
        for w in taken:
            w.allocated = level
        for w in carried:
            w.flags.add("moved_down")
    for w in works:
        if w.quorum_met and w.allocated is None:
            w.allocated = NO_PRIZE


def thematic_results(votes: Iterable[Vote], names: Sequence[str]) -> list[ThematicResult]:
    results = []
    for name in names:
        nominations: dict[int, int] = {}
        for v in votes:
            if v.thematic == name:
                nominations[v.entry_id] = nominations.get(v.entry_id, 0) + 1
        top = max(nominations.values(), default=0)
        leaders = sorted(e for e, n in nominations.items() if n == top) if top else []
        results.append(ThematicResult(name=name, nominations=nominations,
                                      winner=leaders[0] if len(leaders) == 1 else None,
                                      tie=leaders if len(leaders) > 1 else []))
    return results


def tally(votes: Iterable[Vote], voters: Mapping[int, int], counts: Mapping[str, int], *, quorum: Decimal,
          threshold: Decimal, thematic_names: Sequence[str] = ()) -> Tally:
    """`voters` maps every finalist to the number of council members without a conflict on it."""
    votes = list(votes)
    by_entry: dict[int, list[Vote]] = {entry_id: [] for entry_id in voters}
    for v in votes:
        if v.entry_id in by_entry:
            by_entry[v.entry_id].append(v)
    works = [_work(entry_id, by_entry[entry_id], voters[entry_id], quorum, threshold) for entry_id in sorted(voters)]
    allocate(works, counts)
    return Tally(works=works, thematic=thematic_results(votes, thematic_names), counts=dict(counts))


def over_counts(levels: Mapping[int, str], counts: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """Levels given more often than the round allows: level → (given, allowed)."""
    given: dict[str, int] = {}
    for level in levels.values():
        if level in LEVELS:
            given[level] = given.get(level, 0) + 1
    return {lv: (n, counts.get(lv, 0)) for lv, n in given.items() if n > counts.get(lv, 0)}
