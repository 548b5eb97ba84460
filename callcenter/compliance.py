"""The monthly report on the standard's limits (WEB-3; CC-2, CC-5, CC-7, CC-10, IVR-10):
one row per limit with the worst case, the share of cases within it and whether it was
met. Pure: the records come in as plain values, the limits from the settings.

How each row counts its cases (all of the month, in the region's dates):

* answer ≤ 40 s: answered calls, and unanswered ones whose wait passed the limit (a
  caller who hung up sooner neither met nor broke it); within = answered in time;
* finding the customer ≤ 45 s: answered calls whose card time is known;
* information ≤ 5 min: talk of answered calls, complex questions aside;
* after-call work ≤ 5 min: answered calls whose wrap-up is known;
* callbacks ≤ 5 working days: callbacks asked for in the month, done by the time agreed
  and by the end of the 5th working day; worst = working days taken;
* answering machine by the next working day: messages left in the month, done by the
  end of the next working day; worst = working days taken;
* a task still open counts once its deadline has passed (worst measured to ``as_of``);
  one still in time is not counted yet;
* recordings kept 60 days: the oldest recording's age, in days;
* telephony outages ≤ 2 h: outages that overlap the month, each measured whole, one
  still going measured to ``as_of``.

A row is met when its share within reaches ``compliance_target_share`` (all cases by
default), or, for the recordings, when the oldest is not over the limit. A row with no
cases is neither (``passed`` None).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from callcenter.call_register import QueueCall
from callcenter.settings import CallcenterSettings
from callcenter.tasks import TaskKind
from worktime.calendar import WorkingCalendar, callback_deadline
from worktime.clock import local_date

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class Limits:
    answer_seconds: float
    find_customer_seconds: float
    information_seconds: float
    after_call_work_seconds: float
    callback_working_days: int
    answering_machine_working_days: int
    recording_retention_days: int
    telephony_outage_seconds: float
    target_share: float = 1.0
    recording_grace_seconds: float = 0.0
    """How late the purge may be (its interval) before the oldest recording is late."""

    @classmethod
    def from_settings(
        cls,
        settings: CallcenterSettings,
        recording_retention_days: int,
        recording_grace_seconds: float = 0.0,
    ) -> Limits:
        """The recordings' retention is the recordings' setting, handed in by the caller."""
        return cls(
            answer_seconds=settings.answer_limit_seconds,
            find_customer_seconds=settings.find_customer_limit_seconds,
            information_seconds=settings.information_limit_minutes * 60.0,
            after_call_work_seconds=settings.after_call_work_limit_minutes * 60.0,
            callback_working_days=settings.callback_limit_working_days,
            answering_machine_working_days=settings.answering_machine_limit_working_days,
            recording_retention_days=recording_retention_days,
            telephony_outage_seconds=settings.telephony_outage_limit_hours * 3600.0,
            target_share=settings.compliance_target_share,
            recording_grace_seconds=recording_grace_seconds,
        )


@dataclass(frozen=True)
class TaskTimes:
    """A task as the report needs it: when asked for, the time agreed, when done."""

    kind: TaskKind
    created_at: datetime
    promised_at: datetime
    done_at: datetime | None = None


@dataclass(frozen=True)
class LinkOutage:
    """A loss of the telephony link (AMI down); ``ended_at`` None while it lasts."""

    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class ComplianceRow:
    key: str
    title: str
    requirement: str
    unit: str
    """``seconds``, ``working_days`` or ``days``: of ``limit`` and ``worst``."""
    limit: float
    worst: float | None
    counted: int
    within: int
    share_within: float | None
    passed: bool | None


def monthly_report(
    month: date,
    *,
    calls: Iterable[QueueCall],
    tasks: Iterable[TaskTimes],
    outages: Iterable[LinkOutage],
    oldest_recording_age: timedelta | None,
    limits: Limits,
    calendar: WorkingCalendar,
    as_of: datetime,
) -> list[ComplianceRow]:
    """The rows for the month that ``month`` falls in, as known at ``as_of``."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    in_month = [
        c for c in calls if c.outcome is not None and first <= local_date(c.joined_at) < after
    ]
    answered = [c for c in in_month if c.answered]
    month_tasks = [t for t in tasks if first <= local_date(t.created_at) < after]
    waits = [c.wait_seconds for c in answered] + [
        c.wait_seconds for c in in_month if c.unanswered and c.wait_seconds > limits.answer_seconds
    ]
    per_call = [
        ("answer", "Waiting for an operator's answer", "CC-2", limits.answer_seconds, waits),
        (
            "find_customer",
            "Finding the customer",
            "CC-2",
            limits.find_customer_seconds,
            [c.customer_found_seconds for c in answered if c.customer_found_seconds is not None],
        ),
        (
            "information",
            "Giving information (complex questions aside)",
            "CC-2",
            limits.information_seconds,
            [c.talk_seconds for c in answered if not c.complex_question],
        ),
        (
            "after_call_work",
            "After-call work",
            "CC-2",
            limits.after_call_work_seconds,
            [c.after_call_work_seconds for c in answered if c.after_call_work_seconds is not None],
        ),
    ]
    rows = [
        _row(key, title, req, "seconds", lim, vals, limits)
        for key, title, req, lim, vals in per_call
    ]
    rows.append(
        _task_row(
            "callbacks",
            "Callbacks by the time agreed",
            "CC-5",
            TaskKind.CALLBACK,
            limits.callback_working_days,
            month_tasks,
            limits,
            calendar,
            as_of,
        )
    )
    rows.append(
        _task_row(
            "answering_machine",
            "Answering-machine messages worked",
            "IVR-10",
            TaskKind.ANSWERING_MACHINE,
            limits.answering_machine_working_days,
            month_tasks,
            limits,
            calendar,
            as_of,
        )
    )
    rows.append(_recordings_row(oldest_recording_age, limits))
    rows.append(_outages_row(outages, first, after, limits, as_of))
    return rows


def _row(
    key: str,
    title: str,
    requirement: str,
    unit: str,
    limit: float,
    values: Sequence[float],
    limits: Limits,
    within: int | None = None,
) -> ComplianceRow:
    """``within`` defaults to the values not over ``limit``."""
    if within is None:
        within = sum(1 for value in values if value <= limit)
    share = within / len(values) if values else None
    return ComplianceRow(
        key=key,
        title=title,
        requirement=requirement,
        unit=unit,
        limit=limit,
        worst=max(values) if values else None,
        counted=len(values),
        within=within,
        share_within=share,
        passed=None if share is None else share >= limits.target_share,
    )


def _task_row(
    key: str,
    title: str,
    requirement: str,
    kind: TaskKind,
    working_days: int,
    tasks: Iterable[TaskTimes],
    limits: Limits,
    calendar: WorkingCalendar,
    as_of: datetime,
) -> ComplianceRow:
    """Within: done by the time agreed and by the end of the ``working_days``-th working
    day (0: of the working day itself); worst: the working days it took."""
    taken: list[float] = []
    within = 0
    for task in tasks:
        if task.kind is not kind:
            continue
        deadline = min(task.promised_at, callback_deadline(task.created_at, calendar, working_days))
        if task.done_at is None and as_of <= deadline:
            continue
        finished = task.done_at or as_of
        days = calendar.working_days_between(local_date(task.created_at), local_date(finished))
        taken.append(float(days))
        within += task.done_at is not None and task.done_at <= deadline
    return _row(key, title, requirement, "working_days", working_days, taken, limits, within)


def _recordings_row(age: timedelta | None, limits: Limits) -> ComplianceRow:
    days = None if age is None else age.total_seconds() / DAY_SECONDS
    allowed = limits.recording_retention_days * DAY_SECONDS + limits.recording_grace_seconds
    passed = None if age is None else age.total_seconds() <= allowed
    return ComplianceRow(
        key="recordings",
        title="Recordings purged after the retention period",
        requirement="CC-7",
        unit="days",
        limit=float(limits.recording_retention_days),
        worst=days,
        counted=0 if age is None else 1,
        within=int(bool(passed)),
        share_within=None,
        passed=passed,
    )


def _outages_row(
    outages: Iterable[LinkOutage], first: date, after: date, limits: Limits, as_of: datetime
) -> ComplianceRow:
    lengths = []
    for outage in outages:
        ended = outage.ended_at or as_of
        if local_date(outage.started_at) < after and first <= local_date(ended):
            lengths.append(max(0.0, (ended - outage.started_at).total_seconds()))
    return _row(
        "telephony_outages",
        "Telephony outages",
        "CC-10",
        "seconds",
        limits.telephony_outage_seconds,
        lengths,
        limits,
    )
