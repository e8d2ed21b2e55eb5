"""The matching core: scores with reasons (scoring.py), the optimal assignment and the stable
option (assignment.py) on plain values; then the facts loaded from the database (facts.py)."""

from __future__ import annotations

import random
from datetime import date
from functools import cache
from itertools import combinations

import numpy as np
import pytest

from incubator.extensions import db as _db
from incubator.models import FunderProfile, OfficeHoursDay, PartnerProfile
from incubator.services.errors import InvalidInput
from incubator.services.matching import facts
from incubator.services.matching.assignment import (
    Preferences,
    assign,
    blocking_pairs,
    feasibility,
    feasibility_by_class,
    greedy,
    options,
    preferences,
    stable,
    stable_with_pins,
)
from incubator.services.matching.scoring import (
    NEED_SYNONYMS,
    CounterpartFacts,
    MatchWeights,
    MutualRank,
    Unmatchable,
    VentureFacts,
    eligibility_classes,
    score,
    score_all,
)
from tests import factories
from tests.plugins.matching import random_preferences, ranking

WEIGHTS = MatchWeights()


def venture_facts(**fields) -> VentureFacts:
    values = {
        "id": 1,
        "name": "StreetSmart",
        "needs": ("Procurement path",),
        "challenge_area": "Transportation and mobility",
        "stage": "pilot",
    }
    return VentureFacts(**{**values, **fields})


def mentor_facts(**fields) -> CounterpartFacts:
    values = {
        "key": "user:12",
        "name": "Ana Ruiz",
        "kind": "mentor",
        "capacity": 3,
        "tags": ("Procurement",),
        "headline": "12 years at LA City procurement",
    }
    return CounterpartFacts(**{**values, **fields})


def brute_force(scores, capacities, low, high):
    """The best total over every feasible choice of counterparts per venture; None if none."""
    ventures, counterparts = scores.shape

    @cache
    def best(venture: int, left: tuple[int, ...]) -> float | None:
        if venture == ventures:
            return 0.0
        found = None
        for size in range(low, high + 1):
            for chosen in combinations(range(counterparts), size):
                if any(left[c] == 0 or not np.isfinite(scores[venture, c]) for c in chosen):
                    continue
                rest = list(left)
                for c in chosen:
                    rest[c] -= 1
                tail = best(venture + 1, tuple(rest))
                if tail is not None:
                    total = tail + sum(scores[venture, c] for c in chosen)
                    found = total if found is None else max(found, total)
        return found

    return best(0, tuple(capacities))


def assert_feasible(result, capacities, low, high, ventures):
    assert len(set(result.pairs)) == len(result.pairs)
    per_venture = [0] * ventures
    per_counterpart = [0] * len(capacities)
    for venture, counterpart in result.pairs:
        per_venture[venture] += 1
        per_counterpart[counterpart] += 1
    assert all(low <= count <= high for count in per_venture)
    assert all(used <= capacity for used, capacity in zip(per_counterpart, capacities, strict=True))


def random_instance(rng: random.Random, ventures: int, counterparts: int, negative=False):
    scores = np.array(
        [
            [round(rng.uniform(-2 if negative else 0, 10), 2) for _ in range(counterparts)]
            for _ in range(ventures)
        ]
    )
    for _ in range(rng.randint(0, ventures)):
        scores[rng.randrange(ventures), rng.randrange(counterparts)] = -np.inf
    return scores


# Scoring -----------------------------------------------------------------------------------


def said(result) -> list[str]:
    """A score's reasons as English sentences."""
    return [str(reason) for reason in result.reasons]


def test_reasons_say_which_need_the_mentor_meets_in_a_sentence():
    result = score(venture_facts(), mentor_facts(), {}, WEIGHTS)

    assert said(result) == [
        "StreetSmart asked for help with procurement path, and Ana Ruiz offers “12 years at "
        "LA City procurement”."
    ]
    assert result.score == pytest.approx(WEIGHTS.needs)


def test_every_kind_of_fit_adds_its_weight_and_a_reason():
    venture = venture_facts(
        needs=("Procurement path", "Data access"),
        impact_areas=("Safe streets", "Clean air"),
        neighbourhoods=("Boyle Heights",),
        languages=("Spanish",),
    )
    mentor = mentor_facts(
        tags=("Government sales", "Safe streets"),
        challenge_areas=("Transportation and mobility",),
        languages=("English", "Spanish"),
        headline="",
    )
    result = score(venture, mentor, {(1, "user:12"): MutualRank(1, 2)}, WEIGHTS)

    assert said(result) == [
        "StreetSmart asked for help with procurement path, and Ana Ruiz offers “Government sales”.",
        "Both work on transportation and mobility.",
        "StreetSmart aims for impact on safe streets, and Ana Ruiz works on it too.",
        "Ana Ruiz speaks Spanish, as StreetSmart's team does.",
        "After office hours, StreetSmart's founders ranked Ana Ruiz #1 and Ana Ruiz ranked "
        "StreetSmart #2.",
    ]
    expected = (
        WEIGHTS.needs / 2
        + WEIGHTS.challenge_area
        + WEIGHTS.impact / 2
        + WEIGHTS.language
        + WEIGHTS.ranking * (1 + 1 / 2) / 2
    )
    assert result.score == pytest.approx(expected)


def test_a_one_sided_ranking_adds_nothing():
    one_sided = {(1, "user:12"): MutualRank(founder_rank=1)}

    assert score(venture_facts(), mentor_facts(), one_sided, WEIGHTS).score == pytest.approx(
        WEIGHTS.needs
    )


def test_synonyms_map_needs_to_partner_offers_and_funders():
    venture = venture_facts(needs=("Pilot site", "Data access", "Funding"))
    partner = CounterpartFacts(
        key="org:3",
        name="LADOT",
        kind="partner",
        capacity=2,
        tags=("pilot site", "open data"),
        neighbourhoods=("Citywide",),
    )
    funder = CounterpartFacts(
        key="user:7", name="Kim", kind="funder", capacity=5, headline="Civic Fund; fund"
    )

    partner_reasons = said(
        score(venture_facts(needs=venture.needs, neighbourhoods=("Watts",)), partner, {}, WEIGHTS)
    )
    assert partner_reasons == [
        "StreetSmart asked for help with pilot site, and LADOT offers “pilot site”.",
        "StreetSmart asked for help with data access, and LADOT offers “open data”.",
        "LADOT works citywide, so also where StreetSmart works.",
    ]
    assert said(score(venture, funder, {}, WEIGHTS)) == [
        "StreetSmart asked for help with funding, and Kim is a funder (Civic Fund; fund)."
    ]


def test_a_funder_outside_the_ventures_stage_is_ineligible():
    funder = CounterpartFacts(
        key="user:7", name="Kim", kind="funder", capacity=5, stages=("concept", "prototype")
    )
    result = score(venture_facts(needs=("Funding",)), funder, {}, WEIGHTS)

    assert not result.eligible
    assert (
        "Kim invests only at the concept and prototype stages, and StreetSmart is at pilot."
        in said(result)
    )
    table = score_all([venture_facts(needs=("Funding",))], [funder], {}, WEIGHTS)
    assert table.scores[0, 0] == -np.inf


def test_score_all_agrees_with_score_on_every_pair():
    rng = random.Random(7)
    vocab = NEED_SYNONYMS
    areas = ["Health", "Education", "Public safety"]
    places = ["Watts", "Venice", "Citywide"]
    ventures = [
        VentureFacts(
            id=number,
            name=f"V{number}",
            needs=tuple(rng.sample(sorted(vocab), rng.randint(1, 3))),
            challenge_area=rng.choice([*areas, ""]),
            stage=rng.choice(["concept", "pilot"]),
            impact_areas=tuple(rng.sample(["Clean air", "Safe streets"], rng.randint(0, 2))),
            neighbourhoods=tuple(rng.sample(places, rng.randint(0, 2))),
            languages=tuple(rng.sample(["English", "Spanish", "Korean"], rng.randint(0, 2))),
        )
        for number in range(12)
    ]
    counterparts = [
        CounterpartFacts(
            key=f"user:{number}",
            name=f"C{number}",
            kind=rng.choice(["mentor", "funder", "partner"]),
            capacity=2,
            tags=tuple(rng.sample(["Procurement", "open data", "Clean air", "UX"], 2)),
            challenge_areas=tuple(rng.sample(areas, rng.randint(0, 2))),
            stages=tuple(rng.sample(["concept", "pilot", "launch"], rng.randint(0, 2))),
            neighbourhoods=tuple(rng.sample(places, rng.randint(0, 2))),
            languages=tuple(rng.sample(["English", "Spanish"], rng.randint(0, 2))),
        )
        for number in range(9)
    ]
    rankings = {
        (rng.randrange(12), f"user:{rng.randrange(9)}"): MutualRank(
            rng.randint(1, 3), rng.choice([None, 1, 2])
        )
        for _ in range(20)
    }
    table = score_all(ventures, counterparts, rankings, WEIGHTS)

    for row in range(len(ventures)):
        for column in range(len(counterparts)):
            single = table.explain(row, column)
            if single.eligible:
                assert table.scores[row, column] == pytest.approx(single.score)
            else:
                assert table.scores[row, column] == -np.inf


@pytest.mark.parametrize("seed", range(20))
def test_eligibility_by_class_is_score_alls_on_every_pair(seed):
    rng = random.Random(seed)
    stages = ["concept", "Pilot", "pilot", "launch", " ", ""]
    ventures = [
        VentureFacts(id=number, name=f"V{number}", needs=("Design",), stage=rng.choice(stages))
        for number in range(rng.randint(1, 12))
    ]
    counterparts = [
        CounterpartFacts(
            key=f"user:{number}",
            name=f"C{number}",
            kind="funder",
            capacity=1,
            stages=tuple(rng.sample(stages, rng.randint(0, 3))),
        )
        for number in range(rng.randint(1, 9))
    ]

    eligible, venture_class, counterpart_class = eligibility_classes(ventures, counterparts)

    by_class = eligible[np.ix_(venture_class, counterpart_class)]
    every_pair = np.isfinite(score_all(ventures, counterparts, {}, WEIGHTS).scores)
    assert (by_class == every_pair).all()
    assert eligible.shape == (len(set(venture_class)), len(set(counterpart_class)))


def test_unknown_weight_names_are_refused():
    with pytest.raises(Unmatchable, match="Unknown match weights: need"):
        MatchWeights.from_mapping({"need": 1})


# Bad input ---------------------------------------------------------------------------------


def test_a_venture_without_needs_is_named():
    with pytest.raises(Unmatchable, match="Add needs to Quiet Streets's profile before"):
        score_all([venture_facts(name="Quiet Streets", needs=())], [mentor_facts()], {}, WEIGHTS)


def test_an_empty_cohort_is_refused():
    with pytest.raises(Unmatchable, match="no active ventures"):
        score_all([], [mentor_facts()], {}, WEIGHTS)
    with pytest.raises(Unmatchable, match="no active ventures"):
        assign(np.zeros((0, 2)), [1, 1], 0, 1)


def test_capacity_zero_for_everyone_is_refused():
    with pytest.raises(Unmatchable, match="Every mentor has capacity 0"):
        score_all([venture_facts()], [mentor_facts(capacity=0)], {}, WEIGHTS)
    with pytest.raises(Unmatchable, match="Every counterpart has capacity 0"):
        assign(np.ones((2, 2)), [0, 0], 0, 1)


def test_a_minimum_beyond_total_capacity_is_refused():
    with pytest.raises(Unmatchable, match=r"Places needed: 3 .*places left: 2\."):
        assign(np.ones((3, 2)), [1, 1], 1, 1)


def test_a_minimum_blocked_by_eligibility_is_refused():
    scores = np.array([[1.0, -np.inf], [2.0, -np.inf]])

    with pytest.raises(Unmatchable, match="minimum of 1 per venture cannot be met"):
        assign(scores, [1, 5], 1, 1)
    with pytest.raises(Unmatchable, match="minimum of 1 per venture cannot be met"):
        assign(scores, [2, 5], 1, 2, forbidden=[(0, 0)])


# Feasibility, before solving ---------------------------------------------------------------


def test_feasibility_counts_the_places_and_proposes_a_lower_minimum_or_more_places():
    # Seven ventures, four mentors with 3, 0, 0 and 2 places: 7 needed, 5 to give.
    found = feasibility(np.ones((7, 4)), [3, 0, 0, 2], 1, 2)

    assert not found.feasible
    assert (found.ventures, found.needed, found.places, found.fillable) == (7, 7, 5, 5)
    assert found.best_minimum == 0
    assert found.extra_places == 1  # one more place each: 9 places
    assert found.short == []
    assert feasibility(np.ones((7, 4)), [3, 1, 1, 2], 1, 2).feasible


def test_feasibility_sees_places_eligibility_keeps_out_of_reach():
    # Both ventures may meet only the first counterpart; the second's 5 places do not help.
    scores = np.array([[1.0, -np.inf], [2.0, -np.inf], [1.0, 1.0]])

    found = feasibility(scores, [1, 5], 1, 1)

    assert not found.feasible
    assert (found.needed, found.places, found.fillable) == (3, 6, 2)
    assert found.extra_places == 1  # a second place for the first counterpart
    assert feasibility(scores, [2, 5], 1, 1).feasible


def test_feasibility_names_ventures_no_number_of_places_can_help():
    scores = np.array([[-np.inf, -np.inf, 1.0], [1.0, 1.0, 1.0]])

    found = feasibility(scores, [5, 5, 5], 2, 2)

    assert found.short == [(0, 1)]  # venture 0 may meet one counterpart, the minimum is 2
    assert found.extra_places is None
    assert found.best_minimum == 1


def test_feasibility_counts_pinned_pairs_as_met():
    found = feasibility(np.ones((3, 3)), [1, 1, 1], 1, 2, pinned=[(0, 0)])

    assert found.feasible
    assert (found.needed, found.places) == (2, 2)


@pytest.mark.parametrize("seed", range(40))
def test_feasibility_agrees_with_assign(seed):
    rng = random.Random(seed)
    ventures, counterparts = rng.randint(1, 6), rng.randint(1, 5)
    scores = random_instance(rng, ventures, counterparts)
    capacities = [rng.randint(0, 3) for _ in range(counterparts)]
    low = rng.randint(0, 3)
    high = max(low, 1) + rng.randint(0, 1)

    found = feasibility(scores, capacities, low, high)

    def solvable(minimum: int, places) -> bool:
        try:
            assign(scores, places, minimum, max(high, minimum))
        except Unmatchable:
            return False
        return True

    # With no place at all `assign` refuses whatever the bounds (it says to raise a capacity).
    assert found.feasible == solvable(low, capacities) or sum(capacities) == 0
    assert solvable(found.best_minimum, capacities) or sum(capacities) == 0
    if found.best_minimum < low:
        assert not solvable(found.best_minimum + 1, capacities)
    if found.extra_places:
        assert solvable(low, [c + found.extra_places for c in capacities])
        assert not solvable(low, [c + found.extra_places - 1 for c in capacities])
    if not found.feasible and found.extra_places is None:
        assert found.short


@pytest.mark.parametrize("seed", range(150))
def test_feasibility_by_class_agrees_with_feasibility_over_every_pair(seed):
    rng = random.Random(seed)
    ventures, counterparts = rng.randint(1, 9), rng.randint(1, 7)
    # A few classes on each side, so that many ventures and counterparts are alike.
    classes = rng.randint(1, 3), rng.randint(1, 3)
    eligible = np.array(
        [[rng.random() < 0.7 for _ in range(classes[1])] for _ in range(classes[0])]
    )
    venture_class = [rng.randrange(eligible.shape[0]) for _ in range(ventures)]
    counterpart_class = [rng.randrange(eligible.shape[1]) for _ in range(counterparts)]
    scores = np.where(eligible[np.ix_(venture_class, counterpart_class)], 1.0, -np.inf)
    capacities = [rng.choice([0, 1, 2, 2, 3]) for _ in range(counterparts)]
    pairs = [(v, c) for v in range(ventures) for c in range(counterparts)]
    forbidden = rng.sample(pairs, rng.randint(0, min(3, len(pairs))))
    pinned = [
        pair
        for pair in rng.sample(pairs, rng.randint(0, min(2, len(pairs))))
        if np.isfinite(scores[pair]) and pair not in forbidden
    ]
    low = rng.randint(0, 3)
    high = max(low, 1) + rng.randint(0, 1)

    def answer(solve, *table):
        try:
            return solve(*table, capacities, low, high, pinned=pinned, forbidden=forbidden)
        except Unmatchable as refused:
            return str(refused)

    by_class = answer(feasibility_by_class, eligible, venture_class, counterpart_class)

    assert by_class == answer(feasibility, scores)


def test_bounds_out_of_order_are_refused():
    with pytest.raises(Unmatchable, match="0 <= minimum <= maximum"):
        assign(np.ones((1, 1)), [1], 2, 1)


# Assignment --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(200))
def test_assignment_equals_brute_force_on_small_instances(seed):
    rng = random.Random(seed)
    ventures, counterparts = rng.randint(1, 5), rng.randint(1, 4)
    scores = random_instance(rng, ventures, counterparts, negative=seed % 3 == 0)
    capacities = [rng.randint(0, 3) for _ in range(counterparts)]
    if sum(capacities) == 0:
        capacities[0] = 1
    low = rng.randint(0, 1)
    high = rng.randint(max(low, 1), 2)
    optimum = brute_force(scores, capacities, low, high)

    if optimum is None or sum(capacities) < ventures * low:
        with pytest.raises(Unmatchable):
            assign(scores, capacities, low, high)
        return
    result = assign(scores, capacities, low, high)

    assert result.total == pytest.approx(optimum)
    assert_feasible(result, capacities, low, high, ventures)
    for venture, counterpart in result.pairs:
        if scores[venture, counterpart] <= 0:
            held = sum(1 for v, _ in result.pairs if v == venture)
            assert held <= low


@pytest.mark.parametrize("seed", range(30))
def test_assignment_is_never_below_greedy_on_larger_instances(seed):
    rng = random.Random(1000 + seed)
    ventures, counterparts = rng.randint(10, 60), rng.randint(5, 30)
    scores = random_instance(rng, ventures, counterparts)
    capacities = [rng.randint(0, 4) for _ in range(counterparts)]
    capacities[0] = max(capacities[0], 1)
    high = rng.randint(1, 3)
    low = 1 if sum(capacities) >= ventures and seed % 2 else 0

    result = assign(scores, capacities, low, high)
    baseline = greedy(scores, capacities, low, high)

    assert_feasible(result, capacities, low, high, ventures)
    assert result.total >= baseline.total - 1e-9


def test_pinned_pairs_are_kept_and_forbidden_ones_never_made():
    scores = np.array([[9.0, 1.0], [8.0, 2.0]])

    result = assign(scores, [1, 2], 1, 1, pinned=[(0, 1)], forbidden=[(1, 1)])

    assert result.pairs == [(0, 1), (1, 0)]
    assert result.total == pytest.approx(9.0)


def test_the_optimum_beats_greedy_where_greedy_is_short_sighted():
    scores = np.array([[10.0, 9.0], [9.0, 0.5]])

    assert greedy(scores, [1, 1], 1, 1).total == pytest.approx(10.5)
    assert assign(scores, [1, 1], 1, 1).total == pytest.approx(18.0)


def test_a_pair_scoring_zero_is_made_only_to_reach_the_minimum():
    scores = np.array([[0.0, 0.0, 5.0]])

    assert assign(scores, [1, 1, 1], 0, 3).pairs == [(0, 2)]
    assert assign(scores, [1, 1, 0], 1, 2).pairs in ([(0, 0)], [(0, 1)])


# Stable option -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(60))
def test_stable_option_has_no_blocking_pair(seed):
    rng = random.Random(5000 + seed)
    venture_prefs, counterpart_prefs, capacities, most = random_preferences(rng)

    result = stable(venture_prefs, counterpart_prefs, capacities, most)

    assert_feasible(result, capacities, 0, most, len(venture_prefs))
    for venture, counterpart in result.pairs:
        assert counterpart in venture_prefs[venture]
        assert venture in counterpart_prefs[counterpart]
    assert blocking_pairs(result.pairs, venture_prefs, counterpart_prefs, capacities, most) == 0


def test_blocking_pairs_counts_pairs_that_would_rather_be_together():
    # Both ventures prefer counterpart 0 and counterpart 0 prefers venture 1.
    venture_prefs = [[0, 1], [0, 1]]
    counterpart_prefs = [[1, 0], [0, 1]]

    assert blocking_pairs([(0, 0), (1, 1)], venture_prefs, counterpart_prefs, [1, 1], 1) == 1
    assert blocking_pairs([(1, 0), (0, 1)], venture_prefs, counterpart_prefs, [1, 1], 1) == 0
    assert blocking_pairs([], venture_prefs, counterpart_prefs, [1, 1], 1) == 4


def test_preferences_put_ranked_first_and_the_stable_option_reports_its_total():
    ventures = [venture_facts(id=1, name="A"), venture_facts(id=2, name="B")]
    mentors = [
        mentor_facts(key="user:1", name="Strong"),
        mentor_facts(key="user:2", name="Weak", tags=(), headline=""),
    ]
    rankings = {(1, "user:2"): MutualRank(1, 1)}
    table = score_all(ventures, mentors, rankings, WEIGHTS)

    prefs = preferences(table)
    result = stable(prefs.ventures, prefs.counterparts, [1, 1], 1, scores=table.scores)

    assert prefs.ventures == [[1, 0], [0]]
    assert result.pairs == [(0, 1), (1, 0)]
    assert result.total == pytest.approx(table.scores[0, 1] + table.scores[1, 0])
    assert blocking_pairs(result.pairs, prefs.ventures, prefs.counterparts, [1, 1], 1) == 0


def test_optimal_and_stable_show_the_trade_off():
    scores = np.array([[10.0, 9.0], [9.0, 0.5]])
    venture_prefs = [[0, 1], [0, 1]]
    counterpart_prefs = [[0, 1], [0, 1]]

    optimal = assign(scores, [1, 1], 1, 1)
    fair = stable(venture_prefs, counterpart_prefs, [1, 1], 1, scores=scores)

    assert blocking_pairs(optimal.pairs, venture_prefs, counterpart_prefs, [1, 1], 1) == 1
    assert blocking_pairs(fair.pairs, venture_prefs, counterpart_prefs, [1, 1], 1) == 0
    assert optimal.total > fair.total


# One rule at a time ------------------------------------------------------------------------


def test_a_funder_at_the_ventures_stage_earns_the_stage_points():
    funder = CounterpartFacts(
        key="user:7", name="Kim", kind="funder", capacity=5, stages=("pilot",)
    )

    result = score(venture_facts(needs=("Funding",)), funder, {}, WEIGHTS)

    assert result.eligible
    assert said(result) == [
        "StreetSmart asked for help with funding, and Kim is a funder.",
        "Kim invests at the pilot stage, where StreetSmart is.",
    ]
    assert result.score == pytest.approx(WEIGHTS.needs + WEIGHTS.stage)


def test_shared_neighbourhoods_are_named():
    partner = CounterpartFacts(
        key="org:3", name="LADOT", kind="partner", capacity=1, neighbourhoods=("Watts", "Venice")
    )
    venture = venture_facts(needs=("Legal",), neighbourhoods=("Venice", "Boyle Heights"))

    assert said(score(venture, partner, {}, WEIGHTS)) == ["Both work in Venice."]


def test_equal_scores_are_ordered_by_position_so_runs_repeat():
    ventures = [venture_facts(id=1, name="A"), venture_facts(id=2, name="B")]
    twins = [mentor_facts(key="user:1", name="One"), mentor_facts(key="user:2", name="Two")]
    table = score_all(ventures, twins, {}, WEIGHTS)

    prefs = preferences(table)
    first = assign(table.scores, [1, 1], 1, 1)

    assert prefs.ventures == [[0, 1], [0, 1]] and prefs.counterparts == [[0, 1], [0, 1]]
    assert assign(table.scores, [1, 1], 1, 1) == first
    assert first.total == pytest.approx(2 * WEIGHTS.needs)


def test_a_counterpart_gets_no_more_ventures_than_its_capacity():
    scores = np.array([[9.0, 1.0], [8.0, 1.0], [7.0, 1.0]])

    result = assign(scores, [2, 3], 0, 1)

    assert [pair for pair in result.pairs if pair[1] == 0] == [(0, 0), (1, 0)]
    assert result.pairs == [(0, 0), (1, 0), (2, 1)]


def test_a_counterpart_with_capacity_zero_gets_nobody():
    scores = np.array([[9.0, 1.0], [8.0, 2.0]])

    result = assign(scores, [0, 2], 0, 1)

    assert result.pairs == [(0, 1), (1, 1)]


def test_each_venture_gets_at_most_its_maximum_and_at_least_its_minimum():
    scores = np.array([[5.0, 4.0, 3.0], [0.0, 0.0, 6.0]])

    at_most_two = assign(scores, [2, 2, 2], 0, 2)
    at_least_two = assign(scores, [2, 2, 2], 2, 2)

    assert at_most_two.pairs == [(0, 0), (0, 1), (1, 2)]
    # A pair scoring 0 is made only to reach the minimum.
    assert sorted(pair for pair in at_least_two.pairs if pair[0] == 1) in (
        [(1, 0), (1, 2)],
        [(1, 1), (1, 2)],
    )
    assert len([pair for pair in at_least_two.pairs if pair[0] == 0]) == 2


@pytest.mark.parametrize(
    ("capacities", "pinned", "forbidden", "message"),
    [
        ([1, -1], [], [], "A capacity cannot be negative."),
        ([1], [], [], "one capacity for each counterpart"),
        ([1, 1], [(0, 0), (1, 0)], [], "More pairs are pinned to a counterpart"),
        ([1, 1], [(0, 0)], [(0, 0)], "A pinned pair is forbidden or ineligible"),
    ],
)
def test_assignment_input_that_cannot_be_met_is_refused(capacities, pinned, forbidden, message):
    with pytest.raises(Unmatchable, match=message):
        assign(np.ones((2, 2)), capacities, 0, 1, pinned=pinned, forbidden=forbidden)


def test_more_pins_on_one_venture_than_its_maximum_are_refused():
    with pytest.raises(Unmatchable, match=r"More than 1 pairs are pinned to one venture\."):
        assign(np.ones((1, 2)), [1, 1], 0, 1, pinned=[(0, 0), (0, 1)])


@pytest.mark.parametrize(
    ("capacities", "most", "message"),
    [([1], 0, "maximum per venture must be at least 1"), ([-1], 1, "cannot be negative")],
)
def test_the_stable_option_refuses_impossible_bounds(capacities, most, message):
    with pytest.raises(Unmatchable, match=message):
        stable([[0]], [[0]], capacities, most)


def test_pinned_pairs_stay_in_the_stable_option_and_the_rest_compete():
    # Both ventures want counterpart 0, which prefers venture 1; venture 0 is pinned to it.
    venture_prefs = [[0, 1], [0, 1]]
    counterpart_prefs = [[1, 0], [1, 0]]
    scores = np.array([[4.0, 1.0], [3.0, 2.0]])
    prefs = Preferences(venture_prefs, counterpart_prefs)

    result = stable_with_pins(prefs, [1, 1], 1, [(0, 0)], scores)

    assert result.pairs == [(0, 0), (1, 1)]
    assert result.total == pytest.approx(6.0)


def test_the_stable_option_is_offered_only_where_both_sides_ranked_each_other():
    ventures = [venture_facts(id=1, name="A"), venture_facts(id=2, name="B")]
    mentors = [mentor_facts(key="user:1"), mentor_facts(key="user:2")]
    one_sided = score_all(ventures, mentors, {(1, "user:1"): MutualRank(1)}, WEIGHTS)
    mutual = score_all(ventures, mentors, {(1, "user:2"): MutualRank(1, 1)}, WEIGHTS)

    assert set(options(one_sided, 1, 1)) == {"optimal"}
    both = options(mutual, 1, 1)
    assert set(both) == {"optimal", "stable"}
    assert both["stable"].blocking_pairs == 0
    assert (0, 1) in both["stable"].assignment.pairs


def test_both_options_keep_pins_and_never_make_forbidden_pairs():
    ventures = [venture_facts(id=1, name="A"), venture_facts(id=2, name="B")]
    mentors = [mentor_facts(key="user:1"), mentor_facts(key="user:2")]
    rankings = {(1, "user:1"): MutualRank(1, 1), (2, "user:1"): MutualRank(1, 1)}
    table = score_all(ventures, mentors, rankings, WEIGHTS)

    found = options(table, 0, 1, pinned=[(1, 0)], forbidden=[(0, 0)])

    for option in found.values():
        assert (1, 0) in option.assignment.pairs
        assert (0, 0) not in option.assignment.pairs


# Loading from the database -----------------------------------------------------------------


def test_weights_come_from_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_WEIGHTS", {**app.config["MATCH_WEIGHTS"], "needs": 10})

    table = score_all([venture_facts()], [mentor_facts()], {}, facts.weights_from_config())

    assert table.weights.needs == 10.0
    assert table.scores[0, 0] == pytest.approx(10.0)


def test_an_unknown_weight_in_the_setting_reaches_the_manager_as_invalid_input(app, monkeypatch):
    monkeypatch.setitem(app.config, "MATCH_WEIGHTS", {**app.config["MATCH_WEIGHTS"], "need": 1})

    with pytest.raises(InvalidInput, match="Unknown match weights: need"):
        facts.weights_from_config()


def test_build_facts_loads_mentors_and_mutual_rankings_in_few_queries(db, count_queries):
    cohort = factories.cohort()
    venture = factories.venture(cohort, "StreetSmart")
    venture.needs = ["Procurement path"]
    venture.languages = ["Spanish"]
    other = factories.venture(cohort, "Quiet Streets")
    other.needs = ["Design"]
    mentor = factories.mentor("Ana Ruiz", bio="12 years at LA City procurement. Loves maps.")
    resting = factories.mentor("Resting", accepting=False)
    factories.user("founder")
    day = OfficeHoursDay(cohort_id=cohort.id, day=date(2025, 5, 1))
    _db.session.add(day)
    _db.session.flush()
    founder = factories.user("founder")
    _db.session.add_all(
        [
            ranking(day, founder, mentor, venture, "founder", 1),
            ranking(day, mentor, mentor, venture, "mentor", 2),
        ]
    )
    _db.session.flush()

    with count_queries() as counter:
        loaded = facts.build_facts(cohort, "mentor")

    assert counter.count == 4
    assert [v.name for v in loaded.ventures] == ["Quiet Streets", "StreetSmart"]
    assert [c.key for c in loaded.counterparts] == [f"user:{mentor.id}"]
    assert resting.id not in {int(c.key.split(":")[1]) for c in loaded.counterparts}
    assert loaded.counterparts[0].headline == (
        "LA Department of Water and Power; 12 years at LA City procurement."
    )
    assert loaded.rankings == {(venture.id, f"user:{mentor.id}"): MutualRank(1, 2)}
    table = score_all(
        loaded.ventures, loaded.counterparts, loaded.rankings, facts.weights_from_config()
    )
    assert str(table.explain(1, 0).reasons[0]) == (
        "StreetSmart asked for help with procurement path, and Ana Ruiz offers “LA "
        "Department of Water and Power; 12 years at LA City procurement”."
    )


def test_build_facts_loads_funders_open_to_civic_and_partner_organisations(db):
    cohort = factories.cohort()
    factories.venture(cohort).needs = ["Funding"]
    open_funder = factories.user("funder", name="Kim")
    closed_funder = factories.user("funder", name="Lee")
    organisation = factories.organisation("LADOT", description="Streets. And more.")
    _db.session.add_all(
        [
            FunderProfile(user_id=open_funder.id, organisation="Civic Fund", stages=["pilot"]),
            FunderProfile(user_id=closed_funder.id, open_to_civic=False),
            PartnerProfile(organisation_id=organisation.id, offers=["pilot site"], capacity=2),
        ]
    )
    _db.session.flush()

    funders = facts.build_facts(cohort, "funder").counterparts
    partners = facts.build_facts(cohort, "partner").counterparts

    assert [(f.key, f.stages, f.headline) for f in funders] == [
        (f"user:{open_funder.id}", ("pilot",), "Civic Fund; angel")
    ]
    assert [(p.key, p.tags, p.capacity, p.headline) for p in partners] == [
        (f"org:{organisation.id}", ("pilot site",), 2, "Streets.")
    ]
