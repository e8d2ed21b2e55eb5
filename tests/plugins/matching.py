"""Fixtures and builders the matching tests share."""

from __future__ import annotations

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
