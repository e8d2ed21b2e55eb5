"""Time a full matching run, scores then assignment: `python -m bench.matching`.

    .venv/bin/python -m bench.matching                    # 1,000 ventures x 500 mentors, 3 runs
    .venv/bin/python -m bench.matching --ventures 200 --mentors 100 --max 2
    .venv/bin/python -m bench.run --matching               # the same, from the benchmark

Ventures and mentors get seeded needs, expertise, challenge and impact areas,
neighbourhoods and languages from the shared word lists, and a tenth of the pairs
ranked each other after office hours. Scoring (`score_all`) and assignment (`assign`)
are timed separately; no database, no web server.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time

from incubator import clock
from incubator.services.matching.assignment import assign
from incubator.services.matching.scoring import (
    CounterpartFacts,
    MatchWeights,
    MutualRank,
    VentureFacts,
    score_all,
)
from incubator.vocabulary import CHALLENGE_AREAS, IMPACT_AREAS, LANGUAGES, NEEDS, NEIGHBOURHOODS

EXPERTISE = [
    "Procurement",
    "Government sales",
    "Open data",
    "Fundraising",
    "Legal",
    "Service design",
    "Software engineering",
    "Marketing",
    "Partnerships",
    "Coaching",
]
STAGES = ["concept", "prototype", "pilot", "launch", "adoption"]
RANKED_SHARE = 0.1


def scenario(ventures: int, mentors: int, capacity: int, seed: int = 2030):
    """Seeded ventures (ids 1 on), mentors (keys user:1000 on) and mutual rankings."""
    rng = random.Random(seed)
    venture_facts = [
        VentureFacts(
            id=number,
            name=f"Venture {number}",
            needs=tuple(rng.sample(NEEDS, rng.randint(1, 3))),
            challenge_area=rng.choice(CHALLENGE_AREAS),
            stage=rng.choice(STAGES),
            impact_areas=tuple(rng.sample(IMPACT_AREAS, rng.randint(0, 2))),
            neighbourhoods=tuple(rng.sample(NEIGHBOURHOODS, rng.randint(0, 2))),
            languages=("English", *rng.sample(LANGUAGES[1:6], rng.randint(0, 1))),
        )
        for number in range(1, ventures + 1)
    ]
    mentor_facts = [
        CounterpartFacts(
            key=f"user:{1000 + number}",
            name=f"Mentor {number}",
            kind="mentor",
            capacity=capacity,
            tags=tuple(rng.sample(EXPERTISE, rng.randint(1, 3))),
            challenge_areas=tuple(rng.sample(CHALLENGE_AREAS, rng.randint(1, 2))),
            languages=("English", *rng.sample(LANGUAGES[1:8], rng.randint(0, 2))),
            headline="Twenty years in city services.",
        )
        for number in range(mentors)
    ]
    rankings = {}
    for venture in venture_facts:
        for mentor in rng.sample(mentor_facts, max(1, int(mentors * RANKED_SHARE / 10))):
            rankings[(venture.id, mentor.key)] = MutualRank(rng.randint(1, 5), rng.randint(1, 5))
    return venture_facts, mentor_facts, rankings


def measure(ventures: int, mentors: int, capacity: int, most: int, repeat: int) -> dict:
    venture_facts, mentor_facts, rankings = scenario(ventures, mentors, capacity)
    weights = MatchWeights()
    scoring, assigning, totals = [], [], []
    pairs = 0
    for _ in range(repeat):
        started = time.perf_counter()
        table = score_all(venture_facts, mentor_facts, rankings, weights)
        scored = time.perf_counter()
        result = assign(table.scores, table.capacities, min(1, most), most)
        assigning.append(time.perf_counter() - scored)
        scoring.append(scored - started)
        totals.append(result.total)
        pairs = len(result.pairs)
    runs = [a + b for a, b in zip(scoring, assigning, strict=True)]
    return {
        "scoring": scoring,
        "assigning": assigning,
        "runs": runs,
        "pairs": pairs,
        "total": totals[-1],
    }


def _line(name: str, timings: list[float]) -> str:
    return (
        f"  {name}: median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms"
    )


def report(args: argparse.Namespace) -> str:
    from bench.run import machine

    result = measure(args.ventures, args.mentors, args.capacity, args.max, args.repeat)
    return "\n".join(
        [
            f"matching: {args.ventures} ventures x {args.mentors} mentors (capacity "
            f"{args.capacity}), 1 to {args.max} per venture, {args.repeat} runs",
            _line("scoring", result["scoring"]),
            _line("assignment", result["assigning"]),
            _line("full run", result["runs"]),
            f"  {result['pairs']} pairs, total score {result['total']:.1f}",
            f"  {clock.now().date().isoformat()}, {machine()}, Python {platform.python_version()}",
        ]
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ventures", type=int, default=1000, help="ventures (1000)")
    parser.add_argument("--mentors", type=int, default=500, help="mentors (500)")
    parser.add_argument("--capacity", type=int, default=3, help="ventures per mentor (3)")
    parser.add_argument("--max", type=int, default=1, help="mentors per venture (1)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (3)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.matching",
        description="Time scoring and assignment of a full matching run.",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if min(args.ventures, args.mentors, args.capacity, args.max, args.repeat) < 1:
        parser.error("ventures, mentors, capacity, max and repeat are at least 1")
    if args.ventures > args.mentors * args.capacity:
        parser.error("mentors x capacity must be at least the number of ventures")
    print(report(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
