"""Fixtures and readers the hackathons tests share."""

from __future__ import annotations

from pathlib import Path

DEVPOST_FILES = Path(__file__).resolve().parent.parent / "fixtures" / "devpost"


def devpost_file(name: str) -> bytes:
    """The bytes of one of the sample Devpost exports in tests/fixtures/devpost."""
    return (DEVPOST_FILES / name).read_bytes()


# Sample files that are not a readable Devpost export, with what the person is told.
BAD_FILES = [
    ("latin1.csv", "The file is not UTF-8 text. In Excel choose 'CSV UTF-8' when saving."),
    ("missing_url_column.csv", 'The file has no "Submission Url" column'),
    ("not_a_csv.png", "This is a PNG image, not a CSV file."),
    ("header_only.csv", "The file has a header row but no projects in it."),
    ("semicolons.csv", "its first row has only one column"),
]
