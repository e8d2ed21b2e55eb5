"""A venture's timeline: its stage moves, milestones, check-ins and mentor sessions,
newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ScalarResult, select
from sqlalchemy.orm import QueryableAttribute, aliased, selectinload

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    CheckIn,
    Milestone,
    Stage,
    StageChange,
    User,
    Venture,
)

T = TypeVar("T")


@dataclass
class TimelineEntry:
    """One line of the timeline: when, what kind of event, what happened, and by whom."""

    at: datetime
    kind: str  # "stage", "milestone", "check_in", "session"
    title: str
    detail: str = ""
    by: str = ""


def timeline(venture: Venture) -> list[TimelineEntry]:
    """Stage changes, milestones, check-ins and mentor sessions, newest first, in a fixed
    number of queries."""
    entries = [
        *_stage_entries(venture),
        *_milestone_entries(venture),
        *_check_in_entries(venture),
        *_session_entries(venture),
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _name(user: User | None) -> str:
    return user.name if user else ""


def _rows_of(venture: Venture, model: type[T], person: QueryableAttribute) -> ScalarResult[T]:
    """The venture's rows of a model, with the person each one names loaded alongside."""
    # Every model passed here has a venture_id column, which type[T] cannot say.
    of_venture = model.venture_id == venture.id  # type: ignore[attr-defined]
    return db.session.scalars(select(model).options(selectinload(person)).where(of_venture))


def _stage_entries(venture: Venture) -> list[TimelineEntry]:
    """Joining the pipeline and each move since, with who moved it and why."""
    entries = []
    for change in _rows_of(venture, StageChange, StageChange.changed_by):
        if change.from_stage is None:
            title = f"Entered the pipeline at {Stage(change.to_stage).label}"
        else:
            title = f"Moved from {Stage(change.from_stage).label} to {Stage(change.to_stage).label}"
        entries.append(
            TimelineEntry(
                change.changed_at, "stage", title, change.reason, _name(change.changed_by)
            )
        )
    return entries


def _milestone_entries(venture: Venture) -> list[TimelineEntry]:
    """Each milestone planned, and done and verified once it was."""
    entries = []
    for milestone in _rows_of(venture, Milestone, Milestone.verified_by):
        # (when, what happened, detail, by whom); None when it has not happened.
        steps = [
            (milestone.created_at, "planned", f"{Stage(milestone.stage).label} stage", ""),
            (
                milestone.completed_at,
                "done",
                milestone.evidence_note or milestone.evidence_url or "",
                "",
            ),
            (milestone.verified_at, "verified", "", _name(milestone.verified_by)),
        ]
        entries += [
            TimelineEntry(at, "milestone", f"Milestone {what}: {milestone.title}", detail, by)
            for at, what, detail, by in steps
            if at is not None
        ]
    return entries


def _check_in_entries(venture: Venture) -> list[TimelineEntry]:
    """Each weekly check-in, with its confidence and summary."""
    return [
        TimelineEntry(
            check_in.created_at,
            "check_in",
            f"Check-in for the week of {clock.day_label(check_in.week_start)} "
            f"(confidence {check_in.confidence}/5)",
            check_in.summary,
            _name(check_in.author),
        )
        for check_in in _rows_of(venture, CheckIn, CheckIn.author)
    ]


def _session_entries(venture: Venture) -> list[TimelineEntry]:
    """Sessions booked, held and cancelled: one query, names joined in. Never the notes."""
    # The entry's own time is shown in the viewer's zone; the session's time in the title
    # is in the program's zone, with its abbreviation.
    zone = clock.program_zone()
    mentor, canceller = aliased(User), aliased(User)
    rows = db.session.execute(
        # Names only: loading whole users would also load their roles, once per relationship.
        select(Booking, mentor.name, canceller.name)
        .join(mentor, mentor.id == Booking.mentor_id)
        .outerjoin(canceller, canceller.id == Booking.cancelled_by_id)
        .where(Booking.venture_id == venture.id)
    )
    entries = []
    for booking, mentor_name, cancelled_by in rows:
        when = f"{booking.starts_at.astimezone(zone):%b %-d, %Y %-I:%M %p %Z}"
        entries.append(
            TimelineEntry(
                booking.created_at,
                "session",
                f"Session booked with {mentor_name} for {when}",
                f"Agenda: {booking.agenda}",
            )
        )
        if booking.status == BookingStatus.COMPLETED and booking.completed_at is not None:
            entries.append(
                TimelineEntry(booking.completed_at, "session", f"Session held with {mentor_name}")
            )
        elif booking.status == BookingStatus.NO_SHOW:
            entries.append(
                TimelineEntry(booking.ends_at, "session", f"Session with {mentor_name}: no-show")
            )
        elif booking.status == BookingStatus.CANCELLED and booking.cancelled_at is not None:
            entries.append(
                TimelineEntry(
                    booking.cancelled_at,
                    "session",
                    f"Session with {mentor_name} cancelled"
                    + (" (moved to another time)" if booking.rescheduled_to_id else ""),
                    booking.cancel_reason,
                    cancelled_by or "",
                )
            )
    return entries
