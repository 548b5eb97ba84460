"""app_queue for emulated AGI calls: ``EXEC Queue(name,options,URL,announce,timeout)``
played on the AMI as Asterisk 22 plays it (ami-queue-answered.txt, ami-queue-abandon.txt).

The caller joins (QueueCallerJoin; ``QUEUE_PRIO`` puts a caller ahead of those of lower
priority) and waits its turn. Each try rings members in the strategy's order, skipping
those paused, not free or in wrap-up (AgentCalled), for the queue's ``timeout``
(AgentRingNoAnswer, RingTime in ms), with ``retry`` seconds between tries. A member who
answers takes the call (QueueCallerLeave, then AgentConnect, HoldTime and RingTime in
seconds) and talks as its :class:`MemberBehaviour` says (AgentComplete, Reason agent or
caller). A caller hanging up while waiting abandons (QueueCallerAbandon, then
QueueCallerLeave), and so does one whose timeout ran out (Asterisk 22 reports it so
too), Queue() then returning 0 with QUEUESTATUS=TIMEOUT. An answered call returns -1,
or with option ``c`` 0 and QUEUESTATUS=CONTINUE (the caller's channel alive if the
member hung up); an AMI Hangup of the member's channel ends the talk as the member's
hangup. ``EXEC Dial`` to a member's interface is :mod:`.queue_dial`. Devices report
QueueMemberStatus as they change (:mod:`.queue_members`); QueueStatus shows it all live.

Only app_queue's own events are played: not the member legs' channel events (Newchannel,
Dial*, Bridge*, Hangup), nor MusicOnHold. Times are whole seconds of ``time(NULL)``, as
app_queue counts them, on a :class:`~.virtual_time.VirtualTime`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from telephony.emulator.agi_channel_state import ChannelState
from telephony.emulator.ami_queues import QueueBook
from telephony.emulator.queue_call import QueueCall
from telephony.emulator.queue_dial import MemberDial
from telephony.emulator.queue_members import STRATEGIES, Emit, MemberBehaviour, Members
from telephony.emulator.queue_rounds import QueueRounds
from telephony.emulator.queue_state import WaitingCaller
from telephony.emulator.recording import voice_band_tone
from telephony.emulator.virtual_time import VirtualTime

__all__ = ["MemberBehaviour", "QueueCalls"]


class QueueCalls(QueueRounds):
    """The queues' calls; implements :class:`~.agi_channel_state.QueueApp`. Test
    controls: :meth:`behave`, :meth:`answer`, :meth:`member_hangs_up`,
    :meth:`set_device_state` (QueueAdd/QueuePause go through the AMI)."""

    def __init__(
        self,
        book: QueueBook,
        emit: Emit,
        time: VirtualTime,
        behaviours: Mapping[str, MemberBehaviour] | None = None,
    ) -> None:
        """``behaviours`` maps member interfaces to how they take calls (others answer
        after 8 s and talk 45 s). A strategy not emulated raises ValueError."""
        for queue in book.queues.values():
            if queue.strategy not in STRATEGIES:
                raise ValueError(f"queue {queue.name}: strategy {queue.strategy} not emulated")
        super().__init__(book, emit, time, Members(book.queues, time, emit, dict(behaviours or {})))
        self.dials = MemberDial(self.members, time, self.changed)

    # -- controls -----------------------------------------------------------------------

    def behave(self, interface: str, behaviour: MemberBehaviour) -> None:
        """How the member takes its next calls."""
        self.members.behaviours[interface] = behaviour

    def answer(self, interface: str) -> bool:
        """The member picks up now, if its phone rings for a caller."""
        for call in list(self._calls.values()):
            for attempt in call.attempts:
                if call.phase == "ringing" and attempt.member.interface == interface:
                    self._answered(call, attempt)
                    return True
        return False

    def member_hangs_up(self, interface: str) -> bool:
        """The member ends its conversation now (``Reason: agent``)."""
        for call in list(self._calls.values()):
            if call.phase == "talking" and call.attempts[0].member.interface == interface:
                self._complete(call, "agent")
                return True
        return False

    def hang_up_leg(self, name: str) -> bool:
        """AMI ``Hangup`` of a member's channel: the conversation ends as the member's
        hangup (``Reason: agent``). A Local member's leg is hung up by its ``;2`` half
        (AgentConnect's DestChannel is ``;1``; hanging that up over AMI publishes no
        hangup request, and Asterisk reports the end only when the caller's call ends,
        which is not emulated: the ``;1`` is not found here)."""
        for call in list(self._calls.values()):
            leg = call.attempts[0].leg.name if call.phase == "talking" else ""
            local = leg.startswith("Local/") and leg.endswith(";1")
            if leg and name == (leg[:-1] + "2" if local else leg):
                self._complete(call, "agent")
                return True
        return False

    def set_device_state(self, interface: str, status: int) -> None:
        """The member's device changes (5: unavailable, 1: back): QueueMemberStatus."""
        members = [m for q in self.book.queues.values() for m in q.members]
        self.members.set_status(next(m for m in members if m.interface == interface), status)
        self.changed()

    def caller_hangs_up(self, channel: ChannelState) -> bool:
        call = next((c for c in self._calls.values() if c.channel is channel), None)
        if call is not None:
            self._caller_gone(call)
        return call is not None or self.dials.caller_hangs_up(channel)

    async def dial(self, channel: ChannelState, data: str) -> int:
        """``Dial(data)`` to a member's interface (:mod:`.queue_dial`)."""
        return await self.dials.dial(channel, data)

    def stop(self) -> None:
        """The emulator stops: every call still in a queue ends, its line dropped."""
        self.dials.stop()
        calls, self._calls = list(self._calls.values()), {}
        for call in calls:
            call.caller_left = True
            call.end()
            if not call.done.done():
                call.done.set_result(-1)

    # -- the application ----------------------------------------------------------------

    async def execute(self, channel: ChannelState, data: str) -> int:
        name, *args = data.split(",")
        channel.note("queued", name)
        queue = self.book.queues.get(name.strip())
        if queue is None:
            channel.variables["QUEUESTATUS"] = "UNKNOWN"
            return 0
        entry = WaitingCaller(
            channel.variables.get("CHANNEL", ""),
            channel.variables.get("UNIQUEID", ""),
            channel.variables.get("CALLERID(num)", ""),
            channel.variables.get("CALLERID(name)", ""),
            joined=self.time.second(),
            priority=_number(channel.variables.get("QUEUE_PRIO", "")),
        )
        position = queue.join(entry)
        timeout = args[3].strip() if len(args) > 3 else ""
        expire = entry.joined + _number(timeout) if timeout else None
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        call = QueueCall(channel, queue, entry, position, expire, self.time.now, done)
        call.go_on = "c" in (args[0] if args else "")
        self._calls[entry.channel] = call
        self._caller_event("QueueCallerJoin", call, [("Position", str(position))])
        hangup = channel.caller.hangs_up_now(waiting=True)
        if hangup is not None:
            call.hangup = self._after(call, hangup.after, lambda: self._caller_gone(call))
        if expire is not None:
            self._after(call, self.time.at_second(expire) - self.time.now, call.expiring)
            call.on_expiry = lambda: self._look_soon(call)
        self.changed()
        code = await done
        self._catch_up(call)
        return code

    def _catch_up(self, call: QueueCall) -> None:
        """The AGI channel's own time moves on by the wait and the talk; the operator's
        leg is heard by its MixMonitors; a caller who hung up leaves the channel dead."""
        channel, name = call.channel, call.queue.name
        talk = self.time.now - call.talk_started if call.connected else 0.0
        channel.now += self.time.now - call.started_at - talk
        if call.connected:
            channel.note("operator answered", name)
            if channel.mixmonitors.listening:
                channel.hear(voice_band_tone(talk))
            channel.now += talk
            channel.note("operator hung up" if not call.caller_left else "talked", name)
        elif channel.variables.get("QUEUESTATUS") == "TIMEOUT":
            channel.note("queue timeout", name)
        if call.caller_left:
            channel.die()


def _number(text: str) -> int:
    """What C's atoi reads: leading digits (with a sign), else 0."""
    digits = text.strip()
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    whole = digits[: len(digits) - len(digits.lstrip("0123456789"))]
    return sign * int(whole) if whole else 0
