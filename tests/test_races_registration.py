"""Registration races through the multi-worker server (tests/races.py): two cancellations at
once move up exactly two people from the waiting list, and two registrations for the last
place make one confirmed and one on the waiting list. Both lock the hackathon's row first
(services/hackathons/registrations.py). `make test` runs this on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from incubator.extensions import db
from incubator.models import Registration, RegistrationStatus
from tests import factories
from tests.plugins.registration import as_public_form, open_hackathon, register, registration_input
from tests.race_helpers import actions, new_email
from tests.races import ROUNDS, Browser, one_of, race, rounds


@pytest.fixture
def people(served):
    """Two of the program team at two browsers (registering needs no account, but the
    harness signs its browsers in)."""

    def build():
        return [factories.user("manager", email=new_email(who)).email for who in ("ana", "bo")]

    browsers = [Browser(served, email) for email in served.seed(build)]
    yield browsers
    for browser in browsers:
        browser.close()


def _statuses(hackathon_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(Registration.id, Registration.status).where(
            Registration.hackathon_id == hackathon_id
        )
    )
    return dict(rows.all())


def test_two_cancellations_at_once_move_up_exactly_two(served, people):
    def play(_number):
        def seed():
            manager = factories.user("manager", email=new_email("maria"))
            hackathon = open_hackathon(by=manager, capacity=2)
            placed = [register(hackathon, f"Placed {n}", email=new_email("p")) for n in (1, 2)]
            waiting = [register(hackathon, f"Waiting {n}", email=new_email("w")) for n in (1, 2, 3)]
            return hackathon.id, [r.id for r in placed], [r.id for r in waiting]

        # The program team cancels for both at once (the mailed link locks the same way, but
        # its token is signed with the server's key).
        hackathon_id, placed, waiting = served.seed(seed)
        shown = race(
            [
                browser.post("registration.cancel_for", registration_id=registration_id)
                for browser, registration_id in zip(people, placed, strict=True)
            ]
        )
        return shown, (hackathon_id, placed, waiting)

    def check(shown, context):
        hackathon_id, placed, waiting = context
        statuses, moved = served.check(
            lambda: (
                _statuses(hackathon_id),
                [r for r in waiting if "registration.moved_up" in actions("registration", r)],
            )
        )
        assert [statuses[r] for r in placed] == ["cancelled", "cancelled"]
        assert [statuses[r] for r in waiting] == ["confirmed", "confirmed", "waitlisted"]
        assert moved == waiting[:2]
        for each in shown:
            assert each.said("is cancelled; moved up: Waiting"), each.text
        return "both cancelled, two moved up"

    tally = rounds(served, "two cancellations at once", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


def test_two_registrations_for_the_last_place_make_one_confirmed_one_waitlisted(served, people):
    def play(_number):
        def seed():
            manager = factories.user("manager", email=new_email("maria"))
            hackathon = open_hackathon(by=manager, capacity=2)
            register(hackathon, "Already in", email=new_email("in"))
            return hackathon.id

        hackathon_id = served.seed(seed)
        forms = [
            as_public_form(registration_input(name, email=new_email(name.lower())))
            for name in ("Rosa", "Kim")
        ]
        shown = race(
            [
                browser.post("registration.register", form, hackathon_id=hackathon_id)
                for browser, form in zip(people, forms, strict=True)
            ]
        )
        return shown, hackathon_id

    def check(shown, hackathon_id):
        statuses = served.check(lambda: _statuses(hackathon_id))
        assert Counter(statuses.values()) == Counter(
            {RegistrationStatus.CONFIRMED: 2, RegistrationStatus.WAITLISTED: 1}
        )
        pages = sorted("waiting list" in each.page for each in shown)
        assert pages == [False, True], [each.describe() for each in shown]
        return "one confirmed, one waitlisted"

    tally = rounds(served, "two registrations for the last place", play, check)
    assert sum(tally.outcomes.values()) == ROUNDS


def test_one_person_checked_in_from_two_phones_is_checked_in_once(served, people):
    def play(_number):
        def seed():
            manager = factories.user("manager", email=new_email("maria"))
            hackathon = open_hackathon(by=manager, capacity=5)
            return register(hackathon, "Rosa Diaz", email=new_email("rosa")).id

        registration_id = served.seed(seed)
        shown = race(
            [
                browser.post("registration.check_in", registration_id=registration_id)
                for browser in people
            ]
        )
        return shown, registration_id

    def check(shown, registration_id):
        attended, trail = served.check(
            lambda: (
                db.session.get(Registration, registration_id).attended_at,
                actions("registration", registration_id),
            )
        )
        assert attended is not None
        assert trail.count("registration.checked_in") == 1, trail
        _, loser = one_of(shown, lambda each: each.said("Rosa Diaz checked in."))
        assert loser.said("Rosa Diaz is already checked in."), loser.text
        return "checked in once, the other phone told"

    tally = rounds(served, "one person checked in from two phones", play, check)
    assert tally.outcomes == {"checked in once, the other phone told": ROUNDS}
