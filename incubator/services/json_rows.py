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

_POSITION = "_position"


def rows_as_json(dialect: str, statement: Select, *order: Any, limit: int | None = None) -> Any:
    """The rows of `statement` ordered by `order` (and at most `limit` of them) as a scalar
    subquery giving one JSON text, NULL when there is no row. Each row is an array of the
    statement's columns; timestamps come as ISO text (`moment` reads them)."""
    numbered = statement.add_columns(func.row_number().over(order_by=order).label(_POSITION))
    numbered = numbered.order_by(*order)
    if limit is not None:
        numbered = numbered.limit(limit)
    rows = numbered.subquery()
    columns = [column for column in rows.c if column.key != _POSITION]
    if dialect == "postgresql":
        array = func.json_build_array(*columns)
        aggregated = func.json_agg(aggregate_order_by(array, rows.c[_POSITION]))
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
