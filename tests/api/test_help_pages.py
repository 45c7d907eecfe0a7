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
