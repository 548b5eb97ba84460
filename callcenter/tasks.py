"""Work the IVR leaves for people, with the standard's deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class TaskKind(StrEnum):
    ANSWERING_MACHINE = "answering_machine"
    """A message left out of hours: entered by the end of the next working day (IVR-10)."""
    PAID_SERVICE_ORDER = "paid_service_order"
    """An order: passed to the executor within 15 minutes, who calls within 3 days (IVR-14)."""


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


class TaskBook(Protocol):
    async def add(self, task: NewTask) -> int: ...
