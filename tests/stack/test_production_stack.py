"""The production shape on this machine: `award serve --workers 2` on the engine under test, files in
S3 (SeaweedFS), no state in the processes. A journalist's whole flow runs over real HTTP."""

import hashlib
import os
import subprocess
import uuid

import httpx
import pytest

from tests.support.databases import fresh_database_url
from tests.support.liveserver import CLI, ROOT, free_port, run_cli, start_server, stop_server

pytestmark = pytest.mark.s3


@pytest.fixture(scope="module")
def stack(tmp_root, s3_server):
    bucket = f"award-stack-{uuid.uuid4().hex[:8]}"
    port = free_port()  # the public URL must be known before the server starts
    env = {**os.environ, "AWARD_ENV": "production", "AWARD_SECRET_KEY": "s" * 48,
           "AWARD_DATA_DIR": str(tmp_root / "stack-data"), "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "stack"),
           "AWARD_STORAGE": "s3", "AWARD_S3_ENDPOINT": s3_server.endpoint_url, "AWARD_S3_BUCKET": bucket,
           "AWARD_S3_ACCESS_KEY": s3_server.access_key, "AWARD_S3_SECRET_KEY": s3_server.secret_key,
           "AWARD_PUBLIC_URL": f"http://127.0.0.1:{port}", "AWARD_NOW": "2024-09-20T09:00:00+07:00",
           "AWARD_COOKIE_SECURE": "false"}
    run_cli(env, "migrate", timeout=120)
    proc, base = start_server(env, tmp_root / "stack.log", "--workers", "2", ready_path="/readyz", port=port)
    yield base, env, s3_server.client(), bucket
    stop_server(proc)


def test_production_refuses_the_development_secret(tmp_root):
    env = {**os.environ, "AWARD_ENV": "production", "AWARD_SECRET_KEY": "dev-only-secret-do-not-use-in-production"}
    result = subprocess.run([*CLI, "serve", "--port", str(free_port())], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "AWARD_SECRET_KEY" in result.stderr


def test_journalist_flow_across_two_workers_with_files_in_s3(stack, samples):
    base, env, s3, bucket = stack
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/readyz").json()["checks"] == {"database": "ok", "storage": "ok"}
        email = f"nb{uuid.uuid4().hex[:6]}@bao.vn"
        assert http.post("/api/v1/auth/register", json={"email": email, "password": "BaiViet2024ok",
                                                        "full_name": "Nhà Báo Thử"}).status_code == 202
        token = http.post("/api/v1/auth/token", data={"username": email, "password": "BaiViet2024ok"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        rounds = {r["number"]: r["id"] for r in http.get("/api/v1/rounds").json()}
        units = {u["code"]: u["id"] for u in http.get("/api/v1/units").json()}
        entry = http.post("/api/v1/entries", headers=headers, json={
            "round_id": rounds["IX"], "unit_id": units["ha-tinh"], "title": "Phóng sự: Chi bộ giữa đại ngàn",
            "media_type": "tv", "genre": "phóng sự", "summary": "Về sinh hoạt chi bộ ở bản vùng cao.",
            "authors": [{"full_name": "Nhà Báo Thử", "email": email}],
            "parts": [{"outlet": "Đài PT-TH Hà Tĩnh", "published_on": "2024-05-19",  # a TV work: its broadcast's link
                       "url": "https://hatinhtv.vn/chi-bo-giua-dai-ngan"}]}).json()
        pdf = samples.pdf()
        uploaded = http.post(f"/api/v1/entries/{entry['id']}/files", headers=headers,
                             files={"file": ("kịch bản.pdf", pdf, "application/pdf")})
        assert uploaded.status_code == 201
        key = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="entries/")["Contents"]]
        assert len(key) == 1
        assert hashlib.sha256(s3.get_object(Bucket=bucket, Key=key[0])["Body"].read()).hexdigest() == uploaded.json()["sha256"]
        # Many requests: whichever worker answers, the token and the entry are there.
        for _ in range(10):
            assert http.get(f"/api/v1/entries/{entry['id']}", headers=headers).json()["files"][0]["filename"] == "kịch bản.pdf"
        submitted = http.post(f"/api/v1/entries/{entry['id']}/submit", headers=headers)
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted", submitted.text
        cors = s3.get_bucket_cors(Bucket=bucket)["CORSRules"][0]
        assert cors["AllowedOrigins"] == [base] and "ETag" in cors["ExposeHeaders"]
        page = http.get("/")
        assert f"connect-src 'self' {env['AWARD_S3_ENDPOINT'].rstrip('/')}" in page.headers["content-security-policy"]
