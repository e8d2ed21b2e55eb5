"""Nobody but the person sees one person's demographic answers: a crawl of every page.

The world of `tests/test_object_access.py` (three ventures, one of every kind of object, a
caller for every role and for the combinations that found leaks) gets demographic answers
for several of its people, with write-in detail and self-described terms no page could show
by chance, and a registration for each of them. Then every GET route of the app, with that
world's real ids, is requested as every caller, as an administrator, as each person who
answered and anonymously: only the person's own "About you" page may show their answers,
and it shows no one else's. The outbox and the audit trail never hold them either. A route
added later (registrations, the funnel and its CSV and JSON) is crawled without a change
here, as long as its id arguments name objects of that world (test_object_access's rule).
"""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from sqlalchemy import select

from incubator import clock
from incubator.extensions import db as _db
from incubator.models import (
    AuditEvent,
    Metric,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    User,
)
from incubator.services.inclusion import demographics
from incubator.services.inclusion.demographics import AnswersInput
from tests.helpers import page
from tests.test_object_access import ID_OBJECTS, World, build_world

# The people of the world who answer (their login, their name); each one's answers carry
# markers of their own.
ANSWERING = {
    "founder_c": "Cy Founder C",
    "mentor_c": "Mina Mentor C",
    "judge_c": "Jo Judge C",
    "partner_c": "Pat Partner C",
    "founder": "Caller founder",
    "manager": "Caller manager",
    "partner+funder": "Caller partner+funder",
}
# Whole words, so that a random token on a page (a CSRF token, say) cannot pass for one.
MARKERS = ("Zapotec-XYZZY-", "Genderqueer-QUUX-")
OWN_PAGE = "inclusion.about_you"


def markers_of(number: int) -> tuple[str, str]:
    return f"Zapotec-XYZZY-{number}", f"Genderqueer-QUUX-{number}"


def leaked(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


class PrivacyWorld:
    """The object-access world and the answers of some of its people, by their login."""

    def __init__(self, world: World, answering: dict[str, User]):
        self.world = world
        self.markers: dict[str, tuple[str, str]] = {}
        self.tokens: dict[str, str] = {}
        for number, (who, person) in enumerate(answering.items(), start=1):
            detail, term = markers_of(number)
            demographics.save_answers(person, _answers(detail, term), by=person)
            self.markers[who] = (detail, term)
            self.tokens[who] = demographics.answer_link_token(person)


def _answers(detail: str, term: str) -> AnswersInput:
    return AnswersInput(
        race_ethnicity=["american_indian_or_alaska_native", "hispanic_or_latino"],
        race_ethnicity_detail=detail,
        gender="self_described",
        gender_self_described=term,
        age_band="18_24",
        la_resident="yes",
        immigrant_history="immigrant",
    )


def _register(people: dict[str, User], hackathon_id: int) -> None:
    """A confirmed, attended registration for each person who answered."""
    for person in people.values():
        _db.session.add(
            Registration(
                hackathon_id=hackathon_id,
                user_id=person.id,
                name=person.name,
                email=person.email,
                backgrounds=["community_member"],
                residence="Boyle Heights",
                status=RegistrationStatus.CONFIRMED,
                confirmed_at=clock.now(),
                attended_at=clock.now(),
            )
        )


@pytest.fixture(scope="class")
def privacy_world(class_app) -> PrivacyWorld:
    world = build_world()
    answering = {
        who: _db.session.scalars(select(User).where(User.name == name)).one()
        for who, name in ANSWERING.items()
    }
    _register(answering, world.ids["hackathon_c"])
    built = PrivacyWorld(world, answering)
    _db.session.commit()
    return built


# The crawl --------------------------------------------------------------------------------------

# Values for the arguments that are not object ids.
NOT_ID_VALUES = {"token": "bad-token", "code": "no-such-metric"}


def get_routes(app: Flask) -> list[str]:
    """Every endpoint that answers GET, but static files."""
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and "filename" not in rule.arguments
        }
    )


def crawl_paths(app: Flask, built: PrivacyWorld, who: str) -> list[tuple[str, str]]:
    """(endpoint, path) for every GET route, with the world's ids; the answer link with the
    token of a person who answered (the caller's own when they answered, else another's)."""
    paths = []
    metric = _db.session.get(Metric, built.world.ids["metric_s"])
    values = {**NOT_ID_VALUES, "code": metric.code if metric is not None else "none"}
    for endpoint in get_routes(app):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        arguments = {}
        for name in rule.arguments:
            if name in ID_OBJECTS:
                arguments[name] = built.world.ids[ID_OBJECTS[name]]
            elif name == "token" and endpoint == "inclusion.answer_by_link":
                arguments[name] = built.tokens.get(who, built.tokens["founder_c"])
            else:
                assert name in values, f"<{name}> of {endpoint}: add it to ID_OBJECTS"
                arguments[name] = values[name]
        with app.test_request_context():
            paths.append((endpoint, url_for(endpoint, **arguments)))
    return paths


def get_as(app: Flask, login: str | None, path: str):
    client = app.test_client()
    if login is not None:
        with client.session_transaction() as session:
            session["_user_id"] = login
            session["_fresh"] = True
    return client.get(path)


# Pages that show people, which the administrator's crawl must really open (not 404 or 403).
OPENED_BY_ADMIN = [
    "people.detail",
    "people.index",
    "people.audit_log",
    "people.outbox",
    "hackathons.detail",
    "api.me",
    "inclusion.answer_by_link",
]

CALLERS = [
    "anonymous",
    "admin",
    "manager",
    "founder",
    "mentor",
    "funder",
    "partner",
    "judge",
    "founder+mentor",
    "founder+funder",
    "mentor+judge",
    "partner+funder",
    "founder_c",
    "mentor_c",
    "judge_c",
    "partner_c",
]


class TestNobodySeesAnotherPersonsAnswers:
    @pytest.mark.parametrize("who", CALLERS)
    def test_every_page_as_everyone(self, class_app, privacy_world, who):
        """Each caller's own page shows their own answers; no page shows anyone else's."""
        own = privacy_world.markers.get(who)
        seen_own = False
        statuses = {}
        for endpoint, path in crawl_paths(class_app, privacy_world, who):
            response = get_as(class_app, privacy_world.world.logins[who], path)
            statuses[endpoint] = response.status_code
            body = page(response)
            if own is not None and endpoint == OWN_PAGE:
                assert all(marker in body for marker in own), path
                body = body.replace(own[0], "").replace(own[1], "")
                seen_own = True
            assert leaked(body) == [], (who, path, response.status_code)
        assert seen_own == (own is not None)
        if who == "admin":
            assert {endpoint: statuses[endpoint] for endpoint in OPENED_BY_ADMIN} == dict.fromkeys(
                OPENED_BY_ADMIN, 200
            )

    def test_the_outbox_and_the_audit_trail_hold_no_answers(self, class_app, privacy_world):
        mail = _db.session.scalars(select(OutboxMessage)).all()
        events = _db.session.scalars(select(AuditEvent)).all()
        saved = [event for event in events if event.action == demographics.SAVED]

        assert len(saved) == len(ANSWERING)
        assert leaked(repr([(m.recipient, m.subject, m.body) for m in mail])) == []
        assert leaked(repr([(e.action, e.object_id, e.before, e.after) for e in events])) == []


def test_a_manager_reaches_no_one_elses_answers_by_any_url(client, login_as, db):
    person = User(email="answerer@example.org", name="Answerer")
    db.session.add(person)
    db.session.flush()
    detail, term = markers_of(99)
    demographics.save_answers(person, _answers(detail, term), by=person)
    db.session.commit()
    login_as("manager")
    token = demographics.answer_link_token(person)

    pages = [
        client.get("/inclusion/about-you"),
        client.get(f"/inclusion/about-you?user_id={person.id}"),
        client.get(f"/inclusion/about-you/{token}"),
        client.get("/inclusion/about-you/withdraw"),
        client.get(f"/people/{person.id}"),
        client.get("/api/me"),
    ]

    assert [leaked(page(response)) for response in pages] == [[]] * len(pages)
    assert "already on record" in page(pages[2])
    assert demographics.answers_of(person) is not None
