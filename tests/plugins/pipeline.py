"""What the pipeline and cohort tests share: a venture in the cohort and its founder
(fixtures), and the milestone and venture forms and profile they post (helpers).

The venture joins whatever the `cohort` fixture gives; a test file that wants a cohort
without default milestones overrides `cohort` with `bare_cohort`.
"""

from __future__ import annotations

import pytest

from incubator.services.cohorts import ventures
from tests import factories


@pytest.fixture
def venture(db, cohort, manager):
    """LeakMap, at the Concept stage of the cohort's pipeline."""
    return factories.venture(cohort, "LeakMap", by=manager)


@pytest.fixture
def founder(db, venture):
    """Ana Lopez, LeakMap's founder."""
    return factories.founder_of(venture, name="Ana Lopez", email="ana@example.org")


def milestone_form(**fields) -> dict[str, str]:
    """The milestone form as posted, for "Ten interviews"; fields override its values."""
    data = {
        "title": "Ten interviews",
        "description": "With residents of Watts",
        "stage": "concept",
        "due_on": "2025-06-01",
        "owner_id": "0",
    }
    return {**data, **fields}


def venture_form(**fields) -> dict[str, object]:
    """The venture profile form as posted, for LeakMap; fields override its values."""
    data = {
        "name": "LeakMap",
        "one_liner": "Every leak on one map",
        "description": "Residents report leaks.",
        "challenge_area": "Water and drought",
        "website": "https://leakmap.example.org",
        "impact_areas": ["Water and drought"],
        "neighbourhoods": ["Watts"],
        "needs": ["Pilot site", "Funding"],
    }
    return {**data, **fields}


def venture_profile(**fields) -> ventures.VentureProfile:
    """LeakMap's profile as the services take it; fields override its values."""
    return ventures.VentureProfile(
        **{
            "name": "LeakMap",
            "one_liner": "Every leak on one map",
            "description": "Residents report leaks; crews fix them.",
            "challenge_area": "Water and drought",
            "website": "https://leakmap.example.org",
            "impact_areas": ["Water and drought"],
            "neighbourhoods": ["Watts", "Boyle Heights"],
            "needs": ["Pilot site"],
            **fields,
        }
    )
