"""A small world for the security tests: one submitted entry of Hà Tĩnh and one caller per role,
own and other unit, own and other entry; requests made as each of them."""

from dataclasses import dataclass

from sqlmodel import Session, select

from award import users
from award.models import Role, Unit, User
from api.security import CSRF_COOKIE, _serializer
from tests.factories import api_login, entry_payload, make_user, round_by_number
from tests.support.samples import Samples

CSRF_VALUE = "matrix-csrf-cookie-value-0123"


@dataclass
class World:
    round_id: int
    unit_id: int  # Hà Tĩnh: the entry's unit
    other_unit_id: int  # Nghệ An
    entry_id: int  # submitted, with one file, assigned to the local judge
    forwarded_entry_id: int  # same owner, forwarded in batch_id
    batch_id: int
    file_id: int
    assignment_id: int
    callers: dict[str, User | None]
    bystander_id: int = 0  # an account no caller uses: what the people routes edit, lock and reset


IDENTITIES = ("anonymous", "journalist", "journalist_other", "unit_manager", "unit_manager_other", "local_judge",
              "secretariat", "judge", "approver")


def build_world(client, session: Session) -> World:
    round_ = round_by_number(session, "IX")
    unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
    other_unit_id = session.exec(select(Unit.id).where(Unit.code == "nghe-an")).one()
    owner = make_user(session, role=Role.journalist)
    headers = api_login(client, owner)
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    upload = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                         files={"file": ("bai-du-thi.pdf", Samples.pdf(), "application/pdf")})
    assert upload.status_code == 201, upload.text
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200
    forwarded_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(
        session, authors=[{"full_name": "Phạm Thị Gửi", "email": "gui@baohatinh.vn"}])).json()["id"]
    assert client.post(f"/api/v1/entries/{forwarded_id}/submit", headers=headers).status_code == 200
    callers = {
        "anonymous": None,
        "journalist": owner,
        "journalist_other": make_user(session, role=Role.journalist),
        "unit_manager": make_user(session, role=Role.unit_manager, unit_code="ha-tinh"),
        "unit_manager_other": make_user(session, role=Role.unit_manager, unit_code="nghe-an"),
        "local_judge": make_user(session, role=Role.local_judge, unit_code="ha-tinh"),
        "secretariat": make_user(session, role=Role.secretariat),
        "judge": make_user(session, role=Role.judge),
        "approver": make_user(session, role=Role.approver),
    }
    manager = api_login(client, callers["unit_manager"])
    screened = client.post(f"/api/v1/entries/{forwarded_id}/screening", headers=manager, json={"eligible": True})
    assert screened.status_code == 200, screened.text
    batch = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=manager,
                        json={"entry_ids": [forwarded_id]})
    assert batch.status_code == 200, batch.text
    judge = callers["local_judge"]
    assert client.post(f"/api/v1/rounds/{round_.id}/judges", headers=manager,
                       json={"user_id": judge.id, "stage": "local"}).status_code == 201
    assignment = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments", headers=manager,
                             json={"entry_id": entry_id, "judge_id": judge.id})
    assert assignment.status_code == 201, assignment.text
    bystander = make_user(session, role=Role.journalist, full_name="Người Ngoài Cuộc")
    session.commit()
    return World(round_.id, unit_id, other_unit_id, entry_id, forwarded_id, batch.json()["batch_id"],
                 upload.json()["id"], assignment.json()["id"], callers, bystander.id)


def request_as(client, session, user: User | None, method: str, path: str, now, *, csrf: bool = True, body=None,
               form: dict | None = None, files: dict | None = None):
    """One request as `user`: a bearer token for /api, a session cookie (and a valid CSRF token unless
    csrf=False) for pages. A fresh session each time, so a logout cannot end the next request's.
    `body` goes as JSON to /api and as a form to pages; `form` and `files` send a form (multipart) anywhere."""
    client.cookies.clear()
    headers: dict[str, str] = {}
    cookies = {CSRF_COOKIE: CSRF_VALUE}
    is_api = path.startswith("/api/")
    if user is not None:
        kind = "api" if is_api else "web"
        token = users.open_session(session, user=user, kind=kind, now=now)
        session.commit()
        if is_api:
            headers["Authorization"] = f"Bearer {token}"
        else:
            cookies["award_session"] = token
    if csrf:
        headers["X-CSRF-Token"] = _serializer().dumps(CSRF_VALUE)
    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    kwargs = {}
    if form is not None or files is not None:
        kwargs = {"data": form or {}, "files": files}
    elif method in ("POST", "PUT", "PATCH"):
        if is_api:
            kwargs["json"] = {} if body is None else body
        else:
            kwargs["data"] = {} if body is None else body
    return client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
