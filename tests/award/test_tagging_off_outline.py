"""Does the work touch the outline at all (award.tagging, SuggestionResult.off_outline)?

Scores are min-max scaled over the round's themes, so some theme always scores 1.0 and used to read "rất phù
hợp", even for a story about a rice harvest or a football match. The absolute outline fit says when a work is
off the outline. Calibrated on the labelled ledes (all on the subject) and tests/data/tagging_offtopic.jsonl
(44 press ledes on sports, weather, farm prices, showbiz, accidents, gadgets, cooking, travel, health, money):
README "Off the outline"."""

import json
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from award.tagging_eval import ROUND_FILES, load_round_taggers

DATA = Path(__file__).resolve().parents[1] / "data"
LABELLED = ("tagging_eval.jsonl", "tagging_dev.jsonl", "tagging_realistic_dev.jsonl")


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _plain(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@pytest.fixture(scope="module")
def taggers():
    return load_round_taggers()


def test_the_off_topic_set_is_press_ledes_of_every_round_on_subjects_outside_party_building():
    rows = _rows("tagging_offtopic.jsonl")
    assert len(rows) >= 40
    assert {r["round"] for r in rows} == set(ROUND_FILES)
    assert len({r["subject"] for r in rows}) >= 8
    for row in rows:
        assert row["themes"] == [], row["title"]  # no theme of any outline
        assert unicodedata.is_normalized("NFC", row["title"] + row["text"]), row["title"]
        assert 150 <= len(row["text"]) <= 700, row["title"]
    assert len({r["title"].casefold() for r in rows}) == len(rows)


def test_labelled_ledes_on_the_subject_are_almost_never_flagged(taggers):
    """Every labelled lede is about Party building: at most 2 % may read as off the outline (measured: 3 of 241,
    all realistic ledes avoiding the outline's words: a doctor on an island, a notice board, withheld aid)."""
    flagged, n = [], 0
    for name in LABELLED:
        for row in _rows(name):
            n += 1
            result = taggers[row["round"]].suggest(row["title"], row["text"])
            assert not result.weak and result.outline_fit is not None
            if result.off_outline:
                flagged.append((name, row["title"]))
    assert n == 241
    assert len(flagged) <= 0.02 * n, flagged


def test_off_topic_ledes_are_flagged(taggers):
    """Measured: 35 of the 44 (80 %); the rest share farm, market or technology words with a rich outline."""
    rows = _rows("tagging_offtopic.jsonl")
    flagged = [r["title"] for r in rows if taggers[r["round"]].suggest(r["title"], r["text"]).off_outline]
    assert len(flagged) >= 0.75 * len(rows), len(flagged)
    # the stories the flag was made for, in the round taking entries in the tests and the demo (IX) and VII, VIII
    for title in ("Giá lúa tăng, nông dân An Giang phấn khởi vào vụ thu hoạch",
                  "Việt Nam hòa Thái Lan 2-2 ở trận chung kết lượt đi AFF Cup",
                  "Hà Nội FC ngược dòng trước Hải Phòng ở vòng 12 V-League"):
        row = next(r for r in rows if r["title"] == title)
        for name in ("VII", "VIII", "IX"):
            assert taggers[name].suggest(row["title"], row["text"]).off_outline, (title, name)


def test_the_flag_changes_no_score_and_no_order(taggers):
    """The fit is computed beside the ranking, never in it: the same ranking with the flag switched off. The why
    differs only where the unflagged one claims "gần nghĩa với tên chủ đề" (round IX's themes have no points):
    a work off the outline is close in meaning to none, so that claim is dropped."""
    tagger = taggers["IX"]
    off = next(r for r in _rows("tagging_offtopic.jsonl") if r["title"].startswith("Giá lúa tăng"))
    on = _rows("tagging_eval.jsonl")[-1]
    from award.tagging import RoundTagger

    near = "gần nghĩa với tên chủ đề"
    blind = RoundTagger(tagger.units, cache=tagger.cache, config=replace(tagger.config, off_outline_fit=float("-inf")))
    for row in (off, on):
        a, b = tagger.suggest(row["title"], row["text"]), blind.suggest(row["title"], row["text"])
        assert [(s.code, s.score) for s in a.items] == [(s.code, s.score) for s in b.items]
        unclaimed = ["; ".join(bit for bit in s.why.split("; ") if bit != near) if a.off_outline else s.why
                     for s in b.items]
        assert [s.why for s in a.items] == unclaimed
        assert not b.off_outline
    flagged = tagger.suggest(off["title"], off["text"])
    assert flagged.off_outline and not any("gần nghĩa" in s.why for s in flagged.items)
    assert any(near in s.why for s in blind.suggest(off["title"], off["text"]).items)  # what it would have said


def test_a_short_draft_is_never_flagged_for_being_short(taggers):
    """Below the weak line (fewer than 25 content syllables: the page's short-text note says suggestions are a
    guess) nothing is judged: an off-topic title alone, or its first words, is not flagged."""
    for row in _rows("tagging_offtopic.jsonl"):
        tagger = taggers[row["round"]]
        for summary in ("", " ".join(row["text"].split()[:8])):
            result = tagger.suggest(row["title"], summary)
            assert result.weak and not result.off_outline, (row["title"], summary)
            # nor said to be close in meaning to any theme: a few words are a guess
            assert not any("gần nghĩa" in s.why for s in result.items), (row["title"], summary)


def test_a_lede_typed_without_diacritics_is_not_judged(taggers):
    """e5 and the press vocabulary read plain text poorly (the labelled ledes typed plain fit lower by ~1): such a
    text is never flagged rather than flagged wrongly."""
    for name in LABELLED:
        for row in _rows(name)[::3]:
            assert not taggers[row["round"]].suggest(_plain(row["title"]), _plain(row["text"])).off_outline, row["title"]


def test_a_work_whose_text_touches_the_outline_is_not_flagged_for_its_summary(taggers):
    """The fit is the larger of the title and summary's and the best chunk of the file's text: an off-topic
    summary over a text about Party building does not read as off the outline."""
    rice = next(r for r in _rows("tagging_offtopic.jsonl") if r["title"].startswith("Giá lúa tăng"))
    party = _rows("tagging_eval.jsonl")
    tagger = taggers["IX"]
    body = " ".join([r["text"] for r in party if r["round"] == "IX"][:3])
    assert tagger.suggest(rice["title"], rice["text"]).off_outline
    assert not tagger.suggest(rice["title"], rice["text"], body).off_outline
