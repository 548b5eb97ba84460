"""The contact center's settings: when each line is staffed (CC-1, IVR-11) and the
paid-services deadlines (IVR-14). A day's hours are ``08:00-20:00`` or ``closed``."""

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


_NO_CALENDAR = WorkingCalendar(years=frozenset(), days_off=frozenset())  # a window needs no days
