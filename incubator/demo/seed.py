"""Los Angeles demo data, so the first run shows a living program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeAlias

from sqlalchemy import select

from incubator import clock
from incubator.demo import homes as homes_demo
from incubator.demo import inclusion as inclusion_demo
from incubator.demo import matching
from incubator.demo import scorecard as scorecard_demo
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    CohortStatus,
    HackathonStatus,
    MilestoneStatus,
    MilestoneTemplate,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    Placement,
    Role,
    SessionRating,
    Slot,
    SlotStatus,
    Stage,
    StageChange,
    Submission,
    User,
)
from incubator.services.accounts import users
from incubator.services.cohorts import ventures
from incubator.services.hackathons import hackathons, judging, results
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import profiles, slots
from incubator.services.pipeline import checkins, milestones, stages
from incubator.services.scorecard import reference as scorecard_reference


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    # Said after the password when the login is printed ("reads the site in Spanish").
    note: str = ""


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


# A founder who reads the site in Spanish and writes in it: her venture's profile and its
# weekly check-ins are in Spanish. Her login is printed after the one-per-role logins, as
# "founder-es": each role's login stays the only one of its role.
SPANISH_FOUNDER_NAME = "Lucía Hernández"
SPANISH_FOUNDER = DemoLogin(
    "founder-es",
    "lucia.hernandez@example.org",
    "demo-fundadora-2026",
    "reads the site in Spanish",
)
# The venture whose profile and check-ins she writes in Spanish.
SPANISH_VENTURE = "Bienvenida"


def demo_password(role: Role) -> str:
    return f"demo-{role.value}-2026"


def existing_logins() -> list[DemoLogin]:
    """The demo logins whose accounts exist, for reminding who can sign in."""
    logins = [
        DemoLogin(str(role), email, demo_password(role))
        for role, email, _name, _roles in DEMO_PEOPLE
    ]
    return [
        login
        for login in [*logins, SPANISH_FOUNDER]
        if users.user_by_email(login.email) is not None
    ]


def seed() -> list[DemoLogin]:
    """Create the demo accounts and invitations; returns the logins to print."""
    logins = []
    admin: User | None = None
    for role, email, name, roles in DEMO_PEOPLE:
        user = users.create_user(email, name, roles)
        users.set_published_password(user, demo_password(role))
        if role is Role.ADMIN:
            admin = user
        logins.append(DemoLogin(str(role), email, demo_password(role)))
    logins.append(_seed_spanish_founder())
    manager = users.user_by_email("manager@accelerate.la.example")
    assert manager is not None and admin is not None
    for email, name, roles in DEMO_INVITEES:
        users.invite(email, name, roles, by=manager)
    organisations = _seed_organisations()
    partner = users.user_by_email("partner@accelerate.la.example")
    db.session.add(OrganisationMember(organisation=organisations["LADWP"], user=partner))
    # Every date is on the program's calendar: today where the program is, weeks from Monday.
    today = clock.today()
    # Ventures pick their impact areas from the scorecard's, so those come first.
    scorecard_reference.ensure_reference_data()
    seeded = _seed_hackathons(manager, organisations, today=today)
    _seed_cohort(manager, seeded, today=today)
    inclusion_demo.seed_inclusion(manager, today)
    scorecard_demo.seed(manager)
    homes_demo.seed_waiting_work(manager, today)
    return logins


def _seed_spanish_founder() -> DemoLogin:
    """Her account, before the hackathon her team won, so its promotion makes her a member of
    the venture (rather than inviting her)."""
    founder = users.create_user(SPANISH_FOUNDER.email, SPANISH_FOUNDER_NAME, {Role.FOUNDER})
    users.set_published_password(founder, SPANISH_FOUNDER.password)
    users.set_preferred_language(founder, "es")
    return SPANISH_FOUNDER


ORGANISATIONS = [
    ("LADWP", "Los Angeles Department of Water and Power", OrganisationKind.CITY_DEPARTMENT),
    ("LADOT", "Los Angeles Department of Transportation", OrganisationKind.CITY_DEPARTMENT),
    ("MOIA", "Mayor's Office of Immigrant Affairs", OrganisationKind.CITY_DEPARTMENT),
    ("CCF", "California Community Foundation", OrganisationKind.FOUNDATION),
]


def _seed_organisations() -> dict[str, Organisation]:
    found = {}
    for key, name, kind in ORGANISATIONS:
        organisation = Organisation(name=name, kind=kind, description="")
        db.session.add(organisation)
        found[key] = organisation
    db.session.flush()
    return found


# (hackathon, theme, status, weeks ago it started, venue, challenges, submissions)
# challenge: (title, area, organisation key or None, statement, dataset links)
# submission: (title, tagline, challenge index, [(name, email)], placement or None)
ChallengeRow: TypeAlias = tuple[str, str, str | None, str, str]
SubmissionRow: TypeAlias = tuple[str, str, int, list[tuple[str, str]], Placement | None]
HackathonRow: TypeAlias = tuple[
    str, str, HackathonStatus, int, str, list[ChallengeRow], list[SubmissionRow]
]
HACKATHONS: list[HackathonRow] = [
    (
        "#techLA Drought Hack",
        "Drought management",
        HackathonStatus.CLOSED,
        20,
        "Cross Campus, Downtown LA",
        [
            (
                "Smarter outdoor watering",
                "Water and drought",
                "LADWP",
                "Help residents cut outdoor watering without killing their gardens.",
                "https://data.lacity.org/\nhttps://www.ladwp.com/",
            ),
            (
                "Leak detection for older buildings",
                "Water and drought",
                "LADWP",
                "Find leaks in multi-family buildings before the bill arrives.",
                "",
            ),
        ],
        [
            (
                "DropWise",
                "Watering schedules tuned to your block's weather",
                0,
                [
                    ("Jamal Washington", "founder@accelerate.la.example"),
                    ("Ana Morales", "ana.morales@example.org"),
                ],
                Placement.WINNER,
            ),
            (
                "LeakLens",
                "Meter data that spots leaks in hours, not months",
                1,
                [("Kevin Park", "kevin.park@example.org")],
                Placement.RUNNER_UP,
            ),
            (
                "GreyWater Guide",
                "Permits and parts for laundry-to-landscape",
                0,
                [("Sofia Reyes", "sofia.reyes@example.org")],
                None,
            ),
        ],
    ),
    (
        "#techLA New Angelenos Hack",
        "New-immigrant integration",
        HackathonStatus.CLOSED,
        16,
        "Los Angeles Central Library",
        [
            (
                "Finding services in your language",
                "New-immigrant integration",
                "MOIA",
                "Newcomers struggle to find city services that speak their language.",
                "https://geohub.lacity.org/",
            ),
        ],
        [
            (
                "Bienvenida",
                "City services, explained in 12 languages by text message",
                0,
                [
                    ("Lucía Hernández", "lucia.hernandez@example.org"),
                    ("Nguyễn Thị Hoa", "hoa.nguyen@example.org"),
                ],
                Placement.WINNER,
            ),
            (
                "PaperTrail",
                "A checklist for every immigration appointment",
                0,
                [("Omar Haddad", "omar.haddad@example.org")],
                Placement.HONOURABLE_MENTION,
            ),
        ],
    ),
    (
        "#techLA Move LA Hack",
        "Transportation",
        HackathonStatus.JUDGING,
        2,
        "LA Kretz Innovation Campus",
        [
            (
                "Safer walks to school",
                "Transportation and mobility",
                "LADOT",
                "Parents want safe routes; the city wants to know where crossings fail.",
                "https://data.lacity.org/",
            ),
            (
                "Bus reliability for riders",
                "Transportation and mobility",
                None,
                "Riders cannot plan around buses that bunch.",
                "",
            ),
        ],
        [
            (
                "RouteSafe",
                "Crowd-sourced crossing hazards near schools",
                0,
                [("Mei Lin", "mei.lin@example.org")],
                None,
            ),
            (
                "BunchBuster",
                "Live headway alerts for riders and dispatchers",
                1,
                [("Daniel Cruz", "daniel.cruz@example.org")],
                None,
            ),
            (
                "CurbShare",
                "Loading-zone booking for small businesses",
                1,
                [("Tasha Brooks", "tasha.brooks@example.org")],
                None,
            ),
        ],
    ),
]


def _seed_hackathons(manager: User, organisations, *, today: date) -> list[Submission]:
    """Creates the hackathons; returns the placed submissions, winners first."""
    placed = []
    for name, theme, status, weeks_ago, venue, challenge_rows, submission_rows in HACKATHONS:
        starts = today - timedelta(weeks=weeks_ago)
        hackathon = hackathons.create_hackathon(
            hackathons.HackathonInput(
                name=name,
                theme=theme,
                starts_on=starts,
                ends_on=starts + timedelta(days=1),
                venue=venue,
                time_zone="America/Los_Angeles",
                # Judged first; closed afterwards where the hackathon is over.
                status=HackathonStatus.JUDGING,
                description=f"A weekend of building for Los Angeles: {theme.lower()}.",
            ),
            by=manager,
        )
        challenges = [
            hackathons.add_challenge(
                hackathon,
                hackathons.ChallengeInput(
                    title=title,
                    problem_statement=statement,
                    challenge_area=area,
                    organisation_id=organisations[org].id if org else None,
                    dataset_links=links,
                ),
                by=manager,
            )
            for title, area, org, statement, links in challenge_rows
        ]
        made = []
        for title, tagline, challenge_index, members, placement in submission_rows:
            submission = hackathons.create_submission(
                hackathon,
                hackathons.SubmissionInput(
                    team_name=f"Team {title}",
                    title=title,
                    tagline=tagline,
                    description=f"{title}: {tagline}.",
                    challenge_id=challenges[challenge_index].id,
                    demo_url=f"https://{title.lower()}.example.org",
                    repository_url=f"https://github.com/techla/{title.lower()}",
                    video_url=None,
                    members=[hackathons.MemberInput(n, e) for n, e in members],
                ),
                by=manager,
            )
            made.append((submission, placement))
        _seed_judging(manager, hackathon, made, final=status is HackathonStatus.CLOSED)
        placed += [submission for submission, placement in made if placement is not None]
        if status != HackathonStatus.JUDGING:
            hackathon.status = status
    db.session.flush()
    return placed


RUBRIC = [
    ("Impact on Angelenos", 4.0, "How many residents it helps, and how much."),
    ("Feasibility", 3.0, "Could the city or a partner run it within a year?"),
    ("Innovation", 2.0, "New for Los Angeles, not just new for the team."),
    ("Presentation", 1.0, "Clear demo and pitch."),
]
# Each judge's leaning: the harsh one scores a point lower across the board.
JUDGES = [
    ("judge@accelerate.la.example", "", 0),
    ("carmen.ruiz@judges.example", "Carmen Ruiz", -1),
    ("howard.lee@judges.example", "Howard Lee", 0),
]
QUALITY = {Placement.WINNER: 5, Placement.RUNNER_UP: 4, Placement.HONOURABLE_MENTION: 4}
# What each judge says of a submission of that quality, on the criterion of their own
# position in the rubric (the first judge on impact, the second on feasibility, ...). The
# Move LA Hack's three unplaced submissions get the same scores from every judge, so its
# results show a three-way tie.
JUDGE_COMMENTS = {
    5: (
        "Residents on the pilot blocks are already asking for it.",
        "A department could run this within the year.",
        "Nothing like it in the city yet.",
    ),
    4: (
        "A real need, though it reaches fewer people.",
        "Needs a named city partner before it can go further.",
        "A known idea, done well for Los Angeles.",
    ),
    3: (
        "Promising; show who it helps and how many.",
        "The demo worked, but the data source may not last.",
        "Similar tools exist; say what is new here.",
    ),
}


def _seed_judging(manager: User, hackathon, made, *, final: bool) -> None:
    """A rubric, three judges and their scores; placements where the hackathon is over."""
    criteria = [
        judging.add_criterion(hackathon, name, weight, 1, 5, description=text, by=manager)
        for name, weight, text in RUBRIC
    ]
    judges = []
    for email, name, _lean in JUDGES:
        judge = users.user_by_email(email) or users.create_user(
            email, name, {Role.JUDGE}, by=manager
        )
        judges.append(judge)
    judging.assign_judges(hackathon, judges, by=manager)
    for submission, placement in made:
        quality = QUALITY.get(placement, 3)
        for index, (judge, (_email, _name, lean)) in enumerate(zip(judges, JUDGES, strict=True)):
            # Leave the demo judge something to do where judging is still open.
            if not final and judge.email == JUDGES[0][0]:
                continue
            values = {
                criterion.id: max(1, min(5, quality + lean - position % 2))
                for position, criterion in enumerate(criteria)
            }
            comment = {criteria[index].id: JUDGE_COMMENTS[quality][index]}
            judging.submit_scores(judge, submission, values, comment)
        if final and placement is not None:
            results.set_placement(submission, placement, by=manager)


def _seed_cohort(manager: User, placed: list[Submission], *, today: date) -> None:
    cohort = ventures.create_cohort(
        ventures.CohortInput(
            name="Accelerate: LA Cohort 3",
            starts_on=today - timedelta(weeks=10),
            ends_on=today + timedelta(weeks=14),
            capacity=10,
            status=CohortStatus.ACTIVE,
            showcase_published=True,
        ),
        by=manager,
    )
    ventures.create_cohort(
        ventures.CohortInput(
            name="Accelerate: LA Cohort 4",
            starts_on=today + timedelta(weeks=16),
            ends_on=today + timedelta(weeks=40),
            capacity=12,
            status=CohortStatus.PLANNING,
        ),
        by=manager,
    )
    profiles = {
        "DropWise": (
            ["Water and drought"],
            ["Pacoima", "Sylmar", "Van Nuys"],
            ["Pilot site", "Data access"],
        ),
        "LeakLens": (
            ["Water and drought", "Housing"],
            ["Koreatown", "Westlake"],
            ["Procurement path", "Funding"],
        ),
        "Bienvenida": (
            ["Immigrant integration", "Civic pilots with city departments"],
            ["Boyle Heights", "Westlake", "Historic South-Central"],
            ["Mentors", "Funding"],
        ),
        "PaperTrail": (["Civic pilots with city departments"], ["Citywide"], ["Legal", "Design"]),
    }
    made = {}
    for submission in sorted(placed, key=lambda s: s.title):
        result = ventures.promote(submission, cohort, by=manager)
        impact, places, needs = profiles.get(submission.title, ([], [], []))
        result.venture.impact_areas = impact
        result.venture.neighbourhoods = places
        result.venture.needs = needs
        if submission.title == SPANISH_VENTURE:
            result.venture.one_liner, result.venture.description = SPANISH_PROFILE
        made[result.venture.name] = result.venture
    for name, one_liner, area, impact, places, needs, founders in DIRECT_VENTURES:
        venture = ventures.create_venture(
            cohort,
            ventures.VentureProfile(
                name=name,
                one_liner=one_liner,
                description=f"{name}: {one_liner}.",
                challenge_area=area,
                website=None,
                impact_areas=impact,
                neighbourhoods=places,
                needs=needs,
            ),
            by=manager,
        )
        for founder_name, email in founders:
            ventures.add_member(venture, email, founder_name, "Founder", by=manager)
        made[name] = venture
    db.session.flush()
    _seed_pipeline(manager, cohort, made, today=today)
    _seed_mentoring(manager, made, today=today)
    matching.seed_matching_demo(manager, made, today)


# The Spanish-writing founder's profile of her venture: one-liner and description.
SPANISH_PROFILE = (
    "Los servicios de la ciudad, explicados en 12 idiomas por mensaje de texto",
    "Bienvenida ayuda a las familias que acaban de llegar a Los Ángeles a encontrar los "
    "servicios de la ciudad en su propio idioma. Por mensaje de texto, sin bajar ninguna "
    "aplicación, les explicamos paso a paso cómo sacar la tarjeta de la biblioteca, inscribir "
    "a los niños en la escuela o pedir ayuda con la renta. Empezamos en Boyle Heights y "
    "Westlake junto con la Oficina del Alcalde para Asuntos de Inmigrantes, y ya contestamos "
    "en español, coreano, tagalo, armenio y ocho idiomas más.",
)

DIRECT_VENTURES = [
    (
        "ShadeMap LA",
        "Tree canopy and bus-shelter shade, block by block",
        "Environment and climate",
        ["Health"],
        ["Historic South-Central", "Watts"],
        ["Data access"],
        [("Rosa Jiménez", "rosa.jimenez@example.org")],
    ),
    (
        "RentRight",
        "Tenants' rights, explained before the eviction notice",
        "Housing and homelessness",
        ["Housing"],
        ["Boyle Heights", "East Hollywood"],
        ["Legal", "Funding"],
        [("Marcus Bell", "marcus.bell@example.org")],
    ),
    (
        "StreetSeats",
        "Parklet permits in days, not months",
        "Transportation and mobility",
        ["Transportation", "Jobs"],
        ["Highland Park", "Venice"],
        ["Procurement path", "Pilot site"],
        [("Elena Petrova", "elena.petrova@example.org")],
    ),
]

# Stage moves in weeks after the cohort started; a negative week moves the venture back.
STAGE_PATHS = {
    "DropWise": [(3, Stage.PROTOTYPE), (7, Stage.PILOT)],
    "LeakLens": [(4, Stage.PROTOTYPE)],
    "Bienvenida": [(2, Stage.PROTOTYPE), (5, Stage.PILOT), (9, Stage.LAUNCH)],
    "PaperTrail": [],
    "ShadeMap LA": [(1, Stage.PROTOTYPE), (3, Stage.PILOT), (6, Stage.LAUNCH), (9, Stage.ADOPTION)],
    "RentRight": [(5, Stage.PROTOTYPE)],
    "StreetSeats": [(2, Stage.PROTOTYPE), (5, Stage.PILOT), (8, Stage.PROTOTYPE)],
}
# The last week each venture checked in, counted back from this week, and its confidences.
CHECK_IN_PATTERNS = {
    "DropWise": (0, [4, 4, 5, 4, 4, 5, 5, 4, 5, 5]),
    "LeakLens": (0, [3, 3, 4, 4, 3, 4, 4, 4, 4, 4]),
    "Bienvenida": (1, [4, 5, 5, 4, 5, 5, 4, 5, 5]),
    "PaperTrail": (4, [3, 3, 2, 3, 3, 3]),
    "ShadeMap LA": (0, [5, 5, 4, 5, 5, 5, 5, 4, 5, 5]),
    "RentRight": (0, [3, 3, 3, 4, 3, 3, 3, 2, 2]),
    "StreetSeats": (1, [4, 4, 4, 3, 4, 3, 2, 3, 3]),
}
AT_RISK = {"PaperTrail", "RentRight", "StreetSeats"}


def _at(day: date, hour: int = 17) -> datetime:
    """A whole hour of a day in the program's time zone, in UTC."""
    return clock.at(day, time(hour))


def _seed_pipeline(manager: User, cohort, made: dict, *, today: date) -> None:
    """Stage histories, milestones in every state and weeks of check-ins."""
    start = cohort.starts_on
    for name, venture in made.items():
        # The venture's first stage change, made when it joined the cohort.
        entry = db.session.scalars(
            select(StageChange).where(StageChange.venture_id == venture.id)
        ).one()
        entry.changed_at = _at(start, 10)
        for milestone in milestones.venture_milestones(venture):
            milestone.created_at = _at(start, 10)
            template = milestone.template_id and db.session.get(
                MilestoneTemplate, milestone.template_id
            )
            if template:
                milestone.due_on = start + timedelta(days=template.due_after_days)
        for week, stage in STAGE_PATHS[name]:
            moved_on = start + timedelta(weeks=week)
            backwards = stages.stage_index(stage) < stages.stage_index(venture.stage)
            reason = (
                "The pilot site withdrew; back to prototyping a smaller scope."
                if backwards
                else "Exit milestones met."
            )
            for milestone in milestones.venture_milestones(venture):
                if milestone.stage == venture.stage and not backwards:
                    milestone.status = MilestoneStatus.VERIFIED
                    milestone.evidence_url = f"https://docs.example.org/{venture.id}/{milestone.id}"
                    milestone.evidence_note = "Shared with the program team."
                    milestone.completed_at = _at(moved_on - timedelta(days=3))
                    milestone.verified_at = _at(moved_on - timedelta(days=1))
                    milestone.verified_by_id = manager.id
            stages.move_stage(venture, stage, reason, by=manager, at=_at(moved_on, 11))
        current = [m for m in milestones.venture_milestones(venture) if m.stage == venture.stage]
        for milestone in current:
            # Ventures on track finished what fell due; the at-risk ones did not.
            if name not in AT_RISK and milestone.due_on and milestone.due_on < today:
                milestone.status = MilestoneStatus.DONE
                milestone.evidence_note = "Notes and photos in the shared folder."
                milestone.completed_at = _at(milestone.due_on - timedelta(days=2))
        open_ones = [m for m in current if m.status == MilestoneStatus.PLANNED]
        if open_ones:
            open_ones[0].status = MilestoneStatus.IN_PROGRESS
        _seed_check_ins(venture, today)
    db.session.flush()


def _seed_check_ins(venture, today: date) -> None:
    weeks_quiet, confidences = CHECK_IN_PATTERNS[venture.name]
    author = venture.members[0].user if venture.members else None
    if author is None:
        return
    this_week = clock.week_start(today)
    count = len(confidences)
    words = SPANISH_CHECK_INS if venture.name == SPANISH_VENTURE else ENGLISH_CHECK_INS
    for index, confidence in enumerate(confidences):
        week = this_week - timedelta(weeks=weeks_quiet + count - 1 - index)
        reached = 40 * (index + 1) ** 2
        check_in, _created = checkins.save_check_in(
            venture,
            checkins.CheckInInput(
                week_start=week,
                summary=words.summaries[index % len(words.summaries)],
                progress=words.progress,
                blockers=words.blockers if confidence <= 2 else "",
                ask_kinds=["data"] if confidence <= 3 else [],
                asks=words.asks if confidence <= 3 else "",
                confidence=confidence,
                users_reached=reached,
                active_pilots=1 if venture.stage in ("pilot", "launch", "adoption") else 0,
                revenue=0.0,
                funding_raised=25000.0 if index > count // 2 else 0.0,
                team_size=len(venture.members) + 1,
            ),
            by=author,
            today=today,
        )
        # Written on the Friday of its week, or by now if this week's Friday is still to come.
        check_in.created_at = min(_at(week + timedelta(days=4)), clock.now())


@dataclass(frozen=True)
class CheckInWords:
    """What a venture's demo check-ins say, week after week."""

    summaries: list[str]
    progress: str
    blockers: str
    asks: str


ENGLISH_CHECK_INS = CheckInWords(
    summaries=[
        "Ran user interviews at a neighbourhood council meeting.",
        "Tested the prototype with five residents; two flows need work.",
        "Met the department's project lead; agreed the pilot's success measures.",
        "Fixed the sign-up drop-off; more residents finished onboarding.",
        "Presented at the cohort demo session and got useful feedback.",
    ],
    progress="Shipped what we planned for the week.",
    blockers="Waiting on data access from the department.",
    asks="An introduction to the department's data team.",
)
# The Spanish-writing founder's check-ins (SPANISH_VENTURE).
SPANISH_CHECK_INS = CheckInWords(
    summaries=[
        "Entrevistamos a varias familias en una junta del concejo vecinal de Boyle Heights.",
        "Probamos el prototipo con cinco vecinas; dos de los pasos todavía se les hacen confusos.",
        "Nos reunimos con la encargada del proyecto en la oficina del alcalde y quedamos de "
        "acuerdo en cómo vamos a medir el piloto.",
        "Arreglamos el registro: ahora más personas terminan de inscribirse.",
        "Presentamos en la sesión de demos de la cohorte y nos dieron muy buenas ideas.",
    ],
    progress="Sacamos todo lo que teníamos planeado para la semana.",
    blockers="Seguimos esperando que el departamento nos dé acceso a los datos.",
    asks="Que nos presenten al equipo de datos del departamento.",
)


# (email, name, organisation, bio, expertise, challenge areas, languages, weekly block)
# block: (weekday, start hour, end hour, slot minutes)
MENTORS = [
    (
        "mentor@accelerate.la.example",
        "",
        "Civic Design Collective",
        "Product designer who has shipped resident-facing services for three city departments.",
        ["user research", "service design", "accessibility"],
        ["New-immigrant integration", "Housing and homelessness"],
        ["English", "Korean"],
        (1, 15, 17, 30),
    ),
    (
        "dolores.vega@mentors.example",
        "Dolores Vega",
        "Retired, LA City procurement",
        "12 years at LA City procurement: how a pilot becomes a contract.",
        ["procurement", "government sales", "contracts"],
        ["Water and drought", "Transportation and mobility"],
        ["English", "Spanish"],
        (3, 10, 12, 30),
    ),
    (
        "ken.watanabe@mentors.example",
        "Ken Watanabe",
        "Metro data team",
        "Transit data engineer; GTFS, real-time feeds and open data portals.",
        ["data engineering", "open data", "transit"],
        ["Transportation and mobility"],
        ["English", "Japanese"],
        (2, 13, 15, 30),
    ),
    (
        "amara.okonkwo@mentors.example",
        "Amara Okonkwo",
        "SoCal Impact Fund",
        "Early-stage investor in civic and climate ventures.",
        ["fundraising", "pitching", "impact measurement"],
        ["Environment and climate", "Economic opportunity"],
        ["English"],
        (4, 9, 11, 60),
    ),
]


# Demo people who chose to read the site in Spanish (their profile's language).
READ_IN_SPANISH = {"dolores.vega@mentors.example", SPANISH_FOUNDER.email}


# How far ahead the demo mentors' weekly series run: past the four weeks a mentor's page once
# stopped at, so its later pages show.
SERIES_WEEKS = 10


def _seed_mentoring(manager: User, made: dict, *, today: date) -> None:
    """Mentor profiles, weekly availability, past sessions with notes and ratings (one a
    no-show rated before it was marked so), and sessions booked on the series."""
    now = clock.now()
    mentors = []
    for email, name, organisation, bio, expertise, areas, languages, block in MENTORS:
        mentor = users.user_by_email(email) or users.create_user(
            email, name, {Role.MENTOR}, by=manager
        )
        if email in READ_IN_SPANISH:
            users.set_preferred_language(mentor, "es")
        profiles.save_profile(
            mentor,
            profiles.ProfileInput(
                bio=bio,
                organisation=organisation,
                expertise=expertise,
                challenge_areas=areas,
                languages=languages,
                capacity=3,
                meeting_place="LA Kretz Innovation Campus, 525 S Hewitt St",
            ),
            by=mentor,
        )
        weekday, start, end, minutes = block
        slots.publish_series(
            mentor,
            weekday,
            time(start),
            time(end),
            minutes,
            today + timedelta(days=1),
            today + timedelta(weeks=SERIES_WEEKS),
            "LA Kretz Innovation Campus",
            "",
            by=mentor,
        )
        mentors.append(mentor)

    # Sessions that already happened, written as the mentor recorded them.
    past = [
        (
            "DropWise",
            0,
            3,
            "Which pilot site first?",
            "Start with Pacoima: LADWP has meter data.",
            "Strong team; push them on the data agreement.",
            5,
            4,
        ),
        (
            "Bienvenida",
            0,
            2,
            "Testing with newcomers",
            "Recruit testers through MOIA's centres.",
            "",
            5,
            5,
        ),
        (
            "LeakLens",
            1,
            2,
            "How do we sell to the city?",
            "Piggy-back on an existing contract.",
            "They underestimate the procurement timeline.",
            4,
            5,
        ),
        ("StreetSeats", 1, 1, "Pilot site withdrew", "Scope down to two parklets.", "", 3, 4),
        ("ShadeMap LA", 3, 3, "Seed round", "Lead with the adoption by StreetsLA.", "", 5, 4),
    ]
    for venture_name, mentor_index, weeks_ago, agenda, shared, private, f_score, m_score in past:
        venture = made[venture_name]
        mentor = mentors[mentor_index]
        founder = venture.members[0].user
        starts = _at(today - timedelta(weeks=weeks_ago, days=1), 15)
        booking = _past_session(
            venture,
            mentor,
            starts,
            agenda,
            BookingStatus.COMPLETED,
            shared_notes=shared,
            private_notes=private,
            completed_at=starts + timedelta(minutes=30),
        )
        db.session.add_all(
            [
                SessionRating(
                    booking_id=booking.id, rater_id=founder.id, side="founder", score=f_score
                ),
                SessionRating(
                    booking_id=booking.id, rater_id=mentor.id, side="mentor", score=m_score
                ),
            ]
        )

    _seed_no_show(made["StreetSeats"], mentors[0], today)

    # Upcoming sessions, booked the ordinary way on the mentors' series: the first mentor's
    # series has two of its slots booked (the availability page links them to the sessions;
    # changing or withdrawing the series keeps and names them).
    upcoming = [
        ("DropWise", 0, 1, "Pilot success measures with LADWP"),
        ("Bienvenida", 0, 4, "Onboarding flow for the Spanish version"),
        ("LeakLens", 1, 1, "Procurement path for a 6-month pilot"),
    ]
    for venture_name, mentor_index, choice, agenda in upcoming:
        venture = made[venture_name]
        free = slots.free_slots(mentors[mentor_index], now, now + timedelta(weeks=SERIES_WEEKS))
        if free:
            booking_service.book(
                free[min(choice, len(free) - 1)], venture, agenda, by=venture.members[0].user
            )
    db.session.flush()


def _seed_no_show(venture, mentor: User, today: date) -> None:
    """A session the founder rated 2 while it was marked completed, which the mentor then
    corrected to a no-show: the ratings page keeps that rating out of the average."""
    founder = venture.members[0].user
    starts = _at(today - timedelta(weeks=2, days=3), 11)
    booking = _past_session(
        venture, mentor, starts, "Permits for the parklet at 5th and Main", BookingStatus.NO_SHOW
    )
    db.session.add(
        SessionRating(
            booking_id=booking.id,
            rater_id=founder.id,
            side="founder",
            score=2,
            comment="Rated by mistake before the mentor marked it",
            created_at=booking.ends_at,
        )
    )
    db.session.flush()


def _past_session(
    venture, mentor: User, starts: datetime, agenda: str, status: BookingStatus, **fields
) -> Booking:
    """A half-hour session that took place, with the founder who booked it: its slot offered
    and booked the week before, as it would have been."""
    booked_at = starts - timedelta(weeks=1)
    slot = Slot(
        created_at=booked_at,
        mentor_id=mentor.id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        location="LA Kretz Innovation Campus",
        status=SlotStatus.OPEN,
    )
    db.session.add(slot)
    db.session.flush()
    booking = Booking(
        uid=f"demo-{slot.id}@accelerate-la",
        slot_id=slot.id,
        venture_id=venture.id,
        founder_id=venture.members[0].user.id,
        mentor_id=mentor.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        agenda=agenda,
        status=status,
        created_at=booked_at,
        **fields,
    )
    db.session.add(booking)
    db.session.flush()
    return booking
