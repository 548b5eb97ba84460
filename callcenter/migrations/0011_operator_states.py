"""Operators' states now and the stretches of time they spent in each; callers' stays in
queues; the AMI link's outages;
who a task is for and when it was done; the emergency switch (CC-2, CC-5, CC-6, CC-8, CC-10).

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

    op.create_table(
        "queue_stays",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("linkedid", sa.String(64), nullable=False),
        sa.Column("caller", sa.String(32)),
        sa.Column("operator", sa.String(64)),
        sa.Column("operator_interface", sa.String(128)),
        sa.Column("topic", sa.String(128)),
        sa.Column("joined_at", UtcDateTime, nullable=False),
        sa.Column("answered_at", UtcDateTime),
        sa.Column("ended_at", UtcDateTime),
        sa.Column("wait_seconds", sa.Float, nullable=False),
        sa.Column("ring_seconds", sa.Float, nullable=False),
        sa.Column("ring_attempts", sa.Integer, nullable=False),
        sa.Column("talk_seconds", sa.Float, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("abandon_position", sa.Integer),
        sa.Column("after_call_work_seconds", sa.Float),
    )
    op.create_index("ix_queue_stays_uniqueid", "queue_stays", ["uniqueid"])
    op.create_index("ix_queue_stays_joined_at", "queue_stays", ["joined_at"])
    op.create_index("ix_queue_stays_queue_joined", "queue_stays", ["queue", "joined_at"])
    op.add_column("tasks", sa.Column("owner", sa.String(64)))
    op.add_column("tasks", sa.Column("done_at", UtcDateTime))
    op.add_column("tasks", sa.Column("done_by", sa.String(64)))
    op.create_table(
        "link_outages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("ended_at", UtcDateTime),
    )
    op.create_index("ix_link_outages_started_at", "link_outages", ["started_at"])
    op.create_table(
        "callcenter_switches",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("is_on", sa.Boolean, nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("callcenter_switches")
    for column in ("done_by", "done_at", "owner"):
        op.drop_column("tasks", column)
    op.drop_table("link_outages")
    op.drop_table("queue_stays")
    op.drop_table("operator_spans")
    op.drop_table("operator_states")
