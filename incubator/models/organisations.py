"""Partner organisations: city departments, nonprofits, businesses, resident groups."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incubator.models.accounts import User
from incubator.models.base import Base, UTCDateTime, enum_values, utcnow
from incubator.models.labels import LabelledEnum


class OrganisationKind(LabelledEnum):
    CITY_DEPARTMENT = "city_department"
    NONPROFIT = "nonprofit"
    BUSINESS = "business"
    RESIDENT_GROUP = "resident_group"
    FOUNDATION = "foundation"

    LABELS = enum.nonmember(
        {
            "city_department": _l("City department"),
            "nonprofit": _l("Nonprofit"),
            "business": _l("Business"),
            "resident_group": _l("Resident group"),
            "foundation": _l("Foundation"),
        }
    )


ORGANISATION_KINDS = enum_values(OrganisationKind)


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({ORGANISATION_KINDS})", name="kind_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default=OrganisationKind.CITY_DEPARTMENT)
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class OrganisationMember(Base):
    """A partner user who speaks for an organisation."""

    __tablename__ = "organisation_members"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
