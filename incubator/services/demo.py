"""Los Angeles demo data, so the first run shows a living program."""

from __future__ import annotations

from dataclasses import dataclass

from incubator.models import Role, User
from incubator.services import accounts


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


# One account per role, plus extra people so lists have something in them.
DEMO_PEOPLE = [
    (Role.ADMIN, "admin@accelerate.la.example", "Alex Rivera", {Role.ADMIN, Role.MANAGER}),
    (Role.MANAGER, "manager@accelerate.la.example", "Maria Gonzalez", {Role.MANAGER}),
    (Role.FOUNDER, "founder@accelerate.la.example", "Jamal Washington", {Role.FOUNDER}),
    (Role.MENTOR, "mentor@accelerate.la.example", "Grace Kim", {Role.MENTOR}),
    (Role.FUNDER, "funder@accelerate.la.example", "David Chen", {Role.FUNDER}),
    (Role.PARTNER, "partner@accelerate.la.example", "Lupe Hernandez", {Role.PARTNER}),
    (Role.JUDGE, "judge@accelerate.la.example", "Priya Natarajan", {Role.JUDGE}),
]

DEMO_INVITEES = [
    ("tran.nguyen@ladot.example", "Tran Nguyen", {Role.PARTNER}),
    ("samuel.okafor@mentors.example", "Samuel Okafor", {Role.MENTOR}),
]


def demo_password(role: Role) -> str:
    return f"demo-{role.value}-2026"


def seed() -> list[DemoLogin]:
    """Create the demo accounts and invitations; returns the logins to print."""
    logins = []
    admin: User | None = None
    for role, email, name, roles in DEMO_PEOPLE:
        user = accounts.create_user(email, name, roles, password=demo_password(role))
        if role is Role.ADMIN:
            admin = user
        logins.append(DemoLogin(str(role), email, demo_password(role)))
    manager = accounts.user_by_email("manager@accelerate.la.example")
    for email, name, roles in DEMO_INVITEES:
        accounts.invite(email, name, roles, by=manager or admin)
    return logins
