"""Mentor sessions as iCalendar (RFC 5545): one file per booking, and a private feed per person.

Times are written in UTC (DTSTART:...Z), so every calendar application places them exactly
without a VTIMEZONE. A booking keeps its UID for life; every change bumps its SEQUENCE, so a
cancellation (METHOD:CANCEL, same UID, higher SEQUENCE) replaces the invitation it answers.
Feed tokens are random (256 bits) and only their SHA-256 is stored.

A file's words (SUMMARY, DESCRIPTION, the feed's name) are in the language of the person it
is for: a download in the request's language; the feed in its owner's saved language, else
the request's; a mail attachment in the `locale` its caller gives (the recipient's).
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vDuration, vText
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import LoaderOption

from incubator import permissions
from incubator.extensions import db, rows_changed
from incubator.models import (
    Booking,
    BookingStatus,
    CalendarFeed,
    User,
    Venture,
    VentureMember,
    utcnow,
)
from incubator.services import audit, mail
from incubator.services.mentoring.session_text import agenda_text

PRODID = "-//City of Los Angeles//Accelerate: LA cohort tracker//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
METHODS = (REQUEST, CANCEL)
# How often subscribed calendar applications should fetch the feed again.
FEED_REFRESH = timedelta(hours=1)


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    if name is not None:
        # RFC 7986 NAME and REFRESH-INTERVAL, and the older names most applications read.
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    return calendar


def _address(user: User, **parameters: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.name)
    for key, value in parameters.items():
        address.params[key.upper().replace("_", "-")] = value
    return address


def _founders(booking: Booking) -> list[User]:
    return [member.user for member in booking.venture.members if member.user.active]


def _event(booking: Booking, *, cancelled: bool, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", booking.uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", booking.ends_at.astimezone(UTC))
    event.add(
        "summary",
        _(
            "Mentor session: %(venture)s with %(mentor)s",
            venture=booking.venture.name,
            mentor=booking.mentor.name,
        ),
    )
    # The agenda and a link back; the mentor's notes never leave the site this way.
    details = mail.link("mentoring.booking", booking_id=booking.id)
    agenda = _("Agenda: %(agenda)s", agenda=agenda_text(booking))
    link = _("Details: %(link)s", link=details)
    event.add("description", f"{agenda}\n\n{link}")
    if booking.slot.location:
        event.add("location", booking.slot.location)
    event.add("organizer", _address(booking.mentor))
    for founder in _founders(booking):
        event.add(
            "attendee",
            _address(founder, cutype="INDIVIDUAL", role="REQ-PARTICIPANT", partstat="ACCEPTED"),
        )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def _in_language(locale: str | None) -> AbstractContextManager[object]:
    """Words in `locale` ("es") when one is given; otherwise in the request's language."""
    return force_locale(locale) if locale else nullcontext()


def booking_ics(
    booking: Booking,
    method: str = REQUEST,
    *,
    now: datetime | None = None,
    locale: str | None = None,
) -> str:
    """The booking as an iTIP message: an invitation (REQUEST) or its cancellation (CANCEL),
    its words in `locale` (the recipient's language, for mail) or the request's."""
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    calendar = _calendar(method)
    cancelled = method == CANCEL or booking.status == BookingStatus.CANCELLED
    with _in_language(locale):
        calendar.add_component(_event(booking, cancelled=cancelled, stamp=now or utcnow()))
    return calendar.to_ical().decode()


def method_for(booking: Booking) -> str:
    """CANCEL for a cancelled booking, REQUEST otherwise."""
    return CANCEL if booking.status == BookingStatus.CANCELLED else REQUEST


def with_both_sides() -> tuple[LoaderOption, ...]:
    """Loader options for sessions shown or sent whole: the mentor, the slot, and the
    venture with its founders."""
    return (
        joinedload(Booking.mentor),
        joinedload(Booking.slot),
        joinedload(Booking.venture).selectinload(Venture.members).joinedload(VentureMember.user),
    )


def upcoming_sessions(user: User, now: datetime) -> list[Booking]:
    """Sessions not yet over and not cancelled where the person is mentor or a founder."""
    venture_ids = permissions.founder_venture_ids(user)
    return list(
        db.session.scalars(
            select(Booking)
            .options(*with_both_sides())
            .where(
                (Booking.mentor_id == user.id) | Booking.venture_id.in_(venture_ids),
                Booking.status != BookingStatus.CANCELLED,
                Booking.ends_at > now,
            )
            .order_by(Booking.starts_at, Booking.id)
        ).unique()
    )


def feed_ics(user: User, now: datetime | None = None) -> str:
    """A person's upcoming sessions as a calendar to subscribe to, in a fixed number of queries."""
    now = now or utcnow()
    # Calendar applications send no cookies: the owner's saved language says which words.
    with _in_language(user.preferred_language):
        calendar = _calendar(None, name=_("Accelerate: LA sessions (%(name)s)", name=user.name))
        for booking in upcoming_sessions(user, now):
            # Without METHOD, DTSTAMP is when the event last changed (RFC 5545 3.8.7.2).
            calendar.add_component(_event(booking, cancelled=False, stamp=booking.updated_at))
    return calendar.to_ical().decode()


# Feed tokens --------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user: User) -> CalendarFeed | None:
    """The person's current subscription, if they have one."""
    return db.session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc())
        .limit(1)
    )


def _revoke(user: User, now: datetime) -> int:
    return rows_changed(
        update(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def create_feed(user: User) -> str:
    """A new subscription token for the person; earlier ones stop working. Shown once."""
    now = utcnow()
    revoked = _revoke(user, now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=_hash(token), created_at=now)
    db.session.add(feed)
    db.session.flush()
    audit.record(
        user, "calendar_feed.created", "calendar_feed", feed.id, after={"revoked": revoked}
    )
    return token


def revoke_feeds(user: User) -> int:
    """Stop every subscription URL the person has; says how many were live."""
    revoked = _revoke(user, utcnow())
    if revoked:
        audit.record(user, "calendar_feed.revoked", "user", user.id, after={"revoked": revoked})
    db.session.flush()
    return revoked


def user_for_feed_token(token: str) -> User | None:
    """The active person a live token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    # Looked up by its hash: the lookup reveals nothing about tokens that are stored.
    return db.session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(
            CalendarFeed.token_hash == _hash(token),
            CalendarFeed.revoked_at.is_(None),
            User.active.is_(True),
        )
    )
