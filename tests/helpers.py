"""Small readers the tests share: page text, links in mail, rows in the database."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import func, select

from incubator.extensions import db

M = TypeVar("M")

LINK = re.compile(r"https?://\S+")


def page(response) -> str:
    """The response body with HTML entities decoded, so messages read as people see them."""
    return html.unescape(response.get_data(as_text=True))


CSRF_VALUE = re.compile(r'(name="csrf_token" value=")[^"]*(")')


def without_csrf_tokens(text: str) -> str:
    """A page with its CSRF tokens blanked: every page carries one (the language switch), and
    each visitor's differs, so two visitors' pages compare equal only without them."""
    return CSRF_VALUE.sub(r"\1\2", text)


def link_in(body: str, path_prefix: str) -> str:
    """The path of the first link in a mail body whose path starts with path_prefix."""
    for url in LINK.findall(body):
        if urlsplit(url).path.startswith(path_prefix):
            return urlsplit(url).path
    raise AssertionError(f"no link to {path_prefix} in:\n{body}")


def location(response) -> str:
    """Where a redirect points, as a path with its query."""
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def as_form(values) -> dict[str, Any]:
    """A service's input (a dataclass) as a browser posts its form: dates in ISO format,
    numbers as text, a ticked box as "y" and an unticked one not at all, nothing as ""."""
    posted: dict[str, Any] = {}
    for field in dataclasses.fields(values):
        value = getattr(values, field.name)
        if value is not False:
            posted[field.name] = _as_posted(value)
    return posted


def _as_posted(value):
    """One value as a form field carries it."""
    if value is None:
        return ""
    if value is True:
        return "y"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    return value


def count(model, *conditions) -> int:
    """How many rows of a model there are (that meet the conditions)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def row_counts(*models) -> dict[str, int]:
    """Rows of each model by its name: compare before and after a request to show that it
    wrote exactly what it should (or nothing). Flushes first and reads afresh."""
    db.session.flush()  # expiring would drop the test's unflushed changes
    db.session.expire_all()
    return {model.__name__: count(model) for model in models}


@contextmanager
def writes_nothing(*models) -> Iterator[None]:
    """Checks that the block, a refused request or service call, writes no row of these
    models. What the test built is committed first, so that rolling back what a refused
    service call left in the session keeps it; the rows are counted again after that."""
    db.session.commit()
    before = row_counts(*models)
    yield
    db.session.rollback()
    assert row_counts(*models) == before


def refused_form_page(client, url: str, data: dict, *models) -> str:
    """Posts a form the app must refuse: checks that the form comes back (200) having written
    no row of these models, and returns the page's text, which says why."""
    with writes_nothing(*models):
        response = client.post(url, data=data)
    assert response.status_code == 200
    return page(response)


def reloaded(obj: M) -> M:
    """The same row read again from the database, after what a request or service did."""
    db.session.flush()
    db.session.expire_all()
    found = db.session.get(type(obj), obj.id)  # type: ignore[attr-defined]
    assert found is not None, f"{type(obj).__name__} {obj.id} is gone"  # type: ignore[attr-defined]
    return found


def reloaded_or_none(model: type[M], object_id: int) -> M | None:
    """The row read afresh, or None when it was deleted."""
    db.session.flush()
    db.session.expire_all()
    return db.session.get(model, object_id)
