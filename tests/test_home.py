"""The home page's pipeline facts: a founder's week, and the ventures at risk for managers."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from incubator import clock
from incubator.models import Role, VentureMember
from incubator.services import home
from incubator.services.pipeline import milestones
from tests import factories
from tests.helpers import page

# A Wednesday, so a week has days behind and ahead of it.
# The program's zone in the testing config; no app is running yet when this module loads.
LA = ZoneInfo("America/Los_Angeles")
WEDNESDAY = clock.week_start(clock.today(LA)) + timedelta(2)
MONDAY = clock.week_start(WEDNESDAY)


def la_today():
    return clock.today()


@pytest.fixture
def cohort(bare_cohort):
    """Without default milestones, so only those a test adds exist (or can be late)."""
    return bare_cohort


def founder_panel(user, today=WEDNESDAY) -> home.Panel:
    [panel] = [p for p in home.panels_for(user, today) if p.role == Role.FOUNDER]
    return panel


def manager_panel(user, today=WEDNESDAY) -> home.Panel:
    [panel] = [p for p in home.panels_for(user, today) if p.role == Role.MANAGER]
    return panel


# The founder's week -----------------------------------------------------------------------------


def test_founder_sees_what_is_due_this_week_and_what_is_overdue(db, venture, founder, manager):
    for title, due in [
        ("Pilot plan", WEDNESDAY + timedelta(days=2)),
        ("Demo day deck", WEDNESDAY),
        ("Late this week", MONDAY),
        ("Late last week", MONDAY - timedelta(days=3)),
        ("Next week", MONDAY + timedelta(days=7)),
    ]:
        factories.milestone(venture, title, by=founder, due_on=due)
    finished = factories.milestone(venture, "Finished", by=founder, due_on=MONDAY)
    milestones.complete_milestone(finished, None, "Done", by=founder)
    missed = factories.milestone(venture, "Dropped", by=founder, due_on=MONDAY)
    milestones.miss_milestone(missed, "Not needed", by=manager)
    factories.milestone(venture, "Undated", by=founder)

    facts = founder_panel(founder).facts

    assert "LeakMap: Concept stage in Spring 2025" in facts
    friday = (WEDNESDAY + timedelta(days=2)).strftime("%a, %b %-d")
    wednesday = WEDNESDAY.strftime("%a, %b %-d")
    assert f"LeakMap: due this week: Demo day deck ({wednesday}); Pilot plan ({friday})" in facts
    assert "LeakMap: 2 overdue milestones" in facts


def test_founder_sees_the_last_check_in_and_a_prompt_for_this_week(db, venture, founder):
    last_week = MONDAY - timedelta(days=7)
    factories.check_in(venture, founder, last_week, today=last_week)

    panel = founder_panel(founder)

    assert f"LeakMap: last check-in for the week of {last_week.strftime('%b %-d')} (last week)" in (
        panel.facts
    )
    assert "This week's check-in for LeakMap is not written yet" in panel.next_step
    prompt = panel.links[0]
    assert (prompt.label, prompt.endpoint, prompt.values) == (
        "Write this week's check-in",
        "pipeline.check_in",
        {"venture_id": venture.id},
    )


def test_the_age_of_the_last_check_in_is_counted_in_weeks(db, venture, founder, manager):
    three_weeks_ago = MONDAY - timedelta(days=21)
    factories.check_in(venture, founder, three_weeks_ago, today=MONDAY)
    other = factories.venture(venture.cohort, "BusBuddy", by=manager)
    newcomer = factories.founder_of(other)

    assert (
        f"LeakMap: last check-in for the week of {three_weeks_ago.strftime('%b %-d')} (3 weeks ago)"
    ) in founder_panel(founder).facts
    assert "BusBuddy: no check-in yet" in founder_panel(newcomer).facts


def test_no_prompt_once_this_week_check_in_is_in(db, venture, founder):
    factories.check_in(venture, founder, MONDAY, today=WEDNESDAY)

    panel = founder_panel(founder)

    assert f"LeakMap: last check-in for the week of {MONDAY.strftime('%b %-d')} (this week)" in (
        panel.facts
    )
    assert "This week's check-in is in." in panel.next_step
    assert [link.endpoint for link in panel.links] == ["cohorts.my_ventures", "mentoring.mentors"]
    assert not any("due this week" in fact or "overdue" in fact for fact in panel.facts)


def test_a_founder_of_two_ventures_gets_a_prompt_for_each_that_needs_it(
    db, cohort, venture, founder, manager
):
    other = factories.venture(cohort, "BusBuddy", by=manager)
    db.session.add(VentureMember(venture=other, user=founder, role_in_team="Founder"))
    third = factories.venture(cohort, "CoolBlocks", by=manager)
    db.session.add(VentureMember(venture=third, user=founder, role_in_team="Founder"))
    db.session.flush()
    factories.check_in(third, founder, MONDAY, today=WEDNESDAY)

    panel = founder_panel(founder)

    prompts = [(link.label, link.values) for link in panel.links if link.values]
    assert prompts == [
        ("Write this week's check-in for BusBuddy", {"venture_id": other.id}),
        ("Write this week's check-in for LeakMap", {"venture_id": venture.id}),
    ]
    assert "This week's check-in for BusBuddy, LeakMap is not written yet" in panel.next_step


def test_the_home_page_links_to_this_week_check_in(db, client, venture, founder, sign_in):
    factories.milestone(venture, "Pilot plan", by=founder, due_on=la_today() - timedelta(days=1))
    db.session.commit()
    sign_in(client, founder.email)

    response = client.get("/")

    text = page(response)
    assert "LeakMap: 1 overdue milestone" in text
    assert "LeakMap: no check-in yet" in text
    assert f'href="/ventures/{venture.id}/check-in">Write this week\'s check-in</a>' in text
    assert client.get(f"/ventures/{venture.id}/check-in").status_code == 200


def test_founder_home_queries_do_not_grow_with_milestones_or_ventures(
    db, client, cohort, venture, founder, manager, sign_in, count_queries
):
    factories.milestone(venture, "One", by=founder, due_on=la_today())
    factories.check_in(venture, founder, clock.week_start(la_today()), today=la_today())
    db.session.commit()
    sign_in(client, founder.email)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for number in range(3):
        more = factories.venture(cohort, f"Venture {number}", by=manager)
        db.session.add(VentureMember(venture=more, user=founder, role_in_team="Founder"))
        db.session.flush()
        for day in range(5):
            factories.milestone(more, f"Step {day}", by=founder, due_on=la_today() - timedelta(day))
            factories.milestone(venture, f"Step {number}-{day}", by=founder, due_on=la_today())
    db.session.commit()

    with count_queries() as many:
        text = page(client.get("/"))

    assert "Venture 2: 4 overdue milestones" in text
    assert many.count == few.count


# The manager's count of ventures at risk -------------------------------------------------------


def test_managers_see_how_many_ventures_are_at_risk_in_active_cohorts(
    db, cohort, venture, founder, manager
):
    factories.milestone(venture, "Late", by=founder, due_on=MONDAY - timedelta(days=1))
    factories.venture(cohort, "BusBuddy", by=manager)
    planning = factories.cohort("Fall 2025", status="planning", by=manager)
    later = factories.venture(planning, "Later", by=manager)
    factories.milestone(later, "Late too", by=manager, due_on=MONDAY - timedelta(days=1))

    panel = manager_panel(manager)

    assert "1 venture at risk in active cohorts" in panel.facts
    assert panel.next_step.startswith("1 venture at risk: open their cohort to see why")
    assert "cohorts.index" in [link.endpoint for link in panel.links]


def test_managers_see_none_at_risk_when_all_is_well(db, venture, manager):
    panel = manager_panel(manager)

    assert "0 ventures at risk in active cohorts" in panel.facts
    assert "at risk" not in panel.next_step


def test_manager_home_page_shows_the_at_risk_count(
    db, client, venture, founder, manager, sign_in, count_queries
):
    factories.milestone(venture, "Late", by=founder, due_on=la_today() - timedelta(days=2))
    db.session.commit()
    sign_in(client, manager.email)

    text = page(client.get("/"))

    assert "1 venture at risk in active cohorts" in text
    assert 'href="/cohorts/"' in text


# Mentors, funders and partners -------------------------------------------------------------------


def test_partner_panel_links_to_each_of_their_organisations(db, client, login_as):
    partner = login_as("partner")
    ladwp = factories.organisation("LADWP", members=[partner])
    factories.organisation("LADOT")
    db.session.commit()

    text = page(client.get("/"))

    assert f'href="/matching/partners/{ladwp.id}"' in text
    assert "LADWP" in text
    assert "LADOT" not in text


def test_mentor_panel_counts_only_their_upcoming_booked_sessions(db, login_as):
    mentor = login_as("mentor")
    db.session.commit()

    panel = next(p for p in home.panels_for(mentor, la_today()) if p.role == Role.MENTOR)

    assert "0 upcoming sessions" in panel.facts
    assert [link.endpoint for link in panel.links] == [
        "mentoring.availability",
        "mentoring.sessions",
        "matching.my_matches",
    ]


def test_funder_panel_leads_to_the_ventures_that_fit(db, client, login_as):
    login_as("funder")

    text = page(client.get("/"))

    assert 'href="/matching/funder/ventures"' in text
    assert 'href="/matching/funder/profile"' in text
