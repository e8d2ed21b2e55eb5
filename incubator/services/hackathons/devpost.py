"""Devpost CSV import: read an export, plan what it would change, then apply the plan.

Reading is pure (bytes in, rows out); planning only reads the database; applying writes.
The preview and the import run the same planner, so what the manager sees is what happens,
except that the import re-plans against the database as it is at that moment.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from incubator.extensions import db, rows_changed
from incubator.models import (
    Challenge,
    ChallengeStatus,
    Hackathon,
    ImportBatch,
    Submission,
    SubmissionMember,
    SubmissionSource,
    SubmissionStatus,
    User,
    utcnow,
)
from incubator.services import audit
from incubator.services.accounts.users import normalise_email
from incubator.services.errors import Conflict, InvalidInput
from incubator.services.scorecard import names as neighbourhood_names
from incubator.vocabulary import NEIGHBOURHOODS

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_URL_LENGTH = 500
MAX_TITLE_LENGTH = 200
MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254

CURRENT = "current"
OLDER = "older"
VARIANT_LABELS = {
    CURRENT: 'current Devpost export ("Project Title", "About The Project", ...)',
    OLDER: 'older Devpost export ("Submission Title", "Plain Description", ...)',
}

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"
SKIP = "skip"
ACTIONS = (CREATE, UPDATE, UNCHANGED, SKIP)

DRAFT_REASON = "draft (not imported unless you ask)"
EXPORT_ADVICE = "Upload the projects CSV that Devpost exports for the hackathon."
SAVE_AS_ADVICE = "In Excel choose 'CSV UTF-8' when saving."

# The columns the importer maps to fields, by their normalised header, preferred name first.
# Both header variants are covered: the current export names come first, the older second.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("project title", "submission title"),
    "url": ("submission url",),
    "status": ("project status",),
    "description": ("about the project", "plain description"),
    "links": ("try it out links",),
    "website": ("website",),
    "video": ("video demo link", "video"),
    "prizes": ("opt-in prizes", "desired prizes"),
    "built_with": ("built with",),
    "submitter_first": ("submitter first name",),
    "submitter_last": ("submitter last name",),
    "submitter_email": ("submitter email",),
}
# A submission has one challenge, so the full list of prizes is kept in extra as well.
MAPPED_AND_KEPT = {"prizes"}
MEMBER_HEADER = re.compile(r"team member (\d+) (.+)")
MEMBER_PARTS = {"first name": "first", "last name": "last", "email": "email"}
# Header cells that stand for "more columns follow" rather than naming one.
PLACEHOLDER_HEADERS = {"", "...", "\u2026"}
REPOSITORY_HOSTS = {"github.com", "gitlab.com", "bitbucket.org"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
BARE_DOMAIN = re.compile(r"[\w-]+(\.[\w-]+)+(/\S*)?", re.IGNORECASE)

BINARY_SIGNATURES = (
    (b"\x89PNG", "This is a PNG image, not a CSV file."),
    (b"GIF8", "This is a GIF image, not a CSV file."),
    (b"\xff\xd8\xff", "This is a JPEG image, not a CSV file."),
    (b"%PDF", "This is a PDF document, not a CSV file."),
    (b"PK\x03\x04", f"This is an Excel workbook or a ZIP file, not a CSV file. {SAVE_AS_ADVICE}"),
    (b"\xd0\xcf\x11\xe0", f"This is an Excel workbook, not a CSV file. {SAVE_AS_ADVICE}"),
    (b"\xff\xfe", f"The file is UTF-16 text, not UTF-8. {SAVE_AS_ADVICE}"),
    (b"\xfe\xff", f"The file is UTF-16 text, not UTF-8. {SAVE_AS_ADVICE}"),
)


# Reading ---------------------------------------------------------------------------------------


@dataclass
class ExportMember:
    name: str
    email: str | None


@dataclass
class ExportRow:
    """One project of the export, mapped onto submission fields."""

    row_number: int
    title: str
    submission_url: str
    raw_url: str
    url_problem: str | None
    is_draft: bool
    description: str
    demo_url: str | None
    repository_url: str | None
    video_url: str | None
    built_with: str
    prizes: list[str]
    members: list[ExportMember]
    extra: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> SubmissionStatus:
        return SubmissionStatus.DRAFT if self.is_draft else SubmissionStatus.SUBMITTED


@dataclass
class ParsedExport:
    variant: str
    headers: list[str]
    extra_headers: list[str]
    rows: list[ExportRow]
    text: str = field(repr=False)

    @property
    def variant_label(self) -> str:
        return VARIANT_LABELS[self.variant]


@dataclass(frozen=True)
class _Layout:
    """Where each field sits in a row of this particular export."""

    variant: str
    columns: dict[str, int]
    extra: list[tuple[int, str]]
    members: list[dict[str, int]]
    tail_start: int


def max_upload_bytes() -> int:
    """The largest export accepted, from DEVPOST_IMPORT_MAX_BYTES when the app sets it."""
    default = DEFAULT_MAX_BYTES
    if not has_app_context():
        return default
    return int(current_app.config.get("DEVPOST_IMPORT_MAX_BYTES", default))


def parse_export(data: bytes, *, max_bytes: int | None = None) -> ParsedExport:
    """Read a Devpost projects export, or raise InvalidInput saying what is wrong with it."""
    limit = max_bytes if max_bytes is not None else max_upload_bytes()
    if len(data) > limit:
        raise InvalidInput(
            f"The file is {_megabytes(len(data))}; the import takes files up to "
            f"{_megabytes(limit)}. Export fewer projects at a time."
        )
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise InvalidInput(f"The file is empty. {EXPORT_ADVICE}")
    for signature, message in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise InvalidInput(f"{message} {EXPORT_ADVICE}")
    if b"\x00" in data:
        raise InvalidInput(f"This is not a CSV file: it holds binary data. {EXPORT_ADVICE}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"The file is not UTF-8 text. {SAVE_AS_ADVICE}") from None
    return parse_text(text)


def parse_text(text: str) -> ParsedExport:
    """Read export text that is already decoded (an upload kept between preview and import)."""
    records = _read_records(text)
    if not records:
        raise InvalidInput(f"The file is empty. {EXPORT_ADVICE}")
    _, header = records[0]
    headers = [cell.replace("\ufeff", "").strip() for cell in header]
    layout = _layout(headers)
    rows = [_read_row(row_number, record, layout) for row_number, record in records[1:]]
    if not rows:
        raise InvalidInput("The file has a header row but no projects in it.")
    return ParsedExport(
        variant=layout.variant,
        headers=headers,
        extra_headers=[label for _, label in layout.extra],
        rows=rows,
        text=text,
    )


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _read_records(text: str) -> list[tuple[int, list[str]]]:
    """The non-blank records with their spreadsheet row numbers, the header first."""
    # Strict, so that an unbalanced quote is reported instead of swallowing the rows after it.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        # A spreadsheet numbers records, not lines: a multi-line cell stays on one row.
        for row_number, record in enumerate(reader, start=1):
            if not any(cell.strip() for cell in record):
                continue
            records.append((row_number, record))
            if len(records) > MAX_ROWS + 1:  # the header and MAX_ROWS projects
                raise InvalidInput(
                    f"The file has more than {MAX_ROWS:,} projects; the import takes at most "
                    f"{MAX_ROWS:,} at a time."
                )
    except csv.Error as error:
        problem = _csv_problem(str(error))
        raise InvalidInput(
            f"The file is not valid CSV: {problem} (near line {reader.line_num}). {EXPORT_ADVICE}"
        ) from None
    return records


def _csv_problem(message: str) -> str:
    if "end of data" in message:
        return "a quoted value is never closed"
    if "expected after" in message:
        return "a closing quote is followed by more text"
    if "field larger" in message:
        return "one value is too long"
    return message


def _header_key(header: str) -> str:
    """Headers compared without case, quotes or extra spaces: '"Try it out" Links'."""
    for quote in "\"'\u201c\u201d\u2018\u2019":
        header = header.replace(quote, "")
    return " ".join(header.split()).casefold()


def _layout(headers: list[str]) -> _Layout:
    keys = [_header_key(header) for header in headers]
    # The columns with a header of their own, not a placeholder.
    real = [i for i, key in enumerate(keys) if key not in PLACEHOLDER_HEADERS]
    _check_several_columns(headers, real)
    columns = _role_columns(keys)
    _check_required_columns(headers, real, columns)
    variant = CURRENT if keys[columns["title"]] == "project title" else OLDER
    tail_start = real[-1] + 1
    members, extra = _member_and_extra_columns(headers, keys, columns, tail_start)
    return _Layout(
        variant=variant,
        columns=columns,
        extra=extra,
        members=[members[number] for number in sorted(members)],
        tail_start=tail_start,
    )


def _check_several_columns(headers: list[str], real: list[int]) -> None:
    if len(real) <= 1:
        hint = ""
        if real and (";" in headers[real[0]] or "\t" in headers[real[0]]):
            hint = " It seems to use semicolons or tabs between columns, not commas."
        raise InvalidInput(
            "This does not look like a CSV file: its first row has only one column."
            f"{hint} {EXPORT_ADVICE}"
        )


def _role_columns(keys: list[str]) -> dict[str, int]:
    """Role -> the index of the first column holding it, for the roles present."""
    columns: dict[str, int] = {}
    for role, names in COLUMNS.items():
        for name in names:
            if name in keys:
                columns[role] = keys.index(name)
                break
    return columns


def _check_required_columns(headers: list[str], real: list[int], columns: dict[str, int]) -> None:
    missing = []
    if "title" not in columns:
        missing.append('"Project Title" (or "Submission Title")')
    if "url" not in columns:
        missing.append('"Submission Url"')
    if missing:
        shown = ", ".join(f'"{headers[i][:40]}"' for i in real[:5])
        raise InvalidInput(
            f"The file has no {' and no '.join(missing)} column, so it is not a Devpost "
            f"projects export (its first row reads {shown}…). {EXPORT_ADVICE}"
        )


def _member_and_extra_columns(
    headers: list[str], keys: list[str], columns: dict[str, int], tail_start: int
) -> tuple[dict[int, dict[str, int]], list[tuple[int, str]]]:
    """Team member number -> part -> column; and (column, label) of the columns kept as
    they are (custom questions and the like)."""
    members: dict[int, dict[str, int]] = {}
    extra: list[tuple[int, str]] = []
    mapped = {index for role, index in columns.items() if role not in MAPPED_AND_KEPT}
    labels_seen: dict[str, int] = {}
    for index in range(tail_start):
        match = MEMBER_HEADER.fullmatch(keys[index])
        if match:
            part = MEMBER_PARTS.get(match.group(2))
            if part is not None:
                members.setdefault(int(match.group(1)), {})[part] = index
            continue
        if index in mapped:
            continue
        label = f"Column {index + 1}" if keys[index] in PLACEHOLDER_HEADERS else headers[index]
        # Two custom questions can share a header; keep both answers.
        labels_seen[label] = labels_seen.get(label, 0) + 1
        if labels_seen[label] > 1:
            label = f"{label} ({labels_seen[label]})"
        extra.append((index, label))
    return members, extra


def _clean(cell: str) -> str:
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()


def _read_row(row_number: int, record: list[str], layout: _Layout) -> ExportRow:
    cells = [_clean(cell) for cell in record]

    def at(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    def cell(role: str) -> str:
        return at(layout.columns.get(role))

    notes: list[str] = []
    title = " ".join(cell("title").split())
    if len(title) > MAX_TITLE_LENGTH:
        title = title[:MAX_TITLE_LENGTH].rstrip()
        notes.append(f"title cut to {MAX_TITLE_LENGTH} characters")
    raw_url = cell("url")
    submission_url, url_problem = _submission_url(raw_url)
    repository_url, demo_url = _project_links(cell("links"), cell("website"), notes)
    video = cell("video")
    video_url = _web_link(video) if video else None
    if video and video_url is None:
        notes.append(f'ignored video "{video[:80]}": not a web link')

    members = _members(cells, layout, notes)
    extra = {label: at(index) for index, label in layout.extra if at(index)}
    return ExportRow(
        row_number=row_number,
        title=title,
        submission_url=submission_url,
        raw_url=raw_url,
        url_problem=url_problem,
        is_draft="draft" in cell("status").casefold(),
        description=cell("description"),
        demo_url=demo_url,
        repository_url=repository_url,
        video_url=video_url,
        built_with=", ".join(_split_list(cell("built_with"), r"[,\n]")),
        prizes=_unique(_split_list(cell("prizes"), r"[,\n]")),
        members=members,
        extra=extra,
        notes=notes,
    )


def _submission_url(raw_url: str) -> tuple[str, str | None]:
    """The submission URL as a key, or "" with what is wrong with it."""
    submission_url = normalise_url(raw_url)
    url_problem = None
    if not raw_url:
        url_problem = "no submission URL"
    elif len(submission_url) > MAX_URL_LENGTH:
        url_problem = f"the submission URL is longer than {MAX_URL_LENGTH} characters"
    elif not submission_url:
        url_problem = "the submission URL is not a web link"
    if url_problem:
        submission_url = ""
    return submission_url, url_problem


def _project_links(links: str, website: str, notes: list[str]) -> tuple[str | None, str | None]:
    """The first repository link and the first other link (the demo; else the website),
    noting each link that is not a web link."""
    repository_url, demo_url = None, None
    for link in _split_links(links):
        url = _web_link(link)
        if url is None:
            notes.append(f'ignored "{link[:80]}": not a web link')
        elif _is_repository(url):
            repository_url = repository_url or url
        else:
            demo_url = demo_url or url
    if website and demo_url is None:
        demo_url = _web_link(website)
        if demo_url is None:
            notes.append(f'ignored website "{website[:80]}": not a web link')
    return repository_url, demo_url


def normalise_url(value: str) -> str:
    """The submission URL as a key: http(s) only, scheme and host lower-case, no trailing '/'."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or " " in value:
        return ""
    return urlunsplit(
        (
            parts.scheme.lower(),
            parts.netloc.lower(),
            parts.path.rstrip("/"),
            parts.query,
            parts.fragment,
        )
    )


def _split_list(value: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, value) if part.strip()]


def _split_links(value: str) -> list[str]:
    return [part.strip(".;") for part in re.split(r"[\s,]+", value) if part.strip(".;")]


def _unique(values: Iterable[str]) -> list[str]:
    seen, unique = set(), []
    for value in values:
        key = _name_key(value)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def _web_link(value: str) -> str | None:
    value = value.strip()
    if not value or any(ch.isspace() for ch in value):
        return None
    if "://" not in value and BARE_DOMAIN.fullmatch(value):
        value = f"https://{value}"
    parts = urlsplit(value)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return value if len(value) <= MAX_URL_LENGTH else None


def _is_repository(url: str) -> bool:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host in REPOSITORY_HOSTS


def _members(cells: list[str], layout: _Layout, notes: list[str]) -> list[ExportMember]:
    def at(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    triples = [
        (
            at(layout.columns.get("submitter_first")),
            at(layout.columns.get("submitter_last")),
            at(layout.columns.get("submitter_email")),
        )
    ]
    triples += [
        (at(columns.get("first")), at(columns.get("last")), at(columns.get("email")))
        for columns in layout.members
    ]
    # Devpost leaves the member columns unheaded: what lies beyond the header comes in threes.
    tail = cells[layout.tail_start :]
    for start in range(0, len(tail), 3):
        chunk = [*tail[start : start + 3], "", ""]
        triples.append((chunk[0], chunk[1], chunk[2]))

    members: list[ExportMember] = []
    by_key: dict[str, ExportMember] = {}
    for first, last, raw_email in triples:
        name = " ".join(" ".join(part for part in (first, last) if part).split())
        email = normalise_email(raw_email) if raw_email else None
        if email is not None and (len(email) > MAX_EMAIL_LENGTH or not EMAIL.fullmatch(email)):
            notes.append(
                f'"{raw_email[:80]}" is not an email address; '
                f"{name or 'that member'} is kept without one"
            )
            email = None
        if not name and email is None:
            continue
        name = (name or email or "")[:MAX_NAME_LENGTH]
        key = email or f"name:{_name_key(name)}"
        known = by_key.get(key)
        if known is not None:
            if known.name == known.email and name != email:
                known.name = name
            continue
        member = ExportMember(name=name, email=email)
        by_key[key] = member
        members.append(member)
    return members


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


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
        return VARIANT_LABELS[self.variant]

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
    "title": "title",
    "team_name": "team name",
    "description": "description",
    "demo_url": "demo link",
    "repository_url": "repository link",
    "video_url": "video",
    "built_with": "built with",
    "status": "status",
    "challenge_id": "challenge",
    "extra": "other answers",
    "neighbourhoods": "neighbourhoods",
}


def plan_import(hackathon: Hackathon, parsed: ParsedExport, include_drafts: bool) -> ImportPlan:
    """Decide, row by row, what importing the export into this hackathon would do."""
    existing = _existing_by_url(hackathon)
    challenges = {
        _name_key(challenge.title): challenge
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
            notes=list(row.notes),
        )
        entries.append(entry)
        if row.url_problem:
            entry.reason = row.url_problem
            continue
        if row.submission_url in first_row_of_url:
            entry.reason = f"same URL as row {first_row_of_url[row.submission_url]}"
            continue
        first_row_of_url[row.submission_url] = row.row_number
        if row.is_draft and not include_drafts:
            entry.reason = DRAFT_REASON
            continue
        if not row.title:
            entry.reason = "no project title"
            continue

        missing = [prize for prize in row.prizes if _name_key(prize) not in challenges]
        matched = [challenges[_name_key(p)] for p in row.prizes if _name_key(p) in challenges]
        entry.challenge = matched[0] if matched else None
        if missing:
            entry.notes.append("prizes with no challenge of that name: " + ", ".join(missing))
            for prize in missing:
                unmatched.setdefault(_name_key(prize), prize)
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
        entry.action, entry.reason = CREATE, "new submission"
        return
    entry.changes = [
        label
        for name, label in FIELD_LABELS.items()
        if getattr(submission, name) != entry.fields[name]
    ]
    if _member_state(submission.members) != _member_state(entry.members):
        entry.changes.append("team members")
    if entry.changes:
        entry.action, entry.reason = UPDATE, "changed: " + ", ".join(entry.changes)
    else:
        entry.action, entry.reason = UNCHANGED, "no changes"


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
    return email or f"name:{_name_key(name)}"


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
        return [f'neighbourhood "{found[1][:80]}" matches none of the 114 neighbourhoods']
    return [
        f"neighbourhood: {', '.join(matched.names)}; "
        f'"{", ".join(matched.unmatched)[:80]}" matches none'
    ]


# Uploading and applying ------------------------------------------------------------------------


def store_upload(hackathon: Hackathon, filename: str, data: bytes, *, by: User) -> ImportBatch:
    """Check an uploaded export and keep it for its preview; a bad file writes nothing."""
    parsed = parse_export(data)
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
    return plan_import(batch.hackathon, parse_text(batch.content), include_drafts)


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
            "This upload has already been imported. To import the file again, upload it again."
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
        raise Conflict("Someone else has just imported this upload.")
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
        raise Conflict(
            "These submissions changed while the import ran; nothing was imported. "
            "Open the preview again and retry."
        ) from None
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
    labels = {label: name for name, label in FIELD_LABELS.items()} | {"team members": "members"}
    return {labels[label]: state[labels[label]] for label in changes}
