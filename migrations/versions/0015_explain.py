"""explain: indexes the query plans of the daily pages showed missing

Revision ID: 0015_explain
Revises: 0014_languages
Create Date: 2026-11-30

Found by tests/test_query_plans.py, which explains every query of the home, board, analytics,
timeline, scorecard and people pages on PostgreSQL and fails on a read of a whole large table:
the milestones waiting to be verified in any cohort (the manager's home), everyone holding a
role (the people list's filter) and the people list by name. Plain CREATE INDEX on both
databases (no table rebuilt).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_explain'
down_revision = '0014_languages'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_milestones_status', 'milestones', ['status'], unique=False)
    op.create_index('ix_user_roles_role_user_id', 'user_roles', ['role', 'user_id'], unique=False)
    op.create_index('ix_users_name_id', 'users', ['name', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_users_name_id', table_name='users')
    op.drop_index('ix_user_roles_role_user_id', table_name='user_roles')
    op.drop_index('ix_milestones_status', table_name='milestones')
