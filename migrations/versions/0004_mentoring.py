"""mentoring: profiles, slots, bookings, ratings, calendar feeds, office hours

Revision ID: 0004_mentoring
Revises: 0003_pipeline
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_mentoring'
down_revision = '0003_pipeline'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_user_id'), ['user_id'], unique=False)

    op.create_table('mentor_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('challenge_areas', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('meeting_link', sa.String(length=500), nullable=True),
    sa.Column('meeting_place', sa.String(length=200), nullable=False),
    sa.Column('accepting', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_mentor_profiles_capacity_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mentor_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mentor_profiles'))
    )
    op.create_table('slot_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_slot_series_times_in_order')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_slot_series_dates_in_order')),
    sa.CheckConstraint('slot_minutes BETWEEN 5 AND 480', name=op.f('ck_slot_series_slot_length_sensible')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_slot_series_weekday_in_range')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_slot_series_mentor_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot_series'))
    )
    with op.batch_alter_table('slot_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slot_series_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('office_hours_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('meeting_minutes', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_office_hours_days_status_known')),
    sa.CheckConstraint('meeting_minutes BETWEEN 5 AND 120', name=op.f('ck_office_hours_days_meeting_length_sensible')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_office_hours_days_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_office_hours_days_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_hours_days'))
    )
    with op.batch_alter_table('office_hours_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_office_hours_days_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('office_hours_day_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'withdrawn')", name=op.f('ck_slots_status_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_slots_times_in_order')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_slots_mentor_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['office_hours_day_id'], ['office_hours_days.id'], name=op.f('fk_slots_office_hours_day_id_office_hours_days'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['slot_series.id'], name=op.f('fk_slots_series_id_slot_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slots'))
    )
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.create_index('ix_slots_mentor_id_starts_at', ['mentor_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_slots_office_hours_day_id'), ['office_hours_day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slots_series_id'), ['series_id'], unique=False)
        batch_op.create_index('ix_slots_starts_at', ['starts_at'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=120), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('founder_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('late_cancellation', sa.Boolean(), nullable=False),
    sa.Column('rescheduled_to_id', sa.Integer(), nullable=True),
    sa.Column('shared_notes', sa.Text(), nullable=False),
    sa.Column('private_notes', sa.Text(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('office_hours_day_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status != 'cancelled' OR cancelled_at IS NOT NULL", name=op.f('ck_bookings_cancelled_has_time')),
    sa.CheckConstraint("status IN ('booked', 'cancelled', 'completed', 'no_show')", name=op.f('ck_bookings_status_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_bookings_times_in_order')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_bookings_cancelled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['founder_id'], ['users.id'], name=op.f('fk_bookings_founder_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_bookings_mentor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['office_hours_day_id'], ['office_hours_days.id'], name=op.f('fk_bookings_office_hours_day_id_office_hours_days'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rescheduled_to_id'], ['bookings.id'], name=op.f('fk_bookings_rescheduled_to_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], name=op.f('fk_bookings_slot_id_slots'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_bookings_venture_id_ventures'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('uid', name=op.f('uq_bookings_uid'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_founder_id_starts_at', ['founder_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_bookings_mentor_id_starts_at', ['mentor_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_office_hours_day_id'), ['office_hours_day_id'], unique=False)
        batch_op.create_index('ix_bookings_venture_id', ['venture_id'], unique=False)
        batch_op.create_index('uq_bookings_slot_id_active', ['slot_id'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))

    op.create_table('office_hours_rankings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('ranker_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.CheckConstraint("side IN ('mentor', 'founder')", name=op.f('ck_office_hours_rankings_side_known')),
    sa.CheckConstraint('rank >= 1', name=op.f('ck_office_hours_rankings_rank_positive')),
    sa.ForeignKeyConstraint(['day_id'], ['office_hours_days.id'], name=op.f('fk_office_hours_rankings_day_id_office_hours_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_office_hours_rankings_mentor_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ranker_id'], ['users.id'], name=op.f('fk_office_hours_rankings_ranker_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_office_hours_rankings_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_hours_rankings')),
    sa.UniqueConstraint('day_id', 'ranker_id', 'mentor_id', 'venture_id', name='uq_office_hours_rankings_pair')
    )
    op.create_table('session_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("side IN ('mentor', 'founder')", name=op.f('ck_session_ratings_side_known')),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_session_ratings_score_in_range')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_session_ratings_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_session_ratings_rater_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_ratings')),
    sa.UniqueConstraint('booking_id', 'rater_id', name='uq_session_ratings_booking_rater')
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('attachment_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment', sa.Text(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL also refuses overlaps outright: a mentor's open slots, and a founder's
        # live sessions. (SQLite serialises these writes with BEGIN IMMEDIATE instead.)
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE slots ADD CONSTRAINT ex_slots_mentor_overlap EXCLUDE USING gist "
            "(mentor_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'open')"
        )
        op.execute(
            "ALTER TABLE bookings ADD CONSTRAINT ex_bookings_founder_overlap EXCLUDE USING gist "
            "(founder_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
            "WHERE (status = 'booked')"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE bookings DROP CONSTRAINT ex_bookings_founder_overlap")
        op.execute("ALTER TABLE slots DROP CONSTRAINT ex_slots_mentor_overlap")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('attachment')
        batch_op.drop_column('attachment_type')
        batch_op.drop_column('attachment_name')

    op.drop_table('session_ratings')
    op.drop_table('office_hours_rankings')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_slot_id_active', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index('ix_bookings_venture_id')
        batch_op.drop_index(batch_op.f('ix_bookings_office_hours_day_id'))
        batch_op.drop_index('ix_bookings_mentor_id_starts_at')
        batch_op.drop_index('ix_bookings_founder_id_starts_at')

    op.drop_table('bookings')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index('ix_slots_starts_at')
        batch_op.drop_index(batch_op.f('ix_slots_series_id'))
        batch_op.drop_index(batch_op.f('ix_slots_office_hours_day_id'))
        batch_op.drop_index('ix_slots_mentor_id_starts_at')

    op.drop_table('slots')
    with op.batch_alter_table('office_hours_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_office_hours_days_cohort_id'))

    op.drop_table('office_hours_days')
    with op.batch_alter_table('slot_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slot_series_mentor_id'))

    op.drop_table('slot_series')
    op.drop_table('mentor_profiles')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_user_id'))

    op.drop_table('calendar_feeds')
