"""Matching: a venture's outcomes, its pilots with partners and the investments it received."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator import clock, permissions
from incubator.access import roles
from incubator.blueprints.matching import bp
from incubator.blueprints.matching.counterpart_forms import (
    InvestmentForm,
    PilotForm,
    PilotUpdateForm,
)
from incubator.models import Pilot, Role, Venture
from incubator.services.matching import outcomes
from incubator.services.matching.outcomes import INSTRUMENT_LABELS, PILOT_STATUS_LABELS
from incubator.web import found_or_404, submit


def _organisation_choices() -> list[tuple[int, str]]:
    return [(organisation.id, organisation.name) for organisation in outcomes.organisations()]


def _pilot_form(**kwargs) -> PilotForm:
    form = PilotForm(**kwargs)
    form.organisation_id.choices = _organisation_choices()
    return form


def _update_form(pilot: Pilot, choices: list[tuple[int, str]], **kwargs) -> PilotUpdateForm:
    form = PilotUpdateForm(prefix=f"pilot-{pilot.id}", obj=pilot, **kwargs)
    form.organisation_id.choices = choices
    form.status.choices = [(str(s), PILOT_STATUS_LABELS[s]) for s in outcomes.next_statuses(pilot)]
    return form


def _investment_form(**kwargs) -> InvestmentForm:
    form = InvestmentForm(**kwargs)
    form.funder_id.choices = [(0, _("— an outside funder —"))] + [
        (funder.id, funder.name) for funder in outcomes.funder_users()
    ]
    return form


def _saved(venture: Venture, form, save: Callable, subject, read: Callable, success: str):
    """Save a posted outcomes form as `save(subject, read(form), by=...)`, flashing a refusal
    or the form's errors, and go back to the venture's outcomes page."""
    submit(form, lambda: save(subject, read(form), by=current_user), success, flash_errors=True)
    return redirect(url_for("matching.venture_outcomes", venture_id=venture.id))


@bp.route("/ventures/<int:venture_id>/outcomes")
@roles(Role.MANAGER, Role.FOUNDER)
def venture_outcomes(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    is_manager = permissions.is_manager(current_user)
    pilots = outcomes.venture_pilots(venture)
    choices = _organisation_choices() if is_manager else []
    return render_template(
        "matching/outcomes.html",
        venture=venture,
        pilots=pilots,
        investments=outcomes.venture_investments(venture),
        instrument_labels=INSTRUMENT_LABELS,
        pilot_status_labels=PILOT_STATUS_LABELS,
        is_manager=is_manager,
        pilot_form=_pilot_form() if is_manager else None,
        update_forms={p.id: _update_form(p, choices) for p in pilots} if is_manager else {},
        investment_form=_investment_form(invested_on=clock.today()) if is_manager else None,
    )


def _pilot_input(form) -> outcomes.PilotInput:
    return outcomes.PilotInput(
        organisation_id=form.organisation_id.data,
        title=form.title.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        status=form.status.data,
        residents_reached=form.residents_reached.data,
        outcome=form.outcome.data or "",
    )


def _investment_input(form: InvestmentForm) -> outcomes.InvestmentInput:
    return outcomes.InvestmentInput(
        amount=form.amount.data,
        instrument=form.instrument.data,
        invested_on=form.invested_on.data,
        funder_id=form.funder_id.data or None,
        funder_name=form.funder_name.data or "",
    )


@bp.route("/ventures/<int:venture_id>/pilots", methods=["POST"])
@roles(Role.MANAGER)
def add_pilot(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    form = _pilot_form()
    return _saved(venture, form, outcomes.create_pilot, venture, _pilot_input, _("Pilot added."))


@bp.route("/pilots/<int:pilot_id>", methods=["POST"])
@roles(Role.MANAGER)
def update_pilot(pilot_id: int):
    pilot = found_or_404(Pilot, pilot_id, permissions.may_view_pilot)
    form = _update_form(pilot, _organisation_choices())
    return _saved(
        pilot.venture, form, outcomes.update_pilot, pilot, _pilot_input, _("Pilot saved.")
    )


@bp.route("/ventures/<int:venture_id>/investments", methods=["POST"])
@roles(Role.MANAGER)
def add_investment(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    form = _investment_form()
    return _saved(
        venture,
        form,
        outcomes.record_investment,
        venture,
        _investment_input,
        _("Investment recorded."),
    )
