"""A mentor's availability: slots published one at a time or as a weekly series, changed or
withdrawn while unbooked, and which of them founders can still book.

Times are entered as wall-clock times in the mentor's zone (services/mentoring/times.py)
and stored in UTC. A mentor's open slots never overlap: checked here, and on PostgreSQL by
an exclusion constraint as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel import numbers
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator import i18n, permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Booking,
    BookingStatus,
    MentorProfile,
    Role,
    Slot,
    SlotSeries,
    SlotStatus,
    User,
    utcnow,
)
from incubator.services import audit, locks
from incubator.services.errors import Conflict, InvalidInput, NotAllowed
from incubator.services.mentoring.times import (
    NonexistentTime,
    clock_text,
    local_text,
    local_wall_time,
    span_text,
    to_utc,
    wall_text,
    weekday_name,
    zone_of,
)
from incubator.services.paging import ListPage

MIN_SLOT_MINUTES = 5


MAX_SLOT_MINUTES = 480


MAX_SERIES_SLOTS = 400


# PostgreSQL's exclusion constraint over a mentor's open slots (migration 0004).
OVERLAP_CONSTRAINT = "ex_slots_mentor_overlap"


T = TypeVar("T")


# "Every ..." of a weekly series, Monday first (translated where shown).
WEEKDAYS_PLURAL = [
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
]


class SlotOverlap(Conflict):
    """A new or moved slot would overlap one of the mentor's open slots."""


class SlotBooked(Conflict):
    """A booked slot stays as it is until its session is cancelled."""


def clean_text(value: str | None, limit: int, what: str) -> str:
    """A text field trimmed, refused when longer than `limit`; `what` names it in the message
    (translated: "The note")."""
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(
            _(
                "%(what)s is limited to %(limit)s characters.",
                what=what,
                limit=numbers.format_decimal(limit, locale=i18n.format_locale()),
            )
        )
    return value


# Free slots and pages of slots ----------------------------------------------------------------


@dataclass
class SlotRow:
    slot: Slot
    booking: Booking | None


def page_of_rows(
    statement: Select, wrap: Callable[..., Any], page: int, per_page: int, *, count: Any = None
) -> ListPage:
    """One page of a query's rows, each row's columns passed to `wrap`: two queries, the
    count and the page. A page past the end is empty.

    The count selects nothing but the count from the same joins and conditions: counting
    the rows of the whole statement as a subquery would work out every selected column of
    every row, such as the next free time of every mentor. (A statement without GROUP BY or
    DISTINCT, whose rows are those of its joins.)

    `count`, a scalar subquery that counts the same rows some cheaper way: selected beside
    each row of the page, so one query (and a second only for a page past the end)."""
    page = max(page, 1)
    if count is not None:
        counted = db.session.execute(
            statement.add_columns(count).limit(per_page).offset((page - 1) * per_page)
        ).all()
        total = counted[0][-1] if counted else db.session.scalar(select(count))
        return ListPage([wrap(*row[:-1]) for row in counted], page, per_page, total or 0)
    assert not statement._group_by_clauses and not statement._distinct
    total = db.session.scalar(
        statement.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    )
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    return ListPage([wrap(*row) for row in rows], page, per_page, total or 0)


def is_free(now: datetime) -> ColumnElement[bool]:
    """An open slot still to start, with no booking that was not cancelled."""
    taken = exists().where(Booking.slot_id == Slot.id, Booking.status != BookingStatus.CANCELLED)
    return and_(Slot.status == SlotStatus.OPEN, Slot.starts_at > now, ~taken)


def bookable_from(now: datetime) -> datetime:
    """The earliest start a founder can still book: now plus the booking notice."""
    return now + timedelta(minutes=current_app.config["BOOKING_MIN_NOTICE_MINUTES"])


def free_slots_page(
    mentor: User, page: int, per_page: int, now: datetime | None = None
) -> ListPage:
    """One page of all a mentor's slots a founder can book, soonest first, however far
    ahead: two queries (the count and the page)."""
    now = now or utcnow()
    statement = (
        select(Slot)
        .where(Slot.mentor_id == mentor.id, is_free(bookable_from(now)))
        .order_by(Slot.starts_at, Slot.id)
    )
    return page_of_rows(statement, lambda slot: slot, page, per_page)


def free_slots(mentor: User, now: datetime, until: datetime) -> list[Slot]:
    """A mentor's slots that can be booked, starting after now and before until."""
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.mentor_id == mentor.id, is_free(now), Slot.starts_at < until)
            .order_by(Slot.starts_at, Slot.id)
        )
    )


def by_local_day(slots: list[Slot], zone: ZoneInfo) -> list[tuple[date, list[Slot]]]:
    """Slots (in time order) grouped by their calendar day in a zone."""
    return [
        (day, list(group))
        for day, group in groupby(slots, key=lambda slot: slot.starts_at.astimezone(zone).date())
    ]


def active_booking(slot: Slot) -> Booking | None:
    """The slot's booking that was not cancelled, if any (there is at most one)."""
    return db.session.scalar(
        select(Booking)
        .options(selectinload(Booking.venture))
        .where(Booking.slot_id == slot.id, Booking.status != BookingStatus.CANCELLED)
    )


def upcoming_slots(mentor: User, page: int, per_page: int, now: datetime | None = None) -> ListPage:
    """A mentor's open slots that have not ended, each with its live booking (or None)."""
    now = now or utcnow()
    statement = (
        select(Slot, Booking)
        .outerjoin(
            Booking, and_(Booking.slot_id == Slot.id, Booking.status != BookingStatus.CANCELLED)
        )
        .options(selectinload(Booking.venture))
        .where(
            Slot.mentor_id == mentor.id,
            Slot.status == SlotStatus.OPEN,
            Slot.ends_at > now,
        )
        .order_by(Slot.starts_at, Slot.id)
    )
    return page_of_rows(statement, SlotRow, page, per_page)


# Publishing, editing and withdrawing slots ---------------------------------------------------


def _check_publisher(mentor: User, by: User) -> None:
    if not permissions.may_manage_availability(by, mentor):
        raise NotAllowed(_("Mentors publish and change their own availability."))
    if not mentor.has_role(Role.MENTOR):
        raise NotAllowed(_("Only mentors publish availability."))


def _check_minutes(minutes: Any, what: str | None = None) -> int:
    """A slot's length in minutes; `what` names the slot in the message (translated: "Each
    slot"), "A slot" by default."""
    what = what or _("A slot")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidInput(_("%(what)s is a whole number of minutes.", what=what))
    if not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES:
        raise InvalidInput(
            _(
                "%(what)s lasts from %(least)d to %(most)d minutes (8 hours).",
                what=what,
                least=MIN_SLOT_MINUTES,
                most=MAX_SLOT_MINUTES,
            )
        )
    return minutes


def _default_location(mentor: User) -> str:
    profile = db.session.get(MentorProfile, mentor.id)
    if profile is None:
        return ""
    return profile.meeting_link or profile.meeting_place or ""


def _clean_location(location: str | None, mentor: User) -> str:
    """The slot's place or link; empty means the one on the mentor's profile."""
    return clean_text(location, 500, _("The place or link")) or _default_location(mentor)


def _open_slots_between(
    mentor_id: int, starts_at: datetime, ends_at: datetime, exclude_id: int | None = None
) -> list[Slot]:
    statement = select(Slot).where(
        Slot.mentor_id == mentor_id,
        Slot.status == SlotStatus.OPEN,
        Slot.starts_at < ends_at,
        Slot.ends_at > starts_at,
    )
    if exclude_id is not None:
        statement = statement.where(Slot.id != exclude_id)
    return list(db.session.scalars(statement.order_by(Slot.starts_at, Slot.id)))


def _first_clash(
    mentor_id: int,
    spans: list[tuple[datetime, datetime]],
    exclude_id: int | None = None,
) -> tuple[tuple[datetime, datetime], Slot] | None:
    """The first of the spans (in time order) that overlaps an open slot, with that slot."""
    if not spans:
        return None
    existing = _open_slots_between(
        mentor_id, min(s for s, _ in spans), max(e for _, e in spans), exclude_id
    )
    for span in sorted(spans):
        for slot in existing:
            if slot.starts_at < span[1] and slot.ends_at > span[0]:
                return span, slot
    return None


def _overlap_message(clash: Slot, zone: ZoneInfo) -> str:
    return _(
        "That overlaps your open slot on %(span)s. Choose another time, or change or withdraw "
        "that slot first.",
        span=span_text(clash.starts_at, clash.ends_at, zone),
    )


def _series_overlap_message(span: tuple[datetime, datetime], clash: Slot, zone: ZoneInfo) -> str:
    return _(
        "Nothing was published: the slot on %(span)s would overlap your open slot on %(open)s. "
        "Change the series, or change or withdraw that slot first.",
        span=span_text(*span, zone),
        open=span_text(clash.starts_at, clash.ends_at, zone),
    )


def _refuse_overlap(
    mentor_id: int,
    spans: list[tuple[datetime, datetime]],
    zone: ZoneInfo,
    exclude_id: int | None = None,
    *,
    series: bool = False,
) -> None:
    found = _first_clash(mentor_id, spans, exclude_id)
    if found is None:
        return
    span, clash = found
    if series:
        raise SlotOverlap(_series_overlap_message(span, clash, zone))
    raise SlotOverlap(_overlap_message(clash, zone))


def _write(
    write: Callable[[], T],
    mentor_id: int,
    spans: list[tuple[datetime, datetime]],
    zone: ZoneInfo,
    exclude_id: int | None = None,
    *,
    series: bool = False,
) -> T:
    """Run write() in a SAVEPOINT, turning PostgreSQL's overlap refusal into our message.

    The Python check has passed by then; a clash here means another transaction published an
    overlapping slot in between, and it is visible now that it has committed.
    """
    try:
        with db.session.begin_nested():
            return write()
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT not in str(error.orig):
            raise
        _refuse_overlap(mentor_id, spans, zone, exclude_id, series=series)
        raise SlotOverlap(
            _(
                "That overlaps another of your open slots, published a moment ago. "
                "Reload the page and choose another time."
            )
        ) from None


def _slot_state(slot: Slot) -> dict[str, Any]:
    return {
        "mentor_id": slot.mentor_id,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "location": slot.location,
        "note": slot.note,
        "status": slot.status,
        "series_id": slot.series_id,
    }


@dataclass
class _SlotFields:
    """What a mentor enters for one slot, checked: its times in UTC, its place and note."""

    starts_at: datetime
    ends_at: datetime
    location: str
    note: str


def _slot_fields(
    mentor: User, starts_at_local: datetime, minutes: int, location: str, note: str, now: datetime
) -> _SlotFields:
    """One slot's fields from the mentor's wall-clock start, refused when it has passed."""
    minutes = _check_minutes(minutes)
    starts_at = to_utc(starts_at_local, zone_of(mentor))
    if starts_at <= now:
        raise InvalidInput(
            _(
                "%(when)s has passed; choose a time in the future.",
                when=wall_text(starts_at_local),
            )
        )
    return _SlotFields(
        starts_at,
        starts_at + timedelta(minutes=minutes),
        _clean_location(location, mentor),
        clean_text(note, 2000, _("The note")),
    )


def publish_slot(
    mentor: User,
    starts_at_local: datetime,
    minutes: int,
    location: str,
    note: str,
    *,
    by: User,
    now: datetime | None = None,
) -> Slot:
    """Publish one slot at a wall-clock time in the mentor's zone."""
    now = now or utcnow()
    _check_publisher(mentor, by)
    zone = zone_of(mentor)
    fields = _slot_fields(mentor, starts_at_local, minutes, location, note, now)
    spans = [(fields.starts_at, fields.ends_at)]
    locks.lock(mentor)  # one mentor's publications queue, so the overlap check holds
    _refuse_overlap(mentor.id, spans, zone)

    def write() -> Slot:
        slot = Slot(mentor_id=mentor.id, status=SlotStatus.OPEN, **vars(fields))
        db.session.add(slot)
        db.session.flush()
        return slot

    slot = _write(write, mentor.id, spans, zone)
    audit.record(by, "slot.published", "slot", slot.id, after=_slot_state(slot))
    return slot


@dataclass
class PublishedSeries:
    series: SlotSeries
    slots: list[Slot]
    # Wall-clock times left out because the clocks skip them (or, just after a skip, because
    # the previous slot's real length runs into them).
    skipped: list[datetime]


def _series_walls(
    weekday: int, start_time: time, slot_minutes: int, per_day: int, starts_on: date, ends_on: date
) -> list[datetime]:
    first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    days = [first + timedelta(weeks=n) for n in range((ends_on - first).days // 7 + 1)]
    step = timedelta(minutes=slot_minutes)
    return [datetime.combine(day, start_time) + step * k for day in days for k in range(per_day)]


def _series_spans(
    walls: list[datetime], zone: ZoneInfo, length: timedelta
) -> tuple[list[tuple[datetime, datetime]], list[datetime]]:
    """Each wall time's slot in UTC; and the wall times skipped: those the clocks skip, and
    those whose slot would overlap the one before (around a clock change)."""
    spans: list[tuple[datetime, datetime]] = []
    skipped: list[datetime] = []
    for wall in walls:
        try:
            starts_at = to_utc(wall, zone)
        except NonexistentTime:
            skipped.append(wall)
            continue
        if spans and starts_at < spans[-1][1]:
            skipped.append(wall)
            continue
        spans.append((starts_at, starts_at + length))
    return spans, skipped


def publish_series(
    mentor: User,
    weekday: int,
    start_time: time,
    end_time: time,
    slot_minutes: int,
    starts_on: date,
    ends_on: date,
    location: str,
    note: str,
    *,
    by: User,
    now: datetime | None = None,
) -> PublishedSeries:
    """Publish a weekly block cut into slots, all or nothing.

    weekday is 0 for Monday to 6 for Sunday. Each slot is placed by its local date and wall
    time, so 15:00 stays 15:00 in the mentor's zone across a clock change (its UTC moves).
    """
    now = now or utcnow()
    _check_publisher(mentor, by)
    zone = zone_of(mentor)
    if isinstance(weekday, bool) or weekday not in range(7):
        raise InvalidInput(_("Choose a day of the week."))
    slot_minutes = _check_minutes(slot_minutes, _("Each slot"))
    if end_time <= start_time:
        raise InvalidInput(_("The block must end after it starts, on the same day."))
    if ends_on < starts_on:
        raise InvalidInput(_("The series cannot end before it starts."))
    window = datetime.combine(starts_on, end_time) - datetime.combine(starts_on, start_time)
    per_day = window // timedelta(minutes=slot_minutes)
    if per_day < 1:
        raise InvalidInput(
            _(
                "A %(minutes)d-minute slot does not fit between %(start)s and %(end)s.",
                minutes=slot_minutes,
                start=clock_text(start_time),
                end=clock_text(end_time),
            )
        )
    walls = _series_walls(weekday, start_time, slot_minutes, per_day, starts_on, ends_on)
    if not walls:
        raise InvalidInput(
            _(
                "There is no %(weekday)s between %(first)s and %(last)s.",
                weekday=weekday_name(weekday),
                first=local_text(starts_on, "%b %-d, %Y"),
                last=local_text(ends_on, "%b %-d, %Y"),
            )
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
    spans, skipped = _series_spans(walls, zone, timedelta(minutes=slot_minutes))
    if not spans:
        raise InvalidInput(_("None of those times exist in your time zone; choose other times."))
    if spans[0][0] <= now:
        first = local_wall_time(spans[0][0], zone)
        raise InvalidInput(
            _(
                "The first slot, %(when)s, has passed; start the series on a later date.",
                when=wall_text(first),
            )
        )
    location = _clean_location(location, mentor)
    note = clean_text(note, 2000, _("The note"))
    locks.lock(mentor)
    _refuse_overlap(mentor.id, spans, zone, series=True)

    def write() -> tuple[SlotSeries, list[Slot]]:
        series = SlotSeries(
            mentor_id=mentor.id,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            slot_minutes=slot_minutes,
            starts_on=starts_on,
            ends_on=ends_on,
            time_zone=zone.key,
            location=location,
            note=note,
        )
        db.session.add(series)
        db.session.flush()
        slots = [
            Slot(
                mentor_id=mentor.id,
                starts_at=starts_at,
                ends_at=ends_at,
                location=location,
                note=note,
                status=SlotStatus.OPEN,
                series_id=series.id,
            )
            for starts_at, ends_at in spans
        ]
        db.session.add_all(slots)
        db.session.flush()
        return series, slots

    series, slots = _write(write, mentor.id, spans, zone, series=True)
    audit.record(
        by,
        "slot_series.published",
        "slot_series",
        series.id,
        after={
            "weekday": weekday,
            "start_time": start_time.isoformat(),
            "end_time": end_time.isoformat(),
            "slot_minutes": slot_minutes,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "time_zone": zone.key,
            "location": location,
            "slots": len(slots),
            "first_slot_id": slots[0].id,
            "last_slot_id": slots[-1].id,
            "skipped": [wall.isoformat() for wall in skipped],
        },
    )
    return PublishedSeries(series, slots, skipped)


def _check_changeable(slot: Slot, by: User) -> None:
    """Only the slot's mentor changes it, and only while it is open and not booked."""
    if not permissions.may_change_slot(by, slot):
        raise NotAllowed(_("Only the slot's mentor can change or withdraw it."))
    if slot.status != SlotStatus.OPEN:
        raise InvalidInput(_("This slot is already withdrawn."))
    booking = active_booking(slot)
    if booking is not None:
        raise SlotBooked(
            _(
                "This slot is booked by %(venture)s, so it cannot be changed or withdrawn. "
                "Cancel the session first (the venture is told why), then change or withdraw "
                "the slot.",
                venture=booking.venture.name,
            )
        )


def update_slot(
    slot: Slot,
    starts_at_local: datetime,
    minutes: int,
    location: str,
    note: str,
    *,
    by: User,
    now: datetime | None = None,
) -> Slot:
    """Move or reword an unbooked open slot of one's own."""
    now = now or utcnow()
    locks.lock(slot)
    _check_changeable(slot, by)
    if slot.starts_at <= now:
        raise InvalidInput(_("This slot has already started; it can no longer be changed."))
    zone = zone_of(by)
    fields = _slot_fields(by, starts_at_local, minutes, location, note, now)
    spans = [(fields.starts_at, fields.ends_at)]
    _refuse_overlap(slot.mentor_id, spans, zone, exclude_id=slot.id)
    before = _slot_state(slot)

    def write() -> None:
        for name, value in vars(fields).items():
            setattr(slot, name, value)
        db.session.flush()

    _write(write, slot.mentor_id, spans, zone, exclude_id=slot.id)
    audit.record(by, "slot.updated", "slot", slot.id, before=before, after=_slot_state(slot))
    return slot


def withdraw_slot(slot: Slot, *, by: User) -> None:
    """Withdraw an unbooked open slot of one's own; it is kept, marked withdrawn."""
    locks.lock(slot)
    _check_changeable(slot, by)
    before = _slot_state(slot)
    slot.status = SlotStatus.WITHDRAWN
    db.session.flush()
    audit.record(by, "slot.withdrawn", "slot", slot.id, before=before, after=_slot_state(slot))
