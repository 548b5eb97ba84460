"""Phrases made for the caller stop at the menu keys, end to end through the emulator:
``0`` reaches the operator queue, ``*`` the menu the service was chosen from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.outages import Outage, OutageKind
from telephony.emulator.agi_channel import EmulatedChannel
from tests.conftest import RunningIvr
from tests.ivr.calls import place, played
from tests.ivr.self_service import heard_texts, seed_household
from worktime.clock import ManualClock

OUTAGE_WORDS = "Аварийное отключение: повреждение кабельной линии."
DEBT_WORDS = "Задолженность по вашему лицевому счёту"


async def add_outage(ivr: RunningIvr, clock: ManualClock) -> None:
    await ivr.outages.add(
        Outage(
            "Кировский район",
            OutageKind.EMERGENCY,
            "повреждение кабельной линии",
            clock.now - timedelta(hours=1),
            datetime(2026, 11, 27, 11, 30, tzinfo=UTC),
        ),
        clock.now,
    )


def interrupted_phrase(channel: EmulatedChannel, words: str) -> str:
    """The text of the phrase containing ``words``, which the caller cut short by a key."""
    for event, text in zip(
        (e for e in channel.heard if e.kind == "played"), heard_texts(channel), strict=True
    ):
        if words in text:
            assert event.detail.endswith("(interrupted)"), f"{text!r} was played to the end"
            return text
    raise AssertionError(f"no phrase with {words!r} was played")


async def test_zero_during_the_outages_phrase_reaches_the_operator_queue(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    await seed_household(ivr)
    await add_outage(ivr, clock)
    channel, row = await place(ivr, "3 2 1 1 0")
    interrupted_phrase(channel, OUTAGE_WORDS)
    kinds = [event.kind for event in channel.heard]
    assert ("queued", "operators") in [(e.kind, e.detail) for e in channel.heard]
    assert kinds[-2:] == ["operator answered", "operator hung up"]
    assert row.outcome == "operator" and row.path[-1] == "operator"


async def test_star_during_the_outages_phrase_goes_back_to_the_outages_menu(
    ivr: RunningIvr, clock: ManualClock
) -> None:
    await seed_household(ivr)
    await add_outage(ivr, clock)
    channel, row = await place(ivr, "3 2 1 1 * h")
    heard = heard_texts(channel)
    phrase = interrupted_phrase(channel, OUTAGE_WORDS)
    assert heard[heard.index(phrase) + 1] == "outages_menu-short"
    assert "queued" not in [event.kind for event in channel.heard]
    assert row.outcome == "self_service" and row.path[-1] == "outages"


async def test_zero_during_the_debt_phrase_reaches_the_operator_without_the_rest(
    ivr: RunningIvr,
) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "2 2 1 0")
    interrupted_phrase(channel, DEBT_WORDS)
    assert "debt_how_to_pay-short" not in played(channel)
    assert "queued" in [event.kind for event in channel.heard]
    assert row.outcome == "operator" and row.path[-1] == "operator"


async def test_star_during_the_debt_phrase_goes_back_to_the_payments_menu(
    ivr: RunningIvr,
) -> None:
    await seed_household(ivr)
    channel, row = await place(ivr, "2 2 1 * h")
    heard = heard_texts(channel)
    phrase = interrupted_phrase(channel, DEBT_WORDS)
    assert heard[heard.index(phrase) + 1] == "payments_menu-short"
    assert row.outcome == "self_service" and row.path[-1] == "payments"


async def test_a_caller_who_presses_nothing_hears_the_debt_and_how_to_pay(
    ivr: RunningIvr,
) -> None:
    await seed_household(ivr)
    channel, _ = await place(ivr, "2 2 1 _ _ h")
    heard = heard_texts(channel)
    debt = next(i for i, text in enumerate(heard) if DEBT_WORDS in text)
    assert heard[debt + 1 : debt + 3] == ["debt_how_to_pay-short", "payments_menu-short"]
