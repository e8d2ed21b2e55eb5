"""Who changed something and when, in words for the person who came second.

When two requests race for the same row, the loser is told what actually happened ("Maya
Manager verified it at 3:02 PM") rather than a bare refusal. The facts come from the row
itself where it keeps them, otherwise from the audit trail, which every change writes in
its own transaction (services/audit.py), so it agrees with the row that was locked and
re-read (services/locks.py).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from incubator import clock, i18n
from incubator.extensions import db
from incubator.models import AuditEvent, User


def when(moment: datetime | None, viewer: User | None) -> str:
    """A moment in the viewer's time zone and the page's language: "3:02 PM" today,
    "Tue Dec 8, 3:02 PM" otherwise."""
    if moment is None:
        return _("a moment ago")
    zone = clock.zone_for(viewer)
    local = moment.astimezone(zone)
    if local.date() == clock.today(zone):
        return i18n.format_strftime(local, "%-I:%M %p")
    return i18n.format_strftime(local, "%a %b %-d, %-I:%M %p")


def who(person: User | None, viewer: User | None) -> str:
    """The person's name, "You" for the viewer themselves, "Someone" when unknown."""
    if person is None:
        return _("Someone")
    if viewer is not None and person.id == viewer.id:
        return _("You")
    return person.name


def last_event(object_type: str, object_id: int, *actions: str) -> AuditEvent | None:
    """The latest audit event about an object, of one of these actions (any when none)."""
    statement = select(AuditEvent).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id)
    )
    if actions:
        statement = statement.where(AuditEvent.action.in_(actions))
    return db.session.scalar(statement.order_by(AuditEvent.id.desc()).limit(1))
