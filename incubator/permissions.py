"""Who may see or change one object: the one place every view and service asks.

`incubator/access.py` decides whether a person may call an endpoint at all, by role. This
module decides the next question, about one object: may this person see this venture, this
booking, this match, and may they do this to it? Routes ask it when they load an object by
id; services ask it again before they write, so a rule holds whoever calls them.

The rules
---------

- **Managers and administrators** see every object and take every program-team action on
  it (edit any venture and any mentor's or funder's profile, move stages, verify milestones,
  run matching, record pilots and investments, change accounts; only an administrator
  changes an administrator's account or grants that role). Acts that belong to one party
  stay that party's: posting a venture's check-ins, booking, moving and rating a session,
  writing a session's notes and outcome, answering an introduction, scoring a submission,
  ranking after an office-hours day, editing one's slots. A mentor's private notes are read
  by that mentor alone.
- **A founder** (the founder role *and* a member of the venture's team) reaches their own
  ventures: the venture page and profile, milestones, check-ins and KPIs, the timeline,
  outcomes, the venture's sessions. That is all the founder role opens, whatever other
  roles the person holds: a founder who is also a mentor, funder or partner reaches another
  venture only through that other role's rules below, and so never its founder-only pages
  (venture page, milestones, check-in form, timeline, outcomes).
- **A mentor** reaches the sessions they hold (see, cancel, record the outcome, write notes,
  read their private notes, rate) and their own slots; reads the check-ins and all KPIs of a
  venture once a mentor introduction between them is accepted by both sides; and sees the
  public fields of a venture they are introduced to.
- **Funders and partners** see a venture's public fields and only the KPIs the venture lists
  in `Venture.shared_kpis`, never its check-ins or other KPIs, matched or not. Funders see
  this for the ventures listed for funders (active, in an active cohort) and those they are
  introduced to; partners for the ventures with a pilot at, a challenge of, or an
  introduction to an organisation they speak for (a partner who is a member of it). Partners
  see and keep their organisations' pages, profiles and pilots.
- **A judge** reaches the submissions assigned to them, and scores only those.
- Each side of an introduction sees it once it is published (introduced) and answers for
  its side: the venture's founders, the mentor or funder, or the partner organisation's
  members. Managers see every match. A reason for declining is read by the program team
  and the side that declined; the other side reads it only if that side chose to share it.

Exists but not yours: an object the person may not *see* answers 404, exactly as a missing
one does, so ids cannot be probed (`web.found_or_404(getter, id, may_see)`). An object they
may see but may not *change* answers 403 for the change (`require` raises `NotAllowed`).
Endpoints a role may not call at all answer 403 before any object is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import Select, exists, false, select

from incubator.extensions import db
from incubator.models import (
    Booking,
    Challenge,
    CohortStatus,
    JudgeAssignment,
    Match,
    MatchKind,
    MatchStatus,
    Milestone,
    OfficeHoursDay,
    Organisation,
    OrganisationMember,
    Pilot,
    Role,
    Slot,
    SlotSeries,
    Submission,
    User,
    Venture,
    VentureMember,
    VentureStatus,
)
from incubator.services.errors import NotAllowed

# An introduction a counterpart has been told about and that still stands.
PUBLISHED_LIVE = (MatchStatus.INTRODUCED, MatchStatus.ACCEPTED)

Side = Literal["venture", "counterpart"]


def require(allowed: bool, message: str) -> None:
    """Raise NotAllowed (403) with a message fit for the person unless `allowed`."""
    if not allowed:
        raise NotAllowed(message)


# Who someone is to an object ------------------------------------------------------------------


def is_manager(user: User | None) -> bool:
    """Program managers and administrators: the program team."""
    return user is not None and user.has_role(Role.MANAGER, Role.ADMIN)


def is_founder_of(user: User, venture: Venture) -> bool:
    """A founder on the venture's team: the founder role and a membership, both."""
    return user.has_role(Role.FOUNDER) and any(m.user_id == user.id for m in venture.members)


def founder_venture_ids(user: User) -> Select:
    """The ids of the ventures the person founds, to filter lists with (none without the role)."""
    statement = select(VentureMember.venture_id).where(VentureMember.user_id == user.id)
    return statement if user.has_role(Role.FOUNDER) else statement.where(false())


def speaks_for(user: User, organisation: Organisation) -> bool:
    """A partner who is a member of the organisation."""
    return user.has_role(Role.PARTNER) and (
        db.session.get(OrganisationMember, (organisation.id, user.id)) is not None
    )


def _introduced_as(
    user: User, venture: Venture, kind: MatchKind, statuses: Iterable[MatchStatus]
) -> bool:
    """Whether the person is the mentor or funder of such a match with the venture."""
    role = Role.MENTOR if kind == MatchKind.MENTOR else Role.FUNDER
    if not user.has_role(role):
        return False
    found = select(Match.id).where(
        Match.venture_id == venture.id,
        Match.kind == kind,
        Match.counterpart_id == user.id,
        Match.status.in_([str(status) for status in statuses]),
    )
    return db.session.scalar(found.limit(1)) is not None


def is_matched_mentor(user: User, venture: Venture) -> bool:
    """The mentor of an accepted mentor introduction with the venture."""
    return _introduced_as(user, venture, MatchKind.MENTOR, [MatchStatus.ACCEPTED])


def _related_partner(user: User, venture: Venture) -> bool:
    """A partner of an organisation with a pilot of, a challenge of or a live introduction
    to the venture."""
    if not user.has_role(Role.PARTNER):
        return False
    mine = select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
    pilot = exists().where(Pilot.venture_id == venture.id, Pilot.organisation_id.in_(mine))
    match = exists().where(
        Match.venture_id == venture.id,
        Match.kind == MatchKind.PARTNER,
        Match.organisation_id.in_(mine),
        Match.status.in_([str(status) for status in PUBLISHED_LIVE]),
    )
    challenge = exists().where(
        Submission.id == venture.submission_id,
        Challenge.id == Submission.challenge_id,
        Challenge.organisation_id.in_(mine),
    )
    return bool(db.session.scalar(select(pilot | match | challenge)))


# Ventures -------------------------------------------------------------------------------------


def may_view_venture(user: User, venture: Venture) -> bool:
    """The venture's own pages (profile, milestones, timeline, outcomes): team and managers."""
    return is_manager(user) or is_founder_of(user, venture)


def may_edit_venture(user: User, venture: Venture) -> bool:
    """Its profile, milestones and KPI list: the venture's founders and managers."""
    return is_manager(user) or is_founder_of(user, venture)


def may_read_check_ins(user: User, venture: Venture) -> bool:
    """Check-ins and every KPI: managers, the founders, and an accepted mentor."""
    return is_manager(user) or is_founder_of(user, venture) or is_matched_mentor(user, venture)


def may_post_check_in(user: User, venture: Venture) -> bool:
    """A venture's weekly check-in is written by its founders only."""
    return is_founder_of(user, venture)


def may_view_venture_profile(user: User, venture: Venture) -> bool:
    """The public fields (name, one-liner, stage, area) and the shared KPIs."""
    if may_read_check_ins(user, venture):
        return True
    if user.has_role(Role.FUNDER):
        listed = venture.status == VentureStatus.ACTIVE and (
            venture.cohort.status == CohortStatus.ACTIVE
        )
        if listed or _introduced_as(user, venture, MatchKind.FUNDER, PUBLISHED_LIVE):
            return True
    if _introduced_as(user, venture, MatchKind.MENTOR, PUBLISHED_LIVE):
        return True
    return _related_partner(user, venture)


def visible_kpis(user: User, venture: Venture, kpis: Iterable[str]) -> list[str]:
    """Those of the KPI names the person may see for this venture, in the given order:
    all of them for check-in readers, the shared ones for anyone who sees its profile."""
    names = list(kpis)
    if may_read_check_ins(user, venture):
        return names
    if not may_view_venture_profile(user, venture):
        return []
    shared = set(venture.shared_kpis or [])
    return [name for name in names if name in shared]


def may_see_kpi(user: User, venture: Venture, kpi: str) -> bool:
    """Whether the person may see one KPI of the venture."""
    return bool(visible_kpis(user, venture, [kpi]))


def may_view_milestone(user: User, milestone: Milestone) -> bool:
    return may_view_venture(user, milestone.venture)


def may_edit_milestone(user: User, milestone: Milestone) -> bool:
    """Create, edit, start and complete: the venture's founders and managers."""
    return may_edit_venture(user, milestone.venture)


# Sessions and availability ----------------------------------------------------------------------


def is_session_mentor(user: User, booking: Booking) -> bool:
    return booking.mentor_id == user.id


def may_book_for(user: User, venture: Venture) -> bool:
    """Sessions are booked for a venture by its founders."""
    return is_founder_of(user, venture)


def may_view_booking(user: User, booking: Booking) -> bool:
    """The session's mentor, the venture's founders and managers."""
    return (
        is_session_mentor(user, booking) or is_founder_of(user, booking.venture) or is_manager(user)
    )


def may_change_booking(user: User, booking: Booking) -> bool:
    """Cancel: either side of the session (not the program team)."""
    return is_session_mentor(user, booking) or is_founder_of(user, booking.venture)


def may_reschedule_booking(user: User, booking: Booking) -> bool:
    """Move to another time: the venture's founders."""
    return is_founder_of(user, booking.venture)


def may_record_session(user: User, booking: Booking) -> bool:
    """The outcome and the notes: the session's mentor."""
    return is_session_mentor(user, booking)


def may_read_private_notes(user: User, booking: Booking) -> bool:
    """A mentor's private notes are that mentor's alone; managers do not read them either."""
    return is_session_mentor(user, booking)


def may_rate_booking(user: User, booking: Booking) -> bool:
    """Either side rates a session."""
    return is_session_mentor(user, booking) or is_founder_of(user, booking.venture)


def may_manage_availability(user: User, mentor: User) -> bool:
    """Mentors publish their own availability, nobody else's."""
    return user.id == mentor.id


def may_change_slot(user: User, slot: Slot) -> bool:
    """Edit or withdraw a slot: its mentor."""
    return slot.mentor_id == user.id


def may_change_series(user: User, series: SlotSeries) -> bool:
    """Change or withdraw a weekly series as a whole: its mentor."""
    return series.mentor_id == user.id


def may_edit_profile(user: User, owner: User) -> bool:
    """A mentor's or funder's profile: its owner, or a manager."""
    return user.id == owner.id or is_manager(user)


def _took_part(user: User, day: OfficeHoursDay) -> bool:
    met = select(Booking.id).where(
        Booking.office_hours_day_id == day.id,
        (Booking.mentor_id == user.id) | Booking.venture_id.in_(founder_venture_ids(user)),
    )
    return db.session.scalar(met.limit(1)) is not None


def may_rank_office_hours(user: User, day: OfficeHoursDay) -> bool:
    """After a published day: its mentors and the founders of the ventures that took part."""
    return day.status == "published" and _took_part(user, day)


def may_view_office_hours_day(user: User, day: OfficeHoursDay) -> bool:
    return is_manager(user) or may_rank_office_hours(user, day)


# Matches, organisations, pilots ------------------------------------------------------------------


def match_side(user: User, match: Match) -> Side | None:
    """Which side of the match the person answers for, or None."""
    if is_founder_of(user, match.venture):
        return "venture"
    if match.kind == MatchKind.PARTNER:
        if match.organisation is not None and speaks_for(user, match.organisation):
            return "counterpart"
        return None
    role = Role.MENTOR if match.kind == MatchKind.MENTOR else Role.FUNDER
    if match.counterpart_id == user.id and user.has_role(role):
        return "counterpart"
    return None


def _published(match: Match) -> bool:
    return match.status != MatchStatus.PROPOSED and match.introduced_at is not None


def may_view_match(user: User, match: Match) -> bool:
    """Managers; each side once the match is published (a draft is the team's alone)."""
    return is_manager(user) or (_published(match) and match_side(user, match) is not None)


def may_answer_match(user: User, match: Match) -> bool:
    """Each side answers a published introduction for itself."""
    return _published(match) and match_side(user, match) is not None


def declining_side(match: Match) -> Side | None:
    """The side that declined the introduction, if one did."""
    if match.venture_answer == "declined":
        return "venture"
    if match.counterpart_answer == "declined":
        return "counterpart"
    return None


def may_read_decline_reason(user: User, match: Match) -> bool:
    """The program team, and the side that declined; the other side only once that side
    chose to share its reason."""
    if is_manager(user):
        return True
    side = match_side(user, match)
    if side is None:
        return False
    return side == declining_side(match) or match.decline_reason_shared


def may_end_match(user: User, match: Match) -> bool:
    return is_manager(user) or match_side(user, match) is not None


def may_manage_organisation(user: User, organisation: Organisation) -> bool:
    """Its page, profile and pilots: its own partners, and managers."""
    return is_manager(user) or speaks_for(user, organisation)


def may_view_pilot(user: User, pilot: Pilot) -> bool:
    """Managers, the venture's founders and the host organisation's partners."""
    return (
        is_manager(user)
        or is_founder_of(user, pilot.venture)
        or speaks_for(user, pilot.organisation)
    )


# Judging and accounts ------------------------------------------------------------------------


def may_score_submission(user: User, submission: Submission) -> bool:
    """A judge scores the submissions assigned to them, and only those."""
    if not user.has_role(Role.JUDGE):
        return False
    assigned = select(JudgeAssignment.id).where(
        JudgeAssignment.judge_id == user.id, JudgeAssignment.submission_id == submission.id
    )
    return db.session.scalar(assigned.limit(1)) is not None


def may_grant_admin(user: User | None) -> bool:
    """Only an administrator grants or removes the administrator role."""
    return user is not None and user.has_role(Role.ADMIN)


def may_change_account(user: User, person: User) -> bool:
    """Managers change people's accounts; an administrator's only another administrator."""
    return may_grant_admin(user) or (is_manager(user) and not person.has_role(Role.ADMIN))
