"""Demo funders, partners, introductions, pilots and investments for the demo cohort."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from incubator.extensions import db
from incubator.models import MatchKind, Organisation, Role, User, Venture
from incubator.services.accounts import users
from incubator.services.matching import counterparts, introductions, outcomes, runs

# (email, name, profile): the demo funder signs in; the foundation's program officer has no
# password, someone to credit a grant to and introduce ventures to.
FUNDERS = [
    (
        "funder@accelerate.la.example",
        "David Chen",
        counterparts.FunderInput(
            organisation="LA Civic Ventures",
            funder_type="fund",
            stages=["prototype", "pilot", "launch"],
            cheque_min=25_000,
            cheque_max=250_000,
            focus_areas=[
                "Water and drought",
                "Environment and climate",
                "Water conservation",
                "Clean air",
            ],
            capacity=4,
        ),
    ),
    (
        "nadia.farouk@calfund.example",
        "Nadia Farouk",
        counterparts.FunderInput(
            organisation="California Community Foundation",
            funder_type="foundation",
            stages=["pilot", "launch", "adoption"],
            cheque_min=50_000,
            cheque_max=500_000,
            focus_areas=[
                "New-immigrant integration",
                "Housing and homelessness",
                "Language access",
                "Housing stability",
            ],
            capacity=3,
        ),
    ),
]

PARTNERS = {
    "Los Angeles Department of Water and Power": counterparts.PartnerInput(
        neighbourhoods=["Pacoima", "Sylmar", "Van Nuys", "Citywide"],
        challenge_areas=["Water and drought", "Environment and climate"],
        offers=["data", "pilot site", "procurement path"],
        capacity=2,
    ),
    "Los Angeles Department of Transportation": counterparts.PartnerInput(
        neighbourhoods=["Historic South-Central", "Watts", "Highland Park", "Venice", "Citywide"],
        challenge_areas=["Transportation and mobility", "Environment and climate"],
        offers=["data", "pilot site", "procurement path", "expert staff"],
        capacity=3,
    ),
    "Mayor's Office of Immigrant Affairs": counterparts.PartnerInput(
        neighbourhoods=["Boyle Heights", "Westlake", "Koreatown", "Historic South-Central"],
        challenge_areas=["New-immigrant integration", "Civic engagement"],
        offers=["distribution", "expert staff", "pilot site"],
        capacity=2,
    ),
}

# What each venture lets funders see, and the languages its team works in.
SHARING = {
    "DropWise": (["users_reached", "active_pilots"], ["English", "Spanish"]),
    "LeakLens": (["users_reached"], ["English", "Korean"]),
    "Bienvenida": (["users_reached", "funding_raised"], ["Spanish", "English", "Tagalog"]),
    "ShadeMap LA": (["users_reached", "active_pilots", "funding_raised"], ["English", "Spanish"]),
    "StreetSeats": ([], ["English"]),
}


def seed_matching_demo(manager: User, made: dict[str, Venture], today: date) -> None:
    """Funders, partners, one published run of mentor introductions, pilots, investments."""
    for name, (shared, languages) in SHARING.items():
        made[name].shared_kpis = shared
        made[name].languages = languages
    funders = _seed_funders(manager)
    organisations = _seed_partners(manager)
    _seed_introductions(manager, made)
    _seed_pilots(manager, made, organisations)
    _seed_investments(manager, made, funders, today)
    db.session.flush()


def _seed_funders(manager: User) -> dict[str, User]:
    funders = {}
    for email, name, profile in FUNDERS:
        person = users.user_by_email(email) or users.create_user(
            email, name, {Role.FUNDER}, by=manager
        )
        counterparts.save_funder_profile(person, profile, by=manager)
        funders[profile.organisation] = person
    return funders


def _seed_partners(manager: User) -> dict[str, Organisation]:
    organisations = {}
    for name, profile in PARTNERS.items():
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.name == name)
        ).one()
        counterparts.save_partner_profile(organisation, profile, by=manager)
        organisations[name] = organisation
    return organisations


# Two introductions declined: one reason kept with the program team, one shared with the
# other side (the venture's founders read it on their introductions page and in the mail).
DECLINED = [
    ("counterpart", "I am away for most of the spring and could not give them the time.", False),
    (
        "venture",
        "Our pilot partner's design team already helps us; another venture needs it more.",
        True,
    ),
]


def _seed_introductions(manager: User, made: dict[str, Venture]) -> None:
    """Mentor introductions published, two accepted by both sides and two declined (one
    reason private, one shared); funders left proposed."""
    cohort = next(iter(made.values())).cohort
    run = runs.run_matching(cohort, MatchKind.MENTOR, "optimal", 1, 1, by=manager)
    published = runs.publish(run, by=manager)
    for match in published[:2]:
        introductions.answer(match, True, by=match.venture.members[0].user)
        introductions.answer(match, True, by=introductions.counterpart_people(match)[0])
    for match, (side, reason, shared) in zip(published[2:], DECLINED, strict=False):
        if side == "venture":
            answering = match.venture.members[0].user
        else:
            answering = introductions.counterpart_people(match)[0]
        introductions.answer(match, False, reason, by=answering, share_reason=shared)
    # A draft for the manager to review: funder matches still only proposed.
    runs.run_matching(cohort, MatchKind.FUNDER, "optimal", 0, 1, by=manager)


# The demo's pilots: venture, partner, title, start and end (weeks into the cohort), residents
# reached, the statuses each passes through after "running", and the outcome.
PILOTS = [
    (
        "ShadeMap LA",
        "Los Angeles Department of Transportation",
        "Shade scores for bus shelters in South LA and Watts",
        (3, 8),
        4_200,
        ("completed", "adopted"),
        "LADOT used the scores to site 40 new shade structures.",
    ),
    (
        "Bienvenida",
        "Mayor's Office of Immigrant Affairs",
        "Newcomer guides at two Immigrant Affairs centres",
        (5, 9),
        1_150,
        ("completed",),
        "Newcomers finished sign-up in Spanish and Tagalog at twice the old rate.",
    ),
    (
        "StreetSeats",
        "Los Angeles Department of Transportation",
        "Four parklets on York Boulevard",
        (5, 8),
        90,
        ("stopped",),
        "The pilot site withdrew; two parklets are planned instead.",
    ),
]


def _seed_pilots(manager: User, made: dict[str, Venture], organisations) -> None:
    """DropWise's pilot still running; the others ended each in its own way (ShadeMap LA is
    already at the adoption stage, so adopting its pilot moves nothing)."""
    start = made["DropWise"].cohort.starts_on

    def week(number: int) -> date:
        return start + timedelta(weeks=number)

    outcomes.create_pilot(
        made["DropWise"],
        outcomes.PilotInput(
            organisation_id=organisations["Los Angeles Department of Water and Power"].id,
            title="Smart watering for 500 Pacoima homes",
            starts_on=week(7) + timedelta(days=3),
            status="running",
            residents_reached=640,
        ),
        by=manager,
    )
    for venture, partner, title, (begins, ends), reached, statuses, outcome in PILOTS:
        values = outcomes.PilotInput(
            organisation_id=organisations[partner].id,
            title=title,
            starts_on=week(begins),
            status="running",
            residents_reached=reached,
        )
        pilot = outcomes.create_pilot(made[venture], values, by=manager)
        values.ends_on = week(ends)
        values.outcome = outcome
        for status in statuses:
            values.status = status
            outcomes.update_pilot(pilot, values, by=manager)


def _seed_investments(
    manager: User, made: dict[str, Venture], funders: dict[str, User], today: date
) -> None:
    start = made["DropWise"].cohort.starts_on
    rows = [
        ("ShadeMap LA", funders["LA Civic Ventures"], "", 150_000, "safe", 8),
        ("DropWise", funders["LA Civic Ventures"], "", 50_000, "safe", 9),
        ("Bienvenida", funders["California Community Foundation"], "", 100_000, "grant", 7),
        ("ShadeMap LA", None, "Weingart Foundation", 40_000, "grant", 5),
        ("RentRight", None, "Eastside Community Loan Fund", 15_000, "loan", 6),
    ]
    for name, funder, funder_name, amount, instrument, weeks in rows:
        outcomes.record_investment(
            made[name],
            outcomes.InvestmentInput(
                amount=amount,
                instrument=instrument,
                invested_on=min(start + timedelta(weeks=weeks), today),
                funder_id=funder.id if funder else None,
                funder_name=funder_name,
            ),
            by=manager,
            today=today,
        )
