"""Themes: suggestions, confirmed tags, retiring tagged themes, coverage counts, re-tagging."""

from datetime import UTC, datetime

from sqlmodel import select

from award import themes
from award.models import EntryTheme, OutlineNode, RetagJob, Role, ThemeSuggestion
from tests.factories import api_login, entry_payload, make_user, round_by_number
from tests.support.jobs import run_jobs

INSPECTION = ("Kiểm tra, giám sát và kỷ luật đảng: phóng sự về Ủy ban Kiểm tra các cấp phát hiện, "
              "xử lý nghiêm tổ chức đảng, đảng viên vi phạm, góp phần phòng, chống tham nhũng, tiêu cực.")


def journalist(client, session):
    user = make_user(session)
    return user, api_login(client, user)


def create(client, session, headers, **over):
    response = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, **over))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_suggestions_are_ranked_themes_of_the_round_and_stored(client, session, clock):
    _, headers = journalist(client, session)
    entry_id = create(client, session, headers, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION)
    response = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers)
    assert response.status_code == 200
    items = response.json()
    round_ix_units = [u.code for u in themes.round_units(session, round_by_number(session, "IX").id)]
    assert sorted(i["code"] for i in items) == sorted(round_ix_units)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True) and 0 <= scores[-1] <= scores[0] <= 1
    # the score in words, as the pages show it: the last is "less suitable", not "0 %"
    assert items[0]["level"] == "rất phù hợp" and items[-1]["level"] == "ít phù hợp hơn"
    stored = session.exec(select(ThemeSuggestion).where(ThemeSuggestion.entry_id == entry_id)
                          .order_by(ThemeSuggestion.rank)).all()
    assert [s.rank for s in stored] == list(range(1, len(items) + 1))


def _offtopic(title_start: str) -> tuple[str, str]:
    """(title, lede) of a story of tests/data/tagging_offtopic.jsonl (none of any outline's subjects)."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "tagging_offtopic.jsonl"
    row = next(r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r["title"].startswith(title_start))
    return row["title"], row["text"]


def test_a_story_off_the_outline_reads_so_on_the_api_the_entry_page_and_while_typing(client, session, clock):
    """A rice harvest, a football match: their best theme still scores 1.0 on the relative scale, but no theme
    reads "rất phù hợp"; the API says off_outline, the page shows the caution, every theme may still be ticked."""
    from award.tagging_units import OFF_OUTLINE_NOTE
    from tests.factories import web_login

    user = make_user(session)
    headers = api_login(client, user)
    round_id = round_by_number(session, "IX").id
    for title, lede in (_offtopic("Giá lúa tăng"), _offtopic("Việt Nam hòa Thái Lan"), _offtopic("Hà Nội FC")):
        entry_id = create(client, session, headers, title=title, summary=lede)
        run_jobs(session)  # the worker's ranking (entry.suggest), stored with the flag
        stored = session.exec(select(ThemeSuggestion).where(ThemeSuggestion.entry_id == entry_id)).all()
        assert stored and all(s.off_outline for s in stored)
        items = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers).json()
        assert items[0]["score"] == 1.0 and all(i["off_outline"] is True for i in items), title
        assert {i["level"] for i in items} == {"ít liên quan"}
        draft = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers,
                            json={"title": title, "summary": lede}).json()
        assert len(draft) == 5 and all(i["off_outline"] is True and i["level"] == "ít liên quan" for i in draft)
        # round IX's themes have no points: nothing in the why says one is close in meaning ("gần nghĩa")
        assert not any("gần nghĩa" in (i["why"] or "") for i in items + draft), title
        web_login(client, user)
        page = client.get(f"/entries/{entry_id}").text
        assert f'<p class="alert caution" role="status" data-off-outline>{OFF_OUTLINE_NOTE}</p>' in page
        assert "Rất phù hợp" not in page and "Khá phù hợp" not in page and "Ít liên quan" in page
        assert "gần nghĩa" not in page
        assert page.count('name="codes" value=') == len(items)  # every theme listed, any may be ticked
    # a story on the subject: no caution, its best theme "rất phù hợp"
    entry_id = create(client, session, headers, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION)
    run_jobs(session)
    items = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers).json()
    assert not any(i["off_outline"] for i in items) and items[0]["level"] == "rất phù hợp"
    page = client.get(f"/entries/{entry_id}").text
    assert OFF_OUTLINE_NOTE not in page and "Rất phù hợp" in page


def test_a_few_words_are_a_guess_on_the_api_the_entry_page_and_while_typing(client, session, clock):
    """Fewer than 25 content syllables (SuggestionResult.weak): never judged off the outline, but no theme is
    called "rất phù hợp" or "khá phù hợp" either: every level is "tạm đoán", the items say weak, the page shows
    the short-text note, and no why says a theme is close in meaning."""
    from award.suggestions import DRAFT_WEAK_NOTES
    from tests.factories import web_login

    user = make_user(session)
    headers = api_login(client, user)
    round_id = round_by_number(session, "IX").id
    for title, summary, note in (("Bóng đá", "Trận đấu hay", "Tóm tắt và nội dung của tác phẩm còn ngắn"),
                                 ("Tác phẩm đăng ngoài thời gian quy định", "",
                                  "Tác phẩm chưa có tóm tắt hay nội dung: gợi ý chỉ dựa trên tên")):
        draft = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers,
                            json={"title": title, "summary": summary}).json()
        assert len(draft) == 5 and draft[0]["score"] == 1.0
        assert all(i["weak"] is True and i["off_outline"] is False and i["level"] == "tạm đoán" for i in draft), draft
        assert not any("gần nghĩa" in (i["why"] or "") for i in draft), draft
        entry_id = create(client, session, headers, title=title, summary=summary)
        run_jobs(session)
        items = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers).json()
        assert {(i["weak"], i["level"]) for i in items} == {(True, "tạm đoán")}
        assert [i["code"] for i in items[:5]] == [i["code"] for i in draft]  # the order is unchanged, only its word
        web_login(client, user)
        page = client.get(f"/entries/{entry_id}").text
        assert note in page and "Rất phù hợp" not in page and "Khá phù hợp" not in page
        assert page.count(">Tạm đoán</span>") == len(items) and "gần nghĩa" not in page
    # the form carries the live box's two notes (theme-suggest.js shows one when the items say weak)
    form = client.get("/entries/new").text
    assert all(f">{n}</p>" in form for n in DRAFT_WEAK_NOTES)
    # a longer text on the subject: not weak, its best theme "rất phù hợp"
    long = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers,
                       json={"title": "Kỷ luật đảng nghiêm minh", "summary": INSPECTION}).json()
    assert long[0]["weak"] is False and long[0]["level"] == "rất phù hợp"


def test_while_a_work_is_ranked_again_its_page_keeps_the_previous_ranking_marked_so(client, session, clock):
    """A change queues the work's ranking again (entry.suggest): until the worker has run it, the page lists the
    previous ranking, said to be the previous one, with every theme still to tick; not an empty panel."""
    from tests.factories import web_login

    user = make_user(session)
    headers = api_login(client, user)
    entry_id = create(client, session, headers, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION)
    web_login(client, user)
    run_jobs(session)
    page = client.get(f"/entries/{entry_id}").text
    count = page.count('name="codes" value=')
    assert count >= 5 and "data-suggestions-updating" not in page
    clock.set("2024-09-20T09:05:00+07:00")
    changed = client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json=entry_payload(
        session, title="Chi bộ vùng biên giữ kỷ cương", summary=INSPECTION))
    assert changed.status_code == 200, changed.text
    page = client.get(f"/entries/{entry_id}").text
    assert "Đang tính gợi ý chủ đề…" in page  # the worker's job, as before
    assert ("Đang tính lại gợi ý chủ đề… Thứ tự và mức phù hợp dưới đây là của lần tính trước." in page
            and page.count('name="codes" value=') == count and "Chưa gắn chủ đề." not in page)
    assert "Rất phù hợp" in page  # the previous ranking's words, under that line
    run_jobs(session)
    page = client.get(f"/entries/{entry_id}").text
    assert "data-suggestions-updating" not in page and "Đang tính gợi ý chủ đề…" not in page
    assert page.count('name="codes" value=') == count


def test_confirm_themes_and_refuse_unknown_code(client, session, clock):
    _, headers = journalist(client, session)
    entry_id = create(client, session, headers)
    ok = client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.1", "2.3"]})
    assert ok.status_code == 200
    assert ok.json() == {"codes": ["2.1", "2.3"]}
    bad = client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["9.9"]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "codes"]
    assert client.get(f"/api/v1/entries/{entry_id}/themes", headers=headers).json() == {"codes": ["2.1", "2.3"]}


def test_another_journalist_cannot_tag(client, session, clock):
    _, headers = journalist(client, session)
    entry_id = create(client, session, headers)
    _, stranger = journalist(client, session)
    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=stranger, json={"codes": ["2.1"]}).status_code == 404


def test_entry_with_title_only_gets_weak_suggestions_on_its_page(client, session, clock):
    from tests.factories import web_login

    user = make_user(session)
    headers = api_login(client, user)
    entry_id = create(client, session, headers, title="Chi bộ", summary="")
    web_login(client, user)
    waiting = client.get(f"/entries/{entry_id}")
    assert "Đang tính gợi ý chủ đề…" in waiting.text and 'name="codes"' not in waiting.text
    assert run_jobs(session).done == 1
    page = client.get(f"/entries/{entry_id}")
    assert "Đang tính gợi ý chủ đề…" not in page.text
    assert "gợi ý chỉ dựa trên tên, độ tin cậy thấp" in page.text
    assert 'name="codes" value="2.1"' in page.text


def test_a_short_summary_is_not_called_missing_and_a_longer_one_clears_the_warning(client, session, clock):
    """The demo's draft: a summary of one line is "short", not "no summary"; once the author writes more, the
    ranking is computed again (the stored one is older than the change) and the warning goes."""
    from tests.factories import web_login

    user = make_user(session)
    headers = api_login(client, user)
    entry_id = create(client, session, headers, title="Chuyển đổi số trong sinh hoạt chi bộ",
                      summary="Phóng sự truyền hình về ứng dụng công nghệ số trong quản lý đảng viên ở cơ sở.")
    web_login(client, user)
    run_jobs(session)
    page = client.get(f"/entries/{entry_id}").text
    assert "Tóm tắt và nội dung của tác phẩm còn ngắn" in page and "chưa có tóm tắt" not in page
    # a caution, not shown as an error (nothing failed)
    assert '<p class="alert caution" role="status">Tóm tắt và nội dung' in page
    clock.set("2024-09-20T09:05:00+07:00")
    changed = client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json=entry_payload(
        session, title="Chuyển đổi số trong sinh hoạt chi bộ", summary=INSPECTION))
    assert changed.status_code == 200, changed.text
    run_jobs(session)
    page = client.get(f"/entries/{entry_id}").text
    assert "còn ngắn" not in page and "độ tin cậy thấp" not in page


def test_replacing_a_tagged_outline_retires_missing_themes(client, session, clock):
    round_ = round_by_number(session, "IX")
    _, headers = journalist(client, session)
    entry_id = create(client, session, headers)
    client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.3"]})
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    text = "1. Tuyên truyền về Giải\n2. Nội dung\n- Ý thứ nhất mới\n- Ý thứ hai mới\n"
    response = client.put(f"/api/v1/rounds/{round_.id}/outline", headers=secretariat, data={"text": text})
    assert response.status_code == 200
    node = session.exec(select(OutlineNode).where(OutlineNode.round_id == round_.id, OutlineNode.code == "2.3")).one()
    assert node.retired is True
    assert [c["code"] for c in response.json()["nodes"][1]["children"]] == ["2.1", "2.2"]
    assert client.get(f"/api/v1/entries/{entry_id}/themes", headers=headers).json() == {"codes": ["2.3"]}
    # and the renamed point keeps its code
    point = session.exec(select(OutlineNode).where(OutlineNode.round_id == round_.id, OutlineNode.code == "2.1")).one()
    assert point.title == "Ý thứ nhất mới"


def test_coverage_counts_themes_by_media_type_and_unit(client, session, clock):
    round_ = round_by_number(session, "IX")
    _, headers = journalist(client, session)
    a = create(client, session, headers, media_type="print")
    b = create(client, session, headers, media_type="tv", genre="phóng sự")
    draft = create(client, session, headers, media_type="radio")
    for entry_id, codes in [(a, ["2.1", "2.2"]), (b, ["2.1"]), (draft, ["2.4"])]:
        client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": codes})
    for entry_id in (a, b):
        assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    body = client.get(f"/api/v1/rounds/{round_.id}/coverage", headers=secretariat).json()
    by_code = {t["code"]: t for t in body["themes"]}
    assert by_code["2.1"]["total"] == 2 and by_code["2.1"]["by_media_type"] == {"print": 1, "tv": 1}
    assert by_code["2.1"]["by_unit"] == {"Hà Tĩnh": 2}
    assert by_code["2.4"]["total"] == 0 and by_code["2.4"]["thin"] is True  # drafts do not count
    assert body["entries"] >= 2
    assert client.get(f"/api/v1/rounds/{round_.id}/coverage", headers=headers).status_code == 403
    listed = client.get("/api/v1/entries?theme=2.2", headers=headers).json()
    assert [e["id"] for e in listed["items"]] == [a]


def test_coverage_page_shows_heat_map_and_thin_themes(client, session, clock):
    from tests.factories import web_login

    round_ = round_by_number(session, "IX")
    web_login(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/rounds/{round_.id}/coverage")
    assert page.status_code == 200
    assert "Chủ đề × loại hình" in page.text and "Chủ đề chưa có hoặc có ít tác phẩm" in page.text
    assert 'class="heat heat-' in page.text


def test_draft_suggestions_while_typing_store_nothing(client, session, clock):
    from award.models import EmbeddingCache

    round_ = round_by_number(session, "VIII")
    _, headers = journalist(client, session)
    before = len(session.exec(select(EmbeddingCache)).all())
    response = client.post(f"/api/v1/rounds/{round_.id}/theme-suggestions", headers=headers,
                           json={"title": "Kỷ luật đảng", "summary": INSPECTION})
    assert response.status_code == 200
    assert len(response.json()) == 5
    assert len(session.exec(select(EmbeddingCache)).all()) == before


def test_draft_suggestions_read_the_opening_of_a_long_summary(client, session, clock):
    from api.routers.themes import DRAFT_CHARS

    round_ = round_by_number(session, "VIII")
    _, headers = journalist(client, session)
    opening = (INSPECTION + " ") * (DRAFT_CHARS // len(INSPECTION) + 1)
    url = f"/api/v1/rounds/{round_.id}/theme-suggestions"
    short = client.post(url, headers=headers, json={"title": "Kỷ luật đảng", "summary": opening[:DRAFT_CHARS]})
    long = client.post(url, headers=headers, json={"title": "Kỷ luật đảng",
                                                   "summary": opening[:DRAFT_CHARS] + " chuyển đổi số" * 500})
    assert long.status_code == short.status_code == 200
    assert long.json() == short.json() and len(long.json()) == 5


def test_retag_job_recomputes_every_entry_with_progress(client, session, clock, engine):
    round_ = round_by_number(session, "IX")
    _, headers = journalist(client, session)
    ids = [create(client, session, headers) for _ in range(3)]
    job = RetagJob(round_id=round_.id, started_by=make_user(session, role=Role.secretariat).id)
    session.add(job)
    session.flush()
    from award.embeddings import MemoryEmbeddingCache

    conn_engine = session.get_bind()
    themes.retag_round(conn_engine, round_id=round_.id, job_id=job.id, cache=MemoryEmbeddingCache(),
                       now=datetime(2024, 9, 20, tzinfo=UTC))
    session.expire_all()
    job = session.get(RetagJob, job.id)
    assert (job.status, job.done, job.total) == ("done", job.total, job.total)
    assert job.total >= 3
    for entry_id in ids:
        assert session.exec(select(ThemeSuggestion).where(ThemeSuggestion.entry_id == entry_id)).first() is not None


def test_deleting_a_tagged_node_is_refused_by_the_database(client, session, clock):
    import pytest
    import sqlalchemy as sa

    _, headers = journalist(client, session)
    entry_id = create(client, session, headers)
    client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.2"]})
    tag = session.exec(select(EntryTheme).where(EntryTheme.entry_id == entry_id)).one()
    with pytest.raises(sa.exc.IntegrityError):
        with session.begin_nested():
            session.exec(sa.text("DELETE FROM outline_node WHERE id = :i").bindparams(i=tag.outline_node_id))


def test_thematic_prizes_are_linked_to_themes_from_the_coverage_page(client, session, clock):
    from tests.factories import csrf_from, web_login

    round_ = round_by_number(session, "VIII")
    assert round_.rules["thematic_prizes"][0]["name"].startswith("Tác phẩm xuất sắc")
    closed_at, round_.closed_at = round_.closed_at, None  # published, not yet archived: its rules still change
    session.add(round_)
    web_login(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/rounds/{round_.id}/coverage")
    assert "Giải chuyên đề và chủ đề của đề cương" in page.text
    response = client.post(f"/rounds/{round_.id}/thematic-prizes",
                           data={"csrf_token": csrf_from(page.text), "prize-0": ["1.1", "1.2"], "prize-3": "2.3"},
                           follow_redirects=False)
    assert response.status_code == 303
    session.refresh(round_)
    assert round_.rules["thematic_prizes"][0]["themes"] == ["1.1", "1.2"]
    assert round_.rules["thematic_prizes"][3]["themes"] == ["2.3"]
    assert round_.rules["thematic_prizes"][1]["themes"] == []
    bad = client.post(f"/rounds/{round_.id}/thematic-prizes", data={"csrf_token": csrf_from(page.text), "prize-0": "9.9"})
    assert bad.status_code == 422
    session.refresh(round_)
    assert round_.rules["thematic_prizes"][0]["themes"] == ["1.1", "1.2"]
    round_.closed_at = closed_at  # archived: the links are part of its rules, which no longer change
    session.add(round_)
    session.commit()
    refused = client.post(f"/rounds/{round_.id}/thematic-prizes", data={"csrf_token": csrf_from(page.text), "prize-0": "1.3"})
    assert refused.status_code == 409 and "Không thể sửa thể lệ và lịch của đợt giải lúc này" in refused.text
    session.refresh(round_)
    assert round_.rules["thematic_prizes"][0]["themes"] == ["1.1", "1.2"]


def test_retag_from_the_coverage_page_shows_progress(client, session, clock):
    from award.jobs import Job
    from tests.factories import csrf_from, web_login

    round_ = round_by_number(session, "IX")
    _, headers = journalist(client, session)
    entry_id = create(client, session, headers)
    run_jobs(session)  # the new work's own suggestions
    web_login(client, make_user(session, role=Role.secretariat))
    page = client.get(f"/rounds/{round_.id}/coverage")
    response = client.post(f"/rounds/{round_.id}/retag", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    job = session.exec(select(RetagJob).where(RetagJob.round_id == round_.id)).all()[-1]
    assert response.headers["location"].endswith(f"/retag-jobs/{job.id}")
    queued = session.exec(select(Job).where(Job.key == f"round.retag:{job.id}")).one()
    assert (queued.kind, queued.status, queued.payload) == ("round.retag", "pending",
                                                           {"round_id": round_.id, "retag_job_id": job.id})
    progress = client.get(f"/retag-jobs/{job.id}")
    assert "<progress" in progress.text and "Tính lại gợi ý chủ đề" in progress.text
    assert "Đang chờ bắt đầu…" in progress.text and 'http-equiv="refresh"' in progress.text
    assert 'data-refresh-after="2"' in progress.text
    # the same click again while it waits: the same job
    client.post(f"/rounds/{round_.id}/retag", data={"csrf_token": csrf_from(page.text)})
    assert len(session.exec(select(RetagJob).where(RetagJob.round_id == round_.id)).all()) == 1

    assert run_jobs(session, now=datetime(2024, 9, 21, tzinfo=UTC)).done == 1
    done = client.get(f"/retag-jobs/{job.id}")
    session.refresh(job)
    assert (job.status, job.done) == ("done", job.total) and job.total >= 1
    assert f"Đã xong: {job.total} tác phẩm." in done.text and 'http-equiv="refresh"' not in done.text
    assert "data-refresh-after" not in done.text
    computed = session.exec(select(ThemeSuggestion.computed_at).where(ThemeSuggestion.entry_id == entry_id)).first()
    assert computed.replace(tzinfo=UTC) == datetime(2024, 9, 21, tzinfo=UTC)


def test_taking_every_theme_off_reads_as_such_in_the_history_and_the_audit_log(client, session, clock):
    """An `entry.themes` event with no codes is "Bỏ hết chủ đề", naming those taken off; the audit log says
    the same rather than "codes: []"."""
    from award.records import AuditFilters, audit_events
    from tests.factories import web_login

    user, headers = journalist(client, session)
    entry_id = create(client, session, headers)
    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.1", "2.3"]}).status_code == 200
    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.3"]}).status_code == 200
    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": []}).status_code == 200
    web_login(client, user)
    page = " ".join(client.get(f"/entries/{entry_id}").text.split())
    assert "Gắn chủ đề 2.1, 2.3" in page and "Gắn chủ đề 2.3 (bỏ 2.1)" in page and "Bỏ hết chủ đề (đã bỏ 2.3)" in page
    rows, _ = audit_events(session, AuditFilters(entity="entry", entity_id=str(entry_id), action="entry.themes"))
    assert [r.summary for r in rows] == ["Bỏ hết chủ đề (đã bỏ 2.3)", "Gắn chủ đề 2.3 (bỏ 2.1)", "Gắn chủ đề 2.1, 2.3"]


def test_an_empty_list_in_an_audit_event_is_said_in_words():
    from award.records import summarise, theme_change

    assert summarise("batch.forwarded", {"entry_ids": [], "unit_id": 3}) == "tác phẩm: không có · đơn vị: 3"
    assert summarise("unit.created", {"predecessor_ids": [4, 5]}) == "đơn vị trước đó: 4, 5"
    assert theme_change({"codes": [], "source": "author"}) == "Bỏ hết chủ đề"  # an event from before "removed"


def test_an_audit_events_values_are_said_in_words_not_codes_or_json():
    """What the audit log shows for a saved score sheet (its points by criterion) and a created work (its status):
    the criteria's and the status's names, not {"content": "28.00"} nor "draft"."""
    from award.records import summarise

    sheet = summarise("judging.score_saved", {"scores": {"content": "28.00", "effect": "15.00", "custom": "3"}})
    assert sheet == "điểm: Nội dung, định hướng 28.00; Hiệu quả xã hội 15.00; custom 3"
    assert summarise("entry.created", {"status": "draft"}) == "trạng thái: Bản nháp"
    assert summarise("entry.status", {"from": "draft", "to": "submitted"}) == "từ: Bản nháp · sang: Đã nộp"
    assert summarise("outbox.retried", {"status": "draft"}) == "trạng thái: draft"  # not a work's status


def test_saving_a_work_without_changing_its_themes_writes_no_history(client, session, clock):
    """Saving the themes a work already has (none on a fresh draft, or the same ones again, in any order) writes
    no `entry.themes` row, so the history does not read "Bỏ hết chủ đề" for a step nobody took, and queues no
    relearning; a real change still writes its row, and so does the secretariat confirming the author's themes
    (the confirmation weighs more as an example)."""
    from award.jobs import Job
    from award.models import AuditEvent, Entry, EntryStatus
    from tests.factories import csrf_from, web_login

    def theme_rows():
        return session.exec(select(AuditEvent.data).where(AuditEvent.action == "entry.themes",
                                                          AuditEvent.object_id == str(entry_id))).all()

    def relearn_jobs():
        return len(session.exec(select(Job).where(Job.kind == "round.relearn")).all())

    user, headers = journalist(client, session)
    entry_id = create(client, session, headers)
    web_login(client, user)
    token = csrf_from(client.get(f"/entries/{entry_id}").text)
    saved = client.post(f"/entries/{entry_id}/themes", data={"csrf_token": token}, follow_redirects=True)
    assert saved.status_code == 200 and "Chưa chọn chủ đề nào: tác phẩm vẫn chưa gắn chủ đề." in saved.text
    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": []}).json() == {"codes": []}
    assert theme_rows() == [] and relearn_jobs() == 0
    page = " ".join(client.get(f"/entries/{entry_id}").text.split())
    assert "Bỏ hết chủ đề" not in page and "Gắn chủ đề" not in page

    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.1", "2.3"]}).status_code == 200
    assert [d["codes"] for d in theme_rows()] == [["2.1", "2.3"]]
    queued = relearn_jobs()
    assert queued >= 1
    again = client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.3", " 2.1", "2.3"]})
    assert again.status_code == 200 and sorted(again.json()["codes"]) == ["2.1", "2.3"]
    assert len(theme_rows()) == 1 and relearn_jobs() == queued

    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": []}).status_code == 200
    assert [d["codes"] for d in theme_rows()] == [["2.1", "2.3"], []]
    assert theme_rows()[-1]["removed"] == ["2.1", "2.3"]

    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=headers, json={"codes": ["2.3"]}).status_code == 200
    work = session.get(Entry, entry_id)
    work.status = EntryStatus.eligible  # at the centre, where the secretariat curates
    session.add(work)
    session.flush()
    secretariat = api_login(client, make_user(session, role=Role.secretariat))
    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=secretariat, json={"codes": ["2.3"]}).status_code == 200
    assert [(d["codes"], d["source"]) for d in theme_rows()][-2:] == [(["2.3"], "author"), (["2.3"], "secretariat")]
    assert client.put(f"/api/v1/entries/{entry_id}/themes", headers=secretariat, json={"codes": ["2.3"]}).status_code == 200
    assert len(theme_rows()) == 4
