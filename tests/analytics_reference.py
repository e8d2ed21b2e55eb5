"""Pipeline analytics as they were computed before the database aggregated them: every
venture's history read and walked in Python. The tests compare the service with this on
random histories; it is kept here, not in the app, only as that yardstick."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import Cohort, Stage, StageChange, Venture, VentureStatus
from incubator.services.pipeline.analytics import (
    SECONDS_PER_DAY,
    CohortAnalytics,
    Conversion,
    StageTime,
    WeekCount,
)
from incubator.services.pipeline.stages import STAGES, stage_index


@dataclass(frozen=True)
class _Move:
    at: datetime
    stage: Stage


@dataclass(frozen=True)
class _Venture:
    id: int
    stage: Stage
    active: bool


def _aware(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _histories(cohort: Cohort) -> tuple[list[_Venture], dict[int, list[_Move]]]:
    ventures = []
    moves: dict[int, list[_Move]] = defaultdict(list)
    for row in db.session.execute(
        select(Venture.id, Venture.stage, Venture.status, Venture.created_at)
        .where(Venture.cohort_id == cohort.id)
        .order_by(Venture.id)
    ):
        ventures.append(_Venture(row.id, Stage(row.stage), row.status == VentureStatus.ACTIVE))
        moves[row.id] = [_Move(_aware(row.created_at), Stage(row.stage))]
    recorded: dict[int, list[_Move]] = defaultdict(list)
    for venture_id, to_stage, changed_at in db.session.execute(
        select(StageChange.venture_id, StageChange.to_stage, StageChange.changed_at)
        .join(Venture, Venture.id == StageChange.venture_id)
        .where(Venture.cohort_id == cohort.id)
        .order_by(StageChange.venture_id, StageChange.changed_at, StageChange.id)
    ):
        recorded[venture_id].append(_Move(_aware(changed_at), Stage(to_stage)))
    moves.update(recorded)
    return ventures, moves


def stay_ends(cohort: Cohort) -> dict[int, datetime | None]:
    """Each recorded move's end as the walk finds it: the venture's next move in (changed_at,
    id) order, None for its last. What `StageChange.ended_at` must hold."""
    ends: dict[int, datetime | None] = {}
    previous: tuple[int, int] | None = None
    for move_id, venture_id, changed_at in db.session.execute(
        select(StageChange.id, StageChange.venture_id, StageChange.changed_at)
        .join(Venture, Venture.id == StageChange.venture_id)
        .where(Venture.cohort_id == cohort.id)
        .order_by(StageChange.venture_id, StageChange.changed_at, StageChange.id)
    ):
        ends[move_id] = None
        if previous is not None and previous[1] == venture_id:
            ends[previous[0]] = _aware(changed_at)
        previous = (move_id, venture_id)
    return ends


def _week_counts(
    active: list[_Venture], moves: dict[int, list[_Move]], starts_on: date, until: date
) -> list[WeekCount]:
    mondays = []
    monday = clock.week_start(starts_on)
    while monday <= until:
        mondays.append(monday)
        monday += timedelta(days=7)
    last_moment = clock.at(until + timedelta(days=1))
    cutoffs = [min(clock.at(monday + timedelta(days=7)), last_moment) for monday in mondays]
    counts = [dict.fromkeys(STAGES, 0) for _ in mondays]
    for venture in active:
        history = moves[venture.id]
        position = 0
        for week, cutoff in enumerate(cutoffs):
            while position < len(history) and history[position].at < cutoff:
                position += 1
            if position:
                counts[week][history[position - 1].stage] += 1
    return [WeekCount(monday, week) for monday, week in zip(mondays, counts, strict=True)]


def _stage_times(moves: dict[int, list[_Move]]) -> list[StageTime]:
    days: dict[Stage, list[float]] = defaultdict(list)
    ventures: dict[Stage, set[int]] = defaultdict(set)
    for venture_id, history in moves.items():
        for stay, following in pairwise(history):
            days[stay.stage].append((following.at - stay.at).total_seconds() / SECONDS_PER_DAY)
            ventures[stay.stage].add(venture_id)
    return [
        StageTime(
            stage,
            statistics.median(days[stage]) if days[stage] else None,
            len(days[stage]),
            len(ventures[stage]),
        )
        for stage in STAGES
    ]


def _conversions(moves: dict[int, list[_Move]]) -> list[Conversion]:
    furthest = [max(stage_index(move.stage) for move in history) for history in moves.values()]
    return [
        Conversion(
            stage,
            following,
            sum(1 for index in furthest if index >= position),
            sum(1 for index in furthest if index >= position + 1),
        )
        for position, (stage, following) in enumerate(pairwise(STAGES))
    ]


def cohort_analytics(cohort: Cohort, today: date) -> CohortAnalytics:
    """The analytics as the Python walk over every history gave them."""
    ventures, moves = _histories(cohort)
    active = [venture for venture in ventures if venture.active]
    until = min(today, cohort.ends_on)
    distribution = dict.fromkeys(STAGES, 0)
    for venture in active:
        distribution[venture.stage] += 1
    return CohortAnalytics(
        cohort=cohort,
        today=today,
        until=until,
        weeks=_week_counts(active, moves, cohort.starts_on, until),
        stage_times=_stage_times(moves),
        conversions=_conversions(moves),
        distribution=distribution,
        active=len(active),
        archived=len(ventures) - len(active),
    )
