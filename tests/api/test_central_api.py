"""Central judging through the API: panels and routing, per-panel assignment and ranking, advancing the
shortlist, the council's ballots, and the list from proposal to publication."""

from sqlmodel import select

from award.models import AuditEvent, Entry, EntryStatus, Role
from judging.models import Ballot, PanelPlacement, ResultItem
from tests.api.test_contests_api import manager, submitted_entries
from tests.factories import IX_PHASE_AT, api_login, make_entry, make_user, round_by_number


def secretariat(client, session):
    return api_login(client, make_user(session, role=Role.secretariat))


def set_rules(client, headers, round_, **rules):
    response = client.patch(f"/api/v1/rounds/{round_.id}", headers=headers, json={"rules": rules})
    assert response.status_code == 200, response.text


def test_eligible_works_are_routed_to_panels_by_media_type_and_genre(client, session, clock):
    round_ = round_by_number(session, "IX")
    sec = secretariat(client, session)
    panels = client.get(f"/api/v1/rounds/{round_.id}/panels", headers=sec).json()
    assert [p["code"] for p in panels] == ["print1", "print2", "online", "tv", "radio", "photo"]
    assert panels[0]["genres"] == ["xã luận", "bình luận", "chuyên luận"] and panels[1]["target"] == 32

    # The real path: forwarded by the unit, received, ruled eligible → placed in its panel at once.
    unit_id, ids = submitted_entries(client, session, 1)
    assert client.post(f"/api/v1/units/{unit_id}/rounds/{round_.id}/forward", headers=manager(client, session),
                       json={"entry_ids": ids}).status_code == 200
    ruled = client.post(f"/api/v1/entries/{ids[0]}/eligibility", headers=sec, json={"eligible": True})
    assert ruled.status_code == 200, ruled.text
    assert session.get(PanelPlacement, ids[0]).panel_code == "print2"  # a print phóng sự

    comment = make_entry(session, genre="bình luận")
    tv = make_entry(session, media_type="tv", genre="phim tài liệu")
    routed = client.post(f"/api/v1/rounds/{round_.id}/panels/route", headers=sec).json()
    assert routed == {"print1": 1, "print2": 1, "tv": 1}
    assert session.get(PanelPlacement, comment.id).panel_code == "print1"

    moved = client.put(f"/api/v1/entries/{tv.id}/panel", headers=sec, json={"panel_code": "online"})
    assert moved.json() == {"entry_id": tv.id, "panel_code": "online", "manual": True}
    client.post(f"/api/v1/rounds/{round_.id}/panels/route", headers=sec)
    assert session.get(PanelPlacement, tv.id).panel_code == "online"  # a manual move stays
    bad = client.put(f"/api/v1/entries/{tv.id}/panel", headers=sec, json={"panel_code": "podcast"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "panel_code"]
    journalist = api_login(client, make_user(session))
    assert client.post(f"/api/v1/rounds/{round_.id}/panels/route", headers=journalist).status_code == 403


def test_preliminary_assignment_keeps_each_panel_to_its_own_judges(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])  # the subpanels are set up and score from the central deadline on
    round_ = round_by_number(session, "IX")
    sec = secretariat(client, session)
    print_works = [make_entry(session, genre="bình luận") for _ in range(3)]
    tv_works = [make_entry(session, media_type="tv", genre="phóng sự") for _ in range(2)]
    client.post(f"/api/v1/rounds/{round_.id}/panels/route", headers=sec)
    judges = {}
    for panel in ("print1", "tv"):
        judges[panel] = [make_user(session, role=Role.judge, full_name=f"Giám khảo {panel} {i}",
                                   outlet=f"Báo {panel} {i}") for i in range(2)]
        for judge in judges[panel]:
            added = client.post(f"/api/v1/rounds/{round_.id}/judges", headers=sec,
                                json={"user_id": judge.id, "stage": "preliminary", "panel_code": panel})
            assert added.status_code == 201
    plan = client.post(f"/api/v1/rounds/{round_.id}/stages/preliminary/assignments/propose", headers=sec,
                       json={"judges_per_entry": 2}).json()
    panel_of_judge = {j.id: p for p, js in judges.items() for j in js}
    panel_of_entry = {e.id: "print1" for e in print_works} | {e.id: "tv" for e in tv_works}
    assert len(plan["assignments"]) == 10 and plan["unassignable"] == []
    assert all(panel_of_judge[a["judge_id"]] == panel_of_entry[a["entry_id"]] for a in plan["assignments"])

    client.post(f"/api/v1/rounds/{round_.id}/stages/preliminary/assignments/apply", headers=sec,
                json={"plan_id": plan["plan_id"]})
    scores = {print_works[0].id: 95, print_works[1].id: 85, print_works[2].id: 90}
    for judge in judges["print1"]:
        token = api_login(client, judge)
        for sheet in client.get("/api/v1/judging/assignments", headers=token).json():
            total = scores[sheet["entry_id"]]
            body = {"scores": {"content": 30, "discovery": 25, "form": 25, "effect": total - 80}, "submit": True}
            assert client.put(f"/api/v1/judging/assignments/{sheet['id']}/score", headers=token,
                              json=body).status_code == 200
    ranking = client.get(f"/api/v1/rounds/{round_.id}/stages/preliminary/ranking?panel=print1", headers=sec).json()
    assert [(r["entry_id"], r["rank"]) for r in ranking] == [(print_works[0].id, 1), (print_works[2].id, 2),
                                                             (print_works[1].id, 3)]
    tv_ranking = client.get(f"/api/v1/rounds/{round_.id}/stages/preliminary/ranking?panel=tv", headers=sec).json()
    assert {r["entry_id"] for r in tv_ranking} == {e.id for e in tv_works}


def test_advance_moves_the_shortlist_to_the_final_and_only_eligible_works(client, session, clock):
    clock.set(IX_PHASE_AT["preliminary"])
    round_ = round_by_number(session, "IX")
    sec = secretariat(client, session)
    works = [make_entry(session) for _ in range(3)]
    rejected = make_entry(session, status="ineligible")
    advanced = client.post(f"/api/v1/rounds/{round_.id}/stages/preliminary/advance", headers=sec,
                           json={"entry_ids": [works[0].id, works[1].id]})
    assert advanced.status_code == 200
    assert [f["entry_id"] for f in advanced.json()] == [works[0].id, works[1].id]
    assert session.get(Entry, works[0].id).status == EntryStatus.finalist
    refused = client.post(f"/api/v1/rounds/{round_.id}/stages/preliminary/advance", headers=sec,
                          json={"entry_ids": [works[2].id, rejected.id]})
    assert refused.status_code == 409 and refused.json()["detail"]["field"] == "entry_ids.1"
    assert session.get(Entry, works[2].id).status == EntryStatus.eligible  # all or nothing
    wrong_stage = client.post(f"/api/v1/rounds/{round_.id}/stages/final/advance", headers=sec,
                              json={"entry_ids": [works[2].id]})
    assert wrong_stage.status_code == 409 and wrong_stage.json()["detail"]["code"] == "not_advanceable"
    back = client.post(f"/api/v1/rounds/{round_.id}/finalists/withdraw", headers=sec, json={"entry_ids": [works[1].id]})
    assert [f["entry_id"] for f in back.json()] == [works[0].id]


def council_round(client, session, clock, *, members=3, finalists=3, counts=None, **finalist_kwargs):
    """A council in the final phase, when ballots are cast (logins made then: tokens last days, not months)."""
    clock.set(IX_PHASE_AT["final"])
    round_ = round_by_number(session, "IX")
    sec = secretariat(client, session)
    set_rules(client, sec, round_, prize_counts=counts or {"special": 0, "A": 1, "B": 1, "C": 1, "KK": 1},
              thematic_prizes=[{"name": "Giải chuyên đề xây dựng Đảng về đạo đức", "themes": []}])
    works = [make_entry(session, status="finalist", **finalist_kwargs) for _ in range(finalists)]
    judges = []
    for i in range(members):
        judge = make_user(session, role=Role.judge, full_name=f"Thành Viên Hội Đồng {i}", outlet=f"Tạp chí {i}")
        assert client.post(f"/api/v1/rounds/{round_.id}/judges", headers=sec,
                           json={"user_id": judge.id, "stage": "final"}).status_code == 201
        judges.append((judge, api_login(client, judge)))
    return round_, sec, works, judges


def vote(client, round_, token, entry, level, thematic=None):
    return client.put(f"/api/v1/rounds/{round_.id}/ballots/{entry.id}", headers=token,
                      json={"level": level, "thematic": thematic})


def test_ballot_rules_member_conflict_closed_stage(client, session, clock):
    round_, sec, works, judges = council_round(client, session, clock, finalists=2)
    judge, token = judges[0]
    cast = vote(client, round_, token, works[0], "A")
    assert cast.status_code == 200 and cast.json()["level"] == "A"
    again = vote(client, round_, token, works[0], "B")  # a member may change their ballot
    assert again.json()["level"] == "B"
    assert session.exec(select(Ballot).where(Ballot.entry_id == works[0].id)).one().level == "B"

    outsider = api_login(client, make_user(session, role=Role.judge))
    refused = vote(client, round_, outsider, works[0], "A")
    assert refused.status_code == 403 and refused.json()["detail"]["code"] == "not_council_member"

    author_judge = make_user(session, role=Role.judge, full_name="Tác Giả Đồng Thời")
    client.post(f"/api/v1/rounds/{round_.id}/judges", headers=sec, json={"user_id": author_judge.id, "stage": "final"})
    own = make_entry(session, status="finalist", authors=[("Tác Giả Đồng Thời", None)])
    conflicted = vote(client, round_, api_login(client, author_judge), own, "A")
    assert conflicted.status_code == 403 and conflicted.json()["detail"]["code"] == "conflict_of_interest"
    listed = client.get(f"/api/v1/rounds/{round_.id}/finalists", headers=api_login(client, author_judge)).json()
    assert own.id not in [f["entry_id"] for f in listed] and works[0].id in [f["entry_id"] for f in listed]

    bad_level = client.put(f"/api/v1/rounds/{round_.id}/ballots/{works[0].id}", headers=token, json={"level": "D"})
    assert bad_level.status_code == 422
    bad_thematic = vote(client, round_, token, works[0], "A", thematic="Giải không có")
    assert bad_thematic.status_code == 422 and bad_thematic.json()["detail"][0]["loc"] == ["body", "thematic"]
    not_finalist = make_entry(session)
    assert vote(client, round_, token, not_finalist, "A").status_code == 404

    stages = dict(round_.rules["stages"])
    stages["final"] = {**stages["final"], "closed": True}
    set_rules(client, sec, round_, stages=stages)
    closed = vote(client, round_, token, works[1], "A")
    assert closed.status_code == 409 and closed.json()["detail"]["code"] == "stage_closed"


def test_proposing_before_quorum_is_refused_and_nothing_is_written(client, session, clock):
    round_, sec, works, judges = council_round(client, session, clock, members=3, finalists=2)
    vote(client, round_, judges[0][1], works[0], "A")
    clock.set(IX_PHASE_AT["approval"])
    sec = secretariat(client, session)  # weeks later: a new login
    response = client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec, json={})
    assert response.status_code == 409 and response.json()["detail"]["code"] == "no_quorum"
    assert "2 tác phẩm" in response.json()["detail"]["message"]
    assert session.exec(select(ResultItem)).all() == []


def test_council_to_published_list_with_tie_resolution_approval_embargo_and_correction(client, session, clock):
    round_, sec, works, judges = council_round(client, session, clock, members=3, finalists=4)
    a, b, c, d = works
    ballots = [(a, ["A", "A", "A"]), (b, ["A", "A", "B"]), (c, ["A", "A", "B"]), (d, ["KK", "none", "none"])]
    for work, levels in ballots:
        for (_judge, token), level in zip(judges, levels):
            thematic = "Giải chuyên đề xây dựng Đảng về đạo đức" if work is d else None
            assert vote(client, round_, token, work, level, thematic).status_code == 200
    tally = client.get(f"/api/v1/rounds/{round_.id}/tally", headers=sec).json()
    allocated = {w["entry_id"]: w["allocated"] for w in tally["works"]}
    # One A: a (3 × A) keeps it; b and c tie for the single B (equal support and mean), the other goes to C.
    assert allocated[a.id] == "A" and {allocated[b.id], allocated[c.id]} == {"B", "C"}
    assert sorted(tally["ties"]) == [b.id, c.id]
    assert allocated[d.id] == "none" and tally["thematic"][0]["winner"] == d.id

    early_proposal = client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec, json={})
    assert early_proposal.status_code == 409 and early_proposal.json()["detail"]["code"] == "phase_closed"
    clock.set(IX_PHASE_AT["approval"])  # the final ended: the list is proposed, approved and published
    sec = secretariat(client, session)  # weeks later: a new login
    tied = client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec, json={})
    assert tied.status_code == 409 and tied.json()["detail"]["code"] == "unresolved_tie"
    too_many = client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec,
                           json={"overrides": {str(b.id): "B", str(c.id): "B"}})
    assert too_many.status_code == 409 and too_many.json()["detail"]["code"] == "prize_counts_exceeded"
    assert "Giải B: 2 tác phẩm, thể lệ cho phép 1" in too_many.json()["detail"]["message"]

    # Nothing is public before publication; publishing before approval is refused.
    assert client.get(f"/api/v1/rounds/{round_.id}/results").status_code == 404
    proposed = client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec,
                           json={"overrides": {str(c.id): "B", str(b.id): "C"}, "note": "Hội đồng biểu quyết lại"})
    assert proposed.status_code == 200, proposed.text
    levels = {i["entry_id"]: (i["level"], i["thematic"]) for i in proposed.json()["items"]}
    assert levels == {a.id: ("A", None), c.id: ("B", None), b.id: ("C", None),
                      d.id: (None, "Giải chuyên đề xây dựng Đảng về đạo đức")}
    late_ballot = vote(client, round_, api_login(client, judges[0][0]), a, "B")
    assert late_ballot.status_code == 409 and late_ballot.json()["detail"]["code"] == "phase_closed"
    early = client.post(f"/api/v1/rounds/{round_.id}/results/publish", headers=sec, json={})
    assert early.status_code == 409 and early.json()["detail"]["code"] == "not_approved"

    approver = api_login(client, make_user(session, role=Role.approver))
    assert client.post(f"/api/v1/rounds/{round_.id}/results/approve", headers=sec).status_code == 403
    no_note = client.post(f"/api/v1/rounds/{round_.id}/results/return", headers=approver, json={"note": " "})
    assert no_note.status_code == 422 and no_note.json()["detail"][0]["loc"] == ["body", "note"]
    returned = client.post(f"/api/v1/rounds/{round_.id}/results/return", headers=approver,
                           json={"note": "Xem lại giải C"})
    assert returned.json()["status"] == "returned" and returned.json()["return_note"] == "Xem lại giải C"
    assert client.post(f"/api/v1/rounds/{round_.id}/results/approve", headers=approver).status_code == 409
    client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec,
                json={"overrides": {str(c.id): "B", str(b.id): "C"}})
    assert client.post(f"/api/v1/rounds/{round_.id}/results/approve", headers=approver).json()["status"] == "approved"
    twice = client.post(f"/api/v1/rounds/{round_.id}/results/approve", headers=approver)
    assert twice.status_code == 409 and twice.json()["detail"]["code"] == "already_approved"

    # Published under embargo: public only from the set time.
    embargo = "2025-02-03T09:00:00+07:00"
    published = client.post(f"/api/v1/rounds/{round_.id}/results/publish", headers=sec, json={"publish_at": embargo})
    assert published.json()["status"] == "published" and len(published.json()["checksum"]) == 64
    assert client.get(f"/api/v1/rounds/{round_.id}/results").status_code == 404
    assert client.get(f"/api/v1/entries/{a.id}/certificate.pdf").status_code == 404
    clock.set("2025-02-03T09:00:00+07:00")
    sec = secretariat(client, session)  # months later: a new session
    public = client.get(f"/api/v1/rounds/{round_.id}/results").json()
    assert [(p["entry_id"], p["level"]) for p in public] == [(a.id, "A"), (c.id, "B"), (b.id, "C"), (d.id, None)]
    assert public[0]["authors"][0]["pen_name"].startswith("Bút danh") and public[0]["outlet"].startswith("Báo Số")
    assert session.get(Entry, a.id).status == EntryStatus.awarded
    assert client.get(f"/api/v1/rounds/{round_.id}/results/verify").json()["ok"] is True
    assert client.post(f"/api/v1/rounds/{round_.id}/results/publish", headers=sec, json={}).status_code == 409

    # Frozen: a change is a recorded correction, within the counts.
    over = client.post(f"/api/v1/rounds/{round_.id}/results/corrections", headers=sec,
                       json={"entry_id": d.id, "level": "A", "reason": "Nhầm lẫn"})
    assert over.status_code == 409 and over.json()["detail"]["code"] == "prize_counts_exceeded"
    fixed = client.post(f"/api/v1/rounds/{round_.id}/results/corrections", headers=sec,
                        json={"entry_id": d.id, "level": "KK", "thematic": "Giải chuyên đề xây dựng Đảng về đạo đức",
                              "reason": "Hội đồng bổ sung giải Khuyến khích"})
    assert fixed.status_code == 201 and fixed.json()["version"] == 2
    assert fixed.json()["checksum"] != published.json()["checksum"]
    assert client.get(f"/api/v1/rounds/{round_.id}/results/verify").json() == {
        "ok": True, "checksum": fixed.json()["checksum"], "version": 2, "items": 4, "mismatched": []}
    actions = [e.action for e in session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "round", AuditEvent.object_id == str(round_.id),
        AuditEvent.action.startswith("results.")).order_by(AuditEvent.id))]
    assert actions == ["results.proposed", "results.returned", "results.proposed", "results.approved",
                       "results.published", "results.corrected"]

    # Tampering with a published title shows in verification.
    entry = session.get(Entry, c.id)
    entry.title = "Tên đã bị sửa"
    session.add(entry)
    session.flush()
    tampered = client.get(f"/api/v1/rounds/{round_.id}/results/verify").json()
    assert tampered["ok"] is False and tampered["mismatched"] == [c.id]


def test_panels_are_editable_per_round_and_routing_follows_them(client, session, clock):
    round_ = round_by_number(session, "IX")
    sec = secretariat(client, session)
    photo = make_entry(session, media_type="photo", genre="ảnh đơn")
    doc = make_entry(session, media_type="tv", genre="phim tài liệu")
    panels = [{"code": "visual", "name": "Ảnh và phim tài liệu", "media_types": ["photo", "tv"],
               "genres": ["ảnh đơn", "phim tài liệu"]},
              {"code": "tv", "name": "Báo hình", "media_types": ["tv"]}]
    set_rules(client, sec, round_, panels=panels)
    assert [p["code"] for p in client.get(f"/api/v1/rounds/{round_.id}/panels", headers=sec).json()] == ["visual", "tv"]
    assert client.post(f"/api/v1/rounds/{round_.id}/panels/route", headers=sec).json() == {"visual": 2}
    assert session.get(PanelPlacement, doc.id).panel_code == "visual" and photo.id
    twice = client.patch(f"/api/v1/rounds/{round_.id}", headers=sec, json={"rules": {"panels": panels + panels[:1]}})
    assert twice.status_code == 422 and "Tiểu ban 3 – Mã: “visual” trùng với mã của một tiểu ban khác." in twice.text
