"""What the benchmark's campaign left in the database, checked: every attempt against
the rules by :mod:`autodialer.rule_check` (with the zone and consent each customer was
given, not the dialer's reading of them), the lines' use inside the calling windows,
and the attempts per engine process."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from autodialer.model import Cause, MessageChannel, Purpose
from autodialer.reports import CampaignReports, Progress
from autodialer.rule_check import (
    AFTER_DELIVERY,
    CONSENT,
    LINES,
    RETRY,
    SMS_DAILY,
    WINDOW,
    CheckedAttempt,
    violations,
)
from autodialer.settings import CampaignSettings
from autodialer.tables import AttemptRow
from bench.dialer_data import ZONES, Population, customer_index, zone_info
from callgrid.database import Database
from worktime.calendar import default_calendar

RULES = (WINDOW, RETRY, CONSENT, LINES, AFTER_DELIVERY, SMS_DAILY)
PARTITION = 50_000


@dataclass(frozen=True)
class StoredAttempt:
    customer: int
    started_at: datetime
    ended_at: datetime | None
    cause: Cause | None
    engine: str


@dataclass
class Checked:
    attempts: int
    progress: Progress
    violations: Counter[str]
    examples: list[str]
    engines: Counter[str]
    window_seconds: float
    window_busy: float
    """Line-seconds busy inside the union of the customers' windows."""
    open_at_end: int
    per_customer: Counter[int] = field(default_factory=Counter)
    """How many customers had 1, 2, 3… attempts."""


async def stored_attempts(database: Database, campaign_id: int) -> list[StoredAttempt]:
    query = select(
        AttemptRow.account_number,
        AttemptRow.started_at,
        AttemptRow.ended_at,
        AttemptRow.cause,
        AttemptRow.engine,
    ).where(AttemptRow.campaign_id == campaign_id)
    found: list[StoredAttempt] = []
    async with database.engine.connect() as connection:
        result = await connection.stream(query.execution_options(yield_per=PARTITION))
        async for partition in result.partitions(PARTITION):
            found.extend(
                StoredAttempt(
                    customer_index(number), started, ended, Cause(cause) if cause else None, engine
                )
                for number, started, ended, cause, engine in partition
            )
    return found


def busy_inside(
    attempts: Sequence[StoredAttempt], windows: Sequence[tuple[float, float]], lease: float
) -> float:
    """Line-seconds of the attempts inside ``windows`` (sorted, disjoint)."""
    closes = [closes for _, closes in windows]
    total = 0.0
    for attempt in attempts:
        start = attempt.started_at.timestamp()
        end = attempt.ended_at.timestamp() if attempt.ended_at else start + lease
        at = bisect.bisect_right(closes, start)
        while at < len(windows) and windows[at][0] < end:
            opens, closes_at = windows[at]
            total += max(0.0, min(end, closes_at) - max(start, opens))
            at += 1
    return total


async def check(
    database: Database,
    campaign_id: int,
    population: Population,
    settings: CampaignSettings,
    line_limit: int,
    windows: Sequence[tuple[float, float]],
) -> Checked:
    stored = await stored_attempts(database, campaign_id)
    zones = [zone_info(index) for index in range(len(ZONES))]
    checked = [
        CheckedAttempt(
            account_number=f"70{attempt.customer:08d}",
            purpose=Purpose.DEBT_REMINDER,
            channel=MessageChannel.PHONE,
            started_at=attempt.started_at,
            ended_at=attempt.ended_at,
            outcome=attempt.cause.outcome if attempt.cause else None,
            zone=zones[population.zone_index(attempt.customer)],
            consent=population.consent(attempt.customer),
            campaign_id=campaign_id,
        )
        for attempt in stored
        if 0 <= attempt.customer < population.size
    ]
    found = violations(checked, settings, default_calendar(), {campaign_id: line_limit})
    counted = Counter(violation.rule for violation in found)
    examples = [f"{v.rule}: {v.account_number} at {v.started_at:%m-%d %H:%M:%S}: {v.detail}"
                for v in found[:5]]  # fmt: skip
    if len(checked) != len(stored):
        examples.append(f"{len(stored) - len(checked)} attempts to customers not on the list")
    lease = float(settings.attempt_lease_seconds)
    seconds = sum(closes - opens for opens, closes in windows)
    return Checked(
        attempts=len(stored),
        progress=await CampaignReports(database).progress(campaign_id),
        violations=counted,
        examples=examples,
        engines=Counter(attempt.engine for attempt in stored),
        window_seconds=seconds,
        window_busy=busy_inside(stored, windows, lease),
        open_at_end=sum(1 for attempt in stored if attempt.ended_at is None),
        per_customer=Counter(Counter(attempt.customer for attempt in stored).values()),
    )
