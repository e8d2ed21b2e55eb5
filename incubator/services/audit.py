"""Recording who changed what: every write that matters calls record()."""

from __future__ import annotations

from typing import Any

from incubator.extensions import db
from incubator.models import AuditEvent, User


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
