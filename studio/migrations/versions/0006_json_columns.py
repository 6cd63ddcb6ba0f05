"""JSON columns: a job's params and result, a submission's formats, langs, meta and gate (they held
json.dumps text; SQLAlchemy's JSON type reads and writes them)

Revision ID: 0006_json_columns
Revises: 0005_job_lease
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_json_columns"
down_revision = "0005_job_lease"
branch_labels = None
depends_on = None

COLUMNS = {"job": ["params", "result"], "submission": ["formats", "langs", "meta", "gate"]}


def upgrade() -> None:
    # the stored text is already JSON: PostgreSQL parses it with USING (ignored elsewhere); SQLite keeps it
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.Text(),
                    type_=sa.JSON(),
                    existing_nullable=False,
                    postgresql_using=f"{column}::json",
                )


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.JSON(),
                    type_=sa.Text(),
                    existing_nullable=False,
                    postgresql_using=f"{column}::text",
                )
