"""Entries API: the rules of the round, enforced on the server with the field named."""

from sqlmodel import select

from award.models import AuditEvent, Entry, EntryAuthor, EntryPart, EntryStatus, Role
from tests.factories import api_login, entry_payload, make_user, round_by_number


def journalist_headers(client, session, **kw):
    user = make_user(session, **kw)
    return user, api_login(client, user)


def test_create_draft_series_with_two_authors(client, session, clock):
    user, headers = journalist_headers(client, session)
    response = client.post("/api/v1/entries", headers=headers, json=entry_payload(session))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert [a["full_name"] for a in body["authors"]] == ["Trần Văn Bút", "Lê Thị Mực"]
    assert [p["published_on"] for p in body["parts"]] == ["2024-03-02", "2024-03-09"]
    entry = session.get(Entry, body["id"])
    assert entry.owner_id == user.id
    assert len(session.exec(select(EntryPart).where(EntryPart.entry_id == entry.id)).all()) == 2
    event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "entry", AuditEvent.object_id == str(entry.id))).one()
    assert event.action == "entry.created"


def test_part_outside_publication_window_names_the_field(client, session, clock):
    _, headers = journalist_headers(client, session)
    payload = entry_payload(session)
    payload["parts"][1]["published_on"] = "2024-11-02"
    response = client.post("/api/v1/entries", headers=headers, json=payload)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", "parts", "1", "published_on"]
    assert "01/11/2023 – 31/10/2024" in error["msg"]
    assert session.exec(select(Entry).where(Entry.title == payload["title"])).first() is None


def test_too_many_parts_and_authors_are_refused(client, session, clock):
    _, headers = journalist_headers(client, session)
    payload = entry_payload(session)
    payload["parts"] = [dict(payload["parts"][0], url=f"https://baohatinh.vn/ky-{i}.html") for i in range(6)]
    response = client.post("/api/v1/entries", headers=headers, json=payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "parts"]
    assert "tối đa 5 kỳ" in response.json()["detail"][0]["msg"]

    payload = entry_payload(session)
    payload["authors"] = [{"full_name": f"Tác Giả {i}"} for i in range(8)]
    response = client.post("/api/v1/entries", headers=headers, json=payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "authors"]


def test_unknown_media_type_and_genre(client, session, clock):
    _, headers = journalist_headers(client, session)
    response = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, media_type="podcast"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "media_type"]
    response = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, genre="tiểu thuyết"))
    assert response.json()["detail"][0]["loc"] == ["body", "genre"]


def test_genre_is_stored_as_the_rules_spell_it(client, session, clock):
    _, headers = journalist_headers(client, session)
    response = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, genre="PHONG SU"))
    assert response.status_code == 201
    assert response.json()["genre"] == "phóng sự"


def test_national_press_award_winner_is_ineligible(client, session, clock):
    _, headers = journalist_headers(client, session)
    payload = entry_payload(session, prior_awards=[{"name": "Giải Báo chí Quốc gia lần thứ XVII", "level": "B", "year": 2024}])
    response = client.post("/api/v1/entries", headers=headers, json=payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "prior_awards", "0", "name"]


def test_same_url_already_entered_in_round_is_refused(client, session, clock):
    _, first = journalist_headers(client, session)
    payload = entry_payload(session)
    assert client.post("/api/v1/entries", headers=first, json=payload).status_code == 201
    _, second = journalist_headers(client, session)
    copy = entry_payload(session)
    copy["parts"][0]["url"] = payload["parts"][0]["url"].replace("https://", "http://www.") + "?utm_source=fb"
    response = client.post("/api/v1/entries", headers=second, json=copy)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "parts", "0", "url"]
    assert response.json()["detail"][0]["msg"] == "Đường dẫn này đã có trong một tác phẩm khác của đợt giải."


def test_submit_before_deadline_then_409_when_submitting_again(client, session, clock):
    _, headers = journalist_headers(client, session)
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    response = client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers)
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    again = client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"]["code"] == "already_submitted"
    events = session.exec(select(AuditEvent.data).where(AuditEvent.action == "entry.status",
                                                         AuditEvent.object_id == str(entry_id))).all()
    assert events == [{"from": "draft", "to": "submitted"}]


def test_deadline_is_end_of_day_in_vietnam(client, session, clock):
    clock.set("2024-10-10T20:00:00+07:00")
    user, headers = journalist_headers(client, session)
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    clock.set("2024-10-10T23:59:59+07:00")  # still 10 October in Hà Nội (16:59 UTC)
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200

    other = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    clock.set("2024-10-10T17:00:00+00:00")  # 00:00 on 11 October in Hà Nội
    late = client.post(f"/api/v1/entries/{other}/submit", headers=headers)
    assert late.status_code == 409
    assert late.json()["detail"]["code"] == "phase_closed"
    assert "10/10/2024" in late.json()["detail"]["message"]
    assert "Chấm sơ tuyển ở đơn vị" in late.json()["detail"]["message"]
    assert session.get(Entry, other).status == EntryStatus.draft


def test_per_author_limit_in_the_same_contest(client, session, clock):
    _, headers = journalist_headers(client, session)
    author = {"full_name": "Nguyễn Văn Chăm", "email": "cham@baohatinh.vn"}
    ids = []
    for i in range(3):
        payload = entry_payload(session, authors=[dict(author, full_name="NGUYEN VAN CHAM" if i == 2 else author["full_name"])])
        ids.append(client.post("/api/v1/entries", headers=headers, json=payload).json()["id"])
    for entry_id in ids[:2]:
        assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200
    third = client.post(f"/api/v1/entries/{ids[2]}/submit", headers=headers)
    assert third.status_code == 409
    assert third.json()["detail"]["code"] == "author_limit"
    assert third.json()["detail"]["field"] == "authors.0.full_name"
    assert third.json()["detail"]["message"] == (  # the page puts "Tác giả 1: " before it
        "NGUYEN VAN CHAM đã có 2 tác phẩm khác dự thi ở đơn vị này; mỗi tác giả được tối đa 2.")


def test_withdraw_then_the_author_may_submit_another(client, session, clock):
    _, headers = journalist_headers(client, session)
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers)
    response = client.post(f"/api/v1/entries/{entry_id}/withdraw", headers=headers)
    assert response.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/entries/{entry_id}/withdraw", headers=headers).status_code == 409


def test_closed_round_accepts_no_entries(client, session, clock):
    _, headers = journalist_headers(client, session)
    response = client.post("/api/v1/entries", headers=headers,
                           json=entry_payload(session, round_id=round_by_number(session, "VIII").id))
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "phase_closed"
    assert "Đã kết thúc" in response.json()["detail"]["message"]


def test_double_submit_with_idempotency_key_creates_one_entry(client, session, clock):
    user, headers = journalist_headers(client, session)
    payload = entry_payload(session)
    headers = {**headers, "Idempotency-Key": "form-7c1e"}
    first = client.post("/api/v1/entries", headers=headers, json=payload)
    second = client.post("/api/v1/entries", headers=headers, json=payload)
    assert first.json()["id"] == second.json()["id"]
    assert len(session.exec(select(Entry).where(Entry.owner_id == user.id)).all()) == 1


def test_another_journalists_entry_is_404(client, session, clock):
    _, owner = journalist_headers(client, session)
    entry_id = client.post("/api/v1/entries", headers=owner, json=entry_payload(session)).json()["id"]
    _, stranger = journalist_headers(client, session)
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/submit"), ("post", "/withdraw")]:
        kwargs = {"json": entry_payload(session)} if method == "patch" else {}
        response = getattr(client, method)(f"/api/v1/entries/{entry_id}{path}", headers=stranger, **kwargs)
        assert response.status_code == 404, (method, path)
    assert session.get(Entry, entry_id).status == EntryStatus.draft


def test_stale_version_from_a_second_tab_is_refused(client, session, clock):
    _, headers = journalist_headers(client, session)
    created = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()
    tab_a = dict(entry_payload(session), title="Sửa ở thẻ A", version=created["version"])
    tab_b = dict(entry_payload(session), title="Sửa ở thẻ B", version=created["version"])
    assert client.patch(f"/api/v1/entries/{created['id']}", headers=headers, json=tab_a).status_code == 200
    response = client.patch(f"/api/v1/entries/{created['id']}", headers=headers, json=tab_b)
    assert response.status_code == 409
    assert response.json()["detail"]["code"] == "stale_version"
    assert session.get(Entry, created["id"]).title == "Sửa ở thẻ A"


def test_html_in_title_is_kept_as_text(client, session, clock):
    _, headers = journalist_headers(client, session)
    title = '<script>alert("x")</script> Bài về Đảng'
    body = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, title=title)).json()
    assert body["title"] == title


def test_delete_draft_only(client, session, clock):
    _, headers = journalist_headers(client, session)
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    assert client.delete(f"/api/v1/entries/{entry_id}", headers=headers).status_code == 204
    assert session.get(Entry, entry_id) is None
    assert session.exec(select(EntryAuthor).where(EntryAuthor.entry_id == entry_id)).all() == []


def test_list_is_scoped_by_role(client, session, clock):
    _, a = journalist_headers(client, session)
    _, b = journalist_headers(client, session)
    mine = client.post("/api/v1/entries", headers=a, json=entry_payload(session)).json()["id"]
    theirs = client.post("/api/v1/entries", headers=b, json=entry_payload(session)).json()["id"]
    client.post(f"/api/v1/entries/{theirs}/submit", headers=b)
    assert [e["id"] for e in client.get("/api/v1/entries", headers=a).json()["items"]] == [mine]

    manager = api_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    listed = client.get("/api/v1/entries?status=submitted", headers=manager).json()
    assert theirs in [e["id"] for e in listed["items"]]
    assert mine not in [e["id"] for e in listed["items"]]  # drafts are the journalist's own business

    other_unit = api_login(client, make_user(session, role=Role.unit_manager, unit_code="nghe-an"))
    assert client.get("/api/v1/entries", headers=other_unit).json() == {"items": [], "total": 0}
    assert client.get(f"/api/v1/entries/{theirs}", headers=other_unit).status_code == 404


def test_unit_manager_cannot_create_entries(client, session, clock):
    manager = api_login(client, make_user(session, role=Role.unit_manager, unit_code="ha-tinh"))
    assert client.post("/api/v1/entries", headers=manager, json=entry_payload(session)).status_code == 403


def test_a_photo_entry_without_images_is_not_submitted_until_it_has_one(client, session, clock, samples):
    """The incident: a photo entry with no file was submitted (and forwarded without screening)."""
    _, headers = journalist_headers(client, session)
    payload = entry_payload(session, media_type="photo", genre="bộ ảnh")
    entry_id = client.post("/api/v1/entries", headers=headers, json=payload).json()["id"]
    refused = client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "incomplete"
    assert "ảnh" in refused.json()["detail"]["message"] and "kỳ 1, kỳ 2" in refused.json()["detail"]["message"]
    assert session.get(Entry, entry_id).status == EntryStatus.draft
    for image in (samples.png(), samples.jpeg()):
        name = "anh.png" if image.startswith(b"\x89PNG") else "anh.jpg"
        assert client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": (name, image, "application/octet-stream")}).status_code == 201
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).json()["status"] == "submitted"


def test_completeness_per_media_type_is_a_round_setting(client, session, clock):
    _, headers = journalist_headers(client, session)
    round_ = round_by_number(session, "IX")
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    rules = {"completeness": {**round_.rules.get("completeness", {}), "print": ["document"]}}
    assert client.patch(f"/api/v1/rounds/{round_.id}", headers=secretariat, json={"rules": rules}).status_code == 200
    entry_id = client.post("/api/v1/entries", headers=headers, json=entry_payload(session)).json()["id"]
    refused = client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers)  # links no longer suffice
    assert refused.status_code == 409 and refused.json()["detail"]["code"] == "incomplete"


def test_search_ignores_case_diacritics_and_unicode_form(client, session, clock):
    import unicodedata

    _, headers = journalist_headers(client, session)
    title = "Đảng viên trẻ giữ lửa ở bản làng"
    created = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, title=title))
    assert created.status_code == 201, created.text
    client.post("/api/v1/entries", headers=headers, json=entry_payload(session, title="Chuyện làng 100% và_gạch"))
    for q in ("Đảng viên trẻ", "đảng viên trẻ", "ĐẢNG VIÊN", "dang vien tre", unicodedata.normalize("NFD", "Đảng viên"),
              "  giữ   LỬA ", "ban lang"):
        found = client.get("/api/v1/entries", headers=headers, params={"q": q}).json()
        assert [e["title"] for e in found["items"]] == [title], q
    # LIKE wildcards in a query are letters, not patterns
    assert client.get("/api/v1/entries", headers=headers, params={"q": "100%"}).json()["total"] == 1
    assert client.get("/api/v1/entries", headers=headers, params={"q": "_"}).json()["total"] == 1
    assert client.get("/api/v1/entries", headers=headers, params={"q": "%"}).json()["total"] == 1


def test_control_and_invisible_characters_never_reach_a_title(client, session, clock):
    _, headers = journalist_headers(client, session)
    payload = entry_payload(session, title="Tiêu\x00 đề\x1b có\u202e ký tự\u200b lạ 👨\u200d👩\u200d👧")
    payload["authors"][0]["full_name"] = "Trần\x07 Văn\u2066 Bút"
    payload["parts"][0]["outlet"] = "Báo\x0b Hà Tĩnh\x85"
    response = client.post("/api/v1/entries", headers=headers, json=payload)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Tiêu đề có ký tự lạ 👨\u200d👩\u200d👧"
    assert body["authors"][0]["full_name"] == "Trần Văn Bút"
    assert body["parts"][0]["outlet"] == "Báo Hà Tĩnh"
    entry = session.get(Entry, body["id"])
    assert entry.title_folded == "tieu de co ky tu la 👨\u200d👩\u200d👧"


def test_the_same_link_written_differently_is_a_duplicate(client, session, clock):
    _, headers = journalist_headers(client, session)
    first = entry_payload(session)
    first["parts"][0]["url"] = "https://baohatinh.vn/đảng-viên.html"
    assert client.post("/api/v1/entries", headers=headers, json=first).status_code == 201
    again = entry_payload(session)
    again["parts"][0]["url"] = "HTTP://WWW.BaoHaTinh.vn:80/%C4%91%E1%BA%A3ng-vi%C3%AAn.html/?utm_source=zalo#top"
    response = client.post("/api/v1/entries", headers=headers, json=again)
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "duplicate_url" if isinstance(response.json()["detail"], dict) \
        else response.json()["detail"][0]["loc"] == ["body", "parts", "0", "url"]


def test_each_media_type_admits_its_own_genres_by_default(client, session, clock):
    """A photo genre under "Báo in" or a documentary on the radio is refused by the rules a round starts with
    (award.rules.DEFAULT_MEDIA_GENRES), naming the genre; each media type's own genres are accepted."""
    _, headers = journalist_headers(client, session)
    from award.rules import DEFAULT_MEDIA_GENRES, GENRES

    for media, admitted in DEFAULT_MEDIA_GENRES.items():
        for genre in GENRES:
            response = client.post("/api/v1/entries", headers=headers,
                                   json=entry_payload(session, media_type=media, genre=genre))
            if genre in admitted:
                assert response.status_code == 201, (media, genre, response.text)
            else:
                assert response.status_code == 422, (media, genre)
                error = response.json()["detail"][0]
                assert error["loc"] == ["body", "genre"], (media, genre)
                assert error["msg"].endswith(f"chọn một trong: {', '.join(admitted)}."), error["msg"]  # said which


def test_changing_media_types_or_genres_keeps_the_genres_per_media_type_consistent(client, session, clock):
    round_ = round_by_number(session, "IX")
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    url = f"/api/v1/rounds/{round_.id}"
    # photography leaves the round: its genres per media type go with it (no "media type not in the round")
    panels = [p for p in round_.rules["panels"] if "photo" not in p["media_types"]]
    changed = client.patch(url, headers=secretariat, json={"rules": {"media_types": ["print", "online", "radio", "tv"],
                                                                     "panels": panels}})
    assert changed.status_code == 200, changed.text
    session.expire_all()
    assert "photo" not in round_by_number(session, "IX").rules["media_genres"]
    # a genre leaves the list: it leaves every media type's list too
    genres = [g for g in round_.rules["genres"] if g != "tọa đàm"]
    assert client.patch(url, headers=secretariat, json={"rules": {"genres": genres}}).status_code == 200
    session.expire_all()
    media_genres = round_by_number(session, "IX").rules["media_genres"]
    assert all("tọa đàm" not in listed for listed in media_genres.values()) and "phim tài liệu" in media_genres["tv"]
    # said together, they are taken as said: a genre per media type outside the round's list is named
    refused = client.patch(url, headers=secretariat, json={"rules": {"genres": genres,
                                                                      "media_genres": {"tv": ["tọa đàm"]}}})
    assert refused.status_code == 422
    assert "tọa đàm" in str(refused.json()) and "media_genres" in str(refused.json())


def test_a_link_pasted_without_its_scheme_is_taken_as_https(client, session, clock):
    _, headers = journalist_headers(client, session)
    payload = entry_payload(session)
    payload["parts"][0]["url"] = "  baohatinh.vn/gan-dan-ky-1.html?id=7 "
    payload["parts"][1]["url"] = "www.baohatinh.vn/gan-dan-ky-2"
    response = client.post("/api/v1/entries", headers=headers, json=payload)
    assert response.status_code == 201, response.text
    assert [p["url"] for p in response.json()["parts"]] == [
        "https://baohatinh.vn/gan-dan-ky-1.html?id=7", "https://www.baohatinh.vn/gan-dan-ky-2"]
    for wrong in ("javascript:alert(1)", "ftp://baohatinh.vn/a", "bao ha tinh", "baohatinh", "//baohatinh.vn/a", "12.5"):
        payload = entry_payload(session)
        payload["parts"][0]["url"] = wrong
        refused = client.post("/api/v1/entries", headers=headers, json=payload)
        assert refused.status_code == 422, wrong
        assert refused.json()["detail"][0]["loc"] == ["body", "parts", "0", "url"], wrong


def test_a_script_and_a_broadcast_slot_are_kept_only_for_the_media_types_that_have_them(client, session, clock):
    """The form hides them for the other media types; what they held is not saved either (a Báo in work showed
    "Thời sự 19h" typed while it was a television one)."""
    from award.rules import FIELDS_FOR_MEDIA

    _, headers = journalist_headers(client, session)
    genre = {"print": "phóng sự", "online": "phóng sự", "radio": "phóng sự", "tv": "phóng sự", "photo": "bộ ảnh"}
    for media, first_genre in genre.items():
        payload = entry_payload(session, media_type=media, genre=first_genre, transcript="Lời bình: chi bộ vùng cao.")
        payload["parts"][0]["broadcast_slot"] = "Thời sự 19h"
        body = client.post("/api/v1/entries", headers=headers, json=payload).json()
        assert (body["transcript"] != "") == (media in FIELDS_FOR_MEDIA["transcript"]), media
        assert (body["parts"][0]["broadcast_slot"] is not None) == (media in FIELDS_FOR_MEDIA["broadcast_slot"]), media
