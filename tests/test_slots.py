"""A mentor's availability: single slots, weekly series, edits and withdrawals, in local time."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from incubator.extensions import db as _db
from incubator.models import AuditEvent, Slot, SlotSeries, SlotStatus, User, utcnow
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.mentoring import slots as slot_service
from incubator.services.mentoring import times
from incubator.services.transactions import transaction
from tests import factories
from tests.helpers import count, location, page
from tests.plugins.mentoring import series_form

LA = ZoneInfo("America/Los_Angeles")
# Early October 2026, before every date these tests publish on.
OCTOBER = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def snapshot(db) -> dict[str, object]:
    """Every slot and series as stored, and how many audit events there are."""
    db.session.flush()
    db.session.expire_all()
    slots = db.session.scalars(select(Slot).order_by(Slot.id))
    return {
        "slots": [
            (s.id, s.starts_at, s.ends_at, s.status, s.location, s.note, s.series_id) for s in slots
        ],
        "series": count(SlotSeries),
        "audit": count(AuditEvent),
    }


def wall(*fields: int) -> datetime:
    """A wall-clock time with no zone, as a mentor types it: wall(2026, 10, 20, 15, 0)."""
    return datetime.combine(date(*fields[:3]), time(*fields[3:]))


def local(slot: Slot, zone: ZoneInfo = LA) -> datetime:
    return slot.starts_at.astimezone(zone).replace(tzinfo=None)


def future_day(days: int = 10) -> date:
    return (utcnow() + timedelta(days=days)).astimezone(LA).date()


def next_clock_change(*, forward: bool) -> date:
    """The next day, a few days from now on, on which Los Angeles clocks go forward (or back).

    The pages refuse past times, so their tests cannot name a fixed clock change: it goes stale.
    """
    day = future_day(3)
    while True:
        before = datetime.combine(day - timedelta(days=1), time(12), tzinfo=LA).utcoffset()
        after = datetime.combine(day, time(12), tzinfo=LA).utcoffset()
        if before != after and (after > before) == forward:
            return day
        day += timedelta(days=1)


def publish(mentor, when: datetime, minutes: int = 30, *, now=OCTOBER, **fields) -> Slot:
    return slot_service.publish_slot(
        mentor,
        when,
        minutes,
        fields.pop("location", ""),
        fields.pop("note", ""),
        by=fields.pop("by", mentor),
        now=now,
    )


def tuesdays(mentor, *, starts_on=date(2026, 10, 20), ends_on=date(2026, 11, 10), **fields):
    values = {
        "weekday": 1,
        "start_time": time(15),
        "end_time": time(17),
        "slot_minutes": 30,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "location": "",
        "note": "Bring your numbers",
        **fields,
    }
    by = values.pop("by", mentor)
    now = values.pop("now", OCTOBER)
    return slot_service.publish_series(mentor, **values, by=by, now=now)


# One slot --------------------------------------------------------------------------------------


def test_mentor_publishes_a_slot_at_local_time_stored_in_utc(db, audit_events):
    mentor = factories.mentor()

    slot = publish(mentor, wall(2026, 10, 20, 15, 0), 45, note="Pricing questions welcome")
    db.session.commit()

    stored = db.session.get(Slot, slot.id)
    assert stored.starts_at == datetime(2026, 10, 20, 22, 0, tzinfo=UTC)
    assert stored.ends_at == datetime(2026, 10, 20, 22, 45, tzinfo=UTC)
    assert stored.status == SlotStatus.OPEN
    # No place given: the meeting link on the mentor's profile.
    assert stored.location == "https://meet.example.org/mentor"
    assert stored.note == "Pricing questions welcome"
    [event] = audit_events("slot.published")
    assert (event.actor_id, event.object_id) == (mentor.id, str(slot.id))
    assert event.after["starts_at"] == "2026-10-20T22:00:00+00:00"


def test_a_slot_is_read_in_the_mentors_own_time_zone(db):
    mentor = factories.mentor(time_zone="America/New_York")

    slot = publish(mentor, wall(2026, 10, 20, 15, 0), location="Zoom")

    assert slot.starts_at == datetime(2026, 10, 20, 19, 0, tzinfo=UTC)
    assert slot.location == "Zoom"


@pytest.mark.parametrize(
    ("when", "minutes", "message"),
    [
        (wall(2026, 9, 30, 15, 0), 30, "has passed"),
        (wall(2026, 10, 20, 15, 0), 4, "from 5 to 480 minutes"),
        (wall(2026, 10, 20, 15, 0), 481, "from 5 to 480 minutes"),
        (wall(2027, 3, 14, 2, 30), 30, "does not exist in America/Los_Angeles"),
        (wall(2027, 3, 14, 2, 0), 30, "clocks go forward"),
    ],
)
def test_impossible_slots_are_refused(db, when, minutes, message):
    mentor = factories.mentor()
    db.session.commit()
    before = snapshot(db)

    with pytest.raises(InvalidInput, match=message):
        publish(mentor, when, minutes)
    db.session.rollback()

    assert snapshot(db) == before


def test_spring_forward_gap_message_names_the_time(db):
    mentor = factories.mentor()

    with pytest.raises(times.NonexistentTime) as refused:
        publish(mentor, wall(2027, 3, 14, 2, 30))

    assert refused.value.message == (
        "2:30 AM on Sun Mar 14, 2027 does not exist in America/Los_Angeles: the clocks go "
        "forward an hour then, for daylight saving time. Choose another time."
    )


def test_a_time_that_happens_twice_means_the_first_one(db):
    mentor = factories.mentor()
    repeated = wall(2026, 11, 1, 1, 30)

    slot = publish(mentor, repeated)

    # 1:30 AM PDT (UTC-7), not the 1:30 AM PST (UTC-8) an hour later.
    assert slot.starts_at == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert times.is_repeated(repeated, LA)
    assert not times.is_repeated(wall(2026, 11, 1, 2, 30), LA)
    assert "the first one (PDT)" in times.repeated_time_note(repeated, LA)


def test_only_mentors_publish_and_only_their_own_slots(db):
    founder = factories.user("founder")
    mentor = factories.mentor()

    with pytest.raises(NotAllowed, match="Only mentors"):
        publish(founder, wall(2026, 10, 20, 15, 0))
    with pytest.raises(NotAllowed, match="their own availability"):
        publish(mentor, wall(2026, 10, 20, 15, 0), by=founder)


# Overlaps ----------------------------------------------------------------------------------------


def test_overlapping_slot_is_refused_with_the_clashing_time(db):
    mentor = factories.mentor()
    publish(mentor, wall(2026, 10, 20, 15, 0), 60)
    db.session.commit()
    before = snapshot(db)

    with pytest.raises(slot_service.SlotOverlap) as refused:
        publish(mentor, wall(2026, 10, 20, 15, 30), 60)
    db.session.rollback()

    assert "Tue Oct 20, 2026, 3:00 PM to 4:00 PM PDT" in refused.value.message
    assert snapshot(db) == before


def test_touching_slots_withdrawn_slots_and_other_mentors_do_not_clash(db):
    mentor = factories.mentor()
    other = factories.mentor()
    first = publish(mentor, wall(2026, 10, 20, 15, 0), 60)
    withdrawn = publish(mentor, wall(2026, 10, 20, 17, 0), 60)
    slot_service.withdraw_slot(withdrawn, by=mentor)

    after = publish(mentor, wall(2026, 10, 20, 16, 0), 60)
    again = publish(mentor, wall(2026, 10, 20, 17, 0), 60)
    theirs = publish(other, wall(2026, 10, 20, 15, 0), 60)
    db.session.commit()

    assert after.starts_at == first.ends_at
    assert again.starts_at == withdrawn.starts_at
    assert theirs.starts_at == first.starts_at


def test_database_refusal_of_an_overlap_reads_like_the_check(db, monkeypatch):
    """PostgreSQL's exclusion constraint catches what another transaction slipped in."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    mentor = factories.mentor()
    publish(mentor, wall(2026, 10, 20, 15, 0), 60)
    db.session.commit()
    before = snapshot(db)
    real = slot_service._open_slots_between
    calls = []

    def blind_first(*args, **kwargs):
        # The first check runs before the other transaction's slot would be visible.
        calls.append(args)
        return [] if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(slot_service, "_open_slots_between", blind_first)

    with pytest.raises(slot_service.SlotOverlap) as refused:
        publish(mentor, wall(2026, 10, 20, 15, 30), 60)
    db.session.rollback()

    assert "Tue Oct 20, 2026, 3:00 PM to 4:00 PM PDT" in refused.value.message
    assert len(calls) == 2
    assert snapshot(db) == before


def test_simultaneous_overlapping_publishes_leave_one_slot(app, db):
    """Eight requests at once, each in its own session: the database lets one through."""
    mentor_id = factories.mentor().id
    # Committed and not read again: an open read transaction here would hold SQLite's
    # shared lock and keep every racer from committing.
    db.session.commit()
    racers = 8
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []

    def race(number: int) -> None:
        with app.app_context():
            try:
                me = _db.session.get(User, mentor_id)
                barrier.wait(timeout=10)
                with transaction(serialised=True):
                    publish(me, wall(2026, 10, 20, 15, number), 30)
                outcomes.append("published")
            except slot_service.SlotOverlap:
                outcomes.append("overlap")
            except Exception as error:  # reported in the assertion below
                outcomes.append(repr(error))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["overlap"] * (racers - 1) + ["published"], outcomes
    assert count(Slot) == 1


# Weekly series -----------------------------------------------------------------------------------


def test_weekly_series_keeps_local_time_across_the_fall_back(db, audit_events):
    mentor = factories.mentor()

    published = tuesdays(mentor)
    db.session.commit()

    slots = published.slots
    assert len(slots) == 16
    assert published.skipped == []
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(local(slot).date(), []).append(slot)
    assert list(by_day) == [
        date(2026, 10, 20),
        date(2026, 10, 27),
        date(2026, 11, 3),
        date(2026, 11, 10),
    ]
    for day, day_slots in by_day.items():
        assert [local(s).time() for s in day_slots] == [
            time(15),
            time(15, 30),
            time(16),
            time(16, 30),
        ]
        assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in day_slots)
        first_utc = day_slots[0].starts_at.astimezone(UTC)
        assert first_utc.hour == (22 if day < date(2026, 11, 1) else 23)
    series = db.session.get(SlotSeries, published.series.id)
    assert (series.weekday, series.start_time, series.end_time) == (1, time(15), time(17))
    assert series.time_zone == "America/Los_Angeles"
    assert {s.series_id for s in slots} == {series.id}
    assert {s.note for s in slots} == {"Bring your numbers"}
    [event] = audit_events("slot_series.published")
    assert event.after["slots"] == 16


def test_series_leaves_out_times_the_clocks_skip(db):
    mentor = factories.mentor()

    published = tuesdays(
        mentor,
        weekday=6,
        start_time=time(1),
        end_time=time(4),
        slot_minutes=30,
        starts_on=date(2027, 3, 14),
        ends_on=date(2027, 3, 14),
    )

    assert [local(s).time() for s in published.slots] == [
        time(1),
        time(1, 30),
        time(3),
        time(3, 30),
    ]
    assert published.skipped == [wall(2027, 3, 14, 2), wall(2027, 3, 14, 2, 30)]


def test_series_that_would_overlap_publishes_nothing_and_names_the_first_clash(db):
    mentor = factories.mentor()
    publish(mentor, wall(2026, 11, 10, 16, 15), 30)
    publish(mentor, wall(2026, 11, 3, 16, 45), 30)
    db.session.commit()
    before = snapshot(db)

    with pytest.raises(slot_service.SlotOverlap) as refused:
        tuesdays(mentor)
    db.session.rollback()

    assert refused.value.message.startswith(
        "Nothing was published: the slot on Tue Nov 3, 2026, 4:30 PM to 5:00 PM PST would overlap "
        "your open slot on Tue Nov 3, 2026, 4:45 PM to 5:15 PM PST."
    )
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_on": date(2026, 9, 1)}, "has passed"),
        ({"ends_on": date(2026, 10, 19)}, "cannot end before it starts"),
        ({"starts_on": date(2026, 10, 21), "ends_on": date(2026, 10, 26)}, "no Tuesday"),
        ({"end_time": time(15)}, "must end after it starts"),
        ({"slot_minutes": 180}, "does not fit"),
        ({"slot_minutes": 4}, "from 5 to 480 minutes"),
        ({"weekday": 7}, "day of the week"),
        ({"ends_on": date(2029, 1, 1), "slot_minutes": 5}, "at most 400"),
    ],
)
def test_bad_series_are_refused_whole(db, fields, message):
    mentor = factories.mentor()
    db.session.commit()
    before = snapshot(db)

    with pytest.raises(InvalidInput, match=message):
        tuesdays(mentor, **fields)
    db.session.rollback()

    assert snapshot(db) == before


def test_a_series_of_exactly_400_slots_is_published(db):
    mentor = factories.mentor()

    day = {"start_time": time(9), "end_time": time(17), "slot_minutes": 30}

    with pytest.raises(InvalidInput, match="would make 416 slots; at most 400"):
        tuesdays(mentor, **day, ends_on=date(2027, 4, 13))
    published = tuesdays(mentor, **day, ends_on=date(2027, 4, 6))

    assert len(published.slots) == 25 * 16 == 400


# Editing and withdrawing -------------------------------------------------------------------------


def test_mentor_moves_and_rewords_an_unbooked_slot(db, audit_events):
    mentor = factories.mentor()
    slot = publish(mentor, wall(2026, 10, 20, 15, 0), 30)

    slot_service.update_slot(
        slot, wall(2026, 11, 3, 15, 0), 60, "Room 4", "New note", by=mentor, now=OCTOBER
    )
    db.session.commit()

    stored = db.session.get(Slot, slot.id)
    assert stored.starts_at == datetime(2026, 11, 3, 23, 0, tzinfo=UTC)
    assert stored.ends_at - stored.starts_at == timedelta(hours=1)
    assert (stored.location, stored.note) == ("Room 4", "New note")
    [event] = audit_events("slot.updated")
    assert event.before["starts_at"] == "2026-10-20T22:00:00+00:00"
    assert event.after["starts_at"] == "2026-11-03T23:00:00+00:00"


def test_a_slot_can_move_within_its_own_time_but_not_onto_another(db):
    mentor = factories.mentor()
    slot = publish(mentor, wall(2026, 10, 20, 15, 0), 60)
    publish(mentor, wall(2026, 10, 20, 17, 0), 60)

    slot_service.update_slot(slot, wall(2026, 10, 20, 15, 30), 60, "", "", by=mentor, now=OCTOBER)
    db.session.commit()
    before = snapshot(db)
    with pytest.raises(slot_service.SlotOverlap, match="5:00 PM to 6:00 PM PDT"):
        slot_service.update_slot(
            slot, wall(2026, 10, 20, 16, 30), 60, "", "", by=mentor, now=OCTOBER
        )
    db.session.rollback()

    assert snapshot(db) == before


def test_mentor_withdraws_an_unbooked_slot(db, audit_events):
    mentor = factories.mentor()
    slot = publish(mentor, wall(2026, 10, 20, 15, 0))

    slot_service.withdraw_slot(slot, by=mentor)
    db.session.commit()

    assert db.session.get(Slot, slot.id).status == SlotStatus.WITHDRAWN
    [event] = audit_events("slot.withdrawn")
    assert (event.before["status"], event.after["status"]) == ("open", "withdrawn")
    with pytest.raises(InvalidInput, match="already withdrawn"):
        slot_service.withdraw_slot(slot, by=mentor)


@pytest.mark.parametrize("change", ["update", "withdraw"])
def test_a_booked_slot_cannot_be_changed_until_the_session_is_cancelled(db, change):
    mentor = factories.mentor()
    slot = publish(mentor, wall(2026, 10, 20, 15, 0))
    booking = factories.booking_row(slot)
    db.session.commit()
    before = snapshot(db)

    with pytest.raises(slot_service.SlotBooked, match="Cancel the session first"):
        if change == "update":
            slot_service.update_slot(
                slot, wall(2026, 10, 21, 15, 0), 30, "", "", by=mentor, now=OCTOBER
            )
        else:
            slot_service.withdraw_slot(slot, by=mentor)
    db.session.rollback()
    assert snapshot(db) == before

    booking.status = "cancelled"
    booking.cancelled_at = utcnow()
    slot_service.withdraw_slot(slot, by=mentor)
    assert slot.status == SlotStatus.WITHDRAWN


def test_only_the_slots_mentor_changes_it(db):
    mentor = factories.mentor()
    other = factories.mentor()
    slot = publish(mentor, wall(2026, 10, 20, 15, 0))

    with pytest.raises(NotAllowed):
        slot_service.update_slot(slot, wall(2026, 10, 21, 15), 30, "", "", by=other, now=OCTOBER)
    with pytest.raises(NotAllowed):
        slot_service.withdraw_slot(slot, by=other)


def test_a_slot_cannot_move_into_the_past_or_change_once_started(db):
    mentor = factories.mentor()
    slot = publish(mentor, wall(2026, 10, 20, 15, 0))

    with pytest.raises(InvalidInput, match="has passed"):
        slot_service.update_slot(slot, wall(2026, 9, 20, 15), 30, "", "", by=mentor, now=OCTOBER)
    later = datetime(2026, 10, 20, 22, 10, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="already started"):
        slot_service.update_slot(slot, wall(2026, 10, 27, 15), 30, "", "", by=mentor, now=later)


# The availability pages ------------------------------------------------------------------------


def slot_form(day: date, start: str = "15:00", **fields) -> dict[str, str]:
    return {
        "date": day.isoformat(),
        "time": start,
        "minutes": "30",
        "location": "City Hall, room 301",
        "note": "",
        **fields,
    }


def test_mentor_publishes_a_slot_from_the_availability_page(db, client, login_as):
    mentor = login_as("mentor")
    day = future_day()

    response = client.post("/mentoring/availability", data=slot_form(day))

    assert response.status_code == 302
    assert location(response) == "/mentoring/availability"
    [slot] = db.session.scalars(select(Slot))
    assert local(slot) == datetime.combine(day, time(15))
    assert slot.mentor_id == mentor.id
    body = page(client.get("/mentoring/availability"))
    assert "Slot published" in body
    assert "3:00 PM\N{EN DASH}3:30 PM" in body
    assert "Free" in body
    assert f"/mentoring/slots/{slot.id}/edit" in body


def test_overlap_from_the_page_is_refused_with_the_clash_and_saves_nothing(db, client, login_as):
    login_as("mentor")
    day = future_day()
    client.post("/mentoring/availability", data=slot_form(day, minutes="60"))
    before = snapshot(db)

    response = client.post("/mentoring/availability", data=slot_form(day, "15:30"))

    assert response.status_code == 200
    assert "That overlaps your open slot on" in page(response)
    assert "3:00 PM to 4:00 PM" in page(response)
    assert snapshot(db) == before


def test_spring_forward_gap_is_refused_on_the_page(db, client, login_as):
    login_as("mentor")
    before = snapshot(db)
    day = next_clock_change(forward=True)

    response = client.post("/mentoring/availability", data=slot_form(day, "02:30"))

    assert f"2:30 AM on {day:%a %b %-d, %Y} does not exist" in page(response)
    assert snapshot(db) == before


def test_page_says_which_of_a_repeated_time_a_slot_uses(db, client, login_as):
    login_as("mentor")

    day = next_clock_change(forward=False)

    response = client.post(
        "/mentoring/availability", data=slot_form(day, "01:30"), follow_redirects=True
    )

    [slot] = db.session.scalars(select(Slot))
    # 1:30 AM PDT, UTC-7.
    assert slot.starts_at == datetime.combine(day, time(8, 30), tzinfo=UTC)
    assert "happens twice in America/Los_Angeles" in page(response)
    assert "the slot is at the first one (PDT)" in page(response)


def test_mentor_publishes_a_series_from_the_page(db, client, login_as):
    login_as("mentor")
    first = future_day(3)

    response = client.post(
        "/mentoring/availability/series",
        data=series_form(first, first + timedelta(weeks=2), start="15:00", end="17:00"),
    )

    assert response.status_code == 302
    slots = list(db.session.scalars(select(Slot).order_by(Slot.starts_at)))
    assert len(slots) == 12
    assert {local(s).time() for s in slots} == {time(15), time(15, 30), time(16), time(16, 30)}
    assert "Published 12 slots." in page(client.get("/mentoring/availability"))


def test_bad_series_form_shows_why(db, client, login_as):
    login_as("mentor")

    response = client.post(
        "/mentoring/availability/series",
        data={"series-weekday": "1", "series-start_time": "17:00", "series-end_time": "15:00"},
    )

    assert response.status_code == 200
    assert "The block must end after it starts" in page(response)
    assert count(Slot) == 0


def test_mentor_edits_and_withdraws_a_slot_from_the_page(db, client, login_as):
    mentor = login_as("mentor")
    day = future_day()
    slot = factories.mentor_slot(mentor, datetime.combine(day, time(15), LA), minutes=30)
    db.session.commit()

    form = page(client.get(f"/mentoring/slots/{slot.id}/edit"))
    moved = client.post(
        f"/mentoring/slots/{slot.id}/edit", data=slot_form(day, "16:00", minutes="45")
    )
    withdrawn = client.post(f"/mentoring/slots/{slot.id}/withdraw")

    assert f'value="{day.isoformat()}"' in form and 'value="15:00"' in form
    assert moved.status_code == 302
    assert withdrawn.status_code == 302
    stored = db.session.get(Slot, slot.id)
    assert local(stored) == datetime.combine(day, time(16))
    assert stored.ends_at - stored.starts_at == timedelta(minutes=45)
    assert stored.status == SlotStatus.WITHDRAWN
    assert "Slot withdrawn" in page(client.get("/mentoring/availability"))


def test_booked_slot_shows_as_booked_and_cannot_be_changed_from_the_page(db, client, login_as):
    mentor = login_as("mentor")
    slot = factories.mentor_slot(mentor, utcnow() + timedelta(days=3))
    booking = factories.booking_row(slot)
    db.session.commit()
    before = snapshot(db)

    listing = page(client.get("/mentoring/availability"))
    edit_page = page(client.get(f"/mentoring/slots/{slot.id}/edit"))
    edited = client.post(f"/mentoring/slots/{slot.id}/edit", data=slot_form(future_day(5), "10:00"))
    withdrawn = client.post(f"/mentoring/slots/{slot.id}/withdraw", follow_redirects=True)

    assert "Booked" in listing and booking.venture.name in listing
    assert "Cancel the session first" in edit_page
    assert "Cancel the session first" in page(edited)
    assert "Cancel the session first" in page(withdrawn)
    assert snapshot(db) == before


def test_another_mentors_slot_is_not_found(db, client, login_as):
    login_as("mentor")
    other = factories.mentor()
    slot = factories.mentor_slot(other, utcnow() + timedelta(days=3))
    db.session.commit()
    before = snapshot(db)

    assert client.get(f"/mentoring/slots/{slot.id}/edit").status_code == 404
    edited = client.post(f"/mentoring/slots/{slot.id}/edit", data=slot_form(future_day()))
    assert edited.status_code == 404
    assert client.post(f"/mentoring/slots/{slot.id}/withdraw").status_code == 404
    assert snapshot(db) == before


def test_past_time_is_refused_on_the_page(db, client, login_as):
    login_as("mentor")
    yesterday = future_day(-1)

    response = client.post("/mentoring/availability", data=slot_form(yesterday))

    assert "has passed; choose a time in the future" in page(response)
    assert count(Slot) == 0


def test_founder_sees_a_mentors_slot_in_their_own_time_zone(db, client, login_as):
    login_as("founder", time_zone="America/New_York")
    mentor = factories.mentor(time_zone="America/Los_Angeles")
    day = future_day(5)
    slot = publish(mentor, datetime.combine(day, time(15)), now=utcnow())
    db.session.commit()

    body = page(client.get(f"/mentoring/mentors/{mentor.id}"))

    assert local(slot) == datetime.combine(day, time(15))
    assert "6:00 PM\N{EN DASH}6:30 PM" in body
    assert "3:00 PM" not in body


@pytest.mark.parametrize("role", ["founder", "manager", "funder"])
def test_only_mentors_publish_from_the_pages(db, client, login_as, role):
    login_as(role)
    first = future_day(3)

    responses = [
        client.get("/mentoring/availability"),
        client.post("/mentoring/availability", data=slot_form(first)),
        client.post(
            "/mentoring/availability/series",
            data={"series-weekday": "1", "series-starts_on": first.isoformat()},
        ),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert count(Slot) == 0
