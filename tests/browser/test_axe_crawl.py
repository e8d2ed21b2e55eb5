"""Every page each demo role reaches from the navigation passes axe-core (WCAG 2.1 A and AA)
at 1366 px and 390 px and is no wider than a phone's screen.

The demo program (`flask seed-demo`) is served by gunicorn; each role signs in with the
login seed-demo printed and starts from its home: the navigation (the user menu's included),
then every page those pages link to, and so on, one page of each kind (the same view with
other ids counts once; a query's keys, and a board's view, make a kind of their own). Files
(CSV, JSON, calendars, charts) are left out.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.browser.harness import Browser
from tests.crawling import FILES, kind_of, starting_paths

pytestmark = pytest.mark.browser

# "visitor" is someone signed out: the sign-in pages and the public ones.
ROLES = ["manager", "founder", "mentor", "judge", "funder", "partner", "admin", "visitor"]


def crawl(browser: Browser, app: Flask) -> list[str]:
    """Visit every kind of page reachable from the home page or at an address without ids;
    return the paths visited."""
    seen: set[str] = set()
    visited: list[str] = []
    starting = starting_paths(app)
    waiting = list(starting)
    while waiting:
        path = waiting.pop(0).split("#")[0]
        kind = kind_of(app, path)
        if kind in seen or FILES.search(urlsplit(path).path):
            continue
        seen.add(kind)
        if path in starting and path != "/" and not browser.is_page_for_me(path):
            continue
        browser.open(path)
        visited.append(path)
        waiting += browser.links()
    return visited


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_passes_axe_at_both_widths(chromium_driver, demo_site, role):
    chromium_driver.delete_all_cookies()
    browser = Browser(chromium_driver, demo_site.base_url, f"crawl-{role}", strict=False)
    for login in demo_site.logins:
        if login.role == role:
            browser.sign_in(login.email, login.password)
    visited = crawl(browser, demo_site.app)
    print(f"{role}: {len(visited)} pages: {' '.join(visited)}")
    assert len(visited) >= (3 if role == "visitor" else 8), visited
    browser.assert_no_problems()
