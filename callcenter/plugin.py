"""The contact center: operator queues, the customer card, the work people do after a
call (tasks, callbacks among them) and the dispatchers' outage board."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from callcenter import card, cli, http
from callcenter.board import Board
from callcenter.operator_state import StateRules
from callcenter.operator_store import SqlOperators
from callcenter.operator_watch import LEADER, OPERATOR_EVENTS, OperatorWatch
from callcenter.outages import OutageBoard
from callcenter.settings import CallcenterSettings
from callcenter.storage import SqlOutages, SqlTasks
from callcenter.tasks import TaskBook
from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from callgrid.work import Leadership
from customers.plugin import CONSENT, CUSTOMERS
from recordings.plugin import RECORDINGS
from worktime.calendar import default_calendar
from worktime.hours import ServiceHours

OUTAGES: ServiceKey[OutageBoard] = ServiceKey("callcenter.outages")
TASKS: ServiceKey[TaskBook] = ServiceKey("callcenter.tasks")
"""Work for people: answering-machine messages, paid-service orders and callbacks."""
HOURS: ServiceKey[Mapping[str, ServiceHours]] = ServiceKey("callcenter.hours")
"""When each service (billing, dispatch, paid_services) is staffed."""
SETTINGS: ServiceKey[CallcenterSettings] = ServiceKey("callcenter.settings")
OPERATORS: ServiceKey[SqlOperators] = ServiceKey("callcenter.operators")
"""The operators' states now and their stretches in each (CC-8)."""


class CallcenterPlugin(Plugin):
    name = "callcenter"
    settings = CallcenterSettings
    migrations = Path(__file__).with_name("migrations")

    def add_commands(self, commands: Commands) -> None:
        cli.add_commands(commands)

    def setup(self, host: PluginHost) -> None:
        settings = host.settings.of(CallcenterSettings)
        calendar = default_calendar()
        host.provide(SETTINGS, settings)
        host.provide(HOURS, settings.service_hours(calendar))
        outages = SqlOutages(host.database)
        host.provide(OUTAGES, outages)
        tasks = SqlTasks(host.database, calendar)
        host.provide(TASKS, tasks)

        sources = card.CardSources(
            customers=host.require(CUSTOMERS),
            consent=host.require(CONSENT),
            recordings=host.require(RECORDINGS),
            tasks=tasks,
            clock=host.clock,
        )

        def routes(app: web.Application) -> None:
            http.add_routes(app, outages, host.clock)
            card.add_routes(app, sources)

        host.add_web(routes)
        host.add_templates(Path(__file__).with_name("templates"))
        operators = SqlOperators(host.database)
        host.provide(OPERATORS, operators)
        if host.runs("ami"):
            self._watch_operators(host, settings, operators)

    @staticmethod
    def _watch_operators(
        host: PluginHost, settings: CallcenterSettings, operators: SqlOperators
    ) -> None:
        rules = StateRules(timedelta(minutes=settings.after_call_work_limit_minutes))
        leadership = Leadership(host.database, LEADER)
        watch = OperatorWatch(
            Board(rules), operators, leadership, host.events, host.clock, lambda: host.ami
        )
        for event_type in OPERATOR_EVENTS:
            host.on_ami_event(event_type, watch.on_event)
        host.on_ami_connected(watch.resync)
        host.on_ami_lost(watch.link_lost)
        ticking: list[asyncio.Task[None]] = []

        async def start() -> None:
            ticking.append(asyncio.create_task(watch.run(), name="operator-board"))

        async def stop() -> None:
            for task in ticking:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await leadership.step_down()

        host.on_start.append(start)
        host.on_stop.append(stop)


plugin = CallcenterPlugin()
