"""The contact center: operator queues, the customer card, the work people do after a
call (tasks, callbacks among them) and the dispatchers' outage board."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from callcenter import card, cli, desk_http, http, message_http, reports_http, wallboard_http
from callcenter.after_call_work_watch import AFTER_CALL_EVENTS, AfterCallWork
from callcenter.board import Board
from callcenter.breaks import parse_break_reasons
from callcenter.callback_release_worker import (
    CALLBACK_EVENTS,
    CallbackRelease,
    ReleaseRules,
    service_of,
)
from callcenter.emergency import EmergencyMode
from callcenter.link_outages import OutageAlarm, SqlLinkOutages
from callcenter.operator_state import StateRules
from callcenter.operator_store import SqlOperators
from callcenter.operator_watch import OPERATOR_EVENTS, OperatorWatch
from callcenter.outages import OutageBoard
from callcenter.queue_call_store import SqlQueueCalls
from callcenter.queue_call_watch import QUEUE_CALL_EVENTS, QueueCallWatch
from callcenter.settings import CallcenterSettings
from callcenter.storage import SqlOutages, SqlTasks
from callcenter.survey import SurveyRules
from callcenter.survey_call import PostCallSurvey
from callcenter.survey_store import SqlSurveys
from callcenter.tasks import TaskBook
from callcenter.transfer_call import CallTransfers
from callcenter.transfer_http import TransferSources, add_sources
from callcenter.transfer_store import SqlTransfers
from callcenter.transfer_watch import CURRENT_CALL_EVENTS, CurrentCalls
from callcenter.wallboard import WallboardRules
from callgrid.plugins import Commands, Plugin, PluginHost, ServiceKey
from callgrid.work import Leadership
from customers.plugin import CONSENT, CUSTOMERS, READING_LIMITS
from recordings.plugin import RECORDINGS
from recordings.settings import RecordingSettings
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
BOARD: ServiceKey[OperatorWatch] = ServiceKey("callcenter.board")
"""The operators' board as this process's AMI link keeps it (only with the link)."""
EMERGENCY_MODE: ServiceKey[EmergencyMode] = ServiceKey("callcenter.emergency")
"""The supervisor's emergency switch and the callers' wait it sets (CC-2)."""
LINK_OUTAGES: ServiceKey[SqlLinkOutages] = ServiceKey("callcenter.link_outages")
QUEUE_CALLS: ServiceKey[SqlQueueCalls] = ServiceKey("callcenter.queue_calls")
WAITING: ServiceKey[QueueCallWatch] = ServiceKey("callcenter.waiting")
"""The callers in the queues now: only in a process with the AMI link."""
TRANSFERS: ServiceKey[CallTransfers] = ServiceKey("callcenter.transfers")
"""Carries out the desk's transfers in the caller's after-queue session."""
CURRENT_CALLS: ServiceKey[CurrentCalls] = ServiceKey("callcenter.current_calls")
"""Each operator's conversation now: only in a process with the AMI link."""
SURVEY: ServiceKey[PostCallSurvey] = ServiceKey("callcenter.survey")
"""The post-call survey the IVR offers after an operator call (CC-11)."""
CALLBACK_RELEASE: ServiceKey[CallbackRelease] = ServiceKey("callcenter.callback_release")
"""Dials kept-place callbacks as operators free up: only in a process with the AMI link."""
AMI_RECORDER = "callcenter-ami"
"""The leader among the processes sharing a database that stores what the link tells."""


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
        tasks = SqlTasks(host.database, calendar, host.events)
        host.provide(TASKS, tasks)

        sources = card.CardSources(
            customers=host.require(CUSTOMERS),
            consent=host.require(CONSENT),
            recordings=host.require(RECORDINGS),
            tasks=tasks,
            clock=host.clock,
        )

        emergency = EmergencyMode(
            host.database,
            host.clock,
            settings.answer_limit_seconds,
            settings.emergency_answer_limit_seconds,
        )
        host.provide(EMERGENCY_MODE, emergency)
        operators = SqlOperators(host.database)
        host.provide(OPERATORS, operators)
        host.provide(LINK_OUTAGES, SqlLinkOutages(host.database))
        queue_calls = SqlQueueCalls(host.database)
        host.provide(QUEUE_CALLS, queue_calls)
        transfers = SqlTransfers(host.database)
        ring_limit = settings.transfer_ring_limit_seconds
        host.provide(TRANSFERS, CallTransfers(transfers, host.clock, ring_limit))
        if host.runs("ami"):
            self._watch_calls(host)
            self._watch_the_link(host, settings, operators, queue_calls)
            self._release_callbacks(host, settings, tasks)
        watch = host.find(BOARD)
        board = wallboard_http.WallboardSources(
            operators,
            queue_calls,
            host.find(WAITING),
            lambda: host.ami,
            None if watch is None else watch.board,
            host.events,
            emergency,
            WallboardRules(
                settings.answer_limit_seconds,
                settings.short_abandon_seconds,
                timedelta(hours=settings.telephony_outage_limit_hours),
            ),
            host.clock,
            tasks,
        )

        desk = desk_http.DeskSources(
            operators,
            host.require(CUSTOMERS),
            None if watch is None else watch.board,
            lambda: host.ami,
            host.events,
            parse_break_reasons(settings.break_reasons),
            tasks,
            host.require(READING_LIMITS),
            host.clock,
        )

        surveys = SqlSurveys(host.database)
        host.provide(SURVEY, _survey(settings, surveys, host))
        reports = reports_http.ReportSources(
            host.database,
            queue_calls,
            tasks,
            host.require(LINK_OUTAGES),
            operators,
            settings,
            host.settings.of(RecordingSettings).recording_retention_days,
            calendar,
            host.clock,
            surveys,
        )

        def routes(app: web.Application) -> None:
            http.add_routes(app, outages, host.clock)
            card.add_routes(app, sources)
            wallboard_http.add_routes(app, board)
            desk_http.add_routes(app, desk)
            add_sources(app, TransferSources(
                transfers, host.find(CURRENT_CALLS), None if watch is None else watch.board,
                lambda: host.ami, host.clock,
            ))  # fmt: skip
            message_http.add_routes(app)
            reports_http.add_routes(app, reports)

        host.add_web(routes)
        host.add_templates(Path(__file__).with_name("templates"))

    @staticmethod
    def _watch_calls(host: PluginHost) -> None:
        """The operators' conversations, for the desk's transfers (CC-4)."""
        calls = CurrentCalls(host.events, host.clock)
        host.provide(CURRENT_CALLS, calls)
        for event_type in CURRENT_CALL_EVENTS:
            host.on_ami_event(event_type, calls.on_event)
        host.on_ami_lost(calls.link_lost)

    @staticmethod
    def _release_callbacks(host: PluginHost, settings: CallcenterSettings, tasks: SqlTasks) -> None:
        """Kept-place callbacks dialled as operators of their queue free up (CC-5)."""
        hours, watch, waiting = host.require(HOURS), host.require(BOARD), host.require(WAITING)
        rules = ReleaseRules(
            settings.callback_attempts,
            timedelta(minutes=settings.callback_retry_minutes),
            timedelta(seconds=settings.callback_claim_seconds),
        )
        release = CallbackRelease(
            tasks, watch.board, waiting, lambda: host.ami,
            lambda queue, now: hours[service_of(queue)].is_open(now), rules, host.clock,
        )  # fmt: skip
        host.provide(CALLBACK_RELEASE, release)
        for event_type in CALLBACK_EVENTS:
            host.on_ami_event(event_type, release.on_event)
        if host.runs("workers"):
            host.add_worker("callback-release", release.run)

    @staticmethod
    def _watch_the_link(
        host: PluginHost,
        settings: CallcenterSettings,
        operators: SqlOperators,
        queue_calls: SqlQueueCalls,
    ) -> None:
        """Operators' states and queue calls from the AMI link, stored by one process."""
        rules = StateRules(
            timedelta(minutes=settings.after_call_work_limit_minutes),
            after_call_work_reasons=frozenset({settings.after_call_work_reason}),
        )
        leadership = Leadership(host.database, AMI_RECORDER)
        outage_limit = timedelta(hours=settings.telephony_outage_limit_hours)
        watch = OperatorWatch(
            Board(rules), operators, leadership, host.events, host.clock, lambda: host.ami,
            host.require(LINK_OUTAGES), OutageAlarm(outage_limit),
        )  # fmt: skip
        host.provide(BOARD, watch)
        for event_type in OPERATOR_EVENTS:
            host.on_ami_event(event_type, watch.on_event)
        if settings.after_call_work_pause:  # CC-2: the operator wraps up until Ready
            work = AfterCallWork(
                watch.board, lambda: host.ami, host.clock, settings.after_call_work_reason
            )
            for event_type in AFTER_CALL_EVENTS:
                host.on_ami_event(event_type, work.on_event)
        calls = QueueCallWatch(queue_calls, leadership, host.events, host.clock)
        host.provide(WAITING, calls)
        for event_type in QUEUE_CALL_EVENTS:
            host.on_ami_event(event_type, calls.on_event)
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


def _survey(settings: CallcenterSettings, surveys: SqlSurveys, host: PluginHost) -> PostCallSurvey:
    rules = SurveyRules(settings.survey_enabled, timedelta(days=settings.survey_interval_days))
    timeout_ms = round(settings.survey_answer_timeout_seconds * 1000)
    return PostCallSurvey(surveys, host.clock, rules, timeout_ms)


plugin = CallcenterPlugin()
