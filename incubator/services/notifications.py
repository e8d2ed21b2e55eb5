"""Mail to both sides of a mentor session when it is booked, cancelled or moved.

Each mail carries the session as an iTIP .ics attachment, so a calendar application adds,
updates or removes the event. A move is two mails per person: the old booking's CANCEL
(its own UID) and the new booking's REQUEST, since one .ics has one METHOD.
"""

from __future__ import annotations

from incubator import clock
from incubator.models import Booking, User
from incubator.services import calendars, mail

ICS_FILENAME = "session.ics"


def _when(booking: Booking, viewer: User) -> str:
    zone = clock.zone_for(viewer)
    start = booking.starts_at.astimezone(zone)
    end = booking.ends_at.astimezone(zone)
    return f"{start:%A %B %-d, %Y, %-I:%M %p} to {end:%-I:%M %p %Z}"


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
        mail.send(
            person.email,
            f"Mentor session booked: {booking.venture.name} with {booking.mentor.name}",
            f"Hello {person.name},\n\n{booking.venture.name} meets {booking.mentor.name} on "
            f"{_when(booking, person)}.\nAgenda: {booking.agenda}\nWhere: "
            f"{booking.slot.location or 'to be confirmed'}\n\nDetails, calendar file and "
            f"cancellation: {mail.link('mentoring.booking', booking_id=booking.id)}\n",
            attachment=invitation,
        )


def booking_cancelled(booking: Booking) -> None:
    by = booking.cancelled_by.name if booking.cancelled_by else "Someone"
    cancellation = calendar_attachment(booking, calendars.CANCEL)
    for person in _people(booking):
        mail.send(
            person.email,
            f"Mentor session cancelled: {booking.venture.name} with {booking.mentor.name}",
            f"Hello {person.name},\n\n{by} cancelled the session on {_when(booking, person)}.\n"
            f"Reason: {booking.cancel_reason}\n\nThe attached calendar file removes it from "
            "your calendar.\n",
            attachment=cancellation,
        )


def booking_rescheduled(old: Booking, new: Booking) -> None:
    cancellation = calendar_attachment(old, calendars.CANCEL)
    invitation = calendar_attachment(new, calendars.REQUEST)
    for person in _people(new):
        mail.send(
            person.email,
            f"Mentor session moved, old time removed: {old.venture.name} with {old.mentor.name}",
            f"Hello {person.name},\n\nThe session on {_when(old, person)} moved to "
            f"{_when(new, person)}.\nThe attached calendar file removes the old time; the "
            "next mail brings the new one.\n",
            attachment=cancellation,
        )
        mail.send(
            person.email,
            f"Mentor session moved: {new.venture.name} with {new.mentor.name}",
            f"Hello {person.name},\n\n{new.venture.name} now meets {new.mentor.name} on "
            f"{_when(new, person)} (moved from {_when(old, person)}).\n"
            f"Agenda: {new.agenda}\nWhere: {new.slot.location or 'to be confirmed'}\n\n"
            f"Details: {mail.link('mentoring.booking', booking_id=new.id)}\n",
            attachment=invitation,
        )
