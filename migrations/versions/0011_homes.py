"""homes: when an invitation not accepted was mailed again

Revision ID: 0011_homes
Revises: 0010_inclusion
Create Date: 2026-11-30

A nullable column added with plain ALTER TABLE ... ADD COLUMN on both databases (batch mode
would rebuild invitations on SQLite for nothing).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_homes'
down_revision = '0010_inclusion'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('invitations', sa.Column('resent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('invitations', 'resent_at')
