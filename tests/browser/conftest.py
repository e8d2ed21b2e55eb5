"""Fixtures of the browser tests: the app under gunicorn, and Chromium.

`site` serves a fresh database that the journeys seed with the factories; `demo_site` serves
another, filled by `flask seed-demo`, for the crawl and the README's screenshots. Chromium is
started once for the session; each test gets a `Browser` with no cookies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from incubator import create_app
from tests.browser.harness import Browser, chromium


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str


def _app_on(url: str) -> Flask:
    return create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})


def _serve(database_factory, tmp_path_factory, name: str):
    from tests.races import served_app

    log_path = tmp_path_factory.mktemp(f"gunicorn-{name}") / "gunicorn.log"
    yield from served_app(database_factory(name), log_path, _app_on)


@pytest.fixture(scope="session")
def site(database_factory, tmp_path_factory):
    """Gunicorn on a fresh database, for the journeys (each seeds its own people)."""
    yield from _serve(database_factory, tmp_path_factory, "browser")


@pytest.fixture(scope="session")
def demo_site(database_factory, tmp_path_factory):
    """Gunicorn on a database filled by `flask seed-demo`, and the demo logins it printed."""
    for served in _serve(database_factory, tmp_path_factory, "demo"):
        with served.app.app_context():
            result = served.app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        served.logins = [
            DemoLogin(*match.groups())
            for match in re.finditer(
                r"^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)$", result.output, re.M
            )
        ]
        assert served.logins, result.output
        yield served


@pytest.fixture(scope="session")
def chromium_driver():
    with chromium() as driver:
        yield driver


@pytest.fixture
def browser(chromium_driver, site, request) -> Iterator[Browser]:
    chromium_driver.delete_all_cookies()
    yield Browser(chromium_driver, site.base_url, request.node.name)
    chromium_driver.delete_all_cookies()
