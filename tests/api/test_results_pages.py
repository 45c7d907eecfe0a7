"""The public results pages: a round's published list, one page per winning work, the statistics, and
the downloads they link to (CSV, XLSX, certificates). The list is built through the real API: council
ballots, proposal, approval by the steering committee, publication (with or without an embargo)."""

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import partial

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from award.models import Entry, EntryAuthor, EntryPart, EntryTheme, OutlineNode, Role, TagSource, Unit
from award.text import fold
from tests.api.test_central_api import council_round, secretariat, vote
from tests.factories import IX_PHASE_AT, api_login, make_user, round_by_number, web_login

THEMATIC = "Giải chuyên đề xây dựng Đảng về đạo đức"
EMBARGO = "2025-02-03T09:00:00+07:00"
SCRIPT_TITLE = "Ảnh <script>alert('xss')</script> & “bộ ảnh”"


@dataclass
class Published:
    round: object
    sec: dict
    works: dict
    others: dict
    owner: object


def make_work(session, owner, *, status="eligible", media_type="print", genre="phóng sự", unit_code="ha-tinh",
              outlet=None, authors=None, title=None):
    """Like tests.factories.make_entry, for one owner (hashing a password per work would take minutes)."""
    unit_id = session.exec(select(Unit.id).where(Unit.code == unit_code)).one()
    entry = Entry(round_id=round_by_number(session, "IX").id, unit_id=unit_id, owner_id=owner.id, title="…",
                  media_type=media_type, genre=genre, summary="Tóm tắt.", status=status,
                  submitted_at=datetime(2024, 9, 1, tzinfo=timezone.utc))
    session.add(entry)
    session.flush()
    entry.title = title or f"Tác phẩm số {entry.id}"
    for i, (name, pen) in enumerate(authors or [(f"Tác Giả {entry.id}", f"Bút danh {entry.id}")]):
        session.add(EntryAuthor(entry_id=entry.id, position=i, full_name=name, pen_name=pen, name_key=fold(name)))
    session.add(EntryPart(entry_id=entry.id, position=0, outlet=outlet or f"Báo Số {entry.id}",
                          published_on=date(2024, 3, 1), url=f"https://bao.vn/{entry.id}"))
    session.flush()
    return entry


def tag(session, entry, *codes):
    nodes = session.exec(select(OutlineNode).where(OutlineNode.round_id == entry.round_id,
                                                   OutlineNode.code.in_(codes))).all()
    assert len(nodes) == len(codes)
    for node in nodes:
        session.add(EntryTheme(entry_id=entry.id, outline_node_id=node.id, source=TagSource.author,
                               confirmed_by=entry.owner_id))
    session.flush()


def build_list(client, session, clock, *, publish_at=None, publish=True) -> Published:
    """Round IX: seven finalists (one without a prize), other works at each central status, the council
    votes unanimously in the final phase, the secretariat proposes and the steering committee approves in
    the approval phase, the list is published (the clock stays in the approval phase, 25 January 2025)."""
    clock.set(IX_PHASE_AT["final"])  # the council is set up and votes in the final phase
    round_, sec, _, judges = council_round(client, session, clock, members=1, finalists=0,
                                           counts={"special": 1, "A": 1, "B": 1, "C": 1, "KK": 2})
    owner = make_user(session, full_name="Chủ Tác Phẩm")
    make_entry = partial(make_work, session, owner)
    works = {
        "special": make_entry(status="finalist", media_type="tv", genre="phim tài liệu",
                              unit_code="bao-nhan-dan", outlet="Đài Truyền hình Việt Nam",
                              title="Phim tài liệu: Người đảng viên giữa đại ngàn"),
        "A": make_entry(status="finalist", media_type="print", genre="phóng sự", outlet="Báo Hà Tĩnh",
                        authors=[("Nguyễn Văn Ánh", "Ánh Dương"), ("Trần Thị Bình", None)],
                        title="Loạt bài: Giữ vững kỷ cương ở chi bộ vùng biên"),
        "B": make_entry(status="finalist", media_type="online", genre="bình luận", unit_code="nghe-an",
                        title="Kiểm soát quyền lực trong công tác cán bộ"),
        "C": make_entry(status="finalist", media_type="radio", genre="ký", unit_code="nghe-an",
                        title="Ký phát thanh: Học Bác từ những việc bình dị"),
        "KK1": make_entry(status="finalist", media_type="print", genre="bình luận",
                          title="Đảng viên trẻ với không gian mạng"),
        "KK2": make_entry(status="finalist", media_type="photo", genre="bộ ảnh", title=SCRIPT_TITLE),
        "none": make_entry(status="finalist", media_type="print", title="Tác phẩm vào chung khảo không đạt giải"),
    }
    tag(session, works["A"], "2.3", "2.4")
    tag(session, works["B"], "2.4")
    others = {
        "eligible_print": [make_entry(status="eligible", media_type="print") for _ in range(3)],
        "eligible_tv": [make_entry(status="eligible", media_type="tv", unit_code="nghe-an")],
        "ineligible": [make_entry(status="ineligible", media_type="online")],
        "received": [make_entry(status="received", media_type="radio")],
        "not_central": [make_entry(status=s, media_type="print") for s in ("submitted", "forwarded",
                                                                                     "ineligible_local")],
    }
    tag(session, others["eligible_print"][0], "2.4")
    tag(session, others["not_central"][0], "2.3")  # never reached the centre: not counted
    levels = {"special": "special", "A": "A", "B": "B", "C": "C", "KK1": "KK", "KK2": "KK", "none": "none"}
    for key, level in levels.items():
        for _, token in judges:
            thematic = THEMATIC if key == "KK1" else None
            cast = vote(client, round_, token, works[key], level, thematic)
            assert cast.status_code == 200, cast.text
    clock.set(IX_PHASE_AT["approval"])
    sec = secretariat(client, session)  # weeks later: a fresh log-in (the first token has expired)
    proposed = client.post(f"/api/v1/rounds/{round_.id}/results/propose", headers=sec, json={})
    assert proposed.status_code == 200, proposed.text
    approver = api_login(client, make_user(session, role=Role.approver))
    assert client.post(f"/api/v1/rounds/{round_.id}/results/approve", headers=approver).status_code == 200
    if publish:
        published = client.post(f"/api/v1/rounds/{round_.id}/results/publish", headers=sec,
                                json={"publish_at": publish_at} if publish_at else {})
        assert published.json()["status"] == "published", published.text
    return Published(round_, sec, works, others, owner)


@pytest.fixture
def published(client, session, clock):
    return build_list(client, session, clock)


def text_of(page) -> str:
    """The visible text of a page (or of a piece of HTML): tags removed, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page if isinstance(page, str) else page.text, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return re.sub(r" ([,.;:])", r"\1", text)


def section(page, anchor: str) -> str:
    """The HTML of the prize group with heading id `anchor`."""
    match = re.search(rf'<section class="prize-group" aria-labelledby="{anchor}">(.*?)</section>', page.text, re.S)
    assert match, f"no group {anchor}"
    return match.group(1)


# --- visibility ----------------------------------------------------------------------------------

def test_pages_answer_404_before_publication_and_under_embargo(client, session, clock):
    built = build_list(client, session, clock, publish=False)  # approved, not yet published
    rid, entry_id = built.round.id, built.works["A"].id
    urls = [f"/rounds/{rid}/results", f"/rounds/{rid}/results/{entry_id}", f"/rounds/{rid}/statistics"]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 404 and "Kết quả đợt giải chưa được công bố." in page.text
    assert client.post(f"/api/v1/rounds/{rid}/results/publish", headers=built.sec,
                       json={"publish_at": EMBARGO}).status_code == 200
    for url in urls:
        assert client.get(url).status_code == 404
    assert "Kết quả đã công bố" not in client.get(f"/rounds/{rid}").text
    assert f'/rounds/{rid}/results"' not in client.get("/").text

    # The secretariat and the steering committee may read the statistics before the embargo ends.
    web_login(client, make_user(session, role=Role.secretariat))
    early = client.get(f"/rounds/{rid}/statistics")
    assert early.status_code == 200 and "chỉ Ban Thư ký và Ban Chỉ đạo xem được" in early.text
    assert client.get(f"/rounds/{rid}/results").status_code == 404  # the list itself waits for everyone
    client.cookies.clear()
    web_login(client, make_user(session))
    assert client.get(f"/rounds/{rid}/statistics").status_code == 404  # a journalist waits
    client.cookies.clear()

    clock.set(EMBARGO)
    for url in urls:
        assert client.get(url).status_code == 200
    assert "Chưa công bố" not in client.get(f"/rounds/{rid}/statistics").text
    round_page = client.get(f"/rounds/{rid}")
    assert "Kết quả đã công bố" in round_page.text and f'/rounds/{rid}/results"' in round_page.text
    assert f'/rounds/{rid}/results"' in client.get("/").text


def test_unknown_round_and_work_without_prize_are_404(client, published):
    rid = published.round.id
    assert client.get("/rounds/99999/results").status_code == 404
    no_prize = client.get(f"/rounds/{rid}/results/{published.works['none'].id}")
    assert no_prize.status_code == 404
    assert "Tác phẩm này không có trong danh sách giải đã công bố." in no_prize.text
    other = published.others["eligible_print"][0]
    assert client.get(f"/rounds/{rid}/results/{other.id}").status_code == 404


# --- the list --------------------------------------------------------------------------------------

def test_results_page_groups_prizes_by_level_with_authors_and_pen_names(client, published):
    rid, w = published.round.id, published.works
    page = client.get(f"/rounds/{rid}/results")
    assert page.status_code == 200
    text = text_of(page)
    headings = re.findall(r'<h2 id="giai-([^"]+)">([^<]+)', page.text)
    assert [(k, label.strip()) for k, label in headings] == [
        ("special", "Giải Đặc biệt"), ("A", "Giải A"), ("B", "Giải B"), ("C", "Giải C"),
        ("KK", "Giải Khuyến khích"), ("thematic", "Giải chuyên đề")]
    assert f'/rounds/{rid}/results/{w["A"].id}' in section(page, "giai-A")
    assert "Nguyễn Văn Ánh (bút danh Ánh Dương), Trần Thị Bình" in text
    kk = section(page, "giai-KK")
    assert w["KK1"].title in kk and "Ảnh &lt;script&gt;alert(&#39;xss&#39;)" in kk
    thematic = section(page, "giai-thematic")
    assert w["KK1"].title in thematic and THEMATIC in thematic and w["A"].title not in thematic
    assert w["none"].title not in text
    a_group = text_of(section(page, "giai-A"))
    assert ("Tác giả Nguyễn Văn Ánh (bút danh Ánh Dương), Trần Thị Bình Loại hình Báo in · Phóng sự "
            "Cơ quan báo chí Báo Hà Tĩnh Đơn vị Hà Tĩnh Chủ đề 2.3, 2.4") in a_group
    # Themes: the code, with the outline's wording as a tooltip, linking to the outline.
    assert re.search(rf'href="http://testserver/rounds/{rid}#chu-de-2\.3"><abbr title="[^"]+">2\.3</abbr>', page.text)
    # Downloads, verification and the list's checksum and version.
    assert f'href="http://testserver/api/v1/rounds/{rid}/results.csv"' in page.text
    assert f'href="http://testserver/api/v1/rounds/{rid}/results.xlsx"' in page.text
    assert f'href="http://testserver/rounds/{rid}/results/verify"' in page.text
    checksum = client.get(f"/api/v1/rounds/{rid}/results/verify").json()["checksum"]
    assert f"Mã kiểm tra (SHA-256) {checksum}" in text and "Phiên bản danh sách 1" in text
    assert "Đính chính" not in text


def test_title_with_script_is_escaped(client, published):
    rid = published.round.id
    for url in (f"/rounds/{rid}/results", f"/rounds/{rid}/results/{published.works['KK2'].id}"):
        page = client.get(url)
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt; &amp; “bộ ảnh”" in page.text


def test_media_type_filter_shows_only_that_type_and_marks_the_link(client, published):
    rid, w = published.round.id, published.works
    page = client.get(f"/rounds/{rid}/results", params={"media_type": "print"})
    assert page.status_code == 200
    assert re.findall(r'data-media="([a-z]+)"', page.text) == ["print", "print", "print"]  # A, KK1, KK1 thematic
    text = text_of(page)
    assert w["A"].title in text and w["KK1"].title in text and w["B"].title not in text
    assert re.search(r'href="[^"]*media_type=print" aria-current="page">Báo in', page.text)
    assert "Đang hiển thị 2 tác phẩm loại hình Báo in." in text
    assert [label for label in re.findall(r'<a href="[^"]*"(?: aria-current="page")?>([^<]+) <span class="count">',
                                          page.text)] == [
        "Tất cả", "Báo in", "Báo điện tử", "Phát thanh", "Truyền hình", "Ảnh báo chí"]
    photo = client.get(f"/rounds/{rid}/results", params={"media_type": "photo"})
    assert re.findall(r'<h2 id="giai-([^"]+)"', photo.text) == ["KK"]
    unknown = client.get(f"/rounds/{rid}/results", params={"media_type": "podcast"})
    assert unknown.status_code == 200 and len(re.findall(r'data-media="', unknown.text)) == 7  # 6 prizes + thematic


def test_corrections_are_listed_with_date_and_reason(client, session, published, clock):
    rid, w = published.round.id, published.works
    clock.set("2025-02-10T10:30:00+07:00")
    fixed = client.post(f"/api/v1/rounds/{rid}/results/corrections", headers=secretariat(client, session),
                        json={"entry_id": w["none"].id, "level": "none", "thematic": THEMATIC,
                              "reason": "Hội đồng trao bổ sung giải chuyên đề"})
    assert fixed.status_code == 201, fixed.text
    text = text_of(client.get(f"/rounds/{rid}/results"))
    assert ("Đính chính 10/02/2025 10:30: tác phẩm “Tác phẩm vào chung khảo không đạt giải” – Không có giải → "
            f"{THEMATIC}. Lý do: Hội đồng trao bổ sung giải chuyên đề") in text
    assert "Phiên bản danh sách 2" in text
    work = text_of(client.get(f"/rounds/{rid}/results/{w['none'].id}"))
    assert f"Không có giải → {THEMATIC}. Lý do: Hội đồng trao bổ sung giải chuyên đề" in work


@pytest.mark.parametrize(("query", "keys"), [
    ("giu vung KY CUONG", {"A"}),  # a title, without diacritics and in capitals
    ("anh duong", {"A"}),  # a pen name
    ("Trần Thị Bình", {"A"}),  # a co-author
    ("Đài Truyền hình", {"special"}),  # an outlet
    ("nghe an", {"B", "C"}),  # a unit
    ("ky phat thanh bac", {"C"}),  # every word must match, in any order
    ("không có tác phẩm này", set()),
])
def test_search_finds_prizes_by_title_author_outlet_or_unit_ignoring_case_and_diacritics(client, published, query,
                                                                                         keys):
    rid, w = published.round.id, published.works
    page = client.get(f"/rounds/{rid}/results", params={"q": query})
    assert page.status_code == 200
    found = {int(i) for i in re.findall(rf'href="http://testserver/rounds/{rid}/results/(\d+)"', page.text)}
    assert found == {w[k].id for k in keys}
    assert f"{len(keys)} tác phẩm khớp" in text_of(page)


def test_search_in_decomposed_form_finds_the_same_works(client, published):
    import unicodedata

    rid = published.round.id
    composed = client.get(f"/rounds/{rid}/results", params={"q": "Giữ vững kỷ cương"}).text
    decomposed = client.get(f"/rounds/{rid}/results", params={"q": unicodedata.normalize("NFD", "Giữ vững kỷ cương")})
    assert re.findall(r'data-media="', composed) == re.findall(r'data-media="', decomposed.text) != []


def test_integrity_page_says_the_list_is_intact_then_names_a_work_changed_behind_its_back(client, session, published):
    rid, w = published.round.id, published.works
    page = client.get(f"/rounds/{rid}/results/verify")
    assert page.status_code == 200
    assert "Danh sách nguyên vẹn. 6 tác phẩm đoạt giải" in text_of(page)
    entry = session.get(Entry, w["B"].id)
    entry.title = "Tên đã bị sửa lén"
    session.add(entry)
    session.flush()
    tampered = text_of(client.get(f"/rounds/{rid}/results/verify"))
    assert "Danh sách không khớp với bản đã công bố." in tampered
    assert f"Mã {w['B'].id}: “Tên đã bị sửa lén”" in tampered


def test_integrity_page_is_404_before_publication(client, session, clock):
    unpublished = build_list(client, session, clock, publish=False)
    assert client.get(f"/rounds/{unpublished.round.id}/results/verify").status_code == 404


def test_results_pages_answer_304_to_a_repeat_visit_until_a_correction_changes_the_list(client, session, published,
                                                                                         clock):
    rid, w = published.round.id, published.works
    for url in (f"/rounds/{rid}/results", f"/rounds/{rid}/results/{w['A'].id}"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["cache-control"] == "public, max-age=60, must-revalidate"
        etag = first.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
    filtered = client.get(f"/rounds/{rid}/results", params={"q": "nghe an"})
    assert filtered.headers["etag"] != etag  # another query, another page
    list_tag = client.get(f"/rounds/{rid}/results").headers["etag"]
    clock.set("2025-02-10T10:30:00+07:00")
    fixed = client.post(f"/api/v1/rounds/{rid}/results/corrections", headers=secretariat(client, session),
                        json={"entry_id": w["none"].id, "level": "none", "thematic": THEMATIC,
                              "reason": "Hội đồng trao bổ sung giải chuyên đề"})
    assert fixed.status_code == 201, fixed.text
    after = client.get(f"/rounds/{rid}/results", headers={"If-None-Match": list_tag})
    assert after.status_code == 200 and w["none"].title in after.text


def test_a_signed_in_visitor_gets_a_private_copy(client, session, published):
    web_login(client, make_user(session))
    page = client.get(f"/rounds/{published.round.id}/results")
    assert page.headers["cache-control"] == "private, max-age=0, must-revalidate"


# --- a winning work ----------------------------------------------------------------------------------

def test_work_page_shows_parts_themes_checksum_and_certificate_links(client, published):
    rid, entry = published.round.id, published.works["A"]
    page = client.get(f"/rounds/{rid}/results/{entry.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Loạt bài: Giữ vững kỷ cương ở chi bộ vùng biên" in text and "Giải A" in text
    assert "Tác giả Nguyễn Văn Ánh (bút danh Ánh Dương), Trần Thị Bình" in text
    assert "Đăng, phát Báo Hà Tĩnh, 01/03/2024" in text
    assert re.search(r'href="https://bao\.vn/\d+" rel="noopener noreferrer nofollow">Xem bài gốc', page.text)
    assert "2.3 " in text and "2.4 " in text
    item = next(i for i in client.get(f"/api/v1/rounds/{rid}/results").json() if i["entry_id"] == entry.id)
    assert f"Mã kiểm tra (SHA-256) {item['checksum']}" in text
    links = re.findall(r'href="http://testserver(/api/v1/entries/\d+/certificate\.pdf[^"]*)">([^<]+)', page.text)
    assert links == [(f"/api/v1/entries/{entry.id}/certificate.pdf?author=1", "Giấy chứng nhận – Nguyễn Văn Ánh"),
                     (f"/api/v1/entries/{entry.id}/certificate.pdf?author=2", "Giấy chứng nhận – Trần Thị Bình"),
                     (f"/api/v1/entries/{entry.id}/certificate.pdf", "Tất cả tác giả trong một tệp")]
    thematic = text_of(client.get(f"/rounds/{rid}/results/{published.works['KK1'].id}"))
    assert f"Giải Khuyến khích {THEMATIC}" in thematic


def test_work_page_does_not_link_a_part_url_that_is_not_http(client, session, published):
    part = session.exec(select(EntryPart).where(EntryPart.entry_id == published.works["B"].id)).one()
    part.url = "javascript:alert(1)"
    session.add(part)
    session.flush()
    page = client.get(f"/rounds/{published.round.id}/results/{published.works['B'].id}")
    assert page.status_code == 200 and "javascript:" not in page.text and "Xem bài gốc" not in page.text


# --- statistics ------------------------------------------------------------------------------------

def chart_rows(page, chart_id: str) -> list[tuple[str, ...]]:
    match = re.search(rf'<figure class="chart" aria-labelledby="{chart_id}-cap">(.*?)</figure>', page.text, re.S)
    assert match, chart_id
    rows = []
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", match.group(1), re.S)[1:]:
        cells = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(tuple(cells))
    return rows


def test_statistics_count_works_that_reached_the_centre(client, session, published):
    rid = published.round.id
    page = client.get(f"/rounds/{rid}/statistics")
    assert page.status_code == 200
    # Reached the centre: 7 finalists/awarded + 4 eligible + 1 ineligible + 1 received = 13.
    assert "13 tác phẩm về Trung ương" in text_of(page)
    assert chart_rows(page, "loai-hinh") == [
        ("Báo in", "6", "46,2 %"),  # A, KK1, none + 3 eligible
        ("Báo điện tử", "2", "15,4 %"),  # B + ineligible
        ("Phát thanh", "2", "15,4 %"),  # C + received
        ("Truyền hình", "2", "15,4 %"),  # special + eligible
        ("Ảnh báo chí", "1", "7,7 %")]
    units = {label: n for label, n, _ in chart_rows(page, "don-vi")}
    assert sum(int(n) for n in units.values()) == 13 and len(units) == 3
    assert sorted(units.values()) == ["1", "3", "9"]  # Nhân Dân 1; Nghệ An B, C, eligible tv; Hà Tĩnh the rest
    themes = chart_rows(page, "chu-de")
    assert [(code.split()[0], n) for code, n, _ in themes] == [("2.3", "1"), ("2.4", "3")]
    assert "(một tác phẩm có thể thuộc nhiều chủ đề; 10 tác phẩm chưa gắn chủ đề)" in text_of(page)
    assert re.search(r'<abbr title="[^"]+">2\.4</abbr>', page.text)
    # Shortlist rate: finalists ÷ eligible; prize rate: prizes ÷ eligible (print: 3 and 2 of 6).
    assert chart_rows(page, "ty-le") == [
        ("Báo in", "6", "3 (50,0 %)", "2 (33,3 %)"), ("Báo điện tử", "1", "1 (100,0 %)", "1 (100,0 %)"),
        ("Phát thanh", "1", "1 (100,0 %)", "1 (100,0 %)"), ("Truyền hình", "2", "1 (50,0 %)", "1 (50,0 %)"),
        ("Ảnh báo chí", "1", "1 (100,0 %)", "1 (100,0 %)"), ("Tổng", "11", "7 (63,6 %)", "6 (54,5 %)")]
    print_rates = re.search(r'<th scope="row">Báo in</th>.*?</tr>', page.text.split('aria-labelledby="ty-le-cap"')[1],
                            re.S).group(0)
    assert re.findall(r'<rect class="bar-fill" width="([\d.]+)"', print_rates) == ["50.00", "33.33"]
    assert '<figcaption id="ty-le-cap">' in page.text and 'aria-hidden="true"' in page.text


def test_statistics_group_units_beyond_the_top_fifteen(client, session, published):
    codes = [c for c in session.exec(select(Unit.code).order_by(Unit.code)).all()
             if c not in ("ha-tinh", "nghe-an", "bao-nhan-dan")][:15]
    for code in codes:
        make_work(session, published.owner, status="eligible", unit_code=code)
    page = client.get(f"/rounds/{published.round.id}/statistics")
    rows = chart_rows(page, "don-vi")
    assert len(rows) == 16 and rows[:2] == [(rows[0][0], "9", rows[0][2]), (rows[1][0], "3", rows[1][2])]
    assert rows[-1][:2] == ("Các đơn vị khác (3 đơn vị)", "3")  # 18 units: 15 shown, 3 with one work each
    assert "18 đơn vị gửi tác phẩm" in text_of(page)


def test_statistics_page_uses_a_fixed_number_of_queries(client, session, published, engine):
    from sqlalchemy import event

    statements = []

    def count(*args):
        if args[2].lstrip().upper().startswith("SELECT"):
            statements.append(args[2])

    rid = published.round.id
    client.get(f"/rounds/{rid}/statistics")
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(f"/rounds/{rid}/statistics")
        few = len(statements)
        for _ in range(20):
            make_work(session, published.owner, status="eligible", media_type="radio")
        statements.clear()
        client.get(f"/rounds/{rid}/statistics")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == few


# --- downloads ------------------------------------------------------------------------------------

HEADINGS = ["STT", "Mức giải", "Giải chuyên đề", "Tên tác phẩm", "Loại hình", "Thể loại", "Tác giả", "Bút danh",
            "Cơ quan báo chí", "Đơn vị", "Chủ đề", "Mã tác phẩm", "Mã kiểm tra"]


def test_csv_download_keeps_vietnamese_text(client, published):
    rid, w = published.round.id, published.works
    response = client.get(f"/api/v1/rounds/{rid}/results.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADINGS
    assert [(r[1], r[3]) for r in rows[1:]] == [
        ("Giải Đặc biệt", w["special"].title), ("Giải A", w["A"].title), ("Giải B", w["B"].title),
        ("Giải C", w["C"].title), ("Giải Khuyến khích", SCRIPT_TITLE), ("Giải Khuyến khích", w["KK1"].title)]
    a = rows[2]
    assert a[4:10] == ["Báo in", "Phóng sự", "Nguyễn Văn Ánh; Trần Thị Bình", "Ánh Dương; –", "Báo Hà Tĩnh", a[9]]
    assert a[10] == "2.3; 2.4" and a[11] == str(w["A"].id) and len(a[12]) == 64
    assert rows[6][2] == THEMATIC and rows[5][4] == "Ảnh báo chí"


def test_xlsx_download_has_title_headings_and_rows(client, published):
    rid, w = published.round.id, published.works
    response = client.get(f"/api/v1/rounds/{rid}/results.xlsx")
    assert response.status_code == 200
    assert 'filename="ket-qua-bua-liem-vang-IX-2024.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Kết quả"
    assert values[0][0] == "Kết quả Giải Búa liềm vàng lần thứ IX – năm 2024"
    assert values[1] == HEADINGS
    assert len(values) == 8
    assert values[3][:8] == [2, "Giải A", None, w["A"].title, "Báo in", "Phóng sự", "Nguyễn Văn Ánh; Trần Thị Bình",
                             "Ánh Dương; –"]  # each pen name against its author: the second has none
    assert values[6][3] == SCRIPT_TITLE and values[6][4] == "Ảnh báo chí" and values[7][2] == THEMATIC


def test_downloads_are_404_before_publication(client, session, clock):
    built = build_list(client, session, clock, publish=False)
    rid = built.round.id
    for url in (f"/api/v1/rounds/{rid}/results.csv", f"/api/v1/rounds/{rid}/results.xlsx",
                f"/api/v1/entries/{built.works['A'].id}/certificate.pdf"):
        assert client.get(url).status_code == 404


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_certificate_pdf_names_author_title_and_level(client, published):
    entry = published.works["A"]
    response = client.get(f"/api/v1/entries/{entry.id}/certificate.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pages, text = pdf_text(response.content)
    assert pages == 2
    assert "GIẤY CHỨNG NHẬN" in text and "Giải A" in text
    assert "Nguyễn Văn Ánh (bút danh Ánh Dương)" in text and "Trần Thị Bình" in text
    assert "Giữ vững kỷ cương ở chi bộ vùng biên" in text
    second = client.get(f"/api/v1/entries/{entry.id}/certificate.pdf", params={"author": 2})
    pages, text = pdf_text(second.content)
    assert pages == 1 and "Trần Thị Bình" in text and "Nguyễn Văn Ánh" not in text
    assert client.get(f"/api/v1/entries/{entry.id}/certificate.pdf", params={"author": 3}).status_code == 404


# --- the author's own page ---------------------------------------------------------------------------
def test_the_author_sees_the_prize_the_public_result_and_a_certificate_per_author(client, session, published):
    rid, w = published.round.id, published.works
    web_login(client, published.owner)
    page = client.get(f"/entries/{w['A'].id}")
    text = text_of(page)
    assert "Kết quả Giải A – Giải Búa liềm vàng lần thứ IX – năm 2024." in text
    assert f'href="http://testserver/rounds/{rid}/results/{w["A"].id}"' in page.text
    assert "Giấy chứng nhận: Nguyễn Văn Ánh" in text and "Giấy chứng nhận: Trần Thị Bình" in text
    certificate = client.get(f"/api/v1/entries/{w['A'].id}/certificate.pdf", params={"author": 2})
    assert certificate.status_code == 200 and certificate.headers["content-type"] == "application/pdf"
    assert "Tác phẩm vào vòng chung khảo nhưng không đạt giải." in text_of(client.get(f"/entries/{w['none'].id}"))
    assert "không vào vòng chung khảo" in text_of(client.get(f"/entries/{published.others['eligible_print'][0].id}"))


def test_under_embargo_the_author_sees_no_result_yet(client, session, clock):
    embargoed = build_list(client, session, clock, publish_at=EMBARGO)
    web_login(client, embargoed.owner)
    text = text_of(client.get(f"/entries/{embargoed.works['A'].id}"))
    assert "Kết quả" not in text and "Giải A" not in text


@pytest.mark.parametrize(("size", "shown"), [(0, "0 B"), (912, "912 B"), (1024, "1,0 KB"), (4300, "4,2 KB"),
                                             (3_670_016, "3,5 MB"), (5 * 1024 ** 3, "5,0 GB")])
def test_file_sizes_read_as_people_write_them(size, shown):
    from api.templating import file_size

    assert file_size(size) == shown
