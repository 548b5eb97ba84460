"""A simulated call to an engine on its own clock (``callgrid call --engine``) takes its
real length, so the record the engine keeps shows the call's true durations."""

from __future__ import annotations

from pathlib import Path

import pytest

from callgrid.database import Database
from ivr.content import IvrContent
from ivr.demo import DEMO_DAY
from ivr.simulation import SimulatedCall, place_call
from tests.conftest import running_ivr
from worktime.clock import RunningClock


@pytest.mark.parametrize("real_time", [True, False])
async def test_the_record_of_a_call_in_real_time_shows_its_length(
    ivr_content: IvrContent, tmp_path: Path, real_time: bool
) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    async with running_ivr(database, ivr_content, RunningClock(DEMO_DAY), tmp_path) as ivr:
        call = SimulatedCall(to="88002224902", keys="h")
        channel = await place_call(
            "127.0.0.1", ivr.port, call, ivr_content.library.directory, real_time=real_time
        )
        await ivr.server.drained(timeout=10)
        await ivr.call_log.flush()
        row = await ivr.call_log.find_by_uniqueid(channel.uniqueid)
    await database.close()
    assert row is not None and row.ended_at is not None
    stored = (row.ended_at - row.started_at).total_seconds()
    heard = channel.heard[-1].at
    assert heard > 2, "the recording notice alone lasts seconds"
    if real_time:
        assert stored == pytest.approx(heard, abs=0.5)
    else:
        assert stored < 0.5, "without pacing the engine's clock sees an instant call"
