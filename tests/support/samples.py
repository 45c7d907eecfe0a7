"""Small real samples of every accepted file type, built by the libraries or by the book."""

import io
import struct
import wave
import zipfile
import zlib
from pathlib import Path


class Samples:
    """Real (if tiny) files, built by the libraries or by the book, never downloaded."""

    @staticmethod
    def pdf() -> bytes:
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    @staticmethod
    def unique_pdf() -> bytes:
        """A PDF no other work has (the round refuses the same file in two works): a random comment appended."""
        import os

        return Samples.pdf() + b"%" + os.urandom(8).hex().encode() + b"\n"

    @staticmethod
    def docx(text: str = "Bài dự thi về xây dựng Đảng") -> bytes:
        import docx

        document = docx.Document()
        document.add_paragraph(text)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    @staticmethod
    def png(padding: int = 0) -> bytes:
        """A 1×1 RGB PNG; `padding` adds a private ancillary chunk to make it as large as needed."""

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
        extra = chunk(b"prVt", bytes(padding)) if padding else b""
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
                + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))

    @staticmethod
    def jpeg() -> bytes:
        """SOI, a JFIF APP0 segment, a comment and EOI: the structure every JPEG starts with."""
        app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        comment = "ảnh".encode()
        return (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
                + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + b"\xff\xd9")

    @staticmethod
    def webp() -> bytes:
        """A lossless (VP8L) 1×1 WebP in its RIFF container."""
        vp8l = bytes.fromhex("2f00000010071011118888fe07")
        body = b"WEBP" + b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l + b"\x00" * (len(vp8l) % 2)
        return b"RIFF" + struct.pack("<I", len(body)) + body

    @staticmethod
    def wav(frames: int = 800) -> bytes:
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"\x00\x00" * frames)
        return out.getvalue()

    @staticmethod
    def mp3(header: bytes = b"\xff\xfb\x90\x00", frame_length: int = 417, frames: int = 5,
            id3: bool = False) -> bytes:
        """Layer III frames of `frame_length` bytes; the default header is MPEG-1, 128 kbit/s, 44.1 kHz,
        no CRC (417 bytes a frame). Without `id3` the file starts with a bare frame sync."""
        frame = header + bytes(frame_length - len(header))
        tag = b"ID3\x04\x00\x00\x00\x00\x00\x00" if id3 else b""
        return tag + frame * frames

    @staticmethod
    def ftyp(major: bytes, compatible: tuple[bytes, ...] = (b"isom",), size: int = 0) -> bytes:
        """An ISO-BMFF file: the `ftyp` box, then an `mdat` box padded to `size` bytes in all."""
        brands = major + b"\x00\x00\x02\x00" + b"".join(compatible)
        ftyp = struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands
        mdat_size = max(size - len(ftyp), 8)
        return ftyp + struct.pack(">I", mdat_size) + b"mdat" + bytes(mdat_size - 8)

    @staticmethod
    def zip_of(members: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
        return out.getvalue()

    @staticmethod
    def zip_bomb_docx(path: Path, inflated: int) -> Path:
        """A DOCX-shaped archive whose `word/media/zeros.bin` inflates to `inflated` bytes of zeros,
        written through zipfile in 1 MiB steps so neither memory nor disk ever hold the zeros."""
        content_types = Samples.docx_content_types()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr("[Content_Types].xml", content_types)
            z.writestr("word/document.xml", b"<w:document/>")
            with z.open("word/media/zeros.bin", "w", force_zip64=True) as member:
                block = bytes(1024 * 1024)
                for _ in range(inflated // len(block)):
                    member.write(block)
        return path

    @staticmethod
    def docx_content_types(main: str = "wordprocessingml.document.main+xml") -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.{main}"/></Types>'
        ).encode()

    @staticmethod
    def pdf_with_streams(streams: list[bytes]) -> bytes:
        """A PDF with one page per content stream (FlateDecode), written by hand: hostile content included."""
        import zlib

        objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
                   (f"<< /Type /Pages /Kids [{' '.join(f'{3 + 2 * i} 0 R' for i in range(len(streams)))}] "
                    f"/Count {len(streams)} >>").encode()]
        for i, raw in enumerate(streams):
            data = zlib.compress(raw, 9)
            objects.append((f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R "
                            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
                            ).encode())
            objects.append(f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream")
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, 1):
            offsets.append(out.tell())
            out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
        xref = out.tell()
        out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()

    @staticmethod
    def png_header(width: int, height: int) -> bytes:
        """A PNG whose header declares width × height pixels, with one tiny (invalid) data chunk."""
        import zlib

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(1000)))
                + chunk(b"IEND", b""))

