"""The demo data, seeded at any hour, lives on the program's calendar.

Seeded on a Sunday evening in Los Angeles (already Monday in UTC) it once dated this week's
check-ins in the future, so the board said "checked in (-1 days ago)" and the founder's home
said both "this week" and "not written yet".
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from incubator import clock
from incubator.demo import seed
from incubator.demo.inclusion import UPCOMING, UPCOMING_PLACES
from incubator.extensions import db
from incubator.models import (
    CheckIn,
    Cohort,
    CohortStatus,
    DemographicAnswers,
    Hackathon,
    Registration,
    RegistrationStatus,
    Role,
    User,
)
from incubator.services import home
from incubator.services.accounts import users
from incubator.services.cohorts import ventures
from incubator.services.hackathons import registrations, results
from incubator.services.pipeline import board as pipeline_board
from incubator.services.pipeline import timeline
from tests.conftest import _empty_database
from tests.helpers import page

# Sunday 23:30 in Los Angeles (Monday morning in UTC); Monday 00:30 just after spring-forward;
# Sunday 23:30 on the fall-back day; a Friday at 16:30, before the demo's usual 17:00 check-in.
SEEDED_AT = [
    "2026-12-07T07:30Z",
    "2027-03-15T07:30Z",
    "2027-11-08T07:30Z",
    "2026-12-05T00:30Z",
]


@pytest.fixture(scope="class", params=SEEDED_AT)
def seeded_at(request, _app):
    """The demo data seeded once per instant with the clock there (it keeps ticking); the
    class's tests only read it."""
    with _app.app_context(), time_machine.travel(datetime.fromisoformat(request.param), tick=True):
        seed.seed()
        db.session.commit()
        yield request.param
        db.session.remove()
        _empty_database()


def demo_cohort() -> Cohort:
    return db.session.scalar(select(Cohort).where(Cohort.status == CohortStatus.ACTIVE))


class TestDemoSeededAtAnyHour:
    def test_no_check_in_is_for_a_week_to_come_or_written_later_than_now(self, seeded_at):
        now, this_week = clock.now(), clock.week_start(clock.today())

        check_ins = list(db.session.scalars(select(CheckIn)))

        assert check_ins
        for check_in in check_ins:
            assert check_in.week_start <= this_week
            assert clock.at(check_in.week_start) <= check_in.created_at <= now

    def test_the_board_shows_no_negative_ages_and_the_three_ventures_at_risk(self, seeded_at):
        found = pipeline_board.board(demo_cohort(), clock.today())

        ages = {row.venture.name: row.check_in_age for row in found.rows}
        assert all(age is not None and age >= 0 for age in ages.values()), ages
        assert ages["DropWise"] <= 6
        assert {row.venture.name for row in found.rows if row.at_risk} == seed.AT_RISK

    def test_no_timeline_entry_is_in_the_future(self, seeded_at):
        now = clock.now()

        for venture in demo_cohort().ventures:
            for entry in timeline.timeline(venture):
                assert entry.at <= now, (venture.name, entry.title, entry.at)

    def test_the_founders_home_agrees_with_itself_about_this_weeks_check_in(self, seeded_at):
        founder = users.user_by_email("founder@accelerate.la.example")

        [panel] = home.panels_for(founder)

        # DropWise checks in every week, this one included.
        monday = clock.week_start(clock.today())
        assert [fact for fact in panel.facts if fact.endswith("(this week)")] == [
            f"DropWise: last check-in for the week of {clock.day_label(monday)} (this week)"
        ]
        assert "not written yet" not in panel.next_step

    def test_the_pages_show_no_negative_ages(self, seeded_at, _app):
        client = _app.test_client()
        client.post(
            "/auth/login",
            data={
                "email": "manager@accelerate.la.example",
                "password": seed.demo_password(Role.MANAGER),
            },
        )
        cohort = demo_cohort()

        board = page(client.get(f"/pipeline/cohorts/{cohort.id}"))
        table = page(client.get(f"/pipeline/cohorts/{cohort.id}?view=table"))

        assert "Checked in for the week of" in board
        assert not re.search(r"-\d+ days? ago", board + table)

    def test_the_results_show_a_three_way_tie_and_judges_comments(self, seeded_at):
        move_la = db.session.scalar(
            select(Hackathon).where(Hackathon.name == "#techLA Move LA Hack")
        )

        rows = results.ranking(move_la)

        assert [(row.rank, row.tied) for row in rows] == [(1, True)] * 3
        assert all(row.comment_count == 2 for row in rows)

    def test_registrations_are_before_their_hackathon_and_attendance_on_its_day(self, seeded_at):
        shown = list(db.session.scalars(select(Registration)))

        assert len({r.hackathon_id for r in shown}) == 4
        for registration in shown:
            starts = clock.at(registration.hackathon.starts_on)
            assert registration.created_at <= max(starts, clock.now())
            if registration.attended_at is not None:
                assert clock.program_date(registration.attended_at) == (
                    registration.hackathon.starts_on
                )

    def test_the_upcoming_hackathon_is_full_with_a_waiting_list(self, seeded_at):
        upcoming = db.session.scalar(select(Hackathon).where(Hackathon.name == UPCOMING))

        counts = registrations.status_counts(upcoming)

        assert upcoming.registration_open
        assert upcoming.starts_on > clock.today()
        assert counts[RegistrationStatus.CONFIRMED] == UPCOMING_PLACES
        assert counts[RegistrationStatus.WAITLISTED] >= 1
        assert counts[RegistrationStatus.CANCELLED] == 1

    def test_some_people_answered_and_some_were_referred_by_partners(self, seeded_at):
        answered = db.session.scalar(select(func.count()).select_from(DemographicAnswers))
        referred = db.session.scalar(
            select(func.count()).where(Registration.referred_by_id.is_not(None))
        )

        assert 100 < answered < db.session.scalar(select(func.count()).select_from(User))
        assert referred > 50

    def test_someone_reads_the_site_in_spanish(self, seeded_at):
        spanish = db.session.scalars(select(User.email).where(User.preferred_language == "es"))

        assert sorted(spanish) == sorted(seed.READ_IN_SPANISH)

    def test_a_founder_who_reads_spanish_signs_in_to_her_venture_written_in_spanish(
        self, seeded_at, _app
    ):
        founder = users.user_by_email(seed.SPANISH_FOUNDER.email)
        [venture] = ventures.ventures_of(founder)
        summaries = set(
            db.session.scalars(select(CheckIn.summary).where(CheckIn.venture_id == venture.id))
        )
        client = _app.test_client()

        signed_in = client.post(
            "/auth/login",
            data={"email": founder.email, "password": seed.SPANISH_FOUNDER.password},
            headers={"Accept-Language": "en-US"},
        )
        home_page = page(client.get("/", headers={"Accept-Language": "en-US"}))

        assert founder.preferred_language == "es" and Role.FOUNDER in founder.roles
        assert venture.name == seed.SPANISH_VENTURE
        assert "mensaje de texto" in venture.one_liner and "familias" in venture.description
        assert summaries and summaries <= set(seed.SPANISH_CHECK_INS.summaries)
        assert signed_in.status_code == 302
        assert '<html lang="es">' in home_page and "Su emprendimiento" in home_page
        assert seed.SPANISH_FOUNDER in seed.existing_logins()

    def test_each_demo_role_has_something_on_its_home(self, seeded_at):
        def waiting(email: str) -> list[str]:
            person = users.user_by_email(email)
            return [
                item.text for panel in home.panels_for(person) for item in panel.items if item.count
            ]

        manager = waiting("manager@accelerate.la.example")
        assert "1 challenge proposal to decide" in manager
        assert any(text.endswith("(1 re-sent)") for text in manager), manager
        assert "1 milestone sent back by the program team" in waiting(
            "founder@accelerate.la.example"
        )
        assert "1 past session needing notes or an outcome" in waiting(
            "mentor@accelerate.la.example"
        )
        assert any("left to score" in text for text in waiting("judge@accelerate.la.example"))
        assert "1 challenge proposal waiting for the program team" in waiting(
            "partner@accelerate.la.example"
        )

    def test_mentors_have_a_series_with_booked_slots_far_ahead_and_a_rated_no_show(self, seeded_at):
        from datetime import timedelta

        from incubator.models import Booking, BookingStatus, Slot
        from incubator.services.mentoring import booking as booking_service
        from incubator.services.mentoring import series as series_service

        mentor = users.user_by_email(seed.MENTORS[0][0])
        [row] = series_service.series_of(mentor)
        later = db.session.scalar(
            select(func.count())
            .select_from(Slot)
            .where(Slot.mentor_id == mentor.id, Slot.starts_at > clock.now() + timedelta(weeks=5))
        )
        [summary] = [r for r in booking_service.mentor_rating_summary() if r.mentor == mentor]
        no_show = db.session.scalar(select(Booking).where(Booking.status == BookingStatus.NO_SHOW))

        assert row.booked == 2 and row.free > 0
        assert later > 0
        assert no_show is not None and summary.no_show_ratings == 1
