"""Queue calls registered from the AMI link as they happen: each caller's app_queue
events folded (:mod:`callcenter.call_register`) and the record stored the moment the
call ends, by the process leading the callcenter's AMI recording; the callers still
waiting are what the wallboard shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from callcenter.call_register import QueueCallFold
from callcenter.queue_call_store import SqlQueueCalls
from callgrid.events import EventHub
from callgrid.work import Leadership
from telephony.ami.event_base import AmiEvent
from telephony.ami.queue_events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AgentRingNoAnswer,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
)
from worktime.clock import Clock

log = logging.getLogger(__name__)
QUEUES_TOPIC = "callcenter.queues"
QUEUE_CALL_EVENTS: tuple[type[AmiEvent], ...] = (
    QueueCallerJoin, AgentCalled, AgentRingNoAnswer, AgentConnect, AgentComplete,
    QueueCallerAbandon, QueueCallerLeave,
)  # fmt: skip
FORGOTTEN_AFTER = timedelta(hours=4)
"""A call whose end never came (it ended while the link was down) is let go then."""


@dataclass(frozen=True)
class Waiting:
    queue: str
    uniqueid: str
    caller: str | None
    joined_at: datetime


class QueueCallWatch:
    def __init__(
        self, store: SqlQueueCalls, leadership: Leadership, events: EventHub, clock: Clock
    ) -> None:
        self.store = store
        self.leadership = leadership
        self.events = events
        self.clock = clock
        self._folds: dict[str, QueueCallFold] = {}

    async def on_event(self, event: AmiEvent) -> None:
        now = self.clock()
        uniqueid = getattr(event, "uniqueid", "")
        if isinstance(event, QueueCallerJoin):
            self._folds[uniqueid] = QueueCallFold()
        fold = self._folds.get(uniqueid)
        if fold is None or not fold.take(now, event):
            return
        if fold.finished and fold.record is not None:
            del self._folds[uniqueid]
            if await self.leadership.try_to_lead():
                await self.store.add(fold.record)
        self._forget_stale(now)
        self.events.publish(QUEUES_TOPIC, queue=getattr(event, "queue", ""))

    def waiting(self) -> list[Waiting]:
        """The callers waiting for an operator now, longest first."""
        found = [
            Waiting(call.queue, call.uniqueid, call.caller, call.joined_at)
            for call in (fold.record for fold in self._folds.values())
            if call is not None and call.answered_at is None
        ]
        return sorted(found, key=lambda waiting: waiting.joined_at)

    def _forget_stale(self, now: datetime) -> None:
        stale = [
            uniqueid
            for uniqueid, fold in self._folds.items()
            if fold.record is None or now - fold.record.joined_at > FORGOTTEN_AFTER
        ]
        for uniqueid in stale:
            log.warning("queue call %s: its end never came; not registered", uniqueid[:64])
            del self._folds[uniqueid]
