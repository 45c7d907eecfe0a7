"""The job queue on the engine under test: written with the change that causes it, claimed by one worker
at a time, run again when its worker dies, retried with back-off, and given up after its attempts."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from award import jobs
from award.jobs import Job, JobStatus

T0 = datetime(2024, 10, 1, 8, 0, tzinfo=UTC)


def in_test(session):
    conn = session.connection()
    return conn, lambda: Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def runs(monkeypatch):
    """A job kind of the test's own whose handler records each run, or fails while `failures` lasts."""
    seen: list[tuple[int, str]] = []
    failures = {"left": 0}

    def handle(ctx):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("máy chủ bận")
        seen.append((ctx.job_id, ctx.worker))

    monkeypatch.setitem(jobs.HANDLERS, "test.run", handle)
    return seen, failures


def job(session, key: str) -> Job:
    session.expire_all()
    return session.exec(select(Job).where(Job.key == key)).one()


def test_a_rolled_back_change_enqueues_nothing_and_the_same_change_enqueues_once(engine):
    key = f"test.run:{uuid.uuid4().hex}"
    with Session(engine) as s:
        jobs.enqueue(s, kind="test.run", key=key, now=T0)
        s.rollback()
    with Session(engine) as s:
        assert s.exec(select(Job).where(Job.key == key)).first() is None
        jobs.enqueue(s, kind="test.run", key=key, now=T0)
        jobs.enqueue(s, kind="test.run", key=key, now=T0)  # the same change twice: one job
        s.commit()
    with Session(engine) as s:
        assert len(s.exec(select(Job).where(Job.key == key)).all()) == 1
        s.execute(sa.delete(Job).where(Job.key == key))
        s.commit()


def test_a_job_whose_worker_died_is_claimed_again_once_its_lease_expired(session, runs):
    seen, _ = runs
    conn, open_session = in_test(session)
    jobs.enqueue(session, kind="test.run", key="lease", now=T0)
    session.commit()
    with open_session() as s:  # worker A claims it, then is killed before running it
        assert jobs.claim(s, worker="A", now=T0).key == "lease"
        s.commit()
    early = jobs.run_due(conn, open_session, worker="B", now=T0 + jobs.LEASE - timedelta(seconds=1))
    assert early.ran == 0 and seen == []  # A's lease still holds
    later = jobs.run_due(conn, open_session, worker="B", now=T0 + jobs.LEASE + timedelta(seconds=1))
    assert later.done == 1 and [w for _, w in seen] == ["B"]
    row = job(session, "lease")
    assert (row.status, row.attempts, row.locked_by) == (JobStatus.done, 2, "B")


def test_a_failing_job_backs_off_then_fails_after_its_attempts_and_a_person_can_run_it_again(session, runs):
    seen, failures = runs
    conn, open_session = in_test(session)
    jobs.enqueue(session, kind="test.run", key="flaky", now=T0, max_attempts=3)
    session.commit()
    failures["left"] = 3
    assert jobs.run_due(conn, open_session, worker="W", now=T0).retried == 1
    row = job(session, "flaky")
    assert (row.status, row.attempts, row.last_error) == (JobStatus.pending, 1, "RuntimeError: máy chủ bận")
    assert row.next_attempt_at.astimezone(UTC) == T0 + timedelta(seconds=30)
    assert jobs.run_due(conn, open_session, worker="W", now=T0 + timedelta(seconds=10)).ran == 0  # backing off
    t1 = T0 + timedelta(seconds=30)
    assert jobs.run_due(conn, open_session, worker="W", now=t1).retried == 1
    assert job(session, "flaky").next_attempt_at.astimezone(UTC) == t1 + timedelta(minutes=1)  # doubled
    assert jobs.run_due(conn, open_session, worker="W", now=t1 + timedelta(minutes=1)).failed == 1
    row = job(session, "flaky")
    assert (row.status, row.attempts) == (JobStatus.failed, 3)
    assert jobs.run_due(conn, open_session, worker="W", now=T0 + timedelta(days=1)).ran == 0  # given up
    assert seen == []

    from award.models import Role
    from tests.factories import make_user

    jobs.retry(session, job_id=row.id, actor_id=make_user(session, role=Role.secretariat).id, now=T0 + timedelta(days=1))
    session.commit()
    assert jobs.run_due(conn, open_session, worker="W", now=T0 + timedelta(days=1)).done == 1
    assert job(session, "flaky").status == JobStatus.done and len(seen) == 1
    with pytest.raises(jobs.NotRetryable):
        jobs.retry(session, job_id=row.id, actor_id=1, now=T0)


def test_a_worker_killed_on_the_last_attempt_leaves_the_job_failed(session, runs):
    seen, _ = runs
    conn, open_session = in_test(session)
    jobs.enqueue(session, kind="test.run", key="last", now=T0, max_attempts=1)
    session.commit()
    with open_session() as s:
        jobs.claim(s, worker="A", now=T0)
        s.commit()
    assert jobs.run_due(conn, open_session, worker="B", now=T0 + jobs.LEASE * 2).ran == 0
    row = job(session, "last")
    assert row.status == JobStatus.failed and "dừng giữa chừng" in row.last_error and seen == []


def test_workers_racing_for_jobs_never_run_the_same_job_twice(engine, runs):
    """Four workers, each with its own connections, drain 40 jobs: every job runs exactly once."""
    seen, _ = runs
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as s:
        for i in range(40):
            jobs.enqueue(s, kind="test.run", key=f"{tag}:{i}", now=T0)
        s.commit()
    lock = threading.Lock()
    running: set[int] = set()
    overlaps = []
    handle = jobs.HANDLERS["test.run"]

    def watched(ctx):
        with lock:
            if ctx.job_id in running:
                overlaps.append(ctx.job_id)
            running.add(ctx.job_id)
        handle(ctx)
        with lock:
            running.discard(ctx.job_id)

    jobs.HANDLERS["test.run"] = watched
    errors = []

    def work(name):
        try:
            jobs.run_due(engine, lambda: Session(engine, expire_on_commit=False), worker=name, now=T0, limit=100,
                         kinds=["test.run"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == [] and overlaps == []
        with Session(engine) as s:
            ids = s.exec(select(Job.id).where(Job.key.startswith(f"{tag}:"))).all()
            statuses = s.exec(select(Job.status, Job.attempts).where(Job.key.startswith(f"{tag}:"))).all()
        ran = [job_id for job_id, _ in seen if job_id in set(ids)]
        assert sorted(ran) == sorted(ids)  # each job once
        assert set(statuses) == {(JobStatus.done, 1)}
    finally:
        with Session(engine) as s:
            s.execute(sa.delete(Job).where(Job.key.startswith(f"{tag}:")))
            s.commit()
