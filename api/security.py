"""Browser-facing protections: CSRF tokens, security headers and request ids.

CSRF uses the signed double-submit pattern: a random `award_csrf` cookie (HttpOnly, SameSite=Lax)
and, in every form, the same value signed with the secret key (itsdangerous) and bound to the
cookie. A forged cross-site form can carry neither. The JSON API is not affected: it accepts only
bearer tokens, which a browser never sends on its own.
"""

import ipaddress
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
    """No inline script or style anywhere; scripts may talk to the app and, for direct uploads, media playback
    and image thumbnails, to the object store's public address. Workers only from the app itself (the
    vendored pdf.js draws PDF pages in a same-origin module worker); no blob: or data: workers."""
    extra = f" {storage_origin}" if storage_origin else ""
    return (
        f"default-src 'self'; img-src 'self' data:{extra}; "
        f"media-src 'self'{extra}; connect-src 'self'{extra}; style-src 'self'; "
        "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
        "object-src 'none'; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


HSTS = b"max-age=31536000; includeSubDomains"


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

    def __init__(self, app, storage_origin: str | None = None, hsts: bool = False):
        self.app = app
        self.headers = [(b"content-security-policy", content_security_policy(storage_origin).encode()),
                        *SECURITY_HEADERS]
        if hsts:  # production is served over HTTPS only (README): browsers must never try plain HTTP again
            self.headers.append((b"strict-transport-security", HSTS))

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


# -- the client's address ----------------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """`AWARD_TRUSTED_PROXIES`: addresses or networks, separated by commas (`10.0.0.7, 172.16.0.0/12`)."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip())


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.9:5000"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, proxies: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in proxies)


def resolve_client(peer: str | None, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str | None:
    """The client's address: the peer itself unless it is one of our proxies; behind them, the right-most hop
    of X-Forwarded-For that is not one of our proxies. Everything left of that hop was written by the client
    (or by proxies we do not know) and is not believed: a client that writes its own X-Forwarded-For only
    adds hops on the left."""
    if not _trusted(_address(peer or ""), proxies):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return client  # not an address: no proxy of ours wrote it; the hop to its right is the best we know
        client = str(address)
        if not _trusted(address, proxies):
            return client
    return client  # every hop is one of our proxies: the left-most is the client


class TrustedProxyMiddleware:
    """Pure ASGI, outermost: `request.client` is the real client (resolve_client) and the scheme is the one
    the proxy saw (X-Forwarded-Proto), only when the peer is a configured proxy (AWARD_TRUSTED_PROXIES).
    Every per-address limit (login, registration, password reset) keys on this one address."""

    def __init__(self, app, proxies: tuple[Network, ...]):
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            peer = (scope.get("client") or (None, 0))[0]
            if _trusted(_address(peer or ""), self.proxies):
                headers = scope.get("headers") or []
                forwarded = [v.decode("latin-1") for k, v in headers if k.lower() == b"x-forwarded-for"]
                client = resolve_client(peer, forwarded, self.proxies)
                if client != peer:
                    scope["client"] = (client, 0)
                proto = [v.decode("latin-1").split(",")[-1].strip().lower() for k, v in headers
                         if k.lower() == b"x-forwarded-proto"]
                if proto and proto[-1] in ("http", "https"):
                    scope["scheme"] = proto[-1] if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto[-1]]
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The address every per-address limit counts (set by TrustedProxyMiddleware)."""
    return request.client.host if request.client else "unknown"


def sign_part(key: str, upload_id: str, number: int, ttl_seconds: int, size: int | None = None) -> str:
    """A token standing for "PUT part `number` of this upload, of exactly `size` bytes, until the expiry"
    (local storage; the S3 equivalent signs Content-Length)."""
    expires = int(time.time()) + ttl_seconds
    return URLSafeSerializer(get_settings().secret_key, salt="award-part").dumps([key, upload_id, number, expires, size])


def check_part_token(token: str, upload_id: str, number: int) -> tuple[str, int | None]:
    """The storage key and part size the token grants, if it is ours, for this part, and not expired."""
    try:
        key, signed_upload, signed_number, expires, size = URLSafeSerializer(
            get_settings().secret_key, salt="award-part").loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise PartTokenError("bad signature") from exc
    if signed_upload != upload_id or signed_number != number or expires < time.time():
        raise PartTokenError("expired or not for this part")
    return key, size


class PartTokenError(Exception):
    pass
