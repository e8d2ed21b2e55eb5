"""Hackathons, challenges and submissions."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from incubator.access import roles
from incubator.blueprints.hackathons import bp
from incubator.blueprints.hackathons.forms import (
    ChallengeDecisionForm,
    ChallengeForm,
    HackathonForm,
    ProposeChallengeForm,
    SubmissionForm,
)
from incubator.extensions import db
from incubator.models import Challenge, ChallengeStatus, Hackathon, Organisation, Role, Submission
from incubator.services.cohorts import ventures
from incubator.services.hackathons import hackathons
from incubator.web import found_or_404, page_number, submit

PER_PAGE = 25


def _hackathon_input(form: HackathonForm) -> hackathons.HackathonInput:
    return hackathons.HackathonInput(
        name=form.name.data,
        theme=form.theme.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        venue=form.venue.data or "",
        time_zone=form.time_zone.data,
        status=form.status.data,
        description=form.description.data or "",
        registration_open=form.registration_open.data,
        registration_capacity=form.registration_capacity.data,
    )


@bp.route("/")
@roles(Role.MANAGER)
def index():
    page = hackathons.list_hackathons(page_number(), PER_PAGE)
    counts = hackathons.submission_counts([h.id for h in page.items])
    return render_template("hackathons/index.html", page=page, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def create():
    form = HackathonForm()
    created = submit(
        form,
        lambda: hackathons.create_hackathon(_hackathon_input(form), by=current_user),
        lambda hackathon: _("%(name)s created. Add its challenges next.", name=hackathon.name),
    )
    if created:
        return redirect(url_for("hackathons.detail", hackathon_id=created.result.id))
    return render_template("hackathons/form.html", form=form, hackathon=None)


@bp.route("/<int:hackathon_id>")
@roles(Role.MANAGER)
def detail(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    page = hackathons.list_submissions(hackathon, page_number(), PER_PAGE)
    promoted = {
        venture.submission_id: venture
        for venture in ventures.ventures_for_submissions([s.id for s in page.items])
    }
    return render_template(
        "hackathons/detail.html",
        hackathon=hackathon,
        page=page,
        promoted=promoted,
        decision_form=ChallengeDecisionForm(),
        cohorts=ventures.open_cohorts(),
    )


@bp.route("/<int:hackathon_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER)
def edit(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    form = HackathonForm(obj=hackathon)
    if submit(
        form,
        lambda: hackathons.update_hackathon(hackathon, _hackathon_input(form), by=current_user),
        _("Hackathon saved."),
    ):
        return redirect(url_for("hackathons.detail", hackathon_id=hackathon.id))
    return render_template("hackathons/form.html", form=form, hackathon=hackathon)


# Challenges -----------------------------------------------------------------------------------


def _organisation_choices(organisations=None) -> list[tuple[int, str]]:
    if organisations is None:
        organisations = db.session.scalars(select(Organisation).order_by(Organisation.name))
        return [(0, _("The program team"))] + [(org.id, org.name) for org in organisations]
    return [(org.id, org.name) for org in organisations]


def _challenge_input(form: ChallengeForm) -> hackathons.ChallengeInput:
    return hackathons.ChallengeInput(
        title=form.title.data,
        problem_statement=form.problem_statement.data,
        challenge_area=form.challenge_area.data or "",
        organisation_id=form.organisation_id.data or None,
        dataset_links=form.dataset_links.data or "",
    )


@bp.route("/<int:hackathon_id>/challenges/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def add_challenge(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    form = ChallengeForm()
    form.organisation_id.choices = _organisation_choices()
    if submit(
        form,
        lambda: hackathons.add_challenge(hackathon, _challenge_input(form), by=current_user),
        _("Challenge added."),
    ):
        return redirect(url_for("hackathons.detail", hackathon_id=hackathon.id))
    return render_template("hackathons/challenge_form.html", form=form, hackathon=hackathon)


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER)
def edit_challenge(challenge_id: int):
    challenge = found_or_404(Challenge, challenge_id)
    form = ChallengeForm(obj=challenge)
    form.organisation_id.choices = _organisation_choices()
    if not form.is_submitted():
        form.organisation_id.data = challenge.organisation_id or 0
    if submit(
        form,
        lambda: hackathons.update_challenge(challenge, _challenge_input(form), by=current_user),
        _("Challenge saved."),
    ):
        return redirect(url_for("hackathons.detail", hackathon_id=challenge.hackathon_id))
    return render_template(
        "hackathons/challenge_form.html", form=form, hackathon=challenge.hackathon
    )


def _decided(challenge: Challenge, form: ChallengeDecisionForm) -> str:
    if form.approve.data:
        return _("Challenge '%(title)s' approved.", title=challenge.title)
    return _("Challenge '%(title)s' declined.", title=challenge.title)


@bp.route("/challenges/<int:challenge_id>/decision", methods=["POST"])
@roles(Role.MANAGER)
def decide_challenge(challenge_id: int):
    challenge = found_or_404(Challenge, challenge_id)
    form = ChallengeDecisionForm()
    decided = submit(
        form,
        lambda: hackathons.decide_challenge(
            challenge, form.approve.data, form.note.data or "", by=current_user
        ),
        lambda _challenge: _decided(challenge, form),
    )
    if not decided and form.errors:
        flash(_("That decision was not understood; nothing changed."), "danger")
    return redirect(url_for("hackathons.detail", hackathon_id=challenge.hackathon_id))


@bp.route("/proposals", methods=["GET", "POST"])
@roles(Role.PARTNER)
def propose_challenge():
    organisations = hackathons.partner_organisations(current_user)
    open_hackathons = hackathons.open_hackathons()
    form = ProposeChallengeForm()
    form.organisation_id.choices = _organisation_choices(organisations)
    form.hackathon_id.choices = [(h.id, h.name) for h in open_hackathons]
    if (
        organisations
        and open_hackathons
        and submit(
            form,
            lambda: hackathons.propose_challenge(
                hackathons.get_hackathon(form.hackathon_id.data),
                _challenge_input(form),
                by=current_user,
            ),
            _("Challenge proposed. A program manager will review it."),
        )
    ):
        return redirect(url_for("hackathons.propose_challenge"))
    return render_template(
        "hackathons/proposals.html",
        form=form,
        organisations=organisations,
        open_hackathons=open_hackathons,
        proposals=hackathons.challenges_proposed_by(current_user),
        statuses=ChallengeStatus,
    )


# Submissions ----------------------------------------------------------------------------------


def _challenge_choices(hackathon) -> list[tuple[int, str]]:
    return [(0, _("No particular challenge"))] + [
        (c.id, c.title) for c in hackathon.challenges if c.status == ChallengeStatus.APPROVED
    ]


def _submission_input(form: SubmissionForm) -> hackathons.SubmissionInput:
    return hackathons.SubmissionInput(
        team_name=form.team_name.data,
        title=form.title.data,
        tagline=form.tagline.data or "",
        description=form.description.data or "",
        challenge_id=form.challenge_id.data or None,
        demo_url=form.demo_url.data or None,
        repository_url=form.repository_url.data or None,
        video_url=form.video_url.data or None,
        members=hackathons.parse_members(form.members.data or ""),
    )


@bp.route("/<int:hackathon_id>/submissions/new", methods=["GET", "POST"])
@roles(Role.MANAGER)
def add_submission(hackathon_id: int):
    hackathon = found_or_404(Hackathon, hackathon_id)
    form = SubmissionForm()
    form.challenge_id.choices = _challenge_choices(hackathon)
    added = submit(
        form,
        lambda: hackathons.create_submission(hackathon, _submission_input(form), by=current_user),
        lambda submission: _("%(title)s added.", title=submission.title),
    )
    if added:
        return redirect(url_for("hackathons.submission", submission_id=added.result.id))
    return render_template("hackathons/submission_form.html", form=form, hackathon=hackathon)


def _members_text(submission) -> str:
    return "\n".join(f"{m.name} <{m.email}>" if m.email else m.name for m in submission.members)


@bp.route("/submissions/<int:submission_id>/edit", methods=["GET", "POST"])
@roles(Role.MANAGER)
def edit_submission(submission_id: int):
    submission = found_or_404(Submission, submission_id)
    form = SubmissionForm(obj=submission)
    form.challenge_id.choices = _challenge_choices(submission.hackathon)
    if not form.is_submitted():
        form.challenge_id.data = submission.challenge_id or 0
        form.members.data = _members_text(submission)
    if submit(
        form,
        lambda: hackathons.update_submission(submission, _submission_input(form), by=current_user),
        _("Submission saved."),
    ):
        return redirect(url_for("hackathons.submission", submission_id=submission.id))
    return render_template(
        "hackathons/submission_form.html", form=form, hackathon=submission.hackathon
    )


@bp.route("/submissions/<int:submission_id>")
@roles(Role.MANAGER)
def submission(submission_id: int):
    submission = found_or_404(Submission, submission_id)
    return render_template(
        "hackathons/submission.html",
        submission=submission,
        venture=ventures.venture_for_submission(submission),
        cohorts=ventures.open_cohorts(),
    )
