"""The public scorecard, built once per request in a fixed number of queries, and the same
figures as CSV and JSON.

Only what is meant to be public leaves this module: published metrics of active areas,
figures in force (not withdrawn), places resting on enough ventures (cityscore.MIN_VENTURES),
and of each dataset its department, name, link, update frequency, geography and licence, never
its contact or who entered a figure.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import and_, false, func, literal, or_, select
from sqlalchemy.orm import aliased

from incubator.extensions import db
from incubator.models import (
    DataSource,
    Geography,
    ImpactArea,
    ImpactAreaKind,
    Metric,
    MetricDataSource,
    Neighbourhood,
    Observation,
    ScorecardRefresh,
    SourceGeography,
    Unit,
)
from incubator.services.errors import NotFound
from incubator.services.scorecard import cityscore, drawing, geography, labels, periods
from incubator.services.scorecard.cityscore import MIN_VENTURES, Direction, Part, Status
from incubator.services.spreadsheets import spreadsheet_safe

TREND_POINTS = 12


# Formatting (in the request's language) -------------------------------------------------------


def hidden_text() -> str:
    """What a figure too few ventures stand behind shows instead."""
    return ngettext(
        "not published (fewer than %(num)d venture)",
        "not published (fewer than %(num)d ventures)",
        MIN_VENTURES,
    )


def no_data_text() -> str:
    return gettext("no data")


def credits() -> list[str]:
    """Where the scorecard's boundaries and methods come from."""
    return [
        labels.source_credit(),
        gettext(
            "Scores follow Boston's CityScore: the latest value divided by the target (the "
            "target divided by the value where lower is better)."
        ),
        gettext("Metric codes from IRIS+, the Global Impact Investing Network's catalogue."),
    ]


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return no_data_text()
    if unit == Unit.USD:
        # The sign before the dollar: "-$1,234".
        return ("-" if value < 0 else "") + labels.localized(f"${abs(value):,.0f}")
    if unit == Unit.PERCENT:
        return labels.localized(f"{value:.1f}%")
    if float(value).is_integer():
        return labels.localized(f"{value:,.0f}")
    return labels.localized(f"{value:,.1f}")


def format_score(score: float | None) -> str:
    return "—" if score is None else labels.localized(f"{score:.2f}")


def _shown(value: float, denominator: float | None, unit: str) -> float:
    return cityscore.shown_value(value, denominator, unit == Unit.PERCENT)


def _publishable(contributors: int | None) -> bool:
    return contributors is None or contributors == 0 or contributors >= MIN_VENTURES


# What the page shows --------------------------------------------------------------------------


@dataclass
class TrendPoint:
    period_start: date
    label: str
    value: float | None  # None: not published


@dataclass
class ZoneFigure:
    value: float | None = None
    text: str = field(default_factory=no_data_text)
    per_neighbourhood: float | None = None
    per_neighbourhood_text: str = "—"


@dataclass
class SourceSummary:
    department: str
    name: str
    url: str | None
    update_frequency: str
    geography: str
    licence: str

    @property
    def update_frequency_label(self) -> str:
        """How often it is updated, in words ("monthly")."""
        return labels.update_frequency(self.update_frequency).lower()


@dataclass
class MetricRow:
    code: str
    name: str
    description: str
    area: str
    unit: str
    unit_label: str
    direction: str
    frequency: str
    iris_code: str | None
    derived_from: str
    period_start: date | None
    period_label: str
    value: float | None
    value_text: str
    target_value: float | None
    target_text: str
    target_on: date | None
    baseline_text: str
    score: float | None
    score_text: str
    status: Status
    reference_value: float | None
    reference_text: str
    reference_label: str
    reference_source: str
    reference_year: int | None
    neighbourhood_ready: bool
    # The latest period with figures by neighbourhood, and how many of them are published.
    neighbourhood_period: date | None = None
    places_published: int = 0
    zone_period_label: str = ""
    promise_zone: ZoneFigure = field(default_factory=ZoneFigure)
    rest_of_city: ZoneFigure = field(default_factory=ZoneFigure)
    trend: list[TrendPoint] = field(default_factory=list)
    sources: list[SourceSummary] = field(default_factory=list)

    @property
    def direction_label(self) -> str:
        return labels.direction(Direction(self.direction))

    @property
    def frequency_label(self) -> str:
        return labels.frequency(self.frequency)

    @cached_property
    def trend_rows(self) -> list[tuple[str, str]]:
        """The trend line's periods and figures, as the table beside it shows them (written
        once: the page reads them twice, in the table and in the picture's text)."""
        return [(p.label, format_value(p.value, self.unit)) for p in self.trend]

    @property
    def trend_text(self) -> str:
        shown = [f"{label}: {text}" for label, text in self.trend_rows]
        return "; ".join(shown) if shown else no_data_text()


@dataclass
class AreaSection:
    code: str
    name: str
    kind: str
    description: str
    rows: list[MetricRow] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return labels.area_kind(ImpactAreaKind(self.kind))


@dataclass
class Scorecard:
    sections: list[AreaSection]
    headline: float | None
    last_updated: datetime | None

    @property
    def rows(self) -> list[MetricRow]:
        return [row for section in self.sections for row in section.rows]

    @property
    def status_counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def headline_text(self) -> str:
        return format_score(self.headline)


# The fingerprint (ETag and "last updated") ------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_updated: datetime | None
    # The latest of the times it read, of any kind (figures, metrics, areas, sources).
    newest: datetime | None = None


def fingerprint() -> Fingerprint:
    """One query over the latest change of everything the public pages show. Figures are
    never deleted (withdrawn instead) and every refresh leaves a row, so these maxima move
    whenever a page would."""
    row = db.session.execute(
        select(
            select(func.max(Observation.recorded_at)).scalar_subquery(),
            select(func.max(Observation.withdrawn_at))
            .where(Observation.withdrawn_at.is_not(None))
            .scalar_subquery(),
            select(func.max(Metric.updated_at)).scalar_subquery(),
            select(func.max(ImpactArea.updated_at)).scalar_subquery(),
            select(func.max(DataSource.updated_at)).scalar_subquery(),
            select(func.max(ScorecardRefresh.id)).scalar_subquery(),
            select(func.count()).select_from(Metric).scalar_subquery(),
        )
    ).one()
    digest = hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:32]
    stamps = [value for value in row[:5] if isinstance(value, datetime)]
    figures = [value for value in row[:2] if isinstance(value, datetime)]
    return Fingerprint(digest, max(figures or stamps, default=None), max(stamps, default=None))


# Building the scorecard -----------------------------------------------------------------------


def _latest(geography_filter) -> Any:
    return (
        select(func.max(Observation.period_start))
        .where(
            Observation.metric_id == Metric.id,
            geography_filter,
            Observation.withdrawn_at.is_(None),
        )
        .correlate(Metric)
        .scalar_subquery()
    )


def _published_places() -> Any:
    """How many neighbourhood figures of the metric's latest such period may be published."""
    latest = aliased(Observation)
    period = (
        select(func.max(latest.period_start))
        .where(
            latest.metric_id == Metric.id,
            latest.geography == Geography.NEIGHBOURHOOD,
            latest.withdrawn_at.is_(None),
        )
        .correlate(Metric)
        .scalar_subquery()
    )
    return (
        select(func.count(Observation.id))
        .where(
            Observation.metric_id == Metric.id,
            Observation.geography == Geography.NEIGHBOURHOOD,
            Observation.withdrawn_at.is_(None),
            Observation.period_start == period,
            or_(Observation.contributors.is_(None), Observation.contributors >= MIN_VENTURES),
        )
        .correlate(Metric)
        .scalar_subquery()
    )


def _catalogue_rows(metric_code: str | None = None, with_places: bool = False):
    """Active areas with their published metrics and each metric's latest periods: one query
    (the latest periods are correlated maxima over the (metric, geography, period) index)."""
    joined = and_(Metric.impact_area_id == ImpactArea.id, Metric.published.is_(True))
    statement = (
        select(
            ImpactArea,
            Metric,
            _latest(Observation.geography == Geography.CITY).label("city"),
            _latest(Observation.geography == Geography.NEIGHBOURHOOD).label("neighbourhood"),
            # One maximum per zone: each is a backward step on the index, where a maximum
            # over "geography IN (both)" reads every zone figure of the metric.
            _latest(Observation.geography == Geography.PROMISE_ZONE).label("zone"),
            _latest(Observation.geography == Geography.REST_OF_CITY).label("rest"),
            (_published_places() if with_places else literal(0)).label("places"),
        )
        .outerjoin(Metric, joined)
        .where(ImpactArea.active.is_(True))
        .order_by(ImpactArea.position, ImpactArea.name, Metric.position, Metric.name)
    )
    if metric_code is not None:
        statement = statement.where(Metric.code == metric_code)
    # (area, metric or None where the area has none, latest city, neighbourhood, Promise Zone
    # and rest-of-city periods, publishable neighbourhood figures).
    rows: Sequence[
        tuple[ImpactArea, Metric | None, date | None, date | None, date | None, date | None, int]
    ] = db.session.execute(statement).all()
    return [
        (area, metric, city, places, max(filter(None, (zone, rest)), default=None), count)
        for area, metric, city, places, zone, rest, count in rows
    ]


def _sources(metric_ids: list[int]) -> dict[int, list[DataSource]]:
    found: dict[int, list[DataSource]] = defaultdict(list)
    if not metric_ids:
        return found
    rows = db.session.execute(
        select(MetricDataSource.metric_id, DataSource)
        .join(DataSource, DataSource.id == MetricDataSource.data_source_id)
        .where(MetricDataSource.metric_id.in_(metric_ids))
        .order_by(DataSource.department, DataSource.name)
    )
    for metric_id, source in rows:
        found[metric_id].append(source)
    return found


def _city_series(latest: dict[int, tuple[date, str]]) -> dict[int, list[tuple]]:
    """Each metric's city figures over its last TREND_POINTS periods, oldest first.

    The window starts TREND_POINTS periods back from the latest city figure the catalogue
    query found, so each metric reads at most that many rows from the index, however long
    its history.
    """
    windows = []
    for metric_id, (last, frequency) in latest.items():
        first = last
        for _ in range(TREND_POINTS - 1):
            first = periods.previous_period(first, frequency)
        windows.append(
            and_(
                Observation.metric_id == metric_id,
                Observation.geography == Geography.CITY,
                Observation.period_start >= first,
            )
        )
    rows = db.session.execute(
        select(
            Observation.metric_id,
            Observation.period_start,
            Observation.value,
            Observation.denominator,
            Observation.contributors,
        )
        .where(or_(*windows) if windows else false(), Observation.withdrawn_at.is_(None))
        .order_by(Observation.metric_id, Observation.period_start)
    )
    series: dict[int, list[tuple]] = defaultdict(list)
    for metric_id, start, value, denominator, contributors in rows:
        series[metric_id].append((start, value, denominator, contributors))
    return series


def _at_periods(pairs: list[tuple[int, date]]) -> Any:
    """Each metric at its own period. Spelt as ORs, which both databases answer from the
    (metric, geography, period) index; SQLite reads the whole table for a row-value IN."""
    if not pairs:
        return false()
    return or_(
        *(
            and_(Observation.metric_id == metric_id, Observation.period_start == start)
            for metric_id, start in pairs
        )
    )


def _zone_rows(pairs: list[tuple[int, date]]) -> dict[int, dict[str, tuple]]:
    """The Promise Zone's and the rest of the city's own figures at each metric's period."""
    found: dict[int, dict[str, tuple]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            Observation.metric_id,
            Observation.geography,
            Observation.value,
            Observation.denominator,
            Observation.contributors,
        ).where(
            _at_periods(pairs),
            Observation.geography.in_([Geography.PROMISE_ZONE, Geography.REST_OF_CITY]),
            Observation.withdrawn_at.is_(None),
        )
    )
    for metric_id, where, value, denominator, contributors in rows:
        found[metric_id][where] = (value, denominator, contributors)
    return found


def _zone_sums(pairs: list[tuple[int, date]]) -> dict[int, dict[bool, tuple]]:
    """Neighbourhood figures added up inside and outside the Promise Zone, where a metric
    has no zone figures of its own (a department's figures by neighbourhood)."""
    found: dict[int, dict[bool, tuple]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            Observation.metric_id,
            Neighbourhood.promise_zone,
            func.sum(Observation.value),
            func.sum(Observation.denominator),
            func.count(Observation.id),
            func.count(Observation.denominator),
            func.min(func.coalesce(Observation.contributors, literal(MIN_VENTURES))),
        )
        .join(Neighbourhood, Neighbourhood.id == Observation.neighbourhood_id)
        .where(
            _at_periods(pairs),
            Observation.geography == Geography.NEIGHBOURHOOD,
            Observation.withdrawn_at.is_(None),
        )
        .group_by(Observation.metric_id, Neighbourhood.promise_zone)
    )
    for metric_id, in_zone, total, denominators, count, with_denominator, fewest in rows:
        found[metric_id][bool(in_zone)] = (total, denominators, count, with_denominator, fewest)
    return found


@cache
def _zone_count() -> tuple[int, int]:
    """The neighbourhoods inside the Promise Zone and outside it (the shipped boundaries)."""
    zone = sum(1 for b in geography.boundaries() if b.promise_zone)
    return zone, len(geography.boundaries()) - zone


def build(
    *, metric_code: str | None = None, found: Fingerprint | None = None, with_places: bool = False
) -> Scorecard:
    """The scorecard: every active area, its published metrics with latest value, trend,
    target, score, status, reference figure and the Promise Zone against the rest.
    `found` is the fingerprint when the caller has read it already; `with_places` counts
    each metric's publishable figures by neighbourhood (to choose a metric for the map)."""
    found = found or fingerprint()
    catalogue = _catalogue_rows(metric_code, with_places)
    metric_ids = [metric.id for _area, metric, *_ in catalogue if metric is not None]
    sources = _sources(metric_ids)
    series = _city_series(
        {m.id: (city, m.frequency) for _a, m, city, _n, _z, _p in catalogue if m and city}
    )
    zone_pairs = [(m.id, zones) for _a, m, _c, _n, zones, _p in catalogue if m and zones]
    sum_pairs = [
        (m.id, places) for _a, m, _c, places, zones, _p in catalogue if m and places and not zones
    ]
    zone_rows = _zone_rows(zone_pairs)
    zone_sums = _zone_sums(sum_pairs)
    sections: dict[int, AreaSection] = {}
    for area, metric, _city, places, zones, published in catalogue:
        section = sections.get(area.id)
        if section is None:
            section = sections[area.id] = AreaSection(
                area.code, area.name, area.kind, area.description
            )
        if metric is None:
            continue
        row = _metric_row(metric, area, series.get(metric.id, []), sources.get(metric.id, []))
        row.neighbourhood_ready = row.neighbourhood_ready or places is not None
        row.neighbourhood_period, row.places_published = places, published or 0
        _add_zones(row, metric, zones or places, zone_rows.get(metric.id), zone_sums.get(metric.id))
        section.rows.append(row)
    built = list(sections.values())
    headline = cityscore.headline(row.score for s in built for row in s.rows)
    return Scorecard(built, headline, found.last_updated)


def _metric_row(
    metric: Metric, area: ImpactArea, series: list[tuple], sources: list[DataSource]
) -> MetricRow:
    unit = metric.unit
    trend = [
        TrendPoint(
            start,
            labels.period(start, metric.frequency),
            _shown(value, denominator, unit) if _publishable(contributors) else None,
        )
        for start, value, denominator, contributors in series
    ]
    latest = trend[-1] if trend else None
    value = latest.value if latest else None
    score = cityscore.score(value, metric.target_value, metric.direction)
    hidden = latest is not None and latest.value is None
    ready = bool(metric.derivation) or any(
        SourceGeography(s.geography).reaches_neighbourhoods for s in sources
    )
    return MetricRow(
        code=metric.code,
        name=metric.name,
        description=metric.description,
        area=area.name,
        unit=unit,
        unit_label=metric.unit_label,
        direction=metric.direction,
        frequency=metric.frequency,
        iris_code=metric.iris_code,
        derived_from=labels.derivation(metric.derivation) or "",
        period_start=latest.period_start if latest else None,
        period_label=latest.label if latest else "",
        value=value,
        value_text=hidden_text() if hidden else format_value(value, unit),
        target_value=metric.target_value,
        target_text=_target_text(metric),
        target_on=metric.target_on,
        baseline_text=_baseline_text(metric),
        score=score,
        score_text=format_score(score),
        status=cityscore.status(value, metric.target_value, score),
        reference_value=metric.reference_value,
        reference_text=(
            format_value(metric.reference_value, unit) if metric.reference_value is not None else ""
        ),
        reference_label=metric.reference_label,
        reference_source=metric.reference_source,
        reference_year=metric.reference_year,
        neighbourhood_ready=ready,
        trend=trend,
        sources=[
            SourceSummary(
                s.department,
                s.name,
                s.url,
                s.update_frequency,
                labels.source_geography(SourceGeography(s.geography)),
                s.licence,
            )
            for s in sources
        ],
    )


def _target_text(metric: Metric) -> str:
    if metric.target_value is None or metric.target_on is None:
        return gettext("no target set")
    return gettext(
        "%(target)s by %(when)s",
        target=format_value(metric.target_value, metric.unit),
        when=labels.month(metric.target_on),
    )


def _baseline_text(metric: Metric) -> str:
    if metric.baseline_value is None or metric.baseline_on is None:
        return ""
    return gettext(
        "%(value)s in %(when)s",
        value=format_value(metric.baseline_value, metric.unit),
        when=labels.month(metric.baseline_on),
    )


def _add_zones(row: MetricRow, metric: Metric, start: date | None, own, sums) -> None:
    if start is None:
        return
    row.zone_period_label = labels.period(start, metric.frequency)
    row.promise_zone, row.rest_of_city = _zone_figures(row.unit, own, sums)


def _zone_figures(unit: str, own, sums) -> tuple[ZoneFigure, ZoneFigure]:
    """The Promise Zone's and the rest of the city's figures: their own rows when there are
    (value, denominator, contributors), else the sums of their neighbourhoods' figures
    (total, denominators, count, count with a denominator, fewest ventures behind one)."""
    zone, rest = ZoneFigure(), ZoneFigure()
    zone_count, rest_count = _zone_count()
    if own:
        figures = {
            Geography.PROMISE_ZONE: own.get(Geography.PROMISE_ZONE),
            Geography.REST_OF_CITY: own.get(Geography.REST_OF_CITY),
        }
        hidden = cityscore.hidden_cells(
            {where: figure[2] for where, figure in figures.items() if figure is not None}
        )
        for where, figure in figures.items():
            target = zone if where == Geography.PROMISE_ZONE else rest
            count = zone_count if where == Geography.PROMISE_ZONE else rest_count
            if figure is None:
                continue
            if where in hidden:
                target.text = hidden_text()
                continue
            _fill_zone(target, unit, Part(figure[0], figure[1]), count)
    elif sums:
        hidden = cityscore.hidden_cells(
            {
                in_zone: (None if fewest >= MIN_VENTURES else fewest)
                for in_zone, (*_, fewest) in sums.items()
            }
        )
        for in_zone, (total, denominators, count, with_denominator, _fewest) in sums.items():
            target = zone if in_zone else rest
            if in_zone in hidden:
                target.text = hidden_text()
                continue
            part = Part(total, denominators if with_denominator == count else None)
            _fill_zone(target, unit, part, zone_count if in_zone else rest_count)
    return zone, rest


def _fill_zone(target: ZoneFigure, unit: str, part: Part, neighbourhoods: int) -> None:
    target.value = _shown(part.value, part.denominator, unit)
    target.text = format_value(target.value, unit)
    if part.denominator is None and unit != Unit.PERCENT and neighbourhoods:
        target.per_neighbourhood = part.value / neighbourhoods
        target.per_neighbourhood_text = format_value(round(target.per_neighbourhood, 2), unit)


# One metric by neighbourhood ----------------------------------------------------------------


@dataclass
class NeighbourhoodCell:
    name: str
    slug: str
    promise_zone: bool
    value: float | None
    text: str
    hidden: bool = False


@dataclass
class NeighbourhoodView:
    metric: MetricRow
    period_start: date | None
    period_label: str
    cells: list[NeighbourhoodCell]
    summary: str
    # The periods a reader may choose: the latest with figures by place, and those before.
    period_choices: list[tuple[date, str]] = field(default_factory=list)
    # The same period's figures for the city and the two zones.
    city_text: str = field(default_factory=no_data_text)
    promise_zone: ZoneFigure = field(default_factory=ZoneFigure)
    rest_of_city: ZoneFigure = field(default_factory=ZoneFigure)

    @property
    def with_data(self) -> int:
        return sum(1 for c in self.cells if c.value is not None)


PERIOD_CHOICES = 24


# A stored figure: (value, denominator, contributors).
PlaceFigure = tuple[float, float | None, int | None]


def neighbourhood_view(
    code: str | None, card: Scorecard | None = None, period: date | None = None
) -> NeighbourhoodView:
    """One published metric's figures in each of the 114 neighbourhoods, for its latest
    period with figures by place or an earlier one; `card` is the scorecard when the caller
    has built it already."""
    if code is not None and card is None:
        card = build(metric_code=code)
    row = next((r for r in card.rows if r.code == code), None) if card and code else None
    if row is None or code is None:
        raise NotFound(gettext("There is no such metric on the scorecard."))
    latest = row.neighbourhood_period
    choices = _period_choices(latest, row.frequency)
    chosen = period if period in {start for start, _label in choices} else latest
    figures: dict[int | None, PlaceFigure] = {}
    own: dict[str, PlaceFigure] = {}
    if chosen is not None:
        figures, own = _period_figures(code, chosen)
    cells, sums = _neighbourhood_cells(figures, row.unit)
    label = labels.period(chosen, row.frequency) if chosen else ""
    zones = {w: f for w, f in own.items() if w != Geography.CITY}
    zone, rest = _zone_figures(row.unit, zones, {k: tuple(v) for k, v in sums.items()})
    city_text = _city_text(own.get(Geography.CITY), row.unit)
    view = NeighbourhoodView(row, chosen, label, cells, "", choices, city_text, zone, rest)
    view.summary = _summary(view)
    return view


def _period_choices(latest: date | None, frequency: str) -> list[tuple[date, str]]:
    """(start, label) of the latest period with figures by place and those before it."""
    choices: list[tuple[date, str]] = []
    if latest is not None:
        start = latest
        for _ in range(PERIOD_CHOICES):
            choices.append((start, labels.period(start, frequency)))
            start = periods.previous_period(start, frequency)
    return choices


def _period_figures(
    code: str, chosen: date
) -> tuple[dict[int | None, PlaceFigure], dict[str, PlaceFigure]]:
    """A period's figures in force: the neighbourhoods' by neighbourhood id, and the city's and
    the zones' by geography. One query."""
    figures: dict[int | None, PlaceFigure] = {}
    own: dict[str, PlaceFigure] = {}
    for where, neighbourhood_id, value, denominator, contributors in db.session.execute(
        select(
            Observation.geography,
            Observation.neighbourhood_id,
            Observation.value,
            Observation.denominator,
            Observation.contributors,
        )
        .join(Metric, Metric.id == Observation.metric_id)
        .where(
            Metric.code == code,
            Observation.period_start == chosen,
            Observation.withdrawn_at.is_(None),
        )
    ):
        if where == Geography.NEIGHBOURHOOD:
            figures[neighbourhood_id] = (value, denominator, contributors)
        else:
            own[where] = (value, denominator, contributors)
    return figures, own


def _neighbourhood_cells(
    figures: dict[int | None, PlaceFigure], unit: str
) -> tuple[list[NeighbourhoodCell], dict[bool, list]]:
    """Every neighbourhood's cell, and the sums of their figures on each side of the Promise
    Zone's boundary (the form _zone_figures takes)."""
    hidden = cityscore.hidden_cells({key: f[2] for key, f in figures.items()})
    cells = []
    sums: dict[bool, list] = {}
    for neighbourhood in db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)):
        figure = figures.get(neighbourhood.id)
        cell = NeighbourhoodCell(
            neighbourhood.name, neighbourhood.slug, neighbourhood.promise_zone, None, no_data_text()
        )
        if figure is not None:
            side = sums.setdefault(neighbourhood.promise_zone, [0.0, 0.0, 0, 0, MIN_VENTURES])
            side[0] += figure[0]
            side[1] += figure[1] or 0.0
            side[2] += 1
            side[3] += figure[1] is not None
            side[4] = min(side[4], MIN_VENTURES if figure[2] is None else figure[2])
        if figure is not None and neighbourhood.id in hidden:
            cell.text, cell.hidden = hidden_text(), True
        elif figure is not None:
            cell.value = _shown(figure[0], figure[1], unit)
            cell.text = format_value(cell.value, unit)
        cells.append(cell)
    return cells, sums


def _city_text(city: PlaceFigure | None, unit: str) -> str:
    if city is None:
        return no_data_text()
    shown = _shown(city[0], city[1], unit)
    return format_value(shown, unit) if _publishable(city[2]) else hidden_text()


def _summary(view: NeighbourhoodView) -> str:
    """The map in words, for screen readers and anyone without the picture."""
    row, label, cells = view.metric, view.period_label, view.cells
    # (value, cell) of the cells with a figure shown.
    shown = [(c.value, c) for c in cells if c.value is not None]
    hidden = sum(1 for c in cells if c.hidden)
    if not shown and label:
        parts = [
            gettext(
                "No figure of %(metric)s by neighbourhood is published for %(period)s.",
                metric=row.name,
                period=label,
            )
        ]
    elif not shown:
        parts = [
            gettext(
                "No figure of %(metric)s by neighbourhood is published for any period.",
                metric=row.name,
            )
        ]
    else:
        top = [c for _value, c in sorted(shown, key=lambda vc: (-vc[0], vc[1].name))[:3]]
        bottom = sorted(shown, key=lambda vc: (vc[0], vc[1].name))[0][1]
        parts = [
            ngettext(
                "%(metric)s by neighbourhood, %(period)s: %(num)d of %(total)d neighbourhoods has "
                "a figure.",
                "%(metric)s by neighbourhood, %(period)s: %(num)d of %(total)d neighbourhoods have "
                "a figure.",
                len(shown),
                metric=row.name,
                period=label,
                total=len(cells),
            ),
            gettext(
                "Highest: %(places)s. Lowest: %(place)s.",
                places=", ".join(_place_figure(c) for c in top),
                place=_place_figure(bottom),
            ),
        ]
    if hidden:
        parts.append(
            ngettext(
                "%(num)d not published because fewer than %(minimum)d ventures stand behind it.",
                "%(num)d not published because fewer than %(minimum)d ventures stand behind them.",
                hidden,
                minimum=MIN_VENTURES,
            )
        )
    if view.promise_zone.value is not None or view.rest_of_city.value is not None:
        parts.append(
            gettext(
                "The Promise Zone: %(zone)s; the rest of the city: %(rest)s.",
                zone=view.promise_zone.text,
                rest=view.rest_of_city.text,
            )
        )
    return " ".join(parts)


def _place_figure(cell: NeighbourhoodCell) -> str:
    return gettext("%(place)s (%(figure)s)", place=cell.name, figure=cell.text)


def _map_cells(view: NeighbourhoodView) -> dict[str, drawing.MapCell]:
    return {c.name: drawing.MapCell(c.value, c.text, hidden=c.hidden) for c in view.cells}


def map_words() -> drawing.MapWords:
    """What the map and its key say, in the request's language."""
    return drawing.MapWords(
        in_zone=gettext("Promise Zone"),
        zone_outline=gettext("The Promise Zone"),
        zone_key=gettext("the Promise Zone"),
        no_data=no_data_text(),
        hidden=gettext("not published (too few ventures)"),
        up_to=lambda high: gettext("up to %(high)s", high=high),
        between=lambda low, high: gettext("%(low)s to %(high)s", low=low, high=high),
    )


def neighbourhood_map(view: NeighbourhoodView) -> bytes:
    if view.period_label:
        title = gettext(
            "%(metric)s by neighbourhood, %(period)s",
            metric=view.metric.name,
            period=view.period_label,
        )
    else:
        title = gettext("%(metric)s by neighbourhood", metric=view.metric.name)
    return drawing.choropleth(
        geography.boundaries(),
        _map_cells(view),
        title=title,
        description=view.summary,
        credit=labels.source_credit(),
        words=map_words(),
    )


def map_size() -> tuple[int, int]:
    """The map's width and height, for the page to reserve its box before it loads."""
    projection = drawing.base_map(geography.boundaries()).projection
    return projection.width, projection.height


def map_legend(view: NeighbourhoodView) -> list[drawing.LegendEntry]:
    """The key to the map of `view`, for the page to show beside it."""
    return drawing.map_legend(
        _map_cells(view), lambda value: format_value(value, view.metric.unit), map_words()
    )


def sparkline(code: str, found: Fingerprint | None = None) -> bytes:
    card = build(metric_code=code, found=found)
    if not card.rows:
        raise NotFound(gettext("There is no such metric on the scorecard."))
    row = card.rows[0]
    values = [p.value for p in row.trend if p.value is not None]
    target = row.target_value
    title = ngettext(
        "%(metric)s, last %(num)d period: %(figures)s",
        "%(metric)s, last %(num)d periods: %(figures)s",
        len(row.trend),
        metric=row.name,
        figures=row.trend_text,
    )
    return drawing.sparkline(values, target, title=title)


# Downloads ------------------------------------------------------------------------------------

SUMMARY_COLUMNS = [
    "impact_area",
    "metric_code",
    "metric",
    "period",
    "value",
    "target",
    "score",
    "status",
    "reference",
    "reference_source",
    "promise_zone",
    "rest_of_city",
    "by_neighbourhood",
    "value_number",
    "target_number",
    "score_number",
    "reference_number",
    "unit",
    "direction",
    "iris_code",
]


def summary_lines(card: Scorecard) -> list[list[str]]:
    """The rows of the scorecard's table as shown (text), then the raw numbers."""
    lines = []
    for row in card.rows:
        lines.append(
            [
                row.area,
                row.code,
                row.name,
                row.period_label,
                row.value_text,
                row.target_text,
                row.score_text,
                row.status.label,
                row.reference_text,
                _reference_source(row),
                row.promise_zone.text,
                row.rest_of_city.text,
                "yes" if row.neighbourhood_ready else "not yet",
                _number(row.value),
                _number(row.target_value),
                _number(row.score),
                _number(row.reference_value),
                row.unit,
                row.direction,
                row.iris_code or "",
            ]
        )
    return lines


def _reference_source(row: MetricRow) -> str:
    if row.reference_value is None:
        return ""
    parts = [row.reference_label, f"{row.reference_source}, {row.reference_year}"]
    return " — ".join(p for p in parts if p)


def _number(value: float | None) -> str:
    return "" if value is None else repr(round(value, 6))


def _csv(header: list[str], lines: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for line in lines:
        writer.writerow([spreadsheet_safe(cell) for cell in line])
    return out.getvalue()


def summary_csv(card: Scorecard) -> str:
    return _csv(SUMMARY_COLUMNS, summary_lines(card))


NEIGHBOURHOOD_COLUMNS = ["neighbourhood", "promise_zone", "period", "value", "value_number"]


def neighbourhood_lines(view: NeighbourhoodView) -> list[list[str]]:
    return [
        [c.name, "yes" if c.promise_zone else "no", view.period_label, c.text, _number(c.value)]
        for c in view.cells
    ]


def neighbourhood_csv(view: NeighbourhoodView) -> str:
    return _csv(NEIGHBOURHOOD_COLUMNS, neighbourhood_lines(view))


def _row_json(row: MetricRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "description": row.description,
        "unit": row.unit,
        "unit_label": row.unit_label,
        "direction": row.direction,
        "frequency": row.frequency,
        "iris_code": row.iris_code,
        "derived_from": row.derived_from or None,
        "period": row.period_label or None,
        "period_start": row.period_start.isoformat() if row.period_start else None,
        "value": row.value,
        "value_text": row.value_text,
        "target": row.target_value,
        "target_on": row.target_on.isoformat() if row.target_on else None,
        "target_text": row.target_text,
        "baseline_text": row.baseline_text or None,
        "score": row.score,
        "status": row.status.value,
        "status_text": row.status.label,
        "reference": (
            {
                "value": row.reference_value,
                "text": row.reference_text,
                "label": row.reference_label,
                "source": row.reference_source,
                "year": row.reference_year,
            }
            if row.reference_value is not None
            else None
        ),
        "by_neighbourhood": row.neighbourhood_ready,
        "promise_zone": _zone_json(row.promise_zone),
        "rest_of_city": _zone_json(row.rest_of_city),
        "zones_period": row.zone_period_label or None,
        "trend": [
            {"period": p.label, "period_start": p.period_start.isoformat(), "value": p.value}
            for p in row.trend
        ],
        "sources": [vars(s) for s in row.sources],
    }


def _zone_json(zone: ZoneFigure) -> dict[str, Any]:
    return {
        "value": zone.value,
        "text": zone.text,
        "per_neighbourhood": zone.per_neighbourhood,
    }


def scorecard_json(card: Scorecard, view: NeighbourhoodView | None) -> dict[str, Any]:
    """Everything the scorecard page shows, as data."""
    return {
        "title": "Accelerate: LA impact scorecard",
        "last_updated": card.last_updated.isoformat() if card.last_updated else None,
        "headline_score": card.headline,
        "thresholds": {
            "on_track": cityscore.ON_TRACK,
            "watch": cityscore.WATCH,
            "score_cap": cityscore.SCORE_CAP,
            "minimum_ventures_per_place": MIN_VENTURES,
        },
        "status_counts": {status.value: n for status, n in card.status_counts.items()},
        "impact_areas": [
            {
                "code": section.code,
                "name": section.name,
                "kind": section.kind,
                "description": section.description,
                "metrics": [_row_json(row) for row in section.rows],
            }
            for section in card.sections
        ],
        "neighbourhoods": (
            {
                "metric": view.metric.code,
                "period": view.period_label or None,
                "period_start": view.period_start.isoformat() if view.period_start else None,
                "summary": view.summary,
                "city": view.city_text,
                "promise_zone": _zone_json(view.promise_zone),
                "rest_of_city": _zone_json(view.rest_of_city),
                "rows": [
                    {
                        "neighbourhood": c.name,
                        "promise_zone": c.promise_zone,
                        "value": c.value,
                        "text": c.text,
                    }
                    for c in view.cells
                ],
            }
            if view is not None
            else None
        ),
        "credits": credits(),
    }


# One metric's history -----------------------------------------------------------------------


@dataclass
class HistoryLine:
    label: str
    value_text: str
    promise_zone_text: str = ""
    rest_text: str = ""


def metric_history(code: str, page: int, per_page: int):
    """A published metric's city figures, newest first, paginated."""
    metric = db.session.scalar(
        select(Metric)
        .join(ImpactArea)
        .where(Metric.code == code, Metric.published.is_(True), ImpactArea.active.is_(True))
    )
    if metric is None:
        raise NotFound(gettext("There is no such metric on the scorecard."))
    statement = (
        select(Observation)
        .where(
            Observation.metric_id == metric.id,
            Observation.geography == Geography.CITY,
            Observation.withdrawn_at.is_(None),
        )
        .order_by(Observation.period_start.desc())
    )
    found = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    lines = [
        HistoryLine(
            labels.period(o.period_start, metric.frequency),
            format_value(_shown(o.value, o.denominator, metric.unit), metric.unit)
            if _publishable(o.contributors)
            else hidden_text(),
        )
        for o in found.items
    ]
    return found, lines
