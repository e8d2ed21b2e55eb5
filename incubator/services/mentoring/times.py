"""Wall-clock times in a person's zone, for mentors' slots.

A mentor enters wall-clock times in their own zone (User.time_zone); slots are stored in
UTC. A wall time the clocks skip (spring forward) is refused for a single slot and left out
of a series; a wall time that happens twice (fall back) means its first occurrence, fold=0,
still daylight time, as RFC 5545 reads such times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from incubator import clock
from incubator.models import User
from incubator.services.errors import InvalidInput


class NonexistentTime(InvalidInput):
    """A wall-clock time the clocks skip when they go forward."""


def zone_of(user: User) -> ZoneInfo:
    """The zone a person's wall-clock times are in."""
    return clock.zone_for(user)


def wall_text(local: datetime) -> str:
    """A wall-clock time as people read it in messages: 3:00 PM on Tue Mar 4, 2031."""
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
            f"{wall_text(local)} does not exist in {zone.key}: the clocks go forward an hour "
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
        f"{wall_text(local)} happens twice in {zone.key} because the clocks go back that night; "
        f"the slot is at the first one ({first.strftime('%Z')})."
    )


def local_wall_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """A UTC instant as a naive wall-clock time in a zone."""
    return moment.astimezone(zone).replace(tzinfo=None)


def span_text(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    """A slot's start and end in a zone, for messages about overlaps."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return f"{start.strftime('%a %b %-d, %Y, %-I:%M %p')} to {end.strftime('%-I:%M %p %Z')}"


def week_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 of now's week, in a zone, as UTC instants.

    Built from local dates, so a week with a clock change is 167 or 169 hours long.
    """
    return clock.week_instants(clock.local_date(now, zone), zone)


def moment_text(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """A moment as people read it in a list, in a zone: Tue Dec 8, 10:00 AM PST, with the
    year when it is not this year's there."""
    local = moment.astimezone(zone)
    year = "" if local.year == now.astimezone(zone).year else f" {local.year},"
    return f"{local:%a %b %-d},{year} {local:%-I:%M %p %Z}"
