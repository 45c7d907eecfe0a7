"""The pages people open most issue the same number of SQL statements whatever the size of the round:
a list of 200 works costs the database as many round trips as a list of 20 (no query per row).
bench/scale.py measures the same pages at 2,500 and 25,000 works on PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from award.models import Entry, EntryAuthor, EntryPart, EntryStatus, EntryTheme, OutlineNode, Role, Unit
from award.themes import round_units
from judging.models import Assignment, Stage
from judging.stages import rubric_for
from tests.factories import api_login, make_user, round_by_number, web_login

NOW = datetime(2024, 11, 20, 3, 0, tzinfo=UTC)


class World:
    def __init__(self, session):
        self.session = session
        self.round = round_by_number(session, "IX")
        self.unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
        self.owner = make_user(session, role=Role.journalist, unit_code="ha-tinh")
        self.judge = make_user(session, role=Role.judge)
        self.rubric = [c for c in rubric_for(session, self.round, Stage.preliminary) if not c.bonus]
        codes = [u.code for u in round_units(session, self.round.id)]
        self.themes = session.exec(select(OutlineNode.id).where(OutlineNode.round_id == self.round.id,
                                                                 OutlineNode.code.in_(codes))).all()
        self.count = 0

    def add_entries(self, n: int) -> None:
        """Eligible works of one unit, each with two authors, two parts, a theme and a scored sheet."""
        s = self.session
        for _ in range(n):
            self.count += 1
            i = self.count
            entry = Entry(round_id=self.round.id, unit_id=self.unit_id, owner_id=self.owner.id, title=f"Tác phẩm {i}",
                          media_type="print", genre="phóng sự", status=EntryStatus.eligible, submitted_at=NOW)
            s.add(entry)
            s.flush()
            s.add_all([EntryAuthor(entry_id=entry.id, position=k, full_name=f"Tác giả {i}-{k}", name_key=f"tac gia {i}-{k}")
                       for k in range(2)])
            s.add_all([EntryPart(entry_id=entry.id, position=k, outlet="Báo Hà Tĩnh", published_on=date(2024, 3, 1))
                       for k in range(2)])
            s.add(EntryTheme(entry_id=entry.id, outline_node_id=self.themes[i % len(self.themes)], source="author",
                             confirmed_by=self.owner.id))
            s.add(Assignment(round_id=self.round.id, stage=Stage.preliminary, entry_id=entry.id, judge_id=self.judge.id,
                             scores={c.code: str(c.max_points) for c in self.rubric}, submitted_at=NOW))
        s.flush()


@pytest.fixture
def world(session):
    return World(session)


def count_queries(engine, client, session, url: str, headers: dict | None = None) -> int:
    client.get(url, headers=headers)  # warm: caches (rules, outline) are not what is counted
    # The test and its requests share one session: what the test loaded last must not save the request
    # a query (a unit already in the identity map made the count differ by one between sizes).
    session.expunge_all()
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url, headers=headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text[:300]
    return len(seen)


def page_counts(engine, client, session, world) -> dict[str, int]:
    rid = world.round.id
    secretariat = make_user(session, role=Role.secretariat)
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    bearer = api_login(client, secretariat)
    counts = {
        "entry list API": count_queries(engine, client, session,
                                        f"/api/v1/entries?round_id={rid}&status=eligible&per_page=100", bearer),
        "ranking API": count_queries(engine, client, session, f"/api/v1/rounds/{rid}/stages/preliminary/ranking", bearer),
        "coverage API": count_queries(engine, client, session, f"/api/v1/rounds/{rid}/coverage", bearer),
    }
    web_login(client, secretariat)
    counts["coverage page"] = count_queries(engine, client, session, f"/rounds/{rid}/coverage")
    web_login(client, manager)
    counts["entry list page"] = count_queries(engine, client, session, f"/unit/entries?round_id={rid}&status=eligible")
    web_login(client, world.judge)
    counts["judge's queue"] = count_queries(engine, client, session, "/judging")
    return counts


def test_page_query_counts_do_not_grow_with_the_number_of_entries(engine, client, session, clock, world):
    world.add_entries(20)
    small = page_counts(engine, client, session, world)
    world.add_entries(180)
    large = page_counts(engine, client, session, world)
    assert large == small
