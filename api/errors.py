"""Maps domain errors to HTTP: JSON for /api, Vietnamese error pages for the browser."""

import logging
import math
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import (
    InterfaceError as DBInterfaceError,
    OperationalError as DBOperationalError,
    TimeoutError as PoolTimeout,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from award.calendar import PhaseClosed
from award.errors import (
    AwardError,
    BadCredentials,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyAttempts,
    field_errors,
    validation_text,
)
from award.files import FileTooLarge, UnsupportedFile
from award.storage import StorageUnavailable
from api.limits import MalformedMultipart
from api.security import CsrfError
from api.suggestions import TaggerUnavailable
from api.templating import render

log = logging.getLogger(__name__)

# Most specific first: a refused file type is a kind of invalid input, but answers 415; wrong credentials
# are too, but answer 401 (../shared/API.md).
STATUS = {TaggerUnavailable: 503, BadCredentials: 401, FileTooLarge: 413, UnsupportedFile: 415, NotFound: 404,
          Forbidden: 403, Conflict: 409, Invalid: 422, TooManyAttempts: 429}


def status_of(exc: AwardError) -> int:
    """The HTTP status of a domain error, for the API and for a page that shows the refusal itself."""
    return next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)


def form_status(exc: AwardError, default: int) -> int:
    """A form shown again with its error: `default` for what the person can correct in it, but 409 when the
    action itself is closed in the round's phase (a form loaded before a deadline and sent after it)."""
    return status_of(exc) if isinstance(exc, PhaseClosed) else default

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Anh/chị cần đăng nhập để tiếp tục.",
    403: "Anh/chị không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang hoặc dữ liệu anh/chị yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    409: "Thao tác không thực hiện được ở thời điểm này.",
    413: "Tệp hoặc dữ liệu gửi lên quá lớn.",
    415: "Định dạng tệp không được hỗ trợ.",
    422: "Dữ liệu nhập chưa hợp lệ.",
    429: "Anh/chị thao tác quá nhiều lần. Vui lòng thử lại sau.",
    500: "Hệ thống gặp sự cố. Vui lòng thử lại sau.",
    503: "Dịch vụ tạm thời gián đoạn. Vui lòng thử lại sau ít phút.",
}
CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_type", 429: "too_many_requests",
         500: "internal_error", 503: "unavailable"}


BODY_UNREADABLE = "Không đọc được nội dung gửi lên: dữ liệu không đúng định dạng đã khai báo (JSON UTF-8 hoặc multipart)."


# The query parameters of the pages, as their forms name them (a link edited by hand, ?page=-1, lands here).
QUERY_LABELS = {"page": "Số trang", "q": "Ô tìm kiếm", "status": "Trạng thái", "media_type": "Loại hình",
                "since": "Từ ngày", "until": "Đến ngày", "unit_id": "Đơn vị", "unit_ids": "Đơn vị",
                "round_id": "Đợt giải", "person": "Người thực hiện", "panel": "Tiểu ban", "method": "Cách tính",
                "kind": "Loại", "action": "Thao tác", "entity": "Đối tượng", "entity_id": "Mã đối tượng",
                "on": "Theo", "revoked": "Số phiên đã đăng xuất", "sent": "Đã gửi", "role": "Vai trò",
                "plan_id": "Phương án phân công"}


# The fields of the pages' forms that a route validates itself (a number's bounds, a length), as the forms
# label them; tests/api/test_page_queries.py checks every such field has its label.
FIELD_LABELS = {
    "active": "Đang dùng", "code": "Mã", "codes": "Chủ đề", "eligible": "Hợp lệ", "email": "Thư điện tử",
    "entry_id": "Tác phẩm", "entry_ids": "Tác phẩm", "expected": "Xác nhận", "file": "Tệp",
    "full_name": "Họ và tên", "judges_per_entry": "Số giám khảo chấm mỗi tác phẩm", "kind": "Loại", "level": "Mức giải",
    "name": "Tên", "new_password": "Mật khẩu mới", "new_password_again": "Nhập lại mật khẩu mới",
    "next": "Trang tiếp theo", "note": "Ghi chú", "old_password": "Mật khẩu hiện tại", "outlet": "Cơ quan báo chí",
    "panel_code": "Tiểu ban", "password": "Mật khẩu", "password_again": "Nhập lại mật khẩu", "place": "Nơi chấm",
    "plan_id": "Phương án phân công", "postmark_date": "Ngày dấu bưu điện", "predecessor_ids": "Đơn vị trước đó",
    "publish_at": "Thời điểm công bố", "reason": "Lý do", "reason_code": "Lý do", "role": "Vai trò",
    "round_id": "Đợt giải", "shown": "Nội dung đã hiển thị", "text": "Nội dung", "thematic": "Giải chuyên đề",
    "token": "Mã xác nhận",
    "unit_id": "Đơn vị", "unit_ids": "Đơn vị", "user_id": "Người dùng", "valid_from": "Hiệu lực từ",
    "valid_to": "Hiệu lực đến", "csrf_token": "Mã bảo vệ biểu mẫu",
}


def without_bad_query(request: Request, errors: list[dict]) -> Response:
    """A page asked for with a query value its route refuses: the same page without those values (their
    defaults), saying which field was ignored and why, rather than an error page for a hand-edited link."""
    from api.forms import redirect  # api.forms builds on this module

    bad = {str(e["loc"][1]) for e in errors if len(e.get("loc", ())) > 1}
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in bad]
    url = request.url.replace(query=urlencode(kept))
    notes = field_notes([e for e in errors if len(e.get("loc", ())) > 1], QUERY_LABELS, at=1)
    return redirect(url, f"Đã bỏ qua giá trị không hợp lệ trên địa chỉ trang ({notes}) và hiển thị theo mặc định.",
                    "warning")


def field_notes(errors: list[dict], labels: dict[str, str], at: int = -1) -> str:
    """"Label: message; Label: message" for validation errors, to sit inside a sentence's parentheses: each
    message without its own closing full stop (never "…bằng 1.)." or "….; …")."""
    return "; ".join(validation_message(e, labels, at=at).rstrip(" .") for e in errors if e.get("loc"))


def form_refusal(errors: list[dict]) -> str:
    """The flash of a form whose values its route refused before the handler ran (api/errors.py handler)."""
    return f"Chưa thực hiện được: dữ liệu chưa hợp lệ ({field_notes(errors, FIELD_LABELS)}). Vui lòng sửa rồi gửi lại."


def field_label(loc, labels: dict[str, str] | None = None, at: int = -1) -> str | None:
    """The Vietnamese label of the field at `loc` (a validation error's location: ("body", "title"),
    ("query", "page")), from `labels`, else from the pages' labels, else as the entry form labels a work's
    field ("parts.0.outlet" → "Kỳ 1 – Cơ quan báo chí"); any other field is named by its path, quoted
    (“rules.foo”). None for the body as a whole."""
    parts = [str(p) for p in (loc or ()) if str(p) not in ("body", "query", "path", "header", "cookie", "form")]
    if not parts:
        return None
    key = str(loc[at]) if loc and at != -1 else parts[-1]
    from award.entries import ROW_LABELS, entry_label

    if not labels and len(parts) == 3 and parts[0] in ROW_LABELS and parts[1].isdigit():
        return entry_label(".".join(parts))  # a row of a work's body, with its number: "Kỳ 1 – Đường dẫn"
    for table in (labels or {}, FIELD_LABELS, QUERY_LABELS):
        if key in table:
            return table[key]
    # an API body's field the entry form shows (the entries and the draft suggestions take a work's fields):
    # named as the form names it ("Tên tác phẩm"), not by its path
    return entry_label(".".join(parts))


def validation_message(error: dict, labels: dict[str, str] | None = None, at: int = -1) -> str:
    """One validation error in Vietnamese naming its field (award.errors.validation_text, the one
    translation of pydantic's refusals): "Số trang: phải lớn hơn hoặc bằng 1."."""
    return validation_text(error, field_label(error.get("loc"), labels, at))


class ErrorJSONResponse(JSONResponse):
    """An error body that always renders: whatever it echoes of the request (a field's input, a location)
    that JSON or UTF-8 cannot carry, such as NaN, Infinity or a lone UTF-16 surrogate ("\\ud800"), which
    Python's json module accepts on the way in, becomes null instead of a 500."""

    def render(self, content) -> bytes:
        try:
            return super().render(content)
        except (ValueError, UnicodeEncodeError):
            return super().render(encodable(content))


def encodable(value):
    """`value` with every float JSON refuses and every string UTF-8 refuses replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return value
    if isinstance(value, dict):
        return {k: encodable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encodable(v) for v in value]
    return value


class NotAuthenticated(Exception):
    """No valid session or token; the browser is sent to the login page, the API answers 401."""


def form_origin(request: Request) -> str | None:
    """The same-site page a browser form was sent from (its Referer: the site sends it to itself only,
    Referrer-Policy same-origin), or None for the API, other methods, and requests without one."""
    if is_api(request) or request.method != "POST":
        return None
    referer = request.headers.get("referer", "")
    parts = urlsplit(referer)
    if not referer or parts.netloc != request.url.netloc or parts.scheme not in ("http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, code: str, message: str, field: str | None = None, headers=None,
                   back: bool = False):
    """The API's error body, or the error page; `back` puts a "Quay lại" link on the page (the browser's
    history, so what was typed in the form is usually still there; without script, the form's page)."""
    if is_api(request):
        detail = {"code": code, "message": message}
        if field:
            detail["field"] = field
        return ErrorJSONResponse({"detail": detail}, status_code=status, headers=headers)
    context = {"status": status, "message": message, "back": (form_origin(request) or "/") if back else None}
    response = render(request, "errors/error.html", context, status_code=status)
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":  # pages keep Retry-After; other API-only headers stay off
            response.headers[name] = value
    return response


def page_above(request: Request) -> str | None:
    """The nearest address above the request's that has a page (a GET route): /entries/12/submit → /entries/12,
    /logout → /. None when there is none."""
    from starlette.routing import Match

    parts = request.url.path.rstrip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        path = "/".join(parts[:end]) or "/"
        scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            return path
    return None


def http_error_response(request: Request, exc: StarletteHTTPException):
    """Starlette's and FastAPI's own refusals (and the request gate's, api/limits.py) in our words."""
    if exc.status_code == 405 and request.method in ("GET", "HEAD") and not is_api(request):
        # A form refused in place is shown at its action's address (/entries/12/submit); reloading it, or
        # pressing Enter in the address bar, asks that address for a page it does not have: the page the form
        # was on answers instead (a newcomer met "Phương thức không được hỗ trợ" there).
        above = page_above(request)
        if above is not None:
            return RedirectResponse(above, status_code=303)
    if exc.status_code == 400:
        # A body that could not even be parsed (bytes that are not UTF-8, broken multipart framing): invalid
        # input like any other; the API lists it as the standard 422 naming the body.
        message = exc.detail if isinstance(exc, MalformedMultipart) else BODY_UNREADABLE
        if is_api(request):
            return ErrorJSONResponse({"detail": [{"type": "body_unreadable", "loc": ["body"], "msg": message,
                                                  "input": None}]}, status_code=422)
        return error_response(request, 400, "body_unreadable", message)
    if exc.status_code == 413 and not is_api(request) and hasattr(exc, "page_message"):
        # a form too large for the request gate: what was too large in plain words, and the way back
        return error_response(request, 413, "too_large", exc.page_message, back=True)
    if isinstance(exc.detail, dict):
        return error_response(request, exc.status_code, exc.detail.get("code", "error"),
                              exc.detail.get("message", MESSAGES.get(exc.status_code, MESSAGES[400])),
                              exc.detail.get("field"), headers=exc.headers)
    # Starlette's own details are English ("Not Found", "Content Too Large"): ours instead.
    message = MESSAGES.get(exc.status_code, MESSAGES[400])
    return error_response(request, exc.status_code, CODES.get(exc.status_code, "error"), message, headers=exc.headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(AwardError)
    async def award_error(request: Request, exc: AwardError):
        status = status_of(exc)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        if isinstance(exc, TaggerUnavailable):
            headers = {"Retry-After": "30"}
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        if status == 422 and is_api(request):
            pairs = field_errors(exc, "").items()  # every field at fault, in the order checked
            return ErrorJSONResponse(
                {"detail": [{"type": exc.code, "loc": ["body", *(f.split(".") if f else [])], "msg": m, "input": None}
                            for f, m in pairs]},
                status_code=422,
            )
        back = form_origin(request) if status in (400, 409, 422) else None
        if back is not None:
            # A form whose page did not handle the refusal: back to that page, the reason on top of it,
            # rather than a bare error page (the request's transaction is already rolled back).
            from api.forms import redirect  # api.forms imports this module

            return redirect(back, exc.message, "error")
        return error_response(request, status, exc.code, exc.message, exc.field, headers)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated):
        if is_api(request):
            return JSONResponse(
                {"detail": {"code": "not_authenticated", "message": MESSAGES[401]}},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = request.url_for("pages:login").include_query_params(next=target)
        return RedirectResponse(str(login), status_code=303)

    @app.exception_handler(CsrfError)
    async def csrf_error(request: Request, exc: CsrfError):
        log.info("security.csrf_rejected reason=%s", exc)
        return error_response(
            request, 403, "csrf_failed",
            "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Vui lòng tải lại trang và gửi lại.",
        )

    @app.exception_handler(StorageUnavailable)
    async def storage_down(request: Request, exc: StorageUnavailable):
        log.warning("storage.unavailable error=%s", type(exc).__name__)
        return error_response(request, 503, "storage_unavailable",
                              "Kho lưu trữ tệp tạm thời không phản hồi. Chưa có gì thay đổi; vui lòng thử lại sau ít phút.")

    @app.exception_handler(DBOperationalError)
    @app.exception_handler(DBInterfaceError)
    async def database_down(request: Request, exc: Exception):
        """PostgreSQL restarting or unreachable (or SQLite busy past its timeout): nothing was committed;
        the pool replaces the broken connections, so the next request works once the database is back."""
        log.warning("database.unavailable error=%s", type(getattr(exc, "orig", exc)).__name__)
        return error_response(request, 503, "database_unavailable",
                              "Cơ sở dữ liệu tạm thời không phản hồi. Chưa có gì thay đổi; vui lòng thử lại sau ít phút.",
                              headers={"Retry-After": "10"})

    @app.exception_handler(PoolTimeout)
    async def overloaded(request: Request, exc: PoolTimeout):
        """Every pooled connection stayed busy for the pool's timeout: too many requests at once."""
        log.warning("database.pool_exhausted")
        return error_response(request, 503, "overloaded",
                              "Hệ thống đang quá tải. Chưa có gì thay đổi; vui lòng thử lại sau ít giây.",
                              headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if not is_api(request):
            from api.deps import viewer_for_error_page  # api.deps imports this module

            await viewer_for_error_page(request)  # an address no route has: still the signed-in header
        return http_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        if is_api(request):
            errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg", "input")} | {"msg": validation_message(e)}
                      for e in exc.errors()]
            for e in errors:
                e["input"] = None if not isinstance(e.get("input"), (str, int, float, bool)) else e["input"]
            return ErrorJSONResponse({"detail": errors}, status_code=422)
        if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()):
            # /admin/rounds/abc names no page: the same answer as an id that does not exist
            return error_response(request, 404, "not_found", MESSAGES[404])
        if request.method in ("GET", "HEAD") and all(e.get("loc", ("",))[0] == "query" for e in exc.errors()):
            return without_bad_query(request, exc.errors())
        back = form_origin(request)
        if back is not None:
            # A form value its route refuses (a browser's own checks bypassed, or an old form): back to the
            # form's page naming the field and why, as for a refusal of the domain, not a bare error page.
            from api.forms import redirect  # api.forms imports this module

            return redirect(back, form_refusal(list(exc.errors())), "error")
        return error_response(request, 422, "invalid", MESSAGES[422])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("request.failed path=%s", request.url.path)
        return error_response(request, 500, "internal_error", MESSAGES[500])
