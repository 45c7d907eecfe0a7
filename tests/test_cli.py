"""The `award` command line, run as a person would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.databases import fresh_database_url

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cli_env(tmp_root):
    env = {**os.environ, "AWARD_DATA_DIR": str(tmp_root / "cli-data"),
           "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "cli"), "AWARD_ENV": "test"}
    run(env, "migrate")
    return env


def run(env, *args, check=True):
    result = subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=180)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_outline_parse_prints_the_tree_as_json(cli_env):
    result = run(cli_env, "outline", "parse", str(ROOT / "award/data/outlines/round_VII_2022.txt"))
    tree = json.loads(result.stdout)
    themes = [t["code"] for s in tree["nodes"] for t in s["children"] if t["kind"] == "theme"]
    assert len(themes) == 15 and themes[-1] == "2.10"


def test_outline_parse_refuses_a_binary_file(cli_env, tmp_path):
    exe = tmp_path / "de-cuong.pdf"
    exe.write_bytes(b"MZ\x90\x00\x03" + bytes(100))
    result = run(cli_env, "outline", "parse", str(exe), check=False)
    assert result.returncode == 2
    assert "Chỉ nhận tệp .txt, .md, .docx hoặc .pdf." in result.stderr


def test_user_create_with_unit_and_duplicate(cli_env):
    result = run(cli_env, "user", "create", "--email", "canbo@hatinh.vn", "--password", "DonVi2024abc",
                 "--role", "unit_manager", "--unit", "ha-tinh", "--name", "Cán Bộ Hà Tĩnh")
    assert json.loads(result.stdout)["role"] == "unit_manager"
    again = run(cli_env, "user", "create", "--email", "CANBO@hatinh.vn", "--password", "DonVi2024abc",
                "--role", "unit_manager", "--unit", "ha-tinh", check=False)
    assert again.returncode == 2 and "E-mail này đã được đăng ký." in again.stderr
    bad_unit = run(cli_env, "user", "create", "--email", "x@y.vn", "--password", "DonVi2024abc", "--role", "judge",
                   "--unit", "khong-co", check=False)
    assert bad_unit.returncode == 2 and "Không có đơn vị mã khong-co." in bad_unit.stderr


def test_first_secretariat_account_with_the_password_asked_for_not_typed_on_the_command_line(cli_env):
    result = subprocess.run([sys.executable, "-m", "api.cli", "user", "create", "--email", "bithu@tw.vn",
                             "--role", "secretariat", "--name", "Thư Ký Đầu Tiên"], env=cli_env, cwd=ROOT,
                            input="BanThuKy2024x\nBanThuKy2024x\n", capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BanThuKy2024x" not in result.stdout  # not echoed
    assert json.loads(result.stdout[result.stdout.index("{"):])["role"] == "secretariat"
    token = subprocess.run([sys.executable, "-c", (
        "from fastapi.testclient import TestClient; from api.main import app; "
        "c = TestClient(app); r = c.post('/api/v1/auth/token', data={'username': 'bithu@tw.vn', "
        "'password': 'BanThuKy2024x'}); print(r.status_code)")], env=cli_env, cwd=ROOT, capture_output=True,
        text=True, timeout=180)
    assert token.stdout.strip().endswith("200"), token.stdout + token.stderr


def test_demo_prints_logins_and_is_idempotent(cli_env):
    first = run(cli_env, "demo")
    assert "bithu@demo.bualiemvang.vn" in first.stdout and "Ban Thư ký" in first.stdout
    logins = [line for line in first.stdout.splitlines() if "@demo.bualiemvang.vn" in line]
    assert any("giamkhao.hatinh@" in line for line in logins)
    # the role column starts at the same place on every line, whatever the address's length
    role_columns = {line.index(line.split(maxsplit=1)[1]) for line in logins}
    assert len(role_columns) == 1, "\n".join(logins)
    second = run(cli_env, "demo")
    assert second.stdout == first.stdout


def test_audit_verify_and_storage_gc(cli_env):
    verified = json.loads(run(cli_env, "audit", "verify").stdout)
    assert verified["ok"] is True and verified["events"] >= 1
    report = json.loads(run(cli_env, "storage", "gc").stdout)
    assert report == {"expired_uploads": 0, "stale_multipart": 0, "orphan_objects": 0, "partial_files": 0}


def test_tagging_eval_prints_one_json_line(cli_env, tmp_path):
    rows = [json.loads(line) for line in (ROOT / "tests/data/tagging_eval.jsonl").read_text().splitlines()
            if line.strip()]
    sample = [r for r in rows if r["round"] == "IX"][:4]
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in sample))
    lines = run(cli_env, "tagging", "eval", str(path)).stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == {"n", "top1", "top3", "mrr"} and result["n"] == 4
    assert 0 <= result["top1"] <= result["top3"] <= 1


def test_outbox_worker_sends_due_mail_once(cli_env, smtp_server):
    from sqlmodel import Session

    from award.outbox import enqueue
    from api.db import make_engine

    engine = make_engine(cli_env["AWARD_DATABASE_URL"])
    with Session(engine) as s:
        enqueue(s, to="bithu@example.vn", subject="Thử hộp thư đi", body="Xin chào.", kind="test", key="cli:1")
        s.commit()
    engine.dispose()
    env = {**cli_env, "AWARD_SMTP_HOST": smtp_server.host, "AWARD_SMTP_PORT": str(smtp_server.port)}
    first = run(env, "outbox", "work", "--once")
    assert json.loads(first.stdout) == {"sent": 1, "failed": 0, "errors": []}
    second = run(env, "outbox", "work", "--once")
    assert json.loads(second.stdout) == {"sent": 0, "failed": 0, "errors": []}
    assert [(m["To"], m["Subject"]) for m in smtp_server.messages] == [("bithu@example.vn", "Thử hộp thư đi")]


def test_outbox_worker_says_why_nothing_was_sent(cli_env):
    from sqlmodel import Session, select

    from award.outbox import OutboxMessage, enqueue
    from api.db import make_engine
    from tests.support.liveserver import free_port

    engine = make_engine(cli_env["AWARD_DATABASE_URL"])
    with Session(engine) as s:
        for i in range(2):
            enqueue(s, to=f"gk{i}@example.vn", subject="Nhắc chấm điểm", body="…", kind="test", key=f"cli:down:{i}")
        s.commit()
    port = free_port()  # nothing listens there
    env = {**cli_env, "AWARD_SMTP_HOST": "127.0.0.1", "AWARD_SMTP_PORT": str(port)}
    result = run(env, "outbox", "work", "--once")
    report = json.loads(result.stdout)
    assert (report["sent"], report["failed"]) == (0, 2)
    reason = f"Máy chủ thư 127.0.0.1:{port} từ chối kết nối: máy chủ chưa chạy hoặc sai cổng (AWARD_SMTP_HOST, AWARD_SMTP_PORT)."
    assert report["errors"][0]["reason"] == reason and report["errors"][0]["messages"] == 2
    assert f"Không gửi được 2 thư: {reason}" in result.stderr  # for people
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(e["message"].startswith(f"outbox.send_failed messages=2 smtp=127.0.0.1:{port} error=connect: "
                                       "ConnectionRefusedError") and e["level"] == "WARNING" for e in logged)
    with Session(engine) as s:  # the same error as the rows record
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.key.like("cli:down:%"))).all()
        assert {r.last_error for r in rows} == {report["errors"][0]["error"]}
        for r in rows:
            s.delete(r)
        s.commit()
    engine.dispose()


def test_smtp_errors_are_explained_in_vietnamese():
    from award.outbox import explain

    assert "kiểm tra tên máy trong AWARD_SMTP_HOST" in explain(
        "connect: gaierror: [Errno -2] Name or service not known", host="smtp", port=25)
    assert "AWARD_SMTP_USERNAME" in explain("SMTPAuthenticationError: (535, b'bad')", host="h", port=587)
    assert "người nhận" in explain("SMTPRecipientsRefused: {'x@y': (550, b'no')}", host="h", port=25)
    assert explain("weird", host="h", port=25) == "Máy chủ thư h:25 không nhận thư."


def test_scores_due_reminders_run_twice_at_once_mail_once(cli_env, smtp_server):
    from sqlmodel import Session, select

    from award.models import Role
    from award.outbox import OutboxMessage
    from judging.models import Assignment, Stage
    from api.db import make_engine
    from tests.factories import make_entry, make_user, round_by_number

    engine = make_engine(cli_env["AWARD_DATABASE_URL"])
    with Session(engine) as s:
        judge = make_user(s, role=Role.judge, email="gk.nhac@example.vn", full_name="Vũ Thị Nhắc")
        entry = make_entry(s, status="eligible")
        s.add(Assignment(round_id=round_by_number(s, "IX").id, stage=Stage.preliminary, entry_id=entry.id,
                         judge_id=judge.id))
        s.commit()
    env = {**cli_env, "AWARD_NOW": "2024-12-04T08:00:00+07:00", "AWARD_PUBLIC_URL": "https://bualiemvang.vn",
           "AWARD_SMTP_HOST": smtp_server.host, "AWARD_SMTP_PORT": str(smtp_server.port)}
    together = [subprocess.Popen([sys.executable, "-m", "api.cli", "reminders", "scores-due"], env=env, cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in together]
    assert [p.returncode for p in together] == [0, 0], outputs
    assert sum(json.loads(out)["queued"] for out, _ in outputs) >= 1
    later = json.loads(run(env, "reminders", "scores-due").stdout)
    assert later["queued"] == 0 and later["already_today"] >= 1 and "IX/preliminary" in later["stages"]
    with Session(engine) as s:
        mails = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "scores_due",
                                                   OutboxMessage.recipient == "gk.nhac@example.vn")).all()
    engine.dispose()
    assert len(mails) == 1
    run(env, "outbox", "work", "--once")
    run(env, "outbox", "work", "--once")
    [mail] = [m for m in smtp_server.messages if m["To"] == "gk.nhac@example.vn"]
    assert str(mail["Subject"]) == "Nhắc hạn chấm điểm: còn 1 tác phẩm chưa chấm (vòng sơ khảo, hạn 05/12/2024)"
    assert "Danh sách tác phẩm cần chấm: https://bualiemvang.vn/judging" in mail.get_content()


def test_backup_and_restore_commands(cli_env, tmp_root, tmp_path):
    backup_dir = tmp_path / "sao-luu"
    made = run(cli_env, "backup", str(backup_dir))
    summary = json.loads(made.stdout)
    assert summary["rows"] > 100 and summary["bad_files"] == []  # units, rounds, outlines at least
    assert (backup_dir / "manifest.json").exists() and (backup_dir / "db" / "unit.jsonl").exists()
    refused = run(cli_env, "backup", str(backup_dir), check=False)
    assert refused.returncode == 2 and "phải trống" in refused.stderr
    target = {**cli_env, "AWARD_DATA_DIR": str(tmp_path / "khoi-phuc"),
              "AWARD_DATABASE_URL": fresh_database_url(tmp_root, "cli_restore")}
    restored = run(target, "restore", str(backup_dir))
    assert json.loads(restored.stdout)["rows"] == summary["rows"]
    again = run(target, "restore", str(backup_dir), check=False)
    assert again.returncode == 2 and "Cơ sở dữ liệu đích phải trống" in again.stderr


def test_results_import_reports_rows_or_publishes(cli_env, tmp_path):
    from tests.judging.test_results_import import GOOD, workbook

    # A database of its own: `award demo` (another test, same module) gives every past round its list.
    cli_env = {**cli_env, "AWARD_DATABASE_URL": fresh_database_url(tmp_path, "cli_import"),
               "AWARD_DATA_DIR": str(tmp_path / "data")}
    run(cli_env, "migrate")

    bad = run(cli_env, "results", "import", str(workbook(tmp_path / "bad.xlsx", [["Z", *GOOD[0][1:]]])),
              "--round", "IX", check=False)
    assert bad.returncode == 1
    assert "Dòng 2, cột “Mức giải”: “Z” không phải mức giải" in bad.stderr and "chưa có gì được ghi" in bad.stderr
    good = run(cli_env, "results", "import", str(workbook(tmp_path / "good.xlsx", GOOD)), "--round", "IX")
    body = json.loads(good.stdout)
    assert (body["round"], body["status"], body["works"], len(body["checksum"])) == ("IX", "published", 3, 64)


def _job_status(env, key):
    from sqlmodel import Session, select

    from award.jobs import Job
    from api.db import make_engine

    engine = make_engine(env["AWARD_DATABASE_URL"])
    try:
        with Session(engine) as s:
            return s.exec(select(Job.status).where(Job.key == key)).first()
    finally:
        engine.dispose()


def _enqueue(env, key, **kw):
    from sqlmodel import Session

    from award import jobs
    from api.db import make_engine

    engine = make_engine(env["AWARD_DATABASE_URL"])
    with Session(engine) as s:
        jobs.enqueue(s, key=key, **kw)
        s.commit()
    engine.dispose()


def test_worker_runs_due_jobs_and_sends_mail(cli_env, smtp_server):
    from sqlmodel import Session

    from award.outbox import enqueue
    from api.db import make_engine

    # a work deleted since its job was queued: the job has nothing to do, and is done
    _enqueue(cli_env, "cli:suggest:gone", kind="entry.suggest", payload={"entry_id": 987654}, entry_id=987654)
    engine = make_engine(cli_env["AWARD_DATABASE_URL"])
    with Session(engine) as s:
        enqueue(s, to="thuky@example.vn", subject="Thư qua award worker", body="…", kind="test", key="cli:worker:mail")
        s.commit()
    engine.dispose()
    env = {**cli_env, "AWARD_SMTP_HOST": smtp_server.host, "AWARD_SMTP_PORT": str(smtp_server.port)}
    report = json.loads(run(env, "worker", "--once").stdout)
    assert report["done"] >= 1 and report["failed"] == 0 and report["mail_sent"] >= 1
    assert _job_status(cli_env, "cli:suggest:gone") == "done"
    assert "Thư qua award worker" in [m["Subject"] for m in smtp_server.messages]
    again = json.loads(run(env, "worker", "--once", "--no-mail").stdout)
    assert again["done"] == 0


def test_serve_starts_an_embedded_worker_and_stops_it_with_itself(cli_env, tmp_path):
    import time

    from tests.support.liveserver import start_server, stop_server

    env = {**cli_env, "AWARD_WORKER": "embedded"}
    proc, _ = start_server(env, tmp_path / "serve.log")
    try:
        _enqueue(cli_env, "cli:suggest:embedded", kind="entry.suggest", payload={"entry_id": 987655})
        deadline = time.monotonic() + 60  # a real process: poll until it has run the job
        while _job_status(cli_env, "cli:suggest:embedded") != "done" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _job_status(cli_env, "cli:suggest:embedded") == "done"
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 1
    finally:
        stop_server(proc)
    with pytest.raises(ProcessLookupError):
        os.kill(int(children[0]), 0)  # stopped (and reaped) with the server


def test_tagging_eval_learn_prints_learn_true_and_learns(cli_env, tmp_path):
    from award.tagging_eval import load_round_taggers

    title, summary = "Chuyện ở một chi bộ", "Chi bộ khu phố họp định kỳ, bàn việc dân sinh và giữ gìn trật tự."
    third = load_round_taggers(rounds=["IX"])["IX"].suggest(title, summary).codes[2]
    path = tmp_path / "same.jsonl"
    path.write_text("\n".join(json.dumps({"round": "IX", "title": title, "text": summary, "themes": [third]},
                                         ensure_ascii=False) for _ in range(9)))
    plain = json.loads(run(cli_env, "tagging", "eval", str(path)).stdout)
    learned = json.loads(run(cli_env, "tagging", "eval", str(path), "--learn").stdout)
    assert "learn" not in plain and plain["top1"] == 0
    assert learned["learn"] is True and learned["top1"] == 1.0 and learned["n"] == 9


def test_migrate_queues_ranking_again_what_an_earlier_release_ranked(cli_env):
    """After an upgrade whose tagger changed (TAGGER_VERSION), `award migrate` queues the relearning pass of each
    round with rankings of the earlier version, and `award worker` ranks them again."""
    from sqlmodel import Session, select

    from award.jobs import Job, JobStatus
    from award.models import OutlineNode, ThemeSuggestion
    from award.tagging_units import TAGGER_VERSION
    from api.db import make_engine
    from tests.factories import make_entry

    engine = make_engine(cli_env["AWARD_DATABASE_URL"])
    with Session(engine) as s:
        entry = make_entry(s, title="Chi bộ vùng biên sinh hoạt chuyên đề về phát triển đảng viên")
        node = s.exec(select(OutlineNode).where(OutlineNode.round_id == entry.round_id, OutlineNode.code == "2.1")).one()
        s.add(ThemeSuggestion(entry_id=entry.id, outline_node_id=node.id, rank=1, score=1.0, why="cách nói cũ",
                              tagger_version=0))
        entry_id, round_id = entry.id, entry.round_id
        s.commit()
    try:
        run(cli_env, "migrate")
        with Session(engine) as s:
            queued = s.exec(select(Job.payload).where(Job.kind == "round.relearn", Job.status == JobStatus.pending)).all()
        assert {"round_id": round_id} in queued
        run(cli_env, "worker", "--once", "--no-mail")
        with Session(engine) as s:
            rows = s.exec(select(ThemeSuggestion.tagger_version, ThemeSuggestion.why)
                          .where(ThemeSuggestion.entry_id == entry_id)).all()
        assert len(rows) > 1 and {v for v, _ in rows} == {TAGGER_VERSION} and "cách nói cũ" not in {w for _, w in rows}
    finally:
        engine.dispose()


def test_migrate_queues_reading_again_what_an_earlier_release_extracted(cli_env):
    """After an upgrade whose text extraction changed (EXTRACTOR_VERSION), `award migrate` queues every current
    document read by another version, and `award worker` reads it again: the work's text becomes its current
    documents' text as this release reads them (here: a PDF without its running heads, a document removed
    before the upgrade no longer in it), and the work is ranked again."""
    from pathlib import Path

    from sqlmodel import Session, select

    from award.files import UploadSink
    from award.jobs import Job, JobStatus
    from award.models import Entry, EntryFile, ThemeSuggestion
    from award.pdf import Document
    from award.storage import LocalFileStore, new_key
    from award.tagging_units import TAGGER_VERSION
    from award.textextract import EXTRACTOR_VERSION
    from api.db import make_engine
    from tests.factories import make_entry

    doc = Document("Người giữ lửa ở chi bộ vùng biên")
    for part in (1, 2, 3):
        if part > 1:
            doc.add_page()
        doc.heading(f"Người giữ lửa ở chi bộ vùng biên\nKỳ {part}")
        doc.paragraph("Những bí thư chi bộ bám bản ở các xã biên giới giữ vững niềm tin của nhân dân với Đảng.")
    store = LocalFileStore(Path(cli_env["AWARD_DATA_DIR"]) / "files")
    sink = UploadSink(store, new_key("entries/cli"))
    sink.write(doc.render())
    stored = sink.finish()
    engine = make_engine(cli_env["AWARD_DATABASE_URL"])
    with Session(engine) as s:
        entry = make_entry(s, title="Người giữ lửa ở chi bộ vùng biên")
        # as the earlier release left it: the text appended to the work, none on the file rows (version 0)
        entry.extracted_text = ("GIẢI BÁO CHÍ TOÀN QUỐC VỀ XÂY DỰNG ĐẢNG – GIẢI BÚA LIỀM VÀNG\nKỳ 1 … trang 1/3"
                                "\n\nBản thảo cũ đã gỡ khỏi hồ sơ")
        common = dict(entry_id=entry.id, round_id=entry.round_id, kind="document", uploaded_by=entry.owner_id)
        gone = EntryFile(**common, key=new_key("entries/cli"), filename="ban-thao.docx", size=10, sha256="0" * 64,
                         content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                         removed_at=entry.submitted_at)
        pdf = EntryFile(**common, key=stored.key, filename="bai-bao.pdf", size=stored.size, sha256=stored.sha256,
                        content_type="application/pdf")
        s.add_all([entry, gone, pdf])
        s.commit()
        entry_id, pdf_id, gone_id = entry.id, pdf.id, gone.id
    try:
        run(cli_env, "migrate")
        with Session(engine) as s:
            queued = s.exec(select(Job.payload).where(Job.kind == "entry.extract_text",
                                                      Job.status == JobStatus.pending)).all()
        assert {"entry_id": entry_id, "file_id": pdf_id} in queued
        assert {"entry_id": entry_id, "file_id": gone_id} not in queued
        run(cli_env, "worker", "--once", "--no-mail")
        with Session(engine) as s:
            row, text = s.get(EntryFile, pdf_id), s.get(Entry, entry_id).extracted_text
            versions = set(s.exec(select(ThemeSuggestion.tagger_version).where(ThemeSuggestion.entry_id == entry_id)))
        assert row.extractor_version == EXTRACTOR_VERSION and text == row.text
        assert "niềm tin của nhân dân" in text and "BÚA LIỀM VÀNG" not in text.upper() and "Bản thảo cũ" not in text
        assert versions == {TAGGER_VERSION}  # ranked again from the text read now
        run(cli_env, "migrate")  # idempotent: nothing is read twice
        with Session(engine) as s:
            assert not s.exec(select(Job.id).where(Job.kind == "entry.extract_text",
                                                   Job.status == JobStatus.pending)).all()
    finally:
        engine.dispose()
