"""Recording who changed what: every write that matters calls record()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from incubator.extensions import db
from incubator.models import AuditEvent, User

# How many of an object's latest events last_actor reads when it filters them in Python.
_SCAN = 200


def record(
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


def about(object_type: str, object_id: int | str | Select, *actions: str) -> ColumnElement[bool]:
    """Events about one object, or the objects whose ids (as text) a subquery selects;
    with actions, only those whose action starts with one of them ("venture." for all)."""
    condition: ColumnElement[bool]
    if isinstance(object_id, Select):
        condition = AuditEvent.object_id.in_(object_id)
    else:
        condition = AuditEvent.object_id == str(object_id)
    condition = (AuditEvent.object_type == object_type) & condition
    if actions:
        condition = condition & or_(*(AuditEvent.action.startswith(a) for a in actions))
    return condition


def last_actor(
    *conditions: ColumnElement[bool], matching: Callable[[AuditEvent], bool] | None = None
) -> User | None:
    """Who recorded the latest event meeting any of these conditions (and `matching`, for
    what SQL cannot ask of the JSON before/after on both databases); None when nobody did."""
    statement = select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id.desc())
    for event in db.session.scalars(statement.limit(1 if matching is None else _SCAN)):
        if matching is None or matching(event):
            return event.actor
    return None
