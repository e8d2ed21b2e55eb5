"""A venture's timeline: its stage moves, milestones, check-ins and mentor sessions,
newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import ScalarResult, select
from sqlalchemy.orm import QueryableAttribute, aliased, selectinload

from incubator import clock, i18n
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Booking,
    BookingStatus,
    CheckIn,
    Milestone,
    StageChange,
    User,
    Venture,
)
from incubator.services.pipeline.stages import JOINED_THE_COHORT, stage_label

T = TypeVar("T")


@dataclass
class TimelineEntry:
    """One line of the timeline: when, what kind of event, what happened, and by whom."""

    at: datetime
    kind: str  # "stage", "milestone", "check_in", "session": KIND_LABELS
    title: str
    detail: str = ""
    by: str = ""


# What the badge of each kind of entry says; translated where shown (kind_label).
KIND_LABELS = {
    "stage": N_("stage"),
    "milestone": N_("milestone"),
    "check_in": N_("check-in"),
    "session": N_("session"),
}


def kind_label(kind: str) -> str:
    """The badge of a kind of entry, in the request's language."""
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


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
            title = _("Entered the pipeline at %(stage)s", stage=stage_label(change.to_stage))
        else:
            title = _(
                "Moved from %(from_stage)s to %(to_stage)s",
                from_stage=stage_label(change.from_stage),
                to_stage=stage_label(change.to_stage),
            )
        # The reason an entry is stored with is the program's words, not a person's.
        joined = change.from_stage is None and change.reason == JOINED_THE_COHORT
        reason = _(JOINED_THE_COHORT) if joined else change.reason
        entries.append(
            TimelineEntry(change.changed_at, "stage", title, reason, _name(change.changed_by))
        )
    return entries


def _milestone_entries(venture: Venture) -> list[TimelineEntry]:
    """Each milestone planned, and done and verified once it was."""
    entries = []
    for milestone in _rows_of(venture, Milestone, Milestone.verified_by):
        # (when, what happened, detail, by whom); None when it has not happened.
        steps = [
            (
                milestone.created_at,
                _("Milestone planned: %(title)s", title=milestone.title),
                _("%(stage)s stage", stage=stage_label(milestone.stage)),
                "",
            ),
            (
                milestone.completed_at,
                _("Milestone done: %(title)s", title=milestone.title),
                milestone.evidence_note or milestone.evidence_url or "",
                "",
            ),
            (
                milestone.verified_at,
                _("Milestone verified: %(title)s", title=milestone.title),
                "",
                _name(milestone.verified_by),
            ),
        ]
        entries += [
            TimelineEntry(at, "milestone", title, detail, by)
            for at, title, detail, by in steps
            if at is not None
        ]
    return entries


def _check_in_entries(venture: Venture) -> list[TimelineEntry]:
    """Each weekly check-in, with its confidence and summary."""
    return [
        TimelineEntry(
            check_in.created_at,
            "check_in",
            _(
                "Check-in for the week of %(week)s (confidence %(confidence)d/5)",
                week=clock.day_label(check_in.week_start),
                confidence=check_in.confidence,
            ),
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
        starts_at = booking.starts_at.astimezone(zone)
        # "Mar 2, 2026 9:05 AM PST"; "2 mar 2026 9:05 a.m. PST".
        when = f"{i18n.format_date(starts_at.date())} {i18n.format_time(starts_at)} {starts_at:%Z}"
        entries.append(
            TimelineEntry(
                booking.created_at,
                "session",
                _("Session booked with %(mentor)s for %(when)s", mentor=mentor_name, when=when),
                _("Agenda: %(agenda)s", agenda=booking.agenda),
            )
        )
        if booking.status == BookingStatus.COMPLETED and booking.completed_at is not None:
            entries.append(
                TimelineEntry(
                    booking.completed_at,
                    "session",
                    _("Session held with %(mentor)s", mentor=mentor_name),
                )
            )
        elif booking.status == BookingStatus.NO_SHOW:
            entries.append(
                TimelineEntry(
                    booking.ends_at,
                    "session",
                    _("Session with %(mentor)s: no-show", mentor=mentor_name),
                )
            )
        elif booking.status == BookingStatus.CANCELLED and booking.cancelled_at is not None:
            cancelled = (
                _("Session with %(mentor)s cancelled (moved to another time)", mentor=mentor_name)
                if booking.rescheduled_to_id
                else _("Session with %(mentor)s cancelled", mentor=mentor_name)
            )
            entries.append(
                TimelineEntry(
                    booking.cancelled_at,
                    "session",
                    cancelled,
                    booking.cancel_reason,
                    cancelled_by or "",
                )
            )
    return entries
