"""Judging results: each judge's weighted score of each submission, the ranking (raw, or
normalised per judge as z-scores), placements, and the results export.

A judge's weighted score for a submission is, over the rubric's criteria,
sum(weight * (value - min) / (max - min)) / sum(weight), scaled to 0..100. Only complete
scores (a value for every current criterion) from judges currently assigned count.

Ties: submissions with the same score (raw or normalised, whichever ranks) share a rank
(competition ranking: 1, =2, =2, =2, 5) and are marked tied. Within a tie they are listed
by the tie-break rule, which is also the order to follow if a tie must be broken for a
placement: more complete scores first (a score more judges stand behind), then the higher
other score (normalised when ranking by raw, raw when ranking by normalised), then the
title from A to Z, then the earlier submission.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from flask_babel import gettext as _
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
class JudgeScores:
    """One assigned judge's scores of one submission: a value and a comment per criterion
    (by criterion id, only those given), and what they add up to once complete."""

    judge: User
    values: dict[int, int]
    comments: dict[int, str]
    weighted: float | None  # 0..100; None until every criterion has a value
    z_score: float | None  # the weighted score as a z-score among this judge's own

    @property
    def complete(self) -> bool:
        return self.weighted is not None


@dataclass(frozen=True)
class ResultRow:
    rank: int | None  # None while nobody has completely scored the submission
    submission: Submission
    raw_score: float | None  # mean of judges' weighted scores, 0..100
    normalised_score: float | None  # mean of judges' z-scores
    complete_scores: int
    judges_assigned: int
    placement: Placement | None
    tied: bool = False  # shares its rank with another submission
    judges: tuple[JudgeScores, ...] = ()  # every assigned judge's scores, by judge name

    @property
    def comment_count(self) -> int:
        return sum(1 for scores in self.judges for comment in scores.comments.values() if comment)


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


Pair = tuple[int, int]  # (judge id, submission id)


def _given_scores(
    hackathon: Hackathon,
) -> tuple[dict[Pair, dict[int, int]], dict[Pair, dict[int, str]]]:
    """Every score of a hackathon: (judge id, submission id) -> criterion id -> value, and
    the same for the comments that are not empty."""
    values: dict[Pair, dict[int, int]] = defaultdict(dict)
    comments: dict[Pair, dict[int, str]] = defaultdict(dict)
    for judge_id, submission_id, criterion_id, value, comment in db.session.execute(
        select(Score.judge_id, Score.submission_id, Score.criterion_id, Score.value, Score.comment)
        .join(Submission, Submission.id == Score.submission_id)
        .where(Submission.hackathon_id == hackathon.id)
    ):
        values[(judge_id, submission_id)][criterion_id] = value
        if comment:
            comments[(judge_id, submission_id)][criterion_id] = comment
    return values, comments


def _judges(assigned: set[Pair]) -> dict[int, User]:
    """The assigned judges by id, in one query."""
    judge_ids = {judge_id for judge_id, _submission_id in assigned}
    if not judge_ids:
        return {}
    return {
        judge.id: judge for judge in db.session.scalars(select(User).where(User.id.in_(judge_ids)))
    }


def ranking(hackathon: Hackathon, normalise: bool = False) -> list[ResultRow]:
    """Every submitted submission of a hackathon, ranked, ties sharing a rank, each with its
    judges' scores and comments; five queries whatever the size."""
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
    values, comments = _given_scores(hackathon)
    judges = _judges(assigned)

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
    z_by_judge = {judge_id: _z_scores(scores) for judge_id, scores in by_judge.items()}

    # submission id -> each assigned judge's scores, by name.
    breakdown: dict[int, list[JudgeScores]] = defaultdict(list)
    for judge_id, submission_id in assigned:
        if submission_id not in submitted or judge_id not in judges:
            continue
        breakdown[submission_id].append(
            JudgeScores(
                judge=judges[judge_id],
                values=values.get((judge_id, submission_id), {}),
                comments=comments.get((judge_id, submission_id), {}),
                weighted=by_judge.get(judge_id, {}).get(submission_id),
                z_score=z_by_judge.get(judge_id, {}).get(submission_id),
            )
        )

    unranked = [_row(submission, breakdown[submission.id]) for submission in submissions]
    return _ranked(unranked, normalise)


def _row(submission: Submission, judges: list[JudgeScores]) -> ResultRow:
    """A submission's row before ranking: its judges' scores and their means."""
    judges.sort(key=lambda scores: (scores.judge.name.casefold(), scores.judge.id))
    raw = [scores.weighted for scores in judges if scores.weighted is not None]
    normalised = [scores.z_score for scores in judges if scores.z_score is not None]
    return ResultRow(
        rank=None,
        submission=submission,
        raw_score=statistics.fmean(raw) if raw else None,
        normalised_score=statistics.fmean(normalised) if normalised else None,
        complete_scores=len(raw),
        judges_assigned=len(judges),
        placement=Placement(submission.placement) if submission.placement else None,
        judges=tuple(judges),
    )


def _rounded_key(score: float | None) -> float | None:
    # Rounding keeps floating-point noise from breaking what are really ties.
    return None if score is None else round(score, 9)


def _ranked(rows: list[ResultRow], normalise: bool) -> list[ResultRow]:
    """The rows in ranking order (the tie-break rule in the module's docstring), each with
    its rank: tied rows share the rank of the first of them; unscored rows have none."""

    def score(row: ResultRow) -> float | None:
        return _rounded_key(row.normalised_score if normalise else row.raw_score)

    def other(row: ResultRow) -> float | None:
        return _rounded_key(row.raw_score if normalise else row.normalised_score)

    def order(row: ResultRow) -> tuple:
        ranked_by, then_by = score(row), other(row)
        return (
            ranked_by is None,
            -ranked_by if ranked_by is not None else 0.0,
            -row.complete_scores,
            then_by is None,
            -then_by if then_by is not None else 0.0,
            row.submission.title.casefold(),
            row.submission.id,
        )

    ordered = sorted(rows, key=order)
    shares = Counter(score(row) for row in ordered if row.complete_scores)
    ranked = []
    rank_of: dict[float | None, int] = {}
    for position, row in enumerate(ordered, start=1):
        if not row.complete_scores:
            ranked.append(row)
            continue
        rank = rank_of.setdefault(score(row), position)
        ranked.append(replace(row, rank=rank, tied=shares[score(row)] > 1))
    return ranked


def set_placement(
    submission: Submission, placement: Placement | None, *, by: User | None
) -> Submission:
    """Mark a submission winner, runner-up or honourable mention, or clear its placement."""
    if placement is not None and submission.status != SubmissionStatus.SUBMITTED:
        raise InvalidInput(
            _("'%(title)s' is a draft; drafts cannot be placed.", title=submission.title)
        )
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
    "tied",
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
                "yes" if row.tied else "",
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
