"""Jinja filters and globals: times in the viewer's zone, calendar days, navigation, role
labels."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app
from flask_login import current_user

from incubator import clock
from incubator.access import rule_for
from incubator.forms import stale_rows
from incubator.models import ROLE_LABELS, Role

# The navigation: label, endpoint and the roles it is for (None: everyone signed in). An
# entry shows only to holders of those roles, and only if the endpoint's rule allows them.
NAVIGATION = [
    ("Home", "main.home_page", None),
    ("Hackathons", "hackathons.index", {Role.MANAGER}),
    ("Cohorts", "cohorts.index", {Role.MANAGER}),
    ("Office hours", "mentoring.office_hours_days", {Role.MANAGER}),
    ("My venture", "cohorts.my_ventures", {Role.FOUNDER}),
    ("Mentors", "mentoring.mentors", {Role.FOUNDER}),
    ("Availability", "mentoring.availability", {Role.MENTOR}),
    ("Sessions", "mentoring.sessions", {Role.FOUNDER, Role.MENTOR}),
    ("Matches", "matching.my_matches", {Role.FOUNDER, Role.MENTOR, Role.FUNDER, Role.PARTNER}),
    ("Judging", "judging.my_assignments", {Role.JUDGE}),
    ("Challenges", "hackathons.propose_challenge", {Role.PARTNER}),
    ("Ventures", "matching.funder_ventures", {Role.FUNDER}),
    ("People", "people.index", {Role.MANAGER}),
    ("Outbox", "people.outbox", {Role.ADMIN}),
    ("Audit trail", "people.audit_log", {Role.ADMIN}),
    ("Showcase", "showcase.index", None),
    ("Scorecard", "scorecard.index", None),
]


def localtime(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p %Z") -> str:
    """Format a UTC timestamp in the viewer's time zone."""
    if value is None:
        return ""
    return value.astimezone(clock.viewer_zone()).strftime(fmt)


def day_label(day: date | None, weekday: bool = False) -> str:
    """A calendar day, with its year when that is not the current one (clock.day_label)."""
    return "" if day is None else clock.day_label(day, weekday=weekday)


def navigation() -> list[tuple[str, str]]:
    """The entries for the current user's roles that they may open."""
    entries = []
    for label, endpoint, for_roles in NAVIGATION:
        rule = rule_for(current_app, endpoint)
        if rule is None or not rule.allows(current_user):
            continue
        if for_roles is None or current_user.has_role(*for_roles):
            entries.append((label, endpoint))
    return entries


def role_label(role: Role | str) -> str:
    return ROLE_LABELS.get(Role(role), str(role))


def register(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(day_label, "day_label")
    app.add_template_filter(role_label, "role_label")
    app.add_template_global(navigation, "navigation")
    app.add_template_global(stale_rows, "stale_rows")
