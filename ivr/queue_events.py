"""AMI queue events as the queue_log lines they stand for, so one fold serves both."""

from __future__ import annotations

from datetime import datetime

from telephony.ami.queue_events import AgentComplete, AgentConnect, QueueCallerAbandon
from telephony.queue_log import QueueLogEntry

QueueEvent = AgentConnect | AgentComplete | QueueCallerAbandon


def as_queue_log(event: QueueEvent, at: datetime) -> QueueLogEntry:
    if isinstance(event, AgentConnect):
        return QueueLogEntry(at, event.uniqueid, event.queue, event.member_name, "CONNECT", ())
    if isinstance(event, AgentComplete):
        kind = "COMPLETEAGENT" if event.reason == "agent" else "COMPLETECALLER"
        return QueueLogEntry(at, event.uniqueid, event.queue, event.member_name, kind, ())
    return QueueLogEntry(at, event.uniqueid, event.queue, "NONE", "ABANDON", ())
