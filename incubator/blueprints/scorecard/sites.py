"""Where pilots take place (managers), and which of a venture's KPIs feed the scorecard
(its founders and managers)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.scorecard import bp
from incubator.blueprints.scorecard.forms import SiteForm
from incubator.forms import ConfirmForm
from incubator.models import PilotSite, Role
from incubator.services.cohorts import ventures
from incubator.services.matching import outcomes
from incubator.services.scorecard import catalogue, labels, places
from incubator.web import found_or_404, submit


def _site_form(**kwargs) -> SiteForm:
    form = SiteForm(**kwargs)
    form.neighbourhood_id.choices = [
        (0, _("— place it from the coordinates or the address —")),
        *places.neighbourhood_choices(),
    ]
    return form


@bp.route("/pilots/<int:pilot_id>/sites", methods=["GET", "POST"])
@roles(Role.MANAGER)
def pilot_sites(pilot_id: int):
    pilot = found_or_404(outcomes.get_pilot, pilot_id)
    form = _site_form()
    if submit(
        form,
        lambda: places.add_site(
            pilot,
            places.SiteInput(
                label=form.label.data or "",
                address=form.address.data or "",
                coordinates=form.coordinates.data or "",
                neighbourhood_id=form.neighbourhood_id.data or None,
            ),
            by=current_user,
        ),
        lambda placed: _("Site added. %(where)s", where=placed.message),
        flash_errors=True,
    ):
        return redirect(url_for("scorecard.pilot_sites", pilot_id=pilot.id))
    return render_template(
        "scorecard/pilot_sites.html",
        pilot=pilot,
        sites=places.pilot_sites(pilot),
        form=form,
        remove_form=ConfirmForm(),
        credit=labels.source_credit(),
    )


@bp.route("/sites/<int:site_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def remove_site(site_id: int):
    site = found_or_404(PilotSite, site_id)
    pilot_id = site.pilot_id
    submit(
        ConfirmForm(),
        lambda: places.remove_site(site, by=current_user),
        _("Site removed; refresh the derived figures to count the pilot elsewhere."),
        flash_errors=True,
    )
    return redirect(url_for("scorecard.pilot_sites", pilot_id=pilot_id))


@bp.route("/ventures/<int:venture_id>/kpis")
@roles(Role.MANAGER, Role.FOUNDER)
def venture_kpis(venture_id: int):
    venture = found_or_404(ventures.get_venture, venture_id, permissions.may_view_venture)
    return render_template(
        "scorecard/venture_kpis.html",
        venture=venture,
        feeds=catalogue.kpi_feeds(venture),
    )
