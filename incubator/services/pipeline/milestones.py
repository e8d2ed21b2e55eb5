"""A venture's milestones: founders plan, start and complete them with evidence; program
managers verify them, send them back or mark them missed. Every change is audited, and
one that another person's change overtook is refused saying what happened.

The milestones a stage gives every venture (the cohort's templates) are part of the stage
plan, in stages.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from incubator import permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import Milestone, MilestoneStatus, User, Venture, utcnow
from incubator.services import audit, history, locks, notices, versions
from incubator.services.errors import InvalidInput
from incubator.services.pipeline.stages import parse_stage, stage_index

# Translated where it is raised.
ONLY_THE_TEAM = N_("Only the venture's founders and program managers can do that.")

# The milestone states' labels (MilestoneStatus.label), marked for extraction:
# milestone_status_label translates them.
MILESTONE_STATUS_MESSAGES = (
    N_("Planned"),
    N_("In progress"),
    N_("Done"),
    N_("Verified"),
    N_("Missed"),
)


def milestone_status_label(status: MilestoneStatus | str) -> str:
    """A milestone state's label in the request's language ("In progress", "En curso")."""
    return _(MilestoneStatus(status).label)


@dataclass
class MilestoneInput:
    title: str
    description: str
    stage: str
    due_on: date | None
    owner_id: int | None


def _check_milestone(venture: Venture, data: MilestoneInput) -> None:
    if not data.title.strip():
        raise InvalidInput(_("A milestone needs a title."))
    if len(data.title.strip()) > 200:
        raise InvalidInput(_("A milestone's title can be at most 200 characters."))
    parse_stage(data.stage)
    if data.owner_id is not None and not any(m.user_id == data.owner_id for m in venture.members):
        raise InvalidInput(_("The owner must be one of the venture's founders."))


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
    permissions.require(permissions.may_edit_venture(by, venture), _(ONLY_THE_TEAM))
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
    return versions.refusal_of_edit(
        _("This milestone"),
        milestone,
        versions.fields_of(data, MILESTONE_FIELDS),
        audited_as=("milestone", "milestone."),
        by=by,
    )


def update_milestone(
    milestone: Milestone, data: MilestoneInput, *, by: User, expected_version: int | None = None
) -> None:
    """Edit a milestone, unless the form was opened at an older version."""
    permissions.require(permissions.may_edit_milestone(by, milestone), _(ONLY_THE_TEAM))
    locks.lock(milestone)
    if milestone.status == MilestoneStatus.VERIFIED:
        raise InvalidInput(_("A verified milestone cannot be edited."))
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
        return _(
            "%(who)s verified it at %(at)s.",
            who=history.who(milestone.verified_by, viewer),
            at=history.when(milestone.verified_at, viewer),
        )
    event = history.last_event("milestone", milestone.id, f"milestone.{status.value}")
    if event is None:
        return ""
    who, at = history.who(event.actor, viewer), history.when(event.created_at, viewer)
    if status == MilestoneStatus.DONE:
        return _(
            "%(who)s marked it done at %(at)s; it waits for a program manager's review.",
            who=who,
            at=at,
        )
    if status == MilestoneStatus.MISSED:
        return _("%(who)s marked it missed at %(at)s.", who=who, at=at)
    comment = (event.after or {}).get("comment")
    if status == MilestoneStatus.IN_PROGRESS and comment:
        return _(
            "%(who)s sent it back to the founders at %(at)s: “%(comment)s”",
            who=who,
            at=at,
            comment=comment,
        )
    if status == MilestoneStatus.IN_PROGRESS:
        return _("%(who)s started it at %(at)s.", who=who, at=at)
    return ""


def _refused(reason: str, milestone: Milestone, viewer: User) -> InvalidInput:
    """A refusal of an action another person's change overtook: why, then what they did."""
    happened = _what_happened(milestone, viewer)
    return InvalidInput(f"{reason} {happened}" if happened else reason)


def start_milestone(milestone: Milestone, *, by: User) -> None:
    permissions.require(permissions.may_edit_milestone(by, milestone), _(ONLY_THE_TEAM))
    locks.lock(milestone)
    if milestone.status not in (MilestoneStatus.PLANNED, MilestoneStatus.MISSED):
        raise _refused(_("Only a planned or missed milestone can be started."), milestone, by)
    _set_status(milestone, MilestoneStatus.IN_PROGRESS, by)


def complete_milestone(
    milestone: Milestone, evidence_url: str | None, evidence_note: str, *, by: User
) -> None:
    """Mark a milestone done with its evidence: a link, a note, or both."""
    permissions.require(permissions.may_edit_milestone(by, milestone), _(ONLY_THE_TEAM))
    # Two tabs, or a founder and a manager, queue on the milestone's row; each decides on
    # the state the other left.
    locks.lock(milestone)
    if milestone.status not in (
        MilestoneStatus.PLANNED,
        MilestoneStatus.IN_PROGRESS,
        MilestoneStatus.MISSED,
    ):
        raise _refused(_("This milestone is already done."), milestone, by)
    evidence_url = (evidence_url or "").strip() or None
    evidence_note = evidence_note.strip()
    if evidence_url is not None and not _is_link(evidence_url):
        raise InvalidInput(_("Evidence must be a link starting with http:// or https://."))
    if evidence_url is None and not evidence_note:
        raise InvalidInput(_("Add evidence: a link to it, a note on it, or both."))
    milestone.evidence_url = evidence_url
    milestone.evidence_note = evidence_note
    milestone.completed_at = utcnow()
    milestone.review_comment = ""
    _set_status(milestone, MilestoneStatus.DONE, by)
    notices.milestone_done(milestone, by=by)


def _is_link(value: str) -> bool:
    # "https://" alone, or a link longer than the column holds, is not evidence.
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(value) <= 500


def verify_milestone(milestone: Milestone, *, by: User) -> None:
    permissions.require(
        permissions.is_manager(by), _("Only a program manager verifies milestones.")
    )
    locks.lock(milestone)
    if milestone.status != MilestoneStatus.DONE:
        raise _refused(_("Only a milestone marked done can be verified."), milestone, by)
    milestone.verified_at = utcnow()
    milestone.verified_by_id = by.id
    _set_status(milestone, MilestoneStatus.VERIFIED, by)


def send_back_milestone(milestone: Milestone, comment: str, *, by: User) -> None:
    """A manager returns a done milestone to the founders with what is missing."""
    permissions.require(
        permissions.is_manager(by), _("Only a program manager sends milestones back.")
    )
    locks.lock(milestone)
    if milestone.status != MilestoneStatus.DONE:
        raise _refused(_("Only a milestone marked done can be sent back."), milestone, by)
    if not comment.strip():
        raise InvalidInput(_("Say what is missing when sending a milestone back."))
    milestone.review_comment = comment.strip()
    milestone.completed_at = None
    _set_status(milestone, MilestoneStatus.IN_PROGRESS, by, comment=comment.strip())
    notices.milestone_sent_back(milestone, by=by)


def miss_milestone(milestone: Milestone, reason: str, *, by: User) -> None:
    permissions.require(
        permissions.is_manager(by), _("Only a program manager marks milestones missed.")
    )
    locks.lock(milestone)
    if milestone.status not in (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS):
        raise _refused(_("Only an open milestone can be marked missed."), milestone, by)
    milestone.review_comment = reason.strip()
    _set_status(milestone, MilestoneStatus.MISSED, by, reason=reason.strip())


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
