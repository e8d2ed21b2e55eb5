"""A venture's timeline: its stage moves, milestones, check-ins and mentor sessions, newest
first, and the facts its risk is judged on, read from the same rows.

The page reads the venture in one statement (with its cohort, team and stage plan) and its
whole history in a second: on PostgreSQL every statement is a round trip, so their number,
not the rows, is what the page costs. The four kinds of history are one UNION ALL, each
kind's SELECT putting its columns into typed columns the four share (timestamps, texts,
dates, numbers) and leaving the ones it has no use for NULL; `_statement` lays them out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

from flask_babel import LazyString
from flask_babel import gettext as _
from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Row,
    Select,
    String,
    Text,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload, load_only
from sqlalchemy.types import TypeEngine

from incubator import clock, i18n
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Booking,
    BookingStatus,
    CheckIn,
    Cohort,
    Milestone,
    StageChange,
    StagePlan,
    User,
    Venture,
    VentureMember,
)
from incubator.models.base import UTCDateTime
from incubator.models.pipeline import OPEN_MILESTONE_STATUSES
from incubator.services.pipeline import risk, risk_rules
from incubator.services.pipeline.risk_rules import RiskReason, VentureFacts
from incubator.services.pipeline.stages import JOINED_THE_COHORT, stage_label


@dataclass
class TimelineEntry:
    """One line of the timeline: when, what kind of event, what happened, and by whom."""

    at: datetime
    kind: str  # "stage", "milestone", "check_in", "session": KIND_LABELS
    title: str
    detail: str = ""
    by: str = ""


# What the badge of each kind of entry says; translated where shown (kind_labels).
KIND_LABELS = {
    "stage": N_("stage"),
    "milestone": N_("milestone"),
    "check_in": N_("check-in"),
    "session": N_("session"),
}


def kind_labels() -> dict[str, str]:
    """Every kind's badge in the request's language, said once for a page of entries."""
    return {kind: _(label) for kind, label in KIND_LABELS.items()}


# The venture -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineVenture:
    """A venture as its timeline shows it: with its cohort's name and the days its cohort
    expects its present stage to take (None without a plan)."""

    venture: Venture
    cohort_name: str
    expected_days: int | None


def timeline_venture(venture_id: int) -> TimelineVenture | None:
    """The venture with what its page shows and asks about it, in one statement: its
    cohort's name, its team (whether a founder may see it) and its stage plan."""
    found = (
        db.session.execute(_venture_statement(), {"venture_id": venture_id}).unique().one_or_none()
    )
    return TimelineVenture(*found) if found is not None else None


@cache
def _venture_statement() -> Select[Venture, str, int]:
    """Built once, like the history's (building it is most of what loading one venture
    costs); only the columns the page and the founder check read."""
    plan = (StagePlan.cohort_id == Venture.cohort_id) & (StagePlan.stage == Venture.stage)
    return (
        select(Venture, Cohort.name, StagePlan.expected_days)
        .join(Cohort, Cohort.id == Venture.cohort_id)
        .outerjoin(StagePlan, plan)
        .options(
            load_only(Venture.cohort_id, Venture.name, Venture.stage, Venture.created_at),
            joinedload(Venture.members).load_only(VentureMember.user_id),
        )
        .where(Venture.id == bindparam("venture_id", type_=Integer))
    )


# The rows of each kind, as the statement hands them back ---------------------------------------


class _StageMove(NamedTuple):
    changed_at: datetime
    from_stage: str | None
    to_stage: str
    reason: str
    by: str | None


class _MilestoneRow(NamedTuple):
    created_at: datetime
    completed_at: datetime | None
    verified_at: datetime | None
    title: str
    stage: str
    status: str
    evidence_note: str
    evidence_url: str | None
    verified_by: str | None
    due_on: date | None


class _CheckInRow(NamedTuple):
    created_at: datetime
    week_start: date
    confidence: int
    summary: str
    author: str | None


class _SessionRow(NamedTuple):
    """Never the notes: the timeline does not show them, so it does not read them."""

    created_at: datetime
    starts_at: datetime
    ends_at: datetime
    completed_at: datetime | None
    cancelled_at: datetime | None
    status: str
    agenda: str
    cancel_reason: str
    mentor: str
    cancelled_by: str | None
    rescheduled_to_id: int | None


ROWS: dict[str, type[tuple[Any, ...]]] = {
    "stage": _StageMove,
    "milestone": _MilestoneRow,
    "check_in": _CheckInRow,
    "session": _SessionRow,
}


def _selects() -> dict[str, Select[Any]]:
    """Each kind's columns, in the order of its row above, for the venture `venture_id`."""
    venture_id = bindparam("venture_id", type_=Integer)
    mover, verifier, author, mentor, canceller = (aliased(User) for _ in range(5))
    return {
        "stage": select(
            StageChange.changed_at,
            StageChange.from_stage,
            StageChange.to_stage,
            StageChange.reason,
            mover.name,
        )
        .outerjoin(mover, mover.id == StageChange.changed_by_id)
        .where(StageChange.venture_id == venture_id),
        "milestone": select(
            Milestone.created_at,
            Milestone.completed_at,
            Milestone.verified_at,
            Milestone.title,
            Milestone.stage,
            Milestone.status,
            Milestone.evidence_note,
            Milestone.evidence_url,
            verifier.name,
            Milestone.due_on,
        )
        .outerjoin(verifier, verifier.id == Milestone.verified_by_id)
        .where(Milestone.venture_id == venture_id),
        "check_in": select(
            CheckIn.created_at,
            CheckIn.week_start,
            CheckIn.confidence,
            CheckIn.summary,
            author.name,
        )
        .outerjoin(author, author.id == CheckIn.author_id)
        .where(CheckIn.venture_id == venture_id),
        "session": select(
            Booking.created_at,
            Booking.starts_at,
            Booking.ends_at,
            Booking.completed_at,
            Booking.cancelled_at,
            Booking.status,
            Booking.agenda,
            Booking.cancel_reason,
            mentor.name,
            canceller.name,
            Booking.rescheduled_to_id,
        )
        .join(mentor, mentor.id == Booking.mentor_id)
        .outerjoin(canceller, canceller.id == Booking.cancelled_by_id)
        .where(Booking.venture_id == venture_id),
    }


# The shared columns' types, by the prefix of their names.
SHARED_TYPES: dict[str, TypeEngine[Any]] = {
    "at": UTCDateTime(),
    "text": Text(),
    "day": Date(),
    "number": Integer(),
}


def _shared_type(column_type: TypeEngine[Any]) -> str:
    """Which shared column a column of this type goes in."""
    if isinstance(column_type, UTCDateTime):
        return "at"
    if isinstance(column_type, String):
        return "text"
    if isinstance(column_type, Date):
        return "day"
    if isinstance(column_type, Integer):
        return "number"
    raise TypeError(f"no shared column for {column_type!r}")


# What picks one kind's columns out of a row of the statement, in the order of its row.
Picker = Callable[[Row[Any]], Any]


@cache
def _statement() -> tuple[CompoundSelect, dict[str, Picker]]:
    """The UNION ALL of every kind's SELECT, its first column the kind, and each kind's
    picker. Built once: only the venture changes, as a bound parameter."""
    selects = _selects()
    placed: dict[str, dict[tuple[str, int], Any]] = {
        kind: dict(zip(_slots(part), part.selected_columns, strict=True))
        for kind, part in selects.items()
    }
    # Every shared column some kind uses, by type.
    slots = sorted(
        {slot for columns in placed.values() for slot in columns},
        key=lambda slot: (list(SHARED_TYPES).index(slot[0]), slot[1]),
    )
    branches = [
        part.with_only_columns(
            literal_column(f"'{kind}'", String()).label("kind"),
            *(
                placed[kind]
                .get(slot, cast(null(), SHARED_TYPES[slot[0]]))
                .label(f"{slot[0]}_{slot[1]}")
                for slot in slots
            ),
            maintain_column_froms=True,
        )
        for kind, part in selects.items()
    ]
    pickers: dict[str, Picker] = {
        # +1: the kind comes first.
        kind: itemgetter(*(slots.index(slot) + 1 for slot in columns))
        for kind, columns in placed.items()
    }
    return union_all(*branches), pickers


def _slots(part: Select[Any]) -> list[tuple[str, int]]:
    """Where each column of a kind's SELECT goes: (shared type, how many of that type
    came before it)."""
    seen: Counter[str] = Counter()
    found = []
    for column in part.selected_columns:
        prefix = _shared_type(column.type)
        found.append((prefix, seen[prefix]))
        seen[prefix] += 1
    return found


# The history ----------------------------------------------------------------------------------


@dataclass
class History:
    """A venture's rows of each kind, as read."""

    moves: list[_StageMove] = field(default_factory=list)
    milestones: list[_MilestoneRow] = field(default_factory=list)
    check_ins: list[_CheckInRow] = field(default_factory=list)
    sessions: list[_SessionRow] = field(default_factory=list)

    def entries(self) -> list[TimelineEntry]:
        """Stage changes, milestones, check-ins and mentor sessions, newest first."""
        stages = _StageLabels()
        entries = [
            *_stage_entries(self.moves, stages),
            *_milestone_entries(self.milestones, stages),
            *_check_in_entries(self.check_ins),
            *_session_entries(self.sessions),
        ]
        entries.sort(key=lambda entry: entry.at, reverse=True)
        return entries

    def facts(self, shown: TimelineVenture) -> VentureFacts:
        """What the risk rules read about the venture, from these rows, as risk.signals
        would load them (tests/test_risk_sql.py compares the two on random ventures)."""
        venture = shown.venture
        moved = [move.changed_at for move in self.moves]
        latest = sorted(self.check_ins, key=lambda check_in: check_in.week_start, reverse=True)
        streak = risk.thresholds().low_confidence_streak
        return VentureFacts(
            stage_label=LazyString(stage_label, venture.stage),
            open_due_dates=tuple(
                milestone.due_on
                for milestone in self.milestones
                if milestone.status in OPEN_MILESTONE_STATUSES and milestone.due_on is not None
            ),
            last_check_in_on=latest[0].week_start if latest else None,
            recent_confidences=tuple(check_in.confidence for check_in in latest[:streak]),
            joined_on=clock.program_date(min(moved, default=venture.created_at)),
            stage_since_on=clock.program_date(max(moved, default=venture.created_at)),
            expected_days=shown.expected_days,
        )

    def risk(self, shown: TimelineVenture, today: date) -> list[RiskReason]:
        """Why the venture is at risk (empty when it is not), by the rules everyone uses."""
        return risk_rules.reasons(self.facts(shown), today, risk.thresholds())


def history(venture_id: int) -> History:
    """Everything that happened to a venture, in one statement whatever its length."""
    statement, pickers = _statement()
    found = History()
    kept: dict[str, list[Any]] = {
        "stage": found.moves,
        "milestone": found.milestones,
        "check_in": found.check_ins,
        "session": found.sessions,
    }
    for row in db.session.execute(statement, {"venture_id": venture_id}):
        kind = row[0]
        kept[kind].append(ROWS[kind](*pickers[kind](row)))
    return found


def timeline(venture: Venture) -> list[TimelineEntry]:
    """Stage changes, milestones, check-ins and mentor sessions, newest first, in one
    query."""
    return history(venture.id).entries()


def _name(name: str | None) -> str:
    return name or ""


# Each function below says each of its messages once, before its loop (and not at all
# without rows), and fills it in for every row (`gettext` without values is the catalogue's
# text, placeholders and all): a long history is hundreds of entries.


class _StageLabels(dict[str, str]):
    """Each stage's label, said the first time a row names the stage."""

    def __missing__(self, stage: str) -> str:
        label = self[stage] = stage_label(stage)
        return label


def _stage_entries(moves: list[_StageMove], stages: dict[str, str]) -> list[TimelineEntry]:
    """Joining the pipeline and each move since, with who moved it and why."""
    if not moves:
        return []
    entered = _("Entered the pipeline at %(stage)s")
    moved = _("Moved from %(from_stage)s to %(to_stage)s")
    joined_the_cohort = _(JOINED_THE_COHORT)
    entries = []
    for move in moves:
        if move.from_stage is None:
            title = entered % {"stage": stages[move.to_stage]}
        else:
            title = moved % {
                "from_stage": stages[move.from_stage],
                "to_stage": stages[move.to_stage],
            }
        # The reason an entry is stored with is the program's words, not a person's.
        joined = move.from_stage is None and move.reason == JOINED_THE_COHORT
        reason = joined_the_cohort if joined else move.reason
        entries.append(TimelineEntry(move.changed_at, "stage", title, reason, _name(move.by)))
    return entries


def _milestone_entries(
    milestones: list[_MilestoneRow], stages: dict[str, str]
) -> list[TimelineEntry]:
    """Each milestone planned, and done and verified once it was."""
    if not milestones:
        return []
    planned = _("Milestone planned: %(title)s")
    of_stage = _("%(stage)s stage")
    done = _("Milestone done: %(title)s")
    verified = _("Milestone verified: %(title)s")
    entries = []
    for milestone in milestones:
        title = {"title": milestone.title}
        entries.append(
            TimelineEntry(
                milestone.created_at,
                "milestone",
                planned % title,
                of_stage % {"stage": stages[milestone.stage]},
            )
        )
        if milestone.completed_at is not None:
            detail = milestone.evidence_note or milestone.evidence_url or ""
            entries.append(TimelineEntry(milestone.completed_at, "milestone", done % title, detail))
        if milestone.verified_at is not None:
            entries.append(
                TimelineEntry(
                    milestone.verified_at,
                    "milestone",
                    verified % title,
                    "",
                    _name(milestone.verified_by),
                )
            )
    return entries


def _check_in_entries(check_ins: list[_CheckInRow]) -> list[TimelineEntry]:
    """Each weekly check-in, with its confidence and summary."""
    if not check_ins:
        return []
    title = _("Check-in for the week of %(week)s (confidence %(confidence)d/5)")
    today = clock.today()
    return [
        TimelineEntry(
            check_in.created_at,
            "check_in",
            title
            % {
                "week": clock.day_label(check_in.week_start, as_of=today),
                "confidence": check_in.confidence,
            },
            check_in.summary,
            _name(check_in.author),
        )
        for check_in in check_ins
    ]


def _session_entries(sessions: list[_SessionRow]) -> list[TimelineEntry]:
    """Sessions booked, held and cancelled."""
    if not sessions:
        return []
    booked = _("Session booked with %(mentor)s for %(when)s")
    agenda = _("Agenda: %(agenda)s")
    held = _("Session held with %(mentor)s")
    no_show = _("Session with %(mentor)s: no-show")
    moved = _("Session with %(mentor)s cancelled (moved to another time)")
    cancelled = _("Session with %(mentor)s cancelled")
    # The entry's own time is shown in the viewer's zone; the session's time in the title
    # is in the program's zone, with its abbreviation.
    zone = clock.program_zone()
    entries = []
    for booking in sessions:
        mentor = {"mentor": booking.mentor}
        starts_at = booking.starts_at.astimezone(zone)
        # "Mar 2, 2026 9:05 AM PST"; "2 mar 2026 9:05 a.m. PST".
        when = f"{i18n.format_date(starts_at.date())} {i18n.format_time(starts_at)} {starts_at:%Z}"
        entries.append(
            TimelineEntry(
                booking.created_at,
                "session",
                booked % {**mentor, "when": when},
                agenda % {"agenda": booking.agenda},
            )
        )
        if booking.status == BookingStatus.COMPLETED and booking.completed_at is not None:
            entries.append(TimelineEntry(booking.completed_at, "session", held % mentor))
        elif booking.status == BookingStatus.NO_SHOW:
            entries.append(TimelineEntry(booking.ends_at, "session", no_show % mentor))
        elif booking.status == BookingStatus.CANCELLED and booking.cancelled_at is not None:
            entries.append(
                TimelineEntry(
                    booking.cancelled_at,
                    "session",
                    (moved if booking.rescheduled_to_id else cancelled) % mentor,
                    booking.cancel_reason,
                    _name(booking.cancelled_by),
                )
            )
    return entries
