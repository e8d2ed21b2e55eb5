"""The signed-in person of each request: Flask-Login's loader and the login session behind it.

Flask-Login keeps a login id in the session cookie (and, with "keep me signed in", in the
remember-me cookie); here that id is the token of a row in `login_sessions`
(`services/accounts/login_sessions.py`), so ending the row ends both cookies at once.

A hook that runs before the access rules loads the person and does the login session's few
writes
while the request has done nothing else yet, in a transaction of their own: it records a
login session found timed out, replaces one whose person's roles changed (so the request already
runs on the new token, which its response carries), and notes activity at most once a
minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import Flask, g, request, session
from flask_login import current_user, login_user, logout_user

from incubator.extensions import db, login_manager
from incubator.models import LoginSession, SessionEnd, User, utcnow
from incubator.services.accounts import login_sessions
from incubator.services.transactions import transaction


def register(app: Flask) -> None:
    login_manager.user_loader(load_user)
    app.before_request(resume_login_session)


def load_user(login_id: str) -> User | None:
    """The person whose live login session this id (its token) names, or None."""
    login_session = login_sessions.find(login_id)
    if login_session is None:
        return None
    reason = login_sessions.why_over(login_session, utcnow())
    if reason is not None:
        if login_session.ended_at is None:
            g.login_session_over = (login_session, reason)
        return None
    user = login_session.user
    _attach(user, login_session, login_id)
    return user


def is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def resume_login_session() -> None:
    """Before each request but for static files: load the signed-in person and keep their
    login session's record."""
    if request.endpoint is None or is_static(request.endpoint):
        return
    if not current_user.is_authenticated:
        over = g.pop("login_session_over", None)
        if over is not None:
            with _bookkeeping():
                login_sessions.end(*over)
        return
    user: User = current_user._get_current_object()
    login_session = _login_session_of(user)
    now = utcnow()
    if login_session.rotation_due:
        _rotate(user, login_session, now)
    elif login_sessions.needs_touch(login_session, now):
        with _bookkeeping():
            login_sessions.touch(login_session, now)


@contextmanager
def _bookkeeping() -> Iterator[None]:
    """A transaction of its own for the login session's writes, holding SQLite's write lock
    from its start (as concurrent workers need). It writes only login_sessions rows and
    keeps them right in memory, so the person and their roles stay loaded: no second read
    of them after the commit."""
    orm_session = db.session()
    expire_on_commit = orm_session.expire_on_commit
    orm_session.expire_on_commit = False
    try:
        with transaction(serialised=True):
            yield
    finally:
        orm_session.expire_on_commit = expire_on_commit


def _rotate(user: User, login_session: LoginSession, now: datetime) -> None:
    try:
        with _bookkeeping():
            successor, token = login_sessions.rotate(login_session, now)
    except login_sessions.LoginSessionGone:
        # Another request of the same browser rotated it a moment ago and carries the new
        # token; this one was let in on the old login session and finishes on it.
        return
    _attach(user, successor, token)
    session["_user_id"] = token
    if successor.remember:
        session["_remember"] = "set"  # Flask-Login rewrites the remember-me cookie


def _login_session_of(user: User) -> LoginSession:
    """The login session a signed-in person was loaded or signed in with."""
    if user.login_session is None:
        raise RuntimeError("Sign people in through incubator.blueprints.auth.login.sign_in.")
    return user.login_session


def _attach(user: User, login_session: LoginSession, token: str) -> None:
    user.login_session = login_session
    user.login_token = token


def sign_in(user: User, *, remember: bool) -> LoginSession:
    """Start a new login session on this browser, with a fresh Flask session: nothing from
    before sign-in carries over (no session fixation). Call inside the request's transaction.
    """
    session.clear()
    login_session, token = login_sessions.start(
        user,
        remember=remember,
        user_agent=request.user_agent.string,
        address=request.remote_addr or "",
    )
    _attach(user, login_session, token)
    login_user(user, remember=remember)
    return login_session


def this_login_session() -> LoginSession | None:
    """The login session this browser is signed in with, None when nobody is signed in.

    Routes read it before their transaction: signing in or out inside it replaces the
    signed-in person's login session, and a retried attempt must end the same one again.
    """
    return current_user.login_session if current_user.is_authenticated else None


def renew(ending: LoginSession) -> LoginSession:
    """Give the signed-in person a new login session on this browser (after a password
    change), ending `ending`, the one they were on. Call inside the request's transaction."""
    user: User = current_user._get_current_object()
    login_sessions.end(ending, SessionEnd.ROTATED)
    return sign_in(user, remember=ending.remember)


def sign_out(ending: LoginSession | None) -> None:
    """End `ending`, this browser's login session (if anyone was signed in), and forget its
    cookies. Call inside the request's transaction."""
    if ending is not None:
        login_sessions.end(ending, SessionEnd.SIGNED_OUT)
    # Clear first: logout_user leaves a note in the Flask session that deletes the remember-me
    # cookie, and clearing after it would drop the note.
    session.clear()
    logout_user()
