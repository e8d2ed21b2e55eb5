"""The Alembic migrations build exactly the schema the models describe, and round-trip."""

from __future__ import annotations

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from incubator import create_app
from incubator.extensions import db


@pytest.fixture
def empty_app(database_factory):
    """An app on a brand-new, empty database, with its app context pushed."""
    url = database_factory("migrations")
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite's reflection skips an index on an expression (lower(name)); Alembic then
        # leaves it out of the comparison on both sides.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def model_tables() -> set[str]:
    return set(db.metadata.tables)


def test_migrations_build_the_schema_the_models_describe(empty_app):
    upgrade()

    assert schema_differences() == []
    assert table_names() == model_tables() | {"alembic_version"}


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds_them(empty_app):
    upgrade()

    downgrade(revision="base")
    after_downgrade = table_names()
    upgrade()

    assert after_downgrade <= {"alembic_version"}
    assert table_names() == model_tables() | {"alembic_version"}
    assert schema_differences() == []


def test_flask_db_upgrade_from_the_command_line(empty_app):
    runner = empty_app.test_cli_runner()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert table_names() == model_tables() | {"alembic_version"}
    config = empty_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert list(versions) == [head]
