"""The consent history in the database (PD-2): changes are added with their audit entry
in one transaction, and read back as each channel's state, as the history, or as the
one answer the autoinformer asks at dial time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from callgrid.database import Database
from callgrid.web.audit import AuditLog
from customers.cell_text import shortened
from customers.consent import (
    ConsentChange,
    ConsentChannel,
    ConsentError,
    ConsentStatus,
    change_problem,
    latest_per_channel,
    status_of,
)
from customers.tables import AccountRow, ConsentChangeRow

CONSENT_CHANGED = "customer.consent_changed"
NEWEST_FIRST = (ConsentChangeRow.at.desc(), ConsentChangeRow.id.desc())


class SqlConsent:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def change(
        self, change: ConsentChange, audit_log: AuditLog, actor_source: str
    ) -> ConsentChange:
        """Store ``change`` and its audit entry together, or neither (ConsentError says
        why). ``actor_source`` is where the person entering it works from (an address).

        The account's row is locked meanwhile, so two people changing one account's
        consent at once are told the state each of them found."""
        problem = change_problem(change)
        if problem is not None:
            raise ConsentError(problem)
        stored = _trimmed(change)
        async with self.database.session() as session, session.begin():
            found = await session.execute(
                select(AccountRow.id)
                .where(AccountRow.number == stored.account_number)
                .with_for_update()
            )
            if found.first() is None:
                raise ConsentError(f"no account {shortened(stored.account_number)!r}")
            before = await self._latest(session, stored.account_number, stored.channel)
            await session.execute(insert(ConsentChangeRow), change_values(stored))
            after = await self._latest(session, stored.account_number, stored.channel)
            await audit_log.record(
                CONSENT_CHANGED,
                actor=stored.changed_by,
                source=actor_source,
                subject_kind="account",
                subject_id=stored.account_number,
                details={
                    "channel": stored.channel.value,
                    "before": status_of(before).value,
                    "after": status_of(after).value,
                    "source": stored.source,
                    "at": stored.at.isoformat(),
                },
                session=session,
            )
        return stored

    async def current(self, account_number: str) -> dict[ConsentChannel, ConsentChange | None]:
        """Each channel's latest change; None for a channel never asked about."""
        query = (
            select(ConsentChangeRow)
            .where(ConsentChangeRow.account_number == account_number.strip())
            .order_by(ConsentChangeRow.id)
        )
        return latest_per_channel(await self._changes(query))

    async def history(self, account_number: str, limit: int = 50) -> list[ConsentChange]:
        """The account's changes, newest first."""
        query = (
            select(ConsentChangeRow)
            .where(ConsentChangeRow.account_number == account_number.strip())
            .order_by(*NEWEST_FIRST)
            .limit(limit)
        )
        return await self._changes(query)

    async def allows(self, account_number: str, channel: ConsentChannel, at: datetime) -> bool:
        """Whether an information mailing by ``channel`` may reach the account at ``at``:
        consent given then and not refused since."""
        query = (
            select(ConsentChangeRow.given)
            .where(
                ConsentChangeRow.account_number == account_number.strip(),
                ConsentChangeRow.channel == ConsentChannel(channel).value,
                ConsentChangeRow.at <= at,
            )
            .order_by(*NEWEST_FIRST)
            .limit(1)
        )
        async with self.database.session() as session:
            given = (await session.execute(query)).scalar_one_or_none()
        return given is True

    @staticmethod
    async def _latest(
        session: AsyncSession, account_number: str, channel: ConsentChannel
    ) -> ConsentChange | None:
        found = await session.execute(
            select(ConsentChangeRow)
            .where(
                ConsentChangeRow.account_number == account_number,
                ConsentChangeRow.channel == channel.value,
            )
            .order_by(*NEWEST_FIRST)
            .limit(1)
        )
        row = found.scalars().first()
        return None if row is None else _change(row)

    async def _changes(self, query: Any) -> list[ConsentChange]:
        async with self.database.session() as session:
            return [_change(row) for row in (await session.execute(query)).scalars()]


def _trimmed(change: ConsentChange) -> ConsentChange:
    return ConsentChange(
        account_number=change.account_number.strip(),
        channel=ConsentChannel(change.channel),
        given=change.given,
        at=change.at,
        source=" ".join(change.source.split()),
        changed_by=change.changed_by.strip(),
    )


def change_values(change: ConsentChange) -> dict[str, Any]:
    return {
        "account_number": change.account_number,
        "channel": change.channel.value,
        "given": change.given,
        "at": change.at,
        "source": change.source,
        "changed_by": change.changed_by,
    }


def _change(row: ConsentChangeRow) -> ConsentChange:
    return ConsentChange(
        account_number=row.account_number,
        channel=ConsentChannel(row.channel),
        given=row.given,
        at=row.at,
        source=row.source,
        changed_by=row.changed_by,
    )


async def consent_statuses(
    connection: AsyncConnection, account_numbers: Iterable[str], at: datetime
) -> dict[str, dict[ConsentChannel, ConsentStatus]]:
    """Each account's state of every channel at ``at`` (its latest change by then; "not
    asked" when none), read on the caller's connection, for many accounts at once."""
    wanted = sorted({number.strip() for number in account_numbers})
    statuses = {number: dict.fromkeys(ConsentChannel, ConsentStatus.NOT_ASKED) for number in wanted}
    changes = ConsentChangeRow
    for start in range(0, len(wanted), 500):
        rows = await connection.execute(
            select(changes.account_number, changes.channel, changes.given)
            .where(
                ConsentChangeRow.account_number.in_(wanted[start : start + 500]),
                ConsentChangeRow.at <= at,
            )
            .order_by(ConsentChangeRow.at, ConsentChangeRow.id)
        )
        for number, channel, given in rows:
            state = ConsentStatus.GIVEN if given else ConsentStatus.REFUSED
            statuses[number][ConsentChannel(channel)] = state
    return statuses
