"""Judging: rubric rules, assignments, scoring, rankings, placements, export and access."""

from __future__ import annotations

import csv
import io
import math
import random
import re
import statistics

import pytest
from sqlalchemy import select

from incubator import permissions
from incubator.blueprints.judging import routes as judging_routes
from incubator.models import (
    AuditEvent,
    Challenge,
    HackathonStatus,
    JudgeAssignment,
    Placement,
    RubricCriterion,
    Score,
    Submission,
    User,
)
from incubator.services.errors import Conflict, InvalidInput, NotAllowed
from incubator.services.hackathons import judging, results
from incubator.services.spreadsheets import spreadsheet_safe
from tests import factories
from tests.helpers import count, location, page


def scores_in_db(db, judge=None, submission=None) -> dict[tuple[int, int, int], int]:
    """Every stored score, fresh from the database: (judge, submission, criterion) -> value."""
    db.session.expire_all()
    statement = select(Score)
    if judge is not None:
        statement = statement.where(Score.judge_id == judge.id)
    if submission is not None:
        statement = statement.where(Score.submission_id == submission.id)
    return {
        (s.judge_id, s.submission_id, s.criterion_id): s.value
        for s in db.session.scalars(statement)
    }


def events(db, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def single_criterion_hackathon(scale_max: int = 10):
    hackathon = factories.judging_hackathon()
    criterion = factories.rubric_criterion(hackathon, "Overall", 1, 0, scale_max)
    return hackathon, criterion


def judge(name: str | None = None):
    return factories.user("judge", name=name)


def submission_with_a_judge(hackathon, name: str | None = None):
    """A submission to the hackathon and a new judge assigned to score it."""
    submission = factories.judging_submission(hackathon)
    someone = judge(name=name)
    factories.judge_assignment(someone, submission)
    return submission, someone


@pytest.fixture
def scored_criterion(app):
    """The one criterion (scored 0 to 10) of a hackathon whose one judge gave it a 7."""
    hackathon, criterion = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon)
    judging.submit_scores(someone, submission, {criterion.id: 7})
    return criterion


def row_for(rows, submission) -> results.ResultRow:
    return next(row for row in rows if row.submission.id == submission.id)


# Rubric ---------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [0, -1, 100.5, 101, float("nan")])
def test_criterion_weight_must_be_above_0_and_at_most_100(app, db, weight):
    hackathon = factories.judging_hackathon()
    with pytest.raises(InvalidInput, match="weight must be more than 0 and at most 100"):
        judging.add_criterion(hackathon, "Impact", weight, 1, 5, by=None)
    assert count(RubricCriterion) == 0


@pytest.mark.parametrize("weight", [0.5, 1, 100])
def test_criterion_weight_within_bounds_is_accepted(app, db, weight):
    hackathon = factories.judging_hackathon()
    criterion = judging.add_criterion(hackathon, "Impact", weight, 1, 5, by=None)
    assert criterion.weight == weight


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        (5, 5, "lowest score must be below its highest"),
        (6, 5, "lowest score must be below its highest"),
        (-1, 5, "within 0 to 100; -1 does not"),
        (0, 101, "within 0 to 100; 101 does not"),
    ],
)
def test_criterion_scale_must_be_in_order_and_within_0_to_100(app, db, low, high, message):
    hackathon = factories.judging_hackathon()
    with pytest.raises(InvalidInput, match=message):
        judging.add_criterion(hackathon, "Impact", 1, low, high, by=None)


def test_criterion_scale_at_the_limits_is_accepted(app, db):
    hackathon = factories.judging_hackathon()
    criterion = judging.add_criterion(hackathon, "Impact", 1, 0, 100, by=None)
    assert (criterion.scale_min, criterion.scale_max) == (0, 100)


def test_criterion_name_is_required_and_unique_per_hackathon(app, db):
    hackathon = factories.judging_hackathon()
    other = factories.judging_hackathon()
    judging.add_criterion(hackathon, "Impact", 1, 1, 5, by=None)
    with pytest.raises(InvalidInput, match="needs a name"):
        judging.add_criterion(hackathon, "   ", 1, 1, 5, by=None)
    with pytest.raises(InvalidInput, match="already has a criterion called 'impact'"):
        judging.add_criterion(hackathon, "impact", 1, 1, 5, by=None)
    assert judging.add_criterion(other, "Impact", 1, 1, 5, by=None).hackathon_id == other.id


def test_criteria_are_added_in_order_and_audited(app, db):
    manager = factories.user("manager")
    hackathon = factories.judging_hackathon()
    first = judging.add_criterion(hackathon, "Impact", 3, 1, 5, by=manager)
    second = judging.add_criterion(hackathon, "Design", 1, 1, 5, by=manager)
    assert second.position > first.position
    [_, created] = events(db, "criterion.created")
    assert created.actor_id == manager.id
    assert created.after["name"] == "Design"


def test_removing_a_scored_criterion_is_refused_with_a_clear_message(db, scored_criterion):
    criterion = scored_criterion
    with pytest.raises(Conflict, match="already has 1 score; removing it would delete them"):
        judging.remove_criterion(criterion, by=None)
    assert db.session.get(RubricCriterion, criterion.id) is not None


def test_removing_an_unscored_criterion_is_audited(app, db):
    manager = factories.user("manager")
    _, criterion = single_criterion_hackathon()
    judging.remove_criterion(criterion, by=manager)
    assert count(RubricCriterion) == 0
    [removed] = events(db, "criterion.removed")
    assert removed.before["name"] == "Overall"


def test_scored_criterion_keeps_its_scale_but_its_weight_can_change(db, scored_criterion):
    criterion = scored_criterion
    with pytest.raises(Conflict, match="scale of a scored criterion cannot change"):
        judging.update_criterion(criterion, "Overall", 1, 1, 10, by=None)
    judging.update_criterion(criterion, "Overall impression", 2.5, 0, 10, by=None)
    assert (criterion.name, criterion.weight) == ("Overall impression", 2.5)
    [updated] = events(db, "criterion.updated")
    assert updated.before["weight"] == 1 and updated.after["weight"] == 2.5


@pytest.fixture
def name_check_missed(monkeypatch):
    """As when two requests save the same name at once: both pass the service's check, and
    only the database's unique name stops the second."""
    monkeypatch.setattr(judging, "_name_taken", lambda *args: False)


def test_a_name_saved_meanwhile_is_a_conflict_not_a_database_error(app, db, name_check_missed):
    hackathon = factories.judging_hackathon()
    judging.add_criterion(hackathon, "Impact", 1, 1, 5, by=None)
    design = judging.add_criterion(hackathon, "Design", 1, 1, 5, by=None)

    with pytest.raises(Conflict, match="saved a moment ago; nothing changed"):
        judging.update_criterion(design, "Impact", 1, 1, 5, by=None)
    with pytest.raises(Conflict, match="saved a moment ago; nothing changed"):
        judging.add_criterion(hackathon, "Impact", 1, 1, 5, by=None)


def test_adding_a_name_saved_meanwhile_shows_a_message(
    app, db, client, login_as, name_check_missed
):
    hackathon = factories.judging_hackathon()
    judging.add_criterion(hackathon, "Impact", 1, 1, 5, by=None)
    login_as("manager")

    response = client.post(
        f"/judging/hackathons/{hackathon.id}/rubric",
        data={"name": "Impact", "weight": "1", "scale_min": "1", "scale_max": "5"},
    )

    assert response.status_code == 200
    assert "A criterion with that name was saved a moment ago" in page(response)
    assert count(RubricCriterion) == 1


# Assignments ----------------------------------------------------------------------------


def test_only_users_with_the_judge_role_can_be_assigned(app, db):
    hackathon, _ = single_criterion_hackathon()
    factories.judging_submission(hackathon)
    mentor = factories.user("mentor", name="Mo Mentor")
    with pytest.raises(InvalidInput, match="Mo Mentor does not hold the judge role"):
        judging.assign_judges(hackathon, [mentor], by=None)
    assert count(JudgeAssignment) == 0


def test_assigning_to_all_skips_drafts_and_is_idempotent(app, db):
    manager = factories.user("manager")
    hackathon, _ = single_criterion_hackathon()
    submitted = [factories.judging_submission(hackathon) for _ in range(3)]
    draft = factories.judging_submission(hackathon, status="draft")
    first, second = judge(), judge()

    assert judging.assign_judges(hackathon, [first, second], by=manager) == 6
    assert judging.assign_judges(hackathon, [first, second], by=manager) == 0

    pairs = set(db.session.execute(select(JudgeAssignment.judge_id, JudgeAssignment.submission_id)))
    assert pairs == {(j.id, s.id) for j in (first, second) for s in submitted}
    assert all(submission_id != draft.id for _, submission_id in pairs)
    assert len(events(db, "judge_assignment.created")) == 2


def test_assigning_a_chosen_list_refuses_drafts(app, db):
    hackathon, _ = single_criterion_hackathon()
    draft = factories.judging_submission(hackathon, title="Half done", status="draft")
    with pytest.raises(InvalidInput, match="'Half done' is a draft"):
        judging.assign_judges(hackathon, [judge()], [draft], by=None)


def test_unassigning_a_judge_who_scored_is_refused_unless_forced(app, db):
    hackathon, criterion = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon, name="Jo Judge")
    judging.submit_scores(someone, submission, {criterion.id: 4})

    with pytest.raises(Conflict, match="Jo Judge has already scored 1 submission"):
        judging.unassign_judge(someone, submission, by=None)
    assert permissions.may_score_submission(someone, submission)

    assert judging.unassign_judge(someone, submission, by=None, force=True)
    assert not permissions.may_score_submission(someone, submission)
    # The scores are kept (and audited) but no longer count.
    assert scores_in_db(db, someone) == {(someone.id, submission.id, criterion.id): 4}
    [removed] = events(db, "judge_assignment.removed")
    assert removed.before["scores"] == {str(submission.id): {str(criterion.id): 4}}
    assert row_for(results.ranking(hackathon), submission).complete_scores == 0


def test_unassigning_a_judge_who_has_not_scored(app, db):
    hackathon, _ = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon)
    assert judging.unassign_judge(someone, submission, by=None)
    assert not permissions.may_score_submission(someone, submission)


# Scoring --------------------------------------------------------------------------------


def test_only_an_assigned_judge_can_score(app, db):
    hackathon, criterion = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon)
    with pytest.raises(NotAllowed, match="not assigned"):
        judging.submit_scores(judge(), submission, {criterion.id: 5})
    assert scores_in_db(db) == {}


def test_a_judge_changes_their_own_scores_by_submitting_again(app, db):
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 2, 1, 5)
    design = factories.rubric_criterion(hackathon, "Design", 1, 1, 5)
    submission, someone = submission_with_a_judge(hackathon)

    judging.submit_scores(someone, submission, {impact.id: 1, design.id: 5}, {impact.id: "Oops"})
    judging.submit_scores(someone, submission, {impact.id: 4, design.id: 5}, {impact.id: "Fixed"})

    assert scores_in_db(db) == {
        (someone.id, submission.id, impact.id): 4,
        (someone.id, submission.id, design.id): 5,
    }
    assert judging.scores_of(someone, submission)[impact.id].comment == "Fixed"
    first, second = events(db, "scores.saved")
    assert first.before is None
    assert second.before["values"] == {str(impact.id): 1, str(design.id): 5}
    assert second.after["values"] == {str(impact.id): 4, str(design.id): 5}
    assert second.actor_id == someone.id


def test_a_judges_scores_never_touch_another_judges(app, db):
    hackathon, criterion = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon)
    first, second = judge(), judge()
    factories.judge_assignment(first, submission)
    factories.judge_assignment(second, submission)
    judging.submit_scores(first, submission, {criterion.id: 2})
    judging.submit_scores(second, submission, {criterion.id: 9})
    judging.submit_scores(first, submission, {criterion.id: 3})
    assert scores_in_db(db) == {
        (first.id, submission.id, criterion.id): 3,
        (second.id, submission.id, criterion.id): 9,
    }


def test_a_missing_value_is_refused_and_nothing_is_written(app, db):
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact")
    factories.rubric_criterion(hackathon, "Design")
    submission, someone = submission_with_a_judge(hackathon)
    with pytest.raises(InvalidInput, match="Score every criterion; missing: Design"):
        judging.submit_scores(someone, submission, {impact.id: 3})
    assert scores_in_db(db) == {}
    assert events(db, "scores.saved") == []


@pytest.mark.parametrize("value", [0, 6, -3])
def test_a_value_outside_the_scale_is_refused_and_nothing_is_written(app, db, value):
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 1, 1, 5)
    design = factories.rubric_criterion(hackathon, "Design", 1, 1, 5)
    submission, someone = submission_with_a_judge(hackathon)
    judging.submit_scores(someone, submission, {impact.id: 2, design.id: 2})
    with pytest.raises(InvalidInput, match=f"Design is scored from 1 to 5; {value} is outside"):
        judging.submit_scores(someone, submission, {impact.id: 5, design.id: value})
    assert set(scores_in_db(db).values()) == {2}


def test_a_criterion_of_another_hackathon_is_refused(app, db):
    hackathon, criterion = single_criterion_hackathon()
    _, foreign = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon)
    with pytest.raises(InvalidInput, match="not in this rubric"):
        judging.submit_scores(someone, submission, {criterion.id: 3, foreign.id: 3})
    assert scores_in_db(db) == {}


def test_scores_cannot_change_once_the_hackathon_is_closed(app, db):
    hackathon, criterion = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon)
    judging.submit_scores(someone, submission, {criterion.id: 3})
    hackathon.status = HackathonStatus.CLOSED
    with pytest.raises(NotAllowed, match="is closed"):
        judging.submit_scores(someone, submission, {criterion.id: 8})
    assert set(scores_in_db(db).values()) == {3}


def test_a_submission_that_went_back_to_draft_is_not_judged(app, db):
    hackathon, criterion = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon)
    submission.status = "draft"
    with pytest.raises(InvalidInput, match="drafts are not judged"):
        judging.submit_scores(someone, submission, {criterion.id: 3})
    assert judging.assigned_submission(someone, submission.id) is None
    assert results.ranking(hackathon) == []


# Results --------------------------------------------------------------------------------


def test_results_rank_by_weighted_score(app, db):
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 3, 1, 5)
    feasibility = factories.rubric_criterion(hackathon, "Feasibility", 1, 0, 10)
    x = factories.judging_submission(hackathon, title="X")
    y = factories.judging_submission(hackathon, title="Y")
    z = factories.judging_submission(hackathon, title="Z")
    one, two = judge(), judge()
    factories.judge_assignment(one, x, y, z)
    factories.judge_assignment(two, x, y, z)

    def give(who, submission, impact_value, feasibility_value):
        values = {impact.id: impact_value, feasibility.id: feasibility_value}
        judging.submit_scores(who, submission, values)

    give(one, x, 5, 0)  # (3 * 4/4 + 1 * 0/10) / 4 = 0.75   -> 75
    give(one, y, 3, 10)  # (3 * 2/4 + 1 * 10/10) / 4 = 0.625 -> 62.5
    give(one, z, 1, 10)  # (3 * 0/4 + 1 * 10/10) / 4 = 0.25  -> 25
    give(two, x, 4, 2)  # (3 * 3/4 + 1 * 2/10) / 4 = 0.6125 -> 61.25
    give(two, y, 4, 6)  # (3 * 3/4 + 1 * 6/10) / 4 = 0.7125 -> 71.25
    # Judge two has not scored Z yet.

    rows = results.ranking(hackathon)

    # Unweighted, Y (mean 71.25) would beat X (48.75); the weights put Impact first.
    assert [row.submission.title for row in rows] == ["X", "Y", "Z"]
    assert [row.rank for row in rows] == [1, 2, 3]
    assert [row.raw_score for row in rows] == pytest.approx([68.125, 66.875, 25.0])
    assert [(row.complete_scores, row.judges_assigned) for row in rows] == [(2, 2), (2, 2), (1, 2)]


def test_normalising_per_judge_stops_a_harsh_judge_sinking_a_team(app, db):
    hackathon, overall = single_criterion_hackathon(scale_max=10)
    a, b, c, d, e, f = (factories.judging_submission(hackathon, title=t) for t in "ABCDEF")
    harsh, lenient = judge(), judge()
    factories.judge_assignment(harsh, a, b, c)
    factories.judge_assignment(lenient, d, e, f)
    for who, submission, value in [
        (harsh, a, 1),
        (harsh, b, 2),
        (harsh, c, 6),  # the harsh judge's clear favourite
        (lenient, d, 7),
        (lenient, e, 8),
        (lenient, f, 9),
    ]:
        judging.submit_scores(who, submission, {overall.id: value})

    raw = results.ranking(hackathon, normalise=False)
    assert [row.submission.title for row in raw] == ["F", "E", "D", "C", "B", "A"]
    assert row_for(raw, c).raw_score == pytest.approx(60)

    # Harsh: 10, 20, 60 -> mean 30; lenient: 70, 80, 90 -> mean 80 (population deviations).
    harsh_spread = math.sqrt((20**2 + 10**2 + 30**2) / 3)
    lenient_spread = math.sqrt((10**2 + 0 + 10**2) / 3)
    normalised = results.ranking(hackathon, normalise=True)
    assert [row.submission.title for row in normalised] == ["C", "F", "E", "B", "A", "D"]
    expected = {
        c: 30 / harsh_spread,
        f: 10 / lenient_spread,
        e: 0.0,
        b: -10 / harsh_spread,
        a: -20 / harsh_spread,
        d: -10 / lenient_spread,
    }
    for submission, score in expected.items():
        assert row_for(normalised, submission).normalised_score == pytest.approx(score)
    assert normalised[0].rank == 1 and normalised[0].raw_score == pytest.approx(60)


def test_a_judge_with_one_score_or_no_spread_contributes_zero(app, db):
    hackathon, overall = single_criterion_hackathon(scale_max=10)
    s1 = factories.judging_submission(hackathon, title="One")
    s2 = factories.judging_submission(hackathon, title="Two")
    single, flat, spread = judge(), judge(), judge()
    factories.judge_assignment(single, s1)
    factories.judge_assignment(flat, s1, s2)
    factories.judge_assignment(spread, s1, s2)
    judging.submit_scores(single, s1, {overall.id: 10})
    judging.submit_scores(flat, s1, {overall.id: 5})
    judging.submit_scores(flat, s2, {overall.id: 5})
    judging.submit_scores(spread, s1, {overall.id: 2})
    judging.submit_scores(spread, s2, {overall.id: 8})

    rows = results.ranking(hackathon, normalise=True)

    assert row_for(rows, s1).normalised_score == pytest.approx((0 + 0 - 1) / 3)
    assert row_for(rows, s2).normalised_score == pytest.approx((0 + 1) / 2)
    assert [row.submission for row in rows] == [s2, s1]


def test_score_counts_include_only_complete_scores_from_assigned_judges(app, db):
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact")
    submission = factories.judging_submission(hackathon)
    unscored = factories.judging_submission(hackathon, title="Nobody yet")
    first, second, third = judge(), judge(), judge()
    for who in (first, second, third):
        factories.judge_assignment(who, submission, unscored)
    judging.submit_scores(first, submission, {impact.id: 5})
    judging.submit_scores(second, submission, {impact.id: 3})
    judging.unassign_judge(second, submission, by=None, force=True)
    # A criterion added after scoring makes the first judge's score incomplete until redone.
    design = factories.rubric_criterion(hackathon, "Design")
    judging.submit_scores(third, submission, {impact.id: 1, design.id: 5})

    rows = results.ranking(hackathon)

    scored = row_for(rows, submission)
    assert (scored.complete_scores, scored.judges_assigned) == (1, 2)
    assert scored.raw_score == pytest.approx(50)
    nobody = row_for(rows, unscored)
    assert (nobody.complete_scores, nobody.judges_assigned) == (0, 3)
    assert nobody.rank is None and nobody.raw_score is None and nobody.normalised_score is None
    assert rows[-1] is nobody


def test_three_tied_submissions_share_a_rank_and_are_marked_tied(app, db):
    hackathon, overall = single_criterion_hackathon()
    top = factories.judging_submission(hackathon, title="Top")
    gamma = factories.judging_submission(hackathon, title="Gamma")
    beta = factories.judging_submission(hackathon, title="Beta")
    alpha = factories.judging_submission(hackathon, title="alpha")
    last = factories.judging_submission(hackathon, title="Last")
    unscored = factories.judging_submission(hackathon, title="Unscored")
    someone = judge()
    factories.judge_assignment(someone, top, gamma, beta, alpha, last, unscored)
    for submission, value in [(top, 8), (gamma, 6), (beta, 6), (alpha, 6), (last, 2)]:
        judging.submit_scores(someone, submission, {overall.id: value})

    for normalise in (False, True):
        rows = results.ranking(hackathon, normalise=normalise)

        # Same score, same number of judges, same other score: by title, case aside.
        assert [row.submission for row in rows] == [top, alpha, beta, gamma, last, unscored]
        assert [row.rank for row in rows] == [1, 2, 2, 2, 5, None]
        assert [row.tied for row in rows] == [False, True, True, True, False, False]


def test_within_a_tie_more_complete_scores_come_first(app, db):
    hackathon, overall = single_criterion_hackathon()
    alone = factories.judging_submission(hackathon, title="A lone judge")
    backed = factories.judging_submission(hackathon, title="Backed by two")
    first, second = judge(), judge()
    factories.judge_assignment(first, alone, backed)
    factories.judge_assignment(second, backed)
    judging.submit_scores(first, alone, {overall.id: 6})
    judging.submit_scores(first, backed, {overall.id: 6})
    judging.submit_scores(second, backed, {overall.id: 6})

    rows = results.ranking(hackathon)

    assert [row.submission for row in rows] == [backed, alone]
    assert [(row.rank, row.tied, row.complete_scores) for row in rows] == [
        (1, True, 2),
        (1, True, 1),
    ]


def test_within_a_raw_tie_the_higher_normalised_score_comes_first(app, db):
    hackathon, overall = single_criterion_hackathon()
    # Judge A gives 6 and 2 (6 is +1 of A's spread); judge B gives 6 and 9 (6 is -1 of B's).
    favourite = factories.judging_submission(hackathon, title="Zebra")
    average = factories.judging_submission(hackathon, title="Aardvark")
    low = factories.judging_submission(hackathon, title="Low")
    high = factories.judging_submission(hackathon, title="High")
    a, b = judge(), judge()
    factories.judge_assignment(a, favourite, low)
    factories.judge_assignment(b, average, high)
    for who, submission, value in [(a, favourite, 6), (a, low, 2), (b, average, 6), (b, high, 9)]:
        judging.submit_scores(who, submission, {overall.id: value})

    rows = results.ranking(hackathon)

    assert [row.submission for row in rows] == [high, favourite, average, low]
    assert [row.rank for row in rows] == [1, 2, 2, 4]
    assert [row.normalised_score for row in rows[1:3]] == pytest.approx([1.0, -1.0])


def test_the_breakdown_has_each_judges_values_total_and_comments(app, db):
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 3, 1, 5)
    feasibility = factories.rubric_criterion(hackathon, "Feasibility", 1, 0, 10)
    submission = factories.judging_submission(hackathon, title="Water Watch")
    other = factories.judging_submission(hackathon, title="Other")
    zoe, adam, late = judge("Zoe Judge"), judge("Adam Judge"), judge("Late Judge")
    factories.judge_assignment(zoe, submission, other)
    factories.judge_assignment(adam, submission)
    factories.judge_assignment(late, submission)
    judging.submit_scores(
        zoe, submission, {impact.id: 5, feasibility.id: 0}, {impact.id: "Clear need in Watts"}
    )
    judging.submit_scores(zoe, other, {impact.id: 1, feasibility.id: 10})
    judging.submit_scores(adam, submission, {impact.id: 4, feasibility.id: 2})
    # A criterion added later leaves Late Judge's earlier score incomplete.
    design = factories.rubric_criterion(hackathon, "Design", 1, 1, 5)
    judging.submit_scores(adam, submission, {impact.id: 4, feasibility.id: 2, design.id: 3})
    judging.submit_scores(
        zoe,
        submission,
        {impact.id: 5, feasibility.id: 0, design.id: 5},
        {impact.id: "Clear need in Watts", design.id: "Lovely"},
    )
    judging.submit_scores(zoe, other, {impact.id: 1, feasibility.id: 10, design.id: 1})

    row = row_for(results.ranking(hackathon), submission)

    assert [scores.judge for scores in row.judges] == [adam, late, zoe]
    adams, lates, zoes = row.judges
    assert adams.values == {impact.id: 4, feasibility.id: 2, design.id: 3}
    # (3 * 3/4 + 1 * 2/10 + 1 * 2/4) / 5 = 0.59
    assert adams.weighted == pytest.approx(59.0)
    assert adams.z_score == 0.0  # Adam scored one submission only
    assert zoes.values == {impact.id: 5, feasibility.id: 0, design.id: 5}
    # (3 * 4/4 + 0 + 1 * 4/4) / 5 = 0.8, against 0.2 for Other: one spread above Zoe's mean.
    assert zoes.weighted == pytest.approx(80.0)
    assert zoes.z_score == pytest.approx(1.0)
    assert zoes.comments == {impact.id: "Clear need in Watts", design.id: "Lovely"}
    assert (lates.values, lates.weighted, lates.complete) == ({}, None, False)
    assert row.raw_score == pytest.approx((59.0 + 80.0) / 2)
    assert (row.complete_scores, row.judges_assigned, row.comment_count) == (2, 3, 2)


def z_scores_by_the_rule(weighted: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Each (judge, submission) weighted score as a population z-score among the judge's own;
    0 for a judge with a single score or none apart."""
    z_scores: dict[tuple[int, int], float] = {}
    for judge_id in {judge_id for judge_id, _submission_id in weighted}:
        own = {pair: score for pair, score in weighted.items() if pair[0] == judge_id}
        if len(own) < 2 or statistics.pstdev(own.values()) < 1e-9:
            z_scores.update(dict.fromkeys(own, 0.0))
            continue
        mean, spread = statistics.fmean(own.values()), statistics.pstdev(own.values())
        z_scores.update({pair: (score - mean) / spread for pair, score in own.items()})
    return z_scores


def test_the_tally_agrees_with_the_rules_on_random_scores(app, db):
    """The database adds up the scores; the weights, completeness, z-scores and means it
    gives are the rules' (`weighted_score`, population z-scores, means over complete scores
    by assigned judges), on a random rubric, panel and set of scores."""
    rng = random.Random(16)
    hackathon = factories.judging_hackathon()
    criteria = []
    for number in range(3):
        low = rng.randint(0, 2)
        criteria.append(
            factories.rubric_criterion(
                hackathon,
                f"Criterion {number}",
                rng.choice([0.5, 1, 2, 3]),
                low,
                low + rng.randint(1, 9),
            )
        )
    submissions = [factories.judging_submission(hackathon) for _ in range(12)]
    panel = [judge() for _ in range(4)]
    given: dict[tuple[int, int], dict[int, int]] = {}
    for who in panel:
        mine = rng.sample(submissions, rng.randint(3, len(submissions)))
        factories.judge_assignment(who, *mine)
        for submission in mine:
            if rng.random() < 0.9:
                values = {c.id: rng.randint(c.scale_min, c.scale_max) for c in criteria}
                judging.submit_scores(who, submission, values)
                given[(who.id, submission.id)] = values
    # A criterion added after scoring leaves a score incomplete, not counted, until redone.
    late = factories.rubric_criterion(hackathon, "Added late", 2, 1, 5)
    criteria.append(late)
    for (judge_id, submission_id), values in given.items():
        if rng.random() < 0.7:
            values[late.id] = rng.randint(1, 5)
            judging.submit_scores(
                db.session.get(User, judge_id), db.session.get(Submission, submission_id), values
            )
    # A judge taken off a submission after scoring it no longer counts for it.
    leaving, left = next(iter(given))
    judging.unassign_judge(
        db.session.get(User, leaving), db.session.get(Submission, left), by=None, force=True
    )
    given.pop((leaving, left))

    found = results.tally(hackathon, normalise=True)

    complete = {
        pair: results.weighted_score(criteria, values)
        for pair, values in given.items()
        if len(values) == len(criteria)
    }
    assert found.weighted == pytest.approx(complete)
    expected_z = z_scores_by_the_rule(complete)
    assert found.z_scores == pytest.approx(expected_z)
    for standing in found.standings:
        mine = [pair for pair in complete if pair[1] == standing.submission_id]
        assert standing.complete_scores == len(mine)
        if mine:
            assert standing.raw_score == pytest.approx(statistics.fmean(complete[p] for p in mine))
            assert standing.normalised_score == pytest.approx(
                statistics.fmean(expected_z[p] for p in mine)
            )
        else:
            assert standing.rank is None and standing.raw_score is None
    ranked = [s for s in found.standings if s.rank is not None]
    scores = [s.normalised_score for s in ranked]
    assert scores == sorted(scores, reverse=True)


def results_of(hackathon, submissions: int, judges: int = 2) -> list:
    """`submissions` submissions scored by `judges` judges on one criterion, with a tie."""
    overall = factories.rubric_criterion(hackathon, "Overall", 1, 0, 10)
    panel = [judge() for _ in range(judges)]
    made = [
        factories.judging_submission(hackathon, title=f"Team {n:02d}") for n in range(submissions)
    ]
    for who in panel:
        factories.judge_assignment(who, *made)
        for number, submission in enumerate(made):
            comment = {overall.id: f"Note on {submission.title}"}
            judging.submit_scores(who, submission, {overall.id: (number * 7) % 11 // 2}, comment)
    return made


def test_the_results_page_ranks_every_submission_and_details_only_its_own(
    app, db, client, login_as, monkeypatch
):
    login_as("manager")
    hackathon = factories.judging_hackathon()
    results_of(hackathon, submissions=7)
    db.session.commit()
    monkeypatch.setattr(judging_routes, "RESULTS_PER_PAGE", 3)
    everything = results.ranking(hackathon)
    url = f"/judging/hackathons/{hackathon.id}/results"

    for number, start in ((1, 0), (2, 3), (3, 6)):
        body = page(client.get(f"{url}?page={number}"))
        shown = everything[start : start + 3]
        titles = re.findall(r'<a class="fw-bold" href="#scores-\d+">(.*?)</a>', body)
        assert titles == [row.submission.title for row in shown]
        assert [rank.lstrip("=").split()[0] for rank in ranks_shown(body)] == [
            str(row.rank) for row in shown
        ]
        # The judges' scores and comments of this page's submissions, and of no other.
        assert body.count('<details class="card mb-2"') == len(shown)
        notes = set(re.findall(r"Note on (Team \d\d)", body))
        assert notes == {row.submission.title for row in shown}
        # The counts are the whole ranking's, not the page's.
        assert "7 of 7 submissions have at least one." in body


def test_the_results_service_runs_five_queries_whatever_the_page(app, db, count_queries):
    small, large = factories.judging_hackathon(), factories.judging_hackathon()
    results_of(small, submissions=2, judges=1)
    results_of(large, submissions=9, judges=3)
    db.session.commit()
    counts = []
    for hackathon, page_number in ((small, 1), (large, 1), (large, 3)):
        db.session.refresh(hackathon)
        with count_queries() as counter:
            found = results.results_page(hackathon, False, page_number, 4)
        assert found.page.items
        counts.append(counter.count)
    assert counts == [5, 5, 5]


def test_the_export_streams_every_submission_in_ranking_order(
    app, db, client, login_as, monkeypatch
):
    login_as("manager")
    hackathon = factories.judging_hackathon()
    results_of(hackathon, submissions=5)
    db.session.commit()
    # Read two submissions at a time, so the lines come from three batches.
    monkeypatch.setattr(results, "CSV_BATCH", 2)

    response = client.get(f"/judging/hackathons/{hackathon.id}/results.csv")

    # Streamed: sent as it is written, with no length known beforehand.
    assert "Content-Length" not in response.headers
    rows = list(csv.reader(io.StringIO(page(response))))
    assert rows[0] == results.RESULTS_COLUMNS
    assert [(row[0], row[1], row[2], row[3]) for row in rows[1:]] == [
        (str(r.rank), "yes" if r.tied else "", r.submission.title, r.submission.team_name)
        for r in results.ranking(hackathon)
    ]


# Placements and export ------------------------------------------------------------------


def test_a_manager_marks_and_clears_placements_with_audit_events(app, db, client, login_as):
    manager = login_as("manager")
    hackathon, _ = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon)
    db.session.commit()
    url = f"/judging/submissions/{submission.id}/placement"

    response = client.post(url, data={"placement": "winner", "normalise": "1"})
    assert response.status_code == 302
    assert location(response) == f"/judging/hackathons/{hackathon.id}/results?normalise=1"
    db.session.expire_all()
    assert submission.placement == Placement.WINNER

    client.post(url, data={"placement": ""})
    db.session.expire_all()
    assert submission.placement is None

    marked, cleared = events(db, "submission.placement_set")
    assert (marked.actor_id, marked.object_id) == (manager.id, str(submission.id))
    assert marked.before == {"placement": None} and marked.after == {"placement": "winner"}
    assert cleared.after == {"placement": None}


def test_an_unknown_placement_is_refused(app, db, client, login_as):
    login_as("manager")
    hackathon, _ = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon)
    db.session.commit()
    response = client.post(
        f"/judging/submissions/{submission.id}/placement",
        data={"placement": "champion"},
        follow_redirects=True,
    )
    assert "Not a valid choice" in page(response)
    db.session.expire_all()
    assert submission.placement is None
    assert events(db, "submission.placement_set") == []


def test_a_draft_cannot_be_placed(app, db):
    hackathon, _ = single_criterion_hackathon()
    draft = factories.judging_submission(hackathon, status="draft")
    with pytest.raises(InvalidInput, match="drafts cannot be placed"):
        results.set_placement(draft, Placement.WINNER, by=None)


def test_results_export_lists_the_ranking_and_escapes_formulas(app, db, client, login_as):
    login_as("manager")
    hackathon, overall = single_criterion_hackathon(scale_max=10)
    evil = factories.judging_submission(
        hackathon, title='=HYPERLINK("http://evil.example","x")', team_name="+SUM(A1)"
    )
    plain = factories.judging_submission(hackathon, title="Water Watch", team_name="@team")
    minus = factories.judging_submission(hackathon, title="-2+3", team_name="Minus")
    challenge = Challenge(hackathon_id=hackathon.id, title="Drought")
    db.session.add(challenge)
    db.session.flush()
    plain.challenge_id = challenge.id
    someone = judge()
    factories.judge_assignment(someone, evil, plain, minus)
    judging.submit_scores(someone, plain, {overall.id: 9})
    judging.submit_scores(someone, evil, {overall.id: 3})
    results.set_placement(plain, Placement.WINNER, by=None)
    db.session.commit()

    response = client.get(f"/judging/hackathons/{hackathon.id}/results.csv?normalise=1")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == results.RESULTS_COLUMNS
    assert rows[1] == [
        "1",
        "",
        "Water Watch",
        "'@team",
        "Drought",
        "90.0",
        "1.0",
        "1",
        "1",
        "Winner",
        "",
    ]
    assert rows[2][:4] == ["2", "", '\'=HYPERLINK("http://evil.example","x")', "'+SUM(A1)"]
    # Numbers the app computes are not text, so a negative score stays a number.
    assert rows[2][5:7] == ["30.0", "-1.0"]
    assert rows[3][:7] == ["", "", "'-2+3", "Minus", "", "", ""]
    assert len(rows) == 4


def test_spreadsheet_safe_prefixes_every_formula_start(app):
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]:
        assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_safe("Plain = fine") == "Plain = fine"
    assert spreadsheet_safe(-1.5) == -1.5


@pytest.mark.parametrize(
    "text",
    [
        ";=1+1",  # the argument separator in some locales
        "\tcmd",
        "\r=1",
        '\N{FULLWIDTH EQUALS SIGN}HYPERLINK("http://evil.example")',
        "\N{FULLWIDTH PLUS SIGN}1",
        "\N{FULLWIDTH HYPHEN-MINUS}1",
        "\N{FULLWIDTH COMMERCIAL AT}SUM(A1)",
    ],
    ids=[
        "semicolon",
        "tab",
        "carriage-return",
        "fullwidth-equals",
        "fullwidth-plus",
        "fullwidth-minus",
        "fullwidth-at",
    ],
)
def test_spreadsheet_safe_also_neutralises_semicolons_controls_and_full_width_signs(app, text):
    assert spreadsheet_safe(text) == "'" + text


# Pages ----------------------------------------------------------------------------------


def test_a_manager_builds_the_rubric_through_the_pages(app, db, client, login_as):
    login_as("manager")
    hackathon = factories.judging_hackathon(name="Drought Hack")
    db.session.commit()
    url = f"/judging/hackathons/{hackathon.id}/rubric"

    assert "No criteria yet" in page(client.get(url))
    response = client.post(
        url, data={"name": "Impact", "weight": "3", "scale_min": "1", "scale_max": "5"}
    )
    assert response.status_code == 302
    response = client.post(
        url, data={"name": "Design", "weight": "0", "scale_min": "1", "scale_max": "5"}
    )
    assert "The weight must be more than 0 and at most 100." in page(response)
    [criterion] = hackathon.criteria
    body = page(client.get(url))
    assert "Impact" in body and "weight 3" in body
    assert f'href="/hackathons/{hackathon.id}"' in body

    prefix = f"criterion-{criterion.id}-"
    client.post(
        f"/judging/criteria/{criterion.id}",
        data={
            prefix + "name": "Impact on residents",
            prefix + "weight": "2",
            prefix + "scale_min": "1",
            prefix + "scale_max": "5",
            prefix + "version": str(criterion.version),
        },
    )
    db.session.expire_all()
    assert (criterion.name, criterion.weight) == ("Impact on residents", 2)

    criterion_id = criterion.id
    response = client.post(f"/judging/criteria/{criterion_id}/remove", follow_redirects=True)
    assert "Tick the box to confirm the removal." in page(response)
    assert db.session.get(RubricCriterion, criterion_id) is not None
    client.post(f"/judging/criteria/{criterion_id}/remove", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(RubricCriterion, criterion_id) is None


def test_removing_a_scored_criterion_through_the_page_shows_why(app, db, client, login_as):
    login_as("manager")
    hackathon, criterion = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon)
    judging.submit_scores(someone, submission, {criterion.id: 5})
    db.session.commit()
    response = client.post(
        f"/judging/criteria/{criterion.id}/remove", data={"confirm": "y"}, follow_redirects=True
    )
    assert "'Overall' already has 1 score; removing it would delete them." in page(response)
    db.session.expire_all()
    assert db.session.get(RubricCriterion, criterion.id) is not None


def test_a_manager_assigns_judges_by_challenge(app, db, client, login_as):
    login_as("manager")
    hackathon, _ = single_criterion_hackathon()
    drought = Challenge(hackathon_id=hackathon.id, title="Drought")
    transit = Challenge(hackathon_id=hackathon.id, title="Transit")
    db.session.add_all([drought, transit])
    db.session.flush()
    water = factories.judging_submission(hackathon, challenge_id=drought.id)
    factories.judging_submission(hackathon, challenge_id=transit.id)
    factories.judging_submission(hackathon, challenge_id=drought.id, status="draft")
    someone = judge(name="Jo Judge")
    db.session.commit()
    url = f"/judging/hackathons/{hackathon.id}/judges"

    body = page(client.get(url))
    assert "Jo Judge" in body and "Challenge: Drought" in body
    assert "Choose at least one judge." in page(client.post(url, data={"scope": "all"}))
    response = client.post(
        url, data={"judges": [str(someone.id)], "scope": f"challenge-{drought.id}"}
    )
    assert response.status_code == 302
    pairs = set(db.session.execute(select(JudgeAssignment.judge_id, JudgeAssignment.submission_id)))
    assert pairs == {(someone.id, water.id)}
    body = page(client.get(url))
    assert "Jo Judge" in body

    response = client.post(
        f"/judging/hackathons/{hackathon.id}/judges/{someone.id}/remove", data={}
    )
    assert response.status_code == 302
    assert count(JudgeAssignment) == 0


def test_a_judge_scores_through_the_page_and_can_change_it(app, db, client, login_as):
    someone = login_as("judge")
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 2, 1, 5)
    design = factories.rubric_criterion(hackathon, "Design", 1, 1, 5)
    submission = factories.judging_submission(
        hackathon,
        title="Water Watch",
        tagline="Leaks, found early",
        description="Sensors in every block.",
        demo_url="https://demo.example/water",
        repository_url="javascript:alert(1)",
    )
    factories.judge_assignment(someone, submission)
    db.session.commit()
    url = f"/judging/submissions/{submission.id}/score"

    body = page(client.get(url))
    assert "Water Watch" in body and "Leaks, found early" in body
    assert "Sensors in every block." in body
    assert 'href="https://demo.example/water"' in body
    assert "javascript:" not in body
    # The hackathon's own page is for managers; a judge is not sent to a 403.
    assert f'href="/hackathons/{hackathon.id}"' not in body

    fields = {f"criterion_{impact.id}": "2", f"criterion_{design.id}": "5"}
    response = client.post(url, data={**fields, f"comment_{impact.id}": "Clear need"})
    assert response.status_code == 302
    assert location(response) == "/judging/"
    response = client.post(url, data={**fields, f"criterion_{impact.id}": "4"})
    assert response.status_code == 302
    assert scores_in_db(db) == {
        (someone.id, submission.id, impact.id): 4,
        (someone.id, submission.id, design.id): 5,
    }
    assert '<option selected value="4">' in page(client.get(url))
    assert "Scored" in page(client.get("/judging/"))


@pytest.mark.parametrize(
    ("impact_value", "message"),
    [
        ("9", "Impact is scored from 1 to 5; 9 is outside that."),
        ("", "Score every criterion; missing: Impact."),
        ("lots", "Scores must be whole numbers."),
    ],
)
def test_bad_scores_through_the_page_are_refused_with_a_message(
    app, db, client, login_as, impact_value, message
):
    someone = login_as("judge")
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 1, 1, 5)
    design = factories.rubric_criterion(hackathon, "Design", 1, 1, 5)
    submission = factories.judging_submission(hackathon)
    factories.judge_assignment(someone, submission)
    db.session.commit()
    response = client.post(
        f"/judging/submissions/{submission.id}/score",
        data={f"criterion_{impact.id}": impact_value, f"criterion_{design.id}": "3"},
    )
    assert response.status_code == 200
    assert message in page(response)
    assert scores_in_db(db) == {}


def test_a_closed_hackathon_shows_scores_without_a_form(app, db, client, login_as):
    someone = login_as("judge")
    hackathon, overall = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon)
    factories.judge_assignment(someone, submission)
    judging.submit_scores(someone, submission, {overall.id: 7})
    hackathon.status = HackathonStatus.CLOSED
    db.session.commit()
    url = f"/judging/submissions/{submission.id}/score"
    body = page(client.get(url))
    assert "is closed" in body and "<select" not in body
    response = client.post(url, data={f"criterion_{overall.id}": "2"})
    assert "is closed; scores can no longer change" in page(response)
    assert set(scores_in_db(db).values()) == {7}


def test_results_page_shows_ranking_counts_and_both_scores(app, db, client, login_as):
    login_as("manager")
    hackathon, overall = single_criterion_hackathon(scale_max=10)
    top = factories.judging_submission(hackathon, title="Top Team")
    low = factories.judging_submission(hackathon, title="Low Team")
    first, second = judge(), judge()
    factories.judge_assignment(first, top, low)
    factories.judge_assignment(second, top, low)
    judging.submit_scores(first, top, {overall.id: 8})
    judging.submit_scores(first, low, {overall.id: 4})
    db.session.commit()
    url = f"/judging/hackathons/{hackathon.id}/results"

    body = page(client.get(url))
    assert body.index("Top Team") < body.index("Low Team")
    assert "80.0" in body and "40.0" in body and "1 of 2" in body
    body = page(client.get(url + "?normalise=1"))
    assert "+1.00" in body and "-1.00" in body
    assert "Ranked by normalised score" in body


def ranks_shown(body: str) -> list[str]:
    """The rank cells of the results table as a sighted person reads them."""
    cells = re.findall(r'<td class="text-nowrap">(.*?)</td>', body, flags=re.S)
    visible = [re.sub(r'<span class="visually-hidden">.*?</span>', "", cell) for cell in cells]
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in visible]


def test_results_page_shows_three_ties_as_ties_and_states_the_rule(app, db, client, login_as):
    login_as("manager")
    hackathon, overall = single_criterion_hackathon()
    someone = judge()
    for title, value in [("Top", 9), ("Tie C", 6), ("Tie A", 6), ("Tie B", 6), ("Last", 1)]:
        submission = factories.judging_submission(hackathon, title=title)
        factories.judge_assignment(someone, submission)
        judging.submit_scores(someone, submission, {overall.id: value})
    db.session.commit()
    url = f"/judging/hackathons/{hackathon.id}/results"

    for normalise in ("", "?normalise=1"):
        body = page(client.get(url + normalise))
        assert ranks_shown(body) == ["1", "=2 Tied", "=2 Tied", "=2 Tied", "5"]
        assert body.count("Tied for 2") == 6  # in the table and on each breakdown
        assert body.index("Tie A") < body.index("Tie B") < body.index("Tie C")
        assert "(3 submissions are tied now)" in body
        assert "Within a tie they are listed by the tie-break rule" in body
        assert "more complete scores first, then the higher" in body

    rows = list(csv.reader(io.StringIO(page(client.get(url.replace("results", "results.csv"))))))
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [
        ("1", "", "Top"),
        ("2", "yes", "Tie A"),
        ("2", "yes", "Tie B"),
        ("2", "yes", "Tie C"),
        ("5", "", "Last"),
    ]


def test_results_page_shows_each_judges_scores_and_comments(app, db, client, login_as):
    login_as("manager")
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 3, 1, 5)
    feasibility = factories.rubric_criterion(hackathon, "Feasibility", 1, 0, 10)
    submission = factories.judging_submission(hackathon, title="Water Watch")
    zoe, adam = judge("Zoe Judge"), judge("Adam Judge")
    factories.judge_assignment(zoe, submission)
    factories.judge_assignment(adam, submission)
    judging.submit_scores(
        zoe,
        submission,
        {impact.id: 5, feasibility.id: 5},
        {impact.id: "Clear need in Watts", feasibility.id: "No plan for data"},
    )
    judging.submit_scores(adam, submission, {impact.id: 3, feasibility.id: 2})
    db.session.commit()

    body = page(client.get(f"/judging/hackathons/{hackathon.id}/results"))

    breakdown = body[body.index('id="scores-') :]
    rows = re.findall(r"<tr>\s*<th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", breakdown, re.S)
    cells = {name: re.findall(r"<td[^>]*>(.*?)</td>", rest) for name, rest in rows}
    # Adam: (3 * 2/4 + 1 * 2/10) / 4 = 42.5; Zoe: (3 * 4/4 + 1 * 5/10) / 4 = 87.5.
    assert cells == {"Adam Judge": ["3", "2", "42.5"], "Zoe Judge": ["5", "5", "87.5"]}
    assert "Impact <span" in breakdown and "weight 3" in breakdown
    assert "<strong>Zoe Judge</strong> on Impact: Clear need in Watts" in breakdown
    assert "<strong>Zoe Judge</strong> on Feasibility: No plan for data" in breakdown
    assert "2 of 2 judges scored · 2 comments" in breakdown
    assert "65.0" in body  # the mean of the two totals, in the ranking


def test_judges_comments_stay_with_the_program_team(app, db, client, login_as, sign_in):
    hackathon, overall = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon, title="Water Watch")
    writer, other = judge("Zoe Judge"), judge("Adam Judge")
    factories.judge_assignment(writer, submission)
    factories.judge_assignment(other, submission)
    judging.submit_scores(
        writer, submission, {overall.id: 7}, {overall.id: "Weak pitch, strong code"}
    )
    judging.submit_scores(other, submission, {overall.id: 5}, {overall.id: "Needs a pilot partner"})
    db.session.commit()
    results_url = f"/judging/hackathons/{hackathon.id}/results"
    score_url = f"/judging/submissions/{submission.id}/score"

    # Signed out: nothing public shows it.
    for url in ["/showcase/", "/", results_url, results_url + ".csv"]:
        assert "Weak pitch" not in page(client.get(url))
    # Another judge of the same submission sees their own comment only.
    sign_in(client, other.email)
    assert client.get(results_url).status_code == 403
    body = page(client.get(score_url))
    assert "Needs a pilot partner" in body and "Weak pitch" not in body
    # The program team reads both.
    team = app.test_client()
    login_as("manager", on=team)
    body = page(team.get(results_url))
    assert "Weak pitch, strong code" in body and "Needs a pilot partner" in body


# Access ---------------------------------------------------------------------------------

MANAGER_PAGES = [
    ("GET", "/judging/hackathons/{hackathon}/rubric"),
    ("POST", "/judging/hackathons/{hackathon}/rubric"),
    ("POST", "/judging/criteria/{criterion}"),
    ("POST", "/judging/criteria/{criterion}/remove"),
    ("GET", "/judging/hackathons/{hackathon}/judges"),
    ("POST", "/judging/hackathons/{hackathon}/judges"),
    ("POST", "/judging/hackathons/{hackathon}/judges/{judge}/remove"),
    ("GET", "/judging/hackathons/{hackathon}/results"),
    ("GET", "/judging/hackathons/{hackathon}/results.csv"),
    ("POST", "/judging/submissions/{submission}/placement"),
]


@pytest.mark.parametrize("role", ["founder", "mentor", "judge", "partner"])
@pytest.mark.parametrize(("method", "path"), MANAGER_PAGES)
def test_manager_pages_refuse_other_roles(app, db, client, login_as, role, method, path):
    login_as(role)
    hackathon, criterion = single_criterion_hackathon()
    submission, someone = submission_with_a_judge(hackathon)
    db.session.commit()
    url = path.format(
        hackathon=hackathon.id, criterion=criterion.id, submission=submission.id, judge=someone.id
    )
    response = client.open(url, method=method, data={"placement": "winner", "confirm": "y"})
    assert response.status_code == 403
    db.session.expire_all()
    assert submission.placement is None
    assert db.session.get(RubricCriterion, criterion.id) is not None
    assert permissions.may_score_submission(someone, submission)


def test_signed_out_visitors_are_sent_to_sign_in(app, db, client):
    hackathon, _ = single_criterion_hackathon()
    db.session.commit()
    for url in ["/judging/", f"/judging/hackathons/{hackathon.id}/results"]:
        response = client.get(url)
        assert response.status_code == 302
        assert location(response).startswith("/auth/login")


def test_the_manager_role_alone_gives_no_scoring_form(app, db, client, login_as):
    login_as("manager")
    hackathon, overall = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon)
    db.session.commit()
    url = f"/judging/submissions/{submission.id}/score"
    assert client.get(url).status_code == 403
    assert client.post(url, data={f"criterion_{overall.id}": "5"}).status_code == 403
    assert client.get("/judging/").status_code == 403
    assert scores_in_db(db) == {}


def test_an_admin_who_is_not_assigned_gets_404_on_a_scoring_form(app, db, client, login_as):
    login_as("admin")
    hackathon, _ = single_criterion_hackathon()
    submission = factories.judging_submission(hackathon)
    db.session.commit()
    assert client.get(f"/judging/submissions/{submission.id}/score").status_code == 404


def test_a_judge_cannot_open_or_change_another_judges_submission(app, db, client, login_as):
    me = login_as("judge")
    hackathon, overall = single_criterion_hackathon()
    mine = factories.judging_submission(hackathon, title="Mine")
    theirs = factories.judging_submission(hackathon, title="Theirs")
    other = judge()
    factories.judge_assignment(me, mine)
    factories.judge_assignment(other, theirs)
    judging.submit_scores(other, theirs, {overall.id: 9}, {overall.id: "Great"})
    db.session.commit()
    before = scores_in_db(db)
    url = f"/judging/submissions/{theirs.id}/score"

    assert client.get(url).status_code == 404
    response = client.post(url, data={f"criterion_{overall.id}": "0", f"comment_{overall.id}": "x"})
    assert response.status_code == 404
    assert client.get("/judging/submissions/999999/score").status_code == 404

    assert scores_in_db(db) == before
    assert judging.scores_of(other, theirs)[overall.id].comment == "Great"
    assert events(db, "scores.saved")[-1].actor_id == other.id


def test_a_judge_sees_only_their_own_assignments(app, db, client, login_as):
    me = login_as("judge")
    hackathon, overall = single_criterion_hackathon()
    other_hackathon, _ = single_criterion_hackathon()
    mine = factories.judging_submission(hackathon, title="Mine To Judge")
    also_mine = factories.judging_submission(other_hackathon, title="Also Mine")
    theirs = factories.judging_submission(hackathon, title="Someone Else's")
    factories.judging_submission(hackathon, title="Unassigned")
    other = judge()
    factories.judge_assignment(me, mine)
    factories.judge_assignment(me, also_mine)
    factories.judge_assignment(other, theirs)
    judging.submit_scores(me, mine, {overall.id: 4})
    db.session.commit()

    body = page(client.get("/judging/"))

    assert "Mine To Judge" in body and "Also Mine" in body
    assert "Someone Else's" not in body and "Unassigned" not in body
    assert hackathon.name in body and other_hackathon.name in body
    assert "Scored" in body and "Not scored" in body


def test_a_judge_with_nothing_assigned_sees_an_empty_state(app, db, client, login_as):
    login_as("judge")
    assert "Nothing to judge yet" in page(client.get("/judging/"))


# Query counts ---------------------------------------------------------------------------


def add_scored_submissions(hackathon, criteria, judges, count: int) -> None:
    for number in range(count):
        submission = factories.judging_submission(hackathon)
        for who in judges:
            factories.judge_assignment(who, submission)
            values = {c.id: (number + who.id + c.id) % 5 + 1 for c in criteria}
            judging.submit_scores(who, submission, values)


@pytest.mark.parametrize("normalise", ["", "?normalise=1"])
def test_results_page_runs_the_same_number_of_queries_at_5_and_40_submissions(
    app, db, client, login_as, count_queries, normalise
):
    login_as("manager")
    hackathon = factories.judging_hackathon()
    criteria = [
        factories.rubric_criterion(hackathon, "Impact", 3),
        factories.rubric_criterion(hackathon, "Design", 1),
    ]
    judges = [judge() for _ in range(3)]
    transit = Challenge(hackathon_id=hackathon.id, title="Transit")
    db.session.add(transit)
    db.session.flush()
    url = f"/judging/hackathons/{hackathon.id}/results{normalise}"
    counts = []
    existing = 0
    for size in (5, 40):
        add_scored_submissions(hackathon, criteria, judges, size - existing)
        existing = size
        # Challenges and placements are shown on every row, so they must not cost a query each.
        for submission in db.session.scalars(select(Submission)):
            submission.challenge_id = transit.id
            submission.placement = Placement.HONOURABLE_MENTION
        db.session.commit()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        body = page(response)
        assert body.count('selected value="honourable_mention">Honourable mention') == size
        assert body.count("Transit") == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def judged_hackathon(submissions: int, judges: int):
    """A hackathon of two criteria whose judges all scored, with comments, every submission."""
    hackathon = factories.judging_hackathon()
    criteria = [
        factories.rubric_criterion(hackathon, "Impact", 3),
        factories.rubric_criterion(hackathon, "Design", 1),
    ]
    panel = [judge() for _ in range(judges)]
    for number in range(submissions):
        submission = factories.judging_submission(hackathon, placement=Placement.WINNER)
        for who in panel:
            factories.judge_assignment(who, submission)
            values = {c.id: (number + who.id + c.id) % 5 + 1 for c in criteria}
            judging.submit_scores(who, submission, values, {criteria[0].id: f"Note {number}"})
    return hackathon


@pytest.mark.parametrize("normalise", ["", "?normalise=1"])
def test_results_page_queries_do_not_grow_with_submissions_or_judges(
    app, db, login_as, page_queries, normalise
):
    login_as("manager")
    small = judged_hackathon(submissions=3, judges=2)
    large = judged_hackathon(submissions=12, judges=5)
    db.session.commit()
    urls = [f"/judging/hackathons/{h.id}/results{normalise}" for h in (small, large)]
    page_queries(urls)

    counts = page_queries(urls)

    assert counts[urls[0]] == counts[urls[1]], counts
