"""``callgrid tasks``: the work the IVR left for people, with deadlines, and how much is late."""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter

from callcenter.storage import SqlTasks
from callcenter.tables import TaskRow
from callcenter.tasks import TaskKind
from callgrid.database import Database
from callgrid.settings import Settings
from worktime.clock import local_zone, system_clock


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tasks = commands.add_parser(
        "tasks", help="open tasks: answering-machine messages, paid-service orders"
    )
    tasks.add_argument("--kind", choices=[kind.value for kind in TaskKind])
    tasks.set_defaults(run=_list)


def describe(task: TaskRow, now_late: bool) -> str:
    due = task.due_at.astimezone(local_zone()).strftime("%d.%m.%Y %H:%M")
    who = task.account_number or task.phone or "—"
    late = "  LATE" if now_late else ""
    extra = f"  «{task.transcript}»" if task.transcript else ""
    recording = f"  {task.recording}" if task.recording else ""
    return f"#{task.id:<5} {task.kind:<18} due {due}{late}  {task.subject}, {who}{recording}{extra}"


def _list(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> list[TaskRow]:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            return await SqlTasks(database).open_tasks(args.kind)
        finally:
            await database.close()

    tasks = asyncio.run(run())
    now = system_clock()
    for task in tasks:
        print(describe(task, task.due_at < now))
    counts = Counter(task.kind for task in tasks)
    late = Counter(task.kind for task in tasks if task.due_at < now)
    summary = ", ".join(f"{kind} {counts[kind]} ({late[kind]} late)" for kind in sorted(counts))
    print(f"{len(tasks)} open task(s){': ' + summary if summary else ''}")
    return 0
