"""Files of an entry: streamed upload, direct multipart upload (presigned), download, removal."""

from datetime import datetime
from urllib.parse import quote, urljoin

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from award import entries, entry_files
from award.errors import AwardError, Forbidden, Invalid, NotFound
from award.files import FileTooLarge, UploadSink
from award.models import Entry, EntryFile, Upload, User
from award.storage import LocalFileStore
from judging import permissions as judging_permissions
from api.deps import ApiUser, FileStoreDep, NowDep, SessionDep, size_caps
from api.openapi import API_ERRORS, Id, binary, errors
from api.routers.entries import FileOut
from api.security import PartTokenError, check_part_token
from api.streaming import receive_file

router = APIRouter(prefix="/api/v1", tags=["files"], responses=API_ERRORS)

PART_URL_TTL = 6 * 3600
DOWNLOAD_TTL = 300


class UploadStart(BaseModel):
    filename: str = Field(max_length=1000)
    size: int = Field(ge=0)
    content_type: str = Field(max_length=128)
    sha256: str = Field(max_length=64)


class PartUrl(BaseModel):
    number: int
    url: str


class UploadPlan(BaseModel):
    upload_id: str
    part_size: int
    size: int
    expires_at: datetime
    parts: list[PartUrl]


class PartDone(BaseModel):
    number: int
    etag: str
    size: int


class UploadStatus(UploadPlan):
    parts_done: list[PartDone]


class CompletedPart(BaseModel):
    number: int = Field(ge=1, le=10_000)
    etag: str = Field(max_length=200)


class UploadComplete(BaseModel):
    parts: list[CompletedPart] = Field(max_length=10_000)


def _attachable(session: Session, user: User, entry_id: Id, now: datetime) -> Entry:
    entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    entry_files.check_can_attach(session, entry=entry, now=now)
    return entry


def _attachable_released(session: Session, user: User, entry_id: int, now: datetime) -> Entry:
    """`_attachable`, then the database connection is given back while the bytes stream: an upload
    takes seconds, a process has 20 connections, and at a deadline hundreds of uploads run at once."""
    entry = _attachable(session, user, entry_id, now)
    session.commit()
    return entry


def _absolute(request: Request, parts: dict[int, str]) -> list[PartUrl]:
    base = str(request.base_url)
    return [PartUrl(number=n, url=urljoin(base, url)) for n, url in sorted(parts.items())]


@router.post("/entries/{entry_id}/files", status_code=201, response_model=FileOut, name="api:files:upload",
             responses=errors(413, 415))
async def upload_file(entry_id: Id, request: Request, session: SessionDep, user: ApiUser, store: FileStoreDep,
                      now: NowDep):
    """Streamed through the app to storage: type sniffed, size capped and SHA-256 computed on the way."""
    entry = await run_in_threadpool(_attachable_released, session, user, entry_id, now)
    caps = size_caps()
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > caps.largest + 1024 * 1024:
        raise FileTooLarge(f"Tệp quá lớn: tối đa {caps.largest // (1024 * 1024)} MB.", field="file")
    key = entry_files.file_key(entry)
    received = await receive_file(request, lambda _name: UploadSink(store, key, caps))
    stored = await run_in_threadpool(received.sink.finish)
    try:
        row = await run_in_threadpool(_record_streamed, session, store, entry, stored, received.filename, user, now)
    except BaseException:
        await run_in_threadpool(store.delete, stored.key)
        raise
    return FileOut.model_validate(row, from_attributes=True)


def _record_streamed(session: Session, store, entry: Entry, stored, filename: str, user: User, now: datetime) -> EntryFile:
    """The entry is checked again: it may have been submitted (or the round closed) while the file streamed."""
    session.refresh(entry)
    entry_files.check_can_attach(session, entry=entry, now=now)
    return entry_files.record_file(session, store, entry=entry, stored=stored, filename=filename, actor=user, now=now)


@router.post("/entries/{entry_id}/uploads", status_code=201, response_model=UploadPlan, name="api:uploads:start",
             responses=errors(413, 415))
def start_upload(entry_id: Id, body: UploadStart, request: Request, session: SessionDep, user: ApiUser,
                 store: FileStoreDep, now: NowDep):
    entry = _attachable(session, user, entry_id, now)
    plan = entry_files.start_upload(session, store, entry=entry, filename=body.filename, size=body.size,
                                    content_type=body.content_type, sha256=body.sha256, actor=user, now=now,
                                    caps=size_caps())
    upload = plan.upload
    urls = store.part_urls(upload.key, upload.storage_upload_id, plan.part_numbers, PART_URL_TTL,
                           sizes=entry_files.part_sizes(upload))
    return UploadPlan(upload_id=upload.id, part_size=upload.part_size, size=upload.size,
                      expires_at=upload.expires_at, parts=_absolute(request, urls))


@router.get("/entries/{entry_id}/uploads/{upload_id}", response_model=UploadStatus, name="api:uploads:status")
def upload_status(entry_id: Id, upload_id: str, request: Request, session: SessionDep, user: ApiUser,
                  store: FileStoreDep, now: NowDep):
    """What arrived so far, and fresh URLs for the parts still missing (to resume after a dropped line)."""
    entry = _attachable(session, user, entry_id, now)
    upload = entry_files.get_upload(session, entry=entry, upload_id=upload_id, now=now)
    done = store.list_parts(upload.key, upload.storage_upload_id)
    total = -(-upload.size // upload.part_size)
    missing = [n for n in range(1, total + 1) if n not in done]
    urls = (store.part_urls(upload.key, upload.storage_upload_id, missing, PART_URL_TTL,
                            sizes=entry_files.part_sizes(upload)) if missing else {})
    return UploadStatus(upload_id=upload.id, part_size=upload.part_size, size=upload.size,
                        expires_at=upload.expires_at, parts=_absolute(request, urls),
                        parts_done=[PartDone(number=n, etag=e, size=s) for n, (e, s) in sorted(done.items())])


@router.post("/entries/{entry_id}/uploads/{upload_id}/complete", status_code=201, response_model=FileOut,
             name="api:uploads:complete", responses=errors(413, 415))
def complete_upload(entry_id: Id, upload_id: str, body: UploadComplete, session: SessionDep, user: ApiUser,
                    store: FileStoreDep, now: NowDep):
    entry = _attachable(session, user, entry_id, now)
    upload = entry_files.get_upload(session, entry=entry, upload_id=upload_id, now=now)
    try:
        row = entry_files.complete_upload(session, store, entry=entry, upload=upload,
                                          parts=[(p.number, p.etag) for p in body.parts], actor=user, now=now)
    except AwardError:
        # The object was deleted; the upload session is over too, so the browser starts afresh.
        session.rollback()
        stale = session.get(Upload, upload_id)
        if stale is not None:
            session.delete(stale)
            session.commit()
        raise
    return FileOut.model_validate(row, from_attributes=True)


@router.delete("/entries/{entry_id}/uploads/{upload_id}", status_code=204, name="api:uploads:abort")
def abort_upload(entry_id: Id, upload_id: str, session: SessionDep, user: ApiUser, store: FileStoreDep, now: NowDep):
    entry = entries.get_own_entry(session, user=user, entry_id=entry_id)
    upload = entry_files.get_upload(session, entry=entry, upload_id=upload_id, now=now)
    entry_files.abort_upload(session, store, upload=upload)
    return Response(status_code=204)


PART_BATCH = 1024 * 1024


@router.put("/storage/parts/{upload_id}/{number}", name="api:storage:part", include_in_schema=False)
async def put_part(upload_id: str, number: int, token: str, request: Request, store: FileStoreDep):
    """Local storage only: the app receives a part the way S3 would, authorised by the signed URL."""
    if not isinstance(store, LocalFileStore):
        raise NotFound("Không tìm thấy.")
    try:
        key, size = check_part_token(token, upload_id, number)
    except PartTokenError as exc:
        raise Forbidden("Đường dẫn tải lên không hợp lệ hoặc đã hết hạn.", code="bad_signature") from exc
    if size is None:  # every URL the app hands out names its part's size
        raise Forbidden("Đường dẫn tải lên không hợp lệ hoặc đã hết hạn.", code="bad_signature")
    stream = request.stream().__aiter__()

    async def next_batch() -> bytearray:
        # About 1 MiB per hop to the writing thread, not one hop per 64 KiB the server hands over; the thread
        # writes the buffer as it is (no second copy of every byte).
        batch = bytearray()
        while len(batch) < PART_BATCH:
            try:
                batch += await stream.__anext__()
            except StopAsyncIteration:
                break
        return batch

    def chunks():
        # Exactly the part's size (the plan's part size, or what is left of the declared size), as S3 holds a
        # presigned part to its signed Content-Length: a part never writes more than its share to disk.
        received = 0
        while batch := anyio.from_thread.run(next_batch):
            received += len(batch)
            if received > size:
                raise FileTooLarge(f"Phần {number} dài hơn {size} byte đã định cho nó.", field="file",
                                   code="part_too_large")
            yield batch
        if received != size:
            raise Invalid(f"Phần {number} phải dài đúng {size} byte (nhận được {received}).", field="file",
                          code="part_size_mismatch")

    etag = await run_in_threadpool(store.write_part, key, upload_id, number, chunks())
    return Response(status_code=200, headers={"ETag": etag})


@router.get("/entries/{entry_id}/files/{file_id}", name="api:files:download", response_class=Response,
            responses=binary("*/*", "Tệp, với kiểu đã nhận ra từ nội dung khi tải lên.")
            | {307: {"description": "Với kho S3: chuyển tới địa chỉ tải xuống có chữ ký, hết hạn sau ít phút."}})
def download_file(entry_id: Id, file_id: Id, session: SessionDep, user: ApiUser, store: FileStoreDep,
                  inline: bool = False):
    """The original bytes under the original name, only for those who may see the entry.
    Range requests work (audio and video seek)."""
    entry = judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)
    live = entry_files.live_files(session, entry_id=entry.id)
    position = next((i for i, f in enumerate(live, start=1) if f.id == file_id), None)
    if position is None:
        raise NotFound("Không tìm thấy tệp.", code="file_not_found")
    row = live[position - 1]
    # A blind judge gets the bytes under the neutral name the entry's file list shows them.
    blind = entry.id in judging_permissions.authors_hidden(session, user=user, entries_=[entry])
    name = entry_files.neutral_name(position, row.filename) if blind else row.filename
    return file_response(store, row, name, inline=inline)


def file_response(store, row: EntryFile, name: str, *, inline: bool) -> Response:
    """A stored file's bytes under `name`: from local storage with Range support (206 for a range: audio and
    video seek, pdf.js reads a long PDF in pieces), from S3 by a short-lived presigned URL (S3 serves ranges)."""
    disposition = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
    if isinstance(store, LocalFileStore):
        return FileResponse(store.root / row.key, media_type=row.content_type,
                            headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})
    url = store.presigned_get(row.key, DOWNLOAD_TTL, content_type=row.content_type, disposition=disposition)
    return RedirectResponse(url, status_code=307)


@router.delete("/entries/{entry_id}/files/{file_id}", status_code=204, name="api:files:remove")
def remove_file(entry_id: Id, file_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    entry = _attachable(session, user, entry_id, now)
    entry_files.remove_file(session, entry=entry, file_id=file_id, actor=user, now=now)
    return Response(status_code=204)
