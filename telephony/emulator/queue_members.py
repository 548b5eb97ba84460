"""Queue members as app_queue sees them during calls: their devices, who may be rung,
the ring order of each strategy, and how each emulated operator behaves.

A device's state is one for every queue the member is in: a ringing phone is busy for
all of them, and each queue reports the change with its own ``QueueMemberStatus``. A
Local member being rung shows ``Status: 2`` (in use; ami-queue-answered.txt), a phone
``6`` (ringing) and then ``2`` once answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from telephony.emulator.queue_state import (
    FREE_STATES,
    IN_USE,
    NOT_IN_USE,
    RINGING,
    EmulatedMember,
    EmulatedQueue,
    Headers,
)
from telephony.emulator.virtual_time import VirtualTime

HungUpBy = Literal["agent", "caller"]
STRATEGIES = frozenset({"ringall", "linear", "rrmemory", "rrordered", "leastrecent", "fewestcalls"})
"""The ring strategies emulated; members of equal rank are tried in the order listed,
where Asterisk's own order among them is its hash table's."""
Emit = Callable[[str, str, Headers], None]
PENALTY_WEIGHT = 1_000_000


@dataclass(frozen=True)
class MemberBehaviour:
    """How an emulated operator handles a queue call."""

    answer_after: float | None = 8.0
    """Seconds the phone rings before the operator answers; None: never answers."""
    talk_seconds: float = 45.0
    hangs_up: HungUpBy = "agent"
    """Who ends the conversation: the operator (``Reason: agent``) or the caller."""


NEVER_ANSWERS = MemberBehaviour(answer_after=None)
REFERENCE_BEHAVIOURS: dict[str, MemberBehaviour] = {
    "Local/op-noanswer@operators/n": NEVER_ANSWERS,
    "Local/op-answer@operators/n": MemberBehaviour(answer_after=1.0, talk_seconds=3.925),
}
"""[operators] of the reference dialplan: op-noanswer rings for ever; op-answer
answers after Wait(1) and hangs up after hello-world and Wait(2) (ANSWEREDTIME_MS 3925)."""


@dataclass
class Members:
    """The members of every queue, by device, and how each takes calls."""

    queues: Mapping[str, EmulatedQueue]
    time: VirtualTime
    emit: Emit
    behaviours: dict[str, MemberBehaviour] = field(default_factory=dict)
    last_queue: dict[str, str] = field(default_factory=dict)
    """Per state interface, the queue of its last call (whose wrap-up applies)."""

    def behaviour(self, interface: str) -> MemberBehaviour:
        return self.behaviours.get(interface, MemberBehaviour())

    def entries(self, member: EmulatedMember) -> list[tuple[EmulatedQueue, EmulatedMember]]:
        """The member in every queue, by device: in the order the queues are listed."""
        return [
            (queue, other)
            for queue in self.queues.values()
            for other in queue.members
            if other.state_interface == member.state_interface
        ]

    def set_status(self, member: EmulatedMember, status: int) -> None:
        """The member's device changed: each queue that has it reports the change."""
        for queue, entry in self.entries(member):
            if entry.status != status:
                entry.status = status
                self.emit("QueueMemberStatus", "agent,all", entry.state(queue.name))

    def ringing(self, member: EmulatedMember) -> None:
        local = member.state_interface.lower().startswith("local/")
        self.set_status(member, IN_USE if local else RINGING)

    def answered(self, member: EmulatedMember) -> None:
        self.set_status(member, IN_USE)

    def call_ended(self, queue: EmulatedQueue, member: EmulatedMember) -> set[int]:
        """The member hung up a call of ``queue``: the call counts (``shared_lastcall``),
        the device is free. Returns the seconds its wrap-ups end, in each queue."""
        now, entries = self.time.second(), self.entries(member)
        for _, entry in entries:
            entry.last_call, entry.calls_taken, entry.in_call = now, entry.calls_taken + 1, False
        self.last_queue[member.state_interface] = queue.name
        self.set_status(member, NOT_IN_USE)
        wrapups = {self.wrapup(queue, member)} | {self.wrapup(q, entry) for q, entry in entries}
        return {now + wrapup for wrapup in wrapups if wrapup}

    def wrapup(self, queue: EmulatedQueue, member: EmulatedMember) -> int:
        return member.wrapup_time or queue.wrapup_time

    def available(self, queue: EmulatedQueue, member: EmulatedMember) -> bool:
        """is_member_available: free, not paused, its wrap-up in this queue over."""
        if member.status not in FREE_STATES or member.paused:
            return False
        return not self._wrapping_up(member, self.wrapup(queue, member))

    def can_ring(self, queue: EmulatedQueue, member: EmulatedMember) -> bool:
        """can_ring_entry: as available, but the wrap-up is the last call's queue's."""
        if member.status not in FREE_STATES or member.paused:
            return False
        last = self.queues.get(self.last_queue.get(member.state_interface, ""), queue)
        return not self._wrapping_up(member, self.wrapup(last, member))

    def _wrapping_up(self, member: EmulatedMember, wrapup: int) -> bool:
        return bool(member.last_call and wrapup and self.time.second() - member.last_call < wrapup)


@dataclass
class RingOrder:
    """Where a caller's linear order stands (app_queue's ``linpos``)."""

    position: int = 0
    wrapped: bool = False


def metrics(
    queue: EmulatedQueue, order: RingOrder, now: int
) -> list[tuple[int, int, EmulatedMember]]:
    """calc_metric: (metric, position, member), lowest rung first."""
    ranked = []
    for position, member in enumerate(queue.members):
        strategy, metric = queue.strategy, 0
        if strategy in ("linear", "rrmemory", "rrordered"):
            start = order.position if strategy == "linear" else queue.round_robin
            metric = 1000 + position if position < start else position
            order.wrapped = order.wrapped or position > start
        elif strategy == "leastrecent":
            metric = 1_000_000 - (now - member.last_call) if member.last_call else 0
        elif strategy == "fewestcalls":
            metric = member.calls_taken
        ranked.append((metric + member.penalty * PENALTY_WEIGHT, position, member))
    return ranked


def store_next(
    queue: EmulatedQueue, order: RingOrder, untried: list[tuple[int, int, EmulatedMember]]
) -> None:
    """store_next_lin / store_next_rr: after a try, start next time at the best member
    not rung in it, or wrap around."""
    if queue.strategy not in ("linear", "rrmemory", "rrordered"):
        return
    start = order.position if queue.strategy == "linear" else queue.round_robin
    best = min(untried, default=None, key=lambda ranked: ranked[:2])
    following = best[0] % 1000 if best else (0 if order.wrapped else start + 1)
    if queue.strategy == "linear":
        order.position = following
    else:
        queue.round_robin = following
    order.wrapped = False
