"""Tests for award.outline_parser against the shipped plan documents and
synthetic pastes (Word, markdown, CRLF, NFD ...)."""

import pathlib
import random
import re
import sys
import unicodedata

import pytest

ROOT = pathlib.Path(__file__).parents[2]
if str(ROOT) not in sys.path:  # the repo is not installed into the venv
    sys.path.insert(0, str(ROOT))

from award.outline_parser import WARN_EMPTY, WARN_FLAT, ParsedNode, ParsedOutline, parse_outline  # noqa: E402

OUTLINES = ROOT / "award/data/outlines"
STRUCTURED = [
    "round_IV_2019.txt",
    "round_VII_2022.txt",
    "round_VIII_2023.txt",
    "round_IX_2024.txt",
]
ALL_FILES = STRUCTURED + ["plan_2017_news.txt"]

THEMES_13 = [f"1.{i}" for i in range(1, 6)] + [f"2.{i}" for i in range(1, 9)]
THEMES_15 = [f"1.{i}" for i in range(1, 6)] + [f"2.{i}" for i in range(1, 11)]


def load(name: str) -> str:
    return (OUTLINES / name).read_text(encoding="utf-8")


def parse_file(name: str) -> ParsedOutline:
    return parse_outline(load(name))


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node.children)


def by_code(outline: ParsedOutline) -> dict[str, ParsedNode]:
    return {node.code: node for node in walk(outline.nodes)}


def theme_codes(outline: ParsedOutline) -> list[str]:
    return [n.code for n in walk(outline.nodes) if n.kind == "theme"]


def shape(outline: ParsedOutline) -> list:
    """(code, kind, title) tree without warnings, for equality checks."""

    def one(node):
        return (node.code, node.kind, node.title, [one(c) for c in node.children])

    return [one(n) for n in outline.nodes]


# --------------------------------------------------------------------------
# Shipped documents: structure
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("round_IV_2019.txt", THEMES_13),
        ("round_VII_2022.txt", THEMES_15),
        ("round_VIII_2023.txt", THEMES_13),
        ("round_IX_2024.txt", []),
    ],
)
def test_theme_codes_per_file(name, expected):
    assert theme_codes(parse_file(name)) == expected


@pytest.mark.parametrize("name", STRUCTURED)
def test_structured_files_have_two_sections_and_no_warnings(name):
    outline = parse_file(name)
    assert [s.code for s in outline.nodes] == ["1", "2"]
    assert all(s.kind == "section" for s in outline.nodes)
    assert outline.warnings == []


def test_section_titles():
    iv = parse_file("round_IV_2019.txt")
    assert [s.title for s in iv.nodes] == [
        "Nội dung tuyên truyền trọng tâm",
        "Nội dung tuyên truyền thường xuyên, cơ bản, lâu dài",
    ]
    viii = parse_file("round_VIII_2023.txt")  # "**1. ...**" and "## 2. ..."
    assert [s.title for s in viii.nodes] == [
        "Nội dung tuyên truyền trọng tâm",
        "Nội dung tuyên truyền thường xuyên",
    ]


@pytest.mark.parametrize("name", ALL_FILES)
def test_codes_unique_and_consistent(name):
    outline = parse_file(name)
    codes = [n.code for n in walk(outline.nodes)]
    assert len(codes) == len(set(codes))
    for parent in walk(outline.nodes):
        for k, child in enumerate(
            [c for c in parent.children if c.kind == "point"], start=1
        ):
            assert child.code == f"{parent.code}.{k}"
        for child in parent.children:
            assert child.code.startswith(parent.code + ".")


@pytest.mark.parametrize("name", ALL_FILES)
def test_titles_are_clean(name):
    for node in walk(parse_file(name).nodes):
        title = node.title
        assert "*" not in title and "#" not in title, title
        assert title == unicodedata.normalize("NFC", title)
        assert title == " ".join(title.split()), "whitespace not collapsed"
        assert "\xa0" not in title and "\u200b" not in title
        assert not title.endswith("/."), "end-of-document mark kept"
        if node.kind != "section":
            assert title, f"empty title for {node.code}"


# --------------------------------------------------------------------------
# Round IV (2019): plan + ĐỀ CƯƠNG, bullets with and without dashes
# --------------------------------------------------------------------------


def test_iv_uses_the_outline_part_not_the_plan():
    nodes = by_code(parse_file("round_IV_2019.txt"))
    # Plan: "2.3- Phát huy vai trò của Nhân dân ..."; outline: "2.3- Về ...".
    assert nodes["2.3"].title == (
        "Về phát huy vai trò của nhân dân trong xây dựng, chỉnh đốn Đảng."
    )
    assert nodes["1.1"].title.startswith(
        "Tăng cường bảo vệ nền tảng tư tưởng của Đảng theo tinh thần "
        "Nghị quyết số 35-NQ/TW"
    )
    # The plan's own list ("IV- HÌNH THỨC": 1.1, 3.1 twice ...) is not parsed.
    assert "3" not in nodes and "3.1" not in nodes


@pytest.mark.parametrize(
    "code, count",
    [("1.1", 5), ("1.2", 6), ("1.3", 8), ("1.4", 5), ("1.5", 16),
     ("2.1", 2), ("2.2", 3), ("2.3", 7), ("2.4", 14), ("2.5", 9),
     ("2.6", 13), ("2.7", 10), ("2.8", 4)],
)
def test_iv_bullet_counts(code, count):
    theme = by_code(parse_file("round_IV_2019.txt"))[code]
    assert [c.kind for c in theme.children] == ["point"] * count


def test_iv_bullets_without_dash_are_points():
    nodes = by_code(parse_file("round_IV_2019.txt"))
    assert nodes["1.4.2"].title == (
        "Nêu những kết quả nổi bật qua việc tổng kết thi hành Điều lệ Đảng và "
        "vấn đề đặt ra cần nghiên cứu sửa đổi, bổ sung Điều lệ Đảng."
    )
    # Contains NBSPs in the source.
    assert nodes["2.1.1"].title == (
        "Phản ánh rõ tình hình, thực trạng, trên cơ sở đó có những đề xuất, "
        "kiến nghị nhằm nâng cao chất lượng học tập, quán triệt các nghị quyết "
        "và tuyên truyền, phổ biến các chỉ thị, kết luận, quy định, hướng dẫn "
        "của Đảng."
    )
    assert nodes["2.1.2"].title.startswith("Nêu những cách làm mới, sáng tạo")


def test_iv_last_point_drops_end_mark_and_trailing_debris():
    nodes = by_code(parse_file("round_IV_2019.txt"))
    assert nodes["2.8.4"].title.endswith(
        "trong hệ thống chính trị và đơn giản hóa thủ tục hành chính."
    )
    assert "2.8.5" not in nodes


# --------------------------------------------------------------------------
# Round VII (2022): central plan, themes under "II- NỘI DUNG TUYÊN TRUYỀN"
# --------------------------------------------------------------------------


def test_vii_wrapped_theme_is_joined():
    nodes = by_code(parse_file("round_VII_2022.txt"))
    assert nodes["1.3"].title == (
        "Việc tiếp tục cụ thể hóa Nghị quyết Đại hội đại biểu toàn quốc lần thứ "
        "XIII của Đảng và nghị quyết đại hội đảng bộ các cấp nhiệm kỳ 2020-2025; "
        "tình hình, kết quả xây dựng các chương trình, kế hoạch phát triển kinh "
        "tế - xã hội thực hiện Chiến lược phát triển kinh tế - xã hội 10 năm "
        "2021-2030, tầm nhìn đến năm 2045 theo định hướng khơi dậy khát vọng "
        "phát triển đất nước phồn vinh, hạnh phúc; về kết quả thực hiện các chủ "
        "trương của Đảng, sự điều hành của Chính phủ, sự lãnh đạo, chỉ đạo của "
        "các cấp ủy, chính quyền và kết quả bước đầu hồi phục nền kinh tế - xã "
        "hội đất nước sau đại dịch Covid-19."
    )
    assert nodes["1.3"].children == []  # the "2045 ..." half is not a point


def test_vii_stops_at_next_roman_heading():
    outline = parse_file("round_VII_2022.txt")
    nodes = by_code(outline)
    assert nodes["2.10"].title == (
        "Việc nghiên cứu tổng kết thực tiễn, nhất là việc tổng kết những mô "
        "hình thí điểm về tổ chức - cán bộ và phát triển lý luận về xây dựng "
        "Đảng nhằm vận dụng sáng tạo chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí "
        "Minh trong việc tiếp tục thực hiện đường lối đổi mới của Đảng, phát "
        "triển đất nước phồn vinh, hạnh phúc."
    )
    # Nothing from "III- HÌNH THỨC TUYÊN TRUYỀN" (its 1.1 "Mở chuyên mục ...").
    assert nodes["1.1"].title.startswith("Việc thực hiện Kết luận số 21-KL/TW")
    assert all(not n.children for n in walk(outline.nodes) if n.kind == "theme")


# --------------------------------------------------------------------------
# Round VIII (2023): markdown plan + ĐỀ CƯƠNG
# --------------------------------------------------------------------------


def test_viii_outline_part_wins_over_plan_part():
    outline = parse_file("round_VIII_2023.txt")
    nodes = by_code(outline)
    assert "2.9" not in nodes  # only the plan part has 2.9
    # Plan 1.1 is "Kết luận số 21-KL/TW ..."; the outline's 1.1 differs.
    assert nodes["1.1"].title.startswith("Những kết quả bước đầu tạo chuyển biến")
    assert nodes["2.8"].title.startswith("Việc nghiên cứu tổng kết thực tiễn")


def test_viii_numbering_variants_give_exact_titles():
    nodes = by_code(parse_file("round_VIII_2023.txt"))
    # "**1.1. ...**" (whole heading bold)
    assert nodes["1.1"].title == (
        "Những kết quả bước đầu tạo chuyển biến mạnh mẽ, thực chất trong đổi "
        "mới phương thức lãnh đạo của Đảng đối với hệ thống chính trị; nâng cao "
        "năng lực tổ chức thực hiện chủ trương, đường lối của Đảng, nhất là thể "
        "chế hóa, cụ thể hóa thành luật và các văn bản dưới luật; xây dựng "
        "phương pháp công tác, lề lối làm việc của các cấp ủy, tổ chức đảng thực "
        "sự khoa học, dân chủ, sát thực tiễn; bảo đảm sự lãnh đạo, chỉ đạo của "
        "Đảng thông suốt từ Trung ương tới cơ sở."
    )
    # "*1.3. ...*" with curly quotes inside
    assert nodes["1.3"].title.startswith(
        "Về tình hình, kết quả nổi bật, những giải pháp đẩy mạnh xây dựng, "
        "chỉnh đốn Đảng và hệ thống chính trị; kiên quyết ngăn chặn, đẩy lùi, "
        "xử lý nghiêm cán bộ, đảng viên suy thoái về tư tưởng chính trị, đạo "
        "đức, lối sống, những biểu hiện “tự diễn biến”, “tự chuyển hóa”;"
    )
    assert nodes["1.3"].title.endswith(
        "phản bác các quan điểm sai trái, luận điệu xuyên tạc của các thế lực "
        "thù địch."
    )
    # "## *2.2. ...*"
    assert nodes["2.2"].title == (
        "Tiếp tục đổi mới, hoàn thiện tổ chức bộ máy và nâng cao hiệu quả hoạt "
        "động của hệ thống chính trị."
    )
    # "2.7. *...*"
    assert nodes["2.7"].title == (
        "Về vai trò tiên phong, gương mẫu của cán bộ, đảng viên; tự phê bình, "
        "phê bình và tăng cường xây dựng khối đoàn kết, thống nhất trong Đảng."
    )


def test_viii_inline_emphasis_removed_from_points():
    nodes = by_code(parse_file("round_VIII_2023.txt"))
    assert nodes["1.3.1"].title == (
        "Phân tích làm sâu sắc thêm giá trị lý luận và thực tiễn của cuốn sách "
        "“Kiên quyết, kiên trì đấu tranh phòng, chống tham nhũng, tiêu cực, góp "
        "phần xây dựng Đảng, Nhà nước ta ngày càng trong sạch, vững mạnh” của "
        "Tổng Bí thư Nguyễn Phú Trọng."
    )


@pytest.mark.parametrize(
    "code, count",
    [("1.1", 10), ("1.2", 10), ("1.3", 15), ("1.4", 23), ("1.5", 14),
     ("2.1", 14), ("2.2", 8), ("2.3", 6), ("2.4", 9), ("2.5", 10),
     ("2.6", 8), ("2.7", 5), ("2.8", 12)],
)
def test_viii_bullet_counts(code, count):
    theme = by_code(parse_file("round_VIII_2023.txt"))[code]
    assert len(theme.children) == count


# --------------------------------------------------------------------------
# Round IX (2024): sections with points, no themes
# --------------------------------------------------------------------------


def test_ix_sections_and_points():
    outline = parse_file("round_IX_2024.txt")
    first, second = outline.nodes
    assert first.title == (
        "Tiếp tục tổ chức tuyên truyền sâu rộng bằng nhiều hình thức về Giải "
        "Búa liềm vàng cùng Thể lệ (sửa đổi, bổ sung) Giải Búa liềm vàng lần "
        "thứ IX - năm 2024 nhằm tạo sự hưởng ứng mạnh mẽ hơn nữa trong các địa "
        "phương, cơ quan, đơn vị và đông đảo cán bộ, đảng viên, nhân dân."
    )
    assert first.children == []
    assert second.title.startswith("Tuyên truyền về xây dựng Đảng đảm bảo toàn diện")
    assert second.title.endswith("với những nội dung trọng tâm sau:")
    assert [(p.code, p.kind) for p in second.children] == [
        ("2.1", "point"), ("2.2", "point"), ("2.3", "point"), ("2.4", "point"),
    ]
    assert second.children[0].title.startswith(
        "Phản ánh sự vận dụng sáng tạo trong thực hiện Nghị quyết Đại hội"
    )
    assert second.children[3].title.endswith(
        "thực sự dựa vào Nhân dân để xây dựng Đảng."
    )


def test_ix_tagging_units():
    units = parse_file("round_IX_2024.txt").themes()
    assert [(u.code, u.kind) for u in units] == [
        ("1", "section"),
        ("2.1", "point"), ("2.2", "point"), ("2.3", "point"), ("2.4", "point"),
    ]


@pytest.mark.parametrize(
    "name, expected",
    [("round_IV_2019.txt", THEMES_13), ("round_VII_2022.txt", THEMES_15),
     ("round_VIII_2023.txt", THEMES_13)],
)
def test_tagging_units_are_the_themes(name, expected):
    units = parse_file(name).themes()
    assert [u.code for u in units] == expected
    assert {u.kind for u in units} == {"theme"}


# --------------------------------------------------------------------------
# News report without numbering: flat list
# --------------------------------------------------------------------------


def test_news_report_becomes_flat_list_with_warning():
    outline = parse_file("plan_2017_news.txt")
    assert outline.warnings == [WARN_FLAT]
    assert WARN_FLAT == (
        "Không nhận ra cách đánh số; các đoạn được nhập thành danh sách phẳng "
        "để chỉnh sửa."
    )
    (section,) = outline.nodes
    assert (section.code, section.kind, section.title) == ("1", "section", "Nội dung")
    assert [t.code for t in section.children] == [f"1.{i}" for i in range(1, 12)]
    assert section.children[0].title.startswith("Theo đó, mục đích của Kế hoạch")
    assert section.children[5].title.startswith("Thứ hai, tập trung tuyên truyền")
    # Body ends at "…/."; the credit line after it is not a theme.
    assert section.children[-1].title.endswith("đối thoại, phỏng vấn…")
    assert not any("Nguồn" in t.title for t in section.children)


# --------------------------------------------------------------------------
# Robustness: pastes, encodings, variants
# --------------------------------------------------------------------------


def word_paste(text: str) -> str:
    """What Word/clipboard produces: CRLF, no blank lines between paragraphs."""
    return re.sub(r"\n\s*\n+", "\n", text).replace("\n", "\r\n")


@pytest.mark.parametrize("name", ALL_FILES)
@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(word_paste, id="word-paste"),
        pytest.param(lambda t: unicodedata.normalize("NFD", t), id="nfd"),
        pytest.param(lambda t: t.replace(" ", "\xa0"), id="nbsp"),
        pytest.param(lambda t: t.replace("Đảng", "Đ\u200bảng"), id="zero-width"),
    ],
)
def test_shipped_files_survive_paste_variants(name, variant):
    original = parse_file(name)
    pasted = parse_outline(variant(load(name)))
    assert pasted.to_dict() == original.to_dict()


def test_crlf_and_nbsp_paste():
    text = (
        "ĐỀ CƯƠNG TUYÊN TRUYỀN\r\n"
        "1.\xa0Nội dung trọng tâm\r\n"
        "1.1–\xa0Chủ đề “một”\xa0\xa0về\u00a0cán bộ.\r\n"
        "•\tÝ thứ nhất.\r\n"
        "–\tÝ thứ hai.\r\n"
        "\uf0b7\tÝ thứ ba.\r\n"
        "Ý thứ tư không có gạch đầu dòng.\r\n"
    )
    outline = parse_outline(text)
    assert outline.warnings == []
    nodes = by_code(outline)
    assert nodes["1"].title == "Nội dung trọng tâm"
    assert nodes["1.1"].title == "Chủ đề “một” về cán bộ."
    assert [p.title for p in nodes["1.1"].children] == [
        "Ý thứ nhất.", "Ý thứ hai.", "Ý thứ ba.", "Ý thứ tư không có gạch đầu dòng.",
    ]


def test_nfd_input_becomes_nfc():
    text = "1. Nội dung trọng tâm\n1.1. Xây dựng Đảng về đạo đức.\n- Phản ánh gương tốt.\n"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    outline = parse_outline(nfd)
    nodes = by_code(outline)
    assert nodes["1.1"].title == "Xây dựng Đảng về đạo đức."
    assert nodes["1.1.1"].title == "Phản ánh gương tốt."
    for node in walk(outline.nodes):
        assert unicodedata.is_normalized("NFC", node.title)


VARIANT_OUTLINES = {
    "dash": """
1- Nội dung tuyên truyền trọng tâm
1.1- Xây dựng Đảng về chính trị.
- Phân tích tính đúng đắn của đường lối.
1.2- Xây dựng Đảng về đạo đức.
- Nêu gương cán bộ, đảng viên.
2- Nội dung tuyên truyền thường xuyên
2.1- Công tác cán bộ.
- Đổi mới công tác đánh giá cán bộ.
""",
    "dot": """
1. Nội dung tuyên truyền trọng tâm

1.1. Xây dựng Đảng về chính trị.

- Phân tích tính đúng đắn của đường lối.

1.2. Xây dựng Đảng về đạo đức.

- Nêu gương cán bộ, đảng viên.

2. Nội dung tuyên truyền thường xuyên

2.1. Công tác cán bộ.

- Đổi mới công tác đánh giá cán bộ.
""",
    "markdown": """
**1. Nội dung tuyên truyền trọng tâm**

**1.1.** Xây dựng Đảng về chính trị.

- Phân tích tính *đúng đắn* của đường lối.

*1.2. Xây dựng Đảng về đạo đức.*

* Nêu gương cán bộ, _đảng viên_.

## 2. Nội dung tuyên truyền thường xuyên

## *2.1. Công tác cán bộ.*

- Đổi mới công tác đánh giá cán bộ.
""",
    "mixed": """
### **1\\. Nội dung tuyên truyền trọng tâm**
1.1 Xây dựng Đảng về chính trị.
– Phân tích tính đúng đắn của đường lối.
1.2) Xây dựng Đảng về đạo đức.
• Nêu gương cán bộ, đảng viên.
2/ Nội dung tuyên truyền thường xuyên
2.1. *Công tác cán bộ.*
+ Đổi mới công tác đánh giá cán bộ.
""",
}


def test_numbering_variants_parse_to_the_same_tree():
    trees = {name: shape(parse_outline(text)) for name, text in VARIANT_OUTLINES.items()}
    expected = [
        ("1", "section", "Nội dung tuyên truyền trọng tâm", [
            ("1.1", "theme", "Xây dựng Đảng về chính trị.", [
                ("1.1.1", "point", "Phân tích tính đúng đắn của đường lối.", []),
            ]),
            ("1.2", "theme", "Xây dựng Đảng về đạo đức.", [
                ("1.2.1", "point", "Nêu gương cán bộ, đảng viên.", []),
            ]),
        ]),
        ("2", "section", "Nội dung tuyên truyền thường xuyên", [
            ("2.1", "theme", "Công tác cán bộ.", [
                ("2.1.1", "point", "Đổi mới công tác đánh giá cán bộ.", []),
            ]),
        ]),
    ]
    for name, tree in trees.items():
        assert tree == expected, name


def test_number_and_title_on_separate_lines():
    text = "**1.**\n\nNội dung trọng tâm\n\n**1.1.**\n\nXây dựng Đảng về chính trị.\n\n- Một ý.\n"
    assert shape(parse_outline(text)) == [
        ("1", "section", "Nội dung trọng tâm", [
            ("1.1", "theme", "Xây dựng Đảng về chính trị.", [
                ("1.1.1", "point", "Một ý.", []),
            ]),
        ]),
    ]


def test_continuation_rule():
    text = (
        "1. Nội dung\n\n"
        "1.1. Chủ đề bị ngắt trang giữa\n\n.\n\n12\n\n"
        "câu và tiếp tục ở trang sau.\n\n"
        "Đoạn viết hoa sau câu đã kết thúc là một ý riêng.\n\n"
        "- Ý có gạch đầu dòng nhưng bị ngắt\n\n"
        "giữa chừng.\n"
    )
    theme = by_code(parse_outline(text))["1.1"]
    assert theme.title == "Chủ đề bị ngắt trang giữa câu và tiếp tục ở trang sau."
    assert [p.title for p in theme.children] == [
        "Đoạn viết hoa sau câu đã kết thúc là một ý riêng.",
        "Ý có gạch đầu dòng nhưng bị ngắt giữa chừng.",
    ]


def test_page_debris_is_dropped():
    text = "1. Nội dung\n.\n*\n-----\n   \n7\n- 8 -\nTrang 3\n1.1. Chủ đề.\n.\n.\n"
    assert shape(parse_outline(text)) == [
        ("1", "section", "Nội dung", [("1.1", "theme", "Chủ đề.", [])]),
    ]


def test_dates_and_years_are_not_numbering():
    text = (
        "1. Nội dung\n1.1. Chủ đề về chiến lược 10 năm, tầm nhìn đến năm\n"
        "2045 theo định hướng mới.\n12-4-2019 là ngày ban hành.\n"
    )
    nodes = by_code(parse_outline(text))
    assert nodes["1.1"].title == (
        "Chủ đề về chiến lược 10 năm, tầm nhìn đến năm 2045 theo định hướng mới."
    )
    assert [p.title for p in nodes["1.1"].children] == ["12-4-2019 là ngày ban hành."]


# --------------------------------------------------------------------------
# Region selection on synthetic documents
# --------------------------------------------------------------------------


def test_outline_heading_wins_over_plan_content_part():
    text = """
I. MỤC ĐÍCH
1. Mục đích
- Nâng cao nhận thức.
II. NỘI DUNG TUYÊN TRUYỀN (có đề cương kèm theo)
1. Trọng tâm
1.1. Chủ đề của kế hoạch.
III. TỔ CHỨC THỰC HIỆN
1. Ban Tổ chức chủ trì.
Nơi nhận:
- Lưu VP.
Đề cương thông tin, tuyên truyền năm 2024
(Ban hành kèm theo Kế hoạch số 1-KH)
1. Trọng tâm
1.1. Chủ đề chi tiết thứ nhất.
1.2. Chủ đề chi tiết thứ hai.
"""
    outline = parse_outline(text)
    assert [(n.code, n.title) for n in outline.themes()] == [
        ("1.1", "Chủ đề chi tiết thứ nhất."), ("1.2", "Chủ đề chi tiết thứ hai."),
    ]


def test_content_part_stops_at_next_roman_heading_and_signature():
    text = """
I- MỤC ĐÍCH, YÊU CẦU
1- Mục đích chung.
II- NỘI DUNG TUYÊN TRUYỀN
1- Trọng tâm
1.1- Chủ đề một.
2- Thường xuyên
2.1- Chủ đề hai.
III- HÌNH THỨC TUYÊN TRUYỀN
1- Thông tin đại chúng
1.1- Mở chuyên mục.
"""
    outline = parse_outline(text)
    assert theme_codes(outline) == ["1.1", "2.1"]
    assert by_code(outline)["1.1"].title == "Chủ đề một."
    assert outline.warnings == []

    signed = "1. Nội dung\n1.1. Chủ đề.\n- Ý cuối./.\nNơi nhận:\n- Như trên,\nK/T TRƯỞNG BAN\n"
    assert shape(parse_outline(signed)) == [
        ("1", "section", "Nội dung", [
            ("1.1", "theme", "Chủ đề.", [("1.1.1", "point", "Ý cuối.", [])]),
        ]),
    ]


def test_consecutive_roman_content_headings_become_sections():
    text = """
ĐỀ CƯƠNG TUYÊN TRUYỀN
I. NỘI DUNG TUYÊN TRUYỀN TRỌNG TÂM
1. Chủ đề một.
- Ý của chủ đề một.
2. Chủ đề hai.
II. NỘI DUNG TUYÊN TRUYỀN THƯỜNG XUYÊN
1. Chủ đề ba.
"""
    assert shape(parse_outline(text)) == [
        ("1", "section", "NỘI DUNG TUYÊN TRUYỀN TRỌNG TÂM", [
            ("1.1", "theme", "Chủ đề một.", [("1.1.1", "point", "Ý của chủ đề một.", [])]),
            ("1.2", "theme", "Chủ đề hai.", []),
        ]),
        ("2", "section", "NỘI DUNG TUYÊN TRUYỀN THƯỜNG XUYÊN", [
            ("2.1", "theme", "Chủ đề ba.", []),
        ]),
    ]


# --------------------------------------------------------------------------
# Warnings: duplicates, missing headings, flat, empty
# --------------------------------------------------------------------------


def test_duplicate_codes_get_next_free_number_and_a_warning():
    text = (
        "1. Trọng tâm\n1.1. Một.\n1.2. Hai.\n1.3. Ba.\n1.3. Bốn.\n"
        "- Ý của chủ đề bốn.\n1.5. Năm.\n"
    )
    outline = parse_outline(text)
    assert [(t.code, t.title) for t in outline.themes()] == [
        ("1.1", "Một."), ("1.2", "Hai."), ("1.3", "Ba."), ("1.4", "Bốn."), ("1.5", "Năm."),
    ]
    assert by_code(outline)["1.4.1"].title == "Ý của chủ đề bốn."
    assert len(outline.warnings) == 1
    warning = outline.warnings[0]
    assert warning.startswith("Hai mục trùng mã 1.3")
    assert "1.4" in warning and "Bốn." in warning


def test_duplicate_without_gap_goes_after_the_highest_number():
    outline = parse_outline("1. A\n1.1. Một.\n1.1. Hai.\n1.2. Ba.\n")
    assert [t.code for t in outline.themes()] == ["1.1", "1.3", "1.2"]
    assert outline.warnings and "1.1" in outline.warnings[0] and "1.3" in outline.warnings[0]


def test_duplicate_sections_are_renumbered_with_their_themes():
    outline = parse_outline("1. A\n1.1. Một.\n1. B\n1.1. Hai.\n")
    assert [s.code for s in outline.nodes] == ["1", "2"]
    assert theme_codes(outline) == ["1.1", "2.1"]
    assert any(w.startswith("Hai mục trùng mã 1") for w in outline.warnings)


def test_missing_section_heading_is_synthesised():
    text = "1- Trọng tâm\n1.1- Một.\n2.1- Hai.\n2.2- Ba.\n"
    outline = parse_outline(text)
    assert [(s.code, s.title) for s in outline.nodes] == [("1", "Trọng tâm"), ("2", "")]
    assert theme_codes(outline) == ["1.1", "2.1", "2.2"]
    assert any("mục 2" in w for w in outline.warnings)


def test_no_numbering_gives_flat_list():
    text = (
        "Tuyên truyền về công tác xây dựng Đảng năm nay.\n\n"
        "Ngắn quá.\n\n"
        "Phản ánh những mô hình mới, cách làm hay ở cơ sở.\n"
        "Nguồn: abc.vn\n"
    )
    outline = parse_outline(text)
    assert outline.warnings == [WARN_FLAT]
    assert shape(outline) == [
        ("1", "section", "Nội dung", [
            ("1.1", "theme", "Tuyên truyền về công tác xây dựng Đảng năm nay.", []),
            ("1.2", "theme", "Phản ánh những mô hình mới, cách làm hay ở cơ sở.", []),
        ]),
    ]


@pytest.mark.parametrize("text", ["", "   \n\r\n\t", ".\n.\n\xa0\n"])
def test_empty_text(text):
    outline = parse_outline(text)
    assert outline.nodes == []
    assert outline.warnings == [WARN_EMPTY]
    assert outline.themes() == []


# --------------------------------------------------------------------------
# API shape
# --------------------------------------------------------------------------


def test_to_dict_is_recursive_and_plain():
    outline = parse_outline("1. A\n1.1. Một.\n- Ý.\n")
    assert outline.to_dict() == {
        "nodes": [{
            "code": "1", "kind": "section", "title": "A",
            "children": [{
                "code": "1.1", "kind": "theme", "title": "Một.",
                "children": [
                    {"code": "1.1.1", "kind": "point", "title": "Ý.", "children": []},
                ],
            }],
        }],
        "warnings": [],
    }


def test_random_input_never_crashes_and_codes_stay_unique():
    rng = random.Random(20240601)
    pieces = [
        "1.", "1.1-", "2.3.", "**", "*", "## ", "- ", "• ", "I. ", "II- ",
        "NỘI DUNG TUYÊN TRUYỀN", "ĐỀ CƯƠNG", "./.", "Nơi nhận:", "\n", "\n\n",
        "\r\n", "\xa0", "\u200b", "chủ đề", "Xây dựng Đảng", "“", "”", "12", ".",
    ]
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        outline = parse_outline(text)
        codes = [n.code for n in walk(outline.nodes)]
        assert len(codes) == len(set(codes)), text
        assert outline.nodes or outline.warnings
