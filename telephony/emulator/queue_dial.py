"""``Dial(interface,timeout,options)`` from an emulated AGI channel to a queue member's
interface (a transfer to a specialist, and back to the operator), on the queues' clock.

The member takes the call as its :class:`~.queue_members.MemberBehaviour` says: it
answers after ``answer_after`` seconds if that is within the timeout (DIALSTATUS
ANSWER), else rings out (NOANSWER). A member in a call rejects it (BUSY: a phone with no
call waiting); an interface that is no member, or one unavailable, cannot be reached
(CHANUNAVAIL, app_dial's "no channel": -1, or 0 with ``g``). After an answered call the
caller goes on with ``g`` when the member hangs up (0, as app_dial's OPT_GO_ON), else -1;
a caller who hangs up makes it -1 (CANCEL while ringing). The member's device reports
QueueMemberStatus as it rings and talks; Dial's own events (DialBegin/DialEnd) are not
played, as for the queue's member legs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from telephony.emulator.agi_channel_state import ChannelState
from telephony.emulator.queue_members import Members
from telephony.emulator.queue_state import (
    FREE_STATES,
    IN_USE,
    NOT_IN_USE,
    UNAVAILABLE_STATES,
    EmulatedMember,
)
from telephony.emulator.recording import voice_band_tone
from telephony.emulator.virtual_time import Timer, VirtualTime

DEFAULT_DIAL_TIMEOUT = 136 * 365 * 24 * 3600
"""No timeout given: app_dial waits as long as the callee rings."""


@dataclass(eq=False)
class DialCall:
    channel: ChannelState
    member: EmulatedMember | None
    go_on: bool
    started_at: float
    done: asyncio.Future[str]
    """Resolves to DIALSTATUS."""
    talk_started: float | None = None
    caller_left: bool = False
    timers: list[Timer] = field(default_factory=list)

    def finish(self, status: str) -> None:
        for timer in self.timers:
            timer.cancel()
        if not self.done.done():
            self.done.set_result(status)


class MemberDial:
    def __init__(self, members: Members, time: VirtualTime, changed: Callable[[], None]) -> None:
        self.members, self.time, self.changed = members, time, changed
        self._dials: dict[int, DialCall] = {}

    async def dial(self, channel: ChannelState, data: str) -> int:
        target, timeout, options = [*data.split(","), "", ""][:3]
        target = target.strip()
        member = self._member(target)
        channel.note("dialled", target)
        loop = asyncio.get_running_loop()
        call = DialCall(channel, member, "g" in options, self.time.now, loop.create_future())
        if member is None or member.status in UNAVAILABLE_STATES:
            status = "CHANUNAVAIL"
        elif member.in_call or member.status not in FREE_STATES:
            status = "BUSY"
        else:
            self._ring(call, member, _seconds(timeout))
            self._dials[id(channel)] = call
            try:
                status = await call.done
            finally:
                self._dials.pop(id(channel), None)
        channel.variables["DIALSTATUS"] = status
        self._catch_up(call, status)
        if call.caller_left:
            channel.die()
            return -1
        ends_call = status in ("CHANUNAVAIL", "ANSWER")  # app_dial's -1 for these
        return -1 if ends_call and not call.go_on else 0

    @property
    def dialled(self) -> list[str]:
        """The member interfaces being rung, or talking, over Dial now."""
        return [call.member.interface for call in self._dials.values() if call.member]

    def caller_hangs_up(self, channel: ChannelState) -> bool:
        call = self._dials.get(id(channel))
        if call is not None:
            self._caller_gone(call)
        return call is not None

    def stop(self) -> None:
        """The emulator stops: every call still being dialled ends, its line dropped."""
        for call in list(self._dials.values()):
            call.caller_left = True
            call.finish("CANCEL")

    def _ring(self, call: DialCall, member: EmulatedMember, timeout: float) -> None:
        self.members.ringing(member)
        behaviour = self.members.behaviour(member.interface)
        hangup = call.channel.caller.hangs_up_now(waiting=True)
        if hangup is not None:
            call.timers.append(self.time.after(hangup.after, lambda: self._caller_gone(call)))
        answer_after = behaviour.answer_after
        if answer_after is not None and answer_after < timeout:
            call.timers.append(self.time.after(answer_after, lambda: self._answered(call, member)))
        else:
            call.timers.append(self.time.after(timeout, lambda: self._ended(call, "NOANSWER")))

    def _answered(self, call: DialCall, member: EmulatedMember) -> None:
        for timer in call.timers:
            timer.cancel()
        self.members.answered(member)
        member.in_call = True
        call.talk_started = self.time.now
        behaviour = self.members.behaviour(member.interface)
        if behaviour.hangs_up == "caller":
            ends: Callable[[], None] = lambda: self._caller_gone(call)  # noqa: E731
        else:
            ends = lambda: self._ended(call, "ANSWER")  # noqa: E731
        call.timers = [self.time.after(behaviour.talk_seconds, ends)]

    def _caller_gone(self, call: DialCall) -> None:
        call.caller_left = True
        self._ended(call, "ANSWER" if call.talk_started is not None else "CANCEL")

    def _ended(self, call: DialCall, status: str) -> None:
        if call.done.done():
            return
        if call.member is not None:
            call.member.in_call = False
            self.members.set_status(call.member, NOT_IN_USE)
        call.finish(status)
        self.changed()

    def _catch_up(self, call: DialCall, status: str) -> None:
        """The AGI channel's time moves on by the ring and the talk; the callee's side of
        the talk is heard by the channel's MixMonitors."""
        channel, talk_started = call.channel, call.talk_started
        if talk_started is None:
            channel.now += self.time.now - call.started_at
            channel.note("dial ended", status)
            return
        talk = self.time.now - talk_started
        channel.now += talk_started - call.started_at
        channel.note("callee answered", call.member.interface if call.member else "")
        if channel.mixmonitors.listening:
            channel.hear(voice_band_tone(talk))
        channel.now += talk
        channel.note("talked" if call.caller_left else "callee hung up")

    def _member(self, interface: str) -> EmulatedMember | None:
        for queue in self.members.queues.values():
            found = queue.member(interface)
            if found is not None:
                return found
        return None


def _seconds(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        return DEFAULT_DIAL_TIMEOUT
    return value if value > 0 else DEFAULT_DIAL_TIMEOUT


__all__ = ["IN_USE", "DialCall", "MemberDial"]
