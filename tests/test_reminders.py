"""flask send-reminders: founders whose check-in is due, managers' at-risk digest, once a week."""

from __future__ import annotations

import os
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.models import ReminderSent, VentureMember
from incubator.services.cohorts import ventures
from incubator.services.mentoring import reminders
from tests import factories
from tests.helpers import count, link_in

CHECK_IN_SUBJECT = "Your weekly check-in is due"
# Today on the program's calendar (Los Angeles in the testing config); no app runs yet here.
TODAY = clock.today(ZoneInfo("America/Los_Angeles"))
THIS_WEEK = clock.week_start(TODAY)


def mails(outbox, subject: str | None = None) -> list[tuple[str, str]]:
    return [(m.recipient, m.subject) for m in outbox() if subject is None or m.subject == subject]


def reminders_sent(db) -> int:
    return count(ReminderSent)


def make_at_risk(venture, by) -> None:
    """A milestone overdue all this week: the simplest reason to be at risk."""
    factories.milestone(venture, "Ten interviews", by=by, due_on=THIS_WEEK - timedelta(days=1))


# Check-in reminders -----------------------------------------------------------------------------


def test_founders_without_this_week_check_in_get_a_reminder(
    db, outbox, leakmap, busbuddy, ana, bo, cy
):
    factories.check_in(busbuddy, cy, THIS_WEEK, today=TODAY)

    report = reminders.send_reminders(TODAY)
    db.session.commit()

    assert sorted(mails(outbox, CHECK_IN_SUBJECT)) == [
        ("ana@example.org", CHECK_IN_SUBJECT),
        ("bo@example.org", CHECK_IN_SUBJECT),
    ]
    [to_ana] = outbox("ana@example.org")
    assert "Hello Ana Lopez," in to_ana.body
    assert "LeakMap" in to_ana.body
    assert "BusBuddy" not in to_ana.body
    assert link_in(to_ana.body, "/ventures/") == f"/ventures/{leakmap.id}/check-in"
    assert report.check_in_reminders == 2
    assert report.period == reminders.iso_week(TODAY)
    recorded = db.session.scalars(select(ReminderSent).order_by(ReminderSent.user_id))
    assert [(r.kind, r.user_id, r.period) for r in recorded] == [
        ("check_in_due", ana.id, reminders.iso_week(TODAY)),
        ("check_in_due", bo.id, reminders.iso_week(TODAY)),
    ]


def test_a_founder_of_two_ventures_gets_one_mail_listing_both(db, outbox, leakmap, busbuddy, ana):
    db.session.add(VentureMember(venture=busbuddy, user=ana, role_in_team="Founder"))

    reminders.send_reminders(TODAY)

    [mail] = outbox("ana@example.org")
    assert "LeakMap" in mail.body
    assert "BusBuddy" in mail.body
    assert f"/ventures/{leakmap.id}/check-in" in mail.body
    assert f"/ventures/{busbuddy.id}/check-in" in mail.body


def test_only_active_founders_with_a_password_of_active_ventures_are_reminded(
    db, outbox, manager, cohort, leakmap, ana
):
    factories.founder_of(leakmap, email="invited@example.org", password=None)
    factories.founder_of(leakmap, email="left@example.org", active=False)
    archived = factories.venture(cohort, "Archived", by=manager)
    factories.founder_of(archived, email="archived@example.org")
    ventures.archive_venture(archived, "Stopped", by=manager)
    earlier = factories.cohort("Fall 2024", by=manager)
    alumni = factories.venture(earlier, "Alumni", by=manager)
    factories.founder_of(alumni, email="alumni@example.org")
    earlier.status = "graduated"
    db.session.flush()

    reminders.send_reminders(TODAY)

    assert mails(outbox, CHECK_IN_SUBJECT) == [("ana@example.org", CHECK_IN_SUBJECT)]


# At-risk digest ---------------------------------------------------------------------------------


def test_managers_get_a_digest_of_at_risk_ventures_with_the_reasons(
    db, outbox, manager, leakmap, busbuddy, ana, cy
):
    make_at_risk(leakmap, by=ana)
    factories.user("manager", email="away@example.org", active=False)
    factories.user("manager", email="invited-manager@example.org", password=None)

    report = reminders.send_reminders(TODAY)

    [digest] = [m for m in outbox() if m.subject == "1 venture at risk this week"]
    assert digest.recipient == "maria@example.org"
    assert "LeakMap (Spring 2025, Concept stage)" in digest.body
    assert "  - 1 overdue milestone" in digest.body
    assert "BusBuddy" not in digest.body
    assert link_in(digest.body, "/ventures/") == f"/ventures/{leakmap.id}/timeline"
    assert report.risk_digests == 1
    assert report.ventures_at_risk == 1
    # Founders never get the digest.
    assert {m.recipient for m in outbox() if "at risk" in m.subject} == {"maria@example.org"}


def test_no_digest_when_no_venture_is_at_risk(db, outbox, manager, leakmap, ana):
    report = reminders.send_reminders(TODAY)

    assert outbox("maria@example.org") == []
    assert report.risk_digests == 0
    assert report.ventures_at_risk == 0


# Idempotence ------------------------------------------------------------------------------------


def test_running_twice_on_the_same_day_sends_nothing_more(db, outbox, manager, leakmap, ana, bo):
    make_at_risk(leakmap, by=ana)
    first = reminders.send_reminders(TODAY)
    db.session.commit()
    sent = mails(outbox)
    recorded = reminders_sent(db)

    second = reminders.send_reminders(TODAY)
    db.session.commit()

    assert (first.check_in_reminders, first.risk_digests) == (2, 1)
    assert (second.check_in_reminders, second.risk_digests, second.already_sent) == (0, 0, 3)
    assert mails(outbox) == sent
    assert reminders_sent(db) == recorded == 3


def test_running_later_in_the_same_week_sends_nothing_more(db, outbox, manager, leakmap, ana):
    make_at_risk(leakmap, by=ana)
    reminders.send_reminders(THIS_WEEK)
    sent = mails(outbox)

    for day in range(1, 7):
        report = reminders.send_reminders(THIS_WEEK + timedelta(days=day))
        assert (report.check_in_reminders, report.risk_digests) == (0, 0), day

    assert mails(outbox) == sent


def test_next_week_sends_again(db, outbox, manager, leakmap, ana):
    make_at_risk(leakmap, by=ana)
    reminders.send_reminders(TODAY)

    report = reminders.send_reminders(TODAY + timedelta(days=7))

    assert (report.check_in_reminders, report.risk_digests) == (1, 1)
    assert len(outbox("ana@example.org")) == 2
    assert len(outbox("maria@example.org")) == 2
    periods = set(db.session.scalars(select(ReminderSent.period)))
    assert periods == {reminders.iso_week(TODAY), reminders.iso_week(TODAY + timedelta(days=7))}


def test_a_founder_who_checked_in_is_not_reminded_the_next_week_twice(db, outbox, leakmap, ana):
    reminders.send_reminders(TODAY)
    factories.check_in(leakmap, ana, THIS_WEEK + timedelta(days=7), today=TODAY + timedelta(7))

    report = reminders.send_reminders(TODAY + timedelta(days=7))

    assert report.check_in_reminders == 0
    assert len(outbox("ana@example.org")) == 1


def test_a_reminder_another_run_records_first_is_not_sent_again(
    db, monkeypatch, outbox, leakmap, ana, bo
):
    """Two runs at once: both read "not sent yet"; the unique key lets only one send it."""
    period = reminders.iso_week(TODAY)
    found = reminders.followed_ventures

    def another_run_gets_there_first():
        ventures = found()
        # After this run read what was sent, the other run records Ana's reminder.
        db.session.add(ReminderSent(kind=reminders.CHECK_IN_DUE, user_id=ana.id, period=period))
        db.session.flush()
        return ventures

    monkeypatch.setattr(reminders, "followed_ventures", another_run_gets_there_first)

    report = reminders.send_reminders(TODAY)
    db.session.commit()

    assert (report.check_in_reminders, report.already_sent) == (1, 1)
    assert outbox("ana@example.org") == []
    assert mails(outbox) == [("bo@example.org", CHECK_IN_SUBJECT)]
    assert reminders_sent(db) == 2


@pytest.mark.skipif(
    os.environ.get("INCUBATOR_TEST_DB") != "postgresql",
    reason="SQLite lets one writer in at a time, so two runs cannot overlap there",
)
def test_a_reminder_a_parallel_transaction_committed_is_not_sent_again(
    db, monkeypatch, outbox, leakmap, ana, bo
):
    period = reminders.iso_week(TODAY)
    db.session.commit()
    found = reminders.followed_ventures

    def another_run_commits_first():
        ventures = found()
        with db.engine.begin() as other:
            other.execute(
                ReminderSent.__table__.insert().values(
                    kind=reminders.CHECK_IN_DUE, user_id=ana.id, period=period
                )
            )
        return ventures

    monkeypatch.setattr(reminders, "followed_ventures", another_run_commits_first)

    report = reminders.send_reminders(TODAY)
    db.session.commit()

    assert (report.check_in_reminders, report.already_sent) == (1, 1)
    assert mails(outbox) == [("bo@example.org", CHECK_IN_SUBJECT)]
    assert reminders_sent(db) == 2


def test_a_reminder_is_queued_and_counted_sent_while_the_mail_server_is_down(
    app, db, monkeypatch, outbox, leakmap, ana
):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there

    report = reminders.send_reminders(TODAY)
    db.session.commit()
    again = reminders.send_reminders(TODAY)

    # The run only queues; `flask deliver-mail` retries until the server is back
    # (tests/test_mail_delivery.py), so the run never fails on the server's account.
    assert report.check_in_reminders == 1
    assert (again.check_in_reminders, again.already_sent) == (0, 1)
    assert mails(outbox) == [("ana@example.org", CHECK_IN_SUBJECT)]
    assert [message.status for message in outbox()] == ["queued"]
    assert reminders_sent(db) == 1


def test_each_run_is_audited_once(db, audit_events, leakmap, ana):
    reminders.send_reminders(TODAY)
    reminders.send_reminders(TODAY)

    events = audit_events("reminders.sent")
    assert len(events) == 2
    assert [e.object_id for e in events] == [reminders.iso_week(TODAY)] * 2
    assert events[0].after["check_in_reminders"] == 1
    assert events[1].after["check_in_reminders"] == 0
    assert events[1].after["already_sent"] == 1


def test_iso_week_names_the_week():
    assert reminders.iso_week(date(2026, 11, 26)) == "2026-W48"
    assert reminders.iso_week(date(2027, 1, 1)) == "2026-W53"


# The command ------------------------------------------------------------------------------------


def test_the_command_sends_commits_and_says_what_it_did(db, runner, outbox, manager, leakmap, ana):
    make_at_risk(leakmap, by=ana)
    db.session.commit()

    result = runner.invoke(args=["send-reminders", "--date", TODAY.isoformat()])

    assert result.exit_code == 0, result.output
    period = reminders.iso_week(TODAY)
    assert result.output.strip() == (
        f"{period}: 1 check-in reminders and 1 at-risk digests sent (1 ventures at risk); "
        "0 already sent this week."
    )
    db.session.expire_all()
    assert len(mails(outbox)) == 2

    again = runner.invoke(args=["send-reminders", "--date", TODAY.isoformat()])

    assert again.exit_code == 0, again.output
    assert "0 check-in reminders and 0 at-risk digests sent" in again.output
    assert "2 already sent this week" in again.output
    db.session.expire_all()
    assert len(mails(outbox)) == 2


def test_the_command_defaults_to_today(db, runner, outbox, leakmap, ana):
    db.session.commit()

    result = runner.invoke(args=["send-reminders"])

    assert result.exit_code == 0, result.output
    program_today = clock.today()
    assert result.output.startswith(f"{reminders.iso_week(program_today)}: 1 check-in reminders")
    assert len(mails(outbox, CHECK_IN_SUBJECT)) == 1


def test_the_command_refuses_a_bad_date(db, runner, outbox, leakmap, ana):
    db.session.commit()

    result = runner.invoke(args=["send-reminders", "--date", "26/11/2026"])

    assert result.exit_code == 2
    assert "Invalid value for '--date'" in result.output
    assert reminders_sent(db) == 0
    assert mails(outbox) == []
