"""The one way the app sends mail: a row in the outbox, written in the caller's transaction.

Nothing leaves the app here. `flask deliver-mail` (services/mail_delivery.py) delivers the
row after the transaction commits, so a request that fails sends nothing, and a mail server
that is slow or down changes no answer the app gives.

Every mail the app sends is a template, `templates/mail/<kind>.txt`, with two blocks:
`subject` (one line) and `body`. `send_template` renders both and queues the mail; `send`
only queues a mail already written (the delivery tests use it, and a test forbids services
to). Templates see `recipient`, what the caller passes, `link(endpoint, **values)`, the
gettext callables (`_`, `ngettext`, `{% trans %}`) and three filters: `localtime(style)`, an
instant in the recipient's time zone, `dateformat(style)`, a calendar date, and `translate`,
a message marked elsewhere (N_) and translated here. A variable a template uses and nobody
passed is an error (StrictUndefined), not an empty string.

A mail is written in the recipient's language, not the sender's: their saved preference,
else English; a bare address that is a person's account is that person. Its dates and times
too: the styles in DATE_PATTERNS are CLDR patterns translated like any text, so each language
orders its day, month and year its own way while English reads as it always has.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel import dates
from flask import current_app, url_for
from flask_babel import force_locale, get_translations
from jinja2.runtime import Context
from sqlalchemy import select

from incubator import clock, i18n
from incubator.extensions import db
from incubator.i18n import N_
from incubator.models import MailStatus, OutboxMessage, User, utcnow

log = logging.getLogger(__name__)

# Where the mail templates are, under the app's template folder.
TEMPLATE_FOLDER = "mail"

# The ways a mail writes a day or a time (the `localtime` and `dateformat` filters' styles):
# CLDR patterns (EEEE weekday, MMMM month, d day, y year, h:mm a time, zzz zone), translated
# in the catalogue, so Spanish says "martes 6 de octubre de 2026" where English says
# "Tuesday October 6, 2026".
DATE_PATTERNS = {
    "day": N_("EEEE MMMM d"),
    "full_date": N_("EEEE MMMM d, y"),
    "date": N_("MMM d, y"),
    "short_date": N_("MMM d"),
    "weekday_date": N_("EEE, MMM d, y"),
    "time": N_("h:mm a"),
    "time_and_zone": N_("h:mm a zzz"),
}


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: str


def send_template(
    recipient: User | str,
    kind: str,
    *,
    attachment: Attachment | None = None,
    zone: ZoneInfo | None = None,
    **context: Any,
) -> None:
    """Render templates/mail/<kind>.txt for a person (or a bare address) and queue it.

    Times are shown in `zone`, by default the recipient's own (the program's for an address
    that is nobody's account).
    """
    subject, body = render(recipient, kind, zone=zone, **context)
    send(recipient.email if isinstance(recipient, User) else recipient, subject, body, attachment)


def render(
    recipient: User | str, kind: str, *, zone: ZoneInfo | None = None, **context: Any
) -> tuple[str, str]:
    """The subject and body of a kind of mail for one recipient, in their language whatever
    the language of the request that sends it."""
    template = environment().get_template(f"{kind}.txt")
    person = _person(recipient)
    values = {**context, "recipient": recipient, "zone": zone or clock.zone_for(person)}
    with force_locale(language_of(person)):
        subject = _block(template, "subject", values).strip()
        body = _block(template, "body", values)
    return subject, body


def _person(recipient: User | str) -> User | None:
    """The account a mail goes to: the person, or the one a bare address belongs to."""
    if isinstance(recipient, User):
        return recipient
    return db.session.scalar(select(User).where(User.email == recipient.strip().lower()))


def language_of(person: User | None) -> str:
    """The language a person's mail is written in: their saved preference, else English."""
    if person is not None and i18n.is_language(person.preferred_language):
        return str(person.preferred_language)
    return i18n.DEFAULT_LANGUAGE


@contextmanager
def in_language_of(recipient: User | str) -> Iterator[None]:
    """Text made inside is in the recipient's language, as their mail is: for what a caller
    builds apart from the template, such as a calendar file to attach."""
    with force_locale(language_of(_person(recipient))):
        yield


def _block(template: jinja2.Template, name: str, values: dict[str, Any]) -> str:
    if name not in template.blocks:
        raise LookupError(f"Mail template {template.name} has no {name} block.")
    return "".join(template.blocks[name](template.new_context(values)))


def send(recipient: str, subject: str, body: str, attachment: Attachment | None = None) -> None:
    """Queue a plain-text mail, with at most one text attachment, for the delivery worker."""
    db.session.add(
        OutboxMessage(
            recipient=recipient,
            subject=subject,
            body=body,
            attachment_name=attachment.filename if attachment else None,
            attachment_type=attachment.content_type if attachment else None,
            attachment=attachment.content if attachment else None,
            status=MailStatus.QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
        )
    )
    log.info("mail to %s queued: %s", recipient, subject)


def link(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail, built on BASE_URL so a forged Host header cannot change it."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


# The templates' environment ---------------------------------------------------------------------


def template_folder() -> str:
    """templates/mail of the running app."""
    folder = current_app.template_folder
    assert folder is not None
    return os.path.join(current_app.root_path, folder, TEMPLATE_FOLDER)


def environment() -> jinja2.Environment:
    """The mail templates' own Jinja environment: no request needed, nothing of the pages'."""
    return _environment(template_folder())


@cache
def _environment(folder: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        # Text is not escaped; an HTML version (<kind>.html) would be.
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
        # A line holding only a tag leaves nothing behind, so templates read like the mail.
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.add_extension("jinja2.ext.i18n")
    # As Flask-Babel does for the pages: the catalogue of the language forced while rendering.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: get_translations().ugettext(message),
        ngettext=lambda singular, plural, n: get_translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    env.filters["localtime"] = localtime
    env.filters["dateformat"] = dateformat
    env.filters["translate"] = translate
    env.globals["link"] = link
    return env


def _pattern(style: str) -> str:
    if style not in DATE_PATTERNS:
        raise LookupError(f"No date style {style!r} for mail; the styles: {sorted(DATE_PATTERNS)}.")
    return get_translations().ugettext(DATE_PATTERNS[style])


@jinja2.pass_context
def localtime(context: Context, moment: datetime, style: str) -> str:
    """An instant on the recipient's clock (the `zone` the mail is rendered in), written in
    the mail's language in one of the DATE_PATTERNS styles."""
    return dates.format_datetime(
        moment, _pattern(style), tzinfo=context["zone"], locale=i18n.format_locale()
    )


def dateformat(day: date, style: str) -> str:
    """A calendar date, which has no time zone, in one of the DATE_PATTERNS styles."""
    return dates.format_date(day, _pattern(style), locale=i18n.format_locale())


def translate(message: str) -> str:
    """A message marked for translation where it was written (N_), in the mail's language."""
    return get_translations().ugettext(message)
