"""File types from content, DOCX checks, filenames as data, and the streaming upload sink."""

import hashlib
import io
import struct

import filetype
import pytest
from hypothesis import given, strategies as st

from award.errors import Invalid
from award.files import (
    DOCX_MIME,
    FileTooLarge,
    SizeCaps,
    Sniffed,
    UnsupportedFile,
    UploadSink,
    safe_filename,
    sniff,
    verify_docx,
)
from award.storage import LocalFileStore

KEY = "entries/9/1/0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def zip_bomb(samples, tmp_path_factory):
    """300 MB of zeros in a DOCX-shaped archive of about 300 KB."""
    return samples.zip_bomb_docx(tmp_path_factory.mktemp("bomb") / "bomb.docx", inflated=300 * 1024 * 1024)


@pytest.fixture
def store(tmp_path):
    return LocalFileStore(tmp_path / "files")


def stored_names(store: LocalFileStore) -> list[str]:
    """Everything on disk under the store, bookkeeping files included."""
    return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file())


def upload(store, data: bytes, chunk: int = 1000, caps: SizeCaps | None = None, declared_size=None):
    sink = UploadSink(store, KEY, caps or SizeCaps(), declared_size=declared_size)
    for at in range(0, len(data), chunk):
        sink.write(data[at:at + chunk])
    return sink.finish()


# -- sniffing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda s: s.pdf(), Sniffed("document", "application/pdf", "pdf")),
        (lambda s: s.docx(), Sniffed("document", DOCX_MIME, "docx")),
        (lambda s: s.jpeg(), Sniffed("image", "image/jpeg", "jpg")),
        (lambda s: s.png(), Sniffed("image", "image/png", "png")),
        (lambda s: s.webp(), Sniffed("image", "image/webp", "webp")),
        (lambda s: s.wav(), Sniffed("audio", "audio/wav", "wav")),
        (lambda s: s.mp3(), Sniffed("audio", "audio/mpeg", "mp3")),
        (lambda s: s.mp3(id3=True), Sniffed("audio", "audio/mpeg", "mp3")),
        # CRC-protected MPEG-1 and MPEG-2.5 at 8 kHz: frame syncs filetype 1.2.0 does not know.
        (lambda s: s.mp3(b"\xff\xfa\x90\x00"), Sniffed("audio", "audio/mpeg", "mp3")),
        (lambda s: s.mp3(b"\xff\xe3\x88\x00", frame_length=576), Sniffed("audio", "audio/mpeg", "mp3")),
        (lambda s: s.ftyp(b"M4A ", (b"M4A ", b"mp42", b"isom")), Sniffed("audio", "audio/mp4", "m4a")),
        (lambda s: s.ftyp(b"M4B ", (b"M4B ", b"isom")), Sniffed("audio", "audio/mp4", "m4a")),
        (lambda s: s.ftyp(b"isom", (b"isom", b"iso2", b"avc1", b"mp41")), Sniffed("video", "video/mp4", "mp4")),
        (lambda s: s.ftyp(b"mp42", (b"mp42", b"isom")), Sniffed("video", "video/mp4", "mp4")),
        (lambda s: s.ftyp(b"dash", (b"iso6",)), Sniffed("video", "video/mp4", "mp4")),
        (lambda s: s.ftyp(b"qt  ", (b"qt  ",)), Sniffed("video", "video/quicktime", "mov")),
    ],
    ids=["pdf", "docx", "jpeg", "png", "webp", "wav", "mp3", "mp3-id3", "mp3-crc", "mp3-mpeg25", "m4a", "m4b",
         "mp4-isom", "mp4-mp42", "mp4-dash", "mov"],
)
def test_sniff_accepts_real_samples(samples, build, expected):
    data = build(samples)
    assert sniff(data[:8192]) == expected


@pytest.mark.parametrize(
    ("data", "filetype_says", "we_say"),
    [
        (b"\x00\x00\x00\x18ftypM4B \x00\x00\x02\x00M4B isom", "video/mp4", "audio/mp4"),
        (b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom", "video/mp4", None),
        (b"\x00\x00\x00\x14ftypavc1\x00\x00\x00\x00avc1", None, "video/mp4"),
        (b"\xff\xfa\x90\x00" + bytes(413) + b"\xff\xfa\x90\x00", None, "audio/mpeg"),
        (b"\xff\xf3" + b"hello world" * 3, "audio/mpeg", None),
    ],
    ids=["m4b", "canon-cr3", "avc1", "mp3-crc", "ff-f3-text"],
)
def test_where_filetype_is_not_enough(data, filetype_says, we_say):
    """Why ISO-BMFF brands and MP3 frames are read by hand (filetype==1.2.0)."""
    assert filetype.guess_mime(data) == filetype_says
    assert (sniff(data).mime if sniff(data) else None) == we_say


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200),  # a Windows .exe named .pdf
        b"\x7fELF\x02\x01\x01" + bytes(100),
        b"GIF89a\x01\x00\x01\x00",
        b"<html><script>alert(1)</script></html>",
        b"Plain text, not a document.",
        b"\xff\xfb\x90",  # too short to be a frame
        b"\xff\xfb\x90\x00" + bytes(413) + b"not a second frame",
        b"\xff\xf1\x50\x80" + bytes(100),  # AAC in ADTS: not accepted
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",  # HEIF photo
        b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom",  # Canon CR3 raw, compatible with isom
        b"RIFF\x24\x00\x00\x00AVI LIST",
        b"",
    ],
    ids=["exe", "elf", "gif", "html", "text", "short-mp3", "lone-mp3-frame", "aac", "heic", "cr3", "avi", "empty"],
)
def test_sniff_refuses_other_content(data):
    assert sniff(data) is None


def test_sniff_refuses_zips_that_are_not_word(samples):
    assert sniff(samples.zip_of({"notes.txt": b"hello"})) is None
    workbook = samples.zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    assert sniff(workbook) is None


# -- DOCX ----------------------------------------------------------------------------------------


def test_verify_docx_accepts_a_word_document(samples, tmp_path):
    data = samples.docx()
    verify_docx(io.BytesIO(data))
    path = tmp_path / "bai.docx"
    path.write_bytes(data)
    verify_docx(str(path))


@pytest.mark.parametrize(
    "members",
    [
        {"notes.txt": b"hello"},
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},
        {"word/document.xml": b"<w:document/>"},
    ],
    ids=["plain-zip", "workbook", "no-content-types"],
)
def test_verify_docx_refuses_zips_that_are_not_word(samples, members):
    with pytest.raises(UnsupportedFile) as refused:
        verify_docx(io.BytesIO(samples.zip_of(members)))
    assert refused.value.code == "unsupported_type" and refused.value.field == "file"


def test_verify_docx_refuses_macro_documents(samples):
    docm = samples.zip_of({
        "[Content_Types].xml": samples.docx_content_types("x").replace(
            b"vnd.openxmlformats-officedocument.x", b"vnd.ms-word.document.macroEnabled.main+xml"),
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00" * 10,
    })
    with pytest.raises(UnsupportedFile):
        verify_docx(io.BytesIO(docm))


def test_verify_docx_refuses_a_broken_zip(samples):
    data = samples.docx()
    with pytest.raises(UnsupportedFile):
        verify_docx(io.BytesIO(data[: len(data) // 2]))


def test_verify_docx_refuses_a_zip_bomb(zip_bomb):
    assert zip_bomb.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(UnsupportedFile, match="giải nén quá lớn"):
        verify_docx(str(zip_bomb))


def test_verify_docx_refuses_a_high_compression_ratio_under_the_size_limit(samples, tmp_path):
    bomb = samples.zip_bomb_docx(tmp_path / "bomb.docx", inflated=20 * 1024 * 1024)
    with pytest.raises(UnsupportedFile, match="giải nén quá lớn"):
        verify_docx(str(bomb))


def test_verify_docx_refuses_too_many_members(samples):
    members = {"[Content_Types].xml": samples.docx_content_types(), "word/document.xml": b"<w:document/>"}
    members |= {f"word/media/{i}.bin": b"x" for i in range(2000)}
    with pytest.raises(UnsupportedFile, match="quá nhiều thành phần"):
        verify_docx(io.BytesIO(samples.zip_of(members)))


# -- filenames -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("bai\x00viet.pdf", "baiviet.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("a\u2066b\u2069c\u200e\u200f.pdf", "abc.pdf"),
        ("  Bài   viết\tvề\nĐảng .docx ", "Bài viết về Đảng .docx"),
        ("...ẩn.pdf", "ẩn.pdf"),
        ("Phóng sự 🎥 về 👨‍👩‍👧 ĐBSCL.mp4", "Phóng sự 🎥 về 👨‍👩‍👧 ĐBSCL.mp4"),
        ("Nghe\u0302\u0323 An.pdf", "Nghệ An.pdf"),  # decomposed (as macOS sends it) -> NFC
        ("", "tep-tai-len"),
        ("../..", "tep-tai-len"),
        ("\u202e\x00 ", "tep-tai-len"),
    ],
)
def test_safe_filename(given, kept):
    assert safe_filename(given) == kept


def test_safe_filename_truncates_a_long_vietnamese_name_keeping_the_extension():
    name = "Phóng sự điều tra về công tác xây dựng Đảng ở cơ sở " * 6 + ".pdf"
    assert len(name) > 300
    kept = safe_filename(name)
    assert len(kept) <= 200 and kept.endswith(".pdf")
    assert kept.startswith("Phóng sự điều tra")
    assert not kept[:-4].endswith(" ")


def test_safe_filename_does_not_cut_an_emoji_sequence_in_half():
    kept = safe_filename("a" * 196 + "👨‍👩‍👧.pdf")
    assert kept.endswith(".pdf") and len(kept) <= 200
    assert not kept[:-4].endswith("\u200d")


# -- size caps -----------------------------------------------------------------------------------


def test_size_caps_defaults():
    caps = SizeCaps()
    assert caps.cap_for("document") == 50 * 1024**2
    assert caps.cap_for("image") == 30 * 1024**2
    assert caps.cap_for("audio") == 500 * 1024**2
    assert caps.cap_for("video") == 4 * 1024**3
    with pytest.raises(KeyError):
        caps.cap_for("executable")


# -- the upload sink -----------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 1000, 8192, 1 << 20])
def test_sink_stores_a_pdf_in_any_chunking(samples, store, chunk):
    data = samples.pdf()
    stored = upload(store, data, chunk=chunk)
    assert (stored.key, stored.size, stored.mime, stored.kind, stored.ext) == (
        KEY, len(data), "application/pdf", "document", "pdf")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(store.open(KEY)) == data
    assert stored_names(store) == [KEY]


def test_sink_stores_a_video_larger_than_the_head(samples, store):
    data = samples.ftyp(b"isom", size=3 * 1024 * 1024 + 17)
    stored = upload(store, data, chunk=64 * 1024 + 3)
    assert (stored.kind, stored.size) == ("video", len(data))
    assert store.sha256(KEY) == stored.sha256 == hashlib.sha256(data).hexdigest()


def test_sink_verifies_a_docx(samples, store):
    stored = upload(store, samples.docx())
    assert stored.mime == DOCX_MIME and stored_names(store) == [KEY]


def test_sink_refuses_an_exe_named_pdf_at_once_and_stores_nothing(store):
    sink = UploadSink(store, KEY, SizeCaps())
    sink.write(b"MZ" + bytes(5000))
    with pytest.raises(UnsupportedFile) as refused:
        sink.write(bytes(5000))  # the head is complete here: refused before the rest arrives
    assert refused.value.code == "unsupported_type"
    assert stored_names(store) == []
    with pytest.raises(RuntimeError):
        sink.write(b"more")


def test_sink_refuses_a_zip_bomb_docx_and_keeps_nothing(zip_bomb, store):
    with pytest.raises(UnsupportedFile):
        upload(store, zip_bomb.read_bytes(), chunk=64 * 1024)
    assert stored_names(store) == []


def test_sink_refuses_a_zip_that_is_not_a_docx(samples, store):
    with pytest.raises(UnsupportedFile):
        upload(store, samples.zip_of({"[Content_Types].xml": b"<Types/>", "notes.txt": b"x"}))
    assert stored_names(store) == []


def test_sink_refuses_an_empty_file(store):
    sink = UploadSink(store, KEY)
    sink.write(b"")
    with pytest.raises(Invalid) as refused:
        sink.finish()
    assert (refused.value.code, refused.value.field) == ("empty_file", "file")
    assert stored_names(store) == []


def test_sink_refuses_a_file_over_its_cap_as_soon_as_it_passes(samples, store):
    caps = SizeCaps(image=20_000)
    sink = UploadSink(store, KEY, caps)
    data = samples.png(padding=50_000)
    with pytest.raises(FileTooLarge) as refused:
        for at in range(0, len(data), 4096):
            sink.write(data[at:at + 4096])
    assert refused.value.code == "too_large"
    assert sink.size <= 20_000 + 4096  # stopped at the first chunk past the cap
    assert stored_names(store) == []


def test_sink_cap_depends_on_the_sniffed_kind(samples, store):
    caps = SizeCaps(image=1000, document=1_000_000)
    assert upload(store, samples.pdf(), caps=caps).kind == "document"
    with pytest.raises(FileTooLarge):
        upload(store, samples.png(padding=2000), caps=caps)


def test_sink_refuses_a_declared_size_over_the_cap_before_reading(samples, store):
    with pytest.raises(FileTooLarge):
        UploadSink(store, KEY, SizeCaps(), declared_size=5 * 1024**3)
    sink = UploadSink(store, KEY, SizeCaps(image=10_000), declared_size=50_000)
    with pytest.raises(FileTooLarge):
        sink.write(samples.png(padding=9000))  # the kind is known: its cap is below the declared size
    assert stored_names(store) == []


def test_sink_abort_removes_the_partial_file(samples, store):
    sink = UploadSink(store, KEY)
    sink.write(samples.ftyp(b"isom", size=100_000))
    assert stored_names(store) == [KEY + ".part"]
    sink.abort()
    sink.abort()  # idempotent
    assert stored_names(store) == []


def _atom(kind: bytes, body: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"%PDF-1.7\n" + bytes(100), "application/pdf"),
        (b"\xef\xbb\xbf%PDF-1.4\n" + bytes(100), "application/pdf"),  # UTF-8 BOM
        (b"\r\n\r\n%PDF-1.5\n" + bytes(100), "application/pdf"),  # blank lines from a mail gateway
        (b"Content-Type: application/pdf\r\n\r\n%PDF-1.6\n" + bytes(100), "application/pdf"),
        (bytes(1000) + b"%PDF-1.3\n", "application/pdf"),  # still within the first KiB
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50), "image/jpeg"),
        (b"\xff\xd8\xff\xe1\x00\x20Exif\x00\x00" + bytes(50), "image/jpeg"),
        (b"\xff\xd8\xff\xdb\x00\x43" + bytes(50), "image/jpeg"),  # raw, no APP segment
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(30), "image/webp"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8L" + bytes(30), "image/webp"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8X" + bytes(30), "image/webp"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(30), "audio/wav"),
        (b"RF64\xff\xff\xff\xffWAVEds64" + bytes(30), "audio/wav"),  # field recorders past 4 GB
        (b"BW64\xff\xff\xff\xffWAVEds64" + bytes(30), "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x10" + bytes(16) + b"\xff\xfb\x90\x00", "audio/mpeg"),
        (b"ID3\x03\x00\x80\x00\x00\x01\x00" + bytes(128), "audio/mpeg"),  # ID3v2.3, unsynchronised
        (_atom(b"wide") + _atom(b"mdat", bytes(32)), "video/quicktime"),  # classic QuickTime, no ftyp
        (_atom(b"moov", _atom(b"mvhd", bytes(100))), "video/quicktime"),
        (_atom(b"free", bytes(8)) + _atom(b"wide") + _atom(b"mdat", bytes(8)), "video/quicktime"),
        (b"\x00\x00\x00\x1cftypMSNV\x01\x29\x00\x46MSNVmp42isom", "video/mp4"),  # Sony
        (b"\x00\x00\x00\x18ftypXAVC\x01\x00\x1f\xffXAVCmp42", "video/mp4"),  # Sony camera
        (b"\x00\x00\x00\x1cftypmmp4\x00\x00\x00\x00isommp42avc1", "video/mp4"),  # a phone maker's brand
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom\x00\x00\x00\x00", "audio/mp4"),  # iPhone memo
        (b"\x00\x00\x00\x14ftypqt  \x20\x05\x03\x00qt  ", "video/quicktime"),  # iPhone video
    ],
    ids=["pdf", "pdf-bom", "pdf-blank-lines", "pdf-mime-remnant", "pdf-at-1000", "jpeg-jfif", "jpeg-exif",
         "jpeg-raw", "webp-lossy", "webp-lossless", "webp-extended", "wav", "rf64", "bw64", "mp3-id3v24",
         "mp3-id3v23", "mov-classic-wide", "mov-classic-moov", "mov-classic-free", "mp4-sony", "mp4-xavc",
         "mp4-other-major", "m4a-iphone", "mov-iphone"],
)
def test_sniff_knows_the_variants_cameras_phones_and_editors_write(data, mime):
    sniffed = sniff(data)
    assert sniffed is not None and sniffed.mime == mime


@pytest.mark.parametrize(
    "data",
    [
        bytes(1030) + b"%PDF-1.4\n",  # past the first KiB
        b"MZ\x90\x00" + bytes(60) + b"%PDF-1.4\n",  # an executable carrying a PDF header
        b"<html><body>%PDF-1.4</body></html>",
        b"\x00\x00\x00\x20ftypheic\x00\x00\x00\x00mif1heicmiaf\x00\x00\x00\x00\x00\x00\x00\x00",  # photo
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1isom",  # AVIF photo compatible with isom
        _atom(b"wide") + _atom(b"abcd", bytes(8)),  # atoms, but no movie
        b"RF64\xff\xff\xff\xffAVI " + bytes(30),
    ],
    ids=["pdf-too-late", "exe-with-pdf-header", "html-with-pdf-header", "heic", "avif", "atoms-no-movie", "rf64-avi"],
)
def test_sniff_still_refuses_lookalikes(data):
    assert sniff(data) is None


@given(st.binary(max_size=600))
def test_sniff_never_fails_on_any_bytes(data):
    result = sniff(data)
    assert result is None or isinstance(result, Sniffed)
    for prefix in (b"\x00\x00\x00\x18ftyp", b"ID3", b"RIFF", b"PK\x03\x04", b"%PDF-1.4", b"\xff\xfb"):
        sniff(prefix + data)
