"""The at-risk rules: each one alone, their thresholds from config, and where they are shown."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.models import Venture
from incubator.services.pipeline import milestones, risk, stages
from tests import factories
from tests.helpers import page


@pytest.fixture
def cohort(bare_cohort):
    """Without default milestones, so only those a test adds exist (or can be late)."""
    return bare_cohort


@pytest.fixture
def joined(venture) -> date:
    """The day the venture entered the pipeline, in the program's time zone as the rules count."""
    return clock.program_date(stages.stage_history(venture)[0].changed_at)


def reasons_on(venture, day: date) -> list[risk.RiskReason]:
    return risk.assess([venture], day)[venture.id]


def codes_on(venture, day: date) -> list[str]:
    return [reason.code for reason in reasons_on(venture, day)]


def test_a_new_venture_is_not_at_risk(db, venture, joined):
    assert reasons_on(venture, joined) == []


# An overdue milestone ---------------------------------------------------------------------------


def test_an_overdue_milestone_puts_a_venture_at_risk(db, venture, founder, joined):
    factories.milestone(venture, "Ten interviews", by=founder, due_on=joined + timedelta(days=3))

    assert reasons_on(venture, joined + timedelta(days=3)) == []
    assert reasons_on(venture, joined + timedelta(days=4)) == [
        risk.RiskReason("overdue_milestone", "1 overdue milestone")
    ]


def test_finished_or_missed_milestones_are_not_overdue(db, venture, founder, manager, joined):
    late = joined + timedelta(days=1)
    done = factories.milestone(venture, "Done", by=founder, due_on=late)
    milestones.complete_milestone(done, None, "Notes in the drive", by=founder)
    missed = factories.milestone(venture, "Missed", by=founder, due_on=late)
    milestones.miss_milestone(missed, "Dropped", by=manager)
    factories.milestone(venture, "Undated", by=founder)

    assert reasons_on(venture, joined + timedelta(days=5)) == []


def test_every_overdue_milestone_is_counted(db, venture, founder, joined):
    for title in ("One", "Two"):
        factories.milestone(venture, title, by=founder, due_on=joined)
    started = factories.milestone(venture, "Three", by=founder, due_on=joined)
    milestones.start_milestone(started, by=founder)

    [reason] = reasons_on(venture, joined + timedelta(days=1))

    assert reason.message == "3 overdue milestones"


# No check-in for 14 days -----------------------------------------------------------------------


def test_no_check_in_for_fourteen_days_puts_a_venture_at_risk(db, venture, founder, joined):
    week = clock.week_start(joined)
    factories.check_in(venture, founder, week, today=joined)

    assert reasons_on(venture, week + timedelta(days=14)) == []
    assert reasons_on(venture, week + timedelta(days=15)) == [
        risk.RiskReason("no_check_in", "no check-in for 15 days")
    ]


def test_a_venture_that_never_checked_in_is_at_risk_fourteen_days_after_joining(
    db, venture, joined
):
    assert reasons_on(venture, joined + timedelta(days=14)) == []
    assert reasons_on(venture, joined + timedelta(days=15)) == [
        risk.RiskReason("no_check_in", "no check-in yet")
    ]


def test_a_stage_move_does_not_restart_the_no_check_in_clock(db, venture, manager, joined):
    moved = datetime.combine(joined + timedelta(days=10), datetime.min.time(), UTC)
    stages.move_stage(venture, "prototype", "", by=manager, at=moved)

    assert codes_on(venture, joined + timedelta(days=15)) == ["no_check_in"]


def test_the_no_check_in_threshold_comes_from_config(
    app, monkeypatch, db, venture, founder, joined
):
    week = clock.week_start(joined)
    factories.check_in(venture, founder, week, today=joined)
    monkeypatch.setitem(app.config, "RISK_NO_CHECK_IN_DAYS", 7)

    assert reasons_on(venture, week + timedelta(days=7)) == []
    assert reasons_on(venture, week + timedelta(days=8)) == [
        risk.RiskReason("no_check_in", "no check-in for 8 days")
    ]


# Low confidence twice in a row -----------------------------------------------------------------


def post_confidences(venture, founder, joined, *confidences) -> date:
    """Weekly check-ins ending this week, oldest first; returns this week's Monday."""
    week = clock.week_start(joined)
    for weeks_ago, confidence in enumerate(reversed(confidences)):
        factories.check_in(
            venture, founder, week - timedelta(weeks=weeks_ago), confidence=confidence, today=joined
        )
    return week


@pytest.mark.parametrize(
    ("confidences", "at_risk"),
    [
        ((2, 1), True),
        ((4, 2, 2), True),
        ((2,), False),
        ((1, 3), False),
        ((2, 3, 2), False),
        ((3, 3), False),
    ],
)
def test_confidence_of_two_or_lower_twice_in_a_row_puts_a_venture_at_risk(
    db, venture, founder, joined, confidences, at_risk
):
    post_confidences(venture, founder, joined, *confidences)

    reasons = reasons_on(venture, joined)

    if at_risk:
        assert reasons == [
            risk.RiskReason("low_confidence", "confidence 2 or lower in the last 2 check-ins")
        ]
    else:
        assert reasons == []


def test_the_low_confidence_thresholds_come_from_config(
    app, monkeypatch, db, venture, founder, joined
):
    post_confidences(venture, founder, joined, 3, 3)
    assert reasons_on(venture, joined) == []

    monkeypatch.setitem(app.config, "RISK_LOW_CONFIDENCE", 3)
    assert reasons_on(venture, joined) == [
        risk.RiskReason("low_confidence", "confidence 3 or lower in the last 2 check-ins")
    ]

    monkeypatch.setitem(app.config, "RISK_LOW_CONFIDENCE_STREAK", 3)
    assert reasons_on(venture, joined) == []


# Longer in a stage than the cohort expects ------------------------------------------------------


def test_longer_in_a_stage_than_the_cohort_expects_puts_a_venture_at_risk(
    db, cohort, venture, manager, joined
):
    stages.set_expected_days(cohort, "concept", 10, by=manager)

    assert reasons_on(venture, joined + timedelta(days=10)) == []
    assert reasons_on(venture, joined + timedelta(days=11)) == [
        risk.RiskReason("stalled", "11 days in Concept, expected 10")
    ]


def test_the_stage_clock_restarts_when_a_venture_moves(db, cohort, venture, manager, joined):
    stages.set_expected_days(cohort, "concept", 10, by=manager)
    stages.set_expected_days(cohort, "prototype", 10, by=manager)
    moved = clock.at(joined + timedelta(days=5), time(12))
    stages.move_stage(venture, "prototype", "", by=manager, at=moved)

    assert "stalled" not in codes_on(venture, joined + timedelta(days=15))
    stalled = [r for r in reasons_on(venture, joined + timedelta(days=16)) if r.code == "stalled"]
    assert stalled == [risk.RiskReason("stalled", "11 days in Prototype, expected 10")]


def test_each_cohort_has_its_own_expected_times(db, cohort, venture, manager, joined):
    other = factories.cohort("Fall 2025", by=manager)
    elsewhere = factories.venture(other, "BusBuddy", by=manager)
    stages.set_expected_days(cohort, "concept", 10, by=manager)

    found = risk.assess([venture, elsewhere], joined + timedelta(days=11))

    assert [r.code for r in found[venture.id]] == ["stalled"]
    assert [r.code for r in found[elsewhere.id]] == []


# Together, and on the pages ---------------------------------------------------------------------


def test_every_reason_is_given_when_several_rules_apply(
    db, cohort, venture, founder, manager, joined
):
    stages.set_expected_days(cohort, "concept", 10, by=manager)
    factories.milestone(venture, "Ten interviews", by=founder, due_on=joined)
    post_confidences(venture, founder, joined, 1, 1)

    day = clock.week_start(joined) + timedelta(days=20)

    assert codes_on(venture, day) == [
        "overdue_milestone",
        "no_check_in",
        "low_confidence",
        "stalled",
    ]


def test_the_reasons_are_shown_on_the_timeline_and_milestones_pages(
    db, client, venture, founder, manager, login_as
):
    today = clock.today()
    factories.milestone(venture, "Ten interviews", by=founder, due_on=today - timedelta(days=2))
    # The venture joined 40 days ago on the program's calendar, as if it had been in the
    # cohort all along. (40 times 24 hours ago is 39 days ago for an hour after a DST change.)
    [entry] = stages.stage_history(venture)
    entry.changed_at = clock.at(today - timedelta(days=40), time(12))
    login_as("manager")

    for path in ("timeline", "milestones"):
        text = page(client.get(f"/ventures/{venture.id}/{path}"))
        assert "1 overdue milestone" in text, path
        assert "no check-in yet" in text, path
        assert "40 days in Concept, expected 28" in text, path


def test_a_venture_not_at_risk_shows_no_reasons(db, client, venture, founder, sign_in):
    db.session.commit()
    sign_in(client, founder.email)

    text = page(client.get(f"/ventures/{venture.id}/timeline"))

    assert "overdue milestone" not in text
    assert "no check-in" not in text


def test_assessing_many_ventures_takes_a_fixed_number_of_queries(
    db, cohort, venture, founder, manager, joined, count_queries
):
    factories.check_in(venture, founder, clock.week_start(joined), today=joined)
    db.session.commit()
    alone = list(db.session.scalars(select(Venture)))
    with count_queries() as one:
        risk.assess(alone, joined)
    others = [factories.venture(cohort, f"Venture {n}", by=manager) for n in range(6)]
    for other in others:
        factories.milestone(other, "Late", by=manager, due_on=joined - timedelta(days=1))
    db.session.commit()
    everyone = list(db.session.scalars(select(Venture)))

    with count_queries() as many:
        found = risk.assess(everyone, joined)

    assert many.count == one.count
    assert sum(1 for reasons in found.values() if reasons) == 6
