"""``callgrid recordings …`` run as a supervisor runs them on the engine's machine:
what they show and change, and that each is in the audit log."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from callgrid.database import Database
from callgrid.web.audit import AuditEntry, AuditLog
from recordings.model import CallFacts
from recordings.storage import SqlRecordings
from tests.command import run_callgrid
from tests.recordings.indexed import indexed
from worktime.clock import system_clock

T = TypeVar("T")


def _with_database(tmp_path: Path, work: Callable[[SqlRecordings, Database], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'callgrid.db'}")
        await database.upgrade()
        try:
            return await work(SqlRecordings(database, AuditLog(database, system_clock)), database)
        finally:
            await database.close()

    return asyncio.run(run())


def _audit(tmp_path: Path) -> list[AuditEntry]:
    async def entries(_: SqlRecordings, database: Database) -> list[AuditEntry]:
        return (await AuditLog(database, system_clock).page(1, 100))[0]

    return _with_database(tmp_path, entries)


def _recordings(tmp_path: Path, ages_in_days: list[int]) -> list[int]:
    """Recordings of calls begun that many days ago, with their files."""
    directory = tmp_path / "var" / "recordings"

    async def add(index: SqlRecordings, _: Database) -> list[int]:
        now = datetime.now(UTC)
        made = []
        for number, days in enumerate(ages_in_days):
            made.append(
                await indexed(
                    index, directory, now - timedelta(days=days), caller_id=f"7913000000{number}"
                )
            )
        await index.call_ended(
            made[0], CallFacts(now, account_number="7001234567", operator="olga")
        )
        return made

    return _with_database(tmp_path, add)


def test_list_finds_by_account_and_number_and_is_audited(tmp_path: Path) -> None:
    first, second = _recordings(tmp_path, [1, 2])
    found = run_callgrid(tmp_path, "recordings", "list", "--account", "7001234567")
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith(f"#{first} ") and f"#{second} " not in found.stdout
    by_number = run_callgrid(tmp_path, "recordings", "list", "--number", "79130000001")
    assert f"#{second} " in by_number.stdout and f"#{first} " not in by_number.stdout
    (search, _) = [e for e in _audit(tmp_path) if e.action == "recording.search"]
    assert search.actor == getpass.getuser() and search.source == "command line"
    assert search.details == {"number": "79130000001"}


def test_show_names_the_file_and_is_audited(tmp_path: Path) -> None:
    (recording,) = _recordings(tmp_path, [3])
    shown = run_callgrid(tmp_path, "recordings", "show", str(recording))
    assert shown.returncode == 0, shown.stderr
    assert "sha256" in shown.stdout and "/var/recordings/" in shown.stdout
    assert [e.action for e in _audit(tmp_path)] == ["recording.viewed"]
    missing = run_callgrid(tmp_path, "recordings", "show", "999")
    assert missing.returncode == 1 and "no recording #999" in missing.stderr


def test_hold_keeps_a_recording_through_the_purge_until_released(tmp_path: Path) -> None:
    disputed, expired, fresh = _recordings(tmp_path, [70, 65, 5])
    no_reason = run_callgrid(tmp_path, "recordings", "hold", str(disputed), "--reason", "  ")
    assert no_reason.returncode == 1 and "say why" in no_reason.stderr
    held = run_callgrid(tmp_path, "recordings", "hold", str(disputed), "--reason", "жалоба 12")
    assert held.returncode == 0 and "HOLD" in held.stdout

    preview = run_callgrid(tmp_path, "recordings", "purge", "--dry-run")
    assert preview.stdout.startswith("would delete 1 expired recording(s)")
    assert "1 expired kept on hold" in preview.stdout
    purged = run_callgrid(tmp_path, "recordings", "purge")
    assert purged.stdout.startswith("deleted 1 expired recording(s)"), purged.stderr
    released = run_callgrid(tmp_path, "recordings", "release", str(disputed))
    assert released.returncode == 0 and "HOLD" not in released.stdout
    again = run_callgrid(tmp_path, "recordings", "release", str(disputed))
    assert again.returncode == 1 and "not on hold" in again.stderr
    assert run_callgrid(tmp_path, "recordings", "purge").stdout.startswith("deleted 1 ")

    left = run_callgrid(tmp_path, "recordings", "list").stdout
    assert f"#{fresh} " in left and f"#{disputed} " not in left and f"#{expired} " not in left
    actions = [e.action for e in _audit(tmp_path)]
    assert actions.count("recording.hold") == 1 and actions.count("recording.release") == 1


def test_check_reports_orphans_missing_files_and_changed_ones(tmp_path: Path) -> None:
    gone, changed, _ = _recordings(tmp_path, [1, 1, 2])
    clean = run_callgrid(tmp_path, "recordings", "check")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    directory = tmp_path / "var" / "recordings"

    async def paths(index: SqlRecordings, _: Database) -> list[str]:
        return [r.path for r in [await index.find(i) for i in (gone, changed)] if r]

    gone_path, changed_path = _with_database(tmp_path, paths)
    (directory / gone_path).unlink()
    with (directory / changed_path).open("r+b") as file:
        file.seek(100)
        file.write(b"\x7f\x7f")
    orphan = directory / Path(changed_path).parent / "left-behind.wav"
    orphan.write_bytes(b"RIFF")
    report = run_callgrid(tmp_path, "recordings", "check")
    assert report.returncode == 1
    assert "1 orphan files" in report.stdout and orphan.name in report.stdout
    assert "1 rows without their file" in report.stdout and gone_path in report.stdout
    assert "1 checksum mismatches" in report.stdout and changed_path in report.stdout


def test_grant_lets_one_operator_hear_a_call_and_is_audited(tmp_path: Path) -> None:
    (recording,) = _recordings(tmp_path, [1])
    granted = run_callgrid(
        tmp_path, "recordings", "grant", str(recording), "petr", "--reason", "жалоба"
    )
    assert granted.returncode == 0 and "petr may hear" in granted.stdout, granted.stderr
    again = run_callgrid(tmp_path, "recordings", "grant", str(recording), "petr", "--reason", "x")
    assert again.returncode == 1 and "already" in again.stderr
    missing = run_callgrid(tmp_path, "recordings", "grant", "999", "petr", "--reason", "x")
    assert missing.returncode == 1 and "no recording #999" in missing.stderr
    (entry,) = [e for e in _audit(tmp_path) if e.action == "recording.grant"]
    assert entry.details == {"to": "petr", "reason": "жалоба"} and entry.source == "command line"
