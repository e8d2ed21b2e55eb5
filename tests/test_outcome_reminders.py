"""flask send-reminders asks a session's mentor for its outcome the day after it, once: not
for a cancelled session, not once an outcome is recorded, and only its mentor."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from incubator.models import BookingStatus, ReminderSent
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import reminders
from tests import factories

LA = ZoneInfo("America/Los_Angeles")
# Sessions are booked as at Monday October 5, 2026, 9:00 in Los Angeles.
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=LA).astimezone(UTC)
TUESDAY = date(2026, 10, 6)
WEDNESDAY = date(2026, 10, 7)


def la(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA).astimezone(UTC)


def asked(outbox, email: str | None = None) -> list:
    return [m for m in outbox(email) if m.subject.startswith("How did it go?")]


def session(mentor, venture, founder, starts_at: datetime):
    return factories.session_booking(
        factories.mentor_slot(mentor, starts_at), venture, founder, now=NOW
    )


def test_the_mentor_is_asked_for_the_outcome_the_day_after_once(db, maya, leakmap, ana, bo, outbox):
    booked = session(maya, leakmap, ana, la(TUESDAY, 10))

    on_the_day = reminders.send_reminders(TUESDAY)
    assert on_the_day.outcome_reminders == 0
    assert asked(outbox) == []

    report = reminders.send_reminders(WEDNESDAY)
    again = reminders.send_reminders(WEDNESDAY)
    later = reminders.send_reminders(WEDNESDAY + timedelta(days=1))

    [mail] = asked(outbox)
    assert mail.recipient == maya.email
    assert mail.subject == "How did it go? LeakMap, Tuesday October 6"
    assert (
        "Your session with LeakMap on Tuesday October 6, 10:00 AM to 11:00 AM PDT "
        "has no outcome yet." in mail.body
    )
    assert f"http://localhost/mentoring/sessions/{booked.id}" in mail.body
    assert (report.outcome_reminders, again.outcome_reminders, later.outcome_reminders) == (1, 0, 0)
    assert "1 mentors asked for a past session's outcome." in report.summary()
    recorded = db.session.execute(
        select(ReminderSent.kind, ReminderSent.user_id, ReminderSent.period).where(
            ReminderSent.kind == reminders.OUTCOME_DUE
        )
    ).all()
    assert recorded == [(reminders.OUTCOME_DUE, maya.id, f"booking-{booked.id}")]


def test_no_reminder_for_a_cancelled_session_or_one_with_an_outcome(
    db, maya, omar, leakmap, ana, outbox
):
    cancelled = session(maya, leakmap, ana, la(TUESDAY, 10))
    booking_service.cancel(cancelled, "Sick", by=ana, now=NOW)
    held = session(omar, leakmap, ana, la(TUESDAY, 12))
    booking_service.mark_outcome(held, BookingStatus.COMPLETED, by=omar, now=la(TUESDAY, 13))
    missed = session(maya, leakmap, ana, la(TUESDAY, 14))
    booking_service.mark_outcome(missed, BookingStatus.NO_SHOW, by=maya, now=la(TUESDAY, 15))

    report = reminders.send_reminders(WEDNESDAY)

    assert report.outcome_reminders == 0
    assert asked(outbox) == []


def test_an_outcome_recorded_after_the_reminder_sends_nothing_more(db, maya, leakmap, ana, outbox):
    booked = session(maya, leakmap, ana, la(TUESDAY, 10))
    reminders.send_reminders(WEDNESDAY)
    booking_service.mark_outcome(booked, BookingStatus.COMPLETED, by=maya, now=la(WEDNESDAY, 9))

    assert reminders.send_reminders(WEDNESDAY + timedelta(days=1)).outcome_reminders == 0
    assert len(asked(outbox, maya.email)) == 1


def test_the_day_after_is_the_day_after_in_los_angeles(db, maya, omar, leakmap, ana, outbox):
    # Ends at 11:30 PM on Tuesday in Los Angeles (Wednesday in UTC): asked on Wednesday.
    late = session(maya, leakmap, ana, la(TUESDAY, 22, 30))
    # Ends at 1:30 AM on Wednesday in Los Angeles: asked on Thursday, not before.
    after_midnight = session(omar, leakmap, ana, la(WEDNESDAY, 0, 30))

    assert [b.id for b in reminders.sessions_without_outcome(TUESDAY)] == []
    assert [b.id for b in reminders.sessions_without_outcome(WEDNESDAY)] == [late.id]
    assert [b.id for b in reminders.sessions_without_outcome(WEDNESDAY + timedelta(days=1))] == [
        late.id,
        after_midnight.id,
    ]
    reminders.send_reminders(WEDNESDAY)
    assert [m.recipient for m in asked(outbox)] == [maya.email]


def test_a_session_older_than_a_week_is_left_to_the_mentors_home(db, maya, leakmap, ana, outbox):
    session(maya, leakmap, ana, la(TUESDAY, 10))

    report = reminders.send_reminders(TUESDAY + reminders.OUTCOME_DUE_WITHIN + timedelta(days=1))

    assert report.outcome_reminders == 0
    assert asked(outbox) == []


def test_a_deactivated_mentor_is_not_asked(db, maya, leakmap, ana, outbox):
    session(maya, leakmap, ana, la(TUESDAY, 10))
    maya.active = False

    assert reminders.send_reminders(WEDNESDAY).outcome_reminders == 0
    assert asked(outbox) == []


def test_the_command_asks_once_however_often_it_runs(db, runner, maya, leakmap, ana, outbox):
    session(maya, leakmap, ana, la(TUESDAY, 10))
    db.session.commit()

    first = runner.invoke(args=["send-reminders", "--date", WEDNESDAY.isoformat()])
    second = runner.invoke(args=["send-reminders", "--date", WEDNESDAY.isoformat()])

    assert first.exit_code == 0, first.output
    assert "1 mentors asked for a past session's outcome." in first.output
    assert second.exit_code == 0, second.output
    assert "outcome" not in second.output
    db.session.expire_all()
    assert [m.recipient for m in asked(outbox)] == [maya.email]
