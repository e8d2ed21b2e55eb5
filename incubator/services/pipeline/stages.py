"""The pipeline's rules: stage moves, a cohort's stage plans, milestones and check-ins."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from incubator import clock, permissions
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    CheckIn,
    Cohort,
    CustomKpi,
    Milestone,
    MilestoneStatus,
    MilestoneTemplate,
    Stage,
    StageChange,
    StagePlan,
    User,
    Venture,
    utcnow,
)
from incubator.services import audit, history, locks, versions
from incubator.services.errors import Conflict, InvalidInput

STAGES = list(Stage)

# How long a cohort expects a venture to spend in each stage, until a manager edits it.
DEFAULT_EXPECTED_DAYS = {
    Stage.CONCEPT: 28,
    Stage.PROTOTYPE: 42,
    Stage.PILOT: 70,
    Stage.LAUNCH: 56,
    Stage.ADOPTION: 120,
}

# The exit milestones of each stage: (title, description, due after entering, in days).
DEFAULT_MILESTONES = {
    Stage.CONCEPT: [
        (
            "Interview 10 residents or staff",
            "Notes from ten conversations with the people the product is for.",
            14,
        ),
        (
            "Problem statement signed off",
            "One page: who has the problem, how often, what it "
            "costs them, agreed with a partner department.",
            21,
        ),
    ],
    Stage.PROTOTYPE: [
        (
            "Clickable prototype tested with 5 users",
            "A link to the prototype and what the five users did with it.",
            28,
        ),
        (
            "Data access agreed",
            "The datasets or APIs the product needs, with who grants access.",
            35,
        ),
    ],
    Stage.PILOT: [
        (
            "Pilot agreement signed",
            "Scope, site, dates and success measures agreed with the pilot partner.",
            14,
        ),
        (
            "Pilot results report",
            "What the pilot reached and changed, against its success measures.",
            63,
        ),
    ],
    Stage.LAUNCH: [
        ("Public launch", "The product is available to every resident it is meant for.", 28),
        (
            "Support and operations plan",
            "Who answers residents' questions and keeps it running.",
            42,
        ),
    ],
    Stage.ADOPTION: [
        (
            "Adoption decision recorded",
            "A department's contract, roll-out or budget line, or "
            "the venture's own adoption target met.",
            60,
        ),
    ],
}


def stage_index(stage: str) -> int:
    return STAGES.index(Stage(stage))


def parse_stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise InvalidInput(f"Unknown stage {value!r}.") from None


# A cohort's plan ------------------------------------------------------------------------------


def ensure_stage_plans(cohort: Cohort) -> None:
    """Give a cohort the default expected times and exit milestones, if it has none yet."""
    has_plans = db.session.scalar(
        select(func.count(StagePlan.id)).where(StagePlan.cohort_id == cohort.id)
    )
    if has_plans:
        return
    for stage in STAGES:
        db.session.add(
            StagePlan(cohort_id=cohort.id, stage=stage, expected_days=DEFAULT_EXPECTED_DAYS[stage])
        )
        for position, (title, description, days) in enumerate(DEFAULT_MILESTONES[stage]):
            db.session.add(
                MilestoneTemplate(
                    cohort_id=cohort.id,
                    stage=stage,
                    title=title,
                    description=description,
                    due_after_days=days,
                    position=position,
                )
            )
    db.session.flush()


def stage_plans(cohort: Cohort) -> dict[str, StagePlan]:
    return {
        plan.stage: plan
        for plan in db.session.scalars(select(StagePlan).where(StagePlan.cohort_id == cohort.id))
    }


def milestone_templates(cohort: Cohort, stage: str | None = None) -> list[MilestoneTemplate]:
    statement = select(MilestoneTemplate).where(MilestoneTemplate.cohort_id == cohort.id)
    if stage is not None:
        statement = statement.where(MilestoneTemplate.stage == stage)
    return list(
        db.session.scalars(
            statement.order_by(
                MilestoneTemplate.stage, MilestoneTemplate.position, MilestoneTemplate.id
            )
        )
    )


def _stale_plan(plan: StagePlan, days: int, by: User) -> versions.StaleVersion:
    return versions.refusal(
        f"The expected time in {Stage(plan.stage).label}",
        plan.version,
        changed_by=audit.last_actor(
            audit.about("cohort", plan.cohort_id, "stage_plan.updated"),
            matching=lambda event: (event.after or {}).get("stage") == plan.stage,
        ),
        by=by,
        theirs={"expected_days": plan.expected_days},
        yours={"expected_days": days},
    )


def set_expected_days(
    cohort: Cohort, stage: str, days: int, *, by: User, expected_version: int | None = None
) -> None:
    """Set how long a stage should take, unless the form was opened at an older version.

    Each stage's plan has its own version: the form saves one stage, so a change to another
    stage loses nothing and does not refuse it.
    """
    stage = parse_stage(stage)
    if not 1 <= days <= 3650:
        raise InvalidInput("Expected days must be between 1 and 3650.")
    # StagePlan has no place in the lock order; its cohort's row stands for the plan.
    locks.lock(cohort)
    ensure_stage_plans(cohort)
    plan = stage_plans(cohort)[stage]
    db.session.refresh(plan)
    refuse = partial(_stale_plan, plan, days, by)
    versions.check(plan.version, expected_version, refuse)
    before = plan.expected_days
    with versions.saving(refuse):
        plan.expected_days = days
    audit.record(
        by,
        "stage_plan.updated",
        "cohort",
        cohort.id,
        before={"stage": stage, "expected_days": before},
        after={"stage": stage, "expected_days": days},
    )


def add_milestone_template(
    cohort: Cohort, stage: str, title: str, description: str, due_after_days: int, *, by: User
) -> MilestoneTemplate:
    stage = parse_stage(stage)
    title = title.strip()
    if not title:
        raise InvalidInput("A milestone needs a title.")
    if not 0 <= due_after_days <= 3650:
        raise InvalidInput("Due after must be between 0 and 3650 days.")
    clash = db.session.scalar(
        select(MilestoneTemplate).where(
            MilestoneTemplate.cohort_id == cohort.id,
            MilestoneTemplate.stage == stage,
            MilestoneTemplate.title == title,
        )
    )
    if clash is not None:
        raise InvalidInput(f"The {stage} stage already has a milestone called {title!r}.")
    position = len(milestone_templates(cohort, stage))
    template = MilestoneTemplate(
        cohort_id=cohort.id,
        stage=stage,
        title=title,
        description=description.strip(),
        due_after_days=due_after_days,
        position=position,
    )
    db.session.add(template)
    db.session.flush()
    audit.record(
        by,
        "milestone_template.created",
        "cohort",
        cohort.id,
        after={"stage": stage, "title": title, "due_after_days": due_after_days},
    )
    return template


def remove_milestone_template(template: MilestoneTemplate, *, by: User) -> None:
    """Stop giving new ventures this milestone; ventures that have it keep it."""
    audit.record(
        by,
        "milestone_template.removed",
        "cohort",
        template.cohort_id,
        before={"stage": template.stage, "title": template.title},
    )
    db.session.delete(template)
    db.session.flush()


# Stages ---------------------------------------------------------------------------------------


# The program's calendar is the clock's; these names stay for the many callers.
program_date = clock.program_date
week_of = clock.week_start


def _local_today() -> date:
    return clock.today()


def enter_pipeline(venture: Venture, *, by: User | None, at: datetime | None = None) -> None:
    """Record a new venture's entry at its first stage and give it that stage's milestones."""
    db.session.add(
        StageChange(
            venture=venture,
            from_stage=None,
            to_stage=venture.stage,
            changed_by=by,
            changed_at=at or utcnow(),
            reason="Joined the cohort",
        )
    )
    ensure_stage_plans(venture.cohort)
    _add_stage_milestones(venture, venture.stage, program_date(at or utcnow()))
    db.session.flush()


def move_stage(
    venture: Venture,
    to_stage: str,
    reason: str,
    *,
    by: User,
    at: datetime | None = None,
    seen_stage: str | None = None,
) -> StageChange:
    """Move a venture to another stage, recording who, when and why.

    `seen_stage` is the stage the person saw when they decided (the form carries it); a move
    decided on a page someone else's move has made stale is refused, saying what they did.
    """
    permissions.require(
        permissions.is_manager(by), "Only a program manager moves ventures between stages."
    )
    target = parse_stage(to_stage)
    # Moves of one venture queue on its row and each starts from the stage the last one
    # left, so the history stays a chain (each from_stage is the previous to_stage).
    locks.lock(venture)
    if seen_stage and venture.stage != seen_stage:
        raise Conflict(_moved_since(venture, by))
    if target == venture.stage:
        raise InvalidInput(f"{venture.name} is already at the {target.label} stage.")
    backwards = stage_index(target) < stage_index(venture.stage)
    reason = reason.strip()
    if backwards and not reason:
        raise InvalidInput("Moving a venture back a stage needs a reason.")
    at = at or utcnow()
    change = StageChange(
        venture=venture,
        from_stage=venture.stage,
        to_stage=target,
        changed_by=by,
        changed_at=at,
        reason=reason,
    )
    db.session.add(change)
    before = venture.stage
    venture.stage = target
    _add_stage_milestones(venture, target, program_date(at))
    db.session.flush()
    audit.record(
        by,
        "venture.stage_changed",
        "venture",
        venture.id,
        before={"stage": before},
        after={"stage": target, "reason": reason},
    )
    return change


def _moved_since(venture: Venture, viewer: User) -> str:
    last = db.session.scalar(
        select(StageChange)
        .where(StageChange.venture_id == venture.id)
        .order_by(StageChange.id.desc())
        .limit(1)
    )
    who = history.who(last.changed_by if last else None, viewer)
    return (
        f"{who} moved this venture to {Stage(venture.stage).label} at "
        f"{history.when(last.changed_at if last else None, viewer)} since you opened the page. "
        "Look at it again before moving it."
    )


def _add_stage_milestones(venture: Venture, stage: str, entered_on: date) -> None:
    """Copy the cohort's exit milestones for a stage, skipping any the venture already has."""
    have = (
        set(
            db.session.scalars(
                select(Milestone.template_id).where(
                    Milestone.venture_id == venture.id, Milestone.template_id.is_not(None)
                )
            )
        )
        if venture.id is not None
        else set()
    )
    for template in milestone_templates(venture.cohort, stage):
        if template.id in have:
            continue
        db.session.add(
            Milestone(
                venture=venture,
                title=template.title,
                description=template.description,
                stage=stage,
                due_on=entered_on + timedelta(days=template.due_after_days),
                status=MilestoneStatus.PLANNED,
                template_id=template.id,
            )
        )


def stage_history(venture: Venture) -> list[StageChange]:
    return list(
        db.session.scalars(
            select(StageChange)
            .where(StageChange.venture_id == venture.id)
            .order_by(StageChange.changed_at, StageChange.id)
        )
    )


# Milestones -----------------------------------------------------------------------------------


ONLY_THE_TEAM = "Only the venture's founders and program managers can do that."


@dataclass
class MilestoneInput:
    title: str
    description: str
    stage: str
    due_on: date | None
    owner_id: int | None


def _check_milestone(venture: Venture, data: MilestoneInput) -> None:
    if not data.title.strip():
        raise InvalidInput("A milestone needs a title.")
    if len(data.title.strip()) > 200:
        raise InvalidInput("A milestone's title can be at most 200 characters.")
    parse_stage(data.stage)
    if data.owner_id is not None and not any(m.user_id == data.owner_id for m in venture.members):
        raise InvalidInput("The owner must be one of the venture's founders.")


def _milestone_state(milestone: Milestone) -> dict[str, Any]:
    return {
        "title": milestone.title,
        "stage": milestone.stage,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
        "owner_id": milestone.owner_id,
        "status": milestone.status,
        "evidence_url": milestone.evidence_url,
    }


def create_milestone(venture: Venture, data: MilestoneInput, *, by: User) -> Milestone:
    permissions.require(permissions.may_edit_venture(by, venture), ONLY_THE_TEAM)
    _check_milestone(venture, data)
    milestone = Milestone(
        venture=venture,
        title=data.title.strip(),
        description=data.description.strip(),
        stage=data.stage,
        due_on=data.due_on,
        owner_id=data.owner_id,
        status=MilestoneStatus.PLANNED,
    )
    db.session.add(milestone)
    db.session.flush()
    audit.record(
        by, "milestone.created", "milestone", milestone.id, after=_milestone_state(milestone)
    )
    return milestone


# The fields of the milestone form, compared when a save comes from an older version.
MILESTONE_FIELDS = ("title", "description", "stage", "due_on", "owner_id")


def _stale_milestone(milestone: Milestone, data: MilestoneInput, by: User) -> versions.StaleVersion:
    return versions.refusal(
        "This milestone",
        milestone.version,
        changed_by=audit.last_actor(audit.about("milestone", milestone.id, "milestone.")),
        by=by,
        theirs={name: getattr(milestone, name) for name in MILESTONE_FIELDS},
        yours={name: getattr(data, name) for name in MILESTONE_FIELDS},
    )


def update_milestone(
    milestone: Milestone, data: MilestoneInput, *, by: User, expected_version: int | None = None
) -> None:
    """Edit a milestone, unless the form was opened at an older version."""
    permissions.require(permissions.may_edit_milestone(by, milestone), ONLY_THE_TEAM)
    locks.lock(milestone)
    if milestone.status == MilestoneStatus.VERIFIED:
        raise InvalidInput("A verified milestone cannot be edited.")
    _check_milestone(milestone.venture, data)
    refuse = partial(_stale_milestone, milestone, data, by)
    versions.check(milestone.version, expected_version, refuse)
    before = _milestone_state(milestone)
    with versions.saving(refuse):
        milestone.title = data.title.strip()
        milestone.description = data.description.strip()
        milestone.stage = data.stage
        milestone.due_on = data.due_on
        milestone.owner_id = data.owner_id
    audit.record(
        by,
        "milestone.updated",
        "milestone",
        milestone.id,
        before=before,
        after=_milestone_state(milestone),
    )


def _set_status(milestone: Milestone, status: MilestoneStatus, by: User, **extra) -> None:
    before = _milestone_state(milestone)
    milestone.status = status
    db.session.flush()
    audit.record(
        by,
        f"milestone.{status.value}",
        "milestone",
        milestone.id,
        before=before,
        after={**_milestone_state(milestone), **extra},
    )


def _what_happened(milestone: Milestone, viewer: User) -> str:
    """The change that put a milestone in its state, for someone whose action it overtook:
    read from the row just locked and re-read, and from its audit trail."""
    status = MilestoneStatus(milestone.status)
    if status == MilestoneStatus.VERIFIED:
        who = history.who(milestone.verified_by, viewer)
        return f" {who} verified it at {history.when(milestone.verified_at, viewer)}."
    event = history.last_event("milestone", milestone.id, f"milestone.{status.value}")
    if event is None:
        return ""
    who, at = history.who(event.actor, viewer), history.when(event.created_at, viewer)
    if status == MilestoneStatus.DONE:
        return f" {who} marked it done at {at}; it waits for a program manager's review."
    if status == MilestoneStatus.MISSED:
        return f" {who} marked it missed at {at}."
    comment = (event.after or {}).get("comment")
    if status == MilestoneStatus.IN_PROGRESS and comment:
        return f" {who} sent it back to the founders at {at}: “{comment}”"
    if status == MilestoneStatus.IN_PROGRESS:
        return f" {who} started it at {at}."
    return ""


def start_milestone(milestone: Milestone, *, by: User) -> None:
    permissions.require(permissions.may_edit_milestone(by, milestone), ONLY_THE_TEAM)
    locks.lock(milestone)
    if milestone.status not in (MilestoneStatus.PLANNED, MilestoneStatus.MISSED):
        raise InvalidInput(
            "Only a planned or missed milestone can be started." + _what_happened(milestone, by)
        )
    _set_status(milestone, MilestoneStatus.IN_PROGRESS, by)


def complete_milestone(
    milestone: Milestone, evidence_url: str | None, evidence_note: str, *, by: User
) -> None:
    """Mark a milestone done with its evidence: a link, a note, or both."""
    permissions.require(permissions.may_edit_milestone(by, milestone), ONLY_THE_TEAM)
    # Two tabs, or a founder and a manager, queue on the milestone's row; each decides on
    # the state the other left.
    locks.lock(milestone)
    if milestone.status not in (
        MilestoneStatus.PLANNED,
        MilestoneStatus.IN_PROGRESS,
        MilestoneStatus.MISSED,
    ):
        raise InvalidInput("This milestone is already done." + _what_happened(milestone, by))
    evidence_url = (evidence_url or "").strip() or None
    evidence_note = evidence_note.strip()
    if evidence_url is not None and not _is_link(evidence_url):
        raise InvalidInput("Evidence must be a link starting with http:// or https://.")
    if evidence_url is None and not evidence_note:
        raise InvalidInput("Add evidence: a link to it, a note on it, or both.")
    milestone.evidence_url = evidence_url
    milestone.evidence_note = evidence_note
    milestone.completed_at = utcnow()
    milestone.review_comment = ""
    _set_status(milestone, MilestoneStatus.DONE, by)


def _is_link(value: str) -> bool:
    # "https://" alone, or a link longer than the column holds, is not evidence.
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(value) <= 500


def verify_milestone(milestone: Milestone, *, by: User) -> None:
    permissions.require(permissions.is_manager(by), "Only a program manager verifies milestones.")
    locks.lock(milestone)
    if milestone.status != MilestoneStatus.DONE:
        raise InvalidInput(
            "Only a milestone marked done can be verified." + _what_happened(milestone, by)
        )
    milestone.verified_at = utcnow()
    milestone.verified_by_id = by.id
    _set_status(milestone, MilestoneStatus.VERIFIED, by)


def send_back_milestone(milestone: Milestone, comment: str, *, by: User) -> None:
    """A manager returns a done milestone to the founders with what is missing."""
    permissions.require(permissions.is_manager(by), "Only a program manager sends milestones back.")
    locks.lock(milestone)
    if milestone.status != MilestoneStatus.DONE:
        raise InvalidInput(
            "Only a milestone marked done can be sent back." + _what_happened(milestone, by)
        )
    if not comment.strip():
        raise InvalidInput("Say what is missing when sending a milestone back.")
    milestone.review_comment = comment.strip()
    milestone.completed_at = None
    _set_status(milestone, MilestoneStatus.IN_PROGRESS, by, comment=comment.strip())


def miss_milestone(milestone: Milestone, reason: str, *, by: User) -> None:
    permissions.require(
        permissions.is_manager(by), "Only a program manager marks milestones missed."
    )
    locks.lock(milestone)
    if milestone.status not in (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS):
        raise InvalidInput(
            "Only an open milestone can be marked missed." + _what_happened(milestone, by)
        )
    milestone.review_comment = reason.strip()
    _set_status(milestone, MilestoneStatus.MISSED, by, reason=reason.strip())


# Check-ins ------------------------------------------------------------------------------------


ASK_KINDS = ["mentors", "data", "introductions", "funding", "other"]
STANDARD_KPIS = {
    "users_reached": "Residents or users reached",
    "active_pilots": "Active pilots",
    "revenue": "Revenue (USD)",
    "funding_raised": "Funding raised (USD)",
    "team_size": "Team size",
}


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
    permissions.require(permissions.may_edit_venture(by, venture), ONLY_THE_TEAM)
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput("A KPI needs a name of at most 80 characters.")
    if name in STANDARD_KPIS or name.lower() in {v.lower() for v in STANDARD_KPIS.values()}:
        raise InvalidInput(f"{name!r} is already one of the standard KPIs.")
    if any(kpi.name == name for kpi in custom_kpis(venture)):
        raise InvalidInput(f"The venture already tracks {name!r}.")
    kpi = CustomKpi(venture_id=venture.id, name=name, unit=unit.strip()[:40])
    db.session.add(kpi)
    db.session.flush()
    audit.record(by, "custom_kpi.created", "venture", venture.id, after={"name": name})
    return kpi


def _check_check_in(venture: Venture, data: CheckInInput, today: date) -> None:
    if data.week_start.weekday() != 0:
        raise InvalidInput("A check-in's week starts on a Monday.")
    if data.week_start > week_of(today):
        raise InvalidInput("You cannot check in for a week that has not started.")
    if not data.summary.strip():
        raise InvalidInput("Write a short summary of the week.")
    if not 1 <= data.confidence <= 5:
        raise InvalidInput("Confidence is a number from 1 to 5.")
    unknown_asks = set(data.ask_kinds) - set(ASK_KINDS)
    if unknown_asks:
        raise InvalidInput(f"Unknown kind of ask: {', '.join(sorted(unknown_asks))}.")
    for name in STANDARD_KPIS:
        _check_kpi_value(STANDARD_KPIS[name], getattr(data, name))
    known = {kpi.name for kpi in custom_kpis(venture)}
    for name, value in data.custom_kpis.items():
        if name not in known:
            raise InvalidInput(f"{name!r} is not one of this venture's KPIs.")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidInput(f"{name} must be a number.")
        _check_kpi_value(name, value)


# Counts are stored as 32-bit integers; no KPI here comes near this.
KPI_LIMIT = 2_000_000_000


def _check_kpi_value(label: str, value: float | None) -> None:
    if value is None:
        return
    # "Infinity" and "NaN" parse as numbers but are no KPI (and are not valid JSON).
    if not math.isfinite(value):
        raise InvalidInput(f"{label} must be a number.")
    if value < 0:
        raise InvalidInput(f"{label} cannot be negative.")
    if value > KPI_LIMIT:
        raise InvalidInput(f"{label} must be at most {KPI_LIMIT:,}.")


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


def save_check_in(
    venture: Venture, data: CheckInInput, *, by: User, today: date | None = None
) -> tuple[CheckIn, bool]:
    """Post the week's check-in, or edit it if the week has one; returns it and whether new."""
    permissions.require(
        permissions.may_post_check_in(by, venture),
        "Only the venture's founders post its check-ins.",
    )
    _check_check_in(venture, data, today or _local_today())
    existing = check_in_for_week(venture, data.week_start)
    if existing is None:
        check_in = CheckIn(venture_id=venture.id, week_start=data.week_start)
        _apply_check_in(check_in, data, by)
        try:
            # Two founders posting the same week at once: the unique key keeps one row and
            # the second post becomes an edit of it.
            with db.session.begin_nested():
                db.session.add(check_in)
                db.session.flush()
        except IntegrityError:
            existing = check_in_for_week(venture, data.week_start)
            if existing is None:
                raise
        else:
            audit.record(
                by,
                "check_in.created",
                "check_in",
                check_in.id,
                after={"venture_id": venture.id, "week": data.week_start.isoformat()},
            )
            return check_in, True
    _apply_check_in(existing, data, by)
    db.session.flush()
    audit.record(
        by,
        "check_in.updated",
        "check_in",
        existing.id,
        after={"venture_id": venture.id, "week": data.week_start.isoformat()},
    )
    return existing, False


def recent_check_ins(venture: Venture, limit: int = 12) -> list[CheckIn]:
    return list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.venture_id == venture.id)
            .order_by(CheckIn.week_start.desc())
            .limit(limit)
        )
    )


def venture_milestones(venture: Venture) -> list[Milestone]:
    """A venture's milestones in pipeline order, then by due date."""
    items = list(
        db.session.scalars(
            select(Milestone)
            .where(Milestone.venture_id == venture.id)
            .order_by(Milestone.due_on.is_(None), Milestone.due_on, Milestone.id)
        )
    )
    return sorted(items, key=lambda m: stage_index(m.stage))


# The timeline ---------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "stage", "milestone", "check_in", "session"
    title: str
    detail: str = ""
    by: str = ""


def timeline(venture: Venture) -> list[TimelineEntry]:
    """Stage changes, milestones, check-ins and mentor sessions, newest first, in a fixed
    number of queries."""
    entries: list[TimelineEntry] = []
    changes = db.session.scalars(
        select(StageChange)
        .options(selectinload(StageChange.changed_by))
        .where(StageChange.venture_id == venture.id)
    )
    for change in changes:
        if change.from_stage is None:
            title = f"Entered the pipeline at {Stage(change.to_stage).label}"
        else:
            title = f"Moved from {Stage(change.from_stage).label} to {Stage(change.to_stage).label}"
        entries.append(
            TimelineEntry(
                change.changed_at,
                "stage",
                title,
                change.reason,
                change.changed_by.name if change.changed_by else "",
            )
        )
    milestones = db.session.scalars(
        select(Milestone)
        .options(selectinload(Milestone.verified_by))
        .where(Milestone.venture_id == venture.id)
    )
    for milestone in milestones:
        entries.append(
            TimelineEntry(
                milestone.created_at,
                "milestone",
                f"Milestone planned: {milestone.title}",
                f"{Stage(milestone.stage).label} stage",
            )
        )
        if milestone.completed_at is not None:
            detail = milestone.evidence_note or milestone.evidence_url or ""
            entries.append(
                TimelineEntry(
                    milestone.completed_at,
                    "milestone",
                    f"Milestone done: {milestone.title}",
                    detail,
                )
            )
        if milestone.verified_at is not None:
            entries.append(
                TimelineEntry(
                    milestone.verified_at,
                    "milestone",
                    f"Milestone verified: {milestone.title}",
                    by=milestone.verified_by.name if milestone.verified_by else "",
                )
            )
    check_ins = db.session.scalars(
        select(CheckIn)
        .options(selectinload(CheckIn.author))
        .where(CheckIn.venture_id == venture.id)
    )
    for check_in in check_ins:
        entries.append(
            TimelineEntry(
                check_in.created_at,
                "check_in",
                f"Check-in for the week of {check_in.week_start.strftime('%b %-d')} "
                f"(confidence {check_in.confidence}/5)",
                check_in.summary,
                check_in.author.name if check_in.author else "",
            )
        )
    entries.extend(_session_entries(venture))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _session_entries(venture: Venture) -> list[TimelineEntry]:
    """Sessions booked, held and cancelled: one query, names joined in. Never the notes."""
    # The entry's own time is shown in the viewer's zone; the session's time in the title
    # is in the program's zone, with its abbreviation.
    zone = clock.program_zone()
    mentor, canceller = aliased(User), aliased(User)
    rows = db.session.execute(
        # Names only: loading whole users would also load their roles, once per relationship.
        select(Booking, mentor.name, canceller.name)
        .join(mentor, mentor.id == Booking.mentor_id)
        .outerjoin(canceller, canceller.id == Booking.cancelled_by_id)
        .where(Booking.venture_id == venture.id)
    )
    entries = []
    for booking, mentor_name, cancelled_by in rows:
        when = f"{booking.starts_at.astimezone(zone):%b %-d, %Y %-I:%M %p %Z}"
        entries.append(
            TimelineEntry(
                booking.created_at,
                "session",
                f"Session booked with {mentor_name} for {when}",
                f"Agenda: {booking.agenda}",
            )
        )
        if booking.status == BookingStatus.COMPLETED and booking.completed_at is not None:
            entries.append(
                TimelineEntry(booking.completed_at, "session", f"Session held with {mentor_name}")
            )
        elif booking.status == BookingStatus.NO_SHOW:
            entries.append(
                TimelineEntry(booking.ends_at, "session", f"Session with {mentor_name}: no-show")
            )
        elif booking.status == BookingStatus.CANCELLED and booking.cancelled_at is not None:
            entries.append(
                TimelineEntry(
                    booking.cancelled_at,
                    "session",
                    f"Session with {mentor_name} cancelled"
                    + (" (moved to another time)" if booking.rescheduled_to_id else ""),
                    booking.cancel_reason,
                    cancelled_by or "",
                )
            )
    return entries
