"""Hostile documents and images: refused, or read within fixed caps of time and memory in a child
process, while the app's own process stays small and keeps serving."""

import resource
import time

import pytest

from award.files import MAX_IMAGE_PIXELS, UnsupportedFile, check_image_dimensions
from award.sandbox import ExtractionLimit, extract_limited
from award.textextract import UnsupportedDocument

CPU_BOMB_OPS = b"BT /F1 12 Tf 72 712 Td (a) Tj ET\n" * 200_000  # a 20 KB PDF; pypdf needs ~25 s for it


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_normal_pdf_is_read_in_the_child(samples, tmp_path):
    path = tmp_path / "binh-thuong.pdf"
    path.write_bytes(samples.pdf_with_streams([b"BT /F1 12 Tf 72 712 Td (Xay dung Dang) Tj ET",
                                               b"BT /F1 12 Tf 72 712 Td (trang hai) Tj ET"]))
    extracted = extract_limited(path, timeout=30)
    assert extracted.pages == 2 and extracted.text.split() == ["Xay", "dung", "Dang", "trang", "hai"]


def test_a_pdf_whose_extraction_runs_away_is_stopped_at_the_time_cap(samples, tmp_path):
    path = tmp_path / "vong-lap.pdf"
    path.write_bytes(samples.pdf_with_streams([CPU_BOMB_OPS]))
    assert path.stat().st_size < 50_000
    started = time.monotonic()
    with pytest.raises(ExtractionLimit, match="quá nhiều thời gian"):
        extract_limited(path, timeout=2)
    assert time.monotonic() - started < 5


def test_a_pdf_that_inflates_is_stopped_at_the_memory_cap(samples, tmp_path):
    path = tmp_path / "phinh-to.pdf"
    huge_string = b"BT /F1 12 Tf (" + b"a" * 70_000_000 + b") Tj ET\n"  # ~70 MB inflated from ~70 KB
    path.write_bytes(samples.pdf_with_streams([huge_string] * 3))
    assert path.stat().st_size < 1_000_000
    before = own_peak_rss_mb()
    started = time.monotonic()
    with pytest.raises(UnsupportedDocument):
        extract_limited(path, timeout=20, memory=160 * 1024 * 1024)
    assert time.monotonic() - started < 20
    assert own_peak_rss_mb() - before < 50  # the inflating happened elsewhere


def test_a_docx_bomb_is_refused_by_the_child_without_inflating(samples, tmp_path):
    bomb = samples.zip_bomb_docx(tmp_path / "bom.docx", inflated=300 * 1024 * 1024)
    with pytest.raises(UnsupportedDocument, match="giải nén quá lớn"):
        extract_limited(bomb, timeout=20)


def test_garbage_named_pdf_is_an_unreadable_document_not_a_crash(tmp_path):
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.raises(UnsupportedDocument):
        extract_limited(path, timeout=20)


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (20_000, 8_000), (65_535, 65_535)])
def test_an_image_declaring_huge_pixel_dimensions_is_refused(samples, width, height):
    with pytest.raises(UnsupportedFile, match="Ảnh quá lớn về kích thước điểm ảnh"):
        check_image_dimensions(samples.png_header(width, height))


def test_a_large_real_photograph_is_accepted(samples):
    check_image_dimensions(samples.png_header(11_648, 8_736))  # a 102-megapixel camera
    assert 11_648 * 8_736 < MAX_IMAGE_PIXELS
