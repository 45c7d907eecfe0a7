"""Example press pieces (award.tagging_exemplars): the shipped files are what their docstring says, every unit
of a shipped outline gets its pieces and only those, and the pieces move a ranking and name their words."""

import numpy as np
import pytest

from award import embeddings
from award.outline_parser import parse_outline
from award.reference import OUTLINE_DIR, OUTLINE_FILES
from award.tagging import RoundTagger, TaggingUnit, syllables
from award.tagging_exemplars import FORM_WORDS, exemplar_file, for_units, load_exemplars, title_key
from award.tagging_units import tagging_units
from award.text import SURNAMES, strip_names

SHIPPED = [number for number in OUTLINE_FILES if exemplar_file(number).exists()]


def _units(number: str) -> list[TaggingUnit]:
    return tagging_units(parse_outline((OUTLINE_DIR / OUTLINE_FILES[number]).read_text("utf-8")).nodes)


def _fake(texts, kind):
    # every text the same vector: the ranking is the lexical signals' alone
    return np.full((len(texts), embeddings.DIM), embeddings.DIM ** -0.5, dtype=np.float32)


def test_the_four_shipped_outlines_have_pieces():
    assert sorted(SHIPPED) == ["IV", "IX", "VII", "VIII"]


@pytest.mark.parametrize("number", SHIPPED)
def test_every_unit_has_at_least_twelve_distinct_pieces_of_a_lede_s_length(number):
    rows = load_exemplars(number)
    codes = {unit.code for unit in _units(number)}
    assert {row["unit"] for row in rows} == codes
    for code in codes:
        assert sum(row["unit"] == code for row in rows) >= 12, code
    for row in rows:
        words = len(row["text"].split())
        assert 45 <= words <= 95 and 5 <= len(row["title"].split()) <= 18, row["title"]
    assert len({row["title"].casefold() for row in rows}) == len(rows)


@pytest.mark.parametrize("number", SHIPPED)
def test_no_piece_copies_four_syllables_running_of_its_unit(number):
    """Written in the press's words: a piece that repeated its theme's wording would teach the tagger nothing
    the outline's own index does not know."""
    units = {unit.code: unit for unit in _units(number)}
    for row in load_exemplars(number):
        unit = units[row["unit"]]
        grams = set()
        for text in (unit.title,) + unit.points:
            tokens = syllables(text)
            grams |= {tuple(tokens[k:k + 4]) for k in range(len(tokens) - 3)}
        tokens = syllables(row["title"] + " " + row["text"])
        copied = [" ".join(tokens[k:k + 4]) for k in range(len(tokens) - 3) if tuple(tokens[k:k + 4]) in grams]
        assert not copied, (row["title"], copied)


def test_a_round_made_from_a_shipped_outline_gets_each_units_own_pieces():
    units = _units("IX")
    found = for_units(units)
    assert sorted(found) == sorted(unit.code for unit in units)
    pieces = {code: set(texts) for code, texts in found.items()}
    for row in load_exemplars("IX"):
        assert any(text.startswith(row["title"].strip()) for text in pieces[row["unit"]])
    # case, spacing and a trailing colon do not make another unit; another title does
    renamed = [TaggingUnit(u.code, "  " + u.title.upper().rstrip(":") + " ", u.points) for u in units]
    assert for_units(renamed) == found
    assert for_units([TaggingUnit("1", "Chủ đề mới của đợt giải năm 2026")]) == {}
    assert title_key("Tuyên truyền về xây dựng Đảng:") == title_key("tuyên  truyền về Xây dựng đảng")


UNITS = [TaggingUnit("1", "Phòng, chống tham nhũng, tiêu cực", ("Xử lý nghiêm sai phạm của cán bộ",)),
         TaggingUnit("2", "Công tác dân vận của chính quyền", ("Gần dân, sát dân, trọng dân",)),
         TaggingUnit("3", "Quy hoạch, bổ nhiệm cán bộ", ("Bổ nhiệm trưởng phòng, phó trưởng phòng đúng quy trình",))]
PIECES = {
    "1": ["Phó giám đốc sở bị bắt vì nhận phong bì để bổ nhiệm cấp dưới, tiền trao tay trong vụ kéo dài hai năm.",
          "Chuyện chạy chức ở một huyện miền núi: tiền trao tay qua người quen, ghế trưởng phòng đổi chủ.",
          "Tòa tuyên án cựu chủ tịch huyện nhận hối lộ, tiền trao tay qua người quen trong dự án đường liên xã."],
    "2": ["Cán bộ xã xắn quần lội ruộng cùng bà con, tổ dân vận khéo giúp dân làm hồ sơ.",
          "Tổ dân vận khéo ở bản vùng cao đi từng nhà vận động bỏ hủ tục.",
          "Bà con phấn khởi vì xã mở quầy tiếp dân vào sáng thứ bảy."],
}
LEDE = ("Lời khai của người đưa tiền",
        "Người này thừa nhận đã chạy chức, tiền trao tay cho người quen để lên trưởng phòng.")


def test_pieces_rank_the_theme_whose_press_words_the_work_uses_and_say_which():
    bare = RoundTagger(UNITS, embedder=_fake, exemplars={})
    taught = RoundTagger(UNITS, embedder=_fake, exemplars=PIECES)
    assert bare.exemplars == {} and set(taught.exemplars) == {"1", "2"}
    before, after = bare.suggest(*LEDE), taught.suggest(*LEDE)
    # the outline alone: the work's "trưởng phòng" is theme 3's word; its press words are theme 1's pieces'
    assert before.codes[0] == "3" and after.codes[0] == "1", (before.codes, after.codes)
    why = after.items[0].why
    # "tiền trao tay" is in three of theme 1's pieces; "người quen" in two, "trưởng phòng" in one only: not the
    # theme's press words; "chạy chức" is already named (the press vocabulary's word)
    assert why == "tác phẩm nói đến “chạy chức”; từ báo chí hay dùng ở chủ đề này: “tiền trao tay”", why
    assert "từ báo chí" not in before.items[0].why


def test_a_work_of_no_pieces_words_is_ranked_as_without_them():
    bare = RoundTagger(UNITS, embedder=_fake, exemplars={})
    taught = RoundTagger(UNITS, embedder=_fake, exemplars=PIECES)
    text = ("Giải bóng đá thiếu niên", "Các em nhỏ giành cúp vô địch sau loạt sút luân lưu.")
    plain, read = bare.suggest(*text), taught.suggest(*text)
    assert read.codes == plain.codes and [s.score for s in read.items] == [s.score for s in plain.items]


def test_the_shipped_taggers_read_their_pieces():
    tagger = RoundTagger(_units("VIII"), embedder=_fake)
    assert len(tagger.exemplars) == len(tagger.units)
    off = RoundTagger(_units("VIII"), embedder=_fake, exemplars={})
    text = ("Chạy chức, chạy quyền: “phong bì” trước mỗi đợt bổ nhiệm",
            "Một trưởng phòng đưa tiền để được đề bạt, vụ việc bị phát hiện khi cơ quan điều tra vào cuộc.")
    assert tagger.suggest(*text).codes != off.suggest(*text).codes


def test_a_phrase_other_themes_pieces_use_as_much_is_not_named_as_this_themes():
    """"hay dùng ở chủ đề này" claims the words are this theme's: a phrase in three of its pieces and in four of
    another theme's ("hồ sơ đất") is not; one in three of its pieces only ("tiền trao tay") is."""
    units = UNITS + [TaggingUnit("4", "Bảo vệ môi trường"), TaggingUnit("5", "Văn hóa cơ sở")]
    pieces = {"1": [f"Chuyện {n}: vụ chạy chức, tiền trao tay, hồ sơ đất bị giữ lại." for n in range(3)],
              "2": [f"Tin {n}: bà con làm hồ sơ đất ở xã được hướng dẫn tận tình." for n in range(4)],
              "4": ["Rác thải nhựa ven biển được thu gom.", "Trồng rừng ngập mặn giữ bờ biển."],
              "5": ["Lễ hội làng được tổ chức tiết kiệm.", "Nhà văn hóa thôn sáng đèn mỗi tối."]}
    tagger = RoundTagger(units, embedder=_fake, exemplars=pieces)
    result = tagger.suggest("Tiền trao tay để làm hồ sơ đất", "Một người kể chuyện tiền trao tay để làm hồ sơ đất.")
    why = {s.code: s.why for s in result.items}["1"]
    assert "từ báo chí hay dùng ở chủ đề này: “Tiền trao tay”" in why, why
    assert "hồ sơ đất" not in why, why


@pytest.mark.parametrize("word", list(FORM_WORDS) + ["Hà Tĩnh", "Thành phố Hồ Chí Minh", "Đà Nẵng", "TP.HCM"])
def test_words_of_a_works_form_or_place_neither_rank_nor_explain_a_theme(word):
    """A title "Loạt bài: …" put round IX's theme 1 (the award, whose pieces talk about works) first for any
    subject (a tester, 1 Dec 2026); a province two pieces happen to share is a chance match. Every such word,
    however often one theme's pieces use it, adds nothing to that theme and is never named as its press word
    (the press vocabulary may still name "phóng viên" as a word of the press's own role: its subject)."""
    pieces = {"1": [f"{word.capitalize()} số {n}: chuyện ở {word} được kể lại." for n in range(4)],
              "2": ["Tổ dân vận khéo giúp bà con làm hồ sơ.", "Xã mở quầy tiếp dân vào sáng thứ bảy."]}
    tagger = RoundTagger(UNITS, embedder=_fake, exemplars=pieces)
    text = "Chi bộ thôn họp bàn việc làm đường, bà con góp công."
    with_word = tagger.suggest(f"{word.capitalize()}: người giữ lửa ở chi bộ", f"{text} Chuyện ở {word}.")
    without = tagger.suggest("Người giữ lửa ở chi bộ", text)
    assert list(tagger.press_scores(*tagger._press_query(f"{word}: người giữ lửa ở chi bộ", f"{text} {word}."))) \
        == list(tagger.press_scores(*tagger._press_query("người giữ lửa ở chi bộ", text)))
    press_whys = [s.why.split("từ báo chí hay dùng ở chủ đề này:")[-1] for s in with_word.items if "hay dùng" in s.why]
    assert all(word.casefold() not in why.casefold() for why in press_whys), press_whys
    assert without.codes[0] == with_word.codes[0]


@pytest.mark.parametrize("city", ["Thành phố Hồ Chí Minh", "TP Hồ Chí Minh", "TP. Hồ Chí Minh", "thành phố Hồ Chí Minh"])
def test_the_citys_name_does_not_call_up_president_ho_chi_minhs_thought(city):
    tagger = _tagger_viii()
    story = ("Chợ đêm mở cửa trở lại", f"Sau hai năm, chợ đêm ở {city} mở cửa, tiểu thương bày hàng đến khuya.")
    whys = " ".join(s.why for s in tagger.suggest(*story).items)
    assert "“Hồ Chí Minh”" not in whys, whys
    ideals = tagger.suggest("Làm theo Bác", "Cán bộ xã học và làm theo Hồ Chí Minh, nói đi đôi với làm.")
    assert "“Hồ Chí Minh”" in " ".join(s.why for s in ideals.items)  # the President's name itself still counts


def _tagger_viii():
    return RoundTagger(_units("VIII"), embedder=_fake)


@pytest.mark.parametrize("surname", SURNAMES)
def test_a_persons_name_neither_ranks_nor_explains_a_theme(surname):
    """"ông Đặng Văn Minh" was named in round VIII's why as the outline's "văn minh" (a second development set,
    1 Dec 2026): a person's name, whatever its syllables mean, scores and explains like any other name."""
    tagger = _tagger_viii()
    text = "có mặt ở nhà văn hóa tổ dân phố, ngồi nghe hàng xóm phàn nàn về đoạn cống ngập."
    for given in ("Văn Minh", "Kiên Định", "Dân Chủ", "Hòa Bình", "Thị Hạnh Phúc"):
        named = tagger.suggest(f"Ông {surname} {given} đi họp tổ dân phố", f"Ông {surname} {given} {text}")
        plain = tagger.suggest("Ông Ba đi họp tổ dân phố", f"Ông Ba {text}")
        assert list(tagger.lexical_scores("", f"Ông {surname} {given} {text}")) \
            == list(tagger.lexical_scores("", f"Ông Ba {text}")), given
        assert named.codes == plain.codes, given
        assert [s.why for s in named.items] == [s.why for s in plain.items], given


@pytest.mark.parametrize("text", ["Tư tưởng Hồ Chí Minh soi đường", "Hồ Chủ tịch dạy cán bộ phải gần dân",
                                  "ĐÀO TẠO CÁN BỘ TRẺ", "Đào Tạo Cán Bộ Trẻ Ở Cơ Sở", "Từ Nghị quyết đến việc làm"])
def test_what_only_looks_like_a_name_is_read_as_written(text):
    assert strip_names(text) == text
