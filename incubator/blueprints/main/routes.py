"""The home page each role starts from, and the health check."""

from flask import jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from incubator import clock, i18n
from incubator.access import public
from incubator.blueprints.main import bp
from incubator.blueprints.main.forms import LanguageForm
from incubator.services import home
from incubator.services.accounts import users
from incubator.services.inclusion import demographics
from incubator.web import safe_next, submit


@bp.route("/")
@public
def home_page():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template(
        "main/home.html",
        panels=home.panels_for(current_user, clock.today()),
        ask_about_you=demographics.should_ask(current_user),
    )


@bp.route("/language", methods=["POST"])
@public
def choose_language():
    """The language switch on every page: remembered in the session for anyone, and saved as
    the preference of a person who is signed in. Back to the page it was used on."""
    form = LanguageForm()

    def choose() -> None:
        session[i18n.SESSION_KEY] = form.language.data
        if current_user.is_authenticated:
            users.set_preferred_language(current_user, form.language.data)

    # A language that is not offered is refused by the form's choices, said as a message.
    submit(form, choose, flash_errors=True)
    return redirect(safe_next(form.next.data, url_for("main.home_page")), code=303)


@bp.route("/healthz")
@public
def health():
    """A trivial endpoint: load balancers poll it and the benchmark uses it as its floor."""
    return jsonify(status="ok")
