"""Races over the pipeline through the multi-worker server (tests/races.py): milestones
completed twice, verified or completed while sent back, a venture moved from two stale pages,
two ventures of one cohort moved at once (its analytics show both), and one week's check-in
posted from two tabs.

Each round seeds a fresh venture and fires the two requests at once; the check reads the
row, its history and its audit trail, and what each person was shown. `make test` runs this
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from incubator import clock
from incubator.extensions import db
from incubator.models import (
    CheckIn,
    Cohort,
    Milestone,
    MilestoneStatus,
    OutboxMessage,
    PipelineFacts,
    StageChange,
    User,
    Venture,
    VentureMember,
    utcnow,
)
from incubator.services.pipeline import facts
from tests import analytics_reference, factories
from tests.race_helpers import actions, events, new_email
from tests.races import ROUNDS, Browser, one_of, race, rounds

TITLE = "Ten resident interviews"
DONE = f"{TITLE} is done; a program manager will verify it."
VERIFIED = f"{TITLE} is verified."
SENT_BACK = f"{TITLE} went back to the founders."


@dataclass
class Team:
    """The people of one test, signed in once: two managers and a founder with two tabs."""

    cohort_id: int
    manager_id: int
    founder_id: int
    manager: Browser
    other_manager: Browser
    founder: Browser
    founder_tab: Browser

    def close(self) -> None:
        for browser in (self.manager, self.other_manager, self.founder, self.founder_tab):
            browser.close()


@pytest.fixture
def team(served):
    def build():
        manager = factories.user("manager", name="Maya Manager", email=new_email("maya"))
        other = factories.user("manager", name="Omar Manager", email=new_email("omar"))
        founder = factories.user("founder", name="Fatima Founder", email=new_email("fatima"))
        cohort = factories.cohort(by=manager, capacity=500)
        return cohort.id, manager.id, founder.id, manager.email, other.email, founder.email

    cohort_id, manager_id, founder_id, *emails = served.seed(build)
    manager, other, founder = (Browser(served, email) for email in emails)
    founder_tab = Browser(served, emails[2])
    people = Team(cohort_id, manager_id, founder_id, manager, other, founder, founder_tab)
    yield people
    people.close()


def _venture(team: Team) -> Venture:
    """A new venture of the test's cohort, founded by the test's founder (inside seed)."""
    manager = db.session.get(User, team.manager_id)
    venture = factories.venture(db.session.get(Cohort, team.cohort_id), by=manager)
    db.session.add(VentureMember(venture=venture, user_id=team.founder_id, role_in_team="Founder"))
    db.session.flush()
    return venture


def _milestone(served, team: Team, status: MilestoneStatus) -> int:
    def build():
        venture = _venture(team)
        milestone = factories.milestone(venture, TITLE, by=db.session.get(User, team.founder_id))
        milestone.status = status
        if status == MilestoneStatus.DONE:
            milestone.evidence_note = "Notes from the first interviews."
            milestone.completed_at = utcnow()
        db.session.flush()
        return milestone.id

    return served.seed(build)


def _milestone_state(served, milestone_id: int) -> tuple[Milestone, list[str], list]:
    def inspect():
        milestone = db.session.get(Milestone, milestone_id)
        db.session.expunge(milestone)
        trail = events("milestone", milestone_id)
        return milestone, [e.action for e in trail], [(e.action, e.after) for e in trail]

    return served.check(inspect)


def _to_verify_mails(served, milestone_id: int) -> list[str]:
    """Whom the mail saying this milestone waits to be verified went to (every program
    manager of the served database: other tests' teams are there too)."""

    def inspect():
        milestone = db.session.get(Milestone, milestone_id)
        subject = f"Milestone to verify: {TITLE} ({milestone.venture.name})"
        # Every round's venture has the same name: the link names this one.
        link = f"/ventures/{milestone.venture_id}/milestones"
        return sorted(
            db.session.scalars(
                select(OutboxMessage.recipient).where(
                    OutboxMessage.subject == subject, OutboxMessage.body.contains(link)
                )
            )
        )

    return served.check(inspect)


def _race_on_done_milestone(served, team: Team, *posts: Callable[[int], Any]):
    """A new milestone marked done and the posts raced on it (each made from its id): what
    each post was shown, and the milestone's id."""
    milestone_id = _milestone(served, team, MilestoneStatus.DONE)
    return race([post(milestone_id) for post in posts]), milestone_id


def _sending_back(browser) -> Callable[[int], Any]:
    """A manager's post sending a milestone back for more interview notes."""
    return lambda milestone_id: browser.post(
        "pipeline.send_back_milestone",
        {"comment": "Only six interviews are written up."},
        milestone_id=milestone_id,
    )


# Milestones -----------------------------------------------------------------------------------


def test_a_milestone_completed_from_two_tabs_is_done_once(served, team):
    def play(number):
        milestone_id = _milestone(served, team, MilestoneStatus.IN_PROGRESS)
        shown = race(
            [
                tab.post(
                    "pipeline.complete_milestone",
                    {"evidence_note": f"Interview notes, take {n}"},
                    milestone_id=milestone_id,
                )
                for n, tab in enumerate((team.founder, team.founder_tab))
            ]
        )
        return shown, milestone_id

    def check(shown, milestone_id):
        milestone, trail, _ = _milestone_state(served, milestone_id)
        assert milestone.status == MilestoneStatus.DONE
        assert trail.count("milestone.done") == 1, trail
        winner, loser = one_of(shown, lambda s: s.said(DONE))
        assert milestone.evidence_note == winner.request.data["evidence_note"]
        assert loser.said("This milestone is already done.", "You marked it done at"), loser.text
        # Each program manager is told once, by the completion that won.
        told = _to_verify_mails(served, milestone_id)
        assert len(told) == len(set(told)), told
        assert {team.manager.email, team.other_manager.email} <= set(told), told
        return "complete+complete → done once"

    tally = rounds(served, "complete twice", play, check)
    assert tally.outcomes == {"complete+complete → done once": ROUNDS}


def test_verify_and_send_back_at_once_end_in_one_state(served, team):
    def play(number):
        return _race_on_done_milestone(
            served,
            team,
            lambda milestone_id: team.manager.post(
                "pipeline.verify_milestone", milestone_id=milestone_id
            ),
            _sending_back(team.other_manager),
        )

    def check(shown, milestone_id):
        milestone, trail, _ = _milestone_state(served, milestone_id)
        verify, send_back = shown
        if milestone.status == MilestoneStatus.VERIFIED:
            assert trail[1:] == ["milestone.verified"], trail
            assert milestone.verified_by_id == team.manager_id
            assert milestone.review_comment == ""
            assert verify.said(VERIFIED), verify.text
            assert send_back.said(
                "Only a milestone marked done can be sent back.", "Maya Manager verified it at"
            ), send_back.text
            return "verify won, send back refused"
        assert milestone.status == MilestoneStatus.IN_PROGRESS, milestone.status
        assert trail[1:] == ["milestone.in_progress"], trail
        assert milestone.verified_at is None and milestone.completed_at is None
        assert milestone.review_comment == "Only six interviews are written up."
        assert send_back.said(SENT_BACK), send_back.text
        assert verify.said(
            "Only a milestone marked done can be verified.",
            "Omar Manager sent it back to the founders at",
        ), verify.text
        return "send back won, verify refused"

    tally = rounds(served, "verify vs send back", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


def test_complete_and_send_back_at_once_end_in_one_state(served, team):
    """The manager sends a done milestone back while the founder, from a page that still
    offered the form, completes it again with more evidence."""

    def play(number):
        return _race_on_done_milestone(
            served,
            team,
            lambda milestone_id: team.founder.post(
                "pipeline.complete_milestone",
                {"evidence_note": "All ten interviews, written up."},
                milestone_id=milestone_id,
            ),
            _sending_back(team.manager),
        )

    def check(shown, milestone_id):
        milestone, trail, _ = _milestone_state(served, milestone_id)
        complete, send_back = shown
        assert send_back.said(SENT_BACK), send_back.text
        if milestone.status == MilestoneStatus.DONE:
            # Sent back first; the founder's evidence then completed it again.
            assert trail[1:] == ["milestone.in_progress", "milestone.done"], trail
            assert milestone.evidence_note == "All ten interviews, written up."
            assert milestone.completed_at is not None
            assert complete.said(DONE), complete.text
            return "send back, then complete → done"
        assert milestone.status == MilestoneStatus.IN_PROGRESS, milestone.status
        assert trail[1:] == ["milestone.in_progress"], trail
        assert milestone.completed_at is None
        assert milestone.evidence_note == "Notes from the first interviews."
        assert complete.said("This milestone is already done."), complete.text
        return "complete refused, send back → in progress"

    tally = rounds(served, "complete vs send back", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


# Stage moves ----------------------------------------------------------------------------------


def test_two_managers_moving_a_venture_from_the_same_page_make_one_move(served, team):
    def play(number):
        venture_id = served.seed(lambda: _venture(team).id)
        shown = race(
            [
                team.manager.post(
                    "pipeline.move_stage",
                    {"stage": "prototype", "reason": "", "seen_stage": "concept"},
                    venture_id=venture_id,
                ),
                team.other_manager.post(
                    "pipeline.move_stage",
                    {"stage": "pilot", "reason": "", "seen_stage": "concept"},
                    venture_id=venture_id,
                ),
            ]
        )
        return shown, venture_id

    def check(shown, venture_id):
        def inspect():
            venture = db.session.get(Venture, venture_id)
            # In the order they were written: with the clock moved, the seed's first stage (set
            # in this process) and the move (stamped by a gunicorn worker) read clocks moved
            # separately, so their times need not be in order.
            changes = db.session.scalars(
                select(StageChange)
                .where(StageChange.venture_id == venture_id)
                .order_by(StageChange.id)
            )
            moves = [(c.from_stage, c.to_stage) for c in changes]
            audited = [
                e.after["stage"]
                for e in events("venture", venture_id)
                if e.action == "venture.stage_changed"
            ]
            return venture.stage, venture.name, moves, audited

        stage, name, moves, audited = served.check(inspect)
        # History is a chain that ends at the venture's stage.
        assert moves[0] == (None, "concept")
        for (_, previous), (start, _) in itertools.pairwise(moves):
            assert start == previous, moves
        assert moves[-1][1] == stage
        assert len(moves) == 2, moves
        assert audited == [stage]
        label = {"prototype": "Prototype", "pilot": "Pilot"}[stage]
        winner, loser = one_of(shown, lambda s: s.said(f"{name} moved to {label}."))
        assert winner.request.data["stage"] == stage
        mover = "Maya Manager" if winner.request.browser is team.manager else "Omar Manager"
        assert loser.said(
            f"{mover} moved this venture to {label} at", "since you opened the page"
        ), loser.text
        return f"{'first' if winner is shown[0] else 'second'} manager's move won"

    tally = rounds(served, "stage moves from a stale page", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


def _distribution_shown(html: str) -> list[int]:
    table = html[html.index('id="distribution-table"') :]
    table = table[: table.index("</table>")]
    return [int(count) for count in re.findall(r'<td class="text-end">(\d+)</td>', table)]


def test_two_ventures_of_a_cohort_moved_at_once_both_show_in_its_analytics(served, team):
    """Both moves restamp the cohort as their transactions end (on PostgreSQL they queue on
    its stamp, never deadlock), and the workers, which kept the analytics before the moves,
    show both after them."""
    url = f"/pipeline/cohorts/{team.cohort_id}/analytics"

    def play(number):
        first, second = served.seed(lambda: (_venture(team).id, _venture(team).id))
        for _ in range(4):
            assert team.manager.get(url).status_code == 200
        shown = race(
            [
                team.manager.post(
                    "pipeline.move_stage",
                    {"stage": "prototype", "reason": "", "seen_stage": "concept"},
                    venture_id=first,
                ),
                team.other_manager.post(
                    "pipeline.move_stage",
                    {"stage": "pilot", "reason": "", "seen_stage": "concept"},
                    venture_id=second,
                ),
            ]
        )
        return shown, (first, second)

    def check(shown, ventures):
        def inspect():
            cohort = db.session.get(Cohort, team.cohort_id)
            walked = analytics_reference.cohort_analytics(cohort, clock.today())
            stored = dict(
                db.session.execute(
                    select(StageChange.id, StageChange.ended_at)
                    .join(Venture)
                    .where(Venture.cohort_id == team.cohort_id)
                ).all()
            )
            stages = [db.session.get(Venture, venture_id).stage for venture_id in ventures]
            return (
                list(walked.distribution.values()),
                stored,
                analytics_reference.stay_ends(cohort),
                stages,
            )

        distribution, stored, walked_ends, stages = served.check(inspect)
        assert stages == ["prototype", "pilot"], [s.text for s in shown]
        assert stored == walked_ends
        for _ in range(4):
            assert _distribution_shown(team.manager.get(url).text) == distribution
        return "both moves shown"

    tally = rounds(served, "two ventures of a cohort moved at once", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


# Check-ins ------------------------------------------------------------------------------------


def test_one_week_posted_from_two_tabs_is_one_check_in(served, team):
    week = served.check(lambda: clock.week_start(clock.today()))

    def play(number):
        venture_id = served.seed(lambda: _venture(team).id)
        shown = race(
            [
                tab.post(
                    "pipeline.check_in",
                    {
                        "week_start": week.isoformat(),
                        "summary": f"Week summary from tab {n}",
                        "confidence": "4",
                        "seen_check_in": "",  # the page showed no check-in for the week
                    },
                    venture_id=venture_id,
                )
                for n, tab in enumerate((team.founder, team.founder_tab))
            ]
        )
        return shown, venture_id

    def check(shown, venture_id):
        def inspect():
            rows = list(db.session.scalars(select(CheckIn).where(CheckIn.venture_id == venture_id)))
            return [(row.id, row.week_start, row.summary) for row in rows]

        rows = served.check(inspect)
        assert len(rows) == 1, rows
        [(check_in_id, week_start, summary)] = rows
        assert week_start == week
        trail = served.check(lambda: actions("check_in", check_in_id))
        assert trail == ["check_in.created", "check_in.updated"], trail
        _first, second = one_of(shown, lambda s: s.said("Check-in posted."))
        # The later post edited the first one, and said so.
        assert summary == second.request.data["summary"]
        assert second.said("already posted the check-in for the week of", "yours replaced it"), (
            second.text
        )
        return "two posts → one check-in, edited once"

    tally = rounds(served, "check-in from two tabs", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


def test_a_check_in_and_a_completion_at_once_both_reach_the_derived_facts(served, team):
    """Two changes to one venture's facts from two requests at once: each transaction writes
    the venture's facts row, and without the row lock the later write, computed before the
    other committed, would lose the other's change (services/pipeline/facts.py)."""
    week = served.check(lambda: clock.week_start(clock.today()))

    def play(number):
        def build():
            venture = _venture(team)
            milestone = factories.milestone(
                venture, TITLE, by=db.session.get(User, team.founder_id)
            )
            milestone.status = MilestoneStatus.IN_PROGRESS
            db.session.flush()
            return venture.id, milestone.id

        venture_id, milestone_id = served.seed(build)
        shown = race(
            [
                team.founder.post(
                    "pipeline.check_in",
                    {
                        "week_start": week.isoformat(),
                        "summary": "Interviews with the bus riders",
                        "confidence": "2",
                        "seen_check_in": "",
                    },
                    venture_id=venture_id,
                ),
                team.founder_tab.post(
                    "pipeline.complete_milestone",
                    {"evidence_note": "Notes from ten interviews."},
                    milestone_id=milestone_id,
                ),
            ]
        )
        return shown, venture_id

    def check(shown, venture_id):
        check_in, completion = shown
        assert check_in.said("Check-in posted."), check_in.text
        assert completion.said(DONE), completion.text

        def inspect():
            row = db.session.get(PipelineFacts, venture_id)
            done = db.session.scalar(
                select(func.count()).where(
                    Milestone.venture_id == venture_id, Milestone.status == MilestoneStatus.DONE
                )
            )
            return (
                (row.check_ins, row.last_check_in_on, row.low_run_2, row.milestones_done),
                (
                    1,
                    week,
                    1,
                    done,
                ),
                venture_id in facts.stale_ventures(),
            )

        found, wanted, stale = served.check(inspect)
        assert found == wanted and not stale, (found, wanted)
        return "both in the facts"

    tally = rounds(served, "a check-in and a completion at once", play, check)
    assert tally.outcomes == {"both in the facts": ROUNDS}
