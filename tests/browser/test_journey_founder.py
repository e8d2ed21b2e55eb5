"""A founder's week in Chromium: the weekly check-in, a milestone done with its evidence, a
mentor session booked and then moved. axe-core checks every page on the way at both widths."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import Booking, CheckIn, Milestone
from tests import factories
from tests.browser.harness import Browser
from tests.race_helpers import new_email

pytestmark = pytest.mark.browser


def seed_founder_world() -> dict:
    """A cohort running now, a venture with its founder and a milestone, and a mentor with
    two free hours next week."""
    tag = uuid.uuid4().hex[:6]
    today = clock.today()
    manager = factories.user("manager", email=new_email("manager"))
    cohort = factories.cohort(
        f"Journeys {tag}",
        by=manager,
        starts_on=today - timedelta(weeks=8),
        ends_on=today + timedelta(weeks=16),
    )
    venture = factories.venture(cohort, f"LeakMap {tag}", by=manager)
    founder = factories.founder_of(venture, name="Ana Lopez", email=new_email("founder"))
    milestone = factories.milestone(venture, f"Ten interviews {tag}", by=manager)
    mentor = factories.mentor(f"Maya Patel {tag}")
    first = factories.mentor_slot(mentor, clock.at(today + timedelta(days=8), time(10)))
    second = factories.mentor_slot(mentor, clock.at(today + timedelta(days=9), time(14)))
    return {
        "venture": venture.name,
        "venture_id": venture.id,
        "founder": founder.email,
        "milestone": milestone.title,
        "milestone_id": milestone.id,
        "mentor": mentor.name,
        "slots": (first.id, second.id),
    }


def test_a_founder_checks_in_completes_a_milestone_and_books_then_moves_a_session(
    browser: Browser, site
):
    world = site.seed(seed_founder_world)
    browser.sign_in(world["founder"], factories.PASSWORD)
    assert world["venture"] in browser.text()

    # The weekly check-in.
    browser.follow("My venture")
    if world["venture"] not in browser.heading():  # a founder of several ventures picks one
        browser.follow(world["venture"])
    browser.follow("Check-ins")
    browser.follow("Write this week's check-in")
    browser.fill("Summary of the week", "Interviewed six residents of Watts about leaks.")
    browser.fill("Blockers", "Waiting on the meter data from LADWP.")
    browser.choose("Confidence for the coming weeks", "4")
    browser.press("Save check-in")
    assert any("check-in" in alert.lower() for alert in browser.alerts()), browser.alerts()
    assert "Interviewed six residents of Watts about leaks." in browser.text()
    assert "Waiting on the meter data from LADWP." in browser.text()

    # A milestone done, with its evidence.
    browser.follow("Milestones")
    card = browser.row(world["milestone"])
    browser.reveal("Mark done", within=card)
    browser.fill("Evidence link", "https://example.org/interview-notes", within=card)
    browser.fill("What was done", "Ten interviews, notes linked.", within=card)
    browser.press("Mark done", within=card)
    card = browser.row(world["milestone"])
    assert "https://example.org/interview-notes" in card.text
    assert "Ten interviews, notes linked." in card.text
    assert "Mark done" not in card.text

    # A mentor session booked, then moved to the mentor's other free time.
    browser.follow("Mentors")
    browser.follow(world["mentor"])
    browser.follow("Book")
    browser.fill("Agenda", "Our pilot plan with the city")
    browser.press("Book this session")
    assert world["mentor"] in browser.heading()
    assert "Our pilot plan with the city" in browser.text()
    booked_at = browser.text()
    browser.follow(f"Move it to another time with {world['mentor']}")
    radios = browser.driver.find_elements(By.CSS_SELECTOR, "input[type=radio]")
    assert radios, "no other time offered"
    browser.driver.execute_script("arguments[0].click();", radios[0])
    browser.press("Move the session")
    assert any("moved" in alert.lower() for alert in browser.alerts()), browser.alerts()
    assert browser.text() != booked_at

    def saved() -> tuple:
        check_in = db.session.scalar(
            select(CheckIn).where(CheckIn.venture_id == world["venture_id"])
        )
        milestone = db.session.get(Milestone, world["milestone_id"])
        live = db.session.scalars(
            select(Booking).where(
                Booking.venture_id == world["venture_id"], Booking.status == "booked"
            )
        ).all()
        return check_in.blockers, milestone.status, [booking.slot_id for booking in live]

    blockers, status, live_slots = site.check(saved)
    assert blockers == "Waiting on the meter data from LADWP."
    assert status == "done"
    assert live_slots == [world["slots"][1]]
