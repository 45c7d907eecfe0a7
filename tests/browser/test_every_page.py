"""Issue 17 item 6: every page of every role in the demo, on a phone (375 px) and on a desktop, has no
serious or critical accessibility violation (axe-core, vendored in tests/support/vendor) and never scrolls
sideways (wide tables scroll inside their own box).

Each role starts at its dashboard and follows the same-site links it is shown, breadth first; pages that
differ only by an id count once (the first one met stands for the kind), so the crawl covers every kind of
page a role reaches without visiting every work."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.demo import DEMO_ACCOUNTS
from tests.support.browser import date_in_words, login, scrolls_sideways

pytestmark = pytest.mark.browser

AXE = (Path(__file__).resolve().parents[1] / "support" / "vendor" / "axe-core" / "axe.min.js").read_text()
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
MAX_KINDS = 60  # kinds of page per role: more than any role has today; a runaway crawl stops here
SKIP = re.compile(r"^/(api/|static/|logout|huong-dan/api)|\.(pdf|xlsx|csv|json|txt)$|/files/")
PUBLIC = "anonymous"


def kind(path: str) -> str:
    return re.sub(r"/\d+(\.\d+)*(?=/|$)", "/{id}", path)  # ids, and outline codes such as 2.3


def crawl(page, base: str, visit) -> list[str]:
    """The pages reachable from the dashboard (or the home page), one per kind, in the order found; `visit(path)`
    is called on each while it is open (so each page loads once for the crawl and its checks)."""
    start = "/dashboard" if page.context.cookies() else "/"
    queue, seen, pages = [start], {kind(start)}, []
    while queue and len(pages) < MAX_KINDS:
        path = queue.pop(0)
        response = page.goto(base + path)
        if response is None or response.status >= 400 or urlsplit(page.url).path != urlsplit(path).path:
            continue  # a refusal or a redirect: the page it leads to is met on its own
        pages.append(path)
        visit(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != urlsplit(base).netloc:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not parts.path.startswith("/") or SKIP.search(parts.path) or kind(parts.path) in seen:
                continue
            seen.add(kind(parts.path))
            queue.append(target)
    return pages


def problems(page) -> list[str]:
    found = []
    if scrolls_sideways(page):
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.scroll, .table-wrap'))
            .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""")
        found.append(f"scrolls sideways ({', '.join(wide)})")
    # a note's box (.alert) holds its text at its padding: no paragraph's margin adds space above or below it
    found += [f"alert box with extra space inside ({gaps})" for gaps in page.evaluate("""() =>
        [...document.querySelectorAll('.alert')].filter(a => a.offsetParent !== null).map(a => {
            const kids = [...a.children].filter(k => k.offsetParent !== null && getComputedStyle(k).position !== 'absolute');
            if (!kids.length) return null;
            const box = a.getBoundingClientRect(), style = getComputedStyle(a);
            const top = kids[0].getBoundingClientRect().top - box.top - parseFloat(style.borderTopWidth)
                - parseFloat(style.paddingTop);
            const bottom = box.bottom - kids[kids.length - 1].getBoundingClientRect().bottom
                - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom);
            return top > 1 || bottom > 1 ? `${a.className}: ${Math.round(top)} px above, ${Math.round(bottom)} px below` : null;
        }).filter(Boolean)""")]
    # a panel's legend is its heading, inside its box (one set in the border wraps across it on a phone)
    found += [f"legend on the border of its panel: {text}" for text in page.evaluate("""() =>
        [...document.querySelectorAll('fieldset.panel > legend')].filter(l => l.offsetParent !== null)
            .filter(l => l.getBoundingClientRect().top < l.parentElement.getBoundingClientRect().top
                + parseFloat(getComputedStyle(l.parentElement).borderTopWidth) - 0.5)
            .map(l => l.textContent.trim().slice(0, 40))""")]
    # a date field says its date in words under it, day first whatever the browser's order (static/js/date-input.js)
    for field_id, value, said in page.evaluate("""() =>
        [...document.querySelectorAll('input[type=date], input[type=datetime-local]')].map(f => {
            const echo = f.nextElementSibling;
            return [f.id || f.name, f.value, echo && echo.classList.contains('date-echo') ? echo.textContent : null];
        })"""):
        if said != date_in_words(value):
            found.append(f"date field {field_id} ({value!r}) says {said!r} under it")
    page.evaluate(AXE)
    result = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '))""")
    found += result
    return found


@pytest.mark.parametrize("role", [PUBLIC, *(email for email, *_ in DEMO_ACCOUNTS)])
def test_every_page_a_role_reaches_is_accessible_and_fits_a_phone(browser, demo_server, role):
    live_server = demo_server
    report, pages = {}, []
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(locale="vi-VN", viewport=viewport)
        page = context.new_page()

        def check(path, page=page, viewport=viewport):
            for problem in problems(page):
                if viewport is DESKTOP and problem.startswith("scrolls sideways"):
                    continue
                report.setdefault(path, []).append(f"{viewport['width']} px: {problem}")

        try:
            if role != PUBLIC:
                login(page, live_server, role)
            if not pages:  # the phone crawls, checking each page as it opens; the desktop opens the same pages
                pages = crawl(page, live_server, check)
                assert len(pages) >= 2, f"{role} reached only {pages}"
            else:
                for path in pages:
                    page.goto(live_server + path)
                    check(path)
        finally:
            context.close()
    assert report == {}, "\n".join(f"{path}: {p}" for path, ps in report.items() for p in ps)
