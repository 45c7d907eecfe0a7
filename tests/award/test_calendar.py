"""The round's phase from its calendar and the clock (award.calendar): every boundary, from any clock zone."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from award.calendar import (
    ACTIONS,
    CALENDAR_FIELDS,
    ENDS_ON,
    Phase,
    PhaseClosed,
    check_calendar,
    default_calendar,
    end_of_day,
    end_phase_early,
    phase,
    refusal,
    require_phase,
    start_of_day,
)
from award.models import Round

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ZONES = [UTC, VN, ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Tokyo"), timezone(timedelta(hours=-11))]


def make_round(**over) -> Round:
    values = dict(number="XI", year=2026, name="Lần thứ XI", publication_start=date(2025, 11, 1),
                  publication_end=date(2026, 10, 31), rules={}, ended_early={}, **default_calendar(2026))
    values.update(over)
    return Round(**values)


# (instant just before, instant at) each boundary, and the phase on each side of it
BOUNDARIES = [
    (start_of_day(date(2026, 2, 3)), Phase.draft, Phase.submission),
    (end_of_day(date(2026, 10, 10)), Phase.submission, Phase.local_judging),
    (end_of_day(date(2026, 11, 10)), Phase.local_judging, Phase.preliminary),
    (end_of_day(date(2026, 12, 5)), Phase.preliminary, Phase.final),
    (end_of_day(date(2027, 1, 20)), Phase.final, Phase.approval),
]


@pytest.mark.parametrize("boundary,before,after", BOUNDARIES)
@pytest.mark.parametrize("zone", ZONES, ids=str)
def test_phase_changes_exactly_at_each_boundary_in_vietnam_time(boundary, before, after, zone):
    round_ = make_round()
    tick = timedelta(microseconds=1)
    if before == Phase.draft:  # the first instant of the opening day is already submission
        assert phase(round_, (boundary - tick).astimezone(zone)) == Phase.draft
        assert phase(round_, boundary.astimezone(zone)) == Phase.submission
    else:  # the last instant of a deadline's day still belongs to the phase that ends on it
        assert phase(round_, boundary.astimezone(zone)) == before
        assert phase(round_, (boundary + tick).astimezone(zone)) == after


def test_the_last_second_of_the_local_deadline_from_any_server_zone():
    round_ = make_round()
    last = datetime(2026, 10, 10, 23, 59, 59, tzinfo=VN)
    for zone in ZONES:
        assert phase(round_, last.astimezone(zone)) == Phase.submission
        assert phase(round_, (last + timedelta(seconds=1)).astimezone(zone)) == Phase.local_judging


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=-400 * 24 * 3600, max_value=800 * 24 * 3600), zone=st.sampled_from(ZONES))
def test_phase_is_monotonic_in_time_and_independent_of_the_clocks_zone(offset, zone):
    round_ = make_round()
    now = datetime(2026, 1, 1, tzinfo=VN) + timedelta(seconds=offset)
    later = now + timedelta(hours=7)
    assert phase(round_, now) == phase(round_, now.astimezone(zone))
    order = list(Phase)
    assert order.index(phase(round_, now)) <= order.index(phase(round_, later))


def test_explicit_states_win_over_the_calendar():
    noon = datetime(2026, 5, 1, 12, tzinfo=VN)
    assert phase(make_round(), noon) == Phase.submission
    assert phase(make_round(draft=True), noon) == Phase.draft
    assert phase(make_round(closed_at=noon - timedelta(days=1)), noon) == Phase.closed
    published = make_round(results_published_at=datetime(2027, 2, 3, 8, tzinfo=VN))
    assert phase(published, datetime(2027, 2, 3, 7, 59, tzinfo=VN)) == Phase.approval
    assert phase(published, datetime(2027, 2, 3, 8, 0, tzinfo=VN)) == Phase.published  # embargo lifts


def test_ending_a_phase_early_ends_it_now_not_at_midnight():
    round_ = make_round()
    now = datetime(2026, 11, 20, 15, 30, tzinfo=VN)
    assert phase(round_, now) == Phase.preliminary
    assert end_phase_early(round_, now) == "preliminary_ends"
    assert round_.preliminary_ends == date(2026, 11, 20)
    assert phase(round_, now - timedelta(seconds=1)) == Phase.preliminary
    assert phase(round_, now + timedelta(seconds=1)) == Phase.final
    round_.preliminary_ends = date(2026, 11, 25)  # a later change of the date discards the early end
    assert phase(round_, now + timedelta(seconds=1)) == Phase.preliminary


def test_a_phase_without_a_date_cannot_be_ended_early():
    with pytest.raises(PhaseClosed):
        end_phase_early(make_round(), datetime(2027, 1, 25, tzinfo=VN))  # approval


def test_refusal_names_the_current_phase_and_the_actions_dates():
    round_ = make_round()
    now = datetime(2026, 12, 1, 9, tzinfo=VN)
    message = refusal(round_, now, "entry.submit")
    assert "Chấm sơ khảo" in message  # where the round is
    assert "03/02/2026 – 10/10/2026" in message  # when submitting is possible
    with pytest.raises(PhaseClosed) as refused:
        require_phase(round_, now, "entry.submit")
    assert refused.value.code == "phase_closed"
    assert refusal(round_, now, "preliminary.score") is None


def test_every_action_names_at_least_one_phase_and_every_dated_phase_has_an_action():
    assert all(a.phases for a in ACTIONS.values())
    used = {p for a in ACTIONS.values() for p in a.phases}
    assert set(ENDS_ON) <= used


def test_calendar_order_is_checked_date_by_date():
    values = default_calendar(2026)
    assert check_calendar(values) is None
    for earlier, later in zip(CALENDAR_FIELDS, CALENDAR_FIELDS[1:]):
        wrong = {**values, later: values[earlier] - timedelta(days=1)}
        field, message = check_calendar(wrong)
        assert field in (later, earlier) or field in CALENDAR_FIELDS
        assert "không được trước" in message
