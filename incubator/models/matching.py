"""Matching ventures with mentors, funders and partners; the pilots and investments after."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.accounts import User
from incubator.models.base import Base, UTCDateTime, edit_version, enum_values, utcnow
from incubator.models.labels import LabelledEnum
from incubator.models.organisations import Organisation
from incubator.models.ventures import Cohort, Venture


class MatchKind(enum.StrEnum):
    MENTOR = "mentor"
    FUNDER = "funder"
    PARTNER = "partner"


class MatchStatus(enum.StrEnum):
    PROPOSED = "proposed"
    INTRODUCED = "introduced"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ENDED = "ended"


class FunderType(LabelledEnum):
    ANGEL = "angel"
    FUND = "fund"
    FOUNDATION = "foundation"
    PUBLIC_GRANT = "public_grant"

    LABELS = enum.nonmember(
        {
            "angel": _l("Angel"),
            "fund": _l("Fund"),
            "foundation": _l("Foundation"),
            "public_grant": _l("Public grant"),
        }
    )


class PilotStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"
    ADOPTED = "adopted"
    STOPPED = "stopped"


class Instrument(enum.StrEnum):
    GRANT = "grant"
    SAFE = "safe"
    EQUITY = "equity"
    LOAN = "loan"


# A match still in play: one per venture and counterpart.
LIVE_MATCH = "status IN ('proposed', 'introduced', 'accepted')"


class FunderProfile(Base):
    __tablename__ = "funder_profiles"
    __table_args__ = (
        CheckConstraint(f"funder_type IN ({enum_values(FunderType)})", name="type_known"),
        CheckConstraint("cheque_min >= 0 AND cheque_max >= cheque_min", name="cheques_in_order"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation: Mapped[str] = mapped_column(String(160), default="")
    funder_type: Mapped[str] = mapped_column(String(16), default=FunderType.ANGEL)
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    cheque_min: Mapped[int] = mapped_column(default=0)
    cheque_max: Mapped[int] = mapped_column(default=0)
    focus_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    open_to_civic: Mapped[bool] = mapped_column(default=True)
    capacity: Mapped[int] = mapped_column(default=5)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class PartnerProfile(Base):
    """What a partner organisation offers as a pilot user."""

    __tablename__ = "partner_profiles"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    neighbourhoods: Mapped[list[str]] = mapped_column(JSON, default=list)
    challenge_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What it can offer: "data", "pilot site", "procurement path".
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(default=2)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()


class MatchingRun(Base):
    """One proposal for a cohort and a kind of counterpart, as the manager reviews it."""

    __tablename__ = "matching_runs"
    __table_args__ = (
        CheckConstraint(f"kind IN ({enum_values(MatchKind)})", name="kind_known"),
        CheckConstraint("method IN ('optimal', 'stable')", name="method_known"),
        CheckConstraint("status IN ('draft', 'published', 'discarded')", name="status_known"),
        CheckConstraint(
            "min_per_venture >= 0 AND max_per_venture >= min_per_venture", name="bounds_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16), default="optimal")
    min_per_venture: Mapped[int] = mapped_column(default=1)
    max_per_venture: Mapped[int] = mapped_column(default=2)
    total_score: Mapped[float] = mapped_column(default=0.0)
    blocking_pairs: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The comparison the manager saw: both methods' totals and blocking pairs.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = edit_version()

    __mapper_args__ = {"version_id_col": version}

    cohort: Mapped[Cohort] = relationship()


class Match(Base):
    """A venture paired with a mentor, a funder or a partner organisation, and its fate."""

    __tablename__ = "matches"
    __table_args__ = (
        CheckConstraint(f"kind IN ({enum_values(MatchKind)})", name="kind_known"),
        CheckConstraint(f"status IN ({enum_values(MatchStatus)})", name="status_known"),
        # Exactly one counterpart: a person for mentors and funders, an organisation for partners.
        CheckConstraint(
            "(kind = 'partner' AND organisation_id IS NOT NULL AND counterpart_id IS NULL) OR "
            "(kind != 'partner' AND counterpart_id IS NOT NULL AND organisation_id IS NULL)",
            name="one_counterpart",
        ),
        CheckConstraint(
            "venture_answer IN ('pending', 'accepted', 'declined')", name="venture_answer_known"
        ),
        CheckConstraint(
            "counterpart_answer IN ('pending', 'accepted', 'declined')",
            name="counterpart_answer_known",
        ),
        Index(
            "uq_matches_live_pair",
            "venture_id",
            "kind",
            "counterpart_key",
            unique=True,
            sqlite_where=text(LIVE_MATCH),
            postgresql_where=text(LIVE_MATCH),
        ),
        Index("ix_matches_counterpart_id", "counterpart_id"),
        Index("ix_matches_organisation_id", "organisation_id"),
        Index("ix_matches_run_id", "run_id"),
        # The review page's reads (migration 0020): a cohort's held or declined pairs of a
        # kind, the places introductions take in other cohorts, a cohort's introductions, a
        # draft's pins.
        Index("ix_matches_cohort_id_kind_status", "cohort_id", "kind", "status"),
        Index("ix_matches_kind_status_counterpart_key", "kind", "status", "counterpart_key"),
        Index("ix_matches_cohort_id_introduced_at", "cohort_id", "introduced_at"),
        Index("ix_matches_run_id_pinned", "run_id", "pinned"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("matching_runs.id", ondelete="SET NULL"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    counterpart_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    # "user:<id>" or "org:<id>": one column the uniqueness rule can use.
    counterpart_key: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(default=0.0)
    # Why the pair was matched: each reason a message and its values, said in the reader's
    # language (services/matching/reasons.py); text in rows written before that.
    reasons: Mapped[list[str | dict[str, Any]]] = mapped_column(JSON, default=list)
    pinned: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=MatchStatus.PROPOSED)
    venture_answer: Mapped[str] = mapped_column(String(16), default="pending")
    counterpart_answer: Mapped[str] = mapped_column(String(16), default="pending")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    # A reason for declining is the program team's unless the side who declined shares it
    # with the other side (permissions.may_read_decline_reason).
    decline_reason_shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[MatchingRun | None] = relationship()
    venture: Mapped[Venture] = relationship()
    counterpart: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


# The stamp every cohort's review reads beside its own: counterparts and places held anywhere.
SHARED_SCOPE = 0


class MatchingStamp(Base):
    """A matching stamp: a new random value whenever anything the review page's room and add
    form are drawn from changes, written by the database itself in the changing transaction
    (triggers of migration 0025_review). `scope` is a cohort's id, for its ventures, its
    declined pairs and its drafts' pins; or `SHARED_SCOPE`, for what every cohort reads: the
    counterparts open to matching (people's names and activity, roles, profiles,
    organisations) and the introductions that hold a place.

    What a worker keeps of the review is filed under the two stamps of the cohort it read
    (services/matching/stamps.py). Derived data with no foreign key: the triggers of a
    cohort's cascaded rows write its stamp while it is being deleted.
    """

    __tablename__ = "matching_stamps"

    scope: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(32))


class Pilot(Base):
    __tablename__ = "pilots"
    __table_args__ = (
        CheckConstraint(f"status IN ({enum_values(PilotStatus)})", name="status_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("residents_reached >= 0", name="reached_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(
        ForeignKey("ventures.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default=PilotStatus.PLANNED)
    residents_reached: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    venture: Mapped[Venture] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Investment(Base):
    __tablename__ = "investments"
    __table_args__ = (
        CheckConstraint(f"instrument IN ({enum_values(Instrument)})", name="instrument_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(
        ForeignKey("ventures.id", ondelete="CASCADE"), index=True
    )
    funder_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Funders outside the platform are named here.
    funder_name: Mapped[str] = mapped_column(String(160), default="")
    amount: Mapped[float] = mapped_column(Numeric(14, 2))
    instrument: Mapped[str] = mapped_column(String(16))
    invested_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    venture: Mapped[Venture] = relationship()
    funder: Mapped[User | None] = relationship()
