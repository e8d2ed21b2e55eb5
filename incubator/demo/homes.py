"""Demo work that waits for someone, so each demo role's home has something on its list: a
partner's challenge proposal for the managers to decide, an invitation re-sent after days
without an answer, a milestone sent back to the demo founder, and a session the demo mentor
held but has not yet recorded. Runs last, through the services, so the mails they send are
in the outbox too.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import MilestoneStatus, Slot, User, Venture, VentureMember
from incubator.services.accounts import users
from incubator.services.hackathons import hackathons
from incubator.services.mentoring.booking import new_booking
from incubator.services.pipeline import milestones

RESENT_INVITEE = "tran.nguyen@ladot.example"


def seed_waiting_work(manager: User, today: date) -> None:
    _propose_a_challenge()
    _resend_an_invitation(today)
    _send_back_a_milestone(manager)
    _leave_a_session_to_record(today)
    db.session.flush()


def _person(email: str) -> User:
    person = users.user_by_email(email)
    assert person is not None, email
    return person


def _propose_a_challenge() -> None:
    partner = _person("partner@accelerate.la.example")
    [organisation, *_] = hackathons.partner_organisations(partner)
    upcoming = hackathons.open_hackathons()
    if not upcoming:
        return
    hackathons.propose_challenge(
        upcoming[0],
        hackathons.ChallengeInput(
            title="Find leaks before they surface",
            problem_statement="Acoustic sensors on 300 miles of main hear leaks weeks before "
            "the street floods; nobody turns their readings into a work order.",
            challenge_area="Water and drought",
            organisation_id=organisation.id,
            dataset_links="https://data.lacity.org/",
        ),
        by=partner,
    )


def _resend_an_invitation(today: date) -> None:
    """One invitee was invited days ago and has not answered: the reminder job re-sent it."""
    invitee = _person(RESENT_INVITEE)
    for invitation in db.session.scalars(users.open_invitations(invitee)):
        invitation.created_at = clock.at(today - timedelta(days=5), time(10))
    db.session.flush()
    users.resend_unaccepted_invitations(today)


def _send_back_a_milestone(manager: User) -> None:
    """The demo founder marked an open milestone done; the program team sent it back. Its due
    date is still ahead, so the venture is not at risk for it."""
    founder = _person("founder@accelerate.la.example")
    venture = _first_venture_of(founder)
    if venture is None:
        return
    open_ones = [
        milestone
        for milestone in milestones.venture_milestones(venture)
        if milestone.status in (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)
        and milestone.stage == venture.stage
        and not milestone.is_overdue(clock.today())
    ]
    if not open_ones:
        return
    milestone = open_ones[0]
    milestones.complete_milestone(
        milestone, None, "Ran the interviews; notes in the team folder.", by=founder
    )
    milestones.send_back_milestone(
        milestone,
        "The notes folder is private: share it with the program team, or attach the summary.",
        by=manager,
    )


def _first_venture_of(person: User) -> Venture | None:
    return db.session.scalars(
        select(Venture)
        .join(VentureMember)
        .where(VentureMember.user_id == person.id)
        .order_by(Venture.name)
    ).first()


def _leave_a_session_to_record(today: date) -> None:
    """A session the demo mentor held two days ago, with no outcome or notes yet."""
    mentor = _person("mentor@accelerate.la.example")
    founder = _person("founder@accelerate.la.example")
    venture = _first_venture_of(founder)
    if venture is None:
        return
    starts = clock.at(today - timedelta(days=2), time(11))
    slot = Slot(
        mentor_id=mentor.id,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        location="LA Kretz Innovation Campus",
        created_at=starts - timedelta(days=7),
    )
    db.session.add(slot)
    db.session.flush()
    booking = new_booking(slot, venture.id, founder.id, "Our first LADWP meeting")
    booking.created_at = starts - timedelta(days=6)
    db.session.add(booking)
