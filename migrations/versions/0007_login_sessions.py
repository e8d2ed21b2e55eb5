"""login sessions: one row per sign-in, instead of one session token per person

Revision ID: 0007_login_sessions
Revises: 0006_mail_delivery
Create Date: 2026-11-26

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_login_sessions'
down_revision = '0006_mail_delivery'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rotation_due', sa.Boolean(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=24), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.CheckConstraint("ended_reason IN ('signed_out', 'signed_out_elsewhere', 'password_changed', 'password_reset', 'deactivated', 'rotated', 'idle', 'expired')", name=op.f('ck_login_sessions_ended_reason_known')),
    sa.CheckConstraint('(ended_at IS NULL AND ended_reason IS NULL) OR (ended_at IS NOT NULL AND ended_reason IS NOT NULL)', name=op.f('ck_login_sessions_ended_with_reason')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_login_sessions_user_id', ['user_id'], unique=False)

    # Everyone signs in again: the old login ids named users.session_token, which goes.
    # Not in batch mode: on SQLite that rebuilds `users`, and dropping the old table with
    # foreign keys on would delete every row that refers to a user. SQLite (3.35+) and
    # PostgreSQL both drop a plain column in place.
    op.drop_column('users', 'session_token')


def downgrade():
    # Every account gets a fresh random token, so the sessions of before 0007 stay signed out.
    # SQLite cannot add a NOT NULL column without a default, so it keeps an empty one there.
    op.add_column('users', sa.Column('session_token', sa.String(length=64), nullable=False, server_default=''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE users SET session_token = md5(random()::text || clock_timestamp()::text || id::text)")
        op.alter_column('users', 'session_token', server_default=None)
    else:
        op.execute("UPDATE users SET session_token = lower(hex(randomblob(16)))")

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_login_sessions_user_id')

    op.drop_table('login_sessions')
