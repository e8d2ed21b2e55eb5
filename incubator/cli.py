"""flask <verb> commands: thin wrappers over services."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app

from incubator.extensions import db
from incubator.models import Role
from incubator.services import accounts, demo, reminders
from incubator.services.errors import DomainError


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_reminders)
    app.cli.add_command(refresh_scorecard)


@click.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's email address.")
@click.option("--name", prompt=True, help="The administrator's full name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters.",
)
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first administrator (or make an existing account an administrator)."""
    try:
        user = accounts.user_by_email(email)
        if user is None:
            user = accounts.create_user(email, name, {Role.ADMIN, Role.MANAGER}, password=password)
            message = f"Administrator {user.email} created."
        else:
            accounts.grant_roles(user, {Role.ADMIN}, by=None)
            message = f"{user.email} already had an account; it is now an administrator."
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    click.echo(message)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has accounts.")
def seed_demo(if_empty: bool) -> None:
    """Fill the database with Los Angeles demo data and print the demo logins."""
    if if_empty and accounts.count_users() > 0:
        logins = demo.existing_logins()
        if not logins:
            click.echo("The database already has accounts; demo data not added.")
            return
        click.echo("Demo data was added earlier. Sign in at http://127.0.0.1:5000 with:")
    else:
        try:
            logins = demo.seed()
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        click.echo("Demo data is in. Sign in at http://127.0.0.1:5000 with any of these:")
    width = max(len(login.email) for login in logins)
    for login in logins:
        click.echo(f"  {login.role:<8} {login.email:<{width}}  password: {login.password}")


@click.command("send-reminders")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Act as on this day (YYYY-MM-DD); today in the program's time zone by default.",
)
def send_reminders(day: datetime | None) -> None:
    """Mail founders whose weekly check-in is due, managers the ventures at risk, and both
    sides of every mentor session that starts tomorrow.

    Safe to run several times a day: nobody gets the same weekly reminder twice in a week,
    nor a session's reminder twice.
    """
    if day is None:
        today = datetime.now(ZoneInfo(current_app.config["DEFAULT_TIME_ZONE"])).date()
    else:
        today = day.date()
    report = reminders.send_reminders(today)
    db.session.commit()
    click.echo(report.summary())


@click.command("refresh-scorecard")
def refresh_scorecard() -> None:
    """Derive the scorecard's figures again from investments, pilots and their sites, the
    check-in KPIs mapped to metrics and the ventures' stage history (cron it daily).

    Only what changed is written; a changed figure keeps its old value in its history.
    """
    from incubator.services.scorecard import derivation

    report = derivation.refresh(by=None)
    db.session.commit()
    click.echo(report.summary())
