"""Entries section of the API: create, read, edit, submit, withdraw, list."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from award import entries, entry_files
from award.entries import AuthorIn, EntryFilters, EntryIn, PartIn, PriorAwardIn
from award.errors import NotFound
from award.models import Entry, EntryFile, EntryStatus, Role, Round, User
from judging import permissions as judging_permissions
from api.deps import ApiUser, NowDep, SessionDep, api_role
from api.openapi import API_ERRORS, Id

router = APIRouter(prefix="/api/v1", tags=["entries"], responses=API_ERRORS)


class AuthorSchema(BaseModel):
    full_name: str = Field(max_length=200)
    pen_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    outlet: str | None = Field(default=None, max_length=200)


class PartSchema(BaseModel):
    title: str | None = Field(default=None, max_length=500)
    outlet: str = Field(max_length=200)
    published_on: date
    url: str | None = Field(default=None, max_length=2000)
    broadcast_slot: str | None = Field(default=None, max_length=200)


class PriorAwardSchema(BaseModel):
    name: str = Field(max_length=300)
    level: str = Field(default="", max_length=50)
    year: int | None = Field(default=None, ge=1945, le=2100)


class EntryFields(BaseModel):
    unit_id: Id
    title: str = Field(max_length=500)
    media_type: str = Field(max_length=16)
    genre: str = Field(max_length=64)
    summary: str = Field(default="", max_length=10000)
    language: str = Field(default="vi", max_length=16)
    authors: list[AuthorSchema] = Field(max_length=50)
    parts: list[PartSchema] = Field(max_length=50)
    prior_awards: list[PriorAwardSchema] = Field(default_factory=list, max_length=20)
    hardship: bool = False
    hardship_note: str = Field(default="", max_length=2000)
    transcript: str = Field(default="", max_length=200_000)

    def to_input(self) -> EntryIn:
        return EntryIn(
            unit_id=self.unit_id, title=self.title, media_type=self.media_type, genre=self.genre,
            summary=self.summary, language=self.language,
            authors=[AuthorIn(**a.model_dump()) for a in self.authors],
            parts=[PartIn(**p.model_dump()) for p in self.parts],
            prior_awards=[PriorAwardIn(**a.model_dump()) for a in self.prior_awards],
            hardship=self.hardship, hardship_note=self.hardship_note, transcript=self.transcript)


class EntryCreate(EntryFields):
    round_id: Id


class EntryPatch(EntryFields):
    version: int | None = None


class FileOut(BaseModel):
    id: int
    filename: str
    size: int
    sha256: str
    content_type: str
    kind: str


class EntryOut(BaseModel):
    id: int
    round_id: Id
    unit_id: Id
    owner_id: Id | None  # None (with no authors and neutral file names) for a judge of a blind stage
    status: EntryStatus
    title: str
    media_type: str
    genre: str
    summary: str
    language: str
    authors: list[AuthorSchema]
    parts: list[PartSchema]
    prior_awards: list[PriorAwardSchema]
    hardship: bool
    hardship_note: str
    transcript: str
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    files: list[FileOut]


class EntryPage(BaseModel):
    items: list[EntryOut]
    total: int


def _live_files(session: Session, entry_ids: list[Id]) -> dict[int, list[EntryFile]]:
    found: dict[int, list[EntryFile]] = {i: [] for i in entry_ids}
    for f in session.exec(select(EntryFile).where(EntryFile.entry_id.in_(entry_ids), EntryFile.removed_at == None)  # noqa: E711
                          .order_by(EntryFile.id)):
        found[f.entry_id].append(f)
    return found


def entries_out(session: Session, rows: list[Entry], viewer: User) -> list[EntryOut]:
    """Entries with their authors, parts and files: a few queries for the whole list, not some per entry.
    Who wrote a work is left out for a judge of a blind stage (judging.permissions.can_see_authors)."""
    ids = [e.id for e in rows]
    children, files = entries.children_of_many(session, ids), (_live_files(session, ids) if ids else {})
    hidden = judging_permissions.authors_hidden(session, user=viewer, entries_=rows)
    return [_entry_out(e, *children[e.id], files[e.id], blind=e.id in hidden) for e in rows]


def entry_out(session: Session, entry: Entry, viewer: User) -> EntryOut:
    return entries_out(session, [entry], viewer)[0]


def file_out(f: EntryFile, position: int, *, blind: bool) -> FileOut:
    out = FileOut.model_validate(f, from_attributes=True)
    if blind:
        out.filename = entry_files.neutral_name(position, f.filename)
    return out


def _entry_out(entry: Entry, authors, parts, files, *, blind: bool = False) -> EntryOut:
    return EntryOut(
        **entry.model_dump(exclude={"prior_awards", "client_token", "extracted_text", "owner_id"}),
        owner_id=None if blind else entry.owner_id,
        prior_awards=[PriorAwardSchema(**a) for a in entry.prior_awards],
        authors=[] if blind else [AuthorSchema.model_validate(a, from_attributes=True) for a in authors],
        parts=[PartSchema.model_validate(p, from_attributes=True) for p in parts],
        files=[file_out(f, i, blind=blind) for i, f in enumerate(files, start=1)],
    )


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=64)]


@router.post("/entries", status_code=201, response_model=EntryOut, name="api:entries:create",
             dependencies=[api_role(Role.journalist)])
def create_entry(body: EntryCreate, session: SessionDep, now: NowDep, user: ApiUser, idempotency_key: IdempotencyKey = None):
    round_ = session.get(Round, body.round_id)
    if round_ is None:
        raise NotFound("Không tìm thấy đợt giải.", field="round_id", code="round_not_found")
    entry = entries.create_entry(session, owner=user, round_=round_, data=body.to_input(), now=now,
                                 client_token=idempotency_key)
    return entry_out(session, entry, user)


@router.get("/entries", response_model=EntryPage, name="api:entries:list")
def list_entries(
    session: SessionDep,
    user: ApiUser,
    round_id: Id | None = None,
    unit_id: Id | None = None,
    status: EntryStatus | None = None,
    media_type: str | None = Query(default=None, max_length=16),
    theme: str | None = Query(default=None, max_length=32),
    q: str | None = Query(default=None, max_length=200),
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=20, ge=1, le=200),
):
    filters = EntryFilters(round_id=round_id, unit_id=unit_id, status=status, media_type=media_type, q=q, theme=theme)
    rows, total = judging_permissions.viewable_entries(session, user=user, filters=filters, page=page,
                                                       per_page=per_page)
    return EntryPage(items=entries_out(session, rows, user), total=total)


def visible_entry(entry_id: Id, session: SessionDep, user: ApiUser) -> Entry:
    return judging_permissions.viewable_entry(session, user=user, entry_id=entry_id)


def own_entry(entry_id: Id, session: SessionDep, user: ApiUser) -> Entry:
    return entries.get_own_entry(session, user=user, entry_id=entry_id)


VisibleEntry = Annotated[Entry, Depends(visible_entry)]
OwnEntry = Annotated[Entry, Depends(own_entry)]


@router.get("/entries/{entry_id}", response_model=EntryOut, name="api:entries:get")
def get_entry(entry: VisibleEntry, session: SessionDep, user: ApiUser):
    return entry_out(session, entry, user)


@router.patch("/entries/{entry_id}", response_model=EntryOut, name="api:entries:update")
def update_entry(entry: OwnEntry, body: EntryPatch, session: SessionDep, now: NowDep, user: ApiUser):
    entries.update_entry(session, entry=entry, actor=user, data=body.to_input(), now=now,
                         expected_version=body.version)
    return entry_out(session, entry, user)


@router.delete("/entries/{entry_id}", status_code=204, name="api:entries:delete")
def delete_entry(entry: OwnEntry, session: SessionDep, now: NowDep, user: ApiUser):
    entries.delete_draft(session, entry=entry, actor=user, now=now)
    return Response(status_code=204)


@router.post("/entries/{entry_id}/submit", response_model=EntryOut, name="api:entries:submit")
def submit_entry(entry: OwnEntry, session: SessionDep, now: NowDep, user: ApiUser):
    entries.submit_entry(session, entry=entry, actor=user, now=now)
    return entry_out(session, entry, user)


@router.post("/entries/{entry_id}/withdraw", response_model=EntryOut, name="api:entries:withdraw")
def withdraw_entry(entry: OwnEntry, session: SessionDep, now: NowDep, user: ApiUser):
    entries.withdraw_entry(session, entry=entry, actor=user, now=now)
    return entry_out(session, entry, user)
