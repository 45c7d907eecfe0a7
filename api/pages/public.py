"""Pages anyone can read: the rounds and their outlines."""

from fastapi import APIRouter, Depends, Request
from sqlmodel import select

from award.errors import NotFound
from award.models import Round
from award.outlines import outline_tree
from award.rules import RoundRules
from api.deps import OptionalWebUser, SessionDep
from api.security import verify_csrf
from api.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/", name="pages:home")
def home(request: Request, session: SessionDep, user: OptionalWebUser):
    rounds = session.exec(select(Round).order_by(Round.year.desc())).all()
    return render(request, "public/home.html", {"rounds": rounds})


@router.get("/rounds/{round_id}", name="pages:round")
def round_page(round_id: int, request: Request, session: SessionDep, user: OptionalWebUser):
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("Không tìm thấy đợt giải.")
    tree = outline_tree(session, round_id=round_.id)
    return render(request, "public/round.html",
                  {"round": round_, "outline": tree, "rules": RoundRules.model_validate(round_.rules)})
