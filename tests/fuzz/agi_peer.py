"""A fake Asterisk on a raw socket, well-formed calls beside it, and what the engine left.

The fake peer writes whatever environment block it is given, then answers each command
the engine sends with whatever the test's reply function gives, and hangs up (closes)
after a number of commands or when the engine has been quiet for a moment.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select

from callgrid.database import Database
from ivr.storage import CallRow, CallStatus
from telephony.agi.observation import CALL_ID
from telephony.emulator.agi_channel import EmulatedChannel
from telephony.emulator.caller import ScriptedCaller
from telephony.emulator.sounds import SoundLibrary
from tests.conftest import RunningIvr
from tests.ivr.calls import played

REFERENCE_KEYS = "4 1 2 * * 2 _ h"
"""A well-formed call: four menu levels, back twice, information, silence, hang-up."""
QUIET_SECONDS = 0.6
"""How long the fake peer waits for the engine's next command before hanging up."""
Reply = Callable[[str], bytes]

VALID_REPLIES = (
    ("ANSWER", b"200 result=0\n"),
    ("STREAM FILE", b"200 result=0 endpos=8000\n"),
    ("CONTROL STREAM FILE", b"200 result=0 endpos=8000\n"),
    ("GET DATA", b"200 result= (timeout)\n"),
    ("WAIT FOR DIGIT", b"200 result=0\n"),
    ("CHANNEL STATUS", b"200 result=6\n"),
    ("EXEC", b"200 result=0\n"),
    ("GET VARIABLE", b"200 result=0\n"),
    ("GET FULL VARIABLE", b"200 result=0\n"),
    ("SET VARIABLE", b"200 result=1\n"),
    ("RECORD FILE", b"200 result=0 (timeout) endpos=8000\n"),
    ("SAY", b"200 result=0\n"),
    ("VERBOSE", b"200 result=1\n"),
    ("HANGUP", b"200 result=1\nHANGUP\n"),
)


def valid_reply(command: str) -> bytes:
    """What Asterisk 22 answers to ``command`` on a live channel, near enough."""
    for name, reply in sorted(VALID_REPLIES, key=lambda pair: -len(pair[0])):
        if command.startswith(name):
            return reply
    return b"510 Invalid or unknown command\n"


def environment_lines(uniqueid: str, script: str = "ivr") -> list[str]:
    """The block Asterisk 22 sends for ``AGI(agi://…/ivr)``, without its blank line."""
    return [
        "agi_network: yes",
        f"agi_network_script: {script}",
        f"agi_request: agi://127.0.0.1/{script}",
        "agi_channel: Local/s@caller-remote-00000001;1",
        "agi_language: ru",
        "agi_type: Local",
        f"agi_uniqueid: {uniqueid}",
        "agi_version: 22.10.1",
        "agi_callerid: 79001234567",
        "agi_calleridname: Ivan Petrov",
        "agi_callingpres: 0",
        "agi_dnid: unknown",
        "agi_rdnis: unknown",
        "agi_context: ivr",
        "agi_extension: 88002224902",
        "agi_priority: 2",
        "agi_enhanced: 0.0",
        "agi_accountcode: ",
        "agi_threadid: 140145556424384",
    ]


@dataclass
class PeerOutcome:
    commands: list[str]
    closed_by_engine: bool


async def converse(port: int, block: bytes, reply: Reply, max_commands: int) -> PeerOutcome:
    """Send ``block``, answer up to ``max_commands`` commands with ``reply``, hang up."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    commands: list[str] = []
    try:
        writer.write(block)
        await writer.drain()
        while len(commands) < max_commands:
            try:
                async with asyncio.timeout(QUIET_SECONDS):
                    raw = await reader.readline()
            except TimeoutError:
                return PeerOutcome(commands, closed_by_engine=False)
            if not raw:
                return PeerOutcome(commands, closed_by_engine=True)
            commands.append(raw.decode("utf-8", "replace").rstrip("\n"))
            writer.write(reply(commands[-1]))
            await writer.drain()
    except ConnectionError:
        return PeerOutcome(commands, closed_by_engine=True)
    finally:
        writer.close()
    return PeerOutcome(commands, closed_by_engine=False)


@dataclass(frozen=True)
class GoodCall:
    """What a well-formed caller heard and what was stored of the call."""

    played: tuple[str, ...]
    path: tuple[str, ...]
    inputs: str
    outcome: str | None
    ended_by: str | None


async def good_call(ivr: RunningIvr, think: Callable[[], float] | None = None) -> GoodCall:
    """Place the reference call through the emulator and read back its stored record."""
    channel = EmulatedChannel(
        "127.0.0.1",
        ivr.port,
        ScriptedCaller.from_keys(REFERENCE_KEYS),
        SoundLibrary([ivr.content.library.directory]),
        think_time=think,
    )
    await asyncio.wait_for(channel.run(), 30)
    row = await ended_row(ivr, channel.uniqueid)
    return GoodCall(tuple(played(channel)), tuple(row.path), row.inputs, row.outcome, row.ended_by)


async def ended_row(ivr: RunningIvr, uniqueid: str) -> CallRow:
    """The call's record once its end is stored (the engine stores it as the call ends,
    which over real sockets may come just after the caller's side closed)."""
    async with asyncio.timeout(10):
        while True:
            await ivr.call_log.flush()
            row = await ivr.call_log.find_by_uniqueid(uniqueid)
            if row is not None and row.status != CallStatus.IN_PROGRESS:
                return row
            await asyncio.sleep(0.01)


async def stored_calls(database: Database) -> list[CallRow]:
    async with database.session() as session:
        return list((await session.execute(select(CallRow))).scalars())


def half_stored(rows: list[CallRow]) -> list[str]:
    """Rows left in progress, or marked ended without how and when."""
    return [
        f"{row.uniqueid!r}: {row.status}, outcome {row.outcome}, ended {row.ended_at}"
        for row in rows
        if row.status == CallStatus.IN_PROGRESS
        or (row.status == CallStatus.ENDED and None in (row.ended_at, row.outcome, row.ended_by))
    ]


@dataclass(frozen=True)
class LogLine:
    level: int
    logger: str
    message: str
    call_id: str
    """The call the line was logged in (what the engine's log lines show as ``call=``)."""
    traceback: str | None
    """The exception logged with a traceback, and where it was raised, if any."""


class LogLines(logging.Handler):
    """Every warning and error, with the call it was logged for."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[LogLine] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = None
        if record.exc_info and record.exc_info[1] is not None:
            exception = record.exc_info[1]
            where = traceback.extract_tb(exception.__traceback__)[-1]
            error = f"{type(exception).__name__}: {exception} at {where.filename}:{where.lineno}"
        self.lines.append(
            LogLine(record.levelno, record.name, record.getMessage(), CALL_ID.get(), error)
        )


@contextmanager
def captured_logs() -> Iterator[LogLines]:
    handler = LogLines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
