"""learning records: statements normalised for reports, the LRSs a course pulls from, the studio LRS's keys
and State API documents

Revision ID: 0007_learning_records
Revises: 0006_json_columns
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_learning_records"
down_revision = "0006_json_columns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("course_version", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=35), nullable=False),
        sa.Column("learner", sa.String(length=64), nullable=False),
        sa.Column("org_unit", sa.String(length=200), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("verb", sa.String(length=40), nullable=False),
        sa.Column("object_kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=512), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("consent", sa.Boolean(), nullable=True),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.Column("stored", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("statement", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("statement_id", name="uq_learning_record_statement"),
    )
    with op.batch_alter_table("learning_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_record_item", ["course_id", "course_version", "lang", "object_kind", "object_id"]
        )
        batch_op.create_index("ix_learning_record_learner", ["course_id", "learner"])
        batch_op.create_index("ix_learning_record_timestamp", ["timestamp"])
        batch_op.create_index("ix_learning_record_stored", ["course_id", "stored"])
    op.create_table(
        "record_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("password", sa.String(length=500), nullable=False),
        sa.Column("course_version", sa.String(length=64), nullable=False),
        sa.Column("since", sa.String(length=64), nullable=False),
        sa.Column("more", sa.String(length=2000), nullable=False),
        sa.Column("pulled_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "name"),
    )
    op.create_table(
        "lrs_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("course_version", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "lrs_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=500), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("state_id", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "activity_id", "agent", "registration", "state_id", name="uq_lrs_document"),
    )


def downgrade() -> None:
    op.drop_table("lrs_document")
    op.drop_table("lrs_credential")
    op.drop_table("record_source")
    op.drop_table("learning_record")
