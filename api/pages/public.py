"""Pages anyone can read: the rounds and their outlines."""

from fastapi import APIRouter, Depends, Request
from sqlmodel import select

from award import permissions, rounds as rounds_domain
from award.calendar import phase
from award.errors import NotFound
from award.models import Round, Unit
from award.outlines import outline_tree
from award.rules import RoundRules
from judging import contests, publication
from judging.models import LocalPrize, ResultList, ResultStatus
from api.deps import NowDep, OptionalWebUser, SessionDep
from api.openapi import Id
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/", name="pages:home")
def home(request: Request, session: SessionDep, user: OptionalWebUser, now: NowDep):
    rounds = rounds_domain.visible_rounds(session, user)
    published = session.exec(select(ResultList).where(ResultList.status == ResultStatus.published)).all()
    results_public = {row.round_id for row in published if publication.is_public(row, now)}
    return render(request, "public/home.html", {"rounds": rounds, "results_public": results_public,
                                                "phases": rounds_domain.phases(rounds, now)})


@router.get("/rounds/{round_id}", name="pages:round")
def round_page(round_id: Id, request: Request, session: SessionDep, user: OptionalWebUser, now: NowDep):
    round_ = session.get(Round, round_id)
    if round_ is None or (round_.draft and not permissions.can_see_round_in_preparation(user)):
        raise NotFound("Không tìm thấy đợt giải.")
    tree = outline_tree(session, round_id=round_.id)
    prize_units = session.exec(select(Unit).where(Unit.id.in_(
        select(LocalPrize.unit_id).where(LocalPrize.round_id == round_.id))).order_by(Unit.name)).all()
    return render(request, "public/round.html",
                  {"round": round_, "phase": phase(round_, now), "outline": tree,
                   "rules": RoundRules.model_validate(round_.rules),
                   "prize_units": prize_units,
                   "results_public": publication.is_public(publication.result_list(session, round_.id), now)})


@router.get("/rounds/{round_id}/units/{unit_id}/prizes", name="pages:unit_prizes")
def unit_prizes(round_id: Id, unit_id: Id, request: Request, session: SessionDep, user: OptionalWebUser):
    round_, unit = session.get(Round, round_id), session.get(Unit, unit_id)
    if round_ is None or unit is None:
        raise NotFound("Không tìm thấy.")
    rows = contests.local_prizes(session, round_id=round_id, unit_id=unit_id)
    return render(request, "public/unit_prizes.html", {"round": round_, "unit": unit, "rows": rows})
