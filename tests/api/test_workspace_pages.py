"""The judge's workspace (score sheet beside the work, queue with progress and deadline) and the council's
dossier (ballots page: summary, files, subpanel, preliminary rank and average, comments, thematic prizes; the
tally's members who have not voted), issue 17 items 1 and 2. Files are read with Range requests."""

import hashlib
import io
import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from award.errors import Invalid
from award.models import EntryFile, EntryTheme, OutlineNode, Role, TagSource
from award.storage import LocalFileStore
from judging import sheets as sheet_rules
from judging.models import Assignment, Ballot, JudgeMembership, PanelPlacement
from api.deps import get_file_store, local_part_url
from api.main import app
from tests.factories import IX_PHASE_AT, csrf_from, make_entry, make_user, round_by_number, web_login

AUTHOR, PEN = "Lê Thị Tác Giả Kín", "Bút Danh Kín"


@pytest.fixture
def local_store(client, tmp_path):
    store = LocalFileStore(tmp_path / "files", part_url=local_part_url)
    app.dependency_overrides[get_file_store] = lambda: store
    return store


def attach(session, store, entry, filename: str, content: bytes, content_type: str, kind: str) -> EntryFile:
    """A file already stored with the work (as if uploaded before it was submitted)."""
    key = f"entries/{entry.round_id}/{entry.id}/{len(content)}-{hashlib.sha256(content).hexdigest()[:8]}"
    store.put(key, io.BytesIO(content), content_type)
    row = EntryFile(entry_id=entry.id, round_id=entry.round_id, key=key, filename=filename, content_type=content_type,
                    kind=kind, size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=entry.owner_id)
    session.add(row)
    session.flush()
    return row


def login(client, user) -> str:
    client.cookies.clear()
    web_login(client, user)
    return csrf_from(client.get("/dashboard").text)


def set_stage(session, round_, stage: str, **settings):
    rules = dict(round_.rules)
    rules["stages"] = {**rules["stages"], stage: {**rules["stages"].get(stage, {}), **settings}}
    round_.rules = rules
    session.add(round_)
    session.flush()


def test_the_sheet_shows_maxima_total_next_work_and_the_hardship_bonus_only_for_hardship_works(
        client, session, clock, local_store, samples):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    plain, hard, third = (make_entry(session, status="eligible", title=t) for t in ("Bài thường", "Bài vùng lũ", "Bài ba"))
    hard.hardship, hard.hardship_note = True, "Tác nghiệp giữa lũ dữ ở miền núi."
    session.add(hard)
    judge = make_user(session, role=Role.judge, full_name="Giám Khảo Sơ Khảo")
    sheets = [Assignment(round_id=round_.id, stage="preliminary", entry_id=e.id, judge_id=judge.id) for e in (plain, hard, third)]
    session.add_all(sheets)
    session.flush()
    attach(session, local_store, plain, "bai-thuong.pdf", samples.pdf(), "application/pdf", "document")

    token = login(client, judge)
    page = client.get(f"/judging/{sheets[0].id}").text
    for label, high in (("Nội dung, định hướng", 30), ("Phát hiện, vấn đề mới", 25), ("Hình thức, nghệ thuật thể hiện", 25),
                        ("Hiệu quả xã hội", 20)):
        assert f"{label} (tối đa {high} điểm)" in page
    assert 'name="score-hardship"' not in page and "Điểm thưởng" not in page  # no hardship declared
    assert re.search(r"Tổng điểm: <output data-total[^>]*>0</output> / 100", page)
    assert f'/judging/{sheets[1].id}" rel="next"' in page  # the next unsubmitted work
    assert 'data-confirm="Nộp phiếu chấm “Bài thường”? Sau khi nộp, phiếu bị khóa' in page
    assert 'class="pdf-view" data-pdf="/api/v1/entries/' in page and "bai-thuong.pdf" in page  # not blind
    assert 'src="/static/vendor/pdfjs-dist' not in page and '/static/js/viewer.js"></script>' in page

    hard_page = client.get(f"/judging/{sheets[1].id}").text
    assert "Điểm thưởng tác nghiệp khó khăn (tối đa 5 điểm, điểm thưởng)" in hard_page
    assert "cộng tối đa 5 điểm thưởng" in hard_page and "Tác nghiệp giữa lũ dữ ở miền núi." in hard_page

    ignored = client.post(f"/judging/{sheets[0].id}", data={
        "csrf_token": token, "score-content": "25", "score-hardship": "3", "action": "save"}, follow_redirects=False)
    assert ignored.status_code == 303
    assert "Đã lưu nháp phiếu chấm." in client.get(ignored.headers["location"]).text
    session.refresh(sheets[0])
    assert "hardship" not in (sheets[0].scores or {})  # the form has no such field: nothing typed, nothing kept

    with pytest.raises(Invalid, match="không khai báo tác nghiệp khó khăn"):
        sheet_rules.save_score(session, assignment=sheets[0], judge=judge, scores={"hardship": "3"}, comment="",
                               submit=False, now=clock.now)

    done = client.post(f"/judging/{sheets[1].id}", data={
        "csrf_token": token, "score-content": "28", "score-discovery": "20", "score-form": "21,5", "score-effect": "17",
        "score-hardship": "4", "comment": "Rất tốt", "action": "submit"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith(f"/judging/{sheets[2].id}")
    session.refresh(sheets[1])
    assert sheets[1].submitted_at is not None and sheets[1].scores["hardship"] == "4.00"
    following = client.get(done.headers["location"]).text
    assert "Đã nộp phiếu chấm “Bài vùng lũ” (90,5 điểm); phiếu đã khóa. Đây là tác phẩm tiếp theo." in following
    assert f'/judging/{sheets[0].id}" rel="next"' in following  # wraps round to the first unsubmitted
    locked = client.get(f"/judging/{sheets[1].id}").text
    assert re.search(r"<output data-total[^>]*>90,5</output> / 100", locked)

    queue = client.get("/judging").text
    assert "<strong>1/3</strong> phiếu đã nộp" in queue and "Hạn nộp phiếu: <strong>05/12/2024</strong>" in queue
    assert "Sơ khảo – lần thứ IX" in queue


def test_a_blind_sheet_shows_no_author_and_neutral_file_names(client, session, clock, local_store, samples):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    set_stage(session, round_, "preliminary", blind=True)
    entry = make_entry(session, status="eligible", title="Bài chấm kín", authors=[(AUTHOR, PEN), ("Đồng Tác Giả Kín", None)],
                       outlet="Báo Tên Cơ Quan Kín")
    first = attach(session, local_store, entry, f"{AUTHOR}-ky-1.pdf", samples.pdf(), "application/pdf", "document")
    attach(session, local_store, entry, f"{AUTHOR}-anh.png", samples.png(), "image/png", "image")
    judge = make_user(session, role=Role.judge)
    sheet = Assignment(round_id=round_.id, stage="preliminary", entry_id=entry.id, judge_id=judge.id)
    session.add(sheet)
    session.flush()
    login(client, judge)
    page = client.get(f"/judging/{sheet.id}").text
    owner_email = session.get(type(judge), entry.owner_id).email
    for secret in (AUTHOR, PEN, "Đồng Tác Giả Kín", "Báo Tên Cơ Quan Kín", owner_email, "Tác Giả", "bao.vn"):
        assert secret not in page, secret
    assert "Tệp 1.pdf" in page and "Tệp 2.png" in page and "Chấm kín" in page
    assert 'data-zoom-range' in page  # the image zooms
    download = client.get(f"/api/v1/entries/{entry.id}/files/{first.id}?inline=true")
    assert "T%E1%BB%87p%201.pdf" in download.headers["content-disposition"]


def test_a_range_request_on_local_storage_gets_206_with_those_bytes(client, session, clock, local_store):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    entry = make_entry(session, status="eligible")
    content = bytes(range(256)) * 40  # 10 240 bytes
    row = attach(session, local_store, entry, "phong-su.mp3", content, "audio/mpeg", "audio")
    judge = make_user(session, role=Role.judge)
    session.add(Assignment(round_id=round_.id, stage="preliminary", entry_id=entry.id, judge_id=judge.id))
    session.flush()
    login(client, judge)
    url = f"/api/v1/entries/{entry.id}/files/{row.id}?inline=true"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.content == content and whole.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == content[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(content)}"
    tail = client.get(url, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == content[-100:]
    outside = client.get(url, headers={"Range": f"bytes={len(content) + 5}-"})
    assert outside.status_code == 416


def _council(session, round_, entries, names):
    members = [make_user(session, role=Role.judge, full_name=n, outlet=f"Tạp chí {n}") for n in names]
    for m in members:
        session.add(JudgeMembership(round_id=round_.id, user_id=m.id, stage="final"))
    session.flush()
    return members


def test_the_ballots_page_is_a_dossier_and_the_tally_shows_who_has_not_voted(client, session, clock, local_store, samples):
    round_ = round_by_number(session, "IX")
    a, b = (make_entry(session, status="finalist", title=t) for t in ("Giữ lửa chi bộ", "Đảng viên trẻ"))
    a.summary = "Loạt bài về những chi bộ vùng cao giữ nếp sinh hoạt."
    session.add(a)
    for e in (a, b):
        session.add(PanelPlacement(entry_id=e.id, round_id=round_.id, panel_code="print2"))
    prelim = [make_user(session, role=Role.judge, full_name=f"Sơ Khảo {i}") for i in range(2)]
    when = datetime(2024, 11, 25, tzinfo=UTC)
    session.add_all([
        Assignment(round_id=round_.id, stage="preliminary", entry_id=a.id, judge_id=prelim[0].id, submitted_at=when,
                   scores={"content": "28", "discovery": "22", "form": "20", "effect": "18"},
                   comment="Phát hiện mới, có sức thuyết phục."),
        Assignment(round_id=round_.id, stage="preliminary", entry_id=a.id, judge_id=prelim[1].id, submitted_at=when,
                   scores={"content": "26", "discovery": "20", "form": "20", "effect": "17"}, comment=""),
        Assignment(round_id=round_.id, stage="preliminary", entry_id=b.id, judge_id=prelim[0].id, submitted_at=when,
                   scores={"content": "20", "discovery": "15", "form": "15", "effect": "10"}, comment="Còn dàn trải."),
    ])
    # a thematic prize tied to an outline theme the first work is tagged with (a point under it)
    node = session.exec(select(OutlineNode).where(OutlineNode.round_id == round_.id, OutlineNode.kind == "point")).first()
    theme = session.get(OutlineNode, node.parent_id)
    rules = dict(round_.rules)
    rules["thematic_prizes"] = [{"name": "Giải chuyên đề đổi mới phương thức lãnh đạo", "themes": [theme.code]},
                                {"name": "Giải chuyên đề khác", "themes": ["99.99"]}]
    round_.rules = rules
    session.add(round_)
    session.add(EntryTheme(entry_id=a.id, outline_node_id=node.id, source=TagSource.secretariat, confirmed_by=prelim[0].id))
    pdf = attach(session, local_store, a, "giu-lua.pdf", samples.pdf(), "application/pdf", "document")
    members = _council(session, round_, [a, b], ["Ủy Viên An", "Ủy Viên Bình", "Ủy Viên Chi"])
    clock.set(IX_PHASE_AT["final"])

    token = login(client, members[0])
    page = client.get(f"/ballots/{round_.id}").text
    assert "Loạt bài về những chi bộ vùng cao giữ nếp sinh hoạt." in page
    assert "Tiểu ban: <strong>Báo in 2 (phóng sự, điều tra, phản ánh và thể loại khác)</strong>" in page
    assert "Xếp hạng sơ khảo: <strong>1/2</strong>" in page and "Xếp hạng sơ khảo: <strong>2/2</strong>" in page
    assert "Điểm trung bình sơ khảo: <strong>85,5</strong> (2 phiếu)" in page  # (88 + 83) / 2
    assert "Giám khảo 1</strong> · 88 điểm<br><span class=\"prewrap\">Phát hiện mới, có sức thuyết phục.</span>" in page
    assert "Còn dàn trải." in page and "Sơ Khảo 0" not in page  # comments without the judges' names
    assert "Có thể xét giải chuyên đề:</strong> Giải chuyên đề đổi mới phương thức lãnh đạo</p>" in page
    assert "Giải chuyên đề khác</p>" not in page
    file_url = f"/ballots/{round_.id}/{a.id}/files/{pdf.id}"
    assert f'data-pdf="http://testserver{file_url}"' in page and "Xem tệp tác phẩm (1)" in page
    got = client.get(file_url, headers={"Range": "bytes=0-7"})
    assert got.status_code == 206 and got.content == samples.pdf()[:8]

    cast = client.post(f"/ballots/{round_.id}/{a.id}", data={"csrf_token": token, "level": "A"}, follow_redirects=False)
    assert cast.status_code == 303
    assert "Đã lưu phiếu bầu cho “Giữ lửa chi bộ”: Giải A." in client.get(cast.headers["location"]).text

    set_stage(session, round_, "preliminary", comments_to_council=False)
    hidden = client.get(f"/ballots/{round_.id}").text
    assert "Phát hiện mới, có sức thuyết phục." not in hidden
    assert "Thể lệ vòng sơ khảo không chuyển nhận xét của giám khảo cho Hội đồng chung khảo." in hidden

    outsider = make_user(session, role=Role.judge)
    login(client, outsider)
    assert client.get(file_url).status_code == 404

    session.add(Ballot(round_id=round_.id, entry_id=b.id, judge_id=members[0].id, level="B"))
    session.add(Ballot(round_id=round_.id, entry_id=a.id, judge_id=members[1].id, level="A"))
    session.flush()
    login(client, make_user(session, role=Role.secretariat))
    tally = client.get(f"/central/{round_.id}/council").text
    section = tally[tally.index('id="chua-bo-phieu"'):tally.index("Kết quả bỏ phiếu")]
    assert "Ủy Viên An" not in section  # voted on both
    assert "<td>Ủy Viên Bình</td><td>1/2</td><td>1</td>" in section
    assert "<td>Ủy Viên Chi <span class=\"badge\">chưa bỏ phiếu nào</span></td><td>0/2</td><td>2</td>" in section
    assert section.index("Ủy Viên Chi") < section.index("Ủy Viên Bình")  # no ballot at all first


def test_a_blind_final_shows_the_council_no_author_and_neutral_file_names(client, session, clock, local_store, samples):
    round_ = round_by_number(session, "IX")
    set_stage(session, round_, "final", blind=True)
    entry = make_entry(session, status="finalist", title="Chung khảo kín", authors=[(AUTHOR, PEN)], outlet="Báo Kín")
    attach(session, local_store, entry, f"{AUTHOR}.pdf", samples.pdf(), "application/pdf", "document")
    member, = _council(session, round_, [entry], ["Ủy Viên Kín"])
    clock.set(IX_PHASE_AT["final"])
    login(client, member)
    page = client.get(f"/ballots/{round_.id}").text
    for secret in (AUTHOR, PEN, "Báo Kín", session.get(type(member), entry.owner_id).email):
        assert secret not in page, secret
    assert "Tệp 1.pdf" in page
