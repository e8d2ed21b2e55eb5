"""Races over mentor sessions, slots and office-hours days, through gunicorn (tests/races.py).

Each conflict is played ROUNDS times on fresh rows; after every round the database, the
audit trail and what each side was shown must tell one consistent story, and nobody gets
a 5xx. On PostgreSQL these are real races between worker processes under READ COMMITTED;
on SQLite writers queue behind BEGIN IMMEDIATE.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from incubator.extensions import db
from incubator.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    OfficeHoursDay,
    SessionRating,
    Slot,
    SlotStatus,
    utcnow,
)
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import office_hours, times
from incubator.services.mentoring import slots as slot_service
from tests import factories
from tests.helpers import count
from tests.plugins.mentoring import series_form
from tests.races import Browser, Shown, one_of, race, rounds


@dataclass
class People:
    manager: Browser
    mentor: Browser
    founder: Browser
    # The same people signed in a second time: another tab or device. (Tabs of one browser
    # share a cookie, so one tab may show another's message; two sessions keep them apart.)
    manager_again: Browser
    mentor_again: Browser
    founder_again: Browser
    mentor_id: int
    founder_id: int
    venture_id: int
    cohort_id: int


@pytest.fixture(scope="module")
def people(served) -> People:
    """A manager, a mentor and a founder of one venture, signed in once for the module."""

    def build():
        manager = factories.user("manager", name="Rosa Manager")
        cohort = factories.cohort("Race cohort", by=manager, capacity=200)
        venture = factories.venture(cohort, "DropWise", by=manager)
        founder = factories.founder_of(venture, name="Ana Founder")
        mentor = factories.mentor("Maria Mentor")
        return (manager.email, mentor.email, founder.email, mentor.id, founder.id)

    manager, mentor, founder, mentor_id, founder_id = served.seed(build)
    ids = served.check(_venture_and_cohort(founder_id))
    served.app.config["BOOKING_MAX_PER_MENTOR_PER_WEEK"] = 1000  # for seeding many rounds
    browsers = People(
        Browser(served, manager),
        Browser(served, mentor),
        Browser(served, founder),
        Browser(served, manager),
        Browser(served, mentor),
        Browser(served, founder),
        mentor_id,
        founder_id,
        *ids,
    )
    yield browsers
    for browser in (
        browsers.manager,
        browsers.mentor,
        browsers.founder,
        browsers.manager_again,
        browsers.mentor_again,
        browsers.founder_again,
    ):
        browser.close()


def _venture_and_cohort(founder_id: int):
    def inspect():
        from incubator.models import Venture, VentureMember

        venture = db.session.scalar(
            select(Venture).join(VentureMember).where(VentureMember.user_id == founder_id)
        )
        return venture.id, venture.cohort_id

    return inspect


# Every round of every test gets a week of its own, so rounds never share a time or a
# weekly booking limit (the module's people are the same throughout).
_weeks = itertools.count(1)


def _hour(week: int, hour: int) -> datetime:
    """A whole hour (UTC) on a day `week` weeks from now."""
    start = (utcnow() + timedelta(weeks=week)).replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=hour)


def _session(people: People, number: int, *, started: bool = False) -> tuple[int, int, int]:
    """A booked session of the founder with the mentor and two more free slots that week.

    Returns the booking's id and the two free slots' ids. A started session began ten
    minutes ago and ends in fifty.
    """

    def build():
        from incubator.models import User, Venture

        mentor = db.session.get(User, people.mentor_id)
        founder = db.session.get(User, people.founder_id)
        venture = db.session.get(Venture, people.venture_id)
        if started:
            begun = utcnow().replace(microsecond=0) - timedelta(minutes=10)
            # Earlier rounds' sessions under way are over as far as this round is concerned:
            # close their slots, so the new one overlaps no open slot of the mentor.
            db.session.execute(
                update(Slot)
                .where(Slot.mentor_id == mentor.id, Slot.ends_at > begun - timedelta(hours=2))
                .where(Slot.starts_at < begun + timedelta(hours=2))
                .values(status=SlotStatus.WITHDRAWN)
            )
            slot = factories.mentor_slot(mentor, begun)
            booked = booking_service.book(
                slot, venture, "Pilot plan", by=founder, now=begun - timedelta(days=1)
            )
            return booked.id, 0, 0
        week = next(_weeks)
        slot = factories.mentor_slot(mentor, _hour(week, 16))
        free = [factories.mentor_slot(mentor, _hour(week, hour)) for hour in (18, 20)]
        booked = booking_service.book(slot, venture, "Pilot plan", by=founder)
        return booked.id, free[0].id, free[1].id

    return served_of(people).seed(build)


def served_of(people: People):
    return people.founder.served


def _racing_on_a_session(people: People, *posts: tuple[str, str, dict], started: bool = False):
    """A round's play: a fresh session (under way when `started`), then these posts raced
    on it, each (who sends it, endpoint, form). The check gets the session's id."""

    def play(number):
        booking_id, _, _ = _session(people, number, started=started)
        shown = race(
            [
                getattr(people, who).post(endpoint, form, booking_id=booking_id)
                for who, endpoint, form in posts
            ]
        )
        return shown, booking_id

    return play


def _audit(action: str, object_type: str, object_id: int) -> int:
    return count(
        AuditEvent,
        AuditEvent.action == action,
        AuditEvent.object_type == object_type,
        AuditEvent.object_id == str(object_id),
    )


def _booking(booking_id: int) -> Booking:
    return db.session.get(Booking, booking_id)


# Sessions -----------------------------------------------------------------------------------


def test_a_move_and_a_cancel_of_one_session_end_in_one_story(served, people):
    def play(number):
        booking_id, new_slot, _ = _session(people, number)
        shown = race(
            [
                people.founder.post(
                    "mentoring.reschedule", {"slot_id": str(new_slot)}, booking_id=booking_id
                ),
                people.mentor.post(
                    "mentoring.cancel", {"reason": "Called to Council"}, booking_id=booking_id
                ),
            ]
        )
        return shown, (booking_id, new_slot)

    def check(shown: list[Shown], context) -> str:
        booking_id, new_slot = context
        move, cancel = shown

        def inspect():
            old = _booking(booking_id)
            live = db.session.scalars(
                select(Booking).where(
                    Booking.slot_id == new_slot, Booking.status != BookingStatus.CANCELLED
                )
            ).all()
            assert old.status == BookingStatus.CANCELLED
            assert _audit("booking.cancelled", "booking", booking_id) == 1
            if old.rescheduled_to_id is not None:
                assert [b.id for b in live] == [old.rescheduled_to_id]
                assert _audit("booking.rescheduled", "booking", booking_id) == 1
                assert move.said("Session moved")
                assert cancel.said("This session was moved to", "by Ana Founder")
                return "move won"
            assert live == []
            assert old.cancelled_by_id == people.mentor_id
            assert _audit("booking.rescheduled", "booking", booking_id) == 0
            assert cancel.said("Session cancelled")
            assert move.said("already cancelled by Maria Mentor (Called to Council)")
            return "cancel won"

        return served.check(inspect)

    rounds(served, "move vs cancel", play, check)


def test_two_tabs_moving_one_session_leave_one_live_session(served, people):
    def play(number):
        booking_id, first, second = _session(people, number)
        shown = race(
            [
                browser.post("mentoring.reschedule", {"slot_id": str(slot)}, booking_id=booking_id)
                for browser, slot in ((people.founder, first), (people.founder_again, second))
            ]
        )
        return shown, (booking_id, first, second)

    def check(shown, context) -> str:
        booking_id, first, second = context
        _winner, loser = one_of(shown, lambda s: s.said("Session moved"))
        assert loser.said("This session was moved to", "by you")

        def inspect():
            old = _booking(booking_id)
            live = db.session.scalars(
                select(Booking).where(
                    Booking.slot_id.in_([first, second]),
                    Booking.status != BookingStatus.CANCELLED,
                )
            ).all()
            assert len(live) == 1
            assert old.rescheduled_to_id == live[0].id
            assert _audit("booking.rescheduled", "booking", booking_id) == 1
            return "one move"

        return served.check(inspect)

    rounds(served, "move vs move", play, check)


def test_both_sides_cancelling_at_once_cancel_once(served, people):
    play = _racing_on_a_session(
        people,
        ("founder", "mentoring.cancel", {"reason": "Team offsite"}),
        ("mentor", "mentoring.cancel", {"reason": "Called to Council"}),
    )

    def check(shown, booking_id) -> str:
        winner, loser = one_of(shown, lambda s: s.said("Session cancelled"))
        assert loser.said("already cancelled by")

        def inspect():
            old = _booking(booking_id)
            assert old.status == BookingStatus.CANCELLED
            assert _audit("booking.cancelled", "booking", booking_id) == 1
            who = "founder" if old.cancelled_by_id == people.founder_id else "mentor"
            assert winner.request.browser is getattr(people, who)
            return f"{who} first"

        return served.check(inspect)

    rounds(served, "cancel vs cancel", play, check)


def test_an_outcome_and_a_cancel_of_a_session_under_way_do_not_both_land(served, people):
    play = _racing_on_a_session(
        people,
        ("mentor", "mentoring.outcome", {"status": "completed"}),
        ("founder", "mentoring.cancel", {"reason": "Running late"}),
        started=True,
    )

    def check(shown, booking_id) -> str:
        outcome, cancel = shown

        def inspect():
            final = _booking(booking_id)
            if final.status == BookingStatus.COMPLETED:
                assert outcome.said("Outcome recorded")
                assert cancel.said("already marked completed")
                assert _audit("booking.cancelled", "booking", booking_id) == 0
                return "outcome won"
            assert final.status == BookingStatus.CANCELLED
            assert cancel.said("Session cancelled")
            assert outcome.said("already cancelled by Ana Founder")
            assert _audit("booking.completed", "booking", booking_id) == 0
            return "cancel won"

        return served.check(inspect)

    rounds(served, "outcome vs cancel", play, check)


def test_notes_racing_a_cancellation_are_saved_first_or_refused(served, people):
    play = _racing_on_a_session(
        people,
        (
            "mentor",
            "mentoring.notes",
            {"shared_notes": "Bring the pilot data", "private_notes": ""},
        ),
        ("founder", "mentoring.cancel", {"reason": "Team offsite"}),
    )

    def check(shown, booking_id) -> str:
        notes, cancel = shown
        assert cancel.said("Session cancelled")

        def inspect():
            final = _booking(booking_id)
            assert final.status == BookingStatus.CANCELLED
            if notes.said("Notes saved"):
                assert final.shared_notes == "Bring the pilot data"
                return "notes first"
            assert notes.said("already cancelled by Ana Founder", "no notes")
            assert final.shared_notes == ""
            assert _audit("booking.notes_saved", "booking", booking_id) == 0
            return "cancel first"

        return served.check(inspect)

    rounds(served, "notes vs cancel", play, check)


def test_a_rating_sent_twice_at_once_is_one_rating(served, people):
    def play(number):
        booking_id, _, _ = _session(people, number, started=True)

        def finish():
            from incubator.models import User

            booking = _booking(booking_id)
            mentor = db.session.get(User, people.mentor_id)
            booking_service.mark_outcome(booking, BookingStatus.COMPLETED, by=mentor)

        served.seed(finish)
        shown = race(
            [
                browser.post("mentoring.rate", {"score": str(score)}, booking_id=booking_id)
                for browser, score in ((people.founder, 4), (people.founder_again, 5))
            ]
        )
        return shown, booking_id

    def check(shown, booking_id) -> str:
        assert all(s.said("Thank you for rating") for s in shown)

        def inspect():
            ratings = db.session.scalars(
                select(SessionRating).where(SessionRating.booking_id == booking_id)
            ).all()
            assert len(ratings) == 1
            assert ratings[0].score in (4, 5)
            assert _audit("booking.rated", "booking", booking_id) == 2
            return f"kept {ratings[0].score}"

        return served.check(inspect)

    rounds(served, "rating vs rating", play, check)


# Slots --------------------------------------------------------------------------------------


def _free_slot(people: People, number: int) -> int:
    def build():
        from incubator.models import User

        mentor = db.session.get(User, people.mentor_id)
        return factories.mentor_slot(mentor, _hour(next(_weeks), 17)).id

    return served_of(people).seed(build)


def _book_request(people: People, slot_id: int):
    return people.founder.post(
        "mentoring.book",
        {"venture_id": str(people.venture_id), "agenda": "Procurement questions"},
        slot_id=slot_id,
    )


def test_a_withdrawal_and_a_booking_of_one_slot_do_not_both_land(served, people):
    def play(number):
        slot_id = _free_slot(people, number)
        shown = race(
            [
                people.mentor.post("mentoring.withdraw_slot", slot_id=slot_id),
                _book_request(people, slot_id),
            ]
        )
        return shown, slot_id

    def check(shown, slot_id) -> str:
        withdraw, book = shown

        def inspect():
            slot = db.session.get(Slot, slot_id)
            live = slot_service.active_booking(slot)
            if slot.status == SlotStatus.WITHDRAWN:
                assert live is None
                assert book.said("withdrew that slot")
                return "withdrawal won"
            assert live is not None and live.status == BookingStatus.BOOKED
            assert book.said("Session booked")
            assert withdraw.said("booked by DropWise")
            assert _audit("slot.withdrawn", "slot", slot_id) == 0
            return "booking won"

        return served.check(inspect)

    rounds(served, "withdraw vs book", play, check)


def test_an_edit_and_a_booking_of_one_slot_keep_the_session_at_the_slots_time(served, people):
    def play(number):
        slot_id = _free_slot(people, number)

        def local_start():
            slot = db.session.get(Slot, slot_id)
            moved = times.local_wall_time(slot.starts_at, times.zone_of(slot.mentor))
            return moved + timedelta(hours=1)

        start = served.check(local_start)
        shown = race(
            [
                people.mentor.post(
                    "mentoring.edit_slot",
                    {
                        "date": start.date().isoformat(),
                        "time": start.strftime("%H:%M"),
                        "minutes": "60",
                        "location": "City Hall, room 301",
                    },
                    slot_id=slot_id,
                ),
                _book_request(people, slot_id),
            ]
        )
        return shown, slot_id

    def check(shown, slot_id) -> str:
        edit, book = shown

        def inspect():
            slot = db.session.get(Slot, slot_id)
            live = slot_service.active_booking(slot)
            assert live is not None, book.messages
            assert (live.starts_at, live.ends_at) == (slot.starts_at, slot.ends_at)
            if _audit("slot.updated", "slot", slot_id):
                return "edit first"
            assert edit.said("booked by DropWise")
            return "booking first"

        return served.check(inspect)

    rounds(served, "edit vs book", play, check)


def _free_series(people: People) -> tuple[int, int]:
    """A series of the mentor's on a day of its own: two free morning slots. Returns the
    series' id and its first slot's."""

    def build():
        from incubator.models import User

        mentor = db.session.get(User, people.mentor_id)
        day = (utcnow() + timedelta(weeks=next(_weeks))).date()
        published = slot_service.publish_series(
            mentor, day.weekday(), time(6), time(7), 30, day, day, "Central Library", "", by=mentor
        )
        return published.series.id, published.slots[0].id

    return served_of(people).seed(build)


def test_a_series_withdrawn_while_one_of_its_slots_is_booked_leaves_no_booking_on_a_withdrawn_slot(
    served, people
):
    def play(number):
        series_id, slot_id = _free_series(people)
        shown = race(
            [
                people.mentor.post(
                    "mentoring.withdraw_series", {"confirm": "y"}, series_id=series_id
                ),
                _book_request(people, slot_id),
            ]
        )
        return shown, (series_id, slot_id)

    def check(shown, context) -> str:
        series_id, slot_id = context
        withdraw, book = shown

        def inspect():
            from incubator.models import SlotSeries

            series = db.session.get(SlotSeries, series_id)
            slot = db.session.get(Slot, slot_id)
            live = slot_service.active_booking(slot)
            on_withdrawn = count(
                Booking,
                Booking.slot_id.in_(select(Slot.id).where(Slot.series_id == series_id)),
                Booking.status != BookingStatus.CANCELLED,
                Booking.slot.has(Slot.status == SlotStatus.WITHDRAWN),
            )
            assert on_withdrawn == 0
            assert series.withdrawn_at is not None
            assert _audit("slot_series.withdrawn", "slot_series", series_id) == 1
            others = count(Slot, Slot.series_id == series_id, Slot.id != slot_id)
            assert (
                others
                == 1
                == count(
                    Slot,
                    Slot.series_id == series_id,
                    Slot.id != slot_id,
                    Slot.status == SlotStatus.WITHDRAWN,
                )
            )
            if slot.status == SlotStatus.WITHDRAWN:
                assert live is None
                assert book.said("withdrew that slot")
                assert withdraw.said("2 slots withdrawn.")
                return "withdrawal won"
            assert live is not None and live.status == BookingStatus.BOOKED
            assert book.said("Session booked")
            assert withdraw.said("1 slot withdrawn; kept 1 booked:", "with DropWise")
            return "booking won"

        return served.check(inspect)

    rounds(served, "withdraw series vs book", play, check)


def test_a_series_moved_while_one_of_its_slots_is_booked_keeps_the_session_where_it_was(
    served, people
):
    def play(number):
        series_id, slot_id = _free_series(people)

        def series_day():
            from incubator.models import SlotSeries

            return db.session.get(SlotSeries, series_id).ends_on

        day = served.check(series_day)
        shown = race(
            [
                people.mentor.post(
                    "mentoring.edit_series",
                    {
                        "weekday": str(day.weekday()),
                        "start_time": "06:15",
                        "end_time": "07:15",
                        "slot_minutes": "30",
                        "ends_on": day.isoformat(),
                        "location": "Central Library",
                    },
                    series_id=series_id,
                ),
                _book_request(people, slot_id),
            ]
        )
        return shown, (series_id, slot_id)

    def check(shown, context) -> str:
        series_id, slot_id = context
        edit, book = shown

        def inspect():
            slot = db.session.get(Slot, slot_id)
            live = slot_service.active_booking(slot)
            open_starts = sorted(
                db.session.scalars(
                    select(Slot.starts_at).where(
                        Slot.series_id == series_id, Slot.status == SlotStatus.OPEN
                    )
                )
            )
            assert _audit("slot_series.updated", "slot_series", series_id) == 1
            if live is not None:
                # Booked first: the session's slot stays; the new 6:15 slot it overlaps is
                # left out, the 6:45 one is published.
                assert slot.status == SlotStatus.OPEN
                assert (live.starts_at, live.ends_at) == (slot.starts_at, slot.ends_at)
                assert book.said("Session booked")
                assert edit.said("1 slot withdrawn, 1 published", "kept 1 booked", "DropWise")
                assert len(open_starts) == 2
                return "booking first"
            assert slot.status == SlotStatus.WITHDRAWN
            assert book.said("withdrew that slot")
            assert edit.said("2 slots withdrawn, 2 published at the new times.")
            assert len(open_starts) == 2
            return "change first"

        return served.check(inspect)

    rounds(served, "change series vs book", play, check)


def test_one_series_published_from_two_tabs_is_published_once(served, people):
    def play(number):
        first = (utcnow() + timedelta(weeks=next(_weeks))).date()
        form = series_form(
            first,
            first + timedelta(days=6),
            start="09:00",
            end="10:00",
            location="Central Library",
        )
        shown = race(
            [
                people.mentor.post("mentoring.add_series", form),
                people.mentor_again.post("mentoring.add_series", form),
            ]
        )
        return shown, first

    def check(shown, first) -> str:
        _winner, loser = one_of(shown, lambda s: s.said("Published"))
        assert loser.said("Nothing was published", "would overlap")

        def inspect():
            starts = db.session.scalars(
                select(Slot.starts_at).where(
                    Slot.mentor_id == people.mentor_id,
                    Slot.status == SlotStatus.OPEN,
                    Slot.starts_at >= datetime.combine(first, time(0), tzinfo=utcnow().tzinfo),
                    Slot.starts_at
                    < datetime.combine(first + timedelta(days=16), time(0), tzinfo=utcnow().tzinfo),
                )
            ).all()
            assert len(starts) == len(set(starts)) == 2
            return "one series"

        return served.check(inspect)

    rounds(served, "series vs series", play, check)


# Office hours -------------------------------------------------------------------------------


def test_an_office_hours_day_published_twice_at_once_is_published_once(served, people):
    def play(number):
        def build():
            from incubator.models import Cohort, User

            manager = db.session.scalar(select(User).where(User.email == people.manager.email))
            cohort = db.session.get(Cohort, people.cohort_id)
            mentors = [factories.mentor(f"Office mentor {number}-{n}") for n in range(2)]
            ventures = []
            for n in range(2):
                venture = factories.venture(cohort, f"Office venture {number}-{n}", by=manager)
                factories.founder_of(venture)
                ventures.append(venture)
            day = (utcnow() + timedelta(days=30 + number)).date()
            return factories.office_hours_day(cohort, mentors, ventures, by=manager, day=day).id

        day_id = served.seed(build)
        shown = race(
            [
                browser.post("mentoring.publish_office_hours", {"confirm": "y"}, day_id=day_id)
                for browser in (people.manager, people.manager_again)
            ]
        )
        return shown, day_id

    def check(shown, day_id) -> str:
        _winner, loser = one_of(shown, lambda s: s.said("Published:"))
        assert loser.said("already published")

        def inspect():
            day = db.session.get(OfficeHoursDay, day_id)
            meetings = office_hours.planned_meetings(day)
            made = count(Booking, Booking.office_hours_day_id == day_id)
            assert day.status == office_hours.PUBLISHED
            assert made == len(meetings) > 0
            assert _audit("office_hours.published", "office_hours_day", day_id) == 1
            return "published once"

        return served.check(inspect)

    rounds(served, "publish vs publish", play, check)
