"""Jinja filters and globals: times in the viewer's zone, calendar days, navigation, role
labels, words of the shared vocabulary, a long select's options."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from incubator import clock, i18n
from incubator.access import rule_for
from incubator.forms import stale_rows
from incubator.i18n import N_
from incubator.models import ROLE_LABELS, Role

# The navigation: label (translated where shown), endpoint and the roles it is for (None:
# everyone signed in). An entry shows only to holders of those roles, and only if the
# endpoint's rule allows them.
NAVIGATION = [
    (_l("Home"), "main.home_page", None),
    (_l("Hackathons"), "hackathons.index", {Role.MANAGER}),
    (_l("Cohorts"), "cohorts.index", {Role.MANAGER}),
    (_l("Office hours"), "mentoring.office_hours_days", {Role.MANAGER}),
    (_l("My venture"), "cohorts.my_ventures", {Role.FOUNDER}),
    (_l("Mentors"), "mentoring.mentors", {Role.FOUNDER}),
    (_l("Availability"), "mentoring.availability", {Role.MENTOR}),
    (_l("Sessions"), "mentoring.sessions", {Role.FOUNDER, Role.MENTOR}),
    (_l("Matches"), "matching.my_matches", {Role.FOUNDER, Role.MENTOR, Role.FUNDER, Role.PARTNER}),
    (_l("Judging"), "judging.my_assignments", {Role.JUDGE}),
    (_l("Challenges"), "hackathons.propose_challenge", {Role.PARTNER}),
    (_l("Ventures"), "matching.funder_ventures", {Role.FUNDER}),
    (_l("People"), "people.index", {Role.MANAGER}),
    (_l("Outbox"), "people.outbox", {Role.ADMIN}),
    (_l("Audit trail"), "people.audit_log", {Role.ADMIN}),
    (_l("Showcase"), "showcase.index", None),
    (_l("Scorecard"), "scorecard.index", None),
]


def localtime(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p %Z") -> str:
    """Format a UTC timestamp in the viewer's time zone, in the page's language (the
    strftime format says which parts to show: i18n.format_strftime)."""
    if value is None:
        return ""
    return i18n.format_strftime(value.astimezone(clock.viewer_zone()), fmt)


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


# The role labels (models.ROLE_LABELS), marked here for extraction; role_label translates them.
ROLE_LABEL_MESSAGES = (
    N_("Administrator"),
    N_("Program manager"),
    N_("Founder"),
    N_("Mentor"),
    N_("Funder"),
    N_("Partner"),
    N_("Judge"),
)


def role_label(role: Role | str) -> str:
    """A role's label in the request's language."""
    return gettext(ROLE_LABELS.get(Role(role), str(role)))


def vocabulary_label(word: str | None) -> str:
    """A word of the shared vocabulary (incubator/vocabulary.py), stored in English, in the
    request's language; a word the catalogue does not know (a neighbourhood's name) as it is."""
    return gettext(word) if word else ""


def options(choices: Iterable[tuple[Any, Any]], chosen: Any = None) -> Markup:
    """A select's options from (value, label) pairs, the chosen value selected, written out
    in one join: for selects of a thousand choices (the matching review's add form), where a
    template loop over them costs a page several milliseconds."""
    # Safe: each value and label is escaped (Markup's own format escapes too, three times slower).
    return Markup(  # noqa: S704
        "".join(
            f'<option {"selected " if value == chosen else ""}value="{escape(value)}">'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


def fragment(template: str, **context: Any) -> Markup:
    """A part of a page drawn by its own template, to be kept and put in the page later as
    it is (`{{ content }}`): the template escapes what it writes, as every page's does."""
    return Markup(render_template(template, **context))  # noqa: S704


def register(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(vocabulary_label, "vocabulary_label")
    app.add_template_filter(day_label, "day_label")
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(options, "options")
    app.add_template_global(navigation, "navigation")
    app.add_template_global(stale_rows, "stale_rows")
