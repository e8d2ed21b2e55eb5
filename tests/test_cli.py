"""flask create-admin and flask seed-demo."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from incubator.demo.seed import DEMO_PEOPLE, SPANISH_FOUNDER, demo_password
from incubator.models import Role, User
from incubator.services.accounts import users
from incubator.services.errors import NotAllowed
from tests import factories

ADMIN_PASSWORD = "a long admin passphrase"


def create_admin(runner, email="Alex@Example.org", name="Alex Rivera", password=ADMIN_PASSWORD):
    return runner.invoke(
        args=["create-admin", "--email", email, "--name", name, "--password", password]
    )


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_create_admin_makes_an_administrator_and_manager(db, runner, audit_events):
    result = create_admin(runner)

    assert result.exit_code == 0, result.output
    assert "Administrator alex@example.org created." in result.output
    user = users.user_by_email("alex@example.org")
    assert user.name == "Alex Rivera"
    assert user.roles == {Role.ADMIN, Role.MANAGER}
    assert check_password_hash(user.password_hash, ADMIN_PASSWORD)
    [event] = audit_events("user.created")
    assert event.actor_id is None
    assert event.after["roles"] == ["admin", "manager"]


def test_create_admin_refuses_a_short_password(db, runner, audit_events):
    result = create_admin(runner, password="short")

    assert result.exit_code != 0
    assert "Choose a password of at least 12 characters." in result.output
    assert "Traceback" not in result.output
    assert user_count(db) == 0
    assert audit_events() == []


def test_create_admin_refuses_a_common_or_personal_password(db, runner, audit_events):
    common = create_admin(runner, password="qwerty123456")
    personal = create_admin(runner, password="alex rivera admin")

    assert common.exit_code != 0
    assert "That password is on a list of the most common passwords." in common.output
    assert personal.exit_code != 0
    assert "does not contain your name or email address" in personal.output
    assert user_count(db) == 0
    assert audit_events() == []


def test_create_admin_promotes_an_existing_account(db, runner, audit_events):
    existing = factories.user("founder", email="alex@example.org", name="Alex Rivera")
    db.session.commit()
    password_before = existing.password_hash

    result = create_admin(runner, email="ALEX@example.org", password="ignored for existing")

    assert result.exit_code == 0, result.output
    assert "alex@example.org already had an account; it is now an administrator." in result.output
    db.session.expire_all()
    assert user_count(db) == 1
    assert existing.roles == {Role.FOUNDER, Role.ADMIN}
    assert existing.password_hash == password_before
    [event] = audit_events("user.roles_changed")
    assert event.object_id == str(existing.id)
    assert (event.before["roles"], event.after["roles"]) == (["founder"], ["admin", "founder"])


def test_seed_demo_prints_every_demo_login(db, runner):
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    for role, email, _name, roles in DEMO_PEOPLE:
        line = next(line for line in result.output.splitlines() if email in line)
        assert str(role) in line
        assert demo_password(role) in line
        user = users.user_by_email(email)
        assert user.roles == roles
        assert check_password_hash(user.password_hash, demo_password(role))
    line = next(line for line in result.output.splitlines() if SPANISH_FOUNDER.email in line)
    assert " ".join(line.split()) == (
        f"founder-es {SPANISH_FOUNDER.email} password: {SPANISH_FOUNDER.password} "
        "(reads the site in Spanish)"
    )


def test_demo_logins_work_on_the_site(db, runner, client, sign_in):
    runner.invoke(args=["seed-demo"])
    role, email, _name, _roles = DEMO_PEOPLE[0]

    assert sign_in(client, email, demo_password(role)).status_code == 302


def row_counts(db) -> dict[str, int]:
    """How many rows each table holds."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_seed_demo_if_empty_does_nothing_the_second_time(db, runner):
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    after_first = row_counts(db)

    second = runner.invoke(args=["seed-demo", "--if-empty"])

    assert first.exit_code == 0, first.output
    assert after_first["users"] >= len(DEMO_PEOPLE)
    assert second.exit_code == 0, second.output
    assert "Demo data was added earlier." in second.output
    assert row_counts(db) == after_first


def test_seed_demo_if_empty_leaves_a_database_with_real_accounts_alone(db, runner):
    factories.user("admin", email="real.admin@lacity.example")
    db.session.commit()
    before = row_counts(db)

    result = runner.invoke(args=["seed-demo", "--if-empty"])

    assert result.exit_code == 0, result.output
    assert "The database already has accounts; demo data not added." in result.output
    assert row_counts(db) == before
    assert users.user_by_email(DEMO_PEOPLE[0][1]) is None


def test_seed_demo_refuses_to_run_under_the_production_config(
    db, make_app, database_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    production = make_app("production", SECRET_KEY="k" * 32)

    # The test's own app context is the testing app's; the command must run in production's.
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])

    assert result.exit_code != 0
    assert "Refusing to seed demo data under the production configuration" in result.output
    assert "Traceback" not in result.output
    assert user_count(db) == 0


def test_published_demo_passwords_cannot_be_set_in_production(db, make_app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    production = make_app("production", SECRET_KEY="k" * 32)
    user = factories.user("founder")

    with production.app_context(), pytest.raises(NotAllowed):
        users.set_published_password(user, "demo-founder-2026")
