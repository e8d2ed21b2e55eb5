"""Who may call each endpoint: every endpoint declares it, and the declarations hold.

EXPECTED is written by hand, not read from the code: a new endpoint fails
test_every_endpoint_has_a_row_in_the_expected_table until someone decides who may use it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from incubator.access import public, rule_for
from incubator.extensions import db as _db
from incubator.models import Role
from incubator.services.accounts import login_sessions
from tests import factories

PUBLIC = "public"
ANY = "any"
ADMIN = frozenset({Role.ADMIN})
MANAGER = frozenset({Role.MANAGER})
FOUNDER = frozenset({Role.FOUNDER})
JUDGE = frozenset({Role.JUDGE})
PARTNER = frozenset({Role.PARTNER})
MENTOR = frozenset({Role.MENTOR})
FOUNDER_OR_MANAGER = frozenset({Role.FOUNDER, Role.MANAGER})
SESSION_PEOPLE = frozenset({Role.FOUNDER, Role.MENTOR, Role.MANAGER})
KPI_READERS = frozenset({Role.FOUNDER, Role.MANAGER, Role.MENTOR, Role.FUNDER})
MATCHED_PEOPLE = frozenset({Role.FOUNDER, Role.MENTOR, Role.FUNDER, Role.PARTNER})

# Endpoint -> who may use it: "public", "any" signed-in user, or a set of roles.
# Administrators pass every role check, so they are not listed in the role sets.
EXPECTED: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "main.home_page": PUBLIC,
    "main.health": PUBLIC,
    "main.choose_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": ANY,
    "auth.change_password": ANY,
    "auth.profile": ANY,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.accept_invitation": PUBLIC,
    "auth.where_signed_in": ANY,
    "auth.end_other_login_sessions": ANY,
    "people.index": MANAGER,
    "people.invite": MANAGER,
    "people.detail": MANAGER,
    "people.update_roles": MANAGER,
    "people.set_activation": MANAGER,
    "people.resend_invitation": MANAGER,
    "people.outbox": ADMIN,
    "people.retry_mail": ADMIN,
    "people.audit_log": ADMIN,
    "api.me": ANY,
    # Hackathons: managers run them; partners propose challenges.
    "hackathons.index": MANAGER,
    "hackathons.create": MANAGER,
    "hackathons.detail": MANAGER,
    "hackathons.edit": MANAGER,
    "hackathons.add_challenge": MANAGER,
    "hackathons.edit_challenge": MANAGER,
    "hackathons.decide_challenge": MANAGER,
    "hackathons.propose_challenge": PARTNER,
    "hackathons.add_submission": MANAGER,
    "hackathons.edit_submission": MANAGER,
    "hackathons.submission": MANAGER,
    "hackathons.import_upload": MANAGER,
    "hackathons.import_preview": MANAGER,
    "hackathons.import_apply": MANAGER,
    # Judging: managers set rubrics, judges and placements; judges score.
    "judging.my_assignments": JUDGE,
    "judging.score": JUDGE,
    "judging.assignments": MANAGER,
    "judging.unassign": MANAGER,
    "judging.rubric": MANAGER,
    "judging.update_criterion": MANAGER,
    "judging.remove_criterion": MANAGER,
    "judging.results": MANAGER,
    "judging.results_csv": MANAGER,
    "judging.set_placement": MANAGER,
    # Cohorts: managers run them; founders see and edit their own venture.
    "cohorts.index": MANAGER,
    "cohorts.create": MANAGER,
    "cohorts.detail": MANAGER,
    "cohorts.edit": MANAGER,
    "cohorts.add_venture": MANAGER,
    "cohorts.add_member": MANAGER,
    "cohorts.archive_venture": MANAGER,
    "cohorts.promote": MANAGER,
    "cohorts.bulk_promotion": MANAGER,
    "cohorts.my_ventures": FOUNDER,
    "cohorts.venture": FOUNDER_OR_MANAGER,
    "cohorts.edit_venture": FOUNDER_OR_MANAGER,
    # Pipeline: founders log progress on their venture; managers verify and move stages.
    "pipeline.check_in": FOUNDER,
    # Matched mentors read check-ins too, once an introduction is accepted; funders never
    # do, but see the KPIs a venture shares on its KPI chart.
    "pipeline.check_ins": frozenset({Role.FOUNDER, Role.MANAGER, Role.MENTOR}),
    "pipeline.add_kpi": FOUNDER_OR_MANAGER,
    "pipeline.milestones": FOUNDER_OR_MANAGER,
    "pipeline.edit_milestone": FOUNDER_OR_MANAGER,
    "pipeline.start_milestone": FOUNDER_OR_MANAGER,
    "pipeline.complete_milestone": FOUNDER_OR_MANAGER,
    "pipeline.timeline": FOUNDER_OR_MANAGER,
    "pipeline.verify_milestone": MANAGER,
    "pipeline.send_back_milestone": MANAGER,
    "pipeline.miss_milestone": MANAGER,
    "pipeline.move_stage": MANAGER,
    "pipeline.stage_plan": MANAGER,
    "pipeline.remove_template": MANAGER,
    "pipeline.board": MANAGER,
    "pipeline.board_csv": MANAGER,
    "pipeline.analytics": MANAGER,
    "pipeline.stage_chart": MANAGER,
    "pipeline.distribution_chart": MANAGER,
    "pipeline.kpi_chart": KPI_READERS,
    # Mentor sessions: founders book; both sides and managers see their sessions; the
    # calendar feed is public because its token is the credential.
    "mentoring.book": FOUNDER,
    "mentoring.sessions": SESSION_PEOPLE,
    "mentoring.booking": SESSION_PEOPLE,
    "mentoring.cancel": SESSION_PEOPLE,
    "mentoring.reschedule": SESSION_PEOPLE,
    "mentoring.outcome": SESSION_PEOPLE,
    "mentoring.notes": SESSION_PEOPLE,
    "mentoring.rate": SESSION_PEOPLE,
    "mentoring.booking_ics": SESSION_PEOPLE,
    "mentoring.ratings": MANAGER,
    "mentoring.calendar_settings": ANY,
    "mentoring.feed": PUBLIC,
    # Mentoring: founders and managers browse mentors; mentors keep their profile and times.
    "mentoring.mentors": FOUNDER_OR_MANAGER,
    "mentoring.mentor": FOUNDER_OR_MANAGER,
    "mentoring.edit_profile": MENTOR,
    "mentoring.availability": MENTOR,
    "mentoring.add_series": MENTOR,
    "mentoring.edit_slot": MENTOR,
    "mentoring.withdraw_slot": MENTOR,
    "mentoring.edit_series": MENTOR,
    "mentoring.withdraw_series": MENTOR,
    # Office-hours days: managers plan and publish them; those who took part rank afterwards.
    "mentoring.office_hours_days": MANAGER,
    "mentoring.new_office_hours": MANAGER,
    "mentoring.office_hours_day": MANAGER,
    "mentoring.plan_office_hours": MANAGER,
    "mentoring.publish_office_hours": MANAGER,
    "mentoring.rank_office_hours": frozenset({Role.FOUNDER, Role.MENTOR}),
    # Matching: managers run, review and publish; both sides of an introduction answer it.
    "matching.cohort_runs": MANAGER,
    "matching.pin": MANAGER,
    "matching.remove": MANAGER,
    "matching.swap": MANAGER,
    "matching.add": MANAGER,
    "matching.publish": MANAGER,
    "matching.rematch": MANAGER,
    "matching.my_matches": MATCHED_PEOPLE,
    "matching.answer": MATCHED_PEOPLE,
    # Funders and partners: funders see ventures that fit them; partners their own
    # organisation (managers any); managers record outcomes, founders read their own.
    "matching.funder_profile": frozenset({Role.FUNDER}),
    "matching.funder_ventures": frozenset({Role.FUNDER}),
    "matching.partner_profile": frozenset({Role.PARTNER, Role.MANAGER}),
    "matching.partner_page": frozenset({Role.PARTNER, Role.MANAGER}),
    "matching.venture_outcomes": FOUNDER_OR_MANAGER,
    "matching.add_pilot": MANAGER,
    "matching.update_pilot": MANAGER,
    "matching.add_investment": MANAGER,
    # The public showcase of the cohorts.
    "showcase.index": PUBLIC,
    "showcase.cohort": PUBLIC,
    # Registering for a hackathon needs no account; a registration's own page is reached by
    # the signed link in its mails. The program team keeps the lists and the door.
    "registration.index": PUBLIC,
    "registration.register": PUBLIC,
    "registration.registered": PUBLIC,
    "registration.cancel": PUBLIC,
    "registration.registrations_list": MANAGER,
    "registration.registrations_csv": MANAGER,
    "registration.check_in_page": MANAGER,
    "registration.check_in": MANAGER,
    "registration.consent": MANAGER,
    "registration.cancel_for": MANAGER,
    "registration.partners": MANAGER,
    # The city's scorecard: public pages, downloads and pictures; managers edit it; founders
    # see which of their KPIs feed it.
    "scorecard.index": PUBLIC,
    "scorecard.neighbourhoods": PUBLIC,
    "scorecard.metric": PUBLIC,
    "scorecard.summary_csv": PUBLIC,
    "scorecard.neighbourhoods_csv": PUBLIC,
    "scorecard.summary_json": PUBLIC,
    "scorecard.neighbourhood_map": PUBLIC,
    "scorecard.trend_chart": PUBLIC,
    "scorecard.manage": MANAGER,
    "scorecard.refresh": MANAGER,
    "scorecard.create_area": MANAGER,
    "scorecard.edit_area": MANAGER,
    "scorecard.create_metric": MANAGER,
    "scorecard.edit_metric": MANAGER,
    "scorecard.metric_observations": MANAGER,
    "scorecard.observation": MANAGER,
    "scorecard.correct_observation": MANAGER,
    "scorecard.withdraw_observation": MANAGER,
    "scorecard.sources": MANAGER,
    "scorecard.create_source": MANAGER,
    "scorecard.edit_source": MANAGER,
    "scorecard.kpi_mappings": MANAGER,
    "scorecard.remove_kpi_mapping": MANAGER,
    "scorecard.pilot_sites": MANAGER,
    "scorecard.remove_site": MANAGER,
    "scorecard.venture_kpis": FOUNDER_OR_MANAGER,
    # A person's own demographic answers: no URL names a person; the answer link's token is
    # its credential.
    "inclusion.about_you": ANY,
    "inclusion.withdraw": ANY,
    "inclusion.skip": ANY,
    "inclusion.answer_by_link": PUBLIC,
    "inclusion.your_answers": PUBLIC,
    "inclusion.withdraw_by_mailed_link": PUBLIC,
    # The inclusion funnel: the program team's, each partner's referrals, the public section.
    "inclusion.funnel_page": MANAGER,
    "inclusion.funnel_csv": MANAGER,
    "inclusion.funnel_json": MANAGER,
    "inclusion.partner_funnel": PARTNER,
    "inclusion.public_funnel": PUBLIC,
}

VIEWERS = ["anonymous", *[str(role) for role in Role]]

# Values for URL arguments. "user_id" is an existing user's id; any other "<int:..._id>"
# names a row that does not exist, since access is decided before the view looks it up.
SAMPLE_ARGUMENTS = {"token": "bad-token", "code": "no-such-metric"}
MISSING_ID = 999_999
STATIC_FILES = {"static": "app.css", "bootstrap.static": "css/bootstrap.min.css"}


def may_use(expected: str | frozenset[Role], viewer: str) -> bool:
    if expected == PUBLIC:
        return True
    if viewer == "anonymous":
        return False
    if expected == ANY:
        return True
    return viewer == Role.ADMIN or Role(viewer) in expected


def url_and_method(app, endpoint: str, user_id: int) -> tuple[str, str]:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    arguments = {}
    for name in rule.arguments:
        if name == "user_id":
            arguments[name] = user_id
        elif name == "filename":
            arguments[name] = STATIC_FILES[endpoint]
        elif name.endswith("_id"):
            arguments[name] = MISSING_ID
        else:
            assert name in SAMPLE_ARGUMENTS, f"add a sample value for <{name}> ({endpoint})"
            arguments[name] = SAMPLE_ARGUMENTS[name]
    with app.test_request_context():
        url = url_for(endpoint, **arguments)
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    return url, method


def test_every_endpoint_declares_who_may_use_it(app):
    undeclared = sorted(
        endpoint for endpoint in app.view_functions if rule_for(app, endpoint) is None
    )
    assert undeclared == [], f"endpoints without @public, @authenticated or @roles: {undeclared}"


def test_every_endpoint_has_a_row_in_the_expected_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECTED.keys() == set(), "new endpoints need a row in EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "EXPECTED lists endpoints that are gone"


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_declared_rule_matches_the_expected_table(app, endpoint):
    rule = rule_for(app, endpoint)
    expected = EXPECTED[endpoint]
    assert rule is not None
    if expected == PUBLIC:
        assert not rule.login
    elif expected == ANY:
        assert rule.login and not rule.roles
    else:
        assert rule.login and rule.roles == expected


@pytest.fixture(scope="class")
def people(class_app):
    """One person per role, and the id of a person to look at."""
    viewers = {str(role): factories.user(str(role)) for role in Role}
    target = factories.user("founder")
    _db.session.commit()
    return viewers, target.id


class TestEveryViewerOnEveryEndpoint:
    """The table, case by case: anonymous and each role against each endpoint.

    The requests carry no form data and the ids other than user_id name missing rows, so
    nothing is written but login sessions, and the hundreds of cases share one set of
    people. A viewer is signed in on a login session of its own (signing out ends it) put
    into the session cookie as the login form would; a failed sign-in shows up as a login
    redirect where the table expects a page or a 403.
    """

    @pytest.mark.parametrize("viewer", VIEWERS)
    @pytest.mark.parametrize("endpoint", sorted(EXPECTED))
    def test_each_viewer_gets_what_the_table_allows(self, class_app, people, endpoint, viewer):
        viewers, target_id = people
        client = class_app.test_client()
        if viewer != "anonymous":
            _login_session, token = login_sessions.start(viewers[viewer], remember=False)
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
        url, method = url_and_method(class_app, endpoint, target_id)

        response = client.open(url, method=method)

        location = response.headers.get("Location", "")
        sent_to_login = urlsplit(location).path == "/auth/login" and "next=" in location
        if may_use(EXPECTED[endpoint], viewer):
            assert response.status_code not in (401, 403), response.get_data(as_text=True)[:500]
            # The access layer's redirect carries ?next=; a view's own redirect to the login
            # page (the home page for visitors, a bad invitation link) does not.
            assert not sent_to_login, location
        elif viewer == "anonymous" and url.startswith("/api/"):
            assert response.status_code == 401
            assert response.is_json
            assert response.get_json()["error"] == "unauthorized"
        elif viewer == "anonymous":
            assert response.status_code == 302
            assert urlsplit(location).path == "/auth/login"
            assert parse_qs(urlsplit(location).query)["next"] == [urlsplit(url).path]
        elif url.startswith("/api/"):
            assert response.status_code == 403
            assert response.is_json
        else:
            assert response.status_code == 403
            page = response.get_data(as_text=True)
            assert "Error 403" in page
            assert "Your account does not have access to this page." in page
            assert 'class="navbar' in page  # the site's layout, not a bare error


def test_endpoint_without_a_declaration_is_refused_even_to_an_admin(db, make_app, sign_in):
    extra = make_app()
    extra.add_url_rule("/undeclared", "undeclared", lambda: "the secret")
    admin = factories.user("admin")
    db.session.commit()
    client = extra.test_client()

    anonymous = client.get("/undeclared")
    assert sign_in(client, admin.email).status_code == 302
    signed_in = client.get("/undeclared")

    for response in (anonymous, signed_in):
        assert response.status_code == 403
        assert "the secret" not in response.get_data(as_text=True)
        assert "Error 403" in response.get_data(as_text=True)


def test_declared_endpoint_on_a_fresh_app_is_served(make_app):
    extra = make_app()
    extra.add_url_rule("/declared", "declared", public(lambda: "open to all"))

    response = extra.test_client().get("/declared")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "open to all"
