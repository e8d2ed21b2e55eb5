"""Synthetic registrations for the inclusion funnel at the scale of years of hackathons:
100,000 registrations by default over five hackathons, with answers, attendance, referrals,
teams, placements, ventures, investments and adopted pilots.

Rows go in as plain batches (executemany, with RETURNING where later rows need the ids)
rather than through the services, so that 100,000 registrations take seconds, not an hour.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bench.rows import batches
from incubator.extensions import db
from incubator.models import (
    AgeBand,
    Background,
    Cohort,
    DemographicAnswers,
    Gender,
    Hackathon,
    Investment,
    Organisation,
    OutreachPartner,
    Pilot,
    Program,
    RaceEthnicity,
    Registration,
    Submission,
    SubmissionMember,
    User,
    Venture,
    VentureMember,
    YesNo,
    utcnow,
)
from incubator.vocabulary import NEIGHBOURHOODS

HACKATHONS = 5
PARTNERS_PER_HACKATHON = 4
TEAM_SIZE = 4
ATTENDED_SHARE = 0.7
ANSWERED_SHARE = 0.7
REFERRED_SHARE = 0.3
PLACED_SHARE = 0.15
PROMOTED_SHARE = 0.5


@dataclass
class Seeded:
    registrations: int
    hackathon_id: int
    seconds: float


def seed(count: int) -> Seeded:
    """`count` registrations spread over five hackathons, and everything downstream."""
    began = time.perf_counter()
    rng = random.Random(count)
    hackathons = _hackathons()
    people = _people(max(1, -(-count // HACKATHONS)), rng)
    city = Organisation(name="Bench city department")
    db.session.add(city)
    db.session.flush()
    made = 0
    for hackathon in hackathons:
        wanted = min(len(people), count - made)
        if wanted <= 0:
            break
        attended = _registrations(hackathon, people[:wanted], rng)
        _teams(hackathon, attended, city, rng)
        made += wanted
    db.session.commit()
    return Seeded(
        registrations=db.session.scalar(select(func.count(Registration.id))) or 0,
        hackathon_id=hackathons[-1].id,
        seconds=time.perf_counter() - began,
    )


def _hackathons() -> list[Hackathon]:
    made = []
    for number in range(HACKATHONS):
        starts = date(2022, 3, 5) + timedelta(days=180 * number)
        hackathon = Hackathon(
            name=f"Bench hackathon {number + 1}",
            theme="Civic tech",
            starts_on=starts,
            ends_on=starts + timedelta(days=1),
            status="closed",
        )
        db.session.add(hackathon)
        made.append(hackathon)
    db.session.flush()
    return made


def _people(count: int, rng: random.Random) -> list[int]:
    """Accounts without passwords (as registering makes them), most with answers."""
    now = utcnow()
    rows = [
        {"email": f"bench-registrant-{n}@example.org", "name": f"Registrant {n}", "created_at": now}
        for n in range(count)
    ]
    ids = batches(User, rows, returning=User.id)
    genders = [g.value for g in Gender]
    bands = [b.value for b in AgeBand]
    races = [r.value for r in RaceEthnicity]
    answers = [
        {
            "user_id": user_id,
            "race_ethnicity": rng.sample(races, rng.choice((1, 1, 1, 2))),
            "race_ethnicity_detail": "",
            "gender": rng.choices(genders, weights=(46, 46, 4, 1, 3))[0],
            "gender_self_described": "",
            "age_band": rng.choice(bands),
            "la_resident": rng.choice([v.value for v in YesNo]),
            "immigrant_history": None,
            "answered_at": now,
            "updated_at": now,
        }
        for user_id in ids
        if rng.random() < ANSWERED_SHARE
    ]
    batches(DemographicAnswers, answers)
    return ids


def _registrations(hackathon: Hackathon, people: list[int], rng: random.Random) -> list[int]:
    """Everyone registers; some through a partner's link; most come. The ids of those who
    came."""
    partners = []
    for number in range(PARTNERS_PER_HACKATHON):
        organisation = Organisation(name=f"Bench outreach {hackathon.id}-{number}")
        partner = OutreachPartner(
            hackathon=hackathon, organisation=organisation, code=f"bench-{hackathon.id}-{number}"
        )
        db.session.add(partner)
        partners.append(partner)
    db.session.flush()
    checked_in = datetime.combine(hackathon.starts_on, datetime.min.time(), UTC)
    now = utcnow()
    backgrounds = [b.value for b in Background]
    rows, attended = [], []
    for user_id in people:
        came = rng.random() < ATTENDED_SHARE
        rows.append(
            {
                "hackathon_id": hackathon.id,
                "user_id": user_id,
                "name": f"Registrant {user_id}",
                "email": f"bench-registrant-{user_id}@example.org",
                "backgrounds": rng.sample(backgrounds, rng.choice((1, 1, 2))),
                "first_civic_hackathon": rng.random() < 0.4,
                "residence": rng.choice(NEIGHBOURHOODS[1:]),
                "preferred_language": "English",
                "accessibility_needs": "",
                "looking_for_team": rng.random() < 0.3,
                "under_18": False,
                "guardian_name": "",
                "status": "confirmed",
                "referred_by_id": rng.choice(partners).id
                if rng.random() < REFERRED_SHARE
                else None,
                "created_at": now,
                "confirmed_at": now,
                "attended_at": checked_in if came else None,
            }
        )
        if came:
            attended.append(user_id)
    batches(Registration, rows)
    return attended


def _teams(hackathon: Hackathon, attended: list[int], city: Organisation, rng) -> None:
    """Teams of four among those who came: some placed, half of those promoted into a
    cohort, some of those funded, some with an adopted pilot."""
    teams = [attended[i : i + TEAM_SIZE] for i in range(0, len(attended), TEAM_SIZE)]
    placed = [rng.random() < PLACED_SHARE for _ in teams]
    submissions = [
        {
            "hackathon_id": hackathon.id,
            "team_name": f"Bench team {hackathon.id}-{number}",
            "title": f"Bench project {hackathon.id}-{number}",
            "status": "submitted",
            "source": "devpost",
            "placement": "winner" if is_placed else None,
            "extra": {},
            "neighbourhoods": [],
        }
        for number, is_placed in enumerate(placed)
    ]
    ids = batches(Submission, submissions, returning=Submission.id)
    members = [
        {"submission_id": submission_id, "name": f"Member {user_id}", "user_id": user_id}
        for submission_id, team in zip(ids, teams, strict=True)
        for user_id in team
    ]
    batches(SubmissionMember, members)
    promoted = [
        (submission_id, team)
        for submission_id, team, is_placed in zip(ids, teams, placed, strict=True)
        if is_placed and rng.random() < PROMOTED_SHARE
    ]
    _ventures(hackathon, promoted, city, rng)


def _ventures(hackathon: Hackathon, promoted, city: Organisation, rng) -> None:
    program = Program(name=f"Bench inclusion program {hackathon.id}", description="")
    cohort = Cohort(
        program=program,
        name=f"Bench cohort after {hackathon.name}",
        starts_on=hackathon.ends_on + timedelta(days=30),
        ends_on=hackathon.ends_on + timedelta(days=210),
        capacity=max(1, len(promoted)),
        status="graduated",
    )
    db.session.add(cohort)
    db.session.flush()
    now = utcnow()
    rows = [
        {
            "cohort_id": cohort.id,
            "submission_id": submission_id,
            "name": f"Bench venture {submission_id}",
            "impact_areas": [],
            "neighbourhoods": [],
            "needs": [],
            "languages": [],
            "shared_kpis": [],
            "created_at": now,
            "updated_at": now,
        }
        for submission_id, _ in promoted
    ]
    ids = batches(Venture, rows, returning=Venture.id)
    batches(
        VentureMember,
        [
            {"venture_id": venture_id, "user_id": user_id, "joined_at": now}
            for venture_id, (_, team) in zip(ids, promoted, strict=True)
            for user_id in team
        ],
    )
    funded = [venture_id for venture_id in ids if rng.random() < 0.4]
    batches(
        Investment,
        [
            {
                "venture_id": venture_id,
                "funder_name": "Bench fund",
                "amount": 25_000,
                "instrument": "grant",
                "invested_on": cohort.ends_on,
                "created_at": now,
            }
            for venture_id in funded
        ],
    )
    batches(
        Pilot,
        [
            {
                "venture_id": venture_id,
                "organisation_id": city.id,
                "title": "Bench pilot",
                "starts_on": cohort.ends_on,
                "status": "adopted",
                "created_at": now,
                "updated_at": now,
            }
            for venture_id in funded
            if rng.random() < 0.5
        ],
    )


def describe(seeded: Seeded) -> str:
    return (
        f"inclusion: {seeded.registrations:,} registrations (with answers, teams, ventures) "
        f"seeded in {seeded.seconds:.1f} s"
    )
