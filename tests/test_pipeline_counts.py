"""The board's counts, columns and table and the manager home's at-risk counts, read in one
pass over the ventures' facts, agree with the risk rules on random ventures."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from incubator.models import Venture
from incubator.services.pipeline import board as pipeline_board
from incubator.services.pipeline import risk
from incubator.services.pipeline.stages import STAGES
from tests.test_risk_sql import (  # noqa: F401 (two_cohorts: a fixture)
    build,
    programs,
    two_cohorts,
    use_thresholds,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=programs())
def test_the_board_and_home_count_what_the_rules_find(db, app, two_cohorts, drawn):  # noqa: F811
    use_thresholds(app, drawn)
    today = drawn["today"]
    try:
        built = build(db, two_cohorts, drawn)
        by_rules = {
            venture_id: bool(found) for venture_id, found in risk.assess(built, today).items()
        }
        ventures: dict[int, Venture] = {venture.id: venture for venture in built}
        expected_home: dict[int, int] = {}
        for venture in built:
            if by_rules[venture.id]:
                expected_home[venture.cohort_id] = expected_home.get(venture.cohort_id, 0) + 1
        cohort_ids = [cohort.id for cohort in two_cohorts]
        assert risk.at_risk_counts(cohort_ids, today) == expected_home

        for cohort in two_cohorts:
            mine = [venture for venture in built if venture.cohort_id == cohort.id]
            for at_risk in (None, True, False):
                chosen = [
                    venture
                    for venture in mine
                    if at_risk is None or by_rules[venture.id] == at_risk
                ]
                found = pipeline_board.board(cohort, today, at_risk=at_risk)
                assert found.total == len(mine)
                assert found.matching == len(chosen)
                assert found.at_risk_count == sum(by_rules[venture.id] for venture in chosen)
                for column in found.columns:
                    in_stage = sorted(
                        (venture for venture in chosen if venture.stage == column.stage),
                        key=lambda venture: (venture.name.lower(), venture.id),
                    )
                    assert column.count == len(in_stage)
                    assert [row.venture.id for row in column.rows] == [
                        venture.id for venture in in_stage
                    ]
                    assert all(row.at_risk == by_rules[row.venture.id] for row in column.rows)
                table = pipeline_board.board(cohort, today, at_risk=at_risk, view="table")
                assert {row.venture.id for row in table.rows} == {venture.id for venture in chosen}
                assert len(found.columns) == len(STAGES)
        assert set(ventures) == set(by_rules)
    finally:
        db.session.rollback()
