"""Small helpers routes share: one transaction per request, safe redirects, pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, flash, request
from sqlalchemy.exc import OperationalError

from incubator.extensions import db

if TYPE_CHECKING:
    from incubator.services.versions import StaleVersion

# Read by the SQLite "begin" hook in create_app: BEGIN IMMEDIATE while it is set.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
T = TypeVar("T")
M = TypeVar("M")


@contextmanager
def transaction(*, serialised: bool = True) -> Iterator[None]:
    """Commit what the block's services flushed, or roll it all back on any error.

    On SQLite the transaction starts with BEGIN IMMEDIATE, holding the write lock from its
    first statement, so a check and the write that depends on it cannot interleave with
    another worker's (SQLite has no row locks). On PostgreSQL the services lock the rows
    they decide on (services/locks.py) and the constraints do the rest. The read
    transaction the request opened is committed first, so objects loaded before are read
    again inside this one.

    A deadlock or serialisation failure reported by the database becomes `Busy`, a message
    for the person instead of a 500; `attempt` retries such a collision once first.
    serialised=False keeps SQLite's deferred BEGIN, for writes that decide on nothing.
    """
    from incubator.services.errors import Busy

    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("changes made before transaction() would commit outside it")
    db.session.commit()  # end the read transaction the request opened
    token = write_intent.set(serialised)
    try:
        yield
        db.session.commit()
    except OperationalError as error:
        db.session.rollback()
        if is_collision(error):
            raise Busy() from error
        raise
    except BaseException:
        db.session.rollback()
        raise
    finally:
        write_intent.reset(token)


# PostgreSQL's deadlock_detected and serialization_failure; SQLite's busy timeout running out.
_COLLISION_SQLSTATES = {"40P01", "40001"}


def is_collision(error: OperationalError) -> bool:
    """Whether the database refused a write because another transaction got in its way."""
    original = error.orig
    if getattr(original, "sqlstate", None) in _COLLISION_SQLSTATES:
        return True
    return "database is locked" in str(original)


def attempt(action: Callable[[], T], *, serialised: bool = True) -> T:
    """Run an action in one transaction, once more if it collided with another (deadlock,
    serialisation failure); the second collision raises `Busy`."""
    from incubator.services.errors import Busy

    try:
        with transaction(serialised=serialised):
            return action()
    except Busy:
        db.session.expire_all()
    with transaction(serialised=serialised):
        return action()


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


def found_or_404(
    find: type[M] | Callable[[int], M | None], object_id: int, may_see: Callable | None = None
) -> M:
    """The object with this id, or a 404 page.

    `find` is a model class (looked up by primary key) or a service getter (which returns
    None or raises NotFound when there is none). `may_see(current_user, object)`, a
    `permissions` predicate, hides what the viewer may not see: such an object answers
    exactly as a missing one, so ids cannot be probed.
    """
    from flask_login import current_user

    from incubator.services.errors import NotFound

    try:
        found = db.session.get(find, object_id) if isinstance(find, type) else find(object_id)
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


@dataclass
class Submitted(Generic[T]):
    """What became of a form: done (with what the action returned), or not done because it
    was not posted, not valid, or refused by the service. A refusal is flashed, except a
    stale edit, which is kept in `stale` for the page to show both versions."""

    done: bool = False
    value: T | None = None
    stale: StaleVersion | None = None

    def __bool__(self) -> bool:
        return self.done

    @property
    def result(self) -> T:
        """What the action returned; only for a form that was done."""
        if not self.done:
            raise RuntimeError("the form was not done")
        return self.value  # type: ignore[return-value]


def submit(
    form,
    action: Callable[[], T],
    success: str | Callable[[T], str] | None = None,
    *,
    flash_errors: bool = False,
) -> Submitted[T]:
    """The one way a route acts on a posted form: validate it, run `action` (a service
    call) in one transaction, retried once after a collision, and say how it went.

    `success` is the message to flash, or a function of the action's result giving it.
    A service's refusal (`DomainError`) is flashed; a stale edit (`StaleVersion`) moves the
    form's `version` on to the one shown and is returned for the page to compare. With
    `flash_errors` (for POST-only actions that redirect back) the form's field errors are
    flashed too; otherwise the page re-renders the form, which shows them by its fields.
    """
    from incubator.services.errors import DomainError
    from incubator.services.versions import StaleVersion

    if not form.validate_on_submit():
        if flash_errors and form.is_submitted():
            flash_form_errors(form)
        return Submitted()
    try:
        value = attempt(action)
    except StaleVersion as error:
        form.version.data = error.version
        return Submitted(stale=error)
    except DomainError as error:
        flash(error.message, "danger")
        return Submitted()
    if success is not None:
        flash(success(value) if callable(success) else success, "success")
    return Submitted(done=True, value=value)
