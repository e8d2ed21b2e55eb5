"""The manager's grouped home items as they were computed before the database totalled the
groups: every group read, every one named, then cut to the first few. The tests compare the
service with this on random data; it is kept here, not in the app, only as that yardstick."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from incubator.extensions import db
from incubator.models import (
    Challenge,
    ChallengeStatus,
    Cohort,
    Hackathon,
    MatchingRun,
    Milestone,
    MilestoneStatus,
    Venture,
    VentureStatus,
)
from incubator.services.home import NAMED, Item, Link, _link_to_first


def proposals_to_decide() -> Item:
    rows = db.session.execute(
        select(Hackathon.id, Hackathon.name, func.count(Challenge.id))
        .join(Challenge, Challenge.hackathon_id == Hackathon.id)
        .where(Challenge.status == ChallengeStatus.PROPOSED)
        .group_by(Hackathon.id, Hackathon.name)
        .order_by(func.min(Challenge.created_at), Hackathon.id)
    ).all()
    named = [
        Link(
            ngettext("%(name)s: %(num)d proposal", "%(name)s: %(num)d proposals", count, name=name),
            "hackathons.detail",
            {"hackathon_id": id_},
        )
        for id_, name, count in rows
    ]
    total = sum(count for _id, _name, count in rows)
    return Item(
        total,
        ngettext(
            "%(num)d challenge proposal to decide", "%(num)d challenge proposals to decide", total
        ),
        _("No challenge proposals to decide"),
        _link_to_first(named, Link(_("Hackathons"), "hackathons.index")),
        named[:NAMED],
    )


def milestones_to_verify() -> Item:
    rows = db.session.execute(
        select(Venture.id, Venture.name, func.count(Milestone.id))
        .join(Milestone, Milestone.venture_id == Venture.id)
        .where(Milestone.status == MilestoneStatus.DONE, Venture.status == VentureStatus.ACTIVE)
        .group_by(Venture.id, Venture.name)
        .order_by(func.min(Milestone.completed_at), Venture.id)
    ).all()
    named = [
        Link(
            _("%(name)s: %(num)d to verify", name=name, num=count),
            "pipeline.milestones",
            {"venture_id": id_},
        )
        for id_, name, count in rows
    ]
    total = sum(count for _id, _name, count in rows)
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
        named[:NAMED],
    )


def runs_in_review() -> Item:
    rows = db.session.execute(
        select(Cohort.id, Cohort.name, func.count(MatchingRun.id))
        .join(MatchingRun, MatchingRun.cohort_id == Cohort.id)
        .where(MatchingRun.status == "draft")
        .group_by(Cohort.id, Cohort.name)
        .order_by(Cohort.name)
    ).all()
    named = [
        Link(
            ngettext("%(name)s: %(num)d draft", "%(name)s: %(num)d drafts", count, name=name),
            "matching.cohort_runs",
            {"cohort_id": id_},
        )
        for id_, name, count in rows
    ]
    total = sum(count for _id, _name, count in rows)
    return Item(
        total,
        ngettext("%(num)d matching run in review", "%(num)d matching runs in review", total),
        "",
        _link_to_first(named, Link(_("Cohorts"), "cohorts.index")),
        named[:NAMED],
    )
