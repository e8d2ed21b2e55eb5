"""Mentor office-hours ("mentor madness") days: a schedule of short meetings, made bookings.

This module is the database side of a day: it checks and stores a day's settings, loads
what the plan must keep clear of (mentors' open slots, founders' sessions), asks the pure
planner (services/mentoring/planner.py) for the meetings, shows the plan as a grid,
publishes it as ordinary slots and bookings. The rankings people make afterwards are in
services/mentoring/rankings.py.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator import clock
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Booking,
    BookingStatus,
    Cohort,
    OfficeHoursDay,
    Role,
    Slot,
    SlotStatus,
    User,
    UserRole,
    Venture,
    VentureMember,
    VentureStatus,
    utcnow,
)
from incubator.services import audit, locks, mail
from incubator.services.errors import Conflict, InvalidInput
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import times
from incubator.services.mentoring.planner import (
    Availability,
    Meeting,
    TimeRange,
    day_rounds,
    generate,
    limits,
    overlaps_any,
)
from incubator.services.mentoring.session_text import OFFICE_HOURS_AGENDA, OFFICE_HOURS_NOTE

MIN_MEETING_MINUTES = 5
MAX_MEETING_MINUTES = 120
MAX_PERIODS = 12  # windows or breaks per mentor
AGENDA = OFFICE_HOURS_AGENDA
DRAFT = "draft"
PUBLISHED = "published"
MAX_CLASHES_SHOWN = 5
DASH = "\N{EN DASH}"
# What _check_periods says about a mentor's windows or breaks, by kind and fault (each
# translated where raised).
PERIOD_REFUSALS = {
    ("window", "many"): N_("%(name)s has more than %(most)d windows; merge some."),
    ("break", "many"): N_("%(name)s has more than %(most)d breaks; merge some."),
    ("window", "half"): N_("%(name)s's window needs a start and an end time."),
    ("break", "half"): N_("%(name)s's break needs a start and an end time."),
    ("window", "backwards"): N_(
        "%(name)s's window %(span)s ends before it starts; times are within the day."
    ),
    ("break", "backwards"): N_(
        "%(name)s's break %(span)s ends before it starts; times are within the day."
    ),
    ("window", "overlap"): N_("%(name)s's windows overlap at %(span)s; merge them into one."),
    ("break", "overlap"): N_("%(name)s's breaks overlap at %(span)s; merge them into one."),
}
# What a time kept clear of the plan was, as stored with the day (translated where shown).
KEPT_CLEAR_WHAT = (N_("an open slot"), N_("a booked session"))


# Days: settings, validation, plan ------------------------------------------------------------


class MentorHours(NamedTuple):
    """A mentor taking part, with their windows and breaks as local wall-clock times."""

    mentor: User
    windows: Sequence[tuple[time, time]]
    breaks: Sequence[tuple[time, time]] = ()


def _zone(name: str) -> ZoneInfo:
    if not clock.is_zone(name):
        raise InvalidInput(_("%(zone)r is not a time zone this server knows.", zone=name))
    return clock.zone_named(name)


def _wall(value: time) -> str:
    return value.strftime("%H:%M")


def _span_text(start: time, end: time) -> str:
    return f"{_wall(start)}{DASH}{_wall(end)}"


def _check_periods(
    periods: Sequence[tuple[time, time]], what: str, who: str, *, disjoint: bool
) -> list[tuple[time, time]]:
    """`what` is "window" or "break" (PERIOD_REFUSALS); `who` names the mentor."""
    if len(periods) > MAX_PERIODS:
        raise InvalidInput(_(PERIOD_REFUSALS[what, "many"], name=who, most=MAX_PERIODS))
    cleaned = []
    for start, end in periods:
        if not isinstance(start, time) or not isinstance(end, time):
            raise InvalidInput(_(PERIOD_REFUSALS[what, "half"], name=who))
        if not start < end:
            raise InvalidInput(
                _(PERIOD_REFUSALS[what, "backwards"], name=who, span=_span_text(start, end))
            )
        cleaned.append(
            (start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0))
        )
    cleaned.sort()
    if disjoint:
        for (_start, end), (start, following_end) in itertools.pairwise(cleaned):
            if start < end:
                raise InvalidInput(
                    _(
                        PERIOD_REFUSALS[what, "overlap"],
                        name=who,
                        span=_span_text(start, min(end, following_end)),
                    )
                )
    return cleaned


def _settings_mentor(hours: MentorHours) -> dict[str, Any]:
    name = hours.mentor.name
    windows = _check_periods(hours.windows, "window", name, disjoint=True)
    if not windows:
        raise InvalidInput(_("Give %(name)s at least one window, such as 09:00-12:00.", name=name))
    breaks = _check_periods(hours.breaks, "break", name, disjoint=False)
    return {
        "id": hours.mentor.id,
        "windows": [[_wall(s), _wall(e)] for s, e in windows],
        "breaks": [[_wall(s), _wall(e)] for s, e in breaks],
    }


def _time(text: str) -> time:
    return time.fromisoformat(text)


def _at(day: date, wall: str, zone: ZoneInfo) -> datetime:
    """A stored wall-clock time of the day as a UTC instant (refused if the clocks skip it)."""
    return times.to_utc(datetime.combine(day, _time(wall)), zone)


def _availability(day: OfficeHoursDay, entry: dict[str, Any]) -> Availability:
    zone = _zone(day.time_zone)

    def spans(pairs: list[list[str]]) -> tuple[TimeRange, ...]:
        return tuple((_at(day.day, s, zone), _at(day.day, e, zone)) for s, e in pairs)

    return Availability(spans(entry["windows"]), spans(entry["breaks"]))


def _first_members(venture_ids: Sequence[int]) -> dict[int, int]:
    """Each venture's first team member: the founder its bookings are made for."""
    first: dict[int, int] = {}
    for venture_id, user_id in db.session.execute(
        select(VentureMember.venture_id, VentureMember.user_id)
        .where(VentureMember.venture_id.in_(list(venture_ids)))
        .order_by(VentureMember.id)
    ):
        first.setdefault(venture_id, user_id)
    return first


def _check_people(mentors: list[User], ventures: list[Venture]) -> None:
    """Nobody may be in two places at once: not on two teams, nor mentor and founder."""
    mentor_ids = {m.id for m in mentors}
    teams: dict[int, list[Venture]] = defaultdict(list)
    for venture in ventures:
        for member in venture.members:
            teams[member.user_id].append(venture)
            if member.user_id in mentor_ids:
                raise InvalidInput(
                    _(
                        "%(name)s is mentoring and on the team of %(venture)s; a person cannot "
                        "be in two meetings at once. Leave one of them out.",
                        name=member.user.name,
                        venture=venture.name,
                    )
                )
    for user_id, shared in teams.items():
        if len(shared) > 1:
            person = db.session.get_one(User, user_id)
            raise InvalidInput(
                _(
                    "%(name)s is on the teams of both %(first)s and %(second)s; a person cannot "
                    "be in two meetings at once. Leave one of the ventures out.",
                    name=person.name,
                    first=shared[0].name,
                    second=shared[1].name,
                )
            )


def _checked_hours(mentors: Sequence[MentorHours | tuple]) -> list[MentorHours]:
    """The mentors' hours, each an active mentor listed once."""
    hours = [MentorHours(*entry) for entry in mentors]
    if not hours:
        raise InvalidInput(_("Choose at least one mentor."))
    seen: set[int] = set()
    for entry in hours:
        mentor = entry.mentor
        if mentor.id in seen:
            raise InvalidInput(_("%(name)s is listed twice.", name=mentor.name))
        seen.add(mentor.id)
        if not mentor.has_role(Role.MENTOR):
            raise InvalidInput(_("%(name)s is not a mentor.", name=mentor.name))
        if not mentor.active:
            raise InvalidInput(_("%(name)s's account is deactivated.", name=mentor.name))
    return hours


def _checked_ventures(cohort: Cohort, venture_ids: Sequence[int]) -> list[Venture]:
    """The ventures, each once and in the order given: active ventures of the cohort with a
    founder, their members loaded."""
    venture_ids = list(dict.fromkeys(venture_ids))
    if not venture_ids:
        raise InvalidInput(_("Choose at least one venture."))
    found = {
        v.id: v
        for v in db.session.scalars(
            select(Venture)
            .options(selectinload(Venture.members).selectinload(VentureMember.user))
            .where(Venture.id.in_(venture_ids))
        )
    }
    for venture_id in venture_ids:
        venture = found.get(venture_id)
        if venture is None or venture.cohort_id != cohort.id:
            raise InvalidInput(
                _(
                    "Venture %(id)d is not in %(cohort)s.",
                    id=venture_id,
                    cohort=cohort.name,
                )
            )
        if venture.status != VentureStatus.ACTIVE:
            raise InvalidInput(_("%(venture)s is archived.", venture=venture.name))
        if not venture.members:
            raise InvalidInput(
                _(
                    "%(venture)s has no founders yet; add one so its meetings have someone to "
                    "book them for.",
                    venture=venture.name,
                )
            )
    return [found[v] for v in venture_ids]


def _check_every_mentor_meets(day: OfficeHoursDay, hours: list[MentorHours]) -> None:
    """Every mentor must be able to take at least one meeting, or they were chosen for
    nothing."""
    availability = {e["id"]: _availability(day, e) for e in day.settings["mentors"]}
    rounds = day_rounds(availability, day.meeting_minutes)
    for entry in hours:
        if not any(availability[entry.mentor.id].covers(*span) for span in rounds):
            raise InvalidInput(
                _(
                    "%(name)s's windows hold no whole %(minutes)d-minute meeting clear of their "
                    "breaks.",
                    name=entry.mentor.name,
                    minutes=day.meeting_minutes,
                )
            )


def create_day(
    cohort: Cohort,
    day: date,
    time_zone: str,
    meeting_minutes: int,
    location: str,
    mentors: Sequence[MentorHours | tuple],
    venture_ids: Sequence[int],
    *,
    by: User,
    today: date | None = None,
) -> OfficeHoursDay:
    """Set up an office-hours day for a cohort: its mentors' hours and the ventures taking part."""
    zone = _zone(time_zone)
    today = today or clock.today(zone)
    if day < today:
        raise InvalidInput(_("The day has passed; choose today or a later date."))
    if (
        not isinstance(meeting_minutes, int)
        or not MIN_MEETING_MINUTES <= meeting_minutes <= MAX_MEETING_MINUTES
    ):
        raise InvalidInput(
            _(
                "Meetings last from %(least)d to %(most)d minutes.",
                least=MIN_MEETING_MINUTES,
                most=MAX_MEETING_MINUTES,
            )
        )
    location = (location or "").strip()
    if len(location) > 500:
        raise InvalidInput(_("The location is limited to 500 characters."))
    hours = _checked_hours(mentors)
    ventures = _checked_ventures(cohort, venture_ids)
    venture_ids = [venture.id for venture in ventures]
    _check_people([h.mentor for h in hours], ventures)

    created = OfficeHoursDay(
        cohort_id=cohort.id,
        day=day,
        time_zone=time_zone,
        meeting_minutes=meeting_minutes,
        location=location,
        status=DRAFT,
        created_by_id=by.id,
        settings={
            "mentors": [_settings_mentor(entry) for entry in hours],
            "venture_ids": venture_ids,
            "seed": 0,
        },
    )
    _check_every_mentor_meets(created, hours)
    db.session.add(created)
    db.session.flush()
    audit.record(by, "office_hours.created", "office_hours_day", created.id, after=_state(created))
    return created


def _state(day: OfficeHoursDay) -> dict[str, Any]:
    return {
        "cohort_id": day.cohort_id,
        "day": day.day.isoformat(),
        "time_zone": day.time_zone,
        "meeting_minutes": day.meeting_minutes,
        "location": day.location,
        "status": day.status,
        "mentors": day.settings.get("mentors", []),
        "venture_ids": day.settings.get("venture_ids", []),
    }


@dataclass
class DayRow:
    day: OfficeHoursDay
    cohort_name: str
    mentors: int
    ventures: int
    meetings: int


def list_days() -> list[DayRow]:
    """Every office-hours day, the latest first, with its cohort and its size."""
    rows = db.session.execute(
        select(OfficeHoursDay, Cohort.name)
        .join(Cohort, Cohort.id == OfficeHoursDay.cohort_id)
        .order_by(OfficeHoursDay.day.desc(), OfficeHoursDay.id.desc())
    )
    return [
        DayRow(
            day,
            cohort_name,
            len(day.settings.get("mentors", [])),
            len(day.settings.get("venture_ids", [])),
            len(day.settings.get("plan", [])),
        )
        for day, cohort_name in rows
    ]


def mentor_choices() -> list[User]:
    """The people who can be asked to an office-hours day: active mentors, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.MENTOR, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def eligible_ventures(cohort: Cohort) -> list[Venture]:
    """A cohort's active ventures, by name, with their teams."""
    return list(
        db.session.scalars(
            select(Venture)
            .options(selectinload(Venture.members).selectinload(VentureMember.user))
            .where(Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE)
            .order_by(Venture.name)
        )
    )


@dataclass
class Inputs:
    """A day as the scheduling core sees it, with what the plan keeps clear and why."""

    rounds: list[TimeRange]
    mentors: dict[int, Availability]
    venture_ids: list[int]
    busy: dict[int, list[TimeRange]]
    kept_clear: list[dict[str, Any]] = field(default_factory=list)


def _day_span(rounds: list[TimeRange]) -> TimeRange | None:
    return (rounds[0][0], rounds[-1][1]) if rounds else None


def _taken_during(
    model: type[Slot] | type[Booking],
    owner_ids: list[int],
    status: str,
    day: OfficeHoursDay,
    span: TimeRange,
) -> list[Any]:
    """Slots or sessions of these people, in this status, overlapping the span; the day's
    own (once published) are left out. Slots are owned by their mentor, sessions by their
    founder."""
    owner = Slot.mentor_id if model is Slot else Booking.founder_id
    statement = select(model).where(
        owner.in_(owner_ids),
        model.status == status,
        model.starts_at < span[1],
        model.ends_at > span[0],
    )
    if day.id is not None:
        statement = statement.where(
            (model.office_hours_day_id.is_(None)) | (model.office_hours_day_id != day.id)
        )
    return list(db.session.scalars(statement.order_by(model.starts_at)))


def _other_open_slots(day: OfficeHoursDay, mentor_ids: list[int], span: TimeRange) -> list[Slot]:
    """The mentors' open slots offered for ordinary booking during the day."""
    return _taken_during(Slot, mentor_ids, SlotStatus.OPEN, day, span)


def _founders_sessions(
    day: OfficeHoursDay, founders: dict[int, int], span: TimeRange
) -> list[Booking]:
    """The founders' booked sessions during the day, other than the day's own."""
    return _taken_during(Booking, list(founders.values()), BookingStatus.BOOKED, day, span)


def inputs(day: OfficeHoursDay) -> Inputs:
    """The rounds, availability and busy times of a day, today's other commitments included.

    A mentor's open slots that day (offered for ordinary booking) count as breaks, and a
    founder's booked sessions keep their venture free then, so the plan does not clash.
    """
    settings = day.settings or {}
    entries = settings.get("mentors", [])
    stated = {entry["id"]: _availability(day, entry) for entry in entries}
    rounds = day_rounds(stated, day.meeting_minutes)
    venture_ids = list(settings.get("venture_ids", []))
    result = Inputs(rounds, dict(stated), venture_ids, {})
    span = _day_span(rounds)
    if span is None:
        return result
    extra_breaks: dict[int, list[TimeRange]] = defaultdict(list)
    for slot in _other_open_slots(day, list(stated), span):
        extra_breaks[slot.mentor_id].append((slot.starts_at, slot.ends_at))
        result.kept_clear.append(_kept_clear("mentor", slot.mentor_id, slot, "an open slot"))
    for mentor_id, spans in extra_breaks.items():
        availability = stated[mentor_id]
        result.mentors[mentor_id] = Availability(
            availability.windows, (*availability.breaks, *spans)
        )
    founders = _first_members(venture_ids)
    by_founder = {user_id: venture_id for venture_id, user_id in founders.items()}
    for booking in _founders_sessions(day, founders, span):
        venture_id = by_founder[booking.founder_id]
        result.busy.setdefault(venture_id, []).append((booking.starts_at, booking.ends_at))
        result.kept_clear.append(_kept_clear("venture", venture_id, booking, "a booked session"))
    return result


def _kept_clear(kind: str, owner_id: int, taken: Slot | Booking, what: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": owner_id,
        "starts_at": taken.starts_at.isoformat(),
        "ends_at": taken.ends_at.isoformat(),
        "what": what,
    }


def _meeting_json(meeting: Meeting) -> dict[str, Any]:
    return {
        "venture_id": meeting.venture_id,
        "mentor_id": meeting.mentor_id,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
    }


def planned_meetings(day: OfficeHoursDay) -> list[Meeting]:
    """The plan stored with the day (empty before plan())."""
    return [
        Meeting(
            entry["venture_id"],
            entry["mentor_id"],
            datetime.fromisoformat(entry["starts_at"]),
            datetime.fromisoformat(entry["ends_at"]),
        )
        for entry in (day.settings or {}).get("plan", [])
    ]


def plan(day: OfficeHoursDay, *, by: User | None = None) -> list[Meeting]:
    """Generate the day's meetings and store them with the day for a preview."""
    if day.status == PUBLISHED:
        raise Conflict(_("This day is already published; its plan can no longer change."))
    problem = inputs(day)
    meetings = generate(
        problem.rounds,
        problem.mentors,
        problem.venture_ids,
        busy=problem.busy,
        seed=int((day.settings or {}).get("seed", 0)),
    )
    bound = limits(problem.rounds, problem.mentors, problem.venture_ids, busy=problem.busy)
    day.settings = {
        **(day.settings or {}),
        "plan": [_meeting_json(m) for m in meetings],
        "kept_clear": problem.kept_clear,
        "limits": {
            "total": bound.total,
            "fewest": bound.fewest,
            "per_venture": {str(v): n for v, n in bound.per_venture.items()},
        },
        "planned_at": utcnow().isoformat(),
    }
    db.session.flush()
    audit.record(
        by,
        "office_hours.planned",
        "office_hours_day",
        day.id,
        after={"meetings": len(meetings), "kept_clear": len(problem.kept_clear)},
    )
    return meetings


# The preview --------------------------------------------------------------------------------


@dataclass
class Cell:
    """One mentor in one round: a venture met, or why there is none."""

    venture: Venture | None = None
    state: str = "free"  # "meeting", "free", "break", "away" or "taken" (another commitment)


@dataclass
class VentureSummary:
    venture: Venture
    mentors_met: int
    most_possible: int


@dataclass
class Schedule:
    day: OfficeHoursDay
    cohort: Cohort
    rounds: list[TimeRange]
    mentors: list[User]
    cells: dict[tuple[int, int], Cell]  # (round index, mentor id) -> cell
    ventures: list[VentureSummary]
    meetings: int
    most_meetings: int
    kept_clear: list[str]
    labels: list[str] = field(default_factory=list)  # each round's start, in the day's zone

    def cell(self, round_index: int, mentor_id: int) -> Cell:
        return self.cells[round_index, mentor_id]


def _local(moment: datetime, zone: ZoneInfo, fmt: str = "%-I:%M %p") -> str:
    return times.local_text(moment.astimezone(zone), fmt)


def schedule(day: OfficeHoursDay) -> Schedule:
    """The stored plan as a grid of rounds by mentors, with each venture's count."""
    settings = day.settings or {}
    zone = _zone(day.time_zone)
    stated = {e["id"]: _availability(day, e) for e in settings.get("mentors", [])}
    rounds = day_rounds(stated, day.meeting_minutes)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(stated))))}
    venture_ids = settings.get("venture_ids", [])
    ventures = {
        v.id: v for v in db.session.scalars(select(Venture).where(Venture.id.in_(venture_ids)))
    }
    taken: dict[int, list[TimeRange]] = defaultdict(list)
    kept_clear = []
    for entry in settings.get("kept_clear", []):
        span = (
            datetime.fromisoformat(entry["starts_at"]),
            datetime.fromisoformat(entry["ends_at"]),
        )
        if entry["kind"] == "mentor":
            taken[entry["id"]].append(span)
            who = people[entry["id"]].name if entry["id"] in people else _("A mentor")
        else:
            who = ventures[entry["id"]].name if entry["id"] in ventures else _("A venture")
        kept_clear.append(
            _(
                "%(who)s: %(what)s %(span)s",
                who=who,
                what=_(entry["what"]),
                span=_span_local(*span, zone),
            )
        )

    cells: dict[tuple[int, int], Cell] = {}
    for index, span in enumerate(rounds):
        for mentor_id, availability in stated.items():
            if overlaps_any(*span, availability.breaks):
                state = "break"
            elif not availability.covers(*span):
                state = "away"
            elif overlaps_any(*span, taken[mentor_id]):
                state = "taken"
            else:
                state = "free"
            cells[index, mentor_id] = Cell(state=state)
    by_start = {span[0]: index for index, span in enumerate(rounds)}
    met: dict[int, set[int]] = defaultdict(set)
    meetings = planned_meetings(day)
    for meeting in meetings:
        round_index = by_start.get(meeting.starts_at)
        if round_index is not None:
            cells[round_index, meeting.mentor_id] = Cell(
                ventures.get(meeting.venture_id), "meeting"
            )
        met[meeting.venture_id].add(meeting.mentor_id)

    bounds = settings.get("limits", {})
    most = bounds.get("per_venture", {})
    summaries = sorted(
        (
            VentureSummary(ventures[v], len(met[v]), int(most.get(str(v), 0)))
            for v in venture_ids
            if v in ventures
        ),
        key=lambda s: (s.mentors_met, s.venture.name),
    )
    return Schedule(
        day=day,
        cohort=db.session.get_one(Cohort, day.cohort_id),
        rounds=rounds,
        mentors=[people[e["id"]] for e in settings.get("mentors", []) if e["id"] in people],
        cells=cells,
        ventures=summaries,
        meetings=len(meetings),
        most_meetings=int(bounds.get("total", 0)),
        kept_clear=kept_clear,
        labels=[_local(start, zone) for start, _ in rounds],
    )


# Publishing ---------------------------------------------------------------------------------


def _span_local(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    return f"{_local(start, zone)}{DASH}{_local(end, zone)}"


def _first_overlapping(meetings: list[Meeting], taken: Slot | Booking) -> Meeting | None:
    """The first of the meetings that overlaps a slot or session already there."""
    return next(
        (m for m in meetings if m.starts_at < taken.ends_at and taken.starts_at < m.ends_at),
        None,
    )


def _refuse_clashes(day: OfficeHoursDay, meetings: list[Meeting], founders: dict[int, int]):
    """Refuse, naming them, when a mentor's open slot or a founder's session overlaps."""
    zone = _zone(day.time_zone)
    span = (min(m.starts_at for m in meetings), max(m.ends_at for m in meetings))
    clashes: list[str] = []
    by_mentor: dict[int, list[Meeting]] = defaultdict(list)
    by_venture: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_mentor[meeting.mentor_id].append(meeting)
        by_venture[meeting.venture_id].append(meeting)
    for slot in _other_open_slots(day, list(by_mentor), span):
        clash = _first_overlapping(by_mentor[slot.mentor_id], slot)
        if clash is not None:
            clashes.append(
                _(
                    "%(mentor)s has an open slot %(span)s (meeting at %(meeting)s)",
                    mentor=slot.mentor.name,
                    span=_span_local(slot.starts_at, slot.ends_at, zone),
                    meeting=_local(clash.starts_at, zone),
                )
            )
    by_founder = {user_id: venture_id for venture_id, user_id in founders.items()}
    for booking in _founders_sessions(day, founders, span):
        clash = _first_overlapping(by_venture[by_founder[booking.founder_id]], booking)
        if clash is not None:
            clashes.append(
                _(
                    "%(founder)s has a session with %(mentor)s %(span)s (meeting at %(meeting)s)",
                    founder=booking.founder.name,
                    mentor=booking.mentor.name,
                    span=_span_local(booking.starts_at, booking.ends_at, zone),
                    meeting=_local(clash.starts_at, zone),
                )
            )
    if clashes:
        shown = "; ".join(clashes[:MAX_CLASHES_SHOWN])
        more = len(clashes) - MAX_CLASHES_SHOWN
        if more > 0:
            shown = _("%(shown)s; and %(more)d more", shown=shown, more=more)
        raise Conflict(
            _(
                "Nothing was published: the plan clashes with times already taken: %(clashes)s. "
                "Plan the day again to work around them, or free those times first.",
                clashes=shown,
            )
        )


def _lock_day(day: OfficeHoursDay, founders: dict[int, int]) -> None:
    # A second publish of the day waits here and then sees it published; the founders' rows
    # are the locks booking.book() takes, so no booking slips in between (services/locks.py).
    locks.lock(day)
    locks.lock_ids(User, founders.values())


def publish(day: OfficeHoursDay, *, by: User, now: datetime | None = None) -> list[Booking]:
    """Turn the plan into slots and ordinary bookings, all or nothing."""
    now = now or utcnow()
    settings = day.settings or {}
    venture_ids = settings.get("venture_ids", [])
    founders = _first_members(venture_ids)
    _lock_day(day, founders)
    if day.status == PUBLISHED:
        raise Conflict(_("This day is already published."))
    meetings = planned_meetings(day)
    if not meetings:
        raise InvalidInput(_("There is no plan to publish yet; plan the day first."))
    notice = current_app.config["BOOKING_MIN_NOTICE_MINUTES"]
    if min(m.starts_at for m in meetings) < now + timedelta(minutes=notice):
        raise InvalidInput(
            _(
                "The day's first meeting starts in less than %(minutes)d minutes, the notice a "
                "booking needs; nothing was published. Move the day or its start.",
                minutes=notice,
            )
        )
    missing = [v for v in {m.venture_id for m in meetings} if v not in founders]
    if missing:
        names = ", ".join(
            v.name for v in db.session.scalars(select(Venture).where(Venture.id.in_(missing)))
        )
        raise InvalidInput(
            _("%(ventures)s no longer has founders; add one, then publish.", ventures=names)
        )
    _refuse_clashes(day, meetings, founders)

    slots = [
        Slot(
            mentor_id=m.mentor_id,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            location=day.location,
            note=OFFICE_HOURS_NOTE,
            status=SlotStatus.OPEN,
            office_hours_day_id=day.id,
        )
        for m in meetings
    ]
    try:
        with db.session.begin_nested():
            db.session.add_all(slots)
            db.session.flush()
            bookings = [
                booking_service.new_booking(
                    slot, m.venture_id, founders[m.venture_id], AGENDA, office_hours_day_id=day.id
                )
                for slot, m in zip(slots, meetings, strict=True)
            ]
            db.session.add_all(bookings)
            db.session.flush()
    except IntegrityError:
        # Only PostgreSQL gets here: its exclusion constraints saw an overlap that appeared
        # after the checks above (a slot or a session created at the same moment).
        raise Conflict(
            _(
                "Nothing was published: a mentor or a founder just took one of these times. "
                "Plan the day again, then publish."
            )
        ) from None
    day.status = PUBLISHED
    day.published_at = now
    db.session.flush()
    for booking in bookings:
        audit.record(
            by,
            "booking.created",
            "booking",
            booking.id,
            after={**booking_service.booking_state(booking), "office_hours_day_id": day.id},
        )
    audit.record(
        by,
        "office_hours.published",
        "office_hours_day",
        day.id,
        before={"status": DRAFT},
        after={"status": PUBLISHED, "bookings": len(bookings)},
    )
    _tell_people(day, bookings)
    return bookings


def _tell_people(day: OfficeHoursDay, bookings: list[Booking]) -> None:
    """One mail per person taking part, with their own meetings, in their own time zone."""
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({b.mentor_id for b in bookings}))
        )
    }
    ventures = {
        v.id: v
        for v in db.session.scalars(
            select(Venture)
            .options(selectinload(Venture.members).selectinload(VentureMember.user))
            .where(Venture.id.in_({b.venture_id for b in bookings}))
        )
    }
    by_mentor: dict[int, list[Booking]] = defaultdict(list)
    by_venture: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_mentor[booking.mentor_id].append(booking)
        by_venture[booking.venture_id].append(booking)

    def zone(person: User) -> ZoneInfo:
        return clock.zone_named(person.time_zone, default=_zone(day.time_zone))

    def in_order(rows: list[Booking]) -> list[Booking]:
        return sorted(rows, key=lambda b: b.starts_at)

    for mentor_id, rows in by_mentor.items():
        person = users[mentor_id]
        mail.send_template(
            person,
            "office_hours_mentor",
            zone=zone(person),
            day=day,
            meetings=[(b, ventures[b.venture_id]) for b in in_order(rows)],
        )
    for venture_id, rows in by_venture.items():
        venture = ventures[venture_id]
        for member in venture.members:
            if not member.user.active:
                continue
            mail.send_template(
                member.user,
                "office_hours_founder",
                zone=zone(member.user),
                day=day,
                venture=venture,
                meetings=[(b, users[b.mentor_id]) for b in in_order(rows)],
            )


def bookings_of(day: OfficeHoursDay) -> list[Booking]:
    """The bookings a published day made, in time order."""
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.office_hours_day_id == day.id)
            .order_by(Booking.starts_at, Booking.mentor_id)
        )
    )
