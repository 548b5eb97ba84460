"""The history of consents per channel (PD-2).

Consents imported before are carried over: each channel an account's row says yes to
becomes its first change, from the source "import". A "no" there may mean refused as
well as never asked, so it is left out: both count as no consent for mailings.

Revision ID: 0009
Revises: 0008
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

IMPORT = "import"
CHANNELS = ("phone_info", "sms", "email", "cabinet")

accounts = sa.table(
    "accounts",
    sa.column("number", sa.String),
    *(sa.column(f"consent_{channel}", sa.Boolean) for channel in CHANNELS),
)


def upgrade() -> None:
    changes = op.create_table(
        "consent_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_number", sa.String(32), sa.ForeignKey("accounts.number"), nullable=False
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("given", sa.Boolean, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_consent_changes_account_channel_at",
        "consent_changes",
        ["account_number", "channel", "at"],
    )
    now = datetime.now(UTC)
    for channel in CHANNELS:
        given = sa.select(
            accounts.c.number,
            sa.literal(channel),
            sa.true(),
            sa.literal(now, UtcDateTime),
            sa.literal(IMPORT),
            sa.literal(IMPORT),
        ).where(accounts.c[f"consent_{channel}"])
        op.execute(
            sa.insert(changes).from_select(
                ["account_number", "channel", "given", "at", "source", "changed_by"], given
            )
        )


def downgrade() -> None:
    op.drop_index("ix_consent_changes_account_channel_at", "consent_changes")
    op.drop_table("consent_changes")
