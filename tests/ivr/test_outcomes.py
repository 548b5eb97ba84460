"""How calls are told apart in the records: callbacks left, messages not left."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ivr.call_context import ActionResult, CallContext
from telephony.emulator.agi_commands import QueueBehaviour
from telephony.emulator.caller import HangUp, Press
from tests.conftest import RunningIvr
from tests.ivr.calls import place, played
from worktime.clock import DEFAULT_ZONE, ManualClock

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=DEFAULT_ZONE)


async def test_a_callback_left_when_no_operator_answered_is_its_own_outcome(
    ivr: RunningIvr,
) -> None:
    channel, row = await place(ivr, "3 1 # 1 h", queue=QueueBehaviour(answer_after=None))
    assert "callback_accepted-short" in played(channel)
    assert row.outcome == "callback_requested"
    assert row.topic == "Аварийное отключение", "the topic the caller chose stays"
    (request,) = await ivr.callbacks.for_call(row.id)
    assert request.subject == "Аварийное отключение"


async def test_a_callback_declined_leaves_the_menu_outcome(ivr: RunningIvr) -> None:
    _, row = await place(ivr, "0 _ _ h", queue=QueueBehaviour(answer_after=None))
    assert await ivr.callbacks.for_call(row.id) == []
    assert row.outcome == "abandoned_in_menu"


def _messages(ivr: RunningIvr) -> list[Path]:
    return sorted(Path(ivr.flow.services.messages_dir).glob("*.wav"))


async def test_hanging_up_during_the_answering_machine_greeting_leaves_no_message(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    clock.now = FRIDAY_NIGHT
    channel, row = await place(ivr, [Press("0"), HangUp(anywhere=True)])
    assert played(channel)[-1] == "am_greeting-short"
    assert row.outcome == "no_message_left" and row.ended_by == "caller"
    assert await ivr.tasks.open_tasks("answering_machine") == []


async def test_hanging_up_before_speaking_keeps_no_empty_message_file(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    clock.now = FRIDAY_NIGHT
    channel, row = await place(ivr, [Press("0"), HangUp(after=0.5)])
    assert "hung up" in [event.kind for event in channel.heard]
    assert row.outcome == "no_message_left"
    assert await ivr.tasks.open_tasks("answering_machine") == []
    assert _messages(ivr) == [], "the empty 44-byte recording is not kept"


async def test_an_action_the_caller_left_with_the_operator_key_connects_like_the_menu(
    ivr: RunningIvr,
) -> None:
    async def caller_pressed_zero(context: CallContext) -> ActionResult:
        return ActionResult.OPERATOR_ASKED

    ivr.flow.actions = {name: caller_pressed_zero for name in ivr.flow.actions}
    channel, row = await place(ivr, "2 2 h")
    heard = played(channel)
    assert "operator_connecting-short" in heard
    assert "no_input_operator-short" not in heard, "the caller did make a choice"
    assert row.inputs.split() == ["2", "2", "0"], "the 0 is kept like a menu key"
