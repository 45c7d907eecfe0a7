"""The unit's jury page and a score sheet in a real browser, on a phone (375 px) and a desktop: a plan proposed
for no works is refused in words and never offered to apply; the section the page jumps to after a plan is
proposed stops below the pinned flash; "judges per work" refused under its field, which takes the focus; the
ranking and the dashboard's rounds read without a cut-off column; a score sheet with a wrong score is not
submitted (no "lock it?" question), the wrong field takes the focus."""

import itertools
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine

from tests.support.browser import DEMO_PASSWORD, assert_no_sideways_scroll, login

VIEWPORTS = [{"width": 375, "height": 812}, {"width": 1280, "height": 900}]
_seq = itertools.count(1)


def _context(browser, viewport):
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.accept()) if d.type == "confirm" else None)
    return context, page


def _unit_with_works(env, works: int, *, assigned: bool = False) -> tuple[str, str]:
    """A unit manager of a unit of its own (the demo's units are left to the other tests), with a local judge on
    the jury of the round whose jury is open now and `works` submitted works, with `assigned` each given to that
    judge. Returns the manager's and the judge's e-mails."""
    from award import rounds, users
    from award.models import Entry, EntryAuthor, EntryPart, Role, Unit
    from award.text import fold
    from judging.models import Assignment, JudgeMembership, Stage

    n = next(_seq)
    engine = create_engine(env["AWARD_DATABASE_URL"])
    with Session(engine) as session:
        round_ = rounds.current_round(session, datetime.fromisoformat(env["AWARD_NOW"]), "local.jury")
        unit = Unit(code=f"thu-nghiem-{n}", name=f"Đơn vị thử nghiệm {n}", kind="province")
        session.add(unit)
        session.flush()
        email = f"quanly.thunghiem{n}@demo.bualiemvang.vn"
        users.create_user(session, email=email, password=DEMO_PASSWORD, full_name=f"Quản Lý Thử {n}",
                          role=Role.unit_manager, unit_id=unit.id)
        judge = users.create_user(session, email=f"giamkhao.thunghiem{n}@demo.bualiemvang.vn", password=DEMO_PASSWORD,
                                  full_name=f"Giám Khảo Thử {n}", role=Role.local_judge, unit_id=unit.id)
        owner = users.create_user(session, email=f"tacgia.thunghiem{n}@demo.bualiemvang.vn", password=DEMO_PASSWORD,
                                  full_name=f"Tác Giả Thử {n}", role=Role.journalist, unit_id=unit.id)
        session.add(JudgeMembership(round_id=round_.id, user_id=judge.id, stage=Stage.local, unit_id=unit.id))
        for i in range(works):
            title = f"Bài thử nghiệm số {i + 1} của đơn vị {n}"
            entry = Entry(round_id=round_.id, unit_id=unit.id, owner_id=owner.id, title=title, title_folded=fold(title),
                          media_type="print", genre="phóng sự", status="submitted", summary="Tóm tắt.",
                          submitted_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
            session.add(entry)
            session.flush()
            session.add(EntryAuthor(entry_id=entry.id, position=0, full_name=owner.full_name,
                                    name_key=fold(owner.full_name)))
            session.add(EntryPart(entry_id=entry.id, position=0, title=title, outlet="Báo Thử Nghiệm",
                                  published_on=datetime(2026, 3, 1).date()))
            if assigned:
                session.add(Assignment(round_id=round_.id, stage=Stage.local, entry_id=entry.id, judge_id=judge.id))
        judge_email = judge.email
        session.commit()
    engine.dispose()
    return email, judge_email


def _inside(page, selector: str) -> None:
    """Every cell of the table stays inside its panel: no column cut off at the panel's edge."""
    overflow = page.evaluate("""(sel) => {
        const table = document.querySelector(sel);
        const panel = table.closest('.panel') || document.body;
        const right = panel.getBoundingClientRect().right;
        const hidden = c => c.closest('thead') && getComputedStyle(c.closest('thead')).position === 'absolute';
        return Array.from(table.querySelectorAll('th, td')).filter(c => c.getClientRects().length && !hidden(c))
            .map(c => c.getBoundingClientRect().right - right).filter(d => d > 1);
    }""", selector)
    assert overflow == [], f"{selector}: cells past the panel's edge by {overflow} px"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_no_plan_without_works_and_the_count_refused_under_its_field(browser, demo_server, demo_env, viewport):
    context, page = _context(browser, viewport)
    try:
        login(page, demo_server, _unit_with_works(demo_env, 0)[0])
        page.goto(f"{demo_server}/unit/judging")
        page.get_by_role("button", name="Đề xuất phương án").click()
        refusal = page.locator("#phuong-an [data-form-error]")
        expect(refusal).to_have_text("Chưa có tác phẩm nào đã nộp để phân công.")
        expect(page.get_by_role("button", name="Áp dụng đúng phương án này")).to_have_count(0)
        expect(page.get_by_text("lượt chấm")).to_have_count(0)

        label = "Số giám khảo chấm mỗi tác phẩm: "
        for value, said in (("0", label + "phải lớn hơn hoặc bằng 1."), ("abc", label + "phải là một số nguyên."),
                            ("999", label + "phải nhỏ hơn hoặc bằng 20.")):
            field = page.get_by_label("Số giám khảo chấm mỗi tác phẩm")
            if not value.isdigit():  # a number field takes no letters: as a client that lies would send them
                field.evaluate("f => { f.type = 'text'; }")
            field.fill(value)  # 0 and 999 as typed: the form does not let the browser refuse them in its language
            page.get_by_role("button", name="Đề xuất phương án").click()
            expect(page.locator("#e-judges_per_entry")).to_have_text(said)
            expect(page.get_by_label("Số giám khảo chấm mỗi tác phẩm")).to_be_focused()
            expect(page.get_by_label("Số giám khảo chấm mỗi tác phẩm")).to_have_attribute("aria-invalid", "true")
            assert ".)" not in page.locator("main").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_the_proposed_plan_shows_below_the_flash_and_tables_fit(browser, demo_server, demo_env, viewport):
    context, page = _context(browser, viewport)
    try:
        login(page, demo_server, _unit_with_works(demo_env, 2)[0])
        _inside(page, ".panel table")  # the dashboard's rounds
        assert_no_sideways_scroll(page)  # its hidden caption too
        page.goto(f"{demo_server}/unit/judging")
        page.get_by_label("Số giám khảo chấm mỗi tác phẩm").fill("1")
        page.get_by_role("button", name="Đề xuất phương án").click()
        flash = page.locator(".alert.flash")
        expect(flash).to_contain_text("Đã lập phương án: 2 lượt chấm.")
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)
        heading = page.get_by_role("heading", name="Phân công chấm")
        flash_box, heading_box = flash.bounding_box(), heading.bounding_box()
        assert heading_box["y"] >= flash_box["y"] + flash_box["height"], (flash_box, heading_box)
        assert heading_box["y"] < viewport["height"]
        expect(page.get_by_role("button", name="Áp dụng đúng phương án này")).to_be_visible()
        _inside(page, "#phuong-an table")
        expect(page.locator("#xep-hang table")).to_be_visible()
        _inside(page, "#xep-hang table")
        if viewport["width"] < 600:  # rows as cards on a phone (table.cards), each value under its column's name
            assert page.locator("#xep-hang table").evaluate("t => getComputedStyle(t).display") == "block"
        assert_no_sideways_scroll(page)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_a_sheet_with_a_wrong_score_is_not_submitted_and_does_not_ask_to_lock(browser, demo_server, demo_env,
                                                                                viewport):
    context, page = _context(browser, viewport)
    try:
        login(page, demo_server, _unit_with_works(demo_env, 1, assigned=True)[1])
        page.goto(f"{demo_server}/judging")
        page.get_by_role("link", name="Bài thử nghiệm số 1").first.click()
        score = page.locator("input[data-code]").first
        score.fill("120")
        expect(page.locator("#js-e-" + score.get_attribute("name"))).to_contain_text("phải từ 0 đến")
        url = page.url
        page.get_by_role("button", name="Nộp phiếu (khóa)").click()
        refusal = page.get_by_role("alert").filter(has_text="Chưa nộp được phiếu chấm: 1 điểm chưa hợp lệ")
        expect(refusal).to_be_in_viewport(ratio=1)  # on the screen with the field, not a screen below (375 px)
        expect(score).to_be_focused()
        expect(score).to_be_in_viewport()
        assert page.dialogs == [] and page.url == url  # no "lock it?" question for a sheet the server would refuse
        for field in page.locator("input[data-code]").all():
            field.fill("1")
        expect(refusal).to_have_count(0)  # fixed: the refusal goes with the wrong score
        page.get_by_role("button", name="Nộp phiếu (khóa)").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã nộp phiếu chấm")
        assert len(page.dialogs) == 1 and "phiếu bị khóa" in page.dialogs[0]  # a valid sheet still asks first
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_the_units_rubric_reads_in_vietnamese_whole_names_and_says_it_scrolls_on_a_phone(browser, demo_server, demo_env,
                                                                                          viewport):
    """/unit/contest's rubric: no code ("content", "hardship") shown or typed, each criterion's whole name fits its
    field, the phone is told the table scrolls; a criterion added by its name alone is saved."""
    context, page = _context(browser, viewport)
    try:
        login(page, demo_server, _unit_with_works(demo_env, 0)[0])
        page.goto(f"{demo_server}/unit/contest")
        section = page.locator("#thang-diem")
        text = section.inner_text()
        for code in ("content", "discovery", "form", "effect", "hardship", "Mã"):
            assert code not in text.split(), (code, text)
        assert section.locator("input[name$='-code']:visible").count() == 0
        names = section.locator("input[name$='-label']")
        expect(names.first).to_have_value("Nội dung, định hướng")
        for i in range(names.count()):
            cut = names.nth(i).evaluate("f => f.scrollWidth > f.clientWidth")
            assert not cut, names.nth(i).input_value()
        hint = section.locator(".scroll-hint")
        if viewport["width"] < 600:
            expect(hint).to_be_visible()
            expect(hint).to_have_text("Bảng rộng: vuốt ngang trong khung để xem các cột còn lại.")
        else:
            expect(hint).to_be_hidden()
            box, table = section.bounding_box(), section.locator("table").bounding_box()
            assert table["x"] + table["width"] <= box["x"] + box["width"] + 1, (box, table)  # no column cut off
        assert_no_sideways_scroll(page)
        page.get_by_label("Tên tiêu chí mới").first.fill("Tính mới, sáng tạo")
        page.get_by_label("Điểm tối đa 6").fill("10")
        page.get_by_role("button", name="Lưu thang điểm").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã lưu thang điểm của đơn vị (6 tiêu chí).")
        expect(page.get_by_label("Tên tiêu chí 6")).to_have_value("Tính mới, sáng tạo")
    finally:
        context.close()
