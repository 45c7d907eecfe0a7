"""In a real browser, on a phone (375 px) and a desktop: a judge opens a PDF work beside its score sheet, sees
page 1 drawn in a canvas by the vendored pdf.js (and page 2 on asking), moves between the series' parts with
the keyboard, fills the scores and watches the running total, confirms the submission and lands on the next
work. The page never scrolls sideways and the console shows no error (a CSP violation would be one).
Screenshots of each viewport are kept under test-artifacts/ for a person to look at."""

import hashlib
import io
import itertools
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from tests.browser.conftest import ARTIFACTS
from tests.support.browser import DEMO_PASSWORD, assert_no_sideways_scroll, login

pytestmark = pytest.mark.browser
PRELIMINARY = "2024-11-20T09:00:00+07:00"
_seq = itertools.count(1)


def tiny_pdf(pages: list[str]) -> bytes:
    """A real PDF, written by the book: each page a red band and a line of text in Helvetica (a standard font,
    which pdf.js draws from its vendored font data)."""
    objects: list = ["<< /Type /Catalog /Pages 2 0 R >>", None,
                     "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    kids = []
    for text in pages:
        stream = f"1 0 0 rg 40 700 515 80 re f BT /F1 28 Tf 0 0 0 rg 60 600 Td ({text}) Tj ET".encode()
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {len(objects)} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + (body if isinstance(body, bytes) else body.encode()) + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _judge_with_works(live_env) -> tuple[str, str, str]:
    """A central judge of round IX's preliminary stage with two works: a two-part series made under hardship
    with a two-page PDF, then a single piece. Written straight into the live server's database and files
    (the demo's own works and judge are left to the other tests). Returns (e-mail, first title, second title)."""
    from award import users
    from award.models import Entry, EntryAuthor, EntryFile, EntryPart, Role, Round, Unit
    from award.storage import LocalFileStore
    from award.text import fold
    from judging.models import Assignment, JudgeMembership, Stage

    n = next(_seq)
    engine = create_engine(live_env["AWARD_DATABASE_URL"])
    store = LocalFileStore(Path(live_env["AWARD_DATA_DIR"]) / "files")
    email = f"giamkhao.phieu{n}@demo.bualiemvang.vn"
    titles = (f"Loạt bài dòng sông biên giới {n}", f"Bài chi bộ bản xa {n}")
    with Session(engine) as session:
        round_ = session.exec(select(Round).where(Round.number == "IX")).one()
        unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
        judge = users.create_user(session, email=email, password=DEMO_PASSWORD, full_name=f"Giám Khảo Phiếu {n}",
                                  role=Role.judge)
        owner = users.create_user(session, email=f"tacgia.phieu{n}@demo.bualiemvang.vn", password=DEMO_PASSWORD,
                                  full_name=f"Tác Giả Phiếu {n}", role=Role.journalist)
        session.add(JudgeMembership(round_id=round_.id, user_id=judge.id, stage=Stage.preliminary))
        for i, title in enumerate(titles):
            entry = Entry(round_id=round_.id, unit_id=unit_id, owner_id=owner.id, title=title, title_folded=fold(title),
                          media_type="online", genre="phóng sự", status="eligible", hardship=i == 0,
                          hardship_note="Tác nghiệp giữa mùa lũ ở vùng biên." if i == 0 else "",
                          summary="Những người giữ nếp sinh hoạt chi bộ nơi biên giới.",
                          submitted_at=datetime(2024, 9, 1, tzinfo=timezone.utc))
            session.add(entry)
            session.flush()
            session.add(EntryAuthor(entry_id=entry.id, position=0, full_name=owner.full_name, name_key=fold(owner.full_name)))
            for k in range(2 if i == 0 else 1):
                session.add(EntryPart(entry_id=entry.id, position=k, title=f"Đoạn sông thứ {k + 1}",
                                      outlet="Báo Hà Tĩnh điện tử", published_on=date(2024, 3, 1 + k)))
            if i == 0:
                content = tiny_pdf(["Trang mot", "Trang hai"])
                key = f"entries/{round_.id}/{entry.id}/{hashlib.sha256(content).hexdigest()[:16]}-loat-bai.pdf"
                store.put(key, io.BytesIO(content), "application/pdf")
                session.add(EntryFile(entry_id=entry.id, round_id=round_.id, key=key, filename="loat-bai.pdf",
                                      content_type="application/pdf", kind="document", size=len(content),
                                      sha256=hashlib.sha256(content).hexdigest(), pages=2, uploaded_by=owner.id))
            session.add(Assignment(round_id=round_.id, stage=Stage.preliminary, entry_id=entry.id, judge_id=judge.id))
        session.commit()
    engine.dispose()
    return email, *titles


def _canvas_has_ink(page) -> bool:
    """Page 1 is drawn: the canvas has the red band (not a blank white canvas)."""
    return page.evaluate("""() => {
        const c = document.querySelector('canvas[data-pdf-canvas]');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < data.length; i += 4 * 97) {
            if (data[i] > 200 && data[i + 1] < 60 && data[i + 2] < 60) return true;
        }
        return false;
    }""")


@pytest.mark.parametrize("viewport", [("phone", 375, 812), ("desktop", 1280, 900)], ids=lambda v: v[0])
def test_a_judge_reads_a_pdf_series_scores_it_and_goes_on_to_the_next_work(page, live_env, server_at, viewport):
    name, width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    email, first, second = _judge_with_works(live_env)
    with server_at(PRELIMINARY) as base:
        login(page, base, email)
        page.goto(f"{base}/judging")
        expect(page.locator(".stats").first).to_contain_text("0/2 phiếu đã nộp")
        expect(page.locator(".stats").first).to_contain_text("Hạn nộp phiếu: 05/12/2024")
        assert_no_sideways_scroll(page)
        page.get_by_role("link", name=first).click()

        # page 1 of the PDF, drawn in the page; then page 2
        viewer = page.locator("[data-pdf]")
        expect(viewer).to_have_attribute("data-state", "ready", timeout=20_000)
        expect(page.locator("[data-pdf-status]")).to_have_text("Trang 1 / 2")
        assert _canvas_has_ink(page)
        # the page's text lies over the drawing, where it is drawn: selectable and found by the browser's search
        words = page.locator("[data-pdf-text] span", has_text="Trang mot")
        expect(words).to_have_count(1)
        inside = page.evaluate("""() => {
            const s = document.querySelector('[data-pdf-text] span').getBoundingClientRect();
            const c = document.querySelector('canvas[data-pdf-canvas]').getBoundingClientRect();
            return s.width > 0 && s.left >= c.left && s.right <= c.right && s.top >= c.top && s.bottom <= c.bottom;
        }""")
        assert inside
        page.get_by_role("button", name="Trang sau ›").focus()
        page.keyboard.press("Enter")
        expect(page.locator("[data-pdf-status]")).to_have_text("Trang 2 / 2")
        expect(viewer).to_have_attribute("data-page", "2")
        expect(page.locator("[data-pdf-text] span", has_text="Trang hai")).to_have_count(1)
        expect(page.locator("[data-pdf-text] span", has_text="Trang mot")).to_have_count(0)
        # the last page's button is now disabled: the keyboard's focus moved to the other one, not lost
        expect(page.get_by_role("button", name="‹ Trang trước")).to_be_focused()
        narrow = page.evaluate("document.querySelector('canvas[data-pdf-canvas]').clientWidth")
        page.get_by_role("button", name="Phóng to trang").click()
        expect(page.locator("[data-pdf-zoom-level]")).to_have_text("150 %")
        page.wait_for_function(f"document.querySelector('canvas[data-pdf-canvas]').clientWidth > {narrow * 1.3}")
        assert_no_sideways_scroll(page)  # the zoomed page scrolls inside its own box

        # the parts of the series as tabs, moved through with the keyboard
        tabs = page.get_by_role("tablist", name="Các kỳ của loạt bài")
        part1, part2 = tabs.get_by_role("tab", name="Kỳ 1"), tabs.get_by_role("tab", name="Kỳ 2")
        expect(part1).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("tabpanel", name="Kỳ 1")).to_contain_text("Đoạn sông thứ 1")
        part1.focus()
        page.keyboard.press("ArrowRight")
        expect(part2).to_be_focused()
        expect(part2).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("tabpanel", name="Kỳ 2")).to_contain_text("Đoạn sông thứ 2")
        expect(page.locator("#ky-1")).to_be_hidden()
        page.keyboard.press("End")
        page.keyboard.press("Home")
        expect(part1).to_have_attribute("aria-selected", "true")

        # the work beside the sheet on a desktop, above it on a phone
        work, sheet = page.locator(".work-col").bounding_box(), page.locator(".sheet-col").bounding_box()
        if name == "desktop":
            assert sheet["x"] >= work["x"] + work["width"] - 1
        else:
            assert sheet["y"] >= work["y"] + work["height"] - 1

        # scores and the running total, with each maximum; the hardship bonus (this work declared hardship)
        total = page.locator("output[data-total]")
        expect(total).to_have_text("0")
        # a score past its maximum is flagged under its field at once, in the server's words, and not counted
        content = page.get_by_label("Nội dung, định hướng (tối đa 30 điểm)")
        content.fill("120")
        expect(page.locator("#js-e-score-content")).to_have_text("Điểm “Nội dung, định hướng” phải từ 0 đến 30.")
        expect(content).to_have_attribute("aria-invalid", "true")
        expect(content).to_have_attribute("aria-describedby", "js-e-score-content")
        expect(total).to_have_text("0")
        expect(page.locator(".sheet-total + .error-text")).to_contain_text("1 điểm chưa hợp lệ")
        page.get_by_label("Nội dung, định hướng (tối đa 30 điểm)").fill("28")
        expect(page.locator("#js-e-score-content")).to_have_count(0)
        expect(content).not_to_have_attribute("aria-invalid", "true")
        page.get_by_label("Phát hiện, vấn đề mới (tối đa 25 điểm)").fill("22,5")
        expect(total).to_have_text("50,5")
        page.get_by_label("Hình thức, nghệ thuật thể hiện (tối đa 25 điểm)").fill("21")
        page.get_by_label("Hiệu quả xã hội (tối đa 20 điểm)").fill("18")
        page.get_by_label("Điểm thưởng tác nghiệp khó khăn (tối đa 5 điểm, điểm thưởng)").fill("4")
        expect(total).to_have_text("93,5")
        expect(page.locator(".sheet-total")).to_contain_text("/ 100")
        assert_no_sideways_scroll(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"workspace-sheet-{name}.png"), full_page=True)

        # a draft saved: the page comes back at the sheet and stays there while the PDF above it draws (on a
        # phone the drawing grows the page above the sheet by a screen)
        page.get_by_role("button", name="Lưu nháp").click()
        expect(page.locator(".alert.flash")).to_contain_text("Đã lưu nháp phiếu chấm.")
        assert page.url.endswith("#cham-diem")
        expect(viewer).to_have_attribute("data-state", "ready", timeout=20_000)
        page.wait_for_function("() => document.querySelector('[data-pdf-status]').textContent.startsWith('Trang')")
        top = page.evaluate("document.getElementById('cham-diem').getBoundingClientRect().top")
        assert 0 <= top <= 200, top
        expect(page.get_by_label("Phát hiện, vấn đề mới (tối đa 25 điểm)")).to_have_value("22,5")

        # submitting asks first, then locks the sheet and opens the next work
        page.get_by_role("button", name="Nộp phiếu (khóa)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(second)
        assert page.dialogs and page.dialogs[-1].startswith(f"Nộp phiếu chấm “{first}”? Sau khi nộp, phiếu bị khóa")
        expect(page.locator(".alert.flash")).to_contain_text(f"Đã nộp phiếu chấm “{first}” (93,5 điểm); phiếu đã khóa.")
        expect(page.get_by_label("Điểm thưởng tác nghiệp khó khăn (tối đa 5 điểm, điểm thưởng)")).to_have_count(0)
        assert_no_sideways_scroll(page)
        page.goto(f"{base}/judging")
        expect(page.locator(".stats").first).to_contain_text("1/2 phiếu đã nộp")
    assert page.console_errors == []


@pytest.fixture(scope="module")
def council_server(tmp_root):
    """A demo of its own (the council's list is shared by the other browser tests, which propose it): one more
    finalist with a PDF and two preliminary sheets, and a council member; served in the final."""
    from award import users
    from award.models import Entry, EntryAuthor, EntryFile, EntryPart, Role, Round, Unit
    from award.storage import LocalFileStore
    from award.text import fold
    from judging.models import Assignment, JudgeMembership, PanelPlacement, Stage
    from tests.support.databases import fresh_database_url
    from tests.support.liveserver import run_cli, start_server, stop_server

    env = {**live_env_base(tmp_root), "AWARD_DATA_DIR": str(tmp_root / "dossier-data"),
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "dossier")}
    run_cli(env, "demo")
    engine = create_engine(env["AWARD_DATABASE_URL"])
    store = LocalFileStore(Path(env["AWARD_DATA_DIR"]) / "files")
    with Session(engine) as session:
        round_ = session.exec(select(Round).where(Round.number == "IX")).one()
        unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
        member = users.create_user(session, email="uyvien.hoidong@demo.bualiemvang.vn", password=DEMO_PASSWORD,
                                   full_name="Ủy Viên Hội Đồng", role=Role.judge)
        owner = users.create_user(session, email="tacgia.hoidong@demo.bualiemvang.vn", password=DEMO_PASSWORD,
                                  full_name="Tác Giả Hội Đồng", role=Role.journalist)
        prelim = [users.create_user(session, email=f"sokhao.hoidong{i}@demo.bualiemvang.vn", password=DEMO_PASSWORD,
                                    full_name=f"Sơ Khảo {i}", role=Role.judge) for i in range(2)]
        session.add(JudgeMembership(round_id=round_.id, user_id=member.id, stage=Stage.final))
        title = "Mạch nguồn chi bộ nơi cửa khẩu"
        entry = Entry(round_id=round_.id, unit_id=unit_id, owner_id=owner.id, title=title, title_folded=fold(title),
                      media_type="online", genre="phóng sự", status="finalist",
                      summary="Ba kỳ phóng sự về chi bộ biên phòng giữ nếp sinh hoạt giữa mùa dịch.",
                      submitted_at=datetime(2024, 9, 1, tzinfo=timezone.utc))
        session.add(entry)
        session.flush()
        session.add(EntryAuthor(entry_id=entry.id, position=0, full_name=owner.full_name, name_key=fold(owner.full_name)))
        session.add(EntryPart(entry_id=entry.id, position=0, outlet="Báo Hà Tĩnh điện tử", published_on=date(2024, 3, 1)))
        session.add(PanelPlacement(entry_id=entry.id, round_id=round_.id, panel_code="online"))
        for judge, scores, comment in ((prelim[0], ("28", "22", "21", "18"), "Đề tài mới, tư liệu phong phú."),
                                       (prelim[1], ("26", "20", "20", "17"), "")):
            session.add(Assignment(round_id=round_.id, stage=Stage.preliminary, entry_id=entry.id, judge_id=judge.id,
                                   submitted_at=datetime(2024, 11, 25, tzinfo=timezone.utc), comment=comment,
                                   scores=dict(zip(("content", "discovery", "form", "effect"), scores, strict=True))))
        content = tiny_pdf(["Mach nguon"])
        key = f"entries/{round_.id}/{entry.id}/{hashlib.sha256(content).hexdigest()[:16]}-mach-nguon.pdf"
        store.put(key, io.BytesIO(content), "application/pdf")
        session.add(EntryFile(entry_id=entry.id, round_id=round_.id, key=key, filename="mach-nguon.pdf",
                              content_type="application/pdf", kind="document", size=len(content),
                              sha256=hashlib.sha256(content).hexdigest(), pages=1, uploaded_by=owner.id))
        session.commit()
        round_id = round_.id
    engine.dispose()
    proc, base = start_server({**env, "AWARD_NOW": "2024-12-20T09:00:00+07:00"}, tmp_root / "dossier-server.log")
    yield base, round_id, title
    stop_server(proc)


def live_env_base(tmp_root) -> dict:
    import os

    return {**os.environ, "AWARD_ENV": "test", "AWARD_NOW": "2024-09-20T09:00:00+07:00"}


@pytest.mark.parametrize("viewport", [("phone", 375, 812), ("desktop", 1280, 900)], ids=lambda v: v[0])
def test_a_council_member_reads_the_dossier_and_opens_the_work(page, council_server, viewport):
    name, width, height = viewport
    base, round_id, title = council_server
    page.set_viewport_size({"width": width, "height": height})
    login(page, base, "uyvien.hoidong@demo.bualiemvang.vn")
    page.goto(f"{base}/ballots/{round_id}")
    work = page.locator("section.panel").filter(has=page.get_by_role("heading", name=title))
    expect(work).to_contain_text("Ba kỳ phóng sự về chi bộ biên phòng")
    expect(work).to_contain_text("Tiểu ban: Báo điện tử")
    expect(work).to_contain_text("Điểm trung bình sơ khảo: 86 (2 phiếu)")  # (89 + 83) / 2
    expect(work).to_contain_text("Đề tài mới, tư liệu phong phú.")
    work.get_by_text("Xem tệp tác phẩm (1)").click()
    expect(work.locator("[data-pdf]")).to_have_attribute("data-state", "ready", timeout=20_000)
    assert_no_sideways_scroll(page)
    work.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"council-dossier-{name}.png"), full_page=True)
    assert page.console_errors == []
