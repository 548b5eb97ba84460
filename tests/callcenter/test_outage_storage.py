"""Storing a dispatcher's list of outages: merged by default, replaced on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.outages import Outage, OutageKind
from callcenter.storage import SqlOutages
from callgrid.database import Database
from worktime.clock import DEFAULT_ZONE

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
START = datetime(2026, 11, 27, 10, 0, tzinfo=DEFAULT_ZONE)


def _outage(area: str, cause: str = "замена опоры", hours: int = 4) -> Outage:
    return Outage(area, OutageKind.PLANNED, cause, START, START + timedelta(hours=hours))


async def test_a_merge_adds_new_outages_and_updates_the_same_ones(database: Database) -> None:
    board = SqlOutages(database)
    await board.add(_outage("Кировский район"), NOW)  # as POST /api/outages stores one
    added, updated = await board.merge(
        [_outage("Кировский район", "замена опоры и провода", 6), _outage("Томский район")], NOW
    )
    assert (added, updated) == (1, 1)
    (kirovsky,) = await board.current("Кировский район", NOW)
    assert kirovsky.cause == "замена опоры и провода"
    assert kirovsky.restore_at == START + timedelta(hours=6)
    assert await board.areas(NOW) == ["Кировский район", "Томский район"]


async def test_an_emergency_at_the_same_time_is_another_outage(database: Database) -> None:
    board = SqlOutages(database)
    await board.merge([_outage("Кировский район")], NOW)
    emergency = Outage(
        "Кировский район", OutageKind.EMERGENCY, "обрыв провода", START, START + timedelta(hours=2)
    )
    assert await board.merge([emergency], NOW) == (1, 0)


async def test_replace_all_drops_what_was_stored(database: Database) -> None:
    board = SqlOutages(database)
    await board.add(_outage("Кировский район"), NOW)
    assert await board.replace_all([_outage("Томский район")], NOW) == 1
    assert await board.areas(NOW) == ["Томский район"]
