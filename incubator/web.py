"""Small helpers routes share: one transaction per request, safe redirects, pagination."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import current_app, request

from incubator.extensions import db


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block's services flushed, or roll it all back on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def safe_next(target: str | None, default: str) -> str:
    """A redirect target that stays on this site (no open redirects)."""
    if not target or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def page_number() -> int:
    """The ?page= argument, 1 when missing or not a positive whole number."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def per_page(setting: str) -> int:
    return current_app.config[setting]
