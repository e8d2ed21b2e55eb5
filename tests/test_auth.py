"""Signing in and out, passwords, password resets, invitations and the profile."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from incubator.models import Invitation, User
from incubator.services.accounts import users
from incubator.services.errors import InvalidInput
from tests import factories
from tests.helpers import count, link_in, location, page, reloaded

NEW_PASSWORD = "a brand new passphrase"
NO_MATCH = "That email and password do not match an account."


def alerts(text: str) -> list[str]:
    """The flash messages on a page."""
    return re.findall(r'role="alert">\s*(.*?)\s*<button', text, re.DOTALL)


def signed_in_email(client) -> str | None:
    """Whose session this client carries, asked of the API."""
    response = client.get("/api/v1/me")
    return response.get_json()["email"] if response.status_code == 200 else None


# Signing in --------------------------------------------------------------------------------------


def test_login_ignores_the_case_of_the_email(db, client, sign_in, audit_events):
    user = factories.user("founder", email="maria@example.org")
    db.session.commit()

    response = sign_in(client, "  Maria@EXAMPLE.org ")

    assert response.status_code == 302
    assert location(response) == "/"
    assert signed_in_email(client) == "maria@example.org"
    db.session.expire_all()
    assert user.last_login_at is not None
    [event] = audit_events("user.logged_in")
    assert (event.actor_id, event.object_type, event.object_id) == (user.id, "user", str(user.id))


def test_login_starts_a_fresh_session(db, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted_before_login"] = "attacker's value"

    sign_in(client, user.email)

    with client.session_transaction() as session:
        assert "planted_before_login" not in session


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(
    db, client, sign_in, audit_events
):
    user = factories.user("founder")
    db.session.commit()

    response = sign_in(client, user.email, "not the password at all")

    assert response.status_code == 200
    assert NO_MATCH in page(response)
    assert signed_in_email(client) is None
    db.session.expire_all()
    assert user.last_login_at is None
    assert audit_events("user.logged_in") == []


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, sign_in, audit_events):
    response = sign_in(client, "nobody@example.org")

    assert response.status_code == 200
    assert NO_MATCH in page(response)
    assert signed_in_email(client) is None
    assert audit_events("user.logged_in") == []


def test_deactivated_account_cannot_sign_in(db, client, sign_in, audit_events):
    user = factories.user("mentor", active=False)
    db.session.commit()

    response = sign_in(client, user.email)

    assert response.status_code == 200
    assert "This account has been deactivated. Ask a program manager." in page(response)
    assert signed_in_email(client) is None
    assert audit_events("user.logged_in") == []


def test_invited_person_without_a_password_gets_the_same_answer_as_any_failed_sign_in(
    db, app, client, sign_in
):
    invited = factories.user("judge", password=None)
    known = factories.user("judge")
    db.session.commit()

    answers = [
        page(sign_in(app.test_client(), email, "anything at all here"))
        for email in (invited.email, known.email, "nobody@example.org")
    ]

    assert all(NO_MATCH in answer for answer in answers)
    assert alerts(answers[0]) == alerts(answers[1]) == alerts(answers[2])
    assert signed_in_email(client) is None


def test_login_follows_a_next_link_on_this_site(db, client):
    user = factories.user("manager")
    db.session.commit()

    response = client.post(
        "/auth/login?next=/people/",
        data={"email": user.email, "password": factories.PASSWORD},
    )

    assert location(response) == "/people/"


def test_login_refuses_to_redirect_to_another_site(db, client, app, sign_in):
    user = factories.user("founder")
    db.session.commit()

    for target in ("//evil.example", "https://evil.example", "/\\evil.example"):
        other = app.test_client()
        response = other.post(
            f"/auth/login?next={target}",
            data={"email": user.email, "password": factories.PASSWORD},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target


def test_remember_me_sets_a_lasting_cookie_that_signs_in_again(db, client, sign_in):
    user = factories.user("founder")
    db.session.commit()

    sign_in(client, user.email, remember="y")

    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    client.delete_cookie("session")
    assert signed_in_email(client) == user.email


def test_without_remember_me_no_lasting_cookie_is_set(db, client, sign_in):
    user = factories.user("founder")
    db.session.commit()

    sign_in(client, user.email)

    assert client.get_cookie("remember_token") is None


def test_logout_needs_a_post(client, login_as):
    login_as("founder")

    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout")

    assert location(response) == "/auth/login"
    assert signed_in_email(client) is None


def test_logout_forgets_the_remember_me_cookie(db, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email, remember="y")

    client.post("/auth/logout")

    assert client.get_cookie("remember_token") is None
    assert signed_in_email(client) is None


# Changing a password -----------------------------------------------------------------------------


def change_password(client, current=factories.PASSWORD, new=NEW_PASSWORD, confirm=None, **extra):
    data = {"current": current, "password": new, "confirm": confirm or new, **extra}
    return client.post("/auth/password", data=data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"current": "not my password"}, "Your current password is not correct."),
        ({"new": "short"}, "Choose a password of at least 12 characters."),
        ({"confirm": "another long passphrase"}, "The two passwords differ."),
    ],
    ids=["wrong current password", "too short", "two different passwords"],
)
def test_a_refused_password_change_changes_nothing(
    db, client, login_as, audit_events, change, message
):
    user = login_as("founder")
    before = user.password_hash

    response = change_password(client, **change)

    assert response.status_code == 200
    assert message in page(response)
    assert reloaded(user).password_hash == before
    assert audit_events("user.password_changed") == []


def test_password_change_can_end_the_other_sessions(
    db, app, client, login_as, sign_in, audit_events
):
    user = login_as("founder")
    before = user.password_hash
    laptop = app.test_client()
    sign_in(laptop, user.email)
    assert signed_in_email(laptop) == user.email

    response = change_password(client, end_other_sessions="y")

    assert location(response) == "/"
    assert signed_in_email(laptop) is None
    assert signed_in_email(client) == user.email
    db.session.expire_all()
    assert user.password_hash != before
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    [event] = audit_events("user.password_changed")
    assert event.actor_id == user.id
    assert event.object_id == str(user.id)
    assert event.after == {"ended_other_sessions": True}


def test_password_change_keeps_other_sessions_when_not_asked(db, app, client, login_as, sign_in):
    user = login_as("founder")
    laptop = app.test_client()
    sign_in(laptop, user.email)

    change_password(client)

    assert signed_in_email(laptop) == user.email
    assert signed_in_email(client) == user.email


# Password reset ----------------------------------------------------------------------------------


def request_reset(client, email: str):
    return client.post("/auth/forgot", data={"email": email}, follow_redirects=True)


def mailed_reset_link(client, outbox, user) -> str:
    """The link in the one reset mail the user gets after asking for it on the page."""
    request_reset(client, user.email)
    [message] = outbox(user.email)
    assert message.subject == "Reset your Accelerate: LA password"
    return link_in(message.body, "/auth/reset/")


def test_reset_request_mails_a_link(db, client, outbox, audit_events):
    user = factories.user("mentor")
    db.session.commit()

    response = request_reset(client, user.email.upper())

    assert "If that address has an account, a reset link is on its way." in page(response)
    [message] = outbox(user.email)
    assert "http://localhost/auth/reset/" in message.body
    [event] = audit_events("password_reset.requested")
    assert event.object_id == str(user.id)


def test_reset_request_for_an_unknown_email_gives_the_same_answer_and_sends_nothing(
    client, outbox, audit_events
):
    response = request_reset(client, "nobody@example.org")

    assert "If that address has an account, a reset link is on its way." in page(response)
    assert outbox() == []
    assert audit_events() == []


def test_reset_link_sets_a_new_password_and_signs_out_everywhere(
    db, app, client, sign_in, outbox, audit_events
):
    user = factories.user("mentor")
    laptop = app.test_client()
    sign_in(laptop, user.email)
    link = mailed_reset_link(client, outbox, user)

    assert client.get(link).status_code == 200
    response = client.post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True
    )

    assert "Your password is set. Sign in with it." in page(response)
    assert signed_in_email(laptop) is None
    assert sign_in(app.test_client(), user.email).status_code == 200
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    [event] = audit_events("password_reset.completed")
    assert (event.actor_id, event.object_id) == (user.id, str(user.id))


def test_second_use_of_a_reset_link_is_refused(db, client, outbox):
    user = factories.user("mentor")
    link = mailed_reset_link(client, outbox, user)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    db.session.expire_all()
    after_first_use = user.password_hash

    opened = client.get(link, follow_redirects=True)
    posted = client.post(
        link,
        data={"password": "a third passphrase!", "confirm": "a third passphrase!"},
        follow_redirects=True,
    )

    for response in (opened, posted):
        assert response.status_code == 200
        assert response.request.path == "/auth/forgot"
        assert "This reset link has already been used or is not valid." in page(response)
    db.session.expire_all()
    assert user.password_hash == after_first_use


def tampered(link: str, _config: dict, _monkeypatch) -> str:
    """The link with the end of its token changed."""
    return link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")


def expired(link: str, config: dict, monkeypatch) -> str:
    """The same link, once reset links no longer last at all."""
    monkeypatch.setitem(config, "PASSWORD_RESET_MAX_AGE", -1)
    return link


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (tampered, "This reset link is not valid. Ask for a new one."),
        (expired, "This reset link has expired. Ask for a new one."),
    ],
    ids=["tampered", "expired"],
)
def test_a_spoilt_reset_link_is_refused_clearly(
    db, app, client, outbox, monkeypatch, spoil, message
):
    user = factories.user("mentor")
    before = user.password_hash
    link = spoil(mailed_reset_link(client, outbox, user), app.config, monkeypatch)

    response = client.post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True
    )

    assert response.status_code == 200
    assert message in page(response)
    assert reloaded(user).password_hash == before


def test_reset_refuses_a_short_password_and_keeps_the_link_usable(db, client, outbox):
    user = factories.user("mentor")
    before = user.password_hash
    link = mailed_reset_link(client, outbox, user)

    response = client.post(link, data={"password": "short", "confirm": "short"})

    assert "Choose a password of at least 12 characters." in page(response)
    db.session.expire_all()
    assert user.password_hash == before
    assert client.get(link).status_code == 200


# Invitations -------------------------------------------------------------------------------------


def invite(client, email="newcomer@example.org", name="Nadia Newcomer", roles=("mentor",)):
    return client.post("/people/invite", data={"email": email, "name": name, "roles": list(roles)})


def invitation_link(outbox, email: str) -> str:
    message = outbox(email)[-1]
    assert message.subject == "Your invitation to Accelerate: LA"
    return link_in(message.body, "/auth/invitation/")


def accept(client, link, name="Nadia N. Newcomer", password=NEW_PASSWORD, time_zone="UTC"):
    data = {"name": name, "password": password, "confirm": password, "time_zone": time_zone}
    return client.post(link, data=data)


def test_invitation_link_lets_the_invitee_set_up_their_account(
    db, app, client, login_as, sign_in, outbox, audit_events
):
    login_as("manager")
    invite(client)
    link = invitation_link(outbox, "newcomer@example.org")
    invitee = app.test_client()

    form = invitee.get(link)
    response = accept(invitee, link, time_zone="America/New_York")

    assert form.status_code == 200
    assert "newcomer@example.org" in page(form)
    assert location(response) == "/"
    assert signed_in_email(invitee) == "newcomer@example.org"
    user = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
    assert user.name == "Nadia N. Newcomer"
    assert user.time_zone == "America/New_York"
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    assert invitation.accepted_at is not None
    [event] = audit_events("invitation.accepted")
    assert (event.actor_id, event.object_id) == (user.id, str(user.id))


def test_second_use_of_an_invitation_link_is_refused(db, app, client, login_as, outbox):
    login_as("manager")
    invite(client)
    link = invitation_link(outbox, "newcomer@example.org")
    accept(app.test_client(), link)
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
    after_first_use = (user.name, user.password_hash)

    again = app.test_client()
    opened = again.get(link, follow_redirects=True)
    posted = accept(again, link, name="Someone Else")

    assert "This invitation has already been used. Sign in instead." in page(opened)
    assert location(posted) == "/auth/login"
    db.session.expire_all()
    assert (user.name, user.password_hash) == after_first_use


def test_inviting_again_revokes_the_earlier_link(db, app, client, login_as, outbox):
    login_as("manager")
    invite(client)
    first = invitation_link(outbox, "newcomer@example.org")
    invite(client)
    second = invitation_link(outbox, "newcomer@example.org")
    invitee = app.test_client()

    refused = invitee.get(first, follow_redirects=True)
    accepted = accept(invitee, second)

    assert "This invitation was replaced by a newer one. Use the latest mail." in page(refused)
    assert location(accepted) == "/"
    user = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.user_id == user.id).order_by(Invitation.id)
    ).all()
    assert [i.revoked_at is not None for i in invitations] == [True, False]
    assert [i.accepted_at is not None for i in invitations] == [False, True]
    assert count(User) == 2  # the manager and the invitee, once


def test_invitation_refuses_an_unknown_time_zone(db, app, client, login_as, outbox):
    login_as("manager")
    invite(client)
    link = invitation_link(outbox, "newcomer@example.org")
    invitee = app.test_client()

    response = accept(invitee, link, time_zone="Mars/Olympus_Mons")

    assert response.status_code == 200
    assert "Not a valid choice." in page(response)
    assert signed_in_email(invitee) is None
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
    assert user.password_hash is None
    assert user.name == "Nadia Newcomer"
    assert db.session.scalar(select(Invitation.accepted_at)) is None


def test_invitation_refuses_a_short_password(db, app, client, login_as, outbox):
    login_as("manager")
    invite(client)
    link = invitation_link(outbox, "newcomer@example.org")

    response = accept(app.test_client(), link, password="short")

    assert "Choose a password of at least 12 characters." in page(response)
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
    assert user.password_hash is None


def test_expired_invitation_is_refused_clearly(db, app, client, login_as, outbox, monkeypatch):
    login_as("manager")
    invite(client)
    link = invitation_link(outbox, "newcomer@example.org")
    monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)

    response = app.test_client().get(link, follow_redirects=True)

    assert "This invitation has expired. Ask for a new one." in page(response)


def test_made_up_invitation_link_is_refused_clearly(client):
    response = client.get("/auth/invitation/bad-token", follow_redirects=True)

    assert response.status_code == 200
    assert "This invitation link is not valid." in page(response)


# Profile -----------------------------------------------------------------------------------------


def test_profile_update_saves_name_and_time_zone(db, client, login_as, audit_events):
    user = login_as("mentor", name="Grace Kim")

    response = client.post(
        "/auth/profile",
        data={"name": "Grace H. Kim", "time_zone": "Pacific/Honolulu"},
        follow_redirects=True,
    )

    assert "Your profile is saved." in page(response)
    db.session.expire_all()
    assert (user.name, user.time_zone) == ("Grace H. Kim", "Pacific/Honolulu")
    [event] = audit_events("user.profile_updated")
    assert event.actor_id == user.id
    assert event.before == {"name": "Grace Kim", "time_zone": "America/Los_Angeles"}
    assert event.after == {"name": "Grace H. Kim", "time_zone": "Pacific/Honolulu"}


def test_profile_refuses_an_unknown_time_zone(db, client, login_as, audit_events):
    user = login_as("mentor", name="Grace Kim")

    response = client.post("/auth/profile", data={"name": "Grace Kim", "time_zone": "Nowhere/Land"})

    assert response.status_code == 200
    assert "Not a valid choice." in page(response)
    db.session.expire_all()
    assert user.time_zone == "America/Los_Angeles"
    assert audit_events("user.profile_updated") == []


def test_profile_needs_a_name(db, client, login_as, audit_events):
    user = login_as("mentor", name="Grace Kim")

    empty = client.post("/auth/profile", data={"name": "", "time_zone": "UTC"})
    blank = client.post("/auth/profile", data={"name": "   ", "time_zone": "UTC"})

    assert "This field is required." in page(empty)
    assert "A name is required." in page(blank)
    db.session.expire_all()
    assert (user.name, user.time_zone) == ("Grace Kim", "America/Los_Angeles")
    assert audit_events("user.profile_updated") == []


# Password rules ----------------------------------------------------------------------------------

COMMON = "Qwerty123456"  # on the common-password list, in any case
TOO_COMMON = "That password is on a list of the most common passwords. Choose another."
TOO_PERSONAL = "Choose a password that does not contain your name or email address."


def test_the_common_password_list_ships_with_the_package(app):
    from incubator.services.accounts.users import common_passwords

    listed = common_passwords()

    assert len(listed) > 19_000
    assert {"password", "qwerty123456", "1q2w3e4r5t6y"} <= listed


@pytest.mark.parametrize(
    "password, refusal",
    [
        ("qwerty123456", TOO_COMMON),
        (COMMON, TOO_COMMON),
        ("maria.gonzalez", TOO_PERSONAL),  # the email's local part
        ("MARIA.GONZALEZ was here", TOO_PERSONAL),  # ...anywhere, in any case
        ("hello gonzalez 2026", TOO_PERSONAL),  # a part of it
        ("Maria Gonzalez", TOO_PERSONAL),  # the name
        ("mariagonzalez!!", TOO_PERSONAL),  # the name without its space
        ("my name is maria ok", TOO_PERSONAL),  # a word of the name
    ],
)
def test_common_or_personal_passwords_are_refused(app, password, refusal):
    with pytest.raises(InvalidInput) as refused:
        users.check_password_rules(
            password, email="maria.gonzalez@lacity.example", name="Maria Gonzalez"
        )

    assert refused.value.message == refusal


def test_short_name_parts_do_not_refuse_a_password_by_chance(app):
    # "Li" and "jo" turn up inside ordinary words ("jolly", "believe").
    users.check_password_rules(
        "a jolly long passphrase to believe", email="jo@example.org", name="Li Jo"
    )


def test_password_change_refuses_a_common_or_personal_password(db, client, login_as, audit_events):
    user = login_as("founder", name="Grace Kim", email="grace.kim@mentors.example")
    before = user.password_hash

    common = change_password(client, new=COMMON)
    personal = change_password(client, new="Grace Kim forever!")

    assert TOO_COMMON in page(common)
    assert TOO_PERSONAL in page(personal)
    db.session.expire_all()
    assert user.password_hash == before
    assert audit_events("user.password_changed") == []


def test_reset_refuses_a_common_or_personal_password(db, client, outbox):
    user = factories.user("mentor", email="samuel.okafor@mentors.example", name="Samuel Okafor")
    before = user.password_hash
    link = mailed_reset_link(client, outbox, user)

    common = client.post(link, data={"password": COMMON, "confirm": COMMON})
    personal = client.post(
        link, data={"password": "samuel.okafor 2026", "confirm": "samuel.okafor 2026"}
    )

    assert TOO_COMMON in page(common)
    assert TOO_PERSONAL in page(personal)
    db.session.expire_all()
    assert user.password_hash == before


def test_invitation_refuses_a_common_password_or_the_name_given(db, app, client, login_as, outbox):
    login_as("manager")
    invite(client, email="tran.nguyen@ladot.example", name="Tran Nguyen")
    link = invitation_link(outbox, "tran.nguyen@ladot.example")
    invitee = app.test_client()

    common = accept(invitee, link, name="Tran Nguyen", password=COMMON)
    # The name typed on the form counts, not only the one the manager entered.
    personal = accept(invitee, link, name="Tranquilino Ruiz", password="tranquilino 1234")

    assert TOO_COMMON in page(common)
    assert TOO_PERSONAL in page(personal)
    user = db.session.scalar(select(User).where(User.email == "tran.nguyen@ladot.example"))
    assert user.password_hash is None
    assert signed_in_email(invitee) is None
