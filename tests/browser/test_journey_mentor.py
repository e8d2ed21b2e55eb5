"""A mentor's week in Chromium: a weekly series of free times published, then a session that
has just happened run to its end, shared and private notes and its outcome. axe-core checks
every page on the way at both widths."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from incubator import clock
from incubator.extensions import db
from incubator.models import Booking, Slot
from tests import factories
from tests.browser.harness import Browser
from tests.race_helpers import new_email

pytestmark = pytest.mark.browser


def seed_mentor_world() -> dict:
    """A mentor with a profile, and a session with a venture that ended yesterday."""
    tag = uuid.uuid4().hex[:6]
    today = clock.today()
    manager = factories.user("manager", email=new_email("manager"))
    cohort = factories.cohort(
        f"Mentoring {tag}",
        by=manager,
        starts_on=today - timedelta(weeks=8),
        ends_on=today + timedelta(weeks=16),
    )
    venture = factories.venture(cohort, f"BusBuddy {tag}", by=manager)
    founder = factories.founder_of(venture, name="Cy Park", email=new_email("founder"))
    mentor = factories.mentor(f"Omar Haddad {tag}")
    yesterday = factories.mentor_slot(mentor, clock.at(today - timedelta(days=1), time(10)))
    booking = factories.session_booking(
        yesterday,
        venture,
        founder,
        agenda="Bus stop data",
        now=clock.at(today - timedelta(days=6), time(9)),
    )
    first = today + timedelta(days=7)
    return {
        "first": first,
        "last": first + timedelta(weeks=3),
        "first_instant": clock.at(first, time(0)),
        "mentor": mentor.email,
        "mentor_id": mentor.id,
        "venture": venture.name,
        "booking_id": booking.id,
    }


def test_a_mentor_publishes_a_weekly_series_and_records_a_session_s_notes_and_outcome(
    browser: Browser, site
):
    world = site.seed(seed_mentor_world)
    first, last = world["first"], world["last"]
    browser.sign_in(world["mentor"], factories.PASSWORD)

    # A weekly series: four weeks of 9:00 to 11:00 in half hours.
    browser.follow("Availability")
    series = browser.section("Add a weekly series")
    browser.choose("Every", first.strftime("%A"), within=series)
    browser.fill("From", "09:00", within=series)
    browser.fill("Until", "11:00", within=series)
    browser.fill("Each slot (minutes)", "30", within=series)
    browser.fill("First date", first.isoformat(), within=series)
    browser.fill("Last date", last.isoformat(), within=series)
    browser.fill("Place or video link", "https://meet.example.org/omar", within=series)
    browser.press("Publish series", within=series)
    assert browser.alerts(), "publishing the series said nothing"
    assert "16" in " ".join(browser.alerts()), browser.alerts()
    assert "9:00" in browser.text() and first.strftime("%b %-d") in browser.text()

    # Yesterday's session: notes, then how it went.
    browser.follow("Sessions")
    browser.follow_first_link(within=browser.row(world["venture"]))
    assert world["venture"] in browser.heading()
    browser.reveal("Write notes")
    browser.fill("Shared notes", "Ask LADOT for the stop-level ridership export.")
    browser.fill("Private notes", "Strong team; needs a data partner.")
    browser.press("Save notes")
    assert "Ask LADOT for the stop-level ridership export." in browser.text()
    assert "Strong team; needs a data partner." in browser.text()
    browser.choose("How it went", "Completed")
    browser.press("Record")
    assert any("Outcome recorded" in alert for alert in browser.alerts()), browser.alerts()
    assert "Completed" in browser.text()

    def saved() -> tuple:
        slots = db.session.scalar(
            select(func.count())
            .select_from(Slot)
            .where(Slot.mentor_id == world["mentor_id"], Slot.starts_at >= world["first_instant"])
        )
        booking = db.session.get(Booking, world["booking_id"])
        return slots, booking.status, booking.shared_notes

    slots, status, shared = site.check(saved)
    assert slots == 16
    assert status == "completed"
    assert shared == "Ask LADOT for the stop-level ridership export."
