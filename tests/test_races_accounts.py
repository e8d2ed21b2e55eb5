"""One invitation accepted from two tabs at once, through the multi-worker server
(tests/races.py): one acceptance, one password, one audit event; the other tab is told the
invitation was already used and that the person can sign in. `make test` runs this on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from werkzeug.security import check_password_hash

from bench.load import csrf_token
from incubator.extensions import db
from incubator.models import Invitation, Role, User
from incubator.services.accounts import users
from tests import factories
from tests.race_helpers import actions, new_email
from tests.races import REQUEST_TIMEOUT, ROUNDS, Request, Served, one_of, race, rounds

WELCOME = "Welcome to Accelerate: LA. Your account is ready."
USED = "This invitation has already been used. Sign in instead."


@dataclass
class Tab:
    """A browser tab nobody has signed in on, holding its own CSRF token, as the harness's
    `Browser` does for people who have."""

    served: Served
    session: requests.Session
    token: str
    email: str = "(not signed in)"

    @classmethod
    def opening(cls, served: Served, path: str) -> Tab:
        session = requests.Session()
        page = session.get(served.base_url + path, timeout=REQUEST_TIMEOUT)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        return cls(served, session, csrf_token(page.text))

    def post(self, path: str, data: dict) -> Request:
        return Request(self, path, {"csrf_token": self.token, **data})  # type: ignore[arg-type]


def test_an_invitation_accepted_from_two_tabs_is_accepted_once(served):
    manager_id = served.seed(
        lambda: factories.user("manager", name="Maya Manager", email=new_email("maya")).id
    )

    def invite():
        manager = db.session.get(User, manager_id)
        invitation = users.invite(new_email("ana"), "Ana", {Role.FOUNDER}, by=manager)
        # The link must be signed with the served app's key, as its mail would be.
        config = served.app.config
        own_key, config["SECRET_KEY"] = config["SECRET_KEY"], served.server.secret_key
        try:
            token = users.invitation_token(invitation)
        finally:
            config["SECRET_KEY"] = own_key
        return invitation.id, invitation.user_id, token

    def play(number):
        invitation_id, user_id, token = served.seed(invite)
        path = served.path_for("auth.accept_invitation", token=token)
        tabs = [Tab.opening(served, path) for _ in range(2)]
        shown = race(
            [
                tab.post(
                    path,
                    {
                        "name": "Ana Ruiz",
                        "time_zone": "America/Los_Angeles",
                        "password": f"tab {n} chose this password",
                        "confirm": f"tab {n} chose this password",
                    },
                )
                for n, tab in enumerate(tabs)
            ]
        )
        for tab in tabs:
            tab.session.close()
        return shown, (invitation_id, user_id)

    def check(shown, context):
        invitation_id, user_id = context

        def inspect():
            invitation = db.session.get(Invitation, invitation_id)
            user = db.session.get(User, user_id)
            passwords = [
                n
                for n in range(2)
                if user.password_hash
                and check_password_hash(user.password_hash, f"tab {n} chose this password")
            ]
            return invitation.accepted_at, passwords, actions("user", user_id)

        accepted_at, passwords, trail = served.check(inspect)
        assert accepted_at is not None
        assert trail.count("invitation.accepted") == 1, trail
        winner, loser = one_of(shown, lambda s: s.said(WELCOME))
        # The password is the winner's; the other tab's never took effect.
        assert len(passwords) == 1, passwords
        assert winner.request.data["password"] == f"tab {passwords[0]} chose this password"
        assert loser.said(USED), loser.text
        assert served.path_for("auth.login") in loser.location, loser.describe()
        return "accept+accept → one acceptance"

    tally = rounds(served, "invitation accepted twice", play, check)
    assert tally.outcomes == {"accept+accept → one acceptance": ROUNDS}
