"""Fixtures and builders the registration tests share (test_registration, test_outreach,
test_races_registration, test_mail_templates)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from incubator import clock
from incubator.services.hackathons import registrations
from tests import factories


def registration_input(name: str = "Rosa Diaz", **fields) -> registrations.RegistrationInput:
    """What a person types on the public page (an adult from Boyle Heights unless given)."""
    local_part = name.lower().replace(" ", ".")
    data = registrations.RegistrationInput(
        name=name,
        email=f"{local_part}@example.org",
        backgrounds=["designer", "community_member"],
        first_civic_hackathon=True,
        residence="Boyle Heights",
        preferred_language="Spanish",
        accessibility_needs="",
        looking_for_team=True,
        under_18=False,
    )
    return replace(data, **fields)


def minor_input(name: str = "Tomas Ruiz", **fields) -> registrations.RegistrationInput:
    """A participant under 18, with a guardian."""
    guardian = {"guardian_name": "Elena Ruiz", "guardian_email": "elena@example.org"}
    return registration_input(name, under_18=True, **guardian, **fields)


def open_hackathon(*, by, capacity: int | None = 2, **fields):
    """A hackathon taking registrations, starting in ten days unless told otherwise."""
    starts = fields.pop("starts_on", clock.today() + timedelta(days=10))
    return factories.hackathon(
        by=by,
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        registration_open=True,
        registration_capacity=capacity,
        **fields,
    )


def register(hackathon, name: str = "Rosa Diaz", **fields):
    """Register someone through the service; returns the registration."""
    return registrations.register(hackathon, registration_input(name, **fields)).registration


@pytest.fixture
def registration_hackathon(db, manager):
    """Two places, registration open."""
    return open_hackathon(by=manager)


def as_public_form(data: registrations.RegistrationInput) -> dict[str, object]:
    """The public form as a browser posts it."""
    form: dict[str, object] = {
        "name": data.name,
        "email": data.email,
        "backgrounds": data.backgrounds,
        "residence": data.residence,
        "preferred_language": data.preferred_language,
        "accessibility_needs": data.accessibility_needs,
        "under_18": "yes" if data.under_18 else "no",
        "guardian_name": data.guardian_name,
        "guardian_email": data.guardian_email,
        "via": data.via or "",
    }
    if data.first_civic_hackathon:
        form["first_civic_hackathon"] = "y"
    if data.looking_for_team:
        form["looking_for_team"] = "y"
    return form
