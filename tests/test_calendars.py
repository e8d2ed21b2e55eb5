"""Sessions as iCalendar: .ics files, subscription feeds, their tokens, and reminders.

Every file is read back with two independent parsers, icalendar and vobject, and the times
must come back exactly, on both sides of the 2026 change from daylight saving time
(Sunday November 1 in Los Angeles).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import select

from incubator.models import Booking, BookingStatus, CalendarFeed, ReminderSent
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import calendars, reminders
from tests import factories
from tests.helpers import count, page
from tests.plugins.mentoring import LA, NOW, ahead, la

PRIVATE = "Private: not ready for the pilot"


def parse_both(text: str):
    """The text read by icalendar and by vobject; both must accept it."""
    return Calendar.from_ical(text), vobject.readOne(text)


def only_event(text: str):
    by_icalendar, by_vobject = parse_both(text)
    [event] = by_icalendar.walk("VEVENT")
    [vevent] = by_vobject.vevent_list
    return by_icalendar, event, by_vobject, vevent


# Ana and Bo with an accent and a comma in their names, which calendar files must escape.
@pytest.fixture
def ana(db, leakmap):
    return factories.founder_of(leakmap, name="Ana López", email="ana@example.org")


@pytest.fixture
def bo(db, leakmap):
    return factories.founder_of(leakmap, name="Bo Chen, Jr.", email="bo@example.org")


@pytest.fixture
def session(db, maya, leakmap, ana, bo):
    slot = factories.mentor_slot(maya, la(10, 6, 10), location="City Hall; room 301, 3rd floor")
    made = factories.session_booking(
        slot, leakmap, ana, agenda="Pricing, and the LADWP pilot\nthen next steps", now=NOW
    )
    booking_service.save_notes(made, "Shared", PRIVATE, by=maya)
    return made


# One booking, one file ----------------------------------------------------------------------------


def test_a_booking_is_an_invitation_both_parsers_read(db, session, maya, ana, bo):
    text = calendars.booking_ics(session)

    calendar, event, vcalendar, vevent = only_event(text)
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == calendars.PRODID
    assert calendar["METHOD"] == "REQUEST"
    assert vcalendar.method.value == "REQUEST"
    assert str(event["UID"]) == vevent.uid.value == session.uid
    assert int(event["SEQUENCE"]) == int(vevent.sequence.value) == 0
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert (
        str(event["SUMMARY"]) == vevent.summary.value == "Mentor session: LeakMap with Maya Patel"
    )
    assert str(event["LOCATION"]) == vevent.location.value == "City Hall; room 301, 3rd floor"
    description = vevent.description.value
    assert str(event["DESCRIPTION"]) == description
    assert "Pricing, and the LADWP pilot\nthen next steps" in description
    assert f"/mentoring/sessions/{session.id}" in description
    assert PRIVATE not in text and "Shared" not in description
    assert str(event["STATUS"]) == vevent.status.value == "CONFIRMED"
    assert str(event["ORGANIZER"]) == vevent.organizer.value == "mailto:maya@example.org"
    assert event["ORGANIZER"].params["CN"] == "Maya Patel"
    attendees = {str(a): a.params["CN"] for a in event["ATTENDEE"]}
    assert attendees == {
        "mailto:ana@example.org": "Ana López",
        "mailto:bo@example.org": "Bo Chen, Jr.",
    }
    assert {a.value: a.params["CN"][0] for a in vevent.attendee_list} == attendees


def test_times_are_utc_and_round_trip_exactly(db, session):
    text = calendars.booking_ics(session)

    _calendar, event, _vcalendar, vevent = only_event(text)
    assert "DTSTART:20261006T170000Z" in text
    assert "DTEND:20261006T180000Z" in text
    assert event.decoded("DTSTART") == vevent.dtstart.value == session.starts_at
    assert event.decoded("DTEND") == vevent.dtend.value == session.ends_at


@pytest.mark.parametrize(
    ("day", "utc_hour", "zone_name"),
    [
        (date(2026, 10, 27), 22, "PDT"),  # before the change: UTC-7
        (date(2026, 11, 3), 23, "PST"),  # after the change on November 1: UTC-8
    ],
)
def test_a_session_at_3_pm_in_los_angeles_stays_at_3_pm_across_the_dst_change(
    db, maya, leakmap, ana, day, utc_hour, zone_name
):
    starts = datetime(day.year, day.month, day.day, 15, tzinfo=LA)
    slot = factories.mentor_slot(maya, starts.astimezone(UTC))
    made = factories.session_booking(slot, leakmap, ana, now=NOW)
    db.session.commit()
    stored = db.session.get(Booking, made.id)
    text = calendars.booking_ics(stored)

    _calendar, event, _vcalendar, vevent = only_event(text)
    assert f"DTSTART:{day:%Y%m%d}T{utc_hour}0000Z" in text
    for parsed in (event.decoded("DTSTART"), vevent.dtstart.value):
        assert parsed == stored.starts_at == starts
        local = parsed.astimezone(LA)
        assert (local.date(), local.hour, local.minute, local.tzname()) == (day, 15, 0, zone_name)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert vevent.dtend.value - vevent.dtstart.value == timedelta(hours=1)


def test_a_cancellation_keeps_the_uid_with_a_higher_sequence(db, session, ana):
    invitation = calendars.booking_ics(session)
    booking_service.cancel(session, "Sick", by=ana, now=NOW)
    cancellation = calendars.booking_ics(session, calendars.method_for(session))

    _, invited, _, _ = only_event(invitation)
    calendar, cancelled, vcalendar, vevent = only_event(cancellation)
    assert calendar["METHOD"] == vcalendar.method.value == "CANCEL"
    assert str(cancelled["UID"]) == vevent.uid.value == str(invited["UID"]) == session.uid
    assert int(cancelled["SEQUENCE"]) == int(vevent.sequence.value) == 1
    assert int(cancelled["SEQUENCE"]) > int(invited["SEQUENCE"])
    assert str(cancelled["STATUS"]) == vevent.status.value == "CANCELLED"
    assert cancelled.decoded("DTSTART") == session.starts_at


def test_a_reschedule_cancels_the_old_uid_and_invites_with_a_new_one(
    db, session, maya, ana, outbox
):
    db.session.commit()
    sent_before = len(outbox())
    new = booking_service.reschedule(
        session, factories.mentor_slot(maya, la(10, 8, 14)), by=ana, now=NOW
    )
    db.session.commit()

    to_ana = [m for m in outbox()[sent_before:] if m.recipient == "ana@example.org"]
    assert [m.attachment_type for m in to_ana] == [
        "text/calendar; method=CANCEL",
        "text/calendar; method=REQUEST",
    ]
    _, old_event, _, old_vevent = only_event(to_ana[0].attachment)
    _, new_event, _, new_vevent = only_event(to_ana[1].attachment)
    assert str(old_event["UID"]) == old_vevent.uid.value == session.uid
    assert int(old_event["SEQUENCE"]) == 1
    assert str(old_event["STATUS"]) == "CANCELLED"
    assert str(new_event["UID"]) == new_vevent.uid.value == new.uid != session.uid
    assert int(new_event["SEQUENCE"]) == 0
    assert new_event.decoded("DTSTART") == la(10, 8, 14)


def test_mail_attachments_are_the_booking_files(db, session, ana, outbox):
    booking_service.cancel(session, "Sick", by=ana, now=NOW)
    db.session.commit()

    invitation, cancellation = outbox("bo@example.org")
    for mail, method in ((invitation, "REQUEST"), (cancellation, "CANCEL")):
        assert mail.attachment_name == "session.ics"
        assert mail.attachment_type == f"text/calendar; method={method}"
        calendar, _event, _, vevent = only_event(mail.attachment)
        assert calendar["METHOD"] == method
        assert vevent.uid.value == session.uid


def test_the_ics_download_follows_the_booking(db, client_for, session, ana, cy, maya):
    url = f"/mentoring/sessions/{session.id}.ics"
    client = client_for(ana)

    response = client.get(url)

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar, event, _, _ = only_event(response.get_data(as_text=True))
    assert calendar["METHOD"] == "REQUEST"
    assert client_for(cy).get(url).status_code == 404
    assert client_for(maya).get(url).status_code == 200

    booking_service.cancel(db.session.get(Booking, session.id), "Sick", by=ana, now=NOW)
    cancelled = client.get(url).get_data(as_text=True)
    calendar, event, _, _ = only_event(cancelled)
    assert calendar["METHOD"] == "CANCEL"
    assert int(event["SEQUENCE"]) == 1


# Feeds ------------------------------------------------------------------------------------------


def feed_uids(text: str) -> list[str]:
    by_icalendar, by_vobject = parse_both(text)
    uids = [str(event["UID"]) for event in by_icalendar.walk("VEVENT")]
    assert uids == [vevent.uid.value for vevent in getattr(by_vobject, "vevent_list", [])]
    return uids


def test_a_feed_lists_only_the_persons_upcoming_sessions(
    db, maya, omar, leakmap, busbuddy, ana, bo, cy
):
    mine = factories.session_booking(
        factories.mentor_slot(maya, la(10, 6, 10)), leakmap, ana, now=NOW
    )
    with_omar = factories.session_booking(
        factories.mentor_slot(omar, la(10, 7, 10)), leakmap, bo, now=NOW
    )
    cancelled = factories.session_booking(
        factories.mentor_slot(maya, la(10, 8, 10)), leakmap, ana, now=NOW
    )
    booking_service.cancel(cancelled, "Sick", by=ana, now=NOW)
    theirs = factories.session_booking(
        factories.mentor_slot(maya, la(10, 9, 10)), busbuddy, cy, now=NOW
    )
    earlier = factories.session_booking(
        factories.mentor_slot(maya, la(10, 5, 10)), leakmap, ana, now=NOW - timedelta(days=3)
    )
    later = NOW + timedelta(hours=2)

    # A founder sees the venture's sessions whoever booked them; nothing cancelled or over.
    assert feed_uids(calendars.feed_ics(ana, later)) == [mine.uid, with_omar.uid]
    assert feed_uids(calendars.feed_ics(cy, later)) == [theirs.uid]
    assert feed_uids(calendars.feed_ics(maya, later)) == [mine.uid, theirs.uid]
    assert feed_uids(calendars.feed_ics(omar, later)) == [with_omar.uid]
    assert earlier.uid in feed_uids(calendars.feed_ics(maya, NOW))
    text = calendars.feed_ics(ana, later)
    assert "METHOD" not in text
    assert PRIVATE not in text
    calendar, vcalendar = parse_both(text)
    assert calendar["X-WR-CALNAME"] == "Accelerate: LA sessions (Ana López)"
    assert vcalendar.prodid.value == calendars.PRODID
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == mine.starts_at
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_feed_with_no_sessions_is_still_a_calendar(db, maya):
    assert feed_uids(calendars.feed_ics(maya, NOW)) == []


def test_a_feed_runs_the_same_queries_for_1_or_5_sessions(
    app, db, monkeypatch, count_queries, maya, omar, leakmap, ana
):
    monkeypatch.setitem(app.config, "BOOKING_MAX_PER_MENTOR_PER_WEEK", 10)
    factories.session_booking(factories.mentor_slot(maya, la(10, 6, 10)), leakmap, ana, now=NOW)
    db.session.commit()
    with count_queries() as few:
        assert len(feed_uids(calendars.feed_ics(ana, NOW))) == 1
    for day in range(7, 11):
        factories.session_booking(
            factories.mentor_slot(omar, la(10, day, 10)), leakmap, ana, now=NOW
        )
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        assert len(feed_uids(calendars.feed_ics(ana, NOW))) == 5

    assert many.count == few.count, "\n".join(many.statements)


# Feed tokens ------------------------------------------------------------------------------------


def test_a_feed_token_is_random_and_stored_only_as_its_hash(db, ana, audit_events):
    token = calendars.create_feed(ana)
    db.session.commit()

    assert len(token) >= 43  # 32 random bytes
    [feed] = db.session.scalars(select(CalendarFeed)).all()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = db.session.execute(CalendarFeed.__table__.select()).one()
    assert token not in [str(value) for value in stored]
    assert token not in str([(e.before, e.after) for e in audit_events()])
    assert calendars.user_for_feed_token(token) == ana
    assert calendars.create_feed(ana) != token


def test_a_new_token_revokes_the_old_one_and_revoking_stops_all(db, ana):
    first = calendars.create_feed(ana)
    second = calendars.create_feed(ana)

    assert calendars.user_for_feed_token(first) is None
    assert calendars.user_for_feed_token(second) == ana
    assert calendars.revoke_feeds(ana) == 1
    assert calendars.user_for_feed_token(second) is None
    assert calendars.active_feed(ana) is None
    assert count(CalendarFeed) == 2


def test_unknown_tokens_and_inactive_people_get_nothing(db, ana):
    token = calendars.create_feed(ana)
    assert calendars.user_for_feed_token("") is None
    assert calendars.user_for_feed_token(token + "x") is None
    assert calendars.user_for_feed_token("x" * 1000) is None
    ana.active = False
    db.session.flush()
    assert calendars.user_for_feed_token(token) is None


def test_subscribing_and_revoking_through_the_pages(db, app, client_for, session, ana):
    client = client_for(ana)
    assert "You have no subscription URL" in page(client.get("/mentoring/calendar"))

    created = client.post("/mentoring/calendar", data={"create": "Create"})

    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    text = page(created)
    prefix = "http://localhost/mentoring/calendar/"
    start = text.index(prefix)
    url = text[start : text.index('"', start)]
    assert url.endswith(".ics")
    token = url[len(prefix) : -len(".ics")]
    again = page(client.get("/mentoring/calendar"))
    assert token not in again
    assert "You have a subscription URL" in again

    # Calendar applications fetch it without signing in.
    anonymous = app.test_client()
    feed = anonymous.get(f"/mentoring/calendar/{token}.ics")
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert feed_uids(feed.get_data(as_text=True)) == []  # the session is in the past
    assert anonymous.get("/mentoring/calendar/not-a-token.ics").status_code == 404

    client.post("/mentoring/calendar", data={"revoke": "Revoke"})

    assert anonymous.get(f"/mentoring/calendar/{token}.ics").status_code == 404
    assert "You have no subscription URL" in page(client.get("/mentoring/calendar"))


def test_the_feed_url_serves_upcoming_sessions(db, app, maya, leakmap, ana):
    upcoming = factories.session_booking(factories.mentor_slot(maya, ahead(3)), leakmap, ana)
    token = calendars.create_feed(maya)
    db.session.commit()

    response = app.test_client().get(f"/mentoring/calendar/{token}.ics")

    assert feed_uids(response.get_data(as_text=True)) == [upcoming.uid]


# Day-before reminders ---------------------------------------------------------------------------


REMINDER = "Tomorrow: mentor session, LeakMap with Maya Patel"


def reminder_mails(outbox) -> list[str]:
    return sorted(m.recipient for m in outbox() if m.subject.startswith("Tomorrow:"))


def test_both_sides_get_one_reminder_the_day_before(db, session, ana, outbox):
    """The session is on Tuesday October 6; the job runs on Monday the 5th."""
    report = reminders.send_reminders(date(2026, 10, 5))
    db.session.commit()

    assert reminder_mails(outbox) == ["ana@example.org", "bo@example.org", "maya@example.org"]
    [to_ana] = [m for m in outbox("ana@example.org") if m.subject == REMINDER]
    assert "tomorrow, Tuesday October 6, 10:00 AM to 11:00 AM PDT" in to_ana.body
    assert f"/mentoring/sessions/{session.id}" in to_ana.body
    assert PRIVATE not in to_ana.body
    assert report.session_reminders == 3
    assert "3 reminders of tomorrow's mentor sessions sent." in report.summary()
    periods = set(
        db.session.scalars(
            select(ReminderSent.period).where(ReminderSent.kind == reminders.SESSION_REMINDER)
        )
    )
    assert periods == {f"booking-{session.id}"}

    again = reminders.send_reminders(date(2026, 10, 5))
    db.session.commit()

    assert again.session_reminders == 0
    assert again.already_sent >= 3
    assert reminder_mails(outbox) == ["ana@example.org", "bo@example.org", "maya@example.org"]


def test_only_sessions_starting_tomorrow_in_los_angeles_are_reminded(db, maya, omar, leakmap, ana):
    late_tomorrow = factories.session_booking(
        factories.mentor_slot(maya, la(10, 6, 23)), leakmap, ana, now=NOW
    )
    day_after = factories.session_booking(
        factories.mentor_slot(omar, la(10, 7, 0, 30)), leakmap, ana, now=NOW
    )
    cancelled = factories.session_booking(
        factories.mentor_slot(omar, la(10, 6, 12)), leakmap, ana, now=NOW
    )
    booking_service.cancel(cancelled, "Sick", by=ana, now=NOW)

    assert [b.id for b in reminders.sessions_on(date(2026, 10, 6))] == [late_tomorrow.id]
    assert [b.id for b in reminders.sessions_on(date(2026, 10, 7))] == [day_after.id]
    assert reminders.send_reminders(date(2026, 10, 4)).session_reminders == 0


def test_a_reminder_on_the_day_after_the_dst_change(db, maya, leakmap, ana, outbox):
    early = factories.session_booking(
        factories.mentor_slot(maya, la(11, 2, 0, 30)), leakmap, ana, now=NOW
    )

    assert [b.id for b in reminders.sessions_on(date(2026, 11, 2))] == [early.id]
    assert reminders.sessions_on(date(2026, 11, 1)) == []
    report = reminders.send_reminders(date(2026, 11, 1))
    assert report.session_reminders == 2
    [to_ana] = [m for m in outbox("ana@example.org") if m.subject.startswith("Tomorrow:")]
    assert "Monday November 2, 12:30 AM to 1:30 AM PST" in to_ana.body


def test_the_command_sends_session_reminders_once(db, runner, session, outbox):
    db.session.commit()

    first = runner.invoke(args=["send-reminders", "--date", "2026-10-05"])
    second = runner.invoke(args=["send-reminders", "--date", "2026-10-05"])

    assert first.exit_code == 0, first.output
    assert "3 reminders of tomorrow's mentor sessions sent." in first.output
    assert "reminders of tomorrow's mentor sessions" not in second.output
    db.session.expire_all()
    assert len(reminder_mails(outbox)) == 3


def test_a_status_change_after_booking_is_not_reminded(db, session, maya):
    session.status = BookingStatus.COMPLETED
    db.session.flush()

    assert reminders.send_reminders(date(2026, 10, 5)).session_reminders == 0
