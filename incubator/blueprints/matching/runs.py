"""Matching: runs for a cohort, their review and publishing, and answering introductions."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from incubator.access import roles
from incubator.blueprints.matching import bp
from incubator.blueprints.matching.run_forms import (
    KIND_LABELS,
    METHOD_LABELS,
    AnswerForm,
    PublishForm,
    ReviewForm,
    RunForm,
    SwapForm,
)
from incubator.models import Match, MatchingRun, Role
from incubator.services import introductions, ventures
from incubator.services.errors import DomainError, NotFound
from incubator.web import attempt, flash_form_errors


def _run(run_id: int) -> MatchingRun:
    try:
        return introductions.get_run(run_id)
    except NotFound:
        abort(404)


def _proposed(match_id: int) -> Match:
    try:
        return introductions.get_match(match_id)
    except NotFound:
        abort(404)


def _back_to(run: MatchingRun):
    return redirect(url_for("matching.cohort_runs", cohort_id=run.cohort_id))


def _swap_choices(matches: list[Match], match: Match) -> list[tuple[int, str]]:
    return [
        (other.id, f"{other.venture.name} with {introductions.counterpart_name(other)}")
        for other in matches
        if other.id != match.id and other.venture_id != match.venture_id
    ]


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@roles(Role.MANAGER)
def cohort_runs(cohort_id: int):
    try:
        cohort = ventures.get_cohort(cohort_id)
    except NotFound:
        abort(404)
    form = RunForm()
    if form.validate_on_submit():
        try:
            run = attempt(
                lambda: introductions.run_matching(
                    cohort,
                    form.kind.data,
                    form.method.data,
                    form.min_per_venture.data,
                    form.max_per_venture.data,
                    by=current_user,
                )
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                f"Proposed {len(introductions.run_matches(run))} matches. Review them, then "
                "publish.",
                "success",
            )
            return redirect(url_for("matching.cohort_runs", cohort_id=cohort_id))
    elif form.is_submitted():
        flash_form_errors(form)
    drafts = []
    for kind, run in introductions.latest_drafts(cohort).items():
        matches = introductions.run_matches(run)
        swaps = {}
        for match in matches:
            swap_form = SwapForm(prefix=f"swap-{match.id}")
            swap_form.other_id.choices = _swap_choices(matches, match)
            swaps[match.id] = swap_form
        drafts.append((kind, run, matches, swaps))
    return render_template(
        "matching/runs.html",
        cohort=cohort,
        form=form,
        runs=introductions.runs_of(cohort),
        drafts=drafts,
        introduced=introductions.cohort_introductions(cohort),
        review_form=ReviewForm(),
        publish_form=PublishForm(),
        kind_labels=KIND_LABELS,
        method_labels=METHOD_LABELS,
    )


@bp.route("/runs/matches/<int:match_id>/pin", methods=["POST"])
@roles(Role.MANAGER)
def pin(match_id: int):
    match = _proposed(match_id)
    if ReviewForm().validate_on_submit():
        try:
            pinned = attempt(lambda: introductions.pin(match, by=current_user))
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                "Pinned: it stays if you run matching again." if pinned else "Unpinned.", "success"
            )
    return redirect(url_for("matching.cohort_runs", cohort_id=match.cohort_id))


@bp.route("/runs/matches/<int:match_id>/remove", methods=["POST"])
@roles(Role.MANAGER)
def remove(match_id: int):
    match = _proposed(match_id)
    if ReviewForm().validate_on_submit():
        try:
            attempt(lambda: introductions.remove(match, by=current_user))
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash("Removed from the proposal.", "success")
    return redirect(url_for("matching.cohort_runs", cohort_id=match.cohort_id))


@bp.route("/runs/matches/<int:match_id>/swap", methods=["POST"])
@roles(Role.MANAGER)
def swap(match_id: int):
    match = _proposed(match_id)
    form = SwapForm(prefix=f"swap-{match_id}")
    matches = introductions.run_matches(match.run) if match.run is not None else []
    form.other_id.choices = _swap_choices(matches, match)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("matching.cohort_runs", cohort_id=match.cohort_id))
    try:
        attempt(
            lambda: introductions.swap(
                match, introductions.get_match(form.other_id.data), by=current_user
            )
        )
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash("Swapped and scored again.", "success")
    return redirect(url_for("matching.cohort_runs", cohort_id=match.cohort_id))


@bp.route("/runs/<int:run_id>/publish", methods=["POST"])
@roles(Role.MANAGER)
def publish(run_id: int):
    run = _run(run_id)
    form = PublishForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back_to(run)
    try:
        matches = attempt(lambda: introductions.publish(run, by=current_user))
    except DomainError as error:
        flash(error.message, "danger")
    else:
        flash(f"Published: {len(matches)} introductions mailed to both sides.", "success")
    return _back_to(run)


@bp.route("/matches/<int:match_id>/rematch", methods=["POST"])
@roles(Role.MANAGER)
def rematch(match_id: int):
    match = _proposed(match_id)
    if ReviewForm().validate_on_submit():
        try:
            again = attempt(
                lambda: introductions.rematch(match.venture, match.kind, by=current_user)
            )
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(
                f"{match.venture.name} introduced to {introductions.counterpart_name(again)}.",
                "success",
            )
    return redirect(url_for("matching.cohort_runs", cohort_id=match.cohort_id))


@bp.route("/mine")
@roles(Role.FOUNDER, Role.MENTOR, Role.FUNDER, Role.PARTNER)
def my_matches():
    return render_template(
        "matching/mine.html",
        introductions=introductions.introductions_for(current_user),
        form=AnswerForm(),
    )


@bp.route("/matches/<int:match_id>/answer", methods=["POST"])
@roles(Role.FOUNDER, Role.MENTOR, Role.FUNDER, Role.PARTNER)
def answer(match_id: int):
    try:
        match = introductions.get_match(match_id)
    except NotFound:
        abort(404)
    # Someone who is neither side learns nothing, not even that the match exists.
    if introductions.side_of(match, current_user) is None or match.introduced_at is None:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit() or not (form.accept.data or form.decline.data):
        flash_form_errors(form)
        return redirect(url_for("matching.my_matches"))
    try:
        # The status this answer left, read in its transaction: once committed, the other
        # side's answer may change it at any moment.
        status = attempt(
            lambda: (
                introductions.answer(
                    match, bool(form.accept.data), form.reason.data or "", by=current_user
                ).status
            )
        )
    except DomainError as error:
        flash(error.message, "danger")
    else:
        if status == "accepted":
            flash("Both sides accepted: contact details are below.", "success")
        elif status == "declined":
            flash("Declined. Thank you for saying why.", "success")
        else:
            flash("Accepted. We will let you know when the other side answers.", "success")
    return redirect(url_for("matching.my_matches"))
