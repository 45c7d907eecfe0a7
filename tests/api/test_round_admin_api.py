"""Round administration through the API (docs/API.md "Round administration"): launching a round copied from
another, quotas set all at once, and rules changes that would break the judging already done."""

from sqlmodel import select

from award.models import AuditEvent, Role, Round, Unit
from judging.models import Assignment, JudgeMembership, LocalContest, PanelPlacement, Stage
from tests.factories import api_login, make_entry, make_user, round_by_number

XI_CALENDAR = {"submission_opens": "2026-02-03", "local_deadline": "2026-10-10", "central_deadline": "2026-11-10",
               "preliminary_ends": "2026-12-05", "final_ends": "2027-01-20", "ceremony_on": "2027-02-03"}


def _secretariat(client, session):
    return api_login(client, make_user(session, role=Role.secretariat))


def _unit(session, code: str) -> Unit:
    return session.exec(select(Unit).where(Unit.code == code)).one()


def _quotas(session, round_id: int) -> dict[int, int]:
    return dict(session.exec(select(LocalContest.unit_id, LocalContest.quota)
                             .where(LocalContest.round_id == round_id)).all())


def test_create_round_copying_rules_and_quotas_but_not_outline_or_entries(client, session, clock):
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    client.put(f"/api/v1/rounds/{ix.id}/quotas/{_unit(session, 'ha-tinh').id}", headers=headers, json={"quota": 41})
    make_entry(session)
    response = client.post("/api/v1/rounds", headers=headers, json={
        "number": "xi", "year": 2026, "copy_from_round_id": ix.id, "calendar": XI_CALENDAR})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["number"], body["year"], body["phase"], body["draft"]) == ("XI", 2026, "draft", True)
    assert body["calendar"]["local_deadline"] == "2026-10-10"
    assert body["name"] == "Giải báo chí toàn quốc về xây dựng Đảng (Giải Búa liềm vàng) lần thứ XI – năm 2026"
    session.expire_all()
    ix = round_by_number(session, "IX")
    assert body["rules"] == ix.rules
    assert _quotas(session, body["id"]) == _quotas(session, ix.id) and _quotas(session, body["id"])
    assert _quotas(session, body["id"])[_unit(session, "ha-tinh").id] == 41
    assert client.get(f"/api/v1/rounds/{body['id']}/outline").json()["nodes"] == []
    assert client.get(f"/api/v1/entries?round_id={body['id']}", headers=headers).json()["total"] == 0
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "round.created")).one()
    assert event.data["copy_from"] == ix.id


def test_create_round_without_copy_takes_the_default_rules(client, session, clock):
    response = client.post("/api/v1/rounds", headers=_secretariat(client, session), json={
        "number": "XI", "year": 2026, "name": "Lần XI", "calendar": XI_CALENDAR})
    assert response.status_code == 201, response.text
    assert response.json()["rules"]["prize_counts"] == {"special": 1, "A": 6, "B": 12, "C": 18, "KK": 30}
    assert _quotas(session, response.json()["id"]) == {}


def test_duplicate_number_or_year_is_409_round_exists(client, session, clock):
    headers = _secretariat(client, session)
    same_number = client.post("/api/v1/rounds", headers=headers, json={
        "number": "IX", "year": 2026, "calendar": XI_CALENDAR})
    assert same_number.status_code == 409
    assert same_number.json()["detail"]["code"] == "round_exists"
    assert same_number.json()["detail"]["field"] == "number"
    ix_calendar = {k: v.replace("2026", "2024").replace("2027", "2025") for k, v in XI_CALENDAR.items()}
    same_year = client.post("/api/v1/rounds", headers=headers, json={
        "number": "XI", "year": 2024, "calendar": ix_calendar})
    assert (same_year.status_code, same_year.json()["detail"]["field"]) == (409, "year")
    assert session.exec(select(Round).where(Round.number == "XI")).first() is None


def test_dates_out_of_order_and_a_bad_numeral_are_422_naming_every_field(client, session, clock):
    calendar = {**XI_CALENDAR, "local_deadline": "2026-12-01", "final_ends": "2026-11-01"}
    response = client.post("/api/v1/rounds", headers=_secretariat(client, session), json={
        "number": "11", "year": 2026, "calendar": calendar})
    assert response.status_code == 422
    fields = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert ("body", "number") in fields
    assert ("body", "calendar", "central_deadline") in fields
    assert "không được trước" in fields[("body", "calendar", "central_deadline")]
    assert ("body", "calendar", "final_ends") in fields
    assert session.exec(select(Round).where(Round.year == 2026)).first() is None


def test_only_the_secretariat_creates_rounds(client, session, clock):
    response = client.post("/api/v1/rounds", headers=api_login(client, make_user(session, role=Role.unit_manager)),
                           json={"number": "XI", "year": 2026, "calendar": XI_CALENDAR})
    assert response.status_code == 403


def test_put_quotas_sets_many_at_once(client, session, clock):
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    ha_tinh, ha_noi = _unit(session, "ha-tinh"), _unit(session, "ha-noi")
    response = client.put(f"/api/v1/rounds/{ix.id}/quotas", headers=headers, json={"quotas": [
        {"unit_id": ha_tinh.id, "quota": 12}, {"unit_id": ha_noi.id, "quota": 70}]})
    assert response.status_code == 200, response.text
    assert response.json()["changed"] == 2
    rows = {r["unit_id"]: r for r in response.json()["quotas"]}
    assert (rows[ha_tinh.id]["quota"], rows[ha_noi.id]["quota"]) == (12, 70)
    assert _quotas(session, ix.id) == {ha_tinh.id: 12, ha_noi.id: 70}


def test_put_quotas_is_all_or_nothing(client, session, clock):
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    ha_tinh, ha_noi = _unit(session, "ha-tinh"), _unit(session, "ha-noi")
    session.add(LocalContest(round_id=ix.id, unit_id=ha_tinh.id, quota=30, forwarded=8))
    session.commit()
    response = client.put(f"/api/v1/rounds/{ix.id}/quotas", headers=headers, json={"quotas": [
        {"unit_id": ha_noi.id, "quota": 70}, {"unit_id": ha_tinh.id, "quota": 5}, {"unit_id": 999999, "quota": 3}]})
    assert response.status_code == 422
    fields = {".".join(e["loc"][1:]): e["msg"] for e in response.json()["detail"]}
    assert "Hà Tĩnh" in fields["quotas.1.quota"] and "8" in fields["quotas.1.quota"]
    assert "999999" in fields["quotas.2.unit_id"]
    assert _quotas(session, ix.id) == {ha_tinh.id: 30}  # Hà Nội's valid line was not saved either


def test_patch_refuses_rubric_change_once_sheets_exist(client, session, clock):
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    entry = make_entry(session)
    judge = make_user(session, role=Role.judge)
    session.add(Assignment(round_id=ix.id, stage=Stage.preliminary, entry_id=entry.id, judge_id=judge.id,
                           scores={"content": 20}))
    session.commit()
    rubric = [dict(c) for c in ix.rules["rubric"]]
    rubric[0]["max_points"], rubric[1]["max_points"] = "35", "20"
    response = client.patch(f"/api/v1/rounds/{ix.id}", headers=headers, json={"rules": {"rubric": rubric}})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "rules", "rubric"]
    assert "phiếu chấm" in detail[0]["msg"]
    session.expire_all()
    assert round_by_number(session, "IX").rules["rubric"][0]["max_points"] == "30"


def test_patch_refuses_removing_a_panel_that_holds_works_and_a_media_type_in_use(client, session, clock):
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    entry = make_entry(session, media_type="photo", genre="ảnh đơn")
    session.add(PanelPlacement(entry_id=entry.id, round_id=ix.id, panel_code="photo"))
    session.add(JudgeMembership(round_id=ix.id, user_id=make_user(session, role=Role.judge).id,
                                stage=Stage.preliminary, panel_code="photo"))
    session.commit()
    panels = [p for p in ix.rules["panels"] if p["code"] != "photo"]
    response = client.patch(f"/api/v1/rounds/{ix.id}", headers=headers, json={"rules": {
        "panels": panels, "media_types": ["print", "online", "radio", "tv"]}})
    assert response.status_code == 422
    fields = {".".join(e["loc"][1:]): e["msg"] for e in response.json()["detail"]}
    assert "1 tác phẩm" in fields["rules.panels"] and "1 giám khảo" in fields["rules.panels"]
    assert "Ảnh báo chí" in fields["rules.media_types"]


def test_patch_refuses_prize_counts_below_the_prizes_on_the_list(client, session, clock):
    from judging.models import ResultItem, ResultList, ResultStatus

    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    session.add(ResultList(round_id=ix.id, status=ResultStatus.proposed))
    session.flush()
    for _ in range(3):
        session.add(ResultItem(round_id=ix.id, entry_id=make_entry(session, status="finalist").id, level="A"))
    session.commit()
    response = client.patch(f"/api/v1/rounds/{ix.id}", headers=headers, json={"rules": {
        "prize_counts": {"special": 1, "A": 2, "B": 12, "C": 18, "KK": 30}}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rules", "prize_counts", "A"]


def test_patch_checks_the_rubric_total_and_panel_codes_at_once(client, session, clock):
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    rubric = [dict(c) for c in ix.rules["rubric"]]
    rubric[0]["max_points"] = "40"
    panels = [dict(p) for p in ix.rules["panels"]]
    panels[1]["code"] = "print1"
    response = client.patch(f"/api/v1/rounds/{ix.id}", headers=headers,
                            json={"rules": {"rubric": rubric, "panels": panels}})
    assert response.status_code == 422
    fields = {".".join(e["loc"][1:]) for e in response.json()["detail"]}
    assert "rules.rubric_total" in fields
    assert "rules.panels" in fields or "rules.panels.1.code" in fields


WINDOW_FIELDS = list(XI_CALENDAR) + ["publication_start", "publication_end"]


def _body(field: str, typed: str) -> dict:
    if field in XI_CALENDAR:
        return {"calendar": {field: typed}}
    return {field: typed}


def _refused_field(response, field: str) -> str:
    assert response.status_code == 422, response.text
    messages = {e["loc"][-1]: e["msg"] for e in response.json()["detail"]}
    assert field in messages, messages
    return messages[field]


def test_a_date_outside_the_rounds_years_is_refused_on_create_and_on_change(client, session, clock):
    """The kind: a year typed as 9999 or 1900 saved as a round's ceremony or opening ("nhận tác phẩm từ ngày
    01/01/1900"). Every calendar date and both ends of the publication window, on creating and on changing a
    round: 422 naming the field and the window, nothing written."""
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    before = client.get(f"/api/v1/rounds/{ix.id}", headers=headers).json()
    for field in WINDOW_FIELDS:
        for typed in ("9999-02-03", "1900-01-01"):
            body = _body(field, typed)
            created = client.post("/api/v1/rounds", headers=headers, json={
                "number": "XI", "year": 2026, **body, "calendar": {**XI_CALENDAR, **body.get("calendar", {})}})
            low = "01/01/2025" if field in XI_CALENDAR else "01/01/2024"
            assert f"phải trong khoảng {low} – 31/12/2027 (đợt giải năm 2026)" in _refused_field(created, field)
            changed = client.patch(f"/api/v1/rounds/{ix.id}", headers=headers, json=body)
            assert "(đợt giải năm 2024)" in _refused_field(changed, field), (field, typed)
    assert session.exec(select(Round).where(Round.number == "XI")).first() is None
    assert client.get(f"/api/v1/rounds/{ix.id}", headers=headers).json() == before
    # the window's edges are allowed: the ceremony early in the next year, the publication window from November
    edges = client.patch(f"/api/v1/rounds/{ix.id}", headers=headers, json={
        "publication_start": "2022-01-01", "calendar": {"ceremony_on": "2025-12-31"}})
    assert edges.status_code == 200, edges.text


def test_an_emptied_field_is_named_in_the_message(client, session, clock):
    headers = _secretariat(client, session)
    ix = round_by_number(session, "IX")
    response = client.patch(f"/api/v1/rounds/{ix.id}", headers=headers, json={"name": "   "})
    assert _refused_field(response, "name") == "“Tên đợt giải” không được để trống."
