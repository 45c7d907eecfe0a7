"""Row locks that make check-then-write sequences safe when several app processes share one PostgreSQL.

On PostgreSQL these are `SELECT … FOR UPDATE` / `FOR SHARE`, held until the request's transaction ends;
a statement run after taking the lock sees every transaction committed before it (READ COMMITTED).
On SQLite `FOR UPDATE` compiles to nothing: a read-write transaction already holds the database's write
lock from `BEGIN IMMEDIATE` (api/db.py), which serialises writers anyway.
"""

from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from award.models import Round

Row = TypeVar("Row", bound=SQLModel)


def lock_round(session: Session, round_id: int, *, shared: bool = False) -> None:
    """The round's row: `shared` for a change within the final stage (a ballot, a finalist moved), exclusive
    for a decision over all of it (the list proposed, approved, returned or published). A decision therefore
    waits for the changes already under way and sees them; a change that comes later waits for the decision
    and then sees it."""
    session.exec(select(Round.id).where(Round.id == round_id).with_for_update(read=shared)).one()


def relock(session: Session, row: Row) -> Row | None:
    """Read `row` again under an exclusive row lock, refreshing the object the session already holds
    (None when another transaction deleted it meanwhile)."""
    model = type(row)
    key = model.__table__.primary_key.columns.values()[0]
    return session.exec(select(model).where(key == getattr(row, key.name)).with_for_update()
                        .execution_options(populate_existing=True)).first()
