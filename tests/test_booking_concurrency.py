"""Races for mentor sessions through a real multi-worker server, on SQLite and PostgreSQL.

Gunicorn with several sync workers serves the app on a fresh database, as production
does; founders sign in through the login form (CSRF token included) and then all their
booking requests are released at once. The database, not luck, must make a slot bookable
only once and keep a founder from holding two sessions at the same time: exactly one
request wins, every other one gets a clear refusal and never a server error.

The conftest backend (INCUBATOR_TEST_DB) picks the database; `make test` runs both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import Booking, BookingStatus, MentorProfile, Slot, SlotStatus, utcnow
from tests import factories
from tests.races import Browser, Served, Shown, race

RACERS = 24  # concurrent booking attempts per race, more than the 20 the requirement asks
# What the losers must be told (services/mentoring/booking.py), in a flash message on their page:
# the slot race's "That slot was just taken by someone else. ..." and the overlap's
# "You already have a session at that time (with ...)" (or the constraint's shorter form).
SLOT_TAKEN_TEXT = "just taken"
OVERLAP_TEXT = "already have a session at that time"


# Seeding ------------------------------------------------------------------------------------


def _session_time(days_ahead: int) -> datetime:
    """A whole hour some days from now, in UTC."""
    return (utcnow() + timedelta(days=days_ahead)).replace(minute=0, second=0, microsecond=0)


def _mentor(name: str, email: str):
    mentor = factories.user("mentor", name=name, email=email)
    db.session.add(MentorProfile(user_id=mentor.id, organisation="City of Los Angeles"))
    return mentor


def _slot(mentor, starts_at: datetime, minutes: int = 45) -> Slot:
    slot = Slot(
        mentor_id=mentor.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        location="City Hall, room 300",
        status=SlotStatus.OPEN,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def _cohort(name: str, *, by):
    today = clock.today()
    return factories.cohort(
        name,
        by=by,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=150),
        capacity=RACERS + 5,
    )


@dataclass
class Contender:
    """One booking attempt: who sends it, for which venture, to book which slot."""

    email: str
    venture_id: int
    slot_id: int


# Racing -------------------------------------------------------------------------------------


@dataclass
class Attempt:
    """One contender's booking and what they were shown (tests/races.py)."""

    contender: Contender
    shown: Shown

    @property
    def statuses(self) -> list[int | str]:
        return self.shown.statuses

    @property
    def messages(self) -> list[str]:
        return self.shown.messages

    def describe(self) -> str:
        return f"{self.statuses} -> {urlsplit(self.shown.location).path or '-'}"


def _race(served: Served, contenders: list[Contender]) -> list[Attempt]:
    """Sign every contender in first, one after another; then send all the bookings at once."""
    browsers = [Browser(served, contender.email) for contender in contenders]
    try:
        shown = race(
            [
                browser.post(
                    "mentoring.book",
                    {
                        "venture_id": str(contender.venture_id),
                        "agenda": "Pilot plan with the Department of Water and Power",
                    },
                    slot_id=contender.slot_id,
                )
                for browser, contender in zip(browsers, contenders, strict=True)
            ]
        )
    finally:
        for browser in browsers:
            browser.close()
    return [Attempt(contender, s) for contender, s in zip(contenders, shown, strict=True)]


def _outcomes(attempts: list[Attempt], winner_path: str, refusal: str) -> tuple[list, list, list]:
    """Split the attempts into wins, clear refusals and anything else."""
    wins, refusals, others = [], [], []
    for a in attempts:
        fine = all(isinstance(s, int) and s < 500 for s in a.statuses)
        if fine and a.shown.status in (302, 303) and urlsplit(a.shown.location).path == winner_path:
            wins.append(a)
        elif fine and any(refusal in message for message in a.messages):
            refusals.append(a)
        else:
            others.append(a)
    return wins, refusals, others


def _summary(served: Served, attempts: list[Attempt], others: list[Attempt]) -> str:
    counts = Counter(a.describe() for a in attempts)
    lines = [f"outcomes: {dict(counts)}"]
    lines.append(f"messages: {dict(Counter(m for a in attempts for m in a.messages))}")
    for a in others[:3]:
        lines.append(f"unexpected {a.describe()}: {a.shown.page[:1500]}")
    lines.append("gunicorn log (end):\n" + "\n".join(served.log().splitlines()[-40:]))
    return "\n".join(lines)


def _one_won(
    served: Served, attempts: list[Attempt], bookings: list[Booking], refusal: str
) -> tuple[Booking, Attempt, list[Attempt], str]:
    """Check that every contender was answered, one booking was made and its contender was
    sent to it, and every other one was refused with `refusal`; return the booking, the
    winning attempt, the refusals and a summary for assertion messages."""
    assert len(attempts) == RACERS
    assert len(bookings) == 1, [(b.id, b.venture_id, b.slot_id, b.status) for b in bookings]
    (booking,) = bookings
    assert booking.status == BookingStatus.BOOKED
    winner_path = served.path_for("mentoring.booking", booking_id=booking.id)
    wins, refusals, others = _outcomes(attempts, winner_path, refusal)
    summary = _summary(served, attempts, others)
    assert len(wins) == 1, summary
    assert len(refusals) == RACERS - 1, summary
    assert not others, summary
    return booking, wins[0], refusals, summary


def _bookings(served: Served, *conditions) -> list[Booking]:
    """The bookings that meet the conditions, as the served app's database holds them after
    a race."""
    with served.app.app_context():
        found = list(db.session.scalars(select(Booking).where(*conditions)))
        db.session.remove()
    return found


def _no_errors_logged(served: Served, since: int) -> None:
    log = served.log(since)
    assert "Traceback" not in log and "unhandled error" not in log, log[-5000:]


# The races ----------------------------------------------------------------------------------


def test_twenty_founders_racing_for_one_slot_get_one_booking(served):
    with served.app.app_context():
        manager = factories.user("manager", email="race-manager@example.org")
        mentor = _mentor("Maria Mentor", "race-mentor@example.org")
        slot = _slot(mentor, _session_time(days_ahead=3))
        cohort = _cohort("Slot race cohort", by=manager)
        contenders = []
        for number in range(RACERS):
            venture = factories.venture(cohort, f"Slot racer {number:02d}", by=manager)
            founder = factories.founder_of(venture, email=f"slot-racer{number}@example.org")
            contenders.append(Contender(founder.email, venture.id, slot.id))
        slot_id = slot.id
        db.session.commit()
        db.session.remove()

    log_start = len(served.log())
    attempts = _race(served, contenders)

    bookings = _bookings(served, Booking.slot_id == slot_id)
    booking, winner, refusals, summary = _one_won(served, attempts, bookings, SLOT_TAKEN_TEXT)
    assert winner.contender.venture_id == booking.venture_id, summary
    # A loser's page says the time is gone (and offers the mentor's next free times).
    assert all("no longer free" in a.shown.page for a in refusals), summary
    _no_errors_logged(served, log_start)


def test_one_founder_racing_for_overlapping_slots_gets_one(served):
    with served.app.app_context():
        manager = factories.user("manager", email="overlap-manager@example.org")
        cohort = _cohort("Overlap race cohort", by=manager)
        venture = factories.venture(cohort, "Double booker", by=manager)
        founder = factories.founder_of(venture, email="overlap-founder@example.org")
        # Different mentors' slots at the same time (one mentor's slots may not overlap);
        # the later ones start a quarter of an hour apart but still overlap the first.
        starts_at = _session_time(days_ahead=4)
        contenders = []
        for number in range(RACERS):
            mentor = _mentor(f"Mentor {number:02d}", f"overlap-mentor{number}@example.org")
            offset = timedelta(minutes=15 if number % 2 else 0)
            slot = _slot(mentor, starts_at + offset)
            contenders.append(Contender(founder.email, venture.id, slot.id))
        founder_id = founder.id
        slot_ids = [c.slot_id for c in contenders]
        db.session.commit()
        db.session.remove()

    log_start = len(served.log())
    attempts = _race(served, contenders)

    bookings = _bookings(served, Booking.founder_id == founder_id)
    on_slots = _bookings(served, Booking.slot_id.in_(slot_ids))
    booking, winner, _, summary = _one_won(served, attempts, bookings, OVERLAP_TEXT)
    assert [b.id for b in on_slots] == [booking.id]
    assert winner.contender.slot_id == booking.slot_id, summary
    _no_errors_logged(served, log_start)
