"""Tables kept from Asterisk's queue_log: one summary per caller who was in a queue, and
how far the file has been read (so each line is applied once, whichever engine reads)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from callgrid.database import Base, UtcDateTime


class QueueCallRow(Base):
    __tablename__ = "queue_calls"

    callid: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The caller's channel uniqueid (the AGI call's ``agi_uniqueid``)."""
    queue: Mapped[str | None] = mapped_column(String(64))
    entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    connected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    agent: Mapped[str | None] = mapped_column(String(128))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    end_event: Mapped[str | None] = mapped_column(String(32))
    no_engine_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    """When the dialplan found no engine for this call (it then queued it itself)."""
    dialled_number: Mapped[str | None] = mapped_column(String(32))
    caller_id: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(String(256))
    """The answering-machine file such a caller left, as the dialplan named it."""
    hung_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """When such a caller's channel ended (the dialplan's ``h`` extension logs it)."""


class LogPositionRow(Base):
    __tablename__ = "log_positions"

    path: Mapped[str] = mapped_column(String(512), primary_key=True)
    inode: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger)
