"""What the benchmark measures: pages, and the synthetic data they are measured against.

A page is one line, after the data it needs is seeded:

    page("ventures", "/ventures/", role="manager")
    page("venture", lambda context: f"/ventures/{context['venture_id']}", role="founder")

A seeder makes data for `scale` and returns what pages need to build their paths. Seeders
run in the order they are registered, inside an app context, and each is committed:

    @seeder
    def ventures(scale: int) -> Context:
        founders = ...  # earlier seeders' rows are found through the database
        return {"venture_id": venture.id}

Every role has a sign-in account (see `login_for`), so `role=` may name any role; a page
without a role is requested signed out.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from incubator.extensions import db
from incubator.models import Role, User
from incubator.services import audit
from incubator.services.accounts import users

Context = dict[str, Any]
Seeder = Callable[[int], Context]


@dataclass(frozen=True)
class Page:
    name: str
    path: str | Callable[[Context], str]
    role: str | None = None

    def path_for(self, context: Context) -> str:
        return self.path(context) if callable(self.path) else self.path


PAGES: dict[str, Page] = {}
SEEDERS: list[Seeder] = []
# Seeders that only the named pages need; they run only when one of those pages is measured.
SEEDER_PAGES: dict[Seeder, frozenset[str]] = {}
# Sizes of scenarios that have their own scale; run.py sets them from its options.
SCORECARD_VENTURES = 10_000
SCALES: dict[str, int] = {
    "scorecard_ventures": SCORECARD_VENTURES,
    "scorecard_observations": 1_000_000,
}
# The trivial endpoint every page is compared with.
FLOOR = "healthz"


def page(name: str, path: str | Callable[[Context], str], role: str | None = None) -> Page:
    """Register a page to measure, requested signed in as `role` (None: signed out)."""
    if name in PAGES:
        raise ValueError(f"a benchmark page named {name!r} is already registered")
    if role is not None:
        Role(role)
    PAGES[name] = Page(name, path, role)
    return PAGES[name]


def seeder(function: Seeder | None = None, *, for_pages: tuple[str, ...] = ()):
    """Register a function that seeds data for a scale and returns context for paths;
    with for_pages, it runs only when one of those pages is measured."""

    def register(seed: Seeder) -> Seeder:
        SEEDERS.append(seed)
        if for_pages:
            SEEDER_PAGES[seed] = frozenset(for_pages)
        return seed

    return register(function) if function is not None else register


def needed(seed: Seeder, pages: list[str]) -> bool:
    """Whether a seeder is needed to measure these pages."""
    wanted = SEEDER_PAGES.get(seed)
    return wanted is None or bool(wanted & set(pages))


def login_for(role: str) -> tuple[str, str]:
    """The email and password of the seeded sign-in account holding exactly this role."""
    return f"bench-{role}@accelerate.la.example", f"bench-{role}-password-2026"


# People ---------------------------------------------------------------------------------------

# Most accounts are founders and mentors; every role is present at any scale.
ROLE_WEIGHTS = {
    Role.FOUNDER: 40,
    Role.MENTOR: 20,
    Role.JUDGE: 10,
    Role.FUNDER: 10,
    Role.PARTNER: 10,
    Role.MANAGER: 7,
    Role.ADMIN: 3,
}
SECOND_ROLE_SHARE = 0.1
INVITED_SHARE = 0.2
LOGINS_PER_PERSON = 3
# Nobody signs in as these people; no digits, so that no number in an address is part of it.
PERSON_PASSWORD = "bench-person-password"
PEOPLE_PER_COMMIT = 200
FIRST_NAMES = [
    "Ana", "Ben", "Carmen", "Daniel", "Esther", "Farid", "Gloria", "Hiro", "Imani", "Jorge",
    "Keiko", "Luis", "Mei", "Nadia", "Omar", "Paola", "Quinn", "Rosa", "Sanjay", "Tuan",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Brooks", "Castillo", "Duong", "Evans", "Flores", "Garcia", "Harris", "Ito",
    "Johnson", "Kim", "Lopez", "Martinez", "Nguyen", "Ortiz", "Park", "Reyes", "Singh",
]  # fmt: skip


@seeder
def people(scale: int) -> Context:
    """A sign-in account per role, then people up to `scale` with their audit trail and mail.

    A fifth of the people are invited (an invitation mail); the others have a password,
    asked for a reset once (a reset mail) and signed in a few times (audit events). They go
    through the services (about 10 ms a person), so SCALES["people"], when set, overrides
    the scale here.
    """
    scale = SCALES.get("people") or scale
    rng = random.Random(scale)
    signed_in = {}
    for role in Role:
        email, password = login_for(role)
        name = f"Bench {role.label}"
        signed_in[role] = users.create_user(email, name, {role})
        users.set_published_password(signed_in[role], password)
    admin = signed_in[Role.ADMIN]
    admin_id, person_id = admin.id, signed_in[Role.FOUNDER].id
    roles, weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
    for number in range(max(scale - len(Role), 0)):
        if number and number % PEOPLE_PER_COMMIT == 0:
            # A session holding thousands of people makes every flush slower: start afresh.
            db.session.commit()
            db.session.expunge_all()
            admin = db.session.get(User, admin_id)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{number}@example.org".lower()
        person_roles = set(rng.choices(roles, weights))
        if rng.random() < SECOND_ROLE_SHARE:
            person_roles |= set(rng.choices(roles, weights))
        if rng.random() < INVITED_SHARE:
            users.invite(email, f"{first} {last}", person_roles, by=admin)
            continue
        person = users.create_user(
            email, f"{first} {last}", person_roles, password=PERSON_PASSWORD, by=admin
        )
        users.request_password_reset(email)
        for _ in range(LOGINS_PER_PERSON):
            audit.record(person, "user.logged_in", "user", person.id)
        person_id = person.id
    return {"person_id": person_id}


page(FLOOR, "/healthz")
page("home", "/", role="manager")
page("people", "/people/", role="manager")
page("person", lambda context: f"/people/{context['person_id']}", role="manager")
page("audit", "/people/audit", role="admin")
page("outbox", "/people/outbox", role="admin")


# The cohort pipeline ----------------------------------------------------------------------------

PIPELINE_FOUNDERS = 2
PIPELINE_MILESTONES = 4
PIPELINE_CHECK_INS = 8


@seeder
def pipeline_cohort(scale: int) -> Context:
    """One active cohort with `scale` ventures: two founders each, a stage history from the
    cohort's start, milestones (some overdue) and weekly check-ins (some stale); its
    showcase is published.

    Rows go in as plain batches (bench/pipeline.py), not through the services, so that
    10,000 ventures seed in seconds; the stage plan comes from the service, as a real
    cohort's would.
    """
    from datetime import timedelta

    from bench import pipeline
    from incubator import clock
    from incubator.services.cohorts import ventures

    manager = users.user_by_email(login_for(Role.MANAGER)[0])
    today = clock.today()
    count = max(scale, 1)
    cohort = ventures.create_cohort(
        ventures.CohortInput(
            name="Bench pipeline cohort",
            starts_on=today - timedelta(days=140),
            ends_on=today + timedelta(days=42),
            # The service caps capacity at 500; the bulk seeder does not ask it.
            capacity=min(count, 500),
            status="active",
            showcase_published=True,
        ),
        by=manager,
    )
    cohort.capacity = count
    built = pipeline.seed(
        cohort,
        count,
        today=today,
        manager_id=manager.id if manager else None,
        founders=PIPELINE_FOUNDERS,
        milestones=PIPELINE_MILESTONES,
        check_ins=PIPELINE_CHECK_INS,
    )
    # The venture with the longest history: it went through every stage.
    watched = next((id_ for id_, stage in built if stage == "adoption"), built[0][0])
    return {"pipeline_cohort_id": cohort.id, "pipeline_venture_id": watched}


def _pipeline_board(context: Context) -> str:
    return f"/pipeline/cohorts/{context['pipeline_cohort_id']}"


page("board", _pipeline_board, role="manager")
page("board_table", lambda context: f"{_pipeline_board(context)}?view=table", role="manager")
# The same pages as a worker draws them after a change (each request its own query string, so
# nothing kept under the cohort's stamp is used): the cost a change brings.
page("board_drawn", lambda context: f"{_pipeline_board(context)}?n={{unique}}", role="manager")
page(
    "board_table_drawn",
    lambda context: f"{_pipeline_board(context)}?view=table&n={{unique}}",
    role="manager",
)
page("board_csv", lambda context: f"{_pipeline_board(context)}/board.csv", role="manager")
page("analytics", lambda context: f"{_pipeline_board(context)}/analytics", role="manager")
page("stage_chart", lambda context: f"{_pipeline_board(context)}/stages.svg", role="manager")
page(
    "distribution_chart",
    lambda context: f"{_pipeline_board(context)}/distribution.svg",
    role="manager",
)
page(
    "timeline",
    lambda context: f"/ventures/{context['pipeline_venture_id']}/timeline",
    role="manager",
)
page(
    "kpi_chart",
    lambda context: f"/ventures/{context['pipeline_venture_id']}/kpis.svg",
    role="manager",
)


# Cohorts, mentors, judging and matching ---------------------------------------------------------

page("cohorts", "/cohorts/", role="manager")
page("cohort", lambda context: f"/cohorts/{context['pipeline_cohort_id']}", role="manager")
page("showcase", "/showcase/")
page("showcase_cohort", lambda context: f"/showcase/cohorts/{context['pipeline_cohort_id']}")


@seeder
def mentors(scale: int) -> Context:
    """A profile for every mentor among the people, not accepting matches (so that the
    matching run below has exactly its own mentors), and three open slots each next week."""
    from datetime import UTC, datetime, time, timedelta

    from sqlalchemy import insert, select

    from bench.matching_review import mentor_profiles
    from incubator import clock
    from incubator.extensions import db
    from incubator.models import MentorProfile, Slot, UserRole

    ids = list(
        db.session.scalars(
            select(UserRole.user_id)
            .where(UserRole.role == Role.MENTOR)
            .where(~UserRole.user_id.in_(select(MentorProfile.user_id)))
        )
    )
    mentor_profiles(ids, random.Random(scale), accepting=False)
    monday = clock.week_start(clock.today()) + timedelta(weeks=1)
    starts = [datetime.combine(monday + timedelta(days=day), time(17), UTC) for day in range(3)]
    rows = [
        {"mentor_id": id_, "starts_at": start, "ends_at": start + timedelta(minutes=30)}
        for id_ in ids
        for start in starts
    ]
    if rows:
        db.session.execute(insert(Slot), rows)
    return {}


page("mentors", "/mentoring/mentors", role="manager")


@seeder(for_pages=("judging_results",))
def judging(scale: int) -> Context:
    """A closed hackathon with a submission for every tenth person (at least three), five
    judges and every score given."""
    from bench import judging as judging_data

    return {"judging_hackathon_id": judging_data.seed(max(3, scale // 10))}


page(
    "judging_results",
    lambda context: f"/judging/hackathons/{context['judging_hackathon_id']}/results",
    role="manager",
)

SCALES["matching_ventures"] = 1_000


@seeder(for_pages=("matching_review",))
def matching(_scale: int) -> Context:
    """A matching run of 1,000 ventures x 500 mentors (SCALES), whatever --scale says."""
    from bench import matching_review

    manager = users.user_by_email(login_for(Role.MANAGER)[0])
    count = SCALES["matching_ventures"]
    mentor_count = max(1, count // 2)
    seeded = matching_review.seed(count, mentor_count, manager)
    return {
        "matching_cohort_id": seeded.cohort_id,
        "notes": [matching_review.describe(seeded, count, mentor_count)],
    }


page(
    "matching_review",
    lambda context: f"/matching/cohorts/{context['matching_cohort_id']}",
    role="manager",
)


# The city's scorecard -------------------------------------------------------------------------

SCORECARD_PAGES = (
    "scorecard",
    "scorecard_neighbourhoods",
    "scorecard_map",
    "scorecard_csv",
    "scorecard_json",
    "scorecard_metric",
    "scorecard_trend",
)


@seeder(for_pages=SCORECARD_PAGES)
def scorecard(_scale: int) -> Context:
    """10,000 ventures and 1,000,000 figures (SCALES), whatever --scale says; the pages are
    public, so they are measured signed out."""
    from bench import scorecard as scorecard_data

    seeded = scorecard_data.seed(SCALES["scorecard_ventures"], SCALES["scorecard_observations"])
    return {"scorecard_metric": seeded.metric_code, "notes": [scorecard_data.describe(seeded)]}


def _metric(context: Context) -> str:
    return context["scorecard_metric"]


page("scorecard", "/scorecard/")
page("scorecard_neighbourhoods", lambda c: f"/scorecard/neighbourhoods?metric={_metric(c)}")
page("scorecard_map", lambda c: f"/scorecard/map.svg?metric={_metric(c)}")
page("scorecard_csv", "/scorecard/scorecard.csv")
page("scorecard_json", lambda c: f"/scorecard/scorecard.json?metric={_metric(c)}")
page("scorecard_metric", lambda c: f"/scorecard/metrics/{_metric(c)}")
page("scorecard_trend", lambda c: f"/scorecard/metrics/{_metric(c)}/trend.svg")


# Who takes part: the inclusion funnel ----------------------------------------------------------

INCLUSION_PAGES = ("inclusion_funnel", "inclusion_hackathon", "inclusion_json", "inclusion_public")
SCALES["inclusion_registrations"] = 100_000


@seeder(for_pages=INCLUSION_PAGES)
def inclusion(_scale: int) -> Context:
    """100,000 registrations (SCALES) over five hackathons, whatever --scale says."""
    from bench import inclusion as inclusion_data

    seeded = inclusion_data.seed(SCALES["inclusion_registrations"])
    return {
        "inclusion_hackathon_id": seeded.hackathon_id,
        "notes": [inclusion_data.describe(seeded)],
    }


page("inclusion_funnel", "/inclusion/funnel", role="manager")
page(
    "inclusion_hackathon",
    lambda c: f"/inclusion/funnel?hackathon={c['inclusion_hackathon_id']}&by=race",
    role="manager",
)
page("inclusion_json", "/inclusion/funnel.json?by=neighbourhood", role="manager")
page("inclusion_public", "/inclusion/")
