"""Mentoring: booking sessions, moving and cancelling them, notes, ratings, .ics files."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.mentoring import bp
from incubator.blueprints.mentoring.booking_forms import (
    BookingForm,
    CancelForm,
    NotesForm,
    OutcomeForm,
    RatingForm,
    RescheduleForm,
)
from incubator.extensions import db
from incubator.models import Booking, BookingStatus, Role, Slot
from incubator.services.cohorts.ventures import get_venture
from incubator.services.errors import SlotTaken
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import calendars, times
from incubator.web import found_or_404, submit

# Everyone a session concerns: its founders, its mentor, and the program managers.
SESSION_ROLES = (Role.FOUNDER, Role.MENTOR, Role.MANAGER)
# How many free times the "just taken" page and the reschedule page offer.
NEXT_SLOTS = 5
RESCHEDULE_CHOICES = 20


def _session(booking_id: int) -> Booking:
    """The session with what its page shows, if the viewer may see it; 404 otherwise, so
    ids reveal nothing."""
    return found_or_404(booking_service.get_booking, booking_id, permissions.may_view_booking)


def _slot_label(slot: Slot) -> str:
    label = _(
        "%(start)s to %(end)s",
        start=times.viewer_text(slot.starts_at),
        end=times.viewer_text(slot.ends_at, "%-I:%M %p"),
    )
    return f"{label} · {slot.location}" if slot.location else label


def _offered_slot(slot_id: int) -> Slot:
    """The slot chosen to move to, or SlotTaken when it is no longer there."""
    slot = db.session.get(Slot, slot_id)
    if slot is None:
        raise SlotTaken(_("That time is no longer offered. Choose another."))
    return slot


# Booking ----------------------------------------------------------------------------------------


@bp.route("/slots/<int:slot_id>/book", methods=["GET", "POST"])
@roles(Role.FOUNDER)
def book(slot_id: int):
    slot = found_or_404(Slot, slot_id)
    mentor_id = slot.mentor_id
    ventures = booking_service.bookable_ventures(current_user)
    form = BookingForm()
    form.venture_id.choices = [(venture.id, venture.name) for venture in ventures]
    booked = submit(
        form,
        lambda: booking_service.book(
            slot,
            # A venture removed since the form was shown is NotFound, said as such.
            get_venture(form.venture_id.data),
            form.agenda.data,
            by=current_user,
        ),
        _("Session booked. Both of you have the details and a calendar file."),
    )
    if booked:
        return redirect(url_for("mentoring.booking", booking_id=booked.result.id))
    taken = isinstance(booked.refusal, SlotTaken)
    free = not taken and booking_service.is_free(slot)
    next_slots = [] if free else booking_service.free_slots(mentor_id, limit=NEXT_SLOTS)
    return render_template(
        "mentoring/book.html",
        slot=slot,
        form=form,
        free=free,
        ventures=ventures,
        next_slots=next_slots,
    ), booked.refusal.status_code if booked.refusal else 200


# Sessions ---------------------------------------------------------------------------------------


@bp.route("/sessions")
@roles(*SESSION_ROLES)
def sessions():
    return render_template(
        "mentoring/sessions.html",
        upcoming=booking_service.sessions_for(current_user, upcoming=True),
        past=booking_service.sessions_for(current_user, upcoming=False),
        is_manager=permissions.is_manager(current_user),
    )


def _render_booking(booking: Booking, status: int = 200, **forms):
    actions = booking_service.actions_for(current_user, booking)
    rating = booking_service.rating_by(booking, current_user) if actions.rate else None
    if actions.write_notes:
        forms.setdefault(
            "notes_form",
            NotesForm(
                data={
                    "shared_notes": booking.shared_notes,
                    "private_notes": booking.private_notes,
                }
            ),
        )
    if actions.rate:
        forms.setdefault(
            "rating_form",
            RatingForm(data={"score": rating.score, "comment": rating.comment} if rating else None),
        )
    forms.setdefault("cancel_form", _cancel_form(booking))
    forms.setdefault("outcome_form", OutcomeForm())
    moved_to = (
        db.session.get(Booking, booking.rescheduled_to_id) if booking.rescheduled_to_id else None
    )
    return render_template(
        "mentoring/booking.html",
        booking=booking,
        actions=actions,
        rating=rating,
        moved_to=moved_to,
        ics_method=calendars.method_for(booking),
        **forms,
    ), status


@bp.route("/sessions/<int:booking_id>")
@roles(*SESSION_ROLES)
def booking(booking_id: int):
    return _render_booking(_session(booking_id))


def _cancel_form(booking: Booking) -> CancelForm:
    form = CancelForm()
    mentor = permissions.is_session_mentor(current_user, booking)
    if not mentor or booking.slot.office_hours_day_id is not None:
        del form.keep_open
    return form


def _act(booking: Booking, form, change, success: str):
    """Run one change of a session from a posted form; back to the session page, where
    what happened is said."""
    submit(form, change, success, flash_errors=True)
    return redirect(url_for("mentoring.booking", booking_id=booking.id))


@bp.route("/sessions/<int:booking_id>/cancel", methods=["POST"])
@roles(*SESSION_ROLES)
def cancel(booking_id: int):
    booking = _session(booking_id)
    permissions.require(
        permissions.may_change_booking(current_user, booking),
        _("Only the mentor and the venture's founders can cancel this session."),
    )
    form = _cancel_form(booking)
    return _act(
        booking,
        form,
        lambda: booking_service.cancel(
            booking,
            form.reason.data,
            by=current_user,
            keep_open=bool(getattr(form, "keep_open", None) and form.keep_open.data),
        ),
        _("Session cancelled. Both sides have been told."),
    )


@bp.route("/sessions/<int:booking_id>/reschedule", methods=["GET", "POST"])
@roles(*SESSION_ROLES)
def reschedule(booking_id: int):
    booking = _session(booking_id)
    permissions.require(
        permissions.may_reschedule_booking(current_user, booking),
        _("Only the venture's founders can move this session."),
    )
    if not booking_service.actions_for(current_user, booking).reschedule:
        # Cancelled or moved by someone else since the page was drawn: say what happened.
        changed = booking.status != BookingStatus.BOOKED
        flash(
            booking_service.what_happened(booking, current_user)
            if changed
            else _("Only an upcoming booked session can be moved."),
            "warning",
        )
        return redirect(url_for("mentoring.booking", booking_id=booking.id))
    mentor_id, slot_id = booking.mentor_id, booking.slot_id
    form = RescheduleForm()
    choices = booking_service.free_slots(mentor_id, limit=RESCHEDULE_CHOICES, exclude=slot_id)
    form.slot_id.choices = [(slot.id, _slot_label(slot)) for slot in choices]
    moved = submit(
        form,
        lambda: booking_service.reschedule(
            booking, _offered_slot(form.slot_id.data), by=current_user
        ),
        _("Session moved. Both sides have the new time and calendar file."),
        flash_errors=True,
    )
    if moved:
        return redirect(url_for("mentoring.booking", booking_id=moved.result.id))
    status = moved.status
    if status != 200:
        # Offer what is free now, not what was free when the page was first shown.
        choices = booking_service.free_slots(mentor_id, limit=RESCHEDULE_CHOICES, exclude=slot_id)
        form.slot_id.choices = [(slot.id, _slot_label(slot)) for slot in choices]
    return render_template(
        "mentoring/reschedule.html", booking=booking, form=form, choices=choices
    ), status


def _mentors_session(booking_id: int, refusal: str) -> Booking:
    """The session whose notes or outcome are recorded: they are its mentor's to record,
    403 for anyone else (who may still see the session)."""
    booking = _session(booking_id)
    permissions.require(
        permissions.may_record_session(current_user, booking),
        refusal,
    )
    return booking


@bp.route("/sessions/<int:booking_id>/outcome", methods=["POST"])
@roles(*SESSION_ROLES)
def outcome(booking_id: int):
    booking = _mentors_session(booking_id, _("Only the session's mentor can record how it went."))
    form = OutcomeForm()
    return _act(
        booking,
        form,
        lambda: booking_service.mark_outcome(booking, form.status.data, by=current_user),
        _("Outcome recorded."),
    )


@bp.route("/sessions/<int:booking_id>/notes", methods=["POST"])
@roles(*SESSION_ROLES)
def notes(booking_id: int):
    booking = _mentors_session(booking_id, _("Only the session's mentor can write notes."))
    form = NotesForm()
    return _act(
        booking,
        form,
        lambda: booking_service.save_notes(
            booking,
            form.shared_notes.data or "",
            form.private_notes.data or "",
            by=current_user,
        ),
        _("Notes saved."),
    )


@bp.route("/sessions/<int:booking_id>/rate", methods=["POST"])
@roles(*SESSION_ROLES)
def rate(booking_id: int):
    booking = _session(booking_id)
    permissions.require(
        permissions.may_rate_booking(current_user, booking),
        _("Only the mentor and the venture's founders rate this session."),
    )
    form = RatingForm()
    return _act(
        booking,
        form,
        lambda: booking_service.rate(
            booking, form.score.data, form.comment.data or "", by=current_user
        ),
        _("Thank you for rating the session."),
    )


@bp.route("/sessions/<int:booking_id>.ics")
@roles(*SESSION_ROLES)
def booking_ics(booking_id: int):
    booking = _session(booking_id)
    method = calendars.method_for(booking)
    return Response(
        calendars.booking_ics(booking, method),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="session-{booking.id}.ics"',
            "Cache-Control": "private, no-store",
        },
    )


# Managers ---------------------------------------------------------------------------------------


@bp.route("/ratings")
@roles(Role.MANAGER)
def ratings():
    return render_template("mentoring/ratings.html", rows=booking_service.mentor_rating_summary())
