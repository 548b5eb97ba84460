"""Readings left on the answering machine, typed by an operator (IVR-10): judged by the
same rules as readings keyed by the customer (:func:`customers.reading_rules.judge`),
as of the moment the message was left, and stored all zones or none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo

from callcenter.tasks import Task
from customers.model import Channel, Meter, Reading, Zone
from customers.reading_rules import Accepted, AlreadyToday, ReadingLimits, Refused, judge
from customers.storage import SqlCustomers
from worktime.clock import local_date


@dataclass(frozen=True)
class ZoneVerdict:
    zone: Zone
    entered: str
    verdict: Accepted | Refused | AlreadyToday


@dataclass(frozen=True)
class MessageReadings:
    stored: bool
    verdicts: list[ZoneVerdict]

    @property
    def problems(self) -> list[str]:
        """Each zone refused, in words, for the operator."""
        found = []
        for each in self.verdicts:
            if isinstance(each.verdict, Refused):
                limit = f" ({each.verdict.limit})" if each.verdict.limit is not None else ""
                found.append(f"{each.zone.value}: {each.verdict.reason.value}{limit}")
            elif isinstance(each.verdict, AlreadyToday):
                found.append(
                    f"{each.zone.value}: a reading of that day is stored already "
                    f"({each.verdict.existing}); tick 'replace' to replace it"
                )
        return found


async def enter_message_readings(
    customers: SqlCustomers,
    limits: ReadingLimits,
    task: Task,
    meter: Meter,
    entered: Mapping[Zone, str],
    *,
    replace_same_day: bool,
    timezone: tzinfo,
) -> MessageReadings:
    left_at = task.created_at
    day = local_date(left_at, timezone)
    verdicts = []
    for zone in meter.zones:
        digits = entered.get(zone, "").strip()
        today_ones = await customers.readings_today(meter.id, zone, left_at)
        history = [r for r in await customers.history(meter.id, zone) if r not in today_ones]
        last = history[0] if history else None
        facts = (meter, digits, day, last, history)
        verdict = judge(*facts, today_ones, limits, timezone=timezone)
        if isinstance(verdict, AlreadyToday) and replace_same_day:
            verdict = judge(*facts, [], limits, timezone=timezone)
        verdicts.append(ZoneVerdict(zone, digits, verdict))
    accepted = [v for v in verdicts if isinstance(v.verdict, Accepted)]
    if len(accepted) < len(verdicts):
        return MessageReadings(False, verdicts)
    readings = [
        Reading(meter.id, v.zone, v.verdict.value, left_at, Channel.ANSWERING_MACHINE, task.call_id)
        for v in accepted
        if isinstance(v.verdict, Accepted)
    ]
    await customers.store_readings(readings, f"task-{task.id}:{meter.id}", replace_same_day)
    return MessageReadings(True, verdicts)
