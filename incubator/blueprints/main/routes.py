"""The home page each role starts from, and the health check."""

from flask import jsonify, redirect, render_template, url_for
from flask_login import current_user

from incubator import clock
from incubator.access import public
from incubator.blueprints.main import bp
from incubator.services import home
from incubator.services.inclusion import demographics


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


@bp.route("/healthz")
@public
def health():
    """A trivial endpoint: load balancers poll it and the benchmark uses it as its floor."""
    return jsonify(status="ok")
