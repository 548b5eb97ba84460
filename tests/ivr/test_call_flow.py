"""End-to-end: emulated calls into the IVR over real FastAGI, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging

import pytest

from callcenter.plugin import EMERGENCY_MODE
from ivr.call_context import ActionResult, CallContext
from prompts.russian_numbers import phone_number
from telephony.emulator.agi_channel import EmulatedChannel
from telephony.emulator.agi_commands import QueueBehaviour
from telephony.emulator.caller import HangUp, Press
from tests.conftest import RunningIvr
from tests.ivr.calls import dialplan_queues, place, played, sent
from tests.ivr.self_service import heard_texts


async def test_recording_notice_comes_first_then_main_menu(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "")
    assert played(channel)[:2] == ["recording_notice-short", "toll_free_main-short"]
    assert row.line == "toll_free" and row.dialled_number == "88002224902"
    assert row.caller_id == "79001234567"
    assert row.ended_at is not None and row.answered_at is not None
    assert row.ended_by == "caller" and row.outcome == "abandoned_in_menu"


@pytest.mark.parametrize(
    ("dialled", "line", "main_prompt"),
    [
        ("88002224902", "toll_free", "toll_free_main-short"),
        ("3822750075", "households", "households_main-short"),
        ("630000", "business", "business_main-short"),
        ("83822400100", "paid_services", "paid_services_main-short"),
    ],
)
async def test_dialled_number_selects_the_tree(
    ivr: RunningIvr, dialled: str, line: str, main_prompt: str
) -> None:
    channel, row = await place(ivr, "", dialled=dialled)
    assert played(channel)[1] == main_prompt
    assert row.line == line


async def test_number_from_the_dialplan_query_wins_over_the_extension(ivr: RunningIvr) -> None:
    _, row = await place(ivr, "", dialled="s", query="line=3822630000")
    assert row.line == "business"


async def test_unknown_number_still_gets_the_toll_free_menu(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "", dialled="5555")
    assert played(channel)[1] == "toll_free_main-short"
    assert row.line == "toll_free"


async def test_walk_four_levels_back_and_information(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "4 1 2 * * 2 _ h")
    assert played(channel) == [
        "recording_notice-short",
        "toll_free_main-short",
        "reference_menu-short",
        "tariffs_menu-short",
        "zone_tariffs_menu-short",
        "tariffs_menu-short",
        "reference_menu-short",
        "offices_info-full",
        "reference_menu-short",
    ]
    assert row.path == [
        "main",
        "reference",
        "tariffs",
        "zone_tariffs",
        "tariffs",
        "reference",
        "offices",
        "reference",
    ]
    assert row.topic == "Офисы и часы работы"
    assert row.outcome == "self_service"
    assert row.inputs == "4 1 2 * * 2"


async def test_back_on_the_main_menu_stays_there(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "* h")
    assert played(channel)[1:] == ["toll_free_main-short", "toll_free_main-short"]
    assert row.path == ["main"]


async def test_operator_from_the_deepest_level(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "4 1 2 0")
    assert played(channel)[-1] == "operator_connecting-short"
    assert [e.kind for e in channel.heard][-3:] == [
        "queued",
        "operator answered",
        "operator hung up",
    ]
    assert row.path[-1] == "operator"
    assert row.outcome == "operator"
    assert row.topic == "Зонные тарифы", "asked from a submenu: its topic, not «Оператор»"
    assert row.operator == "Local/operator@operators"


async def test_operator_item_uses_its_own_queue(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "3 1")
    assert ("queued", "dispatch") in [(e.kind, e.detail) for e in channel.heard]
    assert row.topic == "Аварийное отключение"


async def test_operator_wait_is_bounded_to_forty_seconds_or_three_minutes_in_an_emergency(
    ivr: RunningIvr,
) -> None:
    """CC-2: an answer within 40 s, within 3 min while a supervisor declares an emergency
    (the tree's 60 s of IVR-6 is the longest outside one)."""
    channel, _ = await place(ivr, "0 h", queue=QueueBehaviour(answer_after=None))
    await ivr.engine.host.require(EMERGENCY_MODE).set(True, "sofia")
    in_emergency, _ = await place(ivr, "0 h", queue=QueueBehaviour(answer_after=None))

    assert dialplan_queues(channel) == ["operators,c,,,40"]
    assert dialplan_queues(in_emergency) == ["operators,c,,,180"]


async def test_the_queue_is_named_last_so_an_engine_killed_half_way_queues_nobody(
    ivr: RunningIvr,
) -> None:
    """The dialplan queues the caller once CALLGRID_QUEUE is set: every variable the
    queued call needs to come back is set before it, and the session ends right after."""
    channel, _ = await place(ivr, "0")
    commands = sent(channel)
    named_at = commands.index("SET VARIABLE CALLGRID_QUEUE operators")
    before = [command.split()[2] for command in commands[:named_at] if command.startswith("SET")]
    assert {"CALLGRID_QUEUE_WAIT", "CALLGRID_AFTER_QUEUE", "CALLGRID_PARKED_BY"} <= set(before)
    assert commands[named_at + 1] == "GET VARIABLE QUEUESTATUS", "the after-queue session"


async def test_wrong_key_repeats_the_level_with_the_full_prompt(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "2 8 h")
    assert played(channel)[2:] == [
        "payments_menu-short",
        "invalid_choice-short",
        "payments_menu-full",
    ]
    assert row.inputs == "2 8"


async def test_hash_asks_for_the_full_prompt(ivr: RunningIvr) -> None:
    channel, _ = await place(ivr, "# h")
    assert played(channel)[1:] == ["toll_free_main-short", "toll_free_main-full"]


async def test_silence_repeats_then_goes_to_the_operator_never_dropped(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "_ _ _")
    assert played(channel)[1:] == [
        "toll_free_main-short",
        "toll_free_main-full",
        "toll_free_main-full",
        "no_input_operator-short",
    ]
    assert row.outcome == "operator" and row.path == ["main", "operator"]


async def test_a_caller_who_never_answers_is_not_looped_forever(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "_ " * 30, queue=QueueBehaviour(answer_after=None))
    assert played(channel)[-1] == "goodbye-short"
    assert row.outcome == "no_input" and row.ended_by == "engine"
    assert sum(1 for e in channel.heard if e.kind == "queued") == 2


async def test_no_operator_in_time_offers_a_callback_that_is_stored(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "0 # 1 h", queue=QueueBehaviour(answer_after=None))
    assert "operator_busy-short" in played(channel)
    assert "callback_accepted-short" in played(channel)
    stored = await ivr.callbacks.for_call(row.id)
    assert [(c.phone, c.line, c.status) for c in stored] == [("79001234567", "toll_free", "open")]


async def test_callback_to_another_number_from_the_menu(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "5 89139876543# 1 h")
    heard = heard_texts(channel)
    read_back = heard[heard.index("callback_number_is-short") + 1]
    assert read_back == phone_number("89139876543"), "the number read back in the engine's voice"
    stored = await ivr.callbacks.for_call(row.id)
    assert [c.phone for c in stored] == ["89139876543"]
    assert row.topic == "Обратный звонок"


async def test_callback_with_a_wrong_number_is_not_stored(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "5 123# 12# h")
    assert "callback_cancelled-short" in played(channel)
    assert await ivr.callbacks.for_call(row.id) == []


async def test_hangup_during_a_prompt_closes_the_record(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, [Press("4"), HangUp(after=0.3)])
    assert channel.heard[-1].kind == "hung up"
    assert row.ended_at is not None and row.ended_by == "caller"
    assert row.path == ["main", "reference"]
    assert channel.closed_by_engine


async def test_hangup_line_before_the_next_reply_does_not_shift_replies(
    ivr: RunningIvr, caplog: pytest.LogCaptureFixture
) -> None:
    """Asterisk may put HANGUP between a command and its reply (agi-hangup-interleaved)."""
    caplog.set_level(logging.WARNING)
    channel, row = await place(
        ivr, [Press("4"), HangUp(after=0.3)], hangup_notice="before_next_reply"
    )
    wire = [line for _, line in channel.wire]
    hangup_at = wire.index("HANGUP")
    assert channel.wire[hangup_at - 1][0] == ">>", "HANGUP came between a command and its reply"
    assert wire[hangup_at + 1].startswith("511 ")
    assert row.ended_at is not None and row.ended_by == "caller"
    assert row.path == ["main", "reference"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_hangup_without_agisighup_is_noticed_by_511(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, [Press("2"), HangUp(after=0.3)], sighup=False)
    assert "HANGUP" not in [line for _, line in channel.wire]
    assert row.ended_by == "caller" and row.path == ["main", "payments"]


async def test_agiexitonhangup_closing_the_socket_ends_the_call_cleanly(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, [Press("2"), HangUp(after=0.3)], exit_on_hangup=True)
    assert [line for _, line in channel.wire][-2:] == ["HANGUP", "HANGUP"]
    assert row.ended_at is not None and row.ended_by == "caller"


async def test_many_concurrent_calls_are_each_stored(ivr: RunningIvr) -> None:
    results = await asyncio.gather(*(place(ivr, f"{1 + i % 4} h") for i in range(20)))
    ids = {row.id for _, row in results}
    assert len(ids) == 20
    assert all(row.ended_at is not None for _, row in results)


async def test_a_reply_that_never_comes_ends_the_call_with_its_record_closed(
    ivr: RunningIvr, caplog: pytest.LogCaptureFixture
) -> None:
    """Asterisk stops answering GET DATA: the engine gives up within its bound."""
    from telephony.agi import FastAgiServer
    from telephony.emulator.agi_channel import ChannelSettings
    from telephony.emulator.caller import ScriptedCaller
    from telephony.emulator.sounds import SoundLibrary

    server = FastAgiServer({"ivr": ivr.flow}, port=0, reply_timeout=0.2, media_timeout=0.2)
    await server.start()
    settings = ChannelSettings(unanswered_commands=frozenset({"GET DATA"}))
    channel = EmulatedChannel(
        "127.0.0.1",
        server.port,
        ScriptedCaller(),
        SoundLibrary([ivr.content.library.directory]),
        settings,
    )
    await asyncio.wait_for(channel.run(), 10)
    await server.stop()
    await ivr.call_log.flush()
    row = await ivr.call_log.find_by_uniqueid(channel.uniqueid)
    assert row is not None and row.ended_at is not None
    assert (row.outcome, row.ended_by) == ("engine_error", "engine")
    assert "no reply to 'GET DATA" in caplog.text


async def test_a_star_that_stops_information_is_kept_in_the_inputs(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "2 1 * 0")
    heard = played(channel)
    assert heard[heard.index("payment_methods_info-full") + 1] == "payments_menu-short"
    assert row.inputs == "2 1 * 0", "every key the engine acted on"
    assert row.path == ["main", "payments", "payment_methods", "payments", "operator"]


async def test_the_engine_hangs_up_when_the_operator_ended_the_call(ivr: RunningIvr) -> None:
    """Queue(…,c) in the dialplan comes back with the caller's channel still up: the
    after-queue session hangs up, else the dialplan would offer the caller again."""
    channel, row = await place(ivr, "0")
    assert channel.settings.script == "after-queue"
    assert sent(channel)[-4:] == [
        "GET VARIABLE QUEUESTATUS",
        "CHANNEL STATUS",
        "GET VARIABLE MEMBERINTERFACE",
        "HANGUP",
    ]
    assert channel.model.dead and not channel.model.caller_hung_up
    assert (row.outcome, row.ended_by) == ("operator", "queue")


async def test_a_caller_who_hung_up_is_not_hung_up_again(ivr: RunningIvr) -> None:
    channel, _ = await place(ivr, "2 h")
    assert "HANGUP" not in sent(channel)


async def test_a_silent_caller_is_hung_up_once_after_the_goodbye(ivr: RunningIvr) -> None:
    channel, _ = await place(ivr, "_ " * 30, queue=QueueBehaviour(answer_after=None))
    assert sent(channel)[-2:] == ['STREAM FILE goodbye-short ""', "HANGUP"]
    assert sent(channel).count("HANGUP") == 1


async def test_after_a_failure_the_rescued_call_is_hung_up_at_its_end(ivr: RunningIvr) -> None:
    async def broken(context: CallContext) -> ActionResult:
        raise RuntimeError("an action that fails")

    ivr.flow.actions = {name: broken for name in ivr.flow.actions}
    channel, row = await place(ivr, "5", queue=QueueBehaviour(answer_after=None))
    assert sent(channel)[-3:] == [
        "GET VARIABLE MEMBERINTERFACE",
        'STREAM FILE operator_busy-short ""',
        "HANGUP",
    ]
    assert (row.outcome, row.ended_by) == ("engine_error", "engine")


async def test_zero_at_the_callback_offer_after_the_queue_queues_again(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "0 0 h", queue=QueueBehaviour(answer_after=None))
    assert [e.kind for e in channel.heard].count("queued") == 2
    assert played(channel).count("operator_connecting-short") == 2
    assert row.inputs == "0 0"
