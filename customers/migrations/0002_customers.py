"""Customer accounts, meters and readings.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from callgrid.database import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("area", sa.String(128), nullable=False, index=True),
        sa.Column("address", sa.String(512), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False, index=True),
        sa.Column("email", sa.String(256), nullable=False),
        sa.Column("inn", sa.String(12), index=True),
        sa.Column("ogrn", sa.String(15), index=True),
        sa.Column("contract_number", sa.String(32), index=True),
        sa.Column("debt", sa.Numeric(12, 2), nullable=False),
        sa.Column("due_date", sa.Date),
        sa.Column("last_payment_amount", sa.Numeric(12, 2)),
        sa.Column("last_payment_date", sa.Date),
        sa.Column("vip", sa.Boolean, nullable=False),
        sa.Column("consent_phone_info", sa.Boolean, nullable=False),
        sa.Column("consent_sms", sa.Boolean, nullable=False),
        sa.Column("consent_email", sa.Boolean, nullable=False),
        sa.Column("consent_cabinet", sa.Boolean, nullable=False),
    )
    op.create_table(
        "meters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True
        ),
        sa.Column("serial", sa.String(32), nullable=False),
        sa.Column("zones", sa.String(32), nullable=False),
        sa.Column("digits", sa.Integer, nullable=False),
        sa.Column("verification_due", sa.Date, nullable=False),
        sa.Column("installed_on", sa.Date, nullable=False),
    )
    op.create_table(
        "readings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("meter_id", sa.Integer, sa.ForeignKey("meters.id"), nullable=False, index=True),
        sa.Column("zone", sa.String(16), nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("taken_at", UtcDateTime, nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("call_id", sa.String(32)),
        sa.Column("submission_key", sa.String(64), nullable=False),
        sa.Column("replaced_by", sa.Integer, sa.ForeignKey("readings.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.UniqueConstraint("submission_key", "meter_id", "zone", name="uq_readings_submission"),
    )


def downgrade() -> None:
    op.drop_table("readings")
    op.drop_table("meters")
    op.drop_table("accounts")
