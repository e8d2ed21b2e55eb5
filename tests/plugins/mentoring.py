"""Fixtures the mentoring tests share: two ventures of the `cohort` (LeakMap with founders
Ana and Bo, BusBuddy with Cy), two mentors (Maya, Omar), and a client signed in as anyone.
Also the times the session tests are written at."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from incubator import clock
from tests import factories
from tests.helpers import page

LA = ZoneInfo("America/Los_Angeles")
# The service tests run "as at" this moment: Monday October 5, 2026, 9:00 in Los Angeles.
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=LA).astimezone(UTC)


def la(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Los Angeles in 2026, as the UTC instant it is."""
    return datetime(2026, month, day, hour, minute, tzinfo=LA).astimezone(UTC)


def ahead(days: int, hour: int = 10) -> datetime:
    """A whole hour in Los Angeles `days` from today, for tests that run at the clock's time."""
    return clock.at(clock.today() + timedelta(days=days), time(hour))


def series_form(
    first: date, last: date, *, start: str, end: str, location: str = "", minutes: int = 30
) -> dict[str, str]:
    """The availability page's weekly-series form: slots of `minutes` from start to end
    every week on first's weekday, from first to last."""
    fields = {
        "weekday": str(first.weekday()),
        "start_time": start,
        "end_time": end,
        "slot_minutes": str(minutes),
        "starts_on": first.isoformat(),
        "ends_on": last.isoformat(),
        "location": location,
        "note": "",
    }
    return {f"series-{name}": value for name, value in fields.items()}


@pytest.fixture
def leakmap(venture):
    """LeakMap: the pipeline tests' `venture`, by its name."""
    return venture


@pytest.fixture
def busbuddy(db, cohort, manager):
    return factories.venture(cohort, "BusBuddy", by=manager)


@pytest.fixture
def ana(founder):
    """Ana Lopez, LeakMap's founder: the pipeline tests' `founder`, by her name."""
    return founder


@pytest.fixture
def bo(db, leakmap):
    return factories.founder_of(leakmap, name="Bo Chen", email="bo@example.org")


@pytest.fixture
def cy(db, busbuddy):
    return factories.founder_of(busbuddy, name="Cy Park", email="cy@example.org")


@pytest.fixture
def maya(db):
    return factories.user("mentor", name="Maya Patel", email="maya@example.org")


@pytest.fixture
def omar(db):
    return factories.user("mentor", name="Omar Haddad", email="omar@example.org")


@pytest.fixture
def client_for(app, sign_in, db):
    """A new client signed in as this person (what the test set up is committed first)."""

    def make(user):
        db.session.commit()
        client = app.test_client()
        response = sign_in(client, user.email)
        assert response.status_code == 302, page(response)
        return client

    return make
