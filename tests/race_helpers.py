"""What the race tests share beyond the harness (tests/races.py): unique addresses for the
people a test signs in, and the audit trail and outbox as a round left them.

Every race test runs on one served database for the whole session, so each test makes its
own people and each round its own rows; nothing is emptied between tests.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from incubator.extensions import db
from incubator.models import AuditEvent, OutboxMessage


def new_email(who: str) -> str:
    """An address no other test or round uses."""
    return f"{who}-{uuid.uuid4().hex[:10]}@races.example.org"


def events(object_type: str, object_id: int) -> list[AuditEvent]:
    """The audit events about one object, oldest first (call inside served.check)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )


def actions(object_type: str, object_id: int) -> list[str]:
    """The actions recorded about one object, oldest first (call inside served.check)."""
    return [event.action for event in events(object_type, object_id)]


def mail_to(recipient: str, subject_starts: str = "") -> list[OutboxMessage]:
    """The mail sent to one address, optionally only subjects starting with some words."""
    statement = select(OutboxMessage).where(OutboxMessage.recipient == recipient)
    if subject_starts:
        statement = statement.where(OutboxMessage.subject.startswith(subject_starts))
    return list(db.session.scalars(statement.order_by(OutboxMessage.id)))
