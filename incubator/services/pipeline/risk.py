"""Which ventures are at risk, and why: the one place these rules live."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import case, func, select

from incubator.extensions import db
from incubator.models import CheckIn, Milestone, StageChange, StagePlan, Venture
from incubator.models.pipeline import OPEN_MILESTONE_STATUSES
from incubator.services.pipeline.stages import program_date


@dataclass(frozen=True)
class RiskReason:
    code: str
    message: str


@dataclass
class VentureSignals:
    """What the risk rules and the pipeline board read about one venture."""

    overdue_milestones: int = 0
    milestones_done: int = 0
    milestones_total: int = 0
    last_check_in_on: date | None = None
    recent_confidences: tuple[int, ...] = ()
    stage_since: datetime | None = None
    expected_days: int | None = None
    # When the venture entered the pipeline: the clock for "no check-in yet".
    joined_at: datetime | None = None


def signals(ventures: Iterable[Venture], today: date) -> dict[int, VentureSignals]:
    """Everything the rules need for many ventures, in a fixed number of queries."""
    ventures = list(ventures)
    ids = [v.id for v in ventures]
    found = {venture_id: VentureSignals() for venture_id in ids}
    if not ids:
        return found
    done_statuses = ("done", "verified")
    # (venture id, milestones, done, overdue); to SQL a SUM may be NULL.
    rows: Sequence[tuple[int, int, int | None, int | None]] = db.session.execute(
        select(
            Milestone.venture_id,
            func.count(Milestone.id),
            func.sum(case((Milestone.status.in_(done_statuses), 1), else_=0)),
            func.sum(
                case(
                    (
                        Milestone.status.in_(list(OPEN_MILESTONE_STATUSES))
                        & (Milestone.due_on < today),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .where(Milestone.venture_id.in_(ids))
        .group_by(Milestone.venture_id)
    ).all()
    for venture_id, total, done, overdue in rows:
        found[venture_id].milestones_total = total
        found[venture_id].milestones_done = int(done or 0)
        found[venture_id].overdue_milestones = int(overdue or 0)

    streak = current_app.config["RISK_LOW_CONFIDENCE_STREAK"]
    ranked = (
        select(
            CheckIn.venture_id,
            CheckIn.week_start,
            CheckIn.confidence,
            func.row_number()
            .over(partition_by=CheckIn.venture_id, order_by=CheckIn.week_start.desc())
            .label("position"),
        )
        .where(CheckIn.venture_id.in_(ids))
        .subquery()
    )
    # (venture id, week, confidence, 1 for the latest week)
    latest: Sequence[tuple[int, date, int, int]] = db.session.execute(
        select(ranked)
        .where(ranked.c.position <= streak)
        .order_by(ranked.c.venture_id, ranked.c.position)
    ).all()
    recent = defaultdict(list)
    for venture_id, week_start, confidence, position in latest:
        if position == 1:
            found[venture_id].last_check_in_on = week_start
        recent[venture_id].append(confidence)
    for venture_id, confidences in recent.items():
        found[venture_id].recent_confidences = tuple(confidences)

    for venture_id, joined, since in db.session.execute(
        select(
            StageChange.venture_id,
            func.min(StageChange.changed_at),
            func.max(StageChange.changed_at),
        )
        .where(StageChange.venture_id.in_(ids))
        .group_by(StageChange.venture_id)
    ):
        found[venture_id].joined_at = _aware(joined)
        found[venture_id].stage_since = _aware(since)

    cohort_ids = {v.cohort_id for v in ventures}
    expected = {
        (plan.cohort_id, plan.stage): plan.expected_days
        for plan in db.session.scalars(select(StagePlan).where(StagePlan.cohort_id.in_(cohort_ids)))
    }
    for venture in ventures:
        found[venture.id].expected_days = expected.get((venture.cohort_id, venture.stage))
        if found[venture.id].stage_since is None:
            found[venture.id].stage_since = venture.created_at
        if found[venture.id].joined_at is None:
            found[venture.id].joined_at = venture.created_at
    return found


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back naive UTC or even text.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def reasons(venture: Venture, signal: VentureSignals, today: date) -> list[RiskReason]:
    """Why a venture is at risk; empty when it is not."""
    config = current_app.config
    found = []
    if signal.overdue_milestones:
        count = signal.overdue_milestones
        found.append(
            RiskReason(
                "overdue_milestone",
                f"{count} overdue milestone{'' if count == 1 else 's'}",
            )
        )
    quiet_days = config["RISK_NO_CHECK_IN_DAYS"]
    if signal.last_check_in_on is None:
        # Counted from joining the pipeline: a recent stage move does not restart the clock.
        joined = signal.joined_at or signal.stage_since
        started = program_date(joined) if joined else today
        if (today - started).days > quiet_days:
            found.append(RiskReason("no_check_in", "no check-in yet"))
    elif (today - signal.last_check_in_on).days > quiet_days:
        days = (today - signal.last_check_in_on).days
        found.append(RiskReason("no_check_in", f"no check-in for {days} days"))
    streak = config["RISK_LOW_CONFIDENCE_STREAK"]
    low = config["RISK_LOW_CONFIDENCE"]
    confidences = signal.recent_confidences
    if len(confidences) >= streak and all(value <= low for value in confidences[:streak]):
        found.append(
            RiskReason(
                "low_confidence",
                f"confidence {low} or lower in the last {streak} check-ins",
            )
        )
    if signal.expected_days and signal.stage_since is not None:
        days_in_stage = (today - program_date(signal.stage_since)).days
        if days_in_stage > signal.expected_days:
            found.append(
                RiskReason(
                    "stalled",
                    f"{days_in_stage} days in {venture.stage_label}, "
                    f"expected {signal.expected_days}",
                )
            )
    return found


def assess(ventures: Iterable[Venture], today: date) -> dict[int, list[RiskReason]]:
    """The risk reasons of many ventures at once."""
    ventures = list(ventures)
    found = signals(ventures, today)
    return {venture.id: reasons(venture, found[venture.id], today) for venture in ventures}
