"""The `award` command: serve, migrate, demo data, accounts, outlines, audit."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Giải Búa liềm vàng: quản lý tác phẩm, chấm giải và công bố kết quả.", no_args_is_help=True)
user_app = typer.Typer(help="Tài khoản người dùng.", no_args_is_help=True)
outline_app = typer.Typer(help="Đề cương tuyên truyền.", no_args_is_help=True)
audit_app = typer.Typer(help="Nhật ký kiểm toán.", no_args_is_help=True)
storage_app = typer.Typer(help="Kho tệp.", no_args_is_help=True)
tagging_app = typer.Typer(help="Gợi ý chủ đề theo đề cương.", no_args_is_help=True)
outbox_app = typer.Typer(help="Hộp thư đi: gửi e-mail thông báo.", no_args_is_help=True)
results_app = typer.Typer(help="Kết quả giải.", no_args_is_help=True)
reminders_app = typer.Typer(help="Thư nhắc việc.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(outline_app, name="outline")
app.add_typer(audit_app, name="audit")
app.add_typer(storage_app, name="storage")
app.add_typer(tagging_app, name="tagging")
app.add_typer(outbox_app, name="outbox")
app.add_typer(results_app, name="results")
app.add_typer(reminders_app, name="reminders")

ROOT = Path(__file__).resolve().parents[1]


def alembic_config():
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


def migrate_database() -> None:
    """Upgrade the schema to head, add any missing shipped reference data, and queue for the worker what an
    earlier release made: rankings of another tagger version, documents' text of another extractor version."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlmodel import Session

    from award import entry_files, themes
    from award.reference import load_reference_data
    from api.db import get_engine

    command.upgrade(alembic_config(), "head")
    _prepare_storage()
    with Session(get_engine()) as session:
        load_reference_data(session)
        # rankings an earlier release's tagger made are ranked again by the worker (award.tagging_units.TAGGER_VERSION)
        themes.queue_outdated_rankings(session, now=datetime.now(UTC))
        # documents another extractor read are read again, then ranked (award.textextract.EXTRACTOR_VERSION)
        entry_files.queue_outdated_extractions(session, now=datetime.now(UTC))
        session.commit()


def _prepare_storage() -> None:
    """With S3: the bucket exists and accepts direct uploads from the site's pages."""
    from award.storage import S3FileStore
    from api.deps import get_file_store
    from api.settings import get_settings

    store = get_file_store()
    if isinstance(store, S3FileStore):
        store.ensure_bucket()
        store.allow_browser_uploads([get_settings().public_url.rstrip("/")])


@app.command()
def migrate():
    """Đưa cơ sở dữ liệu lên phiên bản mới nhất và nạp dữ liệu tham chiếu."""
    migrate_database()
    typer.echo("Cơ sở dữ liệu đã ở phiên bản mới nhất.")


# How `award serve` runs uvicorn. Forwarded headers are the app's business (AWARD_TRUSTED_PROXIES,
# api/security.py), not uvicorn's: its FORWARDED_ALLOW_IPS='*' believed any client's X-Forwarded-For.
# No `server: uvicorn` header: it tells a scanner which exploits to try. Keep-alive longer than a proxy's idle
# timeout (nginx: 60 s): when the app closes an idle connection first, a request the client sends on it at
# that moment fails (bench/surge.py saw ReadError).
SERVER_OPTIONS = {"proxy_headers": False, "server_header": False, "log_level": "info", "timeout_keep_alive": 75}


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
):
    """Chạy máy chủ web (và, với AWARD_WORKER=embedded, một tiến trình `award worker` bên cạnh)."""
    import os
    import signal
    import subprocess

    import uvicorn

    from api.settings import get_settings

    settings = get_settings()  # refuse to start on bad settings before forking workers
    background = None
    if settings.worker == "embedded":  # the background jobs' worker lives and dies with the server
        background = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--parent-pid", str(os.getpid())],
                                      cwd=ROOT)

        # uvicorn re-raises SIGTERM/SIGINT once it has shut down: exit through `finally` to stop the worker too
        def _exit(signum, _frame):
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, _exit)
        signal.signal(signal.SIGINT, _exit)
    try:
        uvicorn.run("api.main:app", host=host, port=port, workers=workers, **SERVER_OPTIONS)
    finally:
        if background is not None:
            background.terminate()
            try:
                background.wait(timeout=30)
            except subprocess.TimeoutExpired:
                background.kill()


def run_jobs_now(limit: int = 1000) -> None:
    """One worker pass over every due background job (no e-mail), in this process."""
    from sqlmodel import Session

    import award.job_handlers  # noqa: F401  (registers the handlers)
    from award import jobs, themes
    from api.clock import now
    from api.db import get_engine
    from api.deps import get_file_store

    engine = get_engine()
    jobs.run_due(engine, lambda: Session(engine, expire_on_commit=False), worker=jobs.worker_name(), now=now(),
                 limit=limit, services={"store": get_file_store(), "cache": themes.DbEmbeddingCache(engine)})


@app.command()
def demo():
    """Nạp dữ liệu minh họa và in các tài khoản đăng nhập."""
    from sqlmodel import Session

    from api.clock import now
    from api.db import get_engine
    from api.demo import DEMO_PASSWORD, load_demo

    migrate_database()
    with Session(get_engine()) as session:
        accounts = load_demo(session, now=now())
        session.commit()
    run_jobs_now()  # the demo works' text and suggestions are ready before anyone opens them
    typer.echo("Tài khoản minh họa (mật khẩu chung: %s):" % DEMO_PASSWORD)
    width = max((len(email) for email, _ in accounts), default=0)  # the longest address sets the role column
    for email, role_label in accounts:
        typer.echo(f"  {email:<{width}}   {role_label}")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option()],
    # Asked for (twice, not echoed) when not given, so a production password stays out of shell history.
    password: Annotated[str, typer.Option(prompt="Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")],
    role: Annotated[str, typer.Option()],
    full_name: Annotated[str, typer.Option("--name")] = "",
    unit: Annotated[str | None, typer.Option(help="Mã đơn vị, ví dụ ha-tinh")] = None,
    outlet: Annotated[str | None, typer.Option()] = None,
):
    """Tạo tài khoản với bất kỳ vai trò nào."""
    from sqlmodel import Session, select

    from award import users
    from award.errors import AwardError
    from award.models import Role, Unit
    from api.clock import now
    from api.db import get_engine

    with Session(get_engine()) as session:
        try:
            if role not in Role.__members__:
                raise AwardError(f"Vai trò không hợp lệ: {role}. Chọn một trong: {', '.join(Role)}")
            unit_id = None
            if unit:
                found = session.exec(select(Unit).where(Unit.code == unit)).first()
                if found is None:
                    raise AwardError(f"Không có đơn vị mã {unit}.")
                unit_id = found.id
            user = users.create_user(session, email=email, password=password, full_name=full_name or email,
                                     role=Role(role), unit_id=unit_id, outlet=outlet, now=now(), via="cli")
            created = {"id": user.id, "email": user.email, "role": user.role}
            session.commit()
        except AwardError as exc:
            typer.echo(f"Lỗi: {exc.message}", err=True)
            raise typer.Exit(2) from None
    typer.echo(json.dumps(created, ensure_ascii=False))


@outline_app.command("parse")
def outline_parse(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]):
    """In cây đề cương đọc được từ tệp (.txt, .md, .docx, .pdf) dưới dạng JSON."""
    from award.errors import AwardError
    from award.outline_parser import parse_outline
    from award.textextract import extract_text

    try:
        with open(file, "rb") as f:
            parsed = parse_outline(extract_text(f))
    except AwardError as exc:
        typer.echo(f"Lỗi: {exc.message}", err=True)
        raise typer.Exit(2) from None
    for warning in parsed.warnings:
        typer.echo(f"Cảnh báo: {warning}", err=True)
    json.dump(parsed.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@audit_app.command("verify")
def audit_verify():
    """Kiểm tra chuỗi băm của nhật ký kiểm toán."""
    from sqlmodel import Session

    from award import audit
    from api.db import get_engine

    with Session(get_engine()) as session:
        result = audit.verify(session)
    typer.echo(json.dumps({"ok": result.ok, "events": result.events, "first_bad_id": result.first_bad_id}))
    if not result.ok:
        raise typer.Exit(1)


@results_app.command("import")
def results_import(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
                   round_number: Annotated[str, typer.Option("--round", help="Số La Mã của đợt giải, ví dụ VIII")]):
    """Nhập kết quả một đợt giải đã qua từ tệp Excel và công bố; một dòng sai thì không nhập gì."""
    from sqlmodel import Session, select

    from award.errors import Invalid
    from award.models import Round
    from judging.models import ResultItem
    from judging.results_import import import_results
    from api.clock import now
    from api.db import get_engine

    with Session(get_engine()) as session:
        round_ = session.exec(select(Round).where(Round.number == round_number.upper())).first()
        if round_ is None:
            typer.echo(f"Lỗi: không có đợt giải lần thứ {round_number}.", err=True)
            raise typer.Exit(2)
        try:
            result = import_results(session, round_=round_, path=file, now=now())
        except Invalid as exc:  # ImportFailed lists every row; an empty file is refused as such
            session.rollback()
            typer.echo("Không nhập được, chưa có gì được ghi:", err=True)
            for error in getattr(exc, "errors", [exc.message]):
                typer.echo(f"  {error}", err=True)
            raise typer.Exit(1) from None
        n = len(session.exec(select(ResultItem.entry_id).where(ResultItem.round_id == round_.id)).all())
        session.commit()
        typer.echo(json.dumps({"round": round_.number, "checksum": result.checksum, "status": result.status,
                               "works": n}, ensure_ascii=False))


@storage_app.command("gc")
def storage_gc(grace_minutes: Annotated[int, typer.Option(help="Bỏ qua tệp mới hơn chừng này phút")] = 60):
    """Xóa phần còn lại của các lần tải lên bị gián đoạn (tệp mồ côi, tải lên nhiều phần quá hạn)."""
    from datetime import timedelta

    from sqlmodel import Session

    from award.entry_files import collect_garbage
    from api.clock import now
    from api.db import get_engine
    from api.deps import get_file_store

    with Session(get_engine()) as session:
        report = collect_garbage(session, get_file_store(), now=now(), grace=timedelta(minutes=grace_minutes))
        session.commit()
    typer.echo(json.dumps(report.__dict__))


@tagging_app.command("eval")
def tagging_eval(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
                 detail: Annotated[bool, typer.Option(help="Thêm số liệu theo từng đợt và các ca sai")] = False,
                 learn: Annotated[bool, typer.Option(
                     help="Học từ tác phẩm đã xác nhận: mỗi dòng được gợi ý khi mọi dòng khác cùng đợt coi như đã xác nhận "
                          "(leave-one-out)")] = False):
    """Đánh giá gợi ý chủ đề trên tệp JSONL có nhãn; in một dòng JSON {n, top1, top3, mrr} (thêm "learn": true với --learn)."""
    from award.tagging_eval import evaluate, evaluate_detailed, load_round_taggers, load_rows

    rows = load_rows(file)
    taggers = load_round_taggers(rounds=sorted({r["round"] for r in rows}))
    result = (evaluate_detailed if detail else evaluate)(rows, taggers, learn)
    typer.echo(json.dumps(result, ensure_ascii=False))


@tagging_app.command("serve")
def tagging_serve(host: Annotated[str, typer.Option()] = "127.0.0.1",
                  port: Annotated[int, typer.Option()] = 8765):
    """Chạy dịch vụ gợi ý chủ đề (giữ mô hình cho các tiến trình web; đặt AWARD_TAGGER_URL trỏ tới đây)."""
    import uvicorn

    from api.settings import get_settings

    get_settings()
    uvicorn.run("api.tagger_service:app", factory=True, host=host, port=port, workers=1,
                **{**SERVER_OPTIONS, "log_level": "warning"})


def all_metadata():
    """Every table of the application (the same imports as migrations/env.py)."""
    from sqlmodel import SQLModel

    import award.jobs  # noqa: F401
    import award.models  # noqa: F401
    import award.outbox  # noqa: F401
    import award.password_reset  # noqa: F401
    import judging.models  # noqa: F401

    return SQLModel.metadata


@app.command()
def backup(
    directory: Annotated[Path, typer.Argument(help="Thư mục trống để ghi bản sao lưu")],
    files: Annotated[bool | None, typer.Option("--files/--no-files",
                                               help="Chép cả các tệp đã lưu (mặc định: có khi lưu trên đĩa)")] = None,
):
    """Sao lưu cơ sở dữ liệu (JSON lines, dùng được cho SQLite và PostgreSQL) và danh mục tệp kèm SHA-256."""
    from award.backup import BackupError, backup as do_backup
    from api.db import get_engine
    from api.deps import get_file_store
    from api.settings import get_settings

    copy = files if files is not None else get_settings().storage == "local"
    try:
        report = do_backup(get_engine(), all_metadata(), get_file_store(), directory, copy_files=copy)
    except BackupError as exc:
        typer.echo(f"Lỗi: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"tables": len(report.tables), "rows": sum(report.tables.values()), "files": report.files,
                           "files_copied": report.files_copied, "bad_files": report.bad_files}, ensure_ascii=False))
    if report.bad_files:
        raise typer.Exit(1)


@app.command()
def restore(directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Thư mục bản sao lưu")]):
    """Khôi phục bản sao lưu vào một cơ sở dữ liệu trống (lược đồ được tạo trước), kiểm tra mọi mã SHA-256."""
    from alembic import command

    from award.backup import BackupError, restore as do_restore
    from api.db import get_engine
    from api.deps import get_file_store

    command.upgrade(alembic_config(), "head")
    try:
        report = do_restore(get_engine(), all_metadata(), get_file_store(), directory)
    except BackupError as exc:
        typer.echo(f"Lỗi: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"tables": len(report.tables), "rows": sum(report.tables.values()), "files": report.files,
                           "files_copied": report.files_copied}, ensure_ascii=False))


def smtp_sender():
    from email.utils import parseaddr

    from award.outbox import SmtpSender
    from api.settings import get_settings

    s = get_settings()
    domain = parseaddr(s.mail_from)[1].rpartition("@")[2] or "bualiemvang.vn"
    return SmtpSender(host=s.smtp_host, port=s.smtp_port, sender=s.mail_from, timeout=s.smtp_timeout,
                      username=s.smtp_username, password=s.smtp_password, starttls=s.smtp_starttls, domain=domain)


@outbox_app.command("work")
def outbox_work(
    once: Annotated[bool, typer.Option(help="Gửi một lượt các thư đến hạn rồi dừng")] = False,
    interval: Annotated[float, typer.Option(help="Số giây chờ khi không có thư")] = 5.0,
    batch: Annotated[int, typer.Option(help="Số thư tối đa mỗi lượt")] = 20,
):
    """Gửi các thư trong hộp thư đi qua máy chủ SMTP (AWARD_SMTP_HOST, AWARD_SMTP_PORT), thử lại khi lỗi.

    Chạy được nhiều tiến trình cùng lúc: mỗi thư chỉ được một tiến trình nhận gửi."""
    import logging
    import signal
    import time

    from sqlmodel import Session

    from award.outbox import deliver_due, explain
    from api.clock import now
    from api.db import get_engine
    from api.logs import configure_logging

    configure_logging()
    log = logging.getLogger("award.outbox.worker")
    engine = get_engine()
    sender = smtp_sender()
    stop = False

    def _stop(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    idle = interval
    while not stop:
        try:
            report = deliver_due(lambda: Session(engine, expire_on_commit=False), sender, now=now(), limit=batch)
        except Exception as exc:  # the database is down or restarting: wait and try again
            log.exception("outbox.pass_failed")
            report = None
            if once:
                typer.echo(f"Không đọc được hộp thư đi từ cơ sở dữ liệu: {type(exc).__name__}: {exc}", err=True)
        reasons = []
        for error, count in (report.errors.items() if report else ()):
            reason = explain(error, host=sender.host, port=sender.port)
            # For operators: the raw error with the server, next to the messages' last_error column.
            log.warning("outbox.send_failed messages=%d smtp=%s:%s error=%s", count, sender.host, sender.port, error)
            reasons.append({"messages": count, "reason": reason, "error": error})
        if once:
            for r in reasons:  # for people: why, in Vietnamese, and what happens next
                typer.echo(f"Không gửi được {r['messages']} thư: {r['reason']} Thư sẽ được gửi lại sau; "
                           f"chi tiết: {r['error']}", err=True)
            typer.echo(json.dumps({"sent": report.sent if report else 0, "failed": report.failed if report else 0,
                                   "errors": reasons}, ensure_ascii=False))
            if report is None:
                raise typer.Exit(1)
            break
        if report and report.claimed and not report.failed:
            idle = interval
            continue  # more may be waiting
        # nothing to do, or the SMTP server refused: wait longer each time, up to a minute
        idle = interval if report and not report.claimed else min(idle * 2, 60.0)
        for _ in range(int(idle * 10)):
            if stop:
                break
            time.sleep(0.1)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Chạy hết các việc đang đến hạn (và gửi thư) rồi dừng")] = False,
    interval: Annotated[float | None, typer.Option(help="Số giây chờ khi không có việc (AWARD_WORKER_INTERVAL)")] = None,
    batch: Annotated[int, typer.Option(help="Số việc tối đa mỗi lượt trước khi gửi thư")] = 20,
    mail: Annotated[bool, typer.Option("--mail/--no-mail", help="Gửi cả thư trong hộp thư đi")] = True,
    parent_pid: Annotated[int | None, typer.Option(hidden=True)] = None,
):
    """Chạy các việc nền: đọc văn bản tệp, tính gợi ý chủ đề, tính lại chủ đề của đợt giải, gửi thư.

    Chạy được nhiều tiến trình trên nhiều máy cùng một cơ sở dữ liệu: mỗi việc chỉ một tiến trình nhận."""
    import logging
    import os
    import signal
    import time
    from datetime import timedelta

    from sqlmodel import Session

    import award.job_handlers  # noqa: F401  (registers the handlers)
    from award import jobs, themes
    from award.outbox import deliver_due, explain
    from api.clock import now
    from api.db import get_engine
    from api.deps import get_file_store
    from api.logs import configure_logging
    from api.settings import get_settings

    configure_logging()
    log = logging.getLogger("award.worker")
    settings = get_settings()
    interval = interval if interval is not None else settings.worker_interval
    engine = get_engine()
    services = {"store": get_file_store(), "cache": themes.DbEmbeddingCache(engine)}
    sender = smtp_sender() if mail else None
    name = jobs.worker_name()
    stop = False

    def _stop(*_):
        nonlocal stop
        stop = True

    def open_session():
        return Session(engine, expire_on_commit=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker.started name=%s", name)
    pruned_at = 0.0
    totals = {"done": 0, "retried": 0, "failed": 0, "mail_sent": 0, "mail_failed": 0}
    while not stop:
        if parent_pid is not None and os.getppid() != parent_pid:
            break  # the server that started this worker is gone (killed without a chance to stop it)
        busy = False
        try:
            report = jobs.run_due(engine, open_session, worker=name, now=now(), services=services, limit=batch,
                                  clock=now, heartbeat_thread=True)
            busy = report.ran > 0
            for key in ("done", "retried", "failed"):
                totals[key] += getattr(report, key)
            if sender is not None:
                sent = deliver_due(open_session, sender, now=now())
                busy = busy or (sent.claimed > 0 and not sent.failed)
                totals["mail_sent"] += sent.sent
                totals["mail_failed"] += sent.failed
                for error, count in sent.errors.items():
                    log.warning("outbox.send_failed messages=%d reason=%s error=%s", count,
                                explain(error, host=sender.host, port=sender.port), error)
            if time.monotonic() - pruned_at > 3600:
                with open_session() as session:
                    jobs.prune(session, now=now(), keep=timedelta(days=7))
                    session.commit()
                pruned_at = time.monotonic()
        except Exception as exc:  # the database is down or restarting: wait and try again
            log.exception("worker.pass_failed")
            if once:
                typer.echo(f"Không đọc được hàng việc nền từ cơ sở dữ liệu: {type(exc).__name__}: {exc}", err=True)
                raise typer.Exit(1) from None
        if once and not busy:
            break
        if busy:
            continue
        deadline = time.monotonic() + interval
        while not stop and time.monotonic() < deadline:
            if parent_pid is not None and os.getppid() != parent_pid:
                stop = True  # the server that started this worker is gone
            time.sleep(0.1)
    if once:
        typer.echo(json.dumps(totals, ensure_ascii=False))
    log.info("worker.stopped name=%s", name)


@reminders_app.command("scores-due")
def reminders_scores_due(
    every: Annotated[float, typer.Option(help="Chạy lại sau chừng này giây (0: chạy một lần rồi dừng, cho cron)")] = 0,
):
    """Nhắc giám khảo còn phiếu chưa nộp trước hạn chấm của vòng (mỗi người, mỗi vòng, mỗi ngày một thư).

    Chạy nhiều lần trong ngày cũng chỉ gửi một thư; thư được ghi vào hộp thư đi, `award outbox work` gửi."""
    import logging
    import signal
    import time

    from sqlmodel import Session

    from judging.reminders import queue_scores_due
    from api.clock import now
    from api.db import get_engine
    from api.logs import configure_logging
    from api.settings import get_settings

    configure_logging()
    log = logging.getLogger("judging.reminders")
    settings = get_settings()
    queue_url = settings.public_url.rstrip("/") + "/judging"
    stop = False

    def _stop(*_):
        nonlocal stop
        stop = True

    if every:
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    while True:
        try:
            with Session(get_engine(), expire_on_commit=False) as session:
                report = queue_scores_due(session, now=now(), queue_url=queue_url, tz=settings.tz)
                session.commit()
            typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
            log.info("reminders.scores_due queued=%s already=%s", report.queued, report.already)
        except Exception:
            if not every:
                raise
            log.exception("reminders.pass_failed")  # the database is down or restarting: next pass
        if not every:
            break
        deadline = time.monotonic() + every
        while not stop and time.monotonic() < deadline:
            time.sleep(0.2)
        if stop:
            break


if __name__ == "__main__":
    app()
