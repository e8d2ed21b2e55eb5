"""Mentors, their availability, bookings with founders, ratings and calendar feeds."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.accounts import User
from incubator.models.base import Base, UTCDateTime, edit_version, enum_values, utcnow
from incubator.models.labels import EnumLabel, LabelledEnum
from incubator.models.ventures import Venture


class SlotStatus(enum.StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"


class BookingStatus(LabelledEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"

    LABELS = enum.nonmember(
        {
            "booked": _l("Booked"),
            "cancelled": _l("Cancelled"),
            "completed": _l("Completed"),
            "no_show": _l("No-show"),
        }
    )


# A slot is taken by any booking that was not cancelled.
ACTIVE_BOOKING = "status != 'cancelled'"


class MentorProfile(Base):
    __tablename__ = "mentor_profiles"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(160), default="")
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    challenge_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How many ventures the mentor can take on at once.
    capacity: Mapped[int] = mapped_column(default=3)
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    meeting_place: Mapped[str] = mapped_column(String(200), default="")
    accepting: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = edit_version()

    __mapper_args__ = {"version_id_col": version}

    user: Mapped[User] = relationship()


class SlotSeries(Base):
    """A weekly recurring block of availability, cut into slots."""

    __tablename__ = "slot_series"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_range"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("end_time > start_time", name="times_in_order"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 480", name="slot_length_sensible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]
    slot_minutes: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # The wall-clock times above are in this zone, so slots keep their local time across DST.
    time_zone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the mentor withdraws the series as a whole (its booked slots stay).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Slot(Base):
    """A time a mentor offers. PostgreSQL also refuses overlapping open slots of one mentor
    with an exclusion constraint (migration 0004); SQLite relies on serialised writes."""

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_in_order"),
        CheckConstraint(f"status IN ({enum_values(SlotStatus)})", name="status_known"),
        Index("ix_slots_mentor_id_starts_at", "mentor_id", "starts_at"),
        Index("ix_slots_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=SlotStatus.OPEN)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("slot_series.id", ondelete="SET NULL"), index=True
    )
    office_hours_day_id: Mapped[int | None] = mapped_column(
        ForeignKey("office_hours_days.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[User] = relationship()


class Booking(Base):
    """A founder's session with a mentor. Nothing is deleted: statuses and reasons stay."""

    __tablename__ = "bookings"
    __table_args__ = (
        # The database, not Python, makes a slot bookable once: one live booking per slot.
        Index(
            "uq_bookings_slot_id_active",
            "slot_id",
            unique=True,
            sqlite_where=text(ACTIVE_BOOKING),
            postgresql_where=text(ACTIVE_BOOKING),
        ),
        CheckConstraint(f"status IN ({enum_values(BookingStatus)})", name="status_known"),
        CheckConstraint("ends_at > starts_at", name="times_in_order"),
        CheckConstraint(
            "status != 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"
        ),
        Index("ix_bookings_founder_id_starts_at", "founder_id", "starts_at"),
        Index("ix_bookings_mentor_id_starts_at", "mentor_id", "starts_at"),
        Index("ix_bookings_venture_id", "venture_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"))
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="RESTRICT"))
    founder_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # Copied from the slot so overlaps and calendars need no join.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.BOOKED)
    # Bumped on every change, as RFC 5545 asks of a calendar event with a stable UID.
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    rescheduled_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", ondelete="SET NULL")
    )
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    private_notes: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    office_hours_day_id: Mapped[int | None] = mapped_column(
        ForeignKey("office_hours_days.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    slot: Mapped[Slot] = relationship()
    venture: Mapped[Venture] = relationship()
    founder: Mapped[User] = relationship(foreign_keys=[founder_id])
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])

    status_label = EnumLabel(BookingStatus, "status")


class SessionRating(Base):
    """One side's rating of a session: the mentor, or a founder of the venture."""

    __tablename__ = "session_ratings"
    __table_args__ = (
        UniqueConstraint("booking_id", "rater_id", name="uq_session_ratings_booking_rater"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_in_range"),
        CheckConstraint("side IN ('mentor', 'founder')", name="side_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(8))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(Base):
    """A private, revocable calendar subscription: only a hash of its token is stored."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfficeHoursDay(Base):
    """A mentor office-hours ("mentor madness") day: short meetings, many pairings."""

    __tablename__ = "office_hours_days"
    __table_args__ = (
        CheckConstraint("meeting_minutes BETWEEN 5 AND 120", name="meeting_length_sensible"),
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    time_zone: Mapped[str] = mapped_column(String(64), default="America/Los_Angeles")
    meeting_minutes: Mapped[int] = mapped_column(default=20)
    location: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # The mentors' windows and breaks, the ventures, and the generated plan, as entered.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfficeHoursRanking(Base):
    """After an office-hours day, a founder ranks the mentors met, and a mentor the ventures."""

    __tablename__ = "office_hours_rankings"
    __table_args__ = (
        UniqueConstraint(
            "day_id", "ranker_id", "mentor_id", "venture_id", name="uq_office_hours_rankings_pair"
        ),
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint("side IN ('mentor', 'founder')", name="side_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("office_hours_days.id", ondelete="CASCADE"))
    ranker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(8))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    venture_id: Mapped[int] = mapped_column(ForeignKey("ventures.id", ondelete="CASCADE"))
    rank: Mapped[int]
