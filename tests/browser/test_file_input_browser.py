"""A file field speaks Vietnamese in an English browser (static/js/file-input.js): "Chọn tệp" and "Chưa chọn tệp",
then the chosen file's name, never the native "Choose File / No file chosen"; the real field stays reachable by
keyboard (the focus ring shows on "Chọn tệp") and is what the form sends. Without JavaScript the native field
shows, as before."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_no_sideways_scroll, login, open_round_settings

pytestmark = pytest.mark.browser

OUTLINE = "1. Xây dựng Đảng về chính trị\n1.1. Nâng cao năng lực lãnh đạo\n1.2. Đổi mới phương thức lãnh đạo\n"


def _outline_page(page, base):
    login(page, base, "bithu@demo.bualiemvang.vn")
    open_round_settings(page, base, "Lần thứ IX – năm 2024")
    page.get_by_role("link", name="Nhập đề cương của đợt giải").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đề cương tuyên truyền")


def test_a_file_field_reads_in_vietnamese_in_an_english_browser(browser, live_server, tmp_path):
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        _outline_page(page, live_server)
        field = page.locator("#f-file")
        box = page.locator(".file-pick").filter(has=field)
        choose = box.locator("label.file-pick-button")
        status = box.locator(".file-pick-status")
        expect(choose).to_have_text("Chọn tệp")
        expect(choose).to_be_visible()
        expect(choose).to_have_attribute("for", "f-file")
        expect(status).to_have_text("Chưa chọn tệp")
        expect(status).to_be_visible()
        # the native control is out of sight (1 px, clipped) but still the labelled, described field
        size = field.bounding_box()
        assert size is not None and size["width"] <= 1 and size["height"] <= 1, size
        expect(page.get_by_label("Tệp văn bản (.txt, .md, .docx, .pdf)")).to_have_id("f-file")
        # the field's hint (its limit) and then its status
        expect(field).to_have_accessible_description(re.compile(r"Tối đa 20 MB một tệp\. Chưa chọn tệp\s*$"))
        assert "Choose File" not in page.locator("main").inner_text()
        assert "No file chosen" not in page.locator("main").inner_text()

        # by keyboard: Tab reaches the field and the ring shows on "Chọn tệp"
        page.get_by_role("heading", level=1).click()
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "f-file":
                break
        assert page.evaluate("document.activeElement.id") == "f-file"
        assert choose.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"

        outline = tmp_path / "de-cuong-lan-IX.txt"
        outline.write_text(OUTLINE, encoding="utf-8")
        field.set_input_files(str(outline))
        expect(status).to_have_text("de-cuong-lan-IX.txt")
        expect(field).to_have_accessible_description(re.compile(r"Tối đa 20 MB một tệp\. de-cuong-lan-IX\.txt\s*$"))
        assert_no_sideways_scroll(page)

        page.get_by_role("button", name="Xem trước").click()  # the hidden field is what the form sends
        expect(page.get_by_role("heading", name=re.compile(r"2\. Xem trước \(2 chủ đề\)"))).to_be_visible()
        expect(page.locator("#f-text")).to_have_value(re.compile("Nâng cao năng lực lãnh đạo"))
        assert errors == []
    finally:
        context.close()


def test_several_files_are_counted(browser, live_server, tmp_path):
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        _outline_page(page, live_server)
        field = page.locator("#f-file")
        field.evaluate("e => e.setAttribute('multiple', '')")
        files = []
        for name in ("a.txt", "b.txt", "c.txt"):
            (tmp_path / name).write_text(OUTLINE, encoding="utf-8")
            files.append(str(tmp_path / name))
        field.set_input_files(files)
        expect(page.locator(".file-pick-status")).to_have_text("3 tệp đã chọn")
        field.set_input_files([])
        expect(page.locator(".file-pick-status")).to_have_text("Chưa chọn tệp")
    finally:
        context.close()


def test_without_javascript_the_native_field_still_works(browser, live_server, tmp_path):
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    try:
        _outline_page(page, live_server)
        expect(page.locator(".file-pick-button")).to_have_count(0)
        field = page.get_by_label("Tệp văn bản (.txt, .md, .docx, .pdf)")
        size = field.bounding_box()
        assert size is not None and size["width"] > 100, size
        outline = tmp_path / "de-cuong.txt"
        outline.write_text(OUTLINE, encoding="utf-8")
        field.set_input_files(str(outline))
        page.get_by_role("button", name="Xem trước").click()
        expect(page.get_by_role("heading", name=re.compile(r"2\. Xem trước \(2 chủ đề\)"))).to_be_visible()
    finally:
        context.close()


def test_a_file_over_the_forms_cap_is_refused_before_sending(browser, live_server):
    """The judges' import takes at most the server's sheet cap (data-max-bytes): a larger choice is refused at
    once beside the field, in Vietnamese, and taken out of the field so the form cannot send it (no 413 page
    after a long upload); a file within the cap is then kept."""
    from api.limits import SHEET_MAX_BYTES

    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        login(page, live_server, "bithu@demo.bualiemvang.vn")
        page.goto(f"{live_server}/admin/users")
        field = page.locator("#f-file")
        expect(field).to_have_attribute("data-max-bytes", str(SHEET_MAX_BYTES))
        box = page.locator("#nhap-giam-khao")
        expect(box).to_contain_text("Tối đa 5 MB một tệp.")
        status = box.locator(".file-pick-status")
        field.set_input_files({"name": "giam-khao.xlsx", "mimeType": "application/octet-stream",
                               "buffer": b"x" * (SHEET_MAX_BYTES + 1024 * 1024)})
        refusal = box.get_by_role("alert")
        expect(refusal).to_have_text("Tệp “giam-khao.xlsx” quá lớn (6 MB), tối đa 5 MB.")
        expect(status).to_have_text("Chưa chọn tệp")
        assert field.evaluate("e => e.files.length") == 0  # the form cannot send it
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile("quá lớn"))

        field.set_input_files({"name": "giam-khao.xlsx", "mimeType": "application/octet-stream", "buffer": b"x" * 10})
        expect(refusal).to_have_count(0)
        expect(status).to_have_text("giam-khao.xlsx")
        assert field.get_attribute("aria-invalid") is None
        assert errors == []
    finally:
        context.close()
