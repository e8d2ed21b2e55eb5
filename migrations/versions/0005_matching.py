"""matching: funder and partner profiles, matching runs, matches, pilots, investments

Revision ID: 0005_matching
Revises: 0004_mentoring
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_matching'
down_revision = '0004_mentoring'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funder_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('funder_type', sa.String(length=16), nullable=False),
    sa.Column('stages', sa.JSON(), nullable=False),
    sa.Column('cheque_min', sa.Integer(), nullable=False),
    sa.Column('cheque_max', sa.Integer(), nullable=False),
    sa.Column('focus_areas', sa.JSON(), nullable=False),
    sa.Column('open_to_civic', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("funder_type IN ('angel', 'fund', 'foundation', 'public_grant')", name=op.f('ck_funder_profiles_type_known')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_funder_profiles_capacity_not_negative')),
    sa.CheckConstraint('cheque_min >= 0 AND cheque_max >= cheque_min', name=op.f('ck_funder_profiles_cheques_in_order')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_funder_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_funder_profiles'))
    )
    op.create_table('partner_profiles',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhoods', sa.JSON(), nullable=False),
    sa.Column('challenge_areas', sa.JSON(), nullable=False),
    sa.Column('offers', sa.JSON(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_partner_profiles_capacity_not_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_partner_profiles_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_partner_profiles'))
    )
    op.create_table('matching_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('min_per_venture', sa.Integer(), nullable=False),
    sa.Column('max_per_venture', sa.Integer(), nullable=False),
    sa.Column('total_score', sa.Double(), nullable=False),
    sa.Column('blocking_pairs', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('mentor', 'funder', 'partner')", name=op.f('ck_matching_runs_kind_known')),
    sa.CheckConstraint("method IN ('optimal', 'stable')", name=op.f('ck_matching_runs_method_known')),
    sa.CheckConstraint("status IN ('draft', 'published', 'discarded')", name=op.f('ck_matching_runs_status_known')),
    sa.CheckConstraint('min_per_venture >= 0 AND max_per_venture >= min_per_venture', name=op.f('ck_matching_runs_bounds_in_order')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_matching_runs_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_matching_runs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_runs'))
    )
    with op.batch_alter_table('matching_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_runs_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('investments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('funder_id', sa.Integer(), nullable=True),
    sa.Column('funder_name', sa.String(length=160), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('instrument', sa.String(length=16), nullable=False),
    sa.Column('invested_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("instrument IN ('grant', 'safe', 'equity', 'loan')", name=op.f('ck_investments_instrument_known')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_investments_amount_positive')),
    sa.ForeignKeyConstraint(['funder_id'], ['users.id'], name=op.f('fk_investments_funder_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_investments_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investments'))
    )
    with op.batch_alter_table('investments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investments_funder_id'), ['funder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_investments_venture_id'), ['venture_id'], unique=False)

    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('counterpart_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('counterpart_key', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('venture_answer', sa.String(length=16), nullable=False),
    sa.Column('counterpart_answer', sa.String(length=16), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('introduced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(kind = 'partner' AND organisation_id IS NOT NULL AND counterpart_id IS NULL) OR (kind != 'partner' AND counterpart_id IS NOT NULL AND organisation_id IS NULL)", name=op.f('ck_matches_one_counterpart')),
    sa.CheckConstraint("counterpart_answer IN ('pending', 'accepted', 'declined')", name=op.f('ck_matches_counterpart_answer_known')),
    sa.CheckConstraint("kind IN ('mentor', 'funder', 'partner')", name=op.f('ck_matches_kind_known')),
    sa.CheckConstraint("status IN ('proposed', 'introduced', 'accepted', 'declined', 'ended')", name=op.f('ck_matches_status_known')),
    sa.CheckConstraint("venture_answer IN ('pending', 'accepted', 'declined')", name=op.f('ck_matches_venture_answer_known')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_matches_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counterpart_id'], ['users.id'], name=op.f('fk_matches_counterpart_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_matches_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['matching_runs.id'], name=op.f('fk_matches_run_id_matching_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_matches_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index('ix_matches_counterpart_id', ['counterpart_id'], unique=False)
        batch_op.create_index('ix_matches_organisation_id', ['organisation_id'], unique=False)
        batch_op.create_index('ix_matches_run_id', ['run_id'], unique=False)
        batch_op.create_index('uq_matches_live_pair', ['venture_id', 'kind', 'counterpart_key'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'introduced', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'introduced', 'accepted')"))

    op.create_table('pilots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('residents_reached', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'running', 'completed', 'adopted', 'stopped')", name=op.f('ck_pilots_status_known')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_pilots_dates_in_order')),
    sa.CheckConstraint('residents_reached >= 0', name=op.f('ck_pilots_reached_not_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pilots_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_pilots_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilots'))
    )
    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilots_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilots_venture_id'), ['venture_id'], unique=False)

    # Existing ventures start with no languages and nothing shared.
    with op.batch_alter_table('ventures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('shared_kpis', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))



def downgrade():
    # Existing ventures start with no languages and nothing shared.
    with op.batch_alter_table('ventures', schema=None) as batch_op:
        batch_op.drop_column('shared_kpis')
        batch_op.drop_column('languages')

    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilots_venture_id'))
        batch_op.drop_index(batch_op.f('ix_pilots_organisation_id'))

    op.drop_table('pilots')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('uq_matches_live_pair', sqlite_where=sa.text("status IN ('proposed', 'introduced', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'introduced', 'accepted')"))
        batch_op.drop_index('ix_matches_run_id')
        batch_op.drop_index('ix_matches_organisation_id')
        batch_op.drop_index('ix_matches_counterpart_id')

    op.drop_table('matches')
    with op.batch_alter_table('investments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investments_venture_id'))
        batch_op.drop_index(batch_op.f('ix_investments_funder_id'))

    op.drop_table('investments')
    with op.batch_alter_table('matching_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_runs_cohort_id'))

    op.drop_table('matching_runs')
    op.drop_table('partner_profiles')
    op.drop_table('funder_profiles')
