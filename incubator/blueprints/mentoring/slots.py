"""Mentoring: a mentor's availability, published one slot at a time or as a weekly series."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.mentoring import bp
from incubator.blueprints.mentoring.slot_forms import SeriesForm, SlotForm, WithdrawForm
from incubator.models import Role
from incubator.services.errors import DomainError
from incubator.services.mentoring import profiles
from incubator.services.transactions import transaction
from incubator.templating import localtime
from incubator.web import flash_form_errors, found_or_404, page_number

PER_PAGE = 50


def _own_slot(slot_id: int):
    """The signed-in mentor's slot; 404 for a missing slot or someone else's."""
    return found_or_404(profiles.get_slot, slot_id, permissions.may_change_slot)


def _availability_page(slot_form: SlotForm, series_form: SeriesForm):
    page = profiles.upcoming_slots(current_user, page_number(), PER_PAGE)
    return render_template(
        "mentoring/availability.html",
        page=page,
        slot_form=slot_form,
        series_form=series_form,
        withdraw_form=WithdrawForm(),
        time_zone=profiles.zone_of(current_user).key,
    )


@bp.route("/availability", methods=["GET", "POST"])
@roles(Role.MENTOR)
def availability():
    form = SlotForm()
    if form.validate_on_submit():
        starts_at_local = datetime.combine(form.date.data, form.time.data)
        try:
            with transaction(serialised=True):
                slot = profiles.publish_slot(
                    current_user,
                    starts_at_local,
                    form.minutes.data,
                    form.location.data or "",
                    form.note.data or "",
                    by=current_user,
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"Slot published: {localtime(slot.starts_at)}.", "success")
            note = profiles.repeated_time_note(starts_at_local, profiles.zone_of(current_user))
            if note:
                flash(note, "info")
            return redirect(url_for("mentoring.availability"))
    return _availability_page(form, SeriesForm(prefix="series", formdata=None))


@bp.route("/availability/series", methods=["POST"])
@roles(Role.MENTOR)
def add_series():
    form = SeriesForm(prefix="series")
    if form.validate_on_submit():
        try:
            with transaction(serialised=True):
                published = profiles.publish_series(
                    current_user,
                    form.weekday.data,
                    form.start_time.data,
                    form.end_time.data,
                    form.slot_minutes.data,
                    form.starts_on.data,
                    form.ends_on.data,
                    form.location.data or "",
                    form.note.data or "",
                    by=current_user,
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            count = len(published.slots)
            flash(f"Published {count} slot{'' if count == 1 else 's'}.", "success")
            if published.skipped:
                times = ", ".join(
                    wall.strftime("%-I:%M %p on %b %-d") for wall in published.skipped
                )
                flash(
                    f"Left out {times}: the clocks go forward then, so "
                    f"{'that time does' if len(published.skipped) == 1 else 'those times do'} "
                    "not exist or would overlap the slot before.",
                    "info",
                )
            return redirect(url_for("mentoring.availability"))
    else:
        flash_form_errors(form)
    return _availability_page(SlotForm(formdata=None), form)


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@roles(Role.MENTOR)
def edit_slot(slot_id: int):
    slot = _own_slot(slot_id)
    booking = profiles.active_booking(slot)
    local = profiles.local_wall_time(slot.starts_at, profiles.zone_of(current_user))
    form = SlotForm(
        data={
            "date": local.date(),
            "time": local.time(),
            "minutes": int((slot.ends_at - slot.starts_at).total_seconds() // 60),
            "location": slot.location,
            "note": slot.note,
        }
    )
    form.submit.label.text = "Save slot"
    if form.validate_on_submit():
        try:
            with transaction(serialised=True):
                profiles.update_slot(
                    slot,
                    datetime.combine(form.date.data, form.time.data),
                    form.minutes.data,
                    form.location.data or "",
                    form.note.data or "",
                    by=current_user,
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"Slot saved: {localtime(slot.starts_at)}.", "success")
            return redirect(url_for("mentoring.availability"))
    return render_template("mentoring/slot_form.html", form=form, slot=slot, booking=booking)


@bp.route("/slots/<int:slot_id>/withdraw", methods=["POST"])
@roles(Role.MENTOR)
def withdraw_slot(slot_id: int):
    slot = _own_slot(slot_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            with transaction(serialised=True):
                profiles.withdraw_slot(slot, by=current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"Slot withdrawn: {localtime(slot.starts_at)}.", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("mentoring.availability"))
