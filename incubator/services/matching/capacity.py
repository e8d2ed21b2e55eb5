"""Whether a cohort has room for the bounds a run asks for, before solving.

- `score_cohort(cohort, kind, pinned) -> ScoredCohort`: every pair of the cohort's ventures
  and the counterparts with room, scored, with the pairs a run keeps and must not make.
- `check(scored, kind, min_per_venture, max_per_venture)`: refuses bounds the room cannot
  meet (`RoomRefused`), with the numbers and the values that would work, from the pure
  `assignment.feasibility`.
- `offered(cohort, kind, pinned) -> Room | None`: the room and the bounds the run form
  offers (at least 1 and at most 2 per venture where they can be met).
"""

from __future__ import annotations

from dataclasses import dataclass

from incubator.models import Cohort, Match, MatchKind
from incubator.services.errors import InvalidInput
from incubator.services.matching import assignment, facts, scoring
from incubator.services.matching.facts import KIND_NOUNS


class RoomRefused(InvalidInput):
    """The bounds asked for cannot be met: the message gives the numbers and what would
    work; `refill` holds run-form values that would (the minimum lowered)."""

    def __init__(self, message: str, refill: dict[str, int]):
        super().__init__(message)
        self.refill = refill


@dataclass(frozen=True)
class Room:
    """What a kind of counterpart has room for in a cohort, and the bounds the run form
    offers for it: at least 1 and at most 2 per venture where that can be met, otherwise
    the highest minimum that can."""

    kind: str
    ventures: int
    places: int
    min_per_venture: int
    max_per_venture: int


DEFAULT_BOUNDS = (1, 2)


@dataclass(frozen=True)
class ScoredCohort:
    """A cohort's score table for a kind, with the pairs a run must keep and must not make,
    as (row, column)."""

    table: scoring.ScoreTable
    fixed: list[tuple[int, int]]
    forbidden: list[tuple[int, int]]


def score_cohort(cohort: Cohort, kind: MatchKind, pinned: list[Match]) -> ScoredCohort:
    """Every pair of the cohort's ventures and the counterparts with room, scored; raises
    InvalidInput (from the pure modules' Unmatchable) where nothing can be scored."""
    cohort_facts, held = facts.facts_with_room(cohort, kind)
    with facts.unmatchable_as_invalid_input():
        table = scoring.score_all(
            cohort_facts.ventures,
            cohort_facts.counterparts,
            cohort_facts.rankings,
            facts.weights_from_config(),
        )
    row_of = {venture.id: row for row, venture in enumerate(table.ventures)}
    column_of = {c.key: column for column, c in enumerate(table.counterparts)}
    forbidden = [
        (row_of[venture.id], column_of[key])
        for venture in table.ventures
        for key in column_of
        if f"{venture.id}|{key}" in held
    ]
    fixed = [
        (row_of[m.venture_id], column_of[m.counterpart_key])
        for m in pinned
        if m.venture_id in row_of and m.counterpart_key in column_of
    ]
    return ScoredCohort(table, fixed, forbidden)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _room_refusal(
    found: assignment.Feasibility, scored: ScoredCohort, kind: MatchKind, max_per_venture: int
) -> RoomRefused:
    """The refusal of bounds that cannot be met: the numbers, then what would work."""
    noun = KIND_NOUNS[kind]
    asked = (
        f"{_plural(found.ventures, 'venture')} need at least "
        f"{_plural(found.minimum, noun)} each ({found.needed} in all"
        + (f", besides {len(scored.fixed)} pinned" if scored.fixed else "")
        + ")"
    )
    if found.places < found.needed:
        why = f"but the {noun}s have only {_plural(found.places, 'place')} left"
    else:
        why = (
            f"but only {found.fillable} of them can be made at once, with "
            f"{_plural(found.places, 'place')} left"
        )
    if found.short:
        why += ": " + "; ".join(
            f"{scored.table.ventures[row].name} can be matched with "
            + (f"no {noun}" if options == 0 else f"only {_plural(options, noun)}")
            for row, options in found.short
        )
    ways = [f"lower “At least, per venture” to {found.best_minimum}"]
    if found.extra_places:
        ways.append(
            f"raise every {noun}'s capacity by {found.extra_places} on their profile "
            f"({found.extra_places * len(scored.table.counterparts)} more places in all)"
        )
    return RoomRefused(
        f"{asked}, {why}. To propose matches, {', or '.join(ways)}.",
        {
            "min_per_venture": found.best_minimum,
            "max_per_venture": max(max_per_venture, found.best_minimum),
        },
    )


def check(
    scored: ScoredCohort, kind: MatchKind, min_per_venture: int, max_per_venture: int
) -> None:
    """Refuse bounds the room cannot meet, before solving, saying what would work."""
    with facts.unmatchable_as_invalid_input():
        found = assignment.feasibility(
            scored.table.scores,
            scored.table.capacities,
            min_per_venture,
            max_per_venture,
            scored.fixed,
            scored.forbidden,
        )
    if not found.feasible:
        raise _room_refusal(found, scored, kind, max_per_venture)


def offered(cohort: Cohort, kind: MatchKind, pinned: list[Match]) -> Room | None:
    """What the run form offers for a kind: the room, and bounds that can be met (at least 1
    and at most 2 per venture where possible); None where nothing can be scored yet (no
    ventures, no needs, nobody with room: running says what to fix)."""
    low, high = DEFAULT_BOUNDS
    try:
        scored = score_cohort(cohort, kind, pinned)
        with facts.unmatchable_as_invalid_input():
            found = assignment.feasibility(
                scored.table.scores,
                scored.table.capacities,
                low,
                high,
                scored.fixed,
                scored.forbidden,
            )
    except InvalidInput:
        return None
    return Room(kind, found.ventures, found.places, found.best_minimum, high)
