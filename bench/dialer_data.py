"""The customers of the dialer benchmark and their debt-notice campaign, loaded fast.

N household accounts of a Tomsk retailer, customers in several time zones: the zone is
the one their supply address names (``autodialer.customer_zone`` reads it, as the
dialer does), the benchmark keeps the zone it meant beside each customer for the
independent check. A few paid their debt (a notice is not sent), a few refused calls
(none is made), some gave consent to information calls (a debt notice needs none).

The accounts and their consents go in with COPY on PostgreSQL and executemany chunks on
SQLite; the campaign and its list through :class:`autodialer.storage.SqlCampaigns`, as
a specialist's would, then approved and started by the lifecycle's rules.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from autodialer.lifecycle import Action, Actor
from autodialer.model import Campaign, MessageChannel, Purpose, Scenario
from autodialer.parts import CampaignParts
from autodialer.storage import CampaignDraft, ListEntry
from callgrid.database import Database
from customers.consent import ConsentChange, ConsentChannel, ConsentStatus, imported_consents
from customers.consent_store import change_values
from customers.model import Account, Consent, CustomerKind
from customers.row_mapping import account_values
from customers.tables import AccountRow, ConsentChangeRow

CHUNK = 20_000
PREPARER = Actor("vera", frozenset({"supervisor"}), "bench")
MANAGER = Actor("maria", frozenset({"manager"}), "bench")
DEBT_TEXT = (
    "Здравствуйте! Это «Энергосбыт». По лицевому счёту {account} задолженность составляет "
    "{debt}. Оплатите до {due_date}. Чтобы соединиться с оператором, нажмите ноль."
)
START = datetime(2026, 12, 7, 0, 0, tzinfo=ZoneInfo("Asia/Tomsk"))
"""The campaign starts on Monday 00:00 in Tomsk: a week with no holiday."""
SPEECH_SECONDS = 36.0
"""The rendered debt notice's length (measured once with espeak-ng)."""


@dataclass(frozen=True)
class Place:
    address: str
    area: str
    zone: str
    weight: int


FLAT = ", {house}, кв. {flat}"
PLACES: tuple[Place, ...] = (
    Place("г. Томск, ул. Ленина" + FLAT, "Советский", "Asia/Tomsk", 40),
    Place("Томская обл., Томский р-н, с. Богашёво, ул. Новосибирская, {house}", "Томский",
          "Asia/Tomsk", 5),
    Place("г. Северск, ул. Победы" + FLAT, "Северск", "Asia/Tomsk", 5),
    Place("г. Новосибирск, Красный пр-т" + FLAT, "Новосибирск", "Asia/Novosibirsk", 10),
    Place("Кемеровская обл., г. Новокузнецк, ул. Кирова, {house}", "Новокузнецк",
          "Asia/Novokuznetsk", 8),
    Place("Красноярский край, г. Ачинск, ул. Ленина, {house}", "Ачинск", "Asia/Krasnoyarsk", 5),
    Place("г. Омск, ул. Ленина" + FLAT, "Омск", "Asia/Omsk", 10),
    Place("г. Екатеринбург, ул. Малышева" + FLAT, "Екатеринбург", "Asia/Yekaterinburg", 5),
    Place("г. Москва, ул. Тверская" + FLAT, "Москва", "Europe/Moscow", 7),
    Place("г. Иркутск, ул. Карла Маркса" + FLAT, "Иркутск", "Asia/Irkutsk", 5),
)  # fmt: skip
"""Where the customers live (the weights are percent); the zone is the one meant."""
ZONES: tuple[str, ...] = tuple(dict.fromkeys(place.zone for place in PLACES))

OWES, CONSENTED, PAID, REFUSED = range(4)
"""A customer's standing: owes (no consent asked), owes and gave consent to information
calls, paid up (debt 0), refused calls."""
STANDING_SHARES = {CONSENTED: 0.10, PAID: 0.02, REFUSED: 0.01}


@dataclass(frozen=True)
class Population:
    size: int
    places: bytearray
    """Each customer's index into :data:`PLACES`."""
    standings: bytearray
    seed: int

    @classmethod
    def made(cls, size: int, seed: int) -> Population:
        rng = random.Random(seed)
        bounds = list(itertools.accumulate(place.weight for place in PLACES))
        standing_bounds = list(itertools.accumulate(STANDING_SHARES.values()))
        standing_kinds = list(STANDING_SHARES)
        places, standings = bytearray(size), bytearray(size)
        for index in range(size):
            places[index] = bisect.bisect_right(bounds, rng.random() * bounds[-1])
            kind = bisect.bisect_right(standing_bounds, rng.random())
            standings[index] = standing_kinds[kind] if kind < len(standing_kinds) else OWES
        return cls(size, places, standings, seed)

    def zone_index(self, index: int) -> int:
        return ZONES.index(PLACES[self.places[index]].zone)

    def callable(self, index: int) -> bool:
        """Whether the rules let a debt notice reach this customer at all."""
        return self.standings[index] in (OWES, CONSENTED)

    def consent(self, index: int) -> ConsentStatus:
        """The customer's consent to calls while the campaign runs."""
        standing = self.standings[index]
        if standing == REFUSED:
            return ConsentStatus.REFUSED
        return ConsentStatus.GIVEN if standing == CONSENTED else ConsentStatus.NOT_ASKED

    def counts(self) -> dict[str, int]:
        names = {OWES: "owes", CONSENTED: "consented", PAID: "paid", REFUSED: "refused"}
        return {names[kind]: self.standings.count(kind) for kind in names}


def account_number(index: int) -> str:
    return f"70{index:08d}"


def customer_index(number: str) -> int:
    return int(number) - 7_000_000_000


def account_of(population: Population, index: int) -> Account:
    place = PLACES[population.places[index]]
    standing = population.standings[index]
    debt = Decimal(0) if standing == PAID else Decimal(500 + index * 37 % 9000) + Decimal("0.17")
    return Account(
        id=0,
        number=account_number(index),
        kind=CustomerKind.HOUSEHOLD,
        name=f"Абонент {index}",
        area=place.area,
        address=place.address.format(house=index % 97 + 1, flat=index % 211 + 1),
        phone=f"79{index:09d}",
        email=f"c{index}@example.ru",
        debt=debt,
        due_date=date(2026, 12, 25),
        last_payment_amount=Decimal("1200.00"),
        consent=Consent(
            phone_info=standing == CONSENTED,
            sms=index % 3 == 0,
            email=index % 5 == 0,
            cabinet=index % 2 == 0,
        ),
    )


def consent_rows(account: Account, standing: int, at: datetime) -> list[dict[str, Any]]:
    changes = imported_consents(account.number, account.consent, at)
    if standing == REFUSED:
        later = at + timedelta(days=10)
        changes.append(
            ConsentChange(account.number, ConsentChannel.PHONE_INFO, False, later, "call", "op7")
        )
    return [change_values(change) for change in changes]


def _chunks(size: int) -> Iterator[range]:
    for first in range(0, size, CHUNK):
        yield range(first, min(size, first + CHUNK))


async def load_accounts(database: Database, population: Population, at: datetime) -> float:
    """Store every customer with their consents; the seconds it took."""
    started = time.perf_counter()
    for indexes in _chunks(population.size):
        accounts = [account_of(population, index) for index in indexes]
        rows = [account_values(account) for account in accounts]
        consents = [
            row
            for account, index in zip(accounts, indexes, strict=True)
            for row in consent_rows(account, population.standings[index], at)
        ]
        if database.is_sqlite:
            async with database.engine.begin() as connection:
                await connection.execute(insert(AccountRow), rows)
                await connection.execute(insert(ConsentChangeRow), consents)
        else:
            await _copy(database, AccountRow.__tablename__, rows)
            await _copy(database, ConsentChangeRow.__tablename__, consents)
    return time.perf_counter() - started


async def _copy(database: Database, table: str, rows: Sequence[dict[str, Any]]) -> None:
    columns = list(rows[0])
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(
            table, records=[tuple(row[name] for name in columns) for row in rows], columns=columns
        )


async def start_campaign(
    parts: CampaignParts,
    population: Population,
    starts_at: datetime,
    days: float,
    lines: int,
    calls_per_second: float,
) -> tuple[Campaign, float]:
    """The debt-notice phone campaign for every customer, running; the seconds its list
    took to store."""
    draft = CampaignDraft(
        name="Долг, декабрь",
        purpose=Purpose.DEBT_REMINDER,
        channels=(MessageChannel.PHONE,),
        scenario=Scenario(text=DEBT_TEXT, speech_seconds=SPEECH_SECONDS),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=days),
        line_limit=lines,
        calls_per_second=calls_per_second,
        list_source="bench",
    )
    entries = [ListEntry(account_number(index)) for index in range(population.size)]
    started = time.perf_counter()
    created = await parts.campaigns.create(draft, entries, PREPARER, starts_at)
    seconds = time.perf_counter() - started
    await parts.service.act(created.id, Action.APPROVE, MANAGER)
    return await parts.service.act(created.id, Action.START, PREPARER), seconds


def zone_info(index: int) -> ZoneInfo:
    return ZoneInfo(ZONES[index])
