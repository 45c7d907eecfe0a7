"""Text extraction of untrusted documents in a child process, within fixed caps of time, memory and
output. A PDF whose text extraction loops or inflates (pypdf runs in pure Python, page after page) or a
DOCX that got past the zip checks can then cost at most `timeout` seconds and `memory` bytes, and never
the app's own memory or its other requests.

The child is `python -m award.sandbox PATH MEMORY CPU`: it sets RLIMIT_AS and RLIMIT_CPU on itself
before it opens the file, extracts, and prints one JSON line; the parent kills it at the wall-clock
timeout.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from award.textextract import UnsupportedDocument

log = logging.getLogger(__name__)

MiB = 1024 * 1024
TIMEOUT = 30.0
MEMORY = 768 * MiB
MAX_TEXT = 500_000  # characters kept from one document


class ExtractionLimit(UnsupportedDocument):
    """The document needed more time or memory than allowed to read (415, like an unreadable file)."""

    code = "document_too_complex"


@dataclass(frozen=True)
class Extracted:
    text: str
    pages: int | None


def extract_limited(path: str | Path, *, timeout: float | None = None, memory: int | None = None) -> Extracted:
    """Text (NFC) and page count of a .txt/.md/.docx/.pdf file, read in a capped child process."""
    timeout, memory = timeout or TIMEOUT, memory or MEMORY
    command = [sys.executable, "-m", "award.sandbox", str(path), str(int(memory)), str(int(timeout) + 1)]
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")}
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed the child
        log.warning("sandbox.timeout seconds=%s", timeout)
        raise ExtractionLimit("Tài liệu cần quá nhiều thời gian để đọc nội dung (nghi là tệp độc hại).",
                              field="file") from exc
    try:
        result = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError, UnicodeDecodeError):
        result = {"limit": True}
    if result.get("limit") or done.returncode != 0:
        log.warning("sandbox.failed returncode=%s", done.returncode)
        raise ExtractionLimit("Tài liệu cần quá nhiều bộ nhớ hoặc thời gian để đọc nội dung (nghi là tệp độc hại).",
                              field="file")
    if "error" in result:
        raise UnsupportedDocument(result["error"], field="file")
    return Extracted(result["text"], result["pages"])


def extract_limited_stream(data: BinaryIO, **limits) -> Extracted:
    """The same, for an uploaded file object: copied to a temporary file for the child."""
    with tempfile.NamedTemporaryFile(prefix="award-extract-") as tmp:
        shutil.copyfileobj(data, tmp, 1 << 20)
        tmp.flush()
        return extract_limited(tmp.name, **limits)


def _child(path: str, memory: int, cpu_seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    from award.files import UnsupportedFile
    from award.textextract import extract_text, pdf_pages

    try:
        with open(path, "rb") as f:
            text = extract_text(f)
            pages = pdf_pages(f)
        out = {"text": text[:MAX_TEXT], "pages": pages}
    except UnsupportedFile as exc:
        out = {"error": exc.message}
    except (MemoryError, RecursionError):
        out = {"limit": True}
    except Exception:  # pypdf and python-docx raise many kinds of errors on a broken file
        out = {"error": "Không đọc được nội dung tài liệu (tệp hỏng)."}
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
