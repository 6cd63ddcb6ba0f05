"""the studio's LRS keeps Agent Profile API documents (a cmi5 LMS's learner preferences) per course and learner

Revision ID: 0011_lrs_agent_profiles
Revises: 0009_analytics_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_lrs_agent_profiles"
down_revision = "0009_analytics_indexes"  # 0010 is another branch's, made at the same time: renumbered on merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lrs_agent_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("profile_id", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "agent", "profile_id", name="uq_lrs_agent_profile"),
    )


def downgrade() -> None:
    op.drop_table("lrs_agent_profile")
