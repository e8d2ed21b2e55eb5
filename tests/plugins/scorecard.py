"""Fixtures the scorecard tests share."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def scorecard_manager(db, manager):
    """The program manager (conftest's Maria Gonzalez), with the scorecard's reference data
    loaded first: the 114 neighbourhoods, the impact areas and the starter metrics."""
    factories.scorecard_reference()
    return manager
