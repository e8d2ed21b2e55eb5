"""mentors: a weekly series can be withdrawn as a whole

Revision ID: 0012_mentors
Revises: 0011_homes
Create Date: 2026-11-30

The new column of slot_series is added with a plain ALTER TABLE ... ADD COLUMN: batch mode
would rebuild slot_series on SQLite, and dropping the old table with foreign keys on would
set its slots' series_id to NULL.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_mentors'
down_revision = '0011_homes'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('slot_series', sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('slot_series', 'withdrawn_at')
