"""Outages, the work the IVR leaves for people (messages, orders, callbacks) and the
operators' states."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text
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
    owner: Mapped[str | None] = mapped_column(String(64))
    """The operator it is for; None: anyone of the contact center (CC-5)."""
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[str | None] = mapped_column(String(64))


class OperatorNowRow(Base):
    """Each operator's state now, as the process watching the AMI link sees it: what
    the wallboard of every process shows."""

    __tablename__ = "operator_states"

    login: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    queues: Mapped[str] = mapped_column(String(512))
    """The queues the operator serves, comma-separated."""
    over_limit: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OperatorSpanRow(Base):
    """A finished stretch of time an operator spent in one state (CC-8): the operators'
    statistics add these up; ``unknown`` is a gap of the AMI link."""

    __tablename__ = "operator_spans"
    __table_args__ = (Index("ix_operator_spans_login", "login", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    activity: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class QueueStayRow(Base):
    """A caller's stay in a queue and the conversation it led to (CC-6, CC-8), from the
    AMI events as they came (``queue_calls`` is what queue_log told of each caller)."""

    __tablename__ = "queue_stays"
    __table_args__ = (Index("ix_queue_stays_queue_joined", "queue", "joined_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue: Mapped[str] = mapped_column(String(64))
    uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    linkedid: Mapped[str] = mapped_column(String(64))
    caller: Mapped[str | None] = mapped_column(String(32))
    operator: Mapped[str | None] = mapped_column(String(64))
    operator_interface: Mapped[str | None] = mapped_column(String(128))
    topic: Mapped[str | None] = mapped_column(String(128))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wait_seconds: Mapped[float] = mapped_column(Float)
    ring_seconds: Mapped[float] = mapped_column(Float)
    ring_attempts: Mapped[int] = mapped_column(Integer)
    talk_seconds: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    abandon_position: Mapped[int | None] = mapped_column(Integer)
    after_call_work_seconds: Mapped[float | None] = mapped_column(Float)


class LinkOutageRow(Base):
    """A loss of the AMI link to Asterisk, from its loss to the next login (CC-10);
    ``ended_at`` None while it lasts (or when the process that saw it died)."""

    __tablename__ = "link_outages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SwitchRow(Base):
    """A switch a supervisor sets for the whole contact center (the emergency mode)."""

    __tablename__ = "callcenter_switches"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    is_on: Mapped[bool] = mapped_column(default=False)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)
