"""A month of the contact center as the reports page shows it: the compliance rows, the
figures per queue, operator, topic, day and hour, the operators each queue needs
(Erlang C) by weekday and hour, and the post-call survey's results. Pure: the records
come in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from callcenter.call_register import QueueCall
from callcenter.compliance import ComplianceRow, Limits, LinkOutage, TaskTimes, monthly_report
from callcenter.staffing import HourDemand, demand
from callcenter.statistics import Figures, by_day, by_operator, by_queue, by_topic, grouped
from callcenter.survey import SurveyOffer
from callcenter.survey_figures import SURVEY_GROUPINGS, SurveyFigures, survey_figures
from worktime.calendar import WorkingCalendar
from worktime.clock import local_zone

GROUPINGS = {
    "queue": by_queue,
    "operator": by_operator,
    "topic": by_topic,
    "day": lambda call: by_day(call).isoformat(),
    "hour": lambda call: f"{call.joined_at.astimezone(local_zone()).hour:02d}:00",
}


@dataclass(frozen=True)
class MonthlyReport:
    month: date
    compliance: list[ComplianceRow]
    figures: dict[str, dict[str, Figures]]
    """Per grouping (queue, operator, …), per value."""
    staffing: dict[str, list[HourDemand]]
    """Per queue, by weekday × hour."""
    surveys: dict[str, dict[str, SurveyFigures]] = field(default_factory=dict)
    """The post-call survey (CC-11) per grouping (queue, operator), per value."""


def month_of(text: str, today: date) -> date:
    """``2026-11`` as its first day; ValueError naming the form."""
    if not text:
        return today.replace(day=1)
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{text[:20]!r} is not a month like 2026-11") from None


def month_bounds(month: date) -> tuple[date, date]:
    after = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return month.replace(day=1), after


def monthly(
    month: date,
    calls: Sequence[QueueCall],
    tasks: Iterable[TaskTimes],
    outages: Iterable[LinkOutage],
    oldest_recording_age: timedelta | None,
    limits: Limits,
    calendar: WorkingCalendar,
    as_of: datetime,
    staffing_target: float,
    short_abandon_seconds: float,
    surveys: Sequence[SurveyOffer] = (),
) -> MonthlyReport:
    first, after = month_bounds(month)
    days = [first + timedelta(days=n) for n in range((after - first).days)]
    rows = monthly_report(
        month, calls=calls, tasks=tasks, outages=outages,
        oldest_recording_age=oldest_recording_age, limits=limits, calendar=calendar, as_of=as_of,
    )  # fmt: skip
    figures = {
        name: {
            str(value): found
            for value, found in grouped(
                calls, key, limits.answer_seconds, short_abandon_seconds
            ).items()
            if value is not None
        }
        for name, key in GROUPINGS.items()
    }
    staffing = {
        queue: demand(
            [call for call in calls if call.queue == queue],
            days,
            answer_seconds=limits.answer_seconds,
            target=staffing_target,
        )
        for queue in sorted({call.queue for call in calls})
    }
    survey_results = {name: survey_figures(surveys, key) for name, key in SURVEY_GROUPINGS.items()}
    return MonthlyReport(month, rows, figures, staffing, survey_results)


def figures_row(name: str, found: Figures) -> dict[str, Any]:
    """One line of a figures table, as the page and the CSV show it."""

    def share(value: float | None) -> str:
        return "" if value is None else f"{value * 100:.1f}"

    def seconds(value: float | None) -> str:
        return "" if value is None else f"{value:.0f}"

    return {
        "name": name,
        "offered": found.offered,
        "answered": found.answered,
        "abandoned": found.abandoned,
        "short_abandoned": found.short_abandoned,
        "service_level": share(found.service_level),
        "service_level_2": share(found.service_level_2),
        "abandon_rate": share(found.abandon_rate_without_short),
        "asa": seconds(found.average_speed_of_answer),
        "aht": seconds(found.average_handle_time),
        "longest_wait": seconds(found.longest_wait_seconds),
    }


FIGURE_COLUMNS = (
    "name", "offered", "answered", "abandoned", "short_abandoned", "service_level",
    "service_level_2", "abandon_rate", "asa", "aht", "longest_wait",
)  # fmt: skip
COMPLIANCE_COLUMNS = (
    "key", "title", "requirement", "unit", "limit", "worst", "counted", "within",
    "share_within", "passed",
)  # fmt: skip


def compliance_row(row: ComplianceRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "title": row.title,
        "requirement": row.requirement,
        "unit": row.unit,
        "limit": f"{row.limit:g}",
        "worst": "" if row.worst is None else f"{row.worst:g}",
        "counted": row.counted,
        "within": row.within,
        "share_within": "" if row.share_within is None else f"{row.share_within * 100:.1f}",
        "passed": "" if row.passed is None else "met" if row.passed else "NOT MET",
    }
