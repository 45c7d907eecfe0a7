"""Results in the API: propose, approve or send back, publish (embargo), corrections; the public list,
its CSV/XLSX downloads, its verification, the certificates and the council's minutes."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import select

from award.errors import NotFound
from award.models import Entry, Role, Round
from judging import council, documents, exports, publication
from judging.models import Ballot, ResultList, ResultStatus
from judging.publication import Prize
from api.deps import ApiUser, NowDep, SessionDep, api_role, load_round
from api.openapi import API_ERRORS, Id, binary

router = APIRouter(prefix="/api/v1", tags=["results"], responses=API_ERRORS)


class ProposeIn(BaseModel):
    overrides: dict[int, Literal["special", "A", "B", "C", "KK", "none"]] = Field(default_factory=dict)
    thematic_overrides: dict[str, int] = Field(default_factory=dict)
    note: str = Field(default="", max_length=2000)


class ReturnIn(BaseModel):
    note: str = Field(max_length=2000)


class PublishIn(BaseModel):
    publish_at: datetime | None = None


class CorrectionIn(BaseModel):
    entry_id: Id
    level: Literal["special", "A", "B", "C", "KK", "none"] | None = None
    thematic: str | None = Field(default=None, max_length=300)
    reason: str = Field(max_length=2000)


class ItemOut(BaseModel):
    entry_id: Id
    title: str
    level: str | None
    thematic: str | None
    media_type: str
    outlet: str
    authors: list[dict]
    themes: list[dict]
    unit: str
    checksum: str | None


class ListOut(BaseModel):
    round_id: Id
    status: ResultStatus
    version: int
    proposed_at: datetime | None
    decided_at: datetime | None
    return_note: str
    publish_at: datetime | None
    published_at: datetime | None
    checksum: str | None
    items: list[ItemOut]


def item_out(p: Prize) -> ItemOut:
    return ItemOut(entry_id=p.entry_id, title=p.title, level=p.level, thematic=p.thematic, media_type=p.media_type,
                   outlet=p.outlet, authors=p.authors, themes=p.themes, unit=p.unit, checksum=p.checksum)


def list_out(session, row: ResultList) -> ListOut:
    return ListOut(round_id=row.round_id, status=row.status, version=row.version, proposed_at=row.proposed_at,
                   decided_at=row.decided_at, return_note=row.return_note, publish_at=row.publish_at,
                   published_at=row.published_at, checksum=row.checksum,
                   items=[item_out(p) for p in publication.prizes(session, round_id=row.round_id)])


@router.post("/rounds/{round_id}/results/propose", response_model=ListOut, name="api:results:propose",
             dependencies=[api_role(Role.secretariat)])
def propose(round_id: Id, body: ProposeIn, session: SessionDep, user: ApiUser, now: NowDep):
    row = publication.propose(session, round_=load_round(round_id, session), actor=user, now=now,
                              overrides=body.overrides, thematic_overrides=body.thematic_overrides, note=body.note)
    return list_out(session, row)


@router.get("/rounds/{round_id}/results/proposal", response_model=ListOut, name="api:results:proposal",
            dependencies=[api_role(Role.secretariat, Role.approver)])
def proposal(round_id: Id, session: SessionDep, user: ApiUser):
    row = publication.result_list(session, load_round(round_id, session).id)
    if row is None:
        raise NotFound("Chưa có danh sách giải nào được đề xuất.", code="not_proposed")
    return list_out(session, row)


@router.post("/rounds/{round_id}/results/approve", response_model=ListOut, name="api:results:approve",
             dependencies=[api_role(Role.approver)])
def approve(round_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    return list_out(session, publication.approve(session, round_=load_round(round_id, session), actor=user, now=now))


@router.post("/rounds/{round_id}/results/return", response_model=ListOut, name="api:results:return",
             dependencies=[api_role(Role.approver)])
def send_back(round_id: Id, body: ReturnIn, session: SessionDep, user: ApiUser, now: NowDep):
    return list_out(session, publication.send_back(session, round_=load_round(round_id, session), note=body.note,
                                                   actor=user, now=now))


@router.post("/rounds/{round_id}/results/publish", response_model=ListOut, name="api:results:publish",
             dependencies=[api_role(Role.secretariat)])
def publish(round_id: Id, session: SessionDep, user: ApiUser, now: NowDep, body: PublishIn | None = None):
    row = publication.publish(session, round_=load_round(round_id, session), actor=user, now=now,
                              publish_at=body.publish_at if body else None)
    return list_out(session, row)


@router.post("/rounds/{round_id}/results/corrections", status_code=201, response_model=ListOut,
             name="api:results:correct", dependencies=[api_role(Role.secretariat)])
def correct(round_id: Id, body: CorrectionIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_ = load_round(round_id, session)
    entry = session.get(Entry, body.entry_id)
    if entry is None:
        raise NotFound("Không tìm thấy tác phẩm.", field="entry_id", code="entry_not_found")
    publication.correct(session, round_=round_, entry=entry, level=body.level, thematic=body.thematic,
                        reason=body.reason, actor=user, now=now)
    return list_out(session, publication.result_list(session, round_id))


@router.get("/rounds/{round_id}/results/minutes.pdf", name="api:results:minutes", response_class=Response,
            responses=binary("application/pdf", "Biên bản chung khảo (PDF)."),
            dependencies=[api_role(Role.secretariat, Role.approver)])
def minutes(round_id: Id, session: SessionDep, user: ApiUser, now: NowDep):
    round_ = load_round(round_id, session)
    row = publication.result_list(session, round_id)
    if row is not None and row.tally and row.status != ResultStatus.returned:
        snapshot, status = row.tally, publication.STATUS_LABELS[row.status]
    else:
        state = council.state(session, round_=round_)
        snapshot = publication.tally_snapshot(state, {}, {t.name: t.winner for t in state.tally.thematic})
        status = "chưa đề xuất"
    ids = [w["entry_id"] for w in snapshot.get("works", [])]
    titles = dict(session.exec(select(Entry.id, Entry.title).where(Entry.id.in_(ids))).all()) if ids else {}
    voted = set(session.exec(select(Ballot.judge_id).where(Ballot.round_id == round_id).distinct()).all())
    pdf = documents.minutes_pdf(round_=round_, snapshot=snapshot, titles=titles, at=now, status=status, voted=voted)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="bien-ban-chung-khao-{round_.number}.pdf"'})


# --- public once published ----------------------------------------------------------------------

def public_list(session, round_id: Id, now: datetime) -> ResultList:
    """The published list, or 404 (also under embargo: nobody outside may tell it exists)."""
    row = publication.result_list(session, round_id)
    if not publication.is_public(row, now):
        raise NotFound("Kết quả đợt giải chưa được công bố.", code="results_not_published")
    return row


@router.get("/rounds/{round_id}/results", response_model=list[ItemOut], name="api:results")
def results(round_id: Id, session: SessionDep, now: NowDep,
            media_type: str | None = Query(default=None, max_length=16),
            level: str | None = Query(default=None, max_length=16)):
    public_list(session, round_id, now)
    return [item_out(p) for p in publication.prizes(session, round_id=round_id, media_type=media_type, level=level)]


def _download(round_: Round, body: bytes, media_type: str, ext: str) -> Response:
    name = f"ket-qua-bua-liem-vang-{round_.number}-{round_.year}.{ext}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/rounds/{round_id}/results.csv", name="api:results:csv", response_class=Response,
            responses=binary("text/csv", "Danh sách giải đã công bố (CSV)."))
def results_csv(round_id: Id, session: SessionDep, now: NowDep):
    round_ = load_round(round_id, session)
    public_list(session, round_id, now)
    return _download(round_, exports.to_csv(publication.prizes(session, round_id=round_id)),
                     "text/csv; charset=utf-8", "csv")


@router.get("/rounds/{round_id}/results.xlsx", name="api:results:xlsx", response_class=Response,
            responses=binary("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             "Danh sách giải đã công bố (XLSX)."))
def results_xlsx(round_id: Id, session: SessionDep, now: NowDep):
    round_ = load_round(round_id, session)
    public_list(session, round_id, now)
    title = f"Kết quả Giải Búa liềm vàng {round_.label}"
    return _download(round_, exports.to_xlsx(publication.prizes(session, round_id=round_id), title),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


@router.get("/rounds/{round_id}/results/verify", name="api:results:verify")
def verify(round_id: Id, session: SessionDep, now: NowDep):
    """Anyone can check the public list against the checksums recorded in the audit log."""
    public_list(session, round_id, now)
    result = publication.verify(session, round_id=round_id)
    return {"ok": result.ok, "checksum": result.checksum, "version": result.version, "items": result.items,
            "mismatched": result.mismatched}


@router.get("/entries/{entry_id}/certificate.pdf", name="api:certificate", response_class=Response,
            responses=binary("application/pdf", "Giấy chứng nhận giải (PDF), một trang mỗi tác giả."))
def certificate(entry_id: Id, session: SessionDep, now: NowDep, author: int | None = Query(default=None, ge=1, le=50)):
    """One page per author (or only author number `author`, counted from 1) of a published prize."""
    entry = session.get(Entry, entry_id)
    row = publication.result_list(session, entry.round_id) if entry else None
    found = publication.prizes(session, round_id=entry.round_id, entry_id=entry.id) if entry else []
    if not publication.is_public(row, now) or not found:
        raise NotFound("Không có giấy chứng nhận cho tác phẩm này.", code="certificate_not_found")
    prize = found[0]
    if author is not None and author > len(prize.authors):
        raise NotFound("Tác phẩm không có tác giả thứ này.", field="author", code="author_not_found")
    pdf = documents.certificate_pdf(round_=session.get(Round, entry.round_id), prize=prize, checksum=prize.checksum,
                                    issued=row.publish_at or now,
                                    author_positions=[author - 1] if author is not None else None)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{documents.certificate_filename(prize, author)}"'})

