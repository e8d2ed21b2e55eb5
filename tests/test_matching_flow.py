"""The optimal assignment as a min-cost flow (OR-Tools) against the 0-1 program it replaced
(scipy's milp, kept here as the reference), and the preferences and scores built with arrays
against the per-pair loops they replaced, on random inputs."""

from __future__ import annotations

import heapq
import random
import re
from collections import defaultdict, deque

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from incubator.services.matching import scoring
from incubator.services.matching.assignment import (
    ROUNDING_TOLERANCE,
    Preferences,
    assign,
    blocking_pairs,
    draft_blocking_pairs,
    options,
    preferences,
    rounding_bound,
    stable,
)
from incubator.services.matching.scoring import (
    NEED_SYNONYMS,
    NEEDS_MET_BY_KIND,
    CounterpartFacts,
    MatchWeights,
    MutualRank,
    Unmatchable,
    VentureFacts,
    score_all,
)
from incubator.vocabulary import CHALLENGE_AREAS, IMPACT_AREAS, NEEDS
from tests.plugins.matching import random_preferences

WEIGHTS = MatchWeights()

# The references: what the code did before ----------------------------------------------------


def milp_optimum(scores, capacities, low, high, pinned=(), forbidden=()):
    """The best total as the 0-1 program over venture-counterpart pairs finds it (HiGHS),
    pinned pairs included; None when the bounds cannot be met."""
    ventures, counterparts = scores.shape
    allowed = np.isfinite(scores)
    for pair in forbidden:
        allowed[pair] = False
    lower = np.full(ventures, low)
    upper = np.full(ventures, high)
    left = np.array(capacities)
    for venture, counterpart in set(pinned):
        allowed[venture, counterpart] = False
        left[counterpart] -= 1
        lower[venture] -= 1
        upper[venture] -= 1
    lower = np.maximum(lower, 0)
    allowed[:, left == 0] = False
    pinned_total = sum(float(scores[pair]) for pair in set(pinned))
    rows, columns = np.nonzero(allowed)
    if len(rows) == 0:
        return None if lower.any() else pinned_total
    count = len(rows)
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
    if result.status != 0:
        return None
    return pinned_total - float(result.fun)


def loop_preferences(table, excluded=()) -> Preferences:
    """Each side's list built pair by pair, as before, with the excluded pairs taken out."""
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

    def ordered(line, ranked):
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

    excluded = set(excluded)
    ventures = [ordered(scores[row], founder_ranks[row]) for row in range(scores.shape[0])]
    counterparts = [
        ordered(scores[:, column], counterpart_ranks[column]) for column in range(scores.shape[1])
    ]
    return Preferences(
        [[c for c in line if (v, c) not in excluded] for v, line in enumerate(ventures)],
        [[v for v in line if (v, c) not in excluded] for c, line in enumerate(counterparts)],
    )


def proposal_by_proposal(venture_prefs, counterpart_prefs, capacities, most):
    """Deferred acceptance one proposal at a time, as before: the pairs it ends with."""
    rank_of = [{venture: place for place, venture in enumerate(line)} for line in counterpart_prefs]
    following = [0] * len(venture_prefs)
    held_count = [0] * len(venture_prefs)
    held: list[list[tuple[int, int]]] = [[] for _ in counterpart_prefs]
    waiting = deque(range(len(venture_prefs)))
    queued = [True] * len(venture_prefs)
    while waiting:
        venture = waiting.popleft()
        queued[venture] = False
        line = venture_prefs[venture]
        while held_count[venture] < most and following[venture] < len(line):
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
    return sorted((venture, c) for c, heap in enumerate(held) for _, venture in heap)


def word_by_word_evidence(need: str, counterpart: CounterpartFacts):
    """What meets a need, each synonym looked for on its own, as before."""

    def mentions(text: str, word: str) -> bool:
        return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None

    need = need.strip().lower()
    words = NEED_SYNONYMS.get(need, (need,))
    tag = next((tag for tag in counterpart.tags if any(mentions(tag, w) for w in words)), None)
    if tag is None and need not in NEEDS_MET_BY_KIND.get(counterpart.kind, ()):
        return None
    if counterpart.headline and any(mentions(counterpart.headline, w) for w in words):
        return counterpart.headline, False
    if tag is not None:
        return tag, False
    return counterpart.headline or counterpart.name, True


# Random inputs --------------------------------------------------------------------------------


def random_scores(rng: random.Random, ventures: int, counterparts: int) -> np.ndarray:
    """Scores with ties, zeros, negatives and ineligible (-inf) pairs."""
    values = [0.0, 1.0, 2.5, 5.0, -1.0]
    scores = np.array(
        [
            [
                rng.choice(values) if rng.random() < 0.3 else round(rng.uniform(-2, 12), 3)
                for _ in range(counterparts)
            ]
            for _ in range(ventures)
        ]
    )
    for _ in range(rng.randint(0, ventures * counterparts // 3)):
        scores[rng.randrange(ventures), rng.randrange(counterparts)] = -np.inf
    return scores


def random_pins(rng, scores, capacities, high, count):
    """Up to `count` distinct eligible pairs that fit the capacities and the maximum."""
    ventures, counterparts = scores.shape
    pins: list[tuple[int, int]] = []
    for _ in range(count):
        pair = (rng.randrange(ventures), rng.randrange(counterparts))
        taken = sum(1 for _, c in pins if c == pair[1])
        held = sum(1 for v, _ in pins if v == pair[0])
        if (
            np.isfinite(scores[pair])
            and pair not in pins
            and taken < capacities[pair[1]]
            and held < high
        ):
            pins.append(pair)
    return pins


def random_instance(rng: random.Random, ventures: int, counterparts: int, most: int):
    scores = random_scores(rng, ventures, counterparts)
    capacities = [rng.randint(0, 4) for _ in range(counterparts)]
    capacities[0] = max(capacities[0], 2)
    low = rng.randint(0, 2)
    high = rng.randint(max(low, 2), most)
    pinned = random_pins(rng, scores, capacities, high, rng.randint(0, 3))
    forbidden = [
        pair
        for pair in {
            (rng.randrange(ventures), rng.randrange(counterparts)) for _ in range(rng.randint(0, 4))
        }
        if pair not in pinned
    ]
    return scores, capacities, low, high, pinned, forbidden


def assert_valid(result, scores, capacities, low, high, pinned, forbidden):
    """Within the bounds and capacities, pins kept, nothing forbidden, no pair twice, and a
    pair scoring 0 or less only where the venture needs it to reach the minimum."""
    assert len(set(result.pairs)) == len(result.pairs)
    per_venture = np.bincount([v for v, _ in result.pairs], minlength=scores.shape[0])
    per_counterpart = np.bincount([c for _, c in result.pairs], minlength=scores.shape[1])
    assert (per_venture >= low).all() and (per_venture <= high).all()
    assert (per_counterpart <= np.array(capacities)).all()
    assert set(pinned) <= set(result.pairs)
    assert not set(forbidden) & set(result.pairs)
    for pair in result.pairs:
        assert np.isfinite(scores[pair])
        if scores[pair] <= 0 and pair not in pinned:
            assert per_venture[pair[0]] <= low
    assert result.total == pytest.approx(sum(float(scores[pair]) for pair in result.pairs))


def check_against_milp(scores, capacities, low, high, pinned, forbidden):
    reference = milp_optimum(scores, capacities, low, high, pinned, forbidden)
    if reference is None or sum(capacities) == 0:
        # With no place at all `assign` refuses whatever the bounds (it says to raise one).
        with pytest.raises(Unmatchable):
            assign(scores, capacities, low, high, pinned, forbidden)
        return None
    result = assign(scores, capacities, low, high, pinned, forbidden)
    assert_valid(result, scores, capacities, low, high, pinned, forbidden)
    assert rounding_bound(scores, capacities, high) <= ROUNDING_TOLERANCE
    assert reference - ROUNDING_TOLERANCE - 1e-9 <= result.total <= reference + 1e-6
    return result


# The min-cost flow ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(300))
def test_the_flow_reaches_the_milp_optimum_on_small_instances(seed):
    rng = random.Random(seed)
    instance = random_instance(rng, rng.randint(1, 7), rng.randint(1, 6), most=3)

    check_against_milp(*instance)


@pytest.mark.parametrize("seed", range(20))
def test_the_flow_reaches_the_milp_optimum_on_larger_instances(seed):
    rng = random.Random(10_000 + seed)
    ventures, counterparts = rng.randint(20, 60), rng.randint(8, 30)
    scores = random_scores(rng, ventures, counterparts)
    capacities = [rng.randint(0, 5) for _ in range(counterparts)]
    capacities[0] = max(capacities[0], 2)
    high = rng.randint(2, 3)
    low = 1 if sum(capacities) >= ventures and seed % 2 else 0
    pinned = random_pins(rng, scores, capacities, high, 5)

    result = check_against_milp(scores, capacities, low, high, pinned, [])

    assert result is not None or low == 1


@pytest.mark.parametrize("seed", range(40))
def test_one_counterpart_per_venture_reaches_the_milp_optimum_too(seed):
    rng = random.Random(20_000 + seed)
    ventures, counterparts = rng.randint(1, 8), rng.randint(1, 6)
    scores = random_scores(rng, ventures, counterparts)
    capacities = [rng.randint(0, 3) for _ in range(counterparts)]
    capacities[0] = max(capacities[0], 1)
    low = rng.randint(0, 1)
    pinned = random_pins(rng, scores, capacities, 1, rng.randint(0, 2))

    check_against_milp(scores, capacities, low, 1, pinned, [])


def test_an_unmet_minimum_is_refused_as_before():
    # Venture 1 may meet only counterpart 0, whose two places venture 0 and a pin could take.
    scores = np.array([[5.0, 1.0, -np.inf], [4.0, -np.inf, -np.inf], [3.0, 2.0, 6.0]])

    with pytest.raises(Unmatchable, match="The minimum of 2 per venture cannot be met"):
        assign(scores, [2, 2, 2], 2, 2)
    with pytest.raises(Unmatchable, match="The minimum of 1 per venture cannot be met"):
        assign(scores, [2, 2, 2], 1, 2, pinned=[(0, 0), (2, 0)])
    assert assign(scores, [2, 2, 2], 1, 2, pinned=[(0, 0)]).pairs == [
        (0, 0),
        (0, 1),
        (1, 0),
        (2, 1),
        (2, 2),
    ]


def test_a_pair_below_zero_is_made_only_to_reach_the_minimum():
    scores = np.array([[-1.0, -0.5, 4.0, 0.0], [-2.0, 3.0, 2.0, -np.inf]])

    assert assign(scores, [2, 2, 2, 2], 0, 3).pairs == [(0, 2), (1, 1), (1, 2)]
    # Venture 0 needs two: its best and the least bad of the rest (0 beats -0.5).
    assert assign(scores, [2, 2, 2, 2], 2, 3).pairs == [(0, 2), (0, 3), (1, 1), (1, 2)]


def test_scores_closer_than_the_rounding_leave_the_total_within_the_bound():
    # Two counterparts whose scores differ by far less than a rounding step.
    tiny = ROUNDING_TOLERANCE * 1e-6
    scores = np.array([[1.0, 1.0 + tiny], [1.0 + tiny, 1.0]])

    result = assign(scores, [2, 2], 1, 2)

    assert len(result.pairs) == 4
    assert result.total == pytest.approx(4.0 + 2 * tiny, abs=rounding_bound(scores, [2, 2], 2))


def test_the_rounding_bound_is_within_the_tolerance_at_the_size_of_a_large_cohort():
    scores = np.random.default_rng(1).uniform(0, 25, size=(1000, 500))
    scores[::7, ::3] = -np.inf

    bound = rounding_bound(scores, [3] * 500, 2)

    assert 0 < bound <= ROUNDING_TOLERANCE
    # One counterpart per venture is solved on the scores themselves: no rounding.
    assert rounding_bound(scores, [3] * 500, 1) == 0.0


def test_the_same_input_gives_the_same_assignment():
    rng = random.Random(3)
    scores = np.round(np.array([[rng.choice([1.0, 2.0]) for _ in range(6)] for _ in range(9)]), 1)

    runs = {tuple(assign(scores, [3] * 6, 1, 2).pairs) for _ in range(5)}

    assert len(runs) == 1


# Preferences and scores built with arrays ------------------------------------------------------

STAGES = ["concept", "prototype", "pilot", "launch", "adoption"]
EXPERTISE = [
    "Procurement",
    "Government sales",
    "Open data",
    "data",
    "Fundraising",
    "Legal",
    "Service design",
    "UX research",
    "Software engineering",
    "Marketing",
    "Partnerships",
    "Coaching",
    "Pilot sites",
    "Contracts and privacy",
]
HEADLINES = [
    "",
    "Twenty years in city services.",
    "Led procurement at LADOT",
    "Open data advocate; former CTO",
    "Angel investor and coach",
]


def random_facts(rng: random.Random, ventures: int, counterparts: int):
    venture_facts = [
        VentureFacts(
            id=100 + number,
            name=f"Venture {number}",
            needs=tuple(rng.sample(NEEDS, rng.randint(1, 3))),
            challenge_area=rng.choice([*CHALLENGE_AREAS[:4], ""]),
            stage=rng.choice(STAGES),
            impact_areas=tuple(rng.sample(IMPACT_AREAS[:4], rng.randint(0, 2))),
            neighbourhoods=tuple(rng.sample(["Watts", "Venice", "Citywide"], rng.randint(0, 2))),
            languages=tuple(rng.sample(["English", "Spanish", "Korean"], rng.randint(0, 2))),
        )
        for number in range(ventures)
    ]
    counterpart_facts = [
        CounterpartFacts(
            key=f"user:{number}",
            name=f"Counterpart {number}",
            kind=(kind := rng.choice(["mentor", "funder", "partner"])),
            capacity=rng.randint(1, 3),
            tags=tuple(rng.sample(EXPERTISE + IMPACT_AREAS[:4], rng.randint(0, 3))),
            challenge_areas=tuple(rng.sample(CHALLENGE_AREAS[:4], rng.randint(0, 2))),
            stages=tuple(rng.sample(STAGES, rng.randint(1, 3)))
            if kind == "funder" and rng.random() < 0.6
            else (),
            neighbourhoods=tuple(rng.sample(["Watts", "Venice", "Citywide"], rng.randint(0, 2))),
            languages=tuple(rng.sample(["English", "Spanish"], rng.randint(0, 2))),
            headline=rng.choice(HEADLINES),
        )
        for number in range(counterparts)
    ]
    rankings = {
        (100 + rng.randrange(ventures), f"user:{rng.randrange(counterparts)}"): MutualRank(
            rng.choice([None, 1, 2, 2, 3]), rng.choice([None, 1, 1, 2])
        )
        for _ in range(rng.randint(0, ventures * 2))
    }
    return venture_facts, counterpart_facts, rankings


@pytest.mark.parametrize("seed", range(60))
def test_preferences_are_those_the_per_pair_loop_built(seed):
    rng = random.Random(30_000 + seed)
    ventures, counterparts = rng.randint(1, 25), rng.randint(1, 15)
    table = score_all(*random_facts(rng, ventures, counterparts), WEIGHTS)
    excluded = {
        (rng.randrange(ventures), rng.randrange(counterparts)) for _ in range(rng.randint(0, 6))
    }

    assert preferences(table, excluded) == loop_preferences(table, excluded)


@pytest.mark.parametrize("seed", range(30))
def test_blocking_pairs_are_counted_as_from_the_per_pair_lists(seed):
    rng = random.Random(35_000 + seed)
    ventures, counterparts = rng.randint(1, 20), rng.randint(1, 12)
    table = score_all(*random_facts(rng, ventures, counterparts), WEIGHTS)
    excluded = {(rng.randrange(ventures), rng.randrange(counterparts)) for _ in range(3)}
    pairs = {(rng.randrange(ventures), rng.randrange(counterparts)) for _ in range(ventures)}
    most = rng.randint(1, 2)
    lists = loop_preferences(table, excluded)

    def counted(found) -> int:
        return blocking_pairs(found, lists.ventures, lists.counterparts, table.capacities, most)

    assert draft_blocking_pairs(table, pairs, most, excluded) == counted(pairs)
    for option in options(table, 0, most, forbidden=sorted(excluded)).values():
        assert option.blocking_pairs == counted(option.assignment.pairs)


@pytest.mark.parametrize("seed", range(80))
def test_the_stable_option_is_the_one_proposals_one_at_a_time_reached(seed):
    rng = random.Random(60_000 + seed)
    venture_prefs, counterpart_prefs, capacities, most = random_preferences(rng)

    found = stable(venture_prefs, counterpart_prefs, capacities, most)

    assert found.pairs == proposal_by_proposal(venture_prefs, counterpart_prefs, capacities, most)


def test_preferences_order_equal_scores_and_equal_ranks_by_position():
    scores = np.array([[2.0, 5.0, 2.0, 0.0, -np.inf], [1.0, 1.0, 1.0, 1.0, 1.0]])
    ventures = [VentureFacts(id=1, name="A"), VentureFacts(id=2, name="B")]
    counterparts = [
        CounterpartFacts(key=f"user:{n}", name=str(n), kind="mentor", capacity=1) for n in range(5)
    ]
    rankings = {(1, "user:3"): MutualRank(2, None), (1, "user:2"): MutualRank(2, 1)}
    table = scoring.ScoreTable(ventures, counterparts, rankings, WEIGHTS, scores)

    found = preferences(table)

    # Ranked first (equal ranks by score), then by score, equal scores by position.
    assert found.ventures == [[2, 3, 1, 0], [0, 1, 2, 3, 4]]
    # Counterpart 3 ranked nobody, and its pair with A scores 0.
    assert found.counterparts == [[0, 1], [0, 1], [0, 1], [1], [1]]
    assert found == loop_preferences(table)


@pytest.mark.parametrize("seed", range(40))
def test_scores_built_with_arrays_are_those_of_each_pair(seed):
    rng = random.Random(40_000 + seed)
    ventures, counterparts, rankings = random_facts(rng, rng.randint(1, 20), rng.randint(1, 12))

    table = score_all(ventures, counterparts, rankings, WEIGHTS)

    for row, venture in enumerate(ventures):
        for column, counterpart in enumerate(counterparts):
            single = scoring.score(venture, counterpart, rankings, WEIGHTS)
            expected = single.score if single.eligible else -np.inf
            assert table.scores[row, column] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_needs_are_met_by_the_same_words_as_when_each_synonym_was_looked_for_alone(seed):
    rng = random.Random(50_000 + seed)
    _, counterparts, _ = random_facts(rng, 1, 20)
    needs = [*NEEDS, *(need.upper() for need in NEEDS), " Data access ", "Grant writing"]

    for counterpart in counterparts:
        for need in needs:
            assert scoring._evidence_and_how(need, counterpart) == word_by_word_evidence(
                need, counterpart
            )
