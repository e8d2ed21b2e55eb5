"""Login sessions: one row per sign-in, ended on the server by signing out, timeouts and
account changes, so copied cookies stop working; rotated at sign-in and after a change of
roles; "sign out every other device"."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from incubator.models import LoginSession, SessionEnd
from incubator.services.accounts import login_sessions
from tests import factories
from tests.helpers import link_in, page

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def signed_in_email(client) -> str | None:
    response = client.get("/api/v1/me")
    return response.get_json()["email"] if response.status_code == 200 else None


def login_id(client) -> str | None:
    """The login id in a client's session cookie."""
    with client.session_transaction() as session:
        return session.get("_user_id")


def copy_of(app, client, *cookies: str):
    """A second browser holding copies of some of a client's cookies."""
    thief = app.test_client()
    for name in cookies:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, cookie.value)
    return thief


def sessions_of(db, user) -> list[LoginSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        )
    )


# Signing out --------------------------------------------------------------------------------------


def test_a_copied_session_cookie_is_dead_right_after_sign_out(db, app, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email)
    thief = copy_of(app, client, "session")
    assert signed_in_email(thief) == user.email

    client.post("/auth/logout")

    assert signed_in_email(thief) is None
    assert signed_in_email(client) is None
    [ended] = sessions_of(db, user)
    assert ended.ended_reason == SessionEnd.SIGNED_OUT
    assert ended.ended_at is not None


def test_a_copied_remember_cookie_is_dead_right_after_sign_out(db, app, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email, remember="y")
    remember_only = copy_of(app, client, "remember_token")
    both = copy_of(app, client, "session", "remember_token")
    assert signed_in_email(remember_only) == user.email

    client.post("/auth/logout")

    assert signed_in_email(remember_only) is None
    assert signed_in_email(both) is None
    assert client.get_cookie("remember_token") is None


def test_signing_out_ends_only_this_browsers_session(db, app, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email)
    laptop = app.test_client()
    sign_in(laptop, user.email)

    client.post("/auth/logout")

    assert signed_in_email(laptop) == user.email
    assert [s.ended_reason for s in sessions_of(db, user)] == [SessionEnd.SIGNED_OUT, None]


def test_only_a_hash_of_the_token_is_stored(db, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email, remember="y")

    token = login_id(client)
    [stored] = sessions_of(db, user)

    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 bits
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, stored.user_agent, stored.address}
    assert stored.remember is True


# Timeouts -----------------------------------------------------------------------------------------


@pytest.fixture
def clock(time_machine):
    """The clock, stopped at START; move it with clock.shift(timedelta(...))."""
    time_machine.move_to(START, tick=False)
    return time_machine


def test_a_session_ends_after_the_idle_timeout(db, app, client, sign_in, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 30)
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email)

    clock.shift(timedelta(minutes=29))
    still_in = signed_in_email(client)
    clock.shift(timedelta(minutes=29))  # 29 minutes after the last request, 58 after sign-in
    still_in_later = signed_in_email(client)
    clock.shift(timedelta(minutes=30))
    idle_out = signed_in_email(client)

    assert still_in == still_in_later == user.email
    assert idle_out is None
    assert client.get("/").headers["Location"].startswith("/auth/login")
    [ended] = sessions_of(db, user)
    assert ended.ended_reason == SessionEnd.IDLE
    assert ended.ended_at == START + timedelta(minutes=88)


def test_a_session_ends_at_the_absolute_timeout_however_busy(
    db, app, client, sign_in, clock, monkeypatch
):
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 2)
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email)

    seen = []
    for _ in range(7):  # every 20 minutes, never idle
        clock.shift(timedelta(minutes=20))
        seen.append(signed_in_email(client))

    assert seen == [user.email] * 5 + [None, None]  # in until 1:40, out at 2:00
    [ended] = sessions_of(db, user)
    assert ended.ended_reason == SessionEnd.EXPIRED


def test_a_remembered_session_is_not_idle_limited_but_ends_after_its_days(
    db, app, client, sign_in, clock, monkeypatch
):
    monkeypatch.setitem(app.config, "SESSION_REMEMBER_DAYS", 3)
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email, remember="y")

    clock.shift(timedelta(days=2, hours=23))
    after_a_quiet_weekend = signed_in_email(client)
    clock.shift(timedelta(hours=1))
    after_three_days = signed_in_email(client)

    assert after_a_quiet_weekend == user.email
    assert after_three_days is None
    [ended] = sessions_of(db, user)
    assert ended.ended_reason == SessionEnd.EXPIRED


def test_why_over_applies_each_timeout_at_a_given_moment(db):
    user = factories.user("founder")
    timeouts = login_sessions.Timeouts(
        idle=timedelta(minutes=30), absolute=timedelta(hours=12), remembered=timedelta(days=30)
    )
    brief, _ = login_sessions.start(user, remember=False, now=START)
    kept, _ = login_sessions.start(user, remember=True, now=START)

    def over(session, later: timedelta):
        return login_sessions.why_over(session, START + later, timeouts)

    assert over(brief, timedelta(minutes=29, seconds=59)) is None
    assert over(brief, timedelta(minutes=30)) is SessionEnd.IDLE
    brief.last_seen_at = START + timedelta(hours=11, minutes=50)
    assert over(brief, timedelta(hours=11, minutes=59)) is None
    assert over(brief, timedelta(hours=12)) is SessionEnd.EXPIRED
    assert over(kept, timedelta(days=29, hours=23)) is None
    assert over(kept, timedelta(days=30)) is SessionEnd.EXPIRED
    user.active = False
    assert over(kept, timedelta(minutes=1)) is SessionEnd.DEACTIVATED


def test_last_seen_is_written_at_most_once_a_minute(db, client, sign_in, clock, count_queries):
    user = factories.user("founder")
    db.session.commit()
    sign_in(client, user.email)

    def last_seen():
        [current] = sessions_of(db, user)
        return current.last_seen_at

    clock.shift(timedelta(seconds=30))
    with count_queries() as quiet:
        signed_in_email(client)
    after_30_seconds = last_seen()
    clock.shift(timedelta(seconds=31))
    with count_queries() as touching:
        signed_in_email(client)

    assert after_30_seconds == START
    assert last_seen() == START + timedelta(seconds=61)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in quiet.statements)
    # The UPDATE (counted apart from the page's queries), and no second read of the person.
    assert (touching.touches, touching.count) == (1, quiet.count)


# Rotation -----------------------------------------------------------------------------------------


def test_signing_in_starts_a_new_session_every_time(db, app, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    with client.session_transaction() as session:
        session["visited"] = True  # a visitor's session cookie, from before signing in
    visitor_cookie = copy_of(app, client, "session")
    sign_in(client, user.email)
    first = login_id(client)
    client.post("/auth/logout")
    sign_in(client, user.email)
    second = login_id(client)

    assert first != second
    assert signed_in_email(visitor_cookie) is None  # the cookie from before sign-in stays out
    assert [s.ended_reason for s in sessions_of(db, user)] == [SessionEnd.SIGNED_OUT, None]


def founder_on_a_browser(app, sign_in, **login_fields):
    """A new founder, signed in on a browser of their own (the test's client being the
    manager's who acts on them); the login form's fields may ask to be remembered."""
    person = factories.user("founder")
    browser = app.test_client()
    sign_in(browser, person.email, **login_fields)
    return person, browser


def test_a_change_of_roles_moves_the_person_to_a_new_session(db, app, client, login_as, sign_in):
    login_as("manager")
    person, their_browser = founder_on_a_browser(app, sign_in, remember="y")
    before = login_id(their_browser)
    copied = copy_of(app, their_browser, "session", "remember_token")
    remember_before = their_browser.get_cookie("remember_token").value

    client.post(f"/people/{person.id}/roles", data={"roles": ["founder", "mentor"]})
    next_request = their_browser.get("/api/v1/me")

    assert next_request.status_code == 200
    assert next_request.get_json()["roles"] == ["founder", "mentor"]
    assert login_id(their_browser) != before
    assert their_browser.get_cookie("remember_token").value != remember_before
    assert signed_in_email(copied) is None
    assert signed_in_email(copy_of(app, their_browser, "remember_token")) == person.email
    old, new = sessions_of(db, person)
    assert old.ended_reason == SessionEnd.ROTATED
    assert (new.ended_at, new.rotation_due, new.remember) == (None, False, True)
    assert new.signed_in_at == old.signed_in_at  # rotation does not lengthen the session


def test_changing_your_own_roles_rotates_your_session(db, app, client, login_as):
    admin = login_as("admin", "manager")
    before = login_id(client)

    client.post(f"/people/{admin.id}/roles", data={"roles": ["admin", "manager", "judge"]})

    assert signed_in_email(client) == admin.email
    assert login_id(client) != before


def test_an_invitation_that_adds_roles_rotates_sessions(db, app, client, login_as, sign_in):
    login_as("manager")
    person, their_browser = founder_on_a_browser(app, sign_in)
    before = login_id(their_browser)

    client.post(
        "/people/invite", data={"email": person.email, "name": person.name, "roles": ["judge"]}
    )
    signed_in_email(their_browser)

    assert login_id(their_browser) != before


def test_a_password_change_gives_this_device_a_new_session(db, app, client, login_as):
    user = login_as("founder")
    before = login_id(client)
    thief = copy_of(app, client, "session")

    client.post(
        "/auth/password",
        data={
            "current": factories.PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert signed_in_email(client) == user.email
    assert login_id(client) != before
    assert signed_in_email(thief) is None


# Other devices ------------------------------------------------------------------------------------


def test_signing_out_every_other_device(db, app, client, sign_in, audit_events):
    user = factories.user("founder")
    db.session.commit()
    phone, tablet = app.test_client(), app.test_client()
    sign_in(phone, user.email, remember="y", headers={"User-Agent": "PhoneBrowser/1.0"})
    sign_in(tablet, user.email)
    sign_in(client, user.email)
    phone_remembered = copy_of(app, phone, "remember_token")

    listed = page(client.get("/auth/sessions"))
    response = client.post("/auth/sessions/end-others", follow_redirects=True)

    assert listed.count("<tr>") == 4  # the header and three devices
    assert "This device" in listed
    assert "You are signed out on every other device." in page(response)
    assert signed_in_email(client) == user.email
    assert signed_in_email(phone) is None
    assert signed_in_email(tablet) is None
    assert signed_in_email(phone_remembered) is None
    reasons = [s.ended_reason for s in sessions_of(db, user)]
    assert reasons == [SessionEnd.SIGNED_OUT_ELSEWHERE] * 2 + [None]
    [event] = audit_events("user.other_sessions_ended")
    assert (event.actor_id, event.after) == (user.id, {"sessions": 2})


def test_the_device_list_shows_only_live_sessions(db, app, client, sign_in):
    user = factories.user("founder")
    db.session.commit()
    old_phone = app.test_client()
    sign_in(old_phone, user.email)
    old_phone.post("/auth/logout")
    sign_in(client, user.email)

    listed = page(client.get("/auth/sessions"))

    assert listed.count("<tr>") == 2
    assert "Sign out every other device" not in listed


def test_signing_out_other_devices_needs_a_post(client, login_as):
    login_as("founder")

    assert client.get("/auth/sessions/end-others").status_code == 405


# Account changes end sessions ---------------------------------------------------------------------


def test_a_password_reset_ends_every_session(db, app, client, sign_in, outbox):
    user = factories.user("mentor")
    db.session.commit()
    kept, brief = app.test_client(), app.test_client()
    sign_in(kept, user.email, remember="y")
    sign_in(brief, user.email)
    remembered = copy_of(app, kept, "remember_token")
    client.post("/auth/forgot", data={"email": user.email})
    [mail] = outbox(user.email)

    client.post(
        link_in(mail.body, "/auth/reset/"),
        data={"password": "a fresh and long passphrase", "confirm": "a fresh and long passphrase"},
    )

    assert [signed_in_email(b) for b in (kept, brief, remembered)] == [None, None, None]
    assert {s.ended_reason for s in sessions_of(db, user)} == {SessionEnd.PASSWORD_RESET}


def test_deactivation_ends_every_session_and_remember_cookie(db, app, client, login_as, sign_in):
    login_as("manager")
    person, their_browser = founder_on_a_browser(app, sign_in, remember="y")
    remembered = copy_of(app, their_browser, "remember_token")

    client.post(f"/people/{person.id}/activation", data={"active": "0"})

    assert signed_in_email(their_browser) is None
    assert signed_in_email(remembered) is None
    assert {s.ended_reason for s in sessions_of(db, person)} == {SessionEnd.DEACTIVATED}
