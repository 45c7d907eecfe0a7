"""Spreadsheets in and out (XLSX, openpyxl): the one reader and the one writer of the console's imports and
exports (quotas, judges, the list of works). Imports are all or nothing: every row is checked first and
every problem is reported by row and column, in Vietnamese; nothing is written while any remains.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from award.errors import Invalid, named, vn_count
from award.files import require_content, stream_size
from award.text import clean_line, fold

MAX_ROWS = 5000  # more than every unit, judge or quota line of a round; a bigger sheet is a mistake


@dataclass(frozen=True)
class RowError:
    """One problem of an import: a cell ("Dòng 6, cột “Đơn vị”: …"), a whole row ("Dòng 6: …"), or the
    file as a whole (`row` None: "Tệp: …", never a row 0 or a column named “tệp”; `whole_file`)."""

    row: int | None  # 1-based, as the spreadsheet numbers it (the heading is row 1); None: no row at fault
    column: str | None  # the column's heading as the sheet's template spells it; None: the whole row
    message: str

    @classmethod
    def whole_file(cls, message: str, about: str = "Tệp") -> "RowError":
        """A problem of the file (or of what it is imported into, `about`), not of a row in it."""
        return cls(None, about, message)

    def __str__(self) -> str:
        if self.row is None:
            return named(self.column or "Tệp", self.message)
        if self.column is None:
            return f"Dòng {self.row}: {self.message}"
        return f"Dòng {self.row}, cột “{self.column}”: {self.message}"


class ImportFailed(Invalid):
    """One or more rows are wrong; `errors` lists them all (nothing was imported)."""

    code = "import_failed"

    def __init__(self, errors: list[RowError], field: str = "file"):
        shown = "; ".join(map(str, errors[:20])) + (f"; và {len(errors) - 20} lỗi khác" if len(errors) > 20 else "")
        super().__init__(f"Chưa nhập được tệp, không dòng nào được lưu. {shown}.", field=field)
        self.errors = errors


def text(value: Any) -> str:
    """A cell as text in the one normal form (award.text.clean_line); numbers keep no ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_line(str(value))


def read(source: bytes | IO[bytes] | Path, columns: dict[str, str],
         required: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
    """The rows of the first sheet as [(row number, {key: cell})], blank rows skipped.

    `columns` is {key: heading}; headings are matched ignoring case, diacritics and order. Raises ImportFailed
    when the file is not a workbook, a required heading is missing or there are more than MAX_ROWS rows."""
    from openpyxl import load_workbook  # ~30 MB most workers never need

    if isinstance(source, bytes):
        require_content(len(source))
    elif isinstance(source, (str, Path)):
        require_content(Path(source).stat().st_size)
    else:
        require_content(stream_size(source))

    try:
        book = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFailed([RowError.whole_file("không đọc được tệp Excel (.xlsx); hãy lưu bảng tính dưới dạng "
                                                "Excel Workbook (.xlsx) rồi chọn lại tệp.")]) from exc
    lines = sheet.iter_rows(values_only=True)
    heading = [fold(text(v)) for v in next(lines, ())]
    wanted = {fold(label): key for key, label in columns.items()}
    index = {wanted[h]: i for i, h in enumerate(heading) if h in wanted}
    missing = [columns[k] for k in required if k not in index]
    if missing:
        raise ImportFailed([RowError(1, m, "thiếu cột này ở dòng tiêu đề.") for m in missing])
    rows = []
    for number, values in enumerate(lines, start=2):
        cells = {k: values[i] if i < len(values) else None for k, i in index.items()}
        if not any(text(v) for v in cells.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFailed([RowError.whole_file(f"có hơn {vn_count(MAX_ROWS)} dòng dữ liệu "
                                                    f"(tối đa {vn_count(MAX_ROWS)} dòng).")])
        rows.append((number, cells))
    return rows


def whole_number(value: Any, *, row: int, column: str, errors: list[RowError], minimum: int = 0,
                 maximum: int = 100_000) -> int | None:
    """A cell holding a whole number in [minimum, maximum], else None with the problem added to `errors`."""
    raw = text(value)
    try:
        number = int(raw) if not isinstance(value, float) else (int(value) if value.is_integer() else None)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        errors.append(RowError(row, column, f"“{raw}” không phải số nguyên từ {minimum} đến {maximum}."))
        return None
    return number


def _safe(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas: what people typed stays text."""
    if isinstance(value, str):
        value = clean_line(value)
        if value[:1] in ("=", "+", "-", "@"):
            return "'" + value
    return value


def write(headings: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str, title: str | None = None,
          widths: Sequence[int] = ()) -> bytes:
    """An XLSX file: an optional bold title line, bold headings, then `rows`; frozen below the headings."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]  # Excel's limit on a sheet's name
    if title:
        sheet.append([title])
        sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(headings))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{sheet.max_row + 1}"  # a cell reference would create the row: data below a gap
    for row in rows:
        sheet.append([_safe(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
