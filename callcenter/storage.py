"""Storing the contact center's data: outages (IVR-11) and tasks, callbacks (CC-5) among them."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, insert, or_, select, update

from callcenter.outages import Outage, OutageKind
from callcenter.tables import OutageRow, TaskRow
from callcenter.tasks import DONE, OPEN, NewTask, Task, TaskKind, new_callback
from callgrid.database import Database
from worktime.calendar import WorkingCalendar


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
    """The one store of work for people: messages, orders and callbacks."""

    def __init__(self, database: Database, calendar: WorkingCalendar) -> None:
        self.database = database
        self.calendar = calendar

    async def add(self, task: NewTask) -> int:
        """Stored at once: the caller is told the message, order or callback is taken."""
        values = {**asdict(task), "kind": task.kind.value, "status": OPEN}
        async with self.database.engine.begin() as connection:
            result = await connection.execute(insert(TaskRow).returning(TaskRow.id), values)
            return int(result.scalar_one())

    async def request_callback(
        self, call_id: str | None, phone: str, line: str, topic: str | None, at: datetime
    ) -> int:
        return await self.add(new_callback(call_id, phone, line, topic, at, self.calendar))

    async def open_tasks(self, kind: str | None = None) -> list[Task]:
        """Open tasks, the soonest due first."""
        query = select(TaskRow).where(TaskRow.status == OPEN).order_by(TaskRow.due_at, TaskRow.id)
        if kind is not None:
            query = query.where(TaskRow.kind == kind)
        return await self._tasks(query)

    async def open_for(self, login: str) -> list[Task]:
        """The open tasks an operator may take: theirs and anyone's, the soonest due first."""
        return await self._tasks(
            select(TaskRow)
            .where(
                TaskRow.status == OPEN,
                or_(TaskRow.owner == login, TaskRow.owner.is_(None)),
            )
            .order_by(TaskRow.due_at, TaskRow.id)
        )

    async def get(self, task_id: int) -> Task | None:
        found = await self._tasks(select(TaskRow).where(TaskRow.id == task_id))
        return found[0] if found else None

    async def done(self, task_id: int, login: str, at: datetime) -> Task:
        """Mark the task done by ``login``; TaskError when it is not open (any more)."""
        async with self.database.engine.begin() as connection:
            result = await connection.execute(
                update(TaskRow)
                .where(TaskRow.id == task_id, TaskRow.status == OPEN)
                .values(status=DONE, done_at=at, done_by=login[:64])
            )
            if result.rowcount != 1:
                raise TaskError(f"task {task_id} is not open")
        task = await self.get(task_id)
        assert task is not None
        return task

    async def note(self, task_id: int, details: dict[str, Any]) -> None:
        """Add to a task's details (a callback's calls placed)."""
        async with self.database.session() as session, session.begin():
            row = await session.get(TaskRow, task_id)
            if row is not None:
                row.details = {**row.details, **details}

    async def open_for_account(self, account_number: str) -> list[Task]:
        """The account's open tasks, the soonest due first (its card shows them)."""
        return await self._tasks(
            select(TaskRow)
            .where(TaskRow.account_number == account_number, TaskRow.status == OPEN)
            .order_by(TaskRow.due_at, TaskRow.id)
        )

    async def for_call(self, call_id: str) -> list[Task]:
        """The tasks a call left, in the order they were made."""
        return await self._tasks(
            select(TaskRow).where(TaskRow.call_id == call_id).order_by(TaskRow.id)
        )

    async def _tasks(self, query: Select[TaskRow]) -> list[Task]:
        async with self.database.session() as session:
            return [_task(row) for row in (await session.execute(query)).scalars()]


class TaskError(ValueError):
    """A change to a task that cannot be made; the message says why."""


def _task(row: TaskRow) -> Task:
    return Task(
        id=row.id,
        kind=TaskKind(row.kind),
        call_id=row.call_id,
        phone=row.phone,
        line=row.line,
        subject=row.subject,
        created_at=row.created_at,
        due_at=row.due_at,
        follow_up_due_at=row.follow_up_due_at,
        account_number=row.account_number,
        recording=row.recording,
        transcript=row.transcript,
        details=row.details,
        status=row.status,
        owner=row.owner,
        done_at=row.done_at,
        done_by=row.done_by,
    )


"""The former name of :class:`SqlTasks`, where callbacks were kept apart."""
