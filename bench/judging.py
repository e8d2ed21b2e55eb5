"""Synthetic judging for the results page: one closed hackathon with `count` submissions,
a rubric of four criteria and five judges who each scored every submission on every
criterion. Rows go in as plain batches, not through the services.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from bench.rows import batches
from incubator.extensions import db
from incubator.models import (
    Hackathon,
    JudgeAssignment,
    RubricCriterion,
    Score,
    Submission,
    User,
    UserRole,
    utcnow,
)

CRITERIA = ("Impact", "Feasibility", "Design", "Use of city data")
JUDGES = 5


def _returning(model, rows: list[dict]) -> list[int]:
    return batches(model, rows, returning=model.id)


def seed(count: int) -> int:
    """The hackathon's id, after seeding its submissions, judges and scores."""
    rng = random.Random(count)
    now = utcnow()
    starts = date(2026, 6, 6)
    hackathon = Hackathon(
        name="Bench judging hackathon",
        theme="Civic tech",
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        status="closed",
    )
    db.session.add(hackathon)
    db.session.flush()
    criteria = _returning(
        RubricCriterion,
        [
            {
                "hackathon_id": hackathon.id,
                "name": name,
                "weight": 1.0 + position % 2,
                "position": position,
            }
            for position, name in enumerate(CRITERIA)
        ],
    )
    submissions = _returning(
        Submission,
        [
            {
                "hackathon_id": hackathon.id,
                "team_name": f"Team {number}",
                "title": f"Bench project {number:05d}",
                "tagline": "Built for measuring",
                "submission_url": f"https://devpost.example/bench-{number}",
                "built_with": "python, postgres",
                "extra": {},
                "neighbourhoods": [],
                "created_at": now,
                "updated_at": now,
            }
            for number in range(count)
        ],
    )
    judges = _returning(
        User,
        [
            {"email": f"bench-judge-{n}@example.org", "name": f"Judge {n}", "created_at": now}
            for n in range(JUDGES)
        ],
    )
    batches(UserRole, [{"user_id": judge, "role": "judge", "granted_at": now} for judge in judges])
    batches(
        JudgeAssignment,
        [
            {"judge_id": judge, "submission_id": submission, "created_at": now}
            for judge in judges
            for submission in submissions
        ],
    )
    # Each judge has a harshness, so that normalising the scores changes the ranking.
    batches(
        Score,
        [
            {
                "submission_id": submission,
                "judge_id": judge,
                "criterion_id": criterion,
                "value": min(5, max(1, rng.randint(1, 5) - harshness // 2)),
                "comment": "",
                "updated_at": now,
            }
            for harshness, judge in enumerate(judges)
            for submission in submissions
            for criterion in criteria
        ],
    )
    return hackathon.id
