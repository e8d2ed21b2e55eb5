"""The Accelerate: LA program: cohorts, ventures, their founders and the cohort page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from incubator.models import (
    AuditEvent,
    Cohort,
    Invitation,
    OutboxMessage,
    Program,
    Role,
    User,
    Venture,
    VentureMember,
)
from incubator.services.cohorts import ventures
from incubator.services.errors import Conflict, InvalidInput, NotAllowed
from tests import factories
from tests.helpers import (
    as_form,
    count,
    location,
    page,
    refused_form_page,
    reloaded,
    writes_nothing,
)
from tests.plugins.pipeline import venture_form, venture_profile


@pytest.fixture(autouse=True)
def impact_areas(db):
    """Ventures pick their impact areas from the scorecard's."""
    factories.scorecard_reference()


# Everything these services and pages may write.
WRITTEN = (Cohort, Venture, VentureMember, User, Invitation, OutboxMessage, AuditEvent)


def cohort_input(**fields) -> ventures.CohortInput:
    """Spring 2025, ten places, being planned; fields override its values."""
    return factories.cohort_input(
        **{"name": "Spring 2025", "capacity": 10, "status": "planning", **fields}
    )


def cohort_form(**fields) -> dict[str, str]:
    """The cohort form as posted for Spring 2025; fields override its values."""
    return {**as_form(cohort_input()), **fields}


# Cohorts: the service ----------------------------------------------------------------------------


def test_cohorts_belong_to_the_accelerate_la_program(db, audit_events):
    manager = factories.user("manager")

    spring = ventures.create_cohort(cohort_input(name="  Spring 2025 "), by=manager)
    fall = ventures.create_cohort(cohort_input(name="Fall 2025", status="active"), by=manager)
    db.session.commit()

    [program] = db.session.scalars(select(Program))
    assert program.name == "Accelerate: LA"
    assert spring.program_id == fall.program_id == program.id
    stored = reloaded(spring)
    assert (stored.name, stored.capacity, stored.status) == ("Spring 2025", 10, "planning")
    assert (stored.starts_on, stored.ends_on) == (date(2025, 4, 1), date(2025, 9, 30))
    assert stored.showcase_published is False
    events = audit_events("cohort.created")
    assert [(e.actor_id, e.object_id) for e in events] == [
        (manager.id, str(spring.id)),
        (manager.id, str(fall.id)),
    ]
    assert events[0].after["capacity"] == 10


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"capacity": 0}, "Capacity must be between 1 and 500 ventures."),
        ({"capacity": -3}, "Capacity must be between 1 and 500 ventures."),
        ({"capacity": 501}, "Capacity must be between 1 and 500 ventures."),
        ({"ends_on": date(2025, 3, 31)}, "The cohort cannot end before it starts."),
        ({"name": "  "}, "A cohort needs a name."),
        ({"name": "Fall 2025"}, "There is already a cohort called 'Fall 2025'."),
        ({"status": "finished"}, "Unknown cohort status 'finished'."),
    ],
    ids=[
        "capacity-0",
        "capacity-negative",
        "capacity-huge",
        "ends-early",
        "no-name",
        "dup",
        "status",
    ],
)
def test_cohort_with_bad_input_is_refused_and_nothing_is_written(db, fields, message):
    manager = factories.user("manager")
    factories.cohort("Fall 2025", by=manager)

    with writes_nothing(*WRITTEN), pytest.raises(InvalidInput) as refused:
        ventures.create_cohort(cohort_input(**fields), by=manager)

    assert refused.value.message == message


def test_cohort_capacity_cannot_drop_below_its_active_ventures(db, audit_events):
    manager = factories.user("manager")
    cohort = factories.cohort("Spring 2025", capacity=5, by=manager)
    for _ in range(3):
        factories.venture(cohort, by=manager)
    archived = factories.venture(cohort, by=manager)
    ventures.archive_venture(archived, "Team dissolved", by=manager)
    db.session.commit()

    with pytest.raises(InvalidInput, match="The cohort already has 3 ventures; the capacity"):
        ventures.update_cohort(cohort, cohort_input(capacity=2), by=manager)
    db.session.rollback()
    assert reloaded(cohort).capacity == 5

    ventures.update_cohort(cohort, cohort_input(capacity=3, status="active"), by=manager)
    db.session.commit()
    assert reloaded(cohort).capacity == 3
    [event] = audit_events("cohort.updated")
    assert (event.before["capacity"], event.after["capacity"]) == (5, 3)


# Cohorts: the pages ------------------------------------------------------------------------------


def test_manager_creates_a_cohort_from_the_form(db, client, login_as, audit_events):
    manager = login_as("manager")

    response = client.post(
        "/cohorts/new", data=cohort_form(showcase_published="y"), follow_redirects=True
    )

    [cohort] = db.session.scalars(select(Cohort))
    assert response.request.path == f"/cohorts/{cohort.id}"
    text = page(response)
    assert "Spring 2025 created." in text
    assert "0 of 10 places" in text
    assert (cohort.capacity, cohort.status, cohort.showcase_published) == (10, "planning", True)
    assert cohort.program.name == "Accelerate: LA"
    assert [e.actor_id for e in audit_events("cohort.created")] == [manager.id]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"capacity": "0"}, "Capacity must be between 1 and 500."),
        ({"capacity": "abc"}, "Not a valid integer value."),
        ({"capacity": ""}, "Enter a whole number."),
        ({"ends_on": "2025-03-01"}, "The end date must be on or after the start date."),
        ({"name": ""}, "This field is required."),
        ({"name": "Fall 2025"}, "There is already a cohort called 'Fall 2025'."),
        ({"status": "finished"}, "Not a valid choice."),
    ],
    ids=["capacity-0", "capacity-abc", "no-capacity", "ends-early", "no-name", "dup", "status"],
)
def test_cohort_form_with_bad_input_shows_why_and_writes_nothing(
    db, client, login_as, fields, message
):
    login_as("manager")
    factories.cohort("Fall 2025")

    text = refused_form_page(client, "/cohorts/new", cohort_form(**fields), *WRITTEN)

    assert message in text


def test_cohort_edit_below_its_ventures_shows_why_and_changes_nothing(db, client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort("Spring 2025", capacity=4, by=manager)
    factories.venture(cohort, by=manager)
    factories.venture(cohort, by=manager)

    with writes_nothing(*WRITTEN):
        response = client.post(f"/cohorts/{cohort.id}/edit", data=cohort_form(capacity="1"))

    assert "The cohort already has 2 ventures; the capacity cannot be lower." in page(response)
    assert reloaded(cohort).capacity == 4


def test_manager_edits_a_cohort_from_the_form(db, client, login_as):
    login_as("manager")
    cohort = factories.cohort("Spring 2025", capacity=4)

    form_page = page(client.get(f"/cohorts/{cohort.id}/edit"))
    response = client.post(
        f"/cohorts/{cohort.id}/edit",
        data=cohort_form(name="Spring 2025 (LA)", capacity="8", status="active"),
        follow_redirects=True,
    )

    assert 'value="Spring 2025"' in form_page
    assert "Cohort saved." in page(response)
    stored = reloaded(cohort)
    assert (stored.name, stored.capacity, stored.status) == ("Spring 2025 (LA)", 8, "active")


def test_cohort_list_shows_places_taken(db, client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort("Spring 2025", capacity=6, by=manager)
    factories.venture(cohort, by=manager)
    factories.venture(cohort, by=manager)
    factories.cohort("Fall 2025", by=manager)

    text = page(client.get("/cohorts/"))

    assert "Spring 2025" in text
    assert "2 of 6 places taken" in text
    assert "Fall 2025" in text
    assert "0 of 12 places taken" in text


def test_unknown_cohort_is_404(client, login_as):
    login_as("manager")

    assert client.get("/cohorts/999999").status_code == 404
    assert client.get("/cohorts/999999/edit").status_code == 404
    assert client.get("/cohorts/ventures/999999").status_code == 404


# Ventures: the service ---------------------------------------------------------------------------


def test_manager_adds_a_venture_with_its_profile(db, audit_events):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)

    venture = ventures.create_venture(
        cohort,
        venture_profile(
            name="  LeakMap ",
            impact_areas=["Civic pilots with city departments", "Water and drought"],
            neighbourhoods=["Watts", "Boyle Heights"],
            needs=["Funding", "Mentors"],
        ),
        by=manager,
    )
    db.session.commit()

    stored = reloaded(venture)
    assert stored.name == "LeakMap"
    assert stored.one_liner == "Every leak on one map"
    assert stored.description == "Residents report leaks; crews fix them."
    assert stored.challenge_area == "Water and drought"
    assert stored.website == "https://leakmap.example.org"
    assert (stored.stage, stored.status, stored.cohort_id) == ("concept", "active", cohort.id)
    assert stored.submission_id is None
    # Choices are kept in their lists' order, whatever order they came in.
    assert stored.impact_areas == ["Water and drought", "Civic pilots with city departments"]
    assert stored.neighbourhoods == ["Boyle Heights", "Watts"]
    assert stored.needs == ["Mentors", "Funding"]
    [event] = audit_events("venture.created")
    assert event.after["neighbourhoods"] == ["Boyle Heights", "Watts"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"website": "leakmap.example.org"}, "The website must be a link starting with http"),
        ({"website": "javascript:alert(1)"}, "The website must be a link starting with http"),
        ({"neighbourhoods": ["Watts", "Atlantis"]}, "Unknown neighbourhood: Atlantis."),
        ({"impact_areas": ["World peace"]}, "Unknown impact area: World peace."),
        ({"needs": ["Yacht"]}, "Unknown need: Yacht."),
        ({"challenge_area": "Space travel"}, "Unknown challenge area 'Space travel'."),
        ({"name": " "}, "A venture needs a name."),
        ({"name": "Taken"}, "The cohort already has a venture called 'Taken'."),
    ],
    ids=["bare-domain", "script", "neighbourhood", "impact", "need", "area", "no-name", "dup"],
)
def test_venture_with_bad_input_is_refused_and_nothing_is_written(db, fields, message):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    factories.venture(cohort, "Taken", by=manager)

    with writes_nothing(*WRITTEN), pytest.raises(InvalidInput, match=message):
        ventures.create_venture(cohort, venture_profile(**fields), by=manager)


def test_the_same_venture_name_may_be_used_in_another_cohort(db):
    manager = factories.user("manager")
    factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)

    venture = ventures.create_venture(factories.cohort(by=manager), venture_profile(), by=manager)

    assert venture.name == "LeakMap"


def test_a_full_cohort_takes_no_new_venture(db):
    manager = factories.user("manager")
    cohort = factories.cohort("Spring 2025", capacity=1, by=manager)
    factories.venture(cohort, by=manager)

    with (
        writes_nothing(*WRITTEN),
        pytest.raises(Conflict, match=r"Spring 2025 is full \(1 place taken\)."),
    ):
        ventures.create_venture(cohort, venture_profile(), by=manager)


def test_a_graduated_cohort_takes_no_new_venture(db):
    manager = factories.user("manager")
    cohort = factories.cohort("Class of 2024", status="graduated", by=manager)
    db.session.commit()

    with pytest.raises(InvalidInput, match="Class of 2024 has graduated; it takes no new"):
        ventures.create_venture(cohort, venture_profile(), by=manager)


def test_archiving_a_venture_keeps_it_and_frees_its_place(db, audit_events):
    manager = factories.user("manager")
    cohort = factories.cohort(capacity=1, by=manager)
    venture = factories.venture(cohort, "LeakMap", by=manager)

    with pytest.raises(InvalidInput, match="Give a reason"):
        ventures.archive_venture(venture, "  ", by=manager)
    ventures.archive_venture(venture, "The team moved on.", by=manager)
    replacement = ventures.create_venture(cohort, venture_profile(name="BusBuddy"), by=manager)
    db.session.commit()

    assert reloaded(venture).status == "archived"
    assert replacement.status == "active"
    [event] = audit_events("venture.archived")
    assert event.after["reason"] == "The team moved on."
    with pytest.raises(InvalidInput, match="already archived"):
        ventures.archive_venture(reloaded(venture), "Again", by=manager)


def founder_of(venture, *, by, email=None):
    """A founder with a password, on the venture's team."""
    founder = factories.user("founder", email=email)
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=by)
    return founder


def test_founder_edits_their_own_venture(db, audit_events):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    founder = founder_of(venture, by=manager)

    ventures.update_venture(
        venture,
        venture_profile(one_liner="Leaks found in a day", needs=["Data access"]),
        by=founder,
    )
    db.session.commit()

    stored = reloaded(venture)
    assert (stored.one_liner, stored.needs) == ("Leaks found in a day", ["Data access"])
    [event] = audit_events("venture.updated")
    assert event.actor_id == founder.id
    assert event.before["one_liner"] == "Less water wasted"
    assert event.after["one_liner"] == "Leaks found in a day"


@pytest.mark.parametrize("role", ["founder", "mentor", "partner", "funder", "judge"])
def test_only_its_founders_and_managers_may_edit_a_venture(db, role, audit_events):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    theirs = factories.venture(cohort, "LeakMap", by=manager)
    founder_of(factories.venture(cohort, "BusBuddy", by=manager), by=manager)
    outsider = factories.user(role)
    db.session.commit()
    events_before = len(audit_events())

    with pytest.raises(NotAllowed, match="You can only edit your own venture's profile"):
        ventures.update_venture(theirs, venture_profile(name="Hijacked"), by=outsider)
    db.session.rollback()

    assert reloaded(theirs).name == "LeakMap"
    assert len(audit_events()) == events_before


def test_adding_a_new_person_to_a_venture_invites_them_as_founder(db, outbox, audit_events):
    manager = factories.user("manager", name="Maria Gonzalez")
    venture = factories.venture(factories.cohort(by=manager), by=manager)

    ventures.add_member(venture, " Ana@Example.org ", "Ana Lopez", "", by=manager)
    db.session.commit()

    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert ana.roles == {Role.FOUNDER}
    assert ana.password_hash is None
    [member] = reloaded(venture).members
    assert (member.user_id, member.role_in_team) == (ana.id, "Founder")
    assert count(Invitation) == 1
    [message] = outbox("ana@example.org")
    assert message.subject == "Your invitation to Accelerate: LA"
    assert "Maria Gonzalez invited you" in message.body
    [event] = audit_events("venture.member_added")
    assert event.after == {"user_id": ana.id, "email": "ana@example.org", "role_in_team": "Founder"}


def test_adding_an_existing_account_gives_the_founder_role_once(db, outbox):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), by=manager)
    mentor = factories.user("mentor", email="ana@example.org")

    first = ventures.add_member(venture, "ana@example.org", "Ana", "CTO", by=manager)
    again = ventures.add_member(venture, "ana@example.org", "Ana", "CTO", by=manager)
    db.session.commit()

    assert first.id == again.id
    assert reloaded(mentor).roles == {Role.MENTOR, Role.FOUNDER}
    assert count(VentureMember) == 1
    assert count(Invitation) == 0
    # One note that they are on the team; the second add changes nothing and sends nothing.
    mails = outbox()
    assert [mail.recipient for mail in mails] == ["ana@example.org"]
    assert "on the" in mails[0].subject and venture.name in mails[0].subject


# Ventures: the pages -----------------------------------------------------------------------------


def test_manager_adds_a_venture_from_the_form(db, client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort("Spring 2025", by=manager)

    form_page = page(client.get(f"/cohorts/{cohort.id}/ventures/new"))
    response = client.post(
        f"/cohorts/{cohort.id}/ventures/new", data=venture_form(), follow_redirects=True
    )

    assert "New venture in Spring 2025" in form_page
    [venture] = db.session.scalars(select(Venture))
    assert response.request.path == f"/cohorts/ventures/{venture.id}"
    text = page(response)
    assert "LeakMap added. Add its founders next." in text
    assert "Added directly to the cohort" in text
    assert venture.cohort_id == cohort.id
    assert (venture.neighbourhoods, venture.needs) == (["Watts"], ["Pilot site", "Funding"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"website": "not a link"}, "Invalid URL."),
        ({"neighbourhoods": ["Watts", "Atlantis"]}, "'Atlantis' is not a valid choice"),
        ({"impact_areas": ["World peace"]}, "'World peace' is not a valid choice"),
        ({"name": ""}, "This field is required."),
        ({"name": "Taken"}, "The cohort already has a venture called 'Taken'."),
    ],
    ids=["website", "neighbourhood", "impact-area", "no-name", "duplicate"],
)
def test_venture_form_with_bad_input_shows_why_and_writes_nothing(
    db, client, login_as, fields, message
):
    manager = login_as("manager")
    cohort = factories.cohort(by=manager)
    factories.venture(cohort, "Taken", by=manager)

    url = f"/cohorts/{cohort.id}/ventures/new"
    text = refused_form_page(client, url, venture_form(**fields), *WRITTEN)

    assert message in text


def test_venture_form_on_a_full_cohort_says_so_and_writes_nothing(db, client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort("Spring 2025", capacity=1, by=manager)
    factories.venture(cohort, by=manager)

    with writes_nothing(*WRITTEN):
        response = client.post(f"/cohorts/{cohort.id}/ventures/new", data=venture_form())

    assert "Spring 2025 is full (1 place taken)." in page(response)


def test_founder_edits_their_own_venture_from_the_form(db, client, login_as, audit_events):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    founder = login_as("founder")
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=manager)

    form_page = page(client.get(f"/cohorts/ventures/{venture.id}/edit"))
    response = client.post(
        f"/cohorts/ventures/{venture.id}/edit",
        data=venture_form(
            one_liner="Leaks found in a day", neighbourhoods=["Pacoima"], version=venture.version
        ),
        follow_redirects=True,
    )

    assert 'value="LeakMap"' in form_page
    assert response.request.path == f"/cohorts/ventures/{venture.id}"
    text = page(response)
    assert "Venture profile saved." in text
    assert "Leaks found in a day" in text
    stored = reloaded(venture)
    assert (stored.one_liner, stored.neighbourhoods) == ("Leaks found in a day", ["Pacoima"])
    assert [e.actor_id for e in audit_events("venture.updated")] == [founder.id]


def test_founder_cannot_see_or_edit_another_venture(db, client, login_as, audit_events):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    theirs = factories.venture(cohort, "LeakMap", one_liner="Their words", by=manager)
    mine = factories.venture(cohort, "BusBuddy", by=manager)
    founder = login_as("founder")
    ventures.add_member(mine, founder.email, founder.name, "CEO", by=manager)

    with writes_nothing(*WRITTEN):
        viewed = client.get(f"/cohorts/ventures/{theirs.id}")
        form = client.get(f"/cohorts/ventures/{theirs.id}/edit")
        posted = client.post(
            f"/cohorts/ventures/{theirs.id}/edit", data=venture_form(name="Hijacked", one_liner="x")
        )

    assert (viewed.status_code, form.status_code, posted.status_code) == (404, 404, 404)
    stored = reloaded(theirs)
    assert (stored.name, stored.one_liner) == ("LeakMap", "Their words")
    assert client.get(f"/cohorts/ventures/{mine.id}").status_code == 200


def test_founder_with_one_venture_goes_straight_to_it(db, client, login_as):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    founder = login_as("founder")
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=manager)

    response = client.get("/cohorts/mine")

    assert response.status_code == 302
    assert location(response) == f"/cohorts/ventures/{venture.id}"


def test_manager_adds_a_founder_from_the_venture_page(db, client, login_as, outbox):
    manager = login_as("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)

    response = client.post(
        f"/cohorts/ventures/{venture.id}/members",
        data={"email": "ana@example.org", "name": "Ana Lopez", "role_in_team": "CTO"},
        follow_redirects=True,
    )

    text = page(response)
    assert "Ana Lopez is on the team." in text
    assert "invited" in text
    [member] = reloaded(venture).members
    assert (member.user.email, member.role_in_team) == ("ana@example.org", "CTO")
    assert len(outbox("ana@example.org")) == 1


def test_adding_a_founder_with_a_bad_email_says_so_and_writes_nothing(db, client, login_as):
    manager = login_as("manager")
    venture = factories.venture(factories.cohort(by=manager), by=manager)

    with writes_nothing(*WRITTEN):
        response = client.post(
            f"/cohorts/ventures/{venture.id}/members",
            data={"email": "ana-at-example", "name": "Ana", "role_in_team": ""},
            follow_redirects=True,
        )

    assert "Invalid email address." in page(response)


def test_manager_archives_a_venture_from_its_page(db, client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort(by=manager)
    venture = factories.venture(cohort, "LeakMap", by=manager)

    refused = client.post(
        f"/cohorts/ventures/{venture.id}/archive",
        data={"reason": "Moved on"},
        follow_redirects=True,
    )
    assert "Tick the box to confirm." in page(refused)
    assert reloaded(venture).status == "active"

    response = client.post(
        f"/cohorts/ventures/{venture.id}/archive",
        data={"reason": "Moved on", "confirm": "y"},
        follow_redirects=True,
    )

    assert response.request.path == f"/cohorts/{cohort.id}"
    assert "LeakMap is archived; its history is kept." in page(response)
    assert reloaded(venture).status == "archived"


# The cohort page ---------------------------------------------------------------------------------


def test_cohort_page_lists_its_ventures_with_stage_members_and_origin(db, client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort("Spring 2025", capacity=5, by=manager)
    hackathon = factories.hackathon("#techLA: Drought", by=manager)
    promoted = factories.promoted_venture(cohort, by=manager, at=hackathon)
    direct = factories.venture(cohort, "BusBuddy", one_liner="Buses on time", by=manager)
    founder_of(direct, by=manager, email="bo@example.org")
    archived = factories.venture(cohort, "Gone", by=manager)
    ventures.archive_venture(archived, "Team left", by=manager)

    response = client.get(f"/cohorts/{cohort.id}")

    text = page(response)
    assert "2 of 5 places" in text
    assert promoted.name in text
    assert "BusBuddy" in text
    assert "Buses on time" in text
    assert "Gone" not in text
    assert text.count("Concept") >= 2
    for member in promoted.members:
        assert member.user.name in text
    assert "invited" in text
    assert f"/hackathons/submissions/{promoted.submission_id}" in text
    assert "#techLA: Drought" in text


def test_cohort_page_runs_the_same_number_of_queries_for_3_or_30_ventures(
    db, client, login_as, count_queries
):
    manager = login_as("manager")
    cohort = factories.cohort("Spring 2025", capacity=40, by=manager)
    hackathon = factories.hackathon(by=manager)
    for _ in range(3):
        factories.promoted_venture(cohort, by=manager, at=hackathon, members=2)
    db.session.commit()
    client.get(f"/cohorts/{cohort.id}")  # warm up: first-request work is not the page's

    with count_queries() as few:
        small = client.get(f"/cohorts/{cohort.id}")
    for _ in range(27):
        factories.promoted_venture(cohort, by=manager, at=hackathon, members=2)
    db.session.commit()
    with count_queries() as many:
        large = client.get(f"/cohorts/{cohort.id}")

    assert small.status_code == large.status_code == 200
    assert "3 of 40 places" in page(small)
    assert "30 of 40 places" in page(large)
    assert page(large).count("/hackathons/submissions/") == 25  # one page of ventures
    assert count(VentureMember) == 60
    assert many.count == few.count, "\n".join(many.statements)


# Access ------------------------------------------------------------------------------------------


MANAGER_PAGES = [
    ("GET", "/cohorts/"),
    ("GET", "/cohorts/new"),
    ("POST", "/cohorts/new"),
    ("GET", "/cohorts/{cohort}"),
    ("POST", "/cohorts/{cohort}/edit"),
    ("POST", "/cohorts/{cohort}/ventures/new"),
    ("POST", "/cohorts/ventures/{venture}/members"),
    ("POST", "/cohorts/ventures/{venture}/archive"),
    ("POST", "/cohorts/promote/{submission}"),
    ("GET", "/cohorts/promote-winners/{hackathon}?cohort_id={cohort}"),
    ("POST", "/cohorts/promote-winners/{hackathon}"),
]


@pytest.mark.parametrize("role", ["founder", "mentor", "judge", "partner", "funder"])
def test_only_managers_may_use_the_cohort_pages(db, client, login_as, role):
    manager = factories.user("manager")
    cohort = factories.cohort("Spring 2025", by=manager)
    venture = factories.venture(cohort, "LeakMap", by=manager)
    hackathon = factories.hackathon(by=manager)
    submission = factories.submission(hackathon, placement="winner", by=manager)
    user = login_as(role)
    if role == "founder":
        ventures.add_member(venture, user.email, user.name, "CEO", by=manager)
    ids = {"cohort": cohort.id, "venture": venture.id, "submission": submission.id}
    ids["hackathon"] = hackathon.id
    data = {
        **cohort_form(name="Taken over", capacity="99"),
        **venture_form(name="Hijacked"),
        "email": "x@example.org",
        "reason": "Because",
        "confirm": "y",
        "cohort_id": str(cohort.id),
    }

    with writes_nothing(*WRITTEN):
        for method, url in MANAGER_PAGES:
            response = client.open(url.format(**ids), method=method, data=data)
            assert response.status_code == 403, (method, url)

    assert reloaded(cohort).name == "Spring 2025"
    assert reloaded(venture).status == "active"


def test_visitors_are_sent_to_sign_in(db, client):
    venture = factories.venture(factories.cohort())

    for url in ("/cohorts/", f"/cohorts/{venture.cohort_id}", f"/cohorts/ventures/{venture.id}"):
        response = client.get(url)
        assert response.status_code == 302
        assert location(response).startswith("/auth/login?next=")
