"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

Never run `playwright install` (its downloads fail on the project's machines);
`scripts/ensure-test-services.sh` installs Debian's `chromium` package instead.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

CHROMIUM_PATH = os.environ.get("AWARD_CHROMIUM", "/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: Any, **kwargs: Any):
    """Launch headless Chromium with the project's flags.

    Works with both the sync and the async Playwright API (with the async one,
    await the result).  Extra keyword arguments go to `chromium.launch`.
    """
    if not os.path.exists(CHROMIUM_PATH):
        raise RuntimeError(
            f"{CHROMIUM_PATH} not found: run scripts/ensure-test-services.sh "
            "(it installs Debian's chromium package)"
        )
    options: dict[str, Any] = {
        "executable_path": CHROMIUM_PATH,
        "args": list(CHROMIUM_ARGS),
        "headless": True,
    }
    options.update(kwargs)
    return playwright.chromium.launch(**options)


def scrolls_sideways(page) -> str | None:
    """Why the page scrolls sideways ("… 468 px wide in 375 px"), or None when it does not (1 px of rounding).

    Measured once the page has loaded: an action that navigates returns as soon as the new document starts
    loading, and a page measured before its stylesheet applies is wider than it will be (CI failures on a
    busy machine: 468 px for a page that fits)."""
    page.wait_for_load_state("load")
    width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return f"{page.url} is {width} px wide in {viewport} px" if width > viewport + 1 else None


def assert_no_sideways_scroll(page) -> None:
    """Nothing on the page scrolls sideways (see :func:`scrolls_sideways`)."""
    wide = scrolls_sideways(page)
    assert wide is None, wide


DEMO_PASSWORD = "BuaLiemVang2024"


def login(page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login page, as a person does."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    # the next page whole, its stylesheet applied (see scrolls_sideways): waiting for "load" after the click
    # could answer for the login page itself, still the current one until the new page commits
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()



def open_round_settings(page, base: str, round_label: str) -> None:
    """As the secretariat already logged in: /admin/rounds, then the round's "thể lệ, lịch" link (its settings
    page, /admin/rounds/{id}), waiting for that page (the list holds the new round's calendar fields too)."""
    page.goto(f"{base}/admin/rounds")
    with page.expect_navigation():
        page.get_by_role("row").filter(has_text=round_label).get_by_role("link", name="thể lệ, lịch").click()

WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")  # date.weekday() order


def date_in_words(value: str) -> str:
    """What static/js/date-input.js writes under a date field of `value` ("2026-03-04" -> "Thứ tư, ngày 4 tháng 3
    năm 2026"; a datetime-local's "2026-03-04T08:30" adds ", lúc 08:30"; "" for an empty field)."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10])
    words = f"{WEEKDAYS[day.weekday()]}, ngày {day.day} tháng {day.month} năm {day.year}"
    return f"{words}, lúc {value[11:16]}" if len(value) > 10 else words
