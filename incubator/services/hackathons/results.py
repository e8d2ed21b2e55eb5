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

The ranking is computed over every submission at once (`tally`: the database sums each
judge's weighted points per submission, Python turns those into z-scores, means and ranks);
the judges' values and comments are loaded only for the submissions a page shows
(`results_page`), and the export streams (`results_csv_lines`).
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import joinedload, lazyload, load_only

from incubator.extensions import db
from incubator.models import (
    Challenge,
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
from incubator.services.hackathons import stamps
from incubator.services.paging import ListPage
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


@dataclass(frozen=True, slots=True)
class Criterion:
    """A rubric criterion as the results show it: plain values, kept by a worker between
    requests (services/hackathons/stamps.py) without any database session."""

    id: int
    name: str
    weight: float
    scale_min: int
    scale_max: int


def weighted_score(
    criteria: Sequence[Criterion] | Sequence[RubricCriterion], values: dict[int, int]
) -> float:
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
    # The population deviation, summed exactly (fsum) like the mean; statistics.pstdev's
    # exact fractions cost a millisecond per thousand scores.
    spread = math.sqrt(math.fsum((score - mean) ** 2 for score in scores.values()) / len(scores))
    if math.isclose(spread, 0.0, abs_tol=1e-9):
        return dict.fromkeys(scores, 0.0)
    return {submission_id: (score - mean) / spread for submission_id, score in scores.items()}


Pair = tuple[int, int]  # (judge id, submission id)


@dataclass(slots=True)
class Standing:
    """A submission's place in the ranking, before its judges' scores are loaded (its rank
    is set once, by `_ranked`)."""

    submission_id: int
    title: str
    raw_score: float | None
    normalised_score: float | None
    complete_scores: int
    judges_assigned: int
    rank: int | None = None
    tied: bool = False


@dataclass(frozen=True)
class Tally:
    """What a hackathon's scores add up to: the rubric, every submitted submission's standing
    in ranking order, and each complete (judge, submission) pair's weighted score and z-score.
    Small whatever the size: a few numbers per pair, no submission loaded as an object."""

    criteria: list[Criterion]
    standings: list[Standing]
    weighted: dict[Pair, float]
    z_scores: dict[Pair, float]

    @property
    def scored(self) -> int:
        """How many submissions have at least one complete score."""
        return sum(1 for standing in self.standings if standing.complete_scores)

    @property
    def tied(self) -> int:
        """How many submissions share their rank with another."""
        return sum(1 for standing in self.standings if standing.tied)


@dataclass(frozen=True)
class ResultsPage:
    """One page of the results, with its judges' scores, and what the whole ranking counts."""

    page: ListPage
    criteria: list[Criterion]
    scored: int
    tied: int


def _criteria(hackathon: Hackathon) -> list[Criterion]:
    return [
        Criterion(*row)
        for row in db.session.execute(
            select(
                RubricCriterion.id,
                RubricCriterion.name,
                RubricCriterion.weight,
                RubricCriterion.scale_min,
                RubricCriterion.scale_max,
            )
            .where(RubricCriterion.hackathon_id == hackathon.id)
            .order_by(RubricCriterion.position, RubricCriterion.id)
        )
    ]


def _submitted(hackathon: Hackathon) -> ColumnElement[bool]:
    return and_(
        Submission.hackathon_id == hackathon.id,
        Submission.status == str(SubmissionStatus.SUBMITTED),
    )


def _submissions(hackathon: Hackathon) -> list[tuple[int, str, int]]:
    """Every submitted submission's id, title and how many judges are assigned to it (a
    join and a count: PostgreSQL hashes it, where a count per submission is a thousand
    lookups)."""
    rows = db.session.execute(
        select(Submission.id, Submission.title, func.count(JudgeAssignment.id))
        .outerjoin(JudgeAssignment, JudgeAssignment.submission_id == Submission.id)
        .where(_submitted(hackathon))
        .group_by(Submission.id, Submission.title)
    )
    return [(id_, title, count) for id_, title, count in rows]


def _points(hackathon: Hackathon) -> list[tuple[int, int, float, int]]:
    """For each submitted submission and judge assigned to it who scored it on this rubric:
    the judge's weighted points earned (the sum in `weighted_score`) and how many criteria
    they scored. The database adds the scores up, so they never travel: grouped in the order
    of the scores' unique index (no sorting), then kept only where the judge is still
    assigned (a judge taken off keeps their scores, which stop counting), one lookup per
    judge and submission rather than per score."""
    earned = (
        RubricCriterion.weight
        * (Score.value - RubricCriterion.scale_min)
        / (RubricCriterion.scale_max - RubricCriterion.scale_min)
    )
    totals = (
        select(
            Submission.id.label("submission_id"),
            Score.judge_id,
            func.sum(earned).label("points"),
            func.count(RubricCriterion.id).label("given"),
        )
        .join(Score, Score.submission_id == Submission.id)
        .join(
            RubricCriterion,
            and_(
                RubricCriterion.id == Score.criterion_id,
                RubricCriterion.hackathon_id == Submission.hackathon_id,
            ),
        )
        .where(_submitted(hackathon))
        .group_by(Submission.id, Score.judge_id)
        .subquery()
    )
    rows = db.session.execute(
        select(totals.c.submission_id, totals.c.judge_id, totals.c.points, totals.c.given).join(
            JudgeAssignment,
            and_(
                JudgeAssignment.submission_id == totals.c.submission_id,
                JudgeAssignment.judge_id == totals.c.judge_id,
            ),
        )
    )
    # A subquery's columns carry no Python types; these are the ones selected above.
    return list(cast("Iterable[tuple[int, int, float, int]]", rows))


def tally(hackathon: Hackathon, normalise: bool = False) -> Tally:
    """Every submitted submission of a hackathon ranked (ties sharing a rank), with each
    complete score's weighted value and z-score; three queries whatever the size."""
    return ranked(unranked_tally(hackathon), normalise)


def ranked(found: Tally, normalise: bool) -> Tally:
    """The tally with its standings ranked raw or normalised, as new standings: `found` is
    left as it was, so one unranked tally serves both rankings."""
    standings = [
        Standing(
            standing.submission_id,
            standing.title,
            standing.raw_score,
            standing.normalised_score,
            standing.complete_scores,
            standing.judges_assigned,
        )
        for standing in found.standings
    ]
    return Tally(found.criteria, _ranked(standings, normalise), found.weighted, found.z_scores)


def unranked_tally(hackathon: Hackathon) -> Tally:
    """Every submitted submission's scores added up, in no order and without ranks; three
    queries whatever the size."""
    criteria = _criteria(hackathon)
    total_weight = sum(criterion.weight for criterion in criteria)
    # judge id -> submission id -> weighted score, for complete scores by assigned judges only.
    by_judge: dict[int, dict[int, float]] = defaultdict(dict)
    if criteria:
        for submission_id, judge_id, points, given in _points(hackathon):
            if given == len(criteria):
                by_judge[judge_id][submission_id] = 100 * points / total_weight

    weighted: dict[Pair, float] = {}
    z_scores: dict[Pair, float] = {}
    raw: dict[int, list[float]] = defaultdict(list)
    normalised: dict[int, list[float]] = defaultdict(list)
    for judge_id, scores in by_judge.items():
        for submission_id, z_score in _z_scores(scores).items():
            weighted[(judge_id, submission_id)] = scores[submission_id]
            z_scores[(judge_id, submission_id)] = z_score
            raw[submission_id].append(scores[submission_id])
            normalised[submission_id].append(z_score)

    unranked = []
    for submission_id, title, judges in _submissions(hackathon):
        mine = raw.get(submission_id)
        unranked.append(
            Standing(submission_id, title, None, None, 0, judges)
            if not mine
            else Standing(
                submission_id,
                title,
                # statistics.fmean, without its checks: an exactly rounded sum over the count.
                math.fsum(mine) / len(mine),
                math.fsum(normalised[submission_id]) / len(mine),
                len(mine),
                judges,
            )
        )
    return Tally(criteria, unranked, weighted, z_scores)


def _result_rows(found: Tally, standings: Sequence[Standing]) -> list[ResultRow]:
    """The standings as rows to show: each submission (with its challenge) and every assigned
    judge's values and comments, by judge name; two queries for any number of standings."""
    ids = [standing.submission_id for standing in standings]
    if not ids:
        return []
    submissions: dict[int, Submission] = {}
    judges: dict[Pair, User] = {}
    for submission, judge in db.session.execute(
        select(Submission, User)
        # Only what a row shows: a submission's JSON and times, read once per judge of it,
        # cost more than the rest of the page. A judge's roles would be one more query.
        .options(
            load_only(Submission.title, Submission.team_name, Submission.placement),
            joinedload(Submission.challenge).load_only(Challenge.title),
            load_only(User.name),
            lazyload(User.role_rows),
        )
        .outerjoin(JudgeAssignment, JudgeAssignment.submission_id == Submission.id)
        .outerjoin(User, User.id == JudgeAssignment.judge_id)
        .where(Submission.id.in_(ids))
    ):
        submissions[submission.id] = submission
        if judge is not None:
            judges[(judge.id, submission.id)] = judge
    # The scores as plain values: a thousand rows on a page of fifty, no objects.
    values: dict[Pair, dict[int, int]] = defaultdict(dict)
    comments: dict[Pair, dict[int, str]] = defaultdict(dict)
    for submission_id, judge_id, criterion_id, value, comment in db.session.execute(
        select(
            Score.submission_id, Score.judge_id, Score.criterion_id, Score.value, Score.comment
        ).where(Score.submission_id.in_(ids))
    ):
        values[(judge_id, submission_id)][criterion_id] = value
        if comment:
            comments[(judge_id, submission_id)][criterion_id] = comment

    breakdown: dict[int, list[JudgeScores]] = defaultdict(list)
    for pair, judge in judges.items():
        breakdown[pair[1]].append(
            JudgeScores(
                judge=judge,
                values=values.get(pair, {}),
                comments=comments.get(pair, {}),
                weighted=found.weighted.get(pair),
                z_score=found.z_scores.get(pair),
            )
        )
    return [
        _row(standing, submissions[standing.submission_id], breakdown[standing.submission_id])
        for standing in standings
    ]


def ranking(hackathon: Hackathon, normalise: bool = False) -> list[ResultRow]:
    """Every submitted submission of a hackathon, ranked, ties sharing a rank, each with its
    judges' scores and comments; four queries whatever the size."""
    found = tally(hackathon, normalise)
    return _result_rows(found, found.standings)


def kept_tally(hackathon: Hackathon, normalise: bool, found: stamps.Reading) -> Tally:
    """The tally, computed once per judging stamp in this worker (services/hackathons/
    stamps.py), and ranked once each way: plain values only, shared by the requests that
    read the same stamp (and by both rankings: a manager switching to the normalised one
    after a change pays for the ranking only)."""

    def rank() -> Tally:
        scores = stamps.remembered(found, "unranked", lambda: unranked_tally(hackathon), tally=True)
        return ranked(scores, normalise)

    return stamps.remembered(found, normalise, rank, tally=True)


def results_page(
    hackathon: Hackathon,
    normalise: bool,
    page: int,
    per_page: int,
    found: stamps.Reading | None = None,
) -> ResultsPage:
    """One page of the ranking of every submission, with the judges' scores and comments of
    the submissions on it only; four queries whatever the size, two when the tally is kept
    under the stamp `found` was read at."""
    found_tally = (
        tally(hackathon, normalise) if found is None else kept_tally(hackathon, normalise, found)
    )
    shown = ListPage.of(found_tally.standings, page, per_page)
    shown.items = _result_rows(found_tally, shown.items)
    return ResultsPage(shown, found_tally.criteria, found_tally.scored, found_tally.tied)


def _row(standing: Standing, submission: Submission, judges: list[JudgeScores]) -> ResultRow:
    """A submission's row: its standing, and its judges' scores by name."""
    judges.sort(key=lambda scores: (scores.judge.name.casefold(), scores.judge.id))
    return ResultRow(
        rank=standing.rank,
        submission=submission,
        raw_score=standing.raw_score,
        normalised_score=standing.normalised_score,
        complete_scores=standing.complete_scores,
        judges_assigned=standing.judges_assigned,
        placement=Placement(submission.placement) if submission.placement else None,
        tied=standing.tied,
        judges=tuple(judges),
    )


def _rounded_key(score: float | None) -> float | None:
    # Rounding keeps floating-point noise from breaking what are really ties.
    return None if score is None else round(score, 9)


def _ranked(standings: list[Standing], normalise: bool) -> list[Standing]:
    """The standings in ranking order (the tie-break rule in the module's docstring), each
    given its rank: tied ones share the rank of the first of them; unscored ones have none."""
    keyed = []
    for standing in standings:
        raw, normalised = _rounded_key(standing.raw_score), _rounded_key(standing.normalised_score)
        ranked_by, then_by = (normalised, raw) if normalise else (raw, normalised)
        order = (
            ranked_by is None,
            -ranked_by if ranked_by is not None else 0.0,
            -standing.complete_scores,
            then_by is None,
            -then_by if then_by is not None else 0.0,
            standing.title.casefold(),
            standing.submission_id,
        )
        keyed.append((order, ranked_by, standing))
    keyed.sort(key=itemgetter(0))
    shares = Counter(ranked_by for _order, ranked_by, standing in keyed if standing.complete_scores)
    rank_of: dict[float | None, int] = {}
    for position, (_order, ranked_by, standing) in enumerate(keyed, start=1):
        if standing.complete_scores:
            standing.rank = rank_of.setdefault(ranked_by, position)
            standing.tied = shares[ranked_by] > 1
    return [standing for _order, _ranked_by, standing in keyed]


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


# Submissions read per query while the export streams.
CSV_BATCH = 500


def results_csv_lines(found: Tally) -> Iterator[str]:
    """The whole ranking as lines of CSV safe to open in a spreadsheet, the columns' names
    in English for programs and the placements as the page says them. The submissions'
    columns are read CSV_BATCH at a time as the lines go out."""
    yield _csv_line(RESULTS_COLUMNS)
    for start in range(0, len(found.standings), CSV_BATCH):
        batch = found.standings[start : start + CSV_BATCH]
        columns = {
            row.id: row
            for row in db.session.execute(
                select(
                    Submission.id,
                    Submission.team_name,
                    Challenge.title.label("challenge"),
                    Submission.placement,
                    Submission.submission_url,
                )
                .outerjoin(Challenge, Challenge.id == Submission.challenge_id)
                .where(Submission.id.in_([standing.submission_id for standing in batch]))
            )
        }
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for standing in batch:
            submission = columns[standing.submission_id]
            writer.writerow(
                spreadsheet_safe(cell)
                for cell in (
                    standing.rank if standing.rank is not None else "",
                    "yes" if standing.tied else "",
                    standing.title,
                    submission.team_name,
                    submission.challenge or "",
                    _rounded(standing.raw_score, 2),
                    _rounded(standing.normalised_score, 3),
                    standing.complete_scores,
                    standing.judges_assigned,
                    Placement(submission.placement).label if submission.placement else "",
                    submission.submission_url or "",
                )
            )
        yield buffer.getvalue()


def _csv_line(cells: Sequence[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()
