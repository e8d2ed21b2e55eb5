"""Whether a cohort has room for the bounds a run asks for, before solving.

- `score_cohort(cohort, kind, pinned) -> ScoredCohort`: every pair of the cohort's ventures
  and the counterparts with room, scored, with the pairs a run keeps and must not make.
- `check(scored, kind, min_per_venture, max_per_venture)`: refuses bounds the room cannot
  meet (`RoomRefused`), with the numbers and the values that would work, from the pure
  `assignment.feasibility`.
- `offered(cohort, kind, pinned) -> Room | None`: the room and the bounds the run form
  offers (at least 1 and at most 2 per venture where they can be met), from classes of
  venture and counterpart (`assignment.feasibility_by_class`), scoring no pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from incubator.models import Cohort, Match, MatchKind
from incubator.services.errors import InvalidInput
from incubator.services.matching import assignment, facts, scoring


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


def _kept_and_held(
    cohort_facts: facts.CohortFacts,
    held: set[tuple[int, str]],
    pinned: Sequence[tuple[int, str]],
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The pinned pairs a run keeps and the held or declined pairs it must not make, as
    (row, column) of the facts' ventures and counterparts."""
    row_of = {venture.id: row for row, venture in enumerate(cohort_facts.ventures)}
    column_of = {c.key: column for column, c in enumerate(cohort_facts.counterparts)}
    forbidden = sorted(
        (row_of[venture_id], column_of[key])
        for venture_id, key in held
        if venture_id in row_of and key in column_of
    )
    fixed = [
        (row_of[venture_id], column_of[key])
        for venture_id, key in pinned
        if venture_id in row_of and key in column_of
    ]
    return fixed, forbidden


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
    pairs = [(m.venture_id, m.counterpart_key) for m in pinned]
    fixed, forbidden = _kept_and_held(cohort_facts, held, pairs)
    return ScoredCohort(table, fixed, forbidden)


def _counterparts(kind: MatchKind, count: int) -> str:
    """A number of counterparts of a kind, in words: "1 mentor", "2 partner organisations"."""
    if kind == MatchKind.MENTOR:
        return ngettext("%(num)d mentor", "%(num)d mentors", count)
    if kind == MatchKind.FUNDER:
        return ngettext("%(num)d funder", "%(num)d funders", count)
    return ngettext("%(num)d partner organisation", "%(num)d partner organisations", count)


def _all_of_kind(kind: MatchKind) -> str:
    """The counterparts of a kind, all of them, as a sentence names them."""
    if kind == MatchKind.MENTOR:
        return _("the mentors")
    if kind == MatchKind.FUNDER:
        return _("the funders")
    return _("the partner organisations")


def _short(kind: MatchKind, venture: str, options: int) -> str:
    """Why one venture cannot have its minimum: the counterparts it may be matched with."""
    if options == 0:
        if kind == MatchKind.MENTOR:
            return _("%(venture)s can be matched with no mentor", venture=venture)
        if kind == MatchKind.FUNDER:
            return _("%(venture)s can be matched with no funder", venture=venture)
        return _("%(venture)s can be matched with no partner organisation", venture=venture)
    return _(
        "%(venture)s can be matched with only %(counterparts)s",
        venture=venture,
        counterparts=_counterparts(kind, options),
    )


def _more_places(kind: MatchKind, best: int, extra: int, more: int) -> str:
    """The advice that ends a refusal: lower the minimum, or add places to everyone."""
    if not extra:
        return _("To propose matches, lower “At least, per venture” to %(best)d.", best=best)
    values = {"best": best, "extra": extra}
    if kind == MatchKind.MENTOR:
        return ngettext(
            "To propose matches, lower “At least, per venture” to %(best)d, or raise every "
            "mentor's capacity by %(extra)d on their profile (%(num)d more place in all).",
            "To propose matches, lower “At least, per venture” to %(best)d, or raise every "
            "mentor's capacity by %(extra)d on their profile (%(num)d more places in all).",
            more,
            **values,
        )
    if kind == MatchKind.FUNDER:
        return ngettext(
            "To propose matches, lower “At least, per venture” to %(best)d, or raise every "
            "funder's capacity by %(extra)d on their profile (%(num)d more place in all).",
            "To propose matches, lower “At least, per venture” to %(best)d, or raise every "
            "funder's capacity by %(extra)d on their profile (%(num)d more places in all).",
            more,
            **values,
        )
    return ngettext(
        "To propose matches, lower “At least, per venture” to %(best)d, or raise every partner "
        "organisation's capacity by %(extra)d on their profile (%(num)d more place in all).",
        "To propose matches, lower “At least, per venture” to %(best)d, or raise every partner "
        "organisation's capacity by %(extra)d on their profile (%(num)d more places in all).",
        more,
        **values,
    )


def _short_of_room(found: assignment.Feasibility, scored: ScoredCohort, kind: MatchKind) -> str:
    """The numbers that say why the bounds cannot be met, in one sentence."""
    values = {
        "ventures": ngettext("%(num)d venture", "%(num)d ventures", found.ventures),
        "minimum": _counterparts(kind, found.minimum),
        "in_all": (
            _(
                "%(needed)d in all, besides %(pinned)d pinned",
                needed=found.needed,
                pinned=len(scored.fixed),
            )
            if scored.fixed
            else _("%(needed)d in all", needed=found.needed)
        ),
        "places": ngettext("%(num)d place", "%(num)d places", found.places),
        "counterparts": _all_of_kind(kind),
        "fillable": found.fillable,
        "short": "; ".join(
            _short(kind, scored.table.ventures[row].name, options) for row, options in found.short
        ),
    }
    if found.places < found.needed:
        if found.short:
            return ngettext(
                "%(ventures)s needs at least %(minimum)s each (%(in_all)s), but "
                "%(counterparts)s have only %(places)s left: %(short)s.",
                "%(ventures)s need at least %(minimum)s each (%(in_all)s), but "
                "%(counterparts)s have only %(places)s left: %(short)s.",
                found.ventures,
                **values,
            )
        return ngettext(
            "%(ventures)s needs at least %(minimum)s each (%(in_all)s), but "
            "%(counterparts)s have only %(places)s left.",
            "%(ventures)s need at least %(minimum)s each (%(in_all)s), but "
            "%(counterparts)s have only %(places)s left.",
            found.ventures,
            **values,
        )
    if found.short:
        return ngettext(
            "%(ventures)s needs at least %(minimum)s each (%(in_all)s), but only %(fillable)d "
            "of them can be made at once, with %(places)s left: %(short)s.",
            "%(ventures)s need at least %(minimum)s each (%(in_all)s), but only %(fillable)d "
            "of them can be made at once, with %(places)s left: %(short)s.",
            found.ventures,
            **values,
        )
    return ngettext(
        "%(ventures)s needs at least %(minimum)s each (%(in_all)s), but only %(fillable)d "
        "of them can be made at once, with %(places)s left.",
        "%(ventures)s need at least %(minimum)s each (%(in_all)s), but only %(fillable)d "
        "of them can be made at once, with %(places)s left.",
        found.ventures,
        **values,
    )


def _room_refusal(
    found: assignment.Feasibility, scored: ScoredCohort, kind: MatchKind, max_per_venture: int
) -> RoomRefused:
    """The refusal of bounds that cannot be met: the numbers, then what would work."""
    more = (found.extra_places or 0) * len(scored.table.counterparts)
    advice = _more_places(kind, found.best_minimum, found.extra_places or 0, more)
    return RoomRefused(
        f"{_short_of_room(found, scored, kind)} {advice}",
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
    ventures, no needs, nobody with room: running says what to fix).

    The review page asks this on every view, so it scores no pair: whether bounds can be met
    reads only which classes of venture and counterpart may meet (the same answer as
    `check` gives from the scored table, from a flow whose size does not grow with the
    pairs)."""
    return offered_from(
        facts.room_rows(cohort, kind), [(m.venture_id, m.counterpart_key) for m in pinned]
    )


def offered_from(rows: facts.RoomRows, pinned: Sequence[tuple[int, str]]) -> Room | None:
    """`offered` from its rows as read and the pinned pairs (venture id, counterpart key)."""
    low, high = DEFAULT_BOUNDS
    try:
        cohort_facts, held = facts.room_facts(rows)
        fixed, forbidden = _kept_and_held(cohort_facts, held, pinned)
        with facts.unmatchable_as_invalid_input():
            scoring.check_facts(cohort_facts.ventures, cohort_facts.counterparts)
            eligible, venture_class, counterpart_class = scoring.eligibility_classes(
                cohort_facts.ventures, cohort_facts.counterparts
            )
            found = assignment.feasibility_by_class(
                eligible,
                venture_class,
                counterpart_class,
                [c.capacity for c in cohort_facts.counterparts],
                low,
                high,
                fixed,
                forbidden,
            )
    except InvalidInput:
        return None
    return Room(rows.kind, found.ventures, found.places, found.best_minimum, high)
