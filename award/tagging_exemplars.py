"""Example press pieces for the shipped outlines' tagging units: how journalists write about each theme.

The outline says what a theme is in the plan's own words ("đổi mới phương thức lãnh đạo của Đảng"); a press
work says it in a reporter's ("cuộc họp kéo dài", "nghị quyết treo", "chi bộ họp trực tuyến"). For every unit of
the four shipped outlines (rounds IV, VII, VIII, IX) ``award/data/exemplars/round_<N>_<year>.jsonl`` holds
20 pieces (32 for round IX's five broad units), one JSON object per line::

    {"unit": "1.3", "title": "…", "text": "…"}    # a title and lede of 45-90 words

written on 1 December 2026 from the outline alone (the first 12 per unit, 20 for round IX; the other 8, 12 for round
IX, by four more writers the same day, each reading its round's earlier pieces to tell new stories), by writers who
saw neither the labelled sets (``tests/data/``) nor the tagger: each an ordinary story an organiser would tag with
that unit first, spread over the unit's points, provinces and genres, and sharing no run of four syllables with the
unit's text.
:class:`award.tagging.RoundTagger` reads them as a second BM25 index, one document per unit (its pieces'
words), beside the outline's (``TaggerConfig.press_weight``; README "Example press pieces").

A round's unit gets the pieces of the shipped unit with the same title (case, spacing and diacritics ignored), so a
round created from a shipped outline - the demo's, a re-run of one - has them, and a new outline (round X,
XI) has none until organisers confirm works: mapping the other rounds' pieces onto a new outline's units by
their nearest unit (``award.tagging_learn.map_units``) put the wrong theme first for more than half of the
labelled ledes (realistic dev top-1 0.725 -> 0.433), so it is not done.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from pathlib import Path
from typing import Iterable, Mapping

from award.outline_parser import parse_outline
from award.reference import CENTRAL_CITIES, OUTLINE_DIR, OUTLINE_FILES, PROVINCES
from award.tagging_units import TaggingUnit, tagging_units
from award.text import fold, strip_names

__all__ = ["EXEMPLAR_DIR", "FORM_WORDS", "exemplar_file", "load_exemplars", "for_units", "press_text", "title_key"]

EXEMPLAR_DIR = Path(__file__).parent / "data" / "exemplars"

#: Words that say what kind of work a piece is, not what it is about: the pieces of round IX's theme 1 (the award
#: itself) say "loạt bài", "phóng sự", "tác giả" more than the others, so a title "Loạt bài: …" put that theme
#: first for any subject (a tester, 1 Dec 2026). Read by neither side of the pieces' index, nor named in a why.
FORM_WORDS = ("loạt bài", "bài viết", "bài báo", "bài bình luận", "phóng sự", "phóng viên", "tác giả", "câu chuyện",
              "ghi chép", "phỏng vấn", "chân dung")  # not "bài", "kỳ" alone: "bài học", "bài trừ", "kỳ vọng"
#: Where a story happens is not its theme: a province the work and one theme's pieces both name (pieces are set in
#: every province) would be a chance match. The 63 provinces and cities before July 2025 (award.reference).
PLACE_NAMES = tuple(CENTRAL_CITIES) + tuple(PROVINCES) + ("Huế", "TP.HCM", "TP Hồ Chí Minh")

_STRIP = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(FORM_WORDS + PLACE_NAMES, key=len, reverse=True))
    + r")(?!\w)", re.IGNORECASE)


def press_text(text: str) -> str:
    """``text`` as the pieces' index reads it: NFC, the :data:`FORM_WORDS` and :data:`PLACE_NAMES` replaced by a
    comma (so no syllable pair is made across them), people's names first (``award.text.strip_names``: "Phan Hòa
    Bình" is a name, not the province).  ``"Loạt bài: chi bộ ở Hà Tĩnh"`` -> ``", : chi bộ ở ,"``."""
    return _STRIP.sub(",", strip_names(unicodedata.normalize("NFC", text or "")))


def exemplar_file(round_number: str) -> Path:
    """``award/data/exemplars/round_IV_2019.jsonl`` for "IV" (the outline file's name, .jsonl)."""
    return EXEMPLAR_DIR / (Path(OUTLINE_FILES[round_number]).stem + ".jsonl")


def title_key(title: str) -> str:
    """What two unit titles must share to be the same unit: the project's comparison key (``award.text.fold``:
    case, spacing and diacritics aside), the trailing punctuation dropped ("…sau:" and "…sau" match)."""
    return fold(title).rstrip(" .:;,")


def load_exemplars(round_number: str) -> list[dict]:
    """The rows of one shipped round's file (``[]`` when it has none): ``{"unit", "title", "text"}``.

    Raises ``ValueError`` naming the line for a row that is not an object with those three strings."""
    path = exemplar_file(round_number)
    if not path.exists():
        return []
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not isinstance(row, dict) or not all(isinstance(row.get(k), str) and row[k].strip()
                                                    for k in ("unit", "title", "text")):
                raise ValueError(f"{path.name}:{number}: a row needs unit, title and text")
            rows.append(row)
    return rows


_by_title: dict[str, tuple[str, ...]] | None = None
_lock = threading.Lock()


def _library() -> Mapping[str, tuple[str, ...]]:
    """title key of a shipped unit -> its pieces as "title. text" strings; built once per process (~50 ms)."""
    global _by_title
    with _lock:
        if _by_title is None:
            library: dict[str, list[str]] = {}
            for number, filename in OUTLINE_FILES.items():
                rows = load_exemplars(number)
                if not rows:
                    continue
                outline = parse_outline((OUTLINE_DIR / filename).read_text(encoding="utf-8"))
                titles = {unit.code: unit.title for unit in tagging_units(outline.nodes)}
                for row in rows:
                    if row["unit"] in titles:
                        library.setdefault(title_key(titles[row["unit"]]), []).append(
                            f"{row['title'].strip()}. {row['text'].strip()}")
            _by_title = {key: tuple(texts) for key, texts in library.items()}
        return _by_title


def for_units(units: Iterable[TaggingUnit]) -> dict[str, tuple[str, ...]]:
    """unit code -> the pieces of the shipped unit with the same title; units without any are left out."""
    library = _library()
    found = {}
    for unit in units:
        texts = library.get(title_key(unit.title))
        if texts:
            found[unit.code] = texts
    return found
