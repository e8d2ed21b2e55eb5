"""Mail leaves through the outbox: requests only queue it, `flask deliver-mail` sends it.

A real SMTP server (aiosmtpd) on a loopback port receives what the worker sends. "The
server is down" is that port with nothing listening, so an outage is a refused connection,
as it would be in production. Times are passed in (`now=`), so back-off and leases are
tested without waiting for them.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from incubator.extensions import db as _db
from incubator.models import AuditEvent, MailStatus, OutboxMessage, utcnow
from incubator.services import mail, mail_delivery
from tests import factories
from tests.helpers import link_in, location, page, without_csrf_tokens
from tests.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
SMTP_HOST = "127.0.0.1"
LA = ZoneInfo("America/Los_Angeles")
RESET_SUBJECT = "Reset your Accelerate: LA password"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


class MailServer:
    """aiosmtpd on a fixed loopback port; start() and stop() it to play an outage.

    It refuses the recipients in `refused` for good (550) and answers the next `busy`
    messages with a temporary 451.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[Received] = []
        self.refused: set[str] = set()
        self.busy = 0
        self.delay = 0.0
        self._controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.busy > 0:
            self.busy -= 1
            return "451 4.3.0 Too busy, try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Accepted"

    def start(self) -> None:
        self._controller = Controller(self, hostname=SMTP_HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def subjects(self) -> list[str]:
        return [received.message["Subject"] for received in self.received]


@pytest.fixture
def mail_server(app, monkeypatch) -> Iterator[MailServer]:
    """The app sending through SMTP to a free loopback port, where the server is down until
    the test starts it."""
    server = MailServer(free_port())
    settings = {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": SMTP_HOST,
        "MAIL_PORT": server.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_MAX_ATTEMPTS": 10,
        "MAIL_RETRY_BASE_SECONDS": 60,
        "MAIL_RETRY_MAX_SECONDS": 3600,
        "MAIL_SENDING_LEASE_SECONDS": 300,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    try:
        yield server
    finally:
        server.stop()


def queue(*subjects: str, to: str = "ana@example.org") -> None:
    for subject in subjects:
        mail.send(to, subject, f"Hello,\n\n{subject}.\n")
    _db.session.commit()


def rows() -> list[OutboxMessage]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def row() -> OutboxMessage:
    [only] = rows()
    return only


@dataclass(frozen=True)
class State:
    """The delivery columns of the only mail, as they are now (rows change under a test)."""

    status: str
    attempts: int
    next_attempt_at: datetime | None
    claimed_at: datetime | None
    last_error: str | None
    sent_at: datetime | None


def state() -> State:
    message = row()
    return State(
        message.status,
        message.attempts,
        message.next_attempt_at,
        message.claimed_at,
        message.last_error,
        message.sent_at,
    )


def request_reset(client, email: str, **kwargs):
    return client.post("/auth/forgot", data={"email": email}, **kwargs)


# Requests only queue ----------------------------------------------------------------------------


def test_forgot_password_with_the_mail_server_down_answers_as_for_an_unknown_address(
    app, db, mail_server
):
    factories.user("founder", email="ana@example.org")
    db.session.commit()

    known = request_reset(app.test_client(), "ana@example.org")
    unknown = request_reset(app.test_client(), "nobody@example.org")
    known_page = request_reset(app.test_client(), "ana@example.org", follow_redirects=True)
    unknown_page = request_reset(app.test_client(), "nobody@example.org", follow_redirects=True)

    assert known.status_code == unknown.status_code == 302
    assert location(known) == location(unknown) == "/auth/login"
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_csrf_tokens(page(known_page)) == without_csrf_tokens(page(unknown_page))
    assert "If that address has an account, a reset link is on its way." in page(known_page)
    assert [(m.recipient, m.subject, m.status) for m in rows()] == [
        ("ana@example.org", RESET_SUBJECT, MailStatus.QUEUED),
        ("ana@example.org", RESET_SUBJECT, MailStatus.QUEUED),
    ]


def test_a_request_never_talks_to_the_mail_server(app, db, client, mail_server, monkeypatch):
    factories.user("founder", email="ana@example.org")
    db.session.commit()
    mail_server.start()

    def no_connection(*_args, **_kwargs):
        raise AssertionError("a request opened an SMTP connection")

    monkeypatch.setattr(smtplib, "SMTP", no_connection)
    response = request_reset(client, "ana@example.org")

    assert response.status_code == 302
    assert mail_server.received == []
    message = row()
    assert (message.status, message.attempts, message.sent_at) == (MailStatus.QUEUED, 0, None)
    assert message.next_attempt_at <= utcnow()


def test_queued_mail_rolls_back_with_the_transaction_that_wrote_it(db):
    mail.send("ana@example.org", "Never sent", "The change that caused me failed.")
    db.session.rollback()

    assert rows() == []


# The worker and a real SMTP server -----------------------------------------------------------


def test_the_worker_delivers_a_reset_mail_once_the_server_is_up(app, db, client, mail_server):
    factories.user("founder", email="ana@example.org", name="Ana López")
    db.session.commit()
    request_reset(client, "ana@example.org")
    now = utcnow()

    while_down = mail_delivery.deliver_due(now=now)
    waiting = state()
    mail_server.start()
    too_early = mail_delivery.deliver_due(now=now + timedelta(seconds=59))
    when_due = mail_delivery.deliver_due(now=now + timedelta(seconds=60))

    assert (while_down.retrying, while_down.sent) == (1, 0)
    assert waiting.status == MailStatus.QUEUED
    assert waiting.attempts == 1
    assert waiting.next_attempt_at == now + timedelta(seconds=60)
    assert "ConnectionRefusedError" in waiting.last_error
    assert too_early.tried == 0
    assert (when_due.sent, when_due.retrying) == (1, 0)
    [received] = mail_server.received
    assert received.recipients == ["ana@example.org"]
    assert received.message["To"] == "ana@example.org"
    assert received.message["Subject"] == RESET_SUBJECT
    assert received.message["From"] == '"Accelerate: LA" <no-reply@localhost>'
    assert received.sender == "no-reply@localhost"
    body = received.message.get_body(("plain",)).get_content()
    assert body.startswith("Hello Ana López,")
    assert client.get(link_in(body, "/auth/reset/")).status_code == 200
    sent = row()
    assert (sent.status, sent.attempts) == (MailStatus.SENT, 2)
    assert sent.sent_at == now + timedelta(seconds=60)
    assert (sent.next_attempt_at, sent.claimed_at, sent.last_error) == (None, None, None)


def test_a_booking_mail_arrives_with_its_calendar_file(db, mail_server):
    manager = factories.user("manager")
    venture = factories.venture(factories.cohort("Spring 2026", by=manager), "LeakMap", by=manager)
    founder = factories.founder_of(venture, name="Ana López", email="ana@example.org")
    mentor = factories.user("mentor", name="Maya Patel", email="maya@example.org")
    now = datetime(2026, 10, 5, 9, 0, tzinfo=LA).astimezone(UTC)
    starts = datetime(2026, 10, 6, 10, 0, tzinfo=LA).astimezone(UTC)
    slot = factories.mentor_slot(mentor, starts)
    booking = factories.session_booking(slot, venture, founder, now=now)
    db.session.commit()
    mail_server.start()

    report = mail_delivery.deliver_due()

    assert report.sent == 2
    by_recipient = {received.recipients[0]: received.message for received in mail_server.received}
    assert sorted(by_recipient) == ["ana@example.org", "maya@example.org"]
    message = by_recipient["maya@example.org"]
    assert message["Subject"] == "Mentor session booked: LeakMap with Maya Patel"
    assert "LeakMap meets Maya Patel on Tuesday October 6, 2026" in (
        message.get_body(("plain",)).get_content()
    )
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "session.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    [event] = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(event["UID"]) == booking.uid
    assert event.decoded("DTSTART") == starts
    [written] = [m for m in rows() if m.recipient == "maya@example.org"]
    stamp = int(written.created_at.timestamp())
    assert message["Message-ID"] == f"<outbox.{written.id}.{stamp}@localhost>"


def test_an_outage_is_retried_with_growing_waits_until_the_mail_goes(mail_server):
    queue("Welcome to the cohort")
    start = utcnow()
    tries = []

    at = start
    for _ in range(3):
        mail_delivery.deliver_due(now=at)
        waiting = state()
        tries.append((waiting.attempts, waiting.next_attempt_at - at))
        at = waiting.next_attempt_at
    mail_server.start()
    report = mail_delivery.deliver_due(now=at)

    assert tries == [
        (1, timedelta(seconds=60)),
        (2, timedelta(seconds=120)),
        (3, timedelta(seconds=240)),
    ]
    assert report.sent == 1
    assert mail_server.subjects() == ["Welcome to the cohort"]
    assert (row().status, row().attempts) == (MailStatus.SENT, 4)


def test_the_wait_doubles_after_each_failure_up_to_the_ceiling(app):
    config = {"MAIL_RETRY_BASE_SECONDS": 60, "MAIL_RETRY_MAX_SECONDS": 3600}

    waits = [mail_delivery.retry_delay(attempt, config).total_seconds() for attempt in range(1, 10)]

    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert mail_delivery.retry_delay(500, config) == timedelta(seconds=3600)


def test_a_mail_that_keeps_failing_is_marked_failed_after_the_last_attempt(app, mail_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    queue("Your weekly check-in is due")
    at = utcnow()

    reports = []
    for _ in range(3):
        reports.append(mail_delivery.deliver_due(now=at))
        at += timedelta(hours=2)
    later = mail_delivery.deliver_due(now=at + timedelta(days=30))

    assert [(r.retrying, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    assert later.tried == 0
    failed = row()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (MailStatus.FAILED, 3, None)
    assert "ConnectionRefusedError" in failed.last_error
    assert failed.body == "Hello,\n\nYour weekly check-in is due.\n"  # kept, to be retried


def test_a_recipient_the_server_refuses_fails_at_once_and_the_others_still_go(mail_server):
    mail_server.refused.add("gone@example.org")
    mail_server.start()
    queue("Invitation", to="gone@example.org")
    queue("Invitation", to="ana@example.org")

    report = mail_delivery.deliver_due()

    assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
    refused, delivered = rows()
    assert (refused.status, refused.attempts) == (MailStatus.FAILED, 1)
    assert "550 5.1.1 No such mailbox here" in refused.last_error
    assert refused.last_error.startswith("recipient refused")
    assert delivered.status == MailStatus.SENT
    assert [r.recipients for r in mail_server.received] == [["ana@example.org"]]


def test_a_busy_answer_from_the_server_is_tried_again(mail_server):
    mail_server.busy = 1
    mail_server.start()
    queue("Session reminder")
    now = utcnow()

    first = mail_delivery.deliver_due(now=now)
    waiting = state()
    second = mail_delivery.deliver_due(now=now + timedelta(seconds=60))

    assert (first.retrying, second.sent) == (1, 1)
    assert waiting.status == MailStatus.QUEUED
    assert "451 4.3.0 Too busy" in waiting.last_error
    assert mail_server.subjects() == ["Session reminder"]


def test_the_outbox_backend_marks_mail_sent_without_the_network(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "outbox")

    def no_connection(*_args, **_kwargs):
        raise AssertionError("the outbox backend opened an SMTP connection")

    monkeypatch.setattr(smtplib, "SMTP", no_connection)
    queue("Welcome")

    report = mail_delivery.deliver_due()

    assert report.sent == 1
    assert (row().status, row().attempts) == (MailStatus.SENT, 1)


# Two workers, dead workers --------------------------------------------------------------------


def test_two_workers_at_once_deliver_each_mail_exactly_once(app, mail_server, monkeypatch):
    subjects = [f"Mail {number}" for number in range(20)]
    queue(*subjects)
    mail_server.start()
    # Each worker waits at its first send until the other holds a mail too, so the two
    # are claiming and sending at the same time, not one after the other.
    both_sending = threading.Barrier(2, timeout=20)
    seen: set[int] = set()
    send_through_smtp = mail_delivery._send_smtp

    def send_alongside_the_other(config, message):
        if threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            both_sending.wait()
        send_through_smtp(config, message)

    monkeypatch.setattr(mail_delivery, "_send_smtp", send_alongside_the_other)
    reports: list[mail_delivery.DeliveryReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context():
                reports.append(mail_delivery.deliver_due())
                _db.session.remove()
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert not both_sending.broken
    assert all(report.sent >= 1 for report in reports)
    assert sum(report.sent for report in reports) == 20
    assert sum(report.retrying + report.failed + report.lost for report in reports) == 0
    assert Counter(mail_server.subjects()) == Counter(subjects)
    assert {(m.status, m.attempts) for m in rows()} == {(MailStatus.SENT, 1)}


def test_a_mail_left_sending_by_a_killed_worker_goes_again_after_the_lease(mail_server):
    queue("Matched with a mentor")
    claimed_at = utcnow()
    killed = mail_delivery.claim_next(claimed_at, now=claimed_at)  # and never delivered
    held = state()
    mail_server.start()

    during_lease = mail_delivery.deliver_due(now=claimed_at + timedelta(seconds=299))
    after_lease = mail_delivery.deliver_due(now=claimed_at + timedelta(seconds=300))

    assert killed is not None and killed.attempt == 1
    assert (held.status, held.claimed_at) == (MailStatus.SENDING, claimed_at)
    assert held.next_attempt_at == claimed_at + timedelta(seconds=300)
    assert during_lease.tried == 0
    assert after_lease.sent == 1
    assert mail_server.subjects() == ["Matched with a mentor"]
    assert (row().status, row().attempts) == (MailStatus.SENT, 2)


def test_a_worker_whose_lease_ran_out_cannot_overwrite_the_new_claim(mail_server):
    queue("Pilot approved")
    start = utcnow()
    slow = mail_delivery.claim_next(start, now=start)
    lease_over = start + timedelta(seconds=300)
    taken_over = mail_delivery.claim_next(lease_over, now=lease_over)
    mail_server.start()

    second = mail_delivery.deliver(taken_over, now=lease_over)
    mail_server.stop()
    first = mail_delivery.deliver(slow, now=lease_over + timedelta(seconds=1))

    assert (second, first) == ("sent", "lost")
    assert (row().status, row().attempts, row().last_error) == (MailStatus.SENT, 2, None)


def test_the_next_due_mail_is_read_from_the_due_index(db):
    statement = mail_delivery.next_due(utcnow()).compile(dialect=db.engine.dialect)
    parameters = {
        name: value.replace(tzinfo=None) if isinstance(value, datetime) else value
        for name, value in statement.params.items()
    }
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            ordered = tuple(parameters[name] for name in statement.positiontup)
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", ordered).all()
        else:
            # Planners prefer a sequential scan of an empty table; the index must be usable.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()

    assert "ix_outbox_messages_due" in " ".join(str(line) for line in plan)


def test_the_database_refuses_a_status_it_does_not_know(db):
    queue("Welcome")

    with pytest.raises(IntegrityError):
        db.session.execute(OutboxMessage.__table__.update().values(status="lost"))
    db.session.rollback()


def test_processes_in_a_loop_deliver_each_mail_once_and_stop_on_sigterm(
    app, mail_server, database_url
):
    subjects = [f"Mail {number}" for number in range(30)]
    queue(*subjects)
    mail_server.delay = 0.01
    mail_server.start()
    environment = {
        **os.environ,
        # The benchmark's entry point moves the workers' clock along with this run's when
        # INCUBATOR_TEST_CLOCK is set (tests/travel.py), so they see the queued mail as due.
        "FLASK_APP": "bench.wsgi_bench:app",
        "SECRET_KEY": "mail-workers-test-key-of-32-characters",
        "INCUBATOR_CONFIG": "development",
        "DATABASE_URL": database_url,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": SMTP_HOST,
        "MAIL_PORT": str(mail_server.port),
    }
    command = [sys.executable, "-m", "flask", "deliver-mail", "--loop", "--interval", "0.2"]
    workers = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        wait_for(lambda: len(mail_server.received) >= len(subjects))
        queue("Written while the workers run")
        wait_for(lambda: len(mail_server.received) > len(subjects))
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    sent_by_each = [int(re.search(r"(\d+) sent, ", output).group(1)) for output in outputs]
    assert sum(sent_by_each) == len(subjects) + 1, outputs
    assert Counter(mail_server.subjects()) == Counter([*subjects, "Written while the workers run"])
    assert {(m.status, m.attempts) for m in rows()} == {(MailStatus.SENT, 1)}


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# flask deliver-mail ----------------------------------------------------------------------------


def test_flask_deliver_mail_once_sends_what_is_due(runner, mail_server):
    queue("Welcome", "Your first check-in")
    mail_server.start()

    result = runner.invoke(args=["deliver-mail", "--once"])

    assert result.exit_code == 0, result.output
    assert "2 sent, 0 to be tried again later, 0 failed." in result.output
    assert sorted(mail_server.subjects()) == ["Welcome", "Your first check-in"]


def test_flask_deliver_mail_limit_sends_at_most_that_many(runner, mail_server):
    queue("First", "Second", "Third")
    mail_server.start()

    result = runner.invoke(args=["deliver-mail", "--limit", "2"])

    assert result.exit_code == 0, result.output
    assert mail_server.subjects() == ["First", "Second"]
    assert [m.status for m in rows()] == [MailStatus.SENT, MailStatus.SENT, MailStatus.QUEUED]


def test_flask_deliver_mail_with_the_server_down_keeps_the_mail(runner, mail_server):
    queue("Welcome")

    result = runner.invoke(args=["deliver-mail"])

    assert result.exit_code == 0, result.output
    assert "0 sent, 1 to be tried again later, 0 failed." in result.output
    assert row().status == MailStatus.QUEUED


def test_flask_deliver_mail_refuses_an_unknown_backend(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "carrier-pigeon")
    queue("Welcome")

    result = runner.invoke(args=["deliver-mail"])

    assert result.exit_code != 0
    assert "MAIL_BACKEND is 'carrier-pigeon'; it must be one of outbox, smtp." in result.output
    assert "Traceback" not in result.output
    assert (row().status, row().attempts) == (MailStatus.QUEUED, 0)


# The admins' outbox page -----------------------------------------------------------------------


def mail_row(subject: str, status: MailStatus, **fields) -> OutboxMessage:
    now = utcnow()
    defaults = {
        MailStatus.QUEUED: {"attempts": 0, "next_attempt_at": now},
        MailStatus.SENDING: {"attempts": 1, "claimed_at": now, "next_attempt_at": now},
        MailStatus.SENT: {"attempts": 1, "sent_at": now},
        MailStatus.FAILED: {"attempts": 10, "last_error": "ConnectionRefusedError: refused"},
    }[status]
    message = OutboxMessage(
        recipient="ana@example.org",
        subject=subject,
        body=f"About {subject}.",
        status=status,
        **{**defaults, **fields},
    )
    _db.session.add(message)
    _db.session.flush()
    return message


def test_outbox_page_shows_queued_sent_and_failed_mail(db, client, login_as):
    login_as("admin")
    mail_row("Waiting", MailStatus.QUEUED, attempts=2, last_error="451 4.3.0 Too busy")
    mail_row("Delivered", MailStatus.SENT)
    bounced = mail_row(
        "Bounced", MailStatus.FAILED, last_error="recipient refused (550 5.1.1 Gone)"
    )

    text = page(client.get("/people/outbox"))

    for expected in (
        "Waiting",
        "Delivered",
        "Bounced",
        "Queued",
        "Sent",
        "Failed",
        "Next attempt",
        "451 4.3.0 Too busy",
        "recipient refused (550 5.1.1 Gone)",
        "Send again",
    ):
        assert expected in text
    assert text.count("<summary>Send again</summary>") == 1  # for the failed mail only
    assert f'action="/people/outbox/{bounced.id}/retry"' in text


def test_outbox_page_filters_by_status_and_pages(db, client, login_as):
    login_as("admin")
    for number in range(30):
        mail_row(f"Sent mail {number}", MailStatus.SENT)
    mail_row("Bounced", MailStatus.FAILED)

    failed = page(client.get("/people/outbox?status=failed"))
    sent = page(client.get("/people/outbox?status=sent"))
    second = page(client.get("/people/outbox?status=sent&page=2"))
    unknown = page(client.get("/people/outbox?status=nonsense"))

    assert "Bounced" in failed and "Sent mail" not in failed
    assert "Bounced" not in sent and "Sent mail 29" in sent and "Sent mail 4" not in sent
    assert "Page 1 of 2" in sent
    assert "/people/outbox?status=sent&page=2" in sent
    assert "Sent mail 4" in second and "Sent mail 29" not in second
    assert "Bounced" in unknown and "Sent mail 29" in unknown  # an unknown filter shows all


def test_admin_sends_a_failed_mail_again(db, client, login_as, mail_server):
    admin = login_as("admin")
    failed = mail_row("Bounced", MailStatus.FAILED)
    mail_server.start()

    response = client.post(
        f"/people/outbox/{failed.id}/retry",
        data={"confirm": "y", "next": "/people/outbox?status=failed"},
    )
    queued = state()
    report = mail_delivery.deliver_due()

    assert location(response) == "/people/outbox?status=failed"
    assert "The mail to ana@example.org is queued again" in page(client.get(location(response)))
    assert (queued.status, queued.attempts) == (MailStatus.QUEUED, 0)
    assert queued.last_error == "ConnectionRefusedError: refused"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mail.retried"))
    assert (event.actor_id, event.object_id) == (admin.id, str(failed.id))
    assert event.before["status"] == "failed" and event.after["status"] == "queued"
    assert report.sent == 1
    assert mail_server.subjects() == ["Bounced"]


def test_sending_again_needs_the_confirmation(db, client, login_as):
    login_as("admin")
    failed = mail_row("Bounced", MailStatus.FAILED)

    response = client.post(f"/people/outbox/{failed.id}/retry", data={}, follow_redirects=True)

    assert "Tick the box to confirm." in page(response)
    assert row().status == MailStatus.FAILED


def test_only_failed_mail_can_be_sent_again(db, client, login_as):
    login_as("admin")
    sent = mail_row("Delivered", MailStatus.SENT)

    response = client.post(
        f"/people/outbox/{sent.id}/retry", data={"confirm": "y"}, follow_redirects=True
    )

    assert "That mail is no longer marked failed" in page(response)
    assert (row().status, row().attempts) == (MailStatus.SENT, 1)


def test_the_refusal_to_send_again_reads_in_the_administrators_language(db, client, login_as):
    login_as("admin", preferred_language="es")
    sent = mail_row("Delivered", MailStatus.SENT)

    response = client.post(
        f"/people/outbox/{sent.id}/retry", data={"confirm": "y"}, follow_redirects=True
    )

    assert "Ese correo ya no está marcado como fallido" in page(response)


def test_sending_again_a_mail_that_does_not_exist_is_not_found(db, client, login_as):
    login_as("admin")

    assert client.post("/people/outbox/999/retry", data={"confirm": "y"}).status_code == 404
