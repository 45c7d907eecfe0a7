"""2. Large media: one video of --media-gb through the direct (presigned multipart) path on S3 and
through the app on local disk (the app plays S3's part), with the peak resident memory of every app
process (web processes ask the tagger service, its own process, for theme suggestions: AWARD_TAGGER_URL),
their idle size and growth during the upload. Limits from the same run: boto3 `upload_file` of the same
file to the same server, and, for local disk, the same client sending the same parts to a bare endpoint on
the same kind of server (uvicorn, as many workers) that writes them at their offsets on the same disk
(bench/bare_app.py); a plain file copy + fsync stays as a reference line. Every big file is deleted
afterwards."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import struct
import subprocess
import time
from pathlib import Path

import httpx
import psutil

from bench.common import (
    ROOT,
    VENV_BIN,
    AppServer,
    MiB,
    RssSampler,
    app_env,
    disk_free_gib,
    free_port,
    fresh_database,
    migrate,
    wait_http,
)
from bench.surge import PASSWORD, create_journalists

BROWSER_PARALLEL_PARTS = 4  # what static/upload.js sends at once, like a browser


def make_video(path: Path, size: int) -> str:
    """An ISO-BMFF file (ftyp `isom`, then one mdat box) of `size` bytes; returns its SHA-256.
    The mdat holds random blocks, so nothing on the way can compress or deduplicate it."""
    ftyp = struct.pack(">I", 24) + b"ftyp" + b"isom" + b"\x00\x00\x02\x00" + b"isommp42"
    header = ftyp + struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", size - len(ftyp))  # 64-bit box size
    digest = hashlib.sha256(header)
    block = os.urandom(16 * MiB)
    with open(path, "wb") as f:
        f.write(header)
        left = size - len(header)
        n = 0
        while left > 0:
            chunk = block[:left] if left < len(block) else block
            chunk = n.to_bytes(8, "big") + chunk[8:] if len(chunk) >= 8 else chunk
            f.write(chunk)
            digest.update(chunk)
            left -= len(chunk)
            n += 1
    return digest.hexdigest()


async def direct_upload(base_url: str, email: str, round_id: int, unit_id: int, path: Path, sha256: str) -> dict:
    """What the entry page's script does: start, PUT the parts (4 at a time), complete."""
    size = path.stat().st_size
    async with httpx.AsyncClient(base_url=base_url, timeout=3600) as client:
        r = await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.raise_for_status().json()['access_token']}"}
        entry = (await client.post("/api/v1/entries", headers=headers, json={
            "round_id": round_id, "unit_id": unit_id, "media_type": "tv", "genre": "phim tài liệu",
            "title": "Phim tài liệu: Người giữ lửa ở bản biên giới",
            "authors": [{"full_name": "Nhà báo Thử 0"}],
            "parts": [{"outlet": "Đài PT-TH Thử", "published_on": "2024-05-02", "broadcast_slot": "VTV1 20h"}],
        })).raise_for_status().json()
        t = time.perf_counter()
        plan = (await client.post(f"/api/v1/entries/{entry['id']}/uploads", headers=headers, json={
            "filename": "phim-tai-lieu.mp4", "size": size, "content_type": "video/mp4", "sha256": sha256,
        })).raise_for_status().json()
        part_size = plan["part_size"]
        done = await send_parts(client, [(p["number"], p["url"]) for p in plan["parts"]], path, part_size)
        parts_s = time.perf_counter() - t
        r = await client.post(f"/api/v1/entries/{entry['id']}/uploads/{plan['upload_id']}/complete", headers=headers,
                              json={"parts": sorted(done, key=lambda p: p["number"])})
        r.raise_for_status()
        wall = time.perf_counter() - t
    return {"wall_s": round(wall, 2), "parts_s": round(parts_s, 2), "complete_s": round(wall - parts_s, 2),
            "parts": len(done), "part_mb": part_size // MiB, "sha256_ok": r.json()["sha256"] == sha256}


async def send_parts(client: httpx.AsyncClient, urls: list[tuple[int, str]], path: Path, part_size: int) -> list[dict]:
    """PUT each part's share of the file to its URL, 4 at a time like the upload widget; their ETags."""
    gate = asyncio.Semaphore(BROWSER_PARALLEL_PARTS)

    async def put(number: int, url: str) -> dict:
        async with gate:
            with open(path, "rb") as f:
                f.seek((number - 1) * part_size)
                body = f.read(part_size)
            r = await client.put(url, content=body)
            r.raise_for_status()
            return {"number": number, "etag": r.headers["etag"]}

    return list(await asyncio.gather(*(put(n, url) for n, url in urls)))


async def bare_upload(base_url: str, path: Path, part_size: int) -> dict:
    """The same client and parts to the bare endpoint: start, PUT the parts (4 at a time), finish (fsync)."""
    size = path.stat().st_size
    async with httpx.AsyncClient(base_url=base_url, timeout=3600) as client:
        t = time.perf_counter()
        file_id = (await client.post("/disk", params={"size": size, "part_size": part_size})).raise_for_status().json()["id"]
        numbers = range(1, -(-size // part_size) + 1)
        await send_parts(client, [(n, f"/disk/{file_id}/{n}?part_size={part_size}") for n in numbers], path, part_size)
        parts_s = time.perf_counter() - t
        r = (await client.post(f"/disk/{file_id}/finish")).raise_for_status()
        wall = time.perf_counter() - t
    return {"wall_s": round(wall, 2), "parts_s": round(parts_s, 2), "complete_s": round(wall - parts_s, 2),
            "size_ok": r.json()["size"] == size}


def _bare_disk(work: Path, path: Path, part_size: int, workers: int = 2) -> dict:
    """The bare endpoint's run, as many uvicorn workers as the app, writing under `work`."""
    port = free_port()
    env = dict(os.environ, BARE_DISK_DIR=str(work / "bare"))
    with open(work / "bare.log", "ab") as log:
        bare = subprocess.Popen([str(VENV_BIN / "uvicorn"), "bench.bare_app:app", "--port", str(port),
                                 "--workers", str(workers), "--log-level", "warning"], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(f"http://127.0.0.1:{port}/readyz")
            result = asyncio.run(bare_upload(f"http://127.0.0.1:{port}", path, part_size))
        finally:
            bare.terminate()
            bare.wait(timeout=20)
    result["what"] = ("same client, same parts (4 at a time), bare uvicorn endpoint with as many workers writing "
                      "them at their offsets on the same disk, one fsync; no checks, no checksum")
    return result
class TaggerServer:
    """`award tagging serve` as its own process, as production runs it beside the web processes."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(env["AWARD_DATA_DIR"]) / "tagger.log", "ab")
        self.proc = subprocess.Popen([str(VENV_BIN / "award"), "tagging", "serve", "--port", str(self.port)], env=env,
                                     cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.url + "/health")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def live_suggestion(base_url: str, email: str, round_id: int) -> int:
    """One suggestion while typing, as the entry form asks it: served through the tagger service."""
    with httpx.Client(base_url=base_url, timeout=120) as client:
        r = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.raise_for_status().json()['access_token']}"}
        return client.post(f"/api/v1/rounds/{round_id}/theme-suggestions", headers=headers, json={
            "title": "Người giữ lửa ở bản biên giới", "summary": "Phim tài liệu về bí thư chi bộ bám bản."}).status_code


WARM_UPS = 6  # small uploads at once before the idle sample
WARM_UP_ROUNDS = 5


async def warm_up(base_url: str, round_id: int, people: list[tuple[str, int]], work: Path) -> None:
    files = [work / f"warm-up-{i}.mp4" for i in range(len(people))]
    try:
        digests = [make_video(f, 12 * MiB) for f in files]  # two parts each; all different (a file is one work's)
        await asyncio.gather(*(direct_upload(base_url, email, round_id, unit_id, f, sha256)
                               for (email, unit_id), f, sha256 in zip(people, files, digests)))
    finally:
        for f in files:
            f.unlink(missing_ok=True)


def _through_app(env: dict, work: Path, path: Path, sha256: str) -> dict:
    database_url = env["AWARD_DATABASE_URL"]
    migrate(env)
    round_id, people = create_journalists(database_url, 1 + WARM_UPS * WARM_UP_ROUNDS)
    tagger = TaggerServer(env)
    server = AppServer(dict(env, AWARD_TAGGER_URL=tagger.url), workers=2)
    try:
        # Idle: once every worker has served what a journalist does (log in, a live suggestion, a small upload
        # start to finish), so the growth measured next is the large upload's own, not a first request's.
        # Short requests all go to whichever worker accepts first: warm up again until each worker has grown
        # (served some), at most WARM_UP_ROUNDS times.
        suggestion_status = live_suggestion(server.url, people[0][0], round_id)
        started = {pid: psutil.Process(pid).memory_info().rss for pid in server.pids()[2:]}
        for n in range(WARM_UP_ROUNDS):
            asyncio.run(warm_up(server.url, round_id, people[1 + n * WARM_UPS:1 + (n + 1) * WARM_UPS], work))
            if all(psutil.Process(pid).memory_info().rss - rss > 4 * MiB for pid, rss in started.items()):
                break
        with RssSampler(server.pids) as idle:
            time.sleep(0.3)
        with RssSampler(server.pids) as rss, RssSampler(lambda: [tagger.proc.pid]) as tagger_rss:
            result = asyncio.run(direct_upload(server.url, people[0][0], round_id, people[0][1], path, sha256))
        result["idle_rss_mib"] = idle.peaks_mib()
        result["peak_rss_mib"] = rss.peaks_mib()
        result["growth_mib"] = [round((rss.peak[pid] - idle.peak.get(pid, rss.peak[pid])) / MiB, 1)
                                for pid in sorted(rss.peak)]
        result["tagger_rss_mib"] = max(tagger_rss.peaks_mib(), default=None)
        result["suggestion_status"] = suggestion_status
        result["processes"] = len(rss.peak)
    finally:
        server.stop()
        tagger.stop()
    return result


def run(s3_server, work: Path, *, gb: float) -> dict:
    size = int(gb * 1024 * MiB)
    work.mkdir(parents=True, exist_ok=True)
    free = disk_free_gib(work)
    if free < 5 * gb + 2:
        return {"skipped": f"needs about {5 * gb + 2:.0f} GiB free in {work}, has {free:.1f}"}
    src = work / "video.mp4"
    out: dict = {"size_gb": gb, "disk_free_gib_before": round(free, 1)}
    try:
        t = time.perf_counter()
        sha256 = make_video(src, size)
        out["generate_s"] = round(time.perf_counter() - t, 1)
        s3 = s3_server.client()

        # S3: presigned direct upload (browser → bucket), the app only signs and verifies.
        bucket = "bench-media"
        env = app_env(fresh_database("bench_media_s3"), work / "s3app", AWARD_STORAGE="s3",
                      AWARD_S3_ENDPOINT=s3_server.endpoint_url, AWARD_S3_BUCKET=bucket,
                      AWARD_S3_ACCESS_KEY=s3_server.access_key, AWARD_S3_SECRET_KEY=s3_server.secret_key)
        (work / "s3app").mkdir(exist_ok=True)
        out["s3_direct"] = _through_app(env, work, src, sha256)
        _empty_bucket(s3, bucket)
        s3.create_bucket(Bucket="bench-media-limit")
        t = time.perf_counter()
        s3.upload_file(str(src), "bench-media-limit", "video.mp4")
        out["s3_limit"] = {"what": "boto3 upload_file, same file, same server", "wall_s": round(time.perf_counter() - t, 2)}
        _empty_bucket(s3, "bench-media-limit")
        out["s3_ratio"] = round(out["s3_limit"]["wall_s"] / out["s3_direct"]["wall_s"], 3)

        # Local disk: the same direct-upload protocol, the app receives the parts and writes them in place.
        env = app_env(fresh_database("bench_media_local"), work / "localapp", AWARD_STORAGE="local")
        (work / "localapp").mkdir(exist_ok=True)
        out["local_app"] = _through_app(env, work, src, sha256)
        shutil.rmtree(work / "localapp" / "files", ignore_errors=True)
        out["local_limit"] = _bare_disk(work, src, out["local_app"]["part_mb"] * MiB)  # the parts the app planned
        shutil.rmtree(work / "bare", ignore_errors=True)
        out["local_ratio"] = round(out["local_limit"]["wall_s"] / out["local_app"]["wall_s"], 3)
        t = time.perf_counter()
        shutil.copyfile(src, work / "copy.mp4")
        with open(work / "copy.mp4", "rb+") as f:
            os.fsync(f.fileno())
        out["local_copy"] = {"what": "file copy on the same disk (shutil.copyfile + fsync), for reference",
                             "wall_s": round(time.perf_counter() - t, 2)}
        peaks = out["s3_direct"]["peak_rss_mib"] + out["local_app"]["peak_rss_mib"]
        out["max_app_rss_mib"] = max(peaks)
        # The supervisor (first pid) serves nothing; the web workers are the ones that must stay lean.
        workers = out["s3_direct"]["idle_rss_mib"][1:] + out["local_app"]["idle_rss_mib"][1:]
        out["max_web_idle_rss_mib"] = max(workers)
        out["max_web_growth_mib"] = max(out["s3_direct"]["growth_mib"][1:] + out["local_app"]["growth_mib"][1:])
        out["goal"] = ("ratio >= 0.7 of the limit, no app process above 150 MiB resident; web processes idle < 120 MiB "
                       "and growing < 20 MiB during the upload")
    finally:
        for leftover in (src, work / "copy.mp4"):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(work / "localapp" / "files", ignore_errors=True)
        shutil.rmtree(work / "bare", ignore_errors=True)
    return out


def _empty_bucket(s3, bucket: str) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
