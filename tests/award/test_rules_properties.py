"""Property-based checks of the rules engine: the publication window, the limits on parts and authors,
the local deadline (end of day, Vietnam time) and the forwarding quota."""

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import select

from award.entries import AuthorIn, EntryIn, PartIn, accepts_entries, check_entry, local_deadline_at
from award.errors import Conflict, Invalid
from award.models import Role, Unit
from award.rules import RoundRules
from judging import contests
from judging.models import LocalContest
from tests.factories import make_entry, make_user, round_by_number

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIXTURES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def entry_in(session, parts, authors=1):
    unit_id = session.exec(select(Unit.id).where(Unit.code == "ha-tinh")).one()
    return EntryIn(unit_id=unit_id, title="Tác phẩm thử", media_type="print", genre="phóng sự",
                   authors=[AuthorIn(f"Tác Giả {i}") for i in range(authors)],
                   parts=[PartIn("Báo Hà Tĩnh", d) for d in parts])


@FIXTURES
@given(offset=st.integers(min_value=-400, max_value=800))
def test_a_part_is_accepted_exactly_inside_the_publication_window(session, offset):
    round_ = round_by_number(session, "IX")
    day = round_.publication_start + timedelta(days=offset)
    inside = round_.publication_start <= day <= round_.publication_end
    try:
        check_entry(session, round_=round_, data=entry_in(session, [day]))
        accepted = True
    except Invalid as exc:
        assert (exc.field, exc.code) == ("parts.0.published_on", "outside_publication_window")
        accepted = False
    assert accepted == inside


@FIXTURES
@given(parts=st.integers(min_value=1, max_value=12), authors=st.integers(min_value=1, max_value=12))
def test_parts_and_authors_are_limited_by_the_rounds_rules(session, parts, authors):
    round_ = round_by_number(session, "IX")
    rules = RoundRules.model_validate(round_.rules)
    day = round_.publication_start + timedelta(days=10)
    try:
        check_entry(session, round_=round_, data=entry_in(session, [day] * parts, authors))
        refused = None
    except Invalid as exc:
        refused = exc.code
    if authors > rules.max_authors_local:
        assert refused == "too_many_authors"
    elif parts > rules.max_parts:
        assert refused == "too_many_parts"
    else:
        assert refused is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60),
       zone=st.sampled_from([timezone.utc, VN, ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Tokyo")]))
def test_the_local_deadline_is_the_end_of_its_day_in_vietnam_whatever_the_clocks_zone(session, minutes, zone):
    round_ = round_by_number(session, "IX")
    end_of_day = datetime.combine(round_.local_deadline, time(23, 59, 59, 999999), VN)
    now = (end_of_day + timedelta(minutes=minutes)).astimezone(zone)
    assert local_deadline_at(round_) == end_of_day
    assert accepts_entries(round_, now) == (minutes <= 0)


SUBMISSION = datetime(2024, 9, 20, 9, tzinfo=VN)  # round IX takes entries and forwards then


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quota=st.integers(min_value=0, max_value=6), batches=st.lists(st.integers(min_value=1, max_value=4),
                                                                      min_size=1, max_size=5))
def test_forwarding_never_passes_the_quota_and_refuses_whole_batches(session, quota, batches):
    """Each example runs inside a savepoint that is rolled back, so examples do not see each other."""
    nested = session.begin_nested()
    try:
        round_ = round_by_number(session, "IX")
        unit = session.exec(select(Unit).where(Unit.code == "ha-tinh")).one()
        manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
        contests.set_quota(session, round_=round_, unit=unit, quota=quota, actor=manager, now=SUBMISSION)
        used = 0
        for size in batches:
            works = [make_entry(session, status="screened") for _ in range(size)]
            try:
                contests.forward(session, round_=round_, unit=unit, entry_ids=[w.id for w in works], actor=manager,
                                 now=SUBMISSION)
                assert used + size <= quota
                used += size
            except Conflict as exc:
                assert exc.code == "quota_exceeded" and used + size > quota
                assert all(session.get(type(w), w.id).status == "screened" for w in works)
            contest = session.exec(select(LocalContest).where(LocalContest.round_id == round_.id,
                                                              LocalContest.unit_id == unit.id)).one()
            assert contest.forwarded == used <= quota
    finally:
        nested.rollback()
