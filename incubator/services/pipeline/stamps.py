"""A cohort's pipeline stamp, and what a worker keeps under it: the analytics page and its
two charts are drawn from one computation per stamp and day, not three per page view, and the
board's columns and table are drawn once per stamp, day, language and filters. And when each
stay in a stage ended (`StageChange.ended_at`), so the analytics need no window function over
the whole history.

The stamp is one row per cohort (`PipelineStamp`) holding a random value that is written
anew, in the same transaction, whenever anything the cohort's pipeline pages and showcase are
drawn from changes (`WATCHED`): a venture arriving, leaving or changing cohort, stage,
status, name, one-liner, challenge area, neighbourhoods or creation time; a stage move, a
milestone, a check-in, a founder, a pilot or an investment of one of its ventures recorded,
changed or removed; a founder's name; the cohort's stage plan, name or dates edited. The
session notes what a flush changes (as services/pipeline/facts.py does); before the
transaction commits (or before the analytics read them) the noted ventures' stays are
written again from their moves, and at commit their cohorts are restamped, so no service
has to remember. The showcase's counts read the stamp too, and its latest change.

A reader reads the stamp first (one row by its key) and files what it computes under it, in
its own worker's memory (`remembered`): another worker, or this one after a change anywhere,
reads another stamp and computes again. Reading the stamp before the rows means a reading is
never older than its stamp, so nothing kept is shown after a change has committed. A cohort
without a stamp is computed on every request. Rows that arrive around the services (the
benchmark's seeders, a restore) need `flask pipeline-facts rebuild`, which writes every
stay's end again and gives every cohort a new stamp.

On PostgreSQL the stays written are the moves of ventures the transaction moved, which it
has locked already (a move locks its venture first). The restamp comes after the facts' rows
are locked (facts.settle is called first) and is the last row lock the transaction takes,
cohorts in ascending id: two transactions that change one cohort queue on its stamp for the
instant of their commit, never deadlock.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Insert,
    and_,
    event,
    func,
    inspect,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstanceState, Session, aliased

from incubator.extensions import db
from incubator.kept import Kept
from incubator.models import (
    CheckIn,
    Cohort,
    Investment,
    Milestone,
    Pilot,
    PipelineStamp,
    StageChange,
    StagePlan,
    User,
    Venture,
    VentureMember,
    utcnow,
)
from incubator.models.base import UTCDateTime
from incubator.services.pipeline import facts

__all__ = [
    "Reading",
    "joint_reading",
    "reading",
    "rebuild",
    "remembered",
    "restamp",
    "settle",
    "settle_stays",
    "with_reading",
]

# What a change to each model must touch to change what its cohort's pipeline pages show
# (the board's cards and table, its totals, the analytics and their charts) or its public
# showcase (which also shows a venture's one-liner). A Cohort or a
# StagePlan names its cohort, a Venture its cohort, a User the cohorts of the ventures they
# are a founder of, and every other model its venture.
WATCHED: dict[type, tuple[str, ...]] = {
    Venture: (
        "cohort_id",
        "stage",
        "status",
        "created_at",
        "name",
        "one_liner",
        "challenge_area",
        "neighbourhoods",
    ),
    StageChange: ("venture_id", "to_stage", "changed_at"),
    # What a venture's facts are drawn from: its risk, milestones and last check-in.
    # (And when a milestone was marked done: the home names the longest waiting.)
    Milestone: (*facts.WATCHED[Milestone], "completed_at"),
    CheckIn: facts.WATCHED[CheckIn],
    VentureMember: ("venture_id", "user_id"),
    Pilot: ("venture_id", "status", "residents_reached"),
    Investment: ("venture_id", "instrument", "amount"),
    User: ("name",),
    StagePlan: ("cohort_id", "stage", "expected_days"),
    Cohort: ("name", "starts_on", "ends_on"),
}
PENDING = "pipeline_stamps_pending"
# Ventures per statement when writing stays or finding the cohorts of changed stage moves.
BATCH = 500
# Values a worker keeps: a few cohorts' analytics and their charts in each language.
KEPT = 64

T = TypeVar("T")


@dataclass(frozen=True)
class Reading:
    """The cohort's stamp as read now: `key` names everything drawn from it today (None when
    the cohort has no stamp, and nothing is kept), `changed_at` when it was last written."""

    key: tuple[Hashable, ...] | None
    changed_at: datetime | None


def reading(cohort: Cohort, today: date) -> Reading:
    """Read the cohort's stamp (one query): the key of its analytics for `today`."""
    row = db.session.execute(
        select(PipelineStamp.stamp, PipelineStamp.changed_at).where(
            PipelineStamp.cohort_id == cohort.id
        )
    ).one_or_none()
    return _reading(cohort, row.stamp if row else None, row.changed_at if row else None, today)


def with_reading(cohort_id: int, today: date) -> tuple[Cohort, Reading] | None:
    """The cohort and its stamp's reading for `today`, read together (one query); None when
    there is no such cohort."""
    row = db.session.execute(
        select(Cohort, PipelineStamp.stamp, PipelineStamp.changed_at)
        .outerjoin(PipelineStamp, PipelineStamp.cohort_id == Cohort.id)
        .where(Cohort.id == cohort_id)
    ).one_or_none()
    if row is None:
        return None
    cohort, stamp, changed_at = row
    return cohort, _reading(cohort, stamp, changed_at, today)


def _reading(
    cohort: Cohort, stamp: str | None, changed_at: datetime | None, today: date
) -> Reading:
    if stamp is None:
        return Reading(None, None)
    # The cohort's own columns too: they are loaded already, and a name or a date edited in
    # a transaction still open elsewhere must not be filed under the stamp before it.
    return Reading(
        (cohort.id, stamp, cohort.name, cohort.starts_on, cohort.ends_on, today), changed_at
    )


_KEPT = Kept(KEPT)


def joint_reading(found: Sequence[tuple[int, str | None]], today: date) -> Reading:
    """One reading for several cohorts from their ids and stamps as read (a query that reads
    the cohorts joins their stamps): what is drawn from all of them together is kept under
    all their stamps. None when one of them has no stamp."""
    if any(stamp is None for _cohort_id, stamp in found):
        return Reading(None, None)
    return Reading(("cohorts", tuple(sorted(found)), today), None)


def remembered(found: Reading, part: Hashable, make: Callable[[], T]) -> T:
    """`make()`'s value for this part of the reading, made once per stamp in this worker;
    made every time when the cohort has no stamp."""
    if found.key is None:
        return make()
    return _KEPT.get((found.key, part), make)


def forget() -> None:
    """Drop what this worker keeps (the tests' way to start from nothing)."""
    _KEPT.clear()


# Writing stamps --------------------------------------------------------------------------------


def _upsert(session: Session, scope: ColumnElement[bool]) -> Insert:
    """A new stamp for the cohorts `scope` selects, one the same for all of them (a value is
    only ever looked up with its cohort's id)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    chosen = (
        select(Cohort.id, literal(secrets.token_hex(16)), literal(utcnow(), UTCDateTime()))
        # A WHERE always: SQLite cannot otherwise tell the upsert's ON CONFLICT from a join's ON.
        .where(scope)
        .order_by(Cohort.id)
    )
    statement = insert(PipelineStamp).from_select(["cohort_id", "stamp", "changed_at"], chosen)
    return statement.on_conflict_do_update(
        index_elements=[PipelineStamp.cohort_id],
        set_={"stamp": statement.excluded.stamp, "changed_at": statement.excluded.changed_at},
    )


def restamp(cohort_ids: Iterable[int], session: Session | None = None) -> None:
    """Give these cohorts a new stamp (a cohort deleted meanwhile is skipped)."""
    session = session if session is not None else db.session()
    ids = sorted(set(cohort_ids))
    if ids:
        session.execute(_upsert(session, Cohort.id.in_(ids)))


def _stays(scope: ColumnElement[bool]) -> Any:
    """An UPDATE writing each stage move's `ended_at` (the venture's next move, in
    (changed_at, id) order) for the moves `scope` selects."""
    later = aliased(StageChange, name="later")
    next_at = (
        select(func.min(later.changed_at))
        .where(
            later.venture_id == StageChange.venture_id,
            or_(
                later.changed_at > StageChange.changed_at,
                and_(later.changed_at == StageChange.changed_at, later.id > StageChange.id),
            ),
        )
        .scalar_subquery()
    )
    return update(StageChange).where(scope).values(ended_at=next_at)


def rebuild() -> int:
    """Write every stay's end again from the moves and give every cohort a new stamp: after
    data arrived around the services. Returns how many cohorts have a stamp."""
    db.session.flush()
    db.session.execute(_stays(true()), execution_options={"synchronize_session": False})
    db.session.expire_all()
    db.session.execute(_upsert(db.session(), true()))
    return db.session.scalar(select(func.count()).select_from(PipelineStamp)) or 0


def settle_stays(session: Session | None = None) -> None:
    """Write the stays of the ventures whose moves this transaction has changed so far (the
    analytics read them; the cohorts are restamped at commit)."""
    session = session if session is not None else db.session()
    session.flush()
    pending = session.info.get(PENDING)
    if pending is None or not pending.stays:
        return
    ventures = sorted(pending.stays)
    pending.stays.clear()
    for start in range(0, len(ventures), BATCH):
        session.execute(
            _stays(StageChange.venture_id.in_(ventures[start : start + BATCH])),
            execution_options={"synchronize_session": "fetch"},
        )


def settle(session: Session | None = None) -> None:
    """Write the stays and restamp the cohorts this transaction has changed so far."""
    session = session if session is not None else db.session()
    settle_stays(session)
    # The facts' row locks next: the stamp is the last lock a transaction takes.
    facts.settle(session)
    pending: _Pending | None = session.info.pop(PENDING, None)
    if pending is None:
        return
    cohort_ids = set(pending.cohorts)
    if pending.people:
        cohort_ids.update(_cohorts_of_people(session, sorted(pending.people)))
    ventures = sorted(pending.ventures)
    for start in range(0, len(ventures), BATCH):
        cohort_ids.update(
            session.scalars(
                select(Venture.cohort_id)
                .where(Venture.id.in_(ventures[start : start + BATCH]))
                .distinct()
            )
        )
    restamp(cohort_ids, session)


# Noting what changed ---------------------------------------------------------------------------


@dataclass
class _Pending:
    """What this transaction has changed: cohorts to restamp, ventures whose rows changed
    (their cohorts are restamped too), of those the ones whose stays are not written (a
    stage move changed), and people whose name changed (the cohorts of their ventures)."""

    cohorts: set[int] = field(default_factory=set)
    ventures: set[int] = field(default_factory=set)
    stays: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)


def _pending(session: Session) -> _Pending:
    found: _Pending = session.info.setdefault(PENDING, _Pending())
    return found


def _note(into: set[int], ids: Iterable[int | None]) -> None:
    into.update(found for found in ids if found is not None)


@event.listens_for(Session, "before_flush")
def _note_changed_and_deleted(session: Session, _context: object, _instances: object) -> None:
    """Changed and deleted rows, while their old values can still be read (the cohort a
    venture moved away from, too)."""
    for obj in [*session.dirty, *session.deleted]:
        names = WATCHED.get(type(obj))
        if not names:
            continue
        state = inspect(obj)
        deleted = obj in session.deleted
        if not deleted and not any(state.attrs[name].history.has_changes() for name in names):
            continue
        pending = _pending(session)
        if isinstance(obj, Cohort):
            _note(pending.cohorts, [obj.id])
        elif isinstance(obj, Venture | StagePlan):
            _note(pending.cohorts, [*_before(session, obj, "cohort_id"), obj.cohort_id])
        elif isinstance(obj, User):
            if deleted:
                # Their founder rows go with them (ON DELETE CASCADE): read their cohorts now.
                _note(pending.cohorts, _cohorts_of_people(session, [obj.id]))
            else:
                _note(pending.people, [obj.id])
        else:
            moved = [*_before(session, obj, "venture_id"), obj.venture_id]
            _note(pending.ventures, moved)
            if isinstance(obj, StageChange):
                _note(pending.stays, moved)


def _cohorts_of_people(session: Session, user_ids: list[int]) -> list[int]:
    """The cohorts of the ventures these people are founders of."""
    with session.no_autoflush:
        return list(
            session.scalars(
                select(Venture.cohort_id)
                .join(VentureMember, VentureMember.venture_id == Venture.id)
                .where(VentureMember.user_id.in_(user_ids))
                .distinct()
            )
        )


def _before(session: Session, obj: Any, name: str) -> list[int | None]:
    """The value a changed key column had before this flush. The session forgets the old
    value of a column expired by a commit and then set: the database still holds it."""
    state: InstanceState[Any] = inspect(obj)
    history = state.attrs[name].history
    if not history.has_changes() or obj in session.new:
        return []
    if history.deleted:
        return list(history.deleted)
    model = type(obj)
    with session.no_autoflush:
        return [session.scalar(select(getattr(model, name)).where(model.id == obj.id))]


@event.listens_for(Session, "after_flush")
def _note_added(session: Session, _context: object) -> None:
    """New rows, once the flush has given them their keys."""
    for obj in session.new:
        if type(obj) not in WATCHED or isinstance(obj, User):
            continue  # a new person is no venture's founder yet
        pending = _pending(session)
        if isinstance(obj, Cohort):
            _note(pending.cohorts, [obj.id])  # stamped from the start
        elif isinstance(obj, Venture | StagePlan):
            _note(pending.cohorts, [obj.cohort_id])
        else:
            _note(pending.ventures, [obj.venture_id])
            if isinstance(obj, StageChange):
                _note(pending.stays, [obj.venture_id])


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    settle(session)
