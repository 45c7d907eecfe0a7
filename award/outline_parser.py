"""Parse the "đề cương" (outline of themes) of a Búa liềm vàng plan document.

Each year the award publishes a plan (kế hoạch) whose themes organisers tag
entries with.  The text reaches us as plain text pasted from a web page, a
markdown export or Word, so the parser has to cope with many surface variants
of the same structure::

    1- Nội dung tuyên truyền trọng tâm            -> section "1"
    1.1- Tăng cường bảo vệ nền tảng ...           -> theme   "1.1"
    - Phân tích và chứng minh ...                 -> point   "1.1.1"
    Nêu những kết quả ... (bullet without a dash) -> point   "1.1.2"

Pipeline (each step is a small function below):

1. ``_normalise_text``  NFC, unify line breaks / spaces, drop zero-width chars.
2. ``_classify``        one ``_Line`` per physical line: numbered item, roman
                        heading, bullet, plain text, or debris (dropped).
3. ``_select_region``   pick the part of the document holding the outline.
4. ``_build``           turn the lines into draft sections/themes/points.
5. ``_emit``            give every node a unique code, collect warnings.

Only the standard library is used so the module can run anywhere (CLI, API,
migrations) without extra dependencies.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["ParsedNode", "ParsedOutline", "parse_outline"]


# --------------------------------------------------------------------------
# Public result types
# --------------------------------------------------------------------------


@dataclass
class ParsedNode:
    """One node of the outline tree.

    ``code`` is "1" for a section, "1.1" for a theme and "1.1.3" for the
    third point of theme 1.1 (or "2.3" for the third point of a section that
    has no themes).  ``kind`` is "section", "theme" or "point".
    """

    code: str
    kind: str
    title: str
    children: list["ParsedNode"] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "kind": self.kind,
            "title": self.title,
            "children": [child.to_dict() for child in self.children],
        }


@dataclass
class ParsedOutline:
    """Top-level sections plus human-readable (Vietnamese) warnings."""

    nodes: list[ParsedNode] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "nodes": [node.to_dict() for node in self.nodes],
            "warnings": list(self.warnings),
        }

    def themes(self) -> list[ParsedNode]:
        """The units entries are tagged with.

        Normally the themes.  A section without themes contributes its points
        instead (round IX lists its topics as dash bullets under "2."), and a
        section with neither contributes itself, so no topic is lost.
        """
        units: list[ParsedNode] = []
        for section in self.nodes:
            themes = [c for c in section.children if c.kind == "theme"]
            points = [c for c in section.children if c.kind == "point"]
            if themes:
                units.extend(themes)
            elif points:
                units.extend(points)
            else:
                units.append(section)
        return units


# --------------------------------------------------------------------------
# Warning texts (shown to organisers as-is)
# --------------------------------------------------------------------------

WARN_EMPTY = "Văn bản trống: không có nội dung để phân tích."
WARN_FLAT = (
    "Không nhận ra cách đánh số; các đoạn được nhập thành danh sách phẳng "
    "để chỉnh sửa."
)
WARN_NOTHING = "Không tìm thấy đoạn văn nào đủ dài để nhập thành chủ đề."
FLAT_SECTION_TITLE = "Nội dung"

# Flat fallback: paragraphs shorter than this are headings, signatures,
# credits ("Nguồn: dangcongsan.vn") rather than topics.
_FLAT_MIN_CHARS = 20
_FLAT_MIN_WORDS = 4


# --------------------------------------------------------------------------
# 1. Text normalisation
# --------------------------------------------------------------------------

# Word/web pastes bring in exotic separators; map them to what the
# line-based parser understands.
_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\u2028\u2029\x85]")
_SPACES = re.compile(r"[\t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\xad]")


def _normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _SPACES.sub(" ", text)
    return _INVISIBLE.sub("", text)


def _fold(text: str) -> str:
    """Case- and diacritic-insensitive key: "ĐỀ CƯƠNG" -> "de cuong".

    U+00D0 (Ð) is included because legacy font conversions use it for Đ.
    """
    text = text.translate(str.maketrans("đĐÐð", "dDDd"))
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


# --------------------------------------------------------------------------
# 2. Line classification
# --------------------------------------------------------------------------

# Markdown escapes produced by HTML->markdown converters ("1\." , "\*").
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_MD_HEADING = re.compile(r"^(?:#{1,6}\s*|>\s*)+")
# Emphasis markers.  "_" only at word edges so snake_case survives.
_MD_STAR = re.compile(r"\*+")
_MD_UNDERSCORE = re.compile(r"(?<!\w)_+|_+(?!\w)")

# Bullet markers seen in pastes: dashes of every width, typographic bullets,
# Word's Symbol-font private-use bullets (U+F0xx), "+", markdown "* ", and
# Vietnamese lettered items "a)", "đ)".
_BULLET = re.compile(
    r"^(?:[-‐‑‒–—―−]+"
    r"|[•●▪◦○■□♦❖➢➤►✓✔·∙+\uf000-\uf0ff]"
    r"|\*(?=\s)"
    r"|[a-zđ]\)(?=\s))\s*"
)

# "1", "1.1", "1.1.1" — components of at most two digits so years and dates
# ("2045 theo ...", "12-4-2019") are not mistaken for numbering.
_NUMBER = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,2})(?!\d)")
_NUM_DELIM = re.compile(r"[.\-‐‑–—−)/]+")

_ROMAN_HEADING = re.compile(
    r"^(?P<roman>X{0,3}(?:IX|IV|V?I{0,3}))\s*[.\-–—:)]\s*(?P<title>.+)$"
)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}

# Page furniture that is not content.
_PAGE_LABEL = re.compile(r"^(?:trang|page)\s*\d+(?:\s*/\s*\d+)?$")
# End of an administrative document's body: "./." or "/." at line end.
_END_MARK = re.compile(r"/\.\s*$")
# Recipient list and signature block: the body is over.
_STOP_LINE = re.compile(r"^(?:noi nhan\b|k/?t[.\s]|t/?m[.\s]|t/?l[.\s])")


@dataclass
class _Line:
    kind: str  # "num" | "roman" | "bullet" | "text"
    text: str  # cleaned text without the numbering / bullet marker
    nums: tuple[int, ...] = ()  # written numbering, e.g. (1, 3) for "1.3."
    fold: str = ""  # _fold() of the whole cleaned line, for keyword tests
    ends_body: bool = False  # the line carried a "./." end mark

    @property
    def label(self) -> str:
        return ".".join(str(n) for n in self.nums)


def _strip_emphasis(text: str) -> str:
    text = _MD_STAR.sub("", text)
    text = _MD_UNDERSCORE.sub("", text)
    return " ".join(text.split())


def _roman_value(roman: str) -> int:
    total = 0
    for i, char in enumerate(roman):
        value = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[roman[i + 1]] if i + 1 < len(roman) else 0
        total += -value if value < following else value
    return total


def _ends_sentence(text: str) -> bool:
    """True when text ends with . ; : ! ? … (closing quotes ignored)."""
    text = text.rstrip("”\"’')]» ")
    return not text or text[-1] in ".;:!?…"


def _has_letters(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _match_numbered(text: str) -> tuple[tuple[int, ...], str] | None:
    """Recognise "1-", "1.", "1/", "1.1-", "1.1.", "1.1 -", "1.1 Title".

    A single number must carry its delimiter directly ("1." not "1 .") and
    its title must not start with a digit ("12-4-2019 ...").  A multi-level
    number may omit the delimiter, but then the title must start with an
    upper-case letter ("1.1 Tăng cường" yes, "4.0 là" no).
    """
    match = _NUMBER.match(text)
    if not match:
        return None
    nums = tuple(int(part) for part in match.group(1).split("."))
    rest = text[match.end():]
    delim = _NUM_DELIM.match(rest.lstrip())
    if delim and (len(nums) > 1 or not rest[:1].isspace()):
        title = rest.lstrip()[delim.end():].strip()
        if title[:1].isdigit():
            return None
        return nums, title
    title = rest.strip()
    if len(nums) > 1 and rest[:1].isspace() and title[:1].isupper():
        return nums, title
    return None


def _classify(raw: str) -> _Line | None:
    """Classify one physical line; None for blank lines and debris."""
    text = _MD_ESCAPE.sub(r"\1", raw.strip())
    text = _MD_HEADING.sub("", text).strip()
    bullet = _BULLET.match(text)
    ends_body = bool(_END_MARK.search(text))
    if ends_body:
        text = _END_MARK.sub("", text)  # "./." -> "."
    if bullet:
        body = _strip_emphasis(text[bullet.end():])
        if not _has_letters(body):
            return None  # "-----", "- 3 -"
        return _Line("bullet", body, fold=_fold(body), ends_body=ends_body)

    text = _strip_emphasis(text)
    numbered = _match_numbered(text)
    if numbered:
        nums, title = numbered
        # An empty title ("**1.1.**" on its own line) is kept: the builder
        # takes the next paragraph as its title.
        return _Line("num", title, nums, _fold(text), ends_body)
    roman = _ROMAN_HEADING.match(text)
    if roman and roman.group("roman") and roman.group("title")[:1].isupper():
        return _Line(
            "roman",
            roman.group("title"),
            (_roman_value(roman.group("roman")),),
            _fold(text),
            ends_body,
        )
    if not _has_letters(text):
        return None  # ".", "*", "12" (page number), blank runs
    folded = _fold(text)
    if _PAGE_LABEL.match(folded):
        return None
    return _Line("text", text, fold=folded, ends_body=ends_body)


def _classify_all(text: str) -> list[_Line]:
    lines = (_classify(raw) for raw in text.split("\n"))
    return [line for line in lines if line is not None]


# --------------------------------------------------------------------------
# 3. Region selection
# --------------------------------------------------------------------------
#
# A plan document usually holds two lists that both start at "1.1": the
# plan's own "II- NỘI DUNG TUYÊN TRUYỀN" and, after the signature, the
# attached "ĐỀ CƯƠNG" with the detailed themes.  Preference order:
#   1. the ĐỀ CƯƠNG part, if it contains numbered items;
#   2. the "NỘI DUNG ..." roman-numeral part, if it contains numbered items;
#   3. either of them even without numbering (flat fallback inside it);
#   4. the whole text.
# Among several candidates of the same kind the one with the most themes wins
# (score = x.y items, then all numbered items, then bullets).


# Folded roman heading "II- NỘI DUNG TUYÊN TRUYỀN" / "III. NỘI DUNG ...".
_CONTENT_HEADING = re.compile(r"[ivx]+\W+noi dung\b")
_OUTLINE_HEADING = re.compile(r"de cuong\b")


def _score(lines: list[_Line]) -> tuple[int, int, int]:
    nums = [line for line in lines if line.kind == "num"]
    return (
        sum(1 for line in nums if len(line.nums) >= 2),
        len(nums),
        sum(1 for line in lines if line.kind == "bullet"),
    )


def _is_outline_heading(line: _Line) -> bool:
    """A line that *starts* with "Đề cương" and looks like a heading.

    Mentions inside sentences ("... kế hoạch và đề cương thông tin") never
    start a line; a prose sentence starting with "Đề cương" ends with
    punctuation, a heading does not (or is written in capitals).
    """
    if line.kind != "text" or not _OUTLINE_HEADING.match(line.fold):
        return False
    letters = [c for c in line.text if c.isalpha()]
    mostly_upper = sum(c.isupper() for c in letters) >= 0.6 * len(letters)
    short = len(line.text.split()) <= 30
    return mostly_upper or (short and not _ends_sentence(line.text))


def _outline_parts(lines: list[_Line]) -> list[list[_Line]]:
    """Each ĐỀ CƯƠNG heading opens a part running to the next one."""
    starts = [i for i, line in enumerate(lines) if _is_outline_heading(line)]
    bounds = starts[1:] + [len(lines)]
    return [lines[s + 1:e] for s, e in zip(starts, bounds)]


def _content_parts(lines: list[_Line]) -> list[list[_Line]]:
    """Parts under roman headings whose title starts with "Nội dung".

    Consecutive such headings ("II. NỘI DUNG TRỌNG TÂM", "III. NỘI DUNG
    THƯỜNG XUYÊN") form one part that keeps its headings, so they become the
    sections; a single heading is dropped and its content parsed as usual.
    The part ends at the next roman heading of another kind.
    """
    romans = [i for i, line in enumerate(lines) if line.kind == "roman"]
    parts: list[list[_Line]] = []
    k = 0
    while k < len(romans):
        if not _CONTENT_HEADING.match(lines[romans[k]].fold):
            k += 1
            continue
        first = k
        while k + 1 < len(romans) and _CONTENT_HEADING.match(
            lines[romans[k + 1]].fold
        ):
            k += 1
        end = romans[k + 1] if k + 1 < len(romans) else len(lines)
        start = romans[first] + (1 if first == k else 0)
        parts.append(lines[start:end])
        k += 1
    return parts


def _best(parts: list[list[_Line]], *, prefer_last: bool) -> list[_Line] | None:
    if not parts:
        return None
    order = list(reversed(parts)) if prefer_last else parts
    return max(order, key=_score)


def _select_region(lines: list[_Line]) -> list[_Line]:
    # The attached outline is normally the last ĐỀ CƯƠNG part.
    outline = _best(_outline_parts(lines), prefer_last=True)
    if outline is not None and _score(outline)[1]:
        # An outline may itself be laid out like a plan (I. MỤC ĐÍCH,
        # II. NỘI DUNG ...): narrow to its content part when there is one.
        inner = _best(_content_parts(outline), prefer_last=False)
        return inner if inner is not None and _score(inner)[1] else outline
    content = _best(_content_parts(lines), prefer_last=False)
    if content is not None and _score(content)[1]:
        return content
    # No numbering anywhere useful: flat-list the most specific part found.
    for candidate in (outline, content):
        if candidate:
            return candidate
    return lines


def _truncate(lines: list[_Line], started) -> list[_Line]:
    """Cut the region where the document body ends.

    Once content has started (``started(line)`` was true), a recipient list
    or signature line ("Nơi nhận:", "K/T TRƯỞNG BAN") ends the region before
    itself, and a paragraph ending in "./." ends it after itself.
    """
    kept: list[_Line] = []
    begun = False
    for line in lines:
        if begun and line.kind == "text" and _STOP_LINE.match(line.fold):
            break
        kept.append(line)
        begun = begun or started(line)
        if begun and line.ends_body:
            break
    return kept


# --------------------------------------------------------------------------
# 4. Building the draft tree
# --------------------------------------------------------------------------


@dataclass
class _Draft:
    title: str
    num: int | None = None  # number as written (section n / theme's last part)
    label: str = ""  # numbering as written, for warnings ("1.3")
    themes: list["_Draft"] = field(default_factory=list)
    points: list["_Draft"] = field(default_factory=list)
    moved_from: str = ""  # theme found under another section's heading


def _starts_lowercase(text: str) -> bool:
    for char in text:
        if char.isalnum():
            return char.islower() or char.isdigit()
    return False


def _is_continuation(previous: str, text: str) -> bool:
    """Wrap rule: is this unnumbered paragraph the rest of ``previous``?

    Page breaks and PDF/Word copies split a paragraph in two ("... tầm nhìn
    đến năm" / "2045 theo định hướng ...").  We join when the previous text
    does not end a sentence (no . ; : ! ? … before closing quotes/brackets)
    AND the new paragraph starts with a lower-case letter or a digit.
    Otherwise an unnumbered paragraph under a theme is a point of its own:
    the 2019 outline drops the dash on some bullets.  A wrap that happens to
    continue with a capitalised word ("... Hồ Chí" / "Minh ...") cannot be
    told apart from a new point and is kept separate.
    """
    return not _ends_sentence(previous) and _starts_lowercase(text)


def _role(line: _Line, roman_sections: bool) -> str:
    """Map a line to "section", "theme", "point", "text" or "skip".

    Normally "1." is a section, "1.1." a theme and "1.1.1." a point.  When
    the region is organised by roman headings and has no "x.y" numbering,
    everything moves one level up: "I." section, "1." theme.
    """
    if line.kind == "roman":
        return "section" if roman_sections else "skip"
    if line.kind == "num":
        depth = len(line.nums) + (1 if roman_sections else 0)
        return {1: "section", 2: "theme"}.get(depth, "point")
    if line.kind == "bullet":
        return "point"
    return "text"


class _Builder:
    """Feeds region lines into draft sections, themes and points."""

    def __init__(self, roman_sections: bool) -> None:
        self.roman_sections = roman_sections
        self.sections: list[_Draft] = []
        self.warnings: list[str] = []
        self.section: _Draft | None = None
        self.theme: _Draft | None = None
        self.last: _Draft | None = None  # where a wrapped paragraph is joined
        self.pending: _Draft | None = None  # numbered item awaiting its title

    def feed(self, line: _Line) -> None:
        role = _role(line, self.roman_sections)
        if role == "skip":
            return
        if self.pending is not None:
            pending, self.pending = self.pending, None
            if role == "text":  # "**1.1.**" then the title on the next line
                pending.title = line.text
                return
        if role == "section":
            self._open_section(line)
        elif role == "theme":
            self._open_theme(line)
        elif role == "text" and self.last is not None and _is_continuation(
            self.last.title, line.text
        ):
            self.last.title = f"{self.last.title} {line.text}"
        else:
            self._add_point(line)

    def _open_section(self, line: _Line) -> None:
        section = _Draft(line.text, line.nums[-1], line.label)
        self.sections.append(section)
        self.section, self.theme, self.last = section, None, section
        if not line.text:
            self.pending = section

    def _open_theme(self, line: _Line) -> None:
        prefix = line.nums[0] if len(line.nums) >= 2 else None
        theme = _Draft(line.text, line.nums[-1], line.label)
        section = self._section_for(prefix, theme)
        section.themes.append(theme)
        self.theme, self.last = theme, theme
        if not line.text:
            self.pending = theme

    def _section_for(self, prefix: int | None, theme: _Draft) -> _Draft:
        """The section a theme belongs to, creating one if the heading is
        missing (themes "2.1" ... with no "2-" line above them)."""
        current = self.section
        if current is not None and (prefix is None or current.num == prefix):
            return current
        if current is not None and any(s.num == prefix for s in self.sections):
            # "1.7" written under section 2 — a typo; keep it where it is.
            theme.moved_from = theme.label
            return current
        section = _Draft("", prefix, str(prefix) if prefix else "")
        if prefix is not None:
            self.warnings.append(
                f"Không thấy tiêu đề mục {prefix}; đã tạo mục {prefix} "
                f"không có tiêu đề để chứa chủ đề {theme.label}."
            )
        self.sections.append(section)
        self.section = section
        return section

    def _add_point(self, line: _Line) -> None:
        owner = self.theme or self.section
        if owner is None:  # preamble before the first numbered item
            self.last = None
            return
        point = _Draft(line.text)
        owner.points.append(point)
        self.last = point


# --------------------------------------------------------------------------
# 5. Codes and output
# --------------------------------------------------------------------------


def _snippet(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _number_uniquely(drafts: list[_Draft]) -> list[tuple[int, bool]]:
    """Final (number, renumbered?) for sibling drafts.

    The first item with a given written number keeps it.  A later duplicate
    (or an item without a number) gets the smallest number used by no
    sibling, written or assigned, so codes stay unique and the order of the
    document is kept: 1.1, 1.2, 1.3, 1.3, 1.5 -> the second 1.3 becomes 1.4;
    1.1, 1.2, 1.3, 1.3, 1.4 -> it becomes 1.5.
    """
    taken = {d.num for d in drafts if d.num is not None}
    seen: set[int] = set()
    result: list[tuple[int, bool]] = []
    for draft in drafts:
        if draft.num is not None and draft.num not in seen:
            seen.add(draft.num)
            result.append((draft.num, False))
            continue
        free = 1
        while free in taken:
            free += 1
        taken.add(free)
        result.append((free, True))
    return result


def _points(owner_code: str, points: list[_Draft]) -> list[ParsedNode]:
    return [
        ParsedNode(f"{owner_code}.{k}", "point", p.title)
        for k, p in enumerate(points, start=1)
    ]


def _duplicate_warning(written: str, title: str, code: str, extra: str = "") -> str:
    return (
        f"Hai mục trùng mã {written}: giữ mục đầu; mục sau "
        f"(“{_snippet(title)}”) được đổi thành mã {code}{extra}."
    )


def _emit_theme(theme: _Draft, code: str, section_code: str,
                renumbered: bool, warnings: list[str]) -> ParsedNode:
    if theme.moved_from:
        warnings.append(
            f"Chủ đề {theme.moved_from} nằm trong mục {section_code}; "
            f"đã đổi mã thành {code}."
        )
    elif renumbered:
        written = f"{section_code}.{theme.num}"
        warnings.append(_duplicate_warning(written, theme.title, code))
    node = ParsedNode(code, "theme", theme.title)
    node.children = _points(code, theme.points)
    return node


def _emit(sections: list[_Draft], warnings: list[str]) -> list[ParsedNode]:
    nodes: list[ParsedNode] = []
    for section, (number, renumbered) in zip(sections, _number_uniquely(sections)):
        code = str(number)
        if renumbered and section.num is not None:
            extra = " (các chủ đề bên trong đổi mã theo)" if section.themes else ""
            warnings.append(
                _duplicate_warning(str(section.num), section.title, code, extra)
            )
        node = ParsedNode(code, "section", section.title)
        if section.themes and section.points:
            # Their codes ("2.1") would clash with the themes' codes.
            warnings.append(
                f"Mục {code} có {len(section.points)} đoạn nằm ngoài các chủ đề "
                f"(trước chủ đề đầu tiên); các đoạn này đã bị bỏ qua."
            )
        elif section.points:
            node.children = _points(code, section.points)
        numbers = _number_uniquely(section.themes)
        for theme, (t_number, t_renumbered) in zip(section.themes, numbers):
            node.children.append(
                _emit_theme(theme, f"{code}.{t_number}", code, t_renumbered, warnings)
            )
        nodes.append(node)
    return nodes


# --------------------------------------------------------------------------
# Flat fallback
# --------------------------------------------------------------------------


def _flat(lines: list[_Line]) -> ParsedOutline:
    """One theme per paragraph, for text without recognisable numbering."""
    lines = _truncate(lines, started=lambda line: True)
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and line.kind == "text" and _is_continuation(
            paragraphs[-1], line.text
        ):
            paragraphs[-1] = f"{paragraphs[-1]} {line.text}"
        else:
            paragraphs.append(line.text)
    paragraphs = [
        p
        for p in paragraphs
        if len(p) >= _FLAT_MIN_CHARS and len(p.split()) >= _FLAT_MIN_WORDS
    ]
    if not paragraphs:
        return ParsedOutline([], [WARN_FLAT, WARN_NOTHING])
    section = ParsedNode("1", "section", FLAT_SECTION_TITLE)
    section.children = [
        ParsedNode(f"1.{k}", "theme", p) for k, p in enumerate(paragraphs, start=1)
    ]
    return ParsedOutline([section], [WARN_FLAT])


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def parse_outline(text: str) -> ParsedOutline:
    """Parse a plan/outline document into sections, themes and points.

    Never raises on odd input: unrecognised layouts come back as a flat list
    of paragraphs with a warning, so an organiser can fix them by hand.
    """
    lines = _classify_all(_normalise_text(text or ""))
    if not lines:
        return ParsedOutline([], [WARN_EMPTY])

    region = _select_region(lines)
    if not any(line.kind in ("num", "roman") for line in region):
        return _flat(region)

    region = _truncate(region, started=lambda line: line.kind in ("num", "roman"))
    has_xy = any(line.kind == "num" and len(line.nums) == 2 for line in region)
    has_roman = any(line.kind == "roman" for line in region)
    builder = _Builder(roman_sections=has_roman and not has_xy)
    for line in region:
        builder.feed(line)
    if not builder.sections:
        return _flat(region)

    warnings = list(builder.warnings)
    nodes = _emit(builder.sections, warnings)
    return ParsedOutline(nodes, warnings)
