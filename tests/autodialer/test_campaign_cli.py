"""``callgrid campaign …`` run as a supervisor and a manager run it."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import wave
from datetime import UTC, datetime
from pathlib import Path

from callgrid.database import Database
from tests.audio import tone_wav
from tests.autodialer.campaign_fixtures import account, add_customers, add_users
from tests.command import run_callgrid
from worktime.clock import ManualClock

CREATE = (
    "campaign", "create", "--as", "vera", "--name", "Долг", "--purpose", "debt_reminder",
    "--channels", "phone,sms", "--starts", "2027-02-01T09:00", "--ends", "2027-02-08T20:00",
    "--lines", "4", "--text", "По лицевому счёту {account} задолженность {debt}.",
)  # fmt: skip


def prepare(tmp_path: Path) -> None:
    async def add() -> None:
        (tmp_path / "var").mkdir()
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'callgrid.db'}")
        try:
            await database.upgrade()
            clock = ManualClock(datetime(2026, 12, 2, tzinfo=UTC))
            await add_customers(database, [account(1), account(2)], clock())
            await add_users(database, clock)
        finally:
            await database.close()

    asyncio.run(add())


def test_a_campaign_goes_from_draft_to_running_by_two_people(tmp_path: Path) -> None:
    prepare(tmp_path)

    created = run_callgrid(tmp_path, *CREATE, "--list-query", "kind=household,debtors")
    assert created.returncode == 0, created.stderr
    assert "campaign 1: a draft, 2 customers" in created.stdout
    dry = run_callgrid(tmp_path, "campaign", "dry-run", "1")
    assert "phone: reaches 2" in dry.stdout and "SMS part(s)" in dry.stdout
    by_preparer = run_callgrid(tmp_path, "campaign", "approve", "1", "--as", "vera")
    assert by_preparer.returncode == 1 and "only a manager" in by_preparer.stderr
    assert run_callgrid(tmp_path, "campaign", "approve", "1", "--as", "maria").returncode == 0
    started = run_callgrid(tmp_path, "campaign", "start", "1", "--as", "vera")
    assert "campaign 1: running" in started.stdout
    status = json.loads(run_callgrid(tmp_path, "campaign", "status", "1").stdout)
    assert status["state"] == "running"
    assert status["deliveries"] == {"phone": {"pending": 2}, "sms": {"pending": 2}}
    report = run_callgrid(tmp_path, "campaign", "report", "1")
    assert next(csv.reader(io.StringIO(report.stdout)))[:3] == ["account", "channel", "address"]


def test_bad_input_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    prepare(tmp_path)

    query = run_callgrid(tmp_path, *CREATE, "--list-query", "debt_over=2")
    assert query.returncode == 1 and "'debt_over' is not a list condition" in query.stderr
    nobody = run_callgrid(tmp_path, *CREATE, "--list-query", "area=Нигде")
    assert nobody.returncode == 1 and "selects nobody" in nobody.stderr
    stranger = run_callgrid(tmp_path, "campaign", "start", "1", "--as", "nobody")
    assert stranger.returncode == 1 and "no active web user 'nobody'" in stranger.stderr
    missing = run_callgrid(tmp_path, "campaign", "dry-run", "7")
    assert missing.returncode == 1 and "no campaign 7" in missing.stderr
    assert run_callgrid(tmp_path, "campaign", "status").stdout == ""
    hifi = tmp_path / "music.wav"
    with wave.open(str(hifi), "wb") as audio:
        audio.setnchannels(2)
        audio.setsampwidth(2)
        audio.setframerate(44100)
        audio.writeframes(b"\0\0\0\0" * 44100)
    refused = run_callgrid(
        tmp_path, *CREATE, "--list-query", "kind=household", "--audio", str(hifi)
    )
    assert refused.returncode == 1
    assert "music.wav is 44100 Hz, 16-bit, 2 channel(s)" in refused.stderr
    assert "8000 Hz, 16-bit, mono" in refused.stderr
    assert run_callgrid(tmp_path, "campaign", "status").stdout == "", "nothing stored"


def test_a_recording_goes_with_the_campaign(tmp_path: Path) -> None:
    prepare(tmp_path)
    recorded = tone_wav(tmp_path / "обращение.wav", seconds=3.0)

    created = run_callgrid(
        tmp_path, *CREATE, "--list-query", "kind=household", "--audio", str(recorded)
    )
    assert created.returncode == 0, created.stderr
    kept = list((tmp_path / "var" / "campaigns").glob("scenario-*.wav"))
    assert [path.read_bytes() for path in kept] == [recorded.read_bytes()]
    too_long = tone_wav(tmp_path / "длинное.wav", seconds=58.0)
    refused = run_callgrid(
        tmp_path, *CREATE, "--list-query", "kind=household", "--audio", str(too_long)
    )
    assert refused.returncode == 1 and "more than 60 s together" in refused.stderr
