"""job leases: the running worker, its heartbeat and lease on each job, attempts; worker heartbeats;
pending revisions (recorded before the file is replaced)

Revision ID: 0005_job_lease
Revises: 0003_catalogue (re-chained after 0004 when merged)
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_job_lease"
down_revision = "0004_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("worker")
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_column("pending")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("attempts")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker")
