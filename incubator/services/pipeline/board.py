"""The pipeline board: a cohort's ventures by stage, with risk, check-ins and milestones.

The database filters, counts, sorts and pages the ventures (risk included, through
`risk.risk_rows`); only the ventures a page shows are read, with their stored facts, and
have their reasons put into words. Pages go by keyset (the last row's sort key), never by OFFSET, so
a later page costs what the first does; the CSV export reads the same query in batches.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask_babel import get_translations
from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql

from incubator import clock, i18n
from incubator.extensions import db
from incubator.i18n import N_
from incubator.kept import Kept
from incubator.models import (
    Cohort,
    PipelineFacts,
    Stage,
    User,
    Venture,
    VentureMember,
    VentureStatus,
)
from incubator.services import json_rows
from incubator.services.pipeline import facts, risk, risk_rules
from incubator.services.pipeline.stages import STAGES, stage_label
from incubator.services.spreadsheets import spreadsheet_safe
from incubator.vocabulary import CHALLENGE_AREAS, NEIGHBOURHOODS

T = TypeVar("T")

# Cards per stage column, rows per table page, ventures per CSV batch. Ten cards fill a
# column about a screen high; the column's count says how many more there are, and the
# cards run by name, so the next ten are no more telling than the first (at risk is a
# filter; the table pages fifty rows in any order).
CARDS_PER_COLUMN = 10
ROWS_PER_PAGE = 50
CSV_BATCH = 1000
# A search longer than this is cut: a name is at most 160 characters.
SEARCH_LIMIT = 160
# Statements kept by their shape (see `_kept`): a few per cohort, filter and page in use,
# each with what the engine compiled from it under 80 KB.
STATEMENTS = 128
# Rows kept by what they say (see `_rows_from`): every card of a few boards in two languages.
ROWS = 4096


@dataclass(frozen=True)
class ShownVenture:
    """What a card or a row says of the venture itself: its name, and its id for the link."""

    id: int
    name: str


@dataclass(frozen=True)
class BoardRow:
    """One venture on the board, with everything its card and table row show."""

    venture: ShownVenture
    stage: Stage
    risk: tuple[risk.RiskReason, ...]
    # The Monday of the week of the last check-in, and the days since; None without one.
    last_check_in_on: date | None
    check_in_age: int | None
    milestones_done: int
    milestones_total: int
    members: tuple[str, ...]
    challenge_area: str
    neighbourhoods: tuple[str, ...]

    @property
    def at_risk(self) -> bool:
        return bool(self.risk)


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    # The column's first cards (or those after `Board.after`), at most CARDS_PER_COLUMN.
    rows: list[BoardRow]
    # How many ventures the column holds under the filters, shown or not.
    count: int = 0
    # The cursor of the next cards when there are more; None at the end.
    more: str | None = None


@dataclass(frozen=True)
class Filters:
    """The board's filters, understood (None is no filter)."""

    challenge_area: str | None = None
    neighbourhood: str | None = None
    at_risk: bool | None = None
    stage: Stage | None = None
    search: str | None = None


@dataclass
class Board:
    cohort: Cohort
    today: date
    # "columns" (cards by stage) or "table".
    view: str
    columns: list[BoardColumn]
    # The table's page (in the columns view: every card shown, column after column).
    page_rows: list[BoardRow]
    # Active ventures in the cohort before the filters, and those that pass them.
    total: int
    matching: int
    at_risk_count: int
    filters: Filters = field(default_factory=Filters)
    sort: str = "name"
    descending: bool = False
    # The cursor this page starts after (None on the first page), and the next page's.
    after: str | None = None
    next_page: str | None = None
    # Filter or sort values that were not understood and so were left out, said for a person.
    ignored: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[BoardRow]:
        return self.page_rows

    @property
    def filtered(self) -> bool:
        return any(value is not None for value in vars(self.filters).values())

    # The filters as the template and the route read them.
    @property
    def challenge_area(self) -> str | None:
        return self.filters.challenge_area

    @property
    def neighbourhood(self) -> str | None:
        return self.filters.neighbourhood

    @property
    def at_risk(self) -> bool | None:
        return self.filters.at_risk

    @property
    def stage(self) -> Stage | None:
        return self.filters.stage

    @property
    def search(self) -> str | None:
        return self.filters.search


# The table's sortable columns, key -> label, translated where shown. Names, then ids,
# break every tie, ascending whichever way the column goes.
SORTS: dict[str, str] = {
    "name": N_("Venture"),
    "stage": N_("Stage"),
    "risk": N_("Risk"),
    "check_in": N_("Last check-in"),
    "milestones": N_("Milestones"),
    "challenge_area": N_("Challenge area"),
}

# The sorts that read the risk rows.
RISK_SORTS = {"risk", "check_in", "milestones"}
# Never checked in sorts as the oldest check-in of all.
NEVER = date(1, 1, 1)


def sort_labels() -> dict[str, str]:
    """The table's sortable columns, key -> label in the request's language."""
    return {key: _(label) for key, label in SORTS.items()}


@dataclass(frozen=True)
class _SortKey:
    """One part of the table's order: the expression, whether it runs backwards, and how
    a cursor's JSON value is read back."""

    expression: SQLColumnExpression[Any]
    descending: bool
    read: type = str

    def value(self, raw: object) -> object:
        if self.read is date:
            return date.fromisoformat(str(raw))
        return self.read(raw)


def _sort_keys(sort: str, descending: bool, rows: Subquery | None) -> list[_SortKey]:
    """The ORDER BY of the table: the column asked for, then name and id ascending."""
    primary: list[_SortKey] = []
    if sort == "stage":
        order = case(
            {stage.value: index for index, stage in enumerate(STAGES)}, value=Venture.stage
        )
        primary = [_SortKey(order, descending, int)]
    elif sort == "challenge_area":
        primary = [_SortKey(func.lower(Venture.challenge_area), descending)]
    elif sort == "risk" and rows is not None:
        primary = [_SortKey(rows.c.reasons, descending, int)]
    elif sort == "check_in" and rows is not None:
        # Ascending is the most recent first: the fewest days since.
        last = func.coalesce(rows.c.last_check_in_on, NEVER)
        primary = [_SortKey(last, not descending, date)]
    elif sort == "milestones" and rows is not None:
        # Equal shares: more milestones done ranks higher (3 of 6 above 1 of 2).
        share = case(
            (
                rows.c.milestones_total > 0,
                cast(rows.c.milestones_done, Float) / rows.c.milestones_total,
            ),
            else_=0.0,
        )
        primary = [
            _SortKey(share, descending, float),
            _SortKey(rows.c.milestones_done, descending, int),
        ]
    name = func.lower(Venture.name)
    if sort == "name":
        return [_SortKey(name, descending), _SortKey(Venture.id, descending, int)]
    return [*primary, _SortKey(name, False), _SortKey(Venture.id, False, int)]


def _ordering(keys: Sequence[_SortKey]) -> list[ColumnElement[Any]]:
    return [key.expression.desc() if key.descending else key.expression.asc() for key in keys]


def _after(keys: Sequence[_SortKey], values: Sequence[object]) -> ColumnElement[bool]:
    """The rows that come after `values` in the order of `keys` (a keyset condition)."""
    condition: ColumnElement[bool] | None = None
    for key, value in reversed(list(zip(keys, values, strict=True))):
        beyond = key.expression < value if key.descending else key.expression > value
        condition = (
            beyond if condition is None else or_(beyond, and_(key.expression == value, condition))
        )
    assert condition is not None
    return condition


def _cursor(keys: Sequence[_SortKey], row: Sequence[object]) -> str:
    """A row's sort key as a cursor for a link: a JSON list."""
    return json.dumps(
        [value.isoformat() if isinstance(value, date) else value for value in row[: len(keys)]],
        separators=(",", ":"),
    )


def _read_cursor(keys: Sequence[_SortKey], cursor: str | None) -> list[object] | None:
    """The sort key a cursor holds; None when there is none or it does not fit this order."""
    if not cursor:
        return None
    try:
        raw = json.loads(cursor)
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        return [key.value(value) for key, value in zip(keys, raw, strict=True)]
    except (ValueError, TypeError):
        return None


def _json_items(column):
    """The text items of a JSON list column, as a column to select from, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(column).column_valued("item")
    return func.json_each(column).table_valued("value").c.value


def _conditions(cohort: Cohort, filters: Filters) -> list[ColumnElement[bool]]:
    """The cohort's active ventures that pass the filters, risk aside."""
    conditions = [Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE]
    if filters.challenge_area is not None:
        conditions.append(Venture.challenge_area == filters.challenge_area)
    if filters.neighbourhood is not None:
        items = _json_items(Venture.neighbourhoods)
        conditions.append(exists(select(1).where(items == filters.neighbourhood)))
    if filters.stage is not None:
        conditions.append(Venture.stage == filters.stage)
    if filters.search:
        conditions.append(
            func.lower(Venture.name).contains(filters.search.lower(), autoescape=True)
        )
    return conditions


@dataclass(frozen=True)
class _Selection:
    """The ventures the filters select, and their risk rows."""

    where: ColumnElement[bool]
    rows: Subquery
    at_risk: bool | None

    def select(self, *columns, with_risk: bool = False) -> Select:
        """Columns over the selected ventures; joined to their risk rows when the columns
        read them or the at-risk filter is on (the join is what costs)."""
        query = select(*columns).where(self.where)
        if not with_risk and self.at_risk is None:
            return query
        query = query.join(self.rows, self.rows.c.venture_id == Venture.id)
        if self.at_risk is True:
            query = query.where(self.rows.c.reasons > 0)
        elif self.at_risk is False:
            query = query.where(self.rows.c.reasons == 0)
        return query

    # At least one rule applies, in `flat` queries: the rules ORed, so the database stops at
    # the first that does, where the risk rows add up every rule for every venture.
    risky: ColumnElement[bool]
    # The same, NULL for some ventures not at risk (risk.any_rule): to count, never negated.
    any_rule: ColumnElement[bool]
    # The cohort's stage plans (risk.cohort_plans).
    plans: Mapping[str, int]

    def flat(self, *columns) -> Select:
        """Columns over the selected ventures (at risk or not, as filtered) in the risk rows'
        own FROM: the ventures joined to their facts. Unlike a join to the risk rows, which
        the database may work out for the whole cohort first, it reads each venture's facts
        as it goes, so a count is one pass and a LIMIT in index order stops early."""
        query = _risk_select(self.rows.element).with_only_columns(*columns)
        if self.at_risk is True:
            query = query.where(self.risky)
        elif self.at_risk is False:
            query = query.where(~self.risky)
        return query


def _risk_select(query: object) -> Select:
    """The risk rows' SELECT (`risk_rows` builds a Select; its subquery types it wider)."""
    assert isinstance(query, Select)
    return query


def _selection(
    cohort: Cohort, filters: Filters, today: date, plans: Mapping[str, int]
) -> _Selection:
    """The ventures the filters select, for a cohort whose stage plans are `plans`
    (risk.cohort_plans: they put its stages' deadlines in the statements)."""
    where = and_(*_conditions(cohort, filters))
    return _Selection(
        where,
        risk.risk_rows(today, where, plans),
        filters.at_risk,
        risk.at_risk_condition(today, plans),
        risk.any_rule(today, plans),
        plans,
    )


# Statements kept by what they are built from ----------------------------------------------
#
# SQLAlchemy builds a statement in Python, and the board's (the rules as conditions, a pick
# per stage) took longer to build than the database takes to answer them at 10,000 ventures.
# A statement holds no rows, only the values it was built from, so each is kept under those
# values (its shape: the database, the cohort, the filters, the day, the stage plans, the
# rules' thresholds and the program's time zone; for a page, the stages it picks from, its
# size and its cursor). A kept statement costs its cache key when it runs, and the engine
# keeps its compiled SQL.


@dataclass(frozen=True)
class _Shape:
    """Everything a board's statements are built from, but the page's stages and cursor."""

    dialect: str
    cohort_id: int
    filters: Filters
    today: date
    plans: tuple[tuple[str, int], ...]
    thresholds: risk_rules.Thresholds
    # The statements compare timestamps with the moments the program's days begin.
    zone: ZoneInfo


_STATEMENTS = Kept(STATEMENTS)


def forget() -> None:
    """Drop the statements and rows this worker keeps (the tests start each from nothing)."""
    _STATEMENTS.clear()
    _ROWS.clear()


def _shape(cohort: Cohort, filters: Filters, today: date, plans: Mapping[str, int]) -> _Shape:
    return _Shape(
        db.session.get_bind().dialect.name,
        cohort.id,
        filters,
        today,
        tuple(sorted(plans.items())),
        risk.thresholds(),
        clock.program_zone(),
    )


def _kept(shape: _Shape, part: Hashable, build: Callable[[], T]) -> T:
    """The statement (or statement part) `part` of a board of this shape, built once."""
    return _STATEMENTS.get((shape, part), build)


def _counts(cohort: Cohort, filters: Filters, selection: _Selection) -> Select:
    """(stage, ventures, of them at risk) for each stage of the ventures the filters select.

    Filtered by stage or risk alone, from the facts alone, which carry each venture's
    cohort, status and stage (ix_pipeline_facts_cohort_risk, which holds the columns the
    rules read too): joining the cohort's ventures to them took the database twice as long.
    Filtered by what only a venture has (area, neighbourhood, name), over the ventures
    joined to their facts."""
    # FILTER rather than SUM(CASE ...), and on the rules ORed without the COALESCE that
    # makes `risky` negatable: SQLite counts in a third of the time.
    at_risk = func.count().filter(selection.any_rule)
    if filters.challenge_area is not None or filters.neighbourhood is not None or filters.search:
        return selection.flat(Venture.stage, func.count(), at_risk).group_by(Venture.stage)
    conditions = [
        PipelineFacts.cohort_id == cohort.id,
        PipelineFacts.status == VentureStatus.ACTIVE,
    ]
    if filters.stage is not None:
        conditions.append(PipelineFacts.stage == filters.stage)
    if filters.at_risk is True:
        conditions.append(selection.risky)
    elif filters.at_risk is False:
        conditions.append(~selection.risky)
    return (
        select(PipelineFacts.stage, func.count(), at_risk)
        .where(*conditions)
        .group_by(PipelineFacts.stage)
    )


def _around(venture_id: Any, outer: Any) -> tuple[Any, ...]:
    """What a card reads besides its row, for the card rows of `outer` (a subquery, or
    Venture) whose venture is `venture_id`, each as JSON read by key: its founders' names in
    the order they joined (each looked up by key: a join had PostgreSQL read every person to
    hash them) and its open due dates (risk.open_due_dates). Read around the cards a page
    picks, not within each stage's pick, so that the database plans them once."""
    founders = json_rows.rows_as_json(
        db.session.get_bind().dialect.name,
        select(User.name)
        .select_from(VentureMember)
        .join(User, User.id == VentureMember.user_id)
        .where(VentureMember.venture_id == venture_id)
        .correlate(outer),
        VentureMember.id,
    ).label("founders")
    return founders, risk.open_due_dates(venture_id, outer)


def _card_columns(plans: Mapping[str, int]) -> tuple[Any, ...]:
    """What a card or a row reads, over the ventures joined to their facts."""
    return (
        Venture.name,
        Venture.challenge_area,
        Venture.neighbourhoods,
        *risk.stored_columns(plans),
    )


def _board_rows(
    venture_ids: list[int], today: date, plans: Mapping[str, int]
) -> dict[int, BoardRow]:
    """A row for each of these ventures (a page's worth) of the cohort whose stage plans are
    `plans`, by id, in a fixed number of queries."""
    if not venture_ids:
        return {}
    found = db.session.execute(
        select(*_card_columns(plans), *_around(Venture.id, Venture))
        .join(PipelineFacts, PipelineFacts.venture_id == Venture.id)
        # Both keys named: without the second, PostgreSQL reads every facts row to join them.
        .where(Venture.id.in_(venture_ids), PipelineFacts.venture_id.in_(venture_ids))
    ).all()
    return _rows_from(found, today)


# A row says what its venture's values say, on a day, in a language, under the rules'
# thresholds, and nothing else (the confidences read for a low run do not change what it
# says: a run as long as the streak is the reason). So each is kept under those, and after a
# check-in the board explains again only the cards whose values changed.
_ROWS = Kept(ROWS)


def _row_key(row: Sequence[Any], today: date, language: str, limits: object) -> tuple:
    return (
        language,
        today,
        limits,
        *(tuple(value) if isinstance(value, list) else value for value in row),
    )


def _rows_from(found: Sequence[Any], today: date) -> dict[int, BoardRow]:
    """The board's rows of ventures read with `_card_columns` and `_around`, by id: their
    facts explained by the rules (risk.stored_signals, at most one more query) and their
    founders; those of the same values explained before are the kept rows."""
    language, limits = i18n.current_language(), risk.thresholds()
    rows: dict[int, BoardRow] = {}
    missing = []
    for row in found:
        key = _row_key(row, today, language, limits)
        kept = _ROWS.find(key)
        if kept is None:
            missing.append((key, row))
        else:
            rows[row.venture_id] = kept
    if not missing:
        return rows
    signals = risk.stored_signals([row for _key, row in missing], today)
    # The reasons said in the page's language once, here, rather than each finding it again.
    catalogue = get_translations()
    for key, row in missing:
        signal = signals[row.venture_id]
        last = signal.last_check_in_on
        made = BoardRow(
            venture=ShownVenture(row.venture_id, row.name),
            stage=Stage(row.venture_stage),
            risk=tuple(reason.said(catalogue) for reason in risk.reasons(signal, today)),
            last_check_in_on=last,
            check_in_age=None if last is None else (today - last).days,
            milestones_done=signal.milestones_done,
            milestones_total=signal.milestones_total,
            members=tuple(name for (name,) in json_rows.decoded(row.founders)),
            challenge_area=row.challenge_area,
            neighbourhoods=tuple(row.neighbourhoods or ()),
        )
        _ROWS.keep(key, made)
        rows[row.venture_id] = made
    return rows


def _understood(
    challenge_area: str | None,
    neighbourhood: str | None,
    at_risk: bool | None,
    stage: str | None,
    search: str | None,
    ignored: list[str],
) -> Filters:
    """The filters that mean something; the others are said in `ignored`."""
    if challenge_area and challenge_area not in CHALLENGE_AREAS:
        ignored.append(_("There is no challenge area called %(area)r.", area=challenge_area))
    if neighbourhood and neighbourhood not in NEIGHBOURHOODS:
        ignored.append(_("There is no neighbourhood called %(name)r.", name=neighbourhood))
    stage_filter = None
    if stage:
        try:
            stage_filter = Stage(stage)
        except ValueError:
            ignored.append(_("There is no stage called %(stage)r.", stage=stage))
    search = (search or "").strip()[:SEARCH_LIMIT] or None
    return Filters(
        challenge_area=challenge_area if challenge_area in CHALLENGE_AREAS else None,
        neighbourhood=neighbourhood if neighbourhood in NEIGHBOURHOODS else None,
        at_risk=at_risk,
        stage=stage_filter,
        search=search,
    )


def _columns(
    shape: _Shape,
    selection: _Selection,
    after: str | None,
    counts: dict[str, int],
) -> tuple[list[BoardColumn], str | None]:
    """Each stage's first cards by name (or, in one stage's column, those after `after`),
    in one query; and the cursor that was used, if any.

    Each stage's cards are their own SELECT ... ORDER BY name LIMIT (joined by UNION ALL, or
    on PostgreSQL one pick joined LATERAL to each stage), so the database reads the first
    rows of each stage from an index by name and stops, instead of numbering every venture
    of the cohort (see ix_ventures_cohort_status_stage_name)."""
    keys = _kept(shape, "name keys", lambda: _sort_keys("name", False, None))
    start = _read_cursor(keys, after) if shape.filters.stage is not None else None
    picked = tuple(stage for stage in STAGES if counts.get(stage))

    def pick(stage: Any) -> Select:
        # Everything the cards show, read with them (the ventures joined to their facts).
        card = (*_card_columns(selection.plans), keys[0].expression.label("name_key"))
        part = selection.flat(*card).where(Venture.stage == stage)
        if start is not None:
            part = part.where(_after(keys, start))
        return part.order_by(*_ordering(keys)).limit(CARDS_PER_COLUMN + 1)

    def build() -> Select:
        cards: Subquery
        if shape.dialect == "postgresql":
            # One pick joined LATERAL to each stage: PostgreSQL plans it once, where it
            # planned a UNION ALL's picks one by one (1.3 ms against 2.5 at 10,000).
            # (unnest, not VALUES: a statement with VALUES is compiled anew every time.)
            wanted = (
                func.unnest(postgresql.array([stage.value for stage in picked]))
                .table_valued("stage")
                .render_derived(name="wanted")
            )
            chosen = pick(wanted.c.stage).lateral("chosen")
            cards = select(chosen).select_from(wanted).join(chosen, true()).subquery("cards")
        else:
            cards = union_all(*(select(pick(stage).subquery()) for stage in picked)).subquery(
                "cards"
            )
        return select(cards, *_around(cards.c.venture_id, cards)).order_by(
            cards.c.venture_stage, cards.c.name_key, cards.c.venture_id
        )

    found: Sequence[Any] = []
    if picked:
        found = db.session.execute(
            _kept(
                shape,
                ("cards", picked, CARDS_PER_COLUMN, None if start is None else tuple(start)),
                build,
            )
        ).all()
    by_stage: dict[str, list[Any]] = defaultdict(list)
    for row in found:
        by_stage[row.venture_stage].append(row)
    loaded = _rows_from(
        [row for rows in by_stage.values() for row in rows[:CARDS_PER_COLUMN]], shape.today
    )
    columns = []
    for stage in STAGES:
        rows = by_stage.get(stage, [])
        more = None
        if len(rows) > CARDS_PER_COLUMN:
            last = rows[CARDS_PER_COLUMN - 1]
            more = _cursor(keys, [last.name_key, last.venture_id])
        columns.append(
            BoardColumn(
                stage,
                [loaded[row.venture_id] for row in rows[:CARDS_PER_COLUMN]],
                count=counts.get(stage, 0),
                more=more,
            )
        )
    return columns, after if start is not None else None


def _table_page(
    shape: _Shape, selection: _Selection, sort: str, descending: bool, after: str | None
) -> tuple[list[BoardRow], str | None, str | None]:
    """One page of the table in its order, the cursor it started after, and the next one.

    The page is chosen by its sort keys alone (the risk rows joined only for a risk sort),
    and its rows' names and facts are read around it in the same statement, by key."""
    keys = _kept(
        shape,
        ("table keys", sort, descending),
        lambda: _sort_keys(sort, descending, selection.rows),
    )
    start = _read_cursor(keys, after)

    def build() -> Select:
        chosen = selection.select(
            *(key.expression.label(f"key_{index}") for index, key in enumerate(keys)),
            Venture.id.label("page_id"),
            with_risk=sort in RISK_SORTS,
        )
        if start is not None:
            chosen = chosen.where(_after(keys, start))
        page = chosen.order_by(*_ordering(keys)).limit(ROWS_PER_PAGE + 1).subquery("page")
        in_order = [
            page.c[f"key_{index}"].desc() if key.descending else page.c[f"key_{index}"].asc()
            for index, key in enumerate(keys)
        ]
        return (
            select(
                *(page.c[f"key_{index}"] for index in range(len(keys))),
                *_card_columns(selection.plans),
                *_around(Venture.id, Venture),
            )
            .select_from(page)
            .join(Venture, Venture.id == page.c.page_id)
            .join(PipelineFacts, PipelineFacts.venture_id == page.c.page_id)
            .order_by(*in_order)
        )

    part = ("table", sort, descending, ROWS_PER_PAGE, None if start is None else tuple(start))
    found = db.session.execute(_kept(shape, part, build)).all()
    shown = found[:ROWS_PER_PAGE]
    loaded = _rows_from(shown, shape.today)
    next_page = _cursor(keys, shown[-1]) if len(found) > ROWS_PER_PAGE else None
    return (
        [loaded[row.venture_id] for row in shown],
        after if start is not None else None,
        next_page,
    )


def board(
    cohort: Cohort,
    today: date,
    challenge_area: str | None = None,
    neighbourhood: str | None = None,
    at_risk: bool | None = None,
    sort: str | None = None,
    descending: bool = False,
    stage: str | None = None,
    search: str | None = None,
    view: str = "columns",
    after: str | None = None,
) -> Board:
    """One page of the cohort's active ventures, filtered and sorted, in a fixed number of
    queries whatever the cohort's size.

    Unknown filter or sort values are left out and listed in `Board.ignored`, so a stale or
    hand-edited link still shows the board; a cursor that does not fit shows the first page.
    """
    ignored: list[str] = []
    filters = _understood(challenge_area, neighbourhood, at_risk, stage, search, ignored)
    if sort and sort not in SORTS:
        ignored.append(
            _("The table cannot be sorted by %(sort)r; it is sorted by name.", sort=sort)
        )
    sort = sort if sort in SORTS else "name"
    view = "table" if view == "table" else "columns"

    # The facts this transaction has changed are written before they are read (the
    # statements that would write them on building are kept).
    facts.settle()
    shape = _shape(cohort, filters, today, risk.cohort_plans(cohort.id))
    selection = _kept(
        shape, "selection", lambda: _selection(cohort, filters, today, dict(shape.plans))
    )
    # The counts by stage and at risk, in one pass over the selected ventures' facts.
    counts: dict[str, int] = {}
    at_risk_count = 0
    for row in db.session.execute(
        _kept(shape, "counts", lambda: _counts(cohort, filters, selection))
    ):
        counts[str(row[0])] = int(row[1])
        at_risk_count += int(row[2] or 0)
    matching = sum(counts.values())
    # Unfiltered, the cohort's active ventures are those counted.
    total = matching
    if filters != Filters():
        total = (
            db.session.scalar(
                _kept(
                    shape,
                    "total",
                    lambda: (
                        select(func.count())
                        .select_from(Venture)
                        .where(
                            Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE
                        )
                    ),
                )
            )
            or 0
        )
    found = Board(
        cohort=cohort,
        today=today,
        view=view,
        columns=[],
        page_rows=[],
        total=total,
        matching=matching,
        at_risk_count=at_risk_count,
        filters=filters,
        sort=sort,
        descending=descending,
        ignored=ignored,
    )
    if view == "table":
        found.page_rows, found.after, found.next_page = _table_page(
            shape, selection, sort, descending, after
        )
    else:
        found.columns, found.after = _columns(shape, selection, after, counts)
        found.page_rows = [row for column in found.columns for row in column.rows]
    return found


CSV_COLUMNS = [
    "venture",
    "stage",
    "at_risk",
    "risk_reasons",
    "days_since_last_check_in",
    "milestones_done",
    "milestones_total",
    "founders",
    "challenge_area",
    "neighbourhoods",
]


def _csv_line(cells) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(spreadsheet_safe(cell) for cell in cells)
    return buffer.getvalue()


def csv_lines(found: Board) -> Iterator[str]:
    """Every venture that passes the board's filters, in the table's order, as lines of CSV
    safe to open in a spreadsheet: the columns' names and yes/no in English for programs,
    the rest as the page says it. Read CSV_BATCH ventures at a time, so memory stays flat
    however large the cohort."""
    yield _csv_line(CSV_COLUMNS)
    selection = _selection(
        found.cohort, found.filters, found.today, risk.cohort_plans(found.cohort.id)
    )
    keys = _sort_keys(found.sort, found.descending, selection.rows)
    query = (
        selection.select(
            *(key.expression for key in keys), Venture.id, with_risk=found.sort in RISK_SORTS
        )
        .order_by(*_ordering(keys))
        .limit(CSV_BATCH)
    )
    # Said once per export rather than once per row.
    stage_labels = {stage: stage_label(stage) for stage in STAGES}
    start: Sequence[object] | None = None
    while True:
        batch = db.session.execute(
            query if start is None else query.where(_after(keys, start))
        ).all()
        rows = _board_rows([row[-1] for row in batch], found.today, selection.plans)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for key in batch:
            row = rows[key[-1]]
            writer.writerow(
                spreadsheet_safe(cell)
                for cell in (
                    row.venture.name,
                    stage_labels[row.stage],
                    "yes" if row.at_risk else "no",
                    "; ".join(reason.message for reason in row.risk),
                    "" if row.check_in_age is None else row.check_in_age,
                    row.milestones_done,
                    row.milestones_total,
                    "; ".join(row.members),
                    row.challenge_area,
                    "; ".join(row.neighbourhoods),
                )
            )
        # One write per batch: a line at a time costs a system call per venture.
        yield buffer.getvalue()
        if len(batch) < CSV_BATCH:
            return
        # The session holds loaded objects weakly, so the batch's rows go with it.
        start = batch[-1][: len(keys)]
