"""Storing the contact center's data: outages (IVR-11), tasks and callback requests (CC-5)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from callcenter.outages import Outage, OutageKind
from callcenter.tables import CallbackRequestRow, OutageRow, TaskRow
from callcenter.tasks import NewTask
from callgrid.database import Database


class SqlCallbackBook:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def request_callback(
        self, call_id: str | None, phone: str, line: str, topic: str | None, at: datetime
    ) -> int:
        """Stored at once: the caller has just been told it is accepted."""
        row = CallbackRequestRow(
            call_id=call_id,
            phone=phone,
            line=line,
            topic=topic,
            requested_at=at,
            status="open",
            note="",
        )
        async with self.database.session() as session, session.begin():
            session.add(row)
        return row.id

    async def for_call(self, call_id: str) -> list[CallbackRequestRow]:
        async with self.database.session() as session:
            result = await session.execute(
                select(CallbackRequestRow).where(CallbackRequestRow.call_id == call_id)
            )
            return list(result.scalars())


class SqlOutages:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def replace_all(self, outages: list[Outage], now: datetime) -> int:
        """Every stored outage, those added over HTTP too, replaced by this list, in one
        transaction: all or nothing."""
        async with self.database.engine.begin() as connection:
            await connection.execute(delete(OutageRow))
            if outages:
                await connection.execute(
                    insert(OutageRow), [{**asdict(o), "created_at": now} for o in outages]
                )
        return len(outages)

    async def merge(self, outages: list[Outage], now: datetime) -> tuple[int, int]:
        """Add a dispatcher's list to the stored outages, in one transaction: all or nothing.

        An outage with the area, kind and start of a stored one updates its cause and
        restoration time instead of being added twice. Returns (added, updated).
        """
        added = updated = 0
        async with self.database.engine.begin() as connection:
            for outage in outages:
                result = await connection.execute(
                    update(OutageRow)
                    .where(
                        OutageRow.area == outage.area,
                        OutageRow.kind == outage.kind.value,
                        OutageRow.starts_at == outage.starts_at,
                    )
                    .values(cause=outage.cause, restore_at=outage.restore_at)
                )
                if result.rowcount:
                    updated += 1
                else:
                    await connection.execute(
                        insert(OutageRow), [{**asdict(outage), "created_at": now}]
                    )
                    added += 1
        return added, updated

    async def add(self, outage: Outage, now: datetime) -> None:
        async with self.database.engine.begin() as connection:
            await connection.execute(insert(OutageRow), [{**asdict(outage), "created_at": now}])

    async def current(self, area: str, now: datetime) -> list[Outage]:
        """Outages in ``area`` not yet over at ``now``, soonest first."""
        async with self.database.session() as session:
            rows = await session.execute(
                select(OutageRow)
                .where(OutageRow.area == area, OutageRow.restore_at > now)
                .order_by(OutageRow.starts_at)
            )
            return [
                Outage(r.area, OutageKind(r.kind), r.cause, r.starts_at, r.restore_at)
                for r in rows.scalars()
            ]

    async def areas(self, now: datetime) -> list[str]:
        async with self.database.session() as session:
            rows = await session.execute(
                select(OutageRow.area)
                .where(OutageRow.restore_at > now)
                .distinct()
                .order_by(OutageRow.area)
            )
            return list(rows.scalars())


class SqlTasks:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add(self, task: NewTask) -> int:
        """Stored at once: the caller is told the message or order is taken."""
        values = {**asdict(task), "kind": task.kind.value, "status": "open"}
        async with self.database.engine.begin() as connection:
            result = await connection.execute(insert(TaskRow).returning(TaskRow.id), values)
            return int(result.scalar_one())

    async def open_tasks(self, kind: str | None = None) -> list[TaskRow]:
        async with self.database.session() as session:
            query = select(TaskRow).where(TaskRow.status == "open").order_by(TaskRow.due_at)
            if kind is not None:
                query = query.where(TaskRow.kind == kind)
            return list((await session.execute(query)).scalars())
