"""Sign-in and reset attempts are limited per client address and per email address typed, in
a store every worker shares: a real redis-server behind gunicorn with two workers.

Each attempt comes from a loopback address of its own choosing (127.0.0.x), so that the
per-address and per-account limits can be tried apart. The attempts of a batch are sent at
once, so both workers answer some of them; gunicorn's access log names the worker of each.
The limits must hold exactly whichever worker answers: N attempts pass, the next is refused.
A refusal for an email address reads the same whether or not the address has an account.

Skipped only when redis-server is not installed and CI is not set; `make test` installs it.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from flask_migrate import upgrade
from requests.adapters import HTTPAdapter

from bench.load import csrf_token
from bench.server import Gunicorn
from incubator import create_app
from incubator.blueprints.auth.routes import ACCOUNT_THROTTLED
from incubator.extensions import db, limiter
from tests import factories
from tests.helpers import without_csrf_tokens
from tests.redis_server import RedisServer, find_redis_server

if find_redis_server() is None and not os.environ.get("CI"):
    pytest.skip("redis-server is not installed (`make test` installs it)", allow_module_level=True)

WORKERS = 2
ADDRESS_LIMIT = 6  # attempts per client address and hour, on each form
ACCOUNT_LIMIT = 3  # attempts per email address and hour, on each form
REQUEST_TIMEOUT = 30
EXISTING_EMAIL = "maria.gonzalez@lacity.example"
SIGN_IN, RESET = "/auth/login", "/auth/forgot"
ACCESS_LINE = re.compile(r'^(\S+) <(\d+)> "POST (\S+) HTTP/1\.\d" (\d{3})$', re.MULTILINE)
# Loopback addresses the attempts come from, a new one whenever a client needs one.
ADDRESSES = (f"127.0.0.{n}" for n in itertools.count(10))
EMAILS = (f"attempt{n}@example.org" for n in itertools.count(1))


@dataclass
class Served:
    server: Gunicorn
    log_path: Path
    store: redis.Redis

    def url(self, path: str) -> str:
        return self.server.base_url + path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(database_factory, tmp_path_factory) -> Iterator[Served]:
    """redis-server, and gunicorn (2 workers) counting attempts in it, on a fresh database
    with one account."""
    url = database_factory("rate_limits")
    # The rate limiter is one object shared by every app; put its state back afterwards.
    limiter_state = dict(vars(limiter))
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    store = RedisServer().start()
    try:
        with app.app_context():
            upgrade()
            factories.user("manager", email=EXISTING_EMAIL, name="Maria Gonzalez")
            db.session.commit()
            db.session.remove()
        environment = {
            "RATELIMIT_ENABLED": "1",
            "RATELIMIT_STORAGE_URI": store.url,
            "LOGIN_RATE_LIMIT": f"{ADDRESS_LIMIT} per hour",
            "LOGIN_ACCOUNT_RATE_LIMIT": f"{ACCOUNT_LIMIT} per hour",
        }
        with Gunicorn(
            url,
            secrets.token_hex(32),
            WORKERS,
            log_path,
            environment=environment,
            access_log=True,
        ) as server:
            client = redis.Redis(host="127.0.0.1", port=store.port)
            try:
                yield Served(server, log_path, client)
            finally:
                client.close()
    finally:
        store.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        vars(limiter).clear()
        vars(limiter).update(limiter_state)


class FromAddress(HTTPAdapter):
    """Connections from one loopback address: the server sees a client of its own."""

    def __init__(self, address: str) -> None:
        self.address = address  # before __init__, which builds the pool manager
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Attempt:
    address: str
    path: str
    email: str
    password: str = "not the right password"
    status: int | str = 0
    text: str = ""


def prepare(served: Served, attempt: Attempt) -> tuple[requests.Session, dict]:
    """A browser at the attempt's address with the form open (GETs are not limited)."""
    browser = requests.Session()
    browser.mount("http://", FromAddress(attempt.address))
    form = browser.get(served.url(attempt.path), timeout=REQUEST_TIMEOUT)
    assert form.status_code == 200, form.text[:500]
    data = {"csrf_token": csrf_token(form.text), "email": attempt.email}
    if attempt.path == SIGN_IN:
        data["password"] = attempt.password
    return browser, data


def send_at_once(served: Served, attempts: list[Attempt]) -> list[Attempt]:
    """Open every form first, then post them all together; returns the attempts, answered."""
    prepared = [(attempt, *prepare(served, attempt)) for attempt in attempts]
    barrier = threading.Barrier(len(prepared))

    def post(attempt: Attempt, browser: requests.Session, data: dict) -> None:
        try:
            barrier.wait(timeout=REQUEST_TIMEOUT)
            response = browser.post(
                served.url(attempt.path), data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT
            )
            attempt.status, attempt.text = response.status_code, response.text
        except (requests.RequestException, threading.BrokenBarrierError) as error:
            attempt.status, attempt.text = type(error).__name__, repr(error)
        finally:
            browser.close()

    threads = [threading.Thread(target=post, args=entry, daemon=True) for entry in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * REQUEST_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an attempt never finished"
    return attempts


def send(served: Served, attempt: Attempt) -> Attempt:
    return send_at_once(served, [attempt])[0]


def workers_that_answered(served: Served, addresses: set[str], path: str) -> set[str]:
    """The pids of the workers the access log shows answering these addresses' posts."""
    return {
        pid
        for address, pid, logged_path, _status in ACCESS_LINE.findall(served.log())
        if address in addresses and logged_path == path
    }


def refused(attempts: list[Attempt]) -> list[Attempt]:
    return [attempt for attempt in attempts if attempt.status == 429]


def answered(attempts: list[Attempt]) -> list[Attempt]:
    """Attempts the form itself answered: the sign-in page again, or the reset redirect."""
    return [attempt for attempt in attempts if attempt.status in (200, 302)]


def message(attempt: Attempt) -> str:
    """The words of the page's main part, without markup."""
    found = re.search(r"<main[^>]*>(.*?)</main>", attempt.text, re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", found.group(1) if found else attempt.text)
    return " ".join(html.unescape(text).split())


# Which worker takes a request is the kernel's choice: a batch may land on one worker only.
# Each batch must hold the limit exactly; fresh batches are sent until one was answered by
# both workers, which shows that they count together.
TRIES_FOR_BOTH_WORKERS = 8


def exactly_limited(served: Served, batch: list[Attempt], limit: int, path: str) -> bool:
    """Send a batch at once, check that exactly `limit` got through and the rest were refused;
    returns whether both workers answered it."""
    send_at_once(served, batch)
    statuses = [attempt.status for attempt in batch]
    assert len(answered(batch)) == limit, statuses
    assert len(refused(batch)) == len(batch) - limit, statuses
    addresses = {attempt.address for attempt in batch}
    return len(workers_that_answered(served, addresses, path)) == WORKERS


def same_address(path: str, attempts: int) -> list[Attempt]:
    """Attempts from one fresh address, each with another email address."""
    address = next(ADDRESSES)
    return [Attempt(address, path, next(EMAILS)) for _ in range(attempts)]


def same_email(path: str, attempts: int) -> list[Attempt]:
    """Attempts at one fresh email address, each from another address."""
    email = next(EMAILS)
    return [Attempt(next(ADDRESSES), path, email) for _ in range(attempts)]


def until_both_workers_answered(served: Served, make_batch, limit: int, path: str) -> None:
    for _ in range(TRIES_FOR_BOTH_WORKERS):
        if exactly_limited(served, make_batch(), limit, path):
            return
    raise AssertionError(f"no batch reached both workers\n{served.log()[-3000:]}")


@pytest.mark.parametrize("path", [SIGN_IN, RESET], ids=["sign-in", "reset"])
def test_one_address_gets_exactly_its_limit_across_both_workers(served, path):
    address = next(ADDRESSES)
    batch = [Attempt(address, path, next(EMAILS)) for _ in range(ADDRESS_LIMIT + 1)]

    both = exactly_limited(served, batch, ADDRESS_LIMIT, path)
    again = send(served, Attempt(address, path, next(EMAILS)))
    elsewhere = send(served, Attempt(next(ADDRESSES), path, next(EMAILS)))
    if not both:
        until_both_workers_answered(
            served,
            lambda: [
                Attempt(fresh, path, next(EMAILS))
                for fresh in [next(ADDRESSES)] * (ADDRESS_LIMIT + 1)
            ],
            ADDRESS_LIMIT,
            path,
        )

    assert again.status == 429
    assert "Wait a minute before trying again." in message(again)
    assert elsewhere.status in (200, 302)


@pytest.mark.parametrize("path", [SIGN_IN, RESET], ids=["sign-in", "reset"])
def test_one_email_address_gets_exactly_its_limit_from_any_address_with_or_without_an_account(
    served, path
):
    throttled = {}
    both = False
    for email in (EXISTING_EMAIL, next(EMAILS)):
        batch = [Attempt(next(ADDRESSES), path, email) for _ in range(ACCOUNT_LIMIT + 1)]
        both = exactly_limited(served, batch, ACCOUNT_LIMIT, path) or both
        # Still refused from yet another address, even with the right password.
        later = send(
            served, Attempt(next(ADDRESSES), path, email.upper(), password=factories.PASSWORD)
        )
        assert later.status == 429
        throttled[email] = [refused(batch)[0], later]

    if not both:
        until_both_workers_answered(
            served,
            lambda: [
                Attempt(next(ADDRESSES), path, email)
                for email in [next(EMAILS)] * (ACCOUNT_LIMIT + 1)
            ],
            ACCOUNT_LIMIT,
            path,
        )
    existing, unknown = throttled.values()
    assert ACCOUNT_THROTTLED in message(existing[0])
    assert [message(a) for a in existing] == [message(a) for a in unknown]
    assert [without_csrf_tokens(a.text) for a in existing] == [
        without_csrf_tokens(a.text) for a in unknown
    ]


def test_the_counts_live_in_redis(served):
    send(served, Attempt(next(ADDRESSES), SIGN_IN, next(EMAILS)))

    keys = [key.decode() for key in served.store.keys("*")]

    assert any("auth.login" in key for key in keys), keys
    assert not any("@" in key for key in keys), "email addresses are stored only hashed"
