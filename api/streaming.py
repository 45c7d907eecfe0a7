"""Streaming a multipart upload into storage without holding it in memory or on a temporary disk.

python-multipart's low-level parser is fed the request body as it arrives; the bytes of the `file`
field go straight to an UploadSink (which sniffs, size-checks, hashes and writes them). Storage
writes are blocking, so parser work runs in the thread pool, in batches of about 1 MiB.
"""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from award.errors import Invalid
from award.files import UploadSink
from api.limits import MalformedMultipart, check_multipart_framing

BATCH = 1024 * 1024


@dataclass
class Received:
    filename: str
    sink: UploadSink


class _FileFieldParser:
    def __init__(self, boundary: bytes, field: str, make_sink: Callable[[str], UploadSink]):
        self.field = field
        self.make_sink = make_sink
        self.sink: UploadSink | None = None
        self.filename = ""
        self.files_seen = 0
        self._headers: dict[bytes, bytes] = {}
        self._name = b""
        self._value = b""
        self._current: UploadSink | None = None
        self.parser = MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_header_field": self._hfield, "on_header_value": self._hvalue,
            "on_header_end": self._hend, "on_headers_finished": self._headers_done, "on_part_data": self._data,
            "on_part_end": self._end,
        }, max_header_count=16)

    def _begin(self):
        self._headers, self._name, self._value, self._current = {}, b"", b"", None

    def _hfield(self, data, start, end):
        self._name += data[start:end]

    def _hvalue(self, data, start, end):
        self._value += data[start:end]

    def _hend(self):
        self._headers[self._name.lower()] = self._value
        self._name, self._value = b"", b""

    def _headers_done(self):
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name", b"").decode("utf-8", "replace") != self.field or b"filename" not in params:
            return  # other fields (e.g. a CSRF token) are not needed here
        self.files_seen += 1
        if self.files_seen > 1:
            raise Invalid("Mỗi lần chỉ gửi một tệp.", field="file", code="one_file")
        self.filename = params[b"filename"].decode("utf-8", "replace")
        self.sink = self._current = self.make_sink(self.filename)

    def _data(self, data, start, end):
        if self._current is not None:
            self._current.write(bytes(data[start:end]))

    def _end(self):
        self._current = None

    def feed(self, chunk: bytes) -> None:
        self.parser.write(chunk)

    def close(self) -> None:
        self.parser.finalize()


async def receive_file(request: Request, make_sink: Callable[[str], UploadSink], field: str = "file") -> Received:
    """Read a multipart body with one file field; returns the finished-writing sink (not yet committed)."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise Invalid("Hãy gửi tệp dưới dạng multipart/form-data, trường 'file'.", field="file", code="not_multipart")
    check_multipart_framing(request.headers["content-type"])
    parser = _FileFieldParser(params[b"boundary"], field, make_sink)
    batch = bytearray()
    try:
        async for chunk in request.stream():
            batch += chunk
            if len(batch) >= BATCH:
                data, batch = bytes(batch), bytearray()
                await run_in_threadpool(parser.feed, data)
        if batch:
            await run_in_threadpool(parser.feed, bytes(batch))
        await run_in_threadpool(parser.close)
    except BaseException as exc:
        if parser.sink is not None:
            await run_in_threadpool(parser.sink.abort)
        if isinstance(exc, FormParserError):
            # A part header over python-multipart's 4 KiB, more than 16 header lines, broken framing.
            raise MalformedMultipart() from exc
        raise
    if parser.sink is None:
        raise Invalid("Chưa chọn tệp để tải lên.", field="file", code="required")
    return Received(parser.filename, parser.sink)
