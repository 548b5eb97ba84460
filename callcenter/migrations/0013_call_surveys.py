"""The post-call surveys offered (CC-11): the call, the customer it was offered to, the
queue and the operator, the answers (none until given) and whether it was completed.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_surveys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("customer_key", sa.String(48), nullable=False),
        sa.Column("phone", sa.String(16)),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("offered_at", UtcDateTime, nullable=False),
        sa.Column("resolved", sa.Boolean),
        sa.Column("rating", sa.Integer),
        sa.Column("completed", sa.Boolean, nullable=False),
    )
    op.create_index("ix_call_surveys_uniqueid", "call_surveys", ["uniqueid"])
    op.create_index("ix_call_surveys_offered_at", "call_surveys", ["offered_at"])
    op.create_index("ix_call_surveys_customer", "call_surveys", ["customer_key", "offered_at"])
    op.create_index("ix_call_surveys_phone", "call_surveys", ["phone", "offered_at"])


def downgrade() -> None:
    op.drop_table("call_surveys")
