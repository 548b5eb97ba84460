"""The recordings index (REC-1), the grants to hear one (PD-1) and the purge runs (REC-2).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_id", sa.String(32), nullable=False, unique=True),
        sa.Column("uniqueid", sa.String(64), nullable=False, index=True),
        sa.Column("path", sa.String(256), nullable=False, unique=True),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False, index=True),
        sa.Column("delete_after", UtcDateTime, nullable=False),
        sa.Column("line", sa.String(32), nullable=False),
        sa.Column("dialled_number", sa.String(32), nullable=False),
        sa.Column("caller_id", sa.String(32), nullable=False, index=True),
        sa.Column("account_number", sa.String(32), index=True),
        sa.Column("operator", sa.String(128), index=True),
        sa.Column("topic", sa.String(128)),
        sa.Column("outcome", sa.String(32)),
        sa.Column("ended_at", UtcDateTime),
        sa.Column("duration_seconds", sa.Float),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("sha256", sa.String(64)),
        sa.Column("mixmonitor_id", sa.String(64)),
        sa.Column("hold_reason", sa.String(512)),
        sa.Column("held_by", sa.String(64)),
        sa.Column("held_at", UtcDateTime),
    )
    op.create_index("ix_recordings_due", "recordings", ["state", "delete_after"])
    op.create_table(
        "recording_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "recording_id",
            sa.Integer,
            sa.ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("login", sa.String(64), nullable=False, index=True),
        sa.Column("reason", sa.String(512), nullable=False),
        sa.Column("granted_by", sa.String(64), nullable=False),
        sa.Column("granted_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("recording_id", "login"),
    )
    op.create_table(
        "recording_purges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", UtcDateTime, nullable=False, index=True),
        sa.Column("finished_at", UtcDateTime, nullable=False),
        sa.Column("deleted", sa.Integer, nullable=False),
        sa.Column("held", sa.Integer, nullable=False),
        sa.Column("freed_bytes", sa.BigInteger, nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recording_purges")
    op.drop_table("recording_grants")
    op.drop_index("ix_recordings_due", "recordings")
    op.drop_table("recordings")
