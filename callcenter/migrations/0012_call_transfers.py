"""Transfers from the operator's desk (CC-4): who asked for which target, and how it
ended — answered there, or back with the operator who transferred.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_transfers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("from_operator", sa.String(64), nullable=False),
        sa.Column("from_interface", sa.String(128), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", UtcDateTime, nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("answered_by", sa.String(128)),
        sa.Column("ended_at", UtcDateTime),
    )
    op.create_index("ix_call_transfers_uniqueid", "call_transfers", ["uniqueid"])
    op.create_index("ix_call_transfers_requested_at", "call_transfers", ["requested_at"])


def downgrade() -> None:
    op.drop_table("call_transfers")
