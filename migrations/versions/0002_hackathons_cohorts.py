"""hackathons, judging, organisations, programs, cohorts and ventures

Revision ID: 0002_hackathons_cohorts
Revises: 0001_foundation
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_hackathons_cohorts'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hackathons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'open', 'judging', 'closed')", name=op.f('ck_hackathons_status_known')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_hackathons_dates_in_order')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_hackathons_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hackathons')),
    sa.UniqueConstraint('name', name=op.f('uq_hackathons_name'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('city_department', 'nonprofit', 'business', 'resident_group', 'foundation')", name=op.f('ck_organisations_kind_known')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_organisations_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('name', name=op.f('uq_programs_name'))
    )
    op.create_table('challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hackathon_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('problem_statement', sa.Text(), nullable=False),
    sa.Column('challenge_area', sa.String(length=80), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('dataset_links', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'declined')", name=op.f('ck_challenges_status_known')),
    sa.ForeignKeyConstraint(['hackathon_id'], ['hackathons.id'], name=op.f('fk_challenges_hackathon_id_hackathons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_challenges_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_challenges_proposed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenges')),
    sa.UniqueConstraint('hackathon_id', 'title', name='uq_challenges_hackathon_title')
    )
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenges_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('cohorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('showcase_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planning', 'active', 'graduated')", name=op.f('ck_cohorts_status_known')),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_cohorts_capacity_positive')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_cohorts_dates_in_order')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_cohorts_program_id_programs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts')),
    sa.UniqueConstraint('program_id', 'name', name='uq_cohorts_program_name')
    )
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hackathon_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['hackathon_id'], ['hackathons.id'], name=op.f('fk_import_batches_hackathon_id_hackathons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_import_batches_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_hackathon_id'), ['hackathon_id'], unique=False)

    op.create_table('organisation_members',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_members_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organisation_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'user_id', name=op.f('pk_organisation_members'))
    )
    with op.batch_alter_table('organisation_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_members_user_id'), ['user_id'], unique=False)

    op.create_table('rubric_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hackathon_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('scale_max > scale_min', name=op.f('ck_rubric_criteria_scale_in_order')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_rubric_criteria_weight_positive')),
    sa.ForeignKeyConstraint(['hackathon_id'], ['hackathons.id'], name=op.f('fk_rubric_criteria_hackathon_id_hackathons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rubric_criteria')),
    sa.UniqueConstraint('hackathon_id', 'name', name='uq_rubric_criteria_hackathon_name')
    )
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hackathon_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=True),
    sa.Column('team_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tagline', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('submission_url', sa.String(length=500), nullable=True),
    sa.Column('demo_url', sa.String(length=500), nullable=True),
    sa.Column('repository_url', sa.String(length=500), nullable=True),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('built_with', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('placement', sa.String(length=24), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("placement IS NULL OR placement IN ('winner', 'runner_up', 'honourable_mention')", name=op.f('ck_submissions_placement_known')),
    sa.CheckConstraint("source IN ('manual', 'devpost')", name=op.f('ck_submissions_source_known')),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f('ck_submissions_status_known')),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_submissions_title_not_empty')),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], name=op.f('fk_submissions_challenge_id_challenges'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hackathon_id'], ['hackathons.id'], name=op.f('fk_submissions_hackathon_id_hackathons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('hackathon_id', 'submission_url', name='uq_submissions_hackathon_url')
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index('ix_submissions_hackathon_id', ['hackathon_id'], unique=False)

    op.create_table('judge_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_judge_assignments_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_judge_assignments_judge_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_judge_assignments_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judge_assignments')),
    sa.UniqueConstraint('judge_id', 'submission_id', name='uq_judge_assignments_judge_submission')
    )
    with op.batch_alter_table('judge_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_judge_assignments_submission_id', ['submission_id'], unique=False)

    op.create_table('scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['rubric_criteria.id'], name=op.f('fk_scores_criterion_id_rubric_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_scores_judge_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_scores_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores')),
    sa.UniqueConstraint('submission_id', 'judge_id', 'criterion_id', name='uq_scores_submission_judge_criterion')
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scores_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index('ix_scores_judge_id', ['judge_id'], unique=False)

    op.create_table('submission_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('email IS NULL OR email = lower(email)', name=op.f('ck_submission_members_email_lowercase')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_members_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submission_members_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_members')),
    sa.UniqueConstraint('submission_id', 'email', name='uq_submission_members_submission_email')
    )
    with op.batch_alter_table('submission_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_members_user_id'), ['user_id'], unique=False)

    op.create_table('ventures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('one_liner', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('challenge_area', sa.String(length=80), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('impact_areas', sa.JSON(), nullable=False),
    sa.Column('neighbourhoods', sa.JSON(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("stage IN ('concept', 'prototype', 'pilot', 'launch', 'adoption')", name=op.f('ck_ventures_stage_known')),
    sa.CheckConstraint("status IN ('active', 'archived')", name=op.f('ck_ventures_status_known')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_ventures_name_not_empty')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_ventures_cohort_id_cohorts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_ventures_submission_id_submissions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ventures')),
    sa.UniqueConstraint('cohort_id', 'name', name='uq_ventures_cohort_name'),
    sa.UniqueConstraint('submission_id', name=op.f('uq_ventures_submission_id'))
    )
    with op.batch_alter_table('ventures', schema=None) as batch_op:
        batch_op.create_index('ix_ventures_cohort_id_status', ['cohort_id', 'status'], unique=False)

    op.create_table('venture_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('venture_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role_in_team', sa.String(length=80), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_venture_members_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['venture_id'], ['ventures.id'], name=op.f('fk_venture_members_venture_id_ventures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venture_members')),
    sa.UniqueConstraint('venture_id', 'user_id', name='uq_venture_members_venture_user')
    )
    with op.batch_alter_table('venture_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venture_members_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('venture_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venture_members_user_id'))

    op.drop_table('venture_members')
    with op.batch_alter_table('ventures', schema=None) as batch_op:
        batch_op.drop_index('ix_ventures_cohort_id_status')

    op.drop_table('ventures')
    with op.batch_alter_table('submission_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_members_user_id'))

    op.drop_table('submission_members')
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index('ix_scores_judge_id')
        batch_op.drop_index(batch_op.f('ix_scores_criterion_id'))

    op.drop_table('scores')
    with op.batch_alter_table('judge_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_judge_assignments_submission_id')

    op.drop_table('judge_assignments')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_hackathon_id')
        batch_op.drop_index(batch_op.f('ix_submissions_challenge_id'))

    op.drop_table('submissions')
    op.drop_table('rubric_criteria')
    with op.batch_alter_table('organisation_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_members_user_id'))

    op.drop_table('organisation_members')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_hackathon_id'))

    op.drop_table('import_batches')
    op.drop_table('cohorts')
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenges_organisation_id'))

    op.drop_table('challenges')
    op.drop_table('programs')
    op.drop_table('organisations')
    op.drop_table('hackathons')
