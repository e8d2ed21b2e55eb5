"""Pipeline analytics from the stage history: stage counts over time, time in stage,
conversion between stages, and a venture's KPIs over the weeks.

A cohort's numbers are aggregated by the database, in three queries whatever the size of
the cohort: its ventures by stage, status and furthest stage reached; the middle stays of
each stage (window functions pick them); and the weeks each stage lasted for each move,
grouped. Python only adds up the few grouped rows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ColumnExpressionArgument,
    case,
    exists,
    func,
    null,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

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
from incubator.services.pipeline.stages import STAGES

SECONDS_PER_DAY = 86_400
MICROSECONDS_PER_SECOND = 10**6
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


class _MicrosecondsBetween(FunctionElement[int]):
    """The whole microseconds from one stored instant to a later one (start, end)."""

    type = BigInteger()
    name = "microseconds_between"
    inherit_cache = True


@compiles(_MicrosecondsBetween, "sqlite")
def _microseconds_on_sqlite(element: _MicrosecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps instants as "YYYY-MM-DD HH:MM:SS.ffffff" text in UTC. Its date functions
    # round to the millisecond (and .9995 up to the next second), so the whole seconds are
    # read without the fraction and the fraction's six digits added.
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)

    def micros(instant: str) -> str:
        return (
            f"(CAST(strftime('%s', substr({instant}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr(substr({instant}, 21) || '000000', 1, 6) AS INTEGER))"
        )

    return f"({micros(end)} - {micros(start)})"


@compiles(_MicrosecondsBetween, "postgresql")
def _microseconds_on_postgresql(
    element: _MicrosecondsBetween, compiler: SQLCompiler, **kw: Any
) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) * 1000000 AS BIGINT)"


def _stage_position(column: ColumnExpressionArgument[str]) -> ColumnElement[int]:
    """A stage column's place in the pipeline, 0 for concept."""
    return case({stage.value: position for position, stage in enumerate(STAGES)}, value=column)


def _recorded_moves(cohort: Cohort, *conditions: ColumnElement[bool]):
    """The cohort's recorded moves, each with the instant of the venture's next move (NULL for
    its last): how long the stage it moved to lasted."""
    return (
        select(
            StageChange.venture_id,
            StageChange.to_stage.label("stage"),
            StageChange.changed_at.label("at"),
            func.lead(StageChange.changed_at)
            .over(
                partition_by=StageChange.venture_id,
                order_by=(StageChange.changed_at, StageChange.id),
            )
            .label("next_at"),
        )
        .join(Venture, Venture.id == StageChange.venture_id)
        .where(Venture.cohort_id == cohort.id, *conditions)
    )


def _never_moved() -> ColumnElement[bool]:
    """A venture with no recorded move: it has been at its stage since it was made."""
    return ~exists().where(StageChange.venture_id == Venture.id)


@dataclass(frozen=True)
class _Ventures:
    distribution: dict[Stage, int]
    active: int
    archived: int
    # How many ventures (archived too) got at least as far as each stage.
    reached: list[int]


def _ventures(cohort: Cohort) -> _Ventures:
    """The cohort's ventures counted by stage, status and the furthest stage they reached."""
    furthest_recorded = (
        select(
            StageChange.venture_id,
            func.max(_stage_position(StageChange.to_stage)).label("furthest"),
        )
        .join(Venture, Venture.id == StageChange.venture_id)
        .where(Venture.cohort_id == cohort.id)
        .group_by(StageChange.venture_id)
        .subquery()
    )
    # A venture with no recorded move got as far as its stage.
    furthest = func.coalesce(furthest_recorded.c.furthest, _stage_position(Venture.stage))
    # (stage, status, furthest stage's position, ventures)
    rows: Sequence[tuple[str, str, int, int]] = db.session.execute(
        select(Venture.stage, Venture.status, furthest, func.count(Venture.id))
        .outerjoin(furthest_recorded, furthest_recorded.c.venture_id == Venture.id)
        .where(Venture.cohort_id == cohort.id)
        .group_by(Venture.stage, Venture.status, furthest)
    ).all()
    distribution = dict.fromkeys(STAGES, 0)
    reached = [0] * len(STAGES)
    active = archived = 0
    for stage, status, furthest_position, count in rows:
        if status == VentureStatus.ACTIVE:
            distribution[Stage(stage)] += count
            active += count
        else:
            archived += count
        # A venture that skipped a stage has passed through it: the funnel only narrows.
        for position in range(int(furthest_position) + 1):
            reached[position] += count
    return _Ventures(distribution, active, archived, reached)


def _conversions(reached: list[int]) -> list[Conversion]:
    return [
        Conversion(stage, following, reached[position], reached[position + 1])
        for position, (stage, following) in enumerate(pairwise(STAGES))
    ]


def _days(microseconds: int) -> float:
    return microseconds / MICROSECONDS_PER_SECOND / SECONDS_PER_DAY


def _stage_times(cohort: Cohort) -> list[StageTime]:
    """The median finished stay in each stage: the database ranks the stays and returns only
    the middle one or two of each stage, with how many stays and ventures there were."""
    moves = _recorded_moves(cohort).subquery("moves")
    stays = (
        select(
            moves.c.stage,
            moves.c.venture_id,
            _MicrosecondsBetween(moves.c.at, moves.c.next_at).label("length"),
        )
        .where(moves.c.next_at.is_not(None))
        .cte("stays")
    )
    ranked = select(
        stays.c.stage,
        stays.c.length,
        func.row_number().over(partition_by=stays.c.stage, order_by=stays.c.length).label("rank"),
        func.count().over(partition_by=stays.c.stage).label("stays"),
    ).subquery("ranked")
    per_stage = (
        select(stays.c.stage, func.count(stays.c.venture_id.distinct()).label("ventures"))
        .group_by(stays.c.stage)
        .subquery("per_stage")
    )
    # (stage, its stays, its ventures, the length of a middle stay in microseconds)
    rows: Sequence[tuple[str, int, int, int]] = db.session.execute(
        select(ranked.c.stage, ranked.c.stays, per_stage.c.ventures, ranked.c.length)
        .join(per_stage, per_stage.c.stage == ranked.c.stage)
        # The middle one of an odd number, the middle two of an even number.
        .where(ranked.c.rank * 2 >= ranked.c.stays, ranked.c.rank * 2 <= ranked.c.stays + 2)
        .order_by(ranked.c.stage, ranked.c.length)
    ).all()
    middle: dict[Stage, list[float]] = defaultdict(list)
    counted: dict[Stage, tuple[int, int]] = {}
    for stage, stays_count, ventures, length in rows:
        middle[Stage(stage)].append(_days(int(length)))
        counted[Stage(stage)] = (int(stays_count), int(ventures))
    return [
        StageTime(
            stage,
            statistics.median(middle[stage]) if middle[stage] else None,
            *counted.get(stage, (0, 0)),
        )
        for stage in STAGES
    ]


def _week_ends(starts_on: date, until: date) -> tuple[list[date], list[datetime]]:
    """The Mondays from the cohort's start to `until`, and the instant each week ends.

    A week ends at midnight starting its next Monday, in the program's time zone; the
    running week ends with `until`.
    """
    mondays = []
    monday = clock.week_start(starts_on)
    while monday <= until:
        mondays.append(monday)
        monday += timedelta(days=7)
    last_moment = clock.at(until + timedelta(days=1))
    return mondays, [min(clock.at(monday + timedelta(days=7)), last_moment) for monday in mondays]


def _first_week_ending_after(instant: ColumnElement[datetime], ends: Sequence[datetime]):
    """The index of the first week that ends after the instant (len(ends) if none does)."""
    return case(*((instant < end, week) for week, end in enumerate(ends)), else_=len(ends))


def _week_counts(cohort: Cohort, starts_on: date, until: date) -> list[WeekCount]:
    """How many active ventures were at each stage at the end of each week.

    A move puts its venture at its stage for the weeks ending after it and not after the
    venture's next move; the database groups the moves by stage and by those two weeks, and
    the few groups are added up week by week here.
    """
    mondays, ends = _week_ends(starts_on, until)
    if not mondays:
        return []
    active = Venture.status == VentureStatus.ACTIVE
    recorded = _recorded_moves(cohort, active).subquery("recorded")
    unmoved = select(
        Venture.id.label("venture_id"),
        Venture.stage.label("stage"),
        Venture.created_at.label("at"),
        null().label("next_at"),
    ).where(Venture.cohort_id == cohort.id, active, _never_moved())
    moves = select(recorded).union_all(unmoved).subquery("moves")
    first = _first_week_ending_after(moves.c.at, ends)
    last = case(
        (moves.c.next_at.is_(None), len(ends)),
        else_=_first_week_ending_after(moves.c.next_at, ends),
    )
    # (stage, the first week it counts in, the first week it no longer does, moves)
    rows: Sequence[tuple[str, int, int, int]] = db.session.execute(
        select(moves.c.stage, first, last, func.count()).group_by(moves.c.stage, first, last)
    ).all()
    change: list[dict[Stage, int]] = [dict.fromkeys(STAGES, 0) for _ in range(len(ends) + 1)]
    for stage, from_week, until_week, count in rows:
        change[from_week][Stage(stage)] += count
        change[until_week][Stage(stage)] -= count
    weeks = []
    running = dict.fromkeys(STAGES, 0)
    for week, monday in enumerate(mondays):
        for stage in STAGES:
            running[stage] += change[week][stage]
        weeks.append(WeekCount(monday, dict(running)))
    return weeks


def cohort_analytics(cohort: Cohort, today: date) -> CohortAnalytics:
    """A cohort's pipeline from its stage history, aggregated by the database in three
    queries.

    Counts over time and the current distribution are of the active ventures; time in stage
    and conversion count archived ventures too, since leaving is part of the pipeline.
    """
    counted = _ventures(cohort)
    until = min(today, cohort.ends_on)
    return CohortAnalytics(
        cohort=cohort,
        today=today,
        until=until,
        weeks=_week_counts(cohort, cohort.starts_on, until),
        stage_times=_stage_times(cohort),
        conversions=_conversions(counted.reached),
        distribution=counted.distribution,
        active=counted.active,
        archived=counted.archived,
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
