"""flask <verb> commands: thin wrappers over services."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click
from flask import Flask, current_app

from incubator import clock
from incubator.demo import seed
from incubator.extensions import db
from incubator.models import Role
from incubator.services import mail_delivery
from incubator.services.accounts import users
from incubator.services.errors import DomainError
from incubator.services.hackathons import registrations
from incubator.services.mentoring import reminders
from incubator.services.pipeline import facts, stamps
from incubator.services.scorecard import derivation


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(send_reminders)
    app.cli.add_command(deliver_mail)
    app.cli.add_command(refresh_scorecard)
    app.cli.add_command(pipeline_facts)


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
        user = users.user_by_email(email)
        if user is None:
            user = users.create_user(email, name, {Role.ADMIN, Role.MANAGER}, password=password)
            message = f"Administrator {user.email} created."
        else:
            users.grant_roles(user, {Role.ADMIN}, by=None)
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
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException(
            "Refusing to seed demo data under the production configuration "
            "(INCUBATOR_CONFIG=production): the demo accounts' passwords are published."
        )
    if if_empty and users.count_users() > 0:
        logins = seed.existing_logins()
        if not logins:
            click.echo("The database already has accounts; demo data not added.")
            return
        click.echo("Demo data was added earlier. Sign in at http://127.0.0.1:5000 with:")
    else:
        try:
            logins = seed.seed()
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        click.echo("Demo data is in. Sign in at http://127.0.0.1:5000 with any of these:")
    roles = max(len(login.role) for login in logins)
    width = max(len(login.email) for login in logins)
    for login in logins:
        note = f"  ({login.note})" if login.note else ""
        click.echo(
            f"  {login.role:<{roles}} {login.email:<{width}}  password: {login.password}{note}"
        )


@click.command("send-reminders")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Act as on this day (YYYY-MM-DD); today in the program's time zone by default.",
)
def send_reminders(day: datetime | None) -> None:
    """Mail founders whose weekly check-in is due, managers the ventures at risk, both
    sides of every mentor session that starts tomorrow, the mentor of every session that
    ended with no outcome recorded, and the confirmed registrants of a hackathon that starts
    tomorrow; and send again, once, each invitation not accepted after
    INVITATION_RESEND_AFTER_DAYS days.

    Safe to run several times a day: nobody gets the same weekly reminder twice in a week,
    nor a session's reminder, a request for its outcome or an invitation's second mail twice.
    """
    today = clock.today() if day is None else day.date()
    report = reminders.send_reminders(today)
    registrants = registrations.send_reminders(today)
    invitations = users.resend_unaccepted_invitations(today)
    db.session.commit()
    click.echo(report.summary())
    if registrants:
        click.echo(f"{registrants} reminders of tomorrow's hackathon sent to registrants.")
    if invitations:
        click.echo(f"{invitations} invitations not yet accepted sent again.")


@click.command("deliver-mail")
@click.option(
    "--once",
    "mode",
    flag_value="once",
    default=True,
    help="Deliver the mail that is due now, then stop (the default).",
)
@click.option(
    "--loop",
    "mode",
    flag_value="loop",
    help="Keep delivering, looking for due mail every --interval seconds, until SIGTERM or "
    "Ctrl-C; the mail in hand is finished first.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.01),
    help="Seconds between looks with --loop (default: MAIL_WORKER_INTERVAL_SECONDS).",
)
@click.option(
    "--limit", type=click.IntRange(min=1), help="Deliver at most this many mails per pass."
)
def deliver_mail(mode: str, interval: float | None, limit: int | None) -> None:
    """Send the mail waiting in the outbox, retrying failures with back-off.

    Safe to run several at once: each mail is claimed by one worker only.
    """
    try:
        if mode == "loop":
            stop = threading.Event()
            interval = interval or current_app.config["MAIL_WORKER_INTERVAL_SECONDS"]
            click.echo(f"Delivering mail, looking every {interval:g} s; stop with Ctrl-C.")
            with _stop_on_signals(stop):
                report = mail_delivery.run(stop, interval=interval, limit=limit)
        else:
            report = mail_delivery.deliver_due(limit=limit)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(report.summary())


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set `stop` on SIGTERM or SIGINT instead of dying mid-send; put the handlers back after."""

    def request_stop(_signum, _frame) -> None:
        stop.set()

    previous = {
        signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@click.command("refresh-scorecard")
def refresh_scorecard() -> None:
    """Derive the scorecard's figures again from investments, pilots and their sites, the
    check-in KPIs mapped to metrics and the ventures' stage history (cron it daily).

    Only what changed is written; a changed figure keeps its old value in its history.
    """
    report = derivation.refresh(by=None)
    db.session.commit()
    click.echo(report.summary())


@click.group("pipeline-facts")
def pipeline_facts() -> None:
    """What the app derives from the pipeline's history and keeps current: each venture's
    facts (what the risk rules and the board read), when each stay in a stage ended, and the
    cohorts' stamps (under which workers keep the analytics and charts)."""


@pipeline_facts.command("rebuild")
def rebuild_pipeline_facts() -> None:
    """Derive them all again from the milestones, check-ins and stage moves, and give every
    cohort a new stamp: after data arrived around the app (a restore, a bulk import)."""
    stale = len(facts.stale_ventures())
    rows = facts.rebuild()
    cohorts = stamps.rebuild()
    db.session.commit()
    click.echo(
        f"Rebuilt the facts of {rows} ventures ({stale} were out of date), wrote every stay's"
        f" end again and restamped {cohorts} cohorts."
    )


@pipeline_facts.command("check")
def check_pipeline_facts() -> None:
    """Say which ventures' facts differ from their history; exits 1 if any do."""
    stale = facts.stale_ventures()
    if stale:
        shown = ", ".join(str(venture_id) for venture_id in stale[:20])
        more = f" and {len(stale) - 20} more" if len(stale) > 20 else ""
        raise click.ClickException(
            f"{len(stale)} ventures have out-of-date facts (ids {shown}{more}):"
            " run `flask pipeline-facts rebuild`."
        )
    click.echo("Every venture's facts agree with its history.")
