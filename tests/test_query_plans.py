"""The pages people use daily read the large tables through indexes (PostgreSQL only).

With a few thousand rows in each busy table, spread over many cohorts as a program's history
is, each page is requested through the test client while a `before_cursor_execute` listener
records every SELECT it sends, with its parameters. Each recorded statement is then explained
(`EXPLAIN (FORMAT JSON)`, with the same parameters, on the same driver) and its plan walked: a
read of the whole of a table of more than LARGE rows fails the test, naming the page, the
table, the plan node and the statement. The statements are the code's own, so the test
follows the pages as their queries change.

At a few thousand rows a sequential scan costs next to nothing, and the planner rightly
prefers one even where an index would serve; at 10,000 ventures it would not. So the plans are
asked for with sequential scans discouraged (`enable_seqscan = off`) and random reads priced as
on solid-state storage (`random_page_cost = 1.1`, the usual production setting): a sequential
scan that remains is one no index can spare, and an index searched by a condition on any but
its first column is an index that is missing (`whole_table_read`).

A page that reads a whole table on purpose says so in WHOLE_TABLE, with the reason.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select, text

from bench import scorecard as scorecard_data
from incubator import clock
from incubator.extensions import db as _db
from incubator.models import (
    AuditEvent,
    Booking,
    CheckIn,
    Invitation,
    Match,
    Milestone,
    MilestoneStatus,
    OutboxMessage,
    Slot,
    StageChange,
    User,
    UserRole,
    Venture,
    VentureMember,
)
from incubator.services.accounts import login_sessions
from incubator.services.pipeline import facts, stamps
from incubator.services.pipeline.stages import STAGES
from incubator.vocabulary import CHALLENGE_AREAS, NEIGHBOURHOODS
from tests import factories

pytestmark = pytest.mark.skipif(
    os.environ.get("INCUBATOR_TEST_DB") != "postgresql",
    reason="only PostgreSQL: the plans walked are those of PostgreSQL's EXPLAIN (FORMAT JSON)",
)

# A table with more rows than this is large: a page that reads all of it scans too much.
LARGE = 1_000
# Every busy table gets a few thousand rows, most of them in cohorts the pages do not show,
# so that a page about one cohort, venture or person needs a small part of each table.
HISTORY_COHORTS = 4
VENTURES_PER_HISTORY_COHORT = 300
BOARD_VENTURES = 120
SCORECARD_VENTURES = 500
# Below a few tens of thousands of figures the planner reads the scorecard's per-metric windows
# by walking the whole (metric, geography, period) index once rather than probing it per
# metric, as it does at a million (checked with EXPLAIN ANALYZE at 1,000,000 figures).
SCORECARD_FIGURES = 40_000
MENTORS = 60
SLOTS_PER_MENTOR = 40
EVENTS_PER_PERSON = 3

# (page, table): why that page reads every row of that table, on purpose.
WHOLE_TABLE: dict[tuple[str, str], str] = {
    ("people found by name", "users"): (
        "a fragment anywhere in a name or an address (LIKE '%...%') cannot use a b-tree "
        "index; trigram indexes (pg_trgm) could, for an extension and two GIN indexes that "
        "a list of a few thousand people does not need yet"
    ),
    ("outbox", "outbox_messages"): (
        "the tabs count every mail by status, sent mail included, which grows with all the "
        "mail ever sent; an index on status would be read whole as well: the count wants "
        "rewriting (only the statuses that need someone) rather than an index"
    ),
}


# Recording and explaining ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """A read of a whole large table in the plan of one statement a page sent."""

    table: str
    rows: int
    how: str
    statement: str

    def __str__(self) -> str:
        statement = " ".join(self.statement.split())[:600]
        return f"{self.how} of {self.table} ({self.rows:,} rows) in: {statement}"


@contextmanager
def recorded_selects() -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements sent inside the block, each with the parameters it was sent with."""
    statements: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, executemany) -> None:
        words = statement.lstrip().split(None, 1)
        if not executemany and words and words[0].upper() in {"SELECT", "WITH"}:
            statements.append((statement, parameters))

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


def plan_of(statement: str, parameters: Any) -> dict:
    """The planner's plan of a statement, as sent to the driver with these parameters."""
    connection = _db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        document = cursor.fetchone()[0]
        connection.rollback()
    finally:
        connection.close()
    if isinstance(document, str):
        document = json.loads(document)
    return document[0]["Plan"]


SCANS = {"Seq Scan", "Parallel Seq Scan"}
INDEX_SCANS = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


def nodes(plan: dict) -> Iterator[dict]:
    """Every node of a plan tree (sub-plans and init-plans included)."""
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


@dataclass(frozen=True)
class Tables:
    """The large tables (rows by the statistics) and every index's table and first column."""

    rows: dict[str, int]
    indexes: dict[str, tuple[str, str]]


def tables() -> Tables:
    rows = _db.session.execute(
        text(
            "SELECT relname, reltuples::bigint FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "AND reltuples > :large"
        ),
        {"large": LARGE},
    )
    indexes = _db.session.execute(
        text(
            "SELECT i.relname, t.relname, coalesce(a.attname, '') FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] "
            "WHERE t.relnamespace = 'public'::regnamespace"
        )
    )
    return Tables(
        rows=dict(rows.all()),
        indexes={index: (table, column) for index, table, column in indexes},
    )


def whole_table_read(node: dict, known: Tables) -> str | None:
    """The large table this plan node reads from end to end, if it does.

    That is a sequential scan, which the planner, told to avoid them, keeps only where no
    index serves; or an index searched by a condition on a later column than its first,
    which checks every entry (the index the condition needs does not exist). A walk through
    a whole index without a condition is not counted: it reads in order for a LIMIT, or
    stands in for a scan the planner would not choose at a real table's size.
    """
    kind = node["Node Type"]
    if kind in SCANS:
        table = node.get("Relation Name", "")
        return table if table in known.rows else None
    condition = node.get("Index Cond", "")
    if kind not in INDEX_SCANS or not condition:
        return None
    table, first = known.indexes.get(node.get("Index Name", ""), ("", ""))
    if table not in known.rows or not first:
        return None
    if re.search(rf"\(+{re.escape(first)}[\s)]", condition):
        return None
    return table


def whole_table_reads(statements: list[tuple[str, Any]], known: Tables) -> list[Scan]:
    """The reads of a whole large table in the plans of these statements."""
    found = []
    seen = set()
    for statement, parameters in statements:
        key = (statement, repr(parameters))
        if key in seen:
            continue
        seen.add(key)
        for node in nodes(plan_of(statement, parameters)):
            table = whole_table_read(node, known)
            if table is not None:
                how = " ".join(
                    part
                    for part in (
                        node["Node Type"],
                        node.get("Index Name", ""),
                        node.get("Index Cond", ""),
                    )
                    if part
                )
                found.append(Scan(table, known.rows[table], how, statement))
    return found


# The world ------------------------------------------------------------------------------------


@dataclass
class World:
    manager: User
    admin: User
    founder: User
    mentor: User
    person: User
    board_cohort_id: int
    venture_id: int
    metric_code: str
    tables: Tables


def _ids(model: type, rows: list[dict]) -> list[int]:
    """Insert the rows in a few statements; their new ids, in order."""
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(_db.session.scalars(statement, rows))


def _users(count: int, role: str, prefix: str) -> list[int]:
    rows = [
        {
            "email": f"{prefix}{number}@explain.example.org",
            "name": f"{prefix.title()} {number}",
            "password_hash": None,
        }
        for number in range(count)
    ]
    ids = _ids(User, rows)
    _db.session.execute(insert(UserRole), [{"user_id": id_, "role": role} for id_ in ids])
    return ids


def _mentoring(mentor_ids: list[int], ventures: list[tuple[int, int]], today) -> None:
    """SLOTS_PER_MENTOR weekly slots for each mentor around today, every other one booked by
    a venture's founder, some of the bookings done and some cancelled."""
    monday = datetime.combine(clock.week_start(today), time(17), UTC)
    slots = []
    for mentor_id in mentor_ids:
        for number in range(SLOTS_PER_MENTOR):
            starts = monday + timedelta(
                days=7 * (number - SLOTS_PER_MENTOR // 2), hours=mentor_id % 5
            )
            slots.append(
                {
                    "mentor_id": mentor_id,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(minutes=30),
                }
            )
    slot_ids = _ids(Slot, slots)
    bookings = []
    for number, (slot_id, slot) in enumerate(zip(slot_ids, slots, strict=True)):
        if number % 2:
            continue
        venture_id, founder_id = ventures[number % len(ventures)]
        past = slot["starts_at"] < clock.now()
        status = "cancelled" if number % 10 == 0 else ("completed" if past else "booked")
        bookings.append(
            {
                "uid": f"explain-{slot_id}@accelerate.la.example",
                "slot_id": slot_id,
                "venture_id": venture_id,
                "founder_id": founder_id,
                "mentor_id": slot["mentor_id"],
                "starts_at": slot["starts_at"],
                "ends_at": slot["ends_at"],
                "agenda": "Pilot plan",
                "status": status,
                "cancelled_at": slot["starts_at"] - timedelta(days=1)
                if status == "cancelled"
                else None,
                "completed_at": slot["ends_at"] if status == "completed" else None,
            }
        )
    _db.session.execute(insert(Booking), bookings)


def _matches(mentor_ids: list[int], ventures: list[tuple[int, int, int]]) -> None:
    """Two mentor matches for each venture, most long settled, a few still to answer."""
    rows = []
    for number, (venture_id, cohort_id, _founder) in enumerate(ventures):
        for offset in (0, 1):
            mentor_id = mentor_ids[(number + offset * 7) % len(mentor_ids)]
            status = ("accepted", "declined", "ended", "introduced", "proposed")[number % 5]
            rows.append(
                {
                    "cohort_id": cohort_id,
                    "venture_id": venture_id,
                    "kind": "mentor",
                    "counterpart_id": mentor_id,
                    "counterpart_key": f"user:{mentor_id}",
                    "score": 0.5,
                    "reasons": ["Knows procurement"],
                    "status": status,
                    "venture_answer": "accepted" if status == "accepted" else "pending",
                    "counterpart_answer": "accepted" if status == "accepted" else "pending",
                    "introduced_at": clock.now() if status != "proposed" else None,
                }
            )
    _db.session.execute(insert(Match), rows)


def _trail(people: list[int], admin_id: int) -> None:
    """Sign-ins, invitations and mail for everyone: the people pages' rows."""
    now = clock.now()
    events = [
        {
            "actor_id": person,
            "action": "user.logged_in",
            "object_type": "user",
            "object_id": str(person),
            "created_at": now - timedelta(hours=number),
        }
        for person in people
        for number in range(EVENTS_PER_PERSON)
    ]
    _db.session.execute(insert(AuditEvent), events)
    _db.session.execute(
        insert(Invitation),
        [
            {
                "user_id": person,
                "invited_by_id": admin_id,
                "roles": "founder",
                "created_at": now - timedelta(days=30 + person % 30),
                # Most people accepted long ago; a few links are still open.
                "accepted_at": None if person % 10 == 0 else now - timedelta(days=person % 30),
            }
            for person in people[::3]
        ],
    )
    _db.session.execute(
        insert(OutboxMessage),
        [
            {
                "recipient": f"person{person}@explain.example.org",
                "subject": "Welcome",
                "body": "Welcome to Accelerate: LA",
                "status": "sent",
                "created_at": now - timedelta(minutes=person),
                "sent_at": now - timedelta(minutes=person),
                "next_attempt_at": None,
            }
            for person in people
        ],
    )


def _analyze() -> None:
    """Gather statistics and set the visibility map, as autovacuum would after a load."""
    _db.session.commit()
    with _db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


@dataclass(frozen=True)
class Team:
    venture_id: int
    cohort_id: int
    founder_id: int


def _cohort(manager: User, name: str, starts_on: date, ends_on: date, status: str) -> int:
    return factories.cohort(
        name, by=manager, starts_on=starts_on, ends_on=ends_on, status=status
    ).id


def _pipeline(cohort_id: int, count: int, starts_on: date, today: date, *, open_work: bool):
    """`count` ventures of a cohort, each with a founder, its stage history, three milestones
    and four weekly check-ins, inserted in a few statements.

    A finished milestone waits for a manager's check only in a cohort with open work; in the
    others (graduated long ago) it was verified, as in a real program.
    """
    start = datetime.combine(starts_on, time(17), UTC)
    names = [f"Cohort {cohort_id} venture {number:04d}" for number in range(count)]
    venture_ids = _ids(
        Venture,
        [
            {
                "cohort_id": cohort_id,
                "name": name,
                "one_liner": "Built for explaining",
                "challenge_area": CHALLENGE_AREAS[number % len(CHALLENGE_AREAS)],
                "neighbourhoods": [NEIGHBOURHOODS[number % len(NEIGHBOURHOODS)]],
                "stage": STAGES[number % len(STAGES)],
                "created_at": start,
            }
            for number, name in enumerate(names)
        ],
    )
    founder_ids = _users(count, "founder", f"founder-{cohort_id}-")
    _db.session.execute(
        insert(VentureMember),
        [
            {"venture_id": venture, "user_id": founder}
            for venture, founder in zip(venture_ids, founder_ids, strict=True)
        ],
    )
    changes, milestones, check_ins = [], [], []
    this_week = clock.week_start(today)
    done = MilestoneStatus.DONE if open_work else MilestoneStatus.VERIFIED
    for number, (venture, founder) in enumerate(zip(venture_ids, founder_ids, strict=True)):
        reached = number % len(STAGES)
        changes += [
            {
                "venture_id": venture,
                "from_stage": STAGES[position - 1] if position else None,
                "to_stage": STAGES[position],
                "changed_at": start + timedelta(days=14 * position),
            }
            for position in range(reached + 1)
        ]
        completed = start + timedelta(days=7)
        milestones += [
            {
                "venture_id": venture,
                "title": f"Milestone {position + 1}",
                "stage": STAGES[reached],
                "due_on": today + timedelta(days=-7 if position == 1 and number % 3 == 0 else 21),
                "status": done if position == 0 else MilestoneStatus.PLANNED,
                "completed_at": completed if position == 0 else None,
                "verified_at": completed if position == 0 and not open_work else None,
            }
            for position in range(3)
        ]
        last_week = this_week - timedelta(weeks=3 if number % 4 == 1 else 0)
        check_ins += [
            {
                "venture_id": venture,
                "week_start": last_week - timedelta(weeks=back),
                "author_id": founder,
                "summary": "A week of interviews",
                "confidence": 2 + (number + back) % 4,
                "users_reached": 100 * (4 - back),
            }
            for back in range(4)
        ]
    _db.session.execute(insert(StageChange), changes)
    _db.session.execute(insert(Milestone), milestones)
    _db.session.execute(insert(CheckIn), check_ins)
    return [
        Team(venture, cohort_id, founder)
        for venture, founder in zip(venture_ids, founder_ids, strict=True)
    ]


@pytest.fixture(scope="class")
def world(class_app: Flask) -> Iterator[World]:
    today = clock.today()
    seeded = scorecard_data.seed(SCORECARD_VENTURES, SCORECARD_FIGURES)
    manager = factories.user("manager", name="Maria Gonzalez")
    admin = factories.user("admin")
    teams: list[Team] = []
    for number in range(HISTORY_COHORTS):
        starts_on = today - timedelta(days=400 + 200 * number)
        cohort_id = _cohort(
            manager, f"History {number}", starts_on, starts_on + timedelta(days=180), "graduated"
        )
        teams += _pipeline(
            cohort_id, VENTURES_PER_HISTORY_COHORT, starts_on, today, open_work=False
        )
    starts_on = today - timedelta(days=90)
    board_id = _cohort(manager, "Board", starts_on, today + timedelta(days=90), "active")
    on_board = _pipeline(board_id, BOARD_VENTURES, starts_on, today, open_work=True)
    teams += on_board
    # The rows went in around the services: the ventures' facts and when each stay ended are
    # derived as the benchmark's seeder derives them, so the risk queries and the analytics
    # are planned over real rows.
    facts.rebuild()
    stamps.rebuild()
    mentor = factories.mentor("Mei Nguyen")
    mentor_ids = [*_users(MENTORS, "mentor", "mentor"), mentor.id]
    _mentoring(mentor_ids, [(team.venture_id, team.founder_id) for team in teams], today)
    _matches(mentor_ids, [(t.venture_id, t.cohort_id, t.founder_id) for t in teams])
    people = list(_db.session.scalars(select(User.id).order_by(User.id)))
    _trail(people, admin.id)
    _analyze()
    watched = on_board[-1]
    yield World(
        manager=manager,
        admin=admin,
        founder=_db.session.get(User, watched.founder_id),
        mentor=mentor,
        person=_db.session.get(User, people[len(people) // 2]),
        board_cohort_id=board_id,
        venture_id=watched.venture_id,
        metric_code=seeded.metric_code,
        tables=tables(),
    )
    _db.session.remove()
    _truncate()


def _truncate() -> None:
    """Empty every table at once: at these sizes TRUNCATE is quicker than the DELETEs the
    class fixture ends with (which then find nothing)."""
    names = ", ".join(f'"{table.name}"' for table in _db.metadata.sorted_tables)
    with _db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")


def signed_in(app: Flask, person: User) -> FlaskClient:
    client = app.test_client()
    _login_session, token = login_sessions.start(person, remember=False)
    _db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


# (name, who asks, path): who is an attribute of World, or None for a visitor.
PAGES: list[tuple[str, str | None, str]] = [
    ("home as a manager", "manager", "/"),
    ("home as a founder", "founder", "/"),
    ("home as a mentor", "mentor", "/"),
    ("board", "manager", "/pipeline/cohorts/{board}"),
    ("board table", "manager", "/pipeline/cohorts/{board}?view=table"),
    ("analytics", "manager", "/pipeline/cohorts/{board}/analytics"),
    ("stage chart", "manager", "/pipeline/cohorts/{board}/stages.svg"),
    ("timeline", "manager", "/ventures/{venture}/timeline"),
    ("timeline as its founder", "founder", "/ventures/{venture}/timeline"),
    ("scorecard", None, "/scorecard/"),
    ("scorecard neighbourhoods", None, "/scorecard/neighbourhoods?metric={metric}"),
    ("scorecard metric", None, "/scorecard/metrics/{metric}"),
    ("scorecard map", None, "/scorecard/map.svg?metric={metric}"),
    ("scorecard trend", None, "/scorecard/metrics/{metric}/trend.svg"),
    ("scorecard json", None, "/scorecard/scorecard.json?metric={metric}"),
    ("scorecard csv", None, "/scorecard/scorecard.csv"),
    ("people", "manager", "/people/"),
    ("people who mentor", "manager", "/people/?role=mentor"),
    ("mentor list", "manager", "/mentoring/mentors"),
    ("people found by name", "manager", "/people/?q=mentor+1"),
    ("a person", "manager", "/people/{person}"),
    ("audit trail", "admin", "/people/audit"),
    ("outbox", "admin", "/people/outbox"),
]


class TestQueryPlans:
    @pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[page[0] for page in PAGES])
    def test_the_page_reads_no_large_table_from_end_to_end(
        self, class_app, world: World, name: str, who: str | None, path: str
    ):
        url = path.format(
            board=world.board_cohort_id,
            venture=world.venture_id,
            metric=world.metric_code,
            person=world.person.id,
        )
        client = signed_in(class_app, getattr(world, who)) if who else class_app.test_client()

        with recorded_selects() as statements:
            response = client.get(url)

        assert response.status_code == 200, (url, response.status_code)
        assert statements, url
        scans = [
            scan
            for scan in whole_table_reads(statements, world.tables)
            if (name, scan.table) not in WHOLE_TABLE
        ]
        assert scans == [], f"{name} ({url}) scans:\n" + "\n".join(map(str, scans))

    def test_the_world_has_large_tables_to_scan(self, world: World):
        for table in (
            "ventures",
            "milestones",
            "check_ins",
            "stage_changes",
            "users",
            "bookings",
            "slots",
            "matches",
            "audit_events",
            "observations",
        ):
            assert table in world.tables.rows, (table, world.tables.rows)

    def test_a_filter_on_a_column_without_an_index_is_found(self, world: World):
        statement = "SELECT id FROM check_ins WHERE summary = %(summary)s"

        scans = whole_table_reads([(statement, {"summary": "Week of never"})], world.tables)

        assert [scan.table for scan in scans] == ["check_ins"]

    def test_a_lookup_by_an_indexed_column_is_not_a_scan(self, world: World):
        statement = "SELECT id FROM milestones WHERE venture_id = %(venture)s"

        assert whole_table_reads([(statement, {"venture": world.venture_id})], world.tables) == []

    def test_a_condition_on_the_second_column_of_an_index_is_found(self, world: World):
        # ix_stage_changes_venture_id_changed_at leads with venture_id: every entry is read.
        statement = "SELECT count(*) FROM stage_changes WHERE changed_at < %(at)s"

        scans = whole_table_reads([(statement, {"at": clock.now()})], world.tables)

        assert [scan.table for scan in scans] == ["stage_changes"]

    def test_a_search_by_the_first_columns_of_an_index_is_not_a_scan(self, world: World):
        statement = (
            "SELECT id FROM audit_events WHERE object_type = %(type)s AND object_id = %(id)s"
        )

        parameters = {"type": "user", "id": str(world.person.id)}
        assert whole_table_reads([(statement, parameters)], world.tables) == []
