"""Files of an entry: who may attach them, how they are recorded, direct (multipart) uploads,
text extracted for tagging, and the clean-up of what an interrupted upload left behind."""

import logging
import math
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from award import audit, jobs
from award.entries import file_taken, require_editable
from award.errors import Conflict, Invalid, NotFound
from award.files import FileTooLarge, SizeCaps, StoredFile, UnsupportedFile, require_content, safe_filename, sniff
from award.models import Entry, EntryFile, Round, Upload, User
from award.sandbox import extract_limited
from award.storage import FileStore, new_key
from award.textextract import EXTRACTOR_VERSION

log = logging.getLogger(__name__)

MiB = 1024 * 1024
MIN_PART = 8 * MiB
MAX_PARTS = 10_000
# An upload session lasts as long as its part URLs (6 hours: a 4 GB video at 2 Mbit/s); a user holds at most
# MAX_OPEN_UPLOADS sessions declaring at most MAX_OPEN_BYTES in all (two videos at the default cap), so a client
# that never completes cannot pile up parts in the bucket or on disk. Expired sessions are reaped when their
# owner starts another, and by `award storage gc`.
UPLOAD_TTL = timedelta(hours=6)
MAX_OPEN_UPLOADS = 10
MAX_OPEN_BYTES = 8 * 1024 * MiB
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
PLAIN_EXT = re.compile(r"\.[a-z0-9]{1,5}")

# What a browser may declare for a direct upload; the content is sniffed again on completion.
DECLARED_KINDS = {
    "application/pdf": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "image/jpeg": "image", "image/png": "image", "image/webp": "image",
    "audio/mpeg": "audio", "audio/mp4": "audio", "audio/x-m4a": "audio", "audio/wav": "audio", "audio/x-wav": "audio",
    "audio/wave": "audio", "video/mp4": "video", "video/quicktime": "video",
}


def check_can_attach(session: Session, *, entry: Entry, now: datetime) -> None:
    """Files may be added or removed while the author may edit the work (award.entries.require_editable)."""
    require_editable(entry, session.get(Round, entry.round_id), now)


def live_files(session: Session, *, entry_id: int) -> list[EntryFile]:
    """The files a work has now, in the order they were added (the order their neutral names count in)."""
    return list(session.exec(select(EntryFile).where(EntryFile.entry_id == entry_id, EntryFile.removed_at == None)  # noqa: E711
                             .order_by(EntryFile.id)).all())


def live_files_of_many(session: Session, *, entry_ids: list[int]) -> dict[int, list[EntryFile]]:
    """`live_files` of many works in one query (the council's dossier lists every finalist's files)."""
    found: dict[int, list[EntryFile]] = {i: [] for i in entry_ids}
    if entry_ids:
        for f in session.exec(select(EntryFile).where(EntryFile.entry_id.in_(entry_ids), EntryFile.removed_at == None)  # noqa: E711
                              .order_by(EntryFile.id)):
            found[f.entry_id].append(f)
    return found


def neutral_name(position: int, filename: str) -> str:
    """What a blind judge sees instead of a file's name, which often carries its author's: "Tệp 1.pdf"
    (position counted from 1, the original extension kept when it is a plain one)."""
    ext = Path(filename).suffix.lower()
    return f"Tệp {position}" + (ext if PLAIN_EXT.fullmatch(ext) else "")


def file_key(entry: Entry) -> str:
    return new_key(f"entries/{entry.round_id}/{entry.id}")


def _refuse_duplicate(session: Session, *, entry: Entry, sha256: str) -> None:
    same_entry = session.exec(select(EntryFile.id).where(
        EntryFile.entry_id == entry.id, EntryFile.sha256 == sha256, EntryFile.removed_at == None)).first()  # noqa: E711
    if same_entry is not None:
        raise Conflict("Tệp này đã có trong tác phẩm.", field="file", code="duplicate_file")
    if file_taken(session, round_id=entry.round_id, sha256=sha256, exclude_entry_id=entry.id):
        raise Conflict("Tệp này đã có trong một tác phẩm khác của đợt giải.", field="file",
                       code="duplicate_file")


def record_file(session: Session, store: FileStore, *, entry: Entry, stored: StoredFile, filename: str,
                actor: User, now: datetime) -> EntryFile:
    """Make a stored object count as a file of the entry (after type, size and checksum were checked)."""
    _refuse_duplicate(session, entry=entry, sha256=stored.sha256)
    row = EntryFile(entry_id=entry.id, round_id=entry.round_id, key=stored.key, filename=safe_filename(filename),
                    content_type=stored.mime, kind=stored.kind, size=stored.size, sha256=stored.sha256,
                    uploaded_by=actor.id, created_at=now)
    session.add(row)
    session.flush()
    if stored.kind == "document":  # read by `award worker`, out of the upload request (award/job_handlers.py)
        queue_extraction(session, file_id=row.id, entry_id=entry.id, now=now)
    entry.updated_at = now
    session.add(entry)
    audit.record(session, actor_id=actor.id, action="entry.file_added", object_type="entry", object_id=entry.id,
                 now=now, data={"file_id": row.id, "filename": row.filename, "sha256": row.sha256, "size": row.size})
    log.info("entry.file_added entry_id=%s file_id=%s size=%s", entry.id, row.id, row.size)
    return row


def extract_file_text(store: FileStore, *, key: str, entry_id: int) -> tuple[str, int | None]:
    """Text of a PDF or DOCX file (feeds theme suggestions; a scan without a text layer gives none) and the
    number of pages of a PDF. Extraction runs in a child process with time and memory caps
    (award/sandbox.py): a document that exceeds them is kept, without text."""
    pages = None
    with tempfile.TemporaryDirectory(prefix="award-extract-") as tmp:
        path = Path(tmp) / "doc"
        store.download_to(key, path)
        try:
            extracted = extract_limited(path)
            text, pages = extracted.text.strip(), extracted.pages
        except Invalid as exc:
            log.warning("entry.file_text_skipped entry_id=%s code=%s", entry_id, exc.code)
            text = ""
    return text, pages


def queue_extraction(session: Session, *, file_id: int, entry_id: int, now: datetime) -> None:
    """Queue job `entry.extract_text` for a document. The key carries EXTRACTOR_VERSION: a file read by an
    earlier release is queued again by `queue_outdated_extractions` while its first job's row is still kept."""
    jobs.enqueue(session, kind="entry.extract_text", key=f"entry.extract_text:{file_id}:v{EXTRACTOR_VERSION}",
                 entry_id=entry_id, payload={"entry_id": entry_id, "file_id": file_id}, now=now)


def queue_outdated_extractions(session: Session, *, now: datetime) -> list[int]:
    """Queue `entry.extract_text` again for every current (not removed) document whose text another
    EXTRACTOR_VERSION made, or that predates the version (0); run by `award migrate` after an upgrade, so the
    works are read again, and ranked again after it. Returns the files' ids. Idempotent: a file already
    queued for this version is not queued twice."""
    rows = session.exec(select(EntryFile.id, EntryFile.entry_id).where(
        EntryFile.kind == "document", EntryFile.removed_at == None,  # noqa: E711
        EntryFile.extractor_version != EXTRACTOR_VERSION).order_by(EntryFile.id)).all()
    for file_id, entry_id in rows:
        queue_extraction(session, file_id=file_id, entry_id=entry_id, now=now)
    log.info("entry.file_text_outdated files=%s extractor_version=%s", len(rows), EXTRACTOR_VERSION)
    return [file_id for file_id, _ in rows]


def refresh_extracted_text(session: Session, *, entry: Entry) -> bool:
    """Derive `entry.extracted_text`, what the tagger reads of the work's files, from its current (not removed)
    files' own texts (`EntryFile.text`, at most award.sandbox.MAX_TEXT characters each, empty ones skipped) in
    upload order, joined by a blank line; True when it changed. The one place that writes it: call it in the
    transaction that changes a file's text or removes a file.

    Takes the work's row lock first (PostgreSQL; SQLite's writers are serialised anyway), so two such
    transactions on one work (a file removed while another is read) each derive from what the other committed."""
    entry = session.exec(select(Entry).where(Entry.id == entry.id).with_for_update(key_share=True)
                         .execution_options(populate_existing=True)).one()
    texts = session.exec(select(EntryFile.text).where(EntryFile.entry_id == entry.id,
                                                      EntryFile.removed_at == None)  # noqa: E711
                         .order_by(EntryFile.id)).all()
    text = "\n\n".join(t for t in texts if t)
    if text == entry.extracted_text:
        return False
    entry.extracted_text = text
    session.add(entry)
    return True


def remove_file(session: Session, *, entry: Entry, file_id: int, actor: User, now: datetime) -> EntryFile:
    """Mark a file removed (its row and bytes stay: audit, backups). The work's text is derived again without
    it (`refresh_extracted_text`); when that changed it, the work's suggestions are queued again."""
    row = session.get(EntryFile, file_id)
    if row is None or row.entry_id != entry.id or row.removed_at is not None:
        raise NotFound("Không tìm thấy tệp.", code="file_not_found")
    row.removed_at = now
    session.add(row)
    if refresh_extracted_text(session, entry=entry):
        jobs.enqueue_suggest(session, entry_id=entry.id, cause=f"file{row.id}:removed", now=now)
    audit.record(session, actor_id=actor.id, action="entry.file_removed", object_type="entry", object_id=entry.id,
                 now=now, data={"file_id": row.id, "filename": row.filename})
    return row


# --- direct (multipart) uploads --------------------------------------------------------------

@dataclass
class PlannedUpload:
    upload: Upload
    part_numbers: list[int]


def part_size_for(size: int) -> int:
    """At least 8 MiB, and few enough parts for S3's limit of 10,000."""
    return max(MIN_PART, math.ceil(size / MAX_PARTS / MiB) * MiB)


def part_sizes(upload: Upload) -> dict[int, int]:
    """Each part's exact length: the plan's part size, the last one what is left of the declared size.
    Part URLs carry it (S3 signs Content-Length; the app's own part route checks it)."""
    count = math.ceil(upload.size / upload.part_size)
    return {n: min(upload.part_size, upload.size - (n - 1) * upload.part_size) for n in range(1, count + 1)}


def _reap_expired(session: Session, store: FileStore, *, user: User, now: datetime) -> None:
    for upload in session.exec(select(Upload).where(Upload.created_by == user.id, Upload.expires_at <= now)).all():
        try:
            store.abort_multipart(upload.key, upload.storage_upload_id)
        except NotFound:
            pass
        session.delete(upload)
        log.info("upload.reaped upload_id=%s", upload.id)
    session.flush()


def _check_open_uploads(session: Session, *, user: User, size: int, now: datetime) -> None:
    count, declared = session.exec(
        select(func.count(), func.coalesce(func.sum(Upload.size), 0))
        .where(Upload.created_by == user.id, Upload.expires_at > now)).one()
    if count + 1 > MAX_OPEN_UPLOADS or declared + size > MAX_OPEN_BYTES:
        raise Conflict(f"Anh/chị đang có quá nhiều lượt tải lên chưa xong (tối đa {MAX_OPEN_UPLOADS} lượt, "
                       f"{MAX_OPEN_BYTES // (1024 * MiB)} GB cùng lúc). Hãy hoàn tất hoặc hủy bớt rồi thử lại.",
                       field="size", code="too_many_uploads")


def start_upload(session: Session, store: FileStore, *, entry: Entry, filename: str, size: int, content_type: str,
                 sha256: str, actor: User, now: datetime, caps: SizeCaps) -> PlannedUpload:
    """Open a multipart upload the browser fills itself; nothing counts until `complete_upload`. The declared
    size is held to the declared kind's cap, the user's open uploads to their count and bytes, and every part
    (part_sizes) to its share of the declared size."""
    kind = DECLARED_KINDS.get((content_type or "").lower())
    if kind is None:
        raise UnsupportedFile("Chỉ nhận tệp PDF, DOCX, ảnh JPEG/PNG/WebP, âm thanh MP3/M4A/WAV hoặc video MP4/MOV.",
                              field="content_type")
    require_content(size, field="size")
    if size > caps.cap_for(kind):
        raise FileTooLarge(f"Tệp quá lớn: tối đa {caps.cap_for(kind) // MiB} MB cho loại tệp này.", field="size")
    sha256 = (sha256 or "").lower()
    if not SHA256_RE.match(sha256):
        raise Invalid("Mã SHA-256 của tệp không hợp lệ.", field="sha256", code="invalid_checksum")
    _refuse_duplicate(session, entry=entry, sha256=sha256)
    _reap_expired(session, store, user=actor, now=now)
    _check_open_uploads(session, user=actor, size=size, now=now)
    key = file_key(entry)
    part_size = part_size_for(size)
    upload = Upload(id=secrets.token_hex(16), entry_id=entry.id, key=key,
                    storage_upload_id=store.start_multipart(key, content_type, size=size, part_size=part_size),
                    filename=safe_filename(filename), content_type=content_type.lower(), kind=kind, size=size,
                    sha256=sha256, part_size=part_size, created_by=actor.id, created_at=now,
                    expires_at=now + UPLOAD_TTL)
    session.add(upload)
    session.flush()
    log.info("upload.started upload_id=%s entry_id=%s size=%s", upload.id, entry.id, size)
    return PlannedUpload(upload, list(range(1, math.ceil(size / part_size) + 1)))


def get_upload(session: Session, *, entry: Entry, upload_id: str, now: datetime) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None or upload.entry_id != entry.id or upload.expires_at <= now:
        raise NotFound("Phiên tải lên không tồn tại hoặc đã hết hạn. Hãy tải tệp lên lại.", code="upload_not_found")
    return upload


def complete_upload(session: Session, store: FileStore, *, entry: Entry, upload: Upload,
                    parts: list[tuple[int, str]], actor: User, now: datetime) -> EntryFile:
    """Close the multipart upload (S3 assembles the parts; the local store renames the file its parts were
    written into), then check size, type (sniffed from the content) and SHA-256 before the file counts: the
    SHA-256 the local store computed while the parts arrived, else from one read of the file. A file that
    fails a check is deleted from storage."""
    done = store.complete_multipart(upload.key, upload.storage_upload_id, parts)
    try:
        if done.size != upload.size:
            raise Invalid(f"Tệp nhận được ({done.size} byte) khác kích thước đã khai ({upload.size} byte).",
                          field="parts", code="size_mismatch")
        if done.sha256 is not None:
            head, digest = store.read_head(upload.key, 8192), done.sha256
        else:
            head, digest, _ = store.head_and_sha256(upload.key, 8192)
        sniffed = sniff(head)
        if sniffed is None or sniffed.kind != upload.kind:
            raise UnsupportedFile("Nội dung tệp không đúng loại đã khai.", field="file")
        if digest != upload.sha256:
            raise Invalid("Mã kiểm tra SHA-256 không khớp: tệp bị lỗi khi truyền. Hãy tải lên lại.",
                          field="sha256", code="checksum_mismatch")
        stored = StoredFile(upload.key, done.size, digest, sniffed.mime, sniffed.kind, sniffed.ext)
        if sniffed.kind == "image":
            from award.files import IMAGE_HEAD, check_image_dimensions

            check_image_dimensions(store.read_head(upload.key, IMAGE_HEAD))
        if sniffed.kind == "document" and sniffed.ext == "docx":
            from award.files import verify_docx

            with tempfile.TemporaryDirectory(prefix="award-docx-") as tmp:
                path = Path(tmp) / "doc.docx"
                store.download_to(upload.key, path)
                verify_docx(str(path))
        row = record_file(session, store, entry=entry, stored=stored, filename=upload.filename, actor=actor, now=now)
    except Exception:
        store.delete(upload.key)
        raise
    session.delete(upload)
    session.flush()
    return row


def abort_upload(session: Session, store: FileStore, *, upload: Upload) -> None:
    store.abort_multipart(upload.key, upload.storage_upload_id)
    session.delete(upload)
    session.flush()


# --- garbage collection ------------------------------------------------------------------------

@dataclass
class GcReport:
    expired_uploads: int = 0
    stale_multipart: int = 0
    orphan_objects: int = 0
    partial_files: int = 0  # `.part` files of a local store whose writer died (kill -9 mid-upload)


def collect_garbage(session: Session, store: FileStore, *, now: datetime, grace: timedelta = timedelta(hours=1)) -> GcReport:
    """Remove what interrupted uploads left: expired upload sessions, stale multipart uploads, and
    objects under entries/ that no file row and no live upload knows (older than `grace`)."""
    report = GcReport()
    for upload in session.exec(select(Upload).where(Upload.expires_at <= now)).all():
        try:
            store.abort_multipart(upload.key, upload.storage_upload_id)
        except NotFound:
            pass
        session.delete(upload)
        report.expired_uploads += 1
    session.flush()
    live_uploads = {u.storage_upload_id for u in session.exec(select(Upload))}
    for key, upload_id in store.stale_multipart(grace):
        if upload_id not in live_uploads:
            store.abort_multipart(key, upload_id)
            report.stale_multipart += 1
    known = set(session.exec(select(EntryFile.key)).all()) | set(session.exec(select(Upload.key)).all())
    for key in list(store.keys("entries/")):
        if key not in known and store.age(key) > grace:
            store.delete(key)
            report.orphan_objects += 1
    remove_partials = getattr(store, "remove_stale_partials", None)  # local disk only; S3 puts are atomic
    if remove_partials is not None:
        report.partial_files = remove_partials(grace)
    log.info("storage.gc expired_uploads=%s stale_multipart=%s orphan_objects=%s partial_files=%s",
             report.expired_uploads, report.stale_multipart, report.orphan_objects, report.partial_files)
    return report
