"""Every document the product generates renders every character it accepted: CSV and XLSX cells keep the
text (in its normal form) and never fail; PDFs draw each character from DejaVu, a fallback font, or, where
no bundled font has it, as its visible code point; never an error, never a silent gap."""

import csv
import io
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from award.pdf import Document, placeholder
from award.text import clean_line
from judging.exports import to_csv, to_xlsx
from judging.publication import Prize

SAMPLES = ["Đảng viên trẻ giữ lửa ở bản làng", "漢字かなカナ한국어", "😀👍🏽❤️", "Ελληνικά русский", "עברית عربى",
           "हिन्दी ไทย ລາວ ខ្មែរ", "∑ ≠ ∞ № ™ ₫", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀋"]


def prize(text: str) -> Prize:
    return Prize(entry_id=1, title=text, level="A", thematic=text, media_type="print", genre="phóng sự",
                 unit=text, outlets=[text], authors=[{"full_name": text, "pen_name": text}],
                 themes=[{"code": "1.1"}], checksum="abc")


def xlsx_cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell.value for cell in sheet[3]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1))
def test_spreadsheets_keep_any_accepted_text(text):
    accepted = clean_line(text)
    cells = xlsx_cells(to_xlsx([prize(text)], "Kết quả"))
    assert cells[3] in (accepted, "'" + accepted) or (not accepted and cells[3] in (None, ""))
    rows = list(csv.reader(io.StringIO(to_csv([prize(text)]).decode("utf-8-sig"))))
    assert rows[1][3] in (accepted, "'" + accepted)


def test_the_results_spreadsheets_name_the_genre_as_the_pages_do():
    """Stored as the round's rules spell it ("phóng sự"), shown with a capital everywhere (award.rules.genre_label)."""
    assert xlsx_cells(to_xlsx([prize("Người giữ lửa")], "Kết quả"))[5] == "Phóng sự"
    assert list(csv.reader(io.StringIO(to_csv([prize("Người giữ lửa")]).decode("utf-8-sig"))))[1][5] == "Phóng sự"


@pytest.mark.parametrize(("pens", "cell"), [((None, "Hà Kiên"), "–; Hà Kiên"), ((None, None), ""),
                                           (("Bút Hồng", "Hà Kiên"), "Bút Hồng; Hà Kiên"), (("Bút Hồng", ""), "Bút Hồng; –")])
def test_the_pen_name_column_stands_each_pen_name_against_its_author(pens, cell):
    work = prize("Người giữ lửa")
    work.authors = [{"full_name": f"Tác giả {i}", "pen_name": pen} for i, pen in enumerate(pens)]
    assert (xlsx_cells(to_xlsx([work], "Kết quả"))[7] or "") == cell
    assert list(csv.reader(io.StringIO(to_csv([work]).decode("utf-8-sig"))))[1][7] == cell


def test_a_title_with_a_control_character_stored_earlier_still_downloads():
    cells = xlsx_cells(to_xlsx([prize("Tiêu đề\x00 có\x1b ký tự\x0c lạ \ud800")], "Kết quả"))
    assert cells[3] == "Tiêu đề có ký tự lạ"


@pytest.mark.parametrize("text", SAMPLES)
def test_pdf_draws_every_script_the_product_accepts(text):
    doc = Document("Thử")
    doc.paragraph(text)
    doc.grid(["Tên"], [[text]], [100])
    assert doc.normalize_text(text) == text  # every character has a glyph in a bundled font
    extracted = PdfReader(io.BytesIO(doc.render())).pages[0].extract_text()
    squeezed = "".join(extracted.split())
    for ch in text:
        if not ch.isspace() and unicodedata.category(ch) not in ("Mn", "Mc", "Sk", "Cf"):
            assert ch in squeezed or unicodedata.normalize("NFKC", ch) in squeezed, (ch, extracted)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=60))
def test_pdf_renders_any_text_and_drops_nothing(text):
    doc = Document("Thử")
    shown = doc.normalize_text(text)
    for ch in text:
        assert ch in shown or placeholder(ch) in shown
    doc.paragraph(text)
    doc.grid(["Tên", "Tác giả"], [[text, text]], [90, 90])
    assert doc.render().startswith(b"%PDF")
