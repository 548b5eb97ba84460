"""``callgrid outages import``, run as a dispatcher runs it."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from callcenter.outages import Outage, OutageKind
from callcenter.storage import SqlOutages
from callgrid.database import Database
from tests.command import run_callgrid
from worktime.clock import DEFAULT_ZONE

HEADER = "area;kind;cause;starts_at;restore_at"
KIROVSKY = "Кировский район;planned;замена опоры;2099-11-27 10:00;2099-11-27 14:00"
TOMSKY = "Томский район;emergency;обрыв провода;2099-11-27 08:00;2099-11-27 12:00"


def _file(tmp_path: Path, *lines: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "outages.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return str(path)


def _stored(tmp_path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(tmp_path / "var" / "callgrid.db") as connection:
        rows = connection.execute("SELECT area, kind, cause FROM outages ORDER BY area, kind")
        return [(str(a), str(k), str(c)) for a, k, c in rows]


def _add_over_http(tmp_path: Path) -> None:
    """Store one outage the way ``POST /api/outages`` does."""
    start = datetime(2099, 11, 27, 9, tzinfo=DEFAULT_ZONE)
    outage = Outage(
        "Ленинский район", OutageKind.EMERGENCY, "авария", start, start.replace(hour=18)
    )

    async def add() -> None:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'callgrid.db'}")
        try:
            await SqlOutages(database).add(outage, datetime(2026, 11, 27, tzinfo=UTC))
        finally:
            await database.close()

    asyncio.run(add())


def test_an_import_adds_to_what_is_stored_and_updates_the_same_outage(tmp_path: Path) -> None:
    first = run_callgrid(tmp_path, "outages", "import", _file(tmp_path, HEADER, KIROVSKY))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "added 1, updated 0 outages"
    _add_over_http(tmp_path)
    changed = KIROVSKY.replace("замена опоры", "замена опоры и провода")
    second = run_callgrid(tmp_path, "outages", "import", _file(tmp_path, HEADER, changed, TOMSKY))
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "added 1, updated 1 outages"
    assert _stored(tmp_path) == [
        ("Кировский район", "planned", "замена опоры и провода"),
        ("Ленинский район", "emergency", "авария"),
        ("Томский район", "emergency", "обрыв провода"),
    ]


def test_replace_drops_every_stored_outage_first(tmp_path: Path) -> None:
    run_callgrid(tmp_path, "outages", "import", _file(tmp_path, HEADER, KIROVSKY))
    _add_over_http(tmp_path)
    result = run_callgrid(
        tmp_path, "outages", "import", "--replace", _file(tmp_path, HEADER, TOMSKY)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "replaced the stored outages with 1 outages"
    assert _stored(tmp_path) == [("Томский район", "emergency", "обрыв провода")]


def test_the_help_says_the_import_merges_unless_replace(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "outages", "import", "--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    assert "--replace" in help_text and "those added over HTTP too" in help_text
    assert "район" in help_text and "причина" in help_text


def test_a_windows_1251_file_with_russian_headers_is_read(tmp_path: Path) -> None:
    lines = (
        "Район;Вид;Причина;Начало;Восстановление",
        "Кировский район;плановое;замена опоры;27.11.2099 10:00;27.11.2099 14:00",
    )
    result = run_callgrid(tmp_path, "outages", "import", _file(tmp_path, *lines, encoding="cp1251"))
    assert result.returncode == 0, result.stderr
    assert "Windows-1251" in result.stderr
    assert _stored(tmp_path) == [("Кировский район", "planned", "замена опоры")]


def test_missing_columns_are_named_with_the_header_found(tmp_path: Path) -> None:
    lines = ("Район;Причина;Когда", "Кировский район;замена опоры;завтра")
    result = run_callgrid(tmp_path, "outages", "import", _file(tmp_path, *lines))
    assert result.returncode == 1
    assert "row 1: missing columns kind, starts_at, restore_at" in result.stderr
    assert "the header has Район, Причина, Когда" in result.stderr


def test_a_bad_file_stores_nothing_and_names_each_problem(tmp_path: Path) -> None:
    run_callgrid(tmp_path, "outages", "import", _file(tmp_path, HEADER, KIROVSKY))
    phishing = TOMSKY.replace("обрыв провода", "позвоните по номеру 8 913 812 34 56")
    result = run_callgrid(tmp_path, "outages", "import", _file(tmp_path, HEADER, TOMSKY, phishing))
    assert result.returncode == 1
    assert "row 3, cause: has a phone number" in result.stderr
    assert _stored(tmp_path) == [("Кировский район", "planned", "замена опоры")]


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "outages", "import", str(tmp_path / "nowhere.csv"))
    assert result.returncode == 2 and "cannot read" in result.stderr
