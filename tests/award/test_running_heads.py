"""A PDF's running heads and feet are not the work's text (award.textextract.strip_running_lines): the demo's
printed works carry the award's own name on every page, which made "promote the award" their first theme."""

import io

from award.pdf import Document
from award.textextract import extract_text, strip_running_lines

SUMMARY = ("Ba kỳ phóng sự về những bí thư chi bộ bám bản ở các xã biên giới Hà Tĩnh, nâng cao chất lượng sinh hoạt "
           "chi bộ và củng cố niềm tin của nhân dân với Đảng.")


def _pdf(pages: int) -> bytes:
    doc = Document("Người giữ lửa ở chi bộ vùng biên")
    for part in range(1, pages + 1):
        if part > 1:
            doc.add_page()
        doc.heading(f"Người giữ lửa ở chi bộ vùng biên\nKỳ {part}")
        doc.paragraph(SUMMARY, size=12)
    return doc.render()


def test_the_award_s_running_head_and_the_page_numbers_are_not_read_as_the_work():
    text = extract_text(io.BytesIO(_pdf(3)))
    assert "BÚA LIỀM VÀNG" not in text.upper() and "trang 2/3" not in text
    assert text.count("Kỳ ") == 3 and " ".join(text.split()).count("niềm tin của nhân dân") == 3


def test_one_page_keeps_its_first_and_last_lines():
    text = extract_text(io.BytesIO(_pdf(1)))
    assert "GIẢI BÚA LIỀM VÀNG" in text and "trang 1/1" in text


def test_only_lines_repeated_at_a_page_edge_on_half_the_pages_go():
    pages = ["Báo Hà Tĩnh\nMở đầu bài\n\nTrang 1", "Báo Hà Tĩnh\nThân bài\nTrang 2", "Kết bài\nBáo Hà Tĩnh\nTrang 3"]
    # the outlet's name heads two pages of three; the page numbers end all three; "Báo Hà Tĩnh" inside page 3 stays
    assert strip_running_lines(pages) == ["Mở đầu bài\n", "Thân bài", "Kết bài\nBáo Hà Tĩnh"]
    assert strip_running_lines(["Một trang\nduy nhất"]) == ["Một trang\nduy nhất"]
    assert strip_running_lines(["A\nx", "B\ny"]) == ["A\nx", "B\ny"]  # nothing repeated
