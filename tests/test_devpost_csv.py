"""Reading Devpost exports (devpost_csv): plain bytes and text in, rows out, no database.

Both export layouts, encodings and the byte order mark, the columns it needs, rows it
cannot use (reported with their spreadsheet row numbers), team members, and the limits.
"""

from __future__ import annotations

import pytest

from incubator.services.hackathons import devpost_csv
from incubator.services.hackathons.devpost_csv import UnreadableExport
from tests.plugins.hackathons import BAD_FILES, devpost_file

DROPSENSE = "https://devpost.com/software/dropsense"
METRO_MILE = "https://devpost.com/software/metro-mile-buddy"


def rows_by_number(parsed: devpost_csv.ParsedExport) -> dict[int, devpost_csv.ExportRow]:
    return {row.row_number: row for row in parsed.rows}


def members_of(row: devpost_csv.ExportRow) -> list[tuple[str, str | None]]:
    return [(member.name, member.email) for member in row.members]


def test_current_export_fields_are_mapped_exactly():
    parsed = devpost_csv.parse_export(devpost_file("current_unheaded_members.csv"))

    assert parsed.variant == devpost_csv.CURRENT
    row = rows_by_number(parsed)[2]
    assert row.title == "DropSense"
    assert row.submission_url == DROPSENSE
    assert row.status == "submitted"
    assert row.description == "Leak alerts for LADWP customers from smart-meter readings."
    assert row.repository_url == "https://github.com/dropsense-la/dropsense"
    assert row.demo_url == "https://dropsense.app"
    assert row.video_url == "https://www.youtube.com/watch?v=dr0p5en5e"
    assert row.built_with == "python, flask, postgresql"
    assert row.prizes == ["water conservation", "Best Overall"]
    # Custom questions, the unknown "Table Number" column and the rest go to extra.
    assert row.extra == {
        "Table Number": "12",
        "Judging Status": "Pending",
        "Highest Step Completed": "Submit",
        "Project Created At": "03/02/2024 10:15:00",
        "Opt-In Prizes": "water conservation, Best Overall",
        "Team Colleges/Universities": "Cal State LA, UCLA",
        "Additional Team Member Count": "1",
        "Which Los Angeles neighbourhoods does your project serve?": "Boyle Heights; Pacoima",
        "Which City of LA open data sets did you use?": "LADWP water use by ZIP code",
    }


def test_submission_url_trailing_slash_and_link_kinds_are_normalised():
    rows = rows_by_number(devpost_csv.parse_export(devpost_file("current_unheaded_members.csv")))

    assert rows[3].submission_url == METRO_MILE
    assert rows[3].raw_url == METRO_MILE + "/"
    # Links separated by a newline; a GitLab link is the repository.
    assert rows[3].demo_url == "https://metromilebuddy.la"
    assert rows[3].repository_url == "https://gitlab.com/mmb/app"
    # A bare domain is taken as an https link.
    assert rows[7].demo_url == "https://curbcutmap.org"
    assert rows[7].repository_url is None


def test_members_beyond_the_header_are_read_in_threes():
    rows = rows_by_number(devpost_csv.parse_export(devpost_file("current_unheaded_members.csv")))

    assert members_of(rows[2]) == [
        ("Maria Lopez", "maria.lopez@example.org"),
        ("José Ñúñez", "jose.nunez@example.org"),
    ]
    assert members_of(rows[3]) == [
        ("Nguyễn Thị Hoa", "hoa.nguyen@example.org"),
        ("Kwame Mensah", "kwame@example.org"),
        ("Priya Raman", "priya@example.org"),
    ]
    assert members_of(rows[4]) == [("李华", "li.hua@example.org")]
    # The same person twice, with the address in different case, is one member.
    assert members_of(rows[7]) == [("Ana García", "ana.garcia@example.org")]


def test_row_numbers_are_spreadsheet_rows_even_after_a_multiline_cell():
    parsed = devpost_csv.parse_export(devpost_file("current_unheaded_members.csv"))

    # Row 3 holds a line break inside quotes, so "Bienvenida LA" is on line 5 of the file.
    assert [(row.row_number, row.title) for row in parsed.rows] == [
        (2, "DropSense"),
        (3, "Metro Mile Buddy"),
        (4, "Bienvenida LA"),
        (5, "Shade Finder"),
        (6, "DropSense (copy)"),
        (7, "Curb Cut Map"),
    ]
    assert parsed.rows[2].is_draft
    assert parsed.rows[3].url_problem == "no submission URL"


def test_current_export_with_submitter_and_team_member_columns():
    parsed = devpost_csv.parse_export(devpost_file("current_submitter.csv"))
    rows = rows_by_number(parsed)

    assert parsed.variant == devpost_csv.CURRENT
    assert members_of(rows[2]) == [
        ("Rosa Martínez", "rosa@example.org"),
        ("Tomás Herrera", "tomas@example.org"),
        ("Sam Lee", "sam.lee@example.org"),
    ]
    assert members_of(rows[3]) == [("Jordan Kim", "jordan.kim@example.org")]
    assert rows[2].repository_url == "https://bitbucket.org/waterwise/site"
    assert rows[2].demo_url == "https://waterwise.example.org"
    assert rows[2].video_url == "https://vimeo.com/912345678"
    assert rows[2].extra["Did your team attend the LADWP data workshop?"] == "Yes"
    for header in ("Submitter Email", "Team Member 1 Email", "Project Title", "Built With"):
        assert header not in rows[2].extra


def test_older_export_fields_are_mapped_exactly():
    parsed = devpost_csv.parse_export(devpost_file("older_format.csv"))
    rows = rows_by_number(parsed)

    assert parsed.variant == devpost_csv.OLDER
    row = rows[2]
    assert row.title == "RainCatch LA"
    assert row.submission_url == "http://devpost.com/software/raincatch-la"
    assert row.status == "submitted"
    assert row.description == (
        "Sensors on rain barrels report how much stormwater Angelenos capture."
    )
    assert row.video_url == "https://vimeo.com/154321987"
    assert row.demo_url == "http://raincatch.la"
    assert row.repository_url is None
    assert row.built_with == "arduino, javascript"
    assert row.prizes == ["Water Conservation"]
    assert members_of(row) == [
        ("Luis Díaz", "luis.diaz@example.org"),
        ("Mei Chen", "mei.chen@example.org"),
    ]
    assert row.extra == {
        "Desired Prizes": "Water Conservation",
        "Submitter Screen Name": "ldiaz",
        "College/Universities Of Team Members": "Cal State LA",
        "Additional Team Member Count": "1",
    }
    assert rows[3].prizes == ["transit access", "Civic Choice Award"]
    assert rows[3].demo_url is None


def test_byte_order_mark_crlf_and_multiline_quoted_text_are_read():
    data = devpost_file("bom_crlf_multiline.csv")
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # the fixture is what it claims

    parsed = devpost_csv.parse_export(data)
    rows = rows_by_number(parsed)

    assert parsed.headers[0] == "Project Title"
    assert rows[2].title == "Ayuda Migrante"
    assert rows[2].description == (
        "## Inspiration\nOur parents waited hours at the wrong office.\n\n"
        '## What it does\nAnswers "where do I go?" for immigrant services, in Spanish, '
        "Korean and Tagalog."
    )
    assert members_of(rows[2]) == [
        ("José Ñúñez", "jose.nunez@example.org"),
        ("Nguyễn Thị Hoa", "hoa.nguyen@example.org"),
        ("李华", "li.hua@example.org"),
    ]
    assert rows[3].title == "Línea Verde"
    assert rows[3].description == "Bike routes along the LA River,\nwith water fountains marked."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        *[pytest.param(devpost_file(name), message, id=name) for name, message in BAD_FILES],
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n\r\n", "The file is empty."),
        (b"Project Title,Notes\nFlood Watch,x\n", 'no "Submission Url" column'),
        (
            b"Submission Url,Notes\nhttps://devpost.com/software/x,\n",
            'no "Project Title" (or "Submission Title") column',
        ),
        (b"Team,Notes\nx,y\n", 'no "Project Title" (or "Submission Title") and no "Submission'),
        (b'Project Title,Submission Url\n"Flood Watch,x\n', "a quoted value is never closed"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook or a ZIP file"),
        (b"Project Title,Submission Url\nA\x00B,x\n", "it holds binary data"),
        ("Project Title,Submission Url\nA,x\n".encode("utf-16"), "UTF-16 text, not UTF-8"),
        (b"%PDF-1.7\n", "This is a PDF document, not a CSV file."),
        (b"Project Title,Submission Url\nCaf\xe9,x\n", "The file is not UTF-8 text."),
    ],
)
def test_a_bad_or_malformed_file_is_refused_with_a_clear_message(data, message):
    with pytest.raises(UnreadableExport) as error:
        devpost_csv.parse_export(data)
    assert message in error.value.message


def test_a_file_over_the_size_limit_is_refused():
    data = devpost_file("current_submitter.csv") * 2000  # about 2.3 MB
    assert len(data) > devpost_csv.DEFAULT_MAX_BYTES

    with pytest.raises(UnreadableExport) as error:
        devpost_csv.parse_export(data)
    assert "the import takes files up to 2.0 MB" in error.value.message


def test_more_than_five_thousand_rows_are_refused():
    lines = ["Project Title,Submission Url"]
    lines += [f"Project {n},https://devpost.com/software/p{n}" for n in range(5001)]
    with pytest.raises(UnreadableExport, match="more than 5,000 projects"):
        devpost_csv.parse_export("\n".join(lines).encode())

    assert len(devpost_csv.parse_export("\n".join(lines[:5001]).encode()).rows) == 5000


def test_overlong_values_and_bad_links_are_cut_or_dropped_with_a_note():
    parsed = devpost_csv.parse_export(devpost_file("overlong_values.csv"))
    first, second = parsed.rows

    assert len(first.title) <= 200 and first.title.startswith("Agua Agua")
    assert first.repository_url == "https://github.com/agua/agua"
    assert first.demo_url is None and first.video_url is None
    assert members_of(first) == [("Rosa Díaz", None)]
    assert first.notes == [
        "title cut to 200 characters",
        'ignored "javascript:alert(1)": not a web link',
        'ignored video "ftp://video": not a web link',
        '"not-an-email" is not an email address; Rosa Díaz is kept without one',
    ]
    assert second.url_problem == "the submission URL is longer than 500 characters"


def test_text_already_decoded_is_read_the_same_as_its_bytes():
    data = devpost_file("older_format.csv")

    from_text = devpost_csv.parse_text(data.decode("utf-8-sig"))

    assert from_text == devpost_csv.parse_export(data)
    assert from_text.variant_label.startswith("older Devpost export")


def test_a_broken_quote_is_reported_with_its_line():
    text = 'Project Title,Submission Url\nFlood Watch,https://devpost.com/software/f\n"A"B,x\n'

    with pytest.raises(UnreadableExport) as error:
        devpost_csv.parse_text(text)

    assert "a closing quote is followed by more text (near line 3)" in error.value.message


def test_rows_it_cannot_use_are_kept_with_their_row_number_and_problem():
    text = (
        "Project Title,Submission Url,Project Status\n"
        "Flood Watch,https://devpost.com/software/flood-watch,Submitted\n"
        "\n"
        "No Link,,Submitted\n"
        "Mail Link,mailto:team@example.org,Draft\n"
    )

    rows = devpost_csv.parse_text(text).rows

    assert [(row.row_number, row.url_problem) for row in rows] == [
        (2, None),
        (4, "no submission URL"),
        (5, "the submission URL is not a web link"),
    ]
    assert [row.status for row in rows] == ["submitted", "submitted", "draft"]


def test_headed_team_member_columns_and_repeated_questions_are_read():
    text = (
        "Project Title,Submission Url,Team Member 2 First Name,Team Member 2 Email,"
        "Team Member 1 First Name,Team Member 1 Last Name,Team Member 1 Email,Why?,Why?,\n"
        f"Shade,{DROPSENSE},Bo,BO@Example.org,Ada,Ruiz,ada@example.org,Heat,Trees,x\n"
    )

    parsed = devpost_csv.parse_text(text)

    assert members_of(parsed.rows[0]) == [
        ("Ada Ruiz", "ada@example.org"),
        ("Bo", "bo@example.org"),
        ("x", None),
    ]
    assert parsed.extra_headers == ["Why?", "Why? (2)"]
    assert parsed.rows[0].extra == {"Why?": "Heat", "Why? (2)": "Trees"}


def test_submission_urls_and_names_are_compared_as_keys():
    assert devpost_csv.normalise_url(" HTTPS://DevPost.com/software/x/ ") == (
        "https://devpost.com/software/x"
    )
    assert devpost_csv.normalise_url("ftp://devpost.com/x") == ""
    assert devpost_csv.normalise_url("https://devpost.com/a b") == ""
    assert devpost_csv.name_key("  Water   Conservation ") == "water conservation"
