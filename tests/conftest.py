"""Fixtures: the app on SQLite or PostgreSQL, a clean database per test, clients, logins.

INCUBATOR_TEST_DB=postgresql runs the suite against a throw-away PostgreSQL server;
the default is SQLite. `make test` runs both.

INCUBATOR_TEST_CLOCK=2027-03-20T07:30Z runs the whole session, and the servers it starts,
with the clock moved to that instant (tests/travel.py); `make test-clocks` runs the suite at
each instant the calendar makes awkward.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, select

from incubator import create_app
from incubator.blueprints.pipeline import board as board_pages
from incubator.blueprints.scorecard import pages as scorecard_pages
from incubator.demo import seed
from incubator.demo.seed import DemoLogin
from incubator.extensions import db as _db
from incubator.extensions import limiter
from incubator.models import AuditEvent, OutboxMessage
from incubator.services.hackathons import stamps as judging_stamps
from incubator.services.inclusion import stamps as funnel_stamps
from incubator.services.matching import review_memory
from incubator.services.pipeline import board as pipeline_board
from incubator.services.pipeline import facts, stamps
from tests import factories, travel
from tests.postgres import PostgresServer

pytest_plugins = [
    "tests.plugins.accounts",
    "tests.plugins.hackathons",
    "tests.plugins.inclusion",
    "tests.plugins.matching",
    "tests.plugins.mentoring",
    "tests.plugins.pipeline",
    "tests.plugins.registration",
    "tests.plugins.scorecard",
]

BACKEND = os.environ.get("INCUBATOR_TEST_DB", "sqlite")
TRAVELLER = pytest.StashKey[object]()


def pytest_configure(config) -> None:
    # Before collection: test modules read the clock at import time too.
    config.stash[TRAVELLER] = travel.start_from_environment()
    compile_catalogues()


def compile_catalogues() -> None:
    """Compile each language's catalogue whose .mo is missing or older than its .po, as
    `make translations-compile` does at install, so a run of pytest alone after a change to a
    catalogue (or a merge) tests the translations it has."""
    for source in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/*.po"):
        compiled = source.with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
            continue
        with source.open("rb") as file:
            catalogue = read_po(file)
        with compiled.open("wb") as file:
            write_mo(file, catalogue)


def pytest_unconfigure(config) -> None:
    traveller = config.stash.get(TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config) -> list[str]:
    instant = travel.destination()
    clock = f"clock moved to {instant.isoformat()}" if instant else "the real clock"
    return [f"incubator test database: {BACKEND}", f"incubator test clock: {clock}"]


def pytest_terminal_summary(terminalreporter) -> None:
    """How each race of tests/races.py ended, round by round, on this database."""
    from tests.races import TALLIES

    if TALLIES:
        terminalreporter.section(f"races on {BACKEND}")
        for tally in TALLIES:
            terminalreporter.line(tally.line())


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    if BACKEND != "postgresql":
        yield None
        return
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_factory(postgres, tmp_path_factory):
    """Makes a new empty database and returns its URL."""
    counter = iter(range(1, 10_000))

    def make(name: str) -> str:
        number = next(counter)
        if postgres is not None:
            return postgres.create_database(f"{name}_{number}")
        return f"sqlite:///{tmp_path_factory.mktemp('db') / f'{name}_{number}.sqlite'}"

    return make


@pytest.fixture(scope="session")
def database_url(database_factory) -> str:
    return database_factory("incubator_test")


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The `app` fixture keeps an app context pushed for the test's own queries. Flask reuses
    a pushed app context for requests, so without this every request would share the
    test's `g` (where Flask-Login caches the signed-in user) and its database session.

    The test's own transaction is committed before each request, as an earlier request's
    would be: what the test built is saved, the test holds no SQLite lock the request
    would wait for, and the test's objects are expired, so it reads what the request wrote.
    A streamed body is read inside the request's own context too (buffered), where
    `stream_with_context` finds the contexts it keeps.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            _db.session.commit()
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def app(_app):
    """The app, with a clean database and an app context for the test's own queries.

    Whatever a test did, the derived pipeline facts must still agree with the history they
    derive from (services/pipeline/facts.py): every test that changes a milestone, a
    check-in or a stage checks the listeners that keep them current.
    """
    with _app.app_context():
        yield _app
        _db.session.remove()
        try:
            stale = facts.stale_ventures()
            _db.session.remove()
            if stale:
                pytest.fail(f"pipeline facts out of date for ventures {stale}", pytrace=False)
        finally:
            _empty_database()


@pytest.fixture(scope="class")
def class_app(_app):
    """The app for a test class whose tests share rows they only read.

    The class builds its rows once; the database is emptied when the class is done.
    """
    with _app.app_context():
        yield _app
        _db.session.remove()
        _empty_database()


@pytest.fixture(scope="class")
def demo_program(_app) -> Iterator[dict[str, DemoLogin]]:
    """The demo program (`flask seed-demo`), seeded once for a class whose tests only read
    it: each role's demo login by role."""
    with _app.app_context():
        logins = {login.role: login for login in seed.seed()}
        _db.session.commit()
        yield logins
        _db.session.remove()
        _empty_database()


def _empty_database() -> None:
    tables = list(_db.metadata.sorted_tables)
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # DELETE costs next to nothing on the few small tables a test fills, where
            # TRUNCATE pays for new files for every table; the sequences restart so ids
            # begin at 1 in every test, as TRUNCATE ... RESTART IDENTITY did. One round trip.
            # The table names come from the app's own metadata, never from input.
            deletes = " ".join(
                f'DELETE FROM "{table.name}";'  # noqa: S608
                for table in reversed(tables)
            )
            restart = (
                "FOR s IN SELECT schemaname, sequencename FROM pg_sequences "
                "WHERE last_value IS NOT NULL LOOP EXECUTE 'ALTER SEQUENCE ' || "
                "quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename) || ' RESTART'; "
                "END LOOP;"
            )
            connection.exec_driver_sql(f"DO $$ DECLARE s record; BEGIN {deletes} {restart} END $$")
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


def forget_kept() -> None:
    """Drop everything this worker keeps in memory under a stamp or a fingerprint."""
    scorecard_pages.forget()
    stamps.forget()
    judging_stamps.forget()
    funnel_stamps.forget()
    review_memory.forget()
    pipeline_board.forget()
    board_pages.forget()


@pytest.fixture(autouse=True)
def _forget_kept_pages() -> None:
    """Each test starts with nothing kept in this worker's memory: a kept page is filed under
    its data's fingerprint, and another test's data may have the same one."""
    forget_kept()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_app(app, database_url) -> Iterator[Callable[..., Flask]]:
    """Build a separate app on the test database (or another URL) with config overrides.

    The rate limiter is one object shared by every app, and an app built with limits
    switches it on for all of them, so its state is put back afterwards.
    """
    limiter_state = dict(vars(limiter))
    built: list[Flask] = []

    def build(config_name: str = "testing", **overrides) -> Flask:
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", database_url)
        extra = create_app(config_name, overrides=overrides)
        extra.test_client_class = IsolatedClient
        built.append(extra)
        return extra

    yield build
    for extra in built:
        with extra.app_context():
            _db.session.remove()
            _db.engine.dispose()
    vars(limiter).clear()
    vars(limiter).update(limiter_state)


@pytest.fixture
def manager(db):
    """Maria Gonzalez, the program manager most tests act as."""
    return factories.user("manager", name="Maria Gonzalez", email="maria@example.org")


@pytest.fixture
def cohort(db, manager):
    """Spring 2025, an active cohort with the program's default stage milestones."""
    return factories.cohort("Spring 2025", by=manager)


@pytest.fixture
def bare_cohort(db, manager):
    """Spring 2025 without the default milestones, so only those a test adds exist."""
    from incubator.services.pipeline import stages

    cohort = factories.cohort("Spring 2025", by=manager)
    for template in stages.milestone_templates(cohort):
        stages.remove_milestone_template(template, by=manager)
    return cohort


@pytest.fixture
def sign_in(app) -> Callable:
    """Post the login form: `sign_in(client, email, password)`; returns the response."""

    def post(client, email: str, password: str = factories.PASSWORD, **fields):
        return client.post("/auth/login", data={"email": email, "password": password, **fields})

    return post


@pytest.fixture
def login_as(app, client, sign_in):
    """Sign a client (the `client` fixture unless given) in as a new user with these roles.

    Returns the user.
    """

    def sign_in_new_user(*roles: str, email: str | None = None, on=None, **fields):
        user = factories.user(*roles, email=email, **fields)
        _db.session.commit()
        response = sign_in(on or client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in_new_user


@pytest.fixture
def audit_events(db) -> Callable[..., list[AuditEvent]]:
    """The audit events recorded so far, oldest first, optionally of one action."""

    def events(action: str | None = None) -> list[AuditEvent]:
        db.session.expire_all()
        statement = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            statement = statement.where(AuditEvent.action == action)
        return list(db.session.scalars(statement))

    return events


@pytest.fixture
def outbox(db) -> Callable[..., list[OutboxMessage]]:
    """The mail sent so far, oldest first, optionally to one address."""

    def messages(recipient: str | None = None) -> list[OutboxMessage]:
        statement = select(OutboxMessage).order_by(OutboxMessage.id)
        if recipient is not None:
            statement = statement.where(OutboxMessage.recipient == recipient)
        return list(db.session.scalars(statement))

    return messages


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
TOUCH = "UPDATE LOGIN_SESSIONS SET LAST_SEEN_AT"


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.touches = 0
        self.statements: list[str] = []


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside a with-block: `with count_queries() as counter:`."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def count(_conn, _cursor, statement, *_args):
            # Transaction control is not a query; SQLite's explicit BEGIN would otherwise
            # make the same work count differently on the two databases.
            if statement.split(None, 1)[0].upper() in TRANSACTION_CONTROL:
                return
            counter.statements.append(statement)
            # A login session notes it was used at most once a minute (login_sessions.touch):
            # on a loaded machine that minute can pass between two measurements of one page,
            # so the touch is counted apart.
            if statement.lstrip().upper().startswith(TOUCH):
                counter.touches += 1
                return
            counter.count += 1

        event.listen(_db.engine, "before_cursor_execute", count)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", count)

    return counting


@pytest.fixture
def page_queries(client, count_queries):
    """How many SQL statements each page runs for the `client`, by URL (each page must answer
    200). Compared before and after adding rows, it shows a page's queries do not grow with
    the data; call it once first to warm up, as first-request work is not the page's. Each
    page is drawn: nothing a worker keeps under a stamp (services/pipeline/stamps.py) is
    used (nor under a judging stamp, nor by the matching review: `forget_kept`), so the
    count is that of the work the page does after a change."""

    def measure(urls: list[str]) -> dict[str, int]:
        counts = {}
        for url in urls:
            forget_kept()
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[url] = counter.count
        return counts

    return measure


@pytest.fixture(scope="session")
def served(database_factory, tmp_path_factory):
    """Gunicorn with several workers on a fresh database, for the race tests (tests/races.py)."""
    from tests.races import served_app

    def app_on(url: str) -> Flask:
        return create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})

    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    yield from served_app(database_factory("races"), log_path, app_on)
