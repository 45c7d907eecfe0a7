"""Judging through the API, on the local stage: judges, conflicts, propose → apply, scores, ranking."""

from decimal import Decimal

from sqlmodel import select

from award.models import AuditEvent, Entry, Role, Unit
from judging.models import Assignment
from tests.api.test_contests_api import submitted_entries
from tests.factories import api_login, entry_payload, make_user, round_by_number, screen
from tests.support.jobs import run_jobs


def setup_local(client, session, n_entries=3):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, n_entries, screened=False)  # the jury scores before screening
    manager = api_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    judges = [make_user(session, role=Role.local_judge, unit_code="ha-tinh", full_name=f"Giám Khảo {i}",
                        outlet=f"Đài Phát Thanh {i}") for i in range(3)]
    for judge in judges:
        response = client.post(f"/api/v1/rounds/{round_.id}/judges", headers=manager,
                               json={"user_id": judge.id, "stage": "local"})
        assert response.status_code == 201, response.text
    return round_, unit_id, ids, manager, judges


def test_propose_preview_apply_and_conflicts(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session)
    outlet_judge = judges[0]
    outlet_judge.outlet = "Báo Hà Tĩnh"  # every entry was published by Báo Hà Tĩnh: a conflict
    session.add(outlet_judge)
    session.flush()
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager,
                       json={"judges_per_entry": 3}).json()
    assert {a["judge_id"] for a in plan["assignments"]} == {judges[1].id, judges[2].id}
    assert len(plan["assignments"]) == 2 * len(ids)
    assert [u["entry_id"] for u in plan["unassignable"]] == ids
    assert plan["unassignable"][0]["reason"] == "Chỉ có 2/3 giám khảo không xung đột lợi ích"
    assert session.exec(select(Assignment)).all() == []  # a preview writes no assignment
    applied = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager,
                          json={"plan_id": plan["plan_id"]})
    assert applied.status_code == 200 and len(applied.json()) == 2 * len(ids)
    stored = sorted((a.entry_id, a.judge_id) for a in session.exec(select(Assignment)))
    assert stored == sorted((a["entry_id"], a["judge_id"]) for a in plan["assignments"])
    again = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager,
                        json={"plan_id": plan["plan_id"]})
    assert again.status_code == 409
    by_hand = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments", headers=manager,
                          json={"entry_id": ids[0], "judge_id": outlet_judge.id})
    assert by_hand.status_code == 403
    assert "Cùng cơ quan báo chí" in by_hand.json()["detail"]["message"]


def test_scoring_autosave_submit_lock_reopen_and_ranking(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=2)
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager,
                       json={"judges_per_entry": 2}).json()
    client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager, json={"plan_id": plan["plan_id"]})
    tokens = {j.id: api_login(client, j) for j in judges}
    mine = {j.id: client.get("/api/v1/judging/assignments", headers=tokens[j.id]).json() for j in judges}
    judge = judges[0] if mine[judges[0].id] else judges[1]
    sheet = mine[judge.id][0]
    assert sheet["status"] == "assigned"

    too_high = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=tokens[judge.id],
                          json={"scores": {"content": 31}})
    assert too_high.status_code == 422
    assert too_high.json()["detail"][0]["loc"] == ["body", "scores", "content"]
    assert "phải từ 0 đến 30" in too_high.json()["detail"][0]["msg"]
    not_number = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=tokens[judge.id],
                            json={"scores": {"form": "mười"}})
    assert not_number.status_code == 422

    draft = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=tokens[judge.id],
                       json={"scores": {"content": 25}, "comment": "Đang đọc"})
    assert draft.json()["status"] == "in_progress"
    incomplete = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=tokens[judge.id],
                            json={"scores": {"content": 25}, "submit": True})
    assert incomplete.status_code == 422
    full = {"content": 25, "discovery": 20, "form": 20, "effect": 15}
    done = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=tokens[judge.id],
                      json={"scores": full, "submit": True})
    assert done.json()["status"] == "submitted"
    locked = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=tokens[judge.id],
                        json={"scores": full})
    assert locked.status_code == 409 and locked.json()["detail"]["code"] == "already_submitted"

    other = next(j for j in judges if j.id != judge.id)
    assert client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=tokens[other.id],
                      json={"scores": full}).status_code == 403

    ranking = client.get(f"/api/v1/rounds/{round_.id}/stages/local/ranking", headers=manager).json()
    scored = next(r for r in ranking if r["entry_id"] == sheet["entry_id"])
    assert (scored["rank"], Decimal(scored["score"]), scored["n_scores"]) == (1, Decimal("80.00"), 1)
    assert "missing_sheets" in scored["flags"]
    for offset, limit in ((0, 1), (1, 1), (1, 5), (5, 2)):  # a page of the same ranking, its length in a header
        page = client.get(f"/api/v1/rounds/{round_.id}/stages/local/ranking",
                          params={"offset": offset, "limit": limit}, headers=manager)
        assert (page.json(), page.headers["x-total-count"]) == (ranking[offset:offset + limit], str(len(ranking)))
    refused = client.get(f"/api/v1/rounds/{round_.id}/stages/local/ranking", params={"limit": 1001}, headers=manager)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "limit"]

    assert client.post(f"/api/v1/judging/assignments/{sheet['id']}/reopen", headers=manager).json()["status"] == "in_progress"
    events = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.object_type == "assignment"))]
    assert events == ["judging.score_saved", "judging.sheet_submitted", "judging.sheet_reopened"]


def test_scoring_after_the_stage_closed_is_409(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager,
                       json={"judges_per_entry": 1}).json()
    client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager, json={"plan_id": plan["plan_id"]})
    judge = next(j for j in judges if j.id == plan["assignments"][0]["judge_id"])
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    stages = dict(round_.rules["stages"])
    stages["local"] = {**stages["local"], "closed": True}
    assert client.patch(f"/api/v1/rounds/{round_.id}", headers=secretariat, json={"rules": {"stages": stages}}).status_code == 200
    headers = api_login(client, judge)
    sheet = client.get("/api/v1/judging/assignments", headers=headers).json()[0]
    response = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=headers, json={"scores": {"content": 10}})
    assert response.status_code == 409 and response.json()["detail"]["code"] == "stage_closed"


def test_a_declared_conflict_blocks_scoring(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager,
                       json={"judges_per_entry": 1}).json()
    client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager, json={"plan_id": plan["plan_id"]})
    judge = next(j for j in judges if j.id == plan["assignments"][0]["judge_id"])
    headers = api_login(client, judge)
    assert client.post(f"/api/v1/rounds/{round_.id}/conflicts", headers=headers,
                       json={"entry_id": ids[0], "reason": "Người thân của tác giả"}).status_code == 201
    sheet = client.get("/api/v1/judging/assignments", headers=headers).json()[0]
    response = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=headers, json={"scores": {"content": 10}})
    assert response.status_code == 403
    assert "Đã khai báo xung đột lợi ích" in response.json()["detail"]["message"]


def test_journalist_and_other_unit_cannot_run_judging(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    journalist = api_login(client, make_user(session))
    assert client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=journalist,
                       json={"judges_per_entry": 1}).status_code == 403
    other = api_login(client, make_user(session, role=Role.unit_manager, unit_code="nghe-an"))
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager,
                       json={"judges_per_entry": 1}).json()
    assert client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=other,
                       json={"plan_id": plan["plan_id"]}).status_code == 404


def test_unit_adjusts_its_local_rubric_and_scores_follow_it(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    rubric = [{"code": "content", "label": "Nội dung", "max_points": 60},
              {"code": "form", "label": "Hình thức", "max_points": 40}]
    assert client.put(f"/api/v1/units/{unit_id}/rounds/{round_.id}/rubric", headers=manager,
                      json={"criteria": rubric}).status_code == 200
    bad = client.put(f"/api/v1/units/{unit_id}/rounds/{round_.id}/rubric", headers=manager,
                     json={"criteria": [{"code": "x", "label": "X", "max_points": -1}]})
    assert bad.status_code == 422
    other = api_login(client, make_user(session, role=Role.unit_manager, unit_code="nghe-an"))
    assert client.put(f"/api/v1/units/{unit_id}/rounds/{round_.id}/rubric", headers=other,
                      json={"criteria": rubric}).status_code == 403
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/propose", headers=manager,
                       json={"judges_per_entry": 1}).json()
    client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments/apply", headers=manager, json={"plan_id": plan["plan_id"]})
    judge = next(j for j in judges if j.id == plan["assignments"][0]["judge_id"])
    headers = api_login(client, judge)
    sheet = client.get("/api/v1/judging/assignments", headers=headers).json()[0]
    ok = client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=headers,
                    json={"scores": {"content": 55, "form": 35}, "submit": True})
    assert ok.status_code == 200, ok.text
    ranking = client.get(f"/api/v1/rounds/{round_.id}/stages/local/ranking", headers=manager).json()
    assert Decimal(ranking[0]["score"]) == Decimal("90.00")


def test_local_prizes_are_recorded_and_public(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=2)
    unscreened = client.put(f"/api/v1/entries/{ids[0]}/local-prize", headers=manager, json={"level": "Nhất"})
    assert unscreened.status_code == 409 and unscreened.json()["detail"]["code"] == "not_awardable"
    screen(client, session, ids, headers=manager)
    assert client.put(f"/api/v1/entries/{ids[0]}/local-prize", headers=manager, json={"level": "Nhất"}).json()["level"] == "Nhất"
    assert client.put(f"/api/v1/entries/{ids[1]}/local-prize", headers=manager, json={"level": "Hạng 1"}).status_code == 422
    public = client.get(f"/api/v1/units/{unit_id}/rounds/{round_.id}/prizes").json()
    assert [(p["entry_id"], p["level"]) for p in public] == [(ids[0], "Nhất")]
    page = client.get(f"/rounds/{round_.id}/units/{unit_id}/prizes")
    assert "Kết quả cuộc thi cơ sở – Hà Tĩnh" in page.text and "Nhất" in page.text
    assert "Hà Tĩnh" in client.get(f"/rounds/{round_.id}").text


def test_a_local_prize_list_keeps_what_was_awarded_whatever_the_author_does_later(client, session, clock):
    """The incident: after a local prize A, the author changed the title, authors and unit and withdrew the
    work, and the unit's public list showed the new text."""
    round_ = round_by_number(session, "IX")
    owner = make_user(session)
    author = api_login(client, owner)
    payload = entry_payload(session)
    entry_id = client.post("/api/v1/entries", headers=author, json=payload).json()["id"]
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=author).status_code == 200
    manager = screen(client, session, [entry_id])
    assert client.put(f"/api/v1/entries/{entry_id}/local-prize", headers=manager, json={"level": "A"}).status_code == 200
    nghe_an = session.exec(select(Unit.id).where(Unit.code == "nghe-an")).one()
    edit = client.patch(f"/api/v1/entries/{entry_id}", headers=author, json={
        **payload, "title": "Tên khác hẳn", "unit_id": nghe_an, "authors": [{"full_name": "Người Khác"}]})
    assert edit.status_code == 409 and edit.json()["detail"]["code"] == "not_editable"
    assert client.post(f"/api/v1/entries/{entry_id}/withdraw", headers=author).status_code == 200
    unit_id = payload["unit_id"]
    public = client.get(f"/api/v1/units/{unit_id}/rounds/{round_.id}/prizes").json()
    assert public == [{"entry_id": entry_id, "title": payload["title"], "level": "A",
                       "authors": ["Trần Văn Bút (Trần Bút)", "Lê Thị Mực"]}]
    page = client.get(f"/rounds/{round_.id}/units/{unit_id}/prizes").text
    assert payload["title"] in page and "Tên khác hẳn" not in page


def test_the_unit_of_a_submitted_work_never_changes(client, session, clock):
    owner = make_user(session)
    author = api_login(client, owner)
    payload = entry_payload(session)
    entry_id = client.post("/api/v1/entries", headers=author, json=payload).json()["id"]
    nghe_an = session.exec(select(Unit.id).where(Unit.code == "nghe-an")).one()
    assert client.patch(f"/api/v1/entries/{entry_id}", headers=author, json={**payload, "unit_id": nghe_an}).status_code == 200
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=author).status_code == 200
    moved = client.patch(f"/api/v1/entries/{entry_id}", headers=author, json={**payload, "unit_id": payload["unit_id"]})
    assert moved.status_code == 422 and moved.json()["detail"][0]["loc"] == ["body", "unit_id"]
    assert session.get(Entry, entry_id).unit_id == nghe_an


def test_remove_an_assignment_by_hand_unless_submitted(client, session, clock):
    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    added = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments", headers=manager,
                        json={"entry_id": ids[0], "judge_id": judges[1].id})
    assert added.status_code == 201
    assert client.delete(f"/api/v1/judging/assignments/{added.json()['id']}", headers=manager).status_code == 204
    assert session.exec(select(Assignment)).all() == []
    again = client.post(f"/api/v1/rounds/{round_.id}/stages/local/assignments", headers=manager,
                        json={"entry_id": ids[0], "judge_id": judges[1].id}).json()
    judge = api_login(client, judges[1])
    client.put(f"/api/v1/judging/assignments/{again['id']}/score", headers=judge,
               json={"scores": {"content": 20, "discovery": 20, "form": 20, "effect": 10}, "submit": True})
    assert client.delete(f"/api/v1/judging/assignments/{again['id']}", headers=manager).status_code == 409


def test_pages_of_a_pdf_weigh_in_the_load(client, session, clock, samples):
    from award.models import EntryFile
    from judging import juries

    round_, unit_id, ids, manager, judges = setup_local(client, session, n_entries=1)
    from award.models import Entry, User

    entry = session.get(Entry, ids[0])
    owner_headers = api_login(client, session.get(User, entry.owner_id))
    import io

    from pypdf import PdfWriter
    writer = PdfWriter()
    for _ in range(20):
        writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    assert client.post(f"/api/v1/entries/{entry.id}/files", headers=owner_headers,
                       files={"file": ("bai.pdf", buf.getvalue(), "application/pdf")}).status_code == 201
    run_jobs(session, now=clock.now)  # the worker reads the PDF (its pages) out of the upload request
    assert session.exec(select(EntryFile.pages).where(EntryFile.entry_id == entry.id)).one() == 20
    session.expire_all()
    info = juries.entry_infos(session, [session.get(Entry, entry.id)])[entry.id]
    assert info.load == 1 + 0.5 + 2.0  # two parts, twenty pages
