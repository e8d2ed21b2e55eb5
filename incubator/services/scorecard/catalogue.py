"""What the scorecard measures: impact areas, metrics and their targets, the datasets that
feed them, and the check-in KPIs mapped to them. Managers edit all of it; every change is
audited."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    CustomKpi,
    DataSource,
    Derivation,
    ImpactArea,
    ImpactAreaKind,
    KpiAggregation,
    KpiKind,
    KpiMapping,
    Metric,
    Observation,
    Role,
    SourceGeography,
    SourceStatus,
    Unit,
    UpdateFrequency,
    User,
    Venture,
    utcnow,
)
from incubator.services import audit
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from incubator.services.pipeline.checkins import STANDARD_KPIS
from incubator.services.scorecard import labels
from incubator.services.scorecard.cityscore import Direction
from incubator.services.scorecard.periods import Frequency

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# IRIS+ metric codes: two capital letters and four digits, e.g. PI3687 (jobs created).
IRIS_CODE = re.compile(r"^[A-Z]{2}[0-9]{4}$")
LARGEST_FIGURE = 1e15

# The unit each derivation's figures are in (the KPI-fed ones take the metric's own).
DERIVATION_UNITS = {
    Derivation.VENTURES_SUPPORTED: Unit.COUNT,
    Derivation.CAPITAL_RAISED: Unit.USD,
    Derivation.CITY_PILOTS_SIGNED: Unit.COUNT,
    Derivation.PILOTS_ADOPTED: Unit.COUNT,
    Derivation.RESIDENTS_SERVED: Unit.COUNT,
    Derivation.ONE_YEAR_SURVIVAL: Unit.PERCENT,
}
# What each derivation's figures come from, in English (labels.derivation translates them).
DERIVATION_LABELS = labels.DERIVATIONS


def derivation_label(derivation: str | None) -> str | None:
    """What a metric's figures are derived from, in the request's language; None for figures
    entered by hand (or a derivation this version does not know)."""
    return labels.derivation(derivation)


def _check_manager(by: User) -> None:
    if not by.has_role(Role.MANAGER, Role.ADMIN):
        raise NotAllowed(_("Only a program manager edits the scorecard."))


# A metric's figures, and what is said when one is not a number or not a percentage.
FIGURE_REFUSALS = {
    "baseline": (
        N_("The baseline must be a number."),
        N_("The baseline is a percentage, from 0 to 100."),
    ),
    "target": (
        N_("The target must be a number."),
        N_("The target is a percentage, from 0 to 100."),
    ),
    "reference": (
        N_("The reference figure must be a number."),
        N_("The reference figure is a percentage, from 0 to 100."),
    ),
}


def _finite(figure: str, value: float | None, *, percent: bool = False) -> float | None:
    if value is None:
        return None
    not_a_number, not_a_percentage = FIGURE_REFUSALS[figure]
    if not math.isfinite(value) or abs(value) > LARGEST_FIGURE:
        raise InvalidInput(_(not_a_number))
    if percent and not 0 <= value <= 100:
        raise InvalidInput(_(not_a_percentage))
    return float(value)


# Impact areas ---------------------------------------------------------------------------------


@dataclass
class AreaInput:
    code: str
    name: str
    kind: str = ImpactAreaKind.OTHER
    description: str = ""
    position: int = 0
    active: bool = True


def _area_state(area: ImpactArea) -> dict[str, Any]:
    return {
        "code": area.code,
        "name": area.name,
        "kind": area.kind,
        "description": area.description,
        "position": area.position,
        "active": area.active,
    }


def impact_areas() -> list[ImpactArea]:
    """Every impact area, retired ones too, in their order."""
    return list(
        db.session.scalars(select(ImpactArea).order_by(ImpactArea.position, ImpactArea.name))
    )


def _clean_code_and_name(data: AreaInput | MetricInput, longest: int, too_long: str) -> None:
    """Trim a code (lower case) and a name (single spaces), and check both; `too_long` says
    a name is missing or too long (with %(num)d for `longest`)."""
    data.code = data.code.strip().lower()
    data.name = " ".join(data.name.split())
    if not CODE.match(data.code):
        raise InvalidInput(
            _(
                "The code is 2 to 40 lower-case letters, digits and underscores, starting with a "
                "letter."
            )
        )
    if not data.name or len(data.name) > longest:
        raise InvalidInput(_(too_long, num=longest))


def _check_area(data: AreaInput, current: ImpactArea | None) -> None:
    _clean_code_and_name(data, 80, N_("An impact area needs a name of at most %(num)d characters."))
    _check_choices((data.kind, ImpactAreaKind, N_("Unknown kind of impact area %(value)s.")))
    if not -1000 <= data.position <= 1000:
        raise InvalidInput(_("The position is a whole number from -1000 to 1000."))
    _check_unique_code_and_name(
        ImpactArea,
        data,
        current,
        N_("Another impact area has the code %(value)s."),
        N_("Another impact area has the name %(value)s."),
    )


def _check_choices(*choices: tuple[str, type[enum.StrEnum], str]) -> None:
    """Refuse a value that is not one of its enumeration's (each given with the refusal, its
    %(value)s the value)."""
    for choice, allowed, refusal in choices:
        if choice not in set(allowed):
            raise InvalidInput(_(refusal, value=repr(choice)))


def _check_unique_code_and_name(
    model: type[ImpactArea] | type[Metric],
    data: AreaInput | MetricInput,
    current: ImpactArea | Metric | None,
    code_taken: str,
    name_taken: str,
) -> None:
    """Refuse a code or a name another area (or metric) has, whatever its case."""
    for column, value, refusal in (
        (model.code, data.code, code_taken),
        (model.name, data.name, name_taken),
    ):
        clash = db.session.scalar(select(model).where(func.lower(column) == value.lower()))
        if clash is not None and clash is not current:
            raise InvalidInput(_(refusal, value=repr(value)))


def _copy(data: Any, row: Any, names: tuple[str, ...]) -> None:
    """Set these attributes of a catalogue row to the checked input's values."""
    for name in names:
        setattr(row, name, getattr(data, name))


def _added(row: Any, state: Callable[[Any], dict[str, Any]], *, by: User, kind: str) -> None:
    """Add a new catalogue row and note it in the audit trail as `kind`.created."""
    db.session.add(row)
    db.session.flush()
    audit.record(by, f"{kind}.created", kind, row.id, after=state(row))


def _updated(
    row: Any, before: dict[str, Any], after: dict[str, Any], *, by: User, kind: str
) -> None:
    """Write an edited catalogue row and note it in the audit trail as `kind`.updated."""
    db.session.flush()
    audit.record(by, f"{kind}.updated", kind, row.id, before=before, after=after)


def create_area(data: AreaInput, *, by: User) -> ImpactArea:
    _check_manager(by)
    _check_area(data, None)
    area = ImpactArea()
    _apply_area(area, data)
    _added(area, _area_state, by=by, kind="impact_area")
    return area


def update_area(area: ImpactArea, data: AreaInput, *, by: User) -> None:
    """Edit an area; a new name is carried onto every venture that named the old one."""
    _check_manager(by)
    _check_area(data, area)
    before = _area_state(area)
    old_name = area.name
    _apply_area(area, data)
    db.session.flush()
    renamed = _rename_on_ventures(old_name, area.name) if old_name != area.name else 0
    after = {**_area_state(area), "ventures_renamed": renamed}
    _updated(area, before, after, by=by, kind="impact_area")


def _apply_area(area: ImpactArea, data: AreaInput) -> None:
    _copy(data, area, ("code", "name", "kind", "position", "active"))
    area.description = data.description.strip()


def _rename_on_ventures(old: str, new: str) -> int:
    # Ventures keep their areas by name (matching compares them with funders' focus areas),
    # so a rename rewrites the lists that hold the old name. Renames are rare; the lists are
    # short; reading every venture's list once is simpler than JSON queries on two databases.
    renamed = 0
    for venture_id, names in db.session.execute(select(Venture.id, Venture.impact_areas)):
        if names and old in names:
            moved = [new if name == old else name for name in names]
            db.session.execute(
                update(Venture).where(Venture.id == venture_id).values(impact_areas=moved)
            )
            renamed += 1
    db.session.expire_all()
    return renamed


def impact_area_choices(current: list[str] | None = None) -> list[str]:
    """The names a venture may pick: the active areas, and any retired one it already has."""
    current = current or []
    return [area.name for area in impact_areas() if area.active or area.name in current]


def check_venture_areas(values: list[str], current: list[str] | None = None) -> list[str]:
    """A venture's impact areas, checked against the areas and put in their order."""
    allowed = impact_area_choices(current)
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(_("Unknown impact area: %(areas)s.", areas=", ".join(unknown)))
    return [name for name in allowed if name in values]


# Metrics --------------------------------------------------------------------------------------


@dataclass
class MetricInput:
    code: str
    name: str
    impact_area_id: int | None
    unit: str = Unit.COUNT
    unit_label: str = ""
    direction: str = Direction.HIGHER
    frequency: str = Frequency.QUARTERLY
    description: str = ""
    baseline_value: float | None = None
    baseline_on: date | None = None
    target_value: float | None = None
    target_on: date | None = None
    iris_code: str = ""
    reference_value: float | None = None
    reference_label: str = ""
    reference_source: str = ""
    reference_year: int | None = None
    derivation: str | None = None
    published: bool = True
    position: int = 0


def _metric_state(metric: Metric) -> dict[str, Any]:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "code": metric.code,
        "name": metric.name,
        "impact_area_id": metric.impact_area_id,
        "unit": metric.unit,
        "unit_label": metric.unit_label,
        "direction": metric.direction,
        "frequency": metric.frequency,
        "baseline_value": metric.baseline_value,
        "baseline_on": day(metric.baseline_on),
        "target_value": metric.target_value,
        "target_on": day(metric.target_on),
        "iris_code": metric.iris_code,
        "reference_value": metric.reference_value,
        "reference_label": metric.reference_label,
        "reference_source": metric.reference_source,
        "reference_year": metric.reference_year,
        "derivation": metric.derivation,
        "published": metric.published,
        "position": metric.position,
    }


def _check_metric(data: MetricInput, current: Metric | None) -> ImpactArea:
    """Tidy and check a metric's fields (in the order the form shows them); its area."""
    _check_metric_names(data)
    area = _metric_area(data)
    _check_metric_choices(data)
    _check_metric_figures(data)
    _check_metric_reference(data)
    data.unit_label = data.unit_label.strip()[:40]
    if not -1000 <= data.position <= 1000:
        raise InvalidInput(_("The position is a whole number from -1000 to 1000."))
    _check_unique_code_and_name(
        Metric,
        data,
        current,
        N_("Another metric has the code %(value)s."),
        N_("Another metric has the name %(value)s."),
    )
    return area


def _check_metric_names(data: MetricInput) -> None:
    _clean_code_and_name(data, 120, N_("A metric needs a name of at most %(num)d characters."))


def _metric_area(data: MetricInput) -> ImpactArea:
    area = db.session.get(ImpactArea, data.impact_area_id) if data.impact_area_id else None
    if area is None:
        raise InvalidInput(_("Choose the impact area the metric belongs to."))
    return area


def _check_metric_choices(data: MetricInput) -> None:
    _check_choices(
        (data.unit, Unit, N_("Unknown unit %(value)s.")),
        (data.direction, Direction, N_("Unknown direction %(value)s.")),
        (data.frequency, Frequency, N_("Unknown reporting frequency %(value)s.")),
    )


def _check_metric_figures(data: MetricInput) -> None:
    """The figures are numbers (percentages in 0 to 100 where the unit is percent); the
    baseline and the target each have their date, the target after the baseline and on the
    right side of zero."""
    percent = data.unit == Unit.PERCENT
    data.baseline_value = _finite("baseline", data.baseline_value, percent=percent)
    data.target_value = _finite("target", data.target_value, percent=percent)
    data.reference_value = _finite("reference", data.reference_value, percent=percent)
    if (data.baseline_value is None) != (data.baseline_on is None):
        raise InvalidInput(_("A baseline needs both its value and the date it was measured."))
    if (data.target_value is None) != (data.target_on is None):
        raise InvalidInput(_("A target needs both its value and the date it is to be met by."))
    if data.baseline_on and data.target_on and data.target_on <= data.baseline_on:
        raise InvalidInput(_("The target's date must come after the baseline's."))
    higher = data.direction == Direction.HIGHER
    if data.target_value is not None and higher and data.target_value <= 0:
        raise InvalidInput(_("Where higher is better, the target must be above zero."))
    if data.target_value is not None and data.target_value < 0:
        raise InvalidInput(_("The target cannot be negative."))


def _check_metric_reference(data: MetricInput) -> None:
    """The IRIS+ code, and the outside reference figure with its source and year."""
    data.iris_code = (data.iris_code or "").strip().upper()
    if data.iris_code and not IRIS_CODE.match(data.iris_code):
        raise InvalidInput(
            _("An IRIS+ code is two capital letters and four digits, such as PI3687.")
        )
    data.reference_label = data.reference_label.strip()[:200]
    data.reference_source = data.reference_source.strip()[:300]
    incomplete = not data.reference_source or data.reference_year is None
    if data.reference_value is not None and incomplete:
        raise InvalidInput(_("A reference figure needs its source and its year."))
    if data.reference_year is not None and not 1900 <= data.reference_year <= 2100:
        raise InvalidInput(_("The reference year is a year such as 2024."))


def _check_derivation(data: MetricInput) -> None:
    if not data.derivation:
        data.derivation = None
        return
    if data.derivation not in set(Derivation):
        raise InvalidInput(_("Unknown derivation %(value)s.", value=repr(data.derivation)))
    derivation = Derivation(data.derivation)
    unit = DERIVATION_UNITS.get(derivation)
    if unit is not None and data.unit != unit:
        raise InvalidInput(
            _(
                "Figures derived from %(records)s are in %(unit)s.",
                records=labels.derivation(derivation),
                unit=labels.unit(unit).lower(),
            )
        )
    if derivation != Derivation.CHECK_IN_KPIS:
        other = db.session.scalar(select(Metric).where(Metric.derivation == data.derivation))
        if other is not None:
            raise InvalidInput(
                _(
                    "%(metric)s is already derived from %(records)s.",
                    metric=other.name,
                    records=labels.derivation(derivation),
                )
            )


def create_metric(data: MetricInput, *, by: User) -> Metric:
    _check_manager(by)
    area = _check_metric(data, None)
    _check_derivation(data)
    metric = Metric()
    _apply_metric(metric, data, area)
    metric.derivation = data.derivation
    _added(metric, _metric_state, by=by, kind="metric")
    return metric


def update_metric(metric: Metric, data: MetricInput, *, by: User) -> None:
    """Edit a metric. Its derivation is fixed when it is made; its frequency, once it has
    figures, since they are for that frequency's periods."""
    _check_manager(by)
    area = _check_metric(data, metric)
    if data.frequency != metric.frequency and has_observations(metric):
        raise Conflict(
            _(
                "%(metric)s already has figures for %(frequency)s periods; its frequency cannot "
                "change. Make a new metric instead.",
                metric=metric.name,
                frequency=labels.frequency(metric.frequency).lower(),
            )
        )
    derived_unit = (
        DERIVATION_UNITS.get(Derivation(metric.derivation)) if metric.derivation else None
    )
    if derived_unit is not None and data.unit != derived_unit:
        raise InvalidInput(
            _(
                "%(metric)s is derived in %(unit)s.",
                metric=metric.name,
                unit=labels.unit(derived_unit).lower(),
            )
        )
    before = _metric_state(metric)
    _apply_metric(metric, data, area)
    _updated(metric, before, _metric_state(metric), by=by, kind="metric")


# The metric fields copied from the checked input as they are.
METRIC_COPIED = (
    "code",
    "name",
    "unit",
    "unit_label",
    "direction",
    "frequency",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "reference_value",
    "reference_label",
    "published",
    "position",
)


def _apply_metric(metric: Metric, data: MetricInput, area: ImpactArea) -> None:
    """Copy the checked input onto the metric; area is the one _check_metric found."""
    _copy(data, metric, METRIC_COPIED)
    metric.impact_area_id = area.id
    metric.description = data.description.strip()
    metric.iris_code = data.iris_code or None
    metric.reference_source = data.reference_source if data.reference_value is not None else ""
    metric.reference_year = data.reference_year if data.reference_value is not None else None


def has_observations(metric: Metric) -> bool:
    return (
        db.session.scalar(select(Observation.id).where(Observation.metric_id == metric.id).limit(1))
        is not None
    )


def all_metrics() -> list[Metric]:
    """Every metric with its area and sources, for the managers' pages (three queries)."""
    return list(
        db.session.scalars(
            select(Metric)
            .join(ImpactArea)
            .options(selectinload(Metric.impact_area), selectinload(Metric.sources))
            .order_by(ImpactArea.position, ImpactArea.name, Metric.position, Metric.name)
        )
    )


# Data sources ---------------------------------------------------------------------------------


@dataclass
class SourceInput:
    department: str
    name: str
    url: str | None = None
    update_frequency: str = UpdateFrequency.ANNUAL
    geography: str = SourceGeography.CITY
    licence: str = ""
    contact: str = ""
    status: str = SourceStatus.CANDIDATE
    notes: str = ""
    metric_ids: list[int] = field(default_factory=list)


# The data source fields copied from the checked input as they are.
SOURCE_COPIED = (
    "department",
    "name",
    "url",
    "update_frequency",
    "geography",
    "licence",
    "contact",
    "status",
)


def _source_state(source: DataSource) -> dict[str, Any]:
    return {name: getattr(source, name) for name in (*SOURCE_COPIED, "notes")} | {
        "metric_ids": sorted(m.id for m in source.metrics)
    }


def _check_source(data: SourceInput, current: DataSource | None) -> list[Metric]:
    data.department = " ".join(data.department.split())
    data.name = " ".join(data.name.split())
    if not data.department or len(data.department) > 160:
        raise InvalidInput(_("Name the department (or organisation) that holds the dataset."))
    if not data.name or len(data.name) > 200:
        raise InvalidInput(_("The dataset needs a name of at most 200 characters."))
    data.url = (data.url or "").strip() or None
    if data.url and (not data.url.startswith(("http://", "https://")) or len(data.url) > 500):
        raise InvalidInput(_("The link must start with http:// or https://."))
    _check_choices(
        (data.update_frequency, UpdateFrequency, N_("Unknown update frequency %(value)s.")),
        (data.geography, SourceGeography, N_("Unknown geography %(value)s.")),
        (data.status, SourceStatus, N_("Unknown status %(value)s.")),
    )
    data.licence = data.licence.strip()[:160]
    data.contact = data.contact.strip()[:200]
    clash = db.session.scalar(
        select(DataSource).where(
            func.lower(DataSource.department) == data.department.lower(),
            func.lower(DataSource.name) == data.name.lower(),
        )
    )
    if clash is not None and clash is not current:
        raise InvalidInput(
            _(
                "%(department)s already has a dataset called %(dataset)s.",
                department=data.department,
                dataset=repr(data.name),
            )
        )
    ids = sorted(set(data.metric_ids))
    metrics = list(db.session.scalars(select(Metric).where(Metric.id.in_(ids)))) if ids else []
    if len(metrics) != len(ids):
        raise InvalidInput(_("One of the chosen metrics does not exist."))
    return metrics


def create_source(data: SourceInput, *, by: User) -> DataSource:
    _check_manager(by)
    metrics = _check_source(data, None)
    source = DataSource()
    _apply_source(source, data, metrics)
    _added(source, _source_state, by=by, kind="data_source")
    return source


def update_source(source: DataSource, data: SourceInput, *, by: User) -> None:
    _check_manager(by)
    metrics = _check_source(data, source)
    before = _source_state(source)
    _apply_source(source, data, metrics)
    _updated(source, before, _source_state(source), by=by, kind="data_source")


def _apply_source(source: DataSource, data: SourceInput, metrics: list[Metric]) -> None:
    _copy(data, source, SOURCE_COPIED)
    source.notes = data.notes.strip()
    source.metrics = metrics
    # Links to metrics alone would not touch the row; the public pages' ETag reads this.
    source.updated_at = utcnow()


def sources_page(page: int, per_page: int) -> Pagination:
    """The register of datasets, by department, with the metrics each feeds."""
    statement = (
        select(DataSource)
        .options(selectinload(DataSource.metrics))
        .order_by(DataSource.department, DataSource.name, DataSource.id)
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def source_choices() -> list[DataSource]:
    return list(
        db.session.scalars(select(DataSource).order_by(DataSource.department, DataSource.name))
    )


# Check-in KPIs feeding metrics ----------------------------------------------------------------


@dataclass
class KpiMappingInput:
    metric_id: int | None
    kpi_kind: str
    kpi_name: str
    aggregation: str = KpiAggregation.LEVEL


def kpi_mappings() -> list[KpiMapping]:
    return list(
        db.session.scalars(
            select(KpiMapping)
            .options(selectinload(KpiMapping.metric))
            .order_by(KpiMapping.kpi_kind.desc(), KpiMapping.kpi_name)
        )
    )


def add_kpi_mapping(data: KpiMappingInput, *, by: User) -> KpiMapping:
    """Let a check-in KPI feed a metric whose figures come from KPIs."""
    _check_manager(by)
    metric = db.session.get(Metric, data.metric_id) if data.metric_id else None
    if metric is None:
        raise InvalidInput(_("Choose the metric the KPI feeds."))
    if metric.derivation != Derivation.CHECK_IN_KPIS:
        raise InvalidInput(
            _("%(metric)s does not take its figures from check-in KPIs.", metric=metric.name)
        )
    if data.aggregation not in set(KpiAggregation):
        raise InvalidInput(_("Unknown way of counting %(value)s.", value=repr(data.aggregation)))
    name = " ".join(data.kpi_name.split())
    if data.kpi_kind == KpiKind.STANDARD:
        if name not in STANDARD_KPIS:
            raise InvalidInput(_("%(kpi)s is not one of the standard KPIs.", kpi=repr(name)))
    elif data.kpi_kind == KpiKind.CUSTOM:
        name = name.casefold()
        if not name or len(name) > 80:
            raise InvalidInput(_("Name the custom KPI (at most 80 characters)."))
    else:
        raise InvalidInput(_("Unknown kind of KPI %(value)s.", value=repr(data.kpi_kind)))
    existing = db.session.scalar(
        select(KpiMapping).where(KpiMapping.kpi_kind == data.kpi_kind, KpiMapping.kpi_name == name)
    )
    if existing is not None:
        raise Conflict(
            _(
                "That KPI already feeds %(metric)s; a KPI feeds one metric.",
                metric=existing.metric.name,
            )
        )
    mapping = KpiMapping(
        metric_id=metric.id,
        kpi_kind=data.kpi_kind,
        kpi_name=name,
        aggregation=data.aggregation,
        created_by_id=by.id,
    )
    _added(mapping, _kpi_mapping_state, by=by, kind="kpi_mapping")
    return mapping


def _kpi_mapping_state(mapping: KpiMapping) -> dict[str, Any]:
    return {
        "metric_id": mapping.metric_id,
        "kpi": f"{mapping.kpi_kind}:{mapping.kpi_name}",
        "aggregation": mapping.aggregation,
    }


def remove_kpi_mapping(mapping_id: int, *, by: User) -> None:
    _check_manager(by)
    mapping = db.session.get(KpiMapping, mapping_id)
    if mapping is None:
        raise NotFound(_("There is no such KPI mapping."))
    state = _kpi_mapping_state(mapping)
    db.session.delete(mapping)
    db.session.flush()
    audit.record(by, "kpi_mapping.removed", "kpi_mapping", mapping_id, before=state)


def kpi_label(mapping: KpiMapping) -> str:
    if mapping.kpi_kind == KpiKind.STANDARD:
        return _standard_kpi(mapping.kpi_name)
    return _("“%(kpi)s” (each venture's own KPI of that name)", kpi=mapping.kpi_name)


def _standard_kpi(name: str) -> str:
    """A standard KPI's label in the request's language (the check-ins' catalogue marks them)."""
    return _(str(STANDARD_KPIS.get(name, name)))


@dataclass
class KpiFeed:
    """One of a venture's KPIs and the metric it feeds, if any."""

    label: str
    metric: Metric | None
    aggregation: KpiAggregation | None


def kpi_feeds(venture: Venture) -> list[KpiFeed]:
    """A venture's standard and custom KPIs, and which scorecard metric each feeds."""
    mappings = {(m.kpi_kind, m.kpi_name): m for m in kpi_mappings()}
    feeds = []
    for name in STANDARD_KPIS:
        mapping = mappings.get((KpiKind.STANDARD, name))
        feeds.append(_feed(_standard_kpi(name), mapping))
    custom = db.session.scalars(
        select(CustomKpi).where(CustomKpi.venture_id == venture.id).order_by(CustomKpi.name)
    )
    for kpi in custom:
        feeds.append(_feed(kpi.name, mappings.get((KpiKind.CUSTOM, kpi.name.casefold()))))
    return feeds


def _feed(label: str, mapping: KpiMapping | None) -> KpiFeed:
    if mapping is None:
        return KpiFeed(label, None, None)
    return KpiFeed(label, mapping.metric, KpiAggregation(mapping.aggregation))
