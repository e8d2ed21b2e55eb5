"""All models, importable from one place."""

from incubator.models.accounts import ROLE_LABELS, Invitation, Role, User, UserRole
from incubator.models.audit import AuditEvent, OutboxMessage
from incubator.models.base import Base, UTCDateTime, utcnow

__all__ = [
    "ROLE_LABELS",
    "AuditEvent",
    "Base",
    "Invitation",
    "OutboxMessage",
    "Role",
    "UTCDateTime",
    "User",
    "UserRole",
    "utcnow",
]
