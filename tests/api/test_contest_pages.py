"""The unit's contest page (screen, forward, signed list) and the secretariat's receipt desk."""

import io

from pypdf import PdfReader
from sqlmodel import select

from award.models import Entry, EntryStatus, Role
from judging.models import ForwardingBatch
from tests.api.test_contests_api import submitted_entries
from tests.factories import csrf_from, make_user, round_by_number, web_login


def test_unit_manager_screens_forwards_and_gets_the_signed_list(client, session, clock):
    round_ = round_by_number(session, "IX")
    _, ids = submitted_entries(client, session, 3)
    client.cookies.clear()
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh", full_name="Phạm Tổ Chức")
    web_login(client, manager)
    page = client.get("/unit/contest")
    assert page.status_code == 200 and "3</strong> tác phẩm dự thi" in page.text
    token = csrf_from(page.text)
    refused = client.post(f"/unit/entries/{ids[2]}/screening", data={"csrf_token": token, "eligible": "no"})
    assert refused.status_code == 400 and "Hãy chọn lý do không đủ điều kiện." in refused.text
    client.post(f"/unit/entries/{ids[2]}/screening",
                data={"csrf_token": token, "eligible": "no", "reason_code": "wrong_topic"})
    assert session.get(Entry, ids[2]).status == EntryStatus.ineligible_local
    response = client.post("/unit/contest/forward", data={"csrf_token": token, "round_id": str(round_.id),
                                                          "entry_ids": [str(ids[0]), str(ids[1])]}, follow_redirects=False)
    assert response.status_code == 303
    batch = session.exec(select(ForwardingBatch)).one()
    assert response.headers["location"].endswith(f"/batches/{batch.id}")
    listing = client.get(f"/batches/{batch.id}")
    assert "Phạm Tổ Chức" in listing.text and batch.digest in listing.text
    pdf = client.get(f"/batches/{batch.id}/danh-sach.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "DANH SÁCH TÁC PHẨM GỬI DỰ GIẢI" in text and "Hà Tĩnh" in text and "Phạm Tổ Chức" in text
    assert batch.digest in text.replace("\n", "")


def test_forward_over_quota_shows_the_message_and_changes_nothing(client, session, clock):
    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 2)
    from award.models import Unit
    from judging import contests

    contests.set_quota(session, round_=round_, unit=session.get(Unit, unit_id), quota=1,
                       actor=make_user(session, role=Role.secretariat), now=clock.now)
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    token = csrf_from(client.get("/unit/contest").text)
    response = client.post("/unit/contest/forward", data={"csrf_token": token, "round_id": str(round_.id),
                                                          "entry_ids": [str(i) for i in ids]})
    assert response.status_code == 409
    assert "Vượt chỉ tiêu" in response.text
    assert [session.get(Entry, i).status for i in ids] == [EntryStatus.screened] * 2


def forwarded_batch(client, session, clock, n: int = 1):
    """n works of Hà Tĩnh submitted, screened and forwarded by its manager: (round IX, batch, entry ids)."""
    from award.models import Unit
    from judging import contests

    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, n)
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    batch = contests.forward(session, round_=round_, unit=session.get(Unit, unit_id), entry_ids=ids, actor=manager,
                             now=clock.now)
    return round_, batch, ids


def test_secretariat_records_receipt_and_rules_eligibility(client, session, clock):
    round_, batch, ids = forwarded_batch(client, session, clock)
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.secretariat))
    desk = client.get("/secretariat/batches")
    assert f"Danh sách số {batch.id}" in desk.text
    token = csrf_from(desk.text)
    client.post(f"/secretariat/batches/{batch.id}/receipt", data={"csrf_token": token, "postmark_date": "2024-10-25"})
    session.refresh(batch)
    assert batch.received_at is not None and batch.postmark_date.isoformat() == "2024-10-25"
    client.post(f"/secretariat/entries/{ids[0]}/eligibility",
                data={"csrf_token": token, "eligible": "no", "reason_code": "incomplete"})
    assert session.get(Entry, ids[0]).status == EntryStatus.ineligible
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="nghe-an"))
    assert client.get(f"/batches/{batch.id}").status_code == 404


def test_journalist_sees_the_screening_outcome_with_its_reason(client, session, clock):
    from award.models import User
    from judging import contests

    _, ids = submitted_entries(client, session, 1)
    entry = session.get(Entry, ids[0])
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    contests.screen_locally(session, entry=entry, eligible=False, reason_code="outside_window", note="",
                            actor=manager, now=clock.now)
    client.cookies.clear()
    web_login(client, session.get(User, entry.owner_id))
    page = client.get(f"/entries/{entry.id}")
    assert "Không đủ điều kiện (đơn vị)" in page.text
    assert "lý do: Đăng, phát ngoài thời gian quy định" in page.text


def test_unit_records_a_local_prize_and_adjusts_its_rubric_in_the_browser(client, session, clock):
    from judging import stages
    from judging.models import LocalPrize, Stage

    round_ = round_by_number(session, "IX")
    unit_id, ids = submitted_entries(client, session, 1)
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    page = client.get("/unit/contest")
    assert '<input type="hidden" name="c-0-code" value="content">' in page.text  # kept, never shown
    assert ">Mã<" not in page.text and "Bảng rộng: vuốt ngang" in page.text
    token = csrf_from(page.text)
    client.post(f"/unit/entries/{ids[0]}/local-prize", data={"csrf_token": token, "level": "Nhì"})
    assert session.get(LocalPrize, ids[0]).level == "Nhì"
    bad = client.post("/unit/rubric", data={"csrf_token": token, "round_id": str(round_.id), "c-0-code": "Nội dung",
                                            "c-0-max_points": "50"})
    assert bad.status_code == 422 and "Tiêu chí không hợp lệ" in bad.text
    ok = client.post("/unit/rubric", data={"csrf_token": token, "round_id": str(round_.id),
                                           "c-0-code": "content", "c-0-label": "Nội dung", "c-0-max_points": "70",
                                           "c-1-code": "form", "c-1-label": "Hình thức", "c-1-max_points": "30"},
                     follow_redirects=False)
    assert ok.status_code == 303
    from award.models import Round
    rubric = stages.rubric_for(session, session.get(Round, round_.id), Stage.local, unit_id)
    assert [(c.code, int(c.max_points)) for c in rubric] == [("content", 70), ("form", 30)]
    # a criterion added by its Vietnamese name alone gets a code made from it; "Bỏ" takes one off
    more = client.post("/unit/rubric", data={"csrf_token": token, "round_id": str(round_.id),
                                             "c-0-code": "content", "c-0-label": "Nội dung", "c-0-max_points": "70",
                                             "c-1-code": "form", "c-1-label": "Hình thức", "c-1-max_points": "30",
                                             "c-1-remove": "on",
                                             "c-2-label": "Tính mới, sáng tạo", "c-2-max_points": "20",
                                             "c-3-label": "Tính mới sáng tạo", "c-3-max_points": "10"},
                       follow_redirects=False)
    assert more.status_code == 303, more.text
    rubric = stages.rubric_for(session, session.get(Round, round_.id), Stage.local, unit_id)
    assert [(c.code, c.label) for c in rubric] == [("content", "Nội dung"), ("tinh_moi_sang_tao", "Tính mới, sáng tạo"),
                                                   ("tinh_moi_sang_tao_2", "Tính mới sáng tạo")]
    page = client.get("/unit/contest")
    assert 'value="Tính mới, sáng tạo"' in page.text and "tinh_moi" not in page.text.replace(
        '<input type="hidden" name="c-1-code" value="tinh_moi_sang_tao">', "").replace(
        '<input type="hidden" name="c-2-code" value="tinh_moi_sang_tao_2">', "")


def test_after_the_central_deadline_the_contest_page_says_why_it_offers_no_forwarding(client, session, clock):
    round_ = round_by_number(session, "IX")
    submitted_entries(client, session, 1)
    clock.set("2024-11-20T09:00:00+07:00")  # preliminary judging at the centre
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    page = client.get(f"/unit/contest?round_id={round_.id}").text
    assert "Không thể gửi tác phẩm về Trung ương lúc này" in page and "Chấm sơ khảo" in page
    assert 'name="entry_ids"' not in page and "Gửi các tác phẩm đã chọn" not in page
    assert "Không thể xét điều kiện ở đơn vị lúc này" in page
