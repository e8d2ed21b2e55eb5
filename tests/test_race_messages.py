"""What the person who comes second is told, in one process: the state someone else's
change left, with who did it and when. The races themselves run through gunicorn in
tests/test_races_*.py; these tests pin the words quickly, one service call after another.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.models import (
    CheckIn,
    Match,
    MatchingRun,
    MatchStatus,
    MilestoneStatus,
    Role,
    Score,
    StageChange,
    utcnow,
)
from incubator.services import history
from incubator.services.accounts import users
from incubator.services.errors import Conflict, InvalidInput, InvalidToken, NotAllowed
from incubator.services.hackathons import hackathons, judging
from incubator.services.matching import introductions, runs
from incubator.services.pipeline import milestones, stages
from tests import factories

TIME = r"\d{1,2}:\d\d [AP]M"


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def maya(db):
    return factories.user("manager", name="Maya Manager")


@pytest.fixture
def omar(db):
    return factories.user("manager", name="Omar Manager")


@pytest.fixture
def venture(db, maya):
    return factories.venture(factories.cohort(by=maya), "LeakMap", by=maya)


@pytest.fixture
def founder(db, venture):
    return factories.founder_of(venture, name="Fatima Founder")


# Times and names ------------------------------------------------------------------------------


def test_a_moment_today_is_a_time_and_another_day_has_its_date(app, maya):
    maya.time_zone = "America/Los_Angeles"
    now = utcnow()
    assert re.fullmatch(TIME, history.when(now, maya))
    earlier = datetime(2025, 12, 8, 23, 2, tzinfo=UTC)  # 3:02 PM in Los Angeles
    assert history.when(earlier, maya) == "Mon Dec 8, 3:02 PM"
    maya.time_zone = "Europe/London"
    assert history.when(earlier, maya) == "Mon Dec 8, 11:02 PM"
    assert history.when(None, maya) == "a moment ago"


def test_the_viewer_is_you_and_nobody_is_someone(db, maya, omar):
    assert history.who(maya, omar) == "Maya Manager"
    assert history.who(maya, maya) == "You"
    assert history.who(None, maya) == "Someone"


# Milestones -----------------------------------------------------------------------------------


def _done(venture, founder):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Notes from ten interviews.", by=founder)
    return milestone


def test_sending_back_a_verified_milestone_names_who_verified_it(db, venture, founder, maya, omar):
    milestone = _done(venture, founder)
    milestones.verify_milestone(milestone, by=maya)

    with pytest.raises(
        InvalidInput,
        match=rf"^Only a milestone marked done can be sent back\. Maya Manager verified it at "
        rf"{TIME}\.$",
    ):
        milestones.send_back_milestone(milestone, "More", by=omar)
    assert milestone.status == MilestoneStatus.VERIFIED


def test_verifying_a_milestone_sent_back_quotes_the_comment(db, venture, founder, maya, omar):
    milestone = _done(venture, founder)
    milestones.send_back_milestone(milestone, "Only six are written up.", by=omar)

    with pytest.raises(
        InvalidInput,
        match=rf"^Only a milestone marked done can be verified\. Omar Manager sent it back to "
        rf"the founders at {TIME}: “Only six are written up\.”$",
    ):
        milestones.verify_milestone(milestone, by=maya)


def test_completing_twice_says_you_did_it_already(db, venture, founder, maya, audit_events):
    milestone = _done(venture, founder)

    with pytest.raises(
        InvalidInput,
        match=rf"^This milestone is already done\. You marked it done at {TIME}; it waits for a "
        r"program manager's review\.$",
    ):
        milestones.complete_milestone(milestone, None, "Again", by=founder)
    assert len(audit_events("milestone.done")) == 1
    with pytest.raises(InvalidInput, match="Fatima Founder marked it done at"):
        milestones.complete_milestone(milestone, None, "Again", by=maya)


def test_marking_missed_after_it_was_done_says_so(db, venture, founder, maya):
    milestone = _done(venture, founder)
    with pytest.raises(
        InvalidInput, match=r"Only an open milestone can be marked missed\. Fatima Founder marked"
    ):
        milestones.miss_milestone(milestone, "Late", by=maya)


# Stage moves ----------------------------------------------------------------------------------


def test_a_move_from_a_stale_page_names_the_move_that_made_it_stale(db, venture, maya, omar):
    stages.move_stage(venture, "prototype", "", by=maya, seen_stage="concept")

    with pytest.raises(
        Conflict,
        match=rf"^Maya Manager moved this venture to Prototype at {TIME} since you opened the "
        r"page\. Look at it again before moving it\.$",
    ):
        stages.move_stage(venture, "pilot", "", by=omar, seen_stage="concept")

    moves = db.session.execute(
        select(StageChange.from_stage, StageChange.to_stage).order_by(StageChange.id)
    ).all()
    assert moves == [(None, "concept"), ("concept", "prototype")]
    assert venture.stage == "prototype"
    # A move from the page as it is now goes ahead; the chain goes on.
    stages.move_stage(venture, "pilot", "", by=omar, seen_stage="prototype")
    assert db.session.scalar(
        select(StageChange.from_stage).order_by(StageChange.id.desc()).limit(1)
    ) == ("prototype")


def test_the_stage_form_carries_the_stage_the_page_showed(db, client, login_as, maya):
    manager = login_as("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    db.session.commit()
    body = page(client.get(f"/ventures/{venture.id}/milestones"))
    assert re.search(r'<input[^>]*name="seen_stage"[^>]*value="concept"', body), body

    stages.move_stage(venture, "prototype", "", by=maya)
    db.session.commit()
    response = client.post(
        f"/ventures/{venture.id}/stage",
        data={"stage": "pilot", "reason": "", "seen_stage": "concept"},
        follow_redirects=True,
    )
    assert "Maya Manager moved this venture to Prototype at" in page(response)
    db.session.expire_all()
    assert venture.stage == "prototype"


# Check-ins ------------------------------------------------------------------------------------


def test_a_check_in_posted_since_the_page_opened_is_named_when_yours_replaces_it(
    db, client, sign_in, venture, founder
):
    sign_in(client, founder.email)
    other = factories.founder_of(venture, name="Omar Founder")
    week = clock.week_start(clock.today()) - timedelta(days=7)
    url = f"/ventures/{venture.id}/check-in?week={week.isoformat()}"
    form = {"week_start": week.isoformat(), "summary": "Mine", "confidence": "3"}
    db.session.commit()
    assert re.search(r'<input[^>]*name="seen_check_in"[^>]*value=""', page(client.get(url)))

    # Omar posts the week while the page is open.
    theirs = factories.check_in(venture, other, week, today=week + timedelta(days=8))
    db.session.commit()
    response = client.post(url, data={**form, "seen_check_in": ""}, follow_redirects=True)

    body = page(response).replace("&#39;", "'")
    assert re.search(
        rf"Omar Founder had already posted the check-in for the week of {clock.day_label(week)} at "
        rf"{TIME}; yours replaced it\.",
        body,
    ), body
    assert db.session.scalars(select(CheckIn.summary)).all() == ["Mine"]

    # Editing the check-in the page showed is an ordinary edit.
    body = page(client.get(url))
    assert re.search(rf'<input[^>]*name="seen_check_in"[^>]*value="{theirs.id}"', body), body
    response = client.post(
        url,
        data={**form, "summary": "Mine, again", "seen_check_in": str(theirs.id)},
        follow_redirects=True,
    )
    assert f"The check-in for the week of {clock.day_label(week)} is updated." in page(response)


# Introductions and matching runs --------------------------------------------------------------


@pytest.fixture
def introduced(db, venture, founder):
    mentor = factories.mentor("Marco Mentor")
    return factories.introduction(venture, mentor), mentor


def test_accepting_a_declined_introduction_quotes_who_declined_and_why_when_shared(
    db, introduced, founder
):
    match, mentor = introduced
    introductions.answer(match, False, "No time this spring.", by=mentor, share_reason=True)

    with pytest.raises(
        InvalidInput,
        match=rf"^This introduction was already declined by Marco Mentor at {TIME}: “No time "
        r"this spring\.”\.$",
    ):
        introductions.answer(match, True, by=founder)
    assert (match.venture_answer, match.counterpart_answer) == ("pending", "declined")


def test_accepting_a_declined_introduction_keeps_a_private_reason_from_the_other_side(
    db, introduced, founder
):
    match, mentor = introduced
    introductions.answer(match, False, "No time this spring.", by=mentor)

    with pytest.raises(
        InvalidInput,
        match=rf"^This introduction was already declined by Marco Mentor at {TIME}\.$",
    ):
        introductions.answer(match, True, by=founder)
    assert (match.venture_answer, match.counterpart_answer) == ("pending", "declined")


def test_answering_twice_for_one_side_names_the_first_answer(db, introduced, venture, founder):
    match, _mentor = introduced
    cofounder = factories.founder_of(venture, name="Carla Cofounder")
    introductions.answer(match, True, by=founder)

    with pytest.raises(
        InvalidInput,
        match=rf"^Your side has already answered this introduction: Fatima Founder accepted it "
        rf"at {TIME}\.$",
    ):
        introductions.answer(match, False, "Changed my mind", by=cofounder)


def test_the_second_acceptance_makes_the_match(db, introduced, founder):
    match, mentor = introduced
    introductions.answer(match, True, by=mentor)
    introductions.answer(match, True, by=founder)
    assert match.status == MatchStatus.ACCEPTED

    with pytest.raises(
        InvalidInput, match=rf"^This introduction was already accepted by both sides at {TIME}\.$"
    ):
        introductions.answer(match, False, "Late", by=mentor)


def _draft(venture, maya) -> tuple[MatchingRun, Match]:
    """A draft mentor run proposing to introduce the venture to a new mentor, Marco."""
    mentor = factories.mentor("Marco Mentor")
    run = factories.draft_mentor_run(venture.cohort_id, by=maya)
    return run, factories.proposed_mentor_match(run, venture.id, mentor.id)


def test_publishing_twice_names_who_published(db, venture, founder, maya, omar, outbox):
    run, _match = _draft(venture, maya)
    runs.publish(run, by=maya)
    mails = len(outbox())

    with pytest.raises(
        Conflict, match=rf"^This run was already published by Maya Manager at {TIME}\.$"
    ):
        runs.publish(run, by=omar)
    with pytest.raises(Conflict, match="already published by You at"):
        runs.publish(run, by=maya)
    assert len(outbox()) == mails


def test_a_review_edit_after_publishing_names_who_published(db, venture, founder, maya, omar):
    run, match = _draft(venture, maya)
    runs.publish(run, by=omar)

    message = (
        rf"^Only a draft proposal can be changed: this run was published by Omar Manager at "
        rf"{TIME}\.$"
    )
    with pytest.raises(InvalidInput, match=message):
        runs.remove(match, by=maya)
    with pytest.raises(InvalidInput, match=message):
        runs.pin(match, by=maya)
    assert match.status == MatchStatus.INTRODUCED


# Judging --------------------------------------------------------------------------------------


def _close(hackathon, by) -> None:
    data = hackathons.HackathonInput(
        name=hackathon.name,
        theme=hackathon.theme,
        starts_on=hackathon.starts_on,
        ends_on=hackathon.ends_on,
        venue=hackathon.venue,
        time_zone=hackathon.time_zone,
        status="closed",
        description="",
    )
    hackathons.update_hackathon(hackathon, data, by=by)


def test_a_score_after_the_close_names_who_closed_judging_and_when(db, maya):
    hackathon = factories.judging_hackathon(venue="City Hall")
    criterion = factories.rubric_criterion(hackathon, "Impact")
    submission = factories.judging_submission(hackathon, "LeakMap")
    judge = factories.user("judge", name="Jun Judge")
    factories.judge_assignment(judge, submission)
    _close(hackathon, maya)

    with pytest.raises(
        NotAllowed,
        match=rf"^Judging of {hackathon.name} is closed; scores can no longer change \(Maya "
        rf"Manager closed judging at {TIME}\)\.$",
    ):
        judging.submit_scores(judge, submission, {criterion.id: 4})
    assert db.session.scalars(select(Score)).all() == []


# Invitations ----------------------------------------------------------------------------------


def test_an_invitation_accepted_twice_is_used_once(db, maya, audit_events):
    invitation = users.invite("ana@example.org", "Ana", {Role.FOUNDER}, by=maya)
    token = users.invitation_token(invitation)
    users.accept_invitation(
        token, name="Ana Ruiz", password="first tab password", time_zone="America/Los_Angeles"
    )
    db.session.commit()  # as the first tab's request does

    with pytest.raises(InvalidToken, match=r"^This invitation has already been used\. Sign in"):
        users.accept_invitation(
            token, name="Ana R", password="second tab password", time_zone="America/Los_Angeles"
        )
    assert len(audit_events("invitation.accepted")) == 1
    assert users.authenticate("ana@example.org", "first tab password").name == "Ana Ruiz"
