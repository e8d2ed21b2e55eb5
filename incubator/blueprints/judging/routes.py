"""Rubrics, judge assignments, scoring and results."""

from __future__ import annotations

import re
from functools import partial
from itertools import groupby

from flask import current_app, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from incubator import i18n, templating
from incubator.access import roles, rule_for
from incubator.blueprints.hackathons.labels import placement_choices, placement_label
from incubator.blueprints.judging import bp
from incubator.blueprints.judging.forms import (
    AssignForm,
    CriterionForm,
    EditCriterionForm,
    PlacementForm,
    RemoveCriterionForm,
    UnassignForm,
    comment_field_name,
    score_field_name,
    score_form,
)
from incubator.csrf_tokens import masked_csrf_token
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import (
    Challenge,
    Hackathon,
    Placement,
    Role,
    RubricCriterion,
    Submission,
    User,
)
from incubator.services.errors import InvalidInput
from incubator.services.hackathons import judging, results, stamps
from incubator.services.versions import StaleVersion
from incubator.web import download, file_stem, found_or_404, page_number, render_edit_page, submit

JUDGES_PER_PAGE = 25
ASSIGNMENTS_PER_PAGE = 25
RESULTS_PER_PAGE = 50
# The links a judge may follow, with their words (translated where shown).
LINK_FIELDS = [
    ("submission_url", N_("Submission page")),
    ("demo_url", N_("Demo")),
    ("repository_url", N_("Code")),
    ("video_url", N_("Video")),
]


@bp.context_processor
def judging_helpers() -> dict:
    return {"hackathon_url": hackathon_url}


def hackathon_url(hackathon_id: int) -> str | None:
    """The hackathon's own page, or None when the viewer may not open it (judges)."""
    rule = rule_for(current_app, "hackathons.detail")
    if rule is None or not rule.allows(current_user):
        return None
    return url_for("hackathons.detail", hackathon_id=hackathon_id)


def _normalise_requested(value: str | None) -> bool:
    return value in {"1", "true", "yes", "on"}


# Rubric ---------------------------------------------------------------------------------


def _criterion_fields(form: CriterionForm) -> tuple[str, float, int, int]:
    """The criterion's name, weight and scale as the services take them."""
    return form.name.data, float(form.weight.data), form.scale_min.data, form.scale_max.data


@bp.route("/hackathons/<int:hackathon_id>/rubric", methods=["GET", "POST"])
@roles(Role.MANAGER)
def rubric(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    form = CriterionForm()
    if submit(
        form,
        lambda: judging.add_criterion(
            hackathon,
            *_criterion_fields(form),
            description=form.description.data or "",
            by=current_user,
        ),
        lambda criterion: _("Criterion '%(name)s' added.", name=criterion.name),
    ):
        return redirect(url_for("judging.rubric", hackathon_id=hackathon.id))
    return _rubric_page(hackathon, form)


def _rubric_page(
    hackathon: Hackathon,
    form: CriterionForm,
    refused: tuple[RubricCriterion, EditCriterionForm, StaleVersion] | None = None,
):
    """The rubric with an edit form per criterion, each carrying its criterion's version;
    a refused edit's form keeps what was entered and shows the refusal."""
    criteria = hackathon.criteria
    edit_forms = {
        criterion.id: EditCriterionForm(
            obj=criterion, prefix=f"criterion-{criterion.id}", formdata=None
        )
        for criterion in criteria
    }
    stale = stale_criterion_id = None
    if refused is not None:
        criterion, edit_forms[criterion.id], stale = refused
        stale_criterion_id = criterion.id
    return render_edit_page(
        "judging/rubric.html",
        stale,
        hackathon=hackathon,
        criteria=criteria,
        form=form,
        edit_forms=edit_forms,
        stale_criterion_id=stale_criterion_id,
        score_counts=judging.criterion_score_counts(hackathon),
    )


@bp.route("/criteria/<int:criterion_id>", methods=["POST"])
@roles(Role.MANAGER)
def update_criterion(criterion_id: int):
    criterion = found_or_404(RubricCriterion, criterion_id)
    form = EditCriterionForm(prefix=f"criterion-{criterion.id}")
    saved = submit(
        form,
        lambda: judging.update_criterion(
            criterion,
            *_criterion_fields(form),
            description=form.description.data or "",
            by=current_user,
            expected_version=form.version.data,
        ),
        lambda criterion: _("Criterion '%(name)s' saved.", name=criterion.name),
        flash_errors=True,
    )
    if saved.stale:
        return _rubric_page(
            criterion.hackathon, CriterionForm(formdata=None), (criterion, form, saved.stale)
        )
    return redirect(url_for("judging.rubric", hackathon_id=criterion.hackathon_id))


@bp.route("/criteria/<int:criterion_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def remove_criterion(criterion_id: int):
    criterion = found_or_404(RubricCriterion, criterion_id)
    hackathon_id, name = criterion.hackathon_id, criterion.name
    submit(
        RemoveCriterionForm(),
        lambda: judging.remove_criterion(criterion, by=current_user),
        _("Criterion '%(name)s' removed.", name=name),
        flash_errors=True,
    )
    return redirect(url_for("judging.rubric", hackathon_id=hackathon_id))


# Judges ---------------------------------------------------------------------------------


def _assign_form(hackathon: Hackathon) -> AssignForm:
    form = AssignForm()
    form.judges.choices = [(judge.id, judge.name) for judge in judging.judge_candidates()]
    form.scope.choices = [("all", _("Every submitted submission"))] + [
        (f"challenge-{challenge.id}", _("Challenge: %(title)s", title=challenge.title))
        for challenge in hackathon.challenges
    ]
    return form


def _assign_chosen(form: AssignForm, hackathon: Hackathon) -> int:
    """Assign the judges ticked to the submissions in the chosen scope: every submitted one,
    or one challenge's (a challenge of another hackathon is not found)."""
    judges = [db.session.get(User, judge_id) for judge_id in form.judges.data]
    challenge = None
    if form.scope.data.startswith("challenge-"):
        challenge = found_or_404(
            Challenge,
            int(form.scope.data.removeprefix("challenge-")),
            lambda _viewer, challenge: challenge.hackathon_id == hackathon.id,
        )
    submissions = judging.judgeable_submissions(hackathon, challenge)
    return judging.assign_judges(hackathon, [j for j in judges if j], submissions, by=current_user)


def _assigned(added: int) -> str:
    return ngettext(
        "%(num)d new assignment; pairs already assigned were left as they were.",
        "%(num)d new assignments; pairs already assigned were left as they were.",
        added,
    )


@bp.route("/hackathons/<int:hackathon_id>/judges", methods=["GET", "POST"])
@roles(Role.MANAGER)
def assignments(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    form = _assign_form(hackathon)
    if submit(form, lambda: _assign_chosen(form, hackathon), _assigned):
        return redirect(url_for("judging.assignments", hackathon_id=hackathon.id))
    page, progress = judging.judges_page(hackathon, page_number(), JUDGES_PER_PAGE)
    return render_template(
        "judging/assignments.html",
        hackathon=hackathon,
        form=form,
        page=page,
        progress=progress,
    )


@bp.route("/hackathons/<int:hackathon_id>/judges/<int:judge_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def unassign(hackathon_id: int, judge_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    judge = found_or_404(User, judge_id)
    form = UnassignForm()
    submit(
        form,
        lambda: judging.unassign_judge_from_hackathon(
            judge, hackathon, by=current_user, force=form.force.data
        ),
        lambda removed: ngettext(
            "%(name)s was taken off %(num)d submission.",
            "%(name)s was taken off %(num)d submissions.",
            removed,
            name=judge.name,
        ),
        flash_errors=True,
    )
    return redirect(url_for("judging.assignments", hackathon_id=hackathon.id))


# Results --------------------------------------------------------------------------------


@bp.route("/hackathons/<int:hackathon_id>/results", endpoint="results")
@roles(Role.MANAGER)
def results_page(hackathon_id: int):
    """The ranking and each judge's scores. Every manager sees the same results for the same
    arguments, so they are drawn once per judging stamp (anything they show changes the
    stamp: services/hackathons/stamps.py), language and query string, and kept by the
    worker; only the frame around them (the person's name, the hackathon's name and status,
    the token each placement form carries) is drawn anew."""
    hackathon = found_or_404(Hackathon, hackathon_id)
    found = stamps.reading(hackathon)
    variant = (
        "results",
        i18n.current_language(),
        tuple(request.args.items(multi=True)),
        RESULTS_PER_PAGE,
        hackathon_url(hackathon.id),
    )
    content = stamps.remembered(found, variant, lambda: _results_content(hackathon, found))
    # A token masked for this response in every slot of the kept page (no user text can
    # write the slot: it would be escaped).
    filled = str(content).replace(CSRF_SLOT, str(escape(masked_csrf_token())))
    return render_template(
        "judging/results.html",
        hackathon=hackathon,
        content=Markup(filled),  # noqa: S704
    )


# Where the results page puts its CSRF token, for each response to fill in (an HTML comment,
# which text escaped by the template can never contain).
CSRF_SLOT = "<!--csrf-token-->"


def _results_content(hackathon: Hackathon, found: stamps.Reading) -> Markup:
    normalise = _normalise_requested(request.args.get("normalise"))
    shown = results.results_page(hackathon, normalise, page_number(), RESULTS_PER_PAGE, found)
    return templating.fragment(
        "judging/_results_content.html",
        hackathon=hackathon,
        page=shown.page,
        normalise=normalise,
        placements=placement_choices(),
        scored=shown.scored,
        tied=shown.tied,
        criteria=shown.criteria,
        token=Markup(CSRF_SLOT),  # noqa: S704
        # The placement form's URL around a submission's id, for the template to put any id in.
        placement_action=url_for("judging.set_placement", submission_id=0).rsplit("0", 1),
    )


@bp.route("/hackathons/<int:hackathon_id>/results.csv")
@roles(Role.MANAGER)
def results_csv(hackathon_id: int):
    """The whole ranking, ranked before the first line goes out (or as the worker keeps it
    under the hackathon's judging stamp), then streamed."""
    hackathon = found_or_404(Hackathon, hackathon_id)
    normalise = _normalise_requested(request.args.get("normalise"))
    found = results.kept_tally(hackathon, normalise, stamps.reading(hackathon))
    lines = results.results_csv_lines(found)
    return download(
        stream_with_context(lines),
        "text/csv",
        f"{file_stem(hackathon.name, 'hackathon')}-results.csv",
    )


def _placed(submission: Submission) -> str:
    if not submission.placement:
        return _("%(title)s: no placement.", title=submission.title)
    return _(
        "%(title)s: %(placement)s.",
        title=submission.title,
        placement=placement_label(submission.placement),
    )


@bp.route("/submissions/<int:submission_id>/placement", methods=["POST"])
@roles(Role.MANAGER)
def set_placement(submission_id: int):
    submission = found_or_404(Submission, submission_id)
    form = PlacementForm()
    submit(
        form,
        lambda: results.set_placement(
            submission,
            Placement(form.placement.data) if form.placement.data else None,
            by=current_user,
        ),
        _placed,
        flash_errors=True,
    )
    return redirect(
        url_for(
            "judging.results",
            hackathon_id=submission.hackathon_id,
            normalise="1" if _normalise_requested(form.normalise.data) else None,
        )
    )


# Judges' own pages ----------------------------------------------------------------------


@bp.route("/")
@roles(Role.JUDGE)
def my_assignments():
    page, statuses = judging.assignments_page(current_user, page_number(), ASSIGNMENTS_PER_PAGE)
    groups = [
        (hackathon, list(group))
        for hackathon, group in groupby(statuses, key=lambda status: status.submission.hackathon)
    ]
    return render_template("judging/my_assignments.html", page=page, groups=groups)


def _links(submission: Submission) -> list[tuple[str, str]]:
    """The submission's links that are safe to put in an href (no javascript: and the like)."""
    links = []
    for attribute, label in LINK_FIELDS:
        url = (getattr(submission, attribute) or "").strip()
        if url.lower().startswith(("https://", "http://")):
            links.append((_(label), url))
    return links


def _parse_score(text: str | None) -> int | str | None:
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if re.fullmatch(r"-?\d{1,6}", text) else text


def _entered_scores(form, criteria) -> tuple[dict[int, int | None], dict[int, str]]:
    """The values (whole numbers, or None where left empty) and comments the judge entered,
    by criterion id; InvalidInput when a value is not a whole number."""
    values = {}
    comments = {}
    for criterion in criteria:
        value = _parse_score(form[score_field_name(criterion)].data)
        if isinstance(value, str):
            raise InvalidInput(_("Scores must be whole numbers."))
        values[criterion.id] = value
        comments[criterion.id] = form[comment_field_name(criterion)].data or ""
    return values, comments


@bp.route("/submissions/<int:submission_id>/score", methods=["GET", "POST"])
@roles(Role.JUDGE)
def score(submission_id: int):
    # Not assigned to this judge looks exactly like not existing, so ids cannot be probed.
    submission = found_or_404(partial(judging.assigned_submission, current_user), submission_id)
    hackathon = submission.hackathon
    criteria = hackathon.criteria
    own = judging.scores_of(current_user, submission)
    initial = {}
    for criterion in criteria:
        if criterion.id in own:
            initial[score_field_name(criterion)] = str(own[criterion.id].value)
            initial[comment_field_name(criterion)] = own[criterion.id].comment
    form = score_form(criteria, data=initial)
    if submit(
        form,
        lambda: judging.submit_scores(current_user, submission, *_entered_scores(form, criteria)),
        _(
            "Scores for %(title)s saved. You can change them until judging closes.",
            title=submission.title,
        ),
        flash_errors=True,
    ):
        return redirect(url_for("judging.my_assignments"))
    return render_template(
        "judging/score.html",
        submission=submission,
        hackathon=hackathon,
        criteria=criteria,
        own=own,
        form=form,
        links=_links(submission),
        closed=judging.scoring_closed(hackathon),
    )
