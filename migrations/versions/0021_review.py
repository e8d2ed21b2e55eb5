"""review: indexes for the matching review page's reads of a cohort's matches

Revision ID: 0021_review
Revises: 0020_judging
Create Date: 2026-11-30

The review page reads, on every view, a cohort's introduced, accepted or declined pairs of a
kind (the run form's room), the places introductions of a kind take in other cohorts, the
cohort's introductions, newest first, and a draft's pinned matches. Each read every match of every run: a run of a thousand
ventures leaves thousands. Plain CREATE INDEX on both databases (no table rebuilt).
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0021_review"
down_revision = "0020_judging"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_matches_cohort_id_kind_status", "matches", ["cohort_id", "kind", "status"], unique=False
    )
    op.create_index(
        "ix_matches_kind_status_counterpart_key",
        "matches",
        ["kind", "status", "counterpart_key"],
        unique=False,
    )
    op.create_index("ix_matches_run_id_pinned", "matches", ["run_id", "pinned"], unique=False)
    op.create_index(
        "ix_matches_cohort_id_introduced_at",
        "matches",
        ["cohort_id", "introduced_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_matches_run_id_pinned", table_name="matches")
    op.drop_index("ix_matches_cohort_id_introduced_at", table_name="matches")
    op.drop_index("ix_matches_kind_status_counterpart_key", table_name="matches")
    op.drop_index("ix_matches_cohort_id_kind_status", table_name="matches")
