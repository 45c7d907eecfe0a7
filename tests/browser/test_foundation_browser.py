"""In a real browser: log in, open a round, read its outline; errors are Vietnamese pages."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import login

pytestmark = pytest.mark.browser



def test_journalist_logs_in_opens_round_and_reads_outline(page, live_server):
    login(page, live_server, "nhabao@demo.bualiemvang.vn")
    expect(page.get_by_role("heading", name="Xin chào, Trần Văn Bút")).to_be_visible()
    page.get_by_role("link", name="Lần thứ VIII – năm 2023").click()
    expect(page.get_by_role("heading", name="Đề cương tuyên truyền")).to_be_visible()
    theme = page.locator("#chu-de-2\\.8")
    expect(theme).to_contain_text("2.8")
    assert page.locator(".themes > li").count() >= 13
    assert page.console_errors == []  # the CSP lets the page run without violations


def test_wrong_password_shows_vietnamese_error(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill("nhabao@demo.bualiemvang.vn")
    page.get_by_label("Mật khẩu").fill("SaiMatKhau000")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#e-password")).to_have_text("E-mail hoặc mật khẩu không đúng.")


def test_journalist_is_refused_the_secretariat_page(page, live_server):
    login(page, live_server, "nhabao2@demo.bualiemvang.vn")
    response = page.goto(f"{live_server}/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()


def test_secretariat_sees_accounts_and_every_round(page, live_server):
    login(page, live_server, "bithu@demo.bualiemvang.vn")
    page.get_by_role("link", name="Quản lý tài khoản").click()
    expect(page.get_by_role("cell", name="giamkhao@demo.bualiemvang.vn")).to_be_visible()
    page.goto(f"{live_server}/")
    for number in ("IV", "VII", "VIII", "IX"):
        expect(page.get_by_role("link", name=f"Giải Búa liềm vàng lần thứ {number} –")).to_be_visible()
