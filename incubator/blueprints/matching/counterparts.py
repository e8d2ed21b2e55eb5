"""Matching: funders' and partner organisations' profiles and pages."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.matching import bp
from incubator.blueprints.matching.counterpart_forms import FunderProfileForm, PartnerProfileForm
from incubator.models import Organisation, OrganisationKind, Role
from incubator.services.matching import counterparts, reasons
from incubator.services.matching.outcomes import PILOT_STATUS_LABELS
from incubator.web import found_or_404, page_number, submit

PER_PAGE = 20
ORGANISATION_KIND_LABELS = {
    OrganisationKind.CITY_DEPARTMENT: _l("City department"),
    OrganisationKind.NONPROFIT: _l("Nonprofit"),
    OrganisationKind.BUSINESS: _l("Business"),
    OrganisationKind.RESIDENT_GROUP: _l("Resident group"),
    OrganisationKind.FOUNDATION: _l("Foundation"),
}


def _funder_input(form: FunderProfileForm) -> counterparts.FunderInput:
    return counterparts.FunderInput(
        organisation=form.organisation.data or "",
        funder_type=form.funder_type.data,
        stages=list(form.stages.data or []),
        cheque_min=form.cheque_min.data,
        cheque_max=form.cheque_max.data,
        focus_areas=list(form.focus_areas.data or []),
        open_to_civic=form.open_to_civic.data,
        capacity=form.capacity.data,
    )


def _partner_input(form: PartnerProfileForm) -> counterparts.PartnerInput:
    return counterparts.PartnerInput(
        neighbourhoods=list(form.neighbourhoods.data or []),
        challenge_areas=list(form.challenge_areas.data or []),
        offers=list(form.offers.data or []),
        capacity=form.capacity.data,
    )


@bp.route("/funder/profile", methods=["GET", "POST"])
@roles(Role.FUNDER)
def funder_profile():
    profile = counterparts.get_funder_profile(current_user)
    form = FunderProfileForm(obj=profile)
    if submit(
        form,
        lambda: counterparts.save_funder_profile(
            current_user, _funder_input(form), by=current_user
        ),
        _("Your funder profile is saved."),
    ):
        return redirect(url_for("matching.funder_ventures"))
    return render_template("matching/funder_profile.html", form=form, profile=profile)


@bp.route("/funder/ventures")
@roles(Role.FUNDER)
def funder_ventures():
    return render_template(
        "matching/funder_ventures.html",
        profile=counterparts.get_funder_profile(current_user),
        page=counterparts.fitting_ventures(current_user, page_number(), PER_PAGE),
        listed=reasons.listed,
    )


@bp.route("/partners/<int:organisation_id>/profile", methods=["GET", "POST"])
@roles(Role.PARTNER, Role.MANAGER)
def partner_profile(organisation_id: int):
    # A partner who does not speak for the organisation gets a 404, as if it were missing.
    organisation = found_or_404(Organisation, organisation_id, permissions.may_manage_organisation)
    profile = counterparts.get_partner_profile(organisation)
    form = PartnerProfileForm(obj=profile)
    if submit(
        form,
        lambda: counterparts.save_partner_profile(
            organisation, _partner_input(form), by=current_user
        ),
        _("%(organisation)s's profile is saved.", organisation=organisation.name),
    ):
        return redirect(url_for("matching.partner_page", organisation_id=organisation.id))
    return render_template(
        "matching/partner_profile.html", form=form, organisation=organisation, profile=profile
    )


@bp.route("/partners/<int:organisation_id>")
@roles(Role.PARTNER, Role.MANAGER)
def partner_page(organisation_id: int):
    organisation = found_or_404(Organisation, organisation_id, permissions.may_manage_organisation)
    return render_template(
        "matching/partner_page.html",
        overview=counterparts.partner_overview(organisation),
        organisation_kind=ORGANISATION_KIND_LABELS[OrganisationKind(organisation.kind)],
        pilot_status_labels=PILOT_STATUS_LABELS,
        listed=reasons.listed,
        is_manager=permissions.is_manager(current_user),
    )
