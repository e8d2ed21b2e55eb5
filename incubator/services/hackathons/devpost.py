"""Devpost CSV import: keep an uploaded export, plan what it would change, apply the plan.

Reading the file is `devpost_csv` (bytes in, plain rows out); planning matches its rows to
the hackathon's challenges, submissions and people and only reads the database; applying
writes.
The preview and the import run the same planner, so what the manager sees is what happens,
except that the import re-plans against the database as it is at that moment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator.extensions import db, rows_changed
from incubator.i18n import N_
from incubator.models import (
    Challenge,
    ChallengeStatus,
    Hackathon,
    ImportBatch,
    Submission,
    SubmissionMember,
    SubmissionSource,
    User,
    utcnow,
)
from incubator.services import audit
from incubator.services.errors import Conflict, InvalidInput
from incubator.services.hackathons import devpost_csv
from incubator.services.hackathons.devpost_csv import (
    DEFAULT_MAX_BYTES,
    VARIANT_LABELS,
    ExportRow,
    Message,
    ParsedExport,
    UnreadableExport,
    name_key,
    normalise_url,
)
from incubator.services.scorecard import names as neighbourhood_names
from incubator.vocabulary import NEIGHBOURHOODS

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
SKIP = "skip"
ACTIONS = (CREATE, UPDATE, UNCHANGED, SKIP)

DRAFT_REASON = N_("draft (not imported unless you ask)")


def max_upload_bytes() -> int:
    """The largest export accepted, from DEVPOST_IMPORT_MAX_BYTES when the app sets it."""
    default = DEFAULT_MAX_BYTES
    if not has_app_context():
        return default
    return int(current_app.config.get("DEVPOST_IMPORT_MAX_BYTES", default))


def say(message: str) -> str:
    """What the export reader said (a devpost_csv.Message) in the reader's language; any
    other text as it is."""
    if not isinstance(message, Message):
        return message
    return _(message.text, **{name: _said(value) for name, value in message.values.items()})


def _said(value: object) -> object:
    return say(value) if isinstance(value, Message) else value


def _refusal(error: UnreadableExport) -> InvalidInput:
    return InvalidInput(" ".join(say(sentence) for sentence in error.sentences))


def read_upload(data: bytes) -> ParsedExport:
    """An uploaded export read with the app's size limit; InvalidInput when it cannot be."""
    try:
        return devpost_csv.parse_export(data, max_bytes=max_upload_bytes())
    except UnreadableExport as error:
        raise _refusal(error) from None


def read_stored(text: str) -> ParsedExport:
    """The text of an upload kept between its preview and its import, read again."""
    try:
        return devpost_csv.parse_text(text)
    except UnreadableExport as error:
        raise _refusal(error) from None


# Planning --------------------------------------------------------------------------------------


@dataclass
class PlannedMember:
    name: str
    email: str | None
    user_id: int | None

    @property
    def key(self) -> str:
        return _member_key(self.email, self.name)

    @property
    def is_invitee(self) -> bool:
        return self.user_id is None


@dataclass
class PlanEntry:
    """What the import does with one row, and why, in words for the preview."""

    row_number: int
    action: str
    reason: str
    title: str
    submission_url: str
    row: ExportRow
    notes: list[str] = field(default_factory=list)
    submission: Submission | None = None
    challenge: Challenge | None = None
    members: list[PlannedMember] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    # The fields that change (FIELD_LABELS' keys, and "members" for the team).
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    variant: str
    include_drafts: bool
    entries: list[PlanEntry]
    unmatched_prizes: list[str]

    def of(self, action: str) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.action == action]

    @property
    def variant_label(self) -> str:
        return _(VARIANT_LABELS[self.variant])

    @property
    def draft_count(self) -> int:
        return sum(1 for entry in self.entries if entry.row.is_draft)

    @property
    def counts(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in ACTIONS}

    def summary(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "created": counts[CREATE],
            "updated": counts[UPDATE],
            "unchanged": counts[UNCHANGED],
            "skipped": counts[SKIP],
            "rows": len(self.entries),
            "include_drafts": self.include_drafts,
            "variant": self.variant,
        }


# The fields an import sets, with the words the preview uses when one of them changes.
FIELD_LABELS = {
    "title": N_("title"),
    "team_name": N_("team name"),
    "description": N_("description"),
    "demo_url": N_("demo link"),
    "repository_url": N_("repository link"),
    "video_url": N_("video"),
    "built_with": N_("built with"),
    "status": N_("status"),
    "challenge_id": N_("challenge"),
    "extra": N_("other answers"),
    "neighbourhoods": N_("neighbourhoods"),
}
# The team, which changes when its members do.
MEMBERS = "members"
CHANGE_LABELS = FIELD_LABELS | {MEMBERS: N_("team members")}


def plan_import(hackathon: Hackathon, parsed: ParsedExport, include_drafts: bool) -> ImportPlan:
    """Decide, row by row, what importing the export into this hackathon would do."""
    existing = _existing_by_url(hackathon)
    challenges = {
        name_key(challenge.title): challenge
        for challenge in hackathon.challenges
        if challenge.status == ChallengeStatus.APPROVED
    }
    users = _users_by_email(
        {member.email for row in parsed.rows for member in row.members if member.email}
    )
    first_row_of_url: dict[str, int] = {}
    unmatched: dict[str, str] = {}
    entries = []
    for row in parsed.rows:
        entry = PlanEntry(
            row_number=row.row_number,
            action=SKIP,
            reason="",
            title=row.title,
            submission_url=row.submission_url or row.raw_url,
            row=row,
            notes=[say(note) for note in row.notes],
        )
        entries.append(entry)
        if row.url_problem:
            entry.reason = say(row.url_problem)
            continue
        if row.submission_url in first_row_of_url:
            entry.reason = _("same URL as row %(row)s", row=first_row_of_url[row.submission_url])
            continue
        first_row_of_url[row.submission_url] = row.row_number
        if row.is_draft and not include_drafts:
            entry.reason = _(DRAFT_REASON)
            continue
        if not row.title:
            entry.reason = _("no project title")
            continue

        missing = [prize for prize in row.prizes if name_key(prize) not in challenges]
        matched = [challenges[name_key(p)] for p in row.prizes if name_key(p) in challenges]
        entry.challenge = matched[0] if matched else None
        if missing:
            entry.notes.append(
                _("prizes with no challenge of that name: %(prizes)s", prizes=", ".join(missing))
            )
            for prize in missing:
                unmatched.setdefault(name_key(prize), prize)
        submission = existing.get(row.submission_url)
        entry.submission = submission
        entry.members = _planned_members(row, users, submission)
        entry.fields = _wanted_fields(row, entry.challenge, submission, parsed.extra_headers)
        entry.notes += _neighbourhood_notes(row)
        _decide(entry, submission)
    return ImportPlan(
        variant=parsed.variant,
        include_drafts=include_drafts,
        entries=entries,
        unmatched_prizes=sorted(unmatched.values(), key=str.casefold),
    )


def _decide(entry: PlanEntry, submission: Submission | None) -> None:
    """Create the submission, update it (saying what changes) or leave it unchanged."""
    if submission is None:
        entry.action, entry.reason = CREATE, _("new submission")
        return
    entry.changes = [
        name for name in FIELD_LABELS if getattr(submission, name) != entry.fields[name]
    ]
    if _member_state(submission.members) != _member_state(entry.members):
        entry.changes.append(MEMBERS)
    if entry.changes:
        changed = ", ".join(_(CHANGE_LABELS[name]) for name in entry.changes)
        entry.action, entry.reason = UPDATE, _("changed: %(fields)s", fields=changed)
    else:
        entry.action, entry.reason = UNCHANGED, _("no changes")


def _existing_by_url(hackathon: Hackathon) -> dict[str, Submission]:
    submissions = db.session.scalars(
        select(Submission)
        .options(selectinload(Submission.members))
        .where(Submission.hackathon_id == hackathon.id, Submission.submission_url.is_not(None))
        .order_by(Submission.id)
    )
    by_url: dict[str, Submission] = {}
    for submission in submissions:
        key = normalise_url(submission.submission_url or "")
        # Where two stored URLs differ only by a trailing slash, the exact one wins.
        if key and (key not in by_url or submission.submission_url == key):
            by_url[key] = submission
    return by_url


def _users_by_email(emails: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for user in db.session.scalars(select(User).where(User.email.in_(chunk))):
            found[user.email] = user
    return found


def _member_key(email: str | None, name: str) -> str:
    return email or f"name:{name_key(name)}"


def _planned_members(
    row: ExportRow, users: dict[str, User], submission: Submission | None
) -> list[PlannedMember]:
    linked = {}
    if submission is not None:
        linked = {_member_key(m.email, m.name): m.user_id for m in submission.members}
    planned = []
    for member in row.members:
        user = users.get(member.email) if member.email else None
        # A link made earlier stays when the address no longer matches an account.
        key = _member_key(member.email, member.name)
        user_id = user.id if user is not None else linked.get(key)
        planned.append(PlannedMember(name=member.name, email=member.email, user_id=user_id))
    return planned


def _member_state(members: Iterable[SubmissionMember | PlannedMember]) -> dict:
    return {_member_key(m.email, m.name): (m.name, m.user_id) for m in members}


def _wanted_fields(
    row: ExportRow,
    challenge: Challenge | None,
    submission: Submission | None,
    extra_headers: list[str],
) -> dict[str, Any]:
    if submission is None:
        team_name, challenge_id, extra = row.title, None, {}
    else:
        # A team name a manager typed in is kept; one that only repeated the title follows it.
        team_name = row.title if submission.team_name == submission.title else submission.team_name
        challenge_id = submission.challenge_id
        # Columns of this export replace their earlier answers; other keys are left alone.
        extra = {k: v for k, v in (submission.extra or {}).items() if k not in extra_headers}
    return {
        "title": row.title,
        "team_name": team_name,
        "description": row.description,
        "demo_url": row.demo_url,
        "repository_url": row.repository_url,
        "video_url": row.video_url,
        "built_with": row.built_with,
        "status": str(row.status),
        # An import links a challenge when a prize names one, and never unlinks one.
        "challenge_id": challenge.id if challenge is not None else challenge_id,
        "extra": {**extra, **row.extra},
        "neighbourhoods": _answered_neighbourhoods(row, submission),
    }


def _answered_neighbourhoods(row: ExportRow, submission: Submission | None) -> list[str]:
    """The neighbourhoods the team's answer names; an export without the question leaves
    the ones matched before."""
    found = neighbourhood_names.find_answer(row.extra)
    if found is None:
        return list(submission.neighbourhoods or []) if submission is not None else []
    return neighbourhood_names.match_names(found[1], NEIGHBOURHOODS).names


def _neighbourhood_notes(row: ExportRow) -> list[str]:
    found = neighbourhood_names.find_answer(row.extra)
    if found is None:
        return []
    matched = neighbourhood_names.match_names(found[1], NEIGHBOURHOODS)
    if not matched.unmatched:
        return []
    if not matched.names:
        return [
            _(
                'neighbourhood "%(answer)s" matches none of the 114 neighbourhoods',
                answer=found[1][:80],
            )
        ]
    return [
        _(
            'neighbourhood: %(matched)s; "%(unmatched)s" matches none',
            matched=", ".join(matched.names),
            unmatched=", ".join(matched.unmatched)[:80],
        )
    ]


# Uploading and applying ------------------------------------------------------------------------


def store_upload(hackathon: Hackathon, filename: str, data: bytes, *, by: User) -> ImportBatch:
    """Check an uploaded export and keep it for its preview; a bad file writes nothing."""
    parsed = read_upload(data)
    name = os.path.basename(filename.replace("\\", "/")).strip()[:255] or "devpost-export.csv"
    batch = ImportBatch(
        hackathon_id=hackathon.id, filename=name, content=parsed.text, uploaded_by_id=by.id
    )
    db.session.add(batch)
    db.session.flush()
    audit.record(
        by,
        "devpost_import.uploaded",
        "import_batch",
        batch.id,
        after={
            "hackathon_id": hackathon.id,
            "filename": name,
            "rows": len(parsed.rows),
            "variant": parsed.variant,
        },
    )
    return batch


def plan_batch(batch: ImportBatch, include_drafts: bool) -> ImportPlan:
    """The preview of a stored upload against the database as it is now."""
    return plan_import(batch.hackathon, read_stored(batch.content), include_drafts)


def batch_for(hackathon_id: int, batch_id: int) -> ImportBatch | None:
    """The upload, when it was made for this hackathon (an id of another one finds nothing)."""
    batch = db.session.get(ImportBatch, batch_id)
    return batch if batch is not None and batch.hackathon_id == hackathon_id else None


def recent_batches(hackathon: Hackathon, limit: int = 10) -> list[ImportBatch]:
    """The latest uploads for a hackathon, newest first."""
    return list(
        db.session.scalars(
            select(ImportBatch)
            .options(selectinload(ImportBatch.uploaded_by))
            .where(ImportBatch.hackathon_id == hackathon.id)
            .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
            .limit(limit)
        )
    )


def apply_import(batch: ImportBatch, include_drafts: bool, by: User) -> ImportPlan:
    """Create and update the submissions of a stored upload; each upload is applied once."""
    if batch.applied_at is not None:
        raise Conflict(
            _("This upload has already been imported. To import the file again, upload it again.")
        )
    # Worded before anything is written: finding the viewer's language may load from the
    # database, which flushes pending writes, and after a failed one loads nothing.
    collided = Conflict(
        _(
            "These submissions changed while the import ran; nothing was imported. "
            "Open the preview again and retry."
        )
    )
    # Claim the batch in the database, so that two managers pressing Import at once
    # cannot both apply it: the second waits for the first and then finds it taken.
    applied_at = utcnow()
    claimed = rows_changed(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.applied_at.is_(None))
        .values(applied_at=applied_at)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise Conflict(_("Someone else has just imported this upload."))
    plan = plan_batch(batch, include_drafts)
    created: list[tuple[PlanEntry, Submission]] = []
    updated: list[tuple[PlanEntry, Submission, dict[str, Any]]] = []
    for entry in plan.entries:
        if entry.action == CREATE:
            created.append((entry, _create(batch.hackathon, entry)))
        elif entry.action == UPDATE and entry.submission is not None:
            before = _state(entry.submission, entry.changes)
            _update(entry.submission, entry)
            updated.append((entry, entry.submission, before))
    try:
        db.session.flush()
    except IntegrityError:
        raise collided from None
    for entry, submission in created:
        audit.record(
            by,
            "submission.created",
            "submission",
            submission.id,
            after={**_state(submission), "import_batch_id": batch.id, "row": entry.row_number},
        )
    for entry, submission, before in updated:
        audit.record(
            by,
            "submission.updated",
            "submission",
            submission.id,
            before=before,
            after={
                **_state(submission, entry.changes),
                "import_batch_id": batch.id,
                "row": entry.row_number,
            },
        )
    batch.applied_at = applied_at
    batch.summary = plan.summary()
    audit.record(by, "devpost_import.applied", "import_batch", batch.id, after=plan.summary())
    db.session.flush()
    return plan


def _create(hackathon: Hackathon, entry: PlanEntry) -> Submission:
    submission = Submission(
        hackathon_id=hackathon.id,
        submission_url=entry.row.submission_url,
        source=SubmissionSource.DEVPOST,
        **{**entry.fields, "extra": dict(entry.fields["extra"])},
    )
    submission.members = [
        SubmissionMember(name=m.name, email=m.email, user_id=m.user_id) for m in entry.members
    ]
    db.session.add(submission)
    return submission


def _update(submission: Submission, entry: PlanEntry) -> None:
    for name in FIELD_LABELS:
        value = entry.fields[name]
        if getattr(submission, name) != value:
            # A new dict, not an edited one, so the JSON column sees the change.
            setattr(submission, name, dict(value) if isinstance(value, dict) else value)
    current = {_member_key(m.email, m.name): m for m in submission.members}
    members = []
    for planned in entry.members:
        member = current.get(planned.key) or SubmissionMember(email=planned.email)
        member.name = planned.name
        member.user_id = planned.user_id
        members.append(member)
    # Someone no longer on the Devpost team leaves the team here too (the audit keeps them).
    submission.members = members


def _state(submission: Submission, changes: list[str] | None = None) -> dict[str, Any]:
    state = {
        "title": submission.title,
        "team_name": submission.team_name,
        "submission_url": submission.submission_url,
        "description": submission.description,
        "demo_url": submission.demo_url,
        "repository_url": submission.repository_url,
        "video_url": submission.video_url,
        "built_with": submission.built_with,
        "status": submission.status,
        "challenge_id": submission.challenge_id,
        "source": submission.source,
        "extra": dict(submission.extra or {}),
        "neighbourhoods": list(submission.neighbourhoods or []),
        "members": [
            {"name": m.name, "email": m.email, "user_id": m.user_id} for m in submission.members
        ],
    }
    if changes is None:
        return state
    return {name: state[name] for name in changes}
