"""The secretariat's unit pages and the entry form's units (issue 14 item 2)."""

from datetime import date

from sqlmodel import select

from award.models import Role, Unit, UnitPredecessor
from tests.factories import IX_PHASE_AT, csrf_from, make_entry, make_user, round_by_number, web_login


def _login(client, session):
    web_login(client, make_user(session, role=Role.secretariat))


def test_list_searches_ignoring_diacritics_and_filters_by_round(client, session):
    _login(client, session)
    page = client.get("/admin/units?q=tuyen quang")
    assert page.status_code == 200
    assert "Tuyên Quang" in page.text and "tuyen-quang-2025" in page.text and "Hà Giang" in page.text  # predecessors
    x = round_by_number(session, "X")
    of_x = client.get(f"/admin/units?round_id={x.id}&kind=province").text
    assert "34 đơn vị" in of_x and "<code>binh-duong</code>" not in of_x and "<code>tuyen-quang-2025</code>" in of_x
    assert "63 đơn vị" in client.get("/admin/units?on=2024-10-10&kind=province").text
    assert 'href="http://testserver/admin/units"' in client.get("/dashboard").text


def test_create_a_unit_with_every_error_then_success(client, session):
    _login(client, session)
    form = client.get("/admin/units/new")
    token = csrf_from(form.text)
    bad = client.post("/admin/units", data={"csrf_token": token, "code": "Sai Mã", "name": "", "kind": "province",
                                            "valid_from": "2026-02-01", "valid_to": "2026-01-01"})
    assert bad.status_code == 400
    assert "Hãy nhập tên đơn vị." in bad.text and "Mã đơn vị chỉ gồm" in bad.text and "không được trước" in bad.text
    ok = client.post("/admin/units", data={"csrf_token": token, "code": "dang-bo-moi", "name": "Đảng bộ Mới",
                                           "kind": "central_committee", "valid_from": "2026-01-01"},
                     follow_redirects=False)
    assert ok.status_code == 303
    assert "Đã thêm đơn vị Đảng bộ Mới." in client.get(ok.headers["location"]).text
    unit = session.exec(select(Unit).where(Unit.code == "dang-bo-moi")).one()
    assert unit.valid_from == date(2026, 1, 1)


def test_merge_makes_a_new_unit_and_ends_the_old_ones_the_day_before(client, session):
    _login(client, session)
    old = session.exec(select(Unit).where(Unit.code.in_(["bao-lao-dong", "bao-tien-phong"]))).all()
    page = client.get("/admin/units/merge")
    assert "Báo Lao Động" in page.text
    response = client.post("/admin/units/merge", data={
        "csrf_token": csrf_from(page.text), "unit_ids": [str(u.id) for u in old], "code": "bao-hop-nhat",
        "name": "Báo Hợp Nhất", "kind": "press_agency", "valid_from": "2027-01-01"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "Đã hợp nhất 2 đơn vị thành Báo Hợp Nhất" in client.get(response.headers["location"]).text
    new = session.exec(select(Unit).where(Unit.code == "bao-hop-nhat")).one()
    preds = session.exec(select(UnitPredecessor.predecessor_id).where(UnitPredecessor.unit_id == new.id)).all()
    assert set(preds) == {u.id for u in old}
    for u in old:
        session.refresh(u)
        assert u.valid_to == date(2026, 12, 31)


def test_a_merge_with_one_unit_writes_nothing(client, session):
    _login(client, session)
    page = client.get("/admin/units/merge")
    one = session.exec(select(Unit.id).where(Unit.code == "bao-lao-dong")).one()
    response = client.post("/admin/units/merge", data={"csrf_token": csrf_from(page.text), "unit_ids": [str(one)],
                                                       "code": "x", "name": "X", "kind": "press_agency",
                                                       "valid_from": "2027-01-01"})
    assert response.status_code == 400 and "Hãy chọn ít nhất hai đơn vị để hợp nhất." in response.text
    assert session.exec(select(Unit).where(Unit.code == "x")).first() is None


def test_retiring_a_unit_in_use_is_refused_with_the_round(client, session, clock):
    clock.set(IX_PHASE_AT["submission"])
    _login(client, session)
    make_entry(session, status="submitted", round_number="IX", unit_code="son-la")
    son_la = session.exec(select(Unit).where(Unit.code == "son-la")).one()
    page = client.get(f"/admin/units/{son_la.id}")
    assert 'data-confirm="Cho đơn vị Sơn La ngừng hoạt động' in page.text
    response = client.post(f"/admin/units/{son_la.id}/retire", data={"csrf_token": csrf_from(page.text),
                                                                     "valid_to": "2024-06-30"})
    assert response.status_code == 400
    assert "lần thứ IX – năm 2024" in response.text
    session.refresh(son_la)
    assert son_la.valid_to is None
    ok = client.post(f"/admin/units/{son_la.id}/retire", data={"csrf_token": csrf_from(page.text),
                                                               "valid_to": "2030-12-31"}, follow_redirects=False)
    assert ok.status_code == 303
    assert "Đơn vị Sơn La ngừng hoạt động sau ngày 31/12/2030." in client.get(ok.headers["location"]).text


def test_entry_form_offers_only_the_rounds_units_and_preselects_the_last_one(client, session, clock):
    clock.set("2025-09-01T09:00:00+07:00")  # round X takes entries
    journalist = make_user(session, unit_code="ha-giang")
    web_login(client, journalist)
    x = round_by_number(session, "X")
    form = client.get(f"/entries/new?round_id={x.id}").text
    tq = session.exec(select(Unit).where(Unit.code == "tuyen-quang-2025")).one()
    ha_giang = session.exec(select(Unit).where(Unit.code == "ha-giang")).one()
    assert f'<option value="{tq.id}" selected>Tuyên Quang</option>' in form  # the account's unit's successor
    assert f'value="{ha_giang.id}"' not in form and "Bình Dương" not in form
    assert 'data-filter-list="f-unit_id"' in form
    # the last entry's unit wins over the account's
    entry = make_entry(session, status="submitted", round_number="X", unit_code="lai-chau")
    entry.owner_id = journalist.id
    session.add(entry)
    session.flush()
    lai_chau = session.exec(select(Unit.id).where(Unit.code == "lai-chau")).one()
    assert f'<option value="{lai_chau}" selected>' in client.get(f"/entries/new?round_id={x.id}").text


def test_entry_form_refuses_a_unit_not_in_the_round(client, session, clock):
    clock.set(IX_PHASE_AT["submission"])
    web_login(client, make_user(session))
    ix = round_by_number(session, "IX")
    form = client.get(f"/entries/new?round_id={ix.id}")
    tq = session.exec(select(Unit.id).where(Unit.code == "tuyen-quang-2025")).one()
    response = client.post("/entries/new", data={
        "csrf_token": csrf_from(form.text), "round_id": str(ix.id), "unit_id": str(tq), "title": "Bài thử",
        "media_type": "print", "genre": "phóng sự", "authors-0-full_name": "Nguyễn Văn A",
        "parts-0-outlet": "Báo X", "parts-0-published_on": "2024-03-01"})
    assert response.status_code in (400, 422)
    assert "Đơn vị không tham gia đợt giải này." in response.text
