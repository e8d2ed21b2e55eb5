"""The pipeline's stages: a cohort's stage plan (how long each stage should take and the
exit milestones it gives), ventures entering the pipeline and moving between stages, and
the history of those moves.

Milestones are in milestones.py, weekly check-ins in checkins.py, the venture's timeline
in timeline.py; the at-risk rules in risk_rules.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import func, select

from incubator import clock, permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Cohort,
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

# The stages' labels (Stage.label), marked for extraction: stage_label translates them.
STAGE_LABEL_MESSAGES = (
    N_("Concept"),
    N_("Prototype"),
    N_("Pilot"),
    N_("Launch"),
    N_("Adoption"),
)

# The reason a venture's entry into the pipeline is stored with; translated where shown.
JOINED_THE_COHORT = N_("Joined the cohort")

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


def stage_label(stage: Stage | str) -> str:
    """A stage's label in the request's language ("Prototype", "Prototipo")."""
    return _(Stage(stage).label)


def stage_index(stage: str) -> int:
    return STAGES.index(Stage(stage))


def parse_stage(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise InvalidInput(_("Unknown stage %(stage)r.", stage=value)) from None


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
        _("The expected time in %(stage)s", stage=stage_label(plan.stage)),
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
        raise InvalidInput(_("Expected days must be between 1 and 3650."))
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
        raise InvalidInput(_("A milestone needs a title."))
    if not 0 <= due_after_days <= 3650:
        raise InvalidInput(_("Due after must be between 0 and 3650 days."))
    clash = db.session.scalar(
        select(MilestoneTemplate).where(
            MilestoneTemplate.cohort_id == cohort.id,
            MilestoneTemplate.stage == stage,
            MilestoneTemplate.title == title,
        )
    )
    if clash is not None:
        raise InvalidInput(
            _(
                "The %(stage)s stage already has a milestone called %(title)r.",
                stage=stage_label(stage).lower(),
                title=title,
            )
        )
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


def enter_pipeline(venture: Venture, *, by: User | None, at: datetime | None = None) -> None:
    """Record a new venture's entry at its first stage and give it that stage's milestones."""
    db.session.add(
        StageChange(
            venture=venture,
            from_stage=None,
            to_stage=venture.stage,
            changed_by=by,
            changed_at=at or utcnow(),
            reason=JOINED_THE_COHORT,
        )
    )
    ensure_stage_plans(venture.cohort)
    _add_stage_milestones(venture, venture.stage, clock.program_date(at or utcnow()))
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
        permissions.is_manager(by), _("Only a program manager moves ventures between stages.")
    )
    target = parse_stage(to_stage)
    # Moves of one venture queue on its row and each starts from the stage the last one
    # left, so the history stays a chain (each from_stage is the previous to_stage).
    locks.lock(venture)
    if seen_stage and venture.stage != seen_stage:
        raise Conflict(_moved_since(venture, by))
    if target == venture.stage:
        raise InvalidInput(
            _(
                "%(venture)s is already at the %(stage)s stage.",
                venture=venture.name,
                stage=stage_label(target),
            )
        )
    backwards = stage_index(target) < stage_index(venture.stage)
    reason = reason.strip()
    if backwards and not reason:
        raise InvalidInput(_("Moving a venture back a stage needs a reason."))
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
    _add_stage_milestones(venture, target, clock.program_date(at))
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
    return _(
        "%(who)s moved this venture to %(stage)s at %(when)s since you opened the page. "
        "Look at it again before moving it.",
        who=history.who(last.changed_by if last else None, viewer),
        stage=stage_label(venture.stage),
        when=history.when(last.changed_at if last else None, viewer),
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
