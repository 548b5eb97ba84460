"""[callgrid-queued] of the shipped dialplan, for emulated calls: the engine ended its
FastAGI session with the caller handed to a queue (``CALLGRID_QUEUE`` set); Asterisk
runs ``Queue(${CALLGRID_QUEUE},c,,,${CALLGRID_QUEUE_WAIT})`` with no engine session
open, then offers ``${CALLGRID_AFTER_QUEUE}`` to the engine that queued the caller
(``CALLGRID_PARKED_BY``) and then to the others, on the live channel when Queue()
returned or on the dead one (the ``h`` extension) when the caller hung up in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from telephony.dialplan import (
    AFTER_QUEUE_VARIABLE,
    PARKED_BY_VARIABLE,
    QUEUE_VARIABLE,
    QUEUE_WAIT_VARIABLE,
)

if TYPE_CHECKING:
    from telephony.emulator.agi_channel import EmulatedChannel

Engine = tuple[str, int]
DIALPLAN_QUEUE = "dialplan queue"
"""The kind of the channel's note of each ``Queue()`` the dialplan ran (its data)."""


async def queue_handoffs(channel: EmulatedChannel, engines: Sequence[Engine]) -> bool:
    """Queue the caller each time an engine handed them to a queue, and offer the call
    back after; False when no engine took an after-queue offer."""
    model = channel.model
    while not model.dead and model.variables.get(QUEUE_VARIABLE):
        queue = model.variables.pop(QUEUE_VARIABLE)
        data = f"{queue},c,,,{model.variables.get(QUEUE_WAIT_VARIABLE, '')}"
        model.note(DIALPLAN_QUEUE, data)
        if channel.queue_calls is not None:
            await channel.queue_calls.execute(model, data)
        else:
            model.exec(["Queue", data])
        script, _, query = model.variables.pop(AFTER_QUEUE_VARIABLE, "").partition("?")
        parked_by = _engine_of(model.variables.get(PARKED_BY_VARIABLE, ""))
        in_turn = [parked_by, *engines] if parked_by is not None else list(engines)
        if await offer_in_turn(channel, in_turn, query, script) is None:
            return False
    return True


async def offer_in_turn(
    channel: EmulatedChannel, engines: Sequence[Engine], query: str, script: str | None = None
) -> int | None:
    """[callgrid-engines]: the port of the engine that took the call, or None."""
    for host, port in engines:
        if await channel.offer(host, port, query, script):
            return port
    return None


def _engine_of(address: str) -> Engine | None:
    """``agi://host:port`` as a (host, port) pair; None when it is not one."""
    host, _, port = address.removeprefix("agi://").rpartition(":")
    return (host, int(port)) if host and port.isdigit() else None
