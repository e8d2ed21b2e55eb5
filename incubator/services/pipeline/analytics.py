"""Pipeline analytics from the stage history: stage counts over time, time in stage,
conversion between stages, and a venture's KPIs over the weeks."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    CheckIn,
    Cohort,
    CustomKpi,
    Stage,
    StageChange,
    Venture,
    VentureStatus,
)
from incubator.services.pipeline.checkins import STANDARD_KPIS, kpi_label
from incubator.services.pipeline.stages import STAGES, stage_index

SECONDS_PER_DAY = 86_400
MONEY_KPIS = frozenset({"revenue", "funding_raised"})


@dataclass(frozen=True)
class WeekCount:
    """How many active ventures were at each stage at the end of a week (or so far)."""

    week_start: date
    counts: dict[Stage, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class StageTime:
    """The median length of the finished stays in a stage, and what it is based on."""

    stage: Stage
    median_days: float | None
    stays: int
    ventures: int


@dataclass(frozen=True)
class Conversion:
    """Of the ventures that reached one stage, how many went on to the next."""

    from_stage: Stage
    to_stage: Stage
    reached: int
    went_on: int

    @property
    def share(self) -> float | None:
        return self.went_on / self.reached if self.reached else None


@dataclass
class CohortAnalytics:
    cohort: Cohort
    today: date
    # The last day the counts over time run to: today, or the cohort's end if earlier.
    until: date
    weeks: list[WeekCount]
    stage_times: list[StageTime]
    conversions: list[Conversion]
    distribution: dict[Stage, int]
    active: int
    archived: int

    @property
    def has_history(self) -> bool:
        return self.active + self.archived > 0


@dataclass(frozen=True)
class _Move:
    at: datetime
    stage: Stage


@dataclass(frozen=True)
class _Venture:
    id: int
    stage: Stage
    active: bool


def _histories(cohort: Cohort) -> tuple[list[_Venture], dict[int, list[_Move]]]:
    """Every venture of the cohort (archived too) and its moves, oldest first: two queries.

    Only the columns the numbers need are read, not whole ventures.
    """
    ventures = []
    moves: dict[int, list[_Move]] = defaultdict(list)
    for row in db.session.execute(
        select(Venture.id, Venture.stage, Venture.status, Venture.created_at)
        .where(Venture.cohort_id == cohort.id)
        .order_by(Venture.id)
    ):
        ventures.append(_Venture(row.id, Stage(row.stage), row.status == VentureStatus.ACTIVE))
        # Until its history says otherwise, a venture has been at its stage since it was made.
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


def _aware(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _week_counts(
    active: list[_Venture], moves: dict[int, list[_Move]], starts_on: date, until: date
) -> list[WeekCount]:
    def midnight(day: date) -> datetime:
        return clock.at(day)

    # A week ends at midnight starting its next Monday, in the program's time zone; the
    # running week ends with `until`.
    mondays = []
    monday = clock.week_start(starts_on)
    while monday <= until:
        mondays.append(monday)
        monday += timedelta(days=7)
    last_moment = midnight(until + timedelta(days=1))
    cutoffs = [min(midnight(monday + timedelta(days=7)), last_moment) for monday in mondays]
    counts = [dict.fromkeys(STAGES, 0) for _ in mondays]
    for venture in active:
        history = moves[venture.id]
        # Both lists are in time order: walk them together.
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
    # A venture that skipped a stage has passed through it: the funnel only narrows.
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
    """A cohort's pipeline from its stage history, in a fixed number of queries.

    Counts over time and the current distribution are of the active ventures; time in stage
    and conversion count archived ventures too, since leaving is part of the pipeline.
    """
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


# A venture's KPIs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiSeries:
    """One KPI's value for each week of the venture's check-ins (None where not reported)."""

    key: str
    label: str
    unit: str
    money: bool
    values: list[float | None]


@dataclass
class VentureKpis:
    venture: Venture
    weeks: list[date]
    series: list[KpiSeries]

    def rows(self) -> list[tuple[date, list[float | None]]]:
        """The values week by week, one per series: the chart as a table."""
        return [
            (week, [series.values[position] for series in self.series])
            for position, week in enumerate(self.weeks)
        ]

    def restricted_to(self, keys: Iterable[str]) -> VentureKpis:
        """Only these KPIs, and only the weeks that report one of them: what a viewer who
        may see just some KPIs (`permissions.visible_kpis`) is shown."""
        wanted = set(keys)
        series = [kpi for kpi in self.series if kpi.key in wanted]
        kept = [
            position
            for position in range(len(self.weeks))
            if any(kpi.values[position] is not None for kpi in series)
        ]
        return VentureKpis(
            self.venture,
            [self.weeks[position] for position in kept],
            [replace(kpi, values=[kpi.values[position] for position in kept]) for kpi in series],
        )


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def venture_kpis(venture: Venture) -> VentureKpis:
    """The standard and the venture's own KPIs from its check-ins, in two queries.

    Only KPIs reported at least once are kept; custom ones a check-in reported but the
    venture no longer tracks are kept too, since the numbers were real.
    """
    check_ins = db.session.execute(
        select(
            CheckIn.week_start,
            CheckIn.custom_kpis,
            *(getattr(CheckIn, name) for name in STANDARD_KPIS),
        )
        .where(CheckIn.venture_id == venture.id)
        .order_by(CheckIn.week_start)
    ).all()
    units = {
        kpi.name: kpi.unit
        for kpi in db.session.scalars(
            select(CustomKpi).where(CustomKpi.venture_id == venture.id).order_by(CustomKpi.name)
        )
    }
    weeks = [row.week_start for row in check_ins]
    series = []
    for name in STANDARD_KPIS:
        values = [_number(getattr(row, name)) for row in check_ins]
        if any(value is not None for value in values):
            series.append(KpiSeries(name, kpi_label(name), "", name in MONEY_KPIS, values))
    reported = {name for row in check_ins for name in (row.custom_kpis or {})}
    for name in [*units, *sorted(reported - units.keys())]:
        values = [_number((row.custom_kpis or {}).get(name)) for row in check_ins]
        if any(value is not None for value in values):
            unit = units.get(name, "")
            label = f"{name} ({unit})" if unit else name
            series.append(KpiSeries(name, label, unit, False, values))
    return VentureKpis(venture, weeks, series)
