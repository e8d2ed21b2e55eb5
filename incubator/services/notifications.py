"""Mail to both sides of a mentor session when it is booked, cancelled or moved.

Each mail carries the session as an iTIP .ics attachment, so a calendar application adds,
updates or removes the event. A move is two mails per person: the old booking's CANCEL
(its own UID) and the new booking's REQUEST, since one .ics has one METHOD.
"""

from __future__ import annotations

from incubator.models import Booking, User
from incubator.services import mail
from incubator.services.mentoring import calendars

ICS_FILENAME = "session.ics"


def _people(booking: Booking) -> list[User]:
    founders = [m.user for m in booking.venture.members if m.user.active]
    return [booking.mentor, *founders]


def calendar_attachment(booking: Booking, method: str) -> mail.Attachment:
    """The booking's .ics as a mail attachment (iMIP: the method is in the content type)."""
    return mail.Attachment(
        filename=ICS_FILENAME,
        content_type=f"text/calendar; method={method}",
        content=calendars.booking_ics(booking, method),
    )


def booking_made(booking: Booking) -> None:
    invitation = calendar_attachment(booking, calendars.REQUEST)
    for person in _people(booking):
        mail.send_template(person, "booking_made", attachment=invitation, booking=booking)


def booking_cancelled(booking: Booking) -> None:
    cancellation = calendar_attachment(booking, calendars.CANCEL)
    for person in _people(booking):
        mail.send_template(person, "booking_cancelled", attachment=cancellation, booking=booking)


def booking_rescheduled(old: Booking, new: Booking) -> None:
    cancellation = calendar_attachment(old, calendars.CANCEL)
    invitation = calendar_attachment(new, calendars.REQUEST)
    for person in _people(new):
        mail.send_template(person, "booking_moved_old", attachment=cancellation, old=old, new=new)
        mail.send_template(person, "booking_moved_new", attachment=invitation, old=old, new=new)
