"""The council's vote: proposed levels, allocation within the counts, ties, quorum, thematic prizes."""

from decimal import Decimal

from hypothesis import given, settings, strategies as st

from award.rules import DEFAULT_PANELS
from judging.panels import route
from judging.tally import LEVELS, VOTE_LEVELS, Vote, needed, over_counts, proposed_level, tally

HALF = Decimal("0.5")
TWO_THIRDS = Decimal("0.6667")


def votes_for(entry_id: int, *levels: str, thematic: str | None = None) -> list[Vote]:
    return [Vote(judge_id=i + 1, entry_id=entry_id, level=lv, thematic=thematic) for i, lv in enumerate(levels)]


def test_routing_follows_media_type_and_genre():
    assert route("print", "bình luận", DEFAULT_PANELS) == "print1"
    assert route("print", "phóng sự", DEFAULT_PANELS) == "print2"
    assert route("print", "ký", DEFAULT_PANELS) == "print2"  # the print catch-all
    assert route("tv", "phim tài liệu", DEFAULT_PANELS) == "tv"
    assert route("radio", "phóng sự", DEFAULT_PANELS) == "radio"
    assert route("photo", "bộ ảnh", DEFAULT_PANELS) == "photo"
    assert route("podcast", "phóng sự", DEFAULT_PANELS) is None


def test_proposed_level_is_the_highest_a_majority_supports():
    # 5 ballots: A, A, B, C, none → support A = 2, B = 3 > 2.5 → B
    assert proposed_level({"A": 2, "B": 1, "C": 1, "none": 1}, HALF) == "B"
    # exactly half is not more than half: 2 of 4 at A or above, 3 of 4 at B or above
    assert proposed_level({"A": 2, "B": 1, "none": 1}, HALF) == "B"
    assert proposed_level({"none": 3, "KK": 2}, HALF) == "none"
    assert proposed_level({"special": 3}, HALF) == "special"


def test_quorum_is_a_share_of_the_members_who_may_vote_rounded_up():
    assert needed(9, TWO_THIRDS) == 7  # 6.0003 → 7
    assert needed(6, Decimal("0.5")) == 3
    assert needed(0, TWO_THIRDS) == 1


def test_overflow_moves_down_by_vote_strength():
    # Three works proposed at A with room for one A: the strongest keeps A, the others go to B.
    votes = (votes_for(1, "A", "A", "A") + votes_for(2, "A", "A", "B") + votes_for(3, "A", "A", "C")
             + votes_for(4, "B", "B", "B"))
    result = tally(votes, {1: 3, 2: 3, 3: 3, 4: 3}, {"special": 0, "A": 1, "B": 2, "C": 5, "KK": 5},
                   quorum=TWO_THIRDS, threshold=HALF)
    got = {w.entry_id: w.allocated for w in result.works}
    # At B: work 2 (support 3, mean 11/3) and work 4 (3, 3) and work 3 (support 2 at B) compete for 2 places.
    assert got == {1: "A", 2: "B", 4: "B", 3: "C"}
    assert {w.entry_id for w in result.works if "moved_down" in w.flags} == {2, 3}
    assert result.ties == []


def test_a_tie_at_the_boundary_is_flagged_for_the_council():
    votes = votes_for(1, "A", "A", "B") + votes_for(2, "A", "A", "B") + votes_for(3, "A", "A", "A")
    result = tally(votes, {1: 3, 2: 3, 3: 3}, {"special": 0, "A": 2, "B": 1, "C": 0, "KK": 0},
                   quorum=TWO_THIRDS, threshold=HALF)
    assert {w.entry_id: w.allocated for w in result.works} == {3: "A", 1: "A", 2: "B"}
    assert sorted(result.ties) == [1, 2]  # equal strength across the A/B line


def test_without_quorum_a_work_is_not_allocated():
    votes = votes_for(1, "A") + votes_for(2, "B", "B", "B")
    result = tally(votes, {1: 3, 2: 3}, {"special": 0, "A": 6, "B": 12, "C": 18, "KK": 30},
                   quorum=TWO_THIRDS, threshold=HALF)
    assert result.without_quorum == [1]
    assert result.allocated() == {2: "B"}


def test_levels_beyond_kk_get_no_prize():
    votes = votes_for(1, "KK", "KK") + votes_for(2, "KK", "C")
    result = tally(votes, {1: 2, 2: 2}, {"special": 0, "A": 0, "B": 0, "C": 0, "KK": 1}, quorum=HALF, threshold=HALF)
    assert result.allocated() == {2: "KK", 1: "none"}


def test_thematic_prize_goes_to_the_most_nominated_work_and_ties_are_flagged():
    votes = (votes_for(1, "B", "B", thematic="Chuyên đề 1") + votes_for(2, "C", thematic="Chuyên đề 1")
             + votes_for(3, "C", thematic="Chuyên đề 2") + votes_for(4, "C", thematic="Chuyên đề 2"))
    result = tally(votes, {1: 2, 2: 2, 3: 2, 4: 2}, {"special": 0, "A": 6, "B": 12, "C": 18, "KK": 30},
                   quorum=HALF, threshold=HALF, thematic_names=["Chuyên đề 1", "Chuyên đề 2", "Chuyên đề 3"])
    by_name = {t.name: t for t in result.thematic}
    assert by_name["Chuyên đề 1"].winner == 1
    assert by_name["Chuyên đề 2"].winner is None and by_name["Chuyên đề 2"].tie == [3, 4]
    assert by_name["Chuyên đề 3"].winner is None and by_name["Chuyên đề 3"].tie == []


def test_over_counts_names_each_level_given_too_often():
    assert over_counts({1: "A", 2: "A", 3: "B", 4: "none"}, {"A": 1, "B": 1}) == {"A": (2, 1)}


ballots = st.dictionaries(st.integers(1, 40), st.lists(st.sampled_from(VOTE_LEVELS), min_size=0, max_size=9),
                          min_size=1, max_size=40)
counts = st.fixed_dictionaries({lv: st.integers(0, 8) for lv in LEVELS})


@settings(max_examples=300, deadline=None)
@given(ballots, counts, st.sampled_from([Decimal("0.3"), HALF, Decimal("0.75")]))
def test_counts_are_never_exceeded_and_no_work_goes_above_its_proposed_level(by_entry, room, threshold):
    votes = [v for entry_id, levels in by_entry.items() for v in votes_for(entry_id, *levels)]
    voters = {entry_id: 9 for entry_id in by_entry}
    result = tally(votes, voters, room, quorum=Decimal("0.2"), threshold=threshold)
    allocated = result.allocated()
    assert over_counts(allocated, room) == {}
    order = {lv: i for i, lv in enumerate(VOTE_LEVELS)}
    for w in result.works:
        if not w.quorum_met:
            assert w.allocated is None
            continue
        assert order[w.allocated] >= order[w.proposed]
        if w.allocated != w.proposed:
            assert "moved_down" in w.flags
    # A level is left with room only when no one was moved below it from it or above.
    for level in LEVELS:
        used = sum(1 for lv in allocated.values() if lv == level)
        if used < room[level]:
            above = set(LEVELS[:LEVELS.index(level) + 1])
            assert not any(w.proposed in above and order[w.allocated] > order[level]
                           for w in result.works if w.quorum_met)
