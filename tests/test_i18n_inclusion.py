"""Registration, the questions about you and the inclusion funnel in Spanish: the public pages
for a browser asking for Spanish, the language a new account keeps, refusals and plurals in
both languages, and the funnel's exports staying in English."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from incubator.extensions import db as database
from incubator.models import Registration, User
from incubator.services.hackathons import registrations
from incubator.services.inclusion import demographics, labels
from tests.helpers import count, location, page, reloaded
from tests.plugins.inclusion import answers, inclusion_hackathon, registration
from tests.plugins.registration import as_public_form, open_hackathon, register, registration_input

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def new_account(email: str) -> User:
    return database.session.scalars(select(User).where(User.email == email)).one()


# The public registration pages -------------------------------------------------------------------


def test_the_public_registration_pages_read_in_spanish_for_a_spanish_browser(db, client, manager):
    hackathon = open_hackathon(by=manager)
    db.session.commit()

    listed = page(client.get("/registration/", headers=SPANISH))
    form = page(client.get(f"/registration/{hackathon.id}", headers=SPANISH))
    done = client.post(
        f"/registration/{hackathon.id}",
        data=as_public_form(registration_input(preferred_language="Spanish")),
        headers=SPANISH,
    )
    mine = page(client.get(location(done), headers=SPANISH))

    assert '<html lang="es">' in listed
    assert "Inscríbase en un hackatón" in listed and "No necesita una cuenta." in listed
    assert "Inscríbase aquí abajo; no necesita una cuenta." in form
    for words in (
        "Su nombre",
        "Lo que usted aporta",
        "Diseñador(a)",
        "Dónde vive",
        "Fuera de la ciudad",
        "Idioma preferido",
        "Inglés",
        "Menor de 18 años",
        "Inscribirme",
    ):
        assert words in form, words
    assert "Register below" not in form and "What you bring" not in form
    assert "Confirmada" in mine and "Su lugar está confirmado." in mine
    assert "Cuéntenos sobre usted (opcional)" in mine and "Responder las preguntas" in mine
    assert "Cancelar mi inscripción" in mine


def test_the_form_read_in_spanish_offers_spanish_as_the_preferred_language(db, client, manager):
    hackathon = open_hackathon(by=manager)
    db.session.commit()

    in_spanish = page(client.get(f"/registration/{hackathon.id}", headers=SPANISH))
    in_english = page(client.get(f"/registration/{hackathon.id}", headers=ENGLISH))

    assert '<option selected value="Spanish">Español</option>' in in_spanish
    assert '<option selected value="English">English</option>' in in_english


def test_a_refusal_of_the_public_form_reads_in_spanish(db, client, manager):
    hackathon = open_hackathon(by=manager)
    db.session.commit()
    form = as_public_form(registration_input())

    refused = client.post(
        f"/registration/{hackathon.id}", data={**form, "under_18": "yes"}, headers=SPANISH
    )

    assert refused.status_code == 400
    assert "Menor de 18 años: indique el nombre y el correo electrónico" in page(refused)


def test_a_forged_registration_link_says_why_in_spanish(db, client, manager):
    rosa = register(open_hackathon(by=manager))
    db.session.commit()

    response = client.get(f"/registration/mine/{registrations.link_token(rosa)}x", headers=SPANISH)

    assert response.status_code == 400
    assert "Este enlace de inscripción no es válido." in page(response)


# The language a new account keeps ----------------------------------------------------------------


def test_registering_on_a_page_read_in_spanish_makes_an_account_that_prefers_spanish(
    db, client, manager
):
    hackathon = open_hackathon(by=manager)
    db.session.commit()

    client.post(
        f"/registration/{hackathon.id}", data=as_public_form(registration_input()), headers=SPANISH
    )
    client.post(
        f"/registration/{hackathon.id}",
        data=as_public_form(registration_input("Kim Lee")),
        headers=ENGLISH,
    )

    assert new_account("rosa.diaz@example.org").preferred_language == "es"
    assert new_account("kim.lee@example.org").preferred_language == "en"


def test_registering_never_changes_an_existing_accounts_language(db, client, manager):
    hackathon = open_hackathon(by=manager, capacity=None)
    english = User(email="rosa.diaz@example.org", name="Rosa Diaz", preferred_language="en")
    undecided = User(email="kim.lee@example.org", name="Kim Lee")
    db.session.add_all([english, undecided])
    db.session.commit()

    for name in ("Rosa Diaz", "Kim Lee"):
        client.post(
            f"/registration/{hackathon.id}",
            data=as_public_form(registration_input(name)),
            headers=SPANISH,
        )

    assert reloaded(english).preferred_language == "en"
    assert reloaded(undecided).preferred_language is None
    assert count(Registration) == 2


def test_registering_through_the_service_alone_leaves_the_language_unset(db, manager):
    rosa = register(open_hackathon(by=manager))

    assert rosa.user.preferred_language is None


# The questions about you -------------------------------------------------------------------------


def test_the_questions_about_you_and_their_answers_read_in_spanish(db, client, manager):
    rosa = register(open_hackathon(by=manager))
    db.session.commit()
    link = f"/inclusion/about-you/{demographics.answer_link_token(rosa.user)}"

    questions = page(client.get(link, headers=SPANISH))
    saved = page(
        client.post(
            link,
            data={
                "race_ethnicity": ["hispanic_or_latino", "middle_eastern_or_north_african"],
                "gender": "non_binary",
                "age_band": "18_24",
                "la_resident": "yes",
                "immigrant_history": "child_of_immigrants",
            },
            headers=SPANISH,
        )
    )

    for words in (
        "Raza y origen étnico",
        "Indígena americano(a) o nativo(a) de Alaska",
        "Negro(a) o afroamericano(a)",
        "Prefiero no decirlo",
        "Persona no binaria",
        "En mis propias palabras",
        "De 18 a 24 años",
        "65 años o más",
        "¿Vive usted en la Ciudad de Los Ángeles?",
        "Soy hijo(a) de inmigrantes",
        "Prefiero saltar esta pregunta",
        "Guardar mis respuestas",
    ):
        assert words in questions, words
    assert "Race and ethnicity" not in questions and "Prefer not to say" not in questions
    assert "Gracias: sus respuestas están guardadas" in saved
    assert "Hispano(a) o latino(a), De Medio Oriente o del norte de África" in saved
    assert "Persona no binaria" in saved and "De 18 a 24 años" in saved and "Sí" in saved


def test_a_refused_answer_says_why_in_spanish(db, client, login_as):
    login_as("founder", preferred_language="es")

    response = client.post("/inclusion/about-you", data={"gender": "self_described"})

    assert "Escriba el término que usa para su género, o elija otra respuesta." in page(response)


def test_every_answer_and_language_has_a_message_in_the_catalogue():
    for enum_class in labels.ENUMS:
        for member in enum_class:
            assert member.label in labels.MESSAGES, member


# The program team's pages and plurals ------------------------------------------------------------


def test_check_in_counts_in_both_languages_with_their_plurals(db, client, login_as, manager):
    hackathon = open_hackathon(by=manager)
    rosa, kim = register(hackathon, "Rosa Diaz"), register(hackathon, "Kim Lee")
    door = f"/registration/hackathons/{hackathon.id}/check-in"
    user = login_as("manager")

    assert "0 of 2 confirmed checked in." in page(client.get(door))
    user.preferred_language = "es"
    db.session.commit()
    tapped = client.post(f"/registration/{rosa.id}/check-in", follow_redirects=True)
    one = page(tapped)
    client.post(f"/registration/{kim.id}/check-in")
    both = page(client.get(door))

    assert "Se registró la llegada de Rosa Diaz." in one
    assert "Llegó 1 de 2 con lugar confirmado." in one
    assert "Llegaron 2 de 2 con lugar confirmado." in both
    assert "Registro de llegada" in both and "✓ Llegó · deshacer" in both


def test_the_registrations_list_reads_in_spanish(db, client, login_as, manager):
    hackathon = open_hackathon(by=manager, capacity=1)
    register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    login_as("manager", preferred_language="es")

    shown = page(client.get(f"/registration/hackathons/{hackathon.id}/registrations"))

    assert "Inscripciones de " + hackathon.name in shown
    assert "La inscripción está abierta" in shown and "1 lugar; quedan libres: 0" in shown
    assert "En lista de espera" in shown and "Confirmada" in shown and "Español" in shown
    assert "Socios de difusión" in shown


def test_a_refusal_of_the_program_team_reads_in_spanish(db, client, login_as, manager):
    hackathon = open_hackathon(by=manager)
    rosa = register(hackathon)
    login_as("manager", preferred_language="es")
    client.post(f"/registration/{rosa.id}/cancel")

    again = page(client.post(f"/registration/{rosa.id}/cancel", follow_redirects=True))

    assert "La inscripción de Rosa Diaz ya estaba cancelada." in again


# The funnel --------------------------------------------------------------------------------------


def test_the_public_funnel_reads_in_spanish_with_the_citys_notes(db, client):
    hackathon = inclusion_hackathon()
    for index in range(12):
        answers(registration(hackathon).user, gender="woman" if index % 2 else "man")
    db.session.commit()

    shown = page(client.get("/inclusion/?by=gender", headers=SPANISH))

    for words in (
        "Quiénes participan",
        "Género",
        "Mujer",
        "Hombre",
        "Persona no binaria",
        "Sin respuesta",
        "Todas las inscripciones",
        "Inscritos",
        "Asistieron",
        "Las cifras de 1 a 10 están ocultas",
        "El Censo pregunta el sexo, no el género",
        "Porcentaje de la ciudad (2000)",
    ):
        assert words in shown, words
    assert '<cite lang="en">U.S. Census Bureau' in shown
    assert "Who takes part" not in shown and "No answer" not in shown


def test_the_funnel_exports_stay_in_english_for_a_spanish_reader(db, client, login_as):
    hackathon = inclusion_hackathon()
    for _ in range(12):
        answers(registration(hackathon).user, gender="woman")
    login_as("manager", preferred_language="es")

    exported = client.get(f"/inclusion/funnel.csv?by=gender&hackathon={hackathon.id}")
    document = json.loads(client.get("/inclusion/funnel.json?by=gender").get_data(as_text=True))
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))

    assert rows[0][:3] == ["Gender", "Registered", "Attended"]
    assert [row[0] for row in rows[1:]][:2] == ["Woman", "Man"]
    assert rows[-1][0] == "All registrations"
    assert document["total"]["group"] == "All registrations"
    assert "Mujer" in page(client.get(f"/inclusion/funnel?by=gender&hackathon={hackathon.id}"))


def test_the_funnel_over_time_names_each_hackathons_month_in_the_readers_language(
    db, client, login_as
):
    registration(inclusion_hackathon("Hack the Bus"))
    login_as("manager", preferred_language="es")

    shown = page(client.get("/inclusion/funnel?by=hackathon"))

    assert "Hack the Bus (marzo de 2025)" in shown
    assert "Hackatón, a lo largo del tiempo" in shown
