"""The at-risk rules in SQL agree with the rules in Python (risk_rules) on random ventures,
and the board and home page count with them; the timeline, which reads the facts from the
history it shows, finds the same reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import get_translations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from incubator import clock
from incubator.models import (
    CheckIn,
    Milestone,
    MilestoneStatus,
    PipelineFacts,
    StageChange,
    StagePlan,
    Venture,
    VentureStatus,
)
from incubator.services.pipeline import risk, timeline
from incubator.services.pipeline.risk_rules import VentureFacts
from incubator.services.pipeline.stages import STAGES
from tests import factories

# Days around both clock changes of 2026 in Los Angeles and an ordinary one.
TODAYS = [
    date(2026, 3, 8),
    date(2026, 3, 9),
    date(2026, 11, 1),
    date(2026, 11, 2),
    date(2026, 7, 15),
]


def moments(today: date) -> st.SearchStrategy[datetime]:
    """Any minute in the 50 days before `today` (UTC), so every threshold is crossed."""
    start = datetime(today.year, today.month, today.day, 12, tzinfo=UTC) - timedelta(days=50)
    return st.integers(0, 52 * 24 * 60).map(lambda minutes: start + timedelta(minutes=minutes))


def days(today: date) -> st.SearchStrategy[date]:
    return st.integers(-50, 5).map(lambda offset: today + timedelta(days=offset))


@st.composite
def ventures(draw, today: date):
    """One venture's rows: stage, when it was created, its stage changes, milestones and
    check-ins (distinct weeks), all near `today`."""
    weeks = draw(st.lists(days(today), max_size=5, unique=True))
    return {
        "stage": draw(st.sampled_from(STAGES)),
        "created_at": draw(moments(today)),
        "changes": draw(st.lists(moments(today), max_size=3)),
        "milestones": draw(
            st.lists(
                st.tuples(st.sampled_from(list(MilestoneStatus)), st.none() | days(today)),
                max_size=4,
            )
        ),
        "check_ins": [(week, draw(st.integers(1, 5))) for week in weeks],
    }


@st.composite
def programs(draw):
    """A day, thresholds, each cohort's expected days per stage and the ventures."""
    today = draw(st.sampled_from(TODAYS) | st.dates(date(2025, 1, 1), date(2027, 12, 31)))
    return {
        "today": today,
        "no_check_in_days": draw(st.integers(0, 30)),
        "low_confidence": draw(st.integers(1, 5)),
        "low_confidence_streak": draw(st.integers(1, 4)),
        "plans": draw(
            st.lists(
                st.dictionaries(st.sampled_from(STAGES), st.integers(1, 40), max_size=len(STAGES)),
                min_size=2,
                max_size=2,
            )
        ),
        "ventures": draw(st.lists(ventures(today), min_size=1, max_size=6)),
    }


def build(db, cohorts, drawn) -> list[Venture]:
    for cohort, plans in zip(cohorts, drawn["plans"], strict=True):
        db.session.add_all(
            StagePlan(cohort_id=cohort.id, stage=stage, expected_days=expected)
            for stage, expected in plans.items()
        )
    built = []
    for number, found in enumerate(drawn["ventures"]):
        venture = Venture(
            cohort_id=cohorts[number % len(cohorts)].id,
            name=f"Random {number}",
            stage=found["stage"],
            created_at=found["created_at"],
        )
        db.session.add(venture)
        db.session.flush()
        built.append(venture)
        db.session.add_all(
            StageChange(venture_id=venture.id, to_stage=found["stage"], changed_at=at)
            for at in found["changes"]
        )
        db.session.add_all(
            Milestone(
                venture_id=venture.id,
                title="A milestone",
                stage=found["stage"],
                status=status,
                due_on=due_on,
                completed_at=found["created_at"],
                verified_at=found["created_at"],
            )
            for status, due_on in found["milestones"]
        )
        db.session.add_all(
            CheckIn(venture_id=venture.id, week_start=week, summary="A week", confidence=confidence)
            for week, confidence in found["check_ins"]
        )
    db.session.flush()
    return built


@pytest.fixture
def two_cohorts(db, app):
    """Two cohorts without stage plans (each example draws its own)."""
    manager = factories.user("manager")
    cohorts = [factories.cohort(name, by=manager) for name in ("Spring 2026", "Fall 2026")]
    db.session.execute(delete(StagePlan))
    db.session.commit()
    saved = {key: app.config[key] for key in risk_thresholds()}
    yield cohorts
    app.config.update(saved)


def risk_thresholds() -> list[str]:
    return ["RISK_NO_CHECK_IN_DAYS", "RISK_LOW_CONFIDENCE", "RISK_LOW_CONFIDENCE_STREAK"]


def use_thresholds(app, drawn) -> None:
    """The drawn program's risk thresholds, as the app's config."""
    app.config.update(
        RISK_NO_CHECK_IN_DAYS=drawn["no_check_in_days"],
        RISK_LOW_CONFIDENCE=drawn["low_confidence"],
        RISK_LOW_CONFIDENCE_STREAK=drawn["low_confidence_streak"],
    )


# Hypothesis settings of the tests on random programs (each example builds ventures).
RANDOM_PROGRAMS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@RANDOM_PROGRAMS
@given(drawn=programs())
def test_the_sql_and_the_rules_find_the_same_reasons_on_random_ventures(
    db, app, two_cohorts, drawn
):
    use_thresholds(app, drawn)
    today = drawn["today"]
    try:
        built = build(db, two_cohorts, drawn)
        by_rules = {
            venture_id: [reason.code for reason in found]
            for venture_id, found in risk.assess(built, today).items()
        }
        cohort_ids = [cohort.id for cohort in two_cohorts]
        by_sql = risk.at_risk_codes(today, Venture.cohort_id.in_(cohort_ids))
        assert by_sql == by_rules
        # One cohort at a time, its stage plans written into the statement (the board).
        for cohort in two_cohorts:
            plans = risk.cohort_plans(cohort.id)
            of_cohort = risk.at_risk_codes(today, Venture.cohort_id == cohort.id, plans)
            assert of_cohort == {
                venture.id: by_rules[venture.id]
                for venture in built
                if venture.cohort_id == cohort.id
            }

        at_risk = {venture_id for venture_id, codes in by_rules.items() if codes}
        flagged = set(
            db.session.scalars(
                select(Venture.id).where(risk.at_risk_filter(today, Venture.id.in_(by_rules)))
            )
        )
        assert flagged == at_risk
        counted = risk.at_risk_counts(cohort_ids, today)
        expected: dict[int, int] = {}
        for venture in built:
            if venture.id in at_risk:
                expected[venture.cohort_id] = expected.get(venture.cohort_id, 0) + 1
        assert counted == expected
    finally:
        db.session.rollback()


def comparable(facts: VentureFacts) -> VentureFacts:
    """Facts as compared: the stage's label in words, the due dates in order (the two
    readers meet the milestones in no particular order)."""
    return replace(
        facts,
        stage_label=str(facts.stage_label),
        open_due_dates=tuple(sorted(facts.open_due_dates)),
    )


@RANDOM_PROGRAMS
@given(drawn=programs())
def test_the_timeline_reads_the_same_facts_and_reasons_as_the_board_on_random_ventures(
    db, app, two_cohorts, drawn
):
    use_thresholds(app, drawn)
    today = drawn["today"]
    try:
        built = build(db, two_cohorts, drawn)
        loaded = risk.signals(built)
        for venture in built:
            shown = timeline.timeline_venture(venture.id)
            assert shown is not None
            read = timeline.history(venture.id)
            assert comparable(read.facts(shown)) == comparable(loaded[venture.id].facts)
            by_timeline = [reason.message for reason in read.risk(shown, today)]
            by_board = [reason.message for reason in risk.reasons(loaded[venture.id], today)]
            assert by_timeline == by_board
    finally:
        db.session.rollback()


@RANDOM_PROGRAMS
@given(drawn=programs())
def test_the_boards_cards_read_from_the_stored_facts_say_what_the_history_says(
    db, app, two_cohorts, drawn
):
    """The board reads each shown venture's stored facts with its name and gives the rules
    only the due dates and confidences that can make them apply; the reasons, said in one
    catalogue, are those of the rules over the whole history."""
    use_thresholds(app, drawn)
    today = drawn["today"]
    try:
        built = build(db, two_cohorts, drawn)
        from_history = risk.signals(built)
        catalogue = get_translations()
        for cohort in two_cohorts:
            rows = db.session.execute(
                select(
                    *risk.stored_columns(risk.cohort_plans(cohort.id)),
                    risk.open_due_dates(Venture.id, Venture),
                )
                .join(PipelineFacts, PipelineFacts.venture_id == Venture.id)
                .where(Venture.cohort_id == cohort.id)
            ).all()
            stored = risk.stored_signals(rows, today)
            assert set(stored) == {
                venture.id for venture in built if venture.cohort_id == cohort.id
            }
            for venture_id, signal in stored.items():
                history = from_history[venture_id]
                assert (signal.milestones_done, signal.milestones_total) == (
                    history.milestones_done,
                    history.milestones_total,
                )
                assert signal.last_check_in_on == history.last_check_in_on
                said = [reason.said(catalogue) for reason in risk.reasons(signal, today)]
                expected = risk.reasons(history, today)
                assert [(reason.code, reason.message) for reason in said] == [
                    (reason.code, reason.message) for reason in expected
                ]
    finally:
        db.session.rollback()


def test_archived_ventures_and_other_cohorts_are_not_counted(db, manager):
    # The ventures join today, on the clock of the run (moved in CI); 400 days on, the one
    # that never checked in is at risk.
    today = clock.today()
    first, second = (factories.cohort(name, by=manager) for name in ("Spring", "Fall"))
    quiet = factories.venture(first, "Quiet", by=manager)
    archived = factories.venture(first, "Archived", by=manager)
    factories.venture(second, "Elsewhere", by=manager)
    archived.status = VentureStatus.ARCHIVED
    db.session.flush()
    later = today + timedelta(days=400)

    assert risk.at_risk_counts([first.id], later) == {first.id: 1}
    assert risk.at_risk_counts([], later) == {}
    assert "no_check_in" in risk.at_risk_codes(later, Venture.id == quiet.id)[quiet.id]
