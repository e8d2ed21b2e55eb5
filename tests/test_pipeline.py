"""The pipeline: stage moves and their history, a cohort's stage plan, milestones, check-ins."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from incubator import clock
from incubator.models import (
    AuditEvent,
    CheckIn,
    CustomKpi,
    Milestone,
    MilestoneTemplate,
    Role,
    StageChange,
    StagePlan,
)
from incubator.services.accounts import users
from incubator.services.errors import InvalidInput, NotAllowed
from incubator.services.pipeline import checkins, milestones, stages
from tests import factories
from tests.helpers import count, page, reloaded, reloaded_or_none, writes_nothing
from tests.plugins.pipeline import milestone_form

# Stage moves in these tests happen a day after the venture joined (which is now).
MOVED_AT = clock.now().replace(microsecond=0) + timedelta(days=1)


def la_today() -> date:
    """Today on the program's calendar (Los Angeles)."""
    return clock.today()


def this_monday() -> date:
    return clock.week_start(la_today())


# Everything the pipeline writes.
WRITTEN = (StageChange, StagePlan, MilestoneTemplate, Milestone, CheckIn, CustomKpi, AuditEvent)


def post_writing_nothing(client, url: str, data: dict | None = None, *, follow=False):
    """Post a form the app must refuse: the response, once it is checked that the post
    wrote no row of the pipeline."""
    with writes_nothing(*WRITTEN):
        return client.post(url, data=data, follow_redirects=follow)


def reviewed_on_the_page(client, milestone, review: str, comment: str) -> str:
    """The page a manager lands on after a review of the milestone with a comment
    (`send-back` or `miss`)."""
    response = client.post(
        f"/milestones/{milestone.id}/{review}", data={"comment": comment}, follow_redirects=True
    )
    return page(response)


def titles(milestones) -> list[str]:
    return [milestone.title for milestone in milestones]


@pytest.fixture
def as_founder(client, sign_in, founder):
    assert sign_in(client, founder.email).status_code == 302
    return founder


@pytest.fixture
def as_manager(client, sign_in, manager):
    assert sign_in(client, manager.email).status_code == 302
    return manager


# Stages: the service ----------------------------------------------------------------------------


def test_a_new_venture_enters_at_concept_with_a_recorded_change_and_its_milestones(
    db, venture, manager
):
    [entry] = stages.stage_history(venture)

    assert venture.stage == "concept"
    assert (entry.from_stage, entry.to_stage) == (None, "concept")
    assert entry.changed_by_id == manager.id
    assert entry.reason == "Joined the cohort"
    planned = milestones.venture_milestones(venture)
    expected = stages.DEFAULT_MILESTONES["concept"]
    assert titles(planned) == [title for title, _description, _days in expected]
    entered_on = clock.program_date(entry.changed_at)
    assert [m.due_on for m in planned] == [
        entered_on + timedelta(days=days) for _title, _description, days in expected
    ]
    assert {m.status for m in planned} == {"planned"}
    assert all(m.template_id is not None for m in planned)


def test_manager_moves_a_venture_forward_and_the_move_is_recorded(
    db, venture, manager, audit_events
):
    change = stages.move_stage(venture, "prototype", "", by=manager, at=MOVED_AT)
    db.session.commit()

    stored = reloaded(venture)
    assert stored.stage == "prototype"
    history = stages.stage_history(stored)
    assert [(c.from_stage, c.to_stage) for c in history] == [
        (None, "concept"),
        ("concept", "prototype"),
    ]
    assert history[-1].id == change.id
    assert history[-1].changed_by_id == manager.id
    assert history[-1].changed_at == MOVED_AT
    [event] = audit_events("venture.stage_changed")
    assert (event.actor_id, event.object_id) == (manager.id, str(venture.id))
    assert event.before == {"stage": "concept"}
    assert event.after == {"stage": "prototype", "reason": ""}
    prototype = [m for m in milestones.venture_milestones(stored) if m.stage == "prototype"]
    assert titles(prototype) == [t for t, _d, _days in stages.DEFAULT_MILESTONES["prototype"]]
    assert prototype[0].due_on == clock.program_date(MOVED_AT) + timedelta(days=28)


def test_moving_back_a_stage_needs_a_reason(db, venture, manager):
    stages.move_stage(venture, "pilot", "Pilot agreed", by=manager, at=MOVED_AT)

    with (
        writes_nothing(*WRITTEN),
        pytest.raises(
            InvalidInput, match=re.escape("Moving a venture back a stage needs a reason.")
        ),
    ):
        stages.move_stage(venture, "prototype", "   ", by=manager)

    assert reloaded(venture).stage == "pilot"


def test_moving_back_with_a_reason_is_recorded(db, venture, manager):
    stages.move_stage(venture, "pilot", "", by=manager, at=MOVED_AT)

    stages.move_stage(
        venture, "prototype", "The pilot site pulled out", by=manager, at=MOVED_AT + timedelta(1)
    )

    assert venture.stage == "prototype"
    last = stages.stage_history(venture)[-1]
    assert (last.from_stage, last.to_stage, last.reason) == (
        "pilot",
        "prototype",
        "The pilot site pulled out",
    )


def test_an_unknown_stage_is_refused_and_nothing_is_written(db, venture, manager):
    with (
        writes_nothing(*WRITTEN),
        pytest.raises(InvalidInput, match=re.escape("Unknown stage 'scale-up'.")),
    ):
        stages.move_stage(venture, "scale-up", "Growing", by=manager)

    assert reloaded(venture).stage == "concept"


def test_moving_to_the_stage_a_venture_is_at_is_refused(db, venture, manager):
    with pytest.raises(InvalidInput, match=re.escape("LeakMap is already at the Concept stage.")):
        stages.move_stage(venture, "concept", "", by=manager)


def test_a_founder_cannot_move_their_own_venture(db, venture, founder):
    with writes_nothing(*WRITTEN), pytest.raises(NotAllowed):
        stages.move_stage(venture, "prototype", "We are ready", by=founder)

    assert reloaded(venture).stage == "concept"


def test_stage_milestones_are_not_duplicated_when_moving_back_and_forth(db, venture, manager):
    stages.move_stage(venture, "prototype", "", by=manager)
    stages.move_stage(venture, "concept", "Users did not get it", by=manager)
    stages.move_stage(venture, "prototype", "", by=manager)

    planned = milestones.venture_milestones(venture)
    concept = [t for t, _d, _days in stages.DEFAULT_MILESTONES["concept"]]
    prototype = [t for t, _d, _days in stages.DEFAULT_MILESTONES["prototype"]]
    assert titles(planned) == concept + prototype
    assert len(stages.stage_history(venture)) == 4


# Stages: the pages -----------------------------------------------------------------------------


def test_manager_moves_a_venture_on_the_milestones_page(db, client, venture, as_manager):
    response = client.post(
        f"/ventures/{venture.id}/stage",
        data={"stage": "prototype", "reason": "Ten interviews done"},
        follow_redirects=True,
    )

    assert "LeakMap moved to Prototype." in page(response)
    assert reloaded(venture).stage == "prototype"
    last = stages.stage_history(venture)[-1]
    assert (last.to_stage, last.reason, last.changed_by_id) == (
        "prototype",
        "Ten interviews done",
        as_manager.id,
    )


def test_the_timeline_shows_the_stage_history(db, client, venture, manager, as_manager):
    stages.move_stage(venture, "prototype", "", by=manager, at=MOVED_AT)
    stages.move_stage(
        venture, "concept", "Back to the drawing board", by=manager, at=MOVED_AT + timedelta(1)
    )

    text = page(client.get(f"/ventures/{venture.id}/timeline"))

    assert "Entered the pipeline at Concept" in text
    assert "Moved from Concept to Prototype" in text
    assert "Moved from Prototype to Concept" in text
    assert "Back to the drawing board" in text
    assert text.index("Moved from Prototype to Concept") < text.index(
        "Moved from Concept to Prototype"
    )


@pytest.mark.parametrize(
    ("at", "data", "message"),
    [
        (
            "pilot",
            {"stage": "concept", "reason": ""},
            "Moving a venture back a stage needs a reason.",
        ),
        (
            "concept",
            {"stage": "unicorn", "reason": "Big"},
            "Unknown stage: choose concept, prototype, pilot, launch or adoption.",
        ),
    ],
    ids=["back without a reason", "unknown stage"],
)
def test_a_refused_stage_move_on_the_page_says_why_and_writes_nothing(
    db, client, venture, manager, as_manager, at, data, message
):
    if at != venture.stage:
        stages.move_stage(venture, at, "", by=manager)

    response = post_writing_nothing(client, f"/ventures/{venture.id}/stage", data=data, follow=True)

    assert message in page(response)
    assert reloaded(venture).stage == at


def test_a_founder_cannot_move_stages_on_the_page(db, client, venture, as_founder):
    response = post_writing_nothing(
        client, f"/ventures/{venture.id}/stage", data={"stage": "adoption", "reason": "Done"}
    )

    assert response.status_code == 403
    assert reloaded(venture).stage == "concept"


# A cohort's stage plan -------------------------------------------------------------------------


def test_a_new_cohort_has_the_default_stage_plan(db, cohort):
    plans = stages.stage_plans(cohort)

    assert {stage: plan.expected_days for stage, plan in plans.items()} == {
        str(stage): days for stage, days in stages.DEFAULT_EXPECTED_DAYS.items()
    }
    assert len(stages.milestone_templates(cohort)) == sum(
        len(defaults) for defaults in stages.DEFAULT_MILESTONES.values()
    )


def test_manager_sets_the_expected_time_in_a_stage(db, client, cohort, as_manager, audit_events):
    version = str(stages.stage_plans(cohort)["pilot"].version)

    response = client.post(
        f"/pipeline/cohorts/{cohort.id}/plan",
        data={
            "plan-stage": "pilot",
            "plan-expected_days": "90",
            "plan-version": version,
            "plan-submit": "Save",
        },
        follow_redirects=True,
    )

    assert "Expected time saved." in page(response)
    db.session.expire_all()
    assert stages.stage_plans(cohort)["pilot"].expected_days == 90
    [event] = audit_events("stage_plan.updated")
    assert event.before == {"stage": "pilot", "expected_days": 70}
    assert event.after == {"stage": "pilot", "expected_days": 90}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ninety", "Not a valid integer value."),
        ("0", "Number must be between 1 and 3650."),
        ("", "Enter a whole number of days."),
    ],
)
def test_a_bad_expected_time_says_why_and_writes_nothing(
    db, client, cohort, as_manager, value, message
):
    response = post_writing_nothing(
        client,
        f"/pipeline/cohorts/{cohort.id}/plan",
        data={"plan-stage": "pilot", "plan-expected_days": value, "plan-submit": "Save"},
    )

    assert response.status_code == 200
    assert message in page(response)
    assert stages.stage_plans(cohort)["pilot"].expected_days == 70


def test_an_unknown_stage_in_the_plan_is_refused(db, client, cohort, as_manager):
    response = post_writing_nothing(
        client,
        f"/pipeline/cohorts/{cohort.id}/plan",
        data={"plan-stage": "scale-up", "plan-expected_days": "30", "plan-submit": "Save"},
    )

    assert "Unknown stage: choose concept, prototype, pilot, launch or adoption." in page(response)
    with pytest.raises(InvalidInput, match=re.escape("Unknown stage 'scale-up'.")):
        stages.set_expected_days(cohort, "scale-up", 30, by=as_manager)


def test_a_default_milestone_added_to_the_plan_reaches_ventures_entering_the_stage(
    db, client, cohort, venture, manager, as_manager
):
    response = client.post(
        f"/pipeline/cohorts/{cohort.id}/plan",
        data={
            "template-stage": "prototype",
            "template-title": "Accessibility review",
            "template-description": "WCAG 2.1 AA check with the Department on Disability.",
            "template-due_after_days": "10",
            "template-submit": "Add default milestone",
        },
        follow_redirects=True,
    )
    assert "Default milestone added" in page(response)

    stages.move_stage(venture, "prototype", "", by=manager, at=MOVED_AT)

    added = [m for m in milestones.venture_milestones(venture) if m.stage == "prototype"]
    assert "Accessibility review" in titles(added)
    review = next(m for m in added if m.title == "Accessibility review")
    assert review.due_on == clock.program_date(MOVED_AT) + timedelta(days=10)
    assert review.description == "WCAG 2.1 AA check with the Department on Disability."


@pytest.mark.parametrize(
    ("title", "due_after_days", "message"),
    [
        (
            "Problem statement signed off",
            "10",
            "The concept stage already has a milestone called 'Problem statement signed off'.",
        ),
        ("Town hall", "two weeks", "Not a valid integer value."),
    ],
    ids=["title taken in the stage", "bad due time"],
)
def test_a_bad_default_milestone_is_refused(
    db, client, cohort, as_manager, title, due_after_days, message
):
    response = post_writing_nothing(
        client,
        f"/pipeline/cohorts/{cohort.id}/plan",
        data={
            "template-stage": "concept",
            "template-title": title,
            "template-due_after_days": due_after_days,
            "template-submit": "Add default milestone",
        },
    )

    assert message in page(response)


def test_removing_a_default_milestone_keeps_it_for_ventures_that_have_it(
    db, client, cohort, venture, manager, as_manager
):
    template = stages.milestone_templates(cohort, "concept")[0]
    template_id = template.id
    title = template.title
    late = factories.venture(cohort, "Latecomer", by=manager)
    stages.move_stage(late, "prototype", "", by=manager)

    response = client.post(f"/pipeline/templates/{template_id}/remove", follow_redirects=True)

    assert "Default milestone removed" in page(response)
    assert db.session.get(MilestoneTemplate, template_id) is None
    assert title in titles(milestones.venture_milestones(venture))
    # A venture entering the stage from now on does not get it.
    newcomer = factories.venture(cohort, "Newcomer", by=manager)
    assert title not in titles(milestones.venture_milestones(newcomer))


def test_founders_cannot_see_or_change_the_stage_plan(db, client, cohort, as_founder):
    with writes_nothing(*WRITTEN):
        assert client.get(f"/pipeline/cohorts/{cohort.id}/plan").status_code == 403
        response = client.post(
            f"/pipeline/cohorts/{cohort.id}/plan",
            data={"plan-stage": "pilot", "plan-expected_days": "5", "plan-submit": "Save"},
        )

    assert response.status_code == 403


# Milestones: the status rules -------------------------------------------------------------------


def test_founder_creates_and_edits_their_venture_milestones(db, venture, founder, audit_events):
    milestone = factories.milestone(
        venture, "Ten interviews", by=founder, due_on=date(2025, 6, 1), owner_id=founder.id
    )

    milestones.update_milestone(
        milestone,
        milestones.MilestoneInput(
            title="Twelve interviews",
            description="In Watts and Boyle Heights",
            stage="concept",
            due_on=date(2025, 6, 8),
            owner_id=None,
        ),
        by=founder,
    )

    stored = reloaded(milestone)
    assert (stored.title, stored.due_on, stored.owner_id, stored.status) == (
        "Twelve interviews",
        date(2025, 6, 8),
        None,
        "planned",
    )
    [created] = audit_events("milestone.created")
    [updated] = audit_events("milestone.updated")
    assert created.actor_id == updated.actor_id == founder.id
    assert updated.before["title"] == "Ten interviews"


def test_a_founder_cannot_write_another_venture_milestones(db, venture, busbuddy, cy):
    with pytest.raises(NotAllowed):
        factories.milestone(venture, "Sneaky", by=cy)
    milestone = milestones.venture_milestones(venture)[0]
    with pytest.raises(NotAllowed):
        milestones.complete_milestone(milestone, None, "Done!", by=cy)


def test_a_milestone_owner_must_be_a_founder_of_the_venture(db, venture, founder, cy):
    with pytest.raises(
        InvalidInput, match=re.escape("The owner must be one of the venture's founders.")
    ):
        factories.milestone(venture, "Pilot plan", by=founder, owner_id=cy.id)


def test_a_milestone_title_longer_than_the_column_is_refused(db, venture, founder):
    with pytest.raises(InvalidInput, match="at most 200 characters"):
        factories.milestone(venture, "x" * 201, by=founder)


def test_a_milestone_in_an_unknown_stage_is_refused(db, venture, founder):
    with pytest.raises(InvalidInput, match=re.escape("Unknown stage 'growth'.")):
        factories.milestone(venture, "Pilot plan", by=founder, stage="growth")


def test_done_needs_evidence(db, venture, founder):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    with pytest.raises(
        InvalidInput, match=re.escape("Add evidence: a link to it, a note on it, or both.")
    ):
        milestones.complete_milestone(milestone, "  ", "  ", by=founder)

    assert milestone.status == "planned"
    assert milestone.completed_at is None


@pytest.mark.parametrize(
    ("url", "note"),
    [("https://docs.example.org/interviews", ""), (None, "Notes are in the shared drive")],
    ids=["link", "note"],
)
def test_a_link_or_a_note_is_enough_evidence(db, venture, founder, url, note):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    milestones.complete_milestone(milestone, url, note, by=founder)

    stored = reloaded(milestone)
    assert stored.status == "done"
    assert stored.completed_at is not None
    assert (stored.evidence_url, stored.evidence_note) == (url, note)


@pytest.mark.parametrize("url", ["leakmap.example.org", "ftp://example.org/notes", "https://"])
def test_evidence_that_is_not_a_link_is_refused(db, venture, founder, url):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    with pytest.raises(InvalidInput, match="Evidence must be a link"):
        milestones.complete_milestone(milestone, url, "", by=founder)

    assert milestone.status == "planned"
    assert milestone.evidence_url is None


def test_a_founder_cannot_verify_their_own_milestone(db, venture, founder):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)

    with pytest.raises(NotAllowed, match=re.escape("Only a program manager verifies milestones.")):
        milestones.verify_milestone(milestone, by=founder)

    assert milestone.status == "done"
    assert milestone.verified_at is None


def test_manager_verifies_a_done_milestone(db, venture, founder, manager, audit_events):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)

    milestones.verify_milestone(milestone, by=manager)

    stored = reloaded(milestone)
    assert stored.status == "verified"
    assert stored.verified_by_id == manager.id
    assert stored.verified_at is not None
    [event] = audit_events("milestone.verified")
    assert event.actor_id == manager.id


@pytest.mark.parametrize("status", ["planned", "in_progress", "missed"])
def test_only_a_done_milestone_can_be_verified_or_sent_back(db, venture, founder, manager, status):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestone.status = status
    db.session.flush()  # the services lock and re-read the milestone

    with pytest.raises(
        InvalidInput, match=re.escape("Only a milestone marked done can be verified.")
    ):
        milestones.verify_milestone(milestone, by=manager)
    with pytest.raises(
        InvalidInput, match=re.escape("Only a milestone marked done can be sent back.")
    ):
        milestones.send_back_milestone(milestone, "More", by=manager)

    assert milestone.status == status


def test_sending_back_needs_a_comment_and_reopens_the_milestone(db, venture, founder, manager):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, "https://example.org/notes", "", by=founder)

    with pytest.raises(
        InvalidInput, match=re.escape("Say what is missing when sending a milestone back.")
    ):
        milestones.send_back_milestone(milestone, "  ", by=manager)
    assert milestone.status == "done"

    milestones.send_back_milestone(milestone, "Only six interviews are written up.", by=manager)

    stored = reloaded(milestone)
    assert stored.status == "in_progress"
    assert stored.review_comment == "Only six interviews are written up."
    assert stored.completed_at is None


def test_a_verified_milestone_cannot_be_edited_or_reopened(db, venture, founder, manager):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    milestones.verify_milestone(milestone, by=manager)
    data = milestones.MilestoneInput("Renamed", "", "concept", None, None)

    with pytest.raises(InvalidInput, match=re.escape("A verified milestone cannot be edited.")):
        milestones.update_milestone(milestone, data, by=founder)
    with pytest.raises(InvalidInput, match=re.escape("This milestone is already done.")):
        milestones.complete_milestone(milestone, None, "Again", by=founder)
    with pytest.raises(
        InvalidInput, match=re.escape("Only a planned or missed milestone can be started.")
    ):
        milestones.start_milestone(milestone, by=founder)
    with pytest.raises(
        InvalidInput, match=re.escape("Only an open milestone can be marked missed.")
    ):
        milestones.miss_milestone(milestone, "Late", by=manager)

    stored = reloaded(milestone)
    assert (stored.title, stored.status) == ("Ten interviews", "verified")


def test_a_missed_milestone_can_be_restarted_and_finished(db, venture, founder, manager):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.start_milestone(milestone, by=founder)

    with pytest.raises(NotAllowed):
        milestones.miss_milestone(milestone, "Late", by=founder)
    milestones.miss_milestone(milestone, "The interviews did not happen", by=manager)
    assert milestone.status == "missed"
    assert milestone.review_comment == "The interviews did not happen"

    milestones.start_milestone(milestone, by=founder)
    assert milestone.status == "in_progress"
    milestones.complete_milestone(milestone, None, "Done at last", by=founder)
    assert milestone.status == "done"


def test_overdue_is_computed_from_the_due_date_and_status(db, venture, founder, manager):
    today = date(2025, 6, 10)
    due = factories.milestone(venture, "Due", by=founder, due_on=date(2025, 6, 9))
    due_today = factories.milestone(venture, "Due today", by=founder, due_on=today)
    undated = factories.milestone(venture, "Undated", by=founder)
    finished = factories.milestone(venture, "Finished", by=founder, due_on=date(2025, 6, 1))
    milestones.complete_milestone(finished, None, "Done", by=founder)

    assert due.is_overdue(today)
    assert not due_today.is_overdue(today)
    assert not undated.is_overdue(today)
    assert not finished.is_overdue(today)
    milestones.start_milestone(due, by=founder)
    assert due.is_overdue(today)
    milestones.miss_milestone(due, "Too late", by=manager)
    assert not due.is_overdue(today)
    assert "overdue" not in Milestone.__table__.c


# Milestones: the pages -------------------------------------------------------------------------


def test_founder_adds_a_milestone_on_the_page(db, client, venture, as_founder):
    response = client.post(
        f"/ventures/{venture.id}/milestones",
        data=milestone_form(owner_id=str(as_founder.id)),
        follow_redirects=True,
    )

    assert "Milestone added." in page(response)
    stored = db.session.scalar(select(Milestone).where(Milestone.title == "Ten interviews"))
    assert (stored.venture_id, stored.due_on, stored.owner_id, stored.status) == (
        venture.id,
        date(2025, 6, 1),
        as_founder.id,
        "planned",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"due_on": "June first"}, "Not a valid date value."),
        (
            {"stage": "growth"},
            "Unknown stage: choose concept, prototype, pilot, launch or adoption.",
        ),
        ({"owner_id": "999999"}, "The owner must be one of the venture's founders."),
    ],
    ids=["no title", "bad date", "unknown stage", "stranger as owner"],
)
def test_a_bad_milestone_says_why_and_writes_nothing(
    db, client, venture, as_founder, fields, message
):
    response = post_writing_nothing(
        client, f"/ventures/{venture.id}/milestones", data=milestone_form(**fields)
    )

    assert response.status_code == 200
    assert message in page(response)


def test_founder_edits_a_milestone_on_the_page(db, client, venture, founder, as_founder):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    response = client.post(
        f"/milestones/{milestone.id}/edit",
        data=milestone_form(
            title="Twelve interviews", due_on="2025-07-01", version=str(milestone.version)
        ),
        follow_redirects=True,
    )

    assert "Milestone saved." in page(response)
    stored = reloaded(milestone)
    assert (stored.title, stored.due_on) == ("Twelve interviews", date(2025, 7, 1))


def test_a_verified_milestone_cannot_be_edited_on_the_page(
    db, client, venture, founder, manager, as_founder
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    milestones.verify_milestone(milestone, by=manager)

    response = client.post(
        f"/milestones/{milestone.id}/edit",
        data=milestone_form(title="Renamed", version=str(milestone.version)),
    )

    assert "A verified milestone cannot be edited." in page(response)
    assert reloaded(milestone).title == "Ten interviews"


def test_founder_marks_a_milestone_done_with_a_link(db, client, venture, founder, as_founder):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    response = client.post(
        f"/milestones/{milestone.id}/complete",
        data={"evidence_url": "https://docs.example.org/interviews", "evidence_note": ""},
        follow_redirects=True,
    )

    assert "Ten interviews is done; a program manager will verify it." in page(response)
    stored = reloaded(milestone)
    assert (stored.status, stored.evidence_url) == ("done", "https://docs.example.org/interviews")


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        (
            {"evidence_url": "docs.example.org/interviews", "evidence_note": "See the notes"},
            "Evidence must be a full link (https://…).",
        ),
        (
            {"evidence_url": "", "evidence_note": ""},
            "Add evidence: a link to it, a note on it, or both.",
        ),
    ],
    ids=["not a link", "no evidence"],
)
def test_bad_evidence_on_the_page_says_why_and_writes_nothing(
    db, client, venture, founder, as_founder, evidence, message
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    response = post_writing_nothing(
        client, f"/milestones/{milestone.id}/complete", data=evidence, follow=True
    )

    assert message in page(response)
    stored = reloaded(milestone)
    assert (stored.status, stored.evidence_url, stored.evidence_note) == ("planned", None, "")


def test_a_founder_cannot_verify_send_back_or_miss_on_the_page(
    db, client, venture, founder, as_founder
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    with writes_nothing(*WRITTEN):
        for action in ("verify", "send-back", "miss"):
            response = client.post(f"/milestones/{milestone.id}/{action}", data={"comment": "ok"})
            assert response.status_code == 403, action

    assert reloaded(milestone).status == "done"


def test_manager_verifies_on_the_page(db, client, venture, founder, as_manager):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)

    response = client.post(f"/milestones/{milestone.id}/verify", follow_redirects=True)

    assert "Ten interviews is verified." in page(response)
    stored = reloaded(milestone)
    assert (stored.status, stored.verified_by_id) == ("verified", as_manager.id)


def test_sending_back_on_the_page_needs_a_comment(db, client, venture, founder, as_manager):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    milestones.complete_milestone(milestone, None, "Done", by=founder)
    response = post_writing_nothing(
        client, f"/milestones/{milestone.id}/send-back", data={"comment": ""}, follow=True
    )

    assert "Say what is missing when sending a milestone back." in page(response)
    assert reloaded(milestone).status == "done"

    text = reviewed_on_the_page(client, milestone, "send-back", "Attach the interview notes.")

    assert "Ten interviews went back to the founders." in text
    assert "Program team: Attach the interview notes." in text
    assert reloaded(milestone).status == "in_progress"


def test_manager_marks_a_milestone_missed_on_the_page(db, client, venture, founder, as_manager):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)

    text = reviewed_on_the_page(client, milestone, "miss", "The pilot partner withdrew.")

    assert "Ten interviews is marked missed." in text
    assert "Program team: The pilot partner withdrew." in text
    stored = reloaded(milestone)
    assert (stored.status, stored.review_comment) == ("missed", "The pilot partner withdrew.")


def test_the_milestones_page_marks_overdue_milestones(db, client, venture, founder, as_founder):
    factories.milestone(venture, "Late one", by=founder, due_on=la_today() - timedelta(days=1))

    text = page(client.get(f"/ventures/{venture.id}/milestones"))

    assert text.count(">Overdue<") == 1
    assert "1 overdue milestone" in text


# Check-ins: the service -------------------------------------------------------------------------


def check_in_input(week_start: date, **fields) -> checkins.CheckInInput:
    data = checkins.CheckInInput(
        week_start=week_start,
        summary="Interviewed eight residents in Watts.",
        progress="Prototype tested with five users",
        blockers="Waiting for DWP meter data",
        ask_kinds=["data", "introductions"],
        asks="An introduction to the DWP open data team",
        confidence=4,
        users_reached=120,
        active_pilots=1,
        revenue=0.0,
        funding_raised=25000.0,
        team_size=3,
    )
    return replace(data, **fields)


MONDAY = date(2025, 6, 2)


def test_founder_posts_a_weekly_check_in(db, venture, founder, audit_events):
    saved, created = checkins.save_check_in(
        venture, check_in_input(MONDAY), by=founder, today=MONDAY + timedelta(days=3)
    )

    assert created
    stored = reloaded_or_none(CheckIn, saved.id)
    assert (stored.venture_id, stored.week_start, stored.author_id) == (
        venture.id,
        MONDAY,
        founder.id,
    )
    assert stored.ask_kinds == ["data", "introductions"]
    assert (stored.confidence, stored.users_reached, stored.funding_raised) == (4, 120, 25000.0)
    [event] = audit_events("check_in.created")
    assert event.after == {"venture_id": venture.id, "week": "2025-06-02"}


def test_a_second_check_in_for_the_same_week_edits_the_first(db, venture, founder, audit_events):
    first, _ = checkins.save_check_in(venture, check_in_input(MONDAY), by=founder, today=MONDAY)

    second, created = checkins.save_check_in(
        venture,
        check_in_input(MONDAY, summary="Better than we thought", confidence=5),
        by=founder,
        today=MONDAY + timedelta(days=4),
    )

    assert not created
    assert second.id == first.id
    assert count(CheckIn) == 1
    stored = reloaded_or_none(CheckIn, first.id)
    assert (stored.summary, stored.confidence) == ("Better than we thought", 5)
    assert len(audit_events("check_in.updated")) == 1


def test_the_week_unique_key_is_in_the_database(db, venture, founder):
    from sqlalchemy.exc import IntegrityError

    factories.check_in(venture, founder, MONDAY)

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(CheckIn(venture_id=venture.id, week_start=MONDAY, summary="x", confidence=3))
        db.session.flush()
    assert count(CheckIn) == 1


@pytest.mark.parametrize(
    ("fields", "today", "message"),
    [
        (
            {"week_start": MONDAY + timedelta(days=2)},
            MONDAY,
            "A check-in's week starts on a Monday.",
        ),
        (
            {"week_start": MONDAY + timedelta(days=7)},
            MONDAY + timedelta(days=6),
            "You cannot check in for a week that has not started: the week of Jun 9 is still to "
            "come (this week is the week of Jun 2).",
        ),
        ({"summary": "  "}, MONDAY, "Write a short summary of the week."),
        ({"confidence": 0}, MONDAY, "Confidence is a number from 1 to 5."),
        ({"confidence": 6}, MONDAY, "Confidence is a number from 1 to 5."),
        ({"users_reached": -5}, MONDAY, "Residents or users reached cannot be negative."),
        ({"revenue": -1.0}, MONDAY, "Revenue (USD) cannot be negative."),
        ({"ask_kinds": ["money"]}, MONDAY, "Unknown kind of ask: money."),
        ({"custom_kpis": {"Gallons saved": 10}}, MONDAY, "'Gallons saved' is not one of this"),
        ({"revenue": float("inf")}, MONDAY, "Revenue (USD) must be a number."),
        ({"funding_raised": float("nan")}, MONDAY, "Funding raised (USD) must be a number."),
        ({"team_size": 3_000_000_000}, MONDAY, "Team size must be at most 2,000,000,000."),
    ],
    ids=[
        "not a monday",
        "future week",
        "no summary",
        "confidence 0",
        "confidence 6",
        "negative users",
        "negative revenue",
        "unknown ask",
        "unknown kpi",
        "infinite revenue",
        "nan funding",
        "huge team",
    ],
)
def test_a_bad_check_in_is_refused_and_writes_nothing(db, venture, founder, fields, today, message):
    with writes_nothing(*WRITTEN), pytest.raises(InvalidInput, match=re.escape(message)):
        checkins.save_check_in(
            venture, replace(check_in_input(MONDAY), **fields), by=founder, today=today
        )


def check_ins_as_stored(db) -> list[tuple]:
    """Every check-in as the database holds it: id, venture, week, author, words, numbers."""
    db.session.expire_all()
    return [
        (c.id, c.venture_id, c.week_start, c.author_id, c.summary, c.confidence, c.users_reached)
        for c in db.session.scalars(select(CheckIn).order_by(CheckIn.id))
    ]


@pytest.mark.parametrize("other_week_written", [True, False], ids=["written", "empty"])
def test_an_edit_cannot_move_a_check_in_to_another_week(db, venture, founder, other_week_written):
    next_week = MONDAY + timedelta(days=7)
    mine = factories.check_in(venture, founder, MONDAY, summary="Week one")
    if other_week_written:
        factories.check_in(venture, founder, next_week, summary="Week two", today=next_week)
    before = check_ins_as_stored(db)
    message = (
        "This is the check-in for the week of Jun 2, and its week cannot change to the week of "
        "Jun 9; nothing was saved. To write about the week of Jun 9, open that week."
    )

    with writes_nothing(*WRITTEN), pytest.raises(InvalidInput, match=re.escape(message)):
        checkins.save_check_in(
            venture,
            check_in_input(next_week, summary="Moved", users_reached=1),
            by=founder,
            today=next_week + timedelta(days=2),
            editing=mine,
        )

    assert check_ins_as_stored(db) == before


def test_an_edit_keeping_its_week_saves(db, venture, founder):
    mine = factories.check_in(venture, founder, MONDAY, summary="Week one")

    saved, created = checkins.save_check_in(
        venture, check_in_input(MONDAY, summary="Better"), by=founder, today=MONDAY, editing=mine
    )

    assert (saved.id, created, reloaded(saved).summary) == (mine.id, False, "Better")


def test_an_edit_of_another_ventures_check_in_is_refused(db, venture, founder, busbuddy, cy):
    theirs = factories.check_in(busbuddy, cy, MONDAY, summary="BusBuddy's week")

    with writes_nothing(*WRITTEN), pytest.raises(InvalidInput, match="another venture"):
        checkins.save_check_in(
            venture, check_in_input(MONDAY), by=founder, today=MONDAY, editing=theirs
        )


def test_a_week_before_the_cohort_started_is_refused(db, venture, founder):
    # Spring 2025 starts on Tuesday, April 1: its first week is that of Monday, March 31.
    first_week = date(2025, 3, 31)
    message = (
        "The week of Mar 24 is before Spring 2025 started on Apr 1; check-ins begin with the "
        "week of Mar 31."
    )

    with writes_nothing(*WRITTEN), pytest.raises(InvalidInput, match=re.escape(message)):
        checkins.save_check_in(
            venture, check_in_input(first_week - timedelta(days=7)), by=founder, today=MONDAY
        )

    saved, created = checkins.save_check_in(
        venture, check_in_input(first_week), by=founder, today=MONDAY
    )
    assert created and reloaded(saved).week_start == first_week


def test_an_edit_of_a_check_in_from_before_the_cohort_is_refused(db, venture, founder):
    # Written before the cohort's start moved later, say: it stays, and cannot be edited.
    early = CheckIn(
        venture_id=venture.id,
        week_start=date(2025, 3, 17),
        author_id=founder.id,
        summary="Before we joined",
        confidence=3,
    )
    db.session.add(early)
    before = check_ins_as_stored(db)

    with (
        writes_nothing(*WRITTEN),
        pytest.raises(InvalidInput, match=re.escape("The week of Mar 17 is before Spring 2025")),
    ):
        checkins.save_check_in(
            venture, check_in_input(early.week_start), by=founder, today=MONDAY, editing=early
        )

    assert check_ins_as_stored(db) == before


def test_an_edit_into_a_week_still_to_come_is_refused_as_such(db, venture, founder):
    mine = factories.check_in(venture, founder, MONDAY, summary="Week one")
    before = check_ins_as_stored(db)

    with (
        writes_nothing(*WRITTEN),
        pytest.raises(InvalidInput, match="You cannot check in for a week that has not started"),
    ):
        checkins.save_check_in(
            venture,
            check_in_input(MONDAY + timedelta(days=7)),
            by=founder,
            today=MONDAY + timedelta(days=3),
            editing=mine,
        )

    assert check_ins_as_stored(db) == before


def test_check_in_messages_show_the_year_of_a_week_in_another_year(db, venture, founder):
    # Friday, January 2, 2026: this week began on Monday, December 29, 2025.
    new_year = date(2026, 1, 2)
    this_week = date(2025, 12, 29)
    mine = factories.check_in(venture, founder, this_week, today=new_year)

    with pytest.raises(InvalidInput) as moved:
        checkins.save_check_in(
            venture,
            check_in_input(date(2025, 12, 22)),
            by=founder,
            today=new_year,
            editing=mine,
        )
    with pytest.raises(InvalidInput) as early:
        checkins.save_check_in(
            venture, check_in_input(date(2026, 1, 5)), by=founder, today=new_year
        )

    assert "the week of Dec 29, 2025, and its week cannot change to the week of Dec 22, 2025" in (
        str(moved.value)
    )
    assert "the week of Jan 5 is still to come (this week is the week of Dec 29, 2025)" in str(
        early.value
    )


def test_only_the_venture_founders_post_its_check_ins(db, venture, manager, busbuddy, cy):
    with writes_nothing(*WRITTEN):
        for person in (manager, cy):
            with pytest.raises(
                NotAllowed, match=re.escape("Only the venture's founders post its check-ins.")
            ):
                checkins.save_check_in(venture, check_in_input(MONDAY), by=person, today=MONDAY)


def test_custom_kpis_are_tracked_per_venture(db, venture, founder, busbuddy, cy):
    checkins.add_custom_kpi(venture, "Gallons saved", "gallons", by=founder)

    saved = factories.check_in(venture, founder, MONDAY, custom_kpis={"Gallons saved": 1200.5})

    assert reloaded_or_none(CheckIn, saved.id).custom_kpis == {"Gallons saved": 1200.5}
    with pytest.raises(
        InvalidInput, match=re.escape("'Gallons saved' is not one of this venture's KPIs.")
    ):
        factories.check_in(busbuddy, cy, MONDAY, custom_kpis={"Gallons saved": 3.0})
    with pytest.raises(InvalidInput, match=re.escape("Gallons saved must be a number.")):
        factories.check_in(venture, founder, MONDAY, custom_kpis={"Gallons saved": "lots"})
    with pytest.raises(InvalidInput, match=re.escape("Gallons saved cannot be negative.")):
        factories.check_in(venture, founder, MONDAY, custom_kpis={"Gallons saved": -3.0})


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Gallons saved", "The venture already tracks 'Gallons saved'."),
        ("Team size", "'Team size' is already one of the standard KPIs."),
        ("", "A KPI needs a name of at most 80 characters."),
    ],
)
def test_a_custom_kpi_needs_a_new_name(db, venture, founder, name, message):
    checkins.add_custom_kpi(venture, "Gallons saved", "gallons", by=founder)

    with pytest.raises(InvalidInput, match=re.escape(message)):
        checkins.add_custom_kpi(venture, name, "", by=founder)

    assert titles_of_kpis(venture) == ["Gallons saved"]


def titles_of_kpis(venture) -> list[str]:
    return [kpi.name for kpi in checkins.custom_kpis(venture)]


# Check-ins: the pages --------------------------------------------------------------------------


def check_in_form(week_start: date, **fields) -> dict[str, object]:
    data = {
        "week_start": week_start.isoformat(),
        "summary": "Interviewed eight residents in Watts.",
        "progress": "Prototype tested with five users",
        "blockers": "",
        "ask_kinds": ["mentors", "funding"],
        "asks": "A mentor who has sold to the city",
        "confidence": "4",
        "users_reached": "120",
        "active_pilots": "1",
        "revenue": "",
        "funding_raised": "25000",
        "team_size": "3",
    }
    return {**data, **fields}


def test_founder_posts_this_week_check_in_on_the_page(db, client, venture, as_founder):
    response = client.post(
        f"/ventures/{venture.id}/check-in",
        data=check_in_form(this_monday()),
        follow_redirects=True,
    )

    text = page(response)
    assert "Check-in posted." in text
    assert "Interviewed eight residents in Watts." in text
    [stored] = db.session.scalars(select(CheckIn))
    assert (stored.week_start, stored.confidence, stored.users_reached) == (this_monday(), 4, 120)
    assert (stored.revenue, stored.funding_raised) == (None, 25000.0)
    assert stored.ask_kinds == ["mentors", "funding"]


def test_posting_again_in_the_same_week_edits_the_check_in(db, client, venture, as_founder):
    client.post(f"/ventures/{venture.id}/check-in", data=check_in_form(this_monday()))

    response = client.post(
        f"/ventures/{venture.id}/check-in",
        data=check_in_form(this_monday(), summary="Signed the pilot!", confidence="5"),
        follow_redirects=True,
    )

    assert "This week's check-in is updated." in page(response)
    [stored] = db.session.scalars(select(CheckIn))
    assert (stored.summary, stored.confidence) == ("Signed the pilot!", 5)


def test_the_check_in_form_shows_this_week_check_in_to_edit(
    db, client, venture, founder, as_founder
):
    factories.check_in(venture, founder, this_monday(), summary="Already written", today=la_today())

    text = page(client.get(f"/ventures/{venture.id}/check-in"))

    assert "Editing the check-in for the week of" in text
    assert "Already written" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"users_reached": "lots"}, "Not a valid integer value."),
        ({"revenue": "ten dollars"}, "Not a valid decimal value."),
        ({"team_size": "-1"}, "Enter 0 or more."),
        ({"funding_raised": "-500"}, "Enter 0 or more."),
        ({"confidence": "7"}, "Confidence is a number from 1 to 5."),
        ({"confidence": "high"}, "Confidence is a number from 1 to 5."),
        ({"summary": ""}, "This field is required."),
        ({"week_start": "next week"}, "Not a valid date value."),
        ({"revenue": "Infinity"}, "Revenue (USD) must be a number."),
        ({"funding_raised": "1e400"}, "Funding raised (USD) must be a number."),
        (
            {"users_reached": "99999999999999"},
            "Residents or users reached must be at most 2,000,000,000.",
        ),
    ],
    ids=[
        "text users",
        "text revenue",
        "negative team",
        "negative funding",
        "confidence 7",
        "confidence text",
        "no summary",
        "bad week",
        "infinite revenue",
        "overflowing funding",
        "too many users",
    ],
)
def test_a_bad_check_in_on_the_page_says_why_and_writes_nothing(
    db, client, venture, as_founder, fields, message
):
    response = post_writing_nothing(
        client,
        f"/ventures/{venture.id}/check-in",
        data={**check_in_form(this_monday()), **fields},
    )

    assert response.status_code == 200
    assert message in page(response)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        (lambda: this_monday() + timedelta(days=1), "A check-in's week starts on a Monday."),
        (
            lambda: this_monday() + timedelta(days=7),
            "You cannot check in for a week that has not started: the week of",
        ),
    ],
    ids=["not a monday", "future week"],
)
def test_a_check_in_week_must_be_a_monday_that_has_begun(
    db, client, venture, as_founder, week, message
):
    response = post_writing_nothing(
        client, f"/ventures/{venture.id}/check-in", data=check_in_form(week())
    )

    assert message in page(response)


def test_the_edit_form_cannot_move_a_check_in_onto_another_weeks(
    db, client, venture, founder, as_founder
):
    last_week = this_monday() - timedelta(days=7)
    mine = factories.check_in(venture, founder, last_week, summary="Last week's", today=la_today())
    factories.check_in(venture, founder, this_monday(), summary="This week's", today=la_today())
    url = f"/ventures/{venture.id}/check-in"
    form = page(client.get(f"{url}?week={last_week.isoformat()}"))
    assert "Editing the check-in for the week of " + clock.day_label(last_week) in form
    assert re.search(r'<input[^>]*name="week_start"[^>]*readonly', form)
    assert f'name="seen_check_in" type="hidden" value="{mine.id}"' in form
    before = check_ins_as_stored(db)

    response = post_writing_nothing(
        client,
        url,
        data=check_in_form(this_monday(), summary="Moved", seen_check_in=str(mine.id)),
    )

    assert response.status_code == 200
    text = page(response)
    assert (
        f"This is the check-in for the week of {clock.day_label(last_week)}, and its week "
        f"cannot change to the week of {clock.day_label(this_monday())}; nothing was saved."
    ) in text
    assert "updated" not in text
    assert check_ins_as_stored(db) == before


@pytest.mark.parametrize("other_week_written", [True, False], ids=["written", "empty"])
def test_a_new_check_in_form_cannot_change_its_week(
    db, client, venture, founder, as_founder, other_week_written
):
    last_week = this_monday() - timedelta(days=7)
    if other_week_written:
        factories.check_in(venture, founder, last_week, summary="Last week's", today=la_today())
    url = f"/ventures/{venture.id}/check-in"
    form = page(client.get(url))
    assert f'name="seen_week" type="hidden" value="{this_monday().isoformat()}"' in form
    before = check_ins_as_stored(db)

    response = post_writing_nothing(
        client,
        url,
        data=check_in_form(last_week, seen_week=this_monday().isoformat(), seen_check_in=""),
    )

    assert (
        f"This form is for the week of {clock.day_label(this_monday())}, and its week cannot "
        f"change to the week of {clock.day_label(last_week)}; nothing was saved."
    ) in page(response)
    assert check_ins_as_stored(db) == before


def test_a_missed_week_is_opened_from_the_form_and_posted(db, client, venture, as_founder):
    last_week = this_monday() - timedelta(days=7)
    url = f"/ventures/{venture.id}/check-in"
    assert 'name="week"' in page(client.get(url))

    # Any day of the week opens it.
    form = page(client.get(f"{url}?week={(last_week + timedelta(days=3)).isoformat()}"))
    assert f"A new check-in for the week of {clock.day_label(last_week)}." in form
    response = client.post(
        url + f"?week={last_week.isoformat()}",
        data=check_in_form(last_week, seen_week=last_week.isoformat(), seen_check_in=""),
        follow_redirects=True,
    )

    assert "Check-in posted." in page(response)
    assert [row[2] for row in check_ins_as_stored(db)] == [last_week]


@pytest.mark.parametrize(
    ("week", "message"),
    [
        (lambda: this_monday() + timedelta(days=7), "is still to come"),
        (lambda: date(2025, 3, 24), "is before Spring 2025 started"),
    ],
    ids=["future", "before the cohort"],
)
def test_the_form_of_a_week_that_cannot_have_a_check_in_says_so(
    db, client, venture, as_founder, week, message
):
    text = page(client.get(f"/ventures/{venture.id}/check-in?week={week().isoformat()}"))

    assert re.search(rf'<div class="alert alert-warning">[^<]*{message}', text)


def test_an_edit_of_last_weeks_check_in_says_which_week_it_updated(
    db, client, venture, founder, as_founder
):
    last_week = this_monday() - timedelta(days=7)
    mine = factories.check_in(venture, founder, last_week, summary="Last week's", today=la_today())

    response = client.post(
        f"/ventures/{venture.id}/check-in",
        data=check_in_form(last_week, summary="Edited", seen_check_in=str(mine.id)),
        follow_redirects=True,
    )

    assert f"The check-in for the week of {clock.day_label(last_week)} is updated." in page(
        response
    )
    assert reloaded(mine).summary == "Edited"


@pytest.mark.parametrize("seen", ["", "99999999999999999999", "abc"])
def test_a_week_before_the_cohort_is_refused_on_the_page(db, client, venture, as_founder, seen):
    response = post_writing_nothing(
        client,
        f"/ventures/{venture.id}/check-in",
        data=check_in_form(date(2025, 3, 24), seen_check_in=seen),
    )

    assert response.status_code == 200
    assert (
        f"The week of {clock.day_label(date(2025, 3, 24))} is before Spring 2025 started on "
        f"{clock.day_label(date(2025, 4, 1))}; check-ins begin with the week of "
        f"{clock.day_label(date(2025, 3, 31))}."
    ) in page(response)


def test_check_in_weeks_show_the_year_only_outside_this_year(
    db, client, venture, founder, as_founder
):
    # 53 weeks ago is always in an earlier year.
    long_ago = this_monday() - timedelta(weeks=53)
    factories.check_in(venture, founder, long_ago, summary="A year ago", today=la_today())
    factories.check_in(venture, founder, this_monday(), summary="Now", today=la_today())

    text = page(client.get(f"/ventures/{venture.id}/check-ins"))

    assert f"Week of {long_ago:%b} {long_ago.day}, {long_ago.year}</strong>" in text
    this_year = la_today().year == this_monday().year
    shown = f"{this_monday():%b} {this_monday().day}" + (
        "" if this_year else f", {this_monday().year}"
    )
    assert f"Week of {shown}</strong>" in text


def test_weeks_of_the_old_year_show_their_year_in_the_new_one(
    app, db, client, venture, founder, manager, sign_in
):
    # Half past midnight on Friday, January 1, 2027 in Los Angeles: this week began on
    # Monday, December 28, 2026.
    with time_machine.travel(datetime(2027, 1, 1, 8, 30, tzinfo=UTC), tick=False):
        assert clock.week_start(clock.today()) == date(2026, 12, 28)
        mine = factories.check_in(venture, founder, date(2026, 12, 28), today=clock.today())
        db.session.commit()
        assert sign_in(client, founder.email).status_code == 302

        form = page(client.get(f"/ventures/{venture.id}/check-in"))
        listed = page(client.get(f"/ventures/{venture.id}/check-ins"))
        timeline = page(client.get(f"/ventures/{venture.id}/timeline"))
        refused = post_writing_nothing(
            client,
            f"/ventures/{venture.id}/check-in",
            data=check_in_form(date(2027, 1, 4), seen_check_in=str(mine.id)),
        )
        team = app.test_client()
        assert sign_in(team, manager.email).status_code == 302
        board = page(team.get(f"/pipeline/cohorts/{venture.cohort_id}"))

    assert "Editing the check-in for the week of Dec 28, 2026." in form
    assert "Week of Dec 28, 2026</strong>" in listed
    assert "Check-in for the week of Dec 28, 2026 (confidence" in timeline
    assert "Checked in for the week of Dec 28, 2026 (" in board
    assert "the week of Jan 4 is still to come (this week is the week of Dec 28, 2026)" in page(
        refused
    )


def test_a_custom_kpi_gets_its_own_field(db, client, venture, as_founder):
    response = client.post(
        f"/ventures/{venture.id}/kpis",
        data={"name": "Gallons saved", "unit": "gallons"},
        follow_redirects=True,
    )
    text = page(response)
    assert "Your check-ins now ask for Gallons saved." in text
    assert "Gallons saved (gallons)" in text
    [kpi] = checkins.custom_kpis(venture)

    response = client.post(
        f"/ventures/{venture.id}/check-in",
        data=check_in_form(this_monday(), **{f"kpi_{kpi.id}": "1200.5"}),
        follow_redirects=True,
    )

    assert "Gallons saved 1,200.5" in page(response)
    [stored] = db.session.scalars(select(CheckIn))
    assert stored.custom_kpis == {"Gallons saved": 1200.5}


def test_text_in_a_custom_kpi_field_says_why_and_writes_nothing(
    db, client, venture, founder, as_founder
):
    kpi = checkins.add_custom_kpi(venture, "Gallons saved", "gallons", by=founder)
    response = post_writing_nothing(
        client,
        f"/ventures/{venture.id}/check-in",
        data=check_in_form(this_monday(), **{f"kpi_{kpi.id}": "a lot"}),
    )

    assert "Not a valid decimal value." in page(response)

    response = post_writing_nothing(
        client,
        f"/ventures/{venture.id}/check-in",
        data=check_in_form(this_monday(), **{f"kpi_{kpi.id}": "Infinity"}),
        follow=True,
    )

    assert "Gallons saved must be a number." in page(response)


def test_managers_read_a_venture_check_ins(db, client, venture, founder, as_manager):
    factories.check_in(venture, founder, this_monday(), summary="Pilot signed", today=la_today())

    response = client.get(f"/ventures/{venture.id}/check-ins")

    assert response.status_code == 200
    assert "Pilot signed" in page(response)
    # Managers read check-ins; only founders write them.
    assert client.get(f"/ventures/{venture.id}/check-in").status_code == 403


# Access ----------------------------------------------------------------------------------------


def test_a_founder_cannot_read_another_venture_pages(
    db, client, venture, founder, busbuddy, cy, sign_in
):
    factories.check_in(venture, founder, this_monday(), summary="Private", today=la_today())
    db.session.commit()
    sign_in(client, cy.email)

    # Another venture's pages answer as if it did not exist.
    for path in ("check-ins", "check-in", "milestones", "timeline"):
        response = client.get(f"/ventures/{venture.id}/{path}")
        assert response.status_code == 404, path
        assert "Private" not in page(response)


def test_a_founder_cannot_write_another_venture_check_ins_or_milestones(
    db, client, venture, founder, busbuddy, cy, sign_in
):
    mine = factories.milestone(venture, "Ten interviews", by=founder)
    factories.check_in(venture, founder, this_monday(), summary="Ours", today=la_today())
    db.session.commit()
    sign_in(client, cy.email)
    posts = {
        f"/ventures/{venture.id}/check-in": check_in_form(this_monday(), summary="Hijacked"),
        f"/ventures/{venture.id}/kpis": {"name": "Stolen"},
        f"/ventures/{venture.id}/milestones": milestone_form(title="Planted"),
        f"/milestones/{mine.id}/edit": milestone_form(title="Renamed"),
        f"/milestones/{mine.id}/start": {},
        f"/milestones/{mine.id}/complete": {"evidence_note": "Done by someone else"},
    }
    with writes_nothing(*WRITTEN):
        for path, data in posts.items():
            assert client.post(path, data=data).status_code == 404, path

    stored = reloaded_or_none(Milestone, mine.id)
    assert (stored.title, stored.status) == ("Ten interviews", "planned")
    [check_in] = db.session.scalars(select(CheckIn))
    assert check_in.summary == "Ours"


@pytest.mark.parametrize("role", ["mentor", "funder", "partner", "judge"])
def test_people_not_on_the_team_do_not_see_check_ins_or_milestones(
    db, client, venture, founder, login_as, role
):
    milestone = factories.milestone(venture, "Ten interviews", by=founder)
    factories.check_in(venture, founder, this_monday(), summary="Private", today=la_today())
    login_as(role)
    with writes_nothing(*WRITTEN):
        for path in ("check-ins", "check-in", "milestones", "timeline"):
            response = client.get(f"/ventures/{venture.id}/{path}")
            # Mentors may open check-ins, but not of a venture they are not matched with: 404.
            expected = 404 if (role, path) == ("mentor", "check-ins") else 403
            assert response.status_code == expected, (role, path)
            assert "Private" not in page(response)
        assert client.post(f"/milestones/{milestone.id}/start").status_code == 403
        assert (
            client.post(f"/ventures/{venture.id}/check-in", data=check_in_form(this_monday()))
        ).status_code == 403


def test_a_founder_who_is_also_a_mentor_sees_only_their_own_venture(
    db, client, venture, busbuddy, sign_in
):
    person = factories.founder_of(busbuddy, name="Cy Park")
    users.grant_roles(person, {Role.MENTOR}, by=None)
    db.session.commit()
    sign_in(client, person.email)

    assert client.get(f"/ventures/{busbuddy.id}/check-ins").status_code == 200
    assert client.get(f"/ventures/{venture.id}/check-ins").status_code == 404
