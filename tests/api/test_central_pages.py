"""Central judging in the browser's terms (forms and pages): the secretariat's desk and a subpanel's
shortlist, a council member's ballots, the list proposed, sent back, approved and published."""

import re
from datetime import datetime, timezone

from sqlmodel import select

from award.models import Entry, EntryStatus, Role
from judging import entry_scores, stages
from judging.models import Assignment, Ballot, JudgeMembership, PanelPlacement, ResultList, ResultStatus, Stage
from tests.factories import IX_PHASE_AT, csrf_from, make_entry, make_user, round_by_number, web_login


def login(client, user):
    client.cookies.clear()
    web_login(client, user)
    return csrf_from(client.get("/dashboard").text)


def test_the_desk_routes_works_adds_judges_and_a_panel_shortlist_goes_to_the_final(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])  # the desk routes, staffs and shortlists the subpanels
    round_ = round_by_number(session, "IX")
    works = [make_entry(session, genre="bình luận", title=f"Bình luận số {i}") for i in range(3)]
    make_entry(session, media_type="photo", genre="bộ ảnh", title="Bộ ảnh biên cương")
    judge = make_user(session, role=Role.judge, full_name="Giám Khảo Trung Ương")
    sec = make_user(session, role=Role.secretariat)
    token = login(client, sec)
    assert "tiểu ban sơ khảo" in client.get("/dashboard").text

    desk = client.get(f"/central/{round_.id}")
    assert "4</strong> tác phẩm đủ điều kiện chưa vào tiểu ban" in desk.text
    client.post(f"/central/{round_.id}/route", data={"csrf_token": token})
    assert session.get(PanelPlacement, works[0].id).panel_code == "print1"
    desk = client.get(f"/central/{round_.id}")
    assert "chưa vào tiểu ban" not in desk.text and "Báo in 1 (xã luận, bình luận, chuyên luận)" in desk.text

    bad = client.post(f"/central/{round_.id}/judges", data={"csrf_token": token, "user_id": str(judge.id),
                                                             "place": "khong-co"})
    assert bad.status_code == 422 and "Tiểu ban không có trong đợt giải này." in bad.text
    client.post(f"/central/{round_.id}/judges", data={"csrf_token": token, "user_id": str(judge.id), "place": "print1"})
    membership = session.exec(select(JudgeMembership).where(JudgeMembership.user_id == judge.id)).one()
    assert (membership.stage, membership.panel_code) == ("preliminary", "print1")

    panel = client.get(f"/central/{round_.id}/panels/print1")
    assert panel.text.count('type="checkbox" name="entry_id"') == 3  # the photo work is in another panel
    assert "Bộ ảnh biên cương" not in panel.text.split("Chuyển tác phẩm sang")[0]
    empty = client.post(f"/central/{round_.id}/panels/print1/advance", data={"csrf_token": token})
    assert empty.status_code == 422 and "Hãy chọn ít nhất một tác phẩm." in empty.text
    client.post(f"/central/{round_.id}/panels/print1/advance",
                data={"csrf_token": token, "entry_id": [str(works[0].id), str(works[2].id)]})
    assert [session.get(Entry, w.id).status for w in works] == [EntryStatus.finalist, EntryStatus.eligible,
                                                               EntryStatus.finalist]
    client.post(f"/central/{round_.id}/panels/print1/move",
                data={"csrf_token": token, "entry_id": str(works[1].id), "panel_code": "print2"})
    placement = session.get(PanelPlacement, works[1].id)
    assert (placement.panel_code, placement.manual) == ("print2", True)

    journalist = make_user(session)
    login(client, journalist)
    assert client.get(f"/central/{round_.id}").status_code == 403


def test_a_large_subpanel_is_shown_a_page_at_a_time_with_its_shortlist_ticked(client, session, clock, monkeypatch):
    monkeypatch.setattr("api.pages.central.PANEL_PAGE_ROWS", 2)  # 100 in use; 2 keeps the test small
    round_ = round_by_number(session, "IX")
    works = [make_entry(session, status="eligible", genre="bình luận", title=f"Bình luận số {i}") for i in range(3)]
    for w in works:
        session.add(PanelPlacement(entry_id=w.id, round_id=round_.id, panel_code="print1"))
    session.flush()
    token = login(client, make_user(session, role=Role.secretariat))

    first = client.get(f"/central/{round_.id}/panels/print1")
    assert "3</strong> tác phẩm đang chấm" in first.text
    assert first.text.count('type="checkbox" name="entry_id"') == 2
    assert "Bình luận số 0" in first.text and "Bình luận số 2" not in first.text.split("Đã vào chung khảo")[0]
    assert 'href="?method=mean&amp;page=2"' in first.text
    second = client.get(f"/central/{round_.id}/panels/print1?page=2")
    rows = second.text.split("Đã vào chung khảo")[0]
    assert second.text.count('type="checkbox" name="entry_id"') == 1 and "Bình luận số 2" in rows
    assert '<span aria-current="page">2</span>' in second.text
    beyond = client.get(f"/central/{round_.id}/panels/print1?page=9")  # past the end: the last page
    assert '<span aria-current="page">2</span>' in beyond.text
    zero = client.get(f"/central/{round_.id}/panels/print1?page=0")  # a hand-edited link: the first page, said
    assert '<span aria-current="page">1</span>' in zero.text and "Số trang: phải lớn hơn" in zero.text
    assert token


def test_the_shortlist_is_ticked_on_whichever_page_its_works_are(client, session, clock, monkeypatch):
    """The works the subpanel's target still has room for, from the top of its ranking, are ticked; the
    ranking is cut page by page by the database, so a shortlist longer than a page goes on to page 2."""
    monkeypatch.setattr("api.pages.central.PANEL_PAGE_ROWS", 2)
    round_ = round_by_number(session, "IX")
    judge = make_user(session, role=Role.judge)
    rubric = stages.rubric_for(session, round_, Stage.preliminary, None)
    works = [make_entry(session, status="eligible", genre="bình luận", title=f"Bình luận hạng {i + 1}")
             for i in range(3)]
    for points, w in zip((90, 80, 70), works, strict=True):
        session.add(PanelPlacement(entry_id=w.id, round_id=round_.id, panel_code="print1"))
        session.add(Assignment(round_id=round_.id, stage=Stage.preliminary, entry_id=w.id, judge_id=judge.id,
                               scores=_scores_for(rubric, points), submitted_at=datetime.now(timezone.utc)))
        session.flush()
        entry_scores.refresh(session, round_id=round_.id, stage=Stage.preliminary, entry_id=w.id, rubric=rubric)
    login(client, make_user(session, role=Role.secretariat))

    def ticked(target: int, page: int) -> list[str]:
        round_.rules = round_.rules | {"shortlist_targets": {"print1": target}}
        session.add(round_)
        session.flush()
        html = client.get(f"/central/{round_.id}/panels/print1?page={page}").text.split("Đã vào chung khảo")[0]
        return re.findall(r'checked aria-label="Chọn (Bình luận hạng \d)"', html)

    assert ticked(2, 1) == ["Bình luận hạng 1", "Bình luận hạng 2"] and ticked(2, 2) == []
    assert ticked(3, 2) == ["Bình luận hạng 3"]
    assert ticked(1, 1) == ["Bình luận hạng 1"]
    # a fourth work with a judge but no sheet submitted: ranked last, without a rank, never ticked
    unscored = make_entry(session, status="eligible", genre="bình luận", title="Bình luận hạng 4")
    session.add(PanelPlacement(entry_id=unscored.id, round_id=round_.id, panel_code="print1"))
    session.add(Assignment(round_id=round_.id, stage=Stage.preliminary, entry_id=unscored.id, judge_id=judge.id))
    session.flush()
    assert ticked(10, 2) == ["Bình luận hạng 3"]
    # the button that advances them shows only while the round's dates allow it (the phase's note says when)
    button = "vào chung khảo</button>"
    assert button not in client.get(f"/central/{round_.id}/panels/print1").text
    clock.set(IX_PHASE_AT["preliminary"])
    login(client, make_user(session, role=Role.secretariat))  # two months on: a new session
    assert button in client.get(f"/central/{round_.id}/panels/print1").text


def _scores_for(rubric, total: int) -> dict[str, str]:
    """Scores of the rubric's criteria adding up to `total` (each within its maximum)."""
    scores, left = {}, total
    for c in (c for c in rubric if not c.bonus):
        scores[c.code] = str(min(left, int(c.max_points)))
        left -= int(scores[c.code])
    return scores


def test_ballots_proposal_return_approval_and_publication_through_the_pages(client, session, clock):
    clock.set(IX_PHASE_AT["final"])
    round_ = round_by_number(session, "IX")
    a, b = (make_entry(session, status="finalist", title=t) for t in ("Giữ lửa chi bộ", "Đảng viên trẻ & <mạng xã hội>"))
    members = [make_user(session, role=Role.judge, full_name=f"Ủy Viên {i}", outlet=f"Tạp chí {i}") for i in range(2)]
    for m in members:
        session.add(JudgeMembership(round_id=round_.id, user_id=m.id, stage="final"))
    session.flush()
    sec, approver = make_user(session, role=Role.secretariat), make_user(session, role=Role.approver)

    token = login(client, sec)
    early = client.post(f"/central/{round_.id}/council/propose", data={"csrf_token": token})
    assert early.status_code == 409 and "đợt giải đang ở giai đoạn “Chấm chung khảo”" in early.text

    for m in members:
        token = login(client, m)
        assert "Bỏ phiếu chung khảo lần thứ IX" in client.get("/dashboard").text
        page = client.get(f"/ballots/{round_.id}")
        assert "Đảng viên trẻ &amp; &lt;mạng xã hội&gt;" in page.text  # escaped
        client.post(f"/ballots/{round_.id}/{a.id}", data={"csrf_token": token, "level": "A"})
        client.post(f"/ballots/{round_.id}/{b.id}", data={"csrf_token": token, "level": "B"})
    assert len(session.exec(select(Ballot)).all()) == 4
    assert "Phiếu của anh/chị: Giải B" in client.get(f"/ballots/{round_.id}").text
    outsider = make_user(session, role=Role.judge)
    login(client, outsider)
    assert client.get(f"/ballots/{round_.id}").status_code == 404

    clock.set(IX_PHASE_AT["approval"])  # the final ended
    token = login(client, sec)
    council = client.get(f"/central/{round_.id}/council")
    assert "Kết quả bỏ phiếu" in council.text and "<strong>Giải A</strong>" in council.text
    client.post(f"/central/{round_.id}/council/propose", data={"csrf_token": token, "note": "Theo biểu quyết"})
    assert session.get(ResultList, round_.id).status == ResultStatus.proposed
    late_ballot = client.post(f"/ballots/{round_.id}/{a.id}", data={"csrf_token": login(client, members[0]), "level": "B"})
    assert late_ballot.status_code == 409 and "Chờ phê duyệt kết quả" in late_ballot.text

    token = login(client, approver)
    assert "Xem và phê duyệt" in client.get("/dashboard").text
    no_reason = client.post(f"/central/{round_.id}/council/return", data={"csrf_token": token, "note": ""})
    assert no_reason.status_code == 422 and "Hãy ghi lý do trả lại danh sách." in no_reason.text
    client.post(f"/central/{round_.id}/council/return", data={"csrf_token": token, "note": "Bổ sung biên bản"})
    assert session.get(ResultList, round_.id).status == ResultStatus.returned

    token = login(client, sec)
    assert "Ban Chỉ đạo trả lại: Bổ sung biên bản" in client.get(f"/central/{round_.id}/council").text
    client.post(f"/central/{round_.id}/council/propose", data={"csrf_token": token})
    token = login(client, approver)
    client.post(f"/central/{round_.id}/council/approve", data={"csrf_token": token})
    assert session.get(ResultList, round_.id).status == ResultStatus.approved

    token = login(client, sec)
    bad_time = client.post(f"/central/{round_.id}/council/publish", data={"csrf_token": token, "publish_at": "mai"})
    assert bad_time.status_code == 422 and "Thời điểm công bố không hợp lệ." in bad_time.text
    client.post(f"/central/{round_.id}/council/publish", data={"csrf_token": token, "publish_at": "2025-02-03T08:00"})
    row = session.get(ResultList, round_.id)
    assert row.status == ResultStatus.published and row.publish_at == datetime(2025, 2, 3, 1, 0, tzinfo=timezone.utc)
    page = client.get(f"/central/{round_.id}/council")
    assert "đang trong thời gian giữ kín" in page.text and "Ghi đính chính" in page.text
    minutes = client.get(f"/api/v1/rounds/{round_.id}/results/minutes.pdf")
    assert minutes.headers["content-type"] == "application/pdf" and minutes.content.startswith(b"%PDF")


def test_the_desk_proposes_no_plan_without_works_and_shows_a_bad_count_under_its_field(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    judge = make_user(session, role=Role.judge, full_name="Giám Khảo Trung Ương")
    token = login(client, make_user(session, role=Role.secretariat))
    client.post(f"/central/{round_.id}/judges", data={"csrf_token": token, "user_id": str(judge.id), "place": "print1"})
    empty = client.post(f"/central/{round_.id}/propose", data={"csrf_token": token, "judges_per_entry": "2"})
    assert empty.status_code == 409 and "Chưa có tác phẩm nào đã nộp để phân công." in empty.text
    assert "lượt chấm" not in empty.text and "Áp dụng đúng phương án này" not in empty.text
    bad = client.post(f"/central/{round_.id}/propose", data={"csrf_token": token, "judges_per_entry": "0"})
    assert bad.status_code == 422
    assert ('<p class="error-text" id="e-judges_per_entry">Số giám khảo chấm mỗi tác phẩm: phải lớn hơn hoặc bằng 1.</p>'
            in bad.text)
    assert 'value="0"' in bad.text
