"""The emergency mode (CC-2): while a supervisor has it on, a caller may wait 3 minutes
for an operator instead of 40 s; past the wait they are offered a callback or the
answering machine, never left waiting without end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from callcenter.tables import SwitchRow
from callgrid.database import Database
from worktime.clock import Clock

EMERGENCY = "emergency"
FRESH_FOR = timedelta(seconds=5)
"""How long a process trusts its last reading of the switch (others may set it)."""


@dataclass(frozen=True)
class SwitchState:
    on: bool
    set_by: str = ""
    set_at: datetime | None = None


class EmergencyMode:
    def __init__(
        self, database: Database, clock: Clock, answer_seconds: int, emergency_seconds: int
    ) -> None:
        self.database = database
        self.clock = clock
        self.answer_seconds = answer_seconds
        self.emergency_seconds = emergency_seconds
        self._read: tuple[datetime, SwitchState] | None = None

    async def state(self) -> SwitchState:
        now = self.clock()
        if self._read is not None and now - self._read[0] < FRESH_FOR:
            return self._read[1]
        async with self.database.session() as session:
            row = await session.get(SwitchRow, EMERGENCY)
        state = (
            SwitchState(False) if row is None else SwitchState(row.is_on, row.set_by, row.set_at)
        )
        self._read = (now, state)
        return state

    async def set(self, on: bool, login: str) -> SwitchState:
        now = self.clock()
        async with self.database.session() as session, session.begin():
            row = await session.get(SwitchRow, EMERGENCY)
            if row is None:
                session.add(SwitchRow(name=EMERGENCY, is_on=on, set_by=login[:64], set_at=now))
            else:
                row.is_on, row.set_by, row.set_at = on, login[:64], now
        self._read = (now, SwitchState(on, login, now))
        return self._read[1]

    async def queue_wait(self, tree_wait: int) -> int:
        """How long a caller waits for an operator now: the answer limit (40 s), or the
        emergency one (3 min), never longer than the menu tree allows outside one."""
        if (await self.state()).on:
            return self.emergency_seconds
        return min(tree_wait, self.answer_seconds)
