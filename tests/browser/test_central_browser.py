"""In a real browser: the demo's central judge scores the work assigned in a subpanel, the secretariat
sends it to the final from the subpanel's shortlist, and the judge, on the council, casts a ballot."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import login

pytestmark = pytest.mark.browser


def test_a_score_typed_before_the_sheet_s_script_ran_is_saved_all_the_same(page, server_at):
    """The autosave script is deferred: on a slow phone a judge may type before it runs. What was typed then
    raised no event it heard; it saves it as soon as it runs (static/js/autosave.js). First in this file: the
    next test submits that sheet, and the servers share their data."""
    with server_at("2024-11-20T09:00:00+07:00") as live_server:
        login(page, live_server, "giamkhao@demo.bualiemvang.vn")
        page.route("**/static/js/autosave.js", lambda route: route.abort())  # the script has not run yet
        page.goto(f"{live_server}/judging")
        page.get_by_role("row").filter(has_text="Người giữ lửa ở chi bộ vùng biên").first.get_by_role("link").click()
        page.get_by_label("Nội dung, định hướng (tối đa 30 điểm)").fill("27")
        page.unroute("**/static/js/autosave.js")
        # ... and now it runs (another URL: the aborted one may still be remembered as failed by a loaded browser)
        page.add_script_tag(url=f"{live_server}/static/js/autosave.js?late=1")
        expect(page.locator("[data-autosave-status]")).to_contain_text("Đã tự lưu", timeout=20_000)
        page.reload()
        expect(page.get_by_label("Nội dung, định hướng (tối đa 30 điểm)")).to_have_value("27")


def test_central_judge_scores_then_votes_on_the_council(page, server_at):
    with server_at("2024-11-20T09:00:00+07:00") as live_server:  # preliminary judging
        _score_and_shortlist(page, live_server)
    with server_at("2024-12-20T09:00:00+07:00") as live_server:  # the final
        _vote(page, live_server)
    assert page.console_errors == []


def _score_and_shortlist(page, live_server):
    login(page, live_server, "giamkhao@demo.bualiemvang.vn")
    page.goto(f"{live_server}/judging")
    expect(page.get_by_role("heading", name="Sơ khảo – lần thứ IX")).to_be_visible()
    page.get_by_role("row").filter(has_text="Người giữ lửa ở chi bộ vùng biên").first.get_by_role("link").click()
    page.get_by_label("Nội dung, định hướng (tối đa 30 điểm)").fill("28")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Đã tự lưu", timeout=10_000)
    page.get_by_label("Phát hiện, vấn đề mới (tối đa 25 điểm)").fill("22")
    page.get_by_label("Hình thức, nghệ thuật thể hiện (tối đa 25 điểm)").fill("21")
    page.get_by_label("Hiệu quả xã hội (tối đa 20 điểm)").fill("18")
    page.get_by_role("button", name="Nộp phiếu (khóa)").click()
    expect(page.locator(".alert.flash")).to_contain_text("Đã nộp phiếu chấm “Loạt bài: Người giữ lửa")
    page.goto(f"{live_server}/judging")
    expect(page.get_by_role("row").filter(has_text="Người giữ lửa ở chi bộ vùng biên").first).to_contain_text("Đã nộp")
    page.get_by_role("button", name="Đăng xuất").click()

    login(page, live_server, "bithu@demo.bualiemvang.vn")
    page.get_by_role("listitem").filter(has_text="Lần thứ IX – năm 2024").get_by_role("link", name="tiểu ban sơ khảo").click()
    page.get_by_role("link", name="Báo in 2 (phóng sự, điều tra, phản ánh và thể loại khác)").click()
    shortlist = page.get_by_role("row").filter(has_text="Người giữ lửa ở chi bộ vùng biên")
    expect(shortlist).to_contain_text("89")
    expect(shortlist.get_by_role("checkbox")).to_be_checked()  # within the panel's target
    page.get_by_role("button", name="Đưa các tác phẩm đã chọn vào chung khảo").click()
    expect(page.get_by_role("heading", name="Đã vào chung khảo").locator("..")).to_contain_text("Người giữ lửa")
    page.get_by_role("button", name="Đăng xuất").click()


def _vote(page, live_server):
    login(page, live_server, "giamkhao@demo.bualiemvang.vn")
    page.get_by_role("link", name="Bỏ phiếu chung khảo lần thứ IX – năm 2024").click()
    work = page.locator("section").filter(has_text="Người giữ lửa ở chi bộ vùng biên")
    work.get_by_label("Giải B").check()
    work.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("section").filter(has_text="Người giữ lửa ở chi bộ vùng biên")).to_contain_text(
        "Phiếu của anh/chị: Giải B")

