"""The pages' form helper (api/forms.py): every field's error at once and nothing written; on success one
flash message, shown once, that nobody can forge."""

from sqlmodel import select

from award.models import Role, User
from tests.api.test_account_pages import csrf_from, web_login
from tests.factories import make_user


def _create(client, page, **fields):
    data = {"full_name": "", "email": "", "role": "", "unit_id": "", "password": "", "csrf_token": csrf_from(page.text)}
    data.update(fields)
    return client.post("/admin/users", data=data, follow_redirects=False)


def test_success_redirects_with_a_message_shown_once(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    page = client.get("/admin/users")
    response = _create(client, page, full_name="Trần Thị Bình", email="binh@baomoi.vn", role="journalist",
                       password="MatKhau2024bx")
    assert response.status_code == 303
    shown = client.get(response.headers["location"])
    assert "Đã tạo tài khoản binh@baomoi.vn." in shown.text
    again = client.get(response.headers["location"])
    assert "Đã tạo tài khoản binh@baomoi.vn." not in again.text  # a reload does not repeat it


def test_a_flash_cookie_not_signed_by_us_shows_nothing(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    client.cookies.set("award_flash", "eyJtIjoixJDDoyB4w7NhIn0.forged.sig")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert 'class="alert flash' not in page.text


def test_a_refused_form_is_shown_again_and_writes_nothing(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    before = len(session.exec(select(User.id)).all())
    page = client.get("/admin/users")
    response = _create(client, page, full_name="Lê Văn Cường", email="khong-hop-le", role="journalist",
                       password="MatKhau2024bx")
    assert response.status_code == 400
    assert "Địa chỉ e-mail không hợp lệ." in response.text
    assert 'value="Lê Văn Cường"' in response.text  # what was typed is kept
    assert len(session.exec(select(User.id)).all()) == before


def test_a_long_message_is_cut_so_that_its_cookie_still_fits():
    from fastapi.responses import Response

    from api.forms import _serializer, flash

    response = flash(Response(), "Dòng 2, cột “Chỉ tiêu”: “abc” không phải số nguyên. " * 40)
    cookie = response.headers["set-cookie"]
    assert len(cookie) < 4000  # browsers drop a cookie over 4 KB, and the message with it
    shown = _serializer().loads(cookie.split("=", 1)[1].split(";", 1)[0])["m"]
    assert shown.startswith("Dòng 2, cột “Chỉ tiêu”") and shown.endswith("…")
