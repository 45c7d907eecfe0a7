"""`make bench`: every benchmark of issue 7 in one run, then bench/results/latest.{json,md}.

    .venv/bin/python -m bench.run [--media-gb 2] [--journalists 200] [--entries 25000]
                                    [--only surge,media,scale,tagging,relearn,documents,ceremony]

Starts its own SeaweedFS (never a shared one) and PostgreSQL databases named bench_*; reports figures
next to their limits. Never fails on a timing (only if a benchmark itself breaks)."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.common import ROOT, disk_free_gib, machine

RESULTS = ROOT / "bench" / "results"
SECTIONS = ("surge", "media", "scale", "tagging", "relearn", "documents", "ceremony")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--media-gb", type=float, default=2.0)
    parser.add_argument("--journalists", type=int, default=200)
    parser.add_argument("--entries", type=int, default=25000)
    parser.add_argument("--judges", type=int, default=600)
    parser.add_argument("--retag", type=int, default=2500)
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    chosen = [s for s in args.only.split(",") if s]

    work = Path(tempfile.mkdtemp(prefix="award-bench-"))
    print(f"work dir {work}; free disk {disk_free_gib(work):.1f} GiB", flush=True)
    result: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                    "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}
    failed = False
    s3_server = None
    started = time.perf_counter()
    try:
        if {"surge", "media"} & set(chosen):
            from tests.support.s3server import start_seaweedfs

            s3_server = start_seaweedfs(work / "seaweedfs", reuse=False)
        for name in chosen:
            print(f"== {name} ==", flush=True)
            t = time.perf_counter()
            try:
                result[name] = _run(name, args, work, s3_server)
            except Exception:  # a broken benchmark is reported, the others still run
                failed = True
                result[name] = {"error": traceback.format_exc(limit=5)}
            result[name]["section_s"] = round(time.perf_counter() - t, 1)
            print(json.dumps(result[name], ensure_ascii=False, default=str)[:2000], flush=True)
    finally:
        if s3_server is not None:
            s3_server.stop()
        shutil.rmtree(work, ignore_errors=True)
    result["total_s"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    markdown = report.markdown(result)
    (args.out / "latest.md").write_text(markdown)
    print(markdown)
    return 1 if failed else 0


def _run(name: str, args, work: Path, s3_server) -> dict:
    if name == "surge":
        from bench import surge

        return surge.run(s3_server, work, journalists=args.journalists)
    if name == "media":
        from bench import media

        return media.run(s3_server, work / "media", gb=args.media_gb)
    if name == "scale":
        from bench import scale

        return scale.run(work, small=args.entries // 10, large=args.entries, judges=args.judges)
    if name == "tagging":
        sys.path.insert(0, str(ROOT / "bench"))
        from bench import tagging

        return tagging.run(entries=args.retag)
    if name == "relearn":
        from bench import relearn

        return relearn.run(works=args.entries)
    if name == "ceremony":
        from bench import ceremony

        return ceremony.run(work / "ceremony")
    if name == "documents":
        from bench import documents

        return documents.run()
    raise SystemExit(f"unknown section {name}")


if __name__ == "__main__":
    sys.exit(main())
