"""Several small reads in one round trip: the rows of a query as one JSON text.

A page that shows a few rows from each of several unrelated queries pays a round trip to the
database for each, which on PostgreSQL costs more than the reading. `rows_as_json` makes a
query's rows one scalar value (an array of arrays, in the query's order), so one statement
can select several of them side by side; `decoded` and `moment` read them back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

__all__ = ["decoded", "moment", "rows_as_json"]

_ORDER = "_order_"


def rows_as_json(dialect: str, statement: Select, *order: Any, limit: int | None = None) -> Any:
    """The rows of `statement` ordered by `order` (and at most `limit` of them) as a scalar
    subquery giving one JSON text, NULL when there is no row. Each row is an array of the
    statement's columns; timestamps come as ISO text (`moment` reads them). A statement that
    names a table of the query it is put in (`correlate`) gives each of its rows their own.
    """
    ordered = statement.order_by(*order)
    if dialect == "postgresql":
        # json_agg orders by columns of its rows: the keys ride along, left out of the arrays.
        ordered = ordered.add_columns(
            *(key.label(f"{_ORDER}{index}") for index, key in enumerate(order))
        )
    if limit is not None:
        ordered = ordered.limit(limit)
    rows = ordered.subquery()
    columns = [column for column in rows.c if not column.key.startswith(_ORDER)]
    if dialect == "postgresql":
        array = func.json_build_array(*columns)
        keys = [rows.c[f"{_ORDER}{index}"] for index in range(len(order))]
        aggregated = func.json_agg(aggregate_order_by(array, *keys) if keys else array)
    else:
        # SQLite aggregates a subquery's rows in the subquery's order.
        aggregated = func.json_group_array(func.json_array(*columns))
    return select(cast(aggregated, Text)).scalar_subquery()


def decoded(text: str | None) -> list[list[Any]]:
    """The rows `rows_as_json` gave, as lists; none for NULL."""
    return json.loads(text) if text else []


def moment(text: str | None) -> datetime | None:
    """A timestamp as `rows_as_json` gives it (PostgreSQL writes the zone, SQLite keeps UTC
    without one), timezone-aware."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
