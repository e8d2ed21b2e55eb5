"""A cohort's matching stamps, under which a worker keeps what the review page's room and add
form are drawn from (`review_memory.room_rows`), so that a view reads two short values with
the cohort's runs instead of every venture, counterpart and held pair as JSON.

The stamps (`MatchingStamp`) are random values the database writes anew, in the writing
transaction, whenever anything the room and the add form's choices read changes: triggers
(migration 0025_review) on ventures (name, needs, stage, status, cohort), matches that hold a
place, were declined or are pinned in a draft, people's names and activity, roles, mentor,
funder and partner profiles, organisations' names and new cohorts. A cohort's own stamp
changes with its ventures, its declined pairs and its drafts' pins; the shared one
(`SHARED_SCOPE`) with what every cohort reads: the counterparts, and the places held in any
cohort. Triggers rather than the services' own calls, so that no way of writing is missed
(a Core statement, a bulk DELETE, a cascade, a seeder, another program's SQL).

A reader reads both stamps first, in the statement that reads the cohort's runs
(`runs.cohort_runs`), and keeps what it reads after under them, the cohort, the kind and the
draft: another worker, or this one after a change anywhere, reads other stamps and reads the
rows again. Reading the stamps before the rows means what is kept is never older than its
key (under READ COMMITTED the rows may be newer, never older), so nothing kept is shown
after a change has committed. A cohort without a stamp keeps nothing.

On PostgreSQL a transaction writes a stamp once, at its first change (a setting local to the
transaction remembers it): a transaction that has written reads no key and keeps nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, case, func, literal, null, or_, select, true

from incubator.extensions import db
from incubator.models import MatchingStamp
from incubator.models.matching import SHARED_SCOPE

__all__ = ["WRITTEN", "key", "key_column"]

# What the PostgreSQL triggers set for the rest of a transaction once they have written a
# stamp (migration 0025_review).
WRITTEN = "written"


def _stamp(scope: int) -> ColumnElement[Any]:
    return select(MatchingStamp.stamp).where(MatchingStamp.scope == scope).scalar_subquery()


def key_column(cohort_id: int) -> ColumnElement[Any]:
    """The cohort's stamp and the shared one as one text, to read with another statement;
    NULL when either is missing or this transaction has written one (nothing to keep)."""
    both = _stamp(SHARED_SCOPE) + literal(":", String) + _stamp(cohort_id)
    if db.session.get_bind().dialect.name != "postgresql":
        # Every write gives SQLite's stamps new values: nothing to remember.
        return both
    written = or_(
        *(
            func.current_setting(f"matching_stamps.s{scope}", true()) == WRITTEN
            for scope in (SHARED_SCOPE, cohort_id)
        )
    )
    return case((written, null()), else_=both)


def key(cohort_id: int) -> str | None:
    """`key_column` read alone (one query)."""
    return db.session.scalar(select(key_column(cohort_id)))
