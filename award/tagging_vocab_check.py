"""Which themes of the shipped outlines the press vocabulary reaches: an outline-driven coverage check.

:mod:`award.tagging_vocab` maps reporters' words to outline-style phrases added to a work's BM25
query.  A theme no phrase points at has no bridge: a lede about it in reporters' words gets no help
from the vocabulary.  This module ranks, for every shipped round (``award.tagging_eval.ROUND_FILES``)
and every one of its tagging units, the units by each subject's phrase used alone as the lexical
query - exactly what the phrase adds to a work's query (the terms of
``award.tagging._phrase_features``, all of one weight, scored by both BM25 channels as
``RoundTagger.lexical_scores`` does; the weight a lede gives the phrase scales its scores, not their
order).  No e5 model is loaded: the phrases act on the lexical side only.

    python -m award.tagging_vocab_check            # summary, then the units reached by no subject first
    python -m award.tagging_vocab_check --all      # every unit with the subjects ranking it 1st / in the top 3
    python -m award.tagging_vocab_check --subjects # every subject's first unit in each round

A unit is *reached* when some subject's phrase ranks it first, *near* when the best any phrase
does is the top 3, a *gap* otherwise.  A subject is *misplaced* in a round when the round has the
theme it stands for (:data:`TARGETS`, written from the units' titles and points) but its phrase
ranks another unit first - its wording is closer to another theme - or when its phrase lands on the
theme about promoting the award (:data:`AWARD_UNITS`) without being the award's subject.
``tests/award/test_tagging_vocab_coverage.py`` asserts that every unit is reached (except
:data:`PROCEDURAL`, empty today) and that no subject is misplaced.

Measured on the vocabulary as merged with 52 subjects: all 46 units of rounds IV, VII, VIII and IX
reached, none near or a gap; 19 misplacements in 17 subjects (e.g. the ideology-foundation phrase
ranking round VII's theory theme first through "chủ nghĩa Mác - Lênin tư tưởng Hồ Chí Minh", five
phrases landing on round IX's award theme through "cơ quan đơn vị", "cán bộ đảng viên và Nhân dân").
After rewording those 17 phrases (and the organisational principles', which ranked round IV's
ideology theme first) in the target themes' own words: 46 reached, 0 misplaced.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from award.outline_parser import parse_outline
from award.reference import OUTLINE_DIR, OUTLINE_FILES
from award.tagging import RoundTagger, _phrase_features
from award.tagging_vocab import EXPANSIONS

__all__ = ["AWARD_UNITS", "PROCEDURAL", "TARGETS", "Coverage", "coverage", "lexical_taggers", "misplaced",
           "phrase_ranking", "subject_name"]

#: (round, unit code) of units no press story is about, so no subject need reach them: none today
#: (the award's own promotion is a subject of its own, "búa liềm vàng").
PROCEDURAL: frozenset[tuple[str, str]] = frozenset()


#: Where a subject's phrase belongs: its first trigger -> {round: the units its phrase may rank first}.
#: Only rounds whose outline has a clear home for the subject are listed (round IX's five broad
#: themes often have none); written from the units' titles and points, not from labelled rows.
#: A phrase ranking another unit first there is *misplaced*: its wording is closer to another theme.
_CADRES = {"IV": {"1.5"}, "VII": {"2.1"}, "VIII": {"2.1"}}
_MEMBERS = {"IV": {"2.6", "2.7"}, "VII": {"2.3"}, "VIII": {"1.4"}}
_IDEOLOGY = {"IV": {"1.1"}, "VII": {"1.4"}, "VIII": {"1.3"}, "IX": {"2.4"}}
_CORRUPTION = {"IV": {"1.3"}, "VII": {"1.1"}, "VIII": {"1.3"}, "IX": {"2.4"}}
_ETHICS = {"IV": {"1.3"}, "VII": {"1.5"}, "VIII": {"1.5"}, "IX": {"2.3"}}
_EXAMPLES = {"IV": {"1.3"}, "VII": {"1.5", "2.8"}, "VIII": {"1.5", "2.7"}, "IX": {"2.3"}}
_CONGRESS = {"IV": {"1.4", "2.2"}, "VII": {"1.3"}, "VIII": {"1.2"}, "IX": {"2.1"}}
_APPARATUS = {"IV": {"2.4"}, "VII": {"2.2"}, "VIII": {"2.2"}}
TARGETS: dict[str, dict[str, set[str]]] = {
    "tin giả": _IDEOLOGY,
    "nền tảng tư tưởng": _IDEOLOGY,
    "nghiên cứu lý luận": {"IV": {"1.2"}, "VII": {"2.10"}, "VIII": {"2.8"}},
    "giáo dục chính trị": {"VII": {"1.4"}, "VIII": {"1.3"}},
    "học tập nghị quyết": {"IV": {"2.1"}, "VII": {"2.4"}, "VIII": {"2.3"}},
    "nửa nhiệm kỳ": _CONGRESS,
    "đại hội đảng bộ": _CONGRESS,
    "phương thức lãnh đạo": {"VII": {"1.2"}, "VIII": {"1.1"}, "IX": {"2.2"}},
    "điều lệ đảng": {"IV": {"1.4"}, "VII": {"2.7"}, "VIII": {"2.6"}, "IX": {"2.2"}},
    "nhà nước pháp quyền": {"VII": {"2.9"}, "VIII": {"2.8"}},
    "tham nhũng": _CORRUPTION,
    "lãng phí": _CORRUPTION,
    "kỷ luật": {"VII": {"2.5"}, "VIII": {"2.4"}},
    "kiểm soát quyền lực": {"IV": {"1.3", "1.5", "2.4"}, "VII": {"2.5"}, "VIII": {"2.4", "2.6"}},
    "chi bộ": _MEMBERS,
    "kết nạp": _MEMBERS,
    "doanh nghiệp tư nhân": _MEMBERS,
    "doanh nghiệp nhà nước": _MEMBERS,
    "dân tộc thiểu số": _MEMBERS,
    "đoàn thanh niên": _MEMBERS,
    "sáp nhập": _APPARATUS,
    "sáp nhập tỉnh": {"IV": {"2.4"}, "VII": {"2.2"}, "VIII": {"2.2", "1.4"}},
    "biên chế": {"IV": {"2.5"}, "VII": {"2.1", "2.2"}, "VIII": {"2.1", "2.2"}},
    "quy hoạch cán bộ": _CADRES,
    "cán bộ nữ": _CADRES,
    "tiền lương": _CADRES,
    "bảo vệ chính trị nội bộ": _CADRES,
    "dám nghĩ": _CADRES,
    "ngành tổ chức": {"IV": {"2.8"}},
    "người đứng đầu": _EXAMPLES,
    "đạo đức công vụ": _ETHICS,
    "bác hồ": _ETHICS,
    "gương người tốt": _EXAMPLES,
    "suy thoái": {"IV": {"1.3"}, "VII": {"1.1"}, "VIII": {"1.3"}, "IX": {"2.3"}},
    "tự phê bình": {"VII": {"2.8"}, "VIII": {"2.7"}},
    "tập trung dân chủ": {"VII": {"2.6"}, "VIII": {"2.5"}},
    "tiếp dân": {"IV": {"2.3"}, "VII": {"2.9"}, "IX": {"2.4"}},
    "mặt trận tổ quốc": {"IV": {"2.3"}, "VII": {"2.9"}},
    "dân vận": {"IV": {"2.6"}, "VII": {"2.9"}, "VIII": {"1.5"}},
    "nông thôn mới": {"IV": {"2.6"}},
    "môi trường": {"VIII": {"1.2"}},
    "chuyển đổi số": {"IV": {"2.5", "2.7", "2.8"}, "VIII": {"1.2", "1.4", "2.8"}},
    "cải cách hành chính": {"IV": {"2.4", "2.5"}, "VIII": {"1.2", "1.4", "2.2", "2.8"}},
    "đối ngoại": {"IV": {"1.1", "2.2"}, "VIII": {"1.3", "1.4", "2.6"}},
    "văn hóa": {"IV": {"1.2"}, "VIII": {"1.5"}},
    "kỷ niệm": {"VIII": {"1.5"}},
    "báo chí": {"IV": {"2.1"}, "VII": {"2.4"}, "VIII": {"2.3"}},
    "búa liềm vàng": {"IX": {"1"}},
}

#: (round, unit code) of the units about the award itself: only the award's subject may rank them first
#: (a phrase about anything else landing there is misplaced wherever its own home is).
AWARD_UNITS: frozenset[tuple[str, str]] = frozenset({("IX", "1")})


def subject_name(subject: int) -> str:
    """A subject's short name: its index and first trigger ("#0 tin giả")."""
    return f"#{subject} {EXPANSIONS[subject][0].split('|', 1)[0]}"


def _no_model(texts, kind):  # the check is lexical only: passages get zero vectors
    return np.zeros((len(texts), 384), dtype=np.float32)


def lexical_taggers(rounds=None) -> dict[str, RoundTagger]:
    """A RoundTagger per shipped round without the e5 model (BM25 only is used here)."""
    wanted = list(rounds) if rounds is not None else list(OUTLINE_FILES)
    return {
        name: RoundTagger.from_outline(
            parse_outline((OUTLINE_DIR / OUTLINE_FILES[name]).read_text(encoding="utf-8")), embedder=_no_model
        )
        for name in wanted
    }


def phrase_ranking(tagger: RoundTagger, phrase: str) -> list[int]:
    """Unit indexes of ``tagger``, best first, for ``phrase`` alone as the lexical query (ties by order)."""
    exact, folded = _phrase_features(phrase, tagger.config.bigram_weight)
    scores = tagger._bm25_exact.score(dict.fromkeys(exact, 1.0)) + tagger.config.fold_weight * (
        tagger._bm25_folded.score(dict.fromkeys(folded, 1.0))
    )
    return sorted(range(len(tagger.units)), key=lambda i: (-float(scores[i]), i))


@dataclass
class Coverage:
    round: str
    code: str
    title: str
    first: list[int]  # subjects whose phrase ranks the unit first
    top3: list[int]  # subjects whose phrase ranks it 2nd or 3rd

    @property
    def status(self) -> str:
        return "reached" if self.first else "near" if self.top3 else "gap"


def coverage(taggers: dict[str, RoundTagger] | None = None) -> tuple[list[Coverage], dict[str, dict[int, str]]]:
    """Every unit of every round with the subjects reaching it; and, per round, each subject's first unit."""
    taggers = taggers if taggers is not None else lexical_taggers()
    rows: list[Coverage] = []
    firsts: dict[str, dict[int, str]] = {}
    for name, tagger in taggers.items():
        table = [Coverage(name, u.code, u.title, [], []) for u in tagger.units]
        firsts[name] = {}
        for subject, (_, phrase) in enumerate(EXPANSIONS):
            order = phrase_ranking(tagger, phrase)
            table[order[0]].first.append(subject)
            firsts[name][subject] = tagger.units[order[0]].code
            for i in order[1:3]:
                table[i].top3.append(subject)
        rows.extend(table)
    return rows, firsts


def misplaced(firsts: dict[str, dict[int, str]]) -> list[str]:
    """The subjects whose phrase ranks first, in some round, a unit other than its :data:`TARGETS` there,
    or one of :data:`AWARD_UNITS` without being the award's subject ("#11 tham nhũng VII: 2.5, not 1.1")."""
    out = []
    keys = {EXPANSIONS[s][0].split("|", 1)[0]: s for s in range(len(EXPANSIONS))}
    unknown = set(TARGETS) - set(keys)
    if unknown:
        raise KeyError(f"TARGETS names no subject: {sorted(unknown)}")
    for subject in range(len(EXPANSIONS)):
        key = EXPANSIONS[subject][0].split("|", 1)[0]
        for name, by_subject in firsts.items():
            first = by_subject[subject]
            wanted = TARGETS.get(key, {}).get(name)
            if wanted is None and (name, first) in AWARD_UNITS and key != "búa liềm vàng":
                wanted = set()
            if wanted is not None and first not in wanted:
                out.append(f"{subject_name(subject)} {name}: {first}, not {'/'.join(sorted(wanted)) or 'the award'}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    rows, firsts = coverage()
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("reached", "near", "gap")}
    print(f"{len(rows)} units in {len(firsts)} rounds, {len(EXPANSIONS)} subjects: "
          f"reached (some phrase ranks it 1st) {counts['reached']}, near (top 3 only) {counts['near']}, "
          f"gap {counts['gap']}")
    wrong = misplaced(firsts)
    print(f"subjects with a home unit (TARGETS) ranking another unit first: {len(wrong)}")
    for line in wrong:
        print("   misplaced: " + line)
    for r in rows:
        if "--all" in args or r.status != "reached":
            procedural = " [procedural]" if (r.round, r.code) in PROCEDURAL else ""
            print(f"{r.round:>4} {r.code:<6} {r.status:<7}{procedural} {r.title[:90]}")
            if "--all" in args:
                print("       1st: " + ", ".join(subject_name(s) for s in r.first))
            print("       top3: " + ", ".join(subject_name(s) for s in r.top3))
    if "--subjects" in args:
        for subject in range(len(EXPANSIONS)):
            print(f"{subject_name(subject):<32} " + "  ".join(f"{n}:{firsts[n][subject]}" for n in firsts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
