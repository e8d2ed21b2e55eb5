"""The inclusion funnel: who registered, came, submitted, placed, joined a cohort, was funded
and saw a pilot adopted, by group, with the conversion at each step; suppressed.

The unit is a registration (one person at one hackathon; a person who registered for two
hackathons counts twice over all hackathons), cancelled ones left out. The steps are
nested: each counts the registrations that reached it *and* every step before it, so a
conversion is never above 100%:

    registered → attended (checked in) → on a team that submitted (a submitted submission
    of the same hackathon lists the person) → placed (that submission has a placement) →
    founder in a cohort (a member of the venture promoted from it) → venture funded (an
    investment) → pilot adopted (a pilot of the venture was adopted).

Every breakdown comes from one SQL statement, whatever the number of registrations: a CTE
of the scope's registrations (each with every breakdown's key and a 1 or 0 per step) that
the database computes once, grouped by each breakdown's key in a UNION ALL; one more query
names the hackathons. Questions with several answers (backgrounds, race and ethnicity)
count a person once per answer, so their rows add up to more than the total.

Every table of a scope goes through `suppression.suppress` together, since they are the
same people: a count is hidden on every page or on none, whichever breakdown is shown.

Scopes overlap. All hackathons' funnel (the managers' default, and the public section) and a
cohort's funnel are sums of the hackathons' published funnels, each shown only where every
part is, so subtracting one page from another gives away nothing a hackathon's page hides.
A cohort counts founders of its own ventures: for a hackathon whose ventures went to more
than one cohort those steps are hidden in the cohort's funnel, since the hackathon's page
counts them for every cohort. A partner's referrals are suppressed on their own (a partner
sees no other page; a person who is both a manager and a partner could compare them).
"""

from __future__ import annotations

import enum
import itertools
import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from babel import dates
from flask_babel import gettext
from sqlalchemy import String, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.sql import ColumnElement, Select

from incubator.extensions import db
from incubator.i18n import N_, format_locale
from incubator.models import (
    AgeBand,
    Background,
    Cohort,
    DemographicAnswers,
    Gender,
    Hackathon,
    Investment,
    Organisation,
    OrganisationMember,
    OutreachPartner,
    Pilot,
    RaceEthnicity,
    Registration,
    RegistrationStatus,
    Submission,
    SubmissionMember,
    User,
    Venture,
    VentureMember,
)
from incubator.models.hackathons import SubmissionStatus
from incubator.models.inclusion import OUTSIDE_THE_CITY, PREFER_NOT_TO_SAY, YOUTH_AGE_BANDS
from incubator.models.matching import PilotStatus
from incubator.services.inclusion import labels, stamps, suppression

# The steps' names, and their labels: in English in the exports (a CSV's header), in the
# reader's language on the page (`step_labels`).
STEPS = (
    ("registered", N_("Registered")),
    ("attended", N_("Attended")),
    ("submitted", N_("On a team that submitted")),
    ("placed", N_("Placed")),
    ("founder", N_("Founder in a cohort")),
    ("funded", N_("Venture funded")),
    ("adopted", N_("Pilot adopted")),
)
NO_ANSWER = N_("No answer")
V = TypeVar("V")
PREFER_NOT_LABEL = N_("Prefer not to say")
REACHED_DIRECTLY = N_("Reached directly")
ALL_REGISTRATIONS = N_("All registrations")
UNDER_25, FROM_25 = N_("Under 25"), N_("25 or older")


class Breakdown(enum.StrEnum):
    GENDER = "gender"
    RACE = "race"
    AGE_BAND = "age_band"
    YOUTH = "youth"
    BACKGROUND = "background"
    NEIGHBOURHOOD = "neighbourhood"
    PARTNER = "partner"
    HACKATHON = "hackathon"

    @property
    def label(self) -> str:
        """The breakdown in the request's language (the exports are made in English)."""
        return gettext(BREAKDOWN_LABELS[self])


BREAKDOWN_LABELS = {
    Breakdown.GENDER: N_("Gender"),
    Breakdown.RACE: N_("Race and ethnicity"),
    Breakdown.AGE_BAND: N_("Age band"),
    Breakdown.YOUTH: N_("Youth (under 25)"),
    Breakdown.BACKGROUND: N_("Background"),
    Breakdown.NEIGHBOURHOOD: N_("Neighbourhood of residence"),
    Breakdown.PARTNER: N_("Outreach partner"),
    Breakdown.HACKATHON: N_("Hackathon, over time"),
}
# Questions with several answers: a person counts once per answer.
SEVERAL_ANSWERS = frozenset({Breakdown.RACE, Breakdown.BACKGROUND})


@dataclass(frozen=True)
class Scope:
    """Which registrations: one hackathon's, those of the hackathons a cohort's ventures came
    from (the founder step then counts that cohort's ventures only), only those referred by
    some organisations (a partner's view), or all of them."""

    hackathon_id: int | None = None
    cohort_id: int | None = None
    organisation_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Row:
    """One group's counts per step (None where hidden) and the conversion from each step to
    the next (None where either count is hidden). The label is the group's English one (the
    exports', and the city's figures are found by it); `words` is what the page shows."""

    label: str
    counts: tuple[int | None, ...]

    @property
    def words(self) -> str:
        """The group in the request's language: an answer or a program's word translated, a
        neighbourhood, partner or hackathon by its name."""
        return gettext(self.label) if self.label in TRANSLATED_GROUPS else self.label

    @property
    def conversions(self) -> tuple[float | None, ...]:
        return tuple(
            suppression.rate(later, earlier) for earlier, later in itertools.pairwise(self.counts)
        )

    @property
    def registered(self) -> int | None:
        return self.counts[0]


@dataclass(frozen=True)
class Table:
    breakdown: Breakdown
    rows: tuple[Row, ...]

    @property
    def several_answers(self) -> bool:
        return self.breakdown in SEVERAL_ANSWERS


@dataclass(frozen=True)
class Funnel:
    scope: Scope
    total: Row
    tables: dict[Breakdown, Table] = field(default_factory=dict)


# The groups that are words rather than names: each answer's label, and the groups the
# funnel adds.
TRANSLATED_GROUPS = frozenset(
    {
        *labels.MESSAGES,
        NO_ANSWER,
        PREFER_NOT_LABEL,
        REACHED_DIRECTLY,
        ALL_REGISTRATIONS,
        UNDER_25,
        FROM_25,
        OUTSIDE_THE_CITY,
    }
)


def step_labels() -> list[tuple[str, str]]:
    """Each step's name and its label in the request's language."""
    return [(name, gettext(label)) for name, label in STEPS]


# Raw counts, before suppression: a group's label and its count per step.
Counts = list[tuple[str, tuple[int, ...]]]


def breakdowns_for(scope: Scope) -> list[Breakdown]:
    """The breakdowns that say something for a scope (one hackathon needs no "over time")."""
    return [
        breakdown
        for breakdown in Breakdown
        if not (breakdown is Breakdown.HACKATHON and scope.hackathon_id is not None)
    ]


def build(scope: Scope) -> Funnel:
    """The funnel of a scope, every breakdown suppressed together.

    The funnel of all hackathons is made of the hackathons' own published funnels (below),
    so that no hidden count of one hackathon can be had by subtracting the others from it.
    """
    if scope == Scope():
        return _all_hackathons()
    if scope.cohort_id is not None and scope.organisation_ids is None:
        return _cohort_funnel(scope.cohort_id)
    breakdowns = [b for b in breakdowns_for(scope) if b is not Breakdown.YOUTH]
    return _published(scope, _grouped(scope, breakdowns))


def stamps_of(scope: Scope) -> tuple[Hashable, ...] | None:
    """The stamps a scope's funnel is kept under (one query): one hackathon's for its own
    funnel, every hackathon's for the others, which add the hackathons' funnels up."""
    own = scope.hackathon_id if scope.cohort_id is None else None
    return stamps.key_for(own)


def kept(scope: Scope, key: tuple[Hashable, ...] | None) -> Funnel:
    """`build(scope)` as this worker built it under the scope's stamps (`stamps_of`, read
    first by the caller), built afresh when they have changed or there are none."""
    if key is None:
        return build(scope)
    return stamps.remembered((scope, key), lambda: build(scope))


def _published(scope: Scope, raw: dict[Breakdown, Counts]) -> Funnel:
    """A scope's counts as they may be published: every breakdown suppressed together."""
    totals = _totals(raw[Breakdown.GENDER])
    order = list(raw)
    shown = suppression.suppress([_suppression_table(b, raw[b], totals) for b in order])
    tables: dict[Breakdown, Table] = {
        breakdown: Table(breakdown, _rows(raw[breakdown], published))
        for breakdown, published in zip(order, shown, strict=True)
    }
    tables[Breakdown.YOUTH] = _youth(tables[Breakdown.AGE_BAND])
    column_totals = shown[order.index(Breakdown.GENDER)].column_totals or ()
    return Funnel(
        scope=scope,
        total=Row(ALL_REGISTRATIONS, tuple(column_totals)),
        tables={breakdown: tables[breakdown] for breakdown in breakdowns_for(scope)},
    )


def _all_hackathons() -> Funnel:
    """Every hackathon's funnel published as its own page publishes it, then added up: a
    count of all hackathons is shown only where each hackathon's count is (`total_of`), so
    it tells nothing that the hackathons' pages do not. One query, as for one hackathon."""
    return _added(Scope(), _hackathon_funnels())


def _cohort_funnel(cohort_id: int) -> Funnel:
    """A cohort's funnel: the hackathons its ventures came from, each as its page publishes
    it, added up. The last three steps count founders of this cohort: a hackathon whose
    ventures all joined this cohort counts them as its page does; for one whose ventures
    went to other cohorts too they are hidden, since its page's counts mix the cohorts and a
    difference of the two would tell what either hides."""
    feeders = _feeders(cohort_id)
    parts = [
        part if feeders[part.scope.hackathon_id] else _hidden_from(part, FIRST_COHORT_STEP)
        for part in _hackathon_funnels()
        if part.scope.hackathon_id in feeders
    ]
    return _added(Scope(cohort_id=cohort_id), parts)


# The steps that depend on the cohort a venture joined: founder, funded, adopted.
FIRST_COHORT_STEP = 4


def _hackathon_funnels() -> list[Funnel]:
    """Each hackathon's funnel as its own page publishes it (one query for them all)."""
    return [
        _published(Scope(hackathon_id=hackathon_id), raw)
        for hackathon_id, raw in _grouped_by_hackathon(_ONE_HACKATHON).items()
    ]


_ONE_HACKATHON: list[Breakdown] = [
    b for b in Breakdown if b not in (Breakdown.YOUTH, Breakdown.HACKATHON)
]


def _feeders(cohort_id: int) -> dict[int | None, bool]:
    """The hackathons whose promoted ventures include one in the cohort, each with whether
    all of its promoted ventures are in it."""
    rows = db.session.execute(
        select(
            Submission.hackathon_id,
            func.max(case((Venture.cohort_id == cohort_id, 1), else_=0)),
            func.count(func.distinct(Venture.cohort_id)),
        )
        .join(Venture, Venture.submission_id == Submission.id)
        .group_by(Submission.hackathon_id)
    )
    return {row[0]: row[2] == 1 for row in rows if row[1]}


def _hidden_from(part: Funnel, first: int) -> Funnel:
    """A funnel with every count from step `first` on hidden."""

    def cut(row: Row) -> Row:
        return Row(row.label, (*row.counts[:first], *(None for _ in row.counts[first:])))

    return Funnel(
        scope=part.scope,
        total=cut(part.total),
        tables={
            breakdown: Table(breakdown, tuple(cut(row) for row in table.rows))
            for breakdown, table in part.tables.items()
        },
    )


def _added(scope: Scope, parts: list[Funnel]) -> Funnel:
    """Funnels of hackathons added up, group by group; the hackathons themselves are the
    breakdown over time, each with its published total."""
    by_id = {part.scope.hackathon_id: part for part in parts}
    by_hackathon = Table(
        Breakdown.HACKATHON,
        tuple(
            Row(label, by_id[hackathon_id].total.counts)
            for hackathon_id, label in _hackathon_names(i for i in by_id if i is not None)
        ),
    )
    tables: dict[Breakdown, Table] = {
        breakdown: Table(breakdown, _added_up(breakdown, [p.tables[breakdown] for p in parts]))
        for breakdown in _ONE_HACKATHON
    }
    tables[Breakdown.YOUTH] = _youth(tables[Breakdown.AGE_BAND])
    tables[Breakdown.HACKATHON] = by_hackathon
    return Funnel(
        scope=scope,
        total=Row(ALL_REGISTRATIONS, _column_sums([part.total for part in parts])),
        tables={breakdown: tables[breakdown] for breakdown in breakdowns_for(scope)},
    )


def _added_up(breakdown: Breakdown, tables: list[Table]) -> tuple[Row, ...]:
    """The rows of several tables of one breakdown added up group by group; a group missing
    from a table (nobody from that neighbourhood came to that hackathon) counts 0 there."""
    zero = Row("", tuple(0 for _ in STEPS))
    listed = GROUPINGS[breakdown].listed
    labels = {**dict.fromkeys(listed), **{row.label: None for t in tables for row in t.rows}}
    rows_of = [{row.label: row for row in table.rows} for table in tables]
    added = {label: _column_sums([rows.get(label, zero) for rows in rows_of]) for label in labels}
    return tuple(Row(label, counts) for label, counts in _ordered(breakdown, added))


def _column_sums(rows: Sequence[Row]) -> tuple[int | None, ...]:
    """Step by step, the sum of the rows' published counts (None where any is hidden)."""
    if not rows:
        return tuple(0 for _ in STEPS)
    return tuple(
        suppression.total_of(column) for column in zip(*(r.counts for r in rows), strict=True)
    )


def _totals(counts: Counts) -> tuple[int, ...]:
    return tuple(sum(column) for column in zip(*(c for _, c in counts), strict=True))


def _suppression_table(
    breakdown: Breakdown, counts: Counts, totals: tuple[int, ...]
) -> suppression.Table:
    """The groups as rows, the steps as columns; a question with one answer adds up to the
    totals, one with several does not."""
    return suppression.Table(
        cells=[list(values) for _, values in counts] or [[0] * len(STEPS)],
        column_totals=None if breakdown in SEVERAL_ANSWERS else totals,
    )


def _rows(counts: Counts, published: suppression.Shown) -> tuple[Row, ...]:
    return tuple(
        Row(label, values) for (label, _), values in zip(counts, published.cells, strict=False)
    )


def _youth(by_age: Table) -> Table:
    """Youth as sums of the published age bands: shown only where every band it adds is, so
    it tells nothing the age table does not."""
    groups: dict[str, list[Row]] = {UNDER_25: [], FROM_25: [], PREFER_NOT_LABEL: []}
    labels = {AgeBand(value).label: value for value in AgeBand}
    rest = []
    for row in by_age.rows:
        value = labels.get(row.label)
        if value is None:
            rest.append(row)
        elif value == PREFER_NOT_TO_SAY:
            groups[PREFER_NOT_LABEL].append(row)
        else:
            groups[UNDER_25 if value in YOUTH_AGE_BANDS else FROM_25].append(row)
    rows = [
        Row(
            label,
            tuple(
                suppression.total_of(column)
                for column in zip(*(r.counts for r in members), strict=True)
            ),
        )
        for label, members in groups.items()
    ]
    return Table(Breakdown.YOUTH, (*rows, *rest))


# The queries ------------------------------------------------------------------------------------


def _progress(scope: Scope):
    """Per person and hackathon, how far their submitted submissions went (1 or 0 per step
    after "on a team that submitted"), each step requiring the one before."""
    funded = select(Investment.venture_id).distinct().subquery()
    adopted = (
        select(Pilot.venture_id).where(Pilot.status == PilotStatus.ADOPTED).distinct().subquery()
    )
    placed = Submission.placement.is_not(None)
    founder = and_(placed, VentureMember.id.is_not(None))
    if scope.cohort_id is not None:
        founder = and_(founder, Venture.cohort_id == scope.cohort_id)
    is_funded = and_(founder, funded.c.venture_id.is_not(None))
    is_adopted = and_(is_funded, adopted.c.venture_id.is_not(None))

    def flag(condition: ColumnElement[bool], name: str):
        return func.max(case((condition, 1), else_=0)).label(name)

    return (
        select(
            SubmissionMember.user_id,
            Submission.hackathon_id,
            flag(placed, "placed"),
            flag(founder, "founder"),
            flag(is_funded, "funded"),
            flag(is_adopted, "adopted"),
        )
        .join(Submission, Submission.id == SubmissionMember.submission_id)
        .outerjoin(Venture, Venture.submission_id == Submission.id)
        .outerjoin(
            VentureMember,
            and_(
                VentureMember.venture_id == Venture.id,
                VentureMember.user_id == SubmissionMember.user_id,
            ),
        )
        .outerjoin(funded, funded.c.venture_id == Venture.id)
        .outerjoin(adopted, adopted.c.venture_id == Venture.id)
        .where(Submission.status == SubmissionStatus.SUBMITTED)
        .where(SubmissionMember.user_id.is_not(None))
        .group_by(SubmissionMember.user_id, Submission.hackathon_id)
        .subquery()
    )


def _reached(progress) -> dict[str, ColumnElement[Any]]:
    """Each step after registering as 1 or 0 for one registration, each requiring the one
    before."""
    attended = Registration.attended_at.is_not(None)
    submitted = and_(attended, progress.c.user_id.is_not(None))

    def flag(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return case((condition, 1), else_=0)

    return {
        "attended": flag(attended),
        "submitted": flag(submitted),
        **{name: flag(and_(submitted, progress.c[name] == 1)) for name, _ in STEPS[3:]},
    }


def _in_scope(query: Select, scope: Scope) -> Select:
    query = query.where(Registration.status != RegistrationStatus.CANCELLED)
    if scope.hackathon_id is not None:
        query = query.where(Registration.hackathon_id == scope.hackathon_id)
    if scope.cohort_id is not None:
        feeders = (
            select(Submission.hackathon_id)
            .join(Venture, Venture.submission_id == Submission.id)
            .where(Venture.cohort_id == scope.cohort_id)
        )
        query = query.where(Registration.hackathon_id.in_(feeders))
    if scope.organisation_ids is not None:
        referred = select(OutreachPartner.id).where(
            OutreachPartner.organisation_id.in_(scope.organisation_ids)
        )
        query = query.where(Registration.referred_by_id.in_(referred))
    return query


@dataclass(frozen=True)
class _Grouping:
    """How one breakdown groups: its key for one registration, the groups listed even when
    empty, and how a key becomes labels (several for a list of answers)."""

    key: Callable[[], Any]
    labels: Callable[[str | None], Iterable[str]]
    listed: Sequence[str] = ()


def _labelled(enum_class, value: str | None) -> list[str]:
    if value is None:
        return [NO_ANSWER]
    try:
        return [enum_class(value).label]
    except ValueError:
        return [value]


def _listed_answers(enum_class, text: str | None) -> list[str]:
    """The labels of a JSON list of answers; none is "No answer"."""
    values = json.loads(text) if text else []
    if not values:
        return [NO_ANSWER]
    if values == [PREFER_NOT_TO_SAY]:
        return [PREFER_NOT_LABEL]
    return [enum_class(value).label for value in values if value in set(enum_class)]


def _answer_labels(enum_class) -> list[str]:
    return [member.label for member in enum_class]


GROUPINGS: dict[Breakdown, _Grouping] = {
    Breakdown.GENDER: _Grouping(
        key=lambda: DemographicAnswers.gender,
        labels=lambda key: _labelled(Gender, key),
        listed=[*_answer_labels(Gender), NO_ANSWER],
    ),
    Breakdown.AGE_BAND: _Grouping(
        key=lambda: DemographicAnswers.age_band,
        labels=lambda key: _labelled(AgeBand, key),
        listed=[*_answer_labels(AgeBand), NO_ANSWER],
    ),
    Breakdown.RACE: _Grouping(
        key=lambda: cast(DemographicAnswers.race_ethnicity, String),
        labels=lambda key: _listed_answers(RaceEthnicity, key),
        listed=[*_answer_labels(RaceEthnicity), PREFER_NOT_LABEL, NO_ANSWER],
    ),
    Breakdown.BACKGROUND: _Grouping(
        key=lambda: cast(Registration.backgrounds, String),
        labels=lambda key: _listed_answers(Background, key),
        listed=[*_answer_labels(Background), NO_ANSWER],
    ),
    Breakdown.NEIGHBOURHOOD: _Grouping(
        key=lambda: Registration.residence,
        labels=lambda key: [key or NO_ANSWER],
    ),
    Breakdown.PARTNER: _Grouping(
        key=lambda: Organisation.name,
        labels=lambda key: [key or REACHED_DIRECTLY],
    ),
    # Labelled by `_hackathon_labels`, which knows their names and dates.
    Breakdown.HACKATHON: _Grouping(
        key=lambda: cast(Registration.hackathon_id, String),
        labels=lambda key: [key or ""],
    ),
}


def _registrations_in_scope(scope: Scope):
    """One row per registration of the scope: every breakdown's key and 1 or 0 per step.
    Every breakdown groups this one CTE, which the database computes once."""
    progress = _progress(scope)
    query = (
        select(
            Registration.hackathon_id.label("hackathon_id"),
            *(GROUPINGS[b].key().label(b.value) for b in GROUPINGS),
            *(flag.label(name) for name, flag in _reached(progress).items()),
        )
        .select_from(Registration)
        .outerjoin(
            progress,
            and_(
                progress.c.user_id == Registration.user_id,
                progress.c.hackathon_id == Registration.hackathon_id,
            ),
        )
        .outerjoin(DemographicAnswers, DemographicAnswers.user_id == Registration.user_id)
        .outerjoin(OutreachPartner, OutreachPartner.id == Registration.referred_by_id)
        .outerjoin(Organisation, Organisation.id == OutreachPartner.organisation_id)
    )
    return _in_scope(query, scope).cte("registrations_in_scope")


def _grouped(scope: Scope, breakdowns: Sequence[Breakdown]) -> dict[Breakdown, Counts]:
    """One query: the registrations of the scope grouped by each breakdown's key (a UNION
    ALL of one GROUP BY per breakdown), with their count at every step; then the groups in
    their order, empty listed groups as zeros."""
    found = _counted(_grouping_query(scope, breakdowns, by_hackathon=False), breakdowns)
    return found.get(None) or _counted_nothing(breakdowns)


def _grouped_by_hackathon(breakdowns: Sequence[Breakdown]) -> dict[int, dict[Breakdown, Counts]]:
    """The same for every hackathon at once, each hackathon apart, in one query."""
    found = _counted(_grouping_query(Scope(), breakdowns, by_hackathon=True), breakdowns)
    return {hackathon_id: counts for hackathon_id, counts in found.items() if hackathon_id}


def _grouping_query(scope: Scope, breakdowns: Sequence[Breakdown], *, by_hackathon: bool):
    base = _registrations_in_scope(scope)
    steps = [base.c[name] for name, _ in STEPS[1:]]
    hackathon = base.c.hackathon_id if by_hackathon else literal(None)
    return union_all(
        *(
            select(
                hackathon.label("hackathon"),
                literal(breakdown.value).label("breakdown"),
                base.c[breakdown.value].label("key"),
                func.count(),
                *(func.coalesce(func.sum(step), 0) for step in steps),
            ).group_by(*([base.c.hackathon_id] if by_hackathon else []), base.c[breakdown.value])
            for breakdown in breakdowns
        )
    )


def _counted_nothing(breakdowns: Sequence[Breakdown]) -> dict[Breakdown, Counts]:
    return {
        breakdown: _ordered(
            breakdown, {label: [0] * len(STEPS) for label in GROUPINGS[breakdown].listed}
        )
        for breakdown in breakdowns
    }


def _counted(query, breakdowns: Sequence[Breakdown]) -> dict[int | None, dict[Breakdown, Counts]]:
    """The query's counts by hackathon (None when not grouped by hackathon), each breakdown's
    groups in their order, empty listed groups as zeros."""
    found: dict[int | None, dict[Breakdown, dict[str, list[int]]]] = {}
    for row in db.session.execute(query):
        groups = found.setdefault(
            row[0],
            {
                breakdown: {label: [0] * len(STEPS) for label in GROUPINGS[breakdown].listed}
                for breakdown in breakdowns
            },
        )
        breakdown = Breakdown(row[1])
        for label in GROUPINGS[breakdown].labels(row[2]):
            counts = groups[breakdown].setdefault(label, [0] * len(STEPS))
            for index, value in enumerate(row[3:]):
                counts[index] += int(value or 0)
    result: dict[int | None, dict[Breakdown, Counts]] = {}
    for hackathon_id, groups in found.items():
        if Breakdown.HACKATHON in groups:
            groups[Breakdown.HACKATHON] = _hackathon_labels(groups[Breakdown.HACKATHON])
        result[hackathon_id] = {b: _ordered(b, counts) for b, counts in groups.items()}
    return result


def _hackathon_labels(by_id: Mapping[str, V]) -> dict[str, V]:
    """Hackathons' counts by name and month, in date order (one query)."""
    return {
        label: by_id[str(hackathon_id)]
        for hackathon_id, label in _hackathon_names([int(key) for key in by_id])
    }


def _hackathon_names(ids: Iterable[int]) -> list[tuple[int, str]]:
    """Each hackathon's id and its name with its month (in the request's language), in date
    order."""
    rows = db.session.execute(
        select(Hackathon.id, Hackathon.name, Hackathon.starts_on)
        .where(Hackathon.id.in_(list(ids)))
        .order_by(Hackathon.starts_on, Hackathon.id)
    )
    locale = format_locale()
    return [
        (hackathon_id, f"{name} ({dates.format_skeleton('yMMMM', starts_on, locale=locale)})")
        for hackathon_id, name, starts_on in rows
    ]


def _ordered(
    breakdown: Breakdown, found: Mapping[str, Sequence[V]]
) -> list[tuple[str, tuple[V, ...]]]:
    """Listed groups first in their order, then the others by name (neighbourhoods and
    partners alphabetically, outside the city and direct reach last); hackathons by date."""
    last = {OUTSIDE_THE_CITY, REACHED_DIRECTLY, NO_ANSWER}
    listed = GROUPINGS[breakdown].listed
    if breakdown is Breakdown.HACKATHON:
        names = list(found)
    else:
        names = [*listed, *sorted(set(found) - set(listed) - last)]
        names += [name for name in (OUTSIDE_THE_CITY, REACHED_DIRECTLY) if name in found]
        if NO_ANSWER in found and NO_ANSWER not in names:
            names.append(NO_ANSWER)
    return [(name, tuple(found[name])) for name in names]


# Who sees which funnel ---------------------------------------------------------------------------


def partner_organisations(user: User) -> list[Organisation]:
    """The organisations a person speaks for that do outreach for some hackathon: their
    funnel is the one of the people those organisations referred."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
            .where(OrganisationMember.user_id == user.id)
            .where(
                Organisation.id.in_(select(OutreachPartner.organisation_id)),
            )
            .order_by(Organisation.name)
        )
    )


def hackathon_choices() -> list[tuple[int, str]]:
    """Hackathons with registrations (or open for them), newest first, for the chooser.

    Asked per hackathon: its first registration in the order of the index on a
    registration's hackathon and status, which that index answers at once. `id IN (every
    registration's hackathon)`, and EXISTS too, were hashed by PostgreSQL from all 100,000
    registrations, and without the order it read the table from the start until it met one
    (about 7 ms either way) on every look at the funnel."""
    with_registrations = (
        select(Registration.id)
        .where(Registration.hackathon_id == Hackathon.id)
        .order_by(Registration.status, Registration.id)
        .limit(1)
        .scalar_subquery()
        .is_not(None)
    )
    return [
        (hackathon.id, hackathon.name)
        for hackathon in db.session.scalars(
            select(Hackathon)
            .where(or_(with_registrations, Hackathon.registration_open.is_(True)))
            .order_by(Hackathon.starts_on.desc(), Hackathon.id.desc())
        )
    ]


def cohort_choices() -> list[tuple[int, str]]:
    """Cohorts with a venture promoted from a submission, newest first."""
    promoted = select(Venture.cohort_id).where(Venture.submission_id.is_not(None))
    return [
        (cohort.id, cohort.name)
        for cohort in db.session.scalars(
            select(Cohort)
            .where(Cohort.id.in_(promoted))
            .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        )
    ]


# Exports ----------------------------------------------------------------------------------------


def csv_rows(funnel: Funnel, breakdown: Breakdown) -> list[list[str]]:
    """Exactly what the page shows for a breakdown: counts and conversions, hidden ones
    as "suppressed"; the labels as they are (routes make the exports in English)."""
    step_names = [label for _, label in STEPS]
    header = [
        funnel.tables[breakdown].breakdown.label,
        *step_names,
        *(f"{later} / {earlier}" for earlier, later in itertools.pairwise(step_names)),
    ]
    rows = [header]
    for row in (*funnel.tables[breakdown].rows, funnel.total):
        rows.append(
            [
                row.label,
                *(_text(count) for count in row.counts),
                *(_percent(earlier, later) for earlier, later in itertools.pairwise(row.counts)),
            ]
        )
    return rows


def as_json(funnel: Funnel, breakdown: Breakdown) -> dict[str, Any]:
    """Exactly what the page shows for a breakdown, hidden counts as null."""
    table = funnel.tables[breakdown]

    def row_json(row: Row) -> dict[str, Any]:
        return {
            "group": row.label,
            "counts": dict(zip((name for name, _ in STEPS), row.counts, strict=True)),
            "conversions": [None if rate is None else round(rate, 4) for rate in row.conversions],
        }

    return {
        "breakdown": breakdown.value,
        "several_answers_per_person": table.several_answers,
        "steps": [name for name, _ in STEPS],
        "suppression": f"counts from 1 to {suppression.THRESHOLD} and the counts that would "
        "reveal them are null, and so is every conversion computed from a null count",
        "total": row_json(funnel.total),
        "groups": [row_json(row) for row in table.rows],
    }


def _text(count: int | None) -> str:
    return "suppressed" if count is None else str(count)


def _percent(earlier: int | None, later: int | None) -> str:
    """A conversion: "suppressed" when a count is hidden, empty when nobody reached the
    earlier step."""
    if earlier is None or later is None:
        return "suppressed"
    return f"{later / earlier:.0%}" if earlier else ""
