"""Managers invite people, edit roles, deactivate accounts; admins read outbox and audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incubator.models import Invitation, Role, User
from incubator.services.accounts import users
from incubator.services.errors import NotAllowed
from tests import factories
from tests.helpers import link_in, location, page


def users_named(db, email: str) -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User).where(User.email == email)))


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def listed(response) -> str:
    """The rows of the people table (not the navigation, which names the viewer)."""
    text = page(response)
    return text[text.find("<tbody>") : text.find("</tbody>")] if "<tbody>" in text else ""


def invite(client, email="newcomer@example.org", name="Nadia Newcomer", roles=("mentor",)):
    data = {"email": email, "name": name, "roles": list(roles)}
    return client.post("/people/invite", data=data, follow_redirects=True)


def set_roles(client, user, roles):
    return client.post(
        f"/people/{user.id}/roles", data={"roles": list(roles)}, follow_redirects=True
    )


def set_active(client, user, active: bool):
    return client.post(
        f"/people/{user.id}/activation",
        data={"active": "1" if active else "0"},
        follow_redirects=True,
    )


# Inviting ----------------------------------------------------------------------------------------


def test_manager_invites_a_new_person(db, client, login_as, outbox, audit_events):
    manager = login_as("manager", name="Maria Gonzalez")

    response = invite(client, email=" Nadia@Example.org ", roles=("mentor", "judge"))

    assert "Invitation sent to nadia@example.org." in page(response)
    [user] = users_named(db, "nadia@example.org")
    assert user.roles == {Role.MENTOR, Role.JUDGE}
    assert user.password_hash is None
    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    assert invitation.invited_by_id == manager.id
    assert invitation.roles == "judge,mentor"
    [message] = outbox("nadia@example.org")
    assert "Maria Gonzalez invited you" in message.body
    assert link_in(message.body, "/auth/invitation/")
    [created] = [e for e in audit_events("user.created") if e.object_id == str(user.id)]
    assert (created.actor_id, created.object_type) == (manager.id, "user")
    assert created.before is None
    assert created.after == {
        "email": "nadia@example.org",
        "name": "Nadia Newcomer",
        "active": True,
        "roles": ["judge", "mentor"],
    }
    [sent] = audit_events("invitation.sent")
    assert sent.actor_id == manager.id
    assert sent.after == {"email": "nadia@example.org", "roles": "judge,mentor"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "nadia@example.org", "name": "Nadia"}, "Choose at least one role."),
        ({"email": "not-an-address", "name": "Nadia", "roles": ["mentor"]}, "Invalid email"),
        (
            {"email": "nadia@example.org", "name": "N" * 121, "roles": ["mentor"]},
            "Field cannot be longer than 120 characters.",
        ),
        (
            {"email": "nadia@example.org", "name": "", "roles": ["mentor"]},
            "This field is required.",
        ),
        (
            {"email": "nadia@example.org", "name": "Nadia", "roles": ["astronaut"]},
            "'astronaut' is not a valid choice for this field.",
        ),
    ],
    ids=["no-roles", "bad-email", "name-too-long", "no-name", "unknown-role"],
)
def test_invitation_with_bad_input_is_refused_and_changes_nothing(
    db, client, login_as, outbox, audit_events, data, message
):
    login_as("manager")
    users_before = user_count(db)
    events_before = len(audit_events())

    response = client.post("/people/invite", data=data)

    assert response.status_code == 200
    assert message in page(response)
    assert user_count(db) == users_before
    assert outbox() == []
    assert len(audit_events()) == events_before


def test_inviting_an_existing_account_adds_roles_and_tells_them(
    db, client, login_as, outbox, audit_events
):
    manager = login_as("manager", name="Maria Gonzalez")
    existing = factories.user("founder", email="jamal@example.org", name="Jamal Washington")
    db.session.commit()

    response = invite(client, email="JAMAL@example.org", name="Someone Else", roles=("mentor",))

    assert "JAMAL@example.org already has an account; the roles were added." in page(response)
    [user] = users_named(db, "jamal@example.org")
    assert user.id == existing.id
    assert user.roles == {Role.FOUNDER, Role.MENTOR}
    assert user.name == "Jamal Washington"
    [message] = outbox("jamal@example.org")
    assert message.subject == "You have new access in Accelerate: LA"
    assert "Mentor" in message.body
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    [event] = audit_events("user.roles_changed")
    assert (event.actor_id, event.object_id) == (manager.id, str(existing.id))
    assert event.before["roles"] == ["founder"]
    assert event.after["roles"] == ["founder", "mentor"]


def test_inviting_an_existing_account_with_roles_it_has_sends_nothing(
    db, client, login_as, outbox, audit_events
):
    login_as("manager")
    factories.user("founder", email="jamal@example.org")
    db.session.commit()
    events_before = len(audit_events())

    invite(client, email="jamal@example.org", roles=("founder",))

    assert outbox() == []
    assert len(audit_events()) == events_before


def test_manager_cannot_grant_the_admin_role(db, client, login_as, outbox, audit_events):
    login_as("manager")
    users_before = user_count(db)
    events_before = len(audit_events())

    response = invite(client, roles=("admin",))

    assert "'admin' is not a valid choice for this field." in page(response)
    assert user_count(db) == users_before
    assert outbox() == []
    assert len(audit_events()) == events_before


def test_only_an_administrator_may_grant_admin_whatever_the_form_allows(db, app):
    manager = factories.user("manager")

    with pytest.raises(NotAllowed, match="Only an administrator can grant"):
        users.invite("nadia@example.org", "Nadia", {Role.ADMIN}, by=manager)


def test_admin_can_invite_an_admin(db, client, login_as, audit_events):
    admin = login_as("admin")

    response = invite(client, roles=("admin",))

    assert "Invitation sent to newcomer@example.org." in page(response)
    [user] = users_named(db, "newcomer@example.org")
    assert user.roles == {Role.ADMIN}
    [event] = audit_events("invitation.sent")
    assert event.actor_id == admin.id


def test_sending_an_invitation_again_replaces_the_earlier_link(
    db, app, client, login_as, outbox, audit_events
):
    login_as("manager")
    invite(client)
    [user] = users_named(db, "newcomer@example.org")
    first = link_in(outbox()[-1].body, "/auth/invitation/")

    response = client.post(f"/people/{user.id}/invitation", follow_redirects=True)

    assert "earlier links no longer work" in page(response)
    assert len(outbox("newcomer@example.org")) == 2
    second = link_in(outbox()[-1].body, "/auth/invitation/")
    assert first != second
    refused = app.test_client().get(first, follow_redirects=True)
    assert "replaced by a newer one" in page(refused)
    assert app.test_client().get(second).status_code == 200
    assert len(audit_events("invitation.sent")) == 2


# Roles -------------------------------------------------------------------------------------------


def test_manager_edits_roles(db, client, login_as, audit_events):
    manager = login_as("manager")
    person = factories.user("founder", name="Jamal Washington")
    db.session.commit()

    response = set_roles(client, person, ["mentor", "judge"])

    assert "Roles of Jamal Washington saved." in page(response)
    db.session.expire_all()
    assert person.roles == {Role.MENTOR, Role.JUDGE}
    [event] = audit_events("user.roles_changed")
    assert (event.actor_id, event.object_type, event.object_id) == (
        manager.id,
        "user",
        str(person.id),
    )
    assert event.before["roles"] == ["founder"]
    assert event.after["roles"] == ["judge", "mentor"]


def test_a_person_keeps_at_least_one_role(db, client, login_as, audit_events):
    login_as("manager")
    person = factories.user("founder")
    db.session.commit()

    response = set_roles(client, person, [])

    assert "Choose at least one role." in page(response)
    db.session.expire_all()
    assert person.roles == {Role.FOUNDER}
    assert audit_events("user.roles_changed") == []


def test_manager_cannot_make_someone_an_admin(db, client, login_as, audit_events):
    login_as("manager")
    person = factories.user("founder")
    db.session.commit()

    response = set_roles(client, person, ["admin", "founder"])

    assert "'admin' is not a valid choice for this field." in page(response)
    db.session.expire_all()
    assert person.roles == {Role.FOUNDER}
    assert audit_events("user.roles_changed") == []


def test_manager_editing_an_admin_leaves_the_admin_role_alone(db, client, login_as, audit_events):
    login_as("manager")
    admin = factories.user("admin", "manager")
    db.session.commit()

    set_roles(client, admin, ["manager", "judge"])

    db.session.expire_all()
    assert admin.roles == {Role.ADMIN, Role.MANAGER, Role.JUDGE}
    [event] = audit_events("user.roles_changed")
    assert event.after["roles"] == ["admin", "judge", "manager"]


def test_admin_can_grant_and_remove_admin(db, client, login_as):
    login_as("admin")
    person = factories.user("manager")
    db.session.commit()

    set_roles(client, person, ["admin", "manager"])
    db.session.expire_all()
    granted = person.roles
    set_roles(client, person, ["manager"])
    db.session.expire_all()

    assert granted == {Role.ADMIN, Role.MANAGER}
    assert person.roles == {Role.MANAGER}


def test_admin_cannot_remove_their_own_admin_role(db, client, login_as, audit_events):
    admin = login_as("admin", "manager")

    response = set_roles(client, admin, ["manager"])

    assert "You cannot remove your own administrator role." in page(response)
    db.session.expire_all()
    assert admin.roles == {Role.ADMIN, Role.MANAGER}
    assert audit_events("user.roles_changed") == []


def test_editing_roles_of_a_missing_person_is_not_found(db, client, login_as):
    login_as("manager")

    assert client.post("/people/9999/roles", data={"roles": ["mentor"]}).status_code == 404
    assert client.get("/people/9999").status_code == 404


# Deactivation ------------------------------------------------------------------------------------


def test_deactivation_ends_the_persons_session_at_their_next_request(
    db, app, client, login_as, sign_in, audit_events
):
    manager = login_as("manager")
    person = factories.user("founder", name="Jamal Washington")
    db.session.commit()
    their_client = app.test_client()
    sign_in(their_client, person.email, remember="y")
    assert their_client.get("/api/v1/me").status_code == 200

    response = set_active(client, person, False)

    assert "Jamal Washington is deactivated." in page(response)
    assert their_client.get("/api/v1/me").status_code == 401
    assert their_client.get("/").headers["Location"].startswith("/auth/login")
    db.session.expire_all()
    assert person.active is False
    [event] = audit_events("user.deactivated")
    assert (event.actor_id, event.object_id) == (manager.id, str(person.id))
    assert event.before["active"] is True
    assert event.after["active"] is False


def test_reactivated_person_can_sign_in_again(db, app, client, login_as, sign_in, audit_events):
    manager = login_as("manager")
    person = factories.user("founder", active=False)
    db.session.commit()

    response = set_active(client, person, True)

    assert "is active." in page(response)
    db.session.expire_all()
    assert person.active is True
    assert sign_in(app.test_client(), person.email).status_code == 302
    [event] = audit_events("user.activated")
    assert event.actor_id == manager.id
    assert (event.before["active"], event.after["active"]) == (False, True)


def test_nobody_can_deactivate_themselves(db, client, login_as, audit_events):
    manager = login_as("manager")

    response = set_active(client, manager, False)

    assert "You cannot deactivate your own account." in page(response)
    db.session.expire_all()
    assert manager.active is True
    assert client.get("/api/v1/me").status_code == 200
    assert audit_events("user.deactivated") == []


def test_manager_cannot_deactivate_an_admin(db, client, login_as, audit_events):
    login_as("manager")
    admin = factories.user("admin")
    db.session.commit()

    response = set_active(client, admin, False)

    assert "Only an administrator can change an administrator's account." in page(response)
    db.session.expire_all()
    assert admin.active is True
    assert audit_events("user.deactivated") == []


def test_activation_form_with_a_garbled_value_changes_nothing(db, client, login_as):
    login_as("manager")
    person = factories.user("founder")
    db.session.commit()

    response = client.post(
        f"/people/{person.id}/activation", data={"active": "maybe"}, follow_redirects=True
    )

    assert "That request was not understood; nothing changed." in page(response)
    db.session.expire_all()
    assert person.active is True


# Outbox, audit trail, lists ----------------------------------------------------------------------


def test_outbox_and_audit_pages_show_what_happened(db, client, login_as):
    login_as("admin", "manager", name="Alex Rivera")
    invite(client, email="nadia@example.org", roles=("judge",))

    outbox_page = page(client.get("/people/outbox"))
    audit_page = page(client.get("/people/audit"))

    assert "Your invitation to Accelerate: LA" in outbox_page
    assert "nadia@example.org" in outbox_page
    assert "/auth/invitation/" in outbox_page
    assert "invitation.sent" in audit_page
    assert "user.created" in audit_page
    assert "Alex Rivera" in audit_page


def test_person_page_lists_their_recent_changes(db, client, login_as):
    login_as("manager", name="Maria Gonzalez")
    person = factories.user("founder", name="Jamal Washington")
    db.session.commit()
    set_roles(client, person, ["founder", "mentor"])

    detail = page(client.get(f"/people/{person.id}"))

    assert "Jamal Washington" in detail
    assert "user.roles_changed" in detail
    assert "by Maria Gonzalez" in detail


def test_people_search_matches_name_or_email_in_any_case(db, client, login_as):
    login_as("manager", name="Maria Gonzalez")
    factories.user("mentor", name="Grace Kim", email="grace@mentors.example")
    factories.user("judge", name="Priya Natarajan", email="priya@judges.example")
    db.session.commit()

    by_name = listed(client.get("/people/?q=GRACE"))
    by_email = listed(client.get("/people/?q=judges.example"))
    nobody = page(client.get("/people/?q=zzz"))

    assert "Grace Kim" in by_name and "Priya Natarajan" not in by_name
    assert "Priya Natarajan" in by_email and "Grace Kim" not in by_email
    assert "Nobody matches" in nobody


def test_people_list_filters_by_role(db, client, login_as):
    login_as("manager", name="Maria Gonzalez")
    factories.user("mentor", name="Grace Kim")
    factories.user("judge", name="Priya Natarajan")
    db.session.commit()

    judges = listed(client.get("/people/?role=judge"))
    unknown = listed(client.get("/people/?role=astronaut"))

    assert "Priya Natarajan" in judges
    assert "Grace Kim" not in judges and "Maria Gonzalez" not in judges
    assert all(name in unknown for name in ("Grace Kim", "Priya Natarajan", "Maria Gonzalez"))


def test_people_list_pages_through_many_people(db, client, login_as):
    login_as("manager", name="Anna Manager")
    for number in range(1, 31):
        factories.user("founder", name=f"Zed {number:02d}", password=None)
    db.session.commit()

    first = page(client.get("/people/"))
    second = page(client.get("/people/?page=2"))
    garbled = page(client.get("/people/?page=abc"))
    beyond = page(client.get("/people/?page=99"))

    assert "Page 1 of 2" in first and "Zed 24" in first and "Zed 25" not in first
    assert "Page 2 of 2" in second and "Zed 30" in second and "Zed 01" not in second
    assert "31 people" in second
    assert "Page 1 of 2" in garbled and "Zed 01" in garbled
    assert "Page 2 of 2" in beyond and "Zed 30" in beyond


def test_invite_page_shows_admin_role_only_to_admins(db, app, client, login_as):
    login_as("manager")
    manager_form = page(client.get("/people/invite"))
    admin_client = app.test_client()
    login_as("admin", on=admin_client)
    admin_form = page(admin_client.get("/people/invite"))

    assert 'value="admin"' not in manager_form
    assert 'value="manager"' in manager_form
    assert 'value="admin"' in admin_form


def test_manager_home_redirect_after_invite_lands_on_people_list(db, client, login_as):
    login_as("manager")

    response = client.post(
        "/people/invite",
        data={"email": "nadia@example.org", "name": "Nadia", "roles": ["mentor"]},
    )

    assert location(response) == "/people/"
