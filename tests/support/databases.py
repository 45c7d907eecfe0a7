"""Fresh, empty databases of the engine under test (SQLite file or PostgreSQL database)."""

import os
import uuid
from pathlib import Path

import sqlalchemy as sa

PG_ENV = "AWARD_TEST_DATABASE_URL"


def engine_kind() -> str:
    url = os.environ.get(PG_ENV, "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def fresh_database_url(tmp_dir: Path, name: str) -> str:
    """A new empty database; on PostgreSQL a database named after `name` is (re)created."""
    base = os.environ.get(PG_ENV, "")
    if not base.startswith("postgresql"):
        return f"sqlite:///{tmp_dir / (name + '-' + uuid.uuid4().hex[:8] + '.db')}"
    admin_url = sa.engine.make_url(base).set(database="postgres")
    # A prefix lets two checkouts run their suites against one PostgreSQL at the same time.
    prefix = os.environ.get("AWARD_TEST_DB_PREFIX", "award")
    db_name = f"{prefix}_{name}".replace("-", "_")[:60]
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
    engine.dispose()
    return sa.engine.make_url(base).set(database=db_name).render_as_string(hide_password=False)
