"""Migration 0009: it seeds what the reference module seeds, and moves ventures and partners
from the old word lists onto the impact areas and the 114 neighbourhoods."""

from __future__ import annotations

import json

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from incubator import create_app
from incubator.extensions import db
from incubator.models import ImpactArea, Metric, Neighbourhood
from incubator.services.scorecard import geography, reference


@pytest.fixture
def fresh(database_factory):
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": database_factory("sc")})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_the_migration_seeds_what_the_reference_module_seeds(fresh):
    upgrade()

    areas = db.session.execute(select(ImpactArea.code, ImpactArea.name, ImpactArea.kind)).all()
    assert sorted(map(tuple, areas)) == sorted(
        (a.code, a.name, str(a.kind)) for a in reference.IMPACT_AREAS
    )
    metrics = db.session.execute(
        select(
            Metric.code,
            Metric.name,
            Metric.unit,
            Metric.unit_label,
            Metric.frequency,
            Metric.derivation,
            Metric.iris_code,
            Metric.description,
        )
    ).all()
    assert sorted(map(tuple, metrics)) == sorted(
        (
            m.code,
            m.name,
            str(m.unit),
            m.unit_label,
            m.frequency,
            str(m.derivation) if m.derivation else None,
            m.iris_code,
            m.description,
        )
        for m in reference.STARTER_METRICS
    )
    places = db.session.execute(
        select(Neighbourhood.slug, Neighbourhood.name, Neighbourhood.promise_zone)
    ).all()
    assert sorted(map(tuple, places)) == sorted(
        (b.slug, b.name, b.promise_zone) for b in geography.boundaries()
    )
    assert reference.ensure_reference_data().metrics == 0


def loads(value):
    """A JSON column read with plain SQL: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_the_migration_moves_ventures_and_partners_onto_the_new_lists(fresh):
    upgrade(revision="0005_matching")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO programs (name, description, created_at) "
                "VALUES ('P', '', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO cohorts (program_id, name, starts_on, ends_on, capacity, status, "
                "showcase_published, created_at) VALUES (1, 'C', '2025-01-01', '2025-06-01', 5, "
                "'active', false, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO ventures (cohort_id, name, one_liner, description, challenge_area, "
                "stage, status, impact_areas, neighbourhoods, needs, languages, shared_kpis, "
                "created_at, updated_at) VALUES (1, 'V', '', '', '', 'concept', 'active', "
                ":impact, :places, '[]', '[]', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {
                "impact": json.dumps(["Water conservation", "Public health", "Clean air", "Odd"]),
                "places": json.dumps(["South Los Angeles", "Watts", "Citywide"]),
            },
        )
        connection.execute(
            text(
                "INSERT INTO organisations (name, kind, description, created_at) "
                "VALUES ('LADOT', 'city_department', '', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO partner_profiles (organisation_id, neighbourhoods, challenge_areas, "
                "offers, capacity, updated_at) VALUES (1, :places, '[]', '[]', 2, "
                "CURRENT_TIMESTAMP)"
            ),
            {"places": json.dumps(["South Los Angeles", "Venice"])},
        )

    upgrade()

    with db.engine.connect() as connection:
        impact, places = connection.execute(
            text("SELECT impact_areas, neighbourhoods FROM ventures")
        ).one()
        partner = connection.execute(text("SELECT neighbourhoods FROM partner_profiles")).scalar()
        odd = connection.execute(text("SELECT kind FROM impact_areas WHERE name = 'Odd'")).scalar()
    assert loads(impact) == ["Water and drought", "Health", "Odd"]
    assert loads(places) == ["Historic South-Central", "Watts", "Citywide"]
    assert loads(partner) == ["Historic South-Central", "Venice"]
    assert odd == "other"  # a word in use that maps to nothing is kept as an area of its own
