"""In a real browser, on a phone (375 px) and on a desktop: the secretariat launches round XI copying
round X's settings, sets its calendar, imports its outline, sets the units' quotas by spreadsheet and opens
the round; the receipt desk and the round's works list read as cards on a phone and as tables on a desktop."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.support.browser import assert_no_sideways_scroll, login

pytestmark = pytest.mark.browser

XI = {"Mở nhận tác phẩm": "2026-02-03", "Hạn nộp ở đơn vị": "2026-10-10", "Hạn gửi về Trung ương": "2026-11-10",
      "Kết thúc sơ khảo": "2026-12-05", "Kết thúc chung khảo": "2027-01-20", "Lễ trao giải": "2027-02-03"}


OUTLINE = ("1. Xây dựng Đảng về chính trị\n1.1. Nâng cao năng lực lãnh đạo\n1.2. Đổi mới phương thức lãnh đạo\n"
           "2. Xây dựng Đảng về tổ chức\n2.1. Tổ chức bộ máy sau hợp nhất tỉnh\n")


def test_secretariat_launches_round_xi_on_a_phone(browser, live_server, tmp_path):
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    try:
        login(page, live_server, "bithu@demo.bualiemvang.vn")
        page.get_by_role("link", name="Đợt giải: tạo đợt giải mới, thể lệ, lịch và chỉ tiêu").click()
        assert_no_sideways_scroll(page)
        form = page.locator("form").filter(has=page.get_by_role("button", name="Tạo đợt giải"))
        form.get_by_label("Lần thứ (số La Mã)").fill("XI")
        form.get_by_label("Năm").fill("2026")
        form.get_by_label("Sao chép thể lệ").select_option(label="Lần thứ X – năm 2025")
        for label, day in XI.items():
            form.get_by_label(label).fill(day)
        form.get_by_role("button", name="Tạo đợt giải").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã tạo đợt giải lần thứ XI – năm 2026")
        expect(page.locator(".badge").first).to_have_text("Đang chuẩn bị")
        assert_no_sideways_scroll(page)

        calendar = page.locator("#calendar")
        calendar.get_by_label("Hạn nộp ở đơn vị").fill("2026-10-15")
        calendar.get_by_role("button", name="Lưu mục “Lịch và giai đoạn”").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã lưu mục “Lịch và giai đoạn”.")
        expect(page.locator("#calendar").get_by_label("Hạn nộp ở đơn vị")).to_have_value("2026-10-15")

        # every genre list reads whole on the phone, without scrolling inside its box
        inner = page.locator("#media textarea").evaluate_all(
            "boxes => boxes.filter(b => b.scrollHeight > b.clientHeight + 1).map(b => b.id)")
        assert inner == [] and page.locator("#media textarea").count() >= 6

        settings_url = page.url.split("#")[0]
        page.get_by_role("link", name="Nhập đề cương của đợt giải").click()
        page.get_by_label("Hoặc dán / sửa nội dung").fill(OUTLINE)
        page.get_by_role("button", name="Xem trước").click()
        page.get_by_role("button", name="Lưu đề cương cho đợt giải").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã lưu đề cương lần thứ XI – năm 2026: 3 chủ đề.")
        page.goto(settings_url)

        page.get_by_role("link", name="Chỉ tiêu các đơn vị").click()
        assert_no_sideways_scroll(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải bảng chỉ tiêu (.xlsx)").click()
        book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
        sheet = book.active
        codes = [sheet.cell(row=row, column=1).value for row in range(2, sheet.max_row + 1)]
        assert "tuyen-quang-2025" in codes and "ha-giang" not in codes  # round XI takes the 34 provinces
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row=row, column=1).value == "ha-tinh":
                sheet.cell(row=row, column=3).value = 58
        edited = tmp_path / "chi-tieu-lan-XI.xlsx"
        out = io.BytesIO()
        book.save(out)
        edited.write_bytes(out.getvalue())
        page.get_by_label("Tệp chỉ tiêu đã sửa (.xlsx)").set_input_files(str(edited))
        page.get_by_role("button", name="Nhập chỉ tiêu từ tệp").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã nhập chỉ tiêu từ tệp")
        expect(page.get_by_label("Hà Tĩnh", exact=True)).to_have_value("58")

        page.get_by_role("link", name="Lần thứ XI").click()
        page.get_by_role("button", name="Mở đợt giải").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã mở đợt giải")
        assert dialogs and dialogs[0].startswith("Mở đợt giải lần thứ XI – năm 2026?")
        assert errors == []
    finally:
        context.close()


def test_round_console_reads_on_a_desktop(browser, live_server):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server, "bithu@demo.bualiemvang.vn")
        page.goto(f"{live_server}/admin/rounds")
        row = page.get_by_role("row").filter(has_text="Lần thứ IX – năm 2024")
        expect(row).to_contain_text("Đang nhận tác phẩm")
        row.get_by_role("link", name="thể lệ, lịch").click()
        expect(page.locator(".timeline [aria-current=step]")).to_contain_text("Hôm nay 20/09/2024")
        expect(page.get_by_role("heading", name="Xem trước phiếu chấm")).to_be_visible()
        assert_no_sideways_scroll(page)
    finally:
        context.close()


def _nothing_past_the_right_edge(page):
    """No element of the page's content reaches past the window's right edge, not even inside a box that
    scrolls sideways (there it would be cut off, with nothing telling the person to scroll)."""
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; })
        .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[' + e.name + ']' : ''))""")
    assert wide == [], f"{page.url}: {wide}"


def _cell_lefts(row) -> list[float]:
    return [cell.bounding_box()["x"] for cell in row.locator("td").all() if cell.is_visible()]


def _each_inside(controls, width: int) -> None:
    """Each control whole inside a window `width` px wide (not cut off at its right edge)."""
    for control in controls:
        box = control.bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, (control, box)


@pytest.mark.parametrize("width", [375, 1280])
def test_receipt_desk_and_works_list_are_cards_on_a_phone_and_tables_on_a_desktop(browser, live_server, width,
                                                                                  tmp_path):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 800})
    page = context.new_page()
    phone = width < 600
    try:
        login(page, live_server, "bithu@demo.bualiemvang.vn")
        page.goto(f"{live_server}/secretariat/batches")
        row = page.locator("table tbody tr").filter(has=page.locator("select[name=reason_code]")).first
        row.scroll_into_view_if_needed()
        # the eligibility controls, each whole inside the window: "Không đủ", the reason list, the note, "Lưu"
        _each_inside((row.get_by_role("radio", name="Không đủ"), row.get_by_label("Lý do"),
                      row.get_by_label("Ghi chú"), row.get_by_role("button", name="Lưu")), width)
        _nothing_past_the_right_edge(page)
        lefts = _cell_lefts(row)
        # a phone reads each work as a card (its cells one under another), a desktop as a row of columns
        assert (len(set(lefts)) == 1) if phone else (lefts == sorted(lefts) and len(set(lefts)) == 3), lefts
        page.screenshot(path=str(tmp_path / f"receipt-desk-{width}.png"), full_page=True)  # to look at

        page.get_by_role("link", name="Danh sách toàn bộ tác phẩm của đợt (tìm kiếm, thao tác hàng loạt)").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Tác phẩm dự giải lần thứ")
        row = page.locator("table tbody tr[id^=tp-]").first
        row.scroll_into_view_if_needed()
        _nothing_past_the_right_edge(page)
        title = row.locator("td").nth(1).bounding_box()
        if phone:  # the title takes the card's width, not a column a word wide
            assert title["width"] > width * 0.75, title
            assert len(set(_cell_lefts(row))) == 1
        else:
            assert len(set(_cell_lefts(row))) == 6
        page.screenshot(path=str(tmp_path / f"round-works-{width}.png"), full_page=True)
    finally:
        context.close()


def test_a_units_screening_table_is_cards_on_a_phone(browser, live_server):
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        login(page, live_server, "donvi.hatinh@demo.bualiemvang.vn")
        page.goto(f"{live_server}/unit/contest")
        table = page.locator("table").filter(has=page.get_by_role("columnheader", name="Xét điều kiện"))
        row = table.locator("tbody tr[id^=tp-]").first
        row.scroll_into_view_if_needed()
        _each_inside(row.locator("select, input:not([type=hidden]), button").all(), 375)
        assert len(set(_cell_lefts(row))) == 1  # the work's cells one under another
        fits = table.evaluate("t => t.getBoundingClientRect().right <= window.innerWidth")
        assert fits, "the screening table reaches past the window"
    finally:
        context.close()
