"""Rubrics, judge assignments, scoring and results."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import groupby

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from incubator.access import roles, rule_for
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
from incubator.extensions import db
from incubator.models import (
    Challenge,
    Hackathon,
    Placement,
    Role,
    RubricCriterion,
    Submission,
    User,
)
from incubator.services.errors import DomainError, InvalidInput
from incubator.services.hackathons import judging
from incubator.services.transactions import attempt, transaction
from incubator.services.versions import StaleVersion
from incubator.web import flash_form_errors, page_number

JUDGES_PER_PAGE = 25
ASSIGNMENTS_PER_PAGE = 25
RESULTS_PER_PAGE = 50
# Two requests adding the same name at once: the database refuses the second.
_NAME_TAKEN_MEANWHILE = "A criterion with that name was saved a moment ago; nothing changed."
LINK_FIELDS = [
    ("submission_url", "Submission page"),
    ("demo_url", "Demo"),
    ("repository_url", "Code"),
    ("video_url", "Video"),
]


@dataclass
class ListPage:
    """One page of an already computed list, shaped like Flask-SQLAlchemy's Pagination."""

    all_items: list
    page: int
    per_page: int
    items: list = field(init=False)

    def __post_init__(self) -> None:
        self.page = min(self.page, self.pages)
        start = (self.page - 1) * self.per_page
        self.items = self.all_items[start : start + self.per_page]

    @property
    def total(self) -> int:
        return len(self.all_items)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@bp.context_processor
def judging_helpers() -> dict:
    return {"hackathon_url": hackathon_url}


def hackathon_url(hackathon_id: int) -> str | None:
    """The hackathon's own page, or None when the viewer may not open it (judges)."""
    rule = rule_for(current_app, "hackathons.detail")
    if rule is None or not rule.allows(current_user):
        return None
    return url_for("hackathons.detail", hackathon_id=hackathon_id)


def _hackathon_or_404(hackathon_id: int) -> Hackathon:
    hackathon = db.session.get(Hackathon, hackathon_id)
    if hackathon is None:
        abort(404)
    return hackathon


def _criterion_or_404(criterion_id: int) -> RubricCriterion:
    criterion = db.session.get(RubricCriterion, criterion_id)
    if criterion is None:
        abort(404)
    return criterion


def _normalise_requested(value: str | None) -> bool:
    return value in {"1", "true", "yes", "on"}


# Rubric ---------------------------------------------------------------------------------


@bp.route("/hackathons/<int:hackathon_id>/rubric", methods=["GET", "POST"])
@roles(Role.MANAGER)
def rubric(hackathon_id: int):
    hackathon = _hackathon_or_404(hackathon_id)
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            with transaction():
                criterion = judging.add_criterion(
                    hackathon,
                    form.name.data,
                    float(form.weight.data),
                    form.scale_min.data,
                    form.scale_max.data,
                    description=form.description.data or "",
                    by=current_user,
                )
        except DomainError as error:
            flash(error.message, "danger")
        except IntegrityError:
            flash(_NAME_TAKEN_MEANWHILE, "danger")
        else:
            flash(f"Criterion {criterion.name!r} added.", "success")
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
    page = render_template(
        "judging/rubric.html",
        hackathon=hackathon,
        criteria=criteria,
        form=form,
        edit_forms=edit_forms,
        stale=stale,
        stale_criterion_id=stale_criterion_id,
        score_counts=judging.criterion_score_counts(hackathon),
    )
    return page, 409 if stale else 200


@bp.route("/criteria/<int:criterion_id>", methods=["POST"])
@roles(Role.MANAGER)
def update_criterion(criterion_id: int):
    criterion = _criterion_or_404(criterion_id)
    form = EditCriterionForm(prefix=f"criterion-{criterion.id}")
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        try:
            with transaction():
                judging.update_criterion(
                    criterion,
                    form.name.data,
                    float(form.weight.data),
                    form.scale_min.data,
                    form.scale_max.data,
                    description=form.description.data or "",
                    by=current_user,
                    expected_version=form.version.data,
                )
        except StaleVersion as error:
            form.version.data = error.version
            return _rubric_page(
                criterion.hackathon, CriterionForm(formdata=None), (criterion, form, error)
            )
        except DomainError as error:
            flash(error.message, "danger")
        except IntegrityError:
            flash(_NAME_TAKEN_MEANWHILE, "danger")
        else:
            flash(f"Criterion {criterion.name!r} saved.", "success")
    return redirect(url_for("judging.rubric", hackathon_id=criterion.hackathon_id))


@bp.route("/criteria/<int:criterion_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def remove_criterion(criterion_id: int):
    criterion = _criterion_or_404(criterion_id)
    hackathon_id, name = criterion.hackathon_id, criterion.name
    form = RemoveCriterionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        try:
            with transaction():
                judging.remove_criterion(criterion, by=current_user)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"Criterion {name!r} removed.", "success")
    return redirect(url_for("judging.rubric", hackathon_id=hackathon_id))


# Judges ---------------------------------------------------------------------------------


def _assign_form(hackathon: Hackathon) -> AssignForm:
    form = AssignForm()
    form.judges.choices = [(judge.id, judge.name) for judge in judging.judge_candidates()]
    form.scope.choices = [("all", "Every submitted submission")] + [
        (f"challenge-{challenge.id}", f"Challenge: {challenge.title}")
        for challenge in hackathon.challenges
    ]
    return form


@bp.route("/hackathons/<int:hackathon_id>/judges", methods=["GET", "POST"])
@roles(Role.MANAGER)
def assignments(hackathon_id: int):
    hackathon = _hackathon_or_404(hackathon_id)
    form = _assign_form(hackathon)
    if form.validate_on_submit():
        judges = [db.session.get(User, judge_id) for judge_id in form.judges.data]
        challenge = None
        if form.scope.data.startswith("challenge-"):
            challenge = db.session.get(Challenge, int(form.scope.data.removeprefix("challenge-")))
            if challenge is None or challenge.hackathon_id != hackathon.id:
                abort(404)
        try:
            with transaction():
                submissions = judging.judgeable_submissions(hackathon, challenge)
                added = judging.assign_judges(
                    hackathon, [j for j in judges if j], submissions, by=current_user
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                f"{added} new assignment{'s' if added != 1 else ''}; "
                "pairs already assigned were left as they were.",
                "success",
            )
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
    hackathon = _hackathon_or_404(hackathon_id)
    judge = db.session.get(User, judge_id)
    if judge is None:
        abort(404)
    form = UnassignForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        try:
            with transaction():
                removed = judging.unassign_judge_from_hackathon(
                    judge, hackathon, by=current_user, force=form.force.data
                )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(f"{judge.name} was taken off {removed} submission(s).", "success")
    return redirect(url_for("judging.assignments", hackathon_id=hackathon.id))


# Results --------------------------------------------------------------------------------


@bp.route("/hackathons/<int:hackathon_id>/results")
@roles(Role.MANAGER)
def results(hackathon_id: int):
    hackathon = _hackathon_or_404(hackathon_id)
    normalise = _normalise_requested(request.args.get("normalise"))
    rows = judging.results(hackathon, normalise=normalise)
    return render_template(
        "judging/results.html",
        hackathon=hackathon,
        page=ListPage(rows, page_number(), RESULTS_PER_PAGE),
        normalise=normalise,
        placements=list(Placement),
        scored=sum(1 for row in rows if row.complete_scores),
    )


@bp.route("/hackathons/<int:hackathon_id>/results.csv")
@roles(Role.MANAGER)
def results_csv(hackathon_id: int):
    hackathon = _hackathon_or_404(hackathon_id)
    normalise = _normalise_requested(request.args.get("normalise"))
    text = judging.results_csv(judging.results(hackathon, normalise=normalise))
    slug = re.sub(r"[^a-z0-9]+", "-", hackathon.name.lower()).strip("-") or "hackathon"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-results.csv"'},
    )


@bp.route("/submissions/<int:submission_id>/placement", methods=["POST"])
@roles(Role.MANAGER)
def set_placement(submission_id: int):
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    form = PlacementForm()
    back = url_for(
        "judging.results",
        hackathon_id=submission.hackathon_id,
        normalise="1" if _normalise_requested(form.normalise.data) else None,
    )
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    placement = Placement(form.placement.data) if form.placement.data else None
    try:
        with transaction():
            judging.set_placement(submission, placement, by=current_user)
    except DomainError as error:
        flash(error.message, "danger")
    else:
        label = placement.label if placement else "no placement"
        flash(f"{submission.title}: {label}.", "success")
    return redirect(back)


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
            links.append((label, url))
    return links


def _parse_score(text: str | None) -> int | str | None:
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if re.fullmatch(r"-?\d{1,6}", text) else text


@bp.route("/submissions/<int:submission_id>/score", methods=["GET", "POST"])
@roles(Role.JUDGE)
def score(submission_id: int):
    # Not assigned to this judge looks exactly like not existing, so ids cannot be probed.
    submission = judging.assigned_submission(current_user, submission_id)
    if submission is None:
        abort(404)
    hackathon = submission.hackathon
    criteria = hackathon.criteria
    own = judging.scores_of(current_user, submission)
    initial = {}
    for criterion in criteria:
        if criterion.id in own:
            initial[score_field_name(criterion)] = str(own[criterion.id].value)
            initial[comment_field_name(criterion)] = own[criterion.id].comment
    form = score_form(criteria, data=initial)
    if form.validate_on_submit():
        values = {}
        comments = {}
        for criterion in criteria:
            values[criterion.id] = _parse_score(form[score_field_name(criterion)].data)
            comments[criterion.id] = form[comment_field_name(criterion)].data or ""
        try:
            numbers = {key: value for key, value in values.items() if not isinstance(value, str)}
            if len(numbers) != len(values):
                raise InvalidInput("Scores must be whole numbers.")
            attempt(lambda: judging.submit_scores(current_user, submission, numbers, comments))
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                f"Scores for {submission.title} saved. You can change them until judging closes.",
                "success",
            )
            return redirect(url_for("judging.my_assignments"))
    elif request.method == "POST":
        flash_form_errors(form)
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
