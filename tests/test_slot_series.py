"""A weekly series as a whole: changed or withdrawn from now on, its booked slots kept and
named, its past slots left alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from incubator.extensions import db
from incubator.models import AuditEvent, Booking, Slot, SlotSeries, SlotStatus
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, SlotTaken
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import series as series_service
from incubator.services.mentoring import slots as slot_service
from tests import factories
from tests.helpers import count, location, page, reloaded, writes_nothing
from tests.plugins.mentoring import ahead

LA = ZoneInfo("America/Los_Angeles")
OCTOBER = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
# Wednesday October 21, 2026, 5:00 AM in Los Angeles: the series' first Tuesday has passed.
AFTER_FIRST_TUESDAY = datetime(2026, 10, 21, 12, 0, tzinfo=UTC)


def wall(*fields: int) -> datetime:
    """A wall-clock time with no zone, as a mentor types it: wall(2026, 10, 20, 15, 0)."""
    return datetime.combine(date(*fields[:3]), time(*fields[3:]))


def la(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LA).astimezone(UTC)


@pytest.fixture
def mentor(db):
    return factories.mentor("Maya Patel")


@pytest.fixture
def published(db, mentor):
    """Tuesdays 3 to 5 PM in 30-minute slots, Oct 20 to Nov 10, 2026: 16 slots."""
    return slot_service.publish_series(
        mentor,
        1,
        time(15),
        time(17),
        30,
        date(2026, 10, 20),
        date(2026, 11, 10),
        "City Hall, room 301",
        "Bring your numbers",
        by=mentor,
        now=OCTOBER,
    )


def slot_at(published, when: datetime) -> Slot:
    [slot] = [slot for slot in published.slots if slot.starts_at == when]
    return slot


@pytest.fixture
def booked(db, published, leakmap, busbuddy):
    """LeakMap booked Oct 27 at 3 PM and BusBuddy Nov 3 at 4 PM; a booking of Nov 10 at 3 PM
    was cancelled, so that slot is free again."""
    first = factories.booking_row(slot_at(published, la(10, 27, 15)), for_venture=leakmap)
    second = factories.booking_row(slot_at(published, la(11, 3, 16)), for_venture=busbuddy)
    factories.booking_row(slot_at(published, la(11, 10, 15)), status="cancelled")
    return first, second


def statuses(series_id: int) -> dict[datetime, str]:
    return {slot.starts_at: slot.status for slot in reloaded_slots(series_id)}


def reloaded_slots(series_id: int) -> list[Slot]:
    db.session.flush()
    db.session.expire_all()
    return list(
        db.session.scalars(select(Slot).where(Slot.series_id == series_id).order_by(Slot.starts_at))
    )


# Withdrawing -------------------------------------------------------------------------------


def test_withdrawing_a_series_withdraws_its_free_future_slots_and_keeps_the_booked(
    db, mentor, published, booked, audit_events
):
    series = published.series

    change = series_service.withdraw_series(series, by=mentor, now=AFTER_FIRST_TUESDAY)

    after = statuses(series.id)
    past = [when for when in after if when < AFTER_FIRST_TUESDAY]
    assert len(past) == 4 and all(after[when] == SlotStatus.OPEN for when in past)
    kept = {la(10, 27, 15), la(11, 3, 16)}
    assert {when for when, status in after.items() if status == SlotStatus.OPEN} == set(past) | kept
    assert len(change.withdrawn) == 10
    assert [slot.starts_at for slot, _ in change.kept] == sorted(kept)
    assert {b.status for b in db.session.scalars(select(Booking))} == {"booked", "cancelled"}
    assert reloaded(series).withdrawn_at == AFTER_FIRST_TUESDAY
    [event] = audit_events("slot_series.withdrawn")
    assert len(event.after["withdrawn_slot_ids"]) == 10
    assert event.after["kept_slot_ids"] == [slot.id for slot, _ in change.kept]
    assert series_service.withdrawn_text(change, LA) == (
        "10 slots withdrawn; kept 2 booked: Tue Oct 27, 3:00 PM with LeakMap, "
        "Tue Nov 3, 4:00 PM with BusBuddy."
    )


def test_a_series_is_withdrawn_once(db, mentor, published):
    series_service.withdraw_series(published.series, by=mentor, now=AFTER_FIRST_TUESDAY)

    with pytest.raises(Conflict, match="already withdrawn on Wed Oct 21"):
        series_service.withdraw_series(published.series, by=mentor, now=AFTER_FIRST_TUESDAY)
    assert count(AuditEvent, AuditEvent.action == "slot_series.withdrawn") == 1


def test_only_the_series_mentor_changes_or_withdraws_it(db, published, omar):
    data = series_service.SeriesInput(1, time(15), time(17), 30, date(2026, 11, 10))

    with pytest.raises(NotAllowed):
        series_service.withdraw_series(published.series, by=omar, now=AFTER_FIRST_TUESDAY)
    with pytest.raises(NotAllowed):
        series_service.update_series(published.series, data, by=omar, now=AFTER_FIRST_TUESDAY)
    assert set(statuses(published.series.id).values()) == {SlotStatus.OPEN}


def test_a_booking_of_a_withdrawn_series_slot_is_refused(db, mentor, published, leakmap, ana):
    slot = slot_at(published, la(11, 3, 15))
    series_service.withdraw_series(published.series, by=mentor, now=AFTER_FIRST_TUESDAY)

    with pytest.raises(SlotTaken, match="withdrew that slot"):
        booking_service.book(slot, leakmap, "Pilot", by=ana, now=AFTER_FIRST_TUESDAY)


# Changing ----------------------------------------------------------------------------------


def change_input(**fields) -> series_service.SeriesInput:
    values = {
        "weekday": 1,
        "start_time": time(15),
        "end_time": time(17),
        "slot_minutes": 30,
        "ends_on": date(2026, 11, 10),
        "location": "City Hall, room 301",
        "note": "Bring your numbers",
        **fields,
    }
    return series_service.SeriesInput(**values)


def test_a_new_place_rewords_the_free_future_slots_only(db, mentor, published, booked):
    change = series_service.update_series(
        published.series,
        change_input(location="https://meet.example.org/maya"),
        by=mentor,
        now=AFTER_FIRST_TUESDAY,
    )

    slots = reloaded_slots(published.series.id)
    places = {slot.starts_at: slot.location for slot in slots}
    assert len(change.reworded) == 10 and change.withdrawn == change.published == []
    for when, place in places.items():
        moved = when > AFTER_FIRST_TUESDAY and when not in (la(10, 27, 15), la(11, 3, 16))
        assert place == ("https://meet.example.org/maya" if moved else "City Hall, room 301")
    assert reloaded(published.series).location == "https://meet.example.org/maya"
    assert series_service.updated_text(change, LA).startswith(
        "Series saved: 10 free slots updated; kept 2 booked: Tue Oct 27, 3:00 PM with LeakMap"
    )


def test_new_times_withdraw_the_free_slots_and_publish_the_new_ones_around_the_booked(
    db, mentor, published, booked, audit_events
):
    # From 3:30 to 5:30 PM in 60-minute slots, one more week: Nov 3's 4 PM session stays,
    # so the new 3:30 slot that day would overlap it and is left out.
    change = series_service.update_series(
        published.series,
        change_input(
            start_time=time(15, 30),
            end_time=time(17, 30),
            slot_minutes=60,
            ends_on=date(2026, 11, 17),
        ),
        by=mentor,
        now=AFTER_FIRST_TUESDAY,
    )

    slots = reloaded_slots(published.series.id)
    live = sorted(
        slot.starts_at.astimezone(LA).replace(tzinfo=None)
        for slot in slots
        if slot.status == SlotStatus.OPEN and slot.starts_at > AFTER_FIRST_TUESDAY
    )
    assert live == [
        wall(2026, 10, 27, 15, 0),  # LeakMap's session, kept
        wall(2026, 10, 27, 15, 30),
        wall(2026, 10, 27, 16, 30),
        wall(2026, 11, 3, 16, 0),  # BusBuddy's session, kept
        wall(2026, 11, 3, 16, 30),
        wall(2026, 11, 10, 15, 30),
        wall(2026, 11, 10, 16, 30),
        wall(2026, 11, 17, 15, 30),
        wall(2026, 11, 17, 16, 30),
    ]
    assert len(change.withdrawn) == 10 and len(change.published) == 7
    assert change.skipped == [wall(2026, 11, 3, 15, 30)]
    series = reloaded(published.series)
    assert (series.start_time, series.slot_minutes, series.ends_on) == (
        time(15, 30),
        60,
        date(2026, 11, 17),
    )
    [event] = audit_events("slot_series.updated")
    assert event.before["start_time"] == "15:00:00" and event.after["start_time"] == "15:30:00"
    assert len(event.after["published_slot_ids"]) == 7
    text = series_service.updated_text(change, LA)
    assert text.startswith("Series saved: 10 slots withdrawn, 7 published at the new times;")
    assert (
        "kept 2 booked: Tue Oct 27, 3:00 PM with LeakMap, Tue Nov 3, 4:00 PM with BusBuddy" in text
    )
    assert "Left out" in text and "3:30 PM on Tue Nov 3, 2026" in text


def test_new_times_that_overlap_another_slot_change_nothing(db, mentor, published):
    other = slot_service.publish_slot(
        mentor, wall(2026, 11, 3, 18, 0), 30, "", "", by=mentor, now=OCTOBER
    )
    db.session.commit()

    with (
        writes_nothing(Slot, SlotSeries, AuditEvent),
        pytest.raises(slot_service.SlotOverlap, match="Nothing was published"),
    ):
        series_service.update_series(
            published.series,
            change_input(end_time=time(18, 30)),
            by=mentor,
            now=AFTER_FIRST_TUESDAY,
        )
    assert reloaded(other).status == SlotStatus.OPEN


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_time": time(14)}, "end after it starts"),
        ({"slot_minutes": 3}, "from 5 to 480 minutes"),
        ({"ends_on": date(2026, 10, 1)}, "cannot end before it starts"),
        ({"start_time": time(16, 50), "slot_minutes": 30}, "does not fit"),
        ({"weekday": 9}, "day of the week"),
    ],
)
def test_bad_changes_are_refused_whole(db, mentor, published, fields, message):
    db.session.commit()

    with writes_nothing(Slot, SlotSeries, AuditEvent), pytest.raises(InvalidInput, match=message):
        series_service.update_series(
            published.series, change_input(**fields), by=mentor, now=AFTER_FIRST_TUESDAY
        )


def test_a_withdrawn_series_cannot_be_changed(db, mentor, published):
    series_service.withdraw_series(published.series, by=mentor, now=AFTER_FIRST_TUESDAY)

    with pytest.raises(Conflict, match="already withdrawn"):
        series_service.update_series(
            published.series, change_input(note="New"), by=mentor, now=AFTER_FIRST_TUESDAY
        )


def test_the_availability_page_lists_series_not_withdrawn_with_what_is_left(
    db, mentor, published, booked
):
    [row] = series_service.series_of(mentor, now=AFTER_FIRST_TUESDAY)
    assert (row.series.id, row.free, row.booked) == (published.series.id, 10, 2)

    series_service.withdraw_series(published.series, by=mentor, now=AFTER_FIRST_TUESDAY)
    assert series_service.series_of(mentor, now=AFTER_FIRST_TUESDAY) == []


# The pages ---------------------------------------------------------------------------------


def page_series(mentor, weeks: int = 3):
    """Tuesdays 10 to 11 AM in 30-minute slots from next week, for `weeks` weeks, published
    at the clock's time (the pages act now)."""
    first = ahead(7).date()
    while first.weekday() != 1:
        first += timedelta(days=1)
    return slot_service.publish_series(
        mentor,
        1,
        time(10),
        time(11),
        30,
        first,
        first + timedelta(weeks=weeks - 1),
        "City Hall, room 301",
        "",
        by=mentor,
    )


def test_mentor_withdraws_a_series_after_confirming_and_is_told_what_was_kept(
    db, client, login_as, leakmap
):
    mentor = login_as("mentor", name="Maya Patel", time_zone="America/Los_Angeles")
    made = page_series(mentor)
    kept = factories.booking_row(made.slots[2], for_venture=leakmap)
    db.session.commit()
    series_id = made.series.id

    availability = page(client.get("/mentoring/availability"))
    assert "Your weekly series" in availability
    assert "From now on: 5 free, 1 booked" in availability
    assert f'href="/mentoring/sessions/{kept.id}">Session with LeakMap' in availability
    confirm = page(client.get(f"/mentoring/series/{series_id}/withdraw"))
    assert "5 free slots from now on will be withdrawn" in confirm
    assert f'href="/mentoring/sessions/{kept.id}"' in confirm

    with writes_nothing(Slot, SlotSeries):
        unticked = client.post(f"/mentoring/series/{series_id}/withdraw", data={})
    assert unticked.status_code == 400
    assert "Tick the box to confirm the withdrawal" in page(unticked)

    response = client.post(f"/mentoring/series/{series_id}/withdraw", data={"confirm": "y"})

    assert location(response) == "/mentoring/availability"
    when = made.slots[2].starts_at.astimezone(LA)
    told = page(client.get("/mentoring/availability"))
    assert f"5 slots withdrawn; kept 1 booked: {when:%a %b %-d, %-I:%M %p} with LeakMap." in told
    assert "Your weekly series" not in told
    assert count(Slot, Slot.series_id == series_id, Slot.status == SlotStatus.OPEN) == 1


def test_mentor_changes_a_series_from_its_page(db, client, login_as):
    mentor = login_as("mentor", time_zone="America/Los_Angeles")
    made = page_series(mentor, weeks=2)
    db.session.commit()
    series = made.series

    form = page(client.get(f"/mentoring/series/{series.id}/edit"))
    assert 'value="10:00"' in form and "Save series" in form

    response = client.post(
        f"/mentoring/series/{series.id}/edit",
        data={
            "weekday": "1",
            "start_time": "14:00",
            "end_time": "15:00",
            "slot_minutes": "60",
            "ends_on": series.ends_on.isoformat(),
            "location": "Central Library",
            "note": "",
        },
    )

    assert location(response) == "/mentoring/availability"
    assert "Series saved: 4 slots withdrawn, 2 published at the new times." in page(
        client.get("/mentoring/availability")
    )
    live = reloaded_slots(series.id)
    assert [
        (s.starts_at.astimezone(LA).time(), s.location) for s in live if s.status == "open"
    ] == [(time(14), "Central Library")] * 2


def test_a_bad_series_change_on_the_page_says_why(db, client, login_as):
    mentor = login_as("mentor")
    made = page_series(mentor)
    db.session.commit()

    response = client.post(
        f"/mentoring/series/{made.series.id}/edit",
        data={
            "weekday": "1",
            "start_time": "14:00",
            "end_time": "13:00",
            "slot_minutes": "30",
            "ends_on": made.series.ends_on.isoformat(),
        },
    )

    assert response.status_code == 400
    assert "The block must end after it starts" in page(response)


def test_another_mentors_series_is_not_found(db, client, login_as):
    login_as("mentor")
    theirs = page_series(factories.mentor("Omar Haddad"))
    db.session.commit()

    for path in ("edit", "withdraw"):
        assert client.get(f"/mentoring/series/{theirs.series.id}/{path}").status_code == 404
        response = client.post(
            f"/mentoring/series/{theirs.series.id}/{path}", data={"confirm": "y"}
        )
        assert response.status_code == 404
    assert count(Slot, Slot.status == SlotStatus.WITHDRAWN) == 0
