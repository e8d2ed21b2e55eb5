"""One unit of work: what services flushed is committed together, or nothing is.

Routes, command-line tasks and workers run every write in `transaction()` (or `attempt()`,
which retries a collision once). Services flush and never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from incubator.extensions import db
from incubator.services.errors import Busy

# Read by the SQLite "begin" hook in create_app: BEGIN IMMEDIATE while it is set.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
T = TypeVar("T")


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
    try:
        with transaction(serialised=serialised):
            return action()
    except Busy:
        db.session.expire_all()
    with transaction(serialised=serialised):
        return action()
