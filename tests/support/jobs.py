"""Running the background jobs a test's requests queued, as `award worker` would, inside the test's own
transaction (so what the worker writes is rolled back with the rest of the test)."""

from datetime import datetime

from sqlmodel import Session

import award.job_handlers  # noqa: F401  (registers the handlers)
from award import jobs
from award.models import utcnow


def run_jobs(session: Session, *, now: datetime | None = None, store=None, cache=None, limit: int = 200,
             worker: str = "test-worker") -> jobs.RunReport:
    """One worker pass over every due job: the store and embedding cache are the app's for this test
    (the `store` fixture's override, the in-memory embeddings), unless given."""
    from api.deps import get_file_store
    from api.main import app
    from api.routers.themes import get_embedding_cache

    session.commit()  # what the test's requests wrote is visible to the worker's sessions
    conn = session.connection()
    store = store or app.dependency_overrides.get(get_file_store, get_file_store)()
    cache = cache or app.dependency_overrides.get(get_embedding_cache, get_embedding_cache)()

    def open_session() -> Session:
        return Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)

    report = jobs.run_due(conn, open_session, worker=worker, now=now or utcnow(), limit=limit,
                          services={"store": store, "cache": cache})
    session.expire_all()
    return report
