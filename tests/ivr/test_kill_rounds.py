"""``kill -9`` of a real engine process under 50 live calls, then a restart, five times:
no call left open, no reading or callback lost that a caller was told was taken, nothing
stored twice, and only records queued in the last moments before the kill lost."""

from __future__ import annotations

from pathlib import Path

from bench.engine_process import EngineSetup
from bench.kill_rounds import RoundPlan, kill_rounds, table
from callgrid.database import Database
from ivr.content import IvrContent

PLAN = RoundPlan(calls=50, rounds=5)


async def test_five_kills_under_50_live_calls_lose_nothing_a_caller_was_told_was_taken(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> None:
    setup = EngineSetup(tmp_path, database.url, prompts_dir=ivr_content.library.directory)
    rounds = await kill_rounds(setup, database, PLAN)
    print(f"\nkill -9 under {PLAN.calls} live calls on {database.engine.dialect.name}:")
    print("\n".join(table(rounds)))

    assert len(rounds) == PLAN.rounds
    for r in rounds:
        f = r.figures
        assert r.exit_code == -9
        # most callers mid-call: some are between two calls, more on a loaded machine
        assert f.live_at_kill >= PLAN.calls * 0.7, "the engine was killed under load"
        assert f.open_rows == 0, "the restarted engine closed every call left open"
        assert f.readings_lost == 0, "readings a caller heard accepted were stored"
        assert f.callbacks_lost == 0, "callbacks a caller heard taken were stored"
        assert f.duplicates == 0, "no call, reading or callback stored twice"
        assert f.closed_out_of_range == 0, "interrupted calls closed when last seen alive"
        # Only records queued in the last window (the writer's gather interval and the
        # wait for the database) may be lost.
        assert f.ends_lost_beyond_window == 0 and f.starts_lost_beyond_window == 0
        assert f.ends_lost <= f.ended_in_window
        assert f.interrupted + f.starts_lost <= f.live_at_kill
    assert sum(r.figures.readings_confirmed for r in rounds) >= PLAN.rounds * PLAN.confirmations
    assert sum(r.figures.callbacks_confirmed for r in rounds) >= PLAN.rounds * PLAN.confirmations
