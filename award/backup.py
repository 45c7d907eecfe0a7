"""Backup and restore, portable between SQLite and PostgreSQL.

A backup is a directory:

    manifest.json            format, schema revision, source engine, row counts, SHA-256 of each table file,
                             and every stored file (key, size, SHA-256 recorded at upload)
    db/<table>.jsonl         one JSON object per row, tables in foreign-key order
    files/<key>              the stored files themselves (by default when storage is local disk)

The rows are read in one transaction (a consistent snapshot). Restore goes into an empty database at
the same schema revision, checks every checksum before writing anything, inserts the rows in
foreign-key order (parents before children within a table that refers to itself), copies the files
into the store and checks them there, and moves PostgreSQL's id sequences past the restored ids.
"""

import base64
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from award.errors import AwardError
from award.models import READ_ONLY
from award.storage import FileStore

log = logging.getLogger(__name__)

FORMAT = 1
BATCH = 500


class BackupError(AwardError):
    code = "backup_error"


def _base_type(column: sa.Column):
    t = column.type
    while isinstance(t, sa.types.TypeDecorator):
        t = t.impl_instance if hasattr(t, "impl_instance") else t.impl
    return t


def _dump_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def _load_value(column: sa.Column, value):
    if value is None:
        return None
    t = _base_type(column)
    if isinstance(t, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(t, sa.Date):
        return date.fromisoformat(value)
    if isinstance(t, sa.LargeBinary):
        return base64.b64decode(value)
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        return Decimal(value)
    return value


def _safe_key(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\x00" in key:
        raise BackupError(f"Khóa tệp không hợp lệ trong bản sao lưu: {key!r}")
    return path


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


@dataclass
class BackupReport:
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    files_copied: int = 0
    bad_files: list[str] = field(default_factory=list)


def stored_files(conn: Connection, metadata: sa.MetaData) -> list[dict]:
    """Every file the database refers to (entry files, removed ones included: the rows still point to them)."""
    table = metadata.tables["entry_file"]
    rows = conn.execute(sa.select(table.c.key, table.c.sha256, table.c.size, table.c.content_type)
                        .order_by(table.c.id)).mappings()
    return [dict(r) for r in rows]


def backup(engine: Engine, metadata: sa.MetaData, store: FileStore, target: Path, *, copy_files: bool) -> BackupReport:
    """Write a backup of every table (and, with copy_files, every stored file) into an empty directory."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"Thư mục sao lưu {target} phải trống.")
    (target / "db").mkdir(parents=True, exist_ok=True)
    report = BackupReport()
    manifest: dict = {"format": FORMAT, "created_at": datetime.now().astimezone().isoformat(),
                      "engine": engine.dialect.name, "tables": {}, "files": []}
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options, **{READ_ONLY: True}) as conn, conn.begin():
        manifest["alembic_revision"] = _revision(conn)
        for table in metadata.sorted_tables:
            path = target / "db" / f"{table.name}.jsonl"
            digest, count = hashlib.sha256(), 0
            pk = list(table.primary_key.columns)
            with open(path, "w", encoding="utf-8") as out:
                result = conn.execution_options(yield_per=1000).execute(table.select().order_by(*pk))
                for row in result.mappings():
                    line = json.dumps({k: _dump_value(v) for k, v in row.items()}, ensure_ascii=False,
                                      sort_keys=True) + "\n"
                    out.write(line)
                    digest.update(line.encode())
                    count += 1
            manifest["tables"][table.name] = {"rows": count, "sha256": digest.hexdigest()}
            report.tables[table.name] = count
        files = stored_files(conn, metadata)
    for f in files:
        entry = {"key": f["key"], "sha256": f["sha256"], "size": f["size"], "content_type": f["content_type"],
                 "in_backup": False}
        report.files += 1
        if copy_files:
            dest = target / "files" / _safe_key(f["key"])
            dest.parent.mkdir(parents=True, exist_ok=True)
            if store.exists(f["key"]):
                with open(dest, "wb") as out:
                    for chunk in store.open(f["key"]):
                        out.write(chunk)
                entry["in_backup"] = True
                report.files_copied += 1
                if _sha256_file(dest) != f["sha256"]:
                    entry["problem"] = "checksum_mismatch"
                    report.bad_files.append(f["key"])
            else:
                entry["problem"] = "missing"
                report.bad_files.append(f["key"])
        manifest["files"].append(entry)
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    log.info("backup.written tables=%s files=%s bad=%s", len(report.tables), report.files, len(report.bad_files))
    return report


def _rows(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _self_ref_order(table: sa.Table, rows: list[dict]) -> list[dict]:
    """Parents before children for a table that refers to itself (outline nodes)."""
    refs = [fk for fk in table.foreign_keys if fk.column.table is table]
    if not refs:
        return rows
    col, target = refs[0].parent.name, refs[0].column.name
    done, ordered, pending = set(), [], rows
    while pending:
        ready = [r for r in pending if r[col] is None or r[col] in done]
        if not ready:
            raise BackupError(f"Bảng {table.name}: tham chiếu vòng, không khôi phục được.")
        ordered.extend(ready)
        done.update(r[target] for r in ready)
        taken = {id(r) for r in ready}
        pending = [r for r in pending if id(r) not in taken]
    return ordered


def verify(source: Path, metadata: sa.MetaData) -> dict:
    """Check the backup against its manifest before anything is written; returns the manifest."""
    source = Path(source)
    try:
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được manifest.json trong {source}.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("Định dạng bản sao lưu không được hỗ trợ.")
    unknown = set(manifest["tables"]) - set(metadata.tables)
    if unknown:
        raise BackupError(f"Bản sao lưu có bảng không có trong phiên bản này: {sorted(unknown)}")
    for name, info in manifest["tables"].items():
        path = source / "db" / f"{name}.jsonl"
        if not path.exists() or _sha256_file(path) != info["sha256"]:
            raise BackupError(f"Tệp dữ liệu của bảng {name} bị thiếu hoặc đã bị sửa (sai mã SHA-256).")
    for f in manifest["files"]:
        if f.get("in_backup"):
            path = source / "files" / _safe_key(f["key"])
            if not path.exists() or _sha256_file(path) != f["sha256"]:
                raise BackupError(f"Tệp {f['key']} trong bản sao lưu bị thiếu hoặc sai mã SHA-256.")
    return manifest


def restore(engine: Engine, metadata: sa.MetaData, store: FileStore, source: Path) -> BackupReport:
    """Restore a verified backup into an empty database at the same schema revision, and its files."""
    source = Path(source)
    manifest = verify(source, metadata)
    report = BackupReport()
    with engine.connect() as conn:
        revision = _revision(conn)
        conn.rollback()
    if revision != manifest.get("alembic_revision"):
        raise BackupError(f"Phiên bản lược đồ khác nhau: bản sao lưu {manifest.get('alembic_revision')}, "
                          f"cơ sở dữ liệu {revision}. Hãy dùng đúng phiên bản phần mềm đã tạo bản sao lưu.")
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise BackupError(f"Cơ sở dữ liệu đích phải trống (bảng {table.name} đã có dữ liệu). "
                                  "Tạo cơ sở dữ liệu mới rồi chạy lại.")
        for table in metadata.sorted_tables:
            info = manifest["tables"].get(table.name)
            if info is None:
                continue
            columns = {c.name: c for c in table.columns}
            rows = [{k: _load_value(columns[k], v) for k, v in row.items() if k in columns}
                    for row in _rows(source / "db" / f"{table.name}.jsonl")]
            rows = _self_ref_order(table, rows)
            for start in range(0, len(rows), BATCH):
                conn.execute(table.insert(), rows[start:start + BATCH])
            report.tables[table.name] = len(rows)
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, metadata.sorted_tables)
        # Files last but inside the transaction: a missing or corrupt file undoes the database restore.
        _restore_files(store, source, manifest["files"], report)
    log.info("backup.restored tables=%s files=%s", len(report.tables), report.files)
    return report


def _restore_files(store: FileStore, source: Path, files: Iterable[dict], report: BackupReport) -> None:
    for f in files:
        report.files += 1
        if f.get("in_backup"):
            with open(source / "files" / _safe_key(f["key"]), "rb") as data:
                store.put(f["key"], data, f.get("content_type") or "application/octet-stream")
            report.files_copied += 1
        if not store.exists(f["key"]) or store.sha256(f["key"]) != f["sha256"]:
            report.bad_files.append(f["key"])
    if report.bad_files:
        raise BackupError(f"{len(report.bad_files)} tệp thiếu hoặc sai mã SHA-256 trong kho sau khi khôi phục: "
                          f"{report.bad_files[:10]}")


def _reset_sequences(conn: Connection, tables: Iterable[sa.Table]) -> None:
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(_base_type(pk[0]), sa.Integer):
            continue
        sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": pk[0].name}).scalar()
        if sequence:
            conn.execute(sa.text(f"SELECT setval(:s, COALESCE((SELECT MAX({pk[0].name}) FROM \"{table.name}\"), 0) + 1, false)"),
                         {"s": sequence})
