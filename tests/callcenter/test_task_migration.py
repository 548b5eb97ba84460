"""Migration 0006: callback requests stored before it become callback tasks."""

from __future__ import annotations

import os
from datetime import datetime

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect

from callcenter.storage import SqlTasks
from callgrid.database import MIGRATIONS, SHELL_MIGRATIONS, Database, UtcDateTime
from callgrid.plugins import load_plugins, migration_folders
from worktime.calendar import default_calendar
from worktime.clock import DEFAULT_ZONE

FRIDAY_NIGHT = datetime(2026, 11, 27, 21, 0, tzinfo=DEFAULT_ZONE)
MONDAY_EVENING = datetime(2026, 11, 30, 20, 0, tzinfo=DEFAULT_ZONE)
BEFORE_THE_CALENDAR = datetime(2020, 3, 2, 10, 0, tzinfo=DEFAULT_ZONE)

CALLBACK_REQUESTS = sa.table(
    "callback_requests",
    sa.column("call_id", sa.String),
    sa.column("phone", sa.String),
    sa.column("line", sa.String),
    sa.column("topic", sa.String),
    sa.column("requested_at", UtcDateTime),
    sa.column("status", sa.String),
    sa.column("note", sa.Text),
)


def _downgrade(connection: Connection, revision: str) -> None:
    folders = [SHELL_MIGRATIONS, *migration_folders(load_plugins())]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(f) for f in folders))
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_callback_requests_move_into_the_tasks_and_back(database: Database) -> None:
    tasks = SqlTasks(database, default_calendar())
    await tasks.request_callback("kept", "89139876543", "toll_free", "Оплата", FRIDAY_NIGHT)
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade, "0005")
    assert "callback_requests" in await _tables(database)
    async with database.engine.connect() as connection:  # the tables of 0005, not today's
        left = (await connection.execute(sa.text("SELECT count(*) FROM tasks"))).scalar_one()
    assert left == 0, "a downgrade takes the callbacks back out"
    async with database.engine.begin() as connection:
        await connection.execute(
            sa.insert(CALLBACK_REQUESTS),
            [
                {
                    "call_id": "old",
                    "phone": "654321",
                    "line": "business",
                    "topic": None,
                    "requested_at": BEFORE_THE_CALENDAR,
                    "status": "open",
                    "note": "звонить после обеда",
                }
            ],
        )

    await database.upgrade()

    assert "callback_requests" not in await _tables(database)
    old, kept = await tasks.open_tasks("callback")
    assert (old.call_id, old.phone, old.line, old.subject) == (
        "old",
        "654321",
        "business",
        "Обратный звонок",
    )
    assert old.created_at == old.due_at == BEFORE_THE_CALENDAR, "older than the calendar: due"
    assert old.details == {"note": "звонить после обеда"}
    assert (kept.call_id, kept.subject, kept.status) == ("kept", "Оплата", "open")
    assert (kept.created_at, kept.due_at) == (FRIDAY_NIGHT, MONDAY_EVENING)
