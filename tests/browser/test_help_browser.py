"""In a real browser, with no way out of this machine: the API docs and the role guides work offline and
under the app's Content-Security-Policy."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def offline(page) -> list[str]:
    """Abort every request that would leave the machine (a CDN, the Swagger validator) and list them."""
    left: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname in ("127.0.0.1", "localhost"):
            return r.continue_()
        left.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    return left


def test_api_docs_show_the_operations_offline_under_the_csp(page, live_server):
    left = offline(page)
    response = page.goto(f"{live_server}/api/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Giải Búa liềm vàng – hệ thống quản lý tác phẩm")).to_be_visible()
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/auth/token").first
    expect(operation).to_be_visible()
    document = page.request.get(f"{live_server}/openapi.json").json()
    operations = sum(1 for item in document["paths"].values() for method in item
                     if method in ("get", "post", "put", "patch", "delete"))
    expect(page.locator(".opblock")).to_have_count(operations)  # every operation of the document is listed
    operation.click()  # an operation opens with its parameters and responses
    expect(page.locator(".opblock.is-open .responses-wrapper").first).to_be_visible()
    assert left == []
    assert page.console_errors == []  # no CSP violation, nothing missing
