"""Calls in progress: status, the engine serving each call and when it last saw it.

Rows left open by an earlier version (their end was lost) are closed as interrupted
at their start, so no call stays open for ever.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

IN_PROGRESS = sa.text("status = 'in_progress'")


def upgrade() -> None:
    with op.batch_alter_table("calls") as calls:
        calls.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="ended"))
        calls.add_column(sa.Column("engine_id", sa.String(64)))
        calls.add_column(sa.Column("last_seen_at", UtcDateTime))
    op.execute(
        "UPDATE calls SET status = 'interrupted', ended_at = started_at,"
        " last_seen_at = started_at, outcome = COALESCE(outcome, 'interrupted'),"
        " ended_by = COALESCE(ended_by, 'engine') WHERE ended_at IS NULL"
    )
    op.create_index(
        "ix_calls_in_progress",
        "calls",
        ["engine_id", "last_seen_at"],
        postgresql_where=IN_PROGRESS,
        sqlite_where=IN_PROGRESS,
    )


def downgrade() -> None:
    op.drop_index("ix_calls_in_progress", table_name="calls")
    with op.batch_alter_table("calls") as calls:
        calls.drop_column("last_seen_at")
        calls.drop_column("engine_id")
        calls.drop_column("status")
