"""Hackathon registration: the public page, places and the waiting list, a guardian's consent,
the signed link to see or cancel, check-in on the day, reminders, the program team's lists,
and Devpost members linked to registrants by email."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from incubator import clock
from incubator.models import Registration, RegistrationStatus, User
from incubator.services.errors import Conflict, InvalidInput, InvalidToken
from incubator.services.hackathons import devpost, hackathons, outreach, registrations
from tests import factories
from tests.helpers import count, link_in, location, page, reloaded
from tests.plugins.hackathons import devpost_file
from tests.plugins.registration import (
    as_public_form,
    minor_input,
    open_hackathon,
    register,
    registration_input,
)

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
AWAITING_CONSENT = RegistrationStatus.AWAITING_CONSENT
CANCELLED = RegistrationStatus.CANCELLED


@pytest.fixture
def hackathon(registration_hackathon):
    return registration_hackathon


# Places and the waiting list ---------------------------------------------------------------------


def test_registering_confirms_while_places_last_then_waitlists(db, hackathon, outbox):
    first = register(hackathon, "Rosa Diaz")
    second = register(hackathon, "Kim Lee")
    third = register(hackathon, "Ali Haddad")

    assert [r.status for r in (first, second, third)] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert first.confirmed_at is not None and third.confirmed_at is None
    assert [m.subject for m in outbox()] == [
        f"You are registered: {hackathon.name}",
        f"You are registered: {hackathon.name}",
        f"On the waiting list: {hackathon.name}",
    ]
    assert registrations.places_left(hackathon) == 0


def test_registering_makes_an_account_without_roles_or_password_or_links_one(
    db, hackathon, manager
):
    newcomer = register(hackathon, "Rosa Diaz")
    known = register(hackathon, "Someone", email="MARIA@example.org ")

    account = db.session.get(User, newcomer.user_id)
    assert (account.email, account.name, account.roles, account.password_hash) == (
        "rosa.diaz@example.org",
        "Rosa Diaz",
        set(),
        None,
    )
    assert known.user_id == manager.id
    assert known.email == "maria@example.org"


def test_registering_twice_gives_the_first_registration_back_unchanged(db, hackathon, outbox):
    first = register(hackathon, "Rosa Diaz")

    again = registrations.register(
        hackathon, registration_input("Rosa D.", email="Rosa.Diaz@example.org")
    )

    assert again.already and again.registration is first
    assert count(Registration) == 1
    assert len(outbox()) == 1


def test_no_limit_means_everyone_is_confirmed(db, manager):
    unlimited = open_hackathon(by=manager, capacity=None)

    statuses = {register(unlimited, f"Person {n}").status for n in range(5)}

    assert statuses == {CONFIRMED}
    assert registrations.places_left(unlimited) is None


def test_a_closed_hackathon_takes_no_registration(db, manager):
    closed = factories.hackathon(by=manager)

    with pytest.raises(InvalidInput, match="is closed"):
        register(closed)
    assert count(Registration) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "Give your name"),
        ({"email": "not-an-address"}, "is not an email address"),
        ({"backgrounds": ["astronaut"]}, "Unknown background"),
        ({"residence": "Atlantis"}, "Choose a neighbourhood"),
        ({"residence": "Citywide"}, "Choose a neighbourhood"),
        ({"preferred_language": "Klingon"}, "Choose a language"),
        ({"accessibility_needs": "x" * 2001}, "at most 2000"),
        ({"under_18": True}, "parent's or guardian's name"),
        (
            {"under_18": True, "guardian_name": "Elena", "guardian_email": "nope"},
            "the guardian's email address",
        ),
    ],
)
def test_what_registering_refuses(db, hackathon, fields, message):
    with pytest.raises(InvalidInput, match=message):
        register(hackathon, **fields)
    assert count(Registration) == 0


def test_someone_from_outside_the_city_registers(db, hackathon):
    registration = register(hackathon, residence="Outside the city")

    assert registration.residence == "Outside the city"


def test_cancelling_moves_up_the_first_on_the_waiting_list(db, hackathon, outbox, audit_events):
    rosa = register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    ali = register(hackathon, "Ali Haddad")
    bo = register(hackathon, "Bo Chen")

    moved = registrations.cancel(rosa, by=None)

    assert moved == [ali]
    assert (rosa.status, rosa.cancelled_at is not None) == (CANCELLED, True)
    assert (ali.status, bo.status) == (CONFIRMED, WAITLISTED)
    assert outbox("ali.haddad@example.org")[-1].subject == f"A place for you: {hackathon.name}"
    assert outbox("rosa.diaz@example.org")[-1].subject.startswith("Registration cancelled")
    cancelled = audit_events("registration.cancelled")
    assert [(e.object_id, e.actor_id) for e in cancelled] == [(str(rosa.id), rosa.user_id)]
    assert [e.object_id for e in audit_events("registration.moved_up")] == [str(ali.id)]


def test_cancelling_a_waitlisted_registration_moves_nobody(db, hackathon):
    register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    ali = register(hackathon, "Ali Haddad")
    bo = register(hackathon, "Bo Chen")

    assert registrations.cancel(ali, by=None) == []
    assert bo.status == WAITLISTED


def test_cancelling_twice_is_refused(db, hackathon):
    rosa = register(hackathon)
    registrations.cancel(rosa, by=None)

    with pytest.raises(Conflict, match="already cancelled"):
        registrations.cancel(rosa, by=None)


def test_a_cancelled_person_may_register_again(db, hackathon):
    rosa = register(hackathon)
    registrations.cancel(rosa, by=None)

    again = register(hackathon)

    assert again.id != rosa.id and again.status == CONFIRMED


def test_more_places_move_the_waiting_list_up(db, hackathon, manager):
    for name in ("Rosa Diaz", "Kim Lee", "Ali Haddad", "Bo Chen", "Cy Dunn"):
        register(hackathon, name)

    hackathons.update_hackathon(
        hackathon,
        factories.hackathon_input(
            hackathon.name,
            starts_on=hackathon.starts_on,
            ends_on=hackathon.ends_on,
            registration_open=True,
            registration_capacity=4,
        ),
        by=manager,
    )

    counts = registrations.status_counts(hackathon)
    assert (counts[CONFIRMED], counts[WAITLISTED]) == (4, 1)


def test_the_database_keeps_one_live_registration_per_person(db, hackathon):
    rosa = register(hackathon)

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Registration(
                hackathon_id=hackathon.id,
                user_id=rosa.user_id,
                name="Rosa",
                email=rosa.email,
                residence="Boyle Heights",
                status=WAITLISTED,
            )
        )
        db.session.flush()


# Minors and consent -------------------------------------------------------------------------------


def test_a_minor_holds_a_place_until_consent_then_is_confirmed(db, hackathon, manager, outbox):
    tomas = registrations.register(hackathon, minor_input()).registration

    assert tomas.status == AWAITING_CONSENT
    assert registrations.places_left(hackathon) == 1
    [needed] = outbox("tomas.ruiz@example.org")
    assert needed.subject.startswith("A guardian's consent is needed")
    assert "Elena Ruiz" in needed.body and "elena@example.org" in needed.body

    registrations.record_consent(tomas, "Elena Ruiz (mother)", by=manager)

    assert tomas.status == CONFIRMED
    assert tomas.consent_recorded_by_id == manager.id
    assert tomas.guardian_name == "Elena Ruiz (mother)"
    assert outbox("tomas.ruiz@example.org")[-1].subject.startswith("You are registered")


def test_the_database_refuses_a_confirmed_minor_without_consent(db, hackathon):
    tomas = registrations.register(hackathon, minor_input()).registration

    with pytest.raises(IntegrityError), db.session.begin_nested():
        tomas.status = CONFIRMED
        db.session.flush()


def test_a_waitlisted_minor_with_consent_moves_up_confirmed(db, hackathon, manager):
    register(hackathon, "Rosa Diaz")
    kim = register(hackathon, "Kim Lee")
    tomas = registrations.register(hackathon, minor_input()).registration
    registrations.record_consent(tomas, "Elena Ruiz", by=manager)
    assert tomas.status == WAITLISTED

    registrations.cancel(kim, by=manager)

    assert tomas.status == CONFIRMED


def test_a_minor_moved_up_without_consent_waits_for_it(db, hackathon, manager, outbox):
    register(hackathon, "Rosa Diaz")
    kim = register(hackathon, "Kim Lee")
    tomas = registrations.register(hackathon, minor_input()).registration

    registrations.cancel(kim, by=manager)

    assert tomas.status == AWAITING_CONSENT
    assert "until the program team has your parent's" in outbox("tomas.ruiz@example.org")[-1].body


@pytest.mark.parametrize(
    ("setup", "message"),
    [("adult", "no consent is needed"), ("twice", "already on record"), ("nobody", "who gave")],
)
def test_what_recording_consent_refuses(db, hackathon, manager, setup, message):
    if setup == "adult":
        registration, given_by = register(hackathon), "Someone"
    else:
        registration = registrations.register(hackathon, minor_input()).registration
        given_by = " " if setup == "nobody" else "Elena Ruiz"
        if setup == "twice":
            registrations.record_consent(registration, "Elena Ruiz", by=manager)

    with pytest.raises((InvalidInput, Conflict), match=message):
        registrations.record_consent(registration, given_by, by=manager)


# Check-in -----------------------------------------------------------------------------------------


def test_check_in_and_undo(db, hackathon, manager, audit_events):
    rosa = register(hackathon)

    registrations.check_in(rosa, by=manager)
    assert rosa.attended_at is not None and rosa.checked_in_by_id == manager.id
    with pytest.raises(Conflict, match="already checked in"):
        registrations.check_in(rosa, by=manager)

    registrations.check_in(rosa, by=manager, undo=True)
    assert rosa.attended_at is None
    assert [e.action for e in audit_events() if e.object_type == "registration"][-2:] == [
        "registration.checked_in",
        "registration.check_in_undone",
    ]


def test_only_confirmed_people_are_checked_in(db, hackathon, manager):
    register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    ali = register(hackathon, "Ali Haddad")

    with pytest.raises(InvalidInput, match="only confirmed registrations"):
        registrations.check_in(ali, by=manager)


# Reminders ----------------------------------------------------------------------------------------


def test_confirmed_registrants_are_reminded_the_day_before_once(db, manager, outbox):
    tomorrow = open_hackathon(
        by=manager, capacity=1, starts_on=clock.today() + timedelta(days=1), venue="City Hall"
    )
    rosa = register(tomorrow, "Rosa Diaz")
    register(tomorrow, "Kim Lee")  # waitlisted: no reminder
    later = open_hackathon(by=manager, starts_on=clock.today() + timedelta(days=2))
    register(later, "Ali Haddad")

    assert registrations.send_reminders(clock.today()) == 1
    assert registrations.send_reminders(clock.today()) == 0

    [reminder] = [m for m in outbox() if m.subject.startswith("Tomorrow")]
    assert reminder.recipient == "rosa.diaz@example.org"
    assert "starts tomorrow" in reminder.body and "at City Hall" in reminder.body
    assert reloaded(rosa).reminded_at is not None


def test_send_reminders_reminds_registrants_too(db, runner, manager, outbox):
    tomorrow = open_hackathon(by=manager, starts_on=clock.today() + timedelta(days=1))
    register(tomorrow)
    db.session.commit()

    result = runner.invoke(args=["send-reminders"])

    assert result.exit_code == 0, result.output
    assert "1 reminders of tomorrow's hackathon sent to registrants." in result.output
    db.session.expire_all()
    assert [m.recipient for m in outbox() if m.subject.startswith("Tomorrow")] == [
        "rosa.diaz@example.org"
    ]


# The public pages ---------------------------------------------------------------------------------


def test_the_public_page_registers_without_an_account(db, client, hackathon, outbox):
    db.session.commit()
    shown = client.get(f"/registration/{hackathon.id}")
    assert shown.status_code == 200
    assert hackathon.name in page(shown)

    response = client.post(
        f"/registration/{hackathon.id}", data=as_public_form(registration_input())
    )

    assert response.status_code == 302
    registration = db.session.scalar(db.select(Registration))
    assert (registration.status, registration.backgrounds) == (
        CONFIRMED,
        ["community_member", "designer"],
    )
    assert registration.looking_for_team and registration.first_civic_hackathon
    mine = client.get(location(response))
    assert "Your place is confirmed" in page(mine)
    [confirmation] = outbox()
    assert link_in(confirmation.body, "/registration/mine/") == location(response)


def test_the_public_page_says_kindly_that_an_address_is_registered(db, client, hackathon, outbox):
    register(hackathon)
    db.session.commit()

    response = client.post(
        f"/registration/{hackathon.id}", data=as_public_form(registration_input())
    )

    assert response.status_code == 200
    assert "already registered for" in page(response)
    assert "Confirmed" in page(response)
    assert count(Registration) == 1 and len(outbox()) == 1


def test_a_minor_must_say_so_and_name_a_guardian(db, client, hackathon):
    db.session.commit()
    form = as_public_form(registration_input())
    del form["under_18"]

    missing = client.post(f"/registration/{hackathon.id}", data=form)
    no_guardian = client.post(f"/registration/{hackathon.id}", data={**form, "under_18": "yes"})

    assert missing.status_code == 400
    assert "Say whether you are under 18." in page(missing)
    assert no_guardian.status_code == 400
    assert "give a parent's or guardian's name" in page(no_guardian)
    assert count(Registration) == 0


def test_a_closed_or_missing_hackathon_has_no_form(db, client, manager):
    closed = factories.hackathon(by=manager)
    db.session.commit()

    response = client.get(f"/registration/{closed.id}")

    assert response.status_code == 200
    assert "is not open" in page(response) and "Register" not in page(response).split("</nav>")[-1]
    assert client.get("/registration/999999").status_code == 404


def test_the_list_of_open_hackathons_is_linked_from_the_public_pages(db, client, hackathon):
    db.session.commit()

    listed = client.get("/registration/")

    assert hackathon.name in page(listed)
    for public_page in ("/showcase/", "/scorecard/"):
        assert 'href="/registration/"' in page(client.get(public_page)), public_page


def test_the_mailed_link_cancels_without_an_account(db, client, hackathon, outbox):
    rosa = register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    ali = register(hackathon, "Ali Haddad")
    db.session.commit()
    mine = link_in(outbox("rosa.diaz@example.org")[0].body, "/registration/mine/")

    asked = client.get(mine + "/cancel")
    response = client.post(mine + "/cancel")

    assert "Your place goes to the first person on the waiting list" in page(asked)
    assert location(response) == mine
    assert "This registration was cancelled." in page(client.get(mine))
    assert (reloaded(rosa).status, reloaded(ali).status) == (CANCELLED, CONFIRMED)


def test_a_forged_link_opens_nothing(db, client, hackathon):
    rosa = register(hackathon)
    db.session.commit()
    token = registrations.link_token(rosa)

    assert client.get(f"/registration/mine/{token}x").status_code == 400
    with pytest.raises(InvalidToken):
        registrations.registration_from_token(token[:-2])


# The program team's pages -------------------------------------------------------------------------


def test_the_registrations_list_counts_filters_and_searches(db, client, login_as, hackathon):
    for name in ("Rosa Diaz", "Kim Lee", "Ali Haddad"):
        register(hackathon, name)
    login_as("manager")
    path = f"/registration/hackathons/{hackathon.id}/registrations"

    everyone = page(client.get(path))
    waiting = page(client.get(path + "?status=waitlisted"))
    found = page(client.get(path + "?q=LEE"))

    assert all(name in everyone for name in ("Rosa Diaz", "Kim Lee", "Ali Haddad"))
    assert "On the waiting list" in everyone
    assert "Ali Haddad" in waiting and "Rosa Diaz" not in waiting
    assert "Kim Lee" in found and "Rosa Diaz" not in found


def test_the_csv_holds_registrations_not_demographic_answers(db, client, login_as, hackathon):
    register(hackathon, "Rosa Diaz", accessibility_needs="=HYPERLINK(1)")
    login_as("manager")

    response = client.get(f"/registration/hackathons/{hackathon.id}/registrations.csv")

    text = response.get_data(as_text=True)
    header, row = text.splitlines()[:2]
    assert header.split(",") == registrations.CSV_COLUMNS
    assert "Rosa Diaz" in row and "'=HYPERLINK(1)" in row
    assert not {"gender", "race_ethnicity", "age_band"} & set(header.split(","))


def test_the_check_in_page_checks_in_with_one_tap_and_undoes(db, client, login_as, hackathon):
    rosa = register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    login_as("manager")
    door = f"/registration/hackathons/{hackathon.id}/check-in"

    found = page(client.get(door + "?q=rosa"))
    tapped = client.post(f"/registration/{rosa.id}/check-in", data={"search": "rosa"})
    after = page(client.get(location(tapped)))
    client.post(f"/registration/{rosa.id}/check-in", data={"undo": "y"})

    assert "Rosa Diaz" in found and "Kim Lee" not in found
    assert location(tapped) == door + "?q=rosa"
    assert "Rosa Diaz checked in." in after and "1 of 2 confirmed checked in" in after
    assert reloaded(rosa).attended_at is None


def test_the_consent_form_needs_the_box_ticked(db, client, login_as, hackathon):
    tomas = registrations.register(hackathon, minor_input()).registration
    login_as("manager")
    path = f"/registration/{tomas.id}/consent"

    unticked = client.post(path, data={"given_by": "Elena Ruiz"})
    assert unticked.status_code == 200 and reloaded(tomas).status == AWAITING_CONSENT

    ticked = client.post(path, data={"given_by": "Elena Ruiz", "confirm": "y"})
    assert ticked.status_code == 302 and reloaded(tomas).status == CONFIRMED


def test_a_manager_cancels_for_someone_and_hears_who_moved_up(db, client, login_as, hackathon):
    rosa = register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    register(hackathon, "Ali Haddad")
    login_as("manager")

    response = client.post(f"/registration/{rosa.id}/cancel", follow_redirects=True)

    assert "cancelled; moved up: Ali Haddad." in page(response)
    assert reloaded(rosa).status == CANCELLED


def test_the_hackathon_form_sets_registration(db, client, login_as, manager):
    hackathon = factories.hackathon(by=manager)
    login_as("manager")
    form = {
        "name": hackathon.name,
        "theme": hackathon.theme,
        "starts_on": hackathon.starts_on.isoformat(),
        "ends_on": hackathon.ends_on.isoformat(),
        "venue": "",
        "time_zone": "America/Los_Angeles",
        "status": "open",
        "description": "",
        "registration_open": "y",
        "registration_capacity": "40",
    }

    client.post(f"/hackathons/{hackathon.id}/edit", data=form)

    saved = reloaded(hackathon)
    assert (saved.registration_open, saved.registration_capacity) == (True, 40)


# Devpost --------------------------------------------------------------------------------------


def test_a_devpost_import_links_team_members_to_registrants_by_email(db, manager):
    hackathon = open_hackathon(by=manager)
    maria = register(hackathon, "Maria Lopez", email="maria.lopez@example.org")
    register(hackathon, "Kim Lee")
    batch = devpost.store_upload(
        hackathon, "projects.csv", devpost_file("current_unheaded_members.csv"), by=manager
    )

    devpost.apply_import(batch, False, manager)

    assert registrations.on_submitted_teams(hackathon, [maria.user_id, maria.user_id + 1]) == {
        maria.user_id
    }


def test_the_database_keeps_a_guardians_address_to_minors(db, hackathon):
    rosa = register(hackathon)

    with pytest.raises(IntegrityError), db.session.begin_nested():
        rosa.guardian_email = "elena@example.org"
        db.session.flush()

    assert reloaded(rosa).guardian_email is None


def test_the_program_teams_pages_run_the_same_queries_however_many_registered(
    db, client, login_as, page_queries
):
    manager = login_as("manager")
    hackathon = open_hackathon(by=manager, capacity=None)
    partner = outreach.add_partner(hackathon, None, "Pacoima Beautiful", by=manager)

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            register(hackathon, f"Person {n}", email=f"person{n}@example.org", via=partner.code)
        db.session.commit()

    add(0, 3)
    base = f"/registration/hackathons/{hackathon.id}"
    urls = [
        f"{base}/registrations",
        f"{base}/registrations?status=confirmed",
        f"{base}/registrations.csv",
        f"{base}/check-in?q=Person",
        f"{base}/partners",
    ]
    page_queries(urls)  # warm up: first-request work is not the page's

    few = page_queries(urls)
    add(3, 60)
    many = page_queries(urls)

    assert many == few
    assert count(Registration, Registration.referred_by_id == partner.id) == 60
