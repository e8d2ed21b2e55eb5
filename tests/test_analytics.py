"""Pipeline analytics from a hand-built stage history, KPI series, the SVG charts and access."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete, insert, select, update

from incubator import clock
from incubator.extensions import db
from incubator.models import PipelineStamp, Stage, StageChange, Venture
from incubator.services.cohorts import ventures
from incubator.services.pipeline import analytics, checkins, facts, stages
from tests import analytics_reference, chart_reading, factories
from tests.helpers import page, without_csrf_tokens

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2025, 5, 20)


def at(month: int, day: int) -> datetime:
    """10 a.m. in Los Angeles on a day of 2025."""
    return datetime(2025, month, day, 17, tzinfo=UTC)


@pytest.fixture
def history(db):
    """Five ventures with a known history in a cohort from Monday Apr 7 to Jun 29, 2025.

    A: concept Apr 7, prototype Apr 17 (10 days), pilot May 7 (20 days).
    B: concept Apr 7, prototype Apr 21 (14 days).
    C: concept Apr 9, prototype Apr 15 (6 days), pilot Apr 29 (14), launch May 13 (14).
    D: concept Apr 8, archived without moving.
    E: concept Apr 7, straight to pilot Apr 21 (14 days).
    """
    manager = factories.user("manager")
    cohort = factories.cohort(
        "Spring 2025", starts_on=date(2025, 4, 7), ends_on=date(2025, 6, 29), by=manager
    )
    a = factories.venture_entered(cohort, "A", at=at(4, 7), by=manager)
    b = factories.venture_entered(cohort, "B", at=at(4, 7), by=manager)
    c = factories.venture_entered(cohort, "C", at=at(4, 9), by=manager)
    d = factories.venture_entered(cohort, "D", at=at(4, 8), by=manager)
    e = factories.venture_entered(cohort, "E", at=at(4, 7), by=manager)
    moves = [
        (a, "prototype", at(4, 17)),
        (c, "prototype", at(4, 15)),
        (b, "prototype", at(4, 21)),
        (e, "pilot", at(4, 21)),
        (c, "pilot", at(4, 29)),
        (a, "pilot", at(5, 7)),
        (c, "launch", at(5, 13)),
    ]
    for venture, stage, when in moves:
        stages.move_stage(venture, stage, "Exit milestones met", by=manager, at=when)
    ventures.archive_venture(d, "The team took jobs", by=manager)
    db.session.commit()
    return {"manager": manager, "cohort": cohort, "a": a, "c": c, "e": e}


def test_counts_by_stage_at_the_end_of_each_week(history):
    found = analytics.cohort_analytics(history["cohort"], TODAY)

    counts = [(week.week_start, [week.counts[stage] for stage in Stage]) for week in found.weeks]
    assert counts == [
        (date(2025, 4, 7), [4, 0, 0, 0, 0]),
        (date(2025, 4, 14), [2, 2, 0, 0, 0]),
        (date(2025, 4, 21), [0, 3, 1, 0, 0]),
        (date(2025, 4, 28), [0, 2, 2, 0, 0]),
        (date(2025, 5, 5), [0, 1, 3, 0, 0]),
        (date(2025, 5, 12), [0, 1, 2, 1, 0]),
        (date(2025, 5, 19), [0, 1, 2, 1, 0]),
    ]
    assert found.until == TODAY
    assert (found.active, found.archived) == (4, 1)


def test_weeks_stop_at_the_cohort_end_and_start_at_its_start(history):
    after = analytics.cohort_analytics(history["cohort"], date(2025, 12, 1))
    before = analytics.cohort_analytics(history["cohort"], date(2025, 3, 1))

    assert after.until == date(2025, 6, 29)
    assert after.weeks[-1].week_start == date(2025, 6, 23)
    assert len(after.weeks) == 12
    assert before.weeks == []


def test_a_move_late_on_sunday_in_los_angeles_counts_in_that_week(db, history):
    manager = history["manager"]
    late = factories.venture_entered(history["cohort"], "Late", at=at(4, 7), by=manager)
    # Sunday Apr 13, 11 p.m. in Los Angeles is already Monday in UTC.
    stages.move_stage(late, "prototype", "", by=manager, at=datetime(2025, 4, 14, 6, tzinfo=UTC))

    found = analytics.cohort_analytics(history["cohort"], TODAY)

    assert found.weeks[0].counts[Stage.PROTOTYPE] == 1


def test_median_days_in_each_stage_from_finished_stays(history):
    found = analytics.cohort_analytics(history["cohort"], TODAY)

    times = {row.stage: (row.median_days, row.stays, row.ventures) for row in found.stage_times}
    assert times == {
        Stage.CONCEPT: (12.0, 4, 4),  # 6, 10, 14, 14; D never left concept
        Stage.PROTOTYPE: (17.0, 2, 2),  # 14 and 20; B is still there
        Stage.PILOT: (14.0, 1, 1),
        Stage.LAUNCH: (None, 0, 0),
        Stage.ADOPTION: (None, 0, 0),
    }


def test_conversion_between_consecutive_stages(history):
    found = analytics.cohort_analytics(history["cohort"], TODAY)

    conversions = [
        (row.from_stage, row.to_stage, row.reached, row.went_on) for row in found.conversions
    ]
    assert conversions == [
        (Stage.CONCEPT, Stage.PROTOTYPE, 5, 4),  # D left at concept
        (Stage.PROTOTYPE, Stage.PILOT, 4, 3),  # E skipped prototype: it passed through
        (Stage.PILOT, Stage.LAUNCH, 3, 1),
        (Stage.LAUNCH, Stage.ADOPTION, 1, 0),
    ]
    assert found.conversions[0].share == pytest.approx(0.8)
    assert found.conversions[2].share == pytest.approx(1 / 3)


def test_moving_back_keeps_the_furthest_stage_for_conversion(db, history):
    stages.move_stage(
        history["c"], "pilot", "Launch postponed", by=history["manager"], at=at(5, 16)
    )

    found = analytics.cohort_analytics(history["cohort"], TODAY)

    assert found.conversions[2].went_on == 1
    assert found.distribution[Stage.PILOT] == 3
    launch = next(row for row in found.stage_times if row.stage == Stage.LAUNCH)
    assert (launch.median_days, launch.stays) == (3.0, 1)


def test_current_distribution_counts_active_ventures(history):
    found = analytics.cohort_analytics(history["cohort"], TODAY)

    assert found.distribution == {
        Stage.CONCEPT: 0,
        Stage.PROTOTYPE: 1,
        Stage.PILOT: 2,
        Stage.LAUNCH: 1,
        Stage.ADOPTION: 0,
    }


def test_an_empty_cohort_has_no_history(db):
    cohort = factories.cohort()

    found = analytics.cohort_analytics(cohort, TODAY)

    assert not found.has_history
    assert all(row.median_days is None for row in found.stage_times)
    assert all(row.share is None for row in found.conversions)


# The database's numbers against the Python walk they replaced ----------------------------------


def random_history(rng: random.Random, cohort, ventures: int) -> None:
    """Ventures with random stage histories: moves back and over stages, moves at the same
    instant, moves exactly at and a microsecond either side of a week's end in Los Angeles,
    ventures never moved (no history at all) and archived ones."""
    week_ends = [
        clock.at(clock.week_start(cohort.starts_on) + timedelta(days=7 * week))
        for week in range(30)
    ]

    def instant(after: datetime) -> datetime:
        if rng.random() < 0.3:
            end = rng.choice(week_ends) + timedelta(microseconds=rng.choice([-1, 0, 0, 1]))
            if end >= after:
                return end
        if rng.random() < 0.15:
            return after  # the same instant as the move before
        return after + timedelta(
            days=rng.randrange(0, 25),
            seconds=rng.randrange(86_400),
            microseconds=rng.randrange(10**6),
        )

    entered = datetime.combine(cohort.starts_on, datetime.min.time(), UTC) - timedelta(days=4)
    for number in range(ventures):
        created_at = instant(entered)
        moves = []
        if rng.random() < 0.7:
            at = created_at
            for _ in range(rng.randrange(1, 7)):
                moves.append((rng.choice(list(Stage)), at))
                at = instant(at)
        venture = Venture(
            cohort_id=cohort.id,
            name=f"Random {number}",
            challenge_area="Water and drought",
            stage=moves[-1][0] if moves else rng.choice(list(Stage)),
            status="archived" if rng.random() < 0.2 else "active",
            created_at=created_at,
        )
        db.session.add(venture)
        db.session.flush()
        db.session.add_all(
            StageChange(
                venture_id=venture.id,
                from_stage=moves[position - 1][0] if position else None,
                to_stage=stage,
                changed_at=at,
            )
            for position, (stage, at) in enumerate(moves)
        )
    db.session.flush()


@pytest.mark.parametrize("seed", range(8))
def test_the_databases_numbers_are_the_python_walks_on_random_histories(db, seed):
    rng = random.Random(seed)
    starts_on = date(2025, 1, 6) + timedelta(days=rng.randrange(0, 3 * 365))
    cohort = factories.cohort(
        f"Random {seed}",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=rng.randrange(30, 150)),
    )
    random_history(rng, cohort, 40)
    random_history(rng, factories.cohort(f"Neighbour {seed}"), 5)
    db.session.commit()

    for today in (
        starts_on - timedelta(days=3),
        starts_on,
        starts_on + timedelta(days=rng.randrange(1, 60)),
        cohort.ends_on + timedelta(days=10),
    ):
        found = analytics.cohort_analytics(cohort, today)
        walked = analytics_reference.cohort_analytics(cohort, today)

        assert found.weeks == walked.weeks, today
        assert found.stage_times == walked.stage_times
        assert found.conversions == walked.conversions
        assert found == walked
    assert stored_stay_ends(cohort) == analytics_reference.stay_ends(cohort)
    assert walked.weeks and walked.archived and any(row.stays for row in walked.stage_times)


def test_a_median_stay_keeps_its_microseconds(db):
    """Stays of 1 day and 1 day and 1 µs: the median is their mean, to the microsecond."""
    manager = factories.user("manager")
    cohort = factories.cohort(starts_on=date(2025, 4, 7), ends_on=date(2025, 6, 29), by=manager)
    start = at(4, 7) + timedelta(microseconds=999_999)
    for number, length in enumerate((timedelta(days=1), timedelta(days=1, microseconds=1))):
        venture = factories.venture_entered(cohort, f"Exact {number}", at=start, by=manager)
        stages.move_stage(venture, "prototype", "", by=manager, at=start + length)

    (concept, *_rest) = analytics.cohort_analytics(cohort, TODAY).stage_times

    assert concept.median_days == (1 + 1 + 1 / 10**6 / 86_400) / 2
    assert concept.median_days != 1.0


# What a worker keeps under the cohort's stamp --------------------------------------------------


def stamp_of(cohort) -> str | None:
    return db.session.scalar(
        select(PipelineStamp.stamp).where(PipelineStamp.cohort_id == cohort.id)
    )


def stored_stay_ends(cohort) -> dict[int, datetime | None]:
    return dict(
        db.session.execute(
            select(StageChange.id, StageChange.ended_at)
            .join(Venture, Venture.id == StageChange.venture_id)
            .where(Venture.cohort_id == cohort.id)
        ).all()
    )


def kept_is_walked(cohort, today: date = TODAY) -> None:
    """What this worker shows now is what the Python walk over the stored history gives,
    and each move's stored end is the one the walk finds."""
    db.session.expire_all()
    assert stored_stay_ends(cohort) == analytics_reference.stay_ends(cohort)
    assert analytics.kept_cohort_analytics(cohort, today) == analytics_reference.cohort_analytics(
        cohort, today
    )


def _move(history):
    stages.move_stage(history["a"], "launch", "Pilot adopted", by=history["manager"])


def _archive(history):
    ventures.archive_venture(history["c"], "Merged with another team", by=history["manager"])


def _new_venture(history):
    factories.venture_entered(history["cohort"], "Late", at=at(5, 1), by=history["manager"])


def _edit_a_recorded_move(history):
    move = db.session.scalars(
        select(StageChange)
        .where(StageChange.venture_id == history["e"].id)
        .order_by(StageChange.id.desc())
    ).first()
    move.changed_at -= timedelta(days=3)


def _delete_a_venture(history):
    db.session.delete(history["e"])


def _change_the_cohorts_end(history):
    history["cohort"].ends_on = date(2025, 5, 4)


def _move_to_another_cohort(history):
    history["a"].cohort_id = factories.cohort("Autumn 2025", by=history["manager"]).id


CHANGES = [
    _move,
    _archive,
    _new_venture,
    _edit_a_recorded_move,
    _delete_a_venture,
    _change_the_cohorts_end,
    _move_to_another_cohort,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__[1:] for change in CHANGES])
def test_every_change_the_analytics_are_drawn_from_gives_a_new_stamp(db, history, change):
    cohort = history["cohort"]
    kept_is_walked(cohort)
    before = stamp_of(cohort)

    change(history)
    db.session.commit()

    assert before is not None and stamp_of(cohort) not in (None, before)
    kept_is_walked(cohort)


def test_a_change_the_pipeline_pages_do_not_show_keeps_the_stamp(db, history):
    cohort = history["cohort"]
    before = stamp_of(cohort)

    history["a"].description = "Maps every leak in the city"
    history["a"].website = "https://leaks.example.org"
    history["manager"].time_zone = "America/New_York"
    db.session.commit()

    assert stamp_of(cohort) == before


@pytest.mark.parametrize("loaded", [True, False], ids=["cohort read first", "cohort expired"])
def test_a_cohort_moved_away_from_gets_a_new_stamp_too(db, history, loaded):
    other = factories.cohort("Autumn 2025", by=history["manager"])
    db.session.commit()
    left, joined = stamp_of(history["cohort"]), stamp_of(other)

    if loaded:
        assert history["a"].cohort_id == history["cohort"].id
    history["a"].cohort_id = other.id
    db.session.commit()

    assert stamp_of(history["cohort"]) != left and stamp_of(other) not in (None, joined)
    kept_is_walked(history["cohort"])
    kept_is_walked(other)


def distribution_shown(html: str) -> list[int]:
    table = html[html.index('id="distribution-table"') :]
    table = table[: table.index("</table>")]
    return [int(count) for count in re.findall(r'<td class="text-end">(\d+)</td>', table)]


def test_the_page_and_its_charts_show_a_change_at_once(db, client, login_as, history):
    """The change is another transaction's (as another worker's would be): nothing clears
    this worker's memory, the page reads the new stamp."""
    login_as("manager")
    cohort = history["cohort"]
    url = f"/pipeline/cohorts/{cohort.id}/analytics"
    charts = [f"/pipeline/cohorts/{cohort.id}/{name}.svg" for name in ("stages", "distribution")]
    client.get("/")  # the welcome message shown
    before = page(client.get(url))
    drawn = [client.get(chart).data for chart in charts]
    assert without_csrf_tokens(page(client.get(url))) == without_csrf_tokens(before)
    assert [client.get(chart).data for chart in charts] == drawn

    _move(history)
    _archive(history)
    db.session.commit()
    after = page(client.get(url))

    assert distribution_shown(before) == [0, 1, 2, 1, 0]
    assert distribution_shown(after) == [0, 1, 1, 1, 0]
    assert "4 active ventures and 1 archived" in before
    assert "3 active ventures and 2 archived" in after
    for chart, old in zip(charts, drawn, strict=True):
        new = client.get(chart).data
        assert new != old and new.startswith(b"<?xml")


def test_the_page_shows_a_new_day_without_a_change(db, client, login_as, history, monkeypatch):
    login_as("manager")
    cohort = history["cohort"]
    url = f"/pipeline/cohorts/{cohort.id}/analytics"
    monkeypatch.setattr(clock, "today", lambda zone=None: date(2025, 5, 18))
    sunday = page(client.get(url))
    monkeypatch.setattr(clock, "today", lambda zone=None: date(2025, 5, 19))
    monday = page(client.get(url))

    assert sunday.count("May 12, 2025") == 1 and "May 19, 2025" not in sunday
    assert "May 19, 2025" in monday


def test_a_chart_is_modified_by_a_new_day_as_by_a_change(
    db, client, login_as, history, monkeypatch
):
    login_as("manager")
    url = f"/pipeline/cohorts/{history['cohort'].id}/stages.svg"
    # Days after the stamp was written (today, by the clock the test runs with).
    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda zone=None: tomorrow)
    modified = client.get(url).headers["Last-Modified"]
    same_day = client.get(url, headers={"If-Modified-Since": modified})
    monkeypatch.setattr(clock, "today", lambda zone=None: tomorrow + timedelta(days=1))
    next_day = client.get(url, headers={"If-Modified-Since": modified})

    assert same_day.status_code == 304
    assert next_day.status_code == 200 and next_day.headers["Last-Modified"] != modified


def test_a_cohort_without_a_stamp_is_computed_every_time(db, history):
    cohort = history["cohort"]
    db.session.execute(delete(PipelineStamp))
    db.session.commit()
    kept_is_walked(cohort)

    # Around the services: no stamp is written, and none was read.
    db.session.execute(
        update(Venture).where(Venture.id == history["a"].id).values(status="archived")
    )
    facts.refresh([history["a"].id])  # as `flask pipeline-facts rebuild` would
    db.session.commit()

    kept_is_walked(cohort)
    assert stamp_of(cohort) is None


def test_rows_that_arrived_around_the_services_are_shown_after_a_rebuild(db, runner, history):
    """A restore or a bulk import writes rows with no stay's end and no new stamp:
    `flask pipeline-facts rebuild` writes both."""
    empty = factories.cohort("Autumn 2025", by=history["manager"])
    db.session.execute(delete(PipelineStamp).where(PipelineStamp.cohort_id == empty.id))
    db.session.commit()
    before = stamp_of(history["cohort"])
    db.session.execute(
        insert(StageChange).values(
            venture_id=history["a"].id, from_stage="pilot", to_stage="launch", changed_at=at(5, 9)
        )
    )
    db.session.execute(update(Venture).where(Venture.id == history["a"].id).values(stage="launch"))
    db.session.commit()

    result = runner.invoke(args=["pipeline-facts", "rebuild"])

    assert result.exit_code == 0, result.output
    assert "restamped 2 cohorts." in result.output
    db.session.expire_all()
    assert stamp_of(history["cohort"]) not in (None, before) and stamp_of(empty) is not None
    kept_is_walked(history["cohort"])


@pytest.mark.parametrize("seed", range(4))
def test_kept_analytics_follow_random_changes_through_the_services(db, seed):
    """Random histories, then random moves, archives, arrivals and edited moves, each in its
    own transaction: after each, what the worker shows is the Python walk's numbers."""
    rng = random.Random(seed)
    manager = factories.user("manager")
    starts_on = date(2025, 1, 6) + timedelta(days=rng.randrange(0, 365))
    cohort = factories.cohort(
        f"Random {seed}", starts_on=starts_on, ends_on=starts_on + timedelta(days=120), by=manager
    )
    random_history(rng, cohort, 25)
    db.session.commit()
    today = starts_on + timedelta(days=rng.randrange(20, 140))
    moment = clock.at(starts_on) + timedelta(days=rng.randrange(0, 20))

    for step in range(12):
        assert stamp_of(cohort) is not None
        kept_is_walked(cohort, today)
        active = list(
            db.session.scalars(
                select(Venture).where(Venture.cohort_id == cohort.id, Venture.status == "active")
            )
        )
        moment += timedelta(days=rng.randrange(0, 5), seconds=rng.randrange(86_400))
        kind = rng.choice(["move", "move", "archive", "arrive", "edit"])
        if kind == "arrive" or not active:
            factories.venture_entered(cohort, f"Arrival {step}", at=moment, by=manager)
        elif kind == "archive":
            ventures.archive_venture(rng.choice(active), "Left", by=manager)
        elif kind == "edit":
            move = rng.choice(
                db.session.scalars(
                    select(StageChange).join(Venture).where(Venture.cohort_id == cohort.id)
                ).all()
            )
            move.changed_at -= timedelta(hours=rng.randrange(1, 200))
        else:
            venture = rng.choice(active)
            target = rng.choice([stage for stage in Stage if stage != venture.stage])
            stages.move_stage(venture, target, "Random", by=manager, at=moment)
        db.session.commit()
    kept_is_walked(cohort, today)


# KPIs --------------------------------------------------------------------------------------------


@pytest.fixture
def kpi_venture(db):
    """A venture with a founder, a custom KPI and three weekly check-ins, one with gaps."""
    manager = factories.user("manager")
    cohort = factories.cohort(by=manager)
    venture = factories.venture(cohort, "LeakMap", by=manager)
    founder = factories.user("founder")
    ventures.add_member(venture, founder.email, founder.name, "CEO", by=manager)
    checkins.add_custom_kpi(venture, "Gallons saved", "gal", by=founder)
    checkins.add_custom_kpi(venture, "Leaks found", "", by=founder)
    monday = clock.week_start(TODAY)
    weeks = [
        (monday - timedelta(weeks=2), {"users_reached": 10, "revenue": 100.0}, 500.0),
        (monday - timedelta(weeks=1), {"revenue": 150.0}, None),
        (monday, {"users_reached": 30, "revenue": 175.5}, 1200.0),
    ]
    for week_start, standard, gallons in weeks:
        checkins.save_check_in(
            venture,
            checkins.CheckInInput(
                week_start=week_start,
                summary="Progress",
                custom_kpis={} if gallons is None else {"Gallons saved": gallons},
                **standard,
            ),
            by=founder,
            today=TODAY,
        )
    db.session.commit()
    return {"venture": venture, "founder": founder, "manager": manager, "monday": monday}


def test_kpi_series_follow_the_check_ins_week_by_week(kpi_venture):
    found = analytics.venture_kpis(kpi_venture["venture"])

    monday = kpi_venture["monday"]
    assert found.weeks == [monday - timedelta(weeks=2), monday - timedelta(weeks=1), monday]
    series = {s.key: s for s in found.series}
    # KPIs never reported (pilots, funding, team size, leaks found) are left out.
    assert list(series) == ["users_reached", "revenue", "Gallons saved"]
    assert series["users_reached"].values == [10.0, None, 30.0]
    assert series["revenue"].values == [100.0, 150.0, 175.5]
    assert series["revenue"].money
    assert not series["users_reached"].money
    assert series["Gallons saved"].label == "Gallons saved (gal)"
    assert series["Gallons saved"].values == [500.0, None, 1200.0]
    assert found.rows()[1] == (monday - timedelta(weeks=1), [None, 150.0, None])


def test_a_venture_without_check_ins_has_no_kpis(db):
    venture = factories.venture(factories.cohort())

    found = analytics.venture_kpis(venture)

    assert found.weeks == []
    assert found.series == []


# Charts ------------------------------------------------------------------------------------------


def parse_svg(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    root = ET.fromstring(response.get_data())  # noqa: S314 (the app's own output)
    assert root.tag == f"{SVG}svg"
    assert root.find(f".//{SVG}script") is None
    assert b"<script" not in response.get_data()
    return root


def svg_text(root: ET.Element) -> str:
    return " ".join(text for text in root.itertext())


def chart_name(root: ET.Element) -> str:
    """What the chart calls itself for a screen reader: its <title> and its aria-label."""
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == root.get("aria-label")
    return title.text


def test_cohort_charts_are_svg_without_scripts(client, login_as, history):
    cohort = history["cohort"]
    login_as("manager")

    stages = parse_svg(client.get(f"/pipeline/cohorts/{cohort.id}/stages.svg"))
    distribution = parse_svg(client.get(f"/pipeline/cohorts/{cohort.id}/distribution.svg"))

    assert chart_name(stages) == "Spring 2025: active ventures by stage, week by week"
    assert "Apr 7" in svg_text(stages)
    assert "Prototype" in svg_text(distribution)
    assert chart_name(distribution) == "Spring 2025: active ventures by stage now"


def test_charts_of_an_empty_cohort_say_there_is_no_data(client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort(by=manager)

    for chart in ("stages", "distribution"):
        root = parse_svg(client.get(f"/pipeline/cohorts/{cohort.id}/{chart}.svg"))
        assert "No data yet" in svg_text(root)


def test_kpi_chart_is_svg_for_the_venture_founders_and_managers(client, login_as, kpi_venture):
    venture = kpi_venture["venture"]

    login_as("manager")
    revenue = parse_svg(client.get(f"/ventures/{venture.id}/kpis.svg?kpi=revenue"))
    gallons = parse_svg(client.get(f"/ventures/{venture.id}/kpis.svg?kpi=Gallons saved"))
    first = parse_svg(client.get(f"/ventures/{venture.id}/kpis.svg"))

    assert chart_name(revenue) == "LeakMap: Revenue (USD), week by week"
    assert chart_name(gallons) == "LeakMap: Gallons saved (gal), week by week"
    assert chart_name(first) == "LeakMap: Residents or users reached, week by week"
    assert "$100" in svg_text(revenue)


def test_a_kpi_the_venture_does_not_report_has_no_chart(client, login_as, kpi_venture):
    venture = kpi_venture["venture"]
    login_as("manager")

    for kpi in ("team_size", "Leaks found", "nonsense"):
        assert client.get(f"/ventures/{venture.id}/kpis.svg?kpi={kpi}").status_code == 404


def test_founders_see_their_own_kpi_chart_but_not_another_ventures(
    app, db, client, sign_in, kpi_venture
):
    venture = kpi_venture["venture"]
    manager = kpi_venture["manager"]
    other = factories.venture(venture.cohort, "BusBuddy", by=manager)
    outsider = factories.user("founder")
    ventures.add_member(other, outsider.email, outsider.name, "CEO", by=manager)
    db.session.commit()
    url = f"/ventures/{venture.id}/kpis.svg"

    sign_in(client, outsider.email)
    assert client.get(url).status_code == 404
    own = app.test_client()
    sign_in(own, kpi_venture["founder"].email)
    parse_svg(own.get(url))


def test_kpi_chart_of_an_unknown_venture_is_404(client, login_as):
    login_as("manager")

    assert client.get("/ventures/999/kpis.svg").status_code == 404


@pytest.mark.parametrize("role", ["judge", "partner"])
def test_other_roles_cannot_see_a_kpi_chart(client, login_as, kpi_venture, role):
    login_as(role)

    assert client.get(f"/ventures/{kpi_venture['venture'].id}/kpis.svg").status_code == 403


def test_a_mentor_not_introduced_to_the_venture_gets_no_kpi_chart(client, login_as, kpi_venture):
    login_as("mentor")

    assert client.get(f"/ventures/{kpi_venture['venture'].id}/kpis.svg").status_code == 404


def chart_labels(response) -> str:
    return svg_text(parse_svg(response))


def test_funders_see_only_the_kpis_a_venture_shares_even_when_matched(
    db, client, login_as, kpi_venture
):
    venture = kpi_venture["venture"]
    url = f"/ventures/{venture.id}/kpis.svg"
    funder = login_as("funder")

    nothing_shared = chart_labels(client.get(url))
    venture.shared_kpis = ["revenue"]
    factories.introduction(venture, funder, kind="funder", status="accepted")
    matched = chart_labels(client.get(url))

    for unshared in ("Residents or users reached", "Gallons saved"):
        assert unshared not in nothing_shared and unshared not in matched
    assert "Revenue (USD)" not in nothing_shared
    assert "Revenue (USD)" in matched


def test_an_accepted_mentor_sees_every_kpi_and_an_introduced_one_only_the_shared(
    db, client, login_as, kpi_venture
):
    venture = kpi_venture["venture"]
    venture.shared_kpis = ["revenue"]
    mentor = login_as("mentor")
    match = factories.introduction(venture, mentor, kind="mentor", status="introduced")
    url = f"/ventures/{venture.id}/kpis.svg?kpi="

    introduced = [client.get(url + kpi).status_code for kpi in ("revenue", "Gallons saved")]
    match.status = "accepted"
    accepted = [client.get(url + kpi).status_code for kpi in ("revenue", "Gallons saved")]
    charts_shown = kpi_images(page(client.get(f"/ventures/{venture.id}/check-ins")))

    assert introduced == [200, 404]
    assert accepted == [200, 200]
    assert list(charts_shown) == ["users_reached", "revenue", "Gallons saved"]


def kpi_images(html: str) -> dict[str, dict]:
    """The KPI charts on a page, by KPI: their <img> attributes."""
    found = {}
    for image in chart_reading.images(html):
        url = urlsplit(image["src"] or "")
        if url.path.endswith("/kpis.svg"):
            found[parse_qs(url.query)["kpi"][0]] = image
    return found


def test_check_ins_page_shows_the_kpi_charts_only_when_there_are_check_ins(
    db, client, login_as, kpi_venture
):
    manager = login_as("manager")
    quiet = factories.venture(kpi_venture["venture"].cohort, "Quiet", by=manager)
    db.session.commit()
    venture = kpi_venture["venture"]

    with_chart = page(client.get(f"/ventures/{venture.id}/check-ins"))
    without = page(client.get(f"/ventures/{quiet.id}/check-ins"))

    shown = kpi_images(with_chart)
    assert list(shown) == ["users_reached", "revenue", "Gallons saved"]
    assert shown["revenue"]["alt"] == (
        "Line chart of Revenue (USD) week by week; the numbers are in the table under it."
    )
    assert "kpis.svg" not in without
    assert "No check-ins yet" in without


def test_each_kpi_is_a_chart_of_its_own_so_no_chart_mixes_units(client, login_as, kpi_venture):
    """The chart that put money and people on two axes is one small chart per KPI: one
    series, one y axis, labelled in that KPI's unit."""
    venture = kpi_venture["venture"]
    login_as("manager")

    for key, image in kpi_images(page(client.get(f"/ventures/{venture.id}/check-ins"))).items():
        root = parse_svg(client.get(image["src"]))
        assert len(chart_reading.series_points(root)) == 1, key
        axes = [g.get("class", "") for g in root.iter(f"{SVG}g") if "axis" in g.get("class", "")]
        assert not [axis for axis in axes if "y2" in axis.split()], key  # no second axis
        y_labels = [
            text.text
            for g in root.iter(f"{SVG}g")
            if g.get("class", "").split()[:2] == ["axis", "y"]
            for text in g.iter(f"{SVG}text")
        ]
        assert y_labels, key
        assert all(label.startswith("$") for label in y_labels) == (key == "revenue"), key


def test_the_table_beside_each_kpi_chart_holds_the_numbers_it_draws(client, login_as, kpi_venture):
    venture = kpi_venture["venture"]
    login_as("manager")
    html = page(client.get(f"/ventures/{venture.id}/check-ins"))
    tables = {
        table["attrs"]["data-kpi"]: table["rows"][1:]
        for table in chart_reading.tables(html)
        if "data-kpi" in table["attrs"]
    }

    drawn = {}
    for key, image in kpi_images(html).items():
        (points,) = chart_reading.series_points(parse_svg(client.get(image["src"])))
        drawn[key] = points

    monday = kpi_venture["monday"]
    weeks = [monday - timedelta(weeks=2), monday - timedelta(weeks=1), monday]
    assert tables["revenue"] == [
        [weeks[0].strftime("%b %-d, %Y"), "$100"],
        [weeks[1].strftime("%b %-d, %Y"), "$150"],
        [weeks[2].strftime("%b %-d, %Y"), "$175.50"],
    ]
    assert tables["Gallons saved"] == [
        [weeks[0].strftime("%b %-d, %Y"), "500"],
        [weeks[2].strftime("%b %-d, %Y"), "1,200"],
    ]
    assert set(drawn) == set(tables)
    for key, rows in tables.items():
        # The chart labels a week "May 5"; the table adds the year.
        assert [(week.rsplit(",", 1)[0], value) for week, value in rows] == drawn[key], key


# The analytics page ------------------------------------------------------------------------------


def test_analytics_page_shows_the_numbers_as_tables_and_the_charts_as_images(
    client, login_as, history
):
    cohort = history["cohort"]
    login_as("manager")

    response = client.get(f"/pipeline/cohorts/{cohort.id}/analytics")

    assert response.status_code == 200
    html = page(response)
    assert f'src="/pipeline/cohorts/{cohort.id}/stages.svg"' in html
    assert f'src="/pipeline/cohorts/{cohort.id}/distribution.svg"' in html
    assert "4 active ventures and 1 archived" in html
    assert "12.0" in html
    assert "4 stays of 4 ventures" in html
    assert "no finished stays yet" in html
    assert "80%" in html
    assert "75%" in html
    assert "33%" in html
    assert "Apr 7, 2025" in html  # the weekly table
    assert "<script>" not in html
    assert "style=" not in html


def test_analytics_of_an_empty_cohort_says_what_to_do(client, login_as):
    manager = login_as("manager")
    cohort = factories.cohort(by=manager)

    html = page(client.get(f"/pipeline/cohorts/{cohort.id}/analytics"))

    assert "No pipeline to analyse yet" in html
    assert f"/cohorts/{cohort.id}/ventures/new" in html
    assert "stages.svg" not in html


def test_analytics_of_an_unknown_cohort_is_404(client, login_as):
    login_as("manager")

    for url in (
        "/pipeline/cohorts/999/analytics",
        "/pipeline/cohorts/999/stages.svg",
        "/pipeline/cohorts/999/distribution.svg",
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["founder", "mentor", "funder", "judge", "partner"])
def test_only_managers_see_cohort_analytics(client, login_as, history, role):
    cohort = history["cohort"]
    user = login_as(role)
    if role == "founder":
        ventures.add_member(history["a"], user.email, user.name, "CEO", by=history["manager"])

    for url in (
        f"/pipeline/cohorts/{cohort.id}/analytics",
        f"/pipeline/cohorts/{cohort.id}/stages.svg",
        f"/pipeline/cohorts/{cohort.id}/distribution.svg",
    ):
        assert client.get(url).status_code == 403, url


def test_analytics_and_charts_run_the_same_queries_for_5_or_60_ventures(
    db, client, login_as, page_queries, count_queries
):
    manager = login_as("manager")
    today = clock.today()
    cohort = factories.cohort(
        starts_on=today - timedelta(days=70), ends_on=today + timedelta(days=70), by=manager
    )
    watched = factories.bulk_ventures(cohort, 5, today=today, manager=manager)[0]
    db.session.commit()
    urls = [
        f"/pipeline/cohorts/{cohort.id}/analytics",
        f"/pipeline/cohorts/{cohort.id}/stages.svg",
        f"/pipeline/cohorts/{cohort.id}/distribution.svg",
        f"/ventures/{watched.id}/kpis.svg",
    ]

    def kept_queries() -> dict[str, int]:
        """The queries of each page drawn from what the worker keeps (asked for twice)."""
        counts = {}
        for url in urls:
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts[url] = counter.count
        return counts

    page_queries(urls)  # warm up
    few_computed = page_queries(urls)
    few = kept_queries()
    factories.bulk_ventures(cohort, 55, today=today, manager=manager, check_ins=12)
    db.session.commit()
    many_computed = page_queries(urls)
    many = kept_queries()

    assert many_computed == few_computed
    assert many == few
    # The analytics are computed once per stamp, for the page and its charts.
    assert few[urls[0]] == few_computed[urls[0]] - 1
    assert few[urls[1]] == few_computed[urls[1]] - 1


# Reading the charts on a phone -------------------------------------------------------------------

CARD_PADDING = 18  # the card around a chart: 8 px of padding and a 1 px border on each side


def chart_images(html: str) -> list[dict]:
    return [image for image in chart_reading.images(html) if ".svg" in (image["src"] or "")]


def assert_chart_text_is_readable(client, html: str) -> list[float]:
    """Every chart on the page, at every phone width: its smallest text in CSS px."""
    smallest = []
    for image in chart_images(html):
        root = parse_svg(client.get(image["src"]))
        for phone, content in chart_reading.CONTENT_WIDTHS.items():
            shown = chart_reading.shown_width(float(image["width"]), content, CARD_PADDING)
            size = chart_reading.smallest_text_shown(root, shown)
            assert size is not None, image["src"]
            assert size >= chart_reading.SMALLEST_TEXT, (image["src"], phone, size)
            smallest.append(size)
    return smallest


def test_no_chart_text_is_under_11_px_on_a_phone(client, login_as, history, kpi_venture):
    login_as("manager")
    analytics_page = page(client.get(f"/pipeline/cohorts/{history['cohort'].id}/analytics"))
    check_ins = page(client.get(f"/ventures/{kpi_venture['venture'].id}/check-ins"))

    assert len(chart_images(analytics_page)) == 2
    assert len(chart_images(check_ins)) == 3
    sizes = assert_chart_text_is_readable(client, analytics_page)
    sizes += assert_chart_text_is_readable(client, check_ins)
    assert min(sizes) >= 11


def test_the_font_size_check_fails_a_chart_drawn_too_wide():
    """The check itself: the old charts (800 wide, 12 px labels) were 5 px on a phone."""
    old = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 400">'
        "<defs><style>.axis text{font-size:12px}.title{font-size:16px}</style></defs>"
        "<text>Apr 7</text></svg>"
    )
    relative = old.replace("12px", "0.5em")

    root = chart_reading.svg_root(old)
    assert chart_reading.smallest_text_shown(root, 340) == pytest.approx(5.1)
    with pytest.raises(AssertionError, match="px"):
        chart_reading.stated_font_sizes(chart_reading.svg_root(relative))


def test_the_stage_legend_is_whole_and_inside_the_chart(client, login_as, history):
    login_as("manager")
    root = parse_svg(client.get(f"/pipeline/cohorts/{history['cohort'].id}/stages.svg"))
    width = chart_reading.view_width(root)
    height = float(root.get("viewBox").split()[3])
    (font_size,) = set(chart_reading.stated_font_sizes(root))

    legend = chart_reading.legends(root)

    assert [text for text, _x, _y in legend] == [stage.label for stage in Stage]
    for text, x, y in legend:
        # A generous width for the text: 0.6 em a character.
        assert x + 0.6 * font_size * len(text) <= width, text
        assert y <= height, text


def test_the_cohort_charts_draw_the_numbers_of_the_tables_beside_them(client, login_as, history):
    cohort = history["cohort"]
    login_as("manager")
    html = page(client.get(f"/pipeline/cohorts/{cohort.id}/analytics"))
    tables = {table["attrs"].get("id"): table["rows"] for table in chart_reading.tables(html)}
    stages_chart = parse_svg(client.get(f"/pipeline/cohorts/{cohort.id}/stages.svg"))
    distribution_chart = parse_svg(client.get(f"/pipeline/cohorts/{cohort.id}/distribution.svg"))

    (bars,) = chart_reading.series_points(distribution_chart)
    distribution = {stage: int(count) for stage, count in tables["distribution-table"][1:]}
    assert {stage: int(count) for stage, count in bars} == distribution
    assert distribution == {"Concept": 0, "Prototype": 1, "Pilot": 2, "Launch": 1, "Adoption": 0}

    weekly = tables["weeks-table"][1:]
    drawn = chart_reading.series_points(stages_chart)
    assert len(drawn) == len(Stage)
    for column, points in enumerate(drawn, start=1):
        assert [(week, count) for week, count in points] == [
            (row[0].rsplit(",", 1)[0], row[column]) for row in weekly
        ]


class _Regions(HTMLParser):
    """Each table, and whether a scrolling region that a keyboard reaches holds it."""

    VOID = {"img", "br", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict]] = []
        self.tables: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(any(self._scrolls(t, a) for t, a in self.open))
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    @staticmethod
    def _scrolls(tag: str, attrs: dict) -> bool:
        return (
            tag == "div"
            and "table-responsive" in (attrs.get("class") or "").split()
            and attrs.get("tabindex") == "0"
            and attrs.get("role") == "region"
            and bool(attrs.get("aria-label") or attrs.get("aria-labelledby"))
        )


def test_every_table_on_the_analytics_and_check_ins_pages_scrolls_in_its_own_region(
    client, login_as, history, kpi_venture
):
    """On a 390 px phone a wide table scrolls inside its box, reachable by keyboard, and
    the page itself never scrolls sideways."""
    login_as("manager")

    for url in (
        f"/pipeline/cohorts/{history['cohort'].id}/analytics",
        f"/ventures/{kpi_venture['venture'].id}/check-ins",
    ):
        regions = _Regions()
        regions.feed(page(client.get(url)))
        assert regions.tables and all(regions.tables), url


def test_no_chart_text_runs_off_the_edge_of_its_chart(db, client, login_as, history, kpi_venture):
    """Labels, legends and values stay inside the drawing: the last week's label, centred on
    the right-most point, once lost its last digit."""
    venture = kpi_venture["venture"]
    founder = kpi_venture["founder"]
    checkins.save_check_in(
        venture,
        checkins.CheckInInput(
            week_start=kpi_venture["monday"] - timedelta(weeks=3),
            summary="A big week",
            revenue=1_234_567.0,
            team_size=4,
        ),
        by=founder,
        today=TODAY,
    )
    db.session.commit()
    login_as("manager")
    empty = factories.cohort(by=kpi_venture["manager"])
    db.session.commit()
    pages = (
        f"/pipeline/cohorts/{history['cohort'].id}/analytics",
        f"/ventures/{venture.id}/check-ins",
    )
    urls = [image["src"] for url in pages for image in chart_images(page(client.get(url)))]
    urls += [
        f"/pipeline/cohorts/{empty.id}/stages.svg",
        f"/pipeline/cohorts/{empty.id}/distribution.svg",
    ]

    assert len(urls) == 2 + 4 + 2
    for url in urls:
        assert chart_reading.texts_cut_off(parse_svg(client.get(url))) == [], url


def test_the_cut_off_check_finds_a_label_past_the_edge():
    drawn = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 260">'
        "<style>.axis text{font-size:15px}</style>"
        '<g class="axis x" transform="translate(40, 8)"><text x="300" y="240">Nov 30</text>'
        '<text x="150" y="240">Oct 19</text></g></svg>'
    )

    assert chart_reading.texts_cut_off(chart_reading.svg_root(drawn)) == ["Nov 30"]
