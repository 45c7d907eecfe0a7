"""The forwarding quota holds when two app processes receive forwards for the same unit at the same
moment (both on the engine under test; on PostgreSQL this is the production shape)."""

import os
import threading

import httpx
import pytest
import sqlalchemy as sa

from tests.support.databases import fresh_database_url
from tests.support.liveserver import run_cli, start_server, stop_server

PASSWORD = "KiemThu2024ab"
UNITS = ["ha-tinh", "nghe-an", "quang-tri", "lai-chau", "khanh-hoa"]


@pytest.fixture(scope="module")
def two_apps(tmp_root):
    url = fresh_database_url(tmp_root, "concurrency")
    env = {**os.environ, "AWARD_ENV": "test", "AWARD_DATA_DIR": str(tmp_root / "conc-data"), "AWARD_DATABASE_URL": url,
           "AWARD_NOW": "2024-09-20T09:00:00+07:00", "AWARD_REGISTER_LIMIT": "1000"}
    run_cli(env, "migrate", timeout=120)
    run_cli(env, "user", "create", "--email", "bt@x.vn", "--password", PASSWORD, "--role", "secretariat")
    for code in UNITS:
        run_cli(env, "user", "create", "--email", f"qm-{code}@x.vn", "--password", PASSWORD,
                "--role", "unit_manager", "--unit", code)
    procs, bases = [], []
    for i in range(2):
        proc, base = start_server(env, tmp_root / f"conc-{i}.log")
        procs.append(proc)
        bases.append(base)
    yield bases, sa.create_engine(url)
    for proc in procs:
        stop_server(proc)


def token(base, email):
    return {"Authorization": "Bearer " + httpx.post(f"{base}/api/v1/auth/token",
                                                     data={"username": email, "password": PASSWORD}).json()["access_token"]}


def test_two_processes_cannot_pass_the_quota_together(two_apps):
    (a, b), engine = two_apps
    rounds = {r["number"]: r["id"] for r in httpx.get(f"{a}/api/v1/rounds").json()}
    units = {u["code"]: u["id"] for u in httpx.get(f"{a}/api/v1/units").json()}
    round_id = rounds["IX"]
    secretariat = token(a, "bt@x.vn")
    results = []
    for n, code in enumerate(UNITS):
        unit_id = units[code]
        assert httpx.put(f"{a}/api/v1/rounds/{round_id}/quotas/{unit_id}", headers=secretariat,
                         json={"quota": 4}).status_code == 200
        ids = []
        for i in range(6):
            email = f"nb-{code}-{i}@x.vn"
            httpx.post(f"{a}/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": f"Nhà Báo {n}{i}"})
            headers = token(a, email)
            entry = httpx.post(f"{a}/api/v1/entries", headers=headers, json={
                "round_id": round_id, "unit_id": unit_id, "title": f"Tác phẩm {code} {i}", "media_type": "print",
                "genre": "bình luận", "authors": [{"full_name": f"Nhà Báo {n}{i}", "email": email}],
                "parts": [{"outlet": "Báo Địa Phương", "published_on": "2024-06-01",
                           "url": f"https://baodiaphuong.vn/{code}-{i}.html"}]}).json()
            submitted = httpx.post(f"{a}/api/v1/entries/{entry['id']}/submit", headers=headers)
            assert submitted.status_code == 200, submitted.text
            ids.append(entry["id"])
        manager_a, manager_b = token(a, f"qm-{code}@x.vn"), token(b, f"qm-{code}@x.vn")
        for entry_id in ids:  # the unit screens every work eligible: the quota, not screening, limits the race
            screened = httpx.post(f"{a}/api/v1/entries/{entry_id}/screening", headers=manager_a, json={"eligible": True})
            assert screened.status_code == 200, screened.text
        barrier = threading.Barrier(2)
        answers = {}

        def send(name, base, headers, batch):
            barrier.wait()
            answers[name] = httpx.post(f"{base}/api/v1/units/{unit_id}/rounds/{round_id}/forward", headers=headers,
                                       json={"entry_ids": batch}, timeout=60)

        threads = [threading.Thread(target=send, args=("a", a, manager_a, ids[:3])),
                   threading.Thread(target=send, args=("b", b, manager_b, ids[3:]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status_code for r in answers.values())
        assert statuses == [200, 409], [r.text for r in answers.values()]
        refused = next(r for r in answers.values() if r.status_code == 409)
        assert refused.json()["detail"]["code"] in ("quota_exceeded", "concurrent_change")
        with engine.connect() as conn:
            forwarded = conn.execute(sa.text("SELECT forwarded, quota FROM local_contest WHERE unit_id = :u AND round_id = :r"),
                                     {"u": unit_id, "r": round_id}).one()
            in_batches = conn.execute(sa.text("SELECT count(*) FROM forwarded_entry fe JOIN entry e ON e.id = fe.entry_id "
                                              "WHERE e.unit_id = :u"), {"u": unit_id}).scalar()
            moved = conn.execute(sa.text("SELECT count(*) FROM entry WHERE unit_id = :u AND status = 'forwarded'"),
                                 {"u": unit_id}).scalar()
        assert tuple(forwarded) == (3, 4)
        assert in_batches == moved == 3
        results.append(statuses)
    assert len(results) == len(UNITS)
