"""pipeline: stage history, stage plans, milestones, check-ins, reminders

Revision ID: 0003_pipeline
Revises: 0002_hackathons_cohorts
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_pipeline'
down_revision = '0002_hackathons_cohorts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
    sa.UniqueConstraint('kind', 'user_id', 'period', name='uq_reminders_sent_kind_user_period')
    )
    op.create_table('milestone_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_after_days', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("stage IN ('concept', 'prototype', 'pilot', 'launch', 'adoption')", name=op.f('ck_milestone_templates_stage_known')),
    sa.CheckConstraint('due_after_days >= 0', name=op.f('ck_milestone_templates_due_after_days_not_negative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_milestone_templates_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_templates')),
    sa.UniqueConstraint('cohort_id', 'stage', 'title', name='uq_milestone_templates_title')
    )
    op.create_table('stage_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('expected_days', sa.Integer(), nullable=False),
    sa.CheckConstraint("stage IN ('concept', 'prototype', 'pilot', 'launch', 'adoption')", name=op.f('ck_stage_plans_stage_known')),
    sa.CheckConstraint('expected_days > 0', name=op.f('ck_stage_plans_expected_days_positive')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_stage_plans_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_plans')),
    sa.UniqueConstraint('cohort_id', 'stage', name='uq_stage_plans_cohort_stage')
    )
    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('blockers', sa.Text(), nullable=False),
    sa.Column('ask_kinds', sa.JSON(), nullable=False),
    sa.Column('asks', sa.Text(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('users_reached', sa.Integer(), nullable=True),
    sa.Column('active_pilots', sa.Integer(), nullable=True),
    sa.Column('revenue', sa.Float(), nullable=True),
    sa.Column('funding_raised', sa.Float(), nullable=True),
    sa.Column('team_size', sa.Integer(), nullable=True),
    sa.Column('custom_kpis', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('active_pilots IS NULL OR active_pilots >= 0', name=op.f('ck_check_ins_pilots_not_negative')),
    sa.CheckConstraint('confidence BETWEEN 1 AND 5', name=op.f('ck_check_ins_confidence_in_range')),
    sa.CheckConstraint('funding_raised IS NULL OR funding_raised >= 0', name=op.f('ck_check_ins_funding_not_negative')),
    sa.CheckConstraint('revenue IS NULL OR revenue >= 0', name=op.f('ck_check_ins_revenue_not_negative')),
    sa.CheckConstraint('team_size IS NULL OR team_size >= 0', name=op.f('ck_check_ins_team_not_negative')),
    sa.CheckConstraint('users_reached IS NULL OR users_reached >= 0', name=op.f('ck_check_ins_users_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_check_ins_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_check_ins_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('venture_id', 'week_start', name='uq_check_ins_venture_week')
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index('ix_check_ins_week_start', ['week_start'], unique=False)

    op.create_table('custom_kpis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_custom_kpis_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_kpis')),
    sa.UniqueConstraint('venture_id', 'name', name='uq_custom_kpis_venture_name')
    )
    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('evidence_url', sa.String(length=500), nullable=True),
    sa.Column('evidence_note', sa.Text(), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("stage IN ('concept', 'prototype', 'pilot', 'launch', 'adoption')", name=op.f('ck_milestones_stage_known')),
    sa.CheckConstraint("status != 'verified' OR verified_at IS NOT NULL", name=op.f('ck_milestones_verified_has_time')),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'verified', 'missed')", name=op.f('ck_milestones_status_known')),
    sa.CheckConstraint("status NOT IN ('done', 'verified') OR completed_at IS NOT NULL", name=op.f('ck_milestones_completed_has_time')),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_milestones_title_not_empty')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_milestones_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['milestone_templates.id'], name=op.f('fk_milestones_template_id_milestone_templates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_milestones_venture_id_ventures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_milestones_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index('ix_milestones_due_on', ['due_on'], unique=False)
        batch_op.create_index('ix_milestones_venture_id_status', ['venture_id', 'status'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=16), nullable=True),
    sa.Column('to_stage', sa.String(length=16), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("from_stage IS NULL OR from_stage IN ('concept', 'prototype', 'pilot', 'launch', 'adoption')", name=op.f('ck_stage_changes_from_stage_known')),
    sa.CheckConstraint("to_stage IN ('concept', 'prototype', 'pilot', 'launch', 'adoption')", name=op.f('ck_stage_changes_to_stage_known')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_stage_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_stage_changes_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes'))
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index('ix_stage_changes_venture_id_changed_at', ['venture_id', 'changed_at'], unique=False)

    # Ventures made before this revision entered the pipeline when they were created.
    op.execute(
        "INSERT INTO stage_changes (venture_id, from_stage, to_stage, changed_at, reason) "
        "SELECT id, NULL, stage, created_at, 'Joined the cohort' FROM ventures"
    )


def downgrade():
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_venture_id_changed_at')

    op.drop_table('stage_changes')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_milestones_venture_id_status')
        batch_op.drop_index('ix_milestones_due_on')

    op.drop_table('milestones')
    op.drop_table('custom_kpis')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_check_ins_week_start')

    op.drop_table('check_ins')
    op.drop_table('stage_plans')
    op.drop_table('milestone_templates')
    op.drop_table('reminders_sent')
