"""Calls and callback requests.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("uniqueid", sa.String(64), nullable=False, index=True),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("line", sa.String(32), nullable=False),
        sa.Column("dialled_number", sa.String(32), nullable=False),
        sa.Column("caller_id", sa.String(32), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False, index=True),
        sa.Column("answered_at", UtcDateTime),
        sa.Column("ended_at", UtcDateTime),
        sa.Column("path", sa.JSON, nullable=False),
        sa.Column("inputs", sa.String(512), nullable=False),
        sa.Column("topic", sa.String(128), index=True),
        sa.Column("outcome", sa.String(32)),
        sa.Column("ended_by", sa.String(16)),
        sa.Column("operator", sa.String(128)),
    )
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.String(32), index=True),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("line", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(128)),
        sa.Column("requested_at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("callback_requests")
    op.drop_table("calls")
