"""Test set-up: the engine under test (SQLite by default, PostgreSQL when AWARD_TEST_DATABASE_URL is
set) migrated to head once per run, a session per test rolled back at the end, and a client whose
requests run in that session exactly as they would in production (commit at the edge, rollback on error).
"""

import os
import tempfile
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="award-tests-"))
os.environ["AWARD_ENV"] = "test"
os.environ["AWARD_DATA_DIR"] = str(_TMP / "data")
os.environ.pop("AWARD_NOW", None)
os.environ.pop("AWARD_STORAGE", None)

from tests.support.databases import engine_kind, fresh_database_url  # noqa: E402

os.environ["AWARD_DATABASE_URL"] = fresh_database_url(_TMP, "test_main")

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from award.tagging_eval import _SHARED_CACHE as _MEMORY_EMBEDDINGS  # noqa: E402  (one model pass per run)
from api.cli import migrate_database  # noqa: E402
from api.db import get_engine, get_session  # noqa: E402
from api.main import app  # noqa: E402
from api.routers.themes import get_embedding_cache  # noqa: E402


def pytest_report_header(config):
    return f"database engine under test: {engine_kind()}"


#: Modules whose tests never reach a database (the tagger, the outline parser, text, the tally, the upload
#: widget against its own fake server, settings and docs): they run in the SQLite pass only, since the
#: PostgreSQL pass would run the same code again (~2 of its 39 minutes on a slow 2-core machine). A test
#: there that asks for a fixture of ENGINE_FIXTURES stops the collection of both passes, so a module that
#: begins to use the database cannot silently lose its PostgreSQL run.
ENGINE_FREE_MODULES = (
    "tests/award/test_calendar.py", "tests/award/test_hostile_files.py", "tests/award/test_outline_parser.py",
    "tests/award/test_running_heads.py", "tests/award/test_tagging.py", "tests/award/test_tagging_exemplars.py",
    "tests/award/test_tagging_learn.py", "tests/award/test_tagging_off_outline.py",
    "tests/award/test_tagging_realistic_sets.py", "tests/award/test_tagging_vocab_coverage.py",
    "tests/award/test_tagging_why.py", "tests/award/test_text.py", "tests/browser/test_upload_widget_js.py",
    "tests/judging/test_assignment.py", "tests/judging/test_documents_text.py",
    "tests/judging/test_official_documents.py", "tests/judging/test_ranking.py", "tests/judging/test_tally.py",
    "tests/test_docs.py", "tests/test_makefile.py", "tests/test_settings.py",
)
#: The fixtures through which a test reaches the engine under test (tests/browser/conftest.py's servers too).
ENGINE_FIXTURES = frozenset({"engine", "session", "client", "clock", "store", "live_server", "quiet_server"})


def engine_free(item) -> bool:
    return item.nodeid.split("::", 1)[0] in ENGINE_FREE_MODULES


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out the tests of ENGINE_FREE_MODULES (reported as deselected): the SQLite pass of
    the same run has run them."""
    wrong = [item.nodeid for item in items if engine_free(item) and ENGINE_FIXTURES & set(item.fixturenames)]
    if wrong:
        raise pytest.UsageError(f"tests of ENGINE_FREE_MODULES that reach the database: {wrong}")
    if engine_kind() != "postgresql":
        return
    dropped = [item for item in items if engine_free(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not engine_free(item)]


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's databases, SQLite files, server logs and files (hundreds of MB with the browser
    and stack tests) once every test passed; keep them after a failure and say where."""
    import shutil

    if getattr(session.config, "workerinput", None) is not None:
        return
    if exitstatus == 0 and os.environ.get("AWARD_KEEP_TEST_TMP") != "1":
        try:
            get_engine().dispose()  # SQLite files closed before they are removed
        except Exception:  # noqa: BLE001 - nothing was opened
            pass
        shutil.rmtree(_TMP, ignore_errors=True)
    elif _TMP.exists():
        session.config.get_terminal_writer().line(f"test files kept for inspection: {_TMP}")


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    return _TMP


@pytest.fixture(scope="session")
def engine():
    migrate_database()
    return get_engine()


@pytest.fixture
def session(engine):
    with engine.connect() as conn:
        outer = conn.begin()
        with Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
            yield s
        outer.rollback()


@pytest.fixture
def client(session):
    def request_session():
        session.commit()  # what the test arranged is kept when the request rolls back its own work
        try:
            yield session
            session.commit()  # releases the savepoint, like the real commit at the edge
        except BaseException:
            session.rollback()
            raise

    app.dependency_overrides[get_session] = request_session
    # Embeddings in memory: the database cache writes from its own connection, which a test's open
    # transaction would block on SQLite (tests/award/test_themes.py covers the table itself).
    app.dependency_overrides[get_embedding_cache] = lambda: _MEMORY_EMBEDDINGS
    with TestClient(app, base_url="http://testserver") as c:
        yield c
    app.dependency_overrides.clear()


class Clock:
    """The application clock for a test; `client` requests see it through the NowDep override."""

    def __init__(self):
        from datetime import datetime
        from zoneinfo import ZoneInfo

        self.now = datetime(2024, 9, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

    def set(self, iso: str) -> None:
        from datetime import datetime

        self.now = datetime.fromisoformat(iso)


@pytest.fixture
def clock(client):
    from api.deps import get_now

    c = Clock()
    app.dependency_overrides[get_now] = lambda: c.now
    return c


# --- files and storage ----------------------------------------------------------------------------

import uuid  # noqa: E402

from award.storage import LocalFileStore, S3FileStore  # noqa: E402
from tests.support.s3server import S3Server, start_seaweedfs  # noqa: E402
from tests.support.samples import Samples  # noqa: E402


@pytest.fixture(scope="session")
def samples() -> type[Samples]:
    return Samples


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory):
    """One SeaweedFS for the session (or the one already on :8333, see tests/support/s3server.py)."""
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture
def s3_store(s3_server: S3Server):
    """A store on a bucket of its own, emptied and removed afterwards (the server may be shared)."""
    client = s3_server.client()
    bucket = f"award-test-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=bucket)
    yield S3FileStore(client, bucket)
    for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    for obj in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=obj["Key"])
    client.delete_bucket(Bucket=bucket)


@pytest.fixture(params=["local", "s3"])
def store(request, client, tmp_path):
    """The app's file store for this test, on each backend in turn."""
    from api.deps import get_file_store, local_part_url

    if request.param == "local":
        chosen = LocalFileStore(tmp_path / "files", part_url=local_part_url)
    else:
        chosen = request.getfixturevalue("s3_store")
    app.dependency_overrides[get_file_store] = lambda: chosen
    return chosen


# --- e-mail ------------------------------------------------------------------------------------------

from tests.support.smtpserver import SmtpServer  # noqa: E402


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port (aiosmtpd), collecting what it accepts."""
    server = SmtpServer().start()
    yield server
    server.stop()
