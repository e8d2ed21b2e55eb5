"""Object-level access, walked: every route that takes an object id, for every kind of caller.

`tests/test_access.py` proves who may call each endpoint at all. This file proves the next
rule (`incubator/permissions.py`): with real ids, nobody reaches an object that is not
theirs, whatever roles they hold together.

The world has three ventures. A is the callers' own (every caller with the founder role is
on its team). B is one they are matched with (each mentor and funder among them has an
accepted introduction to it; each partner speaks for an organisation with a pilot of it and
an accepted introduction). C belongs to other people, with one of every kind of object:
founders, milestones, check-ins, KPIs, slots, bookings, an office-hours day, matches, a
draft matching run, pilots, investments, a hackathon with a challenge, a submission, a judge
and scores, an import, a calendar feed.

The walk requests every id route with C's ids, as each caller, by GET and by POST with a form
that would act if the caller were allowed, and expects 403 or 404 and no change to any row
of any table. B's ids go to the venture routes, where matching opens only what the rules say
(a mentor's check-ins, a funder's shared KPIs) and never a founder's pages. Positive controls
keep it honest: each C id is opened by someone who may (so a 404 is not a missing row), each
POST form acts when its rightful sender posts it, and each caller reaches their own objects.

A new route with an object id fails `test_every_route_with_an_id_is_in_the_table` until it has
a row in ROUTES; an id argument without an object fails
`test_every_id_argument_names_an_object`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import event, select

from incubator import clock
from incubator.access import rule_for
from incubator.extensions import db as _db
from incubator.models import (
    Booking,
    DataSource,
    ImpactArea,
    KpiKind,
    KpiMapping,
    MailStatus,
    MatchingRun,
    Metric,
    Milestone,
    Observation,
    OrganisationMember,
    OutboxMessage,
    PilotSite,
    PilotSitePlacement,
    Role,
    Venture,
    VentureMember,
    utcnow,
)
from incubator.services.accounts import login_sessions
from incubator.services.hackathons import devpost, judging, registrations
from incubator.services.mentoring import calendars, office_hours
from incubator.services.pipeline import checkins, stages
from tests import factories
from tests.helpers import page
from tests.plugins.registration import as_public_form, minor_input, registration_input

FIXTURES = Path(__file__).parent / "fixtures" / "devpost"
# The office-hours day of venture C: planned and published ahead, then moved into the past.
OFFICE_HOURS_DAY = date(2031, 3, 12)
OFFICE_HOURS_PLANNED_ON = date(2031, 3, 1)
OFFICE_HOURS_PUBLISHED_AT = datetime(2031, 3, 1, 18, tzinfo=UTC)

# The callers: one per role (administrators pass every check and are left out) and the
# combinations of roles that found the leaks.
CALLERS: dict[str, frozenset[str]] = {
    "manager": frozenset({"manager"}),
    "founder": frozenset({"founder"}),
    "mentor": frozenset({"mentor"}),
    "funder": frozenset({"funder"}),
    "partner": frozenset({"partner"}),
    "judge": frozenset({"judge"}),
    "founder+mentor": frozenset({"founder", "mentor"}),
    "founder+funder": frozenset({"founder", "funder"}),
    "mentor+judge": frozenset({"mentor", "judge"}),
    "partner+funder": frozenset({"partner", "funder"}),
}

# Every id argument of the app's routes, and the object of venture C's side it names.
ID_OBJECTS = {
    "batch_id": "batch_c",
    "booking_id": "booking_c",
    "challenge_id": "challenge_c",
    "cohort_id": "cohort_c",
    "criterion_id": "criterion_c",
    "day_id": "day_c",
    "hackathon_id": "hackathon_c",
    "judge_id": "judge_c",
    "area_id": "area_s",
    "mapping_id": "mapping_s",
    "match_id": "match_c",
    "metric_id": "metric_s",
    "observation_id": "observation_s",
    "site_id": "site_c",
    "source_id": "source_s",
    "message_id": "message_c",
    "milestone_id": "milestone_c",
    "organisation_id": "organisation_c",
    "pilot_id": "pilot_c",
    "registration_id": "registration_c",
    "run_id": "run_c",
    "slot_id": "slot_c",
    "series_id": "series_c",
    "submission_id": "submission_c",
    "template_id": "template_c",
    "user_id": "mentor_c",
    "venture_id": "venture_c",
}
# The same arguments on venture B's side, for the routes of a venture and what hangs off it.
B_OBJECTS = {"venture_id": "venture_b", "milestone_id": "milestone_b", "pilot_id": "pilot_b"}
# Arguments that are not object ids: static file names, and tokens that are themselves the
# credential (tests/test_auth.py and tests/test_calendars.py try wrong ones), and the public
# scorecard's metric codes (every published metric is public; tests/test_scorecard_pages.py).
NOT_IDS = {"filename", "token", "code"}

# Who among the callers reaches venture C's object through a route (by role):
STAFF = frozenset({"manager"})  # managers reach every object
NOBODY = frozenset()  # the object's own party only: no caller, not even a manager
EVERYONE = frozenset({"manager", "founder", "mentor", "funder", "partner", "judge"})
REFUSED = frozenset({403, 404})
Form = Callable[[dict[str, int]], dict[str, object]]


def no_form(_ids: dict[str, int]) -> dict[str, object]:
    return {}


@dataclass(frozen=True)
class Route:
    """How one id route treats venture C's objects."""

    reach: frozenset[str] = STAFF  # the callers' roles that may GET it
    post_reach: frozenset[str] | None = None  # for POST, when not the same as reach
    form: Form = no_form  # POST data that acts when its rightful sender posts it
    ids: dict[str, str] = field(default_factory=dict)  # objects other than ID_OBJECTS'
    actor: str = "manager"  # someone who may: opens it (GET), and acts with the form (POST)
    control_ids: dict[str, str] = field(default_factory=dict)  # for the actor, if not C's
    refused_with: frozenset[int] = REFUSED  # what a POST that may not act answers

    def reached_by(self, roles: frozenset[str], method: str) -> bool:
        reach = self.reach if method == "GET" or self.post_reach is None else self.post_reach
        return bool(roles & reach)


def this_monday() -> date:
    return clock.week_start(clock.today())


def ahead(days: int, hour: int = 10) -> datetime:
    """A whole hour in Los Angeles `days` from today, as UTC."""
    return clock.at(clock.today() + timedelta(days=days), time(hour))


def venture_form(ids):
    return {
        "version": str(_db.session.get(Venture, ids["venture_c"]).version),
        "name": "Venture C, taken over",
        "one_liner": "Someone else's words",
        "challenge_area": "Water and drought",
        "shared_kpis": ["revenue", "users_reached"],
    }


def milestone_form(ids):
    return {
        "version": str(_db.session.get(Milestone, ids["milestone_c"]).version),
        "title": "Planted milestone",
        "stage": "concept",
        "due_on": "",
        "owner_id": "0",
    }


def check_in_form(_ids):
    return {
        "week_start": this_monday().isoformat(),
        "summary": "Written by someone else",
        "confidence": "5",
        "users_reached": "999",
    }


def slot_form(_ids):
    day = clock.today() + timedelta(days=25)
    return {"date": day.isoformat(), "time": "14:00", "minutes": "30", "location": "Elsewhere"}


def weekly_series(mentor, days_ahead: int):
    """A week's series of two morning slots of a mentor, `days_ahead` days from today."""
    from incubator.services.mentoring import slots

    day = clock.today() + timedelta(days=days_ahead)
    return slots.publish_series(
        mentor, day.weekday(), time(8), time(9), 30, day, day, "", "", by=mentor
    ).series


def series_edit_form(ids):
    """The series' times as they are, with another place."""
    day = clock.today() + timedelta(days=40)
    return {
        "weekday": str(day.weekday()),
        "start_time": "08:00",
        "end_time": "09:00",
        "slot_minutes": "30",
        "ends_on": day.isoformat(),
        "location": "Elsewhere",
    }


def partner_form(_ids):
    return {"neighbourhoods": ["Watts"], "offers": ["data"], "capacity": "4"}


# Every route with an object id. Routes only managers may call keep the defaults: every other
# caller is refused by role before any object is read, and managers reach every object.
ROUTES: dict[str, Route] = {
    # The scorecard's objects (areas, metrics, figures, sources, KPI mappings) belong to the
    # program, not to a venture: only managers edit them, and pilot sites are managers' too.
    "scorecard.correct_observation": Route(),
    "scorecard.edit_area": Route(),
    "scorecard.edit_metric": Route(),
    "scorecard.edit_source": Route(),
    "scorecard.metric_observations": Route(),
    "scorecard.observation": Route(),
    "scorecard.pilot_sites": Route(),
    "scorecard.remove_kpi_mapping": Route(),
    "scorecard.remove_site": Route(),
    "scorecard.venture_kpis": Route(),
    "scorecard.withdraw_observation": Route(),
    "matching.add": Route(),
    "cohorts.add_member": Route(),
    "cohorts.add_venture": Route(),
    "cohorts.archive_venture": Route(),
    "cohorts.bulk_promotion": Route(),
    "cohorts.detail": Route(),
    "cohorts.edit": Route(),
    "cohorts.edit_venture": Route(form=venture_form, actor="founder_c"),
    "cohorts.promote": Route(),
    "cohorts.venture": Route(),
    "hackathons.add_challenge": Route(),
    "hackathons.add_submission": Route(),
    "hackathons.decide_challenge": Route(),
    "hackathons.detail": Route(),
    "hackathons.edit": Route(),
    "hackathons.edit_challenge": Route(),
    "hackathons.edit_submission": Route(),
    "hackathons.import_apply": Route(),
    "hackathons.import_preview": Route(),
    "hackathons.import_upload": Route(),
    "hackathons.submission": Route(),
    "judging.assignments": Route(),
    "judging.remove_criterion": Route(),
    "judging.results": Route(),
    "judging.results_csv": Route(),
    "judging.rubric": Route(),
    "judging.score": Route(
        NOBODY, form=lambda ids: {f"criterion_{ids['criterion_c']}": "5"}, actor="judge_c"
    ),
    "judging.set_placement": Route(),
    "judging.unassign": Route(),
    "judging.update_criterion": Route(),
    "matching.add_investment": Route(),
    "matching.add_pilot": Route(),
    "matching.answer": Route(NOBODY, form=lambda _ids: {"accept": "Accept"}, actor="founder_c"),
    "matching.cohort_runs": Route(),
    "matching.partner_page": Route(),
    "matching.partner_profile": Route(form=partner_form, actor="partner_c"),
    "matching.pin": Route(),
    "matching.publish": Route(),
    "matching.rematch": Route(),
    "matching.remove": Route(),
    "matching.swap": Route(),
    "matching.update_pilot": Route(),
    "matching.venture_outcomes": Route(),
    # Founders browse every mentor and book any open slot; what they book for is checked:
    # the form offers only their own ventures, so venture C is refused as a wrong choice.
    "mentoring.book": Route(
        frozenset({"founder"}),
        post_reach=NOBODY,
        form=lambda ids: {"venture_id": ids["venture_c"], "agenda": "Hijack this session"},
        actor="founder_c",
        refused_with=REFUSED | {200},
    ),
    "mentoring.booking": Route(),
    "mentoring.booking_ics": Route(),
    "mentoring.cancel": Route(
        NOBODY, form=lambda _ids: {"reason": "Someone else cancels"}, actor="founder_c"
    ),
    "mentoring.edit_slot": Route(
        NOBODY, form=slot_form, ids={"slot_id": "slot_c_edit"}, actor="mentor_c"
    ),
    "mentoring.edit_series": Route(NOBODY, form=series_edit_form, actor="mentor_c"),
    "mentoring.withdraw_series": Route(
        NOBODY,
        form=lambda _ids: {"confirm": "y"},
        ids={"series_id": "series_c_withdraw"},
        actor="mentor_c",
    ),
    "mentoring.mentor": Route(frozenset({"founder", "manager"})),
    "mentoring.notes": Route(
        NOBODY,
        form=lambda _ids: {"shared_notes": "Planted", "private_notes": "Read this"},
        ids={"booking_id": "past_booking_c"},
        actor="mentor_c",
    ),
    "mentoring.office_hours_day": Route(),
    "mentoring.outcome": Route(
        NOBODY,
        form=lambda _ids: {"status": "completed"},
        ids={"booking_id": "past_booking_c"},
        actor="mentor_c",
    ),
    "mentoring.plan_office_hours": Route(),
    "mentoring.publish_office_hours": Route(),
    "mentoring.rank_office_hours": Route(
        NOBODY,
        form=lambda ids: {"choice": "mentor", f"rank_{ids['venture_c']}": "1"},
        actor="mentor_c",
    ),
    "mentoring.rate": Route(
        NOBODY,
        form=lambda _ids: {"score": "1", "comment": "Planted"},
        ids={"booking_id": "past_booking_c"},
        actor="founder_c",
    ),
    "mentoring.reschedule": Route(
        NOBODY,
        form=lambda ids: {"slot_id": ids["slot_c_spare"]},
        ids={"booking_id": "moving_booking_c"},
        actor="founder_c",
    ),
    "mentoring.withdraw_slot": Route(NOBODY, ids={"slot_id": "slot_c_withdraw"}, actor="mentor_c"),
    "people.detail": Route(),
    # The outbox is the administrators'; no caller (managers included) may send mail again.
    "people.retry_mail": Route(NOBODY, form=lambda _ids: {"confirm": "y"}, actor="admin"),
    "people.resend_invitation": Route(),
    "people.set_activation": Route(),
    "people.update_roles": Route(),
    "pipeline.add_kpi": Route(form=lambda _ids: {"name": "Planted KPI"}, actor="founder_c"),
    "pipeline.analytics": Route(),
    "pipeline.board": Route(),
    "pipeline.board_csv": Route(),
    "pipeline.check_in": Route(NOBODY, form=check_in_form, actor="founder_c"),
    "pipeline.check_ins": Route(),
    "pipeline.complete_milestone": Route(
        form=lambda _ids: {"evidence_note": "Done by someone else"}, actor="founder_c"
    ),
    "pipeline.distribution_chart": Route(),
    "pipeline.edit_milestone": Route(form=milestone_form, actor="founder_c"),
    # Funders see the public profile and shared KPIs of every venture listed for funders.
    "pipeline.kpi_chart": Route(frozenset({"manager", "funder"})),
    "pipeline.milestones": Route(form=milestone_form, actor="founder_c"),
    "pipeline.miss_milestone": Route(),
    "pipeline.move_stage": Route(),
    "pipeline.remove_template": Route(),
    "pipeline.send_back_milestone": Route(),
    "pipeline.stage_chart": Route(),
    "pipeline.stage_plan": Route(),
    "pipeline.start_milestone": Route(actor="founder_c"),
    "pipeline.timeline": Route(),
    "pipeline.verify_milestone": Route(),
    # Anyone registers for a hackathon whose registration is open (C's is); the program team
    # keeps the lists, the door, consent and outreach partners.
    "registration.register": Route(
        EVERYONE, form=lambda _ids: as_public_form(registration_input()), actor="anonymous"
    ),
    "registration.registrations_list": Route(),
    "registration.registrations_csv": Route(),
    "registration.check_in_page": Route(),
    "registration.check_in": Route(),
    "registration.consent": Route(),
    "registration.cancel_for": Route(),
    "registration.partners": Route(),
    # Cohort C's showcase is not published, so nobody sees it; cohort A's is, for everyone.
    "showcase.cohort": Route(NOBODY, actor="anonymous", control_ids={"cohort_id": "cohort_a"}),
}

# On venture B, matching opens these routes to these roles, and nothing else.
B_REACH = {
    "pipeline.check_ins": frozenset({"mentor"}),
    "pipeline.kpi_chart": frozenset({"mentor", "funder"}),
}

# The POST controls, in an order where no action spoils the next one's object.
POST_CONTROLS = [
    "cohorts.edit_venture",
    "pipeline.milestones",
    "pipeline.edit_milestone",
    "pipeline.start_milestone",
    "pipeline.complete_milestone",
    "pipeline.add_kpi",
    "pipeline.check_in",
    "matching.partner_profile",
    "matching.answer",
    "judging.score",
    "mentoring.rank_office_hours",
    "mentoring.edit_slot",
    "mentoring.withdraw_slot",
    "mentoring.edit_series",
    "mentoring.withdraw_series",
    "mentoring.book",
    "mentoring.notes",
    "mentoring.rate",
    "mentoring.outcome",
    "mentoring.reschedule",
    "mentoring.cancel",
    "people.retry_mail",
    "registration.register",
]

# Text that only the venture's team, its accepted mentors and managers may read.
PRIVATE_TEXT = ("B's private week", "C's private week", "Milestone of C", "Milestone of B")


# The world --------------------------------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, int]
    logins: dict[str, str | None]
    # The database as the last request that wrote left it: the next one is compared with it.
    state: dict[str, str] | None = None


def build_world() -> World:
    """Ventures A (the callers'), B (matched with them) and C (other people's), with the
    callers and C's own people."""
    ids: dict[str, int] = {}
    people = {}
    manager = factories.user("manager", name="Mo Manager")

    # Hackathons, judging and an import.
    hackathon_a = factories.judging_hackathon("Hackathon A")
    factories.rubric_criterion(hackathon_a, "Overall A")
    submission_a = factories.judging_submission(hackathon_a, "Project A")
    hackathon_c = factories.judging_hackathon("Hackathon C")
    criterion_c = factories.rubric_criterion(hackathon_c, "Overall C")
    partner_c = factories.user("partner", name="Pat Partner C")
    organisation_c = factories.organisation("Department C", members=[partner_c])
    challenge_c = factories.challenge(hackathon_c, "Challenge C", organisation_id=organisation_c.id)
    submission_c = factories.judging_submission(
        hackathon_c, "Project C", challenge_id=challenge_c.id
    )
    judge_c = factories.user("judge", name="Jo Judge C")
    factories.judge_assignment(judge_c, submission_c)
    judging.submit_scores(judge_c, submission_c, {criterion_c.id: 4})
    hackathon_c.registration_open = True
    registration_c = registrations.register(hackathon_c, minor_input()).registration
    batch_c = devpost.store_upload(
        hackathon_c,
        "projects.csv",
        (FIXTURES / "current_unheaded_members.csv").read_bytes(),
        by=manager,
    )

    # Cohorts, ventures, milestones, check-ins and KPIs.
    cohort_a = factories.cohort("Cohort A", by=manager, showcase_published=True)
    cohort_c = factories.cohort("Cohort C", by=manager)
    venture_a = factories.venture(cohort_a, "Venture A", by=manager)
    venture_b = factories.venture(cohort_a, "Venture B", by=manager, shared_kpis=["revenue"])
    venture_c = factories.venture(cohort_c, "Venture C", by=manager)
    founder_b = factories.founder_of(venture_b, name="Bea Founder B")
    founder_c = factories.founder_of(venture_c, name="Cy Founder C")
    monday, today = this_monday(), clock.today()
    milestone_b = factories.milestone(venture_b, "Milestone of B", by=founder_b)
    milestone_c = factories.milestone(venture_c, "Milestone of C", by=founder_c)
    for venture, founder, summary in (
        (venture_b, founder_b, "B's private week"),
        (venture_c, founder_c, "C's private week"),
    ):
        factories.check_in(
            venture, founder, monday, today=today, summary=summary, users_reached=500, revenue=900
        )
    checkins.add_custom_kpi(venture_c, "Gallons saved", "gal", by=founder_c)
    template_c = stages.add_milestone_template(
        cohort_c, "prototype", "Template of C", "", 30, by=manager
    )

    # Partner organisations, pilots and investments.
    organisation_p = factories.organisation("Department P")
    pilot_b = factories.pilot(venture_b, organisation_p, by=manager)
    pilot_c = factories.pilot(venture_c, organisation_c, by=manager)
    factories.investment(venture_c, by=manager)

    # Mentor C: slots, sessions of every kind, an office-hours day, a calendar feed.
    mentor_c = factories.mentor("Mina Mentor C")
    slots = {
        "slot_c": factories.mentor_slot(mentor_c, ahead(24)),
        "slot_c_edit": factories.mentor_slot(mentor_c, ahead(25, 12)),
        "slot_c_withdraw": factories.mentor_slot(mentor_c, ahead(26, 12)),
        "slot_c_spare": factories.mentor_slot(mentor_c, ahead(31)),
        "series_c": weekly_series(mentor_c, 40),
        "series_c_withdraw": weekly_series(mentor_c, 47),
    }
    bookings = {
        "booking_c": factories.booking_row(
            factories.mentor_slot(mentor_c, ahead(10)), for_venture=venture_c, founder=founder_c
        ),
        "moving_booking_c": factories.booking_row(
            factories.mentor_slot(mentor_c, ahead(17)), for_venture=venture_c, founder=founder_c
        ),
        "past_booking_c": factories.booking_row(
            factories.mentor_slot(mentor_c, ahead(-7)),
            status="completed",
            for_venture=venture_c,
            founder=founder_c,
        ),
    }
    bookings["past_booking_c"].completed_at = utcnow()
    day_c = factories.office_hours_day(
        cohort_c,
        [mentor_c],
        [venture_c],
        by=manager,
        day=OFFICE_HOURS_DAY,
        today=OFFICE_HOURS_PLANNED_ON,
    )
    office_hours.publish(day_c, by=manager, now=OFFICE_HOURS_PUBLISHED_AT)
    for booking in _db.session.scalars(
        select(Booking).where(Booking.office_hours_day_id == day_c.id)
    ):
        booking.starts_at -= timedelta(days=3650)
        booking.ends_at -= timedelta(days=3650)
    calendars.create_feed(mentor_c)

    # Matches: C's introduction to its mentor, and a draft run proposing another.
    match_c = factories.introduction(venture_c, mentor_c, kind="mentor", status="introduced")
    run_c = MatchingRun(cohort_id=cohort_c.id, kind="mentor", status="draft", summary={})
    _db.session.add(run_c)
    _db.session.flush()
    proposed = factories.introduction(
        venture_c, factories.mentor("Max Mentor C"), kind="mentor", status="proposed"
    )
    proposed.run_id, proposed.introduced_at = run_c.id, None
    factories.introduction(venture_b, organisation_p, kind="partner", status="accepted")

    # The callers, tied to A and B by their roles.
    for name, roles in CALLERS.items():
        person = factories.user(*roles, name=f"Caller {name}")
        people[name] = person
        if "founder" in roles:
            _db.session.add(VentureMember(venture=venture_a, user=person, role_in_team="CEO"))
        if "mentor" in roles:
            factories.introduction(venture_b, person, kind="mentor", status="accepted")
        if "funder" in roles:
            factories.introduction(venture_b, person, kind="funder", status="accepted")
        if "partner" in roles:
            _db.session.add(OrganisationMember(organisation_id=organisation_p.id, user=person))
        if "judge" in roles:
            factories.judge_assignment(person, submission_a)
    _db.session.flush()
    milestone_a = factories.milestone(venture_a, "Milestone of A", by=people["founder"])
    factories.check_in(venture_a, people["founder"], monday, today=today, summary="A's week")
    own_slot = factories.mentor_slot(people["mentor"], ahead(12, 15))
    own_series = weekly_series(people["mentor"], 40)
    booking_a = factories.booking_row(
        factories.mentor_slot(people["mentor"], ahead(11)),
        for_venture=venture_a,
        founder=people["founder"],
    )
    factories.scorecard_reference()
    metric_s = _db.session.scalar(
        select(Metric).where(Metric.derivation.is_(None)).order_by(Metric.id).limit(1)
    )
    area_s = _db.session.get(ImpactArea, metric_s.impact_area_id)
    source_s = DataSource(department="Department C", name="Dataset C")
    observation_s = Observation(
        metric_id=metric_s.id,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        value=12.0,
    )
    mapping_s = KpiMapping(metric_id=metric_s.id, kpi_kind=KpiKind.STANDARD, kpi_name="revenue")
    _db.session.add_all([source_s, observation_s, mapping_s])
    site_c = PilotSite(
        pilot_id=pilot_c.id,
        label="Site of C",
        latitude=33.9,
        longitude=-118.0,
        placement=PilotSitePlacement.OUTSIDE,
    )
    _db.session.add(site_c)
    admin = factories.user("admin", name="Ada Admin")
    message_c = OutboxMessage(
        recipient="venture-c@example.org",
        subject="Mail for venture C",
        body="A mail that could not be delivered",
        status=MailStatus.FAILED,
        attempts=10,
        last_error="550 no such mailbox",
    )
    _db.session.add(message_c)
    _db.session.commit()

    objects = {
        "batch_c": batch_c,
        "message_c": message_c,
        "area_s": area_s,
        "mapping_s": mapping_s,
        "metric_s": metric_s,
        "observation_s": observation_s,
        "site_c": site_c,
        "source_s": source_s,
        "booking_a": booking_a,
        "challenge_c": challenge_c,
        "cohort_a": cohort_a,
        "cohort_c": cohort_c,
        "criterion_c": criterion_c,
        "day_c": day_c,
        "hackathon_c": hackathon_c,
        "judge_c": judge_c,
        "match_c": match_c,
        "mentor_c": mentor_c,
        "milestone_a": milestone_a,
        "milestone_b": milestone_b,
        "milestone_c": milestone_c,
        "organisation_c": organisation_c,
        "organisation_p": organisation_p,
        "own_slot": own_slot,
        "own_series": own_series,
        "pilot_b": pilot_b,
        "pilot_c": pilot_c,
        "registration_c": registration_c,
        "run_c": run_c,
        "submission_a": submission_a,
        "submission_c": submission_c,
        "template_c": template_c,
        "venture_a": venture_a,
        "venture_b": venture_b,
        "venture_c": venture_c,
        **slots,
        **bookings,
    }
    ids.update({key: obj.id for key, obj in objects.items()})
    logins: dict[str, str | None] = {name: login_id(person) for name, person in people.items()}
    owners = {
        "admin": admin,
        "founder_c": founder_c,
        "mentor_c": mentor_c,
        "judge_c": judge_c,
        "partner_c": partner_c,
    }
    logins.update({name: login_id(person) for name, person in owners.items()})
    logins["anonymous"] = None
    return World(ids, logins)


def login_id(person) -> str:
    """A login session of the person's, as signing in makes one: the id its cookie carries."""
    _login_session, token = login_sessions.start(person, remember=False)
    _db.session.commit()
    return token


# Requests and the database's state --------------------------------------------------------------


def snapshot() -> dict[str, str]:
    """A digest of every row of every table, by table: any write changes one."""
    digests = {}
    with _db.engine.connect() as connection:
        for table in _db.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def _rule(app: Flask, endpoint: str):
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


def id_routes(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.arguments - NOT_IDS}


def id_arguments(app: Flask, endpoint: str) -> list[str]:
    return sorted(_rule(app, endpoint).arguments - NOT_IDS)


def methods(app: Flask, endpoint: str) -> list[str]:
    return [method for method in ("GET", "POST") if method in _rule(app, endpoint).methods]


def path_to(app: Flask, endpoint: str, objects: dict[str, str], ids: dict[str, int]) -> str:
    arguments = {name: ids[objects[name]] for name in id_arguments(app, endpoint)}
    with app.test_request_context():
        return url_for(endpoint, **arguments)


# The first word of any statement that may write. Requests that run none cannot have changed
# the database; after one that ran any, every row of every table is compared.
WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"}


@contextmanager
def statements_that_may_write() -> Iterator[list[str]]:
    seen: list[str] = []

    def watch(_connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in WRITES:
            seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", watch)


def send(app: Flask, world: World, who: str, method: str, path: str, data=None):
    """One request as a person (signed in through the session, as the login form would);
    returns the response and the tables it changed."""
    if world.state is None:
        world.state = snapshot()
    client = app.test_client()
    login = world.logins[who]
    if login is not None:
        with client.session_transaction() as session:
            session["_user_id"] = login
            session["_fresh"] = True
    with statements_that_may_write() as writes:
        response = client.open(path, method=method, data=data or {})
    if not writes:
        return response, []
    before, world.state = world.state, snapshot()
    return response, sorted(name for name in before if world.state[name] != before[name])


def assert_refused(response, changed: list[str], refused: frozenset[int], where) -> None:
    assert response.status_code in refused, (where, response.status_code)
    assert changed == [], (where, "wrote to", changed)
    body = page(response)
    assert not [text for text in PRIVATE_TEXT if text in body], where


@pytest.fixture(scope="class")
def world(class_app) -> Iterator[World]:
    # A login session's last_seen_at is written once a minute by whatever request comes
    # then; a slow run of the walk must not count that as the request's write.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(login_sessions, "TOUCH_INTERVAL", timedelta(days=365))
        yield build_world()


# The table covers the app ---------------------------------------------------------------------


def test_every_route_with_an_id_is_in_the_table(app):
    found = id_routes(app)
    assert found - ROUTES.keys() == set(), "a new route with an object id needs a row in ROUTES"
    assert ROUTES.keys() - found == set(), "ROUTES lists routes that are gone"
    on_b = {e for e in found if set(id_arguments(app, e)) <= B_OBJECTS.keys()}
    assert on_b == set(B_ROUTES), "B_ROUTES must list every route of a venture's own objects"


def test_every_id_argument_names_an_object(app):
    for endpoint in id_routes(app):
        for name in id_arguments(app, endpoint):
            assert name in ID_OBJECTS or name in ROUTES[endpoint].ids, (
                f"<{name}> of {endpoint} names no object of the world: add it to ID_OBJECTS"
            )


def test_every_form_others_than_managers_may_post_has_a_control(app):
    for endpoint in ROUTES:
        rule = rule_for(app, endpoint)
        open_to_others = not rule.roles or bool(rule.roles - {Role.MANAGER})
        if "POST" in methods(app, endpoint) and open_to_others:
            assert endpoint in POST_CONTROLS, f"{endpoint} needs a form that acts, and a control"
    assert len(POST_CONTROLS) == len(set(POST_CONTROLS))


# The walk ---------------------------------------------------------------------------------------

# The routes of one venture and what hangs off it (milestones, pilots): the walk on B.
B_ROUTES = [
    "scorecard.pilot_sites",
    "scorecard.venture_kpis",
    "cohorts.add_member",
    "cohorts.archive_venture",
    "cohorts.edit_venture",
    "cohorts.venture",
    "matching.add_investment",
    "matching.add_pilot",
    "matching.update_pilot",
    "matching.venture_outcomes",
    "pipeline.add_kpi",
    "pipeline.check_in",
    "pipeline.check_ins",
    "pipeline.complete_milestone",
    "pipeline.edit_milestone",
    "pipeline.kpi_chart",
    "pipeline.milestones",
    "pipeline.miss_milestone",
    "pipeline.move_stage",
    "pipeline.send_back_milestone",
    "pipeline.start_milestone",
    "pipeline.timeline",
    "pipeline.verify_milestone",
]

# What each caller reaches of their own: (route, objects), by role and by caller.
OWN_BY_ROLE = {
    "founder": [
        ("cohorts.venture", {"venture_id": "venture_a"}),
        ("cohorts.edit_venture", {"venture_id": "venture_a"}),
        ("pipeline.milestones", {"venture_id": "venture_a"}),
        ("pipeline.edit_milestone", {"milestone_id": "milestone_a"}),
        ("pipeline.timeline", {"venture_id": "venture_a"}),
        ("pipeline.check_in", {"venture_id": "venture_a"}),
        ("pipeline.check_ins", {"venture_id": "venture_a"}),
        ("pipeline.kpi_chart", {"venture_id": "venture_a"}),
        ("matching.venture_outcomes", {"venture_id": "venture_a"}),
        ("mentoring.booking", {"booking_id": "booking_a"}),
    ],
    "mentor": [
        ("pipeline.check_ins", {"venture_id": "venture_b"}),
        ("pipeline.kpi_chart", {"venture_id": "venture_b"}),
    ],
    "funder": [("pipeline.kpi_chart", {"venture_id": "venture_b"})],
    "partner": [("matching.partner_page", {"organisation_id": "organisation_p"})],
    "judge": [("judging.score", {"submission_id": "submission_a"})],
    "manager": [("cohorts.venture", {"venture_id": "venture_c"})],
}
OWN_BY_CALLER = {
    "mentor": [
        ("mentoring.booking", {"booking_id": "booking_a"}),
        ("mentoring.edit_slot", {"slot_id": "own_slot"}),
        ("mentoring.edit_series", {"series_id": "own_series"}),
        ("mentoring.withdraw_series", {"series_id": "own_series"}),
    ],
}


class TestTheWalk:
    """One world, read-only: every request is checked to have written nothing."""

    @pytest.mark.parametrize("endpoint", sorted(ROUTES))
    @pytest.mark.parametrize("caller", list(CALLERS))
    def test_nobody_reaches_the_objects_of_another_venture(
        self, class_app, world, caller, endpoint
    ):
        route = ROUTES[endpoint]
        path = path_to(class_app, endpoint, {**ID_OBJECTS, **route.ids}, world.ids)
        for method in methods(class_app, endpoint):
            if route.reached_by(CALLERS[caller], method):
                continue
            form = route.form(world.ids) if method == "POST" else None
            response, changed = send(class_app, world, caller, method, path, form)
            refused = route.refused_with if method == "POST" else REFUSED
            assert_refused(response, changed, refused, (caller, method, path))

    @pytest.mark.parametrize("endpoint", B_ROUTES)
    @pytest.mark.parametrize("caller", list(CALLERS))
    def test_a_match_opens_only_what_the_rules_say(self, class_app, world, caller, endpoint):
        roles = CALLERS[caller]
        if "manager" in roles:
            return  # managers reach every venture
        route = ROUTES[endpoint]
        path = path_to(class_app, endpoint, {**ID_OBJECTS, **B_OBJECTS}, world.ids)
        for method in methods(class_app, endpoint):
            form = route.form(world.ids) if method == "POST" else None
            response, changed = send(class_app, world, caller, method, path, form)
            if method == "GET" and roles & B_REACH.get(endpoint, NOBODY):
                assert (response.status_code, changed) == (200, []), (caller, path)
            else:
                assert_refused(response, changed, REFUSED, (caller, method, path))

    @pytest.mark.parametrize("endpoint", sorted(ROUTES))
    def test_each_object_opens_for_someone_who_may_see_it(self, class_app, world, endpoint):
        if "GET" not in methods(class_app, endpoint):
            return  # POST-only: its form is tried by its sender in the class below
        route = ROUTES[endpoint]
        objects = {**ID_OBJECTS, **route.ids, **route.control_ids}
        path = path_to(class_app, endpoint, objects, world.ids)

        response, changed = send(class_app, world, route.actor, "GET", path)

        assert (response.status_code, changed) == (200, []), (route.actor, path)

    @pytest.mark.parametrize("caller", list(CALLERS))
    def test_each_caller_reaches_their_own_objects(self, class_app, world, caller):
        own = [item for role in sorted(CALLERS[caller]) for item in OWN_BY_ROLE[role]]
        for endpoint, objects in own + OWN_BY_CALLER.get(caller, []):
            path = path_to(class_app, endpoint, objects, world.ids)
            response, changed = send(class_app, world, caller, "GET", path)
            assert (response.status_code, changed) == (200, []), (caller, path)

    def test_a_founder_who_mentors_another_venture_reads_its_check_ins_not_its_pages(
        self, class_app, world
    ):
        """The first leak: a founder and mentor read another venture's milestones and
        timeline. Matched as a mentor, they read its check-ins, and nothing a founder sees."""
        venture = world.ids["venture_b"]
        check_ins, _ = send(
            class_app, world, "founder+mentor", "GET", f"/ventures/{venture}/check-ins"
        )
        assert check_ins.status_code == 200
        assert "B's private week" in page(check_ins)
        for path in (
            f"/ventures/{venture}/milestones",
            f"/ventures/{venture}/timeline",
            f"/ventures/{venture}/check-in",
            f"/cohorts/ventures/{venture}",
            f"/matching/ventures/{venture}/outcomes",
            f"/milestones/{world.ids['milestone_b']}/edit",
        ):
            response, changed = send(class_app, world, "founder+mentor", "GET", path)
            assert_refused(response, changed, frozenset({404}), path)

    @pytest.mark.parametrize("caller", ["funder", "founder+funder", "partner+funder"])
    def test_a_matched_funder_sees_only_the_kpis_the_venture_shares(self, class_app, world, caller):
        """The second leak: a funder matched with a venture saw KPIs it did not share."""
        matched = world.ids["venture_b"]
        chart, _ = send(class_app, world, caller, "GET", f"/ventures/{matched}/kpis.svg")
        check_ins, changed = send(class_app, world, caller, "GET", f"/ventures/{matched}/check-ins")
        unmatched, _ = send(
            class_app, world, caller, "GET", f"/ventures/{world.ids['venture_c']}/kpis.svg"
        )

        assert chart.status_code == 200
        assert "Revenue (USD)" in page(chart)
        assert "Residents or users reached" not in page(chart)
        assert_refused(check_ins, changed, REFUSED, caller)
        # Venture C shares nothing: its chart for funders has no KPI at all.
        assert unmatched.status_code == 200
        for label in ("Revenue (USD)", "Residents or users reached", "Gallons saved"):
            assert label not in page(unmatched)


class TestEachFormActsForItsRightfulSender:
    """The forms the walk posts are not refused for being wrong: sent by the one who may,
    on the same objects, each one writes. A fresh world, changed step by step, in order."""

    @pytest.mark.parametrize("endpoint", POST_CONTROLS)
    def test_the_form_acts(self, class_app, world, endpoint):
        route = ROUTES[endpoint]
        path = path_to(class_app, endpoint, {**ID_OBJECTS, **route.ids}, world.ids)

        response, changed = send(class_app, world, route.actor, "POST", path, route.form(world.ids))

        assert response.status_code in (200, 302), (endpoint, response.status_code)
        assert changed, f"{route.actor}'s {endpoint} changed nothing: the walk's form is wrong"
