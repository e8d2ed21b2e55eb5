"""Hackathons, their challenges (including partners' proposals) and submissions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from incubator import permissions
from incubator.extensions import db
from incubator.models import (
    Challenge,
    ChallengeStatus,
    Hackathon,
    HackathonStatus,
    Organisation,
    OrganisationMember,
    Submission,
    SubmissionMember,
    SubmissionStatus,
    User,
)
from incubator.services import audit, locks, notices
from incubator.services.accounts import users
from incubator.services.errors import InvalidInput, NotAllowed, NotFound
from incubator.services.hackathons import registrations


@dataclass
class HackathonInput:
    name: str
    theme: str
    starts_on: date
    ends_on: date
    venue: str
    time_zone: str
    status: str
    description: str
    registration_open: bool = False
    # None: no limit on registrations.
    registration_capacity: int | None = None


def _check_hackathon(data: HackathonInput, current: Hackathon | None) -> None:
    if not data.name.strip():
        raise InvalidInput(_("A hackathon needs a name."))
    if data.ends_on < data.starts_on:
        raise InvalidInput(_("The hackathon cannot end before it starts."))
    if data.status not in set(HackathonStatus):
        raise InvalidInput(_("Unknown status '%(status)s'.", status=data.status))
    users.check_time_zone(data.time_zone)
    if data.registration_capacity is not None and data.registration_capacity < 1:
        raise InvalidInput(_("Registration capacity must be at least 1, or empty for no limit."))
    clash = db.session.scalar(select(Hackathon).where(Hackathon.name == data.name.strip()))
    if clash is not None and clash is not current:
        raise InvalidInput(
            _("There is already a hackathon called '%(name)s'.", name=data.name.strip())
        )


def _hackathon_state(hackathon: Hackathon) -> dict[str, Any]:
    return {
        "name": hackathon.name,
        "theme": hackathon.theme,
        "starts_on": hackathon.starts_on.isoformat(),
        "ends_on": hackathon.ends_on.isoformat(),
        "venue": hackathon.venue,
        "time_zone": hackathon.time_zone,
        "status": hackathon.status,
        "registration_open": hackathon.registration_open,
        "registration_capacity": hackathon.registration_capacity,
    }


def _fill_hackathon(hackathon: Hackathon, data: HackathonInput) -> None:
    """Set the hackathon's fields from checked input, trimmed."""
    hackathon.name = data.name.strip()
    hackathon.theme = data.theme.strip()
    hackathon.starts_on = data.starts_on
    hackathon.ends_on = data.ends_on
    hackathon.venue = data.venue.strip()
    hackathon.time_zone = data.time_zone
    hackathon.status = data.status
    hackathon.description = data.description.strip()
    hackathon.registration_open = data.registration_open
    hackathon.registration_capacity = data.registration_capacity


def create_hackathon(data: HackathonInput, *, by: User) -> Hackathon:
    _check_hackathon(data, None)
    hackathon = Hackathon()
    _fill_hackathon(hackathon, data)
    db.session.add(hackathon)
    db.session.flush()
    audit.record(
        by, "hackathon.created", "hackathon", hackathon.id, after=_hackathon_state(hackathon)
    )
    return hackathon


def update_hackathon(hackathon: Hackathon, data: HackathonInput, *, by: User) -> None:
    # Judges' scores lock the hackathon too (judging.submit_scores), so closing judging waits
    # for a score being saved, and no score is saved after it; registrations lock it to count
    # places.
    locks.lock(hackathon)
    _check_hackathon(data, hackathon)
    before = _hackathon_state(hackathon)
    _fill_hackathon(hackathon, data)
    db.session.flush()
    audit.record(
        by,
        "hackathon.updated",
        "hackathon",
        hackathon.id,
        before=before,
        after=_hackathon_state(hackathon),
    )
    # More places: the waiting list moves up into them.
    registrations.fill_places(hackathon, by=by)


def list_hackathons(page: int, per_page: int) -> Pagination:
    statement = select(Hackathon).order_by(Hackathon.starts_on.desc(), Hackathon.id.desc())
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def submission_counts(hackathon_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Submission.hackathon_id, func.count(Submission.id))
        .where(Submission.hackathon_id.in_(hackathon_ids))
        .group_by(Submission.hackathon_id)
    )
    return dict(rows.all())


def get_hackathon(hackathon_id: int) -> Hackathon:
    hackathon = db.session.get(Hackathon, hackathon_id)
    if hackathon is None:
        raise NotFound(_("There is no such hackathon."))
    return hackathon


# Challenges ---------------------------------------------------------------------------------


@dataclass
class ChallengeInput:
    title: str
    problem_statement: str
    challenge_area: str
    organisation_id: int | None
    dataset_links: str


def _check_links(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if not line.startswith(("http://", "https://")):
            raise InvalidInput(
                _("'%(link)s' is not a web link; put one http(s) link per line.", link=line)
            )
    return "\n".join(lines)


def _check_challenge(hackathon: Hackathon, data: ChallengeInput, current: Challenge | None) -> str:
    title = data.title.strip()
    if not title:
        raise InvalidInput(_("A challenge needs a title."))
    clash = db.session.scalar(
        select(Challenge).where(Challenge.hackathon_id == hackathon.id, Challenge.title == title)
    )
    if clash is not None and clash is not current:
        raise InvalidInput(
            _("This hackathon already has a challenge called '%(title)s'.", title=title)
        )
    if (
        data.organisation_id is not None
        and db.session.get(Organisation, data.organisation_id) is None
    ):
        raise InvalidInput(_("That organisation does not exist."))
    return title


def _challenge_state(challenge: Challenge) -> dict[str, Any]:
    return {
        "title": challenge.title,
        "challenge_area": challenge.challenge_area,
        "organisation_id": challenge.organisation_id,
        "status": challenge.status,
    }


def _challenge_fields(title: str, data: ChallengeInput) -> dict[str, Any]:
    """The challenge's fields from input whose title was checked; the links are checked here."""
    return {
        "title": title,
        "problem_statement": data.problem_statement.strip(),
        "challenge_area": data.challenge_area,
        "organisation_id": data.organisation_id,
        "dataset_links": _check_links(data.dataset_links),
    }


def _new_challenge(
    hackathon: Hackathon, data: ChallengeInput, status: ChallengeStatus, action: str, by: User
) -> Challenge:
    """Save a new challenge of the hackathon in this status, audited as `action`."""
    title = _check_challenge(hackathon, data, None)
    fields = _challenge_fields(title, data)
    challenge = Challenge(hackathon=hackathon, status=status, proposed_by=by, **fields)
    db.session.add(challenge)
    db.session.flush()
    audit.record(by, action, "challenge", challenge.id, after=_challenge_state(challenge))
    return challenge


def add_challenge(hackathon: Hackathon, data: ChallengeInput, *, by: User) -> Challenge:
    """A manager adds an approved challenge."""
    return _new_challenge(hackathon, data, ChallengeStatus.APPROVED, "challenge.created", by)


def partner_organisations(user: User) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrganisationMember)
            .where(OrganisationMember.user_id == user.id)
            .order_by(Organisation.name)
        )
    )


def propose_challenge(hackathon: Hackathon, data: ChallengeInput, *, by: User) -> Challenge:
    """A partner proposes a challenge on behalf of their organisation; a manager decides."""
    if hackathon.status == HackathonStatus.CLOSED:
        raise InvalidInput(_("This hackathon is closed; it takes no new challenges."))
    organisation = (
        db.session.get(Organisation, data.organisation_id) if data.organisation_id else None
    )
    if organisation is None or not permissions.speaks_for(by, organisation):
        raise NotAllowed(_("Propose challenges on behalf of an organisation you belong to."))
    challenge = _new_challenge(hackathon, data, ChallengeStatus.PROPOSED, "challenge.proposed", by)
    notices.challenge_proposed(challenge, by=by)
    return challenge


def update_challenge(challenge: Challenge, data: ChallengeInput, *, by: User) -> None:
    title = _check_challenge(challenge.hackathon, data, challenge)
    fields = _challenge_fields(title, data)
    before = _challenge_state(challenge)
    for name, value in fields.items():
        setattr(challenge, name, value)
    db.session.flush()
    audit.record(
        by,
        "challenge.updated",
        "challenge",
        challenge.id,
        before=before,
        after=_challenge_state(challenge),
    )


def decide_challenge(challenge: Challenge, approve: bool, note: str, *, by: User) -> None:
    """A manager approves or declines a proposed challenge; declining needs a reason."""
    if challenge.status != ChallengeStatus.PROPOSED:
        raise InvalidInput(_("Only a proposed challenge can be approved or declined."))
    if not approve and not note.strip():
        raise InvalidInput(_("Say why the challenge is declined; the partner sees the reason."))
    before = _challenge_state(challenge)
    challenge.status = ChallengeStatus.APPROVED if approve else ChallengeStatus.DECLINED
    challenge.decision_note = note.strip()
    db.session.flush()
    audit.record(
        by,
        "challenge.approved" if approve else "challenge.declined",
        "challenge",
        challenge.id,
        before=before,
        after=_challenge_state(challenge),
    )


def challenges_proposed_by(user: User) -> list[Challenge]:
    return list(
        db.session.scalars(
            select(Challenge)
            .options(selectinload(Challenge.hackathon), selectinload(Challenge.organisation))
            .where(Challenge.proposed_by_id == user.id)
            .order_by(Challenge.created_at.desc())
        )
    )


def open_hackathons() -> list[Hackathon]:
    """Hackathons partners may still propose challenges to."""
    return list(
        db.session.scalars(
            select(Hackathon)
            .where(Hackathon.status.in_([HackathonStatus.PLANNED, HackathonStatus.OPEN]))
            .order_by(Hackathon.starts_on)
        )
    )


# Submissions ----------------------------------------------------------------------------------


# The same test as the Devpost import's: something@domain.tld, no spaces.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class MemberInput:
    name: str
    email: str | None


@dataclass
class SubmissionInput:
    team_name: str
    title: str
    tagline: str
    description: str
    challenge_id: int | None
    demo_url: str | None
    repository_url: str | None
    video_url: str | None
    members: list[MemberInput]


def parse_members(text: str) -> list[MemberInput]:
    """Team members from lines of 'Name <email>' or 'Name, email' (email optional)."""
    members = []
    seen = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, email = line, None
        if "<" in line and line.endswith(">"):
            name, _separator, email = line[:-1].partition("<")
        elif "," in line:
            name, _separator, email = line.partition(",")
        name = name.strip()
        email = users.normalise_email(email) if email and email.strip() else None
        if not name:
            raise InvalidInput(_("Team member line %(number)s has no name.", number=number))
        if email is not None and (not EMAIL.fullmatch(email) or len(email) > 254):
            raise InvalidInput(
                _(
                    "Team member line %(number)s: '%(email)s' is not an email address.",
                    number=number,
                    email=email,
                )
            )
        if email is not None:
            if email in seen:
                raise InvalidInput(_("%(email)s is listed twice in the team.", email=email))
            seen.add(email)
        members.append(MemberInput(name=name[:120], email=email))
    return members


def _check_submission(hackathon: Hackathon, data: SubmissionInput) -> None:
    if not data.title.strip():
        raise InvalidInput(_("A submission needs a project title."))
    if not data.team_name.strip():
        raise InvalidInput(_("A submission needs a team name."))
    if data.challenge_id is not None:
        challenge = db.session.get(Challenge, data.challenge_id)
        if challenge is None or challenge.hackathon_id != hackathon.id:
            raise InvalidInput(_("Choose a challenge of this hackathon."))
        if challenge.status != ChallengeStatus.APPROVED:
            raise InvalidInput(_("Choose an approved challenge; this one is still a proposal."))
    for url in (data.demo_url, data.repository_url, data.video_url):
        if url and not url.startswith(("http://", "https://")):
            raise InvalidInput(_("'%(link)s' is not a web link.", link=url))


def _submission_state(submission: Submission) -> dict[str, Any]:
    return {
        "title": submission.title,
        "team_name": submission.team_name,
        "challenge_id": submission.challenge_id,
        "placement": submission.placement,
        "members": [member.email or member.name for member in submission.members],
    }


def _sync_members(submission: Submission, members: list[MemberInput]) -> None:
    """Make the team match the list: existing accounts are linked, others kept as invitees."""
    current = {(m.email or f"name:{m.name}"): m for m in submission.members}
    wanted = {}
    for member in members:
        key = member.email or f"name:{member.name}"
        row = current.get(key) or SubmissionMember(name=member.name, email=member.email)
        row.name = member.name
        if member.email and row.user_id is None:
            user = users.user_by_email(member.email)
            row.user_id = user.id if user is not None else None
        wanted[key] = row
    submission.members = list(wanted.values())


def _fill_submission(submission: Submission, data: SubmissionInput) -> None:
    """Set the submission's fields and team from checked input."""
    submission.team_name = data.team_name.strip()
    submission.title = data.title.strip()
    submission.tagline = data.tagline.strip()
    submission.description = data.description.strip()
    submission.challenge_id = data.challenge_id
    submission.demo_url = data.demo_url or None
    submission.repository_url = data.repository_url or None
    submission.video_url = data.video_url or None
    _sync_members(submission, data.members)


def create_submission(hackathon: Hackathon, data: SubmissionInput, *, by: User) -> Submission:
    _check_submission(hackathon, data)
    submission = Submission(hackathon=hackathon, status=SubmissionStatus.SUBMITTED, extra={})
    db.session.add(submission)
    _fill_submission(submission, data)
    db.session.flush()
    audit.record(
        by, "submission.created", "submission", submission.id, after=_submission_state(submission)
    )
    return submission


def update_submission(submission: Submission, data: SubmissionInput, *, by: User) -> None:
    _check_submission(submission.hackathon, data)
    before = _submission_state(submission)
    _fill_submission(submission, data)
    db.session.flush()
    audit.record(
        by,
        "submission.updated",
        "submission",
        submission.id,
        before=before,
        after=_submission_state(submission),
    )


def get_submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(_("There is no such submission."))
    return submission


def list_submissions(hackathon: Hackathon, page: int, per_page: int) -> Pagination:
    statement = (
        select(Submission)
        .options(selectinload(Submission.members), selectinload(Submission.challenge))
        .where(Submission.hackathon_id == hackathon.id)
        .order_by(Submission.title, Submission.id)
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
