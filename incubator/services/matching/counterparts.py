"""Funders and partner organisations: their profiles, and what each of them may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from incubator import permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Challenge,
    CheckIn,
    Cohort,
    CohortStatus,
    FunderProfile,
    FunderType,
    Organisation,
    PartnerProfile,
    Pilot,
    Role,
    Stage,
    Submission,
    User,
    Venture,
    VentureStatus,
)
from incubator.models.labels import EnumLabel
from incubator.services import audit
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.paging import ListPage
from incubator.services.pipeline.checkins import STANDARD_KPIS
from incubator.vocabulary import CHALLENGE_AREAS, IMPACT_AREAS, NEIGHBOURHOODS, OFFERS

MAX_CHEQUE = 100_000_000
MAX_CAPACITY = 50
FOCUS_AREAS = CHALLENGE_AREAS + IMPACT_AREAS


def _check_choices(values: list[str], allowed: list[str], refusal: str) -> list[str]:
    """The chosen values in the list's order, or InvalidInput naming the unknown ones with
    `refusal` (marked with N_; "%(values)s" lists them)."""
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(_(refusal, values=", ".join(unknown)))
    return [value for value in allowed if value in values]


def _check_capacity(capacity: int | None) -> int:
    if capacity is None or not 0 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(_("Capacity is a whole number from 0 to %(most)d.", most=MAX_CAPACITY))
    return capacity


def _state(profile: FunderProfile | PartnerProfile, fields: tuple[str, ...]) -> dict[str, Any]:
    """A profile's fields as the audit trail keeps them, lists copied."""
    values = {name: getattr(profile, name) for name in fields}
    return {name: list(v) if isinstance(v, list) else v for name, v in values.items()}


def _save_profile(
    profile: FunderProfile | PartnerProfile,
    values: dict[str, Any],
    by: User,
    action: str,
    about: str,
    about_id: int,
) -> None:
    """Give a profile its checked values (adding it when new) and audit it, before and after."""
    fields = tuple(values)
    before = _state(profile, fields) if profile in db.session else None
    for name, value in values.items():
        setattr(profile, name, value)
    db.session.add(profile)
    db.session.flush()
    audit.record(by, action, about, about_id, before=before, after=_state(profile, fields))


# Funders --------------------------------------------------------------------------------------

FUNDER_FIELDS = (
    "organisation",
    "funder_type",
    "stages",
    "cheque_min",
    "cheque_max",
    "focus_areas",
    "open_to_civic",
    "capacity",
)


@dataclass
class FunderInput:
    organisation: str = ""
    funder_type: str = FunderType.ANGEL
    stages: list[str] = field(default_factory=list)
    cheque_min: int = 0
    cheque_max: int = 0
    focus_areas: list[str] = field(default_factory=list)
    open_to_civic: bool = True
    capacity: int = 5


def get_funder_profile(user: User) -> FunderProfile | None:
    """A funder's profile, or None before they save one."""
    return db.session.get(FunderProfile, user.id)


def _checked_funder(data: FunderInput) -> dict[str, Any]:
    """A funder profile's values once every field is checked."""
    organisation = (data.organisation or "").strip()
    if len(organisation) > 160:
        raise InvalidInput(_("The organisation is limited to 160 characters."))
    if data.funder_type not in set(FunderType):
        raise InvalidInput(_("Unknown kind of funder %(kind)s.", kind=repr(data.funder_type)))
    most = f"{MAX_CHEQUE:,}"
    if data.cheque_min is None or not 0 <= data.cheque_min <= MAX_CHEQUE:
        raise InvalidInput(_("The smallest cheque is a sum from $0 to $%(most)s.", most=most))
    if data.cheque_max is None or not 0 <= data.cheque_max <= MAX_CHEQUE:
        raise InvalidInput(_("The largest cheque is a sum from $0 to $%(most)s.", most=most))
    if data.cheque_min > data.cheque_max:
        raise InvalidInput(_("The smallest cheque cannot be larger than the largest."))
    return {
        "organisation": organisation,
        "funder_type": data.funder_type,
        "stages": _check_choices(
            data.stages,
            [str(stage) for stage in Stage],
            N_("Unknown stage: %(values)s. Choose from the list."),
        ),
        "cheque_min": data.cheque_min,
        "cheque_max": data.cheque_max,
        "focus_areas": _check_choices(
            data.focus_areas,
            FOCUS_AREAS,
            N_("Unknown focus area: %(values)s. Choose from the list."),
        ),
        "open_to_civic": bool(data.open_to_civic),
        "capacity": _check_capacity(data.capacity),
    }


def save_funder_profile(user: User, data: FunderInput, *, by: User) -> FunderProfile:
    """Create or update a funder's profile after checking every field."""
    if not permissions.may_edit_profile(by, user):
        raise NotAllowed(_("Funders edit their own profile."))
    if not user.has_role(Role.FUNDER):
        raise NotAllowed(_("Only funders have a funder profile."))
    values = _checked_funder(data)
    profile = get_funder_profile(user) or FunderProfile(user_id=user.id)
    _save_profile(profile, values, by, "funder_profile.saved", "funder_profile", user.id)
    return profile


@dataclass(frozen=True)
class PublicVenture:
    """What a funder may see of a venture: its public profile and the KPIs it shares."""

    venture_id: int
    name: str
    one_liner: str
    challenge_area: str
    neighbourhoods: list[str]
    stage: str
    # (label, latest value) of each shared KPI, in the standard order; None if never reported.
    kpis: list[tuple[str, float | None]]

    stage_label = EnumLabel(Stage, "stage")


def _json_items(column):
    """The text items of a JSON list column, as a column to select from, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(column).column_valued("item")
    return func.json_each(column).table_valued("value").c.value


def fitting_ventures(funder: User, page: int = 1, per_page: int = 20) -> ListPage:
    """Active ventures of active cohorts that fit a funder's focus areas and stages.

    A funder with no focus areas (or no stages) is taken to fund any. Only public values
    leave this function, never a Venture, so a template cannot reach a private field.
    Four queries whatever the page: the profile, the count, the page and its check-ins.
    """
    profile = get_funder_profile(funder)
    focus = list(profile.focus_areas) if profile else []
    stages = list(profile.stages) if profile else []
    conditions = [
        Venture.status == VentureStatus.ACTIVE,
        Cohort.status == CohortStatus.ACTIVE,
    ]
    if focus:
        impact = _json_items(Venture.impact_areas)
        conditions.append(
            or_(Venture.challenge_area.in_(focus), exists(select(1).where(impact.in_(focus))))
        )
    if stages:
        conditions.append(Venture.stage.in_(stages))
    total = db.session.scalar(
        select(func.count(Venture.id))
        .join(Cohort, Cohort.id == Venture.cohort_id)
        .where(*conditions)
    )
    page = max(1, page)
    rows = db.session.execute(
        select(
            Venture.id,
            Venture.name,
            Venture.one_liner,
            Venture.challenge_area,
            Venture.neighbourhoods,
            Venture.stage,
            Venture.shared_kpis,
        )
        .join(Cohort, Cohort.id == Venture.cohort_id)
        .where(*conditions)
        .order_by(Venture.name, Venture.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    latest = _latest_kpis({row.id: list(row.shared_kpis or []) for row in rows})
    items = [
        PublicVenture(
            venture_id=row.id,
            name=row.name,
            one_liner=row.one_liner,
            challenge_area=row.challenge_area,
            neighbourhoods=list(row.neighbourhoods or []),
            stage=row.stage,
            kpis=[
                (label, latest.get(row.id, {}).get(name))
                for name, label in STANDARD_KPIS.items()
                if name in (row.shared_kpis or [])
            ],
        )
        for row in rows
    ]
    return ListPage(items, page, per_page, total or 0)


def _latest_kpis(shared: dict[int, list[str]]) -> dict[int, dict[str, float]]:
    """Each venture's latest reported value of each KPI it shares, in one query."""
    wanted = {name for names in shared.values() for name in names if name in STANDARD_KPIS}
    ids = [venture_id for venture_id, names in shared.items() if names]
    if not wanted or not ids:
        return {}
    # Only the shared KPI columns are read; the check-in's text never leaves the database.
    columns = [getattr(CheckIn, name) for name in STANDARD_KPIS if name in wanted]
    latest: dict[int, dict[str, float]] = {}
    for row in db.session.execute(
        select(CheckIn.venture_id, *columns)
        .where(CheckIn.venture_id.in_(ids))
        .order_by(CheckIn.venture_id, CheckIn.week_start.desc())
    ):
        values = latest.setdefault(row.venture_id, {})
        for name in shared[row.venture_id]:
            value = getattr(row, name, None)
            if name not in values and value is not None:
                values[name] = value
    return latest


# Partner organisations ------------------------------------------------------------------------


@dataclass
class PartnerInput:
    neighbourhoods: list[str] = field(default_factory=list)
    challenge_areas: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    capacity: int = 2


def get_partner_profile(organisation: Organisation) -> PartnerProfile | None:
    """What an organisation offers as a pilot user, or None before it says."""
    return db.session.get(PartnerProfile, organisation.id)


def save_partner_profile(
    organisation: Organisation, data: PartnerInput, *, by: User
) -> PartnerProfile:
    """Create or update what an organisation offers as a pilot user."""
    if not permissions.may_manage_organisation(by, organisation):
        raise NotAllowed(_("Only the organisation's own partners or a program manager edit this."))
    values = {
        "neighbourhoods": _check_choices(
            data.neighbourhoods,
            NEIGHBOURHOODS,
            N_("Unknown neighbourhood: %(values)s. Choose from the list."),
        ),
        "challenge_areas": _check_choices(
            data.challenge_areas,
            CHALLENGE_AREAS,
            N_("Unknown challenge area: %(values)s. Choose from the list."),
        ),
        "offers": _check_choices(
            data.offers, OFFERS, N_("Unknown offer: %(values)s. Choose from the list.")
        ),
        "capacity": _check_capacity(data.capacity),
    }
    profile = get_partner_profile(organisation) or PartnerProfile(organisation_id=organisation.id)
    _save_profile(profile, values, by, "partner_profile.saved", "organisation", organisation.id)
    return profile


@dataclass(frozen=True)
class ChallengeVenture:
    """A venture working on one of the organisation's challenges, as the partner sees it."""

    venture_id: int
    name: str
    one_liner: str
    stage: str
    challenge_title: str

    stage_label = EnumLabel(Stage, "stage")


@dataclass
class PartnerOverview:
    organisation: Organisation
    profile: PartnerProfile | None
    pilots: list[Pilot]
    challenges: list[Challenge]
    ventures: list[ChallengeVenture]


def partner_overview(organisation: Organisation) -> PartnerOverview:
    """An organisation's pilots, the challenges it posted and the ventures working on them."""
    pilots = list(
        db.session.scalars(
            select(Pilot)
            .options(selectinload(Pilot.venture).load_only(Venture.id, Venture.name))
            .where(Pilot.organisation_id == organisation.id)
            .order_by(Pilot.starts_on.desc(), Pilot.id.desc())
        )
    )
    challenges = list(
        db.session.scalars(
            select(Challenge)
            .options(selectinload(Challenge.hackathon))
            .where(Challenge.organisation_id == organisation.id)
            .order_by(Challenge.created_at.desc(), Challenge.id.desc())
        )
    )
    ventures = [
        ChallengeVenture(row.id, row.name, row.one_liner, row.stage, row.title)
        for row in db.session.execute(
            select(Venture.id, Venture.name, Venture.one_liner, Venture.stage, Challenge.title)
            .join(Submission, Submission.id == Venture.submission_id)
            .join(Challenge, Challenge.id == Submission.challenge_id)
            .where(
                Challenge.organisation_id == organisation.id,
                Venture.status == VentureStatus.ACTIVE,
            )
            .order_by(Venture.name, Venture.id)
        )
    ]
    return PartnerOverview(
        organisation=organisation,
        profile=get_partner_profile(organisation),
        pilots=pilots,
        challenges=challenges,
        ventures=ventures,
    )
