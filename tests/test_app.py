"""The app as a whole: error pages, security headers, production settings, CSRF, rate
limits, local assets, the health check, the home page and the query counter."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from incubator.access import public
from incubator.extensions import bootstrap
from incubator.extensions import db as _db
from incubator.models import AuditEvent, OutboxMessage, Role, User
from incubator.services.accounts import users
from tests import factories
from tests.helpers import location, page

STRONG_KEY = "k" * 32
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def in_site_layout(text: str) -> bool:
    return 'class="navbar' in text and "Accelerate: LA" in text and "<footer" in text


# Error pages -------------------------------------------------------------------------------------


def test_unknown_address_gets_the_404_page_in_the_site_layout(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert "There is nothing at this address." in page(response)
    assert in_site_layout(page(response))


def test_wrong_method_gets_the_405_page_in_the_site_layout(client):
    response = client.get("/auth/logout")

    assert response.status_code == 405
    assert "That action is not available here." in page(response)
    assert in_site_layout(page(response))


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_unexpected_error_renders_the_500_page_and_rolls_back(db, make_app, caplog):
    extra = make_app()
    seen = {}

    @public
    def explode():
        users.create_user("half-done@example.org", "Half Done", set())
        _db.session.flush()
        raise RuntimeError("something broke halfway")

    extra.add_url_rule("/explode", "explode", explode)

    @extra.after_request
    def note_transaction(response):
        seen["open_transaction"] = _db.session().in_transaction()
        return response

    response = extra.test_client().get("/explode")

    assert response.status_code == 500
    assert "Something went wrong" in page(response)
    assert "nothing you entered was saved" in page(response)
    assert "something broke halfway" not in page(response)
    assert in_site_layout(page(response))
    assert seen["open_transaction"] is False
    assert db.session.scalar(select(func.count(User.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
    assert "unhandled error" in caplog.text


# Headers and production settings -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/auth/login", "/healthz", "/no/such/page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_answers_to_a_signed_in_person_are_never_stored(db, client, login_as):
    login_as("manager")
    hackathon = factories.judging_hackathon(name="Drought Hack")
    db.session.commit()

    answers = {
        "html": client.get("/"),
        "csv": client.get(f"/judging/hackathons/{hackathon.id}/results.csv"),
        "json": client.get("/api/v1/me"),
        "public page": client.get("/showcase/"),
        "error page": client.get("/no/such/page"),
    }

    assert answers["csv"].mimetype == "text/csv"
    assert answers["json"].is_json
    for kind, response in answers.items():
        assert response.headers.get("Cache-Control") == "no-store", kind


def test_static_files_and_public_pages_for_visitors_stay_cacheable(client, login_as, app):
    visitor = app.test_client()

    public_pages = [visitor.get("/auth/login"), visitor.get("/showcase/"), visitor.get("/healthz")]
    login_as("founder")
    static_file = client.get("/static/app.css")

    for response in [*public_pages, static_file]:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    "key", [None, "", "change-me", "development-only-secret-key", "x" * 31], ids=repr
)
def test_production_refuses_to_start_without_a_strong_secret_key(
    make_app, database_url, monkeypatch, key
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    overrides = {} if key is None else {"SECRET_KEY": key}

    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        make_app("production", **overrides)


def test_production_refuses_to_start_without_a_database_url(make_app, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        make_app("production", SECRET_KEY=STRONG_KEY)


def test_production_sends_cookies_only_over_https(make_app, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)

    production = make_app("production", SECRET_KEY=STRONG_KEY)
    response = production.test_client().get("/auth/login", base_url="https://localhost")

    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["REMEMBER_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    session_cookie = response.headers["Set-Cookie"]
    assert "Secure" in session_cookie
    assert "HttpOnly" in session_cookie


# CSRF and rate limits ----------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused_and_writes_nothing(db, make_app):
    protected = make_app(WTF_CSRF_ENABLED=True)
    manager = factories.user("manager")
    db.session.commit()
    client = protected.test_client()
    token = CSRF_FIELD.search(page(client.get("/auth/login"))).group(1)
    signed_in = client.post(
        "/auth/login",
        data={"email": manager.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    invitation = {"email": "nadia@example.org", "name": "Nadia", "roles": ["mentor"]}
    events_before = db.session.scalar(select(func.count(AuditEvent.id)))

    refused = client.post("/people/invite", data=invitation)

    assert signed_in.status_code == 302
    assert refused.status_code == 400
    assert "The form expired or was sent from elsewhere." in page(refused)
    assert in_site_layout(page(refused))
    assert users.user_by_email("nadia@example.org") is None
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events_before
    # The same form with its token goes through, so the refusal above was the token's doing.
    token = CSRF_FIELD.search(page(client.get("/people/invite"))).group(1)
    accepted = client.post("/people/invite", data={**invitation, "csrf_token": token})
    assert location(accepted) == "/people/"
    assert users.user_by_email("nadia@example.org") is not None


def test_login_without_csrf_token_does_not_sign_in(db, make_app):
    protected = make_app(WTF_CSRF_ENABLED=True)
    user = factories.user("founder")
    db.session.commit()
    client = protected.test_client()

    response = client.post(
        "/auth/login", data={"email": user.email, "password": factories.PASSWORD}
    )

    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401
    db.session.expire_all()
    assert user.last_login_at is None


def test_fourth_login_attempt_in_a_minute_is_refused(db, make_app):
    limited = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    user = factories.user("founder")
    db.session.commit()
    client = limited.test_client()
    wrong = {"email": user.email, "password": "a wrong guess, again"}

    attempts = [client.post("/auth/login", data=wrong).status_code for _ in range(3)]
    fourth = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})

    assert attempts == [200, 200, 200]
    assert fourth.status_code == 429
    assert "Too many attempts" in page(fourth)
    assert "Wait a minute before trying again." in page(fourth)
    assert in_site_layout(page(fourth))
    assert client.get("/api/v1/me").status_code == 401
    db.session.expire_all()
    assert user.last_login_at is None
    # Reading the login page is not limited.
    assert client.get("/auth/login").status_code == 200


def test_rate_limits_stay_off_in_the_ordinary_test_app(db, client, sign_in):
    user = factories.user("founder")
    db.session.commit()

    statuses = {sign_in(client, user.email, "wrong password!!").status_code for _ in range(12)}

    assert statuses == {200}


# Assets, health, home ----------------------------------------------------------------------------


def test_bootstrap_is_served_from_this_site(app, client):
    with app.test_request_context():
        css = str(bootstrap.load_css())
        js = str(bootstrap.load_js())
    [css_url] = re.findall(r'href="([^"]+)"', css)
    script_urls = re.findall(r'src="([^"]+)"', js)

    response = client.get(css_url)

    assert css_url.startswith("/bootstrap/static/")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert script_urls
    for url in script_urls:
        assert url.startswith("/bootstrap/static/")
        assert client.get(url).status_code == 200


def test_no_page_loads_anything_from_a_cdn(app, client, login_as):
    login_as(*[str(role) for role in Role])
    pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
    ]
    pages.append("/no/such/page")

    for path in pages:
        text = page(client.get(path))
        assert "cdn." not in text, path
        assert "integrity=" not in text, path


def test_health_check_says_ok(client, count_queries):
    with count_queries() as counter:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert counter.count == 0


def test_visitor_is_sent_to_sign_in_from_the_home_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert location(response) == "/auth/login"


@pytest.mark.parametrize(
    ("roles", "shown", "hidden"),
    [
        (("founder",), ["Your venture"], ["Invite people", "Administration"]),
        (("manager",), ["Program management", "Invite people"], ["Your venture"]),
        (("mentor",), ["Mentoring"], ["Invite people"]),
        (("admin",), ["Administration", "Audit trail"], ["Your venture"]),
        (("founder", "judge"), ["Your venture", "Judging"], ["Invite people"]),
    ],
    ids=["founder", "manager", "mentor", "admin", "founder+judge"],
)
def test_home_page_shows_each_role_its_own_panel(client, login_as, roles, shown, hidden):
    login_as(*roles, name="Jamal Washington")

    text = page(client.get("/"))

    assert "Hello, Jamal Washington" in text
    for heading in shown:
        assert heading in text
    for heading in hidden:
        assert heading not in text


def test_person_without_a_role_is_told_to_ask_for_one(client, login_as):
    login_as()

    assert "Your account has no role yet" in page(client.get("/"))


# The query counter -------------------------------------------------------------------------------


def test_query_counter_counts_statements(db, count_queries):
    with count_queries() as counter:
        db.session.execute(select(1))
        db.session.scalar(select(func.count(User.id)))

    assert counter.count == 2
    assert all("SELECT" in statement.upper() for statement in counter.statements)


def test_people_list_queries_do_not_grow_with_the_number_of_people(
    db, client, login_as, count_queries
):
    login_as("manager")
    factories.user("founder")
    db.session.commit()
    with count_queries() as few:
        client.get("/people/")
    for _ in range(15):
        factories.user("mentor", "judge", password=None)
    db.session.commit()

    with count_queries() as many:
        client.get("/people/")

    assert many.count == few.count


def test_query_count_header_reports_statements_per_request(db, make_app, sign_in):
    counted = make_app(QUERY_COUNT_HEADER=True)
    user = factories.user("founder")
    db.session.commit()
    client = counted.test_client()
    sign_in(client, user.email)

    # A load balancer's health check carries no cookies; a signed-in request reads at least
    # the person's login session.
    health = counted.test_client().get("/healthz")
    me = client.get("/api/v1/me")

    assert health.headers["X-Query-Count"] == "0"
    assert int(me.headers["X-Query-Count"]) >= 1
