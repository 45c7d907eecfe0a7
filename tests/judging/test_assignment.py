"""judging.assignment: conflicts of interest and the greedy, load-balancing proposal."""

import random
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from judging.assignment import (
    AssignmentConflict,
    Conflict,
    EntryInfo,
    JudgeInfo,
    Plan,
    Proposed,
    Unassignable,
    check_assignment,
    conflict_reason,
    outlet_key,
    propose,
)


def judge(id, unit_id=None, outlet=None, email=None, name_key="", capacity=None):
    return JudgeInfo(id, unit_id, outlet, email or f"gk{id}@example.vn", name_key, capacity)


def entry(id, unit_id=None, outlets=(), emails=(), names=(), load=1.0):
    return EntryInfo(id, unit_id, frozenset(outlets), frozenset(emails), frozenset(names), load)


# ---------------------------------------------------------------------------------------------------
# Outlet keys and conflicts


@pytest.mark.parametrize(("text", "key"), [
    ("Báo  Tuổi Trẻ (TP.HCM)", "bao tuoi tre tp hcm"),
    ("ĐÀI TRUYỀN HÌNH Việt Nam", "dai truyen hinh viet nam"),
    ("Tạp chí Cộng sản", "tap chi cong san"),
    ("VnExpress.net", "vnexpress net"),
    ("  Báo Nhân Dân  ", "bao nhan dan"),
    ("Nhân Dân", "nhan dan"),  # no prefix stripping: a different outlet from "Báo Nhân Dân"
    ("", ""),
    (None, ""),
    ("—", ""),
])
def test_outlet_key(text, key):
    assert outlet_key(text) == key
    assert outlet_key(key) == key


@given(st.text(max_size=40))
@settings(max_examples=100, deadline=None)
def test_outlet_key_is_idempotent(text):
    assert outlet_key(outlet_key(text)) == outlet_key(text)


def test_each_conflict_reason():
    work = entry(7, unit_id=3, outlets={"bao nghe an"}, emails={"Tac.Gia@Example.vn"},
                 names={"nguyen van an"})
    assert conflict_reason(judge(1, email="tac.gia@example.VN "), work) == "Giám khảo là tác giả"
    assert conflict_reason(judge(1, name_key="Nguyễn Văn An"), work) == "Giám khảo là tác giả"
    assert conflict_reason(judge(1, unit_id=3), work) == "Cùng đơn vị"
    assert conflict_reason(judge(1, outlet="Báo Nghệ An"), work) == "Cùng cơ quan báo chí"
    assert conflict_reason(judge(1), work, {(1, 7)}) == "Đã khai báo xung đột lợi ích"
    assert conflict_reason(judge(1), work, [Conflict(1, 7, "họ hàng")]) == "Đã khai báo xung đột lợi ích"
    # no conflict: other unit, other outlet, central judge (no unit), declared for another entry
    assert conflict_reason(judge(1, unit_id=4, outlet="Nghệ An"), work, {(1, 8), (2, 7)}) is None
    assert conflict_reason(judge(1, unit_id=None), entry(7, unit_id=None)) is None
    assert conflict_reason(judge(1, outlet=""), entry(7, outlets={""})) is None
    # the author reason comes first when several apply
    assert conflict_reason(judge(1, unit_id=3, name_key="nguyen van an"), work, {(1, 7)}) == "Giám khảo là tác giả"


def test_check_assignment_raises_with_the_reason():
    check_assignment(judge(1, unit_id=1), entry(2, unit_id=2))
    with pytest.raises(AssignmentConflict) as err:
        check_assignment(judge(1, unit_id=1), entry(2, unit_id=1))
    assert err.value.reason_vi == "Cùng đơn vị" == str(err.value)


# ---------------------------------------------------------------------------------------------------
# propose: hand-computed plans


# judge 1: unit 10; judge 2: unit 20; judge 3: central, from Báo Nhân Dân.
# entry 101 (unit 10, load 2.0) → eligible 2, 3; entry 102 (unit 20, load 1.0) → 1, 3;
# entry 103 (unit 30, Nhân Dân, load 1.5) → 1, 2; entry 104 (unit 30, load 1.0) → 1, 2, 3.
# Order: two eligible first, heavier first: 101, 103, 102; then 104.
#   101 → judges 2, 3          loads 1: 0    2: 2    3: 2
#   103 → judges 1, 2          loads 1: 1.5  2: 3.5  3: 2
#   102 → judges 1, 3          loads 1: 2.5  2: 3.5  3: 3
#   104 → least loaded 1, 3    loads 1: 3.5  2: 3.5  3: 4
JUDGES = [judge(1, unit_id=10), judge(2, unit_id=20), judge(3, outlet="Báo Nhân Dân")]
ENTRIES = [entry(101, 10, load=2.0), entry(102, 20, load=1.0),
           entry(103, 30, outlets={"bao nhan dan"}, load=1.5), entry(104, 30, load=1.0)]


def test_propose_hand_computed():
    assert propose(ENTRIES, JUDGES, 2) == Plan(
        assignments=[Proposed(101, 2), Proposed(101, 3), Proposed(103, 1), Proposed(103, 2),
                     Proposed(102, 1), Proposed(102, 3), Proposed(104, 1), Proposed(104, 3)],
        unassignable=[],
        load_by_judge={1: 3.5, 2: 3.5, 3: 4.0},
    )


def test_propose_reports_entries_short_of_judges():
    plan = propose(ENTRIES, JUDGES, 3)
    assert plan.unassignable == [
        Unassignable(101, "Chỉ có 2/3 giám khảo không xung đột lợi ích", 2),
        Unassignable(102, "Chỉ có 2/3 giám khảo không xung đột lợi ích", 2),
        Unassignable(103, "Chỉ có 2/3 giám khảo không xung đột lợi ích", 2),
    ]
    assert Counter(p.entry_id for p in plan.assignments) == {101: 2, 102: 2, 103: 2, 104: 3}
    plan = propose([entry(1, unit_id=10)], JUDGES, 3, declared={(2, 1)})
    assert plan.unassignable == [Unassignable(1, "Chỉ có 1/3 giám khảo không xung đột lợi ích", 1)]
    assert plan.assignments == [Proposed(1, 3)]


def test_propose_respects_capacity_and_says_so():
    judges = [judge(1, capacity=1), judge(2, capacity=0), judge(3)]
    plan = propose([entry(1), entry(2)], judges, 2)
    # entry 1 → judges 1, 3 (both empty, lower ids); entry 2 → only judge 3 has room
    assert plan.assignments == [Proposed(1, 1), Proposed(1, 3), Proposed(2, 3)]
    assert plan.unassignable == [Unassignable(
        2, "Chỉ phân công được 1/2 giám khảo: các giám khảo không xung đột lợi ích còn lại "
           "đã đủ số bài tối đa", 1)]
    assert plan.load_by_judge == {1: 1.0, 2: 0.0, 3: 2.0}


def test_existing_assignments_count_toward_k_load_and_capacity():
    judges = [judge(1), judge(2), judge(3, capacity=2)]
    existing = [Proposed(1, 1), Proposed(1, 1), Proposed(99, 3)]  # duplicate ignored; 99 unknown → 1.0
    plan = propose([entry(1, load=3.0), entry(2, load=1.0)], judges, 2, existing=existing)
    # start: loads 1: 3, 2: 0, 3: 1 (count 1 of 2). Entry 1 (1 eligible left: 2, 3 → 2) needs 1 more,
    # entry 2 has 3 eligible. Entry 1 → judge 2 (load 0) → 2: 3. Entry 2 → judges 3 (1), then 1 (3) vs
    # 2 (3): equal load, equal count → lower id 1.
    assert plan.assignments == [Proposed(1, 2), Proposed(2, 3), Proposed(2, 1)]
    assert plan.load_by_judge == {1: 4.0, 2: 3.0, 3: 2.0}
    assert plan.unassignable == []


def test_tie_on_load_goes_to_fewer_assignments_then_lower_id():
    judges = [judge(1), judge(2), judge(3)]
    existing = [Proposed(10, 1), Proposed(10, 2)]  # judges 1 and 2: load 1.0 each, 1 assignment
    entries = [entry(10, load=1.0), entry(11, load=0.5), entry(12, load=0.5), entry(13, load=0.0)]
    plan = propose(entries, judges, 1, existing=existing)
    # 11 → 3 (load 0); 12 → 3 (0.5 < 1.0); 13 (load 0) → judges 1, 2 at 1.0 with 1 assignment,
    # 3 at 1.0 with 2 → judge 1
    assert plan.assignments == [Proposed(11, 3), Proposed(12, 3), Proposed(13, 1)]


def test_propose_refuses_bad_input():
    with pytest.raises(ValueError):
        propose([entry(1)], [judge(1), judge(1)], 1)
    with pytest.raises(ValueError):
        propose([entry(1), entry(1)], [judge(1)], 1)
    with pytest.raises(ValueError):
        propose([entry(1)], [judge(1)], -1)
    assert propose([entry(1)], [judge(1)], 0) == Plan([], [], {1: 0.0})


# ---------------------------------------------------------------------------------------------------
# propose: properties

OUTLETS = ["Báo Nhân Dân", "Báo Nghệ An", "Đài PT-TH Hà Tĩnh", None]
NAMES = ["nguyen van an", "tran thi binh", "le van cuong", ""]
LOADS = [0.5, 1.0, 1.0, 1.3, 2.0, 3.7]


@st.composite
def problems(draw, conflicts=True, capacities=True):
    n_judges = draw(st.integers(1, 8))
    judges = []
    for i in range(1, n_judges + 1):
        judges.append(JudgeInfo(
            id=i * 3,  # ids not contiguous
            unit_id=draw(st.sampled_from([None, 1, 2, 3])) if conflicts else None,
            outlet=draw(st.sampled_from(OUTLETS)) if conflicts else None,
            email=f"gk{i}@example.vn",
            name_key=draw(st.sampled_from(NAMES)) if conflicts else "",
            capacity=draw(st.one_of(st.none(), st.integers(0, 5))) if capacities else None,
        ))
    entries = []
    for e in range(1, draw(st.integers(0, 12)) + 1):
        entries.append(EntryInfo(
            id=100 + e,
            unit_id=draw(st.sampled_from([1, 2, 3, 4])) if conflicts else None,
            outlet_keys=frozenset(outlet_key(o) for o in draw(st.sets(st.sampled_from(OUTLETS[:3]), max_size=2)))
            if conflicts else frozenset(),
            author_emails=frozenset(draw(st.sets(st.sampled_from(
                [j.email for j in judges] + ["other@example.vn"]), max_size=2))) if conflicts else frozenset(),
            author_name_keys=frozenset(draw(st.sets(st.sampled_from(NAMES[:3]), max_size=2)))
            if conflicts else frozenset(),
            load=draw(st.sampled_from(LOADS)),
        ))
    declared = set()
    if conflicts and entries:
        declared = draw(st.sets(st.tuples(st.sampled_from([j.id for j in judges]),
                                          st.sampled_from([e.id for e in entries])), max_size=6))
    k = draw(st.integers(1, 4))
    return entries, judges, k, declared


def non_conflicting(entry, judges, declared):
    return [j for j in judges if conflict_reason(j, entry, declared) is None]


@settings(max_examples=100, deadline=None)
@given(problems())
def test_propose_hard_constraints(problem):
    entries, judges, k, declared = problem
    plan = propose(entries, judges, k, declared)
    by_id = {j.id: j for j in judges}
    entry_by_id = {e.id: e for e in entries}
    pairs = [(p.entry_id, p.judge_id) for p in plan.assignments]
    assert len(pairs) == len(set(pairs))  # never the same judge twice on an entry
    for e_id, j_id in pairs:
        assert conflict_reason(by_id[j_id], entry_by_id[e_id], declared) is None
    count = Counter(j_id for _e, j_id in pairs)
    for j in judges:
        assert j.capacity is None or count[j.id] <= j.capacity
        assert plan.load_by_judge[j.id] == pytest.approx(
            sum(entry_by_id[e].load for e, jid in pairs if jid == j.id))
    got = Counter(e_id for e_id, _j in pairs)
    for e in entries:
        assert got[e.id] <= k
        eligible = non_conflicting(e, judges, declared)
        if got[e.id] < min(k, len(eligible)):
            # greedy is maximal: every eligible judge not on the entry is full
            on = {j for ee, j in pairs if ee == e.id}
            assert all(j.capacity is not None and count[j.id] >= j.capacity for j in eligible if j.id not in on)
    assert [u.entry_id for u in plan.unassignable] == sorted(e.id for e in entries if got[e.id] < k)
    assert all(u.got == got[u.entry_id] for u in plan.unassignable)


@settings(max_examples=100, deadline=None)
@given(problems(capacities=False))
def test_without_capacities_every_entry_gets_min_k_eligible(problem):
    entries, judges, k, declared = problem
    plan = propose(entries, judges, k, declared)
    got = Counter(p.entry_id for p in plan.assignments)
    for e in entries:
        assert got[e.id] == min(k, len(non_conflicting(e, judges, declared)))


@settings(max_examples=150, deadline=None)
@given(problems(conflicts=False, capacities=False))
def test_load_spread_is_at_most_the_largest_entry_load(problem):
    entries, judges, k, declared = problem
    plan = propose(entries, judges, k, declared)
    loads = plan.load_by_judge.values()
    largest = max((e.load for e in entries), default=0.0)
    assert max(loads) - min(loads) <= largest + 1e-9


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 8), st.integers(0, 15), st.integers(1, 4), st.integers(0, 6))
def test_unit_loads_and_equal_capacity_stay_within_one_entry(n_judges, n_entries, k, capacity):
    judges = [judge(i, capacity=capacity) for i in range(1, n_judges + 1)]
    entries = [entry(100 + e) for e in range(n_entries)]
    plan = propose(entries, judges, k)
    loads = plan.load_by_judge.values()
    assert max(loads) - min(loads) <= 1.0
    assert all(v <= capacity for v in loads)


@settings(max_examples=80, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_propose_is_deterministic_whatever_the_input_order(problem, rnd):
    entries, judges, k, declared = problem
    plan = propose(entries, judges, k, declared)
    entries2, judges2 = list(entries), list(judges)
    rnd.shuffle(entries2)
    rnd.shuffle(judges2)
    assert propose(entries2, judges2, k, set(declared)) == plan


@settings(max_examples=80, deadline=None)
@given(problems(capacities=False), st.integers(0, 2**32 - 1))
def test_existing_assignments_are_kept_and_not_repeated(problem, seed):
    entries, judges, k, declared = problem
    rnd = random.Random(seed)
    existing = []
    for e in entries:
        ok = non_conflicting(e, judges, declared)
        existing += [Proposed(e.id, j.id) for j in rnd.sample(ok, min(len(ok), rnd.randint(0, k)))]
    plan = propose(entries, judges, k, declared, existing)
    assert not set(plan.assignments) & set(existing)
    total = Counter(p.entry_id for p in existing + plan.assignments)
    for e in entries:
        assert total[e.id] == min(k, len(non_conflicting(e, judges, declared)))
    # completing a plan in two steps gives the same number of judges per entry as in one
    once = Counter(p.entry_id for p in propose(entries, judges, k, declared).assignments)
    assert total == once
