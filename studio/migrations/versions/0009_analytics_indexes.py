"""learning analytics: indexes the reports read by (each learner's records in time order, a course's
records of one kind)

Revision ID: 0009_analytics_indexes
Revises: 0008_course_less_jobs
"""

from alembic import op

revision = "0009_analytics_indexes"
down_revision = "0008_course_less_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_record", schema=None) as batch_op:
        # the reports' windows run over each learner's records in time order: read in that order, not sorted
        batch_op.create_index("ix_learning_record_timeline", ["course_id", "learner", "timestamp", "id"])
        # reflections and the like, for the whole course (the item index wants the version and language first)
        batch_op.create_index("ix_learning_record_kind", ["course_id", "object_kind", "object_id"])


def downgrade() -> None:
    with op.batch_alter_table("learning_record", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_record_kind")
        batch_op.drop_index("ix_learning_record_timeline")
