"""The Markdown table of a run (bench/results/latest.md, shown in the README): each figure next to
its limit or goal, as a ratio where the issue asks for one."""

from __future__ import annotations


def _row(figure: str, measured: str, limit: str, ratio: str = "", verdict: str = "") -> str:
    return f"| {figure} | {measured} | {limit} | {ratio} | {verdict} |"


def _ok(good: bool | None) -> str:
    return "" if good is None else ("met" if good else "**missed**")


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"Run {r['started']}, {r.get('total_s', '?')} s in all. Machine: {m['cores']} cores ({m['cpu']}), "
        f"{m['memory_gib']} GiB, load {m['load_1m_at_start']} at start; Python {m['python']}, PostgreSQL "
        f"{m['postgresql']}, SQLAlchemy {m['sqlalchemy']}, FastAPI {m['fastapi']}, SeaweedFS {m['seaweedfs']}.",
        "",
        "| figure | measured | limit or goal | ratio | goal |",
        "|---|---|---|---|---|",
    ]
    lines += _surge(r.get("surge"))
    lines += _media(r.get("media"))
    lines += _scale(r.get("scale"))
    lines += _tagging(r.get("tagging"))
    lines += _relearn(r.get("relearn"))
    lines += _documents(r.get("documents"))
    lines += _ceremony(r.get("ceremony"))
    lines += _profile((r.get("scale") or {}).get("profile"))
    return "\n".join(lines) + "\n"


def _profile(p: dict | None, depth: int = 4) -> list[str]:
    """5. Where the time goes: the top of the pyinstrument tree of the slowest path."""
    if not p or not p.get("text"):
        return []
    tree = [line for line in p["text"].splitlines() if "─" in line or line.strip().endswith((".py:1", "bench/scale.py"))]
    shown = [line for line in tree if (len(line) - len(line.lstrip(" │├└─"))) // 3 <= depth][:24]
    return ["", f"5. Where the time goes: slowest page `{p['slowest_page']}`, profiled as `{p['profiled']}` (pyinstrument):",
            "", "```", *shown, "```"]


def _error(name: str, section: dict | None) -> list[str] | None:
    if section is None:
        return [_row(name, "not run", "")]
    if "error" in section:
        return [_row(name, "failed: " + section["error"].strip().splitlines()[-1][:120], "")]
    if "skipped" in section:
        return [_row(name, "skipped: " + section["skipped"], "")]
    return None


def _surge(s: dict | None) -> list[str]:
    if (e := _error("1. deadline surge", s)) is not None:
        return e
    lim, rec = s["limit"], s["reconciliation"]
    rows = [_row(f"1. surge: {s['journalists']} journalists × (log in, create, upload {s['pdf_mb']:g} MB PDF, submit)",
                 f"{s['flows_per_s']} flows/s ({s['wall_s']} s)",
                 f"bare streaming endpoint: {lim['uploads_per_s']} uploads/s ({lim['wall_s']} s); goal ≥ 0.5",
                 f"{s['ratio']}", _ok(s["ratio"] is not None and s["ratio"] >= 0.5))]
    for step, t in s["steps"].items():
        rows.append(_row(f"1. surge step `{step}` p50 / p95 / p99", f"{t['p50_ms']} / {t['p95_ms']} / {t['p99_ms']} ms",
                         "bare upload p50 / p95: " + f"{lim['upload']['p50_ms']} / {lim['upload']['p95_ms']} ms"
                         if step == "upload" else ""))
    rows.append(_row("1. surge errors", str(s["errors"]), "0", "", _ok(s["errors"] == 0)))
    rows.append(_row("1. reconciliation: submitted entries = completed flows; files accepted = file rows = objects; "
                     "checksum mismatches",
                     f"{rec['entries_in_db']} = {rec['completed_flows']}; {rec.get('files_accepted', '?')} = "
                     f"{rec['file_rows']} = {rec['objects_in_bucket']}; {rec['checksum_mismatches']}", "exact, 0", "",
                     _ok(rec["exact"])))
    if (b := s.get("backlog")) is not None:
        rows.append(_row("1. then the background jobs (text of every PDF, themes of every work): one `award worker` "
                         "on the same machine", f"{b['seconds']} s ({b['done']} jobs done, {b['failed']} failed)",
                         "", "", _ok(b["failed"] == 0)))
    return rows


def _media(s: dict | None) -> list[str]:
    if (e := _error("2. large media", s)) is not None:
        return e
    gb = f"{s['size_gb']:g} GB"
    d, loc = s["s3_direct"], s["local_app"]
    return [
        _row(f"2. {gb} video, presigned direct upload to S3 (start, {d['parts']} parts, complete)", f"{d['wall_s']} s "
             f"(parts {d['parts_s']} s, complete + verify {d['complete_s']} s)",
             f"boto3 upload_file: {s['s3_limit']['wall_s']} s; goal ≥ 0.7",
             str(s["s3_ratio"]), _ok(s["s3_ratio"] >= 0.7)),
        _row(f"2. {gb} video through the app to local disk (start, {loc['parts']} parts written in place, complete)",
             f"{loc['wall_s']} s (parts {loc['parts_s']} s, complete + verify {loc['complete_s']} s)",
             f"bare streaming endpoint, same client and parts, same disk: {s['local_limit']['wall_s']} s "
             f"(parts {s['local_limit'].get('parts_s', '?')} s, fsync {s['local_limit'].get('complete_s', '?')} s); "
             "goal ≥ 0.7", str(s["local_ratio"]), _ok(s["local_ratio"] >= 0.7)),
        *([_row(f"2. reference: {gb} file copy + fsync on the same disk", f"{s['local_copy']['wall_s']} s", "")]
          if "local_copy" in s else []),
        _row("2. peak RSS of every app process (MiB), S3 run / local run",
             f"{', '.join(map(str, d['peak_rss_mib']))} / {', '.join(map(str, loc['peak_rss_mib']))}",
             "150 MiB each", f"{round(s['max_app_rss_mib'] / 150, 2)}", _ok(s["max_app_rss_mib"] <= 150)),
        _row("2. the same processes idle, after start and before the upload (MiB), S3 run / local run",
             f"{', '.join(map(str, d.get('idle_rss_mib', [])))} / {', '.join(map(str, loc.get('idle_rss_mib', [])))}",
             "web processes 120 MiB", *((f"{round(s['max_web_idle_rss_mib'] / 120, 2)}",
                                         _ok(s["max_web_idle_rss_mib"] < 120)) if "max_web_idle_rss_mib" in s else ())),
    ] + ([
        _row("2. growth of each app process during the upload (MiB), S3 run / local run; tagger service, its own "
             "process (MiB)",
             f"{', '.join(map(str, d['growth_mib']))} / {', '.join(map(str, loc['growth_mib']))}; "
             f"{d.get('tagger_rss_mib')} / {loc.get('tagger_rss_mib')}", "web processes 20 MiB",
             f"{round(s['max_web_growth_mib'] / 20, 2)}", _ok(s["max_web_growth_mib"] < 20)),
    ] if "max_web_growth_mib" in s else [])


def _scale(s: dict | None) -> list[str]:
    if (e := _error("3. ten times the national scale", s)) is not None:
        return e
    sizes = sorted(s["sizes"], key=int)
    small, large = s["sizes"][sizes[0]], s["sizes"][sizes[-1]]
    rows_info = large.get("rows", {})
    rows = [_row("3. generated round", f"{rows_info.get('entry')} works, {rows_info.get('judge_membership')} judges, "
                 f"{rows_info.get('assignment')} score sheets ({rows_info.get('sheets_submitted')} submitted)",
                 "25,000 / 600 / 75,000")]
    for page, t in large["pages"].items():
        q_small = small["pages"][page]["queries"]
        rows.append(_row(f"3. {page}: p50 / p95 at {sizes[-1]}; SQL queries at {sizes[0]} → {sizes[-1]}",
                         f"{t['p50_ms']} / {t['p95_ms']} ms; {q_small} → {t['queries']}", "p95 < 100 ms; same count",
                         f"{round(t['p95_ms'] / 100, 2)}", _ok(t["p95_ms"] < 100 and t["queries"] == q_small)))
    rk = large["ranking"]
    rows.append(_row(f"3. full ranking, {rk['entries_ranked']} works (mean / z-score)", f"{rk['mean_s']} / {rk['zscore_s']} s",
                     "2 s", f"{round(rk['mean_s'] / 2, 2)}", _ok(rk["mean_s"] < 2)))
    fin = s.get("final", {})
    rows.append(_row(f"3. council tally and prize allocation ({fin.get('finalists')} finalists × {fin.get('council')} "
                     f"members; then propose, approve, publish)",
                     f"{fin.get('tally_and_allocation_s')} s; {fin.get('propose_approve_publish_s')} s; "
                     f"{fin.get('prizes')} prizes", "2 s", f"{round((fin.get('tally_and_allocation_s') or 0) / 2, 2)}",
                     _ok((fin.get("tally_and_allocation_s") or 99) < 2)))
    return rows


def _tagging(s: dict | None) -> list[str]:
    if (e := _error("4. tagging", s)) is not None:
        return e
    return [
        _row("4. theme suggestions, one entry (cold / cached vector) p50 / p95",
             f"{s['one_entry_cold_p50_ms']} / {s['one_entry_cold_p95_ms']} ms; {s['one_entry_warm_p50_ms']} / "
             f"{s['one_entry_warm_p95_ms']} ms", ""),
        _row(f"4. re-tag {s['retag_entries']} works (empty cache / cached)",
             f"{s['retag_cold_s']} s ({s['retag_cold_per_s']}/s) / {s['retag_warm_s']} s", ""),
    ] + ([
        _row("4. live suggestion while typing, one work, via the tagger service p50 / p95 (in-process p50 / p95)",
             f"{s['live_service_p50_ms']} / {s['live_service_p95_ms']} ms ({s['live_local_p50_ms']} / "
             f"{s['live_local_p95_ms']} ms)", "p95 < 300 ms", f"{round(s['live_service_p95_ms'] / 300, 2)}",
             _ok(s["live_service_p95_ms"] < 300)),
    ] if "live_service_p95_ms" in s else [])


def _relearn(s: dict | None) -> list[str]:
    if (e := _error("4. relearning", s)) is not None:
        return e
    rows = [
        _row(f"4. relearning after one more confirmation, {s['works']} works ({s['confirmed']} confirmed): "
             f"the job (re-ranks {s['pass_reranked']}) / the former full pass",
             f"{s['pass_s']} s / {s['full_pass_s']} s",
             f"ranking the {s['works']} works once: {s['rank_once_s']} s",
             f"{s['pass_ratio']} / {s['full_pass_ratio']}"),
    ]
    if "drafts" in s:
        d = s["drafts"]
        rows.append(_row(f"4. draft suggestion learning from {s['confirmed']} confirmed works, in-process p50 / p95",
                         f"{d['learned']['p50_ms']} / {d['learned']['p95_ms']} ms",
                         f"outline only: {d['outline_only']['p50_ms']} / {d['outline_only']['p95_ms']} ms; "
                         "p95 < 300 ms", f"{round(d['learned']['p95_ms'] / 300, 2)}",
                         _ok(d["learned"]["p95_ms"] < 300)))
    return rows


def _documents(d: dict | None) -> list[str]:
    if (e := _error("6. documents", d)) is not None:
        return e
    limit = f"same list, DejaVu only: {d['limit_s']} s"
    return [_row(f"6. PDF list of {d['finalists']} finalists, Vietnamese only (fallback fonts configured)",
                 f"{d['vietnamese_s']} s", limit + "; goal ≥ 0.9", str(d["vietnamese_ratio"]),
                 _ok(d["vietnamese_ratio"] >= 0.9)),
            _row("6. the same list with one Chinese title (Unifont loaded)", f"{d['mixed_s']} s", limit,
                 str(d["mixed_ratio"]))]


def _ceremony(c: dict | None) -> list[str]:
    if (e := _error("7. ceremony night", c)) is not None:
        return e
    m, lim = c["results"], c["limit"]
    return [_row(f"7. ceremony night: {c['readers']} readers at once × (results page, reload with ETag, 2 work pages); "
                 f"{c['prizes']} prizes, {c['page_bytes']} B page",
                 f"{m['per_s']} req/s, p95 {m['p95_ms']} ms, {m['errors']} errors",
                 f"static file of the same size, same server: {lim['per_s']} req/s, p95 {lim['p95_ms']} ms; "
                 "goal ≥ 0.5 and p95 < 200 ms",
                 str(c["ratio"]), _ok(c["ratio"] is not None and c["ratio"] >= 0.5 and m["p95_ms"] < 200))]
