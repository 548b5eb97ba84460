"""Placing emulated calls into the IVR under test and reading what happened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ivr.storage import CallRow
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import CallerAction, ScriptedCaller
from telephony.emulator.queue_handoff import DIALPLAN_QUEUE
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr

Watch = Callable[[EmulatedChannel], None]
"""Called each time the emulated Asterisk has carried out a command, before its reply."""


async def place(
    ivr: RunningIvr,
    keys: str | list[CallerAction] = "",
    settings: ChannelSettings | None = None,
    *,
    watch: Watch | None = None,
    **overrides: object,
) -> tuple[EmulatedChannel, CallRow]:
    settings = replace(settings or ChannelSettings(), **overrides)  # type: ignore[arg-type]
    caller = ScriptedCaller.from_keys(keys) if isinstance(keys, str) else ScriptedCaller(keys)
    channel = EmulatedChannel(
        "127.0.0.1",
        ivr.port,
        caller,
        SoundLibrary([ivr.content.library.directory]),
        settings,
        keep_wire=True,
    )
    if watch is not None:
        watched = watch
        channel.on_virtual_time = lambda _now: watched(channel)
    await channel.run()
    channel.model.close_recordings()  # the operator, or the dialplan, ends the call there
    await ivr.server.drained(timeout=10)
    await ivr.call_log.flush()
    row = await ivr.call_log.find_by_uniqueid(channel.uniqueid)
    assert row is not None, "the call was not stored"
    return channel, row


def hand_back_once(ivr: RunningIvr, prompt: str) -> Watch:
    """A watch asking for every call to be handed back (as the engine does when it
    stops) once ``prompt`` has played."""
    asked = False

    def watch(channel: EmulatedChannel) -> None:
        nonlocal asked
        if not asked and any(prompt in event.detail for event in channel.heard):
            asked = True
            ivr.server.hand_back_all()

    return watch


def played(channel: EmulatedChannel) -> list[str]:
    """The prompts the caller heard, as ``<prompt>-<variant>``, in order."""
    return [
        Path(event.detail.split(" (")[0]).name for event in channel.heard if event.kind == "played"
    ]


def dialplan_queues(channel: EmulatedChannel) -> list[str]:
    """The data of each ``Queue()`` the dialplan ran after the engine handed the caller
    to it (``operators,c,,,40``)."""
    return [event.detail for event in channel.heard if event.kind == DIALPLAN_QUEUE]


def sent(channel: EmulatedChannel) -> list[str]:
    """The commands the engine sent, in order, without their arguments' file paths."""
    return [
        " ".join(Path(word).name if "/" in word else word for word in line.split())
        for direction, line in channel.wire
        if direction == ">>"
    ]
