"""Small helpers routes share: one transaction per request, safe redirects, pagination."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

from flask import abort, current_app, flash, request

from incubator.extensions import db

# Read by the SQLite "begin" hook in create_app: BEGIN IMMEDIATE while it is set.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@contextmanager
def transaction(*, serialised: bool = False) -> Iterator[None]:
    """Commit what the block's services flushed, or roll it all back on any error.

    serialised=True starts a fresh transaction that holds SQLite's write lock from its first
    statement (BEGIN IMMEDIATE), so check-then-insert rules such as "no overlapping sessions"
    cannot race between gunicorn workers. PostgreSQL needs no such lock: constraints and row
    locks in the services do that work there.
    """
    if serialised:
        db.session.commit()  # end the read transaction the request opened
    token = write_intent.set(serialised)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        write_intent.reset(token)


def safe_next(target: str | None, default: str) -> str:
    """A redirect target that stays on this site (no open redirects)."""
    if not target or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page_number() -> int:
    """The ?page= argument, 1 when missing or not a positive whole number."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def per_page(setting: str) -> int:
    return current_app.config[setting]


def found_or_404(getter, object_id: int, may_see=None):
    """The object a service getter finds, or a 404 page when it raises NotFound or returns
    None, or when `may_see(current_user, object)` (a `permissions` predicate) says no: an
    object the viewer may not see answers exactly as a missing one, so ids cannot be probed."""
    from flask_login import current_user

    from incubator.services.errors import NotFound

    try:
        found = getter(object_id)
    except NotFound:
        abort(404)
    if found is None or (may_see is not None and not may_see(current_user, found)):
        abort(404)
    return found


def flash_form_errors(form) -> None:
    """Show each of a form's errors as a message, naming the field."""
    for field_name, errors in form.errors.items():
        field = getattr(form, field_name, None)
        label = field.label.text if field is not None and field_name != "csrf_token" else ""
        for message in errors:
            flash(f"{label}: {message}" if label else message, "danger")


def apply_form(form, action, success) -> bool:
    """For POST-only actions: validate the form, run the action in one transaction, and say
    how it went. `success` is the message, or a function giving it after the action ran.
    Returns whether the action took effect."""
    from incubator.services.errors import DomainError

    if form is not None and not form.validate_on_submit():
        flash_form_errors(form)
        return False
    try:
        with transaction():
            action()
    except DomainError as error:
        flash(error.message, "danger")
        return False
    flash(success() if callable(success) else success, "success")
    return True
