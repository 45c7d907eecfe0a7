"""Why a theme is suggested (award.tagging.shared_phrases): the words named are whole runs of syllables
the work and the outline share, never a pair cut across two words ("vệ nền" in "bảo vệ nền tảng")."""

import numpy as np
from hypothesis import given, settings, strategies as st

from award import embeddings
from award.tagging import (
    RoundTagger,
    TaggingUnit,
    _fold_token,
    _is_stop,
    segments,
    shared_phrases,
    syllables as _syllables,
)

# a small vocabulary, so random texts share runs often; stop syllables and capitals included
VOCAB = ["bảo", "vệ", "nền", "tảng", "tư", "tưởng", "Đảng", "đảng", "của", "và", "các", "đấu", "tranh",
         "phản", "bác", "cán", "bộ", "chi", "xây", "dựng", "Hà", "Tĩnh"]
PUNCT = [" ", " ", " ", " ", ", ", ". "]


@st.composite
def texts(draw) -> str:
    words = draw(st.lists(st.sampled_from(VOCAB), min_size=0, max_size=30))
    out = []
    for w in words:
        out.append(w)
        out.append(draw(st.sampled_from(PUNCT)))
    return "".join(out)


def _runs(text: str) -> list[list[str]]:
    return segments(text)


def _occurs(tokens: list[str], text: str) -> bool:
    n = len(tokens)
    return any(seg[k:k + n] == tokens for seg in _runs(text) for k in range(len(seg) - n + 1))


def _stop(token: str) -> bool:
    return _is_stop(token, _fold_token(token)) or token.isdigit()


@settings(max_examples=300, deadline=None)
@given(texts(), texts())
def test_every_phrase_named_is_a_whole_run_both_texts_share_and_cannot_grow(work, unit):
    phrases = shared_phrases(work, unit, limit=10)
    assert len(phrases) <= 10
    work_segments = _runs(work)
    for phrase in phrases:
        tokens = _syllables(phrase)
        assert len(tokens) >= 2 and not all(_stop(t) for t in tokens)
        assert not _stop(tokens[0]) and not _stop(tokens[-1])  # no "và …" or "… của"
        assert _occurs(tokens, work) and _occurs(tokens, unit)
        assert phrase in work  # as written in the work (its casing and diacritics)
        # no shown phrase starts or ends inside a longer shared run: wherever it stands in the work,
        # one more syllable on either side (other than a stop syllable trimmed) is not shared
        n = len(tokens)
        for seg in work_segments:
            for k in range(len(seg) - n + 1):
                if seg[k:k + n] != tokens:
                    continue
                if k > 0 and not _stop(seg[k - 1]):
                    assert not _occurs(seg[k - 1:k + n], unit), (phrase, seg[k - 1])
                if k + n < len(seg) and not _stop(seg[k + n]):
                    assert not _occurs(seg[k:k + n + 1], unit), (phrase, seg[k + n])
    # no phrase is repeated or named inside another
    keys = [" ".join(_syllables(p)) for p in phrases]
    assert all(a == b or f" {a} " not in f" {b} " for a in keys for b in keys)


@settings(max_examples=200, deadline=None)
@given(texts())
def test_a_text_shares_itself_as_its_longest_runs(text):
    phrases = shared_phrases(text, text, limit=100)
    # every segment of two syllables or more with a content syllable is named, trimmed of its stop ends
    for seg in _runs(text):
        content = [i for i, t in enumerate(seg) if not _stop(t)]
        if content and content[-1] - content[0] >= 1:
            core = seg[content[0]:content[-1] + 1]
            assert any(" ".join(core) in " ".join(_syllables(p)) for p in phrases), (seg, phrases)


def test_the_words_named_are_the_reader_s_words_not_pairs_cut_across_them():
    work = ("Loạt bài phản ánh cách các chi bộ ở Hà Tĩnh đấu tranh phản bác các quan điểm sai trái, thù địch, "
            "tin giả trên không gian mạng, bảo vệ nền tảng tư tưởng của Đảng.")
    unit = ("Tăng cường đấu tranh, bảo vệ nền tảng tư tưởng của Đảng, phản bác các quan điểm sai trái, thù địch. "
            "Cơ quan, đơn vị")
    phrases = shared_phrases(work, unit)
    assert phrases[0] == "bảo vệ nền tảng tư tưởng của Đảng"  # the longest, as the work writes "Đảng"
    assert "phản bác các quan điểm sai trái" in phrases and "đấu tranh" in phrases
    assert not any(p in ("vệ nền", "tảng tư") for p in phrases)
    assert shared_phrases(work, unit, limit=2) == phrases[:2]
    assert shared_phrases("Chuyện ở một cơ quan", unit) == ["cơ quan"]  # as the work writes it
    # ... but a one-syllable match, or one across punctuation, is no phrase
    assert shared_phrases("Đảng ta", "của Đảng") == []
    assert shared_phrases("đấu tranh, bảo vệ", "đấu tranh bảo vệ") == ["đấu tranh", "bảo vệ"]


def test_why_names_whole_phrases_of_the_work():
    units = [TaggingUnit("1", "Giải Búa liềm vàng", ("Tuyên truyền về Giải trong cơ quan, đơn vị",)),
             TaggingUnit("2", "Bảo vệ nền tảng tư tưởng của Đảng",
                         ("Tăng cường đấu tranh, phản bác các quan điểm sai trái, thù địch",))]
    tagger = RoundTagger(units, embedder=_fake)
    result = tagger.suggest("Giữ vững trận địa tư tưởng",
                            "Chi bộ đấu tranh phản bác các quan điểm sai trái, bảo vệ nền tảng tư tưởng của Đảng.")
    assert result.items[0].code == "2"
    why = result.items[0].why
    assert why.startswith("từ khớp đề cương: “")
    assert "“bảo vệ nền tảng tư tưởng của Đảng”" in why and "“phản bác các quan điểm sai trái”" in why
    assert "“vệ nền”" not in why and "“tảng tư”" not in why


def _fake(texts, kind):
    return np.full((len(texts), embeddings.DIM), embeddings.DIM ** -0.5, dtype=np.float32)
