"""The contact center: operator queues, the work people do after a call (tasks,
callbacks) and the dispatchers' outage board."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aiohttp import web

from callcenter import cli_outages, cli_tasks, http
from callcenter.outages import OutageBoard
from callcenter.settings import CallcenterSettings
from callcenter.storage import SqlCallbackBook, SqlOutages, SqlTasks
from callcenter.tasks import TaskBook
from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from ivr.call_record import CallbackBook
from worktime.calendar import default_calendar
from worktime.hours import ServiceHours

OUTAGES: ServiceKey[OutageBoard] = ServiceKey("callcenter.outages")
TASKS: ServiceKey[TaskBook] = ServiceKey("callcenter.tasks")
HOURS: ServiceKey[Mapping[str, ServiceHours]] = ServiceKey("callcenter.hours")
"""When each service (billing, dispatch, paid_services) is staffed."""
SETTINGS: ServiceKey[CallcenterSettings] = ServiceKey("callcenter.settings")
CALLBACKS: ServiceKey[CallbackBook] = ServiceKey("callcenter.callbacks")


class CallcenterPlugin(Plugin):
    name = "callcenter"
    settings = CallcenterSettings
    migrations = Path(__file__).with_name("migrations")

    def add_commands(self, commands: Commands) -> None:
        cli_outages.add_commands(commands)
        cli_tasks.add_commands(commands)

    def setup(self, host: PluginHost) -> None:
        settings = host.settings.of(CallcenterSettings)
        host.provide(SETTINGS, settings)
        host.provide(HOURS, settings.service_hours(default_calendar()))
        outages = SqlOutages(host.database)
        host.provide(OUTAGES, outages)
        host.provide(TASKS, SqlTasks(host.database))
        host.provide(CALLBACKS, SqlCallbackBook(host.database))

        def routes(app: web.Application) -> None:
            http.add_routes(app, outages, host.clock)

        host.add_web(routes)


plugin = CallcenterPlugin()
