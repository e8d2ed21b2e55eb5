"""Mentor sessions: booking rules, races, changes, notes, ratings, and their pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator import clock
from incubator.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    OfficeHoursDay,
    Role,
    SessionRating,
    Slot,
    SlotStatus,
    VentureMember,
)
from incubator.services.accounts import users
from incubator.services.cohorts import ventures
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, SlotTaken
from incubator.services.mentoring import booking as booking_service
from incubator.services.pipeline import timeline
from tests import factories
from tests.helpers import count, page, reloaded
from tests.plugins.mentoring import NOW, ahead, la

PRIVATE = "Private: the team's burn rate worries me"
SHARED = "Shared: talk to the Department of Water and Power next"


def snapshot(db) -> dict[str, int]:
    """Row counts of everything a session change writes."""
    db.session.commit()
    return {
        "bookings": count(Booking),
        "booked": count(Booking, Booking.status == BookingStatus.BOOKED),
        "ratings": count(SessionRating),
        "audit": count(AuditEvent),
    }


@pytest.fixture
def slot(db, maya):
    """Maya's hour on Tuesday October 6, 2026, 10:00 in Los Angeles."""
    return factories.mentor_slot(maya, la(10, 6, 10))


@pytest.fixture
def session(db, slot, leakmap, ana, bo):
    """Ana booked Maya's Tuesday slot for LeakMap (Bo is her co-founder)."""
    return factories.session_booking(slot, leakmap, ana, now=NOW)


def held_session(
    db, maya, leakmap, ana, *, status=BookingStatus.COMPLETED, started_ago=timedelta(minutes=30)
) -> Booking:
    """A session that started a while ago (the clock's time), marked as `status` by the mentor."""
    now = clock.now().replace(microsecond=0)
    past = factories.mentor_slot(maya, now - started_ago)
    booked = factories.session_booking(past, leakmap, ana, now=now - timedelta(days=2))
    if status != BookingStatus.BOOKED:
        booking_service.mark_outcome(booked, status, by=maya, now=now)
    return booked


# Booking ----------------------------------------------------------------------------------------


def test_a_founder_books_a_free_slot_for_their_venture(
    db, slot, leakmap, ana, bo, maya, outbox, audit_events
):
    made = booking_service.book(slot, leakmap, "  Pilot with LADWP  ", by=ana, now=NOW)
    db.session.commit()

    assert made.status == BookingStatus.BOOKED
    assert (made.slot_id, made.venture_id, made.founder_id, made.mentor_id) == (
        slot.id,
        leakmap.id,
        ana.id,
        maya.id,
    )
    assert (made.starts_at, made.ends_at) == (slot.starts_at, slot.ends_at)
    assert made.agenda == "Pilot with LADWP"
    assert made.uid.endswith("@accelerate-la")
    assert made.sequence == 0
    [event] = audit_events("booking.created")
    assert (event.actor_id, event.object_id) == (ana.id, str(made.id))
    assert event.after["slot_id"] == slot.id


def test_booking_needs_an_agenda(db, slot, leakmap, ana):
    with pytest.raises(InvalidInput, match="agenda"):
        booking_service.book(slot, leakmap, "   ", by=ana, now=NOW)
    assert count(Booking) == 0


def test_a_slot_in_the_past_cannot_be_booked(db, slot, leakmap, ana):
    with pytest.raises(InvalidInput, match="already started"):
        booking_service.book(slot, leakmap, "Agenda", by=ana, now=slot.starts_at)
    assert count(Booking) == 0


def test_a_slot_inside_the_minimum_notice_cannot_be_booked(
    app, db, monkeypatch, slot, leakmap, ana
):
    monkeypatch.setitem(app.config, "BOOKING_MIN_NOTICE_MINUTES", 120)
    with pytest.raises(InvalidInput, match="at least 120 minutes ahead"):
        booking_service.book(
            slot, leakmap, "Agenda", by=ana, now=slot.starts_at - timedelta(hours=1)
        )

    made = booking_service.book(
        slot, leakmap, "Agenda", by=ana, now=slot.starts_at - timedelta(hours=2)
    )
    assert made.status == BookingStatus.BOOKED


def test_a_mentor_cannot_book_their_own_slot(db, cohort, manager):
    venture = factories.venture(cohort, "Both hats", by=manager)
    founder_and_mentor = factories.founder_of(venture)
    users.grant_roles(founder_and_mentor, {Role.MENTOR}, by=None)
    own = factories.mentor_slot(founder_and_mentor, la(10, 6, 10))

    with pytest.raises(InvalidInput, match="yourself"):
        booking_service.book(own, venture, "Agenda", by=founder_and_mentor, now=NOW)


def test_only_a_founder_of_the_venture_books_for_it(db, slot, leakmap, cy, maya, manager):
    for outsider in (cy, maya, manager):
        with pytest.raises(NotAllowed):
            booking_service.book(slot, leakmap, "Agenda", by=outsider, now=NOW)
    assert count(Booking) == 0


def test_an_archived_venture_cannot_book(db, slot, leakmap, ana, manager):
    ventures.archive_venture(leakmap, "Stopped", by=manager)

    with pytest.raises(InvalidInput, match="archived"):
        booking_service.book(slot, leakmap, "Agenda", by=ana, now=NOW)


def test_a_withdrawn_slot_cannot_be_booked(db, slot, leakmap, ana):
    slot.status = SlotStatus.WITHDRAWN

    with pytest.raises(SlotTaken, match="withdrew"):
        booking_service.book(slot, leakmap, "Agenda", by=ana, now=NOW)


def test_a_founder_cannot_hold_two_overlapping_sessions(db, slot, leakmap, ana, omar, session):
    half_past = factories.mentor_slot(omar, slot.starts_at + timedelta(minutes=30), minutes=30)
    right_after = factories.mentor_slot(omar, slot.ends_at)

    with pytest.raises(Conflict, match="already have a session at that time"):
        booking_service.book(half_past, leakmap, "Agenda", by=ana, now=NOW)
    # Back to back is fine: a session ending at 11:00 does not overlap one starting then.
    booking_service.book(right_after, leakmap, "Agenda", by=ana, now=NOW)
    assert count(Booking, Booking.founder_id == ana.id) == 2


def test_a_slot_the_mentor_cancelled_stays_closed(db, slot, session, maya):
    booking_service.cancel(session, "Called away", by=maya, now=NOW)

    assert db.session.get(Slot, slot.id).status == SlotStatus.WITHDRAWN
    assert not booking_service.is_free(slot, now=NOW)


def test_a_mentor_may_keep_a_cancelled_slot_open_for_others(db, slot, session, maya):
    booking_service.cancel(session, "Moving this one", by=maya, keep_open=True, now=NOW)

    assert db.session.get(Slot, slot.id).status == SlotStatus.OPEN
    assert booking_service.is_free(slot, now=NOW)


def test_a_slot_a_founder_cancelled_goes_back_to_other_founders(db, slot, session, ana):
    booking_service.cancel(session, "Sick", by=ana, keep_open=False, now=NOW)

    assert booking_service.is_free(slot, now=NOW)


def test_a_cancelled_office_hours_meeting_never_becomes_free_time(db, slot, session, maya, ana):
    day = OfficeHoursDay(
        cohort_id=session.venture.cohort_id,
        day=slot.starts_at.date(),
        meeting_minutes=20,
        status="published",
        published_at=NOW,
        created_by_id=maya.id,
    )
    db.session.add(day)
    db.session.flush()
    slot.office_hours_day_id = day.id
    db.session.flush()

    booking_service.cancel(session, "Sick", by=ana, now=NOW)

    assert db.session.get(Slot, slot.id).status == SlotStatus.WITHDRAWN


def test_the_mentor_chooses_whether_the_time_stays_open_on_the_page(
    db, client_for, leakmap, ana, maya
):
    upcoming = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    client = client_for(maya)
    assert "Keep this time open" in client.get(f"/mentoring/sessions/{upcoming.id}").text

    response = client.post(
        f"/mentoring/sessions/{upcoming.id}/cancel",
        data={"reason": "Conference", "keep_open": "y"},
    )

    assert response.status_code == 302
    assert reloaded(upcoming).status == BookingStatus.CANCELLED
    assert db.session.get(Slot, upcoming.slot_id).status == SlotStatus.OPEN


def test_founders_are_not_offered_to_keep_the_time_open(db, client_for, leakmap, ana, maya):
    upcoming = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    page = client_for(ana).get(f"/mentoring/sessions/{upcoming.id}").text
    assert "Cancel the session" in page
    assert "Keep this time open" not in page


def order_of(body: str, *markers: str) -> list[int]:
    """Where each marker first appears in a page; each must be there."""
    found = [body.find(marker) for marker in markers]
    assert -1 not in found, dict(zip(markers, found, strict=True))
    return found


def test_a_session_page_leads_with_the_join_link_agenda_and_calendar(
    db, client_for, leakmap, ana, maya
):
    link = "https://meet.example.org/maya-room"
    slot = factories.mentor_slot(maya, ahead(3), location=link)
    upcoming = factories.session_booking(slot, leakmap, ana, agenda="Pricing for the city")

    for person in (ana, maya):
        body = client_for(person).get(f"/mentoring/sessions/{upcoming.id}").text
        positions = order_of(
            body,
            f'id="join-link" href="{link}"',
            "Pricing for the city",
            f'href="/mentoring/sessions/{upcoming.id}.ics">Add to your calendar',
            'id="change-session"',
            f'action="/mentoring/sessions/{upcoming.id}/cancel"',
        )
        assert positions == sorted(positions), person.name
        # Cancelling sits in a closed disclosure and still asks for a reason.
        assert '<details class="mb-3" id="cancel-session"><summary' in body
        assert 'name="reason"' in body
    founder_page = client_for(ana).get(f"/mentoring/sessions/{upcoming.id}").text
    calendar, heading, moving = order_of(
        founder_page, "Add to your calendar", 'id="change-session"', 'id="reschedule-link"'
    )
    assert calendar < heading < moving


def test_a_session_in_a_room_shows_the_place_first_and_no_join_button(
    db, client_for, leakmap, ana, maya
):
    slot = factories.mentor_slot(maya, ahead(3), location="City Hall, room 301")
    upcoming = factories.session_booking(slot, leakmap, ana, agenda="Pricing for the city")

    body = client_for(ana).get(f"/mentoring/sessions/{upcoming.id}").text

    positions = order_of(
        body, "City Hall, room 301", "Pricing for the city", "Add to your calendar", "Cancel"
    )
    assert positions == sorted(positions)
    assert 'id="join-link"' not in body


def test_a_cancelled_session_offers_no_join_link_and_no_changes(db, client_for, leakmap, ana, maya):
    slot = factories.mentor_slot(maya, ahead(3), location="https://meet.example.org/maya")
    upcoming = factories.session_booking(slot, leakmap, ana)
    booking_service.cancel(upcoming, "Conference", by=maya)

    body = client_for(ana).get(f"/mentoring/sessions/{upcoming.id}").text

    assert 'id="join-link"' not in body
    assert 'id="change-session"' not in body
    assert "Download the cancellation (.ics)" in body


def test_a_cancelled_session_does_not_block_its_time(db, slot, leakmap, ana, omar, session):
    booking_service.cancel(session, "Clash with a demo day", by=ana, now=NOW)
    same_time = factories.mentor_slot(omar, slot.starts_at)

    booked = booking_service.book(same_time, leakmap, "Agenda", by=ana, now=NOW)

    assert booked.status == BookingStatus.BOOKED
    assert reloaded(session).status == BookingStatus.CANCELLED
    assert count(Booking, Booking.status == BookingStatus.BOOKED) == 1


def test_weekly_limit_per_mentor_comes_from_the_configuration(
    app, db, monkeypatch, maya, omar, leakmap, ana
):
    monkeypatch.setitem(app.config, "BOOKING_MAX_PER_MENTOR_PER_WEEK", 2)
    # Monday to Sunday of one Los Angeles week, then the next Monday.
    monday, thursday, sunday_night, next_monday = (
        factories.mentor_slot(maya, when)
        for when in (la(10, 12, 9), la(10, 15, 9), la(10, 18, 22), la(10, 19, 9))
    )
    booking_service.book(monday, leakmap, "One", by=ana, now=NOW)
    booking_service.book(thursday, leakmap, "Two", by=ana, now=NOW)

    with pytest.raises(Conflict, match="the limit is 2"):
        booking_service.book(sunday_night, leakmap, "Three", by=ana, now=NOW)
    # Another mentor, or the next week, is fine.
    omar_sunday = factories.mentor_slot(omar, la(10, 17, 22))
    booking_service.book(omar_sunday, leakmap, "Omar", by=ana, now=NOW)
    booking_service.book(next_monday, leakmap, "Next week", by=ana, now=NOW)

    monkeypatch.setitem(app.config, "BOOKING_MAX_PER_MENTOR_PER_WEEK", 3)
    booking_service.book(sunday_night, leakmap, "Three", by=ana, now=NOW)


def test_a_cancelled_session_does_not_count_towards_the_weekly_limit(
    app, db, monkeypatch, maya, leakmap, ana
):
    monkeypatch.setitem(app.config, "BOOKING_MAX_PER_MENTOR_PER_WEEK", 1)
    first = factories.session_booking(
        factories.mentor_slot(maya, la(10, 13, 9)), leakmap, ana, now=NOW
    )
    second = factories.mentor_slot(maya, la(10, 14, 9))
    with pytest.raises(Conflict):
        booking_service.book(second, leakmap, "Again", by=ana, now=NOW)

    booking_service.cancel(first, "Moved our demo", by=ana, now=NOW)
    booking_service.book(second, leakmap, "Again", by=ana, now=NOW)


def test_second_booking_of_a_slot_is_refused(db, slot, leakmap, busbuddy, ana, cy, session):
    db.session.commit()
    with pytest.raises(SlotTaken, match="just taken"):
        booking_service.book(slot, busbuddy, "Us too", by=cy, now=NOW)

    db.session.rollback()
    assert count(Booking, Booking.slot_id == slot.id) == 1


def test_the_database_refuses_a_second_live_booking_of_a_slot(db, slot, busbuddy, cy, session):
    """Without any check in Python, the partial unique index still says no."""
    db.session.commit()
    second = Booking(
        uid="second@test",
        slot_id=slot.id,
        venture_id=busbuddy.id,
        founder_id=cy.id,
        mentor_id=slot.mentor_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )
    db.session.add(second)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    # A cancelled booking leaves the slot free again.
    first = db.session.get(Booking, session.id)
    booking_service.cancel(first, "Cannot make it", by=first.founder, now=NOW)
    again = factories.session_booking(db.session.get(Slot, slot.id), busbuddy, cy, now=NOW)
    assert again.status == BookingStatus.BOOKED
    assert count(Booking, Booking.slot_id == slot.id) == 2


def test_the_race_loser_gets_slot_taken_when_only_the_database_notices(
    db, monkeypatch, slot, busbuddy, cy, session
):
    """Both requests passed the checks; the insert that comes second is refused."""
    db.session.commit()
    monkeypatch.setattr(booking_service, "_check_bookable", lambda *args: None)

    with pytest.raises(SlotTaken, match="just taken"):
        booking_service.book(slot, busbuddy, "Us too", by=cy, now=NOW)

    db.session.rollback()
    assert count(Booking, Booking.slot_id == slot.id) == 1


def test_booking_mails_both_sides_with_an_invitation(db, session, outbox):
    db.session.commit()

    mails = outbox()
    assert sorted(m.recipient for m in mails) == [
        "ana@example.org",
        "bo@example.org",
        "maya@example.org",
    ]
    for mail in mails:
        assert mail.subject == "Mentor session booked: LeakMap with Maya Patel"
        assert mail.attachment_name == "session.ics"
        assert mail.attachment_type == "text/calendar; method=REQUEST"
        calendar = Calendar.from_ical(mail.attachment)
        assert calendar["METHOD"] == "REQUEST"
        assert str(calendar.walk("VEVENT")[0]["UID"]) == session.uid
        assert f"/mentoring/sessions/{session.id}" in mail.body
    [to_ana] = outbox("ana@example.org")
    assert "Tuesday October 6, 2026, 10:00 AM to 11:00 AM PDT" in to_ana.body


# Cancelling -------------------------------------------------------------------------------------


def test_cancelling_needs_a_reason(db, session, ana):
    with pytest.raises(InvalidInput, match="reason"):
        booking_service.cancel(session, "  ", by=ana, now=NOW)
    assert reloaded(session).status == BookingStatus.BOOKED


def test_a_founder_cancels_with_a_reason_and_nothing_is_deleted(
    db, session, ana, outbox, audit_events
):
    db.session.commit()
    sent_before = len(outbox())

    booking_service.cancel(session, "Our pilot moved", by=ana, now=NOW)
    db.session.commit()

    cancelled = reloaded(session)
    assert cancelled.status == BookingStatus.CANCELLED
    assert (cancelled.cancelled_by_id, cancelled.cancel_reason) == (ana.id, "Our pilot moved")
    assert cancelled.cancelled_at == NOW
    assert cancelled.late_cancellation is False
    assert cancelled.sequence == 1
    assert count(Booking) == 1
    [event] = audit_events("booking.cancelled")
    assert event.before["status"] == "booked"
    assert event.after | {"reason": "Our pilot moved", "late": False} == event.after
    mails = outbox()[sent_before:]
    assert sorted(m.recipient for m in mails) == [
        "ana@example.org",
        "bo@example.org",
        "maya@example.org",
    ]
    for mail in mails:
        assert "Ana Lopez cancelled the session" in mail.body
        assert "Reason: Our pilot moved" in mail.body
        assert mail.attachment_type == "text/calendar; method=CANCEL"


def test_the_mentor_can_cancel_too(db, session, maya):
    booking_service.cancel(session, "Called to City Hall", by=maya, now=NOW)
    assert reloaded(session).cancelled_by_id == maya.id


def test_cancelling_inside_the_cutoff_is_recorded_as_late(app, db, monkeypatch, session, ana):
    monkeypatch.setitem(app.config, "BOOKING_LATE_CANCEL_HOURS", 48)

    booking_service.cancel(
        session, "Sick", by=ana, now=session.starts_at - timedelta(hours=47, minutes=59)
    )

    assert reloaded(session).late_cancellation is True


def test_cancelling_just_outside_the_cutoff_is_not_late(app, db, monkeypatch, session, ana):
    monkeypatch.setitem(app.config, "BOOKING_LATE_CANCEL_HOURS", 48)

    booking_service.cancel(session, "Sick", by=ana, now=session.starts_at - timedelta(hours=48))

    assert reloaded(session).late_cancellation is False


def test_only_the_two_sides_can_cancel(db, session, cy, omar, manager):
    for outsider in (cy, omar, manager):
        with pytest.raises(NotAllowed):
            booking_service.cancel(session, "Not mine", by=outsider, now=NOW)
    assert reloaded(session).status == BookingStatus.BOOKED


def test_a_session_cancelled_or_over_cannot_be_cancelled(db, session, ana):
    with pytest.raises(InvalidInput, match="over"):
        booking_service.cancel(session, "Late", by=ana, now=session.ends_at)
    booking_service.cancel(session, "Sick", by=ana, now=NOW)
    with pytest.raises(Conflict, match=r"already cancelled by you \(Sick\)"):
        booking_service.cancel(session, "Again", by=ana, now=NOW)


def test_a_founder_cannot_cancel_another_ventures_session_through_the_page(
    db, client_for, session, cy
):
    client = client_for(cy)
    before = snapshot(db)

    response = client.post(f"/mentoring/sessions/{session.id}/cancel", data={"reason": "Mine now"})

    assert response.status_code == 404
    assert snapshot(db) == before
    assert reloaded(session).status == BookingStatus.BOOKED


def test_a_manager_sees_a_session_but_cannot_cancel_it(db, client_for, session, manager):
    client = client_for(manager)
    before = snapshot(db)

    assert client.get(f"/mentoring/sessions/{session.id}").status_code == 200
    response = client.post(f"/mentoring/sessions/{session.id}/cancel", data={"reason": "No"})

    assert response.status_code == 403
    assert snapshot(db) == before


def test_cancelling_through_the_page(db, client_for, maya, leakmap, bo):
    upcoming = factories.mentor_slot(maya, ahead(3))
    booked = factories.session_booking(upcoming, leakmap, bo)
    client = client_for(bo)

    missing = client.post(f"/mentoring/sessions/{booked.id}/cancel", data={"reason": ""})
    assert reloaded(booked).status == BookingStatus.BOOKED
    assert "Give a reason" in page(client.get(missing.headers["Location"]))

    response = client.post(
        f"/mentoring/sessions/{booked.id}/cancel", data={"reason": "Investor meeting"}
    )

    assert response.status_code == 302
    cancelled = reloaded(booked)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Investor meeting")
    shown = page(client.get(f"/mentoring/sessions/{booked.id}"))
    assert "Investor meeting" in shown
    assert "Cancelled" in shown


# Rescheduling -----------------------------------------------------------------------------------


def test_rescheduling_moves_the_session_and_frees_the_old_slot(
    db, slot, maya, session, ana, busbuddy, cy, outbox, audit_events
):
    later = factories.mentor_slot(maya, la(10, 8, 14))
    db.session.commit()
    sent_before = len(outbox())

    new = booking_service.reschedule(session, later, by=ana, now=NOW)
    db.session.commit()

    old = reloaded(session)
    new = db.session.get(Booking, new.id)
    assert old.status == BookingStatus.CANCELLED
    assert old.rescheduled_to_id == new.id
    assert old.cancel_reason == "Moved to another time"
    assert (new.status, new.slot_id, new.agenda) == ("booked", later.id, old.agenda)
    assert new.uid != old.uid
    [event] = audit_events("booking.rescheduled")
    assert (event.before["status"], event.after["booking_id"]) == ("booked", new.id)
    moved = outbox()[sent_before:]
    # Each of the three people: the old time removed, then the new one.
    assert len(moved) == 6
    assert [m.attachment_type.split("=")[1] for m in moved[:2]] == ["CANCEL", "REQUEST"]
    assert sorted({m.recipient for m in moved}) == [
        "ana@example.org",
        "bo@example.org",
        "maya@example.org",
    ]
    # The old slot is free for anyone now.
    factories.session_booking(db.session.get(Slot, slot.id), busbuddy, cy, now=NOW)


def test_rescheduling_fails_atomically_when_the_new_slot_is_taken(
    db, client_for, maya, leakmap, busbuddy, ana, cy
):
    mine = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    wanted = factories.mentor_slot(maya, ahead(4))
    factories.mentor_slot(maya, ahead(5))
    client = client_for(ana)
    shown = client.get(f"/mentoring/sessions/{mine.id}/reschedule")
    assert f'value="{wanted.id}"' in page(shown)
    # Between showing the choices and choosing, Cy takes the wanted slot.
    factories.session_booking(db.session.get(Slot, wanted.id), busbuddy, cy)
    before = snapshot(db)

    response = client.post(
        f"/mentoring/sessions/{mine.id}/reschedule", data={"slot_id": str(wanted.id)}
    )

    assert response.status_code == 409
    assert "just taken" in page(response)
    assert f'value="{wanted.id}"' not in page(response)
    assert snapshot(db) == before
    kept = reloaded(mine)
    assert (kept.status, kept.sequence, kept.rescheduled_to_id) == ("booked", 0, None)


def test_rescheduling_refused_by_the_rules_leaves_the_old_booking(db, session, maya, ana):
    too_soon = factories.mentor_slot(maya, NOW + timedelta(minutes=10))
    db.session.commit()

    with pytest.raises(InvalidInput, match="ahead"):
        booking_service.reschedule(session, too_soon, by=ana, now=NOW)
    db.session.rollback()

    assert reloaded(session).status == BookingStatus.BOOKED


def test_a_session_moves_only_to_the_same_mentor_and_only_by_a_founder(
    db, session, maya, omar, ana
):
    with pytest.raises(InvalidInput, match="same mentor"):
        booking_service.reschedule(
            session, factories.mentor_slot(omar, la(10, 8, 9)), by=ana, now=NOW
        )
    with pytest.raises(NotAllowed):
        booking_service.reschedule(
            session, factories.mentor_slot(maya, la(10, 8, 9)), by=maya, now=NOW
        )


def test_rescheduling_through_the_page(db, client_for, maya, leakmap, ana):
    mine = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    later = factories.mentor_slot(maya, ahead(6, hour=15))
    client = client_for(ana)

    response = client.post(
        f"/mentoring/sessions/{mine.id}/reschedule", data={"slot_id": str(later.id)}
    )

    assert response.status_code == 302
    new = db.session.scalar(select(Booking).where(Booking.slot_id == later.id))
    assert response.headers["Location"].endswith(f"/mentoring/sessions/{new.id}")
    old_page = page(client.get(f"/mentoring/sessions/{mine.id}"))
    assert "Moved to" in old_page


def test_the_mentor_cannot_open_the_reschedule_page(db, client_for, session, maya):
    response = client_for(maya).get(f"/mentoring/sessions/{session.id}/reschedule")
    assert response.status_code == 403


# Outcome ----------------------------------------------------------------------------------------


def test_an_outcome_is_recorded_only_after_the_start(db, session, maya, audit_events):
    with pytest.raises(InvalidInput, match="not started"):
        booking_service.mark_outcome(session, BookingStatus.COMPLETED, by=maya, now=NOW)

    booking_service.mark_outcome(session, BookingStatus.COMPLETED, by=maya, now=session.starts_at)

    done = reloaded(session)
    assert (done.status, done.completed_at) == ("completed", session.starts_at)
    assert [e.after["status"] for e in audit_events("booking.completed")] == ["completed"]

    booking_service.mark_outcome(session, BookingStatus.NO_SHOW, by=maya, now=session.ends_at)
    assert reloaded(session).status == BookingStatus.NO_SHOW
    assert reloaded(session).completed_at is None


def test_only_the_mentor_records_the_outcome(db, session, ana, omar, manager):
    for other in (ana, omar, manager):
        with pytest.raises(NotAllowed):
            booking_service.mark_outcome(
                session, BookingStatus.COMPLETED, by=other, now=session.ends_at
            )


def test_a_cancelled_session_has_no_outcome(db, session, ana, maya):
    booking_service.cancel(session, "Sick", by=ana, now=NOW)
    with pytest.raises(Conflict, match="already cancelled by Ana Lopez"):
        booking_service.mark_outcome(session, BookingStatus.COMPLETED, by=maya, now=session.ends_at)
    with pytest.raises(InvalidInput):
        booking_service.mark_outcome(session, BookingStatus.CANCELLED, by=maya, now=NOW)


def test_marking_completed_through_the_page(db, client_for, maya, leakmap, ana):
    started = held_session(db, maya, leakmap, ana, status=BookingStatus.BOOKED)
    upcoming = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    client = client_for(maya)

    client.post(f"/mentoring/sessions/{upcoming.id}/outcome", data={"status": "completed"})
    client.post(f"/mentoring/sessions/{started.id}/outcome", data={"status": "completed"})

    assert reloaded(upcoming).status == BookingStatus.BOOKED
    assert reloaded(started).status == BookingStatus.COMPLETED


# Notes ------------------------------------------------------------------------------------------


def test_only_the_mentor_writes_notes(db, session, ana, omar, maya, audit_events):
    for other in (ana, omar):
        with pytest.raises(NotAllowed):
            booking_service.save_notes(session, SHARED, PRIVATE, by=other)

    booking_service.save_notes(session, SHARED, PRIVATE, by=maya)

    saved = reloaded(session)
    assert (saved.shared_notes, saved.private_notes) == (SHARED, PRIVATE)
    [event] = audit_events("booking.notes_saved")
    assert PRIVATE not in str(event.after)


def test_private_notes_stay_with_the_mentor(db, client_for, session, maya, ana, bo, omar, manager):
    booking_service.save_notes(session, SHARED, PRIVATE, by=maya)
    url = f"/mentoring/sessions/{session.id}"

    for founder in (ana, bo):
        founder_page = page(client_for(founder).get(url))
        assert SHARED in founder_page
        assert PRIVATE not in founder_page
    manager_page = page(client_for(manager).get(url))
    assert SHARED in manager_page
    assert PRIVATE not in manager_page
    assert client_for(omar).get(url).status_code == 404
    mentor_page = page(client_for(maya).get(url))
    assert SHARED in mentor_page
    assert PRIVATE in mentor_page
    # Nor do the calendar file, the sessions list or the venture's timeline carry them.
    ana_client = client_for(ana)
    assert PRIVATE not in ana_client.get(f"{url}.ics").get_data(as_text=True)
    assert PRIVATE not in page(ana_client.get("/mentoring/sessions"))
    assert PRIVATE not in page(ana_client.get(f"/ventures/{session.venture_id}/timeline"))


def test_writing_notes_through_the_page(db, client_for, session, maya, ana):
    client = client_for(maya)

    client.post(
        f"/mentoring/sessions/{session.id}/notes",
        data={"shared_notes": SHARED, "private_notes": PRIVATE},
    )
    refused = client_for(ana).post(
        f"/mentoring/sessions/{session.id}/notes",
        data={"shared_notes": "mine", "private_notes": "mine"},
    )

    assert refused.status_code == 403
    saved = reloaded(session)
    assert (saved.shared_notes, saved.private_notes) == (SHARED, PRIVATE)


# Ratings ----------------------------------------------------------------------------------------


def test_both_sides_rate_a_completed_session_from_1_to_5(db, maya, leakmap, ana, bo, cy):
    held = held_session(db, maya, leakmap, ana)
    for bad in (0, 6, True, "5"):
        with pytest.raises(InvalidInput):
            booking_service.rate(held, bad, "", by=ana)

    booking_service.rate(held, 4, " Clear next steps ", by=ana)
    booking_service.rate(held, 5, "", by=bo)
    booking_service.rate(held, 3, "Come prepared", by=maya)
    booking_service.rate(held, 5, "On reflection, great", by=ana)

    ratings = db.session.scalars(select(SessionRating)).all()
    assert sorted((r.rater_id, r.side, r.score) for r in ratings) == sorted(
        [(ana.id, "founder", 5), (bo.id, "founder", 5), (maya.id, "mentor", 3)]
    )
    with pytest.raises(NotAllowed):
        booking_service.rate(held, 1, "", by=cy)


def test_only_a_completed_session_is_rated(db, session, maya, leakmap, ana):
    with pytest.raises(InvalidInput, match="completed"):
        booking_service.rate(session, 5, "", by=ana)
    no_show = held_session(db, maya, leakmap, ana, status=BookingStatus.NO_SHOW)
    with pytest.raises(InvalidInput, match="completed"):
        booking_service.rate(no_show, 5, "", by=maya)
    assert count(SessionRating) == 0


def test_rating_through_the_page(db, client_for, maya, leakmap, ana):
    held = held_session(db, maya, leakmap, ana)
    client = client_for(ana)

    assert "Save rating" in page(client.get(f"/mentoring/sessions/{held.id}"))
    client.post(f"/mentoring/sessions/{held.id}/rate", data={"score": "4", "comment": "Useful"})
    client.post(f"/mentoring/sessions/{held.id}/rate", data={"score": "9"})

    [rating] = db.session.scalars(select(SessionRating)).all()
    assert (rating.score, rating.comment) == (4, "Useful")
    assert "You rated this session 4 out of 5" in page(client.get(f"/mentoring/sessions/{held.id}"))


def test_a_manager_sees_ratings_in_aggregate_per_mentor(
    db, client_for, manager, maya, omar, leakmap, busbuddy, ana, cy
):
    first = held_session(db, maya, leakmap, ana)
    booking_service.rate(first, 5, "Secret praise", by=ana)
    booking_service.rate(first, 1, "Mentor's own view", by=maya)
    second = held_session(db, omar, busbuddy, cy)
    booking_service.rate(second, 2, "Secret complaint", by=cy)
    later = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    booking_service.cancel(
        later, "Mentor travelling", by=maya, now=later.starts_at - timedelta(hours=1)
    )

    rows = {row.mentor.name: row for row in booking_service.mentor_rating_summary()}
    assert (rows["Maya Patel"].sessions, rows["Maya Patel"].completed) == (1, 1)
    assert rows["Maya Patel"].late_cancellations == 1
    # Only the founders' ratings make a mentor's average.
    assert (rows["Maya Patel"].ratings, rows["Maya Patel"].average) == (1, 5.0)
    assert (rows["Omar Haddad"].ratings, rows["Omar Haddad"].average) == (1, 2.0)

    response = client_for(manager).get("/mentoring/ratings")
    assert response.status_code == 200
    text = page(response)
    assert "Maya Patel" in text and "5.00" in text and "2.00" in text
    assert "Secret" not in text
    assert "own view" not in text
    assert "Ratings by mentor" in page(client_for(manager).get("/mentoring/sessions"))
    assert client_for(ana).get("/mentoring/ratings").status_code == 403


def test_a_rating_of_a_session_later_marked_a_no_show_is_kept_out_of_the_average(
    db, client_for, manager, maya, leakmap, busbuddy, ana, bo, cy
):
    good = held_session(db, maya, leakmap, ana)
    booking_service.rate(good, 4, "", by=ana)
    # Rated 1 while it was marked completed; the mentor corrects it to a no-show afterwards.
    mistaken = held_session(db, maya, busbuddy, cy, started_ago=timedelta(hours=30))
    booking_service.rate(mistaken, 1, "Nobody came", by=cy)
    before = {row.mentor.name: row for row in booking_service.mentor_rating_summary()}
    booking_service.mark_outcome(mistaken, BookingStatus.NO_SHOW, by=maya)
    # A second rating of the good session, so the average is not one rating alone.
    booking_service.rate(good, 5, "", by=bo)

    [row] = booking_service.mentor_rating_summary()
    assert (before["Maya Patel"].ratings, before["Maya Patel"].average) == (2, 2.5)
    assert (row.ratings, row.average, row.no_show_ratings) == (2, 4.5, 1)
    assert (row.completed, row.no_shows) == (1, 1)
    assert count(SessionRating) == 3  # the rating is kept, only counted apart

    text = page(client_for(manager).get("/mentoring/ratings"))
    assert "Ratings of no-shows (not in the average)" in text
    assert "4.50" in text and "2.50" not in text


def test_a_mentor_rated_only_on_no_shows_has_no_average(db, maya, leakmap, ana):
    held = held_session(db, maya, leakmap, ana)
    booking_service.rate(held, 2, "", by=ana)
    booking_service.mark_outcome(held, BookingStatus.NO_SHOW, by=maya)

    [row] = booking_service.mentor_rating_summary()
    assert (row.ratings, row.average, row.no_show_ratings) == (0, None, 1)


def test_a_founders_late_cancel_is_not_the_mentors(db, maya, leakmap, ana):
    later = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    booking_service.cancel(later, "Sick", by=ana, now=later.starts_at - timedelta(hours=1))

    [row] = booking_service.mentor_rating_summary()
    assert (row.sessions, row.late_cancellations) == (0, 0)


# The booking page -------------------------------------------------------------------------------


def test_booking_through_the_page(db, client_for, maya, leakmap, busbuddy, ana, outbox):
    free = factories.mentor_slot(maya, ahead(3))
    client = client_for(ana)

    form = page(client.get(f"/mentoring/slots/{free.id}/book"))
    assert 'name="venture_id"' in form
    assert "LeakMap" in form and "BusBuddy" not in form
    response = client.post(
        f"/mentoring/slots/{free.id}/book",
        data={"venture_id": str(leakmap.id), "agenda": "Pricing for the city"},
    )

    assert response.status_code == 302
    made = db.session.scalar(select(Booking))
    assert response.headers["Location"].endswith(f"/mentoring/sessions/{made.id}")
    assert (made.venture_id, made.agenda) == (leakmap.id, "Pricing for the city")
    assert sorted(m.recipient for m in outbox()) == ["ana@example.org", "maya@example.org"]


def test_a_founder_cannot_book_for_a_venture_they_are_not_on(db, client_for, maya, busbuddy, ana):
    free = factories.mentor_slot(maya, ahead(3))

    response = client_for(ana).post(
        f"/mentoring/slots/{free.id}/book", data={"venture_id": str(busbuddy.id), "agenda": "Hi"}
    )

    assert response.status_code == 200
    assert "Not a valid choice" in page(response)
    assert count(Booking) == 0


def test_the_loser_of_a_race_is_told_the_slot_was_just_taken_and_shown_other_times(
    db, client_for, maya, leakmap, busbuddy, ana, cy
):
    wanted = factories.mentor_slot(maya, ahead(3))
    other_times = [factories.mentor_slot(maya, ahead(day)) for day in range(4, 11)]
    withdrawn = factories.mentor_slot(maya, ahead(3, hour=15), status=SlotStatus.WITHDRAWN)
    ana_client, cy_client = client_for(ana), client_for(cy)
    data = {"agenda": "Pilot"}

    won = ana_client.post(
        f"/mentoring/slots/{wanted.id}/book", data={**data, "venture_id": str(leakmap.id)}
    )
    lost = cy_client.post(
        f"/mentoring/slots/{wanted.id}/book", data={**data, "venture_id": str(busbuddy.id)}
    )

    assert won.status_code == 302
    assert lost.status_code == 409
    text = page(lost)
    assert "That slot was just taken by someone else" in text
    offered = [f"/mentoring/slots/{slot.id}/book" for slot in other_times]
    assert [url for url in offered if url in text] == offered[:5]
    assert f"/mentoring/slots/{withdrawn.id}/book" not in text
    assert count(Booking) == 1


def test_a_race_decided_by_the_database_is_a_message_not_an_error(
    db, monkeypatch, client_for, maya, leakmap, busbuddy, ana, cy
):
    wanted = factories.mentor_slot(maya, ahead(3))
    factories.session_booking(wanted, leakmap, ana)
    # As if Cy's request had read "free" just before Ana's insert committed.
    monkeypatch.setattr(booking_service, "_check_bookable", lambda *args: None)

    lost = client_for(cy).post(
        f"/mentoring/slots/{wanted.id}/book",
        data={"venture_id": str(busbuddy.id), "agenda": "Pilot"},
    )

    assert lost.status_code == 409
    assert "just taken" in page(lost)
    assert count(Booking) == 1


def test_a_taken_slot_shows_the_mentors_next_free_times(db, client_for, session, maya, cy):
    later = factories.mentor_slot(maya, ahead(3))

    text = page(client_for(cy).get(f"/mentoring/slots/{session.slot_id}/book"))

    assert "This time is no longer free" in text
    assert f"/mentoring/slots/{later.id}/book" in text
    assert 'name="agenda"' not in text


def test_only_founders_open_the_booking_page(db, client_for, maya, omar, manager):
    free = factories.mentor_slot(maya, ahead(3))
    for other in (omar, manager):
        assert client_for(other).get(f"/mentoring/slots/{free.id}/book").status_code == 403
    assert client_for(factories.user("founder")).get("/mentoring/slots/999/book").status_code == 404


def test_a_founder_without_a_venture_is_told_so(db, client_for, maya):
    free = factories.mentor_slot(maya, ahead(3))
    text = page(client_for(factories.user("founder")).get(f"/mentoring/slots/{free.id}/book"))
    assert "You are not on an active venture" in text


# Lists, the timeline and navigation -------------------------------------------------------------


def test_sessions_page_lists_the_viewers_upcoming_and_past_sessions(
    db, client_for, maya, omar, leakmap, busbuddy, ana, bo, cy
):
    upcoming = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    held = held_session(db, maya, leakmap, ana, started_ago=timedelta(hours=3))
    theirs = factories.session_booking(factories.mentor_slot(omar, ahead(3)), busbuddy, cy)

    text = page(client_for(bo).get("/mentoring/sessions"))

    upcoming_part, past_part = text.split('<h2 class="h5 mt-4">Past</h2>')
    assert f'/mentoring/sessions/{upcoming.id}"' in upcoming_part
    assert f'/mentoring/sessions/{held.id}"' in past_part
    assert f'/mentoring/sessions/{theirs.id}"' not in text
    assert "Ratings by mentor" not in text
    mentor_text = page(client_for(omar).get("/mentoring/sessions"))
    assert f'/mentoring/sessions/{theirs.id}"' in mentor_text
    assert f'/mentoring/sessions/{upcoming.id}"' not in mentor_text


def test_founders_and_mentors_find_sessions_in_the_navigation(db, client_for, ana, maya, manager):
    link = 'href="/mentoring/sessions"'
    assert link in page(client_for(ana).get("/"))
    assert link in page(client_for(maya).get("/"))
    assert link not in page(client_for(factories.user("judge")).get("/"))


def test_the_venture_timeline_shows_its_sessions(db, client_for, session, ana, manager, maya):
    booking_service.save_notes(session, SHARED, PRIVATE, by=maya)
    booking_service.cancel(session, "Demo day clash", by=ana, now=NOW)

    entries = {e.title: e for e in timeline.timeline(session.venture) if e.kind == "session"}

    assert sorted(entries) == [
        "Session booked with Maya Patel for Oct 6, 2026 10:00 AM PDT",
        "Session with Maya Patel cancelled",
    ]
    cancelled = entries["Session with Maya Patel cancelled"]
    assert (cancelled.at, cancelled.detail, cancelled.by) == (NOW, "Demo day clash", "Ana Lopez")
    text = page(client_for(manager).get(f"/ventures/{session.venture_id}/timeline"))
    assert "Session booked with Maya Patel" in text
    assert PRIVATE not in text and SHARED not in text


def test_the_timeline_runs_the_same_queries_for_1_or_7_sessions(
    app, db, monkeypatch, client_for, count_queries, maya, omar, leakmap, ana, manager
):
    monkeypatch.setitem(app.config, "BOOKING_MAX_PER_MENTOR_PER_WEEK", 10)
    factories.session_booking(factories.mentor_slot(maya, la(10, 6, 10)), leakmap, ana, now=NOW)
    client = client_for(manager)
    url = f"/ventures/{leakmap.id}/timeline"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for day in range(7, 12):
        factories.session_booking(
            factories.mentor_slot(omar, la(10, day, 10)), leakmap, ana, now=NOW
        )
    done = factories.session_booking(
        factories.mentor_slot(maya, la(10, 13, 10)), leakmap, ana, now=NOW
    )
    booking_service.cancel(done, "Clash", by=ana, now=NOW)
    db.session.commit()
    with count_queries() as many:
        text = page(client.get(url))

    assert text.count("Session booked with") == 7
    # The login session (person and roles), the venture, its history: tests/test_board.py.
    assert many.count == few.count == 3, "\n".join(many.statements)


def test_a_founder_who_left_the_venture_no_longer_sees_its_sessions(db, client_for, session, bo):
    db.session.execute(VentureMember.__table__.delete().where(VentureMember.user_id == bo.id))

    assert client_for(bo).get(f"/mentoring/sessions/{session.id}").status_code == 404
