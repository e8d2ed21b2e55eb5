"""Fixtures: the app on SQLite or PostgreSQL, a clean database per test, clients, logins.

INCUBATOR_TEST_DB=postgresql runs the suite against a throw-away PostgreSQL server;
the default is SQLite. `make test` runs both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from incubator import create_app
from incubator.extensions import db as _db
from tests import factories
from tests.postgres import PostgresServer

BACKEND = os.environ.get("INCUBATOR_TEST_DB", "sqlite")


def pytest_report_header(config) -> str:
    return f"incubator test database: {BACKEND}"


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


@pytest.fixture(scope="session")
def _app(database_url):
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
    return app


@pytest.fixture
def app(_app):
    """The app, with a clean database and an app context for the test's own queries."""
    with _app.app_context():
        yield _app
        _db.session.remove()
        _empty_database()


def _empty_database() -> None:
    tables = list(_db.metadata.sorted_tables)
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


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
def login_as(app, client):
    """Sign the test client in as a new user holding the given roles; returns the user."""

    def sign_in(*roles: str, email: str | None = None, **fields):
        user = factories.user(*roles, email=email, **fields)
        _db.session.commit()
        response = client.post(
            "/auth/login", data={"email": user.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return sign_in


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside a with-block: `with count_queries() as counter:`."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def count(_conn, _cursor, statement, *_args):
            counter.count += 1
            counter.statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", count)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", count)

    return counting
