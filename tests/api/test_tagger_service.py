"""Theme suggestions through the tagger service (api/tagger_service.py, started for real on a free port):
the same rankings as computed in the web process, and a clear 503 when the service is down."""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from award import themes
from award.jobs import Job, JobStatus
from award.tagging_eval import _SHARED_CACHE
from award.tagging_units import EntryText
from api.settings import get_settings
from api.tagger_service import create_app
from tests.api.test_themes_api import INSPECTION, create, journalist
from tests.factories import entry_payload, round_by_number, web_login
from tests.support.jobs import run_jobs
from tests.support.liveserver import free_port


@contextmanager
def serving(app):
    """``app`` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the tagger service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def tagger_url():
    """A real tagger service (HTTP on the loopback) over the tests' in-memory embedding cache."""
    with serving(create_app(_SHARED_CACHE)) as url:
        yield url


@pytest.fixture
def use_tagger(monkeypatch):
    """Point the web process at a tagger service (AWARD_TAGGER_URL) for one test."""
    def use(url: str | None):
        monkeypatch.setattr(get_settings(), "tagger_url", url)
    return use


def test_service_answers_the_same_suggestions_as_the_web_process(client, session, clock, tagger_url, use_tagger):
    _, headers = journalist(client, session)
    entry_id = create(client, session, headers, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION)
    round_id = round_by_number(session, "IX").id
    draft = {"title": "Phòng, chống tham nhũng", "summary": INSPECTION}

    use_tagger(None)
    local_entry = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers)
    local_draft = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers, json=draft)
    use_tagger(tagger_url)
    remote_entry = client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers)
    remote_draft = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers, json=draft)

    assert remote_entry.status_code == remote_draft.status_code == 200
    assert remote_entry.json() == local_entry.json() and len(remote_entry.json()) == 5  # round IX: five themes
    assert remote_draft.json() == local_draft.json() and len(remote_draft.json()) == 5


def test_service_refuses_a_round_without_outline_with_409(tagger_url):
    r = httpx.post(f"{tagger_url}/suggest", json={"round_id": 1, "units": [], "title": "x", "summary": "",
                                                  "body": "", "limit": 5, "transient": True})
    assert r.status_code == 409 and r.json() == {"code": "no_outline"}


def test_service_down_answers_503_in_vietnamese_and_the_entry_page_still_tags(client, session, clock, use_tagger):
    user, headers = journalist(client, session)
    entry_id = create(client, session, headers, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION)
    round_id = round_by_number(session, "IX").id
    use_tagger(f"http://127.0.0.1:{free_port()}")  # nothing listens there

    draft = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers,
                        json={"title": "Phòng, chống tham nhũng", "summary": INSPECTION})
    assert draft.status_code == 503
    assert draft.json()["detail"]["code"] == "tagger_unavailable"
    assert "Dịch vụ gợi ý chủ đề tạm thời không phản hồi" in draft.json()["detail"]["message"]
    assert draft.headers["retry-after"] == "30"
    assert client.get(f"/api/v1/entries/{entry_id}/theme-suggestions", headers=headers).status_code == 503

    web_login(client, user)
    assert "Đang tính gợi ý chủ đề…" in client.get(f"/entries/{entry_id}").text  # the worker's job still to run
    _give_up_its_jobs(session, entry_id)  # as when they failed: the page ranks now, and the service is down
    page = client.get(f"/entries/{entry_id}")
    assert page.status_code == 200
    assert "Dịch vụ gợi ý chủ đề tạm thời không phản hồi" in page.text
    assert 'value="2.4"' in page.text  # the outline's themes can still be chosen, unranked


def test_service_down_keeps_the_last_ranking_on_the_entry_page(client, session, clock, use_tagger):
    user, headers = journalist(client, session)
    entry_id = create(client, session, headers, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION)
    web_login(client, user)
    run_jobs(session, now=clock.now)  # the worker ranks it (in its own process: no service needed)
    use_tagger(f"http://127.0.0.1:{free_port()}")
    ranked = client.get(f"/entries/{entry_id}")
    assert 'class="match-level"' in ranked.text and "Dịch vụ gợi ý" not in ranked.text  # current: stored ranking
    clock.now += timedelta(minutes=5)
    version = client.get(f"/api/v1/entries/{entry_id}", headers=headers).json()["version"]
    changed = entry_payload(session, title="Kỷ luật đảng nghiêm minh", summary=INSPECTION + " Thêm một câu.",
                            version=version)
    assert client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json=changed).status_code == 200
    _give_up_its_jobs(session, entry_id)
    page = client.get(f"/entries/{entry_id}")
    assert page.status_code == 200
    assert "Thứ tự dưới đây là gợi ý đã tính lần trước." in page.text
    assert 'class="match-level"' in page.text


def _give_up_its_jobs(session, entry_id: int) -> None:
    """The work's background jobs marked failed, as after their last attempt."""
    session.execute(sa.update(Job).where(Job.entry_id == entry_id).values(status=JobStatus.failed))
    session.commit()


def test_a_long_body_is_ranked_by_the_service_as_in_the_web_process(session, tagger_url):
    """The ranking reads chunks spread over the whole body (award.tagging): the service is sent all of it, and a
    theme named only at the end of a long text counts the same on both sides."""
    from api import suggestions

    round_id = round_by_number(session, "IX").id
    units = themes.round_units(session, round_id)
    body = ("Công tác kiểm tra, giám sát và kỷ luật đảng được tăng cường.  " * 800) + \
        ("Chuyển đổi số, kinh tế số và xã hội số phát triển mạnh. " * 40)
    text = EntryText("Một tác phẩm", "Tóm tắt ngắn.", body)
    local = suggestions.compute(units, round_id=round_id, text=text, cache=_SHARED_CACHE)
    remote = suggestions.TaggerClient(tagger_url, 30).suggest(round_id=round_id, units=units, text=text, limit=None,
                                                              transient=False)
    assert [(s.code, round(s.score, 6), s.why) for s in remote.items] == \
        [(s.code, round(s.score, 6), s.why) for s in local.items]


def test_the_service_learns_from_the_confirmed_works_in_the_database(client, session, clock, use_tagger):
    """A draft asked of the service (which reads the confirmed works from the application's database, here the
    test's own transaction) gets the theme of four confirmed look-alikes first, with the same why as in-process."""
    from sqlmodel import Session

    from tests.api.test_theme_learning import SUMMARY, TITLE, create as create_work

    conn = session.connection()
    app = create_app(_SHARED_CACHE, sessions=lambda: Session(bind=conn, join_transaction_mode="create_savepoint"))
    with serving(app) as service_url:
        _, headers = journalist(client, session)
        works = [create_work(client, session, headers, title=TITLE, summary=SUMMARY) for _ in range(4)]
        url = f"/api/v1/rounds/{round_by_number(session, 'IX').id}/theme-suggestions"
        draft = {"title": TITLE, "summary": SUMMARY}
        target = client.post(url, headers=headers, json=draft).json()[1]["code"]
        for work in works:
            assert client.put(f"/api/v1/entries/{work}/themes", headers=headers,
                              json={"codes": [target]}).status_code == 200
        use_tagger(service_url)
        remote = client.post(url, headers=headers, json=draft)
        use_tagger(None)
        local = client.post(url, headers=headers, json=draft)
        assert remote.status_code == 200 and remote.json() == local.json()
        assert remote.json()[0]["code"] == target
        assert f"giống 4 tác phẩm đã xác nhận chủ đề {target}" in remote.json()[0]["why"]


def test_the_service_says_when_a_story_is_off_the_outline(client, session, clock, tagger_url, use_tagger):
    """A rice-harvest story typed in the form: the service's answer carries off_outline as the web process's does,
    and the entry page, the service down, keeps the caution of the ranking stored last."""
    from award.tagging_units import OFF_OUTLINE_NOTE
    from tests.api.test_themes_api import _offtopic

    user, headers = journalist(client, session)
    title, lede = _offtopic("Giá lúa tăng")
    round_id = round_by_number(session, "IX").id
    use_tagger(None)
    local = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers,
                        json={"title": title, "summary": lede}).json()
    use_tagger(tagger_url)
    remote = client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers,
                         json={"title": title, "summary": lede}).json()
    assert remote == local and all(i["off_outline"] for i in remote)

    use_tagger(None)
    entry_id = create(client, session, headers, title=title, summary=lede)
    web_login(client, user)
    run_jobs(session, now=clock.now)
    clock.now += timedelta(minutes=5)
    version = client.get(f"/api/v1/entries/{entry_id}", headers=headers).json()["version"]
    changed = entry_payload(session, title=title, summary=lede + " Thêm một câu.", version=version)
    assert client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json=changed).status_code == 200
    _give_up_its_jobs(session, entry_id)
    use_tagger(f"http://127.0.0.1:{free_port()}")
    page = client.get(f"/entries/{entry_id}").text
    assert "Thứ tự dưới đây là gợi ý đã tính lần trước." in page
    assert OFF_OUTLINE_NOTE in page and "Rất phù hợp" not in page
