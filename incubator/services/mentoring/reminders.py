"""Reminders: founders whose check-in is due, managers' digest of ventures at risk (weekly),
both sides of a mentor session the day before it, and its mentor the day after it when no
outcome is recorded (each once per session; never for a cancelled one).

Every mail sent is recorded in ReminderSent (kind, person, period: the ISO week, or
"booking-<id>" for a session) before it is queued, so the job can run as often as cron
likes: a reminder recorded is not sent again, and the unique key stops two runs at once
from both sending it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    CheckIn,
    Cohort,
    CohortStatus,
    ReminderSent,
    Role,
    User,
    Venture,
    VentureMember,
    VentureStatus,
)
from incubator.services import audit, mail, notices
from incubator.services.mentoring import calendars
from incubator.services.pipeline import risk

log = logging.getLogger(__name__)

# The kinds of reminder, as stored in ReminderSent.kind; each is its mail's template too
# (templates/mail/<kind>.txt).
CHECK_IN_DUE = "check_in_due"
RISK_DIGEST = "risk_digest"
SESSION_REMINDER = "session_reminder"
OUTCOME_DUE = "session_outcome_due"

# A session's mentor is asked for its outcome from the day after it ended; a run missed for
# a few days still asks, but a session older than this is left to the mentor's home.
OUTCOME_DUE_WITHIN = timedelta(days=7)

# What became of one reminder in a run.
SENT = "sent"
ALREADY_SENT = "already_sent"


@dataclass
class ReminderReport:
    """What one run of the reminder job did."""

    period: str
    check_in_reminders: int = 0
    risk_digests: int = 0
    # One per person per mentor session starting tomorrow.
    session_reminders: int = 0
    # One per past session with no outcome, to its mentor.
    outcome_reminders: int = 0
    # Reminders that were due but had already been sent this week.
    already_sent: int = 0
    ventures_at_risk: int = 0

    def count(self, outcome: str, kind: str) -> None:
        if outcome == SENT and kind == CHECK_IN_DUE:
            self.check_in_reminders += 1
        elif outcome == SENT and kind == SESSION_REMINDER:
            self.session_reminders += 1
        elif outcome == SENT and kind == OUTCOME_DUE:
            self.outcome_reminders += 1
        elif outcome == SENT:
            self.risk_digests += 1
        else:
            self.already_sent += 1

    def summary(self) -> str:
        text = (
            f"{self.period}: {self.check_in_reminders} check-in reminders and "
            f"{self.risk_digests} at-risk digests sent ({self.ventures_at_risk} ventures at "
            f"risk); {self.already_sent} already sent this week."
        )
        if self.session_reminders:
            text += f" {self.session_reminders} reminders of tomorrow's mentor sessions sent."
        if self.outcome_reminders:
            text += f" {self.outcome_reminders} mentors asked for a past session's outcome."
        return text


def iso_week(day: date) -> str:
    """The ISO week a day falls in, e.g. "2026-W48"; reminders are sent once per week."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def followed_ventures() -> list[Venture]:
    """Active ventures in cohorts that have not graduated, with their founders."""
    return list(
        db.session.scalars(
            select(Venture)
            .join(Venture.cohort)
            .options(
                contains_eager(Venture.cohort),
                selectinload(Venture.members).selectinload(VentureMember.user),
            )
            .where(Venture.status == VentureStatus.ACTIVE, Cohort.status != CohortStatus.GRADUATED)
            .order_by(Venture.name, Venture.id)
        )
    )


def _send_once(
    kind: str, person: User, period: str, sent: set[tuple[str, int]], **context: Any
) -> str:
    """Record the reminder and queue its mail (templates/mail/<kind>.txt with this context);
    says whether it went or had gone already."""
    if (kind, person.id) in sent:
        return ALREADY_SENT
    try:
        # One savepoint per reminder: the record first, so a parallel run that recorded it
        # already makes this insert fail before anything is queued. The mail is only queued
        # here (services/mail.py); the outbox worker delivers it.
        with db.session.begin_nested():
            db.session.add(ReminderSent(kind=kind, user_id=person.id, period=period))
            db.session.flush()
            mail.send_template(person, kind, **context)
    except IntegrityError:
        return ALREADY_SENT
    sent.add((kind, person.id))
    return SENT


def send_reminders(today: date) -> ReminderReport:
    """Mail founders whose check-in for this week is missing and managers the ventures at risk.

    Each person gets each kind of reminder at most once per ISO week, however often this runs.
    """
    period = iso_week(today)
    week = clock.week_start(today)
    report = ReminderReport(period)
    sent = {
        (kind, user_id)
        for kind, user_id in db.session.execute(
            select(ReminderSent.kind, ReminderSent.user_id).where(ReminderSent.period == period)
        )
    }
    ventures = followed_ventures()
    checked_in = set(
        db.session.scalars(select(CheckIn.venture_id).where(CheckIn.week_start == week))
    )

    owed: dict[int, tuple[User, list[Venture]]] = {}
    for venture in ventures:
        if venture.id in checked_in:
            continue
        for member in venture.members:
            founder = member.user
            if notices.may_act(founder) and founder.has_role(Role.FOUNDER):
                owed.setdefault(founder.id, (founder, []))[1].append(venture)
    for founder, due in sorted(owed.values(), key=lambda pair: pair[0].email):
        outcome = _send_once(CHECK_IN_DUE, founder, period, sent, ventures=due, week=week)
        report.count(outcome, CHECK_IN_DUE)

    assessed = risk.assess(ventures, today)
    at_risk = [(venture, assessed[venture.id]) for venture in ventures if assessed[venture.id]]
    report.ventures_at_risk = len(at_risk)
    if at_risk:
        for manager in notices.program_managers():
            if notices.may_act(manager):
                outcome = _send_once(
                    RISK_DIGEST, manager, period, sent, at_risk=at_risk, today=today
                )
                report.count(outcome, RISK_DIGEST)

    _remind_sessions(today, report)
    _ask_outcomes(today, report)

    audit.record(
        None,
        "reminders.sent",
        "reminders",
        period,
        after={
            "day": today.isoformat(),
            "check_in_reminders": report.check_in_reminders,
            "risk_digests": report.risk_digests,
            "session_reminders": report.session_reminders,
            "outcome_reminders": report.outcome_reminders,
            "already_sent": report.already_sent,
            "ventures_at_risk": report.ventures_at_risk,
        },
    )
    db.session.flush()
    return report


def booking_period(booking: Booking) -> str:
    """The ReminderSent period of a session's reminder: once per booking, ever."""
    return f"booking-{booking.id}"


def sessions_on(day: date) -> list[Booking]:
    """Booked sessions starting on a day in the program's time zone, with both sides loaded."""
    start, end = clock.day_instants(day)
    return list(
        db.session.scalars(
            select(Booking)
            .options(*calendars.with_both_sides())
            .where(
                Booking.status == BookingStatus.BOOKED,
                Booking.starts_at >= start,
                Booking.starts_at < end,
            )
            .order_by(Booking.starts_at, Booking.id)
        ).unique()
    )


def _remind_sessions(today: date, report: ReminderReport) -> None:
    """Remind the mentor and the founders of each session that starts tomorrow, once."""
    bookings = sessions_on(today + timedelta(days=1))
    if not bookings:
        return
    periods = {booking_period(booking): booking for booking in bookings}
    sent_by_period: dict[str, set[tuple[str, int]]] = {period: set() for period in periods}
    for period, user_id in db.session.execute(
        select(ReminderSent.period, ReminderSent.user_id).where(
            ReminderSent.kind == SESSION_REMINDER, ReminderSent.period.in_(list(periods))
        )
    ):
        sent_by_period[period].add((SESSION_REMINDER, user_id))
    for period, booking in periods.items():
        founders = [member.user for member in booking.venture.members]
        for person in [booking.mentor, *founders]:
            if not notices.may_act(person):
                continue
            outcome = _send_once(
                SESSION_REMINDER, person, period, sent_by_period[period], booking=booking
            )
            report.count(outcome, SESSION_REMINDER)


def sessions_without_outcome(today: date) -> list[Booking]:
    """Sessions still booked (no outcome: neither held nor a no-show) that ended before
    today began on the program's calendar, within OUTCOME_DUE_WITHIN, with their mentor."""
    start_of_today, _end = clock.day_instants(today)
    return list(
        db.session.scalars(
            select(Booking)
            .options(*calendars.with_both_sides())
            .where(
                Booking.status == BookingStatus.BOOKED,
                Booking.ends_at < start_of_today,
                Booking.ends_at >= start_of_today - OUTCOME_DUE_WITHIN,
            )
            .order_by(Booking.ends_at, Booking.id)
        ).unique()
    )


def _ask_outcomes(today: date, report: ReminderReport) -> None:
    """Ask the mentor of each session that ended with no outcome recorded for it, once."""
    bookings = sessions_without_outcome(today)
    if not bookings:
        return
    periods = {booking_period(booking): booking for booking in bookings}
    asked = set(
        db.session.scalars(
            select(ReminderSent.period).where(
                ReminderSent.kind == OUTCOME_DUE, ReminderSent.period.in_(list(periods))
            )
        )
    )
    for period, booking in periods.items():
        if not notices.may_act(booking.mentor):
            continue
        sent = {(OUTCOME_DUE, booking.mentor_id)} if period in asked else set()
        outcome = _send_once(OUTCOME_DUE, booking.mentor, period, sent, booking=booking)
        report.count(outcome, OUTCOME_DUE)
