"""counts: the board counts a cohort's ventures at risk from an index alone

Revision ID: 0026_counts
Revises: 0025_review
Create Date: 2026-11-30

A board drawn after a change counts the cohort's active ventures by stage and at risk. The
rules read six columns of each venture's facts row; with an index on the cohort, status and
stage alone, SQLite read the index and then each of 10,000 rows (3.7 ms); with those six
columns in the index as well it reads the index alone (1.3 ms). The index takes the place of
ix_pipeline_facts_cohort_status_stage, whose columns lead it, so every query that used that
one uses this one. PostgreSQL reads the whole cohort by a sequential scan either way.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_counts'
down_revision = '0025_review'
branch_labels = None
depends_on = None

COLUMNS = [
    'cohort_id',
    'status',
    'stage',
    'first_open_due_on',
    'last_check_in_on',
    'joined_at',
    'stage_since_at',
    'low_run_1',
    'low_run_2',
    'low_run_3',
    'low_run_4',
]


def upgrade():
    op.create_index('ix_pipeline_facts_cohort_risk', 'pipeline_facts', COLUMNS, unique=False)
    op.drop_index('ix_pipeline_facts_cohort_status_stage', table_name='pipeline_facts')


def downgrade():
    op.create_index(
        'ix_pipeline_facts_cohort_status_stage',
        'pipeline_facts',
        ['cohort_id', 'status', 'stage'],
        unique=False,
    )
    op.drop_index('ix_pipeline_facts_cohort_risk', table_name='pipeline_facts')
