"""What a worker keeps of the matching review page between requests, each value under a key
that names everything it is drawn from, so that the next request after any change draws it
again.

- The comparison (`comparison`): the draft beside each method's proposal and each venture's
  score in each, drawn from the run's `summary`, kept under the run's id and `version`. The
  version is the run's `version_id_col`: SQLAlchemy adds one to it with every UPDATE of the
  row and writes `WHERE version = <the version read>`, so no write of the summary (a review
  edit's `_compare_again`, publishing, a new run setting it aside) leaves the version it had;
  the review edits raise it themselves too. The run is read, with its version, in the same
  request before the summary is used, and the summary (a thousand rows of JSON) is read only
  when nothing is kept under that version.
- The run form's room (`room`) and the add form's choices are drawn from the rows
  `facts.room_rows` reads on every view (a few columns, nothing decoded) and the draft's
  pinned pairs, and kept under those rows themselves: equal rows give equal values, and any
  change to a venture, a counterpart's profile, a role, a name or an introduction that the
  room or the choices read gives other rows and another key.

Each worker keeps its own (incubator/kept.py); `forget()` starts from nothing (the tests do,
to count the queries of a page drawn).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from incubator.kept import Kept
from incubator.models import MatchingRun
from incubator.services.matching import capacity, facts

__all__ = ["Comparison", "comparison", "forget", "remembered", "room"]

# Values a worker keeps: a few drafts' comparisons, rooms and choices, in each language.
KEPT = 32

T = TypeVar("T")

_KEPT = Kept(KEPT)


def remembered(key: Hashable, make: Callable[[], T]) -> T:
    """`make()`'s value, made once per `key` in this worker; `key` must name everything the
    value is drawn from."""
    return _KEPT.get(key, make)


def forget() -> None:
    """Drop what this worker keeps (the tests' way to start from nothing)."""
    _KEPT.clear()


@dataclass(frozen=True)
class Comparison:
    """A draft's comparison as the review page shows it: `summary` (the draft now and each
    method's totals, without the per-venture rows), and each venture's row by id, in the
    summary's order (by name); `unmatched`, the rows of ventures the draft leaves without a
    match, with their names folded for the search."""

    summary: dict[str, Any]
    per_venture: dict[int, dict[str, Any]]
    position: dict[int, int]
    unmatched: list[tuple[str, dict[str, Any]]]

    def rows_for(self, shown: set[int], query: str, most: int) -> list[dict[str, Any]]:
        """The rows of the ventures `shown` (in the summary's order), then at most `most` of
        the ventures left without a match whose name contains `query`, whatever the case."""
        on_page = sorted(
            (venture_id for venture_id in shown if venture_id in self.per_venture),
            key=self.position.__getitem__,
        )
        wanted = query.casefold()
        unmatched = [
            row
            for folded, row in self.unmatched
            if row["venture_id"] not in shown and wanted in folded
        ]
        return [self.per_venture[venture_id] for venture_id in on_page] + unmatched[:most]


def _comparison(summary: dict[str, Any]) -> Comparison:
    rows = summary.get("per_venture", [])
    return Comparison(
        {name: value for name, value in summary.items() if name != "per_venture"},
        {row["venture_id"]: row for row in rows},
        {row["venture_id"]: position for position, row in enumerate(rows)},
        [(row["name"].casefold(), row) for row in rows if not row["draft"]],
    )


def comparison(run: MatchingRun) -> Comparison:
    """The run's comparison, kept under its id and version (its summary read only when
    nothing is kept under them)."""
    return remembered(("comparison", run.id, run.version), lambda: _comparison(run.summary))


def room(rows: facts.RoomRows, pinned: Sequence[tuple[int, str]]) -> capacity.Room | None:
    """The run form's room (`capacity.offered`) for these rows and pinned pairs, kept under
    them."""
    pairs = tuple(sorted(pinned))
    return remembered(("room", rows, pairs), lambda: capacity.offered_from(rows, pairs))
