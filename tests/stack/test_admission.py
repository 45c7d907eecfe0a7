"""A burst of requests larger than the connection pool queues and completes instead of failing.

The shape that failed in the deadline-surge benchmark (bench/surge.py), scaled down: an app process with
a pool of 2 PostgreSQL connections and 40 journalists logging in and creating entries at once. FastAPI
runs a sync endpoint and its response validation in separate worker threads with the transaction open,
so with more requests inside than threads, every thread waited for a connection while the requests
holding them waited for a thread, until the pool's timeout (503 for everyone). Admission control
(api/admission.py) lets in only as many requests as there are threads."""

import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from tests.support.databases import PG_ENV, fresh_database_url
from tests.support.liveserver import run_cli, start_server, stop_server

PASSWORD = "KiemThu2024ab"
PEOPLE = 40

pytestmark = pytest.mark.skipif(not os.environ.get(PG_ENV, "").startswith("postgresql"),
                                reason="the connection pool is PostgreSQL's (SQLite serialises writers itself)")


@pytest.fixture(scope="module")
def small_app(tmp_root):
    url = fresh_database_url(tmp_root, "admission")
    env = {**os.environ, "AWARD_ENV": "test", "AWARD_DATA_DIR": str(tmp_root / "admission-data"),
           "AWARD_DATABASE_URL": url, "AWARD_NOW": "2024-09-20T09:00:00+07:00", "AWARD_REGISTER_LIMIT": "1000",
           "AWARD_DB_POOL_SIZE": "2", "AWARD_DB_POOL_OVERFLOW": "0", "AWARD_REQUESTS_IN_FLIGHT": "4"}
    run_cli(env, "migrate", timeout=120)
    proc, base = start_server(env, tmp_root / "admission.log")
    yield base, sa.create_engine(url), env
    stop_server(proc)


def test_a_burst_larger_than_the_pool_queues_and_every_request_succeeds(small_app):
    base, engine, env = small_app
    rounds = {r["number"]: r["id"] for r in httpx.get(f"{base}/api/v1/rounds").json()}
    unit_id = next(u["id"] for u in httpx.get(f"{base}/api/v1/units").json() if u["code"] == "ha-tinh")
    emails = [f"dongloat{i}@x.vn" for i in range(PEOPLE)]
    for i, email in enumerate(emails):
        r = httpx.post(f"{base}/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                                              "full_name": f"Nhà Báo {i}"})
        assert r.status_code == 202, r.text

    def flow(i: int) -> tuple[int, int]:
        with httpx.Client(base_url=base, timeout=120) as client:
            login = client.post("/api/v1/auth/token", data={"username": emails[i], "password": PASSWORD})
            if login.status_code != 200:
                return login.status_code, 0
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            created = client.post("/api/v1/entries", headers=headers, json={
                "round_id": rounds["IX"], "unit_id": unit_id, "title": f"Phóng sự cùng lúc số {i}",
                "media_type": "print", "genre": "phóng sự",
                "authors": [{"full_name": f"Nhà Báo {i}"}],
                "parts": [{"outlet": "Báo Thử", "published_on": "2024-05-02", "url": f"https://baothu.vn/{i}.html"}]})
            return login.status_code, created.status_code

    with ThreadPoolExecutor(PEOPLE) as pool:
        answers = list(pool.map(flow, range(PEOPLE)))
    assert answers == [(200, 201)] * PEOPLE
    with engine.connect() as conn:
        titles = conn.execute(sa.text("SELECT count(*) FROM entry WHERE title LIKE 'Phóng sự cùng lúc số %'")).scalar()
        events = conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'entry.created'")).scalar()
    assert (titles, events) == (PEOPLE, PEOPLE)
    # 40 transactions appended to the audit chain at once: still one unbroken chain
    assert '"ok": true' in run_cli(env, "audit", "verify").stdout.decode()
