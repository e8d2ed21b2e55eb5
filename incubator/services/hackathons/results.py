"""Judging results: each judge's weighted score of each submission, the ranking (raw, or
normalised per judge as z-scores), placements, and the results export.

A judge's weighted score for a submission is, over the rubric's criteria,
sum(weight * (value - min) / (max - min)) / sum(weight), scaled to 0..100. Only complete
scores (a value for every current criterion) from judges currently assigned count.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from incubator.extensions import db
from incubator.models import (
    Hackathon,
    JudgeAssignment,
    Placement,
    RubricCriterion,
    Score,
    Submission,
    SubmissionStatus,
    User,
)
from incubator.services import audit
from incubator.services.errors import InvalidInput
from incubator.services.spreadsheets import spreadsheet_safe


@dataclass(frozen=True)
class ResultRow:
    rank: int | None  # None while nobody has completely scored the submission
    submission: Submission
    raw_score: float | None  # mean of judges' weighted scores, 0..100
    normalised_score: float | None  # mean of judges' z-scores
    complete_scores: int
    judges_assigned: int
    placement: Placement | None


def weighted_score(criteria: Sequence[RubricCriterion], values: dict[int, int]) -> float:
    """One judge's score for one submission on a 0..100 scale, weighted by the rubric."""
    total_weight = sum(criterion.weight for criterion in criteria)
    earned = sum(
        criterion.weight
        * (values[criterion.id] - criterion.scale_min)
        / (criterion.scale_max - criterion.scale_min)
        for criterion in criteria
    )
    return 100 * earned / total_weight


def _z_scores(scores: dict[int, float]) -> dict[int, float]:
    """Population z-scores; a judge with one score or no spread contributes 0 everywhere."""
    if len(scores) < 2:
        return dict.fromkeys(scores, 0.0)
    mean = statistics.fmean(scores.values())
    spread = statistics.pstdev(scores.values(), mu=mean)
    if math.isclose(spread, 0.0, abs_tol=1e-9):
        return dict.fromkeys(scores, 0.0)
    return {submission_id: (score - mean) / spread for submission_id, score in scores.items()}


def _assigned_pairs(hackathon: Hackathon) -> set[tuple[int, int]]:
    """(judge id, submission id) of every judge assignment of a hackathon."""
    return {
        (judge_id, submission_id)
        for judge_id, submission_id in db.session.execute(
            select(JudgeAssignment.judge_id, JudgeAssignment.submission_id)
            .join(Submission, Submission.id == JudgeAssignment.submission_id)
            .where(Submission.hackathon_id == hackathon.id)
        )
    }


def _given_scores(hackathon: Hackathon) -> dict[tuple[int, int], dict[int, int]]:
    """(judge id, submission id) -> criterion id -> value, for every score of a hackathon."""
    values: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for judge_id, submission_id, criterion_id, value in db.session.execute(
        select(Score.judge_id, Score.submission_id, Score.criterion_id, Score.value)
        .join(Submission, Submission.id == Score.submission_id)
        .where(Submission.hackathon_id == hackathon.id)
    ):
        values[(judge_id, submission_id)][criterion_id] = value
    return values


def ranking(hackathon: Hackathon, normalise: bool = False) -> list[ResultRow]:
    """Every submitted submission of a hackathon, ranked; four queries whatever the size."""
    criteria = list(
        db.session.scalars(
            select(RubricCriterion)
            .where(RubricCriterion.hackathon_id == hackathon.id)
            .order_by(RubricCriterion.position, RubricCriterion.id)
        )
    )
    submissions = list(
        db.session.scalars(
            select(Submission)
            .options(joinedload(Submission.challenge))
            .where(
                Submission.hackathon_id == hackathon.id,
                Submission.status == str(SubmissionStatus.SUBMITTED),
            )
        )
    )
    assigned = _assigned_pairs(hackathon)
    values = _given_scores(hackathon)

    criterion_ids = {criterion.id for criterion in criteria}
    submitted = {submission.id for submission in submissions}
    # judge id -> submission id -> weighted score, for complete scores by assigned judges only.
    by_judge: dict[int, dict[int, float]] = defaultdict(dict)
    for (judge_id, submission_id), given in values.items():
        if (
            criterion_ids
            and (judge_id, submission_id) in assigned
            and submission_id in submitted
            and criterion_ids <= given.keys()
        ):
            by_judge[judge_id][submission_id] = weighted_score(criteria, given)

    raw: dict[int, list[float]] = defaultdict(list)
    normalised: dict[int, list[float]] = defaultdict(list)
    for scores in by_judge.values():
        for submission_id, score in scores.items():
            raw[submission_id].append(score)
        for submission_id, z in _z_scores(scores).items():
            normalised[submission_id].append(z)
    judges_assigned: dict[int, int] = defaultdict(int)
    for _judge_id, submission_id in assigned:
        judges_assigned[submission_id] += 1

    def mean(scores: list[float]) -> float | None:
        return statistics.fmean(scores) if scores else None

    unranked = [
        ResultRow(
            rank=None,
            submission=submission,
            raw_score=mean(raw[submission.id]),
            normalised_score=mean(normalised[submission.id]),
            complete_scores=len(raw[submission.id]),
            judges_assigned=judges_assigned[submission.id],
            placement=Placement(submission.placement) if submission.placement else None,
        )
        for submission in submissions
    ]

    def order(row: ResultRow) -> tuple:
        score = row.normalised_score if normalise else row.raw_score
        # Rounding keeps floating-point noise from breaking what are really ties.
        return (
            score is None,
            -round(score, 9) if score is not None else 0.0,
            row.submission.title.casefold(),
            row.submission.id,
        )

    ranked = []
    for position, row in enumerate(sorted(unranked, key=order), start=1):
        rank = position if row.complete_scores else None
        ranked.append(
            ResultRow(
                rank,
                row.submission,
                row.raw_score,
                row.normalised_score,
                row.complete_scores,
                row.judges_assigned,
                row.placement,
            )
        )
    return ranked


def set_placement(
    submission: Submission, placement: Placement | None, *, by: User | None
) -> Submission:
    """Mark a submission winner, runner-up or honourable mention, or clear its placement."""
    if placement is not None and submission.status != SubmissionStatus.SUBMITTED:
        raise InvalidInput(f"{submission.title!r} is a draft; drafts cannot be placed.")
    before = submission.placement
    after = str(placement) if placement is not None else None
    if before == after:
        return submission
    submission.placement = after
    db.session.flush()
    audit.record(
        by,
        "submission.placement_set",
        "submission",
        submission.id,
        before={"placement": before},
        after={"placement": after},
    )
    return submission


def _rounded(score: float | None, places: int) -> float | str:
    return "" if score is None else round(score, places)


RESULTS_COLUMNS = [
    "rank",
    "title",
    "team",
    "challenge",
    "raw_score",
    "normalised_score",
    "complete_scores",
    "judges_assigned",
    "placement",
    "submission_url",
]


def results_csv(rows: Sequence[ResultRow]) -> str:
    """The ranked results as CSV text, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RESULTS_COLUMNS)
    for row in rows:
        submission = row.submission
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                row.rank if row.rank is not None else "",
                submission.title,
                submission.team_name,
                submission.challenge.title if submission.challenge else "",
                _rounded(row.raw_score, 2),
                _rounded(row.normalised_score, 3),
                row.complete_scores,
                row.judges_assigned,
                row.placement.label if row.placement else "",
                submission.submission_url or "",
            )
        )
    return buffer.getvalue()
