"""Plain text out of the documents people upload: .txt/.md, .docx (python-docx) and .pdf (pypdf)."""

import io
import unicodedata
import zipfile
from typing import BinaryIO

from award.files import UnsupportedFile

MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # a DOCX that inflates past this is refused (zip bomb)
MAX_PDF_PAGES = 2000


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


def _pdf_text(data: BinaryIO) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(data)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UnsupportedDocument("Tệp PDF có quá nhiều trang.", field="file")
        return "\n\n".join((page.extract_text() or "") for page in reader.pages)
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
