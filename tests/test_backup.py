"""`award backup` / `award restore`: a round trip between two fresh databases of the engine under test
(SQLite, or PostgreSQL with AWARD_TEST_DATABASE_URL), with the stored files and their checksums."""

import json
import shutil

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from award import audit
from award.backup import BackupError, backup, restore
from award.models import Role, Unit, User
from award.reference import load_reference_data
from award.storage import LocalFileStore
from api.cli import alembic_config, all_metadata
from api.db import get_session, make_engine
from api.deps import get_file_store, get_now, local_part_url
from api.main import app
from tests.factories import api_login, entry_payload, make_user, round_by_number, screen
from tests.support.databases import fresh_database_url
from tests.support.samples import Samples


def migrated(tmp_root, name):
    engine = make_engine(fresh_database_url(tmp_root, name))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return engine


@pytest.fixture
def source(tmp_root, tmp_path):
    """A database with a journalist's submitted entry and its file, screened and forwarded by the unit (audit events,
    an outbox, a batch with a date and JSON), built through the API as in production."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    engine = migrated(tmp_root, "backup_src")
    store = LocalFileStore(tmp_path / "src-files", part_url=local_part_url)
    with Session(engine) as s:
        load_reference_data(s)
        s.commit()

    def request_session():
        with Session(engine, expire_on_commit=False) as s:
            yield s
            s.commit()

    app.dependency_overrides[get_session] = request_session
    app.dependency_overrides[get_file_store] = lambda: store
    app.dependency_overrides[get_now] = lambda: datetime(2024, 9, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    try:
        with TestClient(app) as client, Session(engine, expire_on_commit=False) as s:
            owner = make_user(s, full_name="Nguyễn Thị Sao Lưu")
            manager = make_user(s, role=Role.unit_manager, unit_code="ha-tinh")
            payload = entry_payload(s)
            unit_id = s.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
            round_id = round_by_number(s, "IX").id
            s.commit()  # on SQLite a transaction holds the write lock: end it before the requests
            headers = api_login(client, owner)
            entry_id = client.post("/api/v1/entries", headers=headers, json=payload).json()["id"]
            upload = client.post(f"/api/v1/entries/{entry_id}/files", headers=headers,
                                 files={"file": ("Bài dự thi.pdf", Samples.pdf(), "application/pdf")})
            assert upload.status_code == 201, upload.text
            assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=headers).status_code == 200
            manager_headers = screen(client, s, [entry_id], headers=api_login(client, manager))
            forwarded = client.post(f"/api/v1/units/{unit_id}/rounds/{round_id}/forward",
                                    headers=manager_headers, json={"entry_ids": [entry_id]})
            assert forwarded.status_code == 200, forwarded.text
    finally:
        app.dependency_overrides.clear()
    yield engine, store
    engine.dispose()


def table_rows(engine):
    metadata = all_metadata()
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            out[table.name] = [dict(r) for r in conn.execute(table.select().order_by(*pk)).mappings()]
    return out


def test_round_trip_restores_every_row_and_file(source, tmp_root, tmp_path):
    engine, store = source
    report = backup(engine, all_metadata(), store, tmp_path / "bk", copy_files=True)
    assert report.files == report.files_copied == 1 and report.bad_files == []
    manifest = json.loads((tmp_path / "bk" / "manifest.json").read_text())
    assert manifest["alembic_revision"] and manifest["tables"]["entry"]["rows"] == 1
    [f] = manifest["files"]
    assert f["in_backup"] and len(f["sha256"]) == 64

    target = migrated(tmp_root, "backup_dst")
    target_store = LocalFileStore(tmp_path / "dst-files", part_url=local_part_url)
    restored = restore(target, all_metadata(), target_store, tmp_path / "bk")
    assert restored.tables == {name: info["rows"] for name, info in manifest["tables"].items()}

    before, after = table_rows(engine), table_rows(target)
    assert before.keys() == after.keys()
    for name in before:
        assert after[name] == before[name], name
    assert target_store.sha256(f["key"]) == f["sha256"] == store.sha256(f["key"])
    with Session(target) as s:
        chain = audit.verify(s)
        assert chain.ok and chain.events == len(before["audit_event"]) > 0
        # ids continue after the restored ones (PostgreSQL sequences were moved on)
        newcomer = make_user(s, email="sau.khoi.phuc@example.vn")
        s.commit()
        assert newcomer.id > max(u["id"] for u in before["user_account"])
    target.dispose()


def test_restore_refuses_a_tampered_backup_and_writes_nothing(source, tmp_root, tmp_path):
    engine, store = source
    backup(engine, all_metadata(), store, tmp_path / "bk", copy_files=True)
    users_file = tmp_path / "bk" / "db" / "user_account.jsonl"
    users_file.write_text(users_file.read_text().replace("Nguyễn Thị Sao Lưu", "Kẻ Giả Mạo"))
    target = migrated(tmp_root, "backup_bad")
    with pytest.raises(BackupError, match="user_account bị thiếu hoặc đã bị sửa"):
        restore(target, all_metadata(), LocalFileStore(tmp_path / "x", part_url=local_part_url), tmp_path / "bk")
    with Session(target) as s:
        assert s.exec(select(User)).all() == []
    target.dispose()


def test_restore_refuses_a_corrupt_file_and_a_non_empty_database(source, tmp_root, tmp_path):
    engine, store = source
    backup(engine, all_metadata(), store, tmp_path / "bk", copy_files=True)
    good = tmp_path / "good"
    shutil.copytree(tmp_path / "bk", good)
    [stored] = [p for p in (tmp_path / "bk" / "files").rglob("*") if p.is_file()]
    stored.write_bytes(stored.read_bytes() + b"x")
    target = migrated(tmp_root, "backup_bad2")
    with pytest.raises(BackupError, match="sai mã SHA-256"):
        restore(target, all_metadata(), LocalFileStore(tmp_path / "x", part_url=local_part_url), tmp_path / "bk")
    with pytest.raises(BackupError, match="phải trống"):
        restore(engine, all_metadata(), store, good)  # the source itself is not empty
    with Session(target) as s:
        assert s.exec(select(User)).all() == []
    target.dispose()


def test_restore_drill_restores_into_a_scratch_database_and_checks_it(source, tmp_path):
    """scripts/restore-drill.sh, as the README's schedule runs it: the backup comes back whole elsewhere."""
    import os
    import subprocess
    import sys

    from tests.support.liveserver import ROOT

    engine, store = source
    backup(engine, all_metadata(), store, tmp_path / "nightly", copy_files=True)
    env = {**os.environ, "AWARD_CLI": f"{sys.executable} -m api.cli", "PYTHON": sys.executable, "AWARD_ENV": "test",
           "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path), "AWARD_STORAGE": "local"}
    env.pop("AWARD_DRILL_DATABASE_URL", None)
    result = subprocess.run([str(ROOT / "scripts/restore-drill.sh"), str(tmp_path / "nightly")], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("restore-drill: OK")
    assert '"ok": true' in result.stdout and "1 files" in result.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("award-restore-drill")] == []  # cleaned up

    # A tampered backup fails the drill, loudly.
    manifest = tmp_path / "nightly" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["tables"]["user_account"]["rows"] += 1
    manifest.write_text(json.dumps(data))
    failed = subprocess.run([str(ROOT / "scripts/restore-drill.sh"), str(tmp_path / "nightly")], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode != 0 and "restore-drill: OK" not in failed.stdout
