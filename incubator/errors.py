"""Error pages in the app's look, and JSON errors for API-style requests."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from incubator.access import wants_json
from incubator.extensions import db
from incubator.services.errors import DomainError

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    401: ("Sign in needed", "Sign in to see this page."),
    403: (
        "Not allowed",
        "Your account does not have access to this page. If you think it "
        "should, ask a program manager.",
    ),
    404: ("Not found", "There is nothing at this address. It may have been moved or mistyped."),
    405: ("Not allowed", "That action is not available here."),
    413: ("File too large", "The file is larger than this site accepts. Send a smaller one."),
    429: ("Too many attempts", "Wait a minute before trying again."),
    500: (
        "Something went wrong",
        "The error has been logged. Try again in a moment; nothing you entered was saved.",
    ),
}


def _render(status: int, detail: str | None = None):
    title, message = MESSAGES.get(
        status, (f"Error {status}", "The request could not be completed.")
    )
    if detail:
        message = detail
    if wants_json():
        return jsonify(error=title.lower().replace(" ", "_"), message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400, "The form expired or was sent from elsewhere. Reload the page and send it again."
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
            "Someone else changed this at the same moment, and nothing you sent was saved. "
            "Reload the page to see their change, then make yours again.",
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
