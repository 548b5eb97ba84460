"""Door: Asterisk's queue_log, which the engine reads to register what it did not see.

A log with its lines broken, doubled, cut, swapped or replaced by garbage (a foreign
writer, a torn write, a rotated file) is read without an error; only whole lines of
Asterisk's shape count, each once; and a call is registered only from marks that name
it, with text cut to its columns.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from callcenter.storage import SqlTasks
from callgrid.database import Database
from ivr.queue_call_rows import QueueCallRow
from ivr.queue_log_import import QueueLogImport
from ivr.storage import CallRow
from telephony.dialplan import HANGUP_EVENT, NO_ENGINE_EVENT
from telephony.queue_log import parse_line
from tests.fuzz.mutate import HOSTILE_BYTES, mutate_lines
from tests.fuzz.tally import rng, tried
from worktime.calendar import default_calendar
from worktime.clock import ManualClock

ROUNDS = 150
UNIQUEID = re.compile(r"[0-9A-Za-z_.-]{1,64}")
"""What an Asterisk uniqueid looks like: no other call id may be registered."""
STAMP = 1796160000
GOOD = [
    f"{STAMP}|1796160000.1|NONE|NONE|{NO_ENGINE_EVENT}|88002224902|79001234567",
    f"{STAMP + 6}|1796160000.1|operators|NONE|ENTERQUEUE||79001234567|1",
    f"{STAMP + 20}|1796160000.1|operators|Ivanova|CONNECT|14|1796160000.2|2",
    f"{STAMP + 80}|1796160000.1|operators|Ivanova|COMPLETECALLER|14|60|1",
    f"{STAMP + 80}|1796160000.1|NONE|NONE|{HANGUP_EVENT}|ended",
    f"{STAMP + 90}|NONE|NONE|NONE|CONFIGRELOAD|",
]
HOSTILE_LINES = (
    "",
    "|||||",
    "x|1.1|q|a|ENTERQUEUE|",
    f"99999999999999999999|1.1|q|a|{NO_ENGINE_EVENT}|1|2",
    f"{STAMP}||q|a|{NO_ENGINE_EVENT}|1|2",
    f"{STAMP}|{'9' * 500}|q|{'a' * 5000}|CONNECT|1|2|3",
    f"{STAMP}|2.2|{'q' * 500}|NONE|{NO_ENGINE_EVENT}|{'8' * 500}|{'7' * 500}",
    f"{STAMP}|2.2|NONE|NONE|{HANGUP_EVENT}|",
    f"{STAMP}|2.2|NONE|NONE|CALLGRID_MESSAGE|/etc/passwd",
    "\x00" * 40,
    "1|1|1|1|1|1|1|1|1|1|1|1|1|1|1|1|1|1|1|1",
)


async def test_a_broken_queue_log_is_read_whole_and_each_line_counts_once(
    sqlite_database: Database, tmp_path: Path
) -> None:
    generate = rng("queue-log")
    log = tmp_path / "queue_log"
    importer = QueueLogImport(
        sqlite_database,
        log,
        clock=ManualClock(datetime(2026, 12, 1, 4, 0, tzinfo=UTC)),
        tasks=SqlTasks(sqlite_database, default_calendar()),
        calendar=default_calendar(),
        line_of=lambda number: "toll_free",
        messages_dir=tmp_path,
    )
    expected_calls: set[str] = set()
    for _ in range(ROUNDS):
        lines = mutate_lines(generate, list(GOOD), HOSTILE_LINES)
        data = "\n".join(lines).encode("utf-8", errors="surrogateescape")
        if generate.random() < 0.3:
            cut = generate.randrange(len(data) + 1)
            data = data[:cut] + generate.choice(HOSTILE_BYTES) + data[cut:]
        with log.open("ab") as append:
            append.write(data + b"\n")
        for raw in data.split(b"\n"):
            entry = parse_line(raw.decode("utf-8", errors="replace"))
            if entry is not None and entry.event == NO_ENGINE_EVENT and entry.callid != "NONE":
                expected_calls.add(entry.callid)

        await importer.import_new()
        again = await importer.import_new()
        assert again.lines == 0, "a line was read twice"

    async with sqlite_database.session() as session:
        registered = set(
            (await session.execute(select(CallRow.uniqueid).where(CallRow.engine_id.is_(None))))
            .scalars()
            .all()
        )
        summaries = await session.scalar(select(func.count()).select_from(QueueCallRow))
    assert registered == expected_calls
    assert all(UNIQUEID.fullmatch(callid) for callid in registered)
    assert summaries is not None and summaries >= len(expected_calls)
    print(tried("queue-log", ROUNDS))
