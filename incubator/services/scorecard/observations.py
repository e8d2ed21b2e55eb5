"""Figures entered by hand (a department's figure, a survey, history from before the tracker):
recorded with who entered them and when, corrected with the old value kept, withdrawn
without being deleted. Figures the app already holds are derived (derivation.py) and are
never typed in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator import clock, i18n
from incubator.extensions import db
from incubator.models import (
    Cohort,
    DataSource,
    Geography,
    Metric,
    Neighbourhood,
    Observation,
    ObservationRevision,
    Origin,
    RevisionAction,
    Role,
    Unit,
    User,
    utcnow,
)
from incubator.services import audit
from incubator.services.errors import Conflict, InvalidInput, NotAllowed
from incubator.services.scorecard import labels, periods
from incubator.services.scorecard.catalogue import LARGEST_FIGURE

EARLIEST_PERIOD = date(1990, 1, 1)
# The kinds of place a figure is for, in English (labels.geography translates them).
GEOGRAPHY_LABELS = labels.GEOGRAPHIES


def today() -> date:
    return clock.program_date(utcnow())


def tracking_started_on() -> date | None:
    """The day the tracker's own records begin: the first cohort's start. Derived metrics
    take figures by hand only for periods that ended before it."""
    return db.session.scalar(select(func.min(Cohort.starts_on)))


def _check_manager(by: User) -> None:
    if not by.has_role(Role.MANAGER, Role.ADMIN):
        raise NotAllowed(_("Only a program manager enters the scorecard's figures."))


@dataclass
class ObservationInput:
    period_start: date | None
    value: float | None
    geography: str = Geography.CITY
    neighbourhood_id: int | None = None
    denominator: float | None = None
    data_source_id: int | None = None
    note: str = ""


def observation_state(observation: Observation) -> dict[str, Any]:
    return {
        "metric_id": observation.metric_id,
        "period_start": observation.period_start.isoformat(),
        "geography": observation.geography,
        "neighbourhood_id": observation.neighbourhood_id,
        "value": observation.value,
        "denominator": observation.denominator,
        "data_source_id": observation.data_source_id,
        "note": observation.note,
        "origin": observation.origin,
    }


def _check_figure(metric: Metric, value: float | None, denominator: float | None) -> float:
    """The figure, checked: a number, a percentage in range, any denominator above zero."""
    if value is None or not math.isfinite(value) or abs(value) > LARGEST_FIGURE:
        raise InvalidInput(_("Enter the figure as a number."))
    bad = denominator is not None and not (
        math.isfinite(denominator) and 0 < denominator <= LARGEST_FIGURE
    )
    if bad:
        raise InvalidInput(_("The denominator, when there is one, is a number above zero."))
    if metric.unit == Unit.PERCENT:
        if denominator is None and not 0 <= value <= 100:
            raise InvalidInput(_("Without a denominator, a percentage is from 0 to 100."))
        if denominator is not None and not 0 <= value <= denominator:
            raise InvalidInput(_("A share cannot be more than its denominator (or below zero)."))
    return float(value)


def _check_source(data_source_id: int | None) -> DataSource | None:
    if not data_source_id:
        return None
    source = db.session.get(DataSource, data_source_id)
    if source is None:
        raise InvalidInput(_("The chosen data source does not exist."))
    return source


def _check_period(metric: Metric, start: date | None, day: date) -> date:
    if start is None:
        raise InvalidInput(_("Choose the period the figure is for."))
    if not periods.is_period_start(start, metric.frequency):
        raise InvalidInput(
            _(
                "%(metric)s is reported %(frequency)s; a period starts on %(day)s.",
                metric=metric.name,
                frequency=labels.frequency(metric.frequency).lower(),
                day=i18n.format_date(periods.period_start(start, metric.frequency)),
            )
        )
    end = periods.period_end(start, metric.frequency)
    if end >= day:
        raise InvalidInput(
            _("%(period)s has not ended yet.", period=labels.period(start, metric.frequency))
        )
    if start < EARLIEST_PERIOD:
        raise InvalidInput(_("The scorecard starts in 1990."))
    if metric.derivation:
        began = tracking_started_on()
        if began is not None and end >= began:
            raise InvalidInput(
                _(
                    "%(metric)s is derived from %(records)s; from %(began)s on the app has those "
                    "figures itself. Figures by hand are for periods that ended before then.",
                    metric=metric.name,
                    records=labels.derivation(metric.derivation),
                    began=labels.full_month(began),
                )
            )
    return end


def record_observation(
    metric: Metric, data: ObservationInput, *, by: User, day: date | None = None
) -> Observation:
    """Enter a figure for a period and a place; there is one in force per metric, period and
    place, so a second one is a correction of the first."""
    _check_manager(by)
    end = _check_period(metric, data.period_start, day or today())
    if data.geography not in set(Geography):
        raise InvalidInput(_("Unknown kind of place %(value)s.", value=repr(data.geography)))
    neighbourhood = None
    if data.geography == Geography.NEIGHBOURHOOD:
        neighbourhood = db.session.get(Neighbourhood, data.neighbourhood_id or 0)
        if neighbourhood is None:
            raise InvalidInput(_("Choose the neighbourhood the figure is for."))
    value = _check_figure(metric, data.value, data.denominator)
    source = _check_source(data.data_source_id)
    if len(data.note) > 2000:
        raise InvalidInput(_("The note is limited to 2,000 characters."))
    if _current(metric, data.period_start, data.geography, neighbourhood) is not None:
        raise Conflict(
            _(
                "There is already a figure for that period and place; correct it instead, and "
                "the old value is kept in its history."
            )
        )
    observation = Observation(
        metric_id=metric.id,
        period_start=data.period_start,
        period_end=end,
        geography=data.geography,
        neighbourhood_id=neighbourhood.id if neighbourhood else None,
        value=value,
        denominator=data.denominator,
        origin=Origin.MANUAL,
        data_source_id=source.id if source else None,
        note=data.note.strip(),
        recorded_by_id=by.id,
        recorded_at=utcnow(),
    )
    try:
        # Two managers entering the same figure at once: the unique index keeps one.
        with db.session.begin_nested():
            db.session.add(observation)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("Someone has just entered a figure for that period and place; correct it instead.")
        ) from None
    audit.record(
        by,
        "observation.recorded",
        "observation",
        observation.id,
        after=observation_state(observation),
    )
    return observation


def _current(
    metric: Metric, start: date | None, geography: str, neighbourhood: Neighbourhood | None
) -> Observation | None:
    statement = select(Observation).where(
        Observation.metric_id == metric.id,
        Observation.period_start == start,
        Observation.withdrawn_at.is_(None),
    )
    if neighbourhood is not None:
        statement = statement.where(Observation.neighbourhood_id == neighbourhood.id)
    else:
        statement = statement.where(
            Observation.geography == geography, Observation.neighbourhood_id.is_(None)
        )
    return db.session.scalar(statement)


def _revision(observation: Observation, action: RevisionAction, reason: str, by: User | None):
    return ObservationRevision(
        observation_id=observation.id,
        value=observation.value,
        denominator=observation.denominator,
        contributors=observation.contributors,
        data_source_id=observation.data_source_id,
        note=observation.note,
        recorded_by_id=observation.recorded_by_id,
        recorded_at=observation.recorded_at,
        action=action,
        reason=reason,
        replaced_by_id=by.id if by is not None else None,
        replaced_at=utcnow(),
    )


def _check_manual_and_current(observation: Observation) -> None:
    if observation.origin != Origin.MANUAL:
        raise InvalidInput(
            _(
                "This figure is derived from the app's own records; correct the pilot, "
                "investment or check-in it comes from, and refresh the scorecard."
            )
        )
    if observation.withdrawn_at is not None:
        raise InvalidInput(_("This figure was withdrawn; enter the period's figure again instead."))


def correct_observation(
    observation: Observation,
    value: float | None,
    denominator: float | None,
    data_source_id: int | None,
    note: str,
    reason: str,
    *,
    by: User,
) -> None:
    """Replace a figure entered by hand; the old one stays in its history, with the reason."""
    _check_manager(by)
    _check_manual_and_current(observation)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the figure is corrected."))
    checked = _check_figure(observation.metric, value, denominator)
    source = _check_source(data_source_id)
    if len(note) > 2000 or len(reason) > 2000:
        raise InvalidInput(_("The note and the reason are limited to 2,000 characters each."))
    before = observation_state(observation)
    db.session.add(_revision(observation, RevisionAction.CORRECTED, reason, by))
    observation.value = checked
    observation.denominator = denominator
    observation.data_source_id = source.id if source else None
    observation.note = note.strip()
    observation.recorded_by_id = by.id
    observation.recorded_at = utcnow()
    db.session.flush()
    audit.record(
        by,
        "observation.corrected",
        "observation",
        observation.id,
        before=before,
        after={**observation_state(observation), "reason": reason},
    )


def withdraw_observation(observation: Observation, reason: str, *, by: User) -> None:
    """Take a figure entered by hand off the scorecard; it stays in the records."""
    _check_manager(by)
    _check_manual_and_current(observation)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the figure is withdrawn."))
    db.session.add(_revision(observation, RevisionAction.WITHDRAWN, reason[:2000], by))
    observation.withdrawn_at = utcnow()
    db.session.flush()
    audit.record(
        by,
        "observation.withdrawn",
        "observation",
        observation.id,
        before=observation_state(observation),
        after={"reason": reason},
    )


def history(observation: Observation) -> list[ObservationRevision]:
    """The values the figure held before, newest first, with who replaced them and why."""
    return list(
        db.session.scalars(
            select(ObservationRevision)
            .options(
                selectinload(ObservationRevision.recorded_by),
                selectinload(ObservationRevision.replaced_by),
            )
            .where(ObservationRevision.observation_id == observation.id)
            .order_by(ObservationRevision.replaced_at.desc(), ObservationRevision.id.desc())
        )
    )


def metric_observations(metric: Metric, page: int, per_page: int) -> Pagination:
    """A metric's figures, newest period first, withdrawn ones included (and marked)."""
    statement = (
        select(Observation)
        .options(
            selectinload(Observation.neighbourhood),
            selectinload(Observation.recorded_by),
            selectinload(Observation.data_source),
        )
        .where(Observation.metric_id == metric.id)
        .order_by(
            Observation.period_start.desc(),
            Observation.geography,
            Observation.neighbourhood_id,
            Observation.id.desc(),
        )
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def period_choices(metric: Metric, *, before: date | None = None, count: int = 36) -> list[date]:
    """The starts of the last `count` periods that have ended (before `before`, when given),
    newest first."""
    start = periods.period_start(min(today(), before) if before else today(), metric.frequency)
    choices: list[date] = []
    while len(choices) < count:
        start = periods.previous_period(start, metric.frequency)
        if start < EARLIEST_PERIOD:
            break
        choices.append(start)
    return choices


def place_label(observation: Observation) -> str:
    if observation.neighbourhood is not None:
        return observation.neighbourhood.name
    return labels.geography(Geography(observation.geography))


@dataclass
class ImportedFigure:
    period_start: date
    value: float
    geography: str = Geography.CITY
    neighbourhood_id: int | None = None
    denominator: float | None = None


def import_figures(
    metric: Metric,
    figures: list[ImportedFigure],
    *,
    by: User,
    data_source: DataSource | None = None,
    note: str = "",
    day: date | None = None,
) -> int:
    """Enter many figures of one metric at once (a department's table, records from before
    the tracker), under the same rules as one figure; one audit event for the batch."""
    _check_manager(by)
    day = day or today()
    now = utcnow()
    rows = []
    seen = set()
    for figure in figures:
        end = _check_period(metric, figure.period_start, day)
        _check_figure(metric, figure.value, figure.denominator)
        if figure.geography not in set(Geography):
            raise InvalidInput(_("Unknown kind of place %(value)s.", value=repr(figure.geography)))
        if (figure.geography == Geography.NEIGHBOURHOOD) != (figure.neighbourhood_id is not None):
            raise InvalidInput(_("A neighbourhood's figure names its neighbourhood, and only it."))
        key = (figure.period_start, figure.geography, figure.neighbourhood_id)
        if key in seen:
            raise InvalidInput(_("The batch has two figures for the same period and place."))
        seen.add(key)
        rows.append(
            {
                "metric_id": metric.id,
                "period_start": figure.period_start,
                "period_end": end,
                "geography": figure.geography,
                "neighbourhood_id": figure.neighbourhood_id,
                "value": float(figure.value),
                "denominator": figure.denominator,
                "origin": Origin.MANUAL,
                "data_source_id": data_source.id if data_source else None,
                "contributors": None,
                "note": note,
                "recorded_by_id": by.id,
                "recorded_at": now,
            }
        )
    if rows:
        try:
            with db.session.begin_nested():
                # A Core INSERT of the rows as they are (executemany); __table__ is typed as
                # any FromClause, but a declarative model's is its Table.
                db.session.execute(insert(cast(Table, Observation.__table__)), rows)
        except IntegrityError:
            raise Conflict(
                _("Some of these periods and places already have a figure; correct those instead.")
            ) from None
    audit.record(
        by,
        "observations.imported",
        "metric",
        metric.id,
        after={"figures": len(rows), "data_source_id": data_source.id if data_source else None},
    )
    return len(rows)
