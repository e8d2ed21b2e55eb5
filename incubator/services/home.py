"""What each role sees first on the home page: the list of what needs that person now.

Each role's card is a few items, each a count of one kind of work with a link to the page
where it is done ("2 milestones to verify"), the first few named under it. A count of zero
reads as done ("Nothing to verify") or is left out when there is nothing to say. Every item
is one or two aggregate queries (the manager's are read together in one statement), so the
page runs the same number of queries however much data there is (tests/test_home.py
measures it at two sizes).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased

from incubator import clock, i18n
from incubator.extensions import db
from incubator.models import (
    Booking,
    BookingStatus,
    Challenge,
    ChallengeStatus,
    CheckIn,
    Cohort,
    CohortStatus,
    Hackathon,
    HackathonStatus,
    Invitation,
    JudgeAssignment,
    Match,
    MatchingRun,
    MatchKind,
    MatchStatus,
    Milestone,
    MilestoneStatus,
    OutboxMessage,
    Pilot,
    PilotStatus,
    PipelineStamp,
    Role,
    Submission,
    SubmissionStatus,
    User,
    Venture,
    VentureStatus,
)
from incubator.models.pipeline import OPEN_MILESTONE_STATUSES
from incubator.services import json_rows
from incubator.services.cohorts import ventures
from incubator.services.hackathons import hackathons, judging
from incubator.services.pipeline import risk, stamps

# How many of an item's things are named under its count.
NAMED = 3
PENDING = "pending"


@dataclass
class Link:
    label: str
    # No endpoint: the label is shown as plain text.
    endpoint: str = ""
    # The endpoint's URL arguments, e.g. {"venture_id": 3}.
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    """One kind of work waiting for the person: how many, and where it is done."""

    count: int
    # Said when there is some: "2 milestones to verify".
    text: str
    # Said when there is none ("Nothing to verify"); empty leaves the item out.
    done: str = ""
    link: Link | None = None
    # The first few of them by name, each with its own page where it has one.
    named: list[Link] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return bool(self.count or self.done)


@dataclass
class Panel:
    """One card on the home page: what needs doing, a few facts, the next step, links."""

    role: Role
    title: str
    facts: list[str] = field(default_factory=list)
    next_step: str = ""
    links: list[Link] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @property
    def shown_items(self) -> list[Item]:
        return [item for item in self.items if item.shown]

    def item(self, text_start: str) -> Item | None:
        """The item whose text, or done text, starts so (for tests and callers)."""
        return next(
            (
                item
                for item in self.items
                if item.text.startswith(text_start) or item.done.startswith(text_start)
            ),
            None,
        )


def panels_for(user: User, today: date | None = None) -> list[Panel]:
    """The cards for every role the user holds, most powerful first.

    today is the program's date (clock.today() by default): weeks and ages are its.
    """
    today = today or clock.today()
    builders = {
        Role.ADMIN: _admin,
        Role.MANAGER: _manager,
        Role.FOUNDER: _founder,
        Role.MENTOR: _mentor,
        Role.FUNDER: _funder,
        Role.PARTNER: _partner,
        Role.JUDGE: _judge,
    }
    return [builders[role](user, today) for role in Role if role in user.roles]


# Wording ---------------------------------------------------------------------------------


def _count(column, *conditions) -> int:
    """How many rows there are (that meet the conditions)."""
    return db.session.scalar(select(func.count(column)).where(*conditions)) or 0


def _day(day: date, today: date) -> str:
    """A date as "Tue, Dec 2", with the year when it is not this year's."""
    return clock.day_label(day, weekday=True, as_of=today)


def _moment(moment: datetime, zone: ZoneInfo, today: date) -> str:
    """An instant as "Tue, Dec 2, 10:00 AM" on the person's clock, in the page's language."""
    local = moment.astimezone(zone)
    return f"{_day(local.date(), today)}, {i18n.format_time(local)}"


def _link_to_first(named: list[Link], otherwise: Link) -> Link:
    """The page of the one thing there is, or the page listing them all."""
    if len(named) == 1 and named[0].endpoint:
        return Link(otherwise.label, named[0].endpoint, named[0].values)
    return otherwise


# Administrators ----------------------------------------------------------------------------


def _admin(user: User, today: date) -> Panel:
    users = _count(User.id)
    mails = _count(OutboxMessage.id)
    return Panel(
        Role.ADMIN,
        _("Administration"),
        facts=[
            ngettext("%(num)d account", "%(num)d accounts", users),
            ngettext("%(num)d mail in the outbox", "%(num)d mails in the outbox", mails),
        ],
        next_step=_("Check the audit trail for recent changes, or read the mail the app has sent."),
        links=[Link(_("Audit trail"), "people.audit_log"), Link(_("Outbox"), "people.outbox")],
    )


# Program managers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _ManagerRows:
    """What the manager's list reads in one statement (`_manager_statement`), decoded."""

    # (id, name, status, stamp) of every cohort, by id.
    cohorts: list[list[Any]]
    # Hackathons not yet closed.
    running: int
    # (hackathon id, name, proposals, every hackathon's, hackathons with any) of the first.
    proposals: list[list[Any]]
    # (person's id, name, sent at, re-sent at, open invitations, of them re-sent).
    invitations: list[list[Any]]
    # (cohort id, name, drafts, every cohort's, cohorts with any) of the first.
    runs: list[list[Any]]


@cache
def _manager_statement(dialect: str) -> Select[str | None, int, str | None, str | None, str | None]:
    """Every cohort with its stamp, how many hackathons are not yet closed, and the first
    few of the proposals to decide, invitations not accepted and matching runs in review with
    their totals: one statement, as on PostgreSQL a round trip costs more than these reads
    (each list is one JSON text, `json_rows`). Built once per database: it names no value of
    the request."""
    cohorts = select(Cohort.id, Cohort.name, Cohort.status, PipelineStamp.stamp).outerjoin(
        PipelineStamp, PipelineStamp.cohort_id == Cohort.id
    )
    running = (
        select(func.count(Hackathon.id))
        .where(Hackathon.status != HackathonStatus.CLOSED)
        .scalar_subquery()
    )
    proposals = (
        select(Hackathon.id, Hackathon.name, func.count(Challenge.id))
        .join(Challenge, Challenge.hackathon_id == Hackathon.id)
        .where(Challenge.status == ChallengeStatus.PROPOSED)
        .group_by(Hackathon.id, Hackathon.name)
    )
    drafts = (
        select(Cohort.id, Cohort.name, func.count(MatchingRun.id))
        .join(MatchingRun, MatchingRun.cohort_id == Cohort.id)
        .where(MatchingRun.status == "draft")
        .group_by(Cohort.id, Cohort.name)
    )
    # The oldest few invitations, read in order from ix_invitations_open, and beside each how
    # many there are and how many were re-sent: every open invitation less those of the few
    # deactivated people (ix_users_inactive), where joining every open invitation to its
    # person reads the whole people table.
    invitations = (
        select(
            User.id,
            User.name,
            Invitation.created_at,
            Invitation.resent_at,
            *_open_invitation_counts(),
        )
        .join(User, User.id == Invitation.user_id)
        .where(*_open_invitations())
    )
    return select(
        json_rows.rows_as_json(dialect, cohorts, Cohort.id),
        running,
        json_rows.rows_as_json(
            dialect,
            _with_totals(proposals),
            func.min(Challenge.created_at),
            Hackathon.id,
            limit=NAMED,
        ),
        json_rows.rows_as_json(
            dialect, invitations, Invitation.created_at, Invitation.id, limit=NAMED
        ),
        json_rows.rows_as_json(dialect, _with_totals(drafts), Cohort.name, limit=NAMED),
    )


def _with_totals(grouped: Select) -> Select:
    """A grouped count (id, name, count) with, on every row, the sum of every group's count
    and the number of groups (window functions over the grouped rows): however many groups
    there are, the first few rows say the totals."""
    count = grouped.selected_columns[2]
    return grouped.add_columns(func.sum(count).over(), func.count().over())


def _manager_rows() -> _ManagerRows:
    dialect = db.session.get_bind().dialect.name
    cohorts, running, proposals, invitations, drafts = db.session.execute(
        _manager_statement(dialect)
    ).one()
    return _ManagerRows(
        json_rows.decoded(cohorts),
        int(running or 0),
        json_rows.decoded(proposals),
        json_rows.decoded(invitations),
        json_rows.decoded(drafts),
    )


def _manager(user: User, today: date) -> Panel:
    # What the items below draw from the cohorts' ventures is kept under their stamps.
    read = _manager_rows()
    active = [
        (id_, name, stamp)
        for id_, name, status, stamp in read.cohorts
        if status == CohortStatus.ACTIVE
    ]
    running = read.running
    every_cohort = stamps.joint_reading(
        [(id_, stamp) for id_, _n, _s, stamp in read.cohorts], today
    )
    items = [
        _proposals_to_decide(_Groups.of(read.proposals)),
        _milestones_to_verify(every_cohort),
        _ventures_at_risk(active, today) if active else Item(0, ""),
        _invitations_not_accepted(read.invitations, today),
        _runs_in_review(_Groups.of(read.runs)),
    ]
    to_do = sum(item.count for item in items)
    if not running and not active:
        next_step = _("Create a hackathon and its challenges, or a cohort to promote winners into.")
    elif to_do:
        next_step = _("Start with the list above: each count opens the page where it is done.")
    else:
        next_step = _(
            "Nothing waits for you. Score, rank and promote hackathon winners; follow "
            "each cohort's ventures."
        )
    return Panel(
        Role.MANAGER,
        _("Program management"),
        facts=[
            ngettext(
                "%(num)d hackathon not yet closed", "%(num)d hackathons not yet closed", running
            ),
            ngettext("%(num)d active cohort", "%(num)d active cohorts", len(active)),
        ],
        next_step=next_step,
        links=[
            Link(_("Hackathons"), "hackathons.index"),
            Link(_("Cohorts"), "cohorts.index"),
            Link(_("People"), "people.index"),
            Link(_("Invite people"), "people.invite"),
        ],
        items=items,
    )


@dataclass(frozen=True)
class _Groups:
    """The first few rows of a grouped count, and the totals over every group."""

    # (id, name, count) of the first NAMED groups, in the query's order.
    first: list[tuple[int, str, int]]
    total: int
    groups: int

    @classmethod
    def of(cls, rows: list[list[Any]]) -> _Groups:
        """From the rows of a grouped count with its totals (`_with_totals`)."""
        if not rows:
            return cls([], 0, 0)
        return cls(
            [(id_, name, counted) for id_, name, counted, _total, _groups in rows],
            int(rows[0][3]),
            int(rows[0][4]),
        )


def _named_link(found: _Groups, named: list[Link], otherwise: Link) -> Link:
    """The page of the one group there is, or the page listing them all."""
    if found.groups == 1 and named and named[0].endpoint:
        return Link(otherwise.label, named[0].endpoint, named[0].values)
    return otherwise


def _proposals_to_decide(found: _Groups) -> Item:
    named = [
        Link(
            ngettext("%(name)s: %(num)d proposal", "%(name)s: %(num)d proposals", count, name=name),
            "hackathons.detail",
            {"hackathon_id": id_},
        )
        for id_, name, count in found.first
    ]
    return Item(
        found.total,
        ngettext(
            "%(num)d challenge proposal to decide",
            "%(num)d challenge proposals to decide",
            found.total,
        ),
        _("No challenge proposals to decide"),
        _named_link(found, named, Link(_("Hackathons"), "hackathons.index")),
        named,
    )


@cache
def _waiting_milestones() -> Select[int, str, int, int]:
    """The first NAMED ventures with milestones founders marked done, the longest waiting
    first: (venture id, name, its milestones to verify, every venture's). Built once: it
    names no value of the request, and building its aliases costs more than running it.

    It does not group every waiting milestone by venture: it walks them from the longest
    waiting (ix_milestones_status_completed_at), keeps each venture's first and stops at the
    NAMED-th; beside each, how many its venture has and how many wait in all."""
    waiting = Milestone.status == MilestoneStatus.DONE
    active = Venture.status == VentureStatus.ACTIVE
    other = aliased(Milestone)
    earlier = (
        select(other.id)
        .where(
            other.venture_id == Milestone.venture_id,
            other.status == MilestoneStatus.DONE,
            or_(
                other.completed_at < Milestone.completed_at,
                (other.completed_at == Milestone.completed_at) & (other.id < Milestone.id),
            ),
        )
        .exists()
    )
    of_venture = (
        select(func.count(other.id))
        .where(other.venture_id == Milestone.venture_id, other.status == MilestoneStatus.DONE)
        .scalar_subquery()
    )
    # Every waiting milestone, less those of ventures no longer active: both read from an
    # index (the waiting ones by status; the others through the few inactive ventures), where
    # joining every waiting milestone to its venture reads the whole ventures table.
    everywhere, theirs = aliased(Milestone), aliased(Milestone)
    inactive = select(Venture.id).where(
        Venture.status.in_([status for status in VentureStatus if status != VentureStatus.ACTIVE])
    )
    in_all = (
        select(func.count(everywhere.id))
        .where(everywhere.status == MilestoneStatus.DONE)
        .correlate(None)
        .scalar_subquery()
    ) - (
        select(func.count(theirs.id))
        .where(theirs.status == MilestoneStatus.DONE, theirs.venture_id.in_(inactive))
        .correlate(None)
        .scalar_subquery()
    )
    return (
        select(Venture.id, Venture.name, of_venture, in_all)
        .select_from(Milestone)
        .join(Venture, Venture.id == Milestone.venture_id)
        .where(waiting, active, ~earlier)
        .order_by(Milestone.completed_at, Milestone.venture_id)
        .limit(NAMED)
    )


def _milestones_to_verify(every_cohort: stamps.Reading) -> Item:
    """Milestones founders marked done, by venture, the longest waiting first (one query,
    `_waiting_milestones`), kept by the worker under every cohort's stamp: a milestone's
    status or completion, a venture's name, status or cohort change the stamp of its
    cohort."""

    def read() -> list[tuple[int, str, int, int]]:
        return [
            (id_, name, count, total)
            for id_, name, count, total in db.session.execute(_waiting_milestones())
        ]

    # (venture id, name, its milestones to verify, every venture's)
    rows = stamps.remembered(every_cohort, "milestones to verify", read)
    total = int(rows[0][3]) if rows else 0
    named = [
        Link(
            _("%(name)s: %(num)d to verify", name=name, num=count),
            "pipeline.milestones",
            {"venture_id": id_},
        )
        for id_, name, count, _total in rows
    ]
    link = (
        Link(_("Milestones"), named[0].endpoint, named[0].values)
        if named
        else Link(_("Cohorts"), "cohorts.index")
    )
    return Item(
        total,
        ngettext("%(num)d milestone to verify", "%(num)d milestones to verify", total),
        _("Nothing to verify"),
        link,
        named,
    )


def _ventures_at_risk(rows: list[tuple[int, str, str | None]], today: date) -> Item:
    """Active ventures of active cohorts (`rows`: id, name and stamp of each) the risk rules
    flag, by cohort: counted by the database, and kept by the worker under all the stamps."""
    cohorts = {cohort_id: name for cohort_id, name, _stamp in rows}
    found = stamps.joint_reading([(cohort_id, stamp) for cohort_id, _name, stamp in rows], today)
    by_cohort = stamps.remembered(
        found, "at risk", lambda: risk.at_risk_counts(list(cohorts), today)
    )
    named = [
        Link(
            _("%(cohort)s: %(num)d at risk", cohort=cohorts[cohort_id], num=count),
            "pipeline.board",
            {"cohort_id": cohort_id, "at_risk": "yes"},
        )
        for cohort_id, count in sorted(by_cohort.items(), key=lambda pair: cohorts[pair[0]])
    ]
    total = sum(by_cohort.values())
    return Item(
        total,
        ngettext(
            "%(num)d venture at risk in active cohorts",
            "%(num)d ventures at risk in active cohorts",
            total,
        ),
        _("No venture at risk in active cohorts"),
        _link_to_first(named, Link(_("Cohorts"), "cohorts.index")),
        named[:NAMED],
    )


def _open_invitations():
    return (
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        User.active.is_(True),
    )


def _open_invitation_counts() -> tuple[Any, Any]:
    """How many invitations are open and how many of those were re-sent, as scalar
    subqueries: every open invitation less those of deactivated people."""
    every, theirs = aliased(Invitation), aliased(Invitation)
    counts = []
    for counted in ("id", "resent_at"):
        in_all = (
            select(func.count(getattr(every, counted)))
            .where(every.accepted_at.is_(None), every.revoked_at.is_(None))
            .correlate(None)
            .scalar_subquery()
        )
        inactive = (
            select(func.count(getattr(theirs, counted)))
            .join(User, User.id == theirs.user_id)
            .where(theirs.accepted_at.is_(None), theirs.revoked_at.is_(None))
            .where(User.active.is_(False))
            .correlate(None)
            .scalar_subquery()
        )
        counts.append(in_all - inactive)
    return counts[0], counts[1]


def _invitations_not_accepted(oldest: list[list[Any]], today: date) -> Item:
    """Invitations nobody has accepted yet, the oldest first, and when each was re-sent:
    `oldest`, the first few as `_manager_statement` reads them."""
    total, resent = (int(oldest[0][4]), int(oldest[0][5])) if oldest else (0, 0)
    named = []
    for user_id, name, sent, resent_on, _total, _resent in oldest:
        sent_at, resent_at = json_rows.moment(sent), json_rows.moment(resent_on)
        invited = _day(clock.program_date(sent_at), today) if sent_at else ""
        if resent_at is None:
            said = _("%(name)s, invited %(day)s", name=name, day=invited)
        else:
            said = _(
                "%(name)s, invited %(day)s, re-sent on %(resent)s",
                name=name,
                day=invited,
                resent=_day(clock.program_date(resent_at), today),
            )
        named.append(Link(said, "people.detail", {"user_id": user_id}))
    text = ngettext("%(num)d invitation not accepted", "%(num)d invitations not accepted", total)
    if resent:
        text = _(
            "%(invitations)s (%(resent)s)",
            invitations=text,
            resent=ngettext("%(num)d re-sent", "%(num)d re-sent", resent),
        )
    return Item(total or 0, text, "", Link(_("People"), "people.index"), named)


def _runs_in_review(found: _Groups) -> Item:
    named = [
        Link(
            ngettext("%(name)s: %(num)d draft", "%(name)s: %(num)d drafts", count, name=name),
            "matching.cohort_runs",
            {"cohort_id": id_},
        )
        for id_, name, count in found.first
    ]
    return Item(
        found.total,
        ngettext("%(num)d matching run in review", "%(num)d matching runs in review", found.total),
        "",
        _named_link(found, named, Link(_("Cohorts"), "cohorts.index")),
        named,
    )


# Founders -----------------------------------------------------------------------------------


@dataclass
class VentureWeek:
    """A founder's week for one venture: what is due, what is late, the last check-in."""

    due_this_week: list[Milestone] = field(default_factory=list)
    overdue: int = 0
    last_check_in: date | None = None


def venture_weeks(mine: list[Venture], today: date) -> dict[int, VentureWeek]:
    """Each venture's week, in two queries however many ventures and milestones there are."""
    ids = [venture.id for venture in mine]
    weeks = {venture_id: VentureWeek() for venture_id in ids}
    if not ids:
        return weeks
    week_ends = clock.week_start(today) + timedelta(days=6)
    open_milestones = db.session.scalars(
        select(Milestone)
        .where(
            Milestone.venture_id.in_(ids),
            Milestone.status.in_(list(OPEN_MILESTONE_STATUSES)),
            Milestone.due_on <= week_ends,
        )
        .order_by(Milestone.due_on, Milestone.id)
    )
    for milestone in open_milestones:
        if milestone.is_overdue(today):
            weeks[milestone.venture_id].overdue += 1
        else:
            weeks[milestone.venture_id].due_this_week.append(milestone)
    for venture_id, last in db.session.execute(
        select(CheckIn.venture_id, func.max(CheckIn.week_start))
        .where(CheckIn.venture_id.in_(ids))
        .group_by(CheckIn.venture_id)
    ):
        weeks[venture_id].last_check_in = last
    return weeks


def _check_in_age(last: date, this_week: date) -> str:
    weeks = (this_week - last).days // 7
    if weeks <= 0:
        return _("this week")
    if weeks == 1:
        return _("last week")
    return ngettext("%(num)d week ago", "%(num)d weeks ago", weeks)


def _venture_facts(venture: Venture, week: VentureWeek, this_week: date) -> list[str]:
    facts = [
        _(
            "%(venture)s: %(stage)s stage in %(cohort)s",
            venture=venture.name,
            # The stage's label as the catalogue has it (the pipeline marks the labels).
            stage=_(venture.stage_label),
            cohort=venture.cohort.name,
        )
    ]
    if week.due_this_week:
        due = "; ".join(
            f"{milestone.title} ({clock.day_label(milestone.due_on, weekday=True)})"
            for milestone in week.due_this_week
            if milestone.due_on is not None  # always: they were found by their due date
        )
        facts.append(_("%(venture)s: due this week: %(due)s", venture=venture.name, due=due))
    if week.overdue:
        facts.append(
            ngettext(
                "%(venture)s: %(num)d overdue milestone",
                "%(venture)s: %(num)d overdue milestones",
                week.overdue,
                venture=venture.name,
            )
        )
    if week.last_check_in is None:
        facts.append(_("%(venture)s: no check-in yet", venture=venture.name))
    else:
        facts.append(
            _(
                "%(venture)s: last check-in for the week of %(week)s (%(age)s)",
                venture=venture.name,
                week=clock.day_label(week.last_check_in),
                age=_check_in_age(week.last_check_in, this_week),
            )
        )
    return facts


def _founder(user: User, today: date) -> Panel:
    mine = ventures.ventures_of(user)
    if not mine:
        return Panel(
            Role.FOUNDER,
            _("Your venture"),
            next_step=_(
                "When a program manager promotes your hackathon team into a cohort, your "
                "venture appears here."
            ),
            links=[Link(_("Your profile"), "auth.profile")],
        )
    this_week = clock.week_start(today)
    weeks = venture_weeks(mine, today)
    facts = [
        fact for venture in mine for fact in _venture_facts(venture, weeks[venture.id], this_week)
    ]
    missing = [venture for venture in mine if weeks[venture.id].last_check_in != this_week]
    ids = [venture.id for venture in mine]
    items = [
        _check_ins_due(mine, missing),
        _milestones_sent_back(ids),
        _introductions_waiting(Match.venture_id.in_(ids), Match.venture_answer, VENTURE),
        _upcoming_sessions(Booking.venture_id.in_(ids), user, today, with_mentor=True),
    ]
    if missing:
        names = ", ".join(venture.name for venture in missing)
        next_step = _(
            "This week's check-in for %(names)s is not written yet: what moved, what blocks "
            "you, the help you need and your numbers.",
            names=names,
        )
    else:
        next_step = _(
            "This week's check-in is in. Keep your milestones current: mark each done with "
            "its evidence, and a program manager will verify it."
        )
    links = [
        Link(
            _("Write this week's check-in for %(venture)s", venture=venture.name)
            if len(mine) > 1
            else _("Write this week's check-in"),
            "pipeline.check_in",
            {"venture_id": venture.id},
        )
        for venture in missing
    ]
    links += [
        Link(_("Open your venture"), "cohorts.my_ventures"),
        Link(_("Find a mentor"), "mentoring.mentors"),
    ]
    return Panel(
        Role.FOUNDER, _("Your venture"), facts=facts, next_step=next_step, links=links, items=items
    )


def _check_ins_due(mine: list[Venture], missing: list[Venture]) -> Item:
    named = [
        Link(venture.name, "pipeline.check_in", {"venture_id": venture.id}) for venture in missing
    ]
    if len(mine) == 1:
        text, done = _("This week's check-in is due"), _("This week's check-in is in")
    else:
        text = ngettext(
            "This week's check-in is due for %(num)d venture",
            "This week's check-in is due for %(num)d ventures",
            len(missing),
        )
        done = _("This week's check-ins are in")
    return Item(
        len(missing),
        text,
        done,
        _link_to_first(named, Link(_("Check-in"), "cohorts.my_ventures")),
        named if len(missing) > 1 else [],
    )


def _milestones_sent_back(venture_ids: list[int]) -> Item:
    """Milestones a program manager sent back, with what is missing: open again with a note."""
    sent_back = (
        Milestone.venture_id.in_(venture_ids),
        Milestone.status == MilestoneStatus.IN_PROGRESS,
        Milestone.review_comment != "",
    )
    total = _count(Milestone.id, *sent_back)
    rows = db.session.execute(
        select(Milestone.venture_id, Milestone.title, Milestone.review_comment)
        .where(*sent_back)
        .order_by(Milestone.id.desc())
        .limit(NAMED)
    ).all()
    named = [
        Link(
            _("%(title)s: “%(comment)s”", title=title, comment=comment),
            "pipeline.milestones",
            {"venture_id": venture_id},
        )
        for venture_id, title, comment in rows
    ]
    return Item(
        total,
        ngettext(
            "%(num)d milestone sent back by the program team",
            "%(num)d milestones sent back by the program team",
            total,
        ),
        "",
        Link(_("Milestones"), named[0].endpoint, named[0].values) if named else None,
        named,
    )


# Whose answer an introduction waits for, in _introductions_waiting.
VENTURE, PERSON, ORGANISATION = "venture", "person", "organisation"


def _waiting_for(whose: str, total: int) -> str:
    """ "2 introductions waiting for your answer" (your venture's, your organisation's)."""
    if whose == VENTURE:
        return ngettext(
            "%(num)d introduction waiting for your venture's answer",
            "%(num)d introductions waiting for your venture's answer",
            total,
        )
    if whose == ORGANISATION:
        return ngettext(
            "%(num)d introduction waiting for your organisation's answer",
            "%(num)d introductions waiting for your organisation's answer",
            total,
        )
    return ngettext(
        "%(num)d introduction waiting for your answer",
        "%(num)d introductions waiting for your answer",
        total,
    )


def _introductions_waiting(side, answer, whose: str, done: str = "") -> Item:
    """Published introductions still waiting for this side's answer."""
    total = _count(Match.id, side, Match.status == MatchStatus.INTRODUCED, answer == PENDING)
    return Item(
        total, _waiting_for(whose, total), done, Link(_("Introductions"), "matching.my_matches")
    )


def _upcoming_sessions(side, user: User, today: date, *, with_mentor: bool) -> Item:
    upcoming = (side, Booking.status == BookingStatus.BOOKED, Booking.starts_at >= clock.now())
    total = _count(Booking.id, *upcoming)
    named = []
    if total:
        first = db.session.execute(
            select(Booking.id, Booking.starts_at, User.name, Venture.name)
            .join(User, User.id == Booking.mentor_id)
            .join(Venture, Venture.id == Booking.venture_id)
            .where(*upcoming)
            .order_by(Booking.starts_at, Booking.id)
            .limit(1)
        ).one()
        booking_id, starts_at, mentor_name, venture_name = first
        other = mentor_name if with_mentor else venture_name
        named.append(
            Link(
                _(
                    "Next: %(when)s with %(name)s",
                    when=_moment(starts_at, clock.zone_for(user), today),
                    name=other,
                ),
                "mentoring.booking",
                {"booking_id": booking_id},
            )
        )
    return Item(
        total,
        ngettext("%(num)d upcoming session", "%(num)d upcoming sessions", total),
        _("No upcoming sessions"),
        Link(_("Sessions"), "mentoring.sessions"),
        named,
    )


# Mentors ------------------------------------------------------------------------------------


def _mentor(user: User, today: date) -> Panel:
    items = [
        _introductions_waiting(
            (Match.kind == MatchKind.MENTOR) & (Match.counterpart_id == user.id),
            Match.counterpart_answer,
            PERSON,
        ),
        _sessions_to_close(user, today),
        _upcoming_sessions(Booking.mentor_id == user.id, user, today, with_mentor=False),
    ]
    return Panel(
        Role.MENTOR,
        _("Mentoring"),
        next_step=_(
            "Publish the times you can meet founders; answer your introductions; after "
            "each session, write your notes and record how it went."
        ),
        links=[
            Link(_("Availability"), "mentoring.availability"),
            Link(_("Sessions"), "mentoring.sessions"),
            Link(_("Introductions"), "matching.my_matches"),
        ],
        items=items,
    )


def _sessions_to_close(user: User, today: date) -> Item:
    """The mentor's past sessions with no outcome yet, or held but with no notes."""
    needing = (
        Booking.mentor_id == user.id,
        Booking.ends_at < clock.now(),
        or_(
            Booking.status == BookingStatus.BOOKED,
            (Booking.status == BookingStatus.COMPLETED)
            & (Booking.shared_notes == "")
            & (Booking.private_notes == ""),
        ),
    )
    total = _count(Booking.id, *needing)
    rows = db.session.execute(
        select(Booking.id, Booking.starts_at, Booking.status, Venture.name)
        .join(Venture, Venture.id == Booking.venture_id)
        .where(*needing)
        .order_by(Booking.starts_at, Booking.id)
        .limit(NAMED)
    ).all()
    zone = clock.zone_for(user)
    named = []
    for booking_id, starts_at, status, venture in rows:
        when = _moment(starts_at, zone, today)
        said = (
            _("%(venture)s (%(when)s): how did it go?", venture=venture, when=when)
            if status == BookingStatus.BOOKED
            else _("%(venture)s (%(when)s): notes", venture=venture, when=when)
        )
        named.append(Link(said, "mentoring.booking", {"booking_id": booking_id}))
    return Item(
        total,
        ngettext(
            "%(num)d past session needing notes or an outcome",
            "%(num)d past sessions needing notes or an outcome",
            total,
        ),
        _("Every past session has its outcome and notes"),
        _link_to_first(named, Link(_("Sessions"), "mentoring.sessions")),
        named,
    )


# Judges -------------------------------------------------------------------------------------


def _judge(user: User, today: date) -> Panel:
    items = _left_to_score(user)
    if not items:
        next_step = _(
            "Submissions assigned to you for scoring will be listed here when a "
            "hackathon moves to judging."
        )
    elif any(item.count for item in items):
        next_step = _(
            "Score each submission against the rubric; you can change your scores "
            "until the hackathon closes."
        )
    else:
        next_step = _(
            "You have scored everything assigned to you; you can still change a score "
            "until the hackathon closes."
        )
    return Panel(
        Role.JUDGE,
        _("Judging"),
        next_step=next_step,
        links=[Link(_("Your assignments"), "judging.my_assignments")],
        items=items,
    )


def _left_to_score(judge: User) -> list[Item]:
    """For each hackathon still open to scores: how many assigned submissions the judge has
    not yet scored on every criterion. Three queries, whatever the numbers."""
    assigned = db.session.execute(
        select(Submission.id, Hackathon.id, Hackathon.name)
        .join(JudgeAssignment, JudgeAssignment.submission_id == Submission.id)
        .join(Hackathon, Hackathon.id == Submission.hackathon_id)
        .where(
            JudgeAssignment.judge_id == judge.id,
            Submission.status == SubmissionStatus.SUBMITTED,
            Hackathon.status != HackathonStatus.CLOSED,
        )
        .order_by(Hackathon.starts_on, Hackathon.id)
    ).all()
    if not assigned:
        return []
    criteria = judging.criteria_counts({hackathon_id for _s, hackathon_id, _n in assigned})
    scored = judging.scores_given(judge, [submission_id for submission_id, _h, _n in assigned])
    names: dict[int, str] = {}
    totals: Counter[int] = Counter()
    left: defaultdict[int, int] = defaultdict(int)
    for submission_id, hackathon_id, name in assigned:
        names[hackathon_id] = name
        totals[hackathon_id] += 1
        needed = criteria.get(hackathon_id, 0)
        if not needed or scored.get(submission_id, 0) < needed:
            left[hackathon_id] += 1
    link = Link(_("Your assignments"), "judging.my_assignments")
    return [
        Item(
            left[hackathon_id],
            ngettext(
                "%(hackathon)s: %(left)d left to score (of %(num)d assigned)",
                "%(hackathon)s: %(left)d left to score (of %(num)d assigned)",
                totals[hackathon_id],
                hackathon=names[hackathon_id],
                left=left[hackathon_id],
            ),
            ngettext(
                "%(hackathon)s: all %(num)d scored",
                "%(hackathon)s: all %(num)d scored",
                totals[hackathon_id],
                hackathon=names[hackathon_id],
            ),
            link,
        )
        for hackathon_id in names
    ]


# Funders and partners --------------------------------------------------------------------


def _funder(user: User, today: date) -> Panel:
    mine = (Match.kind == MatchKind.FUNDER) & (Match.counterpart_id == user.id)
    return Panel(
        Role.FUNDER,
        _("Funding"),
        next_step=_(
            "Keep your focus, stages and cheque range current: the ventures that fit "
            "them are listed for you, with the numbers each venture chose to share."
        ),
        links=[
            Link(_("Ventures that fit"), "matching.funder_ventures"),
            Link(_("Introductions"), "matching.my_matches"),
            Link(_("Your funder profile"), "matching.funder_profile"),
        ],
        items=[
            _introductions_waiting(
                mine, Match.counterpart_answer, PERSON, _("No introduction waits for your answer")
            ),
            _introductions_accepted(mine),
        ],
    )


def _introductions_accepted(side) -> Item:
    total = _count(Match.id, side, Match.status == MatchStatus.ACCEPTED)
    return Item(
        total,
        ngettext(
            "%(num)d introduction accepted on both sides",
            "%(num)d introductions accepted on both sides",
            total,
        ),
        "",
        Link(_("Introductions"), "matching.my_matches"),
    )


def _partner(user: User, today: date) -> Panel:
    organisations = hackathons.partner_organisations(user)
    ids = [organisation.id for organisation in organisations]
    theirs = (Match.kind == MatchKind.PARTNER) & Match.organisation_id.in_(ids)
    links = [Link(_("Your challenges"), "hackathons.propose_challenge")]
    links += [
        Link(organisation.name, "matching.partner_page", {"organisation_id": organisation.id})
        for organisation in organisations
    ]
    return Panel(
        Role.PARTNER,
        _("Partner organisation"),
        next_step=_(
            "Propose a challenge for the next hackathon with the datasets your "
            "organisation can share, and follow the pilots you host."
        ),
        links=[*links, Link(_("Introductions"), "matching.my_matches")],
        items=[
            _introductions_waiting(theirs, Match.counterpart_answer, ORGANISATION),
            _introductions_accepted(theirs),
            _pilots_hosted(organisations),
            _proposals_of(user),
        ],
    )


def _pilots_hosted(organisations) -> Item:
    """The pilots the partner's organisations host, by state."""
    ids = [organisation.id for organisation in organisations]
    by_state = dict(
        db.session.execute(
            select(Pilot.status, func.count(Pilot.id))
            .where(Pilot.organisation_id.in_(ids))
            .group_by(Pilot.status)
        ).all()
    )
    total = sum(by_state.values())
    states = ", ".join(
        _pilots_in_state(PilotStatus(state), by_state[state])
        for state in PilotStatus
        if by_state.get(state)
    )
    link = (
        Link(_("Pilots"), "matching.partner_page", {"organisation_id": organisations[0].id})
        if organisations
        else None
    )
    return Item(
        total,
        ngettext(
            "%(num)d pilot hosted: %(states)s",
            "%(num)d pilots hosted: %(states)s",
            total,
            states=states,
        ),
        "",
        link,
    )


def _pilots_in_state(state: PilotStatus, count: int) -> str:
    """ "2 running": how many pilots are in one state."""
    if state == PilotStatus.PLANNED:
        return ngettext("%(num)d planned", "%(num)d planned", count)
    if state == PilotStatus.RUNNING:
        return ngettext("%(num)d running", "%(num)d running", count)
    if state == PilotStatus.COMPLETED:
        return ngettext("%(num)d completed", "%(num)d completed", count)
    if state == PilotStatus.ADOPTED:
        return ngettext("%(num)d adopted", "%(num)d adopted", count)
    return ngettext("%(num)d stopped", "%(num)d stopped", count)


def _proposals_of(user: User) -> Item:
    """The partner's challenge proposals, newest first, each with its state."""
    by_state = dict(
        db.session.execute(
            select(Challenge.status, func.count(Challenge.id))
            .where(Challenge.proposed_by_id == user.id)
            .group_by(Challenge.status)
        ).all()
    )
    newest = db.session.execute(
        select(Challenge.title, Challenge.status, Challenge.decision_note, Hackathon.name)
        .join(Hackathon, Hackathon.id == Challenge.hackathon_id)
        .where(Challenge.proposed_by_id == user.id)
        .order_by(Challenge.created_at.desc(), Challenge.id.desc())
        .limit(NAMED)
    ).all()
    named = []
    for title, status, note, hackathon in newest:
        state = {
            ChallengeStatus.PROPOSED: _("waiting for the program team"),
            ChallengeStatus.APPROVED: _("approved"),
            ChallengeStatus.DECLINED: _("declined: “%(note)s”", note=note)
            if note
            else _("declined"),
        }[ChallengeStatus(status)]
        named.append(
            Link(
                _(
                    "%(title)s (%(hackathon)s): %(state)s",
                    title=title,
                    hackathon=hackathon,
                    state=state,
                )
            )
        )
    waiting = by_state.get(ChallengeStatus.PROPOSED, 0)
    proposed = sum(by_state.values())
    return Item(
        waiting,
        ngettext(
            "%(num)d challenge proposal waiting for the program team",
            "%(num)d challenge proposals waiting for the program team",
            waiting,
        ),
        ngettext(
            "%(num)d challenge proposal, none waiting for a decision",
            "%(num)d challenge proposals, none waiting for a decision",
            proposed,
        )
        if proposed
        else "",
        Link(_("Your challenges"), "hackathons.propose_challenge"),
        named,
    )
