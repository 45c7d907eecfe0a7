"""The request gate: how large a body each kind of route takes, and which multipart framing is readable.

Every request body is bounded before a route reads it: by its declared Content-Length at once, and byte by
byte as it streams (a chunked body declares nothing). The bound depends on the route's kind, looked up
from the route the request goes to:

- `json` (every other route: JSON API bodies and page forms): 2 MiB. The largest legitimate body is an
  entry with a 200,000-character transcript (≈ 1.2 MB in JSON escapes) or the 10,000 parts of an upload's
  completion (≈ 0.8 MB);
- `outline` (an outline file of at most 20 MB, or up to 2,000,000 pasted characters): 24 MiB;
- `sheet` (a spreadsheet import on a page: the judges, the quotas): the sheet cap (5 MB) plus 1 MiB of
  multipart framing;
- `upload` (a file streamed through the app): the largest file cap plus 1 MiB of multipart framing;
- `part` (a part of a local multipart upload): the largest part a plan can have; each part's own bound
  (its plan's part size and the declared size) is signed into its URL and checked by the route.

A body over its bound answers 413 with the API's error body (or the error page), nothing read past the
bound. A multipart body whose boundary is missing or longer than RFC 2046's 70 characters is refused
before any parser sees it (python-multipart raises on boundaries over 256 bytes in its constructor).
"""

from fastapi import Request
from fastapi.routing import iter_route_contexts
from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from award.entry_files import part_size_for

MiB = 1024 * 1024
JSON_LIMIT = 2 * MiB
OUTLINE_LIMIT = 24 * MiB
MULTIPART_OVERHEAD = MiB
MAX_BOUNDARY = 70  # RFC 2046, section 5.1.1
# The largest file a page's file form takes, by the form's kind: what the route checks, what the 413 page
# says and what the file field tells before sending (`data-max-bytes`, static/js/file-input.js).
SHEET_MAX_BYTES = 5 * MiB
OUTLINE_FILE_MAX_BYTES = 20 * MiB
FILE_CAPS = {"sheet": SHEET_MAX_BYTES, "outline": OUTLINE_FILE_MAX_BYTES}

# Route name → kind; every other route is `json`. tests/api/test_request_limits.py enumerates the app's routes.
BODY_KINDS = {
    "api:files:upload": "upload",
    "api:storage:part": "part",
    "api:outline:parse": "outline",
    "api:outline:save": "outline",
    "outline:preview": "outline",
    "outline:save": "outline",
    "pages:users_import": "sheet",
    "rounds:quotas_import": "sheet",
}
TOO_LARGE = "Dữ liệu gửi lên quá lớn: tối đa {limit} cho thao tác này."
# The same refusal on a page, in the words of what the person sent (the API keeps TOO_LARGE).
TOO_LARGE_PAGE = {
    "json": "Biểu mẫu gửi lên quá lớn: mỗi lần gửi, mọi ô của biểu mẫu cộng lại được tối đa {limit}, và nội dung "
            "vừa gửi vượt mức đó nên chưa được lưu. Hãy quay lại, rút ngắn ô dài nhất (chẳng hạn phần tóm tắt "
            "hay kịch bản) rồi gửi lại.",
    "outline": "Tệp đề cương hoặc nội dung dán vào quá lớn: tối đa {limit} mỗi lần gửi; chưa có gì được lưu.",
    "outline_file": "Tệp đề cương quá lớn: mỗi tệp được tối đa {file_limit}, và tệp vừa chọn vượt mức đó nên chưa "
                    "có gì được lưu. Hãy quay lại, chọn tệp nhỏ hơn (chẳng hạn bản .txt hoặc .docx không kèm hình "
                    "ảnh) hoặc dán nội dung vào ô “Hoặc dán / sửa nội dung”.",
    "sheet": "Tệp Excel quá lớn: mỗi tệp được tối đa {file_limit}, và tệp vừa chọn vượt mức đó nên chưa có dòng nào "
             "được nhập. Hãy quay lại, chọn tệp nhỏ hơn (chẳng hạn bỏ các trang tính và hình ảnh không cần) rồi "
             "nhập lại.",
    # a multipart form (one that sends files) of a route without a file kind of its own
    "json_file": "Tệp gửi lên quá lớn: mỗi lần gửi, tệp và các ô của biểu mẫu cộng lại được tối đa {limit}, và "
                 "nội dung vừa gửi vượt mức đó nên chưa được lưu. Hãy quay lại và chọn tệp nhỏ hơn.",
    "upload": "Tệp tải lên quá lớn: tối đa {limit} mỗi lần gửi (kể cả phần đầu của biểu mẫu); chưa có gì được "
              "lưu.",
    "part": "Một phần của tệp tải lên quá lớn: tối đa {limit}; chưa có gì được lưu.",
}
BAD_MULTIPART = ("Không đọc được nội dung gửi lên: dữ liệu multipart không đúng định dạng "
                 "(thiếu ranh giới, ranh giới quá dài, phần đầu quá dài hoặc quá nhiều dòng đầu).")


def limit_for(kind: str) -> int:
    from api.deps import size_caps  # the caps come from the settings, read when the request arrives

    if kind == "upload":
        return size_caps().largest + MULTIPART_OVERHEAD
    if kind == "part":
        return part_size_for(size_caps().largest)
    if kind == "outline":
        return OUTLINE_LIMIT
    if kind == "sheet":
        return SHEET_MAX_BYTES + MULTIPART_OVERHEAD
    return JSON_LIMIT


def file_cap(kind: str) -> int:
    """The largest file a page's file form of this kind takes (the file itself, without the form around it)."""
    return FILE_CAPS[kind]


def route_kind(scope) -> str:
    """The kind of the route this request goes to: the routes of BODY_KINDS, found by the app's own route
    walk once, are matched on path and method; every other route is `json`."""
    app = scope.get("app")
    special = getattr(app.state, "body_kind_routes", None) if app is not None else None
    if special is None:
        special = []
        for rc in iter_route_contexts(app.routes if app is not None else []):
            kind = BODY_KINDS.get(rc.name or "")
            if kind is not None:
                special.append((compile_path(rc.path)[0], set(rc.methods or ()), kind))
        if app is not None:
            app.state.body_kind_routes = special
    for regex, methods, kind in special:
        if scope["method"] in methods and regex.match(scope["path"]):
            return kind
    return "json"


def _human(size: int) -> str:
    return f"{size // MiB} MB" if size >= MiB else f"{size} byte"


human_size = _human  # the pages' words for a limit ("5 MB"), as the 413 page says it


def is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


class BodyTooLarge(HTTPException):
    """A body over its route kind's bound; `page_message` says so on a page (api/errors.py): for a form that
    sends a file (multipart), that the file is too large and the largest file the form takes, never the advice
    to shorten a text field."""

    def __init__(self, limit: int, kind: str = "json", multipart: bool = False):
        super().__init__(413, detail={"code": "too_large", "message": TOO_LARGE.format(limit=_human(limit))})
        self.limit, self.kind, self.multipart = limit, kind, multipart

    @property
    def page_message(self) -> str:
        key = self.kind
        if self.multipart and f"{key}_file" in TOO_LARGE_PAGE:
            key = f"{key}_file"
        return TOO_LARGE_PAGE.get(key, TOO_LARGE_PAGE["json"]).format(
            limit=_human(self.limit), file_limit=_human(FILE_CAPS.get(self.kind, self.limit)))


class MalformedMultipart(HTTPException):
    def __init__(self):
        super().__init__(400, detail=BAD_MULTIPART)


def check_multipart_framing(content_type: str) -> None:
    """A multipart body must name a boundary of 1–70 characters."""
    kind, params = parse_options_header(content_type)
    if kind.startswith(b"multipart/"):
        boundary = params.get(b"boundary", b"")
        if not 1 <= len(boundary) <= MAX_BOUNDARY:
            raise MalformedMultipart()


class BodyLimitMiddleware:
    """Pure ASGI: refuses a body over its route kind's bound, by Content-Length or while it streams."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        declared = headers.get(b"content-length")
        if declared is None and b"transfer-encoding" not in headers:
            return await self.app(scope, receive, send)  # no body
        kind = route_kind(scope)
        limit = limit_for(kind)
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        multipart = is_multipart(content_type)
        try:
            check_multipart_framing(content_type)
            if declared is not None and declared.strip().isdigit() and int(declared) > limit:
                raise BodyTooLarge(limit, kind, multipart)
        except HTTPException as exc:
            return await self._refuse(scope, receive, send, exc)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, kind, multipart)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await self._refuse(scope, receive, send, exc)

    @staticmethod
    async def _refuse(scope, receive, send, exc: HTTPException):
        from api.deps import viewer_for_error_page
        from api.errors import http_error_response, is_api

        request = Request(scope, receive)
        if not is_api(request):
            await viewer_for_error_page(request)  # the page's header shows who is signed in
        response = http_error_response(request, exc)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)
