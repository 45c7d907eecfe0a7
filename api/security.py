"""Browser-facing protections: CSRF tokens, security headers and request ids.

CSRF uses the signed double-submit pattern: a random `award_csrf` cookie (HttpOnly, SameSite=Lax)
and, in every form, the same value signed with the secret key (itsdangerous) and bound to the
cookie. A forged cross-site form can carry neither. The JSON API is not affected: it accepts only
bearer tokens, which a browser never sends on its own.
"""

import logging
import secrets
import time
import uuid
from contextvars import ContextVar

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from api.settings import get_settings

log = logging.getLogger(__name__)

CSRF_COOKIE = "award_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_MAX_AGE = 12 * 3600
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

def content_security_policy(storage_origin: str | None) -> str:
    """No inline script or style anywhere; scripts may talk to the app and, for direct uploads and
    media playback, to the object store's public address."""
    extra = f" {storage_origin}" if storage_origin else ""
    return (
        "default-src 'self'; img-src 'self' data:; "
        f"media-src 'self'{extra}; connect-src 'self'{extra}; style-src 'self'; "
        "script-src 'self' 'wasm-unsafe-eval'; "
        "object-src 'none'; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class CsrfError(Exception):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="award-csrf")


def csrf_cookie_value(request: Request) -> str:
    """The browser's CSRF cookie, or the one this response is about to set."""
    value = getattr(request.state, "csrf_cookie", None) or request.cookies.get(CSRF_COOKIE)
    if not value or len(value) > 64:
        value = secrets.token_urlsafe(24)
        request.state.csrf_cookie = value
    return value


def csrf_token(request: Request) -> str:
    return _serializer().dumps(csrf_cookie_value(request))


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request whose form field or header does not match the cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()  # parsed once; the route reads the same cached form
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    _check_token(request, sent)


def verify_csrf_header(request: Request) -> None:
    """For script calls (uploads, autosave): the token travels in X-CSRF-Token, the body is left unread."""
    _check_token(request, request.headers.get(CSRF_HEADER))


def _check_token(request: Request, sent: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not sent:
        raise CsrfError("missing")
    try:
        signed_for = _serializer().loads(sent, max_age=CSRF_MAX_AGE)
    except BadSignature as exc:
        raise CsrfError("bad signature") from exc
    if not secrets.compare_digest(str(signed_for), cookie):
        raise CsrfError("mismatch")


class WebMiddleware:
    """Pure ASGI: request id, security headers and the CSRF cookie on every response."""

    def __init__(self, app, storage_origin: str | None = None):
        self.app = app
        self.headers = [(b"content-security-policy", content_security_policy(storage_origin).encode()),
                        *SECURITY_HEADERS]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        token = request_id_var.set(rid)
        state = scope.setdefault("state", {})

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                out = list(message.get("headers", []))
                out.append((b"x-request-id", rid.encode("latin-1")))
                out.extend(self.headers)
                new_cookie = state.get("csrf_cookie")
                if new_cookie:
                    settings = get_settings()
                    cookie = f"{CSRF_COOKIE}={new_cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age={CSRF_MAX_AGE}"
                    if settings.secure_cookies:
                        cookie += "; Secure"
                    out.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = out
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            request_id_var.reset(token)


def sign_part(key: str, upload_id: str, number: int, ttl_seconds: int) -> str:
    """A token standing for "PUT part `number` of this upload until the expiry" (local storage)."""
    expires = int(time.time()) + ttl_seconds
    return URLSafeSerializer(get_settings().secret_key, salt="award-part").dumps([key, upload_id, number, expires])


def check_part_token(token: str, upload_id: str, number: int) -> str:
    """The storage key the token grants, if it is ours, for this part, and not expired."""
    try:
        key, signed_upload, signed_number, expires = URLSafeSerializer(
            get_settings().secret_key, salt="award-part").loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise PartTokenError("bad signature") from exc
    if signed_upload != upload_id or signed_number != number or expires < time.time():
        raise PartTokenError("expired or not for this part")
    return key


class PartTokenError(Exception):
    pass
