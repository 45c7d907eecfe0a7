"""The records in the browser: the audit log's filters and its chain check, the outbox's retry, the dashboard's
warning about stuck mail, the round's works (search ignoring diacritics, bulk actions all or nothing within their
phase), the receipt desk by page and unit, and the unit's own list."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import func, select

from award import audit
from award.models import AuditEvent, Entry, EntryStatus, Role, Unit
from award.outbox import OutboxMessage, OutboxStatus
from judging.models import ForwardedEntry, ForwardingBatch, PanelPlacement
from tests.factories import IX_PHASE_AT, csrf_from, make_entry, make_user, round_by_number, web_login

T0 = datetime(2024, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam, in round IX's preliminary phase


def login(client, user) -> str:
    client.cookies.clear()
    web_login(client, user)
    return csrf_from(client.get("/dashboard").text)


def _disable_guard(session):
    if session.get_bind().dialect.name == "postgresql":
        session.exec(sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
    else:
        session.exec(sa.text("DROP TRIGGER audit_event_no_update"))
        session.exec(sa.text("DROP TRIGGER audit_event_no_delete"))


def test_audit_page_filters_by_person_object_action_and_dates_and_reads_in_vietnamese(client, session, clock):
    sec = make_user(session, role=Role.secretariat, full_name="Đỗ Thị Thư Ký", email="thuky@example.vn")
    other = make_user(session, role=Role.secretariat, full_name="Lê Văn Khác")
    entry = make_entry(session, title="Người giữ lửa <b>bản</b>")
    audit.record(session, actor_id=sec.id, action="entry.status", object_type="entry", object_id=entry.id, now=T0,
                 data={"from": "forwarded", "to": "received", "batch_id": 7})
    audit.record(session, actor_id=other.id, action="contest.received", object_type="batch", object_id=7,
                 now=T0 + timedelta(days=2), data={"postmark_date": None})
    session.commit()
    login(client, sec)

    page = client.get("/admin/audit", params={"person": "do thi thu"})
    assert page.status_code == 200
    row = page.text.split('id="su-kien-')[1]
    assert "Đỗ Thị Thư Ký" in row and "chuyển trạng thái tác phẩm" in row and "20/11/2024 09:00" in row
    assert f'href="http://testserver/entries/{entry.id}"' in row
    assert "Người giữ lửa &lt;b&gt;bản&lt;/b&gt;" in row  # escaped, never markup
    assert "từ: Đã gửi về Trung ương · sang: Trung ương đã nhận · danh sách: 7" in row
    assert page.text.count('id="su-kien-') == 1 and "Lê Văn Khác" not in page.text

    by_mail = client.get("/admin/audit", params={"person": "THUKY@example"})
    assert by_mail.text.count('id="su-kien-') == 1
    batch = client.get("/admin/audit", params={"entity": "batch", "entity_id": "7", "action": "contest.received"})
    assert batch.text.count('id="su-kien-') == 1 and "ghi nhận đã nhận danh sách" in batch.text
    dated = client.get("/admin/audit", params={"person": "Lê Văn", "since": "2024-11-21", "until": "2024-11-22"})
    assert dated.text.count('id="su-kien-') == 1
    none = client.get("/admin/audit", params={"person": "Lê Văn", "until": "2024-11-21"})
    assert none.text.count('id="su-kien-') == 0 and "Không có sự kiện nào khớp bộ lọc." in none.text
    backwards = client.get("/admin/audit", params={"since": "2024-11-22", "until": "2024-11-21"})
    assert backwards.status_code == 400 and "“Đến ngày” không được trước “Từ ngày”." in backwards.text


def test_audit_page_pages_fifty_events_newest_first(client, session):
    sec = make_user(session, role=Role.secretariat)
    for i in range(53):
        audit.record(session, actor_id=None, action="test.paged", object_type="round", object_id="424242",
                     now=T0 + timedelta(minutes=i), data={"n": i})
    session.commit()
    login(client, sec)
    first = client.get("/admin/audit", params={"entity_id": "424242"})
    assert first.text.count('id="su-kien-') == 50 and "53 sự kiện, trang 1/2" in first.text
    assert "n: 52" in first.text.split('id="su-kien-')[1] and "Hệ thống" in first.text
    assert 'href="?entity_id=424242&amp;page=2"' in first.text
    second = client.get("/admin/audit", params={"entity_id": "424242", "page": 2})
    assert second.text.count('id="su-kien-') == 3 and "n: 0" in second.text


def test_verification_page_counts_the_chain_and_reports_where_a_tampered_one_breaks(client, session):
    sec = make_user(session, role=Role.secretariat)
    events = [audit.record(session, actor_id=sec.id, action="test.chain", object_type="entry", object_id=i, now=T0,
                           data={"n": i}) for i in range(3)]
    session.commit()
    total = session.exec(select(func.count()).select_from(AuditEvent)).one()
    login(client, sec)
    ok = client.get("/admin/audit/verify")
    assert ok.status_code == 200 and f"Chuỗi nhật ký toàn vẹn: {total} sự kiện đã kiểm tra." in ok.text

    _disable_guard(session)
    session.exec(sa.text("UPDATE audit_event SET object_id = '99' WHERE id = :i").bindparams(i=events[1].id))
    session.commit()
    broken = client.get("/admin/audit/verify")
    assert "Chuỗi nhật ký toàn vẹn" not in broken.text
    assert f"Chuỗi nhật ký bị đứt tại sự kiện #{events[1].id}" in broken.text
    assert f"{total - 2} sự kiện trước đó khớp" in broken.text


def _mail(session, status, *, created, attempts=0, error=None, n=1) -> OutboxMessage:
    row = OutboxMessage(key=f"page:{n}:{created.isoformat()}", kind="test", recipient=f"nhabao{n}@example.vn",
                        subject=f"Kết quả xét điều kiện tác phẩm {n}", body="Nội dung", status=status,
                        created_at=created, next_attempt_at=created, attempts=attempts, last_error=error)
    session.add(row)
    session.commit()
    return row


def test_dashboard_warns_of_a_stuck_mail_and_the_outbox_retries_a_failed_one_with_a_message(client, session, clock):
    clock.set("2024-11-20T09:10:00+07:00")
    sec = make_user(session, role=Role.secretariat)
    token = login(client, sec)
    assert 'id="thu-ket"' not in client.get("/dashboard").text
    pending = _mail(session, OutboxStatus.pending, created=T0, n=1)  # due at 09:00
    assert 'id="thu-ket"' not in client.get("/dashboard").text  # ten minutes: not yet stuck

    clock.set("2024-11-20T09:20:00+07:00")
    dashboard = client.get("/dashboard").text
    assert "1 thư chờ gửi quá 15 phút" in dashboard and 'href="http://testserver/admin/outbox?status=pending"' in dashboard
    failed = _mail(session, OutboxStatus.failed, created=T0, attempts=12, error="SMTPRecipientsRefused: <x>", n=2)
    assert "1 thư gửi lỗi" in client.get("/dashboard").text

    outbox = client.get("/admin/outbox", params={"status": "failed"})
    assert "nhabao2@example.vn" in outbox.text and "nhabao1@example.vn" not in outbox.text
    assert "SMTPRecipientsRefused: &lt;x&gt;" in outbox.text and "Gửi lỗi: đã bỏ sau 12 lần thử (1)" in outbox.text
    done = client.post(f"/admin/outbox/{failed.id}/retry?status=failed", data={"csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/admin/outbox?status=failed")
    shown = client.get(done.headers["location"])
    assert f"Đã đưa thư #{failed.id} gửi nhabao2@example.vn vào hàng chờ gửi lại." in shown.text
    session.expire_all()
    assert (session.get(OutboxMessage, failed.id).status, session.get(OutboxMessage, failed.id).attempts) == (
        OutboxStatus.pending, 0)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.retried",
                                                 AuditEvent.object_id == str(failed.id))).one().actor_id == sec.id

    sent = _mail(session, OutboxStatus.sent, created=T0, n=3)
    again = client.post(f"/admin/outbox/{sent.id}/retry", data={"csrf_token": token})
    assert f"Thư #{sent.id} đã gửi, không cần gửi lại." in again.text
    assert pending.id  # still stuck: the dashboard keeps warning until the worker sends it
    assert "thư chờ gửi quá 15 phút" in client.get("/dashboard").text


def test_the_outbox_explains_a_mail_server_refusal_in_vietnamese_and_counts_the_retrying_apart(client, session,
                                                                                                 clock):
    """The worker's own Vietnamese reason (award.outbox.explain, as `award worker --once` prints it), the raw
    error kept under "Chi tiết kỹ thuật"; a refused message the worker will try again counts as waiting, said so."""
    clock.set("2024-11-20T09:05:00+07:00")
    login(client, make_user(session, role=Role.secretariat))
    _mail(session, OutboxStatus.pending, created=T0, attempts=3, n=1,
          error="connect: ConnectionRefusedError: [Errno 111] Connection refused")
    _mail(session, OutboxStatus.pending, created=T0, n=2)
    _mail(session, OutboxStatus.failed, created=T0, attempts=12, n=3,
          error="SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted')")
    html = client.get("/admin/outbox").text
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Chờ gửi (2; sẽ thử lại: 1)" in page and "Gửi lỗi: đã bỏ sau 12 lần thử (1)" in page
    assert "từ chối kết nối: máy chủ chưa chạy hoặc sai cổng" in page
    assert "từ chối đăng nhập: kiểm tra AWARD_SMTP_USERNAME và AWARD_SMTP_PASSWORD" in page
    assert re.search(r"<details><summary>Chi tiết kỹ thuật</summary><small><code>connect: ConnectionRefusedError", html)
    assert "3/12" in page and "(sẽ thử lại)" in page


def _forwarded_batch(session, unit_code: str, titles: list[str], *, at: datetime = T0) -> tuple[ForwardingBatch, list]:
    works = [make_entry(session, title=t, status="forwarded", unit_code=unit_code) for t in titles]
    unit_id = session.exec(select(Unit.id).where(Unit.code == unit_code)).one()
    manager = make_user(session, role=Role.unit_manager, unit_code=unit_code)
    batch = ForwardingBatch(round_id=works[0].round_id, unit_id=unit_id, forwarded_by=manager.id, forwarded_at=at,
                            entry_ids=[w.id for w in works], digest="0" * 64)
    session.add(batch)
    session.flush()
    for i, w in enumerate(works):
        session.add(ForwardedEntry(entry_id=w.id, batch_id=batch.id, position=i))
    session.commit()
    return batch, works


def test_works_list_finds_a_title_author_pen_name_and_outlet_ignoring_case_and_diacritics(client, session):
    round_ = round_by_number(session, "IX")
    fire = make_entry(session, title="Người giữ lửa", authors=[("Trần Thị Hằng", "Hằng Nga")], outlet="Báo Đắk Lắk")
    other = make_entry(session, title="Rừng xanh biên giới", unit_code="nghe-an")
    session.commit()
    login(client, make_user(session, role=Role.secretariat))
    url = f"/admin/rounds/{round_.id}/entries"

    def ids(**params):
        return [int(i) for i in re.findall(r'name="entry_id" value="(\d+)"', client.get(url, params=params).text)]

    for q in ("nguoi giu lua", "NGƯỜI GIỮ", "tran thi hang", "hang nga", "bao dak lak", f"#{fire.id}"):
        assert ids(q=q) == [fire.id], q
    assert ids(q="nghe an") == [other.id]  # the unit's name
    assert ids(q="100%") == []  # a wildcard in the query is text
    assert set(ids()) >= {fire.id, other.id}
    assert ids(q="nguoi giu lua", media_type="tv") == []
    page = client.get(url, params={"q": "nguoi giu lua"}).text
    assert "1</strong> tác phẩm khớp" in page and "Trần Thị Hằng (Hằng Nga)" in page
    assert f'/api/v1/rounds/{round_.id}/entries.xlsx?q=nguoi+giu+lua"' in page


def test_works_list_pages_with_links(client, session):
    round_ = round_by_number(session, "IX")
    for i in range(55):
        make_entry(session, title=f"Loạt bài trang thử {i}", outlet="Báo Phân Trang")
    session.commit()
    login(client, make_user(session, role=Role.secretariat))
    first = client.get(f"/admin/rounds/{round_.id}/entries", params={"q": "bao phan trang"}).text
    assert first.count('name="entry_id"') == 50 and "55</strong> tác phẩm khớp" in first
    assert 'href="?q=bao+phan+trang&amp;page=2"' in first
    second = client.get(f"/admin/rounds/{round_.id}/entries", params={"q": "bao phan trang", "page": 2}).text
    assert second.count('name="entry_id"') == 5


def test_bulk_receipt_of_two_works_moves_both_and_audits_each(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    batch, works = _forwarded_batch(session, "ha-tinh", ["Bài nhận một", "Bài nhận hai"])
    sec = make_user(session, role=Role.secretariat)
    token = login(client, sec)
    before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    done = client.post(f"/admin/rounds/{round_.id}/entries/bulk", follow_redirects=False, data={
        "csrf_token": token, "action": "receive", "entry_id": [str(w.id) for w in works], "back": "?q=bai+nhan"})
    assert done.status_code == 303, done.text[:500]
    assert done.headers["location"].endswith(f"/admin/rounds/{round_.id}/entries?q=bai+nhan")
    shown = client.get(done.headers["location"]).text
    assert "Đã ghi nhận đã nhận 2 tác phẩm." in shown and shown.count("Trung ương đã nhận</span>") == 2
    session.expire_all()
    assert [session.get(Entry, w.id).status for w in works] == [EntryStatus.received] * 2
    moves = session.exec(select(AuditEvent).where(AuditEvent.action == "entry.status", AuditEvent.id > 0)
                         .order_by(AuditEvent.id.desc()).limit(2)).all()
    assert sorted(int(m.object_id) for m in moves) == sorted(w.id for w in works)
    assert all(m.data["to"] == "received" and m.actor_id == sec.id for m in moves)
    assert session.get(ForwardingBatch, batch.id).received_at is not None  # every work of the batch arrived
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == before + 3

    eligible = client.post(f"/admin/rounds/{round_.id}/entries/bulk", data={
        "csrf_token": token, "action": "eligible", "entry_id": [str(w.id) for w in works]})
    assert "Đã xét đủ điều kiện dự giải 2 tác phẩm." in eligible.text
    session.expire_all()
    assert [session.get(Entry, w.id).status for w in works] == [EntryStatus.eligible] * 2
    moved = client.post(f"/admin/rounds/{round_.id}/entries/bulk", data={
        "csrf_token": token, "action": "panel", "panel_code": "print1", "entry_id": [str(w.id) for w in works]})
    assert "Đã chuyển tiểu ban 2 tác phẩm." in moved.text
    assert {session.get(PanelPlacement, w.id).panel_code for w in works} == {"print1"}


def test_a_bulk_action_is_all_or_nothing_and_refused_outside_its_phase(client, session, clock):
    round_ = round_by_number(session, "IX")
    _, works = _forwarded_batch(session, "ha-tinh", ["Bài ngoài hạn một", "Bài ngoài hạn hai"])
    eligible = make_entry(session, title="Bài đã đủ điều kiện", status="eligible")
    sec = make_user(session, role=Role.secretariat)
    session.commit()
    before = session.exec(select(func.count()).select_from(AuditEvent)).one()

    clock.set(IX_PHASE_AT["final"])  # receipt belongs to submission, local judging and preliminary
    token = login(client, sec)
    refused = client.post(f"/admin/rounds/{round_.id}/entries/bulk", data={
        "csrf_token": token, "action": "receive", "entry_id": [str(w.id) for w in works]})
    assert refused.status_code == 409
    assert "Không thể tiếp nhận và xét điều kiện tác phẩm lúc này" in refused.text
    assert "Không tác phẩm nào được thay đổi." in refused.text
    assert refused.text.count('checked>') == 2  # the choice is kept

    clock.set(IX_PHASE_AT["preliminary"])
    token = login(client, sec)
    mixed = client.post(f"/admin/rounds/{round_.id}/entries/bulk", data={
        "csrf_token": token, "action": "receive", "entry_id": [str(works[0].id), str(eligible.id), str(works[1].id)]})
    assert mixed.status_code == 400 and f"Tác phẩm #{eligible.id}" in mixed.text
    nothing = client.post(f"/admin/rounds/{round_.id}/entries/bulk", data={"csrf_token": token, "action": "receive"})
    assert nothing.status_code == 400 and "Hãy chọn ít nhất một tác phẩm." in nothing.text
    session.expire_all()
    assert [session.get(Entry, w.id).status for w in works] == [EntryStatus.forwarded] * 2
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == before


def test_receipt_desk_pages_batches_and_filters_by_unit(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    for i in range(21):
        _forwarded_batch(session, "ha-tinh", [f"Hà Tĩnh gửi {i}"], at=T0 + timedelta(minutes=i))
    _forwarded_batch(session, "nghe-an", ["Nghệ An gửi một"], at=T0 + timedelta(hours=1))
    login(client, make_user(session, role=Role.secretariat))
    desk = client.get("/secretariat/batches", params={"round_id": round_.id}).text
    assert desk.count("Ghi nhận đã nhận</button>") == 20 and "22 danh sách gửi, 22 chưa ghi nhận" in desk
    assert "Nghệ An gửi một" in desk and "Hà Tĩnh gửi 0" not in desk  # newest first
    second = client.get("/secretariat/batches", params={"round_id": round_.id, "page": 2}).text
    assert second.count("Ghi nhận đã nhận</button>") == 2 and "Hà Tĩnh gửi 0" in second
    nghe_an = session.exec(select(Unit.id).where(Unit.code == "nghe-an")).one()
    one = client.get("/secretariat/batches", params={"round_id": round_.id, "unit_id": nghe_an}).text
    assert one.count("Ghi nhận đã nhận</button>") == 1 and "Hà Tĩnh gửi" not in one
    assert f'<option value="{nghe_an}" selected>' in one


def test_the_units_list_searches_like_the_round_list_and_exports_its_own_unit(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    mine = make_entry(session, title="Người giữ lửa Hồng Lĩnh", authors=[("Phan Văn Bút", "Bút Hồng")])
    make_entry(session, title="Người giữ lửa xứ Nghệ", unit_code="nghe-an")
    session.commit()
    login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    page = client.get("/unit/entries", params={"round_id": round_.id, "q": "but hong"}).text
    assert "Người giữ lửa Hồng Lĩnh" in page and "xứ Nghệ" not in page and "1 tác phẩm" in page
    assert f'/api/v1/rounds/{round_.id}/entries.xlsx?q=but+hong"' in page
    assert mine.id


def test_audit_page_refuses_an_id_that_names_nothing_and_reads_details_by_name(client, session):
    """?entity_id=abc is dropped with the warning every list page gives; a detail's known keys read in words,
    with the round, unit and judge by name (unknown keys stay as they are); a work the viewer may not open
    (a private draft) is named without a link that would answer 404."""
    sec = make_user(session, role=Role.secretariat)
    judge = make_user(session, role=Role.judge, full_name="Giám Khảo Trung Ương")
    round_ = round_by_number(session, "IX")
    unit = session.exec(select(Unit).where(Unit.code == "ha-tinh")).one()
    draft = make_entry(session, status="draft", title="Bản nháp riêng")
    open_work = make_entry(session, title="Tác phẩm ở Trung ương")
    audit.record(session, actor_id=sec.id, action="judging.assigned", object_type="entry", object_id=draft.id,
                 now=T0, data={"round_id": round_.id, "stage": "local", "panel": None, "judge_id": judge.id,
                               "unit_id": unit.id, "la_key": 5})
    audit.record(session, actor_id=sec.id, action="entry.status", object_type="entry", object_id=open_work.id,
                 now=T0, data={"from": "forwarded", "to": "received"})
    session.commit()
    login(client, sec)

    refused = client.get("/admin/audit?entity_id=abc&person=", follow_redirects=False)
    assert refused.status_code == 303 and "entity_id" not in refused.headers["location"]
    shown = client.get(refused.headers["location"])
    assert "Mã đối tượng: không đúng định dạng" in shown.text and "hiển thị theo mặc định" in shown.text
    assert client.get(f"/admin/audit?entity_id={draft.id}").text.count('id="su-kien-') == 1
    assert client.get("/admin/audit", params={"entity_id": "ab" * 16}).status_code == 200  # a plan's id

    page = client.get("/admin/audit").text
    rows = {r.split('"', 1)[0]: r for r in page.split('id="su-kien-')[1:]}
    detail = next(r for r in rows.values() if "Bản nháp riêng" in r)
    assert (f"đợt giải: {round_.label} · vòng chấm: sơ tuyển · tiểu ban: – · "
            f"giám khảo: Giám Khảo Trung Ương · đơn vị: {unit.name} · la_key: 5") in detail
    assert "round_id" not in detail and f'href="http://testserver/entries/{draft.id}"' not in detail
    visible = next(r for r in rows.values() if "Tác phẩm ở Trung ương" in r)
    assert f'href="http://testserver/entries/{open_work.id}"' in visible
    assert client.get(f"/entries/{draft.id}").status_code == 404  # why it is not a link
