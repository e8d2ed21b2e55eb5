"""A program manager's season in Chromium: a Devpost export imported, judges assigned and a
judge's scores in, winners placed and promoted into a cohort, the pipeline board reviewed,
and a mentor matching run proposed and published. axe-core checks every page on the way,
the judge's included, at both widths."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import Match, Submission, Venture
from tests import factories
from tests.browser.harness import Browser
from tests.race_helpers import new_email

pytestmark = pytest.mark.browser

EXPORT = Path(__file__).resolve().parent.parent / "fixtures" / "devpost" / "current_submitter.csv"
PROJECTS = ("WaterWise Block Club", "Bus Stop Shade Index")


def seed_manager_world() -> dict:
    """A hackathon in judging with a one-line rubric, a judge, an active cohort with no
    ventures yet, and three mentors with profiles."""
    tag = uuid.uuid4().hex[:6]
    today = clock.today()
    manager = factories.user("manager", name=f"Maria {tag}", email=new_email("manager"))
    judge = factories.user("judge", name=f"Jordan Judge {tag}", email=new_email("judge"))
    hackathon = factories.judging_hackathon(
        f"Drought Hack {tag}",
        starts_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=19),
    )
    factories.rubric_criterion(hackathon, "Impact")
    cohort = factories.cohort(
        f"Fall {tag}",
        by=manager,
        starts_on=today - timedelta(weeks=2),
        ends_on=today + timedelta(weeks=20),
    )
    for name in ("Ana", "Bo", "Cy"):
        factories.mentor(f"{name} Mentor {tag}")
    return {
        "manager": manager.email,
        "judge": judge.email,
        "judge_name": judge.name,
        "hackathon": hackathon.name,
        "hackathon_id": hackathon.id,
        "cohort": cohort.name,
        "cohort_id": cohort.id,
    }


def open_hackathon(browser: Browser, world: dict) -> None:
    browser.follow("Hackathons")
    browser.follow(world["hackathon"])


def import_and_judge(browser: Browser, world: dict) -> None:
    browser.sign_in(world["manager"], factories.PASSWORD)
    open_hackathon(browser, world)
    browser.follow("Import from Devpost")
    browser.upload("Devpost projects export (CSV)", EXPORT)
    browser.press("Upload and preview")
    assert all(project in browser.text() for project in PROJECTS), browser.text()
    browser.press("Import")
    assert browser.alerts(), "the import said nothing"

    open_hackathon(browser, world)
    assert all(project in browser.text() for project in PROJECTS)
    browser.follow("Judges")
    browser.tick(world["judge_name"])
    browser.press("Assign judges")
    assert world["judge_name"] in browser.text()

    browser.sign_in(world["judge"], factories.PASSWORD)
    browser.follow("Judging")
    for project, score in zip(PROJECTS, ("5", "3"), strict=True):
        browser.follow(project)
        browser.choose("Impact", score)
        browser.fill("Comment on Impact (optional)", f"{project}: clear plan.")
        browser.press("Save scores")
        assert browser.alerts(), "saving the scores said nothing"
        if "My judging" not in browser.heading():
            browser.follow("My judging")


def place_and_promote(browser: Browser, world: dict) -> None:
    browser.sign_in(world["manager"], factories.PASSWORD)
    open_hackathon(browser, world)
    browser.follow("Results")
    text = browser.text()
    assert text.index(PROJECTS[0]) < text.index(PROJECTS[1]), "the higher score is not first"
    for project in PROJECTS:
        # The ranking's row: the judges' breakdown below has a card per submission too.
        row = browser.row(project, among="tr")
        browser.choose(f"Placement of {project}", "Winner" if project == PROJECTS[0] else "Runner")
        browser.press("Save", within=row)
    open_hackathon(browser, world)
    browser.follow("Promote all winners into a cohort")
    browser.choose("Cohort", world["cohort"])
    browser.press("Preview")
    browser.press("Promote 2 into")
    assert browser.alerts(), "the promotion said nothing"


def review_and_match(browser: Browser, world: dict) -> None:
    for project in PROJECTS:
        browser.follow("Cohorts")
        browser.follow(world["cohort"])
        browser.follow(project)
        browser.follow("Edit profile")
        browser.tick("Procurement path")
        browser.tick("Data access")
        browser.press("Save venture")
        assert "Procurement path" in browser.text()
    browser.follow("Cohorts")
    browser.follow(world["cohort"])
    browser.follow("Pipeline board")
    assert all(project in browser.text() for project in PROJECTS)
    browser.follow("Cohorts")
    browser.follow(world["cohort"])
    browser.follow("Matching")
    browser.choose("Match ventures with", "Mentors")
    browser.press("Propose matches")
    assert "Draft" in browser.text(), browser.alerts()
    browser.tick("Yes, introduce every match in this proposal and mail both sides")
    browser.press("Publish introductions")
    assert browser.alerts(), "publishing said nothing"
    introductions = browser.region("Introductions")
    assert all(project in introductions.text for project in PROJECTS), introductions.text


def test_a_manager_imports_judges_promotes_reviews_and_matches(browser: Browser, site):
    world = site.seed(seed_manager_world)

    import_and_judge(browser, world)
    place_and_promote(browser, world)
    review_and_match(browser, world)

    def saved() -> tuple:
        placements = dict(
            db.session.execute(
                select(Submission.title, Submission.placement).where(
                    Submission.hackathon_id == world["hackathon_id"]
                )
            ).all()
        )
        ventures = db.session.scalars(
            select(Venture.name).where(Venture.cohort_id == world["cohort_id"])
        ).all()
        introduced = db.session.scalars(
            select(Match.venture_id).where(
                Match.cohort_id == world["cohort_id"], Match.introduced_at.is_not(None)
            )
        ).all()
        return placements, sorted(ventures), introduced

    placements, ventures, introduced = site.check(saved)
    assert placements == {PROJECTS[0]: "winner", PROJECTS[1]: "runner_up"}
    assert len(ventures) == 2
    assert len(set(introduced)) == 2
