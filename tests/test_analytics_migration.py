"""Migration 0017: each recorded move gets the end of the stay it began (the venture's next
move, ties broken by id) and every cohort a stamp, as the services would have written them."""

from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from incubator import create_app
from incubator.extensions import db
from incubator.models import Cohort, PipelineStamp, StageChange
from incubator.services.pipeline import analytics
from tests import analytics_reference


@pytest.fixture
def fresh(database_factory):
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": database_factory("ends")})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


# (venture, to stage, changed at): inserted in this order, so ids do not follow the times,
# and two moves of venture 1 share an instant.
MOVES = [
    (1, "concept", "2025-01-06 17:00:00.000000"),
    (1, "pilot", "2025-01-20 17:00:00.000000"),
    (1, "prototype", "2025-01-13 17:00:00.250000"),
    (1, "launch", "2025-01-20 17:00:00.000000"),
    (2, "concept", "2025-01-07 09:30:00.000000"),
    (3, "concept", "2025-01-08 12:00:00.000000"),
    (3, "prototype", "2025-02-03 12:00:00.000001"),
]


def test_the_migration_writes_each_stays_end_and_stamps_every_cohort(fresh):
    upgrade(revision="0016_facts")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO programs (name, description, created_at) "
                "VALUES ('P', '', CURRENT_TIMESTAMP)"
            )
        )
        for name in ("Winter", "Spring"):
            connection.execute(
                text(
                    "INSERT INTO cohorts (program_id, name, starts_on, ends_on, capacity, status, "
                    "showcase_published, created_at) VALUES (1, :name, '2025-01-06', "
                    "'2025-04-27', 50, 'active', false, CURRENT_TIMESTAMP)"
                ),
                {"name": name},
            )
        for number, stage in enumerate(["launch", "concept", "prototype"], start=1):
            connection.execute(
                text(
                    "INSERT INTO ventures (cohort_id, name, one_liner, description, "
                    "challenge_area, stage, status, impact_areas, neighbourhoods, needs, "
                    "languages, shared_kpis, created_at, updated_at) VALUES (1, :name, '', '', "
                    "'', :stage, 'active', '[]', '[]', '[]', '[]', '[]', :created, :created)"
                ),
                {"name": f"V{number}", "stage": stage, "created": "2025-01-06 17:00:00"},
            )
        # As UTCDateTime stores them: without a zone on SQLite, in UTC on PostgreSQL.
        zone = "+00:00" if db.engine.dialect.name == "postgresql" else ""
        for venture_id, stage, changed_at in MOVES:
            connection.execute(
                text(
                    "INSERT INTO stage_changes (venture_id, to_stage, changed_at, reason) "
                    "VALUES (:venture, :stage, :at, '')"
                ),
                {"venture": venture_id, "stage": stage, "at": changed_at + zone},
            )

    upgrade()

    ends = [
        (row.venture_id, row.to_stage, row.ended_at and row.ended_at.isoformat())
        for row in db.session.execute(
            select(StageChange.venture_id, StageChange.to_stage, StageChange.ended_at).order_by(
                StageChange.id
            )
        )
    ]
    assert ends == [
        (1, "concept", "2025-01-13T17:00:00.250000+00:00"),
        (1, "pilot", "2025-01-20T17:00:00+00:00"),  # the launch at the same instant, later id
        (1, "prototype", "2025-01-20T17:00:00+00:00"),
        (1, "launch", None),
        (2, "concept", None),
        (3, "concept", "2025-02-03T12:00:00.000001+00:00"),
        (3, "prototype", None),
    ]
    stamps = db.session.execute(select(PipelineStamp.cohort_id, PipelineStamp.stamp)).all()
    assert sorted(cohort for cohort, _stamp in stamps) == [1, 2]
    cohort = db.session.get(Cohort, 1)
    today = date(2025, 3, 1)
    assert analytics.cohort_analytics(cohort, today) == analytics_reference.cohort_analytics(
        cohort, today
    )
