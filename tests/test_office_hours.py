"""Office-hours days: the day's set-up, planning around other commitments, publishing as
bookings, rankings afterwards, and the pages. The planner alone is in
test_office_hours_planner.py."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.extensions import db as _db
from incubator.models import (
    AuditEvent,
    Booking,
    OfficeHoursDay,
    OfficeHoursRanking,
    Slot,
    User,
    VentureMember,
)
from incubator.services.errors import Conflict, InvalidInput, NotAllowed
from incubator.services.mentoring import office_hours, rankings
from tests import factories
from tests.helpers import count, page, reloaded

THE_DAY = date(2031, 3, 12)
BEFORE = date(2031, 3, 1)


# Setting a day up --------------------------------------------------------------------------------


@pytest.fixture
def setting(db, manager, cohort):
    """The manager, a cohort with three ventures (each with a founder), three mentors."""
    ventures = [factories.venture(cohort, f"Venture {n}") for n in "ABC"]
    founders = [factories.founder_of(v) for v in ventures]
    mentors = [factories.user("mentor", name=f"Mentor {n}") for n in "XYZ"]
    db.session.commit()
    return type(
        "Setting",
        (),
        {
            "manager": manager,
            "cohort": cohort,
            "ventures": ventures,
            "founders": founders,
            "mentors": mentors,
        },
    )


def day_of(setting, **fields) -> OfficeHoursDay:
    fields.setdefault("day", THE_DAY)
    fields.setdefault("today", BEFORE)
    return factories.office_hours_day(
        setting.cohort, setting.mentors, setting.ventures, by=setting.manager, **fields
    )


def test_a_day_stores_its_hours_and_plans_in_utc_from_local_times(db, setting):
    day = day_of(setting, breaks=[(time(10), time(10, 20))])

    assert day.status == "draft"
    assert day.settings["mentors"][0]["windows"] == [["09:00", "11:00"]]
    meetings = office_hours.planned_meetings(day)
    # 9:00-11:00 in Los Angeles in March 2031 (daylight time) is 16:00-18:00 UTC.
    utc_starts = [
        datetime(2031, 3, 12, 16, tzinfo=UTC) + timedelta(minutes=20 * n) for n in range(6)
    ]
    del utc_starts[3]  # 10:00, the break
    assert {m.starts_at for m in meetings} <= set(utc_starts)
    assert office_hours.schedule(day).labels == [
        "9:00 AM",
        "9:20 AM",
        "9:40 AM",
        "10:00 AM",
        "10:20 AM",
        "10:40 AM",
    ]
    # Three ventures, three mentors, five rounds: everyone meets every mentor.
    assert Counter(m.venture_id for m in meetings) == {v.id: 3 for v in setting.ventures}
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][
        -2:
    ] == [
        "office_hours.created",
        "office_hours.planned",
    ]


def _one(setting, **changes):
    values = {
        "cohort": setting.cohort,
        "day": THE_DAY,
        "time_zone": "America/Los_Angeles",
        "meeting_minutes": 20,
        "location": "City Hall",
        "mentors": [office_hours.MentorHours(m, [(time(9), time(11))]) for m in setting.mentors],
        "venture_ids": [v.id for v in setting.ventures],
    }
    values.update(changes)
    return values


INVALID = {
    "past": (lambda s: {"day": BEFORE - timedelta(days=1)}, "has passed"),
    "too short": (lambda s: {"meeting_minutes": 4}, "from 5 to 120 minutes"),
    "too long": (lambda s: {"meeting_minutes": 121}, "from 5 to 120 minutes"),
    "unknown zone": (lambda s: {"time_zone": "Mars/Olympus"}, "not a time zone"),
    "no mentors": (lambda s: {"mentors": []}, "at least one mentor"),
    "no ventures": (lambda s: {"venture_ids": []}, "at least one venture"),
    "not a mentor": (
        lambda s: {"mentors": [office_hours.MentorHours(s.manager, [(time(9), time(11))])]},
        "is not a mentor",
    ),
    "reversed window": (
        lambda s: {"mentors": [office_hours.MentorHours(s.mentors[0], [(time(12), time(9))])]},
        "ends before it starts",
    ),
    "overlapping windows": (
        lambda s: {
            "mentors": [
                office_hours.MentorHours(s.mentors[0], [(time(9), time(11)), (time(10), time(12))])
            ]
        },
        "overlap",
    ),
    "no window": (
        lambda s: {"mentors": [office_hours.MentorHours(s.mentors[0], [])]},
        "at least one window",
    ),
    "window shorter than a meeting": (
        lambda s: {"mentors": [office_hours.MentorHours(s.mentors[0], [(time(9), time(9, 10))])]},
        "no whole 20-minute meeting",
    ),
    "break over the whole window": (
        lambda s: {
            "mentors": [
                office_hours.MentorHours(s.mentors[0], [(time(9), time(10))], [(time(9), time(10))])
            ]
        },
        "no whole 20-minute meeting",
    ),
    "a mentor twice": (
        lambda s: {"mentors": [office_hours.MentorHours(s.mentors[0], [(time(9), time(11))])] * 2},
        "listed twice",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_days_are_refused_with_a_message_and_nothing_written(db, setting, case):
    changes, message = INVALID[case]
    events = count(AuditEvent)

    with pytest.raises(InvalidInput, match=message):
        office_hours.create_day(
            **_one(setting, **changes(setting)), by=setting.manager, today=BEFORE
        )

    assert count(OfficeHoursDay) == 0
    assert count(AuditEvent) == events


def test_ventures_must_be_active_in_the_cohort_and_have_a_founder(db, setting):
    other = factories.venture(factories.cohort(), "Elsewhere")
    factories.founder_of(other)
    lonely = factories.venture(setting.cohort, "No team")
    archived = factories.venture(setting.cohort, "Archived one")
    factories.founder_of(archived)
    archived.status = "archived"
    db.session.flush()

    for venture, message in [
        (other, "is not in"),
        (lonely, "has no founders"),
        (archived, "is archived"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            office_hours.create_day(
                **_one(setting, venture_ids=[venture.id]), by=setting.manager, today=BEFORE
            )


def test_a_person_cannot_be_mentor_and_founder_on_the_same_day(db, setting):
    db.session.add(VentureMember(venture_id=setting.ventures[0].id, user_id=setting.mentors[0].id))
    db.session.flush()

    with pytest.raises(InvalidInput, match="cannot be in two meetings at once"):
        office_hours.create_day(**_one(setting), by=setting.manager, today=BEFORE)


def test_a_person_cannot_be_on_two_teams_taking_part(db, setting):
    db.session.add(VentureMember(venture_id=setting.ventures[1].id, user_id=setting.founders[0].id))
    db.session.flush()

    with pytest.raises(InvalidInput, match="on the teams of both"):
        office_hours.create_day(**_one(setting), by=setting.manager, today=BEFORE)


def test_the_plan_keeps_clear_of_a_mentors_open_slot_and_a_founders_session(db, setting):
    at_nine = datetime(2031, 3, 12, 16, tzinfo=UTC)
    factories.mentor_slot(setting.mentors[0], at_nine, minutes=20)
    other_mentor = factories.user("mentor")
    slot = factories.mentor_slot(other_mentor, at_nine + timedelta(minutes=20), minutes=20)
    factories.booking_row(slot, for_venture=setting.ventures[1], founder=setting.founders[1])

    day = day_of(setting)

    meetings = office_hours.planned_meetings(day)
    assert not [
        m for m in meetings if m.mentor_id == setting.mentors[0].id and m.starts_at == at_nine
    ]
    nine_twenty = at_nine + timedelta(minutes=20)
    assert not [
        m for m in meetings if m.venture_id == setting.ventures[1].id and m.starts_at == nine_twenty
    ]
    assert len(day.settings["kept_clear"]) == 2


# Publishing ------------------------------------------------------------------------------------


NOW = datetime(2031, 3, 1, 18, tzinfo=UTC)


def test_publishing_books_exactly_the_plan(db, setting, outbox):
    day = day_of(setting)
    plan = office_hours.planned_meetings(day)

    bookings = office_hours.publish(day, by=setting.manager, now=NOW)
    db.session.commit()

    stored = list(db.session.scalars(select(Booking).where(Booking.office_hours_day_id == day.id)))
    assert len(stored) == len(bookings) == len(plan)
    assert {(b.venture_id, b.mentor_id, b.starts_at, b.ends_at) for b in stored} == {
        (m.venture_id, m.mentor_id, m.starts_at, m.ends_at) for m in plan
    }
    founders = {v.id: f.id for v, f in zip(setting.ventures, setting.founders, strict=True)}
    for booking in stored:
        assert booking.status == "booked"
        assert booking.founder_id == founders[booking.venture_id]
        assert booking.agenda == "Office hours"
        assert booking.uid.endswith("@accelerate-la")
        assert booking.slot.office_hours_day_id == day.id
        assert booking.slot.mentor_id == booking.mentor_id
        assert (booking.slot.starts_at, booking.slot.ends_at) == (
            booking.starts_at,
            booking.ends_at,
        )
        assert booking.slot.location == "City Hall, room 301"
    assert len({b.uid for b in stored}) == len(stored)
    assert count(Slot) == len(plan)
    db.session.refresh(day)
    assert day.status == "published" and day.published_at == NOW
    actions = Counter(e.action for e in db.session.scalars(select(AuditEvent)))
    assert actions["booking.created"] == len(plan)
    assert actions["office_hours.published"] == 1
    # One mail each: three mentors and three founders.
    assert len(outbox()) == 6
    mail = outbox(setting.founders[0].email)[0]
    assert "Mentor X" in mail.body and "/mentoring/office-hours/" in mail.body


def _nothing_published(db, day) -> None:
    assert reloaded(day).status == "draft"
    assert count(Booking, Booking.office_hours_day_id == day.id) == 0
    assert count(Slot, Slot.office_hours_day_id == day.id) == 0


def test_publishing_is_refused_when_a_mentor_has_since_opened_an_overlapping_slot(db, setting):
    day = day_of(setting)
    db.session.commit()
    clash = office_hours.planned_meetings(day)[0]
    mentor = db.session.get(User, clash.mentor_id)
    factories.mentor_slot(mentor, clash.starts_at + timedelta(minutes=5), minutes=30)
    db.session.commit()
    slots = count(Slot)

    with pytest.raises(Conflict, match=f"{mentor.name} has an open slot"):
        office_hours.publish(day, by=setting.manager, now=NOW)
    db.session.rollback()

    _nothing_published(db, day)
    assert count(Slot) == slots


def test_publishing_is_refused_when_a_founder_has_since_booked_a_session_then(db, setting):
    day = day_of(setting)
    db.session.commit()
    clash = next(
        m for m in office_hours.planned_meetings(day) if m.venture_id == setting.ventures[0].id
    )
    slot = factories.mentor_slot(factories.user("mentor"), clash.starts_at, minutes=20)
    factories.booking_row(slot, for_venture=setting.ventures[0], founder=setting.founders[0])
    db.session.commit()

    with pytest.raises(Conflict, match="has a session with"):
        office_hours.publish(day, by=setting.manager, now=NOW)
    db.session.rollback()

    _nothing_published(db, day)


def test_planning_again_works_around_a_new_clash_and_then_publishes(db, setting):
    day = day_of(setting)
    clash = office_hours.planned_meetings(day)[0]
    mentor = db.session.get(User, clash.mentor_id)
    factories.mentor_slot(mentor, clash.starts_at, minutes=20)

    office_hours.plan(day, by=setting.manager)
    bookings = office_hours.publish(day, by=setting.manager, now=NOW)

    assert not [b for b in bookings if b.mentor_id == mentor.id and b.starts_at == clash.starts_at]


def test_a_day_is_published_once(db, setting):
    day = day_of(setting)
    office_hours.publish(day, by=setting.manager, now=NOW)
    db.session.commit()
    bookings = count(Booking)

    with pytest.raises(Conflict, match="already published"):
        office_hours.publish(day, by=setting.manager, now=NOW)
    with pytest.raises(Conflict, match="already published"):
        office_hours.plan(day, by=setting.manager)
    db.session.rollback()

    assert count(Booking) == bookings


def test_an_overlap_that_appears_after_the_checks_is_refused_by_postgresql(
    db, setting, monkeypatch
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL has the exclusion constraint; SQLite serialises writers")
    day = day_of(setting)
    clash = office_hours.planned_meetings(day)[0]
    factories.mentor_slot(db.session.get(User, clash.mentor_id), clash.starts_at, minutes=20)
    db.session.commit()
    # As if the slot were inserted between the checks and the insert.
    monkeypatch.setattr(office_hours, "_refuse_clashes", lambda *args: None)

    with pytest.raises(Conflict, match="just took one of these times"):
        office_hours.publish(day, by=setting.manager, now=NOW)
    db.session.rollback()

    _nothing_published(db, day)


def test_publishing_at_the_same_moment_from_several_tabs_books_the_day_once(
    app, db, setting, sign_in
):
    day = day_of(setting, day=_future_day(), today=None)
    db.session.commit()
    path = f"/mentoring/office-hours/{day.id}"
    clients = [app.test_client() for _ in range(4)]
    for client in clients:
        assert sign_in(client, setting.manager.email).status_code == 302
    barrier = threading.Barrier(len(clients))
    results = []

    def publish(client):
        barrier.wait()
        response = client.post(f"{path}/publish", data={"confirm": "y"})
        results.append(page(client.get(path)))
        assert response.status_code == 302

    threads = [threading.Thread(target=publish, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.session.expire_all()
    assert sum("bookings made" in shown for shown in results) == 1
    assert sum("already published" in shown for shown in results) == len(clients) - 1
    assert count(Booking) == len(day.settings["plan"])


def test_a_day_that_has_begun_cannot_be_published(db, setting):
    day = day_of(setting)

    with pytest.raises(InvalidInput, match="less than 60 minutes"):
        office_hours.publish(day, by=setting.manager, now=datetime(2031, 3, 12, 17, tzinfo=UTC))


def test_a_day_inside_the_booking_notice_cannot_be_published(db, setting):
    day = day_of(setting)
    first = min(meeting.starts_at for meeting in office_hours.planned_meetings(day))

    with pytest.raises(InvalidInput, match="less than 60 minutes"):
        office_hours.publish(day, by=setting.manager, now=first - timedelta(minutes=59))
    _db.session.refresh(day)
    assert day.status == office_hours.DRAFT
    assert office_hours.publish(day, by=setting.manager, now=first - timedelta(minutes=60))


# Rankings afterwards ---------------------------------------------------------------------------


AFTER = datetime(2031, 3, 12, 20, tzinfo=UTC)


@pytest.fixture
def published(db, setting):
    day = day_of(setting)
    office_hours.publish(day, by=setting.manager, now=NOW)
    db.session.commit()
    return day


def test_a_founder_ranks_the_mentors_their_venture_met(db, setting, published):
    x, y, z = setting.mentors

    rankings.save_ranking(published, setting.founders[0], [z.id, x.id, y.id], now=AFTER)

    rows = rankings.rankings(published)
    assert [(r.side, r.mentor_id, r.venture_id, r.rank) for r in rows] == [
        ("founder", z.id, setting.ventures[0].id, 1),
        ("founder", x.id, setting.ventures[0].id, 2),
        ("founder", y.id, setting.ventures[0].id, 3),
    ]


def test_a_mentor_ranks_the_ventures_they_met_and_ranking_again_replaces(db, setting, published):
    mentor = setting.mentors[1]
    a, b, c = setting.ventures
    rankings.save_ranking(published, mentor, [a.id, b.id, c.id], now=AFTER)

    rankings.save_ranking(published, mentor, [c.id, a.id], now=AFTER)

    rows = rankings.rankings(published)
    assert [(r.side, r.ranker_id, r.mentor_id, r.venture_id, r.rank) for r in rows] == [
        ("mentor", mentor.id, mentor.id, c.id, 1),
        ("mentor", mentor.id, mentor.id, a.id, 2),
    ]
    assert (
        len(
            [e for e in db.session.scalars(select(AuditEvent)) if e.action == "office_hours.ranked"]
        )
        == 2
    )


def test_only_people_actually_met_can_be_ranked(db, setting, published):
    stranger = factories.user("mentor")
    outsider = factories.venture(setting.cohort, "Not there")

    with pytest.raises(InvalidInput, match="only the mentors your venture met"):
        rankings.save_ranking(published, setting.founders[0], [stranger.id], now=AFTER)
    with pytest.raises(InvalidInput, match="only the ventures you met"):
        rankings.save_ranking(published, setting.mentors[0], [outsider.id], now=AFTER)
    with pytest.raises(InvalidInput, match="different rank"):
        x = setting.mentors[0]
        rankings.save_ranking(published, setting.founders[0], [x.id, x.id], now=AFTER)
    with pytest.raises(NotAllowed):
        rankings.save_ranking(published, stranger, [setting.ventures[0].id], now=AFTER)
    # Before the meetings, nobody has been met yet.
    with pytest.raises(NotAllowed):
        rankings.save_ranking(published, setting.founders[0], [setting.mentors[0].id], now=NOW)
    assert count(OfficeHoursRanking) == 0


def test_a_cancelled_meeting_is_not_a_meeting_to_rank(db, setting, published):
    booking = db.session.scalar(
        select(Booking).where(
            Booking.office_hours_day_id == published.id,
            Booking.venture_id == setting.ventures[0].id,
            Booking.mentor_id == setting.mentors[0].id,
        )
    )
    booking.status = "cancelled"
    booking.cancelled_at = NOW
    db.session.flush()

    with pytest.raises(InvalidInput, match="only the mentors"):
        rankings.save_ranking(published, setting.founders[0], [setting.mentors[0].id], now=AFTER)


def test_a_draft_day_has_nobody_to_rank(db, setting):
    day = day_of(setting)

    with pytest.raises(InvalidInput, match="not been published"):
        rankings.save_ranking(day, setting.founders[0], [setting.mentors[0].id], now=AFTER)


# The pages ---------------------------------------------------------------------------------------


def _future_day() -> date:
    return clock.today() + timedelta(days=14)


def day_form(mentors, ventures, **fields) -> dict[str, object]:
    """The set-up form of a day a fortnight ahead with 20-minute meetings in Los Angeles."""
    return {
        "day": _future_day().isoformat(),
        "time_zone": "America/Los_Angeles",
        "meeting_minutes": "20",
        "mentors": [str(m.id) for m in mentors],
        "ventures": [str(v.id) for v in ventures],
        **fields,
    }


def test_a_manager_sets_up_a_day_sees_the_grid_and_publishes_it(db, client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort(by=manager)
    ventures = [factories.venture(cohort, f"Team {n}") for n in "AB"]
    for venture in ventures:
        factories.founder_of(venture)
    mentors = [factories.user("mentor", name=f"Guide {n}") for n in "PQR"]

    assert client.get("/mentoring/office-hours").status_code == 200
    assert "Cohort" in page(client.get("/mentoring/office-hours/new"))
    form = page(client.get(f"/mentoring/office-hours/new?cohort_id={cohort.id}"))
    assert "Guide P" in form and "Team A" in form
    response = client.post(
        f"/mentoring/office-hours/new?cohort_id={cohort.id}",
        data=day_form(
            mentors,
            ventures,
            location="City Hall",
            default_windows="09:00-10:00",
            default_breaks="",
            **{
                f"windows_{mentors[2].id}": "09:20-10:00",
                f"breaks_{mentors[0].id}": "09:00-09:20",
            },
        ),
    )
    assert response.status_code == 302, page(response)
    day = db.session.scalar(select(OfficeHoursDay))
    assert response.headers["Location"].endswith(f"/mentoring/office-hours/{day.id}")

    grid = page(client.get(f"/mentoring/office-hours/{day.id}"))
    assert "Guide Q" in grid and "9:00 AM" in grid and "break" in grid and "away" in grid
    assert "Publish as bookings" in grid

    refused = client.post(f"/mentoring/office-hours/{day.id}/publish", data={})
    assert refused.status_code == 302
    assert count(Booking) == 0

    client.post(f"/mentoring/office-hours/{day.id}/publish", data={"confirm": "y"})
    db.session.expire_all()
    assert db.session.get(OfficeHoursDay, day.id).status == "published"
    assert count(Booking) == len(day.settings["plan"])
    shown = page(client.get(f"/mentoring/office-hours/{day.id}"))
    assert "Published" in shown and "Publish as bookings" not in shown


REFUSED_SET_UPS = {
    "hours that are not a time range": (
        {"default_windows": "09:00-12:00", "own_windows": "nine to noon"},
        "is not a time range like 09:00-12:00",
    ),
    "hours without a whole meeting": (
        {"default_windows": "09:00-09:10"},
        "Guide Late's windows hold no whole 20-minute meeting",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_SET_UPS))
def test_a_refused_set_up_form_says_why_and_writes_nothing(db, client, login_as, cohort, case):
    fields, message = REFUSED_SET_UPS[case]
    login_as("manager")
    venture = factories.venture(cohort)
    factories.founder_of(venture)
    mentor = factories.user("mentor", name="Guide Late")
    own_windows = fields.get("own_windows")

    response = client.post(
        f"/mentoring/office-hours/new?cohort_id={cohort.id}",
        data={
            **day_form([mentor], [venture], default_windows=fields["default_windows"]),
            **({f"windows_{mentor.id}": own_windows} if own_windows else {}),
        },
    )

    assert response.status_code == 200
    assert message in page(response)
    assert count(OfficeHoursDay) == 0


def _published_for_pages(db):
    """A published day whose meetings are over (moved into the past), for the rank page."""
    manager = factories.user("manager")
    cohort = factories.cohort()
    ventures = [factories.venture(cohort, f"Team {n}") for n in "AB"]
    founders = [factories.founder_of(v) for v in ventures]
    mentors = [factories.user("mentor", name=f"Guide {n}") for n in "PQ"]
    day = factories.office_hours_day(
        cohort, mentors, ventures, by=manager, day=THE_DAY, today=BEFORE
    )
    office_hours.publish(day, by=manager, now=NOW)
    for booking in db.session.scalars(select(Booking)):
        booking.starts_at -= timedelta(days=3650)
        booking.ends_at -= timedelta(days=3650)
    db.session.commit()
    return day, ventures, founders, mentors


def test_a_founder_who_took_part_ranks_the_mentors_on_the_page(db, client, sign_in):
    day, ventures, founders, mentors = _published_for_pages(db)
    sign_in(client, founders[0].email)

    shown = page(client.get(f"/mentoring/office-hours/{day.id}/rank"))
    assert "Guide P" in shown and "Guide Q" in shown
    response = client.post(
        f"/mentoring/office-hours/{day.id}/rank",
        data={
            "choice": f"venture-{ventures[0].id}",
            f"rank_{mentors[1].id}": "1",
            f"rank_{mentors[0].id}": "2",
        },
    )

    assert response.status_code == 302
    rows = rankings.rankings(db.session.get(OfficeHoursDay, day.id))
    assert [(r.mentor_id, r.rank) for r in rows] == [(mentors[1].id, 1), (mentors[0].id, 2)]


def test_two_people_given_the_same_rank_are_told_so(db, client, sign_in):
    day, ventures, _, mentors = _published_for_pages(db)
    sign_in(client, mentors[0].email)

    response = client.post(
        f"/mentoring/office-hours/{day.id}/rank",
        data={"choice": "mentor", f"rank_{ventures[0].id}": "1", f"rank_{ventures[1].id}": "1"},
    )

    assert response.status_code == 200
    assert "Rank 1 is given twice" in page(response)
    assert rankings.rankings(db.session.get(OfficeHoursDay, day.id)) == []


def test_someone_who_did_not_take_part_cannot_rank(db, client, login_as):
    day, *_ = _published_for_pages(db)
    login_as("founder")

    # A day one took no part in answers exactly as a missing one.
    assert client.get(f"/mentoring/office-hours/{day.id}/rank").status_code == 404
    assert client.get("/mentoring/office-hours/999999/rank").status_code == 404


def test_only_managers_see_and_publish_days(db, client, login_as):
    day, *_ = _published_for_pages(db)
    login_as("founder")

    assert client.get("/mentoring/office-hours").status_code == 403
    assert client.get(f"/mentoring/office-hours/{day.id}").status_code == 403
    assert client.post(f"/mentoring/office-hours/{day.id}/publish").status_code == 403


def test_hours_at_a_time_the_clocks_skip_are_refused_with_the_time_named(db, setting):
    spring_forward = date(2031, 3, 9)  # 2:00 AM becomes 3:00 AM in Los Angeles

    with pytest.raises(InvalidInput) as refused:
        day_of(setting, day=spring_forward, windows=[(time(2, 30), time(4))])

    assert "2:30 AM on Sun Mar 9, 2031 does not exist in America/Los_Angeles" in (
        refused.value.message
    )
