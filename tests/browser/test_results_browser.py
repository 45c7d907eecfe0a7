"""In a real browser, on a phone: the published list of round VIII (the demo's imported list), its
media-type filter, a winning work with its certificates, and the statistics; no CSP violations and no
horizontal scrolling at 375 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_no_sideways_scroll

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def test_visitor_reads_results_filters_by_media_type_and_opens_a_work(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Kết quả giải lần thứ VIII").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả Giải Búa liềm vàng lần thứ VIII – năm 2023")
    expect(page.get_by_role("heading", name="Giải A (2)")).to_be_visible()
    expect(page.get_by_text("Nguyễn Văn Hùng (bút danh Hùng Sơn)")).to_be_visible()
    expect(page.locator(".prize")).to_have_count(6)  # 5 prizes, the photo also under "Giải chuyên đề"
    expect(page.get_by_role("link", name="Tải danh sách (Excel, .xlsx)")).to_be_visible()
    expect(page.locator(".checksum")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert_no_sideways_scroll(page)

    filters = page.get_by_role("navigation", name="Lọc theo loại hình")
    filters.get_by_role("link", name="Truyền hình").click()
    expect(page).to_have_url(re.compile(r"media_type=tv"))
    expect(filters.get_by_role("link", name="Truyền hình")).to_have_attribute("aria-current", "page")
    expect(page.locator(".prize")).to_have_count(1)
    expect(page.locator(".prize h3")).to_have_text("Phim tài liệu: Những người giữ lửa (minh họa)")
    expect(page.locator("#giai-B")).to_have_count(0)
    assert_no_sideways_scroll(page)

    page.get_by_role("link", name="Phim tài liệu: Những người giữ lửa (minh họa)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phim tài liệu: Những người giữ lửa (minh họa)")
    expect(page.locator(".badge.level")).to_have_text("Giải A")
    certificate = page.get_by_role("link", name="Giấy chứng nhận – Phạm Thu Hà")
    expect(certificate).to_have_attribute("href", re.compile(r"/api/v1/entries/\d+/certificate\.pdf\?author=2$"))
    pdf = page.request.get(certificate.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    assert_no_sideways_scroll(page)
    assert page.console_errors == []  # the CSP lets every page render without violations


def test_statistics_page_shows_charts_with_captions_on_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Kết quả giải lần thứ VIII").click()
    page.get_by_role("link", name="Số liệu thống kê đợt giải").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Số liệu thống kê lần thứ VIII – năm 2023")
    for caption in ("Tác phẩm theo loại hình", "Tác phẩm theo đơn vị", "Tác phẩm theo chủ đề của đề cương",
                    "Tỷ lệ vào chung khảo và đoạt giải theo loại hình"):
        expect(page.get_by_role("figure", name=re.compile(caption))).to_be_visible()
    media = page.get_by_role("figure", name=re.compile("Tác phẩm theo loại hình"))
    expect(media.get_by_role("row", name=re.compile("Truyền hình"))).to_contain_text("1")
    assert_no_sideways_scroll(page)
    assert page.console_errors == []


def test_results_of_a_round_in_progress_are_not_found(page, live_server):
    page.goto(f"{live_server}/")
    page.get_by_role("link", name=re.compile("Giải Búa liềm vàng lần thứ IX –")).click()
    expect(page.get_by_role("heading", name="Kết quả đã công bố")).to_have_count(0)
    response = page.goto(page.url.rstrip("/") + "/results")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()


def test_on_ceremony_night_a_visitor_searches_round_x_and_checks_the_list_on_a_phone(page, demo_server):
    """The demo as `make demo` builds it: round X's list (merged provinces under their new names)."""
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_server}/")
    page.get_by_role("link", name="Kết quả giải lần thứ X").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả Giải Búa liềm vàng lần thứ X – năm 2025")
    page.get_by_label("Tìm theo tên tác phẩm, tác giả, cơ quan báo chí hoặc đơn vị").fill("tuyen quang")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("status")).to_contain_text("1 tác phẩm khớp với “tuyen quang”")
    expect(page.locator(".prize h3")).to_have_text("Loạt bài: Chính quyền hai cấp, ngày đầu vận hành (minh họa)")
    assert_no_sideways_scroll(page)
    reloaded = page.reload()
    assert reloaded.status in (200, 304)  # the browser revalidates with the page's ETag
    page.get_by_role("link", name="Xem tất cả").click()
    page.get_by_role("link", name="Kiểm tra tính toàn vẹn của danh sách").click()
    expect(page.get_by_role("status")).to_contain_text("Danh sách nguyên vẹn. 5 tác phẩm đoạt giải")
    assert_no_sideways_scroll(page)
    assert page.console_errors == []
