"""Loading the signed-in user for each request."""

from __future__ import annotations

from incubator.extensions import db
from incubator.models import User


def load_user(login_id: str) -> User | None:
    """The user behind a session's login id, if that login is still valid.

    The id carries the user's session token; a password reset, a password change that
    ends other sessions, or a deactivation replaces the token and so ends those sessions.
    """
    user_id, _, token = login_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user
