"""Customers in the database: lookups for identification, meters, and readings.

Callers get ``customers.model`` values, never rows. Readings are stored exactly once
per submission key: the IVR may retry a submission whose reply it lost, and the retry
must change nothing. Concurrent submissions for one meter are serialised by a lock on
the meter's row (PostgreSQL; SQLite takes one writer at a time anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, time, timedelta
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from callgrid.database import Database
from customers.account_import import NewAccount
from customers.consent import imported_consents
from customers.consent_store import change_values
from customers.identifiers import normalise_phone
from customers.model import Account, CustomerKind, Meter, Reading, Zone
from customers.row_mapping import (
    account_of,
    account_values,
    meter_of,
    meter_values,
    reading_of,
    reading_values,
)
from customers.tables import (
    ACCEPTED,
    REPLACED,
    AccountRow,
    ConsentChangeRow,
    MeterRow,
    ReadingRow,
)
from worktime.clock import local_zone

CHUNK = 5000
T = TypeVar("T")


class SqlCustomers:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def account_by_number(self, number: str) -> Account | None:
        accounts = await self._accounts(AccountRow.number == number.strip())
        return accounts[0] if accounts else None

    async def accounts_by_phone(self, phone: str) -> list[Account]:
        """Accounts with this phone, however it is written (+7…, 8…, 10 digits)."""
        try:
            normalised = normalise_phone(phone)
        except ValueError:
            return []
        return await self._accounts(AccountRow.phone == normalised)

    async def business_by_inn(self, inn: str) -> Account | None:
        """The business with this INN; its first contract when it has several."""
        return await self._business(AccountRow.inn == inn.strip())

    async def business_by_ogrn(self, ogrn: str) -> Account | None:
        return await self._business(AccountRow.ogrn == ogrn.strip())

    async def business_by_contract(self, contract_number: str) -> Account | None:
        return await self._business(AccountRow.contract_number == contract_number.strip())

    async def existing_numbers(self, numbers: Iterable[str]) -> set[str]:
        """Which of these account numbers are already stored."""
        found: set[str] = set()
        async with self.database.engine.connect() as connection:
            for chunk in _chunks(list(numbers), CHUNK):
                result = await connection.execute(
                    select(AccountRow.number).where(AccountRow.number.in_(chunk))
                )
                found.update(result.scalars())
        return found

    async def meters(self, account_id: int) -> list[Meter]:
        async with self.database.session() as session:
            result = await session.execute(
                select(MeterRow).where(MeterRow.account_id == account_id).order_by(MeterRow.id)
            )
            return [meter_of(row) for row in result.scalars()]

    async def last_accepted(self, meter_id: int) -> dict[Zone, Reading]:
        """The latest accepted reading of each zone of the meter."""
        newest = (
            func.row_number()
            .over(
                partition_by=ReadingRow.zone,
                order_by=(ReadingRow.taken_at.desc(), ReadingRow.id.desc()),
            )
            .label("newest")
        )
        ranked = (
            select(ReadingRow.id, newest)
            .where(ReadingRow.meter_id == meter_id, ReadingRow.status == ACCEPTED)
            .subquery()
        )
        query = select(ReadingRow).join(ranked, ranked.c.id == ReadingRow.id)
        readings = await self._readings(query.where(ranked.c.newest == 1))
        return {reading.zone: reading for reading in readings}

    async def history(self, meter_id: int, zone: Zone, limit: int = 12) -> list[Reading]:
        """Accepted readings of one zone, newest first."""
        return await self._readings(
            select(ReadingRow)
            .where(
                ReadingRow.meter_id == meter_id,
                ReadingRow.zone == zone.value,
                ReadingRow.status == ACCEPTED,
            )
            .order_by(ReadingRow.taken_at.desc(), ReadingRow.id.desc())
            .limit(limit)
        )

    async def readings_today(self, meter_id: int, zone: Zone, now: datetime) -> list[Reading]:
        """Accepted readings of the zone taken on ``now``'s day in Tomsk, oldest first."""
        start, end = _local_day(now)
        return await self._readings(
            select(ReadingRow)
            .where(
                ReadingRow.meter_id == meter_id,
                ReadingRow.zone == zone.value,
                ReadingRow.status == ACCEPTED,
                ReadingRow.taken_at >= start,
                ReadingRow.taken_at < end,
            )
            .order_by(ReadingRow.taken_at, ReadingRow.id)
        )

    async def store_readings(
        self, readings: list[Reading], submission_key: str, replace_same_day: bool = False
    ) -> bool:
        """Store one submission, all of its zones or none.

        False when this submission key is already stored (nothing changes then). With
        ``replace_same_day``, accepted readings of the same meter and zone taken on the
        same Tomsk day are marked replaced by the new ones.
        """
        if not readings or not 0 < len(submission_key) <= 64:
            raise ValueError("a submission holds at least one reading and a key of 1-64 chars")
        if any(reading.taken_at.tzinfo is None for reading in readings):
            raise ValueError("naive datetime given for a reading; times must carry a zone")
        if len({(reading.meter_id, reading.zone) for reading in readings}) < len(readings):
            raise ValueError("a submission holds one reading per meter and zone")
        try:
            async with self.database.engine.begin() as connection:
                return await _store(connection, readings, submission_key, replace_same_day)
        except IntegrityError:
            return False  # the same key, stored meanwhile by a concurrent retry

    async def add_accounts(
        self,
        records: Iterable[NewAccount],
        progress: Callable[[int], None] | None = None,
        *,
        at: datetime | None = None,
    ) -> int:
        """Store many new accounts with their meters and last readings, in one transaction.

        Rows go in with executemany in chunks; the ids the database gives are read back
        by account number (unique), so this works alike on SQLite and PostgreSQL.
        ``progress`` gets the number of accounts stored so far after each chunk. The
        consents the records carry go into the consent history as given ``at`` (default:
        now), from the source "import" (PD-2).
        """
        at = at or datetime.now(UTC)
        stored = 0
        async with self.database.engine.begin() as connection:
            for chunk in _chunks(records, CHUNK):
                await _add_chunk(connection, chunk, at)
                stored += len(chunk)
                if progress is not None:
                    progress(stored)
        return stored

    async def _accounts(self, condition: Any) -> list[Account]:
        async with self.database.session() as session:
            result = await session.execute(
                select(AccountRow).where(condition).order_by(AccountRow.id)
            )
            return [account_of(row) for row in result.scalars()]

    async def _business(self, condition: Any) -> Account | None:
        accounts = await self._accounts(condition & (AccountRow.kind == CustomerKind.BUSINESS))
        return accounts[0] if accounts else None

    async def _readings(self, query: Any) -> list[Reading]:
        async with self.database.session() as session:
            result = await session.execute(query)
            return [reading_of(row) for row in result.scalars()]


async def _store(
    connection: AsyncConnection,
    readings: Sequence[Reading],
    submission_key: str,
    replace_same_day: bool,
) -> bool:
    meter_ids = sorted({reading.meter_id for reading in readings})
    locked = await connection.execute(
        select(MeterRow.id)
        .where(MeterRow.id.in_(meter_ids))
        .order_by(MeterRow.id)
        .with_for_update()
    )
    missing = set(meter_ids) - set(locked.scalars())
    if missing:
        raise LookupError(f"no meter with id {', '.join(map(str, sorted(missing)))}")
    seen = await connection.execute(
        select(ReadingRow.id).where(ReadingRow.submission_key == submission_key).limit(1)
    )
    if seen.first() is not None:
        return False
    for reading in readings:
        earlier: list[int] = []
        if replace_same_day:
            start, end = _local_day(reading.taken_at)
            result = await connection.execute(
                select(ReadingRow.id).where(
                    ReadingRow.meter_id == reading.meter_id,
                    ReadingRow.zone == reading.zone.value,
                    ReadingRow.status == ACCEPTED,
                    ReadingRow.taken_at >= start,
                    ReadingRow.taken_at < end,
                )
            )
            earlier = list(result.scalars())
        added = await connection.execute(
            insert(ReadingRow)
            .values(reading_values(reading, submission_key))
            .returning(ReadingRow.id)
        )
        new_id = added.scalar_one()
        if earlier:
            await connection.execute(
                update(ReadingRow)
                .where(ReadingRow.id.in_(earlier))
                .values(status=REPLACED, replaced_by=new_id)
            )
    return True


async def _add_chunk(connection: AsyncConnection, chunk: list[NewAccount], at: datetime) -> None:
    await connection.execute(insert(AccountRow), [account_values(r.account) for r in chunk])
    consents = [
        change_values(change)
        for record in chunk
        for change in imported_consents(record.account.number, record.account.consent, at)
    ]
    if consents:
        await connection.execute(insert(ConsentChangeRow), consents)
    numbers = [record.account.number for record in chunk]
    stored_accounts = await connection.execute(
        select(AccountRow.number, AccountRow.id).where(AccountRow.number.in_(numbers))
    )
    account_ids: dict[str, int] = {number: id_ for number, id_ in stored_accounts}
    with_meter = [record for record in chunk if record.meter is not None]
    if not with_meter:
        return
    await connection.execute(
        insert(MeterRow),
        [meter_values(r.meter, account_ids[r.account.number]) for r in with_meter if r.meter],
    )
    stored_meters = await connection.execute(
        select(MeterRow.account_id, MeterRow.id).where(
            MeterRow.account_id.in_([account_ids[r.account.number] for r in with_meter])
        )
    )
    meter_ids: dict[int, int] = {account: id_ for account, id_ in stored_meters}
    readings = [
        reading_values(
            reading,
            f"import:{record.account.number}",
            meter_id=meter_ids[account_ids[record.account.number]],
        )
        for record in with_meter
        for reading in record.last_readings
    ]
    if readings:
        await connection.execute(insert(ReadingRow), readings)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _local_day(moment: datetime) -> tuple[datetime, datetime]:
    """The start and end of ``moment``'s calendar day in Tomsk."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; times must carry a zone")
    start = datetime.combine(moment.astimezone(local_zone()).date(), time(), local_zone())
    return start, start + timedelta(days=1)


async def accounts_by_numbers(
    connection: AsyncConnection, numbers: Iterable[str]
) -> dict[str, Account]:
    """The accounts of ``numbers`` found, read on the caller's connection (inside its
    transaction: a campaign's dialer decides with them under its lock)."""
    wanted = sorted({number.strip() for number in numbers})
    found: dict[str, Account] = {}
    async with AsyncSession(bind=connection) as session:
        for chunk in _chunks(wanted, 500):
            result = await session.execute(select(AccountRow).where(AccountRow.number.in_(chunk)))
            found.update((row.number, account_of(row)) for row in result.scalars())
    return found
