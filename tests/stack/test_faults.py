"""Faults: an app process killed with SIGKILL in the middle of an upload and of a forwarding, and the
object store going away under an upload. Afterwards nothing is half-made and the user can retry.
(Each test runs real `award serve` processes on the engine under test; PostgreSQL restarts are in
test_postgres_restart.py, on a private cluster.)"""

import os
import random
import signal
import threading
import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from tests.support.databases import fresh_database_url
from tests.support.liveserver import free_port, run_cli, start_server
from tests.support.samples import Samples

PASSWORD = "KiemThu2024ab"


@pytest.fixture
def site(tmp_path, tmp_root):
    """A migrated database and data directory, and a way to (re)start `award serve` on one port."""
    url = fresh_database_url(tmp_root, f"faults_{uuid.uuid4().hex[:6]}")
    env = {**os.environ, "AWARD_ENV": "test", "AWARD_DATA_DIR": str(tmp_path / "data"), "AWARD_DATABASE_URL": url,
           "AWARD_NOW": "2024-09-20T09:00:00+07:00", "AWARD_REGISTER_LIMIT": "1000"}
    run_cli(env, "migrate", timeout=120)
    run_cli(env, "user", "create", "--email", "qm@x.vn", "--password", PASSWORD, "--role", "unit_manager",
            "--unit", "ha-tinh")
    port = free_port()
    procs = []

    def start():
        proc, base = start_server(env, tmp_path / f"serve-{len(procs)}.log", port=port)
        procs.append(proc)
        return proc, base

    engine = sa.create_engine(url)
    yield env, start, engine
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    engine.dispose()


def kill9(proc):
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def journalist(base, n):
    email = f"nb{n}-{uuid.uuid4().hex[:6]}@x.vn"
    assert httpx.post(f"{base}/api/v1/auth/register",
                      json={"email": email, "password": PASSWORD, "full_name": f"Nhà Báo Số {n}"}).status_code == 202
    token = httpx.post(f"{base}/api/v1/auth/token", data={"username": email, "password": PASSWORD}).json()["access_token"]
    return email, {"Authorization": f"Bearer {token}"}


def new_entry(base, headers, email, n):
    rounds = {r["number"]: r["id"] for r in httpx.get(f"{base}/api/v1/rounds").json()}
    units = {u["code"]: u["id"] for u in httpx.get(f"{base}/api/v1/units").json()}
    body = {"round_id": rounds["IX"], "unit_id": units["ha-tinh"], "title": f"Tác phẩm về cơ sở Đảng số {n}",
            "media_type": "print", "genre": "phóng sự", "summary": "Phóng sự về chi bộ vùng biên.",
            "authors": [{"full_name": f"Tác Giả {n}", "email": email}],
            "parts": [{"outlet": "Báo Hà Tĩnh", "published_on": "2024-03-02", "url": f"https://baohatinh.vn/{n}-{uuid.uuid4().hex}"}]}
    response = httpx.post(f"{base}/api/v1/entries", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"], rounds["IX"], units["ha-tinh"]


def slow_multipart(payload: bytes, boundary: str, sent: list, chunk=64 * 1024, pause=0.01):
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bai-du-thi.pdf\"\r\n"
           "Content-Type: application/pdf\r\n\r\n").encode()
    for at in range(0, len(payload), chunk):
        sent.append(at)
        yield payload[at:at + chunk]
        time.sleep(pause)
    yield f"\r\n--{boundary}--\r\n".encode()


def test_killed_in_the_middle_of_an_upload_leaves_no_file_and_the_upload_can_be_retried(site):
    env, start, engine = site
    proc, base = start()
    email, headers = journalist(base, 1)
    entry_id, _, _ = new_entry(base, headers, email, 1)
    payload = Samples.pdf() + b"%" + os.urandom(6 * 1024 * 1024)  # a 6 MB PDF, sent slowly
    boundary, sent, failure = uuid.uuid4().hex, [], []

    def upload():
        try:
            httpx.post(f"{base}/api/v1/entries/{entry_id}/files", timeout=60,
                       headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                       content=slow_multipart(payload, boundary, sent))
        except httpx.HTTPError as exc:
            failure.append(exc)

    thread = threading.Thread(target=upload)
    thread.start()
    while len(sent) < 30:  # about 2 MB are in
        time.sleep(0.02)
    kill9(proc)
    thread.join(30)
    assert failure, "the upload should have been cut off"

    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM entry_file")).scalar() == 0
        assert conn.execute(sa.text("SELECT status, version FROM entry WHERE id = :id"), {"id": entry_id}).one() == ("draft", 1)
    files = os.path.join(env["AWARD_DATA_DIR"], "files", "entries")
    leftovers = [os.path.join(d, f) for d, _, fs in os.walk(files) for f in fs]
    assert all(f.endswith(".part") for f in leftovers)  # never a half file under a real key

    report = run_cli(env, "storage", "gc", "--grace-minutes", "0")
    assert b'"partial_files": %d' % len(leftovers) in report.stdout
    assert [f for d, _, fs in os.walk(files) for f in fs] == []

    proc, base = start()
    retry = httpx.post(f"{base}/api/v1/entries/{entry_id}/files", headers=headers, timeout=60,
                       files={"file": ("bai-du-thi.pdf", payload, "application/pdf")})
    assert retry.status_code == 201, retry.text
    assert retry.json()["size"] == len(payload)


def forwarding_state(engine):
    with engine.connect() as conn:
        return {
            "batches": conn.execute(sa.text("SELECT count(*) FROM forwarding_batch")).scalar(),
            "forwarded_rows": conn.execute(sa.text("SELECT count(*) FROM forwarded_entry")).scalar(),
            "forwarded_status": conn.execute(sa.text("SELECT count(*) FROM entry WHERE status = 'forwarded'")).scalar(),
            "contest_counter": conn.execute(sa.text("SELECT coalesce(sum(forwarded), 0) FROM local_contest")).scalar(),
            "mails": conn.execute(sa.text("SELECT count(*) FROM outbox WHERE kind = 'entry_forwarded'")).scalar(),
            "audit": conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'contest.forwarded'")).scalar(),
        }


def test_killed_in_the_middle_of_forwarding_leaves_all_or_nothing_and_the_unit_can_retry(site):
    env, start, engine = site
    proc, base = start()
    ids = []
    for n in range(25):
        email, headers = journalist(base, n)
        entry_id, round_id, unit_id = new_entry(base, headers, email, n)
        assert httpx.post(f"{base}/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200
        ids.append(entry_id)
    manager = {"Authorization": "Bearer " + httpx.post(f"{base}/api/v1/auth/token", data={
        "username": "qm@x.vn", "password": PASSWORD}).json()["access_token"]}
    for entry_id in ids:  # the unit screens each work eligible before it may forward it
        screened = httpx.post(f"{base}/api/v1/entries/{entry_id}/screening", headers=manager, json={"eligible": True})
        assert screened.status_code == 200, screened.text
    rng = random.Random(8)
    outcomes = []
    for _attempt in range(6):
        manager = {"Authorization": "Bearer " + httpx.post(f"{base}/api/v1/auth/token", data={
            "username": "qm@x.vn", "password": PASSWORD}).json()["access_token"]}
        result = []
        thread = threading.Thread(target=lambda: result.append(_try_forward(base, manager, unit_id, round_id, ids)))
        thread.start()
        time.sleep(rng.uniform(0.0, 0.25))
        kill9(proc)
        thread.join(30)
        state = forwarding_state(engine)
        n = len(ids)
        assert state in ({"batches": 0, "forwarded_rows": 0, "forwarded_status": 0, "contest_counter": 0, "mails": 0,
                          "audit": 0},
                         {"batches": 1, "forwarded_rows": n, "forwarded_status": n, "contest_counter": n, "mails": n,
                          "audit": 1}), state
        outcomes.append(state["batches"])
        proc, base = start()
        if state["batches"]:
            break
    if not outcomes[-1]:  # every kill came first: the unit simply sends again
        manager = {"Authorization": "Bearer " + httpx.post(f"{base}/api/v1/auth/token", data={
            "username": "qm@x.vn", "password": PASSWORD}).json()["access_token"]}
        assert _try_forward(base, manager, unit_id, round_id, ids) == 200
    final = forwarding_state(engine)
    assert final["batches"] == 1 and final["forwarded_status"] == final["mails"] == final["contest_counter"] == len(ids)


def _try_forward(base, headers, unit_id, round_id, ids):
    try:
        return httpx.post(f"{base}/api/v1/units/{unit_id}/rounds/{round_id}/forward", headers=headers,
                          json={"entry_ids": ids}, timeout=30).status_code
    except httpx.HTTPError:
        return None


def test_uploads_answer_503_in_vietnamese_while_the_object_store_is_down(client, session, clock, tmp_path):
    """A private SeaweedFS (the shared one must stay up) is killed and started again."""
    from sqlmodel import select

    from award.models import EntryFile
    from award.storage import S3FileStore
    from api.deps import get_file_store
    from api.main import app
    from tests.api.test_files_api import draft
    from tests.support.s3server import start_seaweedfs

    server = start_seaweedfs(tmp_path / "private-s3", reuse=False)
    try:
        s3 = server.client(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1})
        s3.create_bucket(Bucket="outage")
        store = S3FileStore(s3, "outage")
        app.dependency_overrides[get_file_store] = lambda: store
        _, headers, entry_id = draft(client, session)
        server.kill()
        down = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("bai.pdf", Samples.pdf(), "application/pdf")})
        assert down.status_code == 503
        assert down.json() == {"detail": {"code": "storage_unavailable", "message":
                               "Kho lưu trữ tệp tạm thời không phản hồi. Chưa có gì thay đổi; vui lòng thử lại sau ít phút."}}
        assert session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id)).all() == []
        assert client.get("/readyz").json()["checks"]["storage"] == "unavailable"
        server.start()
        back = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                           files={"file": ("bai.pdf", Samples.pdf(), "application/pdf")})
        assert back.status_code == 201, back.text
        assert store.sha256(session.get(EntryFile, back.json()["id"]).key) == back.json()["sha256"]
    finally:
        server.kill()
        server.stop()
