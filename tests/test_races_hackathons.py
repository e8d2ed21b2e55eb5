"""A judge saving scores while a manager closes judging, through the multi-worker server
(tests/races.py): the score is saved before the close, or refused with who closed judging
and when; no score changes after the close. `make test` runs this on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from incubator.extensions import db
from incubator.models import Hackathon, Score, User
from tests import factories
from tests.race_helpers import events, new_email
from tests.races import ROUNDS, Browser, race, rounds


@pytest.fixture
def jury(served):
    def build():
        manager = factories.user("manager", name="Maya Manager", email=new_email("maya"))
        judge = factories.user("judge", name="Jun Judge", email=new_email("jun"))
        return judge.id, (manager.email, judge.email)

    judge_id, emails = served.seed(build)
    manager, judge = (Browser(served, email) for email in emails)
    yield judge_id, manager, judge
    manager.close()
    judge.close()


def _judging(judge_id: int) -> tuple[int, int, int, dict]:
    """A hackathon in judging with one criterion and one submission assigned to the judge;
    returns their ids and the edit form's fields as the manager's page has them."""
    hackathon = factories.judging_hackathon(venue="City Hall", time_zone="America/Los_Angeles")
    criterion = factories.rubric_criterion(hackathon, "Impact", scale_min=1, scale_max=5)
    submission = factories.judging_submission(hackathon, "LeakMap")
    factories.judge_assignment(db.session.get(User, judge_id), submission)
    form = {
        "name": hackathon.name,
        "theme": hackathon.theme,
        "starts_on": hackathon.starts_on.isoformat(),
        "ends_on": hackathon.ends_on.isoformat(),
        "venue": hackathon.venue,
        "time_zone": hackathon.time_zone,
        "status": "closed",
        "description": "",
    }
    return hackathon.id, criterion.id, submission.id, form


def test_a_score_saved_while_judging_closes_lands_before_the_close_or_is_refused(served, jury):
    judge_id, manager, judge = jury

    def play(number):
        hackathon_id, criterion_id, submission_id, form = served.seed(lambda: _judging(judge_id))
        shown = race(
            [
                judge.post(
                    "judging.score",
                    {f"criterion_{criterion_id}": "4", f"comment_{criterion_id}": "Clear plan"},
                    submission_id=submission_id,
                ),
                manager.post("hackathons.edit", form, hackathon_id=hackathon_id),
            ]
        )
        return shown, (hackathon_id, submission_id)

    def check(shown, context):
        hackathon_id, submission_id = context

        def inspect():
            status = db.session.get(Hackathon, hackathon_id).status
            scores = list(
                db.session.scalars(select(Score.value).where(Score.submission_id == submission_id))
            )
            closed = [
                e.id
                for e in events("hackathon", hackathon_id)
                if e.action == "hackathon.updated" and e.after["status"] == "closed"
            ]
            trail = events("submission", submission_id)
            saved = [e.id for e in trail if e.action == "scores.saved"]
            return status, scores, closed, saved

        status, scores, closed, saved = served.check(inspect)
        scoring, closing = shown
        assert status == "closed"
        assert len(closed) == 1, closed
        assert closing.said("Hackathon saved."), closing.text
        if scores:
            # Saved, and before the close: its audit event comes first.
            assert scores == [4]
            assert len(saved) == 1 and saved[0] < closed[0], (saved, closed)
            assert scoring.said("Scores for LeakMap saved."), scoring.text
            return "score saved, then judging closed"
        assert saved == []
        assert scoring.said(
            "is closed; scores can no longer change", "Maya Manager closed judging at"
        ), scoring.text
        return "judging closed first, score refused"

    tally = rounds(served, "score vs closing judging", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS
