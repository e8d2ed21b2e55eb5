"""The program team's side of registration: lists, check-in on the day, consent, outreach
partners."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator.access import roles
from incubator.blueprints.registration import bp
from incubator.blueprints.registration.forms import (
    CheckInForm,
    ConsentForm,
    OutreachPartnerForm,
)
from incubator.forms import ConfirmForm
from incubator.models import Hackathon, Registration, RegistrationStatus, Role
from incubator.services.hackathons import outreach, registrations
from incubator.web import download, file_stem, found_or_404, page_number, submit

PER_PAGE = 50


def _status_filter() -> str | None:
    status = request.args.get("status", "")
    return status if status in {str(s) for s in RegistrationStatus} else None


@bp.route("/hackathons/<int:hackathon_id>/registrations")
@roles(Role.MANAGER)
def registrations_list(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    search = request.args.get("q", "").strip()
    page = registrations.registrations_page(
        hackathon, status=_status_filter(), search=search, page=page_number(), per_page=PER_PAGE
    )
    return render_template(
        "registration/registrations.html",
        hackathon=hackathon,
        page=page,
        counts=registrations.status_counts(hackathon),
        places_left=registrations.places_left(hackathon),
        on_teams=registrations.on_submitted_teams(hackathon, (r.user_id for r in page.items)),
        status=_status_filter(),
        search=search,
        statuses=list(RegistrationStatus),
        cancel_form=ConfirmForm(),
    )


@bp.route("/hackathons/<int:hackathon_id>/registrations.csv")
@roles(Role.MANAGER)
def registrations_csv(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    return download(
        registrations.registrations_csv(hackathon),
        "text/csv",
        f"{file_stem(hackathon.name, 'hackathon')}-registrations.csv",
    )


@bp.route("/hackathons/<int:hackathon_id>/check-in")
@roles(Role.MANAGER)
def check_in_page(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    search = request.args.get("q", "").strip()
    return render_template(
        "registration/check_in.html",
        hackathon=hackathon,
        search=search,
        people=registrations.check_in_list(hackathon, search),
        checked_in=registrations.checked_in_count(hackathon),
        confirmed=registrations.status_counts(hackathon)[RegistrationStatus.CONFIRMED],
        form=CheckInForm(),
    )


@bp.route("/<int:registration_id>/check-in", methods=["POST"])
@roles(Role.MANAGER)
def check_in(registration_id: int):
    registration = found_or_404(Registration, registration_id)
    form = CheckInForm()
    undo = form.undo.data == "y"
    submit(
        form,
        lambda: registrations.check_in(registration, by=current_user, undo=undo),
        _("%(name)s: check-in undone.", name=registration.name)
        if undo
        else _("%(name)s checked in.", name=registration.name),
        flash_errors=True,
    )
    return redirect(
        url_for(
            "registration.check_in_page",
            hackathon_id=registration.hackathon_id,
            q=form.search.data or None,
        )
    )


@bp.route("/<int:registration_id>/consent", methods=["GET", "POST"])
@roles(Role.MANAGER)
def consent(registration_id: int):
    registration = found_or_404(Registration, registration_id)
    form = ConsentForm()
    if not form.is_submitted():
        form.given_by.data = registration.guardian_name
    if submit(
        form,
        lambda: registrations.record_consent(registration, form.given_by.data, by=current_user),
        _("Consent recorded for %(name)s.", name=registration.name),
    ):
        return redirect(_back_to_list(registration))
    return render_template("registration/consent.html", registration=registration, form=form)


def _back_to_list(registration: Registration) -> str:
    return url_for("registration.registrations_list", hackathon_id=registration.hackathon_id)


@bp.route("/<int:registration_id>/cancel", methods=["POST"])
@roles(Role.MANAGER)
def cancel_for(registration_id: int):
    registration = found_or_404(Registration, registration_id)
    submit(
        ConfirmForm(),
        lambda: registrations.cancel(registration, by=current_user),
        lambda moved: _cancelled(registration, moved),
        flash_errors=True,
    )
    return redirect(_back_to_list(registration))


def _cancelled(registration: Registration, moved: list[Registration]) -> str:
    if not moved:
        return _("The registration of %(name)s is cancelled.", name=registration.name)
    return _(
        "The registration of %(name)s is cancelled; moved up: %(names)s.",
        name=registration.name,
        names=", ".join(r.name for r in moved),
    )


@bp.route("/hackathons/<int:hackathon_id>/partners", methods=["GET", "POST"])
@roles(Role.MANAGER)
def partners(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    form = OutreachPartnerForm()
    form.organisation_id.choices = [(0, _("A new organisation"))] + [
        (organisation.id, organisation.name) for organisation in outreach.organisations()
    ]
    if submit(
        form,
        lambda: outreach.add_partner(
            hackathon,
            form.organisation_id.data or None,
            form.new_name.data or "",
            form.kind.data,
            by=current_user,
        ),
        lambda partner: _(
            "%(organisation)s is an outreach partner; share its link.",
            organisation=partner.organisation.name,
        ),
    ):
        return redirect(url_for("registration.partners", hackathon_id=hackathon.id))
    partners = outreach.partners_of(hackathon)
    return render_template(
        "registration/partners.html",
        hackathon=hackathon,
        partners=partners,
        links={partner.id: outreach.referral_link(partner) for partner in partners},
        form=form,
    )
