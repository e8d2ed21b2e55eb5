"""Mentoring: a mentor's availability, published one slot at a time or as a weekly series,
and a series changed or withdrawn as a whole."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.mentoring import bp
from incubator.blueprints.mentoring.slot_forms import (
    SeriesEditForm,
    SeriesForm,
    SlotForm,
    WithdrawForm,
    WithdrawSeriesForm,
)
from incubator.models import Role, Slot
from incubator.services.mentoring import series as series_service
from incubator.services.mentoring import slots as slot_service
from incubator.services.mentoring import times
from incubator.web import found_or_404, page_number, submit

PER_PAGE = 50


def _availability_page(slot_form: SlotForm, series_form: SeriesForm):
    page = slot_service.upcoming_slots(current_user, page_number(), PER_PAGE)
    return render_template(
        "mentoring/availability.html",
        page=page,
        slot_form=slot_form,
        series_form=series_form,
        withdraw_form=WithdrawForm(),
        series=series_service.series_of(current_user),
        describe=series_service.describe,
        time_zone=times.zone_of(current_user).key,
    )


def _slot_fields(form: SlotForm) -> tuple[datetime, int, str, str]:
    """The slot form's start (a wall-clock time), length, place and note, as the slot
    services take them."""
    return (
        datetime.combine(form.date.data, form.time.data),
        form.minutes.data,
        form.location.data or "",
        form.note.data or "",
    )


@bp.route("/availability", methods=["GET", "POST"])
@roles(Role.MENTOR)
def availability():
    form = SlotForm()
    published = submit(
        form,
        lambda: slot_service.publish_slot(current_user, *_slot_fields(form), by=current_user),
        lambda slot: _("Slot published: %(when)s.", when=times.viewer_text(slot.starts_at)),
    )
    if published:
        starts_at_local = _slot_fields(form)[0]
        note = times.repeated_time_note(starts_at_local, times.zone_of(current_user))
        if note:
            flash(note, "info")
        return redirect(url_for("mentoring.availability"))
    return _availability_page(form, SeriesForm(prefix="series", formdata=None))


def _series_published(published: slot_service.PublishedSeries) -> str:
    count = len(published.slots)
    return ngettext("Published %(num)d slot.", "Published %(num)d slots.", count)


def _flash_skipped(skipped: list[datetime]) -> None:
    """Say which wall-clock times a series left out because the clocks go forward then."""
    if not skipped:
        return
    listed = ", ".join(
        _(
            "%(time)s on %(day)s",
            time=times.local_text(wall, "%-I:%M %p"),
            day=times.local_text(wall, "%b %-d"),
        )
        for wall in skipped
    )
    flash(
        ngettext(
            "Left out %(times)s: the clocks go forward then, so that time does not exist or "
            "would overlap the slot before.",
            "Left out %(times)s: the clocks go forward then, so those times do not exist or "
            "would overlap the slot before.",
            len(skipped),
            times=listed,
        ),
        "info",
    )


@bp.route("/availability/series", methods=["POST"])
@roles(Role.MENTOR)
def add_series():
    form = SeriesForm(prefix="series")
    published = submit(
        form,
        lambda: slot_service.publish_series(
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
        ),
        _series_published,
        flash_errors=True,
    )
    if published:
        _flash_skipped(published.result.skipped)
        return redirect(url_for("mentoring.availability"))
    return _availability_page(SlotForm(formdata=None), form)


@bp.route("/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@roles(Role.MENTOR)
def edit_slot(slot_id: int):
    slot = found_or_404(Slot, slot_id, permissions.may_change_slot)
    booking = slot_service.active_booking(slot)
    local = times.local_wall_time(slot.starts_at, times.zone_of(current_user))
    form = SlotForm(
        data={
            "date": local.date(),
            "time": local.time(),
            "minutes": int((slot.ends_at - slot.starts_at).total_seconds() // 60),
            "location": slot.location,
            "note": slot.note,
        }
    )
    form.submit.label.text = _("Save slot")
    if submit(
        form,
        lambda: slot_service.update_slot(slot, *_slot_fields(form), by=current_user),
        lambda saved: _("Slot saved: %(when)s.", when=times.viewer_text(saved.starts_at)),
    ):
        return redirect(url_for("mentoring.availability"))
    return render_template("mentoring/slot_form.html", form=form, slot=slot, booking=booking)


@bp.route("/slots/<int:slot_id>/withdraw", methods=["POST"])
@roles(Role.MENTOR)
def withdraw_slot(slot_id: int):
    slot = found_or_404(Slot, slot_id, permissions.may_change_slot)
    submit(
        WithdrawForm(),
        lambda: slot_service.withdraw_slot(slot, by=current_user),
        lambda withdrawn: _("Slot withdrawn: %(when)s.", when=times.viewer_text(slot.starts_at)),
        flash_errors=True,
    )
    return redirect(url_for("mentoring.availability"))


# A series as a whole ---------------------------------------------------------------------------


def _series(series_id: int):
    return found_or_404(series_service.get_series, series_id, permissions.may_change_series)


def _series_input(form: SeriesEditForm) -> series_service.SeriesInput:
    return series_service.SeriesInput(
        weekday=form.weekday.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        slot_minutes=form.slot_minutes.data,
        ends_on=form.ends_on.data,
        location=form.location.data or "",
        note=form.note.data or "",
    )


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@roles(Role.MENTOR)
def edit_series(series_id: int):
    series = _series(series_id)
    form = SeriesEditForm(obj=series)
    saved = submit(
        form,
        lambda: series_service.update_series(series, _series_input(form), by=current_user),
        lambda change: series_service.updated_text(change, times.zone_of(current_user)),
    )
    if saved:
        return redirect(url_for("mentoring.availability"))
    return render_template(
        "mentoring/series_form.html",
        form=form,
        series=series,
        slots=series_service.upcoming(series),
        describe=series_service.describe,
    ), saved.status


@bp.route("/series/<int:series_id>/withdraw", methods=["GET", "POST"])
@roles(Role.MENTOR)
def withdraw_series(series_id: int):
    series = _series(series_id)
    form = WithdrawSeriesForm()
    withdrawn = submit(
        form,
        lambda: series_service.withdraw_series(series, by=current_user),
        lambda change: series_service.withdrawn_text(change, times.zone_of(current_user)),
    )
    if withdrawn:
        return redirect(url_for("mentoring.availability"))
    return render_template(
        "mentoring/series_withdraw.html",
        form=form,
        series=series,
        slots=series_service.upcoming(series),
        describe=series_service.describe,
    ), withdrawn.status
