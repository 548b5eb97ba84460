"""The ``calls`` table (IVR-8) and the shaping of its rows before they are queued."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from callgrid.database import Base, UtcDateTime, cut_to_columns, text_lengths


class CallStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    """The engine saw the call end and stored its end."""
    INTERRUPTED = "interrupted"
    """The engine serving it stopped without storing its end (killed, crashed): it was
    closed at the moment that engine last saw it."""
    QUEUED = "queued"
    """The engine handed the caller to the dialplan's ``Queue()`` and comes back to the
    call when the queue is over (after-queue): the end is stored then, by that engine
    or another. Left so by an engine that stopped, it becomes ``in_queue`` when that
    engine starts again, or when another has not seen it beat for the lease."""
    IN_QUEUE = "in_queue"
    """The caller is (or was, when the engine stopped) in Asterisk's ``Queue()`` and
    the end is to come from Asterisk's queue_log."""
    WITHOUT_ENGINE = "without_engine"
    """No engine took the call: the dialplan queued the caller on its own, and the row
    was made from Asterisk's queue_log when an engine was back (CC-10)."""


class CallRow(Base):
    """One inbound call as the IVR saw it (IVR-8)."""

    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(128))
    line: Mapped[str] = mapped_column(String(32))
    dialled_number: Mapped[str] = mapped_column(String(32))
    caller_id: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    inputs: Mapped[str] = mapped_column(String(512), default="")
    topic: Mapped[str | None] = mapped_column(String(128), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    ended_by: Mapped[str | None] = mapped_column(String(16))
    operator: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default=CallStatus.ENDED.value)
    engine_id: Mapped[str | None] = mapped_column(String(64))
    """The engine serving the call; it closes its own calls left open when it restarts."""
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When the engine last knew the call to be in progress or queued (its heartbeat)."""


COLUMN_LENGTHS = text_lengths(CallRow)


def fitted(values: dict[str, Any]) -> dict[str, Any]:
    """Text cut to its column's size, so one overlong caller ID (or channel, topic,
    operator…) cannot make the database refuse the record."""
    return cut_to_columns(COLUMN_LENGTHS, values)
