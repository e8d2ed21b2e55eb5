"""Builders for test data: each returns a flushed model with sensible defaults."""

from __future__ import annotations

import itertools

from incubator import clock
from incubator.extensions import db
from incubator.models import Role
from incubator.services.accounts import users

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


def user(
    *roles: str,
    email: str | None = None,
    name: str | None = None,
    password: str | None = PASSWORD,
    **fields,
):
    number = next(_sequence)
    created = users.create_user(
        email or f"person{number}@example.org",
        name or f"Person {number}",
        {Role(role) for role in roles},
        password=password,
    )
    for key, value in fields.items():
        setattr(created, key, value)
    db.session.flush()
    return created


def judging_hackathon(name: str | None = None, status: str = "judging", **fields):
    """A hackathon ready for judging (status "judging" unless given)."""
    from datetime import date

    from incubator.models import Hackathon

    number = next(_sequence)
    created = Hackathon(
        name=name or f"Hackathon {number}",
        theme=fields.pop("theme", "Civic tech"),
        starts_on=fields.pop("starts_on", date(2025, 3, 1)),
        ends_on=fields.pop("ends_on", date(2025, 3, 2)),
        status=status,
        **fields,
    )
    db.session.add(created)
    db.session.flush()
    return created


def judging_submission(hackathon, title: str | None = None, status: str = "submitted", **fields):
    """A submission to a hackathon, submitted (not draft) unless given."""
    from incubator.models import Submission

    number = next(_sequence)
    created = Submission(
        hackathon_id=hackathon.id,
        title=title or f"Project {number}",
        team_name=fields.pop("team_name", f"Team {number}"),
        status=status,
        **fields,
    )
    db.session.add(created)
    db.session.flush()
    return created


def rubric_criterion(
    hackathon, name: str | None = None, weight: float = 1, scale_min: int = 1, scale_max: int = 5
):
    """A criterion at the end of a hackathon's rubric, added through the judging service."""
    from incubator.services.hackathons import judging

    return judging.add_criterion(
        hackathon,
        name or f"Criterion {next(_sequence)}",
        weight,
        scale_min,
        scale_max,
        by=None,
    )


def judge_assignment(judge, *submissions):
    """Assign a judge (who must hold the judge role) to submissions of one hackathon."""
    from incubator.services.hackathons import judging

    judging.assign_judges(submissions[0].hackathon, [judge], list(submissions), by=None)


# Hackathons, cohorts and ventures -----------------------------------------------------------


def hackathon_input(name: str | None = None, **fields):
    """An open two-day hackathon at City Hall as the service takes it (a new name unless
    given); fields override HackathonInput's values."""
    from dataclasses import replace
    from datetime import date

    from incubator.services.hackathons import hackathons

    data = hackathons.HackathonInput(
        name=name or f"#techLA hackathon {next(_sequence)}",
        theme="Drought management",
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 2),
        venue="City Hall",
        time_zone="America/Los_Angeles",
        status="open",
        description="",
    )
    return replace(data, **fields)


def hackathon(name: str | None = None, *, by=None, **fields):
    """A hackathon built through the service; fields override HackathonInput's values."""
    from incubator.services.hackathons import hackathons

    return hackathons.create_hackathon(hackathon_input(name, **fields), by=by)


def organisation(name: str | None = None, *, members=(), **fields):
    """A partner organisation; members are users who speak for it."""
    from incubator.models import Organisation, OrganisationMember

    created = Organisation(name=name or f"Department {next(_sequence)}", **fields)
    created.members = [OrganisationMember(user=member) for member in members]
    db.session.add(created)
    db.session.flush()
    return created


def challenge(hackathon, title: str | None = None, *, by=None, **fields):
    """An approved challenge added through the service."""
    from dataclasses import replace

    from incubator.services.hackathons import hackathons

    data = hackathons.ChallengeInput(
        title=title or f"Challenge {next(_sequence)}",
        problem_statement="Help residents save water.",
        challenge_area="Water and drought",
        organisation_id=None,
        dataset_links="",
    )
    return hackathons.add_challenge(hackathon, replace(data, **fields), by=by)


def submission(
    hackathon,
    title: str | None = None,
    *,
    members=(),
    placement: str | None = None,
    status: str | None = None,
    by=None,
    **fields,
):
    """A submission built through the service; members are (name, email) pairs.

    placement and status are set directly, as judging and imports would set them.
    """
    from dataclasses import replace

    from incubator.services.hackathons import hackathons

    number = next(_sequence)
    data = hackathons.SubmissionInput(
        team_name=f"Team {number}",
        title=title or f"Project {number}",
        tagline="Saving water one block at a time",
        description="A private description of how it works.",
        challenge_id=None,
        demo_url=None,
        repository_url=None,
        video_url=None,
        members=[hackathons.MemberInput(name=name, email=email) for name, email in members],
    )
    created = hackathons.create_submission(hackathon, replace(data, **fields), by=by)
    if placement is not None:
        created.placement = placement
    if status is not None:
        created.status = status
    db.session.flush()
    return created


def cohort_input(name: str | None = None, **fields):
    """An active cohort of 12 places from April to September 2025 as the service takes it
    (a new name unless given); fields override CohortInput's values."""
    from dataclasses import replace
    from datetime import date

    from incubator.services.cohorts import ventures

    data = ventures.CohortInput(
        name=name or f"Cohort {next(_sequence)}",
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 9, 30),
        capacity=12,
        status="active",
    )
    return replace(data, **fields)


def cohort(name: str | None = None, *, by=None, **fields):
    """A cohort of the Accelerate: LA program built through the service."""
    from incubator.services.cohorts import ventures

    return ventures.create_cohort(cohort_input(name, **fields), by=by)


def venture(cohort, name: str | None = None, *, by=None, **fields):
    """A venture added directly to a cohort through the service."""
    from dataclasses import replace

    from incubator.services.cohorts import ventures

    profile = ventures.VentureProfile(
        name=name or f"Venture {next(_sequence)}",
        one_liner="Less water wasted",
        description="",
        challenge_area="Water and drought",
        website=None,
    )
    return ventures.create_venture(cohort, replace(profile, **fields), by=by)


def promoted_venture(cohort, *, by, at=None, members: int = 2, **fields):
    """A winning submission (of hackathon `at`, or a new one) with a team, promoted into cohort."""
    from incubator.services.cohorts import ventures

    number = next(_sequence)
    team = [(f"Founder {number}-{n}", f"founder{number}-{n}@example.org") for n in range(members)]
    placed = submission(
        at or hackathon(by=by),
        f"Project {number}",
        members=team,
        placement="winner",
        by=by,
        **fields,
    )
    return ventures.promote(placed, cohort, by=by).venture


# The pipeline in bulk ---------------------------------------------------------------------------


def bulk_ventures(
    cohort,
    count: int,
    *,
    today,
    manager=None,
    founders: int = 2,
    milestones: int = 3,
    check_ins: int = 4,
    name_prefix: str = "Bulk venture",
):
    """`count` ventures in a cohort, inserted in bulk (no services, no audit trail).

    Each has `founders` founders, a stage history from the cohort's start up to its stage,
    `milestones` milestones (one done, one overdue on every third venture) and `check_ins`
    weekly check-ins (three weeks stale on every fourth venture): every kind of row the
    board, the timeline and the analytics read, quickly enough for hundreds of ventures.
    Returns the ventures, flushed.
    """
    from datetime import UTC, datetime, time, timedelta

    from incubator.models import (
        CheckIn,
        Milestone,
        MilestoneStatus,
        StageChange,
        User,
        UserRole,
        Venture,
        VentureMember,
    )
    from incubator.services.pipeline.stages import STAGES
    from incubator.vocabulary import CHALLENGE_AREAS, NEIGHBOURHOODS

    batch = next(_sequence)
    start = datetime.combine(cohort.starts_on, time(17), UTC)
    created = []
    people = []
    for number in range(count):
        stage = STAGES[number % len(STAGES)]
        venture = Venture(
            cohort_id=cohort.id,
            name=f"{name_prefix} {batch}-{number:04d}",
            one_liner="Bulk-built for measuring",
            challenge_area=CHALLENGE_AREAS[number % len(CHALLENGE_AREAS)],
            neighbourhoods=[NEIGHBOURHOODS[number % len(NEIGHBOURHOODS)]],
            stage=stage,
            created_at=start,
        )
        team = [
            User(
                email=f"bulk{batch}-{number}-{n}@example.org",
                name=f"Founder {batch}-{number}-{n}",
                role_rows=[UserRole(role="founder")],
            )
            for n in range(founders)
        ]
        people.append(team)
        created.append(venture)
    db.session.add_all(created)
    db.session.add_all(user for team in people for user in team)
    db.session.flush()

    rows = []
    this_week = clock.week_start(today)
    for number, (venture, team) in enumerate(zip(created, people, strict=True)):
        rows.extend(VentureMember(venture_id=venture.id, user_id=user.id) for user in team)
        reached = STAGES.index(venture.stage)
        for position in range(reached + 1):
            rows.append(
                StageChange(
                    venture_id=venture.id,
                    from_stage=STAGES[position - 1] if position else None,
                    to_stage=STAGES[position],
                    changed_by_id=manager.id if manager and position else None,
                    changed_at=start + timedelta(days=14 * position),
                    reason="Joined the cohort" if not position else "Exit milestones met",
                )
            )
        for position in range(milestones):
            done = position == 0
            overdue = position == 1 and number % 3 == 0
            rows.append(
                Milestone(
                    venture_id=venture.id,
                    title=f"Milestone {position + 1}",
                    stage=venture.stage,
                    due_on=today + timedelta(days=-7 if overdue else 21 + position),
                    status=MilestoneStatus.DONE if done else MilestoneStatus.PLANNED,
                    completed_at=start + timedelta(days=7) if done else None,
                    evidence_note="Done" if done else "",
                    created_at=start,
                )
            )
        last_week = this_week - timedelta(weeks=3 if number % 4 == 1 else 0)
        for weeks_back in range(check_ins):
            week = last_week - timedelta(weeks=weeks_back)
            rows.append(
                CheckIn(
                    venture_id=venture.id,
                    week_start=week,
                    author_id=team[0].id if team else None,
                    summary=f"Week of {week.isoformat()}",
                    confidence=2 + (number + weeks_back) % 4,
                    users_reached=100 * (check_ins - weeks_back),
                    active_pilots=number % 3,
                    revenue=250.0 * (check_ins - weeks_back),
                    team_size=founders,
                    created_at=datetime.combine(week + timedelta(days=4), time(18), UTC),
                )
            )
    db.session.add_all(rows)
    db.session.flush()
    return created


# The pipeline: founders, milestones and check-ins -------------------------------------------


def founder_of(venture, *, name: str | None = None, email: str | None = None, **fields):
    """A founder with an account and a password, on a venture's team (no mail sent)."""
    from incubator.models import VentureMember

    person = user("founder", name=name, email=email, **fields)
    db.session.add(VentureMember(venture=venture, user=person, role_in_team="Founder"))
    db.session.flush()
    return person


def milestone(venture, title: str | None = None, *, by, **fields):
    """A milestone created through the service; fields override MilestoneInput's values."""
    from dataclasses import replace

    from incubator.services.pipeline import milestones

    data = milestones.MilestoneInput(
        title=title or f"Milestone {next(_sequence)}",
        description="",
        stage=venture.stage,
        due_on=None,
        owner_id=None,
    )
    return milestones.create_milestone(venture, replace(data, **fields), by=by)


def check_in(venture, founder, week_start, *, today=None, **fields):
    """A check-in posted through the service, as on `today` (the week's Monday by default)."""
    from incubator.services.pipeline import checkins

    fields.setdefault("summary", "Talked to residents; the prototype works.")
    data = checkins.CheckInInput(week_start=week_start, **fields)
    saved, _created = checkins.save_check_in(venture, data, by=founder, today=today or week_start)
    return saved


def venture_entered(cohort, name: str | None = None, *, at, by=None, **fields):
    """A venture that entered the cohort's pipeline at `at` (an aware datetime), as history."""
    from incubator.models import Venture
    from incubator.services.pipeline import stages

    created = Venture(
        cohort=cohort,
        name=name or f"Venture {next(_sequence)}",
        challenge_area=fields.pop("challenge_area", "Water and drought"),
        created_at=at,
        **fields,
    )
    db.session.add(created)
    db.session.flush()
    stages.enter_pipeline(created, by=by, at=at)
    return created


# Mentor sessions --------------------------------------------------------------------------------


def mentor_slot(
    mentor, starts_at, *, minutes: int = 60, location: str = "City Hall, room 301", **fields
):
    """An open slot of a mentor from `starts_at` (an aware datetime), inserted directly."""
    from datetime import timedelta

    from incubator.models import Slot

    created = Slot(
        mentor_id=mentor.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        location=location,
        **fields,
    )
    db.session.add(created)
    db.session.flush()
    return created


def session_booking(slot, venture, founder, *, agenda: str = "Pilot plan with the city", now=None):
    """A booking made through the booking service (mail and audit included), as at `now`."""
    from incubator.services.mentoring import booking

    return booking.book(slot, venture, agenda, by=founder, now=now)


# Mentor profiles and availability -----------------------------------------------------------


def mentor(name: str | None = None, *, time_zone: str = "America/Los_Angeles", **profile):
    """A mentor with a profile saved through the service; profile overrides ProfileInput."""
    from incubator.services.mentoring import profiles

    person = user("mentor", name=name, time_zone=time_zone)
    data = profiles.ProfileInput(
        bio="Twenty years in city services.",
        organisation="LA Department of Water and Power",
        expertise=["Procurement"],
        challenge_areas=["Water and drought"],
        languages=["English"],
        capacity=3,
        meeting_link="https://meet.example.org/mentor",
    )
    for key, value in profile.items():
        setattr(data, key, value)
    profiles.save_profile(person, data, by=person)
    return person


def booking_row(slot, *, status: str = "booked", for_venture=None, founder=None):
    """A booking of a slot inserted directly, without the booking service's rules or mail."""
    from incubator.models import utcnow
    from incubator.services.mentoring.booking import new_booking

    if for_venture is None:
        for_venture = venture(cohort())
    if founder is None:
        founder = founder_of(for_venture)
    created = new_booking(slot, for_venture.id, founder.id, "Pilot plan")
    created.status = status
    created.cancelled_at = utcnow() if status == "cancelled" else None
    db.session.add(created)
    db.session.flush()
    return created


# Office-hours days ------------------------------------------------------------------------------


def office_hours_day(
    cohort,
    mentors,
    ventures,
    *,
    by,
    day,
    windows=None,
    breaks=(),
    minutes: int = 20,
    today=None,
    plan: bool = True,
    **fields,
):
    """An office-hours day made through the service, every mentor with the same hours
    (09:00-11:00 local unless given), planned unless plan=False."""
    from datetime import time

    from incubator.services.mentoring import office_hours

    hours = windows or [(time(9), time(11))]
    created = office_hours.create_day(
        cohort,
        day,
        fields.pop("time_zone", "America/Los_Angeles"),
        minutes,
        fields.pop("location", "City Hall, room 301"),
        [office_hours.MentorHours(mentor, hours, breaks) for mentor in mentors],
        [venture.id for venture in ventures],
        by=by,
        today=today or day,
    )
    if plan:
        office_hours.plan(created, by=by)
    return created


# Matching and introductions -----------------------------------------------------------------------


def needy_venture(cohort, name: str | None = None, *, needs=("Procurement path",), **fields):
    """A venture with needs (what matching scores against), founded by one new founder."""
    created = venture(cohort, name, **fields)
    created.needs = list(needs)
    founder_of(created)
    db.session.flush()
    return created


def introduction(venture, counterpart, *, kind: str = "mentor", status: str = "introduced"):
    """A match past review, inserted directly: introduced (both answers pending) unless given."""
    from incubator.models import Match, utcnow

    partner = kind == "partner"
    created = Match(
        cohort_id=venture.cohort_id,
        venture_id=venture.id,
        kind=kind,
        counterpart_id=None if partner else counterpart.id,
        organisation_id=counterpart.id if partner else None,
        counterpart_key=f"{'org' if partner else 'user'}:{counterpart.id}",
        score=1.0,
        reasons=["Knows procurement"],
        status=status,
        introduced_at=utcnow(),
        venture_answer="accepted" if status == "accepted" else "pending",
        counterpart_answer="accepted" if status == "accepted" else "pending",
    )
    db.session.add(created)
    db.session.flush()
    return created


def draft_mentor_run(cohort_id: int, *, by, **fields):
    """A draft mentor matching run of the cohort, one mentor for each venture, that its
    proposed matches (`proposed_mentor_match`) are added to."""
    from incubator.models import MatchingRun, MatchKind
    from incubator.services.matching import runs

    created = MatchingRun(
        cohort_id=cohort_id,
        kind=MatchKind.MENTOR,
        method="optimal",
        min_per_venture=1,
        max_per_venture=1,
        status=runs.DRAFT,
        summary={},
        created_by_id=by.id,
        **fields,
    )
    db.session.add(created)
    db.session.flush()
    return created


def proposed_mentor_match(run, venture_id: int, mentor_id: int):
    """The draft run's proposal to introduce the venture to the mentor, for Procurement."""
    from incubator.models import MatchKind
    from incubator.services.matching import introductions

    created = introductions.new_match(
        run, venture_id, MatchKind.MENTOR, f"user:{mentor_id}", 1.0, ["Procurement"]
    )
    db.session.add(created)
    db.session.flush()
    return created


# Funders, partners, pilots and investments ------------------------------------------------------


def funder(name: str | None = None, **profile):
    """A funder with a profile saved through the service; profile overrides FunderInput."""
    from dataclasses import replace

    from incubator.services.matching import counterparts

    person = user("funder", name=name)
    data = counterparts.FunderInput(
        organisation="LA Civic Ventures",
        funder_type="fund",
        stages=[],
        cheque_min=25_000,
        cheque_max=250_000,
        focus_areas=[],
        capacity=5,
    )
    counterparts.save_funder_profile(person, replace(data, **profile), by=person)
    return person


def pilot(venture, organisation, *, by, **fields):
    """A pilot created through the outcomes service (planned unless given)."""
    from dataclasses import replace
    from datetime import date

    from incubator.services.matching import outcomes

    data = outcomes.PilotInput(
        organisation_id=organisation.id,
        title=f"Pilot {next(_sequence)}",
        starts_on=date(2025, 5, 1),
    )
    return outcomes.create_pilot(venture, replace(data, **fields), by=by)


def investment(venture, *, by, today=None, **fields):
    """An investment recorded through the outcomes service, from a named outside funder."""
    from dataclasses import replace
    from datetime import date

    from incubator.services.matching import outcomes

    data = outcomes.InvestmentInput(
        amount=50_000,
        instrument="grant",
        invested_on=date(2025, 6, 1),
        funder_name="Weingart Foundation",
    )
    return outcomes.record_investment(
        venture, replace(data, **fields), by=by, today=today or date(2025, 7, 1)
    )


# The scorecard ----------------------------------------------------------------------------------


def scorecard_reference():
    """The neighbourhoods, impact areas and starter metrics (migration 0009 seeds them; each
    test starts from empty tables)."""
    from incubator.services.scorecard import reference

    return reference.ensure_reference_data()
