"""Household accounts for callers who key meter readings, one account per call.

Each account has its own phone, so the caller is identified by caller ID, and its own
two-zone meter with readings accepted a month ago: the readings a caller keys are
accepted at once and, as no other call touches the meter, the readings stored for it
show whether the caller's submission was stored, and stored once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from callgrid.database import Database
from customers.account_import import NewAccount
from customers.model import Channel, Reading, Zone
from customers.storage import SqlCustomers
from customers.tables import AccountRow, MeterRow, ReadingRow
from ivr.demo import HOUSEHOLD
from ivr.demo import METER as TWO_ZONES

LAST_DAY, LAST_NIGHT = 12000, 4400
KEYED_DAY, KEYED_NIGHT = 12345, 4567
"""What every caller keys: a month's use, accepted against the last readings."""


@dataclass(frozen=True)
class ReadingAccount:
    number: str
    phone: str

    @property
    def keys(self) -> str:
        """The caller's script: readings, identified by caller ID, both zones, confirm."""
        return f"1 1 {KEYED_DAY}# {KEYED_NIGHT:05d}# 1 h"


class ReadingAccounts:
    """A pool of accounts handed out one per call."""

    def __init__(self, count: int) -> None:
        self.accounts = [ReadingAccount(f"71{i:08d}", f"79{i:09d}") for i in range(count)]
        self._unused = deque(self.accounts)

    async def seed(self, database: Database, now: datetime | None = None) -> None:
        """Store the accounts, their meters and last readings (one transaction)."""
        taken_at = (now or datetime.now(UTC)) - timedelta(days=30)
        records = [
            NewAccount(
                replace(HOUSEHOLD, number=account.number, phone=account.phone),
                TWO_ZONES,
                (
                    Reading(0, Zone.DAY, LAST_DAY, taken_at, Channel.IMPORT),
                    Reading(0, Zone.NIGHT, LAST_NIGHT, taken_at, Channel.IMPORT),
                ),
            )
            for account in self.accounts
        ]
        await SqlCustomers(database).add_accounts(records)

    def take(self) -> ReadingAccount | None:
        """The next unused account; None when all are used."""
        return self._unused.popleft() if self._unused else None

    def put_back(self, account: ReadingAccount) -> None:
        """An account whose call never got through: the next caller takes it."""
        self._unused.appendleft(account)


async def keyed_readings(database: Database) -> dict[tuple[str, str], int]:
    """How many readings keyed by phone are stored, by account number and zone."""
    query = (
        select(AccountRow.number, ReadingRow.zone, func.count())
        .join(MeterRow, MeterRow.account_id == AccountRow.id)
        .join(ReadingRow, ReadingRow.meter_id == MeterRow.id)
        .where(ReadingRow.channel == Channel.KEYPAD.value)
        .group_by(AccountRow.number, ReadingRow.zone)
    )
    async with database.session() as session:
        rows = await session.execute(query)
        return {(number, zone): count for number, zone, count in rows}
