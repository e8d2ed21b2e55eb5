"""A mentor's weekly series as a whole: changed (times, length, last date, place) or
withdrawn in one step.

Only the series' free future slots change. Its booked slots stay exactly as they are (the
sessions on them go ahead) and are named in what the mentor is told; its past slots are
history. A change of times withdraws the free future slots and publishes the new ones, so
nothing a founder might be booking at that moment is moved under them.

Locks (services/locks.py): the mentor, the series, then the series' future open slots by
ascending id. Booking a slot locks the founder and that slot, so a booking and a withdrawal
of the same slot queue on the slot's row: whichever comes second sees what the first did
(the booking is refused as withdrawn, or the slot is kept as booked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from incubator import clock, permissions
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    Slot,
    SlotSeries,
    SlotStatus,
    User,
    utcnow,
)
from incubator.services import audit, locks
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from incubator.services.mentoring.slots import (
    MAX_SERIES_SLOTS,
    WEEKDAYS_PLURAL,
    _check_minutes,
    _clean_location,
    _refuse_overlap,
    _series_spans,
    _series_walls,
    _write,
    clean_text,
)
from incubator.services.mentoring.times import (
    clock_text,
    local_text,
    local_wall_time,
    wall_text,
    zone_of,
)


@dataclass
class SeriesRow:
    """A series on its mentor's availability page, with its future slots counted."""

    series: SlotSeries
    free: int
    booked: int


@dataclass
class SeriesSlots:
    """A series' future open slots, read under lock: free ones, and booked ones with their
    sessions."""

    free: list[Slot]
    booked: list[tuple[Slot, Booking]]


@dataclass
class SeriesChange:
    """What a change or withdrawal of a series did."""

    series: SlotSeries
    withdrawn: list[Slot] = field(default_factory=list)
    published: list[Slot] = field(default_factory=list)
    reworded: list[Slot] = field(default_factory=list)
    kept: list[tuple[Slot, Booking]] = field(default_factory=list)
    # New wall-clock times left out: the clocks skip them, or a kept session is there.
    skipped: list[datetime] = field(default_factory=list)


def get_series(series_id: int) -> SlotSeries:
    """A series by id, or NotFound."""
    series = db.session.get(SlotSeries, series_id)
    if series is None:
        raise NotFound(_("There is no such series."))
    return series


def describe(series: SlotSeries) -> str:
    """Tuesdays 3:00 PM to 5:00 PM, 30-minute slots, Dec 1, 2026 to Feb 23, 2027."""
    return _(
        "%(weekdays)s %(start)s to %(end)s, %(minutes)d-minute slots, %(first)s to %(last)s",
        weekdays=_(WEEKDAYS_PLURAL[series.weekday]),
        start=clock_text(series.start_time),
        end=clock_text(series.end_time),
        minutes=series.slot_minutes,
        first=local_text(series.starts_on, "%b %-d, %Y"),
        last=local_text(series.ends_on, "%b %-d, %Y"),
    )


def _live_booking_of_slot():
    return and_(Booking.slot_id == Slot.id, Booking.status != BookingStatus.CANCELLED)


def series_of(mentor: User, now: datetime | None = None) -> list[SeriesRow]:
    """A mentor's series not withdrawn that still have future open slots, soonest-starting
    first, with how many of those are free and booked: one query."""
    now = now or utcnow()
    booked = func.count(Booking.id)
    statement = (
        select(SlotSeries, func.count(Slot.id) - booked, booked)
        .join(Slot, Slot.series_id == SlotSeries.id)
        .outerjoin(Booking, _live_booking_of_slot())
        .where(
            SlotSeries.mentor_id == mentor.id,
            SlotSeries.withdrawn_at.is_(None),
            Slot.status == SlotStatus.OPEN,
            Slot.starts_at > now,
        )
        .group_by(SlotSeries.id)
        .order_by(SlotSeries.starts_on, SlotSeries.id)
    )
    return [SeriesRow(series, free, taken) for series, free, taken in db.session.execute(statement)]


def _future_slots(series: SlotSeries, now: datetime, *, lock: bool) -> SeriesSlots:
    """The series' open slots still to start; under lock when `lock` (after the series)."""
    ids = list(
        db.session.scalars(
            select(Slot.id).where(
                Slot.series_id == series.id,
                Slot.status == SlotStatus.OPEN,
                Slot.starts_at > now,
            )
        )
    )
    if lock:
        locks.lock_ids(Slot, ids)
    slots = list(
        db.session.scalars(
            select(Slot)
            .where(Slot.id.in_(ids), Slot.status == SlotStatus.OPEN)
            .order_by(Slot.starts_at, Slot.id)
            .execution_options(populate_existing=True)
        )
    )
    bookings = {
        booking.slot_id: booking
        for booking in db.session.scalars(
            select(Booking)
            .options(selectinload(Booking.venture))
            .where(Booking.slot_id.in_(ids), Booking.status != BookingStatus.CANCELLED)
            .execution_options(populate_existing=True)
        )
    }
    return SeriesSlots(
        [slot for slot in slots if slot.id not in bookings],
        [(slot, bookings[slot.id]) for slot in slots if slot.id in bookings],
    )


def upcoming(series: SlotSeries, now: datetime | None = None) -> SeriesSlots:
    """What withdrawing the series would withdraw and keep, for the confirmation page."""
    return _future_slots(series, now or utcnow(), lock=False)


def _check_owner(series: SlotSeries, by: User) -> None:
    if not permissions.may_change_series(by, series):
        raise NotAllowed(_("Only the series' mentor can change or withdraw it."))


def _check_not_withdrawn(series: SlotSeries, by: User) -> None:
    if series.withdrawn_at is not None:
        when = series.withdrawn_at.astimezone(clock.zone_for(by))
        raise Conflict(
            _(
                "This series was already withdrawn on %(when)s.",
                when=local_text(when, "%a %b %-d, %-I:%M %p"),
            )
        )


def _withdraw_free(slots: list[Slot]) -> None:
    for slot in slots:
        slot.status = SlotStatus.WITHDRAWN
    db.session.flush()


def _ids(slots: list[Slot]) -> list[int]:
    return [slot.id for slot in slots]


def withdraw_series(series: SlotSeries, *, by: User, now: datetime | None = None) -> SeriesChange:
    """Withdraw a series' free future slots and close the series; its booked slots stay."""
    now = now or utcnow()
    _check_owner(series, by)
    locks.lock(series)
    _check_not_withdrawn(series, by)
    found = _future_slots(series, now, lock=True)
    _withdraw_free(found.free)
    series.withdrawn_at = now
    db.session.flush()
    audit.record(
        by,
        "slot_series.withdrawn",
        "slot_series",
        series.id,
        after={
            "withdrawn_slot_ids": _ids(found.free),
            "kept_slot_ids": _ids([slot for slot, _ in found.booked]),
        },
    )
    return SeriesChange(series, withdrawn=found.free, kept=found.booked)


@dataclass
class SeriesInput:
    """What the series form changes: the weekly times, the slots' length, the last date,
    the place and the note."""

    weekday: int
    start_time: time
    end_time: time
    slot_minutes: int
    ends_on: date
    location: str = ""
    note: str = ""


def _series_state(series: SlotSeries) -> dict[str, Any]:
    return {
        "weekday": series.weekday,
        "start_time": series.start_time.isoformat(),
        "end_time": series.end_time.isoformat(),
        "slot_minutes": series.slot_minutes,
        "starts_on": series.starts_on.isoformat(),
        "ends_on": series.ends_on.isoformat(),
        "location": series.location,
        "note": series.note,
    }


def _check_input(series: SlotSeries, data: SeriesInput) -> int:
    """The checked input's slots per day."""
    if isinstance(data.weekday, bool) or data.weekday not in range(7):
        raise InvalidInput(_("Choose a day of the week."))
    minutes = _check_minutes(data.slot_minutes, _("Each slot"))
    if data.end_time <= data.start_time:
        raise InvalidInput(_("The block must end after it starts, on the same day."))
    if data.ends_on < series.starts_on:
        raise InvalidInput(
            _(
                "The series cannot end before it starts (%(first)s).",
                first=local_text(series.starts_on, "%b %-d, %Y"),
            )
        )
    window = datetime.combine(data.ends_on, data.end_time) - datetime.combine(
        data.ends_on, data.start_time
    )
    per_day = window // timedelta(minutes=minutes)
    if per_day < 1:
        raise InvalidInput(
            _(
                "A %(minutes)d-minute slot does not fit between %(start)s and %(end)s.",
                minutes=minutes,
                start=clock_text(data.start_time),
                end=clock_text(data.end_time),
            )
        )
    return per_day


def _same_times(series: SlotSeries, data: SeriesInput) -> bool:
    return (
        series.weekday,
        series.start_time,
        series.end_time,
        series.slot_minutes,
        series.ends_on,
    ) == (data.weekday, data.start_time, data.end_time, data.slot_minutes, data.ends_on)


def _new_spans(
    series: SlotSeries,
    data: SeriesInput,
    per_day: int,
    kept: list[tuple[Slot, Booking]],
    zone: ZoneInfo,
    now: datetime,
) -> tuple[list[tuple[datetime, datetime]], list[datetime]]:
    """The new times still to come, in UTC, and the wall times left out: those the clocks
    skip and those a kept session overlaps."""
    first_day = max(series.starts_on, clock.local_date(now, zone))
    walls = _series_walls(
        data.weekday, data.start_time, data.slot_minutes, per_day, first_day, data.ends_on
    )
    if len(walls) > MAX_SERIES_SLOTS:
        raise InvalidInput(
            _(
                "That series would make %(count)d slots; at most %(most)d can be published at "
                "once. Shorten the dates or lengthen the slots.",
                count=len(walls),
                most=MAX_SERIES_SLOTS,
            )
        )
    spans, skipped = _series_spans(walls, zone, timedelta(minutes=data.slot_minutes))
    future, left_out = [], list(skipped)
    for span in spans:
        if span[0] <= now:
            continue
        if any(slot.starts_at < span[1] and slot.ends_at > span[0] for slot, _ in kept):
            left_out.append(local_wall_time(span[0], zone))
            continue
        future.append(span)
    return future, sorted(left_out)


def _publish(
    series: SlotSeries, spans: list[tuple[datetime, datetime]], zone: ZoneInfo
) -> list[Slot]:
    """Insert the series' new slots, refused whole when one overlaps another open slot."""
    _refuse_overlap(series.mentor_id, spans, zone, series=True)

    def write() -> list[Slot]:
        slots = [
            Slot(
                mentor_id=series.mentor_id,
                starts_at=starts_at,
                ends_at=ends_at,
                location=series.location,
                note=series.note,
                status=SlotStatus.OPEN,
                series_id=series.id,
            )
            for starts_at, ends_at in spans
        ]
        db.session.add_all(slots)
        db.session.flush()
        return slots

    return _write(write, series.mentor_id, spans, zone, series=True)


def update_series(
    series: SlotSeries, data: SeriesInput, *, by: User, now: datetime | None = None
) -> SeriesChange:
    """Change a series from now on, all or nothing. A new place or note rewords its free
    future slots; new times withdraw them and publish the new ones. Booked slots stay."""
    now = now or utcnow()
    _check_owner(series, by)
    per_day = _check_input(series, data)
    location = _clean_location(data.location, by)
    note = clean_text(data.note, 2000, _("The note"))
    zone = zone_of(by)
    # The mentor first: one mentor's publications queue, so the overlap check holds.
    locks.lock(by, series)
    _check_not_withdrawn(series, by)
    found = _future_slots(series, now, lock=True)
    before = _series_state(series)
    change = SeriesChange(series, kept=found.booked)
    series.location, series.note = location, note
    if _same_times(series, data):
        for slot in found.free:
            slot.location, slot.note = location, note
        change.reworded = found.free
        db.session.flush()
    else:
        spans, change.skipped = _new_spans(series, data, per_day, found.booked, zone, now)
        _withdraw_free(found.free)
        change.withdrawn = found.free
        series.weekday, series.start_time, series.end_time = (
            data.weekday,
            data.start_time,
            data.end_time,
        )
        series.slot_minutes, series.ends_on = data.slot_minutes, data.ends_on
        db.session.flush()
        change.published = _publish(series, spans, zone)
    audit.record(
        by,
        "slot_series.updated",
        "slot_series",
        series.id,
        before=before,
        after={
            **_series_state(series),
            "withdrawn_slot_ids": _ids(change.withdrawn),
            "published_slot_ids": _ids(change.published),
            "kept_slot_ids": _ids([slot for slot, _ in change.kept]),
            "skipped": [wall.isoformat() for wall in change.skipped],
        },
    )
    return change


# What the mentor is told ---------------------------------------------------------------------


def _kept_text(kept: list[tuple[Slot, Booking]], zone: ZoneInfo) -> str:
    """What a change kept as it is, to follow what it did: "; kept 2 booked: …"."""
    if not kept:
        return ""
    named = ", ".join(
        _(
            "%(when)s with %(venture)s",
            when=local_text(slot.starts_at.astimezone(zone), "%a %b %-d, %-I:%M %p"),
            venture=booking.venture.name,
        )
        for slot, booking in kept
    )
    return ngettext(
        "; kept %(num)d booked: %(sessions)s",
        "; kept %(num)d booked: %(sessions)s",
        len(kept),
        sessions=named,
    )


def withdrawn_text(change: SeriesChange, zone: ZoneInfo) -> str:
    """3 slots withdrawn; kept 2 booked: Tue Dec 8, 10:00 AM with LeakMap, …"""
    withdrawn = ngettext("%(num)d slot withdrawn", "%(num)d slots withdrawn", len(change.withdrawn))
    return f"{withdrawn}{_kept_text(change.kept, zone)}."


def updated_text(change: SeriesChange, zone: ZoneInfo) -> str:
    """Series saved: 4 slots withdrawn, 6 published at the new times; kept 1 booked: …"""
    if change.withdrawn or change.published:
        done = ngettext(
            "%(num)d slot withdrawn, %(published)d published at the new times",
            "%(num)d slots withdrawn, %(published)d published at the new times",
            len(change.withdrawn),
            published=len(change.published),
        )
    else:
        done = ngettext(
            "%(num)d free slot updated", "%(num)d free slots updated", len(change.reworded)
        )
    saved = _("Series saved: %(done)s%(kept)s.", done=done, kept=_kept_text(change.kept, zone))
    if not change.skipped:
        return saved
    left_out = _(
        "Left out (a kept session or a clock change is there): %(times)s.",
        times=", ".join(wall_text(wall) for wall in change.skipped),
    )
    return f"{saved} {left_out}"
