"""The at-risk rules on plain facts: each rule alone, exactly at its threshold, and together.

No app and no database: the facts are built by hand (test_risk.py loads them from the
database and checks the same rules end to end)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.services.pipeline.risk_rules import (
    RiskReason,
    Thresholds,
    VentureFacts,
    low_confidence,
    no_check_in,
    overdue_milestones,
    reasons,
    stalled,
)

TODAY = date(2025, 3, 17)
DEFAULTS = Thresholds(no_check_in_days=14, low_confidence=2, low_confidence_streak=2)


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def facts(**given) -> VentureFacts:
    """A venture that joined today and is at risk by no rule, but for what is given."""
    settled = {
        "stage_label": "Concept",
        "joined_on": TODAY,
        "stage_since_on": TODAY,
        "expected_days": 28,
    }
    return VentureFacts(**{**settled, **given})


def test_a_venture_that_just_joined_is_not_at_risk():
    assert reasons(facts(), TODAY, DEFAULTS) == []


# Overdue milestones ----------------------------------------------------------------------------


def test_a_milestone_due_yesterday_is_overdue():
    assert overdue_milestones(facts(open_due_dates=(days_ago(1),)), TODAY) == RiskReason(
        "overdue_milestone", "1 overdue milestone"
    )


def test_a_milestone_due_today_is_not_yet_overdue():
    assert overdue_milestones(facts(open_due_dates=(TODAY,)), TODAY) is None


def test_only_the_milestones_past_their_date_are_counted():
    due = (days_ago(30), days_ago(1), TODAY, TODAY + timedelta(days=5))

    assert overdue_milestones(facts(open_due_dates=due), TODAY) == RiskReason(
        "overdue_milestone", "2 overdue milestones"
    )


def test_no_open_milestones_none_overdue():
    assert overdue_milestones(facts(open_due_dates=()), TODAY) is None


# No check-in ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_since", "expected"),
    [
        (0, None),
        (14, None),
        (15, RiskReason("no_check_in", "no check-in for 15 days")),
        (40, RiskReason("no_check_in", "no check-in for 40 days")),
    ],
)
def test_no_check_in_for_more_than_the_threshold(days_since, expected):
    found = facts(last_check_in_on=days_ago(days_since), joined_on=days_ago(100))

    assert no_check_in(found, TODAY, DEFAULTS) == expected


@pytest.mark.parametrize(
    ("days_since_joining", "at_risk"), [(0, False), (14, False), (15, True), (60, True)]
)
def test_never_checked_in_counts_from_joining(days_since_joining, at_risk):
    found = facts(joined_on=days_ago(days_since_joining), stage_since_on=TODAY)

    expected = RiskReason("no_check_in", "no check-in yet") if at_risk else None
    assert no_check_in(found, TODAY, DEFAULTS) == expected


def test_never_checked_in_without_a_joining_day_counts_from_today():
    assert no_check_in(facts(joined_on=None), TODAY, DEFAULTS) is None


def test_a_check_in_stops_the_joining_clock():
    found = facts(joined_on=days_ago(60), last_check_in_on=days_ago(3))

    assert no_check_in(found, TODAY, DEFAULTS) is None


def test_the_no_check_in_threshold_is_given():
    found = facts(last_check_in_on=days_ago(8))
    week = Thresholds(no_check_in_days=7)

    assert no_check_in(found, TODAY, week) == RiskReason("no_check_in", "no check-in for 8 days")
    assert no_check_in(facts(last_check_in_on=days_ago(7)), TODAY, week) is None


# Low confidence ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("newest_first", "at_risk"),
    [
        ((1, 2), True),
        ((2, 2, 4), True),
        ((2,), False),
        ((3, 1), False),
        ((2, 3, 2), False),
        ((3, 3), False),
        ((), False),
    ],
)
def test_the_latest_check_ins_at_the_low_confidence_or_lower(newest_first, at_risk):
    found = low_confidence(facts(recent_confidences=newest_first), DEFAULTS)

    expected = RiskReason("low_confidence", "confidence 2 or lower in the last 2 check-ins")
    assert found == (expected if at_risk else None)


def test_the_low_confidence_thresholds_are_given():
    threes = facts(recent_confidences=(3, 3))

    assert low_confidence(threes, DEFAULTS) is None
    assert low_confidence(threes, Thresholds(low_confidence=3)) == RiskReason(
        "low_confidence", "confidence 3 or lower in the last 2 check-ins"
    )
    assert low_confidence(threes, Thresholds(low_confidence=3, low_confidence_streak=3)) is None


# Stalled in a stage -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_in_stage", "expected"),
    [
        (10, None),
        (11, RiskReason("stalled", "11 days in Prototype, expected 10")),
    ],
)
def test_longer_in_a_stage_than_expected(days_in_stage, expected):
    found = facts(stage_label="Prototype", stage_since_on=days_ago(days_in_stage), expected_days=10)

    assert stalled(found, TODAY) == expected


@pytest.mark.parametrize(
    "given",
    [{"expected_days": None}, {"expected_days": 0}, {"stage_since_on": None}],
    ids=["no plan", "zero days", "no stage start"],
)
def test_without_an_expectation_nothing_stalls(given):
    found = facts(**{"stage_since_on": days_ago(400), **given})

    assert stalled(found, TODAY) is None


# Together ---------------------------------------------------------------------------------------


def test_every_reason_is_given_in_order_when_several_rules_apply():
    found = facts(
        open_due_dates=(days_ago(20),),
        last_check_in_on=days_ago(20),
        recent_confidences=(1, 1),
        joined_on=days_ago(40),
        stage_since_on=days_ago(40),
        expected_days=10,
    )

    assert reasons(found, TODAY, DEFAULTS) == [
        RiskReason("overdue_milestone", "1 overdue milestone"),
        RiskReason("no_check_in", "no check-in for 20 days"),
        RiskReason("low_confidence", "confidence 2 or lower in the last 2 check-ins"),
        RiskReason("stalled", "40 days in Concept, expected 10"),
    ]


def test_only_the_rules_that_apply_are_given():
    found = facts(
        open_due_dates=(days_ago(1),),
        last_check_in_on=days_ago(2),
        recent_confidences=(5, 1),
        stage_since_on=days_ago(29),
    )

    assert [reason.code for reason in reasons(found, TODAY, DEFAULTS)] == [
        "overdue_milestone",
        "stalled",
    ]


def test_at_every_threshold_exactly_no_rule_applies():
    found = facts(
        open_due_dates=(TODAY,),
        last_check_in_on=days_ago(14),
        recent_confidences=(3, 2),
        joined_on=days_ago(14),
        stage_since_on=days_ago(28),
        expected_days=28,
    )

    assert reasons(found, TODAY, DEFAULTS) == []
