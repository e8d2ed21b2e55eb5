"""Hackathons, their challenges (with partners' proposals) and submissions entered in the app."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from incubator.models import (
    AuditEvent,
    Challenge,
    ChallengeStatus,
    Hackathon,
    Submission,
    SubmissionMember,
    SubmissionStatus,
)
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.hackathons import hackathons
from tests import factories
from tests.helpers import (
    as_form,
    count,
    location,
    page,
    refused_form_page,
    reloaded,
    writes_nothing,
)

# Everything these services and pages may write.
WRITTEN = (Hackathon, Challenge, Submission, SubmissionMember, AuditEvent)


def expect_refused_writing_nothing(action, message: str) -> None:
    """The service call is refused with InvalidInput saying `message`, and no row changes."""
    with writes_nothing(*WRITTEN), pytest.raises(InvalidInput) as refused:
        action()

    assert message in refused.value.message


def hackathon_input(**fields) -> hackathons.HackathonInput:
    """#techLA: Drought, being planned; fields override its values."""
    planned = {
        "name": "#techLA: Drought",
        "status": "planned",
        "description": "Two days on saving water.",
    }
    return factories.hackathon_input(**{**planned, **fields})


def hackathon_form(**fields) -> dict[str, str]:
    """The hackathon form as posted for #techLA: Drought; fields override its values."""
    return {**as_form(hackathon_input()), **fields}


def challenge_form(**fields) -> dict[str, str]:
    data = {
        "title": "Find the leaks",
        "problem_statement": "Pipes leak.",
        "challenge_area": "",
        "organisation_id": "0",
        "dataset_links": "",
    }
    return {**data, **fields}


def challenge_input(**fields) -> hackathons.ChallengeInput:
    data = hackathons.ChallengeInput(
        title="Find the leaks",
        problem_statement="Pipes leak and nobody knows where.",
        challenge_area="Water and drought",
        organisation_id=None,
        dataset_links="",
    )
    return replace(data, **fields)


def submission_input(**fields) -> hackathons.SubmissionInput:
    data = hackathons.SubmissionInput(
        team_name="Leak Hunters",
        title="LeakMap",
        tagline="Every leak on one map",
        description="Residents report leaks; crews fix them.",
        challenge_id=None,
        demo_url="https://leakmap.example.org",
        repository_url=None,
        video_url=None,
        members=[],
    )
    return replace(data, **fields)


# Hackathons: the service -------------------------------------------------------------------------


def test_manager_creates_a_hackathon_with_every_field_and_an_audit_event(db, manager, audit_events):

    hackathon = hackathons.create_hackathon(
        hackathon_input(name="  #techLA: Drought  ", time_zone="America/New_York"), by=manager
    )
    db.session.commit()

    stored = reloaded(hackathon)
    assert stored.name == "#techLA: Drought"
    assert stored.theme == "Drought management"
    assert (stored.starts_on, stored.ends_on) == (date(2025, 3, 1), date(2025, 3, 2))
    assert stored.venue == "City Hall"
    assert stored.time_zone == "America/New_York"
    assert stored.status == "planned"
    assert stored.description == "Two days on saving water."
    [event] = audit_events("hackathon.created")
    assert (event.actor_id, event.object_type, event.object_id) == (
        manager.id,
        "hackathon",
        str(hackathon.id),
    )
    assert event.after["name"] == "#techLA: Drought"
    assert event.after["status"] == "planned"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"starts_on": date(2025, 3, 2), "ends_on": date(2025, 3, 1)},
            "The hackathon cannot end before it starts.",
        ),
        ({"name": "   "}, "A hackathon needs a name."),
        ({"name": "#techLA: Transit"}, "There is already a hackathon called '#techLA: Transit'."),
        ({"name": " #techLA: Transit "}, "There is already a hackathon called '#techLA: Transit'."),
        ({"time_zone": "Mars/Olympus_Mons"}, "'Mars/Olympus_Mons' is not a time zone"),
        ({"status": "cancelled"}, "Unknown status 'cancelled'."),
    ],
    ids=[
        "ends-before-start",
        "empty-name",
        "duplicate-name",
        "duplicate-padded",
        "bad-zone",
        "bad-status",
    ],
)
def test_hackathon_with_bad_input_is_refused_and_nothing_is_written(db, manager, fields, message):
    factories.hackathon("#techLA: Transit", by=manager)

    expect_refused_writing_nothing(
        lambda: hackathons.create_hackathon(hackathon_input(**fields), by=manager), message
    )


def test_updating_a_hackathon_records_before_and_after(db, manager, audit_events):
    hackathon = hackathons.create_hackathon(hackathon_input(), by=manager)

    hackathons.update_hackathon(
        hackathon, hackathon_input(status="judging", venue="Central Library"), by=manager
    )
    db.session.commit()

    stored = reloaded(hackathon)
    assert (stored.status, stored.venue) == ("judging", "Central Library")
    [event] = audit_events("hackathon.updated")
    assert event.before["status"] == "planned"
    assert event.after["status"] == "judging"
    assert event.after["venue"] == "Central Library"


def test_a_hackathon_keeps_its_own_name_but_cannot_take_another_ones(db, manager):
    drought = hackathons.create_hackathon(hackathon_input(name="Drought"), by=manager)
    factories.hackathon("Transit", by=manager)
    db.session.commit()

    hackathons.update_hackathon(drought, hackathon_input(name="Drought", theme="Water"), by=manager)
    with pytest.raises(InvalidInput, match="already a hackathon called 'Transit'"):
        hackathons.update_hackathon(drought, hackathon_input(name="Transit"), by=manager)
    db.session.rollback()

    assert reloaded(drought).name == "Drought"


# Hackathons: the pages ---------------------------------------------------------------------------


def test_manager_creates_a_hackathon_from_the_form(db, client, login_as, audit_events):
    manager = login_as("manager")

    response = client.post("/hackathons/new", data=hackathon_form(), follow_redirects=True)

    assert response.status_code == 200
    text = page(response)
    assert "#techLA: Drought created. Add its challenges next." in text
    [hackathon] = db.session.scalars(select(Hackathon))
    assert response.request.path == f"/hackathons/{hackathon.id}"
    assert (hackathon.theme, hackathon.status, hackathon.venue) == (
        "Drought management",
        "planned",
        "City Hall",
    )
    assert hackathon.time_zone == "America/Los_Angeles"
    assert "Drought management" in text
    assert [event.actor_id for event in audit_events("hackathon.created")] == [manager.id]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"starts_on": "2025-03-02", "ends_on": "2025-03-01"},
            "The end date must be on or after the start date.",
        ),
        ({"name": ""}, "This field is required."),
        ({"name": "#techLA: Transit"}, "There is already a hackathon called '#techLA: Transit'."),
        ({"time_zone": "Mars/Olympus_Mons"}, "Not a valid choice."),
        ({"status": "cancelled"}, "Not a valid choice."),
        ({"starts_on": "1 March"}, "Not a valid date value."),
    ],
    ids=["ends-before-start", "empty-name", "duplicate-name", "bad-zone", "bad-status", "bad-date"],
)
def test_hackathon_form_with_bad_input_shows_why_and_writes_nothing(
    db, client, login_as, fields, message
):
    login_as("manager")
    factories.hackathon("#techLA: Transit")

    text = refused_form_page(client, "/hackathons/new", hackathon_form(**fields), *WRITTEN)

    assert message in text


def test_manager_edits_a_hackathon_from_the_form(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon("Drought")
    db.session.commit()

    edit_page = client.get(f"/hackathons/{hackathon.id}/edit")
    response = client.post(
        f"/hackathons/{hackathon.id}/edit",
        data=hackathon_form(name="Drought 2025", status="closed"),
        follow_redirects=True,
    )

    assert 'value="Drought"' in page(edit_page)
    assert "Hackathon saved." in page(response)
    stored = reloaded(hackathon)
    assert (stored.name, stored.status) == ("Drought 2025", "closed")


def test_editing_a_hackathon_into_bad_dates_changes_nothing(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon("Drought")
    db.session.commit()

    response = client.post(
        f"/hackathons/{hackathon.id}/edit",
        data=hackathon_form(name="Drought", starts_on="2025-03-05", ends_on="2025-03-01"),
    )

    assert "The end date must be on or after the start date." in page(response)
    stored = reloaded(hackathon)
    assert (stored.starts_on, stored.ends_on) == (date(2025, 3, 1), date(2025, 3, 2))


def test_hackathon_list_shows_each_hackathon_with_its_submission_count(db, client, login_as):
    login_as("manager")
    drought = factories.hackathon("Drought")
    factories.hackathon("Transit")
    factories.submission(drought)
    factories.submission(drought)
    db.session.commit()

    text = page(client.get("/hackathons/"))

    assert "Drought" in text
    assert "Transit" in text
    row = text[text.find(">Drought<") : text.find("</tr>", text.find(">Drought<"))]
    assert '<td class="text-end">2</td>' in row


def test_hackathon_page_shows_challenges_and_submissions(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon("Drought", description="Two days on water.")
    department = factories.organisation("LA Department of Water and Power")
    factories.challenge(
        hackathon,
        "Find the leaks",
        organisation_id=department.id,
        dataset_links="https://data.lacity.org/leaks",
    )
    factories.submission(hackathon, "LeakMap", members=[("Ana", "ana@example.org")])
    db.session.commit()

    response = client.get(f"/hackathons/{hackathon.id}")

    assert response.status_code == 200
    text = page(response)
    for expected in (
        "Two days on water.",
        "Find the leaks",
        "LA Department of Water and Power",
        "https://data.lacity.org/leaks",
        "LeakMap",
        "1 member",
    ):
        assert expected in text


def test_unknown_hackathon_is_404(client, login_as):
    login_as("manager")

    assert client.get("/hackathons/999999").status_code == 404
    assert client.get("/hackathons/999999/edit").status_code == 404


# Challenges --------------------------------------------------------------------------------------


def test_manager_adds_an_approved_challenge_with_a_partner_and_dataset_links(
    db, manager, audit_events
):
    hackathon = factories.hackathon()
    department = factories.organisation("LA Sanitation")

    challenge = hackathons.add_challenge(
        hackathon,
        challenge_input(
            title="  Find the leaks ",
            organisation_id=department.id,
            dataset_links="https://data.lacity.org/a\n\n  http://data.lacity.org/b  \n",
        ),
        by=manager,
    )
    db.session.commit()

    stored = reloaded(challenge)
    assert stored.title == "Find the leaks"
    assert stored.status == ChallengeStatus.APPROVED
    assert stored.organisation_id == department.id
    assert stored.proposed_by_id == manager.id
    assert stored.dataset_link_list == ["https://data.lacity.org/a", "http://data.lacity.org/b"]
    [event] = audit_events("challenge.created")
    assert event.after["organisation_id"] == department.id


@pytest.mark.parametrize(
    "links",
    ["ftp://data.lacity.org/a", "data.lacity.org/a", "javascript:alert(1)", "https://ok.org\nnope"],
)
def test_challenge_dataset_link_that_is_not_http_is_refused(db, manager, links):
    hackathon = factories.hackathon()

    expect_refused_writing_nothing(
        lambda: hackathons.add_challenge(
            hackathon, challenge_input(dataset_links=links), by=manager
        ),
        "is not a web link; put one http",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "A challenge needs a title."),
        ({"title": " Map the pipes "}, "This hackathon already has a challenge called"),
        ({"organisation_id": 999999}, "That organisation does not exist."),
    ],
    ids=["no-title", "duplicate-title", "unknown-organisation"],
)
def test_challenge_with_bad_input_is_refused(db, manager, fields, message):
    hackathon = factories.hackathon()
    factories.challenge(hackathon, "Map the pipes")

    expect_refused_writing_nothing(
        lambda: hackathons.add_challenge(hackathon, challenge_input(**fields), by=manager),
        message,
    )


def test_the_same_challenge_title_may_be_used_in_another_hackathon(db, manager):
    factories.challenge(factories.hackathon(), "Find the leaks")
    other = factories.hackathon()

    challenge = hackathons.add_challenge(other, challenge_input(title="Find the leaks"), by=manager)

    assert challenge.id is not None


def test_manager_adds_a_challenge_from_the_form(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon()
    department = factories.organisation("LA Sanitation")
    db.session.commit()

    form_page = client.get(f"/hackathons/{hackathon.id}/challenges/new")
    response = client.post(
        f"/hackathons/{hackathon.id}/challenges/new",
        data=challenge_form(
            challenge_area="Water and drought",
            organisation_id=str(department.id),
            dataset_links="https://data.lacity.org/leaks",
        ),
        follow_redirects=True,
    )

    assert "LA Sanitation" in page(form_page)
    assert "Challenge added." in page(response)
    assert response.request.path == f"/hackathons/{hackathon.id}"
    [challenge] = db.session.scalars(select(Challenge))
    assert (challenge.organisation_id, challenge.status) == (department.id, "approved")
    assert challenge.dataset_links == "https://data.lacity.org/leaks"


def test_challenge_form_posted_by_the_program_team_has_no_organisation(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon()
    db.session.commit()

    client.post(
        f"/hackathons/{hackathon.id}/challenges/new",
        data=challenge_form(title="Ride share", problem_statement="Buses."),
    )

    [challenge] = db.session.scalars(select(Challenge))
    assert challenge.organisation_id is None
    assert challenge.challenge_area == ""


def test_challenge_form_with_a_bad_dataset_link_shows_why_and_writes_nothing(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon()

    url = f"/hackathons/{hackathon.id}/challenges/new"
    text = refused_form_page(
        client, url, challenge_form(dataset_links="ftp://data.lacity.org/leaks"), *WRITTEN
    )

    assert "'ftp://data.lacity.org/leaks' is not a web link" in text


def test_manager_edits_a_challenge_from_the_form(db, client, login_as, audit_events):
    login_as("manager")
    hackathon = factories.hackathon()
    department = factories.organisation("LA Sanitation")
    challenge = factories.challenge(hackathon, "Find the leaks", organisation_id=department.id)
    db.session.commit()

    form_page = client.get(f"/hackathons/challenges/{challenge.id}/edit")
    response = client.post(
        f"/hackathons/challenges/{challenge.id}/edit",
        data=challenge_form(
            title="Find every leak",
            problem_statement="Pipes leak a lot.",
            challenge_area="Environment and climate",
            dataset_links="https://data.lacity.org/v2",
        ),
        follow_redirects=True,
    )

    assert f'<option selected value="{department.id}">' in page(form_page)
    assert "Challenge saved." in page(response)
    stored = reloaded(challenge)
    assert (stored.title, stored.challenge_area) == ("Find every leak", "Environment and climate")
    assert stored.organisation_id is None
    assert stored.dataset_links == "https://data.lacity.org/v2"
    [event] = audit_events("challenge.updated")
    assert event.before["organisation_id"] == department.id
    assert event.after["organisation_id"] is None


# Partners' proposals ------------------------------------------------------------------------------


def test_partner_proposes_a_challenge_for_their_organisation(db, audit_events):
    partner = factories.user("partner")
    department = factories.organisation("LA Sanitation", members=[partner])
    hackathon = factories.hackathon(status="planned")

    challenge = hackathons.propose_challenge(
        hackathon,
        challenge_input(organisation_id=department.id, dataset_links="https://data.lacity.org/x"),
        by=partner,
    )
    db.session.commit()

    stored = reloaded(challenge)
    assert stored.status == ChallengeStatus.PROPOSED
    assert (stored.organisation_id, stored.proposed_by_id) == (department.id, partner.id)
    [event] = audit_events("challenge.proposed")
    assert event.actor_id == partner.id


@pytest.mark.parametrize("organisation", ["other", "none"])
def test_partner_cannot_propose_for_an_organisation_they_do_not_belong_to(db, organisation):
    partner = factories.user("partner")
    factories.organisation("LA Sanitation", members=[partner])
    other = factories.organisation("Metro")
    hackathon = factories.hackathon()
    organisation_id = other.id if organisation == "other" else None

    with (
        writes_nothing(*WRITTEN),
        pytest.raises(NotAllowed, match="an organisation you belong to"),
    ):
        hackathons.propose_challenge(
            hackathon, challenge_input(organisation_id=organisation_id), by=partner
        )


def test_a_closed_hackathon_takes_no_proposals(db):
    partner = factories.user("partner")
    department = factories.organisation("LA Sanitation", members=[partner])
    hackathon = factories.hackathon(status="closed")
    db.session.commit()

    with pytest.raises(InvalidInput, match="This hackathon is closed"):
        hackathons.propose_challenge(
            hackathon, challenge_input(organisation_id=department.id), by=partner
        )


def test_partner_proposes_from_the_form_and_sees_the_proposal_listed(db, client, login_as):
    partner = login_as("partner")
    department = factories.organisation("LA Sanitation", members=[partner])
    hackathon = factories.hackathon("Drought", status="open")
    factories.hackathon("Old one", status="closed")
    db.session.commit()

    form_page = page(client.get("/hackathons/proposals"))
    response = client.post(
        "/hackathons/proposals",
        data=challenge_form(
            hackathon_id=str(hackathon.id),
            organisation_id=str(department.id),
            challenge_area="Water and drought",
            dataset_links="https://data.lacity.org/leaks",
        ),
        follow_redirects=True,
    )

    assert "Old one" not in form_page
    text = page(response)
    assert "Challenge proposed. A program manager will review it." in text
    assert "Find the leaks" in text
    [challenge] = db.session.scalars(select(Challenge))
    assert (challenge.status, challenge.hackathon_id) == ("proposed", hackathon.id)
    assert challenge.proposed_by_id == partner.id


def test_partner_form_refuses_another_organisation(db, client, login_as):
    partner = login_as("partner")
    factories.organisation("LA Sanitation", members=[partner])
    other = factories.organisation("Metro")
    hackathon = factories.hackathon(status="open")
    db.session.commit()

    response = client.post(
        "/hackathons/proposals",
        data=challenge_form(
            hackathon_id=str(hackathon.id),
            organisation_id=str(other.id),
            title="Sneaky",
            problem_statement="Not ours.",
        ),
    )

    assert "Not a valid choice." in page(response)
    assert count(Challenge) == 0


def test_partner_without_an_organisation_is_told_to_ask_a_manager(db, client, login_as):
    login_as("partner")
    factories.hackathon(status="open")
    db.session.commit()

    response = client.get("/hackathons/proposals")

    assert "You are not linked to an organisation" in page(response)


def test_manager_approves_a_proposed_challenge(db, manager, audit_events):
    partner = factories.user("partner")
    department = factories.organisation(members=[partner])
    challenge = hackathons.propose_challenge(
        factories.hackathon(), challenge_input(organisation_id=department.id), by=partner
    )

    hackathons.decide_challenge(challenge, True, "", by=manager)
    db.session.commit()

    assert reloaded(challenge).status == ChallengeStatus.APPROVED
    [event] = audit_events("challenge.approved")
    assert (event.before["status"], event.after["status"]) == ("proposed", "approved")


def test_declining_a_challenge_needs_a_reason(db, manager, audit_events):
    partner = factories.user("partner")
    department = factories.organisation(members=[partner])
    challenge = hackathons.propose_challenge(
        factories.hackathon(), challenge_input(organisation_id=department.id), by=partner
    )
    db.session.commit()

    with pytest.raises(InvalidInput, match="Say why the challenge is declined"):
        hackathons.decide_challenge(challenge, False, "   ", by=manager)
    db.session.rollback()
    assert reloaded(challenge).status == ChallengeStatus.PROPOSED
    assert audit_events("challenge.declined") == []

    hackathons.decide_challenge(challenge, False, " Out of scope this year. ", by=manager)
    db.session.commit()
    stored = reloaded(challenge)
    assert (stored.status, stored.decision_note) == ("declined", "Out of scope this year.")
    assert len(audit_events("challenge.declined")) == 1


def test_a_decided_challenge_cannot_be_decided_again(db, manager):
    challenge = factories.challenge(factories.hackathon())

    with pytest.raises(InvalidInput, match="Only a proposed challenge"):
        hackathons.decide_challenge(challenge, False, "No", by=manager)


def proposed_challenge(db, title="Find the leaks"):
    partner = factories.user("partner")
    department = factories.organisation(members=[partner])
    challenge = hackathons.propose_challenge(
        factories.hackathon(),
        challenge_input(title=title, organisation_id=department.id),
        by=partner,
    )
    db.session.commit()
    return challenge


def test_manager_declines_from_the_hackathon_page_with_a_reason(db, client, login_as):
    login_as("manager")
    challenge = proposed_challenge(db)

    detail = page(client.get(f"/hackathons/{challenge.hackathon_id}"))
    response = client.post(
        f"/hackathons/challenges/{challenge.id}/decision",
        data={"note": "Out of scope this year."},
        follow_redirects=True,
    )

    assert f"/hackathons/challenges/{challenge.id}/decision" in detail
    text = page(response)
    assert "Challenge 'Find the leaks' declined." in text
    assert "Note: Out of scope this year." in text
    stored = reloaded(challenge)
    assert (stored.status, stored.decision_note) == ("declined", "Out of scope this year.")


def test_declining_from_the_page_without_a_reason_changes_nothing(db, client, login_as):
    login_as("manager")
    challenge = proposed_challenge(db)

    with writes_nothing(*WRITTEN):
        response = client.post(
            f"/hackathons/challenges/{challenge.id}/decision",
            data={"note": ""},
            follow_redirects=True,
        )

    assert "Say why the challenge is declined; the partner sees the reason." in page(response)
    assert reloaded(challenge).status == "proposed"


def test_manager_approves_from_the_hackathon_page(db, client, login_as):
    login_as("manager")
    challenge = proposed_challenge(db)

    response = client.post(
        f"/hackathons/challenges/{challenge.id}/decision",
        data={"approve": "y"},
        follow_redirects=True,
    )

    assert "Challenge 'Find the leaks' approved." in page(response)
    assert response.request.path == f"/hackathons/{challenge.hackathon_id}"
    assert reloaded(challenge).status == "approved"


# Submissions: the service ------------------------------------------------------------------------


def test_team_members_are_read_from_lines_with_or_without_emails():
    members = hackathons.parse_members(
        "Ana Lopez <Ana@Example.org>\n\n  Bo Chen, bo@example.org \nCarmen Ruiz\n"
    )

    assert [(m.name, m.email) for m in members] == [
        ("Ana Lopez", "ana@example.org"),
        ("Bo Chen", "bo@example.org"),
        ("Carmen Ruiz", None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Ana <ana@example.org>\nBo <bo-at-example.org>",
            "Team member line 2: 'bo-at-example.org'",
        ),
        ("Ana, ana at example.org", "Team member line 1: 'ana at example.org'"),
        ("Ana <ana@>", "Team member line 1: 'ana@' is not an email address."),
        ("Ana, @example.org", "Team member line 1: '@example.org' is not an email address."),
        ("Ana, ana@@example.org", "Team member line 1: 'ana@@example.org'"),
        ("Ana <ana@example.org>\nAnn <ANA@example.org>", "ana@example.org is listed twice"),
        ("<ana@example.org>", "Team member line 1 has no name."),
    ],
    ids=[
        "bad-email",
        "space-in-email",
        "no-domain",
        "no-local-part",
        "two-ats",
        "duplicate-email",
        "no-name",
    ],
)
def test_a_bad_team_member_line_is_refused_with_its_line_number(text, message):
    with pytest.raises(InvalidInput, match=message):
        hackathons.parse_members(text)


def test_submission_links_existing_accounts_and_keeps_others_as_invitees(db, manager, audit_events):
    ana = factories.user(email="ana@example.org")
    hackathon = factories.hackathon()
    challenge = factories.challenge(hackathon)

    submission = hackathons.create_submission(
        hackathon,
        submission_input(
            challenge_id=challenge.id,
            members=hackathons.parse_members("Ana <ANA@example.org>\nBo <bo@example.org>\nCarmen"),
        ),
        by=manager,
    )
    db.session.commit()

    stored = reloaded(submission)
    assert (stored.team_name, stored.title, stored.tagline) == (
        "Leak Hunters",
        "LeakMap",
        "Every leak on one map",
    )
    assert stored.challenge_id == challenge.id
    assert stored.demo_url == "https://leakmap.example.org"
    assert stored.status == SubmissionStatus.SUBMITTED
    assert stored.placement is None
    assert [(m.name, m.email, m.user_id) for m in stored.members] == [
        ("Ana", "ana@example.org", ana.id),
        ("Bo", "bo@example.org", None),
        ("Carmen", None, None),
    ]
    [event] = audit_events("submission.created")
    assert event.after["members"] == ["ana@example.org", "bo@example.org", "Carmen"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "A submission needs a project title."),
        ({"team_name": ""}, "A submission needs a team name."),
        ({"challenge_id": "other"}, "Choose a challenge of this hackathon."),
        ({"challenge_id": 999999}, "Choose a challenge of this hackathon."),
        ({"video_url": "youtube.com/watch"}, "'youtube.com/watch' is not a web link."),
    ],
    ids=["no-title", "no-team", "other-hackathons-challenge", "unknown-challenge", "bad-link"],
)
def test_submission_with_bad_input_is_refused_and_nothing_is_written(db, manager, fields, message):
    hackathon = factories.hackathon()
    other_challenge = factories.challenge(factories.hackathon())
    if fields.get("challenge_id") == "other":
        fields = {"challenge_id": other_challenge.id}

    expect_refused_writing_nothing(
        lambda: hackathons.create_submission(hackathon, submission_input(**fields), by=manager),
        message,
    )


def test_updating_a_submission_keeps_members_and_links_new_accounts(db, manager):
    hackathon = factories.hackathon()
    submission = factories.submission(
        hackathon, members=[("Ana", "ana@example.org"), ("Bo", "bo@example.org")]
    )
    [ana_row, _bo_row] = submission.members
    carmen = factories.user(email="carmen@example.org")

    hackathons.update_submission(
        submission,
        submission_input(
            members=hackathons.parse_members(
                "Ana Lopez <ana@example.org>\nCarmen <carmen@example.org>"
            )
        ),
        by=manager,
    )
    db.session.commit()

    stored = reloaded(submission)
    assert [(m.name, m.email, m.user_id) for m in stored.members] == [
        ("Ana Lopez", "ana@example.org", None),
        ("Carmen", "carmen@example.org", carmen.id),
    ]
    assert stored.members[0].id == ana_row.id
    assert count(SubmissionMember) == 2


# Submissions: the pages --------------------------------------------------------------------------


def submission_form(**fields) -> dict[str, str]:
    data = {
        "team_name": "Leak Hunters",
        "title": "LeakMap",
        "tagline": "Every leak on one map",
        "description": "Residents report leaks.",
        "challenge_id": "0",
        "demo_url": "https://leakmap.example.org",
        "repository_url": "",
        "video_url": "",
        "members": "Ana Lopez <ana@example.org>\nBo Chen <bo@example.org>",
    }
    return {**data, **fields}


def test_manager_enters_a_submission_in_the_app(db, client, login_as, audit_events):
    login_as("manager")
    hackathon = factories.hackathon()
    challenge = factories.challenge(hackathon, "Find the leaks")
    ana = factories.user("mentor", email="ana@example.org", name="Ana Lopez")
    db.session.commit()

    form_page = page(client.get(f"/hackathons/{hackathon.id}/submissions/new"))
    response = client.post(
        f"/hackathons/{hackathon.id}/submissions/new",
        data=submission_form(challenge_id=str(challenge.id)),
        follow_redirects=True,
    )

    assert "Find the leaks" in form_page
    [submission] = db.session.scalars(select(Submission))
    assert response.request.path == f"/hackathons/submissions/{submission.id}"
    text = page(response)
    assert "LeakMap added." in text
    assert "Leak Hunters" in text
    assert "Find the leaks" in text
    assert (submission.challenge_id, submission.source) == (challenge.id, "manual")
    assert [(m.email, m.user_id) for m in submission.members] == [
        ("ana@example.org", ana.id),
        ("bo@example.org", None),
    ]
    assert "account" in text
    assert "invitee" in text
    assert len(audit_events("submission.created")) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"members": "Ana <ana@example.org>\nBo <bo-at-example.org>"},
            "Team member line 2: 'bo-at-example.org' is not an email address.",
        ),
        (
            {"members": "Ana <ana@example.org>\nAnn <Ana@Example.org>"},
            "ana@example.org is listed twice in the team.",
        ),
        ({"title": ""}, "This field is required."),
        ({"demo_url": "leakmap"}, "Invalid URL."),
        ({"challenge_id": "999999"}, "Not a valid choice."),
    ],
    ids=["bad-email", "duplicate-email", "no-title", "bad-link", "unknown-challenge"],
)
def test_submission_form_with_bad_input_shows_why_and_writes_nothing(
    db, client, login_as, fields, message
):
    login_as("manager")
    hackathon = factories.hackathon()

    url = f"/hackathons/{hackathon.id}/submissions/new"
    text = refused_form_page(client, url, submission_form(**fields), *WRITTEN)

    assert message in text


def test_only_approved_challenges_are_offered_for_a_submission(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon()
    approved = factories.challenge(hackathon, "Find the leaks")
    partner = factories.user("partner")
    department = factories.organisation(members=[partner])
    proposed = hackathons.propose_challenge(
        hackathon,
        challenge_input(title="Still proposed", organisation_id=department.id),
        by=partner,
    )

    form_page = page(client.get(f"/hackathons/{hackathon.id}/submissions/new"))
    response = client.post(
        f"/hackathons/{hackathon.id}/submissions/new",
        data=submission_form(challenge_id=str(proposed.id)),
    )

    assert f'value="{approved.id}"' in form_page
    assert "Still proposed" not in form_page
    assert "Not a valid choice." in page(response)
    assert count(Submission) == 0


def test_manager_edits_a_submission_and_its_team(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon()
    submission = factories.submission(
        hackathon, "LeakMap", members=[("Ana Lopez", "ana@example.org"), ("Carmen Ruiz", None)]
    )
    db.session.commit()

    form_page = page(client.get(f"/hackathons/submissions/{submission.id}/edit"))
    response = client.post(
        f"/hackathons/submissions/{submission.id}/edit",
        data=submission_form(title="LeakMap 2", members="Ana Lopez <ana@example.org>"),
        follow_redirects=True,
    )

    assert "Ana Lopez <ana@example.org>\nCarmen Ruiz" in form_page
    assert "Submission saved." in page(response)
    stored = reloaded(submission)
    assert stored.title == "LeakMap 2"
    assert [m.email for m in stored.members] == ["ana@example.org"]


def test_editing_a_submission_with_a_duplicate_member_changes_nothing(db, client, login_as):
    login_as("manager")
    submission = factories.submission(
        factories.hackathon(), "LeakMap", members=[("Ana", "ana@example.org")]
    )

    with writes_nothing(*WRITTEN):
        response = client.post(
            f"/hackathons/submissions/{submission.id}/edit",
            data=submission_form(
                title="Renamed", members="Ana <ana@example.org>\nA <ANA@example.org>"
            ),
        )

    assert "ana@example.org is listed twice in the team." in page(response)
    assert reloaded(submission).title == "LeakMap"


# Access ------------------------------------------------------------------------------------------


MANAGER_PAGES = [
    ("GET", "/hackathons/"),
    ("GET", "/hackathons/new"),
    ("POST", "/hackathons/new"),
    ("GET", "/hackathons/{hackathon}"),
    ("POST", "/hackathons/{hackathon}/edit"),
    ("POST", "/hackathons/{hackathon}/challenges/new"),
    ("POST", "/hackathons/challenges/{challenge}/edit"),
    ("POST", "/hackathons/challenges/{challenge}/decision"),
    ("POST", "/hackathons/{hackathon}/submissions/new"),
    ("GET", "/hackathons/submissions/{submission}"),
    ("POST", "/hackathons/submissions/{submission}/edit"),
]


@pytest.mark.parametrize("role", ["founder", "mentor", "judge", "partner", "funder"])
def test_only_managers_may_use_the_hackathon_pages(db, client, login_as, role):
    hackathon = factories.hackathon("Drought")
    partner = factories.user("partner")
    department = factories.organisation(members=[partner])
    challenge = hackathons.propose_challenge(
        hackathon, challenge_input(organisation_id=department.id), by=partner
    )
    submission = factories.submission(hackathon, members=[("Ana", "ana@example.org")])
    db.session.commit()
    login_as(role)
    ids = {"hackathon": hackathon.id, "challenge": challenge.id, "submission": submission.id}
    data = {**hackathon_form(name="Taken over"), **submission_form(), "approve": "y"}

    with writes_nothing(*WRITTEN):
        for method, url in MANAGER_PAGES:
            response = client.open(url.format(**ids), method=method, data=data)
            assert response.status_code == 403, (method, url)

    assert reloaded(hackathon).name == "Drought"
    assert reloaded(challenge).status == "proposed"


def test_only_partners_may_propose_challenges(client, login_as):
    login_as("founder")

    assert client.get("/hackathons/proposals").status_code == 403


def test_visitors_are_sent_to_sign_in(db, client):
    hackathon = factories.hackathon()
    db.session.commit()

    response = client.get(f"/hackathons/{hackathon.id}")

    assert response.status_code == 302
    assert location(response).startswith("/auth/login?next=")
