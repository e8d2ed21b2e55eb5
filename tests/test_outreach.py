"""Outreach partners: an organisation's referral link per hackathon, and the registrations it
brings recorded against it; an unknown code is ignored."""

from __future__ import annotations

import pytest

from incubator.models import Organisation, OutreachPartner, Registration
from incubator.services.errors import InvalidInput
from incubator.services.hackathons import outreach
from tests import factories
from tests.helpers import count, page
from tests.plugins.registration import as_public_form, open_hackathon, register, registration_input


@pytest.fixture
def hackathon(registration_hackathon):
    return registration_hackathon


def test_a_partner_gets_a_random_code_per_hackathon(db, hackathon, manager, audit_events):
    library = factories.organisation("LA Public Library", kind="city_department")
    other = open_hackathon(by=manager)

    here = outreach.add_partner(hackathon, library.id, by=manager)
    there = outreach.add_partner(other, library.id, by=manager)

    assert len(here.code) >= 16 and here.code != there.code
    assert outreach.referral_link(here) == (
        f"http://localhost/registration/{hackathon.id}?via={here.code}"
    )
    assert [e.object_id for e in audit_events("outreach_partner.added")] == [
        str(here.id),
        str(there.id),
    ]


def test_a_new_organisation_is_made_by_name_and_a_known_name_reused(db, hackathon, manager):
    partner = outreach.add_partner(
        hackathon, None, "Boyle Heights Tenants", "resident_group", by=manager
    )
    again_elsewhere = outreach.add_partner(
        open_hackathon(by=manager), None, "Boyle Heights Tenants", by=manager
    )

    assert partner.organisation.kind == "resident_group"
    assert again_elsewhere.organisation_id == partner.organisation_id
    assert count(Organisation) == 1


@pytest.mark.parametrize(
    ("organisation_id", "name", "message"),
    [(None, " ", "Choose an organisation"), (999_999, "", "does not exist")],
)
def test_what_adding_a_partner_refuses(db, hackathon, manager, organisation_id, name, message):
    with pytest.raises(InvalidInput, match=message):
        outreach.add_partner(hackathon, organisation_id, name, by=manager)
    assert count(OutreachPartner) == 0


def test_an_organisation_is_a_partner_of_a_hackathon_once(db, hackathon, manager):
    library = factories.organisation("LA Public Library")
    outreach.add_partner(hackathon, library.id, by=manager)

    with pytest.raises(InvalidInput, match="already an outreach partner"):
        outreach.add_partner(hackathon, library.id, by=manager)


def test_registrations_through_the_link_record_the_partner(db, hackathon, manager):
    partner = outreach.add_partner(
        hackathon, factories.organisation("LA Public Library").id, by=manager
    )
    elsewhere = outreach.add_partner(
        open_hackathon(by=manager), factories.organisation("Ktown Youth").id, by=manager
    )

    referred = register(hackathon, "Rosa Diaz", via=partner.code)
    unknown = register(hackathon, "Kim Lee", via="made-up-code")
    wrong_hackathon = register(hackathon, "Ali Haddad", via=elsewhere.code)

    assert referred.referred_by_id == partner.id
    assert unknown.referred_by_id is None and unknown.id is not None
    assert wrong_hackathon.referred_by_id is None


def test_the_public_page_carries_the_code_through_the_form(db, client, hackathon, manager):
    partner = outreach.add_partner(
        hackathon, factories.organisation("LA Public Library").id, by=manager
    )
    db.session.commit()
    path = f"/registration/{hackathon.id}"

    shown = page(client.get(f"{path}?via={partner.code}"))
    client.post(path, data=as_public_form(registration_input(via=partner.code)))

    assert f'value="{partner.code}"' in shown
    assert db.session.scalar(db.select(Registration.referred_by_id)) == partner.id


def test_the_partners_page_adds_a_partner_and_shows_its_link(db, client, login_as, hackathon):
    login_as("manager")
    path = f"/registration/hackathons/{hackathon.id}/partners"

    response = client.post(
        path,
        data={"organisation_id": "0", "new_name": "Ktown Youth", "kind": "nonprofit"},
        follow_redirects=True,
    )

    partner = db.session.scalar(db.select(OutreachPartner))
    assert "Ktown Youth is an outreach partner; share its link." in page(response)
    assert outreach.referral_link(partner) in page(response)
