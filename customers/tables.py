"""Customer tables: accounts, their meters, the readings taken from them, and the
history of the customers' consents.

Phones are stored normalised (11 digits starting with 7) so a caller ID is found with
one index lookup. A reading row is never changed in value: a same-day correction adds
a new row and marks the old one ``replaced`` with a pointer to its successor.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callgrid.database import Base, UtcDateTime

ACCEPTED = "accepted"
REPLACED = "replaced"


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(256))
    area: Mapped[str] = mapped_column(String(128), index=True)
    address: Mapped[str] = mapped_column(String(512))
    phone: Mapped[str] = mapped_column(String(16), index=True)
    email: Mapped[str] = mapped_column(String(256))
    inn: Mapped[str | None] = mapped_column(String(12), index=True)
    ogrn: Mapped[str | None] = mapped_column(String(15), index=True)
    contract_number: Mapped[str | None] = mapped_column(String(32), index=True)
    debt: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    due_date: Mapped[date | None] = mapped_column(Date)
    last_payment_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    last_payment_date: Mapped[date | None] = mapped_column(Date)
    vip: Mapped[bool] = mapped_column(Boolean)
    consent_phone_info: Mapped[bool] = mapped_column(Boolean)
    consent_sms: Mapped[bool] = mapped_column(Boolean)
    consent_email: Mapped[bool] = mapped_column(Boolean)
    consent_cabinet: Mapped[bool] = mapped_column(Boolean)


class MeterRow(Base):
    __tablename__ = "meters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    serial: Mapped[str] = mapped_column(String(32))
    zones: Mapped[str] = mapped_column(String(32))
    """The tariff zones in order, comma-separated: "total", "day,night", "peak,semipeak,night"."""
    digits: Mapped[int] = mapped_column(Integer)
    verification_due: Mapped[date] = mapped_column(Date)
    installed_on: Mapped[date] = mapped_column(Date)


class ReadingRow(Base):
    __tablename__ = "readings"
    __table_args__ = (
        # One submission holds a reading per zone (and maybe per meter), so the key is
        # unique together with them; any retry of the submission collides on its first row.
        UniqueConstraint("submission_key", "meter_id", "zone", name="uq_readings_submission"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id"), index=True)
    zone: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    call_id: Mapped[str | None] = mapped_column(String(32))
    submission_key: Mapped[str] = mapped_column(String(64))
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("readings.id"))
    status: Mapped[str] = mapped_column(String(16), default=ACCEPTED)


class ConsentChangeRow(Base):
    """One time a customer gave or refused consent to a channel (PD-2): rows are only
    ever added, so the history shows who entered what, when and from where."""

    __tablename__ = "consent_changes"
    __table_args__ = (
        Index("ix_consent_changes_account_channel_at", "account_number", "channel", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_number: Mapped[str] = mapped_column(ForeignKey("accounts.number"))
    channel: Mapped[str] = mapped_column(String(16))
    given: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(64))
