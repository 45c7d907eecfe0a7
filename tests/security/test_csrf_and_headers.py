"""CSRF on every state-changing route, by enumeration; security headers and cookie flags."""

import re

from fastapi.testclient import TestClient

from tests.factories import csrf_from, make_user, web_login
from tests.security.routes import app_routes
from tests.security.test_authorization_matrix import ACCESS, fill, path_values
from tests.security.world import build_world, request_as

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF)"
# JSON routes that take no session at all (they answer with a token, never act on a cookie).
NO_SESSION_API = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/register"),
                  ("POST", "/api/v1/auth/password-reset"), ("POST", "/api/v1/auth/password-reset/confirm"),
                  ("PUT", "/api/v1/storage/parts/{upload_id}/{number}")}


def unsafe_routes(api: bool) -> list[tuple[str, str]]:
    return sorted((m, p) for m, p in app_routes() if m in UNSAFE and p.startswith("/api/") == api)


def test_every_form_route_refuses_a_request_without_or_with_a_forged_token(client, session, clock):
    world = build_world(client, session)
    values = path_values(world)
    owner = world.callers["journalist"]
    problems = []
    routes = unsafe_routes(api=False)
    assert len(routes) >= 28  # the enumeration found the forms
    for method, path in routes:
        url = fill(path, values)
        for label, kwargs in (("no token", {}), ("forged token", {"body": {"csrf_token": "gia-mao"}})):
            response = request_as(client, session, owner, method, url, clock.now, csrf=False, **kwargs)
            if response.status_code != 403 or CSRF_MESSAGE not in response.text:
                problems.append(f"{method} {path} ({label}): {response.status_code}")
    assert not problems, "form routes that accepted a request without a valid CSRF token:\n" + "\n".join(problems)


def test_every_json_route_refuses_the_session_cookie_without_the_csrf_header(client, session, clock):
    """Pages' own scripts may call the API with the session cookie; then X-CSRF-Token is required."""
    from award import users

    world = build_world(client, session)
    values = path_values(world)
    problems = []
    for method, path in unsafe_routes(api=True):
        if (method, path) in NO_SESSION_API:
            continue
        assert (method, path) in ACCESS
        client.cookies.clear()
        token = users.open_session(session, user=world.callers["secretariat"], kind="web", now=clock.now)
        session.commit()
        response = client.request(method, fill(path, values), json=ACCESS[(method, path)].body or {},
                                  headers={"Cookie": f"award_session={token}; award_csrf=abc"})
        if response.status_code != 403 or response.json()["detail"]["code"] != "csrf_failed":
            problems.append(f"{method} {path}: {response.status_code}")
    assert not problems, "JSON routes that acted on the cookie without X-CSRF-Token:\n" + "\n".join(problems)


def test_security_headers_on_pages_api_and_errors(client):
    for path in ("/", "/login", "/api/v1/rounds", "/khong-co-trang-nay", "/static/app.css"):
        response = client.get(path)
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
        assert "'unsafe-inline'" not in csp and "unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", ""), path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"]), path


def test_pages_carry_no_inline_script_or_style(client, session):
    """What the CSP forbids must not be in the pages, or they would break in the browser."""
    web_login(client, make_user(session))
    for path in ("/", "/login", "/register", "/password/forgot", "/dashboard", "/entries/new", "/account/password"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and not re.search(r"\sstyle=\"", html), path
        assert not re.search(r"\son[a-z]+=\"", html), path  # no inline event handlers


def test_cookie_flags(client, session, monkeypatch):
    from api.settings import get_settings

    user = make_user(session)
    response = client.get("/login")
    csrf_cookie = response.headers["set-cookie"]
    assert "award_csrf=" in csrf_cookie and "HttpOnly" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    login = client.post("/login", data={"email": user.email, "password": "MatKhau2024an",
                                        "csrf_token": csrf_from(response.text)}, follow_redirects=False)
    session_cookie = next(c for c in login.headers.get_list("set-cookie") if c.startswith("award_session="))
    assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower() and "Path=/" in session_cookie
    assert "Secure" not in session_cookie  # development/test over plain HTTP
    monkeypatch.setattr(get_settings(), "cookie_secure", True)  # what production turns on
    client.cookies.clear()
    response = client.get("/login")
    assert "Secure" in response.headers["set-cookie"]
    csrf_value = re.search(r"award_csrf=([^;]+)", response.headers["set-cookie"]).group(1)
    client.cookies.clear()  # a Secure cookie is not sent back over plain HTTP: send it by hand
    login = client.post("/login", data={"email": user.email, "password": "MatKhau2024an",
                                        "csrf_token": csrf_from(response.text)},
                        headers={"Cookie": f"award_csrf={csrf_value}"}, follow_redirects=False)
    session_cookie = next(c for c in login.headers.get_list("set-cookie") if c.startswith("award_session="))
    assert "Secure" in session_cookie


HEADER_PATHS = ("/", "/login", "/api/v1/rounds", "/khong-co-trang-nay", "/static/app.css", "/api/v1/me")


def test_production_sends_hsts_on_every_response_and_development_does_not(client, monkeypatch):
    """Issue 15, item 15: every kind of answer (page, API, 404, 401, static file, the request gate's 413)."""
    import api.main
    from api.settings import Settings

    production = Settings(env="production", secret_key="p" * 40)
    monkeypatch.setattr(api.main, "get_settings", lambda: production)
    production_app = api.main.create_app()
    production_app.dependency_overrides = api.main.app.dependency_overrides  # the test's session
    prod = TestClient(production_app, base_url="https://testserver")
    answers = [prod.get(path) for path in HEADER_PATHS]
    answers.append(prod.post("/api/v1/auth/register", content=b"x" * (3 * 1024 * 1024),
                             headers={"content-type": "application/json"}))
    assert sorted({a.status_code for a in answers}) == [200, 401, 404, 413]
    for answer in answers:
        assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains", answer.url
    for path in HEADER_PATHS:
        assert "strict-transport-security" not in client.get(path).headers  # plain HTTP in development


def test_award_serve_sends_no_server_header_and_leaves_forwarded_headers_to_the_app():
    """The options `award serve` gives uvicorn, on a real uvicorn serving the app."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    from api.cli import SERVER_OPTIONS
    from api.main import app

    assert SERVER_OPTIONS["proxy_headers"] is False and SERVER_OPTIONS["server_header"] is False
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **SERVER_OPTIONS | {"log_level": "warning"}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        response = httpx.get(f"http://127.0.0.1:{port}/healthz")
        assert response.status_code == 200
        assert "server" not in response.headers
    finally:
        server.should_exit = True
        thread.join(10)
