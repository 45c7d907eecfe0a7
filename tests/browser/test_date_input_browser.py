"""A date field says its date in Vietnamese words under it (static/js/date-input.js), whatever the browser's
language: an English browser draws <input type="date"> month first (03/04/2026 is 4 March), so a secretariat
setting a deadline, or a journalist the day a part ran, sees "Thứ tư, ngày 4 tháng 3 năm 2026" and cannot be a
month off unawares. tests/browser/test_every_page.py checks the line against the field on every page of every
role; here it follows what is typed, in a part added later too."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_no_sideways_scroll, date_in_words, login, open_round_settings

pytestmark = pytest.mark.browser


def test_date_in_words_names_the_weekday_of_the_calendar_date():
    assert date_in_words("2026-03-04") == "Thứ tư, ngày 4 tháng 3 năm 2026"
    assert date_in_words("2024-12-29") == "Chủ nhật, ngày 29 tháng 12 năm 2024"
    assert date_in_words("2026-03-04T08:30") == "Thứ tư, ngày 4 tháng 3 năm 2026, lúc 08:30"


def test_a_deadline_reads_day_first_in_an_english_browser(browser, live_server):
    context = browser.new_context(locale="en-US", timezone_id="America/Los_Angeles", viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        login(page, live_server, "bithu@demo.bualiemvang.vn")
        open_round_settings(page, live_server, "Lần thứ IX – năm 2024")
        deadline = page.get_by_label("Hạn nộp ở đơn vị")
        echo = deadline.locator("xpath=following-sibling::*[1]")
        expect(echo).to_have_class("date-echo")
        expect(echo).to_have_text(date_in_words(deadline.input_value()))  # the stored date, as the page opens
        deadline.fill("2026-03-04")
        # the weekday of the date itself, not of the instant in the browser's time zone (a day behind Hanoi)
        expect(echo).to_have_text("Thứ tư, ngày 4 tháng 3 năm 2026")
        deadline.fill("")
        expect(echo).to_be_hidden()
        assert_no_sideways_scroll(page)
    finally:
        context.close()


def test_a_part_added_later_says_its_date_too(browser, demo_server):
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        login(page, demo_server, "nhabao@demo.bualiemvang.vn")
        page.get_by_role("link", name="+ Gửi tác phẩm dự thi lần thứ XI").click()
        page.get_by_role("button", name="+ Thêm kỳ").click()
        added = page.locator("#f-parts-1-published_on")
        added.fill("2026-08-15")
        expect(added.locator("xpath=following-sibling::*[1]")).to_have_text("Thứ bảy, ngày 15 tháng 8 năm 2026")
        expect(page.locator("#f-parts-0-published_on + .date-echo")).to_be_hidden()  # the first part has no date yet
    finally:
        context.close()
