"""Builders for test data: each returns a flushed model with sensible defaults."""

from __future__ import annotations

import itertools

from incubator.extensions import db
from incubator.models import Role
from incubator.services import accounts

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def user(
    *roles: str,
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    **fields,
):
    number = next(_sequence)
    created = accounts.create_user(
        email or f"person{number}@example.org",
        name or f"Person {number}",
        {Role(role) for role in roles},
        password=password,
    )
    for key, value in fields.items():
        setattr(created, key, value)
    db.session.flush()
    return created
