"""Milestones, weekly check-ins, stage moves and a cohort's stage plan."""

from datetime import date
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import DecimalField
from wtforms.validators import NumberRange, Optional

from incubator import clock, permissions
from incubator.access import roles
from incubator.blueprints.pipeline import bp
from incubator.blueprints.pipeline.forms import (
    CheckInForm,
    EditMilestoneForm,
    EvidenceForm,
    KpiForm,
    MilestoneForm,
    ReviewForm,
    StageForm,
    StagePlanForm,
    TemplateForm,
)
from incubator.extensions import db
from incubator.forms import ConfirmForm
from incubator.models import Milestone, MilestoneTemplate, Role, Stage
from incubator.services import history
from incubator.services.cohorts import ventures
from incubator.services.errors import DomainError, NotFound
from incubator.services.pipeline import stages
from incubator.services.pipeline.risk import assess
from incubator.services.transactions import attempt, transaction
from incubator.services.versions import StaleVersion
from incubator.web import flash_form_errors, found_or_404, submit


def _venture(venture_id: int, may_see=permissions.may_view_venture):
    """The venture if the viewer may see these pages of it (its team and managers unless
    `may_see` says otherwise); 404 as if missing when not."""
    return found_or_404(ventures.get_venture, venture_id, may_see)


def _milestone(milestone_id: int) -> Milestone:
    return found_or_404(
        partial(db.session.get, Milestone), milestone_id, permissions.may_view_milestone
    )


def _owner_choices(venture) -> list[tuple[int, str]]:
    return [(0, "Nobody yet")] + [(m.user_id, m.user.name) for m in venture.members]


def _milestone_input(form: MilestoneForm) -> stages.MilestoneInput:
    return stages.MilestoneInput(
        title=form.title.data,
        description=form.description.data or "",
        stage=form.stage.data,
        due_on=form.due_on.data,
        owner_id=form.owner_id.data or None,
    )


# Milestones -----------------------------------------------------------------------------------


@bp.route("/ventures/<int:venture_id>/milestones", methods=["GET", "POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def milestones(venture_id: int):
    venture = _venture(venture_id)
    form = MilestoneForm()
    form.owner_id.choices = _owner_choices(venture)
    if not form.is_submitted():
        form.stage.data = venture.stage
    if form.validate_on_submit():
        try:
            attempt(
                lambda: stages.create_milestone(venture, _milestone_input(form), by=current_user)
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Milestone added.", "success")
            return redirect(url_for("pipeline.milestones", venture_id=venture.id))
    items = stages.venture_milestones(venture)
    return render_template(
        "pipeline/milestones.html",
        venture=venture,
        milestones=items,
        form=form,
        evidence_form=EvidenceForm(),
        review_form=ReviewForm(),
        stage_form=StageForm(data={"stage": venture.stage, "seen_stage": venture.stage}),
        is_manager=permissions.is_manager(current_user),
        today=clock.today(),
        stages=list(Stage),
        risk=assess([venture], clock.today())[venture.id],
    )


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def edit_milestone(milestone_id: int):
    milestone = _milestone(milestone_id)
    form = EditMilestoneForm(obj=milestone)
    form.owner_id.choices = _owner_choices(milestone.venture)
    if not form.is_submitted():
        form.owner_id.data = milestone.owner_id or 0
    stale = None
    if form.validate_on_submit():
        try:
            attempt(
                lambda: stages.update_milestone(
                    milestone,
                    _milestone_input(form),
                    by=current_user,
                    expected_version=form.version.data,
                )
            )
        except StaleVersion as error:
            stale = error
            form.version.data = error.version
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Milestone saved.", "success")
            return redirect(url_for("pipeline.milestones", venture_id=milestone.venture_id))
    page = render_template(
        "pipeline/milestone_form.html", form=form, milestone=milestone, stale=stale
    )
    return page, 409 if stale else 200


def _milestone_action(milestone_id: int, action, success: str, form_class=None):
    milestone = _milestone(milestone_id)
    form = (form_class or ConfirmForm)()
    submit(
        form,
        lambda: action(milestone, form),
        success.format(title=milestone.title),
        flash_errors=True,
    )
    return redirect(url_for("pipeline.milestones", venture_id=milestone.venture_id))


@bp.route("/milestones/<int:milestone_id>/start", methods=["POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def start_milestone(milestone_id: int):
    return _milestone_action(
        milestone_id,
        lambda m, _form: stages.start_milestone(m, by=current_user),
        "{title} is in progress.",
    )


@bp.route("/milestones/<int:milestone_id>/complete", methods=["POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def complete_milestone(milestone_id: int):
    return _milestone_action(
        milestone_id,
        lambda m, form: stages.complete_milestone(
            m, form.evidence_url.data, form.evidence_note.data or "", by=current_user
        ),
        "{title} is done; a program manager will verify it.",
        EvidenceForm,
    )


@bp.route("/milestones/<int:milestone_id>/verify", methods=["POST"])
@roles(Role.MANAGER)
def verify_milestone(milestone_id: int):
    return _milestone_action(
        milestone_id,
        lambda m, _form: stages.verify_milestone(m, by=current_user),
        "{title} is verified.",
    )


@bp.route("/milestones/<int:milestone_id>/send-back", methods=["POST"])
@roles(Role.MANAGER)
def send_back_milestone(milestone_id: int):
    return _milestone_action(
        milestone_id,
        lambda m, form: stages.send_back_milestone(m, form.comment.data or "", by=current_user),
        "{title} went back to the founders.",
        ReviewForm,
    )


@bp.route("/milestones/<int:milestone_id>/miss", methods=["POST"])
@roles(Role.MANAGER)
def miss_milestone(milestone_id: int):
    return _milestone_action(
        milestone_id,
        lambda m, form: stages.miss_milestone(m, form.comment.data or "", by=current_user),
        "{title} is marked missed.",
        ReviewForm,
    )


# Stage ----------------------------------------------------------------------------------------


@bp.route("/ventures/<int:venture_id>/stage", methods=["POST"])
@roles(Role.MANAGER)
def move_stage(venture_id: int):
    venture = _venture(venture_id)
    form = StageForm()
    submit(
        form,
        lambda: stages.move_stage(
            venture,
            form.stage.data,
            form.reason.data or "",
            by=current_user,
            seen_stage=form.seen_stage.data or None,
        ),
        # The stage asked for, which the move reached: the venture may move on right after.
        lambda _: f"{venture.name} moved to {Stage(form.stage.data).label}.",
        flash_errors=True,
    )
    if request.form.get("back") == "timeline":
        return redirect(url_for("pipeline.timeline", venture_id=venture.id))
    return redirect(url_for("pipeline.milestones", venture_id=venture.id))


# Check-ins ------------------------------------------------------------------------------------


def _check_in_form(venture, kpis, **kwargs) -> CheckInForm:
    """The check-in form with one number field per custom KPI of the venture."""

    class VentureCheckInForm(CheckInForm):
        pass

    for kpi in kpis:
        label = f"{kpi.name} ({kpi.unit})" if kpi.unit else kpi.name
        setattr(
            VentureCheckInForm,
            f"kpi_{kpi.id}",
            DecimalField(label, validators=[Optional(), NumberRange(min=0)]),
        )
    return VentureCheckInForm(**kwargs)


def _check_in_input(form, kpis) -> stages.CheckInInput:
    def number(value):
        return None if value is None else float(value)

    return stages.CheckInInput(
        week_start=form.week_start.data,
        summary=form.summary.data,
        progress=form.progress.data or "",
        blockers=form.blockers.data or "",
        ask_kinds=list(form.ask_kinds.data or []),
        asks=form.asks.data or "",
        confidence=form.confidence.data,
        users_reached=form.users_reached.data,
        active_pilots=form.active_pilots.data,
        revenue=number(form.revenue.data),
        funding_raised=number(form.funding_raised.data),
        team_size=form.team_size.data,
        custom_kpis={
            kpi.name: float(getattr(form, f"kpi_{kpi.id}").data)
            for kpi in kpis
            if getattr(form, f"kpi_{kpi.id}").data is not None
        },
    )


def _week_argument(default: date) -> date:
    value = request.args.get("week", "")
    try:
        return stages.week_of(date.fromisoformat(value)) if value else default
    except ValueError:
        return default


@bp.route("/ventures/<int:venture_id>/check-in", methods=["GET", "POST"])
@roles(Role.FOUNDER)
def check_in(venture_id: int):
    venture = _venture(venture_id)
    permissions.require(
        permissions.may_post_check_in(current_user, venture),
        "Only the venture's founders post its check-ins.",
    )
    kpis = stages.custom_kpis(venture)
    week = _week_argument(stages.week_of(clock.today()))
    existing = stages.check_in_for_week(venture, week)
    form = _check_in_form(venture, kpis, obj=existing)
    if not form.is_submitted():
        form.week_start.data = week
        form.seen_check_in.data = str(existing.id) if existing is not None else ""
        if existing is not None:
            for kpi in kpis:
                getattr(form, f"kpi_{kpi.id}").data = existing.custom_kpis.get(kpi.name)
    if form.validate_on_submit():
        try:
            saved, created = attempt(
                lambda: stages.save_check_in(
                    venture, _check_in_input(form, kpis), by=current_user, today=clock.today()
                )
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            # None: a form from before the page carried what it showed.
            seen = form.seen_check_in.data
            if created:
                flash("Check-in posted.", "success")
            elif seen is None or seen == str(saved.id):
                flash("This week's check-in is updated.", "success")
            else:
                # The page showed no check-in (or another week's): one was saved meanwhile.
                flash(_posted_meanwhile(saved), "warning")
            return redirect(url_for("pipeline.check_ins", venture_id=venture.id))
    return render_template(
        "pipeline/check_in_form.html",
        form=form,
        venture=venture,
        existing=existing,
        kpi_fields=[getattr(form, f"kpi_{kpi.id}") for kpi in kpis],
        kpi_form=KpiForm(),
    )


def _posted_meanwhile(check_in) -> str:
    first = history.last_event("check_in", check_in.id, "check_in.created")
    who = history.who(first.actor if first else None, current_user)
    where = " (in another tab or window)" if who == "You" else ""
    return (
        f"{who} had already posted the check-in for the week of "
        f"{check_in.week_start:%b %-d} at {history.when(check_in.created_at, current_user)}"
        f"{where}; yours replaced it."
    )


@bp.route("/ventures/<int:venture_id>/check-ins")
@roles(Role.MANAGER, Role.FOUNDER, Role.MENTOR)
def check_ins(venture_id: int):
    venture = _venture(venture_id, permissions.may_read_check_ins)
    return render_template(
        "pipeline/check_ins.html",
        venture=venture,
        check_ins=stages.recent_check_ins(venture, limit=52),
        kpis=stages.custom_kpis(venture),
        is_founder=permissions.may_post_check_in(current_user, venture),
        is_team=permissions.may_view_venture(current_user, venture),
        this_week=stages.week_of(clock.today()),
    )


@bp.route("/ventures/<int:venture_id>/kpis", methods=["POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def add_kpi(venture_id: int):
    venture = _venture(venture_id)
    form = KpiForm()
    submit(
        form,
        lambda: stages.add_custom_kpi(
            venture, form.name.data, form.unit.data or "", by=current_user
        ),
        lambda _: f"Your check-ins now ask for {form.name.data}.",
        flash_errors=True,
    )
    return redirect(url_for("pipeline.check_in", venture_id=venture.id))


# A cohort's stage plan -------------------------------------------------------------------------


@bp.route("/pipeline/cohorts/<int:cohort_id>/plan", methods=["GET", "POST"])
@roles(Role.MANAGER)
def stage_plan(cohort_id: int):
    try:
        cohort = ventures.get_cohort(cohort_id)
    except NotFound:
        abort(404)
    plan_form = StagePlanForm(prefix="plan")
    template_form = TemplateForm(prefix="template")
    stale = None
    if plan_form.submit.data and plan_form.validate_on_submit():
        try:
            with transaction():
                stages.set_expected_days(
                    cohort,
                    plan_form.stage.data,
                    plan_form.expected_days.data,
                    by=current_user,
                    expected_version=plan_form.version.data,
                )
        except StaleVersion as error:
            stale = error
            plan_form.version.data = error.version
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Expected time saved.", "success")
            return redirect(url_for("pipeline.stage_plan", cohort_id=cohort.id))
    elif plan_form.submit.data and plan_form.stage.errors:
        # No stage's card shows this form, so its messages go above them all.
        flash_form_errors(plan_form)
    elif template_form.submit.data and template_form.validate_on_submit():
        try:
            with transaction():
                stages.add_milestone_template(
                    cohort,
                    template_form.stage.data,
                    template_form.title.data,
                    template_form.description.data or "",
                    template_form.due_after_days.data,
                    by=current_user,
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Default milestone added; ventures entering that stage will get it.", "success")
            return redirect(url_for("pipeline.stage_plan", cohort_id=cohort.id))
    with transaction():
        stages.ensure_stage_plans(cohort)
    plans = stages.stage_plans(cohort)
    page = render_template(
        "pipeline/stage_plan.html",
        cohort=cohort,
        plans=plans,
        templates=stages.milestone_templates(cohort),
        plan_forms=_plan_forms(plans, plan_form),
        stale=stale,
        stale_stage=plan_form.stage.data if stale else None,
        template_form=template_form,
        stages=list(Stage),
    )
    return page, 409 if stale else 200


def _plan_forms(plans, submitted: StagePlanForm) -> dict[str, StagePlanForm]:
    """One expected-time form per stage, each carrying its stage's version; the one just
    submitted keeps what was entered (and its messages)."""
    forms = {}
    for stage, plan in plans.items():
        if submitted.submit.data and submitted.stage.data == stage:
            forms[stage] = submitted
        else:
            forms[stage] = StagePlanForm(
                prefix="plan",
                formdata=None,
                data={"stage": stage, "expected_days": plan.expected_days, "version": plan.version},
            )
    return forms


@bp.route("/pipeline/templates/<int:template_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def remove_template(template_id: int):
    template = db.session.get(MilestoneTemplate, template_id)
    if template is None:
        abort(404)
    cohort_id = template.cohort_id
    with transaction():
        stages.remove_milestone_template(template, by=current_user)
    flash("Default milestone removed; ventures that have it keep theirs.", "success")
    return redirect(url_for("pipeline.stage_plan", cohort_id=cohort_id))


# The timeline ---------------------------------------------------------------------------------


@bp.route("/ventures/<int:venture_id>/timeline")
@roles(Role.MANAGER, Role.FOUNDER)
def timeline(venture_id: int):
    venture = _venture(venture_id)
    return render_template(
        "pipeline/timeline.html",
        venture=venture,
        entries=stages.timeline(venture),
        risk=assess([venture], clock.today())[venture.id],
        is_manager=permissions.is_manager(current_user),
        stage_form=StageForm(data={"stage": venture.stage, "seen_stage": venture.stage}),
        stages=list(Stage),
    )
