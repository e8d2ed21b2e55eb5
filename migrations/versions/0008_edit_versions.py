"""edit versions: a version counter on the records two people can edit at once

Revision ID: 0008_edit_versions
Revises: 0007_login_sessions
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_edit_versions'
down_revision = '0007_login_sessions'
branch_labels = None
depends_on = None

# Each is the model's version_id_col; existing rows start at version 1.
TABLES = (
    'ventures',
    'milestones',
    'stage_plans',
    'mentor_profiles',
    'rubric_criteria',
    'matching_runs',
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
