"""The judging results page is drawn once per hackathon stamp, language and query string, and
kept by the worker: every write to something the page shows gives the hackathon a new stamp
(database triggers, migration 0020_judging), so the next request draws it again and shows the
change at once, and the page kept is the page a fresh drawing gives."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from incubator.models import Hackathon, JudgingStamp, Placement, Score, Submission
from incubator.services.accounts import users
from incubator.services.hackathons import hackathons, judging, results, stamps
from tests import factories
from tests.helpers import page, without_csrf_tokens

# The session with the person, the hackathon, its stamp: the results from the worker's memory.
KEPT_QUERIES = 3


@pytest.fixture
def data(db):
    """Three submissions (Alpha on the Clean Air challenge) scored on two criteria by Ana
    and Ben; Delta, assigned to Ana alone, not scored yet."""
    hackathon = factories.judging_hackathon()
    impact = factories.rubric_criterion(hackathon, "Impact", 2, 1, 5)
    design = factories.rubric_criterion(hackathon, "Design", 1, 0, 10)
    air = factories.challenge(hackathon, "Clean Air")
    alpha = factories.judging_submission(hackathon, "Alpha", challenge_id=air.id)
    bravo = factories.judging_submission(hackathon, "Bravo")
    charlie = factories.judging_submission(hackathon, "Charlie")
    delta = factories.judging_submission(hackathon, "Delta")
    ana = factories.user("judge", name="Ana Judge")
    ben = factories.user("judge", name="Ben Judge")
    factories.judge_assignment(ana, alpha, bravo, charlie, delta)
    factories.judge_assignment(ben, alpha, bravo, charlie)
    given = {alpha: (5, 2), bravo: (2, 9), charlie: (3, 5)}
    for judge in (ana, ben):
        for submission, (first, second) in given.items():
            judging.submit_scores(judge, submission, {impact.id: first, design.id: second})
    db.session.commit()
    return {
        "db": db,
        "hackathon": hackathon,
        "impact": impact,
        "design": design,
        "air": air,
        "alpha": alpha,
        "bravo": bravo,
        "charlie": charlie,
        "delta": delta,
        "ana": ana,
        "ben": ben,
        "url": f"/judging/hackathons/{hackathon.id}/results",
    }


def _score_given(data):
    values = {data["impact"].id: 4, data["design"].id: 7}
    judging.submit_scores(data["ana"], data["delta"], values, {data["impact"].id: "Fresh look"})
    return "Fresh look"


def _score_changed(data):
    values = {data["impact"].id: 1, data["design"].id: 2}
    judging.submit_scores(data["ben"], data["alpha"], values)
    return None


def _scores_swapped(data):
    """Every count, sum and total the same as before: only the values moved."""
    impact, design = data["impact"].id, data["design"].id
    judging.submit_scores(data["ana"], data["alpha"], {impact: 2, design: 9})
    judging.submit_scores(data["ana"], data["bravo"], {impact: 5, design: 2})
    return None


def _score_deleted(data):
    db = data["db"]
    db.session.delete(
        db.session.scalars(
            select(Score).where(
                Score.judge_id == data["ben"].id,
                Score.submission_id == data["charlie"].id,
                Score.criterion_id == data["design"].id,
            )
        ).one()
    )
    return None


def _judge_assigned(data):
    factories.judge_assignment(factories.user("judge", name="Cleo Judge"), data["alpha"])
    return "Cleo Judge"


def _judge_taken_off(data):
    judging.unassign_judge(data["ben"], data["alpha"], by=None, force=True)
    return None


def _judge_replaced(data):
    """The latest assignment deleted and another inserted: SQLite gives it the same id."""
    judging.unassign_judge(data["ben"], data["charlie"], by=None, force=True)
    data["db"].session.flush()
    factories.judge_assignment(factories.user("judge", name="Cleo Judge"), data["charlie"])
    return "Cleo Judge"


def _judge_account_removed(data):
    """Their assignments and scores go with them (ON DELETE CASCADE)."""
    data["db"].session.delete(data["ben"])
    return None


def _submission_withdrawn(data):
    data["bravo"].status = "draft"
    return None


def _submission_retitled(data):
    alpha = data["alpha"]
    hackathons.update_submission(
        alpha,
        hackathons.SubmissionInput(
            team_name="Team Alpha",
            title="Alpha Prime",
            tagline="",
            description="",
            challenge_id=alpha.challenge_id,
            demo_url=None,
            repository_url=None,
            video_url=None,
            members=[],
        ),
        by=data["ana"],
    )
    return "Alpha Prime"


def _placement_set(data):
    results.set_placement(data["alpha"], Placement.WINNER, by=None)
    return 'selected value="winner"'


def _criterion_weight(data):
    judging.update_criterion(data["impact"], "Impact", 4, 1, 5, by=None)
    return "weight 4"


def _criterion_scale(data):
    """A criterion nobody has scored yet may change its scale."""
    pitch = factories.rubric_criterion(data["hackathon"], "Pitch", 1, 1, 5)
    data["db"].session.commit()
    judging.update_criterion(pitch, "Pitch", 1, 0, 3, by=None)
    return "(0\N{EN DASH}3, weight 1)"


def _criterion_added(data):
    """Every score so far lacks a value for it: none is complete any longer."""
    factories.rubric_criterion(data["hackathon"], "Pitch", 1, 1, 5)
    return "Pitch"


def _judge_renamed(data):
    ana = data["ana"]
    users.update_profile(ana, name="Ana María Judge", time_zone=ana.time_zone)
    return "Ana María Judge"


def _challenge_retitled(data):
    air = data["air"]
    hackathons.update_challenge(
        air,
        hackathons.ChallengeInput(
            title="Cleaner Air",
            problem_statement=air.problem_statement,
            challenge_area=air.challenge_area,
            organisation_id=None,
            dataset_links="",
        ),
        by=data["ana"],
    )
    return "Cleaner Air"


CHANGES = [
    _score_given,
    _score_changed,
    _scores_swapped,
    _score_deleted,
    _judge_assigned,
    _judge_taken_off,
    _judge_replaced,
    _judge_account_removed,
    _submission_withdrawn,
    _submission_retitled,
    _placement_set,
    _criterion_weight,
    _criterion_scale,
    _criterion_added,
    _judge_renamed,
    _challenge_retitled,
]


def drawn_afresh(client, url: str) -> str:
    """The page as a worker that keeps nothing draws it."""
    stamps.forget()
    return without_csrf_tokens(page(client.get(url)))


@pytest.mark.parametrize("normalise", ["", "?normalise=1"])
@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__[1:] for change in CHANGES])
def test_a_change_the_results_show_is_on_the_page_at_the_next_request(
    db, client, login_as, count_queries, data, change, normalise
):
    login_as("manager")
    url = data["url"] + normalise
    client.get("/")  # the welcome message shown
    before = without_csrf_tokens(page(client.get(url)))
    with count_queries() as counter:
        again = without_csrf_tokens(page(client.get(url)))
    assert counter.count == KEPT_QUERIES
    assert again == before

    shown = change(data)
    db.session.commit()
    with count_queries() as counter:
        after = without_csrf_tokens(page(client.get(url)))

    assert counter.count > KEPT_QUERIES
    assert after != before
    if shown is not None:
        assert shown in after and shown not in before
    assert after == drawn_afresh(client, url)


def test_the_kept_page_is_the_page_a_fresh_tally_draws(db, client, login_as, data):
    login_as("manager")
    client.get("/")
    for url in (data["url"], data["url"] + "?normalise=1"):
        kept = without_csrf_tokens(page(client.get(url)))
        assert kept == without_csrf_tokens(page(client.get(url)))
        assert kept == drawn_afresh(client, url)
    raw, normalised = (
        without_csrf_tokens(page(client.get(data["url"] + argument)))
        for argument in ("", "?normalise=1")
    )
    assert "Ranked by raw score" in raw and "Ranked by normalised score" in normalised


def test_every_placement_form_carries_a_working_token_of_its_own_response(
    db, client, login_as, data
):
    login_as("manager")
    first, second = (page(client.get(data["url"])) for _ in range(2))
    tokens = [
        value
        for body in (first, second)
        for value in set(re.findall(r'name="csrf_token" value="([^"]+)"', body))
    ]
    assert "<!--csrf-token-->" not in first + second and all(tokens)
    assert len(tokens) == len(set(tokens))  # masked afresh: no response repeats another's

    token = re.findall(r'name="csrf_token" value="([^"]+)"', second)[-1]
    response = client.post(
        f"/judging/submissions/{data['bravo'].id}/placement",
        data={"csrf_token": token, "placement": "winner", "normalise": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, data["bravo"].id).placement == "winner"
    assert 'selected value="winner"' in page(client.get(data["url"]))


def test_each_language_has_its_own_kept_results(app, db, client, login_as, data):
    login_as("manager")
    english = page(client.get(data["url"]))
    other = app.test_client()
    login_as("manager", preferred_language="es", on=other)
    spanish = page(other.get(data["url"]))
    english_again = page(client.get(data["url"]))

    assert "Raw scores" in english and "Raw scores" not in spanish
    assert "Raw scores" in english_again
    assert "Puntuaciones" in spanish or "puntuaciones" in spanish


def test_nothing_personal_is_kept(db, client, login_as, data):
    manager = login_as("manager", name="Marisol Manager")
    html = page(client.get(data["url"]))
    content = html[html.index('<div class="d-flex flex-wrap justify-content-between') :]
    content = content[: content.index("</main>")]

    assert manager.name in html and manager.name not in content


def test_the_kept_results_run_fewer_queries_and_the_drawn_ones_as_many_at_any_size(
    db, client, login_as, count_queries, page_queries
):
    login_as("manager")
    small, large = factories.judging_hackathon(), factories.judging_hackathon()
    for hackathon, size in ((small, 2), (large, 12)):
        criterion = factories.rubric_criterion(hackathon, "Overall", 1, 0, 10)
        panel = [factories.user("judge") for _ in range(3)]
        made = [factories.judging_submission(hackathon) for _ in range(size)]
        for judge in panel:
            factories.judge_assignment(judge, *made)
            for number, submission in enumerate(made):
                judging.submit_scores(judge, submission, {criterion.id: number % 11})
    db.session.commit()
    urls = [f"/judging/hackathons/{hackathon.id}/results" for hackathon in (small, large)]
    page_queries(urls)  # warm up

    drawn = page_queries(urls)
    with count_queries() as counter:
        client.get(urls[1])

    assert drawn[urls[0]] == drawn[urls[1]]
    assert counter.count == KEPT_QUERIES < drawn[urls[1]]


def test_a_transaction_that_changed_the_results_keeps_nothing_it_draws(db, data):
    hackathon = data["hackathon"]
    before = stamps.reading(hackathon).key
    values = {data["impact"].id: 1, data["design"].id: 1}

    judging.submit_scores(data["ana"], data["delta"], values)
    during = stamps.reading(hackathon).key
    judging.submit_scores(data["ana"], data["alpha"], values)
    later = stamps.reading(hackathon).key
    db.session.commit()
    after = stamps.reading(hackathon).key

    assert before is not None and after is not None
    assert after != before
    if db.session.get_bind().dialect.name == "postgresql":
        # The stamp is written once per transaction: the transaction reads no key at all.
        assert during is None and later is None
    else:
        # SQLite writes a new stamp with every write.
        assert len({before, during, later}) == 3 and after == later


def test_a_new_hackathon_on_a_deleted_ones_id_has_a_stamp_of_its_own(db, data):
    hackathon = data["hackathon"]
    old = stamps.reading(hackathon).key
    identity = hackathon.id
    # As the database deletes it: its rubric, submissions, scores and challenges with it.
    db.session.execute(delete(Hackathon).where(Hackathon.id == identity))
    db.session.commit()

    again = factories.judging_hackathon(id=identity)
    db.session.commit()

    assert again.id == identity
    assert stamps.reading(again).key not in (None, old)


def test_a_renamed_person_who_judges_nothing_leaves_the_stamps_as_they_were(db, data):
    hackathon = data["hackathon"]
    before = stamps.reading(hackathon).key
    bystander = factories.user("manager")
    db.session.commit()

    users.update_profile(bystander, name="Someone Else", time_zone=bystander.time_zone)
    db.session.commit()

    assert stamps.reading(hackathon).key == before


def test_a_page_of_a_hackathon_without_a_stamp_is_drawn_every_time(
    db, client, login_as, count_queries, data
):
    db.session.execute(
        JudgingStamp.__table__.delete().where(JudgingStamp.hackathon_id == data["hackathon"].id)
    )
    db.session.commit()
    login_as("manager")
    client.get("/")
    first = page(client.get(data["url"]))
    with count_queries() as counter:
        second = page(client.get(data["url"]))

    assert counter.count > KEPT_QUERIES
    assert without_csrf_tokens(first) == without_csrf_tokens(second)


def test_the_export_ranks_by_the_kept_tally_and_shows_a_change_at_the_next_request(
    db, client, login_as, data
):
    login_as("manager")
    url = f"/judging/hackathons/{data['hackathon'].id}/results.csv"
    before = client.get(url).get_data(as_text=True)
    assert client.get(url).get_data(as_text=True) == before

    values = {data["impact"].id: 5, data["design"].id: 10}
    judging.submit_scores(data["ana"], data["delta"], values)
    db.session.commit()
    after = client.get(url).get_data(as_text=True)

    assert after != before
    assert after.splitlines()[1].split(",")[2] == "Delta"  # ranked first now
    stamps.forget()
    assert client.get(url).get_data(as_text=True) == after


def test_the_other_ranking_after_a_change_reuses_the_scores_already_added_up(
    db, client, login_as, count_queries, data
):
    login_as("manager")
    client.get("/")
    normalised_url = data["url"] + "?normalise=1"
    with count_queries() as raw:
        client.get(data["url"])
    with count_queries() as normalised:
        body = without_csrf_tokens(page(client.get(normalised_url)))

    # The criteria, the judges' points and the submissions are not read again.
    assert normalised.count == raw.count - 3
    assert body == drawn_afresh(client, normalised_url)
