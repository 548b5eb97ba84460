"""The IVR against a real Asterisk: the project's dialplan, FastAGI, AMI and real media.

Each test is one call: AMI Originate of ``Local/s@caller-remote`` into
[callgrid-inbound] at 8-800-222-49-02. The ``;1`` half runs the project's dialplan,
which hands the call to the engine over FastAGI; the ``;2`` half is the caller, who
presses keys (SendDTMF) and hangs up when the test says so over AMI. The moments come
from Asterisk itself (AGIExecStart events), the verdict from the engine's call record
and from the FastAGI wire as Asterisk logged it. Same scenarios as tests/ivr, which run
them through the emulator.
"""

from __future__ import annotations

import asyncio
import re
import wave
from datetime import timedelta

from customers.account_import import NewAccount
from customers.model import Channel, Reading, Zone
from ivr.demo import HOUSEHOLD, METER
from tests.asterisk.asterisk_runner import OPERATOR_TALK_SECONDS
from tests.asterisk.conftest import (
    HANDED_TO_QUEUE,
    KEYPAD_TIMEOUT_MS,
    WORKDAY_MORNING,
    Observer,
    Phone,
    RealCall,
    RealEngine,
)

NOTICE = r"^STREAM FILE \S+/recording_notice-short "
MAIN_MENU = r"^GET DATA \S+/toll_free_main-short "
FRAME = 0.02
"""Asterisk sends a file's first 20 ms frame at once: wall time may be one frame short."""
SETTLE = 15.0
"""Bound on how long storing the record or releasing the channel may take after a hangup."""


def prompt_of(command: str) -> str:
    """``GET DATA /tmp/…/toll_free_main-short 2000 1`` → ``toll_free_main-short``."""
    path = command.split()[2]
    return path.rsplit("/", 1)[-1]


def media_commands(call: RealCall) -> list[str]:
    """The prompts the engine had Asterisk play, in order: ``GET DATA x`` / ``STREAM FILE x``."""
    out = []
    for sent in call.agi_commands():
        if sent.command.startswith(("GET DATA ", "STREAM FILE ")):
            verb = " ".join(sent.command.split()[:2])
            out.append(f"{verb} {prompt_of(sent.command)}")
    return out


def replies_to(call: RealCall, pattern: str) -> list[str]:
    """Asterisk's reply lines to the commands matching ``pattern``, from the logged wire."""
    wire, out = call.wire(), []
    for index, line in enumerate(wire):
        if line.startswith(">> ") and re.search(pattern, line[3:]):
            reply = next((w for w in wire[index + 1 :] if w.startswith("<< ")), None)
            out.append(reply[3:] if reply else "(no reply)")
    return out


async def assert_released(call: RealCall) -> None:
    """The engine closed the FastAGI socket so Asterisk could end the channel, and
    neither side complained on the way."""
    await call.gone(SETTLE)
    await call.engine.server.drained(SETTLE)
    assert call.engine.server.active_calls == 0
    assert not [r.getMessage() for r in call.engine.problems], "the engine logged problems"
    assert not call.asterisk_warnings(), "Asterisk logged warnings during the call"


async def test_caller_hanging_up_in_the_main_menu_is_stored(
    phone: Phone, engine: RealEngine
) -> None:
    call = await phone.call()
    notice = await call.next_agi(NOTICE, 10)
    # The recording notice cannot be skipped: a key pressed during it is not a choice.
    await asyncio.sleep(1.0)
    await call.press("2")
    menu = await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await asyncio.sleep(1.5)
    await call.hang_up()
    row = await call.stored(SETTLE)
    await assert_released(call)

    assert row.line == "toll_free" and row.dialled_number == "88002224902"
    assert row.caller_id == "79001234567"
    assert row.answered_at is not None and row.ended_at is not None
    assert row.ended_at >= row.answered_at
    assert row.path == ["main"], "the key pressed during the notice must be ignored"
    assert row.inputs == ""
    assert row.ended_by == "caller" and row.outcome == "abandoned_in_menu"
    assert media_commands(call) == [
        "STREAM FILE recording_notice-short",
        "GET DATA toll_free_main-short",
    ]

    # The notice really played to the end on Asterisk before the menu started ...
    played_for = menu.at - notice.at
    assert played_for >= engine.seconds("recording_notice") - FRAME, played_for
    # ... and Asterisk reports the whole file as played (endpos in 8 kHz samples).
    notice_reply = replies_to(call, NOTICE[1:])
    path = engine.content.library.path("recording_notice", "short")
    with wave.open(str(path), "rb") as audio:
        samples = audio.getnframes()
    assert len(notice_reply) == 1 and notice_reply[0].startswith("200 result=0 endpos="), (
        notice_reply
    )
    endpos = int(notice_reply[0].rsplit("=", 1)[1])
    assert abs(endpos - samples) <= 160, (endpos, samples)
    # The hangup interrupted GET DATA: -1, then the HANGUP line.
    assert replies_to(call, MAIN_MENU[1:]) == ["200 result=-1"]
    assert "<< HANGUP" in call.wire()


async def test_reference_then_offices_information(phone: Phone, engine: RealEngine) -> None:
    call = await phone.call()
    await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await call.press("4")  # barges into the main menu prompt
    await call.next_agi(r"^GET DATA \S+/reference_menu-short ", 10)
    await call.press("2")
    info = await call.next_agi(r"^STREAM FILE \S+/offices_info-full ", 10)
    back = await call.next_agi(
        r"^GET DATA \S+/reference_menu-short ", engine.seconds("offices_info", "full") + 10
    )
    await call.hang_up()
    row = await call.stored(SETTLE)
    await assert_released(call)

    # Back in the reference menu after the information (as tests/ivr expects too).
    assert row.path == ["main", "reference", "offices", "reference"]
    assert row.topic == "Офисы и часы работы"
    assert row.outcome == "self_service"
    assert row.inputs == "4 2"
    assert row.ended_by == "caller"
    assert media_commands(call) == [
        "STREAM FILE recording_notice-short",
        "GET DATA toll_free_main-short",
        "GET DATA reference_menu-short",
        "STREAM FILE offices_info-full",
        "GET DATA reference_menu-short",
    ]
    # GET DATA hands back the digit itself; the information played to its end.
    assert replies_to(call, r"^GET DATA \S+/toll_free_main-short ") == ["200 result=4"]
    assert replies_to(call, r"^GET DATA \S+/reference_menu-short ")[0] == "200 result=2"
    assert back.at - info.at >= engine.seconds("offices_info", "full") - FRAME


async def test_key_zero_reaches_an_operator_who_answers(
    phone: Phone, engine: RealEngine, observer: Observer, operator_on_duty: str
) -> None:
    call = await phone.call()
    await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await call.press("0")
    await call.next_agi(r"^STREAM FILE \S+/operator_connecting-short ", 10)
    queued = await call.next_agi(HANDED_TO_QUEUE, engine.seconds("operator_connecting") + 10)
    row = await call.stored(60)
    await assert_released(call)

    assert queued.command == "SET VARIABLE CALLGRID_QUEUE operators"
    assert "SET VARIABLE CALLGRID_QUEUE_WAIT 40" in [c.command for c in call.agi_commands()]
    assert row.outcome == "operator" and row.ended_by == "queue"
    assert row.path == ["main", "operator"] and row.topic == "Оператор"
    assert row.inputs == "0"
    # The operator hung up: with option c the dialplan's Queue() goes on with
    # QUEUESTATUS=CONTINUE, the caller's channel is up (CHANNEL STATUS answers 200) in
    # the after-queue session, and the engine ends the call.
    assert replies_to(call, HANDED_TO_QUEUE) == ["200 result=1"]
    assert replies_to(call, r"^GET VARIABLE QUEUESTATUS$") == ["200 result=1 (CONTINUE)"]
    assert replies_to(call, r"^CHANNEL STATUS$")[0].startswith("200 result=")
    connected = [
        seen for seen in observer.named("AgentConnect") if seen.event.get("Queue") == "operators"
    ]
    assert connected, "Asterisk reported no AgentConnect in the operators queue"
    assert connected[0].event.get("Interface") == operator_on_duty
    completed = [
        seen for seen in observer.named("AgentComplete") if seen.event.get("Queue") == "operators"
    ]
    assert completed and int(completed[0].event.get("TalkTime") or 0) >= OPERATOR_TALK_SECONDS

    # Who answered: MEMBERINTERFACE on the caller's channel, which app_queue sets only
    # with setinterfacevar = yes in queues.conf.
    assert row.operator == operator_on_duty


async def test_a_caller_who_hangs_up_waiting_in_the_queue_is_stored_from_the_h_extension(
    phone: Phone, engine: RealEngine
) -> None:
    """No operator is on duty (joinempty = yes: the caller waits). The engine's session
    ended when it handed the caller over, so the only one left to tell it the caller
    hung up is [callgrid-queued]'s ``h``: an after-queue session on the dead channel."""
    call = await phone.call()
    await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await call.press("0")
    await call.next_agi(HANDED_TO_QUEUE, engine.seconds("operator_connecting") + 10)
    await asyncio.sleep(3)
    await call.hang_up()
    row = await call.stored(SETTLE)
    await assert_released(call)

    assert row.outcome == "abandoned_in_queue" and row.ended_by == "caller"
    assert row.path == ["main", "operator"] and row.inputs == "0"
    assert row.ended_at is not None and row.answered_at is not None
    assert (row.ended_at - row.answered_at).total_seconds() >= 3
    # The dead channel's session: QUEUESTATUS is not set (Queue() was cut off, it did
    # not end), CHANNEL STATUS is refused (511), and the engine only reads.
    assert replies_to(call, r"^GET VARIABLE QUEUESTATUS$") == ["200 result=0"]
    assert replies_to(call, r"^CHANNEL STATUS$") == [
        "511 Command Not Permitted on a dead channel or intercept routine"
    ]
    after = call.wire()[call.wire().index(">> GET VARIABLE QUEUESTATUS") :]
    assert not [line for line in after if line.startswith((">> STREAM", ">> GET DATA"))]


async def test_silent_caller_hears_the_full_prompt_then_goes_to_the_operator(
    phone: Phone, engine: RealEngine, operator_on_duty: str
) -> None:
    call = await phone.call()
    rounds = (
        engine.seconds("recording_notice")
        + engine.seconds("toll_free_main")
        + 2 * engine.seconds("toll_free_main", "full")
        + 3 * KEYPAD_TIMEOUT_MS / 1000
    )
    await call.next_agi(HANDED_TO_QUEUE, rounds + 20)
    row = await call.stored(60)
    await assert_released(call)

    assert media_commands(call) == [
        "STREAM FILE recording_notice-short",
        "GET DATA toll_free_main-short",
        "GET DATA toll_free_main-full",
        "GET DATA toll_free_main-full",
        "STREAM FILE no_input_operator-short",
    ]
    assert replies_to(call, r"^GET DATA ") == ["200 result= (timeout)"] * 3
    assert row.inputs == "- - -"
    assert row.path == ["main", "operator"]
    assert row.outcome == "operator" and row.ended_by == "queue"


async def test_readings_by_keypad_are_stored(phone: Phone, engine: RealEngine) -> None:
    """Self-service on a real Asterisk: the caller's number, phrases made during the call
    (played by absolute path), two zones keyed with #, confirmation, storage."""
    last_month = WORKDAY_MORNING - timedelta(days=31)
    await engine.customers.add_accounts(
        [
            NewAccount(
                HOUSEHOLD,
                METER,
                (
                    Reading(0, Zone.DAY, 12000, last_month, Channel.IMPORT),
                    Reading(0, Zone.NIGHT, 4400, last_month, Channel.IMPORT),
                ),
            )
        ]
    )
    call = await phone.call()
    await call.next_agi(MAIN_MENU, engine.seconds("recording_notice") + 10)
    await call.press("1")
    await call.next_agi(r"^GET DATA \S+/identify_caller_id_offer-short ", 10)
    await call.press("1")
    await call.next_agi(r"^GET DATA \S+/phrases/phrase-\w+ ", 30)  # the day zone
    await call.press("12345#")
    await call.next_agi(r"^GET DATA \S+/phrases/phrase-\w+ ", 15)  # the night zone
    await call.press("04567#")
    await call.next_agi(r"^GET DATA \S+/readings_confirm-short ", 30)  # after the read-back
    await call.press("1")
    await call.next_agi(r"^STREAM FILE \S+/readings_accepted-short ", 10)
    await call.hang_up()
    row = await call.stored(SETTLE)
    await assert_released(call)

    account = await engine.customers.account_by_number(HOUSEHOLD.number)
    assert account is not None
    (meter,) = await engine.customers.meters(account.id)
    stored = await engine.customers.last_accepted(meter.id)
    assert {zone: (r.value, r.channel, r.call_id) for zone, r in stored.items()} == {
        Zone.DAY: (12345, Channel.KEYPAD, row.id),
        Zone.NIGHT: (4567, Channel.KEYPAD, row.id),
    }
    # GET DATA hands back the digits without the closing #.
    assert any(line.endswith("200 result=12345") for line in call.wire())
    assert row.topic == "Показания" and row.outcome == "self_service"
