"""Issue 17 item 5: the minutes, certificates and forwarding lists are laid out as Vietnamese administrative
documents (issuing body, national name and motto, number, place and date, signatures from the round's
settings; the minutes state quorum and attendance), and certificates keep every line inside their frame.
Each PDF is read back (pypdf) and rendered to an image (pdftoppm, from poppler-utils, which
scripts/ensure-test-services.sh installs)."""

import io
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from PIL import Image
from pypdf import PdfReader

from award.models import Round, Unit, UnitKind, User
from award.rules import RoundRules
from judging import documents
from judging.forwarding_list import forwarding_list_pdf
from judging.models import ForwardingBatch
from judging.publication import Prize

ISSUED = datetime(2025, 2, 3, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def round_ix(**documents_settings) -> Round:
    rules = RoundRules().model_dump(mode="json")
    rules["documents"].update(documents_settings)
    return Round(id=4, number="IX", year=2024, name="Lần thứ IX", rules=rules)


def prize(title="Loạt bài: Giữ vững kỷ cương ở chi bộ vùng biên", authors=None) -> Prize:
    return Prize(entry_id=17, title=title, level="A", thematic=None, media_type="print", genre="phóng sự",
                 unit="Hà Tĩnh", outlets=["Báo Hà Tĩnh"],
                 authors=authors or [{"full_name": "Nguyễn Văn Ánh", "pen_name": "Ánh Dương"},
                                     {"full_name": "Trần Thị Bình", "pen_name": None}], checksum="ab" * 32)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def glyph_boxes(pdf: bytes, page_number: int = 0) -> list[tuple[float, float, float, str]]:
    """(x, baseline y, font size, text) of every piece of text on a page, in PDF points from the bottom left."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            scale = tm[3] * cm[3] if tm[3] else 1
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], abs(font_size * scale), text))

    PdfReader(io.BytesIO(pdf)).pages[page_number].extract_text(visitor_text=visit)
    return found


MM = 72 / 25.4


def test_minutes_carry_the_official_header_quorum_attendance_and_signatures():
    snapshot = {"members": [{"id": 1, "name": "Lê Quang Minh"}, {"id": 2, "name": "Phạm Thu Hà"},
                            {"id": 3, "name": "Đỗ Văn Giám Khảo"}],
                "works": [{"entry_id": 17, "voters": 3, "cast": 2, "counts": {"A": 2}, "proposed": "A",
                           "allocated": "A", "flags": [], "final": "A"}], "thematic": [], "overrides": {}}
    rules_round = round_ix(council_chair={"title": "CHỦ TỊCH HỘI ĐỒNG", "name": "Nguyễn Chủ Tịch"})
    pdf = documents.minutes_pdf(round_=rules_round, snapshot=snapshot, titles={17: "Giữ vững kỷ cương"}, at=ISSUED,
                                status="đã phê duyệt", voted={1, 2})
    text = " ".join(text_of(pdf).split())
    for expected in ("BAN TỔ CHỨC TRUNG ƯƠNG", "BAN CHỈ ĐẠO GIẢI BÚA LIỀM VÀNG", "HỘI ĐỒNG CHUNG KHẢO",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 01-BB/HĐCK-IX",
                     "Hà Nội, ngày 03 tháng 02 năm 2025",
                     "Thành phần: Hội đồng có 3 thành viên. Có mặt và bỏ phiếu: 2 thành viên (Lê Quang Minh, Phạm Thu Hà)",
                     "Vắng: Đỗ Văn Giám Khảo.", "ít nhất 66,67 % số thành viên", "THƯ KÝ HỘI ĐỒNG",
                     "CHỦ TỊCH HỘI ĐỒNG", "Nguyễn Chủ Tịch", "GIẢI BÚA LIỀM VÀNG LẦN THỨ IX – NĂM 2024"):
        assert expected in text, expected
    # the file's own title names the round as every other document does (Round.label)
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Biên bản bỏ phiếu chung khảo lần thứ IX – năm 2024"


def test_a_party_format_header_is_a_setting():
    snapshot = {"members": [], "works": [], "thematic": [], "overrides": {}}
    pdf = documents.minutes_pdf(round_=round_ix(motto="ĐẢNG CỘNG SẢN VIỆT NAM", motto_sub=""), snapshot=snapshot,
                                titles={}, at=ISSUED, status="chưa đề xuất")
    text = text_of(pdf)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Độc lập" not in text


@pytest.mark.parametrize("title", ["Loạt bài: Giữ vững kỷ cương ở chi bộ vùng biên",
                                   "Ẩn mình giữa đại ngàn: " + "những người đảng viên lặng thầm giữ lửa ở bản làng " * 3])
def test_every_line_of_a_certificate_stays_inside_its_frame_with_room_for_tone_marks(title):
    pdf = documents.certificate_pdf(round_=round_ix(), prize=prize(title), checksum="ab" * 32, issued=ISSUED)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # one page per author, each on its own page
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    inner = (documents.FRAME + 2) * MM
    for page in range(2):
        boxes = glyph_boxes(pdf, page)
        assert boxes
        for x, baseline, size, text in boxes:
            # Stacked Vietnamese marks (Ẩ, Ễ) rise to about 1.15 em above the baseline; descenders 0.25 em.
            assert baseline + 1.2 * size < height - inner, f"{text!r} touches the top of the frame"
            assert baseline - 0.3 * size > inner, f"{text!r} touches the bottom of the frame"
            assert inner < x < width - inner, f"{text!r} outside the frame"
    text = " ".join(text_of(pdf).split())
    assert "GIẤY CHỨNG NHẬN" in text and "Số: IX-17-1/GCN" in text and "Số: IX-17-2/GCN" in text
    assert "TRƯỞNG BAN CHỈ ĐẠO" in text and "Hà Nội, ngày 03 tháng 02 năm 2025" in text
    assert "Nguyễn Văn Ánh (bút danh Ánh Dương)" in text and "đạt Giải A" in text


def test_certificates_download_under_a_name_per_author():
    assert documents.certificate_filename(prize(), 1) == "giay-chung-nhan-17-nguyen-van-anh.pdf"
    assert documents.certificate_filename(prize(), 2) == "giay-chung-nhan-17-tran-thi-binh.pdf"
    assert documents.certificate_filename(prize(), None) == "giay-chung-nhan-17.pdf"


def test_forwarding_list_is_issued_by_the_unit_dated_from_it_and_signed():
    batch = ForwardingBatch(id=5, round_id=4, unit_id=9, entry_ids=[17], digest="cd" * 32, forwarded_by=3,
                            forwarded_at=ISSUED)
    unit = Unit(id=9, code="ha-tinh", name="Hà Tĩnh", kind=UnitKind.province)
    sender = User(id=3, email="donvi@hatinh.vn", full_name="Phạm Quốc Tổ Chức", password_hash="x", role="unit_manager")
    from award.models import Entry
    entry = Entry(id=17, round_id=4, unit_id=9, owner_id=1, title="Người giữ lửa", media_type="print", genre="ký")
    pdf = forwarding_list_pdf(batch=batch, round_=round_ix(), unit=unit, sender=sender, entries=[entry], authors={})
    text = " ".join(text_of(pdf).split())
    for expected in ("HÀ TĨNH", "BAN TỔ CHỨC GIẢI BÁO CHÍ", "Số: 5-DS/BLVIX", "Hà Tĩnh, ngày 03 tháng 02 năm 2025",
                     "LẦN THỨ IX – NĂM 2024", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "XÁC NHẬN CỦA ĐƠN VỊ", "Phạm Quốc Tổ Chức", "Người giữ lửa"):
        assert expected in text, expected


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils: scripts/ensure-test-services.sh")
def test_a_certificate_renders_to_an_image_with_nothing_printed_outside_its_frame(tmp_path):
    pdf = documents.certificate_pdf(round_=round_ix(), prize=prize(), checksum="ab" * 32, issued=ISSUED,
                                    author_positions=[0])
    (tmp_path / "gcn.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(tmp_path / "gcn.pdf"), str(tmp_path / "gcn")],
                   check=True, timeout=60)
    image = Image.open(tmp_path / "gcn.png").convert("L")
    w, h = image.size
    edge = int(documents.FRAME * 40 / 25.4) - 2  # pixels from the page edge to just outside the outer frame
    outside = [image.getpixel((x, y)) for x in range(w) for y in (*range(edge), *range(h - edge, h))]
    assert min(outside) > 200, "something is printed outside the frame"
    inside = [image.getpixel((x, y)) for x in range(edge * 3, w - edge * 3) for y in range(h // 4, h // 2)]
    assert min(inside) < 100, "the certificate's text did not render"
