"""Who took part in the demo program: registrations for the three hackathons and an upcoming
one, outreach partners and their referrals, attendance, minors with a guardian's consent,
and the answers of those who chose to give them.

People and answers are drawn with a fixed seed, so every run makes the same program. There
are enough of them that the inclusion funnel shows most cells of its first steps and hides
small ones (a count of 1 to 10) further down, as the real one will.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    OUTSIDE_THE_CITY,
    Hackathon,
    HackathonStatus,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    Submission,
    User,
)
from incubator.services.hackathons import hackathons, outreach, registrations
from incubator.services.inclusion import demographics

FIRST_NAMES = [
    "Alejandra", "Andre", "Ari", "Bao", "Camila", "Carlos", "Chloe", "Darnell", "Diego",
    "Eun-ji", "Fatima", "Gabriel", "Grace", "Hector", "Imani", "Isabel", "Jasmine", "Jin",
    "Jorge", "Kalani", "Karen", "Keanu", "Layla", "Leticia", "Luis", "Malik", "Maria",
    "Mateo", "Maya", "Miguel", "Min-jun", "Nadia", "Nora", "Paolo", "Priya", "Rafael",
    "Reza", "Rosa", "Samir", "Sara", "Tam", "Tyrone", "Valeria", "Vanessa", "Xochitl",
    "Yasmin", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Abebe", "Aguilar", "Alvarez", "Bautista", "Castillo", "Chen", "Cruz", "Davis",
    "Flores", "Garcia", "Gonzalez", "Grigoryan", "Hakimi", "Hernandez", "Jackson", "Kim",
    "Lee", "Lopez", "Martinez", "Mendoza", "Nguyen", "Okafor", "Park", "Perez", "Ramirez",
    "Reyes", "Rivera", "Robinson", "Santos", "Sarkissian", "Tanaka", "Torres", "Vargas",
    "Washington", "Williams", "Yamamoto",
]  # fmt: skip
# Where registrants live: a few neighbourhoods the hackathons reached most, then the rest.
HOME_NEIGHBOURHOODS = [
    "Boyle Heights", "Westlake", "Koreatown", "Pacoima", "Downtown", "Historic South-Central",
    "Watts", "Hollywood", "Highland Park", "Van Nuys",
]  # fmt: skip
LANGUAGE_WEIGHTS = {"English": 60, "Spanish": 25, "Korean": 4, "Tagalog": 3, "Vietnamese": 3}
BACKGROUND_WEIGHTS = {
    "technologist": 28,
    "community_member": 24,
    "student": 18,
    "data_scientist": 10,
    "designer": 10,
    "public_servant": 8,
    "other": 2,
}
# Answers, roughly as Los Angeles answers (the population shares the funnel compares with).
RACE_WEIGHTS = {
    "hispanic_or_latino": 44,
    "white": 24,
    "asian": 14,
    "black_or_african_american": 9,
    "middle_eastern_or_north_african": 3,
    "american_indian_or_alaska_native": 1,
    "native_hawaiian_or_pacific_islander": 1,
    "prefer_not": 4,
}
GENDER_WEIGHTS = {"woman": 46, "man": 45, "non_binary": 4, "self_described": 1, "prefer_not": 4}
AGE_WEIGHTS = {
    "18_24": 24,
    "25_34": 34,
    "35_44": 20,
    "45_54": 10,
    "55_64": 6,
    "65_plus": 2,
    "prefer_not": 4,
}
IMMIGRANT_WEIGHTS = {"immigrant": 24, "child_of_immigrants": 30, "neither": 41, "prefer_not": 5}

# Per hackathon: how many registered, and the outreach partners (organisation, kind, the
# share of registrants their link brought).
REACH = {
    "#techLA Drought Hack": (
        90,
        [
            ("Los Angeles Department of Water and Power", OrganisationKind.CITY_DEPARTMENT, 0.2),
            ("Pacoima Beautiful", OrganisationKind.NONPROFIT, 0.25),
        ],
    ),
    "#techLA New Angelenos Hack": (
        80,
        [
            ("Mayor's Office of Immigrant Affairs", OrganisationKind.CITY_DEPARTMENT, 0.2),
            ("Coalition for Humane Immigrant Rights", OrganisationKind.NONPROFIT, 0.3),
        ],
    ),
    "#techLA Move LA Hack": (
        85,
        [
            ("Los Angeles Department of Transportation", OrganisationKind.CITY_DEPARTMENT, 0.2),
            ("Community Coalition", OrganisationKind.NONPROFIT, 0.2),
        ],
    ),
}
UPCOMING = "#techLA Heat Resilience Hack"
UPCOMING_PLACES = 40
UPCOMING_REGISTRANTS = 44
SHOWED_UP = 0.78
ANSWERED = 0.72
MINORS = 0.04


def seed_inclusion(manager: User, today: date) -> None:
    """Registrations for each demo hackathon (its teams' members among them), and an
    upcoming hackathon open for registration with a waiting list."""
    draw = random.Random(2026)
    people = _People(draw)
    for hackathon in db.session.scalars(select(Hackathon).order_by(Hackathon.starts_on)):
        if hackathon.name in REACH:
            _seed_past(hackathon, manager, draw, people)
    _seed_upcoming(manager, today, draw, people)
    db.session.flush()


class _People:
    """Made-up Angelenos, each with one address, some coming back to a later hackathon."""

    def __init__(self, draw: random.Random):
        self.draw = draw
        self.made: list[tuple[str, str]] = []

    def next(self) -> tuple[str, str]:
        if self.made and self.draw.random() < 0.15:
            return self.draw.choice(self.made)
        while True:
            name = f"{self.draw.choice(FIRST_NAMES)} {self.draw.choice(LAST_NAMES)}"
            email = f"{name.lower().replace(' ', '.').replace('-', '')}@participants.example"
            if all(email != known for _, known in self.made):
                self.made.append((name, email))
                return name, email


def _weighted(draw: random.Random, weights: dict[str, int]) -> str:
    return draw.choices(list(weights), weights=list(weights.values()))[0]


def _registration_input(
    draw: random.Random, name: str, email: str, via: str | None
) -> registrations.RegistrationInput:
    backgrounds = {_weighted(draw, BACKGROUND_WEIGHTS) for _ in range(draw.choice((1, 1, 2)))}
    under_18 = draw.random() < MINORS
    if draw.random() < 0.1:
        residence = OUTSIDE_THE_CITY
    elif draw.random() < 0.7:
        residence = draw.choice(HOME_NEIGHBOURHOODS)
    else:
        residence = draw.choice(registrations.RESIDENCES[:-1])
    return registrations.RegistrationInput(
        name=name,
        email=email,
        backgrounds=sorted(backgrounds),
        first_civic_hackathon=draw.random() < 0.55,
        residence=residence,
        preferred_language=_weighted(draw, LANGUAGE_WEIGHTS),
        accessibility_needs="Step-free access, please." if draw.random() < 0.05 else "",
        looking_for_team=draw.random() < 0.4,
        under_18=under_18,
        guardian_name=f"{draw.choice(FIRST_NAMES)} {name.split()[-1]}" if under_18 else "",
        guardian_email=f"guardian.{email}" if under_18 else "",
        via=via,
    )


def _answers(draw: random.Random, under_18: bool) -> demographics.AnswersInput:
    race = sorted({_weighted(draw, RACE_WEIGHTS) for _ in range(draw.choice((1, 1, 1, 2)))})
    if "prefer_not" in race:
        race = ["prefer_not"]
    gender = _weighted(draw, GENDER_WEIGHTS)
    return demographics.AnswersInput(
        race_ethnicity=race,
        race_ethnicity_detail="Oaxacan"
        if "hispanic_or_latino" in race and draw.random() < 0.1
        else "",
        gender=gender,
        gender_self_described="Genderfluid" if gender == "self_described" else "",
        age_band="under_18" if under_18 else _weighted(draw, AGE_WEIGHTS),
        la_resident="yes" if draw.random() < 0.86 else "no",
        immigrant_history=_weighted(draw, IMMIGRANT_WEIGHTS),
    )


def _register(
    hackathon: Hackathon,
    name: str,
    email: str,
    via: str | None,
    draw: random.Random,
    manager: User,
) -> Registration:
    """One person registers (answering the questions about them, or not); a minor's
    guardian gives consent."""
    data = _registration_input(draw, name, email, via)
    registered = registrations.register(hackathon, data)
    registration = registered.registration
    if not registered.already and draw.random() < ANSWERED:
        person = registration.user
        if demographics.answers_of(person) is None:
            demographics.save_answers(person, _answers(draw, data.under_18), by=person)
    if registration.status == RegistrationStatus.AWAITING_CONSENT and draw.random() < 0.8:
        registrations.record_consent(registration, data.guardian_name, by=manager)
    return registration


def _backdate(registration: Registration, hackathon: Hackathon, draw: random.Random) -> None:
    """Registered in the weeks before the day, rather than when the demo was made."""
    registered_at = clock.at(hackathon.starts_on - timedelta(days=draw.randint(3, 40)), time(19))
    registration.created_at = registered_at
    if registration.confirmed_at is not None:
        registration.confirmed_at = registered_at


def _seed_past(hackathon: Hackathon, manager: User, draw: random.Random, people: _People) -> None:
    """Everyone registers before the day (the teams' members first), most come, and the
    organisers close registration afterwards."""
    count, partners = REACH[hackathon.name]
    codes = []
    for organisation, kind, share in partners:
        partner = outreach.add_partner(
            hackathon, _organisation_id(organisation), organisation, kind, by=manager
        )
        codes.append((partner.code, share))
    hackathon.registration_open = True
    members = _team_members(hackathon)
    made: list[Registration] = []
    for index in range(count):
        name, email = members[index] if index < len(members) else people.next()
        made.append(_register(hackathon, name, email, _via(draw, codes), draw, manager))
    came_at = clock.at(hackathon.starts_on, time(9, 30))
    # Someone drawn twice registered once: their second try found the first.
    for registration in {r.id: r for r in made}.values():
        _backdate(registration, hackathon, draw)
        on_a_team = registration.email in {email for _, email in members}
        if registration.status == RegistrationStatus.CONFIRMED and (
            on_a_team or draw.random() < SHOWED_UP
        ):
            registrations.check_in(registration, by=manager)
            registration.attended_at = came_at + timedelta(minutes=draw.randint(0, 150))
    hackathon.registration_open = False


def _via(draw: random.Random, codes: list[tuple[str, float]]) -> str | None:
    roll = draw.random()
    for code, share in codes:
        if roll < share:
            return code
        roll -= share
    return None


def _organisation_id(name: str) -> int | None:
    """An organisation already known to the program, by name; None makes a new one."""
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def _team_members(hackathon: Hackathon) -> list[tuple[str, str]]:
    """The names and addresses of the hackathon's team members, who registered too."""
    members = []
    for submission in db.session.scalars(
        select(Submission).where(Submission.hackathon_id == hackathon.id).order_by(Submission.id)
    ):
        members += [(m.name, m.email) for m in submission.members if m.email]
    return list(dict.fromkeys(members))


def _seed_upcoming(manager: User, today: date, draw: random.Random, people: _People) -> None:
    """A hackathon five weeks ahead, open on the public page: full, with a waiting list that
    has already moved up once."""
    starts = today + timedelta(weeks=5)
    hackathon = hackathons.create_hackathon(
        hackathons.HackathonInput(
            name=UPCOMING,
            theme="Extreme heat",
            starts_on=starts,
            ends_on=starts + timedelta(days=1),
            venue="Cal State LA, Rongxiang Xu Bioscience Innovation Center",
            time_zone="America/Los_Angeles",
            status=HackathonStatus.PLANNED,
            description="A weekend of building for Los Angeles: cooler blocks, safer summers.",
            registration_open=True,
            registration_capacity=UPCOMING_PLACES,
        ),
        by=manager,
    )
    partner = outreach.add_partner(
        hackathon, None, "Esperanza Community Housing", OrganisationKind.NONPROFIT, by=manager
    )
    made = {
        registration.id: registration
        for registration in (
            _register(hackathon, *people.next(), _via(draw, [(partner.code, 0.3)]), draw, manager)
            for _ in range(UPCOMING_REGISTRANTS)
        )
    }
    confirmed = [r for r in made.values() if r.status == RegistrationStatus.CONFIRMED]
    registrations.cancel(confirmed[3], by=None)
