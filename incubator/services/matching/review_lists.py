"""The review page's lists of a draft's matches: a page of them, filtered by the venture's or
the counterpart's name and ordered by venture, counterpart or score, and the matches one match
can be swapped with.

A draft of a thousand matches is never listed whole: each list reads one bounded page, by
keyset (the page after or before a match, compared on the sort key in SQL), so a page costs
the same few queries and the same bytes at any size of run.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, Text, and_, bindparam, cast, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from incubator.extensions import db
from incubator.models import Match, MatchingRun, MatchStatus, Organisation, User, Venture
from incubator.services.matching import review_memory
from incubator.services.matching.introductions import LIVE
from incubator.services.matching.runs import DRAFT

PAGE_SIZE = 50
SWAP_CHOICES = 25
# The orders a list can take; the first is the default.
SORTS = ("venture", "counterpart", "score")
QUERY_MOST = 100


@dataclass(frozen=True)
class Listing:
    """Which page of a draft's matches to show: matches whose venture or counterpart name
    contains `query`, in the order `sort`, after (or before) the match with that id."""

    query: str = ""
    sort: str = SORTS[0]
    after: int | None = None
    before: int | None = None

    @classmethod
    def parse(cls, query: str, sort: str, after: str, before: str) -> Listing:
        """A listing from what a link or the filter form sent; what makes no sense is ignored."""
        return cls(
            query.strip()[:QUERY_MOST],
            sort if sort in SORTS else SORTS[0],
            int(after) if after.isdigit() else None,
            None if after.isdigit() or not before.isdigit() else int(before),
        )


@dataclass(frozen=True)
class MatchPage:
    """One page of matches (`Listed` rows on the review page, `Match` objects in the swap
    search); `found` counts every match the filter finds, `live` every match still in the
    draft; `next_after` and `previous_before` anchor the neighbouring pages."""

    matches: list[Any]
    found: int
    live: int
    next_after: int | None
    previous_before: int | None


_person = aliased(User, name="counterpart_person")
_organisation = aliased(Organisation, name="counterpart_organisation")
# The matches of a page again, for their reasons.
_reasoned = aliased(Match, name="reasoned")
_counterpart_name = func.coalesce(_organisation.name, _person.name)

# Each order as its columns, each ascending (False) or descending (True); the match id last
# makes every key unique, as a keyset needs.
_ORDERS: dict[str, list[tuple[Any, bool]]] = {
    "venture": [(Venture.name, False), (Match.score, True), (Match.id, False)],
    "counterpart": [(_counterpart_name, False), (Venture.name, False), (Match.id, False)],
    "score": [(Match.score, False), (Venture.name, False), (Match.id, False)],
}


def _joined(statement: Select) -> Select:
    return (
        statement.select_from(Match)
        .join(Venture, Match.venture_id == Venture.id)
        .outerjoin(_person, Match.counterpart_id == _person.id)
        .outerjoin(_organisation, Match.organisation_id == _organisation.id)
    )


def _named(query: str):
    """Matches whose venture or counterpart name contains `query`, whatever the case."""
    return or_(
        Venture.name.icontains(query, autoescape=True),
        _counterpart_name.icontains(query, autoescape=True),
    )


def _beyond(keys: list[tuple[Any, bool]], values, forward: bool):
    """Rows after the anchor's key `values` in the order `keys` (before it, if not `forward`),
    as SQL: the first column that differs decides."""
    clauses = []
    for position, (column, descending) in enumerate(keys):
        value = values[position]
        step = column > value if forward != descending else column < value
        ties = [keys[earlier][0] == values[earlier] for earlier in range(position)]
        clauses.append(and_(*ties, step))
    return or_(*clauses)


# The statements of the first page of a draft's matches in each order, built once: building
# one costs about as much as running it.
_FIRST_PAGES: dict[Hashable, Select] = {}


def _first(criteria: list, keys: list[tuple[Any, bool]], size: int) -> Select:
    """The first `size` + 1 matches meeting `criteria` in the order `keys`, as `_NARROW`."""
    order = [column.desc() if descending else column.asc() for column, descending in keys]
    return select(*_NARROW).select_from(Match).where(*criteria).order_by(*order).limit(size + 1)


def _first_page(
    kept_as: Hashable,
    criteria: list,
    keys: list[tuple[Any, bool]],
    size: int,
    listed: tuple[Any, ...],
    params: dict[str, Any] | None,
) -> tuple[list[Any], int | None, None]:
    """`_page`'s first page of `Listed` rows, its statement built once under `kept_as` (its
    criteria and columns the same for every call with that key, their values bound)."""
    statement = _FIRST_PAGES.get(kept_as)
    if statement is None:
        first = _listed_rows(_first(criteria, keys, size), keys, True, listed)
        statement = _FIRST_PAGES.setdefault(kept_as, first)
    rows = list(db.session.execute(statement, params).all())
    more = len(rows) > size
    rows = rows[:size]
    return rows, rows[-1].id if more and rows else None, None


def _page(
    criteria: list,
    sort: str,
    after: int | None,
    before: int | None,
    size: int,
    columns: tuple[Any, ...] | None = None,
    *,
    listed: tuple[Any, ...] = (),
    params: dict[str, Any] | None = None,
) -> tuple[list[Any], int | None, int | None]:
    """One page of the matches meeting `criteria`: the page after match `after`, before match
    `before`, or the first; with the anchors of the pages either side (None at an end). The
    matches as objects, or as rows of `columns` (the first named `id`); or as `Listed` rows
    and the columns `listed` (counts) when neither `criteria` nor the order read the
    counterpart, whose name is then joined to the page alone (`_listed_rows`); `params`, the
    values of the statement's bound parameters."""
    keys = _NARROW_ORDERS[sort] if listed else _ORDERS[sort]
    anchor_id = after if after is not None else before
    forward = before is None or after is not None
    if columns:
        statement = _joined(select(*columns)).where(*criteria)
    elif listed:
        statement = select(*_NARROW).select_from(Match).where(*criteria)
    else:
        statement = _joined(select(Match)).where(*criteria)
    if anchor_id is not None:
        values = db.session.execute(
            _joined(select(*(column for column, _ in keys))).where(Match.id == anchor_id)
        ).one_or_none()
        if values is None:
            forward, anchor_id = True, None
        else:
            statement = statement.where(_beyond(keys, values, forward))
    order = [
        column.desc() if descending == forward else column.asc() for column, descending in keys
    ]
    statement = statement.order_by(*order).limit(size + 1)
    if columns:
        rows = list(db.session.execute(statement, params).all())
    elif listed:
        listed_rows = _listed_rows(statement, keys, forward, listed)
        rows = list(db.session.execute(listed_rows, params).all())
    else:
        rows = list(
            db.session.scalars(
                statement.options(
                    contains_eager(Match.venture),
                    contains_eager(Match.counterpart.of_type(_person)),
                    contains_eager(Match.organisation.of_type(_organisation)),
                )
            )
        )
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if not rows:
        return rows, None, None
    if forward:
        return rows, rows[-1].id if more else None, rows[0].id if anchor_id is not None else None
    return rows, rows[-1].id, rows[0].id if more else None


@dataclass(frozen=True)
class Named:
    name: str


@dataclass(frozen=True)
class Listed:
    """A match as the review page lists it, read as one row of the columns it shows (no
    objects for the match, its venture and its counterpart): the names as `venture.name`
    and `counterpart.name` or `organisation.name`, as on a Match."""

    id: int
    venture_id: int
    score: float
    # The reasons as the database holds them (JSON text): said once per text and language
    # (review_memory.sentences).
    reasons_text: str | None
    pinned: bool
    venture: Named
    counterpart: Named | None
    organisation: Named | None

    @property
    def reasons(self) -> list[Any]:
        return json.loads(self.reasons_text) if self.reasons_text else []


_LISTED = (
    Match.id.label("id"),
    Match.venture_id,
    Match.score,
    cast(Match.reasons, Text).label("reasons_text"),
    Match.pinned,
    Venture.name.label("venture_name"),
    _person.name.label("person_name"),
    _organisation.name.label("organisation_name"),
)


def _listed(row: Any) -> Listed:
    return Listed(
        row.id,
        row.venture_id,
        row.score,
        row.reasons_text,
        row.pinned,
        Named(row.venture_name),
        Named(row.person_name) if row.person_name is not None else None,
        Named(row.organisation_name) if row.organisation_name is not None else None,
    )


# Each match's venture's name, looked up by its key: a draft's thousand matches find theirs
# one index probe each, where a join reads every venture of every cohort to hash them.
_named_venture = aliased(Venture, name="named_venture")
_venture_name = (
    select(_named_venture.name)
    .where(_named_venture.id == Match.venture_id)
    .correlate(Match)
    .scalar_subquery()
    .label("venture_name")
)
# A page of matches before the counterparts' names are joined, and where each sort column is.
_NARROW = (
    Match.id.label("id"),
    Match.venture_id,
    Match.score,
    Match.pinned,
    _venture_name,
    Match.counterpart_id,
    Match.organisation_id,
)
_NARROW_NAMES = {"id": "id", "score": "score", "venture_name": "venture_name"}
# The orders a page needs no counterpart's name for, as `_ORDERS`, on the venture's name
# looked up.
_NARROW_ORDERS: dict[str, list[tuple[Any, bool]]] = {
    "venture": [(_venture_name, False), (Match.score, True), (Match.id, False)],
    "score": [(Match.score, False), (_venture_name, False), (Match.id, False)],
}


def _listed_rows(page: Select, keys: list[tuple[Any, bool]], forward: bool, extra) -> Select:
    """The `Listed` columns of a page of matches (`page`, ordered and limited, as `_NARROW`)
    with `extra` columns: the counterparts' names and the matches' reasons are joined to the
    page's rows alone, not carried by every match of the draft while its order picks the
    page (the reasons are the widest column)."""
    rows = page.subquery("page")
    order = []
    for column, descending in keys:
        found = rows.c[_NARROW_NAMES[column.key]]
        order.append(found.desc() if descending == forward else found.asc())
    return (
        select(
            rows.c.id,
            rows.c.venture_id,
            rows.c.score,
            cast(_reasoned.reasons, Text).label("reasons_text"),
            rows.c.pinned,
            rows.c.venture_name,
            _person.name.label("person_name"),
            _organisation.name.label("organisation_name"),
            *extra,
        )
        .select_from(rows)
        .join(_reasoned, _reasoned.id == rows.c.id)
        .outerjoin(_person, rows.c.counterpart_id == _person.id)
        .outerjoin(_organisation, rows.c.organisation_id == _organisation.id)
        .order_by(*order)
    )


def draft_page(run: MatchingRun, listing: Listing, size: int | None = None) -> MatchPage:
    """A page of a draft's matches as the review page lists them (`size` of them, a
    page unless given), counted in the same query: how many the filter finds and how many
    the draft holds."""
    run_id = bindparam("run_id", type_=Integer)
    live = [Match.run_id == run_id, Match.status.in_(LIVE)]
    named = [_named(listing.query)] if listing.query else []
    live_count = (
        select(func.count()).select_from(Match).where(*live).correlate(None).scalar_subquery()
    )
    # Without a filter, what it finds is the draft: counted once.
    counts = [live_count.label("live")]
    if named:
        found_count = _joined(select(func.count())).where(*live, *named).correlate(None)
        counts.append(found_count.scalar_subquery().label("found"))
    # Ordered by venture or score and found by nothing, the page needs no counterpart's name.
    narrow = not named and listing.sort != "counterpart"
    size = size or PAGE_SIZE
    params = {"run_id": run.id}
    if narrow and listing.after is None and listing.before is None:
        kept_as = (db.session.get_bind().dialect.name, listing.sort, size)
        rows, next_after, previous_before = _first_page(
            kept_as, live, _NARROW_ORDERS[listing.sort], size, tuple(counts), params
        )
    else:
        rows, next_after, previous_before = _page(
            live + named,
            listing.sort,
            listing.after,
            listing.before,
            size,
            None if narrow else (*_LISTED, *counts),
            listed=tuple(counts) if narrow else (),
            params=params,
        )
    if rows:
        total = rows[0].live
        found = rows[0].found if named else total
    else:
        # No row to carry the counts: counted alone.
        total, *rest = db.session.execute(select(*counts), params).one()
        found = rest[0] if named else total
    matches = [_listed(row) for row in rows]
    return MatchPage(matches, int(found or 0), int(total or 0), next_after, previous_before)


def swap_candidates(
    match: Match, listing: Listing, *, keep: int | None = None, size: int | None = None
) -> MatchPage:
    """The matches of the same draft `match` can be swapped with, a page at a time: proposed,
    not pinned, another venture's with another counterpart, and pairing nobody twice. `keep`,
    a match of the draft chosen before (a swap refused as stale), comes first even if it can
    no longer be swapped, so the choice is shown as it was made."""
    live = aliased(Match)
    # Each side's live counterparts or ventures, read once (a few rows each), not per
    # candidate: the other venture must not have this counterpart already, nor this
    # venture the other's.
    with_this_counterpart = select(live.venture_id).where(
        live.kind == match.kind,
        live.counterpart_key == match.counterpart_key,
        live.status.in_(LIVE),
    )
    this_venture_has = select(live.counterpart_key).where(
        live.venture_id == match.venture_id, live.kind == match.kind, live.status.in_(LIVE)
    )
    swappable = [
        Match.run_id == match.run_id,
        Match.status == MatchStatus.PROPOSED,
        Match.pinned.is_(False),
        Match.id != match.id,
        Match.venture_id != match.venture_id,
        Match.counterpart_key != match.counterpart_key,
        Match.venture_id.not_in(with_this_counterpart),
        Match.counterpart_key.not_in(this_venture_has),
    ]
    named = [_named(listing.query)] if listing.query else []
    found = db.session.scalar(_joined(select(func.count())).where(*swappable, *named))
    matches, next_after, previous_before = _page(
        swappable + named, SORTS[0], listing.after, listing.before, size or SWAP_CHOICES
    )
    if keep is not None and keep not in {other.id for other in matches}:
        kept = db.session.get(Match, keep)
        if kept is not None and kept.run_id == match.run_id:
            matches.insert(0, kept)
    return MatchPage(matches, found or 0, found or 0, next_after, previous_before)


def under_review(match: Match) -> bool:
    """A proposed match of a draft: one the review can still change."""
    return (
        match.run is not None and match.run.status == DRAFT and match.status == MatchStatus.PROPOSED
    )


def scores_on_page(
    comparison: review_memory.Comparison, page: MatchPage, listing: Listing
) -> list[dict[str, Any]]:
    """The comparison's rows (each venture's score in the draft and in each method's
    proposal) for the ventures on a page, then for ventures the draft leaves without a match
    (at most a page of those, named as the filter asks), which no page of matches shows."""
    shown = {match.venture_id for match in page.matches}
    return comparison.rows_for(shown, listing.query, PAGE_SIZE)
