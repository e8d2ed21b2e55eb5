"""The office-hours planner on plain values, no app and no database: every plan is valid
(no one double-booked, windows, breaks and busy times kept, no pair twice), within the
limits, fair, as good as brute force finds on small days, and the same for the same seed."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from incubator.services.mentoring.planner import (
    Availability,
    Meeting,
    day_rounds,
    generate,
    limits,
    meeting_rounds,
)

START = datetime(2031, 3, 12, 16, tzinfo=UTC)  # 9:00 in Los Angeles


def all_day(rounds) -> Availability:
    """Free from the first round's start to the last round's end."""
    return Availability(((rounds[0][0], rounds[-1][1]),))


# Random days ----------------------------------------------------------------------------------


def _span(rounds, first: int, last: int) -> tuple[datetime, datetime]:
    return rounds[first][0], rounds[last][1]


def random_day(rng: random.Random):
    """A day of 1 to 30 rounds, up to 15 mentors with one or two windows (not on the grid
    at times) and breaks, up to 12 ventures of which some are busy for a while."""
    minutes = rng.choice([10, 15, 20, 30])
    count = rng.randint(1, 30)
    rounds = meeting_rounds(START, START + timedelta(minutes=minutes * count), minutes)
    step = timedelta(minutes=rng.choice([0, 0, 5, 7]))
    mentors = {}
    for mentor_id in range(100, 100 + rng.randint(1, 15)):
        windows = []
        first = rng.randrange(count)
        last = rng.randrange(first, count)
        windows.append((rounds[first][0] + step, rounds[last][1]))
        if rng.random() < 0.3 and last + 2 < count:
            again = rng.randrange(last + 2, count)
            windows.append(_span(rounds, again, rng.randrange(again, count)))
        breaks = []
        for _ in range(rng.choice([0, 0, 1, 2])):
            at = rounds[rng.randrange(count)][0] + timedelta(minutes=rng.choice([0, 5, 10]))
            breaks.append((at, at + timedelta(minutes=rng.choice([5, 15, 30, 60]))))
        mentors[mentor_id] = Availability(tuple(windows), tuple(breaks))
    ventures = list(range(1, rng.randint(0, 12) + 1))
    busy = {}
    for venture_id in ventures:
        if rng.random() < 0.25:
            at = rounds[rng.randrange(count)][0]
            busy[venture_id] = [(at, at + timedelta(minutes=rng.choice([10, 30, 45])))]
    return rounds, mentors, ventures, busy


def assert_valid(meetings: list[Meeting], rounds, mentors, ventures, busy) -> None:
    grid = set(rounds)
    for meeting in meetings:
        assert (meeting.starts_at, meeting.ends_at) in grid
        assert meeting.venture_id in ventures
        availability = mentors[meeting.mentor_id]
        assert any(
            start <= meeting.starts_at and meeting.ends_at <= end
            for start, end in availability.windows
        ), f"{meeting} is outside the mentor's windows"
        for start, end in availability.breaks:
            assert not (meeting.starts_at < end and start < meeting.ends_at), "in a break"
        for start, end in busy.get(meeting.venture_id, []):
            assert not (meeting.starts_at < end and start < meeting.ends_at), "venture busy"
    for first, second in itertools.combinations(meetings, 2):
        overlap = first.starts_at < second.ends_at and second.starts_at < first.ends_at
        if overlap:
            assert first.mentor_id != second.mentor_id, f"mentor double-booked: {first} {second}"
            assert first.venture_id != second.venture_id, f"venture double-booked: {first} {second}"
    pairs = Counter((m.venture_id, m.mentor_id) for m in meetings)
    assert max(pairs.values(), default=1) == 1, "a venture met the same mentor twice"


@pytest.mark.parametrize("seed", range(200))
def test_random_days_never_double_book_and_respect_availability(seed):
    rng = random.Random(seed)
    rounds, mentors, ventures, busy = random_day(rng)

    meetings = generate(rounds, mentors, ventures, busy=busy, seed=seed)

    assert_valid(meetings, rounds, mentors, ventures, busy)
    bound = limits(rounds, mentors, ventures, busy=busy)
    counts = Counter(m.venture_id for m in meetings)
    assert len(meetings) <= bound.total
    for venture_id in ventures:
        assert counts[venture_id] <= bound.per_venture[venture_id]
    assert generate(rounds, mentors, ventures, busy=busy, seed=seed) == meetings


def test_the_same_seed_gives_the_same_plan_and_another_seed_a_valid_one():
    rounds, mentors, ventures, busy = random_day(random.Random(42))

    first = generate(rounds, mentors, ventures, busy=busy, seed=7)

    assert generate(rounds, mentors, ventures, busy=busy, seed=7) == first
    other = generate(rounds, mentors, ventures, busy=busy, seed=8)
    assert_valid(other, rounds, mentors, ventures, busy)


def best_possible(rounds, mentors, ventures) -> tuple[int, int]:
    """By brute force over every sequence of per-round matchings: the most meetings the
    least-served venture can have, then the most meetings in all."""
    mentor_ids = sorted(mentors)
    free_by_round = [[m for m in mentor_ids if mentors[m].covers(*span)] for span in rounds]

    def matchings(free):
        found = []

        def extend(index, used, pairs):
            if index == len(ventures):
                found.append(frozenset(pairs))
                return
            extend(index + 1, used, pairs)
            for mentor_id in free:
                if mentor_id not in used:
                    extend(index + 1, used | {mentor_id}, [*pairs, (ventures[index], mentor_id)])

        extend(0, frozenset(), [])
        return found

    states = {frozenset()}
    for free in free_by_round:
        options = matchings(free)
        states = {met | pairs for met in states for pairs in options if not met & pairs}
    best = (0, 0)
    for met in states:
        counts = Counter(venture for venture, _ in met)
        best = max(best, (min(counts[v] for v in ventures), len(met)))
    return best


@pytest.mark.parametrize("seed", range(150))
def test_small_days_are_planned_as_well_as_brute_force_can(seed):
    rng = random.Random(1000 + seed)
    venture_count, mentor_count = rng.choice(
        [(v, m) for v in range(1, 5) for m in range(1, 6) if v * m <= 12]
    )
    rounds = meeting_rounds(START, START + timedelta(minutes=20 * rng.randint(1, 5)), 20)
    share = rng.choice([0.4, 0.6, 0.8, 1.0])
    mentors = {}
    for mentor_id in range(100, 100 + mentor_count):
        spans = tuple(span for span in rounds if rng.random() < share)
        mentors[mentor_id] = Availability(spans or (rounds[0],))
    ventures = list(range(1, venture_count + 1))

    meetings = generate(rounds, mentors, ventures)

    counts = Counter(m.venture_id for m in meetings)
    assert (min(counts[v] for v in ventures), len(meetings)) == best_possible(
        rounds, mentors, ventures
    )


@pytest.mark.parametrize(
    ("ventures", "mentors", "rounds"), [(3, 5, 4), (4, 4, 4), (5, 8, 8), (40, 60, 24)]
)
def test_with_everyone_there_all_day_each_venture_meets_a_new_mentor_every_round(
    ventures, mentors, rounds
):
    grid = meeting_rounds(START, START + timedelta(minutes=20 * rounds), 20)
    everyone = {100 + n: all_day(grid) for n in range(mentors)}

    meetings = generate(grid, everyone, list(range(1, ventures + 1)))

    counts = Counter(m.venture_id for m in meetings)
    assert all(counts[v] == min(rounds, mentors) for v in range(1, ventures + 1))


def test_more_ventures_than_mentors_share_the_meetings_evenly():
    grid = meeting_rounds(START, START + timedelta(minutes=20 * 9), 20)
    everyone = {100 + n: all_day(grid) for n in range(4)}

    meetings = generate(grid, everyone, list(range(1, 11)))

    counts = Counter(m.venture_id for m in meetings)
    assert len(meetings) == 4 * 9
    assert max(counts.values()) - min(counts[v] for v in range(1, 11)) <= 1


@pytest.mark.parametrize("seed", range(30))
def test_a_venture_alone_meets_as_many_mentors_as_its_rounds_and_mentors_allow(seed):
    rounds, mentors, _, _ = random_day(random.Random(seed))

    meetings = generate(rounds, mentors, [1])

    assert len(meetings) == limits(rounds, mentors, [1]).per_venture[1]


def test_a_mentor_meets_only_in_rounds_wholly_inside_their_window_and_clear_of_breaks():
    grid = meeting_rounds(START, START + timedelta(hours=2), 20)
    # 9:10-10:00 holds only the 9:20 and 9:40 rounds; the break at 9:50 removes 9:40.
    mentor = Availability(
        ((START + timedelta(minutes=10), START + timedelta(hours=1)),),
        ((START + timedelta(minutes=50), START + timedelta(minutes=55)),),
    )

    meetings = generate(grid, {7: mentor}, [1, 2, 3])

    assert [m.starts_at for m in meetings] == [START + timedelta(minutes=20)]


def test_rounds_run_from_the_earliest_window_to_the_latest():
    mentors = {
        1: Availability(((START + timedelta(hours=1), START + timedelta(hours=2)),)),
        2: Availability(((START, START + timedelta(minutes=50)),)),
    }

    rounds = day_rounds(mentors, 30)

    assert rounds[0] == (START, START + timedelta(minutes=30))
    assert rounds[-1] == (START + timedelta(minutes=90), START + timedelta(hours=2))
    assert len(rounds) == 4


def test_overlapping_rounds_and_repeated_ventures_are_refused():
    grid = [
        (START, START + timedelta(minutes=20)),
        (START + timedelta(minutes=10), START + timedelta(minutes=30)),
    ]
    mentors = {1: Availability(((START, START + timedelta(hours=1)),))}
    with pytest.raises(ValueError, match="overlap"):
        generate(grid, mentors, [1])
    with pytest.raises(ValueError, match="twice"):
        generate(grid[:1], mentors, [1, 1])


def test_nothing_to_plan_gives_no_meetings():
    grid = meeting_rounds(START, START + timedelta(hours=1), 20)
    mentors = {1: Availability(((START, START + timedelta(hours=1)),))}

    assert generate(grid, mentors, []) == []
    assert generate([], mentors, [1, 2]) == []
    assert generate(grid, {}, [1, 2]) == []


# Named cases ------------------------------------------------------------------------------------


def test_every_venture_meets_as_many_mentors_as_its_own_free_rounds_allow():
    rounds = meeting_rounds(START, START + timedelta(minutes=80), 20)
    mentors = {100 + n: all_day(rounds) for n in range(6)}
    busy = {2: [rounds[1]]}

    meetings = generate(rounds, mentors, [1, 2, 3], busy=busy)

    counts = Counter(m.venture_id for m in meetings)
    assert counts == {1: 4, 2: 3, 3: 4}
    assert dict(counts) == limits(rounds, mentors, [1, 2, 3], busy=busy).per_venture
    assert not [m for m in meetings if m.venture_id == 2 and m.starts_at == rounds[1][0]]


def test_in_each_round_a_mentor_and_a_venture_are_in_at_most_one_meeting():
    rounds = meeting_rounds(START, START + timedelta(minutes=60), 20)
    mentors = {100: all_day(rounds), 101: all_day(rounds)}

    meetings = generate(rounds, mentors, [1, 2, 3])

    for start, _ in rounds:
        in_round = [m for m in meetings if m.starts_at == start]
        assert len(in_round) == 2
        assert len({m.mentor_id for m in in_round}) == len(in_round)
        assert len({m.venture_id for m in in_round}) == len(in_round)


def test_a_mentor_on_a_break_meets_no_one():
    rounds = meeting_rounds(START, START + timedelta(minutes=60), 20)
    mentors = {100: Availability(((START, rounds[-1][1]),), (rounds[1],))}

    meetings = generate(rounds, mentors, [1, 2, 3])

    assert [m.starts_at for m in meetings] == [rounds[0][0], rounds[2][0]]


def test_a_plan_stays_within_the_limits_a_scarce_mentor_sets():
    rounds = meeting_rounds(START, START + timedelta(minutes=60), 20)
    mentors = {100: all_day(rounds)}
    ventures = [1, 2, 3, 4, 5]

    bound = limits(rounds, mentors, ventures)
    meetings = generate(rounds, mentors, ventures)

    assert (bound.total, bound.fewest) == (3, 0)
    assert bound.per_venture == dict.fromkeys(ventures, 1)
    assert len(meetings) == bound.total
    assert max(Counter(m.venture_id for m in meetings).values()) == 1


def test_the_same_seed_gives_the_same_plan_whatever_ran_before():
    rng = random.Random(5)
    rounds, mentors, ventures, busy = random_day(rng)
    first = generate(rounds, mentors, ventures, busy=busy, seed=3, attempts=4)
    generate(rounds, mentors, ventures, busy=busy, seed=4, attempts=4)

    assert generate(rounds, mentors, ventures, busy=busy, seed=3, attempts=4) == first


def test_the_venture_with_fewest_meetings_gets_the_most_it_can():
    rounds = meeting_rounds(START, START + timedelta(minutes=80), 20)
    mentors = {100: all_day(rounds), 101: all_day(rounds[:2])}
    ventures = [1, 2, 3]
    busy = {3: [rounds[0], rounds[1]]}

    meetings = generate(rounds, mentors, ventures, busy=busy)

    counts = Counter(m.venture_id for m in meetings)
    bound = limits(rounds, mentors, ventures, busy=busy)
    assert min(counts[v] for v in ventures) == bound.fewest == 1
    assert counts[3] == 1


def test_windows_too_short_for_a_round_give_no_meetings_and_zero_limits():
    rounds = meeting_rounds(START, START + timedelta(minutes=60), 20)
    mentors = {100: Availability(((START, START + timedelta(minutes=10)),))}

    assert generate(rounds, mentors, [1, 2]) == []
    bound = limits(rounds, mentors, [1, 2])
    assert (bound.total, bound.fewest, bound.per_venture) == (0, 0, {1: 0, 2: 0})


def test_a_round_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        generate([(START, START)], {1: Availability(((START, START),))}, [1])
    with pytest.raises(ValueError, match="positive number of minutes"):
        meeting_rounds(START, START + timedelta(hours=1), 0)
