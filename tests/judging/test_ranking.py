"""judging.ranking: sheet totals, the four aggregations, the tie-break, flags and score validation."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings, strategies as st

from judging.ranking import (
    Criterion,
    Ranked,
    ScoreError,
    Sheet,
    base_total,
    max_total,
    mean,
    median,
    rank_entries,
    sample_stdev,
    sheet_total,
    trimmed_mean,
    validate_scores,
    zscore,
)

RUBRIC = [
    Criterion("content", D(30), label="Nội dung, định hướng"),
    Criterion("discovery", D(25), label="Phát hiện, vấn đề mới"),
    Criterion("form", D(25), label="Hình thức, nghệ thuật thể hiện"),
    Criterion("effect", D(20), label="Hiệu quả xã hội"),
    Criterion("hardship", D(5), bonus=True, label="Điểm thưởng tác nghiệp khó khăn"),
]
ONE = [Criterion("content", D(100), label="Nội dung")]  # total == the single score


def sheet(judge, entry, content, discovery, form, effect, hardship=None):
    scores = {"content": D(content), "discovery": D(discovery), "form": D(form), "effect": D(effect)}
    if hardship is not None:
        scores["hardship"] = D(hardship)
    return Sheet(judge, entry, scores)


def one(judge, entry, total):
    return Sheet(judge, entry, {"content": D(total)})


# ---------------------------------------------------------------------------------------------------
# Sheet totals


def test_default_rubric_totals_are_plain_sums():
    assert base_total(RUBRIC) == 100 and max_total(RUBRIC) == 105
    assert sheet_total(sheet(1, 1, "27.5", 23, 22, "18.25"), RUBRIC) == D("90.75")
    assert sheet_total(sheet(1, 1, 30, 25, 25, 20), RUBRIC) == D("100.00")


def test_weighted_rubric_is_normalised_to_the_plain_total():
    rubric = [Criterion("content", D(30), weight=D(2)), Criterion("discovery", D(25)),
              Criterion("form", D(25)), Criterion("effect", D(20))]
    # Σ w·max = 2·30 + 25 + 25 + 20 = 130; Σ w·s = 2·15 + 20 + 20 + 10 = 80;
    # 80 / 130 × 100 = 61.538… → 61.54
    assert sheet_total(sheet(1, 1, 15, 20, 20, 10), rubric) == D("61.54")
    # full marks are still 100 whatever the weights
    assert sheet_total(sheet(1, 1, 30, 25, 25, 20), rubric) == D("100.00")
    # content weighs double: +1 in content moves the total by 2/130·100 = 1.538…, +1 in form by 0.769…
    assert sheet_total(sheet(1, 1, 16, 20, 20, 10), rubric) == D("63.08")  # 82/130·100 = 63.076…
    assert sheet_total(sheet(1, 1, 15, 20, 21, 10), rubric) == D("62.31")  # 81/130·100 = 62.307…


def test_zero_weights_everywhere_fall_back_to_equal_weights():
    rubric = [Criterion("a", D(10), weight=D(0)), Criterion("b", D(10), weight=D(0))]
    assert sheet_total(Sheet(1, 1, {"a": D(3), "b": D(4)}), rubric) == D("7.00")


def test_bonus_is_added_raw_and_capped_at_its_max():
    assert sheet_total(sheet(1, 1, 20, 20, 20, 10, hardship="3.5"), RUBRIC) == D("73.50")
    assert sheet_total(sheet(1, 1, 20, 20, 20, 10, hardship=7), RUBRIC) == D("75.00")  # 70 + min(7, 5)
    assert sheet_total(sheet(1, 1, 30, 25, 25, 20, hardship=5), RUBRIC) == D("105.00")
    weighted_bonus = [Criterion("content", D(10)), Criterion("bonus", D(2), weight=D(9), bonus=True)]
    assert sheet_total(Sheet(1, 1, {"content": D(5), "bonus": D(2)}), weighted_bonus) == D("7.00")


def test_out_of_range_and_missing_scores_are_clamped_or_zero():
    assert sheet_total(Sheet(1, 1, {"content": D(40), "discovery": D(-3)}), RUBRIC) == D("30.00")


# ---------------------------------------------------------------------------------------------------
# Mean, median, trimmed mean: 3 entries × 5 judges, default rubric
#
#            judge 1  judge 2  judge 3  judge 4  judge 5 | sorted totals     mean    median trimmed
# entry 1      90       60       62       64       66    | 60 62 64 66 90    68.40   64      (62+64+66)/3 = 64.00
# entry 2      50       70       70       69       67    | 50 67 69 70 70    65.20   69      (67+69+70)/3 = 68.67
# entry 3      60       68       68       71       80    | 60 68 68 71 80    69.40   68      (68+68+71)/3 = 69.00
#
# sample stdev: entry 1 √(603.2/4) = √150.8 = 12.28; entry 2 √(294.8/4) = √73.7 = 8.58;
#               entry 3 √(207.2/4) = √51.8 = 7.20
# mean ranks 3, 1, 2 — median ranks 2, 3, 1 — trimmed ranks 3, 2, 1.

GRID = [
    sheet(1, 1, 27, 23, 22, 18), sheet(2, 1, 18, 15, 15, 12), sheet(3, 1, 19, 15, 16, 12),
    sheet(4, 1, 19, 16, 16, 13), sheet(5, 1, 20, 16, 17, 13),
    sheet(1, 2, 15, 12, 13, 10), sheet(2, 2, 21, 17, 18, 14), sheet(3, 2, 21, 18, 17, 14),
    sheet(4, 2, 21, 17, 17, 14), sheet(5, 2, 20, 17, 16, 14),
    sheet(1, 3, 18, 15, 15, 12), sheet(2, 3, 20, 17, 17, 14), sheet(3, 3, 21, 17, 16, 14),
    sheet(4, 3, 21, 18, 18, 14), sheet(5, 3, 24, 20, 20, 16),
]
STDEV = {1: D("12.28"), 2: D("8.58"), 3: D("7.20")}


def test_grid_totals():
    assert [sheet_total(s, RUBRIC) for s in GRID] == [D(t) for t in (
        90, 60, 62, 64, 66, 50, 70, 70, 69, 67, 60, 68, 68, 71, 80)]


def test_aggregation_functions():
    e1 = [D(t) for t in (90, 60, 62, 64, 66)]
    assert (mean(e1), median(e1), trimmed_mean(e1), sample_stdev(e1)) == (
        D("68.40"), D("64.00"), D("64.00"), D("12.28"))
    assert median([D(70), D("70.01")]) == D("70.01")  # 70.005 rounds half up
    assert median([D(1), D(4), D(2), D(3)]) == D("2.50")
    assert trimmed_mean([D(0), D(10), D(100), D(100)]) == D("52.50")  # n = 4 < 5: plain mean
    assert trimmed_mean([D(0), D(0), D(10), D(100), D(100)]) == D("36.67")  # one copy of each extreme
    assert sample_stdev([D(5)]) is None
    with pytest.raises(ValueError):
        mean([])


def test_mean_ranking():
    assert rank_entries(GRID, RUBRIC, "mean") == [
        Ranked(3, 1, D("69.40"), 5, STDEV[3], ()),
        Ranked(1, 2, D("68.40"), 5, STDEV[1], ()),
        Ranked(2, 3, D("65.20"), 5, STDEV[2], ()),
    ]


def test_median_ranking():
    assert rank_entries(GRID, RUBRIC, "median") == [
        Ranked(2, 1, D("69.00"), 5, STDEV[2], ()),
        Ranked(3, 2, D("68.00"), 5, STDEV[3], ()),
        Ranked(1, 3, D("64.00"), 5, STDEV[1], ()),
    ]


def test_trimmed_ranking():
    assert rank_entries(GRID, RUBRIC, "trimmed") == [
        Ranked(3, 1, D("69.00"), 5, STDEV[3], ()),
        Ranked(2, 2, D("68.67"), 5, STDEV[2], ()),
        Ranked(1, 3, D("64.00"), 5, STDEV[1], ()),
    ]


def test_unknown_method_and_duplicate_sheet_are_refused():
    with pytest.raises(ValueError):
        rank_entries(GRID, RUBRIC, "average")
    with pytest.raises(ValueError):
        rank_entries([one(1, 1, 50), one(1, 1, 60)], ONE, "mean")


# ---------------------------------------------------------------------------------------------------
# z-score


# Judge 10 is harsh (60 and 40), judge 20 lenient (80 and 90), judge 30 gives 75 to both it scores.
#   judge 10: mean 50, pstdev 10 → z(entry 1) = +1, z(entry 3) = −1
#   judge 20: mean 85, pstdev 5  → z(entry 2) = −1, z(entry 4) = +1
#   judge 30: pstdev 0 → z = 0 for entries 1 and 2 (neutral)
# entry z: 1 → (1 + 0)/2 = 0.5, 2 → (−1 + 0)/2 = −0.5, 3 → −1, 4 → +1
# grand totals 60 40 80 90 75 75: mean 70, pstdev √((100+900+100+400+25+25)/6) = √258.33 = 16.0727513
# scores: 4 → 70 + 16.07275 = 86.07; 1 → 70 + 8.03638 = 78.04; 2 → 70 − 8.03638 = 61.96;
#         3 → 70 − 16.07275 = 53.93
# Mean: 4 (90), 2 (77.5), 1 (67.5), 3 (40) — entries 1 and 2 swap under z-scores.
HARSH_LENIENT = [one(10, 1, 60), one(10, 3, 40), one(20, 2, 80), one(20, 4, 90), one(30, 1, 75), one(30, 2, 75)]


def test_mean_favours_the_lenient_judge():
    assert rank_entries(HARSH_LENIENT, ONE, "mean") == [
        Ranked(4, 1, D("90.00"), 1, None, ()),
        Ranked(2, 2, D("77.50"), 2, D("3.54"), ()),
        Ranked(1, 3, D("67.50"), 2, D("10.61"), ()),
        Ranked(3, 4, D("40.00"), 1, None, ()),
    ]


def test_zscore_corrects_harsh_and_lenient_judges():
    assert rank_entries(HARSH_LENIENT, ONE, "zscore") == [
        Ranked(4, 1, D("86.07"), 1, None, ()),
        Ranked(1, 2, D("78.04"), 2, D("10.61"), ()),
        Ranked(2, 3, D("61.96"), 2, D("3.54"), ()),
        Ranked(3, 4, D("53.93"), 1, None, ()),
    ]


def test_zscore_is_clipped_to_the_rubric_range():
    # judge 1: 100, 90, 90, 90 → mean 92.5, pstdev √18.75 = 4.3301 → z = +√3 for entry 1, −1/√3 others
    # judge 2: 0, 100 → z = −1 (entry 5), +1 (entry 6)
    # grand: mean 470/6 = 78.333, pstdev √(7483.33/6) = 35.3160
    # entry 1: 78.333 + 1.7321·35.316 = 139.50 → clipped to 100; entry 6: 113.65 → 100
    # entries 2–4: 78.333 − 0.57735·35.316 = 57.94; entry 5: 78.333 − 35.316 = 43.02
    # 1 and 6 tie at 100.00, same median (100) and same content mean (100) → lower id first.
    sheets = [one(1, 1, 100), one(1, 2, 90), one(1, 3, 90), one(1, 4, 90), one(2, 5, 0), one(2, 6, 100)]
    assert zscore([(s.judge_id, s.entry_id, sheet_total(s, ONE)) for s in sheets], D(100)) == {
        1: D("100.00"), 2: D("57.94"), 3: D("57.94"), 4: D("57.94"), 5: D("43.02"), 6: D("100.00")}
    ranked = rank_entries(sheets, ONE, "zscore")
    assert [(r.entry_id, r.rank, r.score) for r in ranked] == [
        (1, 1, D("100.00")), (6, 2, D("100.00")), (2, 3, D("57.94")), (3, 4, D("57.94")),
        (4, 5, D("57.94")), (5, 6, D("43.02"))]


def test_zscore_single_sheet_judges_are_neutral():
    # each judge has one sheet → every z is 0 → every entry gets the grand mean (50 + 70) / 2 = 60
    assert zscore([(1, 1, D(50)), (2, 2, D(70))], D(100)) == {1: D("60.00"), 2: D("60.00")}
    assert zscore([], D(100)) == {}


# ---------------------------------------------------------------------------------------------------
# Tie-break: score, then median, then mean of the first criterion, then entry id


def test_tie_on_score_goes_to_the_higher_median():
    sheets = [one(1, 1, 50), one(2, 1, 60), one(3, 1, 70),   # mean 60, median 60
              one(1, 2, 40), one(2, 2, 70), one(3, 2, 70)]   # mean 60, median 70
    assert [(r.entry_id, r.rank, r.score) for r in rank_entries(sheets, ONE, "mean")] == [
        (2, 1, D("60.00")), (1, 2, D("60.00"))]


def test_tie_compares_scores_after_quantization():
    # entry 1: 70, 70, 70.01 → mean 70.0033 → 70.00; entry 2: 70, 70, 70 → 70.00. Same median (70);
    # entry 2 has more content (25 vs 20), so it wins although its exact mean is lower.
    sheets = [sheet(1, 1, 20, 20, 20, 10), sheet(2, 1, 20, 20, 20, 10), sheet(3, 1, 20, 20, "20.01", 10),
              sheet(1, 2, 25, 15, 20, 10), sheet(2, 2, 25, 15, 20, 10), sheet(3, 2, 25, 15, 20, 10)]
    assert rank_entries(sheets, RUBRIC, "mean") == [
        Ranked(2, 1, D("70.00"), 3, D("0.00"), ()),
        Ranked(1, 2, D("70.00"), 3, D("0.01"), ()),
    ]


def test_tie_on_score_and_median_goes_to_the_higher_content_mean():
    sheets = [sheet(1, 1, 20, 25, 25, 10), sheet(2, 1, 22, 23, 25, 10),   # 80, 80; content mean 21
              sheet(1, 2, 25, 20, 25, 10), sheet(2, 2, 25, 20, 25, 10)]   # 80, 80; content mean 25
    assert rank_entries(sheets, RUBRIC, "median") == [
        Ranked(2, 1, D("80.00"), 2, D("0.00"), ()),
        Ranked(1, 2, D("80.00"), 2, D("0.00"), ()),
    ]


def test_complete_tie_goes_to_the_lower_entry_id_and_ranks_stay_strict():
    sheets = [sheet(1, 5, 20, 20, 20, 10), sheet(1, 3, 20, 20, 20, 10), sheet(1, 4, 20, 20, 20, 10)]
    assert rank_entries(sheets, RUBRIC, "mean") == [
        Ranked(3, 1, D("70.00"), 1, None, ()),
        Ranked(4, 2, D("70.00"), 1, None, ()),
        Ranked(5, 3, D("70.00"), 1, None, ()),
    ]


# ---------------------------------------------------------------------------------------------------
# Flags


def test_missing_sheets_disagreement_and_no_sheets():
    sheets = [one(1, 1, 50), one(2, 1, 80), one(3, 1, 80),   # mean 70, stdev √(600/2) = 17.32 > 15
              one(1, 2, 70), one(2, 2, 72),                  # 2 of 3 sheets, stdev √2 = 1.41
              one(1, 4, 10)]                                 # not in `expected`: no missing flag
    assert rank_entries(sheets, ONE, "mean", expected={1: 3, 2: 3, 3: 3, 5: 0}) == [
        Ranked(2, 1, D("71.00"), 2, D("1.41"), ("missing_sheets",)),
        Ranked(1, 2, D("70.00"), 3, D("17.32"), ("high_disagreement",)),
        Ranked(4, 3, D("10.00"), 1, None, ()),
        Ranked(3, None, None, 0, None, ("missing_sheets", "no_sheets")),
        Ranked(5, None, None, 0, None, ("no_sheets",)),
    ]


def test_disagreement_threshold_is_strict_and_configurable():
    sheets = [one(1, 1, 50), one(2, 1, 80), one(3, 1, 80)]  # stdev 17.32
    assert rank_entries(sheets, ONE, "mean", disagreement_stdev=D("17.32"))[0].flags == ()
    assert rank_entries(sheets, ONE, "mean", disagreement_stdev=D("17.31"))[0].flags == ("high_disagreement",)
    assert rank_entries(sheets, ONE, "mean", expected={1: 2}, disagreement_stdev=D(5))[0].flags == (
        "high_disagreement",)


def test_award_rules_criteria_are_accepted():
    from award.rules import DEFAULT_RUBRIC

    assert sheet_total(sheet(1, 1, 30, 25, 25, 20, hardship=9), DEFAULT_RUBRIC) == D("105.00")
    content = DEFAULT_RUBRIC[0]
    with pytest.raises(ScoreError) as err:
        validate_scores({"content": 31}, DEFAULT_RUBRIC)
    assert err.value.message == f"Điểm “{content.label}” phải từ 0 đến 30."


# ---------------------------------------------------------------------------------------------------
# validate_scores


def test_valid_scores_are_returned_as_decimals():
    assert validate_scores({"content": "27,5", "discovery": 20, "form": D("12.25"), "effect": 0.5,
                            "hardship": " 5 "}, RUBRIC, complete=True) == {
        "content": D("27.50"), "discovery": D("20.00"), "form": D("12.25"), "effect": D("0.50"),
        "hardship": D("5.00")}
    # a partial sheet (draft) and a blank field are fine without complete=True
    assert validate_scores({"content": "30", "form": "", "effect": None}, RUBRIC) == {"content": D("30.00")}
    # trailing zeros are not decimal places
    assert validate_scores({"content": "12.500"}, RUBRIC) == {"content": D("12.50")}


@pytest.mark.parametrize(("scores", "field", "message"), [
    ({"originality": 5}, "originality", "Tiêu chí “originality” không có trong bảng điểm."),
    ({"content": 31}, "content", "Điểm “Nội dung, định hướng” phải từ 0 đến 30."),
    ({"content": "30.01"}, "content", "Điểm “Nội dung, định hướng” phải từ 0 đến 30."),
    ({"effect": -1}, "effect", "Điểm “Hiệu quả xã hội” phải từ 0 đến 20."),
    ({"hardship": 6}, "hardship", "Điểm “Điểm thưởng tác nghiệp khó khăn” phải từ 0 đến 5."),
    ({"form": "mười"}, "form", "Điểm “Hình thức, nghệ thuật thể hiện” phải là một số."),
    ({"form": True}, "form", "Điểm “Hình thức, nghệ thuật thể hiện” phải là một số."),
    ({"form": [3]}, "form", "Điểm “Hình thức, nghệ thuật thể hiện” phải là một số."),
    ({"discovery": "NaN"}, "discovery", "Điểm “Phát hiện, vấn đề mới” phải là một số hữu hạn."),
    ({"discovery": float("inf")}, "discovery", "Điểm “Phát hiện, vấn đề mới” phải là một số hữu hạn."),
    ({"discovery": D("-Infinity")}, "discovery", "Điểm “Phát hiện, vấn đề mới” phải là một số hữu hạn."),
    ({"content": "12.345"}, "content", "Điểm “Nội dung, định hướng” chỉ được có tối đa 2 chữ số thập phân."),
    ({"content": 0.001}, "content", "Điểm “Nội dung, định hướng” chỉ được có tối đa 2 chữ số thập phân."),
])
def test_refused_scores(scores, field, message):
    with pytest.raises(ScoreError) as err:
        validate_scores(scores, RUBRIC)
    assert (err.value.field, err.value.message, str(err.value)) == (field, message, message)


def test_missing_criterion_is_refused_only_when_complete():
    scores = {"content": 20, "discovery": 20, "effect": 10}
    assert validate_scores(scores, RUBRIC) == {"content": 20, "discovery": 20, "effect": 10}
    with pytest.raises(ScoreError) as err:
        validate_scores(scores, RUBRIC, complete=True)
    assert (err.value.field, err.value.message) == ("form", "Chưa chấm điểm “Hình thức, nghệ thuật thể hiện”.")
    # the bonus may be left out of a complete sheet
    assert validate_scores({**scores, "form": 1}, RUBRIC, complete=True)["form"] == D("1.00")


def test_fractional_max_is_written_with_a_decimal_comma():
    with pytest.raises(ScoreError) as err:
        validate_scores({"x": 3}, [Criterion("x", D("2.5"), label="Thưởng")])
    assert err.value.message == "Điểm “Thưởng” phải từ 0 đến 2,5."


# ---------------------------------------------------------------------------------------------------
# Properties


def cents(high):
    return st.integers(0, int(high * 100)).map(lambda n: D(n).scaleb(-2))


def score_maps(rubric, shrink=D(0)):
    return st.fixed_dictionaries({
        c.code: cents(c.max_points * 2 if c.bonus else c.max_points - shrink) for c in rubric})


PAIRS = st.sets(st.tuples(st.integers(1, 6), st.integers(1, 7)), min_size=1, max_size=25)


@st.composite
def sheet_sets(draw, rubric=RUBRIC, shrink=D(0)):
    pairs = sorted(draw(PAIRS))
    return [Sheet(j, e, draw(score_maps(rubric, shrink))) for j, e in pairs]


@settings(max_examples=60, deadline=None)
@given(sheet_sets(), st.sampled_from(["mean", "median", "trimmed", "zscore"]))
def test_ranks_are_a_permutation_and_scores_stay_in_range(sheets, method):
    ranked = rank_entries(sheets, RUBRIC, method)
    entries = {s.entry_id for s in sheets}
    assert sorted(r.rank for r in ranked) == list(range(1, len(entries) + 1))
    assert {r.entry_id for r in ranked} == entries
    assert all(D(0) <= r.score <= max_total(RUBRIC) for r in ranked)
    assert all(r.n_sheets == sum(1 for s in sheets if s.entry_id == r.entry_id) for r in ranked)
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=60, deadline=None)
@given(sheet_sets(), st.randoms(use_true_random=False))
def test_mean_ranking_ignores_the_order_of_sheets(sheets, rnd):
    shuffled = list(sheets)
    rnd.shuffle(shuffled)
    assert rank_entries(shuffled, RUBRIC, "mean") == rank_entries(sheets, RUBRIC, "mean")
    assert rank_entries(shuffled, RUBRIC, "zscore") == rank_entries(sheets, RUBRIC, "zscore")


PLAIN = [c for c in RUBRIC if not c.bonus]


@settings(max_examples=80, deadline=None)
@given(sheet_sets(PLAIN, shrink=D(5)), st.integers(1, 6), cents(5))
def test_shifting_one_judge_does_not_change_the_zscore_order(sheets, judge, shift):
    shifted = [Sheet(s.judge_id, s.entry_id, {k: v + shift for k, v in s.scores.items()})
               if s.judge_id == judge else s for s in sheets]
    before = {r.entry_id: r.score for r in rank_entries(sheets, PLAIN, "zscore")}
    after = {r.entry_id: r.score for r in rank_entries(shifted, PLAIN, "zscore")}
    for a in before:
        for b in before:
            if before[a] > before[b]:
                assert after[a] >= after[b]
            if after[a] > after[b]:
                assert before[a] >= before[b]
    if len(set(before.values())) == len(before) and len(set(after.values())) == len(after):
        assert sorted(before, key=before.get) == sorted(after, key=after.get)


@settings(max_examples=60, deadline=None)
@given(st.lists(cents(105), min_size=1, max_size=9))
def test_aggregates_lie_between_min_and_max(totals):
    for aggregate in (mean, median, trimmed_mean):
        assert min(totals) <= aggregate(totals) <= max(totals)
