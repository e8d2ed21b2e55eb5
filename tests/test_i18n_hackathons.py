"""The hackathon, Devpost import and judging pages, their refusals and their plurals, read in
Spanish by a person who chose it, and still in English by everyone else."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask_babel import force_locale

from incubator.services.errors import InvalidInput
from incubator.services.hackathons import devpost, hackathons, judging
from tests import factories
from tests.helpers import page
from tests.plugins.hackathons import devpost_file


def upload(client, hackathon_id: int, data: bytes):
    return client.post(
        f"/hackathons/{hackathon_id}/import",
        data={"file": (io.BytesIO(data), "projects.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def tied_hackathon():
    """A hackathon whose one judge scored three of its five submissions the same."""
    hackathon = factories.judging_hackathon()
    overall = factories.rubric_criterion(hackathon, "Overall", 1, 0, 10)
    someone = factories.user("judge")
    for title, value in [("Top", 9), ("Tie C", 6), ("Tie A", 6), ("Tie B", 6), ("Last", 1)]:
        submission = factories.judging_submission(hackathon, title=title)
        factories.judge_assignment(someone, submission)
        judging.submit_scores(someone, submission, {overall.id: value})
    return hackathon


def test_a_hackathon_page_reads_in_spanish_with_its_plurals(db, client, login_as):
    login_as("manager", preferred_language="es")
    hackathon = factories.hackathon(
        "#techLA: Agua", starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 3)
    )
    factories.submission(hackathon, "Gota", members=[("Ana", "ana@example.org")])
    factories.submission(
        hackathon, "Ruta", members=[("Bo", "bo@example.org"), ("Cy", "cy@example.org")]
    )
    db.session.commit()

    text = page(client.get(f"/hackathons/{hackathon.id}"))

    assert "Retos" in text and "Agregar un reto" in text and "Importar de Devpost" in text
    assert "Abierto" in text  # the hackathon's status
    assert "1 miembro" in text and "2 miembros" in text
    assert "2\u20133 de mar de 2026" in text  # its two days, said in Spanish
    assert "Add a challenge" not in text and "members" not in text


def test_the_same_page_stays_english_for_everyone_else(db, client, login_as):
    login_as("manager")
    hackathon = factories.hackathon(
        "#techLA: Agua", starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 3)
    )
    factories.submission(hackathon, "Gota", members=[("Ana", "ana@example.org")])
    factories.submission(
        hackathon, "Ruta", members=[("Bo", "bo@example.org"), ("Cy", "cy@example.org")]
    )
    db.session.commit()

    text = page(client.get(f"/hackathons/{hackathon.id}"))

    assert "Add a challenge" in text and "Open" in text
    assert "1 member<" in text and "2 members" in text
    assert "Mar 2 \u2013 3, 2026" in text


def test_a_refused_hackathon_says_why_in_spanish(db, client, login_as):
    login_as("manager", preferred_language="es")
    factories.hackathon("#techLA: Transit")
    db.session.commit()

    response = client.post(
        "/hackathons/new",
        data={
            "name": "#techLA: Transit",
            "theme": "Transporte",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-01",
            "time_zone": "America/Los_Angeles",
            "status": "open",
        },
    )

    text = page(response)
    assert "La fecha de término debe ser igual o posterior a la de inicio." in text
    assert '<option selected value="open">Abierto</option>' in text


def test_service_refusals_are_worded_in_the_readers_language(app, db):
    factories.hackathon("#techLA: Transit")

    with force_locale("es"), pytest.raises(InvalidInput) as refused:
        factories.hackathon("#techLA: Transit")
    assert str(refused.value) == 'Ya existe un hackatón llamado "#techLA: Transit".'
    with pytest.raises(InvalidInput, match="There is already a hackathon called"):
        factories.hackathon("#techLA: Transit")
    with force_locale("es"), pytest.raises(InvalidInput, match="aparece dos veces en el equipo"):
        hackathons.parse_members("Ana <ana@example.org>\nAnn <ANA@example.org>")


def test_a_file_that_is_no_csv_is_refused_in_spanish(db, client, login_as):
    login_as("manager", preferred_language="es")
    hackathon = factories.hackathon()
    db.session.commit()

    text = page(upload(client, hackathon.id, b"\x89PNG\r\n\x1a\n"))

    assert (
        "Esto es una imagen PNG, no un archivo CSV. "
        "Suba el CSV de proyectos que Devpost exporta para el hackatón."
    ) in text


def test_the_import_preview_gives_its_counts_and_reasons_in_spanish(db, client, login_as):
    login_as("manager", preferred_language="es")
    hackathon = factories.hackathon()
    db.session.commit()

    text = page(upload(client, hackathon.id, devpost_file("current_unheaded_members.csv")))

    assert "exportación actual de Devpost" in text
    assert "3 por crear" in text and "3 omitidas" in text
    assert "borrador (no se importa a menos que usted lo pida)" in text
    assert "la misma URL que la fila 2" in text and "sin URL de la propuesta" in text
    assert "El archivo tiene 1 borrador." in text


def test_a_reading_note_is_english_until_it_is_said_in_spanish(app):
    parsed = devpost.devpost_csv.parse_export(devpost_file("overlong_values.csv"))
    note = parsed.rows[0].notes[0]

    assert note == "title cut to 200 characters"
    with force_locale("es"):
        assert devpost.say(note) == "título recortado a 200 caracteres"


def test_the_results_state_ties_and_the_tie_break_rule_in_spanish(db, client, login_as):
    login_as("manager", preferred_language="es")
    hackathon = tied_hackathon()
    db.session.commit()

    text = page(client.get(f"/judging/hackathons/{hackathon.id}/results"))

    assert "Empate en la posición 2" in text
    assert "(ahora hay 3 propuestas empatadas)" in text
    assert "Dentro de un empate se ordenan según la regla de desempate" in text
    assert "luego la puntuación normalizada más alta" in text
    assert "1 de 1 juez(a) calificó · 0 comentarios" in text


def test_a_judge_scores_in_spanish(db, client, login_as):
    me = login_as("judge", preferred_language="es")
    hackathon = factories.judging_hackathon()
    factories.rubric_criterion(hackathon, "Impacto", 2, 1, 5)
    submission = factories.judging_submission(hackathon, title="Gota")
    factories.judge_assignment(me, submission)
    db.session.commit()
    url = f"/judging/submissions/{submission.id}/score"

    text = page(client.get(url))
    assert "Sus calificaciones" in text and "Impacto (de 1 a 5, peso 2)" in text
    assert "Elija una calificación" in text

    refused = page(client.post(url, data={}, follow_redirects=True))
    assert "Califique cada criterio; faltan: Impacto." in refused
    assert "Sin calificar" in page(client.get("/judging/"))


def test_a_partner_chooses_a_challenge_area_in_spanish(db, client, login_as):
    partner = login_as("partner", preferred_language="es")
    factories.organisation("Departamento de Agua", members=[partner])
    factories.hackathon()
    db.session.commit()

    text = page(client.get("/hackathons/proposals"))

    assert '<option value="Water and drought">Agua y sequía</option>' in text
    assert "Proponer reto" in text and "Los retos que propuso" in text
