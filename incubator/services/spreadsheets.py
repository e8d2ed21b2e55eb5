"""Cells for a spreadsheet: every CSV the app writes passes its text cells through here."""

from __future__ import annotations

# Cells starting with these are run as formulas by spreadsheets (OWASP "CSV injection"):
# the formula signs, the semicolon some locales separate arguments with, tab and carriage
# return (which spreadsheets strip before reading a formula), and the full-width forms of
# = + - @ that some spreadsheets read as the ASCII ones.
FORMULA_PREFIXES = (
    "=",
    "+",
    "-",
    "@",
    ";",
    "\t",
    "\r",
    "\N{FULLWIDTH EQUALS SIGN}",
    "\N{FULLWIDTH PLUS SIGN}",
    "\N{FULLWIDTH HYPHEN-MINUS}",
    "\N{FULLWIDTH COMMERCIAL AT}",
)


def spreadsheet_safe(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with a quote; numbers pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
