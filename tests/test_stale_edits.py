"""Nobody's edit is silently lost: a save from a form opened before someone else's is refused.

Each edit form two people can have open carries the version it was opened at. In every
test two people open the form, the first saves, the second's save is refused with 409,
naming the first and showing both versions, the database keeps the first person's values,
and the second can then save again on purpose.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from incubator.models import (
    MatchStatus,
    MentorProfile,
    Venture,
)
from incubator.services import audit, versions
from incubator.services.cohorts import ventures
from incubator.services.errors import StaleEdit
from incubator.services.matching import introductions, runs
from incubator.services.pipeline import stages
from tests import factories
from tests.helpers import page, reloaded, reloaded_or_none
from tests.plugins.pipeline import milestone_form, venture_form


def version_in(html: str, name: str = "version") -> str:
    """The version a rendered form carries in its hidden field `name`."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            return re.search(r'value="(\d+)"', tag).group(1)
    raise AssertionError(f"no hidden {name} in the page")


def versions_opened(url: str, *browsers, name: str = "version") -> list[str]:
    """The version each browser's form carries once it opens the page, in the order given."""
    return [version_in(page(browser.get(url)), name) for browser in browsers]


def assert_refused(response, name: str, thing: str, theirs: str, yours: str) -> str:
    """A 409 page naming who saved first, with both versions of a field side by side."""
    assert response.status_code == 409
    text = page(response)
    assert f"Changed by {name} since you opened it" in text
    assert f"{thing} was changed by {name} since you opened it; nothing was saved." in text
    row = re.search(
        rf'<td class="text-break">{re.escape(theirs)}</td>\s*<td class="text-break">'
        rf"{re.escape(yours)}</td>",
        text,
    )
    assert row is not None, "the two versions are not side by side"
    return text


@pytest.fixture
def second_client(app):
    """A second browser, for the second person."""
    return app.test_client()


@pytest.fixture
def ana_and_ben(client, second_client, login_as):
    """Two managers: Ana Manager (returned) on the first browser, Ben Manager on the second."""
    ana = login_as("manager", name="Ana Manager")
    login_as("manager", name="Ben Manager", on=second_client)
    return ana


# Venture profile --------------------------------------------------------------------------


def venture_form_at(version: str, **fields) -> dict[str, object]:
    """LeakMap's profile form as opened at `version` (needing a pilot site only)."""
    return venture_form(version=version, needs=["Pilot site"], **fields)


def test_a_venture_profile_saved_from_an_older_form_is_refused_and_names_who_saved(
    db, client, second_client, login_as
):
    factories.scorecard_reference()  # ventures pick their impact areas from the scorecard's
    manager = login_as("manager", name="Ana Manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    founder = login_as("founder", name="Ben Founder", on=second_client)
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=manager)
    url = f"/cohorts/ventures/{venture.id}/edit"

    managers_version, founders_version = versions_opened(url, client, second_client)
    first = client.post(url, data=venture_form_at(managers_version, one_liner="Fixes leaks fast"))
    second = second_client.post(
        url, data=venture_form_at(founders_version, one_liner="Finds leaks in a day")
    )

    assert first.status_code == 302
    text = assert_refused(
        second, "Ana Manager", "This venture's profile", "Fixes leaks fast", "Finds leaks in a day"
    )
    assert 'value="Finds leaks in a day"' in text  # what they typed is still in the form
    assert reloaded(venture).one_liner == "Fixes leaks fast"

    again = second_client.post(
        url, data=venture_form_at(version_in(text), one_liner="Finds leaks in a day")
    )

    assert again.status_code == 302
    assert reloaded(venture).one_liner == "Finds leaks in a day"


def test_a_save_without_a_version_is_refused_and_writes_nothing(db, client, login_as):
    manager = login_as("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    form = venture_form_at("", one_liner="Sent by an old page")
    del form["version"]

    response = client.post(f"/cohorts/ventures/{venture.id}/edit", data=form)

    assert response.status_code == 200
    assert "This form does not say which version it was opened at." in page(response)
    assert reloaded(venture).one_liner == "Less water wasted"


# Milestone ---------------------------------------------------------------------------------


@pytest.fixture
def milestone(db, client, second_client, login_as):
    """Ten interviews, a milestone of LeakMap that two people may edit: Ana Manager,
    signed in on `client`, and Ben Founder, its founder, signed in on `second_client`."""
    manager = login_as("manager", name="Ana Manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    founder = login_as("founder", name="Ben Founder", on=second_client)
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=manager)
    return factories.milestone(venture, "Ten interviews", by=founder)


def test_a_milestone_saved_from_an_older_form_is_refused_and_names_who_saved(
    db, client, second_client, milestone
):
    url = f"/milestones/{milestone.id}/edit"

    founders_version, managers_version = versions_opened(url, second_client, client)
    first = second_client.post(
        url, data=milestone_form(version=founders_version, due_on="2025-07-01")
    )
    second = client.post(url, data=milestone_form(version=managers_version, due_on="2025-05-15"))

    assert first.status_code == 302
    text = assert_refused(second, "Ben Founder", "This milestone", "2025-07-01", "2025-05-15")
    assert 'value="2025-05-15"' in text
    assert str(reloaded(milestone).due_on) == "2025-07-01"

    again = client.post(url, data=milestone_form(version=version_in(text), due_on="2025-05-15"))

    assert again.status_code == 302
    assert str(reloaded(milestone).due_on) == "2025-05-15"


def test_starting_a_milestone_also_makes_an_open_edit_form_stale(
    db, client, second_client, milestone
):
    url = f"/milestones/{milestone.id}/edit"
    opened = version_in(page(client.get(url)))

    second_client.post(f"/milestones/{milestone.id}/start")
    # The same values as saved: only the status (not on this form) changed.
    response = client.post(url, data=milestone_form(version=opened, description="", due_on=""))

    assert response.status_code == 409
    text = page(response)
    assert "Changed by Ben Founder since you opened it" in text
    assert "The fields on this form are the same in both versions" in text
    assert reloaded(milestone).status == "in_progress"


# Mentor profile ----------------------------------------------------------------------------


@pytest.fixture
def mentor_in_two_windows(db, client, second_client, sign_in):
    """Ana Mentor, who has a profile, signed in on both browsers."""
    mentor = factories.mentor("Ana Mentor")
    db.session.commit()
    sign_in(client, mentor.email)
    sign_in(second_client, mentor.email)
    return mentor


def profile_form(version: str, **fields) -> dict[str, object]:
    data = {
        "bio": "Twenty years in city services.",
        "organisation": "LA Department of Water and Power",
        "expertise": "Procurement",
        "challenge_areas": ["Water and drought"],
        "languages": ["English"],
        "time_zone": "America/Los_Angeles",
        "capacity": "3",
        "meeting_link": "https://meet.example.org/mentor",
        "meeting_place": "",
        "accepting": "y",
        "version": version,
    }
    return {**data, **fields}


def test_a_mentor_profile_saved_from_an_older_window_is_refused(
    db, client, second_client, mentor_in_two_windows
):
    mentor = mentor_in_two_windows
    url = "/mentoring/profile"

    laptop, phone = versions_opened(url, client, second_client)
    first = client.post(url, data=profile_form(laptop, organisation="LADWP", capacity="2"))
    second = second_client.post(url, data=profile_form(phone, organisation="LADOT"))

    assert first.status_code == 302
    name = "Ana Mentor (you, in another window)"
    text = assert_refused(second, name, "This mentor profile", "LADWP", "LADOT")
    assert 'value="LADOT"' in text
    stored = reloaded_or_none(MentorProfile, mentor.id)
    assert (stored.organisation, stored.capacity) == ("LADWP", 2)

    again = second_client.post(url, data=profile_form(version_in(text), organisation="LADOT"))

    assert again.status_code == 302
    stored = reloaded_or_none(MentorProfile, mentor.id)
    assert (stored.organisation, stored.capacity) == ("LADOT", 3)


def test_two_first_saves_of_a_mentor_profile_do_not_overwrite_each_other(
    db, client, second_client, login_as, sign_in
):
    mentor = login_as("mentor", name="Ana Mentor")
    sign_in(second_client, mentor.email)
    url = "/mentoring/profile"

    laptop, phone = versions_opened(url, client, second_client)
    first = client.post(url, data=profile_form(laptop, organisation="LADWP"))
    second = second_client.post(url, data=profile_form(phone, organisation="LADOT"))

    assert (laptop, phone) == ("0", "0")
    assert (first.status_code, second.status_code) == (302, 409)
    assert reloaded_or_none(MentorProfile, mentor.id).organisation == "LADWP"


def test_changing_only_the_time_zone_makes_an_open_profile_form_stale(
    db, client, second_client, mentor_in_two_windows
):
    mentor = mentor_in_two_windows
    url = "/mentoring/profile"
    laptop, phone = versions_opened(url, client, second_client)

    client.post(url, data=profile_form(laptop, time_zone="America/Chicago"))
    response = second_client.post(url, data=profile_form(phone))

    assert_refused(
        response,
        "Ana Mentor (you, in another window)",
        "This mentor profile",
        "America/Chicago",
        "America/Los Angeles",
    )
    db.session.expire_all()
    assert mentor.time_zone == "America/Chicago"


# Rubric ------------------------------------------------------------------------------------


def criterion_form(criterion, version: str, **fields) -> dict[str, str]:
    prefix = f"criterion-{criterion.id}-"
    data = {"name": "Impact", "weight": "3", "scale_min": "1", "scale_max": "5"}
    data = {**data, **fields, "version": version}
    return {prefix + key: value for key, value in data.items()}


def test_a_criterion_saved_from_an_older_rubric_page_is_refused(
    db, client, second_client, ana_and_ben
):
    hackathon = factories.judging_hackathon(name="Drought Hack")
    criterion = factories.rubric_criterion(hackathon, "Impact", weight=3)
    rubric = f"/judging/hackathons/{hackathon.id}/rubric"
    url = f"/judging/criteria/{criterion.id}"
    field = f"criterion-{criterion.id}-version"

    anas, bens = versions_opened(rubric, client, second_client, name=field)
    first = client.post(url, data=criterion_form(criterion, anas, weight="2"))
    second = second_client.post(url, data=criterion_form(criterion, bens, weight="5"))

    assert first.status_code == 302
    text = assert_refused(second, "Ana Manager", "This criterion", "2", "5")
    assert 'value="5"' in text and '<details class="mt-2" open>' in text
    assert reloaded(criterion).weight == 2

    again = second_client.post(
        url, data=criterion_form(criterion, version_in(text, field), weight="5")
    )

    assert again.status_code == 302
    assert reloaded(criterion).weight == 5


def test_a_change_to_another_criterion_does_not_refuse_an_edit(
    db, client, second_client, ana_and_ben
):
    hackathon = factories.judging_hackathon(name="Drought Hack")
    impact = factories.rubric_criterion(hackathon, "Impact", weight=3)
    design = factories.rubric_criterion(hackathon, "Design", weight=1)
    rubric = page(client.get(f"/judging/hackathons/{hackathon.id}/rubric"))

    client.post(
        f"/judging/criteria/{impact.id}",
        data=criterion_form(
            impact, version_in(rubric, f"criterion-{impact.id}-version"), weight="2"
        ),
    )
    response = second_client.post(
        f"/judging/criteria/{design.id}",
        data=criterion_form(
            design, version_in(rubric, f"criterion-{design.id}-version"), name="Design", weight="4"
        ),
    )

    assert response.status_code == 302
    assert reloaded(impact).weight == 2
    assert reloaded(design).weight == 4


# Stage plan --------------------------------------------------------------------------------


def plan_form(stage: str, days: str, version: str) -> dict[str, str]:
    return {
        "plan-stage": stage,
        "plan-expected_days": days,
        "plan-version": version,
        "plan-submit": "Save",
    }


def plan_version(html: str, stage: str) -> str:
    """The version in the expected-time form of one stage's card."""
    form = re.search(
        rf'<form[^>]*>(?:(?!</form>).)*name="plan-stage"[^>]*value="{stage}"'
        r"(?:(?!</form>).)*</form>",
        html,
        re.S,
    )
    assert form is not None, f"no expected-time form for {stage}"
    return version_in(form.group(0), "plan-version")


def test_an_expected_time_saved_from_an_older_plan_page_is_refused(
    db, client, second_client, ana_and_ben
):
    manager = ana_and_ben
    cohort = factories.cohort(by=manager)
    url = f"/pipeline/cohorts/{cohort.id}/plan"

    anas = plan_version(page(client.get(url)), "pilot")
    bens = plan_version(page(second_client.get(url)), "pilot")
    first = client.post(url, data=plan_form("pilot", "90", anas))
    second = second_client.post(url, data=plan_form("pilot", "60", bens))

    assert first.status_code == 302
    text = assert_refused(second, "Ana Manager", "The expected time in Pilot", "90", "60")
    assert 'value="60"' in text
    assert stages.stage_plans(cohort)["pilot"].expected_days == 90

    again = second_client.post(url, data=plan_form("pilot", "60", plan_version(text, "pilot")))

    assert again.status_code == 302
    db.session.expire_all()
    assert stages.stage_plans(cohort)["pilot"].expected_days == 60


def test_a_change_to_another_stage_does_not_refuse_an_expected_time(
    db, client, second_client, ana_and_ben
):
    manager = ana_and_ben
    cohort = factories.cohort(by=manager)
    url = f"/pipeline/cohorts/{cohort.id}/plan"
    opened = page(second_client.get(url))

    client.post(
        url, data=plan_form("concept", "21", plan_version(page(client.get(url)), "concept"))
    )
    response = second_client.post(url, data=plan_form("pilot", "60", plan_version(opened, "pilot")))

    assert response.status_code == 302
    db.session.expire_all()
    plans = stages.stage_plans(cohort)
    assert (plans["concept"].expected_days, plans["pilot"].expected_days) == (21, 60)


# Matching review ---------------------------------------------------------------------------


@pytest.fixture
def maya(db):
    return factories.user("manager", name="Maya Manager")


@pytest.fixture
def draft(db, maya):
    """A mentor draft for two ventures, each proposed one of two mentors."""
    cohort = factories.cohort("Spring 2025", by=maya)
    factories.needy_venture(cohort, "AquaSave", by=maya)
    factories.needy_venture(cohort, "BusBuddy", by=maya)
    factories.mentor("Ana Mentor", expertise=["Procurement"], capacity=1)
    factories.mentor("Ben Mentor", expertise=["Procurement"], capacity=1)
    run = runs.run_matching(cohort, "mentor", "optimal", 1, 1, by=maya)
    db.session.commit()
    return run


def match_of(db, run, venture_name: str):
    db.session.expire_all()
    return next(m for m in runs.run_matches(run) if m.venture.name == venture_name)


def test_a_review_edit_from_a_page_opened_before_another_edit_is_refused(
    db, client, second_client, login_as, sign_in, maya, draft
):
    sign_in(client, maya.email)
    login_as("manager", name="Ravi Reviewer", on=second_client)
    runs = f"/matching/cohorts/{draft.cohort_id}"
    aqua, bus = match_of(db, draft, "AquaSave"), match_of(db, draft, "BusBuddy")
    mentor = introductions.counterpart_name(bus)

    mayas, ravis = versions_opened(runs, client, second_client)
    first = client.post(f"/matching/runs/matches/{aqua.id}/pin", data={"version": mayas})
    second = second_client.post(f"/matching/runs/matches/{bus.id}/pin", data={"version": ravis})

    assert first.status_code == 302
    text = assert_refused(
        second, "Maya Manager", "This proposal", mentor, f"Change the pin on {mentor}"
    )
    assert match_of(db, draft, "AquaSave").pinned
    assert not match_of(db, draft, "BusBuddy").pinned

    again = second_client.post(
        f"/matching/runs/matches/{bus.id}/pin", data={"version": version_in(text)}
    )

    assert again.status_code == 302
    assert match_of(db, draft, "BusBuddy").pinned


def test_a_swap_from_an_older_page_is_refused_and_keeps_the_choice(
    db, client, second_client, login_as, sign_in, maya, draft
):
    sign_in(client, maya.email)
    login_as("manager", name="Ravi Reviewer", on=second_client)
    aqua, bus = match_of(db, draft, "AquaSave"), match_of(db, draft, "BusBuddy")
    aqua_mentor, bus_mentor = (
        introductions.counterpart_name(aqua),
        introductions.counterpart_name(bus),
    )
    prefix = f"swap-{aqua.id}-"
    # The swap form is on the page where the other match is chosen.
    swap_page = f"/matching/runs/matches/{aqua.id}/swap"

    mayas, ravis = versions_opened(swap_page, client, second_client, name=prefix + "version")
    client.post(f"/matching/runs/matches/{bus.id}/pin", data={"version": mayas})
    refused = second_client.post(
        f"/matching/runs/matches/{aqua.id}/swap",
        data={prefix + "other_id": str(bus.id), prefix + "version": ravis},
    )

    text = assert_refused(
        refused,
        "Maya Manager",
        "This proposal",
        f"{bus_mentor} (pinned)",
        f"Swap {bus_mentor} for {aqua_mentor}",
    )
    assert re.search(rf'<option selected value="{bus.id}">', text)
    assert introductions.counterpart_name(match_of(db, draft, "AquaSave")) == aqua_mentor


def test_a_review_edit_from_a_page_opened_before_publishing_is_refused(
    db, client, second_client, login_as, sign_in, maya, draft
):
    sign_in(client, maya.email)
    login_as("manager", name="Ravi Reviewer", on=second_client)
    runs = f"/matching/cohorts/{draft.cohort_id}"
    aqua = match_of(db, draft, "AquaSave")
    opened = version_in(page(second_client.get(runs)))

    client.post(f"/matching/runs/{draft.id}/publish", data={"confirm": "y"})
    response = second_client.post(
        f"/matching/runs/matches/{aqua.id}/remove", data={"version": opened}
    )

    # Publishing settles the review: the refusal says so rather than offering a re-save.
    assert response.status_code == 302
    shown = page(second_client.get(response.headers["Location"]))
    assert "Only a draft proposal can be changed: this run was published by Maya Manager" in (
        " ".join(shown.split())
    )
    assert match_of(db, draft, "AquaSave").status == MatchStatus.INTRODUCED


def test_a_pair_added_on_the_review_page_joins_the_draft(db, client, sign_in, maya, draft):
    sign_in(client, maya.email)
    runs = f"/matching/cohorts/{draft.cohort_id}"
    aqua, bus = match_of(db, draft, "AquaSave"), match_of(db, draft, "BusBuddy")
    client.post(
        f"/matching/runs/matches/{aqua.id}/remove",
        data={"version": str(draft.version), "lowering_confirmed": "yes"},
    )
    prefix = f"add-{draft.id}-"
    opened = page(client.get(runs))

    response = client.post(
        f"/matching/runs/{draft.id}/matches",
        data={
            prefix + "venture_id": str(aqua.venture_id),
            prefix + "counterpart_id": str(aqua.counterpart_id),
            prefix + "version": version_in(opened, prefix + "version"),
        },
    )

    assert response.status_code == 302
    assert match_of(db, draft, "AquaSave").id != aqua.id
    assert introductions.counterpart_name(match_of(db, draft, "AquaSave")) == (
        introductions.counterpart_name(aqua)
    )
    assert match_of(db, draft, "BusBuddy").id == bus.id


# A change between the check and the write ----------------------------------------------------


def test_a_change_landing_between_the_check_and_the_write_is_refused_not_a_server_error(
    db, monkeypatch
):
    manager = factories.user("manager", name="Ana Manager")
    other = factories.user("manager", name="Ben Manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)
    db.session.commit()
    opened = venture.version
    check = versions.check

    def another_save_lands_after_the_check(*args):
        check(*args)
        # Ben's save lands now, from a writer that took no lock (this test runs it in the
        # same transaction, so the lock cannot stop it): only the UPDATE's WHERE can tell.
        db.session.execute(
            update(Venture)
            .where(Venture.id == venture.id)
            .values(one_liner="Ben's words", version=Venture.version + 1)
            .execution_options(synchronize_session=False)
        )
        audit.record(other, "venture.updated", "venture", venture.id)

    monkeypatch.setattr(versions, "check", another_save_lands_after_the_check)
    profile = ventures.VentureProfile(
        name="LeakMap",
        one_liner="Ana's words",
        description="",
        challenge_area="Water and drought",
        website=None,
    )

    with pytest.raises(StaleEdit) as refused:
        ventures.update_venture(venture, profile, by=manager, expected_version=opened)

    assert "was changed by Ben Manager since you opened it" in refused.value.message
    assert refused.value.theirs == {"one_liner": "Ben's words"}
    assert refused.value.yours == {"one_liner": "Ana's words"}
    assert refused.value.version == opened + 1
    # The transaction is still usable, and holds Ben's change, not Ana's.
    assert db.session.get(Venture, venture.id).one_liner == "Ben's words"


def test_a_version_conflict_outside_a_checked_edit_answers_409_not_500(
    db, client, login_as, monkeypatch
):
    from sqlalchemy.orm.exc import StaleDataError

    manager = login_as("manager")
    venture = factories.venture(factories.cohort(by=manager), "LeakMap", by=manager)

    def collides(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'ventures' expected to update 1 row")

    monkeypatch.setattr(stages, "move_stage", collides)
    response = client.post(
        f"/ventures/{venture.id}/stage", data={"stage": "prototype", "reason": "Ready"}
    )

    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in page(response)
