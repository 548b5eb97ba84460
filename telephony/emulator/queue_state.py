"""What the emulated app_queue knows: queues as queues.conf sets them, their members'
state, the callers waiting, and the running averages QueueStatus reports.

Field by field as Asterisk 22 keeps them (apps/app_queue.c): ``InCall`` is a member
bridged to a caller, ``LastCall`` the epoch second the last call ended (shared by every
queue the member is in, ``shared_lastcall = yes``), ``Wrapuptime`` the member's own
wrap-up (0: the queue's applies).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Headers = list[tuple[str, str]]
NOT_IN_USE, IN_USE, RINGING = 1, 2, 6
UNAVAILABLE_STATES = frozenset({4, 5})  # INVALID, UNAVAILABLE do not count as logged in
FREE_STATES = frozenset({0, NOT_IN_USE})  # UNKNOWN, NOT_INUSE: a member may be rung
DEFAULT_TIMEOUT, DEFAULT_RETRY = 15, 5
"""app_queue's ``timeout`` (seconds a member rings) and ``retry`` (pause between tries)."""


@dataclass
class EmulatedMember:
    interface: str
    name: str = ""
    penalty: int = 0
    paused: bool = False
    paused_reason: str = ""
    state_interface: str = ""
    dynamic: bool = False
    status: int = NOT_IN_USE
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = field(default_factory=lambda: int(time.time()))
    in_call: bool = False
    wrapup_time: int = 0

    def __post_init__(self) -> None:
        self.name = self.name or self.interface
        self.state_interface = self.state_interface or self.interface

    def state(self, queue: str) -> Headers:
        """The block of QueueMemberAdded/Removed/Pause/Penalty/Status events."""
        return [
            ("Queue", queue),
            ("MemberName", self.name),
            ("Interface", self.interface),
            ("StateInterface", self.state_interface),
            ("Membership", "dynamic" if self.dynamic else "static"),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", "1" if self.in_call else "0"),
            ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.paused_reason),
            ("Ringinuse", "0"),
            ("Wrapuptime", str(self.wrapup_time)),
        ]

    def list_item(self, queue: str) -> Headers:
        """The QueueMember item of QueueStatus: ``Name``/``Location``, no Ringinuse."""
        return [
            ("Queue", queue),
            ("Name", self.name),
            ("Location", self.interface),
            *[pair for pair in self.state(queue)[3:] if pair[0] != "Ringinuse"],
        ]


@dataclass
class WaitingCaller:
    """A caller in a queue, as the QueueEntry item of QueueStatus shows it."""

    channel: str
    uniqueid: str
    caller_num: str
    caller_name: str
    joined: int
    """The epoch second the caller joined."""
    priority: int = 0

    def list_item(self, queue: str, position: int, now: int) -> Headers:
        return [
            ("Queue", queue),
            ("Position", str(position)),
            ("Channel", self.channel),
            ("Uniqueid", self.uniqueid),
            ("CallerIDNum", self.caller_num or "unknown"),
            ("CallerIDName", self.caller_name or "unknown"),
            ("ConnectedLineNum", self.caller_num or "unknown"),
            ("ConnectedLineName", self.caller_name or "unknown"),
            ("Wait", str(now - self.joined)),
            ("Priority", str(self.priority)),
        ]


@dataclass
class EmulatedQueue:
    name: str
    strategy: str = "ringall"
    members: list[EmulatedMember] = field(default_factory=list)
    timeout: int = DEFAULT_TIMEOUT
    retry: int = DEFAULT_RETRY
    wrapup_time: int = 0
    set_interface_var: bool = True
    """``setinterfacevar``: MEMBERINTERFACE on the caller, as the shipped queues.conf sets."""
    callers: list[WaitingCaller] = field(default_factory=list)
    hold_time: int = 0
    talk_time: int = 0
    completed: int = 0
    abandoned: int = 0
    round_robin: int = 0
    """rrmemory: the position of the member to ring first next time."""

    def member(self, interface: str) -> EmulatedMember | None:
        return next((m for m in self.members if m.interface == interface), None)

    def position(self, caller: WaitingCaller) -> int:
        return self.callers.index(caller) + 1

    def join(self, caller: WaitingCaller) -> int:
        """Put the caller behind everyone of equal or higher priority; its position."""
        ahead = [c for c in self.callers if c.priority >= caller.priority]
        index = self.callers.index(ahead[-1]) + 1 if ahead else 0
        self.callers.insert(index, caller)
        return index + 1

    def record_hold(self, seconds: int) -> None:
        """app_queue's exponential average of the hold time, at each answer."""
        if self.completed + self.abandoned == 0:
            self.hold_time = seconds
        else:
            self.hold_time = (self.hold_time * 3 + seconds) >> 2

    def record_talk(self, seconds: int) -> None:
        self.completed += 1
        self.talk_time = seconds if self.completed == 1 else (self.talk_time * 3 + seconds) >> 2


def reference_queues() -> list[EmulatedQueue]:
    """queues.conf of the reference Asterisk (README snippet D)."""
    no_answer = "Local/op-noanswer@operators/n"
    return [
        EmulatedQueue(
            "support",
            "linear",
            [
                EmulatedMember(no_answer, "Operator NoAnswer"),
                EmulatedMember("Local/op-answer@operators/n", "Operator Answer"),
            ],
            timeout=4,
            retry=1,
        ),
        EmulatedQueue(
            "sales", "ringall", [EmulatedMember(no_answer, "Sales NoAnswer")], timeout=15, retry=1
        ),
    ]


QueueSpec = Iterable[EmulatedQueue] | Mapping[str, Iterable[str | EmulatedMember]]
"""Queues as objects, or simply ``{"support": ["PJSIP/101", "PJSIP/102"]}``."""


def build_queues(spec: QueueSpec) -> list[EmulatedQueue]:
    if not isinstance(spec, Mapping):
        return list(spec)
    return [
        EmulatedQueue(
            name,
            members=[m if isinstance(m, EmulatedMember) else EmulatedMember(m) for m in members],
        )
        for name, members in spec.items()
    ]
