"""PDF documents (forwarding lists, minutes, certificates) with fpdf2 and a bundled Unicode font,
so Vietnamese diacritics print the same on every machine."""

import unicodedata
from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).parent / "data" / "fonts"
FONT = "DejaVu"
# Where DejaVu has no glyph (CJK, emoji, Indic, rarer symbols), fpdf2 takes it from these, in order:
# GNU Unifont (every visible BMP character; `upper`: emoji and the other planes), from the Debian
# package fonts-unifont that the Dockerfile installs, or copied next to DejaVu. Missing files are skipped.
FALLBACK_FONTS = (
    ("Unifont", ("unifont.otf", "/usr/share/fonts/opentype/unifont/unifont.otf")),
    ("UnifontUpper", ("unifont_upper.otf", "/usr/share/fonts/opentype/unifont/unifont_upper.otf")),
)


def _font_file(candidates: tuple[str, ...]) -> Path | None:
    for candidate in candidates:
        path = FONT_DIR / candidate if "/" not in candidate else Path(candidate)
        if path.is_file():
            return path
    return None


def placeholder(ch: str) -> str:
    """What stands for a character no font can draw: its code point, visible, never a silent gap."""
    return f"[U+{ord(ch):04X}]"


@cache
def _fallback_cmaps() -> tuple[tuple[str, Path, frozenset[int]], ...]:
    """(family, file, code points it draws) of each fallback font present, read once per process."""
    from fontTools.ttLib import TTFont

    found = []
    for family, candidates in FALLBACK_FONTS:
        path = _font_file(candidates)
        if path is not None:
            with TTFont(str(path), lazy=True) as font:
                found.append((family, path, frozenset(font.getBestCmap())))
    return tuple(found)


def Document(title: str, orientation: str = "P", *, official: bool = False, frame: bool = False):  # noqa: N802
    """An A4 page with numbered pages (see `_document_class`). `official`: the first page carries the
    administrative header (`official_header`) instead of the award's running heading, with the margins of
    Nghị định 30/2020/NĐ-CP (left 30 mm, right 15 mm, top and bottom 20 mm). `frame`: a certificate, no
    running heading or footer, everything inside its frame."""
    return _document_class()(title, orientation, official=official, frame=frame)


def vn_date_line(place: str, day) -> str:
    """“Hà Nội, ngày 03 tháng 02 năm 2025”: the place and date line of a Vietnamese document (days and months
    below 10 written with a leading zero, as the format asks)."""
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


@cache
def _document_class():
    """fpdf2 (with fontTools) adds ~50 MB to a process: it is loaded when the first PDF is made, not in
    every app worker at start (bench/media.py measures workers' memory during large uploads)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class _Document(FPDF):
        def __init__(self, title: str, orientation: str = "P", *, official: bool = False, frame: bool = False):
            super().__init__(orientation=orientation, unit="mm", format="A4")
            self.doc_title = title
            self.official, self.framed = official, frame
            if official:
                self.set_margins(30, 20, 15)
            self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self._drawable = set(self.fonts[FONT.lower()].cmap)
            self._fallbacks_loaded = False
            self.set_title(title)
            self.set_creator("Giải Búa liềm vàng")
            self.set_auto_page_break(auto=True, margin=18)
            self.add_page()

        def _load_fallbacks(self) -> None:
            """Add the fallback fonts to this document, the first time its text needs one. Parsing Unifont
            costs ~0.3 s a document; most documents are Vietnamese only and never pay it (bench/documents.py)."""
            self._fallbacks_loaded = True
            families = []
            for family, path, cmap in _fallback_cmaps():
                self.add_font(family, "", str(path))
                families.append(family)
                self._drawable |= cmap
            self.set_fallback_fonts(families, exact_match=False)

        def normalize_text(self, text: str) -> str:
            """Every character the product accepted prints: from DejaVu, else a fallback font, else as
            its code point (fpdf2 itself would drop it with a log line). Joiners, variation selectors and
            combining marks are drawn as part of their neighbours."""
            out = []
            for ch in text:
                category = unicodedata.category(ch)
                if ch == "\n" or category in ("Mn", "Me", "Cf"):
                    out.append(ch)
                    continue
                if category != "Cc" and ord(ch) not in self._drawable and not self._fallbacks_loaded:
                    self._load_fallbacks()
                out.append(ch if category != "Cc" and ord(ch) in self._drawable else placeholder(ch))
            return super().normalize_text("".join(out))

        def header(self):
            if self.framed or (self.official and self.page_no() == 1):
                return  # a certificate has its own layout; an official first page its own header
            self.set_font(FONT, "B", 9)
            self.set_text_color(120, 20, 20)
            self.cell(0, 5, "GIẢI BÁO CHÍ TOÀN QUỐC VỀ XÂY DỰNG ĐẢNG – GIẢI BÚA LIỀM VÀNG", align="C",
                      new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0, 0, 0)
            self.ln(3)

        def footer(self):
            if self.framed:
                return
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.cell(0, 5, f"{self.doc_title} – trang {self.page_no()}/{{nb}}", align="C")

        def heading(self, text: str, size: int = 14) -> None:
            self.set_font(FONT, "B", size)
            self.multi_cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def paragraph(self, text: str, size: int = 10, bold: bool = False) -> None:
            self.set_font(FONT, "B" if bold else "", size)
            self.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")

        def grid(self, headings: list[str], rows: list[list[str]], widths: list[int]) -> None:
            """A bordered table; the heading row repeats on every page."""
            self.set_font(FONT, "", 9)
            with self.table(col_widths=widths, text_align="LEFT", line_height=5.5,
                            headings_style=FontFace(emphasis="BOLD", fill_color=(243, 241, 236))) as table:
                head = table.row()
                for heading in headings:
                    head.cell(heading)
                for values in rows:
                    row = table.row()
                    for value in values:
                        row.cell(value)

        def official_header(self, *, superior: str, issuing: str, number: str, motto: str, motto_sub: str,
                            date_line: str) -> None:
            """The two-column head of a Vietnamese administrative document: the superior and issuing bodies
            (the latter bold) with a short rule and the document number on the left; the national name and
            motto (the motto underlined) with the place and date on the right."""
            usable = self.w - self.l_margin - self.r_margin
            left_w, gap = usable * 0.44, usable * 0.02
            right_x = self.l_margin + left_w + gap
            right_w = self.w - self.r_margin - right_x
            top = self.get_y()

            def line(text: str, width: float, style: str, size: float, height: float) -> None:
                # Each line of a heading on one row where it can be (the format's look): shrink to 9 pt first.
                for row in text.split("\n"):
                    fitted = size
                    self.set_font(FONT, style, fitted)
                    while fitted > 9 and self.get_string_width(row) > width - 1:
                        fitted -= 0.5
                        self.set_font(FONT, style, fitted)
                    x = self.get_x()
                    self.multi_cell(width, height, row, align="C", new_x="LEFT", new_y="NEXT")
                    self.set_x(x)

            self.set_x(self.l_margin)
            if superior:
                line(superior, left_w, "", 11, 5.5)
            line(issuing, left_w, "B", 11, 5.5)
            middle = self.l_margin + left_w / 2
            self.line(middle - 12, self.get_y() + 1, middle + 12, self.get_y() + 1)
            self.set_xy(self.l_margin, self.get_y() + 3)
            line(number, left_w, "", 11, 5.5)
            left_bottom = self.get_y()
            self.set_xy(right_x, top)
            if motto:
                line(motto, right_w, "B", 11, 5.5)
            if motto_sub:
                line(motto_sub, right_w, "B", 12, 6)
                half = self.get_string_width(motto_sub) / 2
                middle = right_x + right_w / 2
                self.line(middle - half, self.get_y() + 0.5, middle + half, self.get_y() + 0.5)
            if date_line:
                self.set_xy(right_x, self.get_y() + 4)
                line(date_line, right_w, "", 11, 5.5)
            self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 6)

        def signatures(self, signers: list, note: str = "(Ký, ghi rõ họ tên)") -> None:
            """One or two signature blocks (one: on the right; two: side by side): the title in capitals, the
            note, space for the signature and the seal, then the name. `signers` have `.title` and `.name`."""
            self.ln(6)
            if self.get_y() > self.h - self.b_margin - 45:
                self.add_page()  # a signature block never splits from its title
            width = (self.w - self.l_margin - self.r_margin) / 2
            top = self.get_y()
            columns = [self.l_margin + width] if len(signers) == 1 else [self.l_margin, self.l_margin + width]
            for x, signer in zip(columns, signers[-2:], strict=False):
                self.set_xy(x, top)
                self.set_font(FONT, "B", 11)
                self.multi_cell(width, 5.5, signer.title, align="C", new_x="LEFT", new_y="NEXT")
                self.set_font(FONT, "", 9)
                self.multi_cell(width, 5, note, align="C", new_x="LEFT", new_y="NEXT")
                self.ln(24)  # the signature and the seal
                self.set_font(FONT, "B", 11)
                self.multi_cell(width, 5.5, signer.name or " ", align="C", new_x="LEFT", new_y="NEXT")
            self.set_x(self.l_margin)

        def render(self) -> bytes:
            return bytes(self.output())

    return _Document
