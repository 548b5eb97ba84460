"""``callgrid recordings check``: the index and the files against each other.

It reports files no row names (orphans), rows whose file is gone, files whose SHA-256 is
not the one indexed, and zero-length recordings. It changes nothing. It reads one day's
folder at a time, so its memory does not grow with the archive.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from callgrid.database import Database
from recordings.model import RecordingState
from recordings.tables import RecordingRow
from recordings.wav_file import checksum

MAX_LISTED = 20


@dataclass
class CheckReport:
    files: int = 0
    rows: int = 0
    orphan_files: list[str] = field(default_factory=list)
    rows_without_file: list[str] = field(default_factory=list)
    checksum_mismatches: list[str] = field(default_factory=list)
    zero_length: int = 0

    @property
    def clean(self) -> bool:
        return not (self.orphan_files or self.rows_without_file or self.checksum_mismatches)


async def check_recordings(
    database: Database, directory: Path, *, verify_checksums: bool = True
) -> CheckReport:
    report = CheckReport()
    folders = await asyncio.to_thread(_day_folders, directory)
    for folder in folders:
        files = await asyncio.to_thread(_files_in, directory, folder)
        rows = await _rows_under(database, folder)
        report.files += len(files)
        report.rows += len(rows)
        for name in sorted(files - rows.keys()):
            report.orphan_files.append(name)
        for name, (state, sha256) in sorted(rows.items()):
            if state == RecordingState.EMPTY.value:
                report.zero_length += 1
            if state in (RecordingState.MISSING.value, RecordingState.RECORDING.value):
                continue
            if name not in files:
                report.rows_without_file.append(name)
            elif (
                verify_checksums
                and sha256
                and sha256 != await asyncio.to_thread(checksum, directory / name)
            ):
                report.checksum_mismatches.append(name)
    report.rows += await _rows_elsewhere(database, report, set(folders))
    return report


def _day_folders(directory: Path) -> list[str]:
    """The ``YYYY/MM/DD`` folders under ``directory``, relative."""
    if not directory.is_dir():
        return []
    return sorted(
        d.relative_to(directory).as_posix() for d in directory.glob("*/*/*") if d.is_dir()
    )


def _files_in(directory: Path, folder: str) -> set[str]:
    return {f"{folder}/{f.name}" for f in (directory / folder).iterdir() if f.is_file()}


async def _rows_under(database: Database, folder: str) -> dict[str, tuple[str, str | None]]:
    query = select(RecordingRow.path, RecordingRow.state, RecordingRow.sha256).where(
        RecordingRow.path.startswith(folder + "/", autoescape=True)
    )
    async with database.session() as session:
        return {path: (state, sha) for path, state, sha in await session.execute(query)}


async def _rows_elsewhere(database: Database, report: CheckReport, folders: set[str]) -> int:
    """Rows of days that have no folder at all: their files went with the folder."""
    query = select(RecordingRow.path, RecordingRow.state).where(
        RecordingRow.state.in_([RecordingState.STORED.value, RecordingState.EMPTY.value])
    )
    found = 0
    async with database.session() as session:
        result = await session.stream(query.execution_options(yield_per=1000))
        async for path, state in result:
            if path.rpartition("/")[0] not in folders:
                found += 1
                report.rows_without_file.append(path)
                if state == RecordingState.EMPTY.value:
                    report.zero_length += 1
    return found
