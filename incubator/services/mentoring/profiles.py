"""Mentor profiles and availability: what mentors offer, and when they are free.

Times: a mentor enters wall-clock times in their own zone (User.time_zone); slots are stored
in UTC. A wall time the clocks skip (spring forward) is refused for a single slot and left out
of a series; a wall time that happens twice (fall back) means its first occurrence, fold=0,
still daylight time, as RFC 5545 reads such times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import groupby
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator import clock, permissions
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    MentorProfile,
    Role,
    Slot,
    SlotSeries,
    SlotStatus,
    User,
    UserRole,
    utcnow,
)
from incubator.services import audit, locks, versions
from incubator.services.accounts import users
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from incubator.vocabulary import CHALLENGE_AREAS, LANGUAGES

MAX_CAPACITY = 50
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 480
MAX_SERIES_SLOTS = 400
# How far ahead a mentor's page lists free slots.
FREE_SLOT_HORIZON = timedelta(weeks=4)
# PostgreSQL's exclusion constraint over a mentor's open slots (migration 0004).
OVERLAP_CONSTRAINT = "ex_slots_mentor_overlap"
T = TypeVar("T")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class SlotOverlap(Conflict):
    """A new or moved slot would overlap one of the mentor's open slots."""


class SlotBooked(Conflict):
    """A booked slot stays as it is until its session is cancelled."""


class NonexistentTime(InvalidInput):
    """A wall-clock time the clocks skip when they go forward."""


# Local times ---------------------------------------------------------------------------------


def zone_of(user: User) -> ZoneInfo:
    """The zone a person's wall-clock times are in."""
    return clock.zone_for(user)


def _wall(local: datetime) -> str:
    return local.strftime("%-I:%M %p on %a %b %-d, %Y")


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall-clock time in a zone.

    A skipped time does not survive the round trip through UTC (with either fold) and is
    refused; a repeated time means its first occurrence (fold=0).
    """
    if local.tzinfo is not None:
        raise ValueError("to_utc expects a naive wall-clock time")
    survives = [
        local.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        == local
        for fold in (0, 1)
    ]
    if not any(survives):
        raise NonexistentTime(
            f"{_wall(local)} does not exist in {zone.key}: the clocks go forward an hour "
            "then, for daylight saving time. Choose another time."
        )
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def is_repeated(local: datetime, zone: ZoneInfo) -> bool:
    """Whether a wall-clock time happens twice because the clocks go back then."""
    first, second = (local.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
    return first.utcoffset() != second.utcoffset() and first.astimezone(UTC).astimezone(
        zone
    ).replace(tzinfo=None) == local.replace(tzinfo=None)


def repeated_time_note(local: datetime, zone: ZoneInfo) -> str | None:
    """A sentence saying which of a twice-happening time a slot uses, or None."""
    if not is_repeated(local, zone):
        return None
    first = local.replace(tzinfo=zone, fold=0)
    return (
        f"{_wall(local)} happens twice in {zone.key} because the clocks go back that night; "
        f"the slot is at the first one ({first.strftime('%Z')})."
    )


def local_wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """A UTC instant as a naive wall-clock time in a zone."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return f"{start.strftime('%a %b %-d, %Y, %-I:%M %p')} to {end.strftime('%-I:%M %p %Z')}"


def week_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 of now's week, in a zone, as UTC instants.

    Built from local dates, so a week with a clock change is 167 or 169 hours long.
    """
    return clock.week_instants(clock.local_date(now, zone), zone)


# Profiles ------------------------------------------------------------------------------------


@dataclass
class ProfileInput:
    bio: str = ""
    organisation: str = ""
    expertise: list[str] = field(default_factory=list)
    challenge_areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    capacity: int = 3
    meeting_link: str = ""
    meeting_place: str = ""
    accepting: bool = True
    # None keeps the mentor's current time zone.
    time_zone: str | None = None


def get_profile(user: User) -> MentorProfile | None:
    """A person's mentor profile, or None before they save one."""
    return db.session.get(MentorProfile, user.id)


def get_mentor(user_id: int) -> User:
    """An active mentor by id, or NotFound."""
    mentor = db.session.get(User, user_id)
    if mentor is None or not mentor.active or not mentor.has_role(Role.MENTOR):
        raise NotFound("There is no such mentor.")
    return mentor


def _clean_text(value: str | None, limit: int, what: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{what} is limited to {limit:,} characters.")
    return value


def clean_tags(values: list[str]) -> list[str]:
    """Expertise tags trimmed, with inner spaces collapsed and repeats (any case) dropped."""
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        tag = " ".join(str(value).split())
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(
                f"Each area of expertise is at most {MAX_TAG_LENGTH} characters; "
                f"shorten “{tag[:MAX_TAG_LENGTH]}…”."
            )
        seen.add(tag.casefold())
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"List at most {MAX_TAGS} areas of expertise; you gave {len(tags)}.")
    return tags


def _check_choices(values: list[str], allowed: list[str], what: str) -> list[str]:
    chosen = list(dict.fromkeys(values))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise InvalidInput(f"Unknown {what}: {', '.join(unknown)}. Choose from the list.")
    return chosen


def _clean_capacity(capacity: Any) -> int:
    message = f"Capacity is a whole number of ventures from 0 to {MAX_CAPACITY}."
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise InvalidInput(message)
    if not 0 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(message)
    return capacity


def clean_link(link: str | None) -> str | None:
    """A web address starting http:// or https://, or None when empty."""
    link = (link or "").strip()
    if not link:
        return None
    message = "The meeting link must be a web address starting with https:// (or http://)."
    try:
        parts = urlsplit(link)
    except ValueError:
        raise InvalidInput(message) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(message)
    if any(character.isspace() for character in link):
        raise InvalidInput(message)
    if len(link) > 500:
        raise InvalidInput("The meeting link is limited to 500 characters.")
    return link


def _profile_state(profile: MentorProfile, time_zone: str) -> dict[str, Any]:
    return {
        "bio_length": len(profile.bio or ""),
        "organisation": profile.organisation,
        "expertise": list(profile.expertise or []),
        "challenge_areas": list(profile.challenge_areas or []),
        "languages": list(profile.languages or []),
        "capacity": profile.capacity,
        "meeting_link": profile.meeting_link,
        "meeting_place": profile.meeting_place,
        "accepting": profile.accepting,
        "time_zone": time_zone,
    }


# The fields of the profile form (the time zone is the mentor's), compared when a save comes
# from an older version.
PROFILE_FIELDS = (
    "bio",
    "organisation",
    "expertise",
    "challenge_areas",
    "languages",
    "capacity",
    "meeting_link",
    "meeting_place",
    "accepting",
)


def _stale_profile(
    user: User, profile: MentorProfile | None, yours: dict[str, Any], by: User
) -> versions.StaleVersion:
    theirs = {name: getattr(profile, name) for name in PROFILE_FIELDS} if profile else {}
    return versions.refusal(
        "This mentor profile",
        profile.version if profile else 0,
        changed_by=audit.last_actor(audit.about("mentor_profile", user.id, "mentor_profile.")),
        by=by,
        theirs=theirs | {"time_zone": user.time_zone},
        yours=yours,
    )


def save_profile(
    user: User, data: ProfileInput, *, by: User, expected_version: int | None = None
) -> MentorProfile:
    """Create or update a mentor's profile (and their time zone), after checking every field.

    A mentor without a profile is at version 0, so of two forms opened before the first
    save, the second to save is refused too.
    """
    if not permissions.may_edit_profile(by, user):
        raise NotAllowed("Mentors edit their own profile.")
    if not user.has_role(Role.MENTOR):
        raise NotAllowed("Only mentors have a mentor profile.")
    bio = _clean_text(data.bio, 5000, "The bio")
    organisation = _clean_text(data.organisation, 160, "The organisation")
    meeting_place = _clean_text(data.meeting_place, 200, "The meeting place")
    expertise = clean_tags(data.expertise)
    challenge_areas = _check_choices(data.challenge_areas, CHALLENGE_AREAS, "challenge area")
    languages = _check_choices(data.languages, LANGUAGES, "language")
    capacity = _clean_capacity(data.capacity)
    meeting_link = clean_link(data.meeting_link)
    time_zone = data.time_zone if data.time_zone is not None else user.time_zone
    if time_zone != user.time_zone:
        users.check_time_zone(time_zone)

    # MentorProfile has no place in the lock order; the mentor's row stands for it.
    locks.lock(user)
    profile = get_profile(user)
    if profile is not None:
        db.session.refresh(profile)
    yours = {
        "bio": bio,
        "organisation": organisation,
        "expertise": expertise,
        "challenge_areas": challenge_areas,
        "languages": languages,
        "capacity": capacity,
        "meeting_link": meeting_link,
        "meeting_place": meeting_place,
        "accepting": bool(data.accepting),
        "time_zone": time_zone,
    }
    refuse = partial(_stale_profile, user, profile, yours, by)
    versions.check(profile.version if profile else 0, expected_version, refuse)
    before = _profile_state(profile, user.time_zone) if profile is not None else None
    with versions.saving(refuse):
        if profile is None:
            profile = MentorProfile(user_id=user.id)
            db.session.add(profile)
        profile.bio = bio
        profile.organisation = organisation
        profile.expertise = expertise
        profile.challenge_areas = challenge_areas
        profile.languages = languages
        profile.capacity = capacity
        profile.meeting_link = meeting_link
        profile.meeting_place = meeting_place
        profile.accepting = bool(data.accepting)
        if user.time_zone != time_zone:
            # The time zone is on this form: changing only it is a new version of the profile.
            profile.updated_at = utcnow()
        user.time_zone = time_zone
    audit.record(
        by,
        "mentor_profile.saved",
        "mentor_profile",
        user.id,
        before=before,
        after=_profile_state(profile, time_zone),
    )
    return profile


# Browsing mentors ----------------------------------------------------------------------------


@dataclass
class MentorCard:
    mentor: User
    profile: MentorProfile | None
    free_this_week: int


@dataclass
class SlotRow:
    slot: Slot
    booking: Booking | None


class _RowPagination(SelectPagination):
    """A page of several-column rows, each wrapped; SelectPagination keeps the first column."""

    def _query_items(self) -> list[Any]:
        statement = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        wrap = self._query_args["wrap"]
        return [wrap(*row) for row in self._query_args["session"].execute(statement)]


def _paginate(statement, wrap, page: int, per_page: int) -> Pagination:
    return _RowPagination(
        select=statement,
        session=db.session(),
        wrap=wrap,
        page=page,
        per_page=per_page,
        error_out=False,
    )


def _is_free(now: datetime) -> ColumnElement[bool]:
    """An open slot still to start, with no booking that was not cancelled."""
    taken = exists().where(Booking.slot_id == Slot.id, Booking.status != BookingStatus.CANCELLED)
    return and_(Slot.status == SlotStatus.OPEN, Slot.starts_at > now, ~taken)


def _json_list_items(column) -> ColumnElement[str]:
    """The text items of a JSON list column, as a column to select from, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(column).column_valued("item")
    return func.json_each(column).table_valued("value").c.value


def _like_pattern(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def browse_mentors(
    *,
    expertise: str | None = None,
    language: str | None = None,
    available_this_week: bool = False,
    page: int = 1,
    per_page: int = 20,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> Pagination:
    """Active mentors with their profile and free slots this week (in the viewer's zone).

    expertise matches part of any tag, in any case; language must be one the mentor speaks.
    Three queries whatever the number of mentors: the count, the page, the mentors' roles.
    """
    now = now or utcnow()
    zone = zone or clock.program_zone()
    week_start, week_end = week_bounds(now, zone)
    free_this_week = (
        select(func.count(Slot.id))
        .where(
            Slot.mentor_id == User.id,
            _is_free(now),
            Slot.starts_at >= week_start,
            Slot.starts_at < week_end,
        )
        .correlate(User)
        .scalar_subquery()
    )
    statement = (
        select(User, MentorProfile, free_this_week.label("free_this_week"))
        .outerjoin(MentorProfile, MentorProfile.user_id == User.id)
        .where(User.active.is_(True), User.role_rows.any(UserRole.role == Role.MENTOR))
        .order_by(User.name, User.id)
    )
    expertise = " ".join((expertise or "").split())
    if expertise:
        tag = _json_list_items(MentorProfile.expertise)
        statement = statement.where(
            exists(select(1).where(func.lower(tag).like(_like_pattern(expertise), escape="\\")))
        )
    if language:
        spoken = _json_list_items(MentorProfile.languages)
        statement = statement.where(exists(select(1).where(spoken == language)))
    if available_this_week:
        statement = statement.where(free_this_week > 0)
    return _paginate(statement, MentorCard, page, per_page)


def free_slots(mentor: User, now: datetime, until: datetime) -> list[Slot]:
    """A mentor's slots that can be booked, starting after now and before until."""
    return list(
        db.session.scalars(
            select(Slot)
            .where(Slot.mentor_id == mentor.id, _is_free(now), Slot.starts_at < until)
            .order_by(Slot.starts_at, Slot.id)
        )
    )


def by_local_day(slots: list[Slot], zone: ZoneInfo) -> list[tuple[date, list[Slot]]]:
    """Slots (in time order) grouped by their calendar day in a zone."""
    return [
        (day, list(group))
        for day, group in groupby(slots, key=lambda slot: slot.starts_at.astimezone(zone).date())
    ]


# Publishing, editing and withdrawing slots ---------------------------------------------------


def _check_publisher(mentor: User, by: User) -> None:
    if not permissions.may_manage_availability(by, mentor):
        raise NotAllowed("Mentors publish and change their own availability.")
    if not mentor.has_role(Role.MENTOR):
        raise NotAllowed("Only mentors publish availability.")


def _check_minutes(minutes: Any, what: str = "A slot") -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidInput(f"{what} is a whole number of minutes.")
    if not MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES:
        raise InvalidInput(
            f"{what} lasts from {MIN_SLOT_MINUTES} to {MAX_SLOT_MINUTES} minutes (8 hours)."
        )
    return minutes


def _default_location(mentor: User) -> str:
    profile = get_profile(mentor)
    if profile is None:
        return ""
    return profile.meeting_link or profile.meeting_place or ""


def _clean_location(location: str | None, mentor: User) -> str:
    """The slot's place or link; empty means the one on the mentor's profile."""
    return _clean_text(location, 500, "The place or link") or _default_location(mentor)


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
    return (
        f"That overlaps your open slot on {_span(clash.starts_at, clash.ends_at, zone)}. "
        "Choose another time, or change or withdraw that slot first."
    )


def _series_overlap_message(span: tuple[datetime, datetime], clash: Slot, zone: ZoneInfo) -> str:
    return (
        f"Nothing was published: the slot on {_span(*span, zone)} would overlap your open slot "
        f"on {_span(clash.starts_at, clash.ends_at, zone)}. Change the series, or change or "
        "withdraw that slot first."
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
            "That overlaps another of your open slots, published a moment ago. "
            "Reload the page and choose another time."
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
    minutes = _check_minutes(minutes)
    starts_at = to_utc(starts_at_local, zone)
    if starts_at <= now:
        raise InvalidInput(f"{_wall(starts_at_local)} has passed; choose a time in the future.")
    ends_at = starts_at + timedelta(minutes=minutes)
    location = _clean_location(location, mentor)
    note = _clean_text(note, 2000, "The note")
    spans = [(starts_at, ends_at)]
    locks.lock(mentor)  # one mentor's publications queue, so the overlap check holds
    _refuse_overlap(mentor.id, spans, zone)

    def write() -> Slot:
        slot = Slot(
            mentor_id=mentor.id,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            note=note,
            status=SlotStatus.OPEN,
        )
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
        raise InvalidInput("Choose a day of the week.")
    slot_minutes = _check_minutes(slot_minutes, "Each slot")
    if end_time <= start_time:
        raise InvalidInput("The block must end after it starts, on the same day.")
    if ends_on < starts_on:
        raise InvalidInput("The series cannot end before it starts.")
    window = datetime.combine(starts_on, end_time) - datetime.combine(starts_on, start_time)
    per_day = window // timedelta(minutes=slot_minutes)
    if per_day < 1:
        raise InvalidInput(
            f"A {slot_minutes}-minute slot does not fit between "
            f"{start_time.strftime('%-I:%M %p')} and {end_time.strftime('%-I:%M %p')}."
        )
    walls = _series_walls(weekday, start_time, slot_minutes, per_day, starts_on, ends_on)
    if not walls:
        raise InvalidInput(
            f"There is no {WEEKDAYS[weekday]} between {starts_on:%b %-d, %Y} and "
            f"{ends_on:%b %-d, %Y}."
        )
    if len(walls) > MAX_SERIES_SLOTS:
        raise InvalidInput(
            f"That series would make {len(walls)} slots; at most {MAX_SERIES_SLOTS} can be "
            "published at once. Shorten the dates or lengthen the slots."
        )
    spans, skipped = _series_spans(walls, zone, timedelta(minutes=slot_minutes))
    if not spans:
        raise InvalidInput("None of those times exist in your time zone; choose other times.")
    if spans[0][0] <= now:
        first = local_wall_time(spans[0][0], zone)
        raise InvalidInput(
            f"The first slot, {_wall(first)}, has passed; start the series on a later date."
        )
    location = _clean_location(location, mentor)
    note = _clean_text(note, 2000, "The note")
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


def get_slot(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise NotFound("There is no such slot.")
    return slot


def active_booking(slot: Slot) -> Booking | None:
    """The slot's booking that was not cancelled, if any (there is at most one)."""
    return db.session.scalar(
        select(Booking)
        .options(selectinload(Booking.venture))
        .where(Booking.slot_id == slot.id, Booking.status != BookingStatus.CANCELLED)
    )


def _check_changeable(slot: Slot, by: User) -> None:
    """Only the slot's mentor changes it, and only while it is open and not booked."""
    if not permissions.may_change_slot(by, slot):
        raise NotAllowed("Only the slot's mentor can change or withdraw it.")
    if slot.status != SlotStatus.OPEN:
        raise InvalidInput("This slot is already withdrawn.")
    booking = active_booking(slot)
    if booking is not None:
        raise SlotBooked(
            f"This slot is booked by {booking.venture.name}, so it cannot be changed or "
            "withdrawn. Cancel the session first (the venture is told why), then change "
            "or withdraw the slot."
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
        raise InvalidInput("This slot has already started; it can no longer be changed.")
    zone = zone_of(by)
    minutes = _check_minutes(minutes)
    starts_at = to_utc(starts_at_local, zone)
    if starts_at <= now:
        raise InvalidInput(f"{_wall(starts_at_local)} has passed; choose a time in the future.")
    ends_at = starts_at + timedelta(minutes=minutes)
    location = _clean_location(location, by)
    note = _clean_text(note, 2000, "The note")
    spans = [(starts_at, ends_at)]
    _refuse_overlap(slot.mentor_id, spans, zone, exclude_id=slot.id)
    before = _slot_state(slot)

    def write() -> None:
        slot.starts_at = starts_at
        slot.ends_at = ends_at
        slot.location = location
        slot.note = note
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


def upcoming_slots(
    mentor: User, page: int, per_page: int, now: datetime | None = None
) -> Pagination:
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
    return _paginate(statement, SlotRow, page, per_page)
