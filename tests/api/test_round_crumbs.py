"""Every page that belongs to a round names it in its breadcrumbs, as the round's own pages do: “Trang làm việc ›
Đợt giải › Lần thứ IX – năm 2024 › …” linking to the round's console for the secretariat, “Trang làm việc › Lần thứ
IX – năm 2024 › …” linking to the round's public page for the other roles (templates/_macros/crumbs.html)."""

import re
from pathlib import Path

from sqlmodel import select

from award import themes
from award.models import RetagJob, Role, Unit, User
from judging.models import Assignment, ForwardingBatch, JudgeMembership, PanelPlacement
from tests.factories import IX_PHASE_AT, make_entry, make_user, round_by_number, web_login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CRUMBS = re.compile(r'<nav class="crumbs".*?</nav>', re.S)
LABEL = "Lần thứ IX – năm 2024"


def crumbs_of(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    found = CRUMBS.findall(page.text)
    assert len(found) == 1, (url, found)
    return found[0]


def test_every_page_of_a_round_names_it_in_its_crumbs_with_a_link_the_role_may_open(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])
    ix = round_by_number(session, "IX")
    ha_tinh = session.exec(select(Unit).where(Unit.code == "ha-tinh")).one()
    secretariat = make_user(session, role=Role.secretariat)
    approver = make_user(session, role=Role.approver)
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    local_judge = make_user(session, role=Role.local_judge, unit_code="ha-tinh")
    judge = make_user(session, role=Role.judge)
    work = make_entry(session, status="eligible")
    draft = make_entry(session, status="draft")
    session.add(PanelPlacement(entry_id=work.id, round_id=ix.id, panel_code="print1"))
    batch = ForwardingBatch(round_id=ix.id, unit_id=ha_tinh.id, forwarded_by=manager.id, entry_ids=[work.id],
                            digest="0" * 64)
    job = RetagJob(round_id=ix.id, started_by=secretariat.id)
    local_sheet = Assignment(round_id=ix.id, stage="local", entry_id=work.id, judge_id=local_judge.id)
    central_sheet = Assignment(round_id=ix.id, stage="preliminary", entry_id=work.id, judge_id=judge.id)
    session.add_all([batch, job, local_sheet, central_sheet,
                     JudgeMembership(round_id=ix.id, user_id=judge.id, stage="final")])
    session.flush()
    theme = themes.round_units(session, ix.id)[0].code
    r = ix.id
    pages = [
        (secretariat, [f"/admin/rounds/{r}/entries", f"/admin/rounds/{r}/outline", f"/admin/rounds/{r}/quotas",
                       f"/central/{r}", f"/central/{r}/panels/print1", f"/central/{r}/council",
                       f"/rounds/{r}/coverage", f"/rounds/{r}/themes/{theme}", f"/retag-jobs/{job.id}",
                       f"/secretariat/batches?round_id={r}", f"/batches/{batch.id}", f"/entries/{work.id}"]),
        (approver, [f"/central/{r}/council", f"/rounds/{r}/coverage", f"/rounds/{r}/themes/{theme}"]),
        (manager, [f"/unit/contest?round_id={r}", f"/unit/judging?round_id={r}", f"/batches/{batch.id}",
                   f"/entries/{work.id}"]),
        (session.get(User, draft.owner_id), [f"/entries/new?round_id={r}", f"/entries/{draft.id}",
                                             f"/entries/{draft.id}/edit"]),
        (local_judge, [f"/judging/{local_sheet.id}", f"/entries/{work.id}"]),
        (judge, [f"/judging/{central_sheet.id}", f"/ballots/{r}"]),
    ]
    console, public = f'href="http://testserver/admin/rounds/{r}"', f'href="http://testserver/rounds/{r}"'
    for user, urls in pages:
        client.cookies.clear()
        web_login(client, user)
        for url in urls:
            nav = crumbs_of(client, url)
            assert f">{LABEL}</a>" in nav, (user.role, url, nav)
            assert nav.startswith('<nav class="crumbs" aria-label="Đường dẫn"><a href="http://testserver/dashboard">'
                                  "Trang làm việc</a> › "), (url, nav)
            if user.role == Role.secretariat:
                assert console in nav and 'href="http://testserver/admin/rounds">Đợt giải</a>' in nav, (url, nav)
            else:
                assert public in nav and "/admin/" not in nav, (user.role, url, nav)
                assert client.get(f"/rounds/{r}").status_code == 200  # the link opens for this role


def test_every_template_rendered_for_a_round_puts_the_round_in_its_crumbs():
    """A new page for a round cannot forget it: a template that shows `round` and has crumbs names the round
    there, through the shared step (or, on the round's own and public pages, its label)."""
    not_of_a_round = {"admin/units.html"}  # the units, narrowed to a round's only when a filter asks
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text, name = path.read_text(), str(path.relative_to(TEMPLATES))
        nav = CRUMBS.search(text)
        if nav is None or name in not_of_a_round or not re.search(r"(?<![\w.])round\.", text):
            continue
        if "round_crumb(round)" not in nav.group(0) and "round.label" not in nav.group(0):
            missing.append(name)
    assert missing == []


def test_a_works_crumbs_lead_back_to_the_works_list_the_role_may_open_and_end_with_its_title(client, session, clock):
    """/entries/{id}: “… › Lần thứ IX – năm 2024 › Tác phẩm › <title>” with the round's works list linked for the
    secretariat, the unit's list for its manager and local judge, no list for the author (the dashboard lists
    their works); the edit form's crumbs name the work too."""
    clock.set(IX_PHASE_AT["preliminary"])
    ix = round_by_number(session, "IX")
    work = make_entry(session, status="eligible", title="Loạt bài: Giữ vững kỷ cương")
    draft = make_entry(session, status="draft", title="Bản nháp về chi bộ")
    local_judge = make_user(session, role=Role.local_judge, unit_code="ha-tinh")
    session.add(Assignment(round_id=ix.id, stage="local", entry_id=work.id, judge_id=local_judge.id))
    session.flush()
    r = ix.id
    cases = [
        (make_user(session, role=Role.secretariat), work,
         f'› <a href="http://testserver/admin/rounds/{r}/entries">Tác phẩm</a> › Loạt bài: Giữ vững kỷ cương</nav>'),
        (make_user(session, role=Role.unit_manager, unit_code="ha-tinh"), work,
         f'› <a href="http://testserver/unit/entries?round_id={r}">Tác phẩm của đơn vị</a> › '
         "Loạt bài: Giữ vững kỷ cương</nav>"),
        (local_judge, work,
         f'› <a href="http://testserver/unit/entries?round_id={r}">Tác phẩm của đơn vị</a> › '
         "Loạt bài: Giữ vững kỷ cương</nav>"),
        (session.get(User, draft.owner_id), draft, f">{LABEL}</a> › Bản nháp về chi bộ</nav>"),
    ]
    for user, entry, ending in cases:
        client.cookies.clear()
        web_login(client, user)
        nav = crumbs_of(client, f"/entries/{entry.id}")
        assert nav.endswith(ending), (user.role, nav)
        for href in re.findall(r'href="http://testserver([^"]+)"', nav):
            assert client.get(href).status_code == 200, (user.role, href)
    clock.set(IX_PHASE_AT["submission"])
    nav = crumbs_of(client, f"/entries/{draft.id}/edit")
    assert nav.endswith(f'› <a href="http://testserver/entries/{draft.id}">Bản nháp về chi bộ</a> › Sửa</nav>'), nav


def test_the_crumbs_come_before_the_phase_notes_on_every_page(client, session, clock):
    """base.html shows the crumbs (block `crumbs`), then the flash and the phase's notes, then the page: a subpanel
    page out of its phase no longer shows the notice above the crumbs; no template puts its crumbs in `content`."""
    clock.set(IX_PHASE_AT["approval"])
    ix = round_by_number(session, "IX")
    web_login(client, make_user(session, role=Role.secretariat))
    for url in (f"/central/{ix.id}/panels/print1", f"/central/{ix.id}", f"/admin/rounds/{ix.id}/entries"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert 'class="alert phase-note"' in page.text, url
        assert page.text.index('<nav class="crumbs"') < page.text.index('class="alert phase-note"'), url
        assert page.text.index('<nav class="crumbs"') < page.text.index("<h1"), url
    outside = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        if path.name != "base.html" and 'class="crumbs"' in text and (
                "{% block crumbs %}<nav" not in text or re.search(r'^<nav class="crumbs"', text, re.M)):
            outside.append(str(path.relative_to(TEMPLATES)))
    assert outside == []
