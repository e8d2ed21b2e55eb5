from flask import Blueprint

from incubator.services.mentoring import session_text
from incubator.services.mentoring.times import viewer_text

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")
# The mentoring pages' times, statuses, program-written texts and numbers, in the viewer's
# zone and language.
bp.add_app_template_filter(viewer_text, "local_text")
bp.add_app_template_filter(session_text.term_text, "term")
bp.add_app_template_global(session_text.status_text, "booking_status")
bp.add_app_template_global(session_text.cancel_reason_text, "cancel_reason")
bp.add_app_template_global(session_text.agenda_text, "session_agenda")
bp.add_app_template_global(session_text.slot_note, "slot_note")
bp.add_app_template_global(session_text.average_text, "average_text")

from incubator.blueprints.mentoring import (  # noqa: E402, F401
    bookings,
    calendar,
    office_hours,
    profiles,
    slots,
)
