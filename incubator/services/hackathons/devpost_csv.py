"""Reading a Devpost projects export: CSV bytes or text in, plain rows out.

Devpost has exported two layouts over the years (the current one with "Project Title",
"About The Project", ...; an older one with "Submission Title", "Plain Description", ...),
and leaves the team member columns beyond the header unheaded. This module finds the
columns of either layout, reads each project into an `ExportRow` (with its team as
`ExportMember`s and what was cut or ignored as notes), and refuses a file it cannot read
with an `UnreadableExport` saying what is wrong, for the person who uploaded it.

No database and no Flask here: `devpost` matches the rows to a hackathon's submissions. So
what it says to people is a `Message`, English that keeps the text it was made from, which
`devpost` translates into the reader's language.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_URL_LENGTH = 500
MAX_TITLE_LENGTH = 200
MAX_NAME_LENGTH = 120
MAX_EMAIL_LENGTH = 254

# The submission statuses a row can stand for (the values of SubmissionStatus).
DRAFT = "draft"
SUBMITTED = "submitted"

CURRENT = "current"
OLDER = "older"


def N_(text: str) -> str:
    """Marks a message for the catalogue (pybabel's N_ keyword); `devpost` translates it."""
    return text


class Message(str):
    """Words for the person who uploaded the file: the string is the English, and the
    message keeps the text it was made from (with %(name)s placeholders, marked with N_)
    and the values that fill them, for `devpost.say` to translate."""

    text: str
    values: dict[str, object]

    def __new__(cls, text: str, **values: object) -> Message:
        english = super().__new__(cls, text % values if values else text)
        english.text = text
        english.values = values
        return english


VARIANT_LABELS = {
    CURRENT: N_('current Devpost export ("Project Title", "About The Project", ...)'),
    OLDER: N_('older Devpost export ("Submission Title", "Plain Description", ...)'),
}

EXPORT_ADVICE = Message(N_("Upload the projects CSV that Devpost exports for the hackathon."))
SAVE_AS_ADVICE = Message(N_("In Excel choose 'CSV UTF-8' when saving."))

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

NOT_CSV = {
    "png": Message(N_("This is a PNG image, not a CSV file.")),
    "gif": Message(N_("This is a GIF image, not a CSV file.")),
    "jpeg": Message(N_("This is a JPEG image, not a CSV file.")),
    "pdf": Message(N_("This is a PDF document, not a CSV file.")),
    "zip": Message(N_("This is an Excel workbook or a ZIP file, not a CSV file.")),
    "xls": Message(N_("This is an Excel workbook, not a CSV file.")),
    "utf16": Message(N_("The file is UTF-16 text, not UTF-8.")),
}
# The start of a file that is no CSV, and what to tell the person who uploaded it.
BINARY_SIGNATURES = (
    (b"\x89PNG", (NOT_CSV["png"],)),
    (b"GIF8", (NOT_CSV["gif"],)),
    (b"\xff\xd8\xff", (NOT_CSV["jpeg"],)),
    (b"%PDF", (NOT_CSV["pdf"],)),
    (b"PK\x03\x04", (NOT_CSV["zip"], SAVE_AS_ADVICE)),
    (b"\xd0\xcf\x11\xe0", (NOT_CSV["xls"], SAVE_AS_ADVICE)),
    (b"\xff\xfe", (NOT_CSV["utf16"], SAVE_AS_ADVICE)),
    (b"\xfe\xff", (NOT_CSV["utf16"], SAVE_AS_ADVICE)),
)


class UnreadableExport(ValueError):
    """The file is not a Devpost projects export this module can read; its sentences say
    why and what to do, in words for the person who uploaded it (`message`: in English)."""

    def __init__(self, *sentences: Message):
        self.sentences = sentences
        self.message = " ".join(sentences)
        super().__init__(self.message)


@dataclass
class ExportMember:
    """One person of a project's team: the submitter or a team member."""

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
    def status(self) -> str:
        """The submission status the row stands for: "draft" or "submitted"."""
        return DRAFT if self.is_draft else SUBMITTED


@dataclass
class ParsedExport:
    """A whole export: which layout it is, its header, and its projects in file order."""

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


def parse_export(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedExport:
    """Read a Devpost projects export, or raise UnreadableExport saying what is wrong with it."""
    if len(data) > max_bytes:
        raise UnreadableExport(
            Message(
                N_(
                    "The file is %(size)s; the import takes files up to %(most)s. Export fewer "
                    "projects at a time."
                ),
                size=_megabytes(len(data)),
                most=_megabytes(max_bytes),
            )
        )
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise UnreadableExport(Message(N_("The file is empty.")), EXPORT_ADVICE)
    for signature, sentences in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise UnreadableExport(*sentences, EXPORT_ADVICE)
    if b"\x00" in data:
        raise UnreadableExport(
            Message(N_("This is not a CSV file: it holds binary data.")), EXPORT_ADVICE
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableExport(Message(N_("The file is not UTF-8 text.")), SAVE_AS_ADVICE) from None
    return parse_text(text)


def parse_text(text: str) -> ParsedExport:
    """Read export text that is already decoded (an upload kept between preview and import)."""
    records = _read_records(text)
    if not records:
        raise UnreadableExport(Message(N_("The file is empty.")), EXPORT_ADVICE)
    _, header = records[0]
    headers = [cell.replace("\ufeff", "").strip() for cell in header]
    layout = _layout(headers)
    rows = [_read_row(row_number, record, layout) for row_number, record in records[1:]]
    if not rows:
        raise UnreadableExport(Message(N_("The file has a header row but no projects in it.")))
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
                raise UnreadableExport(
                    Message(
                        N_(
                            "The file has more than %(most)s projects; the import takes at "
                            "most %(most)s at a time."
                        ),
                        most=f"{MAX_ROWS:,}",
                    )
                )
    except csv.Error as error:
        raise UnreadableExport(
            Message(
                N_("The file is not valid CSV: %(problem)s (near line %(line)s)."),
                problem=_csv_problem(str(error)),
                line=reader.line_num,
            ),
            EXPORT_ADVICE,
        ) from None
    return records


def _csv_problem(message: str) -> str:
    """What the csv module's error means, in words; one it does not know, as it says it."""
    if "end of data" in message:
        return Message(N_("a quoted value is never closed"))
    if "expected after" in message:
        return Message(N_("a closing quote is followed by more text"))
    if "field larger" in message:
        return Message(N_("one value is too long"))
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
        problem = Message(
            N_("This does not look like a CSV file: its first row has only one column.")
        )
        if real and (";" in headers[real[0]] or "\t" in headers[real[0]]):
            hint = Message(N_("It seems to use semicolons or tabs between columns, not commas."))
            raise UnreadableExport(problem, hint, EXPORT_ADVICE)
        raise UnreadableExport(problem, EXPORT_ADVICE)


def _role_columns(keys: list[str]) -> dict[str, int]:
    """Role -> the index of the first column holding it, for the roles present."""
    columns: dict[str, int] = {}
    for role, names in COLUMNS.items():
        for name in names:
            if name in keys:
                columns[role] = keys.index(name)
                break
    return columns


# Which required columns are missing (the title's, the URL's) -> what to say.
MISSING_COLUMNS = {
    (True, False): N_(
        'The file has no "Project Title" (or "Submission Title") column, so it is not a '
        "Devpost projects export (its first row reads %(first_row)s…)."
    ),
    (False, True): N_(
        'The file has no "Submission Url" column, so it is not a Devpost projects export '
        "(its first row reads %(first_row)s…)."
    ),
    (True, True): N_(
        'The file has no "Project Title" (or "Submission Title") and no "Submission Url" '
        "column, so it is not a Devpost projects export (its first row reads %(first_row)s…)."
    ),
}


def _check_required_columns(headers: list[str], real: list[int], columns: dict[str, int]) -> None:
    missing = ("title" not in columns, "url" not in columns)
    if any(missing):
        shown = ", ".join(f'"{headers[i][:40]}"' for i in real[:5])
        raise UnreadableExport(Message(MISSING_COLUMNS[missing], first_row=shown), EXPORT_ADVICE)


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
        notes.append(Message(N_("title cut to %(most)s characters"), most=MAX_TITLE_LENGTH))
    raw_url = cell("url")
    submission_url, url_problem = _submission_url(raw_url)
    repository_url, demo_url = _project_links(cell("links"), cell("website"), notes)
    video = cell("video")
    video_url = _web_link(video) if video else None
    if video and video_url is None:
        notes.append(Message(N_('ignored video "%(link)s": not a web link'), link=video[:80]))

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
        url_problem = Message(N_("no submission URL"))
    elif len(submission_url) > MAX_URL_LENGTH:
        url_problem = Message(
            N_("the submission URL is longer than %(most)s characters"), most=MAX_URL_LENGTH
        )
    elif not submission_url:
        url_problem = Message(N_("the submission URL is not a web link"))
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
            notes.append(Message(N_('ignored "%(link)s": not a web link'), link=link[:80]))
        elif _is_repository(url):
            repository_url = repository_url or url
        else:
            demo_url = demo_url or url
    if website and demo_url is None:
        demo_url = _web_link(website)
        if demo_url is None:
            notes.append(
                Message(N_('ignored website "%(link)s": not a web link'), link=website[:80])
            )
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
        key = name_key(value)
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
        email = _normalise_email(raw_email) if raw_email else None
        if email is not None and (len(email) > MAX_EMAIL_LENGTH or not EMAIL.fullmatch(email)):
            notes.append(_not_an_email(raw_email[:80], name))
            email = None
        if not name and email is None:
            continue
        name = (name or email or "")[:MAX_NAME_LENGTH]
        key = email or f"name:{name_key(name)}"
        known = by_key.get(key)
        if known is not None:
            if known.name == known.email and name != email:
                known.name = name
            continue
        member = ExportMember(name=name, email=email)
        by_key[key] = member
        members.append(member)
    return members


def _not_an_email(email: str, name: str) -> Message:
    if not name:
        return Message(
            N_('"%(email)s" is not an email address; that member is kept without one'),
            email=email,
        )
    return Message(
        N_('"%(email)s" is not an email address; %(name)s is kept without one'),
        email=email,
        name=name,
    )


def _normalise_email(email: str) -> str:
    """An address as accounts store it (trimmed, lower-case), so members match users."""
    return email.strip().lower()


def name_key(name: str) -> str:
    """A name compared without case or extra spaces (prizes to challenges, members)."""
    return " ".join(name.split()).casefold()
