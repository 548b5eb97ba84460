"""The course of emulated queue calls, as app_queue runs it: a caller waits its turn,
looking again each second (wait_our_turn); each try rings the members the strategy puts
first that can be rung (try_calling, ring_one), for the ring time; after ``retry``
seconds the next try; a member answering takes the call; the call ends as the member's
behaviour says, or when the caller hangs up. The public side is :mod:`.queue_calls`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

from telephony.emulator.agi_channel import emulated_uniqueid, next_channel_number
from telephony.emulator.ami_channel import RINGING, UP, Channel
from telephony.emulator.ami_queues import QueueBook
from telephony.emulator.queue_call import Attempt, QueueCall
from telephony.emulator.queue_members import Emit, HungUpBy, Members, metrics, store_next
from telephony.emulator.queue_state import DEFAULT_RETRY, NOT_IN_USE, EmulatedMember
from telephony.emulator.virtual_time import Timer, VirtualTime


class QueueRounds:
    def __init__(self, book: QueueBook, emit: Emit, time: VirtualTime, members: Members) -> None:
        self.book, self.time, self._emit, self.members = book, time, emit, members
        self._calls: dict[str, QueueCall] = {}
        self._looking = self._look_again = False

    def changed(self) -> None:
        """Something that may let a waiting caller ring changed (a member freed, added,
        unpaused): each caller waiting looks again at its next check."""
        if self._looking:
            self._look_again = True
            return
        self._looking = self._look_again = True
        try:
            while self._look_again:
                self._look_again = False
                for queue in self.book.queues.values():
                    for entry in list(queue.callers):
                        call = self._calls.get(entry.channel)
                        if call is not None and call.phase == "waiting":
                            self._look_soon(call)
        finally:
            self._looking = False

    def _look_soon(self, call: QueueCall) -> None:
        """wait_our_turn looks each second from when the caller began to wait."""
        if call.check is not None:
            return
        elapsed = self.time.now - call.waiting_since
        delay = math.ceil(round(elapsed, 6)) - elapsed
        if delay <= 1e-6:
            self._look(call)
        else:
            call.check = self._after(call, delay, lambda: self._look(call))

    def _look(self, call: QueueCall) -> None:
        call.check = None
        if call.phase != "waiting":
            return
        if call.expired(self.time.second()):
            self._time_out(call)
        elif self._our_turn(call):
            self._try(call)

    def _our_turn(self, call: QueueCall) -> bool:
        """is_our_turn: fewer callers ahead not already ringing than members available."""
        queue = call.queue
        available = sum(1 for member in queue.members if self.members.available(queue, member))
        ahead = 0
        for entry in queue.callers[: queue.position(call.entry) - 1]:
            other = self._calls.get(entry.channel)
            ahead += other is not None and not other.pending
        return ahead < available

    def _try(self, call: QueueCall) -> None:
        """try_calling: ring the best members that can be rung, for the ring time."""
        queue, now = call.queue, self.time.second()
        call.phase, call.pending, call.round_started = "ringing", True, self.time.now
        call.ring_ms = call.ring_time(now)
        ranked, ringall = metrics(queue, call.order, now), queue.strategy == "ringall"
        tried: set[int] = set()
        while not call.attempts and len(tried) < len(ranked):
            best = min((r for r in ranked if r[1] not in tried), key=lambda r: r[:2])
            level = [r for r in ranked if r[1] not in tried and r[0] <= best[0]]
            for _, position, member in level if ringall else [best]:
                tried.add(position)
                if self.members.can_ring(queue, member):
                    self._ring(call, member)
        call.untried = [r for r in ranked if r[1] not in tried]
        if not call.attempts:
            self._tried(call)
            return
        if call.ring_ms is not None:
            call.round_timer = self._after(call, call.ring_ms / 1000, lambda: self._no_answer(call))
        self.changed()

    def _ring(self, call: QueueCall, member: EmulatedMember) -> None:
        attempt = Attempt(member, self._leg(call, member))
        call.attempts.append(attempt)
        self._agent_event("AgentCalled", call, attempt, [])
        attempt.leg.state = RINGING
        self.members.ringing(member)
        answer_after = self.members.behaviour(member.interface).answer_after
        if answer_after is not None:
            attempt.timer = self._after(call, answer_after, lambda: self._answered(call, attempt))

    def _no_answer(self, call: QueueCall) -> None:
        if call.phase != "ringing":
            return
        for attempt in call.attempts:
            self._agent_event("AgentRingNoAnswer", call, attempt, [("RingTime", str(call.ring_ms))])
        self._release(call)
        self._tried(call)

    def _tried(self, call: QueueCall) -> None:
        """Nobody answered this try: after ``retry`` seconds, the next (or wait again)."""
        store_next(call.queue, call.order, call.untried)
        call.pending = False
        if call.expired(self.time.second()):
            self._time_out(call)
            return
        call.phase = "retry"
        retry = call.queue.retry if call.queue.retry > 0 else DEFAULT_RETRY
        self._after(call, retry, lambda: self._retried(call))
        self.changed()

    def _retried(self, call: QueueCall) -> None:
        if call.phase != "retry":
            return
        if call.expired(self.time.second()):
            self._time_out(call)
        elif self._our_turn(call):
            self._try(call)
        else:
            call.phase, call.waiting_since = "waiting", self.time.now
            self.changed()

    def _answered(self, call: QueueCall, attempt: Attempt) -> None:
        if call.phase != "ringing" or attempt not in call.attempts:
            return
        queue, member, now = call.queue, attempt.member, self.time.second()
        attempt.leg.state = UP
        if call.round_timer is not None:
            call.round_timer.cancel()
        self.members.answered(member)
        call.attempts.remove(attempt)
        self._release(call)
        call.attempts = [attempt]
        store_next(queue, call.order, call.untried)
        hold, ring = now - call.entry.joined, call.ringing_seconds(self.time.now)
        queue.record_hold(hold)
        self._leave(call)
        self._agent_event(
            "AgentConnect", call, attempt, [("HoldTime", str(hold)), ("RingTime", str(ring))]
        )
        member.in_call = True
        call.connect(now, self.time.now)
        if queue.set_interface_var:
            call.channel.variables.update(MEMBERINTERFACE=member.interface, MEMBERNAME=member.name)
        behaviour = self.members.behaviour(member.interface)
        ends = behaviour.hangs_up
        self._after(call, behaviour.talk_seconds, lambda: self._complete(call, ends))
        self.changed()

    def _complete(self, call: QueueCall, by: HungUpBy) -> None:
        if call.phase != "talking":
            return
        attempt, now = call.attempts[0], self.time.second()
        hold, talk = call.connected - call.entry.joined, now - call.connected
        extra = [("HoldTime", str(hold)), ("TalkTime", str(talk)), ("Reason", by)]
        self._agent_event("AgentComplete", call, attempt, extra)
        call.queue.record_talk(talk)
        for wrapped_up in self.members.call_ended(call.queue, attempt.member):
            self.time.after(self.time.at_second(wrapped_up) - self.time.now, self.changed)
        call.caller_left = by == "caller"
        if call.go_on:
            call.channel.variables["QUEUESTATUS"] = "CONTINUE"
        self._finish(call, 0 if call.go_on else -1)

    def _caller_gone(self, call: QueueCall) -> None:
        """The caller hangs up: the end of the talk, or an abandon."""
        if call.phase == "talking":
            self._complete(call, "caller")
            return
        if call.phase == "ringing":
            store_next(call.queue, call.order, call.untried)
        self._release(call)
        self._abandon(call)
        call.caller_left = True
        self._finish(call, -1)

    def _time_out(self, call: QueueCall) -> None:
        self._abandon(call)
        call.channel.variables["QUEUESTATUS"] = "TIMEOUT"
        self._finish(call, 0)

    def _abandon(self, call: QueueCall) -> None:
        """record_abandoned, then leave_queue."""
        call.channel.variables["ABANDONED"] = "TRUE"
        call.queue.abandoned += 1
        held = self.time.second() - call.entry.joined
        position = call.queue.position(call.entry)
        extra = [("Position", str(position)), ("OriginalPosition", str(call.original_position))]
        self._caller_event("QueueCallerAbandon", call, [*extra, ("HoldTime", str(held))])
        self._leave(call)

    def _leave(self, call: QueueCall) -> None:
        position = call.queue.position(call.entry)
        call.queue.callers.remove(call.entry)
        self._caller_event("QueueCallerLeave", call, [("Position", str(position))])

    def _release(self, call: QueueCall) -> None:
        """The members still ringing for the caller stop: their devices are free."""
        for attempt in call.attempts:
            if attempt.timer is not None:
                attempt.timer.cancel()
            self.members.set_status(attempt.member, NOT_IN_USE)
        call.attempts = []

    def _finish(self, call: QueueCall, code: int) -> None:
        call.end()
        self._calls.pop(call.entry.channel, None)
        if not call.done.done():
            call.done.set_result(code)
        self.changed()

    # -- events -------------------------------------------------------------------------

    def _after(self, call: QueueCall, delay: float, action: Callable[[], None]) -> Timer:
        timer = self.time.after(delay, action)
        call.timers.append(timer)
        return timer

    def _leg(self, call: QueueCall, member: EmulatedMember) -> Channel:
        """The member's channel: ``Local/op@operators-0000002b;1``, ``PJSIP/101-0000002b``."""
        number, caller = next_channel_number(), dict(call.channel.snapshot())
        technology, _, rest = member.interface.partition("/")
        target = rest.split("/")[0]
        local = technology.lower() == "local"
        name = f"{technology}/{target}-{number:08x}" + (";1" if local else "")
        context = target.partition("@")[2] if local else "default"
        uniqueid = emulated_uniqueid(self.time.wall(), os.getpid(), number)
        leg = Channel(name, uniqueid, caller["Linkedid"], context, caller["Exten"])
        leg.caller_num, leg.caller_name = caller["CallerIDNum"], caller["CallerIDName"]
        return leg

    def _caller_event(self, name: str, call: QueueCall, extra: list[tuple[str, str]]) -> None:
        count = [("Count", str(len(call.queue.callers)))] if name != "QueueCallerAbandon" else []
        headers = [*call.channel.snapshot(), ("Queue", call.queue.name), *extra, *count]
        self._emit(name, "agent,all", headers)

    def _agent_event(
        self, name: str, call: QueueCall, attempt: Attempt, extra: list[tuple[str, str]]
    ) -> None:
        member = attempt.member
        headers = [*call.channel.snapshot(), *attempt.leg.snapshot("Dest")]
        headers += [("Queue", call.queue.name), ("Interface", member.interface)]
        self._emit(name, "agent,all", [*headers, ("MemberName", member.name), *extra])
