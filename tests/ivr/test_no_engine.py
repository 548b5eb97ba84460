"""No engine up: the shipped dialplan serves the caller alone (notice, queue, message)
and marks the call in queue_log; an engine that comes back registers every such call
(IVR-8, CC-10), once, and completes the calls it left waiting in a queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.engine_process import free_port as unused_port
from callcenter.storage import SqlTasks
from callcenter.tasks import TaskKind
from callgrid.database import Database
from callgrid.engine import Engine
from callgrid.settings import Settings
from ivr.call_record import CallEnd, CallStart, Outcome
from ivr.content import IvrContent
from ivr.plugin import CALL_LOG
from ivr.queue_log_import import QueueLogImport
from ivr.settings import IvrSettings
from ivr.storage import CallRow, CallStatus, SqlCallLog
from telephony.emulator.agi_channel import ChannelSettings, EmulatedChannel
from telephony.emulator.agi_channel_state import QueueBehaviour
from telephony.emulator.ami_server import AmiEmulator
from telephony.emulator.caller import HangUp, Press, ScriptedCaller, StaySilent
from telephony.emulator.dialplan import EmulatedDialplan, NoEnginePath, QueueLogFile
from telephony.emulator.sounds import SoundLibrary
from telephony.queue_log import FilePosition, read_new_entries
from tests.waiting import eventually
from worktime.calendar import default_calendar
from worktime.clock import ManualClock

EPOCH = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
"""11:00 in Tomsk, a working Thursday."""
CONF_SOUNDS = Path(__file__).resolve().parents[2] / "asterisk-conf" / "sounds"


def _importer(database: Database, queue_log: Path, messages: Path) -> QueueLogImport:
    return QueueLogImport(
        database,
        queue_log,
        clock=ManualClock(EPOCH + timedelta(hours=1)),
        tasks=SqlTasks(database, default_calendar()),
        calendar=default_calendar(),
        line_of=lambda number: "toll_free" if number == "88002224902" else "business",
        messages_dir=messages,
    )


async def _call_with_no_engine(
    tmp_path: Path, caller: ScriptedCaller, queue: QueueBehaviour, logged_in: bool = True
) -> EmulatedChannel:
    channel = EmulatedChannel(
        "127.0.0.1",
        unused_port(),
        caller,
        SoundLibrary([CONF_SOUNDS]),
        replace(ChannelSettings(), queue=queue),
    )
    dialplan = EmulatedDialplan(
        [("127.0.0.1", unused_port()), ("127.0.0.1", unused_port())],
        no_engine=NoEnginePath(
            sounds=str(CONF_SOUNDS),
            messages=str(tmp_path / "messages"),
            operators_logged_in=logged_in,
        ),
        queue_log=QueueLogFile(tmp_path / "queue_log", wall_clock=EPOCH.timestamp),
    )
    run = await dialplan.run(channel)
    assert run.without_engine and run.offers == []
    return channel


async def _rows(database: Database) -> dict[str, CallRow]:
    async with database.session() as session:
        found = await session.execute(select(CallRow))
        return {row.uniqueid: row for row in found.scalars()}


async def test_calls_served_with_no_engine_are_registered_once_when_it_is_back(
    database: Database, tmp_path: Path
) -> None:
    (tmp_path / "messages").mkdir()
    talked = await _call_with_no_engine(
        tmp_path, ScriptedCaller([StaySilent()]), QueueBehaviour(answer_after=8, talk_seconds=40)
    )
    left_message = await _call_with_no_engine(
        tmp_path, ScriptedCaller([Press("#", after=6.0)]), QueueBehaviour(answer_after=None)
    )
    hung_up = await _call_with_no_engine(
        tmp_path, ScriptedCaller([HangUp(after=1.0)]), QueueBehaviour(answer_after=None)
    )
    said_nothing = await _call_with_no_engine(
        tmp_path,
        ScriptedCaller([HangUp(after=0.3)]),
        QueueBehaviour(answer_after=None),
        logged_in=False,
    )
    importer = _importer(database, tmp_path / "queue_log", tmp_path / "messages")

    figures = await importer.import_new()
    again = await importer.import_new()

    rows = await _rows(database)
    assert figures.calls_without_engine == 4 and figures.messages == 1
    assert again.lines == 0 and again.calls_without_engine == 0
    assert {uniqueid: (row.outcome, row.status) for uniqueid, row in rows.items()} == {
        talked.uniqueid: (Outcome.OPERATOR, CallStatus.WITHOUT_ENGINE),
        left_message.uniqueid: (Outcome.ANSWERING_MACHINE, CallStatus.WITHOUT_ENGINE),
        hung_up.uniqueid: (Outcome.ABANDONED_IN_QUEUE, CallStatus.WITHOUT_ENGINE),
        said_nothing.uniqueid: (Outcome.NO_MESSAGE_LEFT, CallStatus.WITHOUT_ENGINE),
    }
    operator_call = rows[talked.uniqueid]
    assert operator_call.operator == "Local/operator@operators"
    assert operator_call.line == "toll_free" and operator_call.caller_id == "79001234567"
    assert operator_call.path == ["no_engine"] and operator_call.engine_id is None
    assert operator_call.ended_at is not None and operator_call.started_at is not None
    assert operator_call.ended_at - operator_call.started_at >= timedelta(seconds=48)
    tasks = await SqlTasks(database, default_calendar()).open_tasks(TaskKind.ANSWERING_MACHINE)
    assert [task.call_id for task in tasks] == [rows[left_message.uniqueid].id]
    assert tasks[0].recording == str(tmp_path / "messages" / f"{left_message.uniqueid}.wav")


async def test_a_call_still_going_is_registered_when_it_ends(
    database: Database, tmp_path: Path
) -> None:
    """The importer may read the log while such a call is in the queue: the row is made
    open and closed by a later read, and made once."""
    talked = await _call_with_no_engine(
        tmp_path, ScriptedCaller([StaySilent()]), QueueBehaviour(answer_after=8, talk_seconds=40)
    )
    log = tmp_path / "queue_log"
    lines = log.read_text().splitlines(keepends=True)
    last = lines.index(next(line for line in lines if "|COMPLETEAGENT|" in line))
    log.write_text("".join(lines[:last]) + lines[last][:7])  # the rest still being written
    importer = _importer(database, log, tmp_path)

    await importer.import_new()
    waiting = (await _rows(database))[talked.uniqueid]
    log.write_text("".join(lines))
    await importer.import_new()
    ended = (await _rows(database))[talked.uniqueid]

    assert (waiting.status, waiting.ended_at) == (CallStatus.IN_QUEUE, None)
    assert (ended.status, ended.outcome) == (CallStatus.WITHOUT_ENGINE, Outcome.OPERATOR)
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(CallRow)) == 1


async def test_a_caller_left_in_the_queue_by_a_stopped_engine_is_completed_from_the_log(
    database: Database, tmp_path: Path
) -> None:
    clock = ManualClock(EPOCH)
    call_log = SqlCallLog(database, clock, engine_id="engine-a")
    await call_log.start()
    answered = EPOCH + timedelta(seconds=1)
    queued = {}
    for uniqueid, ending in (("1700.1", "COMPLETECALLER"), ("1700.2", "ABANDON")):
        call_id = await call_log.call_started(
            CallStart(uniqueid, "Local/x;1", "toll_free", "88002224902", "79001234567", EPOCH)
        )
        queued[uniqueid] = ending
        await call_log.call_ended(
            call_id,
            CallEnd(
                answered,
                EPOCH + timedelta(seconds=20),
                path=["main", "operator"],
                inputs="0",
                topic="Оператор",
                outcome=Outcome.ABANDONED_IN_QUEUE,
                left_in_queue=True,
            ),
        )
    await call_log.close()
    await _started_again(database, clock, "engine-a")
    stamp = int(EPOCH.timestamp())
    lines = []
    for uniqueid, ending in queued.items():
        lines.append(f"{stamp + 15}|{uniqueid}|operators|NONE|ENTERQUEUE||79001234567|1")
        if ending == "COMPLETECALLER":
            lines.append(f"{stamp + 40}|{uniqueid}|operators|Ivanova|CONNECT|25|1700.9|3")
            lines.append(f"{stamp + 160}|{uniqueid}|operators|Ivanova|COMPLETECALLER|25|120|1")
        else:
            lines.append(f"{stamp + 50}|{uniqueid}|operators|NONE|ABANDON|1|1|35")
    (tmp_path / "queue_log").write_text("\n".join(lines) + "\n")
    before = await _rows(database)

    await _importer(database, tmp_path / "queue_log", tmp_path).import_new()

    after = await _rows(database)
    assert {u: (r.status, r.outcome) for u, r in before.items()} == {
        "1700.1": (CallStatus.IN_QUEUE, None),
        "1700.2": (CallStatus.IN_QUEUE, None),
    }
    talked, gone = after["1700.1"], after["1700.2"]
    assert (talked.status, talked.outcome, talked.operator, talked.ended_by) == (
        CallStatus.ENDED,
        Outcome.OPERATOR,
        "Ivanova",
        "queue",
    )
    assert talked.ended_at == EPOCH + timedelta(seconds=160)
    assert talked.topic == "Оператор" and talked.path == ["main", "operator"]
    assert (gone.outcome, gone.ended_by) == (Outcome.ABANDONED_IN_QUEUE, "caller")
    assert gone.ended_at == EPOCH + timedelta(seconds=50)


def test_a_rotated_or_torn_log_is_read_from_the_right_place(tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1700000000|1.1|q|NONE|ENTERQUEUE||7|1\n1700000001|1.1|q|NONE|ABAN")
    first, position = read_new_entries(log, FilePosition())
    assert [entry.event for entry in first] == ["ENTERQUEUE"]
    with log.open("a") as more:
        more.write("DON|1|1|1\nnot a queue_log line\n")
    second, position = read_new_entries(log, position)
    assert [entry.event for entry in second] == ["ABANDON"]
    log.unlink()
    log.write_text("1700000100|2.1|q|NONE|ENTERQUEUE||7|1\n")
    rotated, _ = read_new_entries(log, position)
    assert [entry.callid for entry in rotated] == ["2.1"]
    missing, kept = read_new_entries(tmp_path / "absent", position)
    assert missing == [] and kept == position


async def test_ami_queue_events_complete_a_record_left_in_the_queue_at_once(
    database: Database, ivr_content: IvrContent, tmp_path: Path
) -> None:
    """An engine that cannot read Asterisk's files (another host) completes the record
    of a caller left in Queue() from AMI's AgentConnect and AgentComplete."""
    emulator = AmiEmulator(username="callgrid", secret="callgrid", auth_failure_delay=0)
    await emulator.start()
    settings = Settings(
        var_dir=tmp_path, database_url=database.url, ami_port=emulator.port
    ).with_sections(IvrSettings(prompts_dir=ivr_content.library.directory, asterisk_queue_log=""))
    engine = Engine(settings, ManualClock(EPOCH), parts=("ami",))
    await engine.start()
    try:
        stopped = SqlCallLog(database, ManualClock(EPOCH), engine_id="engine-b")
        await stopped.start()
        call_id = await stopped.call_started(
            CallStart("1700.7", "Local/x;1", "toll_free", "88002224902", "79001234567", EPOCH)
        )
        await stopped.call_ended(
            call_id,
            CallEnd(
                EPOCH, EPOCH + timedelta(seconds=9), path=["main", "operator"], left_in_queue=True
            ),
        )
        await stopped.close()
        await _started_again(database, ManualClock(EPOCH), "engine-b")
        await eventually(lambda: engine.ami is not None and engine.ami.is_connected)
        agent = {
            "Channel": "Local/x;1",
            "Uniqueid": "1700.7",
            "Queue": "operators",
            "Interface": "Local/op@operators/n",
            "MemberName": "Petrova",
        }
        emulator.emit_event("AgentConnect", {**agent, "HoldTime": "12", "RingTime": "2"})
        emulator.emit_event(
            "AgentComplete", {**agent, "HoldTime": "12", "TalkTime": "60", "Reason": "caller"}
        )

        async def completed() -> bool:
            row = await engine.host.require(CALL_LOG).get(call_id)
            return row is not None and row.status == CallStatus.ENDED

        await eventually(completed)
        row = await engine.host.require(CALL_LOG).get(call_id)
    finally:
        await engine.stop()
        await emulator.stop()
    assert row is not None
    assert (row.outcome, row.operator, row.ended_by) == (Outcome.OPERATOR, "Petrova", "queue")


async def _started_again(database: Database, clock: ManualClock, engine_id: str) -> None:
    """The engine that handed callers to the queue starts again: their rows, ``queued``,
    become ``in_queue``, for Asterisk's queue_log (or AMI) to close."""
    restarted = SqlCallLog(database, clock, engine_id=engine_id)
    await restarted.start()
    await restarted.close()
