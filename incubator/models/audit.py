"""The audit trail and the outgoing mail: the outbox a worker delivers from."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.accounts import User
from incubator.models.base import Base, UTCDateTime, enum_values, utcnow
from incubator.models.labels import EnumLabel, LabelledEnum


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class MailStatus(LabelledEnum):
    """Where a mail is on its way out: queued, being sent by a worker, sent, or given up on."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    LABELS = enum.nonmember(
        {
            "queued": _l("Queued"),
            "sending": _l("Sending"),
            "sent": _l("Sent"),
            "failed": _l("Failed"),
        }
    )


# The mail a worker may pick up: queued and due, or claimed by a worker whose lease ran out.
# Both keep their due time in next_attempt_at, so one partial index serves the worker.
PENDING_MAIL = "status IN ('queued', 'sending')"


class OutboxMessage(Base):
    """A mail written in the transaction that caused it, delivered later by `flask deliver-mail`.

    Tests read these rows to follow the links in mail; admins read them on the outbox page.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_created_at", "created_at"),
        # "The next due mail" reads only pending rows, in order, however much sent mail piles
        # up. No index on status alone: SQLite's planner, without statistics, would prefer
        # it here and sort; the outbox page's filters can afford a scan.
        Index(
            "ix_outbox_messages_due",
            "next_attempt_at",
            "id",
            sqlite_where=text(PENDING_MAIL),
            postgresql_where=text(PENDING_MAIL),
        ),
        CheckConstraint(f"status IN ({enum_values(MailStatus)})", name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            f"NOT ({PENDING_MAIL}) OR next_attempt_at IS NOT NULL", name="pending_has_due_time"
        ),
        CheckConstraint("status != 'sending' OR claimed_at IS NOT NULL", name="sending_is_claimed"),
        CheckConstraint("status != 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # One optional attachment, e.g. a session's .ics file.
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    status: Mapped[str] = mapped_column(String(16), default=MailStatus.QUEUED)
    # Tries so far, counted when a worker claims the mail (a worker that died counts too).
    attempts: Mapped[int] = mapped_column(default=0)
    # When a queued mail is due; while sending, when the worker's lease on it runs out.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    status_label = EnumLabel(MailStatus, "status")
