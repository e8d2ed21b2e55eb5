"""Mail that tells a person something now needs them: a partner's challenge proposal to
decide (to the program managers), a milestone marked done and waiting to be verified (to
the program managers), a milestone sent back (to the venture's founders, with the
reviewer's note), submissions newly assigned to a judge (to that judge).

Like the session notices (notifications.py), each mail is queued in the same transaction
as the change that calls for it, so it exists exactly when the change commits. The change
itself happens once: a second proposal of the same challenge is refused by its unique
title; a milestone is marked done only from an open state and sent back only from "done",
both re-checked under its row lock, so a completion after a send-back is a new one and a
second "done" without one is refused; a judge is mailed only the assignments the insert
really added. So each mail goes once. Reminders that a job repeats (check-ins, invitations,
sessions' outcomes) keep their own record of what was sent instead (mentoring/reminders.py,
accounts/users.py).

A milestone marked done mails the managers at once rather than in a daily digest: a cohort
completes a few milestones a week, so one mail each is not too many, and a manager who
verifies the same day answers the founders while the work is fresh.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from incubator.extensions import db
from incubator.models import (
    Challenge,
    Hackathon,
    Milestone,
    Role,
    Submission,
    User,
    UserRole,
    VentureMember,
)
from incubator.services import mail


def may_act(person: User) -> bool:
    """Whether a mail asking this person to act can be acted on."""
    # An invited person who has not set a password yet cannot sign in to act on the mail.
    return person.active and person.has_password


def program_managers() -> list[User]:
    """The active program managers, by email."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.MANAGER, User.active.is_(True))
            .order_by(User.email)
        )
    )


def challenge_proposed(challenge: Challenge, *, by: User) -> None:
    """Tell every program manager (but the proposer) that a challenge waits for a decision."""
    for manager in program_managers():
        if manager.id != by.id and may_act(manager):
            mail.send_template(manager, "challenge_proposed", challenge=challenge, by=by)


def milestone_done(milestone: Milestone, *, by: User) -> None:
    """Tell every program manager (but the one who marked it) that a milestone waits to be
    verified."""
    for manager in program_managers():
        if manager.id != by.id and may_act(manager):
            mail.send_template(manager, "milestone_done", milestone=milestone, by=by)


def submissions_assigned(hackathon: Hackathon, judge: User, submissions: list[Submission]) -> None:
    """Tell a judge which submissions were just assigned to them to score."""
    listed = sorted(
        {submission.id: submission for submission in submissions}.values(),
        key=lambda submission: (submission.title, submission.id),
    )
    if listed and may_act(judge):
        mail.send_template(judge, "submissions_assigned", hackathon=hackathon, submissions=listed)


def milestone_sent_back(milestone: Milestone, *, by: User) -> None:
    """Tell the venture's founders that a milestone came back, with the reviewer's note."""
    members = db.session.scalars(
        select(VentureMember)
        .options(selectinload(VentureMember.user))
        .where(VentureMember.venture_id == milestone.venture_id)
        .order_by(VentureMember.user_id)
    )
    for member in members:
        if member.user.id != by.id and may_act(member.user):
            mail.send_template(member.user, "milestone_sent_back", milestone=milestone, by=by)
