"""People, their roles, their invitations and their login sessions."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.base import Base, UTCDateTime, enum_values, utcnow

# A deactivated person, as each database writes `User.active.is_(False)` (a partial index is
# used only for the condition it was made with).
INACTIVE = {"sqlite": "active IS 0", "postgresql": "active IS false"}
# An invitation nobody has accepted and nobody has revoked.
OPEN_INVITATION = "accepted_at IS NULL AND revoked_at IS NULL"


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    FOUNDER = "founder"
    MENTOR = "mentor"
    FUNDER = "funder"
    PARTNER = "partner"
    JUDGE = "judge"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.MANAGER: "Program manager",
    Role.FOUNDER: "Founder",
    Role.MENTOR: "Mentor",
    Role.FUNDER: "Funder",
    Role.PARTNER: "Partner",
    Role.JUDGE: "Judge",
}

ROLE_VALUES = enum_values(Role)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so this unique constraint is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        # The people list, by name, a page at a time.
        Index("ix_users_name_id", "name", "id"),
        # The few deactivated people, whose open invitations the manager's home leaves out.
        Index(
            "ix_users_inactive",
            "id",
            sqlite_where=text(INACTIVE["sqlite"]),
            postgresql_where=text(INACTIVE["postgresql"]),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None until an invited person sets their own password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Los_Angeles")
    # The interface language the person chose (a code in the LANGUAGES setting), or None: the
    # switch, then the browser's Accept-Language, decide. No CHECK constraint: the list of
    # languages is configuration and grows with a catalogue and a line of config, without a
    # migration; the accounts service validates against it.
    preferred_language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The login session this request runs on and its token, set by blueprints/auth/login.py
    # when it loads the signed-in person or signs someone in. Plain attributes, annotated for the
    # type checker only, so SQLAlchemy leaves them alone.
    if TYPE_CHECKING:
        login_session: LoginSession | None
        login_token: str | None
    login_session = None
    login_token = None

    def get_id(self) -> str:
        """The login id Flask-Login keeps in the session and remember-me cookies: the token of
        this person's login session, never anything derived from the account alone."""
        if self.login_token is None:
            raise RuntimeError("Sign people in through incubator.blueprints.auth.login.sign_in.")
        return self.login_token

    # Flask-Login's UserMixin compares users by get_id(); compare the accounts instead.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def roles(self) -> set[Role]:
        return {Role(row.role) for row in self.role_rows}

    def has_role(self, *roles: Role | str) -> bool:
        mine = {row.role for row in self.role_rows}
        return any(str(role) in mine for role in roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),
        # Everyone who holds a role (the key leads with the person).
        Index("ix_user_roles_role_user_id", "role", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_rows")


class Invitation(Base):
    """A signed link sent to a person so they can set their own password."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_user_id", "user_id"),
        # Open invitations, the oldest first: the manager's home names a few and counts them.
        Index(
            "ix_invitations_open",
            "created_at",
            "id",
            sqlite_where=text(OPEN_INVITATION),
            postgresql_where=text(OPEN_INVITATION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    roles: Mapped[str] = mapped_column(String(200))
    # Random part of the signed token; replacing it revokes links sent earlier.
    nonce: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When `flask send-reminders` mailed the link again to a person who had not accepted it;
    # an invitation is re-sent once.
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class SessionEnd(enum.StrEnum):
    """Why a login session ended."""

    SIGNED_OUT = "signed_out"
    SIGNED_OUT_ELSEWHERE = "signed_out_elsewhere"  # "sign out my other devices"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a reason, not a password)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    DEACTIVATED = "deactivated"
    ROTATED = "rotated"  # replaced by a new login session after a change of roles
    IDLE = "idle"
    EXPIRED = "expired"


SESSION_END_VALUES = enum_values(SessionEnd)


class LoginSession(Base):
    """One sign-in on one browser: the server's half of its Flask session cookie and its
    remember-me cookie.

    The cookies carry a random token; only its SHA-256 is stored. A login session is live while
    ended_at is empty and neither timeout has passed.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (
        Index("ix_login_sessions_user_id", "user_id"),
        CheckConstraint(f"ended_reason IN ({SESSION_END_VALUES})", name="ended_reason_known"),
        CheckConstraint(
            "(ended_at IS NULL AND ended_reason IS NULL) "
            "OR (ended_at IS NOT NULL AND ended_reason IS NOT NULL)",
            name="ended_with_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # "Keep me signed in": a remember-me cookie, and a lifetime in days instead of hours.
    remember: Mapped[bool] = mapped_column(default=False)
    # When the person proved who they are; a rotated login session keeps it, so rotation never
    # extends the absolute lifetime.
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Updated at most once a minute, so that reading a page is not a write.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the person's roles change: their next request runs on a new login session.
    rotation_due: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(24))
    # What the person sees in their list of devices.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User] = relationship()
