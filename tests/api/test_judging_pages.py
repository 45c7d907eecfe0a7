"""Judging pages: the unit's jury (propose → preview → apply, ranking) and a judge's score sheet."""

from sqlmodel import select

from award.models import Role
from judging.models import Assignment, AssignmentPlan, JudgeMembership
from tests.api.test_contests_api import submitted_entries
from tests.factories import csrf_from, make_user, round_by_number, web_login


def test_unit_manager_builds_the_jury_and_a_judge_scores(client, session, clock, samples):
    round_ = round_by_number(session, "IX")
    _, ids = submitted_entries(client, session, 2)
    judges = [make_user(session, role=Role.local_judge, unit_code="ha-tinh", full_name=f"Giám Khảo Số {i}") for i in range(2)]
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    page = client.get("/unit/judging")
    token = csrf_from(page.text)
    for judge in judges:
        client.post("/unit/judging/judges", data={"csrf_token": token, "round_id": str(round_.id), "user_id": str(judge.id)})
    proposed = client.post("/unit/judging/propose", data={"csrf_token": token, "round_id": str(round_.id),
                                                          "judges_per_entry": "2"}, follow_redirects=False)
    assert proposed.status_code == 303
    preview = client.get(proposed.headers["location"])
    assert "Phương án đề xuất (4 lượt chấm)" in preview.text and "Giám Khảo Số 1" in preview.text
    assert session.exec(select(Assignment)).all() == []
    plan = session.exec(select(AssignmentPlan)).one()
    client.post("/unit/judging/apply", data={"csrf_token": token, "plan_id": plan.id})
    assert len(session.exec(select(Assignment)).all()) == 4

    client.cookies.clear()
    web_login(client, judges[0])
    queue = client.get("/judging")
    assert "Chưa chấm" in queue.text
    sheet = session.exec(select(Assignment).where(Assignment.judge_id == judges[0].id).order_by(Assignment.id)).first()
    form = client.get(f"/judging/{sheet.id}")
    assert "Nội dung, định hướng (tối đa 30" in form.text
    token = csrf_from(form.text)
    bad = client.post(f"/judging/{sheet.id}", data={"csrf_token": token, "score-content": "120",
                                                    "score-discovery": "abc", "action": "save"})
    assert bad.status_code == 422 and 'id="e-score-content"' in bad.text
    assert "Điểm “Nội dung, định hướng” phải từ 0 đến 30." in bad.text  # the criterion named, nothing capped
    assert 'id="e-score-discovery"' in bad.text and "phải là một số" in bad.text  # every wrong score at once
    assert "Chưa lưu được phiếu chấm. Vui lòng sửa các điểm sau:" in bad.text  # said at the top of the page
    draft = client.post(f"/judging/{sheet.id}", data={"csrf_token": token, "score-content": "27", "action": "save"},
                        follow_redirects=False)
    # the draft saved, the page opens at the score sheet (below the work and its viewer on a phone)
    assert draft.status_code == 303 and draft.headers["location"].endswith(f"/judging/{sheet.id}#cham-diem")
    assert 'id="cham-diem"' in client.get(draft.headers["location"]).text
    done = client.post(f"/judging/{sheet.id}", data={"csrf_token": token, "score-content": "28", "score-discovery": "20",
                                                     "score-form": "21", "score-effect": "17", "comment": "Tốt",
                                                     "action": "submit"}, follow_redirects=False)
    assert done.status_code == 303
    session.refresh(sheet)
    assert sheet.submitted_at is not None and sheet.scores["content"] == "28.00"
    assert "Đã nộp phiếu" in client.get(f"/judging/{sheet.id}").text

    stranger = make_user(session, role=Role.local_judge, unit_code="ha-tinh")
    client.cookies.clear()
    web_login(client, stranger)
    assert client.get(f"/judging/{sheet.id}").status_code == 404

    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    ranking = client.get("/unit/judging?method=median")
    assert "1/4</strong> phiếu chấm đã nộp" in ranking.text and "thiếu phiếu" in ranking.text

    # taking judges off the unit's jury: refused once they submitted a sheet, otherwise their open sheets go
    seats = {m.user_id: m for m in session.exec(select(JudgeMembership)).all()}
    token = csrf_from(ranking.text)
    assert f'action="http://testserver/unit/judging/judges/{seats[judges[1].id].id}/remove"' in ranking.text
    refused = client.post(f"/unit/judging/judges/{seats[judges[0].id].id}/remove", data={"csrf_token": token})
    assert refused.status_code == 409 and "đã nộp 1 phiếu chấm" in refused.text
    removed = client.post(f"/unit/judging/judges/{seats[judges[1].id].id}/remove", data={"csrf_token": token})
    assert removed.status_code == 200 and "Đã rút Giám Khảo Số 1 khỏi hội đồng sơ tuyển của đơn vị." in removed.text
    assert {m.user_id for m in session.exec(select(JudgeMembership)).all()} == {judges[0].id}
    assert {a.judge_id for a in session.exec(select(Assignment)).all()} == {judges[0].id}
    other_unit = make_user(session, role=Role.unit_manager, unit_code="nghe-an")
    client.cookies.clear()
    web_login(client, other_unit)
    token = csrf_from(client.get("/unit/judging").text)
    assert client.post(f"/unit/judging/judges/{seats[judges[0].id].id}/remove",
                       data={"csrf_token": token}).status_code == 404


def test_judge_sees_only_files_of_assigned_works(client, session, clock, samples):
    from tests.factories import api_login

    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 1, screened=False)  # not yet screened: the author adds files
    from award.models import Entry, User

    owner = session.get(User, session.get(Entry, ids[0]).owner_id)
    # the entry is submitted, so its files are fixed; attach one directly through the store-backed API as owner
    judge = make_user(session, role=Role.local_judge, unit_code="ha-tinh")
    other = make_user(session, role=Role.local_judge, unit_code="ha-tinh")
    session.add(Assignment(round_id=round_.id, stage="local", entry_id=ids[0], judge_id=judge.id))
    session.flush()
    headers_owner = api_login(client, owner)
    entry = client.get(f"/api/v1/entries/{ids[0]}", headers=headers_owner).json()
    assert entry["status"] == "submitted"
    upload = client.post(f"/api/v1/entries/{ids[0]}/files", headers=headers_owner,
                         files={"file": ("kich-ban.pdf", samples.pdf(), "application/pdf")})
    assert upload.status_code == 201
    file_id = upload.json()["id"]
    assert client.get(f"/api/v1/entries/{ids[0]}/files/{file_id}", headers=api_login(client, judge),
                      follow_redirects=False).status_code in (200, 307)
    assert client.get(f"/api/v1/entries/{ids[0]}/files/{file_id}", headers=api_login(client, other)).status_code == 404


def test_other_judges_scores_only_when_the_stage_shares_them(client, session, clock):
    from datetime import UTC, datetime

    round_ = round_by_number(session, "IX")
    _, ids = submitted_entries(client, session, 1)
    a, b = (make_user(session, role=Role.local_judge, unit_code="ha-tinh") for _ in range(2))
    mine = Assignment(round_id=round_.id, stage="local", entry_id=ids[0], judge_id=a.id)
    theirs = Assignment(round_id=round_.id, stage="local", entry_id=ids[0], judge_id=b.id,
                        scores={"content": "29.00"}, submitted_at=datetime(2024, 9, 21, tzinfo=UTC))
    session.add_all([mine, theirs])
    session.flush()
    client.cookies.clear()
    web_login(client, a)
    assert "Điểm của các giám khảo khác" not in client.get(f"/judging/{mine.id}").text
    rules = dict(round_.rules)
    rules["stages"] = {**rules["stages"], "local": {**rules["stages"]["local"], "share_scores": True}}
    round_.rules = rules
    session.add(round_)
    session.flush()
    page = client.get(f"/judging/{mine.id}")
    assert "Điểm của các giám khảo khác" in page.text and "29" in page.text and "29.00" not in page.text


def test_no_plan_is_proposed_for_a_unit_without_submitted_works(client, session, clock):
    """Zero works: "propose" says so plainly; never "0 lượt chấm" with an empty table and an apply button."""
    round_ = round_by_number(session, "IX")
    judge = make_user(session, role=Role.local_judge, unit_code="ha-tinh", full_name="Giám Khảo Một")
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    token = csrf_from(client.get("/unit/judging").text)
    client.post("/unit/judging/judges", data={"csrf_token": token, "round_id": str(round_.id), "user_id": str(judge.id)})
    refused = client.post("/unit/judging/propose", data={"csrf_token": token, "round_id": str(round_.id),
                                                         "judges_per_entry": "2"}, follow_redirects=False)
    assert refused.status_code == 409
    assert "Chưa có tác phẩm nào đã nộp để phân công." in refused.text
    assert "Đã lập phương án" not in refused.text and "Áp dụng đúng phương án này" not in refused.text
    assert session.exec(select(AssignmentPlan)).all() == []


def test_a_plan_without_any_sheet_offers_nothing_to_apply(client, session, clock, samples):
    """A plan that gives out no sheet (every work lacks a judge it may have): the page lists why, and offers
    no "apply" for it, and no empty table."""
    from judging.plans import proposed_message

    round_ = round_by_number(session, "IX")
    _, ids = submitted_entries(client, session, 1)
    client.cookies.clear()
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    web_login(client, manager)
    plan = AssignmentPlan(id="ab" * 16, round_id=round_.id, stage="local", unit_id=manager.unit_id,
                          judges_per_entry=2, assignments=[],
                          unassignable=[{"entry_id": ids[0], "reason": "Không đủ giám khảo", "got": 0}],
                          created_by=manager.id, created_at=clock.now)
    session.add(plan)
    session.commit()
    assert proposed_message(plan).startswith("Phương án không có lượt chấm nào: 1 tác phẩm không tìm được")
    page = client.get(f"/unit/judging?round_id={round_.id}&plan_id={plan.id}")
    assert "Phương án đề xuất (0 lượt chấm)" in page.text and "Không đủ giám khảo" in page.text
    assert "không có gì để áp dụng" in page.text and "Áp dụng đúng phương án này" not in page.text
    assert '<th scope="col">Giám khảo</th>' not in page.text  # no empty table


def test_a_refused_submit_says_it_was_not_submitted(client, session, clock, samples):
    round_ = round_by_number(session, "IX")
    _, ids = submitted_entries(client, session, 1)
    judge = make_user(session, role=Role.local_judge, unit_code="ha-tinh")
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    token = csrf_from(client.get("/unit/judging").text)
    client.post("/unit/judging/judges", data={"csrf_token": token, "round_id": str(round_.id), "user_id": str(judge.id)})
    proposed = client.post("/unit/judging/propose", data={"csrf_token": token, "round_id": str(round_.id),
                                                          "judges_per_entry": "1"})
    assert "Áp dụng đúng phương án này" in proposed.text
    client.post("/unit/judging/apply", data={"csrf_token": token, "plan_id": session.exec(select(AssignmentPlan)).one().id})
    sheet = session.exec(select(Assignment)).one()
    client.cookies.clear()
    web_login(client, judge)
    token = csrf_from(client.get(f"/judging/{sheet.id}").text)
    bad = {"csrf_token": token, "score-content": "120", "score-discovery": "abc"}
    submitted = client.post(f"/judging/{sheet.id}", data={**bad, "action": "submit"})
    assert submitted.status_code == 422 and "Chưa nộp được phiếu chấm. Vui lòng sửa các điểm sau:" in submitted.text
    assert "Chưa lưu được" not in submitted.text
    saved = client.post(f"/judging/{sheet.id}", data={**bad, "action": "save"})
    assert saved.status_code == 422 and "Chưa lưu được phiếu chấm. Vui lòng sửa các điểm sau:" in saved.text
    session.refresh(sheet)
    assert sheet.submitted_at is None
