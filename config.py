"""Settings for each environment, read from environment variables."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSECURE_KEYS = {"", "dev", "change-me", "development-only-secret-key"}


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / name}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("incubator.sqlite"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Login sessions (services/accounts/login_sessions.py): one ends after this long without a
    # request, or this long after sign-in, whichever comes first; a "keep me signed in"
    # session lasts SESSION_REMEMBER_DAYS from sign-in instead.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 60))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", 12))
    SESSION_REMEMBER_DAYS = int(os.environ.get("SESSION_REMEMBER_DAYS", 30))

    # Sessions and cookies (OWASP ASVS: HttpOnly, SameSite=Lax; Secure in production).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * SESSION_REMEMBER_DAYS
    PERMANENT_SESSION_LIFETIME = 60 * 60 * SESSION_ABSOLUTE_HOURS

    # Uploads (Devpost CSVs and the like) are refused above this size.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 5 * 1024 * 1024))

    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_STYLE = "primary"

    # Token lifetimes, in seconds.
    PASSWORD_RESET_MAX_AGE = 60 * 60
    INVITATION_MAX_AGE = 60 * 60 * 24 * 7
    # `flask send-reminders` mails an invitation again, once, when it is this many days old
    # and still not accepted.
    INVITATION_RESEND_AFTER_DAYS = 3
    # The link to answer the questions about you, shown right after registering.
    ANSWER_LINK_MAX_AGE = 60 * 60 * 24 * 2
    # The mailed link to one's own answers: a year (each registration mail carries a new one).
    YOUR_ANSWERS_LINK_MAX_AGE = 60 * 60 * 24 * 365
    # The link to see or cancel a registration: two years, past any hackathon it is for.
    REGISTRATION_LINK_MAX_AGE = 60 * 60 * 24 * 730
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_HASH_METHOD = "scrypt"

    DEFAULT_TIME_ZONE = "America/Los_Angeles"
    # The interface's languages: code -> the language's own name, shown in the switch. Adding
    # one is a catalogue (pybabel init -l ko, then translate) and a line here.
    LANGUAGES: dict = {"en": "English", "es": "Español"}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    # Links in mail are built on this address, never on the request's Host header.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    USERS_PER_PAGE = 25

    # Mail is always queued in the outbox table first; the delivery worker then writes it to
    # the log ("outbox": read it on the admins' outbox page) or sends it through SMTP.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "outbox")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    # The display name is quoted: unquoted, its colon would make the header an address group.
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", '"Accelerate: LA" <no-reply@localhost>'
    )
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 10))
    # Delivery by `flask deliver-mail` (services/mail_delivery.py). A failed attempt waits
    # the base, doubled after each failure up to the ceiling (with the defaults, about four
    # hours of outage before a mail is marked failed). A worker holds a mail for the lease,
    # far longer than one send can take, before another worker may take it over.
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 10))
    MAIL_RETRY_BASE_SECONDS = int(os.environ.get("MAIL_RETRY_BASE_SECONDS", 60))
    MAIL_RETRY_MAX_SECONDS = int(os.environ.get("MAIL_RETRY_MAX_SECONDS", 3600))
    MAIL_SENDING_LEASE_SECONDS = int(os.environ.get("MAIL_SENDING_LEASE_SECONDS", 300))
    # How often `flask deliver-mail --loop` looks for due mail when it has none.
    MAIL_WORKER_INTERVAL_SECONDS = float(os.environ.get("MAIL_WORKER_INTERVAL_SECONDS", 5))

    # Rate limits; production points RATELIMIT_STORAGE_URI at a shared store (redis://...)
    # because the in-memory store counts per gunicorn worker. Should the store be down, each
    # worker counts in memory until it is back, rather than failing every sign-in.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Sign-in attempts and reset requests, each: per client address, and per email address
    # typed (whether or not it has an account).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get(
        "LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour"
    )

    # `flask seed-demo` creates accounts whose passwords are printed in the README.
    DEMO_DATA_ALLOWED = True

    # At-risk rules (services/pipeline/risk.py).
    RISK_NO_CHECK_IN_DAYS = int(os.environ.get("RISK_NO_CHECK_IN_DAYS", 14))
    RISK_LOW_CONFIDENCE = int(os.environ.get("RISK_LOW_CONFIDENCE", 2))
    RISK_LOW_CONFIDENCE_STREAK = int(os.environ.get("RISK_LOW_CONFIDENCE_STREAK", 2))

    # Mentor sessions (services/mentoring/booking.py).
    BOOKING_MIN_NOTICE_MINUTES = int(os.environ.get("BOOKING_MIN_NOTICE_MINUTES", 60))
    BOOKING_MAX_PER_MENTOR_PER_WEEK = int(os.environ.get("BOOKING_MAX_PER_MENTOR_PER_WEEK", 2))
    BOOKING_LATE_CANCEL_HOURS = int(os.environ.get("BOOKING_LATE_CANCEL_HOURS", 24))

    # Matching ventures with mentors, funders and partners (services/matching/runs.py): points for
    # each kind of fit. Needs and impact count the share of the venture's list that is met;
    # ranking is earned in full when both sides ranked each other first after office hours.
    MATCH_WEIGHTS: dict = {
        "needs": 5.0,
        "challenge_area": 3.0,
        "stage": 2.0,
        "impact": 2.0,
        "neighbourhood": 1.5,
        "language": 1.0,
        "ranking": 4.0,
    }

    # Adds an X-Query-Count header to every response; the benchmark script reads it.
    QUERY_COUNT_HEADER = _bool("QUERY_COUNT_HEADER", False)

    @staticmethod
    def init_app(app) -> None:
        """Hook for checks a configuration makes at start-up."""


class DevelopmentConfig(Config):
    """Local use: SQLite under instance/, mail to the outbox; `flask run --debug` to debug."""


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "outbox"
    # Fast hashing keeps the suite quick; never use this outside tests.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    DEMO_DATA_ALLOWED = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True

    @staticmethod
    def init_app(app) -> None:
        key = app.config.get("SECRET_KEY") or ""
        if key in INSECURE_KEYS or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in "
                "production, e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must point at the production database.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
