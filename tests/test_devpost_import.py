"""Devpost CSV import: reading both export variants, planning, applying, and the pages."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from incubator.models import (
    AuditEvent,
    ChallengeStatus,
    ImportBatch,
    Submission,
    SubmissionMember,
    SubmissionSource,
    SubmissionStatus,
)
from incubator.services.errors import Conflict, InvalidInput
from incubator.services.hackathons import devpost, devpost_csv
from tests import factories
from tests.helpers import count, location, page, row_counts
from tests.plugins.hackathons import BAD_FILES, devpost_file

DROPSENSE = "https://devpost.com/software/dropsense"
METRO_MILE = "https://devpost.com/software/metro-mile-buddy"
CURB_CUT = "https://devpost.com/software/curb-cut-map"
BIENVENIDA = "https://devpost.com/software/bienvenida-la"


fixture = devpost_file


@pytest.fixture
def hackathon(app):
    created = factories.hackathon("#techLA Civic Hackathon 2024", theme="Water, transit, newcomers")
    for title in ("Water Conservation", "Transit Access", "Immigrant Services Navigator"):
        factories.challenge(created, title)
    return created


def challenge_titled(hackathon, title):
    return next(challenge for challenge in hackathon.challenges if challenge.title == title)


# The tables an import writes.
WRITTEN = (Submission, SubmissionMember, ImportBatch, AuditEvent)


def submission_at(db, url: str) -> Submission:
    return db.session.scalar(select(Submission).where(Submission.submission_url == url))


def upload_and_apply(hackathon, data: bytes, by, *, include_drafts=False) -> devpost.ImportPlan:
    batch = devpost.store_upload(hackathon, "projects.csv", data, by=by)
    return devpost.apply_import(batch, include_drafts, by)


def actions(plan: devpost.ImportPlan) -> dict[int, tuple[str, str]]:
    return {entry.row_number: (entry.action, entry.reason) for entry in plan.entries}


# Reading (see test_devpost_csv.py for the file itself) -------------------------------------


def test_the_size_limit_is_read_from_the_configuration(app):
    app.config["DEVPOST_IMPORT_MAX_BYTES"] = 1024
    try:
        with pytest.raises(InvalidInput, match="takes files up to 1 KB"):
            devpost.read_upload(fixture("current_submitter.csv"))
    finally:
        del app.config["DEVPOST_IMPORT_MAX_BYTES"]


def test_overlong_values_and_bad_links_are_cut_or_dropped_with_a_note(db, hackathon, manager):
    plan = upload_and_apply(hackathon, fixture("overlong_values.csv"), manager)

    assert [entry.action for entry in plan.entries] == ["create", "skip"]
    assert plan.entries[0].notes[0] == "title cut to 200 characters"
    assert submission_at(db, "https://devpost.com/software/agua").members[0].email is None


# Planning --------------------------------------------------------------------------------------


def test_plan_lists_creates_and_skips_with_row_numbers_and_reasons(db, hackathon):
    parsed = devpost_csv.parse_export(fixture("current_unheaded_members.csv"))
    before = row_counts(*WRITTEN)

    plan = devpost.plan_import(hackathon, parsed, include_drafts=False)

    assert actions(plan) == {
        2: ("create", "new submission"),
        3: ("create", "new submission"),
        4: ("skip", "draft (not imported unless you ask)"),
        5: ("skip", "no submission URL"),
        6: ("skip", "same URL as row 2"),
        7: ("create", "new submission"),
    }
    assert plan.counts == {"create": 3, "update": 0, "unchanged": 0, "skip": 3}
    assert row_counts(*WRITTEN) == before


def test_drafts_are_imported_only_when_asked(db, hackathon, manager):
    parsed = devpost_csv.parse_export(fixture("current_unheaded_members.csv"))

    plan = devpost.plan_import(hackathon, parsed, include_drafts=True)
    assert actions(plan)[4] == ("create", "new submission")

    upload_and_apply(hackathon, fixture("current_unheaded_members.csv"), manager)
    assert submission_at(db, BIENVENIDA) is None
    upload_and_apply(
        hackathon, fixture("current_unheaded_members.csv"), manager, include_drafts=True
    )
    assert submission_at(db, BIENVENIDA).status == SubmissionStatus.DRAFT


def test_opt_in_prizes_map_to_challenges_case_insensitively(db, hackathon):
    parsed = devpost_csv.parse_export(fixture("current_unheaded_members.csv"))

    plan = devpost.plan_import(hackathon, parsed, include_drafts=True)
    entries = {entry.row_number: entry for entry in plan.entries}

    # "water conservation, Best Overall": the first matching prize becomes the challenge.
    assert entries[2].challenge is challenge_titled(hackathon, "Water Conservation")
    assert entries[2].notes == ["prizes with no challenge of that name: Best Overall"]
    # " Transit Access " with surrounding spaces.
    assert entries[3].challenge is challenge_titled(hackathon, "Transit Access")
    assert entries[4].challenge is challenge_titled(hackathon, "Immigrant Services Navigator")
    assert entries[7].challenge is None
    assert plan.unmatched_prizes == ["Best Overall"]


def test_older_desired_prizes_map_to_challenges(db, hackathon):
    plan = devpost.plan_import(
        hackathon, devpost_csv.parse_export(fixture("older_format.csv")), include_drafts=False
    )
    entries = {entry.row_number: entry for entry in plan.entries}

    assert entries[2].challenge is challenge_titled(hackathon, "Water Conservation")
    assert entries[3].challenge is challenge_titled(hackathon, "Transit Access")
    assert plan.unmatched_prizes == ["Civic Choice Award"]


def test_a_prize_does_not_match_a_challenge_that_is_not_approved(db, hackathon):
    challenge_titled(hackathon, "Transit Access").status = ChallengeStatus.DECLINED
    db.session.flush()

    plan = devpost.plan_import(
        hackathon, devpost_csv.parse_export(fixture("older_format.csv")), include_drafts=False
    )

    assert plan.entries[1].challenge is None
    assert plan.unmatched_prizes == ["Civic Choice Award", "transit access"]


# Applying --------------------------------------------------------------------------------------


def test_apply_creates_submissions_with_every_mapped_field(db, hackathon, manager):
    plan = upload_and_apply(hackathon, fixture("current_unheaded_members.csv"), manager)

    assert plan.summary()["created"] == 3
    dropsense = submission_at(db, DROPSENSE)
    assert dropsense.hackathon_id == hackathon.id
    assert dropsense.title == dropsense.team_name == "DropSense"
    assert dropsense.source == SubmissionSource.DEVPOST
    assert dropsense.status == SubmissionStatus.SUBMITTED
    assert dropsense.challenge.title == "Water Conservation"
    assert dropsense.repository_url == "https://github.com/dropsense-la/dropsense"
    assert dropsense.demo_url == "https://dropsense.app"
    assert dropsense.video_url == "https://www.youtube.com/watch?v=dr0p5en5e"
    assert dropsense.built_with == "python, flask, postgresql"
    assert dropsense.extra["Which City of LA open data sets did you use?"] == (
        "LADWP water use by ZIP code"
    )
    assert [(m.name, m.email) for m in dropsense.members] == [
        ("Maria Lopez", "maria.lopez@example.org"),
        ("José Ñúñez", "jose.nunez@example.org"),
    ]
    # The key is stored without the trailing slash the export had.
    assert submission_at(db, METRO_MILE).title == "Metro Mile Buddy"
    assert count(Submission) == 3


def test_existing_users_are_linked_and_others_kept_as_invitees(db, hackathon, manager):
    jose = factories.user("founder", email="jose.nunez@example.org", name="José Ñúñez")
    hoa = factories.user("founder", email="hoa.nguyen@example.org", name="Hoa Nguyen")

    upload_and_apply(hackathon, fixture("current_unheaded_members.csv"), manager)

    members = {m.email: m for m in db.session.scalars(select(SubmissionMember))}
    # The export wrote "Jose.Nunez@Example.org"; accounts are matched without case.
    assert members["jose.nunez@example.org"].user_id == jose.id
    assert members["hoa.nguyen@example.org"].user_id == hoa.id
    invitees = [m for m in members.values() if m.user_id is None]
    assert sorted(m.email for m in invitees) == [
        "ana.garcia@example.org",
        "kwame@example.org",
        "maria.lopez@example.org",
        "priya@example.org",
    ]
    assert all(m.email == m.email.lower() for m in members.values())


def test_reimporting_the_same_file_creates_and_updates_nothing(db, hackathon, manager):
    upload_and_apply(hackathon, fixture("current_unheaded_members.csv"), manager)
    before = row_counts(*WRITTEN)
    stored = {
        s.id: (s.title, s.description, s.updated_at) for s in db.session.scalars(select(Submission))
    }

    batch = devpost.store_upload(
        hackathon, "again.csv", fixture("current_unheaded_members.csv"), by=manager
    )
    plan = devpost.plan_batch(batch, include_drafts=False)
    assert actions(plan) == {
        2: ("unchanged", "no changes"),
        3: ("unchanged", "no changes"),
        4: ("skip", "draft (not imported unless you ask)"),
        5: ("skip", "no submission URL"),
        6: ("skip", "same URL as row 2"),
        7: ("unchanged", "no changes"),
    }
    devpost.apply_import(batch, False, manager)
    db.session.expire_all()

    after = row_counts(*WRITTEN)
    assert after["Submission"] == before["Submission"]
    assert after["SubmissionMember"] == before["SubmissionMember"]
    assert stored == {
        s.id: (s.title, s.description, s.updated_at) for s in db.session.scalars(select(Submission))
    }
    assert batch.summary["created"] == batch.summary["updated"] == 0
    assert batch.summary["unchanged"] == 3


def test_the_older_variant_and_the_bom_file_reimport_unchanged_too(db, hackathon, manager):
    for name in ("older_format.csv", "bom_crlf_multiline.csv", "current_submitter.csv"):
        upload_and_apply(hackathon, fixture(name), manager)
        plan = upload_and_apply(hackathon, fixture(name), manager)
        assert {entry.action for entry in plan.entries} == {"unchanged"}, name


def test_reimporting_an_edited_file_updates_only_the_changed_submission(db, hackathon, manager):
    original = fixture("current_unheaded_members.csv")
    upload_and_apply(hackathon, original, manager)
    untouched = {
        url: (s.updated_at, s.description, len(s.members))
        for url, s in ((url, submission_at(db, url)) for url in (DROPSENSE, CURB_CUT))
    }
    edited = original.replace(
        b"for riders with a disability.", b"for riders who use a wheelchair."
    ).replace(b"priya@example.org", b"priya@example.org,Luz,Reyes,luz@example.org")
    assert edited != original

    plan = upload_and_apply(hackathon, edited, manager)

    assert actions(plan)[3] == ("update", "changed: description, team members")
    assert [e.row_number for e in plan.entries if e.action == "update"] == [3]
    db.session.expire_all()
    metro = submission_at(db, METRO_MILE)
    assert metro.description == (
        "Plans the first and last mile to Metro stops for riders who use a wheelchair."
    )
    assert [m.name for m in metro.members][-1] == "Luz Reyes"
    for url, state in untouched.items():
        submission = submission_at(db, url)
        assert (submission.updated_at, submission.description, len(submission.members)) == state
    updates = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "submission.updated")
    ).all()
    assert len(updates) == 1
    assert updates[0].object_id == str(metro.id)
    assert set(updates[0].before) == {"description", "members"}


def test_a_team_name_typed_by_a_manager_survives_a_reimport(db, hackathon, manager):
    data = fixture("current_unheaded_members.csv")
    upload_and_apply(hackathon, data, manager)
    submission_at(db, DROPSENSE).team_name = "Boyle Heights Water Hackers"
    db.session.flush()

    plan = upload_and_apply(hackathon, data, manager)

    assert actions(plan)[2] == ("unchanged", "no changes")
    assert submission_at(db, DROPSENSE).team_name == "Boyle Heights Water Hackers"


def test_a_submission_entered_by_hand_is_updated_not_duplicated(db, hackathon, manager):
    by_hand = factories.submission(hackathon, "Curb Cut Map", team_name="Curb Cutters")
    by_hand.submission_url = CURB_CUT + "/"
    db.session.flush()

    plan = upload_and_apply(hackathon, fixture("current_unheaded_members.csv"), manager)

    assert actions(plan)[7][0] == "update"
    assert count(Submission) == 3
    assert by_hand.team_name == "Curb Cutters"
    assert by_hand.members[0].email == "ana.garcia@example.org"


def test_a_batch_is_applied_only_once(db, hackathon, manager):
    batch = devpost.store_upload(
        hackathon, "projects.csv", fixture("current_unheaded_members.csv"), by=manager
    )
    devpost.apply_import(batch, False, manager)
    before = row_counts(*WRITTEN)

    with pytest.raises(Conflict, match="already been imported"):
        devpost.apply_import(batch, True, manager)
    assert row_counts(*WRITTEN) == before


@pytest.mark.parametrize("name", [name for name, _ in BAD_FILES])
def test_a_bad_upload_leaves_the_database_untouched(db, hackathon, manager, name):
    db.session.commit()
    before = row_counts(*WRITTEN)

    with pytest.raises(InvalidInput):
        devpost.store_upload(hackathon, name, fixture(name), by=manager)

    db.session.rollback()
    assert row_counts(*WRITTEN) == before


def test_every_write_is_in_the_audit_trail(db, hackathon, manager):
    batch = devpost.store_upload(
        hackathon, "projects.csv", fixture("current_unheaded_members.csv"), by=manager
    )
    devpost.apply_import(batch, False, manager)

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == manager.id).order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == [
        "devpost_import.uploaded",
        "submission.created",
        "submission.created",
        "submission.created",
        "devpost_import.applied",
    ]
    created = events[1]
    assert created.object_type == "submission"
    assert created.after["submission_url"] == DROPSENSE
    assert created.after["source"] == "devpost"
    assert created.after["import_batch_id"] == batch.id
    assert created.after["row"] == 2
    assert events[-1].object_id == str(batch.id)
    assert events[-1].after["created"] == 3


# Pages -----------------------------------------------------------------------------------------
#
# Requests run in their own app context and database session, so the tests commit what they
# build first and keep ids, not objects, across requests.


def upload(client, hackathon_id: int, data: bytes, filename: str = "projects.csv"):
    return client.post(
        f"/hackathons/{hackathon_id}/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


def stored_batch(hackathon, manager, db) -> tuple[int, int]:
    """A committed upload of the main fixture: (hackathon id, batch id)."""
    batch = devpost.store_upload(
        hackathon, "projects.csv", fixture("current_unheaded_members.csv"), by=manager
    )
    ids = (hackathon.id, batch.id)
    db.session.commit()
    return ids


def signed_in_manager(db, login_as) -> None:
    login_as("manager")
    db.session.commit()


def test_upload_shows_a_preview_with_rows_and_reasons_and_writes_no_submission(
    db, client, login_as, hackathon
):
    hackathon_id = hackathon.id
    db.session.commit()
    signed_in_manager(db, login_as)

    assert client.get(f"/hackathons/{hackathon_id}/import").status_code == 200
    response = upload(client, hackathon_id, fixture("current_unheaded_members.csv"))

    assert response.status_code == 302
    batch = db.session.scalar(select(ImportBatch))
    assert location(response) == f"/hackathons/{hackathon_id}/import/{batch.id}"
    assert batch.applied_at is None
    assert batch.filename == "projects.csv"
    text = page(client.get(location(response)))
    assert "current Devpost export" in text
    assert "3 to create" in text and "0 to update" in text and "3 skipped" in text
    assert "draft (not imported unless you ask)" in text
    assert "same URL as row 2" in text
    assert "no submission URL" in text
    assert "Best Overall" in text
    for name in ("José Ñúñez", "Nguyễn Thị Hoa", "Priya Raman"):
        assert name in text
    assert row_counts(*WRITTEN)["Submission"] == 0


def test_preview_can_include_drafts(db, client, login_as, hackathon, manager):
    hackathon_id, batch_id = stored_batch(hackathon, manager, db)
    signed_in_manager(db, login_as)

    text = page(client.get(f"/hackathons/{hackathon_id}/import/{batch_id}?drafts=1"))

    assert "4 to create" in text
    assert "Bienvenida LA" in text and "李华" in text


def test_preview_of_an_edited_file_shows_what_changes(db, client, login_as, hackathon, manager):
    original = fixture("current_unheaded_members.csv")
    upload_and_apply(hackathon, original, manager)
    edited = original.replace(b"sent to StreetsLA.", b"sent to StreetsLA every night.")
    batch = devpost.store_upload(hackathon, "edited.csv", edited, by=manager)
    preview_url = f"/hackathons/{hackathon.id}/import/{batch.id}"
    db.session.commit()
    signed_in_manager(db, login_as)

    text = page(client.get(preview_url))

    assert "0 to create" in text and "1 to update" in text and "2 unchanged" in text
    assert "changed: description" in text
    assert "no changes" in text


def test_apply_writes_and_returns_to_the_hackathon(db, client, login_as, hackathon, manager):
    hackathon_id, batch_id = stored_batch(hackathon, manager, db)
    signed_in_manager(db, login_as)

    response = client.post(
        f"/hackathons/{hackathon_id}/import/{batch_id}/apply", data={"include_drafts": "y"}
    )

    assert response.status_code == 302
    assert location(response) == f"/hackathons/{hackathon_id}"
    assert flashes(client)[-1] == (
        "Imported: 4 created, 0 updated, 2 skipped (0 already up to date)."
    )
    assert row_counts(*WRITTEN)["Submission"] == 4
    assert db.session.get(ImportBatch, batch_id).applied_at is not None
    db.session.commit()
    assert "DropSense" in page(client.get(location(response)))


def test_a_second_apply_is_refused(db, client, login_as, hackathon, manager):
    hackathon_id, batch_id = stored_batch(hackathon, manager, db)
    signed_in_manager(db, login_as)
    apply_url = f"/hackathons/{hackathon_id}/import/{batch_id}/apply"
    assert client.post(apply_url).status_code == 302
    before = row_counts(*WRITTEN)

    response = client.post(apply_url, data={"include_drafts": "y"})

    assert response.status_code == 302
    assert location(response) == f"/hackathons/{hackathon_id}/import/{batch_id}"
    assert "already been imported" in flashes(client)[-1]
    assert row_counts(*WRITTEN) == before
    assert "This upload was imported" in page(client.get(location(response)))


REFUSED_UPLOADS = [
    *[pytest.param(name, "export.csv", 1, 200, message, id=name) for name, message in BAD_FILES],
    pytest.param("not_a_csv.png", "logo.png", 1, 200, "Upload a .csv file", id="not named .csv"),
    pytest.param(
        "current_submitter.csv",
        "projects.csv",
        2500,
        200,
        "the import takes files up to 2.0 MB",
        id="over the import limit",
    ),
]


@pytest.mark.parametrize(("name", "filename", "copies", "status", "message"), REFUSED_UPLOADS)
def test_a_refused_upload_shows_why_and_writes_nothing(
    db, client, login_as, hackathon, name, filename, copies, status, message
):
    hackathon_id = hackathon.id
    db.session.commit()
    signed_in_manager(db, login_as)
    before = row_counts(*WRITTEN)

    response = upload(client, hackathon_id, fixture(name) * copies, filename=filename)

    assert response.status_code == status
    assert message in page(response)
    assert row_counts(*WRITTEN) == before


def test_a_six_megabyte_upload_gets_the_too_large_page(db, client, login_as, hackathon):
    hackathon_id = hackathon.id
    db.session.commit()
    signed_in_manager(db, login_as)
    before = row_counts(*WRITTEN)

    data = b"Project Title,Submission Url\n" + b"x" * 6 * 1024 * 1024
    response = upload(client, hackathon_id, data)

    assert response.status_code == 413
    assert "File too large" in page(response)
    assert row_counts(*WRITTEN) == before


def test_only_managers_may_import(db, client, login_as, hackathon, manager):
    hackathon_id, batch_id = stored_batch(hackathon, manager, db)
    login_as("founder")
    db.session.commit()
    base = f"/hackathons/{hackathon_id}/import"

    assert client.get(base).status_code == 403
    assert upload(client, hackathon_id, fixture("current_submitter.csv")).status_code == 403
    assert client.get(f"{base}/{batch_id}").status_code == 403
    assert client.post(f"{base}/{batch_id}/apply").status_code == 403
    assert row_counts(*WRITTEN)["Submission"] == 0
    assert row_counts(*WRITTEN)["ImportBatch"] == 1


def test_a_batch_of_another_hackathon_is_not_found(db, client, login_as, hackathon, manager):
    hackathon_id = hackathon.id
    _, other_batch_id = stored_batch(factories.hackathon("#techLA Mobility Jam"), manager, db)
    signed_in_manager(db, login_as)
    base = f"/hackathons/{hackathon_id}/import"

    assert client.get(f"{base}/{other_batch_id}").status_code == 404
    assert client.post(f"{base}/{other_batch_id}/apply").status_code == 404
    assert client.get(f"{base}/999").status_code == 404
    assert client.get("/hackathons/999/import").status_code == 404
    assert row_counts(*WRITTEN)["Submission"] == 0
