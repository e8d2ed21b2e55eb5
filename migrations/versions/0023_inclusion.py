"""inclusion: a stamp per hackathon that the database writes anew whenever its funnel changes

Revision ID: 0023_inclusion
Revises: 0022_home
Create Date: 2026-11-30

The inclusion funnel counts a hackathon's registrations (their hackathon, person, status,
check-in, backgrounds, residence and referral), the registrants' demographic answers
(gender, age band, race and ethnicity), the outreach partner and organisation that referred
them (its name), the submitted submissions of the hackathon (status, placement) and their
members, the ventures promoted from them (their submission and cohort), the ventures'
members, investments and adopted pilots, and the hackathons' names and dates. A worker keeps
what it drew under the stamps of the hackathons it counts (services/inclusion/stamps.py), so
a hackathon's stamp must change with every write to any of those, however it is made: by the
ORM, a Core statement, a bulk DELETE, a cascade (a person's account removed takes their
registrations and answers with it), a seeder. Triggers do that in the database, in the
writing transaction:

- registrations, submissions and outreach partners: inserted, deleted, or one of the columns
  the funnel reads updated, their hackathon (before and after);
- submission members and ventures: the hackathon of their submission;
- venture members, investments and pilots: the hackathon of their venture's submission;
- demographic answers: every hackathon the person registered for;
- organisations: a name changed, every hackathon they do outreach for;
- hackathons: inserted (a hackathon given the id of a deleted one never finds the old one's
  stamp), deleted, or their name or start date changed (the funnel over time names them).

Updates of other columns (a reminder sent, a venture's stage) leave the stamps alone.

A stamp is a random value (16 bytes, hex), never a counter that could come round again. The
table has no foreign key: while a hackathon is deleted, the triggers of its cascaded rows
write a stamp for a row going away; it stays behind (a few bytes).

On PostgreSQL a transaction writes a hackathon's stamp once (a setting local to the
transaction remembers it), as migration 0020_judging does for the judging stamps: a seeder
writing 20,000 registrations of one hackathon in a transaction updates its stamp once. The
reader asks that setting too and keeps nothing a transaction draws after writing. A stamp's
row stays locked from a transaction's first such write to its commit: writers of one
hackathon's registrations queue there (the registration services lock the hackathon row
first anyway); a write that counts in several hackathons (a person's answers, an
organisation's name) stamps them in the order of their ids.

Every existing hackathon is given a stamp.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_inclusion'
down_revision = '0022_home'
branch_labels = None
depends_on = None

SQLITE_STAMP = "lower(hex(randomblob(16)))"
_BY_VENTURE = (
    "SELECT submissions.hackathon_id AS hackathon_id FROM ventures "
    "JOIN submissions ON submissions.id = ventures.submission_id WHERE ventures.id = {row}.venture_id"
)
_BY_SUBMISSION = "SELECT hackathon_id FROM submissions WHERE id = {row}.submission_id"
_OWN = "SELECT {row}.hackathon_id AS hackathon_id"
# Each table the funnel reads: the columns whose update changes the funnel (None: the table
# is only inserted into and deleted from, or every column counts) and the hackathons a row
# ({row}: OLD or NEW) counts in.
WATCHED = {
    'registrations': (
        ('hackathon_id', 'user_id', 'status', 'attended_at', 'backgrounds', 'residence',
         'referred_by_id'),
        _OWN,
    ),
    'submissions': (('hackathon_id', 'status', 'placement'), _OWN),
    'outreach_partners': (('hackathon_id', 'organisation_id'), _OWN),
    'submission_members': (('submission_id', 'user_id'), _BY_SUBMISSION),
    'ventures': (('submission_id', 'cohort_id'), _BY_SUBMISSION),
    'venture_members': (('venture_id', 'user_id'), _BY_VENTURE),
    'investments': (('venture_id',), _BY_VENTURE),
    'pilots': (('venture_id', 'status'), _BY_VENTURE),
    'demographic_answers': (
        ('user_id', 'gender', 'age_band', 'race_ethnicity'),
        "SELECT DISTINCT hackathon_id FROM registrations WHERE user_id = {row}.user_id "
        "ORDER BY hackathon_id",
    ),
    'hackathons': (('name', 'starts_on'), "SELECT {row}.id AS hackathon_id"),
}
# Organisations count by their name only: inserted, they count nowhere yet; deleted, their
# outreach partners go with them (and those triggers write).
ORGANISATIONS = (
    "SELECT DISTINCT hackathon_id FROM outreach_partners WHERE organisation_id = {row}.id "
    "ORDER BY hackathon_id"
)
EVENTS = ('insert', 'update', 'delete')


def _sqlite_restamp(hackathons: str) -> str:
    """A statement giving the hackathons a SELECT names new stamps (WHERE: SQLite's parser
    needs one before an upsert's ON CONFLICT)."""
    return (
        "INSERT INTO funnel_stamps (hackathon_id, stamp) "
        f"SELECT hackathon_id, {SQLITE_STAMP} FROM ({hackathons}) AS changed "
        "WHERE hackathon_id IS NOT NULL "
        "ON CONFLICT (hackathon_id) DO UPDATE SET stamp = excluded.stamp;"
    )


def _sqlite_rows(event: str) -> list[str]:
    """OLD, NEW or both, as an event of a trigger has them."""
    return {'insert': ['NEW'], 'update': ['OLD', 'NEW'], 'delete': ['OLD']}[event]


def _sqlite_upgrade() -> None:
    for table, (columns, hackathons) in WATCHED.items():
        for event in EVENTS:
            body = " ".join(
                _sqlite_restamp(hackathons.format(row=row)) for row in _sqlite_rows(event)
            )
            of = f" OF {', '.join(columns)}" if event == 'update' else ""
            op.execute(
                f"CREATE TRIGGER funnel_stamp_{table}_{event} AFTER {event.upper()}{of} "
                f"ON {table} BEGIN {body} END"
            )
    op.execute(
        "CREATE TRIGGER funnel_stamp_organisations_update AFTER UPDATE OF name ON organisations "
        f"WHEN OLD.name IS NOT NEW.name BEGIN {_sqlite_restamp(ORGANISATIONS.format(row='NEW'))} END"
    )


RESTAMP = """
    CREATE FUNCTION funnel_restamp(hackathon integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        IF hackathon IS NULL
           OR current_setting('funnel_stamps.h' || hackathon, true) = 'written' THEN
            RETURN;
        END IF;
        INSERT INTO funnel_stamps (hackathon_id, stamp)
        VALUES (hackathon, md5(random()::text || clock_timestamp()::text))
        ON CONFLICT (hackathon_id) DO UPDATE SET stamp = excluded.stamp;
        PERFORM set_config('funnel_stamps.h' || hackathon, 'written', true);
    END $$
"""


def _postgresql_function(table: str, hackathons: str) -> str:
    """The trigger function of a table: the hackathons its old and new row count in."""
    return f"""
    CREATE FUNCTION funnel_stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        changed integer;
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            FOR changed IN {hackathons.format(row='OLD')} LOOP
                PERFORM funnel_restamp(changed);
            END LOOP;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            FOR changed IN {hackathons.format(row='NEW')} LOOP
                PERFORM funnel_restamp(changed);
            END LOOP;
        END IF;
        RETURN NULL;
    END $$
    """


def _postgresql_upgrade() -> None:
    op.execute(RESTAMP)
    for table, (columns, hackathons) in WATCHED.items():
        op.execute(_postgresql_function(table, hackathons))
        op.execute(
            f"CREATE TRIGGER funnel_stamp AFTER INSERT OR UPDATE OF {', '.join(columns)} "
            f"OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION funnel_stamp_{table}()"
        )
    op.execute(_postgresql_function('organisations', ORGANISATIONS))
    op.execute(
        "CREATE TRIGGER funnel_stamp AFTER UPDATE OF name ON organisations FOR EACH ROW "
        "WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION funnel_stamp_organisations()"
    )


def upgrade():
    op.create_table(
        'funnel_stamps',
        sa.Column('hackathon_id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('hackathon_id', name=op.f('pk_funnel_stamps')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        _postgresql_upgrade()
        stamp = "md5(random()::text || id::text)"
    else:
        _sqlite_upgrade()
        stamp = SQLITE_STAMP
    op.execute(f"INSERT INTO funnel_stamps (hackathon_id, stamp) SELECT id, {stamp} FROM hackathons")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in (*WATCHED, 'organisations'):
            op.execute(f"DROP TRIGGER funnel_stamp ON {table}")
            op.execute(f"DROP FUNCTION funnel_stamp_{table}()")
        op.execute("DROP FUNCTION funnel_restamp(integer)")
    else:
        for table in WATCHED:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER funnel_stamp_{table}_{event}")
        op.execute("DROP TRIGGER funnel_stamp_organisations_update")
    op.drop_table('funnel_stamps')
