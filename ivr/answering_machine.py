"""The answering machine (IVR-10, CC-1): out of hours a caller leaves a message — for
example their readings — and a task to enter it is due by the end of the next working
day. A caller who hangs up instead of pressing # has still left a message; one who
hangs up before saying anything has not, and the empty file Asterisk wrote is removed.

The signal before the message is the engine's own prompt: Asterisk is not asked for
its ``beep``, which a stock installation may lack (RECORD FILE then fails outright)."""

from __future__ import annotations

import contextlib
import wave
from dataclasses import dataclass
from pathlib import Path

from callcenter.tasks import NewTask, TaskKind
from ivr.call_context import ActionResult, CallContext
from prompts.render import BEEP, wav_seconds
from telephony.agi import CallHungUp
from worktime.calendar import end_of_next_working_day

SILENCE_ENDS_MESSAGE_S = 5
SHORTEST_MESSAGE_S = 1.0


def _seconds_of_audio(path: Path) -> float:
    """How long the message is; 0 when Asterisk wrote nothing readable."""
    with contextlib.suppress(OSError, wave.Error, EOFError):
        return wav_seconds(path)
    return 0.0


@dataclass(frozen=True)
class Message:
    """How a turn at the answering machine went."""

    kept: bool
    caller_hung_up: bool


def _discard(recording: Path) -> None:
    """Remove an empty recording; one Asterisk's side will not let go of is left."""
    with contextlib.suppress(OSError):
        recording.unlink(missing_ok=True)


async def leave_message(ctx: CallContext) -> Message:
    """Greet, record, and make the task for a message worth keeping."""
    call = ctx.call
    target = f"{ctx.services.messages_dir}/{ctx.call_id}"
    recording = Path(f"{target}.wav")
    kept: bool | None = None
    try:
        await call.play([ctx.prompt("am_greeting"), ctx.prompt_file(BEEP)])
        with call.one_step():  # an engine stopping meanwhile lets the caller hear the end
            await call.record(
                target,
                max_ms=ctx.services.message_seconds * 1000,
                silence_s=SILENCE_ENDS_MESSAGE_S,
            )
            kept = await _keep(ctx, recording)
            await call.play([ctx.prompt("am_thanks" if kept else "am_nothing_recorded")])
    except CallHungUp:
        if kept is None:
            kept = await _keep(ctx, recording)
        return Message(kept=kept, caller_hung_up=True)
    return Message(kept=kept, caller_hung_up=False)


async def take_message(ctx: CallContext) -> ActionResult:
    """The answering machine as a menu action."""
    if (await leave_message(ctx)).caller_hung_up:
        raise CallHungUp("caller hung up at the answering machine")
    return ActionResult.DONE


async def _keep(ctx: CallContext, recording: Path) -> bool:
    """Make the task for a message worth keeping; an empty one is deleted."""
    if _seconds_of_audio(recording) < SHORTEST_MESSAGE_S:
        _discard(recording)
        return False
    now = ctx.now()
    listener = ctx.services.listener
    transcript = None
    if listener is not None:
        transcript = (await listener.recognizer.recognize(recording, ())).text or None
    await ctx.services.tasks.add(
        NewTask(
            kind=TaskKind.ANSWERING_MACHINE,
            call_id=ctx.call_id,
            phone=ctx.call.environment.caller_id,
            line=ctx.tree.line,
            subject="Сообщение на автоответчике",
            created_at=now,
            due_at=end_of_next_working_day(now, ctx.services.calendar),
            account_number=ctx.account.number if ctx.account else None,
            recording=str(recording),
            transcript=transcript,
        )
    )
    return True
