"""What the scorecard measures and the figures entered by hand: impact areas, metrics and their
rules, data sources, KPI mappings, manual figures with who and when, corrections that keep
the old value, withdrawals, and pilot sites placed in their neighbourhood."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from incubator.models import (
    Geography,
    ImpactArea,
    Metric,
    Neighbourhood,
    Observation,
    RevisionAction,
    Venture,
)
from incubator.services.cohorts import ventures
from incubator.services.errors import Conflict, InvalidInput, NotAllowed
from incubator.services.scorecard import catalogue, observations, places
from tests import factories

TODAY = date(2025, 12, 15)


def area(db, code: str = "jobs") -> ImpactArea:
    return db.session.scalar(select(ImpactArea).where(ImpactArea.code == code))


def metric(db, code: str) -> Metric:
    return db.session.scalar(select(Metric).where(Metric.code == code))


def neighbourhood(db, name: str) -> Neighbourhood:
    return db.session.scalar(select(Neighbourhood).where(Neighbourhood.name == name))


def manual_metric(db, scorecard_manager, **fields) -> Metric:
    data = catalogue.MetricInput(
        code="parklet_days",
        name="Days to a parklet permit",
        impact_area_id=area(db, "transportation").id,
        direction="lower",
        frequency="quarterly",
    )
    return catalogue.create_metric(replace(data, **fields), by=scorecard_manager)


# Reference data ---------------------------------------------------------------------------------


def test_reference_data_is_the_114_neighbourhoods_the_seeded_areas_and_the_starter_metrics(db):
    factories.scorecard_reference()
    again = factories.scorecard_reference()

    counts = [
        len(db.session.scalars(select(model)).all())
        for model in (Neighbourhood, ImpactArea, Metric)
    ]
    assert counts == [114, 11, 9]
    assert (again.neighbourhoods, again.areas, again.metrics) == (0, 0, 0)
    zone = db.session.scalars(
        select(Neighbourhood.name).where(Neighbourhood.promise_zone.is_(True))
    )
    assert sorted(zone) == ["East Hollywood", "Hollywood", "Koreatown", "Pico-Union", "Westlake"]
    codes = set(db.session.scalars(select(Metric.code)))
    assert codes == {
        "ventures_supported",
        "jobs_created",
        "local_jobs",
        "capital_raised",
        "revenue",
        "city_pilots_signed",
        "pilots_adopted",
        "residents_served",
        "survival_1y",
    }
    assert metric(db, "jobs_created").iris_code == "PI3687"
    kinds = {a.code: a.kind for a in db.session.scalars(select(ImpactArea))}
    assert kinds["water"] == "hackathon_theme" and kinds["health"] == "promise_zone"
    assert kinds["civic_pilots"] == "civic_pilots"


# Metrics ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"iris_code": "P3687"}, "An IRIS\\+ code is two capital letters and four digits"),
        ({"iris_code": "PI36870"}, "An IRIS\\+ code is two capital letters and four digits"),
        ({"code": "Bad Code"}, "The code is 2 to 40 lower-case letters"),
        ({"target_value": 10.0}, "A target needs both its value and the date"),
        (
            {
                "baseline_value": 1.0,
                "baseline_on": date(2025, 1, 1),
                "target_value": 2.0,
                "target_on": date(2024, 1, 1),
            },
            "The target's date must come after the baseline's.",
        ),
        ({"reference_value": 80.0}, "A reference figure needs its source and its year."),
        ({"target_value": math.nan, "target_on": date(2026, 1, 1)}, "The target must be a number"),
        ({"unit": "furlongs"}, "Unknown unit"),
        ({"derivation": "capital_raised"}, "Figures derived from investments"),
        ({"name": "Jobs created"}, "Another metric has the name"),
    ],
)
def test_a_metric_with_bad_fields_is_refused(db, scorecard_manager, fields, message):
    with pytest.raises(InvalidInput, match=message):
        manual_metric(db, scorecard_manager, **fields)


def test_an_iris_code_is_checked_and_kept_in_capitals(db, scorecard_manager):
    made = manual_metric(db, scorecard_manager, iris_code="pi3687")

    assert made.iris_code == "PI3687"


def test_a_metric_cannot_change_frequency_once_it_has_figures(db, scorecard_manager):
    made = manual_metric(db, scorecard_manager)
    observations.record_observation(
        made, observations.ObservationInput(date(2025, 7, 1), 90.0), by=scorecard_manager, day=TODAY
    )
    data = catalogue.MetricInput(
        code=made.code, name=made.name, impact_area_id=made.impact_area_id, frequency="monthly"
    )

    with pytest.raises(Conflict, match="its frequency cannot change"):
        catalogue.update_metric(made, data, by=scorecard_manager)


def test_only_one_metric_is_derived_from_each_source(db, scorecard_manager):
    with pytest.raises(InvalidInput, match="Capital raised is already derived from investments"):
        manual_metric(
            db,
            scorecard_manager,
            code="money",
            name="Money",
            unit="usd",
            derivation="capital_raised",
        )


def test_only_managers_edit_the_scorecard(db, scorecard_manager):
    founder = factories.user("founder")

    with pytest.raises(NotAllowed):
        catalogue.create_area(catalogue.AreaInput("new_area", "New area"), by=founder)


# Impact areas and ventures ----------------------------------------------------------------------


def test_ventures_pick_impact_areas_from_the_table_and_a_rename_follows_them(db, scorecard_manager):
    cohort = factories.cohort(by=scorecard_manager)
    venture = factories.venture(
        cohort, impact_areas=["Health", "Water and drought"], by=scorecard_manager
    )
    water = area(db, "water")

    assert venture.impact_areas == ["Health", "Water and drought"]  # the areas' order
    with pytest.raises(InvalidInput, match="Unknown impact area: Crypto"):
        factories.venture(cohort, impact_areas=["Crypto"], by=scorecard_manager)

    catalogue.update_area(
        water,
        catalogue.AreaInput("water", "Water", water.kind, water.description, water.position),
        by=scorecard_manager,
    )

    db.session.expire_all()
    assert db.session.get(Venture, venture.id).impact_areas == ["Health", "Water"]


def test_a_retired_area_stays_on_its_ventures_but_is_offered_to_no_new_one(db, scorecard_manager):
    cohort = factories.cohort(by=scorecard_manager)
    venture = factories.venture(cohort, impact_areas=["Health"], by=scorecard_manager)
    health = area(db, "health")
    catalogue.update_area(
        health,
        catalogue.AreaInput("health", "Health", health.kind, "", health.position, active=False),
        by=scorecard_manager,
    )

    assert "Health" not in catalogue.impact_area_choices()
    assert "Health" in catalogue.impact_area_choices(venture.impact_areas)
    ventures.update_venture(
        venture,
        ventures.VentureProfile(venture.name, "", "", "", None, ["Health"]),
        by=scorecard_manager,
    )
    with pytest.raises(InvalidInput, match="Unknown impact area: Health"):
        factories.venture(cohort, impact_areas=["Health"], by=scorecard_manager)


# Data sources and KPI mappings ------------------------------------------------------------------


def test_a_data_source_is_linked_to_the_metrics_it_feeds(db, scorecard_manager, audit_events):
    source = catalogue.create_source(
        catalogue.SourceInput(
            department="Office of Finance",
            name="Listing of active businesses",
            url="https://data.lacity.org/",
            update_frequency="monthly",
            geography="address",
            licence="Open data",
            contact="finance@example.org",
            metric_ids=[metric(db, "survival_1y").id],
        ),
        by=scorecard_manager,
    )

    assert [m.code for m in source.metrics] == ["survival_1y"]
    [event] = audit_events("data_source.created")
    assert event.after["metric_ids"] == [metric(db, "survival_1y").id]
    with pytest.raises(InvalidInput, match="already has a dataset called"):
        catalogue.create_source(
            catalogue.SourceInput("office of finance", "LISTING OF ACTIVE BUSINESSES"),
            by=scorecard_manager,
        )


def test_a_kpi_feeds_one_metric_whose_figures_come_from_kpis(db, scorecard_manager):
    jobs = metric(db, "jobs_created")
    catalogue.add_kpi_mapping(
        catalogue.KpiMappingInput(jobs.id, "standard", "team_size", "change"), by=scorecard_manager
    )

    with pytest.raises(Conflict, match="already feeds Jobs created"):
        catalogue.add_kpi_mapping(
            catalogue.KpiMappingInput(metric(db, "revenue").id, "standard", "team_size"),
            by=scorecard_manager,
        )
    with pytest.raises(InvalidInput, match="does not take its figures from check-in KPIs"):
        catalogue.add_kpi_mapping(
            catalogue.KpiMappingInput(metric(db, "capital_raised").id, "standard", "revenue"),
            by=scorecard_manager,
        )
    with pytest.raises(InvalidInput, match="not one of the standard KPIs"):
        catalogue.add_kpi_mapping(
            catalogue.KpiMappingInput(jobs.id, "standard", "happiness"), by=scorecard_manager
        )


def test_a_founder_sees_which_of_their_kpis_feed_which_metric(db, scorecard_manager):
    from incubator.services.pipeline import checkins

    venture = factories.venture(factories.cohort(by=scorecard_manager), by=scorecard_manager)
    founder = factories.founder_of(venture)
    checkins.add_custom_kpi(venture, "Gallons saved", "gallons", by=founder)
    catalogue.add_kpi_mapping(
        catalogue.KpiMappingInput(metric(db, "jobs_created").id, "standard", "team_size", "change"),
        by=scorecard_manager,
    )

    feeds = {feed.label: feed for feed in catalogue.kpi_feeds(venture)}

    assert feeds["Team size"].metric.code == "jobs_created"
    assert feeds["Team size"].aggregation == "change"
    assert feeds["Revenue (USD)"].metric is None
    assert feeds["Gallons saved"].metric is None


# Figures entered by hand --------------------------------------------------------------------


def test_a_figure_entered_by_hand_records_who_and_when_and_is_audited(
    db, scorecard_manager, audit_events
):
    made = manual_metric(db, scorecard_manager)

    entered = observations.record_observation(
        made,
        observations.ObservationInput(date(2025, 7, 1), 92.0, note="From LADOT's tracker"),
        by=scorecard_manager,
        day=TODAY,
    )

    assert (entered.origin, entered.recorded_by_id) == ("manual", scorecard_manager.id)
    assert entered.recorded_at is not None
    assert entered.period_end == date(2025, 9, 30)
    [event] = audit_events("observation.recorded")
    assert event.actor_id == scorecard_manager.id and event.after["value"] == 92.0


def test_a_correction_keeps_the_old_value_in_the_history(db, scorecard_manager, audit_events):
    made = manual_metric(db, scorecard_manager)
    entered = observations.record_observation(
        made, observations.ObservationInput(date(2025, 7, 1), 92.0), by=scorecard_manager, day=TODAY
    )
    colleague = factories.user("manager", name="Second Manager")

    observations.correct_observation(
        entered, 87.0, None, None, "", "The tracker double-counted one permit.", by=colleague
    )
    observations.correct_observation(
        entered, 88.0, None, None, "", "Rounding.", by=scorecard_manager
    )

    assert entered.value == 88.0
    history = observations.history(entered)
    assert [(r.value, r.reason) for r in history] == [
        (87.0, "Rounding."),
        (92.0, "The tracker double-counted one permit."),
    ]
    assert (
        history[1].recorded_by_id == scorecard_manager.id
        and history[1].replaced_by_id == colleague.id
    )
    assert all(r.action == RevisionAction.CORRECTED for r in history)
    events = audit_events("observation.corrected")
    assert [(e.before["value"], e.after["value"]) for e in events] == [(92.0, 87.0), (87.0, 88.0)]
    with pytest.raises(InvalidInput, match="Say why the figure is corrected"):
        observations.correct_observation(entered, 80.0, None, None, "", " ", by=scorecard_manager)


def test_a_second_figure_for_the_same_period_and_place_is_refused(db, scorecard_manager):
    made = manual_metric(db, scorecard_manager)
    first = observations.ObservationInput(date(2025, 7, 1), 92.0)
    observations.record_observation(made, first, by=scorecard_manager, day=TODAY)
    koreatown = neighbourhood(db, "Koreatown")
    by_place = observations.ObservationInput(
        date(2025, 7, 1), 70.0, Geography.NEIGHBOURHOOD, koreatown.id
    )
    observations.record_observation(made, by_place, by=scorecard_manager, day=TODAY)

    for again in (first, by_place):
        with pytest.raises(Conflict, match="correct it instead"):
            observations.record_observation(made, again, by=scorecard_manager, day=TODAY)


def test_a_withdrawn_figure_is_kept_and_its_period_can_be_entered_again(db, scorecard_manager):
    made = manual_metric(db, scorecard_manager)
    entered = observations.record_observation(
        made, observations.ObservationInput(date(2025, 7, 1), 92.0), by=scorecard_manager, day=TODAY
    )

    observations.withdraw_observation(
        entered, "Entered for the wrong quarter.", by=scorecard_manager
    )
    again = observations.record_observation(
        made, observations.ObservationInput(date(2025, 7, 1), 90.0), by=scorecard_manager, day=TODAY
    )

    assert entered.withdrawn_at is not None and again.id != entered.id
    assert [r.action for r in observations.history(entered)] == [RevisionAction.WITHDRAWN]
    with pytest.raises(InvalidInput, match="was withdrawn"):
        observations.correct_observation(entered, 1.0, None, None, "", "Oops", by=scorecard_manager)


@pytest.mark.parametrize(
    ("start", "value", "denominator", "message"),
    [
        (date(2025, 8, 1), 90.0, None, "a period starts on Jul 1, 2025"),
        (date(2025, 10, 1), 90.0, None, "Q4 2025 has not ended yet"),
        (date(2025, 7, 1), math.inf, None, "Enter the figure as a number"),
        (date(2025, 7, 1), 90.0, 0.0, "The denominator, when there is one, is a number above"),
        (None, 90.0, None, "Choose the period"),
    ],
)
def test_a_figure_with_bad_input_is_refused(
    db, scorecard_manager, start, value, denominator, message
):
    made = manual_metric(db, scorecard_manager)

    with pytest.raises(InvalidInput, match=message):
        observations.record_observation(
            made,
            observations.ObservationInput(start, value, denominator=denominator),
            by=scorecard_manager,
            day=TODAY,
        )


def test_a_percentage_stays_within_its_denominator(db, scorecard_manager):
    local = metric(db, "local_jobs")

    for value, denominator in ((120.0, None), (12.0, 10.0)):
        with pytest.raises(InvalidInput):
            observations.record_observation(
                local,
                observations.ObservationInput(date(2025, 7, 1), value, denominator=denominator),
                by=scorecard_manager,
                day=TODAY,
            )


def test_derived_metrics_take_figures_by_hand_only_from_before_the_tracker(db, scorecard_manager):
    factories.cohort(by=scorecard_manager, starts_on=date(2025, 4, 1))
    supported = metric(db, "ventures_supported")

    with pytest.raises(InvalidInput, match="from April 2025 on the app has those figures"):
        observations.record_observation(
            supported,
            observations.ObservationInput(date(2025, 4, 1), 9.0),
            by=scorecard_manager,
            day=TODAY,
        )
    history = observations.record_observation(
        supported,
        observations.ObservationInput(date(2025, 3, 1), 9.0),
        by=scorecard_manager,
        day=TODAY,
    )

    assert history.origin == "manual"
    assert observations.period_choices(supported, before=date(2025, 4, 1))[0] == date(2025, 3, 1)


def test_a_derived_figure_is_corrected_at_its_source_not_by_hand(db, scorecard_manager):
    factories.cohort(by=scorecard_manager, starts_on=date(2025, 4, 1))
    from incubator.services.scorecard import derivation

    derivation.refresh(by=scorecard_manager, day=TODAY)
    derived = db.session.scalar(select(Observation).where(Observation.origin == "derived"))

    with pytest.raises(InvalidInput, match="correct the pilot, investment or check-in"):
        observations.correct_observation(
            derived, 5.0, None, None, "", "Looks low", by=scorecard_manager
        )


def test_a_batch_of_figures_is_checked_whole_and_audited_once(db, scorecard_manager, audit_events):
    made = manual_metric(db, scorecard_manager)
    figures = [
        observations.ImportedFigure(date(2025, 1, 1), 110.0),
        observations.ImportedFigure(date(2025, 4, 1), 101.0),
    ]

    assert observations.import_figures(made, figures, by=scorecard_manager, day=TODAY) == 2
    with pytest.raises(InvalidInput, match="two figures for the same period and place"):
        observations.import_figures(made, [figures[0], figures[0]], by=scorecard_manager, day=TODAY)
    assert len(audit_events("observations.imported")) == 1


# Pilot sites ------------------------------------------------------------------------------------


@pytest.fixture
def pilot(db, scorecard_manager):
    venture = factories.venture(factories.cohort(by=scorecard_manager), by=scorecard_manager)
    return factories.pilot(venture, factories.organisation("LADOT"), by=scorecard_manager)


def test_a_site_given_coordinates_is_placed_by_point_in_polygon(
    db, scorecard_manager, pilot, audit_events
):
    placed = places.add_site(
        pilot,
        places.SiteInput("The Wiltern", coordinates="34.0617, -118.3086"),
        by=scorecard_manager,
    )

    assert placed.site.neighbourhood.name == "Koreatown"
    assert placed.site.placement == "point"
    assert (placed.site.latitude, placed.site.longitude) == (34.0617, -118.3086)
    assert "Koreatown" in placed.message
    [event] = audit_events("pilot_site.added")
    assert event.after["neighbourhood_id"] == placed.site.neighbourhood_id


def test_coordinates_decide_over_a_chosen_neighbourhood(db, scorecard_manager, pilot):
    watts = neighbourhood(db, "Watts")

    placed = places.add_site(
        pilot,
        places.SiteInput(coordinates="34.0537, -118.2427", neighbourhood_id=watts.id),
        by=scorecard_manager,
    )

    assert placed.site.neighbourhood.name == "Downtown"
    assert "not Watts" in placed.message


def test_an_address_is_placed_when_it_names_a_neighbourhood(db, scorecard_manager, pilot):
    placed = places.add_site(
        pilot,
        places.SiteInput(address="1300 W 7th St, Westlake, Los Angeles"),
        by=scorecard_manager,
    )
    chosen = places.add_site(
        pilot,
        places.SiteInput(
            address="200 N Spring St", neighbourhood_id=neighbourhood(db, "Downtown").id
        ),
        by=scorecard_manager,
    )

    assert (placed.site.neighbourhood.name, placed.site.placement) == ("Westlake", "name")
    assert (chosen.site.neighbourhood.name, chosen.site.placement) == ("Downtown", "chosen")


@pytest.mark.parametrize(
    ("site", "message"),
    [
        (places.SiteInput(address="200 N Spring St"), "cannot place that address"),
        (places.SiteInput(coordinates="north of here"), "Enter the coordinates as latitude"),
        (places.SiteInput(label="Somewhere"), "Give the site's address, its coordinates"),
        (
            places.SiteInput(address="Between Koreatown and Watts"),
            "names Koreatown, Watts; choose the site's neighbourhood",
        ),
    ],
)
def test_a_site_that_cannot_be_placed_is_refused(db, scorecard_manager, pilot, site, message):
    with pytest.raises(InvalidInput, match=message):
        places.add_site(pilot, site, by=scorecard_manager)


def test_a_site_outside_the_city_is_kept_but_counts_nowhere(db, scorecard_manager, pilot):
    placed = places.add_site(
        pilot, places.SiteInput(coordinates="34.0195, -118.4912"), by=scorecard_manager
    )

    assert placed.site.neighbourhood is None and placed.site.placement == "outside"
    assert "outside the City of Los Angeles" in placed.message
