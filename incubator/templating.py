"""Jinja filters and globals: times in the viewer's zone, navigation, role labels."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app
from flask_login import current_user

from incubator.access import rule_for
from incubator.models import ROLE_LABELS, Role

# The navigation: label and endpoint, shown to whoever the endpoint's rule allows.
NAVIGATION = [
    ("Home", "main.home_page"),
    ("People", "people.index"),
    ("Invite", "people.invite"),
    ("Outbox", "people.outbox"),
    ("Audit trail", "people.audit_log"),
]


def viewer_zone() -> ZoneInfo:
    name = current_app.config["DEFAULT_TIME_ZONE"]
    if current_user and current_user.is_authenticated:
        name = current_user.time_zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["DEFAULT_TIME_ZONE"])


def localtime(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p %Z") -> str:
    """Format a UTC timestamp in the viewer's time zone."""
    if value is None:
        return ""
    return value.astimezone(viewer_zone()).strftime(fmt)


def navigation() -> list[tuple[str, str]]:
    """The entries the current user may open."""
    return [
        (label, endpoint)
        for label, endpoint in NAVIGATION
        if (rule := rule_for(current_app, endpoint)) is not None and rule.allows(current_user)
    ]


def role_label(role: Role | str) -> str:
    return ROLE_LABELS.get(Role(role), str(role))


def register(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(role_label, "role_label")
    app.add_template_global(navigation, "navigation")
