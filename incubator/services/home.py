"""What each role sees first on the home page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    CheckIn,
    Cohort,
    CohortStatus,
    Hackathon,
    HackathonStatus,
    Invitation,
    JudgeAssignment,
    Milestone,
    OutboxMessage,
    Role,
    User,
    Venture,
    VentureStatus,
    utcnow,
)
from incubator.models.pipeline import OPEN_MILESTONE_STATUSES
from incubator.services.cohorts import ventures
from incubator.services.hackathons import hackathons
from incubator.services.pipeline import risk


@dataclass
class Link:
    label: str
    endpoint: str
    # The endpoint's URL arguments, e.g. {"venture_id": 3}.
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Panel:
    """One card on the home page: a heading, a few facts, the next step and its links."""

    role: Role
    title: str
    facts: list[str] = field(default_factory=list)
    next_step: str = ""
    links: list[Link] = field(default_factory=list)


def panels_for(user: User, today: date | None = None) -> list[Panel]:
    """The cards for every role the user holds, most powerful first.

    today is the program's date (clock.today() by default): weeks and ages are its.
    """
    today = today or clock.today()
    builders = {
        Role.ADMIN: _admin,
        Role.MANAGER: _manager,
        Role.FOUNDER: _founder,
        Role.MENTOR: _mentor,
        Role.FUNDER: _funder,
        Role.PARTNER: _partner,
        Role.JUDGE: _judge,
    }
    return [builders[role](user, today) for role in Role if role in user.roles]


def _admin(user: User, today: date) -> Panel:
    users = _count(User.id)
    mails = _count(OutboxMessage.id)
    return Panel(
        Role.ADMIN,
        "Administration",
        facts=[_plural(users, "account"), f"{_plural(mails, 'mail')} in the outbox"],
        next_step="Check the audit trail for recent changes, or read the mail the app has sent.",
        links=[Link("Audit trail", "people.audit_log"), Link("Outbox", "people.outbox")],
    )


def _manager(user: User, today: date) -> Panel:
    pending = _count(
        Invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
    )
    running = _count(Hackathon.id, Hackathon.status != HackathonStatus.CLOSED)
    active = _count(Cohort.id, Cohort.status == CohortStatus.ACTIVE)
    facts = [
        f"{_plural(running, 'hackathon')} not yet closed",
        f"{_plural(active, 'active cohort')}",
    ]
    if pending:
        facts.append(f"{_plural(pending, 'invitation')} waiting to be accepted")
    at_risk = _at_risk_count(today) if active else 0
    if active:
        facts.append(f"{_plural(at_risk, 'venture')} at risk in active cohorts")
    if not running and not active:
        next_step = "Create a hackathon and its challenges, or a cohort to promote winners into."
    elif at_risk:
        next_step = (
            f"{_plural(at_risk, 'venture')} at risk: open their cohort to see why, "
            "and follow up with the founders."
        )
    else:
        next_step = "Score, rank and promote hackathon winners; follow each cohort's ventures."
    return Panel(
        Role.MANAGER,
        "Program management",
        facts=facts,
        next_step=next_step,
        links=[
            Link("Hackathons", "hackathons.index"),
            Link("Cohorts", "cohorts.index"),
            Link("Invite people", "people.invite"),
        ],
    )


def _at_risk_count(today: date) -> int:
    """How many active ventures in active cohorts the risk rules flag."""
    followed = db.session.scalars(
        select(Venture)
        .join(Venture.cohort)
        .where(Cohort.status == CohortStatus.ACTIVE, Venture.status == VentureStatus.ACTIVE)
    )
    return sum(1 for reasons in risk.assess(followed, today).values() if reasons)


def _count(column, *conditions) -> int:
    """How many rows there are (that meet the conditions)."""
    return db.session.scalar(select(func.count(column)).where(*conditions)) or 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class VentureWeek:
    """A founder's week for one venture: what is due, what is late, the last check-in."""

    due_this_week: list[Milestone] = field(default_factory=list)
    overdue: int = 0
    last_check_in: date | None = None


def venture_weeks(mine: list[Venture], today: date) -> dict[int, VentureWeek]:
    """Each venture's week, in two queries however many ventures and milestones there are."""
    ids = [venture.id for venture in mine]
    weeks = {venture_id: VentureWeek() for venture_id in ids}
    if not ids:
        return weeks
    week_ends = clock.week_start(today) + timedelta(days=6)
    open_milestones = db.session.scalars(
        select(Milestone)
        .where(
            Milestone.venture_id.in_(ids),
            Milestone.status.in_(list(OPEN_MILESTONE_STATUSES)),
            Milestone.due_on <= week_ends,
        )
        .order_by(Milestone.due_on, Milestone.id)
    )
    for milestone in open_milestones:
        if milestone.is_overdue(today):
            weeks[milestone.venture_id].overdue += 1
        else:
            weeks[milestone.venture_id].due_this_week.append(milestone)
    for venture_id, last in db.session.execute(
        select(CheckIn.venture_id, func.max(CheckIn.week_start))
        .where(CheckIn.venture_id.in_(ids))
        .group_by(CheckIn.venture_id)
    ):
        weeks[venture_id].last_check_in = last
    return weeks


def _check_in_age(last: date, this_week: date) -> str:
    weeks = (this_week - last).days // 7
    if weeks <= 0:
        return "this week"
    if weeks == 1:
        return "last week"
    return f"{weeks} weeks ago"


def _founder(user: User, today: date) -> Panel:
    mine = ventures.ventures_of(user)
    if not mine:
        return Panel(
            Role.FOUNDER,
            "Your venture",
            next_step="When a program manager promotes your hackathon team into a cohort, your "
            "venture appears here.",
            links=[Link("Your profile", "auth.profile")],
        )
    this_week = clock.week_start(today)
    weeks = venture_weeks(mine, today)
    facts: list[str] = []
    missing: list[Venture] = []
    for venture in mine:
        week = weeks[venture.id]
        facts.append(f"{venture.name}: {venture.stage_label} stage in {venture.cohort.name}")
        if week.due_this_week:
            due = "; ".join(
                f"{milestone.title} ({milestone.due_on.strftime('%a, %b %-d')})"
                for milestone in week.due_this_week
                if milestone.due_on is not None  # always: they were found by their due date
            )
            facts.append(f"{venture.name}: due this week: {due}")
        if week.overdue:
            facts.append(f"{venture.name}: {_plural(week.overdue, 'overdue milestone')}")
        if week.last_check_in is None:
            facts.append(f"{venture.name}: no check-in yet")
        else:
            facts.append(
                f"{venture.name}: last check-in for the week of "
                f"{week.last_check_in.strftime('%b %-d')} "
                f"({_check_in_age(week.last_check_in, this_week)})"
            )
        if week.last_check_in != this_week:
            missing.append(venture)
    links = [
        Link(
            f"Write this week's check-in for {venture.name}"
            if len(mine) > 1
            else "Write this week's check-in",
            "pipeline.check_in",
            {"venture_id": venture.id},
        )
        for venture in missing
    ]
    links.append(Link("Open your venture", "cohorts.my_ventures"))
    if missing:
        names = ", ".join(venture.name for venture in missing)
        next_step = (
            f"This week's check-in for {names} is not written yet: what moved, what blocks "
            "you, the help you need and your numbers."
        )
    else:
        next_step = (
            "This week's check-in is in. Keep your milestones current: mark each done with "
            "its evidence, and a program manager will verify it."
        )
    return Panel(Role.FOUNDER, "Your venture", facts=facts, next_step=next_step, links=links)


def _mentor(user: User, today: date) -> Panel:
    upcoming = _count(
        Booking.id,
        Booking.mentor_id == user.id,
        Booking.status == BookingStatus.BOOKED,
        Booking.starts_at >= utcnow(),
    )
    return Panel(
        Role.MENTOR,
        "Mentoring",
        facts=[f"{_plural(upcoming, 'upcoming session')}"],
        next_step="Publish the times you can meet founders; answer your introductions; after "
        "each session, write your notes and rate it.",
        links=[
            Link("Availability", "mentoring.availability"),
            Link("Sessions", "mentoring.sessions"),
            Link("Introductions", "matching.my_matches"),
        ],
    )


def _funder(user: User, today: date) -> Panel:
    return Panel(
        Role.FUNDER,
        "Funding",
        next_step="Keep your focus, stages and cheque range current: the ventures that fit "
        "them are listed for you, with the numbers each venture chose to share.",
        links=[
            Link("Ventures that fit", "matching.funder_ventures"),
            Link("Introductions", "matching.my_matches"),
            Link("Your funder profile", "matching.funder_profile"),
        ],
    )


def _partner(user: User, today: date) -> Panel:
    links = [Link("Your challenges", "hackathons.propose_challenge")]
    links += [
        Link(organisation.name, "matching.partner_page", {"organisation_id": organisation.id})
        for organisation in hackathons.partner_organisations(user)
    ]
    return Panel(
        Role.PARTNER,
        "Partner organisation",
        next_step="Propose a challenge for the next hackathon with the datasets your "
        "organisation can share, and follow the pilots you host.",
        links=[*links, Link("Introductions", "matching.my_matches")],
    )


def _judge(user: User, today: date) -> Panel:
    assigned = _count(JudgeAssignment.id, JudgeAssignment.judge_id == user.id)
    if not assigned:
        next_step = (
            "Submissions assigned to you for scoring will be listed here when a "
            "hackathon moves to judging."
        )
    else:
        next_step = (
            "Score each submission against the rubric; you can change your scores "
            "until the hackathon closes."
        )
    return Panel(
        Role.JUDGE,
        "Judging",
        facts=[f"{_plural(assigned, 'submission')} assigned to you"] if assigned else [],
        next_step=next_step,
        links=[Link("Your assignments", "judging.my_assignments")],
    )
