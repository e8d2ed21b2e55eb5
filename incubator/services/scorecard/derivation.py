"""The one service that turns what the app already holds into scorecard figures.

Investments, pilots (with their sites and reach), the check-in KPIs mapped to metrics and
the ventures' stage history are read, and every derived metric gets a figure for every
complete period since the first cohort began: for the city, for each neighbourhood with
data, and for the Promise Zone and the rest of the city. `refresh` writes only what changed:
a changed figure keeps its old value in its history, a figure with nothing behind it any more
is withdrawn (kept, not deleted). Nobody types these figures in.

How items are placed:

- a venture serves the neighbourhoods on its profile ("Citywide" or none: the city only);
- a pilot takes place at its sites' neighbourhoods, or, without sites, its venture's;
- counts (ventures, pilots, survival) count an item once in every place it touches, and once
  in the city, so the Promise Zone's figure is the number of distinct items touching it;
- amounts (money, KPIs, residents reached) are shared equally among the item's places.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from flask_babel import ngettext
from sqlalchemy import func, select, text

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    AuditEvent,
    CheckIn,
    Cohort,
    CustomKpi,
    Derivation,
    Geography,
    Investment,
    KpiAggregation,
    KpiKind,
    KpiMapping,
    Metric,
    Neighbourhood,
    Observation,
    Organisation,
    OrganisationKind,
    Origin,
    Pilot,
    PilotSite,
    PilotStatus,
    RevisionAction,
    ScorecardRefresh,
    StageChange,
    User,
    Venture,
    VentureStatus,
    utcnow,
)
from incubator.services import audit
from incubator.services.scorecard import periods
from incubator.services.scorecard.observations import _revision, today, tracking_started_on

# Derivations built from ventures' own numbers carry how many ventures stand behind each
# figure, so that a place resting on too few is not published (cityscore.hidden_cells).
PRIVATE_DERIVATIONS = {Derivation.CAPITAL_RAISED, Derivation.CHECK_IN_KPIS}
# Amounts are shared among an item's places; counts count in each.
SPLIT_DERIVATIONS = {
    Derivation.CAPITAL_RAISED,
    Derivation.RESIDENTS_SERVED,
    Derivation.CHECK_IN_KPIS,
}
# A venture's last report of a level KPI counts for this long after it was made.
LEVEL_KEEPS = timedelta(weeks=13)
GRADUATE_SURVIVES = timedelta(days=365)
# PostgreSQL advisory lock key: one refresh at a time ("scorecard" in ASCII).
REFRESH_LOCK = 0x73636F7265


@dataclass(frozen=True)
class Contribution:
    """One item counted in one period: a venture, a pilot, an investment, a KPI report."""

    period_start: date
    item: Hashable
    venture_id: int
    places: frozenset[int]
    amount: float
    denominator: float | None = None


@dataclass(frozen=True)
class Figure:
    value: float
    denominator: float | None
    contributors: int | None


Key = tuple[date, str, int | None]


@dataclass
class Facts:
    """What every derivation needs about ventures and places, read once."""

    today: date
    began: date
    promise_zone: frozenset[int]
    venture_places: dict[int, frozenset[int]]
    venture_status: dict[int, str]
    archived_on: dict[int, date]


@dataclass
class RefreshReport:
    inserted: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    metrics: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """What a refresh did, in the request's language (English on the command line)."""
        return ngettext(
            "%(num)d derived metric: %(inserted)d new figures, %(updated)d changed, "
            "%(withdrawn)d withdrawn, %(unchanged)d unchanged.",
            "%(num)d derived metrics: %(inserted)d new figures, %(updated)d changed, "
            "%(withdrawn)d withdrawn, %(unchanged)d unchanged.",
            len(self.metrics),
            inserted=self.inserted,
            updated=self.updated,
            withdrawn=self.withdrawn,
            unchanged=self.unchanged,
        )


# Aggregating contributions into figures (pure) ---------------------------------------------


def figures(
    contributions: Iterable[Contribution],
    promise_zone: frozenset[int],
    *,
    split: bool,
    count_contributors: bool,
) -> dict[Key, Figure]:
    """Each period's figure for the city, each neighbourhood, the Promise Zone and the rest."""
    value: dict[Key, float] = defaultdict(float)
    denominator: dict[Key, float] = defaultdict(float)
    rated: dict[Key, bool] = {}
    ventures: dict[Key, set[int]] = defaultdict(set)

    def add(key: Key, share: float, item: Contribution) -> None:
        value[key] += item.amount * share
        if item.denominator is not None:
            denominator[key] += item.denominator * share
        rated[key] = rated.get(key, True) and item.denominator is not None
        ventures[key].add(item.venture_id)

    for item in contributions:
        start = item.period_start
        add((start, Geography.CITY, None), 1.0, item)
        places = item.places
        if not places:
            continue
        each = 1.0 / len(places) if split else 1.0
        for place in places:
            add((start, Geography.NEIGHBOURHOOD, place), each, item)
        inside = len(places & promise_zone)
        outside = len(places) - inside
        if inside:
            add((start, Geography.PROMISE_ZONE, None), inside * each if split else 1.0, item)
        if outside:
            add((start, Geography.REST_OF_CITY, None), outside * each if split else 1.0, item)
    return {
        key: Figure(
            round(value[key], 6),
            round(denominator[key], 6) if rated[key] and denominator[key] > 0 else None,
            len(ventures[key]) if count_contributors else None,
        )
        for key in value
    }


# Reading the app's records ---------------------------------------------------------------


def _facts(day: date, began: date) -> Facts:
    zone: set[int] = set()
    ids_by_name: dict[str, int] = {}
    for neighbourhood_id, name, in_zone in db.session.execute(
        select(Neighbourhood.id, Neighbourhood.name, Neighbourhood.promise_zone)
    ):
        ids_by_name[name] = neighbourhood_id
        if in_zone:
            zone.add(neighbourhood_id)
    places, status = {}, {}
    for venture_id, names, venture_status in db.session.execute(
        select(Venture.id, Venture.neighbourhoods, Venture.status)
    ):
        places[venture_id] = frozenset(ids_by_name[n] for n in names or [] if n in ids_by_name)
        status[venture_id] = venture_status
    # When a venture left: its archiving is recorded in the audit trail only.
    archived = {}
    for object_id, at in db.session.execute(
        select(AuditEvent.object_id, func.min(AuditEvent.created_at))
        .where(AuditEvent.action == "venture.archived", AuditEvent.object_type == "venture")
        .group_by(AuditEvent.object_id)
    ):
        if object_id and object_id.isdigit():
            archived[int(object_id)] = clock.program_date(at)
    return Facts(day, began, frozenset(zone), places, status, archived)


def _archived_before(facts: Facts, venture_id: int, day: date) -> bool:
    if facts.venture_status.get(venture_id) != VentureStatus.ARCHIVED:
        return False
    left = facts.archived_on.get(venture_id)
    return left is not None and left < day


def ventures_supported(metric: Metric, facts: Facts) -> list[Contribution]:
    """Ventures in a cohort during the period: entered the pipeline by its end, cohort not
    over before its start, not archived before its start."""
    entries = db.session.execute(
        select(StageChange.venture_id, func.min(StageChange.changed_at), Cohort.ends_on)
        .join(Venture, Venture.id == StageChange.venture_id)
        .join(Cohort, Cohort.id == Venture.cohort_id)
        .group_by(StageChange.venture_id, Cohort.ends_on)
    ).all()
    found = []
    for start, end in periods.complete_periods(facts.began, facts.today, metric.frequency):
        for venture_id, entered_at, cohort_ends in entries:
            entered = clock.program_date(entered_at)
            if entered > end or cohort_ends < start or _archived_before(facts, venture_id, start):
                continue
            places = facts.venture_places.get(venture_id, frozenset())
            found.append(Contribution(start, venture_id, venture_id, places, 1.0))
    return found


def capital_raised(metric: Metric, facts: Facts) -> list[Contribution]:
    found = []
    for investment_id, venture_id, amount, invested_on in db.session.execute(
        select(Investment.id, Investment.venture_id, Investment.amount, Investment.invested_on)
    ):
        if invested_on < facts.began:
            continue
        start = periods.period_start(invested_on, metric.frequency)
        if periods.period_end(start, metric.frequency) >= facts.today:
            continue
        places = facts.venture_places.get(venture_id, frozenset())
        found.append(Contribution(start, investment_id, venture_id, places, float(amount)))
    return found


class PilotFacts(NamedTuple):
    """What the pilot derivations read of one pilot. `places` are the neighbourhoods of its
    sites, or its venture's when none of its sites is placed."""

    id: int
    venture_id: int
    partner_kind: str
    starts_on: date
    ends_on: date | None
    status: str
    residents_reached: int
    places: frozenset


def _pilots(facts: Facts) -> list[PilotFacts]:
    sites: dict[int, set[int]] = defaultdict(set)
    for pilot_id, neighbourhood_id in db.session.execute(
        select(PilotSite.pilot_id, PilotSite.neighbourhood_id).where(
            PilotSite.neighbourhood_id.is_not(None)
        )
    ):
        if neighbourhood_id is not None:  # always, by the WHERE; the column may be NULL
            sites[pilot_id].add(neighbourhood_id)
    rows = db.session.execute(
        select(
            Pilot.id,
            Pilot.venture_id,
            Organisation.kind,
            Pilot.starts_on,
            Pilot.ends_on,
            Pilot.status,
            Pilot.residents_reached,
        ).join(Organisation, Organisation.id == Pilot.organisation_id)
    ).all()
    return [
        PilotFacts(*row, frozenset(sites[row[0]]) or facts.venture_places.get(row[1], frozenset()))
        for row in rows
    ]


def _dated(day: date | None, metric: Metric, facts: Facts) -> date | None:
    """The start of the complete period since tracking began that holds `day`, or None."""
    if day is None or day < facts.began:
        return None
    start = periods.period_start(day, metric.frequency)
    return start if periods.period_end(start, metric.frequency) < facts.today else None


def _per_pilot(
    metric: Metric,
    facts: Facts,
    day_of: Callable[[PilotFacts], date | None],
    amount_of: Callable[[PilotFacts], float | None],
) -> list[Contribution]:
    """What each pilot adds (`amount_of`, None for nothing), in the complete period that
    holds the day `day_of` picks (its start or its end)."""
    found = []
    for pilot in _pilots(facts):
        start = _dated(day_of(pilot), metric, facts)
        amount = amount_of(pilot)
        if start is not None and amount is not None:
            found.append(Contribution(start, pilot.id, pilot.venture_id, pilot.places, amount))
    return found


def city_pilots_signed(metric: Metric, facts: Facts) -> list[Contribution]:
    """One for each pilot with a city department, in the period it started."""
    return _per_pilot(
        metric,
        facts,
        lambda pilot: pilot.starts_on,
        lambda pilot: 1.0 if pilot.partner_kind == OrganisationKind.CITY_DEPARTMENT else None,
    )


def pilots_adopted(metric: Metric, facts: Facts) -> list[Contribution]:
    """One for each pilot the city adopted, in the period it ended."""
    return _per_pilot(
        metric,
        facts,
        lambda pilot: pilot.ends_on,
        lambda pilot: 1.0 if pilot.status == PilotStatus.ADOPTED else None,
    )


PILOT_ENDED = {PilotStatus.COMPLETED, PilotStatus.ADOPTED, PilotStatus.STOPPED}


def residents_served(metric: Metric, facts: Facts) -> list[Contribution]:
    """The residents each ended pilot reached, in the period it ended."""
    return _per_pilot(
        metric,
        facts,
        lambda pilot: pilot.ends_on,
        lambda pilot: (
            float(pilot.residents_reached)
            if pilot.status in PILOT_ENDED and pilot.residents_reached
            else None
        ),
    )


def one_year_survival(metric: Metric, facts: Facts) -> list[Contribution]:
    """For each year, the ventures whose cohort ended the year before: 1 if not archived
    within a year of the cohort's end, else 0, over 1 (a rate)."""
    graduates = db.session.execute(
        select(Venture.id, Cohort.ends_on).join(Cohort, Cohort.id == Venture.cohort_id)
    ).all()
    found = []
    for start, end in periods.complete_periods(facts.began, facts.today, metric.frequency):
        for venture_id, cohort_ended in graduates:
            if not (
                start.year - 1 == cohort_ended.year and cohort_ended + GRADUATE_SURVIVES <= end
            ):
                continue
            if _archived_before(facts, venture_id, cohort_ended):
                continue  # left before graduating
            survived = not _archived_before(facts, venture_id, cohort_ended + GRADUATE_SURVIVES)
            places = facts.venture_places.get(venture_id, frozenset())
            found.append(Contribution(start, venture_id, venture_id, places, float(survived), 1.0))
    return found


def check_in_kpis(metric: Metric, facts: Facts) -> list[Contribution]:
    """The KPIs mapped to the metric, each venture's reports turned into one figure a period."""
    mappings = list(db.session.scalars(select(KpiMapping).where(KpiMapping.metric_id == metric.id)))
    found = []
    for mapping in mappings:
        reports = _kpi_reports(mapping)
        for venture_id, series in reports.items():
            found += _kpi_contributions(metric, facts, mapping, venture_id, series)
    return found


def _kpi_reports(mapping: KpiMapping) -> dict[int, list[tuple[date, float]]]:
    reports: dict[int, list[tuple[date, float]]] = defaultdict(list)
    if mapping.kpi_kind == KpiKind.STANDARD:
        column = getattr(CheckIn, mapping.kpi_name)
        # (venture id, week, value): a standard KPI's column is an int or a float, not NULL
        # by the WHERE.
        standard: Sequence[tuple[int, date, float]] = db.session.execute(
            select(CheckIn.venture_id, CheckIn.week_start, column)
            .where(column.is_not(None))
            .order_by(CheckIn.venture_id, CheckIn.week_start)
        ).all()
        for venture_id, week, value in standard:
            reports[venture_id].append((week, float(value)))
        return reports
    # Custom KPIs are per venture, by name; the mapping names them without case.
    named = select(CustomKpi.venture_id, CustomKpi.name).where(
        func.lower(CustomKpi.name) == mapping.kpi_name
    )
    names: dict[int, str] = dict(db.session.execute(named).all())
    if not names:
        return reports
    # (venture id, week, the check-in's custom KPIs by name).
    custom: Sequence[tuple[int, date, dict[str, Any] | None]] = db.session.execute(
        select(CheckIn.venture_id, CheckIn.week_start, CheckIn.custom_kpis)
        .where(CheckIn.venture_id.in_(sorted(names)))
        .order_by(CheckIn.venture_id, CheckIn.week_start)
    ).all()
    for venture_id, week, values in custom:
        reported = (values or {}).get(names[venture_id])
        if (
            isinstance(reported, int | float)
            and not isinstance(reported, bool)
            and math.isfinite(reported)
        ):
            reports[venture_id].append((week, float(reported)))
    return reports


def _kpi_contributions(
    metric: Metric,
    facts: Facts,
    mapping: KpiMapping,
    venture_id: int,
    series: list[tuple[date, float]],
) -> list[Contribution]:
    places = facts.venture_places.get(venture_id, frozenset())
    how = KpiAggregation(mapping.aggregation)
    found = []
    for start, end in periods.complete_periods(facts.began, facts.today, metric.frequency):
        within = [value for week, value in series if start <= week <= end]
        if how is KpiAggregation.SUM:
            amount = sum(within) if within else None
        else:
            at_end = _level(series, end)
            if how is KpiAggregation.LEVEL:
                amount = at_end
            else:
                before = _level(series, start - timedelta(days=1))
                if before is None and within:
                    before = within[0]
                amount = at_end - before if at_end is not None and before is not None else None
        if amount is not None:
            item = (mapping.id, venture_id)
            found.append(Contribution(start, item, venture_id, places, amount))
    return found


def _level(series: list[tuple[date, float]], day: date) -> float | None:
    """The latest report on or before `day`, if it is recent enough to stand."""
    latest = None
    for week, value in series:
        if week > day:
            break
        latest = (week, value)
    if latest is None or day - latest[0] > LEVEL_KEEPS:
        return None
    return latest[1]


RULES = {
    Derivation.VENTURES_SUPPORTED: ventures_supported,
    Derivation.CAPITAL_RAISED: capital_raised,
    Derivation.CITY_PILOTS_SIGNED: city_pilots_signed,
    Derivation.PILOTS_ADOPTED: pilots_adopted,
    Derivation.RESIDENTS_SERVED: residents_served,
    Derivation.ONE_YEAR_SURVIVAL: one_year_survival,
    Derivation.CHECK_IN_KPIS: check_in_kpis,
}


def derive(metric: Metric, facts: Facts) -> dict[Key, Figure]:
    """The figures the app's records give a derived metric.

    A period with nothing to count is a zero for the city and the two zones (no pilot was
    adopted that month), not a gap; a rate with nothing to divide (no graduates that year)
    stays a gap. Neighbourhoods without anything are left out rather than stored as zeros.
    """
    if metric.derivation is None:
        raise ValueError(f"Metric {metric.code!r} has no derivation; it is not derived.")
    rule = Derivation(metric.derivation)
    private = rule in PRIVATE_DERIVATIONS
    found = figures(
        RULES[rule](metric, facts),
        facts.promise_zone,
        split=rule in SPLIT_DERIVATIONS,
        count_contributors=private,
    )
    if rule is not Derivation.ONE_YEAR_SURVIVAL:
        zero = Figure(0.0, None, 0 if private else None)
        for start, _end in periods.complete_periods(facts.began, facts.today, metric.frequency):
            for where in (Geography.CITY, Geography.PROMISE_ZONE, Geography.REST_OF_CITY):
                found.setdefault((start, where, None), zero)
    return found


# Writing --------------------------------------------------------------------------------


def _same(row: Observation, figure: Figure) -> bool:
    def close(a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)

    return (
        row.withdrawn_at is None
        and close(row.value, figure.value)
        and close(row.denominator, figure.denominator)
        and row.contributors == figure.contributors
    )


def _store(metric: Metric, found: dict[Key, Figure], report: RefreshReport, by: User | None):
    rows: dict[Key, Observation] = {}
    for stored in db.session.scalars(
        select(Observation)
        .where(Observation.metric_id == metric.id, Observation.origin == Origin.DERIVED)
        .order_by(Observation.id)
    ):
        # A key withdrawn and derived again is one row, brought back; keep the newest.
        rows[(stored.period_start, stored.geography, stored.neighbourhood_id)] = stored
    now = utcnow()
    for key, figure in found.items():
        row = rows.pop(key, None)
        if row is None:
            start, geography, neighbourhood_id = key
            db.session.add(
                Observation(
                    metric_id=metric.id,
                    period_start=start,
                    period_end=periods.period_end(start, metric.frequency),
                    geography=geography,
                    neighbourhood_id=neighbourhood_id,
                    value=figure.value,
                    denominator=figure.denominator,
                    contributors=figure.contributors,
                    origin=Origin.DERIVED,
                    recorded_by_id=None,
                    recorded_at=now,
                )
            )
            report.inserted += 1
        elif _same(row, figure):
            report.unchanged += 1
        else:
            action = RevisionAction.RESTORED if row.withdrawn_at else RevisionAction.REDERIVED
            db.session.add(_revision(row, action, "The app's records changed.", by))
            row.value, row.denominator = figure.value, figure.denominator
            row.contributors = figure.contributors
            row.withdrawn_at = None
            row.recorded_at = now
            row.recorded_by_id = None
            report.updated += 1
    for row in rows.values():
        if row.withdrawn_at is None:
            db.session.add(
                _revision(
                    row, RevisionAction.WITHDRAWN, "Nothing in the app's records any more.", by
                )
            )
            row.withdrawn_at = now
            report.withdrawn += 1


def refresh(*, by: User | None, day: date | None = None) -> RefreshReport:
    """Derive every derived metric again and write what changed; one run at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK})
    run = ScorecardRefresh(by_id=by.id if by else None, started_at=utcnow())
    db.session.add(run)
    report = RefreshReport()
    began = tracking_started_on()
    metrics = list(
        db.session.scalars(select(Metric).where(Metric.derivation.is_not(None)).order_by(Metric.id))
    )
    if began is not None:
        facts = _facts(day or today(), began)
        for metric in metrics:
            _store(metric, derive(metric, facts), report, by)
            report.metrics.append(metric.code)
    run.inserted, run.updated = report.inserted, report.updated
    run.withdrawn, run.unchanged = report.withdrawn, report.unchanged
    run.finished_at = utcnow()
    db.session.flush()
    audit.record(
        by,
        "scorecard.refreshed",
        "scorecard_refresh",
        run.id,
        after={
            "inserted": report.inserted,
            "updated": report.updated,
            "withdrawn": report.withdrawn,
            "metrics": report.metrics,
        },
    )
    return report


def last_refresh() -> ScorecardRefresh | None:
    return db.session.scalar(select(ScorecardRefresh).order_by(ScorecardRefresh.id.desc()).limit(1))
