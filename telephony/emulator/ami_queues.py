"""Queues of the AMI emulator: members, the QueueStatus/QueueSummary lists, and
QueueAdd/Remove/Pause/Penalty with Asterisk 22's exact messages (ami-queue-actions.txt)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from telephony.ami.message import AmiMessage
from telephony.emulator.queue_state import (
    FREE_STATES,
    UNAVAILABLE_STATES,
    EmulatedMember,
    EmulatedQueue,
    Headers,
    QueueSpec,
    build_queues,
    reference_queues,
)

__all__ = [
    "EmulatedMember",
    "EmulatedQueue",
    "QueueBook",
    "QueueError",
    "QueueSpec",
    "build_queues",
    "reference_queues",
]


class QueueError(Exception):
    """An action refused with Asterisk's message."""


MemberEvents = list[tuple[str, Headers]]


class QueueBook:
    """Queue state and the queue actions; each action returns (ack message, events).
    ``clock`` gives epoch seconds (the Wait of callers, LastPause)."""

    def __init__(
        self, queues: Iterable[EmulatedQueue], clock: Callable[[], float] = time.time
    ) -> None:
        self.queues = {queue.name: queue for queue in queues}
        self.clock = clock

    def _selected(self, name: str | None) -> list[EmulatedQueue]:
        return [q for q in self.queues.values() if not name or q.name.lower() == name.lower()]

    def summary(self, queue_filter: str | None) -> list[tuple[str, Headers]]:
        items = []
        for queue in self._selected(queue_filter):
            present = [m for m in queue.members if m.status not in UNAVAILABLE_STATES]
            available = [m for m in present if m.status in FREE_STATES and not m.paused]
            now = int(self.clock())
            longest = max((now - caller.joined for caller in queue.callers), default=0)
            items.append(
                (
                    "QueueSummary",
                    [
                        ("Queue", queue.name),
                        ("LoggedIn", str(len(present))),
                        ("Available", str(len(available))),
                        ("Callers", str(len(queue.callers))),
                        ("HoldTime", str(queue.hold_time)),
                        ("TalkTime", str(queue.talk_time)),
                        ("LongestHoldTime", str(longest)),
                    ],
                )
            )
        return items

    def status(
        self, queue_filter: str | None, member_filter: str | None
    ) -> list[tuple[str, Headers]]:
        items: list[tuple[str, Headers]] = []
        for queue in self._selected(queue_filter):
            items.append(("QueueParams", _params(queue)))
            for member in queue.members:
                if not member_filter or member_filter in (member.interface, member.name):
                    items.append(("QueueMember", member.list_item(queue.name)))
            now = int(self.clock())
            for position, caller in enumerate(queue.callers, 1):
                items.append(("QueueEntry", caller.list_item(queue.name, position, now)))
        return items

    def add(self, request: AmiMessage) -> tuple[str, MemberEvents]:
        queue_name, interface = request.get("Queue"), request.get("Interface")
        if not queue_name:
            raise QueueError("'Queue' not specified.")
        if not interface:
            raise QueueError("'Interface' not specified.")
        queue = self.queues.get(queue_name)
        if queue is None:
            raise QueueError("Unable to add interface to queue: No such queue")
        if queue.member(interface) is not None:
            raise QueueError("Unable to add interface: Already there")
        paused = _truthy(request.get("Paused"))
        member = EmulatedMember(
            interface,
            name=request.get("MemberName") or "",
            penalty=_int_or(request.get("Penalty"), 0),
            paused=paused,
            paused_reason=(request.get("Reason") or "") if paused else "",
            state_interface=request.get("StateInterface") or "",
            dynamic=True,
            login_time=int(self.clock()),
        )
        device = [m for q in self.queues.values() for m in q.members]
        same = [m.status for m in device if m.state_interface == member.state_interface]
        member.status = same[0] if same else member.status  # a phone busy in another queue
        queue.members.append(member)
        return "Added interface to queue", [("QueueMemberAdded", member.state(queue.name))]

    def remove(self, request: AmiMessage) -> tuple[str, MemberEvents]:
        queue_name, interface = request.get("Queue"), request.get("Interface")
        if not queue_name or not interface:
            raise QueueError("Need 'Queue' and 'Interface' parameters.")
        queue = self.queues.get(queue_name)
        if queue is None:
            raise QueueError("Unable to remove interface from queue: No such queue")
        member = queue.member(interface)
        if member is None:
            raise QueueError("Unable to remove interface: Not there")
        if not member.dynamic:
            raise QueueError("Member not dynamic")
        queue.members.remove(member)
        return "Removed interface from queue", [("QueueMemberRemoved", member.state(queue.name))]

    def pause(self, request: AmiMessage) -> tuple[str, MemberEvents]:
        interface, paused_text = request.get("Interface"), request.get("Paused")
        if not interface or not paused_text:
            raise QueueError("Need 'Interface' and 'Paused' parameters.")
        paused = _truthy(paused_text)
        found = self._members(request.get("Queue"), interface)
        if not found:
            raise QueueError("Interface not found")
        events: MemberEvents = []
        for queue, member in found:
            member.paused = paused
            member.paused_reason = (request.get("Reason") or "") if paused else ""
            member.last_pause = int(self.clock())
            events.append(("QueueMemberPause", member.state(queue.name)))
        message = "Interface paused successfully" if paused else "Interface unpaused successfully"
        return message, events

    def penalty(self, request: AmiMessage) -> tuple[str, MemberEvents]:
        interface, penalty_text = request.get("Interface"), request.get("Penalty")
        if not interface or not penalty_text:
            raise QueueError("Need 'Interface' and 'Penalty' parameters.")
        penalty = _int_or(penalty_text, -1)
        found = self._members(request.get("Queue"), interface)
        if penalty < 0 or not found:
            raise QueueError("Invalid interface, queuename or penalty")
        events: MemberEvents = []
        for queue, member in found:
            member.penalty = penalty
            events.append(("QueueMemberPenalty", member.state(queue.name)))
        return "Interface penalty set successfully", events

    def _members(
        self, queue_name: str | None, interface: str
    ) -> list[tuple[EmulatedQueue, EmulatedMember]]:
        """The interface in one queue, or in every queue when no queue is named."""
        queues = [self.queues[queue_name]] if queue_name in self.queues else []
        if not queue_name:
            queues = list(self.queues.values())
        found = [(queue, queue.member(interface)) for queue in queues]
        return [(queue, member) for queue, member in found if member is not None]


def _params(queue: EmulatedQueue) -> Headers:
    return [
        ("Queue", queue.name),
        ("Max", "0"),
        ("Strategy", queue.strategy),
        ("Calls", str(len(queue.callers))),
        ("Holdtime", str(queue.hold_time)),
        ("TalkTime", str(queue.talk_time)),
        ("Completed", str(queue.completed)),
        ("Abandoned", str(queue.abandoned)),
        ("ServiceLevel", "0"),
        ("ServicelevelPerf", "0.0"),
        ("ServicelevelPerf2", "0.0"),
        ("Weight", "0"),
    ]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "yes", "true", "on", "y", "t")


def _int_or(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
