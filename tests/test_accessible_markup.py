"""The markup the browser tests rely on, checked without a browser on every page of the demo.

Every table sits in a box that scrolls sideways on a narrow screen and that a keyboard can
reach (a named region with tabindex); the skip link comes first and leads to main; sign-in,
password and profile fields carry autocomplete names (WCAG 1.3.5). The headless Chromium
tests (tests/browser, `make test-browser`) check the same pages with axe-core.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from incubator.blueprints.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from tests.crawling import crawl

ROLES = ["manager", "founder", "mentor", "judge", "funder", "partner", "admin"]


class Markup(HTMLParser):
    """The tables, the inputs and the first focusable element of a page."""

    FOCUSABLE = {"a", "button", "input", "select", "textarea"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict]] = []
        self.tables: list[list[tuple[str, dict]]] = []
        self.inputs: dict[str, dict] = {}
        self.first_focusable: dict | None = None
        self.main_ids: list[str | None] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "table":
            self.tables.append(list(self.open))
        if tag in ("input", "select", "textarea") and "name" in values:
            self.inputs[values["name"]] = values
        if tag == "main":
            self.main_ids.append(values.get("id"))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if (
            self.first_focusable is None
            and tag in self.FOCUSABLE
            and values.get("type") != "hidden"
        ):
            self.first_focusable = {"tag": tag, **values}
        if tag not in ("input", "img", "br", "hr", "meta", "link", "col", "source", "wbr"):
            self.open.append((tag, values))

    def handle_endtag(self, tag) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return


def parsed(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    return markup


def scrolling_region(ancestors: list[tuple[str, dict]]) -> dict | None:
    """The nearest .table-responsive box around a table."""
    for tag, values in reversed(ancestors):
        if tag == "div" and "table-responsive" in values.get("class", "").split():
            return values
    return None


def table_problems(path: str, markup: Markup) -> list[str]:
    problems = []
    for number, ancestors in enumerate(markup.tables, start=1):
        box = scrolling_region(ancestors)
        if box is None:
            problems.append(f"{path}: table {number} is not inside a .table-responsive box")
        elif not (
            box.get("tabindex") == "0"
            and box.get("role") == "region"
            and (box.get("aria-label") or box.get("aria-labelledby"))
        ):
            problems.append(
                f"{path}: table {number}'s box lacks tabindex=0, role=region or a label: {box}"
            )
        elif box.get("aria-label") in ("None", "Table", "table"):
            problems.append(f"{path}: table {number}'s box says nothing of what it holds: {box}")
    return problems


def crawled_pages(app, client) -> dict[str, Markup]:
    """Every kind of HTML page reachable from the home page or at an address without ids,
    parsed, by path."""
    return {path: parsed(html) for path, html in crawl(app, client).items()}


class TestEveryDemoPage:
    @pytest.mark.parametrize("role", ROLES)
    def test_every_table_scrolls_in_a_named_region_a_keyboard_reaches(
        self, _app, demo_program, role
    ):
        client = _app.test_client()
        signed_in = client.post(
            "/auth/login",
            data={"email": demo_program[role].email, "password": demo_program[role].password},
        )
        assert signed_in.status_code == 302

        pages = crawled_pages(_app, client)
        problems = [
            problem for path, markup in pages.items() for problem in table_problems(path, markup)
        ]

        assert len(pages) >= 8, list(pages)
        assert sum(len(markup.tables) for markup in pages.values()) > 0
        assert problems == []

    def test_the_skip_link_comes_first_and_leads_to_main(self, _app, demo_program):
        client = _app.test_client()
        for path in ("/auth/login", "/scorecard/"):
            markup = parsed(client.get(path).get_data(as_text=True))

            assert markup.first_focusable is not None
            assert markup.first_focusable["href"] == "#main", markup.first_focusable
            assert markup.main_ids == ["main"]


AUTOCOMPLETE = {
    LoginForm: {"email": "username", "password": "current-password"},
    ForgotPasswordForm: {"email": "username"},
    ChangePasswordForm: {
        "current": "current-password",
        "password": "new-password",
        "confirm": "new-password",
    },
    ResetPasswordForm: {"password": "new-password", "confirm": "new-password"},
    AcceptInvitationForm: {"name": "name", "password": "new-password", "confirm": "new-password"},
    ProfileForm: {"name": "name"},
}


@pytest.mark.parametrize("form_class", AUTOCOMPLETE, ids=lambda form: form.__name__)
def test_account_fields_name_their_purpose_for_autofill(app, form_class):
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        rendered = {name: parsed(str(form[name])).inputs[name] for name in AUTOCOMPLETE[form_class]}

    assert {name: values.get("autocomplete") for name, values in rendered.items()} == (
        AUTOCOMPLETE[form_class]
    )


def test_the_sign_in_and_profile_pages_carry_the_autocomplete_names(client, login_as):
    sign_in = parsed(client.get("/auth/login").get_data(as_text=True)).inputs
    login_as("founder")
    profile = parsed(client.get("/auth/profile").get_data(as_text=True)).inputs
    password = parsed(client.get("/auth/password").get_data(as_text=True)).inputs

    assert sign_in["email"]["autocomplete"] == "username"
    assert sign_in["password"]["autocomplete"] == "current-password"
    assert profile["name"]["autocomplete"] == "name"
    assert password["current"]["autocomplete"] == "current-password"
    assert password["password"]["autocomplete"] == "new-password"


def test_a_registrant_s_name_and_address_carry_autocomplete_names():
    from incubator.blueprints.registration.forms import RegistrationForm

    assert RegistrationForm.name.kwargs["render_kw"] == {"autocomplete": "name"}
    assert RegistrationForm.email.kwargs["render_kw"] == {"autocomplete": "email"}


def test_a_mentor_s_organisation_carries_its_autocomplete_name():
    from incubator.blueprints.mentoring.profile_forms import MentorProfileForm

    assert MentorProfileForm.organisation.kwargs["render_kw"] == {"autocomplete": "organization"}


def test_the_table_check_finds_a_bare_table_and_an_unnamed_box():
    bare = parsed("<main id=main><table><tr><td>1</td></tr></table></main>")
    unnamed = parsed('<div class="table-responsive"><table></table></div>')
    named = parsed(
        '<div class="table-responsive" tabindex="0" role="region" aria-label="Ventures">'
        "<div><table></table></div></div>"
    )

    assert table_problems("/bare", bare) == ["/bare: table 1 is not inside a .table-responsive box"]
    assert len(table_problems("/unnamed", unnamed)) == 1
    assert table_problems("/named", named) == []
