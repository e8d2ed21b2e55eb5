"""Hackathons, their challenges and submissions, and the judging of them."""

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
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.accounts import User
from incubator.models.base import Base, UTCDateTime, edit_version, enum_values, utcnow
from incubator.models.labels import EnumLabel, LabelledEnum
from incubator.models.organisations import Organisation


class HackathonStatus(enum.StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    JUDGING = "judging"
    CLOSED = "closed"


class ChallengeStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    DECLINED = "declined"


class SubmissionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SubmissionSource(enum.StrEnum):
    MANUAL = "manual"
    DEVPOST = "devpost"


class Placement(LabelledEnum):
    WINNER = "winner"
    RUNNER_UP = "runner_up"
    HONOURABLE_MENTION = "honourable_mention"

    LABELS = enum.nonmember(
        {
            "winner": _l("Winner"),
            "runner_up": _l("Runner-up"),
            "honourable_mention": _l("Honourable mention"),
        }
    )


class Hackathon(Base):
    __tablename__ = "hackathons"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint(f"status IN ({enum_values(HackathonStatus)})", name="status_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "registration_capacity IS NULL OR registration_capacity > 0",
            name="registration_capacity_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    theme: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Los_Angeles")
    status: Mapped[str] = mapped_column(String(16), default=HackathonStatus.PLANNED)
    description: Mapped[str] = mapped_column(Text, default="")
    # Registration on the public page: open or not, and how many places (None: no limit;
    # past it, people join the waiting list).
    registration_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    registration_capacity: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenges: Mapped[list[Challenge]] = relationship(
        back_populates="hackathon", order_by="Challenge.id"
    )
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="hackathon", order_by="RubricCriterion.position, RubricCriterion.id"
    )


class Challenge(Base):
    """A problem statement, optionally posted by a partner organisation."""

    __tablename__ = "challenges"
    __table_args__ = (
        UniqueConstraint("hackathon_id", "title", name="uq_challenges_hackathon_title"),
        CheckConstraint(f"status IN ({enum_values(ChallengeStatus)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    problem_statement: Mapped[str] = mapped_column(Text, default="")
    challenge_area: Mapped[str] = mapped_column(String(80), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    # One link per line: the datasets the organisation offers for this challenge.
    dataset_links: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ChallengeStatus.APPROVED)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hackathon: Mapped[Hackathon] = relationship(back_populates="challenges")
    organisation: Mapped[Organisation | None] = relationship()
    proposed_by: Mapped[User | None] = relationship()

    @property
    def dataset_link_list(self) -> list[str]:
        return [line.strip() for line in self.dataset_links.splitlines() if line.strip()]


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # The Devpost submission URL is the stable key that makes re-imports idempotent.
        UniqueConstraint("hackathon_id", "submission_url", name="uq_submissions_hackathon_url"),
        CheckConstraint(f"status IN ({enum_values(SubmissionStatus)})", name="status_known"),
        CheckConstraint(f"source IN ({enum_values(SubmissionSource)})", name="source_known"),
        CheckConstraint(
            f"placement IS NULL OR placement IN ({enum_values(Placement)})", name="placement_known"
        ),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        Index("ix_submissions_hackathon_id", "hackathon_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"))
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="SET NULL"), index=True
    )
    team_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    tagline: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    submission_url: Mapped[str | None] = mapped_column(String(500))
    demo_url: Mapped[str | None] = mapped_column(String(500))
    repository_url: Mapped[str | None] = mapped_column(String(500))
    video_url: Mapped[str | None] = mapped_column(String(500))
    built_with: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.SUBMITTED)
    source: Mapped[str] = mapped_column(String(16), default=SubmissionSource.MANUAL)
    placement: Mapped[str | None] = mapped_column(String(24))
    # What an import carried that has no column of its own: custom answers, colleges, prizes.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The neighbourhoods the team's answer about where it works named (matched at import),
    # carried onto the venture when the submission is promoted.
    neighbourhoods: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    hackathon: Mapped[Hackathon] = relationship()
    challenge: Mapped[Challenge | None] = relationship()
    members: Mapped[list[SubmissionMember]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionMember.id"
    )

    placement_label = EnumLabel(Placement, "placement")


class SubmissionMember(Base):
    """A team member: linked to an account when one exists, otherwise kept as an invitee."""

    __tablename__ = "submission_members"
    __table_args__ = (
        UniqueConstraint("submission_id", "email", name="uq_submission_members_submission_email"),
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    submission: Mapped[Submission] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()


class ImportBatch(Base):
    """An uploaded Devpost export, kept between its preview and its application."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(
        ForeignKey("hackathons.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    hackathon: Mapped[Hackathon] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class RubricCriterion(Base):
    __tablename__ = "rubric_criteria"
    __table_args__ = (
        UniqueConstraint("hackathon_id", "name", name="uq_rubric_criteria_hackathon_name"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("scale_max > scale_min", name="scale_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = edit_version()

    __mapper_args__ = {"version_id_col": version}

    hackathon: Mapped[Hackathon] = relationship(back_populates="criteria")


class JudgeAssignment(Base):
    __tablename__ = "judge_assignments"
    __table_args__ = (
        UniqueConstraint("judge_id", "submission_id", name="uq_judge_assignments_judge_submission"),
        Index("ix_judge_assignments_submission_id", "submission_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judge: Mapped[User] = relationship(foreign_keys=[judge_id])
    submission: Mapped[Submission] = relationship()


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint(
            "submission_id", "judge_id", "criterion_id", name="uq_scores_submission_judge_criterion"
        ),
        Index("ix_scores_judge_id", "judge_id"),
        # The results add up every judge's points per submission from this index alone,
        # without reading the table (20,000 scores for a hackathon of 1,000 submissions).
        Index("ix_scores_totals", "submission_id", "judge_id", "criterion_id", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    criterion: Mapped[RubricCriterion] = relationship()


class JudgingStamp(Base):
    """A hackathon's judging stamp: a new random value whenever anything its results page is
    drawn from changes, written by the database itself in the changing transaction (triggers
    of migration 0020_judging on scores, judge assignments, submissions, rubric criteria,
    challenges, new hackathons and judges' names).

    What a worker keeps of the results is filed under the stamp it read
    (services/hackathons/stamps.py). Derived data with no foreign key: the triggers of a
    hackathon's cascaded rows write its stamp while it is being deleted.
    """

    __tablename__ = "judging_stamps"

    hackathon_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(32))
