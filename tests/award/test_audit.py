"""The hash-chained audit log: verification detects an edited or deleted row."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from award import audit

NOW = datetime(2024, 9, 20, 2, 0, tzinfo=UTC)


def _disable_guard(session):
    if session.get_bind().dialect.name == "postgresql":
        session.exec(sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
    else:
        session.exec(sa.text("DROP TRIGGER audit_event_no_update"))
        session.exec(sa.text("DROP TRIGGER audit_event_no_delete"))


def _three_events(session):
    events = [audit.record(session, actor_id=None, action="test.event", object_type="entry", object_id=i,
                           now=NOW + timedelta(minutes=i), data={"n": i, "tên": "Hà Tĩnh"}) for i in range(3)]
    session.commit()  # events are chained and written as their transaction commits
    return events


def _count(session):
    return session.exec(sa.text("SELECT count(*) FROM audit_event")).scalar()


def test_events_are_written_only_when_their_transaction_commits(session):
    before = _count(session)
    audit.record(session, actor_id=None, action="test.kept", object_type="entry", object_id=1, now=NOW)
    with session.begin_nested() as nested:  # a step that fails and is rolled back alone
        audit.record(session, actor_id=None, action="test.dropped", object_type="entry", object_id=2, now=NOW)
        nested.rollback()
    assert _count(session) == before  # nothing yet: chained at commit
    session.commit()
    actions = session.exec(sa.text("SELECT action FROM audit_event ORDER BY id DESC LIMIT 2")).scalars().all()
    assert _count(session) == before + 1 and actions[0] == "test.kept" and "test.dropped" not in actions
    audit.record(session, actor_id=None, action="test.rolled_back", object_type="entry", object_id=3, now=NOW)
    session.rollback()
    session.commit()
    assert _count(session) == before + 1 and audit.verify(session).ok


def test_chain_links_each_event_to_the_previous(session):
    events = _three_events(session)
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    result = audit.verify(session)
    assert result.ok is True
    assert result.events >= 3


def test_edited_row_is_detected(session):
    events = _three_events(session)
    _disable_guard(session)
    session.exec(sa.text("UPDATE audit_event SET object_id = '99' WHERE id = :i").bindparams(i=events[1].id))
    result = audit.verify(session)
    assert (result.ok, result.first_bad_id) == (False, events[1].id)


def test_deleted_row_is_detected(session):
    events = _three_events(session)
    _disable_guard(session)
    session.exec(sa.text("DELETE FROM audit_event WHERE id = :i").bindparams(i=events[1].id))
    result = audit.verify(session)
    assert (result.ok, result.first_bad_id) == (False, events[2].id)


def test_api_verify_reports_intact_chain(client, session):
    from award.models import Role
    from tests.factories import api_login, make_user

    _three_events(session)
    headers = api_login(client, make_user(session, role=Role.secretariat))
    body = client.get("/api/v1/audit/verify", headers=headers).json()
    assert body["ok"] is True and body["events"] >= 3
    journalist = api_login(client, make_user(session))
    assert client.get("/api/v1/audit/verify", headers=journalist).status_code == 403
