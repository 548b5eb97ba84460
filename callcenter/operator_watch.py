"""The operators' board fed from the AMI link: the I/O around :mod:`callcenter.board`.

Each member and agent event is applied as it arrives, the clock ticks wrap-ups out
every second, the link's loss makes everyone unknown and every (re)login replaces the
board by a QueueStatus snapshot (CC-10: a gap shows as a gap, and is stored as an
outage of the link). The changed states and
the finished stretches are stored (by one process among those sharing the database,
the leader ``leadership`` names) and announced on the event hub
for the wallboards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from callcenter.board import Board, Span
from callcenter.link_outages import OutageAlarm, SqlLinkOutages
from callcenter.operator_state import OperatorState, login_of
from callcenter.operator_store import SqlOperators
from callgrid.events import EventHub
from callgrid.work import Leadership
from telephony.ami import AmiClient
from telephony.ami.actions import QueueStatus
from telephony.ami.event_base import AmiEvent
from telephony.ami.member_events import (
    QueueMember,
    QueueMemberAdded,
    QueueMemberPause,
    QueueMemberRemoved,
    QueueMemberStatus,
)
from telephony.ami.queue_events import AgentCalled, AgentComplete, AgentConnect, AgentRingNoAnswer
from worktime.clock import Clock

log = logging.getLogger(__name__)
OPERATORS_TOPIC = "callcenter.operators"
RINGING_TOPIC = "callcenter.ringing"
"""An operator is rung: ``login``, the ``caller``'s number, the ``queue``."""
OPERATOR_EVENTS: tuple[type[AmiEvent], ...] = (
    QueueMemberAdded, QueueMemberRemoved, QueueMemberStatus, QueueMemberPause,
    AgentCalled, AgentRingNoAnswer, AgentConnect, AgentComplete,
)  # fmt: skip


class OperatorWatch:
    def __init__(
        self,
        board: Board,
        store: SqlOperators,
        leadership: Leadership,
        events: EventHub,
        clock: Clock,
        ami: Callable[[], AmiClient | None],
        outages: SqlLinkOutages,
        alarm: OutageAlarm,
    ) -> None:
        self.outages = outages
        self.alarm = alarm
        self.board = board
        self.store = store
        self.leadership = leadership
        self.events = events
        self.clock = clock
        self.ami = ami
        self._writing = asyncio.Lock()
        self._states: dict[str, OperatorState] = {}
        self._spans: list[Span] = []
        self._over_limit: set[str] = set()
        """The operators kept as over the after-call work limit."""

    async def on_event(self, event: AmiEvent) -> None:
        now = self.clock()
        spans = self.board.apply(event, now)
        login = login_of(event)
        if login is None:
            return
        if isinstance(event, AgentCalled):  # the operator's desk shows who rings
            self.events.publish(
                RINGING_TOPIC,
                login=login,
                caller=event.caller_id_num or "",
                queue=event.queue,
                uniqueid=event.uniqueid,
            )
        await self._keep([self.board.state(login, now)], spans, now)

    async def resync(self) -> None:
        """After every (re)login: the board becomes what QueueStatus says."""
        ami = self.ami()
        if ami is None:
            return
        _reply, items = await ami.send_list(QueueStatus())
        now = self.clock()
        spans = self.board.resync([item for item in items if isinstance(item, QueueMember)], now)
        await self._keep(self.board.operators(now), spans, now)
        if await self.leadership.try_to_lead():
            await self.outages.restored(now)

    async def link_lost(self) -> None:
        now = self.clock()
        spans = self.board.link_lost(now)
        if await self.leadership.try_to_lead():
            await self.outages.lost(now)
        await self._keep(self.board.operators(now), spans, now)

    async def tick(self) -> None:
        now = self.clock()
        self.alarm.check(self.board.lost_at, now)
        spans = self.board.advance(now)
        changed = {span.login for span in spans}
        # kept: a state that changed, and after-call work that ran past its limit (no span)
        states = [
            state
            for state in self.board.operators(now)
            if state.login in changed or state.over_limit != (state.login in self._over_limit)
        ]
        if states or spans:
            await self._keep(states, spans, now)

    async def run(
        self, interval: float = 1.0, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    ) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("the operators' board could not be stored; retrying")
            await sleep(interval)

    async def _keep(
        self, states: Sequence[OperatorState], spans: Sequence[Span], now: datetime
    ) -> None:
        """Stored before this returns, with whatever else is waiting to be: while one
        transaction runs, the events that arrive meanwhile gather for the next (one
        transaction a burst, not one an event)."""
        self._states.update((state.login, state) for state in states)
        self._spans.extend(spans)
        for state in states:
            if state.over_limit:
                self._over_limit.add(state.login)
            else:
                self._over_limit.discard(state.login)
        async with self._writing:
            if not self._states and not self._spans:
                return  # the writer before took ours
            batch, finished = list(self._states.values()), self._spans
            self._states, self._spans = {}, []
            if await self.leadership.try_to_lead():
                await self.store.record(batch, finished, self.clock())
        self.events.publish(OPERATORS_TOPIC, operators=[state.login for state in batch])
