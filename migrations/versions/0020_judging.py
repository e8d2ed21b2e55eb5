"""judging: a stamp per hackathon that the database writes anew whenever its results change

Revision ID: 0020_judging
Revises: 0019_board
Create Date: 2026-11-30

The judging results page is drawn from a hackathon's rubric, its submissions (their status,
titles, teams, challenges and placements), their judges' assignments and scores, the judges'
names and the challenges' titles. A worker keeps what it drew under the hackathon's stamp
(services/hackathons/stamps.py), so the stamp must change with every write to any of those,
however it is made: by the ORM, by a Core upsert (scores), by a bulk DELETE, by a cascade (a
judge's account removed takes their assignments and scores with it). Triggers do that in the
database, in the writing transaction:

- scores and judge_assignments: inserted, updated or deleted, the hackathon of their
  submission (before and after an update);
- submissions, rubric_criteria and challenges: inserted, updated or deleted, their hackathon
  (before and after);
- hackathons: inserted, so that a hackathon given the id of a deleted one (SQLite reuses the
  highest) never finds the old one's stamp;
- users: a name changed, every hackathon the person judges a submission of.

A stamp is a random value (16 bytes, hex), never a counter that could come round again.
The table has no foreign key: while a hackathon is deleted, the triggers of its cascaded
rows would insert a stamp for a row going away. A deleted hackathon leaves its stamp behind
(a few bytes); the insert trigger gives its id a new one if it is used again.

On PostgreSQL a transaction writes a hackathon's stamp once (a setting local to the
transaction remembers it): a transaction that writes thousands of rows of one hackathon
would otherwise update one row thousands of times, each update slower than the last while
the transaction holds every version. The reader asks that setting too, and keeps nothing a
transaction draws after writing (services/hackathons/stamps.py). The stamp's row lock is held
from the first write to commit; two transactions writing one hackathon queue on it.

Every existing hackathon is given a stamp.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_judging'
down_revision = '0019_board'
branch_labels = None
depends_on = None

# Tables whose rows name their submission, and tables whose rows name their hackathon.
BY_SUBMISSION = ('scores', 'judge_assignments')
BY_HACKATHON = ('submissions', 'rubric_criteria', 'challenges')
EVENTS = ('insert', 'update', 'delete')

SQLITE_STAMP = "lower(hex(randomblob(16)))"
# The judges' hackathons, for the users trigger.
JUDGED = (
    "SELECT DISTINCT submissions.hackathon_id FROM judge_assignments "
    "JOIN submissions ON submissions.id = judge_assignments.submission_id "
    "WHERE judge_assignments.judge_id = NEW.id"
)


def _sqlite_restamp(hackathons: str) -> str:
    """A statement giving the hackathons a SELECT names new stamps (WHERE: SQLite's parser
    needs one before an upsert's ON CONFLICT)."""
    return (
        "INSERT INTO judging_stamps (hackathon_id, stamp) "
        f"SELECT hackathon_id, {SQLITE_STAMP} FROM ({hackathons}) AS changed "
        "WHERE hackathon_id IS NOT NULL "
        "ON CONFLICT (hackathon_id) DO UPDATE SET stamp = excluded.stamp;"
    )


def _sqlite_rows(event: str) -> list[str]:
    """OLD, NEW or both, as an event of a trigger has them."""
    return {'insert': ['NEW'], 'update': ['OLD', 'NEW'], 'delete': ['OLD']}[event]


def _sqlite_upgrade() -> None:
    for table in BY_SUBMISSION:
        for event in EVENTS:
            body = " ".join(
                _sqlite_restamp(
                    f"SELECT hackathon_id FROM submissions WHERE id = {row}.submission_id"
                )
                for row in _sqlite_rows(event)
            )
            op.execute(
                f"CREATE TRIGGER judging_stamp_{table}_{event} AFTER {event.upper()} "
                f"ON {table} BEGIN {body} END"
            )
    for table in BY_HACKATHON:
        for event in EVENTS:
            body = " ".join(
                _sqlite_restamp(f"SELECT {row}.hackathon_id AS hackathon_id")
                for row in _sqlite_rows(event)
            )
            op.execute(
                f"CREATE TRIGGER judging_stamp_{table}_{event} AFTER {event.upper()} "
                f"ON {table} BEGIN {body} END"
            )
    op.execute(
        "CREATE TRIGGER judging_stamp_hackathons_insert AFTER INSERT ON hackathons BEGIN "
        f"{_sqlite_restamp('SELECT NEW.id AS hackathon_id')} END"
    )
    op.execute(
        "CREATE TRIGGER judging_stamp_users_update AFTER UPDATE OF name ON users "
        f"WHEN OLD.name IS NOT NEW.name BEGIN {_sqlite_restamp(JUDGED)} END"
    )


POSTGRESQL_FUNCTIONS = [
    # One new stamp per hackathon and transaction; the setting, local to the transaction,
    # says this one has written it (and is reverted with a savepoint rolled back).
    """
    CREATE FUNCTION judging_restamp(hackathon integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF hackathon IS NULL
           OR current_setting('judging_stamps.h' || hackathon, true) = 'written' THEN
            RETURN;
        END IF;
        INSERT INTO judging_stamps (hackathon_id, stamp)
        VALUES (hackathon, md5(random()::text || clock_timestamp()::text))
        ON CONFLICT (hackathon_id) DO UPDATE SET stamp = excluded.stamp;
        PERFORM set_config('judging_stamps.h' || hackathon, 'written', true);
    END $$
    """,
    """
    CREATE FUNCTION judging_stamp_by_submission() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM judging_restamp(
                (SELECT hackathon_id FROM submissions WHERE id = OLD.submission_id));
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM judging_restamp(
                (SELECT hackathon_id FROM submissions WHERE id = NEW.submission_id));
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION judging_stamp_by_hackathon() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM judging_restamp(OLD.hackathon_id);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM judging_restamp(NEW.hackathon_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION judging_stamp_new_hackathon() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM judging_restamp(NEW.id);
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION judging_stamp_judge() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        judged integer;
    BEGIN
        FOR judged IN {JUDGED} LOOP
            PERFORM judging_restamp(judged);
        END LOOP;
        RETURN NULL;
    END $$
    """,
]


def _postgresql_upgrade() -> None:
    for function in POSTGRESQL_FUNCTIONS:
        op.execute(function)
    for table in BY_SUBMISSION:
        op.execute(
            f"CREATE TRIGGER judging_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION judging_stamp_by_submission()"
        )
    for table in BY_HACKATHON:
        op.execute(
            f"CREATE TRIGGER judging_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION judging_stamp_by_hackathon()"
        )
    op.execute(
        "CREATE TRIGGER judging_stamp AFTER INSERT ON hackathons "
        "FOR EACH ROW EXECUTE FUNCTION judging_stamp_new_hackathon()"
    )
    op.execute(
        "CREATE TRIGGER judging_stamp AFTER UPDATE OF name ON users FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION judging_stamp_judge()"
    )


def upgrade():
    op.create_table(
        'judging_stamps',
        sa.Column('hackathon_id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('hackathon_id', name=op.f('pk_judging_stamps')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_upgrade()
        stamp = "md5(random()::text || id::text)"
    else:
        _sqlite_upgrade()
        stamp = SQLITE_STAMP
    op.execute(f"INSERT INTO judging_stamps (hackathon_id, stamp) SELECT id, {stamp} FROM hackathons")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in (*BY_SUBMISSION, *BY_HACKATHON, 'hackathons', 'users'):
            op.execute(f"DROP TRIGGER judging_stamp ON {table}")
        for function in (
            'judging_stamp_judge()',
            'judging_stamp_new_hackathon()',
            'judging_stamp_by_hackathon()',
            'judging_stamp_by_submission()',
            'judging_restamp(integer)',
        ):
            op.execute(f"DROP FUNCTION {function}")
    else:
        for table in (*BY_SUBMISSION, *BY_HACKATHON):
            for event in EVENTS:
                op.execute(f"DROP TRIGGER judging_stamp_{table}_{event}")
        op.execute("DROP TRIGGER judging_stamp_hackathons_insert")
        op.execute("DROP TRIGGER judging_stamp_users_update")
    op.drop_table('judging_stamps')
