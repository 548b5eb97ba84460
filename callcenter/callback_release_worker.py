"""The release of kept-place callbacks (CC-5): the I/O around
:mod:`callcenter.callback_release`, in the process that holds the AMI link.

Each round reads the due kept places from the database, the operators' board and the
live callers of this process's link, and carries the decision out: holds taken and let
go (QueuePause), and each callback to dial claimed in the database first (a lease:
two processes on one PostgreSQL database never dial one task twice, and a process that
dies frees its claim when the lease runs out), then dialled as the desk dials it
(:mod:`callcenter.callback_dial`).

How a dialled callback ends comes from the events of its channel ``cb-<task>-<n>``:
an OriginateResponse other than answered (the operator did not answer), then the
``DialEnd`` of the customer's leg in ``[callgrid-callback]`` — ANSWER puts the two
through and the task becomes that operator's; BUSY, NOANSWER and the rest, or a
Hangup before any DialEnd, send the callback back to its kept place after the retry
interval, and after the last attempt it is left for the desk as an ordinary callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from callcenter.board import Board
from callcenter.callback_dial import channel_for, dial_callback, number_of
from callcenter.callback_release import HOLD_REASON, Dial, KeptCallback, Release, decide
from callcenter.queue_call_watch import QueueCallWatch
from callcenter.storage import SqlTasks
from callcenter.tasks import QueuePlace, Task
from telephony.ami import AmiClient
from telephony.ami.actions import QueuePause
from telephony.ami.errors import AmiError
from telephony.ami.event_base import AmiEvent
from telephony.ami.events import DialEnd, Hangup, OriginateReason
from worktime.clock import Clock

log = logging.getLogger(__name__)
CALLBACK_EVENTS: tuple[type[AmiEvent], ...] = (DialEnd, Hangup)
IsOpen = Callable[[str, datetime], bool]


@dataclass(frozen=True)
class ReleaseRules:
    attempts: int
    """Attempts before a callback is left for the desk."""
    retry: timedelta
    """How long a failed callback waits at its place before the next attempt."""
    lease: timedelta
    """How long a claim holds: the longest from the claim to the customer's answer."""


@dataclass
class _Call:
    task_id: int
    login: str
    place: QueuePlace
    settling: asyncio.Future[None] | None = None
    """How the call ended being stored: once, whichever event tells it first."""


class CallbackRelease:
    def __init__(
        self,
        tasks: SqlTasks,
        board: Board,
        waiting: QueueCallWatch,
        ami: Callable[[], AmiClient | None],
        is_open: IsOpen,
        rules: ReleaseRules,
        clock: Clock,
        owner: str | None = None,
    ) -> None:
        self.tasks = tasks
        self.board = board
        self.waiting = waiting
        self.ami = ami
        self.is_open = is_open
        self.rules = rules
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:callbacks"
        self._calls: dict[str, _Call] = {}
        """This process's callback calls by channel, until their Hangup."""
        self._round = asyncio.Lock()
        self._dialling: set[asyncio.Task[object]] = set()

    async def step(self) -> list[Dial]:
        """One round: the callbacks dialled in it (their calls go on in the background)."""
        async with self._round:
            ami = self.ami()
            if ami is None or not ami.is_connected or not self.board.link_up:
                return []
            now = self.clock()
            places = [(task, task.place) for task in await self.tasks.kept_places()]
            due = [
                KeptCallback(task.id, place.queue, place.joined_at)
                for task, place in places
                if place is not None and place.due(now) and number_of(task)
            ]
            busy = {call.login for call in self._calls.values()} | {
                place.operator
                for _task, place in places
                if place is not None and place.operator and place.dialling(now)
            }
            release = decide(
                now, due, self.waiting.waiting(), self.board.operators(now), self.is_open,
                frozenset(busy),
            )  # fmt: skip
            await self._pause(ami, release)
            return [dial for dial in release.dials if await self._start(ami, dial, now)]

    async def settle(self) -> None:
        """Wait for the Originates started so far (tests; the engine stopping)."""
        while self._dialling:
            await asyncio.gather(*list(self._dialling), return_exceptions=True)

    async def on_event(self, event: AmiEvent) -> None:
        uniqueid = getattr(event, "uniqueid", None)
        call = self._calls.get(uniqueid or "")
        if call is None:
            return
        if isinstance(event, DialEnd):
            await self._settle(call, connected=event.dial_status == "ANSWER")
        elif isinstance(event, Hangup):
            del self._calls[event.uniqueid]
            await self._settle(call, connected=False)
            self._later(self.step())  # the operator is free: their hold let go or reused

    async def run(
        self, interval: float = 1.0, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    ) -> None:
        try:
            while True:
                try:
                    await self.step()
                except Exception:
                    log.exception("kept-place callbacks could not be released; retrying")
                await sleep(interval)
        finally:
            for dialling in list(self._dialling):
                dialling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.settle()

    async def _pause(self, ami: AmiClient, release: Release) -> None:
        for pause in release.pauses:
            reason = HOLD_REASON if pause.paused else None
            try:
                await ami.send(QueuePause(pause.interface, pause.paused, pause.queue, reason))
            except AmiError as error:
                log.warning("%s in %s not (un)held: %s", pause.login, pause.queue, error)

    async def _start(self, ami: AmiClient, dial: Dial, now: datetime) -> bool:
        task = await self.tasks.claim_place(
            dial.task_id, self.owner, dial.login, now, self.rules.lease
        )
        place = None if task is None else task.place
        if task is None or place is None:
            return False  # another process took it, or it is no longer waiting
        self._later(self._dial(ami, dial, task, place))
        return True

    def _later(self, work: Coroutine[Any, Any, object]) -> None:
        running = asyncio.create_task(work)
        self._dialling.add(running)
        running.add_done_callback(self._dialling.discard)

    async def _dial(self, ami: AmiClient, dial: Dial, task: Task, place: QueuePlace) -> None:
        channel_id = channel_for(task)
        call = _Call(task.id, dial.login, place)
        self._calls[channel_id] = call
        try:
            placed = await dial_callback(
                ami, self.tasks, task, dial.interface, self.owner, self.clock()
            )
        except AmiError as error:
            log.warning("callback %s not dialled: %s", task.id, error)
            self._calls.pop(channel_id, None)
            await self._settle(call, connected=False)
            return
        if placed.reason != OriginateReason.ANSWERED:
            self._calls.pop(channel_id, None)  # no channel of the call is left
            await self._settle(call, connected=False)

    async def _settle(self, call: _Call, *, connected: bool) -> None:
        """Store how the call ended, once: a later event waits for that to be stored."""
        if call.settling is None:
            call.settling = asyncio.ensure_future(self._store(call, connected=connected))
        await call.settling

    async def _store(self, call: _Call, *, connected: bool) -> None:
        now = self.clock()
        rules = self.rules
        place = (
            call.place.connected()
            if connected
            else call.place.failed(now, rules.retry, rules.attempts)
        )
        if not await self.tasks.move_place(call.task_id, self.owner, place):
            log.warning("callback %s: the claim ran out before it was settled", call.task_id)


def service_of(queue: str) -> str:
    """Whose working hours a queue keeps: dispatch and paid services their own, every
    other queue the billing hours (as the IVR routes callers to them)."""
    return queue if queue in ("dispatch", "paid_services") else "billing"
