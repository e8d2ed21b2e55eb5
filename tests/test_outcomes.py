"""Pilots with partner organisations, investments, and the cohort totals they feed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from incubator.models import Pilot, StageChange, Venture, VentureMember
from incubator.models.matching import Investment
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.matching import outcomes
from incubator.services.pipeline import stages
from tests import factories
from tests.helpers import count, page

TODAY = date(2025, 7, 1)


@pytest.fixture
def dropwise(db, manager, cohort):
    """A venture of the cohort, at its first stage."""
    return factories.venture(cohort, "DropWise", by=manager)


@pytest.fixture
def founder(db, login_as, dropwise):
    """DropWise's founder, signed in."""
    person = login_as("founder")
    db.session.add(VentureMember(venture=dropwise, user=person, role_in_team="Founder"))
    return person


@pytest.fixture
def setting(db, manager, dropwise):
    """The manager, DropWise at the pilot stage, and LADWP."""
    venture = dropwise
    stages.move_stage(venture, "prototype", "", by=manager)
    stages.move_stage(venture, "pilot", "", by=manager)
    ladwp = factories.organisation("LADWP")
    return manager, venture, ladwp


def pilot_input(organisation, **fields) -> outcomes.PilotInput:
    data = {
        "organisation_id": organisation.id,
        "title": "Smart watering in Pacoima",
        "starts_on": date(2025, 5, 1),
        "ends_on": None,
        "status": "planned",
        "residents_reached": 0,
        "outcome": "",
    }
    data.update(fields)
    return outcomes.PilotInput(**data)


# Pilots ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_on": date(2025, 4, 1)}, "The pilot cannot end before it starts."),
        ({"residents_reached": -5}, "Residents or users reached is a whole number, 0 or more."),
        ({"organisation_id": 999_999}, "Choose the partner organisation"),
        ({"title": "  "}, "Give the pilot a title."),
        ({"status": "adopted"}, "A new pilot is planned or running"),
    ],
)
def test_a_bad_pilot_is_refused_and_nothing_is_saved(db, setting, fields, message):
    manager, venture, ladwp = setting
    with pytest.raises(InvalidInput, match=message):
        outcomes.create_pilot(venture, pilot_input(ladwp, **fields), by=manager)
    assert count(Pilot) == 0


def test_only_managers_record_pilots(db, setting):
    _manager, venture, ladwp = setting
    founder = factories.founder_of(venture)
    with pytest.raises(NotAllowed):
        outcomes.create_pilot(venture, pilot_input(ladwp), by=founder)
    assert count(Pilot) == 0


def test_a_pilot_runs_completes_and_is_adopted_which_moves_the_venture(db, setting, audit_events):
    manager, venture, ladwp = setting
    pilot = outcomes.create_pilot(venture, pilot_input(ladwp), by=manager)
    outcomes.update_pilot(pilot, pilot_input(ladwp, status="running"), by=manager)
    done = {"ends_on": date(2025, 6, 30), "residents_reached": 1_200, "outcome": "20% less water"}
    outcomes.update_pilot(pilot, pilot_input(ladwp, status="completed", **done), by=manager)
    assert venture.stage == "pilot"

    outcomes.update_pilot(pilot, pilot_input(ladwp, status="adopted", **done), by=manager)

    db.session.expire_all()
    assert db.session.get(Venture, venture.id).stage == "adoption"
    change = db.session.scalars(
        select(StageChange).where(StageChange.venture_id == venture.id).order_by(StageChange.id)
    ).all()[-1]
    assert (change.from_stage, change.to_stage) == ("pilot", "adoption")
    assert change.reason == "Pilot adopted by LADWP"
    assert change.changed_by_id == manager.id
    assert [e.after["status"] for e in audit_events("pilot.updated")] == [
        "running",
        "completed",
        "adopted",
    ]


def test_adopting_a_pilot_of_a_venture_already_at_adoption_moves_nothing(db, setting):
    manager, venture, ladwp = setting
    stages.move_stage(venture, "adoption", "", by=manager)
    changes = count(StageChange)
    pilot = outcomes.create_pilot(venture, pilot_input(ladwp, status="running"), by=manager)
    done = {"ends_on": date(2025, 6, 30)}
    outcomes.update_pilot(pilot, pilot_input(ladwp, status="completed", **done), by=manager)
    outcomes.update_pilot(pilot, pilot_input(ladwp, status="adopted", **done), by=manager)
    assert pilot.status == "adopted"
    assert count(StageChange) == changes


@pytest.mark.parametrize(
    ("path", "refused", "message"),
    [
        ([], "completed", "A planned pilot cannot become completed."),
        (["running"], "adopted", "Only a completed pilot can be marked adopted."),
        ([], "adopted", "Only a completed pilot can be marked adopted."),
        (["stopped"], "running", "A stopped pilot cannot become running."),
        (["running", "completed"], "stopped", "A completed pilot cannot become stopped."),
    ],
)
def test_pilot_statuses_move_only_forward(db, setting, path, refused, message):
    manager, venture, ladwp = setting
    pilot = outcomes.create_pilot(venture, pilot_input(ladwp), by=manager)
    ended = {"ends_on": date(2025, 6, 30)}
    for status in path:
        outcomes.update_pilot(pilot, pilot_input(ladwp, status=status, **ended), by=manager)
    with pytest.raises(InvalidInput, match=message):
        outcomes.update_pilot(pilot, pilot_input(ladwp, status=refused, **ended), by=manager)
    db.session.expire_all()
    assert db.session.get(Pilot, pilot.id).status == (path[-1] if path else "planned")
    assert db.session.get(Venture, venture.id).stage == "pilot"


def test_completing_a_pilot_needs_its_end_date(db, setting):
    manager, venture, ladwp = setting
    pilot = outcomes.create_pilot(venture, pilot_input(ladwp, status="running"), by=manager)
    with pytest.raises(InvalidInput, match=r"Enter the day the pilot ended\."):
        outcomes.update_pilot(pilot, pilot_input(ladwp, status="completed"), by=manager)


# Investments ----------------------------------------------------------------------------------


def investment_input(**fields) -> outcomes.InvestmentInput:
    data = {
        "amount": "75000",
        "instrument": "safe",
        "invested_on": date(2025, 6, 15),
        "funder_id": None,
        "funder_name": "Weingart Foundation",
    }
    data.update(fields)
    return outcomes.InvestmentInput(**data)


def test_an_investment_is_recorded_and_audited(db, setting, audit_events):
    manager, venture, _ladwp = setting
    funder = factories.funder("David Chen")
    investment = outcomes.record_investment(
        venture, investment_input(funder_id=funder.id), by=manager, today=TODAY
    )
    assert investment.amount == Decimal("75000.00")
    assert investment.funder_id == funder.id and investment.funder_name == ""
    (event,) = audit_events("investment.recorded")
    assert event.after["amount"] == "75000.00"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0"}, r"more than \$0"),
        ({"amount": "-10"}, r"more than \$0"),
        ({"amount": "100000000.01"}, r"at most \$100,000,000"),
        ({"amount": "12.345"}, "dollars and cents"),
        ({"amount": "lots"}, "Enter the amount in dollars."),
        ({"instrument": "bond"}, "Unknown instrument 'bond'"),
        ({"invested_on": date(2025, 7, 2)}, "once it is made, not in advance"),
        ({"funder_name": "  "}, "Choose a funder from the list, or name an outside funder."),
    ],
)
def test_a_bad_investment_is_refused_and_nothing_is_saved(db, setting, fields, message):
    manager, venture, _ladwp = setting
    with pytest.raises(InvalidInput, match=message):
        outcomes.record_investment(venture, investment_input(**fields), by=manager, today=TODAY)
    assert count(Investment) == 0


def test_an_investment_credited_to_someone_who_is_not_a_funder_is_refused(db, setting):
    manager, venture, _ladwp = setting
    mentor = factories.user("mentor")
    with pytest.raises(InvalidInput, match="Choose a funder from the list"):
        outcomes.record_investment(
            venture, investment_input(funder_id=mentor.id), by=manager, today=TODAY
        )
    assert count(Investment) == 0


def test_only_managers_record_investments(db, setting):
    _manager, venture, _ladwp = setting
    funder = factories.funder()
    with pytest.raises(NotAllowed):
        outcomes.record_investment(venture, investment_input(), by=funder, today=TODAY)
    assert count(Investment) == 0


# Cohort totals --------------------------------------------------------------------------------


def test_cohort_totals_count_pilots_residents_and_money_in_one_query(db, setting, count_queries):
    manager, venture, ladwp = setting
    other = factories.venture(venture.cohort, "LeakLens", by=manager)
    elsewhere = factories.venture(factories.cohort(by=manager), "Elsewhere", by=manager)
    factories.pilot(venture, ladwp, by=manager, status="running", residents_reached=300)
    factories.pilot(other, ladwp, by=manager, residents_reached=20)
    factories.pilot(elsewhere, ladwp, by=manager, residents_reached=9_999)
    factories.investment(venture, by=manager, amount="50000", instrument="grant")
    factories.investment(other, by=manager, amount="25000.50", instrument="safe")
    factories.investment(other, by=manager, amount="10000", instrument="grant")
    factories.investment(elsewhere, by=manager, amount="1000000", instrument="equity")

    cohort = venture.cohort
    db.session.flush()
    with count_queries() as counter:
        totals = outcomes.cohort_totals(cohort)

    assert counter.count == 1, counter.statements
    assert totals.pilots_by_status == {
        "planned": 1,
        "running": 1,
        "completed": 0,
        "adopted": 0,
        "stopped": 0,
    }
    assert totals.residents_reached == 320
    assert totals.invested_by_instrument == {
        "grant": Decimal("60000.00"),
        "safe": Decimal("25000.50"),
        "equity": Decimal("0"),
        "loan": Decimal("0"),
    }
    assert totals.invested == Decimal("85000.50")


def test_the_board_shows_the_cohort_totals(db, client, signed_in_manager, cohort, dropwise):
    manager, venture = signed_in_manager, dropwise
    ladwp = factories.organisation("LADWP")
    factories.pilot(venture, ladwp, by=manager, status="running", residents_reached=1_234)
    factories.investment(venture, by=manager, amount="125000", instrument="loan")

    text = page(client.get(f"/pipeline/cohorts/{cohort.id}"))

    assert "Cohort outcomes" in text
    assert "1 running" in text
    assert "1,234" in text
    assert "$125,000" in text and "Loan $125,000" in text


# Routes ---------------------------------------------------------------------------------------


def pilot_form(organisation, prefix: str = "", **fields: str) -> dict[str, str]:
    """A posted pilot form, its fields named with the form's prefix (an update form's is
    "pilot-<id>-")."""
    data = {
        "organisation_id": str(organisation.id),
        "title": "Meter data pilot",
        "starts_on": "2025-05-01",
        "status": "planned",
        "residents_reached": "0",
        **fields,
    }
    return {f"{prefix}{name}": value for name, value in data.items()}


def test_a_manager_adds_and_updates_a_pilot_through_the_outcomes_page(
    db, client, signed_in_manager, dropwise
):
    manager, venture = signed_in_manager, dropwise
    stages.move_stage(venture, "pilot", "", by=manager)
    ladwp = factories.organisation("LADWP")

    response = client.post(
        f"/matching/ventures/{venture.id}/pilots",
        data=pilot_form(ladwp, status="running", residents_reached="40"),
    )
    assert response.status_code == 302
    pilot = db.session.scalar(select(Pilot))
    assert (pilot.title, pilot.status) == ("Meter data pilot", "running")

    for status in ("completed", "adopted"):
        response = client.post(
            f"/matching/pilots/{pilot.id}",
            data=pilot_form(
                ladwp,
                prefix=f"pilot-{pilot.id}-",
                ends_on="2025-06-30",
                status=status,
                residents_reached="900",
            ),
        )
        assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Pilot, pilot.id).status == "adopted"
    assert db.session.get(Venture, venture.id).stage == "adoption"

    text = page(client.get(f"/matching/ventures/{venture.id}/outcomes"))
    assert "Meter data pilot" in text and "Adopted" in text and "900" in text


def test_a_bad_pilot_form_flashes_and_saves_nothing(db, client, signed_in_manager, dropwise):
    venture = dropwise
    ladwp = factories.organisation("LADWP")
    response = client.post(
        f"/matching/ventures/{venture.id}/pilots",
        data=pilot_form(ladwp, title="Backwards", ends_on="2025-04-01"),
        follow_redirects=True,
    )
    assert "The pilot cannot end before it starts." in page(response)
    assert count(Pilot) == 0


def test_a_manager_records_an_investment_through_the_outcomes_page(
    db, client, signed_in_manager, dropwise
):
    venture = dropwise
    funder = factories.funder("David Chen")
    response = client.post(
        f"/matching/ventures/{venture.id}/investments",
        data={
            "funder_id": str(funder.id),
            "funder_name": "",
            "amount": "250000",
            "instrument": "equity",
            "invested_on": "2025-06-01",
        },
        follow_redirects=True,
    )
    text = page(response)
    assert "Investment recorded." in text
    assert "David Chen" in text and "$250,000.00" in text
    assert db.session.scalar(select(Investment.instrument)) == "equity"


def test_a_founder_sees_their_own_outcomes_without_the_forms(
    db, client, manager, dropwise, founder
):
    venture = dropwise
    other = factories.venture(venture.cohort, "LeakLens", by=manager)
    factories.pilot(venture, factories.organisation("LADWP"), by=manager, title="Our pilot")

    mine = client.get(f"/matching/ventures/{venture.id}/outcomes")
    assert mine.status_code == 200
    assert "Our pilot" in page(mine) and "Add a pilot" not in page(mine)
    assert client.get(f"/matching/ventures/{other.id}/outcomes").status_code == 404


def test_founders_cannot_post_pilots_or_investments(db, client, dropwise, founder):
    venture = dropwise
    assert client.post(f"/matching/ventures/{venture.id}/pilots", data={}).status_code == 403
    assert client.post(f"/matching/ventures/{venture.id}/investments", data={}).status_code == 403
    assert count(Pilot) == count(Investment) == 0
