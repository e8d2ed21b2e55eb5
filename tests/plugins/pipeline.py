"""Fixtures the pipeline tests share: a venture in the cohort and its founder.

The venture joins whatever the `cohort` fixture gives; a test file that wants a cohort
without default milestones overrides `cohort` with `bare_cohort`.
"""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def venture(db, cohort, manager):
    """LeakMap, at the Concept stage of the cohort's pipeline."""
    return factories.venture(cohort, "LeakMap", by=manager)


@pytest.fixture
def founder(db, venture):
    """Ana Lopez, LeakMap's founder."""
    return factories.founder_of(venture, name="Ana Lopez", email="ana@example.org")
