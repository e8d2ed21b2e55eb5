"""Mentoring in Spanish: the session, availability and mentor pages, their refusals and flash
messages, plurals, days and times in the page's language, and calendar files in the language
of the person they are for."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from flask_babel import refresh
from icalendar import Calendar

from incubator import clock
from incubator.services.errors import InvalidInput
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import calendars, times
from tests import factories
from tests.helpers import page, reloaded
from tests.plugins.mentoring import LA, ahead

SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def upcoming(db, maya, leakmap, ana, bo):
    """Ana booked Maya's hour three days from now for LeakMap."""
    slot = factories.mentor_slot(maya, ahead(3))
    return factories.session_booking(slot, leakmap, ana, now=clock.now())


def summary_and_description(text: str) -> tuple[str, str]:
    [event] = Calendar.from_ical(text).walk("VEVENT")
    return str(event["SUMMARY"]), str(event["DESCRIPTION"])


def test_the_session_page_reads_in_spanish(db, client_for, upcoming, ana):
    ana.preferred_language = "es"
    text = page(client_for(ana).get(f"/mentoring/sessions/{upcoming.id}", headers=ENGLISH))

    assert "LeakMap con Maya Patel" in text
    assert "Temas a tratar" in text and "Agregar a su calendario (.ics)" in text
    assert ">Reservada</span>" in text
    assert "Cancelar esta sesión…" in text and "Todas sus sesiones" in text
    # The day and time in Spanish words and order ("jue, 8 de oct …, 10:00 a.m.").
    assert "10:00 a.m." in text and " de " in text
    assert "Add to your calendar" not in text and "Agenda" not in text


def test_the_same_page_stays_english_for_an_english_reader(db, client_for, upcoming, ana):
    text = page(client_for(ana).get(f"/mentoring/sessions/{upcoming.id}", headers=ENGLISH))

    assert "Add to your calendar (.ics)" in text and ">Booked</span>" in text
    assert "10:00 AM" in text


def test_a_booking_refusal_and_a_flash_message_are_in_spanish(
    db, app, client_for, maya, leakmap, ana
):
    slot = factories.mentor_slot(maya, ahead(4))
    db.session.commit()
    with app.test_request_context(headers=SPANISH):
        refresh()
        with pytest.raises(InvalidInput, match="Escriba brevemente los temas a tratar"):
            booking_service.book(slot, leakmap, "   ", by=ana, now=clock.now())

    client = client_for(ana)
    booked = client.post(
        f"/mentoring/slots/{slot.id}/book",
        data={"venture_id": leakmap.id, "agenda": "Piloto con la ciudad"},
        headers=SPANISH,
        follow_redirects=True,
    )

    assert "Se reservó la sesión. Ambas partes tienen los detalles" in page(booked)


def test_what_happened_to_a_session_is_said_in_spanish(db, app, upcoming, ana, maya):
    booking_service.cancel(upcoming, "Viaje de trabajo", by=maya, now=clock.now())

    with app.test_request_context(headers=SPANISH):
        refresh()
        said = booking_service.what_happened(reloaded(upcoming), ana)

    assert said == "Esta sesión ya fue cancelada por Maya Patel (Viaje de trabajo)."


def test_a_mentor_publishing_a_slot_is_told_in_spanish(db, client_for, maya):
    maya.preferred_language = "es"
    day = clock.today() + timedelta(days=5)
    response = client_for(maya).post(
        "/mentoring/availability",
        data={
            "date": day.isoformat(),
            "time": "10:00",
            "minutes": "30",
            "location": "",
            "note": "",
        },
        follow_redirects=True,
    )

    text = page(response)
    assert "Se publicó el horario:" in text and "10:00 a.m." in text
    assert "Su disponibilidad" in text and "Próximos horarios" in text


@pytest.mark.parametrize(
    ("headers", "one", "two"),
    [(ENGLISH, "1 mentor<", "2 mentors<"), (SPANISH, "1 mentor(a)<", "2 mentores<")],
)
def test_the_mentor_count_has_its_plural_in_both_languages(
    db, client_for, founder, maya, headers, one, two
):
    client = client_for(founder)
    alone = page(client.get("/mentoring/mentors", headers=headers))
    factories.user("mentor", name="Omar Haddad", email="omar@example.org")
    db.session.commit()

    both = page(client.get("/mentoring/mentors", headers=headers))

    assert one in alone and two not in alone
    assert two in both


def test_days_and_times_follow_the_language_and_keep_the_english_wording(app):
    moment = datetime(2026, 3, 2, 9, 5, tzinfo=LA)
    with app.test_request_context(headers=ENGLISH):
        refresh()
        english = (
            times.local_text(moment, "%a %b %-d, %Y, %-I:%M %p %Z"),
            times.local_text(date(2026, 3, 2), "%A %B %-d, %Y"),
            times.clock_text(time(15, 0)),
            times.wall_text(moment.replace(tzinfo=None)),
        )
    with app.test_request_context(headers=SPANISH):
        refresh()
        spanish = (
            times.local_text(moment, "%a %b %-d, %Y, %-I:%M %p %Z"),
            times.local_text(date(2026, 3, 2), "%A %B %-d, %Y"),
            times.clock_text(time(15, 0)),
            times.wall_text(moment.replace(tzinfo=None)),
        )

    assert english == (
        "Mon Mar 2, 2026, 9:05 AM PST",
        "Monday March 2, 2026",
        "3:00 PM",
        "9:05 AM on Mon Mar 2, 2026",
    )
    assert spanish == (
        "lun, 2 de mar de 2026, 9:05 a.m. PST",
        "lunes, 2 de marzo de 2026",
        "3:00 p.m.",
        "lun, 2 de mar de 2026 a las 9:05 a.m.",
    )


def test_a_downloaded_calendar_file_is_in_the_downloaders_language(db, client_for, upcoming, ana):
    response = client_for(ana).get(f"/mentoring/sessions/{upcoming.id}.ics", headers=SPANISH)

    summary, description = summary_and_description(response.get_data(as_text=True))
    assert summary == "Sesión de mentoría: LeakMap con Maya Patel"
    assert description.startswith("Temas a tratar: Pilot plan with the city")
    assert "Detalles: http" in description


def test_a_mailed_calendar_file_follows_the_locale_it_is_given(db, app, upcoming):
    with app.test_request_context(headers=ENGLISH):
        refresh()
        spanish = calendars.booking_ics(upcoming, locale="es")
        english = calendars.booking_ics(upcoming)

    assert summary_and_description(spanish)[0].startswith("Sesión de mentoría:")
    assert summary_and_description(english)[0] == "Mentor session: LeakMap with Maya Patel"


def test_the_feed_is_in_its_owners_saved_language(db, app, upcoming, ana):
    ana.preferred_language = "es"
    token = calendars.create_feed(ana)
    db.session.commit()

    feed = app.test_client().get(f"/mentoring/calendar/{token}.ics", headers=ENGLISH)

    calendar = Calendar.from_ical(feed.get_data(as_text=True))
    assert str(calendar["X-WR-CALNAME"]) == "Sesiones de Accelerate: LA (Ana Lopez)"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Sesión de mentoría:")


def test_an_office_hours_day_is_planned_and_shown_in_spanish(db, client, login_as):
    manager = login_as("manager", preferred_language="es")
    cohort = factories.cohort(by=manager)
    ventures = [factories.venture(cohort, f"Equipo {n}") for n in "AB"]
    for venture in ventures:
        factories.founder_of(venture)
    mentors = [factories.user("mentor", name=f"Guía {n}") for n in "PQ"]
    day = clock.today() + timedelta(days=14)

    refused = page(
        client.post(
            f"/mentoring/office-hours/new?cohort_id={cohort.id}",
            data={
                "day": day.isoformat(),
                "time_zone": "America/Los_Angeles",
                "meeting_minutes": "20",
                "default_windows": "de nueve a doce",
                "mentors": [str(m.id) for m in mentors],
                "ventures": [str(v.id) for v in ventures],
            },
        )
    )
    assert "“de nueve a doce” no es un rango de horas como 09:00-12:00." in refused
    planned = client.post(
        f"/mentoring/office-hours/new?cohort_id={cohort.id}",
        data={
            "day": day.isoformat(),
            "time_zone": "America/Los_Angeles",
            "meeting_minutes": "20",
            "default_windows": "09:00-10:00",
            "default_breaks": "09:20-09:40",
            "mentors": [str(m.id) for m in mentors],
            "ventures": [str(v.id) for v in ventures],
        },
        follow_redirects=True,
    )

    grid = page(planned)
    assert "Día planificado. Revise el plan y luego publíquelo como reservas." in grid
    assert "Horas de consulta, " in grid and "reuniones de 20 minutos" in grid
    assert "2 mentores, 2 emprendimientos, 3 rondas." in grid
    assert ">descanso<" in grid and "9:00 a.m." in grid
    assert "Publicar como reservas" in grid
