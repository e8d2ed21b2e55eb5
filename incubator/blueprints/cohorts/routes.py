"""Cohorts and their ventures; promoting hackathon winners into them."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from incubator import permissions
from incubator.access import roles
from incubator.blueprints.cohorts import bp
from incubator.blueprints.cohorts.forms import (
    ArchiveForm,
    CohortChoiceForm,
    CohortForm,
    EditVentureForm,
    MemberForm,
    VentureForm,
)
from incubator.i18n import N_
from incubator.models import Cohort, Role, Venture
from incubator.services.cohorts import ventures
from incubator.services.hackathons import hackathons
from incubator.web import found_or_404, page_number, render_edit_page, submit

PER_PAGE = 25


def _cohort_input(form: CohortForm) -> ventures.CohortInput:
    return ventures.CohortInput(
        name=form.name.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        capacity=form.capacity.data,
        status=form.status.data,
        showcase_published=form.showcase_published.data,
    )


@bp.route("/")
@roles(Role.MANAGER)
def index():
    cohorts = ventures.list_cohorts()
    counts = ventures.venture_counts([c.id for c in cohorts])
    return render_template("cohorts/index.html", cohorts=cohorts, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def create():
    form = CohortForm()
    created = submit(
        form,
        lambda: ventures.create_cohort(_cohort_input(form), by=current_user),
        lambda cohort: _("%(cohort)s created.", cohort=cohort.name),
    )
    if created:
        return redirect(url_for("cohorts.detail", cohort_id=created.result.id))
    return render_template("cohorts/cohort_form.html", form=form, cohort=None)


@bp.route("/<int:cohort_id>")
@roles(Role.MANAGER)
def detail(cohort_id: int):
    cohort = found_or_404(Cohort, cohort_id)
    page = ventures.cohort_ventures(cohort, page_number(), PER_PAGE)
    return render_template("cohorts/detail.html", cohort=cohort, page=page)


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER)
def edit(cohort_id: int):
    cohort = found_or_404(Cohort, cohort_id)
    form = CohortForm(obj=cohort)
    if submit(
        form,
        lambda: ventures.update_cohort(cohort, _cohort_input(form), by=current_user),
        _("Cohort saved."),
    ):
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/cohort_form.html", form=form, cohort=cohort)


def _profile(form: VentureForm) -> ventures.VentureProfile:
    return ventures.VentureProfile(
        name=form.name.data,
        one_liner=form.one_liner.data or "",
        description=form.description.data or "",
        challenge_area=form.challenge_area.data or "",
        website=form.website.data or None,
        impact_areas=list(form.impact_areas.data or []),
        neighbourhoods=list(form.neighbourhoods.data or []),
        needs=list(form.needs.data or []),
        languages=list(form.languages.data or []),
        shared_kpis=list(form.shared_kpis.data or []),
    )


@bp.route("/<int:cohort_id>/ventures/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def add_venture(cohort_id: int):
    cohort = found_or_404(Cohort, cohort_id)
    form = VentureForm()
    added = submit(
        form,
        lambda: ventures.create_venture(cohort, _profile(form), by=current_user),
        lambda venture: _("%(venture)s added. Add its founders next.", venture=venture.name),
    )
    if added:
        return redirect(url_for("cohorts.venture", venture_id=added.result.id))
    return render_template("cohorts/venture_form.html", form=form, cohort=cohort, venture=None)


@bp.route("/ventures/<int:venture_id>")
@roles(Role.MANAGER, Role.FOUNDER)
def venture(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    is_manager = permissions.is_manager(current_user)
    return render_template(
        "cohorts/venture.html",
        venture=venture,
        is_manager=is_manager,
        member_form=MemberForm() if is_manager else None,
        archive_form=ArchiveForm() if is_manager else None,
    )


@bp.route("/ventures/<int:venture_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER, Role.FOUNDER)
def edit_venture(venture_id: int):
    venture = found_or_404(Venture, venture_id, permissions.may_view_venture)
    form = EditVentureForm(obj=venture)
    saved = submit(
        form,
        lambda: ventures.update_venture(
            venture, _profile(form), by=current_user, expected_version=form.version.data
        ),
        _("Venture profile saved."),
    )
    if saved:
        return redirect(url_for("cohorts.venture", venture_id=venture.id))
    return render_edit_page(
        "cohorts/venture_form.html", saved.stale, form=form, cohort=venture.cohort, venture=venture
    )


@bp.route("/ventures/<int:venture_id>/members", methods=["POST"])
@roles(Role.MANAGER)
def add_member(venture_id: int):
    venture = found_or_404(Venture, venture_id)
    form = MemberForm()
    submit(
        form,
        lambda: ventures.add_member(
            venture, form.email.data, form.name.data, form.role_in_team.data or "", by=current_user
        ),
        lambda _member: _("%(name)s is on the team.", name=form.name.data),
        flash_errors=True,
    )
    return redirect(url_for("cohorts.venture", venture_id=venture.id))


@bp.route("/ventures/<int:venture_id>/archive", methods=["POST"])
@roles(Role.MANAGER)
def archive_venture(venture_id: int):
    venture = found_or_404(Venture, venture_id)
    form = ArchiveForm()
    if submit(
        form,
        lambda: ventures.archive_venture(venture, form.reason.data, by=current_user),
        _("%(venture)s is archived; its history is kept.", venture=venture.name),
        flash_errors=True,
    ):
        return redirect(url_for("cohorts.detail", cohort_id=venture.cohort_id))
    return redirect(url_for("cohorts.venture", venture_id=venture.id))


CHOOSE_A_COHORT = N_("Choose an open cohort to promote into.")


@bp.route("/promote/<int:submission_id>", methods=["POST"])
@roles(Role.MANAGER)
def promote(submission_id: int):
    submission = found_or_404(hackathons.get_submission, submission_id)
    form = CohortChoiceForm()
    form.cohort_id.choices = [(c.id, c.name) for c in ventures.open_cohorts()]
    promoted = submit(
        form,
        lambda: ventures.promote(
            submission, ventures.get_cohort(form.cohort_id.data), by=current_user
        ),
    )
    if not promoted:
        if form.errors:
            flash(_(CHOOSE_A_COHORT), "danger")
        return redirect(url_for("hackathons.submission", submission_id=submission.id))
    result = promoted.result
    if result.created:
        flash(_promoted_message(result), "success")
    else:
        flash(_("%(title)s was already promoted; nothing changed.", title=submission.title), "info")
    _flash_unmatched_neighbourhoods([result])
    return redirect(url_for("cohorts.venture", venture_id=result.venture.id))


def _promoted_message(result: ventures.PromotionResult) -> str:
    return _(
        "%(venture)s joined %(cohort)s at stage Concept; %(invitations)s, %(accounts)s.",
        venture=result.venture.name,
        cohort=result.venture.cohort.name,
        invitations=ngettext(
            "%(num)d invitation sent", "%(num)d invitations sent", len(result.invited)
        ),
        accounts=ngettext(
            "%(num)d existing account added", "%(num)d existing accounts added", len(result.linked)
        ),
    )


def _flash_unmatched_neighbourhoods(results: list[ventures.PromotionResult]) -> None:
    """Warn of each promoted team whose neighbourhood answer named no known place."""
    for result in results:
        if result.unmatched_neighbourhood:
            flash(_unmatched_message(result), "warning")


def _unmatched_message(result: ventures.PromotionResult) -> str:
    matched = result.venture.neighbourhoods
    if matched:
        return _(
            "%(venture)s: the team's answer about its neighbourhood, “%(answer)s”, names a place "
            "that is not one of the city's 114 neighbourhoods; %(matched)s carried over; set its "
            "neighbourhoods on the venture's profile.",
            venture=result.venture.name,
            answer=result.unmatched_neighbourhood,
            matched=", ".join(matched),
        )
    return _(
        "%(venture)s: the team's answer about its neighbourhood, “%(answer)s”, names a place "
        "that is not one of the city's 114 neighbourhoods; set its neighbourhoods on the "
        "venture's profile.",
        venture=result.venture.name,
        answer=result.unmatched_neighbourhood,
    )


@bp.route("/promote-winners/<int:hackathon_id>", methods=["GET", "POST"])
@roles(Role.MANAGER)
def bulk_promotion(hackathon_id: int):
    hackathon = found_or_404(hackathons.get_hackathon, hackathon_id)
    cohorts = ventures.open_cohorts()
    form = CohortChoiceForm()
    form.cohort_id.choices = [(c.id, c.name) for c in cohorts]
    cohort_id = request.values.get("cohort_id", type=int)
    cohort = next((c for c in cohorts if c.id == cohort_id), None)
    if cohort is not None:
        promoted = submit(form, lambda: ventures.bulk_promote(hackathon, cohort, by=current_user))
        if promoted:
            joined = ngettext(
                "%(num)d venture joined %(cohort)s.",
                "%(num)d ventures joined %(cohort)s.",
                len(promoted.result),
                cohort=cohort.name,
            )
            flash(joined, "success")
            _flash_unmatched_neighbourhoods(promoted.result)
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    if request.method == "POST" and (cohort is None or form.errors):
        flash(_(CHOOSE_A_COHORT), "danger")
    plan = ventures.plan_bulk_promotion(hackathon, cohort) if cohort else None
    return render_template(
        "cohorts/bulk_promotion.html",
        hackathon=hackathon,
        cohorts=cohorts,
        cohort=cohort,
        plan=plan,
        form=form,
    )


@bp.route("/mine")
@roles(Role.FOUNDER)
def my_ventures():
    mine = ventures.ventures_of(current_user)
    if len(mine) == 1:
        return redirect(url_for("cohorts.venture", venture_id=mine[0].id))
    return render_template("cohorts/mine.html", ventures=mine)
