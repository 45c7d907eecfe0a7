"""Reference data section of the API contract: rounds, units, outlines."""

from sqlmodel import select

from award.models import OutlineNode, Role, Unit, UnitKind
from tests.factories import api_login, make_user, round_by_number


def test_rounds_are_the_five_shipped_with_their_dates(client):
    rounds = client.get("/api/v1/rounds").json()
    assert [(r["number"], r["year"]) for r in rounds] == [("IV", 2019), ("VII", 2022), ("VIII", 2023), ("IX", 2024),
                                                          ("X", 2025)]
    viii = rounds[2]
    assert viii["publication_start"] == "2022-11-01"
    assert viii["publication_end"] == "2023-10-31"
    assert viii["local_deadline"] == "2023-10-10"
    assert viii["central_deadline"] == "2023-11-10"
    assert set(viii) == {"id", "number", "year", "name", "status", "publication_start", "publication_end",
                         "local_deadline", "central_deadline", "phase", "phase_label", "draft", "closed_at", "calendar"}
    assert viii["calendar"] == {"submission_opens": "2023-02-03", "local_deadline": "2023-10-10",
                                "central_deadline": "2023-11-10", "preliminary_ends": "2023-12-05",
                                "final_ends": "2024-01-20", "ceremony_on": "2024-02-03"}
    assert viii["phase"] == viii["status"] == "closed"


def test_round_detail_has_rules_with_prize_counts_and_rubric(client, session):
    round_ = round_by_number(session, "VIII")
    body = client.get(f"/api/v1/rounds/{round_.id}").json()
    assert body["rules"]["prize_counts"] == {"special": 1, "A": 6, "B": 12, "C": 18, "KK": 30}
    assert [c["code"] for c in body["rules"]["rubric"]] == ["content", "discovery", "form", "effect", "hardship"]
    assert sum(float(c["max_points"]) for c in body["rules"]["rubric"] if not c["bonus"]) == 100
    assert body["rules"]["max_parts"] == 5


def test_unknown_round_is_404_with_vietnamese_message(client):
    response = client.get("/api/v1/rounds/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == {"code": "round_not_found", "message": "Không tìm thấy đợt giải."}


def test_units_of_round_ix_include_63_provinces_and_central_bodies(client, session):
    round_ = round_by_number(session, "IX")
    units = client.get(f"/api/v1/units?round_id={round_.id}").json()
    kinds = [u["kind"] for u in units]
    assert kinds.count("province") == 63
    assert kinds.count("central_committee") >= 5
    assert kinds.count("press_agency") >= 10
    assert {"ha-noi", "thanh-pho-ho-chi-minh", "ha-tinh", "bao-nhan-dan", "tap-chi-cong-san"} <= {u["code"] for u in units}
    hanoi = session.exec(select(Unit).where(Unit.code == "ha-noi")).one()
    assert (hanoi.name, hanoi.kind, hanoi.default_quota) == ("Hà Nội", UnitKind.province, 60)


def test_outline_of_round_vii_has_fifteen_themes(client, session):
    round_ = round_by_number(session, "VII")
    nodes = client.get(f"/api/v1/rounds/{round_.id}/outline").json()["nodes"]
    themes = [t["code"] for s in nodes for t in s["children"] if t["kind"] == "theme"]
    assert themes == ["1.1", "1.2", "1.3", "1.4", "1.5"] + [f"2.{i}" for i in range(1, 11)]


def test_outline_of_round_ix_has_points_under_item_two(client, session):
    round_ = round_by_number(session, "IX")
    nodes = client.get(f"/api/v1/rounds/{round_.id}/outline").json()["nodes"]
    assert [n["code"] for n in nodes] == ["1", "2"]
    assert [p["code"] for p in nodes[1]["children"]] == ["2.1", "2.2", "2.3", "2.4"]
    assert all(p["kind"] == "point" for p in nodes[1]["children"])


def test_secretariat_patches_round_rules_and_dates(client, session):
    round_ = round_by_number(session, "IX")
    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.patch(f"/api/v1/rounds/{round_.id}", headers=headers,
                            json={"local_deadline": "2024-10-15", "rules": {"max_parts": 3}})
    assert response.status_code == 200
    assert response.json()["local_deadline"] == "2024-10-15"
    assert response.json()["rules"]["max_parts"] == 3
    session.refresh(round_)
    assert round_.rules["max_parts"] == 3
    assert round_.rules["max_authors"] == 5


def test_patch_with_bad_rules_changes_nothing(client, session):
    round_ = round_by_number(session, "IX")
    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.patch(f"/api/v1/rounds/{round_.id}", headers=headers,
                            json={"local_deadline": "2024-10-20", "rules": {"max_parts": 0}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rules", "max_parts"]
    session.refresh(round_)
    assert str(round_.local_deadline) == "2024-10-10"
    assert round_.rules["max_parts"] == 5


def test_journalist_cannot_patch_round(client, session):
    round_ = round_by_number(session, "IX")
    response = client.patch(f"/api/v1/rounds/{round_.id}", headers=api_login(client, make_user(session)),
                            json={"status": "closed"})
    assert response.status_code == 403


def test_outline_parse_preview_saves_nothing(client, session):
    headers = api_login(client, make_user(session, role=Role.secretariat))
    before = len(session.exec(select(OutlineNode)).all())
    text = "1- Tuyên truyền trọng tâm\n1.1- Chủ đề thứ nhất về xây dựng Đảng\n- Ý một\n- Ý hai\n1.2- Chủ đề thứ hai\n"
    response = client.post("/api/v1/outlines/parse", headers=headers, data={"text": text})
    assert response.status_code == 200
    nodes = response.json()["nodes"]
    assert nodes[0]["children"][0]["code"] == "1.1"
    assert [p["title"] for p in nodes[0]["children"][0]["children"]] == ["Ý một", "Ý hai"]
    assert len(session.exec(select(OutlineNode)).all()) == before


def test_outline_parse_from_docx_upload(client, session):
    import io

    import docx

    document = docx.Document()
    for line in ["1. Nội dung trọng tâm", "1.1. Học tập và làm theo tư tưởng Hồ Chí Minh", "- Gương điển hình tiên tiến"]:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.post("/api/v1/outlines/parse", headers=headers,
                           files={"file": ("Đề cương 2025.docx", buf.getvalue(),
                                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document")})
    assert response.status_code == 200
    theme = response.json()["nodes"][0]["children"][0]
    assert theme["title"] == "Học tập và làm theo tư tưởng Hồ Chí Minh"
    assert theme["children"][0]["title"] == "Gương điển hình tiên tiến"


def test_outline_parse_refuses_a_binary_file(client, session):
    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.post("/api/v1/outlines/parse", headers=headers,
                           files={"file": ("de-cuong.pdf", b"MZ\x90\x00\x03\x00\x00\x00binary", "application/pdf")})
    assert response.status_code == 415
    assert response.json()["detail"]["field"] == "file"


def test_put_outline_replaces_round_outline(client, session):
    round_ = round_by_number(session, "IX")
    headers = api_login(client, make_user(session, role=Role.secretariat))
    text = "1. Mục một về công tác cán bộ\n1.1. Chủ đề A về kiểm tra giám sát\n1.2. Chủ đề B về dân vận\n"
    response = client.put(f"/api/v1/rounds/{round_.id}/outline", headers=headers, data={"text": text})
    assert response.status_code == 200
    stored = client.get(f"/api/v1/rounds/{round_.id}/outline").json()["nodes"]
    assert [(n["code"], [c["code"] for c in n["children"]]) for n in stored] == [("1", ["1.1", "1.2"])]
    assert stored[0]["children"][1]["title"] == "Chủ đề B về dân vận"


def test_put_outline_on_closed_round_is_409(client, session):
    round_ = round_by_number(session, "IV")
    headers = api_login(client, make_user(session, role=Role.secretariat))
    response = client.put(f"/api/v1/rounds/{round_.id}/outline", headers=headers,
                          data={"text": "1. Mục\n1.1. Chủ đề mới\n"})
    assert response.status_code == 409
    assert len(client.get(f"/api/v1/rounds/{round_.id}/outline").json()["nodes"]) == 2
