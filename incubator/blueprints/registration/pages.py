"""Registering for a hackathon, on a public page: no account needed.

The page takes `?via=<code>` (an outreach partner's referral link) and carries it through the
form. After registering, the person lands on their registration's own page, reached by the
signed link every registration mail carries; from there they can cancel.
"""

from babel import Locale
from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from incubator import caching, clock
from incubator.access import public
from incubator.blueprints.registration import bp
from incubator.blueprints.registration.forms import RegistrationForm
from incubator.forms import ConfirmForm
from incubator.i18n import current_language
from incubator.models import Hackathon
from incubator.services import fingerprints
from incubator.services.hackathons import registrations
from incubator.services.inclusion import demographics
from incubator.vocabulary import LANGUAGES
from incubator.web import found_or_404, submit


@bp.route("/")
@public
def index():
    return caching.answer(
        caching.version_of(*fingerprints.registration_index(clock.today())),
        "registration",
        lambda: Response(
            render_template("registration/index.html", hackathons=registrations.open_hackathons())
        ),
        page=True,
    )


def _registration_input(form: RegistrationForm) -> registrations.RegistrationInput:
    return registrations.RegistrationInput(
        name=form.name.data,
        email=form.email.data,
        backgrounds=list(form.backgrounds.data or []),
        first_civic_hackathon=form.first_civic_hackathon.data,
        residence=form.residence.data,
        preferred_language=form.preferred_language.data,
        accessibility_needs=form.accessibility_needs.data or "",
        looking_for_team=form.looking_for_team.data,
        under_18=form.under_18.data == "yes",
        guardian_name=form.guardian_name.data or "",
        guardian_email=form.guardian_email.data or "",
        via=form.via.data or None,
        page_language=current_language(),
    )


def _language_of_the_page() -> str | None:
    """The page's language by its English name ("Spanish"), when the form offers it: a
    person reading in Spanish most likely prefers it at the hackathon too."""
    name = Locale.parse(current_language()).english_name
    return name if name in LANGUAGES else None


@bp.route("/<int:hackathon_id>", methods=["GET", "POST"])
@public
def register(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    if not hackathon.registration_open:
        return render_template("registration/closed.html", hackathon=hackathon)
    form = RegistrationForm()
    if not form.is_submitted():
        form.via.data = request.args.get("via", "")
        form.preferred_language.data = _language_of_the_page() or form.preferred_language.data
    done = submit(form, lambda: registrations.register(hackathon, _registration_input(form)))
    if done and done.result.already:
        return render_template(
            "registration/already.html", hackathon=hackathon, registration=done.result.registration
        )
    if done:
        token = registrations.link_token(done.result.registration)
        return redirect(url_for("registration.registered", token=token))
    return render_template("registration/register.html", form=form, hackathon=hackathon), (
        done.status
    )


@bp.route("/mine/<token>")
@public
def registered(token: str):
    registration = registrations.registration_from_token(token)
    return render_template(
        "registration/registered.html",
        registration=registration,
        hackathon=registration.hackathon,
        token=token,
        answer_token=demographics.answer_link_token(registration.user),
    )


@bp.route("/mine/<token>/cancel", methods=["GET", "POST"])
@public
def cancel(token: str):
    registration = registrations.registration_from_token(token)
    form = ConfirmForm()
    if submit(
        form,
        lambda: registrations.cancel(registration, by=None),
        _("Your registration is cancelled. Thank you for letting us know."),
    ):
        return redirect(url_for("registration.registered", token=token))
    return render_template(
        "registration/cancel.html", registration=registration, form=form, token=token
    )
