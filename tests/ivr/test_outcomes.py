"""How calls are told apart in the records: callbacks and messages left (and kept as the
outcome whatever the caller does after), messages not left, calls given up in
identification or readings entry; and the topic a report counts the call under."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from customers.model import Zone
from ivr.call_context import ActionResult, CallContext
from telephony.emulator.agi_commands import QueueBehaviour
from telephony.emulator.caller import HangUp, Press, Speak
from tests.audio import tone_wav
from tests.conftest import RunningIvr
from tests.ivr.calls import place, played
from tests.ivr.self_service import seed_household, stored_readings
from worktime.clock import DEFAULT_ZONE, ManualClock

FRIDAY_NIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=DEFAULT_ZONE)
UNKNOWN_CALLER = "79130000000"


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


async def test_hanging_up_as_the_callback_is_confirmed_keeps_the_callback(
    ivr: RunningIvr,
) -> None:
    channel, row = await place(
        ivr,
        [Press("0"), Press("#"), Press("1"), HangUp(after=0.5, anywhere=True)],
        queue=QueueBehaviour(answer_after=None),
    )
    assert played(channel)[-1] == "callback_accepted-short"
    assert len(await ivr.callbacks.for_call(row.id)) == 1
    assert (row.outcome, row.ended_by) == ("callback_requested", "caller")


async def test_a_callback_left_stays_the_outcome_after_more_of_the_menu(
    ivr: RunningIvr,
) -> None:
    channel, row = await place(ivr, "0 # 1 2 1 h", queue=QueueBehaviour(answer_after=None))
    assert "payment_methods_info-full" in played(channel), "information heard after"
    assert row.outcome == "callback_requested"


async def test_a_message_left_stays_the_outcome_after_more_of_the_menu(
    ivr: RunningIvr, clock: ManualClock, tmp_path: Path
) -> None:
    clock.now = FRIDAY_NIGHT
    message = tone_wav(tmp_path / "message.wav", seconds=3)
    channel, row = await place(ivr, [Press("0"), Speak(message), Press("2"), Press("1"), HangUp()])
    assert "am_thanks-short" in played(channel)
    assert played(channel)[-1].startswith("payment_methods_info")
    assert len(await ivr.tasks.open_tasks("answering_machine")) == 1
    assert row.outcome == "answering_machine"


async def test_hanging_up_at_the_account_offer_is_abandoned_in_identification(
    ivr: RunningIvr,
) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "1 h")
    assert played(channel)[-1] == "identify_caller_id_offer-short"
    assert (row.outcome, row.ended_by) == ("abandoned_in_identification", "caller")


async def test_hanging_up_while_keying_the_account_is_abandoned_in_identification(
    ivr: RunningIvr,
) -> None:
    channel, row = await place(ivr, "1 123# h", caller_id=UNKNOWN_CALLER)
    assert "identify_bad_account-short" in played(channel)
    assert row.outcome == "abandoned_in_identification"


async def test_hanging_up_while_keying_readings_is_abandoned_in_readings(
    ivr: RunningIvr,
) -> None:
    await seed_household(ivr)
    _, at_first_zone = await place(ivr, "1 1 h")
    _, at_second_zone = await place(ivr, "1 1 12345# h")
    _, at_confirmation = await place(ivr, "1 1 12345# 04567# h")
    assert at_first_zone.outcome == "abandoned_in_readings"
    assert at_second_zone.outcome == "abandoned_in_readings"
    assert at_confirmation.outcome == "abandoned_in_readings", "nothing was stored yet"


async def test_hanging_up_once_the_readings_are_stored_is_self_service(
    ivr: RunningIvr,
) -> None:
    account = await seed_household(ivr)
    _, row = await place(
        ivr,
        [
            Press("1"),
            Press("1"),
            Press("12345#"),
            Press("04567#"),
            Press("1"),
            HangUp(after=0.1, anywhere=True),
        ],
    )
    assert (await stored_readings(ivr, account))[Zone.DAY].value == 12345
    assert (row.outcome, row.ended_by) == ("self_service", "caller")


async def test_hanging_up_in_the_menu_after_identification_is_self_service(
    ivr: RunningIvr,
) -> None:
    await seed_household(ivr)
    _, row = await place(ivr, "2 2 1 _ _ h")
    assert row.topic == "Задолженность" and row.outcome == "self_service"


async def test_the_operator_after_information_keeps_the_topic_chosen(ivr: RunningIvr) -> None:
    _, row = await place(ivr, "2 1 * 0")
    assert row.outcome == "operator"
    assert row.topic == "Способы оплаты", "not «Оператор»: the caller asked about payments"


async def test_the_operator_key_during_information_keeps_its_topic(ivr: RunningIvr) -> None:
    _, row = await place(ivr, [Press("4"), Press("2"), Press("0", after=1.0)])
    assert row.inputs == "4 2 0"
    assert (row.outcome, row.topic) == ("operator", "Офисы и часы работы")


async def test_the_operator_from_the_main_menu_is_the_topic(ivr: RunningIvr) -> None:
    _, row = await place(ivr, "0")
    assert (row.outcome, row.topic) == ("operator", "Оператор")


async def test_no_input_on_the_main_menu_makes_the_operator_the_topic(ivr: RunningIvr) -> None:
    _, row = await place(ivr, "_ _ _")
    assert (row.outcome, row.topic) == ("operator", "Оператор")
