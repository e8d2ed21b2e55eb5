"""A person's own demographic answers: the questions, saving, seeing, withdrawing, the answer
link shown after registering, and the home page asking a founder once."""

from __future__ import annotations

import pytest
from flask import render_template
from sqlalchemy.exc import IntegrityError

from incubator.models import PREFER_NOT_TO_SAY, DemographicAnswers
from incubator.services.errors import Conflict, InvalidInput, InvalidToken, NotAllowed
from incubator.services.hackathons import registrations
from incubator.services.inclusion import demographics
from incubator.services.inclusion.demographics import AnswersInput
from tests import factories
from tests.helpers import as_form, count, link_in, page, reloaded_or_none, writes_nothing
from tests.plugins.registration import register

ANSWERS = AnswersInput(
    race_ethnicity=["middle_eastern_or_north_african", "hispanic_or_latino"],
    race_ethnicity_detail="  Lebanese and Salvadoran  ",
    gender="self_described",
    gender_self_described="Two-Spirit",
    age_band="18_24",
    la_resident="yes",
    immigrant_history="child_of_immigrants",
)


# The service ------------------------------------------------------------------------------


def test_answers_are_saved_trimmed_in_the_standards_order(db):
    person = factories.user("founder")

    row = demographics.save_answers(person, ANSWERS, by=person)

    assert row.race_ethnicity == ["hispanic_or_latino", "middle_eastern_or_north_african"]
    assert row.race_ethnicity_detail == "Lebanese and Salvadoran"
    assert (row.gender, row.gender_self_described) == ("self_described", "Two-Spirit")
    assert (row.age_band, row.la_resident, row.immigrant_history) == (
        "18_24",
        "yes",
        "child_of_immigrants",
    )
    assert demographics.answers_of(person) is row


def test_skipped_questions_are_null_and_prefer_not_to_say_is_an_answer(db):
    person = factories.user()

    answers = AnswersInput(race_ethnicity=[PREFER_NOT_TO_SAY], gender=PREFER_NOT_TO_SAY)

    row = demographics.save_answers(person, answers, by=person)

    assert row.race_ethnicity == [PREFER_NOT_TO_SAY]
    assert row.gender == PREFER_NOT_TO_SAY
    assert (row.age_band, row.la_resident, row.immigrant_history) == (None, None, None)


def test_changing_answers_keeps_one_row_and_clears_what_is_now_skipped(db):
    person = factories.user()
    demographics.save_answers(person, ANSWERS, by=person)

    demographics.save_answers(person, AnswersInput(gender="woman"), by=person)

    row = demographics.answers_of(person)
    assert count(DemographicAnswers) == 1
    assert row is not None
    assert (row.gender, row.gender_self_described) == ("woman", "")
    assert (row.race_ethnicity, row.age_band) == ([], None)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (AnswersInput(race_ethnicity=["martian"]), "from the list"),
        (AnswersInput(race_ethnicity=[PREFER_NOT_TO_SAY, "asian"]), "cannot go with"),
        (
            AnswersInput(race_ethnicity=[PREFER_NOT_TO_SAY], race_ethnicity_detail="Hmong"),
            "Leave the detail empty",
        ),
        (AnswersInput(race_ethnicity_detail="x" * 201), "at most 200"),
        (AnswersInput(gender="woman", gender_self_described="Femme"), "only with"),
        (AnswersInput(gender="self_described"), "Write the term"),
        (
            AnswersInput(gender="self_described", gender_self_described="x" * 81),
            "at most 80",
        ),
        (AnswersInput(gender="robot"), "gender"),
        (AnswersInput(age_band="12_15"), "age band"),
        (AnswersInput(la_resident="maybe"), "from the list"),
        (AnswersInput(immigrant_history="alien"), "from the list"),
        (AnswersInput(), "Every question was left empty"),
    ],
)
def test_answers_that_break_a_rule_are_refused(db, answers, message):
    person = factories.user()

    with writes_nothing(DemographicAnswers), pytest.raises(InvalidInput, match=message):
        demographics.save_answers(person, answers, by=person)


def test_nobody_answers_for_someone_else(db, manager):
    person = factories.user("founder")

    with writes_nothing(DemographicAnswers), pytest.raises(NotAllowed):
        demographics.save_answers(person, ANSWERS, by=manager)


def test_the_audit_trail_records_saving_and_withdrawing_without_values(db, audit_events):
    person = factories.user()
    demographics.save_answers(person, ANSWERS, by=person)
    demographics.save_answers(person, AnswersInput(age_band="25_34"), by=person)

    assert demographics.withdraw(person) is True

    events = audit_events()
    assert [event.action for event in events if event.action.startswith("demographics.")] == [
        "demographics.saved",
        "demographics.saved",
        "demographics.withdrawn",
    ]
    assert all(event.actor_id == person.id for event in events[-3:])
    assert all(event.before is None and event.after is None for event in events[-3:])


def test_withdrawing_deletes_the_row(db):
    person = factories.user()
    demographics.save_answers(person, ANSWERS, by=person)

    assert demographics.withdraw(person) is True

    assert reloaded_or_none(DemographicAnswers, person.id) is None
    assert demographics.withdraw(person) is False


def test_the_answers_go_when_the_account_row_goes(db):
    person = factories.user()
    demographics.save_answers(person, ANSWERS, by=person)
    db.session.commit()

    db.session.delete(person)
    db.session.commit()

    assert count(DemographicAnswers) == 0


# The answer link --------------------------------------------------------------------------


def test_the_answer_link_names_its_person_and_nothing_else(db, app):
    person = factories.user()
    token = demographics.answer_link_token(person)

    assert demographics.user_from_answer_token(token) == person
    with pytest.raises(InvalidToken, match="not valid"):
        demographics.user_from_answer_token(token + "x")
    with pytest.raises(InvalidToken, match="not valid"):
        demographics.user_from_answer_token("not-a-token")


def test_the_answer_link_expires_after_two_days(db, app, monkeypatch):
    person = factories.user()
    token = demographics.answer_link_token(person)
    assert app.config["ANSWER_LINK_MAX_AGE"] == 2 * 24 * 60 * 60
    monkeypatch.setitem(app.config, "ANSWER_LINK_MAX_AGE", -1)

    with pytest.raises(InvalidToken, match="expired"):
        demographics.user_from_answer_token(token)


def test_the_answer_link_gives_answers_only_while_there_are_none(db):
    person = factories.user()
    token = demographics.answer_link_token(person)
    demographics.save_answers_by_link(token, ANSWERS)

    with writes_nothing(DemographicAnswers), pytest.raises(Conflict, match="sign in"):
        demographics.save_answers_by_link(token, AnswersInput(gender="man"))

    row = demographics.answers_of(person)
    assert row is not None and row.gender_self_described == "Two-Spirit"


def test_a_deactivated_person_has_no_answer_link(db):
    person = factories.user(active=False)

    with pytest.raises(InvalidToken):
        demographics.user_from_answer_token(demographics.answer_link_token(person))


def test_answer_lines_say_each_answer_in_words(db):
    person = factories.user()
    row = demographics.save_answers(
        person,
        AnswersInput(
            race_ethnicity=["black_or_african_american"],
            race_ethnicity_detail="Ethiopian",
            gender=PREFER_NOT_TO_SAY,
            la_resident="no",
        ),
        by=person,
    )

    assert demographics.answer_lines(row) == [
        ("Race and ethnicity", "Black or African American (Ethiopian)"),
        ("Gender", "Prefer not to say"),
        ("Age", "No answer"),
        ("Live in the City of Los Angeles", "No"),
        ("Immigrant or child of immigrants", "No answer"),
    ]


# The pages --------------------------------------------------------------------------------


def test_a_signed_in_person_answers_sees_and_changes_their_answers(client, login_as):
    person = login_as("mentor")

    saved = client.post("/inclusion/about-you", data=as_form(ANSWERS))
    shown = page(client.get("/inclusion/about-you"))

    assert saved.status_code == 302
    row = demographics.answers_of(person)
    assert row is not None and row.gender_self_described == "Two-Spirit"
    assert "Your answers" in shown
    assert "Hispanic or Latino, Middle Eastern or North African (Lebanese and Salvadoran)" in shown
    assert "Two-Spirit" in shown
    assert 'value="Two-Spirit"' in shown  # the form is filled in to change them


def test_a_refused_answer_is_explained_and_nothing_saved(client, login_as):
    login_as()

    with writes_nothing(DemographicAnswers):
        response = client.post(
            "/inclusion/about-you", data={"gender": "woman", "gender_self_described": "Femme"}
        )

    assert response.status_code == 200
    assert "only with “In my own words”" in page(response)


def test_withdrawing_asks_first_then_deletes(client, login_as):
    person = login_as("founder")
    client.post("/inclusion/about-you", data=as_form(ANSWERS))

    confirm = client.get("/inclusion/about-you/withdraw")
    assert "Withdrawing deletes your answers" in page(confirm)
    assert demographics.answers_of(person) is not None

    done = client.post("/inclusion/about-you/withdraw", data={})

    assert done.status_code == 302
    assert reloaded_or_none(DemographicAnswers, person.id) is None
    after = page(client.get("/inclusion/about-you"))
    assert "Your answers are withdrawn" in after
    assert "Two-Spirit" not in after


def test_the_answer_link_page_saves_and_says_what_was_saved(client, db):
    person = factories.user(password=None)
    db.session.commit()
    url = f"/inclusion/about-you/{demographics.answer_link_token(person)}"

    form = page(client.get(url))
    response = client.post(url, data=as_form(ANSWERS))
    saved = page(response)

    assert "Race and ethnicity" in form
    assert "Thank you: your answers are saved" in saved
    assert "Two-Spirit" in saved
    assert "sign in" in saved
    assert response.headers["Cache-Control"] == "no-store"
    row = demographics.answers_of(person)
    assert row is not None and row.age_band == "18_24"


def test_the_answer_link_never_shows_or_replaces_answers_on_record(client, db):
    person = factories.user()
    demographics.save_answers(person, ANSWERS, by=person)
    db.session.commit()
    url = f"/inclusion/about-you/{demographics.answer_link_token(person)}"

    shown = page(client.get(url))
    with writes_nothing(DemographicAnswers):
        replaced = page(client.post(url, data=as_form(AnswersInput(gender="man"))))

    for text in (shown, replaced):
        assert "already on record" in text
        assert "Two-Spirit" not in text and "Lebanese" not in text


def test_a_bad_answer_link_sends_to_sign_in(client, db):
    response = client.get("/inclusion/about-you/forged")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


# The home page asks founders once ---------------------------------------------------------

CARD = "Tell us about yourself (optional)"


def test_a_founder_without_answers_is_asked_on_the_home_page(client, login_as):
    login_as("founder")

    assert CARD in page(client.get("/"))


def test_other_roles_are_not_asked(client, login_as):
    login_as("mentor", "judge")

    assert CARD not in page(client.get("/"))


def test_no_thanks_means_never_asked_again(client, login_as, audit_events):
    person = login_as("founder")

    response = client.post("/inclusion/about-you/skip")

    assert response.status_code == 302
    assert CARD not in page(client.get("/"))
    assert [event.object_id for event in audit_events("demographics.skipped")] == [str(person.id)]
    assert demographics.answers_of(person) is None


def test_answering_or_withdrawing_ends_the_question(client, login_as):
    login_as("founder")
    client.post("/inclusion/about-you", data=as_form(AnswersInput(age_band="35_44")))
    assert CARD not in page(client.get("/"))

    client.post("/inclusion/about-you/withdraw")

    assert CARD not in page(client.get("/"))


def test_the_offer_after_registering_links_to_the_answer_link(app, db):
    person = factories.user(password=None)
    token = demographics.answer_link_token(person)

    with app.test_request_context():
        offer = render_template("inclusion/about_you_invitation.html", answer_token=token)

    assert f'href="/inclusion/about-you/{token}"' in offer
    assert "Tell us about yourself (optional)" in offer


# The link in the registration mails -------------------------------------------------------


def test_the_registration_mail_carries_the_link_to_ones_own_answers(
    client, db, registration_hackathon, outbox
):
    registration = register(registration_hackathon, email="rosa@example.org")
    db.session.commit()

    [mail] = outbox("rosa@example.org")
    url = link_in(mail.body, "/inclusion/your-answers/")
    person = demographics.user_from_your_answers_token(url.rsplit("/", 1)[-1])

    assert person.id == registration.user_id


def test_the_mailed_link_shows_changes_and_withdraws_the_answers(client, db):
    person = factories.user(password=None)
    demographics.save_answers(person, ANSWERS, by=person)
    db.session.commit()
    url = f"/inclusion/your-answers/{demographics.your_answers_token(person)}"

    shown = client.get(url)
    changed = client.post(url, data=as_form(AnswersInput(gender="woman")))
    after_change = reloaded_or_none(DemographicAnswers, person.id)
    assert after_change is not None
    gender, races = after_change.gender, after_change.race_ethnicity
    asked = page(client.get(f"{url}/withdraw"))
    withdrawn = client.post(f"{url}/withdraw", data={})

    assert "Two-Spirit" in page(shown)
    assert shown.headers["Cache-Control"] == "no-store"
    assert changed.status_code == 302
    assert (gender, races) == ("woman", [])
    assert "Withdrawing deletes your answers" in asked
    assert withdrawn.status_code == 302
    assert reloaded_or_none(DemographicAnswers, person.id) is None


def test_the_answer_link_shown_on_the_page_does_not_open_the_mailed_links_page(client, db):
    """The page after registering is seen by whoever typed the address: its token must not
    show answers on record."""
    person = factories.user(password=None)
    demographics.save_answers(person, ANSWERS, by=person)
    db.session.commit()

    response = client.get(f"/inclusion/your-answers/{demographics.answer_link_token(person)}")

    assert response.status_code == 302
    assert "Two-Spirit" not in page(client.get(response.headers["Location"]))


def test_the_page_after_registering_offers_the_questions(client, db, registration_hackathon):
    registration = register(registration_hackathon)
    db.session.commit()
    token = registrations.link_token(registration)

    shown = page(client.get(f"/registration/mine/{token}"))

    assert "Tell us about yourself (optional)" in shown
    assert "/inclusion/about-you/" in shown


def test_changing_one_answer_leaves_the_questions_skipped_before_skipped(client, db, login_as):
    """Answers on record with questions skipped: a form that posts nothing for those (as a
    browser does for a radio group with no button checked) is accepted, not refused as "Not
    a valid choice"."""
    person = login_as("founder")
    demographics.save_answers(person, AnswersInput(gender="woman"), by=person)
    db.session.commit()

    changed = client.post("/inclusion/about-you", data={"gender": "man"})

    assert changed.status_code == 302, page(changed)
    row = reloaded_or_none(DemographicAnswers, person.id)
    assert row is not None
    assert (row.gender, row.age_band, row.immigrant_history) == ("man", None, None)


def test_the_database_keeps_own_words_to_the_answer_that_asks_for_them(db):
    person = factories.user()

    db.session.add(
        DemographicAnswers(user_id=person.id, gender="woman", gender_self_described="Other")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    assert count(DemographicAnswers) == 0
