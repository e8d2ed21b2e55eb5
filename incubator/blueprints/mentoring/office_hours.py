"""Mentoring: office-hours days ("mentor madness"): set up, plan, publish, rank afterwards."""

from functools import partial

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
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
from incubator.models import Cohort, OfficeHoursDay, OfficeHoursRanking, Role, User
from incubator.services.cohorts import ventures
from incubator.services.mentoring import office_hours, rankings
from incubator.web import found_or_404, submit


@bp.route("/office-hours")
@roles(Role.MANAGER)
def office_hours_days():
    return render_template("mentoring/office_hours_days.html", rows=office_hours.list_days())


def _create_and_plan(cohort: Cohort, form, mentors: dict[int, User]) -> OfficeHoursDay:
    """Set the day up from the form and plan it at once, in one transaction."""
    hours = [
        office_hours.MentorHours(mentors[mentor_id], windows, breaks)
        for mentor_id, (windows, breaks) in form.mentor_hours.items()
    ]
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
    return day


@bp.route("/office-hours/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def new_office_hours():
    picker = CohortChoiceForm(request.args)
    picker.cohort_id.choices = [(c.id, c.name) for c in ventures.open_cohorts()]
    if "cohort_id" not in request.args or not picker.validate():
        return render_template("mentoring/office_hours_new.html", picker=picker, form=None)
    cohort = found_or_404(ventures.get_cohort, picker.cohort_id.data)
    mentors = office_hours.mentor_choices()
    form = new_day_form(mentors, office_hours.eligible_ventures(cohort))
    created = submit(
        form,
        lambda: _create_and_plan(cohort, form, {m.id: m for m in mentors}),
        _("Day planned. Check the plan, then publish it as bookings."),
    )
    if created:
        return redirect(url_for("mentoring.office_hours_day", day_id=created.result.id))
    return render_template(
        "mentoring/office_hours_new.html", picker=picker, form=form, cohort=cohort, mentors=mentors
    )


@bp.route("/office-hours/<int:day_id>")
@roles(Role.MANAGER)
def office_hours_day(day_id: int):
    day = found_or_404(OfficeHoursDay, day_id)
    published = day.status == office_hours.PUBLISHED
    return render_template(
        "mentoring/office_hours_day.html",
        schedule=office_hours.schedule(day),
        bookings=office_hours.bookings_of(day) if published else [],
        publish_form=None if published else PublishForm(),
        plan_form=None if published else PlanAgainForm(),
    )


def _day_step(day_id: int, form, step, success, *, flash_errors: bool = False):
    """Take one step with a day (`step(day, by=...)`, a service call), then back to its page."""
    day = found_or_404(OfficeHoursDay, day_id)
    submit(form, lambda: step(day, by=current_user), success, flash_errors=flash_errors)
    return redirect(url_for("mentoring.office_hours_day", day_id=day_id))


@bp.route("/office-hours/<int:day_id>/plan", methods=["POST"])
@roles(Role.MANAGER)
def plan_office_hours(day_id: int):
    return _day_step(
        day_id,
        PlanAgainForm(),
        office_hours.plan,
        lambda meetings: ngettext(
            "Planned again: %(num)d meeting.", "Planned again: %(num)d meetings.", len(meetings)
        ),
    )


@bp.route("/office-hours/<int:day_id>/publish", methods=["POST"])
@roles(Role.MANAGER)
def publish_office_hours(day_id: int):
    return _day_step(
        day_id,
        PublishForm(),
        office_hours.publish,
        lambda bookings: ngettext(
            "Published: %(num)d booking made; the mentors and founders were told.",
            "Published: %(num)d bookings made; the mentors and founders were told.",
            len(bookings),
        ),
        flash_errors=True,
    )


def _save_ranking(
    day: OfficeHoursDay, choice: rankings.RankingChoice, form
) -> list[OfficeHoursRanking]:
    """Save the signed-in person's ranking for one way they took part in the day."""
    return rankings.save_ranking(
        day,
        current_user,
        form.ordered_ids,
        side=choice.side,
        venture_id=choice.venture.id if choice.venture else None,
    )


def _choice_key(choice: rankings.RankingChoice) -> str:
    return "mentor" if choice.venture is None else f"venture-{choice.venture.id}"


@bp.route("/office-hours/<int:day_id>/rank", methods=["GET", "POST"])
@roles(Role.FOUNDER, Role.MENTOR)
def rank_office_hours(day_id: int):
    day = found_or_404(OfficeHoursDay, day_id, permissions.may_view_office_hours_day)
    permissions.require(
        permissions.may_rank_office_hours(current_user, day),
        _("Only those who met someone on a published office-hours day rank it."),
    )
    choices = rankings.ranking_choices(day, current_user)
    submitted = request.form.get("choice") if request.method == "POST" else None
    forms = []
    for choice in choices:
        key = _choice_key(choice)
        formdata = None if key != submitted else request.form
        form = ranking_form(choice.options, choice.saved, key, formdata=formdata)
        forms.append((choice, form))
        if key == submitted and submit(
            form,
            partial(_save_ranking, day, choice, form),
            _("Ranking saved. Thank you: it helps match mentors with ventures."),
        ):
            return redirect(url_for("mentoring.rank_office_hours", day_id=day_id))
    return render_template(
        "mentoring/office_hours_rank.html",
        day=day,
        forms=forms,
    )
