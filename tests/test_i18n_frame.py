"""The frame of every page in Spanish: the home page's lists and their plurals, the shared
pagination and stale-edit comparison, the account pages and their refusals, the shared word
lists, times and time zones shown in the page's language while what is stored stays English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from flask_babel import refresh

from incubator import clock
from incubator.extensions import db
from incubator.forms import same_choices
from incubator.models import Role
from incubator.services import history, home, versions
from incubator.services.accounts import users
from incubator.services.errors import Busy
from incubator.services.paging import ListPage
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import page

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
LA = ZoneInfo("America/Los_Angeles")
# A Wednesday, so this week has days behind it.
WEDNESDAY = clock.week_start(clock.today(LA)) + timedelta(2)
LAST_WEEK = clock.week_start(WEDNESDAY) - timedelta(days=7)


def founder_facts(app, founder, headers) -> list[str]:
    with app.test_request_context(headers=headers):
        refresh()
        [panel] = [p for p in home.panels_for(founder, WEDNESDAY) if p.role == Role.FOUNDER]
        return panel.facts


def signed_in_in_spanish(client, user) -> None:
    user.preferred_language = "es"
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("headers", "one", "two"),
    [
        (ENGLISH, "LeakMap: 1 overdue milestone", "LeakMap: 2 overdue milestones"),
        (SPANISH, "LeakMap: 1 hito atrasado", "LeakMap: 2 hitos atrasados"),
    ],
)
def test_the_home_page_counts_with_each_languages_plural(
    app, db, venture, founder, headers, one, two
):
    factories.milestone(venture, "Late", by=founder, due_on=LAST_WEEK)
    first = founder_facts(app, founder, headers)
    factories.milestone(venture, "Later", by=founder, due_on=LAST_WEEK)

    assert one in first
    assert two in founder_facts(app, founder, headers)


def test_a_founders_home_reads_in_spanish(db, client, venture, founder):
    factories.check_in(venture, founder, LAST_WEEK, today=LAST_WEEK)
    signed_in_in_spanish(client, founder)

    text = page(client.get("/", headers=ENGLISH))

    assert "Su emprendimiento" in text
    assert "Falta el reporte semanal de esta semana" in text
    assert "LeakMap: último reporte semanal, de la semana del" in text
    assert "(la semana pasada)" in text and "Escribir el reporte semanal" in text
    assert "check-in" not in text.lower().replace("/check-in", "")


def test_pagination_reads_in_spanish(app):
    macro = '{% from "macros/ui.html" import pagination %}{{ pagination(page, "people.index") }}'
    shown = ListPage.of(list(range(30)), 1, 25)

    with app.test_request_context("/people/", headers=SPANISH):
        refresh()
        spanish = render_template_string(macro, page=shown)
    with app.test_request_context("/people/", headers=ENGLISH):
        refresh()
        english = render_template_string(macro, page=shown)

    assert "Anterior" in spanish and "Siguiente" in spanish and "Página 1 de 2" in spanish
    assert 'aria-label="Páginas"' in spanish
    assert "Previous" in english and "Page 1 of 2" in english


def test_a_stale_edit_is_explained_in_spanish(app, db, manager):
    macro = '{% from "macros/stale_edit.html" import stale_edit_panel %}{{ stale_edit_panel(s) }}'

    with app.test_request_context(headers=SPANISH):
        refresh()
        refused = versions.refusal(
            "Este hito",
            3,
            changed_by=manager,
            by=None,
            theirs={"title": "Diez entrevistas", "done": True},
            yours={"title": "Doce entrevistas", "done": False},
        )
        shown = render_template_string(macro, s=refused)

    assert refused.message.startswith(
        "Este hito tiene cambios de Maria Gonzalez hechos después de que usted abrió la página; "
        "no se guardó nada. Compare las dos versiones"
    )
    assert "Cambios de Maria Gonzalez hechos después de que usted abrió la página" in shown
    assert "Su versión sin guardar" in shown and "La versión guardada" in shown
    assert '<td class="text-break">Sí</td>' in shown


def test_the_accounts_services_refusals_are_in_spanish(db, client):
    person = factories.user("mentor", name="Rosa")
    db.session.commit()
    signed_in_in_spanish(client, person)

    response = client.post(
        "/auth/password",
        data={"current": "not it", "password": "a long new phrase", "confirm": "a long new phrase"},
    )

    assert "Su contraseña actual no es correcta." in page(response)


def test_where_you_are_signed_in_and_the_invitation_read_in_spanish(db, client, manager):
    invitation = users.invite("luz@example.org", "Luz", {Role.FOUNDER}, by=manager)
    db.session.commit()
    assert invitation is not None

    invited = page(
        client.get(f"/auth/invitation/{users.invitation_token(invitation)}", headers=SPANISH)
    )
    signed_in_in_spanish(client, manager)
    devices = page(client.get("/auth/sessions"))

    assert "Acepte su invitación" in invited
    assert "Maria Gonzalez le invitó como" in invited and "Fundador(a)" in invited
    assert "Elija una contraseña de al menos" in invited
    assert "Este dispositivo" in devices and "Último uso" in devices
    assert "minutos sin uso" in devices


def test_word_lists_read_in_spanish_but_are_stored_in_english(app):
    with app.test_request_context(headers=SPANISH):
        refresh()
        [(value, label)] = same_choices(["Water and drought"])
        shown = render_template_string("{{ 'Citywide'|vocabulary_label }}")

        assert (value, str(label)) == ("Water and drought", "Agua y sequía")
        assert shown == "Toda la ciudad"


def test_time_zones_are_named_in_the_language_of_the_page(db, client, login_as):
    login_as("judge", preferred_language="es")

    spanish = page(client.get("/auth/profile"))

    assert '<option selected value="America/Los_Angeles">Los Ángeles (hora del Pacífico)' in spanish
    assert "horarios en Los Ángeles (hora del Pacífico)" in spanish
    english = page(client.application.test_client().get("/auth/login"))
    assert "times shown in America/Los Angeles" in english


@pytest.mark.parametrize(
    ("headers", "moment", "earlier"),
    [
        (ENGLISH, "Mon Mar 2, 2026, 9:05 AM PST", "Mon Mar 2, 9:05 AM"),
        (SPANISH, "lun, 2 de mar de 2026, 9:05 a.m. PST", "lun, 2 de mar, 9:05 a.m."),
    ],
)
def test_times_across_the_site_read_in_the_language(app, headers, moment, earlier):
    at = datetime(2026, 3, 2, 17, 5, tzinfo=UTC)

    with app.test_request_context(headers=headers):
        refresh()
        shown = render_template_string("{{ at|localtime('%a %b %-d, %Y, %-I:%M %p %Z') }}", at=at)
        said = history.when(at, None)

    assert shown == moment
    assert said == earlier


def test_busy_and_the_apis_sign_in_message_are_in_spanish_but_its_code_is_not(app, client):
    with app.test_request_context(headers=SPANISH):
        refresh()
        assert Busy().message.startswith("Otra persona estaba cambiando lo mismo")

    response = client.get("/api/v1/me", headers=SPANISH)

    assert response.status_code == 401
    assert response.get_json() == {
        "error": "unauthorized",
        "message": "Inicie sesión para usar esta dirección.",
    }
