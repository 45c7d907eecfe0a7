"""Plain text out of the documents people upload: .txt/.md, .docx (python-docx) and .pdf (pypdf)."""

import io
import re
import unicodedata
import zipfile
from collections import Counter
from typing import BinaryIO

from award.files import UnsupportedFile

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # a DOCX that inflates past this is refused (zip bomb)
MAX_PDF_PAGES = 2000
# Raised by a release whose extraction gives other text for the same file (1: PDF running heads and feet
# dropped, December 2026). `award migrate` queues every document read by another version to be read again
# (award.entry_files.queue_outdated_extractions); 0 marks files read before versions were recorded.
EXTRACTOR_VERSION = 1


class UnsupportedDocument(UnsupportedFile):
    """Not a document we can read (answers 415, like any refused file type)."""


def sniff_document(head: bytes) -> str | None:
    """Document kind from the first bytes: 'pdf', 'docx' or 'text' (valid UTF-8 without NUL)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        if exc.start < len(head) - 4:
            return None
    return "text"


def _docx_text(data: BinaryIO) -> str:
    import docx

    with zipfile.ZipFile(data) as zf:
        if "word/document.xml" not in zf.namelist():
            raise UnsupportedDocument("Tệp không phải là tài liệu Word (.docx) hợp lệ.", field="file")
        if sum(i.file_size for i in zf.infolist()) > MAX_DOCX_UNCOMPRESSED:
            raise UnsupportedDocument("Tài liệu Word giải nén quá lớn, không thể đọc.", field="file")
    data.seek(0)
    document = docx.Document(data)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(lines)


_DIGITS = re.compile(r"\d+")


def strip_running_lines(pages: list[str]) -> list[str]:
    """``pages`` without their running heads and feet: a page's first or last non-empty line that is also
    the first (last) line of at least half of the pages, and of two at least, numbers aside ("Báo Nhân Dân
    – trang 3/12").  A printed work's page header names the newspaper, or the award itself ("GIẢI BÚA LIỀM
    VÀNG" on the demo's PDFs): read as the work's text, it suggested the theme about promoting the award."""
    if len(pages) < 2:
        return pages
    split = [page.splitlines() for page in pages]

    def key(line: str) -> str:
        return _DIGITS.sub("#", " ".join(line.split()))

    def ends(lines: list[str]) -> tuple[int, int] | None:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        return (filled[0], filled[-1]) if filled else None

    need = max(2, (len(pages) + 1) // 2)
    bounds = [ends(lines) for lines in split]
    heads = Counter(key(lines[b[0]]) for lines, b in zip(split, bounds) if b)
    feet = Counter(key(lines[b[1]]) for lines, b in zip(split, bounds) if b)
    out = []
    for page, lines, b in zip(pages, split, bounds):
        if b is None:
            out.append(page)
            continue
        drop = set()
        if heads[key(lines[b[0]])] >= need:
            drop.add(b[0])
        if feet[key(lines[b[1]])] >= need:
            drop.add(b[1])
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop) if drop else page)
    return out


def _pdf_text(data: BinaryIO) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(data)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnsupportedDocument("Tệp PDF có quá nhiều trang.", field="file")
        return "\n\n".join(strip_running_lines([page.extract_text() or "" for page in reader.pages]))
    except PdfReadError as exc:
        raise UnsupportedDocument("Không đọc được tệp PDF (tệp hỏng hoặc được mã hóa).", field="file") from exc


def extract_text(data: BinaryIO) -> str:
    """Text of a .txt/.md/.docx/.pdf document, NFC-normalised; the kind is sniffed from the content."""
    head = data.read(4096)
    data.seek(0)
    kind = sniff_document(head)
    if kind == "pdf":
        text = _pdf_text(data)
    elif kind == "docx":
        text = _docx_text(data)
    elif kind == "text":
        raw = data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UnsupportedDocument("Tệp văn bản phải được mã hóa UTF-8.", field="file") from exc
    else:
        raise UnsupportedDocument("Chỉ nhận tệp .txt, .md, .docx hoặc .pdf.", field="file")
    return unicodedata.normalize("NFC", text)


def extract_bytes(raw: bytes) -> str:
    return extract_text(io.BytesIO(raw))


def pdf_pages(data: BinaryIO) -> int | None:
    """Number of pages of a PDF, or None for another kind of document."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    data.seek(0)
    if sniff_document(data.read(8)) != "pdf":
        return None
    data.seek(0)
    try:
        return len(PdfReader(data).pages)
    except PdfReadError:
        return None
