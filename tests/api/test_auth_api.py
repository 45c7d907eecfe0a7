"""Auth and users section of the API contract."""

from sqlmodel import select

from award.models import AuditEvent, LoginAttempt, Role, User
from award.outbox import OutboxMessage
from award.users import REGISTERED
from tests.factories import PASSWORD, api_login, make_user


def test_register_creates_journalist_and_token_logs_in(client, session):
    response = client.post("/api/v1/auth/register",
                           json={"email": "  PhongVien@Bao.vn ", "password": "BaiVietHay2024", "full_name": "Lê Văn Tám"})
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "message": REGISTERED}
    row = session.exec(select(User).where(User.email == "phongvien@bao.vn")).one()
    assert row.full_name == "Lê Văn Tám"
    assert row.role == "journalist"
    assert row.password_hash.startswith("$argon2id$")

    token = client.post("/api/v1/auth/token", data={"username": "phongvien@bao.vn", "password": "BaiVietHay2024"})
    assert token.status_code == 200
    assert token.json()["token_type"] == "bearer"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json() == {"id": row.id, "email": "phongvien@bao.vn", "full_name": "Lê Văn Tám",
                         "role": "journalist", "unit_id": None, "outlet": None}


def test_register_with_a_taken_address_answers_the_same_and_tells_the_owner(client, session, clock):
    """Issue 15, item 14: no 409 email_taken revealing who has an account."""
    owner = make_user(session, email="trung@bao.vn")
    taken = client.post("/api/v1/auth/register",
                        json={"email": "TRUNG@bao.vn", "password": "BaiVietHay2024", "full_name": "Người Khác"})
    new = client.post("/api/v1/auth/register",
                      json={"email": "moi@bao.vn", "password": "BaiVietHay2024", "full_name": "Người Mới"})
    assert (taken.status_code, taken.json()) == (new.status_code, new.json()) == (202, {"status": "accepted",
                                                                                      "message": REGISTERED})
    assert session.get(User, owner.id).full_name == "Nguyễn Văn Thử"  # nothing changed
    assert len(session.exec(select(User).where(User.email == "trung@bao.vn")).all()) == 1
    mails = {m.recipient: m for m in session.exec(select(OutboxMessage))}
    assert mails["trung@bao.vn"].kind == "registration_existing"
    assert "đã có tài khoản" in mails["trung@bao.vn"].body and "/password/forgot" in mails["trung@bao.vn"].body
    assert mails["moi@bao.vn"].kind == "registered"


def test_register_weak_password_names_the_field(client, session):
    response = client.post("/api/v1/auth/register",
                           json={"email": "yeu@bao.vn", "password": "ngan", "full_name": "Mật Khẩu Yếu"})
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "password"]
    assert "10 ký tự" in error["msg"]
    assert session.exec(select(User).where(User.email == "yeu@bao.vn")).first() is None


def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    user = make_user(session)
    wrong = client.post("/api/v1/auth/token", data={"username": user.email, "password": "SaiMatKhau123"})
    unknown = client.post("/api/v1/auth/token", data={"username": "khongco@bao.vn", "password": "SaiMatKhau123"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": {"code": "invalid_credentials", "field": "password",
                                                         "message": "E-mail hoặc mật khẩu không đúng."}}


def test_repeated_failures_lock_the_account_with_429(client, session):
    user = make_user(session)
    for _ in range(5):
        assert client.post("/api/v1/auth/token", data={"username": user.email, "password": "SaiMatKhau123"}).status_code == 401
    locked = client.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert locked.json()["detail"]["code"] == "too_many_attempts"
    failures = session.exec(select(LoginAttempt).where(LoginAttempt.email == user.email)).all()
    assert [a.succeeded for a in failures] == [False] * 5


def test_me_without_token_is_401_and_with_bad_token_too(client):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json()["detail"]["code"] == "not_authenticated"


def test_secretariat_creates_unit_manager_and_audit_records_it(client, session):
    secretariat = make_user(session, role=Role.secretariat)
    headers = api_login(client, secretariat)
    units = {u["code"]: u["id"] for u in client.get("/api/v1/units").json()}
    response = client.post("/api/v1/users", headers=headers, json={
        "email": "canbo@hatinh.vn", "password": "DonViHaTinh2024", "full_name": "Cán Bộ Hà Tĩnh",
        "role": "unit_manager", "unit_id": units["ha-tinh"]})
    assert response.status_code == 201
    assert response.json()["unit_id"] == units["ha-tinh"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.created")
                         .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == secretariat.id
    assert event.object_id == str(response.json()["id"])


def test_journalist_cannot_create_accounts(client, session):
    journalist = make_user(session)
    response = client.post("/api/v1/users", headers=api_login(client, journalist), json={
        "email": "ke.gian@bao.vn", "password": "KeGian2024abc", "full_name": "Kẻ Gian", "role": "secretariat"})
    assert response.status_code == 403
    assert response.json()["detail"]["code"] == "role_forbidden"
    assert session.exec(select(User).where(User.email == "ke.gian@bao.vn")).first() is None


def test_unit_role_without_unit_is_refused(client, session):
    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.post("/api/v1/users", headers=headers, json={
        "email": "judge@x.vn", "password": "GiamKhao2024x", "full_name": "Giám Khảo", "role": "local_judge"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "unit_id"]
