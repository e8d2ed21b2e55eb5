"""The one way the app sends mail: a row in the outbox, written in the caller's transaction.

Nothing leaves the app here. `flask deliver-mail` (services/mail_delivery.py) delivers the
row after the transaction commits, so a request that fails sends nothing, and a mail server
that is slow or down changes no answer the app gives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, url_for

from incubator.extensions import db
from incubator.models import MailStatus, OutboxMessage, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    content: str


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


def link(endpoint: str, **values) -> str:
    """An absolute link for a mail, built on BASE_URL so a forged Host header cannot change it."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
