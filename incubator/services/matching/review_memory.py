"""What a worker keeps of the matching review page between requests, each value under a key
that names everything it is drawn from, so that the next request after any change draws it
again.

- The comparison (`comparison`): the draft beside each method's proposal and each venture's
  score in each, drawn from the run's `summary` (a row per venture, JSON), kept under the
  cohort's matching stamps as read with the run (`runs.cohort_runs`) and the run: the
  summary is read and decoded only where nothing is kept.
- What the run form's room and the add form's choices are drawn from (`room_rows`: the
  cohort's ventures, the counterparts open to matching, the pairs held or declined, the
  places taken elsewhere, the draft's pins, as `facts.room_rows` reads them in one query of
  JSON texts), kept under the cohort's matching stamps as read with its runs
  (services/matching/stamps.py), the kind and the draft: read again only after a write the
  stamps watch has committed (triggers of migration 0025_review, which watch the runs'
  summaries too), or in a transaction that wrote one.
- A page of a draft's matches (`page`), as `review_lists.draft_page` reads it, kept under
  the same stamps (which change with every write to a run's matches), the run and the
  listing (filter, order, anchor).
- The room (`room`) and the add form's written-out choices, kept under those rows' texts.
- A match's reasons in a language (`sentences`), kept under their JSON text and the language.

Every other key is the very text its value is decoded and drawn from, read in the request
that shows it: any change to what a value shows (an edit of the draft, a venture, a profile,
a role, a name, an introduction anywhere, a pin) changes that text, or the stamps the rows
are kept under, so a value drawn before the change is never found again, whatever changed it
and whoever did.

Each worker keeps its own (incubator/kept.py); `forget()` starts from nothing (the tests do,
to count the queries of a page drawn).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from incubator import i18n
from incubator.kept import Kept
from incubator.models import MatchingRun
from incubator.services.matching import capacity, facts, reasons

__all__ = [
    "Comparison",
    "comparison",
    "forget",
    "page",
    "remembered",
    "room",
    "room_rows",
    "sentences",
]

# Values a worker keeps: the comparison, the room, the add form's lists, the forms, the rows
# of a page of matches and the drawn section of a few drafts, about seven values a page
# viewed (a draft of a thousand ventures keeps about a megabyte and a half).
KEPT = 24

T = TypeVar("T")

_KEPT = Kept(KEPT)
# A match's reasons said in a language, by their text: a page of matches says fifty.
SENTENCES = 2048
_SENTENCES = Kept(SENTENCES)
# What the rooms and add forms of a few drafts are drawn from, as read (`facts.RoomRows`:
# about 150 KB for a thousand ventures and five hundred mentors).
ROOM_ROWS = 8
_ROOM_ROWS = Kept(ROOM_ROWS)
# Pages of drafts' matches as read (`review_lists.MatchPage`: fifty rows, about 40 KB).
PAGES = 32
_PAGES = Kept(PAGES)


def remembered(key: Hashable, make: Callable[[], T]) -> T:
    """`make()`'s value, made once per `key` in this worker; `key` must name everything the
    value is drawn from."""
    return _KEPT.get(key, make)


def forget() -> None:
    """Drop what this worker keeps (the tests' way to start from nothing)."""
    _KEPT.clear()
    _SENTENCES.clear()
    _ROOM_ROWS.clear()
    _PAGES.clear()


def sentences(reasons_text: str | None) -> list[str]:
    """A match's reasons (as the database holds them, JSON text) said in the request's
    language (`reasons.sentences`), kept under the text and the language."""
    if not reasons_text:
        return []
    return _SENTENCES.get(
        (i18n.current_language(), reasons_text),
        lambda: reasons.sentences(json.loads(reasons_text)),
    )


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


def comparison(run: MatchingRun, stamp: str | None) -> Comparison:
    """The run's comparison, kept under the cohort's matching stamps as read with the run
    (`stamp`, `runs.cohort_runs`: they change with every write of a run's summary), its
    summary read (one query) and decoded only where nothing is kept; drawn each time without
    a stamp."""
    if stamp is None:
        return _comparison(run.summary)
    return remembered(("comparison", stamp, run.id), lambda: _comparison(run.summary))


def room(rows: facts.RoomRows, pinned: Sequence[tuple[int, str]]) -> capacity.Room | None:
    """The run form's room (`capacity.offered`) for these rows and pinned pairs, kept under
    them."""
    pairs = tuple(sorted(pinned))
    return remembered(("room", rows, pairs), lambda: capacity.offered_from(rows, pairs))


def page(stamp: str | None, scope: tuple[Hashable, ...], read: Callable[[], T]) -> T:
    """A page of a draft's matches (`read()`, `review_lists.draft_page`), kept under the
    cohort's matching stamps as read in this request (they change with every write to a
    run's matches, their ventures' names and their counterparts' names) and `scope` (the run
    and the listing); read every time without a stamp."""
    if stamp is None:
        return read()
    return _PAGES.get(("page", stamp, scope), read)


def room_rows(
    stamp: str | None, scope: tuple[Hashable, ...], read: Callable[[], facts.RoomRows]
) -> facts.RoomRows:
    """What a room and an add form are drawn from (`read()`, `facts.room_rows`), kept under
    the cohort's matching stamps as read in this request (services/matching/stamps.py) and
    `scope` (the cohort, the kind and the draft); read every time without a stamp."""
    if stamp is None:
        return read()
    return _ROOM_ROWS.get(("room rows", stamp, scope), read)
