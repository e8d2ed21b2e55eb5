"""Accounts: log-in, invitations, password changes and resets, roles."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from incubator import clock, permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import Invitation, LoginSession, Role, SessionEnd, User, UserRole, utcnow
from incubator.models.accounts import ROLE_LABELS
from incubator.services import audit, locks, mail
from incubator.services.accounts import login_sessions
from incubator.services.errors import InvalidInput, InvalidToken, NotAllowed

NO_MATCH = N_("That email and password do not match an account.")
# A password hash no real password can match, compared against when the email is unknown,
# so that log-in takes the same time for unknown and known addresses.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")
# Parts of a name or email address shorter than this may turn up in any password by chance.
PERSONAL_FRAGMENT_MIN = 4


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def parse_roles(values: Iterable[str]) -> set[Role]:
    """Turn role names into Roles, refusing unknown ones."""
    roles = set()
    for value in values:
        try:
            roles.add(Role(value))
        except ValueError:
            raise InvalidInput(_("Unknown role %(role)s.", role=repr(value))) from None
    return roles


@cache
def common_passwords() -> frozenset[str]:
    """Django's list of about 20,000 common passwords, lower-cased (in incubator/data)."""
    data = resources.files("incubator") / "data" / "common-passwords.txt.gz"
    with data.open("rb") as compressed, gzip.open(compressed, "rt", encoding="utf-8") as text:
        return frozenset(line.strip() for line in text if line.strip())


def _personal_fragments(email: str, name: str) -> set[str]:
    """The email's local part and the name, whole and word by word, lower-cased."""
    local_part = normalise_email(email).partition("@")[0]
    name = name.strip().lower()
    fragments = {local_part, name, name.replace(" ", "")}
    for text in (local_part, name):
        fragments.update(re.split(r"[\W_]+", text))
    return {fragment for fragment in fragments if fragment}


def check_password_rules(password: str, *, email: str, name: str) -> None:
    """Refuse a password that is too short or long, common, or made of the person's name
    or email address."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InvalidInput(_("Choose a password of at least %(num)d characters.", num=minimum))
    if len(password) > 128:
        raise InvalidInput(_("Choose a password of at most %(num)d characters.", num=128))
    lowered = password.strip().lower()
    if lowered in common_passwords():
        raise InvalidInput(
            _("That password is on a list of the most common passwords. Choose another.")
        )
    for fragment in _personal_fragments(email, name):
        if lowered == fragment or (len(fragment) >= PERSONAL_FRAGMENT_MIN and fragment in lowered):
            raise InvalidInput(
                _("Choose a password that does not contain your name or email address.")
            )


def check_time_zone(name: str) -> None:
    if name not in available_timezones():
        raise InvalidInput(_("%(name)s is not a time zone this server knows.", name=repr(name)))


def create_user(
    email: str,
    name: str,
    roles: Iterable[Role],
    *,
    password: str | None = None,
    by: User | None = None,
) -> User:
    """Create a user; without a password they can only get in through an invitation."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."))
    if user_by_email(email) is not None:
        raise InvalidInput(_("There is already an account for %(email)s.", email=email))
    user = User(email=email, name=name)
    if password is not None:
        check_password_rules(password, email=email, name=name)
        user.password_hash = hash_password(password)
    user.role_rows = [UserRole(role=str(role)) for role in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    audit.record(by, "user.created", "user", user.id, after=_user_state(user))
    return user


def set_published_password(user: User, password: str) -> None:
    """Give a demo or benchmark account its published password, which the rules for real
    passwords may refuse (the demo admin's password names the address's "admin"). Refused
    where demo data is not allowed: under the production configuration."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise NotAllowed(_("Published demo passwords are not allowed in production."))
    user.password_hash = hash_password(password)


def authenticate(email: str, password: str) -> User:
    """Return the user these credentials belong to, or raise NotAllowed."""
    user = user_by_email(email)
    if user is None or user.password_hash is None:
        # An invited person who has not set a password yet gets the same answer as an
        # unknown address, so the sign-in form does not tell who has been invited.
        check_password_hash(_DUMMY_HASH, password)
        raise NotAllowed(_(NO_MATCH))
    if not check_password_hash(user.password_hash, password):
        raise NotAllowed(_(NO_MATCH))
    if not user.active:
        raise NotAllowed(_("This account has been deactivated. Ask a program manager."))
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record(user, "user.logged_in", "user", user.id)


def change_password(
    user: User,
    current: str,
    new: str,
    *,
    end_other_login_sessions: bool,
    this_login_session: LoginSession | None = None,
) -> None:
    """Change a password after checking the current one; optionally end every login session
    of the person but `this_login_session`."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise InvalidInput(_("Your current password is not correct."))
    if current == new:
        raise InvalidInput(_("The new password must differ from the current one."))
    check_password_rules(new, email=user.email, name=user.name)
    user.password_hash = hash_password(new)
    if end_other_login_sessions:
        login_sessions.end_all(user, SessionEnd.PASSWORD_CHANGED, keep=this_login_session)
    audit.record(
        user,
        "user.password_changed",
        "user",
        user.id,
        after={"ended_other_sessions": end_other_login_sessions},
    )


def check_language(code: str | None) -> None:
    """None (no preference) or a language the interface has (the LANGUAGES setting)."""
    if code is not None and code not in current_app.config["LANGUAGES"]:
        raise InvalidInput(
            _("%(code)s is not a language this site is offered in.", code=repr(code))
        )


def update_profile(
    user: User, *, name: str, time_zone: str, preferred_language: str | None = None
) -> None:
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."))
    check_time_zone(time_zone)
    check_language(preferred_language)
    before: dict = {"name": user.name, "time_zone": user.time_zone}
    after: dict = {"name": name, "time_zone": time_zone}
    if preferred_language != user.preferred_language:
        before["preferred_language"] = user.preferred_language
        after["preferred_language"] = preferred_language
    user.name = name
    user.time_zone = time_zone
    user.preferred_language = preferred_language
    audit.record(user, "user.profile_updated", "user", user.id, before=before, after=after)


def set_preferred_language(user: User, code: str) -> None:
    """The language a person chose with the switch on every page becomes their preference."""
    check_language(code)
    if user.preferred_language == code:
        return
    before = {"preferred_language": user.preferred_language}
    user.preferred_language = code
    audit.record(
        user,
        "user.profile_updated",
        "user",
        user.id,
        before=before,
        after={"preferred_language": code},
    )


# Invitations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedLink:
    """A kind of mailed link: its token's salt, the setting for how long it works (seconds),
    and what a person is told when it is too old or not ours (marked with N_, translated
    when raised)."""

    salt: str
    max_age_setting: str
    expired: str
    invalid: str

    def token(self, payload: dict) -> str:
        return self._serializer().dumps(payload)

    def payload(self, token: str) -> dict | None:
        """What the token holds (None when it holds no mapping); InvalidToken when it is
        too old or not ours."""
        try:
            payload = self._serializer().loads(
                token, max_age=current_app.config[self.max_age_setting]
            )
        except SignatureExpired:
            raise InvalidToken(_(self.expired)) from None
        except BadSignature:
            raise InvalidToken(_(self.invalid)) from None
        return payload if isinstance(payload, dict) else None

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=self.salt)


INVITATION_LINK = SignedLink(
    salt="invitation",
    max_age_setting="INVITATION_MAX_AGE",
    expired=N_("This invitation has expired. Ask for a new one."),
    invalid=N_("This invitation link is not valid. Check that it was copied whole."),
)
RESET_LINK = SignedLink(
    salt="password-reset",
    max_age_setting="PASSWORD_RESET_MAX_AGE",
    expired=N_("This reset link has expired. Ask for a new one."),
    invalid=N_("This reset link is not valid. Ask for a new one."),
)


def invite(email: str, name: str, roles: Iterable[Role], *, by: User) -> Invitation | None:
    """Invite a person with roles.

    A new address gets an account without a password and a link to set one. An existing
    account gets the roles at once and a note saying so; None is returned then.
    """
    roles = set(roles)
    if not roles:
        raise InvalidInput(_("Choose at least one role."))
    _check_may_grant(by, roles)
    user = user_by_email(email)
    if user is not None and user.has_password:
        if not user.active:
            raise InvalidInput(
                _("%(email)s is deactivated; reactivate the account first.", email=user.email)
            )
        added = grant_roles(user, roles, by=by)
        if added:
            roles_added = [ROLE_LABELS[role] for role in sorted(added)]
            mail.send_template(user, "roles_granted", by=by, roles=roles_added)
        return None
    if user is None:
        user = create_user(email, name, roles, by=by)
    else:
        grant_roles(user, roles, by=by)
    for earlier in db.session.scalars(open_invitations(user)):
        earlier.revoked_at = utcnow()
    invitation = Invitation(
        user=user, invited_by=by, roles=",".join(sorted(str(role) for role in user.roles))
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        by,
        "invitation.sent",
        "user",
        user.id,
        after={"email": user.email, "roles": invitation.roles},
    )
    mail.send_template(
        user,
        "invitation",
        by=by,
        token=invitation_token(invitation),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    return invitation


def open_invitations(user: User) -> Select[Invitation]:
    """The query for a person's invitations neither accepted nor replaced (nor revoked)."""
    return select(Invitation).where(
        Invitation.user_id == user.id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
    )


def resend_unaccepted_invitations(today: date) -> int:
    """Mail each open invitation once more, with a fresh link, when it has waited
    INVITATION_RESEND_AFTER_DAYS days (on the program's calendar) without being accepted.

    Each invitation is re-sent once: a conditional UPDATE stamps `resent_at`, and only the run
    whose update took the row queues the mail, so running this again, or twice at once,
    sends nothing more. Returns how many were re-sent.
    """
    days = current_app.config["INVITATION_RESEND_AFTER_DAYS"]
    # Sent on day D, re-sent from day D + days.
    sent_before = clock.day_instants(today - timedelta(days=days))[1]
    due = db.session.scalars(
        select(Invitation)
        .join(Invitation.user)
        .options(contains_eager(Invitation.user))
        .where(
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.resent_at.is_(None),
            Invitation.created_at < sent_before,
            User.active.is_(True),
            User.password_hash.is_(None),
        )
        .order_by(Invitation.id)
    ).all()
    resent = 0
    for invitation in due:
        taken = db.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.resent_at.is_(None),
            )
            .values(resent_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        db.session.refresh(invitation, ["resent_at"])
        audit.record(None, "invitation.resent", "user", invitation.user_id)
        mail.send_template(
            invitation.user,
            "invitation_reminder",
            invitation=invitation,
            token=invitation_token(invitation),
            days=current_app.config["INVITATION_MAX_AGE"] // 86400,
        )
        resent += 1
    return resent


def invitation_token(invitation: Invitation) -> str:
    return INVITATION_LINK.token({"i": invitation.id, "n": invitation.nonce})


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a token names, or InvalidToken with the reason."""
    payload = INVITATION_LINK.payload(token)
    invitation = db.session.get(Invitation, payload.get("i")) if payload is not None else None
    if invitation is None or payload is None or invitation.nonce != payload.get("n"):
        raise InvalidToken(_(INVITATION_LINK.invalid))
    if invitation.accepted_at is not None:
        raise InvalidToken(_("This invitation has already been used. Sign in instead."))
    if invitation.revoked_at is not None:
        raise InvalidToken(_("This invitation was replaced by a newer one. Use the latest mail."))
    if not invitation.user.active:
        raise InvalidToken(_("This account has been deactivated."))
    return invitation


def accept_invitation(token: str, *, name: str, password: str, time_zone: str) -> User:
    """Set the invited person's name, time zone and password, consuming the token."""
    invitation = invitation_from_token(token)
    user = invitation.user
    # Two tabs accepting at once queue here; the second reads the invitation as the first
    # left it and is told it was used (users before invitations: services/locks.py).
    locks.lock(user, invitation)
    invitation_from_token(token)
    check_time_zone(time_zone)
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."))
    check_password_rules(password, email=user.email, name=name)
    user.name = name
    user.time_zone = time_zone
    user.password_hash = hash_password(password)
    invitation.accepted_at = utcnow()
    audit.record(user, "invitation.accepted", "user", user.id)
    return user


# Password reset ------------------------------------------------------------------------------


def _reset_fingerprint(user: User) -> str:
    # Changes whenever the password does (each hash has its own salt), so each link works once.
    return hashlib.sha256(f"{user.id}|{user.password_hash}".encode()).hexdigest()[:32]


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active account; silent otherwise."""
    user = user_by_email(email)
    if user is None or not user.active or user.password_hash is None:
        return
    token = RESET_LINK.token({"u": user.id, "f": _reset_fingerprint(user)})
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    mail.send_template(user, "password_reset", token=token, minutes=minutes)
    audit.record(None, "password_reset.requested", "user", user.id)


def user_from_reset_token(token: str) -> User:
    """The person a password-reset link names, or InvalidToken: too old, used or not ours."""
    payload = RESET_LINK.payload(token)
    user = db.session.get(User, payload.get("u")) if payload is not None else None
    if (
        user is None
        or payload is None
        or not user.active
        or payload.get("f") != _reset_fingerprint(user)
    ):
        raise InvalidToken(
            _("This reset link has already been used or is not valid. Ask for a new one.")
        )
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; the link and every login session of the person
    end with it."""
    user = user_from_reset_token(token)
    check_password_rules(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    login_sessions.end_all(user, SessionEnd.PASSWORD_RESET)
    audit.record(user, "password_reset.completed", "user", user.id)
    return user


# Roles and activation -------------------------------------------------------------------------


def _check_may_grant(by: User, roles: set[Role]) -> None:
    if Role.ADMIN in roles and not permissions.may_grant_admin(by):
        raise NotAllowed(_("Only an administrator can grant the administrator role."))


def grant_roles(user: User, roles: Iterable[Role], *, by: User | None) -> set[Role]:
    """Add roles a user lacks; returns those added."""
    added = set(roles) - user.roles
    if added:
        _change_roles(user, user.roles | added, by=by)
    return added


def set_roles(user: User, roles: Iterable[Role], *, by: User) -> None:
    """Replace a user's roles, keeping the admin role in admins' hands."""
    roles = set(roles)
    if not roles:
        raise InvalidInput(_("A person needs at least one role."))
    changed = roles ^ user.roles
    if Role.ADMIN in changed and not permissions.may_grant_admin(by):
        raise NotAllowed(_("Only an administrator can grant or remove the administrator role."))
    if user.id == by.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
        raise InvalidInput(_("You cannot remove your own administrator role."))
    if changed:
        _change_roles(user, roles, by=by)


def _change_roles(user: User, roles: set[Role], *, by: User | None) -> None:
    """Make a user's roles exactly `roles`. Their live login sessions are replaced at their
    next request (so no page runs on the old roles), and the change is audited."""
    before = _user_state(user)
    user.role_rows = [row for row in user.role_rows if Role(row.role) in roles]
    for role in sorted(roles - user.roles):
        user.role_rows.append(UserRole(role=str(role)))
    db.session.flush()
    login_sessions.rotate_all(user)
    _audit_change(by, "user.roles_changed", user, before)


def set_active(user: User, active: bool, *, by: User) -> None:
    """Deactivate (signing them out everywhere) or reactivate an account."""
    if user.id == by.id:
        raise InvalidInput(_("You cannot deactivate your own account."))
    if not permissions.may_change_account(by, user):
        raise NotAllowed(_("Only an administrator can change an administrator's account."))
    if user.active == active:
        return
    before = _user_state(user)
    user.active = active
    if not active:
        login_sessions.end_all(user, SessionEnd.DEACTIVATED)
    _audit_change(by, "user.activated" if active else "user.deactivated", user, before)


def _audit_change(by: User | None, action: str, user: User, before: dict) -> None:
    """Note a change to an account in the audit trail, with its state before and after."""
    audit.record(by, action, "user", user.id, before=before, after=_user_state(user))


def _user_state(user: User) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "active": user.active,
        "roles": sorted(str(role) for role in user.roles),
    }


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
