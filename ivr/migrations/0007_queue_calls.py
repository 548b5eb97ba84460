"""What Asterisk's queue_log told of each caller in a queue, and how far it was read.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_calls",
        sa.Column("callid", sa.String(64), primary_key=True),
        sa.Column("queue", sa.String(64)),
        sa.Column("entered_at", UtcDateTime),
        sa.Column("connected_at", UtcDateTime),
        sa.Column("agent", sa.String(128)),
        sa.Column("ended_at", UtcDateTime),
        sa.Column("end_event", sa.String(32)),
        sa.Column("no_engine_at", UtcDateTime),
        sa.Column("dialled_number", sa.String(32)),
        sa.Column("caller_id", sa.String(32)),
        sa.Column("message", sa.String(256)),
        sa.Column("hung_up_at", UtcDateTime),
    )
    op.create_index("ix_queue_calls_ended_at", "queue_calls", ["ended_at"])
    op.create_index("ix_queue_calls_no_engine_at", "queue_calls", ["no_engine_at"])
    op.create_table(
        "log_positions",
        sa.Column("path", sa.String(512), primary_key=True),
        sa.Column("inode", sa.BigInteger, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_calls_status", "calls", ["status"])


def downgrade() -> None:
    op.drop_index("ix_calls_status", "calls")
    op.drop_table("log_positions")
    op.drop_index("ix_queue_calls_no_engine_at", "queue_calls")
    op.drop_index("ix_queue_calls_ended_at", "queue_calls")
    op.drop_table("queue_calls")
