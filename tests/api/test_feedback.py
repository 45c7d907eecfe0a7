"""Issue 17 item 3: every action says what happened (a flash message, shown once), a refusal never ends on a
bare error page (a form whose page does not show the reason itself goes back to that page with the reason
on top, nothing written), an empty assignment plan and a publication time already past are refused with
the reason."""

import re

from sqlmodel import select

from award.models import Entry, EntryStatus, Role
from judging.models import AssignmentPlan, ResultList, ResultStatus
from tests.api.test_central_pages import login
from tests.api.test_contest_pages import forwarded_batch
from tests.api.test_contests_api import submitted_entries
from tests.api.test_results_pages import build_list
from tests.factories import IX_PHASE_AT, csrf_from, make_entry, make_user, round_by_number, web_login


def flash(page) -> str | None:
    found = re.search(r'<div class="alert flash (\w+)" role="\w+"><p>(.*?)</p>', page.text, re.S)
    return f"{found.group(1)}: {found.group(2)}" if found else None


def test_a_units_screening_and_forwarding_each_say_what_happened(client, session, clock):
    round_ = round_by_number(session, "IX")
    _, ids = submitted_entries(client, session, 2)
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    token = csrf_from(client.get("/unit/contest").text)
    for entry_id in ids:
        client.post(f"/unit/entries/{entry_id}/screening", data={"csrf_token": token, "eligible": "yes"},
                    follow_redirects=False)
    page = client.get("/unit/contest")
    assert flash(page) == f"success: Đã xét “{session.get(Entry, ids[1]).title}”: đủ điều kiện."
    assert flash(client.get("/unit/contest")) is None  # once
    sent = client.post("/unit/contest/forward", data={"csrf_token": token, "round_id": str(round_.id),
                                                      "entry_ids": [str(i) for i in ids]})
    assert sent.status_code == 200 and "success: Đã gửi 2 tác phẩm về Trung ương (danh sách số" in flash(sent)


def test_a_refused_eligibility_ruling_goes_back_to_the_desk_with_the_reason_and_writes_nothing(client, session, clock):
    round_, batch, ids = forwarded_batch(client, session, clock)
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.secretariat))
    desk_url = f"http://testserver/secretariat/batches?round_id={round_.id}"
    token = csrf_from(client.get(desk_url).text)
    received = client.post(f"/secretariat/batches/{batch.id}/receipt", data={"csrf_token": token})
    assert flash(received) == f"success: Đã ghi nhận tiếp nhận danh sách số {batch.id} (1 tác phẩm)."
    # "Not eligible" without a reason: the case that used to end on "LỖI 422".
    refused = client.post(f"/secretariat/entries/{ids[0]}/eligibility", headers={"Referer": desk_url},
                          data={"csrf_token": token, "eligible": "no"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == f"/secretariat/batches?round_id={round_.id}"
    back = client.get(refused.headers["location"])
    assert flash(back).startswith("error: ") and "lý do" in flash(back)
    assert session.get(Entry, ids[0]).status == EntryStatus.received
    # Without a page to go back to (a script, no Referer), the answer stays the error itself.
    bare = client.post(f"/secretariat/entries/{ids[0]}/eligibility", data={"csrf_token": token, "eligible": "no"})
    assert bare.status_code == 422
    ruled = client.post(f"/secretariat/entries/{ids[0]}/eligibility", data={"csrf_token": token, "eligible": "yes"})
    assert flash(ruled) == f"success: Đã xét “{session.get(Entry, ids[0]).title}”: đủ điều kiện dự giải."


def test_another_sites_referer_is_not_followed(client, session, clock):
    unit_id, ids = submitted_entries(client, session, 1)
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.secretariat))
    token = csrf_from(client.get("/secretariat/batches").text)
    response = client.post(f"/secretariat/entries/{ids[0]}/eligibility", headers={"Referer": "https://evil.example/x"},
                           data={"csrf_token": token, "eligible": "no"}, follow_redirects=False)
    assert response.status_code != 303


def test_an_empty_assignment_plan_is_refused_with_the_reason(client, session, clock):
    from judging import juries, panels
    from judging.models import PanelPlacement, Stage

    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    work = make_entry(session, status="eligible")  # from Hà Tĩnh
    secretariat = make_user(session, role=Role.secretariat)
    panels.route_round(session, round_=round_, actor=secretariat, now=clock.now)
    # The subpanel's only judge belongs to the work's own unit: a conflict, so no pair can be assigned.
    judge = make_user(session, role=Role.judge, unit_code="ha-tinh")
    juries.add_judge(session, round_=round_, user=judge, stage=Stage.preliminary,
                     panel_code=session.get(PanelPlacement, work.id).panel_code, actor=secretariat, now=clock.now)
    token = login(client, secretariat)
    proposed = client.post(f"/central/{round_.id}/propose", data={"csrf_token": token, "judges_per_entry": "1"})
    assert proposed.status_code == 200, proposed.text
    plan = session.exec(select(AssignmentPlan).where(AssignmentPlan.round_id == round_.id)).one()
    assert plan.assignments == [] and plan.unassignable
    applied = client.post(f"/central/{round_.id}/apply", data={"csrf_token": token, "plan_id": plan.id})
    assert applied.status_code == 409
    assert "Phương án không có lượt chấm nào nên không có gì để áp dụng. 1 tác phẩm không tìm được đủ giám khảo" \
        in applied.text
    assert session.get(AssignmentPlan, plan.id).applied_at is None


def test_a_publication_time_already_past_is_refused_rather_than_publishing_at_once(client, session, clock):
    ready = build_list(client, session, clock, publish=False)
    token = login(client, make_user(session, role=Role.secretariat))
    past = client.post(f"/central/{ready.round.id}/council/publish",
                       data={"csrf_token": token, "publish_at": "2025-01-20T08:00"})
    assert past.status_code == 422 and "đã qua" in past.text
    assert session.get(ResultList, ready.round.id).status == ResultStatus.approved
    later = client.post(f"/central/{ready.round.id}/council/publish",
                        data={"csrf_token": token, "publish_at": "2025-02-03T08:00"})
    assert flash(later) == ("success: Đã hẹn công bố danh sách giải lúc 2025-02-03 08:00 (giờ Việt Nam); "
                            "đến giờ đó trang kết quả mới mở.")


def test_the_author_follows_the_work_up_to_the_centre_but_not_its_judging(client, session, clock):
    from award import audit
    from award.models import User

    _, ids = submitted_entries(client, session, 1)
    entry = session.get(Entry, ids[0])
    entry.status = EntryStatus.finalist  # as the centre's judging leaves it (the events below tell how)
    session.add(entry)
    secretariat = make_user(session, role=Role.secretariat)
    for action, data in (("judging.assigned", {"judge_id": 1}), ("entry.status", {"from": "eligible", "to": "finalist"}),
                         ("judging.ballot_cast", {"level": "A"})):
        audit.record(session, actor_id=secretariat.id, action=action, object_type="entry", object_id=entry.id,
                     now=clock.now, data=data)
    session.flush()
    client.cookies.clear()
    web_login(client, session.get(User, entry.owner_id))
    page = client.get(f"/entries/{entry.id}").text
    history = page[page.index('<ol class="history">'):]
    assert "Tạo bản nháp" in history and "Vào chung khảo" not in history and "judging." not in history
    assert "bỏ phiếu" not in history
    login(client, secretariat)
    everything = client.get(f"/entries/{entry.id}").text
    assert "Vào chung khảo" in everything and "Bỏ phiếu chung khảo" in everything
