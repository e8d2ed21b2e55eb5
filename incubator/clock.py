"""The one clock: now, the program's time zone, a viewer's zone, today and weeks.

Nothing else in the app reads the wall clock or builds a time zone: `now()` is the only call
of `datetime.now`, and the zones come from `program_zone()` and `zone_named()`.
`tests/test_clock.py` keeps it that way.

The program lives in its own time zone (config `DEFAULT_TIME_ZONE`, America/Los_Angeles):
"today", "this week" and "days since" are dates on that calendar, never the UTC date or the
machine's. A week runs from Monday 00:00 to the next Monday 00:00 there, so a week with a
clock change is 167 or 169 hours long.

This module imports no models (models import it): a person is anything with a `time_zone`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_request_context
from flask_login import current_user


class HasTimeZone(Protocol):
    time_zone: str


def now() -> datetime:
    """The current moment, timezone-aware in UTC."""
    return datetime.now(UTC)


def program_zone() -> ZoneInfo:
    """The program's time zone (config DEFAULT_TIME_ZONE)."""
    return ZoneInfo(current_app.config["DEFAULT_TIME_ZONE"])


def zone_named(name: str | None, default: ZoneInfo | None = None) -> ZoneInfo:
    """The zone of that name; when there is no such zone, the default or the program's."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return default or program_zone()


def is_zone(name: str) -> bool:
    """Whether this server knows a time zone by that name."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_for(person: HasTimeZone | None) -> ZoneInfo:
    """A person's own time zone, else the program's."""
    return zone_named(getattr(person, "time_zone", None))


def viewer_zone() -> ZoneInfo:
    """The zone of whoever is signed in to this request; the program's otherwise."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return zone_for(current_user)
    return program_zone()


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day a moment falls on in a zone."""
    return moment.astimezone(zone).date()


def program_date(moment: datetime) -> date:
    """The calendar day a moment falls on in the program's zone.

    Due dates and day counts use it: the UTC date is a day ahead every Los Angeles evening.
    """
    return local_date(moment, program_zone())


def today(zone: ZoneInfo | None = None) -> date:
    """Today's date in the program's zone, or in the zone given."""
    return local_date(now(), zone or program_zone())


def at(day: date, wall: time | None = None, zone: ZoneInfo | None = None) -> datetime:
    """The UTC moment of a local date and wall-clock time (midnight by default), in the
    program's zone by default.

    A wall time the clocks skip or repeat is read as zoneinfo reads it (fold=0).
    """
    local = datetime.combine(day, wall or time(), tzinfo=zone or program_zone())
    return local.astimezone(UTC)


def week_start(day: date) -> date:
    """The Monday of the week a day falls in."""
    return day - timedelta(days=day.weekday())


def day_label(day: date, *, weekday: bool = False, as_of: date | None = None) -> str:
    """A calendar day as people read it: "Mar 2" in the current year on the program's
    calendar (that of `as_of`, today by default), "Dec 29, 2025" in any other, so a week of
    another year never passes for this year's; optionally with its weekday: "Mon, Mar 2".
    In the request's language ("lun, 2 de mar" in Spanish; incubator/i18n.py)."""
    from incubator.i18n import format_day

    return format_day(day, weekday=weekday, year=day.year != (as_of or today()).year)


def week_bounds(day: date | None = None) -> tuple[date, date]:
    """The Monday of a day's week (this week by default) and the next Monday, as dates."""
    monday = week_start(day if day is not None else today())
    return monday, monday + timedelta(days=7)


def week_instants(
    day: date | None = None, zone: ZoneInfo | None = None
) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 of a day's week in a zone, as UTC instants.

    The day defaults to today in that zone, the zone to the program's.
    """
    zone = zone or program_zone()
    monday, next_monday = week_bounds(day if day is not None else today(zone))
    return at(monday, zone=zone), at(next_monday, zone=zone)


def day_instants(day: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """Midnight starting a local date to midnight starting the next, as UTC instants."""
    return at(day, zone=zone), at(day + timedelta(days=1), zone=zone)
