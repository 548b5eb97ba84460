"""Accounts, meters and readings in the database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from callgrid.database import Database
from customers.account_import import NewAccount
from customers.model import (
    ZONE_SETS,
    Account,
    Channel,
    Consent,
    CustomerKind,
    Meter,
    Reading,
    Zone,
)
from customers.storage import SqlCustomers
from customers.store import CustomerStore
from customers.tables import AccountRow, ReadingRow
from worktime.clock import DEFAULT_ZONE

_serials = itertools.count(1)
# a random block of a million numbers for this run, counted through: never the same twice
_account_numbers = itertools.count(uuid.uuid4().int % 9000 * 10**6)


def _number() -> str:
    """A fresh account number, so tests never meet another test's rows."""
    return f"{next(_account_numbers):010d}"


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=DEFAULT_ZONE)


def _household(number: str, phone: str = "79138123456", zones: int = 2) -> NewAccount:
    account = Account(
        id=0,
        number=number,
        kind=CustomerKind.HOUSEHOLD,
        name="Иванова Мария Петровна",
        area="Кировский район",
        address="г. Томск, ул. Учебная, д. 5, кв. 12",
        phone=phone,
        email="ivanova@mail.ru",
        debt=Decimal("1234.50"),
        due_date=date(2026, 12, 10),
        last_payment_amount=Decimal("800.00"),
        last_payment_date=date(2026, 11, 2),
        consent=Consent(phone_info=True, sms=False, email=True, cabinet=False),
    )
    meter = Meter(
        0, 0, f"S{next(_serials)}", ZONE_SETS[zones], 5, date(2030, 5, 1), date(2014, 5, 1)
    )
    readings = tuple(
        Reading(0, zone, 10000 + 1000 * i, _local(1, 12), Channel.IMPORT)
        for i, zone in enumerate(ZONE_SETS[zones])
    )
    return NewAccount(account, meter, readings)


def _business(contract: str, inn: str = "7707083893") -> NewAccount:
    account = Account(
        id=0,
        number=contract,
        kind=CustomerKind.BUSINESS,
        name="ООО «Сибстрой»",
        area="Советский район",
        address="г. Томск, пр. Фрунзе, д. 20, оф. 4",
        inn=inn,
        ogrn="1027700132195",
        contract_number=contract,
    )
    return NewAccount(account)


@pytest.fixture
def customers(database: Database) -> SqlCustomers:
    return SqlCustomers(database)


def _as_the_engine_sees_it(customers: SqlCustomers) -> CustomerStore:
    """mypy checks here that the store has everything the engine asks of it."""
    return customers


async def _stored_meter(customers: SqlCustomers, zones: int = 2) -> Meter:
    number = _number()
    await customers.add_accounts([_household(number, zones=zones)])
    account = await customers.account_by_number(number)
    assert account is not None
    (meter,) = await customers.meters(account.id)
    return meter


def _reading(meter: Meter, zone: Zone, value: int, at: datetime) -> Reading:
    return Reading(meter.id, zone, value, at, Channel.KEYPAD, call_id="c" * 32)


async def test_migrations_create_the_customer_tables(database: Database) -> None:
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    assert {"accounts", "meters", "readings"} <= set(tables)
    await database.upgrade()


async def test_an_account_comes_back_as_it_was_stored(customers: SqlCustomers) -> None:
    number = _number()
    record = _household(number, phone="8 (913) 812-34-56")
    assert await customers.add_accounts([record]) == 1
    account = await _as_the_engine_sees_it(customers).account_by_number(number)
    assert account is not None and account.id > 0
    assert account == dataclasses.replace(record.account, id=account.id, phone="79138123456")
    assert await customers.account_by_number(_number()) is None


async def test_a_caller_id_finds_the_accounts_however_the_number_is_written(
    customers: SqlCustomers,
) -> None:
    phone = f"79{uuid.uuid4().int % 10**9:09d}"
    first, second = _number(), _number()
    await customers.add_accounts([_household(first, phone), _household(second, "8" + phone[1:])])
    for written in (phone, "8" + phone[1:], "+7 " + phone[1:], phone[1:]):
        found = await customers.accounts_by_phone(written)
        assert [account.number for account in found] == [first, second]
    assert await customers.accounts_by_phone("not a phone") == []


async def test_businesses_are_found_by_inn_ogrn_and_contract(customers: SqlCustomers) -> None:
    contract = f"Д-{uuid.uuid4().hex[:8]}"
    inn = "7736207543"
    await customers.add_accounts([_business(contract, inn)])
    by_inn = await customers.business_by_inn(inn)
    by_contract = await customers.business_by_contract(contract)
    assert by_inn is not None and by_contract is not None
    assert by_inn.number == by_contract.number == contract
    assert by_inn.kind is CustomerKind.BUSINESS and by_inn.debt == Decimal("0.00")
    assert (await customers.business_by_ogrn("1027700132195")) is not None
    assert await customers.business_by_contract("no such contract") is None


async def test_a_household_with_an_inn_is_not_a_business(customers: SqlCustomers) -> None:
    record = _household(_number())
    inn = "500100732259"
    person = dataclasses.replace(record, account=dataclasses.replace(record.account, inn=inn))
    await customers.add_accounts([person])
    assert await customers.business_by_inn(inn) is None


async def test_meters_and_their_last_readings(customers: SqlCustomers) -> None:
    meter = await _stored_meter(customers, zones=3)
    assert meter.zones == (Zone.PEAK, Zone.SEMIPEAK, Zone.NIGHT)
    assert (meter.digits, meter.verification_due, meter.installed_on) == (
        5,
        date(2030, 5, 1),
        date(2014, 5, 1),
    )
    last = await customers.last_accepted(meter.id)
    assert {zone: reading.value for zone, reading in last.items()} == {
        Zone.PEAK: 10000,
        Zone.SEMIPEAK: 11000,
        Zone.NIGHT: 12000,
    }
    assert last[Zone.PEAK].taken_at == _local(1, 12) and last[Zone.PEAK].taken_at.tzinfo == UTC
    assert last[Zone.PEAK].channel is Channel.IMPORT


async def test_a_submission_stores_every_zone_with_time_and_channel(
    customers: SqlCustomers,
) -> None:
    meter = await _stored_meter(customers)
    at = _local(20, 21, 15)
    submission = [_reading(meter, Zone.DAY, 10150, at), _reading(meter, Zone.NIGHT, 11040, at)]
    assert await customers.store_readings(submission, "call-1/readings")
    last = await customers.last_accepted(meter.id)
    assert last == {Zone.DAY: submission[0], Zone.NIGHT: submission[1]}
    history = await customers.history(meter.id, Zone.DAY)
    assert [reading.value for reading in history] == [10150, 10000]


async def test_a_retried_submission_is_stored_once(customers: SqlCustomers) -> None:
    meter = await _stored_meter(customers)
    submission = [_reading(meter, Zone.DAY, 10150, _local(20, 10))]
    assert await customers.store_readings(submission, "key-retried")
    retry = [_reading(meter, Zone.DAY, 10150, _local(20, 10, 1))]
    assert not await customers.store_readings(retry, "key-retried")
    assert not await customers.store_readings(retry, "key-retried", replace_same_day=True)
    assert [r.value for r in await customers.history(meter.id, Zone.DAY)] == [10150, 10000]
    assert len(await customers.readings_today(meter.id, Zone.DAY, _local(20, 23))) == 1


async def test_concurrent_retries_store_the_submission_exactly_once(
    customers: SqlCustomers,
) -> None:
    meter = await _stored_meter(customers)
    submission = [
        _reading(meter, Zone.DAY, 10150, _local(20, 10)),
        _reading(meter, Zone.NIGHT, 11040, _local(20, 10)),
    ]
    results = await asyncio.gather(
        *(customers.store_readings(submission, "key-raced") for _ in range(6))
    )
    assert sorted(results) == [False] * 5 + [True]
    assert len(await customers.history(meter.id, Zone.NIGHT)) == 2


async def test_a_submission_is_stored_whole_or_not_at_all(customers: SqlCustomers) -> None:
    meter = await _stored_meter(customers)
    ghost = dataclasses.replace(meter, id=meter.id + 10**6)
    submission = [
        _reading(meter, Zone.DAY, 10150, _local(20, 10)),
        _reading(ghost, Zone.NIGHT, 11040, _local(20, 10)),
    ]
    with pytest.raises(LookupError, match="no meter"):
        await customers.store_readings(submission, "key-half")
    assert [r.value for r in await customers.history(meter.id, Zone.DAY)] == [10000]
    with pytest.raises(ValueError, match="naive"):
        naive = _local(20, 10).replace(tzinfo=None)
        await customers.store_readings([_reading(meter, Zone.DAY, 1, naive)], "key-naive")


async def test_a_same_day_reading_replaces_the_earlier_one(customers: SqlCustomers) -> None:
    meter = await _stored_meter(customers)
    morning = [_reading(meter, Zone.DAY, 10150, _local(20, 9))]
    evening = [_reading(meter, Zone.DAY, 10160, _local(20, 19))]
    assert await customers.store_readings(morning, "key-morning")
    assert await customers.store_readings(evening, "key-evening", replace_same_day=True)
    today = await customers.readings_today(meter.id, Zone.DAY, _local(20, 23, 59))
    assert [reading.value for reading in today] == [10160]
    assert [r.value for r in await customers.history(meter.id, Zone.DAY)] == [10160, 10000]
    last = await customers.last_accepted(meter.id)
    assert (last[Zone.DAY].value, last[Zone.NIGHT].value) == (10160, 11000)


async def test_without_replacing_both_same_day_readings_count(customers: SqlCustomers) -> None:
    meter = await _stored_meter(customers)
    assert await customers.store_readings([_reading(meter, Zone.DAY, 10150, _local(20, 9))], "a")
    assert await customers.store_readings([_reading(meter, Zone.DAY, 10160, _local(20, 19))], "b")
    today = await customers.readings_today(meter.id, Zone.DAY, _local(20, 12))
    assert [reading.value for reading in today] == [10150, 10160]


async def test_the_day_is_the_tomsk_day_not_the_utc_one(customers: SqlCustomers) -> None:
    meter = await _stored_meter(customers)
    late = _local(20, 23, 30)  # 16:30 UTC on the 20th
    early = _local(21, 0, 30)  # 17:30 UTC, still the 20th in UTC
    assert await customers.store_readings([_reading(meter, Zone.DAY, 10150, late)], "late")
    assert await customers.store_readings(
        [_reading(meter, Zone.DAY, 10160, early)], "early", replace_same_day=True
    )
    assert [r.value for r in await customers.readings_today(meter.id, Zone.DAY, late)] == [10150]
    assert [r.value for r in await customers.readings_today(meter.id, Zone.DAY, early)] == [10160]
    assert len(await customers.history(meter.id, Zone.DAY)) == 3


async def test_concurrent_same_day_replacements_leave_one_accepted_reading(
    customers: SqlCustomers,
) -> None:
    meter = await _stored_meter(customers)
    await asyncio.gather(
        *(
            customers.store_readings(
                [_reading(meter, Zone.NIGHT, 11000 + i, _local(20, 10, i))],
                f"replace-{i}",
                replace_same_day=True,
            )
            for i in range(5)
        )
    )
    assert len(await customers.readings_today(meter.id, Zone.NIGHT, _local(20, 12))) == 1


async def test_history_is_newest_first_and_limited(customers: SqlCustomers) -> None:
    meter = await _stored_meter(customers)
    for month in range(1, 15):
        at = datetime(2026, 11, 25, 12, tzinfo=DEFAULT_ZONE) + timedelta(days=30 * month)
        assert await customers.store_readings(
            [_reading(meter, Zone.NIGHT, 11000 + month, at)], f"m{month}"
        )
    history = await customers.history(meter.id, Zone.NIGHT)
    assert [reading.value for reading in history] == [11000 + m for m in range(14, 2, -1)]
    assert len(await customers.history(meter.id, Zone.NIGHT, limit=3)) == 3


async def test_many_accounts_are_added_in_one_transaction(
    customers: SqlCustomers, database: Database
) -> None:
    records = [_household(_number()) for _ in range(12_000)]
    done: list[int] = []
    assert await customers.add_accounts(records, progress=done.append) == 12_000
    assert done == [5000, 10_000, 12_000]
    numbers = [record.account.number for record in records]
    assert await customers.existing_numbers([*numbers[::1000], "0000000000"]) == set(
        numbers[::1000]
    )
    last = records[-1].account.number
    account = await customers.account_by_number(last)
    assert account is not None
    (meter,) = await customers.meters(account.id)
    assert (await customers.last_accepted(meter.id))[Zone.NIGHT].value == 11000
    async with database.engine.connect() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(ReadingRow).where(ReadingRow.status == "accepted")
        )
    assert count is not None and count >= 24_000


async def test_a_failing_bulk_add_stores_nothing(
    customers: SqlCustomers, database: Database
) -> None:
    taken = _number()
    await customers.add_accounts([_household(taken)])
    fresh = [_household(_number()) for _ in range(3)]
    with pytest.raises(IntegrityError):
        await customers.add_accounts([*fresh, _household(taken)])
    numbers = [record.account.number for record in fresh]
    assert await customers.existing_numbers(numbers) == set()
    async with database.engine.connect() as connection:
        assert (
            await connection.scalar(
                select(func.count()).select_from(AccountRow).where(AccountRow.number == taken)
            )
            == 1
        )
