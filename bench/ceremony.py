"""Ceremony night: 500 people open the published results at once (issue 18 item 6).

    .venv/bin/python -m bench.run --only ceremony

Round X's list (82 prizes, DOMAIN.md) is imported into a fresh PostgreSQL database and `award serve --workers
2` serves it. 500 concurrent readers each open the results page, reload it as a browser does (If-None-Match
with the ETag it got: 304), and open two works' pages. The limit is the same readers fetching a static file
of the same size from the same server, in the same run (StaticFiles, with its own ETag). Reported: requests
per second and p95 latency of both, and the ratio (goal ≥ 0.5, p95 < 200 ms). Nothing fails on a timing."""

from __future__ import annotations

import asyncio
import io
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, VENV_BIN, AppServer, app_env, fresh_database, migrate, pct

READERS = 500
PRIZES = {"A": 6, "B": 13, "C": 18, "KK": 35}  # round X (DOMAIN.md); 10 thematic prizes among them
MEDIA = ["Báo in", "Báo điện tử", "Truyền hình", "Phát thanh", "Ảnh"]
STATIC_NAME = "bench-ceremony-limit.html"


def _list_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Mức giải", "Giải chuyên đề", "Tên tác phẩm", "Loại hình", "Thể loại", "Tác giả",
                        "Cơ quan báo chí", "Đơn vị"])
    n = 0
    for level, count in PRIZES.items():
        for _ in range(count):
            n += 1
            thematic = f"Giải chuyên đề {n % 10 + 1}" if n <= 10 else ""
            book.active.append([level, thematic, f"Tác phẩm đoạt giải số {n}: người giữ lửa ở chi bộ vùng cao",
                                MEDIA[n % len(MEDIA)], "phóng sự", f"Nguyễn Văn Tác Giả {n} (Bút Danh {n}); Trần Thị B",
                                "Báo Nhân Dân", "bao-nhan-dan"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _readers(urls_for, n: int) -> tuple[list[float], float, int]:
    """n readers at once, each fetching its urls in turn (sending back the ETag it got, as a browser does);
    returns the latencies, the wall time and the number of errors."""
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def reader(i: int) -> None:
            nonlocal errors
            tags: dict[str, str] = {}
            for url in urls_for(i):
                headers = {"If-None-Match": tags[url]} if url in tags else {}
                started = time.perf_counter()
                try:
                    response = await client.get(url, headers=headers)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                if response.status_code not in (200, 304):
                    errors += 1
                if "etag" in response.headers:
                    tags[url] = response.headers["etag"]
        started = time.perf_counter()
        await asyncio.gather(*(reader(i) for i in range(n)))
        return latencies, time.perf_counter() - started, errors


def _figures(latencies: list[float], wall: float, errors: int) -> dict:
    return {"requests": len(latencies), "errors": errors, "wall_s": round(wall, 2),
            "per_s": round(len(latencies) / wall, 1) if wall else None,
            "p50_ms": round(pct(latencies, 50) * 1000, 1), "p95_ms": round(pct(latencies, 95) * 1000, 1)}


def run(work: Path, readers: int = READERS) -> dict:
    import httpx

    work.mkdir(parents=True, exist_ok=True)
    (work / "data").mkdir(parents=True, exist_ok=True)
    env = app_env(fresh_database("bench_ceremony"), work / "data")
    migrate(env)
    sheet = work / "ket-qua-lan-X.xlsx"
    sheet.write_bytes(_list_xlsx())
    subprocess.run([str(VENV_BIN / "award"), "results", "import", str(sheet), "--round", "VIII"], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    server = AppServer(env, workers=2)
    static = ROOT / "static" / STATIC_NAME
    try:
        rounds = httpx.get(f"{server.url}/api/v1/rounds").json()
        round_id = next(r["id"] for r in rounds if r["number"] == "VIII")
        results = f"{server.url}/rounds/{round_id}/results"
        page = httpx.get(results)
        works = [int(i) for i in sorted(set(__import__("re").findall(rf"/rounds/{round_id}/results/(\d+)", page.text)))]
        static.write_bytes(page.content)  # the limit: the same bytes, served as a file
        static_url = f"{server.url}/static/{STATIC_NAME}"

        def readers_urls(i: int) -> list[str]:
            return [results, results, f"{results}/{works[i % len(works)]}", f"{results}/{works[(i * 7) % len(works)]}"]

        def static_urls(i: int) -> list[str]:
            return [static_url] * 4

        asyncio.run(_readers(static_urls, 20))  # warm both paths
        asyncio.run(_readers(readers_urls, 20))
        limit = _figures(*asyncio.run(_readers(static_urls, readers)))
        measured = _figures(*asyncio.run(_readers(readers_urls, readers)))
    finally:
        static.unlink(missing_ok=True)
        server.stop()
    ratio = round(measured["per_s"] / limit["per_s"], 2) if measured["per_s"] and limit["per_s"] else None
    return {"readers": readers, "prizes": sum(PRIZES.values()), "page_bytes": len(page.content), "works": len(works),
            "results": measured, "limit": limit, "ratio": ratio}


if __name__ == "__main__":
    print(run(Path(tempfile.mkdtemp(prefix="bench-ceremony-"))))
