"""Mentor profiles, and founders browsing mentors by expertise, language and free time.

A mentor's slots and series (publishing, changing, withdrawing, what is free) are in
services/mentoring/slots.py; wall-clock times in services/mentoring/times.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, func, select

from incubator import clock, permissions
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import MentorProfile, Role, Slot, User, UserRole, utcnow
from incubator.services import audit, locks, versions
from incubator.services.accounts import users
from incubator.services.errors import InvalidInput, NotAllowed, NotFound
from incubator.services.mentoring.slots import bookable_from, clean_text, is_free, page_of_rows
from incubator.services.mentoring.times import moment_text
from incubator.services.paging import ListPage
from incubator.vocabulary import CHALLENGE_AREAS, LANGUAGES

MAX_CAPACITY = 50


MAX_TAGS = 20


MAX_TAG_LENGTH = 40


# Profiles ------------------------------------------------------------------------------------


@dataclass
class ProfileInput:
    bio: str = ""
    organisation: str = ""
    expertise: list[str] = field(default_factory=list)
    challenge_areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    capacity: int = 3
    meeting_link: str = ""
    meeting_place: str = ""
    accepting: bool = True
    # None keeps the mentor's current time zone.
    time_zone: str | None = None


def get_profile(user: User) -> MentorProfile | None:
    """A person's mentor profile, or None before they save one."""
    return db.session.get(MentorProfile, user.id)


def get_mentor(user_id: int) -> User:
    """An active mentor by id, or NotFound."""
    mentor = db.session.get(User, user_id)
    if mentor is None or not mentor.active or not mentor.has_role(Role.MENTOR):
        raise NotFound(_("There is no such mentor."))
    return mentor


def clean_tags(values: list[str]) -> list[str]:
    """Expertise tags trimmed, with inner spaces collapsed and repeats (any case) dropped."""
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        tag = " ".join(str(value).split())
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(
                _(
                    "Each area of expertise is at most %(most)d characters; shorten “%(tag)s…”.",
                    most=MAX_TAG_LENGTH,
                    tag=tag[:MAX_TAG_LENGTH],
                )
            )
        seen.add(tag.casefold())
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(
            _(
                "List at most %(most)d areas of expertise; you gave %(count)d.",
                most=MAX_TAGS,
                count=len(tags),
            )
        )
    return tags


def _check_choices(values: list[str], allowed: list[str], refusal: str) -> list[str]:
    """The chosen values without repeats; `refusal` ("Unknown language: %(unknown)s. …",
    a message id) names those not allowed."""
    chosen = list(dict.fromkeys(values))
    unknown = [value for value in chosen if value not in allowed]
    if unknown:
        raise InvalidInput(_(refusal, unknown=", ".join(unknown)))
    return chosen


def _clean_capacity(capacity: Any) -> int:
    message = _("Capacity is a whole number of ventures from 0 to %(most)d.", most=MAX_CAPACITY)
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise InvalidInput(message)
    if not 0 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(message)
    return capacity


def clean_link(link: str | None) -> str | None:
    """A web address starting http:// or https://, or None when empty."""
    link = (link or "").strip()
    if not link:
        return None
    message = _("The meeting link must be a web address starting with https:// (or http://).")
    try:
        parts = urlsplit(link)
    except ValueError:
        raise InvalidInput(message) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(message)
    if any(character.isspace() for character in link):
        raise InvalidInput(message)
    if len(link) > 500:
        raise InvalidInput(_("The meeting link is limited to 500 characters."))
    return link


def _profile_state(profile: MentorProfile, time_zone: str) -> dict[str, Any]:
    return {
        "bio_length": len(profile.bio or ""),
        "organisation": profile.organisation,
        "expertise": list(profile.expertise or []),
        "challenge_areas": list(profile.challenge_areas or []),
        "languages": list(profile.languages or []),
        "capacity": profile.capacity,
        "meeting_link": profile.meeting_link,
        "meeting_place": profile.meeting_place,
        "accepting": profile.accepting,
        "time_zone": time_zone,
    }


# The fields of the profile form (the time zone is the mentor's), compared when a save comes
# from an older version.
PROFILE_FIELDS = (
    "bio",
    "organisation",
    "expertise",
    "challenge_areas",
    "languages",
    "capacity",
    "meeting_link",
    "meeting_place",
    "accepting",
)


def _stale_profile(
    user: User, profile: MentorProfile | None, yours: dict[str, Any], by: User
) -> versions.StaleVersion:
    theirs = {name: getattr(profile, name) for name in PROFILE_FIELDS} if profile else {}
    return versions.refusal(
        _("This mentor profile"),
        profile.version if profile else 0,
        changed_by=audit.last_actor(audit.about("mentor_profile", user.id, "mentor_profile.")),
        by=by,
        theirs=theirs | {"time_zone": user.time_zone},
        yours=yours,
    )


def save_profile(
    user: User, data: ProfileInput, *, by: User, expected_version: int | None = None
) -> MentorProfile:
    """Create or update a mentor's profile (and their time zone), after checking every field.

    A mentor without a profile is at version 0, so of two forms opened before the first
    save, the second to save is refused too.
    """
    if not permissions.may_edit_profile(by, user):
        raise NotAllowed(_("Mentors edit their own profile."))
    if not user.has_role(Role.MENTOR):
        raise NotAllowed(_("Only mentors have a mentor profile."))
    bio = clean_text(data.bio, 5000, _("The bio"))
    organisation = clean_text(data.organisation, 160, _("The organisation"))
    meeting_place = clean_text(data.meeting_place, 200, _("The meeting place"))
    expertise = clean_tags(data.expertise)
    challenge_areas = _check_choices(
        data.challenge_areas,
        CHALLENGE_AREAS,
        N_("Unknown challenge area: %(unknown)s. Choose from the list."),
    )
    languages = _check_choices(
        data.languages, LANGUAGES, N_("Unknown language: %(unknown)s. Choose from the list.")
    )
    capacity = _clean_capacity(data.capacity)
    meeting_link = clean_link(data.meeting_link)
    time_zone = data.time_zone if data.time_zone is not None else user.time_zone
    if time_zone != user.time_zone:
        users.check_time_zone(time_zone)

    # MentorProfile has no place in the lock order; the mentor's row stands for it.
    locks.lock(user)
    profile = get_profile(user)
    if profile is not None:
        db.session.refresh(profile)
    yours = {
        "bio": bio,
        "organisation": organisation,
        "expertise": expertise,
        "challenge_areas": challenge_areas,
        "languages": languages,
        "capacity": capacity,
        "meeting_link": meeting_link,
        "meeting_place": meeting_place,
        "accepting": bool(data.accepting),
        "time_zone": time_zone,
    }
    refuse = partial(_stale_profile, user, profile, yours, by)
    versions.check(profile.version if profile else 0, expected_version, refuse)
    before = _profile_state(profile, user.time_zone) if profile is not None else None
    with versions.saving(refuse):
        if profile is None:
            profile = MentorProfile(user_id=user.id)
            db.session.add(profile)
        profile.bio = bio
        profile.organisation = organisation
        profile.expertise = expertise
        profile.challenge_areas = challenge_areas
        profile.languages = languages
        profile.capacity = capacity
        profile.meeting_link = meeting_link
        profile.meeting_place = meeting_place
        profile.accepting = bool(data.accepting)
        if user.time_zone != time_zone:
            # The time zone is on this form: changing only it is a new version of the profile.
            profile.updated_at = utcnow()
        user.time_zone = time_zone
    audit.record(
        by,
        "mentor_profile.saved",
        "mentor_profile",
        user.id,
        before=before,
        after=_profile_state(profile, time_zone),
    )
    return profile


# Browsing mentors ----------------------------------------------------------------------------


@dataclass
class MentorCard:
    mentor: User
    profile: MentorProfile | None
    # The start of the mentor's next bookable free slot, None when there is none, and the
    # same as the viewer reads it (their zone, the year when it is not this year).
    next_free: datetime | None
    next_free_text: str = ""


def _json_list_items(column) -> ColumnElement[str]:
    """The text items of a JSON list column, as a column to select from, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(column).column_valued("item")
    return func.json_each(column).table_valued("value").c.value


def _like_pattern(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# "Free soon" on the mentors page: a free time within this many days.
SOON = timedelta(days=7)


def browse_mentors(
    *,
    expertise: str | None = None,
    language: str | None = None,
    free_soon: bool = False,
    page: int = 1,
    per_page: int = 20,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> ListPage:
    """Active mentors with their profile and the next time they are free to book (written
    in the viewer's zone).

    expertise matches part of any tag, in any case; language must be one the mentor speaks;
    free_soon keeps mentors free to book within SOON. Three queries whatever the number of
    mentors: the count, the page (the next free time is a correlated minimum over the
    mentor's slots, read on the (mentor, start) index), the mentors' roles.
    """
    now = now or utcnow()
    zone = zone or clock.program_zone()
    next_free = (
        select(func.min(Slot.starts_at))
        .where(Slot.mentor_id == User.id, is_free(bookable_from(now)))
        .correlate(User)
        .scalar_subquery()
    )
    statement = (
        select(User, MentorProfile, next_free.label("next_free"))
        # Joined from the mentors' role rows (ix_user_roles_role_user_id; one per person, the
        # role being in the key): asking every person whether they mentor reads them all.
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.MENTOR))
        .outerjoin(MentorProfile, MentorProfile.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.name, User.id)
    )
    expertise = " ".join((expertise or "").split())
    if expertise:
        tag = _json_list_items(MentorProfile.expertise)
        statement = statement.where(
            exists(select(1).where(func.lower(tag).like(_like_pattern(expertise), escape="\\")))
        )
    if language:
        spoken = _json_list_items(MentorProfile.languages)
        statement = statement.where(exists(select(1).where(spoken == language)))
    if free_soon:
        statement = statement.where(next_free < now + SOON)

    def card(mentor: User, profile: MentorProfile | None, starts_at: datetime | None):
        text = moment_text(starts_at, zone, now) if starts_at is not None else ""
        return MentorCard(mentor, profile, starts_at, text)

    # Unfiltered, every active mentor is counted as every mentor's role row less those of
    # deactivated people (ix_user_roles_role_user_id, ix_users_inactive): joining every
    # mentor to their person to ask whether they are active reads the whole people table.
    unfiltered = not (expertise or language or free_soon)
    return page_of_rows(
        statement, card, page, per_page, count=_active_mentors() if unfiltered else None
    )


def _active_mentors() -> Any:
    """How many active people have the mentor role, as a scalar subquery."""
    every = (
        select(func.count(UserRole.user_id))
        .where(UserRole.role == Role.MENTOR)
        .correlate(None)
        .scalar_subquery()
    )
    inactive = (
        select(func.count(UserRole.user_id))
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.MENTOR, User.active.is_(False))
        .correlate(None)
        .scalar_subquery()
    )
    return (every - inactive).label("mentors")
