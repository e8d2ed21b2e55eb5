"""The pipeline's derived facts: one `PipelineFacts` row per venture, what the risk rules and
the board read, so that a cohort of thousands is counted, filtered and sorted from one narrow
table instead of aggregating every venture's milestones, check-ins and stage history.

Kept current without any service having to remember: when the session flushes a change to a
milestone (its status, due date or venture), a check-in (its week, confidence or venture), a
stage move, a venture's cohort, status or stage, or a new venture, the venture is noted, and
before the transaction commits (or before `risk.py` reads the table) each noted venture's row
is written again from its history in one statement, in the same transaction as the change.
`flask pipeline-facts rebuild` writes every row again, for data that arrived around the
services (the benchmark's seeders, a restore).

On PostgreSQL two transactions changing one venture at once (two check-ins from two tabs)
would each see only their own change and the later write would lose the other's; so the
rows are locked first (FOR NO KEY UPDATE, ascending, the last lock a transaction takes: see
services/locks.py) and written by a later statement, which under READ COMMITTED sees what
the lock holder committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    SQLColumnExpression,
    case,
    event,
    func,
    inspect,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from incubator.extensions import db
from incubator.models import (
    CheckIn,
    Milestone,
    MilestoneStatus,
    PipelineFacts,
    StageChange,
    Venture,
)
from incubator.models.pipeline import OPEN_MILESTONE_STATUSES

__all__ = ["low_run", "rebuild", "settle", "stale_ventures"]

DONE_STATUSES = (MilestoneStatus.DONE, MilestoneStatus.VERIFIED)
# The confidences a threshold can name below the top of the scale (1 to 5): a run of
# check-ins at 5 or lower is every check-in.
LOW_LEVELS = (1, 2, 3, 4)
# What a change to each model must touch to change its venture's facts.
WATCHED: dict[type, tuple[str, ...]] = {
    Milestone: ("venture_id", "status", "due_on"),
    CheckIn: ("venture_id", "week_start", "confidence"),
    StageChange: ("venture_id", "changed_at"),
    Venture: ("created_at", "cohort_id", "status", "stage"),
}
PENDING = "pipeline_facts_pending"
# Ventures written again per statement.
BATCH = 500


def low_run(threshold: int) -> SQLColumnExpression[int]:
    """How many of a venture's latest check-ins in a row have a confidence of `threshold` or
    lower (a column of PipelineFacts)."""
    if threshold < min(LOW_LEVELS):
        return literal(0)
    if threshold > max(LOW_LEVELS):
        return PipelineFacts.check_ins
    return getattr(PipelineFacts, f"low_run_{threshold}")


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _derived(scope: ColumnElement[bool]) -> Select[Any]:
    """Every column of PipelineFacts, from the history of the ventures `scope` selects."""
    chosen = select(Venture.id).where(scope)
    milestones = (
        select(
            Milestone.venture_id,
            func.count().label("total"),
            func.sum(_flag(Milestone.status.in_(DONE_STATUSES))).label("done"),
            func.min(case((Milestone.status.in_(OPEN_MILESTONE_STATUSES), Milestone.due_on))).label(
                "first_due"
            ),
        )
        .where(Milestone.venture_id.in_(chosen))
        .group_by(Milestone.venture_id)
        .subquery("facts_milestones")
    )
    # A run of low check-ins is what came after the latest check-in that was not low.
    confident = (
        select(
            CheckIn.venture_id,
            *(
                func.max(case((CheckIn.confidence > level, CheckIn.week_start))).label(
                    f"confident_{level}"
                )
                for level in LOW_LEVELS
            ),
        )
        .where(CheckIn.venture_id.in_(chosen))
        .group_by(CheckIn.venture_id)
        .subquery("facts_confident")
    )

    def after_confident(level: int) -> ColumnElement[int]:
        latest = confident.c[f"confident_{level}"]
        return func.sum(_flag(latest.is_(None) | (CheckIn.week_start > latest)))

    check_ins = (
        select(
            CheckIn.venture_id,
            func.count().label("total"),
            func.max(CheckIn.week_start).label("last_on"),
            *(after_confident(level).label(f"low_{level}") for level in LOW_LEVELS),
        )
        .join(confident, confident.c.venture_id == CheckIn.venture_id)
        .where(CheckIn.venture_id.in_(chosen))
        .group_by(CheckIn.venture_id)
        .subquery("facts_check_ins")
    )
    history = (
        select(
            StageChange.venture_id,
            func.min(StageChange.changed_at).label("joined_at"),
            func.max(StageChange.changed_at).label("since_at"),
        )
        .where(StageChange.venture_id.in_(chosen))
        .group_by(StageChange.venture_id)
        .subquery("facts_history")
    )
    return (
        select(
            Venture.id,
            func.coalesce(milestones.c.total, 0),
            func.coalesce(milestones.c.done, 0),
            milestones.c.first_due,
            func.coalesce(check_ins.c.total, 0),
            check_ins.c.last_on,
            *(func.coalesce(check_ins.c[f"low_{level}"], 0) for level in LOW_LEVELS),
            func.coalesce(history.c.joined_at, Venture.created_at),
            func.coalesce(history.c.since_at, Venture.created_at),
            Venture.cohort_id,
            Venture.status,
            Venture.stage,
        )
        .outerjoin(milestones, milestones.c.venture_id == Venture.id)
        .outerjoin(check_ins, check_ins.c.venture_id == Venture.id)
        .outerjoin(history, history.c.venture_id == Venture.id)
        # A WHERE always: SQLite cannot otherwise tell the upsert's ON CONFLICT from a join's ON.
        .where(scope)
    )


COLUMNS = [column.key for column in PipelineFacts.__table__.columns]


def _upsert(session: Session, scope: ColumnElement[bool]) -> Insert:
    """INSERT ... SELECT the derived facts of the ventures `scope` selects, replacing rows
    already there."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(PipelineFacts).from_select(COLUMNS, _derived(scope))
    return statement.on_conflict_do_update(
        index_elements=[PipelineFacts.venture_id],
        set_={name: statement.excluded[name] for name in COLUMNS if name != "venture_id"},
    )


def refresh(venture_ids: Iterable[int], session: Session | None = None) -> None:
    """Write these ventures' facts again from their history (under a lock: see above)."""
    session = session if session is not None else db.session()
    ids = sorted(set(venture_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        session.execute(
            select(PipelineFacts.venture_id)
            .where(PipelineFacts.venture_id.in_(batch))
            .order_by(PipelineFacts.venture_id)
            .with_for_update(key_share=True)
        ).all()
        session.execute(_upsert(session, Venture.id.in_(batch)))


def rebuild() -> int:
    """Write every venture's facts again from its history; how many rows there are."""
    db.session.execute(_upsert(db.session(), true()))
    return db.session.scalar(select(func.count()).select_from(PipelineFacts)) or 0


def stale_ventures() -> list[int]:
    """The ventures whose stored facts differ from their history (none, unless data arrived
    around the services): what `flask pipeline-facts check` reports."""
    derived = _derived(true()).subquery("derived")
    stored = PipelineFacts.__table__
    venture_id, *values = derived.c
    differs = [
        stored.c[name].is_distinct_from(value)
        for name, value in zip(COLUMNS[1:], values, strict=True)
    ]
    return list(
        db.session.scalars(
            select(venture_id)
            .outerjoin(stored, stored.c.venture_id == venture_id)
            .where(stored.c.venture_id.is_(None) | or_(*differs))
            .order_by(venture_id)
        )
    )


def settle(session: Session | None = None) -> None:
    """Write the facts of the ventures this transaction has changed so far."""
    session = session if session is not None else db.session()
    session.flush()
    pending = session.info.pop(PENDING, None)
    if pending:
        refresh(pending, session)


# Noting what changed ------------------------------------------------------------------------


def _note(session: Session, venture_ids: Iterable[int | None]) -> None:
    found = {venture_id for venture_id in venture_ids if venture_id is not None}
    if found:
        session.info.setdefault(PENDING, set()).update(found)


@event.listens_for(Session, "before_flush")
def _note_changed_and_deleted(session: Session, _context: object, _instances: object) -> None:
    """Changed and deleted rows, while they can still be read (a venture a row moved away
    from, too)."""
    for obj in [*session.dirty, *session.deleted]:
        names = WATCHED.get(type(obj))
        if not names or isinstance(obj, Venture):
            continue
        state = inspect(obj)
        if obj in session.deleted or any(state.attrs[name].history.has_changes() for name in names):
            _note(session, [*state.attrs.venture_id.history.deleted, obj.venture_id])
    for obj in session.dirty:
        if isinstance(obj, Venture):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in WATCHED[Venture]):
                _note(session, [obj.id])


@event.listens_for(Session, "after_flush")
def _note_added(session: Session, _context: object) -> None:
    """New rows, once the flush has given them (and a new venture) their ids."""
    _note(
        session,
        [
            obj.id if isinstance(obj, Venture) else obj.venture_id
            for obj in session.new
            if type(obj) in WATCHED
        ],
    )


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    settle(session)
