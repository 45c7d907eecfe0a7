"""A round kept in preparation is seen only by the secretariat and the steering committee, on every page that
lists rounds as on the round's own page: a journalist's dashboard listed round XII in preparation, its link a
404 (award.rounds.visible_rounds)."""

import re
from datetime import UTC, datetime

import pytest

from award import calendar, rounds
from award.models import Role
from tests.factories import make_user, web_login

LISTS = {  # role -> the pages of theirs that list rounds
    None: ["/"],
    Role.journalist: ["/", "/dashboard"],
    Role.unit_manager: ["/", "/dashboard", "/unit/contest", "/unit/entries"],
    Role.local_judge: ["/", "/dashboard"],
    Role.judge: ["/", "/dashboard"],
    Role.secretariat: ["/", "/dashboard"],
    Role.approver: ["/", "/dashboard"],
}


@pytest.mark.parametrize("role", list(LISTS), ids=lambda r: str(r))
def test_every_list_of_rounds_shows_a_round_in_preparation_only_to_those_who_may_open_it(client, session, clock, role):
    secretariat = make_user(session, role=Role.secretariat, email="bithu-xii@bualiemvang.vn")
    draft = rounds.create_round(session, number="XII", year=2027, name=None, calendar=calendar.default_calendar(2027),
                                actor_id=secretariat.id, now=datetime(2026, 11, 30, tzinfo=UTC))
    session.commit()
    may_see = role in (Role.secretariat, Role.approver)
    if role is not None:
        web_login(client, make_user(session, role=role))
    for url in LISTS[role]:
        page = client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        assert ("lần thứ XII" in page.text or "Lần thứ XII" in page.text) is may_see, url
        for link in sorted(set(re.findall(r'href="(?:http://testserver)?(/rounds/\d+)"', page.text))):
            assert client.get(link).status_code == 200, (url, link)  # every round it links to opens
    assert (client.get(f"/rounds/{draft.id}").status_code == 200) is may_see
