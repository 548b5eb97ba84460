"""Customers for the self-service tests (the demo's showcase ones), stored as imports do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from customers.account_import import NewAccount
from customers.model import Account, Channel, Reading, Zone
from ivr.demo import BUSINESS, HOUSEHOLD
from ivr.demo import METER as TWO_ZONES
from prompts.phrases import phrase_text
from telephony.emulator.agi_channel import EmulatedChannel
from tests.conftest import RunningIvr

LAST_READING_AT = datetime(2026, 10, 27, 5, tzinfo=UTC)


def reading(zone: Zone, value: int, at: datetime = LAST_READING_AT) -> Reading:
    return Reading(0, zone, value, at, Channel.IMPORT)


async def seed_household(ivr: RunningIvr, day: int = 12000, night: int = 4400) -> Account:
    await ivr.customers.add_accounts(
        [
            NewAccount(HOUSEHOLD, TWO_ZONES, (reading(Zone.DAY, day), reading(Zone.NIGHT, night))),
            NewAccount(BUSINESS),
        ]
    )
    account = await ivr.customers.account_by_number(HOUSEHOLD.number)
    assert account is not None
    return account


async def stored_readings(ivr: RunningIvr, account: Account) -> dict[Zone, Reading]:
    (meter,) = await ivr.customers.meters(account.id)
    return await ivr.customers.last_accepted(meter.id)


def heard_texts(channel: EmulatedChannel) -> list[str]:
    """What the caller heard, as words: phrases by their text, prompts by their name."""
    texts = []
    for event in channel.heard:
        if event.kind != "played":
            continue
        name = Path(event.detail.split(" (")[0])
        texts.append(phrase_text(name.with_suffix(".wav")) or name.name)
    return texts
