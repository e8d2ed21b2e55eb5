"""Registration for a hackathon: places, the waiting list, a guardian's consent, check-in on
the day, reminders, and the program team's lists.

Places are counted per hackathon (confirmed and waiting-for-consent registrations hold one),
so every change that takes or frees a place locks the hackathon's row first
(`services/locks.py`): two registrations for the last place make one confirmed and one on
the waiting list, and two cancellations at once move up exactly two people.

A registration is made without an account: the person's account is found by email or made
(no roles, no password, like an invitation's), and every mail carries a signed link to see
or cancel the registration. Registrations hold what the hackathon needs to know (the
backgrounds a person brings, where they live, their language, accessibility needs); the
opt-in demographic answers are elsewhere (`services/inclusion/`) and never touched here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator.extensions import db, rows_changed
from incubator.i18n import N_
from incubator.models import (
    Background,
    Hackathon,
    OutreachPartner,
    Registration,
    RegistrationStatus,
    Submission,
    SubmissionMember,
    SubmissionStatus,
    User,
    utcnow,
)
from incubator.models.inclusion import OUTSIDE_THE_CITY
from incubator.services import audit, locks, mail
from incubator.services.accounts import users
from incubator.services.errors import Conflict, InvalidInput, InvalidToken
from incubator.services.hackathons import outreach
from incubator.services.hackathons.devpost_csv import EMAIL
from incubator.services.inclusion import demographics
from incubator.services.spreadsheets import spreadsheet_safe
from incubator.vocabulary import CITYWIDE, LANGUAGES, NEIGHBOURHOODS

# Where a registrant may say they live: one of the city's 114 neighbourhoods, or outside it.
RESIDENCES = [*(name for name in NEIGHBOURHOODS if name != CITYWIDE), OUTSIDE_THE_CITY]
# Registrations that hold a place.
HOLDING_A_PLACE = (RegistrationStatus.CONFIRMED, RegistrationStatus.AWAITING_CONSENT)
ACCESSIBILITY_MAX = 2000
# The link in every registration mail: it opens one registration, to see or cancel it.
REGISTRATION_LINK = users.SignedLink(
    salt="registration-link",
    max_age_setting="REGISTRATION_LINK_MAX_AGE",
    expired=N_("This registration link has expired. Register again if you still want to come."),
    invalid=N_("This registration link is not valid. Check that it was copied whole."),
)


@dataclass
class RegistrationInput:
    name: str
    email: str
    backgrounds: list[str]
    first_civic_hackathon: bool
    residence: str
    preferred_language: str
    accessibility_needs: str
    looking_for_team: bool
    under_18: bool
    guardian_name: str = ""
    guardian_email: str = ""
    # The referral code of the outreach partner whose link the person followed, if any.
    via: str | None = None
    # The language the form was read in ("es"): a new account's preferred language, so that
    # its mails go out in it.
    page_language: str | None = None


@dataclass
class Registered:
    """What registering did: the registration, and whether it existed already (the same
    address registered before; nothing was changed then)."""

    registration: Registration
    already: bool = False


# Registering ------------------------------------------------------------------------------------


def _checked_email(value: str, refusal: str) -> str:
    """The address normalised; InvalidInput with `refusal` (its %(value)s the address as
    typed) when it is not one."""
    email = users.normalise_email(value)
    if not EMAIL.fullmatch(email) or len(email) > 254:
        raise InvalidInput(refusal % {"value": repr(value.strip())})
    return email


def _check_choices(data: RegistrationInput) -> None:
    unknown = set(data.backgrounds) - {str(b) for b in Background}
    if unknown:
        raise InvalidInput(_("Unknown background %(value)r.", value=sorted(unknown)[0]))
    if data.residence not in RESIDENCES:
        raise InvalidInput(_("Choose a neighbourhood of the city, or outside the city."))
    if data.preferred_language not in LANGUAGES:
        raise InvalidInput(_("Choose a language from the list."))
    if len(data.accessibility_needs) > ACCESSIBILITY_MAX:
        raise InvalidInput(
            _("Say what you need in at most %(most)d characters.", most=ACCESSIBILITY_MAX)
        )


def _checked_guardian(data: RegistrationInput) -> tuple[str, str | None]:
    """The guardian's name and address: required of a minor, dropped for an adult."""
    if not data.under_18:
        return "", None
    name = data.guardian_name.strip()
    if not name or not data.guardian_email.strip():
        raise InvalidInput(_("Under 18: give a parent's or guardian's name and email address."))
    return name[:120], _checked_email(
        data.guardian_email, _("%(value)s is not the guardian's email address.")
    )


def _new_registration(hackathon: Hackathon, data: RegistrationInput) -> Registration:
    """The registration the input describes, checked, not yet added nor given a status."""
    name = data.name.strip()
    if not name or len(name) > 120:
        raise InvalidInput(_("Give your name (at most 120 characters)."))
    email = _checked_email(data.email, _("%(value)s is not an email address."))
    _check_choices(data)
    guardian_name, guardian_email = _checked_guardian(data)
    partner = outreach.partner_by_code(hackathon, data.via) if data.via else None
    return Registration(
        hackathon=hackathon,
        name=name,
        email=email,
        backgrounds=sorted(set(data.backgrounds)),
        first_civic_hackathon=data.first_civic_hackathon,
        residence=data.residence,
        preferred_language=data.preferred_language,
        accessibility_needs=data.accessibility_needs.strip(),
        looking_for_team=data.looking_for_team,
        under_18=data.under_18,
        guardian_name=guardian_name,
        guardian_email=guardian_email,
        referred_by=partner,
    )


def _account_for(email: str, name: str, language: str | None) -> User:
    """The account with this address, or a new one without roles or password (the person
    can be invited or set a password later) whose preferred language is the one the form was
    read in; an existing account's preference stays as it is."""
    existing = users.user_by_email(email)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            created = users.create_user(email, name, ())
    except IntegrityError:
        raise Conflict(
            _(
                "An account for %(email)s was being made at the same moment; send the form again.",
                email=email,
            )
        ) from None
    created.preferred_language = language
    db.session.flush()
    return created


def live_registration(hackathon: Hackathon, user: User) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.hackathon_id == hackathon.id,
            Registration.user_id == user.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


def register(hackathon: Hackathon, data: RegistrationInput) -> Registered:
    """Register a person: confirmed while places are free (waiting for a guardian's consent
    when under 18), else on the waiting list. The same address registered again gets its
    existing registration back, unchanged."""
    locks.lock(hackathon)
    if not hackathon.registration_open:
        raise InvalidInput(_("Registration for %(hackathon)s is closed.", hackathon=hackathon.name))
    registration = _new_registration(hackathon, data)
    user = _account_for(registration.email, registration.name, data.page_language)
    existing = live_registration(hackathon, user)
    if existing is not None:
        return Registered(existing, already=True)
    registration.user = user
    registration.status = (
        _status_with_a_place(registration)
        if places_left(hackathon) != 0
        else RegistrationStatus.WAITLISTED
    )
    if registration.status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = utcnow()
    db.session.add(registration)
    db.session.flush()
    audit.record(
        user, "registration.created", "registration", registration.id, after=_state(registration)
    )
    _mail(registration, _STATUS_MAIL[registration.status])
    return Registered(registration)


def _status_with_a_place(registration: Registration) -> RegistrationStatus:
    if registration.under_18 and registration.consent_recorded_at is None:
        return RegistrationStatus.AWAITING_CONSENT
    return RegistrationStatus.CONFIRMED


_STATUS_MAIL = {
    RegistrationStatus.CONFIRMED: "registration_confirmed",
    RegistrationStatus.AWAITING_CONSENT: "registration_consent_needed",
    RegistrationStatus.WAITLISTED: "registration_waitlisted",
}


def places_taken(hackathon: Hackathon) -> int:
    return (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.hackathon_id == hackathon.id, Registration.status.in_(HOLDING_A_PLACE)
            )
        )
        or 0
    )


def places_left(hackathon: Hackathon) -> int | None:
    """Free places; None when the hackathon has no limit."""
    if hackathon.registration_capacity is None:
        return None
    return max(0, hackathon.registration_capacity - places_taken(hackathon))


def _state(registration: Registration) -> dict[str, Any]:
    """What the audit trail records of a registration: its status and how it came, never
    what the person said about themselves."""
    return {
        "hackathon_id": registration.hackathon_id,
        "status": registration.status,
        "referred_by_id": registration.referred_by_id,
    }


def _mail(registration: Registration, kind: str) -> None:
    mail.send_template(
        registration.user,
        kind,
        registration=registration,
        hackathon=registration.hackathon,
        token=link_token(registration),
        answers_token=demographics.your_answers_token(registration.user),
    )


# The waiting list --------------------------------------------------------------------------------


def fill_places(hackathon: Hackathon, *, by: User | None) -> list[Registration]:
    """Move people up from the waiting list, first come first served, while places are free
    (the caller holds the hackathon's lock). Each is told by mail."""
    moved: list[Registration] = []
    while places_left(hackathon) != 0:
        first = db.session.scalar(
            select(Registration)
            .where(
                Registration.hackathon_id == hackathon.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.id)
            .limit(1)
        )
        if first is None:
            break
        first.status = _status_with_a_place(first)
        if first.status == RegistrationStatus.CONFIRMED:
            first.confirmed_at = utcnow()
        db.session.flush()
        audit.record(
            by,
            "registration.moved_up",
            "registration",
            first.id,
            before={"status": RegistrationStatus.WAITLISTED},
            after=_state(first),
        )
        _mail(first, "registration_moved_up")
        moved.append(first)
    return moved


def cancel(registration: Registration, *, by: User | None) -> list[Registration]:
    """Cancel a registration (by the person, through their link, or by the program team):
    the place it held goes to the first on the waiting list. Returns who moved up."""
    locks.lock(registration.hackathon, registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise Conflict(
            _("The registration of %(name)s was already cancelled.", name=registration.name)
        )
    before = _state(registration)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    registration.attended_at = None
    db.session.flush()
    audit.record(
        by or registration.user,
        "registration.cancelled",
        "registration",
        registration.id,
        before=before,
        after=_state(registration),
    )
    _mail(registration, "registration_cancelled")
    return fill_places(registration.hackathon, by=by)


# The signed link in every registration mail -----------------------------------------------------


def link_token(registration: Registration) -> str:
    """The token of the link to see or cancel one registration, without an account."""
    return REGISTRATION_LINK.token({"r": registration.id})


def registration_from_token(token: str) -> Registration:
    """The registration a link names, or InvalidToken with the reason."""
    payload = demographics.link_payload(REGISTRATION_LINK, token)
    registration = db.session.get(Registration, payload.get("r")) if payload else None
    if registration is None:
        raise InvalidToken(_(REGISTRATION_LINK.invalid))
    return registration


# Consent and check-in ---------------------------------------------------------------------------


def record_consent(registration: Registration, given_by: str, *, by: User) -> None:
    """Record a parent's or guardian's consent for a participant under 18: a place held for
    them is confirmed; on the waiting list, they are confirmed as soon as they move up."""
    locks.lock(registration.hackathon, registration)
    if not registration.under_18:
        raise InvalidInput(
            _("%(name)s is not under 18; no consent is needed.", name=registration.name)
        )
    if registration.consent_recorded_at is not None:
        raise Conflict(_("Consent for %(name)s is already on record.", name=registration.name))
    if registration.status == RegistrationStatus.CANCELLED:
        raise InvalidInput(_("The registration of %(name)s was cancelled.", name=registration.name))
    if not given_by.strip():
        raise InvalidInput(_("Say who gave consent."))
    before = _state(registration)
    registration.guardian_name = given_by.strip()[:120]
    registration.consent_recorded_at = utcnow()
    registration.consent_recorded_by_id = by.id
    if registration.status == RegistrationStatus.AWAITING_CONSENT:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = utcnow()
    db.session.flush()
    audit.record(
        by,
        "registration.consent_recorded",
        "registration",
        registration.id,
        before=before,
        after=_state(registration),
    )
    if registration.status == RegistrationStatus.CONFIRMED:
        _mail(registration, "registration_confirmed")


def check_in(registration: Registration, *, by: User, undo: bool = False) -> None:
    """Mark a confirmed registrant as come (or undo it, for a tap on the wrong name)."""
    locks.lock(registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise InvalidInput(
            _(
                "%(name)s is %(status)s; only confirmed registrations are checked in.",
                name=registration.name,
                status=_(registration.status_label).lower(),
            )
        )
    if (registration.attended_at is not None) != undo:
        raise Conflict(
            _("%(name)s is not checked in.", name=registration.name)
            if undo
            else _("%(name)s is already checked in.", name=registration.name)
        )
    registration.attended_at = None if undo else utcnow()
    registration.checked_in_by_id = None if undo else by.id
    db.session.flush()
    audit.record(
        by,
        "registration.check_in_undone" if undo else "registration.checked_in",
        "registration",
        registration.id,
    )


# Reminders ---------------------------------------------------------------------------------------


def send_reminders(today: date) -> int:
    """Remind confirmed registrants of a hackathon that starts tomorrow (the program's
    calendar), once each; returns how many were reminded."""
    due = db.session.scalars(
        select(Registration)
        .join(Hackathon, Registration.hackathon_id == Hackathon.id)
        .where(
            Hackathon.starts_on == today + timedelta(days=1),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.reminded_at.is_(None),
        )
        .order_by(Registration.id)
    ).all()
    sent = 0
    for registration in due:
        # Conditional, so two runs at once remind each person once.
        claimed = rows_changed(
            update(Registration)
            .where(Registration.id == registration.id, Registration.reminded_at.is_(None))
            .values(reminded_at=utcnow())
        )
        if claimed:
            _mail(registration, "registration_reminder")
            sent += 1
    return sent


# The program team's lists ------------------------------------------------------------------------


def _matching(hackathon: Hackathon, status: str | None, search: str):
    statement = select(Registration).where(Registration.hackathon_id == hackathon.id)
    if status:
        statement = statement.where(Registration.status == status)
    words = search.strip().lower()
    if words:
        statement = statement.where(
            or_(
                func.lower(Registration.name).contains(words, autoescape=True),
                Registration.email.contains(words, autoescape=True),
            )
        )
    return statement


def registrations_page(
    hackathon: Hackathon, *, status: str | None, search: str, page: int, per_page: int
) -> Pagination:
    """One page of a hackathon's registrations, in the order they came, filtered by status
    and by words in the name or address."""
    statement = (
        _matching(hackathon, status, search)
        .options(selectinload(Registration.referred_by).selectinload(OutreachPartner.organisation))
        .order_by(Registration.id)
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def status_counts(hackathon: Hackathon) -> dict[str, int]:
    """How many registrations of the hackathon are in each status (every status listed)."""
    rows = db.session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.hackathon_id == hackathon.id)
        .group_by(Registration.status)
    ).all()
    counts = {str(status): 0 for status in RegistrationStatus}
    counts.update(dict(rows))
    return counts


def check_in_list(hackathon: Hackathon, search: str, limit: int = 40) -> list[Registration]:
    """Confirmed registrants to check in, by name, matching the words typed."""
    statement = _matching(hackathon, RegistrationStatus.CONFIRMED, search)
    ordered = statement.order_by(Registration.name, Registration.id).limit(limit)
    return list(db.session.scalars(ordered))


def checked_in_count(hackathon: Hackathon) -> int:
    return (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.hackathon_id == hackathon.id, Registration.attended_at.is_not(None)
            )
        )
        or 0
    )


def on_submitted_teams(hackathon: Hackathon, user_ids: Iterable[int]) -> set[int]:
    """Of these people, those on a team of this hackathon that submitted (the Devpost import
    links team members to accounts by email, and registering makes the account)."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(SubmissionMember.user_id)
            .join(Submission, SubmissionMember.submission_id == Submission.id)
            .where(
                Submission.hackathon_id == hackathon.id,
                Submission.status == SubmissionStatus.SUBMITTED,
                SubmissionMember.user_id.in_(ids),
            )
        )
    )


CSV_COLUMNS = [
    "id",
    "name",
    "email",
    "status",
    "registered_at",
    "backgrounds",
    "first_civic_hackathon",
    "residence",
    "preferred_language",
    "accessibility_needs",
    "looking_for_team",
    "under_18",
    "guardian_name",
    "guardian_email",
    "consent_recorded_at",
    "referred_by",
    "checked_in_at",
    "on_a_submitted_team",
]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _csv_cells(registration: Registration, on_team: bool) -> list[object]:
    partner = registration.referred_by
    return [
        registration.id,
        registration.name,
        registration.email,
        registration.status,
        registration.created_at.isoformat(timespec="seconds"),
        ";".join(registration.backgrounds),
        _yes_no(registration.first_civic_hackathon),
        registration.residence,
        registration.preferred_language,
        registration.accessibility_needs,
        _yes_no(registration.looking_for_team),
        _yes_no(registration.under_18),
        registration.guardian_name,
        registration.guardian_email or "",
        registration.consent_recorded_at.isoformat(timespec="seconds")
        if registration.consent_recorded_at
        else "",
        partner.organisation.name if partner else "",
        registration.attended_at.isoformat(timespec="seconds") if registration.attended_at else "",
        _yes_no(on_team),
    ]


def registrations_csv(hackathon: Hackathon) -> str:
    """Every registration of the hackathon as CSV, safe to open in a spreadsheet. It holds
    what people said when registering, never their demographic answers."""
    registrations = db.session.scalars(
        _matching(hackathon, None, "")
        .options(selectinload(Registration.referred_by).selectinload(OutreachPartner.organisation))
        .order_by(Registration.id)
    ).all()
    on_teams = on_submitted_teams(hackathon, (r.user_id for r in registrations))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for registration in registrations:
        cells = _csv_cells(registration, registration.user_id in on_teams)
        writer.writerow(spreadsheet_safe(cell) for cell in cells)
    return buffer.getvalue()


def open_hackathons() -> list[Hackathon]:
    """Hackathons taking registrations, soonest first."""
    return list(
        db.session.scalars(
            select(Hackathon)
            .where(Hackathon.registration_open.is_(True))
            .order_by(Hackathon.starts_on, Hackathon.id)
        )
    )
