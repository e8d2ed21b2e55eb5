"""Security headers on every response, and the query counter the benchmark reads."""

from __future__ import annotations

from flask import Flask, g, has_app_context, request, request_started
from flask_login import current_user
from sqlalchemy import event

from incubator.blueprints.auth.login import is_static
from incubator.extensions import db

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("HSTS"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if _for_someone_signed_in():
            # Nothing shown to a signed-in person (pages, CSV, JSON, calendars, charts) is
            # kept by the browser or a proxy, where the next user of the machine could read it.
            response.headers["Cache-Control"] = "no-store"
        return response

    if app.config["QUERY_COUNT_HEADER"]:
        _count_queries_per_request(app)


def _for_someone_signed_in() -> bool:
    # Static files are the same for everyone and stay cacheable.
    return not is_static(request.endpoint) and current_user.is_authenticated


def _count_queries_per_request(app: Flask) -> None:
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args, **_kwargs):
        if has_app_context() and "query_count" in g:
            g.query_count += 1

    # From the very start of the request, before any before_request hook reads anything
    # (the language is settled in one, and may read the signed-in person).
    def start_counting(_sender, **_extra):
        g.query_count = 0

    request_started.connect(start_counting, app, weak=False)

    @app.after_request
    def report_count(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
