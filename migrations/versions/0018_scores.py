"""scores: an index the judging results add up every score from without reading the table

Revision ID: 0018_scores
Revises: 0017_analytics
Create Date: 2026-11-30

The results page ranks every submission of a hackathon on each request, from each assigned
judge's points per submission: the sum of every score (20,000 for 1,000 submissions scored
by five judges on four criteria). The unique index on (submission, judge, criterion) orders
them but lacks the value, so every score was also read from the table; this index carries
it. Plain CREATE INDEX on both databases.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_scores'
down_revision = '0017_analytics'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_scores_totals',
        'scores',
        ['submission_id', 'judge_id', 'criterion_id', 'value'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_scores_totals', table_name='scores')
