"""An invitation not accepted after a few days is sent again, once, by `flask send-reminders`,
and the manager sees when."""

from __future__ import annotations

import os
from datetime import time, timedelta

import pytest
from sqlalchemy import select, update

from incubator import clock
from incubator.models import Invitation, Role
from incubator.services import home
from incubator.services.accounts import users
from tests.helpers import link_in, location, page

REMINDER_SUBJECT = "Reminder: your invitation to Accelerate: LA"
NEW_PASSWORD = "a long new passphrase 42"


def invited(manager, email: str, *, days_ago: int, name: str = "Nadia Newcomer") -> Invitation:
    """An invitation sent at noon, `days_ago` days before today on the program's calendar."""
    invitation = users.invite(email, name, {Role.FOUNDER}, by=manager)
    assert invitation is not None
    invitation.created_at = clock.at(clock.today() - timedelta(days=days_ago), time(12))
    return invitation


def reminders_to(outbox, email: str):
    return [message for message in outbox(email) if message.subject == REMINDER_SUBJECT]


def test_an_invitation_waiting_three_days_is_resent_once(db, manager, outbox, audit_events):
    invitation = invited(manager, "nadia@example.org", days_ago=3)
    today = clock.today()

    first = users.resend_unaccepted_invitations(today)
    second = users.resend_unaccepted_invitations(today)
    third = users.resend_unaccepted_invitations(today + timedelta(days=5))

    assert (first, second, third) == (1, 0, 0)
    [mail] = reminders_to(outbox, "nadia@example.org")
    assert "Maria Gonzalez invited you to Accelerate: LA" in mail.body
    assert "it works for 7 days" in mail.body
    assert invitation.resent_at is not None
    assert clock.program_date(invitation.resent_at) == today
    [event] = audit_events("invitation.resent")
    assert event.object_id == str(invitation.user_id)


def test_a_younger_invitation_waits(db, manager, outbox):
    invited(manager, "nadia@example.org", days_ago=2)

    assert users.resend_unaccepted_invitations(clock.today()) == 0
    assert reminders_to(outbox, "nadia@example.org") == []


def test_the_number_of_days_is_a_setting(db, app, manager, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_RESEND_AFTER_DAYS", 5)
    invited(manager, "early@example.org", days_ago=4)
    invited(manager, "late@example.org", days_ago=5)

    assert users.resend_unaccepted_invitations(clock.today()) == 1
    assert reminders_to(outbox, "early@example.org") == []
    assert len(reminders_to(outbox, "late@example.org")) == 1


def test_accepted_revoked_or_deactivated_invitations_are_not_resent(db, app, manager, outbox):
    accepted = invited(manager, "accepted@example.org", days_ago=4)
    token = users.invitation_token(accepted)
    users.accept_invitation(token, name="Ada", password=NEW_PASSWORD, time_zone="UTC")
    replaced = invited(manager, "replaced@example.org", days_ago=5)
    newer = users.invite("replaced@example.org", "Rae", {Role.FOUNDER}, by=manager)
    gone = invited(manager, "gone@example.org", days_ago=4)
    users.set_active(gone.user, False, by=manager)

    assert users.resend_unaccepted_invitations(clock.today()) == 0

    assert replaced.revoked_at is not None and newer is not None
    for email in ["accepted@example.org", "replaced@example.org", "gone@example.org"]:
        assert reminders_to(outbox, email) == []
    assert db.session.scalars(select(Invitation.resent_at)).all() == [None, None, None, None]


def test_the_new_link_sets_the_password(db, app, manager, outbox):
    invited(manager, "nadia@example.org", days_ago=4)
    users.resend_unaccepted_invitations(clock.today())
    db.session.commit()
    [mail] = reminders_to(outbox, "nadia@example.org")
    link = link_in(mail.body, "/auth/invitation/")
    invitee = app.test_client()

    response = invitee.post(
        link,
        data={
            "name": "Nadia N.",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "time_zone": "UTC",
        },
    )

    assert location(response) == "/"
    db.session.expire_all()
    assert users.user_by_email("nadia@example.org").has_password


def test_the_command_resends_once_however_often_it_runs(db, runner, manager, outbox):
    invited(manager, "nadia@example.org", days_ago=4)
    db.session.commit()

    first = runner.invoke(args=["send-reminders"])
    second = runner.invoke(args=["send-reminders"])

    assert first.exit_code == 0, first.output
    assert "1 invitations not yet accepted sent again." in first.output
    assert "invitations" not in second.output
    db.session.expire_all()
    assert len(reminders_to(outbox, "nadia@example.org")) == 1


@pytest.mark.parametrize("where", ["home", "person"])
def test_the_manager_sees_which_invitations_were_resent(
    db, client, manager, sign_in, outbox, where
):
    resent = invited(manager, "nadia@example.org", days_ago=4, name="Nadia Newcomer")
    invited(manager, "omar@example.org", days_ago=1, name="Omar Haddad")
    users.resend_unaccepted_invitations(clock.today())
    db.session.commit()
    sign_in(client, manager.email)
    on = clock.program_date(resent.resent_at)

    if where == "home":
        text = page(client.get("/"))
        assert "2 invitations not accepted (1 re-sent)" in text
        sent = on - timedelta(days=4)
        assert f"Nadia Newcomer, invited {sent:%a, %b %-d}" in text
        assert f"re-sent on {on:%a, %b %-d}" in text
        assert "Omar Haddad, invited" in text
        assert f'href="/people/{resent.user_id}"' in text
    else:
        text = page(client.get(f"/people/{resent.user_id}"))
        assert "re-sent on" in text
    panel = next(p for p in home.panels_for(manager) if p.role == Role.MANAGER)
    item = panel.item("2 invitations")
    assert item is not None and item.count == 2


@pytest.mark.skipif(
    os.environ.get("INCUBATOR_TEST_DB") != "postgresql",
    reason="SQLite lets one writer in at a time, so two runs cannot overlap there",
)
def test_an_invitation_a_parallel_run_resent_is_not_sent_again(db, manager, outbox, monkeypatch):
    invitation = invited(manager, "nadia@example.org", days_ago=4)
    db.session.commit()
    stamp = users.utcnow

    def another_run_commits_first():
        # Called as this run stamps the row it read as not yet re-sent.
        monkeypatch.setattr(users, "utcnow", stamp)
        with db.engine.begin() as other:
            other.execute(
                update(Invitation).where(Invitation.id == invitation.id).values(resent_at=stamp())
            )
        return stamp()

    monkeypatch.setattr(users, "utcnow", another_run_commits_first)

    resent = users.resend_unaccepted_invitations(clock.today())
    db.session.commit()

    assert resent == 0
    assert reminders_to(outbox, "nadia@example.org") == []
