"""Login sessions: one row per sign-in, ended by signing out, by timeouts or by changes to
the account, and replaced by a new one when the person's roles change.

The browser's cookies carry a random token (`secrets.token_urlsafe(32)`, 256 bits); the
database keeps only its SHA-256, so a copy of the table signs nobody in. Flask glue (the
user loader, the before-request hook, sign-in and sign-out) lives in
`incubator/blueprints/auth/login.py`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Select, String, bindparam, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from incubator.extensions import db, rows_changed
from incubator.models import LoginSession, SessionEnd, User, utcnow
from incubator.services import audit

# last_seen_at is written at most this often per login session, so that reading a page is not a
# write; the idle timeout is therefore measured to within this much.
TOUCH_INTERVAL = timedelta(minutes=1)


class LoginSessionGone(Exception):
    """The login session ended while this request was using it."""


@dataclass(frozen=True)
class Timeouts:
    """How long login sessions last, from the configuration."""

    idle: timedelta
    absolute: timedelta
    remembered: timedelta

    @classmethod
    def from_config(cls) -> Timeouts:
        config = current_app.config
        return cls(
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
            remembered=timedelta(days=config["SESSION_REMEMBER_DAYS"]),
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    user: User,
    *,
    remember: bool,
    user_agent: str = "",
    address: str = "",
    signed_in_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[LoginSession, str]:
    """Start a login session for someone who just proved who they are.

    Returns the login session and its token, the only copy of which goes into the cookies.
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    login_session = LoginSession(
        user=user,
        token_hash=token_hash(token),
        remember=remember,
        signed_in_at=signed_in_at or now,
        created_at=now,
        last_seen_at=now,
        user_agent=user_agent[:200],
        address=address[:45],
    )
    db.session.add(login_session)
    db.session.flush()
    return login_session, token


def find(token: str) -> LoginSession | None:
    """The login session a token belongs to, live or not, with its person and their roles.

    One statement for the three: every signed-in request runs it, and on PostgreSQL each
    statement is a round trip (the roles would otherwise be a second one)."""
    if not token:
        return None
    return (
        db.session.execute(_find_statement(), {"token_hash": token_hash(token)})
        .unique()
        .scalar_one_or_none()
    )


@cache
def _find_statement() -> Select[LoginSession]:
    """Built once: every signed-in request runs it, and building it costs about as much as
    running it."""
    return (
        select(LoginSession)
        .options(joinedload(LoginSession.user).joinedload(User.role_rows))
        .where(LoginSession.token_hash == bindparam("token_hash", type_=String))
    )


def why_over(
    login_session: LoginSession, now: datetime, timeouts: Timeouts | None = None
) -> SessionEnd | None:
    """Why a login session can no longer be used at `now`, or None while it can.

    A "keep me signed in" login session lasts `remembered` from sign-in, idle or not; any other
    ends `idle` after its last request or `absolute` after sign-in, whichever comes first.
    """
    if login_session.ended_reason is not None:
        return SessionEnd(login_session.ended_reason)
    if not login_session.user.active:
        return SessionEnd.DEACTIVATED
    timeouts = timeouts or Timeouts.from_config()
    age = now - login_session.signed_in_at
    if login_session.remember:
        return SessionEnd.EXPIRED if age >= timeouts.remembered else None
    if age >= timeouts.absolute:
        return SessionEnd.EXPIRED
    if now - login_session.last_seen_at >= timeouts.idle:
        return SessionEnd.IDLE
    return None


def end(login_session: LoginSession, reason: SessionEnd, now: datetime | None = None) -> bool:
    """End one login session; False when it had already ended (another request got there first)."""
    now = now or utcnow()
    ended = rows_changed(
        update(LoginSession)
        .where(LoginSession.id == login_session.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=str(reason))
        .execution_options(synchronize_session=False)
    )
    if ended != 1:
        return False
    set_committed_value(login_session, "ended_at", now)
    set_committed_value(login_session, "ended_reason", str(reason))
    return True


def end_all(
    user: User,
    reason: SessionEnd,
    *,
    keep: LoginSession | None = None,
    now: datetime | None = None,
) -> int:
    """End every live login session of a person, except `keep`; returns how many ended."""
    now = now or utcnow()
    statement = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(LoginSession.id != keep.id)
    return rows_changed(statement.values(ended_at=now, ended_reason=str(reason)))


def sign_out_elsewhere(user: User, *, keep: LoginSession | None) -> int:
    """End every live login session of a person but `keep` (the one they asked from), and
    note it in the audit trail; returns how many ended."""
    ended = end_all(user, SessionEnd.SIGNED_OUT_ELSEWHERE, keep=keep)
    audit.record(user, "user.other_sessions_ended", "user", user.id, after={"sessions": ended})
    return ended


def rotate_all(user: User) -> None:
    """After a change of roles: each live login session of the person is replaced by a new one
    (a new token) at its next request."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(rotation_due=True)
    )


def rotate(login_session: LoginSession, now: datetime | None = None) -> tuple[LoginSession, str]:
    """End a login session and start its successor: same person, device, remember-me choice and
    sign-in time, new token. Raises LoginSessionGone when another request rotated it first."""
    now = now or utcnow()
    if not end(login_session, SessionEnd.ROTATED, now):
        raise LoginSessionGone()
    return start(
        login_session.user,
        remember=login_session.remember,
        user_agent=login_session.user_agent,
        address=login_session.address,
        signed_in_at=login_session.signed_in_at,
        now=now,
    )


def needs_touch(login_session: LoginSession, now: datetime) -> bool:
    return now - login_session.last_seen_at >= TOUCH_INTERVAL


def touch(login_session: LoginSession, now: datetime | None = None) -> None:
    """Note that the login session was used now (a no-op if another request just did)."""
    now = now or utcnow()
    set_committed_value(login_session, "last_seen_at", now)
    db.session.execute(
        update(LoginSession)
        .where(
            LoginSession.id == login_session.id,
            LoginSession.ended_at.is_(None),
            LoginSession.last_seen_at <= now - TOUCH_INTERVAL,
        )
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def live_login_sessions(user: User, now: datetime | None = None) -> list[LoginSession]:
    """A person's login sessions that can still be used, the most recently used first."""
    now = now or utcnow()
    timeouts = Timeouts.from_config()
    rows = db.session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )
    return [row for row in rows if why_over(row, now, timeouts) is None]
