"""The public scorecard and the managers' pages: nothing private shown, downloads that match
the page, ETags, a fixed number of queries as figures grow, and every form refusing bad input
without a 500. Also the Devpost neighbourhood answer, from import to the promoted venture."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import fields, replace
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.blueprints.scorecard import pages as scorecard_pages
from incubator.models import (
    Geography,
    ImpactArea,
    Metric,
    Neighbourhood,
    Observation,
    PilotSite,
    Submission,
    Venture,
)
from incubator.services.cohorts import ventures
from incubator.services.hackathons import devpost
from incubator.services.scorecard import catalogue, derivation, observations, periods
from incubator.services.scorecard.observations import ImportedFigure
from tests import chart_reading, factories
from tests.helpers import page


def area_id(db, code: str) -> int:
    return db.session.scalar(select(ImpactArea.id).where(ImpactArea.code == code))


def metric(db, code: str) -> Metric:
    return db.session.scalar(select(Metric).where(Metric.code == code))


def neighbourhood_ids(db) -> dict[str, int]:
    return dict(db.session.execute(select(Neighbourhood.name, Neighbourhood.id)).all())


def last_periods(frequency: str, count: int) -> list[date]:
    """The starts of the last `count` periods that have ended, oldest first."""
    start = periods.period_start(observations.today(), frequency)
    found = []
    for _ in range(count):
        start = periods.previous_period(start, frequency)
        found.append(start)
    return sorted(found)


def manual_metric(scorecard_manager, db, code: str, **fields) -> Metric:
    data = catalogue.MetricInput(
        code=code,
        name=code.replace("_", " ").capitalize(),
        impact_area_id=area_id(db, fields.pop("area", "transportation")),
        frequency="monthly",
    )
    return catalogue.create_metric(replace(data, **fields), by=scorecard_manager)


def fill(
    scorecard_manager, db, made: Metric, months: int, places: int, *, level: float = 100.0
) -> None:
    """City, zones and `places` neighbourhoods for the last `months` months."""
    ids = list(neighbourhood_ids(db).items())[:places]
    figures = []
    for index, start in enumerate(last_periods(made.frequency, months)):
        value = level + index
        figures.append(ImportedFigure(start, value))
        figures.append(ImportedFigure(start, value / 3, Geography.PROMISE_ZONE))
        figures.append(ImportedFigure(start, value / 2, Geography.REST_OF_CITY))
        figures += [
            ImportedFigure(start, value + n, Geography.NEIGHBOURHOOD, neighbourhood_id)
            for n, (_name, neighbourhood_id) in enumerate(ids)
        ]
    observations.import_figures(made, figures, by=scorecard_manager)


@pytest.fixture
def scorecard(db, scorecard_manager):
    """Published metrics on and off target, a private one, a retired area, a source with a
    contact, a figure withdrawn, and ventures' money too thin to publish by place."""
    on = manual_metric(
        scorecard_manager,
        db,
        "permit_days",
        name="Days to a parklet permit",
        direction="lower",
        target_value=60.0,
        target_on=date(2028, 12, 31),
    )
    fill(
        scorecard_manager, db, on, 6, 12, level=50
    )  # latest 55 against a target of 60 (lower is better)
    watch = manual_metric(
        scorecard_manager,
        db,
        "newcomers",
        name="Newcomers connected",
        area="immigrant_integration",
        target_value=100.0,
        target_on=date(2028, 12, 31),
        reference_value=120.0,
        reference_label="Comparable cities",
        reference_source="A national survey",
        reference_year=2024,
    )
    observations.import_figures(
        watch, [ImportedFigure(last_periods("monthly", 1)[0], 95.0)], by=scorecard_manager
    )
    secret = manual_metric(
        scorecard_manager, db, "secret_metric", name="Secret metric", published=False
    )
    fill(scorecard_manager, db, secret, 3, 3, level=4242)
    retired = catalogue.create_area(
        catalogue.AreaInput("retired_area", "Retired area", active=False), by=scorecard_manager
    )
    hidden_area = manual_metric(
        scorecard_manager, db, "retired_thing", name="Metric of a retired area", area="retired_area"
    )
    observations.import_figures(
        hidden_area, [ImportedFigure(last_periods("monthly", 1)[0], 7777.0)], by=scorecard_manager
    )
    catalogue.create_source(
        catalogue.SourceInput(
            department="Los Angeles Department of Transportation",
            name="Parklet permits",
            geography="council_district",
            contact="secret.contact@ladot.example.org",
            metric_ids=[on.id],
        ),
        by=scorecard_manager,
    )
    withdrawn = observations.record_observation(
        watch,
        observations.ObservationInput(
            last_periods("monthly", 2)[0], 31337.0, note="An internal note"
        ),
        by=scorecard_manager,
    )
    observations.withdraw_observation(withdrawn, "Wrong month", by=scorecard_manager)
    # One venture's money, in Watts and Koreatown: too few ventures to publish anywhere.
    last_month = last_periods("monthly", 1)[0]
    cohort = factories.cohort(by=scorecard_manager, starts_on=last_month, ends_on=date(2099, 1, 1))
    venture = factories.venture(
        cohort, "Solo", neighbourhoods=["Koreatown", "Watts"], by=scorecard_manager
    )
    factories.investment(
        venture,
        by=scorecard_manager,
        amount=12_346,
        invested_on=last_month,
        today=observations.today(),
    )
    derivation.refresh(by=scorecard_manager)
    db.session.commit()
    return {"on": on, "watch": watch, "secret": secret, "retired": retired}


PUBLIC_PAGES = [
    "/scorecard/",
    "/scorecard/neighbourhoods",
    "/scorecard/neighbourhoods?metric=permit_days",
    "/scorecard/neighbourhoods?metric=capital_raised",
    "/scorecard/metrics/permit_days",
    "/scorecard/metrics/capital_raised",
    "/scorecard/scorecard.csv",
    "/scorecard/scorecard.json",
    "/scorecard/scorecard.json?metric=capital_raised",
    "/scorecard/neighbourhoods.csv?metric=capital_raised",
    "/scorecard/neighbourhoods.csv?metric=permit_days",
    "/scorecard/map.svg?metric=permit_days",
    "/scorecard/map.svg?metric=capital_raised",
    "/scorecard/metrics/permit_days/trend.svg",
    "/scorecard/metrics/capital_raised/trend.svg",
]


def test_the_scorecard_is_public_and_its_pictures_are_svg_documents(db, client, scorecard):
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
    svg = client.get("/scorecard/map.svg?metric=permit_days")
    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Security-Policy"] == "default-src 'none'"
    assert b"<script" not in svg.data and b"<style" not in svg.data
    home = page(client.get("/scorecard/"))
    assert 'src="/scorecard/metrics/permit_days/trend.svg"' in home
    assert "<script" not in home.split("</main>")[0]  # no inline script on the page itself


def test_the_public_pages_show_nothing_that_is_not_meant_to_be_public(
    db, client, scorecard, scorecard_manager
):
    shown = "".join(client.get(url).get_data(as_text=True) for url in PUBLIC_PAGES)

    for private in (
        "Secret metric",  # not published
        "4,242",
        "4242",
        "Metric of a retired area",  # its area is retired
        "7777",
        "7,777",
        "secret.contact@ladot.example.org",  # a source's contact
        scorecard_manager.name,  # who entered a figure
        "An internal note",
        "31337",  # a withdrawn figure
        "31,337",
        "12,346",  # one venture's money, city-wide or by place
        "12346",
        "6,173",
        "6173",
        "Solo",  # no venture is named
    ):
        assert private not in shown, private
    assert "Los Angeles Department of Transportation" in shown  # the source itself is public
    assert client.get("/scorecard/metrics/secret_metric").status_code == 404
    assert client.get("/scorecard/metrics/secret_metric/trend.svg").status_code == 404
    redirected = page(client.get("/scorecard/neighbourhoods?metric=secret_metric"))
    assert "There is no metric 'secret_metric' on the scorecard." in redirected
    assert "not published (fewer than 3 ventures)" in shown


def cells(html: str, code: str) -> dict[str, str]:
    # The row ends where the next metric's begins or the table ends (its trend cell holds a
    # table of its own).
    end = r'</tr>\s*(?:<tr id="metric-|</tbody>\s*</table></div>)'
    row = re.search(rf'<tr id="metric-{code}">(.*?){end}', html, re.S).group(1)

    def text(css: str) -> str:
        found = re.search(rf'class="[^"]*\b{css}\b[^"]*">(.*?)</(?:td|span)>', row, re.S)
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())

    return {
        "value": text("value"),
        "target": text("target"),
        "score": text("score"),
        "status": text("status"),
        "reference": text("reference"),
        "promise_zone": text("promise-zone"),
        "rest_of_city": text("rest-of-city"),
    }


def test_csv_and_json_hold_exactly_what_the_page_shows(db, client, scorecard):
    html = page(client.get("/scorecard/"))
    lines = list(csv.DictReader(io.StringIO(client.get("/scorecard/scorecard.csv").text)))
    data = client.get("/scorecard/scorecard.json").get_json()
    metrics = [m for a in data["impact_areas"] for m in a["metrics"]]

    assert [line["metric_code"] for line in lines] == [m["code"] for m in metrics]
    assert re.findall(r'<tr id="metric-([a-z0-9_]+)">', html) == [m["code"] for m in metrics]
    for line, shown in zip(lines, metrics, strict=True):
        on_page = cells(html, line["metric_code"])
        assert on_page == {
            "value": line["value"],
            "target": line["target"],
            "score": line["score"],
            "status": line["status"],
            "reference": line["reference"],
            "promise_zone": line["promise_zone"],
            "rest_of_city": line["rest_of_city"],
        }
        assert on_page["value"] == shown["value_text"]
        assert on_page["status"] == shown["status_text"]
        assert on_page["promise_zone"] == shown["promise_zone"]["text"]
        assert line["period"] == (shown["period"] or "")
    assert re.search(r'id="headline-score">([^<]*)<', html).group(1) == (
        f"{data['headline_score']:.2f}"
    )


def test_the_neighbourhood_table_csv_and_json_match(db, client, scorecard):
    html = page(client.get("/scorecard/neighbourhoods?metric=permit_days"))
    table = re.search(r'<table[^>]*id="neighbourhood-table".*?</table>', html, re.S).group(0)
    row = (
        r'<tr><th scope="row" class="fw-normal">(.*?)</th><td>(.*?)</td>'
        r'<td class="text-end">(.*?)</td></tr>'
    )
    rows = re.findall(row, table)
    lines = list(
        csv.DictReader(
            io.StringIO(client.get("/scorecard/neighbourhoods.csv?metric=permit_days").text)
        )
    )
    data = client.get("/scorecard/scorecard.json?metric=permit_days").get_json()["neighbourhoods"]

    assert len(rows) == len(lines) == len(data["rows"]) == 114
    for (name, zone, shown), line, item in zip(rows, lines, data["rows"], strict=True):
        assert unescape(name) == line["neighbourhood"] == item["neighbourhood"]
        assert unescape(shown) == line["value"] == item["text"]
        assert (zone == "yes") == (line["promise_zone"] == "yes") == item["promise_zone"]
    assert sum(1 for line in lines if line["value_number"]) == 12
    assert data["summary"] in unescape(html)


def test_scores_and_statuses_read_the_direction(db, client, scorecard):
    html = page(client.get("/scorecard/"))

    # 55 days against a target of 60 where lower is better: 60 / 55.
    assert cells(html, "permit_days")["score"] == "1.09"
    assert cells(html, "permit_days")["status"] == "On track"
    # 95 against 100 where higher is better: within a tenth of the target.
    assert cells(html, "newcomers")["score"] == "0.95"
    assert cells(html, "newcomers")["status"] == "Watch"
    assert "120" in cells(html, "newcomers")["reference"]
    # A source by council district only: no data by neighbourhood yet.
    row = re.search(r'<tr id="metric-newcomers">(.*?)</tr>', html, re.S).group(1)
    assert "City-wide only" in row


def test_a_visitor_revalidates_with_the_etag_and_gets_304_until_a_figure_changes(
    db, client, scorecard, scorecard_manager
):
    first = client.get("/scorecard/")
    etag = first.headers["ETag"]

    again = client.get("/scorecard/", headers={"If-None-Match": etag})
    csv_etag = client.get("/scorecard/scorecard.csv").headers["ETag"]
    observations.record_observation(
        scorecard["watch"],
        observations.ObservationInput(last_periods("monthly", 3)[0], 90.0),
        by=scorecard_manager,
    )
    db.session.commit()
    changed = client.get("/scorecard/", headers={"If-None-Match": etag})

    # The page carries the visitor's own (masked) CSRF token: private, revalidated each time.
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert client.get("/scorecard/scorecard.csv").headers["Cache-Control"].startswith("public")
    assert (again.status_code, again.data) == (304, b"")
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert csv_etag != etag  # each download has its own
    assert client.get("/scorecard/scorecard.csv").headers["ETag"] != csv_etag


def test_signed_in_people_get_a_private_page_without_an_etag(db, client, login_as, scorecard):
    login_as("founder")

    response = client.get("/scorecard/")

    assert response.status_code == 200
    # Every answer to a signed-in person is no-store (incubator/security.py).
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


QUERY_PAGES = [
    "/scorecard/",
    "/scorecard/neighbourhoods?metric=size_a",
    "/scorecard/scorecard.csv",
    "/scorecard/scorecard.json?metric=size_a",
    "/scorecard/neighbourhoods.csv?metric=size_a",
    "/scorecard/map.svg?metric=size_a",
    "/scorecard/metrics/size_a",
    "/scorecard/metrics/size_a/trend.svg",
]


def test_the_scorecard_runs_the_same_queries_for_few_or_many_figures(
    db, client, scorecard_manager, page_queries
):
    made = [
        manual_metric(
            scorecard_manager, db, f"size_{letter}", target_value=10.0, target_on=date(2030, 1, 1)
        )
        for letter in "abc"
    ]
    for each in made:
        fill(scorecard_manager, db, each, 4, 5)
    db.session.commit()
    page_queries(QUERY_PAGES)  # warm up: first-request work is not the page's

    # Measured built, not served from what the worker kept.
    scorecard_pages.forget()
    few = page_queries(QUERY_PAGES)
    for each in made:
        earlier = [
            ImportedFigure(start, 10.0 + n, Geography.NEIGHBOURHOOD, neighbourhood_id)
            for start in last_periods("monthly", 40)[:36]
            for n, neighbourhood_id in enumerate(neighbourhood_ids(db).values())
        ]
        observations.import_figures(each, earlier, by=scorecard_manager)
    db.session.commit()
    scorecard_pages.forget()
    many = page_queries(QUERY_PAGES)

    assert db.session.query(Observation).count() > 3 * 36 * 114
    assert many == few


# The managers' pages ------------------------------------------------------------------------


def test_a_manager_builds_a_metric_and_enters_and_corrects_a_figure(db, client, login_as):
    factories.scorecard_reference()
    login_as("manager")
    transport = area_id(db, "transportation")

    permit_days = {
        "code": "permit_days",
        "name": "Days to a permit",
        "impact_area_id": transport,
        "unit": "count",
        "direction": "lower",
        "frequency": "quarterly",
        "derivation": "",
        "position": "0",
        "published": "y",
    }

    bad = client.post("/scorecard/manage/metrics/new", data={**permit_days, "iris_code": "XX12"})
    good = client.post(
        "/scorecard/manage/metrics/new",
        data={**permit_days, "target_value": "60", "target_on": "2028-12-31"},
    )
    made = metric(db, "permit_days")
    quarter = last_periods("quarterly", 1)[0]
    entered = client.post(
        f"/scorecard/manage/metrics/{made.id}/observations",
        data={
            "period_start": quarter.isoformat(),
            "geography": "city",
            "value": "74",
            "neighbourhood_id": "0",
            "data_source_id": "0",
        },
        follow_redirects=True,
    )
    figure = db.session.scalar(select(Observation).where(Observation.metric_id == made.id))
    corrected = client.post(
        f"/scorecard/manage/observations/{figure.id}/correct",
        data={"value": "71", "data_source_id": "0", "reason": "One permit was counted twice."},
        follow_redirects=True,
    )

    assert bad.status_code == 200
    assert "An IRIS+ code is two capital letters and four digits" in page(bad)
    assert good.status_code == 302
    assert "Figure entered." in page(entered)
    text = page(corrected)
    assert "Figure corrected; the old value is in its history." in text
    history = re.search(
        r'<table class="table table-sm bg-white" id="history">.*?</table>', text, re.S
    )
    assert "74" in history.group(0) and "One permit was counted twice." in history.group(0)
    db.session.expire_all()
    assert figure.value == 71


@pytest.mark.parametrize(
    "fields",
    [
        {"value": "lots"},
        {"value": "nan"},
        {"period_start": "not-a-date"},
        {"period_start": "2025-02-15"},
        {"geography": "neighbourhood", "neighbourhood_id": "999999"},
        {"geography": "moon"},
        {"data_source_id": "999999"},
        {"denominator": "-3"},
    ],
)
def test_bad_figures_are_refused_with_a_message_never_a_500(db, client, login_as, fields):
    factories.scorecard_reference()
    scorecard_manager = login_as("manager")
    made = manual_metric(scorecard_manager, db, "permit_days", frequency="quarterly")
    db.session.commit()
    data = {
        "period_start": last_periods("quarterly", 1)[0].isoformat(),
        "geography": "city",
        "value": "10",
        "neighbourhood_id": "0",
        "data_source_id": "0",
        **fields,
    }

    response = client.post(f"/scorecard/manage/metrics/{made.id}/observations", data=data)

    assert response.status_code == 200
    assert 'class="alert alert-danger' in page(response)
    assert db.session.scalar(select(Observation.id)) is None


def test_a_manager_edits_areas_sources_and_kpi_mappings_and_refreshes(db, client, login_as):
    factories.scorecard_reference()
    login_as("manager")
    jobs = metric(db, "jobs_created")

    pages = [
        client.get(url)
        for url in (
            "/scorecard/manage/",
            "/scorecard/manage/sources",
            "/scorecard/manage/kpis",
            "/scorecard/manage/areas/new",
            "/scorecard/manage/metrics/new",
            "/scorecard/manage/sources/new",
            f"/scorecard/manage/metrics/{jobs.id}/edit",
            f"/scorecard/manage/metrics/{jobs.id}/observations",
        )
    ]
    area = client.post(
        "/scorecard/manage/areas/new",
        data={
            "code": "arts",
            "name": "Arts and culture",
            "kind": "other",
            "position": "20",
            "active": "y",
        },
    )
    source = client.post(
        "/scorecard/manage/sources/new",
        data={
            "department": "Department of Cultural Affairs",
            "name": "Grants",
            "update_frequency": "annual",
            "geography": "address",
            "status": "candidate",
            "metric_ids": [str(jobs.id)],
        },
    )
    mapping = client.post(
        "/scorecard/manage/kpis",
        data={
            "metric_id": jobs.id,
            "kpi_kind": "standard",
            "standard_kpi": "team_size",
            "aggregation": "change",
        },
        follow_redirects=True,
    )
    refreshed = client.post("/scorecard/manage/refresh", follow_redirects=True)

    assert [p.status_code for p in pages] == [200] * len(pages)
    assert (area.status_code, source.status_code) == (302, 302)
    assert db.session.scalar(select(ImpactArea).where(ImpactArea.code == "arts")).name == (
        "Arts and culture"
    )
    assert "KPI mapped" in page(mapping) and "Team size" in page(mapping)
    assert "Derived figures refreshed" in page(refreshed)


def test_pilot_sites_are_added_from_coordinates_and_removed(db, client, login_as):
    factories.scorecard_reference()
    scorecard_manager = login_as("manager")
    venture = factories.venture(factories.cohort(by=scorecard_manager), by=scorecard_manager)
    pilot = factories.pilot(venture, factories.organisation("LADWP"), by=scorecard_manager)
    db.session.commit()

    added = client.post(
        f"/scorecard/pilots/{pilot.id}/sites",
        data={"label": "Meter bank", "coordinates": "34.2590, -118.4215", "neighbourhood_id": "0"},
        follow_redirects=True,
    )
    refused = client.post(
        f"/scorecard/pilots/{pilot.id}/sites",
        data={"address": "Somewhere on a street", "neighbourhood_id": "0"},
    )
    [stored] = db.session.scalars(select(PilotSite))
    removed = client.post(f"/scorecard/sites/{stored.id}/remove", follow_redirects=True)

    assert "Site added. The coordinates are in Pacoima." in page(added)
    assert "cannot place that address" in page(refused)
    assert "Site removed" in page(removed)
    assert db.session.scalar(select(PilotSite.id)) is None


def test_founders_see_which_of_their_kpis_feed_the_scorecard_and_only_theirs(db, client, login_as):
    factories.scorecard_reference()
    scorecard_manager = factories.user("manager")
    cohort = factories.cohort(by=scorecard_manager)
    mine = factories.venture(cohort, "Mine", by=scorecard_manager)
    theirs = factories.venture(cohort, "Theirs", by=scorecard_manager)
    catalogue.add_kpi_mapping(
        catalogue.KpiMappingInput(metric(db, "jobs_created").id, "standard", "team_size", "change"),
        by=scorecard_manager,
    )
    founder = login_as("founder")
    ventures.add_member(mine, founder.email, founder.name, "CEO", by=scorecard_manager)
    db.session.commit()

    text = page(client.get(f"/scorecard/ventures/{mine.id}/kpis"))

    assert re.search(r"<td>Team size</td>\s*<td><a [^>]*>Jobs created</a></td>", text)
    assert "its growth over the period" in text
    assert (
        client.get(f"/scorecard/ventures/{theirs.id}/kpis").status_code == 404
    )  # exists but not theirs: as if missing


def test_the_showcase_links_to_the_scorecard(db, client):
    scorecard_manager = factories.user("manager")
    cohort = factories.cohort(by=scorecard_manager, showcase_published=True)
    db.session.commit()

    for url in ("/showcase/", f"/showcase/cohorts/{cohort.id}"):
        assert 'href="/scorecard/"' in page(client.get(url))


def test_the_venture_form_offers_the_impact_areas_and_the_114_neighbourhoods(db, client, login_as):
    factories.scorecard_reference()
    scorecard_manager = login_as("manager")
    cohort = factories.cohort(by=scorecard_manager)
    db.session.commit()

    text = page(client.get(f"/cohorts/{cohort.id}/ventures/new"))

    assert len(re.findall(r'name="neighbourhoods"', text)) == 115  # and "Citywide"
    assert 'value="Civic pilots with city departments"' in text
    assert 'value="Water conservation"' not in text


# The Devpost neighbourhood answer -----------------------------------------------------------

EXPORT = (
    "Project Title,Submission Url,Which neighborhood(s) does your team serve?\n"
    "ShadeMap,https://devpost.com/software/shademap,Watts & South Central\n"
    "Far Away,https://devpost.com/software/far-away,Santa Monica\n"
)


def test_the_devpost_neighbourhood_answer_is_matched_at_import_and_carried_at_promotion(
    db, client, login_as
):
    factories.scorecard_reference()
    scorecard_manager = login_as("manager")
    hackathon = factories.hackathon(by=scorecard_manager)
    cohort = factories.cohort(by=scorecard_manager)
    batch = devpost.store_upload(hackathon, "projects.csv", EXPORT.encode(), by=scorecard_manager)
    plan = devpost.plan_batch(batch, include_drafts=False)
    devpost.apply_import(batch, False, scorecard_manager)
    shade, far = (
        db.session.scalar(select(Submission).where(Submission.title == title))
        for title in ("ShadeMap", "Far Away")
    )
    for submission in (shade, far):
        submission.placement = "winner"
    db.session.commit()

    promoted = client.post(
        f"/cohorts/promote/{shade.id}", data={"cohort_id": cohort.id}, follow_redirects=True
    )
    unmatched = client.post(
        f"/cohorts/promote/{far.id}", data={"cohort_id": cohort.id}, follow_redirects=True
    )

    assert shade.neighbourhoods == ["Watts", "Historic South-Central"]
    assert far.neighbourhoods == []
    notes = {entry.title: entry.notes for entry in plan.entries}
    assert (
        'neighbourhood "Santa Monica" matches none of the 114 neighbourhoods' in notes["Far Away"]
    )
    venture = db.session.scalar(select(Venture).where(Venture.name == "ShadeMap"))
    assert venture.neighbourhoods == ["Watts", "Historic South-Central"]
    assert "names a place that is not one of the city" not in page(promoted)
    assert "“Santa Monica”, names a place that is not one of the city" in unescape(page(unmatched))


# The demo -------------------------------------------------------------------------------------


def test_the_demo_shows_a_living_scorecard_with_two_years_of_figures(db, client, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    card = client.get("/scorecard/scorecard.json").get_json()
    statuses = {m["status"] for a in card["impact_areas"] for m in a["metrics"]}
    supported = next(
        m for a in card["impact_areas"] for m in a["metrics"] if m["code"] == "ventures_supported"
    )
    history = page(client.get("/scorecard/metrics/ventures_supported?page=2"))
    by_place = client.get("/scorecard/neighbourhoods.csv").text

    assert {"on_track", "off_track"} <= statuses
    assert len(supported["trend"]) == 12 and supported["promise_zone"]["value"] is not None
    assert "No figures yet." not in history  # more than 24 months: a second page of them
    assert by_place.count("\r\n") > 20
    assert any(m["reference"] for a in card["impact_areas"] for m in a["metrics"])
    assert db.session.scalar(select(Observation.id).where(Observation.origin == "derived"))


def test_an_earlier_period_shows_its_own_figures_map_and_zones(db, client, scorecard):
    first = last_periods("monthly", 6)[0]
    label = periods.label(first, "monthly")
    query = f"metric=permit_days&period={first.isoformat()}"

    text = page(client.get(f"/scorecard/neighbourhoods?{query}"))
    zones = re.search(r'<table class="table table-sm bg-white" id="zones">.*?</table>', text, re.S)
    svg = client.get(f"/scorecard/map.svg?{query}").get_data(as_text=True)
    ignored = page(client.get("/scorecard/neighbourhoods?metric=permit_days&period=1999-01-01"))

    assert f"Days to a parklet permit, {label}" in text
    # The city had 50 that month, the zones a third and a half of it (see fill()).
    assert "16.7" in zones.group(0) and "25" in zones.group(0) and "50" in zones.group(0)
    assert f'<title id="map-title">Days to a parklet permit by neighbourhood, {label}' in svg
    latest = periods.label(last_periods("monthly", 1)[0], "monthly")
    assert f"Days to a parklet permit, {latest}" in ignored  # an unknown period: the latest


def test_the_scorecards_pictures_draw_no_text_that_shrinks_and_the_map_key_is_on_the_page(
    db, client, scorecard
):
    """Text inside a picture shrinks with it: the 720-wide map's key was 6 px on a phone and
    ran off its edge. The pictures draw no text; the key is the page's."""
    neighbourhoods = page(client.get("/scorecard/neighbourhoods?metric=permit_days"))
    home = page(client.get("/scorecard/"))

    pictures = [
        image
        for html in (neighbourhoods, home)
        for image in chart_reading.images(html)
        if ".svg" in (image["src"] or "")
    ]
    assert len(pictures) >= 3  # the map and the trend lines
    for image in pictures:
        root = chart_reading.svg_root(client.get(image["src"]).data)
        assert root.get("role") == "img" and root.find(f"{chart_reading.SVG}title") is not None
        for content in chart_reading.CONTENT_WIDTHS.values():
            shown = chart_reading.shown_width(float(image["width"]), content, 18)
            assert chart_reading.smallest_text_shown(root, shown) is None, image["src"]
    key = neighbourhoods.split('id="map-legend"')[1].split("</ul>")[0]
    entries = ("up to ", "no data", "not published (too few ventures)", "the Promise Zone")
    for entry in (f"</svg>{text}" for text in entries):
        assert entry in key, entry
    assert 'width="720" height="1062"' in neighbourhoods  # the map's own shape


def figure(text: str) -> float | None:
    """A figure as the page shows it ($1,200, 55.0%, 95), or None for none."""
    number = re.sub(r"[$,%]", "", text)
    return float(number) if re.fullmatch(r"-?[0-9.]+", number) else None


def test_each_trend_line_has_its_figures_in_a_table_beside_it(db, client, scorecard):
    home = page(client.get("/scorecard/"))
    tables = {
        table["attrs"]["data-metric"]: table["rows"][1:]
        for table in chart_reading.tables(home)
        if "data-metric" in table["attrs"]
    }
    data = client.get("/scorecard/scorecard.json").get_json()
    metrics = {m["code"]: m for a in data["impact_areas"] for m in a["metrics"] if m["trend"]}

    assert set(tables) == set(metrics) and {"permit_days", "newcomers"} <= set(tables)
    for code, rows in tables.items():
        trend = metrics[code]["trend"]
        shown = [figure(text) for _period, text in rows]
        published = [point["value"] for point in trend]
        assert [period for period, _text in rows] == [point["period"] for point in trend]
        assert shown == [None if v is None else pytest.approx(v, abs=0.05) for v in published]
        line = chart_reading.svg_root(client.get(f"/scorecard/metrics/{code}/trend.svg").data)
        drawn = line.find(f"{chart_reading.SVG}polyline")
        # A line through two figures or more; one figure is a lone dot, none draws nothing.
        points = (
            drawn.get("points").split()
            if drawn is not None
            else list(line.iter(f"{chart_reading.SVG}circle"))
        )
        assert len(points) == len([v for v in published if v is not None]), code
    assert tables["newcomers"][-1][1] == "95"


# Content kept by the worker ------------------------------------------------------------------


class ScorecardClock:
    """Moves the run's clock on from wherever it stands, past the times kept scorecard pages
    depend on (pages.SETTLED_AFTER, pages.UNSETTLED_KEPT_SECONDS)."""

    def __init__(self, time_machine) -> None:
        self.time_machine = time_machine

    def settle(self) -> None:
        """Past the time the data needs to settle before content is kept until it changes."""
        self.time_machine.move_to(
            clock.now() + scorecard_pages.SETTLED_AFTER + timedelta(seconds=1), tick=True
        )

    def next_window(self) -> None:
        """To the start of the next few seconds content is kept for while data settles."""
        seconds = scorecard_pages.UNSETTLED_KEPT_SECONDS
        now = clock.now()
        into = now.timestamp() % seconds
        self.time_machine.move_to(now + timedelta(seconds=seconds - into + 0.1), tick=True)

    def past_window(self) -> None:
        self.time_machine.shift(timedelta(seconds=scorecard_pages.UNSETTLED_KEPT_SECONDS))


@pytest.fixture
def scorecard_clock(time_machine) -> ScorecardClock:
    return ScorecardClock(time_machine)


def main_of(response) -> str:
    """The page inside its layout: the messages and the content, not the navigation."""
    assert response.status_code == 200
    return re.search(r'<main id="main"[^>]*>(.*)</main>', page(response), re.S).group(1)


def trend_of(html: str, code: str) -> list[list[str]]:
    """The (period, figure) rows of a metric's trend table."""
    found = [t for t in chart_reading.tables(html) if t["attrs"].get("data-metric") == code]
    return found[0]["rows"][1:] if found else []


KEPT_PAGES = ["/scorecard/", "/scorecard/neighbourhoods?metric=permit_days"]


@pytest.mark.parametrize("url", KEPT_PAGES)
def test_a_scorecard_page_is_rendered_once_then_served_from_what_the_worker_kept(
    db, client, scorecard, scorecard_clock, count_queries, url
):
    scorecard_clock.settle()
    with count_queries() as first:
        built = main_of(client.get(url))
    with count_queries() as second:
        kept = main_of(client.get(url))
    other = main_of(client.get("/scorecard/neighbourhoods?metric=newcomers"))

    assert kept == built and "Days to a parklet permit" in kept
    # The fingerprint, and nothing built again.
    assert second.count == 1 < first.count
    # Another metric's view is kept apart.
    assert "Newcomers connected</h2>" in other and other not in {built, kept}


def test_a_change_to_a_figure_or_a_metric_shows_on_the_very_next_request(
    db, client, scorecard, scorecard_manager, scorecard_clock, count_queries
):
    watch = scorecard["watch"]
    three_months_ago = last_periods("monthly", 3)[0]
    scorecard_clock.settle()
    before = main_of(client.get("/scorecard/"))
    main_of(client.get("/scorecard/"))  # kept

    def after(change) -> tuple[str, list[int]]:
        """The page just after the change, and the queries of five requests for it: twice at
        once, once a few seconds later (the data still settling), twice once it has settled."""
        change()
        db.session.commit()
        scorecard_clock.next_window()
        shown, counts = [], []

        def ask() -> None:
            with count_queries() as counted:
                shown.append(main_of(client.get("/scorecard/")))
            counts.append(counted.count)

        ask()
        ask()
        scorecard_clock.past_window()
        ask()
        scorecard_clock.settle()
        ask()
        ask()
        assert all(each == shown[0] for each in shown)
        return shown[0], counts

    recorded, _ = after(
        lambda: observations.record_observation(
            watch, observations.ObservationInput(three_months_ago, 90.0), by=scorecard_manager
        )
    )
    latest = db.session.scalar(
        select(Observation).where(
            Observation.metric_id == watch.id,
            Observation.geography == Geography.CITY,
            Observation.value == 95.0,
        )
    )
    withdrawn, _ = after(
        lambda: observations.withdraw_observation(latest, "Counted twice", by=scorecard_manager)
    )
    values = {f.name: getattr(watch, f.name) for f in fields(catalogue.MetricInput)}
    values.update(iris_code=values["iris_code"] or "", target_value=200.0)
    higher_target = catalogue.MetricInput(**values)
    edited, counts = after(
        lambda: catalogue.update_metric(watch, higher_target, by=scorecard_manager)
    )

    assert [row[1] for row in trend_of(before, "newcomers")] == ["95"]
    assert [row[1] for row in trend_of(recorded, "newcomers")] == ["90", "95"]
    assert [row[1] for row in trend_of(withdrawn, "newcomers")] == ["90"]
    assert cells(withdrawn, "newcomers")["value"] == "90"
    assert cells(withdrawn, "newcomers")["target"].startswith("100 by")
    assert cells(edited, "newcomers")["target"].startswith("200 by")
    # While a change settles its page is kept a few seconds at a time, then until the next.
    built = counts[0]
    assert built > 1 and counts == [built, 1, built, built, 1]


@pytest.mark.parametrize(
    "url", ["/scorecard/scorecard.csv", "/scorecard/scorecard.json", "/scorecard/map.svg"]
)
def test_a_download_or_picture_is_built_once_then_kept_until_a_figure_changes(
    db, client, scorecard, scorecard_manager, scorecard_clock, count_queries, url
):
    scorecard_clock.settle()
    first = client.get(url)
    with count_queries() as kept:
        again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert again.data == first.data and again.mimetype == first.mimetype
    assert again.headers.get("Content-Disposition") == first.headers.get("Content-Disposition")
    assert kept.count == 1  # the fingerprint

    latest = db.session.scalar(
        select(Observation).where(
            Observation.metric_id == scorecard["watch"].id,
            Observation.geography == Geography.CITY,
            Observation.value == 95.0,
        )
    )
    observations.withdraw_observation(latest, "Counted twice", by=scorecard_manager)
    db.session.commit()
    scorecard_clock.settle()
    with count_queries() as built:
        changed = client.get(url)

    # Built again without the figure (the map draws neighbourhoods' figures, not the city's).
    assert built.count > 1
    if not url.endswith(".svg"):
        assert changed.data != first.data


def test_spanish_and_english_are_kept_apart(db, client, scorecard, scorecard_clock, count_queries):
    spanish, english = {"Accept-Language": "es"}, {"Accept-Language": "en"}
    scorecard_clock.settle()
    first = {
        "es": main_of(client.get("/scorecard/", headers=spanish)),
        "en": main_of(client.get("/scorecard/", headers=english)),
    }
    with count_queries() as counted:
        again = {
            "es": main_of(client.get("/scorecard/", headers=spanish)),
            "en": main_of(client.get("/scorecard/", headers=english)),
        }

    assert again == first
    assert "Puntaje general" in first["es"] and "Headline score" not in first["es"]
    assert "Headline score" in first["en"] and "Puntaje general" not in first["en"]
    assert counted.count == 2  # each the fingerprint alone


def test_a_managers_page_and_a_visitors_are_kept_apart_with_nothing_personal_kept(
    app, db, client, login_as, scorecard, scorecard_clock
):
    visitor, founder_client = app.test_client(), app.test_client()
    manager = login_as(
        "manager", name="Rosa Kept", email="rosa.kept@example.org", time_zone="America/New_York"
    )
    founder = login_as("founder", on=founder_client, time_zone="Asia/Tokyo")
    scorecard_clock.settle()
    pages = {}
    for _ in range(2):
        pages["manager"] = client.get("/scorecard/")
        pages["visitor"] = visitor.get("/scorecard/")
        pages["founder"] = founder_client.get("/scorecard/")
        pages["visitor views"] = visitor.get("/scorecard/neighbourhoods?metric=permit_days")
    kept = list(scorecard_pages._KEPT.values.values())
    tokens = {token for response in pages.values() for token in CSRF_TOKEN.findall(page(response))}
    for each in (client, visitor, founder_client):
        with each.session_transaction() as session:
            tokens.add(session["csrf_token"])

    def updated(response) -> str:
        return re.search(r"Last updated [^<]*", main_of(response)).group(0)

    assert "Edit the scorecard" in main_of(pages["manager"])
    assert "Edit the scorecard" not in main_of(pages["visitor"]) + main_of(pages["founder"])
    # Each reads the time in their own zone (New York, Los Angeles, Tokyo).
    assert len({updated(pages[who]) for who in ("manager", "visitor", "founder")}) == 3
    assert "Rosa Kept" in page(pages["manager"])  # the layout around the kept content
    assert len(kept) == 4 and len(tokens) >= 4
    for text in kept:
        assert "csrf_token" not in text and '<form method="post"' not in text
        for person in (manager, founder):
            assert person.name not in text and person.email not in text
        assert not any(token in text for token in tokens)


CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
