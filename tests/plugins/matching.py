"""Fixtures and builders the matching tests share."""

from __future__ import annotations

import random

import pytest

from incubator.models import OfficeHoursRanking


def ranking(day, ranker, mentor, venture, side: str, position: int) -> OfficeHoursRanking:
    """One side's rank after an office-hours day: a founder's of a mentor, or a mentor's of
    a venture (`side` is "founder" or "mentor")."""
    return OfficeHoursRanking(
        day_id=day.id,
        ranker_id=ranker.id,
        side=side,
        mentor_id=mentor.id,
        venture_id=venture.id,
        rank=position,
    )


@pytest.fixture
def signed_in_manager(db, client, sign_in, manager):
    """The program manager, signed in on `client`."""
    db.session.commit()
    sign_in(client, manager.email)
    return manager


def random_preferences(rng: random.Random):
    """A random instance of the stable option's input: each venture's and each counterpart's
    acceptable partners best first (some accept nobody), capacities from 0 to 3 and a most
    per venture from 1 to 3."""
    ventures, counterparts = rng.randint(1, 40), rng.randint(1, 20)
    venture_prefs = [
        rng.sample(range(counterparts), rng.randint(0, counterparts)) for _ in range(ventures)
    ]
    counterpart_prefs = [
        rng.sample(range(ventures), rng.randint(0, ventures)) for _ in range(counterparts)
    ]
    capacities = [rng.randint(0, 3) for _ in range(counterparts)]
    return venture_prefs, counterpart_prefs, capacities, rng.randint(1, 3)
