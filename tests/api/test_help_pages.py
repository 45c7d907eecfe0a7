"""Help shipped with the app: the API docs page loads only vendored files, with no inline script."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_api_docs_page_loads_only_vendored_files_without_inline_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.text
    assert 'data-openapi-url="/openapi.json"' in html
    sources = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sources and all(s.startswith("http://testserver/static/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
        assert (ROOT / "static" / source.removeprefix("http://testserver/static/")).is_file()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # no inline script
    assert " style=" not in html and "<style" not in html
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_each_role_guide_is_a_vietnamese_page_linked_from_its_dashboard(client, session):
    from award.models import Role
    from api.pages.help import GUIDES, ROLE_GUIDES

    assert set(ROLE_GUIDES) == {r.value for r in Role}  # every role has at least one guide
    index = client.get("/huong-dan")
    assert index.status_code == 200
    for guide in GUIDES.values():
        assert f'href="http://testserver/huong-dan/{guide.slug}"' in index.text
        page = client.get(f"/huong-dan/{guide.slug}")
        assert page.status_code == 200 and f"<h1>{guide.title}</h1>" in page.text
        assert 3 <= len(guide.steps) <= 6
    missing = client.get("/huong-dan/khong-co")
    assert missing.status_code == 404 and "Không có hướng dẫn này." in missing.text
