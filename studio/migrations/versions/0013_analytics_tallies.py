"""tallies for the learning analytics reports (per question and learner share, response, whole second, lesson,
competency) and the competency mapping they were counted with, counted from the summary rows already kept;
the summary rows indexed by learner

Revision ID: 0013_analytics_tallies
Revises: 0012_analytics_summaries
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_analytics_tallies"
down_revision = "0012_analytics_summaries"
branch_labels = None
depends_on = None

TABLES = ("answer_tally", "response_tally", "time_tally", "lesson_tally", "competency_tally")


def _tally(name: str, *columns: sa.Column, key: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("course_version", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=35), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "level", "course_version", "lang", *key, name=f"uq_{name}"),
    )


def _counts(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    _tally(
        "answer_tally",
        sa.Column("question", sa.String(length=512), nullable=False),
        *_counts("right", "answered", "learners", "correct", "attempts"),
        key=("question", "right", "answered"),
    )
    _tally(
        "response_tally",
        sa.Column("question", sa.String(length=512), nullable=False),
        sa.Column("response", sa.String(length=200), nullable=False),
        *_counts("learners"),
        key=("question", "response"),
    )
    _tally(
        "time_tally",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item", sa.String(length=512), nullable=False),
        *_counts("second", "count"),
        sa.Column("total", sa.Float(), nullable=False),
        key=("kind", "item", "second"),
    )
    _tally(
        "lesson_tally",
        sa.Column("lesson", sa.String(length=512), nullable=False),
        *_counts("opened", "completed", "left"),
        key=("lesson",),
    )
    _tally(
        "competency_tally",
        sa.Column("competency", sa.String(length=300), nullable=False),
        sa.Column("org_unit", sa.String(length=200), nullable=False),
        *_counts("learners", "mastered"),
        key=("competency", "org_unit"),
    )
    op.create_table(
        "competency_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("tests", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id"),
    )
    # the tallies are kept by a learner's summary rows: an index finds them
    op.create_index("ix_answer_summary_learner", "answer_summary", ["course_id", "learner"])
    op.create_index("ix_lesson_summary_learner", "lesson_summary", ["course_id", "learner"])
    # the summary rows kept so far, counted; the competency tally waits for its mapping, which comes from the
    # course's files (records.summarise adopts it when the course's next records arrive)
    from studio.analytics import tallies

    conn = op.get_bind()
    kept = sa.text("SELECT course_id FROM answer_summary UNION SELECT course_id FROM lesson_summary")
    for course_id in conn.execute(kept).scalars():
        tallies.count(conn, course_id, None, 1, None)  # no competency mapping is kept yet


def downgrade() -> None:
    op.drop_index("ix_lesson_summary_learner", "lesson_summary")
    op.drop_index("ix_answer_summary_learner", "answer_summary")
    op.drop_table("competency_map")
    for name in reversed(TABLES):
        op.drop_table(name)
