"""Declarative base, constraint naming and the UTC timestamp type every model uses."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, MappedColumn, mapped_column
from sqlalchemy.types import TypeDecorator

from incubator import clock

# Named constraints keep Alembic migrations deterministic on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_values(enum_class) -> str:
    """An enum's values as a SQL list, for CHECK constraints."""
    return ", ".join(f"'{member.value}'" for member in enum_class)


def edit_version() -> MappedColumn[int]:
    """The version column of a model that two people can edit at once.

    The model names it as its `version_id_col`, so SQLAlchemy adds one to it with every
    UPDATE and writes `WHERE version = <the version it read>`: an UPDATE from an older
    version matches no row and raises StaleDataError instead of overwriting a change. Edit
    forms carry the version they were opened at (services/versions.py). Existing rows
    start at 1.
    """
    return mapped_column(default=1, server_default="1")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (`clock.now()`, importable with the models)."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so values are normalised to UTC on the way in and tagged
    as UTC on the way out; PostgreSQL stores timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is stored")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
