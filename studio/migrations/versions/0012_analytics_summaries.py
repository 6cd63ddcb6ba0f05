"""summary rows for the learning analytics reports (per learner and question, per learner and lesson, and the
versions and languages of a course's records), filled from the records already stored

Revision ID: 0012_analytics_summaries
Revises: 0011_lrs_agent_profiles
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_analytics_summaries"
down_revision = "0011_lrs_agent_profiles"
branch_labels = None
depends_on = None


def _scoped(name: str, *columns: sa.Column, key: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", *key, name=f"uq_{name}"),
    )


def _version_lang() -> list[sa.Column]:
    return [
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("course_version", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=35), nullable=False),
    ]


def upgrade() -> None:
    _scoped(
        "answer_summary",
        *_version_lang(),
        sa.Column("question", sa.String(length=512), nullable=False),
        sa.Column("learner", sa.String(length=64), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("org_unit", sa.String(length=200), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        key=("level", "course_version", "lang", "question", "learner"),
    )
    _scoped(
        "lesson_summary",
        *_version_lang(),
        sa.Column("lesson", sa.String(length=512), nullable=False),
        sa.Column("learner", sa.String(length=64), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("last", sa.Boolean(), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        key=("level", "course_version", "lang", "lesson", "learner"),
    )
    _scoped(
        "record_scope",
        sa.Column("course_version", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=35), nullable=False),
        key=("course_version", "lang"),
    )
    # the records stored so far: the same INSERT … SELECT that keeps the rows as records arrive, over every
    # course (it reads the tables as they are at this revision: columns are only ever added to them)
    from studio.analytics import summary

    summary.rebuild(op.get_bind(), tallied=False)


def downgrade() -> None:
    op.drop_table("record_scope")
    op.drop_table("lesson_summary")
    op.drop_table("answer_summary")
