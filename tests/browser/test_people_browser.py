"""In a real browser on a phone (375 px): the secretariat invites a unit manager, who sets a password through
the mailed link (read from the outbox in the database, as the mail would carry it) and invites a local judge;
then the secretariat locks the manager's account while the manager is logged in elsewhere, and the
manager's next page is the login page."""

import re
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.support.browser import assert_no_sideways_scroll, login

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


def _phone(browser):
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.accept()) if d.type == "confirm" else None)
    return context, page


def _mailed_link(engine, recipient: str, base: str) -> str:
    with engine.connect() as conn:
        body = conn.execute(sa.text("SELECT body FROM outbox WHERE recipient = :r AND kind = 'invitation'"),
                            {"r": recipient}).scalar_one()
    token = re.search(r"/password/reset\?token=([A-Za-z0-9_-]+)", body).group(1)
    return f"{base}/password/reset?token={token}"


def test_invited_manager_sets_a_password_invites_a_judge_and_is_logged_out_when_locked(browser, live_server,
                                                                                         live_env):
    engine = sa.create_engine(live_env["AWARD_DATABASE_URL"])
    tag = uuid.uuid4().hex[:6]
    manager_email, judge_email = f"quanly.{tag}@hatinh.vn", f"giamkhao.{tag}@hatinh.vn"
    with engine.connect() as conn:
        hatinh = conn.execute(sa.text("SELECT id FROM unit WHERE code = 'ha-tinh'")).scalar_one()
    sec_context, sec = _phone(browser)
    mgr_context, mgr = _phone(browser)
    try:
        # the secretariat invites a unit manager
        login(sec, live_server, "bithu@demo.bualiemvang.vn")
        sec.goto(f"{live_server}/admin/users")
        assert_no_sideways_scroll(sec)
        form = sec.locator("#moi")
        form.get_by_label("E-mail").fill(manager_email)
        form.get_by_label("Họ và tên").fill("Đinh Thị Quản Lý")
        form.get_by_label("Vai trò").select_option("unit_manager")
        form.get_by_label("Đơn vị").select_option(str(hatinh))
        form.get_by_role("button", name="Gửi thư mời").click()
        expect(sec.locator(".flash")).to_have_text(f"Đã gửi thư mời tới {manager_email}.")
        expect(sec.get_by_role("heading", name="Đinh Thị Quản Lý")).to_be_visible()
        assert_no_sideways_scroll(sec)

        # the manager opens the mailed link, sets a password and is logged in
        mgr.goto(_mailed_link(engine, manager_email, live_server))
        expect(mgr.get_by_role("heading", name="Đặt mật khẩu")).to_be_visible()
        mgr.locator("#f-new_password").fill("QuanLyHaTinh2024")
        mgr.locator("#f-new_password_again").fill("QuanLyHaTinh2024")
        mgr.get_by_role("button", name="Đặt mật khẩu").click()
        expect(mgr.locator(".flash")).to_have_text("Đã đặt mật khẩu. Chào mừng Đinh Thị Quản Lý!")

        # and invites a local judge of their unit
        mgr.get_by_role("link", name="Giám khảo cơ sở").click()
        assert_no_sideways_scroll(mgr)
        mgr.get_by_label("E-mail").fill(judge_email)
        mgr.get_by_label("Họ và tên").fill("Lương Văn Chấm")
        mgr.get_by_role("button", name="Gửi thư mời").click()
        expect(mgr.locator(".flash")).to_have_text(f"Đã gửi thư mời giám khảo tới {judge_email}.")
        expect(mgr.get_by_role("cell", name=judge_email)).to_be_visible()
        assert_no_sideways_scroll(mgr)
        with engine.connect() as conn:
            role, unit = conn.execute(sa.text("SELECT role, unit_id FROM user_account WHERE email = :e"),
                                      {"e": judge_email}).one()
        assert (role, unit) == ("local_judge", hatinh)

        # the secretariat finds the manager ignoring diacritics and locks the account
        sec.goto(f"{live_server}/admin/users")
        sec.get_by_label("Tìm theo tên hoặc e-mail").fill("dinh thi quan ly")
        sec.get_by_role("button", name="Lọc").click()
        sec.get_by_role("link", name="Đinh Thị Quản Lý").click()
        sec.get_by_role("button", name="Khóa tài khoản").click()
        expect(sec.locator(".flash")).to_contain_text(f"Đã khóa tài khoản {manager_email}")
        assert sec.dialogs and "Khóa tài khoản" in sec.dialogs[-1]

        # the manager's next page is the login page
        mgr.get_by_role("link", name="Trang làm việc").first.click()
        expect(mgr).to_have_url(re.compile(r"/login\?next="))
        expect(mgr.get_by_role("button", name="Đăng nhập")).to_be_visible()
        assert sec.console_errors == [] and mgr.console_errors == []
    finally:
        sec_context.close()
        mgr_context.close()
        engine.dispose()


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_a_refused_invitation_shows_its_error_where_the_manager_looks_and_removals_are_real_buttons(
        browser, demo_server, viewport):
    """The unit's judges list sits above the invitation form on a phone: a refused invitation opens scrolled to
    its errors, which take the focus. Withdrawing a judge from the jury and removing a judge are buttons of at
    least 44 px that ask first, not small links."""
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.accept()) if d.type == "confirm" else None)
    try:
        login(page, demo_server, "donvi.hatinh@demo.bualiemvang.vn")
        page.goto(f"{demo_server}/unit/judges")
        page.get_by_label("E-mail").fill("khong-phai-e-mail")
        page.get_by_role("button", name="Gửi thư mời").click()
        summary = page.locator("[data-form-error]")
        expect(summary).to_contain_text("Địa chỉ e-mail không hợp lệ.")
        expect(summary).to_be_focused()
        assert _in_view(page, summary) and _in_view(page, page.get_by_label("E-mail"))
        assert page.get_by_role("button", name="Gỡ giám khảo").first.bounding_box()["height"] >= 44

        page.goto(f"{demo_server}/unit/judging")
        page.get_by_label("Thêm giám khảo cơ sở").select_option(index=0)
        with page.expect_navigation():  # measured once the new page has loaded its stylesheet (busy CI: 21 px)
            page.get_by_role("button", name="Thêm", exact=True).click()
        withdraw = page.get_by_role("button", name="Rút khỏi hội đồng").first
        box = withdraw.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        assert_no_sideways_scroll(page) if viewport is PHONE else None
        withdraw.click()
        assert page.dialogs and page.dialogs[-1].startswith("Rút ") and "khỏi hội đồng sơ tuyển" in page.dialogs[-1]
        expect(page.get_by_role("button", name="Rút khỏi hội đồng")).to_have_count(0)
    finally:
        context.close()


def test_tables_of_cards_are_tables_on_a_desktop(browser, demo_server):
    """`table.cards` shows its rows as cards on a phone only: at 1280 px each header cell stands above its
    column (the card lists' grid once laid the header row out beside the rows)."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        login(page, demo_server, "bithu@demo.bualiemvang.vn")
        for path in ("/admin/outbox", "/admin/users"):
            page.goto(f"{demo_server}{path}")
            table = page.locator("table.cards").first
            assert table.evaluate("t => getComputedStyle(t).display") == "table", path
            headers = [h.bounding_box() for h in table.locator("thead th").all()]
            cells = [c.bounding_box() for c in table.locator("tbody tr").first.locator("td").all()]
            assert [round(h["x"]) for h in headers] == [round(c["x"]) for c in cells[:len(headers)]], path
    finally:
        context.close()
