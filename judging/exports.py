"""The published list as a spreadsheet: CSV (UTF-8 with BOM, so Excel shows the diacritics) and XLSX."""

import csv
import io

from award.rules import MEDIA_TYPES, genre_label
from award.text import clean_line
from judging.publication import Prize

HEADINGS = ["STT", "Mức giải", "Giải chuyên đề", "Tên tác phẩm", "Loại hình", "Thể loại", "Tác giả", "Bút danh",
            "Cơ quan báo chí", "Đơn vị", "Chủ đề", "Mã tác phẩm", "Mã kiểm tra"]


def rows(prizes: list[Prize]) -> list[list]:
    return [[_text(v) for v in row] for row in _rows(prizes)]


def _text(value):
    """Cells in the one normal form (award.text.clean_line). Text accepted since that rule is unchanged by
    it; a control character stored before it (XML, so XLSX, refuses most of them, and a lone surrogate
    cannot be written as UTF-8) no longer turns the download into an error."""
    return clean_line(value) if isinstance(value, str) else value


def _rows(prizes: list[Prize]) -> list[list]:
    return [[i, p.level_label, p.thematic or "", p.title, MEDIA_TYPES.get(p.media_type, p.media_type), genre_label(p.genre),
             "; ".join(a["full_name"] for a in p.authors), _pen_names(p.authors),
             p.outlet, p.unit, "; ".join(t["code"] for t in p.themes), p.entry_id, p.checksum or ""]
            for i, p in enumerate(prizes, start=1)]


def _pen_names(authors: list[dict]) -> str:
    """The "Bút danh" cell: the authors' pen names in the order of "Tác giả", "–" for one who has none (so each
    stands against its author), empty when none has one ("; Hà Kiên" and a lone ";" read as noise)."""
    if not any(a.get("pen_name") for a in authors):
        return ""
    return "; ".join(a.get("pen_name") or "–" for a in authors)


def _safe(value):
    """Spreadsheets run cells that start with = + - @ as formulas; published titles must stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(prizes: list[Prize]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    writer.writerows([[_safe(v) for v in row] for row in rows(prizes)])
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(prizes: list[Prize], title: str) -> bytes:
    # Loaded here, not at start: openpyxl is ~30 MB that most app workers never need.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Kết quả"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(HEADINGS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows(prizes):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a title starting with "=" is text, never a formula
                cell.data_type = "s"
    for column, width in zip("ABCDEFGHIJKLM", (5, 16, 24, 50, 14, 14, 30, 20, 28, 28, 14, 10, 20)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
