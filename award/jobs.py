"""Background jobs: rows of the `job` table, written in the same transaction as the change that causes
them, run by `award worker` processes outside any request.

- A rolled-back change enqueues nothing; a committed one is never forgotten (the row is the queue).
- `key` makes enqueueing idempotent: the same change enqueued twice gives one job.
- A worker claims a job with a guarded UPDATE (status and lease in its WHERE clause, one row changed or
  none), after selecting candidates `FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the write lock
  (BEGIN IMMEDIATE, api/db.py) serialises claims. Two workers never hold the same job at once.
- A claim is a lease (`locked_until`): a worker that dies leaves the job to be claimed again once the
  lease has expired; a live worker renews it (`heartbeat`) while a long job runs.
- A failure is retried with exponential back-off; after `max_attempts` the job is `failed` and shown to
  the secretariat (/admin/outbox, "Việc nền"), who may put it back in the queue.

Delivery is at-least-once: handlers are written so that running one twice does no harm, and a handler
that writes to the database marks its job done in the same transaction (`JobContext.done_in`), so its
effect and its completion are one commit.
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from award import audit
from award.errors import Conflict, NotFound
from award.models import enum_column, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claimed job is not claimed again before this, unless its worker renews it
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 5
KEEP_DONE = timedelta(days=7)  # finished jobs are pruned after this; failed ones stay until retried


class JobStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


JOB_LABELS = {
    "entry.extract_text": "Đọc văn bản tệp",
    "entry.suggest": "Tính gợi ý chủ đề",
    "round.retag": "Tính lại gợi ý chủ đề của đợt giải",
    "round.relearn": "Gợi ý lại sau khi chủ đề được xác nhận",
}
STATUS_LABELS = {"pending": "Đang chờ", "running": "Đang chạy", "done": "Xong", "failed": "Lỗi"}


class Job(SQLModel, table=True):
    """One piece of background work. `payload` holds ids only (the handler reads the current state)."""

    __tablename__ = "job"
    __table_args__ = (sa.Index("ix_job_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    key: str = Field(max_length=200, unique=True)
    payload: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    entry_id: int | None = Field(default=None, index=True)  # the work it concerns, for the entry page
    status: JobStatus = Field(default=JobStatus.pending, sa_column=enum_column(JobStatus, "job_status", nullable=False))
    attempts: int = 0
    max_attempts: int = MAX_ATTEMPTS
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
    locked_by: str | None = Field(default=None, max_length=100)
    finished_at: datetime | None = None
    progress_done: int = 0
    progress_total: int = 0
    last_error: str | None = Field(default=None, max_length=500)


def _utc(at: datetime) -> datetime:
    """Stored as UTC (SQLite keeps no zone): comparisons need the same representation on both engines."""
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def enqueue(session: Session, *, kind: str, key: str, payload: dict | None = None, entry_id: int | None = None,
            now: datetime | None = None, max_attempts: int = MAX_ATTEMPTS) -> None:
    """Add a job in the caller's transaction (one INSERT); a key already queued is left as it is.

    `key` names the change (e.g. ``entry.suggest:12:v3``): the same change twice gives one job."""
    at = _utc(now or utcnow())
    values = dict(kind=kind[:64], key=key[:200], payload=payload or {}, entry_id=entry_id, status=JobStatus.pending,
                  attempts=0, max_attempts=max_attempts, created_at=at, next_attempt_at=at, progress_done=0,
                  progress_total=0)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(Job).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    log.info("job.enqueued kind=%s key=%s", kind, key)


def enqueue_suggest(session: Session, *, entry_id: int, cause: str, now: datetime) -> None:
    """Queue `entry.suggest` for a work; `cause` names the change (its version, a file's text), so the
    same change queues one job."""
    enqueue(session, kind="entry.suggest", key=f"entry.suggest:{entry_id}:{cause}", entry_id=entry_id,
            payload={"entry_id": entry_id}, now=now)


def enqueue_unless_waiting(session: Session, *, kind: str, scope: str, payload: dict, now: datetime) -> None:
    """Queue `kind` for `scope` (e.g. a round's id) unless one is already waiting to start: the changes that
    arrive while it waits are covered by it when it runs, and one that arrives while it runs queues the next.
    Two requests racing may both queue one; the second then finds little left to do."""
    waiting = session.exec(select(Job.id).where(Job.kind == kind, Job.status == JobStatus.pending,
                                                Job.attempts == 0, Job.key.startswith(f"{kind}:{scope}:"))).first()
    if waiting is None:
        enqueue(session, kind=kind, key=f"{kind}:{scope}:{uuid.uuid4().hex}", payload=payload, now=now)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at one hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _claimable(now: datetime):
    return ((Job.status == JobStatus.pending) & (Job.next_attempt_at <= now)) | (
        (Job.status == JobStatus.running) & (Job.locked_until <= now))


def claim(session: Session, *, worker: str, now: datetime, lease: timedelta = LEASE,
          kinds: list[str] | None = None) -> Job | None:
    """Take the oldest due job (or one whose worker's lease expired) for `worker`, or None.

    The caller commits. A job whose lease expired after its last allowed attempt is marked failed
    instead of run again."""
    now = _utc(now)
    query = select(Job.id).where(_claimable(now)).order_by(Job.next_attempt_at, Job.id).limit(5)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    for job_id in session.exec(query.with_for_update(skip_locked=True)).all():
        # The guard repeats the condition: on SQLite no row lock was taken, and a row another worker
        # claimed since the SELECT is simply not updated (rowcount 0).
        changed = session.execute(
            sa.update(Job).where(Job.id == job_id, _claimable(now))
            .values(status=JobStatus.running, locked_by=worker[:100], locked_until=now + lease,
                    attempts=Job.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            continue
        job = session.get(Job, job_id, populate_existing=True)
        if job.attempts > job.max_attempts:  # its worker died on the last attempt
            job.status, job.finished_at, job.locked_until = JobStatus.failed, now, None
            job.last_error = (job.last_error or "")[:400] + " (tiến trình xử lý dừng giữa chừng)"
            session.add(job)
            session.flush()
            log.warning("job.gave_up job_id=%s kind=%s attempts=%s", job.id, job.kind, job.attempts - 1)
            continue
        log.info("job.claimed job_id=%s kind=%s worker=%s attempt=%s", job.id, job.kind, worker, job.attempts)
        return job
    return None


def heartbeat(session: Session, *, job_id: int, worker: str, now: datetime, lease: timedelta = LEASE) -> bool:
    """Renew the lease of a job this worker still holds; False when it no longer does."""
    return session.execute(
        sa.update(Job).where(Job.id == job_id, Job.locked_by == worker, Job.status == JobStatus.running)
        .values(locked_until=_utc(now) + lease).execution_options(synchronize_session=False)).rowcount == 1


def mark_done(session: Session, *, job_id: int, worker: str, now: datetime) -> None:
    session.execute(
        sa.update(Job).where(Job.id == job_id, Job.locked_by == worker, Job.status == JobStatus.running)
        .values(status=JobStatus.done, finished_at=_utc(now), locked_until=None, last_error=None)
        .execution_options(synchronize_session=False))


def mark_failed(session: Session, *, job_id: int, worker: str, error: str, now: datetime) -> JobStatus | None:
    """Retry later with back-off, or give up after the job's `max_attempts`; returns the new status."""
    job = session.get(Job, job_id, populate_existing=True)
    if job is None or job.locked_by != worker or job.status != JobStatus.running:
        return None  # its lease expired and another worker holds it now
    job.last_error, job.locked_until = error[:500], None
    if job.attempts >= job.max_attempts:
        job.status, job.finished_at = JobStatus.failed, _utc(now)
        log.warning("job.gave_up job_id=%s kind=%s attempts=%s", job.id, job.kind, job.attempts)
    else:
        job.status, job.next_attempt_at = JobStatus.pending, _utc(now) + backoff(job.attempts)
        log.info("job.retry job_id=%s kind=%s attempts=%s", job.id, job.kind, job.attempts)
    session.add(job)
    session.flush()
    return job.status


class NotRetryable(Conflict):
    code = "not_retryable"


def retry(session: Session, *, job_id: int, actor_id: int, now: datetime) -> Job:
    """A person puts a failed job back in the queue, due now, with its attempts counted afresh (409 otherwise)."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("Không tìm thấy việc nền.", code="job_not_found")
    if job.status != JobStatus.failed:
        raise NotRetryable(f"Việc nền #{job.id} {STATUS_LABELS[job.status].lower()}, không cần chạy lại.", field="job")
    before = {"attempts": job.attempts, "last_error": job.last_error}
    job.status, job.attempts, job.next_attempt_at, job.finished_at = JobStatus.pending, 0, _utc(now), None
    session.add(job)
    session.flush()
    audit.record(session, actor_id=actor_id, action="job.retried", object_type="job", object_id=job.id, now=now,
                 data={**before, "kind": job.kind})
    return job


def pending_kinds(session: Session, *, entry_id: int) -> dict[str, datetime]:
    """Kinds of the jobs still to run (or running) for a work, each with when its oldest was queued (UTC):
    what the work's page waits for, and since when."""
    rows = session.exec(select(Job.kind, sa.func.min(Job.created_at)).where(
        Job.entry_id == entry_id, Job.status.in_((JobStatus.pending, JobStatus.running))).group_by(Job.kind)).all()
    return {kind: _utc(at) for kind, at in rows}


def prune(session: Session, *, now: datetime, keep: timedelta = KEEP_DONE) -> int:
    return session.execute(sa.delete(Job).where(Job.status == JobStatus.done, Job.finished_at < _utc(now) - keep)
                           .execution_options(synchronize_session=False)).rowcount


# --- running -------------------------------------------------------------------------------------

@dataclass
class JobContext:
    """What a handler gets: the job's payload and id, sessions on the worker's database, and services
    (the file store, the embedding cache) the worker was started with."""

    job_id: int
    kind: str
    payload: dict
    worker: str
    now: datetime
    bind: Any  # an Engine, or in tests the test's Connection
    open_session: Callable[[], AbstractContextManager[Session]]
    services: dict = field(default_factory=dict)
    marked: bool = False

    def done_in(self, session: Session) -> None:
        """Mark the job done inside the handler's own last transaction: its writes and its completion
        are then one commit, and a worker killed in between leaves both undone."""
        mark_done(session, job_id=self.job_id, worker=self.worker, now=self.now)
        self.marked = True

    def progress(self, done: int, total: int) -> None:
        with self.open_session() as session:
            session.execute(sa.update(Job).where(Job.id == self.job_id)
                            .values(progress_done=done, progress_total=total)
                            .execution_options(synchronize_session=False))
            session.commit()


Handler = Callable[[JobContext], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn
    return register


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


@dataclass
class RunReport:
    done: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def ran(self) -> int:
        return self.done + self.retried + self.failed


class _Heartbeat:
    """Renews a running job's lease every third of it, from a thread of its own, while the handler works."""

    def __init__(self, open_session, *, job_id: int, worker: str, lease: timedelta, clock: Callable[[], datetime]):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(open_session, job_id, worker, lease, clock), daemon=True)

    def _run(self, open_session, job_id, worker, lease, clock):
        while not self.stop.wait(lease.total_seconds() / 3):
            try:
                with open_session() as session:
                    heartbeat(session, job_id=job_id, worker=worker, now=clock(), lease=lease)
                    session.commit()
            except Exception:  # noqa: BLE001 - the database restarts: the next beat tries again
                log.warning("job.heartbeat_failed job_id=%s", job_id, exc_info=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)


def run_one(bind, open_session: Callable[[], AbstractContextManager[Session]], *, worker: str, now: datetime,
            services: dict | None = None, lease: timedelta = LEASE, kinds: list[str] | None = None,
            clock: Callable[[], datetime] | None = None, heartbeat_thread: bool = False) -> JobStatus | None:
    """Claim one due job and run it: None when nothing was due, else the job's status afterwards (`running`
    when this worker no longer holds it: its lease expired and another worker took it)."""
    with open_session() as session:
        job = claim(session, worker=worker, now=now, lease=lease, kinds=kinds)
        session.commit()
        if job is None:
            return None
        ctx = JobContext(job_id=job.id, kind=job.kind, payload=dict(job.payload or {}), worker=worker, now=now,
                         bind=bind, open_session=open_session, services=services or {})
    fn = HANDLERS.get(ctx.kind)
    try:
        if fn is None:
            raise LookupError(f"không có bộ xử lý cho loại việc {ctx.kind}")
        if heartbeat_thread:
            with _Heartbeat(open_session, job_id=ctx.job_id, worker=worker, lease=lease, clock=clock or utcnow):
                fn(ctx)
        else:
            fn(ctx)
    except Exception as exc:  # the job records the failure; a person sees it once it gave up
        log.exception("job.failed job_id=%s kind=%s", ctx.job_id, ctx.kind)
        with open_session() as session:
            session.rollback()
            status = mark_failed(session, job_id=ctx.job_id, worker=worker, error=f"{type(exc).__name__}: {exc}",
                                 now=now)
            session.commit()
        # None: the job was already marked done in the handler's own commit, or another worker holds it now
        return status if status is not None else JobStatus.running
    if not ctx.marked:
        with open_session() as session:
            mark_done(session, job_id=ctx.job_id, worker=worker, now=now)
            session.commit()
    log.info("job.done job_id=%s kind=%s", ctx.job_id, ctx.kind)
    return JobStatus.done


def run_due(bind, open_session: Callable[[], AbstractContextManager[Session]], *, worker: str, now: datetime,
            services: dict | None = None, limit: int = 20, **kw) -> RunReport:
    """Run due jobs one after another, at most `limit`; a job a handler enqueues is run in the same pass.
    With `clock`, each job is claimed at the clock's time rather than `now`."""
    report = RunReport()
    clock = kw.get("clock")
    for _ in range(limit):
        status = run_one(bind, open_session, worker=worker, now=clock() if clock else now, services=services, **kw)
        if status is None:
            break
        if status == JobStatus.done:
            report.done += 1
        elif status == JobStatus.pending:
            report.retried += 1
        else:
            report.failed += 1
    return report


def list_jobs(session: Session, *, statuses: tuple[JobStatus, ...], limit: int = 50) -> list[Job]:
    return list(session.exec(select(Job).where(Job.status.in_(statuses))
                             .order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)).all())


def counts(session: Session) -> dict[str, int]:
    return dict(session.exec(select(Job.status, sa.func.count()).group_by(Job.status)).all())
