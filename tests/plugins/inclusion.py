"""Builders and fixtures the inclusion tests share: registrations, demographic answers,
outreach partners and people taken down the funnel, inserted as rows (the registration and
answers services have their own tests)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from incubator.extensions import db
from incubator.models import (
    Cohort,
    DemographicAnswers,
    Hackathon,
    Investment,
    Organisation,
    OutreachPartner,
    Pilot,
    Program,
    Registration,
    Submission,
    SubmissionMember,
    User,
    Venture,
    VentureMember,
)

_numbers = itertools.count(1)
CHECKED_IN = datetime(2025, 3, 1, 17, tzinfo=UTC)


# People who stop at each step of the funnel; every cumulative count is well above the
# threshold, so that one person more or less shows.
STOPS = {
    "registered": 12,
    "attended": 11,
    "submitted": 13,
    "placed": 14,
    "founder": 15,
    "funded": 16,
    "adopted": 17,
}


def inclusion_hackathon(name: str | None = None, **fields) -> Hackathon:
    number = next(_numbers)
    created = Hackathon(
        name=name or f"Inclusion hackathon {number}",
        theme="Civic tech",
        starts_on=fields.pop("starts_on", date(2025, 3, 1)),
        ends_on=fields.pop("ends_on", date(2025, 3, 2)),
        status=fields.pop("status", "closed"),
        **fields,
    )
    db.session.add(created)
    db.session.flush()
    return created


def person(name: str | None = None) -> User:
    number = next(_numbers)
    created = User(email=f"registrant{number}@example.org", name=name or f"Registrant {number}")
    db.session.add(created)
    return created


def registration(hackathon: Hackathon, user: User | None = None, **fields) -> Registration:
    """A confirmed registration (attended when `attended=True`), for a new person unless given."""
    user = user or person()
    db.session.flush()
    attended = fields.pop("attended", False)
    created = Registration(
        hackathon_id=hackathon.id,
        user_id=user.id,
        name=user.name,
        email=user.email,
        residence=fields.pop("residence", "Boyle Heights"),
        status=fields.pop("status", "confirmed"),
        attended_at=CHECKED_IN if attended else None,
        **fields,
    )
    if created.status == "cancelled":
        created.cancelled_at = CHECKED_IN
    db.session.add(created)
    db.session.flush()
    return created


def answers(user: User, **fields) -> DemographicAnswers:
    created = DemographicAnswers(user_id=user.id, **fields)
    db.session.add(created)
    db.session.flush()
    return created


def outreach_partner(hackathon: Hackathon, organisation: Organisation | None = None):
    number = next(_numbers)
    organisation = organisation or Organisation(name=f"Outreach nonprofit {number}")
    created = OutreachPartner(hackathon=hackathon, organisation=organisation, code=f"code-{number}")
    db.session.add(created)
    db.session.flush()
    return created


def inclusion_cohort(name: str | None = None) -> Cohort:
    program = Program(name=f"Program {next(_numbers)}", description="")
    created = Cohort(
        program=program,
        name=name or f"Inclusion cohort {next(_numbers)}",
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 9, 30),
        capacity=20,
        status="active",
    )
    db.session.add(created)
    db.session.flush()
    return created


LEVELS = ("registered", "attended", "submitted", "placed", "founder", "funded", "adopted")


@dataclass
class Journey:
    """People taken exactly as far as a step, and the rows that took them there."""

    hackathon: Hackathon
    cohort: Cohort
    registrations: dict[str, list[Registration]] = field(default_factory=dict)


def take_down_the_funnel(
    hackathon: Hackathon, cohort: Cohort, how_many: dict[str, int], **registration_fields
) -> Journey:
    """`how_many[level]` people registered for the hackathon who stop at that step: one
    submission per step past attending (placed past "submitted"), a venture promoted into
    the cohort past "placed", funded past "founder", with an adopted pilot at "adopted"."""
    journey = Journey(hackathon, cohort)
    for level in LEVELS:
        count = how_many.get(level, 0)
        if not count:
            continue
        reached = LEVELS.index(level)
        made = [
            registration(hackathon, attended=reached >= 1, **registration_fields)
            for _ in range(count)
        ]
        journey.registrations[level] = made
        if reached >= 2:
            _team(hackathon, cohort, [r.user for r in made], reached)
    return journey


def _team(hackathon: Hackathon, cohort: Cohort, people: list[User], reached: int) -> None:
    number = next(_numbers)
    submitted = Submission(
        hackathon_id=hackathon.id,
        team_name=f"Team {number}",
        title=f"Project {number}",
        status="submitted",
        placement="winner" if reached >= 3 else None,
    )
    submitted.members = [SubmissionMember(name=p.name, email=p.email, user_id=p.id) for p in people]
    db.session.add(submitted)
    db.session.flush()
    if reached < 4:
        return
    venture = Venture(cohort_id=cohort.id, submission_id=submitted.id, name=f"Venture {number}")
    venture.members = [VentureMember(user_id=p.id) for p in people]
    db.session.add(venture)
    db.session.flush()
    if reached >= 5:
        db.session.add(
            Investment(
                venture_id=venture.id,
                funder_name="Weingart Foundation",
                amount=50_000,
                instrument="grant",
                invested_on=date(2025, 6, 1),
            )
        )
    if reached >= 6:
        city = Organisation(name=f"City department {number}")
        db.session.add(
            Pilot(venture=venture, organisation=city, starts_on=date(2025, 7, 1), status="adopted")
        )
    db.session.flush()


@pytest.fixture
def inclusion_event(db):
    """A closed hackathon and a cohort its winners went to."""
    return inclusion_hackathon(), inclusion_cohort()


class _FunnelTable(HTMLParser):
    """Reads the rows of the page's #funnel-table: the header cell's text, then each cell's."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "funnel-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join(" ".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def funnel_rows(body: str) -> dict[str, list[str]]:
    """The funnel table of a page by group (and "All registrations"): each cell's text, a
    count first and its conversion after it ("12 46%"); {} when the page has no table."""
    parser = _FunnelTable()
    parser.feed(body)
    return {row[0]: row[1:] for row in parser.rows[1:] if row}
