"""The program, its cohorts, and the ventures in them with their team members."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.accounts import User
from incubator.models.base import Base, UTCDateTime, edit_version, enum_values, utcnow
from incubator.models.hackathons import Submission
from incubator.models.labels import EnumLabel, LabelledEnum


class CohortStatus(enum.StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    GRADUATED = "graduated"


class Stage(LabelledEnum):
    """The pipeline, in order: concept to adoption."""

    CONCEPT = "concept"
    PROTOTYPE = "prototype"
    PILOT = "pilot"
    LAUNCH = "launch"
    ADOPTION = "adoption"

    LABELS = enum.nonmember(
        {
            "concept": _l("Concept"),
            "prototype": _l("Prototype"),
            "pilot": _l("Pilot"),
            "launch": _l("Launch"),
            "adoption": _l("Adoption"),
        }
    )


class VentureStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="program", order_by="Cohort.starts_on.desc()"
    )


class Cohort(Base):
    __tablename__ = "cohorts"
    __table_args__ = (
        UniqueConstraint("program_id", "name", name="uq_cohorts_program_name"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(f"status IN ({enum_values(CohortStatus)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(160))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    capacity: Mapped[int] = mapped_column(default=12)
    status: Mapped[str] = mapped_column(String(16), default=CohortStatus.PLANNING)
    # Public showcase pages are off until a manager publishes the cohort.
    showcase_published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="cohorts")
    ventures: Mapped[list[Venture]] = relationship(back_populates="cohort", order_by="Venture.name")


class Venture(Base):
    __tablename__ = "ventures"
    __table_args__ = (
        CheckConstraint(f"stage IN ({enum_values(Stage)})", name="stage_known"),
        CheckConstraint(f"status IN ({enum_values(VentureStatus)})", name="status_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        UniqueConstraint("cohort_id", "name", name="uq_ventures_cohort_name"),
        Index("ix_ventures_cohort_id_status", "cohort_id", "status"),
        # The few ventures no longer active, in any cohort (the home's milestones to verify).
        Index("ix_ventures_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"))
    # Promotion's provenance; unique, so promoting a submission twice cannot make two ventures.
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(160))
    one_liner: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    challenge_area: Mapped[str] = mapped_column(String(80), default="")
    stage: Mapped[str] = mapped_column(String(16), default=Stage.CONCEPT)
    status: Mapped[str] = mapped_column(String(16), default=VentureStatus.ACTIVE)
    website: Mapped[str | None] = mapped_column(String(500))
    impact_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    neighbourhoods: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The KPI names the venture lets funders see on its public profile.
    shared_kpis: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = edit_version()

    __mapper_args__ = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship(back_populates="ventures")
    submission: Mapped[Submission | None] = relationship()
    members: Mapped[list[VentureMember]] = relationship(
        back_populates="venture", cascade="all, delete-orphan", order_by="VentureMember.id"
    )

    stage_label = EnumLabel(Stage, "stage")


# A cohort's active ventures by name, and each stage's by name: the pipeline board's first
# cards of every column and the table's first page read the first rows of one of these, and
# the counts by stage read the first alone, without touching the table.
Index(
    "ix_ventures_cohort_status_stage_name",
    Venture.cohort_id,
    Venture.status,
    Venture.stage,
    func.lower(Venture.name),
    Venture.id,
)
Index(
    "ix_ventures_cohort_status_name",
    Venture.cohort_id,
    Venture.status,
    func.lower(Venture.name),
    Venture.id,
)


class VentureMember(Base):
    __tablename__ = "venture_members"
    __table_args__ = (
        UniqueConstraint("venture_id", "user_id", name="uq_venture_members_venture_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role_in_team: Mapped[str] = mapped_column(String(80), default="Founder")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    venture: Mapped[Venture] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
