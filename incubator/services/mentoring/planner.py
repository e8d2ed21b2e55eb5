"""The office-hours planner: rounds, mentors' availability and ventures in, meetings out.

Pure: plain values only, no database, no app. services/mentoring/office_hours.py loads a
day's facts, calls `generate` and `limits`, and stores and publishes what they return.

How the plan is made: the day is cut into rounds of a meeting's length. Round by round, a
maximum matching pairs ventures with the mentors free in that round whom they have not
met (`scipy.optimize.linear_sum_assignment`, cardinality first; among the largest matchings
it prefers ventures with fewer meetings so far and mentors whose remaining rounds are
scarce for the ventures they have still to meet). A polishing pass then gives each venture,
in turn, the largest set of meetings its own free rounds and the mentors' free rounds allow
(a maximum matching of rounds to mentors with everyone else fixed), and re-assigns each
mentor's meetings when that makes the plan fairer. A few seeded attempts are made and the
fairest plan kept: the most meetings for the venture with fewest, then the most meetings.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

TimeRange = tuple[datetime, datetime]

ATTEMPTS = 8
# Each pass that changes anything makes the plan strictly fairer; this only bounds the time.
MAX_POLISH_PASSES = 50


@dataclass(frozen=True)
class Availability:
    """When a mentor can meet: inside one of the windows and clear of every break."""

    windows: tuple[TimeRange, ...]
    breaks: tuple[TimeRange, ...] = ()

    def covers(self, starts_at: datetime, ends_at: datetime) -> bool:
        inside = any(start <= starts_at and ends_at <= end for start, end in self.windows)
        return inside and not overlaps_any(starts_at, ends_at, self.breaks)


@dataclass(frozen=True, order=True)
class Meeting:
    venture_id: int
    mentor_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Limits:
    """What no plan can beat: per venture on its own, in total, and for the least-served."""

    per_venture: dict[int, int]
    total: int
    fewest: int


def overlaps_any(starts_at: datetime, ends_at: datetime, spans: Sequence[TimeRange]) -> bool:
    return any(starts_at < end and start < ends_at for start, end in spans)


def meeting_rounds(starts_at: datetime, ends_at: datetime, minutes: int) -> list[TimeRange]:
    """Back-to-back rounds of `minutes` from starts_at, each ending by ends_at."""
    if minutes <= 0:
        raise ValueError("a round lasts a positive number of minutes")
    length = timedelta(minutes=minutes)
    rounds = []
    start = starts_at
    while start + length <= ends_at:
        rounds.append((start, start + length))
        start += length
    return rounds


def day_rounds(mentors: Mapping[int, Availability], minutes: int) -> list[TimeRange]:
    """The grid of rounds from the earliest window's start to the latest window's end."""
    windows = [window for availability in mentors.values() for window in availability.windows]
    if not windows:
        return []
    return meeting_rounds(min(w[0] for w in windows), max(w[1] for w in windows), minutes)


def _check_rounds(rounds: Sequence[TimeRange]) -> None:
    for start, end in rounds:
        if not start < end:
            raise ValueError(f"round {start} to {end} ends before it starts")
    for (_, end), (following, _) in itertools.pairwise(rounds):
        if following < end:
            raise ValueError("rounds must be in order and must not overlap")


class _Instance:
    """The problem as arrays: which mentor may meet in which round, which venture is free."""

    def __init__(
        self,
        rounds: Sequence[TimeRange],
        mentors: Mapping[int, Availability],
        ventures: Sequence[int],
        busy: Mapping[int, Sequence[TimeRange]],
    ):
        _check_rounds(rounds)
        if len(set(ventures)) != len(ventures):
            raise ValueError("a venture is listed twice")
        self.rounds = list(rounds)
        self.mentor_ids = sorted(mentors)
        self.venture_ids = list(ventures)
        # available[r, m]: mentor m can meet in round r; free[r, v]: venture v can.
        self.available = np.array(
            [[mentors[m].covers(*span) for m in self.mentor_ids] for span in self.rounds],
            dtype=bool,
        ).reshape(len(self.rounds), len(self.mentor_ids))
        self.free = np.array(
            [
                [not overlaps_any(*span, busy.get(v, ())) for v in self.venture_ids]
                for span in self.rounds
            ],
            dtype=bool,
        ).reshape(len(self.rounds), len(self.venture_ids))

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.rounds), len(self.mentor_ids), len(self.venture_ids)


def _max_matching(allowed: np.ndarray, bonus: np.ndarray | None = None) -> tuple:
    """Rows and columns of a largest matching over `allowed` cells; among the largest, the
    one with the most `bonus` (each cell's bonus in [0, 2))."""
    if not allowed.any():
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    # Any one extra pair outweighs every bonus a matching can gather, so size comes first.
    size = min(allowed.shape) * 2 + 2
    weight = size + (bonus if bonus is not None else 0.0)
    # Imported here, not with the module: every page imports the planner through its
    # blueprint, and scipy.optimize costs each gunicorn worker about 50 MB.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(np.where(allowed, -weight, 0.0))
    kept = allowed[rows, cols]
    return rows[kept], cols[kept]


def _need(counts: np.ndarray) -> np.ndarray:
    """In (0, 1]: 1 for the ventures with fewest meetings, less for those with more."""
    most = counts.max() if counts.size else 0
    return (most - counts + 1) / (most + 1)


def _score(grid: np.ndarray) -> tuple[int, int, int]:
    """Fairest first: the least-served venture's meetings, all meetings, then evenness."""
    counts = (grid >= 0).sum(axis=0)
    if counts.size == 0:
        return 0, 0, 0
    return int(counts.min()), int(counts.sum()), -int((counts**2).sum())


def _greedy(problem: _Instance, noise: np.random.Generator | None) -> np.ndarray:
    """grid[r, v] = the mentor (index) venture v meets in round r, or -1."""
    rounds, mentor_count, venture_count = problem.shape
    available, free = problem.available, problem.free
    # Rounds left to each mentor from round r on (r included).
    remaining = np.cumsum(available[::-1], axis=0)[::-1]
    met = np.zeros((venture_count, mentor_count), dtype=bool)
    venture_meetings = np.zeros(venture_count)
    mentor_meetings = np.zeros(mentor_count)
    grid = np.full((rounds, venture_count), -1)
    for r in range(rounds):
        mentors = np.flatnonzero(available[r])
        if mentors.size == 0:
            continue
        allowed = ~met[:, mentors] & free[r][:, None]
        # A mentor is urgent when the ventures still to meet fill the rounds they have left.
        urgency = np.minimum(
            1.0, (venture_count - mentor_meetings[mentors]) / remaining[r, mentors]
        )
        bonus = _need(venture_meetings)[:, None] + 0.5 * urgency[None, :]
        if noise is not None:
            bonus = bonus + noise.random(bonus.shape) * 0.01
        ventures, columns = _max_matching(allowed, bonus)
        chosen = mentors[columns]
        met[ventures, chosen] = True
        venture_meetings[ventures] += 1
        mentor_meetings[chosen] += 1
        grid[r, ventures] = chosen
    return grid


def _polish(problem: _Instance, grid: np.ndarray) -> np.ndarray:
    """Improve a plan by moves that each make it strictly fairer, until none is left."""
    available, free = problem.available, problem.free
    rounds, mentor_count, _ = problem.shape
    for _ in range(MAX_POLISH_PASSES):
        improved = False
        counts = (grid >= 0).sum(axis=0)
        for v in np.argsort(counts, kind="stable"):
            # Everyone else stays put; this venture gets the most meetings left to it.
            taken = np.zeros((rounds, mentor_count), dtype=bool)
            others = grid.copy()
            others[:, v] = -1
            r_taken, v_taken = np.nonzero(others >= 0)
            taken[r_taken, others[r_taken, v_taken]] = True
            allowed = available & ~taken & free[:, v][:, None]
            r_new, m_new = _max_matching(allowed)
            if r_new.size > int((grid[:, v] >= 0).sum()):
                grid[:, v] = -1
                grid[r_new, v] = m_new
                improved = True
        for m in range(mentor_count):
            before = _score(grid)
            trial = grid.copy()
            trial[trial == m] = -1
            allowed = (trial < 0) & free & available[:, m][:, None]
            bonus = np.broadcast_to(_need((trial >= 0).sum(axis=0))[None, :], allowed.shape)
            r_new, v_new = _max_matching(allowed, bonus)
            trial[r_new, v_new] = m
            if _score(trial) > before:
                grid = trial
                improved = True
        if not improved:
            break
    return grid


def _limits(problem: _Instance) -> Limits:
    rounds, _, venture_count = problem.shape
    available, free = problem.available, problem.free
    per_venture = {}
    for index, venture_id in enumerate(problem.venture_ids):
        rows, _ = _max_matching(available & free[:, index][:, None])
        per_venture[venture_id] = int(rows.size)
    by_round = int(np.minimum(free.sum(axis=1), available.sum(axis=1)).sum()) if rounds else 0
    by_mentor = int(np.minimum(available.sum(axis=0), venture_count).sum()) if rounds else 0
    total = min(sum(per_venture.values()), by_round, by_mentor)
    fewest = min([*per_venture.values(), total // venture_count]) if venture_count else 0
    return Limits(per_venture, total, fewest)


def limits(
    rounds: Sequence[TimeRange],
    mentors: Mapping[int, Availability],
    ventures: Sequence[int],
    *,
    busy: Mapping[int, Sequence[TimeRange]] | None = None,
) -> Limits:
    """Upper bounds for any plan: each venture alone, all meetings, the least-served venture."""
    return _limits(_Instance(rounds, mentors, ventures, busy or {}))


def generate(
    rounds: Sequence[TimeRange],
    mentors: Mapping[int, Availability],
    ventures: Sequence[int],
    *,
    busy: Mapping[int, Sequence[TimeRange]] | None = None,
    seed: int = 0,
    attempts: int = ATTEMPTS,
) -> list[Meeting]:
    """Plan the meetings of a day: as many different mentors for every venture as can be.

    In each round a mentor meets at most one venture and a venture at most one mentor; a
    mentor meets only in rounds wholly inside a window of theirs and clear of their breaks;
    a venture meets no one while it is `busy`; no pair meets twice. The same inputs and
    seed give the same plan. Rounds must be in order and must not overlap.

    As for how good it is: no venture could get one more meeting by moving only its own
    meetings, and when the plan reaches `limits()` (the usual case: see the tests and the
    benchmark) no plan is fairer or has more meetings. In general the problem is a
    timetabling one with no known fast exact method, so that is not promised.
    """
    problem = _Instance(rounds, mentors, ventures, busy or {})
    bound = _limits(problem)
    target = (bound.fewest, bound.total)
    noise = np.random.default_rng(seed)
    # The first attempt is greedy without noise; later ones add noise, until one reaches
    # the bound (no plan is fairer or has more meetings) or the attempts run out.
    best = _polish(problem, _greedy(problem, None))
    best_score = score = _score(best)
    for _ in range(1, max(attempts, 1)):
        if score[:2] == target:
            break
        grid = _polish(problem, _greedy(problem, noise))
        score = _score(grid)
        if score > best_score:
            best, best_score = grid, score
    meetings = [
        Meeting(problem.venture_ids[v], problem.mentor_ids[best[r, v]], *problem.rounds[r])
        for r, v in zip(*np.nonzero(best >= 0), strict=True)
    ]
    return sorted(meetings, key=lambda m: (m.starts_at, m.mentor_id))
