"""What each role sees first on the home page."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from incubator.extensions import db
from incubator.models import Invitation, OutboxMessage, Role, User


@dataclass
class Link:
    label: str
    endpoint: str


@dataclass
class Panel:
    """One card on the home page: a heading, a few facts, the next step and its links."""

    role: Role
    title: str
    facts: list[str] = field(default_factory=list)
    next_step: str = ""
    links: list[Link] = field(default_factory=list)


def panels_for(user: User) -> list[Panel]:
    """The cards for every role the user holds, most powerful first."""
    builders = {
        Role.ADMIN: _admin,
        Role.MANAGER: _manager,
        Role.FOUNDER: _founder,
        Role.MENTOR: _mentor,
        Role.FUNDER: _funder,
        Role.PARTNER: _partner,
        Role.JUDGE: _judge,
    }
    return [builders[role](user) for role in Role if role in user.roles]


def _admin(user: User) -> Panel:
    users = db.session.scalar(select(func.count(User.id))) or 0
    mails = db.session.scalar(select(func.count(OutboxMessage.id))) or 0
    return Panel(
        Role.ADMIN,
        "Administration",
        facts=[f"{users} accounts", f"{mails} mails in the outbox"],
        next_step="Check the audit trail for recent changes, or read the mail the app has sent.",
        links=[Link("Audit trail", "people.audit_log"), Link("Outbox", "people.outbox")],
    )


def _manager(user: User) -> Panel:
    pending = (
        db.session.scalar(
            select(func.count(Invitation.id)).where(
                Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
            )
        )
        or 0
    )
    facts = [f"{pending} invitations waiting to be accepted"] if pending else []
    return Panel(
        Role.MANAGER,
        "Program management",
        facts=facts,
        next_step="Invite your mentors, judges, partners and funders; each gets a link to set "
        "their own password.",
        links=[Link("Invite people", "people.invite"), Link("People", "people.index")],
    )


def _founder(user: User) -> Panel:
    return Panel(
        Role.FOUNDER,
        "Your venture",
        next_step="When a program manager adds your team to a cohort, your venture, its "
        "milestones and weekly check-ins appear here.",
        links=[Link("Your profile", "auth.profile")],
    )


def _mentor(user: User) -> Panel:
    return Panel(
        Role.MENTOR,
        "Mentoring",
        next_step="Keep your profile and time zone current: ventures will book sessions with "
        "you here once the program opens mentoring.",
        links=[Link("Your profile", "auth.profile")],
    )


def _funder(user: User) -> Panel:
    return Panel(
        Role.FUNDER,
        "Funding",
        next_step="Ventures that fit your focus will be listed here once the cohort's profiles "
        "are published.",
        links=[Link("Your profile", "auth.profile")],
    )


def _partner(user: User) -> Panel:
    return Panel(
        Role.PARTNER,
        "Partner organisation",
        next_step="Challenges you post and pilots you host will be listed here.",
        links=[Link("Your profile", "auth.profile")],
    )


def _judge(user: User) -> Panel:
    return Panel(
        Role.JUDGE,
        "Judging",
        next_step="Submissions assigned to you for scoring will be listed here when a "
        "hackathon moves to judging.",
        links=[Link("Your profile", "auth.profile")],
    )
