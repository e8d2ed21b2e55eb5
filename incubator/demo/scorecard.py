"""Demo scorecard: targets, reference figures, data sources, KPI mappings, pilot sites, two
years of figures across neighbourhoods, and the derived figures of the demo cohort, so that
the first `make run` shows a living scorecard with some metrics on track and some not.

The history before the demo cohort is the program's records of earlier cohorts (entered
by hand, as the tracker did not exist yet); from the cohort's start the app derives the
figures itself. Reference figures are illustrative: check them against their source before
publishing a real scorecard.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import date, timedelta

from sqlalchemy import select

from incubator.extensions import db
from incubator.models import (
    CheckIn,
    Geography,
    ImpactArea,
    KpiAggregation,
    KpiKind,
    Metric,
    Neighbourhood,
    Pilot,
    SourceGeography,
    SourceStatus,
    Unit,
    UpdateFrequency,
    User,
    Venture,
)
from incubator.services.matching import outcomes
from incubator.services.scorecard import (
    catalogue,
    derivation,
    observations,
    periods,
    places,
    reference,
)
from incubator.services.scorecard.observations import ImportedFigure

HISTORY_MONTHS = 24

# (metric code, baseline, baseline date offset in years, target, target date, reference)
TARGETS = {
    "ventures_supported": (5, 7),
    "jobs_created": (2, 4),
    "local_jobs": (50, 60),
    "capital_raised": (60_000, 120_000),
    "revenue": (8_000, 20_000),
    "city_pilots_signed": (0.5, 1),
    "pilots_adopted": (0.2, 1),
    "residents_served": (800, 2_000),
    "survival_1y": (70, 80),
}
REFERENCES = {
    "survival_1y": (
        80,
        "About four in five new private-sector establishments survive their first year "
        "(United States)",
        "U.S. Bureau of Labor Statistics, Business Employment Dynamics",
        2024,
    ),
    "local_jobs": (
        30,
        "Local-hire goal for City of Los Angeles construction work",
        "City of Los Angeles Project Labor Agreement",
        2024,
    ),
}


@dataclass(frozen=True)
class DemoMetric:
    code: str
    name: str
    area: str
    unit: Unit
    unit_label: str
    direction: str
    frequency: str
    description: str
    baseline: float
    target: float


EXTRA_METRICS = [
    DemoMetric(
        "outdoor_water_use",
        "Water use on pilot blocks",
        "water",
        Unit.COUNT,
        "gallons per household a day",
        "lower",
        "monthly",
        "Average daily water use of the households on the blocks of smart-watering pilots, "
        "from LADWP's meter readings.",
        128,
        95,
    ),
    DemoMetric(
        "parklet_permit_days",
        "Days to a parklet permit",
        "transportation",
        Unit.COUNT,
        "days (median)",
        "lower",
        "quarterly",
        "Median days from a complete parklet application to its permit.",
        120,
        60,
    ),
    DemoMetric(
        "newcomers_connected",
        "Newcomers connected to city services",
        "immigrant_integration",
        Unit.COUNT,
        "residents",
        "higher",
        "quarterly",
        "New immigrants who completed a referral to a city service at the Immigrant Affairs "
        "centres.",
        300,
        400,
    ),
]

SOURCES = [
    (
        "Civic innovation office (Accelerate: LA)",
        "Cohort tracker: ventures, pilots, investments, check-ins",
        None,
        UpdateFrequency.DAILY,
        SourceGeography.NEIGHBOURHOOD,
        "Internal",
        "accelerate@civic-innovation.example.org",
        SourceStatus.IN_USE,
        [
            "ventures_supported",
            "jobs_created",
            "capital_raised",
            "revenue",
            "city_pilots_signed",
            "pilots_adopted",
            "residents_served",
            "survival_1y",
        ],
    ),
    (
        "Civic innovation office (Accelerate: LA)",
        "Program records of earlier cohorts",
        None,
        UpdateFrequency.IRREGULAR,
        SourceGeography.NEIGHBOURHOOD,
        "Internal",
        "accelerate@civic-innovation.example.org",
        SourceStatus.IN_USE,
        [],
    ),
    (
        "Civic innovation office (Accelerate: LA)",
        "Quarterly employment survey of the ventures",
        None,
        UpdateFrequency.QUARTERLY,
        SourceGeography.NEIGHBOURHOOD,
        "Internal; answers by person are never published",
        "accelerate@civic-innovation.example.org",
        SourceStatus.IN_USE,
        ["local_jobs"],
    ),
    (
        "Los Angeles Department of Water and Power",
        "Residential meter readings on pilot blocks",
        None,
        UpdateFrequency.MONTHLY,
        SourceGeography.ADDRESS,
        "Shared under a data agreement",
        "water-data@ladwp.example.org",
        SourceStatus.IN_USE,
        ["outdoor_water_use"],
    ),
    (
        "Los Angeles Department of Transportation",
        "Parklet permit applications and decisions",
        None,
        UpdateFrequency.QUARTERLY,
        SourceGeography.COUNCIL_DISTRICT,
        "Internal",
        "people-st@ladot.example.org",
        SourceStatus.IN_USE,
        ["parklet_permit_days"],
    ),
    (
        "Mayor's Office of Immigrant Affairs",
        "Newcomer centre referrals",
        None,
        UpdateFrequency.QUARTERLY,
        SourceGeography.COUNCIL_DISTRICT,
        "Internal",
        "data@moia.example.org",
        SourceStatus.IN_USE,
        ["newcomers_connected"],
    ),
    (
        "Office of Finance",
        "Listing of active businesses",
        "https://data.lacity.org/",
        UpdateFrequency.MONTHLY,
        SourceGeography.ADDRESS,
        "Open data (terms on the portal)",
        "",
        SourceStatus.CANDIDATE,
        ["survival_1y"],
    ),
    (
        "U.S. Census Bureau",
        "American Community Survey 5-year estimates",
        "https://data.census.gov/",
        UpdateFrequency.ANNUAL,
        SourceGeography.CENSUS_TRACT,
        "Public domain",
        "",
        SourceStatus.CANDIDATE,
        ["local_jobs"],
    ),
    (
        "Los Angeles Police Department",
        "Crime data",
        "https://data.lacity.org/",
        UpdateFrequency.WEEKLY,
        SourceGeography.ADDRESS,
        "Open data (terms on the portal)",
        "",
        SourceStatus.REQUESTED,
        [],
    ),
]

# Where earlier cohorts worked, and how much (the Promise Zone was the program's focus).
HISTORY_PLACES = {
    "Koreatown": 5,
    "Westlake": 5,
    "Pico-Union": 4,
    "East Hollywood": 4,
    "Hollywood": 3,
    "Boyle Heights": 4,
    "Historic South-Central": 3,
    "Watts": 3,
    "Pacoima": 3,
    "Sylmar": 2,
    "Van Nuys": 2,
    "Highland Park": 2,
    "Lincoln Heights": 2,
    "El Sereno": 1,
    "Vermont Square": 2,
    "Leimert Park": 1,
    "Wilmington": 2,
    "San Pedro": 1,
    "Venice": 1,
    "Echo Park": 2,
    "Chinatown": 1,
    "Downtown": 3,
    "Canoga Park": 1,
    "North Hollywood": 1,
    "Panorama City": 2,
    "Harbor City": 1,
}
WATER_PLACES = {"Pacoima": 118, "Sylmar": 131, "Van Nuys": 109, "Arleta": 121, "Sun Valley": 126}

# Pilot sites: the pilots' titles start with these words; coordinates of real places there.
PILOT_SITES = {
    "Smart watering": [("Pacoima homes, Van Nuys Blvd", "34.2590, -118.4215")],
    "Shade scores": [
        ("Bus shelters on 103rd St", "33.9430, -118.2437"),
        ("Bus shelters on Central Ave", "34.0090, -118.2565"),
    ],
    "Newcomer guides": [
        ("Boyle Heights centre", "34.0472, -118.2196"),
        ("MacArthur Park centre", "34.0577, -118.2787"),
    ],
    "Four parklets": [("York Boulevard", "34.1212, -118.2006")],
}


def seed(manager: User) -> None:
    """The demo scorecard, after the demo cohort, its pilots and investments exist."""
    reference.ensure_reference_data()
    today = observations.today()
    metrics = {m.code: m for m in db.session.scalars(select(Metric))}
    areas = {a.code: a for a in db.session.scalars(select(ImpactArea))}
    began = observations.tracking_started_on() or today
    _set_targets(metrics, manager, began)
    for extra in EXTRA_METRICS:
        metrics[extra.code] = _extra_metric(extra, areas, manager, today)
    sources = _sources(metrics, manager)
    for kpi, code, how in (
        ("team_size", "jobs_created", KpiAggregation.CHANGE),
        ("revenue", "revenue", KpiAggregation.SUM),
    ):
        catalogue.add_kpi_mapping(
            catalogue.KpiMappingInput(metrics[code].id, KpiKind.STANDARD, kpi, how), by=manager
        )
    _pilot_sites(manager)
    _grow_check_ins()
    _last_month_investments(manager, began, today)
    neighbourhoods = {n.name: n for n in db.session.scalars(select(Neighbourhood))}
    rng = random.Random(2026)
    history = sources["Program records of earlier cohorts"]
    for metric in metrics.values():
        figures = _history(metric, neighbourhoods, rng, began, today)
        source = history if metric.derivation else _first_source(metric, sources)
        note = "From the program's records of earlier cohorts." if metric.derivation else ""
        observations.import_figures(
            metric, figures, by=manager, data_source=source, note=note, day=today
        )
    derivation.refresh(by=manager, day=today)


def _metric_input(metric: Metric, **changes) -> catalogue.MetricInput:
    values = {f.name: getattr(metric, f.name) for f in fields(catalogue.MetricInput)}
    values["iris_code"] = values["iris_code"] or ""
    values.update(changes)
    return catalogue.MetricInput(**values)


def _set_targets(metrics: dict[str, Metric], manager: User, began: date) -> None:
    baseline_on = date(began.year - 2, 1, 1)
    target_on = date(began.year + 2, 12, 31)
    for code, (baseline, target) in TARGETS.items():
        metric = metrics.get(code)
        if metric is None:
            continue
        changes = {
            "baseline_value": baseline,
            "baseline_on": baseline_on,
            "target_value": target,
            "target_on": target_on,
        }
        if code in REFERENCES:
            value, label, source, year = REFERENCES[code]
            changes.update(
                reference_value=value,
                reference_label=label,
                reference_source=source,
                reference_year=year,
            )
        catalogue.update_metric(metric, _metric_input(metric, **changes), by=manager)


def _extra_metric(extra: DemoMetric, areas, manager: User, today: date) -> Metric:
    return catalogue.create_metric(
        catalogue.MetricInput(
            code=extra.code,
            name=extra.name,
            impact_area_id=areas[extra.area].id,
            unit=extra.unit,
            unit_label=extra.unit_label,
            direction=extra.direction,
            frequency=extra.frequency,
            description=extra.description,
            baseline_value=extra.baseline,
            baseline_on=date(today.year - 2, 1, 1),
            target_value=extra.target,
            target_on=date(today.year + 2, 12, 31),
        ),
        by=manager,
    )


def _sources(metrics: dict[str, Metric], manager: User) -> dict:
    made = {}
    for department, name, url, frequency, where, licence, contact, status, codes in SOURCES:
        made[name] = catalogue.create_source(
            catalogue.SourceInput(
                department=department,
                name=name,
                url=url,
                update_frequency=frequency,
                geography=where,
                licence=licence,
                contact=contact,
                status=status,
                metric_ids=[metrics[code].id for code in codes if code in metrics],
            ),
            by=manager,
        )
    return made


def _first_source(metric: Metric, sources: dict):
    return next((s for s in sources.values() if metric in s.metrics), None)


def _pilot_sites(manager: User) -> None:
    for pilot in db.session.scalars(select(Pilot).order_by(Pilot.id)):
        for prefix, sites in PILOT_SITES.items():
            if pilot.title.startswith(prefix):
                for label, coordinates in sites:
                    places.add_site(
                        pilot, places.SiteInput(label=label, coordinates=coordinates), by=manager
                    )


# Money the demo ventures raised in the last month that ended, so that the month rests on
# enough ventures to be published: (venture, funder, amount, instrument).
LAST_MONTH_INVESTMENTS = [
    ("LeakLens", "LA Cleantech Incubator", 25_000, "grant"),
    ("Bienvenida", "Weingart Foundation", 30_000, "grant"),
    ("DropWise", "Pacoima Angels", 45_000, "safe"),
]


def _last_month_investments(manager: User, began: date, today: date) -> None:
    month = periods.previous_period(periods.period_start(today, "monthly"), "monthly")
    end = periods.period_end(month, "monthly")
    if began > end:
        return
    day = min(max(began, month) + timedelta(days=4), end)
    names = {v.name: v for v in db.session.scalars(select(Venture))}
    for name, funder, amount, instrument in LAST_MONTH_INVESTMENTS:
        venture = names.get(name)
        if venture is not None:
            outcomes.record_investment(
                venture,
                outcomes.InvestmentInput(
                    amount=amount, instrument=instrument, invested_on=day, funder_name=funder
                ),
                by=manager,
                today=today,
            )


def _grow_check_ins() -> None:
    """Give the demo ventures' check-ins growing teams and some revenue, week by week."""
    rows = db.session.scalars(select(CheckIn).order_by(CheckIn.venture_id, CheckIn.week_start))
    by_venture: dict[int, list[CheckIn]] = {}
    for check_in in rows:
        by_venture.setdefault(check_in.venture_id, []).append(check_in)
    names = dict(db.session.execute(select(Venture.id, Venture.name)).all())
    for venture_id, check_ins in by_venture.items():
        earning = names.get(venture_id) in {"ShadeMap LA", "DropWise", "Bienvenida", "LeakLens"}
        for index, check_in in enumerate(check_ins):
            base = check_in.team_size or 2
            check_in.team_size = base + index // 3
            if earning:
                check_in.revenue = float(900 + 260 * index + 150 * (venture_id % 3))
    db.session.flush()


def _history_periods(metric: Metric, began: date, today: date) -> list[date]:
    """Two years of periods: before the tracker for derived metrics, up to now otherwise."""
    if metric.derivation:
        last = periods.previous_period(
            periods.period_start(began, metric.frequency), metric.frequency
        )
        if periods.period_end(last, metric.frequency) >= began:
            return []
    else:
        last = periods.previous_period(
            periods.period_start(today, metric.frequency), metric.frequency
        )
    count = {"monthly": HISTORY_MONTHS, "quarterly": HISTORY_MONTHS // 3, "annual": 2}[
        metric.frequency
    ]
    starts = [last]
    for _ in range(count - 1):
        starts.append(periods.previous_period(starts[-1], metric.frequency))
    return sorted(starts)


# How each metric's city figure moves over the two years: (start, end, noise).
PATHS = {
    "ventures_supported": (4, 7, 0.5),
    "jobs_created": (1, 3.5, 0.8),
    "local_jobs": (48, 57, 1.5),
    "capital_raised": (30_000, 105_000, 20_000),
    "revenue": (5_000, 14_000, 1_500),
    "city_pilots_signed": (0, 1.5, 0.6),
    "pilots_adopted": (0, 0.8, 0.4),
    "residents_served": (400, 1_900, 300),
    "survival_1y": (74, 84, 0),
    "outdoor_water_use": (127, 97, 2.5),
    "parklet_permit_days": (118, 74, 3),
    "newcomers_connected": (290, 455, 20),
}


def _history(
    metric: Metric,
    neighbourhoods: dict[str, Neighbourhood],
    rng: random.Random,
    began: date,
    today: date,
) -> list[ImportedFigure]:
    starts = _history_periods(metric, began, today)
    first, last, noise = PATHS.get(metric.code, (10, 12, 1))
    figures = []
    for index, start in enumerate(starts):
        progress = index / max(len(starts) - 1, 1)
        level = first + (last - first) * progress
        if noise:
            level += rng.gauss(0, noise)
        figures += _places(metric, start, max(level, 0), neighbourhoods, rng)
    return figures


def _places(
    metric: Metric,
    start: date,
    level: float,
    neighbourhoods: dict[str, Neighbourhood],
    rng: random.Random,
) -> list[ImportedFigure]:
    code = metric.code
    if code in ("parklet_permit_days", "newcomers_connected"):
        return [ImportedFigure(start, round(level))]  # city-wide only: no data by place
    if code == "outdoor_water_use":
        return _water(start, level, neighbourhoods, rng)
    weights = HISTORY_PLACES
    total_weight = sum(weights.values())
    figures: list[ImportedFigure] = []
    zone = {"in": [0.0, 0.0], "out": [0.0, 0.0]}
    city_value, city_denominator = _city_history(metric.unit, level, rng)
    for name, weight in weights.items():
        neighbourhood = neighbourhoods.get(name)
        if neighbourhood is None:
            continue
        placed = _place_history(metric.unit, level, weight / total_weight, city_denominator, rng)
        if placed is None:
            continue
        value, denominator = placed
        figures.append(
            ImportedFigure(start, value, Geography.NEIGHBOURHOOD, neighbourhood.id, denominator)
        )
        side = zone["in" if neighbourhood.promise_zone else "out"]
        side[0] += value
        side[1] += denominator or 0
    figures.append(ImportedFigure(start, city_value, denominator=city_denominator))
    figures += _zone_history(metric.unit, start, zone, city_value)
    return figures


def _city_history(unit: str, level: float, rng: random.Random) -> tuple[float, float | None]:
    """The city's figure for a period, and its denominator where the unit is a percentage."""
    if unit == Unit.PERCENT:
        denominator = float(80 + rng.randint(0, 30))
        return round(denominator * level / 100), denominator
    return (round(level) if unit == Unit.COUNT else round(level, -2)), None


def _place_history(
    unit: str, level: float, share: float, city_denominator: float | None, rng: random.Random
) -> tuple[float, float | None] | None:
    """A neighbourhood's figure and denominator for a period, from its share of the city's;
    None where a count comes to nothing there."""
    if unit == Unit.PERCENT:
        if city_denominator is None:
            raise ValueError("A percentage's neighbourhoods need the city's denominator.")
        denominator = max(1.0, round(city_denominator * share * 1.3))
        value = min(denominator, round(denominator * (level + rng.gauss(0, 6)) / 100))
        return max(value, 0), denominator
    if unit == Unit.COUNT:
        # A venture works in about two neighbourhoods, so places add up to more than the
        # city's count.
        counted = round(level * share * 2 + rng.random() * 0.8)
        return (counted, None) if counted > 0 else None
    return round(level * share * rng.uniform(0.6, 1.4), -1), None


def _zone_history(
    unit: str, start: date, zone: dict[str, list[float]], city_value: float
) -> list[ImportedFigure]:
    """The Promise Zone's and the rest of the city's figures: their neighbourhoods' totals
    (a count no more than the city's)."""
    figures = []
    for key, geography in (("in", Geography.PROMISE_ZONE), ("out", Geography.REST_OF_CITY)):
        value, denominator = zone[key]
        if unit == Unit.COUNT:
            value = min(value, city_value)
        figures.append(
            ImportedFigure(
                start, value, geography, denominator=denominator if unit == Unit.PERCENT else None
            )
        )
    return figures


def _water(
    start: date, level: float, neighbourhoods: dict[str, Neighbourhood], rng: random.Random
) -> list[ImportedFigure]:
    """Gallons a day over households (a rate), on the pilot blocks of five Valley places."""
    figures = []
    total_value, total_households = 0.0, 0.0
    for name, usual in WATER_PLACES.items():
        neighbourhood = neighbourhoods.get(name)
        if neighbourhood is None:
            continue
        households = float(rng.randint(80, 140))
        per_household = level * usual / 122 + rng.gauss(0, 2)
        value = round(per_household * households)
        figures.append(
            ImportedFigure(start, value, Geography.NEIGHBOURHOOD, neighbourhood.id, households)
        )
        total_value += value
        total_households += households
    figures.append(ImportedFigure(start, total_value, denominator=total_households))
    return figures
