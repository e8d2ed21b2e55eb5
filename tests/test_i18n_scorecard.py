"""The scorecard and the showcase in Spanish: the public pages, their map and trend lines, the
managers' refusals and flashes, plurals in both languages, figures and periods written for the
language; and the downloads, which programs read, in English whatever the browser asks."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from incubator.models import ImpactArea, Metric, Neighbourhood
from incubator.services.scorecard import catalogue, derivation, labels, observations, periods
from incubator.services.scorecard.observations import ImportedFigure
from tests import factories
from tests.helpers import page

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}


def last_periods(frequency: str, count: int) -> list[date]:
    """The starts of the last `count` periods that have ended, oldest first."""
    start = periods.period_start(observations.today(), frequency)
    found = []
    for _ in range(count):
        start = periods.previous_period(start, frequency)
        found.append(start)
    return sorted(found)


@pytest.fixture
def permits(db, scorecard_manager) -> Metric:
    """A published quarterly metric with city, zone and neighbourhood figures."""
    transport = db.session.scalar(select(ImpactArea.id).where(ImpactArea.code == "transportation"))
    made = catalogue.create_metric(
        catalogue.MetricInput(
            code="permit_days",
            name="Days to a parklet permit",
            impact_area_id=transport,
            frequency="quarterly",
            direction="lower",
            target_value=60.0,
            target_on=date(2028, 12, 31),
        ),
        by=scorecard_manager,
    )
    koreatown = db.session.scalar(select(Neighbourhood.id).where(Neighbourhood.name == "Koreatown"))
    figures = []
    for index, start in enumerate(last_periods("quarterly", 3)):
        figures += [
            ImportedFigure(start, 1250.5 + index),
            ImportedFigure(start, 40.0, "neighbourhood", koreatown),
        ]
    observations.import_figures(made, figures, by=scorecard_manager)
    db.session.commit()
    return made


def test_the_public_scorecard_reads_in_spanish_for_a_spanish_browser(db, client, permits):
    text = page(client.get("/scorecard/", headers=SPANISH))

    assert "Los indicadores de impacto de la ciudad" in text
    assert "Puntaje general" in text and "Cómo leerlos" in text
    assert "Más bajo es mejor" in text  # the metric's direction
    assert "Fuera de meta" in text  # its status badge: 1,252.5 days against 60
    assert "para dic 2028" in text  # the target's month, in Spanish
    assert "T" + str(last_periods("quarterly", 1)[0].month // 3 + 1) in text  # "T3 2026"
    assert "1,252.5" in text  # es_US writes figures as English does
    for english in ("Headline score", "How to read it", "Lower is better", "Off track"):
        assert english not in text


def test_the_neighbourhood_page_its_map_and_trend_line_read_in_spanish(db, client, permits):
    text = page(client.get("/scorecard/neighbourhoods?metric=permit_days", headers=SPANISH))
    svg = client.get("/scorecard/map.svg?metric=permit_days", headers=SPANISH).text
    trend = client.get("/scorecard/metrics/permit_days/trend.svg", headers=SPANISH).text
    unknown = page(client.get("/scorecard/neighbourhoods?metric=nope", headers=SPANISH))

    assert "Los indicadores por vecindario" in text
    assert "Leyenda del mapa" in text and "sin datos" in text and "la Zona de Promesa" in text
    # One neighbourhood has a figure: the singular, in the caption and the summary.
    assert "1 de 114 vecindarios tiene una cifra." in text
    assert "Days to a parklet permit por vecindario" in svg
    assert "Koreatown (Zona de Promesa): 40" in svg
    assert "Days to a parklet permit, últimos 3 períodos:" in trend
    assert "No hay ninguna métrica 'nope' en los indicadores." in unknown


def test_the_neighbourhood_caption_counts_in_english_too(db, client, permits):
    text = page(client.get("/scorecard/neighbourhoods?metric=permit_days"))

    assert "1 of 114 neighbourhoods has a figure." in text
    assert "Key to the map" in text


def test_downloads_stay_in_english_for_a_spanish_browser(db, client, permits):
    csv_text = client.get("/scorecard/scorecard.csv", headers=SPANISH).text
    card = client.get("/scorecard/scorecard.json?metric=permit_days", headers=SPANISH).get_json()
    [row] = [m for a in card["impact_areas"] for m in a["metrics"] if m["code"] == "permit_days"]

    assert "Off track" in csv_text and "Fuera de meta" not in csv_text
    assert row["status_text"] == "Off track"
    assert row["period"].startswith("Q")
    assert card["neighbourhoods"]["summary"].startswith("Days to a parklet permit by neighbourhood")


def test_the_showcase_reads_in_spanish(db, client):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager, showcase_published=True)
    db.session.commit()

    index = page(client.get("/showcase/", headers=SPANISH))
    own = page(client.get(f"/showcase/cohorts/{cohort.id}", headers=SPANISH))

    assert "Los emprendimientos de Accelerate: LA" in index
    assert "Participe: inscríbase en un hackatón" in index
    assert "Todavía no hay emprendimientos" in own
    assert "Vitrina" in own


def test_a_manager_who_reads_spanish_gets_the_refusals_and_flashes_in_spanish(
    db, client, login_as, scorecard_manager, permits
):
    login_as("manager", preferred_language="es")
    start = last_periods("quarterly", 1)[0]
    figure = {"period_start": start.isoformat(), "geography": "city", "value": "70"}
    figure |= {"neighbourhood_id": "0", "data_source_id": "0"}

    taken = client.post(
        f"/scorecard/manage/metrics/{permits.id}/observations", data=figure, follow_redirects=True
    )
    bad_iris = client.post(
        "/scorecard/manage/metrics/new",
        data={
            "code": "new_metric",
            "name": "New metric",
            "impact_area_id": str(permits.impact_area_id),
            "unit": "count",
            "direction": "higher",
            "frequency": "monthly",
            "derivation": "",
            "position": "0",
            "iris_code": "XX12",
        },
    )
    added = client.post(
        "/scorecard/manage/areas/new",
        data={"code": "parks", "name": "Parks", "kind": "other", "position": "0"},
        follow_redirects=True,
    )

    assert "Ya hay una cifra para ese período y lugar" in page(taken)
    assert "Un código IRIS+ tiene dos letras mayúsculas y cuatro dígitos" in page(bad_iris)
    assert "Nueva métrica" in page(bad_iris) and "Código IRIS+" in page(bad_iris)
    text = page(added)
    assert "Área de impacto agregada." in text and "Editar los indicadores" in text


def test_a_refresh_counts_its_metrics_in_both_languages(app):
    one = derivation.RefreshReport(inserted=3, metrics=["jobs_created"])
    two = derivation.RefreshReport(inserted=3, metrics=["jobs_created", "revenue"])

    with app.test_request_context(), force_locale("es"):
        assert one.summary().startswith("1 métrica calculada: 3 cifras nuevas")
        assert two.summary().startswith("2 métricas calculadas:")
    with app.test_request_context(), force_locale("en"):
        assert one.summary().startswith("1 derived metric: 3 new figures")
        assert two.summary().startswith("2 derived metrics:")


def test_periods_and_figures_follow_the_language_and_english_reads_as_before(app):
    october, fourth = date(2026, 10, 1), date(2026, 10, 1)

    with app.test_request_context(), force_locale("en"):
        assert labels.period(october, "monthly") == periods.label(october, "monthly")
        assert labels.period(fourth, "quarterly") == "Q4 2026"
        assert labels.number(12500.0) == "12,500"
    with app.test_request_context(), force_locale("es"):
        assert labels.period(october, "monthly") == "oct 2026"
        assert labels.period(fourth, "quarterly") == "T4 2026"
        assert labels.full_month(october) == "octubre de 2026"
        assert labels.source_credit().startswith("Límites de los vecindarios")
