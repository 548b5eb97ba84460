"""The recordings index no longer keeps MixMonitor's id: the engine never stops a
recording (it runs to the hang-up), and the id cost one AGI command and one write a call.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as table:
        table.drop_column("mixmonitor_id")


def downgrade() -> None:
    with op.batch_alter_table("recordings") as table:
        table.add_column(sa.Column("mixmonitor_id", sa.String(64)))
