"""Password reset by e-mailed link (single-use, expiring, ends every session) and the rate limits of
registration and reset."""

import re
from datetime import timedelta

from sqlmodel import select

from award.models import AuthSession
from award.outbox import OutboxMessage
from award.password_reset import INVALID_LINK, PasswordResetToken
from tests.factories import api_login, csrf_from, make_user, web_login


def reset_mails(session):
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
                        .order_by(OutboxMessage.id)).all()


def ask_for_link(client, email):
    token = csrf_from(client.get("/password/forgot").text)
    return client.post("/password/forgot", data={"email": email, "csrf_token": token}, follow_redirects=False)


def link_token(mail) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000/password/reset\?token=([A-Za-z0-9_-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_login_page_links_to_forgotten_password(client):
    page = client.get("/login").text
    assert "/password/forgot\">Quên mật khẩu?</a>" in page


def test_reset_by_mailed_link_sets_the_password_and_ends_every_session(client, session, clock):
    user = make_user(session, email="quenmk@baohatinh.vn", full_name="Lê Văn Quên")
    api_headers = api_login(client, user)
    web_login(client, user)
    assert client.get("/dashboard", follow_redirects=False).status_code == 200

    response = ask_for_link(client, "QuenMK@baohatinh.vn ")
    assert response.status_code == 303 and response.headers["location"].endswith("/password/forgot?sent=1")
    assert "Nếu địa chỉ e-mail này có tài khoản" in client.get(response.headers["location"]).text
    [mail] = reset_mails(session)
    assert (mail.recipient, mail.subject) == ("quenmk@baohatinh.vn", "Đặt lại mật khẩu – Giải Búa liềm vàng")
    token = link_token(mail)
    stored = session.exec(select(PasswordResetToken)).one()
    assert token not in stored.token_hash and stored.expires_at == clock.now + timedelta(hours=1)

    form = client.get(f"/password/reset?token={token}")
    assert form.status_code == 200 and "Đặt mật khẩu mới" in form.text
    csrf = csrf_from(form.text)
    mismatch = client.post("/password/reset", data={"token": token, "new_password": "MatKhauMoi2025",
                                                    "new_password_again": "MatKhauKhac2025", "csrf_token": csrf})
    assert mismatch.status_code == 400 and "Hai lần nhập mật khẩu mới không khớp." in mismatch.text
    weak = client.post("/password/reset", data={"token": token, "new_password": "ngan", "new_password_again": "ngan",
                                                "csrf_token": csrf})
    assert weak.status_code == 400 and "Mật khẩu phải có ít nhất 10 ký tự." in weak.text

    done = client.post("/password/reset", data={"token": token, "new_password": "MatKhauMoi2025",
                                                "new_password_again": "MatKhauMoi2025", "csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/login?reset=1")
    assert session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all() == []
    assert client.get("/api/v1/me", headers=api_headers).status_code == 401
    assert "Đã đặt mật khẩu mới" in client.get("/login?reset=1").text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303  # the old cookie is dead
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "MatKhauMoi2025"}).status_code == 200

    again = client.post("/password/reset", data={"token": token, "new_password": "MatKhauBa2026",
                                                 "new_password_again": "MatKhauBa2026", "csrf_token": csrf})
    assert again.status_code == 400 and INVALID_LINK in again.text


def test_unknown_address_gets_the_same_answer_and_no_mail(client, session):
    response = ask_for_link(client, "khongco@example.vn")
    assert response.status_code == 303 and response.headers["location"].endswith("/password/forgot?sent=1")
    assert reset_mails(session) == []


def test_expired_link_is_refused(client, session, clock):
    make_user(session, email="hethan@example.vn")
    ask_for_link(client, "hethan@example.vn")
    token = link_token(reset_mails(session)[0])
    clock.now = clock.now + timedelta(hours=1, seconds=1)
    page = client.get(f"/password/reset?token={token}")
    assert page.status_code == 400 and INVALID_LINK in page.text and 'name="new_password"' not in page.text
    api = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "MatKhauMoi2025"})
    assert api.status_code == 422 and api.json()["detail"][0]["msg"] == INVALID_LINK


def test_reset_through_the_api(client, session, clock):
    user = make_user(session, email="api.reset@example.vn")
    assert client.post("/api/v1/auth/password-reset", json={"email": user.email}).json() == {"status": "accepted"}
    token = link_token(reset_mails(session)[0])
    ok = client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "MatKhauMoi2025"})
    assert ok.status_code == 200, ok.text
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "MatKhauMoi2025"}).status_code == 200


def test_reset_requests_are_limited_per_account(client, session, clock):
    make_user(session, email="gioihan@example.vn")
    for _ in range(3):
        assert ask_for_link(client, "gioihan@example.vn").status_code == 303
    refused = ask_for_link(client, "gioihan@example.vn")
    assert refused.status_code == 429
    assert "Anh/chị đã thao tác quá nhiều lần. Vui lòng thử lại sau 1 giờ." in refused.text
    assert refused.headers["retry-after"] == "3600"
    assert len(reset_mails(session)) == 3
    api = client.post("/api/v1/auth/password-reset", json={"email": "gioihan@example.vn"})
    assert api.status_code == 429
    assert api.json() == {"detail": {"code": "too_many_attempts",
                                     "message": "Anh/chị đã thao tác quá nhiều lần. Vui lòng thử lại sau 1 giờ."}}
    clock.now = clock.now + timedelta(hours=1, seconds=1)
    assert ask_for_link(client, "gioihan@example.vn").status_code == 303


def test_registrations_are_limited_per_address(client, session, clock, monkeypatch):
    from api.settings import get_settings

    assert get_settings().register_limit == 20
    monkeypatch.setattr(get_settings(), "register_limit", 10)
    for i in range(10):
        body = {"email": f"dangky{i}@example.vn", "password": "MatKhau2024an", "full_name": f"Người Đăng Ký {i}"}
        assert client.post("/api/v1/auth/register", json=body).status_code == 202
    refused = client.post("/api/v1/auth/register",
                          json={"email": "dangky10@example.vn", "password": "MatKhau2024an", "full_name": "Thứ Mười Một"})
    assert refused.status_code == 429 and refused.json()["detail"]["code"] == "too_many_attempts"
    token = csrf_from(client.get("/register").text)
    page = client.post("/register", data={"full_name": "Trang Đăng Ký", "email": "trang@example.vn",
                                          "password": "MatKhau2024an", "password_again": "MatKhau2024an",
                                          "csrf_token": token})
    assert page.status_code == 429 and "Vui lòng thử lại sau 1 giờ" in page.text
