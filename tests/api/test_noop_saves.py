"""Saving a record without changing anything writes nothing in its history: a work through every route that saves
it (the entry form, the API's PATCH), and a unit or a round through the API; a real change still writes one row
naming what changed."""

from html.parser import HTMLParser

from sqlmodel import select

from award.models import AuditEvent, Entry, Role, Unit
from tests.factories import api_login, entry_payload, make_user, round_by_number, web_login


def history(session, object_type: str, object_id, action: str) -> list[dict]:
    return list(session.exec(select(AuditEvent.data).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id), AuditEvent.action == action)
        .order_by(AuditEvent.id)).all())


class _Form(HTMLParser):
    """The values a browser sends for the form posting to `action`, as the page shows them (unchanged)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.values = action, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action", "").endswith(self.action)
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n") if not self.values[self._textarea] else data


def form_as_shown(html: str, action: str) -> dict:
    parser = _Form(action)
    parser.feed(html)
    return parser.values


def test_saving_a_work_unchanged_through_the_api_writes_no_history(client, session, clock):
    user = make_user(session)
    headers = api_login(client, user)
    payload = entry_payload(session)
    created = client.post("/api/v1/entries", headers=headers, json=payload).json()
    entry_id = created["id"]
    shown = client.get(f"/api/v1/entries/{entry_id}", headers=headers).json()

    for body in (dict(payload, version=created["version"]), payload, dict(payload, title=f"  {payload['title']} ")):
        response = client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json=body)
        assert response.status_code == 200
        assert response.json() == shown  # the work as it was: same version, same fields
    assert history(session, "entry", entry_id, "entry.updated") == []

    changed = client.patch(f"/api/v1/entries/{entry_id}", headers=headers,
                           json=dict(payload, title="Tên mới", version=created["version"]))
    assert changed.status_code == 200 and changed.json()["version"] == created["version"] + 1
    rows = history(session, "entry", entry_id, "entry.updated")
    assert [r["fields"] for r in rows] == [["title"]] and rows[0]["version"] == created["version"] + 1

    authors = [dict(a) for a in payload["authors"]][::-1]  # the authors' order is part of the work
    assert client.patch(f"/api/v1/entries/{entry_id}", headers=headers,
                        json=dict(payload, title="Tên mới", authors=authors)).status_code == 200
    assert [r["fields"] for r in history(session, "entry", entry_id, "entry.updated")] == [["title"], ["authors"]]


def test_saving_the_entry_form_unchanged_writes_no_history(client, session, clock):
    user = make_user(session, full_name="Trần Văn Bút", outlet="Báo Hà Tĩnh")
    headers = api_login(client, user)
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    web_login(client, user)
    version = session.get(Entry, entry_id).version

    form = form_as_shown(client.get(f"/entries/{entry_id}/edit").text, f"/entries/{entry_id}/edit")
    assert form["title"] and form["version"] == str(version) and form["csrf_token"]
    saved = client.post(f"/entries/{entry_id}/edit", data={**form, "action": "save"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"/entries/{entry_id}")
    page = client.get(saved.headers["location"]).text
    assert "Không có thay đổi nào." in page
    assert history(session, "entry", entry_id, "entry.updated") == []
    session.expire_all()
    assert session.get(Entry, entry_id).version == version
    assert "Sửa thông tin" not in page.split("Lịch sử", 1)[1]

    form = form_as_shown(client.get(f"/entries/{entry_id}/edit").text, f"/entries/{entry_id}/edit")
    saved = client.post(f"/entries/{entry_id}/edit", data={**form, "summary": "Tóm tắt mới.", "action": "save"},
                        follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Đã lưu thay đổi." in page
    assert [r["fields"] for r in history(session, "entry", entry_id, "entry.updated")] == [["summary"]]
    assert page.split("Lịch sử", 1)[1].count("Sửa thông tin") == 1


def test_saving_a_unit_or_a_round_unchanged_writes_no_history(client, session, clock):
    headers = api_login(client, make_user(session, role=Role.secretariat))
    unit = session.exec(select(Unit).where(Unit.code == "ha-tinh")).one()
    same = {"code": unit.code, "name": unit.name, "kind": str(unit.kind)}
    assert client.patch(f"/api/v1/units/{unit.id}", headers=headers, json=same).status_code == 200
    assert client.patch(f"/api/v1/units/{unit.id}", headers=headers, json={}).status_code == 200
    assert history(session, "unit", unit.id, "unit.updated") == []
    assert client.patch(f"/api/v1/units/{unit.id}", headers=headers,
                        json=dict(same, name=unit.name + " (mới)")).status_code == 200
    assert [r["fields"] for r in history(session, "unit", unit.id, "unit.updated")] == [["name"]]

    round_ = round_by_number(session, "IX")
    name = round_.name
    assert client.patch(f"/api/v1/rounds/{round_.id}", headers=headers, json={"name": name}).status_code == 200
    assert history(session, "round", round_.id, "round.updated") == []
    assert client.patch(f"/api/v1/rounds/{round_.id}", headers=headers, json={"name": name + " mới"}).status_code == 200
    assert [r["fields"] for r in history(session, "round", round_.id, "round.updated")] == [["name"]]
