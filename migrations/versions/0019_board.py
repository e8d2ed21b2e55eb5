"""board: indexes that give the pipeline board its first cards without sorting the cohort,
and the manager's home the milestones waiting longest to be verified

Revision ID: 0019_board
Revises: 0018_scores
Create Date: 2026-11-30

The board's columns and the table's first page sorted by name ordered every active venture
of the cohort by lower(name) to keep the first twenty of each stage (about 20 ms at 10,000
ventures on SQLite). With the cohort, status, (stage,) lower(name) and id in one index the
database reads the first rows of each stage in order and stops; the counts by stage read the
index alone.

The home named the milestones waiting longest to be verified by grouping every one by
venture. With status, completed_at and venture_id in one index (replacing the one on status
alone) it reads the first few in order; it checks each against its venture's earlier ones
through the index on venture_id and status, which now carries completed_at too, so that it
covers that lookup as the other does (SQLite without statistics prefers a covering index).
It counts every waiting milestone from the index on status, less those of ventures no longer
active, found through a new index on ventures' status (a few rows), rather than joining every
waiting milestone to its venture (a read of the whole ventures table).

Plain CREATE INDEX and DROP INDEX on both databases (no table rebuilt).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_board'
down_revision = '0018_scores'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_milestones_status_completed_at',
        'milestones',
        ['status', 'completed_at', 'venture_id'],
        unique=False,
    )
    op.drop_index('ix_milestones_status', table_name='milestones')
    op.create_index(
        'ix_milestones_venture_id_status_completed_at',
        'milestones',
        ['venture_id', 'status', 'completed_at'],
        unique=False,
    )
    op.drop_index('ix_milestones_venture_id_status', table_name='milestones')
    op.create_index('ix_ventures_status', 'ventures', ['status'], unique=False)
    op.create_index(
        'ix_ventures_cohort_status_stage_name',
        'ventures',
        ['cohort_id', 'status', 'stage', sa.text('lower(name)'), 'id'],
        unique=False,
    )
    op.create_index(
        'ix_ventures_cohort_status_name',
        'ventures',
        ['cohort_id', 'status', sa.text('lower(name)'), 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_ventures_status', table_name='ventures')
    op.drop_index('ix_ventures_cohort_status_name', table_name='ventures')
    op.drop_index('ix_ventures_cohort_status_stage_name', table_name='ventures')
    op.create_index(
        'ix_milestones_venture_id_status', 'milestones', ['venture_id', 'status'], unique=False
    )
    op.drop_index('ix_milestones_venture_id_status_completed_at', table_name='milestones')
    op.create_index('ix_milestones_status', 'milestones', ['status'], unique=False)
    op.drop_index('ix_milestones_status_completed_at', table_name='milestones')
