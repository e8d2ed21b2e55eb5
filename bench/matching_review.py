"""A matching run to review: a cohort of 1,000 ventures and 500 mentors (capacity 3), matched
through the service a manager triggers, as the review page then shows it.

The ventures and mentors go in as plain batches; the run is the ordinary
`runs.run_matching` (load, score, solve, save), timed end to end, RUNS times each way in
turn: with up to two mentors per venture (the form's default), then with one, whose last
draft of one match per venture is the page measured. The first run pays for importing the
solvers, which a worker does on its first run. The cohort is in planning, so that the
manager's home and the other pages do not count its ventures.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert

from bench import pipeline
from bench.rows import batches
from incubator import clock
from incubator.extensions import db
from incubator.models import MentorProfile, User, UserRole, utcnow
from incubator.services.cohorts import ventures
from incubator.services.matching import runs
from incubator.vocabulary import CHALLENGE_AREAS, LANGUAGES, NEEDS

CAPACITY = 3
# Timed runs of each kind.
RUNS = 3


@dataclass
class Seeded:
    cohort_id: int
    matches: int
    # Seconds each run took, in the order they ran.
    seconds_two: list[float]
    seconds_one: list[float]


def mentor_profiles(user_ids: list[int], rng: random.Random, *, accepting: bool) -> None:
    """A profile for each mentor, with expertise drawn from the ventures' needs."""
    rows = [
        {
            "user_id": user_id,
            "bio": "Twenty years in city services.",
            "organisation": "Bench mentors",
            "expertise": rng.sample(NEEDS, rng.randint(1, 3)),
            "challenge_areas": rng.sample(CHALLENGE_AREAS, rng.randint(1, 2)),
            "languages": ["English", *rng.sample(LANGUAGES[1:8], rng.randint(0, 2))],
            "capacity": CAPACITY,
            "accepting": accepting,
            "meeting_place": "",
            "updated_at": utcnow(),
        }
        for user_id in user_ids
    ]
    batches(MentorProfile, rows)


def seed(venture_count: int, mentor_count: int, manager: User) -> Seeded:
    rng = random.Random(venture_count)
    today = clock.today()
    cohort = ventures.create_cohort(
        ventures.CohortInput(
            name="Bench matching cohort",
            starts_on=today + timedelta(days=14),
            ends_on=today + timedelta(days=196),
            capacity=min(venture_count, 500),
            status="planning",
        ),
        by=manager,
    )
    cohort.capacity = venture_count
    pipeline.seed(
        cohort,
        venture_count,
        today=today,
        manager_id=manager.id,
        founders=1,
        milestones=0,
        check_ins=0,
        name="Bench matched venture",
    )
    now = utcnow()
    statement = insert(User).returning(User.id, sort_by_parameter_order=True)
    mentors = list(
        db.session.scalars(
            statement,
            [
                {
                    "email": f"bench-mentor-{n}@example.org",
                    "name": f"Mentor {n:04d}",
                    "created_at": now,
                }
                for n in range(mentor_count)
            ],
        )
    )
    db.session.execute(
        insert(UserRole), [{"user_id": id_, "role": "mentor", "granted_at": now} for id_ in mentors]
    )
    mentor_profiles(mentors, rng, accepting=True)
    db.session.commit()
    seconds: dict[int, list[float]] = {2: [], 1: []}
    for _ in range(RUNS):
        for most in (2, 1):
            began = time.perf_counter()
            run = runs.run_matching(cohort, "mentor", "optimal", 1, most, by=manager)
            db.session.commit()
            seconds[most].append(time.perf_counter() - began)
    return Seeded(cohort.id, len(runs.run_matches(run)), seconds[2], seconds[1])


def _timed(seconds: list[float]) -> str:
    """ "0.41 s (0.38 to 0.72 s in 3 runs)": the median, then the range."""
    return (
        f"{statistics.median(seconds):.2f} s ({min(seconds):.2f} to {max(seconds):.2f} s in "
        f"{len(seconds)} runs)"
    )


def describe(seeded: Seeded, venture_count: int, mentor_count: int) -> str:
    return (
        f"matching: {venture_count:,} ventures x {mentor_count:,} mentors (capacity {CAPACITY}) "
        f"matched through the service (load, score, solve, save) in "
        f"{_timed(seeded.seconds_two)} with up to two mentors per venture, "
        f"{_timed(seeded.seconds_one)} with one; the review page shows the last run's "
        f"{seeded.matches:,} matches"
    )
