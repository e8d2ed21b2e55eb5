"""Milestones, weekly check-ins, stage moves, a cohort's stage plan and a venture's timeline.

The board, analytics and charts are in board.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DecimalField
from wtforms.validators import NumberRange, Optional

from incubator import clock, permissions
from incubator.access import roles
from incubator.blueprints.pipeline import board, bp, charts
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
from incubator.forms import ConfirmForm
from incubator.i18n import N_
from incubator.models import CheckIn, Cohort, Milestone, MilestoneTemplate, Role, Stage, Venture
from incubator.services import history
from incubator.services.pipeline import checkins, stages
from incubator.services.pipeline import milestones as pipeline_milestones
from incubator.services.pipeline import timeline as pipeline_timeline
from incubator.services.pipeline.risk import assess
from incubator.services.transactions import transaction
from incubator.web import flash_form_errors, found_or_404, render_edit_page, submit


def _owner_choices(venture) -> list[tuple[int, str]]:
    return [(0, _("Nobody yet"))] + [(m.user_id, m.user.name) for m in venture.members]


def _milestone_input(form: MilestoneForm) -> pipeline_milestones.MilestoneInput:
    return pipeline_milestones.MilestoneInput(
        title=form.title.data,
        description=form.description.data or "",
        stage=form.stage.data,
        due_on=form.due_on.data,
        owner_id=form.owner_id.data or None,
    )


def _stage_form(venture: Venture) -> StageForm:
    """The stage-move form, carrying the stage the page shows (a move made meanwhile
    refuses it)."""
    return StageForm(data={"stage": venture.stage, "seen_stage": venture.stage})


# Milestones -----------------------------------------------------------------------------------


@bp.route("/ventures/<int:venture_id>/milestones", methods=["GET", "POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def milestones(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    form = MilestoneForm()
    form.owner_id.choices = _owner_choices(venture)
    if not form.is_submitted():
        form.stage.data = venture.stage
    if submit(
        form,
        lambda: pipeline_milestones.create_milestone(
            venture, _milestone_input(form), by=current_user
        ),
        _("Milestone added."),
    ):
        return redirect(url_for("pipeline.milestones", venture_id=venture.id))
    today = clock.today()
    return render_template(
        "pipeline/milestones.html",
        venture=venture,
        milestones=pipeline_milestones.venture_milestones(venture),
        form=form,
        evidence_form=EvidenceForm(),
        review_form=ReviewForm(),
        stage_form=_stage_form(venture),
        is_manager=permissions.is_manager(current_user),
        today=today,
        stages=list(Stage),
        risk=assess([venture], today)[venture.id],
    )


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def edit_milestone(milestone_id: int):
    milestone = found_or_404(Milestone, milestone_id, permissions.may_view_milestone)
    form = EditMilestoneForm(obj=milestone)
    form.owner_id.choices = _owner_choices(milestone.venture)
    if not form.is_submitted():
        form.owner_id.data = milestone.owner_id or 0
    saved = submit(
        form,
        lambda: pipeline_milestones.update_milestone(
            milestone, _milestone_input(form), by=current_user, expected_version=form.version.data
        ),
        _("Milestone saved."),
    )
    if saved:
        return redirect(url_for("pipeline.milestones", venture_id=milestone.venture_id))
    return render_edit_page(
        "pipeline/milestone_form.html", saved.stale, form=form, milestone=milestone
    )


@dataclass(frozen=True)
class MilestoneAction:
    """A button on a milestone: the service call it makes (its name is the endpoint's and,
    shortened, the path's), who may press it, what is said when it is done (a message to
    translate, `%(title)s` the milestone's) and the form it posts."""

    act: Callable[..., None]
    roles: tuple[Role, ...]
    success: str
    form: type[FlaskForm] = ConfirmForm

    @property
    def endpoint(self) -> str:
        return self.act.__name__

    @property
    def path(self) -> str:
        return self.endpoint.removesuffix("_milestone").replace("_", "-")


TEAM = (Role.MANAGER, Role.FOUNDER)
MANAGERS = (Role.MANAGER,)

# Each is a POST to /milestones/<id>/<path> that goes back to the venture's milestones.
MILESTONE_ACTIONS = [
    MilestoneAction(pipeline_milestones.start_milestone, TEAM, N_("%(title)s is in progress.")),
    MilestoneAction(pipeline_milestones.verify_milestone, MANAGERS, N_("%(title)s is verified.")),
    MilestoneAction(
        pipeline_milestones.complete_milestone,
        TEAM,
        N_("%(title)s is done; a program manager will verify it."),
        EvidenceForm,
    ),
    MilestoneAction(
        pipeline_milestones.send_back_milestone,
        MANAGERS,
        N_("%(title)s went back to the founders."),
        ReviewForm,
    ),
    MilestoneAction(
        pipeline_milestones.miss_milestone,
        MANAGERS,
        N_("%(title)s is marked missed."),
        ReviewForm,
    ),
]


def _posted_details(form: FlaskForm) -> tuple:
    """What a milestone action's form adds to its service call: the evidence, a comment,
    or nothing."""
    if isinstance(form, EvidenceForm):
        return (form.evidence_url.data, form.evidence_note.data or "")
    if isinstance(form, ReviewForm):
        return (form.comment.data or "",)
    return ()


def _milestone_view(action: MilestoneAction) -> Callable:
    """The view for one milestone action: act on the posted form and go back to the list."""

    @roles(*action.roles)
    def view(milestone_id: int):
        milestone = found_or_404(Milestone, milestone_id, permissions.may_view_milestone)
        form = action.form()
        submit(
            form,
            lambda: action.act(milestone, *_posted_details(form), by=current_user),
            _(action.success, title=milestone.title),
            flash_errors=True,
        )
        return redirect(url_for("pipeline.milestones", venture_id=milestone.venture_id))

    return view


for _action in MILESTONE_ACTIONS:
    bp.add_url_rule(
        f"/milestones/<int:milestone_id>/{_action.path}",
        _action.endpoint,
        _milestone_view(_action),
        methods=["POST"],
    )


# Stage ----------------------------------------------------------------------------------------


@bp.route("/ventures/<int:venture_id>/stage", methods=["POST"])
@roles(Role.MANAGER)
def move_stage(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
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
        lambda _change: _(
            "%(venture)s moved to %(stage)s.",
            venture=venture.name,
            stage=stages.stage_label(form.stage.data),
        ),
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


def _check_in_input(form, kpis) -> checkins.CheckInInput:
    def number(value):
        return None if value is None else float(value)

    return checkins.CheckInInput(
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


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _week_argument(default: date) -> date:
    chosen = _iso_date(request.args.get("week", ""))
    return clock.week_start(chosen) if chosen else default


@bp.route("/ventures/<int:venture_id>/check-in", methods=["GET", "POST"])
@roles(Role.FOUNDER)
def check_in(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    permissions.require(
        permissions.may_post_check_in(current_user, venture),
        _("Only the venture's founders post its check-ins."),
    )
    kpis = checkins.custom_kpis(venture)
    week = _week_argument(clock.week_start(clock.today()))
    existing = checkins.check_in_for_week(venture, week)
    form = _check_in_form(venture, kpis, obj=existing)
    if not form.is_submitted():
        form.week_start.data = week
        form.seen_week.data = week.isoformat()
        form.seen_check_in.data = str(existing.id) if existing is not None else ""
        if existing is not None:
            for kpi in kpis:
                getattr(form, f"kpi_{kpi.id}").data = existing.custom_kpis.get(kpi.name)
    posted = submit(
        form,
        lambda: checkins.save_check_in(
            venture,
            _check_in_input(form, kpis),
            by=current_user,
            today=clock.today(),
            editing=_edited_check_in(venture, form.seen_check_in.data),
            opened_week=_iso_date(form.seen_week.data),
        ),
    )
    if posted:
        flash(*_check_in_saved(form.seen_check_in.data, *posted.result))
        return redirect(url_for("pipeline.check_ins", venture_id=venture.id))
    return render_template(
        "pipeline/check_in_form.html",
        form=form,
        venture=venture,
        existing=existing,
        week=week,
        week_refusal=checkins.week_refusal(venture, week, clock.today()),
        first_week=clock.week_start(venture.cohort.starts_on),
        this_week=clock.week_start(clock.today()),
        today=clock.today(),
        kpi_fields=[getattr(form, f"kpi_{kpi.id}") for kpi in kpis],
        kpi_form=KpiForm(),
    )


def _edited_check_in(venture: Venture, seen: str | None) -> CheckIn | None:
    """The venture's check-in the form was opened on, if it was opened on one."""
    return checkins.check_in_of(venture, int(seen)) if seen and seen.isdigit() else None


def _check_in_saved(seen: str | None, saved: CheckIn, created: bool) -> tuple[str, str]:
    """The message (and its category) for a saved check-in. `seen` is the id of the
    check-in the page showed ("" for none; None from a form of before it said)."""
    if created:
        return _("Check-in posted."), "success"
    if seen is None or seen == str(saved.id):
        if saved.week_start == clock.week_start(clock.today()):
            return _("This week's check-in is updated."), "success"
        updated = _(
            "The check-in for the week of %(week)s is updated.",
            week=clock.day_label(saved.week_start),
        )
        return updated, "success"
    # The page showed no check-in (or another week's): one was saved meanwhile.
    return _posted_meanwhile(saved), "warning"


def _posted_meanwhile(check_in: CheckIn) -> str:
    first = history.last_event("check_in", check_in.id, "check_in.created")
    author = first.actor if first else None
    week = clock.day_label(check_in.week_start)
    at = history.when(check_in.created_at, current_user)
    if author is not None and author.id == current_user.id:
        return _(
            "You had already posted the check-in for the week of %(week)s at %(at)s (in "
            "another tab or window); yours replaced it.",
            week=week,
            at=at,
        )
    return _(
        "%(who)s had already posted the check-in for the week of %(week)s at %(at)s; yours "
        "replaced it.",
        who=history.who(author, current_user),
        week=week,
        at=at,
    )


@bp.route("/ventures/<int:venture_id>/check-ins")
@roles(Role.MANAGER, Role.FOUNDER, Role.MENTOR)
def check_ins(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_read_check_ins)
    return render_template(
        "pipeline/check_ins.html",
        venture=venture,
        check_ins=checkins.recent_check_ins(venture, limit=52),
        kpis=checkins.custom_kpis(venture),
        kpi_tables=charts.kpi_tables(board.shown_kpis(venture)),
        chart_width=charts.CHART_WIDTH,
        chart_height=charts.CHART_HEIGHT,
        is_founder=permissions.may_post_check_in(current_user, venture),
        is_team=permissions.may_view_venture(current_user, venture),
        this_week=clock.week_start(clock.today()),
    )


@bp.route("/ventures/<int:venture_id>/kpis", methods=["POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def add_kpi(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    form = KpiForm()
    submit(
        form,
        lambda: checkins.add_custom_kpi(
            venture, form.name.data, form.unit.data or "", by=current_user
        ),
        lambda _kpi: _("Your check-ins now ask for %(kpi)s.", kpi=form.name.data),
        flash_errors=True,
    )
    return redirect(url_for("pipeline.check_in", venture_id=venture.id))


# A cohort's stage plan -------------------------------------------------------------------------


@bp.route("/pipeline/cohorts/<int:cohort_id>/plan", methods=["GET", "POST"])
@roles(Role.MANAGER)
def stage_plan(cohort_id: int):
    cohort = found_or_404(Cohort, cohort_id)
    plan_form = StagePlanForm(prefix="plan")
    template_form = TemplateForm(prefix="template")
    stale = None
    if plan_form.submit.data:
        saved = submit(
            plan_form,
            lambda: stages.set_expected_days(
                cohort,
                plan_form.stage.data,
                plan_form.expected_days.data,
                by=current_user,
                expected_version=plan_form.version.data,
            ),
            _("Expected time saved."),
        )
        if saved:
            return redirect(url_for("pipeline.stage_plan", cohort_id=cohort.id))
        stale = saved.stale
        if plan_form.stage.errors:
            # No stage's card shows this form, so its messages go above them all.
            flash_form_errors(plan_form)
    elif template_form.submit.data and submit(
        template_form,
        lambda: stages.add_milestone_template(
            cohort,
            template_form.stage.data,
            template_form.title.data,
            template_form.description.data or "",
            template_form.due_after_days.data,
            by=current_user,
        ),
        _("Default milestone added; ventures entering that stage will get it."),
    ):
        return redirect(url_for("pipeline.stage_plan", cohort_id=cohort.id))
    with transaction():
        stages.ensure_stage_plans(cohort)
    plans = stages.stage_plans(cohort)
    return render_edit_page(
        "pipeline/stage_plan.html",
        stale,
        cohort=cohort,
        plans=plans,
        templates=stages.milestone_templates(cohort),
        plan_forms=_plan_forms(plans, plan_form),
        stale_stage=plan_form.stage.data if stale else None,
        template_form=template_form,
        stages=list(Stage),
    )


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
    template = found_or_404(MilestoneTemplate, template_id)
    cohort_id = template.cohort_id
    submit(
        ConfirmForm(),
        lambda: stages.remove_milestone_template(template, by=current_user),
        _("Default milestone removed; ventures that have it keep theirs."),
        flash_errors=True,
    )
    return redirect(url_for("pipeline.stage_plan", cohort_id=cohort_id))


# The timeline ---------------------------------------------------------------------------------


@bp.route("/ventures/<int:venture_id>/timeline")
@roles(Role.MANAGER, Role.FOUNDER)
def timeline(venture_id: int):
    shown = found_or_404(
        pipeline_timeline.timeline_venture,
        venture_id,
        lambda user, shown: permissions.may_view_venture(user, shown.venture),
    )
    history = pipeline_timeline.history(venture_id)
    return render_template(
        "pipeline/timeline.html",
        venture=shown.venture,
        cohort_name=shown.cohort_name,
        entries=history.entries(),
        kind_labels=pipeline_timeline.kind_labels(),
        risk=history.risk(shown, clock.today()),
    )
