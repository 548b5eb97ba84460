"""The fuzz suite: its counts in the terminal summary, and a database of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callgrid.database import Database
from tests.fuzz.tally import SEED, TRIED


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """An upgraded embedded database: fuzzing is about the input, not the backend."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'callgrid.db'}")
    await database.upgrade()
    yield database
    await database.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TRIED:
        return
    terminalreporter.section("fuzz inputs")
    for door, count in TRIED.items():
        terminalreporter.write_line(f"fuzz {door}: {count} inputs")
    terminalreporter.write_line(f"seed {SEED} (CALLGRID_FUZZ_SEED replays another)")
