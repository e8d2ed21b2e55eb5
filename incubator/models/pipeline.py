"""The pipeline: stage history, milestones, weekly check-ins and reminder bookkeeping."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.accounts import User
from incubator.models.base import Base, UTCDateTime, edit_version, enum_values, utcnow
from incubator.models.labels import EnumLabel, LabelledEnum
from incubator.models.ventures import Cohort, Stage, Venture, VentureStatus


class MilestoneStatus(LabelledEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"
    MISSED = "missed"

    LABELS = enum.nonmember(
        {
            "planned": _l("Planned"),
            "in_progress": _l("In progress"),
            "done": _l("Done"),
            "verified": _l("Verified"),
            "missed": _l("Missed"),
        }
    )


OPEN_MILESTONE_STATUSES = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)


class StageChange(Base):
    """One move of a venture between stages; the venture's stage changes only with one."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        CheckConstraint(
            f"from_stage IS NULL OR from_stage IN ({enum_values(Stage)})", name="from_stage_known"
        ),
        CheckConstraint(f"to_stage IN ({enum_values(Stage)})", name="to_stage_known"),
        Index("ix_stage_changes_venture_id_changed_at", "venture_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="CASCADE"))
    # None for the venture's entry into the pipeline.
    from_stage: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(16))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    # When the stay this move began ended: the venture's next move in (changed_at, id) order,
    # None while it lasts. Derived, written by services/pipeline/stamps.py.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    venture: Mapped[Venture] = relationship()
    changed_by: Mapped[User | None] = relationship()


class PipelineFacts(Base):
    """What the risk rules and the board read about one venture, kept in one row so that a
    cohort of thousands is counted, filtered and sorted without aggregating its history.

    Derived data: services/pipeline/facts.py rewrites a venture's row from its milestones,
    check-ins and stage history (and its cohort, status and stage) whenever the session
    changes one of them, and rebuilds every row on `flask pipeline-facts rebuild`. Nothing
    here depends on the date: the rules compare these dates with today when they are read.
    """

    __tablename__ = "pipeline_facts"
    __table_args__ = (
        CheckConstraint(f"stage IN ({enum_values(Stage)})", name="stage_known"),
        CheckConstraint(f"status IN ({enum_values(VentureStatus)})", name="status_known"),
        # A cohort's active ventures by stage and at risk, counted from this index alone (the
        # board): the columns the risk rules read follow the cohort, status and stage.
        Index(
            "ix_pipeline_facts_cohort_risk",
            "cohort_id",
            "status",
            "stage",
            "first_open_due_on",
            "last_check_in_on",
            "joined_at",
            "stage_since_at",
            "low_run_1",
            "low_run_2",
            "low_run_3",
            "low_run_4",
        ),
        CheckConstraint(
            "milestones_done >= 0 AND milestones_done <= milestones_total",
            name="milestones_counted",
        ),
        CheckConstraint(
            "low_run_1 >= 0 AND low_run_1 <= low_run_2 AND low_run_2 <= low_run_3"
            " AND low_run_3 <= low_run_4 AND low_run_4 <= check_ins",
            name="low_runs_nested",
        ),
    )

    venture_id: Mapped[int] = mapped_column(
        ForeignKey("ventures.id", ondelete="CASCADE"), primary_key=True
    )
    milestones_total: Mapped[int] = mapped_column(default=0)
    milestones_done: Mapped[int] = mapped_column(default=0)
    # The earliest due date of its open (planned or in progress) milestones.
    first_open_due_on: Mapped[date | None]
    check_ins: Mapped[int] = mapped_column(default=0)
    # The Monday of its latest check-in's week.
    last_check_in_on: Mapped[date | None]
    # How many of its latest check-ins in a row have a confidence of N or lower, for each N
    # a threshold can name (5, the highest, is every check-in).
    low_run_1: Mapped[int] = mapped_column(default=0)
    low_run_2: Mapped[int] = mapped_column(default=0)
    low_run_3: Mapped[int] = mapped_column(default=0)
    low_run_4: Mapped[int] = mapped_column(default=0)
    # When it entered the pipeline and its present stage (when it was made, without moves).
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stage_since_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The venture's own cohort, status and stage, copied so that the board counts a cohort's
    # ventures by stage and risk from this table alone, without joining every venture.
    cohort_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))


class PipelineStamp(Base):
    """A cohort's pipeline stamp: a new random value whenever the ventures or stage history
    its analytics are drawn from change, written in the changing transaction.

    What a worker keeps of the analytics and their charts is filed under the stamp it read,
    so a change (in any worker) files the next reading under another name. Derived data:
    services/pipeline/stamps.py writes it; a cohort without a row is not kept at all.
    """

    __tablename__ = "pipeline_stamps"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    stamp: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StagePlan(Base):
    """A cohort's expectations for one stage: how long it should take."""

    __tablename__ = "stage_plans"
    __table_args__ = (
        UniqueConstraint("cohort_id", "stage", name="uq_stage_plans_cohort_stage"),
        CheckConstraint(f"stage IN ({enum_values(Stage)})", name="stage_known"),
        CheckConstraint("expected_days > 0", name="expected_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    expected_days: Mapped[int]
    version: Mapped[int] = edit_version()

    __mapper_args__ = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship()


class MilestoneTemplate(Base):
    """A default exit milestone of a stage in a cohort, copied to a venture entering it."""

    __tablename__ = "milestone_templates"
    __table_args__ = (
        UniqueConstraint("cohort_id", "stage", "title", name="uq_milestone_templates_title"),
        CheckConstraint(f"stage IN ({enum_values(Stage)})", name="stage_known"),
        CheckConstraint("due_after_days >= 0", name="due_after_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    due_after_days: Mapped[int] = mapped_column(default=30)
    position: Mapped[int] = mapped_column(default=0)


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint(f"stage IN ({enum_values(Stage)})", name="stage_known"),
        CheckConstraint(f"status IN ({enum_values(MilestoneStatus)})", name="status_known"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        # Done and verified milestones carry their evidence and times.
        CheckConstraint(
            "status NOT IN ('done', 'verified') OR completed_at IS NOT NULL",
            name="completed_has_time",
        ),
        CheckConstraint(
            "status != 'verified' OR verified_at IS NOT NULL", name="verified_has_time"
        ),
        # A venture's milestones in a status, by when they were done: covering, so that the
        # home's "first waiting milestone of its venture" reads it rather than the index below.
        Index(
            "ix_milestones_venture_id_status_completed_at", "venture_id", "status", "completed_at"
        ),
        Index("ix_milestones_due_on", "due_on"),
        # The program's milestones in one status (done, waiting to be verified), in any cohort,
        # the longest waiting first (the manager's home names the first few).
        Index("ix_milestones_status_completed_at", "status", "completed_at", "venture_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=MilestoneStatus.PLANNED)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone_templates.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = edit_version()

    __mapper_args__ = {"version_id_col": version}

    venture: Mapped[Venture] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    status_label = EnumLabel(MilestoneStatus, "status")

    def is_overdue(self, today: date) -> bool:
        """Past its due date and not finished; computed, never stored."""
        return (
            self.due_on is not None
            and self.due_on < today
            and self.status in OPEN_MILESTONE_STATUSES
        )


class CheckIn(Base):
    """A founder's weekly progress report; one per venture per week."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("venture_id", "week_start", name="uq_check_ins_venture_week"),
        CheckConstraint("confidence BETWEEN 1 AND 5", name="confidence_in_range"),
        CheckConstraint("users_reached IS NULL OR users_reached >= 0", name="users_not_negative"),
        CheckConstraint("active_pilots IS NULL OR active_pilots >= 0", name="pilots_not_negative"),
        CheckConstraint("revenue IS NULL OR revenue >= 0", name="revenue_not_negative"),
        CheckConstraint(
            "funding_raised IS NULL OR funding_raised >= 0", name="funding_not_negative"
        ),
        CheckConstraint("team_size IS NULL OR team_size >= 0", name="team_not_negative"),
        Index("ix_check_ins_week_start", "week_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="CASCADE"))
    # The Monday of the week the check-in is for.
    week_start: Mapped[date]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text)
    progress: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")
    # The kinds of help asked for (mentors, data, introductions, funding) and the details.
    ask_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    asks: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[int]
    users_reached: Mapped[int | None]
    active_pilots: Mapped[int | None]
    revenue: Mapped[float | None] = mapped_column(Float)
    funding_raised: Mapped[float | None] = mapped_column(Float)
    team_size: Mapped[int | None]
    # The venture's own KPIs: {name: number}.
    custom_kpis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    venture: Mapped[Venture] = relationship()
    author: Mapped[User | None] = relationship()


class CustomKpi(Base):
    """A KPI a venture tracks beyond the standard ones."""

    __tablename__ = "custom_kpis"
    __table_args__ = (UniqueConstraint("venture_id", "name", name="uq_custom_kpis_venture_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(40), default="")


class ReminderSent(Base):
    """One reminder mail sent, so running the reminder job again never sends it twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("kind", "user_id", "period", name="uq_reminders_sent_kind_user_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # What the reminder is for: an ISO week ("2026-W48") or a date, by kind.
    period: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
