"""Promoting hackathon winners into a cohort, one at a time or in bulk; the public showcase."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator.models import (
    AuditEvent,
    Invitation,
    OutboxMessage,
    Role,
    SubmissionMember,
    User,
    Venture,
    VentureMember,
)
from incubator.services.accounts import users
from incubator.services.cohorts import ventures
from incubator.services.errors import Conflict, InvalidInput, NotFound
from incubator.services.pipeline import stages
from tests import factories
from tests.helpers import count, page, reloaded, writes_nothing
from tests.plugins.pipeline import venture_profile

INVITATION_SUBJECT = "Your invitation to Accelerate: LA"


# Everything a promotion writes.
WRITTEN = (Venture, VentureMember, User, Invitation, OutboxMessage, AuditEvent)


def break_a_rule(setup: dict, winner, cohort, *, by) -> None:
    """Set up what a refused-promotion case names: the winner's placement or status, the
    cohort's status, or a cohort already full at this capacity."""
    if "placement" in setup:
        winner.placement = setup["placement"]
    if "status" in setup:
        winner.status = setup["status"]
    if "cohort_status" in setup:
        cohort.status = setup["cohort_status"]
    if "cohort_capacity" in setup:
        cohort.capacity = setup["cohort_capacity"]
        factories.venture(cohort, "Already here", by=by)


@pytest.fixture
def hackathon(db, manager):
    return factories.hackathon("#techLA: Drought", by=manager)


@pytest.fixture
def cohort(db, manager):
    return factories.cohort("Spring 2025", capacity=5, by=manager)


@pytest.fixture
def winner(db, manager, hackathon):
    """A winning team: Ana has an account (a mentor), Bo is new, Carmen gave no email."""
    factories.user("mentor", email="ana@example.org", name="Ana Lopez")
    challenge = factories.challenge(hackathon, "Find the leaks", by=manager)
    return factories.submission(
        hackathon,
        "LeakMap",
        members=[
            ("Ana Lopez", "ana@example.org"),
            ("Bo Chen", "bo@example.org"),
            ("Carmen Ruiz", None),
        ],
        placement="winner",
        challenge_id=challenge.id,
        tagline="Every leak on one map",
        description="Residents report leaks; crews fix them.",
        demo_url="https://leakmap.example.org",
        by=manager,
    )


# Promotion: the service --------------------------------------------------------------------------


def test_promotion_creates_a_concept_venture_linked_to_its_submission(db, manager, cohort, winner):
    result = ventures.promote(winner, cohort, by=manager)
    db.session.commit()

    assert result.created is True
    venture = reloaded(result.venture)
    assert venture.submission_id == winner.id
    assert venture.cohort_id == cohort.id
    assert (venture.name, venture.one_liner) == ("LeakMap", "Every leak on one map")
    assert venture.description == "Residents report leaks; crews fix them."
    assert venture.challenge_area == "Water and drought"
    assert venture.website == "https://leakmap.example.org"
    assert (venture.stage, venture.status) == ("concept", "active")
    assert ventures.venture_for_submission(winner).id == venture.id


def test_promotion_invites_new_team_members_as_founders(db, manager, cohort, winner, outbox):
    result = ventures.promote(winner, cohort, by=manager)
    db.session.commit()

    assert result.invited == ["bo@example.org"]
    assert result.skipped_members == ["Carmen Ruiz (no email)"]
    bo = db.session.scalar(select(User).where(User.email == "bo@example.org"))
    assert (bo.name, bo.roles, bo.password_hash) == ("Bo Chen", {Role.FOUNDER}, None)
    [invitation] = db.session.scalars(select(Invitation).where(Invitation.user_id == bo.id))
    assert invitation.invited_by_id == manager.id
    assert invitation.roles == "founder"
    [message] = outbox("bo@example.org")
    assert message.subject == INVITATION_SUBJECT
    assert "Maria Gonzalez invited you" in message.body
    assert count(User) == 3  # manager, Ana, Bo: Carmen has no email to invite
    members = {m.user.email: m.role_in_team for m in reloaded(result.venture).members}
    assert members == {"ana@example.org": "Founder", "bo@example.org": "Founder"}


def test_promotion_gives_existing_accounts_the_founder_role_and_membership(
    db, manager, cohort, winner, outbox
):
    result = ventures.promote(winner, cohort, by=manager)
    db.session.commit()

    assert result.linked == ["ana@example.org"]
    ana = db.session.scalar(select(User).where(User.email == "ana@example.org"))
    assert ana.roles == {Role.MENTOR, Role.FOUNDER}
    assert ana.has_password
    assert db.session.scalars(select(Invitation).where(Invitation.user_id == ana.id)).all() == []
    assert INVITATION_SUBJECT not in [m.subject for m in outbox("ana@example.org")]
    member = db.session.scalar(select(VentureMember).where(VentureMember.user_id == ana.id))
    assert member.venture_id == result.venture.id


def test_promotion_sends_a_pending_invitee_a_new_invitation_as_founder(
    db, manager, cohort, hackathon, outbox
):
    users.invite("dee@example.org", "Dee Park", {Role.MENTOR}, by=manager)
    placed = factories.submission(
        hackathon, "BusBuddy", members=[("Dee Park", "dee@example.org")], placement="winner"
    )
    db.session.commit()

    result = ventures.promote(placed, cohort, by=manager)
    db.session.commit()

    assert result.invited == ["dee@example.org"]
    dee = db.session.scalar(select(User).where(User.email == "dee@example.org"))
    assert dee.roles == {Role.MENTOR, Role.FOUNDER}
    invitations = list(
        db.session.scalars(
            select(Invitation).where(Invitation.user_id == dee.id).order_by(Invitation.id)
        )
    )
    assert [(i.roles, i.revoked_at is None) for i in invitations] == [
        ("mentor", False),
        ("founder,mentor", True),
    ]
    assert [m.subject for m in outbox("dee@example.org")] == [INVITATION_SUBJECT] * 2


def test_promotion_links_the_team_on_the_submission_to_the_accounts(db, manager, cohort, winner):
    ventures.promote(winner, cohort, by=manager)
    db.session.commit()

    members = reloaded(winner).members
    users = {u.email: u.id for u in db.session.scalars(select(User))}
    assert [(m.name, m.user_id) for m in members] == [
        ("Ana Lopez", users["ana@example.org"]),
        ("Bo Chen", users["bo@example.org"]),
        ("Carmen Ruiz", None),
    ]


def test_promotion_is_in_the_audit_trail(db, manager, cohort, winner, audit_events):
    result = ventures.promote(winner, cohort, by=manager)
    db.session.commit()

    [event] = audit_events("venture.promoted")
    assert (event.actor_id, event.object_type) == (manager.id, "venture")
    assert event.object_id == str(result.venture.id)
    assert event.after["submission_id"] == winner.id
    assert event.after["stage"] == "concept"
    assert event.after["cohort_id"] == cohort.id
    assert event.after["invited"] == ["bo@example.org"]
    assert event.after["linked"] == ["ana@example.org"]
    added = audit_events("venture.member_added")
    assert sorted(e.after["email"] for e in added) == ["ana@example.org", "bo@example.org"]
    assert len(audit_events("invitation.sent")) == 1


def test_promoting_twice_creates_nothing_the_second_time(db, manager, cohort, winner):
    first = ventures.promote(winner, cohort, by=manager)
    other_cohort = factories.cohort("Fall 2025", by=manager)

    with writes_nothing(*WRITTEN):
        again = ventures.promote(reloaded(winner), cohort, by=manager)
        elsewhere = ventures.promote(reloaded(winner), other_cohort, by=manager)
        db.session.commit()

    assert (again.created, elsewhere.created) == (False, False)
    assert again.venture.id == elsewhere.venture.id == first.venture.id
    assert reloaded(first.venture).cohort_id == cohort.id
    assert again.invited == again.linked == []


def test_database_refuses_a_second_venture_for_the_same_submission(db, manager, cohort, winner):
    ventures.promote(winner, cohort, by=manager)
    db.session.commit()

    db.session.add(
        Venture(cohort_id=cohort.id, submission_id=winner.id, name="LeakMap again", stage="concept")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    assert count(Venture) == 1


def test_a_promotion_that_loses_a_race_returns_the_venture_already_made(
    db, manager, cohort, winner, monkeypatch
):
    first = ventures.promote(winner, cohort, by=manager).venture
    real_lookup = ventures.venture_for_submission
    lookups = []

    def not_yet_promoted_at_first(submission):
        # As if another request promoted the submission between the check and the insert.
        lookups.append(submission.id)
        return None if len(lookups) == 1 else real_lookup(submission)

    monkeypatch.setattr(ventures, "venture_for_submission", not_yet_promoted_at_first)

    with writes_nothing(*WRITTEN):
        result = ventures.promote(reloaded(winner), cohort, by=manager)
        db.session.commit()

    assert len(lookups) == 2
    assert result.created is False
    assert result.venture.id == first.id


@pytest.mark.parametrize(
    ("setup", "error", "message"),
    [
        (
            {"placement": None},
            InvalidInput,
            "LeakMap has no placement; mark it a winner, runner-up or honourable mention",
        ),
        ({"status": "draft"}, InvalidInput, "A draft submission cannot be promoted."),
        ({"cohort_status": "graduated"}, InvalidInput, "Spring 2025 has graduated; it takes no"),
        ({"cohort_capacity": 1}, Conflict, r"Spring 2025 is full \(1 place taken\)."),
    ],
    ids=["no-placement", "draft", "graduated-cohort", "full-cohort"],
)
def test_promotion_that_breaks_a_rule_is_refused_and_writes_nothing(
    db, manager, cohort, winner, setup, error, message
):
    break_a_rule(setup, winner, cohort, by=manager)
    db.session.commit()
    team_before = [m.user_id for m in winner.members]

    with writes_nothing(*WRITTEN), pytest.raises(error, match=message):
        ventures.promote(reloaded(winner), cohort, by=manager)

    assert ventures.venture_for_submission(winner) is None
    assert [m.user_id for m in reloaded(winner).members] == team_before


@pytest.mark.parametrize("placement", ["runner_up", "honourable_mention"])
def test_runners_up_and_honourable_mentions_may_be_promoted(db, manager, cohort, winner, placement):
    winner.placement = placement

    assert ventures.promote(winner, cohort, by=manager).created is True


def test_an_archived_venture_frees_its_place_for_a_promotion(db, manager, cohort, winner):
    cohort.capacity = 1
    leaving = factories.venture(cohort, "Leaving", by=manager)
    ventures.archive_venture(leaving, "Team moved on", by=manager)

    assert ventures.promote(winner, cohort, by=manager).created is True


def test_promoted_venture_takes_a_free_name_in_the_cohort(db, manager, cohort, winner):
    factories.venture(cohort, "LeakMap", by=manager)

    result = ventures.promote(winner, cohort, by=manager)

    assert result.venture.name == "LeakMap (2)"


def test_a_long_project_title_still_makes_a_valid_venture_name(db, manager, cohort, hackathon):
    title = "A" * 200
    factories.venture(cohort, "A" * 160, by=manager)
    placed = factories.submission(hackathon, title, placement="winner", by=manager)

    venture = ventures.promote(placed, cohort, by=manager).venture
    db.session.commit()

    stored = reloaded(venture)
    assert len(stored.name) <= 160
    assert stored.name.startswith("AAAA")
    assert stored.name != "A" * 160


# Promotion: the pages ----------------------------------------------------------------------------


def test_manager_promotes_a_winner_from_its_page(db, client, login_as, cohort, winner, outbox):
    login_as("manager")

    before = page(client.get(f"/hackathons/submissions/{winner.id}"))
    response = client.post(
        f"/cohorts/promote/{winner.id}", data={"cohort_id": str(cohort.id)}, follow_redirects=True
    )

    assert "Promote into cohort" in before
    [venture] = db.session.scalars(select(Venture))
    assert response.request.path == f"/cohorts/ventures/{venture.id}"
    text = page(response)
    assert (
        "LeakMap joined Spring 2025 at stage Concept; 1 invitation sent, 1 existing account added."
        in text
    )
    # Provenance on the venture page ...
    assert "Came from" in text
    assert f'href="/hackathons/submissions/{winner.id}">LeakMap</a>' in text
    assert "at #techLA: Drought (Winner)" in text
    assert "Bo Chen" in text
    # ... and on the submission page.
    after = page(client.get(f"/hackathons/submissions/{winner.id}"))
    assert (
        f'Promoted into Spring 2025, stage Concept: <a href="/cohorts/ventures/{venture.id}">'
        "LeakMap</a>"
    ) in after
    assert "Promote into cohort" not in after
    hackathon_page = page(client.get(f"/hackathons/{winner.hackathon_id}"))
    assert f'<a href="/cohorts/ventures/{venture.id}">Spring 2025</a>' in hackathon_page
    assert venture.submission_id == winner.id
    assert [m.subject for m in outbox("bo@example.org")] == [INVITATION_SUBJECT]


def test_promoting_again_from_the_page_changes_nothing(db, client, login_as, cohort, winner):
    login_as("manager")
    client.post(f"/cohorts/promote/{winner.id}", data={"cohort_id": str(cohort.id)})

    with writes_nothing(*WRITTEN):
        response = client.post(
            f"/cohorts/promote/{winner.id}",
            data={"cohort_id": str(cohort.id)},
            follow_redirects=True,
        )

    assert "LeakMap was already promoted; nothing changed." in page(response)
    assert count(Venture) == 1


def test_founder_sees_where_their_venture_came_from(db, client, login_as, manager, cohort, winner):
    founder = login_as("founder", email="dee@example.org")
    winner.members.append(SubmissionMember(name="Dee", email=founder.email))
    venture = ventures.promote(winner, cohort, by=manager).venture

    text = page(client.get(f"/cohorts/ventures/{venture.id}"))

    assert "LeakMap" in text
    assert "at #techLA: Drought (Winner)" in text
    assert "/hackathons/submissions/" not in text  # founders do not get the manager's page


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"placement": None}, "LeakMap has no placement; mark it a winner, runner-up"),
        ({"status": "draft"}, "A draft submission cannot be promoted."),
        ({"cohort_status": "graduated"}, "Choose an open cohort to promote into."),
        ({"cohort_capacity": 1}, "Spring 2025 is full (1 place taken)."),
        ({"cohort_id": "999999"}, "Choose an open cohort to promote into."),
    ],
    ids=["no-placement", "draft", "graduated-cohort", "full-cohort", "unknown-cohort"],
)
def test_promotion_from_the_page_that_breaks_a_rule_says_why_and_writes_nothing(
    db, client, login_as, manager, cohort, winner, setup, message
):
    login_as("manager")
    break_a_rule(setup, winner, cohort, by=manager)
    cohort_id = setup.get("cohort_id", str(cohort.id))

    with writes_nothing(*WRITTEN):
        response = client.post(
            f"/cohorts/promote/{winner.id}", data={"cohort_id": cohort_id}, follow_redirects=True
        )

    assert response.request.path == f"/hackathons/submissions/{winner.id}"
    assert message in page(response)
    assert ventures.venture_for_submission(winner) is None


def test_submission_without_placement_offers_no_promotion(db, client, login_as, winner):
    login_as("manager")
    winner.placement = None

    text = page(client.get(f"/hackathons/submissions/{winner.id}"))

    assert "Mark a placement on the results page to promote this team" in text
    assert "Promote into cohort" not in text


# Bulk promotion ----------------------------------------------------------------------------------


@pytest.fixture
def placed(db, manager, hackathon):
    """A hackathon's results: a winner, a runner-up, a mention, a placed draft, an unplaced one."""
    team = [("Ana Lopez", "ana@example.org")]
    return {
        "mention": factories.submission(
            hackathon, "Mention", placement="honourable_mention", members=team, by=manager
        ),
        "runner_up": factories.submission(
            hackathon,
            "Runner",
            placement="runner_up",
            members=[("Bo Chen", "bo@example.org")],
            by=manager,
        ),
        "winner": factories.submission(
            hackathon, "Winner", placement="winner", members=[("Cy", "cy@example.org")], by=manager
        ),
        "draft": factories.submission(
            hackathon, "Draft", placement="winner", status="draft", by=manager
        ),
        "unplaced": factories.submission(hackathon, "Unplaced", by=manager),
    }


def plan_of(hackathon, cohort) -> list[tuple[str, str, str]]:
    return [
        (line.submission.title, line.action, line.reason)
        for line in ventures.plan_bulk_promotion(hackathon, cohort)
    ]


def test_bulk_plan_lists_placed_submissions_best_first(db, manager, hackathon, cohort, placed):
    assert plan_of(hackathon, cohort) == [
        ("Draft", "skip", "draft"),
        ("Winner", "promote", ""),
        ("Runner", "promote", ""),
        ("Mention", "promote", ""),
    ]


def test_bulk_plan_respects_the_cohort_capacity_and_earlier_promotions(
    db, manager, hackathon, cohort, placed
):
    other = factories.cohort("Fall 2025", by=manager)
    ventures.promote(placed["winner"], other, by=manager)
    cohort.capacity = 2
    factories.venture(cohort, "Already here", by=manager)

    assert plan_of(hackathon, cohort) == [
        ("Draft", "skip", "draft"),
        ("Winner", "already", "already a venture in Fall 2025"),
        ("Runner", "promote", ""),
        ("Mention", "skip", "Spring 2025 is full"),
    ]


def test_bulk_promotion_promotes_every_winner_once(
    db, manager, hackathon, cohort, placed, audit_events
):
    results = ventures.bulk_promote(hackathon, cohort, by=manager)
    db.session.commit()

    assert [r.venture.name for r in results] == ["Winner", "Runner", "Mention"]
    assert {v.submission_id for v in db.session.scalars(select(Venture))} == {
        placed["winner"].id,
        placed["runner_up"].id,
        placed["mention"].id,
    }
    assert len(audit_events("venture.promoted")) == 3
    [event] = audit_events("cohort.bulk_promotion")
    assert event.after == {"hackathon_id": hackathon.id, "created": 3}

    with writes_nothing(Venture, VentureMember, Invitation, OutboxMessage):
        again = ventures.bulk_promote(hackathon, cohort, by=manager)
        db.session.commit()

    assert again == []
    assert count(Venture) == 3


def test_bulk_promotion_stops_at_the_cohort_capacity(db, manager, hackathon, cohort, placed):
    cohort.capacity = 1

    results = ventures.bulk_promote(hackathon, cohort, by=manager)
    db.session.commit()

    assert [r.venture.submission_id for r in results] == [placed["winner"].id]
    assert count(Venture) == 1


def test_bulk_preview_shows_the_plan_and_writes_nothing(
    db, client, login_as, hackathon, cohort, placed
):
    login_as("manager")

    with writes_nothing(*WRITTEN):
        choose = page(client.get(f"/cohorts/promote-winners/{hackathon.id}"))
        preview = page(client.get(f"/cohorts/promote-winners/{hackathon.id}?cohort_id={cohort.id}"))

    assert "Spring 2025" in choose
    assert "Becomes a venture" not in choose
    assert preview.count("Becomes a venture") == 3
    assert "Skipped</span> draft" in preview
    assert "Unplaced" not in preview
    assert "3 ventures will join Spring 2025 at stage Concept" in preview
    assert "Promote 3 into Spring 2025" in preview


def test_manager_promotes_all_winners_from_the_preview(
    db, client, login_as, hackathon, cohort, placed, outbox, audit_events
):
    login_as("manager")

    response = client.post(
        f"/cohorts/promote-winners/{hackathon.id}",
        data={"cohort_id": str(cohort.id)},
        follow_redirects=True,
    )

    assert response.request.path == f"/cohorts/{cohort.id}"
    text = page(response)
    assert "3 ventures joined Spring 2025." in text
    for name in ("Winner", "Runner", "Mention"):
        assert name in text
    assert count(Venture) == 3
    assert {m.recipient for m in outbox() if m.subject == INVITATION_SUBJECT} == {
        "ana@example.org",
        "bo@example.org",
        "cy@example.org",
    }
    assert len(audit_events("cohort.bulk_promotion")) == 1

    preview = page(client.get(f"/cohorts/promote-winners/{hackathon.id}?cohort_id={cohort.id}"))
    assert preview.count("Already promoted") == 3
    assert "Nothing to promote." in preview


def test_bulk_promotion_into_a_graduated_cohort_is_refused(
    db, client, login_as, hackathon, cohort, placed
):
    login_as("manager")
    cohort.status = "graduated"

    with writes_nothing(*WRITTEN):
        response = client.post(
            f"/cohorts/promote-winners/{hackathon.id}", data={"cohort_id": str(cohort.id)}
        )

    assert "Choose an open cohort to promote into." in page(response)


# The public showcase -----------------------------------------------------------------------------


@pytest.fixture
def published(db, manager, cohort, winner):
    """A published cohort with a promoted venture whose profile holds private details."""
    cohort.showcase_published = True
    factories.scorecard_reference()
    venture = ventures.promote(winner, cohort, by=manager).venture
    ventures.update_venture(
        venture,
        venture_profile(
            description="Secret sauce: the pressure model.",
            neighbourhoods=["Watts", "Pacoima"],
            needs=["Funding"],
        ),
        by=manager,
    )
    gone = factories.venture(cohort, "Gone Venture", by=manager)
    ventures.archive_venture(gone, "Team left", by=manager)
    return cohort


def test_public_showcase_lists_a_published_cohorts_ventures_without_login(db, client, published):
    response = client.get(f"/showcase/cohorts/{published.id}")

    assert response.status_code == 200
    text = page(response)
    assert "Spring 2025" in text
    assert "LeakMap" in text
    assert "Every leak on one map" in text
    assert "Water and drought" in text
    assert "Serving Pacoima, Watts" in text
    assert "Concept" in text
    assert "Gone Venture" not in text


def showcase_names(body: str) -> list[str]:
    return re.findall(r'<h2 class="h5">(.*?)</h2>', body)


def next_link(body: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', body)
    return html.unescape(found.group(1)) if found else None


def test_the_showcase_pages_ventures_by_name_and_counts_the_whole_cohort(
    db, client, manager, monkeypatch
):
    cohort = factories.cohort("Autumn 2026", by=manager, showcase_published=True)
    made = {
        name: factories.venture(cohort, name, by=manager)
        for name in ("Delta", "Bravo", "Foxtrot", "Charlie", "Echo", "Archived")
    }
    ventures.archive_venture(made["Archived"], "Team left", by=manager)
    stages.move_stage(made["Echo"], "prototype", "Built a prototype", by=manager)
    db.session.commit()
    monkeypatch.setattr(ventures, "SHOWCASE_PAGE_SIZE", 2)

    url: str | None = f"/showcase/cohorts/{cohort.id}"
    pages = []
    while url:
        body = page(client.get(url))
        pages.append(showcase_names(body))
        # Every page counts the whole cohort's active ventures, by stage.
        assert "<strong>5 ventures</strong> · Concept 4 · Prototype 1</p>" in body
        assert ("First page" in body) == (len(pages) > 1)
        url = next_link(body)
        assert url is None or len(pages) < 5

    assert pages == [["Bravo", "Charlie"], ["Delta", "Echo"], ["Foxtrot"]]
    past_the_end = page(client.get(f"/showcase/cohorts/{cohort.id}?after=Zulu"))
    assert showcase_names(past_the_end) == ["No ventures yet"] and "First page" in past_the_end


def test_the_showcase_runs_the_same_queries_for_a_small_and_a_large_cohort(
    db, client, manager, page_queries, monkeypatch
):
    monkeypatch.setattr(ventures, "SHOWCASE_PAGE_SIZE", 2)
    urls = []
    for size in (1, 7):
        cohort = factories.cohort(f"Cohort of {size}", by=manager, showcase_published=True)
        for number in range(size):
            factories.venture(cohort, f"Venture {number}", by=manager)
        urls += [f"/showcase/cohorts/{cohort.id}", f"/showcase/cohorts/{cohort.id}?after=Venture 2"]
    db.session.commit()
    page_queries(urls)

    counts = page_queries(urls)

    assert len(set(counts.values())) == 1, counts


def test_public_showcase_shows_nothing_private(db, client, published):
    text = page(client.get(f"/showcase/cohorts/{published.id}"))

    for private in (
        "Secret sauce",
        "Residents report leaks",
        "Ana Lopez",
        "Bo Chen",
        "Carmen Ruiz",
        "@example.org",
        "Funding",
        "leakmap.example.org",
        "/cohorts/ventures/",
        "/hackathons/submissions/",
    ):
        assert private not in text, private


def test_showcase_entries_carry_only_public_fields(db, published):
    [entry] = ventures.showcase(published).entries

    assert [f.name for f in dataclasses.fields(entry)] == [
        "name",
        "one_liner",
        "challenge_area",
        "neighbourhoods",
        "stage",
    ]


def test_an_unpublished_cohorts_showcase_is_404_for_everyone(
    db, client, login_as, manager, cohort, winner
):
    ventures.promote(winner, cohort, by=manager)

    assert client.get(f"/showcase/cohorts/{cohort.id}").status_code == 404
    login_as("manager")
    assert client.get(f"/showcase/cohorts/{cohort.id}").status_code == 404
    with pytest.raises(NotFound):
        ventures.showcase(cohort)
    assert client.get("/showcase/cohorts/999999").status_code == 404


def test_showcase_index_lists_only_published_cohorts(db, client, manager, published):
    factories.cohort("Hidden 2026", by=manager)

    response = client.get("/showcase/")

    assert response.status_code == 200
    text = page(response)
    assert f'href="/showcase/cohorts/{published.id}"' in text
    assert "Spring 2025" in text
    assert "Hidden 2026" not in text


def test_cohort_page_links_to_its_public_showcase_once_published(
    db, client, login_as, cohort, published
):
    login_as("manager")

    text = page(client.get(f"/cohorts/{published.id}"))

    assert f'href="/showcase/cohorts/{published.id}"' in text
