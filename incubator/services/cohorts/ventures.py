"""Programs, cohorts and ventures; promoting hackathon winners into a cohort."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator import permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Cohort,
    CohortStatus,
    Hackathon,
    PipelineStamp,
    Program,
    Role,
    Stage,
    Submission,
    SubmissionStatus,
    User,
    Venture,
    VentureMember,
    VentureStatus,
)
from incubator.services import audit, locks, mail, versions
from incubator.services.accounts import users
from incubator.services.errors import Conflict, InvalidInput, NotFound
from incubator.services.pipeline import checkins, stages
from incubator.services.scorecard import catalogue as scorecard_catalogue
from incubator.services.scorecard import names as neighbourhood_names
from incubator.vocabulary import CHALLENGE_AREAS, LANGUAGES, NEEDS, NEIGHBOURHOODS

DEFAULT_PROGRAM = "Accelerate: LA"

# The cohort statuses' labels, marked for extraction: cohort_status_label translates them.
COHORT_STATUS_LABELS = {
    CohortStatus.PLANNING: N_("Planning"),
    CohortStatus.ACTIVE: N_("Active"),
    CohortStatus.GRADUATED: N_("Graduated"),
}

# The role in the team a founder gets unless a manager writes another; translated where shown.
FOUNDER = N_("Founder")


def cohort_status_label(status: CohortStatus | str) -> str:
    """A cohort's status in the request's language ("Active", "Activa")."""
    return _(COHORT_STATUS_LABELS[CohortStatus(status)])


def role_in_team_label(role_in_team: str) -> str:
    """A founder's role in the team as written, the default one in the request's language."""
    return _(FOUNDER) if role_in_team == FOUNDER else role_in_team


# Programs and cohorts -------------------------------------------------------------------------


def default_program() -> Program:
    """The city's incubator program, created on first use."""
    program = db.session.scalar(select(Program).where(Program.name == DEFAULT_PROGRAM))
    if program is None:
        program = Program(
            name=DEFAULT_PROGRAM,
            description="The City of Los Angeles incubator that carries civic hackathon "
            "winners from concept to adoption.",
        )
        db.session.add(program)
        db.session.flush()
    return program


@dataclass
class CohortInput:
    name: str
    starts_on: date
    ends_on: date
    capacity: int
    status: str
    showcase_published: bool = False


def _cohort_state(cohort: Cohort) -> dict[str, Any]:
    return {
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": cohort.capacity,
        "status": cohort.status,
        "showcase_published": cohort.showcase_published,
    }


def _check_cohort(program: Program, data: CohortInput, current: Cohort | None) -> None:
    name = data.name.strip()
    if not name:
        raise InvalidInput(_("A cohort needs a name."))
    if data.ends_on < data.starts_on:
        raise InvalidInput(_("The cohort cannot end before it starts."))
    if data.capacity < 1 or data.capacity > 500:
        raise InvalidInput(_("Capacity must be between 1 and 500 ventures."))
    if data.status not in set(CohortStatus):
        raise InvalidInput(_("Unknown cohort status %(status)r.", status=data.status))
    clash = db.session.scalar(
        select(Cohort).where(Cohort.program_id == program.id, Cohort.name == name)
    )
    if clash is not None and clash is not current:
        raise InvalidInput(_("There is already a cohort called %(name)r.", name=name))
    active = active_venture_count(current) if current is not None else 0
    if data.capacity < active:
        raise InvalidInput(
            ngettext(
                "The cohort already has %(num)d venture; the capacity cannot be lower.",
                "The cohort already has %(num)d ventures; the capacity cannot be lower.",
                active,
            )
        )


def create_cohort(data: CohortInput, *, by: User) -> Cohort:
    program = default_program()
    _check_cohort(program, data, None)
    cohort = Cohort(
        program=program,
        name=data.name.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        capacity=data.capacity,
        status=data.status,
        showcase_published=data.showcase_published,
    )
    db.session.add(cohort)
    db.session.flush()
    stages.ensure_stage_plans(cohort)
    audit.record(by, "cohort.created", "cohort", cohort.id, after=_cohort_state(cohort))
    return cohort


def update_cohort(cohort: Cohort, data: CohortInput, *, by: User) -> None:
    _check_cohort(cohort.program, data, cohort)
    before = _cohort_state(cohort)
    cohort.name = data.name.strip()
    cohort.starts_on = data.starts_on
    cohort.ends_on = data.ends_on
    cohort.capacity = data.capacity
    cohort.status = data.status
    cohort.showcase_published = data.showcase_published
    db.session.flush()
    audit.record(
        by, "cohort.updated", "cohort", cohort.id, before=before, after=_cohort_state(cohort)
    )


def get_cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound(_("There is no such cohort."))
    return cohort


def list_cohorts() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id)))


def open_cohorts() -> list[Cohort]:
    """Cohorts that can still take ventures."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.status != CohortStatus.GRADUATED)
            .order_by(Cohort.starts_on.desc(), Cohort.id)
        )
    )


def active_venture_count(cohort: Cohort) -> int:
    return (
        db.session.scalar(
            select(func.count(Venture.id)).where(
                Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE
            )
        )
        or 0
    )


def venture_counts(cohort_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Venture.cohort_id, func.count(Venture.id))
        .where(Venture.cohort_id.in_(cohort_ids), Venture.status == VentureStatus.ACTIVE)
        .group_by(Venture.cohort_id)
    )
    return dict(rows.all())


def cohort_ventures(cohort: Cohort, page: int, per_page: int) -> Pagination:
    """The cohort's active ventures with members and provenance, in a fixed number of queries."""
    statement = (
        select(Venture)
        .options(
            selectinload(Venture.members).selectinload(VentureMember.user),
            selectinload(Venture.submission).selectinload(Submission.hackathon),
        )
        .where(Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE)
        .order_by(Venture.name, Venture.id)
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


# Ventures -------------------------------------------------------------------------------------


@dataclass
class VentureProfile:
    name: str
    one_liner: str
    description: str
    challenge_area: str
    website: str | None
    impact_areas: list[str] = field(default_factory=list)
    neighbourhoods: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    # The standard KPIs funders may see on the venture's public profile.
    shared_kpis: list[str] = field(default_factory=list)


def _check_choices(values: list[str], allowed: list[str], refusal: str) -> list[str]:
    """The values in the order allowed lists them; `refusal` (a message with %(values)s,
    translated here) when one is not allowed."""
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(_(refusal, values=", ".join(unknown)))
    return [value for value in allowed if value in values]


def _check_profile(cohort: Cohort, profile: VentureProfile, current: Venture | None) -> None:
    name = profile.name.strip()
    if not name:
        raise InvalidInput(_("A venture needs a name."))
    if profile.challenge_area and profile.challenge_area not in CHALLENGE_AREAS:
        raise InvalidInput(_("Unknown challenge area %(area)r.", area=profile.challenge_area))
    if profile.website and not profile.website.startswith(("http://", "https://")):
        raise InvalidInput(_("The website must be a link starting with http:// or https://."))
    profile.impact_areas = scorecard_catalogue.check_venture_areas(
        profile.impact_areas, list(current.impact_areas or []) if current else []
    )
    profile.neighbourhoods = _check_choices(
        profile.neighbourhoods, NEIGHBOURHOODS, N_("Unknown neighbourhood: %(values)s.")
    )
    profile.needs = _check_choices(profile.needs, NEEDS, N_("Unknown need: %(values)s."))
    profile.languages = _check_choices(
        profile.languages, LANGUAGES, N_("Unknown language: %(values)s.")
    )
    profile.shared_kpis = _check_choices(
        profile.shared_kpis, list(checkins.STANDARD_KPIS), N_("Unknown KPI to share: %(values)s.")
    )
    clash = db.session.scalar(
        select(Venture).where(Venture.cohort_id == cohort.id, Venture.name == name)
    )
    if clash is not None and clash is not current:
        raise InvalidInput(_("The cohort already has a venture called %(name)r.", name=name))


def _venture_state(venture: Venture) -> dict[str, Any]:
    return {
        "name": venture.name,
        "one_liner": venture.one_liner,
        "challenge_area": venture.challenge_area,
        "stage": venture.stage,
        "status": venture.status,
        "cohort_id": venture.cohort_id,
        "website": venture.website,
        "impact_areas": list(venture.impact_areas),
        "neighbourhoods": list(venture.neighbourhoods),
        "needs": list(venture.needs),
        "languages": list(venture.languages or []),
        "shared_kpis": list(venture.shared_kpis or []),
    }


def _check_room(cohort: Cohort) -> None:
    if cohort.status == CohortStatus.GRADUATED:
        raise InvalidInput(
            _("%(cohort)s has graduated; it takes no new ventures.", cohort=cohort.name)
        )
    if active_venture_count(cohort) >= cohort.capacity:
        raise Conflict(
            ngettext(
                "%(cohort)s is full (%(num)d place taken).",
                "%(cohort)s is full (%(num)d places taken).",
                cohort.capacity,
                cohort=cohort.name,
            )
        )


def create_venture(cohort: Cohort, profile: VentureProfile, *, by: User) -> Venture:
    """A manager adds a venture directly (not from a hackathon)."""
    _check_profile(cohort, profile, None)
    _check_room(cohort)
    venture = Venture(cohort=cohort, stage=Stage.CONCEPT, status=VentureStatus.ACTIVE)
    _apply_profile(venture, profile)
    db.session.add(venture)
    db.session.flush()
    stages.enter_pipeline(venture, by=by)
    audit.record(by, "venture.created", "venture", venture.id, after=_venture_state(venture))
    return venture


def _apply_profile(venture: Venture, profile: VentureProfile) -> None:
    venture.name = profile.name.strip()
    venture.one_liner = profile.one_liner.strip()
    venture.description = profile.description.strip()
    venture.challenge_area = profile.challenge_area
    venture.website = profile.website or None
    venture.impact_areas = profile.impact_areas
    venture.neighbourhoods = profile.neighbourhoods
    venture.needs = profile.needs
    venture.languages = profile.languages
    venture.shared_kpis = profile.shared_kpis


# The fields of the profile form, compared when a save comes from an older version.
PROFILE_FIELDS = (
    "name",
    "one_liner",
    "description",
    "challenge_area",
    "website",
    "impact_areas",
    "neighbourhoods",
    "needs",
    "languages",
    "shared_kpis",
)


def _stale_profile(venture: Venture, profile: VentureProfile, by: User) -> versions.StaleVersion:
    return versions.refusal_of_edit(
        _("This venture's profile"),
        venture,
        versions.fields_of(profile, PROFILE_FIELDS),
        audited_as=("venture", "venture."),
        by=by,
    )


def update_venture(
    venture: Venture,
    profile: VentureProfile,
    *,
    by: User,
    expected_version: int | None = None,
) -> None:
    """Save a venture's profile, unless the form was opened at an older version."""
    permissions.require(
        permissions.may_edit_venture(by, venture),
        _("You can only edit your own venture's profile."),
    )
    locks.lock(venture)
    _check_profile(venture.cohort, profile, venture)
    refuse = partial(_stale_profile, venture, profile, by)
    versions.check(venture.version, expected_version, refuse)
    before = _venture_state(venture)
    with versions.saving(refuse):
        _apply_profile(venture, profile)
    audit.record(
        by, "venture.updated", "venture", venture.id, before=before, after=_venture_state(venture)
    )


def archive_venture(venture: Venture, reason: str, *, by: User) -> None:
    """Take a venture out of its cohort without deleting anything."""
    if venture.status == VentureStatus.ARCHIVED:
        raise InvalidInput(_("This venture is already archived."))
    if not reason.strip():
        raise InvalidInput(_("Give a reason for archiving the venture."))
    before = _venture_state(venture)
    venture.status = VentureStatus.ARCHIVED
    db.session.flush()
    audit.record(
        by,
        "venture.archived",
        "venture",
        venture.id,
        before=before,
        after={**_venture_state(venture), "reason": reason.strip()},
    )


def get_venture(venture_id: int) -> Venture:
    venture = db.session.get(Venture, venture_id)
    if venture is None:
        raise NotFound(_("There is no such venture."))
    return venture


def ventures_of(user: User) -> list[Venture]:
    """The ventures a founder belongs to."""
    return list(
        db.session.scalars(
            select(Venture)
            .join(VentureMember)
            .options(selectinload(Venture.cohort))
            .where(VentureMember.user_id == user.id, Venture.status == VentureStatus.ACTIVE)
            .order_by(Venture.name)
        )
    )


def add_member(
    venture: Venture, email: str, name: str, role_in_team: str, *, by: User
) -> VentureMember:
    """Add a founder to a venture, inviting them when they have no account."""
    user = users.user_by_email(email)
    if user is None or not user.has_password:
        users.invite(email, name, {Role.FOUNDER}, by=by)
        user = users.user_by_email(email)
    else:
        users.grant_roles(user, {Role.FOUNDER}, by=by)
    assert user is not None
    existing = next((m for m in venture.members if m.user_id == user.id), None)
    if existing is not None:
        return existing
    member = VentureMember(venture=venture, user=user, role_in_team=role_in_team.strip() or FOUNDER)
    db.session.add(member)
    db.session.flush()
    audit.record(
        by,
        "venture.member_added",
        "venture",
        venture.id,
        after={"user_id": user.id, "email": user.email, "role_in_team": member.role_in_team},
    )
    if user.has_password:
        # Invitees hear about the venture in their invitation; people with accounts hear here.
        mail.send_template(user, "added_to_venture", by=by, venture=venture)
    return member


# Promotion ------------------------------------------------------------------------------------


@dataclass
class PromotionResult:
    venture: Venture
    created: bool
    invited: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    skipped_members: list[str] = field(default_factory=list)
    # The team's answer about its neighbourhood, when part of it matched none of the 114.
    unmatched_neighbourhood: str = ""


def venture_for_submission(submission: Submission) -> Venture | None:
    return db.session.scalar(select(Venture).where(Venture.submission_id == submission.id))


def _check_promotable(submission: Submission) -> None:
    if submission.status == SubmissionStatus.DRAFT:
        raise InvalidInput(_("A draft submission cannot be promoted."))
    if submission.placement is None:
        raise InvalidInput(
            _(
                "%(title)s has no placement; mark it a winner, runner-up or honourable mention "
                "before promoting it.",
                title=submission.title,
            )
        )


def promote(submission: Submission, cohort: Cohort, *, by: User) -> PromotionResult:
    """Turn a placed submission into a venture at stage concept in a cohort, once.

    Promoting the same submission again returns the venture it already made. The team
    is invited as founders; people with accounts get the role and the membership.
    """
    existing = venture_for_submission(submission)
    if existing is not None:
        return PromotionResult(existing, created=False)
    _check_promotable(submission)
    _check_room(cohort)
    challenge = submission.challenge
    name = _free_venture_name(cohort, submission.title.strip())
    venture = Venture(
        cohort_id=cohort.id,
        submission_id=submission.id,
        name=name,
        one_liner=(submission.tagline or "")[:200],
        description=submission.description,
        challenge_area=challenge.challenge_area if challenge else "",
        website=submission.demo_url,
        stage=Stage.CONCEPT,
        status=VentureStatus.ACTIVE,
        impact_areas=[],
        neighbourhoods=[n for n in submission.neighbourhoods or [] if n in NEIGHBOURHOODS],
        needs=[],
    )
    try:
        # A savepoint: if a concurrent request promoted the same submission first, the
        # unique submission_id refuses this row and the venture already made is returned.
        with db.session.begin_nested():
            db.session.add(venture)
            db.session.flush()
    except IntegrityError:
        existing = venture_for_submission(submission)
        if existing is None:
            raise
        return PromotionResult(existing, created=False)
    stages.enter_pipeline(venture, by=by)
    result = PromotionResult(venture, created=True)
    result.unmatched_neighbourhood = unmatched_neighbourhood(submission)
    for member in submission.members:
        if not member.email:
            result.skipped_members.append(f"{member.name} (no email)")
            continue
        had_account = users.user_by_email(member.email)
        venture_member = add_member(venture, member.email, member.name, FOUNDER, by=by)
        member.user_id = venture_member.user_id
        if had_account is not None and had_account.has_password:
            result.linked.append(member.email)
        else:
            result.invited.append(member.email)
    audit.record(
        by,
        "venture.promoted",
        "venture",
        venture.id,
        after={
            **_venture_state(venture),
            "submission_id": submission.id,
            "invited": result.invited,
            "linked": result.linked,
        },
    )
    return result


def unmatched_neighbourhood(submission: Submission) -> str:
    """The team's Devpost answer about its neighbourhood when some of it matched none of the
    114 neighbourhoods, for the manager to read; empty when it all matched or was not asked."""
    found = neighbourhood_names.find_answer(submission.extra or {})
    if found is None:
        return ""
    answer = found[1]
    matched = neighbourhood_names.match_names(answer, NEIGHBOURHOODS)
    return "" if matched.complete else answer


def _free_venture_name(cohort: Cohort, name: str) -> str:
    # A project title may be longer than a venture name may be; cut it to fit the column.
    column_type = Venture.__table__.c.name.type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError("ventures.name should be a String of some length.")
    limit = column_type.length
    name = name[:limit]
    taken = set(db.session.scalars(select(Venture.name).where(Venture.cohort_id == cohort.id)))
    number = 1
    candidate = name
    while candidate in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: limit - len(suffix)] + suffix
    return candidate


@dataclass
class BulkPromotionLine:
    submission: Submission
    action: str  # "promote", "already", "skip"
    reason: str = ""


def plan_bulk_promotion(hackathon: Hackathon, cohort: Cohort) -> list[BulkPromotionLine]:
    """What promoting every placed submission of a hackathon into a cohort would do."""
    submissions = list(
        db.session.scalars(
            select(Submission)
            .options(selectinload(Submission.members))
            .where(Submission.hackathon_id == hackathon.id, Submission.placement.is_not(None))
            .order_by(Submission.placement.desc(), Submission.title)
        )
    )
    promoted = {
        venture.submission_id: venture
        for venture in db.session.scalars(
            select(Venture).where(Venture.submission_id.in_([s.id for s in submissions]))
        )
    }
    room = (
        0
        if cohort.status == CohortStatus.GRADUATED
        else cohort.capacity - active_venture_count(cohort)
    )
    lines = []
    for submission in sorted(submissions, key=_placement_order):
        if submission.id in promoted:
            venture = promoted[submission.id]
            lines.append(
                BulkPromotionLine(
                    submission,
                    "already",
                    _("already a venture in %(cohort)s", cohort=venture.cohort.name),
                )
            )
        elif submission.status == SubmissionStatus.DRAFT:
            lines.append(BulkPromotionLine(submission, "skip", _("draft")))
        elif room <= 0:
            lines.append(
                BulkPromotionLine(submission, "skip", _("%(cohort)s is full", cohort=cohort.name))
            )
        else:
            room -= 1
            lines.append(BulkPromotionLine(submission, "promote"))
    return lines


_PLACEMENT_ORDER = {"winner": 0, "runner_up": 1, "honourable_mention": 2}


def _placement_order(submission: Submission) -> tuple[int, str]:
    return (_PLACEMENT_ORDER.get(submission.placement or "", 9), submission.title)


def bulk_promote(hackathon: Hackathon, cohort: Cohort, *, by: User) -> list[PromotionResult]:
    """Promote what plan_bulk_promotion marks 'promote'."""
    results = []
    for line in plan_bulk_promotion(hackathon, cohort):
        if line.action == "promote":
            results.append(promote(line.submission, cohort, by=by))
    audit.record(
        by,
        "cohort.bulk_promotion",
        "cohort",
        cohort.id,
        after={"hackathon_id": hackathon.id, "created": len(results)},
    )
    return results


# The public showcase --------------------------------------------------------------------------


@dataclass
class ShowcaseEntry:
    name: str
    one_liner: str
    challenge_area: str
    neighbourhoods: list[str]
    stage: str


# Ventures on one page of a cohort's showcase (a multiple of two and three, for the grid).
SHOWCASE_PAGE_SIZE = 24


@dataclass(frozen=True)
class StageCount:
    stage: str  # the stage's label, in the reader's language
    count: int


@dataclass
class ShowcasePage:
    """One page of a published cohort's showcase, in the order of the ventures' names, and
    what the whole cohort counts. `keys` and `changed` name what the page shows for its ETag
    (ids, edit versions, times); they are never shown."""

    entries: list[ShowcaseEntry]
    total: int  # active ventures in the cohort
    by_stage: list[StageCount]  # in pipeline order, stages with none left out
    after: str | None  # the name this page starts after; None on the first page
    next_after: str | None  # the cursor of the next page; None on the last
    keys: tuple = ()
    changed: datetime | None = None  # the latest change of any of the cohort's ventures


def showcase(cohort: Cohort, after: str | None = None) -> ShowcasePage:
    """The public face of a published cohort: its active ventures by name,
    SHOWCASE_PAGE_SIZE at a time after the name `after` (a keyset on the cohort's unique
    names, so any page costs the same), with the count of each stage; nothing private, only
    plain values. Two queries whatever the size of the cohort."""
    if not cohort.showcase_published:
        raise NotFound(_("This cohort's showcase is not published."))
    # Every venture of the cohort, archived too, so that archiving one changes the facts,
    # counted from ix_ventures_cohort_status_stage_name alone; beside them the cohort's
    # pipeline stamp, which changes with anything the showcase shows of any of its ventures
    # (services/pipeline/stamps.py), and when it did: the page's latest change.
    stamp = (
        select(PipelineStamp.stamp).where(PipelineStamp.cohort_id == cohort.id).scalar_subquery()
    )
    stamped = (
        select(PipelineStamp.changed_at)
        .where(PipelineStamp.cohort_id == cohort.id)
        .scalar_subquery()
    )
    counts: Sequence[tuple[str, str, int, str | None, datetime | None]] = db.session.execute(
        select(Venture.status, Venture.stage, func.count(Venture.id), stamp, stamped)
        .where(Venture.cohort_id == cohort.id)
        .group_by(Venture.status, Venture.stage)
    ).all()
    active = {
        stage: count
        for status, stage, count, _stamp, _at in counts
        if status == VentureStatus.ACTIVE
    }
    changed = counts[0][4] if counts else None
    if counts and counts[0][3] is None:
        # No stamp (rows that arrived around the app): the ventures' latest change instead.
        changed = db.session.scalar(
            select(func.max(Venture.updated_at)).where(Venture.cohort_id == cohort.id)
        )
    query = (
        select(
            Venture.name,
            Venture.one_liner,
            Venture.challenge_area,
            Venture.neighbourhoods,
            Venture.stage,
            Venture.id,
            Venture.version,
            Venture.updated_at,
        )
        .where(Venture.cohort_id == cohort.id, Venture.status == VentureStatus.ACTIVE)
        .order_by(Venture.name)
        .limit(SHOWCASE_PAGE_SIZE + 1)
    )
    if after:
        query = query.where(Venture.name > after)
    rows = db.session.execute(query).all()
    shown = rows[:SHOWCASE_PAGE_SIZE]
    return ShowcasePage(
        entries=[
            ShowcaseEntry(
                row.name,
                row.one_liner,
                row.challenge_area,
                list(row.neighbourhoods or []),
                stages.stage_label(row.stage),
            )
            for row in shown
        ],
        total=sum(active.values()),
        by_stage=[
            StageCount(stages.stage_label(stage), active[stage])
            for stage in Stage
            if stage in active
        ],
        after=after or None,
        next_after=shown[-1].name if len(rows) > SHOWCASE_PAGE_SIZE else None,
        keys=(
            tuple(sorted(tuple(row[:4]) for row in counts)),
            changed,
            tuple((row.id, row.version, row.updated_at) for row in rows),
        ),
        changed=max(
            (moment for moment in [changed, *(row.updated_at for row in rows)] if moment),
            default=None,
        ),
    )


def published_cohorts() -> list[Cohort]:
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.showcase_published.is_(True))
            .order_by(Cohort.starts_on.desc())
        )
    )


def ventures_for_submissions(submission_ids: list[int]) -> list[Venture]:
    if not submission_ids:
        return []
    return list(
        db.session.scalars(
            select(Venture)
            .options(selectinload(Venture.cohort))
            .where(Venture.submission_id.in_(submission_ids))
        )
    )
