"""In the demo as `make demo` builds it (round XI taking entries, 2026): a journalist of a province merged on
1 July 2025 (Tuyên Quang, formed from Tuyên Quang and Hà Giang) submits a work to round XI on a phone. The
form offers only round XI's units (the 34 provinces, not the 63), finds one by typing without diacritics,
and has the journalist's own unit chosen already; genres follow the media type."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_no_sideways_scroll, login
from tests.support.liveserver import run_cli

pytestmark = pytest.mark.browser

EMAIL = "nhabao.tuyenquang@demo.bualiemvang.vn"
PASSWORD = "TuyenQuang2026!"


def test_a_journalist_of_a_merged_province_submits_to_round_xi(browser, demo_env, demo_server):
    run_cli(demo_env, "user", "create", "--email", EMAIL, "--password", PASSWORD, "--role", "journalist",
            "--name", "Hà Văn Kiên", "--unit", "tuyen-quang-2025", "--outlet", "Báo Tuyên Quang")
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        login(page, demo_server, EMAIL, PASSWORD)
        page.get_by_role("link", name="+ Gửi tác phẩm dự thi lần thứ XI").click()
        units = page.get_by_label("Gửi dự thi qua đơn vị")
        expect(units.locator("option:checked")).to_have_text("Tuyên Quang")  # the account's unit, chosen already
        offered = units.locator("option").all_text_contents()
        assert "Hà Giang" not in offered and "Yên Bái" not in offered  # merged away on 1 July 2025
        assert "Tuyên Quang" in offered and "Huế" in offered and len(offered) < 80
        page.get_by_label("Tìm đơn vị").fill("lao cai")
        expect(units.locator("option:not([hidden])").filter(has_text=re.compile("^L"))).to_have_text(["Lào Cai"])
        expect(units.locator("option:checked")).to_have_text("Lào Cai")  # the one match is chosen
        expect(page.get_by_text("Đã chọn: Lào Cai.")).to_be_visible()
        page.get_by_label("Tìm đơn vị").fill("")
        units.select_option(label="Tuyên Quang")
        page.get_by_label("Tên tác phẩm (hoặc tên loạt bài)").fill("Chính quyền hai cấp ở vùng cao Tuyên Quang")
        page.get_by_label("Loại hình").select_option("online")
        page.get_by_label("Thể loại").select_option("bình luận")
        page.get_by_label("Tóm tắt nội dung").fill("Bình luận về tổ chức đảng ở cơ sở sau khi hợp nhất tỉnh.")
        page.locator("#f-parts-0-outlet").fill("Báo Tuyên Quang điện tử")
        page.locator("#f-parts-0-published_on").fill("2026-08-15")
        page.locator("#f-parts-0-url").fill("https://baotuyenquang.com.vn/chinh-quyen-hai-cap.html")
        page.get_by_role("button", name="Lưu bản nháp và tiếp tục").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã lưu bản nháp")
        expect(page.locator(".eyebrow")).to_contain_text("Tuyên Quang")
        page.get_by_role("button", name="Nộp tác phẩm").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã nộp tác phẩm cho đơn vị")
        expect(page.locator(".badge").first).to_have_text("Đã nộp")
        assert_no_sideways_scroll(page)
        # the message stays pinned over the page as one reads on, until closed
        page.mouse.wheel(0, 600)
        flash = page.locator(".alert.flash")
        assert flash.bounding_box()["y"] == 0
        close = flash.get_by_role("button", name="Đóng thông báo")
        assert close.bounding_box()["width"] >= 44 and close.bounding_box()["height"] >= 44
        close.click()
        expect(page.locator(".alert.flash")).to_have_count(0)
        expect(page.locator("#noi-dung")).to_be_focused()
    finally:
        context.close()


def test_genres_follow_the_media_type(browser, demo_server):
    """A round's rules start with each media type's own genres (award.rules.DEFAULT_MEDIA_GENRES); the form
    offers only those of the media type chosen, and the secretariat may open a media type to every genre."""
    import httpx

    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        login(page, demo_server, "nhabao@demo.bualiemvang.vn")
        page.get_by_role("link", name="+ Gửi tác phẩm dự thi lần thứ XI").click()
        genres = page.get_by_label("Thể loại")
        offered = genres.locator("option:not([hidden])")
        # the page's script may run after the choice (a click does not wait for the new page's scripts): the
        # checks retry until it has, so they read what the reader sees, never the page before its script
        page.get_by_label("Loại hình").select_option("photo")
        expect(offered).to_have_text(["— Chọn thể loại —", "Ảnh đơn", "Bộ ảnh"])
        page.get_by_label("Loại hình").select_option("print")
        expect(offered.filter(has_text="Phóng sự")).to_have_count(1)
        expect(offered.filter(has_text="Ảnh đơn")).to_have_count(0)
        expect(offered.filter(has_text="Phim tài liệu")).to_have_count(0)
        # a broadcast's programme and its script are asked of radio and television only (the script of online too)
        expect(page.get_by_label("Kịch bản hoặc lời bình (tác phẩm phát thanh, truyền hình, video)")).to_be_hidden()
        expect(page.locator("#f-parts-0-broadcast_slot")).to_be_hidden()
        page.get_by_label("Loại hình").select_option("online")
        expect(page.get_by_label("Kịch bản hoặc lời bình (tác phẩm phát thanh, truyền hình, video)")).to_be_visible()
        expect(page.locator("#f-parts-0-broadcast_slot")).to_be_hidden()
        page.get_by_label("Loại hình").select_option("radio")
        page.get_by_role("button", name="+ Thêm kỳ").click()
        expect(page.locator("#f-parts-1-broadcast_slot")).to_be_visible()  # in a part added later too
        page.get_by_label("Loại hình").select_option("print")
        expect(page.locator("#f-parts-1-broadcast_slot")).to_be_hidden()

        token = httpx.post(f"{demo_server}/api/v1/auth/token", data={
            "username": "bithu@demo.bualiemvang.vn", "password": "BuaLiemVang2024"}).json()["access_token"]
        xi = next(r for r in httpx.get(f"{demo_server}/api/v1/rounds").json() if r["number"] == "XI")
        changed = httpx.patch(f"{demo_server}/api/v1/rounds/{xi['id']}", headers={"Authorization": f"Bearer {token}"},
                              json={"rules": {"media_genres": {"photo": ["ảnh đơn", "bộ ảnh"]}}})
        assert changed.status_code == 200, changed.text
        page.reload()
        page.get_by_label("Loại hình").select_option("tv")
        expect(offered.filter(has_text="Ảnh đơn")).to_have_count(1)  # no longer restricted
    finally:
        context.close()


def test_a_journalist_reads_the_prize_of_a_past_work_and_downloads_a_certificate(browser, demo_server):
    """Issue 17 item 4, on a phone: the demo journalist's series won an A in round IX."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800}, accept_downloads=True)
    page = context.new_page()
    try:
        login(page, demo_server, "nhabao@demo.bualiemvang.vn")
        page.get_by_role("link", name="Loạt bài: Người giữ lửa ở chi bộ vùng biên (minh họa)").click()
        outcome = page.locator("section.outcome")
        expect(outcome).to_contain_text("Giải A – Giải Búa liềm vàng lần thứ IX – năm 2024.")
        with page.expect_download() as download:
            outcome.get_by_role("link", name="Giấy chứng nhận: Trần Văn Bút").click()
        assert download.value.suggested_filename.endswith("-tran-van-but.pdf")
        assert download.value.path().read_bytes()[:5] == b"%PDF-"
        outcome.get_by_role("link", name="Xem trong danh sách giải đã công bố").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Người giữ lửa ở chi bộ vùng biên")
        assert_no_sideways_scroll(page)
    finally:
        context.close()
