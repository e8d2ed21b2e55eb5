"""Matching and the people pages in Spanish: the reasons for a match said in each reader's
language (not the language of the manager who ran matching), the refusals with their
numbers and plurals, the pages, and the mail that still goes out in English."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from incubator.services.matching import reasons, runs
from incubator.services.matching.scoring import (
    CounterpartFacts,
    MatchWeights,
    VentureFacts,
    score,
)
from tests import factories
from tests.helpers import page

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
WEIGHTS = MatchWeights()


@pytest.fixture
def proposal(db, cohort, manager):
    """A draft proposing AquaSave to Ana Mentor, with the founder who answers for it."""
    venture = factories.needy_venture(cohort, "AquaSave", by=manager)
    mentor = factories.mentor("Ana Mentor", expertise=["Procurement"], capacity=1)
    run = runs.run_matching(cohort, "mentor", "optimal", 1, 1, by=manager)
    db.session.commit()
    [match] = runs.run_matches(run)
    return run, match, venture, mentor


def test_a_reason_is_kept_as_a_message_and_said_in_the_readers_language(app):
    venture = VentureFacts(
        id=1, name="AquaSave", needs=("Funding",), languages=("Spanish",), stage="pilot"
    )
    funder = CounterpartFacts(
        key="user:7",
        name="Kim",
        kind="funder",
        capacity=1,
        stages=("concept", "prototype"),
        languages=("Spanish",),
    )
    kept = reasons.stored(score(venture, funder, {}, WEIGHTS).reasons)

    with app.test_request_context(), force_locale("en"):
        english = reasons.sentences(kept)
    with app.test_request_context(), force_locale("es"):
        spanish = reasons.sentences(kept)

    assert english == [
        "AquaSave asked for help with funding, and Kim is a funder.",
        "Kim invests only at the concept and prototype stages, and AquaSave is at pilot.",
        "Kim speaks Spanish, as AquaSave's team does.",
    ]
    # The needs and languages are the program's words, translated where the vocabulary is.
    assert spanish[0].startswith("AquaSave pidió ayuda con ")
    assert spanish[0].endswith(", y Kim es financiador(a).")
    assert spanish[1] == (
        "Kim invierte solo en las etapas de concepto y prototipo, y AquaSave está en piloto."
    )
    assert spanish[2].startswith("Kim habla ")
    assert spanish[2].endswith(", igual que el equipo de AquaSave.")


def test_a_reason_written_as_text_before_is_said_as_it_is(app):
    with app.test_request_context(), force_locale("es"):
        assert reasons.sentences(["Knows procurement"]) == ["Knows procurement"]


def test_the_founder_reads_why_they_were_matched_in_spanish_whatever_the_managers_language(
    db, client, proposal, manager, sign_in
):
    run, _match, venture, _mentor = proposal
    runs.publish(run, by=manager)
    founder = venture.members[0].user
    founder.preferred_language = "es"
    db.session.commit()
    sign_in(client, founder.email)

    text = page(client.get("/matching/mine"))

    assert "Sus conexiones" in text and "Por qué los conectamos" in text
    assert "AquaSave pidió ayuda con " in text and ", y Ana Mentor ofrece “" in text
    assert "Los dos trabajan en " in text
    assert "asked for help" not in text
    assert "Aceptar" in text and "Rechazar" in text


def test_the_introduction_mail_keeps_english_reasons_when_a_spanish_manager_publishes(
    db, client, proposal, manager, sign_in, outbox
):
    run, _match, venture, _mentor = proposal
    manager.preferred_language = "es"
    db.session.commit()
    sign_in(client, manager.email)

    response = client.post(
        f"/matching/runs/{run.id}/publish", data={"confirm": "y"}, follow_redirects=True
    )

    assert "Publicada: se envió 1 conexión por correo a las dos partes." in page(response)
    [mail] = outbox(venture.members[0].user.email)
    assert "AquaSave asked for help with procurement path, and Ana Mentor offers" in mail.body
    assert "pidió" not in mail.body


def test_the_review_page_and_its_refusal_with_plurals_read_in_spanish(
    db, client, cohort, manager, sign_in
):
    for name in ("AquaSave", "BusBuddy", "CivicCity"):
        factories.needy_venture(cohort, name, by=manager)
    for name in ("Ana Mentor", "Ben Mentor"):
        factories.mentor(name, expertise=["Procurement"], capacity=1)
    manager.preferred_language = "es"
    db.session.commit()
    sign_in(client, manager.email)
    url = f"/matching/cohorts/{cohort.id}"

    text = " ".join(page(client.get(url)).split())
    assert "Asignación de conexiones de" in text
    assert "Mentores: quedan 2 cupos para 3 emprendimientos" in text

    refused = client.post(
        url,
        data={"kind": "mentor", "method": "optimal", "min_per_venture": 1, "max_per_venture": 2},
    )
    text = " ".join(page(refused).split())
    assert (
        "3 emprendimientos necesitan al menos 1 mentor(a) cada uno (3 en total), pero los "
        "mentores solo tienen 2 cupos disponibles. Para proponer conexiones, baje “Al menos, "
        "por emprendimiento” a 0, o aumente en 1 la capacidad de cada mentor(a) en su perfil "
        "(2 cupos más en total)."
    ) in text
    assert "Estos valores se pueden cumplir:" in text


@pytest.mark.parametrize(
    ("headers", "one", "two"),
    [({}, "1 person", "2 people"), (SPANISH, "1 persona", "2 personas")],
)
def test_the_people_count_is_a_plural_in_each_language(
    db, client, manager, sign_in, headers, one, two
):
    db.session.commit()
    sign_in(client, manager.email)

    assert one in page(client.get("/people/", headers=headers))
    factories.user("mentor")
    db.session.commit()
    assert two in page(client.get("/people/", headers=headers))


def test_a_review_edit_the_service_refuses_is_flashed_in_spanish(
    db, client, proposal, manager, sign_in
):
    run, match, _venture, _mentor = proposal
    match.pinned = True
    manager.preferred_language = "es"
    db.session.commit()
    sign_in(client, manager.email)

    response = client.post(
        f"/matching/runs/matches/{match.id}/remove",
        data={"version": run.version},
        follow_redirects=True,
    )

    assert "Esa conexión está fijada: desfíjela antes de quitarla." in page(response)


def test_a_refusal_of_the_pure_matching_core_reaches_the_manager_in_spanish(
    db, client, cohort, manager, sign_in
):
    factories.needy_venture(cohort, "AquaSave", by=manager)  # and no mentor at all
    manager.preferred_language = "es"
    db.session.commit()
    sign_in(client, manager.email)

    refused = client.post(
        f"/matching/cohorts/{cohort.id}",
        data={"kind": "mentor", "method": "optimal", "min_per_venture": 1, "max_per_venture": 1},
    )

    assert "No hay con quién conectar: ningún perfil está abierto a emprendimientos." in page(
        refused
    )
