"""Every page each demo role reaches from the navigation passes axe-core (WCAG 2.1 A and AA)
at 1366 px and 390 px and is no wider than a phone's screen.

The demo program (`flask seed-demo`) is served by gunicorn; each role signs in with the
login seed-demo printed and visits the pages of its navigation (the user menu's included),
then every page those link to: one page of each kind (paths alike but for their ids count
once), files (CSV, JSON, calendars, charts) left out.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.harness import Browser

pytestmark = pytest.mark.browser

ROLES = ["manager", "founder", "mentor", "judge", "funder", "partner", "admin"]
FILES = re.compile(r"\.(csv|json|ics|svg|png)$|^/static/")


def kind_of(path: str) -> str:
    """Paths that differ only in their ids (or their query) are pages of one kind."""
    return re.sub(r"/\d+(?=/|$)", "/N", path.split("?")[0].split("#")[0])


def crawl(browser: Browser) -> list[str]:
    """Visit the navigation's pages, then the pages they link to; return the paths seen."""
    seen_kinds: set[str] = set()
    visited: list[str] = []

    def visit(path: str) -> list[str]:
        kind = kind_of(path)
        if kind in seen_kinds or FILES.search(kind):
            return []
        seen_kinds.add(kind)
        browser.open(path)
        visited.append(path)
        return browser.links()

    nav_pages = visit("/")
    linked = []
    for path in nav_pages:
        linked += visit(path)
    for path in linked:
        visit(path)
    return visited


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_passes_axe_at_both_widths(chromium_driver, demo_site, role):
    (login,) = [login for login in demo_site.logins if login.role == role]
    chromium_driver.delete_all_cookies()
    browser = Browser(chromium_driver, demo_site.base_url, f"crawl-{role}", strict=False)
    browser.sign_in(login.email, login.password)
    visited = crawl(browser)
    print(f"{role}: {len(visited)} pages: {' '.join(visited)}")
    assert len(visited) >= 5, visited
    browser.assert_no_problems()
