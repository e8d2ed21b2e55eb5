"""Which ventures meet which counterparts, given every pair's score. Pure.

Plain values in, plain values out: a table of scores (ventures x counterparts, -inf where a
pair may never be made), each counterpart's capacity and the bounds per venture.

- `assign(scores, capacities, min_per_venture, max_per_venture, pinned=(), forbidden=())
  -> Assignment`: the assignment of greatest total score (scipy's linear_sum_assignment
  when nobody can meet anyone twice, OR-Tools' min-cost flow otherwise).
- `preferences(table, excluded=()) -> Preferences`, `stable(venture_prefs, counterpart_prefs,
  capacities, max_per_venture, scores=None) -> Assignment` and `blocking_pairs(...) -> int`:
  the stable option, and the count that shows the manager what the optimal one gives up.
- `rounding_bound(scores, capacities, max_per_venture) -> float`: how far below the best
  the min-cost flow's total may be, its scores rounded to whole costs (at most 1e-4).
- `feasibility(scores, capacities, min_per_venture, max_per_venture, pinned=(), forbidden=())
  -> Feasibility`: asked before solving: can the minimum be met, the numbers that say why,
  and the minimum or the places per counterpart that would work.
- `feasibility_by_class(eligible, venture_class, counterpart_class, capacities, ...)`: the
  same answer from which classes of venture and counterpart may meet, with no score table
  and a flow that does not grow with the number of pairs (what the run form offers).
- `options(table, ...) -> dict[str, Option]`: both methods side by side, as a run offers them.
- `draft_blocking_pairs(table, pairs, ...)`: the same count for a draft as the manager edited it.
- `greedy(...)`: best pair first, the baseline the tests compare the optimum with.

Input no assignment can satisfy raises `Unmatchable`, whose message says what to fix.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from incubator.services.matching.scoring import N_, ScoreTable, Unmatchable

# The solvers (scipy's linear_sum_assignment, OR-Tools' flows) are imported in the functions
# that solve, not here: every page imports this module through its blueprint, and scipy.optimize
# and OR-Tools cost each gunicorn worker about 80 MB that only solving needs (a run of
# matching; the run form's room, which loads OR-Tools' maximum flow alone, about 26 MB).


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


# Optimal assignment ----------------------------------------------------------------------


def _check_bounds(shape: tuple[int, ...], capacities: Sequence[int], low: int, high: int) -> None:
    """Refuse a table (of this shape) with no ventures, capacities that do not fit it, bounds
    out of order and negative capacities: input no question of room can be asked of."""
    ventures, counterparts = shape
    if ventures == 0:
        raise Unmatchable(N_("The cohort has no active ventures to match."))
    if len(capacities) != counterparts:
        raise Unmatchable(N_("There must be one capacity for each counterpart."))
    if low < 0 or high < 1 or high < low:
        raise Unmatchable(
            N_("The bounds per venture must satisfy 0 <= minimum <= maximum and maximum >= 1.")
        )
    if any(capacity < 0 for capacity in capacities):
        raise Unmatchable(N_("A capacity cannot be negative."))


def _places(
    scores: np.ndarray, capacities: Sequence[int], min_per_venture: int, max_per_venture: int
) -> np.ndarray:
    """Checks the table's shape, the bounds and the capacities; returns each counterpart's
    places (a copy, to count down)."""
    _check_bounds(scores.shape, capacities, min_per_venture, max_per_venture)
    ventures = scores.shape[0]
    left = np.asarray(capacities, dtype=np.int64).copy()
    if left.sum() == 0:
        raise Unmatchable(N_("Every counterpart has capacity 0: raise a capacity before matching."))
    if left.sum() < ventures * min_per_venture:
        raise Unmatchable(
            N_(
                "Places needed: %(needed)s (at least %(minimum)s for each venture); places "
                "left: %(places)s. Raise capacities or lower the minimum."
            ),
            needed=ventures * min_per_venture,
            minimum=min_per_venture,
            places=int(left.sum()),
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
    left = _places(scores, capacities, min_per_venture, max_per_venture)
    return _without_pins(scores, left, min_per_venture, max_per_venture, pinned, forbidden)


def _without_pins(
    scores: np.ndarray,
    left: np.ndarray,
    min_per_venture: int,
    max_per_venture: int,
    pinned: Iterable[tuple[int, int]],
    forbidden: Iterable[tuple[int, int]],
):
    """The pinned pairs taken out: each venture's seats still to fill (lower, upper), each
    counterpart's places left, and which pairs may still be made."""
    ventures = scores.shape[0]
    allowed = np.isfinite(scores)
    for venture, counterpart in forbidden:
        allowed[venture, counterpart] = False
    pinned = sorted(set(pinned))
    lower = np.full(ventures, min_per_venture, dtype=np.int64)
    upper = np.full(ventures, max_per_venture, dtype=np.int64)
    for venture, counterpart in pinned:
        if not allowed[venture, counterpart]:
            raise Unmatchable(N_("A pinned pair is forbidden or ineligible; unpin it or allow it."))
        allowed[venture, counterpart] = False
        left[counterpart] -= 1
        upper[venture] -= 1
        lower[venture] -= 1
    if (left < 0).any():
        raise Unmatchable(N_("More pairs are pinned to a counterpart than its capacity allows."))
    if (upper < 0).any():
        raise Unmatchable(
            N_("More than %(most)s pairs are pinned to one venture."), most=max_per_venture
        )
    allowed[:, left == 0] = False
    return pinned, np.maximum(lower, 0), upper, left, allowed


def _minimum_unmet(min_per_venture: int) -> Unmatchable:
    return Unmatchable(
        N_(
            "The minimum of %(minimum)s per venture cannot be met with these capacities, "
            "eligibility rules and exclusions: lower the minimum or raise capacities."
        ),
        minimum=min_per_venture,
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
    from scipy.optimize import linear_sum_assignment  # lazily: see the imports above

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


# The flow's costs are whole numbers: each score times a power of two, rounded. Rounding
# moves a pair's cost by at most half a unit, and an assignment holds at most K pairs (the
# seats to fill or the places, whichever are fewer), so the rounded total of any assignment
# is within K / (2 * scale) of its true total. The flow maximises the rounded total, so its
# assignment's true total is at most K / scale below the best: the scale is chosen to make
# that at most ROUNDING_TOLERANCE (`rounding_bound` gives the bound of an instance).
# 1e-4 is below what a run shows (totals to three decimals) and keeps the costs small enough
# for OR-Tools' cost scaling to need few rounds.
ROUNDING_TOLERANCE = 1e-4


def _cost_scale(largest: float, pairs_at_most: int, nodes: int) -> float:
    """The power of two the scores are multiplied by before rounding.

    Large enough for `pairs_at_most / scale <= ROUNDING_TOLERANCE`, and small enough that
    OR-Tools' cost scaling (every cost times nodes + 1, potentials up to a few times nodes
    that) stays inside 64 bits; the second wins only far beyond a cohort's size.
    """
    wanted = math.ceil(math.log2(max(pairs_at_most, 1) / ROUNDING_TOLERANCE))
    if largest <= 0:
        return 2.0**wanted
    allowed = math.floor(math.log2(2.0**60 / (nodes + 1) ** 2 / largest))
    return 2.0 ** min(wanted, allowed)


def _flow_shape(upper: np.ndarray, left: np.ndarray) -> tuple[int, int]:
    """The most pairs an assignment can hold, and the number of nodes of its flow."""
    return int(min(upper.sum(), left.sum())), len(upper) + len(left) + 2


def rounding_bound(scores: np.ndarray, capacities: Sequence[int], max_per_venture: int) -> float:
    """How far below the best total `assign` may be, at most, when it solves a min-cost flow
    (the scores rounded to whole costs); 0 where no venture can meet a counterpart twice,
    which is solved on the scores as they are."""
    scores = np.asarray(scores, dtype=np.float64)
    upper = np.full(scores.shape[0], max_per_venture, dtype=np.int64)
    left = np.asarray(capacities, dtype=np.int64)
    if max_per_venture <= 1 or left.max(initial=0) <= 1:
        return 0.0
    finite = scores[np.isfinite(scores)]
    pairs_at_most, nodes = _flow_shape(upper, left)
    scale = _cost_scale(float(np.abs(finite).max(initial=0.0)), pairs_at_most, nodes)
    return pairs_at_most / scale


def _solve_flow(scores, lower, upper, left, allowed, min_per_venture):
    """The same problem as a min-cost flow, solved exactly by OR-Tools' SimpleMinCostFlow.

    Nodes: the ventures, the counterparts, a source and a sink. A venture supplies the seats
    it must fill (`lower`) and may take up to `upper - lower` more from the source; each
    allowed pair is an arc of capacity 1 costing minus its score; a counterpart passes up to
    its places to the sink; the source's unused seats go straight to the sink at no cost.
    The minimum is met exactly when the supplies can all reach the sink, so an infeasible
    flow is the unmet minimum. Scores become whole costs (see ROUNDING_TOLERANCE).
    """
    rows, columns = np.nonzero(allowed)
    if len(rows) == 0:
        if lower.any():
            raise _minimum_unmet(min_per_venture)
        return []
    ventures, counterparts = scores.shape
    source, sink = ventures + counterparts, ventures + counterparts + 1
    pairs_at_most, nodes = _flow_shape(upper, left)
    chosen_scores = scores[rows, columns]
    scale = _cost_scale(float(np.abs(chosen_scores).max()), pairs_at_most, nodes)
    optional = upper - lower
    from ortools.graph.python import min_cost_flow  # lazily: see the imports above

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(
            [rows, ventures + np.arange(counterparts), np.full(ventures, source), [source]]
        ).astype(np.int32),
        np.concatenate(
            [ventures + columns, np.full(counterparts, sink), np.arange(ventures), [sink]]
        ).astype(np.int32),
        np.concatenate([np.ones(len(rows)), left, optional, [optional.sum()]]).astype(np.int64),
        np.concatenate(
            [np.rint(-chosen_scores * scale), np.zeros(counterparts + ventures + 1)]
        ).astype(np.int64),
    )
    supplies = np.zeros(nodes, dtype=np.int64)
    supplies[:ventures] = lower
    supplies[source] = optional.sum()
    supplies[sink] = -upper.sum()
    flow.set_nodes_supplies(np.arange(nodes, dtype=np.int32), supplies)
    status = flow.solve()
    if status == flow.INFEASIBLE:
        raise _minimum_unmet(min_per_venture)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"the min-cost flow was not solved: {status.name}")
    chosen = np.asarray(flow.flows(np.asarray(arcs, dtype=np.int32)[: len(rows)])) > 0
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
    Pairs scoring 0 or less are made only to reach the minimum. Raises Unmatchable when
    there are no ventures, every capacity is 0 or the minimum cannot be met.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2:
        raise Unmatchable(N_("Scores must be a table of ventures by counterparts."))
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


# Room: can the minimum be met? ----------------------------------------------------------


@dataclass(frozen=True)
class Feasibility:
    """Whether the bounds per venture can be met, with the numbers that say why and the
    values that would work.

    `needed` is the seats the minimum asks for beyond pinned pairs, `places` the counterparts'
    free places, `fillable` how many of those seats can be filled at once (less than `places`
    where eligibility or exclusions stand in the way). `best_minimum` is the highest minimum,
    up to the one asked, that can be met. `extra_places` is the fewest places to add to every
    counterpart for the asked minimum to be met, None when no number of places would do
    (a venture in `short` has fewer counterparts it may meet than its minimum).
    """

    ventures: int
    minimum: int
    needed: int
    places: int
    fillable: int
    best_minimum: int
    extra_places: int | None
    short: list[tuple[int, int]]  # (venture row, counterparts it may meet)

    @property
    def feasible(self) -> bool:
        return self.fillable >= self.needed


def _seats_filled(
    allowed: np.ndarray,
    lower: np.ndarray,
    left: np.ndarray,
    sizes: tuple[np.ndarray, np.ndarray] | None = None,
) -> int:
    """How many of the ventures' required seats can be filled at once: a maximum flow from
    ventures (lower each) through the pairs allowed (1 each) to counterparts (left each).

    With `sizes`, each row stands for that many ventures alike and each column for that
    many counterparts alike (`feasibility_by_class`): a row's arcs carry its ventures' seats,
    a pair of classes' arc one unit per pair, a column's its counterparts' places."""
    ventures, counterparts = allowed.shape
    in_row, in_column = sizes or (np.ones(ventures, np.int64), np.ones(counterparts, np.int64))
    sink = ventures + counterparts + 1
    rows, columns = np.nonzero(allowed)
    tails = np.concatenate(
        [np.zeros(ventures, dtype=np.int64), 1 + rows, 1 + ventures + np.arange(counterparts)]
    )
    heads = np.concatenate(
        [1 + np.arange(ventures), 1 + ventures + columns, np.full(counterparts, sink)]
    )
    capacities = np.concatenate(
        [in_row * lower, in_row[rows] * in_column[columns], in_column * left]
    )
    keep = capacities > 0
    if not keep.any():
        return 0
    from ortools.graph.python import max_flow  # lazily: see the imports above

    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(
        tails[keep].astype(np.int32), heads[keep].astype(np.int32), capacities[keep]
    )
    status = flow.solve(0, sink)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"the maximum flow was not solved: {status.name}")
    return int(flow.optimal_flow())


def feasibility(
    scores: np.ndarray,
    capacities: Sequence[int],
    min_per_venture: int,
    max_per_venture: int,
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
) -> Feasibility:
    """Whether `assign` can meet the minimum per venture, asked before solving, and what
    would work instead: a lower minimum, or more places for every counterpart.

    Exact: the minimum can be met exactly when a maximum flow fills every required seat.
    Raises Unmatchable only for input no question of room can be asked of (no ventures,
    bounds out of order, pins beyond a capacity).
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2:
        raise Unmatchable(N_("Scores must be a table of ventures by counterparts."))
    _check_bounds(scores.shape, capacities, min_per_venture, max_per_venture)
    left = np.asarray(capacities, dtype=np.int64).copy()
    pinned = sorted(set(pinned))
    _, lower, _, left, allowed = _without_pins(
        scores, left, min_per_venture, max_per_venture, pinned, forbidden
    )
    pins = np.bincount([v for v, _ in pinned], minlength=scores.shape[0])
    eligible = np.isfinite(scores)
    for venture, counterpart in [*forbidden, *pinned]:
        eligible[venture, counterpart] = False
    needed = int(lower.sum())
    fillable = _seats_filled(allowed, lower, left) if needed else 0
    best = min_per_venture
    # The asked minimum's seats are `lower`: lower minimums are tried only when it fails.
    if fillable < needed:
        best -= 1
        while best > 0 and _seats_filled(allowed, np.maximum(best - pins, 0), left) < int(
            np.maximum(best - pins, 0).sum()
        ):
            best -= 1
    options = eligible.sum(axis=1)
    short = [(int(v), int(options[v])) for v in np.flatnonzero(options < lower)]
    return Feasibility(
        ventures=scores.shape[0],
        minimum=min_per_venture,
        needed=needed,
        places=int(left.sum()),
        fillable=fillable,
        best_minimum=best,
        extra_places=None if short else _extra_places(eligible, lower, left, fillable),
        short=short,
    )


def _extra_places(
    eligible: np.ndarray,
    lower: np.ndarray,
    left: np.ndarray,
    filled: int,
    sizes: tuple[np.ndarray, np.ndarray] | None = None,
):
    """The fewest places to add to every counterpart so that every required seat can be
    filled (0 when it already can); every venture has enough counterparts it may meet.
    `sizes` as `_seats_filled` takes them."""
    needed = int(lower.sum()) if sizes is None else int((sizes[0] * lower).sum())
    if filled >= needed:
        return 0
    # With `needed` more places each, no counterpart is ever full: the answer is at most that.
    low, high = 1, needed
    while low < high:
        middle = (low + high) // 2
        if _seats_filled(eligible, lower, left + middle, sizes) >= needed:
            high = middle
        else:
            low = middle + 1
    return low


def _classes(keys: list[tuple[object, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Each item's class (items with equal keys share one, numbered as first seen) and the
    first item of each class."""
    numbers: dict[tuple[object, ...], int] = {}
    first: list[int] = []
    of_item = []
    for item, key in enumerate(keys):
        if key not in numbers:
            numbers[key] = len(first)
            first.append(item)
        of_item.append(numbers[key])
    return np.asarray(of_item, dtype=np.int64), np.asarray(first, dtype=np.int64)


def feasibility_by_class(
    eligible: np.ndarray,
    venture_class: Sequence[int],
    counterpart_class: Sequence[int],
    capacities: Sequence[int],
    min_per_venture: int,
    max_per_venture: int,
    pinned: Iterable[tuple[int, int]] = (),
    forbidden: Iterable[tuple[int, int]] = (),
) -> Feasibility:
    """`feasibility` of the table whose pair (venture v, counterpart c) may be made where
    `eligible[venture_class[v], counterpart_class[c]]`, without that table: the same answer
    from a flow over classes, whose size does not grow with the number of pairs.

    Ventures alike (one class, no pinned or forbidden pair) are one node, and so are
    counterparts alike (one class, as many places left, no pinned or forbidden pair); a
    venture or counterpart with such a pair is a node of its own. Every pair of two nodes may
    then be made, or none, and the maximum flow is the one over pairs: a flow over pairs
    summed by nodes is one over nodes, and one over nodes spread evenly over its pairs (at
    most one unit each) is a fractional flow over pairs of the same value, no more than the
    whole maximum (the constraints are totally unimodular).
    """
    eligible = np.asarray(eligible, dtype=bool)
    of_venture = np.asarray(venture_class, dtype=np.int64)
    of_counterpart = np.asarray(counterpart_class, dtype=np.int64)
    _check_bounds(
        (len(of_venture), len(of_counterpart)), capacities, min_per_venture, max_per_venture
    )
    left = np.asarray(capacities, dtype=np.int64).copy()
    forbidden = set(forbidden)
    pinned = sorted(set(pinned))
    pins = np.zeros(len(of_venture), dtype=np.int64)
    for venture, counterpart in pinned:
        if (venture, counterpart) in forbidden or not eligible[
            of_venture[venture], of_counterpart[counterpart]
        ]:
            raise Unmatchable(N_("A pinned pair is forbidden or ineligible; unpin it or allow it."))
        left[counterpart] -= 1
        pins[venture] += 1
    if (left < 0).any():
        raise Unmatchable(N_("More pairs are pinned to a counterpart than its capacity allows."))
    if (pins > max_per_venture).any():
        raise Unmatchable(
            N_("More than %(most)s pairs are pinned to one venture."), most=max_per_venture
        )
    excluded = forbidden | set(pinned)
    own_rows = {venture for venture, _ in excluded}
    own_columns = {counterpart for _, counterpart in excluded}
    row_of, first_in_row = _classes(
        [
            ("own", venture) if venture in own_rows else ("alike", kind)
            for venture, kind in enumerate(of_venture.tolist())
        ]
    )
    column_of, first_in_column = _classes(
        [
            ("own", counterpart) if counterpart in own_columns else ("alike", kind, places)
            for counterpart, (kind, places) in enumerate(
                zip(of_counterpart.tolist(), left.tolist(), strict=True)
            )
        ]
    )
    sizes = (np.bincount(row_of), np.bincount(column_of))
    allowed = eligible[np.ix_(of_venture[first_in_row], of_counterpart[first_in_column])]
    for venture, counterpart in excluded:
        allowed[row_of[venture], column_of[counterpart]] = False
    row_pins, column_left = pins[first_in_row], left[first_in_column]
    lower = np.maximum(min_per_venture - row_pins, 0)
    needed = int((sizes[0] * lower).sum())
    fillable = _seats_filled(allowed, lower, column_left, sizes) if needed else 0
    best = min_per_venture
    if fillable < needed:
        best -= 1
        while best > 0:
            seats = np.maximum(best - row_pins, 0)
            if _seats_filled(allowed, seats, column_left, sizes) >= int((sizes[0] * seats).sum()):
                break
            best -= 1
    options = allowed.astype(np.int64) @ sizes[1]
    short = [
        (int(venture), int(options[row_of[venture]]))
        for venture in np.flatnonzero((options < lower)[row_of])
    ]
    return Feasibility(
        ventures=len(of_venture),
        minimum=min_per_venture,
        needed=needed,
        places=int(left.sum()),
        fillable=fillable,
        best_minimum=best,
        extra_places=(
            None if short else _extra_places(allowed, lower, column_left, fillable, sizes)
        ),
        short=short,
    )


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


def _ranks(table: ScoreTable) -> tuple[np.ndarray, np.ndarray]:
    """The founders' ranks of counterparts and the counterparts' ranks of ventures after
    office hours, as ventures x counterparts tables; inf where a side ranked nobody."""
    shape = table.scores.shape
    founder, counterpart = np.full(shape, np.inf), np.full(shape, np.inf)
    row_of = {v.id: row for row, v in enumerate(table.ventures)}
    column_of = {c.key: column for column, c in enumerate(table.counterparts)}
    for (venture_id, key), rank in table.rankings.items():
        row, column = row_of.get(venture_id), column_of.get(key)
        if row is None or column is None:
            continue
        if rank.founder_rank is not None:
            founder[row, column] = rank.founder_rank
        if rank.counterpart_rank is not None:
            counterpart[row, column] = rank.counterpart_rank
    return founder, counterpart


# A side's lists as arrays: each row's columns best first, and how many of them it lists.
Lists = tuple[np.ndarray, np.ndarray]


def _lists(scores: np.ndarray, ranks: np.ndarray, excluded: np.ndarray) -> Lists:
    """Each row's acceptable columns, best first: those it ranked (by rank), then the rest by
    score, ties by position. Acceptable: ranked or scoring above 0, eligible, not excluded."""
    ranked = np.isfinite(ranks)
    acceptable = np.isfinite(scores) & (ranked | (scores > 0)) & ~excluded
    # lexsort's last key sorts first, and it is stable: equal keys keep their positions.
    order = np.lexsort(
        (
            np.where(acceptable, -scores, 0.0),
            np.where(ranked, ranks, 0.0),
            ~ranked,
            ~acceptable,
        ),
        axis=1,
    )
    return order, acceptable.sum(axis=1)


def _as_lists(lists: Lists) -> list[list[int]]:
    order, counts = lists
    return [line[:count] for line, count in zip(order.tolist(), counts.tolist(), strict=True)]


def _positions(lists: Lists) -> np.ndarray:
    """Where each column stands in its row's list (0 first); inf where it is not listed."""
    order, counts = lists
    places = np.broadcast_to(np.arange(order.shape[1], dtype=np.float64), order.shape)
    positions = np.full(order.shape, np.inf)
    np.put_along_axis(positions, order, np.where(places < counts[:, None], places, np.inf), 1)
    return positions


def _both_lists(table: ScoreTable, excluded: Iterable[tuple[int, int]]) -> tuple[Lists, Lists]:
    """The ventures' lists of counterparts and the counterparts' lists of ventures."""
    founder_ranks, counterpart_ranks = _ranks(table)
    scores = table.scores
    off = np.zeros(scores.shape, dtype=bool)
    for venture, counterpart in excluded:
        off[venture, counterpart] = True
    return (
        _lists(scores, founder_ranks, off),
        _lists(scores.T, counterpart_ranks.T, off.T),
    )


def preferences(table: ScoreTable, excluded: Iterable[tuple[int, int]] = ()) -> Preferences:
    """Each side's list, best first: whom it ranked after office hours, then the rest by score.

    A pair is acceptable to a side when that side ranked the other or the pair scores above 0,
    and never when the pair is ineligible or `excluded` (venture row, counterpart column).
    """
    ventures, counterparts = _both_lists(table, excluded)
    return Preferences(_as_lists(ventures), _as_lists(counterparts))


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
        raise Unmatchable(N_("The maximum per venture must be at least 1."))
    if any(capacity < 0 for capacity in capacities):
        raise Unmatchable(N_("A capacity cannot be negative."))
    ventures = len(venture_prefs)
    # Where each counterpart lists each venture (ventures x counterparts; inf: not listed).
    listed_at = _rank_matrix(counterpart_prefs, ventures).T
    # A counterpart holds a proposal it lists above its bar: inf while it has room, the
    # worst rank it holds once full, -inf with no places at all.
    bar = np.where(np.asarray(capacities) > 0, np.inf, -np.inf)
    lines = [np.asarray(line, dtype=np.int64) for line in venture_prefs]
    following = [0] * ventures
    held_count = [0] * ventures
    # Per counterpart a heap of (-rank, venture): the worst held proposal on top.
    held: list[list[tuple[float, int]]] = [[] for _ in counterpart_prefs]
    waiting = deque(range(ventures))
    queued = [True] * ventures
    while waiting:
        venture = waiting.popleft()
        queued[venture] = False
        line, ranks = lines[venture], listed_at[venture]
        while held_count[venture] < max_per_venture and following[venture] < len(line):
            # The proposals that would be refused at once are skipped together.
            rest = line[following[venture] :]
            held_by = np.flatnonzero(ranks[rest] < bar[rest])
            if len(held_by) == 0:
                following[venture] = len(line)
                break
            counterpart = int(rest[held_by[0]])
            following[venture] += int(held_by[0]) + 1
            heap = held[counterpart]
            if len(heap) < capacities[counterpart]:
                heapq.heappush(heap, (-ranks[counterpart], venture))
            else:
                _, released = heapq.heapreplace(heap, (-ranks[counterpart], venture))
                held_count[released] -= 1
                if not queued[released]:
                    waiting.append(released)
                    queued[released] = True
            held_count[venture] += 1
            if len(heap) == capacities[counterpart]:
                bar[counterpart] = -heap[0][0]
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
    return _blocking(
        pairs,
        _rank_matrix(venture_prefs, counterparts),
        _rank_matrix(counterpart_prefs, ventures).T,
        capacities,
        max_per_venture,
    )


def _blocking(
    pairs: Iterable[tuple[int, int]],
    venture_rank: np.ndarray,
    counterpart_rank: np.ndarray,
    capacities: Sequence[int],
    max_per_venture: int,
) -> int:
    """`blocking_pairs` from where each side lists the other (ventures x counterparts both,
    inf where not listed)."""
    ventures, counterparts = venture_rank.shape
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


# Both options, as a run offers them ---------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One method's assignment, and how many pairs would both rather be together than
    with what it gave them (0 for the stable option)."""

    method: str
    assignment: Assignment
    blocking_pairs: int


def stable_with_pins(
    prefs: Preferences,
    capacities: Sequence[int],
    max_per_venture: int,
    pinned: Sequence[tuple[int, int]],
    scores: np.ndarray,
) -> Assignment:
    """Deferred acceptance around the pinned pairs: they keep their places, the rest compete."""
    if not pinned:
        return stable(prefs.ventures, prefs.counterparts, capacities, max_per_venture, scores)
    left = list(capacities)
    for _, column in pinned:
        left[column] = max(left[column] - 1, 0)
    kept = set(pinned)
    pins_of: dict[int, set[int]] = defaultdict(set)
    for venture, column in kept:
        pins_of[venture].add(column)
    free_prefs = [
        [c for c in line if c not in pins_of[v]] if v in pins_of else line
        for v, line in enumerate(prefs.ventures)
    ]
    found = stable(free_prefs, prefs.counterparts, left, max_per_venture, scores)
    pairs = sorted(set(found.pairs) | kept)
    return Assignment(pairs, float(sum(scores[pair] for pair in pairs)))


def options(
    table: ScoreTable,
    min_per_venture: int,
    max_per_venture: int,
    pinned: Sequence[tuple[int, int]] = (),
    forbidden: Sequence[tuple[int, int]] = (),
) -> dict[str, Option]:
    """The optimal option and, where both sides ranked each other after office hours, the
    stable one; each keeps the pinned pairs and makes no forbidden one."""
    capacities = table.capacities
    venture_lists, counterpart_lists = _both_lists(table, forbidden)
    found = {
        "optimal": assign(
            table.scores, capacities, min_per_venture, max_per_venture, pinned, forbidden
        )
    }
    if any(rank.mutual for rank in table.rankings.values()):
        prefs = Preferences(_as_lists(venture_lists), _as_lists(counterpart_lists))
        found["stable"] = stable_with_pins(prefs, capacities, max_per_venture, pinned, table.scores)
    venture_rank, counterpart_rank = _positions(venture_lists), _positions(counterpart_lists).T
    return {
        method: Option(
            method,
            assignment,
            _blocking(
                assignment.pairs, venture_rank, counterpart_rank, capacities, max_per_venture
            ),
        )
        for method, assignment in found.items()
    }


def draft_blocking_pairs(
    table: ScoreTable,
    pairs: Iterable[tuple[int, int]],
    max_per_venture: int,
    forbidden: Iterable[tuple[int, int]] = (),
) -> int:
    """The blocking pairs of any set of pairs (a draft as the manager edited it), by the
    same preferences and capacities as `options` counts them."""
    venture_lists, counterpart_lists = _both_lists(table, forbidden)
    return _blocking(
        pairs,
        _positions(venture_lists),
        _positions(counterpart_lists).T,
        table.capacities,
        max_per_venture,
    )
