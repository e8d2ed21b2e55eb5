"""The home page's pipeline facts: a founder's week, and the ventures at risk for managers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from incubator import clock
from incubator.extensions import db as database
from incubator.models import (
    Challenge,
    Milestone,
    Role,
    Score,
    Venture,
    VentureMember,
)
from incubator.services import home
from incubator.services.accounts import users
from incubator.services.hackathons import hackathons
from incubator.services.pipeline import milestones
from tests import factories, home_reference
from tests.helpers import page, without_csrf_tokens

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


def shown(panel: home.Panel) -> list[str]:
    """The panel's items as the page says them: the count's text, or what is done."""
    return [item.text if item.count else item.done for item in panel.shown_items]


def test_managers_see_how_many_ventures_are_at_risk_in_active_cohorts(
    db, cohort, venture, founder, manager
):
    factories.milestone(venture, "Late", by=founder, due_on=MONDAY - timedelta(days=1))
    factories.venture(cohort, "BusBuddy", by=manager)
    planning = factories.cohort("Fall 2025", status="planning", by=manager)
    later = factories.venture(planning, "Later", by=manager)
    factories.milestone(later, "Late too", by=manager, due_on=MONDAY - timedelta(days=1))

    item = manager_panel(manager).item("1 venture at risk")

    assert item is not None and item.count == 1
    assert item.text == "1 venture at risk in active cohorts"
    assert (item.link.endpoint, item.link.values) == (
        "pipeline.board",
        {"cohort_id": cohort.id, "at_risk": "yes"},
    )
    assert [named.label for named in item.named] == ["Spring 2025: 1 at risk"]


def test_managers_see_none_at_risk_when_all_is_well(db, venture, manager):
    panel = manager_panel(manager)

    assert "No venture at risk in active cohorts" in shown(panel)
    assert "Nothing waits for you" in panel.next_step


def test_manager_home_page_shows_the_at_risk_count(
    db, client, venture, founder, manager, sign_in, count_queries
):
    factories.milestone(venture, "Late", by=founder, due_on=la_today() - timedelta(days=2))
    db.session.commit()
    sign_in(client, manager.email)

    text = page(client.get("/"))

    assert "1 venture at risk in active cohorts" in text
    assert 'href="/cohorts/"' in text


def test_a_managers_home_reads_its_list_in_one_statement_beside_the_login(
    db, client, cohort, venture, founder, manager, sign_in, count_queries
):
    """With what the cohorts' stamps keep still current, the manager's list (cohorts and
    stamps, hackathons not closed, proposals, invitations and runs in review) is one
    statement; the other is the login session with its person."""
    factories.milestone(venture, "Late", by=founder, due_on=la_today() - timedelta(days=2))
    partner = factories.user("partner")
    streets = factories.organisation("StreetsLA", members=[partner])
    hackathons.propose_challenge(
        factories.hackathon("Cool Streets", status="open"),
        hackathons.ChallengeInput("Shade for bus stops", "Why", "Transportation", streets.id, ""),
        by=partner,
    )
    users.invite("new-mentor@example.org", "Nia Mentor", {Role.MENTOR}, by=manager)
    factories.draft_mentor_run(cohort.id, by=manager)
    db.session.commit()
    sign_in(client, manager.email)
    client.get("/")

    with count_queries() as kept:
        text = page(client.get("/"))

    assert kept.count == 2, kept.statements
    for said in (
        "1 venture at risk in active cohorts",
        "1 challenge proposal to decide",
        "1 invitation not accepted",
        "1 matching run in review",
        "1 hackathon not yet closed",
        "1 active cohort",
    ):
        assert said in text, said
    invitations = manager_panel(manager, la_today()).item("1 invitation not accepted")
    assert invitations is not None
    assert [named.label for named in invitations.named] == [
        f"Nia Mentor, invited {clock.day_label(la_today(), weekday=True, as_of=la_today())}"
    ]


def test_the_at_risk_count_is_kept_until_a_venture_of_an_active_cohort_changes(
    db, client, venture, founder, manager, sign_in, count_queries
):
    """Counted once per stamp of the active cohorts and day, and kept by the worker: the next
    change to a venture of one of them gives a new stamp, and the home counts again."""
    late = factories.milestone(venture, "Late", by=founder, due_on=la_today() - timedelta(days=2))
    db.session.commit()
    sign_in(client, manager.email)
    client.get("/")
    with count_queries() as drawn:
        assert "1 venture at risk in active cohorts" in page(client.get("/"))

    late.due_on = la_today() + timedelta(days=7)
    db.session.commit()
    with count_queries() as counted:
        after = page(client.get("/"))

    with count_queries() as kept:
        assert without_csrf_tokens(page(client.get("/"))) == without_csrf_tokens(after)
    assert "No venture at risk in active cohorts" in after
    # Counted again after the change, then kept.
    assert counted.count > drawn.count == kept.count


def test_the_milestones_to_verify_are_kept_until_a_milestone_or_venture_changes(
    db, client, cohort, venture, founder, manager, sign_in, count_queries
):
    """Read once per stamp of every cohort (a venture of any cohort may wait) and kept by
    the worker: marking one done, verifying it or renaming its venture shows at once."""
    first = factories.milestone(venture, "Ten interviews", by=founder)
    second = factories.milestone(venture, "A pilot site", by=founder)
    milestones.complete_milestone(first, None, "Done", by=founder)
    db.session.commit()
    sign_in(client, manager.email)
    client.get("/")
    with count_queries() as kept:
        shown = page(client.get("/"))
    assert f"{venture.name}: 1 to verify" in shown

    milestones.complete_milestone(second, None, "Done too", by=founder)
    db.session.commit()
    with count_queries() as drawn:
        assert f"{venture.name}: 2 to verify" in page(client.get("/"))
    assert drawn.count > kept.count

    milestones.verify_milestone(first, by=manager)
    milestones.verify_milestone(second, by=manager)
    db.session.commit()
    assert "Nothing to verify" in page(client.get("/"))

    milestones.complete_milestone(
        factories.milestone(venture, "Third", by=founder), None, "Done", by=founder
    )
    venture.name = "Renamed Venture"
    db.session.commit()
    assert "Renamed Venture: 1 to verify" in page(client.get("/"))


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


def test_mentor_panel_says_when_no_session_is_coming(db, login_as):
    mentor = login_as("mentor")
    db.session.commit()

    panel = next(p for p in home.panels_for(mentor, la_today()) if p.role == Role.MENTOR)

    assert shown(panel) == ["Every past session has its outcome and notes", "No upcoming sessions"]
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


# What needs each person now ------------------------------------------------------------------


def role_panel(user, role: Role) -> home.Panel:
    [panel] = [p for p in home.panels_for(user, la_today()) if p.role == role]
    return panel


def test_manager_home_lists_proposals_milestones_invitations_and_runs_in_review(
    db, client, cohort, venture, founder, manager, sign_in
):
    partner = factories.user("partner")
    sanitation = factories.organisation("LA Sanitation", members=[partner])
    drought = factories.hackathon("Drought", status="open")
    transit = factories.hackathon("Transit", status="planned")
    for hackathon, title in [(drought, "Leaks"), (drought, "Lawns"), (transit, "Buses")]:
        hackathons.propose_challenge(
            hackathon,
            hackathons.ChallengeInput(title, "Why", "Water and drought", sanitation.id, ""),
            by=partner,
        )
    factories.challenge(drought, "Approved already", by=manager)
    done = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(done, None, "Done", by=founder)
    factories.draft_mentor_run(cohort.id, by=manager)
    users.invite("nadia@example.org", "Nadia Newcomer", {Role.MENTOR}, by=manager)
    db.session.commit()
    sign_in(client, manager.email)

    panel = manager_panel(manager, la_today())
    text = page(client.get("/"))

    proposals = panel.item("3 challenge proposals to decide")
    assert proposals is not None
    assert [named.label for named in proposals.named] == [
        "Drought: 2 proposals",
        "Transit: 1 proposal",
    ]
    assert f'href="/hackathons/{drought.id}">Drought: 2 proposals</a>' in text
    assert 'href="/hackathons/">3 challenge proposals to decide</a>' in text
    assert f'href="/ventures/{venture.id}/milestones">1 milestone to verify</a>' in text
    assert f'href="/matching/cohorts/{cohort.id}">1 matching run in review</a>' in text
    assert 'href="/people/">1 invitation not accepted</a>' in text
    assert "No venture at risk in active cohorts" in text


def test_open_invitations_of_deactivated_people_are_neither_named_nor_counted(db, manager):
    """Counted as every open invitation less those of deactivated people: the two must agree
    with the people named."""
    first = users.invite("ana@example.org", "Ana Early", {Role.MENTOR}, by=manager)
    users.invite("bo@example.org", "Bo Later", {Role.MENTOR}, by=manager)
    resent = users.invite("cy@example.org", "Cy Resent", {Role.JUDGE}, by=manager)
    resent.resent_at = resent.created_at
    users.set_active(first.user, False, by=manager)
    db.session.commit()

    item = manager_panel(manager, la_today()).item("2 invitations not accepted")

    assert item is not None and item.count == 2
    assert item.text == "2 invitations not accepted (1 re-sent)"
    assert [named.label.split(",")[0] for named in item.named] == ["Bo Later", "Cy Resent"]

    users.set_active(first.user, True, by=manager)
    db.session.commit()
    assert manager_panel(manager, la_today()).item("3 invitations not accepted") is not None


@pytest.mark.parametrize("active_cohorts", [0, 2])
def test_the_manager_home_says_how_many_hackathons_and_active_cohorts_there_are(
    db, manager, active_cohorts
):
    """The open hackathons are counted beside the active cohorts, or alone without one."""
    factories.hackathon("Drought", status="open")
    factories.hackathon("Transit", status="planned")
    factories.hackathon("Closed", status="closed")
    for number in range(active_cohorts):
        factories.cohort(f"Active {number}", status="active", by=manager)
    factories.cohort("Planning", status="planning", by=manager)
    db.session.commit()

    facts = manager_panel(manager, la_today()).facts

    assert facts == [
        "2 hackathons not yet closed",
        f"{active_cohorts} active cohorts",
    ]


def test_an_idle_manager_home_says_what_is_done_and_leaves_out_the_rest(db, manager):
    panel = manager_panel(manager, la_today())

    assert shown(panel) == ["No challenge proposals to decide", "Nothing to verify"]
    assert panel.next_step.startswith("Create a hackathon")


def test_founder_home_lists_sent_back_milestones_introductions_and_sessions(
    db, client, venture, founder, manager, sign_in
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    milestones.send_back_milestone(milestone, "Only six are written up.", by=manager)
    maya = factories.mentor("Maya Patel")
    factories.introduction(venture, maya)
    accepted = factories.mentor("Ben Okafor")
    factories.introduction(venture, accepted, status="accepted")
    tomorrow = clock.at(la_today() + timedelta(days=1), time(10))
    booked = factories.booking_row(
        factories.mentor_slot(maya, tomorrow), for_venture=venture, founder=founder
    )
    factories.booking_row(
        factories.mentor_slot(maya, tomorrow + timedelta(days=1)),
        status="cancelled",
        for_venture=venture,
        founder=founder,
    )
    db.session.commit()
    sign_in(client, founder.email)

    panel = role_panel(founder, Role.FOUNDER)
    text = page(client.get("/"))

    assert shown(panel) == [
        "This week's check-in is due",
        "1 milestone sent back by the program team",
        "1 introduction waiting for your venture's answer",
        "1 upcoming session",
    ]
    sent_back = panel.item("1 milestone sent back")
    assert [named.label for named in sent_back.named] == [
        "Ten interviews: “Only six are written up.”"
    ]
    assert f'href="/ventures/{venture.id}/milestones">1 milestone sent back' in text
    assert 'href="/matching/mine">1 introduction waiting' in text
    next_one = panel.item("1 upcoming session").named[0]
    assert next_one.label.startswith("Next: ") and next_one.label.endswith("with Maya Patel")
    assert next_one.values == {"booking_id": booked.id}
    assert f'href="/ventures/{venture.id}/check-in">This week\'s check-in is due</a>' in text


def test_founder_home_says_the_check_in_is_in(db, venture, founder):
    factories.check_in(venture, founder, clock.week_start(la_today()), today=la_today())

    assert shown(role_panel(founder, Role.FOUNDER)) == [
        "This week's check-in is in",
        "No upcoming sessions",
    ]


def test_mentor_home_lists_introductions_sessions_to_close_and_upcoming(
    db, client, venture, founder, sign_in
):
    maya = factories.mentor("Maya Patel")
    factories.introduction(venture, maya)
    answered = factories.introduction(factories.venture(venture.cohort, "BusBuddy"), maya)
    answered.counterpart_answer = "accepted"
    last_week = clock.at(la_today() - timedelta(days=7), time(10))
    no_outcome = factories.booking_row(
        factories.mentor_slot(maya, last_week), for_venture=venture, founder=founder
    )
    no_notes = factories.booking_row(
        factories.mentor_slot(maya, last_week + timedelta(days=1)),
        status="completed",
        for_venture=venture,
        founder=founder,
    )
    with_notes = factories.booking_row(
        factories.mentor_slot(maya, last_week + timedelta(days=2)),
        status="completed",
        for_venture=venture,
        founder=founder,
    )
    with_notes.shared_notes = "Talked procurement."
    factories.booking_row(
        factories.mentor_slot(maya, last_week + timedelta(days=3)),
        status="no_show",
        for_venture=venture,
        founder=founder,
    )
    factories.booking_row(
        factories.mentor_slot(maya, clock.at(la_today() + timedelta(days=2), time(9))),
        for_venture=venture,
        founder=founder,
    )
    db.session.commit()
    sign_in(client, maya.email)

    panel = role_panel(maya, Role.MENTOR)
    text = page(client.get("/"))

    assert shown(panel) == [
        "1 introduction waiting for your answer",
        "2 past sessions needing notes or an outcome",
        "1 upcoming session",
    ]
    to_close = panel.item("2 past sessions")
    assert [named.values["booking_id"] for named in to_close.named] == [no_outcome.id, no_notes.id]
    assert to_close.named[0].label.endswith(": how did it go?")
    assert to_close.named[1].label.endswith(": notes")
    assert 'href="/matching/mine">1 introduction waiting for your answer</a>' in text
    assert f'href="/mentoring/sessions/{no_notes.id}">LeakMap' in text


def test_judge_home_says_how_many_are_left_to_score_by_hackathon(db, client, login_as):
    judge = login_as("judge")
    drought = factories.judging_hackathon("Drought")
    criteria = [factories.rubric_criterion(drought) for _ in range(2)]
    submissions = [factories.judging_submission(drought) for _ in range(4)]
    factories.judge_assignment(judge, *submissions)
    scored_fully, scored_partly = submissions[:2]
    for criterion in criteria:
        db.session.add(
            Score(
                submission_id=scored_fully.id, judge_id=judge.id, criterion_id=criterion.id, value=3
            )
        )
    db.session.add(
        Score(
            submission_id=scored_partly.id, judge_id=judge.id, criterion_id=criteria[0].id, value=4
        )
    )
    transit = factories.judging_hackathon("Transit")
    factories.rubric_criterion(transit)
    done = factories.judging_submission(transit)
    factories.judge_assignment(judge, done)
    db.session.add(
        Score(
            submission_id=done.id, judge_id=judge.id, criterion_id=transit.criteria[0].id, value=5
        )
    )
    closed = factories.judging_hackathon("Old", status="judging")
    old = factories.judging_submission(closed)
    factories.judge_assignment(judge, old)
    closed.status = "closed"
    db.session.commit()

    panel = role_panel(judge, Role.JUDGE)
    text = page(client.get("/"))

    assert shown(panel) == [
        "Drought: 3 left to score (of 4 assigned)",
        "Transit: all 1 scored",
    ]
    assert 'href="/judging/">Drought: 3 left to score (of 4 assigned)</a>' in text
    assert "Old" not in " ".join(shown(panel))


def test_partner_home_lists_proposals_with_their_state_and_pilots(
    db, client, login_as, venture, manager
):
    partner = login_as("partner")
    sanitation = factories.organisation("LA Sanitation", members=[partner])
    drought = factories.hackathon("Drought", status="open")
    proposed = [
        hackathons.propose_challenge(
            drought,
            hackathons.ChallengeInput(title, "Why", "Water and drought", sanitation.id, ""),
            by=partner,
        )
        for title in ["Leaks", "Lawns", "Storms"]
    ]
    hackathons.decide_challenge(proposed[0], True, "", by=manager)
    hackathons.decide_challenge(proposed[1], False, "Out of scope this year", by=manager)
    factories.pilot(venture, sanitation, by=manager)
    factories.pilot(venture, sanitation, by=manager, status="running")
    factories.introduction(venture, sanitation, kind="partner")
    db.session.commit()

    panel = role_panel(partner, Role.PARTNER)
    text = page(client.get("/"))

    assert shown(panel) == [
        "1 introduction waiting for your organisation's answer",
        "2 pilots hosted: 1 planned, 1 running",
        "1 challenge proposal waiting for the program team",
    ]
    proposals = panel.item("1 challenge proposal")
    assert [named.label for named in proposals.named] == [
        "Storms (Drought): waiting for the program team",
        "Lawns (Drought): declined: “Out of scope this year”",
        "Leaks (Drought): approved",
    ]
    assert f'href="/matching/partners/{sanitation.id}">2 pilots hosted' in text


def test_funder_home_lists_introductions_waiting(db, client, venture, sign_in):
    funder = factories.funder("Rosa Funder")
    factories.introduction(venture, funder, kind="funder")
    factories.introduction(
        factories.venture(venture.cohort, "BusBuddy"), funder, kind="funder", status="accepted"
    )
    db.session.commit()
    sign_in(client, funder.email)

    text = page(client.get("/"))

    assert 'href="/matching/mine">1 introduction waiting for your answer</a>' in text
    assert "1 introduction accepted on both sides" in text


def test_an_empty_home_says_what_to_do_next(db, client, login_as):
    login_as("judge")

    text = page(client.get("/"))

    assert "Submissions assigned to you for scoring will be listed here" in text


# The home page's queries do not grow with the data ---------------------------------------------


def add_work(db, person, cohort, manager, size: int) -> None:
    """`size` of every kind of work that waits for a person holding every role."""
    partner_org = factories.organisation(members=[person])
    hackathon = factories.hackathon(status="open")
    judged = factories.judging_hackathon()
    criterion = factories.rubric_criterion(judged)
    yesterday = clock.at(la_today() - timedelta(days=1), time(10))
    tomorrow = clock.at(la_today() + timedelta(days=1), time(10))
    for number in range(size):
        venture = factories.venture(cohort, by=manager)
        db.session.add(VentureMember(venture=venture, user=person, role_in_team="Founder"))
        db.session.flush()
        hackathons.propose_challenge(
            hackathon,
            hackathons.ChallengeInput(f"Idea {number}", "Why", "", partner_org.id, ""),
            by=person,
        )
        milestone = factories.milestone(venture, by=person, due_on=la_today() - timedelta(days=9))
        milestones.complete_milestone(milestone, None, "Done", by=person)
        milestones.send_back_milestone(milestone, "More", by=manager)
        milestones.complete_milestone(factories.milestone(venture, by=person), None, "x", by=person)
        factories.introduction(venture, person)
        factories.introduction(venture, person, kind="funder")
        factories.introduction(venture, partner_org, kind="partner")
        factories.pilot(venture, partner_org, by=manager)
        # Slots an hour apart, none overlapping another call's (PostgreSQL refuses overlaps).
        hours = timedelta(minutes=61 * (size + number))
        for moment in (yesterday - hours, tomorrow + hours):
            slot = factories.mentor_slot(person, moment)
            factories.booking_row(slot, for_venture=venture, founder=person)
        submission = factories.judging_submission(judged)
        factories.judge_assignment(person, submission)
        db.session.add(
            Score(
                submission_id=submission.id, judge_id=person.id, criterion_id=criterion.id, value=2
            )
        )
        factories.draft_mentor_run(cohort.id, by=manager)
        users.invite(f"invitee{number}-{size}@example.org", "Invitee", {Role.MENTOR}, by=manager)
    db.session.commit()


def test_the_home_of_every_role_runs_the_same_queries_at_two_sizes(
    db, client, cohort, manager, sign_in, page_queries
):
    everyone = factories.user(
        "manager", "founder", "mentor", "judge", "funder", "partner", name="Alex Every"
    )
    add_work(db, everyone, cohort, manager, 1)
    sign_in(client, everyone.email)
    page_queries(["/"])

    few = page_queries(["/"])
    add_work(db, everyone, cohort, manager, 5)
    many = page_queries(["/"])

    assert many == few
    panels = {panel.role: panel for panel in home.panels_for(everyone, la_today())}
    assert panels[Role.MANAGER].item("6 challenge proposals to decide") is not None
    assert panels[Role.FOUNDER].item("6 milestones sent back") is not None
    assert panels[Role.MENTOR].item("6 upcoming sessions") is not None
    assert panels[Role.JUDGE].items[-1].count == 0  # every submission scored on its criterion
    assert panels[Role.PARTNER].item("6 pilots hosted: 6 planned") is not None


def test_an_idle_funder_is_told_nothing_waits(db, login_as):
    funder = login_as("funder")

    assert shown(role_panel(funder, Role.FUNDER)) == ["No introduction waits for your answer"]


# The database totals the groups; the items are those of reading every group --------------------


def random_work(rng: random.Random, manager) -> None:
    """Random proposals by hackathon, milestones to verify by venture (archived ventures too)
    and draft runs by cohort, with instants that tie; sometimes none or one group of a kind."""
    moment = datetime(2026, 3, 1, 17, tzinfo=UTC)

    def when() -> datetime:
        return moment + timedelta(hours=rng.choice([0, 0, 1, 5, 30]), microseconds=rng.randrange(3))

    for number in range(rng.choice([0, 1, 1, 2, 6])):
        hackathon = factories.judging_hackathon(f"Hackathon {number}", status="open")
        for title in range(rng.randrange(0, 4)):
            status = rng.choice(["proposed", "proposed", "approved", "declined"])
            database.session.add(
                Challenge(
                    hackathon_id=hackathon.id,
                    title=f"Idea {title}",
                    status=status,
                    created_at=when(),
                )
            )
    names = rng.sample(["Spring", "Autumn", "Winter", "Summer", "Fall", "Pilot year"], 6)
    for number in range(rng.choice([0, 1, 1, 3, 6])):
        cohort = factories.cohort(names[number], by=manager)
        for _ in range(rng.randrange(0, 3)):
            run = factories.draft_mentor_run(cohort.id, by=manager)
            run.status = rng.choice(["draft", "draft", "published", "discarded"])
        for venture_number in range(rng.randrange(0, 6)):
            venture = Venture(
                cohort_id=cohort.id,
                name=f"{names[number]} venture {venture_number}",
                challenge_area="Water and drought",
                status=rng.choice(["active", "active", "archived"]),
            )
            database.session.add(venture)
            database.session.flush()
            for title in range(rng.randrange(0, 4)):
                done = rng.random() < 0.5
                database.session.add(
                    Milestone(
                        venture_id=venture.id,
                        title=f"Milestone {title}",
                        stage="concept",
                        status="done" if done else "planned",
                        completed_at=when() if done else None,
                    )
                )
    database.session.flush()


@pytest.mark.parametrize("seed", range(12))
def test_the_grouped_manager_items_are_those_of_reading_every_group(db, manager, seed):
    random_work(random.Random(seed), manager)
    db.session.commit()

    panel = manager_panel(manager, la_today())

    proposals, to_verify, _at_risk, _invitations, runs = panel.items
    assert proposals == home_reference.proposals_to_decide()
    assert to_verify == home_reference.milestones_to_verify()
    assert runs == home_reference.runs_in_review()


def test_the_first_few_groups_are_named_and_all_of_them_counted(db, manager):
    """Five hackathons with proposals: three named, five counted, the link to the list."""
    for number in range(5):
        hackathon = factories.judging_hackathon(f"Hackathon {number}", status="open")
        for title in range(number + 1):
            database.session.add(
                Challenge(hackathon_id=hackathon.id, title=f"Idea {title}", status="proposed")
            )
    db.session.commit()

    proposals = manager_panel(manager, la_today()).items[0]

    assert proposals.count == 15
    assert [named.label for named in proposals.named] == [
        "Hackathon 0: 1 proposal",
        "Hackathon 1: 2 proposals",
        "Hackathon 2: 3 proposals",
    ]
    assert proposals.link == home.Link("Hackathons", "hackathons.index")
