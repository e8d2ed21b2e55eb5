"""The one way the app sends mail: a row in the outbox, written in the caller's transaction.

Nothing leaves the app here. `flask deliver-mail` (services/mail_delivery.py) delivers the
row after the transaction commits, so a request that fails sends nothing, and a mail server
that is slow or down changes no answer the app gives.

Every mail the app sends is a template, `templates/mail/<kind>.txt`, with two blocks:
`subject` (one line) and `body`. `send_template` renders both and queues the mail; `send`
only queues a mail already written (the delivery tests use it, and a test forbids services
to). Templates see `recipient`, what the caller passes, `link(endpoint, **values)` and two
filters: `localtime(format)`, an instant in the recipient's time zone, and
`dateformat(format)`, a calendar date. A variable a template uses and nobody passed is an
error (StrictUndefined), not an empty string.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from flask import current_app, url_for
from flask_babel import force_locale
from jinja2.runtime import Context

from incubator import clock
from incubator.extensions import db
from incubator.models import MailStatus, OutboxMessage, User, utcnow

log = logging.getLogger(__name__)

# Where the mail templates are, under the app's template folder.
TEMPLATE_FOLDER = "mail"


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

    Times are shown in `zone`, by default the recipient's own (the program's for an address).
    """
    subject, body = render(recipient, kind, zone=zone, **context)
    send(recipient.email if isinstance(recipient, User) else recipient, subject, body, attachment)


def render(
    recipient: User | str, kind: str, *, zone: ZoneInfo | None = None, **context: Any
) -> tuple[str, str]:
    """The subject and body of a kind of mail for one recipient.

    In English whatever the language of the request that sends it, until mail is translated
    (then: the recipient's language), so that no date in it comes out in the sender's."""
    template = environment().get_template(f"{kind}.txt")
    person = recipient if isinstance(recipient, User) else None
    values = {**context, "recipient": recipient, "zone": zone or clock.zone_for(person)}
    with force_locale("en"):
        subject = _block(template, "subject", values).strip()
        body = _block(template, "body", values)
    return subject, body


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
    env.filters["localtime"] = localtime
    env.filters["dateformat"] = dateformat
    env.globals["link"] = link
    return env


@jinja2.pass_context
def localtime(context: Context, moment: datetime, fmt: str) -> str:
    """An instant on the recipient's clock (the `zone` the mail is rendered in)."""
    return moment.astimezone(context["zone"]).strftime(fmt)


def dateformat(day: date, fmt: str) -> str:
    """A calendar date, which has no time zone."""
    return day.strftime(fmt)
