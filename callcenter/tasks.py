"""Work for a person with a deadline: messages, orders and callbacks the IVR leaves."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from worktime.calendar import WorkingCalendar, callback_deadline

CALLBACK_SUBJECT = "Обратный звонок"
"""A callback's subject when the caller chose no topic before asking for it."""
OPEN = "open"
"""A task's status until someone has done the work."""
DONE = "done"


class TaskKind(StrEnum):
    ANSWERING_MACHINE = "answering_machine"
    """A message left out of hours: entered by the end of the next working day (IVR-10)."""
    PAID_SERVICE_ORDER = "paid_service_order"
    """An order: passed to the executor within 15 minutes, who calls within 3 days (IVR-14)."""
    CALLBACK = "callback"
    """A caller to call back within the working day (CC-5)."""


@dataclass(frozen=True)
class NewTask:
    kind: TaskKind
    call_id: str | None
    phone: str
    line: str
    subject: str
    created_at: datetime
    due_at: datetime
    follow_up_due_at: datetime | None = None
    account_number: str | None = None
    recording: str | None = None
    transcript: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    """The operator it is for (a callback they promised); None: anyone's."""


@dataclass(frozen=True, kw_only=True)
class Task(NewTask):
    """A stored task."""

    id: int
    status: str
    done_at: datetime | None = None
    done_by: str | None = None

    def overdue(self, now: datetime) -> bool:
        return self.status == OPEN and self.due_at < now

    @property
    def place(self) -> QueuePlace | None:
        """The queue place a callback keeps; None for any other task."""
        return QueuePlace.from_details(self.details.get(PLACE))

    @property
    def keeps_place(self) -> bool:
        """An open callback still waiting its turn in a queue (or being dialled)."""
        place = self.place
        return self.status == OPEN and place is not None and place.state in (WAITING, CALLING)


def new_callback(
    call_id: str | None,
    phone: str,
    line: str,
    topic: str | None,
    at: datetime,
    calendar: WorkingCalendar,
    place: QueuePlace | None = None,
) -> NewTask:
    """A callback asked for at ``at``, due by the end of the working day (CC-5); asked
    for while waiting in a queue, it keeps the caller's ``place`` there."""
    return NewTask(
        kind=TaskKind.CALLBACK,
        call_id=call_id,
        phone=phone,
        line=line,
        subject=topic or CALLBACK_SUBJECT,
        created_at=at,
        due_at=callback_deadline(at, calendar, working_days=0),
        details={} if place is None else {PLACE: place.to_details()},
    )


PLACE = "place"
"""The details' key of a callback's kept queue place."""
WAITING = "waiting"
"""A kept place waiting its turn: released when an operator of the queue frees up."""
CALLING = "calling"
"""Claimed by an engine process, which is dialling it, until ``lease_until``."""
CONNECTED = "connected"
"""The operator and the customer were put through; the task is the operator's."""
LEFT_FOR_DESK = "left_for_desk"
"""Every attempt failed: an ordinary callback for the desk."""


@dataclass(frozen=True)
class QueuePlace:
    """Where a caller who asked for a callback while waiting stood in a queue (CC-5):
    released in the order of ``joined_at`` with the queue's live callers."""

    queue: str
    joined_at: datetime
    state: str = WAITING
    attempts: int = 0
    next_try_at: datetime | None = None
    operator: str | None = None
    lease_by: str | None = None
    lease_until: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Waiting with no retry interval left, or claimed by a process whose lease ran out."""
        if self.state == WAITING:
            return self.next_try_at is None or self.next_try_at <= now
        return self.state == CALLING and (self.lease_until is None or self.lease_until <= now)

    def dialling(self, now: datetime) -> bool:
        return self.state == CALLING and self.lease_until is not None and self.lease_until > now

    def claimed(self, owner: str, login: str, now: datetime, lease: timedelta) -> QueuePlace:
        return replace(
            self, state=CALLING, attempts=self.attempts + 1, operator=login,
            lease_by=owner, lease_until=now + lease,
        )  # fmt: skip

    def connected(self) -> QueuePlace:
        return replace(self, state=CONNECTED, lease_by=None, lease_until=None)

    def failed(self, now: datetime, retry: timedelta, attempts: int) -> QueuePlace:
        """Back to the kept place after ``retry``, or left for the desk after ``attempts``."""
        state = LEFT_FOR_DESK if self.attempts >= attempts else WAITING
        return replace(
            self, state=state, next_try_at=now + retry, operator=None,
            lease_by=None, lease_until=None,
        )  # fmt: skip

    def to_details(self) -> dict[str, Any]:
        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "queue": self.queue, "joined_at": moment(self.joined_at), "state": self.state,
            "attempts": self.attempts, "next_try_at": moment(self.next_try_at),
            "operator": self.operator, "lease_by": self.lease_by,
            "lease_until": moment(self.lease_until),
        }  # fmt: skip

    @classmethod
    def from_details(cls, data: object) -> QueuePlace | None:
        if not isinstance(data, dict) or "queue" not in data or "joined_at" not in data:
            return None

        def moment(key: str) -> datetime | None:
            value = data.get(key)
            return None if value is None else datetime.fromisoformat(value)

        joined = moment("joined_at")
        assert joined is not None
        return cls(
            queue=str(data["queue"]), joined_at=joined, state=str(data.get("state", WAITING)),
            attempts=int(data.get("attempts", 0)), next_try_at=moment("next_try_at"),
            operator=data.get("operator"), lease_by=data.get("lease_by"),
            lease_until=moment("lease_until"),
        )  # fmt: skip


class CallbackBook(Protocol):
    async def request_callback(
        self,
        call_id: str | None,
        phone: str,
        line: str,
        topic: str | None,
        at: datetime,
        place: QueuePlace | None = None,
    ) -> int: ...


class TaskBook(CallbackBook, Protocol):
    """Where the IVR leaves work for people; a callback is one kind of it."""

    async def add(self, task: NewTask) -> int: ...

    async def for_call(self, call_id: str) -> list[Task]: ...
