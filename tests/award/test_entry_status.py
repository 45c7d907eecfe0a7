"""The entry lifecycle table (award.entry_status): every pair of states is either an allowed move or 409
`invalid_transition`, and a move writes the status, the version and one audit event."""

import itertools

import pytest
from sqlmodel import select

from award import entry_status
from award.entry_status import TRANSITIONS, InvalidTransition
from award.models import AuditEvent, Entry, EntryStatus
from tests.factories import make_entry, make_user

PAIRS = list(itertools.product(EntryStatus, EntryStatus))


def test_every_pair_of_states_is_allowed_by_the_table_or_refused(session, clock):
    """All 169 pairs in one test (each inside a savepoint rolled back afterwards): one author and one actor."""
    actor = make_user(session)
    entry = make_entry(session, status=EntryStatus.draft)
    session.commit()
    for old, new in PAIRS:
        savepoint = session.begin_nested()
        entry.status, version = old, entry.version
        session.add(entry)
        session.flush()
        if (old, new) in TRANSITIONS:
            entry_status.apply(session, entry=entry, to=new, actor=actor, now=clock.now)
            session.flush()
            assert session.get(Entry, entry.id).status == new, (old, new)
            assert entry.version == version + 1
        else:
            with pytest.raises(InvalidTransition) as refused:
                entry_status.apply(session, entry=entry, to=new, actor=actor, now=clock.now)
            assert refused.value.code == "invalid_transition"
            assert "không thể chuyển" in refused.value.message
            assert session.get(Entry, entry.id).status == old and entry.version == version, (old, new)
        savepoint.rollback()


def test_a_move_writes_one_audit_event_with_both_states(session, clock):
    actor = make_user(session)
    entry = make_entry(session, status=EntryStatus.submitted)
    entry_status.apply(session, entry=entry, to=EntryStatus.screened, actor=actor, now=clock.now, data={"x": 1})
    session.commit()  # audit events are chained as the transaction commits
    events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "entry",
                                                   AuditEvent.object_id == str(entry.id))).all()
    assert [(e.action, e.data) for e in events] == [("entry.status", {"from": "submitted", "to": "screened", "x": 1})]


def test_the_lifecycle_reaches_every_state_from_a_draft():
    reached, frontier = {EntryStatus.draft}, [EntryStatus.draft]
    while frontier:
        state = frontier.pop()
        for (a, b) in TRANSITIONS:
            if a == state and b not in reached:
                reached.add(b)
                frontier.append(b)
    assert reached == set(EntryStatus)


def test_ends_are_final_and_nothing_goes_back_to_draft():
    assert not [pair for pair in TRANSITIONS if pair[0] == EntryStatus.withdrawn]
    assert not [pair for pair in TRANSITIONS if pair[1] == EntryStatus.draft]


def test_only_the_lifecycle_module_writes_an_entry_status():
    """One grep finds the rule: no other module assigns Entry.status (the forwarding batch moves many at once
    with a guarded UPDATE after checking each move against the table)."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    writers = set()
    for path in itertools.chain(*(root.joinpath(d).rglob("*.py") for d in ("award", "judging", "api"))):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bentry\.status\s*=[^=]|\.values\(status=EntryStatus", text):
            writers.add(path.relative_to(root).as_posix())
    assert writers == {"award/entry_status.py", "judging/contests.py"}
