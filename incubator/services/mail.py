"""The one way the app sends mail: the outbox (log + admin page) or SMTP."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, url_for

from incubator.extensions import db
from incubator.models import OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: str


def send(recipient: str, subject: str, body: str, attachment: Attachment | None = None) -> None:
    """Send a plain-text mail, with at most one text attachment, through the configured backend."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        _send_smtp(config, recipient, subject, body, attachment)
        return
    if backend != "outbox":
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
    # The outbox row commits with the request that caused it, so a failed request sends nothing.
    db.session.add(
        OutboxMessage(
            recipient=recipient,
            subject=subject,
            body=body,
            attachment_name=attachment.filename if attachment else None,
            attachment_type=attachment.content_type if attachment else None,
            attachment=attachment.content if attachment else None,
        )
    )
    log.info("mail to %s: %s", recipient, subject)
    log.debug("%s", body)


def _send_smtp(
    config, recipient: str, subject: str, body: str, attachment: Attachment | None
) -> None:
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    if attachment is not None:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype = rest.partition(";")[0]
        message.add_attachment(
            attachment.content.encode(),
            maintype=maintype,
            subtype=subtype.strip(),
            filename=attachment.filename,
        )
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    log.info("mail to %s sent through SMTP: %s", recipient, subject)


def link(endpoint: str, **values) -> str:
    """An absolute link for a mail, built on BASE_URL so a forged Host header cannot change it."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
