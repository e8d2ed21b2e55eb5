"""Mail to both sides of a mentor session when it is booked, cancelled or moved.

Each mail carries the session as an iTIP .ics attachment, so a calendar application adds,
updates or removes the event. A move is two mails per person: the old booking's CANCEL
(its own UID) and the new booking's REQUEST, since one .ics has one METHOD. The .ics is made
for each person in their language, as their mail is (its summary and description are text
they read), with one stamp for all of them.
"""

from __future__ import annotations

from datetime import datetime

from incubator.models import Booking, User, utcnow
from incubator.services import mail
from incubator.services.mentoring import calendars

ICS_FILENAME = "session.ics"


def _people(booking: Booking) -> list[User]:
    founders = [m.user for m in booking.venture.members if m.user.active]
    return [booking.mentor, *founders]


def calendar_attachment(
    booking: Booking, method: str, person: User, *, now: datetime | None = None
) -> mail.Attachment:
    """The booking's .ics as a mail attachment to a person (iMIP: the method is in the
    content type), in that person's language."""
    with mail.in_language_of(person):
        content = calendars.booking_ics(booking, method, now=now)
    return mail.Attachment(
        filename=ICS_FILENAME, content_type=f"text/calendar; method={method}", content=content
    )


def booking_made(booking: Booking) -> None:
    now = utcnow()
    for person in _people(booking):
        invitation = calendar_attachment(booking, calendars.REQUEST, person, now=now)
        mail.send_template(person, "booking_made", attachment=invitation, booking=booking)


def booking_cancelled(booking: Booking) -> None:
    now = utcnow()
    for person in _people(booking):
        cancellation = calendar_attachment(booking, calendars.CANCEL, person, now=now)
        mail.send_template(person, "booking_cancelled", attachment=cancellation, booking=booking)


def booking_rescheduled(old: Booking, new: Booking) -> None:
    now = utcnow()
    for person in _people(new):
        cancellation = calendar_attachment(old, calendars.CANCEL, person, now=now)
        invitation = calendar_attachment(new, calendars.REQUEST, person, now=now)
        mail.send_template(person, "booking_moved_old", attachment=cancellation, old=old, new=new)
        mail.send_template(person, "booking_moved_new", attachment=invitation, old=old, new=new)
