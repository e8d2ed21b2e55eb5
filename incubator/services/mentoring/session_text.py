"""The words a session's stored values are read in: its status, the program's own agenda and
cancellation reason, and numbers, in the reader's language.

The program writes a few of a session's texts itself (an office-hours meeting's agenda, a
moved session's cancellation reason); they are stored in English, as a person's own words
are stored as typed, and translated when read.
"""

from __future__ import annotations

from decimal import Decimal

from babel import numbers
from flask_babel import gettext as _

from incubator import i18n
from incubator.i18n import N_
from incubator.models import Booking, BookingStatus, Slot

# The reason a moved session's first booking is cancelled with.
MOVED_REASON = N_("Moved to another time")
# The agenda of an office-hours meeting, and the note of its slot.
OFFICE_HOURS_AGENDA = N_("Office hours")
OFFICE_HOURS_NOTE = N_("Office hours day")
# The words for a session's status (BookingStatus's labels).
STATUS_LABELS = {
    BookingStatus.BOOKED: N_("Booked"),
    BookingStatus.CANCELLED: N_("Cancelled"),
    BookingStatus.COMPLETED: N_("Completed"),
    BookingStatus.NO_SHOW: N_("No-show"),
}


def _program_text(text: str, written: str) -> str:
    """`text` in the reader's language when it is the program's own `written`, else as typed."""
    return _(written) if text == written else text


def status_text(booking: Booking) -> str:
    """A session's status in the reader's language ("No-show")."""
    return _(STATUS_LABELS[BookingStatus(booking.status)])


def cancel_reason_text(booking: Booking) -> str:
    """Why a session was cancelled, as its canceller wrote it or in the program's words."""
    return _program_text(booking.cancel_reason or "", MOVED_REASON)


def agenda_text(booking: Booking) -> str:
    """A session's agenda, as the founder wrote it or in the program's words."""
    return _program_text(booking.agenda, OFFICE_HOURS_AGENDA)


def slot_note(slot: Slot) -> str:
    """A slot's note, as its mentor wrote it or in the program's words."""
    return _program_text(slot.note or "", OFFICE_HOURS_NOTE)


def term_text(term: str) -> str:
    """A word of the program's shared lists (a language, a challenge area; vocabulary.py),
    stored in English, in the reader's language."""
    return _(term)


def number_text(number: int | float | Decimal, pattern: str | None = None) -> str:
    """A number in the reader's language ("5,000"); `pattern` as Babel's ("0.00")."""
    return numbers.format_decimal(number, pattern, locale=i18n.format_locale())


def average_text(average: float | Decimal) -> str:
    """A mentor's average rating as the ratings page shows it ("4.50")."""
    return number_text(average, "0.00")
