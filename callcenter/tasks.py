"""Work for a person with a deadline: messages, orders and callbacks the IVR leaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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


def new_callback(
    call_id: str | None,
    phone: str,
    line: str,
    topic: str | None,
    at: datetime,
    calendar: WorkingCalendar,
) -> NewTask:
    """A callback asked for at ``at``, due by the end of the working day (CC-5)."""
    return NewTask(
        kind=TaskKind.CALLBACK,
        call_id=call_id,
        phone=phone,
        line=line,
        subject=topic or CALLBACK_SUBJECT,
        created_at=at,
        due_at=callback_deadline(at, calendar, working_days=0),
    )


class CallbackBook(Protocol):
    async def request_callback(
        self, call_id: str | None, phone: str, line: str, topic: str | None, at: datetime
    ) -> int: ...


class TaskBook(CallbackBook, Protocol):
    """Where the IVR leaves work for people; a callback is one kind of it."""

    async def add(self, task: NewTask) -> int: ...

    async def for_call(self, call_id: str) -> list[Task]: ...
