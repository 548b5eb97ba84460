"""What a dialer's turn knows of each customer it claimed — the account, consent,
past attempts on every campaign, the last survey, a meter's verification — read on the
turn's connection in a few queries for the whole batch; and what the turn decides."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from autodialer.model import Cause, MessageChannel, Outcome, Purpose
from autodialer.retry_policy import PastAttempt
from autodialer.tables import AttemptRow, DeliveryRow, TargetRow
from customers.consent import ConsentChannel, ConsentStatus
from customers.consent_store import consent_statuses
from customers.model import Account
from customers.storage import accounts_by_numbers
from customers.tables import AccountRow, MeterRow

HISTORY_DAYS = 8
"""How far back a customer's attempts are read: the longest retry gap (7 days) + 1."""


@dataclass(frozen=True)
class Contact:
    """A claimed customer and what is known of them now, for the decision."""

    delivery_id: int
    account_number: str
    channel: MessageChannel
    account: Account | None
    consent: dict[ConsentChannel, ConsentStatus]
    history: list[PastAttempt]
    last_survey_at: datetime | None
    list_phone: str
    list_email: str
    restriction_date: date | None
    verification_due: date | None


@dataclass(frozen=True)
class Begin:
    """Start an attempt to ``address`` saying ``said``."""

    address: str
    said: str


@dataclass(frozen=True)
class Later:
    """No attempt now: next at ``at`` (None: never in this campaign) for ``reason``."""

    at: datetime | None
    reason: str = ""
    final: bool = False
    """Stop this delivery (paid, refused…); else it stays pending."""


Decision = Begin | Later
Decide = Callable[[Contact], Decision]


async def load_contacts(
    connection: AsyncConnection,
    delivery_ids: Sequence[int],
    channel: MessageChannel,
    purpose: Purpose,
    now: datetime,
) -> list[Contact]:
    rows = list(
        await connection.execute(
            select(
                DeliveryRow.id,
                DeliveryRow.account_number,
                TargetRow.phone,
                TargetRow.email,
                TargetRow.restriction_date,
            )
            .join(TargetRow, TargetRow.id == DeliveryRow.target_id)
            .where(DeliveryRow.id.in_(delivery_ids))
            .order_by(DeliveryRow.next_at, DeliveryRow.id)
        )
    )
    numbers = [row.account_number for row in rows]
    accounts = await accounts_by_numbers(connection, numbers)
    consents = await consent_statuses(connection, numbers, now)
    histories = await _histories(connection, numbers, channel, now)
    surveys = await _last_surveys(connection, numbers) if purpose is Purpose.SURVEY else {}
    verifications = (
        await _verifications(connection, numbers) if purpose is Purpose.METER_VERIFICATION else {}
    )
    return [
        Contact(
            delivery_id=row.id,
            account_number=row.account_number,
            channel=channel,
            account=accounts.get(row.account_number),
            consent=consents.get(row.account_number, {}),
            history=histories.get(row.account_number, []),
            last_survey_at=surveys.get(row.account_number),
            list_phone=row.phone,
            list_email=row.email,
            restriction_date=row.restriction_date,
            verification_due=verifications.get(row.account_number),
        )
        for row in rows
    ]


async def _histories(
    connection: AsyncConnection, numbers: Sequence[str], channel: MessageChannel, now: datetime
) -> dict[str, list[PastAttempt]]:
    """Each customer's attempts on ``channel`` in every campaign of the last days; one
    under way counts as negative (it may still be ringing)."""
    found: dict[str, list[PastAttempt]] = {}
    since = now - timedelta(days=HISTORY_DAYS)
    rows = await connection.execute(
        select(
            AttemptRow.account_number,
            AttemptRow.started_at,
            AttemptRow.cause,
            AttemptRow.campaign_id,
        )
        .where(
            AttemptRow.account_number.in_(numbers),
            AttemptRow.channel == channel.value,
            AttemptRow.started_at > since,
        )
        .order_by(AttemptRow.started_at)
    )
    for number, started_at, cause, campaign_id in rows:
        outcome = Cause(cause).outcome if cause else None
        found.setdefault(number, []).append(PastAttempt(channel, started_at, outcome, campaign_id))
    return found


async def _last_surveys(connection: AsyncConnection, numbers: Sequence[str]) -> dict[str, datetime]:
    positive = [cause.value for cause in Cause if cause.outcome is Outcome.POSITIVE]
    rows = await connection.execute(
        select(AttemptRow.account_number, func.max(AttemptRow.started_at))
        .where(
            AttemptRow.account_number.in_(numbers),
            AttemptRow.purpose == Purpose.SURVEY.value,
            AttemptRow.cause.in_(positive),
        )
        .group_by(AttemptRow.account_number)
    )
    return {number: at for number, at in rows}


async def _verifications(connection: AsyncConnection, numbers: Sequence[str]) -> dict[str, date]:
    rows = await connection.execute(
        select(AccountRow.number, func.min(MeterRow.verification_due))
        .join(MeterRow, MeterRow.account_id == AccountRow.id)
        .where(AccountRow.number.in_(numbers))
        .group_by(AccountRow.number)
    )
    return {number: due for number, due in rows}
