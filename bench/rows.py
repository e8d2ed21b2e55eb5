"""Bulk inserts for the seeders: rows in batches, in one statement each."""

from __future__ import annotations

from sqlalchemy import insert

from incubator.extensions import db

BATCH = 10_000


def batches(model, rows: list[dict], returning=None) -> list[int]:
    """Insert rows in batches; the new ids in the rows' order when `returning` is given."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if returning is None:
            db.session.execute(insert(model), chunk)
        else:
            statement = insert(model).returning(returning, sort_by_parameter_order=True)
            ids += list(db.session.scalars(statement, chunk))
    return ids
