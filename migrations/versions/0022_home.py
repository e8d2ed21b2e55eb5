"""home: the open invitations and the deactivated people, for the manager's home

Revision ID: 0022_home
Revises: 0021_review
Create Date: 2026-11-30

The manager's home names the oldest few open invitations of active people and counts them
all. Joined to every person, the count read the whole people table (about 4 ms at 2,000 open
invitations and 30,000 people on PostgreSQL). Now the oldest are read in order from a
partial index of open invitations, and the count is every open invitation less those of the
few deactivated people, found through a partial index of them.

Plain CREATE INDEX and DROP INDEX on both databases (no table rebuilt).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_home'
down_revision = '0021_review'
branch_labels = None
depends_on = None

OPEN_INVITATION = "accepted_at IS NULL AND revoked_at IS NULL"


def upgrade():
    op.create_index(
        'ix_invitations_open',
        'invitations',
        ['created_at', 'id'],
        unique=False,
        sqlite_where=sa.text(OPEN_INVITATION),
        postgresql_where=sa.text(OPEN_INVITATION),
    )
    op.create_index(
        'ix_users_inactive',
        'users',
        ['id'],
        unique=False,
        sqlite_where=sa.text('active IS 0'),
        postgresql_where=sa.text('active IS false'),
    )


def downgrade():
    op.drop_index('ix_users_inactive', table_name='users')
    op.drop_index('ix_invitations_open', table_name='invitations')
