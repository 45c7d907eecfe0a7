"""Suggestions learn from confirmed works: a confirmation moves the next work's ranking, a retracted
one stops counting, the secretariat's correction weighs more than the author's choice, and the
entry page says why a theme is suggested."""

from award import themes
from award.models import Entry, Role, TagSource
from tests.factories import api_login, entry_payload, make_user, web_login
from tests.support.jobs import run_jobs

TITLE = "Ghi chép ở một xã miền núi"
SUMMARY = "Chuyện về cán bộ xã gần dân, lắng nghe dân và làm theo nguyện vọng chính đáng của dân."
INSPECTION = ("Kiểm tra, giám sát và kỷ luật đảng: phóng sự về Ủy ban Kiểm tra các cấp phát hiện, "
              "xử lý nghiêm tổ chức đảng, đảng viên vi phạm, góp phần phòng, chống tham nhũng, tiêu cực.")


def create(client, session, headers, **over):
    response = client.post("/api/v1/entries", headers=headers, json=entry_payload(session, **over))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def suggestions(client, headers, entry_id):
    response = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_confirmed_works_move_the_next_works_ranking_until_retracted(client, session, clock):
    headers = api_login(client, make_user(session))
    works = [create(client, session, headers, title=TITLE, summary=SUMMARY) for _ in range(4)]
    new = create(client, session, headers, title=TITLE, summary=SUMMARY)
    run_jobs(session, now=clock.now)  # the worker ranks and stores every new work
    before = suggestions(client, headers, new)
    target = before[1]["code"]
    for work in works:
        assert client.put(f"/api/v1/entries/{work}/themes", headers=headers, json={"codes": [target]}).status_code == 200
    assert suggestions(client, headers, new) == before  # until the worker has learned from them
    run_jobs(session, now=clock.now)  # round.relearn: the works ranked before the confirmations, ranked again
    after = suggestions(client, headers, new)
    assert after[0]["code"] == target
    assert f"giống 4 tác phẩm đã xác nhận chủ đề {target}" in after[0]["why"]
    for work in works:  # the author takes the themes back: they no longer count
        assert client.put(f"/api/v1/entries/{work}/themes", headers=headers, json={"codes": []}).status_code == 200
    run_jobs(session, now=clock.now)
    assert [s["code"] for s in suggestions(client, headers, new)] == [s["code"] for s in before]
    assert "giống" not in " ".join(s.get("why") or "" for s in suggestions(client, headers, new))


def test_confirmations_queue_one_relearning_of_the_round_at_a_time(client, session, clock):
    """Confirmations while a relearning waits are covered by it; one after it ran queues the next."""
    from sqlmodel import select

    from award.jobs import Job, JobStatus

    headers = api_login(client, make_user(session))
    works = [create(client, session, headers, title=TITLE, summary=SUMMARY) for _ in range(3)]
    run_jobs(session, now=clock.now)

    round_id = session.get(Entry, works[0]).round_id

    def relearnings(status):  # the round's own (the next rounds', which learn from it too, have their own)
        jobs = session.exec(select(Job).where(Job.kind == "round.relearn", Job.status == status)).all()
        return [j for j in jobs if j.payload == {"round_id": round_id}]

    for work in works:
        assert client.put(f"/api/v1/entries/{work}/themes", headers=headers, json={"codes": ["2.4"]}).status_code == 200
    assert len(relearnings(JobStatus.pending)) == 1
    report = run_jobs(session, now=clock.now)
    assert not relearnings(JobStatus.pending) and len(relearnings(JobStatus.done)) == 1, report
    assert client.put(f"/api/v1/entries/{works[0]}/themes", headers=headers, json={"codes": []}).status_code == 200
    assert len(relearnings(JobStatus.pending)) == 1


def test_a_secretariat_correction_weighs_more_than_the_authors_choice(client, session, clock):
    author = make_user(session)
    headers = api_login(client, author)
    chosen, corrected, new = (create(client, session, headers, title=TITLE, summary=SUMMARY) for _ in range(3))
    before = {s["code"]: s["score"] for s in suggestions(client, headers, new)}
    ranked = list(before)
    by_author, by_secretariat = ranked[2], ranked[3]
    assert client.put(f"/api/v1/entries/{chosen}/themes", headers=headers,
                      json={"codes": [by_author]}).status_code == 200
    secretariat = make_user(session, role=Role.secretariat)
    themes.set_entry_themes(session, entry=session.get(Entry, corrected), codes=[by_secretariat], actor=secretariat,
                            source=TagSource.secretariat, now=clock.now)
    session.commit()
    after = [s["code"] for s in suggestions(client, headers, new)]
    # one confirmation each of a copy of the work: the correction lifts its theme past the author's choice, which
    # ranked above it before; both rise (scores are rescaled to [0, 1] per ranking, so ranks are what compare)
    assert after.index(by_secretariat) < after.index(by_author) <= ranked.index(by_author)
    assert after.index(by_secretariat) < ranked.index(by_secretariat)


def test_the_entry_page_says_why_a_theme_is_suggested(client, session, clock):
    user = make_user(session)
    headers = api_login(client, user)
    entry_id = create(client, session, headers, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION)
    run_jobs(session, now=clock.now)  # the worker's ranking is stored with its reasons
    items = suggestions(client, headers, entry_id)
    assert "từ khớp đề cương: “" in items[0]["why"]
    web_login(client, user)
    page = client.get(f"/entries/{entry_id}")
    assert page.status_code == 200
    assert "Vì sao gợi ý: từ khớp đề cương: “" in page.text


def test_confirmed_works_of_a_past_round_count_through_the_closest_theme(client, session, clock):
    from sqlmodel import select

    from award.models import EntryTheme, OutlineNode
    from tests.factories import make_entry, round_by_number

    viii = round_by_number(session, "VIII")
    node = session.exec(select(OutlineNode).where(OutlineNode.round_id == viii.id, OutlineNode.code == "1.3")).one()
    headers = api_login(client, make_user(session))
    new = create(client, session, headers, title=TITLE, summary=SUMMARY)
    before = {s["code"]: s["score"] for s in suggestions(client, headers, new)}
    for _ in range(4):  # confirmed in round VIII on 1.3 (corruption), as that round's authors did
        past = make_entry(session, round_number="VIII", title=TITLE)
        past.summary = SUMMARY
        session.add(EntryTheme(entry_id=past.id, outline_node_id=node.id, source=TagSource.author,
                               confirmed_by=past.owner_id))
    session.commit()
    after = suggestions(client, headers, new)
    why = {s["code"]: s.get("why") or "" for s in after}
    assert "giống 4 tác phẩm đã xác nhận chủ đề 2.4" in why["2.4"]  # IX 2.4: tiết kiệm, chống tham nhũng

    def lead(scores: dict) -> float:  # 2.4's lead over the best other theme (it may be first already, at 1.0)
        return scores["2.4"] - max(v for c, v in scores.items() if c != "2.4")

    assert lead({s["code"]: s["score"] for s in after}) > lead(before)


def test_a_draft_learns_from_confirmed_works_as_soon_as_they_are_confirmed(client, session, clock):
    """While typing: a draft worded like four confirmed works gets their theme first and says why; the
    round's confirmed works are read again once a confirmation or retraction changes them."""
    from tests.factories import round_by_number

    headers = api_login(client, make_user(session))
    works = [create(client, session, headers, title=TITLE, summary=SUMMARY) for _ in range(4)]
    url = f"/api/v1/rounds/{round_by_number(session, 'IX').id}/theme-suggestions"

    def draft():
        response = client.post(url, headers=headers, json={"title": TITLE, "summary": SUMMARY})
        assert response.status_code == 200, response.text
        return response.json()

    before = draft()
    target = before[1]["code"]
    assert "giống" not in " ".join(s.get("why") or "" for s in before)
    for work in works:
        assert client.put(f"/api/v1/entries/{work}/themes", headers=headers, json={"codes": [target]}).status_code == 200
    after = draft()  # no worker needed: the draft reads the confirmations themselves
    assert after[0]["code"] == target
    assert f"giống 4 tác phẩm đã xác nhận chủ đề {target}" in after[0]["why"]
    assert client.put(f"/api/v1/entries/{works[0]}/themes", headers=headers, json={"codes": []}).status_code == 200
    assert f"giống 3 tác phẩm đã xác nhận chủ đề {target}" in draft()[0]["why"]
