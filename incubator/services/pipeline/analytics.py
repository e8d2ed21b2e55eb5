"""Pipeline analytics from the stage history: stage counts over time, time in stage,
conversion between stages, and a venture's KPIs over the weeks.

A cohort's numbers are aggregated by the database in one query whatever the size of the
cohort: its moves are read once (each with when its stay ended, stored beside it: stamps.py)
and give the ventures by stage, status and furthest stage reached, the middle stays of each
stage (window functions rank them) and the moves grouped by the weeks they count in. Python
only adds up the few grouped rows.
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
    CTE,
    BigInteger,
    ColumnElement,
    ColumnExpressionArgument,
    Select,
    case,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
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
from incubator.services.pipeline import stamps
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
    # read without the fraction (julianday, exact once rounded to the second; strftime('%s')
    # is many times slower) and the fraction's six digits added.
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)

    def micros(instant: str) -> str:
        return (
            f"(CAST(round((julianday(substr({instant}, 1, 19)) - 2440587.5) * 86400) AS INTEGER)"
            f" * 1000000 + CAST(substr(substr({instant}, 21) || '000000', 1, 6) AS INTEGER))"
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


def _moves(cohort: Cohort) -> CTE:
    """Every move of the cohort's ventures (archived too), with the venture's stage and status
    now and the instant the stay it began ended (its `ended_at`, the venture's next move; NULL
    for its last): how long the stage it moved to lasted. A venture with no recorded move has
    been at its stage since it was made.
    """
    recorded = (
        select(
            Venture.id.label("venture_id"),
            Venture.stage.label("now"),
            Venture.status.label("status"),
            StageChange.to_stage.label("stage"),
            StageChange.changed_at.label("at"),
            StageChange.ended_at.label("next_at"),
        )
        .join(Venture, Venture.id == StageChange.venture_id)
        .where(Venture.cohort_id == cohort.id)
    )
    unmoved = select(
        Venture.id, Venture.stage, Venture.status, Venture.stage, Venture.created_at, null()
    ).where(
        Venture.cohort_id == cohort.id,
        ~exists().where(StageChange.venture_id == Venture.id),
    )
    return recorded.union_all(unmoved).cte("moves")


# Which of the three aggregates a row of the statement belongs to.
FURTHEST, STAY, WEEKS = "furthest", "stay", "weeks"


def _furthest(moves: CTE) -> Select[Any]:
    """(FURTHEST, stage now, furthest stage's position, 1 if active, ventures)."""
    per_venture = (
        select(
            moves.c.now,
            moves.c.status,
            func.max(_stage_position(moves.c.stage)).label("furthest"),
        )
        .group_by(moves.c.venture_id, moves.c.now, moves.c.status)
        .subquery("per_venture")
    )
    active = case((per_venture.c.status == VentureStatus.ACTIVE, 1), else_=0)
    return select(
        literal_column(f"'{FURTHEST}'"),
        per_venture.c.now,
        per_venture.c.furthest,
        active,
        func.count(),
    ).group_by(per_venture.c.now, per_venture.c.furthest, active)


def _middle_stays(moves: CTE) -> Select[Any]:
    """(STAY, stage, its finished stays, its ventures, length of a middle stay in µs): the
    stays of each stage ranked, and only the middle one (odd) or two (even) returned."""
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
    return (
        select(
            literal_column(f"'{STAY}'"),
            ranked.c.stage,
            ranked.c.stays,
            per_stage.c.ventures,
            ranked.c.length,
        )
        .join(per_stage, per_stage.c.stage == ranked.c.stage)
        .where(ranked.c.rank * 2 >= ranked.c.stays, ranked.c.rank * 2 <= ranked.c.stays + 2)
    )


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


def _first_week_ending_after(
    instant: ColumnElement[datetime], ends: Sequence[datetime], first: int = 0, last: int = -1
) -> ColumnElement[int]:
    """The index of the first week that ends after the instant (len(ends) if none does),
    found by halving the weeks: a handful of comparisons a move, not one a week."""
    last = len(ends) if last < 0 else last
    if first == last:
        return literal_column(str(first))
    middle = (first + last) // 2
    return case(
        (instant < ends[middle], _first_week_ending_after(instant, ends, first, middle)),
        else_=_first_week_ending_after(instant, ends, middle + 1, last),
    )


def _weeks(moves: CTE, ends: Sequence[datetime]) -> Select[Any]:
    """(WEEKS, stage, first week, first week after, moves) for the active ventures' moves.

    A move puts its venture at its stage for the weeks ending after it and not after the
    venture's next move: grouped by stage and those two weeks, the moves come back as a few
    rows that are added up week by week.
    """
    first = _first_week_ending_after(moves.c.at, ends)
    after = case(
        (moves.c.next_at.is_(None), len(ends)),
        else_=_first_week_ending_after(moves.c.next_at, ends),
    )
    return (
        select(literal_column(f"'{WEEKS}'"), moves.c.stage, first, after, func.count())
        .where(moves.c.status == VentureStatus.ACTIVE)
        .group_by(moves.c.stage, first, after)
    )


def _days(microseconds: int) -> float:
    return microseconds / MICROSECONDS_PER_SECOND / SECONDS_PER_DAY


def cohort_analytics(cohort: Cohort, today: date) -> CohortAnalytics:
    """A cohort's pipeline from its stage history, aggregated by the database in one query.

    Counts over time and the current distribution are of the active ventures; time in stage
    and conversion count archived ventures too, since leaving is part of the pipeline.
    """
    # Moves this transaction made are read with the ends of the stays they ended.
    stamps.settle_stays()
    until = min(today, cohort.ends_on)
    mondays, ends = _week_ends(cohort.starts_on, until)
    moves = _moves(cohort)
    parts = [_furthest(moves), _middle_stays(moves)]
    if mondays:
        parts.append(_weeks(moves, ends))
    # (part, stage, and three numbers whose meaning depends on the part)
    rows: Sequence[tuple[str, str, int, int, int]] = db.session.execute(union_all(*parts)).all()

    distribution = dict.fromkeys(STAGES, 0)
    reached = [0] * len(STAGES)
    active = archived = 0
    middle: dict[Stage, list[float]] = defaultdict(list)
    stays: dict[Stage, tuple[int, int]] = {}
    change = [dict.fromkeys(STAGES, 0) for _ in range(len(ends) + 1)]
    for part, stage_value, first, second, third in rows:
        stage = Stage(stage_value)
        if part == FURTHEST:
            furthest, is_active, count = first, second, third
            if is_active:
                distribution[stage] += count
                active += count
            else:
                archived += count
            # A venture that skipped a stage has passed through it: the funnel only narrows.
            for position in range(int(furthest) + 1):
                reached[position] += count
        elif part == STAY:
            stays[stage] = (int(first), int(second))
            middle[stage].append(_days(int(third)))
        else:
            from_week, after_week, count = first, second, third
            change[from_week][stage] += count
            change[after_week][stage] -= count

    weeks = []
    running = dict.fromkeys(STAGES, 0)
    for week, monday in enumerate(mondays):
        for stage in STAGES:
            running[stage] += change[week][stage]
        weeks.append(WeekCount(monday, dict(running)))
    return CohortAnalytics(
        cohort=cohort,
        today=today,
        until=until,
        weeks=weeks,
        stage_times=[
            StageTime(
                stage,
                statistics.median(middle[stage]) if middle[stage] else None,
                *stays.get(stage, (0, 0)),
            )
            for stage in STAGES
        ],
        conversions=[
            Conversion(stage, following, reached[position], reached[position + 1])
            for position, (stage, following) in enumerate(pairwise(STAGES))
        ],
        distribution=distribution,
        active=active,
        archived=archived,
    )


def kept_cohort_analytics(
    cohort: Cohort, today: date, found: stamps.Reading | None = None
) -> CohortAnalytics:
    """`cohort_analytics`, computed once per cohort stamp and day in this worker: the page and
    its two charts share it, and so do the page views until something changes (stamps.py).
    `found` is the stamp the caller has read already (read here otherwise)."""
    found = found if found is not None else stamps.reading(cohort, today)
    kept = stamps.remembered(found, "analytics", lambda: cohort_analytics(cohort, today))
    # The numbers are kept; the cohort is the one this request loaded.
    return replace(kept, cohort=cohort)


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
