"""Mentor profiles, and founders browsing mentors by expertise, language and free time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.extensions import db
from incubator.models import AuditEvent, MentorProfile, Slot, User, utcnow
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.mentoring import profiles, times
from tests import factories
from tests.helpers import count, location, page
from tests.plugins.mentoring import ahead

LA = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
# A Wednesday noon in Los Angeles; its week runs from Monday Nov 30 to Sunday Dec 6, 2026.
WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=LA).astimezone(UTC)


def profile_input(**fields) -> profiles.ProfileInput:
    data = profiles.ProfileInput(
        bio="I ran procurement for the city for ten years.",
        organisation="City of Los Angeles",
        expertise=["Procurement", "Pilots"],
        challenge_areas=["Water and drought"],
        languages=["English", "Spanish"],
        capacity=4,
        meeting_link="https://meet.example.org/ana",
        meeting_place="City Hall, room 301",
        accepting=True,
    )
    return replace(data, **fields)


def profile_form(**fields) -> dict[str, object]:
    data = {
        "bio": "I ran procurement for the city for ten years.",
        "organisation": "City of Los Angeles",
        "expertise": "Procurement, pilots",
        "challenge_areas": ["Water and drought"],
        "languages": ["English", "Korean"],
        "time_zone": "America/Los_Angeles",
        "capacity": "4",
        "meeting_link": "https://meet.example.org/ana",
        "meeting_place": "",
        "accepting": "y",
        # The version the form carries for a mentor who has not saved a profile yet.
        "version": "0",
    }
    return {**data, **fields}


def stored_profile(db, user_id: int) -> dict[str, object] | None:
    db.session.flush()
    db.session.expire_all()
    profile = db.session.get(MentorProfile, user_id)
    if profile is None:
        return None
    user = db.session.get(User, user_id)
    return {**profiles._profile_state(profile, user.time_zone), "bio": profile.bio}


# Profiles: the service ----------------------------------------------------------------------


def test_mentor_saves_a_profile_with_tags_cleaned(db, audit_events):
    mentor = factories.user("mentor")

    saved = profiles.save_profile(
        mentor,
        profile_input(
            expertise=["  Fundraising ", "fundraising", "Product   design", "", "FUNDRAISING"],
            languages=["Spanish", "English", "Spanish"],
            time_zone="America/New_York",
        ),
        by=mentor,
    )
    db.session.commit()

    assert profiles.get_profile(mentor) is saved
    stored = stored_profile(db, mentor.id)
    assert stored["expertise"] == ["Fundraising", "Product design"]
    assert stored["languages"] == ["Spanish", "English"]
    assert stored["capacity"] == 4
    assert stored["meeting_link"] == "https://meet.example.org/ana"
    assert stored["time_zone"] == "America/New_York"
    [event] = audit_events("mentor_profile.saved")
    assert (event.actor_id, event.object_id, event.before) == (mentor.id, str(mentor.id), None)
    assert event.after["expertise"] == ["Fundraising", "Product design"]


def test_saving_again_updates_the_profile_and_audits_before_and_after(db, audit_events):
    mentor = factories.user("mentor")
    profiles.save_profile(mentor, profile_input(), by=mentor)

    profiles.save_profile(mentor, profile_input(capacity=0, meeting_link=""), by=mentor)
    db.session.commit()

    stored = stored_profile(db, mentor.id)
    assert (stored["capacity"], stored["meeting_link"]) == (0, None)
    second = audit_events("mentor_profile.saved")[-1]
    assert (second.before["capacity"], second.after["capacity"]) == (4, 0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"meeting_link": "ftp://files.example.org/me"}, "must be a web address"),
        ({"meeting_link": "javascript:alert(1)"}, "must be a web address"),
        ({"meeting_link": "meet.example.org/ana"}, "must be a web address"),
        ({"meeting_link": "https://"}, "must be a web address"),
        ({"capacity": -1}, "from 0 to 50"),
        ({"capacity": 51}, "from 0 to 50"),
        ({"capacity": "abc"}, "whole number"),
        ({"capacity": 2.5}, "whole number"),
        ({"languages": ["English", "Klingon"]}, "Unknown language: Klingon"),
        ({"challenge_areas": ["Space travel"]}, "Unknown challenge area: Space travel"),
        ({"expertise": [f"Tag {n}" for n in range(21)]}, "at most 20 areas"),
        ({"expertise": ["x" * 41]}, "at most 40 characters"),
        ({"time_zone": "Mars/Olympus_Mons"}, "not a time zone"),
        ({"bio": "x" * 5001}, "limited to 5,000 characters"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(db, fields, message):
    mentor = factories.user("mentor")
    profiles.save_profile(mentor, profile_input(), by=mentor)
    db.session.commit()
    before, events = stored_profile(db, mentor.id), count(AuditEvent)

    with pytest.raises(InvalidInput, match=message):
        profiles.save_profile(mentor, profile_input(**fields), by=mentor)
    db.session.rollback()

    assert stored_profile(db, mentor.id) == before
    assert count(AuditEvent) == events


def test_twenty_tags_of_forty_characters_are_accepted(db):
    mentor = factories.user("mentor")
    tags = [f"{n:02d}" + "x" * 38 for n in range(20)]

    profiles.save_profile(mentor, profile_input(expertise=tags), by=mentor)

    assert stored_profile(db, mentor.id)["expertise"] == tags


def test_only_mentors_have_a_profile_and_only_their_own(db):
    founder = factories.user("founder")
    mentor = factories.user("mentor")

    with pytest.raises(NotAllowed, match="Only mentors"):
        profiles.save_profile(founder, profile_input(), by=founder)
    with pytest.raises(NotAllowed, match="their own profile"):
        profiles.save_profile(mentor, profile_input(), by=founder)

    assert stored_profile(db, mentor.id) is None


# Profiles: the page ---------------------------------------------------------------------------


def test_mentor_fills_in_the_profile_form(db, client, login_as, audit_events):
    mentor = login_as("mentor")

    form = client.get("/mentoring/profile")
    response = client.post(
        "/mentoring/profile", data=profile_form(time_zone="America/Chicago", accepting="")
    )

    assert form.status_code == 200
    assert "Your mentor profile" in page(form)
    assert response.status_code == 302
    assert location(response) == "/mentoring/profile"
    stored = stored_profile(db, mentor.id)
    assert stored["expertise"] == ["Procurement", "pilots"]
    assert stored["languages"] == ["English", "Korean"]
    assert (stored["capacity"], stored["accepting"]) == (4, False)
    assert stored["time_zone"] == "America/Chicago"
    again = page(client.get("/mentoring/profile"))
    assert 'value="Procurement, pilots"' in again
    assert '<option selected value="America/Chicago">' in again
    assert "Your mentor profile is saved." in again
    assert len(audit_events("mentor_profile.saved")) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"meeting_link": "ftp://files.example.org"}, "must be a web address starting with"),
        ({"capacity": "-1"}, "Enter a whole number of ventures from 0 to 50."),
        ({"capacity": "abc"}, "Not a valid integer value."),
        ({"capacity": ""}, "Enter a whole number of ventures from 0 to 50."),
        ({"languages": ["Klingon"]}, "'Klingon' is not a valid choice"),
        ({"expertise": ",".join(f"Tag {n}" for n in range(25))}, "at most 20 areas"),
    ],
)
def test_profile_form_refuses_bad_input_and_saves_nothing(db, client, login_as, fields, message):
    mentor = login_as("mentor")
    events = count(AuditEvent)

    response = client.post("/mentoring/profile", data=profile_form(**fields))

    assert response.status_code == 200
    assert message in page(response)
    assert stored_profile(db, mentor.id) is None
    assert count(AuditEvent) == events


# Browsing mentors ---------------------------------------------------------------------------


@pytest.fixture
def mentors(db):
    """Ana (free this week), Bo (booked this week, free next week), Cy (no profile),
    and people who are not mentors to browse: an inactive mentor and a founder."""
    ana = factories.mentor(
        "Ana Alvarez", expertise=["Fundraising", "Data science"], languages=["English", "Spanish"]
    )
    bo = factories.mentor("Bo Kim", expertise=["Procurement"], languages=["Korean", "English"])
    cy = factories.user("mentor", name="Cy Young")
    gone = factories.mentor("Dee Gone", expertise=["Fundraising"])
    gone.active = False
    factories.user("founder", name="Ed Founder")
    thursday = datetime(2026, 12, 3, 15, 0, tzinfo=LA)
    factories.mentor_slot(ana, thursday)
    factories.mentor_slot(ana, thursday - timedelta(days=2))  # earlier this week: passed
    factories.mentor_slot(gone, thursday)
    factories.booking_row(factories.mentor_slot(bo, thursday))
    factories.mentor_slot(bo, thursday + timedelta(days=7))
    factories.mentor_slot(cy, thursday, status="withdrawn")
    db.session.commit()
    return ana, bo, cy


def later_this_week(zone: ZoneInfo = LA) -> datetime:
    """A moment between now and the end of the current week in a zone, on the half minute:
    never the start of an hour, where the fixture's own slots begin and end."""
    now = utcnow()
    moment = now + (times.week_bounds(now, zone)[1] - now) / 2
    return moment.replace(second=30, microsecond=0)


def free_minute_this_week(mentor, zone: ZoneInfo = LA) -> datetime:
    """A minute later this week that none of the mentor's slots overlaps (the fixture's slots
    are on fixed days, the week is the real one)."""
    moment = later_this_week(zone)
    slots = db.session.scalars(select(Slot).where(Slot.mentor_id == mentor.id))
    for slot in sorted(slots, key=lambda slot: slot.starts_at):
        if slot.starts_at - timedelta(minutes=1) < moment < slot.ends_at:
            earlier = slot.starts_at - timedelta(minutes=2)
            moment = earlier if earlier > utcnow() else slot.ends_at + timedelta(minutes=1)
    return moment


def names(pagination) -> list[str]:
    return [card.mentor.name for card in pagination.items]


def browse(**filters):
    return profiles.browse_mentors(now=WEDNESDAY, zone=LA, **filters)


def test_browse_lists_active_mentors_with_their_next_free_time(mentors):
    listed = browse()

    assert names(listed) == ["Ana Alvarez", "Bo Kim", "Cy Young"]
    thursday = datetime(2026, 12, 3, 15, 0, tzinfo=LA)
    assert [card.next_free for card in listed.items] == [
        thursday,
        thursday + timedelta(days=7),  # Bo's Thursday this week is booked
        None,  # Cy's only slot is withdrawn
    ]
    assert [card.next_free_text for card in listed.items] == [
        "Thu Dec 3, 3:00 PM PST",
        "Thu Dec 10, 3:00 PM PST",
        "",
    ]
    assert listed.items[0].profile.organisation == "LA Department of Water and Power"
    assert listed.items[2].profile is None
    assert listed.total == 3


def test_browse_counts_the_active_mentors_on_every_page_and_past_the_end(mentors, count_queries):
    """Unfiltered, the count comes with the page's rows (one query): mentor roles less those
    of deactivated people; a page past the end counts alone."""
    with count_queries() as counted:
        second = browse(page=2, per_page=2)
    beyond = browse(page=9, per_page=2)

    assert (names(second), second.total, counted.count) == (["Cy Young"], 3, 2)
    assert (names(beyond), beyond.total) == ([], 3)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"expertise": "data"}, ["Ana Alvarez"]),
        ({"expertise": "  PROCURE "}, ["Bo Kim"]),
        ({"expertise": "fund"}, ["Ana Alvarez"]),
        ({"expertise": "%"}, []),
        ({"expertise": "_"}, []),
        ({"language": "Korean"}, ["Bo Kim"]),
        ({"language": "English"}, ["Ana Alvarez", "Bo Kim"]),
        ({"language": "Kor"}, []),
        ({"free_soon": True}, ["Ana Alvarez"]),
        ({"expertise": "procurement", "free_soon": True}, []),
        ({"language": "Spanish", "free_soon": True}, ["Ana Alvarez"]),
    ],
)
def test_browse_filters_by_expertise_language_and_free_time(mentors, filters, expected):
    assert names(browse(**filters)) == expected


# Sunday December 6, 2026, 11:30 PM in Los Angeles: the week's last half hour there.
SUNDAY_EVENING = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)


def test_on_a_sunday_evening_a_card_shows_tuesdays_free_time(db):
    tuesday = factories.mentor("Tia Tuesday")
    nothing = factories.mentor("Ned None")
    factories.mentor_slot(tuesday, datetime(2026, 12, 8, 10, 0, tzinfo=LA))
    factories.mentor_slot(tuesday, datetime(2026, 12, 15, 10, 0, tzinfo=LA))
    factories.mentor_slot(nothing, datetime(2026, 12, 6, 15, 0, tzinfo=LA))  # passed
    factories.mentor_slot(nothing, datetime(2026, 12, 8, 10, 0, tzinfo=LA), status="withdrawn")
    factories.booking_row(factories.mentor_slot(nothing, datetime(2026, 12, 9, 9, 0, tzinfo=LA)))
    db.session.commit()

    in_la = profiles.browse_mentors(now=SUNDAY_EVENING, zone=LA)
    in_new_york = profiles.browse_mentors(now=SUNDAY_EVENING, zone=NEW_YORK)
    soon = profiles.browse_mentors(now=SUNDAY_EVENING, zone=LA, free_soon=True)

    assert [(c.mentor.name, c.next_free_text) for c in in_la.items] == [
        ("Ned None", ""),
        ("Tia Tuesday", "Tue Dec 8, 10:00 AM PST"),
    ]
    assert in_new_york.items[1].next_free_text == "Tue Dec 8, 1:00 PM EST"
    assert names(soon) == ["Tia Tuesday"]


def test_a_next_free_time_in_another_year_shows_the_year(db):
    mentor = factories.mentor("Yan Year")
    factories.mentor_slot(mentor, datetime(2027, 1, 5, 9, 0, tzinfo=LA))
    db.session.commit()

    listed = profiles.browse_mentors(now=SUNDAY_EVENING, zone=LA)

    assert listed.items[0].next_free_text == "Tue Jan 5, 2027, 9:00 AM PST"


def test_a_slot_inside_the_booking_notice_is_not_the_next_free_time(app, db):
    mentor = factories.mentor("Nia Notice")
    notice = timedelta(minutes=app.config["BOOKING_MIN_NOTICE_MINUTES"])
    factories.mentor_slot(mentor, SUNDAY_EVENING + notice - timedelta(minutes=5))
    later = factories.mentor_slot(mentor, SUNDAY_EVENING + notice + timedelta(hours=2))
    db.session.commit()

    listed = profiles.browse_mentors(now=SUNDAY_EVENING, zone=LA)

    assert listed.items[0].next_free == later.starts_at


def test_cards_on_the_page_say_when_each_mentor_is_next_free(db, client, login_as):
    viewer = login_as("founder", time_zone="America/New_York")
    free = factories.mentor("Ana Alvarez")
    factories.mentor("Cy Young")
    starts_at = ahead(40, hour=10)
    factories.mentor_slot(free, starts_at)
    db.session.commit()

    body = page(client.get("/mentoring/mentors"))

    expected = times.moment_text(starts_at, NEW_YORK, utcnow())
    assert viewer.time_zone == "America/New_York"
    link = f'<a href="/mentoring/mentors/{free.id}"><time datetime="{starts_at.isoformat()}">'
    assert link in body
    assert f"{expected}</time>" in body
    assert body.count("No free time published") == 1
    assert "No free slots this week" not in body


def test_browse_pages_through_mentors(db):
    for number in range(5):
        factories.mentor(f"Mentor {number}")
    db.session.commit()

    first = profiles.browse_mentors(page=1, per_page=2)
    last = profiles.browse_mentors(page=3, per_page=2)

    assert names(first) == ["Mentor 0", "Mentor 1"]
    assert names(last) == ["Mentor 4"]
    assert (first.total, first.pages, last.has_next) == (5, 3, False)


def test_founder_filters_mentors_on_the_page(db, client, login_as, mentors):
    login_as("founder")
    factories.mentor_slot(mentors[1], free_minute_this_week(mentors[1]), minutes=1)
    db.session.commit()

    everyone = page(client.get("/mentoring/mentors"))
    spanish = page(client.get("/mentoring/mentors?language=Spanish"))
    procurement = page(client.get("/mentoring/mentors?expertise=procure&available=y"))
    nobody = page(client.get("/mentoring/mentors?expertise=astronomy"))

    assert all(name in everyone for name in ("Ana Alvarez", "Bo Kim", "Cy Young"))
    assert "Dee Gone" not in everyone and "Ed Founder" not in everyone
    assert "Ana Alvarez" in spanish and "Bo Kim" not in spanish
    assert "Bo Kim" in procurement and "Ana Alvarez" not in procurement
    assert "Next free:" in procurement
    assert "No mentors match" in nobody


def test_browse_page_without_mentors_says_what_happens_next(client, login_as):
    login_as("manager")

    response = client.get("/mentoring/mentors")

    assert response.status_code == 200
    assert "No mentors yet" in page(response)


def test_browsing_takes_the_same_queries_for_3_and_30_mentors(
    db, client, login_as, count_queries, page_queries
):
    login_as("founder")
    soon = later_this_week()

    def add_mentors(count: int) -> None:
        for _ in range(count):
            mentor = factories.mentor(languages=["English", "Spanish"])
            factories.mentor_slot(mentor, soon, minutes=5)
            taken = factories.mentor_slot(mentor, soon + timedelta(minutes=5), minutes=5)
            factories.booking_row(taken)
        db.session.commit()

    browsing = ["/mentoring/mentors?language=English&available=y&expertise=proc"]
    add_mentors(3)
    page_queries(browsing)  # warm up
    few = page_queries(browsing)
    add_mentors(27)
    many = page_queries(browsing)

    assert many == few
    with count_queries() as counter:
        listed = browse(language="English", expertise="proc", per_page=50)
    assert len(listed.items) == 30
    assert all(card.next_free == soon for card in listed.items)
    assert counter.count == 3  # the count, the page, the mentors' roles


# A mentor's page --------------------------------------------------------------------------------


def test_founder_sees_a_mentors_profile_and_all_future_free_slots(db, client, login_as):
    login_as("founder", time_zone="America/Los_Angeles")
    mentor = factories.mentor("Ana Alvarez", expertise=["Fundraising"], languages=["Spanish"])
    day = (utcnow() + timedelta(days=2)).astimezone(LA).date()
    free = factories.mentor_slot(mentor, datetime.combine(day, time(10), LA))
    booked = factories.mentor_slot(mentor, free.starts_at + timedelta(hours=2))
    factories.booking_row(booked)
    withdrawn = factories.mentor_slot(
        mentor, free.starts_at + timedelta(hours=4), status="withdrawn"
    )
    passed = factories.mentor_slot(mentor, utcnow() - timedelta(hours=2))
    months_ahead = factories.mentor_slot(mentor, ahead(100))
    db.session.commit()

    response = client.get(f"/mentoring/mentors/{mentor.id}")

    body = page(response)
    assert response.status_code == 200
    assert "Ana Alvarez" in body and "Fundraising" in body and "Spanish" in body
    assert day.strftime("%A, %b %-d") in body
    for bookable in (free, months_ahead):
        assert f'href="/mentoring/slots/{bookable.id}/book"' in body
    for hidden in (booked, withdrawn, passed):
        assert f"/mentoring/slots/{hidden.id}/book" not in body


def test_manager_sees_free_slots_without_booking_links(db, client, login_as):
    login_as("manager")
    mentor = factories.mentor()
    slot = factories.mentor_slot(mentor, utcnow() + timedelta(days=1))
    db.session.commit()

    body = page(client.get(f"/mentoring/mentors/{mentor.id}"))

    assert "Free times" in body
    assert f"/mentoring/slots/{slot.id}/book" not in body


def test_mentor_without_free_slots_shows_an_empty_state(db, client, login_as):
    login_as("founder")
    mentor = factories.user("mentor", name="Cy Young")
    db.session.commit()

    body = page(client.get(f"/mentoring/mentors/{mentor.id}"))

    assert "has not written a profile yet" in body
    assert "No free time published" in body


def test_a_mentors_page_lists_every_future_free_time_page_by_page(db, client, login_as):
    login_as("founder", time_zone="America/Los_Angeles")
    mentor = factories.mentor("Ana Alvarez")
    weekly = [factories.mentor_slot(mentor, ahead(7 * week + 1)) for week in range(32)]
    db.session.commit()

    first = page(client.get(f"/mentoring/mentors/{mentor.id}"))
    second = page(client.get(f"/mentoring/mentors/{mentor.id}?page=2"))

    on_first = [s for s in weekly if f"/mentoring/slots/{s.id}/book" in first]
    on_second = [s for s in weekly if f"/mentoring/slots/{s.id}/book" in second]
    assert on_first == weekly[:30]
    assert on_second == weekly[30:]
    assert "32 in all, page 1 of 2" in first
    assert f'href="/mentoring/mentors/{mentor.id}?page=2">Next' in first
    # The last one is 218 days ahead: the date says its year when that is another year.
    last_day = weekly[-1].starts_at.astimezone(LA).date()
    year = f", {last_day.year}" if last_day.year != clock.today(LA).year else ""
    assert f"{last_day:%A, %b %-d}{year}</h3>" in second


def test_a_mentors_page_takes_the_same_queries_for_3_and_60_free_times(
    db, client, login_as, page_queries
):
    login_as("founder")
    mentor = factories.mentor("Ana Alvarez")
    db.session.commit()
    path = [f"/mentoring/mentors/{mentor.id}"]

    def add(number: int, start: int) -> None:
        for week in range(start, start + number):
            factories.mentor_slot(mentor, ahead(7 * week + 1))
        db.session.commit()

    add(3, 0)
    page_queries(path)  # warm up
    few = page_queries(path)
    add(57, 3)
    many = page_queries(path)

    assert many == few


@pytest.mark.parametrize("kind", ["founder", "inactive mentor", "missing"])
def test_a_mentor_page_for_someone_who_is_not_a_mentor_is_not_found(db, client, login_as, kind):
    login_as("founder")
    if kind == "missing":
        user_id = 999_999
    else:
        person = factories.user("founder" if kind == "founder" else "mentor")
        person.active = kind == "founder"
        db.session.commit()
        user_id = person.id

    assert client.get(f"/mentoring/mentors/{user_id}").status_code == 404


# Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["funder", "judge", "partner", "mentor"])
def test_only_founders_and_managers_browse_mentors(db, client, login_as, role):
    login_as(role)
    mentor = factories.mentor()
    db.session.commit()

    assert client.get("/mentoring/mentors").status_code == 403
    assert client.get(f"/mentoring/mentors/{mentor.id}").status_code == 403


@pytest.mark.parametrize("role", ["founder", "manager", "funder"])
def test_only_mentors_edit_a_mentor_profile(db, client, login_as, role):
    login_as(role)

    assert client.get("/mentoring/profile").status_code == 403
    assert client.post("/mentoring/profile", data=profile_form()).status_code == 403
    assert count(MentorProfile) == 0


def test_navigation_shows_mentors_to_founders_and_availability_to_mentors(db, client, login_as):
    login_as("founder")
    founder_home = page(client.get("/"))
    mentor_client = client.application.test_client()
    login_as("mentor", on=mentor_client)
    mentor_home = page(mentor_client.get("/"))

    assert 'href="/mentoring/mentors"' in founder_home
    assert 'href="/mentoring/availability"' not in founder_home
    assert 'href="/mentoring/availability"' in mentor_home
    assert 'href="/mentoring/mentors"' not in mentor_home
