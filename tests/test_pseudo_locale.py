"""Every page of every role, in a pseudo-language that marks each translated string, with
nothing a person reads left unmarked: the proof that the interface went through translation,
which the Spanish catalogue test alone cannot give (a string nobody marked is in no
catalogue).

The demo program (`flask seed-demo`) is crawled for each role and for a visitor, every kind of
page once (tests/crawling.py), with the request in Spanish, so dates, times and numbers come
out of Babel in Spanish, and every message coming out of gettext, ngettext or a lazy string
wrapped in ⟦ ⟧. What is left of the visible text (tests/untranslated.py: text nodes and the
attributes people read) once the marked pieces are taken out must be:
- user data: a value stored in the database (names, titles, descriptions people typed),
  a neighbourhood's name, a time zone's name as Babel gives it in Spanish;
- Babel's Spanish words for months, days and the time of day, and time zones' abbreviations;
- names that are the same in every language (Accelerate: LA, #techLA);
- or sit in an element marked translate="no" or with its own `lang`.
Anything else is English that went round the catalogue, and is listed by page.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import ModuleType

import flask_babel
import pytest
from babel import Locale
from babel.dates import get_timezone_location
from babel.support import NullTranslations
from sqlalchemy import JSON, String, Text, select

from incubator import models
from incubator.extensions import db
from incubator.i18n import zone_name_in
from incubator.vocabulary import NEIGHBOURHOODS
from tests.crawling import crawl, starting_paths
from tests.untranslated import NAMES, has_letters, visible_text

ROLES = ["manager", "founder", "mentor", "judge", "funder", "partner", "admin"]
OPEN, CLOSE = "⟦", "⟧"
MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# Where marked text stood, once taken out.
GAP = "\x00"
SPANISH = {"Accept-Language": "es"}
FORMAT_LOCALE = "es_US"  # incubator.i18n.format_locale() for Spanish


class PseudoTranslations(NullTranslations):
    """A catalogue that translates every message into itself, marked."""

    def gettext(self, message):
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, singular, plural, n):
        return f"{OPEN}{singular if n == 1 else plural}{CLOSE}"

    def pgettext(self, context, message):
        return self.gettext(message)

    def npgettext(self, context, singular, plural, n):
        return self.ngettext(singular, plural, n)

    ugettext, ungettext = gettext, ngettext
    upgettext, unpgettext = pgettext, npgettext


@contextmanager
def pseudo_language() -> Iterator[None]:
    translations = PseudoTranslations()
    original = flask_babel.Domain.get_translations
    flask_babel.Domain.get_translations = lambda self: translations  # type: ignore[method-assign]
    try:
        yield
    finally:
        flask_babel.Domain.get_translations = original  # type: ignore[method-assign]


class Unmarked:
    """The pieces of a page's text outside every marked message, read in document order so
    that a message with markup in it (a sentence with a link) is followed across its tags,
    and marks may nest (a translated sentence with a translated word in it)."""

    def __init__(self) -> None:
        self.depth = 0
        self.pieces: list[str] = []

    def read(self, text: str) -> None:
        piece: list[str] = []
        for character in text:
            if character in (OPEN, CLOSE):
                self._keep(piece)
                self.depth = self.depth + 1 if character == OPEN else max(self.depth - 1, 0)
            elif self.depth == 0:
                piece.append(character)
        self._keep(piece)

    def _keep(self, piece: list[str]) -> None:
        text = "".join(piece).strip()
        if text:
            self.pieces.append(text)
        piece.clear()


def unmarked(text: str) -> list[str]:
    """The pieces of one text outside every marked message."""
    reader = Unmarked()
    reader.read(text)
    return reader.pieces


def _texts(value: object) -> Iterator[str]:
    """The strings in a stored value: itself, or those in a JSON list or object."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def stored_text() -> set[str]:
    """Every text value in the database, JSON lists (a mentor's expertise) included: what
    people typed and the program's own data."""
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                values.update(_texts(list(db.session.scalars(select(column).distinct()))))
            elif isinstance(column.type, JSON):  # PostgreSQL cannot compare json for DISTINCT
                values.update(_texts(list(db.session.scalars(select(column)))))
    # A text stored after a label of the program's ("Venture: ...", a decline reason) is
    # shown without it.
    labelled = [value for value in values if ": " in value and not NAMES.search(value)]
    return values | {value.split(": ", 1)[1] for value in labelled}


def stored_codes() -> set[str]:
    """The values of every choice the models store as a code (their enums)."""
    codes: set[str] = set()
    for module in vars(models).values():
        if isinstance(module, ModuleType):
            for kind in vars(module).values():
                if isinstance(kind, type) and issubclass(kind, enum.Enum):
                    codes |= {str(member.value) for member in kind}
    return codes


def zone_abbreviations() -> set[str]:
    """The abbreviations of time zones ("PST", "PDT"), the same in every language."""
    found = set()
    for zone in zoneinfo.available_timezones():
        for month in (1, 7):
            found.add(datetime(2026, month, 1, tzinfo=zoneinfo.ZoneInfo(zone)).strftime("%Z"))
    return {abbreviation for abbreviation in found if abbreviation.isalpha()}


def babel_words() -> set[str]:
    """What Babel writes in Spanish dates and times by itself."""
    locale = Locale.parse(FORMAT_LOCALE)
    words = {"de", "a.m.", "p.m.", "a. m.", "p. m.", *zone_abbreviations()}
    for names in (locale.months, locale.days, locale.quarters, locale.day_periods):
        for context in names.values():
            for width in context.values():
                words.update(str(word) for word in width.values() if has_letters(str(word)))
    return words


class Allowed:
    """What may be left unmarked on a page (see the module's docstring)."""

    def __init__(self, data: set[str]) -> None:
        data |= set(NEIGHBOURHOODS)
        data |= {
            get_timezone_location(zone, locale=FORMAT_LOCALE)
            for zone in zoneinfo.available_timezones()
            if "/" in zone  # places, not "Factory" or "EST5EDT"
        }
        # The time zones a form offers, named as incubator.i18n.time_zone_name names them.
        data |= {zone_name_in(zone, "es") for zone in zoneinfo.available_timezones()}
        # The codes of the models' choices ("in_review", "pilot") are not data a person
        # reads: shown raw, they are untranslated interface.
        data = {
            value
            for value in data - stored_codes()
            if has_letters(value) and len(value) > 1 and "_" not in value
        }
        self.data = data
        # Whole values only: a stored "es" does not excuse the end of "viernes".
        self.data_pattern = re.compile(
            r"(?<!\w)(?:"
            + "|".join(re.escape(value) for value in sorted(data, key=len, reverse=True))
            + r")(?!\w)"
        )
        words = sorted(babel_words(), key=len, reverse=True)
        self.words = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(word) for word in words) + r")(?!\w)"
        )

    def left(self, piece: str) -> str | None:
        """What of an unmarked piece of text is neither data nor Babel's nor a name."""
        if not has_letters(piece) or piece.strip(" .,:;·—-()") in self.data:
            return None
        rest = NAMES.sub(" ", self.words.sub(" ", self.data_pattern.sub(" ", piece)))
        return " ".join(rest.split()) if has_letters(rest) else None


def untranslated_on(html: str, allowed: Allowed) -> list[str]:
    between_tags = Unmarked()
    pieces: list[str] = []
    for _position, text, attribute in visible_text(html):
        if attribute:
            pieces += unmarked(text)
        else:
            between_tags.read(text)
    return [
        " ".join(piece.split())
        for piece in [*between_tags.pieces, *pieces]
        if allowed.left(piece) is not None
    ]


def crawl_in_pseudo_language(app, login=None) -> dict[str, list[str]]:
    """Untranslated text by page, for a person (a demo login) or a visitor."""
    client = app.test_client()
    with pseudo_language():
        # Signed in in the pseudo-language too: its welcome shows on the first page.
        if login is not None:
            signed_in = client.post(
                "/auth/login", data={"email": login.email, "password": login.password}
            )
            assert signed_in.status_code == 302
        pages = crawl(app, client, [*starting_paths(app), "/nowhere"], **SPANISH)
    assert len(pages) >= 5, list(pages)
    allowed = Allowed(stored_text())
    problems = {path: untranslated_on(html, allowed) for path, html in pages.items()}
    return {path: found for path, found in problems.items() if found}


def report(problems: dict[str, list[str]]) -> str:
    """Each untranslated text once, with the pages it is on."""
    pages: dict[str, list[str]] = defaultdict(list)
    for path, found in problems.items():
        for text in dict.fromkeys(found):
            pages[text].append(path)
    return "\n".join(
        f"{text!r}  on {', '.join(paths[:3])}{' …' if len(paths) > 3 else ''}"
        for text, paths in sorted(pages.items(), key=lambda item: item[1][0])
    )


class TestEveryPageInThePseudoLanguage:
    @pytest.mark.parametrize("role", [*ROLES, "visitor"])
    def test_nothing_a_person_reads_went_round_the_catalogue(self, _app, demo_program, role):
        problems = crawl_in_pseudo_language(_app, demo_program.get(role))

        assert not problems, "Untranslated on the pages of a " + role + ":\n" + report(problems)


# The check itself --------------------------------------------------------------------------


def test_marked_pieces_are_taken_out_even_when_they_nest():
    assert unmarked("⟦Hola, ⟦Ana⟧⟧ · Week 3 ⟦de⟧ x") == ["· Week 3", "x"]


def test_a_message_with_a_link_in_it_is_followed_across_the_tags():
    html = '<p>⟦Read <a href="/g">⟦the guide⟧</a> first.⟧ Then <b>go</b></p>'

    assert untranslated_on(html, Allowed(set())) == ["Then", "go"]


def test_data_babel_words_and_names_are_allowed_and_english_is_not():
    allowed = Allowed({"Boyle Heights Water Co-op", "Ana López", "Accelerate: LA Cohort 3"})

    assert allowed.left("Ana López,") is None
    assert allowed.left("Boyle Heights Water Co-op · 2 dic 2026") is None
    assert allowed.left("Accelerate: LA") is None
    assert allowed.left("Accelerate: LA Cohort 3 · T4 2026") is None
    assert allowed.left("lun, 2 de mar, 9:05 a.m.") is None
    assert allowed.left("Ana López (3 ventures)") == "(3 ventures)"
    assert allowed.left("in_review") == "in_review"
    assert Allowed({"es"}).left("viernes, Week") == ", Week"


def test_a_page_with_an_unmarked_word_is_caught():
    allowed = Allowed({"Ana López"})
    html = (
        '<html lang="es"><title>⟦Inicio⟧</title><body>'
        '<button aria-label="Close">+</button><p>⟦Hola⟧ Ana López</p>'
        '<p translate="no">in_review</p><span lang="en">English</span>'
        "<script>var x = 'words';</script><td>Pending</td></body></html>"
    )

    # Text between tags first, then the attributes.
    assert untranslated_on(html, allowed) == ["Pending", "Close"]
