"""Wall-clock times in a person's zone, for mentors' slots.

A mentor enters wall-clock times in their own zone (User.time_zone); slots are stored in
UTC. A wall time the clocks skip (spring forward) is refused for a single slot and left out
of a series; a wall time that happens twice (fall back) means its first occurrence, fold=0,
still daylight time, as RFC 5545 reads such times.

Times and days read in the page's language (local_text): English keeps the program's own
strftime wording ("Tue Mar 4, 2031, 3:00 PM PST") exactly, other languages Babel's words and
order for the same fields ("mar, 4 de mar de 2031, 3:00 p.m. PST").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from incubator import clock, i18n
from incubator.models import User
from incubator.services.errors import InvalidInput


class NonexistentTime(InvalidInput):
    """A wall-clock time the clocks skip when they go forward."""


def zone_of(user: User) -> ZoneInfo:
    """The zone a person's wall-clock times are in."""
    return clock.zone_for(user)


# A time or a day in the page's language, as the whole site writes them (i18n.format_strftime).
local_text = i18n.format_strftime


# A Monday, to name the days of the week by.
MONDAY = date(2024, 1, 1)


def clock_text(wall: time) -> str:
    """A time of day in the page's language: "3:00 PM", "3:00 p.m."."""
    return local_text(datetime.combine(MONDAY, wall), "%-I:%M %p")


def weekday_name(weekday: int) -> str:
    """A day of the week by number (Monday is 0), in the page's language."""
    return local_text(MONDAY + timedelta(days=weekday), "%A")


def viewer_text(value: datetime | date | None, fmt: str = "%b %-d, %Y %-I:%M %p %Z") -> str:
    """An instant in the viewer's zone (a day as it is), in the page's language: the
    `localtime` filter's words, translated."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(clock.viewer_zone())
    return local_text(value, fmt)


def wall_text(local: datetime) -> str:
    """A wall-clock time as people read it in messages: 3:00 PM on Tue Mar 4, 2031."""
    return _(
        "%(time)s on %(day)s",
        time=local_text(local, "%-I:%M %p"),
        day=local_text(local, "%a %b %-d, %Y"),
    )


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
            _(
                "%(when)s does not exist in %(zone)s: the clocks go forward an hour then, "
                "for daylight saving time. Choose another time.",
                when=wall_text(local),
                zone=zone.key,
            )
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
    return _(
        "%(when)s happens twice in %(zone)s because the clocks go back that night; "
        "the slot is at the first one (%(abbreviation)s).",
        when=wall_text(local),
        zone=zone.key,
        abbreviation=first.strftime("%Z"),
    )


def local_wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """A UTC instant as a naive wall-clock time in a zone."""
    return moment.astimezone(zone).replace(tzinfo=None)


def span_text(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """A slot's start and end in a zone, for messages about overlaps."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return _(
        "%(start)s to %(end)s",
        start=local_text(start, "%a %b %-d, %Y, %-I:%M %p"),
        end=local_text(end, "%-I:%M %p %Z"),
    )


def week_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 of now's week, in a zone, as UTC instants.

    Built from local dates, so a week with a clock change is 167 or 169 hours long.
    """
    return clock.week_instants(clock.local_date(now, zone), zone)


def moment_text(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """A moment as people read it in a list, in a zone: Tue Dec 8, 10:00 AM PST, with the
    year when it is not this year's there."""
    local = moment.astimezone(zone)
    same_year = local.year == now.astimezone(zone).year
    return local_text(
        local, "%a %b %-d, %-I:%M %p %Z" if same_year else "%a %b %-d, %Y, %-I:%M %p %Z"
    )
