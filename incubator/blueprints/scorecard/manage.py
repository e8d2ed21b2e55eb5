"""Managers edit the scorecard: impact areas, metrics and targets, data sources, KPIs that
feed metrics, figures entered by hand (with their history), and refreshing derived figures."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.access import roles
from incubator.blueprints.scorecard import bp
from incubator.blueprints.scorecard.forms import (
    AreaForm,
    CorrectionForm,
    KpiMappingForm,
    MetricForm,
    ObservationForm,
    RefreshForm,
    SourceForm,
    WithdrawForm,
)
from incubator.forms import ConfirmForm
from incubator.models import (
    DataSource,
    Derivation,
    Geography,
    ImpactArea,
    KpiKind,
    Metric,
    Observation,
    Role,
)
from incubator.services.scorecard import catalogue, derivation, labels, observations, places
from incubator.web import found_or_404, page_number, submit

SOURCES_PER_PAGE = 25
OBSERVATIONS_PER_PAGE = 50


@bp.route("/manage/")
@roles(Role.MANAGER)
def manage():
    return render_template(
        "scorecard/manage.html",
        areas=catalogue.impact_areas(),
        metrics=catalogue.all_metrics(),
        mappings=catalogue.kpi_mappings(),
        last_refresh=derivation.last_refresh(),
        began=observations.tracking_started_on(),
        refresh_form=RefreshForm(),
        derivation_label=labels.derivation,
    )


@bp.route("/manage/refresh", methods=["POST"])
@roles(Role.MANAGER)
def refresh():
    submit(
        RefreshForm(),
        lambda: derivation.refresh(by=current_user),
        lambda report: _("Derived figures refreshed: %(summary)s", summary=report.summary()),
        flash_errors=True,
    )
    return redirect(url_for("scorecard.manage"))


def _form_page(form, action, success: str, *, back: str, title: str, note: str | None = None):
    """A catalogue form on a page of its own: once saved, back to the list `back` names;
    until then the form again (its errors flashed too, as every manage page does)."""
    if submit(form, action, success, flash_errors=True):
        return redirect(url_for(back))
    return render_template("scorecard/form_page.html", form=form, title=title, back=back, note=note)


# Impact areas ---------------------------------------------------------------------------------


def _area_input(form: AreaForm) -> catalogue.AreaInput:
    return catalogue.AreaInput(
        code=form.code.data or "",
        name=form.name.data or "",
        kind=form.kind.data,
        description=form.description.data or "",
        position=form.position.data or 0,
        active=bool(form.active.data),
    )


@bp.route("/manage/areas/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def create_area():
    form = AreaForm()
    return _form_page(
        form,
        lambda: catalogue.create_area(_area_input(form), by=current_user),
        _("Impact area added."),
        back="scorecard.manage",
        title=_("New impact area"),
    )


@bp.route("/manage/areas/<int:area_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER)
def edit_area(area_id: int):
    area = found_or_404(ImpactArea, area_id)
    form = AreaForm(obj=area)
    return _form_page(
        form,
        lambda: catalogue.update_area(area, _area_input(form), by=current_user),
        _("Impact area saved."),
        back="scorecard.manage",
        title=_("Edit %(name)s", name=area.name),
        note=_("A new name is carried onto every venture that named the area."),
    )


# Metrics --------------------------------------------------------------------------------------


def _metric_form(**kwargs) -> MetricForm:
    form = MetricForm(**kwargs)
    form.impact_area_id.choices = [
        (area.id, area.name if area.active else _("%(area)s (retired)", area=area.name))
        for area in catalogue.impact_areas()
    ]
    return form


def _metric_input(form: MetricForm) -> catalogue.MetricInput:
    return catalogue.MetricInput(
        code=form.code.data or "",
        name=form.name.data or "",
        impact_area_id=form.impact_area_id.data,
        unit=form.unit.data,
        unit_label=form.unit_label.data or "",
        direction=form.direction.data,
        frequency=form.frequency.data,
        description=form.description.data or "",
        baseline_value=form.baseline_value.data,
        baseline_on=form.baseline_on.data,
        target_value=form.target_value.data,
        target_on=form.target_on.data,
        iris_code=form.iris_code.data or "",
        reference_value=form.reference_value.data,
        reference_label=form.reference_label.data or "",
        reference_source=form.reference_source.data or "",
        reference_year=form.reference_year.data,
        derivation=form.derivation.data or None,
        published=bool(form.published.data),
        position=form.position.data or 0,
    )


@bp.route("/manage/metrics/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def create_metric():
    form = _metric_form()
    return _form_page(
        form,
        lambda: catalogue.create_metric(_metric_input(form), by=current_user),
        _("Metric added."),
        back="scorecard.manage",
        title=_("New metric"),
    )


@bp.route("/manage/metrics/<int:metric_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER)
def edit_metric(metric_id: int):
    metric = found_or_404(Metric, metric_id)
    form = _metric_form(obj=metric)
    # The derivation is fixed once the metric is made.
    form.derivation.choices = [
        (metric.derivation or "", dict(form.derivation.choices).get(metric.derivation or ""))
    ]
    form.derivation.data = metric.derivation or ""
    return _form_page(
        form,
        lambda: catalogue.update_metric(metric, _metric_input(form), by=current_user),
        _("Metric saved."),
        back="scorecard.manage",
        title=_("Edit %(name)s", name=metric.name),
        note=_(
            "Score = latest value ÷ target (target ÷ value where lower is better); on track "
            "at %(on_track)s and above, watch from %(watch)s.",
            on_track=labels.localized("1.00"),
            watch=labels.localized("0.90"),
        ),
    )


# Figures --------------------------------------------------------------------------------------


def _source_choices() -> list[tuple[int, str]]:
    return [(0, "—")] + [
        (source.id, f"{source.department}: {source.name}") for source in catalogue.source_choices()
    ]


def _observation_form(metric, **kwargs) -> ObservationForm:
    form = ObservationForm(**kwargs)
    # A derived metric takes figures by hand only for the time before the tracker began.
    began = observations.tracking_started_on() if metric.derivation else None
    choices = observations.period_choices(metric, before=began)
    form.period_start.choices = [
        (choice.isoformat(), labels.period(choice, metric.frequency)) for choice in choices
    ]
    form.neighbourhood_id.choices = [(0, "—"), *places.neighbourhood_choices()]
    form.data_source_id.choices = _source_choices()
    return form


def _period(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@bp.route("/manage/metrics/<int:metric_id>/observations", methods=["GET", "POST"])
@roles(Role.MANAGER)
def metric_observations(metric_id: int):
    metric = found_or_404(Metric, metric_id)
    form = _observation_form(metric)
    if submit(
        form,
        lambda: observations.record_observation(
            metric,
            observations.ObservationInput(
                period_start=_period(form.period_start.data),
                value=form.value.data,
                geography=form.geography.data,
                neighbourhood_id=form.neighbourhood_id.data or None,
                denominator=form.denominator.data,
                data_source_id=form.data_source_id.data or None,
                note=form.note.data or "",
            ),
            by=current_user,
        ),
        _("Figure entered."),
        flash_errors=True,
    ):
        return redirect(url_for("scorecard.metric_observations", metric_id=metric.id))
    return render_template(
        "scorecard/observations.html",
        metric=metric,
        page=observations.metric_observations(metric, page_number(), OBSERVATIONS_PER_PAGE),
        form=form,
        began=observations.tracking_started_on(),
        derived_from=labels.derivation(metric.derivation),
        place_label=observations.place_label,
        period_label=lambda start: labels.period(start, metric.frequency),
        geography=Geography,
    )


@bp.route("/manage/observations/<int:observation_id>")
@roles(Role.MANAGER)
def observation(observation_id: int):
    found = found_or_404(Observation, observation_id)
    correction = CorrectionForm(obj=found)
    correction.data_source_id.choices = _source_choices()
    correction.data_source_id.data = found.data_source_id or 0
    return render_template(
        "scorecard/observation.html",
        observation=found,
        metric=found.metric,
        revisions=observations.history(found),
        correction=correction,
        withdraw=WithdrawForm(),
        place=observations.place_label(found),
        period=labels.period(found.period_start, found.metric.frequency),
    )


@bp.route("/manage/observations/<int:observation_id>/correct", methods=["POST"])
@roles(Role.MANAGER)
def correct_observation(observation_id: int):
    found = found_or_404(Observation, observation_id)
    form = CorrectionForm()
    form.data_source_id.choices = _source_choices()
    submit(
        form,
        lambda: observations.correct_observation(
            found,
            form.value.data,
            form.denominator.data,
            form.data_source_id.data or None,
            form.note.data or "",
            form.reason.data or "",
            by=current_user,
        ),
        _("Figure corrected; the old value is in its history."),
        flash_errors=True,
    )
    return redirect(url_for("scorecard.observation", observation_id=observation_id))


@bp.route("/manage/observations/<int:observation_id>/withdraw", methods=["POST"])
@roles(Role.MANAGER)
def withdraw_observation(observation_id: int):
    found = found_or_404(Observation, observation_id)
    form = WithdrawForm()
    submit(
        form,
        lambda: observations.withdraw_observation(found, form.reason.data or "", by=current_user),
        _("Figure withdrawn from the scorecard; it stays in the records."),
        flash_errors=True,
    )
    return redirect(url_for("scorecard.observation", observation_id=observation_id))


# Data sources ---------------------------------------------------------------------------------


def _source_form(**kwargs) -> SourceForm:
    form = SourceForm(**kwargs)
    form.metric_ids.choices = [(m.id, m.name) for m in catalogue.all_metrics()]
    return form


def _source_input(form: SourceForm) -> catalogue.SourceInput:
    return catalogue.SourceInput(
        department=form.department.data or "",
        name=form.name.data or "",
        url=form.url.data or None,
        update_frequency=form.update_frequency.data,
        geography=form.geography.data,
        licence=form.licence.data or "",
        contact=form.contact.data or "",
        status=form.status.data,
        notes=form.notes.data or "",
        metric_ids=list(form.metric_ids.data or []),
    )


@bp.route("/manage/sources")
@roles(Role.MANAGER)
def sources():
    return render_template(
        "scorecard/sources.html",
        page=catalogue.sources_page(page_number(), SOURCES_PER_PAGE),
    )


@bp.route("/manage/sources/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def create_source():
    form = _source_form()
    return _form_page(
        form,
        lambda: catalogue.create_source(_source_input(form), by=current_user),
        _("Data source added to the register."),
        back="scorecard.sources",
        title=_("New data source"),
    )


@bp.route("/manage/sources/<int:source_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER)
def edit_source(source_id: int):
    source = found_or_404(DataSource, source_id)
    form = _source_form(obj=source)
    if request.method == "GET":
        form.metric_ids.data = [m.id for m in source.metrics]
    return _form_page(
        form,
        lambda: catalogue.update_source(source, _source_input(form), by=current_user),
        _("Data source saved."),
        back="scorecard.sources",
        title=_("Edit %(name)s", name=source.name),
    )


# Check-in KPIs --------------------------------------------------------------------------------


@bp.route("/manage/kpis", methods=["GET", "POST"])
@roles(Role.MANAGER)
def kpi_mappings():
    form = KpiMappingForm()
    form.metric_id.choices = [
        (m.id, m.name) for m in catalogue.all_metrics() if m.derivation == Derivation.CHECK_IN_KPIS
    ]
    if submit(
        form,
        lambda: catalogue.add_kpi_mapping(
            catalogue.KpiMappingInput(
                metric_id=form.metric_id.data,
                kpi_kind=form.kpi_kind.data,
                kpi_name=(
                    form.standard_kpi.data
                    if form.kpi_kind.data == KpiKind.STANDARD
                    else form.custom_name.data or ""
                ),
                aggregation=form.aggregation.data,
            ),
            by=current_user,
        ),
        _("KPI mapped; refresh the derived figures to count it."),
        flash_errors=True,
    ):
        return redirect(url_for("scorecard.kpi_mappings"))
    return render_template(
        "scorecard/kpis.html",
        form=form,
        mappings=catalogue.kpi_mappings(),
        remove_form=ConfirmForm(),
        kpi_label=catalogue.kpi_label,
    )


@bp.route("/manage/kpis/<int:mapping_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def remove_kpi_mapping(mapping_id: int):
    submit(
        ConfirmForm(),
        lambda: catalogue.remove_kpi_mapping(mapping_id, by=current_user),
        _("The KPI no longer feeds the metric; refresh the derived figures."),
        flash_errors=True,
    )
    return redirect(url_for("scorecard.kpi_mappings"))
