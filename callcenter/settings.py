"""The contact center's settings: when each line is staffed (CC-1, IVR-11), the
paid-services deadlines (IVR-14) and the limits the standard sets on operators' work
(CC-2, CC-5, CC-10, IVR-10), measured by the monthly compliance report (WEB-3). A day's
hours are ``08:00-20:00`` or ``closed``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from callgrid.settings import Section
from worktime.calendar import WorkingCalendar
from worktime.hours import ServiceHours, ServiceHoursError

SERVICES = ("billing", "dispatch", "paid_services")
DAY_KINDS = ("working_day", "saturday", "sunday", "holiday")


@dataclass(frozen=True)
class CallcenterSettings(Section):
    name: ClassVar[str] = "callcenter"
    ranges: ClassVar[dict[str, tuple[float, float]]] = {
        "billing_shortened_by_minutes": (0, 240),
        "dispatch_shortened_by_minutes": (0, 240),
        "paid_services_shortened_by_minutes": (0, 240),
        "order_handover_minutes": (1, 24 * 60),
        "executor_call_days": (1, 30),
        "answer_limit_seconds": (1, 600),
        "emergency_answer_limit_seconds": (1, 1800),
        "find_customer_limit_seconds": (1, 600),
        "information_limit_minutes": (1, 120),
        "after_call_work_limit_minutes": (1, 120),
        "callback_limit_working_days": (0, 30),
        "answering_machine_limit_working_days": (1, 30),
        "telephony_outage_limit_hours": (0.1, 72),
        "short_abandon_seconds": (0, 60),
        "compliance_target_share": (0.01, 1),
        "staffing_target_share": (0.01, 0.99),
        "callback_attempts": (1, 20),
        "callback_retry_minutes": (1, 240),
        "callback_claim_seconds": (30, 3600),
        "transfer_ring_limit_seconds": (5, 120),
        "survey_interval_days": (1, 366),
        "survey_answer_timeout_seconds": (1, 30),
    }

    billing_working_day: str = "08:00-20:00"
    billing_saturday: str = "09:00-19:00"
    billing_sunday: str = "closed"
    billing_holiday: str = "closed"
    billing_shortened_by_minutes: int = 60
    dispatch_working_day: str = "06:00-22:00"
    dispatch_saturday: str = "06:00-22:00"
    dispatch_sunday: str = "06:00-22:00"
    dispatch_holiday: str = "06:00-22:00"
    dispatch_shortened_by_minutes: int = 0
    paid_services_working_day: str = "08:00-20:00"
    paid_services_saturday: str = "09:00-19:00"
    paid_services_sunday: str = "closed"
    paid_services_holiday: str = "closed"
    paid_services_shortened_by_minutes: int = 60
    order_handover_minutes: int = 15
    """A paid-service order reaches the executor within this (IVR-14)…"""
    executor_call_days: int = 3
    """…who calls the customer back within this."""
    answer_limit_seconds: int = 40
    """The longest wait for an operator's answer (CC-2); also the service level's T."""
    emergency_answer_limit_seconds: int = 180
    """The longest wait while a supervisor has the emergency mode on (CC-2: 3 min)."""
    find_customer_limit_seconds: int = 45
    """From the answer until the operator has found the customer (CC-2)."""
    information_limit_minutes: int = 5
    """Giving the information asked for, complex questions aside (CC-2)."""
    after_call_work_limit_minutes: int = 5
    """After-call work (wrap-up) per call (CC-2)."""
    callback_limit_working_days: int = 5
    """The latest agreed callback for a complex question (CC-5)."""
    answering_machine_limit_working_days: int = 1
    """Messages left at the answering machine are worked by the end of this working day
    after the day they were left (IVR-10)."""
    telephony_outage_limit_hours: float = 2.0
    """The longest loss of the telephony link (CC-10, p.4.5.9)."""
    short_abandon_seconds: float = 5.0
    """A caller who hangs up sooner is counted apart (a misdial, not a lost call)."""
    callback_attempts: int = 3
    """Attempts to put a kept-place callback through (CC-5) before it is left for the
    desk as an ordinary callback."""
    callback_retry_minutes: int = 10
    """A kept-place callback that failed (the operator or the customer did not answer)
    waits this long at its place before the next attempt."""
    callback_claim_seconds: int = 120
    """How long an engine process holds a kept-place callback it dials, from the claim
    to the customer's answer; a process that dies frees it then."""
    break_reasons: str = "lunch=45, rest=15, training=60, technical"
    """The reasons an operator may take a break for, each with its longest length in
    minutes where one is set (CC-3; the standard names lunch and technical breaks)."""
    after_call_work_pause: bool = True
    """After each queue call the operator is paused in their queues for their after-call
    work (CC-2) until they press Ready on the desk. Off, app_queue offers them the next
    caller as soon as the queue's ``wrapuptime`` (a few seconds) is over."""
    after_call_work_reason: str = "wrapup"
    """The pause reason of after-call work, a short word like the break reasons: a
    member paused with it shows in after-call work on the board, not on a break."""
    transfer_ring_limit_seconds: int = 15
    """How long a transfer's target rings, then the operator who transferred, before the
    call moves on (CC-4); 3 rings of the Russian ring cadence, 1 s on and 4 s off, as an
    operator answers by the 3rd ring (CC-2)."""
    staffing_target_share: float = 0.8
    """The share of callers answered within the answer limit that the staffing figures
    size the queues for (Erlang C)."""
    compliance_target_share: float = 1.0
    """The share of cases within a limit for the report to mark it met; the standard
    states each limit for every call, hence all of them."""
    survey_enabled: bool = False
    """The short keypad survey after an operator call (CC-11), offered when the
    operator hung up first. The issue makes it optional: off, the call ends when the
    operator hangs up, as it always did; a retailer switches it on."""
    survey_interval_days: int = 30
    """A customer is offered the survey at most once in any span of this many days:
    rolling, not calendar months, so CC-11's "once a month" holds across a month's end."""
    survey_answer_timeout_seconds: float = 5.0
    """How long each survey question waits for a key after it is asked."""

    def hours_settings(self, service: str) -> dict[str, object]:
        values: dict[str, object] = {kind: getattr(self, f"{service}_{kind}") for kind in DAY_KINDS}
        values["shortened_by_minutes"] = getattr(self, f"{service}_shortened_by_minutes")
        return values

    def service_hours(self, calendar: WorkingCalendar) -> dict[str, ServiceHours]:
        return {
            service: ServiceHours.from_settings(self.hours_settings(service), calendar, service)
            for service in SERVICES
        }

    def check(self) -> Iterable[tuple[str, str]]:
        for service in SERVICES:
            for kind in DAY_KINDS:
                name = f"{service}_{kind}"
                try:
                    ServiceHours.from_settings({kind: getattr(self, name)}, _NO_CALENDAR, service)
                except ServiceHoursError as error:
                    yield name, str(error).split(": ", 1)[-1]
        if self.short_abandon_seconds >= self.answer_limit_seconds:
            yield "short_abandon_seconds", "must be shorter than answer_limit_seconds"
        from callcenter.breaks import BreakRulesError, parse_break_reasons

        try:
            parse_break_reasons(self.break_reasons)
        except BreakRulesError as error:
            yield "break_reasons", str(error)
        yield from self._after_call_work_problems()

    def _after_call_work_problems(self) -> Iterable[tuple[str, str]]:
        from callcenter.breaks import REASON_NAME
        from callcenter.callback_release import HOLD_REASON

        reason = self.after_call_work_reason
        taken = {HOLD_REASON, *(p.partition("=")[0].strip() for p in self.break_reasons.split(","))}
        if not REASON_NAME.match(reason):
            yield "after_call_work_reason", f"{reason!r} is not a short word in a-z, 0-9, _ or -"
        elif reason in taken:
            yield "after_call_work_reason", f"{reason!r} is already a break or callback reason"


_NO_CALENDAR = WorkingCalendar(years=frozenset(), days_off=frozenset())  # a window needs no days
