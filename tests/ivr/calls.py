"""Placing emulated calls into the IVR under test and reading what happened."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ivr.storage import CallRow
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.caller import CallerAction, ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr


async def place(
    ivr: RunningIvr,
    keys: str | list[CallerAction] = "",
    settings: ChannelSettings | None = None,
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
    await channel.run()
    await ivr.server.drained(timeout=10)
    await ivr.call_log.flush()
    row = await ivr.call_log.find_by_uniqueid(channel.uniqueid)
    assert row is not None, "the call was not stored"
    return channel, row


def played(channel: EmulatedChannel) -> list[str]:
    """The prompts the caller heard, as ``<prompt>-<variant>``, in order."""
    return [
        Path(event.detail.split(" (")[0]).name for event in channel.heard if event.kind == "played"
    ]
