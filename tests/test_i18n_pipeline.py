"""The pipeline and the cohorts in Spanish: the board, its risk reasons and its CSV, a
venture's milestones, check-ins and timeline, the charts, the refusals and flashes, and the
plurals in both languages."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from flask_babel import LazyString, refresh

from incubator import clock
from incubator.models import CohortStatus, MilestoneStatus, Stage
from incubator.services.cohorts.ventures import COHORT_STATUS_LABELS
from incubator.services.pipeline import milestones, risk_rules, stages
from incubator.services.pipeline.risk_rules import Thresholds, VentureFacts
from tests import factories
from tests.helpers import page

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def overdue_venture(db):
    """A cohort with one venture (LeakMap) whose first milestone is three days overdue, and
    the manager who made them."""
    manager = factories.user("manager", name="Maya Manager")
    today = clock.today()
    cohort = factories.cohort(
        "Spring 2025",
        by=manager,
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=90),
    )
    venture = factories.venture(cohort, "LeakMap", by=manager)
    milestones.venture_milestones(venture)[0].due_on = clock.today() - timedelta(days=3)
    db.session.commit()
    return {"manager": manager, "cohort": cohort, "venture": venture}


def signed_in_founder(client, sign_in, db, venture) -> None:
    """Sign a Spanish-speaking founder of the venture in on the client."""
    founder = factories.founder_of(venture, preferred_language="es")
    db.session.commit()
    assert sign_in(client, founder.email).status_code == 302


def test_the_board_reads_in_spanish_with_its_risk_reasons(client, login_as, overdue_venture):
    login_as("manager", preferred_language="es")
    cohort = overdue_venture["cohort"]

    text = page(client.get(f"/pipeline/cohorts/{cohort.id}"))

    assert "Tablero del proceso: Spring 2025" in text
    assert "1 emprendimiento · 1 en riesgo" in text
    assert ">Concepto <span" in text  # the column of the first stage
    assert "1 hito vencido" in text
    assert "Todavía sin reporte" in text
    assert "Pipeline board" not in text and "overdue milestone" not in text


def test_the_board_still_reads_in_english(client, login_as, overdue_venture):
    login_as("manager")

    text = page(client.get(f"/pipeline/cohorts/{overdue_venture['cohort'].id}", headers=ENGLISH))

    assert "Pipeline board: Spring 2025" in text
    assert "1 venture · 1 at risk" in text
    assert "1 overdue milestone" in text


def test_the_csv_keeps_its_column_names_and_says_the_rest_in_the_readers_language(
    client, login_as, overdue_venture
):
    login_as("manager", preferred_language="es")

    response = client.get(f"/pipeline/cohorts/{overdue_venture['cohort'].id}/board.csv")

    header, row = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header[:4] == ["venture", "stage", "at_risk", "risk_reasons"]
    assert row[:4] == ["LeakMap", "Concepto", "yes", "1 hito vencido"]


@pytest.mark.parametrize(
    ("headers", "one", "two"),
    [
        (ENGLISH, "1 overdue milestone", "2 overdue milestones"),
        (SPANISH, "1 hito vencido", "2 hitos vencidos"),
    ],
)
def test_risk_reasons_use_the_plural_forms_of_the_language(app, headers, one, two):
    today = date(2025, 3, 17)
    facts = VentureFacts(stage_label="Pilot", open_due_dates=(today - timedelta(days=1),))

    with app.test_request_context(headers=headers):
        refresh()
        single = risk_rules.overdue_milestones(facts, today)
        double = risk_rules.overdue_milestones(
            VentureFacts(stage_label="Pilot", open_due_dates=facts.open_due_dates * 2), today
        )
        said = (single.message, double.message)  # type: ignore[union-attr]

    assert said == (one, two)


def test_a_stalled_venture_names_its_stage_in_spanish(app):
    today = date(2025, 3, 17)
    with app.test_request_context(headers=SPANISH):
        refresh()
        facts = VentureFacts(
            stage_label=LazyString(stages.stage_label, Stage.PROTOTYPE),
            stage_since_on=today - timedelta(days=50),
            expected_days=42,
        )
        said = [reason.message for reason in risk_rules.reasons(facts, today, Thresholds())]
        reasons = risk_rules.reasons(facts, today, Thresholds())
    # Read again in English (a mail to someone who reads English): put into words when read.
    with app.test_request_context(headers=ENGLISH):
        refresh()
        english = [reason.message for reason in reasons]

    assert said == ["50 días en Prototipo; se esperaban 42"]
    assert english == ["50 days in Prototype, expected 42"]


def test_a_founders_milestones_and_tabs_read_in_spanish(client, sign_in, db, overdue_venture):
    venture = overdue_venture["venture"]
    signed_in_founder(client, sign_in, db, venture)

    text = page(client.get(f"/ventures/{venture.id}/milestones"))

    assert "<title>Hitos · LeakMap" in text
    assert ">Reportes</a>" in text and ">Cronología</a>" in text
    assert "Previsto" in text and "Vencido" in text
    assert "Marcar como cumplido" in text
    assert "Agregar un hito" in text


def test_a_refusal_and_a_flash_of_the_pipeline_are_in_spanish(client, login_as, overdue_venture):
    venture = overdue_venture["venture"]
    login_as("manager", preferred_language="es")
    url = f"/ventures/{venture.id}/stage"

    same = client.post(
        url, data={"stage": "concept", "seen_stage": "concept"}, follow_redirects=True
    )
    moved = client.post(
        url, data={"stage": "prototype", "seen_stage": "concept"}, follow_redirects=True
    )

    assert "LeakMap ya está en la etapa Concepto." in page(same)
    assert "LeakMap pasó a Prototipo." in page(moved)


def test_the_check_in_form_offers_its_choices_in_spanish(client, sign_in, db, overdue_venture):
    venture = overdue_venture["venture"]
    signed_in_founder(client, sign_in, db, venture)

    text = page(client.get(f"/ventures/{venture.id}/check-in"))

    assert "Resumen de la semana" in text
    assert "3 · regular" in text
    assert "Conexiones" in text and "Financiamiento" in text
    assert "Residentes o usuarios alcanzados" in text


def test_the_cohort_list_says_places_and_status_in_both_languages(
    client, login_as, overdue_venture
):
    login_as("manager")

    english = page(client.get("/cohorts/", headers=ENGLISH))
    client.post("/language", data={"language": "es", "next": "/cohorts/"})
    spanish = page(client.get("/cohorts/"))

    assert "1 of 12 places taken" in english and ">Active</span>" in english
    assert "1 de 12 lugares ocupados" in spanish and ">En curso</span>" in spanish


def test_the_stage_chart_names_itself_and_its_stages_in_spanish(client, login_as, overdue_venture):
    login_as("manager", preferred_language="es")

    svg = client.get(f"/pipeline/cohorts/{overdue_venture['cohort'].id}/distribution.svg")

    text = svg.get_data(as_text=True)
    assert "Spring 2025: emprendimientos activos por etapa hoy" in text
    assert "Prototipo" in text and "Adopción" in text


def test_every_stage_milestone_state_and_cohort_status_label_is_marked_for_translation():
    assert sorted(stages.STAGE_LABEL_MESSAGES) == sorted(stage.label for stage in Stage)
    assert sorted(milestones.MILESTONE_STATUS_MESSAGES) == sorted(
        status.label for status in MilestoneStatus
    )
    assert set(COHORT_STATUS_LABELS) == set(CohortStatus)


def test_a_refusal_overtaken_by_another_persons_change_says_both_in_spanish(app, overdue_venture):
    from incubator.services.errors import InvalidInput

    manager = overdue_venture["manager"]
    milestone = milestones.venture_milestones(overdue_venture["venture"])[0]
    milestones.complete_milestone(milestone, None, "Notas de diez entrevistas", by=manager)
    milestones.verify_milestone(milestone, by=manager)

    with app.test_request_context(headers=SPANISH):
        refresh()
        with pytest.raises(InvalidInput) as refused:
            milestones.verify_milestone(milestone, by=factories.user("manager", name="Rosa"))

    assert refused.value.message.startswith(
        "Solo se puede verificar un hito marcado como cumplido. Maya Manager lo verificó ("
    )
