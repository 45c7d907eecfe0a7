"""Units over time through the API (docs/API.md "Round administration"): list by round, create, update,
retire, and an entry refused for a unit that does not take part in the round."""

from sqlmodel import select

from award.models import Role, Unit
from tests.factories import IX_PHASE_AT, api_login, entry_payload, make_entry, make_user, round_by_number


def _secretariat(client, session):
    return api_login(client, make_user(session, role=Role.secretariat))


def test_units_of_a_round_and_all_units_with_their_validity(client, session):
    x = round_by_number(session, "X")
    of_x = client.get(f"/api/v1/units?round_id={x.id}").json()
    assert sum(u["kind"] == "province" for u in of_x) == 34
    tq = next(u for u in of_x if u["code"] == "tuyen-quang-2025")
    assert tq["valid_from"] == "2025-07-01" and tq["valid_to"] is None
    everything = {u["id"]: u for u in client.get("/api/v1/units").json()}
    assert {everything[i]["name"] for i in tq["predecessor_ids"]} == {"Tuyên Quang", "Hà Giang"}
    assert everything[tq["predecessor_ids"][0]]["valid_to"] == "2025-06-30"
    assert client.get("/api/v1/units?round_id=999999").status_code == 404


def test_secretariat_creates_and_updates_a_unit(client, session):
    headers = _secretariat(client, session)
    ha_giang = session.exec(select(Unit).where(Unit.code == "ha-giang")).one()
    created = client.post("/api/v1/units", headers=headers, json={
        "code": "bao-thu-nghiem", "name": "Báo Thử Nghiệm", "kind": "press_agency", "valid_from": "2026-01-01",
        "predecessor_ids": [ha_giang.id]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["code"], body["valid_from"], body["predecessor_ids"]) == ("bao-thu-nghiem", "2026-01-01", [ha_giang.id])
    patched = client.patch(f"/api/v1/units/{body['id']}", headers=headers,
                           json={"name": "Báo Thử Nghiệm Mới", "valid_to": "2027-12-31"})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["valid_to"]) == ("Báo Thử Nghiệm Mới", "2027-12-31")
    assert session.get(Unit, body["id"]).name == "Báo Thử Nghiệm Mới"


def test_bad_unit_input_is_refused_naming_the_field(client, session):
    headers = _secretariat(client, session)
    duplicate = client.post("/api/v1/units", headers=headers, json={"code": "ha-tinh", "name": "Hà Tĩnh 2",
                                                                     "kind": "province"})
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"]["code"] == "unit_exists"
    bad = client.post("/api/v1/units", headers=headers, json={
        "code": "Mã Sai", "name": "", "kind": "province", "valid_from": "2026-02-01", "valid_to": "2026-01-01",
        "predecessor_ids": [999999]})
    assert bad.status_code == 422
    fields = {tuple(d["loc"]) for d in bad.json()["detail"]}
    assert fields == {("body", "code"), ("body", "name"), ("body", "valid_to"), ("body", "predecessor_ids")}
    wrong_kind = client.post("/api/v1/units", headers=headers, json={"code": "x-y", "name": "X", "kind": "planet"})
    assert wrong_kind.status_code == 422 and wrong_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    assert client.patch("/api/v1/units/999999", headers=headers, json={"name": "X"}).status_code == 404
    assert session.exec(select(Unit).where(Unit.code == "x-y")).first() is None


def test_retiring_a_unit_in_use_is_409_naming_the_round(client, session, clock):
    clock.set(IX_PHASE_AT["submission"])
    headers = _secretariat(client, session)
    make_entry(session, status="submitted", round_number="IX", unit_code="lai-chau")
    lai_chau = session.exec(select(Unit).where(Unit.code == "lai-chau")).one()
    response = client.patch(f"/api/v1/units/{lai_chau.id}", headers=headers, json={"valid_to": "2024-06-30"})
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "unit_in_use"
    assert "lần thứ IX" in response.json()["detail"]["message"]
    session.refresh(lai_chau)
    assert lai_chau.valid_to is None


def test_an_entry_for_a_unit_not_in_the_round_is_422(client, session, clock):
    clock.set(IX_PHASE_AT["submission"])
    headers = api_login(client, make_user(session))
    tq_2025 = session.exec(select(Unit.id).where(Unit.code == "tuyen-quang-2025")).one()
    response = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, unit_id=tq_2025))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "unit_id"]
    assert response.json()["detail"][0]["msg"] == "Đơn vị không tham gia đợt giải này."


def test_a_journalist_of_a_merged_province_submits_in_round_x(client, session, clock):
    clock.set("2025-09-01T09:00:00+07:00")  # round X takes entries
    journalist = make_user(session, unit_code="tuyen-quang-2025")
    headers = api_login(client, journalist)
    x = round_by_number(session, "X")
    tq_2025 = session.exec(select(Unit.id).where(Unit.code == "tuyen-quang-2025")).one()
    payload = entry_payload(session, round_id=x.id, unit_id=tq_2025)
    for part in payload["parts"]:
        part["published_on"] = "2025-03-02"
    response = client.post("/api/v1/entries", headers=headers, json=payload)
    assert response.status_code == 201, response.text
    assert response.json()["unit_id"] == tq_2025
    old = session.exec(select(Unit.id).where(Unit.code == "ha-giang")).one()
    refused = client.post("/api/v1/entries", headers=headers, json={**payload, "unit_id": old})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "unit_id"]
