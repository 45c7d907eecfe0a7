"""What people upload: the type from the content (never the name), size caps per kind, DOCX checks,
the original filename kept as harmless data, and the streaming sink the HTTP layer pushes bytes into.

Accepted: PDF and DOCX (document), JPEG/PNG/WebP (image), MP3/M4A/WAV (audio), MP4/MOV (video).
"""

import re
import struct
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, BinaryIO

import filetype
from filetype.types import archive, audio, image

from award.errors import Invalid
from award.storage import FileStore, Writer

EMPTY_FILE = "Tệp rỗng (0 byte), không có nội dung để tải lên."


def require_content(size: int, *, field: str = "file") -> None:
    """The one check for an empty file, shared by every upload path (a work's files, streamed or uploaded in
    parts; an outline on the page and through the API; every spreadsheet import): a 0-byte file is refused
    as empty (Invalid `empty_file`), not passed on to be misread as a scan or a broken workbook."""
    if size < 1:
        raise Invalid(EMPTY_FILE, field=field, code="empty_file")


def stream_size(stream: IO[bytes]) -> int:
    """The bytes of a seekable stream (an uploaded file's spool), its position kept."""
    at = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(at)
    return size

HEAD_SIZE = 8 * 1024  # sniffing looks at this much; everything it needs is at the start
MiB = 1024 * 1024
GiB = 1024 * MiB

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAIN_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX_MAX_UNCOMPRESSED = 200 * MiB
DOCX_MAX_RATIO = 100
DOCX_MAX_MEMBERS = 2000
CONTENT_TYPES_MAX = 1 * MiB  # `[Content_Types].xml` is a few KiB; we read at most this much of it

# Images are stored, never decoded by us, but judges' browsers decode them: a few-KB PNG may declare
# 100 000 × 100 000 pixels (40 GB once decoded). The header, in the first bytes, says how many.
MAX_IMAGE_PIXELS = 150_000_000  # a 102-megapixel medium-format camera fits; a decompression bomb does not
IMAGE_HEAD = 512 * 1024  # a JPEG's size (SOF) may follow a large EXIF block

FALLBACK_NAME = "tep-tai-len"
NAME_MAX = 200


class UnsupportedFile(Invalid):
    """Not one of the accepted types (HTTP 415)."""

    code = "unsupported_type"


class FileTooLarge(Invalid):
    """Over the cap for its kind (HTTP 413)."""

    code = "too_large"


@dataclass(frozen=True)
class Sniffed:
    kind: str  # document | image | audio | video
    mime: str
    ext: str


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str
    mime: str
    kind: str
    ext: str


@dataclass(frozen=True)
class SizeCaps:
    """Largest accepted file per kind, in bytes (binary units, as file managers count them)."""

    document: int = 50 * MiB
    image: int = 30 * MiB
    audio: int = 500 * MiB
    video: int = 4 * GiB

    def cap_for(self, kind: str) -> int:
        return {"document": self.document, "image": self.image, "audio": self.audio, "video": self.video}[kind]

    @property
    def largest(self) -> int:
        return max(self.document, self.image, self.audio, self.video)


# -- sniffing ------------------------------------------------------------------------------------

PDF = Sniffed("document", "application/pdf", "pdf")
DOCX = Sniffed("document", DOCX_MIME, "docx")
MP3 = Sniffed("audio", "audio/mpeg", "mp3")
M4A = Sniffed("audio", "audio/mp4", "m4a")
MP4 = Sniffed("video", "video/mp4", "mp4")
MOV = Sniffed("video", "video/quicktime", "mov")

# filetype's matchers where they are exact for our purpose (fixed signatures at fixed offsets).
_FILETYPE_MATCHERS = (archive.Pdf(), image.Jpeg(), image.Png(), image.Webp(), audio.Wav())
_FROM_FILETYPE = {
    "application/pdf": PDF,
    "image/jpeg": Sniffed("image", "image/jpeg", "jpg"),
    "image/png": Sniffed("image", "image/png", "png"),
    "image/webp": Sniffed("image", "image/webp", "webp"),
    "audio/x-wav": Sniffed("audio", "audio/wav", "wav"),  # the name browsers play
}

# ISO-BMFF major brands, read by hand: filetype 1.2.0 calls any file with `isom` among its compatible
# brands video/mp4 (so M4B audiobooks and Canon CR3 raw photos, major `crx `, become videos) and knows
# no `avc1`, `iso2` or `dash` major brand. Only the major brand counts here, for the CR3 reason.
# M4V (iTunes), MSNV (Sony) and XAVC (Sony cameras) are plain MP4 video under another major brand.
_BRANDS = {
    "M4A ": M4A, "M4B ": M4A,
    "isom": MP4, "iso2": MP4, "iso4": MP4, "iso5": MP4, "iso6": MP4,
    "mp41": MP4, "mp42": MP4, "avc1": MP4, "dash": MP4, "M4V ": MP4, "MSNV": MP4, "XAVC": MP4,
    "qt  ": MOV,
}


# Still images and raw photos in the same container: never a video, whatever they claim compatibility with.
_NOT_VIDEO_BRANDS = {"crx ", "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis",
                     "jp2 ", "jpx ", "jpm "}
_PLAIN_MP4_BRANDS = {"isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1"}


def sniff(head: bytes) -> Sniffed | None:
    """The accepted type of a file from its first bytes (`HEAD_SIZE` of them, or all of a shorter file)."""
    head = bytes(head[:HEAD_SIZE])
    match = filetype.match(head, matchers=_FILETYPE_MATCHERS)
    if match is not None:
        return _FROM_FILETYPE[match.mime]
    return (_sniff_isobmff(head) or _sniff_quicktime(head) or _sniff_wave64(head) or _sniff_mp3(head)
            or _sniff_docx(head) or _sniff_late_pdf(head))


# Readers (Acrobat, pdf.js) look for the header anywhere in the first KiB: mail gateways and some
# scanners' software write a few bytes (a BOM, a blank line, an HTTP or MIME remnant) before `%PDF-`.
PDF_HEADER_WITHIN = 1024
_PDF_HEADER_RE = re.compile(rb"%PDF-\d\.\d")
# Junk that makes the file something else first: an executable, a script, a markup page.
_NOT_PDF_JUNK = (b"MZ", b"\x7fELF", b"#!", b"<")


def _sniff_late_pdf(head: bytes) -> Sniffed | None:
    match = _PDF_HEADER_RE.search(head, 0, PDF_HEADER_WITHIN + 8)
    if match is None or match.start() > PDF_HEADER_WITHIN:
        return None
    if head.lstrip(b"\xef\xbb\xbf\r\n\t \x00").startswith(_NOT_PDF_JUNK):
        return None
    return PDF


def _sniff_wave64(head: bytes) -> Sniffed | None:
    """RF64 and BW64 (EBU Tech 3306, ITU-R BS.2088): the WAV of field recorders past 4 GB."""
    if len(head) >= 12 and head[:4] in (b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return _FROM_FILETYPE["audio/x-wav"]
    return None


# Classic QuickTime files (older cameras, Final Cut exports) have no `ftyp`: a chain of atoms whose
# first ones are padding or the movie itself.
_QT_LEADING = {b"wide", b"free", b"skip", b"pnot", b"PICT", b"junk"}
_QT_MOVIE = {b"moov", b"mdat"}


def _sniff_quicktime(head: bytes) -> Sniffed | None:
    at = 0
    while at + 8 <= len(head):
        size = struct.unpack(">I", head[at:at + 4])[0]
        kind = head[at + 4:at + 8]
        if kind in _QT_MOVIE:
            return MOV if size in (0, 1) or size >= 8 else None  # 0: to the end of the file; 1: 64-bit size
        if kind not in _QT_LEADING:
            return None
        if size == 1 and at + 16 <= len(head):  # 64-bit size follows the type
            size = struct.unpack(">Q", head[at + 8:at + 16])[0]
        if size < 8:
            return None
        at += size
    return None


def _sniff_isobmff(head: bytes) -> Sniffed | None:
    """MP4/M4A/MOV: a well-formed `ftyp` box first, then the major brand decides."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = struct.unpack(">I", head[:4])[0]
    if not 16 <= box_size <= min(len(head), 4096) or box_size % 4:
        return None
    major = head[8:12].decode("latin-1")
    if major in _BRANDS:
        return _BRANDS[major]
    if major in _NOT_VIDEO_BRANDS:
        return None
    # Another writer's major brand (a phone maker's, an editor's) on a file that declares itself a plain
    # ISO or MP4 file among its compatible brands (read from offset 16, four bytes each).
    compatible = {head[i:i + 4].decode("latin-1") for i in range(16, box_size - 3, 4)}
    if compatible & _PLAIN_MP4_BRANDS:
        return MP4
    return None


# MPEG audio frame header, Layer III only (MPEG-1, 2 and 2.5): bitrates in kbit/s and sample rates in Hz.
_MP3_BITRATES = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2
    0: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2.5
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _sniff_mp3(head: bytes) -> Sniffed | None:
    """An ID3v2 tag, or (files without one) a valid Layer III frame header followed by a second one
    (the largest frame is 1441 bytes, so any real MP3 has it in the head). filetype 1.2.0 knows three
    byte pairs (FF FB/F3/F2) and checks nothing after them: it misses CRC-protected and MPEG-2.5 frames
    and takes `FF F3` followed by any text for an MP3."""
    if head[:3] == b"ID3" and len(head) >= 10 and head[3] in (2, 3, 4) and all(b < 0x80 for b in head[6:10]):
        return MP3
    length = _mp3_frame_length(head)
    if length is None:
        return None
    return MP3 if _mp3_frame_length(head[length:length + 4]) is not None else None


def _mp3_frame_length(data: bytes) -> int | None:
    """Length of the MPEG-audio Layer III frame starting at data[0], or None if it is not one."""
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return None
    version = (data[1] >> 3) & 0b11  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5, 1 = reserved
    layer = (data[1] >> 1) & 0b11  # 1 = Layer III
    bitrate_index = data[2] >> 4
    rate_index = (data[2] >> 2) & 0b11
    padding = (data[2] >> 1) & 1
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None  # reserved values, another layer (or AAC), or free-format (no frame length to check)
    bitrate = _MP3_BITRATES[version][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    samples_per_frame = 1152 if version == 3 else 576
    return samples_per_frame // 8 * bitrate // rate + padding


def _sniff_docx(head: bytes) -> Sniffed | None:
    """A ZIP whose local headers in the head name an OOXML package that is not a workbook or a deck.

    Word puts `word/` entries first; other writers may put a large thumbnail first, so an OOXML package
    (`[Content_Types].xml`) without `word/` entries in the head still counts: `verify_docx` reads the
    central directory of the whole file before it is accepted."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    names = _zip_local_names(head)
    if any(name.startswith(("xl/", "ppt/")) for name in names):
        return None
    if any(name.startswith("word/") or name == "[Content_Types].xml" for name in names):
        return DOCX
    return None


def _zip_local_names(head: bytes) -> list[str]:
    names = []
    at = head.find(b"PK\x03\x04")
    while at != -1 and at + 30 <= len(head):
        name_length = struct.unpack("<H", head[at + 26:at + 28])[0]
        names.append(head[at + 30:at + 30 + name_length].decode("utf-8", "replace"))
        at = head.find(b"PK\x03\x04", at + 30 + name_length)
    return names


# -- DOCX ----------------------------------------------------------------------------------------


def verify_docx(source: str | BinaryIO) -> None:
    """Refuse anything but a Word document whose declared sizes are sane (checked from the central
    directory, nothing is inflated). Python's zipfile stops at the declared size, so a member lying
    about it cannot inflate past these limits in python-docx later either."""
    try:
        with zipfile.ZipFile(source) as package:
            members = package.infolist()
            _check_docx_budget(members)
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise UnsupportedFile("Tệp không phải là tài liệu Word (.docx).", field="file")
            with package.open("[Content_Types].xml") as content_types:
                declared = content_types.read(CONTENT_TYPES_MAX)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise UnsupportedFile("Tệp .docx bị hỏng hoặc không đọc được.", field="file") from exc
    # A macro-enabled document (.docm) or a template renamed .docx declares another main part.
    if DOCX_MAIN_PART.encode() not in declared:
        raise UnsupportedFile("Chỉ nhận tài liệu Word (.docx) thông thường, không nhận tệp có macro "
                              "hay tệp mẫu.", field="file")


def _check_docx_budget(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > DOCX_MAX_MEMBERS:
        raise UnsupportedFile(f"Tài liệu Word có quá nhiều thành phần (hơn {DOCX_MAX_MEMBERS}).", field="file")
    inflated = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    if inflated > DOCX_MAX_UNCOMPRESSED or inflated > DOCX_MAX_RATIO * max(compressed, 1):
        raise UnsupportedFile("Tài liệu Word giải nén quá lớn (nghi là tệp nén độc hại).", field="file")


# -- images --------------------------------------------------------------------------------------


def check_image_dimensions(head: bytes) -> None:
    """Refuse an image whose header declares more than MAX_IMAGE_PIXELS (read from the header only)."""
    import io
    import warnings

    from PIL import Image

    limit = f"tối đa {MAX_IMAGE_PIXELS // 1_000_000} triệu điểm ảnh"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(head)) as image:
                width, height = image.size
    except Image.DecompressionBombError as exc:  # Pillow's own limit, about 179 megapixels
        raise UnsupportedFile(f"Ảnh quá lớn về kích thước điểm ảnh ({limit}).", field="file",
                              code="image_too_large") from exc
    except Exception:
        return  # the size is not in the first bytes: nothing decodes the image on our side
    if width * height > MAX_IMAGE_PIXELS:
        raise UnsupportedFile(f"Ảnh quá lớn về kích thước điểm ảnh ({width} × {height}; {limit}).", field="file",
                              code="image_too_large")


# -- filenames -----------------------------------------------------------------------------------

# Characters that reorder what is displayed (`evil\u202Efdp.exe` shows as `evilexe.pdf`).
_BIDI_CONTROLS = set("\u200e\u200f\u061c") | {chr(c) for c in range(0x202A, 0x202F)} | {
    chr(c) for c in range(0x2066, 0x206A)}
_EXTENSION_RE = re.compile(r"\.[^\s.]{1,16}$")


def safe_filename(name: str) -> str:
    """The name as people gave it, safe to show and to put in a Content-Disposition: kept only as
    data (storage keys never contain it). Vietnamese letters, emoji and joiners stay."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]  # a browser on Windows may send `C:\Users\…\bài.pdf`
    name = "".join(ch for ch in name if not _is_dropped(ch))
    name = " ".join(name.split()).lstrip(". ")
    return _truncate_keeping_extension(name) or FALLBACK_NAME


def _is_dropped(ch: str) -> bool:
    # Whitespace controls (tab, newline) become spaces in the collapse that follows, others go.
    # Cs: lone surrogates (undecodable bytes) cannot be stored as UTF-8.
    if ch.isspace():
        return False
    return ch in _BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")


def _truncate_keeping_extension(name: str) -> str:
    if len(name) <= NAME_MAX:
        return name
    match = _EXTENSION_RE.search(name)
    ext = match.group() if match else ""
    stem = name[: NAME_MAX - len(ext)]
    # Do not end on half a character: a base letter's combining mark, or an emoji's joiner/selector.
    stem = stem.rstrip("\u200d\ufe0e\ufe0f")
    while stem and unicodedata.combining(stem[-1]):
        stem = stem[:-1]
    return stem.rstrip(" .") + ext


# -- streaming sink ------------------------------------------------------------------------------


class UploadSink:
    """Receives an upload chunk by chunk, as the HTTP layer reads it, and stores it under `key`.

    The type is sniffed from the first `HEAD_SIZE` bytes before anything is stored, so a refused type
    leaves nothing behind; the size is checked against the kind's cap on every chunk; the SHA-256 is
    computed on the way (by the store's writer). Memory: the head, the current chunk and the writer's
    buffer (at most one 8 MiB S3 part). A DOCX is also copied to a temporary file (≤ the document cap)
    so that it can be verified before it is committed: a refused one never becomes visible under its key,
    and neither store has to be read back."""

    def __init__(self, store: FileStore, key: str, caps: SizeCaps | None = None,
                 declared_size: int | None = None):
        self.store = store
        self.key = key
        self.caps = caps or SizeCaps()
        self.declared_size = declared_size
        self.size = 0
        self.head = bytearray()
        self.sniffed: Sniffed | None = None
        self.writer: Writer | None = None
        self.docx_copy: IO[bytes] | None = None
        self.image_head: bytearray | None = None
        self.closed = False
        if declared_size is not None and declared_size > self.caps.largest:
            self._refuse_too_large(self.caps.largest)

    def write(self, chunk: bytes) -> None:
        self._check_open()
        if not chunk:
            return
        self.size += len(chunk)
        if self.sniffed is None:
            self.head += chunk
            if len(self.head) >= HEAD_SIZE:
                self._start()
        else:
            self._check_size()
            self._store(chunk)

    def finish(self) -> StoredFile:
        self._check_open()
        if self.size == 0:
            self.closed = True
            require_content(self.size)
        if self.sniffed is None:
            self._start()  # a file shorter than the head
        assert self.sniffed is not None and self.writer is not None
        try:
            if self.docx_copy is not None:
                self.docx_copy.seek(0)
                verify_docx(self.docx_copy)
            if self.image_head is not None:
                check_image_dimensions(bytes(self.image_head))
            stored = self.writer.commit()
        except BaseException:
            self.abort()
            raise
        self._close_copy()
        self.closed = True
        # The writer hashed every byte on its way to the store: hashing here too would cost a second
        # pass of SHA-256 over a 4 GB video.
        return StoredFile(self.key, stored.size, stored.sha256, self.sniffed.mime, self.sniffed.kind,
                          self.sniffed.ext)

    def abort(self) -> None:
        """Drop whatever was written. Safe to call more than once, and after a refusal."""
        self.closed = True
        self._close_copy()
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.abort()

    # -- internals

    def _start(self) -> None:
        """Decide the type from the head, then open the store's writer and flush the head into it."""
        sniffed = sniff(self.head)
        if sniffed is None:
            self.abort()
            raise UnsupportedFile("Chỉ nhận tệp PDF, DOCX, ảnh JPEG/PNG/WebP, âm thanh MP3/M4A/WAV hoặc "
                                  "video MP4/MOV (nhận biết theo nội dung tệp, không theo tên).", field="file")
        self.sniffed = sniffed
        if self.declared_size is not None and self.declared_size > self.caps.cap_for(sniffed.kind):
            self._refuse_too_large(self.caps.cap_for(sniffed.kind))
        self._check_size()
        try:
            self.writer = self.store.writer(self.key, sniffed.mime)
        except BaseException:
            self.abort()
            raise
        if sniffed == DOCX:
            self.docx_copy = tempfile.TemporaryFile(prefix="award-docx-")
        if sniffed.kind == "image":
            self.image_head = bytearray()
        head, self.head = bytes(self.head), bytearray()
        self._store(head)

    def _store(self, data: bytes) -> None:
        assert self.writer is not None
        try:
            self.writer.write(data)
            if self.docx_copy is not None:
                self.docx_copy.write(data)
            if self.image_head is not None and len(self.image_head) < IMAGE_HEAD:
                self.image_head += data[:IMAGE_HEAD - len(self.image_head)]
        except BaseException:
            self.abort()
            raise

    def _check_size(self) -> None:
        assert self.sniffed is not None
        cap = self.caps.cap_for(self.sniffed.kind)
        if self.size > cap:
            self._refuse_too_large(cap)

    def _refuse_too_large(self, cap: int) -> None:
        self.abort()
        raise FileTooLarge(f"Tệp quá lớn: tối đa {_human_size(cap)} cho loại tệp này.", field="file")

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError("upload already finished or aborted")

    def _close_copy(self) -> None:
        copy, self.docx_copy = self.docx_copy, None
        if copy is not None:
            copy.close()


def _human_size(size: int) -> str:
    if size >= GiB and size % GiB == 0:
        return f"{size // GiB} GB"
    if size >= MiB:
        return f"{size / MiB:g} MB".replace(".", ",")
    return f"{size} byte"
