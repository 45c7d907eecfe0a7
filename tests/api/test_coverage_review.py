"""Coverage for organisers: per theme, works confirmed vs only suggested, and the works whose top
suggestion is none of their confirmed themes (for the secretariat to review), in bounded queries."""

import re

from sqlmodel import select

from award import themes
from award.models import EntryTheme, OutlineNode, Role, ThemeSuggestion
from tests.api.test_query_counts import count_queries
from tests.factories import make_entry, make_user, round_by_number, web_login


def node_ids(session, round_id) -> dict[str, int]:
    return dict(session.exec(select(OutlineNode.code, OutlineNode.id).where(OutlineNode.round_id == round_id)).all())


def tag(session, entry, *, confirmed: list[str], suggested: list[str], off_outline: bool = False) -> None:
    """Confirmed tags and a stored ranking (rank 1 first), as the entry page and re-tagging leave them."""
    ids = node_ids(session, entry.round_id)
    for code in confirmed:
        session.add(EntryTheme(entry_id=entry.id, outline_node_id=ids[code], source="secretariat",
                               confirmed_by=entry.owner_id))
    for rank, code in enumerate(suggested, start=1):
        session.add(ThemeSuggestion(entry_id=entry.id, outline_node_id=ids[code], rank=rank, score=1 / rank,
                                    off_outline=off_outline))
    session.flush()


def test_counts_confirmed_and_suggested_only_and_lists_disagreements(client, session, clock):
    round_ = round_by_number(session, "IX")
    before = themes.coverage(session, round_id=round_.id)
    secretariat = make_user(session, role=Role.secretariat)
    before_list = themes.suggestion_disagreements(session, round_id=round_.id, user=secretariat)

    agrees = make_entry(session, title="Đồng thuận 2.1")
    tag(session, agrees, confirmed=["2.1"], suggested=["2.1", "2.3"])
    differs = make_entry(session, title="Gợi ý lệch sang 2.3")
    tag(session, differs, confirmed=["2.1", "2.2"], suggested=["2.3", "2.1"])
    untagged = make_entry(session, title="Chưa xác nhận, gợi ý 2.3")
    tag(session, untagged, confirmed=[], suggested=["2.3"])
    at_unit = make_entry(session, status="submitted", title="Còn ở đơn vị")  # counted, but not at the centre
    tag(session, at_unit, confirmed=["2.2"], suggested=["2.4"])
    draft = make_entry(session, status="draft", title="Bản nháp")  # counts nowhere
    tag(session, draft, confirmed=["2.1"], suggested=["2.4"])

    after = themes.coverage(session, round_id=round_.id)
    confirmed = {c: after.totals[c] - before.totals[c] for c in ("2.1", "2.2", "2.3", "2.4")}
    suggested = {c: after.suggested_only[c] - before.suggested_only[c] for c in ("2.1", "2.2", "2.3", "2.4")}
    assert confirmed == {"2.1": 2, "2.2": 2, "2.3": 0, "2.4": 0}
    # 2.3 is the top suggestion of two works confirmed elsewhere or not at all; 2.1 is confirmed where suggested.
    assert suggested == {"2.1": 0, "2.2": 0, "2.3": 2, "2.4": 1}

    listed = themes.suggestion_disagreements(session, round_id=round_.id, user=secretariat)
    assert listed.total == before_list.total + 1  # the unit's work is not the secretariat's to see yet
    mine = [d for d in listed.items if d.entry_id in {agrees.id, differs.id, untagged.id, at_unit.id, draft.id}]
    assert [(d.entry_id, d.confirmed, d.suggested_code) for d in mine] == [(differs.id, ["2.1", "2.2"], "2.3")]
    manager = make_user(session, role=Role.unit_manager, unit_code="ha-tinh")
    assert at_unit.id in {d.entry_id for d in themes.suggestion_disagreements(session, round_id=round_.id,
                                                                            user=manager).items}

    web_login(client, secretariat)
    page = client.get(f"/rounds/{round_.id}/coverage")
    assert page.status_code == 200
    assert "Chỉ được gợi ý" in page.text and "Tổng đã xác nhận" in page.text
    assert "Gợi ý khác chủ đề đã xác nhận" in page.text
    assert f"{listed.total} tác phẩm có gợi ý đứng đầu không nằm trong các chủ đề đã xác nhận" in page.text
    assert f'href="http://testserver/entries/{differs.id}#chu-de">Gợi ý lệch sang 2.3</a>' in page.text
    assert "Đồng thuận 2.1" not in page.text and "Còn ở đơn vị" not in page.text
    row = re.search(r'<th scope="row"><a href="[^"]*/themes/2\.3">.*?</tr>', page.text, re.S).group(0)
    cells = re.findall(r"<td>(?:<strong>)?(\d+)", row)
    assert cells == [str(after.totals["2.3"]), str(after.suggested_only["2.3"])]

    approver = make_user(session, role=Role.approver)
    web_login(client, approver)
    page = client.get(f"/rounds/{round_.id}/coverage")
    assert page.status_code == 200 and "Chỉ được gợi ý" in page.text
    assert "Gợi ý lệch sang 2.3" not in page.text  # the steering committee sees counts, not works
    assert "Không có tác phẩm nào anh/chị được xem" in page.text


def test_list_is_capped_with_its_count(client, session, clock):
    round_ = round_by_number(session, "IX")
    secretariat = make_user(session, role=Role.secretariat)
    base = themes.suggestion_disagreements(session, round_id=round_.id, user=secretariat).total
    for _ in range(4):
        tag(session, make_entry(session), confirmed=["2.1"], suggested=["2.2"])
    listed = themes.suggestion_disagreements(session, round_id=round_.id, user=secretariat, limit=3)
    assert listed.total == base + 4 and len(listed.items) == 3


def test_coverage_page_queries_do_not_grow_with_the_works(engine, client, session, clock):
    round_ = round_by_number(session, "IX")
    secretariat = make_user(session, role=Role.secretariat)
    web_login(client, secretariat)

    def add(n):
        for i in range(n):
            tag(session, make_entry(session), confirmed=["2.1"] if i % 3 else [], suggested=["2.3", "2.1"])

    add(5)
    small = count_queries(engine, client, session, f"/rounds/{round_.id}/coverage")
    add(60)
    large = count_queries(engine, client, session, f"/rounds/{round_.id}/coverage")
    assert large == small
    assert themes.suggestion_disagreements(session, round_id=round_.id, user=secretariat).total >= 40


def test_works_off_the_outline_are_listed_apart_and_not_counted_as_suggestions(client, session, clock):
    """A work whose ranking says it hardly touches the outline (a rice harvest) has a first theme like any
    other, but it is only the least unlikely: it is not counted as "only suggested" for it nor listed as
    disagreeing with its confirmed themes; the coverage page lists it apart for the secretariat to review."""
    round_ = round_by_number(session, "IX")
    secretariat = make_user(session, role=Role.secretariat)
    before = themes.coverage(session, round_id=round_.id)
    before_list = themes.suggestion_disagreements(session, round_id=round_.id, user=secretariat)

    rice = make_entry(session, title="Mùa gặt lúa chiêm")
    tag(session, rice, confirmed=[], suggested=["2.3", "2.1"], off_outline=True)
    tagged_rice = make_entry(session, title="Giá lúa tăng, đã gắn 2.1")
    tag(session, tagged_rice, confirmed=["2.1"], suggested=["2.3"], off_outline=True)
    on_topic = make_entry(session, title="Chi bộ vùng biên")
    tag(session, on_topic, confirmed=[], suggested=["2.3"])
    at_unit = make_entry(session, status="submitted", title="Bóng đá phong trào, còn ở đơn vị")
    tag(session, at_unit, confirmed=[], suggested=["2.1"], off_outline=True)

    after = themes.coverage(session, round_id=round_.id)
    assert after.suggested_only["2.3"] - before.suggested_only["2.3"] == 1  # the on-topic work only
    assert after.off_outline - before.off_outline == 3  # the unit's work counts, as in the other figures
    assert after.totals["2.1"] - before.totals["2.1"] == 1  # a confirmed theme still counts
    disagreeing = themes.suggestion_disagreements(session, round_id=round_.id, user=secretariat)
    assert disagreeing.total == before_list.total and tagged_rice.id not in {d.entry_id for d in disagreeing.items}
    listed = themes.off_outline_works(session, round_id=round_.id, user=secretariat)
    mine = {w.entry_id: w.confirmed for w in listed.items if w.entry_id in {rice.id, tagged_rice.id, on_topic.id}}
    assert mine == {rice.id: [], tagged_rice.id: ["2.1"]}

    web_login(client, secretariat)
    page = client.get(f"/rounds/{round_.id}/coverage")
    assert page.status_code == 200
    assert f"{after.off_outline} có vẻ ít liên quan đến đề cương" in page.text
    assert f"{listed.total} tác phẩm có nội dung ít khớp với mọi chủ đề của đề cương" in page.text
    assert f'href="http://testserver/entries/{rice.id}#chu-de">Mùa gặt lúa chiêm</a>' in page.text
    # the count above and the list agree: the work still at its unit is said, not listed
    assert after.off_outline - listed.total >= 1 and "Bóng đá phong trào" not in page.text
    assert f"{after.off_outline - listed.total} tác phẩm khác như vậy còn ở đơn vị, chưa liệt kê ở đây." in page.text
    row = re.search(rf'entries/{rice.id}#chu-de">.*?</tr>', page.text, re.S).group(0)
    assert "chưa gắn chủ đề" in row

    api = client.get(f"/api/v1/rounds/{round_.id}/coverage")
    assert api.status_code == 200
    body = api.json()
    assert body["off_outline"] == after.off_outline
    assert {t["code"]: t["suggested_only"] for t in body["themes"]}["2.3"] == after.suggested_only["2.3"]


def test_the_coverage_page_says_what_suggestions_learnt_from_the_rounds_confirmed_works(client, session, clock):
    """Before the relearning pass has fitted the round's signal weights the page says it needs 8 confirmed works;
    after, how many works taught them and each weight as a multiple of the default, with the decimal comma."""
    from datetime import UTC, datetime

    from award.models import RoundSignalWeights

    round_ = round_by_number(session, "IX")
    secretariat = make_user(session, role=Role.secretariat)
    web_login(client, secretariat)
    page = client.get(f"/rounds/{round_.id}/coverage")
    assert page.status_code == 200
    assert "chưa học cách cân các căn cứ" in page.text and "cần ít nhất 8 tác phẩm đã xác nhận" in page.text
    session.add(RoundSignalWeights(round_id=round_.id, outline=0.55, press=2.0, meaning=0.45, examples=120,
                                   fitted_at=datetime(2024, 9, 10, 2, 0, tzinfo=UTC)))
    session.commit()
    text = re.sub(r"\s+", " ", client.get(f"/rounds/{round_.id}/coverage").text)
    assert "đã học từ 120 tác phẩm đã xác nhận chủ đề (cập nhật 10/09/2024 09:00)" in text
    assert "từ ngữ của đề cương ×0,55" in text and "từng chủ đề ×1,6" in text and "câu chữ ×0,6" in text
    assert "chưa học cách cân" not in text
