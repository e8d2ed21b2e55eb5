"""The pipeline board: columns by stage, risk, filters, the sortable table, CSV, access and
a constant number of queries for the board and the venture timeline."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from incubator import clock
from incubator.models import CheckIn, Milestone, MilestoneStatus, Stage, StageChange
from incubator.services.cohorts import ventures
from incubator.services.pipeline import board as pipeline_board
from incubator.services.pipeline import checkins, milestones, stages
from incubator.vocabulary import NEIGHBOURHOODS
from tests import factories
from tests.helpers import page


def program_today() -> date:
    """Today on the program's calendar, as the pages count it."""
    return clock.today()


def founder_of(venture, *, by, name=None):
    """A founder with a password, on the venture's team."""
    founder = factories.user("founder", name=name)
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=by)
    return founder


def check_in(venture, founder, week_start: date, today: date, **kpis):
    checkins.save_check_in(
        venture,
        checkins.CheckInInput(week_start=week_start, summary="A good week", **kpis),
        by=founder,
        today=today,
    )


def make_overdue(venture, today: date) -> None:
    """Move the due date of the venture's first milestone into the past."""
    milestone = milestones.venture_milestones(venture)[0]
    milestone.due_on = today - timedelta(days=3)


def column(html: str, stage: str) -> str:
    """The markup of one stage's column on the board."""
    start = html.index(f'id="stage-{stage}"')
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def cohort_with_ventures(db):
    """Four ventures at three stages: one overdue, one checked in, one quiet, one in Watts."""
    today = program_today()
    manager = factories.user("manager")
    cohort = factories.cohort("Spring 2025", by=manager)
    leakmap = factories.venture(cohort, "LeakMap", by=manager)
    busbuddy = factories.venture(
        cohort,
        "BusBuddy",
        challenge_area="Transportation and mobility",
        neighbourhoods=["Watts", "Downtown"],
        by=manager,
    )
    welcome = factories.venture(
        cohort, "WelcomeLA", challenge_area="New-immigrant integration", by=manager
    )
    shade = factories.venture(cohort, "ShadeMap", by=manager)
    stages.move_stage(busbuddy, "pilot", "Pilot signed", by=manager)
    stages.move_stage(welcome, "prototype", "", by=manager)
    make_overdue(leakmap, today)
    founder = founder_of(busbuddy, by=manager, name="Bo Founder")
    check_in(busbuddy, founder, clock.week_start(today) - timedelta(days=7), today)
    db.session.commit()
    return {
        "manager": manager,
        "cohort": cohort,
        "leakmap": leakmap,
        "busbuddy": busbuddy,
        "welcome": welcome,
        "shade": shade,
        "today": today,
    }


# The service -------------------------------------------------------------------------------------


def test_board_puts_ventures_in_columns_by_stage_with_their_numbers(cohort_with_ventures):
    data = cohort_with_ventures
    today = data["today"]

    found = pipeline_board.board(data["cohort"], today)

    by_stage = {col.stage: [row.venture.name for row in col.rows] for col in found.columns}
    assert by_stage == {
        Stage.CONCEPT: ["LeakMap", "ShadeMap"],
        Stage.PROTOTYPE: ["WelcomeLA"],
        Stage.PILOT: ["BusBuddy"],
        Stage.LAUNCH: [],
        Stage.ADOPTION: [],
    }
    rows = {row.venture.name: row for row in found.rows}
    assert [reason.code for reason in rows["LeakMap"].risk] == ["overdue_milestone"]
    assert rows["LeakMap"].at_risk
    assert not rows["BusBuddy"].at_risk
    assert (
        rows["BusBuddy"].check_in_age
        == (today - (clock.week_start(today) - timedelta(days=7))).days
    )
    assert rows["BusBuddy"].members == ("Bo Founder",)
    assert rows["BusBuddy"].neighbourhoods == ("Downtown", "Watts")
    assert rows["ShadeMap"].check_in_age is None
    # Entering concept gives two exit milestones, entering pilot two more.
    assert (rows["LeakMap"].milestones_done, rows["LeakMap"].milestones_total) == (0, 2)
    assert rows["BusBuddy"].milestones_total == 4
    assert found.total == 4
    assert found.at_risk_count == 1
    assert found.ignored == []


def test_board_counts_done_milestones_and_leaves_archived_ventures_out(db, cohort_with_ventures):
    data = cohort_with_ventures
    milestone = milestones.venture_milestones(data["shade"])[1]
    milestones.complete_milestone(milestone, None, "Signed off", by=data["manager"])
    ventures.archive_venture(data["welcome"], "Team left", by=data["manager"])

    found = pipeline_board.board(data["cohort"], data["today"])

    rows = {row.venture.name: row for row in found.rows}
    assert (rows["ShadeMap"].milestones_done, rows["ShadeMap"].milestones_total) == (1, 2)
    assert "WelcomeLA" not in rows
    assert found.total == 3


def test_board_filters_by_area_neighbourhood_stage_and_risk(cohort_with_ventures):
    data = cohort_with_ventures
    cohort, today = data["cohort"], data["today"]

    def names(**filters) -> list[str]:
        found = pipeline_board.board(cohort, today, view="table", **filters)
        return [row.venture.name for row in found.rows]

    assert names(challenge_area="Transportation and mobility") == ["BusBuddy"]
    assert names(neighbourhood="Watts") == ["BusBuddy"]
    assert names(neighbourhood="Venice") == []
    assert names(at_risk=True) == ["LeakMap"]
    assert names(at_risk=False) == ["BusBuddy", "ShadeMap", "WelcomeLA"]
    assert names(stage="prototype") == ["WelcomeLA"]
    assert names(challenge_area="Water and drought", at_risk=False) == ["ShadeMap"]
    assert names(search="  MAP ") == ["LeakMap", "ShadeMap"]
    assert names(search="%") == []
    assert names(search="map", at_risk=False, stage="concept") == ["ShadeMap"]
    filtered = pipeline_board.board(cohort, today, neighbourhood="Watts")
    assert filtered.filtered
    assert filtered.total == 4


def test_board_ignores_filters_it_does_not_know_and_says_so(cohort_with_ventures):
    data = cohort_with_ventures

    found = pipeline_board.board(
        data["cohort"],
        data["today"],
        challenge_area="Moon mining",
        neighbourhood="Atlantis",
        stage="orbit",
        sort="colour",
    )

    assert len(found.rows) == 4
    assert not found.filtered
    assert found.sort == "name"
    assert found.ignored == [
        "There is no challenge area called 'Moon mining'.",
        "There is no neighbourhood called 'Atlantis'.",
        "There is no stage called 'orbit'.",
        "The table cannot be sorted by 'colour'; it is sorted by name.",
    ]


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        (None, False, ["BusBuddy", "LeakMap", "ShadeMap", "WelcomeLA"]),
        ("name", True, ["WelcomeLA", "ShadeMap", "LeakMap", "BusBuddy"]),
        ("stage", False, ["LeakMap", "ShadeMap", "WelcomeLA", "BusBuddy"]),
        ("stage", True, ["BusBuddy", "WelcomeLA", "LeakMap", "ShadeMap"]),
        ("risk", True, ["LeakMap", "BusBuddy", "ShadeMap", "WelcomeLA"]),
        # Never checked in counts as the oldest check-in.
        ("check_in", False, ["BusBuddy", "LeakMap", "ShadeMap", "WelcomeLA"]),
        ("check_in", True, ["LeakMap", "ShadeMap", "WelcomeLA", "BusBuddy"]),
        ("challenge_area", False, ["WelcomeLA", "BusBuddy", "LeakMap", "ShadeMap"]),
    ],
)
def test_board_sorts_by_any_column_with_names_breaking_ties(
    cohort_with_ventures, sort, descending, expected
):
    data = cohort_with_ventures

    found = pipeline_board.board(
        data["cohort"], data["today"], sort=sort, descending=descending, view="table"
    )

    assert [row.venture.name for row in found.rows] == expected


def test_board_sorts_by_share_of_milestones_done(db, cohort_with_ventures):
    data = cohort_with_ventures
    for milestone in milestones.venture_milestones(data["shade"]):
        milestones.complete_milestone(milestone, None, "Done", by=data["manager"])
    first = milestones.venture_milestones(data["busbuddy"])[0]
    milestones.complete_milestone(first, None, "Done", by=data["manager"])

    found = pipeline_board.board(
        data["cohort"], data["today"], sort="milestones", descending=True, view="table"
    )

    assert [row.venture.name for row in found.rows] == [
        "ShadeMap",  # 2 of 2
        "BusBuddy",  # 1 of 4
        "LeakMap",  # 0 of 2
        "WelcomeLA",  # 0 of 4
    ]


def test_csv_lists_the_board_rows_and_escapes_formulas(db, cohort_with_ventures):
    data = cohort_with_ventures
    manager = data["manager"]
    sneaky = factories.venture(data["cohort"], '=HYPERLINK("http://evil")', by=manager)
    ventures.add_member(sneaky, "mallory@example.org", "-Mallory", "CEO", by=manager)
    ventures.add_member(sneaky, "trudy@example.org", "@Trudy", "CTO", by=manager)
    factories.venture(data["cohort"], "+Plus", by=manager)

    text = "".join(pipeline_board.csv_lines(pipeline_board.board(data["cohort"], data["today"])))

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == pipeline_board.CSV_COLUMNS
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {
        "'+Plus",
        '\'=HYPERLINK("http://evil")',
        "BusBuddy",
        "LeakMap",
        "ShadeMap",
        "WelcomeLA",
    }
    assert by_name['\'=HYPERLINK("http://evil")'][7] == "'-Mallory; @Trudy"
    assert by_name["LeakMap"][1:4] == ["Concept", "yes", "1 overdue milestone"]
    assert by_name["BusBuddy"][1:3] == ["Pilot", "no"]
    assert by_name["BusBuddy"][5:10] == [
        "0",
        "4",
        "Bo Founder",
        "Transportation and mobility",
        "Downtown; Watts",
    ]
    assert by_name["ShadeMap"][4] == ""
    for row in rows[1:]:
        assert not row[0].startswith(("=", "+", "-", "@"))
        assert not row[7].startswith(("=", "+", "-", "@"))


# The pages ---------------------------------------------------------------------------------------


def test_board_page_shows_columns_badges_and_links_to_timelines(
    client, login_as, cohort_with_ventures
):
    data = cohort_with_ventures
    login_as("manager")

    response = client.get(f"/pipeline/cohorts/{data['cohort'].id}")

    assert response.status_code == 200
    html = page(response)
    assert "LeakMap" in column(html, "concept")
    assert "ShadeMap" in column(html, "concept")
    assert "BusBuddy" in column(html, "pilot")
    assert "WelcomeLA" in column(html, "prototype")
    assert "No ventures at this stage." in column(html, "launch")
    assert "1 overdue milestone" in column(html, "concept")
    assert "No check-in yet" in column(html, "concept")
    assert "0/4 milestones done" in column(html, "pilot")
    assert "Bo Founder" in column(html, "pilot")
    assert "4 ventures · 1 at risk" in html
    for venture in ("leakmap", "busbuddy", "welcome", "shade"):
        assert f'href="/ventures/{data[venture].id}/timeline"' in html
    assert "<script>" not in html
    assert "style=" not in html


def test_board_table_sorts_and_keeps_the_filters_in_its_links(
    client, login_as, cohort_with_ventures
):
    data = cohort_with_ventures
    login_as("manager")
    url = f"/pipeline/cohorts/{data['cohort'].id}"

    response = client.get(url, query_string={"view": "table", "sort": "stage", "order": "desc"})

    html = page(response)
    assert response.status_code == 200
    names = re.findall(r'href="/ventures/\d+/timeline">([^<]+)</a>', html)
    assert names == ["BusBuddy", "WelcomeLA", "LeakMap", "ShadeMap"]
    assert 'aria-sort="descending"' in html
    filtered = page(client.get(url, query_string={"view": "table", "area": "Water and drought"}))
    assert "area=Water+and+drought" in filtered
    assert re.findall(r'href="/ventures/\d+/timeline">([^<]+)</a>', filtered) == [
        "LeakMap",
        "ShadeMap",
    ]
    assert "2 of 4 ventures match the filters" in filtered


@pytest.mark.parametrize("view", ["columns", "table"])
def test_the_vocabulary_on_the_board_follows_the_language_of_each_request(
    client, login_as, cohort_with_ventures, view
):
    """The challenge areas and neighbourhoods are kept per catalogue, not per process."""
    login_as("manager")
    url = f"/pipeline/cohorts/{cohort_with_ventures['cohort'].id}"
    spanish = {"Accept-Language": "es-MX,es;q=0.9"}
    english = {"Accept-Language": "en-US,en;q=0.9"}

    first = page(client.get(url, query_string={"view": view}, headers=english))
    second = page(client.get(url, query_string={"view": view}, headers=spanish))
    third = page(client.get(url, query_string={"view": view}, headers=english))

    # The words shown, not the values the links and the form send.
    assert ">Transporte y movilidad<" in second
    assert ">Transportation and mobility<" not in second
    assert ">Toda la ciudad<" in second
    for english_page in (first, third):
        assert ">Transportation and mobility<" in english_page
        assert ">Citywide<" in english_page
        assert ">Transporte y movilidad<" not in english_page


@pytest.mark.parametrize("view", ["columns", "table"])
def test_bogus_filter_values_show_the_whole_board_with_a_message(
    client, login_as, cohort_with_ventures, view
):
    data = cohort_with_ventures
    login_as("manager")

    response = client.get(
        f"/pipeline/cohorts/{data['cohort'].id}",
        query_string={
            "view": view,
            "area": "Moon mining",
            "neighbourhood": "<b>Atlantis</b>",
            "stage": "orbit",
            "at_risk": "maybe",
            "sort": "colour",
            "order": "sideways",
        },
    )

    assert response.status_code == 200
    html = page(response)
    assert "were not understood and are ignored" in html
    assert "There is no challenge area called 'Moon mining'." in html
    assert "There is no stage called 'orbit'." in html
    assert "“At risk” is yes or no, not 'maybe'." in html
    assert "<b>Atlantis</b>" not in response.get_data(as_text=True)
    for name in ("LeakMap", "BusBuddy", "WelcomeLA", "ShadeMap"):
        assert name in html


def test_board_says_what_to_do_when_empty_or_when_nothing_matches(
    db, client, login_as, cohort_with_ventures
):
    manager = login_as("manager")
    empty = factories.cohort("Autumn 2025", by=manager)
    data = cohort_with_ventures

    nothing = page(client.get(f"/pipeline/cohorts/{empty.id}"))
    unmatched = page(client.get(f"/pipeline/cohorts/{data['cohort'].id}?neighbourhood=Venice"))

    assert "No ventures in this cohort yet" in nothing
    assert f"/cohorts/{empty.id}/ventures/new" in nothing
    assert "No ventures match these filters" in unmatched
    assert "Clear the filters" in unmatched


def test_board_of_an_unknown_cohort_is_404(client, login_as):
    login_as("manager")

    for url in ("/pipeline/cohorts/999", "/pipeline/cohorts/999/board.csv"):
        assert client.get(url).status_code == 404


def test_csv_download_follows_the_filters_and_sort(client, login_as, cohort_with_ventures):
    data = cohort_with_ventures
    login_as("manager")

    response = client.get(
        f"/pipeline/cohorts/{data['cohort'].id}/board.csv",
        query_string={"area": "Water and drought", "sort": "name", "order": "desc"},
    )

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="spring-2025-pipeline.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == ["ShadeMap", "LeakMap"]


def test_cohort_page_links_to_the_board_analytics_and_stage_plan(
    client, login_as, cohort_with_ventures
):
    cohort = cohort_with_ventures["cohort"]
    login_as("manager")

    html = page(client.get(f"/cohorts/{cohort.id}"))

    assert f'href="/pipeline/cohorts/{cohort.id}"' in html
    assert f'href="/pipeline/cohorts/{cohort.id}/analytics"' in html
    assert f'href="/pipeline/cohorts/{cohort.id}/plan"' in html


@pytest.mark.parametrize("role", ["founder", "mentor", "funder", "judge", "partner"])
def test_only_managers_see_the_board_and_its_export(client, login_as, cohort_with_ventures, role):
    cohort = cohort_with_ventures["cohort"]
    user = login_as(role)
    if role == "founder":
        ventures.add_member(
            cohort_with_ventures["busbuddy"],
            user.email,
            user.name,
            "CEO",
            by=cohort_with_ventures["manager"],
        )

    for url in (
        f"/pipeline/cohorts/{cohort.id}",
        f"/pipeline/cohorts/{cohort.id}?view=table",
        f"/pipeline/cohorts/{cohort.id}/board.csv",
    ):
        assert client.get(url).status_code == 403, url


# Queries -----------------------------------------------------------------------------------------


def test_board_and_timeline_run_the_same_queries_for_10_or_500_ventures(
    db, client, login_as, page_queries, count_queries
):
    manager = login_as("manager")
    today = program_today()
    cohort = factories.cohort("Big cohort", capacity=500, by=manager)
    watched = factories.bulk_ventures(cohort, 10, today=today, manager=manager)[6]
    db.session.commit()
    board = f"/pipeline/cohorts/{cohort.id}"
    urls = [
        board,
        f"{board}?view=table",
        f"{board}?view=table&sort=risk&order=desc",
        f"{board}?view=table&neighbourhood={NEIGHBOURHOODS[0]}&at_risk=yes&q=bulk",
        f"{board}?view=table&sort=milestones",
        f"{board}?view=table&sort=check_in&order=desc",
        f"{board}?stage=concept&at_risk=yes",
        f"{board}/board.csv",
        f"/ventures/{watched.id}/timeline",
    ]
    page_queries(urls)  # warm up: first-request work is not the page's

    few = page_queries(urls)
    factories.bulk_ventures(cohort, 490, today=today, manager=manager)
    db.session.commit()
    many = page_queries(urls)

    assert many == few
    # Drawn: the session, the cohort with its stamp, its stage plans, the counts by stage and
    # at risk, the cards or the table's page with their facts, founders and open due dates,
    # and the cohort's outcome totals.
    assert few[board] == few[f"{board}?view=table"] == 6
    # Drawn once per stamp: then the session with the person, the cohort with its stamp.
    for url in urls[:7]:
        client.get(url)
        with count_queries() as counter:
            client.get(url)
        assert counter.count == 2, url
    table = page(client.get(f"{board}?view=table"))
    assert len(re.findall(r'href="/ventures/\d+/timeline"', table)) == pipeline_board.ROWS_PER_PAGE
    assert "500 ventures" in table
    assert 'rel="next"' in table
    columns = page(client.get(board))
    cards = len(re.findall(r'href="/ventures/\d+/timeline"', columns))
    assert cards == len(Stage) * pipeline_board.CARDS_PER_COLUMN
    assert columns.count("Show more: 100 ventures in all") == len(Stage)
    csv_rows = list(
        csv.reader(io.StringIO(client.get(f"{board}/board.csv").get_data(as_text=True)))
    )
    assert len(csv_rows) == 1 + 500


def following(client, url: str, pattern: str) -> tuple[list[str], int]:
    """The venture names on a page and the pages after it, by the link `pattern` finds."""
    names: list[str] = []
    pages = 0
    while url:
        html = client.get(url).get_data(as_text=True)
        pages += 1
        names += re.findall(r'href="/ventures/\d+/timeline">([^<]+)</a>', html)
        found = re.search(pattern, html)
        url = found.group(1).replace("&amp;", "&") if found else ""
    return names, pages


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", "asc"),
        ("name", "desc"),
        ("stage", "desc"),
        ("risk", "desc"),
        ("check_in", "asc"),
        ("milestones", "desc"),
        ("challenge_area", "asc"),
    ],
)
def test_the_table_pages_through_every_venture_once_in_its_order(
    db, client, login_as, monkeypatch, sort, order
):
    manager = login_as("manager")
    today = program_today()
    cohort = factories.cohort("Paged cohort", by=manager)
    factories.bulk_ventures(cohort, 23, today=today, manager=manager)
    db.session.commit()
    monkeypatch.setattr(pipeline_board, "ROWS_PER_PAGE", 4)
    whole = pipeline_board.board(cohort, today, sort=sort, descending=order == "desc", view="table")
    monkeypatch.setattr(pipeline_board, "ROWS_PER_PAGE", 100)
    expected = [
        row.venture.name
        for row in pipeline_board.board(
            cohort, today, sort=sort, descending=order == "desc", view="table"
        ).rows
    ]
    monkeypatch.setattr(pipeline_board, "ROWS_PER_PAGE", 4)

    names, pages = following(
        client,
        f"/pipeline/cohorts/{cohort.id}?view=table&sort={sort}&order={order}",
        r'<a rel="next" href="([^"]+)"',
    )

    assert len(whole.rows) == 4
    assert names == expected
    assert len(names) == 23
    assert pages == 6


def test_show_more_walks_a_column_to_its_end(db, client, login_as, monkeypatch):
    manager = login_as("manager")
    today = program_today()
    cohort = factories.cohort("Paged cohort", by=manager)
    built = factories.bulk_ventures(cohort, 36, today=today, manager=manager)
    db.session.commit()
    monkeypatch.setattr(pipeline_board, "CARDS_PER_COLUMN", 3)
    concept = sorted(
        (venture.name for venture in built if venture.stage == "concept"), key=str.casefold
    )

    first = page(client.get(f"/pipeline/cohorts/{cohort.id}"))
    assert len(re.findall(r'href="/ventures/\d+/timeline"', first)) == 15
    more = re.search(r'href="([^"]+)">Show more: 8 ventures in all', column(first, "concept"))
    assert more is not None
    names, pages = following(
        client, more.group(1).replace("&amp;", "&"), r'href="([^"]+)">Show more: 8 ventures'
    )

    assert concept[:3] + names == concept
    assert pages == 2


def add_history(db, venture, *, manager, author, first: int, last: int, today: date) -> None:
    """Stage changes, milestones (every other one verified) and check-ins numbered first..last."""
    start = datetime.combine(today - timedelta(days=800), time(17), UTC)
    rows = []
    for number in range(first, last):
        stages = ("concept", "prototype") if number % 2 else ("prototype", "concept")
        at = start + timedelta(days=number)
        rows.append(
            StageChange(
                venture_id=venture.id,
                from_stage=stages[0],
                to_stage=stages[1],
                changed_by_id=manager.id,
                changed_at=at,
                reason=f"Move {number}",
            )
        )
        verified = number % 2 == 0
        rows.append(
            Milestone(
                venture_id=venture.id,
                title=f"Milestone {number}",
                stage="concept",
                due_on=today + timedelta(days=30),
                status=MilestoneStatus.VERIFIED if verified else MilestoneStatus.PLANNED,
                completed_at=at if verified else None,
                verified_at=at if verified else None,
                verified_by_id=manager.id if verified else None,
                created_at=at,
            )
        )
        rows.append(
            CheckIn(
                venture_id=venture.id,
                week_start=clock.week_start(today) - timedelta(weeks=number),
                author_id=author.id,
                summary=f"Week {number}",
                confidence=4,
                created_at=at,
            )
        )
    db.session.add_all(rows)
    db.session.flush()


# What the timeline runs for a manager or one of the venture's founders: the login session
# with its person and their roles, the venture with its cohort, team and stage plan, and its
# whole history in one statement.
TIMELINE_QUERIES = 3


@pytest.mark.parametrize("viewer", ["manager", "founder"])
def test_timeline_runs_three_queries_for_2_or_100_entries_of_each_kind(
    db, client, login_as, sign_in, count_queries, viewer
):
    manager = factories.user("manager")
    today = program_today()
    cohort = factories.cohort(by=manager)
    (venture,) = factories.bulk_ventures(cohort, 1, today=today, milestones=0, check_ins=0)
    db.session.execute(StageChange.__table__.delete().where(StageChange.venture_id == venture.id))
    author = factories.founder_of(venture)
    add_history(db, venture, manager=manager, author=author, first=0, last=2, today=today)
    db.session.commit()
    if viewer == "manager":
        login_as("manager")
    else:
        assert sign_in(client, author.email).status_code == 302
    url = f"/ventures/{venture.id}/timeline"
    client.get(url)  # warm up

    with count_queries() as few:
        small = client.get(url)
    add_history(db, venture, manager=manager, author=author, first=2, last=100, today=today)
    db.session.commit()
    with count_queries() as many:
        large = client.get(url)

    assert small.status_code == large.status_code == 200
    assert page(small).count("Milestone verified:") == 1
    assert page(large).count("Milestone verified:") == 50
    assert page(large).count("Check-in for the week of") == 100
    assert page(large).count("Moved from") == 100
    assert len(db.session.scalars(select(StageChange.id)).all()) == 100
    assert few.count == many.count == TIMELINE_QUERIES, "\n".join(many.statements)


def test_the_timeline_is_not_shown_to_a_founder_of_another_venture(db, client, sign_in):
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    mine, theirs = (factories.venture(cohort, name, by=manager) for name in ("Mine", "Theirs"))
    founder = factories.founder_of(mine)
    db.session.commit()
    sign_in(client, founder.email)

    assert client.get(f"/ventures/{mine.id}/timeline").status_code == 200
    assert client.get(f"/ventures/{theirs.id}/timeline").status_code == 404
    assert client.get("/ventures/999999/timeline").status_code == 404
