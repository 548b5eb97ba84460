"""Channel actions of the AMI emulator: Originate, Hangup, Getvar/Setvar, MixMonitor.

Messages are Asterisk 22's (main/manager.c, apps/app_mixmonitor.c); the shapes of the
replies follow ami-originate-*.txt and ami-mixmonitor.txt.
"""

from __future__ import annotations

import asyncio

from telephony.ami.message import AmiMessage
from telephony.emulator.ami_calls import CallSimulator, Channel, OriginateRequest
from telephony.emulator.ami_session import AmiSession


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "yes", "true", "on", "y", "t")


def _variables(request: AmiMessage) -> dict[str, str]:
    """``Variable: A=1`` headers, repeated or comma-separated, as Asterisk accepts them."""
    pairs = [item for value in request.get_all("Variable") for item in value.split(",")]
    return dict(pair.partition("=")[::2] for pair in pairs if pair)


class ChannelActions:
    """Handlers: ``async (session, request) -> keep_connection_open``."""

    def __init__(self, calls: CallSimulator) -> None:
        self.calls = calls
        self.global_variables: dict[str, str] = {}
        self._calls_in_progress: set[asyncio.Task[None]] = set()

    async def cancel_calls(self) -> None:
        for task in list(self._calls_in_progress):
            task.cancel()
        await asyncio.gather(*self._calls_in_progress, return_exceptions=True)

    async def originate(self, session: AmiSession, request: AmiMessage) -> bool:
        """Async: ``Originate successfully queued`` now, OriginateResponse broadcast later.
        Sync: the reply is held until the outcome, and no OriginateResponse is sent."""
        call = OriginateRequest(
            dial_string=request.get("Channel") or "",
            context=request.get("Context"),
            exten=request.get("Exten"),
            application=request.get("Application"),
            data=request.get("Data"),
            caller_id=request.get("CallerID"),
            variables=_variables(request),
            channel_id=request.get("ChannelId") or None,
            other_channel_id=request.get("OtherChannelId") or None,
        )
        refusal = self.calls.refusal(call)
        if refusal is not None:
            session.reply(request, "Error", [("Message", refusal)])
            return True
        if _truthy(request.get("Async")):
            session.reply(request, "Success", [("Message", "Originate successfully queued")])
            task = asyncio.create_task(self.calls.place(call, request.action_id, report=True))
            self._calls_in_progress.add(task)
            task.add_done_callback(self._calls_in_progress.discard)
            return True
        outcome = self.calls.outcome_for(call)
        if outcome == "noanswer":
            await asyncio.sleep(self.calls.ring_delay)
        if outcome == "answer":
            session.reply(request, "Success", [("Message", "Originate successfully queued")])
        else:
            session.reply(request, "Error", [("Message", "Originate failed")])
        await self.calls.place(call, None, report=False, ring=False)
        return True

    async def hangup(self, session: AmiSession, request: AmiMessage) -> bool:
        channel = self._channel(session, request)
        if channel is not None:
            cause = request.get("Cause") or "16"
            session.reply(request, "Success", [("Message", "Channel Hungup")])
            for leg in [c for c in self.calls.channels.values() if c.linkedid == channel.linkedid]:
                self.calls.hang_up(leg, int(cause) if cause.isdigit() else 16)
        return True

    async def getvar(self, session: AmiSession, request: AmiMessage) -> bool:
        name = request.get("Variable")
        if not name:
            session.reply(request, "Error", [("Message", "No variable specified")])
            return True
        variables = self.global_variables
        if request.get("Channel"):
            channel = self._channel(session, request)
            if channel is None:
                return True
            variables = channel.variables
        session.reply(request, "Success", [("Variable", name), ("Value", variables.get(name, ""))])
        return True

    async def setvar(self, session: AmiSession, request: AmiMessage) -> bool:
        name = request.get("Variable")
        if not name:
            session.reply(request, "Error", [("Message", "No variable specified")])
            return True
        variables = self.global_variables
        if request.get("Channel"):
            channel = self._channel(session, request)
            if channel is None:
                return True
            variables = channel.variables
        variables[name] = request.get("Value") or ""
        session.reply(request, "Success", [("Message", "Variable Set")])
        return True

    async def mixmonitor(self, session: AmiSession, request: AmiMessage) -> bool:
        """A bare ``Response: Success`` (no Message), then MixMonitorStart."""
        channel = self._channel(session, request)
        if channel is not None:
            channel.recording = True
            session.reply(request, "Success")
            self.calls.broadcast_channel_event("MixMonitorStart", channel)
        return True

    async def mixmonitor_mute(self, session: AmiSession, request: AmiMessage) -> bool:
        direction, state = request.get("Direction"), request.get("State")
        if direction not in ("read", "write", "both"):
            session.reply(
                request,
                "Error",
                [("Message", "Invalid direction specified. Must be read, write or both")],
            )
            return True
        if not state:
            session.reply(request, "Error", [("Message", "No state specified")])
            return True
        channel = self._channel(session, request)
        if channel is not None:
            session.reply(request, "Success")
            extra = [("Direction", direction), ("State", "1" if _truthy(state) else "0")]
            self.calls.broadcast_channel_event("MixMonitorMute", channel, extra)
        return True

    async def stop_mixmonitor(self, session: AmiSession, request: AmiMessage) -> bool:
        channel = self._channel(session, request)
        if channel is None:
            return True
        if not channel.recording:
            session.reply(request, "Error", [("Message", "Could not stop monitoring channel")])
            return True
        channel.recording = False
        session.reply(request, "Success")
        self.calls.broadcast_channel_event("MixMonitorStop", channel)
        return True

    def _channel(self, session: AmiSession, request: AmiMessage) -> Channel | None:
        """The live channel named by ``Channel:``, or None after replying the error."""
        name = request.get("Channel")
        if not name:
            session.reply(request, "Error", [("Message", "No channel specified")])
            return None
        channel = self.calls.channels.get(name)
        if channel is None:
            session.reply(request, "Error", [("Message", "No such channel")])
        return channel
