"""matching: whether a reason for declining an introduction is shared with the other side

Revision ID: 0013_matching
Revises: 0012_mentors
Create Date: 2026-11-30

A plain ALTER TABLE ... ADD COLUMN, as in 0010: batch mode would rebuild matches on SQLite.
Existing reasons stay with the program team (false), as the decline form promised.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_matching'
down_revision = '0012_mentors'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'matches',
        sa.Column('decline_reason_shared', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.drop_column('matches', 'decline_reason_shared')
