"""Customers, meters and outages for the self-service tests, stored the way imports do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from customers.account_import import NewAccount
from customers.model import Account, Channel, CustomerKind, Meter, Reading, Zone
from prompts.phrases import phrase_text
from telephony.emulator.agi_channel import EmulatedChannel
from tests.conftest import RunningIvr

LAST_READING_AT = datetime(2026, 10, 27, 5, tzinfo=UTC)
HOUSEHOLD = Account(
    id=0,
    number="7012345678",
    kind=CustomerKind.HOUSEHOLD,
    name="Иванов Иван Иванович",
    area="Кировский район",
    address="Томск, ул. Учебная, 42, кв. 7",
    phone="79001234567",
    debt=Decimal("1234.56"),
    due_date=date(2026, 12, 10),
    last_payment_amount=Decimal("2100.00"),
    last_payment_date=date(2026, 11, 5),
)
TWO_ZONES = Meter(0, 0, "CE-102-555", (Zone.DAY, Zone.NIGHT), 5, date(2031, 6, 1), date(2019, 3, 1))
BUSINESS = Account(
    id=0,
    number="Д-2024-0117",
    kind=CustomerKind.BUSINESS,
    name="ООО «Сибирский хлеб»",
    area="Ленинский район",
    address="Томск, ул. Войкова, 5",
    phone="73822555001",
    inn="7017000026",
    contract_number="20240117",
    debt=Decimal("58200.00"),
    due_date=date(2026, 12, 18),
)


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


def days_later(days: int) -> timedelta:
    return timedelta(days=days)
