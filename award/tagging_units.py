"""What a theme suggestion is about, without the model: the tagging units of an outline and the shape of
a ranking. numpy-free, so the web processes (award.themes, the tagger client) use these types without
loading the tagger (award.tagging, which re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

__all__ = ["OFF_OUTLINE_LEVEL", "OFF_OUTLINE_NOTE", "TAGGER_VERSION", "WEAK_LEVEL", "EntryText", "Suggestion",
           "SuggestionResult", "TaggingUnit", "match_level", "tagging_units"]


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
    # Why it is suggested, in Vietnamese, for the first TaggerConfig.why_top items ("" otherwise):
    # the confirmed works it resembles and the outline words the work shares with the unit.
    why: str = ""


#: Raised by one whenever a release changes what the tagger returns for the same text and confirmations (its
#: ranking, scores or why). Stored with every ranking (`theme_suggestion.tagger_version`); a ranking of another
#: version is not current (award.suggestions.current) and `award migrate` queues its round's relearning pass,
#: which ranks it again (award.themes.queue_outdated_rankings).
#: 1: whole-phrase why (plain-typed works too), press vocabulary (Nov 2026).
#: 2 (Dec 2026): the press vocabulary's second pass of triggers; `off_outline` (a work the outline hardly covers); no
#:    why of phrases every theme shares, nor "gần nghĩa với tên chủ đề" for a weak or off-outline ranking: rankings
#:    and whys change, so version 1's are redone.
#: 3 (Dec 2026): the shipped outlines' units rank by their example press pieces too (award.tagging_exemplars).
#: 4 (Dec 2026): twice the example press pieces, weighted 1.25; people's names are not read as words (award.text.strip_names).
TAGGER_VERSION = 4

#: How a relative score reads to an organiser: (lowest score, word), best first.  Scores are min-max scaled
#: over the round's units for one work, so the last unit shown is always 0.0 whatever it shares with the
#: work; "0 %" read as "no match at all".  Three words say how close a unit is compared with the others.
#: The first unit always reads "rất phù hợp": on the realistic dev files a right first theme is told from a wrong
#: one by how close the second comes (right in 100 % of rows with the second below 0.40, 60 % at 0.80 or more),
#: not by the work's absolute outline fit (85-94 % in each fifth), so two units reading it is the warning (README).
MATCH_LEVELS = ((0.67, "rất phù hợp"), (0.34, "khá phù hợp"), (0.0, "ít phù hợp hơn"))
#: Every theme's word when the work hardly touches the outline at all (`SuggestionResult.off_outline`): the best of
#: the round's themes is still 1.0 on the relative scale, but calling it "rất phù hợp" would be untrue.
OFF_OUTLINE_LEVEL = "ít liên quan"
#: Every theme's word when the work has too little text to tell (`SuggestionResult.weak`: fewer than 25 content
#: syllables): its best theme is still 1.0 on the relative scale, but a title of two words ("Bóng đá") read
#: "rất phù hợp" for a theme it says nothing about. The short-text note above the list says why.
WEAK_LEVEL = "tạm đoán"
#: What the entry page and the live suggestion box say above the list when `off_outline` is set.
OFF_OUTLINE_NOTE = ("Nội dung tác phẩm có vẻ ít liên quan đến các chủ đề trong đề cương của đợt giải; hãy kiểm tra "
                    "lại hoặc chọn chủ đề phù hợp nhất.")


def match_level(score: float, off_outline: Any = False, weak: Any = False) -> str:
    """The word for a suggestion's relative score (in [0, 1]), the one rule the API's `level` (both suggestion
    routes, hence the form's live box) and the entry page use: `OFF_OUTLINE_LEVEL` for every theme of a work
    the outline hardly covers (`off_outline` truthy: the flag `SuggestionResult.off_outline`, or the entry
    page's note), `WEAK_LEVEL` for every theme of a work with too little text to tell (`weak` truthy:
    `SuggestionResult.weak`, or the page's short-text note; never both, the tagger does not judge a weak
    work off the outline), else `MATCH_LEVELS` by score."""
    if off_outline:
        return OFF_OUTLINE_LEVEL
    if weak:
        return WEAK_LEVEL
    for low, word in MATCH_LEVELS:
        if score >= low:
            return word
    return MATCH_LEVELS[-1][1]


@dataclass
class SuggestionResult:
    items: list[Suggestion]
    weak: bool  # the entry is (nearly) only a title: suggestions are a guess
    vector: Any = None  # the entry's e5 query vector, a numpy array (what kNN over works compares), or None
    # The work hardly touches the outline at all (award.tagging: its outline fit below TaggerConfig.off_outline_fit),
    # whatever the relative scores say; never set for a weak one (too little text to tell).
    off_outline: bool = False
    # That absolute fit (award.tagging.RoundTagger.outline_fit; higher: closer to the outline), None when not
    # computed (no text, or a ranking read back from the database, which keeps only the flag).
    outline_fit: float | None = None
    # (3, units) numpy array: the work's z-scored signals by what they read (award.tagging.SIGNALS), before
    # weighting; what a round's confirmed works teach its weights from (award.tagging_learn). None: not computed.
    signals: Any = None

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.items]


@dataclass(frozen=True)
class EntryText:
    title: str
    summary: str = ""
    body: str = ""
