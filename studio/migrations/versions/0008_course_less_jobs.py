"""jobs that make a course (kstudio import in the studio) have no course yet: job.course_id may be null

Revision ID: 0008_course_less_jobs
Revises: 0007_learning_records
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_course_less_jobs"
down_revision = "0007_learning_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.alter_column("course_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM job WHERE course_id IS NULL")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.alter_column("course_id", existing_type=sa.Integer(), nullable=False)
