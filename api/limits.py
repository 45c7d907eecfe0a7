"""The request gate: how large a body each kind of route takes, and which multipart framing is readable.

Every request body is bounded before a route reads it: by its declared Content-Length at once, and byte by
byte as it streams (a chunked body declares nothing). The bound depends on the route's kind, looked up
from the route the request goes to:

- `json` (every other route: JSON API bodies and page forms): 2 MiB. The largest legitimate body is an
  entry with a 200,000-character transcript (≈ 1.2 MB in JSON escapes) or the 10,000 parts of an upload's
  completion (≈ 0.8 MB);
- `outline` (an outline file of at most 20 MB, or up to 2,000,000 pasted characters): 24 MiB;
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

# Route name → kind; every other route is `json`. tests/api/test_request_limits.py enumerates the app's routes.
BODY_KINDS = {
    "api:files:upload": "upload",
    "api:storage:part": "part",
    "api:outline:parse": "outline",
    "api:outline:save": "outline",
    "outline:preview": "outline",
    "outline:save": "outline",
}
TOO_LARGE = "Dữ liệu gửi lên quá lớn: tối đa {limit} cho thao tác này."
# The same refusal on a page, in the words of what the person sent (the API keeps TOO_LARGE).
TOO_LARGE_PAGE = {
    "json": "Biểu mẫu gửi lên quá lớn: mỗi lần gửi, mọi ô của biểu mẫu cộng lại được tối đa {limit}, và nội dung "
            "vừa gửi vượt mức đó nên chưa được lưu. Hãy quay lại, rút ngắn ô dài nhất (chẳng hạn phần tóm tắt "
            "hay kịch bản) rồi gửi lại.",
    "outline": "Tệp đề cương hoặc nội dung dán vào quá lớn: tối đa {limit} mỗi lần gửi; chưa có gì được lưu.",
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
    return JSON_LIMIT


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


class BodyTooLarge(HTTPException):
    """A body over its route kind's bound; `page_message` says so on a page (api/errors.py)."""

    def __init__(self, limit: int, kind: str = "json"):
        super().__init__(413, detail={"code": "too_large", "message": TOO_LARGE.format(limit=_human(limit))})
        self.limit, self.kind = limit, kind

    @property
    def page_message(self) -> str:
        return TOO_LARGE_PAGE.get(self.kind, TOO_LARGE_PAGE["json"]).format(limit=_human(self.limit))


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
        try:
            check_multipart_framing(headers.get(b"content-type", b"").decode("latin-1"))
            if declared is not None and declared.strip().isdigit() and int(declared) > limit:
                raise BodyTooLarge(limit, kind)
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
                    raise BodyTooLarge(limit, kind)
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
