"""Synthetic data for the scorecard at the scale of a city program's history: 10,000 ventures
in 20 cohorts (stage entries, neighbourhoods, some investments) and 1,000,000 figures.

Rows go in as plain batches (executemany on SQLite, COPY on PostgreSQL) rather than through
the services, so that a million figures take a minute or two, not hours. The figures belong to
synthetic metrics entered by hand, monthly, for the city, the two zones and all 114
neighbourhoods, going back as far as the count asks; the starter metrics are then derived
from the ventures by the ordinary refresh, which is timed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text

from incubator.extensions import db
from incubator.models import (
    Cohort,
    Geography,
    ImpactArea,
    Investment,
    Metric,
    Neighbourhood,
    Observation,
    Program,
    StageChange,
    Venture,
    utcnow,
)
from incubator.services.scorecard import derivation, observations, periods, reference
from incubator.vocabulary import CHALLENGE_AREAS

COHORTS = 20
METRICS = 36
BATCH = 20_000
OBSERVATION_COLUMNS = (
    "metric_id",
    "period_start",
    "period_end",
    "geography",
    "neighbourhood_id",
    "value",
    "denominator",
    "origin",
    "contributors",
    "note",
    "recorded_at",
)


@dataclass
class Seeded:
    ventures: int
    observations: int
    metric_code: str
    seconds_ventures: float
    seconds_observations: float
    seconds_refresh: float
    derived: int


def seed(venture_count: int, observation_count: int) -> Seeded:
    reference.ensure_reference_data()
    db.session.flush()
    began = time.perf_counter()
    _ventures(venture_count)
    db.session.commit()
    after_ventures = time.perf_counter()
    code = _observations(observation_count)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Autovacuum would gather the new table's statistics soon after; do it now.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    after_observations = time.perf_counter()
    report = derivation.refresh(by=None)
    db.session.commit()
    done = time.perf_counter()
    return Seeded(
        ventures=venture_count,
        observations=db.session.scalar(select(func.count(Observation.id))) or 0,
        metric_code=code,
        seconds_ventures=after_ventures - began,
        seconds_observations=after_observations - after_ventures,
        seconds_refresh=done - after_observations,
        derived=report.inserted,
    )


def _ventures(count: int) -> None:
    rng = random.Random(10_000)
    today = observations.today()
    program = db.session.scalar(select(Program).where(Program.name == "Bench program"))
    if program is None:
        program = Program(name="Bench program", description="")
        db.session.add(program)
        db.session.flush()
    names = list(db.session.scalars(select(Neighbourhood.name)))
    per_cohort = max(1, -(-count // COHORTS))
    cohorts = []
    for number in range(COHORTS):
        starts = today - timedelta(days=730 - number * 30)
        cohort = Cohort(
            program_id=program.id,
            name=f"Bench scorecard cohort {number + 1}",
            starts_on=starts,
            ends_on=starts + timedelta(days=180),
            capacity=per_cohort,
            status="graduated" if starts + timedelta(days=180) < today else "active",
        )
        db.session.add(cohort)
        cohorts.append(cohort)
    db.session.flush()
    now = utcnow()
    rows = []
    for number in range(count):
        cohort = cohorts[number % COHORTS]
        places = rng.sample(names, rng.choice((1, 1, 2, 3)))
        rows.append(
            {
                "cohort_id": cohort.id,
                "name": f"Bench venture {number:05d}",
                "one_liner": "Built for measuring",
                "description": "",
                "challenge_area": CHALLENGE_AREAS[number % len(CHALLENGE_AREAS)],
                "stage": "concept",
                "status": "active",
                "impact_areas": [],
                "neighbourhoods": places,
                "needs": [],
                "languages": [],
                "shared_kpis": [],
                "created_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Venture), rows[start : start + BATCH])
    ids = list(
        db.session.execute(
            select(Venture.id, Cohort.starts_on)
            .join(Cohort, Cohort.id == Venture.cohort_id)
            .where(Cohort.name.like("Bench scorecard cohort %"))
        )
    )
    entries, money = [], []
    for venture_id, starts in ids:
        entered = datetime.combine(starts, datetime.min.time(), UTC) + timedelta(hours=17)
        entries.append(
            {
                "venture_id": venture_id,
                "from_stage": None,
                "to_stage": "concept",
                "changed_at": entered,
                "reason": "Joined the cohort",
            }
        )
        if venture_id % 5 == 0:
            money.append(
                {
                    "venture_id": venture_id,
                    "funder_name": "Bench fund",
                    "amount": 10_000 + (venture_id % 17) * 5_000,
                    "instrument": "grant",
                    "invested_on": min(starts + timedelta(days=45 + venture_id % 90), today),
                    "created_at": now,
                }
            )
    for start in range(0, len(entries), BATCH):
        db.session.execute(insert(StageChange), entries[start : start + BATCH])
    for start in range(0, len(money), BATCH):
        db.session.execute(insert(Investment), money[start : start + BATCH])


def _synthetic_metrics() -> list[Metric]:
    areas = list(db.session.scalars(select(ImpactArea).order_by(ImpactArea.position)))
    made = []
    for number in range(METRICS):
        metric = Metric(
            code=f"bench_{number:02d}",
            name=f"Bench metric {number + 1}",
            impact_area_id=areas[number % len(areas)].id,
            description="Synthetic, for the benchmark.",
            unit="count",
            unit_label="things",
            direction="lower" if number % 4 == 3 else "higher",
            frequency="monthly",
            target_value=100.0,
            target_on=date(2030, 12, 31),
            position=100 + number,
        )
        db.session.add(metric)
        made.append(metric)
    db.session.flush()
    return made


def _observation_rows(count: int, metric_ids: list[int], neighbourhood_ids: list[int]):
    """Newest month first, every place of every metric, until `count` rows. It reads nothing
    from the database: on PostgreSQL the rows are written while the connection is in COPY."""
    rng = random.Random(1_000_000)
    places = [
        (Geography.CITY, None),
        (Geography.PROMISE_ZONE, None),
        (Geography.REST_OF_CITY, None),
    ]
    places += [(Geography.NEIGHBOURHOOD, n) for n in neighbourhood_ids]
    now = utcnow()
    start = periods.previous_period(
        periods.period_start(observations.today(), "monthly"), "monthly"
    )
    made = 0
    while made < count:
        end = periods.period_end(start, "monthly")
        for metric_id in metric_ids:
            for geography, neighbourhood_id in places:
                if made >= count:
                    return
                yield (
                    metric_id,
                    start,
                    end,
                    geography,
                    neighbourhood_id,
                    float(rng.randint(40, 160)),
                    None,
                    "manual",
                    None,
                    "",
                    now,
                )
                made += 1
        start = periods.previous_period(start, "monthly")


def _observations(count: int) -> str:
    metrics = _synthetic_metrics()
    ids = list(db.session.scalars(select(Neighbourhood.id).order_by(Neighbourhood.id)))
    rows = _observation_rows(count, [m.id for m in metrics], ids)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        columns = ", ".join(OBSERVATION_COLUMNS)
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY observations ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        statement = insert(Observation)
        batch = []
        for row in rows:
            batch.append(dict(zip(OBSERVATION_COLUMNS, row, strict=True)))
            if len(batch) == BATCH:
                db.session.execute(statement, batch)
                batch = []
        if batch:
            db.session.execute(statement, batch)
    return metrics[0].code


def describe(seeded: Seeded) -> str:
    return (
        f"scorecard: {seeded.ventures:,} ventures seeded in {seeded.seconds_ventures:.1f} s, "
        f"{seeded.observations:,} figures in {seeded.seconds_observations:.1f} s; the refresh "
        f"derived {seeded.derived:,} figures from the ventures in {seeded.seconds_refresh:.1f} s"
    )
