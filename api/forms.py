"""Pages' forms, built one way (issue 14, item 7).

    return submit(request, session,
                  lambda: rounds.create_round(session, ...),     # the domain call
                  redisplay=lambda errors, status: _page(request, session, values, errors, status),
                  success=lambda created: request.url_for("admin:round", round_id=created.id),
                  message="Đã tạo đợt giải.")

A domain error rolls the request's transaction back (nothing half-written), and the page is shown again
with every field's message at once (`award.errors.Checks` collects them) and status 400, or 409 when the
round's phase refuses the action. Success answers 303 to the next page with a flash message that the next
page shows once (post/redirect/get: reloading does not send the form twice).

The flash travels in a short-lived cookie signed with the secret key, so nobody can make the site say
"Đã xóa…" through a crafted link.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import Field, TypeAdapter, ValidationError
from sqlmodel import Session

from award.errors import AwardError, Invalid, field_errors, named
from award.files import require_content, stream_size
from api.errors import form_status, validation_message
from api.settings import get_settings

FLASH_COOKIE = "award_flash"
FLASH_MAX_AGE = 120  # seconds: long enough for a slow phone to follow the redirect
FLASH_KINDS = ("success", "info", "warning", "error")
# A cookie holds ~4 KB; Vietnamese text is escaped in the signed JSON (up to 6 bytes a letter) and then
# base64-encoded: a longer message is cut here rather than silently dropped by the browser.
FLASH_MAX_CHARS = 300


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="award-flash")


def flash(response: Response, message: str, kind: str = "success") -> Response:
    """Attach a one-time message for the next page (kind: success, info, warning or error)."""
    if len(message) > FLASH_MAX_CHARS:
        message = message[:FLASH_MAX_CHARS - 1].rstrip() + "…"
    token = _serializer().dumps({"m": message, "k": kind if kind in FLASH_KINDS else "info"})
    response.set_cookie(FLASH_COOKIE, token, max_age=FLASH_MAX_AGE, httponly=True, samesite="lax",
                        secure=get_settings().secure_cookies, path="/")
    return response


def redirect(url: Any, message: str | None = None, kind: str = "success") -> RedirectResponse:
    """303 to `url` (see other: the browser follows with GET), with a flash message when given."""
    response = RedirectResponse(str(url), status_code=303)
    return flash(response, message, kind) if message else response


def pop_flash(request: Request) -> dict[str, str] | None:
    """The message left by the previous response, {"message", "kind"}, or None; render() clears it."""
    token = request.cookies.get(FLASH_COOKIE)
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=FLASH_MAX_AGE)
        return {"message": str(data["m"]), "kind": str(data["k"])}
    except (BadSignature, KeyError, TypeError):
        return None


def form_int(raw: str | None, *, field: str, ge: int, le: int, default: int | None = None) -> int:
    """A whole number typed in a form's field (`Form` takes it as text), checked here so that a refusal (0, abc,
    999 with the browser's own limits removed) is shown under that field rather than only on top of the page:
    Invalid(field=…), in the words the validation handler uses for the same bounds, naming the field by its
    label (api/errors.py FIELD_LABELS)."""
    text = (raw or "").strip()
    if not text and default is not None:
        return default
    try:
        return TypeAdapter(Annotated[int, Field(ge=ge, le=le, strict=False)]).validate_python(text)
    except ValidationError as exc:
        raise Invalid(validation_message({**exc.errors()[0], "loc": (field,)}), field=field) from None


def read_import_file(file, *, label: str, choose: str, cap: int) -> bytes:
    """The one file of a page's import form (the judges, the quotas), its refusals naming the field: none
    chosen (said here in Vietnamese, the field is not `required` for the browser to say it in its language),
    empty, or over the form's cap (api/limits.py FILE_CAPS, which the field announces before sending)."""
    from api.limits import human_size

    if file is None or not file.filename:
        raise Invalid(named(label, choose), field="file")
    try:
        require_content(stream_size(file.file))
    except Invalid as exc:
        raise Invalid(named(label, exc.message), field="file", code=exc.code) from None
    data = file.file.read(cap + 1)
    if len(data) > cap:
        raise Invalid(named(label, f"tệp “{file.filename}” quá lớn (tối đa {human_size(cap)} một tệp)."),
                      field="file")
    return data


def import_refusal(errors: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A refused import's errors split in two: the file field's, shown in the import form itself, and the
    rest (a phase closed), for the page's summary; never the same message in both or in another form."""
    return ({k: v for k, v in errors.items() if k == "file"}, {k: v for k, v in errors.items() if k != "file"})


def submit(
    request: Request,
    session: Session,
    action: Callable[[], Any],
    *,
    redisplay: Callable[[dict[str, str], int], Response],
    success: Any,
    message: str | Callable[[Any], str] | None = None,
    kind: str = "success",
    default_field: str = "form",
    error_status: int = 400,
) -> Response:
    """Run `action`; on a domain error roll back and `redisplay(errors, status)`; else 303 with a flash.

    `success` and `message` may be values or functions of what `action` returned."""
    try:
        result = action()
        session.flush()  # constraint violations surface here, inside the form's error handling
    except AwardError as exc:
        session.rollback()
        return redisplay(field_errors(exc, default_field), form_status(exc, error_status))
    target = success(result) if callable(success) else success
    text = message(result) if callable(message) else message
    return redirect(target, text, kind)
