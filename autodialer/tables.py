"""The autoinformer's tables: campaigns, their lists, each customer's delivery per
channel, every attempt and its evidence (AD-2, AD-9)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callgrid.database import Base, UtcDateTime


class CampaignRow(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(32))
    channels: Mapped[str] = mapped_column(String(64))
    """Comma-separated, in the order given."""
    scenario_text: Mapped[str] = mapped_column(Text)
    scenario_audio: Mapped[str | None] = mapped_column(String(256))
    sms_text: Mapped[str | None] = mapped_column(Text)
    email_subject: Mapped[str | None] = mapped_column(String(256))
    speech_seconds: Mapped[float | None] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    line_limit: Mapped[int] = mapped_column(Integer)
    calls_per_second: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), index=True)
    list_source: Mapped[str] = mapped_column(String(256), default="")
    targets: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TargetRow(Base):
    """A customer on a campaign's list, with what the list said of them."""

    __tablename__ = "campaign_targets"
    __table_args__ = (UniqueConstraint("campaign_id", "account_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    account_number: Mapped[str] = mapped_column(String(32), index=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(256), default="")
    restriction_date: Mapped[date | None] = mapped_column(Date)


class DeliveryRow(Base):
    """One customer, one channel of a campaign: pending until delivered or stopped.

    ``next_at`` is when it may be tried next (the retry rules and the window);
    ``locked_by``/``locked_until`` hold it while one process decides or dials."""

    __tablename__ = "campaign_deliveries"
    __table_args__ = (
        UniqueConstraint("target_id", "channel"),
        Index("ix_campaign_deliveries_due", "campaign_id", "state", "next_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("campaign_targets.id", ondelete="CASCADE"))
    account_number: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    next_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_cause: Mapped[str | None] = mapped_column(String(32))
    skip: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AttemptRow(Base):
    """One call, SMS, e-mail or cabinet notice to one customer."""

    __tablename__ = "campaign_attempts"
    __table_args__ = (
        Index("ix_campaign_attempts_customer", "account_number", "channel", "started_at"),
        Index("ix_campaign_attempts_open", "campaign_id", "channel", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_deliveries.id", ondelete="CASCADE"), index=True
    )
    account_number: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(256))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """While it runs: the line counts busy until then, even if its process died."""
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cause: Mapped[str | None] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The Asterisk Uniqueid given in Originate: every event of the call names it."""
    call_id: Mapped[str | None] = mapped_column(String(32))
    originate_reason: Mapped[int | None] = mapped_column(Integer)
    hangup_cause: Mapped[int | None] = mapped_column(Integer)
    amd_status: Mapped[str | None] = mapped_column(String(16))
    amd_cause: Mapped[str | None] = mapped_column(String(64))
    heard_seconds: Mapped[float | None] = mapped_column(Float)
    key: Mapped[str | None] = mapped_column(String(4))
    said: Mapped[str] = mapped_column(Text, default="")
    engine: Mapped[str] = mapped_column(String(64), default="")


class AttemptEventRow(Base):
    """One fact of an attempt with its time: the evidence a report shows (AD-9)."""

    __tablename__ = "campaign_attempt_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_attempts.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(1024), default="")


class SmsPartRow(Base):
    """A part of an SMS as the SMSC numbered it, for its delivery receipt."""

    __tablename__ = "campaign_sms_parts"

    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_attempts.id", ondelete="CASCADE"), index=True
    )
    delivered: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(16))
