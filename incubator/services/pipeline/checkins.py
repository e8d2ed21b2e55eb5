"""Founders' weekly check-ins (progress, blockers, asks, confidence and KPIs) and the
custom KPIs a venture tracks besides the standard ones."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from babel.numbers import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator import clock, permissions
from incubator.extensions import db
from incubator.i18n import N_, format_locale
from incubator.models import CheckIn, CustomKpi, User, Venture
from incubator.services import audit
from incubator.services.errors import InvalidInput
from incubator.services.pipeline.milestones import ONLY_THE_TEAM

ASK_KINDS = ["mentors", "data", "introductions", "funding", "other"]
# What people read for each kind of ask; translated where shown (ask_kind_label).
ASK_KIND_LABELS = {
    "mentors": N_("Mentors"),
    "data": N_("Data"),
    "introductions": N_("Introductions"),
    "funding": N_("Funding"),
    "other": N_("Other"),
}
# The standard KPIs: key -> label, the label translated where shown (kpi_label).
STANDARD_KPIS = {
    "users_reached": N_("Residents or users reached"),
    "active_pilots": N_("Active pilots"),
    "revenue": N_("Revenue (USD)"),
    "funding_raised": N_("Funding raised (USD)"),
    "team_size": N_("Team size"),
}


def ask_kind_label(kind: str) -> str:
    """A kind of ask in the request's language; a kind no longer listed, as stored."""
    return _(ASK_KIND_LABELS[kind]) if kind in ASK_KIND_LABELS else kind


def kpi_label(key: str) -> str:
    """A standard KPI's label in the request's language."""
    return _(STANDARD_KPIS[key])


@dataclass
class CheckInInput:
    week_start: date
    summary: str
    progress: str = ""
    blockers: str = ""
    ask_kinds: list[str] = field(default_factory=list)
    asks: str = ""
    confidence: int = 3
    users_reached: int | None = None
    active_pilots: int | None = None
    revenue: float | None = None
    funding_raised: float | None = None
    team_size: int | None = None
    custom_kpis: dict[str, float] = field(default_factory=dict)


def custom_kpis(venture: Venture) -> list[CustomKpi]:
    return list(
        db.session.scalars(
            select(CustomKpi).where(CustomKpi.venture_id == venture.id).order_by(CustomKpi.name)
        )
    )


def add_custom_kpi(venture: Venture, name: str, unit: str, *, by: User) -> CustomKpi:
    permissions.require(permissions.may_edit_venture(by, venture), _(ONLY_THE_TEAM))
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(_("A KPI needs a name of at most 80 characters."))
    # A standard KPI's name in English or in the language the founder reads it in.
    standard = {
        label.lower()
        for key, english in STANDARD_KPIS.items()
        for label in (english, kpi_label(key))
    }
    if name in STANDARD_KPIS or name.lower() in standard:
        raise InvalidInput(_("%(name)r is already one of the standard KPIs.", name=name))
    if any(kpi.name == name for kpi in custom_kpis(venture)):
        raise InvalidInput(_("The venture already tracks %(name)r.", name=name))
    kpi = CustomKpi(venture_id=venture.id, name=name, unit=unit.strip()[:40])
    db.session.add(kpi)
    db.session.flush()
    audit.record(by, "custom_kpi.created", "venture", venture.id, after={"name": name})
    return kpi


def week_refusal(venture: Venture, week: date, today: date) -> str | None:
    """Why the venture cannot have a check-in for this week, or None when it can: the week
    is a Monday, from the week its cohort starts to this week."""
    if week.weekday() != 0:
        return _("A check-in's week starts on a Monday.")

    def label(day: date) -> str:
        return clock.day_label(day, as_of=today)

    this_week = clock.week_start(today)
    if week > this_week:
        return _(
            "You cannot check in for a week that has not started: the week of %(week)s is "
            "still to come (this week is the week of %(this_week)s).",
            week=label(week),
            this_week=label(this_week),
        )
    cohort = venture.cohort
    first_week = clock.week_start(cohort.starts_on)
    if week < first_week:
        return _(
            "The week of %(week)s is before %(cohort)s started on %(starts_on)s; check-ins "
            "begin with the week of %(first_week)s.",
            week=label(week),
            cohort=cohort.name,
            starts_on=label(cohort.starts_on),
            first_week=label(first_week),
        )
    return None


def _check_week(venture: Venture, week: date, today: date) -> None:
    refusal = week_refusal(venture, week, today)
    if refusal is not None:
        raise InvalidInput(refusal)


def _check_same_week(
    editing: CheckIn | None, opened_week: date | None, week: date, today: date
) -> None:
    """A form keeps the week it was opened on, and an edit its check-in's week: moving it
    would overwrite, or stand in for, the other week's check-in."""
    if editing is not None and editing.week_start != week:
        refusal = N_(
            "This is the check-in for the week of %(shown)s, and its week cannot change to "
            "the week of %(week)s; nothing was saved. To write about the week of %(week)s, "
            "open that week."
        )
        shown = editing.week_start
    elif opened_week is not None and opened_week != week:
        refusal = N_(
            "This form is for the week of %(shown)s, and its week cannot change to the week "
            "of %(week)s; nothing was saved. To write about the week of %(week)s, open that "
            "week."
        )
        shown = opened_week
    else:
        return

    def label(day: date) -> str:
        return clock.day_label(day, as_of=today)

    raise InvalidInput(_(refusal, shown=label(shown), week=label(week)))


def _check_check_in(venture: Venture, data: CheckInInput, today: date) -> None:
    _check_week(venture, data.week_start, today)
    if not data.summary.strip():
        raise InvalidInput(_("Write a short summary of the week."))
    if not 1 <= data.confidence <= 5:
        raise InvalidInput(_("Confidence is a number from 1 to 5."))
    unknown_asks = set(data.ask_kinds) - set(ASK_KINDS)
    if unknown_asks:
        raise InvalidInput(
            _("Unknown kind of ask: %(kinds)s.", kinds=", ".join(sorted(unknown_asks)))
        )
    for name in STANDARD_KPIS:
        _check_kpi_value(kpi_label(name), getattr(data, name))
    known = {kpi.name for kpi in custom_kpis(venture)}
    for name, value in data.custom_kpis.items():
        if name not in known:
            raise InvalidInput(_("%(name)r is not one of this venture's KPIs.", name=name))
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidInput(_("%(kpi)s must be a number.", kpi=name))
        _check_kpi_value(name, value)


# Counts are stored as 32-bit integers; no KPI here comes near this.
KPI_LIMIT = 2_000_000_000


def _check_kpi_value(label: str, value: float | None) -> None:
    if value is None:
        return
    # "Infinity" and "NaN" parse as numbers but are no KPI (and are not valid JSON).
    if not math.isfinite(value):
        raise InvalidInput(_("%(kpi)s must be a number.", kpi=label))
    if value < 0:
        raise InvalidInput(_("%(kpi)s cannot be negative.", kpi=label))
    if value > KPI_LIMIT:
        raise InvalidInput(
            _(
                "%(kpi)s must be at most %(limit)s.",
                kpi=label,
                limit=format_decimal(KPI_LIMIT, locale=format_locale()),
            )
        )


def _apply_check_in(check_in: CheckIn, data: CheckInInput, by: User) -> None:
    check_in.author_id = by.id
    check_in.summary = data.summary.strip()
    check_in.progress = data.progress.strip()
    check_in.blockers = data.blockers.strip()
    check_in.ask_kinds = [kind for kind in ASK_KINDS if kind in data.ask_kinds]
    check_in.asks = data.asks.strip()
    check_in.confidence = data.confidence
    for name in STANDARD_KPIS:
        setattr(check_in, name, getattr(data, name))
    check_in.custom_kpis = dict(data.custom_kpis)


def check_in_for_week(venture: Venture, week_start: date) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(CheckIn.venture_id == venture.id, CheckIn.week_start == week_start)
    )


def check_in_of(venture: Venture, check_in_id: int) -> CheckIn | None:
    """The venture's check-in of that id; None for another venture's or none at all."""
    if not 0 < check_in_id < 2**31:  # ids are 32-bit; PostgreSQL refuses a larger number
        return None
    check_in = db.session.get(CheckIn, check_in_id)
    return check_in if check_in is not None and check_in.venture_id == venture.id else None


def save_check_in(
    venture: Venture,
    data: CheckInInput,
    *,
    by: User,
    today: date | None = None,
    editing: CheckIn | None = None,
    opened_week: date | None = None,
) -> tuple[CheckIn, bool]:
    """Post the week's check-in, or edit it if the week has one; returns it and whether new.

    `editing` is the check-in the person's form was opened on and `opened_week` the week it
    was opened for (None when not known); neither week can change on the form.
    """
    permissions.require(
        permissions.may_post_check_in(by, venture),
        _("Only the venture's founders post its check-ins."),
    )
    today = today or clock.today()
    _check_check_in(venture, data, today)
    if editing is not None and editing.venture_id != venture.id:
        raise InvalidInput(_("That check-in belongs to another venture."))
    _check_same_week(editing, opened_week, data.week_start, today)
    check_in = check_in_for_week(venture, data.week_start)
    created = False
    if check_in is None:
        check_in, created = _insert_check_in(venture, data, by)
    if not created:
        _apply_check_in(check_in, data, by)
        db.session.flush()
    audit.record(
        by,
        "check_in.created" if created else "check_in.updated",
        "check_in",
        check_in.id,
        after={"venture_id": venture.id, "week": data.week_start.isoformat()},
    )
    return check_in, created


def _insert_check_in(venture: Venture, data: CheckInInput, by: User) -> tuple[CheckIn, bool]:
    """A new check-in for the week, and True; or, when another founder's post for the same
    week got in first, that one (to be edited) and False: the unique key keeps one row."""
    check_in = CheckIn(venture_id=venture.id, week_start=data.week_start)
    _apply_check_in(check_in, data, by)
    try:
        with db.session.begin_nested():
            db.session.add(check_in)
            db.session.flush()
    except IntegrityError:
        existing = check_in_for_week(venture, data.week_start)
        if existing is None:
            raise
        return existing, False
    return check_in, True


def recent_check_ins(venture: Venture, limit: int = 12) -> list[CheckIn]:
    return list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.venture_id == venture.id)
            .order_by(CheckIn.week_start.desc())
            .limit(limit)
        )
    )
