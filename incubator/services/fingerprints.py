"""What a chart or a public page is drawn from, in a small query: the facts its ETag names.

Each function returns plain values that change whenever the response would: a venture's
`updated_at` and `version` move with every change of its row (every ORM flush, and every
Core UPDATE through the column's onupdate), counts and sums of ids move when rows arrive or
leave, and the cohort's own columns are read whole (there are few). None of them loads a
venture as an object or draws anything.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from incubator.extensions import db
from incubator.models import Cohort, Hackathon, StageChange, Venture

if TYPE_CHECKING:
    from incubator.services.cohorts.ventures import ShowcasePage


def _ventures_of(cohort_id: int) -> list:
    """Count, sum of ids, sum of versions and latest change of a cohort's ventures."""
    of_cohort = Venture.cohort_id == cohort_id
    return [
        select(value).where(of_cohort).scalar_subquery()
        for value in (
            func.count(Venture.id),
            func.coalesce(func.sum(Venture.id), 0),
            func.coalesce(func.sum(Venture.version), 0),
            func.max(Venture.updated_at),
        )
    ]


def cohort_charts(cohort: Cohort, today: date) -> tuple[tuple, datetime | None]:
    """The cohort's stage charts: its ventures, their moves, its dates and name, and today
    (the weeks run to today). Returns the facts and when they last changed."""
    moves = [
        select(value)
        .join(Venture, Venture.id == StageChange.venture_id)
        .where(Venture.cohort_id == cohort.id)
        .scalar_subquery()
        for value in (func.count(StageChange.id), func.max(StageChange.changed_at))
    ]
    row = db.session.execute(select(*_ventures_of(cohort.id), *moves)).one()
    facts = (cohort.id, cohort.name, cohort.starts_on, cohort.ends_on, today, *row)
    return facts, _latest(row[3], row[5])


def showcase_index() -> tuple:
    """The published cohorts, as the showcase's index lists them."""
    return tuple(
        db.session.execute(
            select(Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on, Cohort.status)
            .where(Cohort.showcase_published.is_(True))
            .order_by(Cohort.id)
        ).all()
    )


def showcase_cohort(cohort: Cohort, page: ShowcasePage) -> tuple[tuple, datetime | None]:
    """One page of a published cohort's showcase: the cohort's name, every venture's status
    and stage as counted (with their latest change), and the ventures on the page and the
    first of the next, by id, edit version and time of change. Read with the page itself, so
    no query of its own; returns the facts and when the cohort's ventures last changed."""
    return (cohort.id, cohort.name, cohort.showcase_published, page.after, *page.keys), page.changed


def registration_index(today: date) -> tuple:
    """The hackathons taking registrations, as the public list shows them; and the year,
    since a date of another year is written with its year."""
    rows = db.session.execute(
        select(
            Hackathon.id,
            Hackathon.name,
            Hackathon.theme,
            Hackathon.starts_on,
            Hackathon.ends_on,
            Hackathon.venue,
        )
        .where(Hackathon.registration_open.is_(True))
        .order_by(Hackathon.id)
    ).all()
    return (today.year, *rows)


def _latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)
