"""The journalist's entry form and entry page, and the unit's list."""

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlmodel import select

from award.models import Entry, EntryPart, EntryStatus, Role, Unit
from api.templating import vn_date
from tests.factories import csrf_from, make_user, round_by_number, web_login


def form_data(session, token, **over):
    round_ = round_by_number(session, "IX")
    unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
    data = {
        "csrf_token": token, "round_id": str(round_.id), "client_token": "tok-1", "unit_id": str(unit_id),
        "title": "Loạt bài: Người giữ lửa ở chi bộ bản", "media_type": "print", "genre": "phóng sự",
        "summary": "Ba kỳ về bí thư chi bộ ở vùng cao.",
        "authors-0-full_name": "Trần Văn Bút", "authors-0-pen_name": "Trần Bút", "authors-0-email": "but@bht.vn",
        "authors-1-full_name": "Lê Thị Mực", "authors-1-email": "muc@bht.vn",
        "parts-0-title": "Kỳ 1", "parts-0-outlet": "Báo Hà Tĩnh", "parts-0-published_on": "2024-02-01",
        "parts-0-url": "https://baohatinh.vn/giu-lua-1.html",
        "parts-1-title": "Kỳ 2", "parts-1-outlet": "Báo Hà Tĩnh", "parts-1-published_on": "2024-02-08",
        "parts-1-url": "https://baohatinh.vn/giu-lua-2.html",
        "parts-2-title": "Kỳ 3", "parts-2-outlet": "Báo Hà Tĩnh", "parts-2-published_on": "2024-02-15",
        "parts-2-url": "https://baohatinh.vn/giu-lua-3.html",
        "action": "save",
    }
    data.update(over)
    return data


def logged_in_journalist(client, session):
    user = make_user(session, full_name="Trần Văn Bút", outlet="Báo Hà Tĩnh")
    web_login(client, user)
    return user


def test_new_form_prefills_the_journalist_as_first_author(client, session, clock):
    logged_in_journalist(client, session)
    page = client.get("/entries/new")
    assert page.status_code == 200
    assert 'name="authors-0-full_name"' in page.text and 'value="Trần Văn Bút"' in page.text
    assert "Gửi tác phẩm dự thi" in page.text


def test_form_creates_three_part_series_with_two_authors(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    response = client.post("/entries/new", data=form_data(session, token), follow_redirects=False)
    assert response.status_code == 303
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    assert response.headers["location"].endswith(f"/entries/{entry.id}")
    parts = session.exec(select(EntryPart).where(EntryPart.entry_id == entry.id).order_by(EntryPart.position)).all()
    assert [p.title for p in parts] == ["Kỳ 1", "Kỳ 2", "Kỳ 3"]
    page = client.get(f"/entries/{entry.id}")
    assert "Bản nháp" in page.text and "Lê Thị Mực" in page.text and "Nộp tác phẩm" in page.text


def test_double_click_creates_one_entry(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    first = client.post("/entries/new", data=form_data(session, token), follow_redirects=False)
    second = client.post("/entries/new", data=form_data(session, token), follow_redirects=False)
    assert first.headers["location"] == second.headers["location"]
    assert len(session.exec(select(Entry).where(Entry.owner_id == user.id)).all()) == 1


def test_error_is_shown_next_to_the_field_and_typed_values_kept(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    response = client.post("/entries/new", data=form_data(session, token, **{"parts-1-published_on": "2022-05-01"}))
    assert response.status_code == 400
    assert 'id="e-parts-1-published_on"' in response.text
    assert "Ngày đăng, phát phải trong khoảng 01/11/2023 – 31/10/2024." in response.text
    assert 'value="Lê Thị Mực"' in response.text and 'value="Kỳ 3"' in response.text
    assert session.exec(select(Entry).where(Entry.owner_id == user.id)).all() == []


def test_the_genre_reads_the_same_on_the_form_and_on_the_works_page(client, session, clock):
    user = logged_in_journalist(client, session)
    form = client.get("/entries/new").text
    assert '<option value="phóng sự" data-media="' in form and ">Phóng sự</option>" in form
    client.post("/entries/new", data=form_data(session, csrf_from(form)))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    page = client.get(f"/entries/{entry.id}").text
    assert "<dt>Thể loại</dt><dd>Phóng sự</dd>" in page


def test_add_and_remove_rows_without_script_keep_what_was_typed(client, session, clock):
    logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    added = client.post("/entries/new", data=form_data(session, token, action="add-parts"))
    assert added.status_code == 200
    assert 'name="parts-3-outlet"' in added.text and 'value="Kỳ 3"' in added.text
    removed = client.post("/entries/new", data=form_data(session, token, action="remove-authors-0"))
    assert 'value="Lê Thị Mực"' in removed.text and 'name="authors-1-full_name"' not in removed.text


def test_title_with_html_is_escaped_on_the_page(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token, title='<script>alert(1)</script>Bài viết'))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    page = client.get(f"/entries/{entry.id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Bài viết" in page.text
    assert "<script>alert(1)</script>" not in page.text


def test_submit_and_withdraw_from_the_entry_page(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    page = client.get(f"/entries/{entry.id}")
    client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(page.text)})
    session.refresh(entry)
    assert entry.status == EntryStatus.submitted
    page = client.get(f"/entries/{entry.id}")
    assert "Bản nháp → Đã nộp" in page.text
    when = f"lúc {vn_date(entry.submitted_at)}"  # by the badge "Đã nộp": "Đã nộp lúc …", the verb once
    assert f'<span class="muted">{when}</span>' in page.text and "nộp lúc" not in page.text
    client.post(f"/entries/{entry.id}/withdraw", data={"csrf_token": csrf_from(page.text)})
    session.refresh(entry)
    assert entry.status == EntryStatus.withdrawn


def test_deadline_passed_between_loading_and_submitting(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    clock.set("2024-10-10T23:00:00+07:00")
    web_login(client, user)
    page = client.get(f"/entries/{entry.id}")
    clock.set("2024-10-11T00:00:01+07:00")  # midnight passes while the page is open
    response = client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 409
    assert "Không thể nộp tác phẩm lúc này" in response.text
    assert "03/02/2024 – 10/10/2024" in response.text  # when it could have been done
    session.refresh(entry)
    assert entry.status == EntryStatus.draft


def test_second_tab_edit_is_refused_with_message(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    tab_a = client.get(f"/entries/{entry.id}/edit").text
    tab_b = client.get(f"/entries/{entry.id}/edit").text
    version = str(entry.version)
    assert f'name="version" value="{version}"' in tab_a
    ok = client.post(f"/entries/{entry.id}/edit", data=form_data(session, csrf_from(tab_a), title="Bản sửa A", version=version),
                     follow_redirects=False)
    assert ok.status_code == 303
    stale = client.post(f"/entries/{entry.id}/edit",
                        data=form_data(session, csrf_from(tab_b), title="Bản sửa B", version=version))
    assert stale.status_code == 400
    assert "vừa được sửa ở một cửa sổ khác" in stale.text
    assert 'value="Bản sửa B"' in stale.text
    session.refresh(entry)
    assert entry.title == "Bản sửa A"


def test_another_journalists_entry_page_is_404(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    client.cookies.clear()
    web_login(client, make_user(session))
    assert client.get(f"/entries/{entry.id}").status_code == 404
    assert client.get(f"/entries/{entry.id}/edit").status_code == 404


def test_unit_manager_lists_submitted_entries_with_filters(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(client.get(f"/entries/{entry.id}").text)})
    client.cookies.clear()
    web_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    listed = client.get("/unit/entries?status=submitted&media_type=print")
    assert "Người giữ lửa ở chi bộ bản" in listed.text
    assert "1 tác phẩm." in listed.text
    assert "Người giữ lửa" not in client.get("/unit/entries?media_type=tv").text
    assert "Đã nộp" in client.get("/dashboard").text


def test_an_incomplete_work_is_not_submitted_and_the_page_says_what_is_missing(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token, **{"parts-2-url": ""}))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    page = client.get(f"/entries/{entry.id}")
    response = client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 409
    assert "Hồ sơ chưa đầy đủ" in response.text and "kỳ 3" in response.text
    session.refresh(entry)
    assert entry.status == EntryStatus.draft


def submitted_through_the_pages(client, session):
    """A journalist, logged in, who created and submitted a complete work through the pages."""
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(client.get(f"/entries/{entry.id}").text)})
    return user, entry


def test_a_returned_work_shows_the_units_note_to_its_author_who_completes_and_resubmits(client, session, clock):
    from tests.factories import api_login

    user, entry = submitted_through_the_pages(client, session)
    manager = api_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    returned = client.post(f"/api/v1/entries/{entry.id}/return", headers=manager,
                           json={"note": "Bổ sung bản PDF trang báo kỳ 3."})
    assert returned.status_code == 200
    client.cookies.clear()
    web_login(client, user)
    page = client.get(f"/entries/{entry.id}").text
    assert "Đơn vị trả lại tác phẩm để bổ sung: Bổ sung bản PDF trang báo kỳ 3." in page
    assert "Sửa thông tin" in page and "Nộp tác phẩm" in page
    client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(page)})
    session.refresh(entry)
    assert entry.status == EntryStatus.submitted


def test_returning_a_work_is_refused_once_entries_close_since_its_author_could_not_resubmit(client, session, clock):
    from tests.factories import api_login

    user, entry = submitted_through_the_pages(client, session)
    clock.set("2024-10-20T09:00:00+07:00")
    manager = api_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    late = client.post(f"/api/v1/entries/{entry.id}/return", headers=manager, json={"note": "Bổ sung."})
    assert late.status_code == 409 and late.json()["detail"]["code"] == "phase_closed"
    session.refresh(entry)
    assert entry.status == EntryStatus.submitted


def test_a_refused_submission_stays_on_the_works_page_with_the_reason(client, session, clock):
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token, **{"parts-1-url": ""}))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    page = client.get(f"/entries/{entry.id}").text
    assert "Chưa nộp được:" in page and "kỳ 2" in page  # warned before trying
    refused = client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 409
    assert entry.title in refused.text and "Hồ sơ chưa đầy đủ" in refused.text and "Sửa thông tin" in refused.text
    # the requirement once, in the refusal, not again in the warning below it
    assert refused.text.count("cho kỳ 2.") == 1 and "Chưa nộp được:" not in refused.text


def test_every_problem_of_the_entry_form_is_shown_at_once(client, session, clock):
    logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    response = client.post("/entries/new", data=form_data(session, token, **{
        "title": "", "genre": "", "parts-0-published_on": "2026-13-32", "parts-1-url": "javascript:alert(1)"}))
    assert response.status_code == 400
    for field in ("title", "genre", "parts-0-published_on", "parts-1-url"):
        assert f'id="e-{field}"' in response.text, field
    assert session.exec(select(Entry)).all() == []


# Each required field of the form, left blank, and what the person reads next to it (and in the list on top).
REQUIRED = {
    "title": "Vui lòng nhập tên tác phẩm.",
    "unit_id": "Vui lòng chọn đơn vị tổ chức giải cơ sở nhận tác phẩm.",
    "media_type": "Vui lòng chọn loại hình.",
    "genre": "Vui lòng chọn thể loại.",
    "authors-0-full_name": "Vui lòng nhập họ tên tác giả.",
    "parts-0-outlet": "Vui lòng nhập cơ quan báo chí đăng, phát.",
    "parts-0-published_on": "Vui lòng nhập ngày đăng, phát.",
}


def _named(page: str, field: str, message: str) -> bool:
    """The message next to its field and, linked to the field, in the list of problems on top (there after the
    row it is in: "Kỳ 1: ", api.templating.field_place; test_the_list_of_errors_says_which_part_… spells it)."""
    from api.templating import field_place

    return (f'<p class="error-text" id="e-{field}">{message}</p>' in page
            and f'<a href="#f-{field}">{field_place(field)}{message}</a>' in page)


def _problems_listed(page: str) -> int:
    return page.count('<li><a href="#f-')


@pytest.mark.parametrize("field", list(REQUIRED))
def test_each_required_field_left_blank_is_named_with_what_to_do(client, session, clock, field):
    logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    response = client.post("/entries/new", data=form_data(session, token, **{field: ""}))
    assert response.status_code == 400
    assert _named(response.text, field, REQUIRED[field]), field
    assert _problems_listed(response.text) == 1
    assert "không hợp lệ" not in response.text  # a missing value is not a wrong one
    assert session.exec(select(Entry)).all() == []


def test_a_form_with_only_title_and_summary_names_every_missing_field_on_the_first_try(client, session, clock):
    """What a journalist sends who fills in the title and the summary and saves: the new form's own rows (the
    journalist as first author, one empty part). Every missing field is named at once, each saying what to do,
    not some now and the rest after the first ones are fixed."""
    logged_in_journalist(client, session)
    page = client.get("/entries/new").text
    round_ = round_by_number(session, "IX")
    response = client.post("/entries/new", data={
        "csrf_token": csrf_from(page), "round_id": str(round_.id), "client_token": "tok-2", "unit_id": "",
        "title": "Chống tin bịa đặt trên mạng xã hội", "media_type": "", "genre": "",
        "summary": "Loạt bài phản ánh cách các chi bộ đấu tranh phản bác các quan điểm sai trái.",
        "authors-0-full_name": "", "authors-0-email": "",
        "parts-0-title": "", "parts-0-outlet": "", "parts-0-published_on": "", "parts-0-url": "",
        "action": "save"})
    assert response.status_code == 400
    blank = {f: m for f, m in REQUIRED.items() if f != "title"}
    for field, message in blank.items():
        assert _named(response.text, field, message), field
    assert _problems_listed(response.text) == len(blank)
    assert "không hợp lệ" not in response.text and "không có trong thể lệ" not in response.text


def test_a_wrong_genre_is_named_with_a_missing_media_type(client, session, clock):
    """Both problems of the kind of work at once: the genre is judged against the round's genres while the
    media type is missing."""
    logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    response = client.post("/entries/new", data=form_data(session, token, media_type="", genre="tiểu thuyết"))
    assert response.status_code == 400
    assert _named(response.text, "media_type", "Vui lòng chọn loại hình.")
    assert _named(response.text, "genre", "Thể loại không có trong thể lệ của đợt giải.")


def draft_breaking_two_rules(client, session):
    """A journalist's three-part draft, part 3 without its link, in a round whose rules then allow two parts at
    most: (user, entry)."""
    user = logged_in_journalist(client, session)
    token = csrf_from(client.get("/entries/new").text)
    client.post("/entries/new", data=form_data(session, token, **{"parts-2-url": ""}))
    entry = session.exec(select(Entry).where(Entry.owner_id == user.id)).one()
    round_ = round_by_number(session, "IX")
    round_.rules = {**round_.rules, "max_parts": 2}
    session.add(round_)
    session.commit()
    return user, entry


def test_a_refused_submission_names_every_requirement_at_once(client, session, clock):
    """A draft that breaks the round's rules (they changed after it was saved: two parts at most now) and lacks
    a file: submitting names both, each where it is, rather than one per attempt."""
    user, entry = draft_breaking_two_rules(client, session)
    page = client.get(f"/entries/{entry.id}").text
    refused = client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(page)})
    assert refused.status_code in (409, 422)
    assert "Chưa thực hiện được; hãy sửa 2 điểm sau:" in refused.text
    assert "Loạt bài tối đa 2 kỳ." in refused.text and "Hồ sơ chưa đầy đủ" in refused.text and "kỳ 3" in refused.text
    assert refused.text.count("cho kỳ 3.") == 1
    session.refresh(entry)
    assert entry.status == EntryStatus.draft


def test_the_api_lists_every_requirement_of_a_refused_submission(client, session, clock):
    from tests.factories import api_login

    user, entry = draft_breaking_two_rules(client, session)
    response = client.post(f"/api/v1/entries/{entry.id}/submit", headers=api_login(client, user))
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "parts"], ["body", "files"]]


def test_the_draft_page_says_before_submitting_that_an_author_has_the_contests_number_of_works(client, session, clock):
    """The author limit (2 works per author in one unit's contest) is said on the third work's page as soon as
    the other two are submitted, not first on pressing "Nộp tác phẩm"; a refused submission says it once."""
    user = logged_in_journalist(client, session)
    for n in range(3):
        urls = {f"parts-{i}-url": f"https://baohatinh.vn/giu-lua-{n}-{i}.html" for i in range(3)}
        client.post("/entries/new", data=form_data(session, csrf_from(client.get("/entries/new").text),
                                                   client_token=f"tok-{n}", title=f"Người giữ lửa, loạt {n + 1}",
                                                   **urls))
    first, second, third = session.exec(select(Entry).where(Entry.owner_id == user.id).order_by(Entry.id)).all()
    limit = "Trần Văn Bút đã có 2 tác phẩm khác dự thi ở đơn vị này; mỗi tác giả được tối đa 2."
    assert limit not in client.get(f"/entries/{third.id}").text
    for entry in (first, second):
        client.post(f"/entries/{entry.id}/submit", data={"csrf_token": csrf_from(client.get(f"/entries/{entry.id}").text)})
    page = client.get(f"/entries/{third.id}").text
    assert f"Chưa nộp được: {limit} Lê Thị Mực đã có 2" in page
    # the button is still there (its refusal names the reason) but no longer drawn as the page's next step
    assert 'class="button secondary" aria-describedby="chua-nop-duoc"' in page and 'id="chua-nop-duoc"' in page
    # a draft saved now is told at once that uploading will not make it submittable
    fourth = client.post("/entries/new", data=form_data(session, csrf_from(client.get("/entries/new").text),
                                                        client_token="tok-4", title="Người giữ lửa, loạt 4",
                                                        **{f"parts-{i}-url": f"https://baohatinh.vn/giu-lua-4-{i}.html"
                                                           for i in range(3)}))
    assert "Đã lưu bản nháp. Tác phẩm chưa nộp được: xem lý do bên dưới." in fourth.text
    assert "Tải tệp lên rồi bấm" not in fourth.text
    refused = client.post(f"/entries/{third.id}/submit", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 422  # two authors over it: each named under their own field
    assert "Chưa thực hiện được; hãy sửa 2 điểm sau:" in refused.text
    assert refused.text.count(limit) == 1 and "Lê Thị Mực đã có 2 tác phẩm khác" in refused.text
    assert "Chưa nộp được:" not in refused.text
    session.refresh(third)
    assert third.status == EntryStatus.draft


def test_reloading_a_form_refused_in_place_goes_back_to_the_page_it_was_on(client, session, clock):
    """A form refused in place is shown at its action's address (/entries/12/submit). Reloading it asks that
    address with GET: every page address that only takes forms sends the reader to the nearest page above it
    (a newcomer met "Phương thức không được hỗ trợ" there). The API keeps its 405."""
    routes = [(rc.path, set(getattr(rc, "methods", None) or ())) for rc in iter_route_contexts(client.app.routes)]
    page_methods: dict[str, set[str]] = {}
    for path, methods in routes:  # a path may have a GET route and a POST route: only a path with no GET counts
        page_methods.setdefault(path, set()).update(methods)
    post_only = sorted(path for path, methods in page_methods.items()
                       if methods and "GET" not in methods and not path.startswith("/api/"))
    assert "/entries/{entry_id}/submit" in post_only and len(post_only) > 20
    web_login(client, make_user(session, role=Role.secretariat))  # signed in: no address stops at the login page
    redirected = 0
    def concrete(path: str) -> str:  # every path parameter 1
        return re.sub(r"\{[^}]+\}", "1", path)

    for path in post_only:
        address = concrete(path)
        reloaded = client.get(address, follow_redirects=False)
        assert reloaded.status_code != 405, path
        if reloaded.status_code != 303:  # another page's address too (/admin/users/import is /admin/users/{id})
            continue
        redirected += 1
        above = reloaded.headers["location"]
        assert address.startswith(above.rstrip("/") + "/") or above == "/", (address, above)
        assert client.get(above).status_code not in (405, 500), (address, above)
    assert redirected > 20
    assert client.get("/entries/12/submit", follow_redirects=False).headers["location"] == "/entries/12"
    api_post_only = next(path for path, methods in page_methods.items()
                         if methods == {"POST"} and path.startswith("/api/") and "{" in path)
    assert client.get(concrete(api_post_only)).status_code == 405


def test_the_list_of_errors_says_which_part_each_refusal_is_about(client, session, clock):
    """Three parts whose links another work already has: the form's list of errors names the part of each
    (the same sentence three times alike told nothing); the message under each field stays as it is."""
    logged_in_journalist(client, session)
    urls = {f"parts-{i}-url": f"https://baohatinh.vn/lap-lai-{i}.html" for i in range(3)}
    client.post("/entries/new", data=form_data(session, csrf_from(client.get("/entries/new").text),
                                               client_token="first", **urls))
    again = client.post("/entries/new", data=form_data(session, csrf_from(client.get("/entries/new").text),
                                                       client_token="again", title="Một tác phẩm khác", **urls))
    assert again.status_code == 400
    taken = "Đường dẫn này đã có trong một tác phẩm khác của đợt giải."
    for i in range(3):
        assert f'<a href="#f-parts-{i}-url">Kỳ {i + 1}: {taken}</a>' in again.text
        assert f'<p class="error-text" id="e-parts-{i}-url">{taken}</p>' in again.text
