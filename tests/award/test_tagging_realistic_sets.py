"""The realistic tagging sets (tests/data/tagging_realistic_*.jsonl) are well formed.

These are journalist-style titles and ledes that avoid the outline's wording (issue 19): the two dev
files are for tuning the theme-suggestion engine (dev2 written on 1 Dec 2026 by a writer who saw no other set),
the two heldout files are for measuring it only (heldout2 written on 1 Dec 2026 by a writer who saw neither the
other sets nor the tagger). Here we
check what a reader of the files relies on - every label is a unit code of that round's outline as
the app parses it, titles are unique within and across the files, and every round and every
plausible unit is represented - without loading the embedding model.
"""

import unicodedata
from pathlib import Path

import pytest

from award.outline_parser import parse_outline
from award.reference import OUTLINE_DIR
from award.tagging import tagging_units
from award.tagging_eval import ROUND_FILES, load_rows

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = ("tagging_realistic_dev.jsonl", "tagging_realistic_dev2.jsonl", "tagging_realistic_heldout.jsonl",
         "tagging_realistic_heldout2.jsonl")


@pytest.fixture(scope="module")
def unit_codes() -> dict[str, set[str]]:
    return {
        name: {u.code for u in tagging_units(parse_outline((OUTLINE_DIR / filename).read_text("utf-8")).nodes)}
        for name, filename in ROUND_FILES.items()
    }


@pytest.mark.parametrize("filename", FILES)
def test_every_label_is_a_unit_of_that_rounds_outline(filename, unit_codes):
    rows = load_rows(DATA / filename)
    assert len(rows) >= 100
    for row in rows:
        assert row["round"] in unit_codes, row["title"]
        assert 1 <= len(row["themes"]) <= 2, row["title"]
        assert set(row["themes"]) <= unit_codes[row["round"]], (row["title"], row["themes"])
        assert len(set(row["themes"])) == len(row["themes"]), row["title"]


@pytest.mark.parametrize("filename", FILES)
def test_rows_are_realistic_ledes_in_vietnamese(filename):
    for row in load_rows(DATA / filename):
        text = row["text"]
        assert row["title"].strip() and unicodedata.is_normalized("NFC", row["title"] + text), row["title"]
        sentences = [s for s in text.replace("!", ".").replace("?", ".").split(". ") if s.strip()]
        assert 2 <= len(sentences) <= 5 and 150 <= len(text) <= 700, row["title"]
        assert any(ch in text for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủũứừửữựỳỷỹý"), row["title"]


@pytest.mark.parametrize("filename", FILES)
def test_every_round_and_nearly_every_unit_is_covered(filename, unit_codes):
    rows = load_rows(DATA / filename)
    for name, codes in unit_codes.items():
        mine = [r for r in rows if r["round"] == name]
        assert len(mine) >= 15, name
        labelled = {code for r in mine for code in r["themes"]}
        assert len(labelled) >= len(codes) - 1, (name, sorted(codes - labelled))


def test_titles_are_unique_within_and_across_the_sets():
    titles = [r["title"].casefold() for f in FILES for r in load_rows(DATA / f)]
    assert len(titles) == len(set(titles))
    ledes = [r["text"][:80].casefold() for f in FILES for r in load_rows(DATA / f)]
    assert len(ledes) == len(set(ledes))
