"""The interface's language: the order it is chosen in (saved preference, switch, browser,
English), `<html lang>`, the switch for visitors and for people signed in, dates and money
formatted for the language, and a Spanish catalogue that cannot silently fall behind the code."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, refresh

from incubator import i18n
from incubator.models import ROLE_LABELS, User
from incubator.services.pipeline import risk_rules
from incubator.templating import ROLE_LABEL_MESSAGES
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import location, page, reloaded

ROOT = Path(__file__).resolve().parent.parent
SPANISH_PO = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"
HTML_LANG = re.compile(r'<html lang="([^"]+)">')

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def html_lang(response) -> str:
    [lang] = HTML_LANG.findall(response.get_data(as_text=True))
    return lang


def switch(client, language: str, back: str = "/auth/login", **headers):
    return client.post("/language", data={"language": language, "next": back}, headers=headers)


# The choice, in order -------------------------------------------------------------------------


def test_english_when_nothing_asks_for_another_language(client):
    response = client.get("/auth/login")

    assert html_lang(response) == "en"
    assert "Sign in to Accelerate: LA" in page(response)


def test_a_browser_asking_for_mexican_spanish_gets_spanish(client):
    response = client.get("/auth/login", headers={"Accept-Language": "es-MX"})

    assert html_lang(response) == "es"
    text = page(response)
    assert "Inicie sesión en Accelerate: LA" in text
    assert "Correo electrónico" in text and "Contraseña" in text
    assert "Sign in to Accelerate: LA" not in text


def test_a_language_the_site_does_not_offer_falls_back_to_english(client):
    response = client.get("/auth/login", headers={"Accept-Language": "fr-FR,de;q=0.8"})

    assert html_lang(response) == "en"


def test_the_switch_beats_the_browser_and_is_remembered_across_requests(client):
    response = switch(client, "es", back="/auth/forgot", **ENGLISH)

    assert response.status_code == 303
    assert location(response) == "/auth/forgot"
    for path in ("/auth/forgot", "/auth/login", "/nowhere"):
        later = client.get(path, headers=ENGLISH)
        assert html_lang(later) == "es", path
    assert "Restablezca su contraseña" in page(client.get("/auth/forgot", headers=ENGLISH))

    switch(client, "en", **SPANISH)
    assert html_lang(client.get("/auth/login", headers=SPANISH)) == "en"


def test_the_saved_preference_beats_the_switch_and_the_browser(db, client, login_as):
    login_as("founder", preferred_language="es")
    with client.session_transaction() as session:
        session[i18n.SESSION_KEY] = "en"

    response = client.get("/auth/profile", headers=ENGLISH)

    assert html_lang(response) == "es"
    assert "Su perfil" in page(response)


def test_a_signed_in_switch_saves_the_preference(db, client, login_as, audit_events):
    user = login_as("mentor")
    assert user.preferred_language is None

    response = switch(client, "es", back="/auth/profile", **ENGLISH)

    assert location(response) == "/auth/profile"
    assert reloaded(user).preferred_language == "es"
    [event] = audit_events("user.profile_updated")
    assert event.after == {"preferred_language": "es"}
    # Saved, so it holds in another browser that never used the switch.
    other = client.application.test_client()
    signed_in = other.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert html_lang(other.get("/", headers=ENGLISH)) == "es"


def test_an_unknown_language_is_refused_without_a_500(db, client, login_as):
    user = login_as("founder")

    for code in ("xx", "", "../../etc", "en" * 50):
        response = switch(client, code, back="/auth/profile")
        assert response.status_code == 303, code
    assert reloaded(user).preferred_language is None
    with client.session_transaction() as session:
        assert i18n.SESSION_KEY not in session
    assert "Language: Not a valid choice." in page(client.get("/auth/profile"))


def test_the_switch_only_goes_back_to_this_site(client):
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = switch(client, "es", back=elsewhere)
        assert location(response) == "/", elsewhere


def test_the_switch_is_on_every_page_with_each_language_in_its_own_name(client):
    english = page(client.get("/auth/login"))
    spanish = page(client.get("/nowhere", headers=SPANISH))

    assert 'action="/language"' in english and 'action="/language"' in spanish
    assert '<strong lang="en" aria-current="true">English</strong>' in english
    assert 'name="language" value="es" lang="es"' in english
    assert '<strong lang="es" aria-current="true">Español</strong>' in spanish
    assert 'name="language" value="en" lang="en"' in spanish


def test_the_profile_sets_and_clears_the_preferred_language(db, client, login_as):
    user = login_as("judge", name="Rosa Díaz")
    profile = {"name": "Rosa Díaz", "time_zone": "America/Los_Angeles"}

    response = client.post(
        "/auth/profile", data={**profile, "preferred_language": "es"}, follow_redirects=True
    )

    assert "Se guardó su perfil." in page(response)
    assert reloaded(user).preferred_language == "es"
    assert '<option lang="es" selected value="es">Español</option>' in page(response)

    client.post("/auth/profile", data={**profile, "preferred_language": ""})
    assert reloaded(user).preferred_language is None

    refused = client.post("/auth/profile", data={**profile, "preferred_language": "tlh"})
    assert refused.status_code == 200  # drawn again with the service's refusal
    assert "is not a language this site is offered in" in page(refused)
    assert db.session.get(User, user.id).preferred_language is None


def test_validation_messages_and_errors_are_in_spanish(db, client):
    response = client.post("/auth/login", data={"email": "", "password": ""}, headers=SPANISH)

    assert "Este campo es obligatorio." in page(response)
    missing = client.get("/nowhere", headers=SPANISH)
    assert missing.status_code == 404
    assert "No encontrado" in page(missing)
    # Programs reading JSON errors get the same English code in any language.
    api = client.get("/nowhere", headers={**SPANISH, "Accept": "application/json"})
    assert api.get_json()["error"] == "not_found"


def test_the_navigation_and_roles_are_translated(db, client, login_as):
    login_as("founder", name="Ana López", preferred_language="es")

    home = page(client.get("/"))
    assert "Hola, Ana López" in home
    assert ">Mi emprendimiento</a>" in home and ">Inicio</a>" in home
    assert ">My venture</a>" not in home
    assert "Fundador(a)" in page(client.get("/auth/profile"))


def test_plural_forms_come_from_the_catalogue(client, app):
    text = page(client.get("/auth/forgot", headers=SPANISH))

    minutes = app.config["PASSWORD_RESET_MAX_AGE"] // 60
    assert f"un enlace que funciona durante {minutes} minutos." in text


# Formatting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "day", "moment", "money"),
    [
        (ENGLISH, "Mar 2, 2026", "Mar 2, 2026, 9:05 AM", "$1,234.50"),
        (SPANISH, "2 mar 2026", "2 mar 2026, 9:05 a.m.", "$1,234.50"),
    ],
)
def test_dates_times_and_money_follow_the_language(app, headers, day, moment, money):
    with app.test_request_context(headers=headers):
        refresh()  # the language of this request, not one cached in the test's app context
        assert i18n.format_date(date(2026, 3, 2)) == day
        # 17:05 UTC is 9:05 in Los Angeles (the program's zone, for a visitor).
        assert i18n.format_datetime(datetime(2026, 3, 2, 17, 5, tzinfo=UTC)) == moment
        assert i18n.format_currency(Decimal("1234.5")) == money


def test_calendar_days_read_in_the_language(app):
    from incubator import clock

    with app.test_request_context(headers=SPANISH):
        refresh()
        spanish = clock.day_label(date(2026, 3, 2), weekday=True, as_of=date(2026, 1, 5))
        other_year = clock.day_label(date(2025, 12, 29), as_of=date(2026, 1, 5))
    with app.test_request_context(headers=ENGLISH):
        refresh()
        english = clock.day_label(date(2026, 3, 2), weekday=True, as_of=date(2026, 1, 5))

    assert (spanish, other_year, english) == ("lun, 2 de mar", "29 dic 2025", "Mon, Mar 2")


# Mail ---------------------------------------------------------------------------------------

# The sessions' mails are sent "as at" Monday October 5, 2026, 9:00 in Los Angeles, for a
# session on Tuesday 10:00 (17:00 UTC).
BOOKED_AT = datetime(2026, 10, 5, 16, 0, tzinfo=UTC)
TUESDAY_10 = datetime(2026, 10, 6, 17, 0, tzinfo=UTC)


def test_mail_is_in_the_recipients_language_whatever_the_senders(db, client, outbox):
    maria = factories.user(
        "founder", name="María", email="maria@example.org", preferred_language="es"
    )
    john = factories.user("founder", name="John", email="john@example.org")
    db.session.commit()

    asked_in_english = client.post(
        "/auth/forgot", data={"email": maria.email}, headers=ENGLISH, follow_redirects=True
    )
    client.post("/auth/forgot", data={"email": john.email}, headers=SPANISH)

    [to_maria] = outbox(maria.email)
    assert to_maria.subject == "Restablezca su contraseña de Accelerate: LA"
    assert to_maria.body.startswith("Hola, María:\n")
    assert "Si no fue usted, ignore este correo." in to_maria.body
    [to_john] = outbox(john.email)
    assert to_john.subject == "Reset your Accelerate: LA password"
    assert to_john.body.startswith("Hello John,\n") and "If it was not you" in to_john.body
    # The page after it stays in the language of the one who asked.
    assert "a reset link is on its way" in page(asked_in_english)


def test_a_bare_address_of_a_person_who_chose_spanish_gets_spanish(
    db, outbox, tmp_path, monkeypatch
):
    from incubator.services import mail

    factories.user(
        "mentor", email="rosa@example.org", time_zone="America/New_York", preferred_language="es"
    )
    (tmp_path / "note.txt").write_text(
        '{% block subject %}{{ _("Your invitation to Accelerate: LA") }}{% endblock %}\n'
        '{% block body %}\n{{ _("Where: %(place)s", place=_("to be confirmed")) }} '
        "{{ at|localtime('time_and_zone') }}\n{% endblock %}\n"
    )
    monkeypatch.setattr(mail, "template_folder", lambda: str(tmp_path))

    mail.send_template(" Rosa@Example.org", "note", at=TUESDAY_10)
    mail.send_template("someone@example.org", "note", at=TUESDAY_10)

    [to_rosa, to_someone] = outbox()
    assert to_rosa.recipient == " Rosa@Example.org"
    assert to_rosa.subject == "Su invitación a Accelerate: LA"
    # In her language, on her clock.
    assert to_rosa.body == "Lugar: por confirmar 1:00 p.m. EDT\n"
    assert to_someone.subject == "Your invitation to Accelerate: LA"
    assert to_someone.body == "Where: to be confirmed 10:00 AM PDT\n"


def test_the_dates_and_times_of_a_spanish_mail_are_written_in_spanish(db, client, outbox):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    ana = factories.founder_of(
        venture, name="Ana", email="ana@example.org", preferred_language="es"
    )
    maya = factories.user("mentor", name="Maya", email="maya@example.org")
    slot = factories.mentor_slot(maya, TUESDAY_10)
    db.session.commit()

    with client.application.test_request_context(headers=ENGLISH):
        factories.session_booking(slot, venture, ana, now=BOOKED_AT)

    [to_ana] = outbox(ana.email)
    [to_maya] = outbox(maya.email)
    assert to_ana.subject == "Sesión de mentoría reservada: LeakMap con Maya"
    assert (
        "LeakMap se reúne con Maya el martes 6 de octubre de 2026, de 10:00 a.m. a 11:00 a.m. "
        "PDT.\n" in to_ana.body
    )
    assert "LeakMap meets Maya on Tuesday October 6, 2026, 10:00 AM to 11:00 AM PDT." in (
        to_maya.body
    )


def test_a_calendar_file_is_made_in_its_recipients_language(db, outbox, monkeypatch):
    from incubator.services import notifications
    from incubator.services.mentoring import calendars

    # What the file says is the calendars' own; here, only the language it is made in.
    monkeypatch.setattr(
        calendars, "booking_ics", lambda booking, method, now=None: i18n.current_language()
    )
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    ana = factories.founder_of(venture, email="ana@example.org", preferred_language="es")
    maya = factories.user("mentor", email="maya@example.org")

    booking = factories.session_booking(
        factories.mentor_slot(maya, TUESDAY_10), venture, ana, now=BOOKED_AT
    )
    notifications.booking_cancelled(booking)

    assert [m.attachment for m in outbox(ana.email)] == ["es", "es"]
    assert [m.attachment for m in outbox(maya.email)] == ["en", "en"]


@pytest.mark.parametrize(
    ("count", "subject", "opening"),
    [
        (1, "1 emprendimiento en riesgo esta semana", "Este emprendimiento está en riesgo"),
        (2, "2 emprendimientos en riesgo esta semana", "Estos emprendimientos están en riesgo"),
    ],
)
def test_a_mail_says_one_or_several_in_spanish_too(db, count, subject, opening):
    from incubator.services import mail

    manager = factories.user("manager", name="Rosa", preferred_language="es")
    cohort = factories.cohort(by=manager)
    at_risk = [(factories.venture(cohort, by=manager), []) for _ in range(count)]

    rendered = mail.render(manager, "risk_digest", at_risk=at_risk, today=date(2026, 10, 5))

    assert rendered[0] == subject
    assert f"Hola, Rosa:\n\n{opening} al lun, 5 de oct de 2026:\n" in rendered[1]


# The catalogue ------------------------------------------------------------------------------


def extraction_keywords() -> list[str]:
    """The keywords the Makefile's translations-extract gives pybabel ("-k _l" ...)."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("translations-extract:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"-k (\S+)", recipe)


def extracted_messages(tmp_path) -> list[tuple[str | tuple[str, ...], str | None]]:
    """Every translatable string of the code and templates, with its context, extracted now
    as the Makefile's translations-extract does (babel.cfg, its keywords)."""
    pot = tmp_path / "messages.pot"
    keywords = [argument for keyword in extraction_keywords() for argument in ("-k", keyword)]
    arguments = ["--quiet", "extract", "-F", str(ROOT / "babel.cfg"), *keywords, "-o", str(pot)]
    CommandLineInterface().run(["pybabel", *arguments, str(ROOT)])
    with pot.open("rb") as file:
        return [(message.id, message.context) for message in read_po(file) if message.id]


def test_every_string_the_code_translates_has_a_spanish_translation(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    extracted = extracted_messages(tmp_path)
    with SPANISH_PO.open("rb") as file:
        spanish = read_po(file)

    assert len(extracted) > 50  # extraction found the code and the templates
    assert "lazy_pgettext:1c,2" in extraction_keywords()
    missing, empty, fuzzy = [], [], []
    for message_id, context in extracted:
        message = spanish.get(message_id, context=context)
        if message is None:
            missing.append((message_id, context))
        elif message.fuzzy:
            fuzzy.append((message_id, context))
        elif not all(message.string) if isinstance(message.string, tuple) else not message.string:
            empty.append((message_id, context))
    assert (missing, empty, fuzzy) == ([], [], []), (
        "Run `make translations-update`, translate what is missing, empty or fuzzy in "
        f"{SPANISH_PO.relative_to(ROOT)}, then `make translations-compile`."
    )


TRANSLATING = {
    "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext", "lazy_ngettext",
    "lazy_pgettext",
}  # fmt: skip


def test_every_way_the_code_translates_is_one_extraction_reads():
    """A translating function imported under a name pybabel does not look for (lazy_ngettext,
    `lazy_gettext as _l`) would leave its messages out of the catalogue, and the catalogue
    test above could not tell."""
    read = set(DEFAULT_KEYWORDS) | {keyword.split(":")[0] for keyword in extraction_keywords()}
    used = set()
    for path in (ROOT / "incubator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                used |= {
                    alias.asname or alias.name for alias in node.names if alias.name in TRANSLATING
                }

    assert {"_", "_l"} <= used
    assert used - read == set()
    # The risk rules make their messages with functions of their own, named as pybabel's
    # keywords so that it reads them.
    assert {"_l", "lazy_ngettext"} <= read
    assert callable(risk_rules._l) and callable(risk_rules.lazy_ngettext)


def test_every_role_label_is_marked_for_translation():
    assert sorted(ROLE_LABEL_MESSAGES) == sorted(ROLE_LABELS.values())


def test_a_cached_public_page_is_not_served_in_the_language_it_was_first_read_in(db, client):
    english = client.get("/scorecard/", headers=ENGLISH)
    etag = english.headers["ETag"]

    spanish = client.get("/scorecard/", headers={**SPANISH, "If-None-Match": etag})

    assert spanish.status_code == 200 and html_lang(spanish) == "es"
    assert spanish.headers["ETag"] != etag
    assert "Accept-Language" in english.headers["Vary"]
    same = client.get("/scorecard/", headers={**ENGLISH, "If-None-Match": etag})
    assert same.status_code == 304


def test_signing_in_and_out_keeps_the_persons_language(db, client):
    person = factories.user("founder", name="Luis", preferred_language="es")
    db.session.commit()

    signed_in = client.post(
        "/auth/login",
        data={"email": person.email, "password": PASSWORD},
        headers=ENGLISH,
        follow_redirects=True,
    )
    assert "Bienvenido(a), Luis." in page(signed_in)

    signed_out = client.post("/auth/logout", headers=ENGLISH, follow_redirects=True)

    assert html_lang(signed_out) == "es"
    assert "Cerró su sesión." in page(signed_out)


def test_the_sign_in_and_profile_pages_refusals_are_in_spanish(db, client):
    person = factories.user("mentor", name="Rosa", preferred_language="es")
    db.session.commit()

    wrong = client.post(
        "/auth/login", data={"email": person.email, "password": "not it"}, headers=SPANISH
    )
    assert "no coinciden con ninguna cuenta" in page(wrong)
    client.post("/auth/login", data={"email": person.email, "password": PASSWORD})
    blank = client.post("/auth/profile", data={"name": "  ", "time_zone": "UTC"})

    assert "Se necesita un nombre." in page(blank)
    assert reloaded(person).name == "Rosa"


def test_a_templates_words_follow_a_language_forced_in_the_middle_of_a_request(app):
    """The templates find the catalogue once per request and language (i18n.register), and
    find it again when the language changes, as a mail in its recipient's language does."""
    with app.test_request_context("/", headers=SPANISH):
        said = "{{ _('Filter') }} {{ ngettext('%(num)d day ago', '%(num)d days ago', 2) }}"
        before = render_template_string(said)
        with force_locale("en"):
            forced = render_template_string(said)
        after = render_template_string(said)

    assert before == after == "Filtrar hace 2 días"
    assert forced == "Filter 2 days ago"
