from flask import Blueprint

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")

from incubator.blueprints.mentoring import (  # noqa: E402, F401
    bookings,
    calendar,
    office_hours,
    profiles,
    slots,
)
