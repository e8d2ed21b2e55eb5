"""The city's scorecard: neighbourhoods, impact areas, metrics, observations and their history,
the datasets that feed them, check-in KPIs mapped to metrics, and where pilots take place."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Float,
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
from incubator.models.labels import LabelledEnum
from incubator.models.matching import Pilot


class ImpactAreaKind(LabelledEnum):
    PROMISE_ZONE = "promise_zone"
    HACKATHON_THEME = "hackathon_theme"
    CIVIC_PILOTS = "civic_pilots"
    OTHER = "other"

    LABELS = enum.nonmember(
        {
            "promise_zone": _l("Promise Zone goal"),
            "hackathon_theme": _l("Hackathon theme"),
            "civic_pilots": _l("Civic pilots"),
            "other": _l("Other"),
        }
    )


class Unit(LabelledEnum):
    COUNT = "count"
    USD = "usd"
    PERCENT = "percent"

    LABELS = enum.nonmember(
        {
            "count": _l("Count"),
            "usd": _l("US dollars"),
            "percent": _l("Percent"),
        }
    )


class Derivation(enum.StrEnum):
    """Where the app already holds a metric's data: the rule that derives it."""

    VENTURES_SUPPORTED = "ventures_supported"
    CAPITAL_RAISED = "capital_raised"
    CITY_PILOTS_SIGNED = "city_pilots_signed"
    PILOTS_ADOPTED = "pilots_adopted"
    RESIDENTS_SERVED = "residents_served"
    ONE_YEAR_SURVIVAL = "one_year_survival"
    CHECK_IN_KPIS = "check_in_kpis"


class Geography(enum.StrEnum):
    """Where an observation is about: the whole city, one neighbourhood, or the Promise Zone
    and the rest of the city (kept as their own figures where ventures would otherwise count
    twice, once per neighbourhood they serve)."""

    CITY = "city"
    NEIGHBOURHOOD = "neighbourhood"
    PROMISE_ZONE = "promise_zone"
    REST_OF_CITY = "rest_of_city"


class Origin(enum.StrEnum):
    DERIVED = "derived"
    MANUAL = "manual"


class SourceGeography(LabelledEnum):
    """The finest geography a dataset can be broken down to, coarsest first."""

    CITY = "city"
    COUNCIL_DISTRICT = "council_district"
    NEIGHBOURHOOD = "neighbourhood"
    CENSUS_TRACT = "census_tract"
    ADDRESS = "address"

    LABELS = enum.nonmember(
        {
            "city": _l("City"),
            "council_district": _l("Council district"),
            "neighbourhood": _l("Neighbourhood"),
            "census_tract": _l("Census tract"),
            "address": _l("Address"),
        }
    )

    @property
    def reaches_neighbourhoods(self) -> bool:
        """Whether figures can be given per neighbourhood: by neighbourhood, or finer units
        that can be placed in one (tracts allocated by area, addresses by point in polygon)."""
        return self in (
            SourceGeography.NEIGHBOURHOOD,
            SourceGeography.CENSUS_TRACT,
            SourceGeography.ADDRESS,
        )


class UpdateFrequency(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    IRREGULAR = "irregular"


class SourceStatus(LabelledEnum):
    IN_USE = "in_use"
    CANDIDATE = "candidate"
    REQUESTED = "requested"

    LABELS = enum.nonmember(
        {
            "in_use": _l("In use"),
            "candidate": _l("Could feed it"),
            "requested": _l("Requested"),
        }
    )


class KpiKind(enum.StrEnum):
    STANDARD = "standard"
    CUSTOM = "custom"


class KpiAggregation(LabelledEnum):
    """How a venture's weekly KPI reports become the figure for a period."""

    SUM = "sum"  # a flow reported week by week: the weeks of the period added up
    LEVEL = "level"  # a level: the latest report up to the period's end
    CHANGE = "change"  # growth: the level at the period's end minus the level before it

    LABELS = enum.nonmember(
        {
            "sum": _l("added up over the period's weeks"),
            "level": _l("its latest value at the period's end"),
            "change": _l("its growth over the period"),
        }
    )


class PilotSitePlacement(enum.StrEnum):
    POINT = "point"  # coordinates placed by point in polygon
    NAME = "name"  # the address names a neighbourhood
    CHOSEN = "chosen"  # a manager chose the neighbourhood
    OUTSIDE = "outside"  # coordinates outside the City of Los Angeles


class Neighbourhood(Base):
    """One of the 114 City of Los Angeles neighbourhoods (Mapping L.A.); the boundary itself
    is in the GeoJSON shipped with the app, under the same name."""

    __tablename__ = "neighbourhoods"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    promise_zone: Mapped[bool] = mapped_column(default=False)


class ImpactArea(Base):
    __tablename__ = "impact_areas"
    __table_args__ = (
        CheckConstraint(f"kind IN ({enum_values(ImpactAreaKind)})", name="kind_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(24), default=ImpactAreaKind.OTHER)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # A retired area stays on the ventures that named it but is offered to no one.
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    metrics: Mapped[list[Metric]] = relationship(
        back_populates="impact_area", order_by="Metric.position, Metric.name"
    )


class Metric(Base):
    __tablename__ = "metrics"
    __table_args__ = (
        CheckConstraint(f"unit IN ({enum_values(Unit)})", name="unit_known"),
        CheckConstraint("direction IN ('higher', 'lower')", name="direction_known"),
        CheckConstraint("frequency IN ('monthly', 'quarterly', 'annual')", name="frequency_known"),
        CheckConstraint(
            f"derivation IS NULL OR derivation IN ({enum_values(Derivation)})",
            name="derivation_known",
        ),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("iris_code IS NULL OR length(iris_code) = 6", name="iris_code_length"),
        CheckConstraint(
            "(baseline_value IS NULL) = (baseline_on IS NULL)", name="baseline_has_date"
        ),
        CheckConstraint("(target_value IS NULL) = (target_on IS NULL)", name="target_has_date"),
        CheckConstraint(
            "reference_value IS NULL OR (reference_year IS NOT NULL AND "
            "length(reference_source) > 0)",
            name="reference_has_source",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    impact_area_id: Mapped[int] = mapped_column(
        ForeignKey("impact_areas.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(16), default=Unit.COUNT)
    # What is counted, for counts: "jobs", "ventures", "residents".
    unit_label: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(8), default="higher")
    frequency: Mapped[str] = mapped_column(String(16), default="quarterly")
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_on: Mapped[date | None]
    target_value: Mapped[float | None] = mapped_column(Float)
    target_on: Mapped[date | None]
    # The IRIS+ catalogue's code, e.g. PI3687 for jobs created: documentation, not arithmetic.
    iris_code: Mapped[str | None] = mapped_column(String(6))
    # A national or regional figure to read the local one against.
    reference_value: Mapped[float | None] = mapped_column(Float)
    reference_label: Mapped[str] = mapped_column(String(200), default="")
    reference_source: Mapped[str] = mapped_column(String(300), default="")
    reference_year: Mapped[int | None]
    # None: figures are entered by hand (a department's figure, a survey).
    derivation: Mapped[str | None] = mapped_column(String(32))
    # Unpublished metrics are prepared by managers and shown to no one else.
    published: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    impact_area: Mapped[ImpactArea] = relationship(back_populates="metrics")
    sources: Mapped[list[DataSource]] = relationship(
        secondary="metric_data_sources", back_populates="metrics", order_by="DataSource.name"
    )


class DataSource(Base):
    """A dataset that feeds or could feed metrics: the register the city's call for
    information to its departments fills in."""

    __tablename__ = "data_sources"
    __table_args__ = (
        UniqueConstraint("department", "name", name="uq_data_sources_department_name"),
        CheckConstraint(
            f"update_frequency IN ({enum_values(UpdateFrequency)})", name="frequency_known"
        ),
        CheckConstraint(f"geography IN ({enum_values(SourceGeography)})", name="geography_known"),
        CheckConstraint(f"status IN ({enum_values(SourceStatus)})", name="status_known"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("length(department) > 0", name="department_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(160))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    update_frequency: Mapped[str] = mapped_column(String(16), default=UpdateFrequency.ANNUAL)
    geography: Mapped[str] = mapped_column(String(24), default=SourceGeography.CITY)
    licence: Mapped[str] = mapped_column(String(160), default="")
    # Who to ask, inside the city; never shown on the public pages.
    contact: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=SourceStatus.CANDIDATE)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    metrics: Mapped[list[Metric]] = relationship(
        secondary="metric_data_sources", back_populates="sources", order_by="Metric.name"
    )


class MetricDataSource(Base):
    __tablename__ = "metric_data_sources"

    metric_id: Mapped[int] = mapped_column(
        ForeignKey("metrics.id", ondelete="CASCADE"), primary_key=True
    )
    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("data_sources.id", ondelete="CASCADE"), primary_key=True, index=True
    )


# An observation in force; a withdrawn one is kept with its history.
CURRENT_OBSERVATION = "withdrawn_at IS NULL"


class Observation(Base):
    """A metric's value for one period and one place."""

    __tablename__ = "observations"
    __table_args__ = (
        CheckConstraint("period_end >= period_start", name="period_in_order"),
        CheckConstraint(f"geography IN ({enum_values(Geography)})", name="geography_known"),
        CheckConstraint(
            "(geography = 'neighbourhood') = (neighbourhood_id IS NOT NULL)",
            name="neighbourhood_when_needed",
        ),
        CheckConstraint(f"origin IN ({enum_values(Origin)})", name="origin_known"),
        CheckConstraint("denominator IS NULL OR denominator > 0", name="denominator_positive"),
        CheckConstraint(
            "contributors IS NULL OR contributors >= 0", name="contributors_not_negative"
        ),
        # One figure in force per metric, period and place. Two indexes, because the key of
        # a city-wide figure has no neighbourhood and NULLs never clash in a unique index.
        Index(
            "uq_observations_area_key",
            "metric_id",
            "period_start",
            "geography",
            unique=True,
            sqlite_where=text(f"neighbourhood_id IS NULL AND {CURRENT_OBSERVATION}"),
            postgresql_where=text(f"neighbourhood_id IS NULL AND {CURRENT_OBSERVATION}"),
        ),
        Index(
            "uq_observations_neighbourhood_key",
            "metric_id",
            "period_start",
            "neighbourhood_id",
            unique=True,
            sqlite_where=text(f"neighbourhood_id IS NOT NULL AND {CURRENT_OBSERVATION}"),
            postgresql_where=text(f"neighbourhood_id IS NOT NULL AND {CURRENT_OBSERVATION}"),
        ),
        # The scorecard reads a metric's series for one kind of place, newest first.
        Index("ix_observations_metric_geography_period", "metric_id", "geography", "period_start"),
        Index("ix_observations_recorded_at", "recorded_at"),
        # Only the few withdrawn figures: an index holding every NULL would lure SQLite (which
        # keeps no statistics) into reading all figures for "withdrawn_at IS NULL".
        Index(
            "ix_observations_withdrawn_at",
            "withdrawn_at",
            sqlite_where=text("withdrawn_at IS NOT NULL"),
            postgresql_where=text("withdrawn_at IS NOT NULL"),
        ),
        Index("ix_observations_neighbourhood_id", "neighbourhood_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id", ondelete="RESTRICT"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    geography: Mapped[str] = mapped_column(String(16), default=Geography.CITY)
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT")
    )
    value: Mapped[float] = mapped_column(Float)
    # With a denominator the figure is a rate: value / denominator.
    denominator: Mapped[float | None] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(16), default=Origin.MANUAL)
    data_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_sources.id", ondelete="SET NULL"), index=True
    )
    # How many ventures a derived figure rests on (None for a department's figure).
    contributors: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    metric: Mapped[Metric] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    data_source: Mapped[DataSource | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[ObservationRevision]] = relationship(
        back_populates="observation",
        cascade="all, delete-orphan",
        order_by="ObservationRevision.replaced_at.desc(), ObservationRevision.id.desc()",
    )


class RevisionAction(enum.StrEnum):
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"
    REDERIVED = "rederived"
    RESTORED = "restored"


class ObservationRevision(Base):
    """A value an observation held before it was corrected, re-derived or withdrawn."""

    __tablename__ = "observation_revisions"
    __table_args__ = (
        CheckConstraint(f"action IN ({enum_values(RevisionAction)})", name="action_known"),
        Index("ix_observation_revisions_observation_id", "observation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    contributors: Mapped[int | None]
    data_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_sources.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    observation: Mapped[Observation] = relationship(back_populates="revisions")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    replaced_by: Mapped[User | None] = relationship(foreign_keys=[replaced_by_id])


class KpiMapping(Base):
    """A check-in KPI that feeds a metric: a standard KPI by its field, or every venture's
    custom KPI of a name (compared without case)."""

    __tablename__ = "kpi_mappings"
    __table_args__ = (
        # A KPI feeds one metric, so a founder's figure is never counted twice.
        UniqueConstraint("kpi_kind", "kpi_name", name="uq_kpi_mappings_kpi"),
        CheckConstraint(f"kpi_kind IN ({enum_values(KpiKind)})", name="kind_known"),
        CheckConstraint(
            f"aggregation IN ({enum_values(KpiAggregation)})", name="aggregation_known"
        ),
        CheckConstraint(
            "kpi_kind = 'standard' OR kpi_name = lower(kpi_name)", name="custom_name_lowercase"
        ),
        CheckConstraint("length(kpi_name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id", ondelete="CASCADE"), index=True)
    kpi_kind: Mapped[str] = mapped_column(String(16))
    kpi_name: Mapped[str] = mapped_column(String(80))
    aggregation: Mapped[str] = mapped_column(String(16), default=KpiAggregation.LEVEL)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    metric: Mapped[Metric] = relationship()


class PilotSite(Base):
    """A place a pilot runs: an address, coordinates, or both, and the neighbourhood it is in."""

    __tablename__ = "pilot_sites"
    __table_args__ = (
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates_paired"),
        CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
            name="coordinates_in_range",
        ),
        CheckConstraint(
            f"placement IN ({enum_values(PilotSitePlacement)})", name="placement_known"
        ),
        CheckConstraint(
            "placement = 'outside' OR neighbourhood_id IS NOT NULL", name="placed_somewhere"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT"), index=True
    )
    placement: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pilot: Mapped[Pilot] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()


class ScorecardRefresh(Base):
    """One run of the derivation: when, by whom, and what it changed."""

    __tablename__ = "scorecard_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)

    by: Mapped[User | None] = relationship()
