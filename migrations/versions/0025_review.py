"""review: matching stamps the database writes anew whenever a review's room or choices change

Revision ID: 0025_review
Revises: 0024_facts
Create Date: 2026-11-30

The matching review page's room (the run form's bounds), its add form's two long lists, a
draft's page of matches and its comparison are drawn from a cohort's active ventures (name,
needs, stage, status, cohort), the counterparts open to matching (people's names and
activity, their roles and mentor or funder profiles; organisations' names and partner
profiles), the cohort's pairs introduced, accepted or declined, the places introductions
hold in other cohorts, the draft's matches (their pins, scores, reasons, counterparts and
statuses) and the run's summary (services/matching/facts.py `room_rows`,
services/matching/review_lists.py `draft_page`). A worker keeps what it drew under the
stamps (services/matching/stamps.py), so a stamp must change with every write to any of
those, however it is made: by the ORM, a Core statement, a bulk DELETE, a cascade, a seeder.
Triggers do that in the database, in the writing transaction. Each cohort has a stamp, and
one more (scope 0) is read by every cohort:

- ventures: inserted, deleted, or their name, needs, stage, status or cohort updated: their
  cohort (before and after);
- matches: inserted, deleted or updated (run, cohort, venture, kind, counterpart, status,
  pin, score, reasons) when the row before or after counts: introduced or accepted (a place
  held: scope 0, every cohort counts it), or else a run's (a draft's page of matches lists
  it), declined or pinned (its cohort). A run's thousand matches stamp their cohort once on
  PostgreSQL (once per row on SQLite, a few milliseconds);
- people's names and activity (updated to another value, or deleted), roles, mentor,
  funder and partner profiles (inserted, deleted, or a column the room reads updated), and
  organisations' names (updated to another value, or deleted): scope 0;
- matching runs: inserted, deleted, or their summary (the comparison the review shows, a
  row per venture) or cohort updated: their cohort;
- cohorts: inserted, so that a cohort given the id of a deleted one (SQLite reuses the
  highest) never finds the old one's stamp.

Other writes (a check-in, an introduction's answers, a profile's bio, a run's status) leave
the stamps alone.

A stamp is a random value (16 bytes, hex), never a counter that could come round again.
The table has no foreign key: while a cohort is deleted, the triggers of its cascaded rows
write a stamp for a row going away; it stays behind (a few bytes).

On PostgreSQL a transaction writes a stamp once (a setting local to the transaction
remembers it), as migrations 0020_judging and 0023_inclusion do: the reader asks that setting
too and keeps nothing a transaction draws after writing. A stamp's row stays locked from a
transaction's first such write to its commit: writers of one cohort's ventures queue there,
and writers of anything every cohort reads (a place held, a profile) queue on scope 0.

Every existing cohort, and scope 0, is given a stamp.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_review'
down_revision = '0024_facts'
branch_labels = None
depends_on = None

SQLITE_STAMP = "lower(hex(randomblob(16)))"
EVENTS = ('insert', 'update', 'delete')
SHARED = "0"
# A match counts when it is a run's (a draft's page of matches lists it), holds a place, was
# declined, or is pinned in a draft (facts._room_statement); one that holds a place counts in
# every cohort's room.
MATCH_COUNTS = (
    "({row}.run_id IS NOT NULL OR {row}.status IN ('introduced', 'accepted', 'declined') "
    "OR ({row}.pinned AND {row}.status = 'proposed'))"
)
MATCH_SCOPE = "CASE WHEN {row}.status IN ('introduced', 'accepted') THEN 0 ELSE {row}.cohort_id END"
# Each table: the events that count, the columns whose update counts, the scope a row
# ({row}: OLD or NEW) stamps, the condition for a row to count (None: every row), and
# whether an update counts only when one of the columns changes (not for JSON columns, which
# PostgreSQL cannot compare).
WATCHED = {
    'ventures': (EVENTS, ('name', 'needs', 'stage', 'status', 'cohort_id'), "{row}.cohort_id", None, False),
    'matches': (
        EVENTS,
        (
            'run_id', 'cohort_id', 'venture_id', 'kind', 'counterpart_id', 'organisation_id',
            'counterpart_key', 'status', 'pinned', 'score', 'reasons',
        ),
        MATCH_SCOPE,
        MATCH_COUNTS,
        False,
    ),
    'user_roles': (EVENTS, ('user_id', 'role'), SHARED, None, False),
    'mentor_profiles': (EVENTS, ('user_id', 'capacity', 'accepting'), SHARED, None, False),
    'funder_profiles': (
        EVENTS, ('user_id', 'capacity', 'open_to_civic', 'stages'), SHARED, None, False
    ),
    'partner_profiles': (EVENTS, ('organisation_id', 'capacity'), SHARED, None, False),
    'users': (('update', 'delete'), ('name', 'active'), SHARED, None, True),
    'organisations': (('update', 'delete'), ('name',), SHARED, None, True),
    'cohorts': (('insert',), (), "{row}.id", None, False),
    'matching_runs': (EVENTS, ('summary', 'cohort_id'), "{row}.cohort_id", None, False),
}


def _rows(event: str) -> list[str]:
    """OLD, NEW or both, as an event of a trigger has them."""
    return {'insert': ['NEW'], 'update': ['OLD', 'NEW'], 'delete': ['OLD']}[event]


def _when(event: str, columns: tuple[str, ...], counts: str | None, changed: bool, differs: str) -> str:
    """The condition under which an event of a table stamps ("" for always): a row that
    counts, before or after; for an update, a column changed (`differs`: the databases'
    "is distinct from")."""
    if counts is not None:
        return " OR ".join(counts.format(row=row) for row in _rows(event))
    if changed and event == 'update':
        return " OR ".join(f"OLD.{column} {differs} NEW.{column}" for column in columns)
    return ""


def _sqlite_restamp(scope: str, counts: str | None, row: str) -> str:
    """A statement giving the scope of a row new stamps, if the row counts (WHERE: SQLite's
    parser needs one before an upsert's ON CONFLICT)."""
    condition = f"({scope.format(row=row)}) IS NOT NULL"
    if counts is not None:
        condition = f"{counts.format(row=row)} AND {condition}"
    return (
        "INSERT INTO matching_stamps (scope, stamp) "
        f"SELECT {scope.format(row=row)}, {SQLITE_STAMP} WHERE {condition} "
        "ON CONFLICT (scope) DO UPDATE SET stamp = excluded.stamp;"
    )


def _sqlite_upgrade() -> None:
    for table, (events, columns, scope, counts, changed) in WATCHED.items():
        for event in events:
            body = " ".join(_sqlite_restamp(scope, counts, row) for row in _rows(event))
            of = f" OF {', '.join(columns)}" if event == 'update' else ""
            when = _when(event, columns, counts, changed, "IS NOT")
            op.execute(
                f"CREATE TRIGGER matching_stamp_{table}_{event} AFTER {event.upper()}{of} "
                f"ON {table}{f' WHEN {when}' if when else ''} BEGIN {body} END"
            )


RESTAMP = """
    CREATE FUNCTION matching_restamp(changed integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF changed IS NULL
           OR current_setting('matching_stamps.s' || changed, true) = 'written' THEN
            RETURN;
        END IF;
        INSERT INTO matching_stamps (scope, stamp)
        VALUES (changed, md5(random()::text || clock_timestamp()::text))
        ON CONFLICT (scope) DO UPDATE SET stamp = excluded.stamp;
        PERFORM set_config('matching_stamps.s' || changed, 'written', true);
    END $$
"""


def _postgresql_function(table: str, scope: str, counts: str | None) -> str:
    """The trigger function of a table: the scopes its old and new row count in."""

    def restamp(row: str) -> str:
        statement = f"PERFORM matching_restamp({scope.format(row=row)});"
        if counts is None:
            return statement
        return f"IF {counts.format(row=row)} THEN {statement} END IF;"

    return f"""
    CREATE FUNCTION matching_stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            {restamp('OLD')}
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {restamp('NEW')}
        END IF;
        RETURN NULL;
    END $$
    """


def _postgresql_upgrade() -> None:
    op.execute(RESTAMP)
    for table, (events, columns, scope, counts, changed) in WATCHED.items():
        op.execute(_postgresql_function(table, scope, counts))
        for event in events:
            of = f" OF {', '.join(columns)}" if event == 'update' else ""
            when = _when(event, columns, counts, changed, "IS DISTINCT FROM")
            op.execute(
                f"CREATE TRIGGER matching_stamp_{event} AFTER {event.upper()}{of} ON {table} "
                f"FOR EACH ROW{f' WHEN ({when})' if when else ''} "
                f"EXECUTE FUNCTION matching_stamp_{table}()"
            )


def upgrade():
    op.create_table(
        'matching_stamps',
        sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_matching_stamps')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_upgrade()
        stamp = "md5(random()::text || scope::text)"
    else:
        _sqlite_upgrade()
        stamp = SQLITE_STAMP
    op.execute(
        f"INSERT INTO matching_stamps (scope, stamp) SELECT scope, {stamp} "
        "FROM (SELECT 0 AS scope UNION SELECT id FROM cohorts) AS scopes"
    )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table, (events, *_rest) in WATCHED.items():
            for event in events:
                op.execute(f"DROP TRIGGER matching_stamp_{event} ON {table}")
            op.execute(f"DROP FUNCTION matching_stamp_{table}()")
        op.execute("DROP FUNCTION matching_restamp(integer)")
    else:
        for table, (events, *_rest) in WATCHED.items():
            for event in events:
                op.execute(f"DROP TRIGGER matching_stamp_{table}_{event}")
    op.drop_table('matching_stamps')
