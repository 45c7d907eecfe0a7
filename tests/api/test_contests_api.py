"""Local contests: screening, forwarding under quota (all or nothing), receipt and eligibility."""

from sqlmodel import select

from award.models import AuditEvent, Entry, EntryStatus, Role, Unit
from judging.models import ForwardedEntry, ForwardingBatch, LocalContest, Screening
from tests.factories import api_login, entry_payload, make_user, round_by_number, screen


def submitted_entries(client, session, n, unit_code="ha-tinh", same_author=False, screened=True):
    """n works submitted to the unit and, unless told otherwise, screened eligible by it (forwardable)."""
    unit_id = session.exec(select(Unit.id).where(Unit.code == unit_code)).one()
    ids = []
    for i in range(n):
        user = make_user(session)
        headers = api_login(client, user)
        over = {"unit_id": unit_id}
        if same_author:
            over["authors"] = [{"full_name": "Nguyễn Văn Chung", "email": "chung@bao.vn"}]
        else:
            over["authors"] = [{"full_name": f"Tác Giả Số {i} {user.id}", "email": user.email}]
        entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, **over)).json()["id"]
        assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200
        ids.append(entry_id)
    if screened:
        screen(client, session, ids, unit_code=unit_code)
    return unit_id, ids


def manager(client, session, unit_code="ha-tinh"):
    return api_login(client, make_user(session, role=Role.unit_manager, unit_code=unit_code))


def test_contest_summary_and_quota(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, _ = submitted_entries(client, session, 2)
    headers = manager(client, session)
    body = client.get(f"/api/v1/units/{unit_id}/rounds/{round_.id}/contest", headers=headers).json()
    assert body == {"quota": 30, "forwarded": 0, "submitted": 2, "status": "open"}
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    assert client.put(f"/api/v1/rounds/{round_.id}/quotas/{unit_id}", headers=secretariat, json={"quota": 1}).json()["quota"] == 1
    assert client.put(f"/api/v1/rounds/{round_.id}/quotas/{unit_id}", headers=headers, json={"quota": 99}).status_code == 403
    other = manager(client, session, "nghe-an")
    assert client.get(f"/api/v1/units/{unit_id}/rounds/{round_.id}/contest", headers=other).status_code == 404


def test_forward_moves_entries_and_records_a_signed_batch(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 3)
    headers = manager(client, session)
    clock.set("2024-10-20T09:00:00+07:00")
    headers = manager(client, session)
    response = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers,
                           json={"entry_ids": ids[:2]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["entry_ids"] == ids[:2] and len(body["digest"]) == 64
    assert [session.get(Entry, i).status for i in ids] == [EntryStatus.forwarded, EntryStatus.forwarded, EntryStatus.screened]
    contest = session.exec(select(LocalContest).where(LocalContest.unit_id == unit_id, LocalContest.round_id == round_.id)).one()
    assert contest.forwarded == 2
    assert sorted(session.exec(select(ForwardedEntry.entry_id)).all()) == sorted(ids[:2])
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "contest.forwarded")).one()
    assert event.data["entry_ids"] == ids[:2]
    summary = client.get(f"/api/v1/units/{unit_id}/rounds/{round_.id}/contest", headers=headers).json()
    assert (summary["forwarded"], summary["status"]) == (2, "forwarded")


def test_forward_over_quota_is_refused_whole(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 3)
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    client.put(f"/api/v1/rounds/{round_.id}/quotas/{unit_id}", headers=secretariat, json={"quota": 2})
    headers = manager(client, session)
    response = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids})
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "quota_exceeded"
    assert "0/2" in response.json()["detail"]["message"]
    assert all(session.get(Entry, i).status == EntryStatus.screened for i in ids)
    assert session.exec(select(ForwardingBatch)).all() == []
    ok = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids[:2]})
    assert ok.status_code == 200
    again = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids[2:]})
    assert again.json()["detail"]["code"] == "quota_exceeded"


def test_forwarding_another_units_or_a_withdrawn_work_is_refused(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 1)
    _, foreign = submitted_entries(client, session, 1, unit_code="nghe-an")
    headers = manager(client, session)
    response = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers,
                           json={"entry_ids": [ids[0], foreign[0]]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "entry_ids", "1"]
    nghe_an = session.exec(select(Unit.id).where(Unit.code == "nghe-an")).one()
    assert client.post(f"/api/v1/units/{nghe_an}/rounds/{round_.id}/forward", headers=headers,
                       json={"entry_ids": foreign}).status_code == 403
    entry = session.get(Entry, ids[0])
    entry.status = EntryStatus.withdrawn
    session.add(entry)
    session.flush()
    withdrawn = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids})
    assert withdrawn.status_code == 409 and withdrawn.json()["detail"]["code"] == "not_forwardable"


def test_one_forwarded_work_per_author(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 2, same_author=True)
    headers = manager(client, session)
    response = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids})
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "author_forward_limit"
    assert client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers,
                       json={"entry_ids": ids[:1]}).status_code == 200
    second = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids[1:]})
    assert second.json()["detail"]["code"] == "author_forward_limit"


def test_local_screening_with_reason_then_not_forwardable(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 1, screened=False)
    headers = manager(client, session)
    missing_reason = client.post(f"/api/v1/entries/{ids[0]}/screening", headers=headers, json={"eligible": False})
    assert missing_reason.status_code == 422
    assert missing_reason.json()["detail"][0]["loc"] == ["body", "reason_code"]
    response = client.post(f"/api/v1/entries/{ids[0]}/screening", headers=headers,
                           json={"eligible": False, "reason_code": "wrong_topic", "note": "Không về xây dựng Đảng"})
    assert response.json() == {"entry_id": ids[0], "eligible": False, "reason_code": "wrong_topic", "status": "ineligible_local"}
    forward = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids})
    assert forward.status_code == 409 and forward.json()["detail"]["code"] == "not_forwardable"
    other = manager(client, session, "nghe-an")
    assert client.post(f"/api/v1/entries/{ids[0]}/screening", headers=other, json={"eligible": True}).status_code == 404


def test_receipt_and_central_eligibility(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 2)
    batch = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=manager(client, session),
                        json={"entry_ids": ids}).json()
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    received = client.post(f"/api/v1/batches/{batch['batch_id']}/receipt", headers=secretariat,
                           json={"postmark_date": "2024-10-28"})
    assert received.status_code == 200
    assert session.get(ForwardingBatch, batch["batch_id"]).postmark_date.isoformat() == "2024-10-28"
    assert client.post(f"/api/v1/batches/{batch['batch_id']}/receipt", headers=secretariat, json={}).status_code == 409
    ok = client.post(f"/api/v1/entries/{ids[0]}/eligibility", headers=secretariat, json={"eligible": True})
    assert ok.json()["status"] == "eligible"
    no = client.post(f"/api/v1/entries/{ids[1]}/eligibility", headers=secretariat,
                     json={"eligible": False, "reason_code": "prior_national_award"})
    assert no.json()["status"] == "ineligible"
    row = session.exec(select(Screening).where(Screening.entry_id == ids[1], Screening.stage == "preliminary")).one()
    assert (row.eligible, row.reason_code) == (False, "prior_national_award")
    journalist = api_login(client, make_user(session))
    assert client.post(f"/api/v1/entries/{ids[0]}/eligibility", headers=journalist, json={"eligible": True}).status_code == 403


def test_forwarding_an_unscreened_work_is_refused_and_nothing_is_written(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 2, screened=False)
    headers = screen(client, session, ids[:1])
    response = client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=headers, json={"entry_ids": ids})
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "not_screened"
    assert response.json()["detail"]["field"] == "entry_ids.1"
    assert [session.get(Entry, i).status for i in ids] == [EntryStatus.screened, EntryStatus.submitted]
    assert session.exec(select(ForwardingBatch)).all() == []


def test_the_unit_returns_a_work_for_completion_and_the_author_resubmits(client, session, clock):
    owner = make_user(session)
    author = api_login(client, owner)
    payload = entry_payload(session)
    entry_id = client.post("/api/v1/entries", headers=author, json=payload).json()["id"]
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=author).status_code == 200
    headers = manager(client, session)
    no_note = client.post(f"/api/v1/entries/{entry_id}/return", headers=headers, json={"note": "  "})
    assert no_note.status_code == 422 and no_note.json()["detail"][0]["loc"] == ["body", "note"]
    returned = client.post(f"/api/v1/entries/{entry_id}/return", headers=headers,
                           json={"note": "Thiếu bản PDF kỳ 2."})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    screened = client.post(f"/api/v1/entries/{entry_id}/screening", headers=headers, json={"eligible": True})
    assert screened.status_code == 409 and screened.json()["detail"]["code"] == "not_screenable"
    fixed = client.patch(f"/api/v1/entries/{entry_id}", headers=author, json={**payload, "title": "Loạt bài đã bổ sung"})
    assert fixed.status_code == 200, fixed.text
    again = client.post(f"/api/v1/entries/{entry_id}/submit", headers=author)
    assert again.status_code == 200 and again.json()["status"] == "submitted"
