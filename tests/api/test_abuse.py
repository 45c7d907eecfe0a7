"""Limits and trust hold against a client that lies (issue 15, items 11–16): about its address, by alternating
accounts, about the size of what it uploads, to find out who has an account, and with tokens it was given.

Each case the issue found is a test next to a property or an enumeration of its kind.
"""

import hashlib
import ipaddress
import re
from datetime import timedelta

import httpx
import hypothesis.strategies as st
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlmodel import select

from award import entry_files, users as users_domain
from award.errors import BadCredentials, TooManyAttempts
from award.files import SizeCaps
from award.models import AuthSession, LoginAttempt, Role, Upload
from award.storage import LocalFileStore
from api.main import app
from api.security import parse_networks, resolve_client
from tests.api.test_files_api import _direct, _put, draft, video_bytes
from tests.factories import PASSWORD, api_login, csrf_from, make_user, web_login

PROXY = "127.0.0.1"  # the default AWARD_TRUSTED_PROXIES: a proxy on the same machine
REAL = "203.0.113.7"


def through_proxy(spoofed: str) -> dict:
    """What nginx forwards ($proxy_add_x_forwarded_for): the client's own header, then the address it saw."""
    return {"X-Forwarded-For": f"{spoofed}, {REAL}"}


# --- item 11: forwarded headers only from our proxies ----------------------------------------------------

LIMITED = {
    # kind: (how many the address may do, the request)
    "login": (20, lambda c, i: c.post("/api/v1/auth/token", data={"username": f"ai{i}@example.vn", "password": "Sai2024abc"})),
    "register": (20, lambda c, i: c.post("/api/v1/auth/register", json={
        "email": f"moi{i}@example.vn", "password": "MatKhau2024an", "full_name": "Người Mới"})),
    "reset request": (10, lambda c, i: c.post("/api/v1/auth/password-reset", json={"email": f"quen{i}@example.vn"})),
    "reset confirm": (20, lambda c, i: c.post("/api/v1/auth/password-reset/confirm", json={
        "token": f"gia-{i}", "password": "MatKhau2024an"})),
}


@pytest.mark.parametrize("kind", LIMITED)
@pytest.mark.parametrize("path", ["through the proxy", "straight to the app"])
def test_a_client_writing_its_own_forwarded_for_does_not_escape_the_per_address_limit(client, session, clock, kind, path):
    allowed, call = LIMITED[kind]
    peer = PROXY if path == "through the proxy" else REAL
    liar = TestClient(app, base_url="http://testserver", client=(peer, 50000))
    for i in range(allowed):
        spoofed = f"198.51.100.{i}"
        liar.headers = through_proxy(spoofed) if peer == PROXY else {"X-Forwarded-For": spoofed}
        assert call(liar, i).status_code != 429, i
    liar.headers = through_proxy("198.51.100.250") if peer == PROXY else {"X-Forwarded-For": "198.51.100.250"}
    refused = call(liar, allowed)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] in ("900", "3600")


def test_the_login_attempt_records_the_address_the_proxy_saw(client, session):
    liar = TestClient(app, base_url="http://testserver", client=(PROXY, 50000), headers=through_proxy("10.9.9.9"))
    liar.post("/api/v1/auth/token", data={"username": "ai@example.vn", "password": "Sai2024abc"})
    assert session.exec(select(LoginAttempt.ip)).all() == [REAL]


def test_the_scheme_comes_from_a_trusted_proxy_only(client):
    """The login redirect is an absolute URL built from the request: https only when our proxy says so."""
    def login_redirect(peer):
        c = TestClient(app, base_url="http://testserver", client=(peer, 1), headers={"X-Forwarded-Proto": "https"})
        return c.get("/dashboard", follow_redirects=False).headers["location"]

    assert login_redirect(PROXY).startswith("https://testserver/login")
    assert login_redirect(REAL).startswith("http://testserver/login")


addresses = st.ip_addresses(v=4).map(str) | st.ip_addresses(v=6).map(str)


@given(networks=st.lists(st.ip_addresses(v=4).map(lambda a: f"{a}/{24}"), min_size=1, max_size=3),
       real=addresses, spoofed=st.lists(st.text(alphabet=st.characters(exclude_characters=","), max_size=20), max_size=4),
       chain=st.integers(min_value=1, max_value=3), data=st.data())
@settings(max_examples=300, deadline=None)
def test_the_client_is_the_right_most_hop_that_is_not_our_proxy(networks, real, spoofed, chain, data):
    """Whatever the client writes on the left, behind any chain of our proxies the address is the one our
    first proxy saw; and a peer that is not our proxy is believed about nothing."""
    proxies = parse_networks(",".join(networks))
    hosts = [ipaddress.ip_network(n, strict=False) for n in networks]
    ours = [str(data.draw(st.sampled_from(hosts)).network_address + 1) for _ in range(chain)]
    if any(ipaddress.ip_address(real) in n for n in proxies):
        return  # the real client is inside our proxies' networks: nothing to tell apart
    header = ", ".join([*spoofed, real, *ours[:-1]])
    assert resolve_client(ours[-1], [header], proxies) == real
    assert resolve_client(real, [header], proxies) == real  # a direct client's header is ignored


def test_a_wildcard_trusted_proxy_setting_is_refused():
    from api.settings import Settings

    with pytest.raises(ValueError, match="AWARD_TRUSTED_PROXIES"):
        Settings(trusted_proxies="*")
    with pytest.raises(ValueError, match="AWARD_TRUSTED_PROXIES"):
        Settings(trusted_proxies="nginx")


# --- item 12: successes do not reset failures elsewhere -----------------------------------------------------

def test_an_attacker_alternating_with_their_own_account_is_still_slowed_down(client, session):
    victim, own = make_user(session), make_user(session)
    statuses = []
    for _ in range(6):
        statuses.append(client.post("/api/v1/auth/token", data={"username": victim.email, "password": "Doan2024abc"}).status_code)
        assert client.post("/api/v1/auth/token", data={"username": own.email, "password": PASSWORD}).status_code == 200
    assert statuses == [401] * 5 + [429]


def test_the_owner_logging_in_elsewhere_does_not_reset_an_attackers_count(client, session):
    victim = make_user(session)
    attacker = TestClient(app, base_url="http://testserver", client=(REAL, 1))
    owner = TestClient(app, base_url="http://testserver", client=("198.51.100.20", 1))
    for _ in range(5):
        assert attacker.post("/api/v1/auth/token", data={"username": victim.email, "password": "Doan2024abc"}).status_code == 401
    # The owner is locked out too for 15 minutes (the count is the account's), and gets 429, not a reset.
    assert owner.post("/api/v1/auth/token", data={"username": victim.email, "password": PASSWORD}).status_code == 429
    assert attacker.post("/api/v1/auth/token", data={"username": victim.email, "password": "Doan2024abc"}).status_code == 429


def test_the_owners_own_typos_are_forgiven_by_their_success(client, session):
    user = make_user(session)
    for _ in range(3):
        for _ in range(4):
            assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "Nham2024abc"}).status_code == 401
        assert client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}).status_code == 200


@given(sequence=st.lists(st.tuples(st.sampled_from(["victim", "own", "other"]), st.sampled_from(["here", "there"]),
                                   st.booleans()), max_size=14))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_failures_per_account_and_address_count_independently_of_other_successes(client, session, clock, sequence):
    """For any interleaving of logins (accounts × addresses × right or wrong), the account's and the address's
    counts are exactly the failures not followed by a success of the same account from the same address."""
    clock.now += timedelta(hours=1)  # each example starts with an empty window
    accounts = {name: make_user(session).email for name in ("victim", "own", "other")}
    ips = {"here": "192.0.2.1", "there": "192.0.2.2"}
    log = []
    for name, where, right in sequence:
        try:
            users_domain.authenticate(session, email=accounts[name], password=PASSWORD if right else "Sai2024abc",
                               ip=ips[where], now=clock.now)
            log.append((name, where, True))
        except TooManyAttempts:
            continue
        except BadCredentials:
            log.append((name, where, False))

    def expected(match):
        return sum(1 for i, (n, w, ok) in enumerate(log) if not ok and match(n, w)
                   and not any(n2 == n and w2 == w and ok2 for n2, w2, ok2 in log[i + 1:]))

    assert users_domain._recent_failures(session, LoginAttempt.email, accounts["victim"], clock.now) == expected(
        lambda n, w: n == "victim")
    assert users_domain._recent_failures(session, LoginAttempt.ip, ips["here"], clock.now) == expected(
        lambda n, w: w == "here")


# --- item 13: direct uploads are bounded ------------------------------------------------------------------




MiB = 1024 * 1024


def test_a_declared_1_byte_png_takes_one_byte_per_part_not_64_mib(client, session, clock, store, samples):
    _, headers, entry_id = draft(client, session)
    plan = client.post(f"/api/v1/entries/{entry_id}/uploads", headers=headers, json={
        "filename": "a.png", "size": 1, "content_type": "image/png", "sha256": hashlib.sha256(b"x").hexdigest()}).json()
    url = plan["parts"][0]["url"]
    raw = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    big = (raw.put(url, content=b"\0" * (64 * MiB)) if url.startswith("http://testserver")
           else httpx.put(url, content=b"\0" * (64 * MiB)))
    two = raw.put(url, content=b"ab") if url.startswith("http://testserver") else httpx.put(url, content=b"ab")
    if isinstance(store, LocalFileStore):
        assert big.status_code == 413 and big.json()["detail"]["code"] == "too_large"  # the request gate
        assert two.status_code == 413 and two.json()["detail"]["code"] == "part_too_large"
        folder = next((store.root / store.MULTIPART_DIR).iterdir())
        assert sorted(p.name for p in folder.iterdir()) == [store.DATA, store.META]  # no part, no temporary file
        assert (folder / store.DATA).read_bytes() == b"\0"  # the in-place file: its declared byte, unwritten
    else:
        assert big.status_code == two.status_code == 403  # the signed Content-Length
    upload = session.get(Upload, plan["upload_id"])
    assert store.list_parts(upload.key, upload.storage_upload_id) == {}


def test_every_part_takes_exactly_its_share_of_the_declared_size(client, session, clock, store, samples):
    """Enumeration over the parts of a plan and over a byte short, exact and a byte over: only exact is kept."""
    _, headers, entry_id = draft(client, session)
    data = video_bytes(samples, 8 * MiB + 100)
    plan = _direct(client, headers, entry_id, data).json()
    upload = session.get(Upload, plan["upload_id"])
    assert entry_files.part_sizes(upload) == {1: 8 * MiB, 2: 100}
    size = plan["part_size"]
    etags = {}
    for part in plan["parts"]:
        n = part["number"]
        share = data[(n - 1) * size: n * size]
        for attempt in (share[:-1], share + b"\0"):
            response = _put(client, part["url"], attempt)
            assert response.status_code in (403, 413, 422), (n, len(attempt), response.status_code)
            assert n not in store.list_parts(upload.key, upload.storage_upload_id)
        response = _put(client, part["url"], share)
        assert response.status_code == 200
        etags[n] = response.headers["etag"]
    done = client.post(f"/api/v1/entries/{entry_id}/uploads/{plan['upload_id']}/complete", headers=headers,
                       json={"parts": [{"number": n, "etag": e} for n, e in sorted(etags.items())]})
    assert done.status_code == 201, done.text


@pytest.mark.parametrize("kind,content_type", [("document", "application/pdf"), ("image", "image/png"),
                                               ("audio", "audio/mpeg"), ("video", "video/mp4")])
def test_the_declared_size_is_held_to_the_declared_kinds_cap(client, session, clock, store, kind, content_type):
    _, headers, entry_id = draft(client, session)
    cap = getattr(SizeCaps(), kind)
    over = client.post(f"/api/v1/entries/{entry_id}/uploads", headers=headers, json={
        "filename": "x", "size": cap + 1, "content_type": content_type, "sha256": "0" * 64})
    assert over.status_code == 413 and over.json()["detail"]["field"] == "size"
    assert session.exec(select(Upload)).all() == []


def _start(client, headers, entry_id, size, n=0):
    return client.post(f"/api/v1/entries/{entry_id}/uploads", headers=headers, json={
        "filename": "v.mp4", "size": size, "content_type": "video/mp4", "sha256": f"{n:064x}"})


def test_a_user_holds_at_most_10_open_uploads_and_8_gb(client, session, clock, tmp_path):
    from api.deps import get_file_store, local_part_url

    store = LocalFileStore(tmp_path / "files", part_url=local_part_url)
    app.dependency_overrides[get_file_store] = lambda: store
    _, headers, entry_id = draft(client, session)
    for n in range(10):
        assert _start(client, headers, entry_id, MiB, n).status_code == 201
    eleventh = _start(client, headers, entry_id, MiB, 10)
    assert eleventh.status_code == 409 and eleventh.json()["detail"]["code"] == "too_many_uploads"
    assert "tối đa 10 lượt, 8 GB" in eleventh.json()["detail"]["message"]
    for upload in session.exec(select(Upload)).all():
        client.delete(f"/api/v1/entries/{entry_id}/uploads/{upload.id}", headers=headers)
    assert _start(client, headers, entry_id, 4096 * MiB, 1).status_code == 201
    assert _start(client, headers, entry_id, 4096 * MiB, 2).status_code == 201
    over = _start(client, headers, entry_id, 1, 3)
    assert over.status_code == 409 and over.json()["detail"]["code"] == "too_many_uploads"
    # Another journalist is not held by this one's uploads.
    _, other, other_entry = draft(client, session)
    assert _start(client, other, other_entry, MiB, 4).status_code == 201


def test_expired_uploads_are_reaped_when_their_owner_starts_another(client, session, clock, tmp_path):
    from api.deps import get_file_store, local_part_url

    store = LocalFileStore(tmp_path / "files", part_url=local_part_url)
    app.dependency_overrides[get_file_store] = lambda: store
    _, headers, entry_id = draft(client, session)
    for n in range(10):
        assert _start(client, headers, entry_id, MiB, n).status_code == 201
    clock.now += timedelta(hours=6)  # UPLOAD_TTL
    assert _start(client, headers, entry_id, MiB, 99).status_code == 201
    assert len(session.exec(select(Upload)).all()) == 1
    assert len(list((store.root / store.MULTIPART_DIR).iterdir())) == 1


# --- item 14: no answer tells who has an account ---------------------------------------------------------


ASKS = {
    "register (API)": lambda c, email: c.post("/api/v1/auth/register", json={
        "email": email, "password": "AiDo2024abcd", "full_name": "Ai Đó"}),
    "register (page)": lambda c, email: c.post("/register", follow_redirects=False, data={
        "email": email, "password": "AiDo2024abcd", "password_again": "AiDo2024abcd", "full_name": "Ai Đó",
        "csrf_token": csrf_from(c.get("/register").text)}),
    "reset (API)": lambda c, email: c.post("/api/v1/auth/password-reset", json={"email": email}),
    "reset (page)": lambda c, email: c.post("/password/forgot", follow_redirects=False, data={
        "email": email, "csrf_token": csrf_from(c.get("/password/forgot").text)}),
    "login (API)": lambda c, email: c.post("/api/v1/auth/token", data={"username": email, "password": "AiDo2024abcd"}),
    "login (page)": lambda c, email: c.post("/login", follow_redirects=False, data={
        "email": email, "password": "AiDo2024abcd", "csrf_token": csrf_from(c.get("/login").text)}),
}


@pytest.mark.parametrize("ask", ASKS)
def test_no_form_answers_differently_for_an_address_with_an_account(client, session, clock, ask):
    """Enumeration of every form that takes an e-mail address from someone not logged in."""
    make_user(session, email="coroi@example.vn")
    taken, new = ASKS[ask](client, "coroi@example.vn"), ASKS[ask](client, "chuaco@example.vn")

    def seen(response):
        body = re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]+"', "", response.text)
        body = body.replace("chuaco@", "coroi@")
        return response.status_code, response.headers.get("location"), body

    assert seen(taken) == seen(new)




# --- item 16: tokens can be listed and revoked; privileged roles hold shorter ones -----------------------



def test_a_user_lists_and_revokes_their_own_api_tokens(client, session, clock):
    user = make_user(session)
    first, second = api_login(client, user), api_login(client, user)
    listed = client.get("/api/v1/auth/tokens", headers=second)
    assert listed.status_code == 200
    rows = listed.json()
    assert [(r["kind"], r["current"]) for r in rows] == [("api", True), ("api", False)]
    stolen_id = rows[1]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{stolen_id}", headers=second).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401  # the revoked token is dead at once
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_no_one_lists_or_revokes_another_accounts_tokens(client, session, clock):
    owner, other = make_user(session), make_user(session, role=Role.secretariat)
    owner_headers = api_login(client, owner)
    owner_token_id = session.exec(select(AuthSession.id).where(AuthSession.user_id == owner.id)).one()
    other_headers = api_login(client, other)
    assert [r["id"] for r in client.get("/api/v1/auth/tokens", headers=other_headers).json()] != [owner_token_id]
    refused = client.delete(f"/api/v1/auth/tokens/{owner_token_id}", headers=other_headers)
    assert refused.status_code == 404 and refused.json()["detail"]["code"] == "session_not_found"
    assert client.get("/api/v1/me", headers=owner_headers).status_code == 200


def test_the_sessions_page_lists_and_ends_sessions_with_csrf(client, session, clock):
    user = make_user(session)
    api_login(client, user)
    web_login(client, user)
    page = client.get("/account/sessions")
    assert page.status_code == 200
    assert "Mã truy cập API" in page.text and "Trình duyệt" in page.text and "(phiên này)" in page.text
    api_id = session.exec(select(AuthSession.id).where(AuthSession.user_id == user.id, AuthSession.kind == "api")).one()
    forged = client.post(f"/account/sessions/{api_id}/revoke", follow_redirects=False)
    assert forged.status_code == 403  # no CSRF token
    ended = client.post(f"/account/sessions/{api_id}/revoke", data={"csrf_token": csrf_from(page.text)},
                        follow_redirects=False)
    assert (ended.status_code, ended.headers["location"]) == (303, "http://testserver/account/sessions?revoked=1")
    assert session.get(AuthSession, api_id) is None
    assert "Đã kết thúc phiên hoặc mã truy cập." in client.get(ended.headers["location"]).text


@pytest.mark.parametrize("role,web_hours,api_hours", [
    (Role.journalist, 12, 7 * 24), (Role.unit_manager, 12, 24), (Role.local_judge, 12, 24), (Role.judge, 12, 24),
    (Role.secretariat, 8, 8), (Role.approver, 8, 8)])
def test_privileged_roles_get_shorter_lived_credentials(client, session, clock, role, web_hours, api_hours):
    """Enumeration of the roles: what each gets from the token endpoint and the login page."""
    user = make_user(session, role=role)
    headers = api_login(client, user)
    web_login(client, user)
    rows = {r.kind: r for r in session.exec(select(AuthSession).where(AuthSession.user_id == user.id))}
    assert rows["api"].expires_at - rows["api"].created_at == timedelta(hours=api_hours)
    assert rows["web"].expires_at - rows["web"].created_at == timedelta(hours=web_hours)
    assert users_domain.session_ttl(role, "api") == timedelta(hours=api_hours)
    clock.now += timedelta(hours=api_hours)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
