"""Outcomes: pilots with partner organisations and investments, and a cohort's totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, NamedTuple, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Numeric,
    SQLColumnExpression,
    bindparam,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import selectinload

from incubator import clock, permissions
from incubator.extensions import db
from incubator.models import (
    Cohort,
    Instrument,
    Organisation,
    Pilot,
    PilotStatus,
    Role,
    Stage,
    User,
    UserRole,
    Venture,
    VentureStatus,
)
from incubator.models.matching import Investment
from incubator.services import audit
from incubator.services.errors import InvalidInput, NotAllowed, NotFound
from incubator.services.pipeline import checkins, stages

M = TypeVar("M", Pilot, Investment)

MAX_INVESTMENT = Decimal(100_000_000)
MAX_REACHED = checkins.KPI_LIMIT

# Where a pilot may go from each status; adopted and stopped are where pilots end.
TRANSITIONS = {
    PilotStatus.PLANNED: {PilotStatus.RUNNING, PilotStatus.STOPPED},
    PilotStatus.RUNNING: {PilotStatus.COMPLETED, PilotStatus.STOPPED},
    PilotStatus.COMPLETED: {PilotStatus.ADOPTED},
    PilotStatus.ADOPTED: set(),
    PilotStatus.STOPPED: set(),
}
STARTING_STATUSES = (PilotStatus.PLANNED, PilotStatus.RUNNING)
INSTRUMENT_LABELS = {
    Instrument.GRANT: _l("Grant"),
    Instrument.SAFE: _l("SAFE"),
    Instrument.EQUITY: _l("Equity"),
    Instrument.LOAN: _l("Loan"),
}
PILOT_STATUS_LABELS = {
    PilotStatus.PLANNED: _l("Planned"),
    PilotStatus.RUNNING: _l("Running"),
    PilotStatus.COMPLETED: lazy_pgettext("a pilot", "Completed"),
    PilotStatus.ADOPTED: _l("Adopted"),
    PilotStatus.STOPPED: _l("Stopped"),
}
# A pilot's status inside a sentence.
PILOT_STATUS_WORDS = {
    PilotStatus.PLANNED: _l("planned"),
    PilotStatus.RUNNING: _l("running"),
    PilotStatus.COMPLETED: _l("completed"),
    PilotStatus.ADOPTED: _l("adopted"),
    PilotStatus.STOPPED: _l("stopped"),
}


def _local_today() -> date:
    return clock.today()


def _check_manager(by: User) -> None:
    if not permissions.is_manager(by):
        raise NotAllowed(_("Only a program manager records pilots and investments."))


# Pilots ---------------------------------------------------------------------------------------


@dataclass
class PilotInput:
    organisation_id: int | None
    title: str
    starts_on: date | None
    ends_on: date | None = None
    status: str = PilotStatus.PLANNED
    residents_reached: int | None = 0
    outcome: str = ""


PILOT_FIELDS = (
    "venture_id",
    "organisation_id",
    "title",
    "starts_on",
    "ends_on",
    "status",
    "residents_reached",
    "outcome",
)
INVESTMENT_FIELDS = (
    "venture_id",
    "funder_id",
    "funder_name",
    "amount",
    "instrument",
    "invested_on",
)


def _plain(value: Any) -> Any:
    """A value as the audit trail keeps it: days and sums as text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _state(row: Pilot | Investment, fields: tuple[str, ...]) -> dict[str, Any]:
    """What the audit trail keeps of a pilot or an investment."""
    return {name: _plain(getattr(row, name)) for name in fields}


class _CheckedPilot(NamedTuple):
    """What _check_pilot found present in a PilotInput."""

    organisation: Organisation
    starts_on: date
    residents_reached: int


def _check_pilot(data: PilotInput) -> _CheckedPilot:
    if not data.title.strip():
        raise InvalidInput(_("Give the pilot a title."))
    if len(data.title.strip()) > 200:
        raise InvalidInput(_("The title is limited to 200 characters."))
    organisation = (
        db.session.get(Organisation, data.organisation_id) if data.organisation_id else None
    )
    if organisation is None:
        raise InvalidInput(_("Choose the partner organisation the pilot is with."))
    if data.starts_on is None:
        raise InvalidInput(_("Enter the day the pilot starts."))
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise InvalidInput(_("The pilot cannot end before it starts."))
    if data.residents_reached is None or not 0 <= data.residents_reached <= MAX_REACHED:
        raise InvalidInput(_("Residents or users reached is a whole number, 0 or more."))
    if len(data.outcome) > 10_000:
        raise InvalidInput(_("The outcome is limited to 10,000 characters."))
    if data.status not in set(PilotStatus):
        raise InvalidInput(_("Unknown pilot status %(status)s.", status=repr(data.status)))
    return _CheckedPilot(organisation, data.starts_on, data.residents_reached)


def create_pilot(venture: Venture, data: PilotInput, *, by: User) -> Pilot:
    """Record a pilot a venture plans or runs with a partner organisation."""
    _check_manager(by)
    if venture.status != VentureStatus.ACTIVE:
        raise InvalidInput(
            _("%(venture)s is archived; it takes no new pilots.", venture=venture.name)
        )
    organisation, starts_on, residents_reached = _check_pilot(data)
    if data.status not in STARTING_STATUSES:
        raise InvalidInput(_("A new pilot is planned or running; record its end by updating it."))
    pilot = Pilot(
        venture=venture,
        organisation=organisation,
        title=data.title.strip(),
        starts_on=starts_on,
        ends_on=data.ends_on,
        status=data.status,
        residents_reached=residents_reached,
        outcome=data.outcome.strip(),
    )
    db.session.add(pilot)
    db.session.flush()
    audit.record(by, "pilot.created", "pilot", pilot.id, after=_state(pilot, PILOT_FIELDS))
    return pilot


def update_pilot(pilot: Pilot, data: PilotInput, *, by: User) -> None:
    """Edit a pilot and move it on; adopting it moves the venture to the adoption stage."""
    _check_manager(by)
    organisation, starts_on, residents_reached = _check_pilot(data)
    status = PilotStatus(data.status)
    current = PilotStatus(pilot.status)
    if status != current and status not in TRANSITIONS[current]:
        if status == PilotStatus.ADOPTED:
            raise InvalidInput(_("Only a completed pilot can be marked adopted."))
        raise InvalidInput(
            _(
                "A %(current)s pilot cannot become %(status)s.",
                current=PILOT_STATUS_WORDS[current],
                status=PILOT_STATUS_WORDS[PilotStatus(status)],
            )
        )
    if status in (PilotStatus.COMPLETED, PilotStatus.ADOPTED) and data.ends_on is None:
        raise InvalidInput(_("Enter the day the pilot ended."))
    before = _state(pilot, PILOT_FIELDS)
    pilot.organisation = organisation
    pilot.title = data.title.strip()
    pilot.starts_on = starts_on
    pilot.ends_on = data.ends_on
    pilot.status = status
    pilot.residents_reached = residents_reached
    pilot.outcome = data.outcome.strip()
    db.session.flush()
    audit.record(
        by, "pilot.updated", "pilot", pilot.id, before=before, after=_state(pilot, PILOT_FIELDS)
    )
    venture = pilot.venture
    if status == PilotStatus.ADOPTED and current != status and venture.stage != Stage.ADOPTION:
        # The stage change's note, like one a manager types, is kept in the language it is
        # written in.
        note = _("Pilot adopted by %(organisation)s", organisation=organisation.name)
        stages.move_stage(venture, Stage.ADOPTION, note, by=by)


def get_pilot(pilot_id: int) -> Pilot:
    """A pilot by id, or NotFound (the scorecard's site pages look pilots up by id)."""
    pilot = db.session.get(Pilot, pilot_id)
    if pilot is None:
        raise NotFound(_("There is no such pilot."))
    return pilot


def _newest_first(model: type[M], venture: Venture, on: Any, loaded: Any) -> list[M]:
    """A venture's pilots or investments, latest `on` date first, with `loaded` read too."""
    return list(
        db.session.scalars(
            select(model)
            .options(selectinload(loaded))
            .where(model.venture_id == venture.id)
            .order_by(on.desc(), model.id.desc())
        )
    )


def venture_pilots(venture: Venture) -> list[Pilot]:
    """A venture's pilots, the latest to start first, with their organisations."""
    return _newest_first(Pilot, venture, Pilot.starts_on, Pilot.organisation)


def next_statuses(pilot: Pilot) -> list[PilotStatus]:
    """The statuses a pilot may be given now, its own first."""
    current = PilotStatus(pilot.status)
    return [current, *(s for s in PilotStatus if s in TRANSITIONS[current])]


# Investments ----------------------------------------------------------------------------------


@dataclass
class InvestmentInput:
    amount: Decimal | float | int | str | None
    instrument: str
    invested_on: date | None
    funder_id: int | None = None
    funder_name: str = ""


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidInput(_("Enter the amount in dollars."))
    if not 0 < amount <= MAX_INVESTMENT:
        raise InvalidInput(
            _(
                "The amount must be more than $0 and at most $%(most)s.",
                most=f"{MAX_INVESTMENT:,}",
            )
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("The amount is in dollars and cents."))
    return amount.quantize(Decimal("0.01"))


def record_investment(
    venture: Venture, data: InvestmentInput, *, by: User, today: date | None = None
) -> Investment:
    """Record money a venture received: from a funder on the platform or one named here."""
    _check_manager(by)
    amount = _amount(data.amount)
    if data.instrument not in set(Instrument):
        raise InvalidInput(
            _("Unknown instrument %(instrument)s.", instrument=repr(data.instrument))
        )
    today = today or _local_today()
    if data.invested_on is None:
        raise InvalidInput(_("Enter the day of the investment."))
    if data.invested_on > today:
        raise InvalidInput(_("An investment is recorded once it is made, not in advance."))
    funder_name = (data.funder_name or "").strip()
    funder = None
    if data.funder_id:
        funder = db.session.get(User, data.funder_id)
        if funder is None or not funder.has_role(Role.FUNDER):
            raise InvalidInput(_("Choose a funder from the list, or name an outside funder."))
        funder_name = ""
    elif not funder_name:
        raise InvalidInput(_("Choose a funder from the list, or name an outside funder."))
    if len(funder_name) > 160:
        raise InvalidInput(_("The funder's name is limited to 160 characters."))
    investment = Investment(
        venture=venture,
        funder=funder,
        funder_name=funder_name,
        amount=amount,
        instrument=data.instrument,
        invested_on=data.invested_on,
    )
    db.session.add(investment)
    db.session.flush()
    audit.record(
        by,
        "investment.recorded",
        "investment",
        investment.id,
        after=_state(investment, INVESTMENT_FIELDS),
    )
    return investment


def venture_investments(venture: Venture) -> list[Investment]:
    """A venture's investments, the latest first, with the funders on the platform."""
    return _newest_first(Investment, venture, Investment.invested_on, Investment.funder)


def organisations() -> list[Organisation]:
    """Every organisation a pilot may be with, by name."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def funder_users() -> list[User]:
    """Active people with the funder role, to credit an investment to."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role_rows.any(UserRole.role == Role.FUNDER))
            .order_by(User.name, User.id)
        )
    )


# A cohort's totals ----------------------------------------------------------------------------


@dataclass
class CohortTotals:
    # Every status, in order, with its count (zero included).
    pilots_by_status: dict[str, int] = field(default_factory=dict)
    residents_reached: int = 0
    # Every instrument with the sum invested through it (zero included).
    invested_by_instrument: dict[str, Decimal] = field(default_factory=dict)

    @property
    def pilots(self) -> int:
        return sum(self.pilots_by_status.values())

    @property
    def invested(self) -> Decimal:
        return sum(self.invested_by_instrument.values(), Decimal(0))


def _of_cohort(
    venture_id: SQLColumnExpression[int], cohort_id: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """The venture `venture_id` names is in the cohort (a lookup by its key)."""
    return exists().where(Venture.id == venture_id, Venture.cohort_id == cohort_id)


@cache
def _totals_statement() -> CompoundSelect[str, str, int, Decimal]:
    """The cohort totals' statement, for a `cohort_id`: built once (the board reads it every
    time it is drawn, and building it took longer than running it)."""
    cohort_id = bindparam("cohort_id", type_=Integer)
    # Each pilot and investment (a few hundred in a whole program) looks up its venture by
    # key (EXISTS), rather than matched against a list of every venture of the cohort, or
    # joined to them: SQLite then read the cohort's ten thousand ventures and looked for
    # pilots and investments of each (1.1 ms against 0.4).
    # (what, its status or instrument, pilots, residents reached or amount invested)
    pilots = (
        select(
            literal("pilot"),
            Pilot.status,
            func.count(Pilot.id),
            type_coerce(func.coalesce(func.sum(Pilot.residents_reached), 0), Numeric()),
        )
        .where(_of_cohort(Pilot.venture_id, cohort_id))
        .group_by(Pilot.status)
    )
    invested = (
        select(
            literal("investment"),
            Investment.instrument,
            literal(0),
            type_coerce(func.coalesce(func.sum(Investment.amount), 0), Numeric()),
        )
        .where(_of_cohort(Investment.venture_id, cohort_id))
        .group_by(Investment.instrument)
    )
    return union_all(pilots, invested)


def cohort_totals(cohort: Cohort) -> CohortTotals:
    """Pilots by status, residents reached and money invested by instrument, in one query.

    Every venture of the cohort counts, archived ones too: what they achieved happened.
    """
    totals = CohortTotals(
        pilots_by_status={str(status): 0 for status in PilotStatus},
        invested_by_instrument={str(instrument): Decimal(0) for instrument in Instrument},
    )
    found = db.session.execute(_totals_statement(), {"cohort_id": cohort.id})
    for what, kind, count, amount in found:
        if what == "pilot":
            totals.pilots_by_status[kind] = count
            totals.residents_reached += int(amount)
            continue
        totals.invested_by_instrument[kind] = Decimal(str(amount)).quantize(Decimal("0.01"))
    return totals
