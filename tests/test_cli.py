"""The command line, run as a user runs it."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from pathlib import Path

from callcenter.storage import SqlTasks
from callcenter.tasks import NewTask, TaskKind
from callgrid.database import Database
from tests.command import run_callgrid, run_callgrid_process
from worktime.calendar import default_calendar
from worktime.clock import DEFAULT_ZONE

FRIDAY = datetime(2026, 11, 27, 9, 30, tzinfo=DEFAULT_ZONE)


def test_simulated_call_shows_what_was_heard_and_the_stored_record(tmp_path: Path) -> None:
    result = run_callgrid_process(
        tmp_path,
        "call",
        "--to",
        "8-800-222-49-02",
        "--keys",
        "2 1 _ * 0",
        "--at",
        "2026-11-26T11:00",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("plays recording_notice") < out.index("plays toll_free_main")
    assert "Для контроля качества обслуживания все разговоры записываются" in " ".join(out.split())
    assert "caller presses 2" in out and "plays payment_methods_info (full)" in out
    assert "caller waits in queue operators" in out
    assert "path          main > payments > payment_methods > payments > main > operator" in out
    assert "outcome       operator" in out
    assert (tmp_path / "var" / "callgrid.db").exists()


def test_bad_keys_are_refused_with_the_reason(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "call", "--to", "88002224902", "--keys", "1 x")
    assert result.returncode == 2
    assert "cannot read 'x' in the caller script" in result.stderr


def test_demo_runs_each_scenario(tmp_path: Path) -> None:
    result = run_callgrid(tmp_path, "demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Stored call #") == 12
    assert "callback_accepted" in out and "line          business" in out
    words = " ".join(out.split())
    assert "Показания не приняты: они меньше последних принятых, двенадцать тысяч" in words
    assert "day 12345 keypad" in words and "night 4567 keypad" in words
    assert "повреждение кабельной линии" in words
    assert "пятьдесят восемь тысяч двести рублей" in words
    assert "paid_service_order due" in words and "answering_machine due" in words


def test_a_call_at_night_reaches_the_answering_machine(tmp_path: Path) -> None:
    result = run_callgrid(
        tmp_path, "call", "--to", "88002224902", "--keys", "0 h", "--at", "2026-11-26T23:30"
    )
    assert result.returncode == 0, result.stderr
    assert "plays am_greeting" in result.stdout
    assert "started       2026-11-26T16:30:00+00:00" in result.stdout


def test_a_call_to_an_engine_that_is_not_there_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_callgrid(tmp_path, "call", "--to", "88002224902", "--engine", f"127.0.0.1:{port}")
    assert result.returncode == 2
    assert "no engine answers at 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_tasks_lists_callbacks_with_their_deadlines_and_how_many_are_late(
    tmp_path: Path,
) -> None:
    async def store() -> None:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'callgrid.db'}")
        try:
            await database.upgrade()
            tasks = SqlTasks(database, default_calendar())
            await tasks.request_callback("c1", "89139876543", "toll_free", "Оплата", FRIDAY)
            await tasks.add(
                NewTask(
                    kind=TaskKind.ANSWERING_MACHINE,
                    call_id="c2",
                    phone="79001234567",
                    line="toll_free",
                    subject="Сообщение на автоответчике",
                    created_at=FRIDAY,
                    due_at=datetime(2099, 1, 1, tzinfo=UTC),
                )
            )
        finally:
            await database.close()

    asyncio.run(store())
    result = run_callgrid(tmp_path, "tasks")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "callback           due 27.11.2026 20:00  LATE  Оплата, 89139876543" in lines[0]
    assert "answering_machine  due 01.01.2099 07:00  Сообщение" in lines[1]
    assert lines[-1] == "2 open task(s): answering_machine 1 (0 late), callback 1 (1 late)"
    only = run_callgrid(tmp_path, "tasks", "--kind", "callback").stdout.splitlines()
    assert len(only) == 2 and only[-1] == "1 open task(s): callback 1 (1 late)"
