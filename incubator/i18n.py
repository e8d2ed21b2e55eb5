"""The interface's language: which one a request is shown in, and dates, times and money
formatted for it.

The language is, in this order: the signed-in person's saved preference, else the one chosen
with the switch on every page (kept in the session), else the best match for the browser's
Accept-Language, else English. The codes are the keys of the LANGUAGES setting; adding a
language is a catalogue in translations/ and a line there.

Formatting goes through Babel in the language's United States variant when Babel has one
(es_US: "$1,234.50", "9:05 a.m."), the program being in Los Angeles; times in the viewer's
zone (clock.viewer_zone), as everywhere else.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

from babel import Locale, dates, localedata, numbers
from babel.core import get_global
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user

from incubator import clock
from incubator.extensions import babel

# The session key the switch writes for a visitor who is not signed in.
SESSION_KEY = "language"
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a message for extraction (pybabel's N_ keyword) that is translated where it is
    shown, not here (flask-login's message, translated by its localize_callback)."""
    return message


def languages() -> dict[str, str]:
    """The configured languages: code -> the language's own name."""
    return current_app.config["LANGUAGES"]


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in languages()


def select_language() -> str:
    """The language of this request (see the module's docstring for the order)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user.is_authenticated and is_language(current_user.preferred_language):
        return current_user.preferred_language
    chosen = session.get(SESSION_KEY)
    if isinstance(chosen, str) and is_language(chosen):
        return chosen
    return request.accept_languages.best_match(list(languages())) or DEFAULT_LANGUAGE


def _babel_state() -> SimpleNamespace | None:
    """Flask-Babel's state for this context (`g._flask_babel`: the locale it chose, or the
    one `force_locale` put in), found with one lookup of `g`. Flask-Babel finds it with three
    for every message and every date, and a page of cards asks thousands of times."""
    if not has_app_context():
        return None
    found = vars(g._get_current_object()).get("_flask_babel")
    return found if isinstance(found, SimpleNamespace) else None


def _locale() -> Locale | None:
    state = _babel_state()
    locale = getattr(state, "babel_locale", None) if state is not None else None
    # Not chosen yet (or not in a request): Flask-Babel chooses, and keeps it in the state.
    return locale if locale is not None else get_locale()


def current_language() -> str:
    """The code of the language this request is shown in, as the LANGUAGES setting names it
    ("en", "es", "zh_Hant")."""
    locale = _locale()
    return _code_of(locale) if locale is not None else DEFAULT_LANGUAGE


@lru_cache(maxsize=64)
def _code_of(locale: Locale) -> str:
    return str(locale)


def language_tag(code: str) -> str:
    """A language's code as HTML's `lang` writes it (BCP 47): "zh_Hant" is "zh-Hant"."""
    return code.replace("_", "-")


def format_locale() -> str:
    """The Babel locale dates and numbers are formatted in: the language's US variant when
    Babel knows one, else the language itself."""
    return _format_locale_of(current_language())


@lru_cache(maxsize=64)
def _format_locale_of(language: str) -> str:
    # Asked for every date and number a page writes; Babel looks for the locale's file.
    american = f"{language}_US"
    return american if localedata.exists(american) else language


def _formatting() -> Locale:
    """`format_locale()` as Babel's parsed Locale, parsed once per locale: Babel parses a
    locale given by name again for every date, time and amount it writes."""
    return _parsed(format_locale())


@lru_cache(maxsize=64)
def _parsed(locale: str) -> Locale:
    return Locale.parse(locale)


def format_day(day: date, *, weekday: bool = False, year: bool = True) -> str:
    """A calendar day: "Mon, Mar 2, 2026" in English, "lun, 2 de mar de 2026" in Spanish."""
    skeleton = ("y" if year else "") + ("MMMEd" if weekday else "MMMd")
    return _day_in(skeleton, day, format_locale())


@lru_cache(maxsize=4096)
def _day_in(skeleton: str, day: date, locale: str) -> str:
    """A day by a CLDR skeleton in a locale, kept: a page names the same few weeks on many
    rows (the board's cards), and Babel takes tens of microseconds for each."""
    return dates.format_skeleton(skeleton, day, locale=locale)


def format_time(local: datetime) -> str:
    """A wall-clock time as read in the current language: "9:05 AM", "9:05 a.m."; a plain
    space where CLDR puts a narrow no-break one, so English reads exactly as before."""
    return dates.format_time(local, "short", locale=_formatting()).replace("\u202f", " ")


def format_date(value: date | datetime | None, length: str = "medium") -> str:
    """A date in the current language ("Mar 2, 2026"; "2 mar 2026"); a datetime's day in the
    viewer's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(clock.viewer_zone()).date()
    return dates.format_date(value, length, locale=_formatting())


def format_datetime(value: datetime | None) -> str:
    """A moment in the viewer's zone, in the current language ("Mar 2, 2026, 9:05 AM")."""
    if value is None:
        return ""
    local = value.astimezone(clock.viewer_zone())
    locale = _formatting()
    # The language's own way of joining a date and a time ("{1}, {0}" in both en and es).
    joined = locale.datetime_formats["medium"]
    return joined.format(format_time(local), dates.format_date(local, "medium", locale=locale))


# The strftime directives of a day and the CLDR skeleton fields they stand for.
DAY_FIELDS = {"a": "E", "A": "EEEE", "b": "MMM", "B": "MMMM", "d": "d", "Y": "y"}
DIRECTIVE = re.compile(r"%-?([a-zA-Z])")


def format_strftime(value: datetime | date, fmt: str) -> str:
    """A wall-clock time or a day (already in the zone it is read in) in the page's
    language, with the fields of the strftime format `fmt`: weekday (%a, %A), month (%b,
    %B), day (%d), year (%Y), time (%I, %H) and zone (%Z).

    English is `value.strftime(fmt)`, as the program always wrote it; another language
    gets the same fields in its own words and order from Babel.
    """
    if current_language() == DEFAULT_LANGUAGE:
        return value.strftime(fmt)
    locale = _formatting()
    found = set(DIRECTIVE.findall(fmt))
    parts = []
    skeleton = "".join(field for code, field in DAY_FIELDS.items() if code in found)
    if skeleton:
        # CLDR's skeletons name the weekday short; a whole weekday is widened after.
        matched = dates.match_skeleton(skeleton.replace("EEEE", "E"), locale.datetime_skeletons)
        pattern = locale.datetime_skeletons[matched or "yMMMd"].pattern
        if "EEEE" in skeleton:
            pattern = re.sub(r"E+", "EEEE", pattern)
        parts.append(dates.format_date(value, pattern, locale=locale))
    if isinstance(value, datetime) and found & {"I", "H"}:
        wall = format_time(value)
        parts.append(f"{wall} {value.strftime('%Z')}".rstrip() if "Z" in found else wall)
    if len(parts) == 2:
        # The language's way of joining a day and a time ("{1}, {0}" in es).
        return locale.datetime_formats["medium"].format(parts[1], parts[0])
    return parts[0] if parts else value.strftime(fmt)


def time_zone_name(zone: str) -> str:
    """A time zone as people read it in the current language: in English its name as
    written ("America/Los Angeles"); in another, its city and, where CLDR has one, the
    zone's everyday name, by Babel ("Los Ángeles (hora del Pacífico)")."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return zone.replace("_", " ")
    return zone_name_in(zone, language)


@lru_cache(maxsize=4096)
def zone_name_in(zone: str, language: str) -> str:
    """A time zone's name in a language other than English, as time_zone_name gives it."""
    # The language itself rather than its US variant: CLDR's es_US (and es_419) name every
    # zone "hora de verano de ...", summer time or not.
    try:
        city = dates.get_timezone_location(zone, locale=language, return_city=True)
    except LookupError:
        return zone.replace("_", " ")
    if zone not in get_global("meta_zones"):
        return city  # "UTC", "GMT+5": no everyday name to add
    generic = dates.get_timezone_name(zone, "long", zone_variant="generic", locale=language)
    if generic == dates.get_timezone_location(zone, locale=language):
        return city  # no everyday name in this language, only the country's and city's
    return f"{city} ({generic})"


def format_currency(amount: Decimal | float | int | None, currency: str = "USD") -> str:
    """An amount of money in the current language ("$1,234.50")."""
    if amount is None:
        return ""
    return numbers.format_currency(amount, currency, locale=_formatting())


def settle_language() -> None:
    """Work out the request's language before its view runs. Worked out when first asked
    for, it could be asked in the middle of a write, where reading the signed-in person
    flushes the write early (or fails after a failed one)."""
    get_locale()


def _request_catalogue():
    """The request's catalogue as Flask-Babel gives it, looked up once per request and
    language: Flask-Babel finds it again through the request context for every message,
    and a page of cards says hundreds. Kept beside the locale it was found for, so a
    `flask_babel.refresh()` (a new language mid-request) finds the new one."""
    locale = _locale()
    state = _babel_state()
    kept = getattr(state, "incubator_catalogue", None)
    if kept is None or kept[0] is not locale:
        kept = (locale, get_translations())
        if state is not None:
            state.incubator_catalogue = kept
    return kept[1]


def register(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_language)
    # Flask-Babel's callables for the templates, but with the catalogue found once.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: _request_catalogue().ugettext(message),
        ngettext=lambda singular, plural, n: _request_catalogue().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: _request_catalogue().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: _request_catalogue().unpgettext(
            context, singular, plural, n
        ),
    )
    app.before_request(settle_language)
    app.add_template_filter(format_date, "format_date")
    app.add_template_filter(format_datetime, "format_datetime")
    app.add_template_filter(format_currency, "format_currency")
    app.add_template_filter(time_zone_name, "time_zone_name")
    app.add_template_global(current_language, "current_language")
    app.add_template_filter(language_tag, "language_tag")
    app.add_template_global(languages, "interface_languages")
