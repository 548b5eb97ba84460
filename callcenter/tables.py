"""Outages and the work the IVR leaves for people: messages, orders, callbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callgrid.database import Base, UtcDateTime


class OutageRow(Base):
    """A planned or emergency supply interruption in an area (IVR-11)."""

    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    restore_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TaskRow(Base):
    """Work for a person with its deadline: a message to enter, an order to pass on, a
    caller to call back."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    call_id: Mapped[str | None] = mapped_column(String(32), index=True)
    account_number: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32))
    line: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(256))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    recording: Mapped[str | None] = mapped_column(String(512))
    transcript: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    follow_up_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), index=True)
