"""Simulated calls: the Asterisk emulator calls the engine, and we tell what happened.

This is how ``callgrid call`` and ``callgrid demo`` let someone try the IVR without
Asterisk: the engine's real FastAGI code answers an emulated channel on loopback.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ivr.storage import CallRow
from prompts.catalog import PromptCatalog
from prompts.phrases import phrase_text
from recordings.model import Recording
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_commands import Heard, QueueBehaviour
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from worktime.clock import local_zone

WRAP = 96
INDENT = " " * 12


@dataclass(frozen=True)
class SimulatedCall:
    to: str
    caller_id: str = "79001234567"
    keys: str = ""
    operator_answers_after: float | None = 8.0
    at: datetime | None = None
    """When the call is placed (the in-process engine's clock); None: now."""


async def place_call(
    host: str,
    port: int,
    call: SimulatedCall,
    prompts_dir: Path,
    on_virtual_time: Callable[[float], None] | None = None,
    real_time: bool = False,
) -> EmulatedChannel:
    """Run one emulated call against the engine at host:port until it ends; in
    ``real_time`` for an engine on its own clock."""
    channel = EmulatedChannel(
        host,
        port,
        ScriptedCaller.from_keys(call.keys),
        SoundLibrary([prompts_dir]),
        ChannelSettings(
            dialled=call.to,
            caller_id=call.caller_id,
            query=f"line={call.to}",
            queue=QueueBehaviour(answer_after=call.operator_answers_after),
        ),
        on_virtual_time=on_virtual_time,
        real_time=real_time,
    )
    await channel.run()
    channel.model.close_recordings()  # the operator, or the dialplan, ends the call there
    return channel


def describe_heard(event: Heard, catalog: PromptCatalog) -> list[str]:
    """One event as a person would tell it, with the words of each prompt played."""
    stamp = f"{event.at:7.1f}s  "
    if event.kind == "played":
        name, _, remark = event.detail.partition(" (")
        stem = Path(name).name
        prompt_id, _, variant = stem.rpartition("-")
        spoken = phrase_text(Path(name).with_suffix(".wav"))
        if spoken is not None:
            body = textwrap.wrap(
                f"«{spoken}»", WRAP, initial_indent=INDENT, subsequent_indent=INDENT
            )
            return [f"{stamp}says", *body]
        if prompt_id in catalog:
            text = catalog.text(prompt_id, "short" if variant == "short" else "full")
            note = f" — {remark.rstrip(')')}" if remark else ""
            body = textwrap.wrap(f"«{text}»", WRAP, initial_indent=INDENT, subsequent_indent=INDENT)
            return [f"{stamp}plays {prompt_id} ({variant}){note}", *body]
        return [f"{stamp}plays {event.detail}"]
    labels = {
        "pressed": "caller presses",
        "silent": "caller stays silent",
        "hung up": "caller hangs up",
        "said": "Asterisk says",
        "queued": "caller waits in queue",
        "operator answered": "an operator answers, queue",
        "operator hung up": "the operator ends the call, queue",
        "queue timeout": "nobody answered in time, queue",
        "spoke": "caller speaks",
        "said nothing": "Asterisk says nothing (it has no such sound files)",
        "recording": "Asterisk records the call (MixMonitor) to",
    }
    label = labels.get(event.kind, event.kind)
    return [f"{stamp}{label} {event.detail}".rstrip()]


def describe_recording(recording: Recording | None, directory: Path) -> list[str]:
    if recording is None:
        return ["  recording     — (none indexed)"]
    if not recording.playable:
        return [f"  recording     #{recording.id} {recording.state}: nothing to play"]
    kept = recording.delete_after.astimezone(local_zone()).strftime("%d.%m.%Y %H:%M")
    return [
        f"  recording     #{recording.id} {directory / recording.path}",
        f"                {recording.duration_seconds:.1f} s, {recording.size_bytes:,} bytes, "
        f"sha256 {(recording.sha256 or '')[:16]}…, kept until {kept}",
    ]


def describe_record(row: CallRow | None) -> list[str]:
    if row is None:
        return ["(no call record found)"]
    duration = (row.ended_at - row.started_at).total_seconds() if row.ended_at else None

    def moment(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") if value else "—"

    return [
        f"Stored call #{row.id} (uniqueid {row.uniqueid})",
        f"  line          {row.line}, dialled {row.dialled_number}, caller {row.caller_id or '—'}",
        f"  started       {moment(row.started_at)}",
        f"  answered      {moment(row.answered_at)}",
        f"  ended         {moment(row.ended_at)}"
        + (f" ({duration:.1f} s)" if duration is not None else ""),
        f"  path          {' > '.join(row.path)}",
        f"  keys          {row.inputs or '—'}",
        f"  topic         {row.topic or '—'}",
        f"  outcome       {row.outcome}, ended by {row.ended_by}"
        + (f", operator {row.operator}" if row.operator else ""),
    ]
