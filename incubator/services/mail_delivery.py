"""Delivering the outbox: `flask deliver-mail` claims due mail, sends it, records how it went.

Requests only write OutboxMessage rows (services/mail.py). A worker, outside any request:

1. claims one due mail in a short transaction of its own: a queued mail whose time has come,
   or one left in "sending" by a worker whose lease ran out (it was killed mid-send). The
   claim is a conditional UPDATE that re-checks the row is still due, after
   `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL and inside `BEGIN IMMEDIATE` on
   SQLite, so two workers never hold the same mail. Claiming counts the attempt and moves
   `next_attempt_at` to the end of the lease.
2. sends it with no transaction open, since the mail server may take its time;
3. records the outcome if its claim still holds (same row, still sending, same attempt):
   sent; queued again after an exponential back-off; or failed, after MAIL_MAX_ATTEMPTS
   tries, or at once when the server refuses this mail for good.

A worker that dies between the server accepting a mail and step 3 leaves the mail to be
sent again when its lease runs out: at least once after a crash, exactly once otherwise.
The Message-ID is the same on every try, so mail programs can spot such a duplicate.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, select, text, update
from sqlalchemy.exc import OperationalError

from incubator.extensions import db, rows_changed
from incubator.models import PENDING_MAIL, MailStatus, OutboxMessage, User, utcnow
from incubator.services import audit
from incubator.services.errors import Conflict, InvalidInput
from incubator.services.transactions import transaction

log = logging.getLogger(__name__)

BACKENDS = ("outbox", "smtp")
ERROR_LENGTH = 1000  # characters of a server's answer kept in last_error


@dataclass(frozen=True)
class ClaimedMail:
    """A mail a worker holds: what to send, and the attempt that proves the claim."""

    id: int
    attempt: int
    recipient: str
    subject: str
    body: str
    attachment_name: str | None
    attachment_type: str | None
    attachment: str | None
    created_at: datetime


@dataclass
class DeliveryReport:
    """What one or more passes over the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Outcomes not recorded because the lease had run out and another worker took the mail.
    lost: int = 0

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed + self.lost

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.lost += other.lost

    def summary(self) -> str:
        if self.tried == 0:
            return "No mail was due."
        said = f"{self.sent} sent, {self.retrying} to be tried again later, {self.failed} failed."
        if self.lost:
            said += f" {self.lost} took longer than the lease and went to another worker."
        return said


class PermanentFailure(Exception):
    """The mail server refused this mail for good: trying again cannot help."""


Transport = Callable[[Mapping[str, Any], ClaimedMail], None]


# Passes over the outbox -----------------------------------------------------------------------


def deliver_due(
    *,
    limit: int | None = None,
    now: datetime | None = None,
    stop: threading.Event | None = None,
) -> DeliveryReport:
    """Deliver the mail due now, at most `limit` of them, and say how it went.

    `now` fixes the clock (tests); otherwise each step reads it. `stop` ends the pass after
    the mail in hand. Mail that becomes due during the pass waits for the next one.
    """
    _transport(current_app.config)  # an unknown backend stops the pass before any claim
    due_by = now or utcnow()
    report = DeliveryReport()
    while (limit is None or report.tried < limit) and not (stop and stop.is_set()):
        claimed = claim_next(due_by, now=now)
        if claimed is None:
            break
        report.count(deliver(claimed, now=now))
    return report


def run(stop: threading.Event, *, interval: float, limit: int | None = None) -> DeliveryReport:
    """Deliver mail until `stop` is set, looking again every `interval` seconds when idle.

    A database that is briefly unreachable is waited out, not fatal.
    """
    total = DeliveryReport()
    while not stop.is_set():
        try:
            report = deliver_due(limit=limit, stop=stop)
        except OperationalError:
            log.exception("the outbox could not be read; trying again in %s s", interval)
            db.session.rollback()
            stop.wait(interval)
            continue
        total.add(report)
        if limit is None or report.tried < limit:
            stop.wait(interval)
    return total


# Claiming and recording -----------------------------------------------------------------------


def _due(due_by: datetime):
    # PENDING_MAIL as literal SQL, word for word the partial index's condition, so that both
    # databases can tell the index covers the query.
    return (text(PENDING_MAIL), OutboxMessage.next_attempt_at <= due_by)


def next_due(due_by: datetime) -> Select:
    """The id of the mail due longest by `due_by`: what a worker claims next."""
    return (
        select(OutboxMessage.id)
        .where(*_due(due_by))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )


def claim_next(due_by: datetime, *, now: datetime | None = None) -> ClaimedMail | None:
    """Claim the mail due longest by `due_by` for this worker, or None when none is due.

    The claim commits before anything is sent, and holds for MAIL_SENDING_LEASE_SECONDS.
    """
    lease = timedelta(seconds=current_app.config["MAIL_SENDING_LEASE_SECONDS"])
    with transaction(serialised=True):
        # SKIP LOCKED: a second worker takes the next mail instead of waiting for this one.
        # SQLite has no row locks (the clause compiles to nothing); BEGIN IMMEDIATE has
        # already given this transaction the database's only write lock.
        message_id = db.session.scalar(next_due(due_by).with_for_update(skip_locked=True))
        if message_id is None:
            return None
        claimed_at = now or utcnow()
        claimed = rows_changed(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *_due(due_by))
            .values(
                status=MailStatus.SENDING,
                attempts=OutboxMessage.attempts + 1,
                claimed_at=claimed_at,
                next_attempt_at=claimed_at + lease,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed != 1:
            return None  # another worker got there first; its pass will carry on
        row = db.session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.attempts,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.attachment_name,
                OutboxMessage.attachment_type,
                OutboxMessage.attachment,
                OutboxMessage.created_at,
            ).where(OutboxMessage.id == message_id)
        ).one()
    return ClaimedMail(*row)


@dataclass(frozen=True)
class _Outcome:
    error: str | None = None
    permanent: bool = False


def deliver(mail: ClaimedMail, *, now: datetime | None = None) -> str:
    """Send a claimed mail and record how it went, if the claim still holds.

    Returns the outcome: "sent", "retrying", "failed", or "lost" when the lease had run out
    and another worker holds the mail now (then nothing is recorded).
    """
    config = current_app.config
    outcome = _attempt(_transport(config), config, mail)
    return _record(mail, outcome, now or utcnow(), config)


def _attempt(transport: Transport, config: Mapping[str, Any], mail: ClaimedMail) -> _Outcome:
    try:
        transport(config, mail)
    except PermanentFailure as error:
        return _Outcome(str(error), permanent=True)
    except Exception as error:
        # Anything else (the server down, a timeout, a bug) is tried again; the attempt
        # counter stops it after MAIL_MAX_ATTEMPTS.
        if not isinstance(error, OSError):  # smtplib's errors are OSErrors too
            log.exception("mail %s could not be sent", mail.id)
        return _Outcome(_describe(error))
    return _Outcome()


def retry_delay(attempts: int, config: Mapping[str, Any]) -> timedelta:
    """How long to wait after the n-th failed attempt: the base, doubled each time, capped."""
    base = config["MAIL_RETRY_BASE_SECONDS"]
    ceiling = config["MAIL_RETRY_MAX_SECONDS"]
    return timedelta(seconds=min(base * 2 ** min(attempts - 1, 30), ceiling))


def _record(mail: ClaimedMail, outcome: _Outcome, now: datetime, config: Mapping[str, Any]) -> str:
    if outcome.error is None:
        values: dict[str, Any] = {
            "status": MailStatus.SENT,
            "sent_at": now,
            "next_attempt_at": None,
            "claimed_at": None,
            "last_error": None,
        }
        counter = "sent"
        log.info("mail %s to %s sent: %s", mail.id, mail.recipient, mail.subject)
    elif outcome.permanent or mail.attempt >= config["MAIL_MAX_ATTEMPTS"]:
        values = {
            "status": MailStatus.FAILED,
            "next_attempt_at": None,
            "claimed_at": None,
            "last_error": outcome.error,
        }
        counter = "failed"
        log.warning("mail %s to %s failed for good: %s", mail.id, mail.recipient, outcome.error)
    else:
        due = now + retry_delay(mail.attempt, config)
        values = {
            "status": MailStatus.QUEUED,
            "next_attempt_at": due,
            "claimed_at": None,
            "last_error": outcome.error,
        }
        counter = "retrying"
        log.warning(
            "mail %s to %s not sent (attempt %s), trying again at %s: %s",
            mail.id,
            mail.recipient,
            mail.attempt,
            due.isoformat(timespec="seconds"),
            outcome.error,
        )
    with transaction(serialised=True):
        recorded = rows_changed(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == mail.id,
                OutboxMessage.status == MailStatus.SENDING,
                OutboxMessage.attempts == mail.attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if recorded != 1:
        log.warning(
            "mail %s: the lease ran out before attempt %s was recorded; another worker holds it",
            mail.id,
            mail.attempt,
        )
        return "lost"
    return counter


# Transports ----------------------------------------------------------------------------------


def _transport(config: Mapping[str, Any]) -> Transport:
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        return _send_smtp
    if backend == "outbox":
        return _log_only
    # Operators read it from `flask deliver-mail`, outside any request: in English.
    raise InvalidInput(
        _(
            "MAIL_BACKEND is %(backend)s; it must be one of %(backends)s.",
            backend=repr(backend),
            backends=", ".join(BACKENDS),
        )
    )


def _log_only(config: Mapping[str, Any], mail: ClaimedMail) -> None:
    # The outbox backend: the admins' outbox page (and the debug log) is where mail is read.
    log.debug("mail %s to %s: %s\n%s", mail.id, mail.recipient, mail.subject, mail.body)


def message_for(config: Mapping[str, Any], mail: ClaimedMail) -> EmailMessage:
    """The mail as it goes out, with the same Message-ID on every attempt."""
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    domain = urlsplit(config["BASE_URL"]).hostname or "localhost"
    message["Message-ID"] = f"<outbox.{mail.id}.{int(mail.created_at.timestamp())}@{domain}>"
    message.set_content(mail.body)
    if mail.attachment is not None and mail.attachment_type and mail.attachment_name:
        # Parameters stay on the part: iMIP needs "text/calendar; method=REQUEST".
        content_type = Message()
        content_type["Content-Type"] = mail.attachment_type
        maintype, subtype = content_type.get_content_maintype(), content_type.get_content_subtype()
        params = dict(content_type.get_params(failobj=[])[1:])
        if maintype == "text":
            message.add_attachment(
                mail.attachment, subtype=subtype, filename=mail.attachment_name, params=params
            )
        else:
            message.add_attachment(
                mail.attachment.encode(),
                maintype=maintype,
                subtype=subtype,
                filename=mail.attachment_name,
                params=params,
            )
    return message


def _send_smtp(config: Mapping[str, Any], mail: ClaimedMail) -> None:
    message = message_for(config, mail)
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except smtplib.SMTPException as error:
        if _refused_for_good(error):
            raise PermanentFailure(_describe(error)) from error
        raise


def _refused_for_good(error: smtplib.SMTPException) -> bool:
    """A 5xx answer about this mail: its recipient (RCPT) or its content (DATA).

    5xx answers to the connection, the login or the configured sender are retried instead:
    they come from the configuration, hit every mail alike, and once an administrator has
    fixed it the mail should go without being queued again by hand.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{recipient}: {code} {_text(message)}"
            for recipient, (code, message) in error.recipients.items()
        )
        described = f"recipient refused ({answers})"
    elif isinstance(error, smtplib.SMTPResponseException):
        described = f"{type(error).__name__}: {error.smtp_code} {_text(error.smtp_error)}"
    else:
        described = f"{type(error).__name__}: {error}"
    return described[:ERROR_LENGTH]


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


# Administrators -------------------------------------------------------------------------------


def retry(message: OutboxMessage, *, by: User, now: datetime | None = None) -> None:
    """Queue a failed mail again, due at once, with a fresh count of attempts."""
    before = {
        "status": message.status,
        "attempts": message.attempts,
        "last_error": message.last_error,
    }
    queued = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == MailStatus.FAILED)
        .values(
            status=MailStatus.QUEUED,
            attempts=0,
            next_attempt_at=now or utcnow(),
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if queued != 1:
        raise Conflict(_("That mail is no longer marked failed, so it was left as it is."))
    audit.record(
        by,
        "mail.retried",
        "outbox_message",
        message.id,
        before=before,
        after={"status": str(MailStatus.QUEUED), "attempts": 0},
    )
    db.session.expire(message)
