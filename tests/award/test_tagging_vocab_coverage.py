"""The press vocabulary reaches every theme of every shipped outline (award.tagging_vocab_check).

Lexical only (no e5 model): each subject's phrase alone is the BM25 query, as it is added to a work's.
"""

import pytest

from award.reference import OUTLINE_FILES
from award.tagging_vocab import EXPANSIONS
from award.tagging_vocab_check import AWARD_UNITS, PROCEDURAL, TARGETS, coverage, main, misplaced


@pytest.fixture(scope="module")
def checked():
    return coverage()


def test_every_theme_of_every_shipped_round_is_ranked_first_by_some_subject(checked):
    """A reporter writing on any theme of the year's outline has a bridge: some subject's phrase ranks
    that unit first in its round (units about the award's own promotion excepted, none today)."""
    rows, firsts = checked
    assert set(firsts) == set(OUTLINE_FILES)
    assert len(rows) >= 40
    unreached = [f"{r.round} {r.code}" for r in rows if not r.first and (r.round, r.code) not in PROCEDURAL]
    assert unreached == []


def test_subjects_with_a_home_theme_rank_it_first_and_only_the_award_reaches_the_award_theme(checked):
    """A subject's phrase is worded like the theme it stands for: where the round has that theme, the
    phrase ranks it first (e.g. staff cuts -> the apparatus theme, internal political protection -> cadres),
    and no phrase but the award's lands on the theme about promoting the award."""
    _, firsts = checked
    assert misplaced(firsts) == []
    award = next(s for s, (triggers, _) in enumerate(EXPANSIONS) if triggers.startswith("búa liềm vàng"))
    for name, code in AWARD_UNITS:
        assert [s for s, first in firsts[name].items() if first == code] == [award]
    assert len(TARGETS) >= 30


def test_the_check_prints_a_summary(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "reached (some phrase ranks it 1st) " in out and "ranking another unit first: 0" in out
