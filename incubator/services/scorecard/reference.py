"""The scorecard's reference data: the 114 neighbourhoods, the seeded impact areas and the
starter metrics. Migration 0009 inserts the same on upgrade; `ensure_reference_data` adds
whatever is missing (tests start from empty tables, and a new release may add some)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from incubator.extensions import db
from incubator.models import Derivation, ImpactArea, ImpactAreaKind, Metric, Neighbourhood, Unit
from incubator.services.scorecard import geography


@dataclass(frozen=True)
class AreaSeed:
    code: str
    name: str
    kind: ImpactAreaKind
    description: str


# The Promise Zone's goals, the #techLA hackathon themes, and civic pilots with departments.
IMPACT_AREAS = [
    AreaSeed("jobs", "Jobs", ImpactAreaKind.PROMISE_ZONE, "Create jobs, held by residents."),
    AreaSeed(
        "economic_activity",
        "Economic activity",
        ImpactAreaKind.PROMISE_ZONE,
        "Increase economic activity: ventures started, kept going and earning.",
    ),
    AreaSeed(
        "education", "Education", ImpactAreaKind.PROMISE_ZONE, "Improve educational opportunity."
    ),
    AreaSeed(
        "public_safety",
        "Public safety",
        ImpactAreaKind.PROMISE_ZONE,
        "Reduce crime and make streets safer.",
    ),
    AreaSeed(
        "private_investment",
        "Private investment",
        ImpactAreaKind.PROMISE_ZONE,
        "Leverage private investment in the city's ventures.",
    ),
    AreaSeed(
        "housing",
        "Housing",
        ImpactAreaKind.PROMISE_ZONE,
        "Increase access to quality, affordable housing.",
    ),
    AreaSeed("health", "Health", ImpactAreaKind.PROMISE_ZONE, "Improve public health."),
    AreaSeed(
        "water",
        "Water and drought",
        ImpactAreaKind.HACKATHON_THEME,
        "#techLA: drought management and water conservation.",
    ),
    AreaSeed(
        "immigrant_integration",
        "Immigrant integration",
        ImpactAreaKind.HACKATHON_THEME,
        "#techLA: welcoming and integrating new immigrants.",
    ),
    AreaSeed(
        "transportation",
        "Transportation",
        ImpactAreaKind.HACKATHON_THEME,
        "#techLA: transportation and mobility.",
    ),
    AreaSeed(
        "civic_pilots",
        "Civic pilots with city departments",
        ImpactAreaKind.CIVIC_PILOTS,
        "Pilots with city departments, and the ones the city adopts.",
    ),
]


@dataclass(frozen=True)
class MetricSeed:
    code: str
    name: str
    area: str
    unit: Unit
    unit_label: str
    frequency: str
    derivation: Derivation | None
    description: str
    iris_code: str | None = None
    direction: str = "higher"


STARTER_METRICS = [
    MetricSeed(
        "ventures_supported",
        "Ventures supported",
        "economic_activity",
        Unit.COUNT,
        "ventures",
        "monthly",
        Derivation.VENTURES_SUPPORTED,
        "Ventures in an Accelerate: LA cohort during the period, from their entry into the "
        "pipeline: once for the city, and in every neighbourhood a venture serves.",
    ),
    MetricSeed(
        "jobs_created",
        "Jobs created",
        "jobs",
        Unit.COUNT,
        "jobs",
        "monthly",
        Derivation.CHECK_IN_KPIS,
        "Growth of the ventures' teams over the period, from the team size in their weekly "
        "check-ins.",
        iris_code="PI3687",
    ),
    MetricSeed(
        "local_jobs",
        "Jobs held by local residents",
        "jobs",
        Unit.PERCENT,
        "of the ventures' jobs",
        "quarterly",
        None,
        "The share of the ventures' jobs held by residents of the City of Los Angeles, from "
        "the program's quarterly employment survey.",
    ),
    MetricSeed(
        "capital_raised",
        "Capital raised",
        "private_investment",
        Unit.USD,
        "",
        "monthly",
        Derivation.CAPITAL_RAISED,
        "Grants, SAFEs, equity and loans the ventures received, as recorded with their "
        "investments; a venture's amount is shared equally among the neighbourhoods it serves.",
    ),
    MetricSeed(
        "revenue",
        "Revenue",
        "economic_activity",
        Unit.USD,
        "",
        "monthly",
        Derivation.CHECK_IN_KPIS,
        "The ventures' revenue, added up from their weekly check-ins.",
    ),
    MetricSeed(
        "city_pilots_signed",
        "City pilots signed",
        "civic_pilots",
        Unit.COUNT,
        "pilots",
        "monthly",
        Derivation.CITY_PILOTS_SIGNED,
        "Pilots with city departments that started in the period, counted where their sites "
        "are (or, without sites, where the venture works).",
    ),
    MetricSeed(
        "pilots_adopted",
        "Pilots adopted",
        "civic_pilots",
        Unit.COUNT,
        "pilots",
        "monthly",
        Derivation.PILOTS_ADOPTED,
        "Completed pilots the partner kept, counted in the period the pilot ended.",
    ),
    MetricSeed(
        "residents_served",
        "Residents served",
        "civic_pilots",
        Unit.COUNT,
        "residents",
        "monthly",
        Derivation.RESIDENTS_SERVED,
        "Residents or users the ventures' pilots reached, counted in the period each pilot "
        "ended and shared among the neighbourhoods of its sites.",
    ),
    MetricSeed(
        "survival_1y",
        "One-year survival of graduated ventures",
        "economic_activity",
        Unit.PERCENT,
        "of graduated ventures",
        "annual",
        Derivation.ONE_YEAR_SURVIVAL,
        "Of the ventures whose cohort ended the year before, the share not archived within a "
        "year of graduating.",
    ),
]


@dataclass
class EnsureReport:
    neighbourhoods: int = 0
    areas: int = 0
    metrics: int = 0


def ensure_reference_data() -> EnsureReport:
    """Insert the neighbourhoods, impact areas and starter metrics that are missing; leave
    what exists (managers may have edited it) alone."""
    report = EnsureReport()
    have = {n.slug: n for n in db.session.scalars(select(Neighbourhood))}
    for boundary in geography.boundaries():
        if boundary.slug not in have:
            db.session.add(
                Neighbourhood(
                    slug=boundary.slug, name=boundary.name, promise_zone=boundary.promise_zone
                )
            )
            report.neighbourhoods += 1
    areas = {a.code: a for a in db.session.scalars(select(ImpactArea))}
    for position, seed in enumerate(IMPACT_AREAS):
        if seed.code not in areas and seed.name not in {a.name for a in areas.values()}:
            area = ImpactArea(
                code=seed.code,
                name=seed.name,
                kind=seed.kind,
                description=seed.description,
                position=position,
            )
            db.session.add(area)
            areas[seed.code] = area
            report.areas += 1
    taken = db.session.execute(select(Metric.code, Metric.name)).all()
    codes, names = {code for code, _ in taken}, {name for _, name in taken}
    db.session.flush()
    for position, metric_seed in enumerate(STARTER_METRICS):
        if metric_seed.code in codes or metric_seed.name in names or metric_seed.area not in areas:
            continue
        db.session.add(
            Metric(
                code=metric_seed.code,
                name=metric_seed.name,
                impact_area_id=areas[metric_seed.area].id,
                description=metric_seed.description,
                unit=metric_seed.unit,
                unit_label=metric_seed.unit_label,
                direction=metric_seed.direction,
                frequency=metric_seed.frequency,
                derivation=metric_seed.derivation,
                iris_code=metric_seed.iris_code,
                position=position,
            )
        )
        report.metrics += 1
    db.session.flush()
    return report
