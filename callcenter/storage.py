"""Storing the contact center's data: outages (IVR-11) and tasks, callbacks (CC-5) among them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select, update

from callcenter.outages import Outage, OutageKind
from callcenter.tables import OutageRow, TaskRow
from callcenter.tasks import (
    CALLING,
    CONNECTED,
    DONE,
    LEFT_FOR_DESK,
    OPEN,
    PLACE,
    WAITING,
    NewTask,
    QueuePlace,
    Task,
    TaskKind,
    new_callback,
)
from callgrid.database import Database
from callgrid.events import EventHub
from worktime.calendar import WorkingCalendar

KEPT_PLACES_TOPIC = "callcenter.kept_places"
"""A callback took, changed or left a kept queue place (the wallboard counts them)."""


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

    def __init__(
        self, database: Database, calendar: WorkingCalendar, events: EventHub | None = None
    ) -> None:
        self.database = database
        self.calendar = calendar
        self.events = events
        """Told of every change of a kept place (:data:`KEPT_PLACES_TOPIC`)."""

    async def add(self, task: NewTask) -> int:
        """Stored at once: the caller is told the message, order or callback is taken."""
        values = {**asdict(task), "kind": task.kind.value, "status": OPEN}
        async with self.database.engine.begin() as connection:
            result = await connection.execute(insert(TaskRow).returning(TaskRow.id), values)
            return int(result.scalar_one())

    async def request_callback(
        self,
        call_id: str | None,
        phone: str,
        line: str,
        topic: str | None,
        at: datetime,
        place: QueuePlace | None = None,
    ) -> int:
        callback = new_callback(call_id, phone, line, topic, at, self.calendar, place)
        task_id = await self.add(callback)
        if place is not None:
            self._kept_changed(place.queue)
        return task_id

    async def kept_places(self) -> list[Task]:
        """Open callbacks keeping a queue place (waiting or being dialled), in the order
        their callers joined the queue."""
        found = [task for task in await self.open_tasks(TaskKind.CALLBACK) if task.keeps_place]
        return sorted(found, key=lambda task: (_joined(task), task.id))

    async def kept_per_queue(self) -> dict[str, int]:
        """How many open callbacks keep a place (waiting or being dialled) in each queue,
        counted by the database: the wallboard asks at every change."""
        queue = TaskRow.details[(PLACE, "queue")].as_string()
        state = TaskRow.details[(PLACE, "state")].as_string()
        async with self.database.session() as session:
            rows = await session.execute(
                select(queue, func.count())
                .where(
                    TaskRow.status == OPEN,
                    TaskRow.kind == TaskKind.CALLBACK.value,
                    state.in_((WAITING, CALLING)),
                )
                .group_by(queue)
            )
            return {str(name): int(count) for name, count in rows.all()}

    async def claim_place(
        self, task_id: int, owner: str, login: str, now: datetime, lease: timedelta
    ) -> Task | None:
        """The callback, now being dialled to ``login`` by ``owner`` until the lease ends;
        None when it is not due (another process holds it, or it is no longer waiting).

        The row is locked while it is read and written (FOR UPDATE SKIP LOCKED on
        PostgreSQL), so two processes never claim one place at once."""

        def claim(place: QueuePlace) -> QueuePlace | None:
            return place.claimed(owner, login, now, lease) if place.due(now) else None

        if not await self._change_place(task_id, claim, skip_locked=True):
            return None
        return await self.get(task_id)

    async def take_place(self, task_id: int, login: str, now: datetime) -> bool:
        """Take a callback out of its kept place for good, for ``login`` to dial it by
        hand: it is left for the desk with the operator noted, and no engine process
        dials it any more. False when it keeps no place (nothing to take); TaskError
        while an engine process dials it (its claim holds). The row is locked as
        :meth:`claim_place` locks it (waiting for a claim in progress, on PostgreSQL),
        so the desk and the engine never both take one place."""

        def take(place: QueuePlace) -> QueuePlace | None:
            if place.dialling(now):
                raise TaskError(
                    f"task {task_id} is being dialled to {place.operator} by the engine now: "
                    "try again when that call is over"
                )
            if place.state not in (WAITING, CALLING):
                return None
            return replace(
                place, state=LEFT_FOR_DESK, operator=login, lease_by=None, lease_until=None
            )

        return await self._change_place(task_id, take, skip_locked=False)

    async def _change_place(
        self,
        task_id: int,
        change: Callable[[QueuePlace], QueuePlace | None],
        *,
        skip_locked: bool,
    ) -> bool:
        """Change an open task's kept place as ``change`` says (None: leave it), the row
        locked while it is read and written; False when nothing was changed."""
        async with self.database.session() as session, session.begin():
            query = select(TaskRow).where(TaskRow.id == task_id, TaskRow.status == OPEN)
            if not self.database.is_sqlite:
                query = query.with_for_update(skip_locked=skip_locked)
            row = (await session.execute(query)).scalar_one_or_none()
            place = None if row is None else QueuePlace.from_details(row.details.get(PLACE))
            changed = None if row is None or place is None else change(place)
            if row is None or changed is None:
                return False
            row.details = {**row.details, PLACE: changed.to_details()}
        self._kept_changed(changed.queue)
        return True

    async def move_place(self, task_id: int, owner: str, place: QueuePlace) -> bool:
        """Store what became of a claimed place; False when ``owner`` no longer holds it
        (its lease ran out and another process took it)."""
        async with self.database.session() as session, session.begin():
            query = select(TaskRow).where(TaskRow.id == task_id)
            if not self.database.is_sqlite:
                query = query.with_for_update()
            row = (await session.execute(query)).scalar_one_or_none()
            held = None if row is None else QueuePlace.from_details(row.details.get(PLACE))
            if row is None or held is None or held.lease_by != owner:
                return False
            row.details = {**row.details, PLACE: place.to_details()}
            if place.state == CONNECTED and place.operator is not None:
                row.owner = place.operator[:64]  # the task is the operator's who talked
        self._kept_changed(place.queue)
        return True

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
        if task.place is not None and task.place.state in (WAITING, CALLING):
            self._kept_changed(task.place.queue)  # done while it kept its place
        return task

    async def note(self, task_id: int, details: dict[str, Any]) -> None:
        """Add to a task's details (a callback's calls placed)."""
        async with self.database.session() as session, session.begin():
            row = await session.get(TaskRow, task_id, with_for_update=not self.database.is_sqlite)
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

    def _kept_changed(self, queue: str) -> None:
        if self.events is not None:
            self.events.publish(KEPT_PLACES_TOPIC, queue=queue)


def _joined(task: Task) -> datetime:
    place = task.place
    assert place is not None
    return place.joined_at


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
