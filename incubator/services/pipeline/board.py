"""The pipeline board: a cohort's ventures by stage, with risk, check-ins and milestones."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import load_only

from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import Cohort, Stage, User, Venture, VentureMember, VentureStatus
from incubator.services.pipeline import risk
from incubator.services.pipeline.stages import STAGES, stage_index, stage_label
from incubator.services.spreadsheets import spreadsheet_safe
from incubator.vocabulary import CHALLENGE_AREAS, NEIGHBOURHOODS

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison


@dataclass(frozen=True)
class BoardRow:
    """One venture on the board, with everything its card and table row show."""

    venture: Venture
    stage: Stage
    risk: list[risk.RiskReason]
    # The Monday of the week of the last check-in, and the days since; None without one.
    last_check_in_on: date | None
    check_in_age: int | None
    milestones_done: int
    milestones_total: int
    members: list[str]
    challenge_area: str
    neighbourhoods: list[str]

    @property
    def at_risk(self) -> bool:
        return bool(self.risk)


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    rows: list[BoardRow]


@dataclass
class Board:
    cohort: Cohort
    today: date
    rows: list[BoardRow]
    columns: list[BoardColumn]
    # Active ventures in the cohort before the filters.
    total: int
    challenge_area: str | None = None
    neighbourhood: str | None = None
    at_risk: bool | None = None
    stage: Stage | None = None
    sort: str = "name"
    descending: bool = False
    # Filter or sort values that were not understood and so were left out, said for a person.
    ignored: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return any(
            value is not None
            for value in (self.challenge_area, self.neighbourhood, self.at_risk, self.stage)
        )

    @property
    def at_risk_count(self) -> int:
        return sum(1 for row in self.rows if row.at_risk)


def _milestone_share(row: BoardRow) -> tuple[float, int]:
    # Equal shares: more milestones done ranks higher (3 of 6 above 1 of 2).
    share = row.milestones_done / row.milestones_total if row.milestones_total else 0.0
    return (share, row.milestones_done)


# The table's sortable columns: key -> (label, translated where shown; sort key). Names
# break every other tie.
SORTS: dict[str, tuple[str, Callable[[BoardRow], SupportsRichComparison]]] = {
    "name": (N_("Venture"), lambda row: (row.venture.name.casefold(), row.venture.id)),
    "stage": (N_("Stage"), lambda row: stage_index(row.stage)),
    "risk": (N_("Risk"), lambda row: len(row.risk)),
    # Never checked in sorts as the oldest check-in of all.
    "check_in": (
        N_("Last check-in"),
        lambda row: math.inf if row.check_in_age is None else row.check_in_age,
    ),
    "milestones": (N_("Milestones"), _milestone_share),
    "challenge_area": (N_("Challenge area"), lambda row: row.challenge_area.casefold()),
}


def sort_labels() -> dict[str, str]:
    """The table's sortable columns, key -> label in the request's language."""
    return {key: _(label) for key, (label, _key) in SORTS.items()}


def _sorted(rows: list[BoardRow], sort: str, descending: bool) -> list[BoardRow]:
    key = SORTS[sort][1]
    by_name = sorted(rows, key=lambda row: (row.venture.name.casefold(), row.venture.id))
    # Python's sort is stable, so the name order survives inside equal keys either way.
    return sorted(by_name, key=key, reverse=descending)


def _cohort_ventures(cohort: Cohort) -> tuple[list[Venture], dict[int, list[str]]]:
    """The cohort's active ventures and their founders' names, in two queries.

    The names come from a join rather than selectinload(members, user): selectinload splits
    its IN list every 500 keys (and users bring their roles along), so a cohort of 500
    ventures with 1,000 founders would take more queries than a small one.
    """
    active = (Venture.cohort_id == cohort.id) & (Venture.status == VentureStatus.ACTIVE)
    # Only what the board and the risk rules read; anything else raises instead of
    # quietly loading venture by venture.
    columns = load_only(
        Venture.id,
        Venture.cohort_id,
        Venture.name,
        Venture.stage,
        Venture.challenge_area,
        Venture.neighbourhoods,
        Venture.created_at,
        raiseload=True,
    )
    found = list(
        db.session.scalars(
            select(Venture).options(columns).where(active).order_by(Venture.name, Venture.id)
        )
    )
    names: dict[int, list[str]] = defaultdict(list)
    for venture_id, name in db.session.execute(
        select(VentureMember.venture_id, User.name)
        .join(User, User.id == VentureMember.user_id)
        .join(Venture, Venture.id == VentureMember.venture_id)
        .where(active)
        .order_by(VentureMember.venture_id, VentureMember.id)
    ):
        names[venture_id].append(name)
    return found, names


def _board_rows(cohort: Cohort, today: date) -> list[BoardRow]:
    """A row for each of the cohort's active ventures, in no particular order."""
    ventures, member_names = _cohort_ventures(cohort)
    found = risk.signals(ventures)
    rows = []
    for venture in ventures:
        signal = found[venture.id]
        last = signal.last_check_in_on
        rows.append(
            BoardRow(
                venture=venture,
                stage=Stage(venture.stage),
                risk=risk.reasons(signal, today),
                last_check_in_on=last,
                check_in_age=None if last is None else (today - last).days,
                milestones_done=signal.milestones_done,
                milestones_total=signal.milestones_total,
                members=member_names.get(venture.id, []),
                challenge_area=venture.challenge_area,
                neighbourhoods=list(venture.neighbourhoods or []),
            )
        )
    return rows


def _filtered(
    rows: list[BoardRow],
    challenge_area: str | None,
    neighbourhood: str | None,
    at_risk: bool | None,
    stage: Stage | None,
) -> list[BoardRow]:
    """The rows that pass every filter given (None is no filter)."""
    if challenge_area is not None:
        rows = [row for row in rows if row.challenge_area == challenge_area]
    if neighbourhood is not None:
        # A JSON list per venture: filtered here rather than in SQL, as elsewhere in the app.
        rows = [row for row in rows if neighbourhood in row.neighbourhoods]
    if at_risk is not None:
        rows = [row for row in rows if row.at_risk == at_risk]
    if stage is not None:
        rows = [row for row in rows if row.stage == stage]
    return rows


def board(
    cohort: Cohort,
    today: date,
    challenge_area: str | None = None,
    neighbourhood: str | None = None,
    at_risk: bool | None = None,
    sort: str | None = None,
    descending: bool = False,
    stage: str | None = None,
) -> Board:
    """The cohort's active ventures, filtered and sorted, in a fixed number of queries.

    Unknown filter or sort values are left out and listed in `Board.ignored`, so a stale or
    hand-edited link still shows the board.
    """
    ignored = []
    if challenge_area and challenge_area not in CHALLENGE_AREAS:
        ignored.append(_("There is no challenge area called %(area)r.", area=challenge_area))
    challenge_area = challenge_area if challenge_area in CHALLENGE_AREAS else None
    if neighbourhood and neighbourhood not in NEIGHBOURHOODS:
        ignored.append(_("There is no neighbourhood called %(name)r.", name=neighbourhood))
    neighbourhood = neighbourhood if neighbourhood in NEIGHBOURHOODS else None
    stage_filter = None
    if stage:
        try:
            stage_filter = Stage(stage)
        except ValueError:
            ignored.append(_("There is no stage called %(stage)r.", stage=stage))
    if sort and sort not in SORTS:
        ignored.append(
            _("The table cannot be sorted by %(sort)r; it is sorted by name.", sort=sort)
        )
    sort = sort if sort in SORTS else "name"

    every_row = _board_rows(cohort, today)
    rows = _filtered(every_row, challenge_area, neighbourhood, at_risk, stage_filter)
    rows = _sorted(rows, sort, descending)
    columns = [BoardColumn(s, [row for row in rows if row.stage == s]) for s in STAGES]
    return Board(
        cohort=cohort,
        today=today,
        rows=rows,
        columns=columns,
        total=len(every_row),
        challenge_area=challenge_area,
        neighbourhood=neighbourhood,
        at_risk=at_risk,
        stage=stage_filter,
        sort=sort,
        descending=descending,
        ignored=ignored,
    )


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


def board_csv(found: Board) -> str:
    """The board's rows, in its order, as CSV text safe to open in a spreadsheet: the
    columns' names and yes/no in English for programs, the rest as the page says it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in found.rows:
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                row.venture.name,
                stage_label(row.stage),
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
    return buffer.getvalue()
