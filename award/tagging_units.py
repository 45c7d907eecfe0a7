"""What a theme suggestion is about, without the model: the tagging units of an outline and the shape of
a ranking. numpy-free, so the web processes (award.themes, the tagger client) use these types without
loading the tagger (award.tagging, which re-exports them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

__all__ = ["EntryText", "Suggestion", "SuggestionResult", "TaggingUnit", "body_prefix", "tagging_units"]


# --------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggingUnit:
    """A unit entries are tagged with: a theme, or a point/section standing in for one."""

    code: str
    title: str
    points: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        return " ".join((self.title,) + self.points)


def _kind(node: Any) -> str:
    kind = getattr(node, "kind", "")
    return getattr(kind, "value", kind)  # NodeKind enum or plain str


def _live(nodes: Iterable[Any]) -> list[Any]:
    return [n for n in nodes if not getattr(n, "retired", False)]


def tagging_units(roots: Sequence[Any]) -> list[TaggingUnit]:
    """The units of an outline tree, with ``ParsedOutline.themes()`` semantics.

    ``roots`` are the top-level sections, as ``ParsedNode`` (parser) or
    ``TreeNode`` (``award.outlines.outline_tree``) - anything with ``code``,
    ``kind``, ``title`` and ``children``; retired nodes are skipped.  A section's
    themes are its units; a section with points but no themes contributes its
    points; a section with neither contributes itself.  A unit's description is
    its title plus its children's texts.
    """
    units: list[TaggingUnit] = []
    for section in _live(roots):
        children = _live(section.children)
        themes = [c for c in children if _kind(c) == "theme"]
        points = [c for c in children if _kind(c) == "point"]
        chosen = themes or points or [section]
        for node in chosen:
            texts = tuple(c.title for c in _live(node.children) if c.title.strip())
            units.append(TaggingUnit(node.code, node.title, texts))
    return units


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    code: str
    title: str
    score: float  # in [0, 1], relative to the round's other units for this entry


@dataclass
class SuggestionResult:
    items: list[Suggestion]
    weak: bool  # the entry is (nearly) only a title: suggestions are a guess

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.items]


@dataclass(frozen=True)
class EntryText:
    title: str
    summary: str = ""
    body: str = ""


#: How much of an entry's body a suggestion reads: the ranking looks at its first 3,000 words
#: (award.tagging.TaggerConfig.body_max_syllables) and its first 4,000 characters (the query text).
BODY_WORDS = 3000
BODY_CHARS = 4000
_WORD_START = re.compile(r"\S+")


def body_prefix(body: str) -> str:
    """The part of `body` a suggestion depends on: the rest changes nothing in the ranking, so the web
    process sends only this to the tagger service (a transcript can run to megabytes)."""
    if len(body) <= BODY_CHARS:
        return body
    for n, match in enumerate(_WORD_START.finditer(body)):
        if n == BODY_WORDS:
            return body[:max(match.start(), BODY_CHARS)]
    return body
