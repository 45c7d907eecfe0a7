"""Login, registration, logout, password change and role checks on the Vietnamese pages."""

from sqlmodel import select

from award.models import AuthSession, Role, User
from tests.factories import PASSWORD, csrf_from, make_user, web_login


def test_login_page_is_vietnamese_and_carries_csrf(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text
    assert csrf_from(page.text)
    assert "award_csrf" in page.headers["set-cookie"]
    assert "HttpOnly" in page.headers["set-cookie"] and "SameSite=Lax" in page.headers["set-cookie"]


def test_login_sets_httponly_session_and_opens_dashboard(client, session):
    user = make_user(session, role=Role.unit_manager, unit_code="ha-tinh", full_name="Phạm Tổ Chức")
    response = web_login(client, user)
    assert response.headers["location"] == "/dashboard"
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("award_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    dashboard = client.get("/dashboard")
    assert "Xin chào, Phạm Tổ Chức" in dashboard.text
    assert "Hà Tĩnh" in dashboard.text
    assert len(session.exec(select(AuthSession).where(AuthSession.user_id == user.id, AuthSession.kind == "web")).all()) == 1


def test_login_wrong_password_shows_error_next_to_field(client, session):
    user = make_user(session)
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": user.email, "password": "SaiMatKhau999", "csrf_token": token})
    assert response.status_code == 400
    assert 'id="e-password"' in response.text
    assert "E-mail hoặc mật khẩu không đúng." in response.text
    assert f'value="{user.email}"' in response.text


def test_post_without_csrf_token_is_refused_and_nothing_written(client, session):
    client.get("/login")  # the browser has the cookie but the forged form has no token
    response = client.post("/register", data={"full_name": "Giả Mạo", "email": "gia@mao.vn",
                                              "password": "GiaMao2024ab", "password_again": "GiaMao2024ab"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert session.exec(select(User).where(User.email == "gia@mao.vn")).first() is None


def test_csrf_token_from_another_browser_is_refused(client, session):
    stolen = csrf_from(client.get("/login").text)
    client.cookies.clear()
    client.get("/")  # a fresh browser gets its own cookie
    user = make_user(session)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": stolen})
    assert response.status_code == 403


def test_register_page_creates_journalist_who_then_logs_in(client, session):
    token = csrf_from(client.get("/register").text)
    response = client.post("/register", data={
        "full_name": "Đặng Thu Hà", "email": "thuha@baohatinh.vn", "outlet": "Báo Hà Tĩnh",
        "password": "ThuHa2024abc", "password_again": "ThuHa2024abc", "csrf_token": token}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "http://testserver/register?sent=1")
    assert "Đã nhận đăng ký. Chúng tôi vừa gửi thư" in client.get(response.headers["location"]).text
    user = session.exec(select(User).where(User.email == "thuha@baohatinh.vn")).one()
    assert (user.role, user.outlet) == (Role.journalist, "Báo Hà Tĩnh")
    web_login(client, user, "ThuHa2024abc")
    assert "Tác phẩm của tôi" in client.get("/dashboard").text


def test_register_page_answers_the_same_for_a_taken_address(client, session):
    make_user(session, email="dacoroi@bao.vn")
    answers = []
    for email in ("dacoroi@bao.vn", "chuaco@bao.vn"):
        token = csrf_from(client.get("/register").text)
        answers.append(client.post("/register", data={
            "full_name": "Ai Đó", "email": email, "password": "AiDo2024abcd", "password_again": "AiDo2024abcd",
            "csrf_token": token}, follow_redirects=False))
    assert [(a.status_code, a.headers["location"]) for a in answers] == [(303, "http://testserver/register?sent=1")] * 2
    assert "award_session" not in answers[1].headers.get("set-cookie", "")


def test_register_mismatched_passwords_keeps_typed_values(client, session):
    token = csrf_from(client.get("/register").text)
    response = client.post("/register", data={
        "full_name": "Đặng Thu Hà", "email": "thuha2@bao.vn", "password": "ThuHa2024abc",
        "password_again": "Khac2024abcd", "csrf_token": token})
    assert response.status_code == 400
    assert "Hai lần nhập mật khẩu không khớp." in response.text
    assert 'value="Đặng Thu Hà"' in response.text
    assert session.exec(select(User).where(User.email == "thuha2@bao.vn")).first() is None


def test_anonymous_dashboard_redirects_to_login_with_next(client):
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/login?next=%2Fdashboard")


def test_journalist_opening_secretariat_page_gets_403_page(client, session):
    web_login(client, make_user(session))
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.text


def test_secretariat_creates_local_judge_from_page(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    page = client.get("/admin/users")
    unit_id = session.exec(select(User.unit_id)).first()
    from award.models import Unit
    hatinh = session.exec(select(Unit).where(Unit.code == "ha-tinh")).one()
    response = client.post("/admin/users", data={
        "full_name": "Giám Khảo Hà Tĩnh", "email": "gk@hatinh.vn", "role": "local_judge",
        "unit_id": str(hatinh.id), "password": "GiamKhao2024a", "csrf_token": csrf_from(page.text)},
        follow_redirects=False)
    assert response.status_code == 303
    created = session.exec(select(User).where(User.email == "gk@hatinh.vn")).one()
    assert (created.role, created.unit_id) == (Role.local_judge, hatinh.id)
    assert unit_id is None or unit_id  # unrelated rows untouched


def test_logout_ends_the_server_session(client, session):
    user = make_user(session)
    web_login(client, user)
    old_cookie = client.cookies.get("award_session")
    token = csrf_from(client.get("/dashboard").text)
    client.post("/logout", data={"csrf_token": token})
    assert session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all() == []
    client.cookies.set("award_session", old_cookie)
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_password_change_ends_every_session(client, session):
    user = make_user(session)
    web_login(client, user)
    api_token = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}).json()["access_token"]
    token = csrf_from(client.get("/account/password").text)
    response = client.post("/account/password", data={"old_password": PASSWORD, "new_password": "MoiHon2025abc",
                                                      "csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/login?changed=1"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"}).status_code == 401
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "MoiHon2025abc"}).status_code == 200


def test_open_redirect_after_login_is_refused(client, session):
    user = make_user(session)
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/phish"}, follow_redirects=False)
    assert response.headers["location"] == "/dashboard"


def test_every_role_has_a_dashboard(client, session):
    for role in Role:
        client.cookies.clear()
        web_login(client, make_user(session, role=role))
        page = client.get("/dashboard")
        assert page.status_code == 200, role
        assert "Xin chào" in page.text


def test_unknown_page_is_a_vietnamese_404_without_trace(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text
    assert "Traceback" not in response.text


def test_a_journalists_dashboard_lists_works_under_their_rounds_with_where_each_stopped(client, session, clock):
    """A work still "Đã nộp" once its unit's deadline passed was not forwarded: the dashboard says so, as the
    work's own page does, rather than leave it looking in play; works sit under their round's name."""
    from tests.factories import IX_PHASE_AT, make_entry

    waiting = make_entry(session, status="submitted", title="Chi bộ vùng biên giữ lửa")
    vii = make_entry(session, status="submitted", round_number="VII", title="Tờ báo của chi bộ")
    vii.owner_id = waiting.owner_id
    session.add(vii)
    session.flush()
    web_login(client, session.get(User, waiting.owner_id))
    page = client.get("/dashboard").text
    assert page.index("Lần thứ IX – năm 2024") < page.index("Chi bộ vùng biên giữ lửa") \
        < page.index("Lần thứ VII – năm 2022") < page.index("Tờ báo của chi bộ")
    assert page.count("không dự vòng xét chọn của Trung ương") == 1  # round VII is long past; IX still takes works
    clock.set(IX_PHASE_AT["preliminary"])
    client.cookies.clear()
    web_login(client, session.get(User, waiting.owner_id))  # two months on: a new session
    page = client.get("/dashboard").text
    assert page.count("Đơn vị đã không xét và không chuyển tác phẩm này về Trung ương trước hạn") == 2
