"""``callgrid recordings list|show|hold|release|grant|purge|check``.

What a command shows or changes is written to the audit log as the web's accesses are,
by the system user who ran it, from the ``command line``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TypeVar

from callgrid.database import Database
from callgrid.plugins import Commands
from callgrid.settings import Settings
from callgrid.web.audit import COMMAND_LINE, AuditLog
from recordings.check import MAX_LISTED, CheckReport, check_recordings
from recordings.grants import RecordingGrants
from recordings.model import Recording
from recordings.purge import Purge, PurgeFigures
from recordings.purge_lock import PurgeBusy
from recordings.settings import RecordingSettings
from recordings.storage import Actor, RecordingError, RecordingQuery, SqlRecordings
from worktime.clock import system_clock

T = TypeVar("T")


def add_commands(commands: Commands) -> None:
    recordings = commands.add_parser("recordings", help="call recordings: find, hold, purge")
    sub = recordings.add_subparsers(dest="recordings_command", required=True)
    found = sub.add_parser("list", help="recordings, newest first (audited)")
    found.add_argument("--account", default="")
    found.add_argument("--number", default="", help="the caller's or the dialled number")
    found.add_argument("--operator", default="", help="the operator's login")
    found.add_argument("--topic", default="")
    found.add_argument("--outcome", default="")
    found.add_argument("--since", type=date.fromisoformat, help="local date, 2026-12-01")
    found.add_argument("--until", type=date.fromisoformat, help="local date, inclusive")
    found.add_argument("--limit", type=int, default=50)
    found.set_defaults(run=_list)
    show = sub.add_parser("show", help="one recording's index row (audited)")
    show.add_argument("id", type=int)
    show.set_defaults(run=_show)
    hold = sub.add_parser("hold", help="keep a recording past its term (legal hold)")
    hold.add_argument("id", type=int)
    hold.add_argument("--reason", required=True, help="a complaint, a disputed notice…")
    hold.set_defaults(run=_hold)
    release = sub.add_parser("release", help="lift a legal hold")
    release.add_argument("id", type=int)
    release.set_defaults(run=_release)
    grant = sub.add_parser("grant", help="let an operator hear a recording of another's call")
    grant.add_argument("id", type=int)
    grant.add_argument("login", help="the operator's login")
    grant.add_argument("--reason", required=True)
    grant.set_defaults(run=_grant)
    purge = sub.add_parser("purge", help="delete expired recordings, file and row together")
    purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    purge.set_defaults(run=_purge)
    check = sub.add_parser(
        "check", help="orphan files, rows without files, checksum mismatches, empty ones"
    )
    check.add_argument("--no-checksums", action="store_true", help="skip reading every file")
    check.set_defaults(run=_check)


def _actor() -> Actor:
    return Actor(getpass.getuser(), COMMAND_LINE)


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            return await work(database)
        finally:
            await database.close()

    return asyncio.run(run())


def _index(database: Database) -> SqlRecordings:
    return SqlRecordings(database, AuditLog(database, system_clock))


def describe(recording: Recording, zone: tzinfo) -> str:
    start = recording.started_at.astimezone(zone).strftime("%d.%m.%Y %H:%M:%S")
    seconds = "—" if recording.duration_seconds is None else f"{recording.duration_seconds:.1f} s"
    hold = "  HOLD" if recording.on_hold else ""
    return (
        f"#{recording.id:<6} {start}  {seconds:>8}  {recording.state:<9} "
        f"{recording.caller_id or '—'} → {recording.dialled_number}  "
        f"account {recording.account_number or '—'}  operator {recording.operator or '—'}  "
        f"{recording.topic or '—'}  {recording.outcome or '—'}{hold}"
    )


def _list(args: argparse.Namespace, settings: Settings) -> int:
    zone = settings.zone

    def moment(day: date | None, after: int = 0) -> datetime | None:
        return None if day is None else datetime.combine(day + timedelta(after), time(0), zone)

    query = RecordingQuery(
        account_number=args.account,
        number=args.number,
        operator=args.operator,
        topic=args.topic,
        outcome=args.outcome,
        since=moment(args.since),
        until=moment(args.until, 1),
    )

    async def work(database: Database) -> list[Recording]:
        found, _ = await _index(database).search(query, size=max(args.limit, 1))
        filters = {k: v for k, v in vars(args).items() if k in query.__dict__ and v}
        await AuditLog(database, system_clock).record(
            "recording.search",
            actor=_actor().login,
            source=COMMAND_LINE,
            subject_kind="recording",
            details={key: str(value) for key, value in filters.items()},
        )
        return found

    for recording in _with_database(settings, work):
        print(describe(recording, zone))
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> Recording | None:
        found = await _index(database).find(args.id)
        if found is not None:
            await AuditLog(database, system_clock).record(
                "recording.viewed",
                actor=_actor().login,
                source=COMMAND_LINE,
                subject_kind="recording",
                subject_id=args.id,
            )
        return found

    recording = _with_database(settings, work)
    if recording is None:
        print(f"callgrid: no recording #{args.id}", file=sys.stderr)
        return 1
    directory = Path(settings.of(RecordingSettings).recordings_dir)
    for name, value in recording.__dict__.items():
        print(f"{name:<17} {value if value is not None else '—'}")
    print(f"{'file':<17} {directory / recording.path}")
    return 0


def _change_hold(args: argparse.Namespace, settings: Settings, hold: bool) -> int:
    async def work(database: Database) -> Recording:
        index = _index(database)
        if hold:
            return await index.hold(args.id, args.reason, _actor(), system_clock())
        return await index.release(args.id, _actor())

    try:
        recording = _with_database(settings, work)
    except RecordingError as error:
        print(f"callgrid: {error}", file=sys.stderr)
        return 1
    print(describe(recording, settings.zone))
    return 0


def _hold(args: argparse.Namespace, settings: Settings) -> int:
    return _change_hold(args, settings, hold=True)


def _release(args: argparse.Namespace, settings: Settings) -> int:
    return _change_hold(args, settings, hold=False)


def _grant(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> None:
        grants = RecordingGrants(database, AuditLog(database, system_clock))
        await grants.grant(args.id, args.login, args.reason, _actor(), system_clock())

    try:
        _with_database(settings, work)
    except RecordingError as error:
        print(f"callgrid: {error}", file=sys.stderr)
        return 1
    print(f"{args.login} may hear recording #{args.id}")
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    section = settings.of(RecordingSettings)

    async def work(database: Database) -> PurgeFigures:
        directory = Path(section.recordings_dir)
        audit = AuditLog(database, system_clock)
        purge = Purge(database, directory, system_clock, section.recording_purge_batch, audit)
        if args.dry_run:
            return await purge.preview()
        return await purge.run(by=_actor().login)

    try:
        figures = _with_database(settings, work)
    except PurgeBusy as error:
        print(f"callgrid: {error}; try again once it is over", file=sys.stderr)
        return 1
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"{verb} {figures.deleted} expired recording(s), {figures.freed_bytes} bytes; "
        f"{figures.held} expired kept on hold"
        + (f"; {figures.files_missing} file(s) were gone already" if figures.files_missing else "")
    )
    return 0


def _check(args: argparse.Namespace, settings: Settings) -> int:
    directory = Path(settings.of(RecordingSettings).recordings_dir)

    async def work(database: Database) -> CheckReport:
        return await check_recordings(database, directory, verify_checksums=not args.no_checksums)

    report = _with_database(settings, work)
    print(f"{report.rows} indexed recording(s), {report.files} file(s) in {directory}")
    for title, names in (
        ("orphan files (no index row)", report.orphan_files),
        ("rows without their file", report.rows_without_file),
        ("checksum mismatches", report.checksum_mismatches),
    ):
        print(f"{len(names)} {title}")
        for name in names[:MAX_LISTED]:
            print(f"  {name}")
        if len(names) > MAX_LISTED:
            print(f"  … and {len(names) - MAX_LISTED} more")
    print(f"{report.zero_length} zero-length recording(s) (indexed, not playable)")
    return 0 if report.clean else 1
