"""The public pages: home with the rounds, a round with its outline."""

from tests.factories import round_by_number


def test_home_lists_the_four_rounds(client, clock):  # the test clock: round IX takes entries (20 Sep 2024)
    page = client.get("/")
    assert page.status_code == 200
    for number, year in [("IV", 2019), ("VII", 2022), ("VIII", 2023), ("IX", 2024)]:
        assert f"Giải Búa liềm vàng lần thứ {number} – năm {year}" in page.text
    assert "Đang nhận tác phẩm" in page.text


def test_round_page_shows_outline_with_points(client, session):
    round_ = round_by_number(session, "VIII")
    page = client.get(f"/rounds/{round_.id}")
    assert page.status_code == 200
    assert "Đề cương tuyên truyền" in page.text
    assert 'id="chu-de-2.8"' in page.text
    assert "10/10/2023" in page.text
    assert "**" not in page.text


def test_security_headers_on_pages(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-request-id"]


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "storage": "ok"}
