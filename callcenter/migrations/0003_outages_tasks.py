"""Outages, and tasks left by the IVR (answering-machine messages, paid-service orders).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("area", sa.String(128), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("cause", sa.Text, nullable=False),
        sa.Column("starts_at", UtcDateTime, nullable=False),
        sa.Column("restore_at", UtcDateTime, nullable=False, index=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("call_id", sa.String(32), index=True),
        sa.Column("account_number", sa.String(32)),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("line", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(256), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("recording", sa.String(512)),
        sa.Column("transcript", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False, index=True),
        sa.Column("due_at", UtcDateTime, nullable=False, index=True),
        sa.Column("follow_up_due_at", UtcDateTime),
        sa.Column("status", sa.String(16), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("tasks")
    op.drop_table("outages")
