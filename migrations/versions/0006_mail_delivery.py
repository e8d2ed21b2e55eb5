"""mail delivery: the outbox keeps each mail's status, tries, next try and error

Revision ID: 0006_mail_delivery
Revises: 0005_matching
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_mail_delivery'
down_revision = '0005_matching'
branch_labels = None
depends_on = None

PENDING_MAIL = "status IN ('queued', 'sending')"


def upgrade():
    # Mail already in the outbox went out when it was written (the outbox backend logged it;
    # SMTP sent in the request and wrote no row), so existing rows arrive as sent, once.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default=sa.text("'sent'")))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default=sa.text('1')))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True))

    op.execute("UPDATE outbox_messages SET sent_at = created_at")

    # The defaults were for the rows above only: the app sets every new mail's status.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16), server_default=None)
        batch_op.alter_column('attempts', existing_type=sa.Integer(), server_default=None)
        batch_op.create_check_constraint(op.f('ck_outbox_messages_status_known'), "status IN ('queued', 'sending', 'sent', 'failed')")
        batch_op.create_check_constraint(op.f('ck_outbox_messages_attempts_not_negative'), 'attempts >= 0')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_pending_has_due_time'), f'NOT ({PENDING_MAIL}) OR next_attempt_at IS NOT NULL')
        batch_op.create_check_constraint(op.f('ck_outbox_messages_sending_is_claimed'), "status != 'sending' OR claimed_at IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_outbox_messages_sent_has_time'), "status != 'sent' OR sent_at IS NOT NULL")
        batch_op.create_index('ix_outbox_messages_due', ['next_attempt_at', 'id'], unique=False, sqlite_where=sa.text(PENDING_MAIL), postgresql_where=sa.text(PENDING_MAIL))


def downgrade():
    # Queued mail stays in the table, but the earlier code takes every row for mail it has
    # sent: run `flask deliver-mail` until the queue is empty before downgrading.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_due', sqlite_where=sa.text(PENDING_MAIL), postgresql_where=sa.text(PENDING_MAIL))
        batch_op.drop_constraint(op.f('ck_outbox_messages_sent_has_time'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_messages_sending_is_claimed'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_messages_pending_has_due_time'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_messages_attempts_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_known'), type_='check')
        batch_op.drop_column('sent_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
