"""One caller's time in an emulated queue (app_queue's ``queue_ent``) and the members
rung for it. The course of the call is :mod:`.queue_calls`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from telephony.emulator.agi_channel_state import ChannelState
from telephony.emulator.ami_channel import Channel
from telephony.emulator.queue_members import RingOrder
from telephony.emulator.queue_state import EmulatedMember, EmulatedQueue, WaitingCaller
from telephony.emulator.virtual_time import Timer

Phase = Literal["waiting", "ringing", "retry", "talking", "over"]
Ranked = list[tuple[int, int, EmulatedMember]]


@dataclass(eq=False)
class Attempt:
    """A member rung for the caller, and its leg (``DestChannel`` of the agent events)."""

    member: EmulatedMember
    leg: Channel
    timer: Timer | None = None
    """When the member answers, if it will."""


@dataclass(eq=False)
class QueueCall:
    channel: ChannelState
    queue: EmulatedQueue
    entry: WaitingCaller
    original_position: int
    expire: int | None
    """The epoch second Queue()'s timeout runs out; None: it waits for ever."""
    started_at: float
    """Virtual time it joined."""
    done: asyncio.Future[int]
    phase: Phase = "waiting"
    pending: bool = False
    """Ringing members now: callers behind may ring the members left."""
    waiting_since: float = 0.0
    order: RingOrder = field(default_factory=RingOrder)
    attempts: list[Attempt] = field(default_factory=list)
    untried: Ranked = field(default_factory=list)
    round_started: float = 0.0
    ring_ms: int | None = None
    round_timer: Timer | None = None
    check: Timer | None = None
    hangup: Timer | None = None
    """The scripted caller giving up while waiting."""
    on_expiry: Callable[[], None] | None = None
    timers: list[Timer] = field(default_factory=list)
    connected: int = 0
    """The epoch second a member answered; 0 while none has."""
    talk_started: float = 0.0
    caller_left: bool = False
    go_on: bool = False
    """Option ``c``: once answered, the caller comes back from Queue() (QUEUESTATUS
    CONTINUE, 0) when the member hangs up, and also when the caller does (then dead)."""

    def __post_init__(self) -> None:
        self.waiting_since = self.started_at

    def expired(self, now: int) -> bool:
        return self.expire is not None and now >= self.expire

    def expiring(self) -> None:
        """The timeout is reached: a waiting caller notices at its next check; one being
        rung when its ring time, cut to the timeout, ends."""
        if self.phase == "waiting" and self.on_expiry is not None:
            self.on_expiry()

    def ring_time(self, now: int) -> int | None:
        """Milliseconds members ring in this try (``timeoutpriority = app``): the queue's
        timeout, or what is left of Queue()'s when that is shorter; None: no limit."""
        timeout = self.queue.timeout
        if self.expire is not None and (not timeout or self.expire - now <= timeout):
            return max(self.expire - now, 0) * 1000
        return timeout * 1000 if timeout else None

    def ringing_seconds(self, now: float) -> int:
        """AgentConnect's RingTime: whole seconds since this try began (0 with no limit)."""
        if self.ring_ms is None:
            return 0
        return round((now - self.round_started) * 1000) // 1000

    def connect(self, second: int, now: float) -> None:
        self.phase, self.pending = "talking", False
        self.connected, self.talk_started = second, now
        if self.hangup is not None:
            self.hangup.cancel()

    def end(self) -> None:
        self.phase = "over"
        for timer in self.timers:
            timer.cancel()
        for attempt in self.attempts:
            if attempt.timer is not None:
                attempt.timer.cancel()
