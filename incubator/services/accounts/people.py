"""Finding people, reading the outbox and the audit trail."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from incubator.extensions import db
from incubator.models import AuditEvent, Invitation, MailStatus, OutboxMessage, Role, User, UserRole
from incubator.services.accounts import users


def search_users(query: str, role: Role | None, page: int, per_page: int) -> Pagination:
    """Users matching a name or email fragment and a role, by name."""
    statement = select(User).order_by(User.name, User.id)
    query = query.strip()
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(or_(User.email.like(pattern), User.name.ilike(pattern)))
    if role is not None:
        statement = statement.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == str(role)))
        )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def open_invitation(user: User) -> Invitation | None:
    """The invitation a person can still accept (the newest, should there be several)."""
    return db.session.scalar(users.open_invitations(user).order_by(Invitation.created_at.desc()))


def outbox(page: int, per_page: int, status: MailStatus | None = None) -> Pagination:
    """Mail in the outbox, newest first, optionally only in one status."""
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        statement = statement.where(OutboxMessage.status == status)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def outbox_counts() -> dict[MailStatus, int]:
    """How many mails the outbox holds in each status (zero included)."""
    counted = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    return {status: counted.get(status, 0) for status in MailStatus}


def audit_events(
    page: int, per_page: int, object_type: str | None = None, object_id: str | None = None
) -> Pagination:
    statement = (
        select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    )
    if object_type:
        statement = statement.where(AuditEvent.object_type == object_type)
    if object_id:
        statement = statement.where(AuditEvent.object_id == object_id)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
