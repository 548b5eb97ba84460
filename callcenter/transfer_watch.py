"""Each operator's conversation now, from the AMI link: the caller's uniqueid and the
operator's own leg (AgentConnect's ``DestChannel``), which the desk hangs up to transfer
the call (CC-4). Kept in the process holding the link, as the operators' board is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callgrid.events import EventHub
from telephony.ami.event_base import AmiEvent
from telephony.ami.queue_events import AgentComplete, AgentConnect
from telephony.interfaces import operator_login
from worktime.clock import Clock

CONNECTED_TOPIC = "callcenter.connected"
"""An operator's conversation began (``login``, ``uniqueid``, ``caller``, ``queue``) or
ended (``uniqueid`` empty)."""
CURRENT_CALL_EVENTS: tuple[type[AmiEvent], ...] = (AgentConnect, AgentComplete)


@dataclass(frozen=True)
class CurrentCall:
    login: str
    uniqueid: str
    """The caller's channel: the transfer is looked up by it."""
    caller: str
    queue: str
    interface: str
    member_channel: str
    since: datetime


class CurrentCalls:
    def __init__(self, events: EventHub, clock: Clock) -> None:
        self.events = events
        self.clock = clock
        self._calls: dict[str, CurrentCall] = {}

    async def on_event(self, event: AmiEvent) -> None:
        if not isinstance(event, AgentConnect | AgentComplete):
            return
        login = operator_login(event.interface)
        if not login:
            return
        if isinstance(event, AgentConnect):
            call = CurrentCall(
                login, event.uniqueid, event.caller_id_num or "", event.queue,
                event.interface, event.dest_channel, self.clock(),
            )  # fmt: skip
            self._calls[login] = call
            self.events.publish(
                CONNECTED_TOPIC, login=login, uniqueid=call.uniqueid, caller=call.caller,
                queue=call.queue,
            )  # fmt: skip
            return
        current = self._calls.get(login)
        if current is not None and current.uniqueid == event.uniqueid:
            del self._calls[login]
            self.events.publish(CONNECTED_TOPIC, login=login, uniqueid="", caller="", queue="")

    async def link_lost(self) -> None:
        """What the link told is no longer known: a call ended meanwhile is not kept."""
        self._calls.clear()

    def of(self, login: str) -> CurrentCall | None:
        return self._calls.get(login)

    def by_uniqueid(self, uniqueid: str) -> CurrentCall | None:
        return next((call for call in self._calls.values() if call.uniqueid == uniqueid), None)
