"""People (issue 14, item 4): the secretariat's list and edits of accounts, locking that ends sessions at
once, reset links and invitations by e-mail, the judges' spreadsheet, a unit's own local judges and taking
judges off juries once (and only while) they have submitted nothing."""

import io
import re

from openpyxl import Workbook, load_workbook
from sqlalchemy import update
from sqlmodel import select

from award import users
from award.models import AuditEvent, AuthSession, Role, Unit, User
from award.outbox import OutboxMessage
from judging.models import Assignment, JudgeMembership
from tests.api.test_judging_api import setup_local
from tests.factories import (
    IX_PHASE_AT,
    PASSWORD,
    api_login,
    csrf_from,
    make_entry,
    make_user,
    round_by_number,
    web_login,
)


def secretariat(client, session, **kw):
    user = make_user(session, role=Role.secretariat, **kw)
    return user, api_login(client, user)


def unit_id(session, code="ha-tinh"):
    return session.exec(select(Unit.id).where(Unit.code == code)).one()


def mails(session, kind):
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


def link_token(mail) -> str:
    match = re.search(r"/password/reset\?token=([A-Za-z0-9_-]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def invited(session, email, name, role=Role.journalist, unit=None):
    """An account without a password (no argon2 work): cheap rows for lists."""
    return users.create_user(session, email=email, password=None, full_name=name, role=role, unit_id=unit)


# --- the list ---------------------------------------------------------------------------------------

def test_users_list_finds_names_and_emails_ignoring_case_and_diacritics(client, session):
    _, sec = secretariat(client, session)
    hatinh = unit_id(session)
    invited(session, "an.nguyen@baomau.vn", "Nguyễn Văn Án", Role.local_judge, hatinh)
    invited(session, "duc@baomau.vn", "ĐẶNG MINH ĐỨC", Role.judge)
    invited(session, "thu.tran@vtv.vn", "Trần Thị Thu", Role.judge)
    session.commit()

    found = client.get("/api/v1/users", params={"q": "nguyen van an"}, headers=sec).json()
    assert [(u["full_name"], u["email"]) for u in found["items"]] == [("Nguyễn Văn Án", "an.nguyen@baomau.vn")]
    assert found["total"] == 1 and found["items"][0]["invited"] is True and found["items"][0]["active"] is True
    assert [u["email"] for u in client.get("/api/v1/users", params={"q": "Dang Minh duc"}, headers=sec).json()["items"]] \
        == ["duc@baomau.vn"]
    assert [u["email"] for u in client.get("/api/v1/users", params={"q": "VTV.VN"}, headers=sec).json()["items"]] \
        == ["thu.tran@vtv.vn"]
    by_unit = client.get("/api/v1/users", params={"unit_id": hatinh, "role": "local_judge", "q": "baomau"},
                         headers=sec).json()
    assert [u["email"] for u in by_unit["items"]] == ["an.nguyen@baomau.vn"]
    judges = client.get("/api/v1/users", params={"role": "judge", "q": "@"}, headers=sec).json()
    assert {u["email"] for u in judges["items"]} >= {"duc@baomau.vn", "thu.tran@vtv.vn"}
    assert client.get("/api/v1/users", params={"active": "false", "q": "baomau"}, headers=sec).json() == \
        {"items": [], "total": 0}


def test_users_list_pages_by_fifty(client, session):
    _, sec = secretariat(client, session)
    for i in range(53):
        invited(session, f"trang{i:02d}@phantrang.vn", f"Phân Trang {i:02d}")
    session.commit()
    first = client.get("/api/v1/users", params={"q": "phantrang"}, headers=sec).json()
    second = client.get("/api/v1/users", params={"q": "phantrang", "page": 2}, headers=sec).json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (53, 50, 3)
    assert second["items"][-1]["email"] == "trang52@phantrang.vn"


def test_users_page_searches_filters_and_links_each_row(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    judge = invited(session, "an.nguyen@baomau.vn", "Nguyễn Văn Án", Role.judge)
    invited(session, "binh@baomau.vn", "Lê Bình", Role.journalist)
    session.commit()
    page = client.get("/admin/users", params={"q": "NGUYEN", "role": "judge", "status": "active"})
    assert page.status_code == 200
    assert f'href="http://testserver/admin/users/{judge.id}"' in page.text
    assert "binh@baomau.vn" not in page.text
    assert "Chờ đặt mật khẩu" in page.text and 'data-label="E-mail"' in page.text


# --- edits, locking, the last secretariat -------------------------------------------------------------

def test_patch_changes_the_fields_sent_and_audits_them(client, session):
    actor, sec = secretariat(client, session)
    user = make_user(session, email="sua@baomau.vn", full_name="Nguyen Van Sai")
    session.commit()
    response = client.patch(f"/api/v1/users/{user.id}", headers=sec, json={
        "full_name": "Nguyễn Văn Sửa", "role": "local_judge", "unit_id": unit_id(session), "outlet": "Báo Hà Tĩnh"})
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in ("full_name", "role", "unit_id", "outlet", "active")} == {
        "full_name": "Nguyễn Văn Sửa", "role": "local_judge", "unit_id": unit_id(session), "outlet": "Báo Hà Tĩnh",
        "active": True}
    session.refresh(user)
    assert user.full_name_folded == "nguyen van sua"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.updated",
                                                  AuditEvent.object_id == str(user.id))).one()
    assert event.actor_id == actor.id and event.data["changes"]["role"] == ["journalist", "local_judge"]
    assert [u["email"] for u in client.get("/api/v1/users", params={"q": "sửa"}, headers=sec).json()["items"]] \
        == ["sua@baomau.vn"]


def test_a_role_that_needs_a_unit_is_refused_without_one_naming_the_field(client, session):
    _, sec = secretariat(client, session)
    user = make_user(session, email="donvi@baomau.vn")
    session.commit()
    refused = client.patch(f"/api/v1/users/{user.id}", headers=sec, json={"role": "unit_manager", "full_name": " "})
    assert refused.status_code == 422
    assert {(e["loc"][-1], e["msg"]) for e in refused.json()["detail"]} == {
        ("unit_id", "Vai trò này cần gắn với một đơn vị."), ("full_name", "Vui lòng nhập họ và tên.")}
    session.refresh(user)
    assert user.role == Role.journalist


def test_locking_ends_an_open_session_and_an_api_token_at_once(client, session):
    _, sec = secretariat(client, session)
    user = make_user(session, email="khoa@baomau.vn")
    token = api_login(client, user)
    web_login(client, user)
    cookie = client.cookies.get("award_session")
    assert client.get("/api/v1/me", headers=token).status_code == 200
    client.cookies.clear()

    locked = client.patch(f"/api/v1/users/{user.id}", headers=sec, json={"active": False})
    assert locked.status_code == 200 and locked.json()["active"] is False
    assert session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all() == []
    assert client.get("/api/v1/me", headers=token).status_code == 401
    client.cookies.set("award_session", cookie)
    page = client.get("/dashboard", follow_redirects=False)
    assert page.status_code == 303 and "/login" in page.headers["location"]
    client.cookies.clear()
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}).status_code == 401
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "user.deactivated",
                                                 AuditEvent.object_id == str(user.id))).one().data["sessions_ended"] == 2

    reopened = client.patch(f"/api/v1/users/{user.id}", headers=sec, json={"active": True})
    assert reopened.json()["active"] is True
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}).status_code == 200


def test_the_last_active_secretariat_cannot_be_locked_or_demoted(client, session):
    actor, sec = secretariat(client, session)
    session.exec(update(User).where(User.role == Role.secretariat, User.id != actor.id).values(is_active=False))
    session.commit()
    for body in ({"active": False}, {"role": "judge"}):
        refused = client.patch(f"/api/v1/users/{actor.id}", headers=sec, json=body)
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"]["code"] == "last_secretariat"
        assert "Ban Thư ký cuối cùng" in refused.json()["detail"]["message"]
    session.refresh(actor)
    assert (actor.is_active, actor.role) == (True, Role.secretariat)
    other = make_user(session, role=Role.secretariat)
    session.commit()
    assert client.patch(f"/api/v1/users/{other.id}", headers=sec, json={"active": False}).status_code == 200


def test_the_user_page_locks_and_reopens_with_a_confirmation_and_a_message(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    user = make_user(session, email="trang@baomau.vn", full_name="Phạm Thị Trang")
    session.commit()
    page = client.get(f"/admin/users/{user.id}")
    assert page.status_code == 200 and 'data-confirm="Khóa tài khoản trang@baomau.vn?' in page.text
    response = client.post(f"/admin/users/{user.id}/status", data={"active": "0", "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert "Đã khóa tài khoản trang@baomau.vn" in client.get(response.headers["location"]).text
    session.refresh(user)
    assert user.is_active is False
    page = client.get(f"/admin/users/{user.id}")
    edited = client.post(f"/admin/users/{user.id}", data={
        "full_name": "Phạm Thị Trang", "role": "unit_manager", "unit_id": "", "outlet": "",
        "csrf_token": csrf_from(page.text)})
    assert edited.status_code == 400 and 'id="e-unit_id"' in edited.text
    assert "Vai trò này cần gắn với một đơn vị." in edited.text


# --- reset links and invitations ---------------------------------------------------------------------

def test_the_secretariat_mails_a_reset_link_that_works(client, session):
    _, sec = secretariat(client, session)
    user = make_user(session, email="quen@baomau.vn")
    session.commit()
    sent = client.post(f"/api/v1/users/{user.id}/password-reset", headers=sec)
    assert sent.status_code == 202
    [mail] = mails(session, "password_reset")
    assert mail.recipient == "quen@baomau.vn"
    page = client.get(f"/password/reset?token={link_token(mail)}")
    assert "<h1>Đặt lại mật khẩu</h1>" in page.text
    done = client.post("/password/reset", data={"token": link_token(mail), "new_password": "MatKhauMoi2026",
                                                "new_password_again": "MatKhauMoi2026",
                                                "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/login?reset=1")
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "MatKhauMoi2026"}).status_code == 200
    user.is_active = False
    session.add(user)
    session.commit()
    assert client.post(f"/api/v1/users/{user.id}/password-reset", headers=sec).status_code == 409


def test_an_invitation_mails_a_link_that_sets_the_password_and_logs_in(client, session):
    _, sec = secretariat(client, session)
    created = client.post("/api/v1/users", headers=sec, json={
        "email": "Moi.Nguoi@BaoMau.vn", "full_name": "Võ Thị Mời", "role": "unit_manager", "unit_id": unit_id(session)})
    assert created.status_code == 201, created.text
    user = session.get(User, created.json()["id"])
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "!invited"}).status_code == 401
    [mail] = mails(session, "invitation")
    assert mail.recipient == "moi.nguoi@baomau.vn" and "Hà Tĩnh" in mail.body and "7 ngày" in mail.body
    page = client.get(f"/password/reset?token={link_token(mail)}")
    assert "<h1>Đặt mật khẩu</h1>" in page.text
    done = client.post("/password/reset", data={"token": link_token(mail), "new_password": "MatKhauMoi2026",
                                                "new_password_again": "MatKhauMoi2026",
                                                "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and "Đã đặt mật khẩu. Chào mừng Võ Thị Mời!" in dashboard.text
    assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "MatKhauMoi2026"}).status_code == 200
    again = client.get(f"/password/reset?token={link_token(mail)}")
    assert again.status_code == 400  # single use


def test_an_invitation_to_an_existing_address_is_refused_next_to_the_email_field(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    make_user(session, email="dacotk@baomau.vn")
    session.commit()
    before = len(session.exec(select(User.id)).all())
    page = client.get("/admin/users")
    response = client.post("/admin/users", data={
        "email": "DaCoTK@baomau.vn", "full_name": "Ai Đó", "role": "judge", "unit_id": "", "outlet": "",
        "password": "", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 400
    assert '<p class="error-text" id="e-email">E-mail này đã có tài khoản.</p>' in response.text
    assert len(session.exec(select(User.id)).all()) == before and mails(session, "invitation") == []
    ok = client.post("/admin/users", data={
        "email": "moi@baomau.vn", "full_name": "Người Mới", "role": "judge", "unit_id": "", "outlet": "",
        "password": "", "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert ok.status_code == 303
    assert "Đã gửi thư mời tới moi@baomau.vn." in client.get(ok.headers["location"]).text
    assert [m.recipient for m in mails(session, "invitation")] == ["moi@baomau.vn"]


# --- the judges' spreadsheet -------------------------------------------------------------------------

def sheet(rows, headings=("Họ và tên", "E-mail", "Đơn vị", "Cơ quan báo chí")) -> bytes:
    book = Workbook()
    book.active.append(list(headings))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, rows):
    page = client.get("/admin/users")
    return client.post("/admin/users/import", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False,
                       files={"file": ("giám khảo.xlsx", sheet(rows), "application/octet-stream")})


def test_a_judges_sheet_with_bad_rows_lists_them_all_and_creates_nothing(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    make_user(session, email="dacotk@baomau.vn")
    session.commit()
    before = len(session.exec(select(User.id)).all())
    response = upload(client, [
        ("Nguyễn Văn Một", "mot@baomau.vn", "ha-tinh", "Báo Hà Tĩnh"),
        ("", "hai@baomau.vn", "", ""),
        ("Lê Ba", "khong-phai-email", "", ""),
        ("Trần Bốn", "MOT@baomau.vn", "", ""),
        ("Phạm Năm", "dacotk@baomau.vn", "", ""),
        ("Vũ Sáu", "sau@baomau.vn", "Tỉnh Không Có", ""),
    ])
    assert response.status_code == 400
    for text in ("Dòng 3, cột “Họ và tên”: chưa có họ và tên.",
                 "Dòng 4, cột “E-mail”: “khong-phai-email” không phải địa chỉ e-mail hợp lệ.",
                 "Dòng 5, cột “E-mail”: “mot@baomau.vn” trùng với dòng 2 của tệp.",
                 "Dòng 6, cột “E-mail”: “dacotk@baomau.vn” đã có tài khoản.",
                 "Dòng 7, cột “Đơn vị”: không có đơn vị “Tỉnh Không Có”."):
        assert text in response.text
    assert len(session.exec(select(User.id)).all()) == before and mails(session, "invitation") == []


def test_a_good_judges_sheet_invites_every_judge_and_the_template_has_the_headings(client, session):
    web_login(client, make_user(session, role=Role.secretariat))
    template = client.get("/admin/users/mau-giam-khao.xlsx")
    assert template.status_code == 200
    headings = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows(max_row=1))]
    assert headings == ["Họ và tên", "E-mail", "Đơn vị", "Cơ quan báo chí"]
    response = upload(client, [("Nguyễn Văn Một", "mot@baomau.vn", "Hà Tĩnh", "Báo Hà Tĩnh"),
                               ("Đỗ Hai", "hai@baomau.vn", None, None)])
    assert response.status_code == 303
    assert "Đã nhập 2 giám khảo" in client.get(response.headers["location"]).text
    created = session.exec(select(User).where(User.email.in_(["mot@baomau.vn", "hai@baomau.vn"]))
                           .order_by(User.email)).all()
    assert [(u.email, u.role, u.unit_id, u.outlet) for u in created] == [
        ("hai@baomau.vn", Role.judge, None, None), ("mot@baomau.vn", Role.judge, unit_id(session), "Báo Hà Tĩnh")]
    assert sorted(m.recipient for m in mails(session, "invitation")) == ["hai@baomau.vn", "mot@baomau.vn"]


# --- a unit's own local judges -----------------------------------------------------------------------

def test_a_unit_manager_invites_a_local_judge_into_their_own_unit_only_and_removes_one(client, session):
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    other = make_user(session, role=Role.local_judge, unit_code="nghe-an", email="nghean@baomau.vn")
    web_login(client, manager)
    page = client.get("/unit/judges")
    assert page.status_code == 200
    response = client.post("/unit/judges", data={
        "email": "gk.moi@baomau.vn", "full_name": "Hồ Thị Giám", "outlet": "Đài Hà Tĩnh",
        "role": "secretariat", "unit_id": str(unit_id(session, "nghe-an")), "csrf_token": csrf_from(page.text)},
        follow_redirects=False)
    assert response.status_code == 303
    assert "Đã gửi thư mời giám khảo tới gk.moi@baomau.vn." in client.get(response.headers["location"]).text
    judge = session.exec(select(User).where(User.email == "gk.moi@baomau.vn")).one()
    assert (judge.role, judge.unit_id) == (Role.local_judge, manager.unit_id)
    assert [m.recipient for m in mails(session, "invitation")] == ["gk.moi@baomau.vn"]

    page = client.get("/unit/judges")
    assert "gk.moi@baomau.vn" in page.text and "nghean@baomau.vn" not in page.text
    assert client.post(f"/unit/judges/{other.id}/remove", data={"csrf_token": csrf_from(page.text)},
                       follow_redirects=False).status_code == 404
    round_ = round_by_number(session, "IX")
    session.add(JudgeMembership(round_id=round_.id, user_id=judge.id, stage="local", unit_id=manager.unit_id))
    session.commit()
    removed = client.post(f"/unit/judges/{judge.id}/remove", data={"csrf_token": csrf_from(page.text)},
                          follow_redirects=False)
    assert removed.status_code == 303
    assert "Đã gỡ giám khảo Hồ Thị Giám" in client.get(removed.headers["location"]).text
    session.refresh(judge)
    session.refresh(other)
    assert judge.is_active is False and other.is_active is True
    assert session.exec(select(JudgeMembership).where(JudgeMembership.user_id == judge.id)).all() == []


def test_removing_a_local_judge_is_refused_once_they_submitted_a_sheet(client, session, clock):
    round_, _, ids, manager_headers, judges = setup_local(client, session, n_entries=1)
    sheet_ = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments", headers=manager_headers,
                         json={"entry_id": ids[0], "judge_id": judges[0].id}).json()
    scored = client.put(f"/api/v1/judging/assignments/{sheet_['id']}/score", headers=api_login(client, judges[0]),
                        json={"scores": {"content": 20, "discovery": 20, "form": 20, "effect": 10}, "submit": True})
    assert scored.status_code == 200, scored.text
    manager = session.exec(select(User).where(User.role == Role.unit_manager, User.unit_id == judges[0].unit_id)
                           .order_by(User.id.desc())).first()
    web_login(client, manager)
    page = client.get("/unit/judges")
    refused = client.post(f"/unit/judges/{judges[0].id}/remove", data={"csrf_token": csrf_from(page.text)})
    assert refused.status_code == 409
    assert f"Không thể gỡ {judges[0].full_name}: giám khảo đã nộp 1 phiếu chấm của đơn vị." in refused.text
    session.refresh(judges[0])
    assert judges[0].is_active is True
    assert session.get(Assignment, sheet_["id"]) is not None
    # one without sheets leaves the jury through the API too
    gone = client.delete(f"/api/v1/rounds/{round_.id}/stages/local/judges/{judges[1].id}", headers=manager_headers)
    assert gone.status_code == 204
    kept = client.delete(f"/api/v1/rounds/{round_.id}/stages/local/judges/{judges[0].id}", headers=manager_headers)
    assert kept.status_code == 409 and kept.json()["detail"]["code"] == "judge_has_sheets"


# --- the secretariat's juries ------------------------------------------------------------------------

def test_the_secretariat_takes_a_judge_off_a_subpanel_unless_they_submitted(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    actor, sec = secretariat(client, session)
    works = [make_entry(session, genre="bình luận") for _ in range(2)]
    client.post(f"/api/v1/rounds/{round_.id}/panels/route", headers=sec)
    judges = [make_user(session, role=Role.judge, full_name=f"Giám Khảo Sơ Khảo {i}", outlet=f"Báo {i}")
              for i in range(2)]
    for judge in judges:
        assert client.post(f"/api/v1/rounds/{round_.id}/judges", headers=sec, json={
            "user_id": judge.id, "stage": "preliminary", "panel_code": "print1"}).status_code == 201
    for work in works[:1]:
        for judge in judges:
            assert client.post(f"/api/v1/rounds/{round_.id}/stages/preliminary/assignments", headers=sec,
                               json={"entry_id": work.id, "judge_id": judge.id}).status_code == 201
    token = api_login(client, judges[0])
    [own] = client.get("/api/v1/judging/assignments", headers=token).json()
    assert client.put(f"/api/v1/judging/assignments/{own['id']}/score", headers=token, json={
        "scores": {"content": 30, "discovery": 25, "form": 25, "effect": 10}, "submit": True}).status_code == 200
    memberships = {m.user_id: m.id for m in session.exec(select(JudgeMembership).where(
        JudgeMembership.round_id == round_.id, JudgeMembership.stage == "preliminary"))}

    web_login(client, actor)
    desk = client.get(f"/central/{round_.id}")
    assert 'data-confirm="Rút Giám Khảo Sơ Khảo 0 khỏi tiểu ban?' in desk.text
    refused = client.post(f"/central/{round_.id}/members/{memberships[judges[0].id]}/remove",
                          data={"csrf_token": csrf_from(desk.text)})
    assert refused.status_code == 409
    assert "Không thể rút Giám Khảo Sơ Khảo 0 khỏi vòng sơ khảo: giám khảo đã nộp 1 phiếu chấm." in refused.text
    removed = client.post(f"/central/{round_.id}/members/{memberships[judges[1].id]}/remove",
                          data={"csrf_token": csrf_from(desk.text)}, follow_redirects=False)
    assert removed.status_code == 303
    assert "Đã rút Giám Khảo Sơ Khảo 1 khỏi tiểu ban." in client.get(removed.headers["location"]).text
    left = session.exec(select(JudgeMembership.user_id).where(JudgeMembership.round_id == round_.id,
                                                              JudgeMembership.stage == "preliminary")).all()
    assert judges[1].id not in left and judges[0].id in left
    assert session.exec(select(Assignment).where(Assignment.judge_id == judges[1].id)).all() == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "judging.judge_removed")).one().actor_id == actor.id


def test_the_templates_example_row_is_refused_even_with_its_unit_fixed_and_invites_nobody(client, session):
    """The template's example (and the one it had before) cannot pass for a person: a sheet that keeps it, even
    with its unit corrected, is refused naming the row, and nobody is invited."""
    web_login(client, make_user(session, role=Role.secretariat))
    template = load_workbook(io.BytesIO(client.get("/admin/users/mau-giam-khao.xlsx").content)).active
    example = [c.value for c in next(template.iter_rows(min_row=2, max_row=2))]
    assert "dòng mẫu" in example[0] and example[1].endswith("@example.invalid")
    before = len(session.exec(select(User.id)).all())
    response = upload(client, [(example[0], example[1], "ha-tinh", "Báo Mẫu"),
                               ("Nguyễn Văn An", "an.nguyen@baomau.vn", "Hà Tĩnh", "Báo Mẫu"),
                               ("Đỗ Hai", "hai@baomau.vn", None, None)])
    assert response.status_code == 400
    for row in (2, 3):
        assert f"Dòng {row}: dòng mẫu của tệp, không phải một giám khảo: hãy xóa dòng này rồi nhập lại." in response.text
    assert "Dòng 4" not in response.text
    assert len(session.exec(select(User.id)).all()) == before and mails(session, "invitation") == []
