"""The race harness: conflicting requests against a real multi-worker server.

`served` (a fixture in conftest.py) starts gunicorn with several sync workers on a fresh
database of the suite's kind (SQLite file or PostgreSQL), as production runs it; an app of
our own on the same database seeds each round and checks it afterwards. People sign in
through the login form once (`Browser`); `race` releases a batch of prepared requests at
the same instant from one thread each, follows each redirect once as a browser would, and
returns what every person was shown. `rounds` repeats a conflict, checking its invariant
after each round and that no request got a 5xx and no traceback reached the log.

SQLite serialises writers, so only PostgreSQL (READ COMMITTED, row locks) can show a lost
update or a deadlock; `make test` runs this harness on both.
"""

from __future__ import annotations

import html
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from flask import Flask, url_for

from bench.load import csrf_token, signed_in_session
from bench.server import Gunicorn
from incubator.extensions import db
from tests import factories

WORKERS = 4
REQUEST_TIMEOUT = 30  # seconds, for every request the harness makes
ROUNDS = 20  # rounds per conflict, as the requirement asks
ALERT = re.compile(r'<div class="alert[^"]*"[^>]*role="alert">(.*?)<button', re.DOTALL)


@dataclass
class Served:
    """Gunicorn serving the app, and an app of our own on the same database."""

    app: Flask
    server: Gunicorn
    log_path: Path

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def path_for(self, endpoint: str, **values) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def log(self, since: int = 0) -> str:
        """Gunicorn's log, from a character offset (an earlier len(log())) on."""
        return self.log_path.read_text(errors="replace")[since:]

    def seed(self, build: Callable[[], Any]) -> Any:
        """Run `build` in an app context, commit what it made, and return its result."""
        with self.app.app_context():
            result = build()
            db.session.commit()
            db.session.remove()
            return result

    def check(self, inspect: Callable[[], Any]) -> Any:
        """Run `inspect` in a fresh app context (it reads what the server committed)."""
        with self.app.app_context():
            try:
                return inspect()
            finally:
                db.session.remove()


class Browser:
    """One person signed in through the login form, with the CSRF token of their session."""

    def __init__(self, served: Served, email: str, password: str = factories.PASSWORD):
        self.served = served
        self.email = email
        self.session = signed_in_session(served.base_url, email, password)
        home = self.session.get(served.base_url + "/", timeout=REQUEST_TIMEOUT)
        assert home.status_code == 200, (email, home.status_code, home.text[:500])
        self.token = csrf_token(home.text)

    def post(self, endpoint: str, data: dict | None = None, **values) -> Request:
        """A POST to send later, with the session's CSRF token added."""
        path = self.served.path_for(endpoint, **values)
        return Request(self, path, {"csrf_token": self.token, **(data or {})})

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.served.base_url + path, timeout=REQUEST_TIMEOUT)

    def close(self) -> None:
        self.session.close()


@dataclass
class Request:
    browser: Browser
    path: str
    data: dict


@dataclass
class Shown:
    """What one request's sender saw: the answer, and the page a redirect led to."""

    request: Request
    status: int | str  # the HTTP status, or the name of the exception the request raised
    location: str = ""
    shown_status: int | None = None
    page: str = ""

    @property
    def statuses(self) -> list[int | str]:
        return [s for s in (self.status, self.shown_status) if s is not None]

    @property
    def server_error(self) -> bool:
        return any(not isinstance(s, int) or s >= 500 for s in self.statuses)

    @property
    def messages(self) -> list[str]:
        """The flash messages on the page the person ends up on."""
        return [" ".join(html.unescape(text).split()) for text in ALERT.findall(self.page)]

    @property
    def text(self) -> str:
        return " | ".join(self.messages)

    def said(self, *fragments: str) -> bool:
        """Whether one of the flash messages contains every fragment."""
        return any(all(f in message for f in fragments) for message in self.messages)

    def describe(self) -> str:
        path = urlsplit(self.location).path or "-"
        return f"{self.request.browser.email} {self.request.path}: {self.statuses} -> {path}"


def race(requests_: list[Request]) -> list[Shown]:
    """Send every request at the same instant; follow each redirect once."""
    barrier = threading.Barrier(len(requests_))
    shown: list[Shown | None] = [None] * len(requests_)

    def send(number: int, request: Request) -> None:
        session = request.browser.session
        url = request.browser.served.base_url + request.path
        try:
            barrier.wait(timeout=REQUEST_TIMEOUT)
            response = session.post(
                url, data=request.data, allow_redirects=False, timeout=REQUEST_TIMEOUT
            )
            result = Shown(request, response.status_code, page=response.text)
            if response.is_redirect:
                result.location = response.headers["Location"]
                page = session.get(
                    urljoin(url, result.location), allow_redirects=False, timeout=REQUEST_TIMEOUT
                )
                result.shown_status = page.status_code
                result.page = page.text
        except (requests.RequestException, threading.BrokenBarrierError) as error:
            result = Shown(request, type(error).__name__, page=repr(error))
        shown[number] = result

    threads = [
        threading.Thread(target=send, args=(number, request), daemon=True)
        for number, request in enumerate(requests_)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * REQUEST_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return [s for s in shown if s is not None]


@dataclass
class Tally:
    """How the rounds of one conflict ended, for the summary and the README table."""

    name: str
    outcomes: Counter = field(default_factory=Counter)
    server_errors: int = 0

    def add(self, outcome: str) -> None:
        self.outcomes[outcome] += 1

    @property
    def played(self) -> int:
        return sum(self.outcomes.values())

    def line(self) -> str:
        ended = ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items()))
        return f"{self.name}: {self.played} rounds ({ended}), 5xx {self.server_errors}"


# Every finished conflict, for the race summary at the end of the run (conftest.py).
TALLIES: list[Tally] = []


def rounds(
    served: Served,
    name: str,
    play: Callable[[int], tuple[list[Shown], Any]],
    check: Callable[[list[Shown], Any], str],
    count: int = ROUNDS,
) -> Tally:
    """Play a conflict `count` times. `play(number)` seeds a round and races it, returning
    what was shown and what `check` needs; `check` asserts the round's invariant and names
    the outcome ("cancel won", ...). No request may get a 5xx and no traceback may reach
    gunicorn's log."""
    tally = Tally(name)
    TALLIES.append(tally)
    for number in range(count):
        log_start = len(served.log())
        shown, context = play(number)
        summary = _summary(served, shown, log_start)
        tally.server_errors += sum(s.server_error for s in shown)
        assert not any(s.server_error for s in shown), summary
        log = served.log(log_start)
        assert "Traceback" not in log and "unhandled error" not in log, summary
        try:
            tally.add(check(shown, context))
        except AssertionError as error:
            raise AssertionError(f"{name}, round {number + 1}: {error}\n{summary}") from None
    return tally


def _summary(served: Served, shown: list[Shown], log_start: int) -> str:
    lines = [s.describe() + f" says {s.messages}" for s in shown]
    lines.append("gunicorn log:\n" + "\n".join(served.log(log_start).splitlines()[-40:]))
    return "\n".join(lines)


def one_of(shown: list[Shown], predicate: Callable[[Shown], bool]) -> tuple[Shown, Shown]:
    """Split a pair of answers into the one that satisfies `predicate` and the other; fail
    unless exactly one does."""
    assert len(shown) == 2
    matching = [s for s in shown if predicate(s)]
    assert len(matching) == 1, f"expected exactly one winner, got {[s.text for s in shown]}"
    (winner,) = matching
    loser = shown[1] if winner is shown[0] else shown[0]
    return winner, loser


def served_app(
    database_url: str, log_path: Path, app_factory: Callable[[str], Flask]
) -> Iterator[Served]:
    """Migrate a fresh database and serve it with gunicorn until the generator is closed."""
    import secrets

    from flask_migrate import upgrade

    from incubator.extensions import limiter

    # The rate limiter is one object shared by every app; put its state back afterwards.
    limiter_state = dict(vars(limiter))
    app = app_factory(database_url)
    try:
        with app.app_context():
            upgrade()
            db.session.remove()
        # bench.wsgi_bench: debug off, fast password hashing, CSRF on, rate limits off (env).
        with Gunicorn(database_url, secrets.token_hex(32), WORKERS, log_path) as server:
            yield Served(app, server, log_path)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        vars(limiter).clear()
        vars(limiter).update(limiter_state)
