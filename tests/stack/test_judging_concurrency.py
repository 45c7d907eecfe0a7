"""Scoring and the council's vote hold when two app processes serve the same judges at the same moment
(both on the engine under test; on PostgreSQL this is the production shape).

Every race below is started with a barrier, one request through each process: the same pair assigned
twice, the same score sheet submitted twice (or autosaved while it is submitted), the same member's
ballot cast twice, a ballot racing the proposal of the list. What must hold is read back from the rows.

A process's clock is pinned (AWARD_NOW, 1 December 2024), so each test first sets round IX's calendar so that
the instant falls in the phase of what it races (`in_phase`): sheets in the preliminary judging, ballots in
the final, proposals in the approval. A ballot racing the proposal needs both at once: a third process whose
clock is past the final (25 January 2025) proposes while the two others still take ballots, as two servers
would at the instant the final ends.
"""

import json
import os
import threading
from decimal import ROUND_HALF_UP, Decimal

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from award.models import Role
from judging.models import JudgeMembership, Stage
from tests.factories import IX_PHASE_AT, PASSWORD, make_entry, make_user, round_by_number
from tests.support.databases import fresh_database_url
from tests.support.liveserver import run_cli, start_server, stop_server

JUDGES = 5
WORKS = 4
MEMBERS = 5
FINALISTS = 3
RUBRIC = ("content", "discovery", "form", "effect", "hardship")
NOW = "2024-12-01T09:00:00+07:00"
# Round IX's calendar ends that put NOW in each phase (the other dates stay as shipped).
PHASE_CALENDAR = {
    "preliminary": {"preliminary_ends": "2024-12-05", "final_ends": "2025-01-20"},
    "final": {"preliminary_ends": "2024-11-30", "final_ends": "2025-01-20"},
    "approval": {"preliminary_ends": "2024-11-30", "final_ends": "2024-11-30"},
}


@pytest.fixture(scope="module")
def stack(tmp_root):
    """Two `award serve` processes on one fresh database, with round IX's judges, works and council."""
    url = fresh_database_url(tmp_root, "judging_conc")
    env = {**os.environ, "AWARD_ENV": "test", "AWARD_DATA_DIR": str(tmp_root / "judging-conc-data"),
           "AWARD_DATABASE_URL": url, "AWARD_NOW": NOW}
    run_cli(env, "migrate", timeout=120)
    engine = sa.create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        round_ = round_by_number(session, "IX")
        people = {
            "secretariat": make_user(session, role=Role.secretariat, email="bithu@conc.vn"),
            "approver": make_user(session, role=Role.approver, email="bcd@conc.vn"),
            "judges": [make_user(session, role=Role.judge, email=f"gk{i}@conc.vn", full_name=f"Giám Khảo {i}",
                                 outlet=f"Báo Giám Khảo {i}") for i in range(JUDGES)],
            "members": [make_user(session, role=Role.judge, email=f"hd{i}@conc.vn", full_name=f"Hội Đồng {i}",
                                  outlet=f"Báo Hội Đồng {i}") for i in range(MEMBERS)],
        }
        # made under hardship: their sheets carry the hardship bonus (a work without it takes none)
        works = [make_entry(session, status="eligible", title=f"Sơ khảo {i}", hardship=True).id for i in range(WORKS)]
        finalists = [make_entry(session, status="finalist", title=f"Chung khảo {i}").id for i in range(FINALISTS)]
        for member in people["members"]:
            session.add(JudgeMembership(round_id=round_.id, user_id=member.id, stage=Stage.final))
        session.commit()
    procs, bases = [], []
    for i in range(2):
        proc, base = start_server(env, tmp_root / f"judging-conc-{i}.log")
        procs.append(proc)
        bases.append(base)
    later, after_final = start_server({**env, "AWARD_NOW": IX_PHASE_AT["approval"]}, tmp_root / "judging-conc-later.log")
    procs.append(later)
    tokens = {}

    def headers(user, via=None):
        """A token from `via` (the first process by default): a token is valid on that process's clock."""
        via = via or bases[0]
        if (user.email, via) not in tokens:
            answer = httpx.post(f"{via}/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
            tokens[user.email, via] = {"Authorization": "Bearer " + answer.json()["access_token"]}
        return tokens[user.email, via]

    yield {"bases": bases, "after_final": after_final, "engine": engine, "round_id": round_.id, "people": people,
           "works": works, "finalists": finalists, "headers": headers}
    for proc in procs:
        stop_server(proc)
    engine.dispose()


def in_phase(stack, name):
    """Set round IX's calendar (as the secretariat would) so that the pinned instant falls in phase `name`."""
    answer = httpx.patch(f"{stack['bases'][0]}/api/v1/rounds/{stack['round_id']}",
                         headers=stack["headers"](stack["people"]["secretariat"]),
                         json={"calendar": PHASE_CALENDAR[name]})
    assert answer.status_code == 200, answer.text
    assert httpx.get(f"{stack['bases'][1]}/api/v1/rounds/{stack['round_id']}").json()["phase"] == name


def race(*calls):
    """Run the calls in threads released together; their answers in the order given."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def rows(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def sheet(judge_no: int, work_no: int, variant: int) -> dict:
    """Complete, different for every judge, work and variant."""
    return {"content": 20 + (judge_no + variant) % 10, "discovery": 15 + (work_no + variant) % 10,
            "form": 10 + (judge_no * work_no + variant) % 15, "effect": 10 + variant, "hardship": (judge_no + work_no) % 6}


def test_one_sheet_per_judge_work_and_stage_when_assigned_twice_at_once(stack):
    (a, b), engine, round_id = stack["bases"], stack["engine"], stack["round_id"]
    in_phase(stack, "preliminary")
    secretariat = stack["headers"](stack["people"]["secretariat"])
    url = f"/api/v1/rounds/{round_id}/stages/preliminary/assignments"
    for judge in stack["people"]["judges"]:
        for entry_id in stack["works"]:
            body = {"entry_id": entry_id, "judge_id": judge.id}
            answers = race(lambda: httpx.post(a + url, headers=secretariat, json=body, timeout=60),
                           lambda: httpx.post(b + url, headers=secretariat, json=body, timeout=60))
            assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
            refused = next(r for r in answers if r.status_code == 409)
            assert refused.json()["detail"]["code"] == "already_assigned"
    counts = rows(engine, "SELECT stage, entry_id, judge_id, count(*) FROM assignment GROUP BY stage, entry_id, judge_id")
    assert len(counts) == JUDGES * WORKS and {c[3] for c in counts} == {1}
    # one "you were assigned" mail per assignment made, none for the refused twin
    mails = rows(engine, "SELECT recipient FROM outbox WHERE kind = 'judge_assigned'")
    assert sorted(m[0] for m in mails) == sorted(j.email for j in stack["people"]["judges"] for _ in range(WORKS))


def test_double_submitted_and_autosaved_sheets_lose_nothing(stack):
    (a, b), engine = stack["bases"], stack["engine"]
    in_phase(stack, "preliminary")
    judges = stack["people"]["judges"]
    calls, plans = [], []
    for judge_no, judge in enumerate(judges):
        headers = stack["headers"](judge)
        mine = {s["entry_id"]: s["id"] for s in httpx.get(f"{a}/api/v1/judging/assignments", headers=headers).json()}
        for work_no, entry_id in enumerate(stack["works"]):
            url = f"/api/v1/judging/assignments/{mine[entry_id]}/score"
            first, second = sheet(judge_no, work_no, 0), sheet(judge_no, work_no, 1)
            if (judge_no + work_no) % 2:  # the same sheet submitted twice, from two tabs, with different marks
                bodies = [{"scores": first, "submit": True}, {"scores": second, "submit": True}]
            else:  # an autosave of an older, incomplete draft lands while the sheet is submitted
                bodies = [{"scores": first, "submit": True},
                          {"scores": {"content": 1}, "comment": "nháp cũ", "submit": False}]
            plans.append((mine[entry_id], bodies))
            for base, body in zip((a, b), bodies):
                calls.append(lambda base=base, url=url, body=body, headers=headers:
                             httpx.put(base + url, headers=headers, json=body, timeout=120))
    answers = race(*calls)  # every judge, every work, both processes: all at once
    assert all(r.status_code in (200, 409) for r in answers), [r.text for r in answers if r.status_code >= 500]
    stored = {r[0]: r for r in rows(engine, "SELECT id, scores, submitted_at, comment, entry_id FROM assignment")}
    for (assignment_id, bodies), pair in zip(plans, zip(answers[::2], answers[1::2])):
        row = stored[assignment_id]
        scores = row[1] if isinstance(row[1], dict) else json.loads(row[1])
        assert row[2] is not None, "every sheet ends submitted"
        assert set(scores) == set(RUBRIC), f"a submitted sheet holds its complete marks, not a draft: {scores}"
        submitted = [(body, r) for body, r in zip(bodies, pair) if r.status_code == 200 and body["submit"]]
        assert len(submitted) == 1, [r.text for r in pair]  # one submission wins; the other is refused
        body, answer = submitted[0]
        assert {k: Decimal(v) for k, v in scores.items()} == {k: Decimal(v) for k, v in body["scores"].items()}
        assert answer.json()["scores"] == scores
        late = [r for r in pair if r.status_code == 409]
        assert all(r.json()["detail"]["code"] == "already_submitted" for r in late)
    events = rows(engine, "SELECT object_id, count(*) FROM audit_event WHERE action = 'judging.sheet_submitted' "
                          "GROUP BY object_id")
    assert len(events) == JUDGES * WORKS and {n for _, n in events} == {1}

    # every work's aggregate (judging.entry_scores, kept by each submission) counts all its sheets: the
    # submissions on one work, racing through two processes, were serialised and none was missed
    aggregates = rows(engine, "SELECT entry_id, n_sheets, totals FROM entry_score WHERE stage = 'preliminary'")
    assert sorted((e, n) for e, n, _ in aggregates) == [(e, JUDGES) for e in sorted(stack["works"])]

    # the ranking, through either process, is the mean of the stored sheets
    secretariat = stack["headers"](stack["people"]["secretariat"])
    totals: dict[int, list[Decimal]] = {}
    for _, scores, _, _, entry_id in stored.values():
        scores = scores if isinstance(scores, dict) else json.loads(scores)
        totals.setdefault(entry_id, []).append(sum(Decimal(v) for v in scores.values()))
    for base in (a, b):
        ranking = httpx.get(f"{base}/api/v1/rounds/{stack['round_id']}/stages/preliminary/ranking?method=mean",
                            headers=secretariat).json()
        assert {r["entry_id"]: (Decimal(str(r["score"])), r["n_scores"]) for r in ranking} == {
            e: ((sum(t) / len(t)).quantize(Decimal("0.01"), ROUND_HALF_UP), JUDGES) for e, t in totals.items()}
        scores_in_order = [Decimal(str(r["score"])) for r in sorted(ranking, key=lambda r: r["rank"])]
        assert scores_in_order == sorted(scores_in_order, reverse=True)


def test_one_ballot_per_member_and_work_when_cast_through_both_processes(stack):
    (a, b), engine, round_id = stack["bases"], stack["engine"], stack["round_id"]
    in_phase(stack, "final")
    calls = []
    for member in stack["people"]["members"]:
        headers = stack["headers"](member)
        for entry_id in stack["finalists"]:
            url = f"/api/v1/rounds/{round_id}/ballots/{entry_id}"
            calls += [lambda url=url, headers=headers: httpx.put(a + url, headers=headers, json={"level": "B"}, timeout=120),
                      lambda url=url, headers=headers: httpx.put(b + url, headers=headers, json={"level": "C"}, timeout=120)]
    answers = race(*calls)  # each member's first ballot, twice at once, on every finalist
    assert [r.status_code for r in answers] == [200] * len(calls), [r.text for r in answers if r.status_code != 200]
    ballots = rows(engine, "SELECT judge_id, entry_id, level FROM ballot")
    assert len(ballots) == MEMBERS * FINALISTS
    assert len({(j, e) for j, e, _ in ballots}) == MEMBERS * FINALISTS
    assert {level for _, _, level in ballots} <= {"B", "C"}
    # the tally counts exactly the stored ballots
    tally = httpx.get(f"{b}/api/v1/rounds/{round_id}/tally", headers=stack["headers"](stack["people"]["secretariat"])).json()
    for work in tally["works"]:
        stored = [level for _, e, level in ballots if e == work["entry_id"]]
        assert work["cast"] == len(stored) == MEMBERS
        assert {k: v for k, v in work["counts"].items() if v} == {lv: stored.count(lv) for lv in set(stored)}


def test_a_ballot_racing_the_proposal_is_counted_or_refused(stack):
    (a, b), engine, round_id = stack["bases"], stack["engine"], stack["round_id"]
    in_phase(stack, "final")  # for a and b; the list is proposed and returned through the process past the final
    later = stack["after_final"]
    assert httpx.get(f"{later}/api/v1/rounds/{round_id}").json()["phase"] == "approval"
    secretariat = stack["headers"](stack["people"]["secretariat"], via=later)
    approver = stack["headers"](stack["people"]["approver"], via=later)
    members = stack["people"]["members"]
    for member in members:  # every member: B on every finalist (a clear majority, whatever changes below)
        for entry_id in stack["finalists"]:
            assert httpx.put(f"{a}/api/v1/rounds/{round_id}/ballots/{entry_id}", headers=stack["headers"](member),
                             json={"level": "B"}).status_code == 200
    late_member, contested = members[0], stack["finalists"][0]
    outcomes = set()
    for attempt in range(8):
        level = ("A", "C", "KK", "none")[attempt % 4]
        [(before,)] = rows(engine, "SELECT level FROM ballot WHERE judge_id = :j AND entry_id = :e",
                           j=late_member.id, e=contested)
        ballot, proposal = race(
            lambda: httpx.put(f"{b}/api/v1/rounds/{round_id}/ballots/{contested}",
                              headers=stack["headers"](late_member), json={"level": level}, timeout=60),
            lambda: httpx.post(f"{later}/api/v1/rounds/{round_id}/results/propose", headers=secretariat, json={},
                               timeout=60))
        assert proposal.status_code == 200, proposal.text
        assert ballot.status_code in (200, 409), ballot.text
        [(stored,)] = rows(engine, "SELECT level FROM ballot WHERE judge_id = :j AND entry_id = :e",
                           j=late_member.id, e=contested)
        if ballot.status_code == 409:
            assert ballot.json()["detail"]["code"] == "stage_closed"
            assert stored == before, "a refused ballot changes nothing"
        else:
            assert stored == level
        outcomes.add(ballot.status_code)
        # the proposal's tally is the ballots as they stand: a ballot is in it or was refused, never lost
        [(snapshot,)] = rows(engine, "SELECT tally FROM result_list WHERE round_id = :r", r=round_id)
        snapshot = snapshot if isinstance(snapshot, dict) else json.loads(snapshot)
        ballots = rows(engine, "SELECT entry_id, level FROM ballot WHERE round_id = :r", r=round_id)
        for work in snapshot["works"]:
            levels = [lv for e, lv in ballots if e == work["entry_id"]]
            assert {k: v for k, v in work["counts"].items() if v} == {lv: levels.count(lv) for lv in set(levels)}, \
                (attempt, ballot.status_code)
        # after the proposal, ballots are refused until the list is sent back
        late = httpx.put(f"{a}/api/v1/rounds/{round_id}/ballots/{contested}", headers=stack["headers"](late_member),
                         json={"level": "KK"})
        assert late.status_code == 409 and late.json()["detail"]["code"] == "stage_closed"
        assert httpx.post(f"{later}/api/v1/rounds/{round_id}/results/return", headers=approver,
                          json={"note": f"Hội đồng xem lại lần {attempt + 1}"}).status_code == 200
    assert outcomes  # which of the two won each race is up to the scheduler


def test_the_same_list_proposed_twice_at_once_is_proposed_once(stack):
    (a, b), engine, round_id = stack["bases"], stack["engine"], stack["round_id"]
    in_phase(stack, "approval")
    secretariat = stack["headers"](stack["people"]["secretariat"])
    answers = race(*(lambda base=base: httpx.post(f"{base}/api/v1/rounds/{round_id}/results/propose",
                                                  headers=secretariat, json={}, timeout=60) for base in (a, b)))
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    assert next(r for r in answers if r.status_code == 409).json()["detail"]["code"] == "already_proposed"
    assert rows(engine, "SELECT count(*) FROM audit_event WHERE action = 'results.proposed'")[0][0] == \
        1 + rows(engine, "SELECT count(*) FROM audit_event WHERE action = 'results.returned'")[0][0]
