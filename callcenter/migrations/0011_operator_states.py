"""Operators' states now and the stretches of time they spent in each (CC-2, CC-8).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operator_states",
        sa.Column("login", sa.String(64), primary_key=True),
        sa.Column("activity", sa.String(24), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("since", UtcDateTime, nullable=False),
        sa.Column("queues", sa.String(512), nullable=False),
        sa.Column("over_limit", sa.Boolean, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "operator_spans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("activity", sa.String(24), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("ended_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_operator_spans_ended_at", "operator_spans", ["ended_at"])
    op.create_index("ix_operator_spans_login", "operator_spans", ["login", "started_at"])


def downgrade() -> None:
    op.drop_table("operator_spans")
    op.drop_table("operator_states")
