"""Mentoring: mentor profiles, and founders browsing mentors and their free times."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from incubator import clock
from incubator.access import roles
from incubator.blueprints.mentoring import bp
from incubator.blueprints.mentoring.profile_forms import MentorProfileForm
from incubator.models import Role
from incubator.services.mentoring import profiles
from incubator.services.mentoring import slots as slot_service
from incubator.vocabulary import LANGUAGES
from incubator.web import found_or_404, page_number, render_edit_page, submit

PER_PAGE = 20
# Free times on a mentor's page, soonest first; later ones are on the next pages.
SLOTS_PER_PAGE = 30


@bp.route("/mentors")
@roles(Role.FOUNDER, Role.MANAGER)
def mentors():
    expertise = request.args.get("expertise", "").strip()[:100]
    language = request.args.get("language", "")
    language = language if language in LANGUAGES else ""
    available = request.args.get("available") == "y"
    page = profiles.browse_mentors(
        expertise=expertise,
        language=language or None,
        free_soon=available,
        page=page_number(),
        per_page=PER_PAGE,
        zone=clock.viewer_zone(),
    )
    return render_template(
        "mentoring/mentors.html",
        page=page,
        expertise=expertise,
        language=language,
        available=available,
        languages=LANGUAGES,
    )


@bp.route("/mentors/<int:user_id>")
@roles(Role.FOUNDER, Role.MANAGER)
def mentor(user_id: int):
    mentor = found_or_404(profiles.get_mentor, user_id)
    page = slot_service.free_slots_page(mentor, page_number(), SLOTS_PER_PAGE)
    return render_template(
        "mentoring/mentor.html",
        mentor=mentor,
        profile=profiles.get_profile(mentor),
        page=page,
        days=slot_service.by_local_day(page.items, clock.viewer_zone()),
        today=clock.today(clock.viewer_zone()),
        can_book=current_user.has_role(Role.FOUNDER),
    )


def _profile_input(form: MentorProfileForm) -> profiles.ProfileInput:
    return profiles.ProfileInput(
        bio=form.bio.data or "",
        organisation=form.organisation.data or "",
        expertise=list(form.expertise.data or []),
        challenge_areas=list(form.challenge_areas.data or []),
        languages=list(form.languages.data or []),
        capacity=form.capacity.data,
        meeting_link=form.meeting_link.data or "",
        meeting_place=form.meeting_place.data or "",
        accepting=form.accepting.data,
        time_zone=form.time_zone.data,
    )


@bp.route("/profile", methods=["GET", "POST"])
@roles(Role.MENTOR)
def edit_profile():
    profile = profiles.get_profile(current_user)
    form = MentorProfileForm(obj=profile)
    if not form.is_submitted():
        form.time_zone.data = current_user.time_zone
    saved = submit(
        form,
        lambda: profiles.save_profile(
            # The mentor's row is locked, and the lock order goes by the model's type.
            current_user._get_current_object(),
            _profile_input(form),
            by=current_user,
            expected_version=form.version.data,
        ),
        _("Your mentor profile is saved."),
    )
    if saved:
        return redirect(url_for("mentoring.edit_profile"))
    return render_edit_page("mentoring/profile_form.html", saved.stale, form=form, profile=profile)
