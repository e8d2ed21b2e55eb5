"""Error pages in the app's look, and JSON errors for API-style requests."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template
from flask_babel import gettext
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from incubator.access import wants_json
from incubator.extensions import db
from incubator.i18n import N_
from incubator.services.errors import DomainError

log = logging.getLogger(__name__)

# Marked for extraction (N_) and translated when shown; the JSON error code stays the English
# title's, for programs.
MESSAGES = {
    400: (N_("Bad request"), N_("The request could not be understood. Go back and try again.")),
    401: (N_("Sign in needed"), N_("Sign in to see this page.")),
    403: (
        N_("Not allowed"),
        N_(
            "Your account does not have access to this page. If you think it "
            "should, ask a program manager."
        ),
    ),
    404: (
        N_("Not found"),
        N_("There is nothing at this address. It may have been moved or mistyped."),
    ),
    405: (N_("Not allowed"), N_("That action is not available here.")),
    413: (
        N_("File too large"),
        N_("The file is larger than this site accepts. Send a smaller one."),
    ),
    429: (N_("Too many attempts"), N_("Wait a minute before trying again.")),
    500: (
        N_("Something went wrong"),
        N_("The error has been logged. Try again in a moment; nothing you entered was saved."),
    ),
}


def _render(status: int, detail: str | None = None):
    english_title, english_message = MESSAGES.get(
        status, (f"Error {status}", N_("The request could not be completed."))
    )
    title = gettext(english_title) if status in MESSAGES else _("Error %(status)s", status=status)
    message = detail or gettext(english_message)
    if wants_json():
        return jsonify(error=english_title.lower().replace(" ", "_"), message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400,
            _("The form expired or was sent from elsewhere. Reload the page and send it again."),
        )

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        # A limit with its own message (the per-account one) says it; the others say the usual.
        return _render(429, error.description if error.limit.error_message else None)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return _render(error.status_code, error.message)

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError):
        # A write that found its row at another version than it read: a service that checks
        # versions turns this into a StaleEdit; any other writer lands here, not on a 500.
        db.session.rollback()
        return _render(
            409,
            _(
                "Someone else changed this at the same moment, and nothing you sent was saved. "
                "Reload the page to see their change, then make yours again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code >= 500:
            return _render(500)
        return _render(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        log.exception("unhandled error", exc_info=error)
        return _render(InternalServerError.code)
