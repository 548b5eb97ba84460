"""The contact center: operator queues, the customer card, the work people do after a
call (tasks, callbacks among them) and the dispatchers' outage board."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from callcenter import card, cli, http
from callcenter.outages import OutageBoard
from callcenter.settings import CallcenterSettings
from callcenter.storage import SqlOutages, SqlTasks
from callcenter.tasks import TaskBook
from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
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


plugin = CallcenterPlugin()
