"""Attempts in the database: a turn of a campaign's dialer, and each attempt's end.

A turn runs in one transaction. On PostgreSQL it first locks the campaign's row, so
the processes dialling one campaign take turns and the line limit and the rate cap are
counted over all of them; due deliveries are then claimed with ``FOR UPDATE SKIP
LOCKED`` and a lease (:func:`callgrid.work.claim`). Every claimed customer is judged
with the data of that moment (consent, debt, their past attempts on every campaign)
and either gets an attempt, begun in the same transaction, or a later turn. An attempt
whose process died is closed as interrupted once its lease runs out, and its line is
counted busy until then: a restart never calls a customer whose call may still be up.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from autodialer.contacts import Begin, Contact, Decide, Later, load_contacts
from autodialer.model import Campaign, Cause, MessageChannel, Outcome, Purpose
from autodialer.pacing import rate_window_seconds
from autodialer.storage import ACTIVE, DELIVERED, ENDED, PENDING, STOPPED
from autodialer.tables import (
    AttemptEventRow,
    AttemptRow,
    CampaignRow,
    DeliveryRow,
    SmsPartRow,
)
from callgrid.database import Database
from callgrid.work import claim, release

DELIVERIES: Table = DeliveryRow.__table__  # type: ignore[assignment]


MOST_JUDGED_A_TURN = 400
"""Customers one turn may judge. When most of those due are put off (a zone's window
has just closed on a crowd waiting for their retry), the turn goes on judging in larger
rounds rather than leave the lines idle while they are put off a few at a time; the
bound keeps a turn short."""
LATER_ROUND = 50
"""Customers claimed at once after the first round, which claims as many as may start."""


@dataclass(frozen=True)
class StartedAttempt:
    id: int
    campaign_id: int
    delivery_id: int
    account_number: str
    channel: MessageChannel
    address: str
    said: str
    channel_id: str
    started_at: datetime


@dataclass
class TurnFigures:
    claimed: int = 0
    started: int = 0
    postponed: int = 0
    stopped: int = 0
    interrupted: int = 0
    skips: dict[str, int] = field(default_factory=dict)


class AttemptStore:
    def __init__(self, database: Database, owner: str, lease: timedelta) -> None:
        self.database = database
        self.owner = owner
        self.lease = lease

    async def take_turn(
        self,
        campaign: Campaign,
        channel: MessageChannel,
        now: datetime,
        budget: Callable[[int, int], int],
        decide: Decide,
    ) -> tuple[list[StartedAttempt], TurnFigures]:
        """One turn: ``budget(lines_busy, started_in_window)`` says how many may start."""
        campaign_id, purpose = campaign.id, campaign.purpose
        figures = TurnFigures()
        started: list[StartedAttempt] = []
        async with self.database.engine.begin() as connection:
            if not await _lock_running(connection, campaign_id):
                return started, figures
            figures.interrupted = await close_expired(connection, now, campaign_id)
            busy, recent = await _load_counts(connection, campaign, channel, now)
            room = budget(busy, recent)
            while room > 0 and figures.claimed < MOST_JUDGED_A_TURN:
                limit = room if not figures.claimed else max(room, LATER_ROUND)
                ids = await claim(
                    connection,
                    DELIVERIES,
                    and_(
                        DeliveryRow.campaign_id == campaign_id,
                        DeliveryRow.channel == channel.value,
                        DeliveryRow.state == PENDING,
                        DeliveryRow.next_at <= now,
                    ),
                    owner=self.owner,
                    now=now,
                    lease=self.lease,
                    limit=min(limit, MOST_JUDGED_A_TURN - figures.claimed),
                    order_by=(DeliveryRow.next_at, DeliveryRow.id),
                )
                if not ids:
                    break
                figures.claimed += len(ids)
                unjudged: list[int] = []
                for contact in await load_contacts(connection, ids, channel, purpose, now):
                    if room <= 0:  # the lines are full: the rest wait for the next turn
                        unjudged.append(contact.delivery_id)
                        continue
                    decision = decide(contact)
                    if isinstance(decision, Begin):
                        attempt = await _begin(
                            connection, campaign_id, purpose, contact, decision, now, self
                        )
                        started.append(attempt)
                        room -= 1
                    else:
                        await _postpone(connection, contact.delivery_id, decision)
                        key = decision.reason or "window"
                        figures.skips[key] = figures.skips.get(key, 0) + 1
                        if decision.final:
                            figures.stopped += 1
                        else:
                            figures.postponed += 1
                if unjudged:
                    await release(connection, DELIVERIES, unjudged)
            figures.started = len(started)
        return started, figures

    async def finish(
        self,
        attempt_id: int,
        cause: Cause,
        now: datetime,
        facts: dict[str, Any] | None = None,
        events: Sequence[tuple[datetime, str, str]] = (),
    ) -> bool:
        """End an attempt with its cause; False if it had ended already (the first end
        stands: a late AMI event never turns a result around)."""
        async with self.database.engine.begin() as connection:
            row = (
                await connection.execute(
                    select(AttemptRow.delivery_id, AttemptRow.ended_at).where(
                        AttemptRow.id == attempt_id
                    )
                )
            ).first()
            if row is None or row.ended_at is not None:
                return False
            values = dict(facts or {})
            values.update(ended_at=now, cause=cause.value, lease_until=None)
            await connection.execute(
                update(AttemptRow).where(AttemptRow.id == attempt_id).values(**values)
            )
            await _add_events(connection, attempt_id, [*events, (now, "end", cause.value)])
            await _settle_delivery(connection, row.delivery_id, cause, now)
        return True

    async def note(
        self,
        attempt_id: int,
        events: Sequence[tuple[datetime, str, str]],
        facts: dict[str, Any] | None = None,
        lease_until: datetime | None = None,
    ) -> None:
        """Add evidence to an attempt under way (and extend its lease)."""
        async with self.database.engine.begin() as connection:
            values = dict(facts or {})
            if lease_until is not None:
                values["lease_until"] = lease_until
            if values:
                await connection.execute(
                    update(AttemptRow).where(AttemptRow.id == attempt_id).values(**values)
                )
            await _add_events(connection, attempt_id, events)

    async def note_hangup(self, channel_id: str, cause: int, at: datetime, text: str) -> None:
        """A Hangup event of an attempt's channel: its cause is evidence."""
        async with self.database.engine.begin() as connection:
            attempt_id = (
                await connection.execute(
                    select(AttemptRow.id).where(AttemptRow.channel_id == channel_id)
                )
            ).scalar_one_or_none()
            if attempt_id is None:
                return
            await connection.execute(
                update(AttemptRow)
                .where(AttemptRow.id == attempt_id, AttemptRow.hangup_cause.is_(None))
                .values(hangup_cause=cause)
            )
            await _add_events(connection, attempt_id, [(at, "hangup", f"cause {cause} {text}")])

    async def attempt(self, attempt_id: int) -> AttemptRow | None:
        async with self.database.session() as session:
            return await session.get(AttemptRow, attempt_id)

    async def add_sms_parts(self, attempt_id: int, message_ids: Sequence[str]) -> None:
        async with self.database.engine.begin() as connection:
            await connection.execute(
                insert(SmsPartRow),
                [{"message_id": mid, "attempt_id": attempt_id} for mid in message_ids],
            )

    async def sms_receipt(
        self, message_id: str, delivered: bool, status: str, now: datetime
    ) -> tuple[int, bool | None] | None:
        """Note a part's receipt; the attempt id and, once every part has one, whether
        all were delivered (None while some are still out)."""
        async with self.database.engine.begin() as connection:
            attempt_id = (
                await connection.execute(
                    select(SmsPartRow.attempt_id).where(SmsPartRow.message_id == message_id)
                )
            ).scalar_one_or_none()
            if attempt_id is None:
                return None
            await connection.execute(
                update(SmsPartRow)
                .where(SmsPartRow.message_id == message_id)
                .values(delivered=delivered, status=status[:16])
            )
            parts = (
                await connection.execute(
                    select(SmsPartRow.delivered).where(SmsPartRow.attempt_id == attempt_id)
                )
            ).scalars()
            states = list(parts)
        if any(state is None for state in states):
            return attempt_id, None
        return attempt_id, all(states)

    async def close_expired(self, now: datetime) -> int:
        async with self.database.engine.begin() as connection:
            return await close_expired(connection, now, None)


async def close_expired(connection: AsyncConnection, now: datetime, campaign_id: int | None) -> int:
    """Close as interrupted the attempts whose lease ran out (their process died); the
    end written is the lease's end, the latest the call could have lasted."""
    query = select(
        AttemptRow.id, AttemptRow.delivery_id, AttemptRow.lease_until, AttemptRow.cause
    ).where(AttemptRow.ended_at.is_(None), AttemptRow.lease_until <= now)
    if campaign_id is not None:
        query = query.where(AttemptRow.campaign_id == campaign_id)
    expired = list(await connection.execute(query))
    for attempt_id, delivery_id, lease_until, known in expired:
        cause = Cause(known) if known else Cause.INTERRUPTED  # a result stored stands
        await connection.execute(
            update(AttemptRow)
            .where(AttemptRow.id == attempt_id)
            .values(ended_at=lease_until, cause=cause.value, lease_until=None)
        )
        detail = "the engine that placed it stopped before the call's end was known"
        await _add_events(connection, attempt_id, [(now, "interrupted", detail)])
        await _settle_delivery(connection, delivery_id, cause, now)
    return len(expired)


async def _lock_running(connection: AsyncConnection, campaign_id: int) -> bool:
    query = select(CampaignRow.state).where(CampaignRow.id == campaign_id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    state = (await connection.execute(query)).scalar_one_or_none()
    return state == "running"


async def _load_counts(
    connection: AsyncConnection, campaign: Campaign, channel: MessageChannel, now: datetime
) -> tuple[int, int]:
    """The lines busy at ``now``, and the attempts begun within the rate cap's window.

    A call that ended after ``now`` (while this turn waited for the campaign's lock)
    still holds its line: the attempts begun now are stamped ``now``, and would
    otherwise overlap it."""
    open_attempts = select(func.count()).where(
        AttemptRow.campaign_id == campaign.id,
        AttemptRow.channel == channel.value,
        or_(AttemptRow.ended_at.is_(None), AttemptRow.ended_at > now),
    )
    busy = int((await connection.execute(open_attempts)).scalar_one())
    since = now - timedelta(seconds=rate_window_seconds(campaign.calls_per_second))
    recent_query = select(func.count()).where(
        AttemptRow.campaign_id == campaign.id,
        AttemptRow.channel == channel.value,
        AttemptRow.started_at > since,
    )
    recent = int((await connection.execute(recent_query)).scalar_one())
    return busy, recent


async def _begin(
    connection: AsyncConnection,
    campaign_id: int,
    purpose: Purpose,
    contact: Contact,
    decision: Begin,
    now: datetime,
    store: AttemptStore,
) -> StartedAttempt:
    channel_id = f"cg-{uuid.uuid4().hex[:24]}"
    attempt_id = (
        await connection.execute(
            insert(AttemptRow)
            .values(
                campaign_id=campaign_id,
                delivery_id=contact.delivery_id,
                account_number=contact.account_number,
                purpose=purpose.value,
                channel=contact.channel.value,
                address=decision.address[:256],
                started_at=now,
                lease_until=now + store.lease,
                channel_id=channel_id if contact.channel is MessageChannel.PHONE else None,
                said=decision.said,
                engine=store.owner,
            )
            .returning(AttemptRow.id)
        )
    ).scalar_one()
    await connection.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == contact.delivery_id)
        .values(state=ACTIVE, attempts=DeliveryRow.attempts + 1, next_at=None, skip=None)
    )
    await _add_events(connection, attempt_id, [(now, "start", decision.address)])
    return StartedAttempt(
        attempt_id,
        campaign_id,
        contact.delivery_id,
        contact.account_number,
        contact.channel,
        decision.address,
        decision.said,
        channel_id,
        now,
    )


async def _postpone(connection: AsyncConnection, delivery_id: int, decision: Later) -> None:
    values: dict[str, Any] = {"locked_by": None, "locked_until": None, "skip": decision.reason}
    if decision.final:
        values.update(state=STOPPED, next_at=None)
    elif decision.at is None:
        values.update(state=ENDED, next_at=None)
    else:
        values["next_at"] = decision.at
    await connection.execute(
        update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values)
    )


async def _settle_delivery(
    connection: AsyncConnection, delivery_id: int, cause: Cause, now: datetime
) -> None:
    """After an attempt: delivered, or pending again (the next turn's decision applies
    the retry rules to its history)."""
    values: dict[str, Any] = {"last_cause": cause.value, "locked_by": None, "locked_until": None}
    if cause.outcome is Outcome.POSITIVE:
        values.update(state=DELIVERED, delivered_at=now, next_at=None)
    else:
        values.update(state=PENDING, next_at=now)
    await connection.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.state == ACTIVE)
        .values(**values)
    )


async def _add_events(
    connection: AsyncConnection, attempt_id: int, events: Sequence[tuple[datetime, str, str]]
) -> None:
    if events:
        await connection.execute(
            insert(AttemptEventRow),
            [
                {"attempt_id": attempt_id, "at": at, "kind": kind[:32], "detail": detail[:1024]}
                for at, kind, detail in events
            ],
        )
