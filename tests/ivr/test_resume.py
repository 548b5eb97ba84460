"""A call another engine handed back is offered again with ``resume=`` in the AGI query:
it goes straight to the operator step, or to the answering machine, without the
recording notice (already heard) and without the menu."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from ivr.call_record import Outcome
from telephony.emulator.agi_commands import QueueBehaviour
from telephony.emulator.caller import Speak, StaySilent
from telephony.emulator.queue_handoff import queue_handoffs
from tests.audio import tone_wav
from tests.conftest import RunningIvr
from tests.ivr.calls import hand_back_once, place, played, sent
from worktime.clock import DEFAULT_ZONE, ManualClock

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=DEFAULT_ZONE)
TO_OPERATOR = "line=88002224902&resume=operator"
TO_ANSWERING_MACHINE = "line=88002224902&resume=answering_machine"


async def test_resume_at_the_operator_queues_without_the_notice(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "", query=TO_OPERATOR)
    assert played(channel) == ["operator_connecting-short"]
    assert sent(channel)[0] == "ANSWER"
    assert sent(channel)[-1] == "HANGUP", "the call is over when the operator ends it"
    assert "operator answered" in [event.kind for event in channel.heard]
    assert row.path == ["operator"]
    assert (row.outcome, row.ended_by, row.topic) == (Outcome.OPERATOR, "queue", "Оператор")
    assert row.line == "toll_free"


async def test_resume_at_the_operator_with_no_one_free_offers_a_callback_then_the_menu(
    ivr: RunningIvr,
) -> None:
    channel, row = await place(ivr, "_ h", query=TO_OPERATOR, queue=QueueBehaviour(None))
    assert played(channel) == [
        "operator_connecting-short",
        "operator_busy-short",
        "callback_enter_number-short",
        "callback_cancelled-short",
        "toll_free_main-short",
    ]
    assert row.path == ["operator", "main"]
    assert row.outcome == Outcome.ABANDONED_IN_MENU


async def test_resume_at_the_operator_out_of_hours_reaches_the_answering_machine(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    clock.now = FRIDAY_NIGHT
    channel, row = await place(ivr, "", query=TO_OPERATOR)
    assert played(channel)[0] == "am_greeting-short"
    assert "recording_notice-short" not in played(channel)
    assert row.outcome == Outcome.NO_MESSAGE_LEFT


async def test_resume_at_the_answering_machine_takes_a_message_then_hangs_up(
    ivr: RunningIvr, tmp_path: Path
) -> None:
    message = tone_wav(tmp_path / "message.wav", seconds=3)
    channel, row = await place(ivr, [Speak(message), StaySilent()], query=TO_ANSWERING_MACHINE)
    heard = played(channel)
    assert heard[0] == "am_greeting-short" and heard[-1] == "am_thanks-short"
    assert "recording_notice-short" not in heard
    assert sent(channel)[-1] == "HANGUP"
    assert channel.model.dead and not channel.model.caller_hung_up
    (task,) = await ivr.tasks.open_tasks("answering_machine")
    assert task.call_id == row.id
    assert row.path == ["operator"]
    assert (row.outcome, row.ended_by) == (Outcome.ANSWERING_MACHINE, "engine")


async def test_an_unknown_resume_goes_on_at_the_operator(
    ivr: RunningIvr, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    channel, row = await place(ivr, "", query="line=88002224902&resume=somewhere")
    assert played(channel) == ["operator_connecting-short"]
    assert row.outcome == Outcome.OPERATOR
    (warning,) = [r for r in caplog.records if "somewhere" in r.getMessage()]
    assert warning.levelno == logging.WARNING


async def test_a_call_handed_back_and_offered_again_has_a_record_per_engine_turn(
    ivr: RunningIvr,
) -> None:
    channel, first = await place(ivr, "2 _ _", watch=hand_back_once(ivr, "payments_menu-short"))
    assert await channel.offer("127.0.0.1", ivr.port, TO_OPERATOR)
    assert await queue_handoffs(channel, [("127.0.0.1", ivr.port)])
    await ivr.server.drained(timeout=10)
    await ivr.call_log.flush()
    rows = {row.id: row for row in await ivr.call_log.rows_of_channel(channel.uniqueid)}
    handed = rows.pop(first.id)
    (resumed,) = rows.values()
    assert (handed.outcome, handed.path) == (Outcome.HANDED_BACK, ["main", "payments"])
    assert (resumed.outcome, resumed.path) == (Outcome.OPERATOR, ["operator"])
    assert played(channel).count("recording_notice-short") == 1
