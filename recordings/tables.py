"""The recordings index and the purge runs' figures (REC-1, REC-2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callgrid.database import Base, UtcDateTime


class RecordingRow(Base):
    """One call's recording: where its file is, what the call was, when it must go."""

    __tablename__ = "recordings"
    __table_args__ = (Index("ix_recordings_due", "state", "delete_after"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(32), unique=True)
    uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(256), unique=True)
    file_format: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    delete_after: Mapped[datetime] = mapped_column(UtcDateTime)
    line: Mapped[str] = mapped_column(String(32))
    dialled_number: Mapped[str] = mapped_column(String(32))
    caller_id: Mapped[str] = mapped_column(String(32), index=True)
    account_number: Mapped[str | None] = mapped_column(String(32), index=True)
    operator: Mapped[str | None] = mapped_column(String(128), index=True)
    topic: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str | None] = mapped_column(String(32))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    hold_reason: Mapped[str | None] = mapped_column(String(512))
    held_by: Mapped[str | None] = mapped_column(String(64))
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RecordingGrantRow(Base):
    """An operator let hear a recording of a call not theirs (PD-1), by a supervisor."""

    __tablename__ = "recording_grants"
    __table_args__ = (UniqueConstraint("recording_id", "login"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id", ondelete="CASCADE"))
    login: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(512))
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PurgeRunRow(Base):
    """One purge: when, how many recordings it deleted, how many it skipped on hold."""

    __tablename__ = "recording_purges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted: Mapped[int] = mapped_column(Integer)
    held: Mapped[int] = mapped_column(Integer)
    freed_bytes: Mapped[int] = mapped_column(BigInteger)
    by: Mapped[str] = mapped_column(String(64))
