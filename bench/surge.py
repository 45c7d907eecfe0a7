"""1. Deadline surge: N journalists at once log in, create an entry, upload a 5 MB PDF and submit,
against `award serve --workers 2` on PostgreSQL and SeaweedFS. Then an exact reconciliation of the
database against the bucket, and the limit: the same client sending the same uploads to a bare
endpoint that only streams them to the same bucket (bench/bare_app.py)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench.common import (
    ROOT,
    VENV_BIN,
    AppServer,
    MiB,
    app_env,
    free_port,
    fresh_database,
    migrate,
    summary_ms,
    wait_http,
)

PASSWORD = "BenchMatKhau2024"
STEPS = ("login", "create", "upload", "submit")
MARKER = "M" * 32  # replaced per journalist with a same-length id: every PDF differs (the app refuses duplicates)


def base_pdf(size: int) -> bytes:
    """A real PDF (one A4 page, an embedded file of random bytes making up the size)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": MARKER})
    writer.add_attachment("phu-luc.bin", os.urandom(size))
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert data.count(MARKER.encode()) == 1
    return data


def pdf_for(base: bytes, i: int) -> bytes:
    return base.replace(MARKER.encode(), f"{i:032x}".encode())


def create_journalists(database_url: str, n: int) -> tuple[int, list[tuple[str, int]]]:
    """Accounts made beforehand, as registration would (one argon2 hash shared: creating 200 accounts
    is not what is measured). Returns round IX's id and (e-mail, unit id) per journalist."""
    from sqlmodel import Session

    from award.models import Role, Round, User
    from award.units import units_for_round
    from award.users import password_hash

    engine = sa.create_engine(database_url)
    hashed = password_hash.hash(PASSWORD)
    with Session(engine) as session:
        round_ = session.exec(sa.select(Round).where(Round.number == "IX")).scalar_one()
        round_id = round_.id
        # the provinces of round IX (the 63 before July 2025), not the units of later rounds
        units = [u.id for u in units_for_round(session, round_) if u.kind == "province"]
        people = [(f"nhabao{i}@bench.vn", units[i % len(units)]) for i in range(n)]
        session.execute(sa.insert(User.__table__), [
            {"email": e, "full_name": f"Nhà báo Thử {i}", "password_hash": hashed, "role": Role.journalist.value,
             "unit_id": u, "is_active": True} for i, (e, u) in enumerate(people)])
        session.commit()
    engine.dispose()
    return round_id, people


def entry_body(round_id: int, unit_id: int, i: int) -> dict:
    return {
        "round_id": round_id, "unit_id": unit_id, "media_type": "print", "genre": "phóng sự",
        "title": f"Phóng sự: Gần dân, trọng dân ở cơ sở số {i}",
        "summary": "Phóng sự về cán bộ cơ sở bám dân, giải quyết kiến nghị của nhân dân.",
        "authors": [{"full_name": f"Nhà báo Thử {i}", "email": f"nhabao{i}@bench.vn"}],
        "parts": [{"outlet": "Báo Thử", "published_on": "2024-05-02", "url": f"https://baothu.vn/bai-{i}.html"}],
    }


async def journalist(client: httpx.AsyncClient, i: int, email: str, body: dict, pdf: bytes, times: dict,
                     sent: dict[int, str]) -> dict:
    """One flow; returns what the server said it stored. `sent` gets the SHA-256 of every file the
    server accepted, even when a later step fails (a draft keeps its file; the user retries)."""
    async def step(name, coro):
        t = time.perf_counter()
        r = await coro
        times[name].append(time.perf_counter() - t)
        if r.status_code >= 300:
            raise RuntimeError(f"{name}: {r.status_code} {r.text[:200]}")
        return r.json()

    login = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    token = (await step("login", login))["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    entry = await step("create", client.post("/api/v1/entries", json=body, headers=headers))
    await step("upload", client.post(f"/api/v1/entries/{entry['id']}/files", headers=headers,
                                     files={"file": (f"bai-du-thi-{i}.pdf", pdf, "application/pdf")}))
    sent[entry["id"]] = hashlib.sha256(pdf).hexdigest()
    await step("submit", client.post(f"/api/v1/entries/{entry['id']}/submit", headers=headers))
    return {"entry_id": entry["id"], "client_sha256": hashlib.sha256(pdf).hexdigest()}


async def _surge(url: str, jobs: list[tuple[str, dict, bytes]], sent: dict[int, str]) -> tuple[float, dict, list, list]:
    times = {s: [] for s in STEPS}
    limits = httpx.Limits(max_connections=len(jobs), max_keepalive_connections=len(jobs))
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        t = time.perf_counter()
        results = await asyncio.gather(*(journalist(client, i, e, b, p, times, sent) for i, (e, b, p) in enumerate(jobs)),
                                       return_exceptions=True)
        wall = time.perf_counter() - t
    done = [r for r in results if not isinstance(r, BaseException)]
    errors = [repr(r)[:300] for r in results if isinstance(r, BaseException)]
    return wall, times, done, errors


async def _bare(url: str, pdfs: list[bytes]) -> tuple[float, list[float], int, list[dict]]:
    times: list[float] = []
    limits = httpx.Limits(max_connections=len(pdfs), max_keepalive_connections=len(pdfs))

    async def one(i: int, pdf: bytes):
        t = time.perf_counter()
        r = await client.post("/upload", files={"file": (f"bai-du-thi-{i}.pdf", pdf, "application/pdf")})
        times.append(time.perf_counter() - t)
        r.raise_for_status()
        return r.json()

    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        t = time.perf_counter()
        results = await asyncio.gather(*(one(i, p) for i, p in enumerate(pdfs)), return_exceptions=True)
        wall = time.perf_counter() - t
    return wall, times, sum(isinstance(r, BaseException) for r in results), [r for r in results if isinstance(r, dict)]


def reconcile(database_url: str, s3, bucket: str, round_id: int, sent: dict[int, str], done: list[dict]) -> dict:
    """Exact: submitted entries = completed flows, files the server accepted = file rows = objects in the
    bucket, every SHA-256 equal three ways
    (what the client sent, what the database recorded, what the bucket holds)."""
    from award.models import Entry, EntryFile

    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        n_entries = conn.execute(sa.select(sa.func.count()).select_from(Entry).where(
            Entry.round_id == round_id, Entry.status == "submitted")).scalar_one()
        files = conn.execute(sa.select(EntryFile.entry_id, EntryFile.key, EntryFile.sha256).where(
            EntryFile.removed_at.is_(None))).all()
    engine.dispose()
    keys = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="entries/"):
        keys |= {o["Key"] for o in page.get("Contents", [])}
    mismatches = 0
    for entry_id, key, sha in files:
        if key not in keys or sent.get(entry_id) != sha:
            mismatches += 1
            continue
        digest = hashlib.sha256()
        for chunk in s3.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(MiB):
            digest.update(chunk)
        mismatches += digest.hexdigest() != sha
    return {"entries_in_db": n_entries, "completed_flows": len(done), "file_rows": len(files),
            "objects_in_bucket": len(keys), "checksum_mismatches": mismatches,
            "files_accepted": len(sent),
            "exact": n_entries == len(done) and len(sent) == len(files) == len(keys) and mismatches == 0}


def run(s3_server, work: Path, *, journalists: int = 200, pdf_mb: float = 5.0, workers: int = 2) -> dict:
    database_url = fresh_database("bench_surge")
    bucket = "bench-surge"
    s3 = s3_server.client()
    env = app_env(database_url, work / "surge", AWARD_STORAGE="s3", AWARD_S3_ENDPOINT=s3_server.endpoint_url,
                  AWARD_S3_BUCKET=bucket, AWARD_S3_ACCESS_KEY=s3_server.access_key,
                  AWARD_S3_SECRET_KEY=s3_server.secret_key)
    (work / "surge").mkdir(parents=True, exist_ok=True)
    migrate(env)
    round_id, people = create_journalists(database_url, journalists)
    base = base_pdf(int(pdf_mb * MiB))
    pdfs = [pdf_for(base, i) for i in range(journalists)]
    jobs = [(email, entry_body(round_id, unit, i), pdfs[i]) for i, (email, unit) in enumerate(people)]

    # The web processes only: production runs `award worker` on other machines (AWARD_WORKER=external), so the
    # PDFs' text and the themes are read after the requests; that backlog is timed below, on its own.
    server = AppServer(dict(env, AWARD_WORKER="external"), workers=workers)
    try:
        sent: dict[int, str] = {}
        wall, times, done, errors = asyncio.run(_surge(server.url, jobs, sent))
    finally:
        server.stop()
    recon = reconcile(database_url, s3, bucket, round_id, sent, done)
    t = time.perf_counter()
    drained = subprocess.run([str(VENV_BIN / "award"), "worker", "--once", "--no-mail"], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True)
    backlog = {"seconds": round(time.perf_counter() - t, 1), **json.loads(drained.stdout.strip().splitlines()[-1])}

    # The limit: same client, same bodies, a bare streaming endpoint with as many workers, same bucket.
    s3.create_bucket(Bucket="bench-bare")
    port = free_port()
    bare_env = dict(os.environ, BARE_S3_ENDPOINT=s3_server.endpoint_url, BARE_S3_BUCKET="bench-bare",
                    BARE_S3_KEY=s3_server.access_key, BARE_S3_SECRET=s3_server.secret_key)
    with open(work / "surge" / "bare.log", "ab") as log:
        bare = subprocess.Popen([str(VENV_BIN / "uvicorn"), "bench.bare_app:app", "--port", str(port),
                                 "--workers", str(workers), "--log-level", "warning"], env=bare_env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(f"http://127.0.0.1:{port}/readyz")
            bare_wall, bare_times, bare_errors, _ = asyncio.run(_bare(f"http://127.0.0.1:{port}", pdfs))
        finally:
            bare.terminate()
            bare.wait(timeout=20)

    flows_per_s = len(done) / wall
    bare_per_s = (journalists - bare_errors) / bare_wall
    return {
        "journalists": journalists, "pdf_mb": pdf_mb, "workers": workers,
        "wall_s": round(wall, 2), "completed_flows": len(done), "errors": len(errors), "error_samples": errors[:5],
        "flows_per_s": round(flows_per_s, 2),
        "steps": {s: summary_ms(times[s]) for s in STEPS},
        "reconciliation": recon,
        "backlog": backlog,  # one `award worker --once` on this machine after the surge: text and themes of every work
        "limit": {"what": "same client, same 5 MB bodies, bare ASGI endpoint streaming to the same bucket",
                  "wall_s": round(bare_wall, 2), "uploads_per_s": round(bare_per_s, 2), "errors": bare_errors,
                  "upload": summary_ms(bare_times)},
        "ratio": round(flows_per_s / bare_per_s, 3) if bare_per_s else None,
        "goal": "ratio >= 0.5, zero errors, zero mismatches",
    }
