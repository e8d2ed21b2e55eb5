"""Races over matching through the multi-worker server (tests/races.py): both sides of an
introduction answering at once, a run published twice, and a review edit racing publish.

Each round seeds fresh ventures, matches and runs; the check reads the matches, the run,
the audit trail and the outbox, and what each person was shown. `make test` runs this on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from incubator.extensions import db
from incubator.models import (
    Cohort,
    Match,
    MatchingRun,
    MatchStatus,
    User,
    VentureMember,
)
from tests import factories
from tests.race_helpers import actions, events, mail_to, new_email
from tests.races import ROUNDS, Browser, one_of, race, rounds

ACCEPTED_FIRST = "Accepted. We will let you know when the other side answers."
BOTH_ACCEPTED = "Both sides accepted: contact details are below."
DECLINED = "Declined. Thank you for saying why."
REASON = "We already work with a mentor on procurement."


@dataclass
class People:
    cohort_id: int
    manager_id: int
    founder_id: int
    mentor_id: int
    founder_email: str
    mentor_email: str
    manager: Browser
    other_manager: Browser
    founder: Browser
    mentor: Browser

    def close(self) -> None:
        for browser in (self.manager, self.other_manager, self.founder, self.mentor):
            browser.close()


@pytest.fixture
def people(served):
    def build():
        manager = factories.user("manager", name="Maya Manager", email=new_email("maya"))
        other = factories.user("manager", name="Omar Manager", email=new_email("omar"))
        founder = factories.user("founder", name="Fatima Founder", email=new_email("fatima"))
        mentor = factories.mentor("Marco Mentor", capacity=50)
        mentor.email = new_email("marco")
        cohort = factories.cohort(by=manager, capacity=500)
        db.session.flush()
        return (
            (cohort.id, manager.id, founder.id, mentor.id, founder.email, mentor.email),
            (manager.email, other.email, founder.email, mentor.email),
        )

    ids, emails = served.seed(build)
    found = People(*ids, *(Browser(served, email) for email in emails))
    yield found
    found.close()


def _venture(people: People, founder_id: int):
    """A new venture of the test's cohort with needs, run by this founder (inside seed)."""
    cohort = db.session.get(Cohort, people.cohort_id)
    venture = factories.venture(cohort, by=db.session.get(User, people.manager_id))
    venture.needs = ["Procurement path"]
    db.session.add(VentureMember(venture=venture, user_id=founder_id, role_in_team="Founder"))
    db.session.flush()
    return venture


# Answering an introduction ----------------------------------------------------------------------


def _introduction(served, people: People) -> int:
    def build():
        venture = _venture(people, people.founder_id)
        return factories.introduction(venture, db.session.get(User, people.mentor_id)).id

    return served.seed(build)


def _answers(served, people: People, match_id: int):
    """The match's status and answers, its actions, and the subjects of the mail both sides
    got about it."""

    def inspect():
        match = db.session.get(Match, match_id)
        subjects = [
            message.subject
            for address in (people.founder_email, people.mentor_email)
            for message in mail_to(address, "Introduction ")
            if match.venture.name in message.subject
        ]
        return (
            match.status,
            match.venture_answer,
            match.counterpart_answer,
            match.decline_reason,
            actions("match", match_id),
            subjects,
        )

    return served.check(inspect)


def _answer(browser: Browser, match_id: int, accept: bool):
    # The mentor shares the reason, so the founder whose acceptance came second is told it.
    data = (
        {"accept": "Accept"}
        if accept
        else {"decline": "Decline", "reason": REASON, "share_reason": "y"}
    )
    return browser.post("matching.answer", data, match_id=match_id)


def _both_answer(served, people: People, mentor_accepts: bool):
    """A round's play: a new introduction, the founder accepting it while the mentor
    answers, at the same moment."""

    def play(number):
        match_id = _introduction(served, people)
        shown = race(
            [
                _answer(people.founder, match_id, True),
                _answer(people.mentor, match_id, mentor_accepts),
            ]
        )
        return shown, match_id

    return play


def test_both_sides_accepting_at_once_make_an_accepted_introduction(served, people):
    play = _both_answer(served, people, mentor_accepts=True)

    def check(shown, match_id):
        status, venture_answer, counterpart_answer, _, trail, subjects = _answers(
            served, people, match_id
        )
        assert (status, venture_answer, counterpart_answer) == ("accepted", "accepted", "accepted")
        assert trail == ["match.accepted", "match.accepted"], trail
        # Both sides hear once that the introduction is made.
        assert len([s for s in subjects if s.startswith("Introduction accepted")]) == 2, subjects
        _first, second = one_of(shown, lambda s: s.said(ACCEPTED_FIRST))
        assert second.said(BOTH_ACCEPTED), second.text
        return "accept+accept → accepted"

    tally = rounds(served, "accept + accept", play, check)
    assert tally.outcomes == {"accept+accept → accepted": ROUNDS}


def test_accept_and_decline_at_once_end_declined_with_both_answers_kept(served, people):
    play = _both_answer(served, people, mentor_accepts=False)

    def check(shown, match_id):
        status, venture_answer, counterpart_answer, reason, trail, subjects = _answers(
            served, people, match_id
        )
        accept, decline = shown
        assert status == "declined"
        assert counterpart_answer == "declined" and reason == f"Counterpart: {REASON}"
        assert decline.said(DECLINED), decline.text
        assert len([s for s in subjects if s.startswith("Introduction declined")]) == 2, subjects
        if venture_answer == "accepted":
            assert trail == ["match.accepted", "match.declined"], trail
            assert accept.said(ACCEPTED_FIRST), accept.text
            return "accept, then decline → declined, both answers kept"
        assert venture_answer == "pending"
        assert trail == ["match.declined"], trail
        assert accept.said("This introduction was already declined", REASON), accept.text
        return "decline first → declined, accept refused"

    tally = rounds(served, "accept vs decline", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


# Publishing a run -------------------------------------------------------------------------------


def _draft(served, people: People, ventures: int = 2) -> tuple[int, list[int], list[str]]:
    """A draft run proposing one introduction per new venture, each with its own founder."""

    def build():
        manager = db.session.get(User, people.manager_id)
        run = factories.draft_mentor_run(people.cohort_id, by=manager, total_score=2.0)
        match_ids, founders = [], []
        for _ in range(ventures):
            # A founder of its own for each venture, who signs in nowhere.
            founder = factories.user("founder", email=new_email("founder"))
            venture = _venture(people, founder.id)
            match = factories.proposed_mentor_match(run, venture.id, people.mentor_id)
            match_ids.append(match.id)
            founders.append(founder.email)
        return run.id, match_ids, founders

    return served.seed(build)


def _published(served, people: People, run_id: int, match_ids: list[int], founders: list[str]):
    """The run's state, its publish events, each match's status and actions, and how many
    introduction mails each founder and the mentor got about each match's venture."""

    def inspect():
        run = db.session.get(MatchingRun, run_id)
        published = [e.after for e in events("matching_run", run_id)]
        matches = []
        for match_id, founder in zip(match_ids, founders, strict=True):
            match = db.session.get(Match, match_id)
            name = match.venture.name
            to_founder = len(mail_to(founder, "Introduction: "))
            to_mentor = len(
                [m for m in mail_to(people.mentor_email, "Introduction: ") if name in m.subject]
            )
            matches.append((match.status, actions("match", match_id), to_founder, to_mentor))
        return run.status, published, matches

    return served.check(inspect)


def test_a_run_published_twice_introduces_and_mails_each_match_once(served, people):
    def play(number):
        run_id, match_ids, founders = _draft(served, people)
        shown = race(
            [
                browser.post("matching.publish", {"confirm": "y"}, run_id=run_id)
                for browser in (people.manager, people.other_manager)
            ]
        )
        return shown, (run_id, match_ids, founders)

    def check(shown, context):
        run_id, match_ids, founders = context
        status, published, matches = _published(served, people, run_id, match_ids, founders)
        assert status == "published"
        assert published == [{"introduced": match_ids}], published
        for match_status, _trail, to_founder, to_mentor in matches:
            assert match_status == MatchStatus.INTRODUCED
            assert (to_founder, to_mentor) == (1, 1), matches
        winner, loser = one_of(shown, lambda s: s.said("Published: 2 introductions mailed"))
        publisher = "Maya Manager" if winner is shown[0] else "Omar Manager"
        assert loser.said(f"This run was already published by {publisher} at"), loser.text
        return "publish+publish → published once"

    tally = rounds(served, "double publish", play, check)
    assert tally.outcomes == {"publish+publish → published once": ROUNDS}


def test_a_review_edit_racing_publish_lands_before_it_or_is_refused(served, people):
    def play(number):
        run_id, match_ids, founders = _draft(served, people)
        version = served.check(lambda: db.session.get(MatchingRun, run_id).version)
        shown = race(
            [
                people.manager.post(
                    "matching.remove",
                    {"version": str(version), "lowering_confirmed": "yes"},
                    match_id=match_ids[0],
                ),
                people.other_manager.post("matching.publish", {"confirm": "y"}, run_id=run_id),
            ]
        )
        return shown, (run_id, match_ids, founders)

    def check(shown, context):
        run_id, match_ids, founders = context
        status, published, matches = _published(served, people, run_id, match_ids, founders)
        remove, publish = shown
        assert status == "published"
        (removed_status, removed_trail, to_founder, to_mentor), kept = matches
        assert kept[:1] == (MatchStatus.INTRODUCED,) and kept[2:] == (1, 1), kept
        if removed_status == MatchStatus.ENDED:
            # Removed first: publishing introduced only the other match and mailed nobody
            # about the removed one.
            assert removed_trail == ["match.removed"], removed_trail
            assert (to_founder, to_mentor) == (0, 0)
            assert published == [{"introduced": match_ids[1:]}], published
            assert remove.said("Removed from the proposal."), remove.text
            assert publish.said("Published: 1 introduction mailed"), publish.text
            return "remove, then publish"
        assert removed_status == MatchStatus.INTRODUCED, removed_status
        assert removed_trail == [], removed_trail
        assert (to_founder, to_mentor) == (1, 1)
        assert published == [{"introduced": match_ids}], published
        assert publish.said("Published: 2 introductions mailed"), publish.text
        assert remove.said("this run was published by Omar Manager at"), remove.text
        return "publish first, remove refused"

    tally = rounds(served, "review edit vs publish", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS
