"""The derived pipeline facts (services/pipeline/facts.py) stay equal to the history they are
derived from through any sequence of changes, match a plain Python reading of that history,
and `flask pipeline-facts` finds and mends rows that data arriving around the app left behind.

Every other test checks the first property too, when the `app` fixture ends (conftest.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from incubator.models import (
    CheckIn,
    Cohort,
    Milestone,
    MilestoneStatus,
    PipelineFacts,
    Stage,
    StageChange,
    Venture,
    VentureStatus,
)
from incubator.models.pipeline import OPEN_MILESTONE_STATUSES
from incubator.services.pipeline import facts
from tests import factories

MONDAY = date(2026, 9, 7)
START = datetime(2026, 9, 1, 17, tzinfo=UTC)
DONE = (MilestoneStatus.DONE, MilestoneStatus.VERIFIED)


def expected(venture: Venture, db) -> dict[str, object]:
    """A venture's facts read from its rows in Python, the way the rules read them."""
    milestones = list(
        db.session.scalars(select(Milestone).where(Milestone.venture_id == venture.id))
    )
    check_ins = list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.venture_id == venture.id)
            .order_by(CheckIn.week_start.desc())
        )
    )
    moves = sorted(
        db.session.scalars(
            select(StageChange.changed_at).where(StageChange.venture_id == venture.id)
        )
    )

    def run(level: int) -> int:
        count = 0
        for check_in in check_ins:
            if check_in.confidence > level:
                break
            count += 1
        return count

    open_due = [m.due_on for m in milestones if m.status in OPEN_MILESTONE_STATUSES and m.due_on]
    return {
        "milestones_total": len(milestones),
        "milestones_done": sum(1 for m in milestones if m.status in DONE),
        "first_open_due_on": min(open_due, default=None),
        "check_ins": len(check_ins),
        "last_check_in_on": check_ins[0].week_start if check_ins else None,
        **{f"low_run_{level}": run(level) for level in facts.LOW_LEVELS},
        "joined_at": moves[0] if moves else venture.created_at,
        "stage_since_at": moves[-1] if moves else venture.created_at,
        "cohort_id": venture.cohort_id,
        "status": venture.status,
        "stage": venture.stage,
    }


def stored(venture_id: int, db) -> dict[str, object]:
    db.session.expire_all()
    row = db.session.get(PipelineFacts, venture_id)
    assert row is not None, f"venture {venture_id} has no facts"
    return {name: getattr(row, name) for name in facts.COLUMNS if name != "venture_id"}


def _rows(model, venture: Venture, db) -> list:
    return list(
        db.session.scalars(select(model).where(model.venture_id == venture.id).order_by(model.id))
    )


def _add_milestone(venture, value, db, **_):
    db.session.add(
        Milestone(
            venture_id=venture.id,
            title=f"Milestone {value}",
            stage=venture.stage,
            due_on=MONDAY + timedelta(days=value) if value % 3 else None,
            status=MilestoneStatus.PLANNED,
        )
    )


def _milestone_status(milestone, value, **_):
    status = list(MilestoneStatus)[value % len(MilestoneStatus)]
    milestone.status = status
    milestone.completed_at = START if status in DONE else None
    milestone.verified_at = START if status == MilestoneStatus.VERIFIED else None


def _milestone_due(milestone, value, **_):
    milestone.due_on = MONDAY + timedelta(days=value) if value % 4 else None


def _move_milestone(milestone, other, **_):
    milestone.venture_id = other.id


def _add_check_in(venture, value, db, check_ins, **_):
    week = MONDAY + timedelta(weeks=value % 12)
    if all(existing.week_start != week for existing in check_ins):
        db.session.add(
            CheckIn(
                venture_id=venture.id, week_start=week, summary="A week", confidence=1 + value % 5
            )
        )


def _check_in_confidence(check_in, value, **_):
    check_in.confidence = 1 + value % 5


def _move_stage(venture, value, db, **_):
    db.session.add(
        StageChange(
            venture_id=venture.id,
            from_stage=venture.stage,
            to_stage=venture.stage,
            changed_at=START + timedelta(hours=value * 7),
            reason="Moved",
        )
    )


def _venture_stage(venture, value, **_):
    venture.stage = list(Stage)[value % len(Stage)]


def _venture_status(venture, **_):
    archived = venture.status == VentureStatus.ARCHIVED
    venture.status = VentureStatus.ACTIVE if archived else VentureStatus.ARCHIVED


def _venture_cohort(venture, db, **_):
    """To the other cohort (the tests make two)."""
    venture.cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.id != venture.cohort_id))


# What each change needs (a venture, or one of its milestones or check-ins) and does.
CHANGES = {
    "add_milestone": ("venture", _add_milestone),
    "milestone_status": ("milestone", _milestone_status),
    "milestone_due": ("milestone", _milestone_due),
    "move_milestone": ("milestone", _move_milestone),
    "delete_milestone": ("milestone", lambda milestone, db, **_: db.session.delete(milestone)),
    "add_check_in": ("venture", _add_check_in),
    "check_in_confidence": ("check_in", _check_in_confidence),
    "delete_check_in": ("check_in", lambda check_in, db, **_: db.session.delete(check_in)),
    "move_stage": ("venture", _move_stage),
    "venture_stage": ("venture", _venture_stage),
    "venture_status": ("venture", _venture_status),
    "venture_cohort": ("venture", _venture_cohort),
}

# One change to a venture's history: (what, which venture, a number that picks the row, a value)
changes = st.tuples(
    st.sampled_from(sorted(CHANGES)), st.integers(0, 1), st.integers(0, 10), st.integers(0, 60)
)


def apply(change, ventures: list[Venture], db) -> None:
    kind, which, pick, value = change
    venture, other = ventures[which], ventures[1 - which]
    needs, do = CHANGES[kind]
    milestones, check_ins = _rows(Milestone, venture, db), _rows(CheckIn, venture, db)
    found = {
        "venture": venture,
        "milestone": milestones[pick % len(milestones)] if milestones else None,
        "check_in": check_ins[pick % len(check_ins)] if check_ins else None,
    }
    if found[needs] is not None:
        do(found[needs], value=value, db=db, other=other, check_ins=check_ins)


ENDINGS = ["flush", "commit", "rollback"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(changes, st.sampled_from(["flush", "commit", "rollback"])), max_size=12
    )
)
def test_the_facts_follow_any_sequence_of_changes(app, db, steps):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    factories.cohort(by=manager)  # where a venture may be moved
    ventures = [factories.venture(cohort, by=manager) for _ in range(2)]
    db.session.commit()
    for change, end in steps:
        apply(change, ventures, db)
        if end == "commit":
            db.session.commit()
        elif end == "rollback":
            db.session.rollback()
        else:
            db.session.flush()
    db.session.commit()
    for venture in ventures:
        assert stored(venture.id, db) == expected(venture, db)
    assert facts.stale_ventures() == []


# For each kind of change, a value that moves some fact of the venture below.
CHANGING = {
    "add_milestone": 1,
    "milestone_status": 2,  # done
    "milestone_due": 1,
    "move_milestone": 0,
    "delete_milestone": 0,
    "add_check_in": 9,
    "check_in_confidence": 4,  # 5: the newest check-in is no longer low
    "delete_check_in": 0,
    "move_stage": 60,
    "venture_stage": 3,
    "venture_status": 0,
    "venture_cohort": 0,
}


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_each_kind_of_change_alone_moves_the_facts(app, db, kind):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    factories.cohort(by=manager)  # where a venture may be moved
    ventures = [factories.venture(cohort, by=manager) for _ in range(2)]
    venture = ventures[0]
    for weeks, confidence in ((0, 1), (1, 3), (2, 1)):
        db.session.add(
            CheckIn(
                venture_id=venture.id,
                week_start=MONDAY + timedelta(weeks=weeks),
                summary="A week",
                confidence=confidence,
            )
        )
    for days in (3, 5):
        _add_milestone(venture, days, db)
    db.session.commit()
    before = stored(venture.id, db)
    # The middle check-in (week 1, confidence 3) and the last milestone.
    apply(
        (kind, 0, 1 if kind in ("check_in_confidence", "delete_check_in") else -1, CHANGING[kind]),
        ventures,
        db,
    )
    db.session.commit()
    after = stored(venture.id, db)
    assert after != before
    assert after == expected(venture, db)


def test_a_read_in_the_same_transaction_sees_the_changes_made_so_far(app, db):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), by=manager)
    founder = factories.founder_of(venture)
    db.session.commit()
    factories.check_in(venture, founder, MONDAY, confidence=1)
    # Not committed: the risk query settles the pending facts first.
    found = facts.stale_ventures()
    assert found == []
    assert stored(venture.id, db)["last_check_in_on"] == MONDAY


def test_a_milestone_moved_to_another_venture_leaves_both_right(app, db):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    first, second = (factories.venture(cohort, by=manager) for _ in range(2))
    milestone = factories.milestone(first, "Pilot agreement", by=manager)
    db.session.commit()
    before = stored(first.id, db)["milestones_total"], stored(second.id, db)["milestones_total"]
    milestone = db.session.get(Milestone, milestone.id)
    milestone.venture_id = second.id
    db.session.commit()
    assert stored(first.id, db)["milestones_total"] == before[0] - 1
    assert stored(second.id, db)["milestones_total"] == before[1] + 1


def test_the_check_command_finds_rows_left_behind_and_rebuild_mends_them(app, db, runner):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), by=manager)
    db.session.commit()
    assert runner.invoke(args=["pipeline-facts", "check"]).exit_code == 0
    # A check-in that arrived around the app (a restore, a bulk import): no listener saw it.
    db.session.execute(
        insert(CheckIn).values(
            venture_id=venture.id, week_start=MONDAY, summary="Imported", confidence=2
        )
    )
    db.session.commit()
    assert facts.stale_ventures() == [venture.id]

    checked = runner.invoke(args=["pipeline-facts", "check"])
    assert checked.exit_code == 1
    assert f"1 ventures have out-of-date facts (ids {venture.id})" in checked.output
    assert "flask pipeline-facts rebuild" in checked.output

    rebuilt = runner.invoke(args=["pipeline-facts", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Rebuilt the facts of 1 ventures (1 were out of date)," in rebuilt.output
    assert "restamped 1 cohorts." in rebuilt.output
    assert facts.stale_ventures() == []
    assert stored(venture.id, db)["last_check_in_on"] == MONDAY
    assert stored(venture.id, db)["low_run_2"] == 1
    assert stored(venture.id, db)["low_run_1"] == 0
