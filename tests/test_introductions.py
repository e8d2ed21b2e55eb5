"""Matching runs (runs.py), their review and publishing, and double opt-in introductions
(introductions.py), through the services and the pages."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from incubator.models import Match, MatchingRun, MatchStatus, OfficeHoursDay
from incubator.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from incubator.services.matching import introductions, reasons, runs
from tests import factories
from tests.helpers import count, page
from tests.plugins.matching import ranking


def live(db, run) -> list[Match]:
    db.session.expire_all()
    return runs.run_matches(run)


@pytest.fixture
def ventures(db, cohort, manager):
    return [
        factories.needy_venture(cohort, "AquaSave", by=manager),
        factories.needy_venture(cohort, "BusBuddy", by=manager),
    ]


@pytest.fixture
def mentors(db):
    return [
        factories.mentor("Ana Mentor", expertise=["Procurement"], capacity=1),
        factories.mentor("Ben Mentor", expertise=["Procurement"], capacity=1),
    ]


def propose(cohort, manager, method: str = "optimal", low: int = 1, high: int = 1):
    return runs.run_matching(cohort, "mentor", method, low, high, by=manager)


# Running matching ---------------------------------------------------------------------------


def test_a_run_stores_its_proposal_and_both_methods_totals(
    db, cohort, ventures, mentors, manager, audit_events
):
    run = propose(cohort, manager)

    matches = live(db, run)
    assert run.status == "draft"
    assert {m.venture_id for m in matches} == {v.id for v in ventures}
    assert {m.counterpart_id for m in matches} == {m.id for m in mentors}
    assert all(m.status == MatchStatus.PROPOSED and m.run_id == run.id for m in matches)
    assert all(m.reasons for m in matches)
    assert run.summary["optimal"]["total_score"] == pytest.approx(run.total_score)
    assert "blocking_pairs" in run.summary["optimal"]
    assert run.summary["stable"] is None  # nobody ranked anybody
    assert audit_events("matching_run.created")


def test_where_both_sides_ranked_the_stable_option_is_offered_beside_the_optimal(
    db, cohort, ventures, mentors, manager
):
    day = OfficeHoursDay(cohort_id=cohort.id, day=date(2025, 5, 1), status="published")
    db.session.add(day)
    db.session.flush()
    aqua, bus = ventures
    ana, ben = mentors
    # Both founders and both mentors put AquaSave with Ana first.
    for venture, first, second in ((aqua, ana, ben), (bus, ana, ben)):
        founder = venture.members[0].user
        db.session.add(ranking(day, founder, first, venture, "founder", 1))
        db.session.add(ranking(day, founder, second, venture, "founder", 2))
    for mentor in (ana, ben):
        db.session.add(ranking(day, mentor, mentor, aqua, "mentor", 1))
        db.session.add(ranking(day, mentor, mentor, bus, "mentor", 2))
    db.session.flush()

    run = propose(cohort, manager, method="stable")

    assert run.method == "stable"
    assert run.blocking_pairs == 0
    assert set(run.summary) >= {"optimal", "stable"}
    for method in ("optimal", "stable"):
        assert run.summary[method]["total_score"] > 0
        assert run.summary[method]["blocking_pairs"] is not None
    pairs = {(m.venture_id, m.counterpart_id) for m in live(db, run)}
    assert (aqua.id, ana.id) in pairs and (bus.id, ben.id) in pairs
    assert any(
        "After office hours" in reason
        for m in live(db, run)
        for reason in reasons.sentences(m.reasons)
    )


def test_running_again_sets_the_draft_aside_and_keeps_its_pinned_matches(
    db, cohort, ventures, mentors, manager
):
    first = propose(cohort, manager)
    kept, other = live(db, first)
    runs.pin(kept, by=manager)

    second = propose(cohort, manager)

    db.session.expire_all()
    assert first.status == "discarded"
    assert other.status == MatchStatus.ENDED  # ended, not deleted
    assert kept.run_id == second.id and kept.pinned
    assert count(Match) == 3
    assert len(live(db, second)) == 2


def test_a_venture_with_a_live_introduction_is_not_proposed_the_same_counterpart(
    db, cohort, ventures, mentors, manager
):
    factories.introduction(ventures[0], mentors[0], status="accepted")

    run = propose(cohort, manager, low=0)

    pairs = {(m.venture_id, m.counterpart_id) for m in live(db, run)}
    assert (ventures[0].id, mentors[0].id) not in pairs
    # Ana's one place is taken by the accepted match.
    assert mentors[0].id not in {counterpart for _, counterpart in pairs}


# Review -------------------------------------------------------------------------------------


def test_removing_a_match_ends_it_with_a_reason_and_a_pinned_one_stays(
    db, cohort, ventures, mentors, manager
):
    run = propose(cohort, manager)
    first, second = live(db, run)
    runs.pin(first, by=manager)

    with pytest.raises(InvalidInput, match="pinned"):
        runs.remove(first, by=manager)
    runs.remove(second, by=manager, lowering_confirmed=True)

    assert second.status == MatchStatus.ENDED
    assert second.decline_reason == "removed in review"
    assert live(db, run) == [first]


def test_swapping_exchanges_counterparts_and_scores_again(db, cohort, ventures, mentors, manager):
    run = propose(cohort, manager)
    first, second = live(db, run)
    counterparts = (first.counterpart_id, second.counterpart_id)

    runs.swap(first, second, by=manager)

    assert (first.counterpart_id, second.counterpart_id) == counterparts[::-1]
    assert first.counterpart_key == f"user:{counterparts[1]}"
    assert first.reasons and second.reasons


def test_a_swap_that_would_pair_a_venture_twice_is_refused(db, cohort, ventures, mentors, manager):
    aqua, bus = ventures
    ana = mentors[0]
    cy = factories.mentor("Cy Mentor", expertise=["Procurement"], capacity=2)
    run = propose(cohort, manager, low=0, high=2)
    for match in live(db, run):
        runs.remove(match, by=manager, lowering_confirmed=True)
    aqua_ana = runs.add(run, aqua, ana.id, by=manager)
    runs.add(run, aqua, cy.id, by=manager)
    bus_cy = runs.add(run, bus, cy.id, by=manager)

    with pytest.raises(InvalidInput, match="twice"):
        runs.swap(aqua_ana, bus_cy, by=manager)

    assert (aqua_ana.counterpart_id, bus_cy.counterpart_id) == (ana.id, cy.id)


def test_adding_a_pair_beyond_capacity_is_refused(db, cohort, ventures, mentors, manager):
    run = propose(cohort, manager)
    taken = live(db, run)[0]
    other_venture = next(v for v in ventures if v.id != taken.venture_id)
    runs.remove(
        next(m for m in live(db, run) if m.venture_id == other_venture.id),
        by=manager,
        lowering_confirmed=True,
    )

    with pytest.raises(InvalidInput, match="no room"):
        runs.add(run, other_venture, taken.counterpart_id, by=manager)


def test_a_duplicate_live_pair_becomes_a_message(db, ventures, mentors):
    factories.introduction(ventures[0], mentors[0])
    again = introductions.new_match(
        None,
        ventures[0].id,
        "mentor",
        f"user:{mentors[0].id}",
        1,
        [],
        cohort_id=ventures[0].cohort_id,
    )
    db.session.add(again)

    with pytest.raises(Conflict, match="already have a live match"):
        introductions.flush_pairs(
            "Could not add the match: that venture and counterpart already have a live match."
        )


# Publishing ---------------------------------------------------------------------------------


def test_only_managers_publish(db, client, login_as, cohort, ventures, mentors, manager):
    run = propose(cohort, manager)
    db.session.commit()
    for role in ("founder", "mentor", "funder", "partner"):
        login_as(role)
        response = client.post(f"/matching/runs/{run.id}/publish", data={"confirm": "y"})
        assert response.status_code == 403, role
    with pytest.raises(NotAllowed):
        runs.publish(run, by=factories.user("founder"))
    assert run.status == "draft"


def test_publishing_introduces_every_match_and_mails_both_sides(
    db, client, sign_in, cohort, ventures, mentors, manager, outbox
):
    run = propose(cohort, manager)
    db.session.commit()
    sign_in(client, manager.email)

    unconfirmed = client.post(f"/matching/runs/{run.id}/publish", data={})
    response = client.post(
        f"/matching/runs/{run.id}/publish", data={"confirm": "y"}, follow_redirects=True
    )

    assert unconfirmed.status_code == 302
    assert "Published: 2 introductions" in page(response)
    db.session.expire_all()
    assert run.status == "published" and run.published_at is not None
    for match in live(db, run):
        assert match.status == MatchStatus.INTRODUCED and match.introduced_at is not None
        founder = match.venture.members[0].user
        [to_founder] = outbox(founder.email)
        [to_mentor] = outbox(match.counterpart.email)
        for message in (to_founder, to_mentor):
            assert reasons.sentence(match.reasons[0]) in message.body
            assert "/matching/mine" in message.body


def test_the_manager_page_shows_the_proposal_and_the_comparison(
    db, client, sign_in, cohort, ventures, mentors, manager
):
    propose(cohort, manager)
    db.session.commit()
    sign_in(client, manager.email)

    text = page(client.get(f"/matching/cohorts/{cohort.id}"))

    assert "AquaSave" in text and "Ana Mentor" in text
    assert "Highest total score" in text and "Blocking pairs" in text
    assert "Publish introductions" in text


# Double opt-in ------------------------------------------------------------------------------


@pytest.fixture
def introduced(db, ventures, mentors):
    return factories.introduction(ventures[0], mentors[0])


def test_both_accepting_makes_the_match_and_shows_contacts(
    db, client, sign_in, introduced, ventures, mentors, outbox
):
    founder = ventures[0].members[0].user
    mentor = mentors[0]
    db.session.commit()
    sign_in(client, founder.email)
    before = page(client.get("/matching/mine"))
    client.post(f"/matching/matches/{introduced.id}/answer", data={"accept": "Accept"})
    waiting = page(client.get("/matching/mine"))
    client.post("/auth/logout")
    sign_in(client, mentor.email)
    client.post(f"/matching/matches/{introduced.id}/answer", data={"accept": "Accept"})
    mentor_view = page(client.get("/matching/mine"))
    client.post("/auth/logout")
    sign_in(client, founder.email)
    founder_view = page(client.get("/matching/mine"))

    db.session.expire_all()
    assert introduced.status == MatchStatus.ACCEPTED and introduced.decided_at is not None
    assert "Knows procurement" in before
    assert mentor.email not in before and mentor.email not in waiting
    assert mentor.email in founder_view
    assert "https://meet.example.org/mentor" in founder_view
    assert f"/mentoring/mentors/{mentor.id}" in founder_view
    assert founder.email in mentor_view
    assert outbox(founder.email)  # told of the acceptance


def test_declining_needs_a_reason_and_lets_the_venture_be_matched_again(
    db, client, sign_in, introduced, ventures, mentors, manager
):
    mentor = mentors[0]
    db.session.commit()
    sign_in(client, mentor.email)

    refused = client.post(
        f"/matching/matches/{introduced.id}/answer",
        data={"decline": "Decline"},
        follow_redirects=True,
    )
    db.session.expire_all()
    assert "Say briefly why you decline" in page(refused)
    assert introduced.status == MatchStatus.INTRODUCED

    client.post(
        f"/matching/matches/{introduced.id}/answer",
        data={"decline": "Decline", "reason": "No time this spring"},
    )
    db.session.expire_all()
    assert introduced.status == MatchStatus.DECLINED
    assert "No time this spring" in introduced.decline_reason

    client.post("/auth/logout")
    sign_in(client, manager.email)
    listed = page(client.get(f"/matching/cohorts/{ventures[0].cohort_id}"))
    response = client.post(f"/matching/matches/{introduced.id}/rematch", follow_redirects=True)

    assert "No time this spring" in listed
    assert "AquaSave introduced to Ben Mentor" in page(response)
    [again] = db.session.scalars(select(Match).where(Match.status == MatchStatus.INTRODUCED))
    assert (again.venture_id, again.counterpart_id) == (ventures[0].id, mentors[1].id)
    # Ana declined, so a new run does not propose her to AquaSave again.
    run = propose(ventures[0].cohort, manager, low=0)
    assert (ventures[0].id, mentors[0].id) not in {
        (m.venture_id, m.counterpart_id) for m in live(db, run)
    }


def test_a_founder_of_another_venture_cannot_see_or_answer_a_match(
    db, client, sign_in, introduced, ventures
):
    stranger = ventures[1].members[0].user
    db.session.commit()
    sign_in(client, stranger.email)

    response = client.post(f"/matching/matches/{introduced.id}/answer", data={"accept": "Accept"})
    mine = page(client.get("/matching/mine"))

    assert response.status_code == 404
    assert "AquaSave" not in mine and "Ana Mentor" not in mine
    db.session.expire_all()
    assert introduced.venture_answer == "pending"
    with pytest.raises(NotFound):
        introductions.answer(introduced, True, by=stranger)


def test_a_mentor_reads_check_ins_only_once_the_match_is_accepted(
    db, client, sign_in, introduced, ventures, mentors
):
    venture = ventures[0]
    founder = venture.members[0].user
    monday = date(2025, 4, 7)
    factories.check_in(venture, founder, monday, summary="Private progress", today=monday)
    db.session.commit()
    sign_in(client, mentors[0].email)

    before = client.get(f"/ventures/{venture.id}/check-ins")
    introductions.answer(introduced, True, by=founder)
    introductions.answer(introduced, True, by=mentors[0])
    db.session.commit()
    after = client.get(f"/ventures/{venture.id}/check-ins")
    elsewhere = client.get(f"/ventures/{ventures[1].id}/check-ins")

    assert before.status_code == 404
    assert after.status_code == 200 and "Private progress" in page(after)
    assert elsewhere.status_code == 404


def test_a_partner_member_answers_for_the_organisation(db, ventures):
    speaker = factories.user("partner")
    department = factories.organisation("Department of Water", members=[speaker])
    match = factories.introduction(ventures[0], department, kind="partner")

    introductions.answer(match, True, by=speaker)

    assert match.counterpart_answer == "accepted"
    assert [i.match for i in introductions.introductions_for(speaker)] == [match]


# Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "fields", "message"),
    [
        ("empty", {}, "has no active ventures"),
        ("no_needs", {}, "list no needs"),
        ("mentors", {"max_per_venture": "0"}, "no venture could be matched"),
        ("full", {}, "capacity 0"),
    ],
)
def test_bad_input_gives_a_clear_message_and_writes_nothing(
    db, client, sign_in, cohort, manager, setup, fields, message
):
    if setup != "empty":
        factories.needy_venture(cohort, "AquaSave", by=manager)
    if setup == "no_needs":
        factories.venture(cohort, "Needless", by=manager)
    factories.mentor("Ana Mentor", capacity=0 if setup == "full" else 1)
    db.session.commit()
    sign_in(client, manager.email)
    data = {"kind": "mentor", "method": "optimal", "min_per_venture": "0", "max_per_venture": "1"}

    response = client.post(
        f"/matching/cohorts/{cohort.id}", data={**data, **fields}, follow_redirects=True
    )

    assert response.status_code == 200
    assert message in page(response)
    assert count(MatchingRun) == 0
    assert count(Match) == 0
