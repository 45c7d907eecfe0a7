"""Central judging in the API: subpanels and routing, advancing the shortlists to the final, the
council's ballots and their tally."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from award.errors import Conflict, Forbidden, NotFound
from award.models import Entry, Role, Round
from judging import council, panels, permissions
from judging.models import Stage
from api.deps import ApiUser, NowDep, SessionDep, api_role, load_round
from api.openapi import API_ERRORS, Id

router = APIRouter(prefix="/api/v1", tags=["judging"], responses=API_ERRORS)
CENTRAL = (Role.secretariat, Role.approver)


class PanelOut(BaseModel):
    code: str
    name: str
    media_types: list[str]
    genres: list[str]
    works: int = 0
    finalists: int = 0
    judges: int = 0
    target: int | None = None


class PlacementIn(BaseModel):
    panel_code: str = Field(max_length=32)


class EntryIdsIn(BaseModel):
    entry_ids: list[Id] = Field(min_length=1, max_length=5000)


class FinalistOut(BaseModel):
    entry_id: Id
    title: str
    media_type: str
    genre: str
    panel_code: str | None
    status: str


class BallotIn(BaseModel):
    level: Literal["special", "A", "B", "C", "KK", "none"]
    thematic: str | None = Field(default=None, max_length=300)


class BallotOut(BaseModel):
    entry_id: Id
    level: str
    thematic: str | None
    cast_at: datetime
    updated_at: datetime


class WorkTallyOut(BaseModel):
    entry_id: Id
    title: str
    voters: int
    cast: int
    counts: dict[str, int]
    quorum_met: bool
    proposed: str | None
    allocated: str | None
    flags: list[str]


class ThematicOut(BaseModel):
    name: str
    nominations: dict[int, int]
    winner: int | None
    tie: list[int]


class TallyOut(BaseModel):
    members: int
    works: list[WorkTallyOut]
    thematic: list[ThematicOut]
    without_quorum: list[int]
    ties: list[int]


@router.get("/rounds/{round_id}/panels", response_model=list[PanelOut], name="api:panels")
def list_panels(round_id: Id, session: SessionDep, user: ApiUser):
    round_ = load_round(round_id, session)
    if not permissions.can_see_panels_overview(user):
        return [PanelOut(**p.model_dump()) for p in panels.panels_of(round_)]
    return [PanelOut(**s.panel.model_dump(), works=s.works, finalists=s.finalists, judges=s.judges, target=s.target)
            for s in panels.overview(session, round_=round_)]


@router.post("/rounds/{round_id}/panels/route", name="api:panels:route", dependencies=[api_role(Role.secretariat)])
def route_panels(round_id: Id, session: SessionDep, user: ApiUser, now: NowDep) -> dict[str, int]:
    """Route every eligible work not moved by hand to its panel; returns works per panel."""
    return panels.route_round(session, round_=load_round(round_id, session), actor=user, now=now)


@router.put("/entries/{entry_id}/panel", name="api:entries:panel", dependencies=[api_role(Role.secretariat)])
def move_entry(entry_id: Id, body: PlacementIn, session: SessionDep, user: ApiUser, now: NowDep):
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")
    row = panels.move(session, entry=entry, round_=session.get(Round, entry.round_id), panel_code=body.panel_code,
                      actor=user, now=now)
    return {"entry_id": row.entry_id, "panel_code": row.panel_code, "manual": row.manual}


def _finalists_out(session, round_id: Id, entries: list[Entry]) -> list[FinalistOut]:
    placed = council.finalist_panels(session, round_id=round_id)
    return [FinalistOut(entry_id=e.id, title=e.title, media_type=e.media_type, genre=e.genre,
                        panel_code=placed.get(e.id), status=e.status) for e in entries]


@router.post("/rounds/{round_id}/stages/{stage}/advance", response_model=list[FinalistOut], name="api:advance",
             dependencies=[api_role(Role.secretariat)])
def advance(round_id: Id, stage: Stage, body: EntryIdsIn, session: SessionDep, user: ApiUser, now: NowDep):
    """Preliminary → final: the works named join the finalists; returns every finalist."""
    round_ = load_round(round_id, session)
    if stage != Stage.preliminary:
        raise Conflict("Chỉ chuyển được tác phẩm từ vòng sơ khảo lên chung khảo (vòng sơ tuyển gửi bằng danh sách "
                       "của đơn vị; kết quả chung khảo đi qua đề xuất danh sách giải).", code="not_advanceable")
    return _finalists_out(session, round_id, council.advance(session, round_=round_, entry_ids=body.entry_ids,
                                                             actor=user, now=now))


@router.post("/rounds/{round_id}/finalists/withdraw", response_model=list[FinalistOut], name="api:finalists:withdraw",
             dependencies=[api_role(Role.secretariat)])
def withdraw_finalists(round_id: Id, body: EntryIdsIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_ = load_round(round_id, session)
    return _finalists_out(session, round_id, council.withdraw(session, round_=round_, entry_ids=body.entry_ids,
                                                              actor=user, now=now))


@router.get("/rounds/{round_id}/finalists", response_model=list[FinalistOut], name="api:finalists",
            dependencies=[api_role(Role.secretariat, Role.approver, Role.judge)])
def list_finalists(round_id: Id, session: SessionDep, user: ApiUser):
    """Council members see every finalist except those they have a conflict with."""
    round_ = load_round(round_id, session)
    entries = council.finalists(session, round_id=round_.id)
    is_member = council.is_member(session, round_id=round_id, user=user)
    if not permissions.can_see_finalists(user, is_member=is_member):
        raise Forbidden("Anh/chị không phải thành viên Hội đồng chung khảo của đợt giải này.",
                        code="not_council_member")
    if is_member:  # a member never sees the works they have a conflict with
        blocked = council.conflicts(session, members=[user], entries=entries)
        entries = [e for e in entries if (user.id, e.id) not in blocked]
    return _finalists_out(session, round_id, entries)


@router.put("/rounds/{round_id}/ballots/{entry_id}", response_model=BallotOut, name="api:ballots:cast",
            dependencies=[api_role(Role.judge)])
def cast_ballot(round_id: Id, entry_id: Id, body: BallotIn, session: SessionDep, user: ApiUser, now: NowDep):
    round_ = load_round(round_id, session)
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFound("Không tìm thấy tác phẩm.", code="entry_not_found")
    row = council.cast(session, round_=round_, entry=entry, judge=user, level=body.level, thematic=body.thematic,
                       now=now)
    return BallotOut.model_validate(row, from_attributes=True)


@router.get("/rounds/{round_id}/ballots", response_model=list[BallotOut], name="api:ballots:mine",
            dependencies=[api_role(Role.judge)])
def my_ballots(round_id: Id, session: SessionDep, user: ApiUser):
    load_round(round_id, session)
    return [BallotOut.model_validate(b, from_attributes=True)
            for b in council.my_ballots(session, round_id=round_id, judge=user).values()]


@router.get("/rounds/{round_id}/tally", response_model=TallyOut, name="api:tally", dependencies=[api_role(*CENTRAL)])
def tally(round_id: Id, session: SessionDep, user: ApiUser):
    state = council.state(session, round_=load_round(round_id, session))
    titles = {e.id: e.title for e in state.finalists}
    return TallyOut(
        members=len(state.members),
        works=[WorkTallyOut(entry_id=w.entry_id, title=titles[w.entry_id], voters=w.voters, cast=w.cast,
                            counts=w.counts, quorum_met=w.quorum_met, proposed=w.proposed, allocated=w.allocated,
                            flags=sorted(w.flags)) for w in state.tally.works],
        thematic=[ThematicOut(name=t.name, nominations=t.nominations, winner=t.winner, tie=t.tie)
                  for t in state.tally.thematic],
        without_quorum=state.tally.without_quorum, ties=state.tally.ties)
