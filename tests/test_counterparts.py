"""Funder and partner profiles, and what funders and partners may see of the ventures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from incubator.models import FunderProfile, PartnerProfile, Venture
from incubator.services.cohorts import ventures
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.matching import counterparts
from tests import factories
from tests.helpers import page

MONDAY = date(2025, 6, 2)


def funder_input(**fields) -> counterparts.FunderInput:
    data = counterparts.FunderInput(
        organisation="LA Civic Ventures",
        funder_type="angel",
        stages=["prototype", "pilot"],
        cheque_min=10_000,
        cheque_max=100_000,
        focus_areas=["Water and drought", "Clean air"],
        open_to_civic=True,
        capacity=4,
    )
    return replace(data, **fields)


def funder_form(**fields) -> dict[str, object]:
    data = {
        "organisation": "LA Civic Ventures",
        "funder_type": "fund",
        "stages": ["pilot"],
        "cheque_min": "25000",
        "cheque_max": "250000",
        "focus_areas": ["Water conservation"],
        "open_to_civic": "y",
        "capacity": "6",
    }
    return {**data, **fields}


def stored_funder(db, user_id: int) -> dict[str, object] | None:
    db.session.expire_all()
    profile = db.session.get(FunderProfile, user_id)
    if profile is None:
        return None
    return {name: getattr(profile, name) for name in counterparts.FUNDER_FIELDS}


# Funder profiles ------------------------------------------------------------------------------


def test_a_funder_saves_their_profile_and_it_is_audited(db, audit_events):
    person = factories.user("funder")
    counterparts.save_funder_profile(person, funder_input(), by=person)
    saved = stored_funder(db, person.id)
    assert saved["funder_type"] == "angel"
    assert saved["stages"] == ["prototype", "pilot"]
    assert saved["focus_areas"] == ["Water and drought", "Clean air"]
    assert (saved["cheque_min"], saved["cheque_max"]) == (10_000, 100_000)
    assert [e.action for e in audit_events("funder_profile.saved")] == ["funder_profile.saved"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"funder_type": "uncle"}, "Unknown kind of funder"),
        ({"cheque_min": 200_000, "cheque_max": 100_000}, "smallest cheque cannot be larger"),
        ({"cheque_min": -1}, "smallest cheque is a sum from $0"),
        ({"cheque_max": 100_000_001}, "largest cheque is a sum from $0 to $100,000,000"),
        ({"stages": ["seed"]}, "Unknown stage: seed"),
        ({"focus_areas": ["Crypto"]}, "Unknown focus area: Crypto"),
        ({"capacity": 51}, "Capacity is a whole number from 0 to 50"),
        ({"capacity": -1}, "Capacity is a whole number from 0 to 50"),
    ],
)
def test_a_bad_funder_profile_is_refused_and_nothing_changes(db, fields, message):
    person = factories.user("funder")
    counterparts.save_funder_profile(person, funder_input(), by=person)
    before = stored_funder(db, person.id)
    with pytest.raises(InvalidInput, match=message.replace("$", r"\$")):
        counterparts.save_funder_profile(person, funder_input(**fields), by=person)
    assert stored_funder(db, person.id) == before


def test_only_funders_have_a_funder_profile(db):
    person = factories.user("mentor")
    with pytest.raises(NotAllowed):
        counterparts.save_funder_profile(person, funder_input(), by=person)
    assert db.session.scalar(select(func.count()).select_from(FunderProfile)) == 0


def test_a_funder_saves_the_profile_form(db, client, login_as):
    person = login_as("funder")
    response = client.post("/matching/funder/profile", data=funder_form())
    assert response.status_code == 302
    saved = stored_funder(db, person.id)
    assert saved["funder_type"] == "fund" and saved["capacity"] == 6


def test_the_profile_form_refuses_cheques_out_of_order_and_saves_nothing(db, client, login_as):
    person = login_as("funder")
    response = client.post(
        "/matching/funder/profile", data=funder_form(cheque_min="500000", cheque_max="1000")
    )
    assert response.status_code == 200
    assert "The smallest cheque cannot be larger than the largest." in page(response)
    assert stored_funder(db, person.id) is None


# What funders see -----------------------------------------------------------------------------


@pytest.fixture
def shared_venture(db):
    """A water venture at pilot that shares only users reached, with private details."""
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    venture = factories.venture(
        cohort,
        "DropWise",
        one_liner="Smart watering for LA gardens",
        description="SECRET DESCRIPTION of the pricing model",
        challenge_area="Water and drought",
        neighbourhoods=["Pacoima"],
        needs=["Legal"],
        shared_kpis=["users_reached"],
        by=manager,
    )
    venture.stage = "pilot"
    founder = factories.founder_of(venture, email="jamal.private@example.org")
    factories.check_in(
        venture,
        founder,
        MONDAY - timedelta(weeks=1),
        users_reached=1_111,
        revenue=5_555,
        confidence=4,
    )
    factories.check_in(
        venture,
        founder,
        MONDAY,
        summary="SECRET CHECK-IN about the board fight",
        blockers="SECRET BLOCKER",
        users_reached=4_321,
        revenue=9_876,
        confidence=2,
    )
    return venture


def test_a_funder_sees_only_public_fields_and_shared_kpis(db, client, login_as, shared_venture):
    person = login_as("funder")
    counterparts.save_funder_profile(person, funder_input(), by=person)

    response = client.get("/matching/funder/ventures")

    text = page(response)
    assert response.status_code == 200
    assert "DropWise" in text
    assert "Smart watering for LA gardens" in text
    assert "Pacoima" in text
    assert "Residents or users reached" in text and "4,321" in text
    # Not shared, not public, or older than the latest value.
    for hidden in (
        "9,876",
        "Revenue",
        "1,111",
        "SECRET DESCRIPTION",
        "SECRET CHECK-IN",
        "SECRET BLOCKER",
        "jamal.private@example.org",
        "Legal",
    ):
        assert hidden not in text, hidden


def test_fitting_ventures_returns_only_public_values(db, shared_venture):
    person = factories.funder()
    found = counterparts.fitting_ventures(person, 1, 20)
    assert [type(item) for item in found.items] == [counterparts.PublicVenture]
    entry = found.items[0]
    assert entry.kpis == [("Residents or users reached", 4_321)]
    assert not hasattr(entry, "description")
    assert not hasattr(entry, "needs")


def test_fitting_ventures_follow_the_funders_focus_and_stages(db):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    planning = factories.cohort(by=manager, status="planning")
    water = factories.venture(cohort, "Water venture", by=manager)
    clean_air = factories.venture(cohort, "Clean air venture", challenge_area="Health", by=manager)
    # A focus word from before the scorecard's impact areas, as a migrated venture may hold.
    clean_air.impact_areas = ["Clean air"]
    factories.venture(cohort, "Housing venture", challenge_area="Housing and homelessness")
    factories.venture(planning, "Not started yet", by=manager)
    archived = factories.venture(cohort, "Archived water venture", by=manager)
    ventures.archive_venture(archived, "Left the program", by=manager)
    water.stage = "pilot"

    by_focus = factories.funder(focus_areas=["Water and drought", "Clean air"])
    by_stage = factories.funder(focus_areas=["Water and drought"], stages=["pilot"])
    anything = factories.funder()

    def names(funder):
        return [v.name for v in counterparts.fitting_ventures(funder, 1, 20).items]

    assert names(by_focus) == ["Clean air venture", "Water venture"]
    assert names(by_stage) == ["Water venture"]
    assert names(anything) == ["Clean air venture", "Housing venture", "Water venture"]


def test_fitting_ventures_take_the_same_queries_for_a_bigger_page(db, count_queries):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager, capacity=100)
    person = factories.funder()

    def measured(count: int) -> int:
        made = factories.bulk_ventures(cohort, count, today=MONDAY, name_prefix=f"V{count}")
        for venture in made:
            venture.shared_kpis = ["users_reached", "revenue"]
        db.session.flush()
        db.session.expire_all()
        assert person.id  # loaded again outside the count, as a signed-in viewer is
        with count_queries() as counter:
            found = counterparts.fitting_ventures(person, 1, 50)
        assert all(item.kpis for item in found.items)
        return counter.count

    # The funder's profile, the count, the page and the page's check-ins.
    assert measured(3) == measured(20) == 4


def test_funder_pages_are_paginated(db, client, login_as):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager, capacity=30)
    factories.bulk_ventures(cohort, 25, today=MONDAY, check_ins=0)
    login_as("funder")
    first = page(client.get("/matching/funder/ventures"))
    second = page(client.get("/matching/funder/ventures?page=2"))
    assert "Page 1 of 2" in first and "25 ventures" in first
    assert "Page 2 of 2" in second


def test_the_venture_form_chooses_the_kpis_shared_with_funders(db, client, login_as):
    manager = login_as("manager")
    venture = factories.venture(factories.cohort(by=manager), "ShadeMap", by=manager)
    response = client.post(
        f"/cohorts/ventures/{venture.id}/edit",
        data={
            "name": "ShadeMap",
            "challenge_area": "Environment and climate",
            "shared_kpis": ["revenue", "users_reached"],
            "languages": ["Spanish", "English"],
            "version": str(venture.version),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Venture, venture.id)
    assert saved.shared_kpis == ["users_reached", "revenue"]
    assert saved.languages == ["English", "Spanish"]


def test_an_unknown_kpi_to_share_is_refused(db):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), "ShadeMap", by=manager)
    profile = ventures.VentureProfile(
        name="ShadeMap",
        one_liner="",
        description="",
        challenge_area="",
        website=None,
        shared_kpis=["burn_rate"],
    )
    with pytest.raises(InvalidInput, match="Unknown KPI to share: burn_rate"):
        ventures.update_venture(venture, profile, by=manager)
    db.session.expire_all()
    assert db.session.get(Venture, venture.id).shared_kpis == []


# Partner organisations ------------------------------------------------------------------------


def partner_form(**fields) -> dict[str, object]:
    data = {
        "neighbourhoods": ["Pacoima", "Sylmar"],
        "challenge_areas": ["Water and drought"],
        "offers": ["data", "pilot site"],
        "capacity": "3",
    }
    return {**data, **fields}


def test_a_partner_saves_their_organisations_profile(db, client, login_as, audit_events):
    partner = login_as("partner")
    ladwp = factories.organisation("LADWP", members=[partner])
    response = client.post(f"/matching/partners/{ladwp.id}/profile", data=partner_form())
    assert response.status_code == 302
    db.session.expire_all()
    profile = db.session.get(PartnerProfile, ladwp.id)
    assert profile.offers == ["data", "pilot site"]
    assert profile.neighbourhoods == ["Pacoima", "Sylmar"]
    assert profile.capacity == 3
    assert len(audit_events("partner_profile.saved")) == 1


def test_a_bad_partner_profile_is_refused_and_nothing_changes(db):
    partner = factories.user("partner")
    ladwp = factories.organisation("LADWP", members=[partner])
    data = counterparts.PartnerInput(neighbourhoods=["Pacoima"], offers=["data"], capacity=2)
    counterparts.save_partner_profile(ladwp, data, by=partner)
    for bad, message in (
        (replace(data, offers=["money"]), "Unknown offer: money"),
        (replace(data, neighbourhoods=["Gotham"]), "Unknown neighbourhood: Gotham"),
        (replace(data, capacity=99), "Capacity is a whole number from 0 to 50"),
    ):
        with pytest.raises(InvalidInput, match=message):
            counterparts.save_partner_profile(ladwp, bad, by=partner)
    db.session.expire_all()
    saved = db.session.get(PartnerProfile, ladwp.id)
    assert (saved.offers, saved.neighbourhoods, saved.capacity) == (["data"], ["Pacoima"], 2)


def test_a_partner_of_another_organisation_gets_404(db, client, login_as):
    partner = login_as("partner")
    factories.organisation("LADOT", members=[partner])
    ladwp = factories.organisation("LADWP")
    assert client.get(f"/matching/partners/{ladwp.id}").status_code == 404
    assert client.get(f"/matching/partners/{ladwp.id}/profile").status_code == 404
    response = client.post(f"/matching/partners/{ladwp.id}/profile", data=partner_form())
    assert response.status_code == 404
    assert db.session.get(PartnerProfile, ladwp.id) is None
    with pytest.raises(NotAllowed):
        counterparts.save_partner_profile(ladwp, counterparts.PartnerInput(), by=partner)


def test_a_manager_edits_any_partner_profile(db, client, login_as):
    login_as("manager")
    ladwp = factories.organisation("LADWP")
    response = client.post(f"/matching/partners/{ladwp.id}/profile", data=partner_form())
    assert response.status_code == 302
    assert client.get(f"/matching/partners/{ladwp.id}").status_code == 200


def test_the_partner_page_lists_pilots_and_ventures_on_its_challenges(db, client, login_as):
    partner = login_as("partner")
    manager = factories.user("manager")
    ladwp = factories.organisation("LADWP", members=[partner])
    ladot = factories.organisation("LADOT")
    hackathon = factories.hackathon(by=manager)
    ours = factories.challenge(hackathon, "Smarter outdoor watering", organisation_id=ladwp.id)
    theirs = factories.challenge(hackathon, "Safer crossings", organisation_id=ladot.id)
    cohort = factories.cohort(by=manager)
    on_ours = factories.promoted_venture(cohort, by=manager, at=hackathon, challenge_id=ours.id)
    on_theirs = factories.promoted_venture(cohort, by=manager, at=hackathon, challenge_id=theirs.id)
    on_ours.description = "SECRET pricing"
    other = factories.venture(cohort, "LeakLens", by=manager)
    factories.pilot(other, ladwp, by=manager, title="Meter data pilot in Pacoima")
    factories.pilot(on_theirs, ladot, by=manager, title="Crossing pilot")

    response = client.get(f"/matching/partners/{ladwp.id}")

    text = page(response)
    assert response.status_code == 200
    assert "Meter data pilot in Pacoima" in text and "LeakLens" in text
    assert on_ours.name in text and "Smarter outdoor watering" in text
    assert on_theirs.name not in text and "Crossing pilot" not in text
    assert "SECRET pricing" not in text
    overview = counterparts.partner_overview(ladwp)
    assert [v.name for v in overview.ventures] == [on_ours.name]
    assert [c.title for c in overview.challenges] == ["Smarter outdoor watering"]


def test_funders_and_founders_cannot_open_partner_pages(db, client, login_as):
    ladwp = factories.organisation("LADWP")
    login_as("funder")
    assert client.get(f"/matching/partners/{ladwp.id}").status_code == 403


def test_only_funders_open_the_funder_pages(db, client, login_as):
    login_as("founder")
    assert client.get("/matching/funder/ventures").status_code == 403
    assert client.get("/matching/funder/profile").status_code == 403
