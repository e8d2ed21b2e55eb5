"""Who takes part: hackathon registrations, outreach partners and opt-in demographic answers.

A registration is one person's place at one hackathon (confirmed, on the waiting list,
waiting for a guardian's consent, or cancelled), with how they heard of it (the outreach
partner whose referral link they followed) and whether they came. Demographic answers
belong to the person, not to a registration: they live in their own table, one row per
person, never on the profile, and only the person ever reads their own row; everything
else reads them only as suppressed counts.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
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
from incubator.models.base import Base, UTCDateTime, enum_values, utcnow
from incubator.models.hackathons import Hackathon
from incubator.models.labels import EnumLabel, LabelledEnum
from incubator.models.organisations import Organisation

# Where a person lives when it is none of the city's 114 neighbourhoods.
OUTSIDE_THE_CITY = "Outside the city"
PREFER_NOT_TO_SAY = "prefer_not"


class Background(LabelledEnum):
    """What a participant brings; several may apply."""

    TECHNOLOGIST = "technologist"
    DATA_SCIENTIST = "data_scientist"
    DESIGNER = "designer"
    PUBLIC_SERVANT = "public_servant"
    COMMUNITY_MEMBER = "community_member"
    STUDENT = "student"
    OTHER = "other"

    LABELS = enum.nonmember(
        {
            "technologist": _l("Technologist"),
            "data_scientist": _l("Data scientist"),
            "designer": _l("Designer"),
            "public_servant": _l("Public servant"),
            "community_member": _l("Community member"),
            "student": _l("Student"),
            "other": _l("Other"),
        }
    )


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    # Under 18: the place is held until a guardian's consent is recorded.
    AWAITING_CONSENT = "awaiting_consent"
    CANCELLED = "cancelled"

    LABELS = enum.nonmember(
        {
            "confirmed": _l("Confirmed"),
            "waitlisted": _l("On the waiting list"),
            "awaiting_consent": _l("Waiting for consent"),
            "cancelled": _l("Cancelled"),
        }
    )


LIVE_REGISTRATION = "status != 'cancelled'"


class RaceEthnicity(LabelledEnum):
    """The seven minimum categories of the 2024 federal standard (OMB SPD 15), asked as one
    question with several answers allowed."""

    AMERICAN_INDIAN_OR_ALASKA_NATIVE = "american_indian_or_alaska_native"
    ASIAN = "asian"
    BLACK_OR_AFRICAN_AMERICAN = "black_or_african_american"
    HISPANIC_OR_LATINO = "hispanic_or_latino"
    MIDDLE_EASTERN_OR_NORTH_AFRICAN = "middle_eastern_or_north_african"
    NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER = "native_hawaiian_or_pacific_islander"
    WHITE = "white"

    LABELS = enum.nonmember(
        {
            "american_indian_or_alaska_native": _l("American Indian or Alaska Native"),
            "asian": _l("Asian"),
            "black_or_african_american": _l("Black or African American"),
            "hispanic_or_latino": _l("Hispanic or Latino"),
            "middle_eastern_or_north_african": _l("Middle Eastern or North African"),
            "native_hawaiian_or_pacific_islander": _l("Native Hawaiian or Pacific Islander"),
            "white": _l("White"),
        }
    )


class Gender(LabelledEnum):
    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    SELF_DESCRIBED = "self_described"
    PREFER_NOT = PREFER_NOT_TO_SAY

    LABELS = enum.nonmember(
        {
            "woman": _l("Woman"),
            "man": _l("Man"),
            "non_binary": _l("Non-binary"),
            "self_described": _l("In my own words"),
            "prefer_not": _l("Prefer not to say"),
        }
    )


class AgeBand(LabelledEnum):
    UNDER_18 = "under_18"
    FROM_18_TO_24 = "18_24"
    FROM_25_TO_34 = "25_34"
    FROM_35_TO_44 = "35_44"
    FROM_45_TO_54 = "45_54"
    FROM_55_TO_64 = "55_64"
    FROM_65 = "65_plus"
    PREFER_NOT = PREFER_NOT_TO_SAY

    LABELS = enum.nonmember(
        {
            "under_18": _l("Under 18"),
            "18_24": _l("18 to 24"),
            "25_34": _l("25 to 34"),
            "35_44": _l("35 to 44"),
            "45_54": _l("45 to 54"),
            "55_64": _l("55 to 64"),
            "65_plus": _l("65 or older"),
            "prefer_not": _l("Prefer not to say"),
        }
    )


# Youth, as #techLA counts it: under 25.
YOUTH_AGE_BANDS = frozenset({AgeBand.UNDER_18.value, AgeBand.FROM_18_TO_24.value})


class YesNo(LabelledEnum):
    YES = "yes"
    NO = "no"
    PREFER_NOT = PREFER_NOT_TO_SAY

    LABELS = enum.nonmember(
        {
            "yes": _l("Yes"),
            "no": _l("No"),
            "prefer_not": _l("Prefer not to say"),
        }
    )


class ImmigrantHistory(LabelledEnum):
    IMMIGRANT = "immigrant"
    CHILD_OF_IMMIGRANTS = "child_of_immigrants"
    NEITHER = "neither"
    PREFER_NOT = PREFER_NOT_TO_SAY

    LABELS = enum.nonmember(
        {
            "immigrant": _l("I am an immigrant"),
            "child_of_immigrants": _l("I am the child of immigrants"),
            "neither": _l("Neither"),
            "prefer_not": _l("Prefer not to say"),
        }
    )


class OutreachPartner(Base):
    """An organisation doing outreach for one hackathon, with the code of its referral link."""

    __tablename__ = "outreach_partners"
    __table_args__ = (
        UniqueConstraint(
            "hackathon_id", "organisation_id", name="uq_outreach_partners_hackathon_organisation"
        ),
        UniqueConstraint("code", name="uq_outreach_partners_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # The referral link is /registration/<id>?via=<code>: random, not guessable.
    code: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hackathon: Mapped[Hackathon] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Registration(Base):
    """One person's place at one hackathon."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint(f"status IN ({enum_values(RegistrationStatus)})", name="status_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        # A minor's place is confirmed only once a guardian's consent is on record.
        CheckConstraint(
            "NOT under_18 OR status != 'confirmed' OR consent_recorded_at IS NOT NULL",
            name="minor_confirmed_with_consent",
        ),
        CheckConstraint(
            "attended_at IS NULL OR status = 'confirmed'", name="attended_only_if_confirmed"
        ),
        CheckConstraint("under_18 OR guardian_email IS NULL", name="guardian_only_for_a_minor"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_when_cancelled"
        ),
        # One live registration per person and hackathon; cancelled ones stay as history.
        Index(
            "uq_registrations_hackathon_user_live",
            "hackathon_id",
            "user_id",
            unique=True,
            sqlite_where=text(LIVE_REGISTRATION),
            postgresql_where=text(LIVE_REGISTRATION),
        ),
        # The waiting list in order, and the counts by status, per hackathon.
        Index("ix_registrations_hackathon_status", "hackathon_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    backgrounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_civic_hackathon: Mapped[bool] = mapped_column(Boolean, default=False)
    # A neighbourhood of the city, or OUTSIDE_THE_CITY.
    residence: Mapped[str] = mapped_column(String(80))
    preferred_language: Mapped[str] = mapped_column(String(40), default="English")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    looking_for_team: Mapped[bool] = mapped_column(Boolean, default=False)
    under_18: Mapped[bool] = mapped_column(Boolean, default=False)
    guardian_name: Mapped[str] = mapped_column(String(120), default="")
    guardian_email: Mapped[str | None] = mapped_column(String(254))
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(24), default=RegistrationStatus.CONFIRMED)
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("outreach_partners.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hackathon: Mapped[Hackathon] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    referred_by: Mapped[OutreachPartner | None] = relationship()

    status_label = EnumLabel(RegistrationStatus, "status")


class DemographicAnswers(Base):
    """A person's own answers, each optional; a missing answer is NULL (not asked, or
    skipped), "prefer not to say" is an answer. Withdrawing deletes the row."""

    __tablename__ = "demographic_answers"
    __table_args__ = (
        CheckConstraint(
            f"gender IS NULL OR gender IN ({enum_values(Gender)})", name="gender_known"
        ),
        CheckConstraint(
            "gender_self_described = '' OR gender = 'self_described'",
            name="own_words_only_when_chosen",
        ),
        CheckConstraint(
            f"age_band IS NULL OR age_band IN ({enum_values(AgeBand)})", name="age_band_known"
        ),
        CheckConstraint(
            f"la_resident IS NULL OR la_resident IN ({enum_values(YesNo)})",
            name="la_resident_known",
        ),
        CheckConstraint(
            f"immigrant_history IS NULL OR immigrant_history IN ({enum_values(ImmigrantHistory)})",
            name="immigrant_history_known",
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # RaceEthnicity values, several allowed; ["prefer_not"] when the person said so.
    race_ethnicity: Mapped[list[str]] = mapped_column(JSON, default=list)
    race_ethnicity_detail: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[str | None] = mapped_column(String(24))
    gender_self_described: Mapped[str] = mapped_column(String(80), default="")
    age_band: Mapped[str | None] = mapped_column(String(16))
    la_resident: Mapped[str | None] = mapped_column(String(16))
    immigrant_history: Mapped[str | None] = mapped_column(String(24))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FunnelStamp(Base):
    """A hackathon's funnel stamp: a new random value whenever anything the inclusion funnel
    counts of it changes, written by the database itself in the changing transaction
    (triggers of migration 0023_inclusion on registrations, demographic answers, outreach
    partners, organisations' names, submissions and their members, ventures, their members,
    investments and pilots, and hackathons).

    What a worker keeps of the funnel is filed under the stamps it read
    (services/inclusion/stamps.py). Derived data with no foreign key: the triggers of a
    hackathon's cascaded rows write its stamp while it is being deleted.
    """

    __tablename__ = "funnel_stamps"

    hackathon_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(32))
