"""Matching: funders' and partner organisations' profiles and pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.matching import bp
from incubator.blueprints.matching.counterpart_forms import FunderProfileForm, PartnerProfileForm
from incubator.models import Organisation, Role
from incubator.services.errors import DomainError
from incubator.services.matching import counterparts
from incubator.services.transactions import transaction
from incubator.web import found_or_404, page_number

PER_PAGE = 20


@bp.route("/funder/profile", methods=["GET", "POST"])
@roles(Role.FUNDER)
def funder_profile():
    profile = counterparts.get_funder_profile(current_user)
    form = FunderProfileForm(obj=profile)
    if form.validate_on_submit():
        data = counterparts.FunderInput(
            organisation=form.organisation.data or "",
            funder_type=form.funder_type.data,
            stages=list(form.stages.data or []),
            cheque_min=form.cheque_min.data,
            cheque_max=form.cheque_max.data,
            focus_areas=list(form.focus_areas.data or []),
            open_to_civic=form.open_to_civic.data,
            capacity=form.capacity.data,
        )
        try:
            with transaction():
                counterparts.save_funder_profile(current_user, data, by=current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Your funder profile is saved.", "success")
            return redirect(url_for("matching.funder_ventures"))
    return render_template("matching/funder_profile.html", form=form, profile=profile)


@bp.route("/funder/ventures")
@roles(Role.FUNDER)
def funder_ventures():
    return render_template(
        "matching/funder_ventures.html",
        profile=counterparts.get_funder_profile(current_user),
        page=counterparts.fitting_ventures(current_user, page_number(), PER_PAGE),
    )


def _organisation_for_viewer(organisation_id: int) -> Organisation:
    """The organisation; 404, as if missing, for a partner who does not speak for it."""
    return found_or_404(
        counterparts.get_organisation, organisation_id, permissions.may_manage_organisation
    )


@bp.route("/partners/<int:organisation_id>/profile", methods=["GET", "POST"])
@roles(Role.PARTNER, Role.MANAGER)
def partner_profile(organisation_id: int):
    organisation = _organisation_for_viewer(organisation_id)
    profile = counterparts.get_partner_profile(organisation)
    form = PartnerProfileForm(obj=profile)
    if form.validate_on_submit():
        data = counterparts.PartnerInput(
            neighbourhoods=list(form.neighbourhoods.data or []),
            challenge_areas=list(form.challenge_areas.data or []),
            offers=list(form.offers.data or []),
            capacity=form.capacity.data,
        )
        try:
            with transaction():
                counterparts.save_partner_profile(organisation, data, by=current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"{organisation.name}'s profile is saved.", "success")
            return redirect(url_for("matching.partner_page", organisation_id=organisation.id))
    return render_template(
        "matching/partner_profile.html", form=form, organisation=organisation, profile=profile
    )


@bp.route("/partners/<int:organisation_id>")
@roles(Role.PARTNER, Role.MANAGER)
def partner_page(organisation_id: int):
    organisation = _organisation_for_viewer(organisation_id)
    return render_template(
        "matching/partner_page.html",
        overview=counterparts.partner_overview(organisation),
        is_manager=permissions.is_manager(current_user),
    )
