"""One normal form for people's text (award.text): what is kept, what goes, and the keys that comparisons,
searches and duplicate links use. Properties over any Unicode, plus the reported cases."""

import unicodedata

import pytest
from hypothesis import given, strategies as st

from award.text import clean_line, clean_text, fold, normalise_url

WALES = "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
TITLE = "Đảng viên trẻ giữ lửa ở bản làng"


def _spellings(text: str) -> list[str]:
    return [text, text.lower(), text.upper(), text.title(), unicodedata.normalize("NFD", text),
            unicodedata.normalize("NFKD", text.upper()), f"  {text}\u200b ", text.replace(" ", "\u00a0")]


@pytest.mark.parametrize("spelling", _spellings(TITLE))
def test_every_spelling_of_a_vietnamese_title_folds_alike(spelling):
    assert fold(spelling) == "dang vien tre giu lua o ban lang"


@given(st.text())
def test_fold_ignores_case_form_and_invisible_characters(text):
    key = fold(text)
    assert fold(unicodedata.normalize("NFD", text)) == key
    assert fold(unicodedata.normalize("NFC", text)) == key
    assert fold(key) == key  # a key folds to itself: a folded query matches a folded column
    assert fold(text.upper()) == fold(text.upper().lower())


@given(st.text())
def test_clean_line_is_nfc_one_line_without_controls_or_format_characters(text):
    cleaned = clean_line(text)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_line(cleaned) == cleaned
    assert cleaned == cleaned.strip() and "  " not in cleaned
    for ch in cleaned:
        assert unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"), repr(ch)
        assert unicodedata.category(ch) != "Cf" or ch == "\u200d" or 0xE0020 <= ord(ch) < 0xE0080, repr(ch)


@given(st.text())
def test_clean_text_keeps_lines_and_is_stable(text):
    cleaned = clean_text(text, multiline=True)
    assert clean_text(cleaned, multiline=True) == cleaned
    assert all(unicodedata.category(ch) != "Cc" or ch == "\n" for ch in cleaned)


@pytest.mark.parametrize(("raw", "clean"), [
    ("Tiêu đề\x00 có\x1b ký tự\x7f điều khiển\x85", "Tiêu đề có ký tự điều khiển"),
    ("Bài\u200b viết\u202e đảo\u2066 chiều\ufeff", "Bài viết đảo chiều"),
    ("Gia đình 👨\u200d👩\u200d👧 và 🇻🇳 ❤️", "Gia đình 👨\u200d👩\u200d👧 và 🇻🇳 ❤️"),
    ("Cờ " + WALES, "Cờ " + WALES),
    (unicodedata.normalize("NFD", "Nguyễn Thị Ánh"), "Nguyễn Thị Ánh"),
    ("Tab\tvà\nxuống dòng", "Tab và xuống dòng"),
    ("漢字 Ελληνικά русский عربى हिन्दी", "漢字 Ελληνικά русский عربى हिन्दी"),
])
def test_clean_line_cases(raw, clean):
    assert clean_line(raw) == clean


@pytest.mark.parametrize("variant", [
    "https://baohatinh.vn/bai-viet.html",
    "HTTPS://BaoHaTinh.VN/bai-viet.html",
    "http://www.baohatinh.vn/bai-viet.html",
    "https://baohatinh.vn:443/bai-viet.html",
    "http://baohatinh.vn:80/bai-viet.html/",
    "https://baohatinh.vn/bai-viet.html#binh-luan",
    "https://baohatinh.vn/bai-viet.html?utm_source=zalo&fbclid=abc&zarsrc=30",
    "https://m.baohatinh.vn/bai-viet.html",
    "baohatinh.vn/bai-viet.html",
    " https://baohatinh.vn//bai-viet.html ",
])
def test_one_article_written_differently_is_one_link(variant):
    assert normalise_url(variant) == normalise_url("https://baohatinh.vn/bai-viet.html")


@pytest.mark.parametrize("variant", [
    "https://báo.vn/đảng-viên",
    "https://xn--bo-mia.vn/%C4%91%E1%BA%A3ng-vi%C3%AAn",
    "https://XN--BO-MIA.VN/%c4%91%e1%ba%a3ng-vi%c3%aan/",
    "https://www.báo.vn/" + unicodedata.normalize("NFD", "đảng-viên"),
])
def test_unicode_host_and_path_meet_their_encoded_spelling(variant):
    assert normalise_url(variant) == normalise_url("https://báo.vn/đảng-viên")


@pytest.mark.parametrize(("one", "other"), [
    ("https://bao.vn/a?id=1", "https://bao.vn/a?id=2"),
    ("https://bao.vn/a", "https://bao.vn/b"),
    ("https://bao.vn:8080/a", "https://bao.vn/a"),
    ("https://bao.vn/a%2Fb", "https://bao.vn/a/c"),
])
def test_different_articles_stay_different(one, other):
    assert normalise_url(one) != normalise_url(other)


@given(st.text())
def test_normalise_url_never_fails(text):
    assert isinstance(normalise_url(text), str)
    assert isinstance(normalise_url("https://" + text), str)
