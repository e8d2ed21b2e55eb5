"""Row locks for state changes, always taken in one order so that two requests queue
instead of deadlocking.

A state change reads the rows it decides on under a lock, re-reads them, checks their state
again and only then writes: on PostgreSQL's READ COMMITTED a plain read followed by a write
lets two requests both decide on the same old state (a lost update). Locks are
`FOR NO KEY UPDATE`, which does not block the `FOR KEY SHARE` locks that foreign-key checks
take on parent rows, so inserting an audit event or a booking that points at a locked user
does not wait for it.

The order, coarse to fine (a change locks a subset of these, always in this order, and rows
of one table by ascending id):

    hackathons → cohorts → matching runs → office-hours days → ventures → users → slot series
    → slots → bookings → matches → milestones → invitations → registrations

and last of all, as the transaction commits, the rows of derived pipeline facts of the
ventures it changed (services/pipeline/facts.py takes those itself).

A registration is decided under its hackathon's lock (places and the waiting list are counted
per hackathon), so the hackathon always comes first.

SQLite has no row locks (`FOR UPDATE` compiles to nothing); there every write transaction
starts with `BEGIN IMMEDIATE` (`services/transactions.py`), so writers are serialised whole and the
re-read below sees the last committed state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from incubator.extensions import db
from incubator.models import (
    Booking,
    Cohort,
    Hackathon,
    Invitation,
    Match,
    MatchingRun,
    Milestone,
    OfficeHoursDay,
    Registration,
    Slot,
    SlotSeries,
    User,
    Venture,
)

LOCK_ORDER: tuple[type, ...] = (
    Hackathon,
    Cohort,
    MatchingRun,
    OfficeHoursDay,
    Venture,
    User,
    SlotSeries,
    Slot,
    Booking,
    Match,
    Milestone,
    Invitation,
    Registration,
)
_RANK = {model: rank for rank, model in enumerate(LOCK_ORDER)}

# An object of one of those models; the type checker keeps other objects out of lock().
Lockable: TypeAlias = (
    Hackathon
    | Cohort
    | MatchingRun
    | OfficeHoursDay
    | Venture
    | User
    | SlotSeries
    | Slot
    | Booking
    | Match
    | Milestone
    | Invitation
    | Registration
)


def lock(*objects: Lockable | None) -> None:
    """Lock these objects' rows in the documented order and re-read them from the database.

    After this returns, the objects hold the latest committed state and no other
    transaction can change those rows until this one ends. `None`s are skipped, so callers
    can pass optional objects.
    """
    # Flask-Login's current_user is a proxy; lock the user behind it.
    present = [
        getattr(obj, "_get_current_object", lambda o=obj: o)() for obj in objects if obj is not None
    ]
    ordered = _ordered(present)
    for obj in ordered:
        # A bare SELECT of the id: refresh() would repeat the object's eager joins, and
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
        lock_ids(type(obj), [obj.id])
    for obj in ordered:
        # Under READ COMMITTED each statement sees what committed before it began, so this
        # reads the state the lock holder left.
        db.session.refresh(obj)


def lock_ids(model: type[Lockable], ids: Iterable[int]) -> None:
    """Lock rows of one table by id (ascending), without loading them as objects."""
    table_ids = sorted(set(ids))
    if not table_ids:
        return
    _rank(model)
    db.session.execute(
        db.select(model.id)
        .where(model.id.in_(table_ids))
        .order_by(model.id)
        .with_for_update(key_share=True)
    ).all()


def _ordered(objects: list[Lockable]) -> list[Lockable]:
    unique = {(type(obj), obj.id): obj for obj in objects}
    return [unique[key] for key in sorted(unique, key=lambda key: (_rank(key[0]), key[1]))]


def _rank(model: type) -> int:
    try:
        return _RANK[model]
    except KeyError:
        raise ValueError(
            f"{model.__name__} has no place in the lock order (services/locks.py)"
        ) from None
