"""The autoinformer: campaigns, their lists, deliveries, attempts and their evidence.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("channels", sa.String(64), nullable=False),
        sa.Column("scenario_text", sa.Text, nullable=False),
        sa.Column("scenario_audio", sa.String(256)),
        sa.Column("sms_text", sa.Text),
        sa.Column("email_subject", sa.String(256)),
        sa.Column("speech_seconds", sa.Float),
        sa.Column("starts_at", UtcDateTime, nullable=False),
        sa.Column("ends_at", UtcDateTime, nullable=False),
        sa.Column("line_limit", sa.Integer, nullable=False),
        sa.Column("calls_per_second", sa.Float, nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("list_source", sa.String(256), nullable=False),
        sa.Column("targets", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("approved_by", sa.String(64)),
        sa.Column("approved_at", UtcDateTime),
    )
    op.create_table(
        "campaign_targets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer,
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("account_number", sa.String(32), nullable=False, index=True),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("email", sa.String(256), nullable=False),
        sa.Column("restriction_date", sa.Date),
        sa.UniqueConstraint("campaign_id", "account_number"),
    )
    op.create_table(
        "campaign_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer,
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "target_id",
            sa.Integer,
            sa.ForeignKey("campaign_targets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("account_number", sa.String(32), nullable=False, index=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("next_at", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_cause", sa.String(32)),
        sa.Column("skip", sa.String(32)),
        sa.Column("delivered_at", UtcDateTime),
        sa.Column("locked_by", sa.String(64)),
        sa.Column("locked_until", UtcDateTime),
        sa.UniqueConstraint("target_id", "channel"),
    )
    op.create_index(
        "ix_campaign_deliveries_due", "campaign_deliveries", ["campaign_id", "state", "next_at"]
    )
    op.create_table(
        "campaign_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "campaign_id",
            sa.Integer,
            sa.ForeignKey("campaigns.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "delivery_id",
            sa.Integer,
            sa.ForeignKey("campaign_deliveries.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("account_number", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("address", sa.String(256), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("lease_until", UtcDateTime),
        sa.Column("ended_at", UtcDateTime),
        sa.Column("cause", sa.String(32)),
        sa.Column("channel_id", sa.String(64), unique=True),
        sa.Column("call_id", sa.String(32)),
        sa.Column("originate_reason", sa.Integer),
        sa.Column("hangup_cause", sa.Integer),
        sa.Column("amd_status", sa.String(16)),
        sa.Column("amd_cause", sa.String(64)),
        sa.Column("heard_seconds", sa.Float),
        sa.Column("key", sa.String(4)),
        sa.Column("said", sa.Text, nullable=False),
        sa.Column("engine", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_campaign_attempts_customer",
        "campaign_attempts",
        ["account_number", "channel", "started_at"],
    )
    op.create_index(
        "ix_campaign_attempts_open", "campaign_attempts", ["campaign_id", "channel", "ended_at"]
    )
    op.create_table(
        "campaign_attempt_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("campaign_attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(1024), nullable=False),
    )
    op.create_table(
        "campaign_sms_parts",
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column(
            "attempt_id",
            sa.Integer,
            sa.ForeignKey("campaign_attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("delivered", sa.Boolean),
        sa.Column("status", sa.String(16)),
    )


def downgrade() -> None:
    for table in (
        "campaign_sms_parts",
        "campaign_attempt_events",
        "campaign_attempts",
        "campaign_deliveries",
        "campaign_targets",
        "campaigns",
    ):
        op.drop_table(table)
