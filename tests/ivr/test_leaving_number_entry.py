"""Back (``*``) and the operator (``0``) while a number is entered (IVR-3): account and
INN entry, readings, callback numbers; end to end through the emulator."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from callgrid.database import Database
from customers.model import Zone
from ivr.content import IvrContent
from ivr.speech_input import Recognition
from telephony.emulator.agi_channel import EmulatedChannel
from tests.conftest import RunningIvr, running_ivr
from tests.ivr.calls import place, played
from tests.ivr.self_service import heard_texts, seed_household, stored_readings
from worktime.clock import ManualClock

UNKNOWN_CALLER = "79130000000"
STRANGER_ACCOUNT = "0123456789"


def seconds_between(channel: EmulatedChannel, first: str, then: str) -> float:
    """Virtual seconds from the start of prompt ``first`` to the start of the next ``then``."""
    starts = [
        (event.at, event.detail.split(" (")[0].rsplit("/", 1)[-1])
        for event in channel.heard
        if event.kind == "played"
    ]
    begun = next(at for at, name in starts if name == first)
    return next(at for at, name in starts if name == then and at > begun) - begun


class HearsNothing:
    """A speech model that understands nobody: the caller here only presses keys."""

    async def recognize(self, audio: Path, phrases: Sequence[str]) -> Recognition:
        return Recognition("", 0.0)


def after(heard: list[str], prompt: str) -> str:
    return heard[heard.index(prompt) + 1]


async def test_star_at_the_account_offer_goes_back_to_the_menu_at_once(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "1 * h")
    heard = played(channel)
    assert after(heard, "identify_caller_id_offer-short") == "toll_free_main-short"
    assert seconds_between(channel, "identify_caller_id_offer-short", "toll_free_main-short") < 2
    assert row.path == ["main", "readings", "main"]


async def test_star_for_the_account_number_goes_back_to_the_menu(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "1 * h", caller_id=UNKNOWN_CALLER)
    heard = played(channel)
    assert after(heard, "identify_enter_account-short") == "toll_free_main-short"
    assert "identify_bad_account-short" not in heard
    assert row.path == ["main", "readings", "main"]
    assert row.inputs == "1 *", "the key that left is kept, as 0 is"


async def test_star_then_hash_for_the_account_number_goes_back_at_once(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, _ = await place(ivr, "1 *# h", caller_id=UNKNOWN_CALLER)
    assert seconds_between(channel, "identify_enter_account-short", "toll_free_main-short") < 3


async def test_with_voice_on_star_during_the_account_prompt_goes_back_at_once(
    database: Database, ivr_content: IvrContent, clock: ManualClock, tmp_path: Path
) -> None:
    async with running_ivr(database, ivr_content, clock, tmp_path, HearsNothing()) as voice_ivr:
        channel, _ = await place(voice_ivr, "1 * h", caller_id=UNKNOWN_CALLER)
    heard = played(channel)
    assert after(heard, "identify_enter_account-short") == "toll_free_main-short"
    assert seconds_between(channel, "identify_enter_account-short", "toll_free_main-short") < 3


async def test_zero_at_the_account_offer_reaches_the_operator(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "1 0")
    assert "identify_enter_account-short" not in played(channel)
    assert "identify_failed-short" not in played(channel)
    assert any(event.kind == "queued" for event in channel.heard)
    assert row.path[-1] == "operator" and row.outcome == "operator"


async def test_zero_for_the_account_number_reaches_the_operator(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "1 0", caller_id=UNKNOWN_CALLER)
    assert "identify_bad_account-short" not in played(channel)
    assert any(event.kind == "queued" for event in channel.heard)
    assert row.path[-1] == "operator" and row.outcome == "operator"
    assert "operator_connecting-short" in played(channel), "asked for, so no 'not understood'"
    assert "no_input_operator-short" not in played(channel)
    assert row.inputs == "1 0"


async def test_failing_every_account_attempt_is_handed_to_the_operator(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "1 1# 2# 3#", caller_id=UNKNOWN_CALLER)
    assert "identify_failed-short" in played(channel)
    assert "no_input_operator-short" in played(channel)
    assert row.path[-1] == "operator"


async def test_an_account_number_may_start_with_zero(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, _ = await place(ivr, f"1 {STRANGER_ACCOUNT}# h", caller_id=UNKNOWN_CALLER)
    assert "identify_not_found-short" in played(channel)
    assert not any(event.kind == "queued" for event in channel.heard)


async def test_star_at_the_first_zone_leaves_the_readings(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    channel, row = await place(ivr, "1 1 *# h")
    heard = heard_texts(channel)
    day_prompt = next(t for t in heard if t.startswith("Введите показания дневной зоны"))
    assert after(heard, day_prompt) == "toll_free_main-short"
    assert "readings_not_taken-short" not in heard
    assert (await stored_readings(ivr, account))[Zone.DAY].value == 12000
    assert row.path == ["main", "readings", "main"]
    assert row.inputs == "1 *"


async def test_star_at_the_second_zone_goes_back_a_zone(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    channel, _ = await place(ivr, "1 1 12345# *# 12346# 04567# 1 h")
    heard = heard_texts(channel)
    assert sum(t.startswith("Введите показания дневной зоны") for t in heard) == 2
    stored = await stored_readings(ivr, account)
    assert {zone: r.value for zone, r in stored.items()} == {Zone.DAY: 12346, Zone.NIGHT: 4567}


async def test_a_lone_zero_for_a_reading_reaches_the_operator(ivr: RunningIvr) -> None:
    account = await seed_household(ivr)
    channel, row = await place(ivr, "1 1 0")
    assert any(event.kind == "queued" for event in channel.heard)
    assert row.path[-1] == "operator"
    assert (await stored_readings(ivr, account))[Zone.DAY].value == 12000


async def test_zero_ended_with_hash_is_a_reading_of_zero(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, _ = await place(ivr, "1 1 0# h")
    assert any("меньше последних принятых" in t for t in heard_texts(channel))
    assert not any(event.kind == "queued" for event in channel.heard)


async def test_star_for_the_callback_number_goes_back_to_the_menu(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "5 *# h")
    heard = played(channel)
    assert after(heard, "callback_enter_number-short") == "toll_free_main-short"
    assert await ivr.callbacks.for_call(row.id) == []


async def test_zero_for_the_callback_number_reaches_the_operator(ivr: RunningIvr) -> None:
    channel, row = await place(ivr, "5 0#")
    assert any(event.kind == "queued" for event in channel.heard)
    assert row.path[-1] == "operator"
    assert await ivr.callbacks.for_call(row.id) == []


async def test_zero_for_a_paid_service_order_reaches_the_operator(ivr: RunningIvr) -> None:
    channel, _ = await place(ivr, "2 0#", dialled="3822400100")
    assert any(event.kind == "queued" for event in channel.heard)
    assert await ivr.tasks.open_tasks("paid_service_order") == []


async def test_business_zero_for_the_inn_reaches_the_operator(ivr: RunningIvr) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "4 0", dialled="3822630000")
    assert "identify_bad_inn-short" not in played(channel)
    assert row.path[-1] == "operator" and row.outcome == "operator"


async def test_business_zero_for_the_contract_number_reaches_the_operator(
    ivr: RunningIvr,
) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "4 *# 0", dialled="3822630000")
    assert "identify_not_found-short" not in played(channel)
    assert row.path[-1] == "operator" and row.outcome == "operator"
