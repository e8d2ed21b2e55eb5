"""languages: a person's preferred interface language

Revision ID: 0014_languages
Revises: 0013_matching
Create Date: 2026-11-30

A plain ALTER TABLE ... ADD COLUMN, as in 0010 and 0013. Nullable: nobody has chosen yet, and
then the switch or the browser's Accept-Language decides. No CHECK constraint on the codes:
the languages are configuration (LANGUAGES) and grow without a migration; the accounts
service refuses a code that is not configured.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_languages'
down_revision = '0013_matching'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('preferred_language', sa.String(length=16), nullable=True))


def downgrade():
    op.drop_column('users', 'preferred_language')
