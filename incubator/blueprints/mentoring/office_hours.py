"""Mentoring: office-hours days ("mentor madness"): set up, plan, publish, rank afterwards."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.mentoring import bp
from incubator.blueprints.mentoring.office_hours_forms import (
    CohortChoiceForm,
    PlanAgainForm,
    PublishForm,
    new_day_form,
    ranking_form,
)
from incubator.models import Role
from incubator.services.cohorts import ventures
from incubator.services.errors import DomainError, NotFound
from incubator.services.mentoring import office_hours
from incubator.services.transactions import transaction
from incubator.web import flash_form_errors, found_or_404


def _day(day_id: int):
    try:
        return office_hours.get_day(day_id)
    except NotFound:
        abort(404)


@bp.route("/office-hours")
@roles(Role.MANAGER)
def office_hours_days():
    return render_template("mentoring/office_hours_days.html", rows=office_hours.list_days())


@bp.route("/office-hours/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def new_office_hours():
    picker = CohortChoiceForm(request.args)
    picker.cohort_id.choices = [(c.id, c.name) for c in ventures.open_cohorts()]
    if "cohort_id" not in request.args or not picker.validate():
        return render_template("mentoring/office_hours_new.html", picker=picker, form=None)
    try:
        cohort = ventures.get_cohort(picker.cohort_id.data)
    except NotFound:
        abort(404)
    mentors = office_hours.mentor_choices()
    form = new_day_form(mentors, office_hours.eligible_ventures(cohort))
    if form.validate_on_submit():
        chosen = {m.id: m for m in mentors}
        hours = [
            office_hours.MentorHours(chosen[mentor_id], windows, breaks)
            for mentor_id, (windows, breaks) in form.mentor_hours.items()
        ]
        try:
            with transaction():
                day = office_hours.create_day(
                    cohort,
                    form.day.data,
                    form.time_zone.data,
                    form.meeting_minutes.data,
                    form.location.data or "",
                    hours,
                    form.ventures.data,
                    by=current_user,
                )
                office_hours.plan(day, by=current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Day planned. Check the plan, then publish it as bookings.", "success")
            return redirect(url_for("mentoring.office_hours_day", day_id=day.id))
    return render_template(
        "mentoring/office_hours_new.html", picker=picker, form=form, cohort=cohort, mentors=mentors
    )


@bp.route("/office-hours/<int:day_id>")
@roles(Role.MANAGER)
def office_hours_day(day_id: int):
    day = _day(day_id)
    published = day.status == office_hours.PUBLISHED
    return render_template(
        "mentoring/office_hours_day.html",
        schedule=office_hours.schedule(day),
        bookings=office_hours.bookings_of(day) if published else [],
        publish_form=None if published else PublishForm(),
        plan_form=None if published else PlanAgainForm(),
    )


@bp.route("/office-hours/<int:day_id>/plan", methods=["POST"])
@roles(Role.MANAGER)
def plan_office_hours(day_id: int):
    day = _day(day_id)
    if PlanAgainForm().validate_on_submit():
        try:
            with transaction():
                meetings = office_hours.plan(day, by=current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"Planned again: {len(meetings)} meetings.", "success")
    return redirect(url_for("mentoring.office_hours_day", day_id=day_id))


@bp.route("/office-hours/<int:day_id>/publish", methods=["POST"])
@roles(Role.MANAGER)
def publish_office_hours(day_id: int):
    day = _day(day_id)
    form = PublishForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("mentoring.office_hours_day", day_id=day_id))
    try:
        with transaction(serialised=True):
            # The serialised transaction began afresh: read the day again inside it.
            day = office_hours.get_day(day_id)
            bookings = office_hours.publish(day, by=current_user)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(
            f"Published: {len(bookings)} bookings made; the mentors and founders were told.",
            "success",
        )
    return redirect(url_for("mentoring.office_hours_day", day_id=day_id))


def _choice_key(choice: office_hours.RankingChoice) -> str:
    return "mentor" if choice.venture is None else f"venture-{choice.venture.id}"


@bp.route("/office-hours/<int:day_id>/rank", methods=["GET", "POST"])
@roles(Role.FOUNDER, Role.MENTOR)
def rank_office_hours(day_id: int):
    day = found_or_404(office_hours.get_day, day_id, permissions.may_view_office_hours_day)
    permissions.require(
        permissions.may_rank_office_hours(current_user, day),
        "Only those who met someone on a published office-hours day rank it.",
    )
    choices = office_hours.ranking_choices(day, current_user)
    submitted = request.form.get("choice") if request.method == "POST" else None
    forms = []
    for choice in choices:
        key = _choice_key(choice)
        formdata = None if key != submitted else request.form
        form = ranking_form(choice.options, choice.saved, key, formdata=formdata)
        forms.append((choice, form))
        if key != submitted or not form.validate():
            continue
        try:
            with transaction():
                office_hours.save_ranking(
                    day,
                    current_user,
                    form.ordered_ids,
                    side=choice.side,
                    venture_id=choice.venture.id if choice.venture else None,
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Ranking saved. Thank you: it helps match mentors with ventures.", "success")
            return redirect(url_for("mentoring.rank_office_hours", day_id=day_id))
    return render_template(
        "mentoring/office_hours_rank.html",
        day=day,
        forms=forms,
    )
