"""Synthetic ventures for the pipeline pages: `count` ventures in one cohort, each with its
founders, a stage history, milestones (some overdue) and weekly check-ins (some stale).

The rows are those `tests.factories.bulk_ventures` builds, but they go in as plain batches
(executemany, with RETURNING where later rows need the ids) rather than as ORM objects, so
that 10,000 ventures (20,000 founders, 30,000 stage changes, 40,000 milestones, 80,000
check-ins) take seconds, not minutes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bench.rows import batches
from incubator import clock
from incubator.models import (
    CheckIn,
    Cohort,
    Milestone,
    MilestoneStatus,
    StageChange,
    User,
    UserRole,
    Venture,
    VentureMember,
    utcnow,
)
from incubator.services.pipeline import facts, stamps
from incubator.services.pipeline.stages import STAGES
from incubator.vocabulary import CHALLENGE_AREAS, NEEDS, NEIGHBOURHOODS


def seed(
    cohort: Cohort,
    count: int,
    *,
    today: date,
    manager_id: int | None,
    founders: int,
    milestones: int,
    check_ins: int,
    name: str = "Bench venture",
) -> list[tuple[int, str]]:
    """`count` ventures in the cohort with their rows; returns each venture's id and stage."""
    now = utcnow()
    start = datetime.combine(cohort.starts_on, time(17), UTC)
    stages = [STAGES[number % len(STAGES)] for number in range(count)]
    venture_ids = batches(
        Venture,
        [
            {
                "cohort_id": cohort.id,
                "name": f"{name} {number:05d}",
                "one_liner": "Built for measuring",
                "description": "",
                "challenge_area": CHALLENGE_AREAS[number % len(CHALLENGE_AREAS)],
                "stage": stage,
                "status": "active",
                "impact_areas": [],
                "neighbourhoods": [NEIGHBOURHOODS[number % len(NEIGHBOURHOODS)]],
                "needs": [NEEDS[number % len(NEEDS)], NEEDS[(number * 7 + 3) % len(NEEDS)]],
                "languages": ["English"],
                "shared_kpis": [],
                "created_at": start,
                "updated_at": now,
            }
            for number, stage in enumerate(stages)
        ],
        Venture.id,
    )
    founder_ids = batches(
        User,
        [
            {
                "email": f"bench-founder-{cohort.id}-{number}-{n}@example.org",
                "name": f"Founder {number}-{n}",
                "created_at": now,
            }
            for number in range(count)
            for n in range(founders)
        ],
        User.id,
    )
    batches(
        UserRole, [{"user_id": id_, "role": "founder", "granted_at": now} for id_ in founder_ids]
    )
    teams = [founder_ids[n * founders : (n + 1) * founders] for n in range(count)]
    batches(
        VentureMember,
        [
            {
                "venture_id": venture_id,
                "user_id": user_id,
                "role_in_team": "Founder",
                "joined_at": start,
            }
            for venture_id, team in zip(venture_ids, teams, strict=True)
            for user_id in team
        ],
    )
    changes, goals, weeks = [], [], []
    this_week = clock.week_start(today)
    for number, (venture_id, stage, team) in enumerate(
        zip(venture_ids, stages, teams, strict=True)
    ):
        for position in range(STAGES.index(stage) + 1):
            changes.append(
                {
                    "venture_id": venture_id,
                    "from_stage": STAGES[position - 1] if position else None,
                    "to_stage": STAGES[position],
                    "changed_by_id": manager_id if position else None,
                    "changed_at": start + timedelta(days=14 * position),
                    "reason": "Exit milestones met" if position else "Joined the cohort",
                }
            )
        for position in range(milestones):
            done = position == 0
            overdue = position == 1 and number % 3 == 0
            goals.append(
                {
                    "venture_id": venture_id,
                    "title": f"Milestone {position + 1}",
                    "stage": stage,
                    "due_on": today + timedelta(days=-7 if overdue else 21 + position),
                    "status": MilestoneStatus.DONE if done else MilestoneStatus.PLANNED,
                    "completed_at": start + timedelta(days=7) if done else None,
                    "evidence_note": "Done" if done else "",
                    "created_at": start,
                }
            )
        last_week = this_week - timedelta(weeks=3 if number % 4 == 1 else 0)
        for weeks_back in range(check_ins):
            week = last_week - timedelta(weeks=weeks_back)
            weeks.append(
                {
                    "venture_id": venture_id,
                    "week_start": week,
                    "author_id": team[0] if team else None,
                    "summary": f"Week of {week.isoformat()}",
                    "confidence": 2 + (number + weeks_back) % 4,
                    "users_reached": 100 * (check_ins - weeks_back),
                    "active_pilots": number % 3,
                    "revenue": 250.0 * (check_ins - weeks_back),
                    "team_size": founders,
                    "created_at": datetime.combine(week + timedelta(days=4), time(18), UTC),
                    "updated_at": now,
                }
            )
    batches(StageChange, changes)
    batches(Milestone, goals)
    batches(CheckIn, weeks)
    # The rows went in around the services, so the facts they keep current are rebuilt, by
    # the function `flask pipeline-facts rebuild` calls.
    facts.rebuild()
    # And so are when each stay ended, and the cohorts' stamps (the analytics read both).
    stamps.rebuild()
    return list(zip(venture_ids, stages, strict=True))
