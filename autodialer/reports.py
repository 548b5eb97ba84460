"""What a campaign has done: its progress, outcomes by hour, and each customer's
attempts with their evidence (AD-2, AD-9). Read only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from autodialer.model import Attempt, Cause, MessageChannel
from autodialer.storage import ACTIVE, PENDING
from autodialer.tables import AttemptEventRow, AttemptRow, DeliveryRow
from callgrid.database import Database


@dataclass(frozen=True)
class Progress:
    campaign_id: int
    deliveries: dict[str, dict[str, int]]
    """Per channel: pending, active, delivered, stopped, ended."""
    causes: dict[str, int]
    """Attempts ended, per cause."""
    skips: dict[str, int]
    """Deliveries stopped or waiting, per reason (no_consent, paid…)."""
    attempts: int
    lines_busy: int

    @property
    def delivered(self) -> int:
        return sum(states.get("delivered", 0) for states in self.deliveries.values())

    @property
    def pending_retry(self) -> int:
        return sum(states.get("pending", 0) for states in self.deliveries.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign_id,
            "deliveries": self.deliveries,
            "causes": self.causes,
            "skips": self.skips,
            "attempts": self.attempts,
            "delivered": self.delivered,
            "pending_retry": self.pending_retry,
            "lines_busy": self.lines_busy,
        }


@dataclass(frozen=True)
class AttemptEvent:
    at: datetime
    kind: str
    detail: str


@dataclass(frozen=True)
class ProvenAttempt:
    attempt: Attempt
    events: list[AttemptEvent] = field(default_factory=list)
    recording_sha256: str | None = None
    recording_seconds: float | None = None


class CampaignReports:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def has_work(self, campaign_id: int) -> bool:
        """Whether a delivery of the campaign is still pending or under way (one row
        looked up by index, cheap enough for every tick)."""
        async with self.database.engine.connect() as connection:
            query = (
                select(DeliveryRow.id)
                .where(
                    DeliveryRow.campaign_id == campaign_id,
                    DeliveryRow.state.in_((PENDING, ACTIVE)),
                )
                .limit(1)
            )
            return (await connection.execute(query)).first() is not None

    async def open_attempts(self, campaign_id: int) -> int:
        async with self.database.engine.connect() as connection:
            query = select(func.count()).where(
                AttemptRow.campaign_id == campaign_id, AttemptRow.ended_at.is_(None)
            )
            return int((await connection.execute(query)).scalar_one())

    async def progress(self, campaign_id: int) -> Progress:
        async with self.database.engine.connect() as connection:
            deliveries: dict[str, dict[str, int]] = {}
            for channel, state, count in await connection.execute(
                select(DeliveryRow.channel, DeliveryRow.state, func.count())
                .where(DeliveryRow.campaign_id == campaign_id)
                .group_by(DeliveryRow.channel, DeliveryRow.state)
            ):
                deliveries.setdefault(channel, {})[state] = count
            skips: dict[str, int] = {
                str(skip): count
                for skip, count in await connection.execute(
                    select(DeliveryRow.skip, func.count())
                    .where(DeliveryRow.campaign_id == campaign_id, DeliveryRow.skip.is_not(None))
                    .where(DeliveryRow.skip != "")
                    .group_by(DeliveryRow.skip)
                )
            }
            causes: dict[str, int] = {
                str(cause): count
                for cause, count in await connection.execute(
                    select(AttemptRow.cause, func.count())
                    .where(AttemptRow.campaign_id == campaign_id, AttemptRow.ended_at.is_not(None))
                    .group_by(AttemptRow.cause)
                )
            }
            attempts = int(
                (
                    await connection.execute(
                        select(func.count()).where(AttemptRow.campaign_id == campaign_id)
                    )
                ).scalar_one()
            )
            busy = int(
                (
                    await connection.execute(
                        select(func.count()).where(
                            AttemptRow.campaign_id == campaign_id,
                            AttemptRow.channel == MessageChannel.PHONE.value,
                            AttemptRow.ended_at.is_(None),
                        )
                    )
                ).scalar_one()
            )
        return Progress(campaign_id, deliveries, causes, skips, attempts, busy)

    async def outcomes_by_hour(
        self, campaign_id: int, zone: ZoneInfo
    ) -> list[tuple[datetime, str, int]]:
        """(local hour, outcome, attempts) for the chart."""
        async with self.database.engine.connect() as connection:
            rows = await connection.execute(
                select(AttemptRow.started_at, AttemptRow.cause).where(
                    AttemptRow.campaign_id == campaign_id, AttemptRow.ended_at.is_not(None)
                )
            )
            counts: dict[tuple[datetime, str], int] = {}
            for started_at, cause in rows:
                hour = started_at.astimezone(zone).replace(minute=0, second=0, microsecond=0)
                outcome = Cause(cause).outcome.value if cause else "unknown"
                counts[(hour, outcome)] = counts.get((hour, outcome), 0) + 1
        return sorted((hour, outcome, n) for (hour, outcome), n in counts.items())

    async def attempts(
        self, campaign_id: int, account_number: str | None = None, limit: int | None = None
    ) -> list[ProvenAttempt]:
        """The attempts (of one customer, or all), oldest first, each with its events."""
        query = select(AttemptRow).where(AttemptRow.campaign_id == campaign_id)
        if account_number is not None:
            query = query.where(AttemptRow.account_number == account_number)
        query = query.order_by(AttemptRow.account_number, AttemptRow.started_at, AttemptRow.id)
        if limit is not None:
            query = query.limit(limit)
        async with self.database.session() as session:
            rows = list((await session.execute(query)).scalars())
            events = await _events(session, [row.id for row in rows])
        return [ProvenAttempt(attempt_of(row), events.get(row.id, [])) for row in rows]


async def _events(session: Any, attempt_ids: Sequence[int]) -> dict[int, list[AttemptEvent]]:
    found: dict[int, list[AttemptEvent]] = {}
    for start in range(0, len(attempt_ids), 500):
        rows = await session.execute(
            select(AttemptEventRow)
            .where(AttemptEventRow.attempt_id.in_(attempt_ids[start : start + 500]))
            .order_by(AttemptEventRow.at, AttemptEventRow.id)
        )
        for row in rows.scalars():
            found.setdefault(row.attempt_id, []).append(AttemptEvent(row.at, row.kind, row.detail))
    return found


def attempt_of(row: AttemptRow) -> Attempt:
    details = {
        name: str(value)
        for name, value in (
            ("originate_reason", row.originate_reason),
            ("hangup_cause", row.hangup_cause),
            ("amd_status", row.amd_status),
            ("amd_cause", row.amd_cause),
            ("heard_seconds", row.heard_seconds),
            ("key", row.key),
            ("channel_id", row.channel_id),
        )
        if value is not None
    }
    return Attempt(
        id=row.id,
        campaign_id=row.campaign_id,
        account_number=row.account_number,
        channel=MessageChannel(row.channel),
        address=row.address,
        started_at=row.started_at,
        ended_at=row.ended_at,
        cause=Cause(row.cause) if row.cause and row.ended_at else None,
        said=row.said,
        call_id=row.call_id,
        details=details,
    )
