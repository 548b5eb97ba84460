"""A purge killed (``kill -9``) at random points leaves neither an orphan file nor a row
offered without its file; the next purge finishes the work (REC-2)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from callgrid.database import Database
from recordings.model import RecordingState
from recordings.tables import RecordingRow
from tests.fuzz.tally import SEED
from tests.recordings.indexed import write_wav

RECORDINGS = 1500
EXPIRED = 1200
ROUNDS = 4


async def _fill(database: Database, directory: Path) -> None:
    """Recordings of 2026: the first ``EXPIRED`` past their term now, the rest not."""
    now = datetime.now(UTC)
    rows = []
    for number in range(RECORDINGS):
        call_id = uuid.uuid4().hex
        path = f"2026/09/01/{call_id}.wav"
        write_wav(directory / path, 0.001)
        due = now - timedelta(days=1) if number < EXPIRED else now + timedelta(days=30)
        rows.append(
            {
                "call_id": call_id,
                "uniqueid": f"1790000000.{number}",
                "path": path,
                "file_format": "wav",
                "state": RecordingState.STORED.value,
                "started_at": due - timedelta(days=60),
                "delete_after": due,
                "line": "households",
                "dialled_number": "88002224902",
                "caller_id": "79001234567",
                "size_bytes": 60,
            }
        )
    async with database.engine.begin() as connection:
        await connection.execute(insert(RecordingRow), rows)


async def _rows(database: Database) -> dict[str, str]:
    async with database.session() as session:
        found = await session.execute(select(RecordingRow.path, RecordingRow.state))
        return {path: state for path, state in found}


def _files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*.wav")}


async def _count(database: Database) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count(RecordingRow.id)))).scalar_one())


async def _purge(database: Database, var_dir: Path, kill_after_deleting: int | None) -> int:
    """``callgrid recordings purge``; killed once it has deleted that many rows (and a
    random few ms more), or run to its end. Its exit code (-9 when killed)."""
    env = {
        **os.environ,
        "CALLGRID_VAR_DIR": str(var_dir),
        "CALLGRID_DATABASE_URL": database.url,
        "CALLGRID_RECORDING_PURGE_BATCH": "20",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "callgrid",
        "recordings",
        "purge",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    if kill_after_deleting is not None:
        before = await _count(database)
        while process.returncode is None and before - await _count(database) < kill_after_deleting:  # noqa: ASYNC110 (another process)
            await asyncio.sleep(0.002)
        await asyncio.sleep(random.uniform(0, 0.03))
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
    _, errors = await process.communicate()
    assert process.returncode in (0, -signal.SIGKILL), errors.decode()
    return process.returncode


async def test_a_purge_killed_anywhere_leaves_files_and_rows_consistent(
    database: Database, tmp_path: Path
) -> None:
    random.seed(SEED)
    directory = tmp_path / "recordings"
    await _fill(database, directory)
    kills = 0
    for _ in range(ROUNDS):
        code = await _purge(database, tmp_path, kill_after_deleting=random.randint(1, 200))
        kills += code == -signal.SIGKILL
        rows, files = await _rows(database), _files(directory)
        assert files <= rows.keys(), f"orphan files: {sorted(files - rows.keys())[:3]}"
        offered = {path for path, state in rows.items() if state != RecordingState.PURGING}
        assert offered <= files, f"rows without their file: {sorted(offered - files)[:3]}"
    assert kills, "no purge was killed in the middle: the test proved nothing"

    assert await _purge(database, tmp_path, kill_after_deleting=None) == 0
    rows, files = await _rows(database), _files(directory)
    assert len(rows) == RECORDINGS - EXPIRED and set(rows.values()) == {RecordingState.STORED}
    assert files == rows.keys()
