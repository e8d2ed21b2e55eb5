"""The inclusion funnel, aggregated and suppressed: managers', partners' and the public view.

No page here lists people: every number comes from `services.inclusion.funnel`, which
suppresses it. Scopes and breakdowns are query arguments (`?hackathon=3&by=gender`), so no
object id is part of a path.
"""

from __future__ import annotations

import csv
import io
import json

from flask import make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from incubator import caching
from incubator.access import public, roles
from incubator.blueprints.inclusion import bp
from incubator.models import Cohort, Hackathon, Role
from incubator.services.inclusion import funnel, population
from incubator.services.inclusion.funnel import Breakdown, Scope
from incubator.web import download, found_or_404

# What partners and visitors may break the funnel down by: partners' names are the program
# team's business.
PUBLIC_BREAKDOWNS: list[Breakdown] = [
    breakdown for breakdown in Breakdown if breakdown is not Breakdown.PARTNER
]


def _breakdown(allowed: list[Breakdown]) -> Breakdown:
    """The breakdown asked for (`by`), or gender when it is missing or not offered."""
    try:
        chosen = Breakdown(request.args.get("by", Breakdown.GENDER))
    except ValueError:
        return Breakdown.GENDER
    return chosen if chosen in allowed else Breakdown.GENDER


def _manager_scope() -> tuple[Scope, str]:
    """The scope asked for: `hackathon=<id>`, `cohort=<id>`, or all registrations; with the
    title it goes by. An unknown id is a 404."""
    hackathon_id = request.args.get("hackathon", type=int)
    cohort_id = request.args.get("cohort", type=int)
    if hackathon_id is not None:
        hackathon = found_or_404(Hackathon, hackathon_id)
        return Scope(hackathon_id=hackathon.id), hackathon.name
    if cohort_id is not None:
        cohort = found_or_404(Cohort, cohort_id)
        return Scope(cohort_id=cohort.id), _(
            "%(cohort)s: the hackathons its ventures came from", cohort=cohort.name
        )
    return Scope(), _("All hackathons")


def _kept(scope: Scope) -> funnel.Funnel:
    """The scope's funnel, built once per change of what it counts (`funnel.kept`)."""
    return funnel.kept(scope, funnel.stamps_of(scope))


def _page(template: str, built: funnel.Funnel, breakdown: Breakdown, **context) -> str:
    return render_template(
        template,
        funnel=built,
        breakdown=breakdown,
        steps=funnel.step_labels(),
        comparison=population.comparison(breakdown),
        **context,
    )


@bp.route("/funnel")
@roles(Role.MANAGER)
def funnel_page():
    scope, title = _manager_scope()
    breakdown = _breakdown(funnel.breakdowns_for(scope))
    return _page(
        "inclusion/funnel.html",
        _kept(scope),
        breakdown,
        title=title,
        breakdowns=funnel.breakdowns_for(scope),
        hackathons=funnel.hackathon_choices(),
        cohorts=funnel.cohort_choices(),
        arguments={key: value for key, value in request.args.items() if key != "by"},
    )


# The exports are read by programs as well as people: their labels stay English, whatever
# the page's language.


@bp.route("/funnel.csv")
@roles(Role.MANAGER)
def funnel_csv():
    scope, _title = _manager_scope()
    breakdown = _breakdown(funnel.breakdowns_for(scope))
    buffer = io.StringIO()
    with force_locale("en"):
        csv.writer(buffer).writerows(funnel.csv_rows(_kept(scope), breakdown))
    return download(buffer.getvalue(), "text/csv", f"inclusion-funnel-{breakdown}.csv")


@bp.route("/funnel.json")
@roles(Role.MANAGER)
def funnel_json():
    scope, _title = _manager_scope()
    breakdown = _breakdown(funnel.breakdowns_for(scope))
    with force_locale("en"):
        document = funnel.as_json(_kept(scope), breakdown)
    body = json.dumps(document, indent=2, ensure_ascii=False)
    return download(body, "application/json", f"inclusion-funnel-{breakdown}.json")


@bp.route("/partner")
@roles(Role.PARTNER)
def partner_funnel():
    organisations = funnel.partner_organisations(current_user)
    breakdown = _breakdown(PUBLIC_BREAKDOWNS)
    scope = Scope(organisation_ids=tuple(o.id for o in organisations))
    return _page(
        "inclusion/funnel_partner.html",
        _kept(scope),
        breakdown,
        organisations=organisations,
        breakdowns=PUBLIC_BREAKDOWNS,
    )


@bp.route("/")
@public
def public_funnel():
    """A visitor's copy is current while no hackathon's stamp has changed (`caching.answer`:
    a 304 after one query); signed in, the page is drawn every time, from the kept funnel."""
    breakdown = _breakdown(PUBLIC_BREAKDOWNS)
    scope = Scope()
    key = funnel.stamps_of(scope)

    def build():
        return make_response(
            _page(
                "inclusion/funnel_public.html",
                funnel.kept(scope, key),
                breakdown,
                breakdowns=PUBLIC_BREAKDOWNS,
            )
        )

    if key is None:
        return build()
    return caching.answer(caching.version_of(*key), str(breakdown), build, page=True)
