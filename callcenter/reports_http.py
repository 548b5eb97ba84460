"""The supervisor's reports: ``/reports?month=2026-11`` — the standard-compliance rows,
the figures per queue, operator, topic, day and hour, the operators each queue needs by
weekday and hour (Erlang C) beside those taking its calls now, the post-call survey's
results per queue and operator (CC-11) — and their CSV files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from aiohttp import hdrs, web

from callcenter.compliance import Limits, TaskTimes
from callcenter.link_outages import SqlLinkOutages
from callcenter.monthly_report import (
    COMPLIANCE_COLUMNS,
    FIGURE_COLUMNS,
    MonthlyReport,
    compliance_row,
    figures_row,
    month_bounds,
    month_of,
    monthly,
)
from callcenter.operator_store import SqlOperators
from callcenter.queue_call_store import SqlQueueCalls
from callcenter.settings import CallcenterSettings
from callcenter.storage import SqlTasks
from callcenter.survey_figures import SURVEY_COLUMNS, survey_row
from callcenter.survey_store import SqlSurveys
from callcenter.wallboard import TAKING_CALLS
from callgrid.database import Database
from callgrid.web.access import add_protected
from callgrid.web.pages import render_page
from callgrid.web.users import Role
from recordings.retention_status import retention_status
from worktime.calendar import WorkingCalendar
from worktime.clock import Clock, local_zone

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class ReportSources:
    database: Database
    stays: SqlQueueCalls
    tasks: SqlTasks
    outages: SqlLinkOutages
    operators: SqlOperators
    settings: CallcenterSettings
    recording_retention_days: int
    calendar: WorkingCalendar
    clock: Clock
    surveys: SqlSurveys | None = None

    async def report(self, month_text: str) -> MonthlyReport:
        now, zone = self.clock(), local_zone()
        month = month_of(month_text, now.astimezone(zone).date())
        first, after = month_bounds(month)
        since = datetime.combine(first, time(), zone)
        until = datetime.combine(after, time(), zone)
        stays = await self.stays.joined_between(since, until)
        tasks = [
            TaskTimes(task.kind, task.created_at, task.due_at)
            for task in await self.tasks.open_tasks()
            if since <= task.created_at < until
        ]
        outages = await self.outages.overlapping(since, until)
        kept = await retention_status(self.database, now, zone, self.recording_retention_days)
        oldest = None if kept.oldest_started_at is None else now - kept.oldest_started_at
        limits = Limits.from_settings(self.settings, self.recording_retention_days)
        surveys = [] if self.surveys is None else await self.surveys.offered_between(since, until)
        return monthly(
            month, stays, tasks, outages, oldest, limits, self.calendar, now,
            self.settings.staffing_target_share, self.settings.short_abandon_seconds, surveys,
        )  # fmt: skip


SOURCES_KEY: web.AppKey[ReportSources] = web.AppKey("report_sources")


async def _report(request: web.Request) -> MonthlyReport:
    try:
        return await request.app[SOURCES_KEY].report(request.query.get("month", ""))
    except ValueError as error:
        raise web.HTTPBadRequest(text=f"month: {error}") from None


async def page(request: web.Request) -> web.Response:
    report = await _report(request)
    now = await request.app[SOURCES_KEY].operators.now()
    taking = {
        queue: sum(1 for o in now if queue in o.queues and o.activity in TAKING_CALLS)
        for queue in report.staffing
    }
    context: dict[str, Any] = {
        "month": f"{report.month:%Y-%m}",
        "compliance": [compliance_row(row) for row in report.compliance],
        "tables": {
            name: [figures_row(value, found) for value, found in values.items()]
            for name, values in report.figures.items()
        },
        "staffing": report.staffing,
        "surveys": _survey_rows(report),
        "survey_interval_days": request.app[SOURCES_KEY].settings.survey_interval_days,
        "taking": taking,
        "weekdays": WEEKDAYS,
    }
    return render_page(request, "callcenter_reports.html", context)


def _survey_rows(report: MonthlyReport) -> dict[str, list[dict[str, Any]]]:
    return {
        grouping: [survey_row(grouping, name, found) for name, found in values.items()]
        for grouping, values in report.surveys.items()
    }


def _csv(name: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> web.Response:
    output = io.StringIO(newline="")
    writer = csv.DictWriter(output, columns)
    writer.writeheader()
    writer.writerows(rows)
    headers = {hdrs.CONTENT_DISPOSITION: f'attachment; filename="{name}"'}
    return web.Response(
        text=output.getvalue(), content_type="text/csv", charset="utf-8", headers=headers
    )


async def compliance_csv(request: web.Request) -> web.Response:
    report = await _report(request)
    rows = [compliance_row(row) for row in report.compliance]
    return _csv(f"compliance-{report.month:%Y-%m}.csv", COMPLIANCE_COLUMNS, rows)


async def survey_csv(request: web.Request) -> web.Response:
    report = await _report(request)
    rows = [row for rows in _survey_rows(report).values() for row in rows]
    return _csv(f"survey-{report.month:%Y-%m}.csv", SURVEY_COLUMNS, rows)


def figures_csv(grouping: str) -> Callable[[web.Request], Any]:
    async def handler(request: web.Request) -> web.Response:
        report = await _report(request)
        values = report.figures[grouping]
        rows = [figures_row(value, found) for value, found in values.items()]
        return _csv(f"{grouping}-{report.month:%Y-%m}.csv", FIGURE_COLUMNS, rows)

    return handler


def add_routes(app: web.Application, sources: ReportSources) -> None:
    app[SOURCES_KEY] = sources
    roles = {Role.SUPERVISOR}
    add_protected(app, "GET", "/reports", page, roles=roles)
    add_protected(app, "GET", "/reports/compliance.csv", compliance_csv, roles=roles)
    add_protected(app, "GET", "/reports/survey.csv", survey_csv, roles=roles)
    for grouping in ("queue", "operator", "topic", "day", "hour"):
        add_protected(app, "GET", f"/reports/{grouping}.csv", figures_csv(grouping), roles=roles)
