"""Matching ventures with mentors, funders and partners: scores with reasons, then assignment.

The pieces, in the order a matching run uses them:

- `build_facts(cohort, kind) -> CohortFacts`: the cohort's ventures, the counterparts of that
  kind and the office-hours rankings, as plain values, in a fixed number of queries.
- `score_all(ventures, counterparts, rankings, weights=None) -> ScoreTable`: every pair's score
  at once (numpy); `ScoreTable.explain(i, j)` gives one pair's `Scored` with its reasons.
- `score(venture, counterpart, rankings, weights) -> Scored`: one pair, with reasons.
- `assign(scores, capacities, min_per_venture, max_per_venture, pinned=(), forbidden=())
  -> Assignment`: the assignment of greatest total score within capacities and bounds.
- `preferences(table, rankings) -> Preferences`, `stable(venture_prefs, counterpart_prefs,
  capacities, max_per_venture, scores=None) -> Assignment` and `blocking_pairs(pairs,
  venture_prefs, counterpart_prefs, capacities, max_per_venture) -> int`: the stable option
  and the count that shows the manager what the optimal one gives up.

Everything but `build_facts` and `weights_from_config` is pure: no database, no app.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from incubator.services.errors import InvalidInput

# A venture's need is met by a counterpart whose tags mention one of these words.
NEED_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mentors": ("mentor", "mentoring", "coaching", "advice"),
    "data access": ("data", "open data", "data access"),
    "pilot site": ("pilot site", "pilot", "test site", "testbed"),
    "procurement path": ("procurement", "procurement path", "government sales", "contracting"),
    "introductions": ("introductions", "network", "connections", "partnerships"),
    "funding": ("fundraising", "funding", "grants", "investment", "capital"),
    "legal": ("legal", "law", "contracts", "privacy"),
    "design": ("design", "ux", "user research", "service design"),
    "engineering": ("engineering", "software", "technical", "architecture"),
    "marketing": ("marketing", "communications", "outreach", "growth", "brand"),
}
# Needs a counterpart meets by being what it is: any funder meets "Funding".
NEEDS_MET_BY_KIND: dict[str, frozenset[str]] = {
    "funder": frozenset({"funding"}),
    "mentor": frozenset({"mentors"}),
}
CITYWIDE = "citywide"
WEIGHT_NAMES = (
    "needs",
    "challenge_area",
    "stage",
    "impact",
    "neighbourhood",
    "language",
    "ranking",
)


@dataclass(frozen=True)
class MatchWeights:
    """Points for each kind of fit; read from the MATCH_WEIGHTS setting."""

    needs: float = 5.0
    challenge_area: float = 3.0
    stage: float = 2.0
    impact: float = 2.0
    neighbourhood: float = 1.5
    language: float = 1.0
    ranking: float = 4.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> MatchWeights:
        unknown = set(values) - set(WEIGHT_NAMES)
        if unknown:
            raise InvalidInput(f"Unknown match weights: {', '.join(sorted(unknown))}.")
        return cls(**{name: float(value) for name, value in values.items()})


@dataclass(frozen=True)
class VentureFacts:
    id: int
    name: str
    needs: tuple[str, ...] = ()
    challenge_area: str = ""
    stage: str = ""
    impact_areas: tuple[str, ...] = ()
    neighbourhoods: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class CounterpartFacts:
    """A mentor, funder or partner as matching sees it.

    `key` is "user:<id>" or "org:<id>", as in Match.counterpart_key. `tags` are what it
    offers (mentor expertise, funder focus areas, partner offers); `stages` is empty for
    anyone but a funder who invests only at some stages.
    """

    key: str
    name: str
    kind: str
    capacity: int
    tags: tuple[str, ...] = ()
    challenge_areas: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    neighbourhoods: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    headline: str = ""


@dataclass(frozen=True)
class MutualRank:
    """After office hours: the founder's rank of the mentor and the mentor's of the venture."""

    founder_rank: int | None = None
    counterpart_rank: int | None = None

    @property
    def mutual(self) -> bool:
        return self.founder_rank is not None and self.counterpart_rank is not None


# Keyed by (venture id, counterpart key).
Rankings = Mapping[tuple[int, str], MutualRank]


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: list[str]
    # False when the pair may never be matched (a funder who does not invest at that stage).
    eligible: bool = True


@dataclass(frozen=True)
class CohortFacts:
    ventures: list[VentureFacts]
    counterparts: list[CounterpartFacts]
    rankings: dict[tuple[int, str], MutualRank]


@dataclass
class ScoreTable:
    """Scores of every venture (rows) against every counterpart (columns); -inf: ineligible."""

    ventures: list[VentureFacts]
    counterparts: list[CounterpartFacts]
    rankings: Rankings
    weights: MatchWeights
    scores: np.ndarray

    @property
    def capacities(self) -> list[int]:
        return [counterpart.capacity for counterpart in self.counterparts]

    def explain(self, venture: int, counterpart: int) -> Scored:
        """The score of one pair (by row and column) with its reasons."""
        return score(
            self.ventures[venture], self.counterparts[counterpart], self.rankings, self.weights
        )


@dataclass(frozen=True)
class Assignment:
    """Pairs of (venture row, counterpart column), sorted, and their total score."""

    pairs: list[tuple[int, int]]
    total: float


@dataclass(frozen=True)
class Preferences:
    """Each venture's acceptable counterparts best first, and each counterpart's ventures."""

    ventures: list[list[int]]
    counterparts: list[list[int]]


# Scoring ---------------------------------------------------------------------------------


def weights_from_config() -> MatchWeights:
    """The MATCH_WEIGHTS setting of the current app."""
    from flask import current_app

    return MatchWeights.from_mapping(current_app.config["MATCH_WEIGHTS"])


def _fold(values: Iterable[str]) -> frozenset[str]:
    return frozenset(value.strip().lower() for value in values if value and value.strip())


_WORD_PATTERNS: dict[str, re.Pattern[str]] = {}


def _mentions(text: str, word: str) -> bool:
    pattern = _WORD_PATTERNS.get(word)
    if pattern is None:
        pattern = _WORD_PATTERNS[word] = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    return pattern.search(text) is not None


def _evidence(need: str, counterpart: CounterpartFacts) -> str | None:
    """What about the counterpart meets the need, in its own words; None when nothing does."""
    need = need.strip().lower()
    words = NEED_SYNONYMS.get(need, (need,))
    tag = next((tag for tag in counterpart.tags if any(_mentions(tag, w) for w in words)), None)
    if tag is None and need not in NEEDS_MET_BY_KIND.get(counterpart.kind, ()):
        return None
    if counterpart.headline and any(_mentions(counterpart.headline, w) for w in words):
        return counterpart.headline
    if tag is not None:
        return tag
    return counterpart.headline or counterpart.name


def _neighbourhoods_meet(venture: frozenset[str], counterpart: frozenset[str]) -> bool:
    if not venture or not counterpart:
        return False
    return bool(venture & counterpart) or CITYWIDE in venture or CITYWIDE in counterpart


def _ranking_points(rank: MutualRank | None, weight: float) -> float:
    # Both ranks given: the ranking is mutual.
    if rank is None or rank.founder_rank is None or rank.counterpart_rank is None:
        return 0.0
    return weight * (1.0 / rank.founder_rank + 1.0 / rank.counterpart_rank) / 2.0


def _ranking_reason(rank: MutualRank | None, kind: str, weight: float) -> tuple[float, str]:
    """The points a mutual ranking after office hours earns, and the reason that says so;
    (0.0, "") when it earns none."""
    points = _ranking_points(rank, weight)
    if not points or rank is None:
        return 0.0, ""
    return points, (
        f"office hours: founders ranked {kind} #{rank.founder_rank}, "
        f"{kind} ranked venture #{rank.counterpart_rank}"
    )


def _stage_ok(venture: VentureFacts, counterpart: CounterpartFacts) -> bool:
    return not counterpart.stages or venture.stage.lower() in _fold(counterpart.stages)


def _joined(values: Iterable[str]) -> str:
    return ", ".join(values)


def _needs_met(venture: VentureFacts, counterpart: CounterpartFacts) -> list[str]:
    """A reason for each of the venture's needs that the counterpart meets."""
    role = "partner offers" if counterpart.kind == "partner" else counterpart.kind
    reasons = []
    for need in venture.needs:
        evidence = _evidence(need, counterpart)
        if evidence is not None:
            reasons.append(f"needs: {need.lower()}; {role}: {evidence}")
    return reasons


def score(
    venture: VentureFacts,
    counterpart: CounterpartFacts,
    rankings: Rankings,
    weights: MatchWeights,
) -> Scored:
    """One pair's score with its reasons in plain words; `score_all` gives the same numbers."""
    reasons = _needs_met(venture, counterpart)
    total = 0.0
    if venture.needs:
        total += weights.needs * len(reasons) / len(venture.needs)

    areas = _fold(counterpart.challenge_areas)
    if venture.challenge_area and venture.challenge_area.strip().lower() in areas:
        total += weights.challenge_area
        reasons.append(f"challenge area: {venture.challenge_area}")

    eligible = _stage_ok(venture, counterpart)
    if counterpart.stages:
        if eligible:
            total += weights.stage
            reasons.append(f"stage: invests at {venture.stage}")
        else:
            reasons.append(
                f"stage: invests at {_joined(counterpart.stages)}, not at {venture.stage}"
            )

    offered = areas | _fold(counterpart.tags)
    impact = [area for area in venture.impact_areas if area.strip().lower() in offered]
    if venture.impact_areas and impact:
        total += weights.impact * len(impact) / len(venture.impact_areas)
        reasons.append(f"impact: {_joined(impact)}")

    venture_places = _fold(venture.neighbourhoods)
    counterpart_places = _fold(counterpart.neighbourhoods)
    if _neighbourhoods_meet(venture_places, counterpart_places):
        total += weights.neighbourhood
        shared = [n for n in venture.neighbourhoods if n.strip().lower() in counterpart_places]
        reasons.append(f"neighbourhood: {_joined(shared) or 'citywide'}")

    spoken = _fold(counterpart.languages)
    languages = [language for language in venture.languages if language.lower() in spoken]
    if languages:
        total += weights.language
        reasons.append(f"language: {_joined(languages)}")

    rank = rankings.get((venture.id, counterpart.key))
    points, ranked = _ranking_reason(rank, counterpart.kind, weights.ranking)
    if points:
        total += points
        reasons.append(ranked)
    if not eligible:
        return Scored(0.0, reasons, eligible=False)
    return Scored(total, reasons)


def check_facts(ventures: Sequence[VentureFacts], counterparts: Sequence[CounterpartFacts]):
    """Refuse input no matching can use, saying what to fix."""
    if not ventures:
        raise InvalidInput("The cohort has no active ventures to match.")
    for venture in ventures:
        if not [need for need in venture.needs if need.strip()]:
            raise InvalidInput(f"Add needs to {venture.name}'s profile before matching.")
    kind = counterparts[0].kind if counterparts else "counterpart"
    if not counterparts:
        raise InvalidInput("There is no one to match with: no profile is open to ventures.")
    for counterpart in counterparts:
        if counterpart.capacity < 0:
            raise InvalidInput(f"{counterpart.name}'s capacity cannot be negative.")
    if all(counterpart.capacity == 0 for counterpart in counterparts):
        raise InvalidInput(
            f"Every {kind} has capacity 0: raise someone's capacity before matching."
        )


def _multi_hot(rows: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(rows), len(vocabulary)), dtype=np.float64)
    for row, values in enumerate(rows):
        for value in values:
            column = vocabulary.get(value)
            if column is not None:
                matrix[row, column] = 1.0
    return matrix


def _vocabulary(*groups: Iterable[Iterable[str]]) -> dict[str, int]:
    words: dict[str, int] = {}
    for group in groups:
        for values in group:
            for value in values:
                words.setdefault(value, len(words))
    return words


def score_all(
    ventures: Sequence[VentureFacts],
    counterparts: Sequence[CounterpartFacts],
    rankings: Rankings,
    weights: MatchWeights | None = None,
) -> ScoreTable:
    """Every pair's score as `score` computes it, vectorised; weights from config if None.

    Raises InvalidInput for an empty cohort, a venture without needs, no counterparts or
    capacity 0 for everyone. Ineligible pairs score -inf.
    """
    check_facts(ventures, counterparts)
    weights = weights or weights_from_config()
    ventures, counterparts = list(ventures), list(counterparts)

    need_rows = [[need.strip().lower() for need in v.needs if need.strip()] for v in ventures]
    needs = _vocabulary(need_rows)
    wanted = _multi_hot(need_rows, needs)
    covered = np.array(
        [[_evidence(need, c) is not None for need in needs] for c in counterparts],
        dtype=np.float64,
    ).reshape(len(counterparts), len(needs))
    counts = np.array([len(v.needs) for v in ventures], dtype=np.float64)
    table = weights.needs * (wanted @ covered.T) / counts[:, None]

    area_rows = [_fold(c.challenge_areas) for c in counterparts]
    venture_areas = [
        [v.challenge_area.strip().lower()] if v.challenge_area else [] for v in ventures
    ]
    areas = _vocabulary(venture_areas)
    table += weights.challenge_area * (
        _multi_hot(venture_areas, areas) @ _multi_hot(area_rows, areas).T
    )

    stages = _vocabulary([[v.stage.lower()] for v in ventures])
    venture_stage = _multi_hot([[v.stage.lower()] for v in ventures], stages)
    invests = venture_stage @ _multi_hot([_fold(c.stages) for c in counterparts], stages).T
    has_stages = np.array([bool(c.stages) for c in counterparts])
    table += weights.stage * invests * has_stages[None, :]
    eligible = ~has_stages[None, :] | (invests > 0)

    impact_rows = [[a.strip().lower() for a in v.impact_areas] for v in ventures]
    impacts = _vocabulary(impact_rows)
    offered = [area_rows[n] | _fold(c.tags) for n, c in enumerate(counterparts)]
    impact_counts = np.array([max(len(v.impact_areas), 1) for v in ventures], dtype=np.float64)
    table += (
        weights.impact
        * (_multi_hot(impact_rows, impacts) @ _multi_hot(offered, impacts).T)
        / impact_counts[:, None]
    )

    venture_places = [_fold(v.neighbourhoods) for v in ventures]
    counterpart_places = [_fold(c.neighbourhoods) for c in counterparts]
    places = _vocabulary(venture_places)
    shared = _multi_hot(venture_places, places) @ _multi_hot(counterpart_places, places).T > 0
    venture_any = np.array([bool(p) for p in venture_places])
    venture_city = np.array([CITYWIDE in p for p in venture_places])
    counterpart_any = np.array([bool(p) for p in counterpart_places])
    counterpart_city = np.array([CITYWIDE in p for p in counterpart_places])
    meet = (
        shared
        | (venture_city[:, None] & counterpart_any[None, :])
        | (venture_any[:, None] & counterpart_city[None, :])
    )
    table += weights.neighbourhood * meet

    spoken_rows = [[language.lower() for language in v.languages] for v in ventures]
    languages = _vocabulary(spoken_rows)
    speak = (
        _multi_hot(spoken_rows, languages)
        @ _multi_hot([_fold(c.languages) for c in counterparts], languages).T
    )
    table += weights.language * (speak > 0)

    if rankings:
        row_of = {v.id: row for row, v in enumerate(ventures)}
        column_of = {c.key: column for column, c in enumerate(counterparts)}
        for (venture_id, key), rank in rankings.items():
            row, column = row_of.get(venture_id), column_of.get(key)
            if row is not None and column is not None:
                table[row, column] += _ranking_points(rank, weights.ranking)

    table = np.where(eligible, table, -np.inf)
    return ScoreTable(ventures, counterparts, rankings, weights, table)


# Assignment ------------------------------------------------------------------------------


def _places(
    scores: np.ndarray, capacities: Sequence[int], min_per_venture: int, max_per_venture: int
) -> np.ndarray:
    """Checks the table's shape, the bounds and the capacities; returns each counterpart's
    places (a copy, to count down)."""
    ventures, counterparts = scores.shape
    if ventures == 0:
        raise InvalidInput("The cohort has no active ventures to match.")
    if len(capacities) != counterparts:
        raise InvalidInput("There must be one capacity for each counterpart.")
    if min_per_venture < 0 or max_per_venture < 1 or max_per_venture < min_per_venture:
        raise InvalidInput(
            "The bounds per venture must satisfy 0 <= minimum <= maximum and maximum >= 1."
        )
    left = np.asarray(capacities, dtype=np.int64).copy()
    if (left < 0).any():
        raise InvalidInput("A capacity cannot be negative.")
    if left.sum() == 0:
        raise InvalidInput("Every counterpart has capacity 0: raise a capacity before matching.")
    if left.sum() < ventures * min_per_venture:
        raise InvalidInput(
            f"{ventures} ventures need at least {min_per_venture} each "
            f"({ventures * min_per_venture} in all) but there are only {left.sum()} places: "
            "raise capacities or lower the minimum."
        )
    return left


def _bounds_per_venture(
    scores: np.ndarray,
    capacities: Sequence[int],
    min_per_venture: int,
    max_per_venture: int,
    pinned: Iterable[tuple[int, int]],
    forbidden: Iterable[tuple[int, int]],
):
    """Checks the input; returns the pinned pairs, what is left to fill and what is allowed."""
    ventures = scores.shape[0]
    left = _places(scores, capacities, min_per_venture, max_per_venture)
    allowed = np.isfinite(scores)
    for venture, counterpart in forbidden:
        allowed[venture, counterpart] = False
    pinned = sorted(set(pinned))
    lower = np.full(ventures, min_per_venture, dtype=np.int64)
    upper = np.full(ventures, max_per_venture, dtype=np.int64)
    for venture, counterpart in pinned:
        if not allowed[venture, counterpart]:
            raise InvalidInput("A pinned pair is forbidden or ineligible; unpin it or allow it.")
        allowed[venture, counterpart] = False
        left[counterpart] -= 1
        upper[venture] -= 1
        lower[venture] -= 1
    if (left < 0).any():
        raise InvalidInput("More pairs are pinned to a counterpart than its capacity allows.")
    if (upper < 0).any():
        raise InvalidInput(f"More than {max_per_venture} pairs are pinned to one venture.")
    allowed[:, left == 0] = False
    return pinned, np.maximum(lower, 0), upper, left, allowed


def _minimum_unmet(min_per_venture: int) -> InvalidInput:
    return InvalidInput(
        f"The minimum of {min_per_venture} per venture cannot be met with these capacities, "
        "eligibility rules and exclusions: lower the minimum or raise capacities."
    )


def _solve_expanded(scores, lower, upper, left, allowed, min_per_venture):
    """linear_sum_assignment over venture seats x counterpart places, plus a dummy per seat.

    Called only when no venture can meet a counterpart twice (every venture has at most one
    seat, or every counterpart at most one place), so assignments of seats to places are
    exactly the feasible matchings. A venture's first `lower` seats earn a bonus larger
    than any difference in total score, so seats that must be filled are filled first.
    """
    seat_venture = np.repeat(np.arange(len(upper)), upper)
    seat_number = (
        np.concatenate([np.arange(count) for count in upper])
        if len(upper)
        else np.zeros(0, dtype=np.int64)
    )
    mandatory = seat_number < lower[seat_venture]
    place_counterpart = np.repeat(np.arange(len(left)), left)
    finite = np.where(allowed, scores, 0.0)
    bonus = 2.0 * np.abs(finite).max(axis=1).sum() + 1.0
    profit = finite[np.ix_(seat_venture, place_counterpart)] + bonus * mandatory[:, None]
    profit[~allowed[np.ix_(seat_venture, place_counterpart)]] = -np.inf
    seats = len(seat_venture)
    cost = np.empty((seats, len(place_counterpart) + seats))
    np.negative(profit, out=cost[:, : len(place_counterpart)])
    cost[:, len(place_counterpart) :] = 0.0
    rows, columns = linear_sum_assignment(cost)
    real = columns < len(place_counterpart)
    if mandatory[rows[~real]].any():
        raise _minimum_unmet(min_per_venture)
    return list(
        zip(
            seat_venture[rows[real]].tolist(),
            place_counterpart[columns[real]].tolist(),
            strict=True,
        )
    )


def _solve_flow(scores, lower, upper, left, allowed, min_per_venture):
    """The same problem as a 0-1 program over venture-counterpart pairs, solved by HiGHS.

    Its constraints (per venture lower <= pairs <= upper, per counterpart pairs <= places)
    form the incidence matrix of a bipartite graph, which is totally unimodular: the linear
    relaxation already has an integral optimum, so this is a min-cost flow in LP form and
    HiGHS solves it at the root.
    """
    rows, columns = np.nonzero(allowed)
    if len(rows) == 0:
        if lower.any():
            raise _minimum_unmet(min_per_venture)
        return []
    count = len(rows)
    ventures, counterparts = scores.shape
    by_venture = sparse.csr_matrix(
        (np.ones(count), (rows, np.arange(count))), shape=(ventures, count)
    )
    by_counterpart = sparse.csr_matrix(
        (np.ones(count), (columns, np.arange(count))), shape=(counterparts, count)
    )
    result = milp(
        -scores[rows, columns],
        constraints=[
            LinearConstraint(by_venture, lower, upper),
            LinearConstraint(by_counterpart, 0, left),
        ],
        integrality=np.ones(count),
        bounds=Bounds(0, 1),
    )
    if result.status != 0 or result.x is None:
        raise _minimum_unmet(min_per_venture)
    chosen = result.x > 0.5
    return list(zip(rows[chosen].tolist(), columns[chosen].tolist(), strict=True))


def _drop_pointless(pairs, scores, min_per_venture, pinned):
    """Keep a pair scoring 0 or less only where it is needed to reach the minimum."""
    keep = set(pinned)
    by_venture: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        by_venture[pair[0]].append(pair)
    result = []
    for chosen in by_venture.values():
        # Worst first, so a pair scoring below 0 goes before one scoring exactly 0.
        chosen.sort(key=lambda pair: scores[pair])
        extra = len(chosen) - min_per_venture
        kept = []
        for pair in chosen:
            if extra > 0 and scores[pair] <= 0 and pair not in keep:
                extra -= 1
            else:
                kept.append(pair)
        chosen = kept
        result.extend(chosen)
    return result


def assign(
    scores: np.ndarray,
    capacities: Sequence[int],
    min_per_venture: int,
    max_per_venture: int,
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
) -> Assignment:
    """The assignment of greatest total score (ventures x counterparts; -inf: ineligible).

    Each counterpart gets at most its capacity, each venture between the minimum and the
    maximum counterparts, none twice; pinned pairs are kept, forbidden ones never made.
    Pairs scoring 0 or less are made only to reach the minimum. Raises InvalidInput when
    there are no ventures, every capacity is 0 or the minimum cannot be met.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2:
        raise InvalidInput("Scores must be a table of ventures by counterparts.")
    pinned, lower, upper, left, allowed = _bounds_per_venture(
        scores, capacities, min_per_venture, max_per_venture, pinned, forbidden
    )
    if upper.max(initial=0) <= 1 or left.max(initial=0) <= 1:
        solve = _solve_expanded
    else:
        solve = _solve_flow
    pairs = solve(scores, lower, upper, left, allowed, min_per_venture) + pinned
    pairs = sorted(_drop_pointless(pairs, scores, min_per_venture, pinned))
    return Assignment(pairs, _total(pairs, scores))


def _total(pairs: Iterable[tuple[int, int]], scores: np.ndarray | None) -> float:
    if scores is None:
        return 0.0
    return float(math.fsum(float(scores[pair]) for pair in pairs))


def greedy(
    scores: np.ndarray,
    capacities: Sequence[int],
    min_per_venture: int,
    max_per_venture: int,
) -> Assignment:
    """Best pair first, after one round per required seat; for comparison in tests only."""
    scores = np.asarray(scores, dtype=np.float64)
    ventures, counterparts = scores.shape
    left = list(capacities)
    held = [0] * ventures
    chosen: set[tuple[int, int]] = set()

    def take(venture: int, counterpart: int) -> None:
        chosen.add((venture, counterpart))
        held[venture] += 1
        left[counterpart] -= 1

    for _ in range(min_per_venture):
        for venture in range(ventures):
            options = [
                (scores[venture, c], c)
                for c in range(counterparts)
                if left[c] > 0 and (venture, c) not in chosen and np.isfinite(scores[venture, c])
            ]
            if options and held[venture] < max_per_venture:
                take(venture, max(options)[1])
    order = np.dstack(np.unravel_index(np.argsort(-scores, axis=None), scores.shape))[0]
    for venture, counterpart in order.tolist():
        score_ = scores[venture, counterpart]
        if not np.isfinite(score_) or score_ <= 0:
            break
        if (
            held[venture] < max_per_venture
            and left[counterpart] > 0
            and (venture, counterpart) not in chosen
        ):
            take(venture, counterpart)
    pairs = sorted(chosen)
    return Assignment(pairs, _total(pairs, scores))


# Stable matching ------------------------------------------------------------------------


def preferences(table: ScoreTable) -> Preferences:
    """Each side's list, best first: whom it ranked after office hours, then the rest by score.

    A pair is acceptable to a side when that side ranked the other or the pair scores above 0,
    and never when the pair is ineligible.
    """
    founder_ranks: dict[int, dict[int, int]] = defaultdict(dict)
    counterpart_ranks: dict[int, dict[int, int]] = defaultdict(dict)
    row_of = {v.id: row for row, v in enumerate(table.ventures)}
    column_of = {c.key: column for column, c in enumerate(table.counterparts)}
    for (venture_id, key), rank in table.rankings.items():
        row, column = row_of.get(venture_id), column_of.get(key)
        if row is None or column is None:
            continue
        if rank.founder_rank is not None:
            founder_ranks[row][column] = rank.founder_rank
        if rank.counterpart_rank is not None:
            counterpart_ranks[column][row] = rank.counterpart_rank
    scores = table.scores

    def ordered(line: np.ndarray, ranked: dict[int, int]) -> list[int]:
        candidates = [
            other
            for other in range(len(line))
            if np.isfinite(line[other]) and (other in ranked or line[other] > 0)
        ]
        return sorted(
            candidates,
            key=lambda other: (
                0 if other in ranked else 1,
                ranked.get(other, 0),
                -line[other],
                other,
            ),
        )

    return Preferences(
        [ordered(scores[row], founder_ranks[row]) for row in range(scores.shape[0])],
        [
            ordered(scores[:, column], counterpart_ranks[column])
            for column in range(scores.shape[1])
        ],
    )


def stable(
    venture_prefs: Sequence[Sequence[int]],
    counterpart_prefs: Sequence[Sequence[int]],
    capacities: Sequence[int],
    max_per_venture: int,
    scores: np.ndarray | None = None,
) -> Assignment:
    """Deferred acceptance with ventures proposing: no pair would rather be together.

    Ventures propose down their lists (up to max_per_venture held at once); a counterpart
    holds its best proposals up to its capacity and releases the worst when a better one
    comes. The total is computed from `scores` when given.
    """
    if max_per_venture < 1:
        raise InvalidInput("The maximum per venture must be at least 1.")
    if any(capacity < 0 for capacity in capacities):
        raise InvalidInput("A capacity cannot be negative.")
    rank_of = [{venture: place for place, venture in enumerate(line)} for line in counterpart_prefs]
    following = [0] * len(venture_prefs)
    held_count = [0] * len(venture_prefs)
    # Per counterpart a heap of (-rank, venture): the worst held proposal on top.
    held: list[list[tuple[int, int]]] = [[] for _ in counterpart_prefs]
    waiting = deque(range(len(venture_prefs)))
    queued = [True] * len(venture_prefs)
    while waiting:
        venture = waiting.popleft()
        queued[venture] = False
        line = venture_prefs[venture]
        while held_count[venture] < max_per_venture and following[venture] < len(line):
            counterpart = line[following[venture]]
            following[venture] += 1
            rank = rank_of[counterpart].get(venture)
            if rank is None or capacities[counterpart] == 0:
                continue
            heap = held[counterpart]
            if len(heap) < capacities[counterpart]:
                heapq.heappush(heap, (-rank, venture))
                held_count[venture] += 1
            elif -heap[0][0] > rank:
                _, released = heapq.heapreplace(heap, (-rank, venture))
                held_count[venture] += 1
                held_count[released] -= 1
                if not queued[released]:
                    waiting.append(released)
                    queued[released] = True
    pairs = sorted(
        (venture, counterpart) for counterpart, heap in enumerate(held) for _, venture in heap
    )
    return Assignment(pairs, _total(pairs, scores))


def _rank_matrix(prefs: Sequence[Sequence[int]], others: int) -> np.ndarray:
    matrix = np.full((len(prefs), others), np.inf)
    for row, line in enumerate(prefs):
        if line:
            matrix[row, list(line)] = np.arange(len(line))
    return matrix


def blocking_pairs(
    pairs: Iterable[tuple[int, int]],
    venture_prefs: Sequence[Sequence[int]],
    counterpart_prefs: Sequence[Sequence[int]],
    capacities: Sequence[int],
    max_per_venture: int,
) -> int:
    """How many unmatched pairs would both rather be together than with what they have.

    A side wants the other when it lists it and has a free place or lists it above the
    worst of its current matches.
    """
    ventures, counterparts = len(venture_prefs), len(counterpart_prefs)
    venture_rank = _rank_matrix(venture_prefs, counterparts)
    counterpart_rank = _rank_matrix(counterpart_prefs, ventures).T
    matched = np.zeros((ventures, counterparts), dtype=bool)
    for venture, counterpart in pairs:
        matched[venture, counterpart] = True

    def thresholds(ranks: np.ndarray, held: np.ndarray, places: np.ndarray) -> np.ndarray:
        worst = np.where(held, ranks, -np.inf).max(axis=0, initial=-np.inf)
        full = held.sum(axis=0) >= places
        return np.where(places <= 0, -np.inf, np.where(full, worst, np.inf))

    venture_limit = thresholds(venture_rank.T, matched.T, np.full(ventures, max_per_venture))
    counterpart_limit = thresholds(counterpart_rank, matched, np.asarray(capacities))
    wants = (venture_rank < venture_limit[:, None]) & (counterpart_rank < counterpart_limit)
    return int((wants & ~matched).sum())


# Loading from the database ---------------------------------------------------------------


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text)[:160]


def _headline(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def build_facts(cohort, kind: str) -> CohortFacts:
    """The cohort's active ventures, the counterparts of `kind` and the office-hours ranks.

    Four queries at most: ventures, counterparts, places already taken by introduced or
    accepted matches in other cohorts (they reduce capacity) and, for mentors, rankings.
    Mentors: active users with the mentor role whose profile is accepting. Funders: active
    users with a funder profile open to civic ventures. Partners: organisations with a
    partner profile.
    """
    from sqlalchemy import exists, func, select

    from incubator.extensions import db
    from incubator.models import (
        FunderProfile,
        Match,
        MatchKind,
        MentorProfile,
        OfficeHoursDay,
        OfficeHoursRanking,
        Organisation,
        PartnerProfile,
        User,
        UserRole,
        Venture,
    )
    from incubator.models.ventures import VentureStatus

    kind = MatchKind(kind)
    session = db.session
    venture_rows = session.scalars(
        select(Venture)
        .where(Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE)
        .order_by(Venture.name, Venture.id)
    ).all()
    ventures = [
        VentureFacts(
            id=v.id,
            name=v.name,
            needs=tuple(v.needs or ()),
            challenge_area=v.challenge_area or "",
            stage=v.stage or "",
            impact_areas=tuple(v.impact_areas or ()),
            neighbourhoods=tuple(v.neighbourhoods or ()),
            languages=tuple(v.languages or ()),
        )
        for v in venture_rows
    ]

    taken = dict(
        session.execute(
            select(Match.counterpart_key, func.count())
            .where(
                Match.kind == kind,
                Match.status.in_(("introduced", "accepted")),
                Match.cohort_id != cohort.id,
            )
            .group_by(Match.counterpart_key)
        ).all()
    )

    def room(key: str, capacity: int) -> int:
        return max(capacity - taken.get(key, 0), 0)

    def has_role(role: str):
        return exists().where(UserRole.user_id == User.id, UserRole.role == role)

    counterparts: list[CounterpartFacts] = []
    if kind is MatchKind.MENTOR:
        mentor_rows = session.execute(
            select(User.id, User.name, MentorProfile)
            .join(MentorProfile, MentorProfile.user_id == User.id)
            .where(User.active, MentorProfile.accepting, has_role("mentor"))
            .order_by(User.name, User.id)
        ).all()
        for user_id, name, profile in mentor_rows:
            key = f"user:{user_id}"
            counterparts.append(
                CounterpartFacts(
                    key=key,
                    name=name,
                    kind=kind.value,
                    capacity=room(key, profile.capacity),
                    tags=tuple(profile.expertise or ()),
                    challenge_areas=tuple(profile.challenge_areas or ()),
                    languages=tuple(profile.languages or ()),
                    headline=_headline(profile.organisation, _first_sentence(profile.bio)),
                )
            )
    elif kind is MatchKind.FUNDER:
        funder_rows = session.execute(
            select(User.id, User.name, FunderProfile)
            .join(FunderProfile, FunderProfile.user_id == User.id)
            .where(User.active, FunderProfile.open_to_civic, has_role("funder"))
            .order_by(User.name, User.id)
        ).all()
        for user_id, name, funder in funder_rows:
            key = f"user:{user_id}"
            focus = tuple(funder.focus_areas or ())
            counterparts.append(
                CounterpartFacts(
                    key=key,
                    name=name,
                    kind=kind.value,
                    capacity=room(key, funder.capacity),
                    tags=focus,
                    challenge_areas=focus,
                    stages=tuple(funder.stages or ()),
                    headline=_headline(funder.organisation, funder.funder_type.replace("_", " ")),
                )
            )
    else:
        partner_rows = session.execute(
            select(Organisation, PartnerProfile)
            .join(PartnerProfile, PartnerProfile.organisation_id == Organisation.id)
            .order_by(Organisation.name, Organisation.id)
        ).all()
        for organisation, partner in partner_rows:
            key = f"org:{organisation.id}"
            counterparts.append(
                CounterpartFacts(
                    key=key,
                    name=organisation.name,
                    kind=kind.value,
                    capacity=room(key, partner.capacity),
                    tags=tuple(partner.offers or ()),
                    challenge_areas=tuple(partner.challenge_areas or ()),
                    neighbourhoods=tuple(partner.neighbourhoods or ()),
                    headline=_first_sentence(organisation.description or ""),
                )
            )

    rankings: dict[tuple[int, str], MutualRank] = {}
    if kind is MatchKind.MENTOR and ventures:
        ranks = session.execute(
            select(
                OfficeHoursRanking.venture_id,
                OfficeHoursRanking.mentor_id,
                OfficeHoursRanking.side,
                func.min(OfficeHoursRanking.rank),
            )
            .join(OfficeHoursDay, OfficeHoursDay.id == OfficeHoursRanking.day_id)
            .where(OfficeHoursDay.cohort_id == cohort.id)
            .group_by(
                OfficeHoursRanking.venture_id,
                OfficeHoursRanking.mentor_id,
                OfficeHoursRanking.side,
            )
        ).all()
        sides: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
        for venture_id, mentor_id, side, rank in ranks:
            sides[(venture_id, f"user:{mentor_id}")][side] = rank
        rankings = {
            pair: MutualRank(found.get("founder"), found.get("mentor"))
            for pair, found in sides.items()
        }
    return CohortFacts(ventures, counterparts, rankings)
