"""Mail as templates: templates/mail/<kind>.txt, rendered by services/mail.py.

Every kind of mail is sent here by the service that sends it, so each template is rendered
with the context its caller really gives, under StrictUndefined, in English and in Spanish.
Every template is sent by one of them (no dead templates), a variable nobody passed fails,
and no code outside services/mail.py writes a mail's text or an outbox row itself.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import jinja2
import pytest
from flask import has_request_context
from jinja2 import nodes

from incubator import clock
from incubator.models import Role
from incubator.services import mail
from incubator.services.accounts import users
from incubator.services.cohorts import ventures
from incubator.services.hackathons import hackathons, judging, registrations
from incubator.services.matching import introductions, runs
from incubator.services.mentoring import booking as booking_service
from incubator.services.mentoring import office_hours, reminders
from incubator.services.pipeline import milestones
from tests import factories
from tests.plugins.registration import minor_input, open_hackathon, register
from tests.test_pseudo_locale import Allowed, pseudo_language, stored_text, unmarked

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "mail"
LA = ZoneInfo("America/Los_Angeles")
# The sessions' mails are sent "as at" Monday October 5, 2026, 9:00 in Los Angeles, for
# Tuesday 10:00; reminders run on the Monday.
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=LA).astimezone(UTC)
TUESDAY_10 = datetime(2026, 10, 6, 10, 0, tzinfo=LA).astimezone(UTC)
MONDAY = date(2026, 10, 5)
# An office-hours day, set up on March 1, 2031.
OFFICE_HOURS_DAY = date(2031, 3, 12)


def template_kinds() -> set[str]:
    return {path.name.removesuffix(".txt") for path in TEMPLATES.glob("*.txt")}


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The kinds of mail rendered during the test, in order."""
    kinds: list[str] = []
    render = mail.render

    def spy(recipient, kind, **context):
        assert not has_request_context(), "mail is rendered without a request"
        kinds.append(kind)
        return render(recipient, kind, **context)

    monkeypatch.setattr(mail, "render", spy)
    return kinds


@pytest.fixture
def world(db):
    manager = factories.user("manager", name="Maria Gonzalez", email="maria@example.org")
    cohort = factories.cohort("Spring 2026", by=manager)
    leakmap = factories.venture(cohort, "LeakMap", by=manager)
    ana = factories.founder_of(leakmap, name="Ana Lopez", email="ana@example.org")
    maya = factories.user("mentor", name="Maya Patel", email="maya@example.org")
    return SimpleNamespace(manager=manager, cohort=cohort, leakmap=leakmap, ana=ana, maya=maya)


def _session(w):
    return factories.session_booking(
        factories.mentor_slot(w.maya, TUESDAY_10), w.leakmap, w.ana, now=NOW
    )


# Each kind of mail, sent the way the app sends it ------------------------------------------------


def invitation(w) -> None:
    users.invite("newcomer@example.org", "Tran Nguyen", {Role.FOUNDER}, by=w.manager)


def roles_granted(w) -> None:
    users.invite(w.maya.email, w.maya.name, {Role.JUDGE, Role.FUNDER}, by=w.manager)


def password_reset(w) -> None:
    users.request_password_reset(w.ana.email)


def added_to_venture(w) -> None:
    ventures.add_member(w.leakmap, w.maya.email, w.maya.name, "Advisor", by=w.manager)


def introduction(w) -> None:
    """A matching run published: both introduction mails."""
    factories.mentor("Ben Mentor", expertise=["Procurement"], capacity=1)
    w.leakmap.needs = ["Procurement path"]
    run = runs.run_matching(w.cohort, "mentor", "optimal", 1, 1, by=w.manager)
    runs.publish(run, by=w.manager)


def introduction_accepted(w) -> None:
    match = factories.introduction(w.leakmap, w.maya)
    introductions.answer(match, True, by=w.ana)
    introductions.answer(match, True, by=w.maya)


def introduction_declined(w) -> None:
    match = factories.introduction(w.leakmap, w.maya)
    introductions.answer(match, False, "Not the help we need now", by=w.ana)


def office_hours_day(w) -> None:
    day = factories.office_hours_day(
        w.cohort, [w.maya], [w.leakmap], by=w.manager, day=OFFICE_HOURS_DAY, today=date(2031, 3, 1)
    )
    office_hours.publish(day, by=w.manager, now=datetime(2031, 3, 1, 18, tzinfo=UTC))


def booking_made(w) -> None:
    _session(w)


def booking_cancelled(w) -> None:
    booking_service.cancel(_session(w), "Our pilot moved", by=w.ana, now=NOW)


def booking_moved(w) -> None:
    later = factories.mentor_slot(w.maya, TUESDAY_10 + timedelta(hours=4))
    booking_service.reschedule(_session(w), later, by=w.ana, now=NOW)


def reminders_run(w) -> None:
    """A session tomorrow, a check-in missing, a milestone overdue: the three reminders."""
    _session(w)
    factories.milestone(
        w.leakmap, "Ten interviews", by=w.ana, due_on=clock.week_start(MONDAY) - timedelta(days=1)
    )
    reminders.send_reminders(MONDAY)


def registration_full(w) -> None:
    """One place: the first confirmed, the second on the waiting list, moved up when the
    first cancels; both told."""
    hackathon = open_hackathon(by=w.manager, capacity=1, venue="City Hall")
    first = register(hackathon, "Rosa Diaz")
    register(hackathon, "Kim Lee")
    registrations.cancel(first, by=None)


def registration_of_a_minor(w) -> None:
    registrations.register(open_hackathon(by=w.manager), minor_input())


def registration_reminder(w) -> None:
    hackathon = open_hackathon(by=w.manager, starts_on=MONDAY + timedelta(days=1))
    register(hackathon)
    registrations.send_reminders(MONDAY)


def invitation_reminder(w) -> None:
    """An invitation not accepted after a few days, sent again by the reminder job."""
    invitation = users.invite("newcomer@example.org", "Tran Nguyen", {Role.FOUNDER}, by=w.manager)
    invitation.created_at = NOW - timedelta(days=4)
    users.resend_unaccepted_invitations(MONDAY)


def challenge_proposed(w) -> None:
    partner = factories.user("partner", name="Pat Kim")
    sanitation = factories.organisation("LA Sanitation", members=[partner])
    data = hackathons.ChallengeInput("Leak detection", "Pipes leak.", "", sanitation.id, "")
    hackathons.propose_challenge(factories.hackathon(status="open"), data, by=partner)


def milestone_done(w) -> None:
    milestones.complete_milestone(
        factories.milestone(w.leakmap, "Ten interviews", by=w.ana),
        "https://example.org/notes",
        "Six in the folder",
        by=w.ana,
    )


def submissions_assigned(w) -> None:
    hackathon = factories.judging_hackathon("#techLA: Drought")
    submission = factories.judging_submission(hackathon, "Leak finder")
    judge = factories.user("judge", name="Jo Judge", email="jo@example.org")
    judging.assign_judges(hackathon, [judge], [submission], by=w.manager)


def session_outcome_due(w) -> None:
    """The day after a session that has no outcome: its mentor is asked for one."""
    _session(w)
    reminders.send_reminders(MONDAY + timedelta(days=2))


def milestone_sent_back(w) -> None:
    milestone = factories.milestone(w.leakmap, "Ten interviews", by=w.ana)
    milestones.complete_milestone(milestone, None, "Done", by=w.ana)
    milestones.send_back_milestone(milestone, "Only six are written up.", by=w.manager)


SENT_BY: dict[str, Callable] = {
    "invitation": invitation,
    "invitation_reminder": invitation_reminder,
    "challenge_proposed": challenge_proposed,
    "milestone_sent_back": milestone_sent_back,
    "milestone_done": milestone_done,
    "submissions_assigned": submissions_assigned,
    "session_outcome_due": session_outcome_due,
    "roles_granted": roles_granted,
    "password_reset": password_reset,
    "added_to_venture": added_to_venture,
    "introduction_venture": introduction,
    "introduction_counterpart": introduction,
    "introduction_accepted": introduction_accepted,
    "introduction_declined": introduction_declined,
    "office_hours_mentor": office_hours_day,
    "office_hours_founder": office_hours_day,
    "booking_made": booking_made,
    "booking_cancelled": booking_cancelled,
    "booking_moved_old": booking_moved,
    "booking_moved_new": booking_moved,
    "session_reminder": reminders_run,
    "check_in_due": reminders_run,
    "risk_digest": reminders_run,
    "registration_confirmed": registration_full,
    "registration_waitlisted": registration_full,
    "registration_cancelled": registration_full,
    "registration_moved_up": registration_full,
    "registration_consent_needed": registration_of_a_minor,
    "registration_reminder": registration_reminder,
}


def test_every_template_is_sent_by_some_service_and_every_kind_sent_has_one():
    assert set(SENT_BY) == template_kinds()


@pytest.mark.parametrize("kind", sorted(SENT_BY))
def test_each_kind_of_mail_renders_with_what_its_service_gives(db, world, rendered, outbox, kind):
    SENT_BY[kind](world)

    assert kind in rendered
    assert set(rendered) <= template_kinds()
    messages = outbox()
    assert len(messages) == len(rendered)
    for message in messages:
        assert message.subject and message.subject == message.subject.strip()
        assert "\n" not in message.subject
        assert message.body.startswith("Hello ") and message.body.endswith("\n")
        assert not message.body.endswith("\n\n")
        assert "{" not in message.subject + message.body


# Words of the English mails' subjects that a Spanish subject must not have (the test data
# in the subjects, names and titles, has none of them).
ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|your|you|to|on|for|in|is|are|have|new|access|team|session|booked|"
    r"cancelled|moved|old|time|removed|accepted|declined|would|like|meet|verify|sent|back|"
    r"office|hours|meetings|tomorrow|reset|password|invitation|reminder|registered|waiting|"
    r"list|place|registration|guardian|consent|needed|submissions?|score|ventures?|risk|"
    r"this|week|weekly|check-in|due|how|did|it|go|challenge|proposed|introduction|"
    r"milestone|hello)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("kind", sorted(SENT_BY))
def test_each_kind_of_mail_reads_in_spanish_to_whoever_chose_spanish(
    db, world, rendered, outbox, monkeypatch, kind
):
    """Every template in the other language: every recipient, whoever the sender creates
    on the way, is taken to have chosen Spanish."""
    monkeypatch.setattr(mail, "language_of", lambda person: "es")

    SENT_BY[kind](world)

    messages = outbox()
    assert kind in rendered and len(messages) == len(rendered)
    for message in messages:
        assert not ENGLISH_WORDS.findall(message.subject), message.subject
        assert message.body.startswith("Hola, ") and "Hello" not in message.body
        assert "{" not in message.subject + message.body


# What some of them say ----------------------------------------------------------------------


def test_a_session_mail_gives_each_person_the_times_on_their_own_clock(db, world, outbox):
    world.maya.time_zone = "America/New_York"
    booking = _session(world)

    [to_maya] = outbox("maya@example.org")
    [to_ana] = outbox("ana@example.org")
    assert to_ana.subject == "Mentor session booked: LeakMap with Maya Patel"
    assert to_ana.body == (
        "Hello Ana Lopez,\n\n"
        "LeakMap meets Maya Patel on Tuesday October 6, 2026, 10:00 AM to 11:00 AM PDT.\n"
        "Agenda: Pilot plan with the city\n"
        "Where: City Hall, room 301\n\n"
        "Details, calendar file and cancellation: "
        f"http://localhost/mentoring/sessions/{booking.id}\n"
    )
    assert "on Tuesday October 6, 2026, 1:00 PM to 2:00 PM EDT." in to_maya.body
    assert to_maya.attachment_type == "text/calendar; method=REQUEST"


def test_one_meeting_at_office_hours_is_said_in_the_singular(db, world, outbox):
    office_hours_day(world)

    [to_maya] = outbox("maya@example.org")
    [to_ana] = outbox("ana@example.org")
    assert to_maya.subject == "Office hours on Wednesday March 12: your meetings"
    day_id = to_maya.body.rsplit("/", 2)[-2]
    assert to_maya.body == (
        "Hello Maya Patel,\n\n"
        "You meet 1 venture at office hours on Wednesday March 12, 2031. "
        "Where: City Hall, room 301\n\n"
        "- 9:00 AM\N{EN DASH}9:20 AM PDT: LeakMap\n\n"
        f"Afterwards, rank the venture you met: http://localhost/mentoring/office-hours/{day_id}"
        "/rank\n"
    )
    assert "LeakMap meets 1 mentor at office hours" in to_ana.body
    assert "- 9:00 AM\N{EN DASH}9:20 AM PDT: Maya Patel\n" in to_ana.body


def test_the_risk_digest_says_one_venture_or_several(db, world, outbox):
    week = clock.week_start(MONDAY)
    factories.milestone(world.leakmap, "Interviews", by=world.ana, due_on=week - timedelta(days=1))
    reminders.send_reminders(MONDAY)
    [one] = [m for m in outbox("maria@example.org") if "at risk" in m.subject]

    assert one.subject == "1 venture at risk this week"
    assert "\n\nThis venture is at risk as of Mon, Oct 5, 2026:\n\nLeakMap (" in one.body

    busbuddy = factories.venture(world.cohort, "BusBuddy", by=world.manager)
    two = mail.render(
        world.manager, "risk_digest", at_risk=[(world.leakmap, []), (busbuddy, [])], today=MONDAY
    )
    assert two[0] == "2 ventures at risk this week"
    assert "These ventures are at risk as of Mon, Oct 5, 2026:\n\nLeakMap (" in two[1]
    assert "/timeline\n\nBusBuddy (" in two[1]


@pytest.mark.parametrize(
    ("kind", "said"),
    [("mentor", "a mentor"), ("funder", "a funder"), ("partner", "a partner organisation")],
)
def test_the_venture_hears_what_kind_of_counterpart_it_is_introduced_to(db, world, kind, said):
    if kind == "partner":
        counterpart = factories.organisation("LA Sanitation", members=[world.maya])
    else:
        counterpart = world.maya
    match = factories.introduction(world.leakmap, counterpart, kind=kind)
    match.reasons = []
    name = introductions.counterpart_name(match)

    subject, body = mail.render(world.ana, "introduction_venture", match=match, counterpart=name)

    assert subject == f"Introduction: LeakMap and {name}"
    assert f"would like to introduce LeakMap to {name}, {said}.\n" in body
    assert (
        "Why we matched you:\n- the program team thought you would work well together\n\n" in body
    )


def test_the_text_is_not_escaped(db, world):
    world.leakmap.name = "Tom & Jerry's <Lab>"

    subject, body = mail.render(
        world.maya, "added_to_venture", by=world.manager, venture=world.leakmap
    )

    assert subject == "You are on the Tom & Jerry's <Lab> team in Accelerate: LA"
    assert "added you to Tom & Jerry's <Lab> in Spring 2026." in body


def test_a_mail_to_a_bare_address_goes_there_with_the_programs_clock(
    db, world, outbox, tmp_path, monkeypatch
):
    (tmp_path / "note.txt").write_text(
        "{% block subject %}Note{% endblock %}\n{% block body %}\n"
        "To {{ recipient }} at {{ at|localtime('time_and_zone') }}.\n{% endblock %}\n"
    )
    monkeypatch.setattr(mail, "template_folder", lambda: str(tmp_path))

    mail.send_template("someone@example.org", "note", at=TUESDAY_10)

    [message] = outbox()
    assert (message.recipient, message.subject) == ("someone@example.org", "Note")
    assert message.body == "To someone@example.org at 10:00 AM PDT.\n"


# A variable nobody passed fails -------------------------------------------------------------


def test_a_variable_the_caller_did_not_pass_fails(db, world):
    with pytest.raises(jinja2.UndefinedError, match="'by' is undefined"):
        mail.send_template(world.ana, "invitation", token="t", days=7)


def test_a_misspelt_attribute_fails_too(db, world, tmp_path, monkeypatch):
    (tmp_path / "typo.txt").write_text(
        "{% block subject %}Hi{% endblock %}{% block body %}{{ recipient.nmae }}{% endblock %}"
    )
    monkeypatch.setattr(mail, "template_folder", lambda: str(tmp_path))

    with pytest.raises(jinja2.UndefinedError, match="nmae"):
        mail.render(world.ana, "typo")


def test_a_template_without_a_subject_is_refused(db, world, tmp_path, monkeypatch):
    (tmp_path / "bare.txt").write_text("{% block body %}Hello{% endblock %}")
    monkeypatch.setattr(mail, "template_folder", lambda: str(tmp_path))

    with pytest.raises(LookupError, match=r"bare\.txt has no subject block"):
        mail.render(world.ana, "bare")


# The shape of the templates and the rule for services -------------------------------------------


@pytest.mark.parametrize("kind", sorted(template_kinds()))
def test_a_template_is_a_subject_and_a_body_and_nothing_else(kind):
    source = (TEMPLATES / f"{kind}.txt").read_text(encoding="utf-8")
    tree = jinja2.Environment(autoescape=True).parse(source)

    blocks = [node.name for node in tree.body if isinstance(node, nodes.Block)]
    outside = [
        node
        for node in tree.body
        if not isinstance(node, nodes.Block)
        and not (
            isinstance(node, nodes.Output)
            and all(isinstance(n, nodes.TemplateData) and not n.data.strip() for n in node.nodes)
        )
    ]
    assert blocks == ["subject", "body"]
    assert outside == []


def mail_written_outside_the_mail_service(root: Path = ROOT) -> list[str]:
    """Calls that write a mail's text or an outbox row anywhere but services/mail.py, and
    templates named by a literal that does not exist."""
    found = []
    for path in sorted((root / "incubator").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name == "incubator/services/mail.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("services.mail"):
                found += [
                    f"{name}:{node.lineno}: imports send" for a in node.names if a.name == "send"
                ]
            if not isinstance(node, ast.Call):
                continue
            call = ast.unparse(node.func)
            if call in {"mail.send", "OutboxMessage"}:
                found.append(f"{name}:{node.lineno}: {call}(...)")
            if call == "mail.send_template" and len(node.args) >= 2:
                kind = node.args[1]
                if isinstance(kind, ast.Constant) and kind.value not in template_kinds():
                    found.append(f"{name}:{node.lineno}: no template {kind.value!r}")
    return found


def test_no_code_writes_a_mail_itself():
    found = mail_written_outside_the_mail_service()
    assert not found, "\n".join(found)


def test_the_search_finds_what_it_forbids(tmp_path):
    services = tmp_path / "incubator" / "services"
    services.mkdir(parents=True)
    (services / "rogue.py").write_text(
        "from incubator.services import mail\n"
        "from incubator.services.mail import send\n"
        "from incubator.models import OutboxMessage\n"
        "mail.send(user.email, f'Hi {user.name}', 'Hello')\n"
        "mail.send_template(user, 'no_such_mail')\n"
        "mail.send_template(user, 'invitation', by=user, token='t', days=7)\n"
        "OutboxMessage(recipient='a@example.org')\n"
    )

    assert mail_written_outside_the_mail_service(tmp_path) == [
        "incubator/services/rogue.py:2: imports send",
        "incubator/services/rogue.py:4: mail.send(...)",
        "incubator/services/rogue.py:5: no template 'no_such_mail'",
        "incubator/services/rogue.py:7: OutboxMessage(...)",
    ]


@pytest.mark.parametrize(
    "kind",
    sorted(SENT_BY),
)
def test_nothing_a_mail_says_went_round_the_catalogue(db, world, rendered, outbox, kind):
    """Each kind in the pseudo-language of tests/test_pseudo_locale.py: what is left once
    every translated piece is taken out is data, a link, a name, or Babel's."""
    with pseudo_language():
        SENT_BY[kind](world)

    allowed = Allowed(stored_text())
    left = [
        piece
        for sent, message in zip(rendered, outbox(), strict=True)
        if sent == kind
        for text in (message.subject, message.body)
        for piece in unmarked(re.sub(r"https?://[^\s⟦⟧]+", " ", text))
        if allowed.left(piece) is not None
    ]
    assert not left, left
