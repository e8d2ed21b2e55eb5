"""Scores and statuses in the manner of Boston's CityScore, and what may be published. Pure.

A metric's score is its latest value divided by its target, or the target divided by the
value when lower is better, so that 1.0 always means "on target". The status reads the
score against two thresholds; the headline is the mean of the scores. Figures derived from
ventures' own numbers are published for a place only when enough ventures stand behind
them (MIN_VENTURES), so that no single venture's revenue can be read off the map.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

# At or above ON_TRACK a metric meets its target (CityScore's rule); from WATCH up to it, it
# is within a tenth of it; below WATCH it is off track.
ON_TRACK = 1.0
WATCH = 0.9
# Scores are shown and averaged up to this, so that one metric far beyond its target cannot
# hide others that miss theirs (CityScore itself does not cap).
SCORE_CAP = 2.0
# A place's figure built from fewer ventures than this is not published.
MIN_VENTURES = 3


class Direction(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"

    @property
    def label(self) -> str:
        return "Higher is better" if self is Direction.HIGHER else "Lower is better"


class Status(enum.StrEnum):
    ON_TRACK = "on_track"
    WATCH = "watch"
    OFF_TRACK = "off_track"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def scored(self) -> bool:
        return self in (Status.ON_TRACK, Status.WATCH, Status.OFF_TRACK)


STATUS_LABELS = {
    Status.ON_TRACK: "On track",
    Status.WATCH: "Watch",
    Status.OFF_TRACK: "Off track",
    Status.NO_TARGET: "No target",
    Status.NO_DATA: "No data",
}


def score(actual: float | None, target: float | None, direction: str) -> float | None:
    """actual / target when higher is better, target / actual when lower is, between 0 and
    SCORE_CAP; None when there is nothing to compare.

    Lower is better and an actual of zero (nothing left of what should shrink) scores the
    cap when the target is above zero, and 1.0 when the target is zero too. A target of zero
    where higher is better cannot be divided by and gives None.
    """
    if actual is None or target is None or not (math.isfinite(actual) and math.isfinite(target)):
        return None
    if Direction(direction) is Direction.HIGHER:
        if target <= 0:
            return None
        raw = actual / target
    else:
        if target < 0:
            return None
        # Nothing left of what should shrink: the cap, or exactly on a target of zero.
        zero_actual = SCORE_CAP if target > 0 else 1.0
        raw = zero_actual if actual <= 0 else target / actual
    return min(max(raw, 0.0), SCORE_CAP)


def status(value: float | None, target: float | None, score_value: float | None) -> Status:
    """On track at ON_TRACK and above, watch from WATCH, off track below."""
    if value is None:
        return Status.NO_DATA
    if target is None or score_value is None:
        return Status.NO_TARGET
    if score_value >= ON_TRACK:
        return Status.ON_TRACK
    if score_value >= WATCH:
        return Status.WATCH
    return Status.OFF_TRACK


def headline(scores: Iterable[float | None]) -> float | None:
    """The mean of the metric scores there are (each already capped), or None."""
    present = [s for s in scores if s is not None]
    return sum(present) / len(present) if present else None


def shown_value(value: float, denominator: float | None, percent: bool) -> float:
    """The figure a reader sees: value / denominator as a rate (times 100 for a percentage),
    or the value itself."""
    if denominator:
        rate = value / denominator
        return rate * 100 if percent else rate
    return value


@dataclass(frozen=True)
class Part:
    """One place's figure, to be combined with others."""

    value: float
    denominator: float | None = None


def combine(parts: Iterable[Part]) -> Part | None:
    """Places added up: values summed, and denominators summed when every part has one, so
    that rates combine as a whole (sum of values over sum of denominators), never as a mean
    of rates."""
    parts = list(parts)
    if not parts:
        return None
    value = sum(p.value for p in parts)
    if all(p.denominator for p in parts):
        return Part(value, sum(p.denominator or 0 for p in parts))
    return Part(value)


def hidden_cells(contributors: Mapping[Hashable, int | None], minimum: int = MIN_VENTURES) -> set:
    """The cells (places of one metric and period) not to publish.

    A cell built from 1 to minimum - 1 ventures is hidden. When a single cell would be
    hidden, the smallest other cell built from ventures is hidden with it, since a published
    total minus the other cells would give it away. Cells with no count of ventures (figures
    from a department, not from ventures) are always published.
    """
    counted = {key: n for key, n in contributors.items() if n is not None}
    hidden = {key for key, n in counted.items() if 0 < n < minimum}
    if len(hidden) == 1:
        others = sorted(
            ((n, str(key), key) for key, n in counted.items() if key not in hidden and n > 0),
        )
        if others:
            hidden.add(others[0][2])
    return hidden
