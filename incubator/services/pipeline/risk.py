"""Which ventures are at risk, and why: the facts the rules read, loaded for many ventures
in a fixed number of queries. The rules themselves are in risk_rules.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVarTuple

from flask import current_app
from flask_babel import LazyString
from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    Subquery,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
)

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    CheckIn,
    Milestone,
    MilestoneStatus,
    PipelineFacts,
    Stage,
    StageChange,
    StagePlan,
    Venture,
    VentureStatus,
)
from incubator.models.base import UTCDateTime
from incubator.models.pipeline import OPEN_MILESTONE_STATUSES
from incubator.services import json_rows
from incubator.services.pipeline import facts, risk_rules
from incubator.services.pipeline.risk_rules import RiskReason, Thresholds, VentureFacts
from incubator.services.pipeline.stages import stage_label

__all__ = [
    "RISK_CODES",
    "RiskReason",
    "VentureSignals",
    "any_rule",
    "assess",
    "at_risk_codes",
    "at_risk_condition",
    "at_risk_counts",
    "at_risk_filter",
    "cohort_plans",
    "open_due_dates",
    "reasons",
    "risk_rows",
    "signals",
    "stored_columns",
    "stored_signals",
    "thresholds",
    "with_facts",
]

DONE_STATUSES = (MilestoneStatus.DONE, MilestoneStatus.VERIFIED)


@dataclass
class VentureSignals:
    """What the pipeline board reads about one venture: the facts the risk rules read, and
    how many of its milestones are done."""

    facts: VentureFacts
    milestones_done: int = 0
    milestones_total: int = 0

    @property
    def last_check_in_on(self) -> date | None:
        return self.facts.last_check_in_on


@dataclass
class _Loading:
    """One venture's facts while the queries fill them in."""

    open_due_dates: list[date] = field(default_factory=list)
    milestones_done: int = 0
    milestones_total: int = 0
    last_check_in_on: date | None = None
    recent_confidences: tuple[int, ...] = ()
    joined_at: datetime | None = None
    stage_since: datetime | None = None


def thresholds() -> Thresholds:
    """The rules' thresholds, from the app's config."""
    config = current_app.config
    return Thresholds(
        no_check_in_days=config["RISK_NO_CHECK_IN_DAYS"],
        low_confidence=config["RISK_LOW_CONFIDENCE"],
        low_confidence_streak=config["RISK_LOW_CONFIDENCE_STREAK"],
    )


def _load_milestones(loading: dict[int, _Loading]) -> None:
    """Each venture's milestone counts and its open milestones' due dates: one query."""
    rows = db.session.execute(
        select(Milestone.venture_id, Milestone.status, Milestone.due_on).where(
            Milestone.venture_id.in_(list(loading))
        )
    )
    for venture_id, status, due_on in rows:
        found = loading[venture_id]
        found.milestones_total += 1
        if status in DONE_STATUSES:
            found.milestones_done += 1
        elif status in OPEN_MILESTONE_STATUSES and due_on is not None:
            found.open_due_dates.append(due_on)


def _load_check_ins(loading: dict[int, _Loading], streak: int) -> None:
    """Each venture's latest check-in week and its last `streak` confidences: one query."""
    ranked = (
        select(
            CheckIn.venture_id,
            CheckIn.week_start,
            CheckIn.confidence,
            func.row_number()
            .over(partition_by=CheckIn.venture_id, order_by=CheckIn.week_start.desc())
            .label("position"),
        )
        .where(CheckIn.venture_id.in_(list(loading)))
        .subquery()
    )
    # (venture id, week, confidence, 1 for the latest week)
    latest: Sequence[tuple[int, date, int, int]] = db.session.execute(
        select(ranked)
        .where(ranked.c.position <= streak)
        .order_by(ranked.c.venture_id, ranked.c.position)
    ).all()
    recent: dict[int, list[int]] = defaultdict(list)
    for venture_id, week_start, confidence, position in latest:
        if position == 1:
            loading[venture_id].last_check_in_on = week_start
        recent[venture_id].append(confidence)
    for venture_id, confidences in recent.items():
        loading[venture_id].recent_confidences = tuple(confidences)


def _load_stage_changes(loading: dict[int, _Loading]) -> None:
    """When each venture joined the pipeline and entered its present stage: one query."""
    for venture_id, joined, since in db.session.execute(
        select(
            StageChange.venture_id,
            func.min(StageChange.changed_at),
            func.max(StageChange.changed_at),
        )
        .where(StageChange.venture_id.in_(list(loading)))
        .group_by(StageChange.venture_id)
    ):
        loading[venture_id].joined_at = _aware(joined)
        loading[venture_id].stage_since = _aware(since)


def _expected_days(ventures: list[Venture]) -> dict[tuple[int, str], int]:
    """How long each of their cohorts expects each stage to take: one query."""
    cohort_ids = {venture.cohort_id for venture in ventures}
    return {
        (plan.cohort_id, plan.stage): plan.expected_days
        for plan in db.session.scalars(select(StagePlan).where(StagePlan.cohort_id.in_(cohort_ids)))
    }


def signals(ventures: Iterable[Venture]) -> dict[int, VentureSignals]:
    """What the rules and the board read about many ventures, in a fixed number of queries
    (dates the rules compare with today, so the day is not needed here)."""
    ventures = list(ventures)
    if not ventures:
        return {}
    loading = {venture.id: _Loading() for venture in ventures}
    _load_milestones(loading)
    _load_check_ins(loading, thresholds().low_confidence_streak)
    _load_stage_changes(loading)
    expected = _expected_days(ventures)
    return {venture.id: _signals(venture, loading[venture.id], expected) for venture in ventures}


def _signals(
    venture: Venture, found: _Loading, expected: dict[tuple[int, str], int]
) -> VentureSignals:
    """One venture's loaded facts, on the program's calendar; a venture without stage
    changes counts from when it was created."""
    joined_at = found.joined_at or venture.created_at
    stage_since = found.stage_since or venture.created_at
    facts = VentureFacts(
        stage_label=LazyString(stage_label, venture.stage),
        open_due_dates=tuple(found.open_due_dates),
        last_check_in_on=found.last_check_in_on,
        recent_confidences=found.recent_confidences,
        joined_on=clock.program_date(joined_at) if joined_at else None,
        stage_since_on=clock.program_date(stage_since) if stage_since else None,
        expected_days=expected.get((venture.cohort_id, venture.stage)),
    )
    return VentureSignals(facts, found.milestones_done, found.milestones_total)


# The same facts, read from the ventures' stored rows ----------------------------------------
#
# A page of the board reads each shown venture's PipelineFacts row with the venture itself, in
# the statement that reads its name, and gives the rules what they read from it. The row keeps
# the earliest open due date and the length of the latest run of low check-ins, not every due
# date and confidence: those are read, in one statement each, only for the ventures the row
# says a rule may apply to (a due date passed, a low run as long as the streak), so that the
# rules count the overdue milestones and judge the confidences themselves.


def stored_columns(plans: Mapping[str, int]) -> tuple[SQLColumnExpression[Any], ...]:
    """What `stored_signals` reads from a statement over Venture joined to its PipelineFacts,
    for ventures of the cohort whose stage plans are `plans` (see cohort_plans). The facts
    this transaction has changed are written first."""
    facts.settle()
    expected = (case(plans, value=Venture.stage, else_=null()) if plans else null()).label(
        "expected_days"
    )
    return (
        Venture.id.label("venture_id"),
        Venture.stage.label("venture_stage"),
        PipelineFacts.first_open_due_on,
        PipelineFacts.last_check_in_on,
        facts.low_run(thresholds().low_confidence).label("low_run"),
        PipelineFacts.joined_at,
        PipelineFacts.stage_since_at,
        PipelineFacts.milestones_done,
        PipelineFacts.milestones_total,
        expected,
    )


def open_due_dates(venture_id: Any, outer: Any) -> Any:
    """The due dates of a venture's open milestones that have one, as JSON: a column for a
    query over `outer` (Venture, or a subquery of rows) whose venture is `venture_id`, read
    by the venture's key. `stored_signals` reads it as "open_due_dates"."""
    return json_rows.rows_as_json(
        db.session.get_bind().dialect.name,
        select(Milestone.due_on)
        .where(
            Milestone.venture_id == venture_id,
            Milestone.status.in_(OPEN_MILESTONE_STATUSES),
            Milestone.due_on.is_not(None),
        )
        .correlate(outer),
        Milestone.due_on,
    ).label("open_due_dates")


def _due_dates(text: str | None) -> tuple[date, ...]:
    return tuple(date.fromisoformat(day) for (day,) in json_rows.decoded(text))


def stored_signals(rows: Sequence[Any], today: date) -> dict[int, VentureSignals]:
    """What the rules and the board read about the ventures of these rows (each with the
    columns of `stored_columns` and `open_due_dates`), by venture id: the rows themselves,
    and at most one small query, for the ventures with a run of low check-ins as long as the
    streak. The stages are named in the language of the moment, once each (the board says
    its reasons at once)."""
    labels = {stage.value: stage_label(stage) for stage in Stage}
    limits = thresholds()
    low = [row.venture_id for row in rows if row.low_run >= limits.low_confidence_streak > 0]
    confidences: dict[int, _Loading] = {venture_id: _Loading() for venture_id in low}
    if confidences:
        _load_check_ins(confidences, limits.low_confidence_streak)
    found = {}
    for row in rows:
        venture_facts = VentureFacts(
            stage_label=labels[row.venture_stage],
            # A due date matters to the rules once the earliest has passed.
            open_due_dates=(
                _due_dates(row.open_due_dates)
                if row.first_open_due_on is not None and row.first_open_due_on < today
                else ()
            ),
            last_check_in_on=row.last_check_in_on,
            recent_confidences=(
                confidences[row.venture_id].recent_confidences
                if row.venture_id in confidences
                else ()
            ),
            joined_on=_program_day(row.joined_at),
            stage_since_on=_program_day(row.stage_since_at),
            expected_days=row.expected_days,
        )
        found[row.venture_id] = VentureSignals(
            venture_facts, row.milestones_done, row.milestones_total
        )
    return found


def _program_day(value: datetime | str | None) -> date | None:
    moment = _aware(value)
    return None if moment is None else clock.program_date(moment)


def _aware(value: datetime | str | None) -> datetime | None:
    """A datetime read by an aggregate, in UTC: aggregates bypass the column type, so
    SQLite hands back naive UTC or even text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def reasons(signal: VentureSignals, today: date) -> list[RiskReason]:
    """Why a venture is at risk, with the thresholds from config; empty when it is not."""
    return risk_rules.reasons(signal.facts, today, thresholds())


def assess(ventures: Iterable[Venture], today: date) -> dict[int, list[RiskReason]]:
    """The risk reasons of many ventures at once."""
    found = signals(ventures)
    rules_thresholds = thresholds()
    return {
        venture_id: risk_rules.reasons(signal.facts, today, rules_thresholds)
        for venture_id, signal in found.items()
    }


# The same rules in SQL ----------------------------------------------------------------------
#
# The board filters and sorts by risk and the home page counts the ventures at risk without
# loading them: the query below answers, for every venture a condition selects, which rules
# apply, by code, from its row of derived facts (facts.py), one narrow row per venture
# whatever its history. The rules' dates are on the program's calendar; a timestamp
# falls before day D there exactly when it is earlier than the moment D begins, so the
# timestamps are compared with those moments, worked out here, and no database needs to
# know the time zone. tests/test_risk_sql.py proves it agrees with risk_rules on random data.

RISK_CODES = ("overdue_milestone", "no_check_in", "low_confidence", "stalled")


def _day_begins(day: date) -> datetime:
    """The moment a day on the program's calendar begins, in UTC."""
    return datetime.combine(day, time(0), clock.program_zone()).astimezone(UTC)


def _stage_deadline(
    expected_days: SQLColumnExpression[int], today: date
) -> ColumnElement[datetime] | None:
    """For a venture that entered its stage before the value, longer in it than expected:
    the moment `today - expected_days` began, for every expectation any cohort has (stage
    plans are a few rows per cohort; one small query). None when no cohort has a plan."""
    found = db.session.scalars(select(StagePlan.expected_days).distinct()).all()
    if not found:
        return None
    return case(
        {days: literal(_day_begins(today - timedelta(days=days)), UTCDateTime()) for days in found},
        value=expected_days,
        else_=null(),
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def cohort_plans(cohort_id: int) -> dict[str, int]:
    """How long a cohort expects each stage to take, by stage (the stages it has a plan for):
    one small query. Given to `risk_rows` for one cohort, it spares the join to the plans."""
    found = db.session.execute(
        select(StagePlan.stage, StagePlan.expected_days).where(StagePlan.cohort_id == cohort_id)
    )
    return {stage: days for stage, days in found}  # noqa: C416


def _stalled(today: date, plans: Mapping[str, int] | None) -> ColumnElement[bool]:
    """Longer in its stage than expected: by its cohort's StagePlan row (see with_facts), or,
    for ventures of one cohort, by that cohort's `plans`, a CASE on the venture's stage as
    its facts row carries it (so that the facts alone can be counted)."""
    if plans is None:
        deadline = _stage_deadline(StagePlan.expected_days, today)
        if deadline is None:
            return false()
        return StagePlan.expected_days.is_not(None) & (PipelineFacts.stage_since_at < deadline)
    if not plans:
        return false()
    by_stage = case(
        {
            stage: literal(_day_begins(today - timedelta(days=days)), UTCDateTime())
            for stage, days in plans.items()
        },
        value=PipelineFacts.stage,
        else_=null(),
    )
    return PipelineFacts.stage_since_at < by_stage


def _conditions(
    today: date, plans: Mapping[str, int] | None = None
) -> dict[str, ColumnElement[bool]]:
    """Each rule in RISK_CODES as a condition on a venture's PipelineFacts row and its
    cohort's StagePlan for its stage (see with_facts), or that cohort's `plans`."""
    facts.settle()
    limits = thresholds()
    silent_since = today - timedelta(days=limits.no_check_in_days)
    silent_began = literal(_day_begins(silent_since), UTCDateTime())
    return {
        "overdue_milestone": PipelineFacts.first_open_due_on < today,
        "no_check_in": (
            PipelineFacts.last_check_in_on.is_(None) & (PipelineFacts.joined_at < silent_began)
        )
        | (PipelineFacts.last_check_in_on < silent_since),
        "low_confidence": facts.low_run(limits.low_confidence) >= limits.low_confidence_streak,
        "stalled": _stalled(today, plans),
    }


Columns = TypeVarTuple("Columns")


def with_facts(statement: Select[*Columns]) -> Select[*Columns]:
    """A statement over Venture joined to what the rules read: its facts and stage plan."""
    return statement.join(PipelineFacts, PipelineFacts.venture_id == Venture.id).outerjoin(
        StagePlan,
        (StagePlan.cohort_id == Venture.cohort_id) & (StagePlan.stage == Venture.stage),
    )


def risk_rows(
    today: date, scope: ColumnElement[bool], plans: Mapping[str, int] | None = None
) -> Subquery:
    """One row per venture that `scope` (a condition on Venture) selects: a 0/1 column per
    rule in RISK_CODES, `reasons` (how many apply), `last_check_in_on`, `milestones_done`
    and `milestones_total`, as risk_rules and the board would count them, from the
    ventures' derived facts (facts.py) and the cohort's stage plans (`plans`, when `scope`
    selects ventures of one cohort only: see cohort_plans)."""
    # A NULL (a date that is not there) is no reason.
    columns = {code: _flag(condition) for code, condition in _conditions(today, plans).items()}
    statement = select(
        Venture.id.label("venture_id"),
        *(column.label(code) for code, column in columns.items()),
        sum(columns.values(), start=literal(0)).label("reasons"),
        PipelineFacts.last_check_in_on.label("last_check_in_on"),
        PipelineFacts.milestones_done.label("milestones_done"),
        PipelineFacts.milestones_total.label("milestones_total"),
    )
    if plans is None:
        statement = with_facts(statement)
    else:
        statement = statement.join(PipelineFacts, PipelineFacts.venture_id == Venture.id)
    return statement.where(scope).subquery("risk")


def at_risk_condition(today: date, plans: Mapping[str, int] | None = None) -> ColumnElement[bool]:
    """At least one rule applies (the database stops at the first that does); never NULL,
    so that its negation holds for the ventures no rule applies to. A condition on the FROM
    of `risk_rows` given the same `plans`."""
    return func.coalesce(or_(*_conditions(today, plans).values()), false())


def any_rule(today: date, plans: Mapping[str, int] | None = None) -> ColumnElement[bool]:
    """At least one rule applies, as `at_risk_condition`, but NULL rather than false for
    some ventures no rule applies to: for a WHERE or a FILTER (where NULL does not pass),
    never negated. SQLite counts with it in half the time: the COALESCE had it work out
    every rule for every venture."""
    return or_(*_conditions(today, plans).values())


def at_risk_filter(today: date, scope: ColumnElement[bool], at_risk: bool = True):
    """A condition on Venture: at risk (or, with at_risk=False, not), among those `scope`
    selects; for a query's WHERE."""
    chosen = with_facts(select(Venture.id)).where(scope)
    return Venture.id.in_(
        chosen.where(at_risk_condition(today) if at_risk else ~at_risk_condition(today))
    )


def at_risk_codes(
    today: date, scope: ColumnElement[bool], plans: Mapping[str, int] | None = None
) -> dict[int, list[str]]:
    """The codes of the rules that apply to each venture `scope` selects, at risk or not."""
    rows = risk_rows(today, scope, plans)
    found = db.session.execute(select(rows.c.venture_id, *(rows.c[code] for code in RISK_CODES)))
    return {
        int(row[0]): [code for code, flag in zip(RISK_CODES, row[1:], strict=True) if flag]
        for row in found
    }


def at_risk_counts(cohort_ids: Collection[int], today: date) -> dict[int, int]:
    """How many active ventures of each of these cohorts are at risk (cohorts with none are
    left out), counted by the database."""
    if not cohort_ids:
        return {}
    # From the facts alone, which carry each venture's cohort, status and stage.
    found = db.session.execute(
        select(PipelineFacts.cohort_id, func.count())
        .outerjoin(
            StagePlan,
            (StagePlan.cohort_id == PipelineFacts.cohort_id)
            & (StagePlan.stage == PipelineFacts.stage),
        )
        .where(
            PipelineFacts.cohort_id.in_(list(cohort_ids)),
            PipelineFacts.status == VentureStatus.ACTIVE,
            any_rule(today),
        )
        .group_by(PipelineFacts.cohort_id)
    )
    return {cohort_id: count for cohort_id, count in found}  # noqa: C416
