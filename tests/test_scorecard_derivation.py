"""Derived figures: each source the app already holds (stage history, investments, pilots
with their sites and reach, check-in KPIs mapped to metrics, graduations), placed in
neighbourhoods and the Promise Zone, and written again only where they changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from incubator.extensions import db as database
from incubator.models import (
    AuditEvent,
    Geography,
    Metric,
    Neighbourhood,
    Observation,
    ObservationRevision,
    OrganisationKind,
    RevisionAction,
)
from incubator.services.cohorts import ventures
from incubator.services.matching import outcomes
from incubator.services.pipeline import checkins
from incubator.services.scorecard import catalogue, derivation, places
from tests import factories

DAY = date(2025, 12, 15)  # derivations run "today": every month up to November has ended


def entered(cohort, name, day, places_served, scorecard_manager):
    at = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
    venture = factories.venture_entered(cohort, name, at=at, by=scorecard_manager)
    venture.neighbourhoods = places_served
    return venture


def archived(venture, day, scorecard_manager):
    ventures.archive_venture(venture, "The team moved on", by=scorecard_manager)
    event = next(
        e
        for e in database.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "venture.archived")
        )
        if e.object_id == str(venture.id)
    )
    event.created_at = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)


def figure(db, code: str, month: date, where: str = Geography.CITY, place: str | None = None):
    """The figure in force for a metric, a period and a place, or None."""
    statement = (
        select(Observation)
        .join(Metric)
        .where(
            Metric.code == code,
            Observation.period_start == month,
            Observation.geography == where,
            Observation.withdrawn_at.is_(None),
        )
    )
    if place is not None:
        statement = statement.join(
            Neighbourhood, Neighbourhood.id == Observation.neighbourhood_id
        ).where(Neighbourhood.name == place)
    return db.session.scalar(statement)


def value(db, *args, **kwargs) -> float | None:
    found = figure(db, *args, **kwargs)
    return None if found is None else found.value


def in_place(db, code, month, place) -> float | None:
    return value(db, code, month, Geography.NEIGHBOURHOOD, place)


# Stage history: ventures supported --------------------------------------------------------------


def test_ventures_supported_come_from_entries_cohort_dates_and_archiving(db, scorecard_manager):
    cohort = factories.cohort(
        by=scorecard_manager, starts_on=date(2025, 4, 1), ends_on=date(2025, 9, 30)
    )
    first = entered(cohort, "Early", date(2025, 4, 3), ["Koreatown", "Watts"], scorecard_manager)
    entered(cohort, "Later", date(2025, 6, 10), ["Watts"], scorecard_manager)
    leaver = entered(cohort, "Leaver", date(2025, 5, 2), ["Citywide"], scorecard_manager)
    archived(leaver, date(2025, 6, 20), scorecard_manager)

    derivation.refresh(by=scorecard_manager, day=DAY)

    months = {m: value(db, "ventures_supported", date(2025, m, 1)) for m in range(4, 12)}
    # April: one; May: two; June: three (the leaver left during June); then two until the
    # cohort ended in September; October and November are zeros, not gaps.
    assert months == {4: 1, 5: 2, 6: 3, 7: 2, 8: 2, 9: 2, 10: 0, 11: 0}
    june = date(2025, 6, 1)
    assert in_place(db, "ventures_supported", june, "Watts") == 2
    assert in_place(db, "ventures_supported", june, "Koreatown") == 1
    # Koreatown is in the Promise Zone, Watts is not: the venture serving both counts once in
    # each zone, and the city counts it once.
    assert value(db, "ventures_supported", june, Geography.PROMISE_ZONE) == 1
    assert value(db, "ventures_supported", june, Geography.REST_OF_CITY) == 2
    assert figure(db, "ventures_supported", june).contributors is None  # public already
    assert first.id


# Investments: capital raised --------------------------------------------------------------------


def test_capital_raised_is_shared_among_a_ventures_neighbourhoods(db, scorecard_manager):
    cohort = factories.cohort(by=scorecard_manager, starts_on=date(2025, 4, 1))
    both = entered(cohort, "Both", date(2025, 4, 3), ["Koreatown", "Watts"], scorecard_manager)
    watts = entered(cohort, "Watts only", date(2025, 4, 3), ["Watts"], scorecard_manager)
    nowhere = entered(cohort, "Citywide", date(2025, 4, 3), ["Citywide"], scorecard_manager)
    factories.investment(both, by=scorecard_manager, amount=50_000, invested_on=date(2025, 6, 1))
    factories.investment(watts, by=scorecard_manager, amount=10_000, invested_on=date(2025, 6, 20))
    factories.investment(nowhere, by=scorecard_manager, amount=7_000, invested_on=date(2025, 6, 3))
    factories.investment(
        watts, by=scorecard_manager, amount=1_000, invested_on=date(2025, 8, 9), today=DAY
    )

    derivation.refresh(by=scorecard_manager, day=DAY)

    june = date(2025, 6, 1)
    assert value(db, "capital_raised", june) == 67_000
    assert in_place(db, "capital_raised", june, "Koreatown") == 25_000
    assert in_place(db, "capital_raised", june, "Watts") == 35_000
    assert value(db, "capital_raised", june, Geography.PROMISE_ZONE) == 25_000
    assert value(db, "capital_raised", june, Geography.REST_OF_CITY) == 35_000
    # Ventures' own money: how many ventures stand behind each figure is kept.
    assert figure(db, "capital_raised", june).contributors == 3
    assert figure(db, "capital_raised", june, Geography.NEIGHBOURHOOD, "Watts").contributors == 2
    assert value(db, "capital_raised", date(2025, 7, 1)) == 0
    assert value(db, "capital_raised", date(2025, 8, 1)) == 1_000


# Pilots, their sites and their reach ------------------------------------------------------------


def test_city_pilots_adoptions_and_reach_follow_the_pilots_sites(db, scorecard_manager):
    cohort = factories.cohort(by=scorecard_manager, starts_on=date(2025, 4, 1))
    venture = entered(
        cohort, "SiteWise", date(2025, 4, 3), ["Koreatown", "Watts"], scorecard_manager
    )
    city = factories.organisation("LADWP", kind=OrganisationKind.CITY_DEPARTMENT)
    nonprofit = factories.organisation("A nonprofit", kind=OrganisationKind.NONPROFIT)
    pilot = factories.pilot(
        venture, city, by=scorecard_manager, starts_on=date(2025, 5, 10), status="running"
    )
    factories.pilot(venture, nonprofit, by=scorecard_manager, starts_on=date(2025, 5, 12))
    unsited = factories.pilot(venture, city, by=scorecard_manager, starts_on=date(2025, 9, 1))
    # Mariachi Plaza (Boyle Heights) and MacArthur Park (Westlake, in the Promise Zone).
    for coordinates in ("34.0472, -118.2196", "34.0577, -118.2787"):
        places.add_site(pilot, places.SiteInput(coordinates=coordinates), by=scorecard_manager)
    data = outcomes.PilotInput(
        organisation_id=city.id,
        title=pilot.title,
        starts_on=pilot.starts_on,
        ends_on=date(2025, 7, 20),
        status="completed",
        residents_reached=900,
    )
    outcomes.update_pilot(pilot, data, by=scorecard_manager)
    data.status = "adopted"
    outcomes.update_pilot(pilot, data, by=scorecard_manager)

    derivation.refresh(by=scorecard_manager, day=DAY)

    may, july, september = date(2025, 5, 1), date(2025, 7, 1), date(2025, 9, 1)
    # Only the pilot with a city department counts, where its sites are.
    assert value(db, "city_pilots_signed", may) == 1
    assert in_place(db, "city_pilots_signed", may, "Boyle Heights") == 1
    assert in_place(db, "city_pilots_signed", may, "Westlake") == 1
    assert in_place(db, "city_pilots_signed", may, "Koreatown") is None
    assert value(db, "city_pilots_signed", may, Geography.PROMISE_ZONE) == 1
    # A pilot without sites counts where its venture works.
    assert in_place(db, "city_pilots_signed", september, "Koreatown") == 1
    assert unsited.id
    # Adopted in the month it ended; its reach shared between its two sites.
    assert value(db, "pilots_adopted", july) == 1
    assert value(db, "residents_served", july) == 900
    assert in_place(db, "residents_served", july, "Boyle Heights") == 450
    assert in_place(db, "residents_served", july, "Westlake") == 450
    assert value(db, "residents_served", july, Geography.PROMISE_ZONE) == 450
    assert value(db, "residents_served", july, Geography.REST_OF_CITY) == 450


# Check-in KPIs mapped to metrics ----------------------------------------------------------------


def kpi_metric(scorecard_manager, code: str, name: str) -> Metric:
    area = database.session.scalar(select(Metric.impact_area_id).limit(1))
    return catalogue.create_metric(
        catalogue.MetricInput(
            code=code,
            name=name,
            impact_area_id=area,
            frequency="monthly",
            derivation="check_in_kpis",
        ),
        by=scorecard_manager,
    )


def test_check_in_kpis_are_added_up_taken_at_their_level_or_as_growth(db, scorecard_manager):
    cohort = factories.cohort(by=scorecard_manager, starts_on=date(2025, 4, 1))
    venture = entered(cohort, "Reporter", date(2025, 4, 3), ["Watts"], scorecard_manager)
    founder = factories.founder_of(venture)
    checkins.add_custom_kpi(venture, "Local hires", "people", by=founder)
    hires = kpi_metric(scorecard_manager, "local_hires", "Local hires")
    jobs, revenue = (
        db.session.scalar(select(Metric).where(Metric.code == code))
        for code in ("jobs_created", "revenue")
    )
    for kind, name, metric, how in (
        ("standard", "team_size", jobs, "change"),
        ("standard", "revenue", revenue, "sum"),
        ("custom", "LOCAL HIRES", hires, "level"),
    ):
        catalogue.add_kpi_mapping(
            catalogue.KpiMappingInput(metric.id, kind, name, how), by=scorecard_manager
        )
    weeks = [
        (date(2025, 5, 5), 3, 100.0, 1),
        (date(2025, 5, 12), 3, 200.0, 1),
        (date(2025, 6, 2), 5, 300.0, 2),
        (date(2025, 6, 30), 6, 50.0, 4),  # a Monday in June: the week counts for June
    ]
    for week, team, money, local in weeks:
        factories.check_in(
            venture,
            founder,
            week,
            confidence=4,
            team_size=team,
            revenue=money,
            custom_kpis={"Local hires": local},
        )

    derivation.refresh(by=scorecard_manager, day=DAY)

    may, june, july = date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)
    assert (value(db, "revenue", may), value(db, "revenue", june)) == (300, 350)
    assert value(db, "revenue", july) == 0  # nothing reported: a zero for the month
    # Growth: May starts from its first report (3 to 3), June from May's level (3 to 6).
    assert (value(db, "jobs_created", may), value(db, "jobs_created", june)) == (0, 3)
    assert value(db, "jobs_created", july) == 0
    assert (value(db, "local_hires", may), value(db, "local_hires", june)) == (1, 4)
    # A level still stands a few weeks on, but not a quarter after the last report.
    assert value(db, "local_hires", july) == 4
    assert value(db, "local_hires", date(2025, 10, 1)) == 0
    assert in_place(db, "revenue", june, "Watts") == 350
    assert figure(db, "revenue", june).contributors == 1


# Graduates a year on -----------------------------------------------------------------------------


def test_one_year_survival_counts_graduates_not_archived_within_a_year(db, scorecard_manager):
    cohort = factories.cohort(
        by=scorecard_manager, starts_on=date(2024, 1, 10), ends_on=date(2024, 6, 30)
    )
    entered(cohort, "Still going", date(2024, 1, 12), ["Watts"], scorecard_manager)
    gone_later = entered(cohort, "Gone later", date(2024, 1, 12), ["Watts"], scorecard_manager)
    gone_early = entered(cohort, "Gone early", date(2024, 1, 12), ["Koreatown"], scorecard_manager)
    archived(gone_later, date(2024, 9, 1), scorecard_manager)  # within a year of graduating
    archived(gone_early, date(2024, 5, 1), scorecard_manager)  # before graduating: not a graduate

    derivation.refresh(by=scorecard_manager, day=date(2026, 1, 15))

    survived = figure(db, "survival_1y", date(2025, 1, 1))
    assert (survived.value, survived.denominator) == (1, 2)
    assert figure(db, "survival_1y", date(2024, 1, 1)) is None  # no graduates in 2023: a gap
    assert in_place(db, "survival_1y", date(2025, 1, 1), "Koreatown") is None


# Writing only what changed ----------------------------------------------------------------------


def test_refresh_keeps_history_withdraws_what_vanished_and_restores_what_returns(
    db, scorecard_manager
):
    cohort = factories.cohort(by=scorecard_manager, starts_on=date(2025, 4, 1))
    venture = entered(cohort, "Mover", date(2025, 4, 3), ["Koreatown", "Watts"], scorecard_manager)
    factories.investment(venture, by=scorecard_manager, amount=40_000, invested_on=date(2025, 6, 1))
    june = date(2025, 6, 1)

    first = derivation.refresh(by=scorecard_manager, day=DAY)
    again = derivation.refresh(by=scorecard_manager, day=DAY)
    watts = figure(db, "capital_raised", june, Geography.NEIGHBOURHOOD, "Watts")
    assert (first.inserted > 0, again.inserted, again.updated, again.withdrawn) == (
        True,
        0,
        0,
        0,
    )
    assert watts.value == 20_000

    venture.neighbourhoods = ["Watts"]  # the venture no longer works in Koreatown
    moved = derivation.refresh(by=scorecard_manager, day=DAY)

    db.session.expire_all()
    assert watts.value == 40_000
    [revision] = db.session.scalars(
        select(ObservationRevision).where(ObservationRevision.observation_id == watts.id)
    )
    assert (revision.value, revision.action) == (20_000, RevisionAction.REDERIVED)
    assert in_place(db, "capital_raised", june, "Koreatown") is None
    gone = db.session.scalar(
        select(Observation)
        .join(Neighbourhood, Neighbourhood.id == Observation.neighbourhood_id)
        .join(Metric)
        .where(Metric.code == "capital_raised", Neighbourhood.name == "Koreatown")
    )
    assert gone.withdrawn_at is not None  # kept, with its history, not deleted
    assert moved.withdrawn >= 1 and moved.updated >= 1

    venture.neighbourhoods = ["Koreatown", "Watts"]
    derivation.refresh(by=scorecard_manager, day=DAY)

    db.session.expire_all()
    assert gone.withdrawn_at is None and gone.value == 20_000
    actions = [r.action for r in gone.revisions]
    assert actions == [RevisionAction.RESTORED, RevisionAction.WITHDRAWN]


def test_refresh_is_recorded_and_audited(db, scorecard_manager, audit_events):
    factories.cohort(by=scorecard_manager, starts_on=DAY - timedelta(days=90))

    report = derivation.refresh(by=scorecard_manager, day=DAY)

    last = derivation.last_refresh()
    assert (last.inserted, last.by_id) == (report.inserted, scorecard_manager.id)
    [event] = audit_events("scorecard.refreshed")
    assert event.after["inserted"] == report.inserted
    assert "ventures_supported" in report.metrics


def test_without_a_cohort_nothing_is_derived(db, scorecard_manager):
    report = derivation.refresh(by=scorecard_manager, day=DAY)

    assert (report.inserted, report.metrics) == (0, [])
    assert db.session.scalar(select(Observation.id)) is None
