"""Score sheets → totals → ranking, with the tie-break and the flags (pure, Decimal in and out).

Rubric
    A rubric is a list of criteria with `code`, `max_points`, `weight`, `bonus` and (optionally)
    `label`. `Criterion` below is the plain dataclass; `award.rules.Criterion` (pydantic) has the same
    attributes and is accepted everywhere a criterion is expected.

Sheet total (`sheet_total`)
    Let N be the non-bonus criteria and B the bonus criteria, s_i the score of criterion i clamped to
    [0, max_i] (a missing score counts as 0), w_i its weight:

        total = Σ_N w_i·s_i / Σ_N w_i·max_i × Σ_N max_i  +  Σ_B min(max(b_j, 0), max_j)

    i.e. the weighted non-bonus part is normalised so that full marks give the rubric's plain total of
    max_points (100 for the default rubric whatever the weights); with equal weights it is just the
    sum of the scores. Bonus points are added raw, capped at their max (their weight is ignored). If
    every non-bonus weight is 0 the criteria weigh equally. The total is quantized to 0.01
    (ROUND_HALF_UP): the total a judge sees on the sheet is the one that is aggregated.

Aggregations (one score per entry, quantized to 0.01, ROUND_HALF_UP)
    `mean`          arithmetic mean of the entry's sheet totals.
    `median`        middle total; the mean of the two middle totals when n is even.
    `trimmed_mean`  TRIM RULE: when n ≥ 5, drop one highest and one lowest total (a single copy each,
                    even if tied) and average the remaining n − 2; when n < 5, the plain mean.
    `zscore`        per-judge normalisation over the whole set of sheets given:
                    z = (total − judge's mean) / judge's stdev (population stdev over all that judge's
                    sheets in the set); a judge with fewer than 2 sheets or a zero stdev gives z = 0
                    (neutral). The entry's z is the mean z of its sheets (rounded to 12 decimal places
                    so that equal values compare equal), rescaled to points as
                    grand_mean + z·grand_stdev (population mean and stdev of every sheet total in the
                    set) and clipped to [0, max_total(rubric)] (bonus included). Computed in Decimal
                    with 40 significant digits.

Ranking (`rank_entries`)
    TIE_BREAK — entries are ordered by, in turn:
        1. higher score (after quantization to 0.01);
        2. higher median of the sheet totals (exact, not quantized);
        3. higher mean score on the rubric's first non-bonus criterion ("content" by default), exact;
        4. lower entry_id.
    Because entry_id always differs, ranks are strict: 1, 2, 3, … n for the n entries that have at
    least one sheet — no shared ranks.
    Entries listed in `expected` without any sheet come after the ranked ones (by entry_id) with
    rank None, score None, n_sheets 0, stdev None and flags ("missing_sheets", "no_sheets")
    (only "no_sheets" when 0 sheets were expected).

Flags (in this order)
    "missing_sheets"     n_sheets < expected[entry_id].
    "high_disagreement"  stdev > disagreement_stdev, where stdev is the sample stdev of the entry's
                         sheet totals quantized to 0.01 (None, hence never flagged, when n < 2).
    "no_sheets"          see above.
"""

from __future__ import annotations

import decimal
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

__all__ = [
    "AGGREGATIONS",
    "Criterion",
    "METHODS",
    "Method",
    "Ranked",
    "ScoreError",
    "Sheet",
    "TIE_BREAK",
    "base_total",
    "max_total",
    "mean",
    "median",
    "rank_entries",
    "sample_stdev",
    "sheet_total",
    "tie_break_key",
    "trimmed_mean",
    "validate_scores",
    "zscore",
]

CENT = Decimal("0.01")
TRIM_MIN_SHEETS = 5
Z_PLACES = Decimal("1e-12")
Method = Literal["mean", "median", "trimmed", "zscore"]
METHODS: tuple[str, ...] = ("mean", "median", "trimmed", "zscore")
TIE_BREAK: tuple[str, ...] = ("score", "median", "first_criterion_mean", "entry_id")
FLAG_MISSING = "missing_sheets"
FLAG_DISAGREEMENT = "high_disagreement"
FLAG_NO_SHEETS = "no_sheets"


@dataclass(frozen=True)
class Criterion:
    code: str
    max_points: Decimal
    weight: Decimal = Decimal(1)
    bonus: bool = False
    label: str = ""  # shown in messages; the code when empty


@dataclass(frozen=True)
class Sheet:
    """A submitted score sheet: one score per criterion code for one (judge, entry)."""

    judge_id: int
    entry_id: int
    scores: Mapping[str, Decimal] = field(hash=False)


@dataclass(frozen=True)
class Ranked:
    entry_id: int
    rank: int | None
    score: Decimal | None
    n_sheets: int
    stdev: Decimal | None
    flags: tuple[str, ...] = ()


class ScoreError(ValueError):
    """Refused scores: `errors` is {criterion code (or the key given): Vietnamese message}, one per criterion
    in the order checked; `field` and `message` are the first of them."""

    def __init__(self, field: str, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.errors = errors or {field: message}


# ---------------------------------------------------------------------------------------------------
# Helpers


def _q(value: Decimal) -> Decimal:
    """Quantize to 0.01, ROUND_HALF_UP, without a negative zero."""
    result = (value if type(value) is Decimal else Decimal(value)).quantize(CENT, rounding=decimal.ROUND_HALF_UP)
    return result if result != 0 else CENT * 0


def _dec(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a score")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def _label(criterion: Any) -> str:
    return getattr(criterion, "label", "") or criterion.code


def _weight(criterion: Any) -> Decimal:
    weight = getattr(criterion, "weight", None)
    return Decimal(1) if weight is None else _dec(weight)


def _clamp(value: Decimal, high: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), high)


def _score(sheet: Sheet, criterion: Any) -> Decimal:
    raw = sheet.scores.get(criterion.code)
    return Decimal(0) if raw is None else _clamp(_dec(raw), _dec(criterion.max_points))


def _first_criterion(rubric: Sequence[Any]) -> Any | None:
    return next((c for c in rubric if not c.bonus), None)


def base_total(rubric: Sequence[Any]) -> Decimal:
    """Σ max_points of the non-bonus criteria (100 for the default rubric)."""
    return sum((_dec(c.max_points) for c in rubric if not c.bonus), Decimal(0))


def max_total(rubric: Sequence[Any]) -> Decimal:
    """The highest possible sheet total: base_total plus every bonus max (105 by default)."""
    return sum((_dec(c.max_points) for c in rubric), Decimal(0))


# ---------------------------------------------------------------------------------------------------
# Sheet total


class _Totaller:
    """The rubric's constants, worked out once for a whole ranking rather than once per sheet."""

    def __init__(self, rubric: Sequence[Any]):
        regular = [c for c in rubric if not c.bonus]
        weights = [_weight(c) for c in regular]
        if all(w == 0 for w in weights):
            weights = [Decimal(1)] * len(regular)
        self.regular = [(c.code, w, _dec(c.max_points)) for w, c in zip(weights, regular, strict=True)]
        self.bonus = [(c.code, _dec(c.max_points)) for c in rubric if c.bonus]
        self.plain = sum((high for _, _, high in self.regular), Decimal(0))
        self.weighted_max = sum((w * high for _, w, high in self.regular), Decimal(0))
        # Equal weights (the default rubric) cancel out: the total is the plain sum, exactly.
        self.equal = len({w for _, w, _ in self.regular}) == 1

    def total(self, scores: Mapping[str, Any]) -> Decimal:
        get = scores.get
        total = ZERO
        if self.equal:
            for code, _, high in self.regular:
                raw = get(code)
                if raw is not None:
                    value = raw if type(raw) is Decimal else _dec(raw)
                    total += ZERO if value < 0 else (high if value > high else value)
        elif self.weighted_max:
            weighted = ZERO
            for code, w, high in self.regular:
                raw = get(code)
                if raw is not None:
                    value = raw if type(raw) is Decimal else _dec(raw)
                    weighted += w * (ZERO if value < 0 else (high if value > high else value))
            total = weighted * self.plain / self.weighted_max
        for code, high in self.bonus:
            raw = get(code)
            if raw is not None:
                value = raw if type(raw) is Decimal else _dec(raw)
                total += ZERO if value < 0 else (high if value > high else value)
        return _q(total)


def sheet_total(sheet: Sheet, rubric: Sequence[Any]) -> Decimal:
    """Σ_N w_i·s_i / Σ_N w_i·max_i × Σ_N max_i + Σ_B min(b_j, max_j), quantized to 0.01.

    Scores are clamped to [0, max] and missing scores count as 0 (validate with `validate_scores`
    before saving); codes not in the rubric are ignored. See the module docstring.
    """
    return _Totaller(rubric).total(sheet.scores)


# ---------------------------------------------------------------------------------------------------
# Aggregations over the totals of one entry's sheets


def _require(totals: Sequence[Decimal]) -> list[Decimal]:
    values = [_dec(t) for t in totals]
    if not values:
        raise ValueError("no sheet totals to aggregate")
    return values


# Sums of Decimals are exact in a context this wide; one Fraction at the end is much cheaper than a
# Fraction per value (a ranking at ten times the national scale aggregates 75,000 sheets).
_EXACT = decimal.Context(prec=120)
ZERO = Decimal(0)
_ROOT = decimal.Context(prec=40)


def _exact_sum(values: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for v in values:
        total = _EXACT.add(total, v)
    return total


def _exact_mean(values: Sequence[Decimal]) -> Fraction:
    return Fraction(_exact_sum(values)) / len(values)


def _exact_median(values: Sequence[Decimal]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return (Fraction(ordered[middle - 1]) + Fraction(ordered[middle])) / 2


def _fraction_to_cents(value: Fraction) -> Decimal:
    """Exact ROUND_HALF_UP of a rational to 0.01."""
    cents = value * 100
    sign = -1 if cents < 0 else 1
    rounded = sign * math.floor(abs(cents) + Fraction(1, 2))
    return _q(Decimal(rounded) / 100)


def _wide_mean(values: Sequence[Decimal]) -> Decimal:
    """The mean to 120 significant digits. Rounding that to cents gives the exact rational's rounding:
    a mean of a few values with two decimals is never within 1e-100 of a half cent without being on it."""
    return _EXACT.divide(_exact_sum(values), Decimal(len(values)))


def mean(totals: Sequence[Decimal]) -> Decimal:
    """Arithmetic mean of the totals, quantized to 0.01 (ROUND_HALF_UP)."""
    return _q(_wide_mean(_require(totals)))


def median(totals: Sequence[Decimal]) -> Decimal:
    """Middle total (mean of the two middle ones when n is even), quantized to 0.01."""
    return _fraction_to_cents(_exact_median(_require(totals)))


def trimmed_mean(totals: Sequence[Decimal]) -> Decimal:
    """TRIM RULE: n ≥ 5 → drop one highest and one lowest total, mean of the other n − 2;
    n < 5 → plain mean. Quantized to 0.01."""
    values = sorted(_require(totals))
    if len(values) >= TRIM_MIN_SHEETS:
        values = values[1:-1]
    return _fraction_to_cents(_exact_mean(values))


def sample_stdev(totals: Sequence[Decimal]) -> Decimal | None:
    """Sample standard deviation (n − 1) quantized to 0.01; None when n < 2."""
    values = [_dec(t) for t in totals]
    if len(values) < 2:
        return None
    n = len(values)
    # Σ(v − mean)² = (n·Σv² − (Σv)²) / n, with exact sums; the one division rounds to 40 digits.
    total, squares = _exact_sum(values), _exact_sum(_EXACT.multiply(v, v) for v in values)
    spread = _EXACT.subtract(_EXACT.multiply(Decimal(n), squares), _EXACT.multiply(total, total))
    root = _ROOT.sqrt(_ROOT.divide(spread, Decimal(n * (n - 1))))
    return _q(root)


def _population(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """(mean, population stdev) in the current (40-digit) context."""
    n = Decimal(len(values))
    avg = sum(values, Decimal(0)) / n
    variance = sum(((v - avg) ** 2 for v in values), Decimal(0)) / n
    return avg, variance.sqrt()


def zscore(totals: Iterable[tuple[int, int, Decimal]], max_points: Decimal) -> dict[int, Decimal]:
    """Per-judge z-score aggregation over every sheet of the set.

    `totals` are (judge_id, entry_id, sheet total) triples, `max_points` the upper clip (normally
    `max_total(rubric)`). Returns entry_id → grand_mean + mean_z·grand_stdev clipped to
    [0, max_points] and quantized to 0.01 (see the module docstring for the rule).
    """
    rows = [(judge, entry, _dec(total)) for judge, entry, total in totals]
    if not rows:
        return {}
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        by_judge: dict[int, list[Decimal]] = defaultdict(list)
        for judge, _entry, total in rows:
            by_judge[judge].append(total)
        stats = {judge: _population(values) for judge, values in by_judge.items()}
        z_by_entry: dict[int, list[Decimal]] = defaultdict(list)
        for judge, entry, total in rows:
            judge_mean, judge_stdev = stats[judge]
            if len(by_judge[judge]) < 2 or judge_stdev == 0:
                z = Decimal(0)
            else:
                z = (total - judge_mean) / judge_stdev
            z_by_entry[entry].append(z)
        grand_mean, grand_stdev = _population([total for _j, _e, total in rows])
        high = _dec(max_points)
        scores: dict[int, Decimal] = {}
        for entry, zs in z_by_entry.items():
            entry_z = (sum(zs, Decimal(0)) / len(zs)).quantize(Z_PLACES, rounding=decimal.ROUND_HALF_EVEN)
            scores[entry] = _clamp(grand_mean + entry_z * grand_stdev, high)
    return {entry: _q(score) for entry, score in scores.items()}


AGGREGATIONS = {"mean": mean, "median": median, "trimmed": trimmed_mean}


# ---------------------------------------------------------------------------------------------------
# Ranking


def tie_break_key(entry_id: int, score: Decimal, totals: Sequence[Decimal],
                  first_scores: Sequence[Decimal]) -> tuple:
    """Sort key implementing TIE_BREAK (ascending sort puts the best first): higher quantized score,
    then higher exact median of the totals, then higher exact mean of the first criterion, then lower
    entry_id."""
    # Wide decimals order and equate like the exact rationals here (see _wide_mean), far faster.
    first_mean = _wide_mean(first_scores) if first_scores else Decimal(0)
    ordered = sorted(totals)
    middle = len(ordered) // 2
    median_ = ordered[middle] if len(ordered) % 2 else _EXACT.add(ordered[middle - 1], ordered[middle]) / 2
    return (-_q(score), -median_, -first_mean, entry_id)


def rank_entries(sheets: Iterable[Sheet], rubric: list[Any], method: Method = "mean",
                 expected: Mapping[int, int] | None = None,
                 disagreement_stdev: Decimal = Decimal(15)) -> list[Ranked]:
    """Score every entry that has sheets with `method`, rank them (1 = best, strict, TIE_BREAK),
    flag them, and append the expected entries that have no sheet. See the module docstring."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    expected = expected or {}
    first = _first_criterion(rubric)
    first_code, first_high = (first.code, _dec(first.max_points)) if first is not None else (None, ZERO)
    totaller = _Totaller(rubric)
    totals: dict[int, list[Decimal]] = defaultdict(list)
    firsts: dict[int, list[Decimal]] = defaultdict(list)
    triples: list[tuple[int, int, Decimal]] = []
    seen: set[tuple[int, int]] = set()
    for sheet in sheets:
        pair = (sheet.judge_id, sheet.entry_id)
        if pair in seen:
            raise ValueError(f"two sheets for judge {sheet.judge_id} on entry {sheet.entry_id}")
        seen.add(pair)
        total = totaller.total(sheet.scores)
        totals[sheet.entry_id].append(total)
        triples.append((sheet.judge_id, sheet.entry_id, total))
        if first is not None:
            raw = sheet.scores.get(first_code)
            value = ZERO if raw is None else (raw if type(raw) is Decimal else _dec(raw))
            firsts[sheet.entry_id].append(ZERO if value < 0 else (first_high if value > first_high else value))

    if method == "zscore":
        scores = zscore(triples, max_total(rubric))
    else:
        aggregate = AGGREGATIONS[method]
        scores = {entry: aggregate(values) for entry, values in totals.items()}

    order = sorted(totals, key=lambda e: tie_break_key(e, scores[e], totals[e], firsts[e]))
    limit = _dec(disagreement_stdev)
    ranked: list[Ranked] = []
    for rank, entry in enumerate(order, start=1):
        n = len(totals[entry])
        stdev = sample_stdev(totals[entry])
        flags = []
        if n < expected.get(entry, 0):
            flags.append(FLAG_MISSING)
        if stdev is not None and stdev > limit:
            flags.append(FLAG_DISAGREEMENT)
        ranked.append(Ranked(entry, rank, _q(scores[entry]), n, stdev, tuple(flags)))
    for entry in sorted(e for e in expected if e not in totals):
        flags = ((FLAG_MISSING,) if expected[entry] > 0 else ()) + (FLAG_NO_SHEETS,)
        ranked.append(Ranked(entry, None, None, 0, None, flags))
    return ranked


# ---------------------------------------------------------------------------------------------------
# Validation of what a judge types


def _number_text(max_points: Decimal) -> str:
    """30 → "30", 2.5 → "2,5" (Vietnamese decimal comma)."""
    text = format(_dec(max_points).normalize(), "f")
    return text.replace(".", ",")


def _parse(value: object) -> Decimal | None:
    """A Decimal, or None when `value` is not a number at all. Strings may use a decimal comma."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            return Decimal(text)
        except decimal.InvalidOperation:
            return None
    return None


def validate_scores(scores: Mapping[str, object], rubric: Sequence[Any], *,
                    complete: bool = False) -> dict[str, Decimal]:
    """Check what a judge typed and return {code: Decimal quantized to 0.01}.

    Refusals (`ScoreError` listing every criterion at fault in `errors`, its first in `field`/`message`:
    unknown codes in the order given, then the rubric's criteria in order): unknown criterion; missing non-bonus criterion
    (only with `complete=True`); not a number; NaN or infinity; negative or above max; more than 2
    decimal places. None and blank strings mean "not scored yet" and are left out of the result.
    Accepts int, Decimal, float and strings ("7.5" or "7,5").
    """
    by_code = {c.code: c for c in rubric}
    errors: dict[str, str] = {}
    for code in scores:
        if code not in by_code:
            errors.setdefault(str(code), f"Tiêu chí “{code}” không có trong bảng điểm.")
    result: dict[str, Decimal] = {}
    for criterion in rubric:
        code, label = criterion.code, _label(criterion)
        raw = scores.get(code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if complete and not criterion.bonus:
                errors[code] = f"Chưa chấm điểm “{label}”."
            continue
        value = _parse(raw)
        high = _dec(criterion.max_points)
        if value is None:
            errors[code] = f"Điểm “{label}” phải là một số."
        elif not value.is_finite():
            errors[code] = f"Điểm “{label}” phải là một số hữu hạn."
        elif value < 0 or value > high:
            errors[code] = f"Điểm “{label}” phải từ 0 đến {_number_text(high)}."
        elif value != value.quantize(CENT):
            errors[code] = f"Điểm “{label}” chỉ được có tối đa 2 chữ số thập phân."
        else:
            result[code] = _q(value)
    if errors:  # every criterion at fault at once, so the judge corrects the sheet in one go
        first = next(iter(errors))
        raise ScoreError(first, errors[first], errors)
    return result
