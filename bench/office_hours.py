"""Time the office-hours generator on a full day: `python -m bench.office_hours`.

    .venv/bin/python -m bench.office_hours                  # 40 ventures x 60 mentors, 5 runs
    .venv/bin/python -m bench.office_hours --ventures 80 --mentors 120 --repeat 3
    .venv/bin/python -m bench.run --office-hours             # the same, from the benchmark

The day runs 9:00 to 17:00 in Los Angeles in 20-minute meetings (24 rounds). Every mentor
breaks for lunch from 12:00 to 13:00; a seeded share of them come only for the morning or
only for the afternoon, and some take a second short break, so availability is as uneven
as a real day's. Only `generate()` is timed: no database, no web server.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

# datetime.time is `clock` here; the one clock of the app is read through its now().
from incubator.clock import now as clock_now
from incubator.services.mentoring.planner import Availability, day_rounds, generate, limits

ZONE = ZoneInfo("America/Los_Angeles")
DAY = date(2030, 3, 12)
LUNCH = (clock(12), clock(13))
# (window, share of mentors): most stay all day.
SHAPES = [
    ([(clock(9), clock(17))], 0.6),
    ([(clock(9), clock(12))], 0.2),
    ([(clock(13), clock(17))], 0.2),
]
SECOND_BREAKS = [(clock(10, 20), clock(10, 40)), (clock(15), clock(15, 20))]
SECOND_BREAK_SHARE = 0.25


def _utc(value: clock) -> datetime:
    return datetime.combine(DAY, value, tzinfo=ZONE).astimezone(UTC)


def scenario(ventures: int, mentors: int, seed: int = 2030) -> dict[int, Availability]:
    """Seeded availability for `mentors` mentors (ids 1000 on); ventures are ids 1 on."""
    rng = random.Random(seed)
    shapes, weights = zip(*SHAPES, strict=True)
    availability = {}
    for number in range(mentors):
        windows = rng.choices(shapes, weights)[0]
        breaks = [LUNCH]
        if rng.random() < SECOND_BREAK_SHARE:
            breaks.append(rng.choice(SECOND_BREAKS))
        availability[1000 + number] = Availability(
            tuple((_utc(s), _utc(e)) for s, e in windows),
            tuple((_utc(s), _utc(e)) for s, e in breaks),
        )
    return availability


def measure(ventures: int, mentors: int, minutes: int, repeat: int) -> dict[str, float | int]:
    availability = scenario(ventures, mentors)
    rounds = day_rounds(availability, minutes)
    venture_ids = list(range(1, ventures + 1))
    timings = []
    meetings = []
    for _ in range(repeat):
        started = time.perf_counter()
        meetings = generate(rounds, availability, venture_ids)
        timings.append(time.perf_counter() - started)
    counts = [0] * ventures
    for meeting in meetings:
        counts[meeting.venture_id - 1] += 1
    bound = limits(rounds, availability, venture_ids)
    return {
        "rounds": len(rounds),
        "median_s": statistics.median(timings),
        "max_s": max(timings),
        "meetings": len(meetings),
        "most_meetings": bound.total,
        "fewest": min(counts),
        "most_for_fewest": bound.fewest,
        "most": max(counts),
    }


def report(args: argparse.Namespace) -> str:
    from bench.run import machine

    result = measure(args.ventures, args.mentors, args.minutes, args.repeat)
    return (
        f"office-hours generator: {args.ventures} ventures x {args.mentors} mentors x "
        f"{result['rounds']} rounds of {args.minutes} minutes, {args.repeat} runs\n"
        f"  median {result['median_s'] * 1000:.1f} ms, max {result['max_s'] * 1000:.1f} ms\n"
        f"  {result['meetings']} meetings (at most {result['most_meetings']} possible); each "
        f"venture meets {result['fewest']} to {result['most']} mentors (the least-served "
        f"could meet at most {result['most_for_fewest']})\n"
        f"  {clock_now().date().isoformat()}, {machine()}, Python "
        f"{platform.python_version()}"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ventures", type=int, default=40, help="ventures (40)")
    parser.add_argument("--mentors", type=int, default=60, help="mentors (60)")
    parser.add_argument("--minutes", type=int, default=20, help="meeting length (20)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (5)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.office_hours",
        description="Time the office-hours generator on a 9:00-17:00 day with a lunch break.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if min(args.ventures, args.mentors, args.repeat) < 1 or not 5 <= args.minutes <= 120:
        parser.error("ventures, mentors and repeat are at least 1; minutes 5 to 120")
    print(report(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
