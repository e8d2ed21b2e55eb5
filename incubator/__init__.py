"""The Accelerate: LA cohort tracker: create_app reads as the app's table of contents."""

from __future__ import annotations

import logging
import os

from flask import Flask
from flask_babel import gettext
from sqlalchemy import event

from config import CONFIGS
from incubator.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from incubator.i18n import N_

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app for an environment: development, testing or production."""
    config_name = config_name or os.environ.get("INCUBATOR_CONFIG", "development")
    app = Flask(
        __name__,
        instance_path=os.path.join(BASE_DIR, "instance"),
        template_folder=os.path.join(BASE_DIR, "templates"),
        static_folder=os.path.join(BASE_DIR, "static"),
    )
    config = CONFIGS[config_name]
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    config.init_app(app)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_languages(app)
    register_blueprints(app)
    register_security_headers(app)
    register_caching(app)
    register_login(app)
    register_access(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    configure_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    # Their session listeners keep the derived pipeline facts current in every transaction,
    # and write a cohort's pipeline stamp anew with every change its analytics depend on.
    from incubator.services.pipeline import facts, stamps  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(BASE_DIR, "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Sign in to see that page.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_connect)
            event.listen(db.engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Take BEGIN over from the sqlite3 driver (SQLAlchemy's documented recipe), so that
    # transactions and SAVEPOINTs start where SQLAlchemy says; enforce foreign keys; wait
    # for a busy writer instead of failing at once.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    from incubator.services.transactions import write_intent

    connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def register_languages(app: Flask) -> None:
    from incubator.i18n import register

    register(app)


def register_blueprints(app: Flask) -> None:
    from incubator.blueprints.api import bp as api_bp
    from incubator.blueprints.auth import bp as auth_bp
    from incubator.blueprints.cohorts import bp as cohorts_bp
    from incubator.blueprints.hackathons import bp as hackathons_bp
    from incubator.blueprints.inclusion import bp as inclusion_bp
    from incubator.blueprints.judging import bp as judging_bp
    from incubator.blueprints.main import bp as main_bp
    from incubator.blueprints.matching import bp as matching_bp
    from incubator.blueprints.mentoring import bp as mentoring_bp
    from incubator.blueprints.people import bp as people_bp
    from incubator.blueprints.pipeline import bp as pipeline_bp
    from incubator.blueprints.registration import bp as registration_bp
    from incubator.blueprints.scorecard import bp as scorecard_bp
    from incubator.blueprints.showcase import bp as showcase_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(hackathons_bp)
    app.register_blueprint(judging_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(inclusion_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(pipeline_bp)
    app.register_blueprint(mentoring_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(showcase_bp)
    app.register_blueprint(scorecard_bp)
    app.register_blueprint(api_bp)


def register_login(app: Flask) -> None:
    # Before the access rules, so that they see the person the login session belongs to.
    from incubator.blueprints.auth.login import register

    register(app)


def register_access(app: Flask) -> None:
    from incubator.access import declare_extension_endpoints, enforce_access

    declare_extension_endpoints(app)
    app.before_request(enforce_access)


def register_errorhandlers(app: Flask) -> None:
    from incubator.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from incubator.templating import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from incubator.security import register

    register(app)


def register_caching(app: Flask) -> None:
    # Compressed responses, and the CSRF tokens they carry masked per response (BREACH).
    from incubator import caching, csrf_tokens

    caching.register(app)
    csrf_tokens.register(app)


def register_commands(app: Flask) -> None:
    from incubator.cli import register

    register(app)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    else:
        logging.getLogger("incubator").setLevel(logging.INFO)
